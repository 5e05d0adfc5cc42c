// Proposal boxes end to end: a real browser, the real endpoint.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DAY, ENDPOINT, api, card, createBox, iso, openHost, section, submitProposal, supportFrom, token, useBrowser, waitReady, widget,
} from './support.mjs';

const browser = useBrowser();

/** Titles of the listed proposals, in page order. */
const titles = (w) => w.getByRole('heading', { level: 3 }).allInnerTexts();
/** Titles once they equal `expected` (the list reloads after each change). */
async function expectTitles(w, expected) {
  let seen;
  for (let i = 0; i < 100; i += 1) {
    seen = await titles(w);
    if (JSON.stringify(seen) === JSON.stringify(expected)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(seen, expected);
}
const events = (page, type) => page.evaluate((t) => window.civiqueEvents.filter((e) => e.type === t).map((e) => e.detail), type);

/** Opens the form and fills every field but the title. */
async function fillForm(w, { title, text = 'Des bancs à l’ombre près des jeux.', category = 'Nature en ville', place = 'Parc du Moulin', name = 'Camille' }) {
  const form = w.getByRole('form', { name: 'Proposer une idée' });
  if ((await form.count()) === 0) await w.getByRole('button', { name: 'Proposer une idée' }).click();
  await form.getByLabel('Titre').fill(title);
  await form.getByLabel('Description').fill(text);
  await form.getByLabel('Catégorie').selectOption({ label: category });
  await form.getByLabel('Lieu (facultatif)').fill(place);
  await form.getByLabel('Votre nom').fill(name);
  return form;
}

describe('submitting', () => {
  test('similar proposals are suggested while typing, then the idea is published', async () => {
    const box = await createBox();
    await submitProposal(box, { title: 'Installer des bancs au parc du Moulin', category: 'nature' });
    await submitProposal(box, { title: 'Une piste cyclable rue des Écoles', category: 'mobilite' });
    const page = await browser.resident();
    await openHost(page, { boxes: [box.id] });
    const w = widget(page);
    const form = await fillForm(w, { title: 'Des bancs' });
    const similar = section(w, 'Propositions semblables');
    await similar.getByRole('link', { name: 'Installer des bancs au parc du Moulin' }).waitFor();
    assert.equal(await similar.getByRole('link').count(), 1, 'the cycle lane does not look like benches');
    await form.getByLabel('Titre').fill('Des bancs ombragés square Jean-Moulin');
    await form.getByRole('button', { name: 'Envoyer la proposition' }).click();
    await w.getByText(/Merci/).first().waitFor();
    await card(w, 'Des bancs ombragés square Jean-Moulin').waitFor();
    const [sent] = await events(page, 'civique:proposal');
    assert.equal(sent.box, box.id);
    assert.equal(sent.pending, false);
    const stored = await api('GET', `proposals/${sent.id}`);
    assert.equal(stored.place, 'Parc du Moulin');
    assert.equal(stored.category, 'nature');
    assert.equal(stored.author_name, 'Camille');
  });

  test('a pre-moderated box says the idea waits for the town, and lists it only once approved', async () => {
    const box = await createBox({ pre_moderation: true });
    const page = await browser.resident();
    await openHost(page, { boxes: [box.id] });
    const w = widget(page);
    const form = await fillForm(w, { title: 'Un composteur partagé' });
    await form.getByRole('button', { name: 'Envoyer la proposition' }).click();
    await w.getByText(/après validation/).first().waitFor();
    const [sent] = await events(page, 'civique:proposal');
    assert.equal(sent.pending, true);
    assert.equal(await card(w, 'Un composteur partagé').count(), 0);
    await api('POST', `admin/proposals/${sent.id}/moderation`, { body: { action: 'approve' }, staff: true });
    await card(w, 'Un composteur partagé').waitFor(); // live
  });

  test('a box closed meanwhile refuses with a clear message, and the draft survives a reload until sent', async () => {
    const box = await createBox();
    const page = await browser.resident();
    await openHost(page, { boxes: [box.id] });
    const w = widget(page);
    const form = await fillForm(w, { title: 'Des toilettes publiques place du Marché' });
    await api('PATCH', `admin/boxes/${box.id}`, { body: { closes_at: iso(-60_000) }, staff: true });
    await form.getByRole('button', { name: 'Envoyer la proposition' }).click();
    await w.getByRole('alert').filter({ hasText: /clos/ }).waitFor();
    assert.equal(await form.getByLabel('Titre').inputValue(), 'Des toilettes publiques place du Marché');
    await api('PATCH', `admin/boxes/${box.id}`, { body: { closes_at: iso(10 * DAY) }, staff: true });
    await page.reload();
    await waitReady(page);
    const again = widget(page);
    const reopened = again.getByRole('form', { name: 'Proposer une idée' });
    if ((await reopened.count()) === 0) await again.getByRole('button', { name: 'Proposer une idée' }).click();
    assert.equal(await reopened.getByLabel('Titre').inputValue(), 'Des toilettes publiques place du Marché');
    assert.equal(await reopened.getByLabel('Lieu (facultatif)').inputValue(), 'Parc du Moulin');
    await reopened.getByRole('button', { name: 'Envoyer la proposition' }).click();
    await card(again, 'Des toilettes publiques place du Marché').waitFor();
    await page.reload();
    await waitReady(page);
    const last = widget(page);
    const form3 = last.getByRole('form', { name: 'Proposer une idée' });
    if ((await form3.count()) === 0) await last.getByRole('button', { name: 'Proposer une idée' }).click();
    assert.equal(await form3.getByLabel('Titre').inputValue(), '', 'the draft is gone once submitted');
  });

  test('a network failure keeps everything typed', async () => {
    const box = await createBox();
    const page = await browser.resident();
    await openHost(page, { boxes: [box.id] });
    const url = `${ENDPOINT}api/v1/boxes/${box.id}/proposals`;
    await page.route(url, (route) => (route.request().method() === 'POST' ? route.abort('connectionrefused') : route.continue()));
    const w = widget(page);
    const form = await fillForm(w, { title: 'Un marché de producteurs le mercredi' });
    await form.getByRole('button', { name: 'Envoyer la proposition' }).click();
    await w.getByRole('alert').filter({ hasText: 'injoignable' }).waitFor();
    assert.equal(await form.getByLabel('Titre').inputValue(), 'Un marché de producteurs le mercredi');
    assert.equal(await form.getByLabel('Description').inputValue(), 'Des bancs à l’ombre près des jeux.');
  });
});

describe('supporting', () => {
  test('support and withdraw, seen live by another resident', async () => {
    const box = await createBox();
    const idea = await submitProposal(box, { title: 'Des arceaux vélo devant la médiathèque' });
    const page = await browser.resident();
    const other = await browser.resident();
    await openHost(page, { boxes: [box.id] });
    await openHost(other, { boxes: [box.id] });
    const mine = card(widget(page), idea.title);
    const button = mine.getByRole('button', { name: 'Soutenir' });
    assert.equal(await button.getAttribute('aria-pressed'), 'false');
    await button.click();
    await mine.locator('button[aria-pressed="true"]').waitFor();
    await mine.getByText('1 soutien').waitFor();
    await card(widget(other), idea.title).getByText('1 soutien').waitFor();
    assert.deepEqual((await events(page, 'civique:support')).map((e) => [e.id, e.supported, e.supports]), [[idea.id, true, 1]]);
    await button.click();
    await mine.locator('button[aria-pressed="false"]').waitFor();
    await mine.getByText('0 soutien').waitFor();
    await card(widget(other), idea.title).getByText('0 soutien').waitFor();
    assert.equal((await api('GET', `proposals/${idea.id}`)).supports, 0);
  });

  test('reaching the threshold shows it, tells the host page and is recorded once', async () => {
    const box = await createBox({ threshold: 3 });
    const idea = await submitProposal(box, { title: 'Ouvrir la cour de l’école le samedi' });
    await supportFrom(idea, 2);
    const page = await browser.resident();
    await openHost(page, { boxes: [box.id] });
    const mine = card(widget(page), idea.title);
    const bar = mine.getByRole('progressbar');
    assert.equal(await bar.getAttribute('aria-valuenow'), '2');
    assert.equal(await bar.getAttribute('aria-valuemax'), '3');
    assert.equal(await mine.getByText('Seuil atteint').count(), 0);
    await mine.getByRole('button', { name: 'Soutenir' }).click();
    await mine.getByText('Seuil atteint').waitFor();
    await mine.locator('[role="progressbar"][aria-valuenow="3"]').waitFor();
    assert.deepEqual((await events(page, 'civique:threshold')).map((e) => e.id), [idea.id]);
    // Withdrawing and supporting again does not record it twice.
    await mine.getByRole('button', { name: 'Soutenir' }).click();
    await mine.locator('button[aria-pressed="false"]').waitFor();
    await mine.getByRole('button', { name: 'Soutenir' }).click();
    await mine.locator('button[aria-pressed="true"]').waitFor();
    const recorded = await api('GET', `admin/boxes/${box.id}/events`, { staff: true });
    assert.deepEqual(recorded.map((e) => [e.kind, e.proposal_id, e.supports]), [['threshold_reached', idea.id, 3]]);
  });
});

describe('the town answers', () => {
  test('a status change with an answer appears live on an open proposal, with its history', async () => {
    const box = await createBox();
    const idea = await submitProposal(box, { title: 'Un éclairage LED rue Pasteur', text: 'Moins de *consommation*.' });
    const page = await browser.resident();
    await openHost(page, { boxes: [box.id] });
    const w = widget(page);
    await w.getByRole('link', { name: idea.title }).click();
    await w.getByRole('heading', { level: 2, name: idea.title }).waitFor();
    await w.locator('em').filter({ hasText: 'consommation' }).waitFor();
    assert.equal(await w.getByText('Réponse de la mairie').count(), 0);
    await api('POST', `admin/proposals/${idea.id}/status`, {
      body: { status: 'accepted', answer: 'Les travaux commencent **en mars**.', by: 'Service voirie' },
      staff: true,
    });
    await w.getByText('Réponse de la mairie').waitFor();
    await w.locator('strong').filter({ hasText: 'en mars' }).waitFor();
    const history = section(w, 'Historique');
    await history.getByText(/Déposée → Retenue/).waitFor();
    await history.getByText(/Service voirie/).waitFor();
    await w.getByText('Retenue').first().waitFor();
  });

  test('a duplicate links to the original proposal', async () => {
    const box = await createBox();
    const original = await submitProposal(box, { title: 'Un skatepark près du stade' });
    const copy = await submitProposal(box, { title: 'Skatepark au stade' });
    await api('POST', `admin/proposals/${copy.id}/status`, { body: { status: 'duplicate', duplicate_of: original.id }, staff: true });
    const page = await browser.resident();
    await openHost(page, { boxes: [box.id], hash: `#civique-proposal-${copy.id}` });
    const w = widget(page);
    await w.getByRole('heading', { level: 2, name: copy.title }).waitFor();
    await w.getByRole('link', { name: /Voir la proposition d.origine/ }).click();
    await w.getByRole('heading', { level: 2, name: original.title }).waitFor();
    assert.equal(new URL(page.url()).hash, `#civique-proposal-${original.id}`);
  });
});

describe('browsing', () => {
  test('sort, filter by category and status, search, and pages', async () => {
    const box = await createBox();
    const bikes = await submitProposal(box, { title: 'Des pistes cyclables sécurisées', category: 'mobilite' });
    const trees = await submitProposal(box, { title: 'Planter des arbres cour Victor-Hugo', category: 'nature', text: 'Pour l’ombre en été.' });
    const bus = await submitProposal(box, { title: 'Une navette électrique le samedi', category: 'mobilite' });
    await supportFrom(trees, 3);
    await supportFrom(bus, 1);
    await api('POST', `admin/proposals/${bikes.id}/status`, { body: { status: 'under_review' }, staff: true });
    const page = await browser.resident();
    await openHost(page, { boxes: [box.id] });
    const w = widget(page);
    await expectTitles(w, [trees.title, bus.title, bikes.title]);
    await w.getByText('3 propositions').first().waitFor();

    await w.getByLabel('Trier par').selectOption({ label: 'Les plus récentes' });
    await expectTitles(w, [bus.title, trees.title, bikes.title]);
    await w.getByLabel('Trier par').selectOption({ label: 'Réponses récentes' });
    await expectTitles(w, [bikes.title, bus.title, trees.title]);

    await w.getByLabel('Catégorie', { exact: true }).selectOption({ label: 'Mobilité' });
    await expectTitles(w, [bikes.title, bus.title]);
    await w.getByLabel('Statut').selectOption({ label: "À l'étude" });
    await expectTitles(w, [bikes.title]);
    await w.getByLabel('Statut').selectOption({ index: 0 });
    await w.getByLabel('Catégorie', { exact: true }).selectOption({ index: 0 });

    await w.getByLabel('Rechercher une proposition').fill('ombre');
    await w.getByRole('button', { name: 'Rechercher', exact: true }).click();
    await expectTitles(w, [trees.title]);
    await w.getByText('1 proposition').first().waitFor();
    await w.getByLabel('Rechercher une proposition').fill('');
    await w.getByRole('button', { name: 'Rechercher', exact: true }).click();
    await expectTitles(w, [bikes.title, bus.title, trees.title]);

    for (let i = 0; i < 9; i += 1) await submitProposal(box, { title: `Idée numéro ${i + 1}`, category: 'nature' });
    await w.getByLabel('Trier par').selectOption({ label: 'Les plus soutenues' });
    const pages = w.getByRole('navigation', { name: 'Pagination' });
    const firstPage = [trees.title, bus.title, bikes.title, ...[1, 2, 3, 4, 5, 6, 7].map((n) => `Idée numéro ${n}`)];
    await pages.getByText('Page 1 sur 2').waitFor();
    await expectTitles(w, firstPage);
    await pages.getByRole('button', { name: 'Page suivante' }).click();
    await pages.getByText('Page 2 sur 2').waitFor();
    await expectTitles(w, ['Idée numéro 8', 'Idée numéro 9']);
    await pages.getByRole('button', { name: 'Page précédente' }).click();
    await pages.getByText('Page 1 sur 2').waitFor();
    await expectTitles(w, firstPage);
  });

  test('a permalink opens the proposal in place; the back button closes it', async () => {
    const box = await createBox();
    const first = await submitProposal(box, { title: 'Un jardin partagé derrière la mairie' });
    const second = await submitProposal(box, { title: 'Une boîte à livres au lavoir' });
    const page = await browser.resident();
    await openHost(page, { boxes: [box.id], hash: `#civique-proposal-${first.id}` });
    const w = widget(page);
    await w.getByRole('heading', { level: 2, name: first.title }).waitFor();
    // Its comment thread is the nested comments widget.
    await page.locator(`civique-comments[thread="${first.thread_id}"]`).waitFor({ state: 'attached' });
    await w.getByRole('button', { name: 'Retour à la liste' }).click();
    await w.getByRole('link', { name: second.title }).click();
    await w.getByRole('heading', { level: 2, name: second.title }).waitFor();
    assert.equal(new URL(page.url()).hash, `#civique-proposal-${second.id}`);
    await page.goBack();
    await w.getByRole('link', { name: second.title }).waitFor();
    assert.equal(await w.getByRole('heading', { level: 2, name: second.title }).count(), 0);
    assert.notEqual(new URL(page.url()).hash, `#civique-proposal-${second.id}`);
    await page.goForward();
    await w.getByRole('heading', { level: 2, name: second.title }).waitFor();
  });

  test('an idea opened in place has its own comment thread', async () => {
    const box = await createBox();
    const idea = await submitProposal(box, { title: 'Fleurir les ronds-points' });
    await api('POST', `threads/${idea.thread_id}/comments`, { body: { author_name: 'Dominique', text: 'Bonne idée !' }, token: await token(), status: 201 });
    const page = await browser.resident();
    await openHost(page, { boxes: [box.id], hash: `#civique-proposal-${idea.id}` });
    const thread = page.locator(`civique-comments[thread="${idea.thread_id}"]`);
    await thread.locator('.civique-comment-body').filter({ hasText: 'Bonne idée !' }).waitFor();
  });
});

describe('questions mode', () => {
  const questionsBox = () => createBox({ mode: 'questions', categories: [], title: 'Questions au conseil municipal' });

  test('questions re-sort live by votes; answered ones move to their tab', async () => {
    const box = await questionsBox();
    const parking = await submitProposal(box, { title: 'Quand rouvre le parking de la gare ?' });
    const school = await submitProposal(box, { title: 'La cantine passera-t-elle au bio ?' });
    await supportFrom(parking, 1);
    const page = await browser.resident();
    await openHost(page, { boxes: [box.id] });
    const w = widget(page);
    await expectTitles(w, [parking.title, school.title]);
    await supportFrom(school, 2);
    await expectTitles(w, [school.title, parking.title]);

    await w.getByRole('button', { name: 'Voter' }).last().click(); // the parking question, now second
    await card(w, parking.title).locator('button[aria-pressed="true"]').waitFor();
    await card(w, parking.title).getByText('2 votes').waitFor();

    await api('POST', `admin/proposals/${school.id}/status`, { body: { status: 'answered', answer: 'Oui, dès la rentrée.' }, staff: true });
    await expectTitles(w, [parking.title]);
    await w.getByRole('tab', { name: /Répondues \(1\)/ }).click();
    await expectTitles(w, [school.title]);
    await w.getByText('Oui, dès la rentrée.').waitFor();
  });

  test('a resident asks a question; the projector display shows it large, without forms', async () => {
    const box = await questionsBox();
    const page = await browser.resident();
    await openHost(page, { boxes: [box.id] });
    const w = widget(page);
    const form = w.getByRole('form', { name: 'Poser une question' });
    await form.getByLabel('Votre question').fill('Le marché de Noël aura-t-il une patinoire ?');
    await form.getByLabel('Votre nom').fill('Léa');
    await form.getByRole('button', { name: 'Poser la question' }).click();
    await card(w, 'Le marché de Noël aura-t-il une patinoire ?').waitFor();

    const projector = await browser.resident();
    await openHost(projector, { boxes: [box.id], display: 'projector' });
    const big = widget(projector);
    await card(big, 'Le marché de Noël aura-t-il une patinoire ?').waitFor();
    assert.equal(await big.getByRole('form').count(), 0);
    assert.equal(await big.getByRole('button', { name: 'Voter' }).count(), 0);
    const size = await big.getByRole('heading', { level: 3 }).first().evaluate((h) => parseFloat(getComputedStyle(h).fontSize));
    const normal = await w.getByRole('heading', { level: 3 }).first().evaluate((h) => parseFloat(getComputedStyle(h).fontSize));
    assert.ok(size >= 1.5 * normal, `projector type ${size}px vs ${normal}px`);
    await submitProposal(box, { title: 'Où en est la piscine ?' });
    await card(big, 'Où en est la piscine ?').waitFor(); // live
  });
});
