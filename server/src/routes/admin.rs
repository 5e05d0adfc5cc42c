//! Staff routes behind `Authorization: Bearer <admin_token>`: create sites and polls, list polls.

use axum::extract::{Query, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::post;
use axum::{Json, Router};
use civique_api::{PollInput, PollView, Site, SiteInput};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::error::{ApiError, Result};
use crate::extract::ApiJson;
use crate::poll::{check_site, NewPoll, Poll};
use crate::{AppState, Store};

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/admin/sites", post(create_site))
        .route("/admin/polls", post(create_poll).get(list_polls))
        .route_layer(middleware::from_fn_with_state(state, require_admin))
}

async fn require_admin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response> {
    let expected = state.admin_token().ok_or(ApiError::Unauthorized(
        "the admin API is disabled (no admin_token configured)",
    ))?;
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or(ApiError::Unauthorized("missing bearer token"))?;
    // Comparing digests keeps the comparison time independent of where the tokens differ.
    if Sha256::digest(given) != Sha256::digest(expected) {
        return Err(ApiError::Unauthorized("wrong admin token"));
    }
    Ok(next.run(request).await)
}

async fn create_site(
    State(state): State<AppState>,
    ApiJson(site): ApiJson<SiteInput>,
) -> Result<(StatusCode, Json<Site>)> {
    insert_site(&state.store, &site).await?;
    Ok((StatusCode::CREATED, Json(site)))
}

async fn create_poll(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<PollInput>,
) -> Result<(StatusCode, Json<PollView>)> {
    let poll = insert_poll(&state.store, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(staff_view(&state.store, &poll).await?),
    ))
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    site: Option<String>,
}

async fn list_polls(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<PollView>>> {
    let mut views = Vec::new();
    for poll in state.store.list_polls(query.site.as_deref()).await? {
        views.push(staff_view(&state.store, &poll).await?);
    }
    Ok(Json(views))
}

/// Validates and stores a site (admin API, CLI and seed files share this path).
pub async fn insert_site(store: &Store, site: &SiteInput) -> Result<()> {
    check_site(site).map_err(ApiError::InvalidInput)?;
    Ok(store.create_site(site).await?)
}

/// Validates and stores a poll (admin API, CLI and seed files share this path).
pub async fn insert_poll(store: &Store, input: PollInput) -> Result<Poll> {
    let new = NewPoll::from_input(input).map_err(ApiError::InvalidInput)?;
    if !store.site_exists(&new.site_id).await? {
        return Err(ApiError::InvalidInput(format!(
            "unknown site_id {:?}",
            new.site_id
        )));
    }
    Ok(store.create_poll(&new).await?)
}

/// Staff always see the results.
pub async fn staff_view(store: &Store, poll: &Poll) -> Result<PollView> {
    let status = poll.status(OffsetDateTime::now_utc());
    Ok(poll.view(status, Some(store.tally(&poll.id).await?), Vec::new()))
}
