// The poll widget end to end: a real browser, the real endpoint, the town's pages.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DAY, ENDPOINT, WWW, createPoll, eventually, iso, openHost, resultLines, useBrowser, waitReady, widget,
  widgetText,
} from './support.mjs';

const browser = useBrowser();

describe('voting', () => {
  test('a resident votes, sees results, then changes their vote', async () => {
    const poll = await createPoll({ results_visibility: 'always' });
    const page = await browser.resident();
    await openHost(page, { polls: [poll.id] });
    const w = widget(page);
    await w.getByRole('radio', { name: 'Samedi' }).check();
    await w.getByRole('button', { name: 'Voter' }).click();
    await w.getByRole('status').filter({ hasText: 'Votre vote est enregistré' }).waitFor();
    await eventually(async () => assert.match((await resultLines(w))[0], /Samedi.*1 vote.*100/));

    await w.getByRole('radio', { name: 'Dimanche' }).check();
    await w.getByRole('button', { name: 'Modifier mon vote' }).click();
    await eventually(async () => {
      const lines = await resultLines(w);
      assert.match(lines[0], /Samedi.*0 vote/);
      assert.match(lines[1], /Dimanche.*1 vote.*100/);
    });
    // The change survives a reload: the participant token stays in the host site's localStorage.
    await page.reload();
    await waitReady(page);
    assert.equal(await w.getByRole('radio', { name: 'Dimanche' }).isChecked(), true);
    assert.deepEqual(page.uncaught, []);
  });

  test('multiple choice lets the resident pick up to the maximum', async () => {
    const poll = await createPoll({
      kind: 'multiple', max_choices: 2, options: ['Bancs', 'Fontaine', 'Jeux', 'Kiosque'],
    });
    const page = await browser.resident();
    await openHost(page, { polls: [poll.id] });
    const w = widget(page);
    await w.getByText('Jusqu’à 2 choix').or(w.getByText("Jusqu'à 2 choix")).waitFor();
    for (const name of ['Bancs', 'Fontaine', 'Jeux']) await w.getByRole('checkbox', { name }).check();
    await w.getByRole('button', { name: 'Voter' }).click();
    // Too many: the server refuses, the widget explains, and nothing the resident ticked is lost.
    await w.getByRole('alert').filter({ hasText: 'au plus 2' }).waitFor();
    for (const name of ['Bancs', 'Fontaine', 'Jeux']) {
      assert.equal(await w.getByRole('checkbox', { name }).isChecked(), true);
    }
    await w.getByRole('checkbox', { name: 'Jeux' }).uncheck();
    await w.getByRole('button', { name: 'Voter' }).click();
    await w.getByRole('status').filter({ hasText: 'Votre vote est enregistré' }).waitFor();
    const events = await page.evaluate(() => window.civiqueEvents.map((e) => e.type));
    assert.deepEqual(events, ['civique:error', 'civique:vote']);
  });

  test('results reach a second page live, without reloading', async () => {
    const poll = await createPoll({ results_visibility: 'always' });
    const watcher = await browser.resident();
    await openHost(watcher, { polls: [poll.id] });
    const voter = await browser.resident();
    await openHost(voter, { polls: [poll.id] });
    await widget(voter).getByRole('radio', { name: 'Lundi' }).check();
    await widget(voter).getByRole('button', { name: 'Voter' }).click();
    await eventually(async () => assert.match((await resultLines(widget(watcher)))[2], /Lundi.*1 vote/), 5_000);
    await eventually(async () => assert.match(await widgetText(widget(watcher)), /1 participant/), 5_000);
  });
});

