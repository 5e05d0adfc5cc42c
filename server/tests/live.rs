//! Server-sent events: a watcher hears about other participants' votes.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn watchers_receive_poll_changed_after_a_vote() {
    let server = TestServer::start().await;
    let options = option_ids(&server.create_poll("p", json!({})).await);
    let mut stream = server.events("/api/v1/polls/p/events").await;

    server.vote_ok("p", &token(), &options[..1]).await;

    let received = next_events(&mut stream, 1).await;
    assert!(received.contains("event: poll_changed\n"), "{received}");
    assert!(received.contains("data: {\"voters\":1}\n"), "{received}");
}

#[tokio::test]
async fn events_of_an_unknown_poll_are_404() {
    let server = TestServer::start().await;
    server.assert_missing("/api/v1/polls/nope/events").await;
}
