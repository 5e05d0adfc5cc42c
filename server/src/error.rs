//! The API error type: every failure becomes a status and `{"error":{"code","message"}}`.

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use civique_api::{codes, ErrorBody, ErrorDetail};

use crate::store::StoreError;

pub type Result<T, E = ApiError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("the poll is not open yet")]
    PollNotOpen,
    #[error("the poll is closed")]
    PollClosed,
    #[error("option {0} is not part of this poll")]
    UnknownOption(i64),
    #[error("at most {0} choice(s) allowed")]
    TooManyChoices(u32),
    #[error("choose at least one option")]
    NoChoice,
    #[error("option {0} chosen twice")]
    DuplicateChoice(i64),
    /// Well-formed but unacceptable input (422).
    #[error("{0}")]
    InvalidInput(String),
    /// A body the JSON extractor refused (bad syntax, wrong shape, wrong type, too large).
    #[error("{}", .0.body_text())]
    Json(#[from] JsonRejection),
    #[error("the {} header is required", civique_api::PARTICIPANT_HEADER)]
    MissingParticipant,
    #[error("the {} header is malformed", civique_api::PARTICIPANT_HEADER)]
    InvalidParticipant,
    #[error("this origin may not use this poll")]
    OriginNotAllowed,
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Internal(#[from] StoreError),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PollNotOpen | Self::PollClosed | Self::Conflict(_) => StatusCode::CONFLICT,
            Self::UnknownOption(_)
            | Self::TooManyChoices(_)
            | Self::NoChoice
            | Self::DuplicateChoice(_)
            | Self::InvalidInput(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Json(rejection) => rejection.status(),
            Self::MissingParticipant | Self::InvalidParticipant => StatusCode::BAD_REQUEST,
            Self::OriginNotAllowed => StatusCode::FORBIDDEN,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Internal(StoreError::Conflict(_)) => StatusCode::CONFLICT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => codes::NOT_FOUND,
            Self::MethodNotAllowed => codes::METHOD_NOT_ALLOWED,
            Self::PollNotOpen => codes::POLL_NOT_OPEN,
            Self::PollClosed => codes::POLL_CLOSED,
            Self::UnknownOption(_) => codes::UNKNOWN_OPTION,
            Self::TooManyChoices(_) => codes::TOO_MANY_CHOICES,
            Self::NoChoice => codes::NO_CHOICE,
            Self::DuplicateChoice(_) => codes::DUPLICATE_CHOICE,
            Self::InvalidInput(_) => codes::INVALID_INPUT,
            Self::Json(rejection) => match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => codes::BODY_TOO_LARGE,
                StatusCode::UNSUPPORTED_MEDIA_TYPE => codes::UNSUPPORTED_MEDIA_TYPE,
                _ => codes::INVALID_INPUT,
            },
            Self::MissingParticipant => codes::MISSING_PARTICIPANT,
            Self::InvalidParticipant => codes::INVALID_PARTICIPANT,
            Self::OriginNotAllowed => codes::ORIGIN_NOT_ALLOWED,
            Self::Unauthorized(_) => codes::UNAUTHORIZED,
            Self::Conflict(_) | Self::Internal(StoreError::Conflict(_)) => codes::CONFLICT,
            Self::Internal(_) => codes::INTERNAL,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = if status.is_server_error() {
            // The details go to the log, never to the client.
            tracing::error!(error = %self, "request failed");
            "internal error".to_owned()
        } else {
            self.to_string()
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().to_owned(),
                message,
            },
        };
        (status, Json(body)).into_response()
    }
}
