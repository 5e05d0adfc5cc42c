//! Voting rules over HTTP: ballots, changes, withdrawals, time windows, visibility, participants.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use time::Duration;

#[tokio::test]
async fn get_poll_shows_options_without_results_before_voting() {
    let server = TestServer::start().await;
    server
        .create_poll(
            "budget",
            json!({ "description": "Pick one", "results_visibility": "after_vote" }),
        )
        .await;
    let view = server.view("budget", Some(&token())).await;
    assert_eq!(view["id"], "budget");
    assert_eq!(view["site_id"], SITE);
    assert_eq!(view["status"], "open");
    assert_eq!(view["kind"], "single");
    assert_eq!(view["max_choices"], 1);
    assert_eq!(view["description"], "Pick one");
    assert_eq!(option_ids(&view).len(), 3);
    assert_eq!(view["options"][1]["label"], "B");
    assert_eq!(view["results"], Value::Null);
    assert_eq!(view["my_choices"], json!([]));
}

#[tokio::test]
async fn vote_then_change_moves_counts_but_not_voters() {
    let server = TestServer::start().await;
    let options = option_ids(&server.create_poll("p", json!({})).await);
    let (alice, bob) = (token(), token());

    let view = server.vote_ok("p", &alice, &[options[0]]).await;
    assert_eq!(view["my_choices"], json!([options[0]]));
    server.vote_ok("p", &bob, &[options[0]]).await;
    let view = server.view("p", None).await;
    assert_eq!(counts(&view), [2, 0, 0]);
    assert_eq!(view["results"]["voters"], 2);

    let view = server.vote_ok("p", &alice, &[options[2]]).await;
    assert_eq!(view["my_choices"], json!([options[2]]));
    assert_eq!(counts(&view), [1, 0, 1]);
    assert_eq!(view["results"]["voters"], 2);
}

#[tokio::test]
async fn withdraw_removes_the_ballot() {
    let server = TestServer::start().await;
    let options = option_ids(&server.create_poll("p", json!({})).await);
    let alice = token();
    server.vote_ok("p", &alice, &[options[1]]).await;
    let response = server
        .request(Method::DELETE, "/api/v1/polls/p/vote")
        .header(PARTICIPANT, &alice)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let view: Value = response.json().await.unwrap();
    assert_eq!(view["my_choices"], json!([]));
    assert_eq!(view["results"]["voters"], 0);
    assert_eq!(counts(&view), [0, 0, 0]);
}

#[tokio::test]
async fn multiple_choice_respects_max_choices() {
    let server = TestServer::start().await;
    let options = option_ids(
        &server
            .create_poll(
                "multi",
                json!({ "kind": "multiple", "max_choices": 2, "options": ["A", "B", "C", "D"] }),
            )
            .await,
    );
    let alice = token();
    let view = server.vote_ok("multi", &alice, &options[2..]).await;
    assert_eq!(view["my_choices"], json!(&options[2..]));
    assert_eq!(counts(&view), [0, 0, 1, 1]);
    assert_error(
        server.vote("multi", &alice, &options[..3]).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "too_many_choices",
    )
    .await;
}

#[tokio::test]
async fn invalid_ballots_are_refused() {
    let server = TestServer::start().await;
    let options = option_ids(&server.create_poll("p", json!({})).await);
    let other = option_ids(&server.create_poll("other", json!({})).await);
    let alice = token();
    let cases: [(&[i64], &str); 5] = [
        (&options[..2], "too_many_choices"),
        (&[], "no_choice"),
        (&[options[0], options[0]], "duplicate_choice"),
        (&[9999], "unknown_option"),
        // An option id that exists, but in another poll.
        (&[other[0]], "unknown_option"),
    ];
    for (choices, code) in cases {
        assert_error(
            server.vote("p", &alice, choices).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
        )
        .await;
    }
    assert_eq!(server.view("p", None).await["results"]["voters"], 0);
}

