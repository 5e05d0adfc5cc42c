//! Wire types and validation limits of the civique REST API, shared by the widgets and the endpoint.
//!
//! Everything here is plain serde data: the widget decodes it from the browser's own
//! `JSON.parse` (no JSON parser in the wasm bundle), the server encodes it with serde_json.
//! Timestamps travel as RFC 3339 strings in UTC (`2026-11-21T18:00:00Z`).

use serde::{Deserialize, Serialize};

mod wire;

pub mod comments;
pub mod exports;
pub mod personal;
pub mod proposals;
pub mod staff;

use wire::wire_enum;
pub use wire::UnknownName;

pub use comments::{
    AuditAction, AuditEntry, BlockedWordsAction, CommentEdit, CommentInput, CommentPage,
    CommentSort, CommentStatus, CommentView, ModerationAction, ModerationInput, ReportInput,
    SiteSettings, ThreadClaim, ThreadInput, ThreadPatch, ThreadView, UsefulView,
};
pub use personal::{Erasure, MyData};
pub use proposals::{
    BoxEvent, BoxEventKind, BoxInput, BoxMode, BoxPatch, BoxView, Category, ProposalAction,
    ProposalInput, ProposalModeration, ProposalPage, ProposalSort, ProposalStatus, ProposalView,
    SimilarList, StatusChange, StatusInput, SupportView, Visibility,
};

/// Path prefix of every REST route.
pub const API_PREFIX: &str = "/api/v1";

/// Request header carrying the participant token (kept by the widget in the host site's
/// localStorage; there are no cookies).
pub const PARTICIPANT_HEADER: &str = "x-civique-participant";

/// Limits checked by the endpoint (and used by the widget to guide the resident).
pub mod limits {
    /// Participant tokens: URL-safe base64 characters (`A-Z a-z 0-9 - _`), this many.
    pub const TOKEN_MIN_LEN: usize = 16;
    pub const TOKEN_MAX_LEN: usize = 128;
    /// A site's retention period, in months ([`super::SiteInput::retention_months`]).
    pub const DEFAULT_RETENTION_MONTHS: u32 = 12;
    pub const MAX_RETENTION_MONTHS: u32 = 120;
    /// Largest accepted request body, in bytes; larger ones get HTTP 413.
    pub const MAX_BODY_BYTES: usize = 16 * 1024;
    pub const POLL_ID_MAX_LEN: usize = 64;
    pub const QUESTION_MAX_LEN: usize = 300;
    pub const DESCRIPTION_MAX_LEN: usize = 2_000;
    pub const OPTION_LABEL_MAX_LEN: usize = 200;
    pub const MIN_OPTIONS: usize = 2;
    pub const MAX_OPTIONS: usize = 20;
    pub const SITE_NAME_MAX_LEN: usize = 120;
    /// A site's privacy notice address ([`super::SiteInput::privacy_url`]).
    pub const PRIVACY_URL_MAX_LEN: usize = 500;
}

