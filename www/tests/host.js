// Generic end-to-end test host: builds widgets from the query string after `load`, so
// the loader sees them arrive dynamically, and records every civique DOM event.
const params = new URLSearchParams(window.location.search);
const list = (name) => (params.get(name) ?? '')
  .split(',')
  .map((id) => id.trim())
  .filter(Boolean);
// Widgets to create, in order: polls first, then comment threads, then proposal boxes.
const widgets = [
  ...list('polls').map((id) => ['poll', 'poll', id]),
  ...list('threads').map((id) => ['comments', 'thread', id]),
  ...list('boxes').map((id) => ['proposals', 'box', id]),
];
// `display=projector`: proposal boxes in their projector display.
const display = params.get('display') ?? '';
const mode = params.get('mode') === 'div' ? 'div' : 'element';
// `sso`: the token the host website signed for its signed-in user, on every widget.
const sso = params.get('sso') ?? '';
const lang = params.get('lang');
if (lang) {
  document.documentElement.lang = lang;
}

window.civiqueEvents = [];
for (const type of ['civique:vote', 'civique:comment', 'civique:error', 'civique:proposal', 'civique:support', 'civique:threshold']) {
  document.addEventListener(type, (event) => {
    window.civiqueEvents.push({ type, detail: event.detail });
  });
}

const WIDGETS = 'civique-poll, [data-civique-poll], civique-comments, [data-civique-comments], civique-proposals, [data-civique-proposals]';

function createWidget(kind, attribute, id) {
  const div = mode === 'div';
  const element = document.createElement(div ? 'div' : `civique-${kind}`);
  element.setAttribute(div ? `data-civique-${kind}` : attribute, id);
  if (sso) {
    element.setAttribute(div ? 'data-civique-sso' : 'sso', sso);
  }
  if (kind === 'proposals' && display) {
    element.setAttribute(div ? 'data-civique-display' : 'display', display);
  }
  return element;
}

function mountAll() {
  const container = document.getElementById('widgets');
  for (const [kind, attribute, id] of widgets) {
    container.append(createWidget(kind, attribute, id));
  }
  document.documentElement.dataset.hostReady = 'true';
}

document.getElementById('remove-first').addEventListener('click', () => {
  const first = document.querySelector(`#widgets :is(${WIDGETS})`);
  const status = document.getElementById('host-status');
  if (first) {
    first.remove();
    status.textContent = 'Premier sondage retiré.';
  } else {
    status.textContent = 'Aucun sondage à retirer.';
  }
});

if (document.readyState === 'complete') {
  mountAll();
} else {
  window.addEventListener('load', mountAll, { once: true });
}
