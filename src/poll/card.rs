//! The poll's markup, drawn from a [`PollState`]; the network lives in [`super::Poll`].

use civique_api::{PollKind, PollStatus, ResultsVisibility};
use leptos::callback::{Callable, Callback};
use leptos::prelude::*;

use super::{Notice, Phase, PollState, Results};
use crate::i18n::{Lang, Text};
use crate::ui::{unique_id, Failure};

/// A whole poll widget: its root element, the question, the form or the final results,
/// and live messages.
#[component]
pub fn PollCard(
    /// The state to draw.
    state: PollState,
    /// Called when the resident submits the form.
    #[prop(into)]
    on_submit: Callback<()>,
    /// Called when the resident asks to reload a poll that failed to load.
    #[prop(into)]
    on_retry: Callback<()>,
) -> impl IntoView {
    let lang = state.lang;
    let status = Memo::new(move |_| state.poll.with(|p| p.as_ref().map(|p| p.status)));
    let body = move || match state.phase.get() {
        Phase::Loading => {
            view! { <p class="civique-loading">{lang.text(Text::Loading)}</p> }.into_any()
        }
        Phase::Failed(error) => {
            let message = if error.is_transient() {
                lang.text(Text::Unreachable).to_owned()
            } else {
                lang.error(error.code(), 1)
            };
            view! {
                <Failure
                    message
                    retry=error.is_transient()
                    on_retry
                    retry_text=lang.text(Text::Retry)
                />
            }
            .into_any()
        }
        Phase::Ready => view! {
            {move || match status.get() {
                Some(PollStatus::Open) => view! { <PollForm state on_submit /> }.into_any(),
                _ => view! { <PollSummary state /> }.into_any(),
            }}
            <HiddenResultsNote state />
            <PollResults state />
            <Notices state />
        }
        .into_any(),
    };
    view! {
        <div
            class="civique-poll"
            part="poll"
            lang=lang.tag()
            data-state=move || state.phase.with(Phase::data_state)
            data-status=move || status.get().map(PollStatus::as_str)
        >
            {body}
        </div>
    }
}

/// The question and the optional description, as plain text of the given poll.
fn question(state: PollState) -> (Signal<String>, Signal<Option<String>>) {
    (
        Signal::derive(move || {
            state
                .poll
                .with(|p| p.as_ref().map(|p| p.question.clone()))
                .unwrap_or_default()
        }),
        Signal::derive(move || {
            state
                .poll
                .with(|p| p.as_ref().and_then(|p| p.description.clone()))
        }),
    )
}

fn description(text: Signal<Option<String>>, id: String) -> impl IntoView {
    move || {
        text.get()
            .map(|d| view! { <p class="civique-description" id=id.clone()>{d}</p> })
    }
}

