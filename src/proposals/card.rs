//! The box's markup, drawn from a [`BoxState`]: header, list controls, questions tabs, the
//! cards with their support button, pagination. The network lives in [`super::widget`].

use civique_api::codes;
use civique_api::proposals::{ProposalSort, ProposalStatus, ProposalView};
use civique_api::PollStatus;
use leptos::ev::{KeyboardEvent, MouseEvent};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::detail::Detail;
use super::form::{IdeaForm, QuestionForm};
use super::state::{permalink, Item, Tab};
use super::widget::{open, open_id, reload, reload_now, toggle_support};
use super::BoxState;
use crate::i18n::{BoxText, Text};
use crate::ui::{unique_id, Failure, Phase};

const SORTS: [(ProposalSort, BoxText); 3] = [
    (ProposalSort::Supports, BoxText::SortSupports),
    (ProposalSort::Newest, BoxText::SortNewest),
    (ProposalSort::Answered, BoxText::SortAnswered),
];

/// A whole proposal box: its root element, then the loading message, the failure or the box.
#[component]
pub fn BoxCard(
    /// The state to draw.
    state: BoxState,
    /// Reloads a box that failed to load.
    #[prop(into)]
    retry: Callback<()>,
) -> impl IntoView {
    let lang = state.lang;
    let body = move || match state.phase.get() {
        Phase::Loading => {
            view! { <p class="civique-loading">{lang.box_text(BoxText::Loading)}</p> }.into_any()
        }
        Phase::Failed(error) => {
            let message = match error.code() {
                _ if error.is_transient() => lang.text(Text::Unreachable).to_owned(),
                codes::NOT_FOUND => lang.box_text(BoxText::BoxNotFound).to_owned(),
                code => state.error_text(code),
            };
            view! {
                <Failure
                    message
                    retry=error.is_transient()
                    on_retry=retry
                    retry_text=lang.text(Text::Retry)
                />
            }
            .into_any()
        }
        Phase::Ready => view! { <BoxBody state /> }.into_any(),
    };
    view! {
        <div
            class="civique-proposals"
            class:civique-projector=state.projector
            part="proposals"
            lang=lang.tag()
            data-state=move || state.phase.with(Phase::data_state)
            data-mode=move || {
                state.info.with(|b| b.as_ref().map(|_| if state.questions() { "questions" } else { "ideas" }))
            }
            data-display=state.projector.then_some("projector")
        >
            {body}
        </div>
    }
}

/// The box once loaded: title, notes, then the list (hidden while a proposal is open) or
/// the opened proposal.
#[component]
fn BoxBody(state: BoxState) -> impl IntoView {
    let lang = state.lang;
    let info = move |f: fn(&civique_api::proposals::BoxView) -> Option<String>| {
        move || state.info.with(|b| b.as_ref().and_then(f))
    };
    let title = info(|b| Some(b.title.clone()));
    let description = info(|b| b.description.clone());
    let notes = move || {
        state.info.with(|b| {
            let b = b.as_ref()?;
            let mut notes = Vec::new();
            match b.status {
                PollStatus::Closed => notes.push(lang.box_text(BoxText::Closed).to_owned()),
                PollStatus::Upcoming => notes.push(match &b.opens_at {
                    Some(at) => lang.box_opens_on(&lang.datetime(at)),
                    None => lang.box_text(BoxText::NotOpen).to_owned(),
                }),
                PollStatus::Open => {
                    if let Some(at) = &b.closes_at {
                        notes.push(lang.closes_on(&lang.datetime(at)));
                    }
                }
            }
            if let Some(t) = state.threshold() {
                notes.push(lang.threshold_note(t));
            }
            if b.pre_moderation && b.status == PollStatus::Open && !state.projector {
                notes.push(lang.box_text(BoxText::PreModerated).to_owned());
            }
            Some(
                notes
                    .into_iter()
                    .map(|n| view! { <p class="civique-note">{n}</p> })
                    .collect_view(),
            )
        })
    };
    // The list leaves the page while a proposal is open (its state stays in signals).
    let opened = Memo::new(move |_| state.detail.with(Option::is_some));
    let questions = state.questions();
    let list = move || {
        (!opened.get()).then(|| {
            if questions {
                view! { <QuestionsList state /> }.into_any()
            } else {
                view! { <IdeasList state /> }.into_any()
            }
        })
    };
    view! {
        <h2 class="civique-box-title">{title}</h2>
        {move || description().map(|d| view! { <p class="civique-description">{d}</p> })}
        {notes}
        <div class="civique-list-area">{list}</div>
        {move || state.detail.get().map(|item| view! { <Detail state item /> })}
        <p class="civique-sr-only" role="status">
            {move || state.spoken.get()}
        </p>
    }
}

