// Comment threads: axe-core on every widget state in French and English, and every flow
// (post, reply, useful, sort, edit, delete, report) done with the keyboard only.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ENDPOINT, admin, createThread, expectFocus, expectNoAxeViolations, openHost, postComment, tabTo, useBrowser, widget,
} from './support.mjs';

const browser = useBrowser();

const TEXT = {
  fr: { name: 'Votre nom', comment: 'Votre commentaire', post: 'Publier', reply: 'Répondre', edit: 'Modifier', report: 'Signaler', pending: 'en attente de modération', fresh: /nouveau commentaire/, more: /Afficher/ },
  en: { name: 'Your name', comment: 'Your comment', post: 'Post', reply: 'Reply', edit: 'Edit', report: 'Report', pending: 'awaiting moderation', fresh: /new comment/, more: /Show/ },
};

/** Publishes a comment through the widget, as this page's resident. */
async function writeOwn(w, t, text) {
  await w.getByLabel(t.name).first().fill('Camille');
  await w.getByLabel(t.comment).fill(text);
  await w.getByRole('button', { name: t.post }).first().click();
  await w.locator('.civique-comment-body').filter({ hasText: text }).waitFor();
}

/** Each state: how to prepare its thread, and what to do on the page before checking. */
const STATES = {
  'empty thread': {},
  'comments, replies, official reply, pinned': {
    async prepare(thread) {
      const parent = await postComment(thread.id, 'Un avis avec un [lien](https://example.org) et une *emphase*.');
      await postComment(thread.id, 'Une réponse.', { parent_id: parent.id });
      await admin(`threads/${thread.id}/comments`, { author_name: 'Mairie', text: 'Merci.', parent_id: parent.id, official: true });
      await admin(`comments/${parent.id}/moderation`, { action: 'pin' }, 200);
    },
  },
  'more replies collapsed': {
    async prepare(thread) {
      const parent = await postComment(thread.id, 'Beaucoup de réponses ici.');
      for (let i = 0; i < 5; i += 1) await postComment(thread.id, `Réponse ${i}`, { parent_id: parent.id });
    },
    async act(w, t) { await w.getByRole('button', { name: t.more }).waitFor(); },
  },
  'removed by moderation, replies kept': {
    async prepare(thread) {
      const parent = await postComment(thread.id, 'Propos à retirer.');
      await postComment(thread.id, 'Réponse qui reste.', { parent_id: parent.id });
      await admin(`comments/${parent.id}/moderation`, { action: 'hide', reason: 'Propos injurieux' }, 200);
    },
    async act(w) { await w.locator('.civique-placeholder').waitFor(); },
  },
  'reply form open': {
    async prepare(thread) { await postComment(thread.id, 'À qui répondre.'); },
    async act(w, t) { await w.getByRole('button', { name: t.reply }).first().click(); },
  },
  'report form open': {
    async prepare(thread) { await postComment(thread.id, 'À signaler.'); },
    async act(w, t) { await w.getByRole('button', { name: t.report }).first().click(); },
  },
  'editing one’s own comment': {
    async act(w, t) {
      await writeOwn(w, t, 'Mon avis.');
      await w.getByRole('button', { name: t.edit }).first().click();
    },
  },
  'own comment awaiting moderation': {
    fields: { pre_moderation: true },
    async act(w, t) {
      await w.getByLabel(t.name).first().fill('Camille');
      await w.getByLabel(t.comment).fill('En attente.');
      await w.getByRole('button', { name: t.post }).first().click();
      await w.getByText(t.pending).waitFor();
    },
  },
  'new comments waiting': {
    async act(w, t, thread) {
      await postComment(thread.id, 'Arrivé après.');
      await w.getByRole('button', { name: t.fresh }).waitFor();
    },
  },
  'form error': {
    async act(w, t) {
      await w.getByRole('button', { name: t.post }).first().click();
      await w.getByRole('alert').first().waitFor();
    },
  },
  'locked thread': {
    async prepare(thread) {
      await postComment(thread.id, 'Dernier mot.');
      const response = await fetch(`${ENDPOINT}api/v1/admin/threads/${thread.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${process.env.CIVIQUE_ADMIN_TOKEN}` },
        body: JSON.stringify({ locked: true }),
      });
      assert.equal(response.status, 200);
    },
  },
  'endpoint unreachable': {
    unreachable: true,
    async act(w) { await w.getByRole('alert').first().waitFor(); },
  },
};