/// An open poll: the form with one native input per option.
#[component]
fn PollForm(state: PollState, on_submit: Callback<()>) -> impl IntoView {
    let lang = state.lang;
    let id = unique_id();
    let (question, desc) = question(state);
    let shape = Memo::new(move |_| {
        state.poll.with(|p| {
            p.as_ref().map(|p| {
                (
                    p.kind,
                    p.max_choices,
                    p.options.clone(),
                    p.closes_at.clone(),
                )
            })
        })
    });
    let single = move || shape.with(|s| s.as_ref().is_none_or(|s| s.0 == PollKind::Single));
    let hint_id = format!("{id}-hint");
    let desc_id = format!("{id}-desc");
    let described_by = {
        let (hint_id, desc_id) = (hint_id.clone(), desc_id.clone());
        move || {
            let mut ids = Vec::new();
            if desc.with(Option::is_some) {
                ids.push(desc_id.as_str());
            }
            if !single() {
                ids.push(hint_id.as_str());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let hint = move || {
        shape.with(|s| match s {
            Some((PollKind::Multiple, max, ..)) => Some(
                view! { <p class="civique-hint" id=hint_id.clone()>{lang.up_to_choices(*max)}</p> },
            ),
            _ => None,
        })
    };
    let options = move || {
        let Some((kind, _, options, _)) = shape.get() else {
            return Vec::new();
        };
        let single = kind == PollKind::Single;
        options
            .into_iter()
            .map(|option| {
                let oid = option.id;
                view! {
                    <label class="civique-option">
                        <input
                            class="civique-input"
                            type=if single { "radio" } else { "checkbox" }
                            name=format!("{id}-choice")
                            value=oid.to_string()
                            prop:checked=move || state.selection.with(|s| s.contains(&oid))
                            on:change=move |ev| state.toggle(oid, event_target_checked(&ev), single)
                        />
                        <span class="civique-option-label">{option.label}</span>
                    </label>
                }
            })
            .collect::<Vec<_>>()
    };
    let closes = move || {
        shape
            .with(|s| s.as_ref().and_then(|s| s.3.clone()))
            .map(|at| view! { <p class="civique-meta">{lang.closes_on(&lang.datetime(&at))}</p> })
    };
    let voted = move || {
        state
            .poll
            .with(|p| p.as_ref().is_some_and(|p| !p.my_choices.is_empty()))
    };
    view! {
        <form
            class="civique-form"
            novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                on_submit.run(());
            }
        >
            <fieldset class="civique-fieldset" aria-describedby=described_by>
                <legend class="civique-question">{question}</legend>
                {description(desc, desc_id)}
                {hint}
                <div class="civique-options">{options}</div>
            </fieldset>
            {closes}
            <button
                type="submit"
                class="civique-button"
                part="button"
                aria-busy=move || state.sending.get().then_some("true")
            >
                {move || lang.text(if voted() { Text::ChangeVote } else { Text::Vote })}
            </button>
        </form>
    }
}

/// A poll that is not open: the question, then when it opens or that it is closed.
#[component]
fn PollSummary(state: PollState) -> impl IntoView {
    let lang = state.lang;
    let (question, desc) = question(state);
    let info = move || {
        state.poll.with(|p| {
            let p = p.as_ref()?;
            Some(match p.status {
                PollStatus::Closed => lang.text(Text::ClosedFinal).to_owned(),
                _ => match &p.opens_at {
                    Some(at) => lang.opens_on(&lang.datetime(at)),
                    None => lang.text(Text::PollNotOpen).to_owned(),
                },
            })
        })
    };
    let upcoming_options = move || {
        state.poll.with(|p| {
            let p = p.as_ref().filter(|p| p.status == PollStatus::Upcoming)?;
            let items = p
                .options
                .iter()
                .map(|o| view! { <li>{o.label.clone()}</li> })
                .collect_view();
            Some(view! { <ul class="civique-choices">{items}</ul> })
        })
    };
    view! {
        <p class="civique-question">
            <strong>{question}</strong>
        </p>
        {description(desc, unique_id())}
        {upcoming_options}
        <p class="civique-meta">{info}</p>
    }
}

/// Says why results are not shown yet, when they are not.
#[component]
fn HiddenResultsNote(state: PollState) -> impl IntoView {
    let lang: Lang = state.lang;
    move || {
        state.poll.with(|p| {
            let p = p.as_ref().filter(|p| p.results.is_none())?;
            let text = match p.results_visibility {
                ResultsVisibility::AfterVote => Text::ResultsAfterVote,
                ResultsVisibility::AfterClose => Text::ResultsAfterClose,
                ResultsVisibility::Always => return None,
            };
            Some(view! { <p class="civique-note">{lang.text(text)}</p> })
        })
    }
}

/// The results, when the endpoint sent them.
#[component]
fn PollResults(state: PollState) -> impl IntoView {
    let lang = state.lang;
    let data = Memo::new(move |_| {
        state.poll.with(|p| {
            p.as_ref().and_then(|p| {
                let r = p.results.clone()?;
                Some((r, p.options.clone(), p.my_choices.clone(), p.participation))
            })
        })
    });
    move || {
        data.get().map(|(results, options, mine, participation)| {
            view! { <Results results options mine participation lang /> }
        })
    }
}

/// The polite status after a vote (always present, so screen readers notice changes) and
/// the alert after a failure.
#[component]
fn Notices(state: PollState) -> impl IntoView {
    let lang = state.lang;
    let recorded = move || {
        state
            .notice
            .with(|n| matches!(n, Some(Notice::Recorded)))
            .then(|| lang.text(Text::Recorded))
    };
    let failed = move || {
        state.notice.with(|n| match n {
            Some(Notice::Failed(code)) => {
                let text = lang.error(code, state.max_choices());
                Some(view! { <p class="civique-alert" role="alert">{text}</p> })
            }
            _ => None,
        })
    };
    view! {
        <p class="civique-status" role="status">{recorded}</p>
        {failed}
    }
}
