//! Staff of the console (`/console`): accounts, their role on each site, and the limits
//! of their sign-in.

use serde::{Deserialize, Serialize};

use crate::wire::wire_enum;
use crate::CommentStatus;

wire_enum! {
    /// What a staff member may do on one site.
    pub enum Role {
        /// Everything on the site: its settings, widgets, staff and tokens, and moderation.
        Admin = "admin",
        /// Moderation and official answers.
        Moderator = "moderator",
    }
}

/// A staff member's role on one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteRole {
    pub site_id: String,
    pub role: Role,
}

/// The field of a site's settings that a refused change got wrong, so that a form can say
/// it beside that field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteField {
    /// A new site's id: malformed, or taken.
    Id,
    Name,
    Origins,
    PrivacyUrl,
    RetentionMonths,
    ReportThreshold,
    BlockedWords,
}

/// A signed-in staff member, as the console knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: i64,
    /// Their sign-in: an e-mail address, lowercased.
    pub login: String,
    pub name: String,
    /// Administrator of the endpoint: every site, and creating sites.
    pub endpoint_admin: bool,
    /// Their role on each site they belong to, by site id.
    pub sites: Vec<SiteRole>,
}

/// A comment waiting for staff: held for review, or reported since staff last acted on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingComment {
    pub id: i64,
    pub thread_id: String,
    pub thread_title: String,
    pub author_name: String,
    pub text: String,
    pub status: CommentStatus,
    pub created_at: String,
    pub report_count: u64,
    /// The reasons the reports gave (empty ones left out).
    pub reasons: Vec<String>,
    /// The text of the comment it answers, for context.
    pub parent_text: Option<String>,
}

/// A member of a site's staff, as its administrators see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteStaff {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
}

/// An invitation to join a site's staff, not used yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingInvitation {
    pub login: String,
    pub role: Role,
    /// The actor who invited (`staff:LOGIN`).
    pub invited_by: String,
    pub expires_at: String,
}

/// A site's staff and the invitations not used yet, as its administrators see them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Team {
    pub members: Vec<SiteStaff>,
    pub invitations: Vec<PendingInvitation>,
}

/// A proposal held for review (its box pre-moderates), as staff see it in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingProposal {
    pub id: i64,
    pub box_id: String,
    pub box_title: String,
    pub title: String,
    /// As written (Markdown); empty for a question.
    pub text: String,
    pub category: Option<String>,
    pub place: Option<String>,
    pub created_at: String,
}

/// One of a site's API tokens, as its administrators see it (never the token itself, which
/// is shown once when it is made and stored as a hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenView {
    pub id: i64,
    /// What the token is for, unique on its site; the audit log names its actions
    /// `token:NAME`.
    pub name: String,
    /// Who made it (`staff:LOGIN`).
    pub created_by: String,
    pub created_at: String,
}

/// What an invitation link opens: who is invited, to what, and whether that login already
/// has an account (then its password accepts the invitation, instead of choosing one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub site_id: String,
    pub site_name: String,
    pub login: String,
    pub role: Role,
    pub existing_account: bool,
}

pub mod limits {
    /// A password's length, in characters.
    pub const PASSWORD_MIN_LEN: usize = 12;
    pub const PASSWORD_MAX_LEN: usize = 256;
    pub const LOGIN_MAX_LEN: usize = 254;
    pub const NAME_MAX_LEN: usize = 120;
    /// Wrong passwords in a row that lock an account, and for how long.
    pub const FAILURES_BEFORE_LOCKOUT: u32 = 5;
    pub const LOCKOUT_MINUTES: u32 = 15;
    /// How long a console session lasts without signing in again.
    pub const SESSION_HOURS: u32 = 12;
    /// How long an invitation link can be used (once).
    pub const INVITATION_DAYS: u32 = 7;
    /// An API token's name, in characters.
    pub const TOKEN_NAME_MAX_LEN: usize = 64;
}
