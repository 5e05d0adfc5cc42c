//! Staff routes behind `Authorization: Bearer <admin_token>`: sites, polls, threads, moderation, audit.
//! Proposal boxes have theirs in [`super::admin_proposals`].

use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use civique_api::comments::limits;
use civique_api::{
    AuditEntry, CommentInput, CommentStatus, CommentView, ModerationAction, ModerationInput,
    PollInput, PollView, Site, SiteInput, ThreadInput, ThreadPatch, ThreadView,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::comments::{announce, post_comment, thread_view, tree};
use crate::comment::{new_thread, status_name, Thread};
use crate::error::{ApiError, Result};
use crate::extract::{ApiJson, ApiQuery};
use crate::poll::{check_site, NewPoll, Poll};
use crate::proposal::name_of;
use crate::{AppState, Store};

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/admin/sites", post(create_site))
        .route("/admin/polls", post(create_poll).get(list_polls))
        .route("/admin/threads", post(create_thread).get(list_threads))
        .route("/admin/threads/{id}", patch(update_thread))
        .route("/admin/threads/{id}/comments", post(post_official))
        .route("/admin/comments/{id}/moderation", post(moderate))
        .route("/admin/audit", get(audit))
        .route_layer(middleware::from_fn_with_state(state, require_admin))
}

pub(super) async fn require_admin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response> {
    let expected = state.admin_token().ok_or(ApiError::Unauthorized(
        "the admin API is disabled (no admin_token configured)",
    ))?;
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or(ApiError::Unauthorized("missing bearer token"))?;
    // Comparing digests keeps the comparison time independent of where the tokens differ.
    if Sha256::digest(given) != Sha256::digest(expected) {
        return Err(ApiError::Unauthorized("wrong admin token"));
    }
    Ok(next.run(request).await)
}

async fn create_site(
    State(state): State<AppState>,
    ApiJson(site): ApiJson<SiteInput>,
) -> Result<(StatusCode, Json<Site>)> {
    insert_site(&state.store, &site).await?;
    Ok((StatusCode::CREATED, Json(site)))
}

async fn create_poll(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<PollInput>,
) -> Result<(StatusCode, Json<PollView>)> {
    let poll = insert_poll(&state.store, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(staff_view(&state.store, &poll).await?),
    ))
}

/// `?site=`: only this site's items.
#[derive(Debug, Deserialize)]
pub(super) struct ListQuery {
    pub site: Option<String>,
}

