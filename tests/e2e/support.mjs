// Shared harness of the end-to-end tests: browser, admin API, host pages and axe checks.
//
// `cargo xtask test` starts civique-server (fresh SQLite file, demo content) and the www/
// static server on another origin, then runs `node --test tests/e2e/` with:
//   CIVIQUE_ENDPOINT    http://127.0.0.1:PORT/   (the endpoint, trailing slash)
//   CIVIQUE_WWW         http://127.0.0.1:PORT/   (the town website)
//   CIVIQUE_ADMIN_TOKEN the endpoint's admin token
//   CIVIQUE_SSO_SECRET  the demo site's site account secret (its website signs with it)
//   CHROMIUM_PATH       Debian's chromium
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

export const ENDPOINT = must('CIVIQUE_ENDPOINT');
export const WWW = must('CIVIQUE_WWW');
/** The demo town's page origin: what a browser sends as `Origin`, which every resident change needs. */
const PAGE_ORIGIN = new URL(WWW).origin;
const ADMIN_TOKEN = must('CIVIQUE_ADMIN_TOKEN');
const AXE_SOURCE = require('node:fs').readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

function must(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the end-to-end tests with \`cargo xtask test\``);
  return value;
}

/** One browser for the whole file; a fresh context (fresh localStorage = new resident) per `resident()`. */
export function useBrowser() {
  const state = { browser: null };
  before(async () => {
    state.browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
  });
  after(async () => { await state.browser?.close(); });
  return {
    /** A new resident: own browser context (with these Playwright `options`), so own participant token. */
    async resident(options = {}) {
      const context = await state.browser.newContext(options);
      const page = await context.newPage();
      page.uncaught = [];
      page.on('pageerror', (err) => page.uncaught.push(err));
      return page;
    },
  };
}

let counter = 0;
/** A fresh poll id, unique to this run. */
export function uniqueId(prefix) {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

const iso = (offsetMs) => new Date(Date.now() + offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
export const DAY = 24 * 3600 * 1000;

/** Calls the REST API (as staff with `staff`, as a resident with `token`) and returns the JSON answer (asserting `status`). */
export async function api(method, path, { body, token, staff = false, status = 200 } = {}) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (staff) headers.authorization = `Bearer ${ADMIN_TOKEN}`;
  if (token) headers['x-civique-participant'] = token;
  if (!staff) headers.origin = PAGE_ORIGIN;
  const response = await fetch(`${ENDPOINT}api/v1/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  assert.equal(response.status, status, `${method} ${path}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/** POSTs `body` to the admin API and returns the JSON answer (asserting `status`). */
export async function admin(path, body, status = 201) {
  return api('POST', `admin/${path}`, { body, staff: true, status });
}

/** A fresh device's participant token, earned as the widget earns it: the endpoint's
 * proof-of-work challenge solved (here with Node's SHA-256). */
export async function token() {
  const challenge = await api('GET', 'devices/challenge');
  const { salt, maxnumber } = challenge;
  let number = 0;
  while (number <= maxnumber && createHash('sha256').update(`${salt}${number}`).digest('hex') !== challenge.challenge) number += 1;
  const body = { salt, number, signature: challenge.signature };
  return (await api('POST', 'devices', { body, status: 201 })).participant;
}

/** Creates a comment thread on the demo site and returns its ThreadView. */
export async function createThread(fields = {}) {
  return admin('threads', { id: uniqueId('thread'), site_id: 'saint-exemple', title: 'Discussion de test', ...fields });
}

/** Posts a comment as a resident with its own token, straight to the API. */
export async function postComment(thread, text, { name = 'Voisin', parent_id, token: given } = {}) {
  const response = await fetch(`${ENDPOINT}api/v1/threads/${thread}/comments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: PAGE_ORIGIN, 'x-civique-participant': given ?? (await token()) },
    body: JSON.stringify({ author_name: name, text, parent_id }),
  });
  assert.equal(response.status, 201, await response.clone().text());
  return response.json();
}

/** Chooses `answer` in the first poll widget and votes, with the keyboard only. */
export async function voteFor(page, answer) {
  const w = widget(page);
  await w.getByRole('radio', { name: answer }).focus();
  await page.keyboard.press('Space');
  await w.getByRole('button', { name: /^(Voter|Modifier mon vote)$/ }).focus();
  await page.keyboard.press('Enter');
}

/** Creates a poll on the demo site through the admin API and returns its PollView. */
export async function createPoll(fields = {}) {
  const body = {
    id: uniqueId('poll'),
    site_id: 'saint-exemple',
    question: 'Quel jour pour la fête de quartier ?',
    kind: 'single',
    options: ['Samedi', 'Dimanche', 'Lundi'],
    results_visibility: 'always',
    closes_at: iso(10 * DAY),
    ...fields,
  };
  const response = await fetch(`${ENDPOINT}api/v1/admin/polls`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 201, `creating poll ${body.id}: ${await response.clone().text()}`);
  return response.json();
}
export { iso };

/** Opens the generic test host page with these polls, comment threads and proposal boxes. */
export async function openHost(page, { polls = [], threads = [], boxes = [], lang = 'fr', mode = 'element', display = '', sso = '', hash = '' }) {
  const query = new URLSearchParams({ polls: polls.join(','), threads: threads.join(','), boxes: boxes.join(','), lang, mode, display, sso });
  await page.goto(`${WWW}tests/host.html?${query}${hash}`);
  await waitReady(page, polls.length + threads.length + boxes.length);
}

const HOSTS = 'civique-poll, [data-civique-poll], civique-comments, [data-civique-comments], civique-proposals, [data-civique-proposals]';
const ROOTS = '.civique-poll, .civique-comments, .civique-proposals';

/** Waits until `count` widgets have loaded (or failed to). */
export async function waitReady(page, count = 1) {
  await page.waitForFunction(([n, hosts, roots]) => {
    const found = [...document.querySelectorAll(hosts)].map((h) => h.shadowRoot?.querySelector(roots));
    return found.filter((r) => r && r.dataset.state !== 'loading').length >= n;
  }, [count, HOSTS, ROOTS], { timeout: 20_000 });
}

/** The n-th widget on the page, as a locator scoped to it (role locators pierce its shadow root). */
export function widget(page, n = 0) {
  return page.locator(HOSTS).nth(n);
}

/** Runs axe-core on the page (shadow roots included) and fails with a readable list of violations. */
export async function expectNoAxeViolations(page, label) {
  const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!hasAxe) await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return result.violations.map((v) => ({
      id: v.id,
      help: v.help,
      nodes: v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary}`),
    }));
  }, AXE_TAGS);
  assert.deepEqual(violations, [], `axe violations (${label}):\n${JSON.stringify(violations, null, 2)}`);
}

