//! `GET /api/v1/openapi.json`: the hand-written OpenAPI 3.1 description of the wire.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use super::AppState;

/// Kept as a file so it reads (and diffs) as the contract it is; tests check real responses
/// against its schemas.
const DOCUMENT: &str = include_str!("../openapi.json");

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(document))
}

async fn document() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        DOCUMENT,
    )
}
