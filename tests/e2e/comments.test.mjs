// The comment thread widget end to end: a real browser, the real endpoint.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ENDPOINT, WWW, admin, createThread, expectNoAxeViolations, openHost, postComment, useBrowser, waitReady, widget,
} from './support.mjs';

const browser = useBrowser();

/** The texts of the thread's comment bodies, in page order. */
const bodies = (w) => w.locator('.civique-comment-body').allInnerTexts();

/** Writes a comment in the widget's main form and publishes it. */
async function write(w, text, name = 'Camille') {
  const form = w.locator('form.civique-composer').first();
  const nameField = form.getByLabel('Votre nom');
  if ((await nameField.count()) > 0 && !(await nameField.inputValue())) await nameField.fill(name);
  await form.getByLabel('Votre commentaire').fill(text);
  await form.getByRole('button', { name: 'Publier' }).click();
}

describe('writing', () => {
  test('a resident posts a comment with Markdown, rendered safely', async () => {
    const thread = await createThread();
    const page = await browser.resident();
    await openHost(page, { threads: [thread.id] });
    const w = widget(page);
    await w.getByText('Aucun commentaire pour l’instant').or(w.getByText("Aucun commentaire pour l'instant")).waitFor();
    await write(w, 'Bravo pour le *projet* <script>window.pwned = 1</script>');
    await w.locator('.civique-comment-body em').filter({ hasText: 'projet' }).waitFor();
    await w.getByText('1 commentaire').waitFor();
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    assert.match((await bodies(w))[0], /<script>/, 'raw HTML is shown as text, never run');
    const events = await page.evaluate(() => window.civiqueEvents.map((e) => e.type));
    assert.ok(events.includes('civique:comment'));
    // The display name is remembered on the device.
    await page.reload();
    await waitReady(page);
    assert.equal(await widget(page).getByLabel('Votre nom').inputValue(), 'Camille');
  });

  test('reply, edit and delete one’s own comment', async () => {
    const thread = await createThread();
    const first = await postComment(thread.id, 'Que deviennent les places de parking ?', { name: 'Dominique' });
    const page = await browser.resident();
    await openHost(page, { threads: [thread.id] });
    const w = widget(page);
    await w.getByRole('button', { name: 'Répondre' }).first().click();
    await w.getByLabel('Votre nom').last().fill('Camille');
    await w.getByLabel('Votre réponse').fill('Elles vont au parking de la gare.');
    await w.getByRole('button', { name: 'Publier' }).last().click();
    const reply = w.locator('.civique-replies .civique-comment-body').filter({ hasText: 'parking de la gare' });
    await reply.waitFor();

    await w.getByRole('button', { name: 'Modifier' }).first().click();
    await w.getByLabel('Modifier votre commentaire').fill('Elles vont au parking de la gare, à 4 minutes.');
    await w.getByRole('button', { name: 'Enregistrer' }).click();
    await w.locator('.civique-replies .civique-comment-body').filter({ hasText: 'à 4 minutes' }).waitFor();
    await w.locator('.civique-edited').first().waitFor();

    page.once('dialog', (d) => d.accept());
    await w.getByRole('button', { name: 'Supprimer' }).first().click();
    await reply.waitFor({ state: 'detached' });
    assert.deepEqual(await bodies(w), ['Que deviennent les places de parking ?']);
    assert.ok(first.id);
  });

  test('a failed post keeps the draft, even across a reload, until it is posted', async () => {
    const thread = await createThread();
    const page = await browser.resident();
    await openHost(page, { threads: [thread.id] });
    const url = `${ENDPOINT}api/v1/threads/${thread.id}/comments`;
    await page.route(url, (route) => (route.request().method() === 'POST' ? route.abort('connectionrefused') : route.continue()));
    await write(widget(page), 'Un texte que je ne veux pas perdre.');
    await widget(page).getByRole('alert').filter({ hasText: 'injoignable' }).waitFor();
    assert.equal(await widget(page).getByLabel('Votre commentaire').inputValue(), 'Un texte que je ne veux pas perdre.');
    await page.unroute(url);
    await page.reload();
    await waitReady(page);
    const w = widget(page);
    assert.equal(await w.getByLabel('Votre commentaire').inputValue(), 'Un texte que je ne veux pas perdre.');
    await w.getByRole('button', { name: 'Publier' }).click();
    await w.locator('.civique-comment-body').filter({ hasText: 'pas perdre' }).waitFor();
    assert.equal(await w.getByLabel('Votre commentaire').inputValue(), '');
    await page.reload();
    await waitReady(page);
    assert.equal(await widget(page).getByLabel('Votre commentaire').inputValue(), '');
  });

  test('too many links is refused with a clear message and the text kept (the <div> embed)', async () => {
    const thread = await createThread();
    const page = await browser.resident();
    await openHost(page, { threads: [thread.id], mode: 'div' });
    assert.equal(await page.locator('div[data-civique-comments]').count(), 1);
    const links = Array.from({ length: 6 }, (_, i) => `[lien ${i}](https://example.org/${i})`).join(' ');
    await write(widget(page), links);
    await widget(page).getByRole('alert').filter({ hasText: 'liens' }).waitFor();
    assert.equal(await widget(page).getByLabel('Votre commentaire').inputValue(), links);
  });
});

