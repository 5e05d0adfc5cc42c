//! Idempotent import of demo or initial content from a TOML file of sites, polls, threads and
//! proposal boxes.

use std::fmt;

use civique_api::{
    BoxInput, PollInput, ProposalInput, ProposalStatus, SiteInput, StatusInput, ThreadInput,
    Visibility,
};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::error::ApiError;
use crate::poll::{participant_key, resolve_time};
use crate::routes::admin::{insert_poll, insert_site, insert_thread};
use crate::routes::admin_proposals::{change_status, insert_box};
use crate::store::{Store, StoreError};

/// `[[sites]]`, `[[polls]]`, `[[threads]]` and `[[boxes]]` (with `[[boxes.proposals]]`); poll
/// and box times may be RFC 3339 or offsets from now (`+30d`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFile {
    #[serde(default)]
    pub sites: Vec<SiteInput>,
    #[serde(default)]
    pub polls: Vec<PollInput>,
    #[serde(default)]
    pub threads: Vec<ThreadInput>,
    #[serde(default)]
    pub boxes: Vec<SeedBox>,
}

/// A box and its published proposals.
#[derive(Debug, Deserialize)]
pub struct SeedBox {
    #[serde(flatten)]
    pub input: BoxInput,
    #[serde(default)]
    pub proposals: Vec<SeedProposal>,
}

/// A published proposal with its town decision and `supports` real supports (from as many
/// seeded participants, so that the counts are true).
#[derive(Debug, Deserialize)]
pub struct SeedProposal {
    #[serde(flatten)]
    pub input: ProposalInput,
    #[serde(default)]
    pub status: Option<ProposalStatus>,
    #[serde(default)]
    pub answer: Option<String>,
    #[serde(default)]
    pub by: Option<String>,
    #[serde(default)]
    pub supports: u32,
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
        resolve_times(
            "poll",
            &poll.id,
            [&mut poll.opens_at, &mut poll.closes_at],
            now,
        )?;
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
    for seeded in file.boxes {
        let entry = format!("box {}", seeded.input.id);
        if store.proposal_box(&seeded.input.id).await?.is_some() {
            report.skipped.push(entry);
            continue;
        }
        import_box(store, seeded, now).await?;
        report.created.push(entry);
    }
    Ok(report)
}

/// Resolves relative times (`+30d`) of the item `what` `id` in place.
fn resolve_times<const N: usize>(
    what: &'static str,
    id: &str,
    times: [&mut Option<String>; N],
    now: OffsetDateTime,
) -> Result<(), SeedError> {
    for at in times.into_iter().flatten() {
        *at = resolve_time(at, now).map_err(|message| SeedError::Invalid {
            what,
            id: id.to_owned(),
            message,
        })?;
    }
    Ok(())
}

/// Creates a box, then its proposals with their supports and decisions.
async fn import_box(store: &Store, seeded: SeedBox, now: OffsetDateTime) -> Result<(), SeedError> {
    let SeedBox {
        mut input,
        proposals,
    } = seeded;
    let box_id = input.id.clone();
    resolve_times(
        "box",
        &box_id,
        [&mut input.opens_at, &mut input.closes_at],
        now,
    )?;
    let b = insert_box(store, input)
        .await
        .map_err(|e| invalid("box", &box_id, e))?;
    for (index, seeded) in proposals.into_iter().enumerate() {
        let what = format!("{box_id} proposal {}", index + 1);
        let new = b
            .check_proposal(seeded.input)
            .map_err(|e| invalid("box", &what, e))?;
        let id = store
            .insert_proposal(&b, &new, None, Visibility::Published)
            .await?;
        for supporter in 0..seeded.supports {
            // `:` never appears in a real token, so no resident can act as these supporters.
            let key = participant_key(&b.site_id, &format!("seed:{supporter}"));
            store.set_support(&b, id, &key, true).await?;
        }
        if seeded.status.is_none() && seeded.answer.is_none() {
            continue;
        }
        let proposal = store
            .proposal(id, None)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("proposal {id} vanished")))?;
        let decision = StatusInput {
            status: seeded.status.unwrap_or(ProposalStatus::Submitted),
            answer: seeded.answer,
            duplicate_of: None,
            by: seeded.by,
        };
        change_status(store, &b, &proposal, decision)
            .await
            .map_err(|e| invalid("box", &what, e))?;
    }
    Ok(())
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
