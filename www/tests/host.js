// Generic end-to-end test host: builds widgets from the query string after `load`, so
// the loader sees them arrive dynamically, and records every civique DOM event.
const params = new URLSearchParams(window.location.search);
const list = (name) => (params.get(name) ?? '')
  .split(',')
  .map((id) => id.trim())
  .filter(Boolean);
// Widgets to create, in order: polls first, then comment threads.
const widgets = [
  ...list('polls').map((id) => ['poll', 'poll', id]),
  ...list('threads').map((id) => ['comments', 'thread', id]),
];
const mode = params.get('mode') === 'div' ? 'div' : 'element';
const lang = params.get('lang');
if (lang) {
  document.documentElement.lang = lang;
}

window.civiqueEvents = [];
for (const type of ['civique:vote', 'civique:comment', 'civique:error']) {
  document.addEventListener(type, (event) => {
    window.civiqueEvents.push({ type, detail: event.detail });
  });
}

const WIDGETS = 'civique-poll, [data-civique-poll], civique-comments, [data-civique-comments]';

function createWidget(kind, attribute, id) {
  if (mode === 'div') {
    const div = document.createElement('div');
    div.setAttribute(`data-civique-${kind}`, id);
    return div;
  }
  const element = document.createElement(`civique-${kind}`);
  element.setAttribute(attribute, id);
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