describe('threads created on first use', () => {
  test('a page key opens the same thread for every resident, created once', async () => {
    const site = `auto-${process.pid}`;
    await admin('sites', { id: site, name: 'Commune test', origins: [new URL(WWW).origin], auto_threads: true });
    const key = `/actualites/marche-de-noel-${process.pid}`;
    const mountKeyed = (page) => page.evaluate(([s, k]) => {
      const el = document.createElement('civique-comments');
      el.setAttribute('site', s);
      el.setAttribute('thread-key', k);
      document.getElementById('widgets').append(el);
    }, [site, key]);
    const first = await browser.resident();
    await openHost(first, {});
    await mountKeyed(first);
    await waitReady(first);
    await write(widget(first), 'Premier commentaire de la page.');
    const second = await browser.resident();
    await openHost(second, {});
    await mountKeyed(second);
    await waitReady(second);
    await widget(second).locator('.civique-comment-body').filter({ hasText: 'Premier commentaire' }).waitFor();
  });
});

describe('reading', () => {
  test('useful votes, sorting and "load more"', async () => {
    const thread = await createThread();
    const posted = [];
    for (let i = 1; i <= 22; i += 1) posted.push(await postComment(thread.id, `Avis numéro ${i}`));
    const page = await browser.resident();
    await openHost(page, { threads: [thread.id] });
    const w = widget(page);
    assert.equal((await bodies(w)).length, 20);
    await w.getByRole('button', { name: 'Charger plus de commentaires' }).click();
    await w.locator('.civique-comment-body').nth(21).waitFor();
    assert.equal((await bodies(w))[21], 'Avis numéro 22');

    const useful = w.locator('article[data-id="' + posted[4].id + '"] .civique-useful');
    await useful.click();
    await w.locator(`article[data-id="${posted[4].id}"] .civique-useful[aria-pressed="true"]`).filter({ hasText: '1' }).waitFor();
    await w.getByLabel('Trier par').selectOption('useful');
    await w.locator('.civique-comment-body').first().filter({ hasText: 'Avis numéro 5' }).waitFor();
    await w.getByLabel('Trier par').selectOption('newest');
    await w.locator('.civique-comment-body').first().filter({ hasText: 'Avis numéro 22' }).waitFor();
    await useful.click();
    await w.locator(`article[data-id="${posted[4].id}"] .civique-useful[aria-pressed="false"]`).waitFor();
  });

  test('live between two pages: useful counts and edits in place, new comments on demand', async () => {
    const thread = await createThread();
    const existing = await postComment(thread.id, 'Un avis déjà là.');
    const reader = await browser.resident();
    await openHost(reader, { threads: [thread.id] });
    const writer = await browser.resident();
    await openHost(writer, { threads: [thread.id] });
    const r = widget(reader);
    const w = widget(writer);
    // The reader is typing: nothing the writer does may take their text or focus.
    await r.getByLabel('Votre commentaire').fill('Je réfléchis…');
    await r.getByLabel('Votre commentaire').focus();

    await w.locator(`article[data-id="${existing.id}"] .civique-useful`).click();
    await r.locator(`article[data-id="${existing.id}"] .civique-useful`).filter({ hasText: '1' }).waitFor();

    await write(w, 'Nouvel avis en direct.');
    const fresh = r.getByRole('button', { name: /1 nouveau commentaire/ });
    await fresh.waitFor();
    assert.equal(await r.locator('.civique-comment-body').filter({ hasText: 'en direct' }).count(), 0);
    assert.equal(await r.getByLabel('Votre commentaire').inputValue(), 'Je réfléchis…');
    const focusedTag = await reader.evaluate(() => {
      let el = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      return el?.tagName;
    });
    assert.equal(focusedTag, 'TEXTAREA');

    await w.getByRole('button', { name: 'Modifier' }).click();
    await w.getByLabel('Modifier votre commentaire').fill('Nouvel avis en direct, précisé.');
    await w.getByRole('button', { name: 'Enregistrer' }).click();
    await fresh.click();
    await r.locator('.civique-comment-body').filter({ hasText: 'précisé' }).waitFor();
  });

  test('comments from others wait behind a polite "new comments" button', async () => {
    const thread = await createThread();
    const reader = await browser.resident();
    await openHost(reader, { threads: [thread.id] });
    await postComment(thread.id, 'Arrivé pendant la lecture');
    const w = widget(reader);
    const button = w.getByRole('button', { name: /1 nouveau commentaire/ });
    await button.waitFor();
    assert.equal((await bodies(w)).length, 0, 'not inserted by itself');
    await button.click();
    await w.locator('.civique-comment-body').filter({ hasText: 'Arrivé pendant la lecture' }).waitFor();
  });
});

