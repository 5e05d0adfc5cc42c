//! Wire types of proposal boxes: boxes, proposals (ideas or questions), supports, the town's
//! answer and its status history.
//!
//! One box runs in one of two modes. In *ideas* mode residents submit a titled proposal with a
//! Markdown description, a category and a place; each proposal has its own comment thread.
//! In *questions* mode (a council meeting, a Q&A with the mayor) residents ask short
//! questions (`title` holds the question, there is no description) and upvote them; staff
//! mark them answered or hide them. Supports and upvotes are the same thing on the wire.

use serde::{Deserialize, Serialize};

use crate::wire::wire_enum;

/// Limits of proposal boxes.
pub mod limits {
    /// Title of a proposal (ideas mode), in characters (trimmed, not empty).
    pub const TITLE_MAX_LEN: usize = 120;
    /// A question (questions mode), in characters (trimmed, not empty).
    pub const QUESTION_MAX_LEN: usize = 280;
    /// Markdown description of a proposal, in characters (may be empty).
    pub const TEXT_MAX_LEN: usize = 5_000;
    /// Free-text place of a proposal ("rue des Écoles", "parc du Moulin").
    pub const PLACE_MAX_LEN: usize = 120;
    /// The town's answer (Markdown), in characters.
    pub const ANSWER_MAX_LEN: usize = 5_000;
    /// Name of the staff member shown in the status history.
    pub const ACTOR_MAX_LEN: usize = 60;
    pub const BOX_TITLE_MAX_LEN: usize = 300;
    pub const BOX_DESCRIPTION_MAX_LEN: usize = 2_000;
    pub const MAX_CATEGORIES: usize = 30;
    pub const CATEGORY_LABEL_MAX_LEN: usize = 60;
    /// Proposals per page of a listing.
    pub const PAGE_SIZE: usize = 10;
    /// Similar proposals suggested while a title is typed.
    pub const SIMILAR_MAX: usize = 3;
    /// Text search (`q`) and similar-title queries, in characters.
    pub const QUERY_MAX_LEN: usize = 200;
}

wire_enum! {
    /// Ideas (proposals with a description, category, place and a thread) or questions.
    #[derive(Default)]
    pub enum BoxMode {
        #[default]
        Ideas = "ideas",
        Questions = "questions",
    }
}

/// A category of a box: a slug id and the label residents see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub id: String,
    pub label: String,
}

/// `GET /api/v1/boxes/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoxView {
    pub id: String,
    pub site_id: String,
    pub title: String,
    pub description: Option<String>,
    pub mode: BoxMode,
    /// Empty: proposals have no category. Otherwise every proposal names one.
    pub categories: Vec<Category>,
    /// Supports at which a proposal is examined (ideas mode); none when absent.
    pub threshold: Option<u64>,
    /// New proposals wait for staff approval before anyone else sees them.
    pub pre_moderation: bool,
    pub opens_at: Option<String>,
    pub closes_at: Option<String>,
    /// Upcoming, open or closed, from the server's clock.
    pub status: crate::PollStatus,
    /// Published proposals in the box.
    pub count: u64,
    /// The participation level proposals and supports are collected at.
    #[serde(default)]
    pub participation: crate::Participation,
}

/// Admin API `POST /api/v1/admin/boxes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoxInput {
    pub id: String,
    pub site_id: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub mode: BoxMode,
    #[serde(default)]
    pub categories: Vec<Category>,
    #[serde(default)]
    pub threshold: Option<u64>,
    #[serde(default)]
    pub pre_moderation: bool,
    #[serde(default)]
    pub opens_at: Option<String>,
    #[serde(default)]
    pub closes_at: Option<String>,
    /// `site` takes proposals and supports only from users the host website vouches for.
    #[serde(default)]
    pub participation: crate::Participation,
}

/// Admin API `PATCH /api/v1/admin/boxes/{id}`: only the fields given change. To reopen a
/// box with no end, send `"closes_at": ""`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoxPatch {
    #[serde(default)]
    pub pre_moderation: Option<bool>,
    #[serde(default)]
    pub opens_at: Option<String>,
    #[serde(default)]
    pub closes_at: Option<String>,
}

wire_enum! {
    /// Where the town stands on a proposal. Questions use `submitted` and `answered` only.
    pub enum ProposalStatus {
        Submitted = "submitted",
        UnderReview = "under_review",
        Accepted = "accepted",
        Rejected = "rejected",
        Implemented = "implemented",
        /// Duplicate of the proposal named by `duplicate_of`.
        Duplicate = "duplicate",
        /// A question the town answered.
        Answered = "answered",
    }
}

wire_enum! {
    /// Whether a proposal is visible: staff moderation, apart from the town's answer status.
    pub enum Visibility {
        Published = "published",
        /// Waiting for approval (pre-moderated box); seen only by its author and staff.
        Pending = "pending",
        /// Hidden by staff; seen only by staff.
        Hidden = "hidden",
    }
}

/// One entry of a proposal's status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    /// Name of the staff member (or "Mairie").
    pub by: String,
    pub at: String,
    pub from: ProposalStatus,
    pub to: ProposalStatus,
}

