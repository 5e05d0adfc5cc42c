//! Resident-facing proposal box routes: the box, listings, similar proposals, submitting,
//! supports and live events.

use std::convert::Infallible;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware;
use axum::response::sse::{Event, Sse};
use axum::routing::{get, put};
use axum::{Json, Router};
use civique_api::proposals::{events, limits};
use civique_api::{
    BoxView, ProposalInput, ProposalPage, ProposalSort, ProposalStatus, ProposalView, SimilarList,
    SupportView, Visibility,
};
use futures_util::Stream;
use serde::de::IntoDeserializer;
use serde::{Deserialize, Deserializer};
use time::OffsetDateTime;

use super::guard::{self, check_origin, held_for_review, live, reader, required_participant};
use crate::error::{ApiError, Result};
use crate::extract::{ApiJson, ApiQuery};
use crate::proposal::{search_query, similar_query, Proposal, ProposalBox};
use crate::store::ProposalFilter;
use crate::AppState;

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/boxes/{id}", get(show_box))
        .route("/boxes/{id}/proposals", get(list).post(create))
        .route("/boxes/{id}/similar", get(similar))
        .route("/boxes/{id}/events", get(watch))
        .route("/proposals/{id}", get(show))
        .route("/proposals/{id}/support", put(support).delete(withdraw))
        .method_not_allowed_fallback(super::method_not_allowed)
        .layer(middleware::from_fn_with_state(state, guard::cors))
}

pub async fn load_box(state: &AppState, id: &str) -> Result<ProposalBox> {
    state
        .store
        .proposal_box(id)
        .await?
        .ok_or(ApiError::NotFound("box"))
}

/// Loads the box, refusing origins its site does not list.
async fn box_for_origin(state: &AppState, id: &str, headers: &HeaderMap) -> Result<ProposalBox> {
    let b = load_box(state, id).await?;
    check_origin(state, &b.site_id, headers).await?;
    Ok(b)
}

pub async fn box_view(state: &AppState, b: &ProposalBox) -> Result<BoxView> {
    let count = state.store.box_count(&b.id).await?;
    Ok(b.view(OffsetDateTime::now_utc(), count))
}

/// A proposal with its status history.
pub async fn full_view(state: &AppState, proposal: &Proposal) -> Result<ProposalView> {
    let mut histories = state.store.histories(&[proposal.id]).await?;
    Ok(proposal.view(histories.remove(&proposal.id).unwrap_or_default()))
}

/// The hub topic of a box's live events.
fn topic(box_id: &str) -> String {
    format!("box:{box_id}")
}

/// Announces a change to the box's watchers (published proposals only).
pub fn signal(state: &AppState, box_id: &str, event: &'static str, data: String) {
    state.hub.publish(&topic(box_id), event, data);
}

pub fn signal_id(state: &AppState, box_id: &str, event: &'static str, id: i64) {
    signal(state, box_id, event, format!("{{\"id\":{id}}}"));
}