describe('replies', () => {
  test('replies beyond three are collapsed, then shown on demand; deep replies say whom they answer', async () => {
    const thread = await createThread({ max_depth: 1 });
    const parent = await postComment(thread.id, 'Un sujet qui fait réagir.');
    const replies = [];
    for (let i = 1; i <= 5; i += 1) replies.push(await postComment(thread.id, `Réponse ${i}`, { parent_id: parent.id, name: `Voisin ${i}` }));
    await postComment(thread.id, 'Réponse à la réponse.', { parent_id: replies[0].id });
    const page = await browser.resident();
    await openHost(page, { threads: [thread.id] });
    const w = widget(page);
    const shown = () => w.locator('.civique-replies .civique-comment-body').allInnerTexts();
    assert.equal((await shown()).length, 3);
    await w.getByRole('button', { name: /Afficher 3 autres réponses/ }).click();
    await w.locator('.civique-replies .civique-comment-body').nth(5).waitFor();
    assert.ok((await shown()).includes('Réponse 5'));
    await w.getByText('en réponse à Voisin 1').first().waitFor();
  });
});

describe('official voice and moderation', () => {
  test('official reply, pin and lock', async () => {
    const thread = await createThread();
    const question = await postComment(thread.id, 'Quand commencent les travaux ?');
    const official = await admin(`threads/${thread.id}/comments`, {
      author_name: 'Mairie de Saint-Exemple', text: 'Au printemps 2027.', parent_id: question.id, official: true,
    });
    await admin(`comments/${question.id}/moderation`, { action: 'pin' }, 200);
    const page = await browser.resident();
    await openHost(page, { threads: [thread.id] });
    const w = widget(page);
    await w.getByText('Réponse de la mairie').waitFor();
    await w.getByText('Épinglé').waitFor();
    assert.ok(official.id);
    await expectNoAxeViolations(page, 'official reply and pinned comment, fr');

    const response = await fetch(`${ENDPOINT}api/v1/admin/threads/${thread.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${process.env.CIVIQUE_ADMIN_TOKEN}` },
      body: JSON.stringify({ locked: true }),
    });
    assert.equal(response.status, 200, await response.text());
    await page.reload();
    await waitReady(page);
    await widget(page).getByText('Cette discussion est fermée.').waitFor();
    assert.equal(await widget(page).locator('form.civique-composer').count(), 0);
    await expectNoAxeViolations(page, 'locked thread, fr');
  });

  test('pre-moderation: pending for its author, visible to all once approved', async () => {
    const thread = await createThread({ pre_moderation: true });
    const author = await browser.resident();
    await openHost(author, { threads: [thread.id] });
    await write(widget(author), 'Merci de prévoir des bancs.');
    await widget(author).getByText('en attente de modération').waitFor();
    await expectNoAxeViolations(author, 'pending comment, fr');

    const other = await browser.resident();
    await openHost(other, { threads: [thread.id] });
    assert.equal((await bodies(widget(other))).length, 0);
    const id = Number(await widget(author).locator('article[data-status="pending"]').getAttribute('data-id'));
    await admin(`comments/${id}/moderation`, { action: 'approve' }, 200);
    await other.reload();
    await waitReady(other);
    await widget(other).locator('.civique-comment-body').filter({ hasText: 'des bancs' }).waitFor();
  });

  test('three reports hide a comment pending review', async () => {
    const thread = await createThread();
    const target = await postComment(thread.id, 'Un message contestable');
    for (let i = 0; i < 3; i += 1) {
      const page = await browser.resident();
      await openHost(page, { threads: [thread.id] });
      const w = widget(page);
      await w.getByRole('button', { name: 'Signaler' }).click();
      await w.getByLabel('Motif du signalement').selectOption({ label: 'Spam' });
      await w.getByRole('button', { name: 'Envoyer le signalement' }).click();
      await w.getByText('Merci, votre signalement a été transmis.').first().waitFor();
    }
    const page = await browser.resident();
    await openHost(page, { threads: [thread.id] });
    assert.equal(await widget(page).locator(`article[data-id="${target.id}"] .civique-comment-body`).count(), 0);
  });
});

