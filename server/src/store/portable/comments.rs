//! Threads, comments, useful marks and reports.

use async_trait::async_trait;
use civique_api::comments::limits;
use civique_api::{CommentSort, CommentStatus};

use super::writer::{HotDone, HotWrite};
use super::{conflict, dialect, id_list, insert_audit, participant_id, unexpected, Backend, Conn};
use crate::domain::audit::Audit;
use crate::domain::comment::{Comment, Cursor, InlineReply, NewComment, ReportOutcome, Thread};
use crate::domain::moderation::Waiting;
use crate::domain::time::now_text;
use crate::store::rows::{convert, CommentRow, ThreadRow, COMMENT_COLUMNS, THREAD_COLUMNS};
use crate::store::{Comments, Result, StoreError};

// Flags are compared with `= TRUE` / `= FALSE`, not used bare: an equality lets the
// listing indexes (thread, parent, pinned, …) seek on `pinned` and keep their order.

/// Published comments, the reader's own pending ones, and placeholders for removed comments
/// that still have published replies.
const VISIBLE: &str = "(c.status = 'published' \
     OR (c.status = 'pending' AND c.author_id = $2) \
     OR (c.status IN ('hidden', 'deleted') AND EXISTS \
         (SELECT 1 FROM comments r WHERE r.parent_id = c.id AND r.status = 'published')))";

