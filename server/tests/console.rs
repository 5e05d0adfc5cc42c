//! The staff console over real HTTP: sign-in with its refusals and lockout, the session
//! cookie's attributes, CSRF refusals, signing out here and everywhere.

mod common;

use civique_api::staff::{Role, SiteRole};
use civique_server::service::staff::StaffInput;
use common::console::*;
use common::*;
use reqwest::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, COOKIE, LOCATION, REFERRER_POLICY, SET_COOKIE,
};
use reqwest::{Response, StatusCode};

const LOGIN: &str = "camille@saint-exemple.fr";

async fn with_account() -> TestServer {
    let server = TestServer::start().await;
    server
        .state
        .service
        .create_staff(StaffInput {
            login: "  Camille@Saint-Exemple.fr ".into(),
            name: "Camille <Martin>".into(),
            password: PASSWORD.into(),
            endpoint_admin: false,
            roles: vec![SiteRole {
                site_id: SITE.into(),
                role: Role::Moderator,
            }],
        })
        .await
        .expect("account created");
    server
}

#[tokio::test]
async fn staff_sign_in_with_a_strict_cookie_and_sign_out() {
    let server = with_account().await;
    let page = browser().get(server.url("/console")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.headers()[LOCATION], "/console/login");
    let login = browser()
        .get(server.url("/console/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let policy = login.headers()[CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(policy.contains("form-action 'self'") && !policy.contains("script"));
    assert_eq!(login.headers()[CACHE_CONTROL], "no-store");
    // Under `no-referrer`, browsers would send `Origin: null` with the console's own forms.
    assert_eq!(login.headers()[REFERRER_POLICY], "same-origin");
    assert!(login.text().await.unwrap().contains("name=\"password\""));

    let signed = sign_in(&server, "CAMILLE@saint-exemple.fr", PASSWORD).await;
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    let set = signed.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    for part in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
        assert!(set.contains(part), "{set}");
    }
    assert!(!set.contains("Secure"), "plain HTTP here: {set}");
    let cookie = cookie_of(&signed);
    // Only a hash of the token is stored.
    let token = cookie.split_once('=').unwrap().1.to_owned();
    assert_eq!(
        server
            .count(&format!(
                "SELECT COUNT(*) FROM staff_sessions WHERE token_hash = '{token}'"
            ))
            .await,
        0
    );
    let page = home(&server, &cookie).await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("Camille &lt;Martin&gt;"), "{page}");
    assert!(page.contains(&format!("<strong>{SITE}</strong> : modération")));

    // Over HTTPS (a proxy says so), the cookie is Secure.
    let https = browser()
        .post(server.url("/console/login"))
        .header("x-forwarded-proto", "https")
        .form(&[("login", LOGIN), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(https.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("; Secure"));

    let csrf = csrf_of(&server, &cookie).await;
    let out = post(&server, "/console/logout", &cookie, &csrf).await;
    assert_eq!(out.status(), StatusCode::OK);
    assert!(out.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert!(out.text().await.unwrap().contains("Vous êtes déconnecté."));
    assert_eq!(home(&server, &cookie).await.status(), StatusCode::SEE_OTHER);
    // The HTTPS session is still open.
    assert_eq!(
        home(&server, &cookie_of(&https)).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn wrong_passwords_lock_the_account_and_unknown_logins_get_the_same_answer() {
    let server = with_account().await;
    let wrong = sign_in(&server, LOGIN, "pas le bon mot de passe").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get(SET_COOKIE).is_none());
    let page = wrong.text().await.unwrap();
    assert!(page.contains("role=\"alert\">Adresse e-mail ou mot de passe incorrect."));
    assert!(
        page.contains(&format!("value=\"{LOGIN}\"")),
        "the address typed stays"
    );
    assert!(
        !page.contains("pas le bon"),
        "a password is never sent back"
    );
    let unknown = sign_in(&server, "nobody@saint-exemple.fr", PASSWORD).await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert!(unknown
        .text()
        .await
        .unwrap()
        .contains("Adresse e-mail ou mot de passe incorrect."));

    for _ in 0..3 {
        assert_eq!(
            sign_in(&server, LOGIN, "encore un mauvais").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // The fifth wrong password in a row locks it: even the right one is refused then.
    let locked = sign_in(&server, LOGIN, "le cinquième mauvais").await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(locked
        .text()
        .await
        .unwrap()
        .contains("bloqué pendant 15 minutes"));
    let right = sign_in(&server, LOGIN, PASSWORD).await;
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(right.headers().get(SET_COOKIE).is_none());

    // Once the lockout is over, the right password opens a session and the count restarts.
    server
        .execute("UPDATE staff_accounts SET locked_until = '2000-01-01T00:00:00Z'")
        .await;
    assert_eq!(
        sign_in(&server, LOGIN, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        server
            .count("SELECT failed_logins FROM staff_accounts")
            .await,
        0
    );
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM staff_accounts WHERE password_hash LIKE '$argon2id$%'")
            .await,
        1
    );
}

#[tokio::test]
async fn forms_without_the_sessions_token_or_from_another_site_are_refused() {
    let server = with_account().await;
    let cookie = cookie_of(&sign_in(&server, LOGIN, PASSWORD).await);
    let csrf = csrf_of(&server, &cookie).await;
    for forged in [
        "",
        "0000000000000000000000000000000000000000000000000000000000000000",
    ] {
        let refused = post(&server, "/console/logout", &cookie, forged).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert!(refused
            .text()
            .await
            .unwrap()
            .contains("n’a pas pu être vérifiée"));
    }
    let cross_site = browser()
        .post(server.url("/console/logout"))
        .header(COOKIE, &cookie)
        .header("origin", "https://evil.example")
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    let cross_login = browser()
        .post(server.url("/console/login"))
        .header("origin", "https://evil.example")
        .form(&[("login", LOGIN), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_login.status(), StatusCode::FORBIDDEN);
    // Nothing was closed by the refused forms.
    assert_eq!(home(&server, &cookie).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn signing_out_everywhere_closes_every_session_of_the_account_only() {
    let server = with_account().await;
    server
        .state
        .service
        .create_staff(StaffInput {
            login: "dominique@saint-exemple.fr".into(),
            name: "Dominique".into(),
            password: PASSWORD.into(),
            endpoint_admin: true,
            roles: vec![],
        })
        .await
        .unwrap();
    let phone = cookie_of(&sign_in(&server, LOGIN, PASSWORD).await);
    let laptop = cookie_of(&sign_in(&server, LOGIN, PASSWORD).await);
    let other = cookie_of(&sign_in(&server, "dominique@saint-exemple.fr", PASSWORD).await);
    let page = home(&server, &other).await.text().await.unwrap();
    assert!(page.contains("tous les sites"), "{page}");

    let csrf = csrf_of(&server, &phone).await;
    let out = post(&server, "/console/logout-all", &phone, &csrf).await;
    assert_eq!(out.status(), StatusCode::OK);
    assert!(out.text().await.unwrap().contains("Sessions fermées : 2."));
    for cookie in [&phone, &laptop] {
        assert_eq!(home(&server, cookie).await.status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(home(&server, &other).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn accounts_need_an_address_a_real_password_and_existing_sites() {
    let server = TestServer::start().await;
    let service = &server.state.service;
    let input = |login: &str, password: &str, site: &str| StaffInput {
        login: login.into(),
        name: "Camille".into(),
        password: password.into(),
        endpoint_admin: false,
        roles: vec![SiteRole {
            site_id: site.into(),
            role: Role::Admin,
        }],
    };
    assert!(service
        .create_staff(input("camille", PASSWORD, SITE))
        .await
        .is_err());
    assert!(service
        .create_staff(input(LOGIN, "court", SITE))
        .await
        .is_err());
    assert!(service
        .create_staff(input(LOGIN, PASSWORD, "nowhere"))
        .await
        .is_err());
    service
        .create_staff(input(LOGIN, PASSWORD, SITE))
        .await
        .unwrap();
    assert!(
        service
            .create_staff(input(LOGIN, PASSWORD, SITE))
            .await
            .is_err(),
        "one account per address"
    );
}

/// `POST` of the moderation form of comment `id` on `site`, as the session `cookie`.
async fn moderate(
    server: &TestServer,
    cookie: &str,
    csrf: &str,
    site: &str,
    id: &serde_json::Value,
    action: &str,
    reason: &str,
) -> Response {
    browser()
        .post(server.url(&format!("/console/sites/{site}/review/{id}")))
        .header(COOKIE, cookie)
        .form(&[("csrf", csrf), ("action", action), ("reason", reason)])
        .send()
        .await
        .unwrap()
}

async fn queue(server: &TestServer, cookie: &str, site: &str) -> Response {
    browser()
        .get(server.url(&format!("/console/sites/{site}/review")))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn moderators_review_their_sites_comments_only_and_are_audited_by_name() {
    let server = with_account().await;
    server
        .create_thread(
            "held",
            serde_json::json!({ "pre_moderation": true, "title": "Travaux rue <Haute>" }),
        )
        .await;
    server.create_thread("open", serde_json::json!({})).await;
    let (resident, neighbour, passer_by) = (token(), token(), token());
    let pending = server
        .comment_ok(
            "held",
            &resident,
            serde_json::json!({ "text": "À valider" }),
        )
        .await["id"]
        .clone();
    let parent = server
        .comment_ok(
            "open",
            &resident,
            serde_json::json!({ "text": "Le premier avis" }),
        )
        .await["id"]
        .clone();
    let reported = server
        .comment_ok(
            "open",
            &neighbour,
            serde_json::json!({ "text": "Un avis signalé", "parent_id": parent }),
        )
        .await["id"]
        .clone();
    server
        .report_ok(&reported, &passer_by, "Propos <injurieux>")
        .await;
    // Another site's comment, which this moderator may not touch.
    server.create_site("elsewhere", &[SITE_ORIGIN]).await;
    let response = server
        .admin_send(
            reqwest::Method::POST,
            "/threads",
            serde_json::json!({ "id": "far", "site_id": "elsewhere", "title": "Ailleurs", "pre_moderation": true }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let far = server
        .comment_ok("far", &resident, serde_json::json!({ "text": "Loin" }))
        .await["id"]
        .clone();

    let cookie = cookie_of(&sign_in(&server, LOGIN, PASSWORD).await);
    let csrf = csrf_of(&server, &cookie).await;
    let home = home(&server, &cookie).await.text().await.unwrap();
    assert!(home.contains(&format!(
        "href=\"/console/sites/{SITE}/review\">À modérer (2)</a>"
    )));
    assert!(!home.contains("/audit"), "moderators have no audit log");

    let page = queue(&server, &cookie, SITE).await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    let (at_pending, at_reported) = (
        page.find("À valider").expect("the held comment"),
        page.find("Un avis signalé").expect("the reported comment"),
    );
    assert!(at_pending < at_reported, "oldest first");
    assert!(
        page.contains("Travaux rue &lt;Haute&gt;") && page.contains("En attente de validation")
    );
    assert!(
        page.contains("Signalements : 1") && page.contains("<li>Propos &lt;injurieux&gt;</li>")
    );
    assert!(page.contains("Le premier avis"), "the comment it answers");
    assert!(!page.contains("Loin"));

    // Another site's queue and comments are closed to this moderator.
    assert_eq!(
        queue(&server, &cookie, "elsewhere").await.status(),
        StatusCode::FORBIDDEN
    );
    let refused = moderate(&server, &cookie, &csrf, "elsewhere", &far, "approve", "").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        server
            .text(&format!("SELECT status FROM comments WHERE id = {far}"))
            .await,
        "pending"
    );
    // Without the session's token, nothing happens.
    let forged = moderate(&server, &cookie, "", SITE, &pending, "approve", "").await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    let approved = moderate(&server, &cookie, &csrf, SITE, &pending, "approve", "").await;
    assert_eq!(approved.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        approved.headers()[LOCATION],
        format!("/console/sites/{SITE}/review?done=approve")
    );
    let hidden = moderate(
        &server,
        &cookie,
        &csrf,
        SITE,
        &reported,
        "hide",
        "Hors charte",
    )
    .await;
    assert_eq!(hidden.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        server
            .text(&format!(
                "SELECT status || ':' || removal_reason FROM comments WHERE id = {reported}"
            ))
            .await,
        "hidden:Hors charte"
    );
    let page = browser()
        .get(server.url(&format!("/console/sites/{SITE}/review?done=hide")))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("role=\"status\">Commentaire masqué.</p>"));
    assert!(
        page.contains("Rien n’attend de modération sur ce site."),
        "{page}"
    );
    let audit = server.admin_read("/audit").await;
    let actors: Vec<_> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"] == format!("staff:{LOGIN}"))
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(actors.len(), 2, "{audit}");

    // Published again, it stays out of the queue until a report newer than the review.
    server
        .execute(&format!(
            "UPDATE comments SET status = 'published' WHERE id = {reported}"
        ))
        .await;
    let page = queue(&server, &cookie, SITE).await.text().await.unwrap();
    assert!(!page.contains("Un avis signalé"), "{page}");
    server.report_ok(&reported, &token(), "Encore").await;
    let page = queue(&server, &cookie, SITE).await.text().await.unwrap();
    assert!(
        page.contains("Un avis signalé") && page.contains("Garder publié"),
        "{page}"
    );
    assert!(page.contains("Signalements : 2"), "{page}");

    // The audit log is for the site's administrators: a moderator is told so.
    let refused = browser()
        .get(server.url(&format!("/console/sites/{SITE}/audit")))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("Seuls les administrateurs du site"));
    server
        .state
        .service
        .create_staff(StaffInput {
            login: "webmestre@saint-exemple.fr".into(),
            name: "Dominique".into(),
            password: PASSWORD.into(),
            endpoint_admin: false,
            roles: vec![SiteRole {
                site_id: SITE.into(),
                role: Role::Admin,
            }],
        })
        .await
        .unwrap();
    let admin = cookie_of(&sign_in(&server, "webmestre@saint-exemple.fr", PASSWORD).await);
    let log = |query: &'static str| {
        let (server, admin) = (&server, admin.clone());
        async move {
            let response = browser()
                .get(server.url(&format!("/console/sites/{SITE}/audit{query}")))
                .header(COOKIE, admin)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            response.text().await.unwrap()
        }
    };
    let all = log("").await;
    assert!(
        all.contains(&format!(
            "<td>staff:{LOGIN}</td><td>hide</td><td>comment:{reported}</td><td>Hors charte</td>"
        )),
        "{all}"
    );
    assert!(all.contains(&format!("<td>comment:{pending}</td>")));
    let hides = log("?action=hide").await;
    assert!(hides.contains("<option selected>hide</option>"));
    assert!(
        !hides.contains(&format!("<td>comment:{pending}</td>")),
        "{hides}"
    );
    let by_token = log("?actor=admin").await;
    assert!(
        by_token.contains("<td>admin</td><td>create</td><td>thread:held</td>"),
        "{by_token}"
    );
    assert!(!by_token.contains(&format!("<td>staff:{LOGIN}</td>")));
    assert!(log("?actor=nobody")
        .await
        .contains("Aucune action ne correspond."));
}

#[tokio::test]
async fn staff_answer_residents_left_without_an_official_reply_and_keep_a_refused_text() {
    let server = with_account().await;
    server
        .create_thread("open", serde_json::json!({ "title": "Marché" }))
        .await;
    let old = server
        .comment_ok(
            "open",
            &token(),
            serde_json::json!({ "text": "Une question ancienne" }),
        )
        .await["id"]
        .clone();
    server
        .comment_ok(
            "open",
            &token(),
            serde_json::json!({ "text": "Une question récente" }),
        )
        .await;
    server
        .execute(&format!(
            "UPDATE comments SET created_at = '2020-01-01T00:00:00Z' WHERE id = {old}"
        ))
        .await;
    let cookie = cookie_of(&sign_in(&server, LOGIN, PASSWORD).await);
    let csrf = csrf_of(&server, &cookie).await;
    let list = |query: &'static str| {
        let (server, cookie) = (&server, cookie.clone());
        async move {
            browser()
                .get(server.url(&format!("/console/sites/{SITE}/unanswered{query}")))
                .header(COOKIE, cookie)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let page = list("").await;
    assert!(page.contains("Une question ancienne") && !page.contains("Une question récente"));
    assert!(list("?hours=0").await.contains("Une question récente"));
    // Waiting for more than 100,000 hours (since 2015): nobody.
    assert!(list("?hours=100000")
        .await
        .contains("Tous les habitants ont eu une réponse officielle."));

    // Too long: refused, and the text typed comes back in its form.
    let answer = |text: String| {
        let (server, cookie, csrf, old) = (&server, cookie.clone(), csrf.clone(), old.clone());
        async move {
            browser()
                .post(server.url(&format!("/console/sites/{SITE}/unanswered/{old}")))
                .header(COOKIE, cookie)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("text", text.as_str()),
                    ("hours", "48"),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let long = format!("Réponse {}", "détaillée ".repeat(600));
    let refused = answer(long.clone()).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap();
    assert!(page.contains(&format!(">{long}</textarea>")));
    assert!(page.contains("Votre texte est conservé"), "{page}");

    let sent = answer("Le marché a lieu le samedi.".into()).await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    assert!(list("")
        .await
        .contains("Tous les habitants ont eu une réponse officielle."));
    let thread = server.comments("open", None).await;
    let reply = &thread["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == old)
        .unwrap()["replies"][0];
    assert_eq!(reply["official"], true);
    assert_eq!(reply["author_name"], format!("Site {SITE}"));
    assert_eq!(reply["text"], "Le marché a lieu le samedi.");
    assert_eq!(
        server
            .count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE actor = 'staff:{LOGIN}' AND action = 'reply'"
            ))
            .await,
        1
    );
}
