//! Per-network limits over real HTTP, from several loopback networks (127.0.X.0/24): one
//! network cannot use up a site's posting allowance nor guess the staff token quickly, and
//! behind a trusted proxy the client it names is what counts.

mod common;

use common::*;
use reqwest::{Client, Method, StatusCode};
use serde_json::json;

async fn post_comment(server: &TestServer, client: &Client, token: &str) -> StatusCode {
    client
        .post(format!("{}/api/v1/threads/t/comments", server.base))
        .header("origin", SITE_ORIGIN)
        .header(PARTICIPANT, token)
        .json(&json!({ "author_name": "Camille", "text": "Bonjour" }))
        .send()
        .await
        .unwrap()
        .status()
}

async fn admin_status(server: &TestServer, client: &Client, bearer: &str) -> StatusCode {
    client
        .get(format!("{}/api/v1/admin/audit", server.base))
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn one_network_takes_a_share_of_the_sites_posting_allowance() {
    let server = TestServer::start_configured(|config| {
        config.comments.participant_per_minute = 0;
        config.comments.site_per_minute = 8;
        // Loopback counts as residents' networks here, not as a proxy.
        config.connections.trusted_proxies.clear();
    })
    .await;
    server.create_thread("t", json!({})).await;
    let abuser = from_network(1);
    let mut accepted = 0;
    for _ in 0..20 {
        // A fresh token each time: the participant limit cannot tell them apart.
        match post_comment(&server, &abuser, &token()).await {
            StatusCode::CREATED => accepted += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(accepted, 8 / 4, "a quarter of the site's 8 a minute");
    // Residents elsewhere still post.
    for n in 2..=4 {
        let resident = from_network(n);
        assert_eq!(
            post_comment(&server, &resident, &token()).await,
            StatusCode::CREATED,
            "network {n}"
        );
    }
}

#[tokio::test]
async fn wrong_staff_tokens_slow_down_their_network_only() {
    let server = TestServer::start_configured(|config| {
        config.connections.trusted_proxies.clear();
    })
    .await;
    let guesser = from_network(1);
    for _ in 0..10 {
        assert_eq!(
            admin_status(&server, &guesser, "guess-0123456789abcdef").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        admin_status(&server, &guesser, "guess-0123456789abcdef").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Even the right token: a guess that found it could not tell.
    assert_eq!(
        admin_status(&server, &guesser, ADMIN_TOKEN).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        admin_status(&server, &from_network(2), ADMIN_TOKEN).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_client_it_names_counts() {
    let server = TestServer::start_configured(|config| {
        config.connections.client_ip_header = Some("x-forwarded-for".parse().unwrap());
    })
    .await;
    let through_proxy = |client: &'static str| {
        server
            .request(Method::GET, "/api/v1/admin/audit")
            .bearer_auth("guess-0123456789abcdef")
            // A client may send its own header: the proxy's address is the last one.
            .header("x-forwarded-for", format!("10.9.9.9, {client}"))
            .send()
    };
    for _ in 0..10 {
        let answer = through_proxy("198.51.100.7").await.unwrap();
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    }
    let answer = through_proxy("198.51.100.8").await.unwrap();
    assert_eq!(
        answer.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the same /24"
    );
    let answer = through_proxy("203.0.113.9").await.unwrap();
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED, "another network");
}

#[tokio::test]
async fn reports_hide_a_comment_only_from_enough_networks() {
    let server = TestServer::start_configured(|config| {
        config.connections.trusted_proxies.clear();
    })
    .await;
    server
        .create_site_with("strict", &[SITE_ORIGIN], json!({ "report_threshold": 2 }))
        .await;
    server
        .create_thread("t", json!({ "site_id": "strict" }))
        .await;
    let id = server.comment_ok("t", &token(), json!({})).await["id"]
        .as_i64()
        .unwrap();
    let url = format!("{}/api/v1/comments/{id}/reports", server.base);
    // Five fresh tokens from one network count as one.
    for _ in 0..5 {
        assert_eq!(
            report_from(from_network(1), url.clone()).await,
            StatusCode::NO_CONTENT
        );
    }
    assert_eq!(server.comments("t", None).await["count"], 1);
    assert_eq!(
        report_from(from_network(2), url).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(server.comments("t", None).await["count"], 0);
}

/// Reports at `url` as a fresh participant, from `client`'s network.
async fn report_from(client: Client, url: String) -> StatusCode {
    client
        .post(url)
        .header("origin", SITE_ORIGIN)
        .header(PARTICIPANT, token())
        .json(&json!({ "reason": "spam" }))
        .send()
        .await
        .unwrap()
        .status()
}
