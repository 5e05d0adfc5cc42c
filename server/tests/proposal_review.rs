//! Proposals held for review in the console's queue over real HTTP: a site's staff see
//! them beside the comments, with their box, and publish or hide them (audited under their
//! name, counted on the dashboard); other sites' staff are refused.

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

#[tokio::test]
async fn staff_publish_or_hide_the_proposals_held_for_review() {
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
