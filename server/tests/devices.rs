//! Device tokens earned with a proof of work, over real HTTP, tried as an attacker would: a
//! device new to a site takes part only with a token the endpoint issued for a solved
//! challenge; challenges are single use and cannot be forged, outlived or pushed past their
//! bound; issued tokens cannot be forged; one network earns a bounded number of them.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use civique_api::codes;
use civique_server::domain::device;
use common::*;
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{json, Value};

/// A difficulty the debug build solves quickly.
const WORK: u64 = 2_000;

async fn proving() -> TestServer {
    TestServer::start_configured(|config| config.participation.proof_of_work_max_number = WORK)
        .await
}

async fn challenge(server: &TestServer) -> Value {
    let response = server
        .client
        .get(server.url("/api/v1/devices/challenge"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    response.json().await.unwrap()
}

async fn prove(server: &TestServer, client: &Client, proof: Value) -> Response {
    client
        .post(server.url("/api/v1/devices"))
        .json(&proof)
        .send()
        .await
        .unwrap()
}

/// The proof of `challenge`, solved as the widget solves it.
fn solved(challenge: &Value) -> Value {
    let salt = challenge["salt"].as_str().unwrap();
    let number = device::solve(salt, challenge["challenge"].as_str().unwrap(), WORK).unwrap();
    json!({ "salt": salt, "number": number, "signature": challenge["signature"] })
}

async fn refusal(response: Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    (
        status,
        body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

fn refused(code: &str) -> (StatusCode, String) {
    (StatusCode::FORBIDDEN, code.to_owned())
}

#[tokio::test]
async fn a_solved_challenge_earns_a_token_that_takes_part() {
    let server = proving().await;
    let challenge = challenge(&server).await;
    assert_eq!(challenge["algorithm"], "SHA-256");
    assert_eq!(challenge["maxnumber"], WORK);
    assert!(challenge["expires_at"].as_str().unwrap().ends_with('Z'));
    let response = prove(&server, &server.client, solved(&challenge)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let device: Value = response.json().await.unwrap();
    let token = device["participant"].as_str().unwrap();
    assert!(device::is_issued(token), "{token}");

    let poll = server.create_poll("p", json!({})).await;
    let options = option_ids(&poll);
    let view = server.vote_ok("p", token, &[options[0]]).await;
    assert_eq!(view["my_choices"], json!([options[0]]));
    assert_eq!(server.count("SELECT COUNT(*) FROM ballots").await, 1);
}

#[tokio::test]
async fn a_device_new_to_the_site_must_prove_its_work_everywhere() {
    let server = proving().await;
    let author = server.device().await;
    let poll = server.create_poll("p", json!({})).await;
    server.create_thread("t", json!({})).await;
    server.create_box("b", json!({})).await;
    let comment = server.comment_ok("t", &author, json!({})).await["id"].clone();
    let proposal = server.proposal_ok("b", &author, json!({})).await["id"]
        .as_i64()
        .unwrap();

    let own_making = token();
    let required = refused(codes::PROOF_REQUIRED);
    let option = option_ids(&poll)[0];
    assert_eq!(
        refusal(server.vote("p", &own_making, &[option]).await).await,
        required,
        "vote"
    );
    assert_eq!(
        refusal(server.post_comment("t", &own_making, json!({})).await).await,
        required,
        "comment"
    );
    assert_eq!(
        refusal(server.post_proposal("b", &own_making, json!({})).await).await,
        required,
        "proposal"
    );
    assert_eq!(
        refusal(server.support(Method::PUT, proposal, &own_making).await).await,
        required,
        "support"
    );
    let mark = server
        .request(Method::PUT, &format!("/api/v1/comments/{comment}/useful"))
        .header(PARTICIPANT, &own_making)
        .send()
        .await
        .unwrap();
    assert_eq!(refusal(mark).await, required, "useful mark");
    let report = server
        .request(Method::POST, &format!("/api/v1/comments/{comment}/reports"))
        .header(PARTICIPANT, &own_making)
        .json(&json!({ "reason": "spam" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refusal(report).await, required, "report");

    for (table, stored) in [
        ("ballots", 0),
        ("comments", 1),
        ("proposals", 1),
        ("proposal_supports", 0),
        ("comment_useful", 0),
        ("comment_reports", 0),
    ] {
        let count = server.count(&format!("SELECT COUNT(*) FROM {table}")).await;
        assert_eq!(count, stored, "{table}");
    }
    // Reading needs no proof.
    assert_eq!(
        server.get_poll("p", Some(&own_making)).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn residents_of_earlier_releases_keep_their_own_tokens() {
    let mut server = TestServer::start().await;
    let poll = server.create_poll("p", json!({})).await;
    let options = option_ids(&poll);
    let resident = token();
    server.vote_ok("p", &resident, &[options[0]]).await;
    server.config.participation.proof_of_work_max_number = WORK;
    let server = server.restart().await;

    let view = server.vote_ok("p", &resident, &[options[1]]).await;
    assert_eq!(
        view["my_choices"],
        json!([options[1]]),
        "a known participant goes on"
    );
    assert_eq!(
        refusal(server.vote("p", &token(), &[options[1]]).await).await,
        refused(codes::PROOF_REQUIRED),
        "a newcomer proves first"
    );
}

#[tokio::test]
async fn proofs_are_single_use_and_cannot_be_forged_or_outlived() {
    let server = proving().await;
    let c = challenge(&server).await;
    let proof = solved(&c);
    let rejected = refused(codes::PROOF_REFUSED);

    let mut wrong = proof.clone();
    wrong["number"] = json!((proof["number"].as_u64().unwrap() + 1) % (WORK + 1));
    assert_eq!(
        refusal(prove(&server, &server.client, wrong).await).await,
        rejected
    );
    let mut beyond = proof.clone();
    beyond["number"] = json!(WORK + 1);
    assert_eq!(
        refusal(prove(&server, &server.client, beyond).await).await,
        rejected
    );
    let mut forged = proof.clone();
    let signature = c["signature"].as_str().unwrap();
    let flipped = if signature.starts_with('0') { "1" } else { "0" };
    forged["signature"] = json!(format!("{flipped}{}", &signature[1..]));
    assert_eq!(
        refusal(prove(&server, &server.client, forged).await).await,
        rejected
    );
    let mut moved = proof.clone();
    moved["salt"] = json!(c["salt"].as_str().unwrap().replacen('1', "2", 1));
    assert_eq!(
        refusal(prove(&server, &server.client, moved).await).await,
        rejected
    );

    let first = prove(&server, &server.client, proof.clone()).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert_eq!(
        refusal(prove(&server, &server.client, proof).await).await,
        rejected,
        "a replayed proof"
    );

    // A challenge the endpoint really signed, eleven minutes ago: it expired.
    let key = server
        .text("SELECT value FROM secrets WHERE name = 'participants'")
        .await;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let old = device::challenge(&key, "0123456789abcdef0123456789abcdef", 5, now - 660);
    let expired = json!({ "salt": old.salt, "number": 5, "signature": old.signature });
    assert_eq!(
        refusal(prove(&server, &server.client, expired).await).await,
        refused(codes::PROOF_EXPIRED)
    );

    for bad in [
        json!({ "salt": "x", "number": 1, "signature": "00" }),
        json!({ "salt": c["salt"], "number": -1, "signature": c["signature"] }),
        json!({ "salt": c["salt"], "number": 1 }),
    ] {
        let status = prove(&server, &server.client, bad.clone()).await.status();
        assert!(status.is_client_error(), "{bad}: {status}");
    }
    assert_eq!(server.count("SELECT COUNT(*) FROM device_proofs").await, 1);
}

#[tokio::test]
async fn forged_device_tokens_are_refused() {
    let server = proving().await;
    let poll = server.create_poll("p", json!({})).await;
    let real = server.device().await;
    let flipped = if &real[1..2] == "0" { "1" } else { "0" };
    let forged = format!("d{flipped}{}", &real[2..]);
    assert_eq!(
        refusal(server.vote("p", &forged, &[option_ids(&poll)[0]]).await).await,
        refused(codes::PROOF_REFUSED)
    );
    let made_up = format!("d{}", "ab".repeat(32));
    assert_eq!(
        refusal(server.vote("p", &made_up, &[option_ids(&poll)[0]]).await).await,
        refused(codes::PROOF_REFUSED)
    );
    assert_eq!(server.count("SELECT COUNT(*) FROM ballots").await, 0);
}

#[tokio::test]
async fn devices_prove_their_work_from_a_site_page_only() {
    let server = proving().await;
    let bare = Client::new();
    let from = |origin: Option<&str>| {
        let request = bare.get(server.url("/api/v1/devices/challenge"));
        match origin {
            Some(origin) => request.header("origin", origin),
            None => request,
        }
    };
    for origin in [None, Some("https://elsewhere.example"), Some("null")] {
        let answer = from(origin).send().await.unwrap();
        assert_eq!(
            refusal(answer).await,
            refused(codes::ORIGIN_NOT_ALLOWED),
            "{origin:?}"
        );
    }
    let proof = solved(&challenge(&server).await);
    let answer = bare
        .post(server.url("/api/v1/devices"))
        .json(&proof)
        .send()
        .await
        .unwrap();
    assert_eq!(refusal(answer).await, refused(codes::ORIGIN_NOT_ALLOWED));
}

#[tokio::test]
async fn one_network_earns_a_bounded_number_of_devices() {
    let server = TestServer::start_configured(|config| {
        config.participation.proof_of_work_max_number = WORK;
        config.participation.newcomers_per_network_per_minute = 2;
    })
    .await;
    let script = from_network(1);
    for _ in 0..2 {
        server.earn_device_token(&script).await.unwrap();
    }
    let (status, body) = server.earn_device_token(&script).await.unwrap_err();
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"]["code"], codes::RATE_LIMITED);
    assert!(
        server.earn_device_token(&from_network(2)).await.is_ok(),
        "another network goes on"
    );
}
