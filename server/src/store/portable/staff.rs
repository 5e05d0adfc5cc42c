//! Staff of the console: accounts, roles and sessions.

use async_trait::async_trait;
use civique_api::staff::{Role, SiteRole, StaffMember};

use super::Backend;
use crate::domain::staff::{Account, NewAccount};
use crate::domain::time::now_text;
use crate::store::{Result, Staff, StoreError};

type AccountRow = (i64, String, String, String, bool, bool, Option<String>);

#[async_trait]
impl Staff for Backend {
    async fn create_account(&self, account: &NewAccount) -> Result<i64> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO staff_accounts (login, name, password_hash, endpoint_admin, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&account.login)
        .bind(&account.name)
        .bind(&account.password_hash)
        .bind(account.endpoint_admin)
        .bind(now_text())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| super::conflict(e, "staff account", &account.login))?;
        for role in &account.roles {
            sqlx::query("INSERT INTO staff_roles (account_id, site_id, role) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(&role.site_id)
                .bind(role.role.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    async fn account_by_login(&self, login: &str) -> Result<Option<Account>> {
        let row: Option<AccountRow> = sqlx::query_as(
            "SELECT id, login, name, password_hash, endpoint_admin, disabled, locked_until \
             FROM staff_accounts WHERE login = $1",
        )
        .bind(login)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(
            |(id, login, name, password_hash, endpoint_admin, disabled, locked_until)| Account {
                id,
                login,
                name,
                password_hash,
                endpoint_admin,
                disabled,
                locked_until,
            },
        ))
    }

    async fn count_failure(&self, id: i64, limit: u32, lock_until: &str) -> Result<bool> {
        let mut tx = self.write().await?;
        let failures: i64 = sqlx::query_scalar(
            "UPDATE staff_accounts SET failed_logins = failed_logins + 1 WHERE id = $1 \
             RETURNING failed_logins",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let locked = failures >= i64::from(limit);
        if locked {
            sqlx::query(
                "UPDATE staff_accounts SET failed_logins = 0, locked_until = $1 WHERE id = $2",
            )
            .bind(lock_until)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(locked)
    }

    async fn open_session(&self, id: i64, key: &str, csrf: &str, expires_at: &str) -> Result<()> {
        let mut tx = self.write().await?;
        let now = now_text();
        // Sessions past their time go as new ones open.
        sqlx::query("DELETE FROM staff_sessions WHERE expires_at <= $1")
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO staff_sessions (token_hash, account_id, csrf, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(key)
        .bind(id)
        .bind(csrf)
        .bind(&now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE staff_accounts SET failed_logins = 0, locked_until = NULL WHERE id = $1",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn session(&self, key: &str, now: &str) -> Result<Option<(StaffMember, String)>> {
        let row: Option<(i64, String, String, bool, String)> = sqlx::query_as(
            "SELECT a.id, a.login, a.name, a.endpoint_admin, s.csrf \
             FROM staff_sessions s JOIN staff_accounts a ON a.id = s.account_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT a.disabled",
        )
        .bind(key)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some((id, login, name, endpoint_admin, csrf)) = row else {
            return Ok(None);
        };
        let roles: Vec<(String, String)> = sqlx::query_as(
            "SELECT site_id, role FROM staff_roles WHERE account_id = $1 ORDER BY site_id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let sites = roles
            .into_iter()
            .map(|(site_id, role)| {
                let role = role
                    .parse::<Role>()
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok(SiteRole { site_id, role })
            })
            .collect::<Result<_>>()?;
        let member = StaffMember {
            id,
            login,
            name,
            endpoint_admin,
            sites,
        };
        Ok(Some((member, csrf)))
    }

    async fn close_session(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM staff_sessions WHERE token_hash = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn close_sessions(&self, id: i64) -> Result<u64> {
        Ok(
            sqlx::query("DELETE FROM staff_sessions WHERE account_id = $1")
                .bind(id)
                .execute(&self.pool)
                .await?
                .rows_affected(),
        )
    }
}
