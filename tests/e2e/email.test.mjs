// Verified e-mail addresses: a poll that counts one participation per address opens the
// e-mail form when a resident votes; the code mailed to them (a real SMTP server, its Maildir
// read here) lets the vote through with their choice intact; a wrong code is said and lets
// them try again; closing the form keeps their choice; the same address on a second device
// is the same voter. Keyboard only, axe on every state of the form.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  createPoll,
  eventually,
  expectFocus,
  expectNoAxeViolations,
  openHost,
  resultLines,
  useBrowser,
  voteFor,
  widget,
} from './support.mjs';

const browser = useBrowser();
const MAILDIR = process.env.CIVIQUE_MAILDIR;

/** The messages the endpoint sent to `address` so far, oldest first. */
function lettersTo(address) {
  const dir = join(MAILDIR, 'new');
  let names = [];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => join(dir, name))
    .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs || a.localeCompare(b))
    .map((path) => readFileSync(path, 'utf8'))
    .filter((text) => new RegExp(`^To: .*${address.replace(/[.]/g, '\\.')}`, 'mi').test(text));
}

/** The code of the `n`-th message (1-based) to `address`, waiting for it to arrive. */
async function code(address, n) {
  let letters = [];
  await eventually(async () => {
    letters = lettersTo(address);
    assert.ok(letters.length >= n, `message ${n} to ${address} (${letters.length} so far)`);
  });
  const subject = letters.map((text) => /^Subject: .*?(\d{6})\s*$/m.exec(text)?.[1]);
  assert.equal(subject.filter(Boolean).length, letters.length, 'every message names its code');
  return subject;
}

/** The e-mail form's dialog. */
const form = (page) => page.getByRole('dialog', { name: 'Vérifier votre adresse e-mail' });

/** Types `text` into the focused field, then presses Enter. */
async function typeAndSubmit(page, text) {
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

describe('verified e-mail addresses', () => {
  test('a resident verifies their address in the form and their vote counts, once per address', async () => {
    assert.ok(MAILDIR, 'CIVIQUE_MAILDIR is set by cargo xtask test');
    const poll = await createPoll({ participation: 'email' });
    const address = `marie.${process.pid}@exemple.fr`;

    const phone = await browser.resident();
    await openHost(phone, { polls: [poll.id] });
    await voteFor(phone, 'Samedi');
    const dialog = form(phone);
    await dialog.waitFor();
    await expectFocus(phone, /^input:Adresse e-mail/, 'the form opens on the address');
    await expectNoAxeViolations(phone, 'e-mail form, address');
    await typeAndSubmit(phone, address);

    await dialog.getByText(`Un code a été envoyé à ${address}.`).waitFor();
    await expectFocus(phone, /^input:Code reçu/, 'then on the code');
    const [sent] = await code(address, 1);
    // A wrong code is said; the form stays, with what was typed, for another try.
    await typeAndSubmit(phone, sent == '000000' ? '111111' : '000000');
    await dialog.getByRole('alert').filter({ hasText: 'Ce code ne correspond pas. Vérifiez-le, puis réessayez.' }).waitFor();
    await expectFocus(phone, /^input:Code reçu/, 'the refused code keeps the focus');
    assert.equal(await dialog.getByRole('textbox', { name: 'Code reçu (6 chiffres)' }).getAttribute('aria-invalid'), 'true');
    await expectNoAxeViolations(phone, 'e-mail form, wrong code');

    await phone.keyboard.press('Control+A');
    await typeAndSubmit(phone, sent);
    await dialog.waitFor({ state: 'detached' });
    const w = widget(phone);
    await w.getByRole('status').filter({ hasText: 'Votre vote est enregistré' }).waitFor();
    assert.equal(await w.getByRole('radio', { name: 'Samedi' }).isChecked(), true);
    await w.getByText('1 participant · 1 participation par adresse e-mail vérifiée').waitFor();
    await expectNoAxeViolations(phone, 'e-mail poll, voted');

    // The same address on a laptop: the same voter, whose vote changes.
    const laptop = await browser.resident();
    await openHost(laptop, { polls: [poll.id] });
    await voteFor(laptop, 'Dimanche');
    await form(laptop).waitFor();
    await typeAndSubmit(laptop, address.toUpperCase());
    await form(laptop).getByText(/^Un code a été envoyé/).waitFor();
    const [, second] = await code(address, 2);
    await laptop.keyboard.type(second);
    // This time the resident asks to be told of the town's answers: the address is kept,
    // and "Mes données" exports it.
    await laptop.keyboard.press('Tab');
    await expectFocus(laptop, /^input:Me prévenir par e-mail/, 'the opt-in follows the code');
    await laptop.keyboard.press('Space');
    await laptop.keyboard.press('Enter');
    const lw = widget(laptop);
    await eventually(async () => {
      const lines = await resultLines(lw);
      assert.match(lines[0], /Samedi.*0 vote/);
      assert.match(lines[1], /Dimanche.*1 vote.*100/);
    });
    await lw.getByText('1 participant · 1 participation par adresse e-mail vérifiée').waitFor();
    await lw.locator('summary', { hasText: 'Mes données' }).click();
    const download = lw.getByRole('link', { name: 'Télécharger mes données (JSON)' });
    await download.waitFor();
    const exported = await download.evaluate(async (a) => (await fetch(a.href)).json());
    assert.equal(exported.contact, address.toLowerCase());
    assert.deepEqual(exported.ballots.map((b) => b.choices), [['Dimanche']]);
  });

  test('closing the form keeps the choice and says what the poll needs', async () => {
    const poll = await createPoll({ participation: 'email' });
    const resident = await browser.resident();
    await openHost(resident, { polls: [poll.id] });
    await voteFor(resident, 'Lundi');
    await form(resident).waitFor();
    await resident.keyboard.press('Escape');
    await form(resident).waitFor({ state: 'detached' });
    const w = widget(resident);
    await w.getByText('Cette consultation demande une adresse e-mail vérifiée.').waitFor();
    assert.equal(await w.getByRole('radio', { name: 'Lundi' }).isChecked(), true);
    await expectFocus(resident, /^button:Voter/, 'the focus goes back to the vote button');
    await expectNoAxeViolations(resident, 'e-mail poll, form closed');
    assert.deepEqual(resident.uncaught, []);
  });
});
