//! Site accounts over real HTTP, tried as an attacker would: the host website signs a token
//! for its logged-in user, the endpoint exchanges it once for a participant token, and a
//! poll for site users takes one vote per user, whatever the device. Expired, replayed,
//! tampered, other-site and unsigned tokens are all refused.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::*;
use hmac::{Hmac, Mac};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use sha2::Sha256;

/// A site whose website signs its users' tokens, and its secret.
const CLUB: &str = "club";
const CLUB_SECRET: &str = "club-secret-0123456789abcdef0123456789";
/// Another such site.
const VILLAGE: &str = "village";
const VILLAGE_SECRET: &str = "village-secret-0123456789abcdef012345";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Signs `claims` as the host website does (`docs/sso.md`).
fn sign(claims: &Value, secret: &str) -> String {
    let signed = format!("v1.{}", URL_SAFE_NO_PAD.encode(claims.to_string()));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(signed.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signed}.{signature}")
}

/// What the website says of user `sub` on `site`, valid ten minutes, with a fresh nonce.
fn claims(site: &str, sub: &str) -> Value {
    json!({ "site": site, "sub": sub, "name": "Marie Curie", "exp": now() + 600, "nonce": token() })
}

async fn exchange(server: &TestServer, site: &str, sso: &str) -> Response {
    server
        .request(reqwest::Method::POST, &format!("/api/v1/sites/{site}/sso"))
        .json(&json!({ "token": sso }))
        .send()
        .await
        .unwrap()
}

