//! Proposal boxes: listings, search, similar titles, submitting, supporting and watching as
//! residents; boxes, the moderation queue, decisions and moderation as staff.

use civique_api::proposals::events::{self, ProposalEvent, SupportsChanged};
use civique_api::proposals::limits;
use civique_api::{
    AuditAction, BoxEvent, BoxInput, BoxPatch, BoxView, ProposalAction, ProposalInput,
    ProposalModeration, ProposalPage, ProposalSort, ProposalStatus, ProposalView, SimilarList,
    StatusInput, SupportView, Visibility,
};
use time::OffsetDateTime;
use tokio::sync::broadcast;

use super::{found, Caller, Reader, Result, Service};
use crate::domain::audit::{Actor, Audit, Target};
use crate::domain::email::Authored;
use crate::domain::markdown::check_markdown;
use crate::domain::moderation::{check_reason, held_for_review};
use crate::domain::proposal::{
    check_actor, search_terms, similar_terms, Proposal, ProposalBox, ProposalFilter, StatusUpdate,
};
use crate::domain::site::participant_key;
use crate::domain::Error as Refusal;
use crate::live::Signal;
use crate::metrics::Action;

fn topic(box_id: &str) -> String {
    format!("box:{box_id}")
}

/// What a listing asks for; blank values already count as absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListingQuery {
    pub sort: Option<ProposalSort>,
    pub category: Option<String>,
    pub status: Option<ProposalStatus>,
    pub q: Option<String>,
    pub page: Option<u32>,
}

/// Refuses search texts longer than the API allows.
fn check_query(q: &str) -> Result<()> {
    if q.chars().count() > limits::QUERY_MAX_LEN {
        return Err(Refusal::BadRequest(format!(
            "q is longer than {} characters",
            limits::QUERY_MAX_LEN
        ))
        .into());
    }
    Ok(())
}

/// Views of a listing (no history).
fn listed(proposals: &[Proposal]) -> Vec<ProposalView> {
    proposals.iter().map(|p| p.view(Vec::new())).collect()
}

impl Service {
    pub(super) async fn load_box(&self, id: &str) -> Result<ProposalBox> {
        found(self.store.proposal_box(id).await?, "box")
    }

    /// Loads the box, refusing origins its site does not list.
    async fn box_for(&self, caller: &Caller, id: &str) -> Result<ProposalBox> {
        let b = self.load_box(id).await?;
        self.check_origin(caller, &b.site_id).await?;
        Ok(b)
    }

    pub(super) async fn box_view(&self, b: &ProposalBox) -> Result<BoxView> {
        let count = self.store.box_count(&b.id).await?;
        Ok(b.view(OffsetDateTime::now_utc(), count))
    }

    /// A proposal with its status history.
    async fn full_view(&self, proposal: &Proposal) -> Result<ProposalView> {
        let mut histories = self.store.histories(&[proposal.id]).await?;
        Ok(proposal.view(histories.remove(&proposal.id).unwrap_or_default()))
    }

    pub(super) fn proposal_signal(&self, box_id: &str, event: &str, id: i64) {
        self.signal(&topic(box_id), event, &ProposalEvent { id }, None);
    }

    pub async fn proposal_box(&self, caller: &Caller, id: &str) -> Result<BoxView> {
        let b = self.box_for(caller, id).await?;
        self.box_view(&b).await
    }

    /// A page of published proposals, filtered, searched and sorted.
    pub async fn list_proposals(
        &self,
        caller: &Caller,
        id: &str,
        query: ListingQuery,
    ) -> Result<ProposalPage> {
        let b = self.box_for(caller, id).await?;
        let me = self.reader(caller, &b.site_id).await?.id;
        let page = query.page.unwrap_or(1);
        if page == 0 {
            return Err(Refusal::BadRequest("page starts at 1".to_owned()).into());
        }
        let category = query
            .category
            .map(|category| b.known_category(&category))
            .transpose()?;
        if let Some(q) = &query.q {
            check_query(q)?;
        }
        let filter = ProposalFilter {
            sort: query.sort.unwrap_or_default(),
            category,
            status: query.status,
            search: query.q.as_deref().and_then(search_terms),
        };
        let (count, proposals) = self.store.list_proposals(&b.id, &filter, me, page).await?;
        let pages = count.div_ceil(limits::PAGE_SIZE as u64).max(1);
        Ok(ProposalPage {
            count,
            page,
            pages: u32::try_from(pages).unwrap_or(u32::MAX),
            proposals: listed(&proposals),
        })
    }

