//! What SQLite does its own way: connection set-up, write locks, id lists, FTS5, backups.

use std::path::Path;
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Duration;

use futures_util::stream::BoxStream;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Sqlite};

use crate::config::Durability;
use crate::domain::proposal::SearchTerms;
use crate::store::rows::PROPOSAL_COLUMNS;
use crate::store::{release_check, Result, StoreError, MAX_BATCH};

pub type Db = Sqlite;

pub const NAME: &str = "sqlite";

/// One file has one writer: IMMEDIATE takes the write lock up front, so concurrent writers
/// queue on the busy timeout instead of failing to upgrade a read lock.
pub const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";
/// A deferred transaction reads from one snapshot of the WAL.
pub const BEGIN_READ: &str = "BEGIN";

/// One call runs a script of several statements with parameters (a whole transaction).
pub const SCRIPTS: bool = true;

/// One process owns the file: there is no other instance to tell about changes.
pub const SHARED: bool = false;

pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// How often the WAL is copied back into the database, off the write path.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

pub async fn open(url: &str, durability: Durability) -> Result<Pool<Db>> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(match durability {
            Durability::Full => SqliteSynchronous::Full,
            Durability::Normal => SqliteSynchronous::Normal,
        })
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true)
        // No commit pays for a checkpoint: a task of its own runs them (below), and the WAL
        // is cut back to this size when it is reset.
        .pragma("wal_autocheckpoint", "0")
        .pragma("journal_size_limit", (64 * 1024 * 1024).to_string());
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .after_release(release_check::<Db>)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    tokio::spawn(checkpoints(pool.clone()));
    Ok(pool)
}

/// Passive checkpoints (they never wait for readers or writers), until the pool closes.
async fn checkpoints(pool: Pool<Db>) {
    let mut ticks = tokio::time::interval(CHECKPOINT_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if pool.is_closed() {
            return;
        }
        if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(%error, "WAL checkpoint failed");
        }
    }
}

/// A participant's ballot, cast or replaced: `$1` poll, `$2` site, `$3` participant key,
/// `$4` time, `$5` the chosen option ids (a JSON array). SQLite runs the statements in one
/// call; the counters follow through the triggers. Choices kept from an earlier ballot are
/// left as they are.
pub const VOTE: &str = "\
    INSERT INTO participants (site_id, key, created_at) VALUES ($2, $3, $4) \
        ON CONFLICT (site_id, key) DO NOTHING; \
    INSERT INTO ballots (poll_id, participant_id, cast_at) \
        SELECT $1, id, $4 FROM participants WHERE site_id = $2 AND key = $3 \
        ON CONFLICT (poll_id, participant_id) DO UPDATE SET cast_at = excluded.cast_at; \
    DELETE FROM ballot_choices WHERE poll_id = $1 \
        AND participant_id = (SELECT id FROM participants WHERE site_id = $2 AND key = $3) \
        AND option_id NOT IN (SELECT value FROM json_each($5)); \
    INSERT INTO ballot_choices (poll_id, participant_id, option_id) \
        SELECT $1, p.id, c.value FROM participants p, json_each($5) c \
        WHERE p.site_id = $2 AND p.key = $3 ON CONFLICT DO NOTHING";

/// `n` ballots in one script (SQLite runs it in one call): [`VOTE`] `n` times, the
/// parameters of the `i`-th numbered from `5 i + 1`. Written once per `n`.
pub fn votes(n: usize) -> Option<&'static str> {
    static SCRIPTS: OnceLock<Vec<String>> = OnceLock::new();
    let scripts = SCRIPTS.get_or_init(|| (0..=MAX_BATCH).map(script).collect());
    scripts.get(n).map(String::as_str)
}

fn script(n: usize) -> String {
    let mut script = String::with_capacity(n * (VOTE.len() + 16));
    for i in 0..n {
        let mut vote = VOTE.to_owned();
        // Highest first, so that `$1` never rewrites a part of a number already written.
        for k in (1..=5).rev() {
            vote = vote.replace(&format!("${k}"), &format!("$#{}", 5 * i + k));
        }
        script.push_str(&vote.replace("$#", "$"));
        script.push_str(";\n");
    }
    script
}

/// The ids of the JSON array bound at `param`, as the column `value`.
pub fn id_list(param: &str) -> String {
    format!("SELECT value FROM json_each({param})")
}

/// Proposals whose title or description match the FTS5 query bound at `param`.
pub fn search_condition(param: &str) -> String {
    format!("p.id IN (SELECT rowid FROM proposals_fts WHERE proposals_fts MATCH {param})")
}

/// An FTS5 query: every word as a quoted prefix token, so the user's text is never syntax.
pub fn search_text(terms: &SearchTerms) -> String {
    terms.query(
        |word| format!("\"{}\"*", word.replace('"', "\"\"")),
        " AND ",
        " OR ",
    )
}

/// The `limit` best matches of the FTS5 query `$3` in box `$1`, as `$2` sees them; titles
/// weigh twice as much as descriptions.
pub fn similar_query(limit: usize) -> String {
    format!(
        "SELECT {PROPOSAL_COLUMNS} FROM proposals_fts \
         JOIN proposals p ON p.id = proposals_fts.rowid \
         WHERE proposals_fts MATCH $3 AND p.box_id = $1 AND p.visibility = 'published' \
         ORDER BY bm25(proposals_fts, 2.0, 1.0), p.id LIMIT {limit}"
    )
}

/// `VACUUM INTO`: a consistent, compacted copy taken while the endpoint keeps serving.
pub async fn backup(pool: &Pool<Db>, path: &Path) -> Result<()> {
    if path.exists() {
        return Err(StoreError::Unsupported(
            "the backup file already exists: choose a new name",
        ));
    }
    sqlx::query("VACUUM INTO $1")
        .bind(path.to_string_lossy().into_owned())
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn notify(_: &Pool<Db>, _: &str) -> Result<()> {
    Ok(())
}

pub async fn listen(_: &Pool<Db>) -> Result<Option<BoxStream<'static, String>>> {
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::proposal::{search_terms, similar_terms};

    #[test]
    fn ballots_in_one_script_number_their_parameters_apart() {
        let two = votes(2).unwrap();
        assert!(two.contains("VALUES ($2, $3, $4)") && two.contains("VALUES ($7, $8, $9)"));
        assert!(two.contains("json_each($10)") && !two.contains("$11"));
    }

    #[test]
    fn words_become_quoted_prefix_tokens() {
        let search = search_terms("l'éclairage \"du\" parc*").unwrap();
        assert_eq!(
            search_text(&search),
            "\"éclairage\"* AND \"du\"* AND \"parc\"*"
        );
        let similar = similar_terms("Des arbres pour la place OR NEAR").unwrap();
        assert_eq!(
            search_text(&similar),
            "\"arbres\"* OR \"place\"* OR \"near\"*"
        );
    }
}
