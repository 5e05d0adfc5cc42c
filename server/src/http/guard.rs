//! What runs around the handlers: CORS for resident routes, the admin token, detached
//! writes, and request metrics and logs.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use civique_api::{limits, PARTICIPANT_HEADER};
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::error::{ApiError, Result};
use super::serve::Peer;
use super::AppState;
use crate::domain::audit::Actor;
use crate::domain::network::Network;
use crate::domain::Error as Refusal;

/// CORS for resident routes: preflights are answered only for origins some site lists;
/// responses to such origins name them in `Access-Control-Allow-Origin`. No credentials.
/// A change (any method but GET, HEAD and OPTIONS) without an `Origin` is refused: every
/// browser sends one, so only a script can leave it out (and `Origin: null`, which a
/// sandboxed page sends, is no site's origin).
pub async fn cors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    let reads = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if origin.is_none() && !reads {
        return ApiError::from(Refusal::MissingOrigin).into_response();
    }
    let known = match origin.as_ref().map(HeaderValue::to_str) {
        Some(Ok(text)) => match state.service.origin_allowed(text, None).await {
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
                    // Browsers cap it (Chromium at 2 hours): ask for the most.
                    (header::ACCESS_CONTROL_MAX_AGE, "86400"),
                ],
            )
                .into_response()
        }
        (true, false) => ApiError::from(Refusal::OriginNotAllowed).into_response(),
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

/// What a reader without a token reads: a shared cache (a proxy, a CDN) may keep it five
/// seconds and absorb a crowd; a browser revalidates it each time (a 304 when unchanged), so
/// that a page reloaded after a change shows it.
const PUBLIC_CACHE: &str = "public, max-age=0, s-maxage=5";
/// What a participant reads or is answered is theirs (their vote, their supports): kept by
/// no cache at all, the browser's included (a shared computer in a town library).
const PERSONAL_CACHE: &str = "no-store";
/// The largest JSON answer given a validator (larger ones go as they are).
const MAX_VALIDATED: usize = 1024 * 1024;

/// Resident reads (JSON, 200) get an `ETag` and a cache policy: public without a participant
/// token, private with one; `If-None-Match` answers 304 without the body. Answers already
/// marked `no-store` keep that.
pub async fn validators(request: Request, next: Next) -> Response {
    if request.method() != Method::GET {
        return next.run(request).await;
    }
    let personal = request.headers().contains_key(PARTICIPANT_HEADER);
    let asked = request.headers().get(header::IF_NONE_MATCH).cloned();
    let response = next.run(request).await;
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|kind| kind.as_bytes().starts_with(b"application/json"));
    // An answer its handler keeps from every cache (a fresh challenge) stays as it is.
    let uncached = response
        .headers()
        .get(header::CACHE_CONTROL)
        .is_some_and(|policy| policy == PERSONAL_CACHE);
    if response.status() != StatusCode::OK || !json || uncached {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_VALIDATED).await else {
        return ApiError::Panicked.into_response();
    };
    let digest = Sha256::digest(&bytes);
    let tag: String = digest[..10].iter().map(|b| format!("{b:02x}")).collect();
    let etag = format!("\"{tag}\"");
    let headers = &mut parts.headers;
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if personal {
            PERSONAL_CACHE
        } else {
            PUBLIC_CACHE
        }),
    );
    headers.append(header::VARY, HeaderValue::from_static(PARTICIPANT_HEADER));
    let fresh = asked
        .as_ref()
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if fresh {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, axum::body::Body::empty());
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// What everything the endpoint serves says to browsers: it is data and scripts, never a
/// page, so it may not be framed, run as a document, sniffed into another type or told
/// where it was linked from. Host pages embed the widgets with a script tag, which none of
/// this restricts.
const SECURITY_HEADERS: [(header::HeaderName, &str); 4] = [
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    ),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "no-referrer"),
];

/// Sets [`SECURITY_HEADERS`] on every answer, and `Cache-Control: no-store` on the answers
/// to state changes (a vote answers with the voter's choices) that set no policy of their
/// own.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let changes_state = !request.method().is_safe();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers
            .entry(name)
            .or_insert_with(|| HeaderValue::from_static(value));
    }
    if changes_state {
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert_with(|| HeaderValue::from_static(PERSONAL_CACHE));
    }
    response
}

