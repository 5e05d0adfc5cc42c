//! The audit log and the token buckets of rate limits.

use async_trait::async_trait;
use civique_api::{AuditAction, AuditEntry};

use super::Backend;
use crate::store::rows::{convert, AuditRow};
use crate::store::{Records, Result};

#[async_trait]
impl Records for Backend {
    async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        let rows: Vec<AuditRow> = sqlx::query_as(
            "SELECT id, actor, action, target, site_id, reason, at FROM audit_log \
             ORDER BY id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        convert(rows)
    }

    async fn site_audit(
        &self,
        site_id: &str,
        actor: Option<&str>,
        action: Option<AuditAction>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>> {
        let rows: Vec<AuditRow> = sqlx::query_as(
            "SELECT id, actor, action, target, site_id, reason, at FROM audit_log \
             WHERE site_id = $1 AND ($2 IS NULL OR actor = $2) AND ($3 IS NULL OR action = $3) \
             ORDER BY id DESC LIMIT $4",
        )
        .bind(site_id)
        .bind(actor)
        .bind(action.map(AuditAction::as_str))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        convert(rows)
    }

    async fn take_token(&self, key: &str, per_minute: u32, now_ms: i64) -> Result<bool> {
        // One statement, atomic on both backends: refill by the time elapsed, capped at the
        // capacity, then take a token if one is left. No row comes back when none is.
        let refilled = refilled("rate_buckets.", "$2");
        let taken: Option<f64> = sqlx::query_scalar(&format!(
            "INSERT INTO rate_buckets (key, tokens, at) VALUES ($1, $2 - 1, $3) \
             ON CONFLICT (key) DO UPDATE SET \
             tokens = (CASE WHEN {refilled} > $2 THEN $2 ELSE {refilled} END) - 1, at = $3 \
             WHERE {refilled} >= 1 RETURNING tokens"
        ))
        .bind(key)
        .bind(f64::from(per_minute))
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        Ok(taken.is_some())
    }

    async fn has_token(&self, key: &str, per_minute: u32, now_ms: i64) -> Result<bool> {
        let empty: Option<i32> = sqlx::query_scalar(&format!(
            "SELECT 1 FROM rate_buckets WHERE key = $1 AND {} < 1",
            // Typed here: no column tells PostgreSQL what $2 is.
            refilled("", "CAST($2 AS DOUBLE PRECISION)")
        ))
        .bind(key)
        .bind(f64::from(per_minute))
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        Ok(empty.is_none())
    }

    async fn secret(&self, name: &str, fresh: &str) -> Result<String> {
        sqlx::query(
            "INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(fresh)
        .execute(&self.pool)
        .await?;
        let value = sqlx::query_scalar("SELECT value FROM secrets WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        Ok(value)
    }

    async fn forget_buckets(&self, before_ms: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM rate_buckets WHERE at < $1")
            .bind(before_ms)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

/// The tokens of a bucket row (its columns prefixed by `table`) refilled up to `$3` at
/// `rate` a minute, before the cap.
fn refilled(table: &str, rate: &str) -> String {
    format!("{table}tokens + ($3 - {table}at) * {rate} / 60000.0")
}
