//! A site's settings in the console over real HTTP: its administrators change its name,
//! origins, privacy notice, retention and comment rules, which apply at once and are
//! audited; a refused field comes back with everything typed; moderators and other sites'
//! staff are refused; the endpoint's administrators change any site, and create sites.

mod common;

use civique_api::staff::{Role, SiteRole};
use common::console::*;
use common::*;
use reqwest::header::{ACCESS_CONTROL_REQUEST_METHOD, LOCATION, ORIGIN};
use reqwest::{Method, StatusCode};

const ADMIN: &str = "webmestre@town.example";
const MODERATOR: &str = "moderation@town.example";
const NEW_ORIGIN: &str = "https://www.town.example";

async fn with_team() -> TestServer {
    let server = TestServer::start().await;
    for (login, role) in [(ADMIN, Role::Admin), (MODERATOR, Role::Moderator)] {
        let roles = vec![SiteRole {
            site_id: SITE.into(),
            role,
        }];
        staff(&server, login, roles).await;
    }
    server
}

/// The settings form with `changes` over the values of [`SITE`] as created.
fn settings<'a>(csrf: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("csrf", csrf),
        ("name", "Site town"),
        ("origins", SITE_ORIGIN),
        ("privacy_url", ""),
        ("retention_months", "12"),
        ("report_threshold", "3"),
        ("blocked_words", ""),
        ("blocked_words_action", "reject"),
    ];
    for (name, value) in changes {
        match form.iter_mut().find(|(field, _)| field == name) {
            Some(field) => field.1 = value,
            None => form.push((name, value)),
        }
    }
    form
}

async fn save(server: &TestServer, cookie: &str, form: &[(&str, &str)]) -> reqwest::Response {
    post_form(
        server,
        &format!("/console/sites/{SITE}/settings"),
        cookie,
        form,
    )
    .await
}

/// The status of a CORS preflight from `origin`.
async fn preflight(server: &TestServer, origin: &str) -> StatusCode {
    server
        .request(Method::OPTIONS, &format!("/api/v1/sites/{SITE}/me"))
        .header(ORIGIN, origin)
        .header(ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .send()
        .await
        .unwrap()
        .status()
}

async fn site_name(server: &TestServer, name: &str) -> i64 {
    server
        .count(&format!(
            "SELECT COUNT(*) FROM sites WHERE id = '{SITE}' AND name = '{name}'"
        ))
        .await
}

#[tokio::test]
async fn administrators_change_their_sites_settings_which_apply_at_once() {
    let server = with_team().await;
    let (cookie, csrf) = signed_in(&server, ADMIN).await;
    let page = get(&server, &format!("/console/sites/{SITE}/settings"), &cookie).await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("value=\"Site town\""), "{page}");
    assert!(page.contains(SITE_ORIGIN), "{page}");
    assert_eq!(preflight(&server, NEW_ORIGIN).await, StatusCode::FORBIDDEN);

    let origins = format!("{SITE_ORIGIN}\n{NEW_ORIGIN}\n");
    let notice = "https://www.town.example/confidentialite";
    let form = settings(
        &csrf,
        &[
            ("name", "Ville de Town"),
            ("origins", &origins),
            ("privacy_url", notice),
            ("retention_months", "24"),
            ("report_threshold", "2"),
            ("blocked_words", "arnaque\n  \nescroc"),
            ("blocked_words_action", "review"),
            ("auto_threads", "on"),
        ],
    );
    let saved = save(&server, &cookie, &form).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        saved.headers()[LOCATION],
        format!("/console/sites/{SITE}/settings?done=saved")
    );
    let page = get(
        &server,
        &format!("/console/sites/{SITE}/settings?done=saved"),
        &cookie,
    )
    .await;
    let page = page.text().await.unwrap();
    assert!(page.contains("Réglages enregistrés"), "{page}");
    assert!(page.contains("value=\"Ville de Town\""), "{page}");
    assert!(page.contains("arnaque\nescroc</textarea>"), "{page}");
    assert!(page.contains("value=\"review\" selected"), "{page}");
    assert!(
        page.contains("name=\"auto_threads\" value=\"on\" checked"),
        "{page}"
    );

    // The widgets follow: the new origin passes CORS, the privacy link leads to the notice.
    assert_eq!(preflight(&server, NEW_ORIGIN).await, StatusCode::NO_CONTENT);
    let privacy = browser()
        .get(server.url(&format!("/api/v1/sites/{SITE}/privacy")))
        .send()
        .await
        .unwrap();
    assert_eq!(privacy.headers()[LOCATION], notice);
    assert_eq!(site_name(&server, "Ville de Town").await, 1);
    let stored = server
        .count(&format!(
            "SELECT COUNT(*) FROM sites WHERE id = '{SITE}' AND retention_months = 24 \
             AND report_threshold = 2 AND blocked_words_action = 'review' AND auto_threads"
        ))
        .await;
    assert_eq!(stored, 1);
    let audited = server
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'update' \
             AND actor = 'staff:{ADMIN}' AND target = 'site:{SITE}'"
        ))
        .await;
    assert_eq!(audited, 1);

    // Unticked, the box turns the setting off; an origin removed is refused again.
    let saved = save(&server, &cookie, &settings(&csrf, &[])).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(preflight(&server, NEW_ORIGIN).await, StatusCode::FORBIDDEN);
    let off = server
        .count(&format!(
            "SELECT COUNT(*) FROM sites WHERE id = '{SITE}' AND NOT auto_threads"
        ))
        .await;
    assert_eq!(off, 1);
}