for (const lang of ['fr', 'en']) {
  describe(`comments axe, ${lang}`, () => {
    for (const [name, state] of Object.entries(STATES)) {
      test(`no violation: ${name}`, async () => {
        const thread = await createThread(state.fields);
        await state.prepare?.(thread);
        const page = await browser.resident();
        if (state.unreachable) {
          await page.route(`${ENDPOINT}api/v1/threads/**`, (route) => route.abort('connectionrefused'));
        }
        await openHost(page, { threads: [thread.id], lang });
        await state.act?.(widget(page), TEXT[lang], thread);
        await expectNoAxeViolations(page, `${name}, ${lang}`);
      });
    }
  });
}

describe('comments, keyboard only', () => {
  /** A thread with a neighbour's comment, where this resident posts `mine` by keyboard. */
  const postByKeyboard = async (theirs, mine) => {
    const thread = await createThread();
    await postComment(thread.id, theirs);
    const page = await browser.resident();
    await openHost(page, { threads: [thread.id] });
    const w = widget(page);
    await tabTo(page, /^input:Votre nom/);
    await page.keyboard.type('Alex');
    await tabTo(page, /^textarea:Votre commentaire/);
    await page.keyboard.type(mine);
    await tabTo(page, /^button:Publier/);
    await page.keyboard.press('Enter');
    await w.locator('.civique-comment-body').filter({ hasText: mine }).waitFor();
    return { page, w };
  };

  test('post, reply, mark useful and sort without a mouse', async () => {
    const { page, w } = await postByKeyboard('Qui veut un composteur ?', 'Moi !');

    await tabTo(page, /^button:Utile/);
    await page.keyboard.press('Enter');
    await w.locator('.civique-useful[aria-pressed="true"]').waitFor();

    await tabTo(page, /^button:Répondre/);
    await page.keyboard.press('Enter');
    await expectFocus(page, /^textarea:Votre réponse/);
    await page.keyboard.type('Moi aussi.');
    await tabTo(page, /^button:Publier/);
    await page.keyboard.press('Enter');
    await w.locator('.civique-replies .civique-comment-body').filter({ hasText: 'Moi aussi.' }).waitFor();

    await tabTo(page, /^select:Trier par/, 'Shift+Tab');
    await page.keyboard.press('ArrowDown'); // oldest → newest
    await w.locator('.civique-comment-list > li:first-child > article .civique-comment-body').filter({ hasText: 'Moi !' }).waitFor();
  });

  test('edit, delete and report without a mouse', async () => {
    const { page, w } = await postByKeyboard('Un message d’un voisin.', 'Premier jet.');

    await tabTo(page, /^button:Modifier/);
    await page.keyboard.press('Enter');
    await expectFocus(page, /^textarea:Modifier votre commentaire/);
    await page.keyboard.press('End');
    await page.keyboard.type(' Corrigé.');
    await tabTo(page, /^button:Enregistrer/);
    await page.keyboard.press('Enter');
    await w.locator('.civique-comment-body').filter({ hasText: 'Premier jet. Corrigé.' }).waitFor();

    await tabTo(page, /^button:Signaler/, 'Shift+Tab');
    await page.keyboard.press('Enter');
    await expectFocus(page, /^select:Motif du signalement/);
    await page.keyboard.press('ArrowDown');
    await tabTo(page, /^button:Envoyer le signalement/);
    await page.keyboard.press('Enter');
    await w.getByText('Merci, votre signalement a été transmis.').first().waitFor();

    page.once('dialog', (d) => d.accept());
    await tabTo(page, /^button:Supprimer/);
    await page.keyboard.press('Enter');
    await w.locator('.civique-comment-body').filter({ hasText: 'Corrigé' }).waitFor({ state: 'detached' });
  });
});
