//! The forms of a box: proposing an idea (with similar suggestions) and asking a question.

use civique_api::proposals::limits::{PLACE_MAX_LEN, TEXT_MAX_LEN};
use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

use super::card::{alert, category_field, opens, opens_id};
use super::state::{permalink, title_max, Field};
use super::widget::{lookup_similar, submit};
use super::BoxState;
use crate::i18n::{BoxText, Text};
use crate::ui::unique_id;

/// The node of each field, to focus the one an error is about.
#[derive(Clone, Copy)]
struct Refs {
    title: NodeRef<html::Input>,
    question: NodeRef<html::Textarea>,
    text: NodeRef<html::Textarea>,
    category: NodeRef<html::Select>,
    place: NodeRef<html::Input>,
    name: NodeRef<html::Input>,
}

impl Refs {
    fn new() -> Self {
        Refs {
            title: NodeRef::new(),
            question: NodeRef::new(),
            text: NodeRef::new(),
            category: NodeRef::new(),
            place: NodeRef::new(),
            name: NodeRef::new(),
        }
    }

    fn focus(self, field: Field) {
        let element: Option<web_sys::HtmlElement> = match field {
            Field::Title => self
                .title
                .get_untracked()
                .map(Into::into)
                .or_else(|| self.question.get_untracked().map(Into::into)),
            Field::Text => self.text.get_untracked().map(Into::into),
            Field::Category => self.category.get_untracked().map(Into::into),
            Field::Place => self.place.get_untracked().map(Into::into),
            Field::Name => self.name.get_untracked().map(Into::into),
        };
        if let Some(el) = element {
            let _ = el.focus();
        }
    }
}

/// `aria-invalid` of `field` while the form's error is about it.
fn invalid(state: BoxState, field: Field) -> impl Fn() -> Option<&'static str> {
    move || {
        state
            .draft
            .error
            .with(|e| e.as_deref().and_then(Field::of) == Some(field))
            .then_some("true")
    }
}

/// What a field does on input: the draft keeps it, the form shows it.
fn drafted(
    state: BoxState,
    field: Field,
    value: RwSignal<String>,
) -> impl Fn(leptos::ev::Event) + Copy + 'static {
    move |ev| {
        let text = event_target_value(&ev);
        state.save_draft(field, &text);
        value.set(text);
    }
}

/// The visible counter of a field ("12 / 280") and, for long texts, what a polite region
/// says near the limit.
fn counter(
    state: BoxState,
    id: String,
    value: RwSignal<String>,
    max: usize,
    spoken: bool,
) -> impl IntoView {
    let lang = state.lang;
    let used = Memo::new(move |_| value.with(|t| t.chars().count()));
    let said = spoken.then(|| {
        view! {
            <p class="civique-sr-only" aria-live="polite">
                {move || lang.chars_left_of(used.get(), max)}
            </p>
        }
    });
    view! {
        <p class="civique-counter" id=id data-over=move || (used.get() > max).then_some("true")>
            {move || lang.char_counter_of(used.get(), max)}
        </p>
        {said}
    }
}

/// The display name field, remembered on the device for every widget.
fn name_field(state: BoxState, refs: Refs) -> impl IntoView {
    let id = unique_id();
    view! {
        <div class="civique-field">
            <label class="civique-label" for=id.clone()>
                {state.lang.text(Text::YourName)}
            </label>
            <input
                id=id
                class="civique-text-input"
                type="text"
                autocomplete="nickname"
                maxlength="60"
                aria-required="true"
                aria-invalid=invalid(state, Field::Name)
                node_ref=refs.name
                prop:value=move || state.name.get()
                on:input=move |ev| state.set_name(event_target_value(&ev))
            />
        </div>
    }
}

