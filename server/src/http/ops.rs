//! Operations: liveness (`/healthz`), readiness (`/readyz`) and Prometheus `/metrics`.

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::error::{ApiError, Result};
use super::guard::bearer_matches;
use super::AppState;
use crate::domain::Error as Refusal;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(alive))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
}

/// The process answers.
async fn alive() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// The database answers and its schema is this build's: 503 otherwise.
async fn ready(State(state): State<AppState>) -> Result<Json<serde_json::Value>> {
    let store = state.service.store();
    store.ready().await.map_err(ApiError::NotReady)?;
    Ok(Json(
        json!({ "status": "ready", "database": store.backend() }),
    ))
}

/// The Prometheus text format; behind `metrics_token` when one is configured.
async fn metrics(State(state): State<AppState>, request: Request) -> Result<Response> {
    if let Some(token) = state.metrics_token() {
        if !bearer_matches(&request, token) {
            return Err(Refusal::Unauthorized("missing or wrong metrics token").into());
        }
    }
    let service = &state.service;
    let text = service
        .metrics()
        .render(service.live().subscribers(), service.store().pool_stats());
    Ok((
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response())
}