#[tokio::test]
async fn a_refused_field_is_said_beside_it_and_everything_typed_stays() {
    let server = with_team().await;
    let (cookie, csrf) = signed_in(&server, ADMIN).await;
    let wrong_origin = "https://www.town.example/accueil";
    let origins = format!("{SITE_ORIGIN}\n{wrong_origin}");
    let form = settings(
        &csrf,
        &[
            ("name", "Nouveau nom"),
            ("origins", &origins),
            ("blocked_words", "arnaque"),
        ],
    );
    let refused = save(&server, &cookie, &form).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap();
    assert!(page.contains("Corrigez les champs signalés"), "{page}");
    assert!(
        page.contains(
            "aria-invalid=\"true\" aria-describedby=\"site-origins-problem site-origins-hint\""
        ),
        "{page}"
    );
    assert!(page.contains(wrong_origin), "{page}");
    assert!(page.contains("value=\"Nouveau nom\""), "{page}");
    assert!(page.contains(">arnaque</textarea>"), "{page}");
    assert_eq!(site_name(&server, "Site town").await, 1);

    for (field, value, id) in [
        ("retention_months", "deux ans", "site-retention_months"),
        ("retention_months", "121", "site-retention_months"),
        ("report_threshold", "0", "site-report_threshold"),
        ("privacy_url", "javascript:alert(1)", "site-privacy_url"),
        ("name", "   ", "site-name"),
    ] {
        let refused = save(&server, &cookie, &settings(&csrf, &[(field, value)])).await;
        assert_eq!(
            refused.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}"
        );
        let page = refused.text().await.unwrap();
        let marked = format!("id=\"{id}-problem\"");
        assert!(page.contains(&marked), "{field} {value}: {page}");
    }
    assert_eq!(site_name(&server, "Site town").await, 1);
}

#[tokio::test]
async fn moderators_and_other_sites_staff_cannot_change_a_site() {
    let server = with_team().await;
    server.create_site("elsewhere", &[]).await;
    let other = "voisin@elsewhere.example";
    let roles = vec![SiteRole {
        site_id: "elsewhere".into(),
        role: Role::Admin,
    }];
    staff(&server, other, roles).await;

    let (cookie, csrf) = signed_in(&server, MODERATOR).await;
    let page = get(&server, &format!("/console/sites/{SITE}/settings"), &cookie).await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("Seuls les administrateurs"));
    let form = settings(&csrf, &[("name", "Pris")]);
    assert_eq!(
        save(&server, &cookie, &form).await.status(),
        StatusCode::FORBIDDEN
    );
    // Even a wrong field is not told to one who may not change the site.
    let form = settings(&csrf, &[("name", "Pris"), ("report_threshold", "0")]);
    assert_eq!(
        save(&server, &cookie, &form).await.status(),
        StatusCode::FORBIDDEN
    );
    let form = settings(&csrf, &[("name", "Pris"), ("retention_months", "deux ans")]);
    assert_eq!(
        save(&server, &cookie, &form).await.status(),
        StatusCode::FORBIDDEN
    );

    let (cookie, csrf) = signed_in(&server, other).await;
    let page = get(&server, &format!("/console/sites/{SITE}/settings"), &cookie).await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    let form = settings(&csrf, &[("name", "Pris")]);
    assert_eq!(
        save(&server, &cookie, &form).await.status(),
        StatusCode::FORBIDDEN
    );

    // Without the session's CSRF token, not even an administrator.
    let (cookie, _) = signed_in(&server, ADMIN).await;
    let form = settings("forged", &[("name", "Pris")]);
    assert_eq!(
        save(&server, &cookie, &form).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(site_name(&server, "Pris").await, 0);
    assert_eq!(site_name(&server, "Site town").await, 1);
}

/// Makes an administrator of the whole endpoint; their login.
async fn endpoint_admin(server: &TestServer) -> &'static str {
    let login = "exploitation@provider.example";
    server
        .state
        .service
        .create_staff(civique_server::service::staff::StaffInput {
            login: login.into(),
            name: "Exploitation".into(),
            password: PASSWORD.into(),
            endpoint_admin: true,
            roles: vec![],
        })
        .await
        .unwrap();
    login
}

#[tokio::test]
async fn the_endpoints_administrators_change_any_site_and_are_told_of_an_unknown_one() {
    let server = with_team().await;
    let login = endpoint_admin(&server).await;
    let (cookie, csrf) = signed_in(&server, login).await;
    let saved = save(
        &server,
        &cookie,
        &settings(&csrf, &[("name", "Par le service")]),
    )
    .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(site_name(&server, "Par le service").await, 1);

    let page = get(&server, "/console/sites/nulle-part/settings", &cookie).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(page.text().await.unwrap().contains("un site) n’existe pas"));
    let form = settings(&csrf, &[]);
    let refused = post_form(
        &server,
        "/console/sites/nulle-part/settings",
        &cookie,
        &form,
    )
    .await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM sites WHERE id = 'nulle-part'")
            .await,
        0
    );
}