/// The ideas list: the form, filters, search, count, cards and pages.
#[component]
fn IdeasList(state: BoxState) -> impl IntoView {
    let lang = state.lang;
    let count_id = unique_id();
    let shown = Memo::new(move |_| !state.projector && state.shows_form());
    let form = move || shown.get().then(|| view! { <IdeaForm state /> });
    let controls = (!state.projector).then(|| view! { <Filters state /> });
    let empty = move || {
        state.items.with(Vec::is_empty).then(|| {
            let filtered = state
                .query
                .with(|q| q.category.is_some() || q.status.is_some() || !q.q.trim().is_empty());
            let text = if filtered {
                BoxText::NoMatch
            } else {
                BoxText::NoProposals
            };
            view! { <p class="civique-note">{lang.box_text(text)}</p> }
        })
    };
    view! {
        {form}
        {controls}
        <p class="civique-count" id=count_id.clone() role="status">
            {move || lang.proposals(state.count.get())}
        </p>
        {alert(state, state.alert)}
        <ProposalList state labelled_by=count_id />
        {empty}
        <Pagination state />
    }
}

/// The questions: the form, the two tabs and the list of the tab shown.
#[component]
fn QuestionsList(state: BoxState) -> impl IntoView {
    let lang = state.lang;
    let id = unique_id();
    let (panel_id, count_id) = (format!("{id}-panel"), format!("{id}-count"));
    let tab_ids = [format!("{id}-open"), format!("{id}-answered")];
    let shown = Memo::new(move |_| !state.projector && state.shows_form());
    let form = move || shown.get().then(|| view! { <QuestionForm state /> });
    let labelled_by = {
        let tab_ids = tab_ids.clone();
        move || match state.tab.get() {
            Tab::Open => tab_ids[0].clone(),
            Tab::Answered => tab_ids[1].clone(),
        }
    };
    let empty = move || {
        state.items.with(Vec::is_empty).then(|| {
            view! { <p class="civique-note">{lang.box_text(BoxText::NoQuestions)}</p> }
        })
    };
    view! {
        {form}
        <Tabs state panel_id=panel_id.clone() tab_ids />
        <div class="civique-tabpanel" role="tabpanel" id=panel_id aria-labelledby=labelled_by tabindex="0">
            <p class="civique-count" id=count_id.clone() role="status">
                {move || lang.questions(state.count.get())}
            </p>
            {alert(state, state.alert)}
            <ProposalList state labelled_by=count_id />
            {empty}
            <Pagination state />
        </div>
    }
}

/// The translated message of the error `code` holds, as an alert; nothing while it is empty.
pub(super) fn alert(state: BoxState, code: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        code.get().map(|code| {
            view! {
                <p class="civique-alert" role="alert">
                    {state.error_text(&code)}
                </p>
            }
        })
    }
}

/// The questions tabs: "À traiter (N)" and "Répondues (N)"; arrow keys, Home and End move
/// between them (and show the tab reached).
#[component]
fn Tabs(state: BoxState, panel_id: String, tab_ids: [String; 2]) -> impl IntoView {
    let lang = state.lang;
    let refs = [
        NodeRef::<html::Button>::new(),
        NodeRef::<html::Button>::new(),
    ];
    let show = move |tab: Tab| {
        if state.tab.get_untracked() != tab {
            // The counts of the two tabs swap until the reload confirms them.
            let (shown, other) = (
                state.count.get_untracked(),
                state.other_count.get_untracked(),
            );
            state.count.set(other);
            state.other_count.set(shown);
            state.tab.set(tab);
            state.query.update(|q| q.page = 1);
            state.items.set(Vec::new());
            reload_now(state);
        }
    };
    let on_key = move |ev: KeyboardEvent| {
        let current = state.tab.get_untracked();
        let next = match ev.key().as_str() {
            "ArrowRight" | "ArrowLeft" => current.other(),
            "Home" => Tab::Open,
            "End" => Tab::Answered,
            _ => return,
        };
        ev.prevent_default();
        show(next);
        let index = usize::from(next == Tab::Answered);
        if let Some(button) = refs[index].get_untracked() {
            let _ = button.focus();
        }
    };
    let count = move |tab: Tab| {
        if state.tab.get() == tab {
            state.count.get()
        } else {
            state.other_count.get()
        }
    };
    let tab = move |tab: Tab, id: String| {
        let index = usize::from(tab == Tab::Answered);
        let selected = move || state.tab.get() == tab;
        view! {
            <button
                type="button"
                role="tab"
                class="civique-tab"
                id=id
                node_ref=refs[index]
                aria-selected=move || selected().to_string()
                aria-controls=panel_id.clone()
                tabindex=move || if selected() { "0" } else { "-1" }
                on:click=move |_| show(tab)
                on:keydown=on_key
            >
                {move || match tab {
                    Tab::Open => lang.open_tab(count(tab)),
                    Tab::Answered => lang.answered_tab(count(tab)),
                }}
            </button>
        }
    };
    let [open_id, answered_id] = tab_ids;
    view! {
        <div class="civique-tabs" role="tablist" aria-label=lang.box_text(BoxText::Tabs)>
            {tab(Tab::Open, open_id)}
            {tab(Tab::Answered, answered_id)}
        </div>
    }
}

