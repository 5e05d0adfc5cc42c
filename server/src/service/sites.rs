//! Sites: created by staff or by the configuration file.

use civique_api::{AuditAction, SiteInput};

use super::{Result, Service};
use crate::domain::audit::{Actor, Audit, Target};
use crate::domain::site::check_site;
use crate::domain::Error as Refusal;

impl Service {
    /// Validates and stores a new site.
    pub async fn create_site(&self, actor: &Actor, site: &SiteInput) -> Result<()> {
        check_site(site).map_err(Refusal::InvalidInput)?;
        let audit = Audit::new(
            actor,
            AuditAction::Create,
            Target::Site(site.id.clone()),
            &site.id,
        );
        self.store.create_site(site, &audit).await?;
        self.catalog.forget_origins();
        Ok(())
    }

    /// Creates or updates the sites the configuration file lists (checked when it loaded).
    pub async fn apply_configured_sites(&self, sites: &[SiteInput]) -> Result<()> {
        for site in sites {
            self.store.upsert_site(site).await?;
        }
        self.catalog.forget_origins();
        Ok(())
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
