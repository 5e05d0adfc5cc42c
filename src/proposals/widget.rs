//! The networked box: loads it, lists, opens, supports and submits proposals, follows live
//! changes and the page's history, tells the host page.

use std::time::Duration;

use civique_api::proposals::{events, ProposalInput, ProposalView, Visibility};
use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use wasm_bindgen::{JsCast, JsValue};

use super::state::{check_proposal, permalink, proposal_in_hash, Field, Item, Thanks};
use super::{BoxCard, BoxState};
use crate::client::proposals::support_view;
use crate::client::{parse_json, ClientError, Subscription, RESYNC};
use crate::i18n::{BoxText, Lang};
use crate::ui::{fail, Host, MyData, Phase};

const EVENTS: &[&str] = &[
    events::PROPOSAL_CREATED,
    events::PROPOSAL_UPDATED,
    events::PROPOSAL_REMOVED,
    events::SUPPORTS_CHANGED,
    events::THRESHOLD_REACHED,
];

/// Live events are followed by a reload of what is shown, at most this often.
const RELOAD_DELAY_MS: u64 = 250;
/// The similar lookup waits for a pause in typing.
const SIMILAR_DELAY_MS: u64 = 300;
/// Titles shorter than this are not looked up.
const SIMILAR_MIN_CHARS: usize = 3;
/// `history.state` of the entries the widget pushes.
const HISTORY_MARK: &str = "civique-proposal";

/// A proposal box of the endpoint at `endpoint`, live: the component `mountProposals` mounts.
#[component]
pub fn Proposals(
    /// Box id, e.g. `idees-centre-ville`.
    #[prop(into)]
    box_id: String,
    /// Endpoint URL, e.g. `https://consultation.saint-exemple.fr/`.
    #[prop(into)]
    endpoint: String,
    /// Interface language.
    lang: Lang,
    /// Projector display: large type, the list only, live.
    #[prop(optional)]
    projector: bool,
    /// Element receiving `civique:proposal`, `civique:support`, `civique:threshold` and
    /// `civique:error` events.
    #[prop(optional)]
    host: Host,
) -> impl IntoView {
    let my_data_host = host.clone();
    let state = BoxState::new(lang, &endpoint, &box_id, host, projector);
    let my_data = MyData::new(my_data_host, state.client(), lang);
    my_data.on_erased(move || spawn_local(reload(state)));
    on_cleanup({
        let my_data = my_data.clone();
        move || my_data.remove()
    });
    let subscription: SendWrapper<std::rc::Rc<std::cell::RefCell<Option<Subscription>>>> =
        SendWrapper::new(Default::default());
    let owner = Owner::current().unwrap_or_default();

    let on_event = move |name: &str, data: &str| {
        owner.with(|| {
            if !state.is_gone() {
                live_event(state, name, data);
            }
        })
    };
    let start = {
        let subscription = subscription.clone();
        move || {
            let (subscription, on_event, my_data) =
                (subscription.clone(), on_event.clone(), my_data.clone());
            spawn_local(async move {
                if load(state).await {
                    // A projector shows no one's own data.
                    let site = state
                        .info
                        .with_untracked(|b| b.as_ref().map(|b| b.site_id.clone()));
                    if let Some(site) = site.filter(|_| !state.projector) {
                        my_data.show(&site);
                    }
                    let url = format!("{}/events", state.client().box_url(&state.id()));
                    *subscription.borrow_mut() = Some(Subscription::new(url, EVENTS, on_event));
                }
            });
        }
    };
    start.clone()();
    on_cleanup(move || drop(subscription.take()));

    let popstate = window_event_listener(leptos::ev::popstate, move |_| {
        if !state.is_gone() && !state.projector {
            follow_location(state);
        }
    });
    on_cleanup(move || popstate.remove());
    on_cleanup(move || {
        state.reload_timer.cancel();
        state.similar_timer.cancel();
    });

    let retry = Callback::new(move |()| {
        state.phase.set(Phase::Loading);
        start();
    });
    view! { <BoxCard state retry /> }
}

/// The first load: the box, the list, then the proposal the address names. False when the
/// box could not be loaded.
async fn load(state: BoxState) -> bool {
    let client = state.client();
    match client.proposal_box(&state.id()).await {
        Ok(info) => {
            if state.is_gone() {
                return false;
            }
            state.info.set(Some(info));
        }
        Err(error) => {
            if !state.is_gone() {
                state.phase.set(Phase::Failed(error));
            }
            return false;
        }
    }
    reload(state).await;
    // A projector shows the list only; elsewhere the address may name a proposal to open.
    let named = current_hash().as_deref().and_then(proposal_in_hash);
    if let Some(id) = named.filter(|_| !state.projector) {
        open_id(state, id, false).await;
    }
    !state.is_gone() && state.phase.get_untracked() == Phase::Ready
}

