//! Widget files for host pages. Versioned paths (`/assets/VERSION/…`, named by the loader)
//! are cached for good; the loader (`/civique.js`) for five minutes with an ETag, so an
//! upgrade reaches pages quickly and never mixes a kind's old wasm with its new glue. The
//! plain paths of earlier loaders (`/pkg/…`, `/civique.css`) revalidate every time.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::error::ApiError;
use super::extract::ApiPath;
use super::AppState;
use crate::assets::{Asset, LOADER};
use crate::domain::Error as Refusal;

const LOADER_CACHE: &str = "public, max-age=300";
const VERSIONED_CACHE: &str = "public, max-age=31536000, immutable";
const PLAIN_CACHE: &str = "no-cache";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/civique.js", get(loader))
        .route("/civique.css", get(stylesheet))
        .route("/pkg/{*path}", get(plain))
        .route("/assets/{version}/{*path}", get(versioned))
}

fn missing() -> Response {
    ApiError::from(Refusal::NotFound("file")).into_response()
}

async fn loader(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match state.assets.loader() {
        Some(asset) => send(asset, &headers, LOADER_CACHE),
        None => missing(),
    }
}

async fn stylesheet(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match state.assets.get("civique.css") {
        Some(asset) => send(asset, &headers, PLAIN_CACHE),
        None => missing(),
    }
}

async fn plain(
    State(state): State<AppState>,
    ApiPath(path): ApiPath<String>,
    headers: HeaderMap,
) -> Response {
    match (path.as_str(), state.assets.get(&path)) {
        (LOADER, _) => loader(State(state), headers).await,
        (_, Some(asset)) => send(asset, &headers, PLAIN_CACHE),
        (_, None) => missing(),
    }
}

/// The file of this version, for good; a page whose loader predates an upgrade is sent on
/// to the current version (glue and wasm always match, the loader's small interface is
/// kept compatible).
async fn versioned(
    State(state): State<AppState>,
    ApiPath((version, path)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Some(asset) = state.assets.get(&path) else {
        return missing();
    };
    if asset.version == version {
        return send(asset, &headers, VERSIONED_CACHE);
    }
    let location = format!("/assets/{}/{path}", asset.version);
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, location.as_str()),
            (header::CACHE_CONTROL, PLAIN_CACHE),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
    )
        .into_response()
}

/// The encoding the client prefers among those it accepts: brotli, then gzip.
fn accepts(headers: &HeaderMap, encoding: &str) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            parts.next() == Some(encoding) && !parts.any(|p| p.replace(' ', "") == "q=0")
        })
}

fn send(asset: &Asset, headers: &HeaderMap, cache: &'static str) -> Response {
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|tag| tag.trim() == asset.etag));
    let (encoding, body) = if accepts(headers, "br") {
        (Some("br"), asset.brotli.clone())
    } else if accepts(headers, "gzip") {
        (Some("gzip"), asset.gzip.clone())
    } else {
        (None, asset.raw.clone())
    };
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        body.into_response()
    };
    let out = response.headers_mut();
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    out.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    // Any host page may load them.
    out.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    if let Ok(etag) = HeaderValue::from_str(&asset.etag) {
        out.insert(header::ETAG, etag);
    }
    if let (Some(encoding), false) = (encoding, fresh) {
        out.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
}
