//! Verified e-mail addresses: a one-time code sent, then exchanged for a participant token
//! (see [`crate::domain::email`]).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use civique_api::{EmailCodeCheck, EmailCodeRequest};

use super::error::Result;
use super::extract::{ApiJson, ApiPath};
use super::AppState;
use crate::service::Caller;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sites/{site}/email", post(send_code))
        .route("/sites/{site}/email/verify", post(verify))
}

async fn send_code(
    State(state): State<AppState>,
    ApiPath(site): ApiPath<String>,
    caller: Caller,
    ApiJson(body): ApiJson<EmailCodeRequest>,
) -> Result<impl IntoResponse> {
    let sent = state.service.email_code(&caller, &site, &body).await?;
    Ok((
        StatusCode::ACCEPTED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(sent),
    ))
}

async fn verify(
    State(state): State<AppState>,
    ApiPath(site): ApiPath<String>,
    caller: Caller,
    ApiJson(body): ApiJson<EmailCodeCheck>,
) -> Result<impl IntoResponse> {
    let answer = state.service.email_verify(&caller, &site, &body).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(answer)))
}