/// Reloads the page of the list shown (and in questions mode the other tab's count).
pub async fn reload(state: BoxState) {
    state.reload_timer.cancel();
    let seq = state
        .listing_seq
        .try_update_value(|s| {
            *s += 1;
            *s
        })
        .unwrap_or(0);
    let (query, other) = state.listing();
    let client = state.client();
    let id = state.id();
    let supports = state.supports_applied.get_value();
    let page = client.proposals(&id, &query).await;
    let other = match &other {
        Some(other) => client.proposals(&id, other).await.ok().map(|p| p.count),
        None => None,
    };
    if state.is_gone() || state.listing_seq.get_value() != seq {
        return;
    }
    if state.supports_applied.get_value() != supports {
        // A support was answered meanwhile: this page may not show it yet.
        return Box::pin(reload(state)).await;
    }
    match page {
        Ok(page) if page.pages < query.page && query.page > 1 => {
            // The page shown is gone (fewer proposals now): show the last one.
            state.query.update(|q| q.page = page.pages.max(1));
            Box::pin(reload(state)).await;
        }
        Ok(page) => {
            state.alert.set(None);
            state.show_page(page.proposals, page.count, page.pages);
            if let Some(count) = other {
                state.other_count.set(count);
            }
        }
        Err(error) if state.phase.get_untracked() != Phase::Ready => {
            state.phase.set(Phase::Failed(error));
        }
        Err(error) => report(state, state.alert, &error),
    }
}

/// Reloads the list now (filters, tabs and pages changed).
pub fn reload_now(state: BoxState) {
    spawn_local(reload(state));
}

/// Shows the failure `error` in `alert` and tells the host page.
fn report(state: BoxState, alert: RwSignal<Option<String>>, error: &ClientError) {
    fail(alert, error.code());
    state.emit("civique:error", &[("code", error.code().into())]);
}

/// A live event: counts apply at once and the list keeps its order, without a request;
/// other changes (new, answered, removed proposals) reload the list and the opened proposal
/// shortly.
fn live_event(state: BoxState, name: &str, data: &str) {
    let data = parse_json(data);
    let id = js_sys::Reflect::get(&data, &"id".into())
        .ok()
        .and_then(|v| v.as_f64())
        .map(|n| n as i64);
    match (name, id) {
        (events::SUPPORTS_CHANGED, _) => {
            if let Some(s) = support_view(&data) {
                state.each(s.id, |item| item.view.update(|v| v.supports = s.supports));
                state.resort();
            }
            return;
        }
        (events::THRESHOLD_REACHED, Some(id)) => {
            let now = String::from(js_sys::Date::new_0().to_iso_string());
            state.each(id, |item| {
                item.view.update(|v| {
                    v.threshold_reached_at.get_or_insert_with(|| now.clone());
                })
            });
            state.threshold_reached(id);
            return;
        }
        _ => {}
    }
    // The first opening of the stream only catches up with the list: the box was just loaded.
    let resync = name == RESYNC
        && state
            .streamed
            .try_update_value(|s| std::mem::replace(s, true))
            .unwrap_or(false);
    if let Some(item) = state
        .detail
        .get_untracked()
        .filter(|d| resync || Some(d.id) == id)
    {
        state.detail_touched.set_value(Some(item));
    }
    state.reload_timer.run(RELOAD_DELAY_MS, move || {
        if state.is_gone() {
            return;
        }
        spawn_local(reload(state));
        if let Some(item) = state
            .detail_touched
            .try_update_value(Option::take)
            .flatten()
        {
            spawn_local(refresh_opened(state, item));
        }
        if resync {
            spawn_local(refresh_box(state));
        }
    });
}

/// Reloads the box (its status may have changed while the stream was down).
async fn refresh_box(state: BoxState) {
    if let Ok(info) = state.client().proposal_box(&state.id()).await {
        if !state.is_gone() {
            state.info.set(Some(info));
        }
    }
}

