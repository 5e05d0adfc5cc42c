//! Several endpoints on one PostgreSQL database behave as one: live updates reach the
//! viewers of every instance (in coalesced notifications), rate limits hold whichever
//! instance answers, and connections killed mid-load lose nothing acknowledged. These need
//! PostgreSQL: `cargo xtask test` runs them with `--include-ignored` and a server.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::postgres::PgListener;
use sqlx::Connection;

const NEEDS_POSTGRES: &str =
    "set CIVIQUE_TEST_POSTGRES=postgres://USER@HOST:PORT (cargo xtask test does)";

async fn on_postgres(adjust: impl FnOnce(&mut civique_server::Config)) -> TestServer {
    postgres_server().expect(NEEDS_POSTGRES);
    TestServer::start_configured(adjust).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL"]
async fn a_vote_on_one_instance_reaches_viewers_of_another() {
    let first = on_postgres(|_| {}).await;
    let second = first.another_instance().await;
    let options = option_ids(&first.create_poll("p", json!({})).await);
    let mut stream = second.events("/api/v1/polls/p/events").await;
    // The relay listens as soon as the instance starts; give the stream a moment to open.
    tokio::time::sleep(Duration::from_millis(200)).await;

    first.vote_ok("p", &token(), &options[..1]).await;
    let voted = Instant::now();
    let received = tokio::time::timeout(Duration::from_secs(1), next_events(&mut stream, 1))
        .await
        .expect("the other instance's viewer heard of the vote within 1 s");
    println!("relayed in {:?}", voted.elapsed());
    assert!(received.contains("event: poll_changed\n"), "{received}");
    assert!(received.contains("data: {\"voters\":1,"), "{received}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL"]
async fn a_burst_of_votes_is_relayed_in_a_few_notifications() {
    let first = on_postgres(|_| {}).await;
    let second = first.another_instance().await;
    let options = option_ids(&first.create_poll("p", json!({})).await);
    let mut stream = second.events("/api/v1/polls/p/events").await;
    let mut listener = PgListener::connect(&first.config.database_url)
        .await
        .unwrap();
    listener.listen("civique_live").await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let started = Instant::now();
    let first = Arc::new(first);
    let votes: Vec<_> = (0..60)
        .map(|i| {
            let first = first.clone();
            let choice = options[i % 3];
            tokio::spawn(async move { first.vote_ok("p", &token(), &[choice]).await })
        })
        .collect();
    for vote in votes {
        vote.await.unwrap();
    }
    let elapsed = started.elapsed();
    // The last count reaches the other instance's viewer.
    let mut heard = String::new();
    tokio::time::timeout(Duration::from_secs(10), async {
        while !heard.contains("data: {\"voters\":60,") {
            let chunk = stream.next().await.expect("stream open").unwrap();
            heard.push_str(&String::from_utf8_lossy(chunk.as_ref()));
        }
    })
    .await
    .expect("the final count arrives");
    // One notification per relay interval at most (plus the one in flight), never one per vote.
    let mut notifications = 0;
    while let Ok(Ok(_)) = tokio::time::timeout(Duration::from_millis(600), listener.recv()).await {
        notifications += 1;
    }
    let intervals = elapsed.as_millis() / 250 + 2;
    println!("60 votes in {elapsed:?}: {notifications} notifications");
    assert!(
        (1..=intervals as usize).contains(&notifications),
        "{notifications} notifications for 60 votes in {elapsed:?}"
    );
}

#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn a_rate_limit_used_up_on_one_instance_holds_on_another() {
    let first = on_postgres(|config| {
        config.comments.participant_per_minute = 2;
        config.comments.site_per_minute = 0;
    })
    .await;
    let second = first.another_instance().await;
    first.create_thread("t", json!({})).await;
    let resident = token();
    first.comment_ok("t", &resident, json!({})).await;
    second.comment_ok("t", &resident, json!({})).await;
    for server in [&first, &second] {
        assert_error(
            server.post_comment("t", &resident, json!({})).await,
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
        )
        .await;
    }
    // Another resident still may.
    second.comment_ok("t", &token(), json!({})).await;
}

/// Ends every connection the endpoints hold to their database, as a database restart or a
/// failover does.
async fn kill_connections(database_url: &str) -> u64 {
    let mut admin = sqlx::PgConnection::connect(database_url).await.unwrap();
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    admin.close().await.ok();
    killed.len() as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL"]
async fn killed_connections_lose_no_acknowledged_vote_and_recover() {
    let server = Arc::new(on_postgres(|_| {}).await);
    let options = option_ids(&server.create_poll("p", json!({})).await);
    let deadline = Instant::now() + Duration::from_secs(4);
    let voters: Vec<_> = (0..16)
        .map(|i| {
            let server = server.clone();
            let choice = options[i % 3];
            tokio::spawn(async move {
                let mut acknowledged = Vec::new();
                let mut unavailable = 0;
                while Instant::now() < deadline {
                    let voter = token();
                    let response = server.vote("p", &voter, &[choice]).await;
                    match response.status() {
                        StatusCode::OK => acknowledged.push(voter),
                        StatusCode::SERVICE_UNAVAILABLE => {
                            let body: Value = response.json().await.expect("a JSON error body");
                            assert_eq!(body["error"]["code"], "unavailable", "{body}");
                            unavailable += 1;
                        }
                        other => panic!("vote answered {other}: {:?}", response.text().await),
                    }
                }
                (choice, acknowledged, unavailable)
            })
        })
        .collect();
    let mut killed = 0;
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(400)).await;
        killed += kill_connections(&server.config.database_url).await;
    }
    let mut acknowledged = Vec::new();
    let mut unavailable = 0;
    for voter in voters {
        let (choice, voted, refused) = voter.await.expect("no panic");
        acknowledged.extend(voted.into_iter().map(|token| (choice, token)));
        unavailable += refused;
    }
    println!(
        "{} votes acknowledged, {unavailable} answered 503, {killed} connections killed",
        acknowledged.len()
    );
    assert!(killed > 0, "connections were killed");
    assert!(
        !acknowledged.is_empty(),
        "votes went through between the kills"
    );

    // It recovered by itself: a new vote succeeds, and every acknowledged one is stored.
    server.vote_ok("p", &token(), &options[..1]).await;
    let stored = server.count("SELECT COUNT(*) FROM ballots").await;
    assert!(stored as usize > acknowledged.len(), "{stored} stored");
    for (choice, voter) in &acknowledged {
        let view = server.view("p", Some(voter)).await;
        assert_eq!(view["my_choices"], json!([choice]), "{voter}");
    }
}

