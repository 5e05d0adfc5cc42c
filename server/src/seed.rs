//! Idempotent import of demo or initial content from a TOML file of sites, polls and threads.

use std::fmt;

use civique_api::{PollInput, SiteInput, ThreadInput};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::error::ApiError;
use crate::poll::resolve_time;
use crate::routes::admin::{insert_poll, insert_site, insert_thread};
use crate::store::{Store, StoreError};

/// `[[sites]]`, `[[polls]]` and `[[threads]]`; poll times may be RFC 3339 or offsets from
/// now (`+30d`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFile {
    #[serde(default)]
    pub sites: Vec<SiteInput>,
    #[serde(default)]
    pub polls: Vec<PollInput>,
    #[serde(default)]
    pub threads: Vec<ThreadInput>,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("invalid seed file: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("{what} {id:?}: {message}")]
    Invalid {
        what: &'static str,
        id: String,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an import did, one entry per site or poll of the file.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub created: Vec<String>,
    pub skipped: Vec<String>,
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for entry in &self.created {
            writeln!(f, "created {entry}")?;
        }
        for entry in &self.skipped {
            writeln!(f, "skipped {entry} (already exists)")?;
        }
        Ok(())
    }
}

/// Creates the file's sites, polls and threads that do not exist yet; existing ids are left as they are.
pub async fn import(
    store: &Store,
    text: &str,
    now: OffsetDateTime,
) -> Result<SeedReport, SeedError> {
    let file: SeedFile = toml::from_str(text)?;
    let mut report = SeedReport::default();
    for site in &file.sites {
        let entry = format!("site {}", site.id);
        if store.site_exists(&site.id).await? {
            report.skipped.push(entry);
        } else {
            insert_site(store, site)
                .await
                .map_err(|e| invalid("site", &site.id, e))?;
            report.created.push(entry);
        }
    }
    for mut poll in file.polls {
        let entry = format!("poll {}", poll.id);
        if store.poll_exists(&poll.id).await? {
            report.skipped.push(entry);
            continue;
        }
        for at in [&mut poll.opens_at, &mut poll.closes_at]
            .into_iter()
            .flatten()
        {
            *at = resolve_time(at, now).map_err(|message| SeedError::Invalid {
                what: "poll",
                id: poll.id.clone(),
                message,
            })?;
        }
        let id = poll.id.clone();
        insert_poll(store, poll)
            .await
            .map_err(|e| invalid("poll", &id, e))?;
        report.created.push(entry);
    }
    for thread in file.threads {
        let entry = format!("thread {}", thread.id);
        if store.thread(&thread.id).await?.is_some() {
            report.skipped.push(entry);
            continue;
        }
        let id = thread.id.clone();
        insert_thread(store, thread)
            .await
            .map_err(|e| invalid("thread", &id, e))?;
        report.created.push(entry);
    }
    Ok(report)
}

fn invalid(what: &'static str, id: &str, error: ApiError) -> SeedError {
    match error {
        ApiError::Internal(store) => SeedError::Store(store),
        other => SeedError::Invalid {
            what,
            id: id.to_owned(),
            message: other.to_string(),
        },
    }
}
