//! Idempotent import of demo or initial content from a TOML file of sites, polls, threads and
//! proposal boxes, through the same services as the admin API (and audited as the seed).

use std::fmt;

use civique_api::{
    BoxInput, PollInput, ProposalInput, ProposalStatus, SiteInput, StatusInput, ThreadInput,
};
use serde::Deserialize;
use time::OffsetDateTime;

use super::{Error, Service};
use crate::domain::audit::Actor;
use crate::domain::time::resolve_time;
use crate::store::StoreError;

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

impl From<Error> for SeedError {
    fn from(error: Error) -> Self {
        invalid("seed", "", error)
    }
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

/// Creates the file's sites, polls, threads and boxes that do not exist yet; existing ids
/// are left as they are. `name` (the file's) is the actor of the audit log.
pub async fn import(
    service: &Service,
    name: &str,
    text: &str,
    now: OffsetDateTime,
) -> Result<SeedReport, SeedError> {
    let file: SeedFile = toml::from_str(text)?;
    let actor = Actor::Seed(name.to_owned());
    let store = service.store();
    let mut report = SeedReport::default();
    for site in &file.sites {
        let entry = format!("site {}", site.id);
        if store.site_exists(&site.id).await? {
            report.skipped.push(entry);
        } else {
            service
                .create_site(&actor, site)
                .await
                .map_err(|e| invalid("site", &site.id, e))?;
            report.created.push(entry);
        }
    }
    for mut poll in file.polls {
        let entry = format!("poll {}", poll.id);
        if service.poll_exists(&poll.id).await? {
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
        service
            .create_poll(&actor, poll)
            .await
            .map_err(|e| invalid("poll", &id, e))?;
        report.created.push(entry);
    }
    for thread in file.threads {
        let entry = format!("thread {}", thread.id);
        if service.thread_exists(&thread.id).await? {
            report.skipped.push(entry);
            continue;
        }
        let id = thread.id.clone();
        service
            .create_thread(&actor, thread)
            .await
            .map_err(|e| invalid("thread", &id, e))?;
        report.created.push(entry);
    }
    for seeded in file.boxes {
        let entry = format!("box {}", seeded.input.id);
        if service.box_exists(&seeded.input.id).await? {
            report.skipped.push(entry);
            continue;
        }
        import_box(service, &actor, seeded, now).await?;
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
async fn import_box(
    service: &Service,
    actor: &Actor,
    seeded: SeedBox,
    now: OffsetDateTime,
) -> Result<(), SeedError> {
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
    service
        .create_box(actor, input)
        .await
        .map_err(|e| invalid("box", &box_id, e))?;
    for (index, seeded) in proposals.into_iter().enumerate() {
        let what = format!("{box_id} proposal {}", index + 1);
        // `:` never appears in a real token, so no resident can act as these supporters.
        let supporters = (0..seeded.supports).map(|supporter| format!("seed:{supporter}"));
        let id = service
            .seed_proposal(&box_id, seeded.input, supporters)
            .await
            .map_err(|e| invalid("box", &what, e))?;
        if seeded.status.is_none() && seeded.answer.is_none() {
            continue;
        }
        let decision = StatusInput {
            status: seeded.status.unwrap_or(ProposalStatus::Submitted),
            answer: seeded.answer,
            duplicate_of: None,
            by: seeded.by,
        };
        service
            .set_proposal_status(actor, id, decision)
            .await
            .map_err(|e| invalid("box", &what, e))?;
    }
    Ok(())
}

fn invalid(what: &'static str, id: &str, error: Error) -> SeedError {
    match error {
        Error::Store(store) => SeedError::Store(store),
        Error::Refused(_) | Error::Mail(_) => SeedError::Invalid {
            what,
            id: id.to_owned(),
            message: error.to_string(),
        },
    }
}
