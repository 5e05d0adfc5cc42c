//! Staff routes of proposal boxes: boxes, the moderation queue, statuses and answers,
//! moderation, recorded events.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Extension, Json, Router};
use civique_api::{
    BoxEvent, BoxInput, BoxPatch, BoxView, ProposalModeration, ProposalView, SimilarList,
    StatusInput, Visibility,
};
use serde::Deserialize;

use super::ListQuery;
use crate::domain::audit::Actor;
use crate::http::error::Result;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/boxes", post(create_box).get(list_boxes))
        .route("/admin/boxes/{id}", patch(update_box))
        .route("/admin/boxes/{id}/proposals", get(queue))
        .route("/admin/boxes/{id}/events", get(box_events))
        .route("/admin/proposals/{id}/status", post(set_status))
        .route("/admin/proposals/{id}/moderation", post(moderate))
}

async fn create_box(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    ApiJson(input): ApiJson<BoxInput>,
) -> Result<(StatusCode, Json<BoxView>)> {
    let view = state.service.create_box(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn list_boxes(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<BoxView>>> {
    Ok(Json(
        state
            .service
            .list_boxes(&actor, query.site.as_deref())
            .await?,
    ))
}

/// Switches the moderation mode or moves the opening and closing times.
async fn update_box(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    ApiPath(id): ApiPath<String>,
    ApiJson(patch): ApiJson<BoxPatch>,
) -> Result<Json<BoxView>> {
    Ok(Json(state.service.update_box(&actor, &id, patch).await?))
}

#[derive(Debug, Deserialize)]
struct QueueQuery {
    visibility: Option<Visibility>,
}

/// Every proposal of a box (or those with `visibility`) with its history, oldest first.
async fn queue(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<QueueQuery>,
) -> Result<Json<SimilarList>> {
    Ok(Json(
        state
            .service
            .proposal_queue(&actor, &id, query.visibility)
            .await?,
    ))
}

async fn box_events(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<BoxEvent>>> {
    Ok(Json(state.service.box_events(&actor, &id).await?))
}

async fn set_status(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<StatusInput>,
) -> Result<Json<ProposalView>> {
    Ok(Json(
        state.service.set_proposal_status(&actor, id, input).await?,
    ))
}

/// Approve (or restore) publishes; hide removes from residents' view.
async fn moderate(
    State(state): State<AppState>,
    Extension(actor): Extension<Actor>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ProposalModeration>,
) -> Result<Json<ProposalView>> {
    Ok(Json(
        state.service.moderate_proposal(&actor, id, input).await?,
    ))
}
