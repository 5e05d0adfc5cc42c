// "Mes données": a resident sees, downloads and erases what their device sent on the site,
// from the panel at the foot of any widget, with the keyboard only; axe on every state.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ENDPOINT, api, createBox, createPoll, createThread, eventually, expectFocus, expectNoAxeViolations, openHost,
  tabTo, useBrowser, widget, widgetText,
} from './support.mjs';

const browser = useBrowser();

/** The participant token the host page's localStorage holds, if any. */
function storedToken(page) {
  return page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith('civique:participant:'));
    return key ? localStorage.getItem(key) : null;
  });
}

async function voteAndComment(page, text) {
  const poll = widget(page, 0);
  await poll.getByRole('radio', { name: 'Samedi' }).check();
  await poll.getByRole('button', { name: 'Voter' }).click();
  await poll.getByRole('status').filter({ hasText: 'Votre vote est enregistré' }).waitFor();
  const form = widget(page, 1).locator('form.civique-composer').first();
  await form.getByLabel('Votre nom').fill('Dominique');
  await form.getByLabel('Votre commentaire').fill(text);
  await form.getByRole('button', { name: 'Publier' }).click();
  await widget(page, 1).getByText(text).waitFor();
}

describe('Mes données', () => {
  test('a resident downloads then erases their contributions with the keyboard only', async () => {
    const poll = await createPoll({ results_visibility: 'always' });
    const thread = await createThread();
    const page = await browser.resident();
    await openHost(page, { polls: [poll.id], threads: [thread.id] });
    await voteAndComment(page, 'Un avis à effacer');
    const token = await storedToken(page);
    assert.ok(token, 'acting stored a token');

    // From the poll's last button, the next stop is its "Mes données".
    const w = widget(page, 0);
    await w.getByRole('button', { name: 'Modifier mon vote' }).focus();
    await tabTo(page, /^summary:Mes données/);
    await page.keyboard.press('Enter');
    await w.getByText(/^Sur ce site, cet appareil a envoyé\s: 1 vote, 1 commentaire\.$/).waitFor();
    await expectNoAxeViolations(page, 'Mes données, shown');

    // The download is the endpoint's export, as a file of the resident's own.
    const link = w.getByRole('link', { name: 'Télécharger mes données (JSON)' });
    assert.equal(await link.getAttribute('download'), 'mes-donnees.json');
    const exported = await link.evaluate(async (a) => (await fetch(a.href)).json());
    assert.equal(exported.site_id, 'saint-exemple');
    assert.deepEqual(exported.ballots.map((b) => b.choices), [['Samedi']]);
    assert.equal(exported.comments[0].text, 'Un avis à effacer');

    // The erase button opens the confirmation and, pressed again, closes it: nothing lost.
    const erase = w.getByRole('button', { name: 'Effacer mes contributions…' });
    await tabTo(page, /^button:Effacer mes contributions/);
    await page.keyboard.press('Enter');
    await w.getByRole('button', { name: 'Oui, tout effacer' }).waitFor();
    assert.equal(await erase.getAttribute('aria-expanded'), 'true');
    await expectNoAxeViolations(page, 'Mes données, confirming');
    await page.keyboard.press('Enter');
    await w.getByRole('button', { name: 'Oui, tout effacer' }).waitFor({ state: 'hidden' });
    assert.equal(await erase.getAttribute('aria-expanded'), 'false');
    assert.equal(await storedToken(page), token);

    await page.keyboard.press('Enter');
    await tabTo(page, /^button:Oui, tout effacer/);
    await page.keyboard.press('Enter');
    await expectFocus(page, /^p:Vos contributions sur ce site sont effacées/, 'the outcome takes focus');
    await expectNoAxeViolations(page, 'Mes données, erased');

    // The comment is gone from the thread, the vote still counts but is no longer the
    // resident's, and the device forgot its token.
    await eventually(async () => assert.doesNotMatch(await widgetText(widget(page, 1)), /Un avis à effacer/));
    await eventually(async () => assert.equal(await w.getByRole('radio', { name: 'Samedi' }).isChecked(), false));
    assert.match(await widgetText(w), /1 participant/);
    assert.equal(await storedToken(page), null);
    const after = await api('GET', 'sites/saint-exemple/me', { token });
    assert.deepEqual(after.comments, []);
    assert.deepEqual(after.ballots, []);
    const views = await api('GET', `polls/${poll.id}`);
    assert.equal(views.results.voters, 1);
    assert.deepEqual(page.uncaught, []);
  });

  test("every widget links the site's privacy notice, which opens in a new window and passes axe", async () => {
    const [poll, thread, box] = [await createPoll(), await createThread(), await createBox()];
    // The endpoint's notice page allows no script: axe is injected past its policy.
    const page = await browser.resident({ bypassCSP: true });
    await openHost(page, { polls: [poll.id], threads: [thread.id], boxes: [box.id] });
    const notice = `${ENDPOINT}api/v1/sites/saint-exemple/privacy?lang=fr`;
    for (const n of [0, 1, 2]) {
      const link = widget(page, n).getByRole('link', { name: 'Confidentialité' });
      assert.equal(await link.getAttribute('href'), notice);
      assert.equal(await link.getAttribute('target'), '_blank');
      assert.equal(await link.getAttribute('title'), 'Confidentialité (nouvelle fenêtre)');
    }
    await expectNoAxeViolations(page, 'privacy links');

    // Right after "Mes données", with the keyboard.
    await widget(page, 0).locator('summary', { hasText: 'Mes données' }).focus();
    await page.keyboard.press('Tab');
    await expectFocus(page, /^a:Confidentialité$/, 'the privacy link follows "Mes données"');
    const [popup] = await Promise.all([page.context().waitForEvent('page'), page.keyboard.press('Enter')]);
    await popup.waitForLoadState();
    assert.equal(popup.url(), notice);
    assert.match(await popup.locator('h1').innerText(), /Ville de Saint-Exemple/);
    await popup.getByText(/12 mois après la clôture/).waitFor();
    await expectNoAxeViolations(popup, 'the endpoint privacy notice');

    const english = await browser.resident({ bypassCSP: true });
    await openHost(english, { polls: [poll.id], lang: 'en' });
    const link = widget(english).getByRole('link', { name: 'Privacy' });
    assert.equal(await link.getAttribute('href'), `${ENDPOINT}api/v1/sites/saint-exemple/privacy?lang=en`);
    await english.goto(await link.getAttribute('href'));
    await english.getByRole('heading', { level: 1, name: /Your personal data/ }).waitFor();
    await expectNoAxeViolations(english, 'the endpoint privacy notice, English');
  });

  test('a device that never acted is told so without any request', async () => {
    const poll = await createPoll();
    const box = await createBox();
    const page = await browser.resident();
    const asked = [];
    page.on('request', (request) => { if (/\/me$/.test(request.url())) asked.push(request.url()); });
    await openHost(page, { polls: [poll.id], boxes: [box.id], lang: 'en' });
    for (const n of [0, 1]) {
      const w = widget(page, n);
      await w.locator('summary', { hasText: 'My data' }).click();
      await w.getByText('This device has sent nothing on this site: there is nothing to erase.').waitFor();
    }
    await expectNoAxeViolations(page, 'My data, nothing sent, poll and box');
    assert.deepEqual(asked, []);
    assert.equal(await storedToken(page), null);
  });

  test('a failed erasure says so and keeps the token', async () => {
    const poll = await createPoll({ results_visibility: 'always' });
    const thread = await createThread();
    const page = await browser.resident();
    await openHost(page, { polls: [poll.id], threads: [thread.id] });
    await voteAndComment(page, 'Un avis gardé');
    const token = await storedToken(page);
    const w = widget(page, 1);
    await w.locator('summary', { hasText: 'Mes données' }).click();
    await w.getByRole('button', { name: 'Effacer mes contributions…' }).click();
    await page.route(`${ENDPOINT}api/v1/sites/**`, (route) => route.abort('connectionrefused'));
    await w.getByRole('button', { name: 'Oui, tout effacer' }).click();
    await w.getByRole('status').filter({ hasText: 'injoignable' }).waitFor();
    // The confirmation stays, to try again.
    await w.getByRole('button', { name: 'Oui, tout effacer' }).waitFor();
    await expectNoAxeViolations(page, 'Mes données, failed');
    assert.equal(await storedToken(page), token);
    assert.match(await widgetText(w), /Un avis gardé/);
  });
});