    /// Up to three published proposals whose words look like a title being typed.
    pub async fn similar_proposals(
        &self,
        caller: &Caller,
        id: &str,
        q: &str,
    ) -> Result<SimilarList> {
        let b = self.box_for(caller, id).await?;
        check_query(q)?;
        let proposals = match similar_terms(q) {
            Some(terms) => {
                let me = self.reader(caller, &b.site_id).await?.id;
                let titles = self.catalog.titles(&*self.store, &b).await?;
                let best = titles.best(&terms.words, limits::SIMILAR_MAX);
                let mut found = if best.is_empty() {
                    Vec::new()
                } else {
                    self.store.proposals_in(&best, me).await?
                };
                found.retain(|p| p.visibility == Visibility::Published);
                if found.len() < limits::SIMILAR_MAX {
                    // Too few titles match: descriptions may (the database's own search).
                    for p in self.store.similar_proposals(&b.id, &terms, me).await? {
                        if found.len() < limits::SIMILAR_MAX && found.iter().all(|f| f.id != p.id) {
                            found.push(p);
                        }
                    }
                }
                found
            }
            None => Vec::new(),
        };
        Ok(SimilarList {
            proposals: listed(&proposals),
        })
    }

    /// A resident's proposal (or question): moderated, screened, rate limited.
    pub async fn submit_proposal(
        &self,
        caller: &Caller,
        id: &str,
        input: ProposalInput,
    ) -> Result<ProposalView> {
        let b = self.box_for(caller, id).await?;
        let key = self
            .participant_at(caller, &b.site_id, b.participation, "proposal box")
            .await?;
        b.ensure_open(OffsetDateTime::now_utc())?;
        let new = b.check_proposal(input)?;
        let screened = [
            new.title.as_str(),
            &new.text,
            new.place.as_deref().unwrap_or(""),
        ]
        .join("\n");
        let settings = self
            .store
            .site_settings(&b.site_id)
            .await?
            .unwrap_or_default();
        let held = held_for_review(&settings, &screened)?;
        let visibility = if b.pre_moderation || held {
            Visibility::Pending
        } else {
            Visibility::Published
        };
        self.admit(caller, &b.site_id, &key).await?;
        self.allow(
            "proposal",
            self.settings.proposals,
            &b.id,
            &key,
            &b.site_id,
            caller.network.as_deref(),
        )
        .await?;
        let id = self
            .store
            .insert_proposal(&b, &new, Some(&key), visibility)
            .await?;
        self.metrics.count(Action::Proposal);
        if visibility == Visibility::Published {
            self.proposal_signal(&b.id, events::PROPOSAL_CREATED, id);
        }
        let me = self.store.find_participant(&b.site_id, &key).await?;
        let proposal = found(self.store.proposal(id, me).await?, "proposal")?;
        self.full_view(&proposal).await
    }

    /// A proposal's box and the proposal as the caller sees it: published ones, and pending
    /// ones to their author only; anything else is not found.
    async fn proposal_for(
        &self,
        caller: &Caller,
        id: i64,
    ) -> Result<(ProposalBox, Proposal, Reader)> {
        let box_id = found(self.store.proposal(id, None).await?, "proposal")?.box_id;
        let b = self.box_for(caller, &box_id).await?;
        let reader = self.reader(caller, &b.site_id).await?;
        let proposal = self
            .store
            .proposal(id, reader.id)
            .await?
            .filter(Proposal::visible_to_reader);
        Ok((b, found(proposal, "proposal")?, reader))
    }

    /// One proposal with its answer and history.
    pub async fn proposal(&self, caller: &Caller, id: i64) -> Result<ProposalView> {
        let (_, proposal, _) = self.proposal_for(caller, id).await?;
        self.full_view(&proposal).await
    }

