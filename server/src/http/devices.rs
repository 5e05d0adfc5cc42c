//! Device tokens earned with a proof of work (see [`crate::domain::device`]).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use civique_api::DeviceProof;

use super::error::Result;
use super::extract::ApiJson;
use super::AppState;
use crate::service::Caller;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/devices/challenge", get(challenge))
        .route("/devices", post(token))
}

async fn challenge(State(state): State<AppState>, caller: Caller) -> Result<impl IntoResponse> {
    let challenge = state.service.device_challenge(&caller).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(challenge)))
}

async fn token(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(proof): ApiJson<DeviceProof>,
) -> Result<impl IntoResponse> {
    let token = state.service.device_token(&caller, &proof).await?;
    Ok((
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(token),
    ))
}
