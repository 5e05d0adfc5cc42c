// The widgets on a host page with the strictest Content-Security-Policy a town may set
// (www/tests/strict.html): its own files, plus the endpoint's scripts, wasm and API; no
// inline script or style, no eval. Everything must work and nothing may be refused.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import {
  WWW, createBox, createPoll, createThread, eventually, useBrowser, waitReady, widget, widgetText,
} from './support.mjs';

const browser = useBrowser();

describe('a host page with a strict Content-Security-Policy', () => {
  test('polls, threads and boxes work and the browser refuses nothing', async () => {
    const poll = await createPoll({ results_visibility: 'always' });
    const thread = await createThread();
    const box = await createBox({ mode: 'questions', categories: [] });
    const page = await browser.resident();
    const refused = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
    });
    await page.addInitScript(() => {
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (event) => {
        window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    const query = new URLSearchParams({ polls: poll.id, threads: thread.id, boxes: box.id, lang: 'fr' });
    await page.goto(`${WWW}tests/strict.html?${query}`);
    await waitReady(page, 3);
    const states = await page.evaluate(() => [...document.querySelectorAll('#widgets > *')]
      .map((host) => host.shadowRoot.querySelector('.civique-poll, .civique-comments, .civique-proposals').dataset.state));
    assert.deepEqual(states.filter((state) => state === 'failed'), [], `states: ${states}`);

    // The stylesheet applies (it comes from the endpoint as a constructed sheet).
    const styled = await widget(page, 0).evaluate((host) => host.shadowRoot.adoptedStyleSheets.length);
    assert.equal(styled, 1);

    const w = widget(page, 0);
    await w.getByRole('radio', { name: 'Samedi' }).check();
    await w.getByRole('button', { name: 'Voter' }).click();
    await eventually(async () => assert.match(await widgetText(w), /1 participant/));

    const form = widget(page, 1).locator('form.civique-composer').first();
    await form.getByLabel('Votre nom').fill('Camille');
    await form.getByLabel('Votre commentaire').fill('Sous CSP stricte');
    await form.getByRole('button', { name: 'Publier' }).click();
    await widget(page, 1).getByText('Sous CSP stricte').waitFor();

    // "Mes données" fetches the export and offers it as a blob: download.
    await w.locator('summary', { hasText: 'Mes données' }).click();
    await w.getByText(/1 vote, 1 commentaire/).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      w.getByRole('link', { name: /Télécharger mes données/ }).click(),
    ]);
    const exported = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert.equal(exported.comments[0].text, 'Sous CSP stricte');

    assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
    assert.deepEqual(refused, []);
  });
});