#[async_trait]
impl Comments for Backend {
    async fn create_thread(&self, thread: &Thread, audit: Option<&Audit>) -> Result<()> {
        let mut tx = self.write().await?;
        insert_thread(&mut tx, thread).await?;
        if let Some(audit) = audit {
            insert_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn thread(&self, id: &str) -> Result<Option<Thread>> {
        let row: Option<ThreadRow> = sqlx::query_as(&format!("{THREAD_COLUMNS} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(Thread::try_from).transpose()
    }

    async fn list_threads(&self, site_id: Option<&str>) -> Result<Vec<Thread>> {
        let rows: Vec<ThreadRow> = sqlx::query_as(&format!(
            "{THREAD_COLUMNS} WHERE $1 IS NULL OR site_id = $1 ORDER BY site_id, id"
        ))
        .bind(site_id)
        .fetch_all(&self.pool)
        .await?;
        convert(rows)
    }

    async fn update_thread(
        &self,
        id: &str,
        locked: Option<bool>,
        pre_moderation: Option<bool>,
        audits: &[Audit],
    ) -> Result<bool> {
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "UPDATE threads SET locked = coalesce($1, locked), \
             locked_at = CASE WHEN $1 IS NULL THEN locked_at WHEN $1 THEN coalesce(locked_at, $4) \
             ELSE NULL END, \
             pre_moderation = coalesce($2, pre_moderation) WHERE id = $3",
        )
        .bind(locked)
        .bind(pre_moderation)
        .bind(id)
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        for audit in audits {
            insert_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    async fn thread_count(&self, thread_id: &str) -> Result<u64> {
        self.count(
            "SELECT coalesce(max(comment_count), 0) FROM threads WHERE id = $1",
            thread_id,
        )
        .await
    }

    async fn reply_count(&self, comment_id: i64) -> Result<u64> {
        self.count(
            "SELECT coalesce(max(reply_count), 0) FROM comments WHERE id = $1",
            comment_id,
        )
        .await
    }

    async fn insert_comments(
        &self,
        site_id: &str,
        comments: &[NewComment],
        audit: Option<&Audit>,
    ) -> Result<Vec<i64>> {
        let write = HotWrite::Comments {
            site_id: site_id.to_owned(),
            comments: comments.to_vec(),
            audit: audit.cloned(),
        };
        match self.writer.write(write).await? {
            HotDone::Inserted(ids) => Ok(ids),
            other => Err(unexpected(other)),
        }
    }

    async fn comment(&self, id: i64, me: Option<i64>) -> Result<Option<Comment>> {
        let row: Option<CommentRow> = sqlx::query_as(&format!(
            "SELECT {COMMENT_COLUMNS} FROM comments c WHERE c.id = $1"
        ))
        .bind(id)
        .bind(me)
        .fetch_optional(&self.pool)
        .await?;
        row.map(Comment::try_from).transpose()
    }

    async fn top_comments(
        &self,
        thread_id: &str,
        me: Option<i64>,
        sort: CommentSort,
        cursor: Option<Cursor>,
    ) -> Result<(Vec<Comment>, Vec<Comment>)> {
        let pinned: Vec<CommentRow> = if cursor.is_none() {
            sqlx::query_as(&format!(
                "SELECT {COMMENT_COLUMNS} FROM comments c WHERE c.thread_id = $1 \
                 AND c.parent_id IS NULL AND c.pinned = TRUE AND {VISIBLE} ORDER BY c.id"
            ))
            .bind(thread_id)
            .bind(me)
            .fetch_all(&self.pool)
            .await?
        } else {
            Vec::new()
        };
        let (after, order) = match sort {
            CommentSort::Oldest => ("c.id > $4", "c.id"),
            CommentSort::Newest => ("c.id < $4", "c.id DESC"),
            CommentSort::Useful => (
                "(c.useful_count, c.id) < ($3, $4)",
                "c.useful_count DESC, c.id DESC",
            ),
        };
        let start = cursor.unwrap_or(match sort {
            CommentSort::Oldest => Cursor { useful: 0, id: 0 },
            _ => Cursor {
                useful: i64::MAX,
                id: i64::MAX,
            },
        });
        // `$3 IS NOT NULL` keeps the parameter list the same for every sort order.
        let page: Vec<CommentRow> = sqlx::query_as(&format!(
            "SELECT {COMMENT_COLUMNS} FROM comments c WHERE c.thread_id = $1 \
             AND c.parent_id IS NULL AND c.pinned = FALSE AND {after} AND $3 IS NOT NULL \
             AND {VISIBLE} ORDER BY {order} LIMIT {}",
            limits::PAGE_SIZE + 1
        ))
        .bind(thread_id)
        .bind(me)
        .bind(start.useful)
        .bind(start.id)
        .fetch_all(&self.pool)
        .await?;
        Ok((convert(pinned)?, convert(page)?))
    }

    async fn published_comments(&self, thread_id: &str) -> Result<Vec<Comment>> {
        let rows: Vec<CommentRow> = sqlx::query_as(&format!(
            "SELECT {COMMENT_COLUMNS} FROM comments c \
             WHERE c.thread_id = $1 AND c.status = 'published' ORDER BY c.id"
        ))
        .bind(thread_id)
        .bind(None::<i64>)
        .fetch_all(&self.pool)
        .await?;
        convert(rows)
    }

    async fn replies(&self, parent_id: i64, me: Option<i64>, after: i64) -> Result<Vec<Comment>> {
        let rows: Vec<CommentRow> = sqlx::query_as(&format!(
            "SELECT {COMMENT_COLUMNS} FROM comments c WHERE c.parent_id = $1 AND c.id > $3 \
             AND {VISIBLE} ORDER BY c.id LIMIT {}",
            limits::PAGE_SIZE + 1
        ))
        .bind(parent_id)
        .bind(me)
        .bind(after)
        .fetch_all(&self.pool)
        .await?;
        convert(rows)
    }

    async fn review_queue(&self, site_id: &str, limit: u32) -> Result<Vec<Waiting>> {
        self.waiting(
            "c.status = 'pending' OR (c.status <> 'deleted' \
             AND c.report_count > c.reviewed_reports)",
            site_id,
            None,
            limit,
        )
        .await
    }

    async fn unanswered(&self, site_id: &str, before: &str, limit: u32) -> Result<Vec<Waiting>> {
        self.waiting(
            "c.status = 'published' AND NOT c.official AND c.parent_id IS NULL \
             AND c.created_at <= $3 AND NOT EXISTS (SELECT 1 FROM comments r \
             WHERE r.parent_id = c.id AND r.official AND r.status = 'published')",
            site_id,
            Some(before),
            limit,
        )
        .await
    }

    async fn inline_replies(&self, parents: &[i64], me: Option<i64>) -> Result<Vec<InlineReply>> {
        if parents.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<CommentRow> = sqlx::query_as(&format!(
            "SELECT * FROM (SELECT {COMMENT_COLUMNS}, \
             ROW_NUMBER() OVER (PARTITION BY c.parent_id ORDER BY c.pinned DESC, c.id) AS rn, \
             COUNT(*) OVER (PARTITION BY c.parent_id) AS siblings \
             FROM comments c WHERE c.parent_id IN ({}) AND {VISIBLE}) AS ranked \
             WHERE rn <= {} ORDER BY parent_id, rn",
            dialect::id_list("$1"),
            limits::INLINE_REPLIES
        ))
        .bind(id_list(parents))
        .bind(me)
        .fetch_all(&self.pool)
        .await?;
        convert(rows)
    }

    async fn edit_comment(
        &self,
        id: i64,
        text: &str,
        html: &str,
        status: CommentStatus,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE comments SET text = $1, html = $2, status = $3, edited_at = $4 WHERE id = $5",
        )
        .bind(text)
        .bind(html)
        .bind(status.as_str())
        .bind(now_text())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn set_comment_state(
        &self,
        id: i64,
        status: CommentStatus,
        pinned: bool,
        reason: Option<&str>,
        audit: Option<&Audit>,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE comments SET status = $1, pinned = $2, removal_reason = $3, \
             text = CASE WHEN $1 = 'deleted' THEN '' ELSE text END, \
             html = CASE WHEN $1 = 'deleted' THEN '' ELSE html END, \
             reviewed_reports = CASE WHEN $5 THEN report_count ELSE reviewed_reports END \
             WHERE id = $4",
        )
        .bind(status.as_str())
        .bind(pinned)
        .bind(reason)
        .bind(id)
        .bind(audit.is_some())
        .execute(&mut *tx)
        .await?;
        if let Some(audit) = audit {
            insert_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn set_useful(
        &self,
        comment_id: i64,
        site_id: &str,
        key: &str,
        useful: bool,
    ) -> Result<(u64, bool)> {
        let write = HotWrite::Useful {
            comment_id,
            site_id: site_id.to_owned(),
            key: key.to_owned(),
            useful,
        };
        match self.writer.write(write).await? {
            HotDone::Marked(count, changed) => Ok((count, changed)),
            other => Err(unexpected(other)),
        }
    }

    async fn report(
        &self,
        comment_id: i64,
        site_id: &str,
        key: &str,
        network: Option<&str>,
        reason: &str,
        threshold: u32,
    ) -> Result<ReportOutcome> {
        let mut tx = self.write().await?;
        let participant = participant_id(&mut tx, site_id, key).await?;
        let inserted = sqlx::query(
            "INSERT INTO comment_reports (comment_id, participant_id, reason, created_at, network) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(comment_id)
        .bind(participant)
        .bind(reason)
        .bind(now_text())
        .bind(network)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        if !inserted {
            tx.commit().await?;
            return Ok(ReportOutcome::Duplicate);
        }
        // The threshold counts distinct networks (a report of unknown network counts as
        // its participant's own), this report included.
        let status: String = sqlx::query_scalar(
            "UPDATE comments SET report_count = report_count + 1, \
             status = CASE WHEN status = 'published' AND official = FALSE AND $1 <= \
                 (SELECT COUNT(DISTINCT COALESCE(r.network, 'p' || CAST(r.participant_id AS TEXT))) \
                  FROM comment_reports r WHERE r.comment_id = $2) \
             THEN 'hidden' ELSE status END \
             WHERE id = $2 RETURNING status",
        )
        .bind(i64::from(threshold))
        .bind(comment_id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(if status == CommentStatus::Hidden.as_str() {
            ReportOutcome::Hid
        } else {
            ReportOutcome::Recorded
        })
    }
}

/// Adds or withdraws a participant's useful mark, in the writer's transaction; returns (new
/// count, whether it changed).
/// Stores comments (and their audit entries), in the writer's transaction; returns their ids.
pub(super) async fn insert(
    tx: &mut Conn,
    site_id: &str,
    comments: &[NewComment],
    audit: Option<&Audit>,
) -> Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(comments.len());
    for comment in comments {
        let author = match &comment.author_key {
            Some(key) => Some(participant_id(tx, site_id, key).await?),
            None => None,
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO comments (thread_id, parent_id, depth, author_id, author_name, \
                 reply_to_name, text, html, status, official, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(&comment.thread_id)
        .bind(comment.parent_id)
        .bind(i64::from(comment.depth))
        .bind(author)
        .bind(&comment.author_name)
        .bind(&comment.reply_to_name)
        .bind(&comment.text)
        .bind(&comment.html)
        .bind(comment.status.as_str())
        .bind(comment.official)
        .bind(&comment.created_at)
        .fetch_one(&mut *tx)
        .await?;
        ids.push(id);
    }
    if let Some(audit) = audit {
        for id in &ids {
            let mut audit = audit.clone();
            audit.target = format!("comment:{id}");
            insert_audit(tx, &audit).await?;
        }
    }
    Ok(ids)
}

pub(super) async fn useful(
    conn: &mut Conn,
    comment_id: i64,
    site_id: &str,
    key: &str,
    useful: bool,
) -> Result<(u64, bool)> {
    let participant = participant_id(conn, site_id, key).await?;
    let query = if useful {
        "INSERT INTO comment_useful (comment_id, participant_id) VALUES ($1, $2) \
         ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM comment_useful WHERE comment_id = $1 AND participant_id = $2"
    };
    let changed = sqlx::query(query)
        .bind(comment_id)
        .bind(participant)
        .execute(&mut *conn)
        .await?
        .rows_affected()
        > 0;
    let count: i64 = sqlx::query_scalar(
        "UPDATE comments SET useful_count = useful_count + $1 WHERE id = $2 \
         RETURNING useful_count",
    )
    .bind(match (changed, useful) {
        (false, _) => 0_i64,
        (true, true) => 1,
        (true, false) => -1,
    })
    .bind(comment_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok((count.unsigned_abs(), changed))
}

/// Stores a new thread (on its own, or with the proposal it belongs to).
pub(super) async fn insert_thread(conn: &mut Conn, thread: &Thread) -> Result<()> {
    sqlx::query(
        "INSERT INTO threads (id, site_id, title, pre_moderation, max_depth, created_at, \
         participation) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&thread.id)
    .bind(&thread.site_id)
    .bind(&thread.title)
    .bind(thread.pre_moderation)
    .bind(i64::from(thread.max_depth))
    .bind(now_text())
    .bind(thread.participation.as_str())
    .execute(conn)
    .await
    .map_err(|e| conflict(e, "thread", &thread.id))?;
    Ok(())
}

/// The columns of a [`Waiting`] comment, and its report reasons.
type WaitingRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
);

impl Backend {
    /// The comments of `site_id`'s threads that meet `condition` (SQL on `c`, the comment;
    /// `$3` is `since` when given), oldest first, at most `limit`, with their thread's
    /// title, the text they answer and the reasons of their reports.
    async fn waiting(
        &self,
        condition: &str,
        site_id: &str,
        since: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Waiting>> {
        let query = format!(
            "SELECT c.id, c.thread_id, t.title, c.author_name, c.text, c.status, c.created_at, \
             c.report_count, p.text FROM comments c JOIN threads t ON t.id = c.thread_id \
             LEFT JOIN comments p ON p.id = c.parent_id \
             WHERE t.site_id = $1 AND ({condition}) ORDER BY c.id LIMIT $2"
        );
        let mut select = sqlx::query_as::<_, WaitingRow>(&query)
            .bind(site_id)
            .bind(i64::from(limit));
        if let Some(since) = since {
            select = select.bind(since);
        }
        let rows = select.fetch_all(&self.pool).await?;
        let ids: Vec<i64> = rows.iter().map(|row| row.0).collect();
        let reasons: Vec<(i64, String)> = if ids.is_empty() {
            Vec::new()
        } else {
            sqlx::query_as(&format!(
                "SELECT comment_id, reason FROM comment_reports \
                 WHERE comment_id IN ({}) AND reason <> '' ORDER BY created_at",
                dialect::id_list("$1")
            ))
            .bind(id_list(&ids))
            .fetch_all(&self.pool)
            .await?
        };
        rows.into_iter()
            .map(
                |(
                    id,
                    thread_id,
                    thread_title,
                    author_name,
                    text,
                    status,
                    created_at,
                    reports,
                    parent,
                )| {
                    Ok(Waiting {
                        id,
                        thread_id,
                        thread_title,
                        author_name,
                        text,
                        status: status.parse().map_err(|_| {
                            StoreError::Corrupt(format!("comment status {status:?}"))
                        })?,
                        created_at,
                        report_count: reports.unsigned_abs(),
                        reasons: reasons
                            .iter()
                            .filter(|(of, _)| *of == id)
                            .map(|(_, reason)| reason.clone())
                            .collect(),
                        parent_text: parent,
                    })
                },
            )
            .collect()
    }
}
