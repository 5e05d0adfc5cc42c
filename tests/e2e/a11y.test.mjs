// Accessibility: axe-core on every poll state in French and English, and the vote flow done
// with the keyboard only.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DAY, ENDPOINT, WWW, createPoll, expectNoAxeViolations, iso, openHost, useBrowser, waitReady, widget,
} from './support.mjs';

const browser = useBrowser();

const TEXT = {
  fr: { vote: 'Voter', recorded: 'Votre vote est enregistré', tooMany: 'au plus 1', unreachable: 'injoignable' },
  en: { vote: 'Vote', recorded: 'Your vote has been recorded', tooMany: 'at most 1', unreachable: 'cannot be reached' },
};

/** Each state: how to create its poll, and what to do on the page before checking. */
const STATES = {
  'open, results always visible': { poll: { results_visibility: 'always' } },
  'open, results after voting (hidden)': { poll: { results_visibility: 'after_vote' } },
  'open, results after closing (hidden)': { poll: { results_visibility: 'after_close' } },
  'multiple choice': { poll: { kind: 'multiple', max_choices: 2, results_visibility: 'after_vote' } },
  'upcoming': { poll: { opens_at: iso(20 * DAY), closes_at: iso(40 * DAY) } },
  'closed with final results': { poll: { opens_at: iso(-20 * DAY), closes_at: iso(-DAY) } },
  'voted, results shown': {
    poll: { results_visibility: 'after_vote' },
    async act(w, t) {
      await w.getByRole('radio').first().check();
      await w.getByRole('button', { name: t.vote }).click();
      await w.getByRole('status').filter({ hasText: t.recorded }).waitFor();
    },
  },
  'vote refused (error message)': {
    poll: { kind: 'multiple', max_choices: 1 },
    async act(w, t) {
      await w.getByRole('checkbox').nth(0).check();
      await w.getByRole('checkbox').nth(1).check();
      await w.getByRole('button', { name: t.vote }).click();
      await w.getByRole('alert').filter({ hasText: t.tooMany }).waitFor();
    },
  },
  'endpoint unreachable': {
    poll: {},
    unreachable: true,
    async act(w, t) {
      await w.getByRole('alert').filter({ hasText: t.unreachable }).waitFor();
    },
  },
};

for (const lang of ['fr', 'en']) {
  describe(`axe, ${lang}`, () => {
    for (const [name, state] of Object.entries(STATES)) {
      test(`no violation: ${name}`, async () => {
        const poll = await createPoll(state.poll);
        const page = await browser.resident();
        if (state.unreachable) {
          await page.route(`${ENDPOINT}api/v1/polls/**`, (route) => route.abort('connectionrefused'));
        }
        await openHost(page, { polls: [poll.id], lang });
        await state.act?.(widget(page), TEXT[lang]);
        await expectNoAxeViolations(page, `${name}, ${lang}`);
      });
    }
  });
}

describe('axe on the demo town website', () => {
  for (const path of ['', 'projet-place-centrale.html', 'documentation.html']) {
    test(`no violation: /${path}`, async () => {
      const page = await browser.resident();
      await page.goto(`${WWW}${path}`);
      await waitReady(page, 1);
      await expectNoAxeViolations(page, `/${path}`);
    });
  }
});

describe('keyboard only', () => {
  test('a resident votes and changes their vote without a mouse', async () => {
    const poll = await createPoll({ results_visibility: 'always' });
    const page = await browser.resident();
    await openHost(page, { polls: [poll.id] });
    const w = widget(page);
    const focusedLabel = () => page.evaluate(() => {
      let el = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      return el ? `${el.tagName.toLowerCase()}:${el.labels?.[0]?.innerText ?? el.innerText}` : '';
    });
    // Tab from the top of the page until the first option has focus.
    for (let i = 0; i < 20 && !(await focusedLabel()).startsWith('input:'); i += 1) await page.keyboard.press('Tab');
    assert.match(await focusedLabel(), /^input:Samedi/);
    await page.keyboard.press('ArrowDown');
    assert.match(await focusedLabel(), /^input:Dimanche/);
    assert.equal(await w.getByRole('radio', { name: 'Dimanche' }).isChecked(), true);
    await page.keyboard.press('Tab');
    assert.match(await focusedLabel(), /^button:Voter/);
    await page.keyboard.press('Enter');
    await w.getByRole('status').filter({ hasText: 'Votre vote est enregistré' }).waitFor();
    // The answer redraws results, not the form: focus stays where the resident is.
    assert.match(await focusedLabel(), /^button:Modifier mon vote/);

    // Change it: Shift+Tab back to the options, pick another, submit with Space.
    for (let i = 0; i < 10 && !(await focusedLabel()).startsWith('input:'); i += 1) await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('ArrowDown');
    assert.equal(await w.getByRole('radio', { name: 'Lundi' }).isChecked(), true);
    for (let i = 0; i < 10 && !(await focusedLabel()).startsWith('button:'); i += 1) await page.keyboard.press('Tab');
    assert.match(await focusedLabel(), /^button:Modifier mon vote/);
    await page.keyboard.press('Space');
    await w.locator('.civique-results li').filter({ hasText: /Lundi.*1 vote/ }).waitFor();
    // Focus indicator: the focused control draws a visible outline.
    const outline = await page.evaluate(() => {
      let el = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      const s = getComputedStyle(el);
      return { style: s.outlineStyle, width: parseFloat(s.outlineWidth), on: el.outerHTML.slice(0, 80) };
    });
    assert.notEqual(outline.style, 'none', `no focus outline on ${outline.on}`);
    assert.ok(outline.width >= 2, `outline ${outline.width}px`);
  });
});
