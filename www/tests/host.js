// Generic end-to-end test host: builds widgets from the query string after `load`, so
// the loader sees them arrive dynamically, and records every civique DOM event.
const params = new URLSearchParams(window.location.search);
const ids = (params.get('polls') ?? '')
  .split(',')
  .map((id) => id.trim())
  .filter(Boolean);
const mode = params.get('mode') === 'div' ? 'div' : 'element';
const lang = params.get('lang');
if (lang) {
  document.documentElement.lang = lang;
}

window.civiqueEvents = [];
for (const type of ['civique:vote', 'civique:error']) {
  document.addEventListener(type, (event) => {
    window.civiqueEvents.push({ type, detail: event.detail });
  });
}

const WIDGETS = 'civique-poll, [data-civique-poll]';

function createWidget(id) {
  if (mode === 'div') {
    const div = document.createElement('div');
    div.dataset.civiquePoll = id;
    return div;
  }
  const element = document.createElement('civique-poll');
  element.setAttribute('poll', id);
  return element;
}

function mountAll() {
  const container = document.getElementById('widgets');
  for (const id of ids) {
    container.append(createWidget(id));
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