/// Sort, category and status selects and the search form of the ideas list.
#[component]
fn Filters(state: BoxState) -> impl IntoView {
    let lang = state.lang;
    let id = unique_id();
    let (sort_id, category_id, status_id, search_id) = (
        format!("{id}-sort"),
        format!("{id}-category"),
        format!("{id}-status"),
        format!("{id}-search"),
    );
    let apply = move |f: Box<dyn FnOnce(&mut crate::client::proposals::ProposalQuery)>| {
        state.query.update(|q| {
            f(q);
            q.page = 1;
        });
        reload_now(state);
    };
    let sorts = SORTS
        .iter()
        .map(|&(sort, text)| {
            view! {
                <option value=sort.as_str() selected=move || state.query.with(|q| q.sort == sort)>
                    {lang.box_text(text)}
                </option>
            }
        })
        .collect_view();
    let on_sort = move |ev| {
        let value = event_target_value(&ev);
        if let Some(&(sort, _)) = SORTS.iter().find(|(s, _)| s.as_str() == value) {
            apply(Box::new(move |q| q.sort = sort));
        }
    };
    let category = category_field(
        state,
        category_id,
        BoxText::AllCategories,
        move |id| state.query.with(|q| q.category.as_deref() == Some(id)),
        move |ev| {
            let value = event_target_value(&ev);
            apply(Box::new(move |q| {
                q.category = (!value.is_empty()).then_some(value)
            }));
        },
        NodeRef::new(),
        || None,
    );
    let statuses = ProposalStatus::ALL
        .iter()
        .filter(|s| **s != ProposalStatus::Answered)
        .map(|&s| {
            let selected = move || state.query.with(|q| q.status == Some(s));
            view! { <option value=s.as_str() selected=selected>{lang.status_label(s)}</option> }
        })
        .collect_view();
    view! {
        <div class="civique-toolbar civique-filters">
            <div class="civique-field">
                <label class="civique-label" for=sort_id.clone()>
                    {lang.text(Text::Sort)}
                </label>
                <select id=sort_id class="civique-select" on:change=on_sort>
                    {sorts}
                </select>
            </div>
            {category}
            <div class="civique-field">
                <label class="civique-label" for=status_id.clone()>
                    {lang.box_text(BoxText::Status)}
                </label>
                <select
                    id=status_id
                    class="civique-select"
                    on:change=move |ev| {
                        let status = event_target_value(&ev).parse().ok();
                        apply(Box::new(move |q| q.status = status));
                    }
                >
                    <option value="">{lang.box_text(BoxText::AllStatuses)}</option>
                    {statuses}
                </select>
            </div>
        </div>
        <form
            class="civique-search"
            role="search"
            on:submit=move |ev| {
                ev.prevent_default();
                let q = state.search.get_untracked().trim().to_owned();
                apply(Box::new(move |query| query.q = q));
            }
        >
            <label class="civique-label" for=search_id.clone()>
                {lang.box_text(BoxText::SearchLabel)}
            </label>
            <div class="civique-search-row">
                <input
                    id=search_id
                    class="civique-text-input"
                    type="search"
                    maxlength="200"
                    prop:value=move || state.search.get()
                    on:input=move |ev| state.search.set(event_target_value(&ev))
                />
                <button type="submit" class="civique-button">
                    {lang.box_text(BoxText::Search)}
                </button>
            </div>
        </form>
    }
}

/// An `<ol>` of cards, keyed by each item's signal: items kept across reloads move, new
/// ones are drawn (never reuse a card drawn for another item).
#[component]
fn ProposalList(state: BoxState, labelled_by: String) -> impl IntoView {
    view! {
        <ol class="civique-proposal-list" aria-labelledby=labelled_by tabindex="-1">
            <For each=move || state.items.get() key=|item| item.view let:item>
                <li class="civique-proposal-item">
                    <Card state item />
                </li>
            </For>
        </ol>
    }
}