    /// Adds or withdraws this participant's support (or upvote).
    pub async fn set_support(
        &self,
        caller: &Caller,
        id: i64,
        support: bool,
    ) -> Result<SupportView> {
        let (b, proposal, reader) = self.proposal_for(caller, id).await?;
        let key = self
            .participant_at(caller, &b.site_id, b.participation, "proposal box")
            .await?;
        if proposal.visibility != Visibility::Published {
            return Err(Refusal::NotFound("proposal").into());
        }
        b.ensure_open(OffsetDateTime::now_utc())?;
        if support && reader.id.is_none() {
            self.newcomer(caller, &b.site_id).await?;
        }
        let change = self.store.set_support(&b, id, &key, support).await?;
        match (change.changed, support) {
            (false, true) => return Err(Refusal::AlreadySupported.into()),
            (false, false) => return Err(Refusal::NotSupported.into()),
            (true, true) => self.metrics.count(Action::Support),
            (true, false) => self.metrics.count(Action::SupportWithdrawn),
        }
        self.signal(
            &topic(&b.id),
            events::SUPPORTS_CHANGED,
            &SupportsChanged {
                id,
                supports: change.supports,
            },
            Some(format!("supports:{id}")),
        );
        if change.crossed {
            self.proposal_signal(&b.id, events::THRESHOLD_REACHED, id);
        }
        Ok(SupportView {
            id,
            supports: change.supports,
            my_support: support,
            threshold_reached_at: change.threshold_reached_at,
        })
    }

