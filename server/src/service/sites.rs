//! Sites: created by staff or by the configuration file.

use civique_api::staff::StaffMember;
use civique_api::{AuditAction, Participation, SiteInput, SsoParticipant};

use super::team::require_site_admin;
use super::{expiry_time, found, now_secs, Caller, Result, Service};
use crate::domain::audit::{Actor, Audit, Target};
use crate::domain::site::check_site;
use crate::domain::sso::{self, Problem};
use crate::domain::Error as Refusal;
use crate::store::Nonce;

impl Service {
    /// Validates and stores a new site.
    pub async fn create_site(&self, actor: &Actor, site: &SiteInput) -> Result<()> {
        actor.may_act_on_endpoint()?;
        check_site(site).map_err(Refusal::InvalidInput)?;
        let audit = Audit::new(
            actor,
            AuditAction::Create,
            Target::Site(site.id.clone()),
            &site.id,
        );
        self.store.create_site(site, &audit).await?;
        self.catalog.forget_sites();
        Ok(())
    }

    /// Creates or updates the sites the configuration file lists (checked when it loaded).
    pub async fn apply_configured_sites(&self, sites: &[SiteInput]) -> Result<()> {
        for site in sites {
            self.store.upsert_site(site).await?;
        }
        self.catalog.forget_sites();
        Ok(())
    }

    /// Creates `site` as `member`, an administrator of the endpoint (a site's own
    /// administrators may not). Audited.
    pub async fn create_site_as(&self, member: &StaffMember, site: &SiteInput) -> Result<()> {
        if !member.endpoint_admin {
            return Err(Refusal::EndpointAdminOnly.into());
        }
        self.create_site(&Actor::Staff(member.login.clone()), site)
            .await
    }

    /// Every site's id and name, for the endpoint's administrators.
    pub async fn all_sites(&self, member: &StaffMember) -> Result<Vec<(String, String)>> {
        if !member.endpoint_admin {
            return Err(Refusal::EndpointAdminOnly.into());
        }
        Ok(self.store.site_names().await?)
    }

    /// Site `id`'s definition as stored (without its account secret), for its
    /// administrators.
    pub async fn site_definition(&self, member: &StaffMember, id: &str) -> Result<SiteInput> {
        require_site_admin(member, id)?;
        found(self.store.site_definition(id).await?, "site")
    }

    /// Replaces the name, settings and origins of site `site.id`, as one of its
    /// administrators; its account secret stays as it is. Widgets see the change at once on
    /// this instance, within two seconds on others.
    pub async fn update_site(&self, member: &StaffMember, mut site: SiteInput) -> Result<()> {
        require_site_admin(member, &site.id)?;
        site.sso_secret = found(self.store.sso_secret(&site.id).await?, "site")?;
        check_site(&site).map_err(Refusal::InvalidInput)?;
        let actor = Actor::Staff(member.login.clone());
        let audit = Audit::new(
            &actor,
            AuditAction::Update,
            Target::Site(site.id.clone()),
            &site.id,
        );
        let updated = self.store.update_site(&site, &audit).await?;
        self.catalog.forget_sites();
        if updated {
            Ok(())
        } else {
            Err(Refusal::NotFound("site").into())
        }
    }

    /// Exchanges the site's website's signed `token` for its logged-in user (see
    /// [`crate::domain::sso`]) for a participant token of the endpoint's own. Each token
    /// serves once: a replayed one is refused.
    pub async fn sso_exchange(
        &self,
        caller: &Caller,
        site_id: &str,
        token: &str,
    ) -> Result<SsoParticipant> {
        let secret = found(self.store.sso_secret(site_id).await?, "site")?
            .ok_or(Refusal::Sso(Problem::NotEnabled))?;
        self.check_origin(caller, site_id).await?;
        let now = now_secs();
        let claims = sso::verify(token, site_id, &secret, now).map_err(Refusal::Sso)?;
        if !self
            .store
            .spend_nonce(Nonce::SiteAccount(site_id), &claims.nonce, claims.exp, now)
            .await?
        {
            return Err(Refusal::Sso(Problem::Replayed).into());
        }
        let (participant, expires) = sso::issue(self.token_key().await?, site_id, &claims.sub, now);
        Ok(SsoParticipant {
            participant,
            participation: Participation::Site,
            name: claims.name,
            expires_at: expiry_time(expires),
        })
    }

    /// `Err(InvalidInput)` unless site `id` exists (creating something in it).
    pub(super) async fn known_site(&self, id: &str) -> Result<()> {
        if self.store.site_exists(id).await? {
            Ok(())
        } else {
            Err(Refusal::InvalidInput(format!("unknown site_id {id:?}")).into())
        }
    }
}
