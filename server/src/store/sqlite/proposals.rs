//! SQLite storage of proposal boxes, proposals, supports, status history and box events.

use std::collections::HashMap;

use civique_api::proposals::limits;
use civique_api::{
    BoxEvent, BoxMode, Category, ProposalSort, ProposalStatus, StatusChange, Visibility,
};
use sqlx::query::QueryAs;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Sqlite, SqliteConnection};

use super::comments::{insert_audit, insert_thread};
use super::{conflict, now, participant_id, Result, SqliteStore};
use crate::poll::{format_time, parse_time};
use crate::proposal::{name_of, parse_name, NewProposal, Proposal, ProposalBox};
use crate::store::StoreError;

/// What a listing shows: published proposals of a box, filtered, in `sort` order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProposalFilter {
    pub sort: ProposalSort,
    pub category: Option<String>,
    pub status: Option<ProposalStatus>,
    /// An FTS5 query built by [`crate::proposal::search_query`], never raw user text.
    pub search: Option<String>,
}

/// What adding or withdrawing a support did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportChange {
    /// `false`: the participant already supported (or did not support) the proposal.
    pub changed: bool,
    pub supports: u64,
    pub threshold_reached_at: Option<String>,
    /// This support is the one that reached the box's threshold.
    pub crossed: bool,
}

/// A staff decision on a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    pub by: String,
    pub from: ProposalStatus,
    pub to: ProposalStatus,
    pub duplicate_of: Option<i64>,
    /// New answer (source, html); `None` keeps the current one, an empty source removes it.
    pub answer: Option<(String, String)>,
}

#[derive(sqlx::FromRow)]
struct BoxRow {
    id: String,
    site_id: String,
    title: String,
    description: Option<String>,
    mode: String,
    threshold: Option<i64>,
    pre_moderation: bool,
    opens_at: Option<String>,
    closes_at: Option<String>,
}

const BOX_COLUMNS: &str = "SELECT id, site_id, title, description, mode, threshold, \
     pre_moderation, opens_at, closes_at FROM boxes";

/// `?2` is always the reader's participant id (NULL for anonymous readers and staff).
const PROPOSAL_COLUMNS: &str = "p.id, p.box_id, p.title, p.text, p.html, p.category, p.place, \
     p.author_name, p.status, p.duplicate_of, p.visibility, p.answer, p.answer_html, \
     p.answered_at, p.supports, p.threshold_reached_at, p.thread_id, p.created_at, \
     coalesce(p.author_id = ?2, 0) AS mine, EXISTS (SELECT 1 FROM proposal_supports s \
     WHERE s.proposal_id = p.id AND s.participant_id = ?2) AS my_support";

