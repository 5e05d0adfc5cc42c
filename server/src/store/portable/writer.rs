//! Group commit of the hot writes (votes, supports, useful marks): one writer per database
//! takes every request waiting, applies them in one transaction and answers each once that
//! transaction committed. The cost of a commit (an fsync) is shared by the whole batch.

use tokio::sync::{mpsc, oneshot};

use civique_api::PollResults;

use super::{comments, polls, proposals, Db, Pool};
use crate::domain::proposal::SupportChange;
use crate::store::{Result, StoreError};

/// The most writes one transaction holds.
const MAX_BATCH: usize = 64;
/// Requests waiting for the writer, at most; more wait to enqueue.
const QUEUE: usize = 4096;

/// One hot write, with what it needs (validated by the services).
#[derive(Debug, Clone)]
pub(super) enum HotWrite {
    Vote {
        poll_id: String,
        site_id: String,
        key: String,
        choices: Vec<i64>,
    },
    Withdraw {
        poll_id: String,
        site_id: String,
        key: String,
    },
    Support {
        box_id: String,
        site_id: String,
        threshold: Option<u64>,
        proposal_id: i64,
        key: String,
        support: bool,
    },
    Useful {
        comment_id: i64,
        site_id: String,
        key: String,
        useful: bool,
    },
}

/// What a hot write did.
#[derive(Debug)]
pub(super) enum HotDone {
    /// The poll's tally after the vote.
    Voted(PollResults),
    /// The tally after the withdrawal; `None` if there was no ballot.
    Withdrawn(Option<PollResults>),
    Supported(SupportChange),
    /// The comment's count of useful marks, and whether this one changed it.
    Marked(u64, bool),
}

struct Job {
    write: HotWrite,
    done: oneshot::Sender<Result<HotDone>>,
}

/// The way in to a database's writer; cheap to clone.
#[derive(Debug, Clone)]
pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer of `pool` (it stops once every `Writer` is dropped).
    pub fn start(pool: Pool) -> Self {
        let (jobs, queue) = mpsc::channel(QUEUE);
        tokio::spawn(run(pool, queue));
        Self { jobs }
    }

    /// Applies `write` in the next batch; answers once its transaction committed.
    pub async fn write(&self, write: HotWrite) -> Result<HotDone> {
        let (done, answer) = oneshot::channel();
        self.jobs
            .send(Job { write, done })
            .await
            .map_err(|_| StoreError::Unavailable(sqlx::Error::PoolClosed))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable(sqlx::Error::WorkerCrashed))?
    }
}

/// Takes the first waiting request and every other one already queued (up to a batch):
/// alone when the endpoint is quiet, many at once under load, never waiting for more.
async fn run(pool: Pool, mut queue: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = queue.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        commit(&pool, std::mem::take(&mut batch)).await;
    }
}

/// One transaction for the whole batch. If any write of it fails, the transaction is rolled
/// back and each write is applied in a transaction of its own: the one that fails fails
/// alone, the others are kept.
async fn commit(pool: &Pool, batch: Vec<Job>) {
    let writes: Vec<&HotWrite> = batch.iter().map(|job| &job.write).collect();
    let results = match together(pool, &writes).await {
        Ok(results) => results.into_iter().map(Ok).collect(),
        Err(_) if batch.len() > 1 => {
            let mut results = Vec::with_capacity(batch.len());
            for write in &writes {
                results.push(
                    together(pool, std::slice::from_ref(write))
                        .await
                        .map(|mut done| done.remove(0)),
                );
            }
            results
        }
        Err(error) => vec![Err(error)],
    };
    for (job, result) in batch.into_iter().zip(results) {
        // The request may have given up; the write stands all the same.
        let _ = job.done.send(result);
    }
}

async fn together(pool: &Pool, writes: &[&HotWrite]) -> Result<Vec<HotDone>> {
    let mut tx = pool.begin_with(super::dialect::BEGIN_WRITE).await?;
    let mut done = Vec::with_capacity(writes.len());
    for write in writes {
        done.push(apply(&mut tx, write).await?);
    }
    tx.commit().await?;
    Ok(done)
}

async fn apply(tx: &mut sqlx::Transaction<'static, Db>, write: &HotWrite) -> Result<HotDone> {
    Ok(match write {
        HotWrite::Vote {
            poll_id,
            site_id,
            key,
            choices,
        } => HotDone::Voted(polls::vote(tx, poll_id, site_id, key, choices).await?),
        HotWrite::Withdraw {
            poll_id,
            site_id,
            key,
        } => HotDone::Withdrawn(polls::withdraw(tx, poll_id, site_id, key).await?),
        HotWrite::Support {
            box_id,
            site_id,
            threshold,
            proposal_id,
            key,
            support,
        } => HotDone::Supported(
            proposals::support(tx, box_id, site_id, *threshold, *proposal_id, key, *support)
                .await?,
        ),
        HotWrite::Useful {
            comment_id,
            site_id,
            key,
            useful,
        } => {
            let (count, changed) = comments::useful(tx, *comment_id, site_id, key, *useful).await?;
            HotDone::Marked(count, changed)
        }
    })
}