/// Is `id` acceptable as a site or poll identifier (`a-z 0-9 -`, 1..=64 chars)?
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= limits::POLL_ID_MAX_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Is `token` acceptable as a participant token?
pub fn is_valid_token(token: &str) -> bool {
    (limits::TOKEN_MIN_LEN..=limits::TOKEN_MAX_LEN).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

wire_enum! {
    /// Single choice (radio buttons) or multiple choice (check boxes, at most `max_choices`).
    pub enum PollKind {
        Single = "single",
        Multiple = "multiple",
    }
}

wire_enum! {
    /// When residents may see the results.
    pub enum ResultsVisibility {
        /// Once this participant has voted (and always after closing).
        AfterVote = "after_vote",
        /// At any time, even before voting.
        Always = "always",
        /// Only once the poll is closed.
        AfterClose = "after_close",
    }
}

wire_enum! {
    /// Who may take part, and how the endpoint tells one participant from another. Results
    /// say which level they were collected at.
    #[derive(Default)]
    pub enum Participation {
        /// One participation per device: the token the widget keeps in the host site's
        /// storage.
        #[default]
        Device = "device",
        /// One participation per user of the host website, who vouches for them with a
        /// signed token (see [`SsoExchange`]).
        Site = "site",
        /// One participation per e-mail address, proven with a one-time code sent to it
        /// (see [`EmailCodeRequest`]).
        Email = "email",
    }
}

/// `POST /api/v1/sites/{site}/email`: send a one-time code to `address`, which the resident
/// types back ([`EmailCodeCheck`]) to take part where the site's widgets ask for a verified
/// address. The address itself is not kept: only a keyed hash of it names the participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailCodeRequest {
    pub address: String,
    /// The language of the message: `fr` (the default) or `en`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

/// The answer to [`EmailCodeRequest`]: the ticket to send back with the code, before
/// `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailCodeSent {
    /// Signed by the endpoint: it names the address's hash and the code's, so the endpoint
    /// keeps nothing until the code comes back.
    pub ticket: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// `POST /api/v1/sites/{site}/email/verify`: the code the resident received, with its
/// ticket; a code serves once and allows a few tries. The answer is a [`SsoParticipant`]
/// whose `participation` is `email`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailCodeCheck {
    pub ticket: String,
    pub code: String,
    /// The same address again, when the resident asks to be told by e-mail when the town
    /// answers their proposals or comments: only then is it kept (shown in "Mes données",
    /// erased with the rest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_address: Option<String>,
    /// The language of those messages: `fr` (the default) or `en`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

/// `POST /api/v1/sites/{site}/sso`: the host website's signed token for its logged-in user
/// (`v1.<payload>.<signature>`, see `docs/sso.md`), exchanged once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsoExchange {
    pub token: String,
}

/// The answer to [`SsoExchange`] and to [`EmailCodeCheck`]: a participant token of the
/// endpoint's own, sent in the participant header like any other, which stands for this
/// site user (or verified address) until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoParticipant {
    pub participant: String,
    pub participation: Participation,
    /// The display name the host website gave, if any.
    pub name: Option<String>,
    /// RFC 3339.
    pub expires_at: String,
}

/// `GET /api/v1/devices/challenge`: a proof-of-work puzzle (ALTCHA-style). Find the
/// `number` in `0..=maxnumber` whose SHA-256 of `salt` followed by `number` in decimal is
/// `challenge` (lowercase hex), then send [`DeviceProof`] before `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceChallenge {
    /// Always `SHA-256`.
    pub algorithm: String,
    pub challenge: String,
    pub salt: String,
    pub maxnumber: u64,
    /// The endpoint's signature of `challenge`: it keeps no state until the proof comes.
    pub signature: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// `POST /api/v1/devices`: the solved [`DeviceChallenge`], spent once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceProof {
    pub salt: String,
    pub number: u64,
    pub signature: String,
}

/// The answer to [`DeviceProof`]: this device's participant token, sent in the participant
/// header from then on (and kept by the widget).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceToken {
    pub participant: String,
}

wire_enum! {
    /// Where the poll stands in time, computed by the server from its clock.
    pub enum PollStatus {
        /// `opens_at` is in the future.
        Upcoming = "upcoming",
        Open = "open",
        /// `closes_at` is in the past: final results.
        Closed = "closed",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollOption {
    pub id: i64,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionCount {
    pub option_id: i64,
    pub votes: u64,
}

/// Results of a poll. Percentages are computed by the widget from these counts
/// (share of `voters`, so multiple-choice percentages may add up past 100).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollResults {
    /// Number of participants who voted.
    pub voters: u64,
    /// One entry per option, in the poll's option order.
    pub counts: Vec<OptionCount>,
}

/// `GET /api/v1/polls/{id}`: a poll as one participant sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollView {
    pub id: String,
    pub site_id: String,
    pub question: String,
    pub description: Option<String>,
    pub kind: PollKind,
    /// 1 for single choice.
    pub max_choices: u32,
    pub options: Vec<PollOption>,
    pub opens_at: Option<String>,
    pub closes_at: Option<String>,
    pub status: PollStatus,
    pub results_visibility: ResultsVisibility,
    /// The participation level votes are collected at.
    #[serde(default)]
    pub participation: Participation,
    /// Present only when the results are visible to this participant.
    pub results: Option<PollResults>,
    /// This participant's current choices (empty when they have not voted or sent no token).
    pub my_choices: Vec<i64>,
}

/// `PUT /api/v1/polls/{id}/vote`: cast or replace this participant's vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteRequest {
    pub choices: Vec<i64>,
}

