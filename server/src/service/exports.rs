//! Open-data exports of a site's widgets, and the list of its widgets, for its staff.

use civique_api::exports::{
    BoxExport, CommentExport, ExportFormat, OptionExport, PollExport, ProposalExport, SiteWidgets,
    ThreadExport, WidgetKind,
};
use civique_api::staff::StaffMember;
use civique_api::{PollResults, Visibility};

use super::staff::role_on;
use super::{found, Result, Service};
use crate::domain::audit::Actor;
use crate::domain::export::{self, BOX_SCHEMA, POLL_SCHEMA, THREAD_SCHEMA};
use crate::domain::time::now_text;
use crate::domain::Error as Refusal;

/// Refused unless `member` has a role on `site`: the actor of what they list there.
pub(super) fn staff_of(member: &StaffMember, site: &str) -> Result<Actor> {
    role_on(member, site).ok_or(Refusal::NotStaffOf)?;
    Ok(Actor::Staff(member.login.clone()))
}

/// `item` if it belongs to `site` (another site's is not found there).
pub(super) fn on_site<T>(
    item: Option<T>,
    site_of: impl Fn(&T) -> &str,
    site: &str,
    what: &'static str,
) -> Result<T> {
    found(item.filter(|item| site_of(item) == site), what)
}

impl Service {
    /// The polls, threads and boxes of `site`, for its staff.
    pub async fn site_widgets(&self, member: &StaffMember, site: &str) -> Result<SiteWidgets> {
        let actor = staff_of(member, site)?;
        Ok(SiteWidgets {
            polls: self.list_polls(&actor, Some(site)).await?,
            threads: self.list_threads(&actor, Some(site)).await?,
            boxes: self.list_boxes(&actor, Some(site)).await?,
        })
    }

    /// Widget `id` of `site` as an open-data file in `format`, for the site's staff.
    pub async fn export(
        &self,
        member: &StaffMember,
        site: &str,
        kind: WidgetKind,
        id: &str,
    ) -> Result<Export> {
        staff_of(member, site)?;
        Ok(match kind {
            WidgetKind::Poll => Export::Poll(self.poll_export(site, id).await?),
            WidgetKind::Thread => Export::Thread(self.thread_export(site, id).await?),
            WidgetKind::Box => Export::Box(self.box_export(site, id).await?),
        })
    }

    async fn poll_export(&self, site: &str, id: &str) -> Result<PollExport> {
        let poll = on_site(self.store.poll(id).await?, |p| &p.site_id, site, "poll")?;
        let view = self.staff_poll_view(&poll).await?;
        // Staff views always hold the results.
        let results = view.results.unwrap_or(PollResults {
            voters: 0,
            counts: Vec::new(),
        });
        let options = view
            .options
            .iter()
            .map(|option| OptionExport {
                id: option.id,
                label: option.label.clone(),
                votes: results
                    .counts
                    .iter()
                    .find(|count| count.option_id == option.id)
                    .map_or(0, |count| count.votes),
            })
            .collect();
        Ok(PollExport {
            schema: POLL_SCHEMA.to_owned(),
            id: view.id,
            site_id: view.site_id,
            question: view.question,
            description: view.description,
            status: view.status,
            opens_at: view.opens_at,
            closes_at: view.closes_at,
            max_choices: view.max_choices,
            voters: results.voters,
            options,
            exported_at: now_text(),
        })
    }

    async fn thread_export(&self, site: &str, id: &str) -> Result<ThreadExport> {
        let thread = on_site(self.store.thread(id).await?, |t| &t.site_id, site, "thread")?;
        let comments = self
            .store
            .published_comments(&thread.id)
            .await?
            .into_iter()
            .map(|c| CommentExport {
                id: c.id,
                parent_id: c.parent_id,
                created_at: c.created_at,
                edited_at: c.edited_at,
                official: c.official,
                useful: c.useful,
                text: c.text,
            })
            .collect();
        Ok(ThreadExport {
            schema: THREAD_SCHEMA.to_owned(),
            id: thread.id,
            site_id: thread.site_id,
            title: thread.title,
            locked: thread.locked,
            comments,
            exported_at: now_text(),
        })
    }

    async fn box_export(&self, site: &str, id: &str) -> Result<BoxExport> {
        let b = self.load_box(id).await?;
        let b = on_site(Some(b), |b| &b.site_id, site, "box")?;
        let proposals = self
            .store
            .staff_proposals(&b.id, Some(Visibility::Published))
            .await?
            .into_iter()
            .map(|p| ProposalExport {
                id: p.id,
                created_at: p.created_at,
                title: p.title,
                text: p.text,
                category: p.category,
                place: p.place,
                status: p.status,
                duplicate_of: p.duplicate_of,
                answer: p.answer,
                answered_at: p.answered_at,
                supports: p.supports,
            })
            .collect();
        Ok(BoxExport {
            schema: BOX_SCHEMA.to_owned(),
            id: b.id,
            site_id: b.site_id,
            title: b.title,
            proposals,
            exported_at: now_text(),
        })
    }
}

/// One widget's export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Export {
    Poll(PollExport),
    Thread(ThreadExport),
    Box(BoxExport),
}

impl Export {
    /// The file in `format`.
    pub fn file(&self, format: ExportFormat) -> String {
        let json = |result: serde_json::Result<String>| result.unwrap_or_default();
        match (self, format) {
            (Self::Poll(poll), ExportFormat::Csv) => export::poll_csv(poll),
            (Self::Thread(thread), ExportFormat::Csv) => export::thread_csv(thread),
            (Self::Box(b), ExportFormat::Csv) => export::box_csv(b),
            (Self::Poll(poll), ExportFormat::Json) => json(serde_json::to_string_pretty(poll)),
            (Self::Thread(thread), ExportFormat::Json) => {
                json(serde_json::to_string_pretty(thread))
            }
            (Self::Box(b), ExportFormat::Json) => json(serde_json::to_string_pretty(b)),
        }
    }
}
