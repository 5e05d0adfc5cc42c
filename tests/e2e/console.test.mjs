// The staff console: a moderator signs in with the keyboard alone, is told of a wrong
// password without losing the address typed, sees their site and role, and signs out;
// a form posted from another site is refused; an administrator invites and disables
// members of the team, changes the site's settings and makes and revokes an API token;
// the endpoint's administrator creates a site; a moderator downloads an open-data export;
// an administrator copies a widget's embedding code and locks and unlocks it; a moderator
// publishes a proposal held for review and answers another from its box's page. axe on
// every page.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import {
  ENDPOINT, WWW, api, createBox, createThread, eventually, expectFocus, expectNoAxeViolations, openHost, postComment, submitProposal, tabTo, token,
  useBrowser, widget, widgetText,
} from './support.mjs';

const browser = useBrowser();
const LOGIN = process.env.CIVIQUE_STAFF_LOGIN;
const PASSWORD = process.env.CIVIQUE_STAFF_PASSWORD;

/** Types `text` into the focused field, which must be the one labelled `label`. */
async function typeInto(page, label, text) {
  await expectFocus(page, new RegExp(`^input:${label}`));
  await page.keyboard.type(text);
}

/** Signs `login` in, in a French browser of its own; the console's dashboard. */
async function signIn(login, password = PASSWORD) {
  const page = await browser.resident({ locale: 'fr-FR', bypassCSP: true });
  await page.goto(`${ENDPOINT}console/login`);
  await page.getByLabel('Adresse e-mail').fill(login);
  await page.getByLabel('Mot de passe').fill(password);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Tableau de bord' }).waitFor();
  return page;
}

