//! The networked thread: loads it, sends comments, follows live changes, tells the host page.

use std::cell::RefCell;
use std::rc::Rc;

use civique_api::comments::{events, CommentPage, CommentStatus, CommentView};
use leptos::callback::Callback;
use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use wasm_bindgen::{JsCast, JsValue};

use super::{check_comment, Actions, CommentsCard, Editor, Node, Target, ThreadState};
use crate::client::{comment_view, parse_json, useful_view, Client, ClientError, Subscription};
use crate::i18n::{Lang, Text};
use crate::ui::{fail, Host, MyData, Phase};

/// Which thread a widget shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThreadRef {
    /// A thread id (`thread="…"`).
    Id(String),
    /// A site's thread for a page key, created on first use when the site allows it.
    Key {
        /// Site id.
        site: String,
        /// Page key.
        key: String,
    },
}

const EVENTS: &[&str] = &[
    events::COMMENT_CREATED,
    events::COMMENT_UPDATED,
    events::COMMENT_REMOVED,
    events::USEFUL_CHANGED,
];

/// Every comment id in `views` and their inline replies.
fn ids_in(views: &[CommentView], out: &mut Vec<i64>) {
    for v in views {
        out.push(v.id);
        ids_in(&v.replies, out);
    }
}

/// Every page of replies of comment `id`.
async fn all_replies(client: &Client, id: i64) -> Result<Vec<CommentView>, ClientError> {
    let mut views = Vec::new();
    let mut cursor = None;
    loop {
        let CommentPage {
            comments,
            next_cursor,
            ..
        } = client.replies(id, cursor.as_deref()).await?;
        views.extend(comments);
        cursor = next_cursor;
        if cursor.is_none() {
            return Ok(views);
        }
    }
}

