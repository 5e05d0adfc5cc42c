//! What PostgreSQL does its own way: connection set-up, id lists, text search, NOTIFY.

use std::path::Path;
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Duration;

use futures_util::stream::BoxStream;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgListener, PgPoolOptions};
use sqlx::{Connection, Pool, Postgres};

use crate::config::Durability;
use crate::domain::proposal::SearchTerms;
use crate::store::rows::PROPOSAL_COLUMNS;
use crate::store::{release_check, Result, StoreError, MAX_BATCH};

pub type Db = Postgres;

pub const NAME: &str = "postgres";

/// Row locks (upserts, `UPDATE … RETURNING`) serialize what must be; no table lock needed.
pub const BEGIN_WRITE: &str = "BEGIN";
/// Both statements of a listing read from one snapshot.
pub const BEGIN_READ: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

/// One call runs one statement with parameters (the extended query protocol).
pub const SCRIPTS: bool = false;

/// Several instances may share the database: live updates are relayed between them.
pub const SHARED: bool = true;

pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// The NOTIFY channel of live updates.
const CHANNEL: &str = "civique_live";

pub async fn open(url: &str, durability: Durability) -> Result<Pool<Db>> {
    // One plain connection first: if the server cannot be reached, its own error (refused,
    // unknown host, bad password) is clearer than a pool's time-out.
    let mut options = PgConnectOptions::from_str(url)?;
    if durability == Durability::Normal {
        options = options.options([("synchronous_commit", "off")]);
    }
    PgConnection::connect_with(&options).await?.close().await?;
    let pool = PgPoolOptions::new()
        .max_connections(16)
        // A request waits this long for a connection before answering 503.
        .acquire_timeout(Duration::from_secs(3))
        .after_release(release_check::<Db>)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// A participant's ballot, cast or replaced: `$1` poll, `$2` site, `$3` participant key,
/// `$4` time, `$5` the chosen option ids (a JSON array), in one statement. Its parts see
/// one snapshot, so choices kept from an earlier ballot are neither deleted nor inserted;
/// the counters follow through the triggers.
pub const VOTE: &str = "\
    WITH participant AS ( \
        INSERT INTO participants (site_id, key, created_at) VALUES ($2, $3, $4) \
        ON CONFLICT (site_id, key) DO UPDATE SET key = excluded.key RETURNING id), \
    ballot AS ( \
        INSERT INTO ballots (poll_id, participant_id, cast_at) \
        SELECT $1, id, $4 FROM participant \
        ON CONFLICT (poll_id, participant_id) DO UPDATE SET cast_at = excluded.cast_at \
        RETURNING participant_id), \
    chosen AS (SELECT value::bigint AS option_id FROM json_array_elements_text($5::json)), \
    dropped AS ( \
        DELETE FROM ballot_choices c USING ballot b \
        WHERE c.poll_id = $1 AND c.participant_id = b.participant_id \
        AND c.option_id NOT IN (SELECT option_id FROM chosen)) \
    INSERT INTO ballot_choices (poll_id, participant_id, option_id) \
    SELECT $1, b.participant_id, chosen.option_id FROM ballot b, chosen \
    ON CONFLICT DO NOTHING";

/// `n` ballots in one statement (one trip to the server, one plan): [`VOTE`] over a list
/// of rows, the parameters of the `i`-th numbered from `5 i + 1`. Written once per `n`. A
/// participant voting twice in one batch makes it fail (a row changed twice in a
/// statement): the writer then applies each ballot on its own.
pub fn votes(n: usize) -> Option<&'static str> {
    static STATEMENTS: OnceLock<Vec<String>> = OnceLock::new();
    let statements = STATEMENTS.get_or_init(|| (0..=MAX_BATCH).map(statement).collect());
    statements.get(n).map(String::as_str)
}

