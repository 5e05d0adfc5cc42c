//! Polls: reading as a participant, voting, withdrawing, watching; creating and listing as staff.

use std::sync::Arc;

use civique_api::events::{PollChanged, POLL_CHANGED};
use civique_api::{AuditAction, PollInput, PollResults, PollView};
use time::OffsetDateTime;
use tokio::sync::broadcast;

use super::{found, Caller, Result, Service};
use crate::domain::audit::{Actor, Audit, Target};
use crate::domain::poll::{NewPoll, Poll};
use crate::domain::Error as Refusal;
use crate::live::Signal;
use crate::metrics::Action;

fn topic(poll_id: &str) -> String {
    format!("poll:{poll_id}")
}

impl Service {
    /// Loads the poll, refusing callers from an origin its site does not list.
    async fn poll_for(&self, caller: &Caller, id: &str) -> Result<Arc<Poll>> {
        let poll = found(self.catalog.poll(self.store.as_ref(), id).await?, "poll")?;
        self.check_origin(caller, &poll.site_id).await?;
        Ok(poll)
    }

    /// The poll as this participant sees it (results only when visible to them).
    pub async fn poll_view(&self, caller: &Caller, id: &str) -> Result<PollView> {
        let poll = self.poll_for(caller, id).await?;
        let key = self.reader(caller, &poll.site_id).await?.key;
        self.participant_view(&poll, key.as_deref()).await
    }

    /// Casts or replaces this participant's vote.
    pub async fn vote(&self, caller: &Caller, id: &str, choices: &[i64]) -> Result<PollView> {
        let poll = self.poll_for(caller, id).await?;
        let key = self
            .participant_at(caller, &poll.site_id, poll.participation, "poll")
            .await?;
        poll.ensure_open(OffsetDateTime::now_utc())?;
        poll.check_choices(choices)?;
        self.admit(caller, &poll.site_id, &key).await?;
        let tally = self.store.cast_vote(&poll, &key, choices).await?;
        self.metrics.count(Action::Vote);
        self.poll_changed(&poll, tally.clone());
        // The voter's choices, in the poll's order, and the tally their vote committed with.
        let mine = poll
            .options
            .iter()
            .map(|option| option.id)
            .filter(|id| choices.contains(id))
            .collect();
        Ok(self.view_with(&poll, mine, tally))
    }

    /// Withdraws this participant's vote (nothing to do if there was none).
    pub async fn withdraw(&self, caller: &Caller, id: &str) -> Result<PollView> {
        let poll = self.poll_for(caller, id).await?;
        let key = self
            .participant_at(caller, &poll.site_id, poll.participation, "poll")
            .await?;
        poll.ensure_open(OffsetDateTime::now_utc())?;
        match self.store.withdraw_vote(&poll, &key).await? {
            Some(tally) => {
                self.metrics.count(Action::VoteWithdrawn);
                self.poll_changed(&poll, tally.clone());
                Ok(self.view_with(&poll, Vec::new(), tally))
            }
            None => self.participant_view(&poll, Some(&key)).await,
        }
    }

    /// The poll's live events, for a caller its site allows.
    pub async fn watch_poll(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<Option<broadcast::Receiver<Signal>>> {
        let poll = self.poll_for(caller, id).await?;
        Ok(self.watch(&topic(&poll.id)))
    }

    async fn participant_view(&self, poll: &Poll, key: Option<&str>) -> Result<PollView> {
        let my_choices = match key {
            Some(key) => self.store.my_choices(poll, key).await?,
            None => Vec::new(),
        };
        let status = poll.status(OffsetDateTime::now_utc());
        let results = if poll.results_visible(status, !my_choices.is_empty()) {
            Some(self.store.tally(&poll.id).await?)
        } else {
            None
        };
        Ok(poll.view(status, results, my_choices))
    }

    /// The view of a participant whose choices are `mine`, with a tally already read.
    fn view_with(&self, poll: &Poll, mine: Vec<i64>, tally: PollResults) -> PollView {
        let status = poll.status(OffsetDateTime::now_utc());
        let results = poll
            .results_visible(status, !mine.is_empty())
            .then_some(tally);
        poll.view(status, results, mine)
    }

    /// Tells the poll's viewers: the new tally when everyone may see it, else the number of
    /// voters only.
    fn poll_changed(&self, poll: &Poll, tally: PollResults) {
        let public = poll.results_visible(poll.status(OffsetDateTime::now_utc()), false);
        let changed = PollChanged {
            voters: tally.voters,
            results: public.then_some(tally),
        };
        self.signal(
            &topic(&poll.id),
            POLL_CHANGED,
            &changed,
            Some(POLL_CHANGED.to_owned()),
        );
    }

    /// Validates and stores a poll; returns its staff view.
    pub async fn create_poll(&self, actor: &Actor, input: PollInput) -> Result<PollView> {
        let new = NewPoll::from_input(input).map_err(Refusal::InvalidInput)?;
        actor.may_act_on(&new.site_id)?;
        self.known_site(&new.site_id).await?;
        let audit = Audit::new(
            actor,
            AuditAction::Create,
            Target::Poll(new.id.clone()),
            &new.site_id,
        );
        let poll = self.store.create_poll(&new, &audit).await?;
        self.staff_poll_view(&poll).await
    }

    /// Every poll `actor` may see (of `site` when given), with results: staff always see
    /// them.
    pub async fn list_polls(&self, actor: &Actor, site: Option<&str>) -> Result<Vec<PollView>> {
        let mut views = Vec::new();
        for poll in self.store.list_polls(actor.listing(site)?).await? {
            views.push(self.staff_poll_view(&poll).await?);
        }
        Ok(views)
    }

    pub(super) async fn staff_poll_view(&self, poll: &Poll) -> Result<PollView> {
        let status = poll.status(OffsetDateTime::now_utc());
        Ok(poll.view(status, Some(self.store.tally(&poll.id).await?), Vec::new()))
    }

    /// Whether poll `id` exists (the seed import skips existing ones).
    pub async fn poll_exists(&self, id: &str) -> Result<bool> {
        Ok(self.store.poll(id).await?.is_some())
    }
}
