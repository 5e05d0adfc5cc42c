//! A trusted reverse proxy may speak HTTP/2 without TLS (h2c) to the endpoint: many
//! residents' requests and event streams over one connection, each resident named by the
//! proxy's header; every other client speaks HTTP/1.1 only; a proxy's connection that says
//! nothing is closed like any other. Over real TCP.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::*;
use reqwest::{Client, StatusCode, Version};
use serde_json::json;
use tokio::io::AsyncReadExt;

/// Longest wait for the endpoint to act, only so that a broken endpoint fails the test
/// instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(30);

/// A client that speaks HTTP/2 from its first byte, as a proxy does to its upstream.
fn proxy() -> Client {
    Client::builder().http2_prior_knowledge().build().unwrap()
}

#[tokio::test]
async fn a_proxy_carries_many_residents_streams_over_http2() {
    let server = TestServer::start_configured(|config| {
        config.connections.client_ip_header = Some("x-forwarded-for".parse().unwrap());
    })
    .await;
    let options = option_ids(&server.create_poll("p", json!({})).await);
    let proxy = proxy();
    let mut streams = Vec::new();
    for resident in 1..=20 {
        let response = proxy
            .get(server.url("/api/v1/polls/p/events"))
            .header("origin", SITE_ORIGIN)
            .header("x-forwarded-for", format!("198.51.100.{resident}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.version(), Version::HTTP_2);
        streams.push(response.bytes_stream());
    }
    let vote = proxy
        .put(server.url("/api/v1/polls/p/vote"))
        .header("origin", SITE_ORIGIN)
        .header("x-forwarded-for", "203.0.113.9")
        .header(PARTICIPANT, token())
        .json(&json!({ "choices": [options[0]] }))
        .send()
        .await
        .unwrap();
    assert_eq!(vote.status(), StatusCode::OK);
    assert_eq!(vote.version(), Version::HTTP_2);
    for stream in &mut streams {
        let events = tokio::time::timeout(PATIENCE, next_events(stream, 1))
            .await
            .expect("every stream hears the vote");
        assert!(events.contains("\"voters\":1"), "{events}");
    }
}

#[tokio::test]
async fn clients_that_are_not_proxies_speak_http1_only() {
    let server = TestServer::start_configured(|config| {
        config.connections.trusted_proxies.clear();
    })
    .await;
    assert!(
        proxy().get(server.url("/healthz")).send().await.is_err(),
        "HTTP/2 refused"
    );
    let plain = server.get("/healthz").await;
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(plain.version(), Version::HTTP_11);
}

#[tokio::test]
async fn a_proxy_connection_that_says_nothing_is_closed() {
    let server = TestServer::start_configured(|config| {
        config.connections.header_timeout_ms = 300;
    })
    .await;
    let address: SocketAddr = server.base.trim_start_matches("http://").parse().unwrap();
    let mut silent = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut received = Vec::new();
    let closed = tokio::time::timeout(PATIENCE, silent.read_to_end(&mut received)).await;
    assert!(closed.is_ok(), "the endpoint closed the silent connection");
    assert!(received.is_empty());
}
