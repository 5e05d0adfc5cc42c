//! Server-sent events: a watcher hears about other participants' votes.

mod common;

use std::time::Duration;

use common::*;
use futures_util::StreamExt;
use reqwest::header::CONTENT_TYPE;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn watchers_receive_poll_changed_after_a_vote() {
    let server = TestServer::start().await;
    let options = option_ids(&server.create_poll("p", json!({})).await);
    let response = server.get("/api/v1/polls/p/events").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let mut stream = response.bytes_stream();

    server.vote_ok("p", &token(), &options[..1]).await;

    let received = tokio::time::timeout(Duration::from_secs(10), async {
        let mut text = String::new();
        while !text.contains("\n\n") {
            let chunk = stream.next().await.expect("stream open").unwrap();
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
        text
    })
    .await
    .expect("an event within a second");
    assert!(received.contains("event: poll_changed\n"), "{received}");
    assert!(received.contains("data: {\"voters\":1}\n"), "{received}");
}

#[tokio::test]
async fn events_of_an_unknown_poll_are_404() {
    let server = TestServer::start().await;
    let response = server.get("/api/v1/polls/nope/events").await;
    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
}
