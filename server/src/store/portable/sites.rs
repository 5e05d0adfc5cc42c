//! Sites, their origins and comment settings, and participant look-ups.

use async_trait::async_trait;
use civique_api::{SiteInput, SiteSettings};

use super::{insert_audit, Backend, Conn};
use crate::domain::audit::Audit;
use crate::domain::site::Notice;
use crate::domain::time::now_text;
use crate::store::rows::SettingsRow;
use crate::store::{Nonce, Result, Sites};

#[async_trait]
impl Sites for Backend {
    async fn create_site(&self, site: &SiteInput, audit: &Audit) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO sites (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(&site.id)
            .bind(&site.name)
            .bind(now_text())
            .execute(&mut *tx)
            .await
            .map_err(|e| super::conflict(e, "site", &site.id))?;
        save_settings(&mut tx, site).await?;
        insert_origins(&mut tx, site).await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn upsert_site(&self, site: &SiteInput) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO sites (id, name, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name",
        )
        .bind(&site.id)
        .bind(&site.name)
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        save_settings(&mut tx, site).await?;
        replace_origins(&mut tx, site).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn update_site(&self, site: &SiteInput, audit: &Audit) -> Result<bool> {
        let mut tx = self.write().await?;
        let found = sqlx::query("UPDATE sites SET name = $1 WHERE id = $2")
            .bind(&site.name)
            .bind(&site.id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if found {
            save_settings(&mut tx, site).await?;
            replace_origins(&mut tx, site).await?;
            insert_audit(&mut tx, audit).await?;
            tx.commit().await?;
        }
        Ok(found)
    }

    async fn site_names(&self) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as("SELECT id, name FROM sites ORDER BY id")
            .fetch_all(&self.pool)
            .await?)
    }

    async fn site_definition(&self, id: &str) -> Result<Option<SiteInput>> {
        let row: Option<DefinitionRow> = sqlx::query_as(
            "SELECT name, retention_months, privacy_url, auto_threads, report_threshold, \
             blocked_words, blocked_words_action FROM sites WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let origins = sqlx::query_scalar(
            "SELECT origin FROM site_origins WHERE site_id = $1 ORDER BY origin",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(Some(SiteInput {
            id: id.to_owned(),
            name: row.name,
            origins,
            sso_secret: None,
            retention_months: u32::try_from(row.retention_months).unwrap_or(u32::MAX),
            privacy_url: row.privacy_url,
            settings: row.settings.try_into()?,
        }))
    }

    async fn site_exists(&self, id: &str) -> Result<bool> {
        self.exists("SELECT EXISTS (SELECT 1 FROM sites WHERE id = $1)", id)
            .await
    }

    async fn origin_allowed(&self, origin: &str, site_id: Option<&str>) -> Result<bool> {
        Ok(sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM site_origins \
             WHERE origin = $1 AND ($2 IS NULL OR site_id = $2))",
        )
        .bind(origin)
        .bind(site_id)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn origins(&self) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as("SELECT origin, site_id FROM site_origins")
            .fetch_all(&self.pool)
            .await?)
    }

    async fn site_settings(&self, site_id: &str) -> Result<Option<SiteSettings>> {
        let row: Option<SettingsRow> = sqlx::query_as(
            "SELECT auto_threads, report_threshold, blocked_words, blocked_words_action \
             FROM sites WHERE id = $1",
        )
        .bind(site_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(SiteSettings::try_from).transpose()
    }

    async fn site_notice(&self, site_id: &str) -> Result<Option<Notice>> {
        let row: Option<(String, Option<String>, i64)> =
            sqlx::query_as("SELECT name, privacy_url, retention_months FROM sites WHERE id = $1")
                .bind(site_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(name, privacy_url, months)| Notice {
            name,
            privacy_url,
            retention_months: u32::try_from(months).unwrap_or(u32::MAX),
        }))
    }

    async fn find_participant(&self, site_id: &str, key: &str) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM participants WHERE site_id = $1 AND key = $2")
                .bind(site_id)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn sso_secret(&self, site_id: &str) -> Result<Option<Option<String>>> {
        Ok(
            sqlx::query_scalar("SELECT sso_secret FROM sites WHERE id = $1")
                .bind(site_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn spend_nonce(
        &self,
        of: Nonce<'_>,
        nonce: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<bool> {
        let (table, insert, site) = match of {
            Nonce::SiteAccount(site) => (
                "sso_nonces",
                "INSERT INTO sso_nonces (nonce, expires_at, site_id) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
                Some(site),
            ),
            Nonce::DeviceProof => (
                "device_proofs",
                "INSERT INTO device_proofs (nonce, expires_at) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
                None,
            ),
            Nonce::EmailCode => (
                "email_codes",
                "INSERT INTO email_codes (nonce, expires_at) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
                None,
            ),
        };
        let mut tx = self.write().await?;
        sqlx::query(&format!("DELETE FROM {table} WHERE expires_at <= $1"))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let mut insert = sqlx::query(insert).bind(nonce).bind(expires_at);
        if let Some(site) = site {
            insert = insert.bind(site);
        }
        let spent = insert.execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(spent == 1)
    }
}

#[derive(sqlx::FromRow)]
struct DefinitionRow {
    name: String,
    retention_months: i64,
    privacy_url: Option<String>,
    #[sqlx(flatten)]
    settings: SettingsRow,
}

/// Writes a site's comment settings, account secret, retention period and privacy notice (the site row
/// exists).
async fn save_settings(conn: &mut Conn, site: &SiteInput) -> Result<()> {
    let settings = &site.settings;
    sqlx::query(
        "UPDATE sites SET auto_threads = $1, report_threshold = $2, blocked_words = $3, \
         blocked_words_action = $4, sso_secret = $5, retention_months = $6, privacy_url = $7 \
         WHERE id = $8",
    )
    .bind(settings.auto_threads)
    .bind(i64::from(settings.report_threshold))
    .bind(settings.blocked_words.join("\n"))
    .bind(settings.blocked_words_action.as_str())
    .bind(site.sso_secret.as_deref())
    .bind(i64::from(site.retention_months))
    .bind(site.privacy_url.as_deref())
    .bind(&site.id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The site's origins become those of `site`.
async fn replace_origins(conn: &mut Conn, site: &SiteInput) -> Result<()> {
    sqlx::query("DELETE FROM site_origins WHERE site_id = $1")
        .bind(&site.id)
        .execute(&mut *conn)
        .await?;
    insert_origins(conn, site).await
}

async fn insert_origins(conn: &mut Conn, site: &SiteInput) -> Result<()> {
    for origin in &site.origins {
        sqlx::query(
            "INSERT INTO site_origins (site_id, origin) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(&site.id)
        .bind(origin)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
