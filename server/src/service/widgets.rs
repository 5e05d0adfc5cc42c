//! A site's widgets as its administrators run them from the console: closing a poll or a
//! proposal box now and reopening it, locking a discussion and unlocking it.

use civique_api::exports::WidgetKind;
use civique_api::staff::StaffMember;
use civique_api::{AuditAction, BoxPatch, ThreadPatch};

use super::exports::on_site;
use super::team::require_site_admin;
use super::{Result, Service};
use crate::domain::audit::{Actor, Audit, Target};
use crate::domain::time::now_text;
use crate::domain::Error as Refusal;

impl Service {
    /// Opens widget `id` of `site` to residents again (`open`) or closes it now, as one of
    /// the site's administrators: a poll or a box closes now or reopens without an end, a
    /// discussion is locked or unlocked. Audited.
    pub async fn set_widget_open(
        &self,
        member: &StaffMember,
        site: &str,
        kind: WidgetKind,
        id: &str,
        open: bool,
    ) -> Result<()> {
        require_site_admin(member, site)?;
        let actor = Actor::Staff(member.login.clone());
        let action = if open {
            AuditAction::Reopen
        } else {
            AuditAction::Close
        };
        let closes_at = (!open).then(now_text);
        match kind {
            WidgetKind::Poll => {
                let poll = on_site(self.store.poll(id).await?, |p| &p.site_id, site, "poll")?;
                let audit = Audit::new(&actor, action, Target::Poll(poll.id.clone()), site);
                self.store
                    .set_poll_closes_at(&poll.id, closes_at.as_deref(), &audit)
                    .await?;
                self.catalog.forget_polls();
            }
            WidgetKind::Thread => {
                on_site(self.store.thread(id).await?, |t| &t.site_id, site, "thread")?;
                let patch = ThreadPatch {
                    locked: Some(!open),
                    pre_moderation: None,
                };
                self.update_thread(&actor, id, patch).await?;
            }
            WidgetKind::Box => {
                let b = on_site(Some(self.load_box(id).await?), |b| &b.site_id, site, "box")?;
                let patch = BoxPatch {
                    closes_at: Some(closes_at.unwrap_or_default()),
                    ..BoxPatch::default()
                };
                let b = b.patched(patch).map_err(Refusal::InvalidInput)?;
                let audit = Audit::new(&actor, action, Target::Box(b.id.clone()), site);
                self.store.save_box_settings(&b, &audit).await?;
            }
        }
        Ok(())
    }
}