/** Everything the widget shows, as text (a shadow host's own innerText is empty). */
export async function widgetText(widgetLocator) {
  return widgetLocator.evaluate((host) => host.shadowRoot.textContent);
}

/** Text of the widget's results list items. */
export async function resultLines(widgetLocator) {
  return widgetLocator.locator('.civique-results li').allInnerTexts();
}

/** "tag:label-or-text" of the element that has focus, through shadow roots. */
export function focused(page) {
  return page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el ? `${el.tagName.toLowerCase()}:${el.labels?.[0]?.innerText ?? el.innerText}` : '';
  });
}

/** Waits (up to 5 s) until the focus matches `pattern`: focus moves after a render. */
export async function expectFocus(page, pattern, message) {
  for (let i = 0; i < 50 && !pattern.test(await focused(page)); i += 1) await page.waitForTimeout(100);
  assert.match(await focused(page), pattern, message);
}

/** Presses `key` until the focus matches `pattern`. */
export async function tabTo(page, pattern, key = 'Tab') {
  for (let i = 0; i < 60 && !pattern.test(await focused(page)); i += 1) await page.keyboard.press(key);
  assert.match(await focused(page), pattern);
}

/** Creates a proposal box on the demo site and returns its BoxView. */
export async function createBox(fields = {}) {
  return admin('boxes', {
    id: uniqueId('box'),
    site_id: 'saint-exemple',
    title: 'Vos idées pour le centre-ville',
    mode: 'ideas',
    categories: [
      { id: 'mobilite', label: 'Mobilité' },
      { id: 'nature', label: 'Nature en ville' },
    ],
    ...fields,
  });
}

/** Submits a proposal as a resident (a fresh one unless `token` is given) and returns its ProposalView. */
export async function submitProposal(box, fields = {}, as) {
  as ??= await token();
  const body = { title: 'Une idée', text: '', author_name: 'Voisine', ...fields };
  if (body.category === undefined && box.categories?.length) body.category = box.categories[0].id;
  return api('POST', `boxes/${box.id}/proposals`, { body, token: as, status: 201 });
}

/** Gives `count` supports to a proposal, each from a new resident. */
export async function supportFrom(proposal, count) {
  for (let i = 0; i < count; i += 1) await api('PUT', `proposals/${proposal.id}/support`, { token: await token() });
}

/** The proposal card whose title is `title`, in a proposals widget (a `has` locator is
 * resolved inside the outer one, so it starts from the page, not from the widget). */
export function card(w, title) {
  return w.locator('li').filter({ has: w.page().getByRole('heading', { level: 3, name: title }) });
}

/** The section of a widget headed `heading`. */
export function section(w, heading) {
  return w.locator('section').filter({ has: w.page().getByRole('heading', { name: heading }) });
}

/** Polls until `fn` stops throwing (the widget is asynchronous), then returns its value. */
export async function eventually(fn, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
