//! Staff routes behind `Authorization: Bearer <admin_token>`: sites, polls, threads,
//! moderation, audit; proposal boxes in [`proposals`]. The actor of these is the admin token.

mod proposals;

use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{get, patch, post};
use axum::{Extension, Json, Router};
use civique_api::{
    AuditEntry, CommentInput, CommentView, ModerationInput, PollInput, PollView, Site, SiteInput,
    ThreadInput, ThreadPatch, ThreadView,
};
use serde::Deserialize;

use super::error::Result;
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::guard::require_admin;
use super::AppState;
use crate::domain::audit::Actor;

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/admin/sites", post(create_site))
        .route("/admin/polls", post(create_poll).get(list_polls))
        .route("/admin/threads", post(create_thread).get(list_threads))
        .route("/admin/threads/{id}", patch(update_thread))
        .route("/admin/threads/{id}/comments", post(post_official))
        .route("/admin/comments/{id}/moderation", post(moderate))
        .route("/admin/audit", get(audit))
        .merge(proposals::router())
        .route_layer(middleware::from_fn_with_state(state, require_admin))
}

/// `?site=`: only this site's items.
#[derive(Debug, Deserialize)]
struct ListQuery {
    #[serde(default, deserialize_with = "site_id")]
    site: Option<String>,
}

/// A site id, as the document states it (an empty or malformed one is a bad request, not an
/// empty list).
fn site_id<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let site = String::deserialize(deserializer)?;
    if civique_api::is_valid_id(&site) {
        Ok(Some(site))
    } else {
        Err(serde::de::Error::custom(
            "site must be a site id: 1 to 64 of a-z, 0-9 and -",
        ))
    }
}

async fn create_site(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    ApiJson(site): ApiJson<SiteInput>,
) -> Result<(StatusCode, Json<Site>)> {
    state.service.create_site(&actor, &site).await?;
    Ok((StatusCode::CREATED, Json(site)))
}

async fn create_poll(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    ApiJson(input): ApiJson<PollInput>,
) -> Result<(StatusCode, Json<PollView>)> {
    let view = state.service.create_poll(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn list_polls(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<PollView>>> {
    Ok(Json(
        state
            .service
            .list_polls(&actor, query.site.as_deref())
            .await?,
    ))
}

async fn create_thread(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    ApiJson(input): ApiJson<ThreadInput>,
) -> Result<(StatusCode, Json<ThreadView>)> {
    let view = state.service.create_thread(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn list_threads(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<ThreadView>>> {
    Ok(Json(
        state
            .service
            .list_threads(&actor, query.site.as_deref())
            .await?,
    ))
}

/// Lock/unlock a thread or switch its moderation mode.
async fn update_thread(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    ApiPath(id): ApiPath<String>,
    ApiJson(patch): ApiJson<ThreadPatch>,
) -> Result<Json<ThreadView>> {
    Ok(Json(state.service.update_thread(&actor, &id, patch).await?))
}

/// Staff comments: published at once, never rate limited, `official` honoured.
async fn post_official(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<CommentInput>,
) -> Result<(StatusCode, Json<CommentView>)> {
    let view = state.service.post_official(&actor, &id, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn moderate(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ModerationInput>,
) -> Result<Json<CommentView>> {
    Ok(Json(
        state.service.moderate_comment(&actor, id, input).await?,
    ))
}

#[derive(Debug, Deserialize)]
struct AuditQuery {
    #[serde(default, deserialize_with = "audit_limit")]
    limit: Option<u32>,
}

/// The most audit entries one request may ask for.
const AUDIT_MAX: u32 = 1000;

fn audit_limit<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    let limit = u32::deserialize(deserializer)?;
    if (1..=AUDIT_MAX).contains(&limit) {
        Ok(Some(limit))
    } else {
        Err(serde::de::Error::custom(format!(
            "limit must be 1..={AUDIT_MAX}"
        )))
    }
}

async fn audit(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>> {
    Ok(Json(
        state
            .service
            .audit_log(&actor, query.limit.unwrap_or(100))
            .await?,
    ))
}
