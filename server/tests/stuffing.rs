//! The attacks of issue 10's table that stuff results, rerun over real HTTP at the default
//! settings: one script on one network (127.0.1.0/24, a loopback address other than the
//! trusted 127.0.0.1) mints a fresh participant token for every ballot, support, "useful"
//! mark, report or comment (solving the proof of work for as many device tokens as the
//! endpoint gives it), and sends as many as the table's run sent. Each run must get at
//! most 1 % of what it tried accepted, and residents, on another network or on the same
//! one if they took part before, must never be refused because of it.

mod common;

use common::*;
use futures_util::{stream, StreamExt};
use reqwest::{Client, Method, RequestBuilder, StatusCode};
use serde_json::{json, Value};

/// The attacker's network and a resident's elsewhere.
const ATTACKER: u8 = 1;
const ELSEWHERE: u8 = 2;

/// Requests in flight at once during a run.
const IN_FLIGHT: usize = 16;

/// A server at the default participation settings.
async fn at_defaults() -> TestServer {
    TestServer::start_configured(|config| config.participation = Default::default()).await
}

/// `method path` from `client` as participant `token`, from the site's page.
fn act(
    server: &TestServer,
    client: &Client,
    method: Method,
    path: &str,
    token: &str,
) -> RequestBuilder {
    client
        .request(method, server.url(path))
        .header("origin", SITE_ORIGIN)
        .header(PARTICIPANT, token)
}

