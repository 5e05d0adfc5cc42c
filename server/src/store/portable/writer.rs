//! Group commit of the hot writes (votes, supports, useful marks, comments): one writer per database
//! takes every request waiting, applies them in one transaction and answers each once that
//! transaction committed. The cost of a commit (an fsync) is shared by the whole batch.

use std::sync::OnceLock;

use sqlx::pool::PoolConnection;
use sqlx::{Connection as _, Row as _};
use tokio::sync::{mpsc, oneshot};

use civique_api::PollResults;

use super::{comments, polls, proposals, Conn, Db, Pool};
use crate::domain::audit::Audit;
use crate::domain::comment::NewComment;
use crate::domain::proposal::SupportChange;
use crate::store::{Result, StoreError, MAX_BATCH};

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
    /// New comments (a resident's, or staff's with their audit entries).
    Comments {
        site_id: String,
        comments: Vec<NewComment>,
        audit: Option<Audit>,
    },
}

impl HotWrite {
    /// Whether applying it twice leaves what applying it once does.
    fn sets_a_state(&self) -> bool {
        !matches!(self, Self::Comments { .. })
    }
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
    /// The new comments' ids.
    Inserted(Vec<i64>),
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
///
/// The writer keeps one connection of the pool for itself (its page cache stays warm and
/// no batch waits for a connection). A batch that fails for want of the database on the
/// connection kept (the server closed it while it was idle) is tried once more on a fresh
/// connection, which the pool checks first, when all its writes set a state (this ballot,
/// this support: applying one twice leaves what applying it once does). A batch holding new
/// comments is not tried again (the widget keeps the text for the resident to resend).
async fn run(pool: Pool, mut queue: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut held: Option<PoolConnection<Db>> = None;
    while let Some(first) = queue.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let writes: Vec<&HotWrite> = batch.iter().map(|job| &job.write).collect();
        let mut results = None;
        if let Some(mut conn) = held.take() {
            let tried = commit(&mut conn, &writes).await;
            if healthy(&tried) {
                held = Some(conn);
            }
            results = Some(tried);
        }
        let again = results.is_none() || writes.iter().all(|write| write.sets_a_state());
        if again && !results.as_deref().is_some_and(healthy) {
            results = Some(match pool.acquire().await {
                Ok(mut conn) => {
                    let tried = commit(&mut conn, &writes).await;
                    if healthy(&tried) {
                        held = Some(conn);
                    }
                    tried
                }
                Err(error) => {
                    let error = StoreError::from(error);
                    writes.iter().map(|_| Err(clone_error(&error))).collect()
                }
            });
        }
        let results = results.unwrap_or_default();
        for (job, result) in batch.drain(..).zip(results) {
            // The request may have given up; the write stands all the same.
            let _ = job.done.send(result);
        }
    }
}

/// Whether the connection that gave `results` may be used again.
fn healthy(results: &[Result<HotDone>]) -> bool {
    !results
        .iter()
        .any(|result| matches!(result, Err(StoreError::Unavailable(_))))
}

/// The same failure, for each request of a batch that could not start.
fn clone_error(error: &StoreError) -> StoreError {
    StoreError::Unavailable(sqlx::Error::Protocol(error.to_string()))
}

/// One transaction for the whole batch. If any write of it fails, the transaction is rolled
/// back and each write is applied in a transaction of its own: the one that fails fails
/// alone, the others are kept.
async fn commit(conn: &mut Conn, writes: &[&HotWrite]) -> Vec<Result<HotDone>> {
    match together(conn, writes).await {
        Ok(results) => results.into_iter().map(Ok).collect(),
        // Without the database no write can go through: each gets the failure.
        Err(StoreError::Unavailable(error)) => {
            let error = StoreError::Unavailable(error);
            writes.iter().map(|_| Err(clone_error(&error))).collect()
        }
        Err(_) if writes.len() > 1 => {
            let mut results = Vec::with_capacity(writes.len());
            for write in writes {
                results.push(
                    together(conn, std::slice::from_ref(write))
                        .await
                        .map(|mut done| done.remove(0)),
                );
            }
            results
        }
        Err(error) => vec![Err(error)],
    }
}