/// Exchanges a fresh token for `sub` on [`CLUB`]; returns the participant token.
async fn sign_in(server: &TestServer, sub: &str) -> String {
    let response = exchange(server, CLUB, &sign(&claims(CLUB, sub), CLUB_SECRET)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let no_store = response.headers()["cache-control"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(no_store, "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["participation"], "site");
    assert_eq!(body["name"], "Marie Curie");
    body["participant"].as_str().unwrap().to_owned()
}

/// The error code of a refused answer, checking its status.
async fn refused(response: Response, status: StatusCode) -> String {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    body["error"]["code"].as_str().unwrap().to_owned()
}

async fn server() -> TestServer {
    let server = TestServer::start().await;
    for (site, secret) in [(CLUB, CLUB_SECRET), (VILLAGE, VILLAGE_SECRET)] {
        server
            .create_site_with(site, &[SITE_ORIGIN], json!({ "sso_secret": secret }))
            .await;
    }
    server
}

async fn site_poll(server: &TestServer, id: &str, site: &str) -> Vec<i64> {
    server
        .create_poll(id, json!({ "site_id": site, "participation": "site" }))
        .await;
    option_ids(&server.view(id, None).await)
}

#[tokio::test]
async fn a_site_user_votes_once_whatever_the_device() {
    let server = server().await;
    let options = site_poll(&server, "p", CLUB).await;
    assert_eq!(server.view("p", None).await["participation"], "site");

    let device = token();
    let code = refused(
        server.vote("p", &device, &options[..1]).await,
        StatusCode::FORBIDDEN,
    );
    assert_eq!(code.await, "participation_required");

    let phone = sign_in(&server, "user-42").await;
    server.vote_ok("p", &phone, &options[..1]).await;
    // The same user signed in on a second device is the same participant: their vote
    // changes, it does not add up.
    let laptop = sign_in(&server, "user-42").await;
    assert_eq!(
        server.view("p", Some(&laptop)).await["my_choices"],
        json!([options[0]])
    );
    let view = server.vote_ok("p", &laptop, &options[1..2]).await;
    assert_eq!(view["results"]["voters"], 1);
    assert_eq!(counts(&view), vec![0, 1, 0]);
    let other = sign_in(&server, "user-43").await;
    let view = server.vote_ok("p", &other, &options[1..2]).await;
    assert_eq!(view["results"]["voters"], 2);
    assert_eq!(server.count("SELECT COUNT(*) FROM ballots").await, 2);
    // The website's user ids are kept nowhere, only a keyed hash of them.
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM participants WHERE key LIKE '%user-4%'")
            .await,
        0
    );

    // A device poll on the same site takes site users too.
    server.create_poll("d", json!({ "site_id": CLUB })).await;
    let device_options = option_ids(&server.view("d", None).await);
    assert_eq!(server.view("d", None).await["participation"], "device");
    server.vote_ok("d", &phone, &device_options[..1]).await;
    server.vote_ok("d", &device, &device_options[..1]).await;
}

#[tokio::test]
async fn a_box_for_site_users_takes_their_proposals_and_one_support_each() {
    let server = server().await;
    let created = server
        .create_box(
            "b",
            json!({ "site_id": CLUB, "participation": "site", "threshold": 2 }),
        )
        .await;
    assert_eq!(created["participation"], "site");
    let device = token();
    let refused_post = server.post_proposal("b", &device, json!({})).await;
    assert_eq!(
        refused(refused_post, StatusCode::FORBIDDEN).await,
        "participation_required"
    );

    let author = sign_in(&server, "user-1").await;
    let idea = server.proposal_ok("b", &author, json!({})).await;
    let id = idea["id"].as_i64().unwrap();
    let support = server.support(reqwest::Method::PUT, id, &device).await;
    assert_eq!(
        refused(support, StatusCode::FORBIDDEN).await,
        "participation_required"
    );
    // One user, two devices: one support; the second is refused as already given.
    let phone = sign_in(&server, "user-2").await;
    let laptop = sign_in(&server, "user-2").await;
    let first = server.support(reqwest::Method::PUT, id, &phone).await;
    assert_eq!(first.status(), StatusCode::OK);
    let again = server.support(reqwest::Method::PUT, id, &laptop).await;
    assert_eq!(
        refused(again, StatusCode::CONFLICT).await,
        "already_supported"
    );
    assert_eq!(
        server.count("SELECT COUNT(*) FROM proposal_supports").await,
        1
    );
}

#[tokio::test]
async fn a_thread_for_site_users_takes_their_comments_marks_and_reports_only() {
    let server = server().await;
    let created = server
        .create_thread("t", json!({ "site_id": CLUB, "participation": "site" }))
        .await;
    assert_eq!(created["participation"], "site");
    let device = token();
    let refused_post = server
        .post_comment("t", &device, json!({ "text": "Sans compte" }))
        .await;
    assert_eq!(
        refused(refused_post, StatusCode::FORBIDDEN).await,
        "participation_required"
    );
    let member = sign_in(&server, "user-1").await;
    let comment = server
        .comment_ok("t", &member, json!({ "text": "Avec mon compte" }))
        .await;
    let id = &comment["id"];
    let useful = server
        .request(
            reqwest::Method::PUT,
            &format!("/api/v1/comments/{id}/useful"),
        )
        .header(PARTICIPANT, &device)
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused(useful, StatusCode::FORBIDDEN).await,
        "participation_required"
    );
    let report = server
        .post_as(
            &format!("/api/v1/comments/{id}/reports"),
            &device,
            json!({ "reason": "spam" }),
            json!({}),
        )
        .await;
    assert_eq!(
        refused(report, StatusCode::FORBIDDEN).await,
        "participation_required"
    );
    let neighbour = sign_in(&server, "user-2").await;
    server.mark_useful(id, &neighbour).await;
    server.report_ok(id, &neighbour, "hors sujet").await;
    assert_eq!(server.count("SELECT COUNT(*) FROM comment_useful").await, 1);
    assert_eq!(
        server.count("SELECT COUNT(*) FROM comment_reports").await,
        1
    );

    // A proposal's discussion takes part as its box does.
    server
        .create_box("b", json!({ "site_id": CLUB, "participation": "site" }))
        .await;
    let idea = server.proposal_ok("b", &member, json!({})).await;
    let thread = server
        .read(&format!("/api/v1/threads/proposal-{}", idea["id"]), None)
        .await;
    assert_eq!(thread["participation"], "site", "{thread}");
    let device_reply = server
        .post_comment(
            &format!("proposal-{}", idea["id"]),
            &device,
            json!({ "text": "Sans compte" }),
        )
        .await;
    assert_eq!(
        refused(device_reply, StatusCode::FORBIDDEN).await,
        "participation_required"
    );
}

#[tokio::test]
async fn forged_expired_replayed_and_other_site_tokens_are_refused() {
    let server = server().await;
    let check = |site: &'static str, sso: String| {
        let server = &server;
        async move { refused(exchange(server, site, &sso).await, StatusCode::UNAUTHORIZED).await }
    };

    // Replayed: a token serves once.
    let once = sign(&claims(CLUB, "user-42"), CLUB_SECRET);
    assert_eq!(
        exchange(&server, CLUB, &once).await.status(),
        StatusCode::OK
    );
    assert_eq!(check(CLUB, once.clone()).await, "sso_refused");

    // Expired, or living longer than an hour.
    let mut expired = claims(CLUB, "user-42");
    expired["exp"] = json!(now() - 1);
    assert_eq!(
        check(CLUB, sign(&expired, CLUB_SECRET)).await,
        "sso_expired"
    );
    let mut long = claims(CLUB, "user-42");
    long["exp"] = json!(now() + 7200);
    assert_eq!(check(CLUB, sign(&long, CLUB_SECRET)).await, "sso_refused");

    // Tampered: another user's id under the first token's signature.
    let fresh = sign(&claims(CLUB, "user-42"), CLUB_SECRET);
    let signature = fresh.rsplit_once('.').unwrap().1;
    let admin = sign(&claims(CLUB, "admin"), CLUB_SECRET);
    let forged = format!("{}.{signature}", admin.rsplit_once('.').unwrap().0);
    assert_eq!(check(CLUB, forged).await, "sso_refused");
    assert_eq!(
        check(CLUB, sign(&claims(CLUB, "u"), "a guess of the secret")).await,
        "sso_refused"
    );
    assert_eq!(check(CLUB, "v1.e30".into()).await, "sso_refused");
    assert_eq!(check(CLUB, "x".repeat(3000)).await, "sso_refused");

    // Another site's: signed for the village, or by the village for the club, or sent to
    // a site that takes no site accounts.
    let village = sign(&claims(VILLAGE, "user-42"), VILLAGE_SECRET);
    assert_eq!(check(CLUB, village).await, "sso_refused");
    assert_eq!(
        check(CLUB, sign(&claims(CLUB, "user-42"), VILLAGE_SECRET)).await,
        "sso_refused"
    );
    assert_eq!(
        check(VILLAGE, sign(&claims(CLUB, "user-42"), CLUB_SECRET)).await,
        "sso_refused"
    );
    assert_eq!(
        check(SITE, sign(&claims(SITE, "user-42"), CLUB_SECRET)).await,
        "sso_refused"
    );
    let unknown = sign(&claims("nowhere", "u"), CLUB_SECRET);
    let unknown = exchange(&server, "nowhere", &unknown).await;
    assert_eq!(refused(unknown, StatusCode::NOT_FOUND).await, "not_found");

    // From a page the site does not list.
    let stranger = server
        .request(reqwest::Method::POST, &format!("/api/v1/sites/{CLUB}/sso"))
        .header("origin", "https://elsewhere.example")
        .json(&json!({ "token": sign(&claims(CLUB, "user-42"), CLUB_SECRET) }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused(stranger, StatusCode::FORBIDDEN).await,
        "origin_not_allowed"
    );

    // The endpoint's participant tokens: tampered, or the club's used on the village.
    let options = site_poll(&server, "p", CLUB).await;
    let village_options = site_poll(&server, "v", VILLAGE).await;
    let participant = sign_in(&server, "user-42").await;
    let mut bytes = participant.clone().into_bytes();
    bytes[20] = if bytes[20] == b'0' { b'1' } else { b'0' };
    let tampered = String::from_utf8(bytes).unwrap();
    let vote = server.vote("p", &tampered, &options[..1]).await;
    assert_eq!(refused(vote, StatusCode::UNAUTHORIZED).await, "sso_refused");
    let vote = server.vote("v", &participant, &village_options[..1]).await;
    assert_eq!(refused(vote, StatusCode::UNAUTHORIZED).await, "sso_refused");
    let read = server.get_poll("p", Some(&tampered)).await;
    assert_eq!(refused(read, StatusCode::UNAUTHORIZED).await, "sso_refused");
    assert_eq!(server.count("SELECT COUNT(*) FROM ballots").await, 0);
}

#[tokio::test]
async fn site_secrets_are_checked_and_never_sent_back() {
    let server = server().await;
    let short = server
        .admin(reqwest::Method::POST, "/sites")
        .json(&json!({ "id": "weak", "name": "Weak", "origins": [], "sso_secret": "short" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused(short, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid_input"
    );
    for path in ["/api/v1/admin/sites", "/api/v1/admin/audit"] {
        let text = server.admin_get(path).await.text().await.unwrap();
        assert!(!text.contains(CLUB_SECRET), "{path} shows a secret: {text}");
    }
}

/// The fenced block of `docs/sso.md` in `language`.
fn documented(language: &str) -> String {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/sso.md"))
        .expect("docs/sso.md");
    let start = doc
        .find(&format!("```{language}\n"))
        .unwrap_or_else(|| panic!("no {language} block in docs/sso.md"))
        + language.len()
        + 4;
    let end = doc[start..].find("```").expect("unterminated block") + start;
    doc[start..end].to_owned()
}

/// Runs `program` on `source` with the arguments site, secret, user id and name; returns
/// what it prints.
fn run_signer(program: &str, file: &str, source: String, user: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(file);
    std::fs::write(&path, source).unwrap();
    let output = std::process::Command::new(program)
        .arg(&path)
        .args([CLUB, CLUB_SECRET, user, "Élise Dupont"])
        .output()
        .unwrap_or_else(|e| panic!("{program} is missing ({e}): `cargo xtask test` installs it"));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// The PHP and JavaScript signers of `docs/sso.md`, as written there, make tokens the
/// endpoint takes. Needs `php` and `node`, which `cargo xtask test` installs.
#[tokio::test]
#[ignore = "needs php-cli and node: cargo xtask test installs them and runs it"]
async fn the_documented_signers_make_tokens_the_endpoint_takes() {
    let server = server().await;
    let php = documented("php") + "\necho civique_token($argv[1], $argv[2], $argv[3], $argv[4]);\n";
    let js = documented("js") + "\nconsole.log(civiqueToken(...process.argv.slice(2)));\n";
    let tokens = [
        run_signer("php", "sign.php", php, "php-user"),
        run_signer("node", "sign.mjs", js, "js-user"),
    ];
    for sso in tokens {
        let response = exchange(&server, CLUB, &sso).await;
        assert_eq!(response.status(), StatusCode::OK, "{sso}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["name"], "Élise Dupont");
        // Once only.
        let again = exchange(&server, CLUB, &sso).await;
        assert_eq!(
            refused(again, StatusCode::UNAUTHORIZED).await,
            "sso_refused"
        );
    }
}
