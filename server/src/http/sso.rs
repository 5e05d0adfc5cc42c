//! Site accounts: the host website's signed token for its user, exchanged for a participant
//! token (see [`crate::domain::sso`]).

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use civique_api::SsoExchange;

use super::error::Result;
use super::extract::{ApiJson, ApiPath};
use super::AppState;
use crate::service::Caller;

pub fn router() -> Router<AppState> {
    Router::new().route("/sites/{site}/sso", post(exchange))
}

async fn exchange(
    State(state): State<AppState>,
    ApiPath(site): ApiPath<String>,
    caller: Caller,
    ApiJson(body): ApiJson<SsoExchange>,
) -> Result<impl IntoResponse> {
    let answer = state
        .service
        .sso_exchange(&caller, &site, &body.token)
        .await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(answer)))
}
