//! Wire types of comment threads: threads, comments, pages of comments, votes, reports, audit.

use serde::{Deserialize, Serialize};

use crate::wire::wire_enum;

/// Limits of comment threads.
pub mod limits {
    /// Display name of a comment's author, in characters (trimmed, not empty).
    pub const AUTHOR_NAME_MAX_LEN: usize = 60;
    /// Markdown source of a comment, in characters.
    pub const TEXT_MAX_LEN: usize = 5_000;
    /// Links in one comment.
    pub const MAX_LINKS: usize = 5;
    /// Top-level comments per page.
    pub const PAGE_SIZE: usize = 20;
    /// Replies shown inline under each comment; the rest via `GET /comments/{id}/replies`.
    pub const INLINE_REPLIES: usize = 3;
    /// Default and largest reply depth of a thread (top-level comments have depth 0).
    pub const DEFAULT_MAX_DEPTH: u32 = 3;
    pub const MAX_DEPTH: u32 = 10;
    pub const THREAD_TITLE_MAX_LEN: usize = 300;
    pub const REPORT_REASON_MAX_LEN: usize = 500;
    pub const REMOVAL_REASON_MAX_LEN: usize = 500;
    /// Default number of reports that hides a comment pending review.
    pub const DEFAULT_REPORT_THRESHOLD: u32 = 3;
}

wire_enum! {
    /// What happens to a comment containing one of the site's blocked words.
    #[derive(Default)]
    pub enum BlockedWordsAction {
        /// Refused with 422 `blocked_words`.
        #[default]
        Reject = "reject",
        /// Accepted as `pending` until staff approve it.
        Review = "review",
    }
}

/// Per-site comment settings (part of the site definition; every field has a default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SiteSettings {
    /// Widgets may create a thread on first use (`PUT /sites/{site}/threads/by-key/{key}`).
    pub auto_threads: bool,
    /// Reports that hide a comment pending review.
    pub report_threshold: u32,
    /// Words (case-insensitive, whole words) that comments may not contain.
    pub blocked_words: Vec<String>,
    pub blocked_words_action: BlockedWordsAction,
}

impl Default for SiteSettings {
    fn default() -> Self {
        Self {
            auto_threads: false,
            report_threshold: limits::DEFAULT_REPORT_THRESHOLD,
            blocked_words: Vec::new(),
            blocked_words_action: BlockedWordsAction::Reject,
        }
    }
}

/// `GET /api/v1/threads/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadView {
    pub id: String,
    pub site_id: String,
    pub title: String,
    /// New comments wait for staff approval.
    pub pre_moderation: bool,
    /// Deepest reply level (top-level comments are at depth 0).
    pub max_depth: u32,
    /// Posting answers 409 `thread_locked`.
    pub locked: bool,
    /// Who may comment, mark and report (see [`crate::Participation`]).
    pub participation: crate::Participation,
    /// Published comments in the thread.
    pub count: u64,
}

/// Admin API `POST /api/v1/admin/threads`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreadInput {
    pub id: String,
    pub site_id: String,
    pub title: String,
    #[serde(default)]
    pub pre_moderation: bool,
    /// Defaults to [`limits::DEFAULT_MAX_DEPTH`].
    #[serde(default)]
    pub max_depth: Option<u32>,
    /// Who may comment, mark and report: `device` (the default), `site` (site accounts) or
    /// `email` (verified addresses).
    #[serde(default)]
    pub participation: crate::Participation,
}

/// Admin API `PATCH /api/v1/admin/threads/{id}`: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreadPatch {
    #[serde(default)]
    pub locked: Option<bool>,
    #[serde(default)]
    pub pre_moderation: Option<bool>,
}

/// `PUT /api/v1/sites/{site}/threads/by-key/{key}`: the title used if the thread is created.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreadClaim {
    #[serde(default)]
    pub title: Option<String>,
}

wire_enum! {
    pub enum CommentStatus {
        Published = "published",
        /// Waiting for approval; shown only to its author.
        Pending = "pending",
        /// Removed by staff or by reports; a placeholder when it has replies.
        Hidden = "hidden",
        /// Removed by its author or staff; a placeholder when it has replies.
        Deleted = "deleted",
    }
}

/// One comment as a participant sees it. Placeholders (hidden or deleted comments kept
/// because they have replies) carry no author, text or html.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentView {
    pub id: i64,
    pub thread_id: String,
    pub parent_id: Option<i64>,
    pub depth: u32,
    pub author_name: Option<String>,
    /// Set when the reply answers a comment at the deepest level and was attached beside it.
    pub reply_to_name: Option<String>,
    /// The Markdown source (to edit it).
    pub text: Option<String>,
    /// Sanitized HTML rendered by the server: `p em strong a ul ol li br` only.
    pub html: Option<String>,
    pub status: CommentStatus,
    /// Public reason of a staff removal.
    pub removal_reason: Option<String>,
    pub official: bool,
    pub pinned: bool,
    /// Written by this participant.
    pub mine: bool,
    pub useful: u64,
    pub my_useful: bool,
    pub created_at: String,
    pub edited_at: Option<String>,
    /// The first replies, oldest first.
    pub replies: Vec<CommentView>,
    /// Replies not included in `replies`.
    pub more_replies: u64,
}

