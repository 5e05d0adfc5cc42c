//! The thread's markup, drawn from a [`ThreadState`]; the network lives in [`super::Comments`].

use civique_api::comments::{CommentSort, CommentStatus};
use leptos::callback::Callable;
use leptos::html;
use leptos::prelude::*;

use super::form::alert;
use super::{editable, Actions, Composer, Editor, Node, ReportForm, Target, ThreadState};
use crate::i18n::Text;
use crate::ui::{unique_id, Failure, Phase};

const SORTS: [(CommentSort, Text); 3] = [
    (CommentSort::Oldest, Text::SortOldest),
    (CommentSort::Newest, Text::SortNewest),
    (CommentSort::Useful, Text::SortUseful),
];

/// A whole comment thread: its title with the count, the sort, the form (or the closed
/// notice), the nested list and live messages.
#[component]
pub fn CommentsCard(
    /// The state to draw.
    state: ThreadState,
    /// What buttons and forms ask for.
    actions: Actions,
) -> impl IntoView {
    let lang = state.lang;
    let title_id = unique_id();
    let labelled_by = title_id.clone();
    let body = move || match state.phase.get() {
        Phase::Loading => {
            view! { <p class="civique-loading">{lang.text(Text::CommentsLoading)}</p> }.into_any()
        }
        Phase::Failed(error) => {
            let message = match error.code() {
                _ if error.is_transient() => lang.text(Text::Unreachable).to_owned(),
                civique_api::codes::NOT_FOUND => lang.text(Text::ThreadNotFound).to_owned(),
                code => lang.comment_error(code),
            };
            view! {
                <Failure
                    message
                    retry=error.is_transient()
                    on_retry=actions.retry
                    retry_text=lang.text(Text::Retry)
                />
            }
            .into_any()
        }
        Phase::Ready => view! { <ThreadBody state actions title_id=title_id.clone() /> }.into_any(),
    };
    view! {
        <section
            class="civique-comments"
            part="comments"
            lang=lang.tag()
            aria-labelledby=labelled_by
            data-state=move || state.phase.with(Phase::data_state)
            data-locked=move || state.locked().then_some("true")
        >
            {body}
        </section>
    }
}

#[component]
fn ThreadBody(state: ThreadState, actions: Actions, title_id: String) -> impl IntoView {
    let lang = state.lang;
    let sort_id = unique_id();
    let options = SORTS
        .iter()
        .map(|&(sort, text)| {
            view! {
                <option value=sort.as_str() selected=move || state.sort.get() == sort>
                    {lang.text(text)}
                </option>
            }
        })
        .collect_view();
    let on_sort = move |ev| {
        let value = event_target_value(&ev);
        if let Some(&(sort, _)) = SORTS.iter().find(|(s, _)| s.as_str() == value) {
            actions.sort.run(sort);
        }
    };
    let fresh = move || {
        let n = state.fresh.with(Vec::len) as u64;
        (n > 0).then(|| {
            view! {
                <button
                    type="button"
                    class="civique-button civique-fresh-button"
                    part="button"
                    on:click=move |_| actions.show_fresh.run(())
                >
                    {lang.new_comments(n)}
                </button>
            }
        })
    };
    let form = move || {
        if state.locked() {
            view! { <p class="civique-note civique-locked">{lang.text(Text::Locked)}</p> }
                .into_any()
        } else {
            let editor = Editor::new(Target::Thread, state.draft(None));
            view! { <Composer state editor on_submit=actions.submit /> }.into_any()
        }
    };
    let empty = move || {
        state
            .roots
            .with(Vec::is_empty)
            .then(|| view! { <p class="civique-note">{lang.text(Text::NoComments)}</p> })
    };
    let more = move || {
        state.next_cursor.with(Option::is_some).then(|| {
            view! {
                <button
                    type="button"
                    class="civique-button civique-secondary civique-load-more"
                    part="button"
                    aria-busy=move || state.busy.get().then_some("true")
                    on:click=move |_| actions.load_more.run(())
                >
                    {lang.text(Text::LoadMore)}
                </button>
            }
        })
    };
    view! {
        <p class="civique-comments-title" id=title_id>
            {move || lang.comments(state.count.get())}
        </p>
        {form}
        <div class="civique-toolbar">
            <label class="civique-label" for=sort_id.clone()>
                {lang.text(Text::Sort)}
            </label>
            <select id=sort_id class="civique-select" on:change=on_sort>
                {options}
            </select>
        </div>
        <div class="civique-fresh" role="status">
            {fresh}
        </div>
        {alert(lang, state.alert)}
        {empty}
        <CommentList state actions list=state.roots class="civique-comment-list" />
        {more}
        <p class="civique-sr-only" role="status">
            {move || state.status.get().map(|t| lang.text(t))}
        </p>
    }
}

