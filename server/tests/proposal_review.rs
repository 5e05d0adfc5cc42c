//! Proposals in the console over real HTTP: a site's staff see those held for review
//! beside the comments, with their box, and publish or hide them (audited under their name,
//! counted on the dashboard); on a box's page they set each proposal's status and answer,
//! a refused one keeping what was typed; other sites' staff are refused.

mod common;

use civique_api::staff::{Role, SiteRole};
use common::console::*;
use common::*;
use reqwest::header::LOCATION;
use reqwest::StatusCode;
use serde_json::json;

const MODERATOR: &str = "moderation@town.example";
const NEIGHBOUR: &str = "moderation@village.example";

async fn visibility(server: &TestServer, id: i64) -> String {
    server
        .text(&format!("SELECT visibility FROM proposals WHERE id = {id}"))
        .await
}

async fn decide(
    server: &TestServer,
    login: &str,
    site: &str,
    id: i64,
    action: &str,
) -> reqwest::Response {
    let (cookie, csrf) = signed_in(server, login).await;
    let form = [
        ("csrf", csrf.as_str()),
        ("action", action),
        ("reason", "Hors sujet"),
    ];
    post_form(
        server,
        &format!("/console/sites/{site}/review/proposals/{id}"),
        &cookie,
        &form,
    )
    .await
}

/// A server with [`MODERATOR`] on [`SITE`] and [`NEIGHBOUR`] on another site.
async fn with_moderators() -> TestServer {
    let server = TestServer::start().await;
    server
        .create_site("village", &["http://village.example"])
        .await;
    for (login, site) in [(MODERATOR, SITE), (NEIGHBOUR, "village")] {
        let roles = vec![SiteRole {
            site_id: site.into(),
            role: Role::Moderator,
        }];
        staff(&server, login, roles).await;
    }
    server
}

#[tokio::test]
async fn staff_publish_or_hide_the_proposals_held_for_review() {
    let server = with_moderators().await;
    server
        .create_box(
            "b-mod",
            json!({ "title": "Idées pour la halle", "pre_moderation": true }),
        )
        .await;
    let resident = token();
    let kiosk = server
        .proposal_ok(
            "b-mod",
            &resident,
            json!({ "title": "Un kiosque", "text": "Près de l'arrêt", "place": "Halle" }),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let spam = server
        .proposal_ok("b-mod", &resident, json!({ "title": "Publicité" }))
        .await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(visibility(&server, kiosk).await, "pending");

    let (cookie, _) = signed_in(&server, MODERATOR).await;
    let home = home(&server, &cookie).await.text().await.unwrap();
    assert!(home.contains("À modérer (2)"), "{home}");
    let page = get(&server, &format!("/console/sites/{SITE}/review"), &cookie)
        .await
        .text()
        .await
        .unwrap();
    for shown in [
        "Propositions en attente",
        "Un kiosque",
        "Idées pour la halle",
        "Halle",
        "Publicité",
    ] {
        assert!(page.contains(shown), "{shown}: {page}");
    }

    // Another site's staff: refused on this site, not found on their own.
    let refused = decide(&server, NEIGHBOUR, SITE, kiosk, "approve").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let refused = decide(&server, NEIGHBOUR, "village", kiosk, "approve").await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    assert_eq!(visibility(&server, kiosk).await, "pending");

    let approved = decide(&server, MODERATOR, SITE, kiosk, "approve").await;
    assert_eq!(approved.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        approved.headers()[LOCATION],
        format!("/console/sites/{SITE}/review?done=proposal-approve").as_str()
    );
    assert_eq!(visibility(&server, kiosk).await, "published");
    let hidden = decide(&server, MODERATOR, SITE, spam, "hide").await;
    assert_eq!(hidden.status(), StatusCode::SEE_OTHER);
    assert_eq!(visibility(&server, spam).await, "hidden");
    let audit = server
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE actor = 'staff:{MODERATOR}' \
             AND target IN ('proposal:{kiosk}', 'proposal:{spam}') AND action IN ('approve', 'hide')"
        ))
        .await;
    assert_eq!(audit, 2);
    let page = get(&server, &format!("/console/sites/{SITE}/review"), &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Propositions en attente"), "{page}");
    assert!(page.contains("Rien n’attend"), "{page}");
}

