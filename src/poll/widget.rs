//! The networked poll: loads the poll, sends votes, follows live changes, tells the host page.

use civique_api::{codes, events};
use leptos::callback::Callback;
use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsValue;

use super::{check_choices, Notice, Phase, PollCard, PollState};
use crate::client::{parse_json, poll_changed, Client, Subscription, RESYNC};
use crate::i18n::Lang;
use crate::ui::{Debounce, Host, MyData};

/// Results shown to this participant only are refreshed at most this often while votes come.
const PRIVATE_RESULTS_EVERY_MS: u64 = 5_000;

/// A poll of the endpoint at `endpoint`, live: the component `mountPoll` mounts.
#[component]
pub fn Poll(
    /// Poll id, e.g. `budget-2027`.
    #[prop(into)]
    poll: String,
    /// Endpoint URL, e.g. `https://consultation.saint-exemple.fr/`.
    #[prop(into)]
    endpoint: String,
    /// Interface language.
    lang: Lang,
    /// Element receiving `civique:vote` and `civique:error` events.
    #[prop(optional)]
    host: Host,
) -> impl IntoView {
    let state = PollState::new(lang);
    let client = Client::new(&endpoint);
    let my_data = MyData::new(host.clone(), client.clone(), lang);
    // Bumped by each vote answer: a poll fetched before it would show stale choices.
    let votes_applied = StoredValue::new(0u32);
    let refresh = {
        let (client, poll, my_data) = (client.clone(), poll.clone(), my_data.clone());
        move || {
            let (client, poll, my_data) = (client.clone(), poll.clone(), my_data.clone());
            spawn_local(async move {
                let asked_at = votes_applied.get_value();
                let answer = client.poll(&poll).await;
                if state.is_gone() || votes_applied.get_value() != asked_at {
                    return;
                }
                match answer {
                    Ok(view) => {
                        my_data.show(&view.site_id);
                        state.show(view);
                    }
                    // A poll already on screen stays there; only a first load can fail. The
                    // same failure again changes nothing (its "Réessayer" button stays put).
                    Err(error) if state.phase.get_untracked() != Phase::Ready => {
                        let failed = Phase::Failed(error);
                        if state.phase.get_untracked() != failed {
                            state.phase.set(failed);
                        }
                    }
                    Err(_) => {}
                }
            });
        }
    };

    // Live changes apply without a request when their results are public; results this
    // participant alone may see are asked for again, at most every few seconds.
    let stale_timer = Debounce::new();
    let subscription = SendWrapper::new(Subscription::new(
        format!("{}/events", client.poll_url(&poll)),
        &[events::POLL_CHANGED],
        {
            let refresh = refresh.clone();
            move |name, data| {
                if state.is_gone() {
                    return;
                }
                if name == RESYNC {
                    return refresh();
                }
                let changed = poll_changed(&parse_json(data));
                if changed.is_some_and(|changed| state.apply_live(changed)) {
                    stale_timer.run_once(PRIVATE_RESULTS_EVERY_MS, refresh.clone());
                }
            }
        },
    ));
    on_cleanup(move || drop(subscription));
    refresh();

    let on_retry = {
        let refresh = refresh.clone();
        Callback::new(move |()| {
            state.phase.set(Phase::Loading);
            refresh();
        })
    };

    my_data.on_erased(refresh.clone());
    on_cleanup(move || my_data.remove());

    let fail = {
        let (host, poll) = (host.clone(), poll.clone());
        move |code: &str| {
            state.notice.set(Some(Notice::Failed(code.to_owned())));
            host.emit(
                "civique:error",
                &[("poll", poll.as_str().into()), ("code", code.into())],
            );
        }
    };

    let on_submit = Callback::new(move |()| {
        if state.sending.get_untracked() {
            return;
        }
        let choices = state.selection.get_untracked();
        state.notice.set(None);
        if let Some(code) = check_choices(&choices, state.max_choices()) {
            // Let the cleared alert leave the page first, so the same message is announced again.
            let fail = fail.clone();
            spawn_local(async move {
                if !state.is_gone() {
                    fail(code);
                }
            });
            return;
        }
        state.sending.set(true);
        let (client, poll, host, fail, refresh) = (
            client.clone(),
            poll.clone(),
            host.clone(),
            fail.clone(),
            refresh.clone(),
        );
        spawn_local(async move {
            let answer = client.vote(&poll, &choices).await;
            if state.is_gone() {
                return;
            }
            match answer {
                Ok(view) => {
                    let mine: js_sys::Array = view
                        .my_choices
                        .iter()
                        .map(|&c| JsValue::from(c as f64))
                        .collect();
                    votes_applied.update_value(|n| *n += 1);
                    state.dirty.set(false);
                    state.show(view);
                    state.notice.set(Some(Notice::Recorded));
                    host.emit(
                        "civique:vote",
                        &[("poll", poll.as_str().into()), ("choices", mine.into())],
                    );
                }
                Err(error) => {
                    fail(error.code());
                    if [
                        codes::POLL_CLOSED,
                        codes::POLL_NOT_OPEN,
                        codes::UNKNOWN_OPTION,
                    ]
                    .contains(&error.code())
                    {
                        refresh();
                    }
                }
            }
            state.sending.set(false);
        });
    });

    view! { <PollCard state on_submit on_retry /> }
}
