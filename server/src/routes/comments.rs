//! Resident-facing comment routes: threads, comment pages, posting, editing, votes, reports, live events.

use std::convert::Infallible;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware;
use axum::response::sse::{Event, Sse};
use axum::routing::{get, patch, put};
use axum::{Json, Router};
use civique_api::comments::{events, limits};
use civique_api::{
    CommentEdit, CommentInput, CommentPage, CommentSort, CommentStatus, CommentView, ReportInput,
    ThreadClaim, ThreadInput, ThreadView, UsefulView,
};
use futures_util::Stream;
use serde::Deserialize;
use time::OffsetDateTime;

use super::guard::{
    self, check_origin, held_for_review, live, reader, required_participant, Reader,
};
use crate::comment::{
    check_name, check_text, keyed_thread_id, nest, new_thread, status_name, Comment, Cursor, Thread,
};
use crate::error::{ApiError, Result};
use crate::extract::{ApiJson, ApiQuery};
use crate::poll::parse_time;
use crate::store::{NewComment, ReportOutcome};
use crate::AppState;

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/threads/{id}", get(show_thread))
        .route("/sites/{site}/threads/by-key/{key}", put(claim_thread))
        .route("/threads/{id}/comments", get(list).post(create))
        .route("/threads/{id}/events", get(watch))
        .route("/comments/{id}", patch(edit).delete(remove))
        .route("/comments/{id}/replies", get(replies))
        .route(
            "/comments/{id}/useful",
            put(mark_useful).delete(unmark_useful),
        )
        .route("/comments/{id}/reports", axum::routing::post(report))
        .method_not_allowed_fallback(super::method_not_allowed)
        .layer(middleware::from_fn_with_state(state, guard::cors))
}

/// Loads the thread, refusing origins its site does not list.
async fn thread_for_origin(state: &AppState, id: &str, headers: &HeaderMap) -> Result<Thread> {
    let thread = state
        .store
        .thread(id)
        .await?
        .ok_or(ApiError::NotFound("thread"))?;
    check_origin(state, &thread.site_id, headers).await?;
    Ok(thread)
}

/// Loads a comment as the requesting participant sees it, with its thread.
async fn comment_for_origin(
    state: &AppState,
    id: i64,
    headers: &HeaderMap,
) -> Result<(Thread, Comment, Reader)> {
    let not_found = || ApiError::NotFound("comment");
    let thread_id = state
        .store
        .comment(id, None)
        .await?
        .ok_or_else(not_found)?
        .thread_id;
    let thread = thread_for_origin(state, &thread_id, headers).await?;
    let reader = reader(state, &thread.site_id, headers).await?;
    let comment = state
        .store
        .comment(id, reader.id)
        .await?
        .ok_or_else(not_found)?;
    Ok((thread, comment, reader))
}

/// A published comment, for votes and reports from a participant.
async fn published_comment(
    state: &AppState,
    id: i64,
    headers: &HeaderMap,
) -> Result<(Thread, Comment, String)> {
    let (thread, comment, reader) = comment_for_origin(state, id, headers).await?;
    let key = reader.key.ok_or(ApiError::MissingParticipant)?;
    if comment.status() != CommentStatus::Published {
        return Err(ApiError::NotFound("comment"));
    }
    Ok((thread, comment, key))
}

/// The requester's own comment, still within the edit window.
async fn own_comment(state: &AppState, id: i64, headers: &HeaderMap) -> Result<(Thread, Comment)> {
    let (thread, comment, reader) = comment_for_origin(state, id, headers).await?;
    reader.key.ok_or(ApiError::MissingParticipant)?;
    if !matches!(
        comment.status(),
        CommentStatus::Published | CommentStatus::Pending
    ) {
        return Err(ApiError::NotFound("comment"));
    }
    if !comment.mine {
        return Err(ApiError::NotAuthor);
    }
    let created = parse_time(&comment.created_at)
        .map_err(|e| ApiError::Internal(crate::StoreError::Corrupt(e)))?;
    if OffsetDateTime::now_utc() - created > state.comments.edit_window {
        return Err(ApiError::EditWindowOver);
    }
    Ok((thread, comment))
}

