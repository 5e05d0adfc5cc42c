// Live updates cost viewers nothing: what changes travels with the event, and a widget
// applies it without asking the endpoint again.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ENDPOINT, api, card, createBox, createPoll, createThread, eventually, openHost, postComment,
  resultLines, submitProposal, supportFrom, token, useBrowser, widget, widgetText,
} from './support.mjs';

const browser = useBrowser();

/** The requests `page` sends to the endpoint's API, event streams left out, from now on. */
function apiRequests(page) {
  const seen = [];
  page.on('request', (request) => {
    const url = request.url();
    if (url.startsWith(`${ENDPOINT}api/`) && !url.endsWith('/events')) seen.push(`${request.method()} ${url}`);
  });
  return seen;
}

describe('live, without requests', () => {
  test('a poll viewer follows votes from the events alone', async () => {
    const poll = await createPoll({ results_visibility: 'always' });
    const page = await browser.resident();
    await openHost(page, { polls: [poll.id] });
    const w = widget(page);
    await eventually(async () => assert.match(await widgetText(w), /0 participant/));
    // Let the stream open (and its first catch-up finish) before counting.
    await page.waitForTimeout(500);
    const requests = apiRequests(page);
    for (let i = 0; i < 5; i += 1) {
      await api('PUT', `polls/${poll.id}/vote`, { body: { choices: [poll.options[i % 2].id] }, token: await token() });
    }
    await eventually(async () => assert.match(await widgetText(w), /5 participants/));
    await eventually(async () => assert.match((await resultLines(w))[0], /Samedi.*3 votes/));
    assert.deepEqual(requests, [], 'the viewer asked the endpoint nothing');
  });

  test('a thread viewer sees an edit and a removal from the events alone', async () => {
    const thread = await createThread();
    const author = await token();
    const comment = await postComment(thread.id, 'Premier jet', { token: author });
    const page = await browser.resident();
    await openHost(page, { threads: [thread.id] });
    const w = widget(page);
    await w.getByText('Premier jet').waitFor();
    await page.waitForTimeout(500);
    const requests = apiRequests(page);
    await api('PATCH', `comments/${comment.id}`, { body: { text: 'Version **relue**' }, token: author });
    await w.locator('strong', { hasText: 'relue' }).waitFor();
    await api('POST', `admin/comments/${comment.id}/moderation`, { body: { action: 'hide' }, staff: true });
    await eventually(async () => assert.doesNotMatch(await widgetText(w), /Version relue/));
    assert.deepEqual(requests, [], 'the viewer asked the endpoint nothing');
  });

  test('a box viewer sees supports counted and the list re-sorted from the events alone', async () => {
    const box = await createBox({ mode: 'questions', categories: [] });
    const first = await submitProposal(box, { title: 'Quand rouvre la piscine ?' });
    const second = await submitProposal(box, { title: 'Où garer les vélos ?' });
    const page = await browser.resident();
    await openHost(page, { boxes: [box.id] });
    const w = widget(page);
    await card(w, second.title).waitFor();
    await page.waitForTimeout(500);
    const requests = apiRequests(page);
    await supportFrom(second, 2);
    await eventually(async () => assert.match(await card(w, second.title).innerText(), /2/));
    await eventually(async () => {
      const titles = await w.getByRole('heading', { level: 3 }).allInnerTexts();
      assert.deepEqual(titles, [second.title, first.title]);
    });
    assert.deepEqual(requests, [], 'the viewer asked the endpoint nothing');
  });
});

describe('after a dropped stream', () => {
  test('a poll viewer catches up with one request once its stream is back', async () => {
    const poll = await createPoll({ results_visibility: 'always' });
    const page = await browser.resident();
    // Keeps the page's event streams at hand, to break one as a network failure would
    // (closed by the browser, then an error event).
    await page.addInitScript(() => {
      const Native = window.EventSource;
      window.civiqueStreams = [];
      window.EventSource = class extends Native {
        constructor(...args) {
          super(...args);
          window.civiqueStreams.push(this);
        }
      };
    });
    await openHost(page, { polls: [poll.id] });
    const w = widget(page);
    await eventually(async () => assert.match(await widgetText(w), /0 participant/));
    await page.waitForTimeout(500);
    await page.evaluate(() => {
      for (const stream of window.civiqueStreams) {
        stream.close();
        stream.dispatchEvent(new Event('error'));
      }
    });
    // Votes while the stream is down reach the page by no event.
    for (let i = 0; i < 3; i += 1) {
      await api('PUT', `polls/${poll.id}/vote`, { body: { choices: [poll.options[0].id] }, token: await token() });
    }
    const requests = apiRequests(page);
    await eventually(async () => assert.match(await widgetText(w), /3 participants/), 20_000);
    await page.waitForTimeout(1000);
    assert.deepEqual(requests, [`GET ${ENDPOINT}api/v1/polls/${poll.id}`], 'one catch-up read');
    assert.equal(await page.evaluate(() => window.civiqueStreams.length), 2, 'one new stream');
  });
});

describe('a first view', () => {
  test('a reader writes nothing and sends only CORS-simple reads; acting makes the token', async () => {
    const poll = await createPoll({ results_visibility: 'always' });
    const thread = await createThread();
    await postComment(thread.id, 'Bonjour');
    const box = await createBox();
    await submitProposal(box, { title: 'Des bancs' });
    const page = await browser.resident();
    const sent = [];
    page.on('request', (request) => {
      if (request.url().startsWith(`${ENDPOINT}api/`)) sent.push(request);
    });
    await openHost(page, { polls: [poll.id], threads: [thread.id], boxes: [box.id] });
    await widget(page, 1).getByText('Bonjour').waitFor();
    const stored = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('civique:participant')));
    assert.deepEqual(await stored(), [], 'no token for a reader');
    assert.ok(sent.length >= 3, `${sent.length} reads`);
    for (const request of sent) {
      assert.equal(request.method(), 'GET', request.url());
      assert.equal(request.headers()['x-civique-participant'], undefined, request.url());
    }
    await widget(page).getByRole('radio', { name: 'Dimanche' }).check();
    await widget(page).getByRole('button', { name: 'Voter' }).click();
    await widget(page).getByRole('status').filter({ hasText: 'Votre vote est enregistré' }).waitFor();
    assert.equal((await stored()).length, 1, 'voting made the token');
  });
});