/// The submit button, after the alert of the last failure.
fn footer(state: BoxState, submit: BoxText, cancel: Option<AnyView>) -> impl IntoView {
    view! {
        {alert(state, state.draft.error)}
        <div class="civique-form-actions">
            <button
                type="submit"
                class="civique-button"
                part="button"
                aria-busy=move || state.draft.sending.get().then_some("true")
            >
                {state.lang.box_text(submit)}
            </button>
            {cancel}
        </div>
    }
}

/// The thanks after a submit, with a link to the new proposal when it is published.
fn thanks(state: BoxState) -> impl IntoView {
    let lang = state.lang;
    view! {
        <p class="civique-status" role="status">
            {move || {
                state.thanks.get().map(|t| {
                    let link = t.published.map(|id| {
                        view! {
                            " "
                            <a href=permalink(id) on:click=opens_id(state, id)>
                                {lang.box_text(BoxText::SeeMine)}
                            </a>
                        }
                    });
                    view! { {lang.box_text(t.text)} {link} }
                })
            }}
        </p>
    }
}

/// Proposals resembling the title being typed, each a link opening it; their number is
/// announced politely.
fn similar(state: BoxState) -> impl IntoView {
    let lang = state.lang;
    let heading_id = unique_id();
    let list = move || {
        let found = state.similar.get();
        (!found.is_empty()).then(|| {
            let items = found
                .into_iter()
                .map(|v| {
                    let (id, title, supports) = (v.id, v.title.clone(), v.supports);
                    view! {
                        <li>
                            <a href=permalink(id) on:click=opens(state, move || v.clone())>
                                {title}
                            </a>
                            " "
                            <span class="civique-meta">{lang.supports(supports, false)}</span>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="civique-similar" aria-labelledby=heading_id.clone()>
                    <h3 class="civique-similar-title" id=heading_id.clone()>
                        {lang.box_text(BoxText::Similar)}
                    </h3>
                    <p class="civique-hint">{lang.box_text(BoxText::SimilarHint)}</p>
                    <ul class="civique-similar-list">{items}</ul>
                </section>
            }
        })
    };
    view! {
        {list}
        <p class="civique-sr-only" role="status">
            {move || {
                let n = state.similar.with(Vec::len) as u64;
                (n > 0).then(|| lang.similar_count(n))
            }}
        </p>
    }
}

/// "Proposer une idée": the button and, once opened, the form; the draft is saved on every
/// input and focus comes back to the button when the form closes.
#[component]
pub fn IdeaForm(state: BoxState) -> impl IntoView {
    let lang = state.lang;
    let d = state.draft;
    let refs = Refs::new();
    let button = NodeRef::<html::Button>::new();
    Effect::watch(
        move || d.open.get(),
        move |open, was_open, _| {
            if *open {
                refs.focus(Field::Title);
            } else if was_open == Some(&true) {
                if let Some(button) = button.get_untracked() {
                    let _ = button.focus();
                }
            }
        },
        false,
    );
    let form = move || d.open.get().then(|| view! { <IdeaFields state refs /> });
    view! {
        <div class="civique-propose">
            <button
                type="button"
                class="civique-button"
                part="button"
                node_ref=button
                aria-expanded=move || d.open.get().to_string()
                on:click=move |_| {
                    d.error.set(None);
                    d.open.update(|o| *o = !*o);
                }
            >
                {lang.box_text(BoxText::ProposeIdea)}
            </button>
            {thanks(state)}
            {form}
        </div>
    }
}

#[component]
fn IdeaFields(state: BoxState, refs: Refs) -> impl IntoView {
    let lang = state.lang;
    let d = state.draft;
    let id = unique_id();
    let ids = |s: &str| format!("{id}-{s}");
    let (title_id, text_id, category_id, place_id) =
        (ids("title"), ids("text"), ids("category"), ids("place"));
    let (title_count, text_hint, text_count) = (ids("title-count"), ids("hint"), ids("text-count"));
    let max = title_max(false);
    let category = category_field(
        state,
        category_id,
        BoxText::ChooseCategory,
        move |id| d.category.with(|v| v == id),
        drafted(state, Field::Category, d.category),
        refs.category,
        invalid(state, Field::Category),
    );
    let cancel = view! {
        <button
            type="button"
            class="civique-button civique-secondary"
            part="button"
            on:click=move |_| d.open.set(false)
        >
            {lang.text(Text::Cancel)}
        </button>
    }
    .into_any();
    view! {
        <form
            class="civique-composer civique-idea-form"
            aria-label=lang.box_text(BoxText::ProposeIdea)
            novalidate
            on:keydown=move |ev: KeyboardEvent| {
                if ev.key() == "Escape" {
                    ev.prevent_default();
                    d.open.set(false);
                }
            }
            on:submit=move |ev| {
                ev.prevent_default();
                submit(state, move |f| refs.focus(f));
            }
        >
            <div class="civique-field">
                <label class="civique-label" for=title_id.clone()>
                    {lang.box_text(BoxText::Title)}
                </label>
                <input
                    id=title_id
                    class="civique-text-input"
                    type="text"
                    autocomplete="off"
                    aria-required="true"
                    aria-describedby=title_count.clone()
                    aria-invalid=invalid(state, Field::Title)
                    node_ref=refs.title
                    prop:value=move || d.title.get()
                    on:input=move |ev| {
                        drafted(state, Field::Title, d.title)(ev);
                        lookup_similar(state, d.title.get_untracked());
                    }
                />
                {counter(state, title_count, d.title, max, false)}
            </div>
            {similar(state)}
            <div class="civique-field">
                <label class="civique-label" for=text_id.clone()>
                    {lang.box_text(BoxText::Description)}
                </label>
                <textarea
                    id=text_id
                    class="civique-textarea"
                    rows="5"
                    aria-describedby=format!("{text_hint} {text_count}")
                    aria-invalid=invalid(state, Field::Text)
                    node_ref=refs.text
                    prop:value=move || d.text.get()
                    on:input=drafted(state, Field::Text, d.text)
                ></textarea>
                <p class="civique-hint" id=text_hint>
                    {lang.text(Text::MarkdownHint)}
                </p>
                {counter(state, text_count, d.text, TEXT_MAX_LEN, true)}
            </div>
            {category}
            <div class="civique-field">
                <label class="civique-label" for=place_id.clone()>
                    {lang.box_text(BoxText::Place)}
                </label>
                <input
                    id=place_id
                    class="civique-text-input"
                    type="text"
                    maxlength=PLACE_MAX_LEN
                    aria-invalid=invalid(state, Field::Place)
                    node_ref=refs.place
                    prop:value=move || d.place.get()
                    on:input=drafted(state, Field::Place, d.place)
                />
            </div>
            {name_field(state, refs)}
            {footer(state, BoxText::SubmitProposal, Some(cancel))}
        </form>
    }
}

/// "Poser une question": always shown while the box is open.
#[component]
pub fn QuestionForm(state: BoxState) -> impl IntoView {
    let lang = state.lang;
    let d = state.draft;
    let refs = Refs::new();
    let id = unique_id();
    let count_id = format!("{id}-count");
    view! {
        <form
            class="civique-composer civique-question-form"
            aria-label=lang.box_text(BoxText::AskQuestion)
            novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                submit(state, move |f| refs.focus(f));
            }
        >
            <div class="civique-field">
                <label class="civique-label" for=id.clone()>
                    {lang.box_text(BoxText::YourQuestion)}
                </label>
                <textarea
                    id=id
                    class="civique-textarea"
                    rows="3"
                    aria-required="true"
                    aria-describedby=count_id.clone()
                    aria-invalid=invalid(state, Field::Title)
                    node_ref=refs.question
                    prop:value=move || d.title.get()
                    on:input=drafted(state, Field::Title, d.title)
                ></textarea>
                {counter(state, count_id, d.title, title_max(true), true)}
            </div>
            {name_field(state, refs)}
            {footer(state, BoxText::SubmitQuestion, None)}
        </form>
        {thanks(state)}
    }
}
