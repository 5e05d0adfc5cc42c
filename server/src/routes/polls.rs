//! Resident-facing poll routes: read, vote, withdraw, live events; with their CORS policy.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use civique_api::{events, PollView, VoteRequest, PARTICIPANT_HEADER};
use futures_util::Stream;
use time::OffsetDateTime;
use tokio::sync::broadcast::error::RecvError;

use crate::error::{ApiError, Result};
use crate::extract::{participant_token, ApiJson};
use crate::poll::{participant_key, Poll};
use crate::AppState;

const KEEP_ALIVE: Duration = Duration::from_secs(15);

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/polls/{id}", get(show))
        .route("/polls/{id}/vote", put(vote).delete(withdraw))
        .route("/polls/{id}/events", get(watch))
        // Set before the CORS layer so that preflights (OPTIONS) still pass through it.
        .method_not_allowed_fallback(super::method_not_allowed)
        .layer(middleware::from_fn_with_state(state, cors))
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<PollView>> {
    let poll = poll_for_origin(&state, &id, &headers).await?;
    let key = participant_token(&headers)?.map(|token| participant_key(&poll.site_id, token));
    Ok(Json(participant_view(&state, &poll, key.as_deref()).await?))
}

async fn vote(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<ApiJson<VoteRequest>>,
) -> Result<Json<PollView>> {
    let poll = poll_for_origin(&state, &id, &headers).await?;
    let key = required_participant(&poll, &headers)?;
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
    let key = required_participant(&poll, &headers)?;
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
    let mut updates = state.hub.subscribe(&poll.id);
    let stream = async_stream::stream! {
        loop {
            match updates.recv().await {
                Ok(voters) => {
                    yield Ok(Event::default()
                        .event(events::POLL_CHANGED)
                        .data(format!("{{\"voters\":{voters}}}")));
                }
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => break,
            }
        }
    };
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

/// Loads the poll, refusing requests from an origin its site does not list.
async fn poll_for_origin(state: &AppState, id: &str, headers: &HeaderMap) -> Result<Poll> {
    let poll = state
        .store
        .poll(id)
        .await?
        .ok_or(ApiError::NotFound("poll"))?;
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().map_err(|_| ApiError::OriginNotAllowed)?;
        if !state
            .store
            .origin_allowed(origin, Some(&poll.site_id))
            .await?
        {
            return Err(ApiError::OriginNotAllowed);
        }
    }
    Ok(poll)
}

fn required_participant(poll: &Poll, headers: &HeaderMap) -> Result<String> {
    let token = participant_token(headers)?.ok_or(ApiError::MissingParticipant)?;
    Ok(participant_key(&poll.site_id, token))
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
    state.hub.publish(&poll.id, voters);
    Ok(())
}

/// CORS for the poll routes: preflights are answered only for origins some site lists;
/// responses to such origins name them in `Access-Control-Allow-Origin`. No credentials.
async fn cors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    let known = match origin.as_ref().map(HeaderValue::to_str) {
        Some(Ok(text)) => match state.store.origin_allowed(text, None).await {
            Ok(known) => known,
            Err(error) => return ApiError::from(error).into_response(),
        },
        _ => false,
    };
    let preflight = request.method() == Method::OPTIONS
        && origin.is_some()
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = match (preflight, known) {
        (true, true) => {
            let allow_headers = format!("content-type, {PARTICIPANT_HEADER}");
            (
                StatusCode::NO_CONTENT,
                [
                    (
                        header::ACCESS_CONTROL_ALLOW_METHODS,
                        "GET, PUT, DELETE, OPTIONS",
                    ),
                    (header::ACCESS_CONTROL_ALLOW_HEADERS, allow_headers.as_str()),
                    (header::ACCESS_CONTROL_MAX_AGE, "600"),
                ],
            )
                .into_response()
        }
        (true, false) => ApiError::OriginNotAllowed.into_response(),
        (false, _) => next.run(request).await,
    };
    let headers = response.headers_mut();
    // Responses differ by Origin, with or without one: shared caches must key on it.
    headers.append(header::VARY, HeaderValue::from_static("origin"));
    if let (true, Some(origin)) = (known, origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    response
}
