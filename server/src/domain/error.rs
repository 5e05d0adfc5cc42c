//! Why an operation was refused: every rule a request can break, with its wire code.

use civique_api::codes;
use civique_api::comments::limits;
use civique_api::proposals::limits as proposal_limits;

/// A refusal. The message is English, for developers and logs; the widget translates by
/// [`Error::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("{0} not found")]
    NotFound(&'static str),
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
    /// Well-formed but unacceptable input.
    #[error("{0}")]
    InvalidInput(String),
    /// A malformed request (query string, cursor, path parameter).
    #[error("{0}")]
    BadRequest(String),
    #[error("the {} header is required", civique_api::PARTICIPANT_HEADER)]
    MissingParticipant,
    #[error("the {} header is malformed", civique_api::PARTICIPANT_HEADER)]
    InvalidParticipant,
    /// The widget (`what`) of `site` takes part at a `level` the caller's token does not have.
    #[error("this {what} takes part {hint}", hint = participation_hint(*level, site))]
    ParticipationRequired {
        what: &'static str,
        level: civique_api::Participation,
        site: String,
    },
    /// A staff member without a role on the site of what they asked for.
    #[error("you have no role on this site")]
    NotStaffOf,
    /// A moderator asking for what only a site's administrators may do.
    #[error("only the site's administrators may do this")]
    AdminOnly,
    /// A staff member who does not administer the endpoint asking for what only its
    /// administrators may do (creating a site).
    #[error("only the endpoint's administrators may do this")]
    EndpointAdminOnly,
    /// An administrator acting on a staff account that also works on sites they do not
    /// administer (only the endpoint's administrators may).
    #[error("this account also works on sites you do not administer")]
    BeyondSite,
    /// A site's API token used on another site, or on what only the endpoint's admin token
    /// may do.
    #[error("this token acts on site {site} only")]
    OutsideScope { site: String },
    /// A staff member disabling their own account.
    #[error("you cannot do this to your own account")]
    OwnAccount,
    /// A console sign-in refused (see [`crate::domain::staff`]).
    #[error("{0}")]
    SignIn(super::staff::Problem),
    /// A verified address's code or ticket refused (see [`crate::domain::email`]).
    #[error("{0}")]
    Email(super::email::Problem),
    /// A site account token refused (see [`crate::domain::sso`]).
    #[error("{0}")]
    Sso(super::sso::Problem),
    /// A proof of work or a device token refused (see [`crate::domain::device`]).
    #[error("{0}")]
    Proof(super::device::Problem),
    #[error("this origin may not use this site's widgets")]
    OriginNotAllowed,
    /// A change without an `Origin` header: browsers send one with every change, so only a
    /// script outside a page can leave it out.
    #[error("changes come from a site's pages only: the Origin header is required")]
    MissingOrigin,
    #[error("{0}")]
    Unauthorized(&'static str),
    /// The request conflicts with the current state (an id already taken, a deleted comment).
    #[error("{0}")]
    Conflict(String),
    #[error("the comment text is empty")]
    EmptyText,
    #[error("the text is longer than {} characters", limits::TEXT_MAX_LEN)]
    TextTooLong,
    #[error("a comment may contain at most {} links", limits::MAX_LINKS)]
    TooManyLinks,
    #[error(
        "the display name must be 1..={} characters with a letter or a digit and no \
         invisible or control character",
        limits::AUTHOR_NAME_MAX_LEN
    )]
    InvalidName,
    #[error("this display name is reserved for the site's staff")]
    ReservedName,
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
    #[error("the title must hold a letter or a digit and no invisible or control character")]
    InvalidTitle,
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
    InvalidStatus(&'static str),
}

/// How a resident takes part at `level`, for [`Error::ParticipationRequired`]'s message.
fn participation_hint(level: civique_api::Participation, site: &str) -> String {
    match level {
        civique_api::Participation::Email => {
            format!(
                "with a verified e-mail address: ask for a code (POST /api/v1/sites/{site}/email)"
            )
        }
        _ => "with an account of the site's website: sign in there".to_owned(),
    }
}