describe('comments accessibility', () => {
  for (const lang of ['fr', 'en']) {
    test(`axe, ${lang}: empty, with comments and replies, and an error`, async () => {
      const empty = await createThread();
      const busy = await createThread();
      const parent = await postComment(busy.id, 'Premier avis, *argumenté*.');
      await postComment(busy.id, 'Une réponse.', { parent_id: parent.id });
      const page = await browser.resident();
      await openHost(page, { threads: [empty.id, busy.id], lang });
      await expectNoAxeViolations(page, `empty and busy threads, ${lang}`);
      const form = widget(page).locator('form.civique-composer').first();
      await form.getByRole('button').first().click();
      await widget(page).getByRole('alert').first().waitFor();
      await expectNoAxeViolations(page, `form error, ${lang}`);
    });
  }

  test('keyboard only: write a comment and a reply', async () => {
    const thread = await createThread();
    await postComment(thread.id, 'Qui veut un composteur ?');
    const page = await browser.resident();
    await openHost(page, { threads: [thread.id] });
    const focused = () => page.evaluate(() => {
      let el = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      return el ? `${el.tagName.toLowerCase()}:${el.labels?.[0]?.innerText ?? el.innerText}` : '';
    });
    const tabTo = async (pattern, key = 'Tab') => {
      for (let i = 0; i < 30 && !pattern.test(await focused()); i += 1) await page.keyboard.press(key);
      assert.match(await focused(), pattern);
    };
    await tabTo(/^input:Votre nom/);
    await page.keyboard.type('Alex');
    await tabTo(/^textarea:Votre commentaire/);
    await page.keyboard.type('Moi !');
    await tabTo(/^button:Publier/);
    await page.keyboard.press('Enter');
    await widget(page).locator('.civique-comment-body').filter({ hasText: 'Moi !' }).waitFor();
    await tabTo(/^button:Répondre/);
    await page.keyboard.press('Enter');
    assert.match(await focused(), /^textarea:Votre réponse/);
    await page.keyboard.type('Moi aussi.');
    await tabTo(/^button:Publier/);
    await page.keyboard.press('Enter');
    await widget(page).locator('.civique-replies .civique-comment-body').filter({ hasText: 'Moi aussi.' }).waitFor();
  });
});