async fn home_page(server: &TestServer, cookie: &str) -> String {
    home(server, cookie).await.text().await.unwrap()
}

/// The new site form with `changes` over a valid site `bourg`.
fn new_site<'a>(csrf: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = settings(
        csrf,
        &[
            ("name", "Bourg-la-Forêt"),
            ("origins", "https://bourg.example"),
        ],
    );
    form.push(("id", "bourg"));
    for (name, value) in changes {
        let field = form.iter_mut().find(|(field, _)| field == name).unwrap();
        field.1 = value;
    }
    form
}

#[tokio::test]
async fn the_endpoints_administrators_create_sites_which_work_at_once() {
    let server = with_team().await;
    let login = endpoint_admin(&server).await;
    let (cookie, csrf) = signed_in(&server, login).await;
    let home = home_page(&server, &cookie).await;
    assert!(home.contains("href=\"/console/sites/new\""), "{home}");
    assert!(
        home.contains(&format!("/console/sites/{SITE}/settings")),
        "{home}"
    );
    let blank = get(&server, "/console/sites/new", &cookie).await;
    assert_eq!(blank.status(), StatusCode::OK);
    let blank = blank.text().await.unwrap();
    assert!(blank.contains("name=\"id\""), "{blank}");
    assert!(
        blank.contains("value=\"12\""),
        "the default retention: {blank}"
    );

    let created = post_form(&server, "/console/sites", &cookie, &new_site(&csrf, &[])).await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let done = created.headers()[LOCATION].to_str().unwrap().to_owned();
    assert_eq!(done, "/console/sites/bourg/settings?done=created");
    let page = get(&server, &done, &cookie).await.text().await.unwrap();
    assert!(page.contains("Site créé"), "{page}");
    assert!(page.contains("Bourg-la-Forêt"), "{page}");
    // Its origin may embed widgets at once, and the creation is audited.
    let preflight = server
        .request(Method::OPTIONS, "/api/v1/sites/bourg/me")
        .header(ORIGIN, "https://bourg.example")
        .header(ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    let audit = server
        .text("SELECT action || ' ' || target || ' ' || actor FROM audit_log ORDER BY id DESC LIMIT 1")
        .await;
    assert_eq!(audit, format!("create site:bourg staff:{login}"));
    let home = home_page(&server, &cookie).await;
    assert!(home.contains("/console/sites/bourg/staff"), "{home}");
}

#[tokio::test]
async fn a_refused_new_site_is_said_beside_its_field_and_everything_typed_stays() {
    let server = with_team().await;
    let login = endpoint_admin(&server).await;
    let (cookie, csrf) = signed_in(&server, login).await;
    for (changes, said) in [
        (vec![("id", "Bourg Neuf")], "lettres minuscules sans accent"),
        (vec![("id", SITE)], "déjà cet identifiant"),
        (vec![("origins", "bourg.example")], "n’est pas une origine"),
        (vec![("retention_months", "douze")], "nombre entier de mois"),
    ] {
        let form = new_site(&csrf, &changes);
        let refused = post_form(&server, "/console/sites", &cookie, &form).await;
        assert_eq!(
            refused.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{changes:?}"
        );
        let page = refused.text().await.unwrap();
        assert!(page.contains(said), "{changes:?}: {page}");
        assert!(page.contains("aria-invalid=\"true\""), "{changes:?}");
        for (_, value) in &changes {
            assert!(page.contains(*value), "{value} kept: {page}");
        }
        assert!(page.contains("Bourg-la-Forêt"), "{page}");
    }
    let sites = server.count("SELECT COUNT(*) FROM sites").await;
    assert_eq!(sites, 1, "only {SITE}");
}

#[tokio::test]
async fn only_the_endpoints_administrators_create_sites() {
    let server = with_team().await;
    for login in [ADMIN, MODERATOR] {
        let (cookie, csrf) = signed_in(&server, login).await;
        let home = home_page(&server, &cookie).await;
        assert!(!home.contains("/console/sites/new"), "{login}");
        let page = get(&server, "/console/sites/new", &cookie).await;
        assert_eq!(page.status(), StatusCode::FORBIDDEN, "{login}");
        assert!(page
            .text()
            .await
            .unwrap()
            .contains("Seuls les administrateurs de l’endpoint"));
        // Refused before anything is checked: a wrong field says nothing to them.
        for changes in [
            vec![],
            vec![("retention_months", "douze")],
            vec![("id", SITE)],
        ] {
            let form = new_site(&csrf, &changes);
            let refused = post_form(&server, "/console/sites", &cookie, &form).await;
            assert_eq!(
                refused.status(),
                StatusCode::FORBIDDEN,
                "{login} {changes:?}"
            );
        }
    }
    assert_eq!(server.count("SELECT COUNT(*) FROM sites").await, 1);
}