impl Error {
    /// The site whose verified address or account a refusal asks for
    /// ([`civique_api::ErrorDetail::site`]).
    pub fn site(&self) -> Option<&str> {
        match self {
            Self::ParticipationRequired { site, .. } => Some(site),
            _ => None,
        }
    }

    /// The stable code of [`civique_api::ErrorDetail::code`].
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => codes::NOT_FOUND,
            Self::PollNotOpen => codes::POLL_NOT_OPEN,
            Self::PollClosed => codes::POLL_CLOSED,
            Self::UnknownOption(_) => codes::UNKNOWN_OPTION,
            Self::TooManyChoices(_) => codes::TOO_MANY_CHOICES,
            Self::NoChoice => codes::NO_CHOICE,
            Self::DuplicateChoice(_) => codes::DUPLICATE_CHOICE,
            Self::InvalidInput(_) | Self::BadRequest(_) => codes::INVALID_INPUT,
            Self::MissingParticipant => codes::MISSING_PARTICIPANT,
            Self::InvalidParticipant => codes::INVALID_PARTICIPANT,
            Self::ParticipationRequired {
                level: civique_api::Participation::Email,
                ..
            } => codes::EMAIL_REQUIRED,
            Self::ParticipationRequired { .. } => codes::PARTICIPATION_REQUIRED,
            Self::Email(super::email::Problem::NotEnabled) => codes::EMAIL_NOT_ENABLED,
            Self::Email(super::email::Problem::Expired) => codes::CODE_EXPIRED,
            Self::Email(_) => codes::CODE_REFUSED,
            Self::NotStaffOf
            | Self::AdminOnly
            | Self::EndpointAdminOnly
            | Self::BeyondSite
            | Self::OwnAccount
            | Self::OutsideScope { .. } => codes::FORBIDDEN,
            Self::SignIn(super::staff::Problem::Wrong) => codes::SIGN_IN_REFUSED,
            Self::SignIn(super::staff::Problem::Locked) => codes::ACCOUNT_LOCKED,
            Self::SignIn(super::staff::Problem::Disabled) => codes::ACCOUNT_DISABLED,
            Self::Sso(super::sso::Problem::Expired) => codes::SSO_EXPIRED,
            Self::Sso(_) => codes::SSO_REFUSED,
            Self::Proof(super::device::Problem::Required) => codes::PROOF_REQUIRED,
            Self::Proof(super::device::Problem::Expired) => codes::PROOF_EXPIRED,
            Self::Proof(_) => codes::PROOF_REFUSED,
            Self::OriginNotAllowed | Self::MissingOrigin => codes::ORIGIN_NOT_ALLOWED,
            Self::Unauthorized(_) => codes::UNAUTHORIZED,
            Self::Conflict(_) => codes::CONFLICT,
            Self::EmptyText => codes::EMPTY_TEXT,
            Self::TextTooLong => codes::TEXT_TOO_LONG,
            Self::TooManyLinks => codes::TOO_MANY_LINKS,
            Self::InvalidName => codes::INVALID_NAME,
            Self::ReservedName => codes::RESERVED_NAME,
            Self::InvalidParent => codes::INVALID_PARENT,
            Self::ThreadLocked => codes::THREAD_LOCKED,
            Self::EditWindowOver => codes::EDIT_WINDOW_OVER,
            Self::NotAuthor => codes::NOT_AUTHOR,
            Self::RateLimited => codes::RATE_LIMITED,
            Self::BlockedWords => codes::BLOCKED_WORDS,
            Self::BoxNotOpen => codes::BOX_NOT_OPEN,
            Self::BoxClosed => codes::BOX_CLOSED,
            Self::EmptyTitle => codes::EMPTY_TITLE,
            Self::InvalidTitle => codes::INVALID_TITLE,
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

pub type Result<T, E = Error> = std::result::Result<T, E>;
