//! Rows as both backends return them, and their conversion to domain types, written once.

use std::str::FromStr;

use civique_api::comments::limits;
use civique_api::{
    AuditEntry, BoxEvent, Category, CommentStatus, PollOption, SiteSettings, StatusChange,
    UnknownName, Visibility,
};

use super::{Result, StoreError};
use crate::domain::comment::{Comment, InlineReply, Thread};
use crate::domain::poll::Poll;
use crate::domain::proposal::{Proposal, ProposalBox};
use crate::domain::time::parse_time;

/// A stored wire name read back; an unknown one means the row was edited by hand.
pub fn parse<T: FromStr<Err = UnknownName>>(name: &str) -> Result<T> {
    name.parse()
        .map_err(|e: UnknownName| StoreError::Corrupt(e.to_string()))
}

fn unsigned<T: TryFrom<i64>>(what: &str, value: i64) -> Result<T> {
    T::try_from(value).map_err(|_| StoreError::Corrupt(format!("{what} {value}")))
}

fn time(text: Option<String>) -> Result<Option<time::OffsetDateTime>> {
    text.as_deref()
        .map(parse_time)
        .transpose()
        .map_err(StoreError::Corrupt)
}

pub const POLL_COLUMNS: &str = "SELECT id, site_id, question, description, kind, max_choices, \
     opens_at, closes_at, results_visibility, participation FROM polls";

#[derive(sqlx::FromRow)]
pub struct PollRow {
    pub id: String,
    site_id: String,
    question: String,
    description: Option<String>,
    kind: String,
    max_choices: i64,
    opens_at: Option<String>,
    closes_at: Option<String>,
    results_visibility: String,
    participation: String,
}