async fn show_box(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<BoxView>> {
    let b = box_for_origin(&state, &id, &headers).await?;
    Ok(Json(box_view(&state, &b).await?))
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

/// Refuses search texts longer than the API allows.
fn check_query(q: &str) -> Result<()> {
    if q.chars().count() > limits::QUERY_MAX_LEN {
        return Err(ApiError::BadRequest(format!(
            "q is longer than {} characters",
            limits::QUERY_MAX_LEN
        )));
    }
    Ok(())
}

async fn list(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<ProposalPage>> {
    let b = box_for_origin(&state, &id, &headers).await?;
    let me = reader(&state, &b.site_id, &headers).await?.id;
    let page = query.page.unwrap_or(1);
    if page == 0 {
        return Err(ApiError::BadRequest("page starts at 1".to_owned()));
    }
    let category = query
        .category
        .map(|category| b.known_category(&category))
        .transpose()?;
    if let Some(q) = &query.q {
        check_query(q)?;
    }
    let filter = ProposalFilter {
        sort: query.sort.unwrap_or_default(),
        category,
        status: query.status,
        search: query.q.as_deref().and_then(search_query),
    };
    let (count, proposals) = state.store.list_proposals(&b.id, &filter, me, page).await?;
    let pages = count.div_ceil(limits::PAGE_SIZE as u64).max(1);
    Ok(Json(ProposalPage {
        count,
        page,
        pages: u32::try_from(pages).unwrap_or(u32::MAX),
        proposals: listed(&proposals),
    }))
}

/// Views of a listing (no history).
fn listed(proposals: &[Proposal]) -> Vec<ProposalView> {
    proposals.iter().map(|p| p.view(Vec::new())).collect()
}

#[derive(Debug, Deserialize)]
struct SimilarQuery {
    #[serde(default)]
    q: String,
}

async fn similar(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<SimilarQuery>,
) -> Result<Json<SimilarList>> {
    let b = box_for_origin(&state, &id, &headers).await?;
    check_query(&query.q)?;
    let proposals = match similar_query(&query.q) {
        Some(fts) => {
            let me = reader(&state, &b.site_id, &headers).await?.id;
            state.store.similar_proposals(&b.id, &fts, me).await?
        }
        None => Vec::new(),
    };
    Ok(Json(SimilarList {
        proposals: listed(&proposals),
    }))
}

async fn create(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<ApiJson<ProposalInput>>,
) -> Result<(StatusCode, Json<ProposalView>)> {
    let b = box_for_origin(&state, &id, &headers).await?;
    let key = required_participant(&b.site_id, &headers)?;
    let ApiJson(input) = body?;
    b.ensure_open(OffsetDateTime::now_utc())?;
    let new = b.check_proposal(input)?;
    let screened = [
        new.title.as_str(),
        &new.text,
        new.place.as_deref().unwrap_or(""),
    ]
    .join("\n");
    let held = held_for_review(&state, &b.site_id, &screened).await?;
    let visibility = if b.pre_moderation || held {
        Visibility::Pending
    } else {
        Visibility::Published
    };
    if !state.proposals.allow(&b.id, &key, &b.site_id) {
        return Err(ApiError::RateLimited);
    }
    let id = state
        .store
        .insert_proposal(&b, &new, Some(&key), visibility)
        .await?;
    if visibility == Visibility::Published {
        signal_id(&state, &b.id, events::PROPOSAL_CREATED, id);
    }
    let me = state.store.find_participant(&b.site_id, &key).await?;
    let proposal = state
        .store
        .proposal(id, me)
        .await?
        .ok_or(ApiError::NotFound("proposal"))?;
    Ok((
        StatusCode::CREATED,
        Json(full_view(&state, &proposal).await?),
    ))
}

/// A proposal's box and the proposal as the requesting participant sees it: published ones,
/// and pending ones to their author only; anything else is 404.
async fn proposal_for_origin(
    state: &AppState,
    id: i64,
    headers: &HeaderMap,
) -> Result<(ProposalBox, Proposal, Option<String>)> {
    let not_found = || ApiError::NotFound("proposal");
    let box_id = state
        .store
        .proposal(id, None)
        .await?
        .ok_or_else(not_found)?
        .box_id;
    let b = box_for_origin(state, &box_id, headers).await?;
    let reader = reader(state, &b.site_id, headers).await?;
    let proposal = state
        .store
        .proposal(id, reader.id)
        .await?
        .filter(Proposal::visible_to_reader)
        .ok_or_else(not_found)?;
    Ok((b, proposal, reader.key))
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Json<ProposalView>> {
    let (_, proposal, _) = proposal_for_origin(&state, id, &headers).await?;
    Ok(Json(full_view(&state, &proposal).await?))
}

async fn support(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Json<SupportView>> {
    set_support(&state, id, &headers, true).await
}

async fn withdraw(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Json<SupportView>> {
    set_support(&state, id, &headers, false).await
}

async fn set_support(
    state: &AppState,
    id: i64,
    headers: &HeaderMap,
    support: bool,
) -> Result<Json<SupportView>> {
    let (b, proposal, key) = proposal_for_origin(state, id, headers).await?;
    let key = key.ok_or(ApiError::MissingParticipant)?;
    if proposal.visibility() != Visibility::Published {
        return Err(ApiError::NotFound("proposal"));
    }
    b.ensure_open(OffsetDateTime::now_utc())?;
    let change = state.store.set_support(&b, id, &key, support).await?;
    match (change.changed, support) {
        (false, true) => return Err(ApiError::AlreadySupported),
        (false, false) => return Err(ApiError::NotSupported),
        (true, _) => {}
    }
    signal(
        state,
        &b.id,
        events::SUPPORTS_CHANGED,
        format!("{{\"id\":{id},\"supports\":{}}}", change.supports),
    );
    if change.crossed {
        signal_id(state, &b.id, events::THRESHOLD_REACHED, id);
    }
    Ok(Json(SupportView {
        id,
        supports: change.supports,
        my_support: support,
        threshold_reached_at: change.threshold_reached_at,
    }))
}

/// `text/event-stream` of the box's published changes.
async fn watch(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let b = box_for_origin(&state, &id, &headers).await?;
    Ok(live(&state, &topic(&b.id)))
}
