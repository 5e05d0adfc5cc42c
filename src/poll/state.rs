//! The reactive state one mounted poll shares between its parts.

use civique_api::events::PollChanged;
use civique_api::{codes, PollView};
use leptos::prelude::*;

use crate::i18n::Lang;

pub use crate::ui::Phase;

/// The last message about a vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The vote was recorded (polite status).
    Recorded,
    /// The vote failed with this code (alert); the resident's selection is kept.
    Failed(String),
}

/// Signals of one mounted poll; `Copy`, so every closure can hold it.
#[derive(Debug, Clone, Copy)]
pub struct PollState {
    /// Interface language.
    pub lang: Lang,
    /// Loading, ready or failed.
    pub phase: RwSignal<Phase>,
    /// The poll as the endpoint last described it to this participant.
    pub poll: RwSignal<Option<PollView>>,
    /// Option ids currently checked in the form.
    pub selection: RwSignal<Vec<i64>>,
    /// Has the resident changed the selection since the last vote or load?
    pub dirty: RwSignal<bool>,
    /// Is a vote on its way?
    pub sending: RwSignal<bool>,
    /// Outcome of the last vote.
    pub notice: RwSignal<Option<Notice>>,
}

impl PollState {
    /// An empty state, loading.
    pub fn new(lang: Lang) -> Self {
        PollState {
            lang,
            phase: RwSignal::new(Phase::Loading),
            poll: RwSignal::new(None),
            selection: RwSignal::new(Vec::new()),
            dirty: RwSignal::new(false),
            sending: RwSignal::new(false),
            notice: RwSignal::new(None),
        }
    }

    /// Shows `view`; the form follows this participant's recorded choices unless the
    /// resident is in the middle of changing them.
    pub fn show(&self, view: PollView) {
        if !self.dirty.get_untracked() {
            self.selection.set(view.my_choices.clone());
        }
        self.poll.set(Some(view));
        // Setting a signal notifies even when the value is the same: the form would be
        // drawn again and the resident's keyboard focus lost.
        if self.phase.get_untracked() != Phase::Ready {
            self.phase.set(Phase::Ready);
        }
    }

    /// Applies a live `poll_changed`: results everyone may see replace those shown. Returns
    /// `true` when the poll shows results to this participant alone (they voted) and the
    /// number of voters moved: only the endpoint can tell those.
    pub fn apply_live(&self, changed: PollChanged) -> bool {
        match changed.results {
            Some(results) => {
                let shown = self.poll.with_untracked(|p| {
                    p.as_ref()
                        .map(|view| view.results.as_ref() == Some(&results))
                });
                // A tally equal to the one shown (the resident's own vote, echoed) changes
                // nothing: no redraw.
                if shown == Some(false) {
                    self.poll.update(|p| {
                        if let Some(view) = p {
                            view.results = Some(results);
                        }
                    });
                }
                false
            }
            None => self.poll.with_untracked(|p| {
                p.as_ref()
                    .and_then(|view| view.results.as_ref())
                    .is_some_and(|shown| shown.voters != changed.voters)
            }),
        }
    }

    /// Has the widget been unmounted? Requests that answer late must then do nothing.
    pub fn is_gone(&self) -> bool {
        self.phase.is_disposed()
    }

    /// Checks or unchecks option `id` as the resident did.
    pub fn toggle(&self, id: i64, checked: bool, single: bool) {
        self.selection.update(|s| {
            s.retain(|&o| o != id && !single);
            if checked {
                s.push(id);
            }
        });
        self.dirty.set(true);
    }

    /// Most options a vote may hold.
    pub fn max_choices(&self) -> u32 {
        self.poll
            .with_untracked(|p| p.as_ref().map_or(1, |p| p.max_choices.max(1)))
    }
}

/// The error code the endpoint would answer for `choices`, caught before sending.
pub fn check_choices(choices: &[i64], max_choices: u32) -> Option<&'static str> {
    if choices.is_empty() {
        Some(codes::NO_CHOICE)
    } else if choices.len() > max_choices as usize {
        Some(codes::TOO_MANY_CHOICES)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use civique_api::PollResults;

    #[test]
    fn choices_are_checked_before_sending() {
        assert_eq!(check_choices(&[], 1), Some("no_choice"));
        assert_eq!(check_choices(&[1, 2, 3], 2), Some("too_many_choices"));
        assert_eq!(check_choices(&[1, 2], 2), None);
    }

    fn poll(results: Option<PollResults>) -> PollView {
        PollView {
            id: "p".into(),
            site_id: "s".into(),
            question: "q".into(),
            description: None,
            kind: civique_api::PollKind::Single,
            max_choices: 1,
            options: Vec::new(),
            opens_at: None,
            closes_at: None,
            status: civique_api::PollStatus::Open,
            results_visibility: civique_api::ResultsVisibility::Always,
            participation: Default::default(),
            results,
            my_choices: Vec::new(),
        }
    }

    fn tally(voters: u64) -> PollResults {
        PollResults {
            voters,
            counts: Vec::new(),
        }
    }

    #[test]
    fn live_results_apply_without_a_request() {
        let owner = Owner::new();
        owner.with(|| {
            let state = PollState::new(Lang::Fr);
            state.show(poll(Some(tally(1))));
            let public = PollChanged {
                voters: 2,
                results: Some(tally(2)),
            };
            assert!(!state.apply_live(public));
            assert_eq!(
                state
                    .poll
                    .with_untracked(|p| p.as_ref().unwrap().results.clone()),
                Some(tally(2))
            );
            // Results this participant alone may see: only a request can refresh them.
            let voters_only = |voters| PollChanged {
                voters,
                results: None,
            };
            assert!(!state.apply_live(voters_only(2)), "their own vote, echoed");
            assert!(state.apply_live(voters_only(3)));
            state.show(poll(None));
            assert!(!state.apply_live(voters_only(4)), "no results shown");
        });
    }

    #[test]
    fn single_choice_replaces_multiple_adds() {
        let owner = Owner::new();
        owner.with(|| {
            let state = PollState::new(Lang::Fr);
            state.toggle(1, true, true);
            state.toggle(2, true, true);
            assert_eq!(state.selection.get_untracked(), vec![2]);
            state.toggle(1, true, false);
            state.toggle(2, false, false);
            assert_eq!(state.selection.get_untracked(), vec![1]);
            assert!(state.dirty.get_untracked());
        });
    }
}
