//! A site's staff in the console over real HTTP: administrators invite by one-time link
//! (new and existing accounts), disable and enable accounts of their site only; moderators
//! are refused with a reason; every step is audited.

mod common;

use civique_api::staff::{Role, SiteRole};
use common::console::*;
use common::*;
use reqwest::header::{COOKIE, LOCATION, ORIGIN};
use reqwest::{Response, StatusCode};

const ADMIN: &str = "webmestre@town.example";
const MODERATOR: &str = "moderation@town.example";

fn role(site: &str, role: Role) -> Vec<SiteRole> {
    vec![SiteRole {
        site_id: site.into(),
        role,
    }]
}

/// A server with an administrator and a moderator of [`SITE`]; their ids.
async fn with_team() -> (TestServer, i64, i64) {
    let server = TestServer::start().await;
    let admin = staff(&server, ADMIN, role(SITE, Role::Admin)).await;
    let moderator = staff(&server, MODERATOR, role(SITE, Role::Moderator)).await;
    (server, admin, moderator)
}

async fn invite(
    server: &TestServer,
    (cookie, csrf): &(String, String),
    login: &str,
    role: &str,
) -> Response {
    post_form(
        server,
        &format!("/console/sites/{SITE}/staff/invite"),
        cookie,
        &[("csrf", csrf), ("login", login), ("role", role)],
    )
    .await
}

/// The token of the invitation link a team page shows.
fn link_token(page: &str) -> String {
    let start = page.find("/console/invite/").expect("an invitation link") + 16;
    page[start..start + 64].to_owned()
}

/// Accepts invitation `token` with `form`, as a browser on the console's page does.
async fn accept(server: &TestServer, token: &str, form: &[(&str, &str)]) -> Response {
    browser()
        .post(server.url(&format!("/console/invite/{token}")))
        .header(ORIGIN, server.base.as_str())
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn audit_count(server: &TestServer, action: &str, actor: &str, target: &str) -> i64 {
    server
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = '{action}' AND actor = '{actor}' \
             AND target = '{target}'"
        ))
        .await
}

