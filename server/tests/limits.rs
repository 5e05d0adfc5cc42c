//! Rate-limit buckets live in the database (so every instance shares them): they empty, and
//! refill with time.

mod common;

use common::database_url;

#[tokio::test]
async fn buckets_empty_then_refill() {
    let dir = tempfile::tempdir().unwrap();
    let store = civique_server::store::connect(&database_url(dir.path()).await, Default::default())
        .await
        .unwrap();
    let start = 1_800_000_000_000;
    let take = |key: &'static str, at: i64| {
        let store = store.clone();
        async move { store.take_token(key, 2, at).await.unwrap() }
    };
    assert!(take("a", start).await);
    assert!(take("a", start).await);
    assert!(!take("a", start).await, "empty after two");
    assert!(take("b", start).await, "buckets are per key");
    assert!(take("a", start + 30_000).await, "half a minute refills one");
    assert!(!take("a", start + 30_000).await);
    assert!(take("a", start + 10 * 60_000).await);
    assert!(
        take("a", start + 10 * 60_000).await,
        "refills up to the capacity"
    );
    assert!(!take("a", start + 10 * 60_000).await, "and no further");
    assert_eq!(
        store.forget_buckets(start + 60_000).await.unwrap(),
        1,
        "b was full again"
    );
}
