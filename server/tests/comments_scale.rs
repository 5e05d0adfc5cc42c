//! A 10,000-comment thread pages with keyset cursors: complete, ordered, non-overlapping (its speed is measured by a benchmark, not asserted here).

mod common;

use std::collections::HashSet;

use civique_api::CommentStatus;
use civique_server::domain::comment::NewComment;
use common::*;
use serde_json::{json, Value};

const TOTAL: usize = 10_000;

async fn seeded() -> TestServer {
    let server = TestServer::start().await;
    server.create_thread("big", json!({})).await;
    server.create_thread("small", json!({})).await;
    let comment = |thread: &str, i: usize| NewComment {
        thread_id: thread.to_owned(),
        parent_id: None,
        depth: 0,
        author_key: Some(format!("key-{}", i % 50)),
        author_name: format!("Habitant {i}"),
        reply_to_name: None,
        text: format!("Commentaire {i}"),
        html: format!("<p>Commentaire {i}</p>"),
        status: CommentStatus::Published,
        official: false,
        created_at: civique_server::domain::time::now_text(),
    };
    let big: Vec<NewComment> = (0..TOTAL).map(|i| comment("big", i)).collect();
    let small: Vec<NewComment> = (0..10).map(|i| comment("small", i)).collect();
    for (thread, rows) in [("big", big), ("small", small)] {
        let ids = server
            .state
            .service
            .store()
            .insert_comments(SITE, &rows, None)
            .await
            .unwrap();
        assert_eq!(ids.len(), rows.len(), "{thread}");
    }
    server
}

/// Walks `pages` pages (all if `None`) of `sort`; returns the ids in the order served.
async fn walk(server: &TestServer, sort: &str, pages: Option<usize>) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..pages.unwrap_or(usize::MAX) {
        let query = match &cursor {
            Some(c) => format!("sort={sort}&cursor={c}"),
            None => format!("sort={sort}"),
        };
        let page: Value = server
            .read(&format!("/api/v1/threads/big/comments?{query}"), None)
            .await;
        assert_eq!(page["count"], TOTAL);
        let ids = ids(&page["comments"]);
        assert!(ids.len() <= 20);
        seen.extend(ids);
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    seen
}

#[tokio::test]
async fn pages_of_a_huge_thread_are_complete_and_disjoint() {
    let server = seeded().await;
    let oldest = walk(&server, "oldest", None).await;
    assert_eq!(oldest.len(), TOTAL);
    assert!(
        oldest.windows(2).all(|w| w[0] < w[1]),
        "ascending, no repeats"
    );

    let newest = walk(&server, "newest", Some(5)).await;
    assert_eq!(newest.len(), 100);
    let expected: Vec<i64> = oldest.iter().rev().take(100).copied().collect();
    assert_eq!(newest, expected);

    let useful = walk(&server, "useful", Some(5)).await;
    assert_eq!(useful.len(), 100);
    assert_eq!(useful.iter().collect::<HashSet<_>>().len(), 100);
    assert_eq!(
        useful, expected,
        "ties on usefulness fall back to newest first"
    );
}
