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
    // Results shown to everyone travel with the event: viewers need no request.
    let data = format!(
        "data: {{\"voters\":1,\"results\":{{\"voters\":1,\"counts\":[\
         {{\"option_id\":{},\"votes\":1}},{{\"option_id\":{},\"votes\":0}},\
         {{\"option_id\":{},\"votes\":0}}]}}}}\n",
        options[0], options[1], options[2]
    );
    assert!(received.contains(&data), "{received}");
}

#[tokio::test]
async fn results_kept_from_non_voters_stay_out_of_events() {
    let server = TestServer::start().await;
    let options = option_ids(
        &server
            .create_poll("p", json!({ "results_visibility": "after_vote" }))
            .await,
    );
    let mut stream = server.events("/api/v1/polls/p/events").await;
    server.vote_ok("p", &token(), &options[..1]).await;
    let received = next_events(&mut stream, 1).await;
    assert_eq!(received, "event: poll_changed\ndata: {\"voters\":1}\n\n");
}

#[tokio::test]
async fn events_of_an_unknown_poll_are_404() {
    let server = TestServer::start().await;
    server.assert_missing("/api/v1/polls/nope/events").await;
}