/// Reloads the opened proposal (with its history) into `item`.
async fn refresh_opened(state: BoxState, item: Item) {
    let supports = state.supports_applied.get_value();
    let answer = state.client().proposal(item.id).await;
    if state.is_gone() || state.detail.get_untracked() != Some(item) {
        return;
    }
    if state.supports_applied.get_value() != supports {
        return Box::pin(refresh_opened(state, item)).await;
    }
    match answer {
        Ok(view) => item.set(view),
        Err(error) => fail(item.error, error.code()),
    }
}

fn current_hash() -> Option<String> {
    web_sys::window()?.location().hash().ok()
}

/// Opens proposal `id` when it belongs to this box (fetching it first); `push` records the
/// opening in the page's history.
pub async fn open_id(state: BoxState, id: i64, push: bool) {
    if let Some(item) = state
        .items
        .with_untracked(|i| i.iter().find(|i| i.id == id).copied())
    {
        open(state, item.view.get_untracked(), push, None);
        return;
    }
    let Ok(view) = state.client().proposal(id).await else {
        return;
    };
    if !state.is_gone() && state.box_id.with_value(|b| *b == view.box_id) {
        open(state, view, push, None);
    }
}

/// Shows `view` instead of the list, then its full version (with history); focus moves to
/// its title and returns to the link `opener` selects (or its card) when it closes.
pub fn open(state: BoxState, view: ProposalView, push: bool, opener: Option<String>) {
    let id = view.id;
    if push {
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = history.push_state_with_url(
                &JsValue::from_str(HISTORY_MARK),
                "",
                Some(&permalink(id)),
            );
        }
    }
    if opener.is_some() || state.detail.with_untracked(Option::is_none) {
        state.opener.set_value(opener);
    }
    let item = state.item(view);
    state.detail.set(Some(item));
    spawn_local(refresh_opened(state, item));
}

/// The back button: goes back in history when the widget pushed the entry (popstate then
/// closes), otherwise drops the fragment and closes.
pub fn back_to_list(state: BoxState) {
    let Some(window) = web_sys::window() else {
        return close(state);
    };
    let Ok(history) = window.history() else {
        return close(state);
    };
    let ours = history
        .state()
        .ok()
        .and_then(|s| s.as_string())
        .is_some_and(|s| s == HISTORY_MARK);
    let named = current_hash()
        .as_deref()
        .and_then(proposal_in_hash)
        .is_some();
    if ours && named {
        let _ = history.back();
        return;
    }
    if named {
        let location = window.location();
        let url = format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
    close(state);
}

/// Shows the list again and gives focus back to what opened the proposal.
pub fn close(state: BoxState) {
    let Some(item) = state.detail.get_untracked() else {
        return;
    };
    state.detail.set(None);
    let opener = state.opener.try_update_value(Option::take).flatten();
    let _ = set_timeout_with_handle(
        move || {
            if state.is_gone() {
                return;
            }
            let host = state.host.get_value();
            let card = format!(".civique-proposal-list a[href=\"{}\"]", permalink(item.id));
            let target = opener
                .and_then(|selector| host.query(&selector))
                .or_else(|| host.query(&card))
                .or_else(|| host.query(".civique-proposal-list"));
            if let Some(el) = target.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = el.focus();
            }
        },
        Duration::ZERO,
    );
}

/// Follows a change of the address (back and forward buttons, links to a fragment).
fn follow_location(state: BoxState) {
    let wanted = current_hash().as_deref().and_then(proposal_in_hash);
    let shown = state.detail.get_untracked().map(|d| d.id);
    match wanted {
        Some(id) if Some(id) == shown => {}
        Some(id) => spawn_local(async move {
            let before = state.detail.get_untracked();
            open_id(state, id, false).await;
            // A proposal of another box: this one goes back to its list.
            if !state.is_gone() && state.detail.get_untracked() == before {
                close(state);
            }
        }),
        None => close(state),
    }
}