describe('poll states', () => {
  test('a closed poll shows final results and no form', async () => {
    const poll = await createPoll({ opens_at: iso(-20 * DAY), closes_at: iso(-DAY), results_visibility: 'after_close' });
    const page = await browser.resident();
    await openHost(page, { polls: [poll.id] });
    const w = widget(page);
    await w.getByText('Ce sondage est clos').waitFor();
    assert.equal(await w.getByRole('radio').count(), 0);
    assert.equal(await w.getByRole('button', { name: 'Voter' }).count(), 0);
    assert.equal((await resultLines(w)).length, 3);
  });

  test('a poll not yet open says when it opens', async () => {
    const poll = await createPoll({ opens_at: '2031-03-01T17:00:00Z', closes_at: '2031-04-01T17:00:00Z' });
    const page = await browser.resident();
    await openHost(page, { polls: [poll.id] });
    await widget(page).getByText(/ouvrira le .*2031/).waitFor();
    assert.equal(await widget(page).getByRole('radio').count(), 0);
  });

  test('results after voting stay hidden until this resident has voted', async () => {
    const poll = await createPoll({ results_visibility: 'after_vote' });
    const page = await browser.resident();
    await openHost(page, { polls: [poll.id] });
    const w = widget(page);
    await w.getByText('Les résultats s’afficheront après votre vote').or(w.getByText("Les résultats s'afficheront après votre vote")).waitFor();
    assert.equal((await resultLines(w)).length, 0);
    await w.getByRole('radio', { name: 'Samedi' }).check();
    await w.getByRole('button', { name: 'Voter' }).click();
    await eventually(async () => assert.equal((await resultLines(w)).length, 3));
  });

  test('results after closing stay hidden while the poll is open, even after voting', async () => {
    const poll = await createPoll({ results_visibility: 'after_close' });
    const page = await browser.resident();
    await openHost(page, { polls: [poll.id] });
    const w = widget(page);
    await w.getByText(/publiés à la clôture/).waitFor();
    await w.getByRole('radio', { name: 'Samedi' }).check();
    await w.getByRole('button', { name: 'Voter' }).click();
    await w.getByRole('status').filter({ hasText: 'Votre vote est enregistré' }).waitFor();
    assert.equal((await resultLines(w)).length, 0);
  });

  test('an unknown poll says so', async () => {
    const page = await browser.resident();
    await openHost(page, { polls: ['sondage-inexistant'] });
    await widget(page).getByText("Ce sondage n'existe pas").or(widget(page).getByText('Ce sondage n’existe pas')).waitFor();
  });

  test('English when the page says lang="en"', async () => {
    const poll = await createPoll({ results_visibility: 'always' });
    const page = await browser.resident();
    await openHost(page, { polls: [poll.id], lang: 'en' });
    const w = widget(page);
    await w.getByRole('radio', { name: 'Samedi' }).check();
    await w.getByRole('button', { name: 'Vote' }).click();
    await w.getByRole('status').filter({ hasText: 'Your vote has been recorded' }).waitFor();
    await w.getByRole('button', { name: 'Change my vote' }).waitFor();
  });
});

describe('failures', () => {
  test('a failed vote keeps the choice and can be retried', async () => {
    const poll = await createPoll();
    const page = await browser.resident();
    await openHost(page, { polls: [poll.id] });
    const w = widget(page);
    let failNext = true;
    await page.route(`${ENDPOINT}api/v1/polls/${poll.id}/vote`, (route) => {
      if (failNext) {
        failNext = false;
        return route.abort('connectionrefused');
      }
      return route.continue();
    });
    await w.getByRole('radio', { name: 'Dimanche' }).check();
    await w.getByRole('button', { name: 'Voter' }).click();
    await w.getByRole('alert').filter({ hasText: 'injoignable' }).waitFor();
    assert.equal(await w.getByRole('radio', { name: 'Dimanche' }).isChecked(), true);
    await w.getByRole('button', { name: 'Voter' }).click();
    await w.getByRole('status').filter({ hasText: 'Votre vote est enregistré' }).waitFor();
    await eventually(async () => assert.match((await resultLines(w))[1], /Dimanche.*1 vote/));
  });

  test('an unreachable endpoint is said, and "Réessayer" recovers', async () => {
    const poll = await createPoll();
    const page = await browser.resident();
    await page.route(`${ENDPOINT}api/v1/polls/${poll.id}`, (route) => route.abort('connectionrefused'));
    // The whole endpoint is unreachable: its live stream too (each time that stream opens,
    // the widget reloads the poll, which would race the click below).
    await page.route(`${ENDPOINT}api/v1/polls/${poll.id}/events**`, (route) => route.abort('connectionrefused'));
    await openHost(page, { polls: [poll.id] });
    const w = widget(page);
    await w.getByRole('alert').filter({ hasText: 'injoignable' }).waitFor();
    await page.unroute(`${ENDPOINT}api/v1/polls/${poll.id}`);
    await w.getByRole('button', { name: 'Réessayer' }).click();
    await w.getByRole('radio', { name: 'Samedi' }).waitFor();
  });

  test('a vote on a poll that closed meanwhile is refused with a clear message', async () => {
    const poll = await createPoll({ opens_at: iso(-DAY), closes_at: iso(4_000) });
    const page = await browser.resident();
    await openHost(page, { polls: [poll.id] });
    const w = widget(page);
    await w.getByRole('radio', { name: 'Samedi' }).check();
    await page.waitForTimeout(Math.max(0, Date.parse(poll.closes_at) - Date.now() + 1_000));
    await w.getByRole('button', { name: 'Voter' }).click();
    await w.getByText('Ce sondage est clos').waitFor();
  });
});

