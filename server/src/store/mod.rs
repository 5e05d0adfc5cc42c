//! Persistence behind traits, one per aggregate, returning domain types.
//!
//! Two backends share the SQL written once in `portable/` (compiled once per backend):
//! SQLite (`sqlite://`, the default) and PostgreSQL (`postgres://`); each keeps its dialect
//! and its migrations. The URL's scheme picks the backend.

pub mod postgres;
pub mod rows;
pub mod sqlite;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use civique_api::staff::{
    ApiTokenView, PendingInvitation, SiteStaff, StaffMember, WaitingProposal,
};
use civique_api::{
    AuditAction, AuditEntry, BoxEvent, CommentSort, CommentStatus, MyData, PollResults, SiteInput,
    SiteSettings, StatusChange, Visibility,
};
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use sqlx::pool::PoolConnectionMetadata;
use sqlx::Connection;

use crate::config::Durability;
use crate::domain::audit::Audit;
use crate::domain::comment::{Comment, Cursor, InlineReply, NewComment, ReportOutcome, Thread};
use crate::domain::email::{Authored, Contact};
use crate::domain::moderation::Waiting;
use crate::domain::personal::Erased;
use crate::domain::poll::{NewPoll, Poll};
use crate::domain::proposal::{
    NewProposal, Proposal, ProposalBox, ProposalFilter, SearchTerms, StatusUpdate, SupportChange,
};
use crate::domain::retention::Retained;
use crate::domain::staff::{Account, Invitation, Joining, NewAccount, NewInvitation, Standing};

/// Status histories by proposal id.
pub type HistoryMap = HashMap<i64, Vec<StatusChange>>;

/// Connections of the database pool, for the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The most hot writes (votes, supports, useful marks) one transaction holds.
pub const MAX_BATCH: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A row with this id already exists.
    #[error("{0} already exists")]
    Conflict(String),
    #[error("unsupported database URL {0:?} (expected sqlite://PATH or postgres://…)")]
    UnsupportedUrl(String),
    /// The database cannot be reached right now (down, restarting, overloaded): worth
    /// trying again later.
    #[error("database unavailable: {0}")]
    Unavailable(sqlx::Error),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value that the code cannot read back (hand-edited database?).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The operation does not exist on this backend (e.g. a file backup of PostgreSQL).
    #[error("{0}")]
    Unsupported(&'static str),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if is_unavailable(&error) {
            Self::Unavailable(error)
        } else {
            Self::Database(error)
        }
    }
}

/// Errors that say "not now" rather than "never": lost connections, a full pool, a server
/// shutting down or refusing connections, a write lock held too long.
fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // PostgreSQL: 08 connection exceptions, 28 refused credentials, 3D000 no such
            // database, 53300 too many connections, 55000 not accepting connections (and
            // 55P03 a lock not available), 57P0x shutdowns and restarts. SQLite: 5 (busy)
            // and 6 (locked) after the busy timeout.
            code.starts_with("08")
                || code.starts_with("28")
                || code.starts_with("55")
                || code.starts_with("57P")
                || ["3D000", "53300", "5", "6"].contains(&code.as_ref())
        }),
        _ => false,
    }
}

