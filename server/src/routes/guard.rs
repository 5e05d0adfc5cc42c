//! What every resident-facing route shares: CORS, the site origin check, participants, SSE.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use civique_api::{BlockedWordsAction, PARTICIPANT_HEADER};
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;

use crate::comment::has_blocked_word;
use crate::error::{ApiError, Result};
use crate::extract::participant_token;
use crate::poll::participant_key;
use crate::AppState;

const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Refuses requests from an origin that `site_id` does not list (requests without an
/// Origin header, such as curl's, pass).
pub async fn check_origin(state: &AppState, site_id: &str, headers: &HeaderMap) -> Result<()> {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().map_err(|_| ApiError::OriginNotAllowed)?;
        if !state.store.origin_allowed(origin, Some(site_id)).await? {
            return Err(ApiError::OriginNotAllowed);
        }
    }
    Ok(())
}

/// The site-scoped participant key, if the request carries a token.
pub fn participant(site_id: &str, headers: &HeaderMap) -> Result<Option<String>> {
    Ok(participant_token(headers)?.map(|token| participant_key(site_id, token)))
}

/// The site-scoped participant key; state-changing routes require it.
pub fn required_participant(site_id: &str, headers: &HeaderMap) -> Result<String> {
    participant(site_id, headers)?.ok_or(ApiError::MissingParticipant)
}

/// Applies the site's blocked words to a resident's text: `Err(BlockedWords)` when the site
/// refuses such texts, `true` when it holds them for review.
pub async fn held_for_review(state: &AppState, site_id: &str, text: &str) -> Result<bool> {
    let settings = state
        .store
        .site_settings(site_id)
        .await?
        .unwrap_or_default();
    if !has_blocked_word(&settings, text) {
        return Ok(false);
    }
    match settings.blocked_words_action {
        BlockedWordsAction::Reject => Err(ApiError::BlockedWords),
        BlockedWordsAction::Review => Ok(true),
    }
}

/// Who is reading: the participant key (if a token was sent) and their id (if they ever
/// wrote or supported anything).
pub struct Reader {
    pub key: Option<String>,
    pub id: Option<i64>,
}

pub async fn reader(state: &AppState, site_id: &str, headers: &HeaderMap) -> Result<Reader> {
    let key = participant(site_id, headers)?;
    let id = match &key {
        Some(key) => state.store.find_participant(site_id, key).await?,
        None => None,
    };
    Ok(Reader { key, id })
}

/// `text/event-stream` of everything published on `topic`, with keep-alive comments.
pub fn live(state: &AppState, topic: &str) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let mut updates = state.hub.subscribe(topic);
    let stream = async_stream::stream! {
        loop {
            match updates.recv().await {
                Ok(signal) => yield Ok(Event::default().event(signal.event).data(signal.data)),
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => break,
            }
        }
    };
    Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

/// CORS for resident routes: preflights are answered only for origins some site lists;
/// responses to such origins name them in `Access-Control-Allow-Origin`. No credentials.
pub async fn cors(State(state): State<AppState>, request: Request, next: Next) -> Response {
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
                        "GET, POST, PUT, PATCH, DELETE, OPTIONS",
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