/// Every error response: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Stable machine-readable code, one of [`codes`]; the widget translates by code.
    pub code: String,
    /// English, for developers and logs; never shown to residents as is.
    pub message: String,
    /// With `email_required` and `participation_required`: the site whose verified address
    /// (`POST /api/v1/sites/{site}/email`) or website account the widget asks for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
}

/// Error codes of [`ErrorDetail::code`].
pub mod codes {
    pub const NOT_FOUND: &str = "not_found";
    pub const POLL_NOT_OPEN: &str = "poll_not_open";
    pub const POLL_CLOSED: &str = "poll_closed";
    pub const UNKNOWN_OPTION: &str = "unknown_option";
    pub const TOO_MANY_CHOICES: &str = "too_many_choices";
    pub const NO_CHOICE: &str = "no_choice";
    pub const DUPLICATE_CHOICE: &str = "duplicate_choice";
    pub const INVALID_INPUT: &str = "invalid_input";
    pub const BODY_TOO_LARGE: &str = "body_too_large";
    /// The request's body did not arrive in time (408).
    pub const REQUEST_TIMEOUT: &str = "request_timeout";
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported_media_type";
    pub const MISSING_PARTICIPANT: &str = "missing_participant";
    pub const INVALID_PARTICIPANT: &str = "invalid_participant";
    /// The widget takes part at a level the caller's token does not have (a device token
    /// on a poll for the site's account holders).
    pub const PARTICIPATION_REQUIRED: &str = "participation_required";
    /// The widget takes part with verified e-mail addresses: ask for a code
    /// (`POST /api/v1/sites/{site}/email`) and send the participant token it brings.
    pub const EMAIL_REQUIRED: &str = "email_required";
    /// The site's endpoint sends no e-mail (no `[email]` settings).
    pub const EMAIL_NOT_ENABLED: &str = "email_not_enabled";
    /// The code is wrong, already used, or its ticket is not the endpoint's.
    pub const CODE_REFUSED: &str = "code_refused";
    /// The code's ticket has expired: ask for a new code.
    pub const CODE_EXPIRED: &str = "code_expired";
    /// The host website's token (or the participant token it was exchanged for) has
    /// expired: the page gets a fresh one by reloading.
    pub const SSO_EXPIRED: &str = "sso_expired";
    /// The host website's token is malformed, not signed with the site's secret, for
    /// another site, already used, or the site takes no site accounts.
    pub const SSO_REFUSED: &str = "sso_refused";
    /// A device that never took part on the site must first prove its work
    /// (`GET /api/v1/devices/challenge`, then `POST /api/v1/devices`).
    pub const PROOF_REQUIRED: &str = "proof_required";
    /// The proof of work expired before it came: solve a new challenge.
    pub const PROOF_EXPIRED: &str = "proof_expired";
    /// The proof of work is wrong, forged or already spent, or a device token is forged.
    pub const PROOF_REFUSED: &str = "proof_refused";
    pub const ORIGIN_NOT_ALLOWED: &str = "origin_not_allowed";
    pub const UNAUTHORIZED: &str = "unauthorized";
    pub const CONFLICT: &str = "conflict";
    /// The route exists but not with this HTTP method.
    pub const METHOD_NOT_ALLOWED: &str = "method_not_allowed";
    pub const INTERNAL: &str = "internal";
    /// The endpoint cannot reach its database right now, or is shutting down: try again
    /// shortly (503, with `Retry-After`).
    pub const UNAVAILABLE: &str = "unavailable";
    pub const EMPTY_TEXT: &str = "empty_text";
    pub const TEXT_TOO_LONG: &str = "text_too_long";
    pub const TOO_MANY_LINKS: &str = "too_many_links";
    /// Display name empty, longer than 60 characters, without a letter or digit, or
    /// holding an invisible or control character.
    pub const INVALID_NAME: &str = "invalid_name";
    /// A resident's display name that would pass for the town's staff ("Mairie…").
    pub const RESERVED_NAME: &str = "reserved_name";
    /// Replying to an unknown, removed or unpublished comment.
    pub const INVALID_PARENT: &str = "invalid_parent";
    pub const THREAD_LOCKED: &str = "thread_locked";
    /// Own comments can be edited or deleted only for a short while.
    pub const EDIT_WINDOW_OVER: &str = "edit_window_over";
    pub const NOT_AUTHOR: &str = "not_author";
    pub const RATE_LIMITED: &str = "rate_limited";
    /// The text contains one of the site's blocked words.
    pub const BLOCKED_WORDS: &str = "blocked_words";
    /// The proposal box has not opened yet.
    pub const BOX_NOT_OPEN: &str = "box_not_open";
    pub const BOX_CLOSED: &str = "box_closed";
    /// A proposal title (or question) is empty.
    pub const EMPTY_TITLE: &str = "empty_title";
    pub const TITLE_TOO_LONG: &str = "title_too_long";
    /// A title without a letter or digit, or holding an invisible or control character.
    pub const INVALID_TITLE: &str = "invalid_title";
    pub const PLACE_TOO_LONG: &str = "place_too_long";
    pub const UNKNOWN_CATEGORY: &str = "unknown_category";
    /// The box has categories and none was given.
    pub const CATEGORY_REQUIRED: &str = "category_required";
    /// This participant already supports the proposal.
    pub const ALREADY_SUPPORTED: &str = "already_supported";
    /// Withdrawing a support that was never given.
    pub const NOT_SUPPORTED: &str = "not_supported";
    /// `duplicate` without another proposal of the same box.
    pub const INVALID_DUPLICATE: &str = "invalid_duplicate";
    /// The status does not fit the box's mode (e.g. `answered` for an idea).
    pub const INVALID_STATUS: &str = "invalid_status";
    /// Console: the staff member has no role on the site of what they asked for.
    pub const FORBIDDEN: &str = "forbidden";
    /// Console: wrong login or password.
    pub const SIGN_IN_REFUSED: &str = "sign_in_refused";
    /// Console: too many wrong passwords in a row; the account is locked for a while.
    pub const ACCOUNT_LOCKED: &str = "account_locked";
    /// Console: the account was disabled by an administrator.
    pub const ACCOUNT_DISABLED: &str = "account_disabled";
}