impl SqliteStore {
    pub async fn create_box(&self, b: &ProposalBox) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(
            "INSERT INTO boxes (id, site_id, title, description, mode, threshold, \
             pre_moderation, opens_at, closes_at, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&b.id)
        .bind(&b.site_id)
        .bind(&b.title)
        .bind(&b.description)
        .bind(name_of(b.mode))
        .bind(b.threshold.map(|t| i64::try_from(t).unwrap_or(i64::MAX)))
        .bind(b.pre_moderation)
        .bind(b.opens_at.map(format_time))
        .bind(b.closes_at.map(format_time))
        .bind(now())
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict(e, "box", &b.id))?;
        for (position, category) in b.categories.iter().enumerate() {
            sqlx::query(
                "INSERT INTO box_categories (box_id, id, position, label) VALUES (?, ?, ?, ?)",
            )
            .bind(&b.id)
            .bind(&category.id)
            .bind(position as i64)
            .bind(&category.label)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn proposal_box(&self, id: &str) -> Result<Option<ProposalBox>> {
        let mut conn = self.pool.acquire().await?;
        let row: Option<BoxRow> = sqlx::query_as(&format!("{BOX_COLUMNS} WHERE id = ?"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        match row {
            Some(row) => Ok(Some(box_from_row(&mut conn, row).await?)),
            None => Ok(None),
        }
    }

    pub async fn list_boxes(&self, site_id: Option<&str>) -> Result<Vec<ProposalBox>> {
        let mut conn = self.pool.acquire().await?;
        let rows: Vec<BoxRow> = sqlx::query_as(&format!(
            "{BOX_COLUMNS} WHERE ?1 IS NULL OR site_id = ?1 ORDER BY site_id, id"
        ))
        .bind(site_id)
        .fetch_all(&mut *conn)
        .await?;
        let mut boxes = Vec::with_capacity(rows.len());
        for row in rows {
            boxes.push(box_from_row(&mut conn, row).await?);
        }
        Ok(boxes)
    }

    /// Saves the settings staff may change (moderation mode, opening and closing times).
    pub async fn save_box_settings(&self, b: &ProposalBox) -> Result<()> {
        sqlx::query(
            "UPDATE boxes SET pre_moderation = ?, opens_at = ?, closes_at = ? WHERE id = ?",
        )
        .bind(b.pre_moderation)
        .bind(b.opens_at.map(format_time))
        .bind(b.closes_at.map(format_time))
        .bind(&b.id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Published proposals of a box.
    pub async fn box_count(&self, box_id: &str) -> Result<u64> {
        self.count(
            "SELECT COUNT(*) FROM proposals WHERE box_id = ? AND visibility = 'published'",
            box_id,
        )
        .await
    }

    /// Stores a proposal and, in ideas mode, its comment thread `proposal-{id}`, in one
    /// transaction; returns its id. `author_key` is `None` for seeded proposals.
    pub async fn insert_proposal(
        &self,
        b: &ProposalBox,
        new: &NewProposal,
        author_key: Option<&str>,
        visibility: Visibility,
    ) -> Result<i64> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let author = match author_key {
            Some(key) => Some(participant_id(&mut tx, &b.site_id, key).await?),
            None => None,
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO proposals (box_id, title, text, html, category, place, author_id, \
             author_name, visibility, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             RETURNING id",
        )
        .bind(&b.id)
        .bind(&new.title)
        .bind(&new.text)
        .bind(&new.html)
        .bind(&new.category)
        .bind(&new.place)
        .bind(author)
        .bind(&new.author_name)
        .bind(name_of(visibility))
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        if let Some(thread) = b.thread_of(id, &new.title) {
            insert_thread(&mut tx, &thread).await?;
            sqlx::query("UPDATE proposals SET thread_id = ? WHERE id = ?")
                .bind(&thread.id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// One proposal as `me` sees it, whatever its visibility.
    pub async fn proposal(&self, id: i64, me: Option<i64>) -> Result<Option<Proposal>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PROPOSAL_COLUMNS} FROM proposals p WHERE p.id = ?1"
        ))
        .bind(id)
        .bind(me)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The status history of each of `ids`, oldest first (absent ids have none).
    pub async fn histories(&self, ids: &[i64]) -> Result<HashMap<i64, Vec<StatusChange>>> {
        let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned());
        let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
            "SELECT proposal_id, actor, at, from_status, to_status FROM proposal_history \
             WHERE proposal_id IN (SELECT value FROM json_each(?)) ORDER BY proposal_id, id",
        )
        .bind(list)
        .fetch_all(&self.pool)
        .await?;
        let mut histories: HashMap<i64, Vec<StatusChange>> = HashMap::new();
        for (id, by, at, from, to) in rows {
            let status = |name: &str| {
                parse_name(name).ok_or_else(|| StoreError::Corrupt(format!("status {name:?}")))
            };
            let change = StatusChange {
                from: status(&from)?,
                to: status(&to)?,
                by,
                at,
            };
            histories.entry(id).or_default().push(change);
        }
        Ok(histories)
    }

    /// A page (1-based) of published proposals matching `filter`, and how many match in all.
    pub async fn list_proposals(
        &self,
        box_id: &str,
        filter: &ProposalFilter,
        me: Option<i64>,
        page: u32,
    ) -> Result<(u64, Vec<Proposal>)> {
        // Constant SQL fragments only: every value is bound.
        let search = if filter.search.is_some() {
            "p.id IN (SELECT rowid FROM proposals_fts WHERE proposals_fts MATCH ?5)"
        } else {
            "?5 IS NULL"
        };
        let conditions = format!(
            "p.box_id = ?1 AND p.visibility = 'published' AND (?3 IS NULL OR p.category = ?3) \
             AND (?4 IS NULL OR p.status = ?4) AND {search}"
        );
        let order = match filter.sort {
            ProposalSort::Supports => "p.supports DESC, p.id",
            ProposalSort::Newest => "p.id DESC",
            // NULLs sort last in descending order: never-answered proposals come last.
            ProposalSort::Answered => "p.answered_at DESC, p.id DESC",
        };
        let offset = i64::from(page.saturating_sub(1)) * limits::PAGE_SIZE as i64;
        // One read transaction: the count and the page come from the same snapshot.
        let mut tx = self.pool.begin().await?;
        let count_sql = format!("SELECT COUNT(*) FROM proposals p WHERE {conditions}");
        let (count,): (i64,) = bind_filter(sqlx::query_as(&count_sql), box_id, me, filter)
            .fetch_one(&mut *tx)
            .await?;
        let page_sql = format!(
            "SELECT {PROPOSAL_COLUMNS} FROM proposals p WHERE {conditions} \
             ORDER BY {order} LIMIT ?6 OFFSET ?7"
        );
        let proposals = bind_filter(sqlx::query_as(&page_sql), box_id, me, filter)
            .bind(limits::PAGE_SIZE as i64)
            .bind(offset)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok((count.unsigned_abs(), proposals))
    }

    /// The published proposals of a box that best match an FTS5 `query`, best first.
    pub async fn similar_proposals(
        &self,
        box_id: &str,
        query: &str,
        me: Option<i64>,
    ) -> Result<Vec<Proposal>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PROPOSAL_COLUMNS} FROM proposals_fts \
             JOIN proposals p ON p.id = proposals_fts.rowid \
             WHERE proposals_fts MATCH ?3 AND p.box_id = ?1 AND p.visibility = 'published' \
             ORDER BY bm25(proposals_fts, 2.0, 1.0), p.id LIMIT {}",
            limits::SIMILAR_MAX
        ))
        .bind(box_id)
        .bind(me)
        .bind(query)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every proposal of a box (or those with `visibility`), oldest first: the staff queue.
    pub async fn staff_proposals(
        &self,
        box_id: &str,
        visibility: Option<Visibility>,
    ) -> Result<Vec<Proposal>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PROPOSAL_COLUMNS} FROM proposals p WHERE p.box_id = ?1 \
             AND (?3 IS NULL OR p.visibility = ?3) ORDER BY p.id"
        ))
        .bind(box_id)
        .bind(None::<i64>)
        .bind(visibility.map(name_of))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Adds or withdraws a participant's support. The counter, and the first time it reaches
    /// the box's threshold (a `threshold_reached` box event), change in the same transaction.
    pub async fn set_support(
        &self,
        b: &ProposalBox,
        proposal_id: i64,
        key: &str,
        support: bool,
    ) -> Result<SupportChange> {
        let at = now();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let participant = participant_id(&mut tx, &b.site_id, key).await?;
        let changed = if support {
            sqlx::query(
                "INSERT OR IGNORE INTO proposal_supports (proposal_id, participant_id, created_at) \
                 VALUES (?, ?, ?)",
            )
            .bind(proposal_id)
            .bind(participant)
            .bind(&at)
        } else {
            sqlx::query(
                "DELETE FROM proposal_supports WHERE proposal_id = ? AND participant_id = ?",
            )
            .bind(proposal_id)
            .bind(participant)
        }
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        let delta = match (changed, support) {
            (false, _) => 0,
            (true, true) => 1,
            (true, false) => -1,
        };
        let (supports, mut reached): (i64, Option<String>) = sqlx::query_as(
            "UPDATE proposals SET supports = supports + ? WHERE id = ? \
             RETURNING supports, threshold_reached_at",
        )
        .bind(delta)
        .bind(proposal_id)
        .fetch_one(&mut *tx)
        .await?;
        let crossed = reached.is_none()
            && b.threshold
                .is_some_and(|threshold| supports.unsigned_abs() >= threshold);
        if crossed {
            sqlx::query("UPDATE proposals SET threshold_reached_at = ? WHERE id = ?")
                .bind(&at)
                .bind(proposal_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO box_events (box_id, kind, proposal_id, supports, at) \
                 VALUES (?, 'threshold_reached', ?, ?, ?)",
            )
            .bind(&b.id)
            .bind(proposal_id)
            .bind(supports)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            reached = Some(at);
        }
        tx.commit().await?;
        Ok(SupportChange {
            changed,
            supports: supports.unsigned_abs(),
            threshold_reached_at: reached,
            crossed,
        })
    }

    /// Records a staff decision: status, duplicate link and answer, a history row when the
    /// status changes, and the audit entry, in one transaction.
    pub async fn set_proposal_status(&self, id: i64, update: &StatusUpdate) -> Result<()> {
        let at = now();
        let to = name_of(update.to);
        let (answer, answer_html) = match &update.answer {
            Some((source, html)) => (Some(source.as_str()), Some(html.as_str())),
            None => (None, None),
        };
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(
            "UPDATE proposals SET status = ?1, duplicate_of = ?2, answered_at = ?3, \
             answer = CASE WHEN ?4 IS NULL THEN answer ELSE nullif(?4, '') END, \
             answer_html = CASE WHEN ?4 IS NULL THEN answer_html ELSE nullif(?5, '') END \
             WHERE id = ?6",
        )
        .bind(&to)
        .bind(update.duplicate_of)
        .bind(&at)
        .bind(answer)
        .bind(answer_html)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if update.from != update.to {
            sqlx::query(
                "INSERT INTO proposal_history (proposal_id, actor, at, from_status, to_status) \
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(id)
            .bind(&update.by)
            .bind(&at)
            .bind(name_of(update.from))
            .bind(&to)
            .execute(&mut *tx)
            .await?;
        }
        insert_audit(&mut tx, "status", &format!("proposal:{id}"), Some(&to)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Staff moderation: sets the visibility and writes the audit entry in one transaction.
    pub async fn set_proposal_visibility(
        &self,
        id: i64,
        visibility: Visibility,
        action: &str,
        reason: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("UPDATE proposals SET visibility = ? WHERE id = ?")
            .bind(name_of(visibility))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_audit(&mut tx, action, &format!("proposal:{id}"), reason).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The recorded events of a box, oldest first.
    pub async fn box_events(&self, box_id: &str) -> Result<Vec<BoxEvent>> {
        let rows: Vec<(i64, String, i64, String, i64)> = sqlx::query_as(
            "SELECT id, kind, proposal_id, at, supports FROM box_events WHERE box_id = ? \
             ORDER BY id",
        )
        .bind(box_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, kind, proposal_id, at, supports)| BoxEvent {
                id,
                kind,
                proposal_id,
                at,
                supports: supports.unsigned_abs(),
            })
            .collect())
    }
}

/// Binds `?1`..`?5` of a listing's conditions.
fn bind_filter<'q, O>(
    query: QueryAs<'q, Sqlite, O, SqliteArguments<'q>>,
    box_id: &'q str,
    me: Option<i64>,
    filter: &'q ProposalFilter,
) -> QueryAs<'q, Sqlite, O, SqliteArguments<'q>> {
    query
        .bind(box_id)
        .bind(me)
        .bind(filter.category.as_deref())
        .bind(filter.status.map(name_of))
        .bind(filter.search.as_deref())
}

async fn box_from_row(conn: &mut SqliteConnection, row: BoxRow) -> Result<ProposalBox> {
    let categories: Vec<(String, String)> =
        sqlx::query_as("SELECT id, label FROM box_categories WHERE box_id = ? ORDER BY position")
            .bind(&row.id)
            .fetch_all(&mut *conn)
            .await?;
    let time = |text: Option<String>| text.as_deref().map(parse_time).transpose();
    Ok(ProposalBox {
        mode: parse_name::<BoxMode>(&row.mode)
            .ok_or_else(|| StoreError::Corrupt(format!("box mode {:?}", row.mode)))?,
        threshold: row.threshold.map(i64::unsigned_abs),
        opens_at: time(row.opens_at).map_err(StoreError::Corrupt)?,
        closes_at: time(row.closes_at).map_err(StoreError::Corrupt)?,
        categories: categories
            .into_iter()
            .map(|(id, label)| Category { id, label })
            .collect(),
        id: row.id,
        site_id: row.site_id,
        title: row.title,
        description: row.description,
        pre_moderation: row.pre_moderation,
    })
}