/// A click on a link to a proposal opens it in place (other clicks keep the browser's
/// behaviour: new tab, new window).
pub(super) fn opens(
    state: BoxState,
    view: impl Fn() -> ProposalView + 'static,
) -> impl Fn(MouseEvent) + 'static {
    move |ev: MouseEvent| {
        if plain_click(&ev) {
            let view = view();
            let in_similar = ev
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|link| link.closest(".civique-similar").ok().flatten())
                .is_some();
            let opener =
                in_similar.then(|| format!(".civique-similar a[href=\"{}\"]", permalink(view.id)));
            open(state, view, true, opener);
        }
    }
}

/// [`opens`] for a proposal that may not be on screen: it is fetched first.
pub(super) fn opens_id(state: BoxState, id: i64) -> impl Fn(MouseEvent) + 'static {
    move |ev: MouseEvent| {
        if plain_click(&ev) {
            spawn_local(open_id(state, id, true));
        }
    }
}

/// Is this a plain left click (then its default is prevented), not one opening a new tab
/// or window?
fn plain_click(ev: &MouseEvent) -> bool {
    let plain =
        ev.button() == 0 && !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key());
    if plain {
        ev.prevent_default();
    }
    plain
}

/// The status badge of a proposal.
pub(super) fn badge(state: BoxState, item: Item) -> impl IntoView {
    let status = Memo::new(move |_| item.view.with(|v| v.status));
    view! {
        <span class="civique-status-badge" part="badge" data-status=move || status.get().as_str()>
            {move || state.lang.status_label(status.get())}
        </span>
    }
}

/// The category select of the form (first option `ChooseCategory`, required) or of the
/// filters (first option `AllCategories`); nothing when the box has no categories.
pub(super) fn category_field(
    state: BoxState,
    id: String,
    first: BoxText,
    selected: impl Fn(&str) -> bool + Copy + Send + Sync + 'static,
    on_change: impl Fn(leptos::ev::Event) + 'static,
    node_ref: NodeRef<html::Select>,
    invalid: impl Fn() -> Option<&'static str> + Send + Sync + 'static,
) -> Option<impl IntoView> {
    let lang = state.lang;
    let categories = state
        .info
        .with_untracked(|b| b.as_ref().map(|b| b.categories.clone()))
        .filter(|c| !c.is_empty())?;
    let options = categories
        .into_iter()
        .map(|c| {
            let value = c.id.clone();
            view! { <option value=c.id selected=move || selected(&value)>{c.label}</option> }
        })
        .collect_view();
    let required = (first == BoxText::ChooseCategory).then_some("true");
    Some(view! {
        <div class="civique-field">
            <label class="civique-label" for=id.clone()>
                {lang.box_text(BoxText::Category)}
            </label>
            <select
                id=id
                class="civique-select"
                aria-required=required
                aria-invalid=invalid
                node_ref=node_ref
                on:change=on_change
            >
                <option value="">{lang.box_text(first)}</option>
                {options}
            </select>
        </div>
    })
}

/// The label of category `id` of the box.
pub(super) fn category_label(state: BoxState, id: &str) -> String {
    state
        .info
        .with_untracked(|b| {
            b.as_ref()
                .and_then(|b| b.categories.iter().find(|c| c.id == id))
                .map(|c| c.label.clone())
        })
        .unwrap_or_else(|| id.to_owned())
}

/// A proposal in the list: its title (a link opening it), badge, facts and supports; an
/// answered question shows its answer.
#[component]
fn Card(state: BoxState, item: Item) -> impl IntoView {
    let lang = state.lang;
    let v = item.view;
    let questions = state.questions();
    let title_id = unique_id();
    let title = move || v.with(|v| v.title.clone());
    let heading = if state.projector {
        view! { <h3 class="civique-proposal-title" id=title_id.clone()>{title}</h3> }.into_any()
    } else {
        view! {
            <h3 class="civique-proposal-title" id=title_id.clone()>
                <a href=permalink(item.id) on:click=opens(state, move || v.get_untracked())>
                    {title}
                </a>
            </h3>
        }
        .into_any()
    };
    let facts = move || {
        v.with(|v| {
            let mut parts = Vec::new();
            if let Some(c) = &v.category {
                parts.push(category_label(state, c));
            }
            if let Some(p) = &v.place {
                parts.push(p.clone());
            }
            parts.push(lang.proposed_by(&v.author_name, questions));
            parts
                .into_iter()
                .map(|p| view! { <span class="civique-fact">{p}</span> })
                .collect_view()
        })
    };
    let created = v.with_untracked(|v| v.created_at.clone());
    let answer = move || {
        v.with(|v| {
            let html = v.answer_html.clone().filter(|_| questions)?;
            Some(view! {
                <div class="civique-answer">
                    <p class="civique-answer-title">{lang.box_text(BoxText::TownAnswer)}</p>
                    <div class="civique-answer-body" inner_html=html></div>
                </div>
            })
        })
    };
    view! {
        <article
            class="civique-proposal"
            part="proposal"
            data-id=item.id
            data-status=move || v.with(|v| v.status.as_str())
            aria-labelledby=title_id
        >
            {heading}
            <p class="civique-proposal-meta">
                {badge(state, item)}
                " "
                {facts}
                " "
                <time class="civique-meta" datetime=created.clone()>
                    {lang.long_date(&created, false)}
                </time>
            </p>
            {answer}
            <Support state item />
        </article>
    }
}

