//! Open-data exports of one widget (`docs/exports.md`): what residents published and the
//! town answered, counted, without personal data (no author names, no participants).

use serde::{Deserialize, Serialize};

use crate::wire::wire_enum;
use crate::{PollStatus, ProposalStatus};

wire_enum! {
    /// A kind of widget.
    pub enum WidgetKind {
        Poll = "poll",
        Thread = "thread",
        Box = "box",
    }
}

wire_enum! {
    /// The file an export is written as.
    pub enum ExportFormat {
        /// UTF-8, comma-separated, one header line (RFC 4180).
        Csv = "csv",
        Json = "json",
    }
}

/// A poll's results. Schema `civique-poll/1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollExport {
    pub schema: String,
    pub id: String,
    pub site_id: String,
    pub question: String,
    pub description: Option<String>,
    pub status: PollStatus,
    pub opens_at: Option<String>,
    pub closes_at: Option<String>,
    pub max_choices: u32,
    /// Participants who voted.
    pub voters: u64,
    pub options: Vec<OptionExport>,
    pub exported_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionExport {
    pub id: i64,
    pub label: String,
    pub votes: u64,
}

/// A discussion's published comments, oldest first. Schema `civique-thread/1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadExport {
    pub schema: String,
    pub id: String,
    pub site_id: String,
    pub title: String,
    pub locked: bool,
    pub comments: Vec<CommentExport>,
    pub exported_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentExport {
    pub id: i64,
    /// The comment it answers (which may be hidden: then it is not in the export).
    pub parent_id: Option<i64>,
    pub created_at: String,
    pub edited_at: Option<String>,
    /// Written by the town, in its name.
    pub official: bool,
    /// Residents who found it useful.
    pub useful: u64,
    /// As written (Markdown).
    pub text: String,
}

/// A proposal box's published proposals, oldest first. Schema `civique-box/1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoxExport {
    pub schema: String,
    pub id: String,
    pub site_id: String,
    pub title: String,
    pub proposals: Vec<ProposalExport>,
    pub exported_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalExport {
    pub id: i64,
    pub created_at: String,
    pub title: String,
    /// As written (Markdown).
    pub text: String,
    pub category: Option<String>,
    pub place: Option<String>,
    pub status: ProposalStatus,
    /// The proposal this one duplicates, when its status is `duplicate`.
    pub duplicate_of: Option<i64>,
    /// The town's answer, and when it was given.
    pub answer: Option<String>,
    pub answered_at: Option<String>,
    pub supports: u64,
}

/// The widgets of one site, for its staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteWidgets {
    pub polls: Vec<crate::PollView>,
    pub threads: Vec<crate::ThreadView>,
    pub boxes: Vec<crate::BoxView>,
}
