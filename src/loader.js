// civique loader: finds poll widgets, loads the wasm app once, mounts each in a shadow root.
const endpoint = new URL('.', import.meta.url).href;
const SEL = 'div[data-civique-poll]';
const mounted = new WeakMap();
let app;

const load = () =>
  (app ||= Promise.all([
    import(new URL('pkg/civique.js', endpoint)).then(async (m) => (await m.default(), m)),
    fetch(new URL('civique.css', endpoint)).then(async (r) => {
      if (!r.ok) throw Error(r.status);
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(await r.text());
      return sheet;
    }),
  ]).catch((e) => {
    app = null; // a widget added later tries again
    throw e;
  }));

const langOf = (el) =>
  /^en\b/i.test(el.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang)
    ? 'en'
    : 'fr';

async function mount(el, poll) {
  if (mounted.has(el) || !poll) return;
  const slot = {};
  mounted.set(el, slot);
  const root = el.shadowRoot || el.attachShadow({ mode: 'open' });
  const lang = langOf(el);
  try {
    const [mod, sheet] = await load();
    if (mounted.get(el) !== slot) return; // removed while loading
    root.adoptedStyleSheets = [sheet];
    root.replaceChildren();
    slot.handle = mod.mountPoll(root, poll, endpoint, lang);
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

customElements.get('civique-poll') ||
  customElements.define(
    'civique-poll',
    class extends HTMLElement {
      static observedAttributes = ['poll'];
      connectedCallback() {
        mount(this, this.getAttribute('poll'));
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

const each = (node, f) => {
  if (node.matches?.(SEL)) f(node);
  node.querySelectorAll?.(SEL).forEach(f);
};
const mountDiv = (d) => d.isConnected && mount(d, d.dataset.civiquePoll);
each(document, mountDiv);
new MutationObserver((records) => {
  for (const r of records) {
    r.removedNodes.forEach((n) => each(n, (d) => d.isConnected || unmount(d)));
    r.addedNodes.forEach((n) => each(n, mountDiv));
  }
}).observe(document.documentElement, { childList: true, subtree: true });
