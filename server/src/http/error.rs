//! One error type for every HTTP answer that is not a success: the API's JSON error body,
//! with internals kept for the log.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use civique_api::{codes, ErrorBody, ErrorDetail};

use crate::domain::Error as Refusal;
use crate::service;
use crate::store::StoreError;

pub type Result<T, E = ApiError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A body the JSON extractor refused (bad syntax, wrong shape, wrong type, too large).
    #[error("{}", .0.body_text())]
    Json(#[from] JsonRejection),
    #[error("{}", .0.body_text())]
    Query(#[from] QueryRejection),
    #[error("{}", .0.body_text())]
    Path(#[from] PathRejection),
    #[error("route not found")]
    NoRoute,
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The request's task panicked (a bug): the details are in the log.
    #[error("the request failed unexpectedly")]
    Panicked,
    /// `/readyz`: the database does not answer, or its schema is not this build's.
    #[error("not ready: {0}")]
    NotReady(StoreError),
    /// The endpoint is stopping.
    #[error("the endpoint is shutting down")]
    ShuttingDown,
    /// The request's body did not arrive in time.
    #[error("the request body did not arrive within {0} ms")]
    BodyTimeout(u128),
    /// The request's body is larger than the API takes.
    #[error(
        "the request body is larger than {} bytes",
        civique_api::limits::MAX_BODY_BYTES
    )]
    BodyTooLarge,
    /// The SMTP server did not take a message (503: the resident tries again).
    #[error("the e-mail could not be sent: {0}")]
    Mail(String),
    /// The client stopped sending its body.
    #[error("the request body could not be read")]
    BodyBroken,
}

impl From<service::Error> for ApiError {
    fn from(error: service::Error) -> Self {
        match error {
            service::Error::Refused(refusal) => Self::Refused(refusal),
            service::Error::Store(store) => Self::Store(store),
            service::Error::Mail(why) => Self::Mail(why),
        }
    }
}

/// The status of a refusal.
fn refusal_status(refusal: &Refusal) -> StatusCode {
    match refusal {
        Refusal::NotFound(_) => StatusCode::NOT_FOUND,
        Refusal::PollNotOpen
        | Refusal::PollClosed
        | Refusal::Conflict(_)
        | Refusal::BoxNotOpen
        | Refusal::BoxClosed
        | Refusal::AlreadySupported
        | Refusal::NotSupported
        | Refusal::ThreadLocked => StatusCode::CONFLICT,
        Refusal::UnknownOption(_)
        | Refusal::TooManyChoices(_)
        | Refusal::NoChoice
        | Refusal::DuplicateChoice(_)
        | Refusal::InvalidInput(_)
        | Refusal::EmptyText
        | Refusal::TextTooLong
        | Refusal::TooManyLinks
        | Refusal::InvalidName
        | Refusal::ReservedName
        | Refusal::InvalidParent
        | Refusal::BlockedWords
        | Refusal::EmptyTitle
        | Refusal::TitleTooLong(_)
        | Refusal::InvalidTitle
        | Refusal::PlaceTooLong
        | Refusal::UnknownCategory(_)
        | Refusal::CategoryRequired
        | Refusal::InvalidDuplicate
        | Refusal::InvalidStatus(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Refusal::EditWindowOver
        | Refusal::NotAuthor
        | Refusal::OriginNotAllowed
        | Refusal::MissingOrigin
        | Refusal::ParticipationRequired { .. }
        | Refusal::Proof(_) => StatusCode::FORBIDDEN,
        Refusal::Email(crate::domain::email::Problem::NotEnabled) => StatusCode::NOT_FOUND,
        Refusal::Email(_) => StatusCode::FORBIDDEN,
        Refusal::Sso(_) => StatusCode::UNAUTHORIZED,
        Refusal::NotStaffOf
        | Refusal::AdminOnly
        | Refusal::EndpointAdminOnly
        | Refusal::BeyondSite
        | Refusal::OwnAccount
        | Refusal::OutsideScope { .. } => StatusCode::FORBIDDEN,
        Refusal::SignIn(crate::domain::staff::Problem::Wrong) => StatusCode::UNAUTHORIZED,
        Refusal::SignIn(crate::domain::staff::Problem::Locked) => StatusCode::TOO_MANY_REQUESTS,
        Refusal::SignIn(crate::domain::staff::Problem::Disabled) => StatusCode::FORBIDDEN,
        Refusal::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        Refusal::MissingParticipant | Refusal::InvalidParticipant | Refusal::BadRequest(_) => {
            StatusCode::BAD_REQUEST
        }
        Refusal::Unauthorized(_) => StatusCode::UNAUTHORIZED,
    }
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Refused(refusal) => refusal_status(refusal),
            Self::Store(StoreError::Conflict(_)) => StatusCode::CONFLICT,
            Self::Store(StoreError::Unavailable(_))
            | Self::NotReady(_)
            | Self::ShuttingDown
            | Self::Mail(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Store(_) | Self::Panicked => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Json(rejection) => rejection.status(),
            Self::Query(_) | Self::Path(_) => StatusCode::BAD_REQUEST,
            Self::NoRoute => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::BodyTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BodyBroken => StatusCode::BAD_REQUEST,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Refused(refusal) => refusal.code(),
            Self::Store(StoreError::Conflict(_)) => codes::CONFLICT,
            Self::Store(StoreError::Unavailable(_))
            | Self::NotReady(_)
            | Self::ShuttingDown
            | Self::Mail(_) => codes::UNAVAILABLE,
            Self::Store(_) | Self::Panicked => codes::INTERNAL,
            Self::Json(rejection) => match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => codes::BODY_TOO_LARGE,
                StatusCode::UNSUPPORTED_MEDIA_TYPE => codes::UNSUPPORTED_MEDIA_TYPE,
                _ => codes::INVALID_INPUT,
            },
            Self::Query(_) | Self::Path(_) => codes::INVALID_INPUT,
            Self::NoRoute => codes::NOT_FOUND,
            Self::MethodNotAllowed => codes::METHOD_NOT_ALLOWED,
            Self::BodyTimeout(_) => codes::REQUEST_TIMEOUT,
            Self::BodyTooLarge => codes::BODY_TOO_LARGE,
            Self::BodyBroken => codes::INVALID_INPUT,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = if status.is_server_error() {
            // The details go to the log, never to the client.
            tracing::error!(error = %self, "request failed");
            match status {
                StatusCode::SERVICE_UNAVAILABLE => "temporarily unavailable, try again shortly",
                _ => "internal error",
            }
            .to_owned()
        } else {
            self.to_string()
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().to_owned(),
                message,
                site: match &self {
                    Self::Refused(refusal) => refusal.site().map(str::to_owned),
                    _ => None,
                },
            },
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("5"),
            );
        }
        response
    }
}