/// Announces a published change to the thread's watchers.
fn signal(state: &AppState, thread_id: &str, event: &'static str, data: String) {
    state
        .hub
        .publish(&format!("thread:{thread_id}"), event, data);
}

fn signal_id(state: &AppState, thread_id: &str, event: &'static str, id: i64) {
    signal(state, thread_id, event, format!("{{\"id\":{id}}}"));
}

pub async fn thread_view(state: &AppState, thread: &Thread) -> Result<ThreadView> {
    Ok(thread.view(state.store.thread_count(&thread.id).await?))
}

/// Views of `roots` with their inline replies, level by level (one query per level).
pub async fn tree(
    state: &AppState,
    roots: &[Comment],
    me: Option<i64>,
) -> Result<Vec<CommentView>> {
    let mut levels = Vec::new();
    let mut parents: Vec<i64> = roots.iter().map(|c| c.id).collect();
    while !parents.is_empty() {
        let level = state.store.inline_replies(&parents, me).await?;
        parents = level.iter().map(|c| c.id).collect();
        levels.push(level);
    }
    Ok(nest(roots, levels))
}

/// One comment with its inline replies.
async fn single(state: &AppState, id: i64, me: Option<i64>) -> Result<CommentView> {
    let comment = state
        .store
        .comment(id, me)
        .await?
        .ok_or(ApiError::NotFound("comment"))?;
    let mut views = tree(state, &[comment], me).await?;
    views.pop().ok_or(ApiError::NotFound("comment"))
}