/// A proposal (or question) as one participant sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalView {
    pub id: i64,
    pub box_id: String,
    /// The title (ideas) or the question itself (questions).
    pub title: String,
    /// Markdown source of the description (empty for questions).
    pub text: String,
    /// Sanitized HTML of the description, like comments: `p em strong a ul ol li br`.
    pub html: String,
    /// Category id, one of the box's.
    pub category: Option<String>,
    pub place: Option<String>,
    pub author_name: String,
    pub status: ProposalStatus,
    /// The proposal this one duplicates, when `status` is `duplicate`.
    pub duplicate_of: Option<i64>,
    pub visibility: Visibility,
    /// The town's official answer, Markdown source and sanitized HTML.
    pub answer: Option<String>,
    pub answer_html: Option<String>,
    /// When the status or answer last changed.
    pub answered_at: Option<String>,
    pub supports: u64,
    /// This participant supports it.
    pub my_support: bool,
    /// This participant submitted it.
    pub mine: bool,
    /// When the supports first reached the box's threshold.
    pub threshold_reached_at: Option<String>,
    /// The comment thread of the proposal (ideas mode).
    pub thread_id: Option<String>,
    pub created_at: String,
    /// Oldest first; only in `GET /proposals/{id}` and staff responses (empty in listings).
    pub history: Vec<StatusChange>,
}

wire_enum! {
    /// Order of a listing.
    #[derive(Default)]
    pub enum ProposalSort {
        /// Most supported first (then oldest first): also the live order of questions.
        #[default]
        Supports = "supports",
        Newest = "newest",
        /// Most recently answered first; never-answered ones last.
        Answered = "answered",
    }
}

/// `GET /api/v1/boxes/{id}/proposals?sort=&category=&status=&q=&page=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalPage {
    /// Published proposals matching the filters.
    pub count: u64,
    /// 1-based page number of this page.
    pub page: u32,
    /// Pages in all (at least 1).
    pub pages: u32,
    pub proposals: Vec<ProposalView>,
}

/// `GET /api/v1/boxes/{id}/similar?q=`: up to [`limits::SIMILAR_MAX`] published proposals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimilarList {
    pub proposals: Vec<ProposalView>,
}

/// `POST /api/v1/boxes/{id}/proposals`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposalInput {
    pub title: String,
    /// Markdown description (ideas mode); ignored in questions mode.
    #[serde(default)]
    pub text: String,
    /// Required when the box has categories.
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub place: Option<String>,
    pub author_name: String,
}

/// `PUT|DELETE /api/v1/proposals/{id}/support`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportView {
    pub id: i64,
    pub supports: u64,
    pub my_support: bool,
    pub threshold_reached_at: Option<String>,
}

/// Admin API `POST /api/v1/admin/proposals/{id}/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    pub status: ProposalStatus,
    /// The official answer (Markdown); keeps the previous one when absent.
    #[serde(default)]
    pub answer: Option<String>,
    /// Required with `duplicate`: another proposal of the same box.
    #[serde(default)]
    pub duplicate_of: Option<i64>,
    /// Shown in the history; "Mairie" when absent.
    #[serde(default)]
    pub by: Option<String>,
}

wire_enum! {
    /// Staff moderation of a proposal.
    pub enum ProposalAction {
        Approve = "approve",
        Hide = "hide",
        Restore = "restore",
    }
}

/// Admin API `POST /api/v1/admin/proposals/{id}/moderation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposalModeration {
    pub action: ProposalAction,
    #[serde(default)]
    pub reason: Option<String>,
}

wire_enum! {
    /// What a recorded box event says.
    pub enum BoxEventKind {
        /// A proposal's supports reached the box's threshold (once per proposal).
        ThresholdReached = "threshold_reached",
    }
}

/// One recorded event of a box (`GET /api/v1/admin/boxes/{id}/events`), kept for webhooks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoxEvent {
    pub id: i64,
    pub kind: BoxEventKind,
    pub proposal_id: i64,
    pub at: String,
    /// Supports when it happened.
    pub supports: u64,
}

/// Server-sent event names on `GET /api/v1/boxes/{id}/events`, and their data. Only
/// published proposals are announced.
pub mod events {
    use serde::{Deserialize, Serialize};

    /// These four carry a [`ProposalEvent`].
    pub const PROPOSAL_CREATED: &str = "proposal_created";
    /// Status, answer or text changed.
    pub const PROPOSAL_UPDATED: &str = "proposal_updated";
    /// Hidden by staff.
    pub const PROPOSAL_REMOVED: &str = "proposal_removed";
    pub const THRESHOLD_REACHED: &str = "threshold_reached";
    /// Carries a [`SupportsChanged`].
    pub const SUPPORTS_CHANGED: &str = "supports_changed";

    /// `{"id": N}`: the proposal that changed.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ProposalEvent {
        pub id: i64,
    }

    /// `{"id": N, "supports": N}`: a proposal's new count of supports.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct SupportsChanged {
        pub id: i64,
        pub supports: u64,
    }
}