fn statement(n: usize) -> String {
    let rows: Vec<String> = (0..n)
        .map(|i| {
            let k = 5 * i;
            format!(
                "(${}::text, ${}::text, ${}::text, ${}::text, ${}::json)",
                k + 1,
                k + 2,
                k + 3,
                k + 4,
                k + 5
            )
        })
        .collect();
    format!(
        "WITH v (poll_id, site_id, key, at, choices) AS (VALUES {}), \
         participant AS ( \
             INSERT INTO participants (site_id, key, created_at) \
             SELECT DISTINCT ON (site_id, key) site_id, key, at FROM v \
             ON CONFLICT (site_id, key) DO UPDATE SET key = excluded.key \
             RETURNING id, site_id, key), \
         ballot AS ( \
             INSERT INTO ballots (poll_id, participant_id, cast_at) \
             SELECT v.poll_id, p.id, v.at FROM v \
             JOIN participant p ON p.site_id = v.site_id AND p.key = v.key \
             ON CONFLICT (poll_id, participant_id) DO UPDATE SET cast_at = excluded.cast_at \
             RETURNING poll_id, participant_id), \
         chosen AS ( \
             SELECT b.poll_id, b.participant_id, e.value::bigint AS option_id FROM v \
             JOIN participant p ON p.site_id = v.site_id AND p.key = v.key \
             JOIN ballot b ON b.poll_id = v.poll_id AND b.participant_id = p.id, \
             json_array_elements_text(v.choices) e), \
         dropped AS ( \
             DELETE FROM ballot_choices c USING ballot b \
             WHERE c.poll_id = b.poll_id AND c.participant_id = b.participant_id \
             AND NOT EXISTS (SELECT 1 FROM chosen x WHERE x.poll_id = c.poll_id \
                 AND x.participant_id = c.participant_id AND x.option_id = c.option_id)) \
         INSERT INTO ballot_choices (poll_id, participant_id, option_id) \
         SELECT poll_id, participant_id, option_id FROM chosen ON CONFLICT DO NOTHING",
        rows.join(", ")
    )
}

/// The ids of the JSON array bound at `param`, as the column `value`.
pub fn id_list(param: &str) -> String {
    format!("SELECT value::bigint AS value FROM json_array_elements_text({param}::json)")
}

/// Proposals whose title or description match the `tsquery` text bound at `param`.
pub fn search_condition(param: &str) -> String {
    format!("p.search @@ to_tsquery('civique_fr', {param})")
}

/// A `tsquery`: every word as a prefix (`velo:*`). Words hold letters and digits only, so
/// the user's text is never query syntax.
pub fn search_text(terms: &SearchTerms) -> String {
    terms.query(|word| format!("{word}:*"), " & ", " | ")
}

/// The `limit` best matches of the `tsquery` `$3` in box `$1`, as `$2` sees them; titles
/// weigh more than descriptions (see the `search` column).
pub fn similar_query(limit: usize) -> String {
    format!(
        "SELECT {PROPOSAL_COLUMNS} FROM proposals p \
         WHERE p.search @@ to_tsquery('civique_fr', $3) AND p.box_id = $1 \
         AND p.visibility = 'published' \
         ORDER BY ts_rank(p.search, to_tsquery('civique_fr', $3)) DESC, p.id LIMIT {limit}"
    )
}

pub async fn backup(_: &Pool<Db>, _: &Path) -> Result<()> {
    Err(StoreError::Unsupported(
        "a PostgreSQL database is backed up with pg_dump (see the README's Deploying section)",
    ))
}

pub async fn notify(pool: &Pool<Db>, payload: &str) -> Result<()> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(payload)
        .execute(pool)
        .await?;
    Ok(())
}

/// Every payload notified on the channel. A lost connection is re-established by the
/// listener; what was notified meanwhile is missed (viewers resync when their own stream
/// reconnects).
pub async fn listen(pool: &Pool<Db>) -> Result<Option<BoxStream<'static, String>>> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    let stream = async_stream::stream! {
        loop {
            match listener.recv().await {
                Ok(notification) => yield notification.payload().to_owned(),
                Err(error) => {
                    tracing::warn!(%error, "live-update listener lost its connection");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    };
    Ok(Some(Box::pin(stream)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::proposal::{search_terms, similar_terms};

    #[test]
    fn words_become_prefix_lexemes() {
        let search = search_terms("l'éclairage \"du\" parc*").unwrap();
        assert_eq!(search_text(&search), "éclairage:* & du:* & parc:*");
        let similar = similar_terms("Des arbres pour la place OR NEAR").unwrap();
        assert_eq!(search_text(&similar), "arbres:* | place:* | near:*");
    }
}
