//! Polls, their options, ballots and tallies.

use async_trait::async_trait;
use civique_api::{OptionCount, PollResults};

use super::writer::{HotDone, HotWrite};
use super::{conflict, dialect, id_list, insert_audit, unexpected, Backend, Conn};
use crate::domain::audit::Audit;
use crate::domain::poll::{NewPoll, Poll};
use crate::domain::time::{format_time, now_text};
use crate::store::rows::{PollRow, POLL_COLUMNS};
use crate::store::{Polls, Result, StoreError};

#[async_trait]
impl Polls for Backend {
    async fn set_poll_closes_at(
        &self,
        id: &str,
        closes_at: Option<&str>,
        audit: &Audit,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE polls SET closes_at = $1 WHERE id = $2")
            .bind(closes_at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_poll(&self, poll: &NewPoll, audit: &Audit) -> Result<Poll> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO polls (id, site_id, question, description, kind, max_choices, \
             opens_at, closes_at, results_visibility, participation, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&poll.id)
        .bind(&poll.site_id)
        .bind(&poll.question)
        .bind(&poll.description)
        .bind(poll.kind.as_str())
        .bind(i64::from(poll.max_choices))
        .bind(poll.opens_at.map(format_time))
        .bind(poll.closes_at.map(format_time))
        .bind(poll.results_visibility.as_str())
        .bind(poll.participation.as_str())
        .bind(now_text())
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict(e, "poll", &poll.id))?;
        for (position, label) in poll.options.iter().enumerate() {
            sqlx::query("INSERT INTO poll_options (poll_id, position, label) VALUES ($1, $2, $3)")
                .bind(&poll.id)
                .bind(position as i64)
                .bind(label)
                .execute(&mut *tx)
                .await?;
        }
        insert_audit(&mut tx, audit).await?;
        let created = load_poll(&mut tx, &poll.id).await?;
        tx.commit().await?;
        created.ok_or_else(|| StoreError::Corrupt(format!("poll {} vanished", poll.id)))
    }

    async fn poll(&self, id: &str) -> Result<Option<Poll>> {
        let mut conn = self.pool.acquire().await?;
        load_poll(&mut conn, id).await
    }

    async fn list_polls(&self, site_id: Option<&str>) -> Result<Vec<Poll>> {
        let mut conn = self.pool.acquire().await?;
        let rows: Vec<PollRow> = sqlx::query_as(&format!(
            "{POLL_COLUMNS} WHERE $1 IS NULL OR site_id = $1 ORDER BY site_id, id"
        ))
        .bind(site_id)
        .fetch_all(&mut *conn)
        .await?;
        let mut polls = Vec::with_capacity(rows.len());
        for row in rows {
            polls.push(with_options(&mut conn, row).await?);
        }
        Ok(polls)
    }

    async fn my_choices(&self, poll: &Poll, key: &str) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT c.option_id FROM ballot_choices c \
             JOIN participants p ON p.id = c.participant_id \
             JOIN poll_options o ON o.id = c.option_id \
             WHERE c.poll_id = $1 AND p.site_id = $2 AND p.key = $3 ORDER BY o.position",
        )
        .bind(&poll.id)
        .bind(&poll.site_id)
        .bind(key)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn tally(&self, poll_id: &str) -> Result<PollResults> {
        let mut conn = self.pool.acquire().await?;
        read_tally(&mut conn, poll_id).await
    }

    async fn cast_vote(&self, poll: &Poll, key: &str, choices: &[i64]) -> Result<PollResults> {
        let write = HotWrite::Vote {
            poll_id: poll.id.clone(),
            site_id: poll.site_id.clone(),
            key: key.to_owned(),
            choices: choices.to_vec(),
        };
        match self.writer.write(write).await? {
            HotDone::Voted(tally) => Ok(tally),
            other => Err(unexpected(other)),
        }
    }

    async fn withdraw_vote(&self, poll: &Poll, key: &str) -> Result<Option<PollResults>> {
        let write = HotWrite::Withdraw {
            poll_id: poll.id.clone(),
            site_id: poll.site_id.clone(),
            key: key.to_owned(),
        };
        match self.writer.write(write).await? {
            HotDone::Withdrawn(tally) => Ok(tally),
            other => Err(unexpected(other)),
        }
    }
}

