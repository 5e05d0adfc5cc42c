//! Resident-facing poll routes: read, vote, withdraw, live events.

use axum::extract::State;
use axum::routing::{get, put};
use axum::{Json, Router};
use civique_api::{PollView, VoteRequest};

use super::error::Result;
use super::extract::{ApiJson, ApiPath};
use super::live;
use super::AppState;
use crate::service::Caller;
use axum::response::Response;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/polls/{id}", get(show))
        .route("/polls/{id}/vote", put(vote).delete(withdraw))
        .route("/polls/{id}/events", get(watch))
}

async fn show(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    caller: Caller,
) -> Result<Json<PollView>> {
    Ok(Json(state.service.poll_view(&caller, &id).await?))
}

async fn vote(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    caller: Caller,
    ApiJson(request): ApiJson<VoteRequest>,
) -> Result<Json<PollView>> {
    Ok(Json(
        state.service.vote(&caller, &id, &request.choices).await?,
    ))
}

async fn withdraw(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    caller: Caller,
) -> Result<Json<PollView>> {
    Ok(Json(state.service.withdraw(&caller, &id).await?))
}

/// `text/event-stream` of `poll_changed` events carrying `{"voters":N}`.
async fn watch(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    caller: Caller,
) -> Result<Response> {
    live::stream(state.service.watch_poll(&caller, &id).await?)
}
