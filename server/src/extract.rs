//! Request extractors whose rejections use the API error shape.

use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::Json;
use civique_api::{is_valid_token, PARTICIPANT_HEADER};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `axum::Json`, but a refused body (syntax 400, shape 422, content type 415, size 413)
/// answers with an [`ApiError`] body instead of plain text.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<T>::from_request(req, state).await?;
        Ok(Self(value))
    }
}

/// The participant token, if the request carries one; a malformed one is an error.
pub fn participant_token(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(PARTICIPANT_HEADER) else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(token) if is_valid_token(token) => Ok(Some(token)),
        _ => Err(ApiError::InvalidParticipant),
    }
}

/// `axum::extract::Query`, but a malformed query string answers 400 `invalid_input` in the
/// API error shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(value) = Query::<T>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
        Ok(Self(value))
    }
}