/// Admin API (`Authorization: Bearer <admin token>`): `POST /api/v1/admin/sites`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "SiteFields")]
pub struct SiteInput {
    pub id: String,
    pub name: String,
    /// Origins allowed to embed this site's widgets, e.g. `https://www.saint-exemple.fr`.
    pub origins: Vec<String>,
    /// The secret the site's own website signs its users' tokens with (site accounts, see
    /// `docs/sso.md`); at least 32 characters. Never sent back. Without it, the site takes
    /// no site accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso_secret: Option<String>,
    /// Months after a poll or box closes, or a thread is locked, before the personal data
    /// its residents left there is erased (their names, what ties their contributions to
    /// them, each ballot, support, mark and report), the counts staying as they are; 1 to
    /// 120, 12 when absent.
    pub retention_months: u32,
    /// The town's own privacy notice (`https://…`), where every widget's "Confidentialité"
    /// link leads (`GET /api/v1/sites/{site}/privacy` redirects there); without one, that
    /// link shows the endpoint's notice of what civique keeps on this site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_url: Option<String>,
    /// Comment settings; each defaults when absent.
    #[serde(flatten)]
    pub settings: SiteSettings,
}

/// A [`SiteInput`] as it is read: every field named, so that an unknown one (a misspelt
/// setting in the configuration file, say) is refused, which `flatten` cannot do.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteFields {
    id: String,
    name: String,
    origins: Vec<String>,
    #[serde(default)]
    sso_secret: Option<String>,
    #[serde(default = "default_retention_months")]
    retention_months: u32,
    #[serde(default)]
    privacy_url: Option<String>,
    #[serde(default)]
    auto_threads: bool,
    #[serde(default = "default_report_threshold")]
    report_threshold: u32,
    #[serde(default)]
    blocked_words: Vec<String>,
    #[serde(default)]
    blocked_words_action: BlockedWordsAction,
}

