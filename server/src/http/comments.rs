//! Resident-facing comment routes: threads, pages, posting, editing, marks, reports, events.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use civique_api::{
    CommentEdit, CommentInput, CommentPage, CommentSort, CommentView, ReportInput, ThreadClaim,
    ThreadView, UsefulView,
};
use serde::Deserialize;

use super::error::Result;
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::live;
use super::AppState;
use crate::service::Caller;
use axum::response::Response;

pub fn router() -> Router<AppState> {
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
        .route("/comments/{id}/reports", post(report))
}

async fn show_thread(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    caller: Caller,
) -> Result<Json<ThreadView>> {
    Ok(Json(state.service.thread(&caller, &id).await?))
}

/// Returns the site's thread `key`, creating it first when the site allows auto threads.
async fn claim_thread(
    State(state): State<AppState>,
    ApiPath((site, key)): ApiPath<(String, String)>,
    caller: Caller,
    ApiJson(claim): ApiJson<ThreadClaim>,
) -> Result<(StatusCode, Json<ThreadView>)> {
    let (created, view) = state
        .service
        .claim_thread(&caller, &site, &key, claim)
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view)))
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    #[serde(default)]
    sort: CommentSort,
    cursor: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    caller: Caller,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<CommentPage>> {
    Ok(Json(
        state
            .service
            .comment_page(&caller, &id, query.sort, query.cursor.as_deref())
            .await?,
    ))
}

#[derive(Debug, Deserialize)]
struct RepliesQuery {
    cursor: Option<String>,
}

async fn replies(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    caller: Caller,
    ApiQuery(query): ApiQuery<RepliesQuery>,
) -> Result<Json<CommentPage>> {
    Ok(Json(
        state
            .service
            .replies_page(&caller, id, query.cursor.as_deref())
            .await?,
    ))
}

async fn create(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    caller: Caller,
    ApiJson(input): ApiJson<CommentInput>,
) -> Result<(StatusCode, Json<CommentView>)> {
    let view = state.service.post_comment(&caller, &id, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn edit(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    caller: Caller,
    ApiJson(edit): ApiJson<CommentEdit>,
) -> Result<Json<CommentView>> {
    Ok(Json(state.service.edit_comment(&caller, id, edit).await?))
}

async fn remove(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    caller: Caller,
) -> Result<StatusCode> {
    state.service.delete_comment(&caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn mark_useful(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    caller: Caller,
) -> Result<Json<UsefulView>> {
    Ok(Json(state.service.set_useful(&caller, id, true).await?))
}

async fn unmark_useful(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    caller: Caller,
) -> Result<Json<UsefulView>> {
    Ok(Json(state.service.set_useful(&caller, id, false).await?))
}

async fn report(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    caller: Caller,
    ApiJson(input): ApiJson<ReportInput>,
) -> Result<StatusCode> {
    state.service.report_comment(&caller, id, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `text/event-stream` of the thread's published changes.
async fn watch(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    caller: Caller,
) -> Result<Response> {
    live::stream(state.service.watch_thread(&caller, &id).await?)
}
