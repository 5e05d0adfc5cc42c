//! A site's API tokens over real HTTP: its administrators make them in the console (shown
//! once, stored as a hash) and revoke them; a token acts on its own site through every
//! admin route, and is refused another site's items route by route, with nothing changed.

mod common;

use civique_api::staff::{Role, SiteRole};
use common::console::*;
use common::*;
use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The site the tokens are made for; [`SITE`] holds the items of another town.
const OWN: &str = "village";
const OWN_ORIGIN: &str = "http://village.example";
const ADMIN: &str = "webmestre@village.example";
const MODERATOR: &str = "moderation@village.example";
/// An administrator of [`SITE`] only.
const NEIGHBOUR: &str = "webmestre@town.example";

async fn with_team() -> TestServer {
    let server = TestServer::start().await;
    server.create_site(OWN, &[OWN_ORIGIN]).await;
    for (login, site, role) in [
        (ADMIN, OWN, Role::Admin),
        (MODERATOR, OWN, Role::Moderator),
        (NEIGHBOUR, SITE, Role::Admin),
    ] {
        let roles = vec![SiteRole {
            site_id: site.into(),
            role,
        }];
        staff(&server, login, roles).await;
    }
    server
}

fn tokens_path(site: &str) -> String {
    format!("/console/sites/{site}/tokens")
}

/// The token a page shows once, if it shows one.
fn shown_token(page: &str) -> Option<String> {
    let start = page.find("value=\"civ_")? + 7;
    let end = start + page[start..].find('"')?;
    Some(page[start..end].to_owned())
}