describe('staff console', () => {
  test('a moderator signs in with the keyboard, is told of a wrong password, and signs out', async () => {
    assert.ok(LOGIN && PASSWORD, 'CIVIQUE_STAFF_LOGIN and CIVIQUE_STAFF_PASSWORD are set by cargo xtask test');
    // The console's pages allow no script: axe is injected past their policy.
    const page = await browser.resident({ locale: 'fr-FR', bypassCSP: true });
    await page.goto(`${ENDPOINT}console`);
    assert.equal(new URL(page.url()).pathname, '/console/login');
    await page.getByRole('heading', { level: 1, name: 'Connexion' }).waitFor();
    await expectNoAxeViolations(page, 'console, sign-in');

    // Skip link, then the fields in order.
    await page.keyboard.press('Tab');
    await expectFocus(page, /^a:Aller au contenu/);
    await page.keyboard.press('Tab');
    await typeInto(page, 'Adresse e-mail', LOGIN);
    await page.keyboard.press('Tab');
    await typeInto(page, 'Mot de passe', 'pas le bon mot de passe');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'Adresse e-mail ou mot de passe incorrect.' }).waitFor();
    assert.equal(await page.getByLabel('Adresse e-mail').inputValue(), LOGIN);
    assert.equal(await page.getByLabel('Mot de passe').inputValue(), '');
    assert.equal(await page.getByLabel('Mot de passe').getAttribute('aria-invalid'), 'true');
    await expectNoAxeViolations(page, 'console, wrong password');

    await page.getByLabel('Mot de passe').focus();
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Tableau de bord' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/console');
    await page.getByText('saint-exemple : modération').waitFor();
    await page.getByText(`(${LOGIN})`).waitFor();
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'civique_console');
    assert.ok(session, 'a session cookie');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.deepEqual(await page.evaluate(() => document.cookie), '', 'no script reads it');
    await expectNoAxeViolations(page, 'console, dashboard');

    // A form posted without the session's CSRF token is refused; one the town's website
    // posts changes nothing (another origin: refused by its Origin here, where both are on
    // 127.0.0.1; from another site, SameSite=Strict would not even send the cookie).
    const forged = await page.evaluate(async (url) => {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'csrf=forged' });
      return r.status;
    }, `${ENDPOINT}console/logout-all`);
    assert.equal(forged, 403);
    const elsewhere = await page.context().newPage();
    await elsewhere.goto(WWW);
    await elsewhere.evaluate(async (url) => {
      await fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include', body: new URLSearchParams({ csrf: 'x' }) });
    }, `${ENDPOINT}console/logout-all`);
    await elsewhere.close();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Tableau de bord' }).waitFor();

    await page.getByRole('button', { name: 'Se déconnecter', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Vous êtes déconnecté.' }).waitFor();
    await expectNoAxeViolations(page, 'console, signed out');
    await page.goto(`${ENDPOINT}console`);
    assert.equal(new URL(page.url()).pathname, '/console/login');
  });

  test('a moderator hides a reported comment from the queue with the keyboard; it leaves the site live', async () => {
    const thread = await createThread({ title: 'Fête du quartier' });
    await postComment(thread.id, 'Un avis sans histoire');
    const reported = await postComment(thread.id, 'Un avis à masquer');
    await api('POST', `comments/${reported.id}/reports`, { body: { reason: 'Hors sujet' }, token: await token(), status: 204 });

    const resident = await browser.resident();
    await openHost(resident, { threads: [thread.id] });
    await widget(resident).getByText('Un avis à masquer').waitFor();

    const page = await signIn(LOGIN);
    await page.getByRole('link', { name: 'À modérer' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'À modérer : saint-exemple' }).waitFor();
    const item = page.getByRole('article', { name: 'Fête du quartier' }).filter({ hasText: 'Un avis à masquer' });
    await item.getByText('Signalements : 1').waitFor();
    await item.getByText('Hors sujet').waitFor();
    await expectNoAxeViolations(page, 'console, review queue');

    await item.getByLabel(/^Raison publique/).focus();
    await page.keyboard.type('Hors charte');
    await tabTo(page, /^button:Masquer/);
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Commentaire masqué.' }).waitFor();
    assert.equal(await page.getByText('Un avis à masquer').count(), 0);
    await expectNoAxeViolations(page, 'console, review queue after hiding');

    // The resident's page drops it without reloading; the other comment stays.
    await eventually(async () => assert.doesNotMatch(await widgetText(widget(resident)), /Un avis à masquer/));
    assert.match(await widgetText(widget(resident)), /Un avis sans histoire/);
  });

  test('a moderator answers officially a resident left without an answer, with the keyboard', async () => {
    const thread = await createThread({ title: 'Horaires de la piscine' });
    await postComment(thread.id, 'La piscine ouvre-t-elle le dimanche ?');
    const page = await signIn(LOGIN);
    // Everything posted until now: 0 hours of waiting.
    await page.goto(`${ENDPOINT}console/sites/saint-exemple/unanswered?hours=0`);
    const item = page.getByRole('article', { name: 'Horaires de la piscine' });
    await item.getByText('La piscine ouvre-t-elle le dimanche ?').waitFor();
    await expectNoAxeViolations(page, 'console, unanswered');
    await item.getByLabel('Réponse officielle').focus();
    await page.keyboard.type('Oui, de 9 h à 13 h.');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Réponse officielle publiée.' }).waitFor();
    assert.equal(await page.getByRole('article', { name: 'Horaires de la piscine' }).count(), 0);
    await expectNoAxeViolations(page, 'console, unanswered after answering');
    const comments = await api('GET', `threads/${thread.id}/comments`);
    assert.equal(comments.comments[0].replies[0].official, true);
    assert.equal(comments.comments[0].replies[0].text, 'Oui, de 9 h à 13 h.');
  });

  test("the site's administrator reads the audit log; a moderator is told it is not theirs", async () => {
    const moderator = await signIn(LOGIN);
    assert.equal(await moderator.getByRole('link', { name: 'Journal des actions' }).count(), 0);
    const refused = await moderator.goto(`${ENDPOINT}console/sites/saint-exemple/audit`);
    assert.equal(refused.status(), 403);
    await moderator.getByRole('alert').filter({ hasText: 'Seuls les administrateurs du site' }).waitFor();
    await expectNoAxeViolations(moderator, 'console, admin page refused to a moderator');

    const admin = await signIn(process.env.CIVIQUE_STAFF_ADMIN_LOGIN);
    await admin.getByRole('link', { name: 'Journal des actions' }).focus();
    await admin.keyboard.press('Enter');
    await admin.getByRole('heading', { level: 1, name: 'Journal des actions : saint-exemple' }).waitFor();
    await admin.getByRole('table', { name: 'Journal des actions' }).waitFor();
    await expectNoAxeViolations(admin, 'console, audit log');
    // Filtered by action, then sent with the keyboard: only the hiding the moderation test did.
    await admin.getByLabel('Action', { exact: true }).selectOption('hide');
    await admin.getByRole('button', { name: 'Filtrer' }).focus();
    await admin.keyboard.press('Enter');
    await admin.waitForURL(/action=hide/);
    const actions = await admin.locator('tbody tr td:nth-child(3)').allInnerTexts();
    assert.ok(actions.length >= 1, 'the hiding done above is listed');
    assert.deepEqual([...new Set(actions)], ['hide']);
    await expectNoAxeViolations(admin, 'console, audit log filtered');
  });

  test('an administrator invites a moderator with the keyboard; the link makes an account once; the administrator disables it', async () => {
    const admin = await signIn(process.env.CIVIQUE_STAFF_ADMIN_LOGIN);
    await admin.getByRole('link', { name: 'Équipe' }).focus();
    await admin.keyboard.press('Enter');
    await admin.getByRole('heading', { level: 1, name: 'Équipe : saint-exemple' }).waitFor();
    await admin.getByRole('table', { name: 'Membres de l’équipe' }).waitFor();
    await expectNoAxeViolations(admin, 'console, team');

    // An address the browser lets through but the endpoint refuses (no domain) is said at
    // the field, which keeps it; then corrected, with the keyboard alone.
    const invited = `nouveau-${Date.now()}@saint-exemple.fr`;
    await admin.getByLabel('Adresse e-mail').focus();
    await admin.keyboard.type('agent@mairie');
    await tabTo(admin, /^button:Créer le lien/);
    await admin.keyboard.press('Enter');
    await admin.getByText('Saisissez une adresse e-mail valide').waitFor();
    assert.equal(await admin.getByLabel('Adresse e-mail').inputValue(), 'agent@mairie');
    assert.equal(await admin.getByLabel('Adresse e-mail').getAttribute('aria-invalid'), 'true');
    await expectNoAxeViolations(admin, 'console, team, invitation refused');
    await admin.getByLabel('Adresse e-mail').fill('');
    await admin.getByLabel('Adresse e-mail').focus();
    await admin.keyboard.type(invited);
    await tabTo(admin, /^button:Créer le lien/);
    await admin.keyboard.press('Enter');
    await admin.getByRole('status').filter({ hasText: 'Invitation créée pour' }).waitFor();
    const link = await admin.getByLabel('Lien d’invitation').inputValue();
    assert.match(link, /\/console\/invite\/[0-9a-f]{64}$/);
    await admin.getByRole('table', { name: 'Invitations en attente' }).getByText(invited).waitFor();
    await expectNoAxeViolations(admin, 'console, team, invitation created');

    // The invited person opens the link in their own browser.
    const newcomer = await browser.resident({ locale: 'fr-FR', bypassCSP: true });
    await newcomer.goto(link);
    await newcomer.getByRole('heading', { level: 1, name: 'Rejoindre l’équipe' }).waitFor();
    await expectNoAxeViolations(newcomer, 'console, invitation');
    await newcomer.keyboard.press('Tab');
    await newcomer.keyboard.press('Tab');
    await typeInto(newcomer, 'Nom', 'Dominique Nouveau');
    await newcomer.keyboard.press('Tab');
    await newcomer.keyboard.type('une phrase de passe neuve');
    await newcomer.keyboard.press('Tab');
    await newcomer.keyboard.type('une autre phrase de passe');
    await newcomer.keyboard.press('Enter');
    await newcomer.getByRole('alert').filter({ hasText: 'Corrigez les champs signalés' }).waitFor();
    await newcomer.getByText('Les deux mots de passe ne sont pas identiques.').waitFor();
    assert.equal(await newcomer.getByLabel('Nom').inputValue(), 'Dominique Nouveau');
    await expectNoAxeViolations(newcomer, 'console, invitation refused');
    await newcomer.getByLabel(/^Mot de passe/).fill('une phrase de passe neuve');
    await newcomer.getByLabel('Le même mot de passe, à nouveau').fill('une phrase de passe neuve');
    await newcomer.getByLabel('Le même mot de passe, à nouveau').press('Enter');
    await newcomer.getByRole('status').filter({ hasText: 'Vous avez rejoint l’équipe.' }).waitFor();
    assert.equal(await newcomer.getByLabel('Adresse e-mail').inputValue(), invited);
    await expectNoAxeViolations(newcomer, 'console, invitation accepted');
    await newcomer.getByLabel('Mot de passe').fill('une phrase de passe neuve');
    await newcomer.keyboard.press('Enter');
    await newcomer.getByRole('heading', { level: 1, name: 'Tableau de bord' }).waitFor();
    await newcomer.getByText('saint-exemple : modération').waitFor();
    const again = await newcomer.goto(link);
    assert.equal(again.status(), 404);

    // Disabled by the administrator: the newcomer's session ends at once.
    await admin.goto(`${ENDPOINT}console/sites/saint-exemple/staff`);
    await admin.getByRole('button', { name: `Désactiver : ${invited}` }).focus();
    await admin.keyboard.press('Enter');
    await admin.getByRole('status').filter({ hasText: 'Compte désactivé' }).waitFor();
    await expectNoAxeViolations(admin, 'console, team, account disabled');
    await newcomer.goto(`${ENDPOINT}console`);
    assert.equal(new URL(newcomer.url()).pathname, '/console/login');
  });

  test("an administrator changes the site's settings with the keyboard; a refused field keeps what was typed; a new rule applies at once", async () => {
    const admin = await signIn(process.env.CIVIQUE_STAFF_ADMIN_LOGIN);
    await admin.getByRole('link', { name: 'Réglages' }).focus();
    await admin.keyboard.press('Enter');
    await admin.getByRole('heading', { level: 1, name: 'Réglages du site : saint-exemple' }).waitFor();
    await expectNoAxeViolations(admin, 'console, site settings');

    const words = admin.getByLabel('Mots interdits', { exact: true });
    const origins = admin.getByLabel('Sites web qui intègrent les modules');
    const [wordsBefore, originsBefore] = [await words.inputValue(), await origins.inputValue()];
    const save = async () => {
      await tabTo(admin, /^button:Enregistrer les réglages/);
      await admin.keyboard.press('Enter');
    };
    // A line that is not an origin is said at its field; the word typed elsewhere stays.
    const word = `motinterdit${Date.now()}`;
    await origins.focus();
    await admin.keyboard.press('Control+End');
    await admin.keyboard.type('\nhttps://www.saint-exemple.fr/accueil');
    await words.focus();
    await admin.keyboard.press('Control+End');
    await admin.keyboard.type(`\n${word}`);
    await save();
    await admin.getByRole('alert').filter({ hasText: 'Corrigez les champs signalés' }).waitFor();
    await admin.getByText('Une ligne n’est pas une origine').waitFor();
    assert.equal(await origins.getAttribute('aria-invalid'), 'true');
    assert.match(await origins.inputValue(), /\/accueil$/);
    assert.match(await words.inputValue(), new RegExp(`${word}$`));
    await expectNoAxeViolations(admin, 'console, site settings refused');

    await origins.fill(originsBefore);
    await words.focus();
    await save();
    await admin.getByRole('status').filter({ hasText: 'Réglages enregistrés' }).waitFor();
    await expectNoAxeViolations(admin, 'console, site settings saved');

    // A resident's comment holding the new word is refused from now on.
    const thread = (await createThread()).id;
    const refused = await fetch(`${ENDPOINT}api/v1/threads/${thread}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: new URL(WWW).origin, 'x-civique-participant': await token() },
      body: JSON.stringify({ author_name: 'Voisin', text: `Un avis avec ${word} dedans.` }),
    });
    assert.equal(refused.status, 422);
    assert.equal((await refused.json()).error.code, 'blocked_words');

    await admin.getByLabel('Mots interdits', { exact: true }).fill(wordsBefore);
    await admin.getByLabel('Mots interdits', { exact: true }).focus();
    await save();
    await admin.getByRole('status').filter({ hasText: 'Réglages enregistrés' }).waitFor();
    assert.equal(await admin.getByLabel('Mots interdits', { exact: true }).inputValue(), wordsBefore);
  });

  test('an administrator makes an API token with the keyboard, it acts on the site only, and revoking it stops it', async () => {
    const admin = await signIn(process.env.CIVIQUE_STAFF_ADMIN_LOGIN);
    await admin.getByRole('link', { name: 'Jetons d’API' }).focus();
    await admin.keyboard.press('Enter');
    await admin.getByRole('heading', { level: 1, name: 'Jetons d’API du site : saint-exemple' }).waitFor();
    await expectNoAxeViolations(admin, 'console, API tokens');

    // An empty name is said at the field; then a name, and the token shown once.
    await tabTo(admin, /^button:Créer le jeton/);
    await admin.getByLabel('Nom du jeton (à quoi il sert)').evaluate((input) => input.removeAttribute('required'));
    await admin.keyboard.press('Enter');
    await admin.getByText('Donnez un nom de 1 à 64 caractères').waitFor();
    assert.equal(await admin.getByLabel('Nom du jeton (à quoi il sert)').getAttribute('aria-invalid'), 'true');
    await expectNoAxeViolations(admin, 'console, API tokens, name refused');
    const name = `Import ${Date.now()}`;
    await admin.getByLabel('Nom du jeton (à quoi il sert)').focus();
    await admin.keyboard.type(name);
    await admin.keyboard.press('Enter');
    await admin.getByRole('status').filter({ hasText: 'Jeton créé' }).waitFor();
    const secret = await admin.getByLabel('Jeton', { exact: true }).inputValue();
    assert.match(secret, /^civ_[0-9a-f]{64}$/);
    await admin.getByRole('table', { name: 'Jetons d’API' }).getByText(name).waitFor();
    await expectNoAxeViolations(admin, 'console, API tokens, token created');

    // The token works on its site, not on another, and is never shown again.
    const use = (path, init = {}) => fetch(`${ENDPOINT}api/v1/admin${path}`, {
      ...init,
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    });
    const threads = await use('/threads');
    assert.equal(threads.status, 200);
    assert.ok((await threads.json()).every((thread) => thread.site_id === 'saint-exemple'));
    const site = await use('/sites', { method: 'POST', body: JSON.stringify({ id: `autre-${Date.now()}`, name: 'Autre', origins: [] }) });
    assert.equal(site.status, 403);
    assert.equal((await site.json()).error.code, 'forbidden');
    await admin.goto(`${ENDPOINT}console/sites/saint-exemple/tokens`);
    assert.equal(await admin.getByLabel('Jeton', { exact: true }).count(), 0);

    await admin.getByRole('button', { name: `Révoquer : ${name}` }).focus();
    await admin.keyboard.press('Enter');
    await admin.getByRole('status').filter({ hasText: 'Jeton révoqué' }).waitFor();
    await expectNoAxeViolations(admin, 'console, API tokens, token revoked');
    assert.equal((await use('/threads')).status, 401);
  });

  test("the endpoint's administrator creates a site with the keyboard; a taken id is said and everything typed stays", async () => {
    const login = process.env.CIVIQUE_STAFF_ENDPOINT_LOGIN;
    assert.ok(login, 'CIVIQUE_STAFF_ENDPOINT_LOGIN is set by cargo xtask test');
    const admin = await signIn(login);
    // Every site is theirs to run; a site's own administrator has no such link.
    await admin.getByText('saint-exemple : administration').waitFor();
    await admin.getByRole('link', { name: 'Créer un site' }).focus();
    await admin.keyboard.press('Enter');
    await admin.getByRole('heading', { level: 1, name: 'Nouveau site' }).waitFor();
    await expectNoAxeViolations(admin, 'console, new site');

    const id = `commune-${Date.now()}`;
    const create = async () => {
      await tabTo(admin, /^button:Créer le site/);
      await admin.keyboard.press('Enter');
    };
    await tabTo(admin, /^input:Identifiant du site/);
    await admin.keyboard.type('saint-exemple');
    await admin.keyboard.press('Tab');
    await typeInto(admin, 'Nom du site', 'Commune d’essai');
    await admin.keyboard.press('Tab');
    await admin.keyboard.type('https://www.commune-essai.fr');
    await create();
    await admin.getByRole('alert').filter({ hasText: 'Corrigez les champs signalés' }).waitFor();
    await admin.getByText('Un site porte déjà cet identifiant').waitFor();
    assert.equal(await admin.getByLabel(/^Identifiant du site/).getAttribute('aria-invalid'), 'true');
    assert.equal(await admin.getByLabel(/^Nom du site/).inputValue(), 'Commune d’essai');
    assert.equal(await admin.getByLabel('Sites web qui intègrent les modules').inputValue(), 'https://www.commune-essai.fr');
    await expectNoAxeViolations(admin, 'console, new site refused');

    await admin.getByLabel(/^Identifiant du site/).fill('');
    await admin.getByLabel(/^Identifiant du site/).focus();
    await admin.keyboard.type(id);
    await create();
    await admin.getByRole('status').filter({ hasText: 'Site créé' }).waitFor();
    await admin.getByRole('heading', { level: 1, name: `Réglages du site : ${id}` }).waitFor();
    await expectNoAxeViolations(admin, 'console, site created');
    // Its origin may embed widgets at once.
    const preflight = await fetch(`${ENDPOINT}api/v1/sites/${id}/me`, {
      method: 'OPTIONS',
      headers: { origin: 'https://www.commune-essai.fr', 'access-control-request-method': 'GET' },
    });
    assert.equal(preflight.status, 204);
    await admin.goto(`${ENDPOINT}console`);
    await admin.getByText(`${id} : administration`).waitFor();

    const webmaster = await signIn(process.env.CIVIQUE_STAFF_ADMIN_LOGIN);
    assert.equal(await webmaster.getByRole('link', { name: 'Créer un site' }).count(), 0);
    const refused = await webmaster.goto(`${ENDPOINT}console/sites/new`);
    assert.equal(refused.status(), 403);
    await webmaster.getByText('Seuls les administrateurs de l’endpoint').waitFor();
    await expectNoAxeViolations(webmaster, 'console, new site refused to a site administrator');
  });

  test("a moderator lists the site's widgets and downloads a discussion's open-data export with the keyboard", async () => {
    const thread = (await createThread({ title: `Export ${Date.now()}` })).id;
    const text = `Un avis à publier, ${Date.now()}`;
    await postComment(thread, text, { name: 'Prénom Nomdefamille' });
    const page = await signIn(LOGIN);
    await page.getByRole('link', { name: 'Modules' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Modules du site : saint-exemple' }).waitFor();
    await page.getByRole('table', { name: 'Discussions' }).waitFor();
    await expectNoAxeViolations(page, 'console, widgets');

    const row = page.getByRole('row').filter({ hasText: thread });
    await row.getByRole('link', { name: /^CSV/ }).focus();
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    assert.equal(download.suggestedFilename(), `thread-${thread}.csv`);
    const csv = await readFile(await download.path(), 'utf8');
    assert.match(csv, /^comment_id,parent_id,created_at,edited_at,official,useful,text\r\n/);
    assert.ok(csv.includes(`"${text}"`), csv);
    assert.ok(!csv.includes('Nomdefamille'), 'no author name in an open-data export');
  });

  test('an administrator copies a discussion\'s embedding code and locks and unlocks it with the keyboard', async () => {
    const title = `Verrou ${Date.now()}`;
    const thread = (await createThread({ title })).id;
    const admin = await signIn(process.env.CIVIQUE_STAFF_ADMIN_LOGIN);
    await admin.getByRole('link', { name: 'Modules' }).focus();
    await admin.keyboard.press('Enter');
    await admin.getByRole('heading', { level: 1, name: 'Modules du site : saint-exemple' }).waitFor();
    const row = admin.getByRole('row').filter({ hasText: thread });
    await row.getByText('Code d’intégration').focus();
    await admin.keyboard.press('Enter');
    const code = await row.getByLabel(`À coller dans une page du site de la commune (la ligne script une fois par page) : ${title}`).inputValue();
    assert.ok(code.includes(`<script type="module" src="${new URL(ENDPOINT).origin}/civique.js"></script>`), code);
    assert.ok(code.includes(`<civique-comments thread="${thread}"></civique-comments>`), code);
    assert.ok(code.includes(`<div data-civique-comments="${thread}"></div>`), code);
    await expectNoAxeViolations(admin, 'console, widgets, embedding code open');

    await admin.getByRole('button', { name: `Verrouiller : ${title}` }).focus();
    await admin.keyboard.press('Enter');
    await admin.getByRole('status').filter({ hasText: 'Fermé' }).waitFor();
    await expectNoAxeViolations(admin, 'console, widgets, discussion locked');
    const refused = await fetch(`${ENDPOINT}api/v1/threads/${thread}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: new URL(WWW).origin, 'x-civique-participant': await token() },
      body: JSON.stringify({ author_name: 'Voisin', text: 'Encore un mot.' }),
    });
    assert.equal((await refused.json()).error.code, 'thread_locked');

    await admin.getByRole('button', { name: `Déverrouiller : ${title}` }).focus();
    await admin.keyboard.press('Enter');
    await admin.getByRole('status').filter({ hasText: 'Rouvert' }).waitFor();
    await postComment(thread, 'De nouveau ouvert.');
  });

  test('a moderator publishes a proposal held for review with the keyboard, and residents see it', async () => {
    const box = await createBox({ pre_moderation: true, title: `Halle ${Date.now()}` });
    const title = `Un kiosque ${Date.now()}`;
    const held = await submitProposal(box, { title });
    const page = await signIn(LOGIN);
    await page.getByRole('link', { name: /^À modérer/ }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 2, name: 'Propositions en attente de validation' }).waitFor();
    const item = page.getByRole('article', { name: title });
    await item.getByText(box.title).waitFor();
    await expectNoAxeViolations(page, 'console, review with proposals');
    await item.getByRole('button', { name: 'Publier' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Proposition publiée' }).waitFor();
    assert.equal(await page.getByRole('article', { name: title }).count(), 0);
    const listed = await api('GET', `boxes/${box.id}/proposals`);
    assert.ok(listed.proposals.some((p) => p.id === held.id && p.title === title), JSON.stringify(listed));
  });

  test("a moderator answers a proposal from its box's page with the keyboard, and residents read the answer", async () => {
    const box = await createBox({ title: `Quartiers ${Date.now()}` });
    const title = `Un jardin ${Date.now()}`;
    const made = await submitProposal(box, { title });
    const page = await signIn(LOGIN);
    await page.goto(`${ENDPOINT}console/sites/saint-exemple/widgets`);
    await page.getByRole('link', { name: box.title, exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: `Boîte à idées : ${box.title}` }).waitFor();
    await expectNoAxeViolations(page, 'console, box');
    const item = page.getByRole('article', { name: title });
    // "Doublon" without the proposal it duplicates: said, and the answer typed stays.
    await item.getByLabel('Statut', { exact: true }).selectOption('duplicate');
    await item.getByLabel(/^Réponse de la commune/).focus();
    await page.keyboard.type('Nous l’étudions.');
    await tabTo(page, /^button:Enregistrer le statut/);
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'Corrigez les champs signalés' }).waitFor();
    const again = page.getByRole('article', { name: title });
    assert.equal(await again.getByLabel(/^Réponse de la commune/).inputValue(), 'Nous l’étudions.');
    await expectNoAxeViolations(page, 'console, box, status refused');
    await again.getByLabel('Statut', { exact: true }).selectOption('accepted');
    await again.getByLabel(/^Réponse de la commune/).focus();
    await tabTo(page, /^button:Enregistrer le statut/);
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Statut enregistré' }).waitFor();
    const seen = await api('GET', `proposals/${made.id}`);
    assert.equal(seen.status, 'accepted');
    assert.equal(seen.answer, 'Nous l’étudions.');
  });

  test('the console speaks English to an English browser', async () => {
    const page = await browser.resident({ locale: 'en-GB', bypassCSP: true });
    await page.goto(`${ENDPOINT}console/login`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await expectNoAxeViolations(page, 'console, sign-in, English');
  });
});