/// An `<ol>` of comments, keyed so that changes never redraw the others.
#[component]
fn CommentList(
    state: ThreadState,
    actions: Actions,
    list: RwSignal<Vec<Node>>,
    class: &'static str,
) -> impl IntoView {
    // Keyed by the node itself, not the comment id: a full reload (another sort) brings new
    // nodes for the same ids, and reusing the old views for them left stale items in place.
    view! {
        <ol class=class>
            <For each=move || list.get() key=|node| node.view let:node>
                <CommentItem state actions node />
            </For>
        </ol>
    }
}

/// One comment (or its placeholder) with its replies, in a `<li>`.
#[component]
fn CommentItem(state: ThreadState, actions: Actions, node: Node) -> AnyView {
    let lang = state.lang;
    let view_of = node.view;
    let status = Memo::new(move |_| view_of.with(|v| v.status));
    let gone = move || matches!(status.get(), CommentStatus::Hidden | CommentStatus::Deleted);
    let more = move || {
        let n = node.more.get();
        (n > 0).then(|| {
            view! {
                <button
                    type="button"
                    class="civique-link-button civique-more-replies"
                    aria-busy=move || state.busy.get().then_some("true")
                    on:click=move |_| actions.more_replies.run(node)
                >
                    {lang.more_replies(n)}
                </button>
            }
        })
    };
    let replies = move || {
        node.replies.with(|r| !r.is_empty()).then(
            || view! { <CommentList state actions list=node.replies class="civique-replies" /> },
        )
    };
    let article = move || {
        if gone() {
            view! { <Placeholder state node /> }.into_any()
        } else {
            view! { <CommentArticle state actions node /> }.into_any()
        }
    };
    view! {
        <li class="civique-comment-item">
            {article}
            {replies}
            {more}
        </li>
    }
    .into_any()
}

/// What remains of a hidden or deleted comment that has replies.
#[component]
fn Placeholder(state: ThreadState, node: Node) -> impl IntoView {
    let lang = state.lang;
    let text = move || {
        node.view.with(|v| {
            let by_staff = v.status == CommentStatus::Hidden || v.removal_reason.is_some();
            let base = lang.text(if by_staff {
                Text::RemovedByModeration
            } else {
                Text::DeletedByAuthor
            });
            match (&v.removal_reason, lang) {
                (Some(reason), crate::i18n::Lang::Fr) => format!("{base}\u{a0}: {reason}"),
                (Some(reason), _) => format!("{base}: {reason}"),
                (None, _) => base.to_owned(),
            }
        })
    };
    view! {
        <article
            class="civique-comment civique-placeholder"
            data-id=node.id
            data-status=move || node.view.with(|v| v.status.as_str())
        >
            <p class="civique-note">{text}</p>
        </article>
    }
}

/// Returns focus to `button` when `editor` closes (Escape, Cancel or success).
fn refocus_on_close(editor: Editor, button: NodeRef<html::Button>) {
    Effect::watch(
        move || editor.open.get(),
        move |open, was_open, _| {
            if !open && was_open == Some(&true) {
                if let Some(button) = button.get_untracked() {
                    let _ = button.focus();
                }
            }
        },
        false,
    );
}

/// A button opening `editor`'s form, which gives focus back to it when the form closes.
fn opener(
    editor: Editor,
    text: Text,
    class: &'static str,
    state: ThreadState,
    on_open: impl Fn() + 'static,
) -> impl IntoView {
    let button = NodeRef::<html::Button>::new();
    refocus_on_close(editor, button);
    view! {
        <button
            type="button"
            class=class
            node_ref=button
            aria-expanded=move || editor.open.get().to_string()
            on:click=move |_| {
                on_open();
                editor.error.set(None);
                editor.open.update(|o| *o = !*o);
            }
        >
            {state.lang.text(text)}
        </button>
    }
}

