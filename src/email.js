// civique e-mail form: loaded by the loader only when a widget asks for a verified address
// (participation "email"). A modal dialog asks for the address, has a six-digit code mailed
// to it (POST sites/{site}/email), checks the code (POST sites/{site}/email/verify) and
// resolves to the address's participant token; it rejects when the resident closes it. The
// widget waits meanwhile, then sends the resident's change again: nothing they chose or typed
// is lost, whatever fails here.

const TEXTS = {
  fr: {
    title: 'Vérifier votre adresse e-mail',
    intro:
      'Cette consultation compte une participation par adresse e-mail. Nous vous envoyons un code à 6 chiffres, valable 15 minutes ; votre adresse n’est pas conservée.',
    address: 'Adresse e-mail',
    send: 'Recevoir un code',
    sent: 'Un code a été envoyé à ',
    code: 'Code reçu (6 chiffres)',
    keep: 'Me prévenir par e-mail quand la mairie répond à mes contributions (l’adresse est alors conservée ; vous pourrez l’effacer dans « Mes données »)',
    check: 'Valider',
    other: 'Changer d’adresse ou renvoyer un code',
    cancel: 'Annuler',
    errors: {
      code_refused: 'Ce code ne correspond pas. Vérifiez-le, puis réessayez.',
      code_expired: 'Ce code a expiré. Demandez-en un nouveau.',
      rate_limited: 'Trop de demandes en peu de temps. Patientez une minute, puis réessayez.',
      invalid_input: 'Cette adresse e-mail ne semble pas valide.',
      email_not_enabled: 'Ce site n’envoie pas encore de codes par e-mail.',
      unavailable: 'Le code n’a pas pu être envoyé. Réessayez dans quelques instants.',
      '': 'Le service de consultation est injoignable. Vérifiez votre connexion, puis réessayez.',
    },
  },
  en: {
    title: 'Verify your e-mail address',
    intro:
      'This consultation counts one participation per e-mail address. We send you a 6-digit code, valid for 15 minutes; your address is not kept.',
    address: 'E-mail address',
    send: 'Send me a code',
    sent: 'A code was sent to ',
    code: 'Code received (6 digits)',
    keep: 'Tell me by e-mail when the town answers my contributions (the address is then kept; you can erase it in “My data”)',
    check: 'Confirm',
    other: 'Use another address or send a new code',
    cancel: 'Cancel',
    errors: {
      code_refused: 'This code does not match. Check it, then try again.',
      code_expired: 'This code has expired. Ask for a new one.',
      rate_limited: 'Too many requests in a short time. Wait a minute, then try again.',
      invalid_input: 'This e-mail address does not look valid.',
      email_not_enabled: 'This site does not send codes by e-mail yet.',
      unavailable: 'The code could not be sent. Try again in a moment.',
      '': 'The consultation service cannot be reached. Check your connection, then try again.',
    },
  },
};

const CSS = `
dialog{box-sizing:border-box;max-width:min(28em,calc(100vw - 2em));padding:1.25em;color:#1e1e1e;background:#fff;border:1px solid #8a8a8a;border-radius:4px;font:medium/1.5 system-ui,sans-serif}
dialog::backdrop{background:rgb(0 0 0/.5)}
h2{margin:0 0 .5em;font-size:1.25em}
p{margin:0 0 1em}
label{display:block;margin:0 0 .25em;font-weight:bold}
label:has(input[type=checkbox]){display:flex;gap:.5em;align-items:start;font-weight:normal}
input{box-sizing:border-box;min-height:2.75em;font:inherit}
input:not([type=checkbox]){width:100%;margin:0 0 1em;padding:.5em;border:1px solid #555;border-radius:4px}
input[type=checkbox]{min-height:auto;width:1.5em;height:1.5em;margin:0;flex:none}
[role=alert]:not(:empty){margin:0 0 1em;color:#c9191e;font-weight:bold}
.actions{display:flex;flex-wrap:wrap;gap:.5em;margin-top:1em}
button{min-height:2.75em;padding:.5em 1em;font:inherit;color:#000091;background:#fff;border:1px solid #000091;border-radius:4px;cursor:pointer}
button[type=submit]{color:#fff;background:#000091}
button:disabled{opacity:.6;cursor:wait}
:focus-visible{outline:3px solid #0a76f6;outline-offset:2px}
@media (prefers-reduced-motion:no-preference){dialog{transition:opacity .15s}}
@media (forced-colors:active){button[type=submit]{border:2px solid ButtonText}}
`;