/// Makes the token `name` of [`OWN`] as [`ADMIN`] in the console; the token.
async fn make_token(server: &TestServer, name: &str) -> String {
    let (cookie, csrf) = signed_in(server, ADMIN).await;
    let response = post_form(
        server,
        &tokens_path(OWN),
        &cookie,
        &[("csrf", &csrf), ("name", name)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let page = response.text().await.unwrap();
    assert!(page.contains(name), "{page}");
    shown_token(&page).expect("the new token, shown once")
}

/// `method /api/v1/admin{path}` with `token` (and `body` when given).
async fn with_token(
    server: &TestServer,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = server
        .request(method, &format!("/api/v1/admin{path}"))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn code_of(response: reqwest::Response) -> String {
    let body: Value = response.json().await.unwrap();
    body["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_sites_token_acts_on_its_own_site_through_every_admin_route() {
    let server = with_team().await;
    let token = make_token(&server, "Import des conseils de quartier").await;
    assert!(token.len() > 60, "{token}");
    // Stored as a hash: the token itself is nowhere in the database.
    let stored = server
        .count(&format!(
            "SELECT COUNT(*) FROM api_tokens WHERE token_hash = '{token}' OR name = '{token}'"
        ))
        .await;
    assert_eq!(stored, 0);
    assert!(!String::from_utf8_lossy(&server.stored_bytes()).contains(&token));
    // …and the list shows its name, never the token again.
    let (cookie, _) = signed_in(&server, ADMIN).await;
    let page = get(&server, &tokens_path(OWN), &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Import des conseils de quartier"), "{page}");
    assert_eq!(shown_token(&page), None);

    let send = |method: Method, path: String, body: Option<Value>| {
        let (server, token) = (&server, &token);
        async move { with_token(server, token, method, &path, body).await }
    };
    let ok = |response: reqwest::Response, expected: StatusCode| async move {
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_eq!(status, expected, "{body}");
        serde_json::from_str::<Value>(&body).unwrap()
    };
    let poll = poll_input("p-own", json!({ "site_id": OWN }));
    ok(
        send(Method::POST, "/polls".into(), Some(poll)).await,
        StatusCode::CREATED,
    )
    .await;
    let thread = json!({ "id": "t-own", "site_id": OWN, "title": "Le lavoir" });
    ok(
        send(Method::POST, "/threads".into(), Some(thread)).await,
        StatusCode::CREATED,
    )
    .await;
    let patch = json!({ "pre_moderation": true });
    ok(
        send(Method::PATCH, "/threads/t-own".into(), Some(patch)).await,
        StatusCode::OK,
    )
    .await;
    let reply = json!({ "author_name": "La mairie", "text": "Bienvenue", "official": true });
    let comment = ok(
        send(Method::POST, "/threads/t-own/comments".into(), Some(reply)).await,
        StatusCode::CREATED,
    )
    .await;
    let hide = json!({ "action": "hide", "reason": "Essai" });
    let path = format!("/comments/{}/moderation", comment["id"]);
    ok(send(Method::POST, path, Some(hide)).await, StatusCode::OK).await;
    let new_box = json!({ "id": "b-own", "site_id": OWN, "title": "Idées" });
    ok(
        send(Method::POST, "/boxes".into(), Some(new_box)).await,
        StatusCode::CREATED,
    )
    .await;
    let patch = json!({ "pre_moderation": true });
    ok(
        send(Method::PATCH, "/boxes/b-own".into(), Some(patch)).await,
        StatusCode::OK,
    )
    .await;
    for path in ["/boxes/b-own/proposals", "/boxes/b-own/events"] {
        ok(send(Method::GET, path.into(), None).await, StatusCode::OK).await;
    }
    // Listings without a site are the token's site's only; the other town's items exist.
    server.create_thread("t-town", json!({})).await;
    server.create_poll("p-town", json!({})).await;
    server.create_box("b-town", json!({})).await;
    for (path, own) in [
        ("/polls", "p-own"),
        ("/threads", "t-own"),
        ("/boxes", "b-own"),
    ] {
        let listed = ok(send(Method::GET, path.into(), None).await, StatusCode::OK).await;
        let ids: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [own], "{path}");
        let same = ok(
            send(Method::GET, format!("{path}?site={OWN}"), None).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(same, listed, "{path}?site={OWN}");
        // The admin token still lists every site.
        assert_eq!(server.admin_read(path).await.as_array().unwrap().len(), 2);
    }
    // The audit log names the token, and shows it its site's entries only.
    let audit = ok(
        send(Method::GET, "/audit".into(), None).await,
        StatusCode::OK,
    )
    .await;
    let entries = audit.as_array().unwrap();
    assert!(
        entries.iter().all(|entry| entry["site_id"] == OWN),
        "{audit}"
    );
    let by_token = entries
        .iter()
        .filter(|entry| entry["actor"] == "token:Import des conseils de quartier")
        .count();
    assert_eq!(by_token, 7, "{audit}");
    let everything = server.admin_read("/audit").await;
    assert!(everything
        .as_array()
        .unwrap()
        .iter()
        .any(|entry| entry["site_id"] == SITE));
}

#[tokio::test]
async fn a_sites_token_is_refused_another_sites_items_route_by_route() {
    let server = with_team().await;
    let token = make_token(&server, "Automate").await;
    server.create_thread("t-town", json!({})).await;
    server.create_poll("p-town", json!({})).await;
    server.create_box("b-town", json!({})).await;
    let resident = common::token();
    let comment = server.comment_ok("t-town", &resident, json!({})).await;
    let proposal = server.proposal_ok("b-town", &resident, json!({})).await;
    let (comment, proposal) = (
        comment["id"].as_i64().unwrap(),
        proposal["id"].as_i64().unwrap(),
    );
    let before = server.count("SELECT COUNT(*) FROM audit_log").await;

    let routes: Vec<(Method, String, Option<Value>)> = vec![
        (
            Method::POST,
            "/sites".into(),
            Some(json!({ "id": "new-town", "name": "Nouvelle", "origins": [] })),
        ),
        (
            Method::POST,
            "/polls".into(),
            Some(poll_input("p-new", json!({ "site_id": SITE }))),
        ),
        (Method::GET, format!("/polls?site={SITE}"), None),
        (
            Method::POST,
            "/threads".into(),
            Some(json!({ "id": "t-new", "site_id": SITE, "title": "Autre" })),
        ),
        (Method::GET, format!("/threads?site={SITE}"), None),
        (
            Method::PATCH,
            "/threads/t-town".into(),
            Some(json!({ "locked": true })),
        ),
        (
            Method::POST,
            "/threads/t-town/comments".into(),
            Some(json!({ "author_name": "La mairie", "text": "Intrus", "official": true })),
        ),
        (
            Method::POST,
            format!("/comments/{comment}/moderation"),
            Some(json!({ "action": "delete" })),
        ),
        (
            Method::POST,
            "/boxes".into(),
            Some(json!({ "id": "b-new", "site_id": SITE, "title": "Autre" })),
        ),
        (Method::GET, format!("/boxes?site={SITE}"), None),
        (
            Method::PATCH,
            "/boxes/b-town".into(),
            Some(json!({ "pre_moderation": true })),
        ),
        (Method::GET, "/boxes/b-town/proposals".into(), None),
        (Method::GET, "/boxes/b-town/events".into(), None),
        (
            Method::POST,
            format!("/proposals/{proposal}/status"),
            Some(json!({ "status": "rejected", "answer": "Non" })),
        ),
        (
            Method::POST,
            format!("/proposals/{proposal}/moderation"),
            Some(json!({ "action": "hide" })),
        ),
    ];
    for (method, path, body) in routes {
        let response = with_token(&server, &token, method.clone(), &path, body).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method} {path}");
        assert_eq!(code_of(response).await, "forbidden", "{method} {path}");
    }
    // Nothing changed, nothing was written.
    assert_eq!(server.count("SELECT COUNT(*) FROM audit_log").await, before);
    for table in ["polls", "threads", "boxes", "sites"] {
        let made = server
            .count(&format!(
                "SELECT COUNT(*) FROM {table} WHERE id LIKE '%new%'"
            ))
            .await;
        assert_eq!(made, 0, "{table}");
    }
    let comments = server.comments("t-town", None).await;
    assert_eq!(ids(&comments["comments"]), [comment]);
    let locked = server
        .count("SELECT COUNT(*) FROM threads WHERE id = 't-town' AND locked")
        .await;
    assert_eq!(locked, 0);
    // The admin token still does all of it.
    let response = server
        .admin_send(Method::PATCH, "/threads/t-town", json!({ "locked": true }))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_revoked_or_unknown_token_stops_at_once() {
    let server = with_team().await;
    let token = make_token(&server, "Éphémère").await;
    let response = with_token(&server, &token, Method::GET, "/threads", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let id = server
        .count("SELECT id FROM api_tokens WHERE name = 'Éphémère'")
        .await;
    let (cookie, csrf) = signed_in(&server, ADMIN).await;
    let response = post_form(
        &server,
        &format!("{}/{id}", tokens_path(OWN)),
        &cookie,
        &[("csrf", &csrf), ("action", "revoke")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let done = response.headers()[LOCATION].to_str().unwrap().to_owned();
    let page = get(&server, &done, &cookie).await.text().await.unwrap();
    assert!(page.contains("Jeton révoqué"), "{page}");
    assert!(!page.contains("Éphémère"), "{page}");
    let response = with_token(&server, &token, Method::GET, "/threads", None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(code_of(response).await, "unauthorized");
    // A token-like guess is no better.
    let guess = format!("civ_{}", "0".repeat(64));
    let response = with_token(&server, &guess, Method::GET, "/threads", None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let audit = server
        .text("SELECT action || ' ' || target || ' ' || actor FROM audit_log ORDER BY id DESC LIMIT 1")
        .await;
    assert_eq!(audit, format!("revoke token:Éphémère staff:{ADMIN}"));
}

#[tokio::test]
async fn only_a_sites_administrators_make_and_revoke_its_tokens() {
    let server = with_team().await;
    let token = make_token(&server, "Robot").await;
    let id = server
        .count("SELECT id FROM api_tokens WHERE name = 'Robot'")
        .await;
    for login in [MODERATOR, NEIGHBOUR] {
        let (cookie, csrf) = signed_in(&server, login).await;
        let page = get(&server, &tokens_path(OWN), &cookie).await;
        assert_eq!(page.status(), StatusCode::FORBIDDEN, "{login}");
        let made = post_form(
            &server,
            &tokens_path(OWN),
            &cookie,
            &[("csrf", &csrf), ("name", "Intrus")],
        )
        .await;
        assert_eq!(made.status(), StatusCode::FORBIDDEN, "{login}");
        let revoked = post_form(
            &server,
            &format!("{}/{id}", tokens_path(OWN)),
            &cookie,
            &[("csrf", &csrf), ("action", "revoke")],
        )
        .await;
        assert_eq!(revoked.status(), StatusCode::FORBIDDEN, "{login}");
    }
    // Another site's administrator names the token under their own site: no such token.
    let (cookie, csrf) = signed_in(&server, NEIGHBOUR).await;
    let revoked = post_form(
        &server,
        &format!("{}/{id}", tokens_path(SITE)),
        &cookie,
        &[("csrf", &csrf), ("action", "revoke")],
    )
    .await;
    assert_eq!(revoked.status(), StatusCode::NOT_FOUND);
    // A form without its session's token changes nothing.
    let (cookie, _) = signed_in(&server, ADMIN).await;
    let forged = post_form(
        &server,
        &tokens_path(OWN),
        &cookie,
        &[("csrf", "0".repeat(64).as_str()), ("name", "Forgé")],
    )
    .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(server.count("SELECT COUNT(*) FROM api_tokens").await, 1);
    let response = with_token(&server, &token, Method::GET, "/threads", None).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_refused_name_is_said_beside_it_and_stays_typed() {
    let server = with_team().await;
    make_token(&server, "Robot").await;
    let (cookie, csrf) = signed_in(&server, ADMIN).await;
    for (name, said) in [
        ("   ", "Donnez un nom"),
        ("Robot", "déjà un jeton de ce nom"),
        ("Ro\u{202e}bot", "Donnez un nom"),
    ] {
        let response = post_form(
            &server,
            &tokens_path(OWN),
            &cookie,
            &[("csrf", &csrf), ("name", name)],
        )
        .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name:?}"
        );
        let page = response.text().await.unwrap();
        assert!(page.contains(said), "{name:?}: {page}");
        assert!(page.contains("aria-invalid=\"true\""), "{name:?}");
        assert!(
            page.contains(&format!("value=\"{}\"", civique_console::escape(name))),
            "{name:?}: {page}"
        );
        assert_eq!(shown_token(&page), None);
    }
    assert_eq!(server.count("SELECT COUNT(*) FROM api_tokens").await, 1);
}