/// Refuses (`false`) or allows new connections to the test database, ending those open.
async fn allow_connections(server: &TestServer, allowed: bool) {
    let url = &server.config.database_url;
    let (base, name) = url.rsplit_once('/').unwrap();
    let mut admin = sqlx::PgConnection::connect(&format!("{base}/postgres"))
        .await
        .unwrap();
    sqlx::query(&format!(
        "ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS {allowed}"
    ))
    .execute(&mut admin)
    .await
    .unwrap();
    admin.close().await.ok();
    if !allowed {
        kill_connections_as_admin(base, name).await;
    }
}

async fn kill_connections_as_admin(base: &str, name: &str) {
    let mut admin = sqlx::PgConnection::connect(&format!("{base}/postgres"))
        .await
        .unwrap();
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
        .bind(name)
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL"]
async fn a_lost_database_answers_503_then_recovers_by_itself() {
    let server = on_postgres(|_| {}).await;
    let options = option_ids(&server.create_poll("p", json!({})).await);
    server.vote_ok("p", &token(), &options[..1]).await;

    allow_connections(&server, false).await;
    for response in [
        server.get("/readyz").await,
        server.vote("p", &token(), &options[..1]).await,
        server.get("/api/v1/polls/p").await,
    ] {
        assert_error(response, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    }
    assert_eq!(server.read("/healthz", None).await["status"], "ok");

    allow_connections(&server, true).await;
    tokio::time::timeout(Duration::from_secs(20), async {
        while server.get("/readyz").await.status() != StatusCode::OK {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await
    .expect("ready again once the database is back");
    let view = server.vote_ok("p", &token(), &options[..1]).await;
    assert_eq!(view["results"]["voters"], 2);
}
