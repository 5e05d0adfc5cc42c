//! Who did what: the actor of every staff action and the audit record written with it.

use std::fmt;

use civique_api::AuditAction;

/// Who performs a staff action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The bearer of the configured admin token (the admin API).
    AdminToken,
    /// Someone at the endpoint's command line, by their system user name.
    CommandLine(String),
    /// A seed file being imported, by its name.
    Seed(String),
    /// A staff member signed in to the console, by their login.
    Staff(String),
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AdminToken => f.write_str("admin"),
            Self::CommandLine(user) => write!(f, "cli:{user}"),
            Self::Seed(file) => write!(f, "seed:{file}"),
            Self::Staff(login) => write!(f, "staff:{login}"),
        }
    }
}

/// What a staff action is about, as `kind:id` in the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Site(String),
    Poll(String),
    Thread(String),
    Comment(i64),
    Box(String),
    Proposal(i64),
    /// A staff account, by its login.
    Staff(String),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Site(id) => write!(f, "site:{id}"),
            Self::Poll(id) => write!(f, "poll:{id}"),
            Self::Thread(id) => write!(f, "thread:{id}"),
            Self::Comment(id) => write!(f, "comment:{id}"),
            Self::Box(id) => write!(f, "box:{id}"),
            Self::Proposal(id) => write!(f, "proposal:{id}"),
            Self::Staff(login) => write!(f, "staff:{login}"),
        }
    }
}

/// One audit log entry to write, in the same transaction as the action it records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    pub actor: String,
    pub action: AuditAction,
    pub target: String,
    pub site_id: String,
    pub reason: Option<String>,
}

impl Audit {
    pub fn new(actor: &Actor, action: AuditAction, target: Target, site_id: &str) -> Self {
        Self {
            actor: actor.to_string(),
            action,
            target: target.to_string(),
            site_id: site_id.to_owned(),
            reason: None,
        }
    }

    pub fn because(mut self, reason: Option<String>) -> Self {
        self.reason = reason;
        self
    }
}