/// Supports (or withdraws the support of) `item`: the button says it is busy until the
/// endpoint answers, so that what it shows is what was recorded; a failure leaves
/// everything as it was and says why next to the button.
pub fn toggle_support(state: BoxState, item: Item) {
    if item.sending.get_untracked() {
        return;
    }
    let (on, reached) = item
        .view
        .with_untracked(|v| (!v.my_support, v.threshold_reached_at.is_some()));
    item.error.set(None);
    item.sending.set(true);
    spawn_local(async move {
        let answer = state.client().set_support(item.id, on).await;
        if state.is_gone() {
            return;
        }
        item.sending.set(false);
        let support = match answer {
            Ok(support) => support,
            Err(error) => {
                report(state, item.error, &error);
                // Already (not) supported elsewhere: show what the endpoint holds.
                state.reload_timer.run(RELOAD_DELAY_MS, move || {
                    if !state.is_gone() {
                        spawn_local(reload(state));
                    }
                });
                return;
            }
        };
        state.supports_applied.update_value(|n| *n += 1);
        state.apply_support(&support);
        let questions = state.questions();
        let said = match (support.my_support, questions) {
            (true, false) => state.lang.box_text(BoxText::SupportRecorded),
            (false, false) => state.lang.box_text(BoxText::SupportWithdrawn),
            (true, true) => state.lang.text(crate::i18n::Text::Recorded),
            (false, true) => state.lang.box_text(BoxText::VoteWithdrawn),
        };
        state.spoken.set(format!(
            "{said} {}",
            state.lang.supports(support.supports, questions)
        ));
        state.emit(
            "civique:support",
            &[
                ("id", JsValue::from(item.id as f64)),
                ("supported", support.my_support.into()),
                ("supports", JsValue::from(support.supports as f64)),
            ],
        );
        if !reached && support.threshold_reached_at.is_some() {
            state.threshold_reached(item.id);
        }
    });
}

/// Looks up published proposals resembling `title`, after a pause in typing; answers to
/// older titles are ignored.
pub fn lookup_similar(state: BoxState, title: String) {
    let seq = state
        .similar_seq
        .try_update_value(|s| {
            *s += 1;
            *s
        })
        .unwrap_or(0);
    let title = title.trim().to_owned();
    if title.chars().count() < SIMILAR_MIN_CHARS {
        state.similar_timer.cancel();
        if state.similar.with_untracked(|s| !s.is_empty()) {
            state.similar.set(Vec::new());
        }
        return;
    }
    state.similar_timer.run(SIMILAR_DELAY_MS, move || {
        spawn_local(async move {
            let answer = state.client().similar(&state.id(), &title).await;
            if state.is_gone() || state.similar_seq.get_value() != seq {
                return;
            }
            if let Ok(similar) = answer {
                if state.similar.with_untracked(|s| *s != similar) {
                    state.similar.set(similar);
                }
            }
        });
    });
}

/// Sends the form; on success empties the draft, thanks the resident and reloads the list.
/// Returns the field to focus when the form is refused.
pub fn submit(state: BoxState, focus: impl Fn(Field) + 'static) {
    let d = state.draft;
    if d.sending.get_untracked() {
        return;
    }
    let questions = state.questions();
    let has_categories = state.has_categories();
    let optional = |s: RwSignal<String>| {
        let s = s.get_untracked().trim().to_owned();
        (!questions && !s.is_empty()).then_some(s)
    };
    let input = ProposalInput {
        title: d.title.get_untracked().trim().to_owned(),
        text: if questions {
            String::new()
        } else {
            d.text.get_untracked()
        },
        category: optional(d.category).filter(|_| has_categories),
        place: optional(d.place),
        author_name: state.name.get_untracked().trim().to_owned(),
    };
    state.thanks.set(None);
    if let Some(code) = check_proposal(&input, questions, has_categories) {
        fail(d.error, code);
        if let Some(field) = Field::of(code) {
            focus(field);
        }
        return;
    }
    d.error.set(None);
    d.sending.set(true);
    spawn_local(async move {
        let answer = state.client().submit_proposal(&state.id(), &input).await;
        if state.is_gone() {
            return;
        }
        d.sending.set(false);
        match answer {
            Ok(view) => {
                let pending = view.visibility == Visibility::Pending;
                state.clear_draft();
                state.similar.set(Vec::new());
                d.open.set(false);
                state.thanks.set(Some(Thanks {
                    text: match (questions, pending) {
                        (false, false) => BoxText::ThanksPublished,
                        (false, true) => BoxText::ThanksPending,
                        (true, false) => BoxText::ThanksQuestion,
                        (true, true) => BoxText::ThanksQuestionPending,
                    },
                    published: (!pending && !questions).then_some(view.id),
                }));
                state.emit(
                    "civique:proposal",
                    &[
                        ("id", JsValue::from(view.id as f64)),
                        ("pending", pending.into()),
                    ],
                );
                reload(state).await;
            }
            Err(error) => {
                report(state, d.error, &error);
                if let Some(field) = Field::of(error.code()) {
                    focus(field);
                }
            }
        }
    });
}