/// Sends `tried` requests made by `request` from `client`, each as a participant new to the
/// site, as the strongest script would: it first earns as many device tokens as the endpoint
/// gives its network (solving each proof of work), then uses each once, then goes on with
/// tokens of its own making. The number accepted; every refusal must be a 429 or a 403
/// asking for a proof of work: nothing fails otherwise.
async fn stuff(
    server: &TestServer,
    client: &Client,
    tried: usize,
    request: impl Fn(String) -> RequestBuilder,
) -> usize {
    let mut earned = Vec::new();
    while earned.len() < tried {
        match server.earn_device_token(client).await {
            Ok(token) => earned.push(token),
            Err((status, _)) => {
                assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
                break;
            }
        }
    }
    let tokens: Vec<String> = (0..tried)
        .map(|i| earned.get(i).cloned().unwrap_or_else(token))
        .collect();
    let statuses: Vec<(StatusCode, String)> = stream::iter(tokens)
        .map(|token| {
            let sent = request(token).send();
            async move {
                let answer = sent.await.unwrap();
                let status = answer.status();
                (status, answer.text().await.unwrap())
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    for (status, body) in &statuses {
        assert!(
            status.is_success()
                || *status == StatusCode::TOO_MANY_REQUESTS
                || (*status == StatusCode::FORBIDDEN && body.contains("proof_required")),
            "unexpected {status}: {body}"
        );
    }
    statuses
        .iter()
        .filter(|(status, _)| status.is_success())
        .count()
}

/// Asserts that a run got at most 1 % of what it tried accepted.
fn bounded(what: &str, accepted: usize, tried: usize) {
    assert!(
        accepted * 100 <= tried,
        "{what}: {accepted} of {tried} accepted, more than 1 %"
    );
}

/// `tried` PUTs of `path` from the attacker's network, each with a fresh token, bounded to
/// 1 %; then one from a resident elsewhere, which must succeed. How many of the run were
/// accepted, and the resident's answer.
async fn put_run_then_resident(
    server: &TestServer,
    what: &str,
    path: &str,
    tried: usize,
) -> (usize, Value) {
    let attacker = from_network(ATTACKER);
    let accepted = stuff(server, &attacker, tried, |token| {
        act(server, &attacker, Method::PUT, path, &token)
    })
    .await;
    bounded(what, accepted, tried);
    let resident = act(
        server,
        &from_network(ELSEWHERE),
        Method::PUT,
        path,
        &server
            .earn_device_token(&from_network(ELSEWHERE))
            .await
            .unwrap(),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(
        resident.status(),
        StatusCode::OK,
        "{what}: a resident elsewhere"
    );
    (accepted, resident.json().await.unwrap())
}

#[tokio::test]
async fn ballots_from_fresh_tokens_are_bounded_and_residents_still_vote() {
    let server = at_defaults().await;
    let poll = server.create_poll("p", json!({})).await;
    let options = option_ids(&poll);
    let attacker = from_network(ATTACKER);
    let vote = |client: &Client, token: &str, option: i64| {
        act(&server, client, Method::PUT, "/api/v1/polls/p/vote", token)
            .json(&json!({ "choices": [option] }))
    };
    let status = |request: RequestBuilder| async { request.send().await.unwrap().status() };
    // A resident of the attacker's network who voted before the run.
    let neighbour = server.device().await;
    assert_eq!(
        status(vote(&attacker, &neighbour, options[1])).await,
        StatusCode::OK
    );

    let tried = 888;
    let accepted = stuff(&server, &attacker, tried, |token| {
        vote(&attacker, &token, options[0])
    })
    .await;
    bounded("ballots", accepted, tried);
    assert_eq!(counts(&server.view("p", None).await)[0], accepted as u64);

    assert_eq!(
        status(vote(&attacker, &neighbour, options[0])).await,
        StatusCode::OK,
        "a known resident changes their vote"
    );
    let elsewhere = from_network(ELSEWHERE);
    let resident = server.earn_device_token(&elsewhere).await.unwrap();
    assert_eq!(
        status(vote(&elsewhere, &resident, options[1])).await,
        StatusCode::OK,
        "a resident elsewhere votes"
    );
}

#[tokio::test]
async fn supports_from_fresh_tokens_stay_under_the_council_threshold() {
    let server = at_defaults().await;
    server.create_box("b", json!({ "threshold": 50 })).await;
    let id = server
        .proposal_ok("b", &server.device().await, json!({}))
        .await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/proposals/{id}/support");
    let (accepted, support) = put_run_then_resident(&server, "supports", &path, 3_094).await;
    assert_eq!(support["supports"], accepted as u64 + 1);
    assert_eq!(support["threshold_reached_at"], Value::Null);
}

#[tokio::test]
async fn useful_marks_from_fresh_tokens_are_bounded() {
    let server = at_defaults().await;
    server.create_thread("t", json!({})).await;
    let id = server
        .comment_ok("t", &server.device().await, json!({}))
        .await["id"]
        .clone();
    let path = format!("/api/v1/comments/{id}/useful");
    let (accepted, mark) = put_run_then_resident(&server, "useful marks", &path, 3_861).await;
    assert_eq!(mark["useful"], accepted as u64 + 1);
}

#[tokio::test]
async fn reports_from_fresh_tokens_on_one_network_hide_nothing() {
    let server = at_defaults().await;
    server.create_thread("t", json!({})).await;
    let official = server.official_reply("t").await["id"].clone();
    let mut comments = vec![official];
    for _ in 0..30 {
        let author = server.device().await;
        comments.push(server.comment_ok("t", &author, json!({})).await["id"].clone());
    }
    let attacker = from_network(ATTACKER);
    let reports: Vec<String> = comments
        .iter()
        .flat_map(|id| std::iter::repeat_n(format!("/api/v1/comments/{id}/reports"), 3))
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let accepted = stuff(&server, &attacker, reports.len(), |token| {
        let path = &reports[next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)];
        act(&server, &attacker, Method::POST, path, &token).json(&json!({ "reason": "spam" }))
    })
    .await;
    assert!(accepted > 0, "the first newcomers may report");
    let shown = server
        .count("SELECT COUNT(*) FROM comments WHERE status = 'published'")
        .await;
    assert_eq!(shown, 31, "no comment hidden, the official reply included");
}

#[tokio::test]
async fn a_spam_run_leaves_residents_elsewhere_posting() {
    let server = at_defaults().await;
    server.create_thread("t", json!({})).await;
    let attacker = from_network(ATTACKER);
    let body = json!({ "author_name": "Camille", "text": "Achetez maintenant" });
    let accepted = stuff(&server, &attacker, 120, |token| {
        act(
            &server,
            &attacker,
            Method::POST,
            "/api/v1/threads/t/comments",
            &token,
        )
        .json(&body)
    })
    .await;
    assert!(
        accepted * 10 <= 120,
        "{accepted} of 120 spam comments accepted"
    );
    let resident = act(
        &server,
        &from_network(ELSEWHERE),
        Method::POST,
        "/api/v1/threads/t/comments",
        &server
            .earn_device_token(&from_network(ELSEWHERE))
            .await
            .unwrap(),
    )
    .json(&json!({ "author_name": "Dominique", "text": "Merci pour ce projet" }))
    .send()
    .await
    .unwrap();
    assert_eq!(
        resident.status(),
        StatusCode::CREATED,
        "a resident elsewhere posts"
    );
}