// An element `tag` with `props` (properties; `for` and `aria-*` as attributes) and children.
const h = (tag, props = {}, ...children) => {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key == 'for' || key.startsWith('aria-')) el.setAttribute(key, value);
    else el[key] = value;
  }
  el.append(...children);
  return el;
};

export function verify(api, post, site, lang) {
  const t = TEXTS[lang == 'en' ? 'en' : 'fr'];
  const path = `sites/${encodeURIComponent(site)}/email`;
  const host = h('div');
  const root = host.attachShadow({ mode: 'open' });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  root.adoptedStyleSheets = [sheet];
  const alert = h('p', { role: 'alert', id: 'problem' });
  const form = h('form');
  const dialog = h('dialog', { 'aria-labelledby': 'title', lang }, h('h2', { id: 'title' }, t.title), form);
  root.append(dialog);
  document.body.append(host);

  return new Promise((resolve, reject) => {
    let address = '';
    let ticket = '';
    let token = '';
    dialog.addEventListener('close', () => {
      host.remove();
      token ? resolve(token) : reject(Error('closed'));
    });
    const cancel = h('button', { type: 'button', textContent: t.cancel, onclick: () => dialog.close() });
    // Shows `fields`, then a submit button `label` beside `more` buttons; `submit()` runs on
    // it, its error said in the alert and the input `bad` then marked invalid and given focus.
    // Nothing typed is cleared.
    const step = (fields, more, label, submit, bad) => {
      const button = h('button', { type: 'submit', textContent: label });
      form.replaceChildren(...fields, alert, h('div', { className: 'actions' }, button, ...more, cancel));
      alert.textContent = '';
      form.onsubmit = async (event) => {
        event.preventDefault();
        button.disabled = true;
        alert.textContent = '';
        bad.removeAttribute('aria-invalid');
        try {
          await submit();
        } catch (refusal) {
          alert.textContent = t.errors[refusal?.error?.code] || t.errors[''];
          bad.setAttribute('aria-invalid', 'true');
          bad.setAttribute('aria-describedby', 'problem');
        } finally {
          button.disabled = false;
        }
        if (dialog.open && alert.textContent) bad.focus();
      };
      bad.focus();
    };
    const field = (id, label, props) => [h('label', { for: id }, label), h('input', { id, required: true, ...props })];

    const askAddress = () => {
      const [label, input] = field('address', t.address, { type: 'email', autocomplete: 'email', value: address });
      step([h('p', {}, t.intro), label, input], [], t.send, async () => {
        const answer = await api(path, post({ address: input.value, lang }));
        address = input.value.trim();
        ticket = answer.ticket;
        askCode();
      }, input);
    };
    const askCode = () => {
      const [label, input] = field('code', t.code, { inputMode: 'numeric', autocomplete: 'one-time-code' });
      const keep = h('input', { type: 'checkbox', id: 'keep' });
      const other = h('button', { type: 'button', textContent: t.other, onclick: askAddress });
      const sent = h('p', {}, t.sent, h('strong', {}, address), '.');
      step([sent, label, input, h('label', {}, keep, t.keep)], [other], t.check, async () => {
        const check = { ticket, code: input.value.replace(/\s/g, '') };
        if (keep.checked) Object.assign(check, { keep_address: address, lang });
        token = (await api(`${path}/verify`, post(check))).participant;
        dialog.close();
      }, input);
    };
    askAddress();
    dialog.showModal();
  });
}