async fn together(conn: &mut Conn, writes: &[&HotWrite]) -> Result<Vec<HotDone>> {
    if let Some(done) = ballots_in_one_trip(conn, writes).await {
        return done;
    }
    let mut tx = conn.begin_with(super::dialect::BEGIN_WRITE).await?;
    let mut applied = Vec::with_capacity(writes.len());
    let mut at = 0;
    while at < writes.len() {
        // A run of votes goes to the database in one trip where the backend can take it.
        let run = writes[at..]
            .iter()
            .take_while(|write| matches!(write, HotWrite::Vote { .. }))
            .count();
        if run > 1 {
            if let Some(sql) = super::dialect::votes(run) {
                polls::votes(&mut tx, sql, &writes[at..at + run]).await?;
                applied.extend((0..run).map(|_| Applied::Voted));
                at += run;
                continue;
            }
        }
        applied.push(apply(&mut tx, writes[at]).await?);
        at += 1;
    }
    // One tally per poll of the batch, read once its ballots are all written.
    let mut tallies: Vec<(&str, PollResults)> = Vec::new();
    for (write, applied) in writes.iter().zip(&applied) {
        let poll_id = match (write, applied) {
            (HotWrite::Vote { poll_id, .. }, _) => poll_id,
            (HotWrite::Withdraw { poll_id, .. }, Applied::Withdrawn(true)) => poll_id,
            _ => continue,
        };
        if !tallies.iter().any(|(id, _)| id == poll_id) {
            let tally = polls::read_tally(&mut tx, poll_id).await?;
            tallies.push((poll_id, tally));
        }
    }
    tx.commit().await?;
    let tally_of = |poll_id: &str| {
        tallies
            .iter()
            .find(|(id, _)| *id == poll_id)
            .map(|(_, tally)| tally.clone())
    };
    Ok(writes
        .iter()
        .zip(applied)
        .map(|(write, applied)| match (write, applied) {
            (HotWrite::Vote { poll_id, .. }, _) => {
                HotDone::Voted(tally_of(poll_id).unwrap_or_else(|| PollResults {
                    voters: 0,
                    counts: Vec::new(),
                }))
            }
            (HotWrite::Withdraw { poll_id, .. }, Applied::Withdrawn(existed)) => {
                HotDone::Withdrawn(existed.then(|| tally_of(poll_id)).flatten())
            }
            (_, Applied::Supported(change)) => HotDone::Supported(change),
            (_, Applied::Marked(count, changed)) => HotDone::Marked(count, changed),
            (_, Applied::Inserted(ids)) => HotDone::Inserted(ids),
            (_, Applied::Withdrawn(_) | Applied::Voted) => HotDone::Withdrawn(None),
        })
        .collect())
}

/// A batch of ballots of one poll in one trip to the database, its transaction and the
/// tally after it included, where the backend runs several statements with parameters in
/// one call (SQLite). Each trip wakes the database's own thread, and on a busy machine that
/// wake-up costs more than a ballot. `None` when the batch is not such a run.
async fn ballots_in_one_trip(
    conn: &mut Conn,
    writes: &[&HotWrite],
) -> Option<Result<Vec<HotDone>>> {
    static SCRIPTS: OnceLock<Vec<Option<String>>> = OnceLock::new();
    let Some(HotWrite::Vote { poll_id: first, .. }) = writes.first() else {
        return None;
    };
    let one_poll = writes
        .iter()
        .all(|write| matches!(write, HotWrite::Vote { poll_id, .. } if poll_id == first));
    if !super::dialect::SCRIPTS || !one_poll {
        return None;
    }
    let scripts = SCRIPTS.get_or_init(|| {
        (0..=MAX_BATCH)
            .map(|n| {
                super::dialect::votes(n).map(|ballots| {
                    // The tally's `$1` is the first ballot's poll.
                    format!(
                        "{};\n{ballots}{};\nCOMMIT",
                        super::dialect::BEGIN_WRITE,
                        polls::TALLY
                    )
                })
            })
            .collect()
    });
    let script = scripts.get(writes.len())?.as_deref()?;
    let rows = polls::ballots_bound(script, writes)
        .fetch_all(&mut *conn)
        .await;
    Some(match rows {
        Ok(rows) => rows
            .iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
            .collect::<Result<Vec<(i64, i64, i64)>, sqlx::Error>>()
            .map_err(StoreError::from)
            .map(|rows| {
                let tally = polls::tally(rows);
                writes
                    .iter()
                    .map(|_| HotDone::Voted(tally.clone()))
                    .collect()
            }),
        Err(error) => {
            // The transaction may be open still: the ballots are tried again on their own.
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            Err(error.into())
        }
    })
}

/// What a write did inside the transaction, before the tallies are read.
enum Applied {
    Voted,
    /// Whether there was a ballot to remove.
    Withdrawn(bool),
    Supported(SupportChange),
    Marked(u64, bool),
    Inserted(Vec<i64>),
}

async fn apply(tx: &mut Conn, write: &HotWrite) -> Result<Applied> {
    Ok(match write {
        HotWrite::Vote {
            poll_id,
            site_id,
            key,
            choices,
        } => {
            polls::vote(tx, poll_id, site_id, key, choices).await?;
            Applied::Voted
        }
        HotWrite::Withdraw {
            poll_id,
            site_id,
            key,
        } => Applied::Withdrawn(polls::withdraw(tx, poll_id, site_id, key).await?),
        HotWrite::Support {
            box_id,
            site_id,
            threshold,
            proposal_id,
            key,
            support,
        } => Applied::Supported(
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
            Applied::Marked(count, changed)
        }
        HotWrite::Comments {
            site_id,
            comments,
            audit,
        } => Applied::Inserted(comments::insert(tx, site_id, comments, audit.as_ref()).await?),
    })
}