/// Sites, their origins and settings, and the participants they know.
#[async_trait]
pub trait Sites: Send + Sync {
    async fn create_site(&self, site: &SiteInput, audit: &Audit) -> Result<()>;
    /// Creates the site or replaces its name, settings and origins (sites of the config file).
    async fn upsert_site(&self, site: &SiteInput) -> Result<()>;
    /// Replaces an existing site's name, settings, account secret and origins, with its
    /// audit entry; `false` without such a site.
    async fn update_site(&self, site: &SiteInput, audit: &Audit) -> Result<bool>;
    /// A site's definition as stored, without its account secret.
    async fn site_definition(&self, id: &str) -> Result<Option<SiteInput>>;
    async fn site_exists(&self, id: &str) -> Result<bool>;
    /// Every site's id and name, by id.
    async fn site_names(&self) -> Result<Vec<(String, String)>>;
    /// Is `origin` allowed by any site (CORS preflight), or by `site_id` when given?
    async fn origin_allowed(&self, origin: &str, site_id: Option<&str>) -> Result<bool>;
    /// Every (origin, site) allowed.
    async fn origins(&self) -> Result<Vec<(String, String)>>;
    async fn site_settings(&self, site_id: &str) -> Result<Option<SiteSettings>>;
    /// What the site's privacy link shows; `None` without such a site.
    async fn site_notice(&self, site_id: &str) -> Result<Option<crate::domain::site::Notice>>;
    /// The participant id of a key, if that participant ever wrote anything.
    async fn find_participant(&self, site_id: &str, key: &str) -> Result<Option<i64>>;
    /// The secret of the site's account tokens: `None` without such a site, `Some(None)`
    /// when it takes no site accounts.
    async fn sso_secret(&self, site_id: &str) -> Result<Option<Option<String>>>;
    /// Spends a single-use `nonce` (of a site account token, or the salt of a device's proof
    /// of work), kept until `expires_at` (Unix seconds): `false` when it was spent already.
    /// Forgets nonces of the same kind expired by `now`.
    async fn spend_nonce(
        &self,
        of: Nonce<'_>,
        nonce: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<bool>;
}

/// Whose single-use nonce [`Sites::spend_nonce`] spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nonce<'a> {
    /// A site account token's, on that site.
    SiteAccount(&'a str),
    /// A device's proof of work's (its salt), on the whole endpoint.
    DeviceProof,
    /// An e-mail code's (its ticket's nonce), on the whole endpoint.
    EmailCode,
}

/// Polls, ballots and tallies.
#[async_trait]
pub trait Polls: Send + Sync {
    async fn create_poll(&self, poll: &NewPoll, audit: &Audit) -> Result<Poll>;
    async fn poll(&self, id: &str) -> Result<Option<Poll>>;
    async fn list_polls(&self, site_id: Option<&str>) -> Result<Vec<Poll>>;
    /// Sets when poll `id` closes (`None`: never) and writes `audit`, in one transaction.
    async fn set_poll_closes_at(
        &self,
        id: &str,
        closes_at: Option<&str>,
        audit: &Audit,
    ) -> Result<()>;
    /// The options this participant chose, in the poll's option order (empty if none).
    async fn my_choices(&self, poll: &Poll, key: &str) -> Result<Vec<i64>>;
    async fn tally(&self, poll_id: &str) -> Result<PollResults>;
    /// Records (or replaces) a participant's ballot; returns the tally after it. Committed
    /// (with other writes of the moment) before it answers.
    async fn cast_vote(&self, poll: &Poll, key: &str, choices: &[i64]) -> Result<PollResults>;
    /// Removes a participant's ballot; the tally after it, `None` if there was none.
    async fn withdraw_vote(&self, poll: &Poll, key: &str) -> Result<Option<PollResults>>;
}

/// Threads, comments, useful marks and reports.
#[async_trait]
pub trait Comments: Send + Sync {
    /// `audit` is `None` when a widget creates the thread of a page on first use.
    async fn create_thread(&self, thread: &Thread, audit: Option<&Audit>) -> Result<()>;
    async fn thread(&self, id: &str) -> Result<Option<Thread>>;
    async fn list_threads(&self, site_id: Option<&str>) -> Result<Vec<Thread>>;
    /// Sets the given flags; `false` if there is no such thread.
    async fn update_thread(
        &self,
        id: &str,
        locked: Option<bool>,
        pre_moderation: Option<bool>,
        audits: &[Audit],
    ) -> Result<bool>;
    /// Published comments of a thread.
    async fn thread_count(&self, thread_id: &str) -> Result<u64>;
    /// Published direct replies of a comment.
    async fn reply_count(&self, comment_id: i64) -> Result<u64>;
    /// Stores comments in one transaction (a post, an official reply, an import); returns
    /// their ids. `audit` (staff comments) is written for each of them, targeted at it.
    async fn insert_comments(
        &self,
        site_id: &str,
        comments: &[NewComment],
        audit: Option<&Audit>,
    ) -> Result<Vec<i64>>;
    /// One comment as `me` sees it, whatever its status.
    async fn comment(&self, id: i64, me: Option<i64>) -> Result<Option<Comment>>;
    /// The comments of `site_id`'s threads waiting for staff (held for review, or reported
    /// since staff last acted on them), oldest first, at most `limit`.
    async fn review_queue(&self, site_id: &str, limit: u32) -> Result<Vec<Waiting>>;
    /// The residents' published top-level comments of `site_id` posted before `before`
    /// (RFC 3339) that have no published official reply, oldest first, at most `limit`.
    async fn unanswered(&self, site_id: &str, before: &str, limit: u32) -> Result<Vec<Waiting>>;
    /// Top-level comments visible to `me`: after `cursor`, or (first page) the pinned ones
    /// followed by the first page. Fetches one more than a page to tell if another follows.
    async fn top_comments(
        &self,
        thread_id: &str,
        me: Option<i64>,
        sort: CommentSort,
        cursor: Option<Cursor>,
    ) -> Result<(Vec<Comment>, Vec<Comment>)>;
    /// Every published comment of a thread, oldest first (its open-data export).
    async fn published_comments(&self, thread_id: &str) -> Result<Vec<Comment>>;
    /// Direct replies of `parent_id` visible to `me`, oldest first, after reply `after`
    /// (one more than a page).
    async fn replies(&self, parent_id: i64, me: Option<i64>, after: i64) -> Result<Vec<Comment>>;
    /// The first replies (pinned, then oldest) of each of `parents`.
    async fn inline_replies(&self, parents: &[i64], me: Option<i64>) -> Result<Vec<InlineReply>>;
    /// Replaces a comment's text (an author's edit).
    async fn edit_comment(
        &self,
        id: i64,
        text: &str,
        html: &str,
        status: CommentStatus,
    ) -> Result<()>;
    /// Changes a comment's status (and pin), writing `audit` (a staff action) in the same
    /// transaction. Deleting erases the text for good.
    async fn set_comment_state(
        &self,
        id: i64,
        status: CommentStatus,
        pinned: bool,
        reason: Option<&str>,
        audit: Option<&Audit>,
    ) -> Result<()>;
    /// Adds or withdraws a participant's useful mark; returns (new count, whether it changed).
    async fn set_useful(
        &self,
        comment_id: i64,
        site_id: &str,
        key: &str,
        useful: bool,
    ) -> Result<(u64, bool)>;
    /// Records a report from `network`; once reports come from `threshold` distinct networks
    /// (an unknown network counts as its participant's), a published comment that is not an
    /// official reply becomes hidden.
    async fn report(
        &self,
        comment_id: i64,
        site_id: &str,
        key: &str,
        network: Option<&str>,
        reason: &str,
        threshold: u32,
    ) -> Result<ReportOutcome>;
}

/// Proposal boxes, proposals, supports, decisions and box events.
#[async_trait]
pub trait Proposals: Send + Sync {
    async fn create_box(&self, b: &ProposalBox, audit: &Audit) -> Result<()>;
    async fn proposal_box(&self, id: &str) -> Result<Option<ProposalBox>>;
    async fn list_boxes(&self, site_id: Option<&str>) -> Result<Vec<ProposalBox>>;
    /// Saves the settings staff may change (moderation mode, opening and closing times).
    async fn save_box_settings(&self, b: &ProposalBox, audit: &Audit) -> Result<()>;
    /// Published proposals of a box.
    async fn box_count(&self, box_id: &str) -> Result<u64>;
    /// Stores a proposal and, in ideas mode, its comment thread `proposal-{id}`, in one
    /// transaction; returns its id. `author_key` is `None` for seeded proposals.
    async fn insert_proposal(
        &self,
        b: &ProposalBox,
        new: &NewProposal,
        author_key: Option<&str>,
        visibility: Visibility,
    ) -> Result<i64>;
    /// One proposal as `me` sees it, whatever its visibility.
    async fn proposal(&self, id: i64, me: Option<i64>) -> Result<Option<Proposal>>;
    /// The status history of each of `ids`, oldest first (absent ids have none).
    async fn histories(&self, ids: &[i64]) -> Result<HistoryMap>;
    /// A page (1-based) of published proposals matching `filter`, and how many match in all.
    async fn list_proposals(
        &self,
        box_id: &str,
        filter: &ProposalFilter,
        me: Option<i64>,
        page: u32,
    ) -> Result<(u64, Vec<Proposal>)>;
    /// The id and title of every published proposal of a box.
    async fn box_titles(&self, box_id: &str) -> Result<Vec<(i64, String)>>;
    /// Proposals `ids` as `me` sees them, in that order (absent ids left out).
    async fn proposals_in(&self, ids: &[i64], me: Option<i64>) -> Result<Vec<Proposal>>;
    /// The published proposals of a box that best match `terms` in their title or
    /// description, best first.
    async fn similar_proposals(
        &self,
        box_id: &str,
        terms: &SearchTerms,
        me: Option<i64>,
    ) -> Result<Vec<Proposal>>;
    /// The proposals of `site_id`'s boxes held for review, oldest first, at most `limit`.
    async fn waiting_proposals(&self, site_id: &str, limit: u32) -> Result<Vec<WaitingProposal>>;
    /// Every proposal of a box (or those with `visibility`), oldest first: the staff queue.
    async fn staff_proposals(
        &self,
        box_id: &str,
        visibility: Option<Visibility>,
    ) -> Result<Vec<Proposal>>;
    /// Adds or withdraws a participant's support. The counter, and the first time it reaches
    /// the box's threshold (a `threshold_reached` box event), change in the same transaction.
    async fn set_support(
        &self,
        b: &ProposalBox,
        proposal_id: i64,
        key: &str,
        support: bool,
    ) -> Result<SupportChange>;
    /// Records a staff decision: status, duplicate link and answer, a history row when the
    /// status changes, and the audit entry, in one transaction.
    async fn set_proposal_status(
        &self,
        id: i64,
        update: &StatusUpdate,
        audit: &Audit,
    ) -> Result<()>;
    /// Staff moderation: sets the visibility and writes the audit entry in one transaction.
    async fn set_proposal_visibility(
        &self,
        id: i64,
        visibility: Visibility,
        audit: &Audit,
    ) -> Result<()>;
    /// The recorded events of a box, oldest first.
    async fn box_events(&self, box_id: &str) -> Result<Vec<BoxEvent>>;
}

/// The audit log and the rate limits, which must hold whichever instance answers.
#[async_trait]
pub trait Records: Send + Sync {
    /// Staff actions, newest first.
    async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>>;
    /// The audit entries of `site_id`, newest first, at most `limit`, by `actor` and of
    /// `action` when given.
    async fn site_audit(
        &self,
        site_id: &str,
        actor: Option<&str>,
        action: Option<AuditAction>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>>;
    /// Takes one token from the bucket `key`, which holds `per_minute` tokens and refills
    /// continuously; `false` when it is empty. `now_ms` is the caller's clock (Unix ms).
    async fn take_token(&self, key: &str, per_minute: u32, now_ms: i64) -> Result<bool>;
    /// Whether the bucket `key` (as in [`Records::take_token`]) holds a token, taking none.
    async fn has_token(&self, key: &str, per_minute: u32, now_ms: i64) -> Result<bool>;
    /// Forgets buckets untouched since `before_ms` (they are full again).
    async fn forget_buckets(&self, before_ms: i64) -> Result<u64>;
    /// The secret `name`, stored as `fresh` if there was none yet (the first instance to
    /// ask sets it for all).
    async fn secret(&self, name: &str, fresh: &str) -> Result<String>;
}

/// "Mes données": one participant's contributions on a site.
#[async_trait]
pub trait Personal: Send + Sync {
    /// Everything participant `key` contributed on `site_id` (empty lists if nothing).
    async fn personal_data(&self, site_id: &str, key: &str) -> Result<MyData>;
    /// In one transaction: comments and proposals lose their text, title, place and author
    /// name (comments become deleted, proposals hidden), reports their reason, and the
    /// participant's key becomes `erased_key`, so that its ballots, supports and marks stay
    /// counted but no token leads to them any more.
    async fn erase_personal(&self, site_id: &str, key: &str, erased_key: &str) -> Result<Erased>;
    /// Each site's id and retention period in months.
    async fn retention_periods(&self) -> Result<Vec<(String, u32)>>;
    /// In one transaction, for the polls and boxes of `site_id` closed at or before `cutoff`
    /// (RFC 3339) and its threads locked by then (with the threads of those boxes'
    /// proposals): ballots, supports, "useful" marks and reports erased with the counts
    /// kept, comments and proposals untied from their authors and their names emptied
    /// (official replies excepted), then the site's participants left with nothing
    /// forgotten. Audited as `retention` when it erased anything.
    async fn erase_closed(&self, site_id: &str, cutoff: &str, months: u32) -> Result<Retained>;
    /// Keeps `address` (and the language of its messages) for participant `key` of
    /// `site_id`, made if new, in place of any address kept before.
    async fn keep_contact(&self, site_id: &str, key: &str, address: &str, lang: &str)
        -> Result<()>;
    /// The address kept for the author of `what`, when they asked to be told of answers.
    async fn author_contact(&self, what: Authored) -> Result<Option<Contact>>;
}

/// Running the database: health, live-update fan-out between instances, backups.
#[async_trait]
pub trait Operations: Send + Sync {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// `Ok` when the database answers and every migration of this build is applied.
    async fn ready(&self) -> Result<()>;
    fn pool_stats(&self) -> PoolStats;
    /// Waits for the connections in use and closes them all.
    async fn close(&self);
    /// A consistent copy of the whole database at `path`, taken while serving.
    async fn backup(&self, path: &Path) -> Result<()>;
    /// Whether other instances may share this database (their live updates must be relayed).
    fn shared(&self) -> bool;
    /// Sends `payload` to every instance listening (see [`Operations::listen`]).
    async fn notify(&self, payload: &str) -> Result<()>;
    /// Payloads sent by any instance, as they arrive; `None` on a backend that is never shared.
    async fn listen(&self) -> Result<Option<BoxStream<'static, String>>>;
}

/// Staff of the console: accounts, their roles and their sessions.
#[async_trait]
pub trait Staff: Send + Sync {
    /// Creates an account with its roles; `Conflict` when its login is taken.
    async fn create_account(&self, account: &NewAccount) -> Result<i64>;
    /// The account that signs in as `login` (normalized).
    async fn account_by_login(&self, login: &str) -> Result<Option<Account>>;
    /// Counts a wrong password for account `id`: at `limit` in a row, the account is
    /// locked until `lock_until` (RFC 3339) and the count starts again. `true` when this
    /// failure locked it.
    async fn count_failure(&self, id: i64, limit: u32, lock_until: &str) -> Result<bool>;
    /// Opens a session stored under `key` (see [`crate::domain::staff::session_key`]) with
    /// its CSRF token, until `expires_at`; the account's failures are forgotten.
    async fn open_session(&self, id: i64, key: &str, csrf: &str, expires_at: &str) -> Result<()>;
    /// The staff member of the session stored under `key` and its CSRF token, if it is
    /// open at `now` and its account enabled.
    async fn session(&self, key: &str, now: &str) -> Result<Option<(StaffMember, String)>>;
    /// Closes the session stored under `key`.
    async fn close_session(&self, key: &str) -> Result<()>;
    /// Closes every session of account `id`; how many there were.
    async fn close_sessions(&self, id: i64) -> Result<u64>;
    /// The staff of `site_id`: every account with a role on it, by login.
    async fn site_staff(&self, site_id: &str) -> Result<Vec<SiteStaff>>;
    /// Account `id`, its roles and state, if it exists.
    async fn standing(&self, id: i64) -> Result<Option<Standing>>;
    /// Disables account `id` (closing its sessions) or enables it again, writing `audit` in
    /// the same transaction.
    async fn set_disabled(&self, id: i64, disabled: bool, audit: &Audit) -> Result<()>;
    /// Stores an invitation, replacing any earlier one to the same login on the same site,
    /// and writes `audit` in the same transaction.
    async fn create_invitation(&self, invitation: &NewInvitation, audit: &Audit) -> Result<()>;
    /// The invitations of `site_id` still usable at `now`, soonest to expire first.
    async fn pending_invitations(&self, site_id: &str, now: &str)
        -> Result<Vec<PendingInvitation>>;
    /// The invitation stored under `key`, if it is still usable at `now`.
    async fn invitation(&self, key: &str, now: &str) -> Result<Option<Invitation>>;
    /// Uses the invitation stored under `key` once: `joining` gets its role, `audit` is
    /// written, and the invitation is gone, in one transaction. `None` when it is unknown,
    /// used or expired at `now`; `Conflict` when a new account's login was taken meanwhile.
    async fn accept_invitation(
        &self,
        key: &str,
        now: &str,
        joining: &Joining,
        audit: &Audit,
    ) -> Result<Option<Invitation>>;
    /// Stores a site's API token under `key` (the hash of the token) and writes `audit`, in
    /// one transaction; its id. `Conflict` when the site has a token of that name.
    async fn create_api_token(&self, token: &NewApiToken, audit: &Audit) -> Result<i64>;
    /// The API tokens of `site_id`, by name.
    async fn api_tokens(&self, site_id: &str) -> Result<Vec<ApiTokenView>>;
    /// The site and name of the API token stored under `key`, if there is one.
    async fn api_token(&self, key: &str) -> Result<Option<(String, String)>>;
    /// Deletes API token `id` of `site_id` and writes `audit` (given the token's name), in
    /// one transaction; `false` when the site has no such token.
    async fn revoke_api_token(
        &self,
        site_id: &str,
        id: i64,
        audit: &(dyn Fn(String) -> Audit + Sync),
    ) -> Result<bool>;
}

/// A site's API token to store: the hash of the token, never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    pub key: String,
    pub site_id: String,
    pub name: String,
    pub created_by: String,
}

/// Everything the services need from storage.
pub trait Store:
    Sites + Polls + Comments + Proposals + Personal + Records + Operations + Staff
{
}

impl<T: Sites + Polls + Comments + Proposals + Personal + Records + Operations + Staff> Store
    for T
{
}

/// Checks each connection given back to a pool (`after_release`, on both backends): a
/// request future dropped between BEGIN and the creation of its transaction object leaves
/// no one to roll back, and such a connection, reused, would hold its locks and swallow
/// later writes uncommitted. It is closed instead.
pub(crate) fn release_check<DB: sqlx::Database>(
    conn: &mut DB::Connection,
    _: PoolConnectionMetadata,
) -> BoxFuture<'_, Result<bool, sqlx::Error>> {
    Box::pin(async move {
        if conn.is_in_transaction() {
            // Runs any rollback still queued by a dropped transaction, then looks again.
            conn.ping().await?;
        }
        Ok(!conn.is_in_transaction())
    })
}

/// Opens the database named by `url` (its scheme picks the backend), creating and
/// migrating it as needed.
pub async fn connect(url: &str, durability: Durability) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(
            sqlite::SqliteStore::connect(url, durability).await?,
        ))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(
            postgres::PostgresStore::connect(url, durability).await?,
        ))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_owned()))
    }
}