#[tokio::test]
async fn staff_set_a_proposals_status_and_answer_from_its_box_page() {
    let server = with_moderators().await;
    server
        .create_box("b-ans", json!({ "title": "Le budget des quartiers" }))
        .await;
    let resident = token();
    let mut ids = Vec::new();
    for title in ["Des bancs", "Plus de bancs"] {
        let made = server
            .proposal_ok("b-ans", &resident, json!({ "title": title }))
            .await;
        ids.push(made["id"].as_i64().unwrap());
    }
    let (cookie, csrf) = signed_in(&server, MODERATOR).await;
    let path = format!("/console/sites/{SITE}/boxes/b-ans");
    let page = get(&server, &path, &cookie).await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("Plus de bancs") && page.contains("name=\"status\""),
        "{page}"
    );
    let widgets = get(&server, &format!("/console/sites/{SITE}/widgets"), &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(widgets.contains(&format!("href=\"{path}\"")), "{widgets}");

    let set = |id: i64, fields: Vec<(&'static str, String)>| {
        let (server, cookie, csrf, path) = (&server, &cookie, &csrf, &path);
        async move {
            let mut form = vec![("csrf", csrf.clone())];
            form.extend(fields);
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(server, &format!("{path}/proposals/{id}"), cookie, &form).await
        }
    };
    let saved = set(
        ids[0],
        vec![
            ("status", "accepted".into()),
            ("answer", "Posés au printemps.".into()),
        ],
    )
    .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        saved.headers()[LOCATION],
        format!("{path}?done=status#p{}", ids[0]).as_str()
    );
    let stored = server
        .text(&format!(
            "SELECT status || ' ' || answer FROM proposals WHERE id = {}",
            ids[0]
        ))
        .await;
    assert_eq!(stored, "accepted Posés au printemps.");
    let audit = server
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE actor = 'staff:{MODERATOR}' \
             AND action = 'status' AND target = 'proposal:{}'",
            ids[0]
        ))
        .await;
    assert_eq!(audit, 1);
    let duplicate = set(
        ids[1],
        vec![
            ("status", "duplicate".into()),
            ("duplicate_of", ids[0].to_string()),
        ],
    )
    .await;
    assert_eq!(duplicate.status(), StatusCode::SEE_OTHER);

    // Refused: what was typed stays in that proposal's form, with what is wrong.
    for fields in [
        vec![
            ("status", "duplicate"),
            ("duplicate_of", ""),
            ("answer", "Réponse gardée"),
        ],
        vec![
            ("status", "answered"),
            ("duplicate_of", ""),
            ("answer", "Réponse gardée"),
        ],
        vec![
            ("status", "rejected"),
            ("duplicate_of", "abc"),
            ("answer", "Réponse gardée"),
        ],
    ] {
        let fields: Vec<(&'static str, String)> =
            fields.into_iter().map(|(k, v)| (k, v.to_owned())).collect();
        let refused = set(ids[1], fields.clone()).await;
        assert_eq!(
            refused.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{fields:?}"
        );
        let page = refused.text().await.unwrap();
        assert!(page.contains("Non enregistré"), "{page}");
        assert!(page.contains(">Réponse gardée</textarea>"), "{page}");
        assert!(page.contains("aria-invalid=\"true\""), "{page}");
    }
    let unchanged = server
        .text(&format!(
            "SELECT status FROM proposals WHERE id = {}",
            ids[1]
        ))
        .await;
    assert_eq!(unchanged, "duplicate");

    // Another site's staff: refused here, not found under their own site.
    let (cookie, csrf) = signed_in(&server, NEIGHBOUR).await;
    let page = get(&server, &path, &cookie).await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    let form = [
        ("csrf", csrf.as_str()),
        ("status", "rejected"),
        ("answer", ""),
    ];
    let elsewhere = format!("/console/sites/village/boxes/b-ans/proposals/{}", ids[0]);
    let refused = post_form(&server, &elsewhere, &cookie, &form).await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    let page = get(&server, "/console/sites/village/boxes/b-ans", &cookie).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let stored = server
        .text(&format!(
            "SELECT status FROM proposals WHERE id = {}",
            ids[0]
        ))
        .await;
    assert_eq!(stored, "accepted");
}
