//! Group commit: concurrent votes share transactions, each is answered once committed, and
//! one write that fails in a batch fails alone.

mod common;

use std::sync::Arc;

use civique_api::{PollInput, PollKind, ResultsVisibility, SiteInput};
use civique_server::domain::audit::Actor;
use civique_server::domain::site::participant_key;
use civique_server::{Config, Service};
use common::database_url;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_invalid_write_fails_alone_in_its_batch() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        database_url: database_url(dir.path()).await,
        ..Config::default()
    };
    let service = Service::open(&config).await.unwrap();
    let actor = Actor::Seed("test".into());
    let site = SiteInput::new("town".into(), "Town".into(), vec![]);
    service.create_site(&actor, &site).await.unwrap();
    for id in ["p", "other"] {
        service
            .create_poll(
                &actor,
                PollInput {
                    id: id.into(),
                    site_id: "town".into(),
                    question: "Q?".into(),
                    description: None,
                    kind: PollKind::Single,
                    max_choices: None,
                    options: vec!["A".into(), "B".into()],
                    opens_at: None,
                    closes_at: None,
                    results_visibility: ResultsVisibility::Always,
                    participation: Default::default(),
                },
            )
            .await
            .unwrap();
    }
    let store = service.store().clone();
    let poll = Arc::new(store.poll("p").await.unwrap().unwrap());
    let foreign = store.poll("other").await.unwrap().unwrap().options[0].id;
    let good = poll.options[0].id;

    // The store does not validate (the services do): an option of another poll breaks the
    // database's rule, and so breaks that write, not the 63 around it.
    let writes: Vec<_> = (0..64)
        .map(|i| {
            let (store, poll) = (store.clone(), poll.clone());
            let choice = if i == 31 { foreign } else { good };
            tokio::spawn(async move {
                let key = participant_key("town", &format!("voter-token-{i:06}"));
                store.cast_vote(&poll, &key, &[choice]).await
            })
        })
        .collect();
    let mut failed = Vec::new();
    for (i, write) in writes.into_iter().enumerate() {
        if write.await.unwrap().is_err() {
            failed.push(i);
        }
    }
    assert_eq!(failed, [31]);
    let tally = store.tally("p").await.unwrap();
    assert_eq!(tally.voters, 63);
    assert_eq!(tally.counts[0].votes, 63);
}