fn default_retention_months() -> u32 {
    limits::DEFAULT_RETENTION_MONTHS
}

fn default_report_threshold() -> u32 {
    comments::limits::DEFAULT_REPORT_THRESHOLD
}

impl SiteInput {
    /// A site with every setting at its default.
    pub fn new(id: String, name: String, origins: Vec<String>) -> Self {
        Self {
            id,
            name,
            origins,
            sso_secret: None,
            retention_months: limits::DEFAULT_RETENTION_MONTHS,
            privacy_url: None,
            settings: SiteSettings::default(),
        }
    }
}

impl From<SiteFields> for SiteInput {
    fn from(site: SiteFields) -> Self {
        Self {
            id: site.id,
            name: site.name,
            origins: site.origins,
            sso_secret: site.sso_secret,
            retention_months: site.retention_months,
            privacy_url: site.privacy_url,
            settings: SiteSettings {
                auto_threads: site.auto_threads,
                report_threshold: site.report_threshold,
                blocked_words: site.blocked_words,
                blocked_words_action: site.blocked_words_action,
            },
        }
    }
}

/// A site as returned by the admin API.
pub type Site = SiteInput;

/// Admin API: `POST /api/v1/admin/polls`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PollInput {
    pub id: String,
    pub site_id: String,
    pub question: String,
    #[serde(default)]
    pub description: Option<String>,
    pub kind: PollKind,
    /// Ignored (taken as 1) for single choice; defaults to the number of options.
    #[serde(default)]
    pub max_choices: Option<u32>,
    pub options: Vec<String>,
    #[serde(default)]
    pub opens_at: Option<String>,
    #[serde(default)]
    pub closes_at: Option<String>,
    pub results_visibility: ResultsVisibility,
    /// `site` takes votes only from users the host website vouches for.
    #[serde(default)]
    pub participation: Participation,
}

/// Server-sent event names on `GET /api/v1/polls/{id}/events`, and their data.
pub mod events {
    use serde::{Deserialize, Serialize};

    /// Sent when the poll's votes change (at most four times a second), with
    /// [`PollChanged`].
    pub const POLL_CHANGED: &str = "poll_changed";

    /// Data of [`POLL_CHANGED`]: `{"voters": N}`, and the new `results` when everyone may
    /// see them (results shown `always`, or the poll closed): a widget applies them as
    /// they come, without a request.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct PollChanged {
        pub voters: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub results: Option<crate::PollResults>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_lowercase_slugs() {
        assert!(is_valid_id("budget-2027"));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id("Budget"));
        assert!(!is_valid_id("a b"));
        assert!(!is_valid_id(&"a".repeat(65)));
    }

    #[test]
    fn tokens_are_url_safe_and_bounded() {
        assert!(is_valid_token("abcdefghijklmnop"));
        assert!(is_valid_token(&"A_-9".repeat(8)));
        assert!(!is_valid_token("short"));
        assert!(!is_valid_token("abcdefghijklmnop!"));
        assert!(!is_valid_token(&"a".repeat(129)));
    }

    #[test]
    fn enums_use_snake_case_on_the_wire() {
        let v: ResultsVisibility = serde_json_like("\"after_vote\"");
        assert_eq!(v, ResultsVisibility::AfterVote);
    }

    // The api crate stays free of serde_json; a tiny deserializer for a bare string is enough here.
    fn serde_json_like(s: &str) -> ResultsVisibility {
        use serde::de::value::{Error, StrDeserializer};
        use serde::de::IntoDeserializer;
        let inner = s.trim_matches('"');
        let de: StrDeserializer<'_, Error> = inner.into_deserializer();
        ResultsVisibility::deserialize(de).unwrap()
    }
}
