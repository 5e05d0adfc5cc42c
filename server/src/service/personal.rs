//! "Mes données": a resident sees, exports and erases their contributions on a site.

use civique_api::comments::events as comment_events;
use civique_api::proposals::events as proposal_events;
use civique_api::{Erasure, MyData};

use super::{random_hex, Caller, Result, Service};
use crate::domain::personal::ERASED_KEY_PREFIX;
use crate::domain::retention::{cutoff, Retained};
use crate::domain::site::Notice;
use crate::domain::time::format_time;
use crate::domain::Error as Refusal;

impl Service {
    /// The participant key of the caller on `site_id`, once the site is known and allows
    /// the caller's origin.
    async fn own_key(&self, caller: &Caller, site_id: &str) -> Result<String> {
        if !self.store.site_exists(site_id).await? {
            return Err(Refusal::NotFound("site").into());
        }
        self.check_origin(caller, site_id).await?;
        self.participant(caller, site_id).await
    }

    /// What the privacy link of `site_id`'s widgets shows (anyone may read it).
    pub async fn privacy_notice(&self, site_id: &str) -> Result<Notice> {
        Ok(self
            .store
            .site_notice(site_id)
            .await?
            .ok_or(Refusal::NotFound("site"))?)
    }

    /// Everything the caller's token contributed on `site_id`.
    pub async fn my_data(&self, caller: &Caller, site_id: &str) -> Result<MyData> {
        let key = self.own_key(caller, site_id).await?;
        Ok(self.store.personal_data(site_id, &key).await?)
    }

    /// Erases the caller's contributions on `site_id` (see
    /// [`crate::store::Personal::erase_personal`]); viewers stop seeing the erased comments
    /// and proposals.
    pub async fn erase_my_data(&self, caller: &Caller, site_id: &str) -> Result<Erasure> {
        let key = self.own_key(caller, site_id).await?;
        let erased_key = format!("{ERASED_KEY_PREFIX}{}", random_hex::<32>()?);
        let erased = self
            .store
            .erase_personal(site_id, &key, &erased_key)
            .await?;
        // Proposal threads carry their proposal's title, now erased.
        self.catalog.forget_threads();
        for (thread, id) in &erased.comments {
            self.comment_signal(thread, comment_events::COMMENT_REMOVED, *id)
                .await?;
        }
        for (b, id) in &erased.proposals {
            self.proposal_signal(b, proposal_events::PROPOSAL_REMOVED, *id);
        }
        Ok(erased.counts)
    }

    /// Erases the personal data of every site's widgets closed for longer than the site's
    /// retention period (see [`crate::store::Personal::erase_closed`]); the scheduled task
    /// runs it. Returns what each site had erased, sites with nothing to erase left out.
    pub async fn apply_retention(&self) -> Result<Vec<(String, Retained)>> {
        let now = time::OffsetDateTime::now_utc();
        let mut done = Vec::new();
        for (site, months) in self.store.retention_periods().await? {
            let before = format_time(cutoff(now, months));
            let retained = self.store.erase_closed(&site, &before, months).await?;
            if retained.any() {
                tracing::info!(
                    site,
                    reason = retained.reason(months),
                    "personal data erased"
                );
                done.push((site, retained));
            }
        }
        Ok(done)
    }
}
