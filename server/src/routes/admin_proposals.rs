//! Staff routes of proposal boxes (behind the admin token): boxes, the moderation queue,
//! statuses and answers, moderation, recorded events.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use civique_api::proposals::{events, limits};
use civique_api::{
    BoxEvent, BoxInput, BoxPatch, BoxView, ProposalAction, ProposalModeration, ProposalStatus,
    ProposalView, SimilarList, StatusInput, Visibility,
};
use serde::Deserialize;

use super::admin::{check_reason, require_admin, ListQuery};
use super::proposals::{box_view, full_view, load_box, signal_id};
use crate::comment::check_markdown;
use crate::error::{ApiError, Result};
use crate::extract::{ApiJson, ApiQuery};
use crate::proposal::{check_actor, name_of, Proposal, ProposalBox};
use crate::store::StatusUpdate;
use crate::{AppState, Store};

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/admin/boxes", post(create_box).get(list_boxes))
        .route("/admin/boxes/{id}", patch(update_box))
        .route("/admin/boxes/{id}/proposals", get(queue))
        .route("/admin/boxes/{id}/events", get(box_events))
        .route("/admin/proposals/{id}/status", post(set_status))
        .route("/admin/proposals/{id}/moderation", post(moderate))
        .route_layer(middleware::from_fn_with_state(state, require_admin))
}

/// Validates and stores a box (admin API and seed files share this path).
pub async fn insert_box(store: &Store, input: BoxInput) -> Result<ProposalBox> {
    let b = ProposalBox::from_input(input).map_err(ApiError::InvalidInput)?;
    if !store.site_exists(&b.site_id).await? {
        return Err(ApiError::InvalidInput(format!(
            "unknown site_id {:?}",
            b.site_id
        )));
    }
    store.create_box(&b).await?;
    Ok(b)
}

async fn create_box(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<BoxInput>,
) -> Result<(StatusCode, Json<BoxView>)> {
    let b = insert_box(&state.store, input).await?;
    Ok((StatusCode::CREATED, Json(box_view(&state, &b).await?)))
}

async fn list_boxes(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<BoxView>>> {
    let mut views = Vec::new();
    for b in state.store.list_boxes(query.site.as_deref()).await? {
        views.push(box_view(&state, &b).await?);
    }
    Ok(Json(views))
}

/// Switches the moderation mode or moves the opening and closing times; audited.
async fn update_box(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<BoxPatch>,
) -> Result<Json<BoxView>> {
    let b = load_box(&state, &id)
        .await?
        .patched(patch)
        .map_err(ApiError::InvalidInput)?;
    state.store.save_box_settings(&b).await?;
    state
        .store
        .audit("update", &format!("box:{id}"), None)
        .await?;
    Ok(Json(box_view(&state, &b).await?))
}

#[derive(Debug, Deserialize)]
struct QueueQuery {
    visibility: Option<Visibility>,
}

/// Every proposal of a box (or those with `visibility`) with its history, oldest first.
async fn queue(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<QueueQuery>,
) -> Result<Json<SimilarList>> {
    let b = load_box(&state, &id).await?;
    let proposals = state.store.staff_proposals(&b.id, query.visibility).await?;
    let ids: Vec<i64> = proposals.iter().map(|p| p.id).collect();
    let mut histories = state.store.histories(&ids).await?;
    Ok(Json(SimilarList {
        proposals: proposals
            .iter()
            .map(|p| p.view(histories.remove(&p.id).unwrap_or_default()))
            .collect(),
    }))
}

async fn box_events(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<BoxEvent>>> {
    let b = load_box(&state, &id).await?;
    Ok(Json(state.store.box_events(&b.id).await?))
}

async fn load_proposal(state: &AppState, id: i64) -> Result<Proposal> {
    state
        .store
        .proposal(id, None)
        .await?
        .ok_or(ApiError::NotFound("proposal"))
}

/// Validates and records a staff decision on `proposal` of box `b` (admin API and seed
/// files share this path).
pub async fn change_status(
    store: &Store,
    b: &ProposalBox,
    proposal: &Proposal,
    input: StatusInput,
) -> Result<()> {
    b.check_status(input.status)?;
    let duplicate_of = if input.status == ProposalStatus::Duplicate {
        let original = input
            .duplicate_of
            .filter(|&other| other != proposal.id)
            .ok_or(ApiError::InvalidDuplicate)?;
        let original = store
            .proposal(original, None)
            .await?
            .filter(|other| other.box_id == b.id)
            .ok_or(ApiError::InvalidDuplicate)?;
        Some(original.id)
    } else {
        None
    };
    let update = StatusUpdate {
        by: check_actor(input.by.as_deref())?,
        from: proposal.status(),
        to: input.status,
        duplicate_of,
        answer: input
            .answer
            .as_deref()
            .map(|answer| check_markdown(answer, limits::ANSWER_MAX_LEN))
            .transpose()?,
    };
    Ok(store.set_proposal_status(proposal.id, &update).await?)
}

async fn set_status(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<StatusInput>,
) -> Result<Json<ProposalView>> {
    let proposal = load_proposal(&state, id).await?;
    let b = load_box(&state, &proposal.box_id).await?;
    change_status(&state.store, &b, &proposal, input).await?;
    if proposal.visibility() == Visibility::Published {
        signal_id(&state, &b.id, events::PROPOSAL_UPDATED, id);
    }
    Ok(Json(
        full_view(&state, &load_proposal(&state, id).await?).await?,
    ))
}

/// Approve (or restore) publishes; hide removes from residents' view. Audited.
async fn moderate(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ProposalModeration>,
) -> Result<Json<ProposalView>> {
    let proposal = load_proposal(&state, id).await?;
    let reason = check_reason(input.reason.as_deref())?;
    let after = match input.action {
        ProposalAction::Approve | ProposalAction::Restore => Visibility::Published,
        ProposalAction::Hide => Visibility::Hidden,
    };
    state
        .store
        .set_proposal_visibility(id, after, &name_of(input.action), reason)
        .await?;
    let was_published = proposal.visibility() == Visibility::Published;
    match (was_published, after == Visibility::Published) {
        (false, true) => signal_id(&state, &proposal.box_id, events::PROPOSAL_CREATED, id),
        (true, false) => signal_id(&state, &proposal.box_id, events::PROPOSAL_REMOVED, id),
        _ => {}
    }
    Ok(Json(
        full_view(&state, &load_proposal(&state, id).await?).await?,
    ))
}