/// The daily keyed name of the client's network ([`Network::keyed`]), set on every API
/// request whose address is known.
#[derive(Debug, Clone)]
pub struct ClientNetwork(pub Arc<str>);

/// Names the client's network for per-network limits: the connection's address, or, from a
/// trusted proxy, the last address of its `client_ip_header` (none if it names none).
pub async fn client_network(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request.extensions().get::<Peer>().map(|peer| peer.0);
    if let Some(address) = peer.and_then(|peer| state.client_address(peer, request.headers())) {
        let day = OffsetDateTime::now_utc().date().to_string();
        let name = Network::of(address).keyed(&state.network_secret, &day);
        request
            .extensions_mut()
            .insert(civique_console::ClientNetwork(name.clone()));
        request
            .extensions_mut()
            .insert(ClientNetwork(Arc::from(name)));
    }
    next.run(request).await
}

/// Staff routes: `Authorization: Bearer <token>`, the endpoint's `admin_token` (every site)
/// or one of a site's API tokens (that site only); who it is goes on as the request's
/// [`Actor`]. A network that sent too many wrong tokens lately is refused (429) whatever it
/// sends, so guesses stay slow.
pub async fn require_admin(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response> {
    let network = request
        .extensions()
        .get::<ClientNetwork>()
        .map(|network| network.0.clone());
    state
        .service
        .admin_attempt_allowed(network.as_deref())
        .await?;
    let actor = match bearer(&request) {
        Some(given)
            if state
                .admin_token()
                .is_some_and(|expected| same(given, expected)) =>
        {
            Some(Actor::AdminToken)
        }
        Some(given) => state.service.api_token_actor(given).await?,
        None => None,
    };
    let Some(actor) = actor else {
        state
            .service
            .admin_attempt_failed(network.as_deref())
            .await?;
        return Err(Refusal::Unauthorized("missing or wrong bearer token").into());
    };
    request.extensions_mut().insert(actor);
    Ok(next.run(request).await)
}

/// The request's bearer token, if it has one.
fn bearer(request: &Request) -> Option<&str> {
    request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
}

/// Whether `given` is `expected`. Comparing digests keeps the time of the comparison
/// independent of where the tokens differ.
fn same(given: &str, expected: &str) -> bool {
    Sha256::digest(given) == Sha256::digest(expected)
}

/// Whether the request's bearer token is `expected`.
pub fn bearer_matches(request: &Request, expected: &str) -> bool {
    bearer(request).is_some_and(|given| same(given, expected))
}

/// Reads the body of every state-changing request within the configured time: a body
/// that never arrives ends with 408 instead of holding the connection and its task. Bodies
/// larger than the API takes are refused (413) without being read further.
pub async fn body_deadline(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if request.method().is_safe() {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let limited = http_body_util::Limited::new(body, limits::MAX_BODY_BYTES);
    let read = tokio::time::timeout(state.body_timeout, limited.collect()).await;
    match read {
        Err(_) => ApiError::BodyTimeout(state.body_timeout.as_millis()).into_response(),
        Ok(Err(error)) if error.is::<http_body_util::LengthLimitError>() => {
            ApiError::BodyTooLarge.into_response()
        }
        Ok(Err(_)) => ApiError::BodyBroken.into_response(),
        Ok(Ok(collected)) => {
            let body = axum::body::Body::from(collected.to_bytes());
            next.run(Request::from_parts(parts, body)).await
        }
    }
}

/// Runs every state-changing request in a task of its own: a client that hangs up (a closed
/// tab, a proxy timeout) drops its request future, and a write cancelled at an `.await`
/// could leave a transaction half done. Detached, the write runs to its commit or rollback.
pub async fn detach_writes(request: Request, next: Next) -> Response {
    if request.method().is_safe() {
        return next.run(request).await;
    }
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        Err(error) => {
            tracing::error!(%error, "request task failed");
            ApiError::Panicked.into_response()
        }
    }
}

/// Counts and times every request by its route template, and logs it without the path's
/// values, the query, any header or the client's address.
pub async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state
        .service
        .metrics()
        .request(method.as_str(), &route, status, elapsed.as_secs_f64());
    tracing::info!(
        target: "civique_server::http",
        method = %method,
        route = %route,
        status,
        ms = (elapsed.as_secs_f64() * 10_000.0).round() / 10.0,
        "request"
    );
    response
}