/// Records (or replaces) a participant's ballot, in the writer's transaction: one statement
/// (one trip to the database) per vote, written by each backend its own way.
pub(super) async fn vote(
    conn: &mut Conn,
    poll_id: &str,
    site_id: &str,
    key: &str,
    choices: &[i64],
) -> Result<()> {
    sqlx::query(dialect::VOTE)
        .bind(poll_id)
        .bind(site_id)
        .bind(key)
        .bind(now_text())
        .bind(id_list(choices))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Several ballots in one statement made by `dialect::votes` for as many `writes` (votes).
pub(super) async fn votes(conn: &mut Conn, sql: &str, writes: &[&HotWrite]) -> Result<()> {
    ballots_bound(sql, writes).execute(&mut *conn).await?;
    Ok(())
}

/// `sql` with the parameters of `writes`' ballots bound, five a ballot (see
/// `dialect::votes`).
pub(super) fn ballots_bound<'q>(
    sql: &'q str,
    writes: &[&'q HotWrite],
) -> sqlx::query::Query<'q, super::Db, <super::Db as sqlx::Database>::Arguments<'q>> {
    let at = now_text();
    let mut query = sqlx::query(sql);
    for write in writes {
        if let HotWrite::Vote {
            poll_id,
            site_id,
            key,
            choices,
        } = write
        {
            query = query
                .bind(poll_id.as_str())
                .bind(site_id.as_str())
                .bind(key.as_str())
                .bind(at.clone())
                .bind(id_list(choices));
        }
    }
    query
}

/// Removes a participant's ballot (and its choices), in the writer's transaction; `false`
/// if there was none.
pub(super) async fn withdraw(
    conn: &mut Conn,
    poll_id: &str,
    site_id: &str,
    key: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "DELETE FROM ballots WHERE poll_id = $1 AND participant_id = \
         (SELECT id FROM participants WHERE site_id = $2 AND key = $3)",
    )
    .bind(poll_id)
    .bind(site_id)
    .bind(key)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The counters of a poll (kept by the database on every ballot change), never a count of
/// its ballots.
pub(super) async fn read_tally(conn: &mut Conn, poll_id: &str) -> Result<PollResults> {
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(TALLY)
        .bind(poll_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(tally(rows))
}

/// A poll's tally (`$1`): each option's id and votes, with the poll's voters.
pub(super) const TALLY: &str = "SELECT o.id, o.votes, p.voters FROM poll_options o \
     JOIN polls p ON p.id = o.poll_id WHERE o.poll_id = $1 ORDER BY o.position";

/// The tally [`TALLY`]'s rows give.
pub(super) fn tally(rows: Vec<(i64, i64, i64)>) -> PollResults {
    PollResults {
        voters: rows.first().map_or(0, |row| row.2.unsigned_abs()),
        counts: rows
            .into_iter()
            .map(|(option_id, votes, _)| OptionCount {
                option_id,
                votes: votes.unsigned_abs(),
            })
            .collect(),
    }
}

async fn load_poll(conn: &mut Conn, id: &str) -> Result<Option<Poll>> {
    let row: Option<PollRow> = sqlx::query_as(&format!("{POLL_COLUMNS} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => Ok(Some(with_options(conn, row).await?)),
        None => Ok(None),
    }
}

async fn with_options(conn: &mut Conn, row: PollRow) -> Result<Poll> {
    let options: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, label FROM poll_options WHERE poll_id = $1 ORDER BY position")
            .bind(&row.id)
            .fetch_all(&mut *conn)
            .await?;
    row.into_poll(options)
}
