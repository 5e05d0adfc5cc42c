//! A site's staff, as its administrators run it: who has which role, invitations (one-time
//! links), disabling and enabling accounts.

use civique_api::staff::{limits, InvitationView, Role, StaffMember, Team};
use civique_api::AuditAction;
use time::{Duration, OffsetDateTime};

use super::staff::{checked_name, new_password_hash, role_on};
use super::{random_hex, Result, Service};
use crate::domain::audit::{Actor, Audit, Target};
use crate::domain::staff::{self, Invitation, Joining, NewInvitation};
use crate::domain::time::{format_time, now_text};
use crate::domain::Error as Refusal;

/// Refused unless `member` administers `site`.
pub(super) fn require_site_admin(member: &StaffMember, site: &str) -> Result<()> {
    match role_on(member, site) {
        Some(Role::Admin) => Ok(()),
        Some(Role::Moderator) => Err(Refusal::AdminOnly.into()),
        None => Err(Refusal::NotStaffOf.into()),
    }
}

impl Service {
    /// The staff of `site` and its pending invitations, for its administrators.
    pub async fn team(&self, member: &StaffMember, site: &str) -> Result<Team> {
        require_site_admin(member, site)?;
        Ok(Team {
            members: self.store.site_staff(site).await?,
            invitations: self.store.pending_invitations(site, &now_text()).await?,
        })
    }

    /// Invites `login` to `role` on `site`, as one of its administrators: the token of a
    /// one-time link, valid [`limits::INVITATION_DAYS`] days (the endpoint keeps its hash
    /// only). A new invitation to the same login replaces the earlier one.
    pub async fn invite(
        &self,
        member: &StaffMember,
        site: &str,
        login: &str,
        role: Role,
    ) -> Result<String> {
        require_site_admin(member, site)?;
        let login = staff::normalize_login(login).map_err(Refusal::InvalidInput)?;
        let token = random_hex::<32>()?;
        let expires = OffsetDateTime::now_utc() + Duration::days(limits::INVITATION_DAYS.into());
        let actor = Actor::Staff(member.login.clone());
        let audit = Audit::new(
            &actor,
            AuditAction::Invite,
            Target::Staff(login.clone()),
            site,
        )
        .because(Some(role.as_str().to_owned()));
        let invitation = NewInvitation {
            key: staff::session_key(&token),
            invitation: Invitation {
                site_id: site.to_owned(),
                login,
                role,
            },
            invited_by: actor.to_string(),
            expires_at: format_time(expires),
        };
        self.store.create_invitation(&invitation, &audit).await?;
        Ok(token)
    }

    /// What the invitation link `token` opens, if it is still usable.
    pub async fn invitation(&self, token: &str) -> Result<Option<InvitationView>> {
        let Some(invitation) = self
            .store
            .invitation(&staff::session_key(token), &now_text())
            .await?
        else {
            return Ok(None);
        };
        let site = self
            .store
            .site_notice(&invitation.site_id)
            .await?
            .ok_or(Refusal::NotFound("invitation"))?;
        let existing_account = self
            .store
            .account_by_login(&invitation.login)
            .await?
            .is_some();
        Ok(Some(InvitationView {
            site_id: invitation.site_id,
            site_name: site.name,
            login: invitation.login,
            role: invitation.role,
            existing_account,
        }))
    }

    /// Uses the invitation link `token`: a new account named `name` with `password`, or,
    /// when its login already has an account, that account's `password` (checked like a
    /// sign-in) adds the role to it. The link works once.
    pub async fn accept_invitation(
        &self,
        token: &str,
        name: &str,
        password: &str,
        network: Option<&str>,
    ) -> Result<InvitationView> {
        let view = self
            .invitation(token)
            .await?
            .ok_or(Refusal::NotFound("invitation"))?;
        let existing = self.store.account_by_login(&view.login).await?;
        let joining = match existing {
            Some(account) => {
                let account = self.password_of(Some(account), password, network).await?;
                Joining::Existing(account.id)
            }
            None => Joining::New {
                name: checked_name(name)?,
                password_hash: new_password_hash(password.to_owned()).await?,
            },
        };
        let actor = Actor::Staff(view.login.clone());
        let audit = Audit::new(
            &actor,
            AuditAction::Join,
            Target::Staff(view.login.clone()),
            &view.site_id,
        )
        .because(Some(view.role.as_str().to_owned()));
        self.store
            .accept_invitation(&staff::session_key(token), &now_text(), &joining, &audit)
            .await?
            .ok_or(Refusal::NotFound("invitation"))?;
        Ok(view)
    }

    /// Disables staff account `id` (closing its sessions at once) or enables it again, as
    /// an administrator of `site`, where the account has a role. An account that also works
    /// on sites `member` does not administer, or that administers the endpoint, is left to
    /// the endpoint's administrators; no one disables themself.
    pub async fn set_account_disabled(
        &self,
        member: &StaffMember,
        site: &str,
        id: i64,
        disabled: bool,
    ) -> Result<()> {
        require_site_admin(member, site)?;
        let standing = self
            .store
            .standing(id)
            .await?
            .filter(|s| s.roles.iter().any(|role| role.site_id == site))
            .ok_or(Refusal::NotFound("staff account"))?;
        if standing.id == member.id {
            return Err(Refusal::OwnAccount.into());
        }
        let beyond = standing.endpoint_admin && !member.endpoint_admin
            || standing
                .roles
                .iter()
                .any(|role| role_on(member, &role.site_id) != Some(Role::Admin));
        if beyond {
            return Err(Refusal::BeyondSite.into());
        }
        let action = if disabled {
            AuditAction::Disable
        } else {
            AuditAction::Enable
        };
        let audit = Audit::new(
            &Actor::Staff(member.login.clone()),
            action,
            Target::Staff(standing.login),
            site,
        );
        Ok(self.store.set_disabled(id, disabled, &audit).await?)
    }
}