impl PollRow {
    pub fn into_poll(self, options: Vec<(i64, String)>) -> Result<Poll> {
        Ok(Poll {
            kind: parse(&self.kind)?,
            results_visibility: parse(&self.results_visibility)?,
            participation: parse(&self.participation)?,
            max_choices: unsigned("max_choices", self.max_choices)?,
            opens_at: time(self.opens_at)?,
            closes_at: time(self.closes_at)?,
            options: options
                .into_iter()
                .map(|(id, label)| PollOption { id, label })
                .collect(),
            id: self.id,
            site_id: self.site_id,
            question: self.question,
            description: self.description,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct SettingsRow {
    auto_threads: bool,
    report_threshold: i64,
    /// One word per line.
    blocked_words: String,
    blocked_words_action: String,
}

impl TryFrom<SettingsRow> for SiteSettings {
    type Error = StoreError;

    fn try_from(row: SettingsRow) -> Result<Self> {
        Ok(Self {
            auto_threads: row.auto_threads,
            report_threshold: u32::try_from(row.report_threshold)
                .unwrap_or(limits::DEFAULT_REPORT_THRESHOLD),
            blocked_words: row.blocked_words.lines().map(str::to_owned).collect(),
            blocked_words_action: parse(&row.blocked_words_action)?,
        })
    }
}

pub const THREAD_COLUMNS: &str =
    "SELECT id, site_id, title, pre_moderation, max_depth, locked, participation, \
     comments_version FROM threads";

#[derive(sqlx::FromRow)]
pub struct ThreadRow {
    id: String,
    site_id: String,
    title: String,
    pre_moderation: bool,
    max_depth: i64,
    locked: bool,
    participation: String,
    comments_version: i64,
}

impl TryFrom<ThreadRow> for Thread {
    type Error = StoreError;

    fn try_from(row: ThreadRow) -> Result<Self> {
        Ok(Self {
            max_depth: unsigned("max_depth", row.max_depth)?,
            id: row.id,
            site_id: row.site_id,
            title: row.title,
            pre_moderation: row.pre_moderation,
            locked: row.locked,
            participation: parse(&row.participation)?,
            comments_version: row.comments_version,
        })
    }
}

/// `$2` is always the reader's participant id (NULL for anonymous readers and staff).
pub const COMMENT_COLUMNS: &str = "c.id, c.thread_id, c.parent_id, c.depth, c.author_name, \
     c.reply_to_name, c.text, c.html, c.status, c.removal_reason, c.official, c.pinned, \
     c.useful_count, c.created_at, c.edited_at, coalesce(c.author_id = $2, false) AS mine, \
     EXISTS (SELECT 1 FROM comment_useful u WHERE u.comment_id = c.id AND u.participant_id = $2) \
     AS my_useful";

#[derive(sqlx::FromRow)]
pub struct CommentRow {
    id: i64,
    thread_id: String,
    parent_id: Option<i64>,
    depth: i64,
    author_name: String,
    reply_to_name: Option<String>,
    text: String,
    html: String,
    status: String,
    removal_reason: Option<String>,
    official: bool,
    pinned: bool,
    useful_count: i64,
    created_at: String,
    edited_at: Option<String>,
    mine: bool,
    my_useful: bool,
    /// Visible replies of this comment's parent (the inline-replies listing only).
    #[sqlx(default)]
    siblings: i64,
}

impl TryFrom<CommentRow> for Comment {
    type Error = StoreError;

    fn try_from(row: CommentRow) -> Result<Self> {
        Ok(Self {
            depth: unsigned("depth", row.depth)?,
            // Never show what cannot be classified.
            status: row.status.parse().unwrap_or(CommentStatus::Hidden),
            useful: row.useful_count.unsigned_abs(),
            id: row.id,
            thread_id: row.thread_id,
            parent_id: row.parent_id,
            author_name: row.author_name,
            reply_to_name: row.reply_to_name,
            text: row.text,
            html: row.html,
            removal_reason: row.removal_reason,
            official: row.official,
            pinned: row.pinned,
            created_at: row.created_at,
            edited_at: row.edited_at,
            mine: row.mine,
            my_useful: row.my_useful,
        })
    }
}

impl TryFrom<CommentRow> for InlineReply {
    type Error = StoreError;

    fn try_from(row: CommentRow) -> Result<Self> {
        let siblings = row.siblings.unsigned_abs();
        Ok(Self {
            comment: row.try_into()?,
            siblings,
        })
    }
}

pub const BOX_COLUMNS: &str = "SELECT id, site_id, title, description, mode, threshold, \
     pre_moderation, opens_at, closes_at, participation, titles_version FROM boxes";

#[derive(sqlx::FromRow)]
pub struct BoxRow {
    pub id: String,
    site_id: String,
    title: String,
    description: Option<String>,
    mode: String,
    threshold: Option<i64>,
    pre_moderation: bool,
    opens_at: Option<String>,
    closes_at: Option<String>,
    participation: String,
    titles_version: i64,
}

impl BoxRow {
    pub fn into_box(self, categories: Vec<(String, String)>) -> Result<ProposalBox> {
        Ok(ProposalBox {
            mode: parse(&self.mode)?,
            participation: parse(&self.participation)?,
            threshold: self.threshold.map(i64::unsigned_abs),
            opens_at: time(self.opens_at)?,
            closes_at: time(self.closes_at)?,
            categories: categories
                .into_iter()
                .map(|(id, label)| Category { id, label })
                .collect(),
            id: self.id,
            site_id: self.site_id,
            title: self.title,
            description: self.description,
            pre_moderation: self.pre_moderation,
            titles_version: self.titles_version,
        })
    }
}

/// `$2` is always the reader's participant id (NULL for anonymous readers and staff).
pub const PROPOSAL_COLUMNS: &str = "p.id, p.box_id, p.title, p.text, p.html, p.category, \
     p.place, p.author_name, p.status, p.duplicate_of, p.visibility, p.answer, p.answer_html, \
     p.answered_at, p.supports, p.threshold_reached_at, p.thread_id, p.created_at, \
     coalesce(p.author_id = $2, false) AS mine, EXISTS (SELECT 1 FROM proposal_supports s \
     WHERE s.proposal_id = p.id AND s.participant_id = $2) AS my_support";

#[derive(sqlx::FromRow)]
pub struct ProposalRow {
    id: i64,
    box_id: String,
    title: String,
    text: String,
    html: String,
    category: Option<String>,
    place: Option<String>,
    author_name: String,
    status: String,
    duplicate_of: Option<i64>,
    visibility: String,
    answer: Option<String>,
    answer_html: Option<String>,
    answered_at: Option<String>,
    supports: i64,
    threshold_reached_at: Option<String>,
    thread_id: Option<String>,
    created_at: String,
    mine: bool,
    my_support: bool,
}

impl TryFrom<ProposalRow> for Proposal {
    type Error = StoreError;

    fn try_from(row: ProposalRow) -> Result<Self> {
        Ok(Self {
            status: parse(&row.status)?,
            // Never show what cannot be classified.
            visibility: row.visibility.parse().unwrap_or(Visibility::Hidden),
            supports: row.supports.unsigned_abs(),
            id: row.id,
            box_id: row.box_id,
            title: row.title,
            text: row.text,
            html: row.html,
            category: row.category,
            place: row.place,
            author_name: row.author_name,
            duplicate_of: row.duplicate_of,
            answer: row.answer,
            answer_html: row.answer_html,
            answered_at: row.answered_at,
            threshold_reached_at: row.threshold_reached_at,
            thread_id: row.thread_id,
            created_at: row.created_at,
            mine: row.mine,
            my_support: row.my_support,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct HistoryRow {
    pub proposal_id: i64,
    actor: String,
    at: String,
    from_status: String,
    to_status: String,
}

impl TryFrom<HistoryRow> for StatusChange {
    type Error = StoreError;

    fn try_from(row: HistoryRow) -> Result<Self> {
        Ok(Self {
            from: parse(&row.from_status)?,
            to: parse(&row.to_status)?,
            by: row.actor,
            at: row.at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct BoxEventRow {
    id: i64,
    kind: String,
    proposal_id: i64,
    at: String,
    supports: i64,
}

impl TryFrom<BoxEventRow> for BoxEvent {
    type Error = StoreError;

    fn try_from(row: BoxEventRow) -> Result<Self> {
        Ok(Self {
            kind: parse(&row.kind)?,
            supports: row.supports.unsigned_abs(),
            id: row.id,
            proposal_id: row.proposal_id,
            at: row.at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct AuditRow {
    id: i64,
    actor: String,
    action: String,
    target: String,
    site_id: Option<String>,
    reason: Option<String>,
    at: String,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = StoreError;

    fn try_from(row: AuditRow) -> Result<Self> {
        Ok(Self {
            action: parse(&row.action)?,
            id: row.id,
            actor: row.actor,
            target: row.target,
            site_id: row.site_id,
            reason: row.reason,
            at: row.at,
        })
    }
}

/// Converts every row, failing on the first that does not read back.
pub fn convert<R, T: TryFrom<R, Error = StoreError>>(rows: Vec<R>) -> Result<Vec<T>> {
    rows.into_iter().map(T::try_from).collect()
}