describe('embedding', () => {
  test('two polls on one page work independently; removing one unmounts it', async () => {
    const first = await createPoll({ question: 'Premier sondage ?' });
    const second = await createPoll({ question: 'Second sondage ?', options: ['Oui', 'Non'] });
    const page = await browser.resident();
    await openHost(page, { polls: [first.id, second.id], mode: 'div' });
    await widget(page, 1).getByRole('radio', { name: 'Oui' }).check();
    await widget(page, 1).getByRole('button', { name: 'Voter' }).click();
    await widget(page, 1).getByRole('status').filter({ hasText: 'Votre vote est enregistré' }).waitFor();
    assert.equal(await widget(page, 0).getByRole('status').filter({ hasText: 'Votre vote est enregistré' }).count(), 0);
    assert.equal(await widget(page, 0).getByRole('button', { name: 'Voter' }).count(), 1);

    const removed = await page.evaluateHandle(() => document.querySelector('[data-civique-poll]'));
    await page.getByRole('button', { name: 'Retirer le premier sondage' }).click();
    await page.waitForFunction((el) => !el.isConnected && el.shadowRoot.childElementCount === 0, removed);
    await widget(page, 0).getByRole('radio', { name: 'Non' }).check();
    await widget(page, 0).getByRole('button', { name: 'Modifier mon vote' }).click();
    await widget(page, 0).getByRole('status').filter({ hasText: 'Votre vote est enregistré' }).waitFor();
  });

  test('hostile host CSS and a strict CSP leave the widget intact', async () => {
    const page = await browser.resident();
    const cspErrors = [];
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text()); });
    await page.goto(`${WWW}tests/hostile.html`);
    await waitReady(page);
    const w = widget(page);
    const look = await w.evaluate((host) => {
      const root = host.shadowRoot;
      const style = (sel) => getComputedStyle(root.querySelector(sel));
      return {
        button: style('button').display,
        input: style('input').opacity,
        fontSize: parseFloat(style('.civique-poll').fontSize),
        transform: style('.civique-poll').textTransform,
        color: style('.civique-poll').color,
      };
    });
    assert.notEqual(look.button, 'none');
    assert.equal(look.input, '1');
    assert.ok(look.fontSize >= 14, `font size ${look.fontSize}px`);
    assert.equal(look.transform, 'none');
    assert.notEqual(look.color, 'rgb(255, 0, 255)');
    await w.getByRole('radio').first().check();
    await w.getByRole('button', { name: /Voter|Modifier mon vote/ }).click();
    await w.getByRole('status').filter({ hasText: 'Votre vote est enregistré' }).waitFor();
    assert.deepEqual(cspErrors, []);
  });

  test('the demo town pages load their polls, including the <div> form', async () => {
    const page = await browser.resident();
    await page.goto(`${WWW}projet-place-centrale.html`);
    // Four polls and the page's comment thread: waiting for four widgets could leave a poll
    // still loading.
    await waitReady(page, 5);
    const states = await page.evaluate(() => [...document.querySelectorAll('civique-poll, [data-civique-poll]')]
      .map((h) => h.shadowRoot.querySelector('.civique-poll').dataset.state));
    assert.deepEqual(states, ['ready', 'ready', 'ready', 'ready']);
  });
});