/// A published (or own pending) comment: author, badges, date, sanitized body, actions and
/// the reply, edit and report forms.
#[component]
fn CommentArticle(state: ThreadState, actions: Actions, node: Node) -> impl IntoView {
    let lang = state.lang;
    let v = node.view;
    let id = unique_id();
    let author_id = format!("{id}-author");
    let labelled_by = author_id.clone();
    let field = move |f: fn(&civique_api::CommentView) -> Option<String>| move || v.with(f);
    let flag = move |f: fn(&civique_api::CommentView) -> bool| move || v.with(f);
    let pinned = flag(|v| v.pinned);
    let official = flag(|v| v.official);
    let mine = flag(|v| v.mine);
    let published = flag(|v| v.status == CommentStatus::Published);
    let created = v.with_untracked(|v| v.created_at.clone());
    let can_edit = {
        let created = created.clone();
        move || mine() && !state.locked() && editable(&created, state.now.get())
    };

    let reply = Editor::new(Target::Reply(node.id), state.draft(Some(node.id)));
    let edit = Editor::new(Target::Edit(node.id), String::new());
    let report = Editor::new(Target::Report(node.id), String::new());

    let badges = move || {
        view! {
            {official().then(|| view! { <span class="civique-badge" part="badge">{lang.text(Text::Official)}</span> })}
            {field(|v| v.reply_to_name.clone())().map(|name| view! { <span class="civique-meta">{lang.reply_to(&name)}</span> })}
        }
    };
    let date = {
        let (at, title) = (created.clone(), lang.datetime(&created));
        let created = created.clone();
        view! {
            <time class="civique-meta" datetime=at title=title>
                {move || lang.relative(&created, state.now.get())}
            </time>
        }
    };
    let markers = move || {
        view! {
            {v.with(|v| v.edited_at.is_some()).then(|| view! { <span class="civique-meta civique-edited">{format!("({})", lang.text(Text::Edited))}</span> })}
            {(!published()).then(|| view! { <span class="civique-pending">{lang.text(Text::Pending)}</span> })}
        }
    };
    let body = move || {
        if edit.open.get() {
            view! { <Composer state editor=edit on_submit=actions.submit /> }.into_any()
        } else {
            view! {
                <div class="civique-comment-body" inner_html=move || v.with(|v| v.html.clone().unwrap_or_default())></div>
            }
            .into_any()
        }
    };
    let useful = move || {
        published().then(|| {
            view! {
                <button
                    type="button"
                    class="civique-link-button civique-useful"
                    aria-pressed=move || v.with(|v| v.my_useful).to_string()
                    on:click=move |_| actions.useful.run(node)
                >
                    {move || format!("{} ({})", lang.text(Text::Useful), v.with(|v| v.useful))}
                </button>
            }
        })
    };
    let reply_button = move || {
        (published() && !state.locked()).then(|| {
            opener(
                reply,
                Text::Reply,
                "civique-link-button civique-reply",
                state,
                || (),
            )
        })
    };
    let own_buttons = move || {
        can_edit().then(|| {
            view! {
                {opener(
                    edit,
                    Text::Edit,
                    "civique-link-button civique-edit",
                    state,
                    move || edit.text.set(v.with_untracked(|v| v.text.clone().unwrap_or_default())),
                )}
                <button
                    type="button"
                    class="civique-link-button civique-delete"
                    on:click=move |_| actions.delete.run(node)
                >
                    {lang.text(Text::Delete)}
                </button>
            }
        })
    };
    let report_button = move || {
        if report.done.get() {
            Some(view! { <span class="civique-note">{lang.text(Text::Reported)}</span> }.into_any())
        } else {
            (published() && !mine()).then(|| {
                opener(
                    report,
                    Text::Report,
                    "civique-link-button civique-report-button",
                    state,
                    || (),
                )
                .into_any()
            })
        }
    };
    let forms = move || {
        view! {
            {move || reply.open.get().then(|| view! { <Composer state editor=reply on_submit=actions.submit /> })}
            {move || report.open.get().then(|| view! { <ReportForm lang editor=report on_submit=actions.submit /> })}
        }
    };
    view! {
        <article
            class="civique-comment"
            part="comment"
            data-id=node.id
            data-status=move || v.with(|v| v.status.as_str())
            data-official=move || official().then_some("true")
            data-mine=move || mine().then_some("true")
            aria-labelledby=labelled_by
            tabindex="-1"
        >
            {move || pinned().then(|| view! { <p class="civique-pinned">{lang.text(Text::Pinned)}</p> })}
            <p class="civique-comment-meta">
                <span class="civique-author" id=author_id>
                    {move || v.with(|v| v.author_name.as_deref().map(|n| lang.author(n).to_owned()))}
                </span>
                " "
                {badges}
                " "
                {date}
                " "
                {markers}
            </p>
            {body}
            <div class="civique-comment-actions">
                {useful}
                {reply_button}
                {own_buttons}
                {report_button}
            </div>
            {forms}
        </article>
    }
}
