//! Staff of the console: accounts, roles and sessions.

use async_trait::async_trait;
use civique_api::staff::{ApiTokenView, PendingInvitation, Role, SiteRole, SiteStaff, StaffMember};

use super::{insert_audit, Backend, Conn};
use crate::domain::audit::Audit;
use crate::domain::staff::{Account, Invitation, Joining, NewAccount, NewInvitation, Standing};
use crate::domain::time::now_text;
use crate::store::{NewApiToken, Result, Staff, StoreError};

/// A role as stored.
fn role(text: &str) -> Result<Role> {
    text.parse::<Role>()
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The roles of account `id`, by site.
async fn roles_of(pool: &super::Pool, id: i64) -> Result<Vec<SiteRole>> {
    let roles: Vec<(String, String)> = sqlx::query_as(
        "SELECT site_id, role FROM staff_roles WHERE account_id = $1 ORDER BY site_id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    roles
        .into_iter()
        .map(|(site_id, text)| {
            Ok(SiteRole {
                site_id,
                role: role(&text)?,
            })
        })
        .collect()
}

/// Gives account `id` `role` on `site_id` (or changes the role it had there).
async fn grant(conn: &mut Conn, id: i64, site_id: &str, role: Role) -> Result<()> {
    sqlx::query(
        "INSERT INTO staff_roles (account_id, site_id, role) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id, site_id) DO UPDATE SET role = excluded.role",
    )
    .bind(id)
    .bind(site_id)
    .bind(role.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Inserts an account and its roles; `Conflict` when its login is taken.
async fn insert_account(conn: &mut Conn, account: &NewAccount) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO staff_accounts (login, name, password_hash, endpoint_admin, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&account.login)
    .bind(&account.name)
    .bind(&account.password_hash)
    .bind(account.endpoint_admin)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| super::conflict(e, "staff account", &account.login))?;
    for role in &account.roles {
        grant(conn, id, &role.site_id, role.role).await?;
    }
    Ok(id)
}

type AccountRow = (i64, String, String, String, bool, bool, Option<String>);

#[async_trait]
impl Staff for Backend {
    async fn create_account(&self, account: &NewAccount) -> Result<i64> {
        let mut tx = self.write().await?;
        let id = insert_account(&mut tx, account).await?;
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
        let sites = roles_of(&self.pool, id).await?;
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

    async fn site_staff(&self, site_id: &str) -> Result<Vec<SiteStaff>> {
        let rows: Vec<(i64, String, String, String, bool)> = sqlx::query_as(
            "SELECT a.id, a.login, a.name, r.role, a.disabled \
             FROM staff_roles r JOIN staff_accounts a ON a.id = r.account_id \
             WHERE r.site_id = $1 ORDER BY a.login",
        )
        .bind(site_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, login, name, text, disabled)| {
                Ok(SiteStaff {
                    id,
                    login,
                    name,
                    role: role(&text)?,
                    disabled,
                })
            })
            .collect()
    }

    async fn standing(&self, id: i64) -> Result<Option<Standing>> {
        let row: Option<(String, bool, bool)> = sqlx::query_as(
            "SELECT login, endpoint_admin, disabled FROM staff_accounts WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some((login, endpoint_admin, disabled)) = row else {
            return Ok(None);
        };
        Ok(Some(Standing {
            id,
            login,
            endpoint_admin,
            disabled,
            roles: roles_of(&self.pool, id).await?,
        }))
    }

    async fn set_disabled(&self, id: i64, disabled: bool, audit: &Audit) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE staff_accounts SET disabled = $1 WHERE id = $2")
            .bind(disabled)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if disabled {
            sqlx::query("DELETE FROM staff_sessions WHERE account_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_invitation(&self, new: &NewInvitation, audit: &Audit) -> Result<()> {
        let mut tx = self.write().await?;
        let invitation = &new.invitation;
        sqlx::query("DELETE FROM staff_invitations WHERE site_id = $1 AND login = $2")
            .bind(&invitation.site_id)
            .bind(&invitation.login)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO staff_invitations \
             (token_hash, site_id, login, role, invited_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&new.key)
        .bind(&invitation.site_id)
        .bind(&invitation.login)
        .bind(invitation.role.as_str())
        .bind(&new.invited_by)
        .bind(now_text())
        .bind(&new.expires_at)
        .execute(&mut *tx)
        .await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn pending_invitations(
        &self,
        site_id: &str,
        now: &str,
    ) -> Result<Vec<PendingInvitation>> {
        let rows: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT login, role, invited_by, expires_at FROM staff_invitations \
             WHERE site_id = $1 AND expires_at > $2 ORDER BY expires_at, login",
        )
        .bind(site_id)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(login, text, invited_by, expires_at)| {
                Ok(PendingInvitation {
                    login,
                    role: role(&text)?,
                    invited_by,
                    expires_at,
                })
            })
            .collect()
    }

    async fn invitation(&self, key: &str, now: &str) -> Result<Option<Invitation>> {
        let row: Option<(String, String, String)> = sqlx::query_as(
            "SELECT site_id, login, role FROM staff_invitations \
             WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(key)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(site_id, login, text)| {
            Ok(Invitation {
                site_id,
                login,
                role: role(&text)?,
            })
        })
        .transpose()
    }

    async fn accept_invitation(
        &self,
        key: &str,
        now: &str,
        joining: &Joining,
        audit: &Audit,
    ) -> Result<Option<Invitation>> {
        let mut tx = self.write().await?;
        let row: Option<(String, String, String)> = sqlx::query_as(
            "DELETE FROM staff_invitations WHERE token_hash = $1 AND expires_at > $2 \
             RETURNING site_id, login, role",
        )
        .bind(key)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((site_id, login, text)) = row else {
            return Ok(None);
        };
        let invitation = Invitation {
            site_id,
            login,
            role: role(&text)?,
        };
        match joining {
            Joining::New {
                name,
                password_hash,
            } => {
                let account = NewAccount {
                    login: invitation.login.clone(),
                    name: name.clone(),
                    password_hash: password_hash.clone(),
                    endpoint_admin: false,
                    roles: vec![SiteRole {
                        site_id: invitation.site_id.clone(),
                        role: invitation.role,
                    }],
                };
                insert_account(&mut tx, &account).await?;
            }
            Joining::Existing(id) => {
                grant(&mut tx, *id, &invitation.site_id, invitation.role).await?;
            }
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(Some(invitation))
    }

    async fn create_api_token(&self, token: &NewApiToken, audit: &Audit) -> Result<i64> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (token_hash, site_id, name, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&token.key)
        .bind(&token.site_id)
        .bind(&token.name)
        .bind(&token.created_by)
        .bind(now_text())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| super::conflict(e, "API token", &token.name))?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn api_tokens(&self, site_id: &str) -> Result<Vec<ApiTokenView>> {
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT id, name, created_by, created_at FROM api_tokens \
             WHERE site_id = $1 ORDER BY name, id",
        )
        .bind(site_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, created_by, created_at)| ApiTokenView {
                id,
                name,
                created_by,
                created_at,
            })
            .collect())
    }

    async fn api_token(&self, key: &str) -> Result<Option<(String, String)>> {
        Ok(
            sqlx::query_as("SELECT site_id, name FROM api_tokens WHERE token_hash = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn revoke_api_token(
        &self,
        site_id: &str,
        id: i64,
        audit: &(dyn Fn(String) -> Audit + Sync),
    ) -> Result<bool> {
        let mut tx = self.write().await?;
        let name: Option<String> = sqlx::query_scalar(
            "DELETE FROM api_tokens WHERE id = $1 AND site_id = $2 RETURNING name",
        )
        .bind(id)
        .bind(site_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(name) = name else {
            return Ok(false);
        };
        insert_audit(&mut tx, &audit(name)).await?;
        tx.commit().await?;
        Ok(true)
    }
}
