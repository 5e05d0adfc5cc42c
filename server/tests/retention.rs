//! Retention over real HTTP: a site's widgets closed for longer than its retention period
//! lose their residents' personal data to the endpoint's scheduled task, the counts
//! staying; the database is read afterwards. Closing times are moved back in the database,
//! the only way to make a year pass in a test.

mod common;

use std::time::Duration as StdDuration;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use time::Duration;

const RETENTION_RUNS: &str = "SELECT COUNT(*) FROM audit_log WHERE action = 'retention'";

async fn retention_server() -> TestServer {
    TestServer::start_configured(|config| config.retention.every_secs = 1).await
}

/// Waits for the scheduled task to have audited `runs` erasures.
async fn await_runs(server: &TestServer, runs: i64) {
    for _ in 0..100 {
        if server.count(RETENTION_RUNS).await >= runs {
            return;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    panic!("the retention task did not run {runs} time(s) in 10 s");
}

fn votes_of(poll: &str) -> String {
    format!(
        "SELECT CAST(coalesce(sum(votes), 0) AS BIGINT) FROM poll_options WHERE poll_id = '{poll}'"
    )
}

#[tokio::test]
async fn closed_widgets_past_retention_lose_their_personal_data_and_keep_their_counts() {
    let server = retention_server().await;
    let (resident, neighbour, passer_by) = (token(), token(), token());
    for poll in ["old", "recent"] {
        server.create_poll(poll, json!({})).await;
    }
    let options = option_ids(&server.view("old", None).await);
    server.vote_ok("old", &resident, &options[..1]).await;
    server.vote_ok("old", &neighbour, &options[1..2]).await;
    server.vote_ok("old", &passer_by, &options[1..2]).await;
    let recent = option_ids(&server.view("recent", None).await);
    server.vote_ok("recent", &resident, &recent[..1]).await;
    server.vote_ok("recent", &neighbour, &recent[..1]).await;

    server.create_thread("t", json!({})).await;
    let mine = server
        .comment_ok(
            "t",
            &resident,
            json!({ "author_name": "Dominique Secret", "text": "Mon avis" }),
        )
        .await;
    server
        .comment_ok(
            "t",
            &neighbour,
            json!({ "author_name": "Voisin", "text": "Je réponds", "parent_id": mine["id"] }),
        )
        .await;
    server.mark_useful(&mine["id"], &neighbour).await;
    server.report_ok(&mine["id"], &neighbour, "raison").await;
    let official = server.official_reply("t").await;
    let lock = server
        .admin_send(Method::PATCH, "/threads/t", json!({ "locked": true }))
        .await;
    assert_eq!(lock.status(), StatusCode::OK);
    let locked_at = "SELECT COUNT(*) FROM threads WHERE id = 't' AND locked_at IS NOT NULL";
    assert_eq!(server.count(locked_at).await, 1, "locking records when");

    server.create_box("b", json!({})).await;
    let idea = server
        .proposal_ok(
            "b",
            &resident,
            json!({ "author_name": "Dominique Secret", "title": "Un jardin" }),
        )
        .await;
    let idea_id = idea["id"].as_i64().unwrap();
    for supporter in [&neighbour, &passer_by] {
        let response = server.support(Method::PUT, idea_id, supporter).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let tally_before = counts(&server.view("old", None).await);
    assert_eq!(tally_before, vec![1, 2, 0]);

    // A year and a month pass for the old poll, the thread and the box; eleven months for
    // the recent poll. Everyone took part long ago.
    let long_ago = at(-Duration::days(400));
    let not_so_long = at(-Duration::days(330));
    server
        .execute(&format!(
            "UPDATE polls SET closes_at = '{long_ago}' WHERE id = 'old'"
        ))
        .await;
    server
        .execute(&format!(
            "UPDATE polls SET closes_at = '{not_so_long}' WHERE id = 'recent'"
        ))
        .await;
    server
        .execute(&format!(
            "UPDATE threads SET locked_at = '{long_ago}' WHERE id = 't'"
        ))
        .await;
    server
        .execute(&format!(
            "UPDATE boxes SET closes_at = '{long_ago}' WHERE id = 'b'"
        ))
        .await;
    server
        .execute("UPDATE participants SET created_at = '2020-01-01T00:00:00Z'")
        .await;
    assert_eq!(server.count("SELECT COUNT(*) FROM participants").await, 3);

    await_runs(&server, 1).await;

    // The old poll: no ballot left, the tally as it was; the recent poll untouched.
    let ballots = |poll: &str| format!("SELECT COUNT(*) FROM ballots WHERE poll_id = '{poll}'");
    assert_eq!(server.count(&ballots("old")).await, 0);
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM ballot_choices WHERE poll_id = 'old'")
            .await,
        0
    );
    assert_eq!(
        server
            .count("SELECT voters FROM polls WHERE id = 'old'")
            .await,
        3
    );
    assert_eq!(server.count(&votes_of("old")).await, 3);
    assert_eq!(server.count(&ballots("recent")).await, 2);
    let restarted = server.restart().await;
    let server = restarted;
    assert_eq!(counts(&server.view("old", None).await), tally_before);

    // The thread: residents' comments tied to no one and naming no one, the official
    // reply still signed; marks and reports gone, their counts kept.
    assert_eq!(
        server
            .count(
                "SELECT COUNT(*) FROM comments WHERE thread_id = 't' \
                 AND (author_id IS NOT NULL OR author_name <> '' OR reply_to_name IS NOT NULL) \
                 AND NOT official"
            )
            .await,
        0
    );
    assert_eq!(
        server
            .text(&format!(
                "SELECT author_name FROM comments WHERE id = {}",
                official["id"]
            ))
            .await,
        "La mairie"
    );
    for table in ["comment_useful", "comment_reports"] {
        assert_eq!(
            server.count(&format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
    assert_eq!(
        server
            .count(&format!(
                "SELECT useful_count FROM comments WHERE id = {}",
                mine["id"]
            ))
            .await,
        1
    );
    let page = server.comments("t", None).await;
    let first = &page["comments"][0];
    assert_eq!(first["author_name"], "", "{page}");
    assert_eq!(first["text"], "Mon avis");

    // The box: the proposal kept, its author's name gone, its supports counted.
    assert_eq!(
        server
            .count(&format!(
                "SELECT COUNT(*) FROM proposals WHERE id = {idea_id} \
                 AND author_id IS NULL AND author_name = ''"
            ))
            .await,
        1
    );
    assert_eq!(
        server.count("SELECT COUNT(*) FROM proposal_supports").await,
        0
    );
    assert_eq!(
        server
            .count(&format!(
                "SELECT supports FROM proposals WHERE id = {idea_id}"
            ))
            .await,
        2
    );

    // The passer-by took part only where it was erased: forgotten. The others still have
    // a ballot on the recent poll, which their export shows, and nothing else.
    assert_eq!(server.count("SELECT COUNT(*) FROM participants").await, 2);
    let data = server
        .request(Method::GET, &format!("/api/v1/sites/{SITE}/me"))
        .header(PARTICIPANT, &resident)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(data["ballots"].as_array().unwrap().len(), 1, "{data}");
    assert_eq!(data["ballots"][0]["poll_id"], "recent");
    assert_eq!(data["comments"], json!([]));
    assert_eq!(data["proposals"], json!([]));

    // Audited once, with what it did; the next runs find nothing more to erase.
    let audit = server.admin_read("/audit").await;
    let entry = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "retention")
        .expect("a retention entry")
        .clone();
    assert_eq!(entry["actor"], "retention");
    assert_eq!(entry["target"], format!("site:{SITE}"));
    assert_eq!(
        entry["reason"],
        "12 months after closing: 3 ballots, 2 comments, 1 proposals, 2 supports, \
         1 useful marks, 1 reports, 1 participants"
    );
    tokio::time::sleep(StdDuration::from_millis(2_500)).await;
    assert_eq!(server.count(RETENTION_RUNS).await, 1);
}

#[tokio::test]
async fn each_site_sets_its_retention_period_within_bounds() {
    let server = TestServer::start().await;
    server
        .create_site_with("short", &[], json!({ "retention_months": 1 }))
        .await;
    assert_eq!(
        server
            .count("SELECT retention_months FROM sites WHERE id = 'short'")
            .await,
        1
    );
    assert_eq!(
        server
            .count(&format!(
                "SELECT retention_months FROM sites WHERE id = '{SITE}'"
            ))
            .await,
        12,
        "the default"
    );
    for months in [0, 121] {
        let response = server
            .admin_send(
                Method::POST,
                "/sites",
                json!({ "id": format!("s{months}"), "name": "S", "origins": [],
                        "retention_months": months }),
            )
            .await;
        assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
    }

    // Unlocking a thread forgets when it was locked: retention counts from the next lock.
    server.create_thread("t", json!({})).await;
    for locked in [true, false] {
        let response = server
            .admin_send(Method::PATCH, "/threads/t", json!({ "locked": locked }))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM threads WHERE locked_at IS NOT NULL")
            .await,
        0
    );
}

#[tokio::test]
async fn a_poll_closed_for_less_than_the_period_keeps_its_ballots() {
    let server = retention_server().await;
    server
        .create_site_with("brief", &[SITE_ORIGIN], json!({ "retention_months": 1 }))
        .await;
    server
        .create_poll("monthly", json!({ "site_id": "brief" }))
        .await;
    server.create_poll("yearly", json!({})).await;
    let voter = token();
    for poll in ["monthly", "yearly"] {
        let options = option_ids(&server.view(poll, None).await);
        server.vote_ok(poll, &voter, &options[..1]).await;
    }
    // Both closed forty days ago: past the one-month period, not past the year.
    let closed = at(-Duration::days(40));
    server
        .execute(&format!("UPDATE polls SET closes_at = '{closed}'"))
        .await;
    await_runs(&server, 1).await;
    let ballots = |poll: &str| format!("SELECT COUNT(*) FROM ballots WHERE poll_id = '{poll}'");
    assert_eq!(server.count(&ballots("monthly")).await, 0);
    assert_eq!(server.count(&ballots("yearly")).await, 1);
    assert_eq!(
        server
            .count(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'retention' AND site_id = 'brief'"
            )
            .await,
        1
    );
}