/// Reloads the pages shown and merges them in place: new comments from others are inserted
/// only when `admit`; `touched` comments beyond the inline replies are reloaded with their
/// siblings.
async fn refresh(client: Client, state: ThreadState, admit: bool, touched: Vec<i64>) {
    let thread = state.thread_id();
    let sort = state.sort.get_untracked();
    let mut views = Vec::new();
    let mut cursor: Option<String> = None;
    let mut count = None;
    for _ in 0..state.pages.get_value().max(1) {
        let Ok(page) = client.comments(&thread, sort, cursor.as_deref()).await else {
            return;
        };
        views.extend(page.comments);
        count = Some(page.count);
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    if state.is_gone() {
        return;
    }
    let mut seen = Vec::new();
    ids_in(&views, &mut seen);
    state.merge(state.roots, views, 0, admit);
    state.next_cursor.set(cursor);
    if let Some(count) = count {
        state.count.set(count);
    }
    let missing: Vec<i64> = touched
        .into_iter()
        .filter(|id| !seen.contains(id))
        .collect();
    for id in missing {
        let parent = state
            .find(id)
            .and_then(|n| n.view.with_untracked(|v| v.parent_id));
        let Some(parent) = parent.and_then(|p| state.find(p)) else {
            continue;
        };
        if let Ok(replies) = all_replies(&client, parent.id).await {
            ids_in(&replies, &mut seen);
            state.merge(parent.replies, replies, 0, admit);
        }
    }
    for id in state
        .removed
        .try_update_value(std::mem::take)
        .unwrap_or_default()
    {
        if !seen.contains(&id) {
            state.remove(id, CommentStatus::Deleted);
        }
    }
}

/// A comment thread of the endpoint at `endpoint`, live: the component `mountComments` mounts.
#[component]
pub fn Comments(
    /// The thread, by id or by page key.
    thread: ThreadRef,
    /// Endpoint URL, e.g. `https://consultation.saint-exemple.fr/`.
    #[prop(into)]
    endpoint: String,
    /// Interface language.
    lang: Lang,
    /// Element receiving `civique:comment` and `civique:error` events.
    #[prop(optional)]
    host: Host,
) -> impl IntoView {
    let state = ThreadState::new(lang, &endpoint);
    let client = Client::new(&endpoint);
    let owner = Owner::current().unwrap_or_default();
    let subscription: SendWrapper<Rc<RefCell<Option<Subscription>>>> =
        SendWrapper::new(Rc::default());

    // Live changes: edits, removals and counts apply in place; new comments wait.
    let on_event = {
        let (client, owner) = (client.clone(), owner.clone());
        move |name: &str, data: &str| {
            let (client, data) = (client.clone(), parse_json(data));
            let id = js_sys::Reflect::get(&data, &"id".into())
                .ok()
                .and_then(|v| v.as_f64())
                .map_or(0, |n| n as i64);
            owner.with(|| {
                if state.is_gone() {
                    return;
                }
                let known = state.find(id);
                // The comment as any reader sees it travels with the event.
                let comment = js_sys::Reflect::get(&data, &"comment".into())
                    .ok()
                    .and_then(|v| comment_view(&v));
                match (name, comment) {
                    (events::COMMENT_CREATED, _) => state.announce(id),
                    (events::USEFUL_CHANGED, _) => {
                        if let (Some(node), Some(u)) = (known, useful_view(&data)) {
                            node.view.update(|v| v.useful = u.useful);
                        }
                    }
                    (events::COMMENT_UPDATED | events::COMMENT_REMOVED, _) if known.is_none() => {}
                    (events::COMMENT_REMOVED, comment) => {
                        let placeholder = comment
                            .as_ref()
                            .map_or(CommentStatus::Deleted, |c| c.status);
                        state.remove(id, placeholder);
                        if let Some(comment) = comment {
                            state.apply_change(comment);
                        }
                    }
                    (_, Some(comment)) => state.apply_change(comment),
                    // From an endpoint that sends no comment with its events.
                    _ => spawn_local(refresh(client, state, false, vec![id])),
                }
            });
        }
    };

    let my_data = MyData::new(host.clone(), client.clone(), state.lang);
    my_data.on_erased({
        let client = client.clone();
        move || spawn_local(refresh(client.clone(), state, true, Vec::new()))
    });
    let load = {
        let (client, subscription, on_event, my_data) = (
            client.clone(),
            subscription.clone(),
            on_event.clone(),
            my_data.clone(),
        );
        move || {
            let (client, thread, subscription, on_event, my_data) = (
                client.clone(),
                thread.clone(),
                subscription.clone(),
                on_event.clone(),
                my_data.clone(),
            );
            spawn_local(async move {
                let found = match &thread {
                    ThreadRef::Id(id) => client.thread(id).await,
                    ThreadRef::Key { site, key } => client.claim_thread(site, key).await,
                };
                let answer = match found {
                    Ok(t) => {
                        let sort = state.sort.get_untracked();
                        client.comments(&t.id, sort, None).await.map(|p| (t, p))
                    }
                    Err(e) => Err(e),
                };
                if state.is_gone() {
                    return;
                }
                match answer {
                    Ok((t, page)) => {
                        let url = format!("{}/events", client.thread_url(&t.id));
                        my_data.show(&t.site_id);
                        state.show(t, page.count, page.comments, page.next_cursor);
                        *subscription.borrow_mut() = Some(Subscription::new(url, EVENTS, on_event));
                    }
                    Err(error) => state.phase.set(Phase::Failed(error)),
                }
            });
        }
    };
    on_cleanup(move || drop(subscription.take()));
    on_cleanup(move || my_data.remove());
    load();
    let ticker = set_interval_with_handle(
        move || state.now.set(js_sys::Date::now()),
        std::time::Duration::from_secs(30),
    )
    .ok();
    on_cleanup(move || {
        if let Some(t) = ticker {
            t.clear();
        }
    });

    let emit_error = {
        let host = host.clone();
        move |code: &str| {
            host.emit(
                "civique:error",
                &[("thread", state.thread_id().into()), ("code", code.into())],
            )
        }
    };
    // Runs `request` for a button outside forms; its failure goes to the thread's alert.
    let act = {
        let emit_error = emit_error.clone();
        move |request: std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<(), ClientError>>>,
        >| {
            let emit_error = emit_error.clone();
            state.alert.set(None);
            spawn_local(async move {
                if let Err(e) = request.await {
                    if !state.is_gone() {
                        fail(state.alert, e.code());
                        emit_error(e.code());
                    }
                }
            });
        }
    };

    let submit = {
        let (client, host) = (client.clone(), host.clone());
        Callback::new(move |editor: Editor| {
            if editor.sending.get_untracked() {
                return;
            }
            let text = editor.text.get_untracked();
            let name = state.name.get_untracked();
            let named =
                matches!(editor.target, Target::Thread | Target::Reply(_)).then_some(name.as_str());
            let checked = match editor.target {
                Target::Report(_) => None,
                _ => check_comment(named, &text),
            };
            if let Some(code) = checked {
                fail(editor.error, code);
                return;
            }
            editor.error.set(None);
            editor.sending.set(true);
            let (client, host, emit_error) = (client.clone(), host.clone(), emit_error.clone());
            spawn_local(async move {
                let thread = state.thread_id();
                let answer = match editor.target {
                    Target::Thread | Target::Reply(_) => {
                        let parent = match editor.target {
                            Target::Reply(p) => Some(p),
                            _ => None,
                        };
                        client
                            .post_comment(&thread, name.trim(), &text, parent)
                            .await
                            .map(|view| {
                                let id = view.id;
                                state.status.set(Some(
                                    if view.status == CommentStatus::Published {
                                        Text::Posted
                                    } else {
                                        Text::PostedPending
                                    },
                                ));
                                state.add_own(view);
                                state.save_draft(parent, "");
                                editor.text.set(String::new());
                                host.emit(
                                    "civique:comment",
                                    &[
                                        ("thread", thread.as_str().into()),
                                        ("id", JsValue::from(id as f64)),
                                    ],
                                );
                            })
                    }
                    Target::Edit(id) => client.edit_comment(id, &text).await.map(|mut view| {
                        view.replies.clear();
                        if let Some(node) = state.find(id) {
                            node.view.set(view);
                        }
                    }),
                    Target::Report(id) => client.report(id, &text).await.map(|()| {
                        state.status.set(Some(Text::Reported));
                    }),
                };
                if state.is_gone() {
                    return;
                }
                editor.sending.set(false);
                match answer {
                    Ok(()) => {
                        editor.done.set(true);
                        editor.open.set(false);
                    }
                    Err(e) => {
                        fail(editor.error, e.code());
                        emit_error(e.code());
                    }
                }
            });
        })
    };

    let delete = {
        let (client, act) = (client.clone(), act.clone());
        Callback::new(move |node: Node| {
            let confirmed = web_sys::window()
                .and_then(|w| w.confirm_with_message(lang.text(Text::ConfirmDelete)).ok())
                .unwrap_or(true);
            if confirmed {
                let client = client.clone();
                act(Box::pin(async move {
                    client.delete_comment(node.id).await?;
                    state.remove(node.id, CommentStatus::Deleted);
                    Ok(())
                }));
            }
        })
    };
    let useful = {
        let (client, act) = (client.clone(), act.clone());
        Callback::new(move |node: Node| {
            let client = client.clone();
            let on = !node.view.with_untracked(|v| v.my_useful);
            act(Box::pin(async move {
                let u = client.set_useful(node.id, on).await?;
                node.view.update(|v| {
                    v.useful = u.useful;
                    v.my_useful = u.my_useful;
                });
                Ok(())
            }));
        })
    };
    let more_replies = {
        let (client, act) = (client.clone(), act.clone());
        Callback::new(move |node: Node| {
            let client = client.clone();
            state.busy.set(true);
            act(Box::pin(async move {
                let replies = all_replies(&client, node.id).await;
                state.busy.set(false);
                state.merge(node.replies, replies?, 0, true);
                node.more.set(0);
                Ok(())
            }));
        })
    };
    let load_more = {
        let (client, act) = (client.clone(), act.clone());
        Callback::new(move |()| {
            let Some(cursor) = state.next_cursor.get_untracked() else {
                return;
            };
            let client = client.clone();
            state.busy.set(true);
            act(Box::pin(async move {
                let page = client
                    .comments(
                        &state.thread_id(),
                        state.sort.get_untracked(),
                        Some(&cursor),
                    )
                    .await;
                state.busy.set(false);
                let page = page?;
                state.merge(state.roots, page.comments, usize::MAX, true);
                state.next_cursor.set(page.next_cursor);
                state.count.set(page.count);
                state.pages.update_value(|p| *p += 1);
                Ok(())
            }));
        })
    };
    let show_fresh = {
        let (client, host) = (client.clone(), host.clone());
        Callback::new(move |()| {
            let first = state.fresh.with_untracked(|f| f.first().copied());
            let (client, host) = (client.clone(), host.clone());
            spawn_local(async move {
                refresh(client, state, true, Vec::new()).await;
                state.fresh.set(Vec::new());
                // The button is gone: focus goes to the first new comment instead of the page.
                let article =
                    first.and_then(|id| host.query(&format!("article[data-id=\"{id}\"]")));
                if let Some(el) = article.and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok()) {
                    let _ = el.focus();
                }
            });
        })
    };
    let sort = {
        let (client, act) = (client.clone(), act.clone());
        Callback::new(move |sort| {
            state.sort.set(sort);
            let client = client.clone();
            act(Box::pin(async move {
                let page = client.comments(&state.thread_id(), sort, None).await?;
                if let Some(t) = state.thread.get_untracked() {
                    state.show(t, page.count, page.comments, page.next_cursor);
                }
                Ok(())
            }));
        })
    };
    let retry = Callback::new(move |()| {
        state.phase.set(Phase::Loading);
        load();
    });

    let actions = Actions {
        submit,
        delete,
        useful,
        more_replies,
        load_more,
        show_fresh,
        sort,
        retry,
    };
    view! { <CommentsCard state actions /> }
}
