//! Resident-facing proposal box routes: the box, listings, similar proposals, submitting,
//! supports and live events.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use civique_api::{
    BoxView, ProposalInput, ProposalPage, ProposalSort, ProposalStatus, ProposalView, SimilarList,
    SupportView,
};
use serde::de::IntoDeserializer;
use serde::{Deserialize, Deserializer};

use super::error::Result;
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::live;
use super::AppState;
use crate::service::proposals::ListingQuery;
use crate::service::Caller;
use axum::response::Response;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/boxes/{id}", get(show_box))
        .route("/boxes/{id}/proposals", get(list).post(create))
        .route("/boxes/{id}/similar", get(similar))
        .route("/boxes/{id}/events", get(watch))
        .route("/proposals/{id}", get(show))
        .route("/proposals/{id}/support", put(support).delete(withdraw))
}

async fn show_box(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    caller: Caller,
) -> Result<Json<BoxView>> {
    Ok(Json(state.service.proposal_box(&caller, &id).await?))
}

/// Query parameters; a blank one counts as absent (a widget's "All" choice).
#[derive(Debug, Deserialize)]
struct ListQuery {
    #[serde(default, deserialize_with = "blank_as_none")]
    sort: Option<ProposalSort>,
    #[serde(default, deserialize_with = "blank_as_none")]
    category: Option<String>,
    #[serde(default, deserialize_with = "blank_as_none")]
    status: Option<ProposalStatus>,
    #[serde(default, deserialize_with = "blank_as_none")]
    q: Option<String>,
    page: Option<u32>,
}

fn blank_as_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let text = String::deserialize(deserializer)?;
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    T::deserialize(text.into_deserializer()).map(Some)
}

async fn list(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<ProposalPage>> {
    let query = ListingQuery {
        sort: query.sort,
        category: query.category,
        status: query.status,
        q: query.q,
        page: query.page,
    };
    Ok(Json(
        state.service.list_proposals(&caller, &id, query).await?,
    ))
}

#[derive(Debug, Deserialize)]
struct SimilarQuery {
    #[serde(default)]
    q: String,
}

async fn similar(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    caller: Caller,
    ApiQuery(query): ApiQuery<SimilarQuery>,
) -> Result<Json<SimilarList>> {
    Ok(Json(
        state
            .service
            .similar_proposals(&caller, &id, &query.q)
            .await?,
    ))
}

async fn create(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    caller: Caller,
    ApiJson(input): ApiJson<ProposalInput>,
) -> Result<(StatusCode, Json<ProposalView>)> {
    let view = state.service.submit_proposal(&caller, &id, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn show(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    caller: Caller,
) -> Result<Json<ProposalView>> {
    Ok(Json(state.service.proposal(&caller, id).await?))
}

async fn support(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    caller: Caller,
) -> Result<Json<SupportView>> {
    Ok(Json(state.service.set_support(&caller, id, true).await?))
}

async fn withdraw(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    caller: Caller,
) -> Result<Json<SupportView>> {
    Ok(Json(state.service.set_support(&caller, id, false).await?))
}

/// `text/event-stream` of the box's published changes.
async fn watch(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    caller: Caller,
) -> Result<Response> {
    live::stream(state.service.watch_box(&caller, &id).await?)
}
