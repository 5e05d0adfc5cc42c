//! The forms of a thread: writing a comment or a reply, editing one, reporting one.

use leptos::callback::{Callable, Callback};
use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

use super::{Editor, Target, ThreadState};
use crate::i18n::{Lang, Text};
use crate::ui::unique_id;

/// Moves focus into a form as it opens (not the thread's own form, always there).
fn focus_on_open(target: Target, element: impl Fn() -> Option<web_sys::HtmlElement> + 'static) {
    if target != Target::Thread {
        Effect::new(move |_| {
            if let Some(el) = element() {
                let _ = el.focus();
            }
        });
    }
}

/// Escape closes a reply, edit or report form (focus then returns to its button).
fn close_on_escape(editor: Editor) -> impl Fn(KeyboardEvent) {
    move |ev| {
        if ev.key() == "Escape" && editor.target != Target::Thread {
            ev.prevent_default();
            editor.open.set(false);
        }
    }
}

/// The alert of the last failure and the submit and cancel buttons every form ends with.
fn footer(lang: Lang, editor: Editor, submit: Text) -> impl IntoView {
    let cancel = (editor.target != Target::Thread).then(|| {
        view! {
            <button
                type="button"
                class="civique-button civique-secondary"
                part="button"
                on:click=move |_| editor.open.set(false)
            >
                {lang.text(Text::Cancel)}
            </button>
        }
    });
    view! {
        {alert(lang, editor.error)}
        <div class="civique-form-actions">
            <button
                type="submit"
                class="civique-button"
                part="button"
                aria-busy=move || editor.sending.get().then_some("true")
            >
                {lang.text(submit)}
            </button>
            {cancel}
        </div>
    }
}

/// A form writing a new comment, a reply or an edit; drafts are saved on every input.
#[component]
pub fn Composer(
    /// The thread.
    state: ThreadState,
    /// The form's signals.
    editor: Editor,
    /// Sends it.
    #[prop(into)]
    on_submit: Callback<Editor>,
) -> impl IntoView {
    let lang = state.lang;
    let id = unique_id();
    let (hint_id, counter_id) = (format!("{id}-hint"), format!("{id}-count"));
    let parent = match editor.target {
        Target::Reply(p) => Some(p),
        _ => None,
    };
    let drafted = !matches!(editor.target, Target::Edit(_));
    let (label, submit) = match editor.target {
        Target::Thread => (Text::YourComment, Text::Publish),
        Target::Reply(_) => (Text::YourReply, Text::Publish),
        _ => (Text::EditText, Text::Save),
    };
    let textarea = NodeRef::<html::Textarea>::new();
    focus_on_open(editor.target, move || textarea.get().map(Into::into));
    let name = drafted.then(|| {
        let name_id = format!("{id}-name");
        view! {
            <div class="civique-field">
                <label class="civique-label" for=name_id.clone()>
                    {lang.text(Text::YourName)}
                </label>
                <input
                    id=name_id
                    class="civique-text-input"
                    type="text"
                    autocomplete="nickname"
                    maxlength="60"
                    prop:value=move || state.name.get()
                    on:input=move |ev| state.set_name(event_target_value(&ev))
                />
            </div>
        }
    });
    let used = Memo::new(move |_| editor.text.with(|t| t.chars().count()));
    let spoken = Memo::new(move |_| lang.chars_left(used.get()));
    view! {
        <form
            class="civique-composer"
            novalidate
            on:keydown=close_on_escape(editor)
            on:submit=move |ev| {
                ev.prevent_default();
                on_submit.run(editor);
            }
        >
            {name}
            <div class="civique-field">
                <label class="civique-label" for=id.clone()>
                    {lang.text(label)}
                </label>
                <textarea
                    id=id
                    class="civique-textarea"
                    rows="4"
                    aria-describedby=format!("{hint_id} {counter_id}")
                    node_ref=textarea
                    prop:value=move || editor.text.get()
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        if drafted {
                            state.save_draft(parent, &text);
                        }
                        editor.text.set(text);
                    }
                ></textarea>
                <p class="civique-hint" id=hint_id>
                    {lang.text(Text::MarkdownHint)}
                </p>
                <p
                    class="civique-counter"
                    id=counter_id
                    data-over=move || (used.get() > civique_api::comments::limits::TEXT_MAX_LEN).then_some("true")
                >
                    {move || lang.char_counter(used.get())}
                </p>
                <p class="civique-sr-only" aria-live="polite">
                    {move || spoken.get()}
                </p>
            </div>
            {footer(lang, editor, submit)}
        </form>
    }
}

/// Report reasons offered, in order.
const REASONS: [Text; 4] = [
    Text::ReasonAbuse,
    Text::ReasonSpam,
    Text::ReasonOffTopic,
    Text::ReasonOther,
];

/// The small report form: a reason and optional details; sends "reason: details".
#[component]
pub fn ReportForm(
    /// Interface language.
    lang: Lang,
    /// The form's signals (`text` receives the reason sent).
    editor: Editor,
    /// Sends it.
    #[prop(into)]
    on_submit: Callback<Editor>,
) -> impl IntoView {
    let id = unique_id();
    let reason = RwSignal::new(0usize);
    let details = RwSignal::new(String::new());
    let select = NodeRef::<html::Select>::new();
    focus_on_open(editor.target, move || select.get().map(Into::into));
    let options = REASONS
        .iter()
        .enumerate()
        .map(|(i, r)| view! { <option value=i.to_string()>{lang.text(*r)}</option> })
        .collect_view();
    let details_id = format!("{id}-details");
    view! {
        <form
            class="civique-composer civique-report"
            novalidate
            on:keydown=close_on_escape(editor)
            on:submit=move |ev| {
                ev.prevent_default();
                let label = lang.text(REASONS[reason.get_untracked().min(3)]);
                let more = details.get_untracked();
                let more = more.trim();
                editor.text.set(if more.is_empty() { label.to_owned() } else { format!("{label}: {more}") });
                on_submit.run(editor);
            }
        >
            <div class="civique-field">
                <label class="civique-label" for=id.clone()>
                    {lang.text(Text::ReportReason)}
                </label>
                <select
                    id=id
                    class="civique-select"
                    node_ref=select
                    on:change=move |ev| reason.set(event_target_value(&ev).parse().unwrap_or(0))
                >
                    {options}
                </select>
            </div>
            <div class="civique-field">
                <label class="civique-label" for=details_id.clone()>
                    {lang.text(Text::ReportDetails)}
                </label>
                <textarea
                    id=details_id
                    class="civique-textarea"
                    rows="2"
                    maxlength="400"
                    on:input=move |ev| details.set(event_target_value(&ev))
                ></textarea>
            </div>
            {footer(lang, editor, Text::SendReport)}
        </form>
    }
}

/// The translated message of the error `code` holds, as an alert; nothing while it is empty.
pub(super) fn alert(lang: Lang, code: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        code.get().map(|code| {
            view! {
                <p class="civique-alert" role="alert">
                    {lang.comment_error(&code)}
                </p>
            }
        })
    }
}
