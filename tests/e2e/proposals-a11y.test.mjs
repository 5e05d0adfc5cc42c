// Proposal boxes: axe-core on every widget state in French and English, and every flow
// (submit, support, browse, open and close, questions and their tabs) with the keyboard only.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DAY, ENDPOINT, api, card, createBox, expectFocus, expectNoAxeViolations, iso, openHost, submitProposal, supportFrom, tabTo,
  useBrowser, widget,
} from './support.mjs';

const browser = useBrowser();


const TEXT = {
  fr: { propose: 'Proposer une idée', title: 'Titre', submit: 'Envoyer la proposition', similar: 'Propositions semblables', name: 'Votre nom', answered: /Répondues/, thanks: /Merci/ },
  en: { propose: 'Propose an idea', title: 'Title', submit: 'Submit the proposal', similar: 'Similar proposals', name: 'Your name', answered: /Answered/, thanks: /Thank you/ },
};

const ideas = (fields) => createBox({ threshold: 3, ...fields });
const questions = () => createBox({ mode: 'questions', categories: [], title: 'Questions au conseil' });

/** An idea with supports, an answer and a history, so its card and detail show everything. */
async function answeredIdea(box) {
  const idea = await submitProposal(box, { title: 'Un parc à vélos couvert', text: 'Avec un [plan](https://example.org) *détaillé*.', place: 'Gare' });
  await supportFrom(idea, 3);
  await api('POST', `admin/proposals/${idea.id}/status`, { body: { status: 'under_review', by: 'Mairie' }, staff: true });
  await api('POST', `admin/proposals/${idea.id}/status`, { body: { status: 'accepted', answer: 'Oui, **en 2027**.', by: 'Service mobilité' }, staff: true });
  await submitProposal(box, { title: 'Un banc devant la poste' });
  return idea;
}

const openForm = async (w, t) => {
  await w.getByRole('button', { name: t.propose }).click();
  return w.getByRole('form', { name: t.propose });
};

/** Each state: the box it needs, what to prepare, and what to do on the page before checking. */
const STATES = {
  'empty box': { box: ideas },
  'list with supports, threshold reached, answers': { box: ideas, prepare: answeredIdea },
  'form open with similar proposals': {
    box: ideas,
    prepare: answeredIdea,
    async act(w, t) {
      const form = await openForm(w, t);
      await form.getByLabel(t.title).fill('Parc vélo');
      await w.getByRole('heading', { name: t.similar }).waitFor();
    },
  },
  'form error': {
    box: ideas,
    async act(w, t) {
      const form = await openForm(w, t);
      await form.getByLabel(t.title).fill('x'.repeat(10));
      await form.getByRole('button', { name: t.submit }).click();
      await w.getByRole('alert').first().waitFor();
    },
  },
  'idea published, thanks': {
    box: () => ideas({ categories: [] }),
    async act(w, t) {
      const form = await openForm(w, t);
      await form.getByLabel(t.title).fill('Un abri pour les vélos');
      await form.getByLabel(t.name).fill('Sam');
      await form.getByRole('button', { name: t.submit }).click();
      await w.getByText(t.thanks).first().waitFor();
    },
  },
  'support refused': {
    box: ideas,
    async prepare(box) { await submitProposal(box, { title: 'Un parc à vélos couvert' }); },
    async act(w, t, page) {
      await page.route(`${ENDPOINT}api/v1/proposals/*/support`, (route) => route.abort('connectionrefused'));
      await w.locator('button[aria-pressed]').first().click();
      await w.getByRole('alert').first().waitFor();
      assert.equal(await w.locator('button[aria-pressed]').first().getAttribute('aria-pressed'), 'false');
    },
  },
  'submitted, awaiting moderation': {
    box: () => ideas({ pre_moderation: true, categories: [] }),
    async act(w, t) {
      const form = await openForm(w, t);
      await form.getByLabel(t.title).fill('Une fontaine à eau');
      await form.getByLabel(t.name).fill('Sam');
      await form.getByRole('button', { name: t.submit }).click();
      await w.getByText(t.thanks).first().waitFor();
    },
  },
  'proposal open with answer, history and comments': {
    box: ideas,
    prepare: answeredIdea,
    hash: (idea) => `#civique-proposal-${idea.id}`,
    async act(w, t, page, idea) {
      await w.getByRole('heading', { level: 2, name: idea.title }).waitFor();
      await page.locator('civique-comments').locator('.civique-comments[data-state="ready"], .civique-comments:not([data-state="loading"])').first().waitFor();
    },
  },
  'closed box': {
    box: ideas,
    async prepare(box) {
      await answeredIdea(box);
      await api('PATCH', `admin/boxes/${box.id}`, { body: { opens_at: iso(-10 * DAY), closes_at: iso(-DAY) }, staff: true });
    },
  },
  'questions, open tab': {
    box: questions,
    async prepare(box) {
      const q = await submitProposal(box, { title: 'Pourquoi fermer la poste le lundi ?' });
      await supportFrom(q, 2);
      await submitProposal(box, { title: 'Quand la fibre arrive-t-elle ?' });
    },
  },
  'questions, answered tab': {
    box: questions,
    async prepare(box) {
      const q = await submitProposal(box, { title: 'Pourquoi fermer la poste le lundi ?' });
      await api('POST', `admin/proposals/${q.id}/status`, { body: { status: 'answered', answer: 'Faute de personnel.' }, staff: true });
    },
    async act(w, t) { await w.getByRole('tab', { name: t.answered }).click(); },
  },
  'questions on a projector': {
    box: questions,
    display: 'projector',
    async prepare(box) { await submitProposal(box, { title: 'Le bus 12 passera-t-il plus souvent ?' }); },
  },
  'endpoint unreachable': {
    box: ideas,
    unreachable: true,
    async act(w) { await w.getByRole('alert').first().waitFor(); },
  },
};

