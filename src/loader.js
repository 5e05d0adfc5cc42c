// civique loader: finds widgets, loads each kind's wasm module once, mounts each in a shadow root.
const endpoint = new URL('.', import.meta.url).href;
// Content-hashed paths of the files below, written by the endpoint that serves this loader in
// the place of this mark (they are cached for good, so an upgrade never mixes builds); in the
// npm package, only the mark.
const FILES = { 'civique:files': 0 };
const file = (path) => new URL(FILES[path] || path, endpoint);
const attr = (el, name) => el.getAttribute(name) || el.getAttribute('data-civique-' + name) || '';
// Widget kinds: element `civique-<kind>` with attribute `attr`, or `div[data-civique-<kind>]`.
const KINDS = {
  poll: { name: 'poll', attr: 'poll', mount: (m, root, id, lang, el, who) => m.mountPoll(root, id, endpoint, lang, who) },
  comments: {
    name: 'comments',
    attr: 'thread',
    keyed: (el) => attr(el, 'thread-key') && attr(el, 'site'),
    mount: (m, root, id, lang, el, who) =>
      m.mountComments(root, id, endpoint, lang, who, attr(el, 'site'), attr(el, 'thread-key')),
  },
  proposals: {
    name: 'proposals',
    attr: 'box',
    mount: (m, root, id, lang, el, who) => m.mountProposals(root, id, endpoint, lang, who, attr(el, 'display')),
  },
};
const SEL = Object.keys(KINDS)
  .map((k) => `div[data-civique-${k}]`)
  .join();
const mounted = new WeakMap();
// One wasm module and one stylesheet per widget kind, each fetched once and only if the page
// shows that kind.
const modules = {};
const sheets = {};

const retryable = (promise, forget) =>
  promise.catch((e) => {
    forget(); // a widget added later tries again
    throw e;
  });
const load = (name) =>
  Promise.all([
    (modules[name] ||= retryable(
      import(file(`pkg/${name}/civique.js`)).then(async (m) => (await m.default(), m.earnWith(earn, verify), m)),
      () => delete modules[name],
    )),
    (sheets[name] ||= retryable(
      fetch(file(`pkg/${name}/civique.css`)).then(async (r) => {
        if (!r.ok) throw Error(r.status);
        const css = new CSSStyleSheet();
        css.replaceSync(await r.text());
        return css;
      }),
      () => delete sheets[name],
    )),
  ]);

// A call to the endpoint's API: the JSON answer, or the error body thrown.
const api = (path, init) =>
  fetch(new URL('api/v1/' + path, endpoint), init).then(async (r) => {
    const body = await r.json();
    if (!r.ok) throw body;
    return body;
  });
const post = (body) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

// Site accounts (docs/sso.md): the token the host website signed for its signed-in user
// (attribute `sso`), exchanged once per page for a participant token the widgets send instead
// of the device's own; '' when there is none or the exchange fails.
const accounts = {};
const account = (sso) =>
  sso
    ? (accounts[sso] ||= Promise.resolve()
        .then(() => {
          const site = JSON.parse(atob(sso.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).site;
          return api(`sites/${encodeURIComponent(site)}/sso`, post({ token: sso }));
        })
        .then((answer) => answer.participant)
        .catch(() => ''))
    : '';

// Device tokens: on a device's first act, the widget calls `earn()` (given to each module),
// which solves the endpoint's proof of work (the SHA-256 of the salt and a number equal to
// the challenge, the browser hashing a batch at a time off the page's thread) and resolves to
// the device's participant token; it rejects with the endpoint's error body when refused.
const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
async function solve() {
  const { salt, challenge, maxnumber, signature } = await api('devices/challenge');
  const bytes = (n) => new TextEncoder().encode(salt + n);
  for (let from = 0; from <= maxnumber; from += 256) {
    const batch = [];
    for (let n = from; n < from + 256 && n <= maxnumber; n++) batch.push(crypto.subtle.digest('SHA-256', bytes(n)));
    const found = (await Promise.all(batch)).findIndex((h) => hex(h) == challenge);
    if (found >= 0) {
      return (await api('devices', post({ salt, number: from + found, signature }))).participant;
    }
  }
  throw Error('unsolved');
}
// Widgets acting at once share one proof, and one e-mail form.
const once = (f) => {
  let pending;
  return (x) => (pending ||= f(x).finally(() => (pending = null)));
};
const earn = once(solve);
// Verified addresses: a change refused with `email_required` makes the widget call
// `verify(refusal)`, which opens the e-mail form (pkg/email, loaded then) for the refusal's
// site and resolves to the address's participant token; it rejects when the resident closes
// the form, and the widget then says what it needs, their choice or text still there.
const verify = once((refusal) =>
  import(file('pkg/email/civique.js')).then((m) => m.verify(api, post, refusal.error.site, langOf(document.body))),
);

const langOf = (el) =>
  /^en\b/i.test(el.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang)
    ? 'en'
    : 'fr';

async function mount(el, kind, id) {
  if (mounted.has(el) || !(id || kind.keyed?.(el))) return;
  const slot = {};
  mounted.set(el, slot);
  const root = el.shadowRoot || el.attachShadow({ mode: 'open' });
  const lang = langOf(el);
  try {
    const [[mod, css], who] = await Promise.all([load(kind.name), account(attr(el, 'sso'))]);
    if (mounted.get(el) !== slot) return; // removed while loading
    root.adoptedStyleSheets = [css];
    root.replaceChildren();
    slot.handle = kind.mount(mod, root, id || '', lang, el, who);
  } catch {
    root.textContent =
      lang == 'en'
        ? 'The consultation service cannot be reached.'
        : 'Le service de consultation est injoignable.';
  }
}

function unmount(el) {
  mounted.get(el)?.handle?.unmount();
  mounted.delete(el);
}

for (const [name, kind] of Object.entries(KINDS)) {
  customElements.get('civique-' + name) ||
    customElements.define(
      'civique-' + name,
      class extends HTMLElement {
        static observedAttributes = [kind.attr, 'thread-key', 'site', 'display', 'sso'];
        connectedCallback() {
          mount(this, kind, this.getAttribute(kind.attr));
        }
        disconnectedCallback() {
          unmount(this);
        }
        attributeChangedCallback() {
          if (this.isConnected) {
            unmount(this);
            this.connectedCallback();
          }
        }
      },
    );
}

const each = (node, f) => {
  if (node.matches?.(SEL)) f(node);
  node.querySelectorAll?.(SEL).forEach(f);
};
const mountDiv = (d) => {
  if (!d.isConnected) return;
  for (const [name, kind] of Object.entries(KINDS)) {
    const id = d.getAttribute('data-civique-' + name);
    if (id != null) return mount(d, kind, id);
  }
};
each(document, mountDiv);
new MutationObserver((records) => {
  for (const r of records) {
    r.removedNodes.forEach((n) => each(n, (d) => d.isConnected || unmount(d)));
    r.addedNodes.forEach((n) => each(n, mountDiv));
  }
}).observe(document.documentElement, { childList: true, subtree: true });
