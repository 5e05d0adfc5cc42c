//! "Mes données": a resident's export and erasure of their contributions on a site.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use civique_api::{Erasure, MyData};

use super::error::Result;
use super::extract::ApiPath;
use super::AppState;
use crate::service::Caller;

pub fn router() -> Router<AppState> {
    Router::new().route("/sites/{site}/me", get(export).delete(erase))
}

async fn export(
    State(state): State<AppState>,
    ApiPath(site): ApiPath<String>,
    caller: Caller,
) -> Result<Json<MyData>> {
    Ok(Json(state.service.my_data(&caller, &site).await?))
}

async fn erase(
    State(state): State<AppState>,
    ApiPath(site): ApiPath<String>,
    caller: Caller,
) -> Result<Json<Erasure>> {
    Ok(Json(state.service.erase_my_data(&caller, &site).await?))
}