for (const lang of ['fr', 'en']) {
  describe(`proposals axe, ${lang}`, () => {
    for (const [name, state] of Object.entries(STATES)) {
      test(`no violation: ${name}`, async () => {
        const box = await state.box();
        const prepared = await state.prepare?.(box);
        const page = await browser.resident();
        if (state.unreachable) await page.route(`${ENDPOINT}api/v1/boxes/**`, (route) => route.abort('connectionrefused'));
        await openHost(page, { boxes: [box.id], lang, display: state.display ?? '', hash: state.hash?.(prepared) ?? '' });
        await state.act?.(widget(page), TEXT[lang], page, prepared);
        await expectNoAxeViolations(page, `${name}, ${lang}`);
        assert.deepEqual(page.uncaught, []);
      });
    }
  });
}

describe('proposals, keyboard only', () => {
  test('submit an idea, support one, open it and come back without a mouse', async () => {
    const box = await ideas();
    const theirs = await submitProposal(box, { title: 'Des ralentisseurs rue Voltaire' });
    const page = await browser.resident();
    await openHost(page, { boxes: [box.id] });
    const w = widget(page);

    await tabTo(page, /^button:Proposer une idée/);
    await page.keyboard.press('Enter');
    await tabTo(page, /^input:Titre/);
    await page.keyboard.type('Des ralentisseurs devant l’école');
    await w.getByRole('link', { name: theirs.title }).waitFor(); // suggested
    await tabTo(page, /^textarea:Description/);
    await page.keyboard.type('Les voitures roulent trop vite.');
    await tabTo(page, /^select:Catégorie/);
    await page.keyboard.press('ArrowDown');
    await tabTo(page, /^input:Votre nom/);
    await page.keyboard.type('Alex');
    await tabTo(page, /^button:Envoyer la proposition/);
    await page.keyboard.press('Enter');
    await w.getByText(/Merci/).first().waitFor();
    await w.getByRole('heading', { level: 3, name: 'Des ralentisseurs devant l’école' }).waitFor();

    // Support the neighbour's idea (the first "Soutenir" the focus reaches is in list order).
    await tabTo(page, /^a:Des ralentisseurs rue Voltaire/);
    await tabTo(page, /^button:.*Soutenir/);
    await page.keyboard.press('Enter');
    await card(w, theirs.title).locator('button[aria-pressed="true"]').waitFor();
    assert.equal((await api('GET', `proposals/${theirs.id}`)).supports, 1);

    await tabTo(page, /^a:Des ralentisseurs rue Voltaire/, 'Shift+Tab');
    await page.keyboard.press('Enter');
    await w.getByRole('heading', { level: 2, name: theirs.title }).waitFor();
    await expectFocus(page, /^h2:Des ralentisseurs rue Voltaire/);
    await tabTo(page, /^button:Retour à la liste/);
    await page.keyboard.press('Enter');
    await w.getByRole('heading', { level: 3, name: theirs.title }).waitFor();
    await expectFocus(page, /^a:Des ralentisseurs rue Voltaire/, 'focus returns to the card');
  });

  test('browse with sort, filter and search from the keyboard', async () => {
    const box = await ideas();
    const a = await submitProposal(box, { title: 'Un kiosque à musique', category: 'nature' });
    const b = await submitProposal(box, { title: 'Une zone 30 en centre-ville', category: 'mobilite' });
    const page = await browser.resident();
    await openHost(page, { boxes: [box.id] });
    const w = widget(page);
    await tabTo(page, /^select:Trier par/);
    await page.keyboard.press('ArrowDown'); // most supported → newest
    await w.locator('h3').first().filter({ hasText: b.title }).waitFor();
    await tabTo(page, /^input:Rechercher une proposition/);
    await page.keyboard.type('kiosque');
    await page.keyboard.press('Enter');
    await w.getByRole('heading', { level: 3, name: b.title }).waitFor({ state: 'detached' });
    await w.getByRole('heading', { level: 3, name: a.title }).waitFor();
  });

  test('ask, upvote and switch tabs in questions mode without a mouse', async () => {
    const box = await questions();
    const theirs = await submitProposal(box, { title: 'Des toilettes au cimetière ?' });
    await api('POST', `admin/proposals/${(await submitProposal(box, { title: 'Le city-stade est-il fini ?' })).id}/status`,
      { body: { status: 'answered', answer: 'Oui.' }, staff: true });
    const page = await browser.resident();
    await openHost(page, { boxes: [box.id] });
    const w = widget(page);
    await tabTo(page, /^textarea:Votre question/);
    await page.keyboard.type('La rue Haute sera-t-elle refaite ?');
    await tabTo(page, /^input:Votre nom/);
    await page.keyboard.type('Noa');
    await tabTo(page, /^button:Poser la question/);
    await page.keyboard.press('Enter');
    await w.getByRole('heading', { level: 3, name: 'La rue Haute sera-t-elle refaite ?' }).waitFor();

    await tabTo(page, /^button:.*Voter/);
    await page.keyboard.press('Enter');
    await card(w, theirs.title).locator('button[aria-pressed="true"]').waitFor();
    assert.equal((await api('GET', `proposals/${theirs.id}`)).supports, 1, 'the first question listed got the vote');

    await tabTo(page, /^[a-z0-9]+:À traiter/, 'Shift+Tab');
    await page.keyboard.press('ArrowRight');
    await w.getByRole('tab', { name: /Répondues/, selected: true }).waitFor();
    await w.getByText('Le city-stade est-il fini ?').waitFor();
  });
});
