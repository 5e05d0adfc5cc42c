//! The API error type: every failure becomes a status and `{"error":{"code","message"}}`.

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use civique_api::comments::limits;
use civique_api::proposals::limits as proposal_limits;
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
    /// A malformed request (query string, cursor): 400 `invalid_input`.
    #[error("{0}")]
    BadRequest(String),
    /// A body the JSON extractor refused (bad syntax, wrong shape, wrong type, too large).
    #[error("{}", .0.body_text())]
    Json(#[from] JsonRejection),
    #[error("the {} header is required", civique_api::PARTICIPANT_HEADER)]
    MissingParticipant,
    #[error("the {} header is malformed", civique_api::PARTICIPANT_HEADER)]
    InvalidParticipant,
    #[error("this origin may not use this site's widgets")]
    OriginNotAllowed,
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("the comment text is empty")]
    EmptyText,
    #[error("the text is longer than {} characters", limits::TEXT_MAX_LEN)]
    TextTooLong,
    #[error("a comment may contain at most {} links", limits::MAX_LINKS)]
    TooManyLinks,
    #[error(
        "the display name must be 1..={} characters",
        limits::AUTHOR_NAME_MAX_LEN
    )]
    InvalidName,
    #[error("the parent comment does not exist or is not published")]
    InvalidParent,
    #[error("the thread is locked")]
    ThreadLocked,
    #[error("comments can be changed only shortly after posting")]
    EditWindowOver,
    #[error("only the author may change this comment")]
    NotAuthor,
    #[error("too many submissions, try again in a moment")]
    RateLimited,
    #[error("the text contains a word this site does not accept")]
    BlockedWords,
    #[error("the proposal box is not open yet")]
    BoxNotOpen,
    #[error("the proposal box is closed")]
    BoxClosed,
    #[error("the title is empty")]
    EmptyTitle,
    #[error("the title is longer than {0} characters")]
    TitleTooLong(usize),
    #[error(
        "the place is longer than {} characters",
        proposal_limits::PLACE_MAX_LEN
    )]
    PlaceTooLong,
    #[error("{0:?} is not a category of this box")]
    UnknownCategory(String),
    #[error("this box requires a category")]
    CategoryRequired,
    #[error("this participant already supports the proposal")]
    AlreadySupported,
    #[error("this participant does not support the proposal")]
    NotSupported,
    #[error("duplicate_of must name another proposal of the same box")]
    InvalidDuplicate,
    #[error("status {0:?} does not fit this box's mode")]
    InvalidStatus(String),
    #[error(transparent)]
    Internal(#[from] StoreError),
    /// The request's task panicked (a bug): the details are in the log.
    #[error("the request failed unexpectedly")]
    Panicked,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PollNotOpen
            | Self::PollClosed
            | Self::Conflict(_)
            | Self::BoxNotOpen
            | Self::BoxClosed
            | Self::AlreadySupported
            | Self::NotSupported => StatusCode::CONFLICT,
            Self::UnknownOption(_)
            | Self::TooManyChoices(_)
            | Self::NoChoice
            | Self::DuplicateChoice(_)
            | Self::InvalidInput(_)
            | Self::EmptyText
            | Self::TextTooLong
            | Self::TooManyLinks
            | Self::InvalidName
            | Self::InvalidParent
            | Self::BlockedWords
            | Self::EmptyTitle
            | Self::TitleTooLong(_)
            | Self::PlaceTooLong
            | Self::UnknownCategory(_)
            | Self::CategoryRequired
            | Self::InvalidDuplicate
            | Self::InvalidStatus(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::ThreadLocked => StatusCode::CONFLICT,
            Self::EditWindowOver | Self::NotAuthor => StatusCode::FORBIDDEN,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::Json(rejection) => rejection.status(),
            Self::MissingParticipant | Self::InvalidParticipant | Self::BadRequest(_) => {
                StatusCode::BAD_REQUEST
            }
            Self::OriginNotAllowed => StatusCode::FORBIDDEN,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Internal(StoreError::Conflict(_)) => StatusCode::CONFLICT,
            Self::Internal(_) | Self::Panicked => StatusCode::INTERNAL_SERVER_ERROR,
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
            Self::InvalidInput(_) | Self::BadRequest(_) => codes::INVALID_INPUT,
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
            Self::Internal(_) | Self::Panicked => codes::INTERNAL,
            Self::EmptyText => codes::EMPTY_TEXT,
            Self::TextTooLong => codes::TEXT_TOO_LONG,
            Self::TooManyLinks => codes::TOO_MANY_LINKS,
            Self::InvalidName => codes::INVALID_NAME,
            Self::InvalidParent => codes::INVALID_PARENT,
            Self::ThreadLocked => codes::THREAD_LOCKED,
            Self::EditWindowOver => codes::EDIT_WINDOW_OVER,
            Self::NotAuthor => codes::NOT_AUTHOR,
            Self::RateLimited => codes::RATE_LIMITED,
            Self::BlockedWords => codes::BLOCKED_WORDS,
            Self::BoxNotOpen => codes::BOX_NOT_OPEN,
            Self::BoxClosed => codes::BOX_CLOSED,
            Self::EmptyTitle => codes::EMPTY_TITLE,
            Self::TitleTooLong(_) => codes::TITLE_TOO_LONG,
            Self::PlaceTooLong => codes::PLACE_TOO_LONG,
            Self::UnknownCategory(_) => codes::UNKNOWN_CATEGORY,
            Self::CategoryRequired => codes::CATEGORY_REQUIRED,
            Self::AlreadySupported => codes::ALREADY_SUPPORTED,
            Self::NotSupported => codes::NOT_SUPPORTED,
            Self::InvalidDuplicate => codes::INVALID_DUPLICATE,
            Self::InvalidStatus(_) => codes::INVALID_STATUS,
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
