//! The SQL of every store operation, written once and compiled once per backend.
//!
//! The including module (`store/sqlite/`, `store/postgres/`) provides `dialect`: its `Db`,
//! its connection set-up and the few statements that differ. Placeholders are `$N` and
//! upserts `ON CONFLICT`, which both backends understand.

mod comments;
mod personal;
mod polls;
mod proposals;
mod records;
mod sites;
mod staff;
mod writer;

use std::path::Path;

use async_trait::async_trait;
use futures_util::stream::BoxStream;
use sqlx::Transaction;

use super::dialect::{self, Db};
use crate::config::Durability;
use crate::domain::audit::Audit;
use crate::domain::time::now_text;
use crate::store::{Operations, PoolStats, Result, StoreError};

type Pool = sqlx::Pool<Db>;
type Conn = <Db as sqlx::Database>::Connection;

/// A store on one database of this backend.
#[derive(Debug, Clone)]
pub struct Backend {
    pool: Pool,
    /// Votes, supports and useful marks go through it, in batches.
    writer: writer::Writer,
}

impl Backend {
    /// Opens (creating if missing, where the backend can) and migrates the database at `url`.
    pub async fn connect(url: &str, durability: Durability) -> Result<Self> {
        let pool = dialect::open(url, durability).await?;
        Ok(Self {
            writer: writer::Writer::start(pool.clone()),
            pool,
        })
    }

    /// A write transaction, started the way this backend serializes writers.
    async fn write(&self) -> Result<Transaction<'static, Db>> {
        Ok(self.pool.begin_with(dialect::BEGIN_WRITE).await?)
    }

    async fn exists(&self, query: &'static str, id: &str) -> Result<bool> {
        Ok(sqlx::query_scalar(query)
            .bind(id)
            .fetch_one(&self.pool)
            .await?)
    }

    async fn count<'q, T>(&self, query: &'q str, key: T) -> Result<u64>
    where
        T: 'q + sqlx::Encode<'q, Db> + sqlx::Type<Db> + Send,
    {
        let count: i64 = sqlx::query_scalar(query)
            .bind(key)
            .fetch_one(&self.pool)
            .await?;
        Ok(count.unsigned_abs())
    }
}

#[async_trait]
impl Operations for Backend {
    fn backend(&self) -> &'static str {
        dialect::NAME
    }

    async fn ready(&self) -> Result<()> {
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(&self.pool)
                .await?;
        match dialect::MIGRATOR
            .iter()
            .find(|m| !applied.contains(&m.version))
        {
            Some(missing) => Err(StoreError::Corrupt(format!(
                "migration {} ({}) is not applied",
                missing.version, missing.description
            ))),
            None => Ok(()),
        }
    }

    fn pool_stats(&self) -> PoolStats {
        PoolStats {
            size: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
        }
    }

    async fn close(&self) {
        self.pool.close().await;
    }

    async fn backup(&self, path: &Path) -> Result<()> {
        dialect::backup(&self.pool, path).await
    }

    fn shared(&self) -> bool {
        dialect::SHARED
    }

    async fn notify(&self, payload: &str) -> Result<()> {
        dialect::notify(&self.pool, payload).await
    }

    async fn listen(&self) -> Result<Option<BoxStream<'static, String>>> {
        dialect::listen(&self.pool).await
    }
}

/// The id of the participant with this key on this site, created on first use.
async fn participant_id(conn: &mut Conn, site_id: &str, key: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO participants (site_id, key, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (site_id, key) DO UPDATE SET key = excluded.key RETURNING id",
    )
    .bind(site_id)
    .bind(key)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?)
}

/// Writes a staff action to the audit log (inside the transaction of the action).
async fn insert_audit(conn: &mut Conn, audit: &Audit) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (actor, action, target, site_id, reason, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&audit.actor)
    .bind(audit.action.as_str())
    .bind(&audit.target)
    .bind(&audit.site_id)
    .bind(&audit.reason)
    .bind(now_text())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The writer answered a write with the outcome of another kind (a bug).
fn unexpected(done: writer::HotDone) -> StoreError {
    StoreError::Corrupt(format!("the writer answered {done:?}"))
}

/// A unique violation on insert means the id is taken.
fn conflict(error: sqlx::Error, what: &str, id: &str) -> StoreError {
    match error.as_database_error() {
        Some(db) if db.is_unique_violation() => StoreError::Conflict(format!("{what} {id:?}")),
        _ => error.into(),
    }
}

/// A JSON array of ids, the one form of id list both backends can read (see
/// `dialect::id_list`).
fn id_list(ids: &[i64]) -> String {
    format!(
        "[{}]",
        ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    )
}
