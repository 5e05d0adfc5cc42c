//! SQLite backend: one file in WAL mode, created and migrated on start.

mod comments;
mod proposals;

pub use comments::{NewComment, ReportOutcome};
pub use proposals::{ProposalFilter, StatusUpdate, SupportChange};

use std::str::FromStr;
use std::time::Duration;

use civique_api::{OptionCount, PollKind, PollOption, PollResults, ResultsVisibility, SiteInput};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, SqliteConnection, SqlitePool};
use time::OffsetDateTime;

use super::StoreError;
use crate::poll::{format_time, parse_time, NewPoll, Poll};

type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

#[derive(sqlx::FromRow)]
struct PollRow {
    id: String,
    site_id: String,
    question: String,
    description: Option<String>,
    kind: String,
    max_choices: i64,
    opens_at: Option<String>,
    closes_at: Option<String>,
    results_visibility: String,
}

const POLL_COLUMNS: &str = "SELECT id, site_id, question, description, kind, max_choices, \
     opens_at, closes_at, results_visibility FROM polls";

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` and applies pending migrations.
    pub async fn connect(url: &str) -> Result<Self> {
        if !url.starts_with("sqlite:") {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        }
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            // A request future dropped between BEGIN and the creation of its transaction
            // object leaves no one to roll back: such a connection must never be reused, or
            // it holds the write lock forever and swallows later writes uncommitted.
            .after_release(|conn, _| {
                Box::pin(async move {
                    // Runs any rollback still queued by a dropped transaction first.
                    conn.ping().await?;
                    Ok(!conn.is_in_transaction())
                })
            })
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Self { pool })
    }

    /// Waits for the connections in use and closes them all.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub async fn create_site(&self, site: &SiteInput) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("INSERT INTO sites (id, name, created_at) VALUES (?, ?, ?)")
            .bind(&site.id)
            .bind(&site.name)
            .bind(now())
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict(e, "site", &site.id))?;
        comments::save_settings(&mut tx, site).await?;
        insert_origins(&mut tx, site).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates the site or replaces its name and origins (sites listed in the config file).
    pub async fn upsert_site(&self, site: &SiteInput) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(
            "INSERT INTO sites (id, name, created_at) VALUES (?, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name",
        )
        .bind(&site.id)
        .bind(&site.name)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        comments::save_settings(&mut tx, site).await?;
        sqlx::query("DELETE FROM site_origins WHERE site_id = ?")
            .bind(&site.id)
            .execute(&mut *tx)
            .await?;
        insert_origins(&mut tx, site).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn site_exists(&self, id: &str) -> Result<bool> {
        self.exists("SELECT 1 FROM sites WHERE id = ?", id).await
    }

    async fn exists(&self, query: &'static str, id: &str) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(query)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.is_some())
    }

    /// Is `origin` allowed by any site (CORS preflight), or by `site_id` when given?
    pub async fn origin_allowed(&self, origin: &str, site_id: Option<&str>) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM site_origins WHERE origin = ?1 AND (?2 IS NULL OR site_id = ?2) LIMIT 1",
        )
        .bind(origin)
        .bind(site_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    pub async fn poll_exists(&self, id: &str) -> Result<bool> {
        self.exists("SELECT 1 FROM polls WHERE id = ?", id).await
    }

    pub async fn create_poll(&self, poll: &NewPoll) -> Result<Poll> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(
            "INSERT INTO polls (id, site_id, question, description, kind, max_choices, \
             opens_at, closes_at, results_visibility, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&poll.id)
        .bind(&poll.site_id)
        .bind(&poll.question)
        .bind(&poll.description)
        .bind(kind_name(poll.kind))
        .bind(i64::from(poll.max_choices))
        .bind(poll.opens_at.map(format_time))
        .bind(poll.closes_at.map(format_time))
        .bind(visibility_name(poll.results_visibility))
        .bind(now())
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict(e, "poll", &poll.id))?;
        for (position, label) in poll.options.iter().enumerate() {
            sqlx::query("INSERT INTO poll_options (poll_id, position, label) VALUES (?, ?, ?)")
                .bind(&poll.id)
                .bind(position as i64)
                .bind(label)
                .execute(&mut *tx)
                .await?;
        }
        let created = load_poll(&mut tx, &poll.id).await?;
        tx.commit().await?;
        created.ok_or_else(|| StoreError::Corrupt(format!("poll {} vanished", poll.id)))
    }

    pub async fn poll(&self, id: &str) -> Result<Option<Poll>> {
        let mut conn = self.pool.acquire().await?;
        load_poll(&mut conn, id).await
    }

    pub async fn list_polls(&self, site_id: Option<&str>) -> Result<Vec<Poll>> {
        let mut conn = self.pool.acquire().await?;
        let rows: Vec<PollRow> = sqlx::query_as(&format!(
            "{POLL_COLUMNS} WHERE ?1 IS NULL OR site_id = ?1 ORDER BY site_id, id"
        ))
        .bind(site_id)
        .fetch_all(&mut *conn)
        .await?;
        let mut polls = Vec::with_capacity(rows.len());
        for row in rows {
            polls.push(poll_from_row(&mut conn, row).await?);
        }
        Ok(polls)
    }

    /// The options this participant chose, in the poll's option order (empty if none).
    pub async fn my_choices(&self, poll: &Poll, key: &str) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT c.option_id FROM ballot_choices c \
             JOIN participants p ON p.id = c.participant_id \
             JOIN poll_options o ON o.id = c.option_id \
             WHERE c.poll_id = ? AND p.site_id = ? AND p.key = ? ORDER BY o.position",
        )
        .bind(&poll.id)
        .bind(&poll.site_id)
        .bind(key)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn tally(&self, poll_id: &str) -> Result<PollResults> {
        // One read transaction: voters and counts come from the same snapshot.
        let mut tx = self.pool.begin().await?;
        let voters: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ballots WHERE poll_id = ?")
            .bind(poll_id)
            .fetch_one(&mut *tx)
            .await?;
        let counts: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT o.id, COUNT(c.option_id) FROM poll_options o \
             LEFT JOIN ballot_choices c ON c.poll_id = o.poll_id AND c.option_id = o.id \
             WHERE o.poll_id = ? GROUP BY o.id ORDER BY o.position",
        )
        .bind(poll_id)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(PollResults {
            voters: voters.unsigned_abs(),
            counts: counts
                .into_iter()
                .map(|(option_id, votes)| OptionCount {
                    option_id,
                    votes: votes.unsigned_abs(),
                })
                .collect(),
        })
    }

    /// Records (or replaces) a participant's ballot in one transaction.
    pub async fn cast_vote(&self, poll: &Poll, key: &str, choices: &[i64]) -> Result<()> {
        let at = now();
        // IMMEDIATE takes the write lock up front, so concurrent voters queue on busy_timeout
        // instead of failing to upgrade a read lock.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let participant = participant_id(&mut tx, &poll.site_id, key).await?;
        sqlx::query("DELETE FROM ballots WHERE poll_id = ? AND participant_id = ?")
            .bind(&poll.id)
            .bind(participant)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO ballots (poll_id, participant_id, cast_at) VALUES (?, ?, ?)")
            .bind(&poll.id)
            .bind(participant)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        for option in choices {
            sqlx::query(
                "INSERT INTO ballot_choices (poll_id, participant_id, option_id) VALUES (?, ?, ?)",
            )
            .bind(&poll.id)
            .bind(participant)
            .bind(option)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Removes a participant's ballot; `false` if there was none.
    pub async fn withdraw_vote(&self, poll: &Poll, key: &str) -> Result<bool> {
        let done = sqlx::query(
            "DELETE FROM ballots WHERE poll_id = ? AND participant_id = \
             (SELECT id FROM participants WHERE site_id = ? AND key = ?)",
        )
        .bind(&poll.id)
        .bind(&poll.site_id)
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}

/// The id of the participant with this key on this site, created on first use.
async fn participant_id(conn: &mut SqliteConnection, site_id: &str, key: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO participants (site_id, key, created_at) VALUES (?, ?, ?) \
         ON CONFLICT (site_id, key) DO UPDATE SET key = excluded.key RETURNING id",
    )
    .bind(site_id)
    .bind(key)
    .bind(now())
    .fetch_one(&mut *conn)
    .await?)
}

async fn insert_origins(conn: &mut SqliteConnection, site: &SiteInput) -> Result<()> {
    for origin in &site.origins {
        sqlx::query("INSERT OR IGNORE INTO site_origins (site_id, origin) VALUES (?, ?)")
            .bind(&site.id)
            .bind(origin)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn load_poll(conn: &mut SqliteConnection, id: &str) -> Result<Option<Poll>> {
    let row: Option<PollRow> = sqlx::query_as(&format!("{POLL_COLUMNS} WHERE id = ?"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => Ok(Some(poll_from_row(conn, row).await?)),
        None => Ok(None),
    }
}

async fn poll_from_row(conn: &mut SqliteConnection, row: PollRow) -> Result<Poll> {
    let options: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, label FROM poll_options WHERE poll_id = ? ORDER BY position")
            .bind(&row.id)
            .fetch_all(&mut *conn)
            .await?;
    let time = |text: Option<String>| text.as_deref().map(parse_time).transpose();
    Ok(Poll {
        kind: match row.kind.as_str() {
            "single" => PollKind::Single,
            "multiple" => PollKind::Multiple,
            other => return Err(StoreError::Corrupt(format!("poll kind {other:?}"))),
        },
        results_visibility: match row.results_visibility.as_str() {
            "after_vote" => ResultsVisibility::AfterVote,
            "always" => ResultsVisibility::Always,
            "after_close" => ResultsVisibility::AfterClose,
            other => return Err(StoreError::Corrupt(format!("visibility {other:?}"))),
        },
        max_choices: u32::try_from(row.max_choices)
            .map_err(|_| StoreError::Corrupt(format!("max_choices {}", row.max_choices)))?,
        opens_at: time(row.opens_at).map_err(StoreError::Corrupt)?,
        closes_at: time(row.closes_at).map_err(StoreError::Corrupt)?,
        options: options
            .into_iter()
            .map(|(id, label)| PollOption { id, label })
            .collect(),
        id: row.id,
        site_id: row.site_id,
        question: row.question,
        description: row.description,
    })
}

fn kind_name(kind: PollKind) -> &'static str {
    match kind {
        PollKind::Single => "single",
        PollKind::Multiple => "multiple",
    }
}

fn visibility_name(visibility: ResultsVisibility) -> &'static str {
    match visibility {
        ResultsVisibility::AfterVote => "after_vote",
        ResultsVisibility::Always => "always",
        ResultsVisibility::AfterClose => "after_close",
    }
}

fn conflict(error: sqlx::Error, what: &str, id: &str) -> StoreError {
    match error.as_database_error() {
        Some(db) if db.is_unique_violation() => StoreError::Conflict(format!("{what} {id:?}")),
        _ => StoreError::Database(error),
    }
}

/// Whole seconds, like every timestamp on the wire.
fn now() -> String {
    let now = OffsetDateTime::now_utc();
    format_time(now.replace_nanosecond(0).unwrap_or(now))
}