/// `GET /threads/{id}/comments` and `GET /comments/{id}/replies`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentPage {
    /// Published comments of the thread (for replies: direct replies of the comment).
    pub count: u64,
    pub comments: Vec<CommentView>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

wire_enum! {
    /// Order of top-level comments; pinned comments come first on the first page.
    #[derive(Default)]
    pub enum CommentSort {
        #[default]
        Oldest = "oldest",
        Newest = "newest",
        Useful = "useful",
    }
}

/// `POST /threads/{id}/comments` (and the admin variant, where `official` is honoured).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    pub author_name: String,
    pub text: String,
    #[serde(default)]
    pub parent_id: Option<i64>,
    #[serde(default)]
    pub official: bool,
}

/// `PATCH /comments/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentEdit {
    pub text: String,
}

/// `PUT|DELETE /comments/{id}/useful`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsefulView {
    pub id: i64,
    pub useful: u64,
    pub my_useful: bool,
}

/// `POST /comments/{id}/reports`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    pub reason: String,
}

wire_enum! {
    /// Staff actions on a comment.
    pub enum ModerationAction {
        Approve = "approve",
        Hide = "hide",
        Restore = "restore",
        Delete = "delete",
        Pin = "pin",
        Unpin = "unpin",
    }
}

/// Admin API `POST /api/v1/admin/comments/{id}/moderation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModerationInput {
    pub action: ModerationAction,
    /// Public reason, shown in the placeholder of a hidden or deleted comment.
    #[serde(default)]
    pub reason: Option<String>,
}

wire_enum! {
    /// What a staff action did, in the audit log.
    pub enum AuditAction {
        /// A site, poll, thread or box was created.
        Create = "create",
        /// A site's or box's settings changed.
        Update = "update",
        Lock = "lock",
        Unlock = "unlock",
        PreModeration = "pre_moderation",
        PostModeration = "post_moderation",
        Approve = "approve",
        Hide = "hide",
        Restore = "restore",
        Delete = "delete",
        Pin = "pin",
        Unpin = "unpin",
        /// A proposal's status (and answer) was set.
        Status = "status",
        /// Staff posted a comment (an official reply when the comment says so).
        Reply = "reply",
        /// The endpoint erased the personal data of a site's widgets closed for longer than
        /// its retention period (the actor is `retention`; the reason gives the counts).
        Retention = "retention",
        /// An administrator invited someone to the site's staff (the target is
        /// `staff:LOGIN`, the reason the role).
        Invite = "invite",
        /// Someone joined the site's staff with an invitation (the actor is they).
        Join = "join",
        /// An administrator disabled a staff account (its sessions closed) or enabled it
        /// again.
        Disable = "disable",
        Enable = "enable",
        /// An administrator revoked one of the site's API tokens (the target is
        /// `token:NAME`); its creation is a `create`.
        Revoke = "revoke",
        /// An administrator closed a poll or a proposal box now (the target says which),
        /// or reopened it (without an end).
        Close = "close",
        Reopen = "reopen",
    }
}

impl From<ModerationAction> for AuditAction {
    fn from(action: ModerationAction) -> Self {
        match action {
            ModerationAction::Approve => Self::Approve,
            ModerationAction::Hide => Self::Hide,
            ModerationAction::Restore => Self::Restore,
            ModerationAction::Delete => Self::Delete,
            ModerationAction::Pin => Self::Pin,
            ModerationAction::Unpin => Self::Unpin,
        }
    }
}

/// One row of `GET /api/v1/admin/audit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    /// Who acted: `admin` (the admin token), `cli:<user>` (the command line), `seed:<file>`,
    /// `staff:<login>` (the console), `retention` (the scheduled erasure).
    pub actor: String,
    pub action: AuditAction,
    /// e.g. `comment:42`, `thread:works`.
    pub target: String,
    /// The site the target belongs to (absent on entries written before sites were recorded).
    pub site_id: Option<String>,
    pub reason: Option<String>,
    pub at: String,
}

/// Server-sent event names on `GET /api/v1/threads/{id}/events`, and their data. Only
/// published changes are sent.
pub mod events {
    use serde::{Deserialize, Serialize};

    /// These three carry a [`CommentEvent`].
    pub const COMMENT_CREATED: &str = "comment_created";
    pub const COMMENT_UPDATED: &str = "comment_updated";
    pub const COMMENT_REMOVED: &str = "comment_removed";
    /// Carries a [`UsefulChanged`].
    pub const USEFUL_CHANGED: &str = "useful_changed";

    /// `{"id": N, "comment": {…}}`: the comment that changed, as a reader without a token
    /// sees it (sanitized HTML, no replies). Absent from `comment_removed` when the comment
    /// only left the readers' view (it waits for review).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct CommentEvent {
        pub id: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub comment: Option<super::CommentView>,
    }

    /// `{"id": N, "useful": N}`: a comment's new count of useful marks.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct UsefulChanged {
        pub id: i64,
        pub useful: u64,
    }
}
