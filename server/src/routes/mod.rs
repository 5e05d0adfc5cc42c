//! HTTP routes, one module per resource, assembled into the application router.

pub(crate) mod admin;
pub(crate) mod admin_proposals;
mod assets;
mod comments;
mod guard;
mod openapi;
mod polls;
mod proposals;

use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use civique_api::{limits, API_PREFIX};
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::AppState;

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .merge(polls::router(state.clone()))
        .merge(comments::router(state.clone()))
        .merge(proposals::router(state.clone()))
        .merge(admin::router(state.clone()))
        .merge(admin_proposals::router(state.clone()))
        .merge(openapi::router())
        .layer(DefaultBodyLimit::max(limits::MAX_BODY_BYTES))
        .layer(middleware::from_fn(detach_writes));
    Router::new()
        .nest(API_PREFIX, api)
        .merge(assets::router(&state.assets_dir))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Runs every state-changing request in a task of its own: a client that hangs up (a closed
/// tab, a proxy timeout) drops its request future, and a write cancelled at an `.await`
/// could leave a transaction half done. Detached, the write runs to its commit or rollback.
async fn detach_writes(request: Request, next: Next) -> Response {
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

async fn not_found() -> ApiError {
    ApiError::NotFound("route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
