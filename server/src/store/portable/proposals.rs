//! Proposal boxes, proposals, supports, status history and box events.

use async_trait::async_trait;
use civique_api::proposals::limits;
use civique_api::staff::WaitingProposal;
use civique_api::{BoxEvent, BoxEventKind, ProposalSort, StatusChange, Visibility};

use super::comments::insert_thread;
use super::writer::{HotDone, HotWrite};
use super::{conflict, dialect, id_list, insert_audit, participant_id, unexpected, Backend, Conn};
use crate::domain::audit::Audit;
use crate::domain::proposal::{
    NewProposal, Proposal, ProposalBox, ProposalFilter, SearchTerms, StatusUpdate, SupportChange,
};
use crate::domain::time::{format_time, now_text};
use crate::store::rows::{
    convert, BoxEventRow, BoxRow, HistoryRow, ProposalRow, BOX_COLUMNS, PROPOSAL_COLUMNS,
};
use crate::store::{HistoryMap, Proposals, Result};

#[async_trait]
impl Proposals for Backend {
    async fn create_box(&self, b: &ProposalBox, audit: &Audit) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO boxes (id, site_id, title, description, mode, threshold, \
             pre_moderation, opens_at, closes_at, participation, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&b.id)
        .bind(&b.site_id)
        .bind(&b.title)
        .bind(&b.description)
        .bind(b.mode.as_str())
        .bind(b.threshold.map(|t| i64::try_from(t).unwrap_or(i64::MAX)))
        .bind(b.pre_moderation)
        .bind(b.opens_at.map(format_time))
        .bind(b.closes_at.map(format_time))
        .bind(b.participation.as_str())
        .bind(now_text())
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict(e, "box", &b.id))?;
        for (position, category) in b.categories.iter().enumerate() {
            sqlx::query(
                "INSERT INTO box_categories (box_id, id, position, label) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(&b.id)
            .bind(&category.id)
            .bind(position as i64)
            .bind(&category.label)
            .execute(&mut *tx)
            .await?;
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn proposal_box(&self, id: &str) -> Result<Option<ProposalBox>> {
        let mut conn = self.pool.acquire().await?;
        let row: Option<BoxRow> = sqlx::query_as(&format!("{BOX_COLUMNS} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        match row {
            Some(row) => Ok(Some(with_categories(&mut conn, row).await?)),
            None => Ok(None),
        }
    }

    async fn list_boxes(&self, site_id: Option<&str>) -> Result<Vec<ProposalBox>> {
        let mut conn = self.pool.acquire().await?;
        let rows: Vec<BoxRow> = sqlx::query_as(&format!(
            "{BOX_COLUMNS} WHERE $1 IS NULL OR site_id = $1 ORDER BY site_id, id"
        ))
        .bind(site_id)
        .fetch_all(&mut *conn)
        .await?;
        let mut boxes = Vec::with_capacity(rows.len());
        for row in rows {
            boxes.push(with_categories(&mut conn, row).await?);
        }
        Ok(boxes)
    }

    async fn save_box_settings(&self, b: &ProposalBox, audit: &Audit) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE boxes SET pre_moderation = $1, opens_at = $2, closes_at = $3 WHERE id = $4",
        )
        .bind(b.pre_moderation)
        .bind(b.opens_at.map(format_time))
        .bind(b.closes_at.map(format_time))
        .bind(&b.id)
        .execute(&mut *tx)
        .await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn box_count(&self, box_id: &str) -> Result<u64> {
        self.count(
            "SELECT coalesce(max(proposal_count), 0) FROM boxes WHERE id = $1",
            box_id,
        )
        .await
    }

    async fn insert_proposal(
        &self,
        b: &ProposalBox,
        new: &NewProposal,
        author_key: Option<&str>,
        visibility: Visibility,
    ) -> Result<i64> {
        let mut tx = self.write().await?;
        let author = match author_key {
            Some(key) => Some(participant_id(&mut tx, &b.site_id, key).await?),
            None => None,
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO proposals (box_id, title, text, html, category, place, author_id, \
             author_name, visibility, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&b.id)
        .bind(&new.title)
        .bind(&new.text)
        .bind(&new.html)
        .bind(&new.category)
        .bind(&new.place)
        .bind(author)
        .bind(&new.author_name)
        .bind(visibility.as_str())
        .bind(now_text())
        .fetch_one(&mut *tx)
        .await?;
        if let Some(thread) = b.thread_of(id, &new.title) {
            insert_thread(&mut tx, &thread).await?;
            sqlx::query("UPDATE proposals SET thread_id = $1 WHERE id = $2")
                .bind(&thread.id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    async fn proposal(&self, id: i64, me: Option<i64>) -> Result<Option<Proposal>> {
        let row: Option<ProposalRow> = sqlx::query_as(&format!(
            "SELECT {PROPOSAL_COLUMNS} FROM proposals p WHERE p.id = $1"
        ))
        .bind(id)
        .bind(me)
        .fetch_optional(&self.pool)
        .await?;
        row.map(Proposal::try_from).transpose()
    }

    async fn histories(&self, ids: &[i64]) -> Result<HistoryMap> {
        let rows: Vec<HistoryRow> = sqlx::query_as(&format!(
            "SELECT proposal_id, actor, at, from_status, to_status FROM proposal_history \
             WHERE proposal_id IN ({}) ORDER BY proposal_id, id",
            dialect::id_list("$1")
        ))
        .bind(id_list(ids))
        .fetch_all(&self.pool)
        .await?;
        let mut histories = HistoryMap::new();
        for row in rows {
            let id = row.proposal_id;
            histories
                .entry(id)
                .or_default()
                .push(StatusChange::try_from(row)?);
        }
        Ok(histories)
    }

    async fn list_proposals(
        &self,
        box_id: &str,
        filter: &ProposalFilter,
        me: Option<i64>,
        page: u32,
    ) -> Result<(u64, Vec<Proposal>)> {
        // Constant SQL fragments only: every value is bound.
        let search = if filter.search.is_some() {
            dialect::search_condition("$5")
        } else {
            "$5 IS NULL".to_owned()
        };
        let conditions = format!(
            "p.box_id = $1 AND p.visibility = 'published' AND ($3 IS NULL OR p.category = $3) \
             AND ($4 IS NULL OR p.status = $4) AND {search}"
        );
        let order = match filter.sort {
            ProposalSort::Supports => "p.supports DESC, p.id",
            ProposalSort::Newest => "p.id DESC",
            ProposalSort::Answered => "p.answered_at DESC NULLS LAST, p.id DESC",
        };
        let offset = i64::from(page.saturating_sub(1)) * limits::PAGE_SIZE as i64;
        let search = filter.search.as_ref().map(dialect::search_text);
        let status = filter.status.map(|s| s.as_str());
        // One read snapshot: the count and the page agree. The count binds the reader too
        // (`$2`), unused, so that both statements share their parameters.
        let mut tx = self.pool.begin_with(dialect::BEGIN_READ).await?;
        let count: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM proposals p WHERE {conditions}"
        ))
        .bind(box_id)
        .bind(me)
        .bind(filter.category.as_deref())
        .bind(status)
        .bind(search.as_deref())
        .fetch_one(&mut *tx)
        .await?;
        let rows: Vec<ProposalRow> = sqlx::query_as(&format!(
            "SELECT {PROPOSAL_COLUMNS} FROM proposals p WHERE {conditions} \
             ORDER BY {order} LIMIT $6 OFFSET $7"
        ))
        .bind(box_id)
        .bind(me)
        .bind(filter.category.as_deref())
        .bind(status)
        .bind(search.as_deref())
        .bind(limits::PAGE_SIZE as i64)
        .bind(offset)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((count.unsigned_abs(), convert(rows)?))
    }

    async fn box_titles(&self, box_id: &str) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT id, title FROM proposals WHERE box_id = $1 AND visibility = 'published'",
        )
        .bind(box_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn proposals_in(&self, ids: &[i64], me: Option<i64>) -> Result<Vec<Proposal>> {
        let rows: Vec<ProposalRow> = sqlx::query_as(&format!(
            "SELECT {PROPOSAL_COLUMNS} FROM proposals p WHERE p.id IN ({})",
            dialect::id_list("$1")
        ))
        .bind(id_list(ids))
        .bind(me)
        .fetch_all(&self.pool)
        .await?;
        let mut proposals: Vec<Proposal> = convert(rows)?;
        proposals.sort_by_key(|p| ids.iter().position(|id| *id == p.id));
        Ok(proposals)
    }

    async fn similar_proposals(
        &self,
        box_id: &str,
        terms: &SearchTerms,
        me: Option<i64>,
    ) -> Result<Vec<Proposal>> {
        let rows: Vec<ProposalRow> = sqlx::query_as(&dialect::similar_query(limits::SIMILAR_MAX))
            .bind(box_id)
            .bind(me)
            .bind(dialect::search_text(terms))
            .fetch_all(&self.pool)
            .await?;
        convert(rows)
    }

    async fn waiting_proposals(&self, site_id: &str, limit: u32) -> Result<Vec<WaitingProposal>> {
        type Row = (
            i64,
            String,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            String,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT p.id, p.box_id, b.title, p.title, p.text, p.category, p.place, p.created_at \
             FROM proposals p JOIN boxes b ON b.id = p.box_id \
             WHERE b.site_id = $1 AND p.visibility = 'pending' ORDER BY p.id LIMIT $2",
        )
        .bind(site_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, box_id, box_title, title, text, category, place, created_at)| {
                    WaitingProposal {
                        id,
                        box_id,
                        box_title,
                        title,
                        text,
                        category,
                        place,
                        created_at,
                    }
                },
            )
            .collect())
    }

    async fn staff_proposals(
        &self,
        box_id: &str,
        visibility: Option<Visibility>,
    ) -> Result<Vec<Proposal>> {
        let rows: Vec<ProposalRow> = sqlx::query_as(&format!(
            "SELECT {PROPOSAL_COLUMNS} FROM proposals p WHERE p.box_id = $1 \
             AND ($3 IS NULL OR p.visibility = $3) ORDER BY p.id"
        ))
        .bind(box_id)
        .bind(None::<i64>)
        .bind(visibility.map(Visibility::as_str))
        .fetch_all(&self.pool)
        .await?;
        convert(rows)
    }

    async fn set_support(
        &self,
        b: &ProposalBox,
        proposal_id: i64,
        key: &str,
        support: bool,
    ) -> Result<SupportChange> {
        let write = HotWrite::Support {
            box_id: b.id.clone(),
            site_id: b.site_id.clone(),
            threshold: b.threshold,
            proposal_id,
            key: key.to_owned(),
            support,
        };
        match self.writer.write(write).await? {
            HotDone::Supported(change) => Ok(change),
            other => Err(unexpected(other)),
        }
    }

    async fn set_proposal_status(
        &self,
        id: i64,
        update: &StatusUpdate,
        audit: &Audit,
    ) -> Result<()> {
        let at = now_text();
        let to = update.to.as_str();
        let (answer, answer_html) = match &update.answer {
            Some((source, html)) => (Some(source.as_str()), Some(html.as_str())),
            None => (None, None),
        };
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE proposals SET status = $1, duplicate_of = $2, answered_at = $3, \
             answer = CASE WHEN $4 IS NULL THEN answer ELSE nullif($4, '') END, \
             answer_html = CASE WHEN $4 IS NULL THEN answer_html ELSE nullif($5, '') END \
             WHERE id = $6",
        )
        .bind(to)
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
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(&update.by)
            .bind(&at)
            .bind(update.from.as_str())
            .bind(to)
            .execute(&mut *tx)
            .await?;
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_proposal_visibility(
        &self,
        id: i64,
        visibility: Visibility,
        audit: &Audit,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE proposals SET visibility = $1 WHERE id = $2")
            .bind(visibility.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn box_events(&self, box_id: &str) -> Result<Vec<BoxEvent>> {
        let rows: Vec<BoxEventRow> = sqlx::query_as(
            "SELECT id, kind, proposal_id, at, supports FROM box_events WHERE box_id = $1 \
             ORDER BY id",
        )
        .bind(box_id)
        .fetch_all(&self.pool)
        .await?;
        convert(rows)
    }
}

/// Adds or withdraws a participant's support, in the writer's transaction. The counter, and
/// the first time it reaches the box's threshold (a `threshold_reached` box event), change
/// with it.
pub(super) async fn support(
    conn: &mut Conn,
    box_id: &str,
    site_id: &str,
    threshold: Option<u64>,
    proposal_id: i64,
    key: &str,
    support: bool,
) -> Result<SupportChange> {
    let at = now_text();
    let participant = participant_id(conn, site_id, key).await?;
    let changed = if support {
        sqlx::query(
            "INSERT INTO proposal_supports (proposal_id, participant_id, created_at) \
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(proposal_id)
        .bind(participant)
        .bind(&at)
    } else {
        sqlx::query("DELETE FROM proposal_supports WHERE proposal_id = $1 AND participant_id = $2")
            .bind(proposal_id)
            .bind(participant)
    }
    .execute(&mut *conn)
    .await?
    .rows_affected()
        > 0;
    let delta: i64 = match (changed, support) {
        (false, _) => 0,
        (true, true) => 1,
        (true, false) => -1,
    };
    let (supports, mut reached): (i64, Option<String>) = sqlx::query_as(
        "UPDATE proposals SET supports = supports + $1 WHERE id = $2 \
         RETURNING supports, threshold_reached_at",
    )
    .bind(delta)
    .bind(proposal_id)
    .fetch_one(&mut *conn)
    .await?;
    let crossed = reached.is_none()
        && threshold.is_some_and(|threshold| supports.unsigned_abs() >= threshold);
    if crossed {
        sqlx::query("UPDATE proposals SET threshold_reached_at = $1 WHERE id = $2")
            .bind(&at)
            .bind(proposal_id)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO box_events (box_id, kind, proposal_id, supports, at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(box_id)
        .bind(BoxEventKind::ThresholdReached.as_str())
        .bind(proposal_id)
        .bind(supports)
        .bind(&at)
        .execute(&mut *conn)
        .await?;
        reached = Some(at);
    }
    Ok(SupportChange {
        changed,
        supports: supports.unsigned_abs(),
        threshold_reached_at: reached,
        crossed,
    })
}

async fn with_categories(conn: &mut Conn, row: BoxRow) -> Result<ProposalBox> {
    let categories: Vec<(String, String)> =
        sqlx::query_as("SELECT id, label FROM box_categories WHERE box_id = $1 ORDER BY position")
            .bind(&row.id)
            .fetch_all(&mut *conn)
            .await?;
    row.into_box(categories)
}
