//! "Mes données": what one participant (one device's token) contributed on one site, as the
//! endpoint exports it, and what erasing it did.

use serde::{Deserialize, Serialize};

use crate::comments::CommentStatus;
use crate::proposals::{ProposalStatus, Visibility};

/// `GET /api/v1/sites/{site}/me`: everything the endpoint keeps that this participant token
/// leads to on this site. Empty lists when the token never acted there.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyData {
    pub site_id: String,
    /// When the token first acted on this site (absent when it never did).
    pub first_seen: Option<String>,
    pub ballots: Vec<MyBallot>,
    pub comments: Vec<MyComment>,
    pub useful_marks: Vec<MyMark>,
    pub reports: Vec<MyReport>,
    pub proposals: Vec<MyProposal>,
    pub supports: Vec<MySupport>,
    /// The address kept to tell the resident of the town's answers, when they asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

impl MyData {
    /// Contributions in all (the panel's summary).
    pub fn len(&self) -> usize {
        self.ballots.len()
            + self.comments.len()
            + self.useful_marks.len()
            + self.reports.len()
            + self.proposals.len()
            + self.supports.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A vote: the labels of the options chosen, in the poll's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyBallot {
    pub poll_id: String,
    pub question: String,
    pub choices: Vec<String>,
    pub cast_at: String,
}

/// A comment as its author wrote it (Markdown source), whatever its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyComment {
    pub id: i64,
    pub thread_id: String,
    pub thread_title: String,
    pub author_name: String,
    pub text: String,
    pub status: CommentStatus,
    pub created_at: String,
    pub edited_at: Option<String>,
}

/// A "useful" mark on a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyMark {
    pub comment_id: i64,
    pub thread_id: String,
}

/// A report of a comment, with the reason typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyReport {
    pub comment_id: i64,
    pub thread_id: String,
    pub reason: String,
    pub created_at: String,
}

/// A proposal or question as its author sent it, with where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyProposal {
    pub id: i64,
    pub box_id: String,
    pub title: String,
    pub text: String,
    pub category: Option<String>,
    pub place: Option<String>,
    pub author_name: String,
    pub status: ProposalStatus,
    pub visibility: Visibility,
    pub created_at: String,
}

/// A support given to a proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MySupport {
    pub proposal_id: i64,
    pub box_id: String,
    pub title: String,
    pub created_at: String,
}

/// `DELETE /api/v1/sites/{site}/me`: how many of each kind were erased. Comments and
/// proposals lose their text, title, place and author name; reports lose their reason;
/// ballots, supports and useful marks stay counted in the results, tied to no token.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erasure {
    pub ballots: u64,
    pub comments: u64,
    pub useful_marks: u64,
    pub reports: u64,
    pub proposals: u64,
    pub supports: u64,
}