/// Supports of a proposal: the toggle button (when the box is open and not projected), the
/// count, the progress toward the threshold, and the alert of a failed support.
#[component]
pub(super) fn Support(state: BoxState, item: Item) -> impl IntoView {
    let lang = state.lang;
    let v = item.view;
    let questions = state.questions();
    let count_id = unique_id();
    let supports = Memo::new(move |_| v.with(|v| v.supports));
    let button = {
        let count_id = count_id.clone();
        move || {
            (!state.projector && state.accepts()).then(|| {
                let label = if questions {
                    BoxText::Upvote
                } else {
                    BoxText::Support
                };
                view! {
                    <button
                        type="button"
                        class="civique-support-button"
                        part="button"
                        aria-pressed=move || v.with(|v| v.my_support).to_string()
                        aria-describedby=count_id.clone()
                        aria-busy=move || item.sending.get().then_some("true")
                        on:click=move |_| toggle_support(state, item)
                    >
                        {lang.box_text(label)}
                    </button>
                }
            })
        }
    };
    let progress = state.threshold().map(|threshold| {
        let now = move || supports.get().min(threshold);
        let width = move || format!("{}%", now() * 100 / threshold.max(1));
        let reached = move || {
            (v.with(|v| v.threshold_reached_at.is_some()) || supports.get() >= threshold).then(|| {
                view! {
                    <span class="civique-reached">{lang.box_text(BoxText::ThresholdReached)}</span>
                }
            })
        };
        view! {
            <span
                class="civique-progress"
                role="progressbar"
                aria-label=lang.box_text(BoxText::Progress)
                aria-valuemin="0"
                aria-valuemax=threshold
                aria-valuenow=now
                aria-valuetext=move || lang.supports_of(supports.get(), threshold)
            >
                <span class="civique-progress-fill" style:width=width></span>
            </span>
            {reached}
        }
    });
    view! {
        <div class="civique-support">
            {button}
            <span class="civique-supports" id=count_id>
                {move || lang.supports(supports.get(), questions)}
            </span>
            {progress}
        </div>
        {alert(state, item.error)}
    }
}

/// Previous and next page buttons with "Page 2 sur 5", when there is more than one page.
#[component]
fn Pagination(state: BoxState) -> impl IntoView {
    let lang = state.lang;
    let page = move || state.query.with(|q| q.page.max(1));
    let go = move |to: u32| {
        state.query.update(|q| q.page = to);
        spawn_local(async move {
            reload(state).await;
            if !state.is_gone() {
                let list = state
                    .host
                    .with_value(|h| h.query(".civique-list-area .civique-proposal-list"));
                if let Some(el) = list.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                    let _ = el.focus();
                }
            }
        });
    };
    let first = move || page() <= 1;
    let last = move || page() >= state.pages.get();
    move || {
        (!state.projector && state.pages.get() > 1).then(|| {
            view! {
                <nav class="civique-pagination" aria-label=lang.box_text(BoxText::Pagination)>
                    <button
                        type="button"
                        class="civique-button civique-secondary"
                        prop:disabled=first
                        on:click=move |_| go(page() - 1)
                    >
                        {lang.box_text(BoxText::PreviousPage)}
                    </button>
                    <span class="civique-page">{move || lang.page_of(page(), state.pages.get())}</span>
                    <button
                        type="button"
                        class="civique-button civique-secondary"
                        prop:disabled=last
                        on:click=move |_| go(page() + 1)
                    >
                        {lang.box_text(BoxText::NextPage)}
                    </button>
                </nav>
            }
        })
    }
}