#[tokio::test]
async fn unknown_poll_is_404() {
    let server = TestServer::start().await;
    assert_error(
        server.get_poll("nope", None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        server.vote("nope", &token(), &[1]).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn votes_only_while_open() {
    let server = TestServer::start().await;
    let upcoming = server
        .create_poll("upcoming", json!({ "opens_at": at(Duration::days(2)) }))
        .await;
    assert_eq!(upcoming["status"], "upcoming");
    let closed = server
        .create_poll(
            "closed",
            json!({ "opens_at": at(-Duration::days(3)), "closes_at": at(-Duration::days(1)) }),
        )
        .await;
    assert_eq!(closed["status"], "closed");
    assert_error(
        server
            .vote("upcoming", &token(), &option_ids(&upcoming)[..1])
            .await,
        StatusCode::CONFLICT,
        "poll_not_open",
    )
    .await;
    assert_error(
        server
            .vote("closed", &token(), &option_ids(&closed)[..1])
            .await,
        StatusCode::CONFLICT,
        "poll_closed",
    )
    .await;
}

#[tokio::test]
async fn after_vote_results_appear_once_this_participant_voted() {
    let server = TestServer::start().await;
    let options = option_ids(
        &server
            .create_poll("p", json!({ "results_visibility": "after_vote" }))
            .await,
    );
    let (alice, bob) = (token(), token());
    let view = server.vote_ok("p", &alice, &[options[0]]).await;
    assert_eq!(counts(&view), [1, 0, 0]);
    assert_eq!(counts(&server.view("p", Some(&alice)).await), [1, 0, 0]);
    assert_eq!(server.view("p", Some(&bob)).await["results"], Value::Null);
    assert_eq!(server.view("p", None).await["results"], Value::Null);
}

#[tokio::test]
async fn after_close_results_appear_only_when_closed() {
    let server = TestServer::start().await;
    let options = option_ids(
        &server
            .create_poll(
                "p",
                json!({ "results_visibility": "after_close", "closes_at": at(Duration::seconds(2)) }),
            )
            .await,
    );
    let alice = token();
    let view = server.vote_ok("p", &alice, &[options[1]]).await;
    assert_eq!(view["results"], Value::Null);
    assert_eq!(view["my_choices"], json!([options[1]]));
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let view = server.view("p", None).await;
    assert_eq!(view["status"], "closed");
    assert_eq!(counts(&view), [0, 1, 0]);
}

#[tokio::test]
async fn always_results_are_public() {
    let server = TestServer::start().await;
    server.create_poll("p", json!({})).await;
    assert_eq!(counts(&server.view("p", None).await), [0, 0, 0]);
}

#[tokio::test]
async fn participants_are_scoped_per_site_and_tokens_never_stored() {
    let server = TestServer::start().await;
    server.create_site("other-town", &[SITE_ORIGIN]).await;
    let here = option_ids(&server.create_poll("here", json!({})).await);
    let there = option_ids(
        &server
            .create_poll("there", json!({ "site_id": "other-town" }))
            .await,
    );
    let shared = "SharedSecretToken_0123456789";
    server.vote_ok("here", shared, &[here[0]]).await;
    server.vote_ok("there", shared, &[there[0]]).await;

    // The same token on another site is another participant: it has not voted on "here".
    let other = server.view("there", Some(shared)).await;
    assert_eq!(other["my_choices"], json!([there[0]]));
    let participants = server.count("SELECT COUNT(*) FROM participants").await;
    assert_eq!(participants, 2);

    let files = server.stored_bytes();
    let key = civique_server::domain::site::participant_key(SITE, shared);
    assert!(contains(&files, key.as_bytes()), "the hashed key is stored");
    assert!(!contains(&files, shared.as_bytes()), "the raw token is not");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_votes_are_all_counted() {
    let server = std::sync::Arc::new(TestServer::start().await);
    let options = option_ids(&server.create_poll("busy", json!({})).await);
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let server = server.clone();
            let choice = options[i % 2];
            tokio::spawn(async move {
                let response = server.vote("busy", &token(), &[choice]).await;
                assert_eq!(response.status(), StatusCode::OK);
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let view = server.view("busy", None).await;
    assert_eq!(view["results"]["voters"], 50);
    assert_eq!(counts(&view), [25, 25, 0]);
}

/// A participant's votes landing in the same batch as others' (a double click, two tabs):
/// each is applied, the last one stands, and no one else's vote is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_participant_voting_again_within_a_batch_keeps_one_ballot() {
    let server = std::sync::Arc::new(TestServer::start().await);
    let options = option_ids(&server.create_poll("twice", json!({})).await);
    let same = token();
    let tasks: Vec<_> = (0..60)
        .map(|i| {
            let (server, same) = (server.clone(), same.clone());
            let choice = options[i % 2];
            tokio::spawn(async move {
                let voter = if i % 3 == 0 { same } else { token() };
                let response = server.vote("twice", &voter, &[choice]).await;
                assert_eq!(response.status(), StatusCode::OK);
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let view = server.view("twice", None).await;
    // 40 other voters and the one who voted 20 times.
    assert_eq!(view["results"]["voters"], 41);
    assert_eq!(counts(&view).iter().sum::<u64>(), 41, "{view}");
    let mine = server.view("twice", Some(&same)).await;
    assert_eq!(
        mine["my_choices"].as_array().map(Vec::len),
        Some(1),
        "{mine}"
    );
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn counters_always_equal_the_ballots() {
    let server = TestServer::start().await;
    let options = option_ids(
        &server
            .create_poll("p", json!({ "kind": "multiple", "max_choices": 2 }))
            .await,
    );
    let voters: Vec<String> = (0..12).map(|_| token()).collect();
    for (i, voter) in voters.iter().enumerate() {
        server
            .vote_ok("p", voter, &[options[i % 3], options[(i + 1) % 3]])
            .await;
    }
    for voter in &voters[..4] {
        server.vote_ok("p", voter, &options[2..]).await;
    }
    for voter in &voters[4..7] {
        let response = server
            .request(Method::DELETE, "/api/v1/polls/p/vote")
            .header(PARTICIPANT, voter)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert_eq!(
        server
            .count("SELECT voters FROM polls WHERE id = 'p'")
            .await,
        server
            .count("SELECT COUNT(*) FROM ballots WHERE poll_id = 'p'")
            .await
    );
    assert_eq!(
        server
            .count("SELECT voters FROM polls WHERE id = 'p'")
            .await,
        9
    );
    for option in &options {
        assert_eq!(
            server
                .count(&format!(
                    "SELECT votes FROM poll_options WHERE id = {option}"
                ))
                .await,
            server
                .count(&format!(
                    "SELECT COUNT(*) FROM ballot_choices WHERE option_id = {option}"
                ))
                .await,
            "option {option}"
        );
    }
    let view = server.view("p", None).await;
    assert_eq!(view["results"]["voters"], 9);
    assert_eq!(counts(&view).iter().sum::<u64>(), 4 + 5 * 2);
}