    /// The box's live events, for a caller its site allows.
    pub async fn watch_box(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<Option<broadcast::Receiver<Signal>>> {
        let b = self.box_for(caller, id).await?;
        Ok(self.watch(&topic(&b.id)))
    }

    /// Validates and stores a box.
    pub async fn create_box(&self, actor: &Actor, input: BoxInput) -> Result<BoxView> {
        let b = ProposalBox::from_input(input).map_err(Refusal::InvalidInput)?;
        actor.may_act_on(&b.site_id)?;
        self.known_site(&b.site_id).await?;
        let audit = Audit::new(
            actor,
            AuditAction::Create,
            Target::Box(b.id.clone()),
            &b.site_id,
        );
        self.store.create_box(&b, &audit).await?;
        self.box_view(&b).await
    }

    /// Every box `actor` may see (of `site` when given).
    pub async fn list_boxes(&self, actor: &Actor, site: Option<&str>) -> Result<Vec<BoxView>> {
        let mut views = Vec::new();
        for b in self.store.list_boxes(actor.listing(site)?).await? {
            views.push(self.box_view(&b).await?);
        }
        Ok(views)
    }

    /// Stores a published proposal of seeded content with real supports from the seeded
    /// participants of `supporter_tokens`; returns its id.
    pub async fn seed_proposal(
        &self,
        box_id: &str,
        input: ProposalInput,
        supporter_tokens: impl Iterator<Item = String> + Send,
    ) -> Result<i64> {
        let b = self.load_box(box_id).await?;
        let new = b.check_proposal(input)?;
        let id = self
            .store
            .insert_proposal(&b, &new, None, Visibility::Published)
            .await?;
        for token in supporter_tokens {
            let key = participant_key(&b.site_id, &token);
            self.store.set_support(&b, id, &key, true).await?;
        }
        Ok(id)
    }

    /// Whether box `id` exists (the seed import skips existing ones).
    pub async fn box_exists(&self, id: &str) -> Result<bool> {
        Ok(self.store.proposal_box(id).await?.is_some())
    }

    /// Switches the moderation mode or moves the opening and closing times; audited.
    pub async fn update_box(&self, actor: &Actor, id: &str, patch: BoxPatch) -> Result<BoxView> {
        let b = self.load_box(id).await?;
        actor.may_act_on(&b.site_id)?;
        let b = b.patched(patch).map_err(Refusal::InvalidInput)?;
        let audit = Audit::new(
            actor,
            AuditAction::Update,
            Target::Box(b.id.clone()),
            &b.site_id,
        );
        self.store.save_box_settings(&b, &audit).await?;
        self.box_view(&b).await
    }

    /// Every proposal of a box (or those with `visibility`) with its history, oldest first.
    pub async fn proposal_queue(
        &self,
        actor: &Actor,
        id: &str,
        visibility: Option<Visibility>,
    ) -> Result<SimilarList> {
        let b = self.load_box(id).await?;
        actor.may_act_on(&b.site_id)?;
        let proposals = self.store.staff_proposals(&b.id, visibility).await?;
        let ids: Vec<i64> = proposals.iter().map(|p| p.id).collect();
        let mut histories = self.store.histories(&ids).await?;
        Ok(SimilarList {
            proposals: proposals
                .iter()
                .map(|p| p.view(histories.remove(&p.id).unwrap_or_default()))
                .collect(),
        })
    }

    /// The recorded events of a box (thresholds reached), oldest first.
    pub async fn box_events(&self, actor: &Actor, id: &str) -> Result<Vec<BoxEvent>> {
        let b = self.load_box(id).await?;
        actor.may_act_on(&b.site_id)?;
        Ok(self.store.box_events(&b.id).await?)
    }

    /// Records a staff decision on a proposal: status, answer, duplicate link; audited.
    pub async fn set_proposal_status(
        &self,
        actor: &Actor,
        id: i64,
        input: StatusInput,
    ) -> Result<ProposalView> {
        let proposal = found(self.store.proposal(id, None).await?, "proposal")?;
        let b = self.load_box(&proposal.box_id).await?;
        actor.may_act_on(&b.site_id)?;
        b.check_status(input.status)?;
        let duplicate_of = if input.status == ProposalStatus::Duplicate {
            let original = input
                .duplicate_of
                .filter(|&other| other != proposal.id)
                .ok_or(Refusal::InvalidDuplicate)?;
            let original = self
                .store
                .proposal(original, None)
                .await?
                .filter(|other| other.box_id == b.id)
                .ok_or(Refusal::InvalidDuplicate)?;
            Some(original.id)
        } else {
            None
        };
        let update = StatusUpdate {
            by: check_actor(input.by.as_deref())?,
            from: proposal.status,
            to: input.status,
            duplicate_of,
            answer: input
                .answer
                .as_deref()
                .map(|answer| check_markdown(answer, limits::ANSWER_MAX_LEN))
                .transpose()?,
        };
        let audit = Audit::new(actor, AuditAction::Status, Target::Proposal(id), &b.site_id)
            .because(Some(input.status.as_str().to_owned()));
        self.store.set_proposal_status(id, &update, &audit).await?;
        if let Some(answer) = input.answer.as_deref().map(str::trim) {
            self.notify_author(Authored::Proposal(id), answer).await;
        }
        if proposal.visibility == Visibility::Published {
            self.proposal_signal(&b.id, events::PROPOSAL_UPDATED, id);
        }
        let updated = found(self.store.proposal(id, None).await?, "proposal")?;
        self.full_view(&updated).await
    }

    /// Approves, hides or restores a proposal; audited.
    pub async fn moderate_proposal(
        &self,
        actor: &Actor,
        id: i64,
        input: ProposalModeration,
    ) -> Result<ProposalView> {
        let proposal = found(self.store.proposal(id, None).await?, "proposal")?;
        let b = self.load_box(&proposal.box_id).await?;
        actor.may_act_on(&b.site_id)?;
        let reason = check_reason(input.reason.as_deref())?;
        let (after, action) = match input.action {
            ProposalAction::Approve => (Visibility::Published, AuditAction::Approve),
            ProposalAction::Restore => (Visibility::Published, AuditAction::Restore),
            ProposalAction::Hide => (Visibility::Hidden, AuditAction::Hide),
        };
        let audit = Audit::new(actor, action, Target::Proposal(id), &b.site_id).because(reason);
        self.store
            .set_proposal_visibility(id, after, &audit)
            .await?;
        let was_published = proposal.visibility == Visibility::Published;
        match (was_published, after == Visibility::Published) {
            (false, true) => self.proposal_signal(&b.id, events::PROPOSAL_CREATED, id),
            (true, false) => self.proposal_signal(&b.id, events::PROPOSAL_REMOVED, id),
            _ => {}
        }
        let updated = found(self.store.proposal(id, None).await?, "proposal")?;
        self.full_view(&updated).await
    }
}
