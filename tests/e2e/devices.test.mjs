// Device tokens: a resident's first act earns this device's participant token by solving the
// endpoint's proof of work in the page (the browser's SHA-256, in batches), once; reading
// asks for none. A failed proof loses nothing: the choice stays, and the next try works.
// Keyboard only, axe on every state. Prints how long the proof takes at the endpoint's
// difficulty on a mid-range phone (4x CPU throttling), as measured, never asserted.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createPoll, eventually, expectNoAxeViolations, openHost, resultLines, useBrowser, voteFor, widget } from './support.mjs';

const browser = useBrowser();

/** The page's requests to the device routes, as `METHOD path`. */
function deviceRequests(page) {
  const seen = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.includes('/api/v1/devices') && r.method() !== 'OPTIONS') seen.push(`${r.method()} ${path}`);
  });
  return seen;
}

const storedToken = (page) => page.evaluate(() => Object.entries(localStorage).find(([k]) => k.startsWith('civique:participant:'))?.[1]);

describe('device tokens', () => {
  test('the first vote earns the device token once, on a phone-speed CPU, and reading asks for none', async () => {
    const poll = await createPoll();
    const page = await browser.resident();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    const seen = deviceRequests(page);
    await openHost(page, { polls: [poll.id] });
    assert.deepEqual(seen, [], 'viewing earns nothing');
    assert.equal(await storedToken(page), undefined);

    const started = Date.now();
    await voteFor(page, 'Samedi');
    const w = widget(page);
    await w.getByRole('status').filter({ hasText: 'Votre vote est enregistré' }).waitFor({ timeout: 30_000 });
    const took = Date.now() - started;
    const { maxnumber } = await (await fetch(new URL('api/v1/devices/challenge', process.env.CIVIQUE_ENDPOINT), { headers: { origin: new URL(process.env.CIVIQUE_WWW).origin } })).json();
    // The worst case: every number tried, as the loader tries them (256 digests at a time).
    const worst = await page.evaluate(async (max) => {
      const started = performance.now();
      for (let from = 0; from <= max; from += 256) {
        const batch = [];
        for (let n = from; n < from + 256 && n <= max; n++) batch.push(crypto.subtle.digest('SHA-256', new TextEncoder().encode(`salt.${n}`)));
        (await Promise.all(batch)).map((h) => Array.from(new Uint8Array(h), (b) => b.toString(16).padStart(2, '0')).join(''));
      }
      return Math.round(performance.now() - started);
    }, maxnumber);
    console.log(`proof of work at maxnumber ${maxnumber}, 4x CPU throttling: first vote ${took} ms; every number tried ${worst} ms (about half on average)`);
    assert.deepEqual(seen, ['GET /api/v1/devices/challenge', 'POST /api/v1/devices']);
    assert.match(await storedToken(page), /^d[0-9a-f]{64}$/);
    await expectNoAxeViolations(page, 'poll voted after a proof of work');

    await voteFor(page, 'Dimanche');
    await eventually(async () => assert.match((await resultLines(w))[1], /Dimanche.*1 vote.*100/));
    assert.equal(seen.length, 2, 'the token is earned once');
  });

  test('a failed proof keeps the choice, says why, and the next try votes', async () => {
    const poll = await createPoll();
    const page = await browser.resident();
    const refuse = (route) =>
      route.fulfill({
        status: 403,
        contentType: 'application/json',
        headers: { 'access-control-allow-origin': new URL(process.env.CIVIQUE_WWW).origin },
        body: JSON.stringify({ error: { code: 'proof_refused', message: 'the proof of work does not solve this endpoint\'s challenge' } }),
      });
    await openHost(page, { polls: [poll.id] });
    const w = widget(page);
    // No answer at all (offline): the resident is told so.
    const cut = (route) => route.abort();
    await page.route('**/api/v1/devices/challenge', cut);
    await voteFor(page, 'Lundi');
    await w.getByText('Le service de consultation est injoignable. Vérifiez votre connexion puis réessayez.').waitFor();
    assert.equal(await w.getByRole('radio', { name: 'Lundi' }).isChecked(), true, 'the choice stays offline');
    await expectNoAxeViolations(page, 'poll after a proof of work without an answer');
    await page.unroute('**/api/v1/devices/challenge', cut);

    // A refused proof: the generic message.
    await page.route('**/api/v1/devices', refuse);
    await w.getByRole('button', { name: 'Voter' }).focus();
    await page.keyboard.press('Enter');
    await w.getByText('Une erreur est survenue. Réessayez.').waitFor();
    assert.equal(await w.getByRole('radio', { name: 'Lundi' }).isChecked(), true, 'the choice stays');
    assert.equal(await storedToken(page), undefined, 'no token kept');
    await expectNoAxeViolations(page, 'poll after a failed proof of work');

    await page.unroute('**/api/v1/devices', refuse);
    await w.getByRole('button', { name: 'Voter' }).focus();
    await page.keyboard.press('Enter');
    await w.getByRole('status').filter({ hasText: 'Votre vote est enregistré' }).waitFor();
    await eventually(async () => assert.match((await resultLines(w))[2], /Lundi.*1 vote.*100/));
  });
});