#[tokio::test]
async fn administrators_invite_by_a_one_time_link_that_makes_an_account() {
    let (server, _, _) = with_team().await;
    let admin = signed_in(&server, ADMIN).await;
    let page = get(&server, &format!("/console/sites/{SITE}/staff"), &admin.0).await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains(ADMIN) && page.contains(MODERATOR), "{page}");
    assert!(page.contains("Aucune invitation en attente."));

    // A typo keeps what was typed, with what is wrong with it; nothing is stored.
    let refused = invite(&server, &admin, "nouvelle.saint-exemple", "moderator").await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = refused.text().await.unwrap();
    assert!(
        refused.contains("value=\"nouvelle.saint-exemple\""),
        "{refused}"
    );
    assert!(refused.contains("aria-invalid=\"true\""));
    assert!(refused.contains("Saisissez une adresse e-mail valide"));
    assert_eq!(
        server.count("SELECT COUNT(*) FROM staff_invitations").await,
        0
    );

    let invited = invite(&server, &admin, " Nouvelle@Town.Example ", "moderator").await;
    assert_eq!(invited.status(), StatusCode::CREATED);
    let invited = invited.text().await.unwrap();
    assert!(invited.contains("nouvelle@town.example"), "{invited}");
    let token = link_token(&invited);
    assert!(invited.contains(&format!("{}/console/invite/{token}", server.base)));
    // Only its hash is kept; the pending invitation is listed without its link.
    assert_eq!(
        server
            .count(&format!(
                "SELECT COUNT(*) FROM staff_invitations WHERE token_hash = '{token}'"
            ))
            .await,
        0
    );
    let listed = get(&server, &format!("/console/sites/{SITE}/staff"), &admin.0)
        .await
        .text()
        .await
        .unwrap();
    assert!(listed.contains("<td>nouvelle@town.example</td>") && !listed.contains(&token));
    assert_eq!(
        audit_count(
            &server,
            "invite",
            &format!("staff:{ADMIN}"),
            "staff:nouvelle@town.example"
        )
        .await,
        1
    );

    let opened = browser()
        .get(server.url(&format!("/console/invite/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), StatusCode::OK);
    let opened = opened.text().await.unwrap();
    assert!(opened.contains("nouvelle@town.example") && opened.contains("name=\"confirm\""));

    // Refusals name each field and keep the name typed; the link still works after them.
    let mismatch = accept(
        &server,
        &token,
        &[
            ("name", "Nadia <Nouvelle>"),
            ("password", PASSWORD),
            ("confirm", "une autre phrase de passe"),
        ],
    )
    .await;
    assert_eq!(mismatch.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mismatch = mismatch.text().await.unwrap();
    assert!(mismatch.contains("Les deux mots de passe ne sont pas identiques."));
    assert!(
        mismatch.contains("value=\"Nadia &lt;Nouvelle&gt;\""),
        "{mismatch}"
    );
    let short = accept(
        &server,
        &token,
        &[("name", " "), ("password", "court"), ("confirm", "court")],
    )
    .await;
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let short = short.text().await.unwrap();
    assert!(short.contains("Saisissez votre nom") && short.contains("de 12 à 256 caractères"));
    // A page of another site cannot post it.
    let forged = browser()
        .post(server.url(&format!("/console/invite/{token}")))
        .header(ORIGIN, SITE_ORIGIN)
        .form(&[
            ("name", "Intruse"),
            ("password", PASSWORD),
            ("confirm", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    let joined = accept(
        &server,
        &token,
        &[
            ("name", "Nadia Nouvelle"),
            ("password", PASSWORD),
            ("confirm", PASSWORD),
        ],
    )
    .await;
    assert_eq!(joined.status(), StatusCode::OK);
    let joined = joined.text().await.unwrap();
    assert!(joined.contains("Vous avez rejoint l’équipe."));
    assert!(
        joined.contains("value=\"nouvelle@town.example\""),
        "{joined}"
    );
    let (cookie, _) = signed_in(&server, "nouvelle@town.example").await;
    let home = home(&server, &cookie).await.text().await.unwrap();
    assert!(
        home.contains(&format!("<strong>{SITE}</strong> : modération")),
        "{home}"
    );
    assert!(home.contains("Nadia Nouvelle"));
    assert_eq!(
        audit_count(
            &server,
            "join",
            "staff:nouvelle@town.example",
            "staff:nouvelle@town.example"
        )
        .await,
        1
    );

    // The link worked once.
    for used in [
        browser()
            .get(server.url(&format!("/console/invite/{token}")))
            .send()
            .await
            .unwrap(),
        accept(
            &server,
            &token,
            &[
                ("name", "Encore"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await,
    ] {
        assert_eq!(used.status(), StatusCode::NOT_FOUND);
        assert!(used
            .text()
            .await
            .unwrap()
            .contains("a déjà servi, a expiré"));
    }
}

#[tokio::test]
async fn an_existing_account_joins_with_its_password_and_links_expire() {
    let (server, _, _) = with_team().await;
    server.create_site("elsewhere", &[SITE_ORIGIN]).await;
    let other = "voisin@elsewhere.example";
    staff(&server, other, role("elsewhere", Role::Admin)).await;
    let admin = signed_in(&server, ADMIN).await;

    let token = link_token(
        &invite(&server, &admin, other, "admin")
            .await
            .text()
            .await
            .unwrap(),
    );
    let opened = browser()
        .get(server.url(&format!("/console/invite/{token}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        opened.contains("Cette adresse a déjà un compte"),
        "{opened}"
    );
    assert!(!opened.contains("name=\"confirm\""));
    let wrong = accept(&server, &token, &[("password", "pas le bon mot de passe")]).await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong
        .text()
        .await
        .unwrap()
        .contains("Mot de passe incorrect."));
    let joined = accept(&server, &token, &[("password", PASSWORD)]).await;
    assert_eq!(joined.status(), StatusCode::OK);
    let (cookie, _) = signed_in(&server, other).await;
    let home = home(&server, &cookie).await.text().await.unwrap();
    assert!(
        home.contains(&format!("<strong>{SITE}</strong> : administration"))
            && home.contains("<strong>elsewhere</strong> : administration"),
        "{home}"
    );

    // A link not used in time is refused; a new invitation to the same login replaces it.
    let first = link_token(
        &invite(&server, &admin, "tardive@town.example", "moderator")
            .await
            .text()
            .await
            .unwrap(),
    );
    server
        .execute("UPDATE staff_invitations SET expires_at = '2020-01-01T00:00:00Z'")
        .await;
    let expired = browser()
        .get(server.url(&format!("/console/invite/{first}")))
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), StatusCode::NOT_FOUND);
    let listed = get(&server, &format!("/console/sites/{SITE}/staff"), &admin.0)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !listed.contains("tardive@town.example"),
        "an expired one is not pending"
    );
    let second = link_token(
        &invite(&server, &admin, "tardive@town.example", "moderator")
            .await
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM staff_invitations WHERE login = 'tardive@town.example'")
            .await,
        1
    );
    let opened = browser()
        .get(server.url(&format!("/console/invite/{second}")))
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), StatusCode::OK);
}

#[tokio::test]
async fn moderators_are_told_the_team_is_for_administrators() {
    let (server, _, admin_id) = with_team().await;
    let moderator = signed_in(&server, MODERATOR).await;
    let home = home(&server, &moderator.0).await.text().await.unwrap();
    assert!(!home.contains("/staff\""), "no team link for a moderator");
    let page = get(
        &server,
        &format!("/console/sites/{SITE}/staff"),
        &moderator.0,
    )
    .await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("Seuls les administrateurs du site"));
    let refused = invite(&server, &moderator, "ami@town.example", "admin").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let refused = post_form(
        &server,
        &format!("/console/sites/{SITE}/staff/{admin_id}"),
        &moderator.0,
        &[("csrf", &moderator.1), ("action", "disable")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        server.count("SELECT COUNT(*) FROM staff_invitations").await,
        0
    );
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM staff_accounts WHERE disabled")
            .await,
        0
    );
}

#[tokio::test]
async fn administrators_disable_and_enable_accounts_of_their_site_only() {
    let (server, admin_id, moderator_id) = with_team().await;
    server.create_site("elsewhere", &[SITE_ORIGIN]).await;
    let both = staff(
        &server,
        "partout@town.example",
        vec![
            SiteRole {
                site_id: SITE.into(),
                role: Role::Moderator,
            },
            SiteRole {
                site_id: "elsewhere".into(),
                role: Role::Moderator,
            },
        ],
    )
    .await;
    let stranger = staff(
        &server,
        "loin@elsewhere.example",
        role("elsewhere", Role::Moderator),
    )
    .await;
    let admin = signed_in(&server, ADMIN).await;
    let (moderator_cookie, _) = signed_in(&server, MODERATOR).await;
    let act = |id: i64, action: &'static str| {
        let (server, admin) = (&server, &admin);
        async move {
            post_form(
                server,
                &format!("/console/sites/{SITE}/staff/{id}"),
                &admin.0,
                &[("csrf", &admin.1), ("action", action)],
            )
            .await
        }
    };

    let disabled = act(moderator_id, "disable").await;
    assert_eq!(disabled.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        disabled.headers()[LOCATION],
        format!("/console/sites/{SITE}/staff?done=disable")
    );
    let page = get(&server, "/console/sites/town/staff?done=disable", &admin.0)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Compte désactivé : ses sessions sont fermées."));
    assert!(page.contains("désactivé</td>"), "{page}");
    // Its open session ends at once, and its password no longer signs in.
    let closed = browser()
        .get(server.url("/console"))
        .header(COOKIE, &moderator_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), StatusCode::SEE_OTHER);
    let refused = sign_in(&server, MODERATOR, PASSWORD).await;
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("Ce compte est désactivé."));

    let enabled = act(moderator_id, "enable").await;
    assert_eq!(enabled.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        sign_in(&server, MODERATOR, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    for (action, count) in [("disable", 1), ("enable", 1)] {
        assert_eq!(
            audit_count(
                &server,
                action,
                &format!("staff:{ADMIN}"),
                &format!("staff:{MODERATOR}")
            )
            .await,
            count
        );
    }

    // An account that also works elsewhere, one of another site only, one's own, a
    // made-up action: refused, and nothing changes.
    let beyond = act(both, "disable").await;
    assert_eq!(beyond.status(), StatusCode::FORBIDDEN);
    assert!(beyond
        .text()
        .await
        .unwrap()
        .contains("sur des sites que vous n’administrez pas"));
    assert_eq!(
        act(stranger, "disable").await.status(),
        StatusCode::NOT_FOUND
    );
    let own = act(admin_id, "disable").await;
    assert_eq!(own.status(), StatusCode::FORBIDDEN);
    assert!(own.text().await.unwrap().contains("votre propre compte"));
    assert_eq!(
        act(moderator_id, "delete").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM staff_accounts WHERE disabled")
            .await,
        0
    );
}