async fn list_polls(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<PollView>>> {
    let mut views = Vec::new();
    for poll in state.store.list_polls(query.site.as_deref()).await? {
        views.push(staff_view(&state.store, &poll).await?);
    }
    Ok(Json(views))
}

/// Validates and stores a site (admin API, CLI and seed files share this path).
pub async fn insert_site(store: &Store, site: &SiteInput) -> Result<()> {
    check_site(site).map_err(ApiError::InvalidInput)?;
    Ok(store.create_site(site).await?)
}

/// Validates and stores a poll (admin API, CLI and seed files share this path).
pub async fn insert_poll(store: &Store, input: PollInput) -> Result<Poll> {
    let new = NewPoll::from_input(input).map_err(ApiError::InvalidInput)?;
    if !store.site_exists(&new.site_id).await? {
        return Err(ApiError::InvalidInput(format!(
            "unknown site_id {:?}",
            new.site_id
        )));
    }
    Ok(store.create_poll(&new).await?)
}

/// Staff always see the results.
pub async fn staff_view(store: &Store, poll: &Poll) -> Result<PollView> {
    let status = poll.status(OffsetDateTime::now_utc());
    Ok(poll.view(status, Some(store.tally(&poll.id).await?), Vec::new()))
}

/// Validates and stores a thread (admin API and CLI share this path).
pub async fn insert_thread(store: &Store, input: ThreadInput) -> Result<Thread> {
    let thread = new_thread(input).map_err(ApiError::InvalidInput)?;
    if !store.site_exists(&thread.site_id).await? {
        return Err(ApiError::InvalidInput(format!(
            "unknown site_id {:?}",
            thread.site_id
        )));
    }
    store.create_thread(&thread).await?;
    Ok(thread)
}

async fn create_thread(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ThreadInput>,
) -> Result<(StatusCode, Json<ThreadView>)> {
    let thread = insert_thread(&state.store, input).await?;
    Ok((StatusCode::CREATED, Json(thread.view(0))))
}

async fn list_threads(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<ThreadView>>> {
    let mut views = Vec::new();
    for thread in state.store.list_threads(query.site.as_deref()).await? {
        views.push(thread_view(&state, &thread).await?);
    }
    Ok(Json(views))
}

async fn load_thread(state: &AppState, id: &str) -> Result<Thread> {
    state
        .store
        .thread(id)
        .await?
        .ok_or(ApiError::NotFound("thread"))
}

/// Lock/unlock a thread or switch its moderation mode; each change is audited.
async fn update_thread(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<ThreadPatch>,
) -> Result<Json<ThreadView>> {
    load_thread(&state, &id).await?;
    state
        .store
        .update_thread(&id, patch.locked, patch.pre_moderation)
        .await?;
    let target = format!("thread:{id}");
    let changes = [
        patch.locked.map(|on| if on { "lock" } else { "unlock" }),
        patch.pre_moderation.map(|on| {
            if on {
                "pre_moderation"
            } else {
                "post_moderation"
            }
        }),
    ];
    for action in changes.into_iter().flatten() {
        state.store.audit(action, &target, None).await?;
    }
    let thread = load_thread(&state, &id).await?;
    Ok(Json(thread_view(&state, &thread).await?))
}

/// Staff comments: published at once, never rate limited, `official` honoured.
async fn post_official(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CommentInput>,
) -> Result<(StatusCode, Json<CommentView>)> {
    let thread = load_thread(&state, &id).await?;
    let view = post_comment(&state, &thread, input, None).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn moderate(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ModerationInput>,
) -> Result<Json<CommentView>> {
    let comment = state
        .store
        .comment(id, None)
        .await?
        .ok_or(ApiError::NotFound("comment"))?;
    let reason = check_reason(input.reason.as_deref())?;
    let current = comment.status();
    let conflict = |what: &str| {
        Err(ApiError::Conflict(format!(
            "cannot {what} a {current:?} comment"
        )))
    };
    let (status, pinned, reason) = match input.action {
        ModerationAction::Approve | ModerationAction::Restore
            if current == CommentStatus::Deleted =>
        {
            return conflict("publish");
        }
        ModerationAction::Approve | ModerationAction::Restore => {
            (CommentStatus::Published, comment.pinned, None)
        }
        ModerationAction::Hide if current == CommentStatus::Deleted => return conflict("hide"),
        ModerationAction::Hide => (CommentStatus::Hidden, comment.pinned, reason),
        ModerationAction::Delete => (CommentStatus::Deleted, false, reason),
        ModerationAction::Pin | ModerationAction::Unpin => (
            current,
            input.action == ModerationAction::Pin,
            comment.removal_reason.as_deref(),
        ),
    };
    let action = name_of(input.action);
    state
        .store
        .set_comment_state(id, status_name(status), pinned, reason, Some(&action))
        .await?;
    announce(&state, &comment, status, pinned);
    let updated = state
        .store
        .comment(id, None)
        .await?
        .ok_or(ApiError::NotFound("comment"))?;
    let mut views = tree(&state, &[updated], None).await?;
    views.pop().map(Json).ok_or(ApiError::NotFound("comment"))
}

/// A moderation reason: trimmed, `None` when blank.
pub(super) fn check_reason(reason: Option<&str>) -> Result<Option<&str>> {
    match reason.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) if text.chars().count() > limits::REMOVAL_REASON_MAX_LEN => {
            Err(ApiError::InvalidInput(format!(
                "reason is longer than {} characters",
                limits::REMOVAL_REASON_MAX_LEN
            )))
        }
        Some(text) => Ok(Some(text)),
    }
}

#[derive(Debug, Deserialize)]
struct AuditQuery {
    limit: Option<u32>,
}

async fn audit(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>> {
    let limit = query.limit.unwrap_or(100).clamp(1, 1000);
    Ok(Json(state.store.audit_log(limit).await?))
}
