//! Resident-facing poll routes: read, vote, withdraw, live events; with their CORS policy.

use std::convert::Infallible;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::middleware;
use axum::response::sse::{Event, Sse};
use axum::routing::{get, put};
use axum::{Json, Router};
use civique_api::{events, PollView, VoteRequest};
use futures_util::Stream;
use time::OffsetDateTime;

use super::guard::{self, check_origin, live, participant, required_participant};
use crate::error::{ApiError, Result};
use crate::extract::ApiJson;
use crate::poll::Poll;
use crate::AppState;

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/polls/{id}", get(show))
        .route("/polls/{id}/vote", put(vote).delete(withdraw))
        .route("/polls/{id}/events", get(watch))
        // Set before the CORS layer so that preflights (OPTIONS) still pass through it.
        .method_not_allowed_fallback(super::method_not_allowed)
        .layer(middleware::from_fn_with_state(state, guard::cors))
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<PollView>> {
    let poll = poll_for_origin(&state, &id, &headers).await?;
    let key = participant(&poll.site_id, &headers)?;
    Ok(Json(participant_view(&state, &poll, key.as_deref()).await?))
}

async fn vote(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<ApiJson<VoteRequest>>,
) -> Result<Json<PollView>> {
    let poll = poll_for_origin(&state, &id, &headers).await?;
    let key = required_participant(&poll.site_id, &headers)?;
    let ApiJson(request) = body?;
    poll.ensure_open(OffsetDateTime::now_utc())?;
    poll.check_choices(&request.choices)?;
    state.store.cast_vote(&poll, &key, &request.choices).await?;
    publish(&state, &poll).await?;
    Ok(Json(participant_view(&state, &poll, Some(&key)).await?))
}

async fn withdraw(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<PollView>> {
    let poll = poll_for_origin(&state, &id, &headers).await?;
    let key = required_participant(&poll.site_id, &headers)?;
    poll.ensure_open(OffsetDateTime::now_utc())?;
    if state.store.withdraw_vote(&poll, &key).await? {
        publish(&state, &poll).await?;
    }
    Ok(Json(participant_view(&state, &poll, Some(&key)).await?))
}

/// `text/event-stream` of `poll_changed` events carrying `{"voters":N}`.
async fn watch(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let poll = poll_for_origin(&state, &id, &headers).await?;
    Ok(live(&state, &topic(&poll.id)))
}

fn topic(poll_id: &str) -> String {
    format!("poll:{poll_id}")
}

/// Loads the poll, refusing requests from an origin its site does not list.
async fn poll_for_origin(state: &AppState, id: &str, headers: &HeaderMap) -> Result<Poll> {
    let poll = state
        .store
        .poll(id)
        .await?
        .ok_or(ApiError::NotFound("poll"))?;
    check_origin(state, &poll.site_id, headers).await?;
    Ok(poll)
}

async fn participant_view(state: &AppState, poll: &Poll, key: Option<&str>) -> Result<PollView> {
    let my_choices = match key {
        Some(key) => state.store.my_choices(poll, key).await?,
        None => Vec::new(),
    };
    let status = poll.status(OffsetDateTime::now_utc());
    let results = if poll.results_visible(status, !my_choices.is_empty()) {
        Some(state.store.tally(&poll.id).await?)
    } else {
        None
    };
    Ok(poll.view(status, results, my_choices))
}

async fn publish(state: &AppState, poll: &Poll) -> Result<()> {
    let voters = state.store.tally(&poll.id).await?.voters;
    state.hub.publish(
        &topic(&poll.id),
        events::POLL_CHANGED,
        format!("{{\"voters\":{voters}}}"),
    );
    Ok(())
}
