//! Widget files for host pages: loader, stylesheet, wasm glue and module, compressed and cached.

use std::path::Path;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use super::error::ApiError;
use super::AppState;

/// The loader's URL never changes, so it is revalidated often; the rest can be cached longer.
const LOADER_CACHE: HeaderValue = HeaderValue::from_static("public, max-age=300");
const ASSET_CACHE: HeaderValue = HeaderValue::from_static("public, max-age=3600");

pub fn router(dir: &Path) -> Router<AppState> {
    let loader = Router::new()
        .route_service("/civique.js", ServeFile::new(dir.join("loader/civique.js")))
        .layer(middleware::map_response_with_state(LOADER_CACHE, finish));
    let files = Router::new()
        .route_service("/civique.css", ServeFile::new(dir.join("civique.css")))
        .nest_service("/pkg", ServeDir::new(dir))
        .layer(middleware::map_response_with_state(ASSET_CACHE, finish));
    loader
        .merge(files)
        .layer(CompressionLayer::new())
        // Public files: any host page may load them.
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
}

/// Adds the cache policy to files found and turns the file services' empty 404s into API errors.
async fn finish(State(cache): State<HeaderValue>, mut response: Response) -> Response {
    match response.status() {
        StatusCode::NOT_FOUND => {
            ApiError::from(crate::domain::Error::NotFound("file")).into_response()
        }
        status if status.is_success() || status == StatusCode::NOT_MODIFIED => {
            response.headers_mut().insert(header::CACHE_CONTROL, cache);
            response
        }
        _ => response,
    }
}
