// Site accounts: a poll for the town website's signed-in users takes one vote per user,
// whichever device they use; a resident who is not signed in is told how to take part and
// keeps their choice. Keyboard only, axe on every state.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { createPoll, eventually, expectNoAxeViolations, openHost, resultLines, useBrowser, voteFor, widget } from './support.mjs';

const browser = useBrowser();
const SECRET = process.env.CIVIQUE_SSO_SECRET;

/** What the town website prints for its signed-in user `userId` (see docs/sso.md). */
function siteToken(userId, { exp = Math.floor(Date.now() / 1000) + 600 } = {}) {
  const b64 = (data) => Buffer.from(data).toString('base64url');
  const claims = { site: 'saint-exemple', sub: userId, name: 'Camille', exp, nonce: randomBytes(16).toString('hex') };
  const signed = 'v1.' + b64(JSON.stringify(claims));
  return signed + '.' + createHmac('sha256', SECRET).update(signed).digest('base64url');
}

describe('site accounts', () => {
  test('a signed-in user votes once from two devices; a visitor who is not signed in keeps their choice', async () => {
    assert.ok(SECRET, 'CIVIQUE_SSO_SECRET is set by cargo xtask test');
    const poll = await createPoll({ participation: 'site' });

    // Not signed in: told to sign in on the site, the choice still made.
    const visitor = await browser.resident();
    await openHost(visitor, { polls: [poll.id] });
    await voteFor(visitor, 'Samedi');
    const w = widget(visitor);
    await w.getByText('Pour participer, connectez-vous à votre compte sur ce site.').waitFor();
    assert.equal(await w.getByRole('radio', { name: 'Samedi' }).isChecked(), true);
    await expectNoAxeViolations(visitor, 'site account poll, visitor refused');

    // Signed in on a phone: the vote counts, and the device stores no token of its own.
    const phone = await browser.resident();
    await openHost(phone, { polls: [poll.id], sso: siteToken('user-7') });
    await voteFor(phone, 'Samedi');
    await widget(phone).getByRole('status').filter({ hasText: 'Votre vote est enregistré' }).waitFor();
    const stored = await phone.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('civique:')));
    assert.deepEqual(stored, []);
    await expectNoAxeViolations(phone, 'site account poll, voted');

    // The same user on a laptop sees their vote and changes it: still one voter.
    const laptop = await browser.resident();
    await openHost(laptop, { polls: [poll.id], sso: siteToken('user-7') });
    const lw = widget(laptop);
    await lw.getByRole('button', { name: 'Modifier mon vote' }).waitFor();
    assert.equal(await lw.getByRole('radio', { name: 'Samedi' }).isChecked(), true);
    await voteFor(laptop, 'Dimanche');
    await eventually(async () => {
      const lines = await resultLines(lw);
      assert.match(lines[0], /Samedi.*0 vote/);
      assert.match(lines[1], /Dimanche.*1 vote.*100/);
    });
    await lw.getByText('1 participant · 1 participation par compte du site').waitFor();

    // An expired sign-in is no sign-in: the resident is told to sign in, nothing counted.
    const late = await browser.resident();
    await openHost(late, { polls: [poll.id], sso: siteToken('user-8', { exp: Math.floor(Date.now() / 1000) - 5 }) });
    await voteFor(late, 'Lundi');
    await widget(late).getByText('Pour participer, connectez-vous à votre compte sur ce site.').waitFor();
  });
});