async fn show_thread(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<ThreadView>> {
    let thread = thread_for_origin(&state, &id, &headers).await?;
    Ok(Json(thread_view(&state, &thread).await?))
}

/// Returns the site's thread `key`, creating it first when the site allows auto threads.
async fn claim_thread(
    State(state): State<AppState>,
    Path((site, key)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<ApiJson<ThreadClaim>>,
) -> Result<(StatusCode, Json<ThreadView>)> {
    let settings = state
        .store
        .site_settings(&site)
        .await?
        .ok_or(ApiError::NotFound("site"))?;
    check_origin(&state, &site, &headers).await?;
    required_participant(&site, &headers)?;
    let ApiJson(claim) = body?;
    let id = keyed_thread_id(&site, &key).map_err(ApiError::InvalidInput)?;
    if let Some(thread) = state.store.thread(&id).await? {
        if thread.site_id != site {
            return Err(ApiError::NotFound("thread"));
        }
        return Ok((StatusCode::OK, Json(thread_view(&state, &thread).await?)));
    }
    if !settings.auto_threads {
        return Err(ApiError::NotFound("thread"));
    }
    let thread = new_thread(ThreadInput {
        title: claim.title.unwrap_or(key),
        id,
        site_id: site,
        pre_moderation: false,
        max_depth: None,
    })
    .map_err(ApiError::InvalidInput)?;
    state.store.create_thread(&thread).await?;
    Ok((StatusCode::CREATED, Json(thread.view(0))))
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    #[serde(default)]
    sort: CommentSort,
    cursor: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<CommentPage>> {
    let thread = thread_for_origin(&state, &id, &headers).await?;
    let me = reader(&state, &thread.site_id, &headers).await?.id;
    let cursor = query
        .cursor
        .as_deref()
        .map(|text| Cursor::parse(query.sort, text))
        .transpose()?;
    let (mut roots, mut page) = state
        .store
        .top_comments(&thread.id, me, query.sort, cursor)
        .await?;
    let next_cursor = next_page(&mut page, |last| Cursor::after(query.sort, last));
    roots.append(&mut page);
    Ok(Json(CommentPage {
        count: state.store.thread_count(&thread.id).await?,
        comments: tree(&state, &roots, me).await?,
        next_cursor,
    }))
}

/// Trims the extra row fetched to detect a following page; returns that page's cursor.
fn next_page(page: &mut Vec<Comment>, cursor: impl Fn(&Comment) -> String) -> Option<String> {
    if page.len() <= limits::PAGE_SIZE {
        return None;
    }
    page.truncate(limits::PAGE_SIZE);
    page.last().map(cursor)
}

#[derive(Debug, Deserialize)]
struct RepliesQuery {
    cursor: Option<String>,
}

async fn replies(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<RepliesQuery>,
) -> Result<Json<CommentPage>> {
    let (_, comment, reader) = comment_for_origin(&state, id, &headers).await?;
    let after = match query.cursor.as_deref() {
        Some(text) => text
            .parse()
            .map_err(|_| ApiError::BadRequest(format!("invalid cursor {text:?}")))?,
        None => 0,
    };
    let mut page = state.store.replies(comment.id, reader.id, after).await?;
    let next_cursor = next_page(&mut page, |last| last.id.to_string());
    Ok(Json(CommentPage {
        count: state.store.reply_count(comment.id).await?,
        comments: tree(&state, &page, reader.id).await?,
        next_cursor,
    }))
}

async fn create(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<ApiJson<CommentInput>>,
) -> Result<(StatusCode, Json<CommentView>)> {
    let thread = thread_for_origin(&state, &id, &headers).await?;
    let key = required_participant(&thread.site_id, &headers)?;
    let ApiJson(input) = body?;
    if input.official {
        return Err(ApiError::Unauthorized(
            "official comments are posted through the admin API",
        ));
    }
    let view = post_comment(&state, &thread, input, Some(key)).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Validates, renders and stores a comment; `author_key` is `None` for staff, who skip
/// moderation, blocked words, locks and rate limits.
pub async fn post_comment(
    state: &AppState,
    thread: &Thread,
    input: CommentInput,
    author_key: Option<String>,
) -> Result<CommentView> {
    let staff = author_key.is_none();
    if thread.locked && !staff {
        return Err(ApiError::ThreadLocked);
    }
    let author_name = check_name(&input.author_name)?;
    let (text, html) = check_text(&input.text)?;
    let mut status = if thread.pre_moderation && !staff {
        CommentStatus::Pending
    } else {
        CommentStatus::Published
    };
    if !staff {
        status = screen(state, thread, &text, status).await?;
    }
    let (parent_id, depth, reply_to_name) = match input.parent_id {
        None => (None, 0, None),
        Some(parent_id) => {
            let parent = state
                .store
                .comment(parent_id, None)
                .await?
                .filter(|p| p.thread_id == thread.id && p.status() == CommentStatus::Published)
                .ok_or(ApiError::InvalidParent)?;
            if parent.depth < thread.max_depth {
                (Some(parent.id), parent.depth + 1, None)
            } else {
                // Too deep: attach beside the parent and say whom it answers.
                (parent.parent_id, parent.depth, Some(parent.author_name))
            }
        }
    };
    if let Some(key) = &author_key {
        if !state
            .comments
            .posting
            .allow(&thread.id, key, &thread.site_id)
        {
            return Err(ApiError::RateLimited);
        }
    }
    let new = NewComment {
        thread_id: thread.id.clone(),
        parent_id,
        depth,
        author_key: author_key.clone(),
        author_name,
        reply_to_name,
        text,
        html,
        status: status_name(status),
        official: staff && input.official,
    };
    let ids = state
        .store
        .insert_comments(&thread.site_id, std::slice::from_ref(&new))
        .await?;
    let id = ids.first().copied().ok_or(ApiError::NotFound("comment"))?;
    let me = match &author_key {
        Some(key) => state.store.find_participant(&thread.site_id, key).await?,
        None => None,
    };
    if status == CommentStatus::Published {
        signal_id(state, &thread.id, events::COMMENT_CREATED, id);
    }
    single(state, id, me).await
}

/// Applies the site's blocked words to a resident's text: refused, or held for review.
async fn screen(
    state: &AppState,
    thread: &Thread,
    text: &str,
    status: CommentStatus,
) -> Result<CommentStatus> {
    Ok(if held_for_review(state, &thread.site_id, text).await? {
        CommentStatus::Pending
    } else {
        status
    })
}

async fn edit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Result<ApiJson<CommentEdit>>,
) -> Result<Json<CommentView>> {
    let (thread, comment) = own_comment(&state, id, &headers).await?;
    let ApiJson(edit) = body?;
    if thread.locked {
        return Err(ApiError::ThreadLocked);
    }
    let (text, html) = check_text(&edit.text)?;
    let before = comment.status();
    let status = screen(&state, &thread, &text, before).await?;
    state
        .store
        .edit_comment(id, &text, &html, status_name(status))
        .await?;
    match (before, status) {
        (CommentStatus::Published, CommentStatus::Published) => {
            signal_id(&state, &thread.id, events::COMMENT_UPDATED, id);
        }
        (CommentStatus::Published, _) => {
            signal_id(&state, &thread.id, events::COMMENT_REMOVED, id);
        }
        _ => {}
    }
    let me = reader(&state, &thread.site_id, &headers).await?.id;
    Ok(Json(single(&state, id, me).await?))
}

async fn remove(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<StatusCode> {
    let (thread, comment) = own_comment(&state, id, &headers).await?;
    state
        .store
        .set_comment_state(id, "deleted", comment.pinned, None, None)
        .await?;
    if comment.status() == CommentStatus::Published {
        signal_id(&state, &thread.id, events::COMMENT_REMOVED, id);
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn mark_useful(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Json<UsefulView>> {
    set_useful(&state, id, &headers, true).await
}

async fn unmark_useful(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Json<UsefulView>> {
    set_useful(&state, id, &headers, false).await
}

async fn set_useful(
    state: &AppState,
    id: i64,
    headers: &HeaderMap,
    useful: bool,
) -> Result<Json<UsefulView>> {
    let (thread, _, key) = published_comment(state, id, headers).await?;
    let (count, changed) = state
        .store
        .set_useful(id, &thread.site_id, &key, useful)
        .await?;
    if changed {
        signal(
            state,
            &thread.id,
            events::USEFUL_CHANGED,
            format!("{{\"id\":{id},\"useful\":{count}}}"),
        );
    }
    Ok(Json(UsefulView {
        id,
        useful: count,
        my_useful: useful,
    }))
}

async fn report(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Result<ApiJson<ReportInput>>,
) -> Result<StatusCode> {
    let (thread, _, key) = published_comment(&state, id, &headers).await?;
    let ApiJson(input) = body?;
    let reason = input.reason.trim();
    if reason.is_empty() || reason.chars().count() > limits::REPORT_REASON_MAX_LEN {
        return Err(ApiError::InvalidInput(format!(
            "reason must be 1..={} characters",
            limits::REPORT_REASON_MAX_LEN
        )));
    }
    let settings = state
        .store
        .site_settings(&thread.site_id)
        .await?
        .unwrap_or_default();
    match state
        .store
        .report(id, &thread.site_id, &key, reason, settings.report_threshold)
        .await?
    {
        ReportOutcome::Duplicate => Err(ApiError::Conflict(
            "this participant already reported this comment".to_owned(),
        )),
        ReportOutcome::Hid => {
            signal_id(&state, &thread.id, events::COMMENT_REMOVED, id);
            Ok(StatusCode::NO_CONTENT)
        }
        ReportOutcome::Recorded => Ok(StatusCode::NO_CONTENT),
    }
}

/// `text/event-stream` of the thread's published changes.
async fn watch(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let thread = thread_for_origin(&state, &id, &headers).await?;
    Ok(live(&state, &format!("thread:{}", thread.id)))
}

/// Staff moderation: publishes the change the action makes visible to readers.
pub fn announce(state: &AppState, comment: &Comment, after: CommentStatus, pinned: bool) {
    let before = comment.status();
    let event = match (before, after) {
        (CommentStatus::Published, CommentStatus::Published) if pinned == comment.pinned => {
            return;
        }
        (CommentStatus::Published, CommentStatus::Published) => events::COMMENT_UPDATED,
        (CommentStatus::Published, _) => events::COMMENT_REMOVED,
        (_, CommentStatus::Published) => events::COMMENT_CREATED,
        _ => return,
    };
    signal_id(state, &comment.thread_id, event, comment.id);
}
