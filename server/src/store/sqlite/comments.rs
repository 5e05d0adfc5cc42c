//! SQLite storage of threads, comments, useful votes, reports and the audit log.

use civique_api::comments::limits;
use civique_api::{AuditEntry, BlockedWordsAction, CommentSort, SiteInput, SiteSettings};
use sqlx::{Sqlite, SqliteConnection};

use super::{conflict, now, participant_id, Result, SqliteStore};
use crate::comment::{Comment, Cursor, Thread};

/// A comment to store (validated and rendered).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComment {
    pub thread_id: String,
    pub parent_id: Option<i64>,
    pub depth: i64,
    /// The author's participant key; `None` for staff.
    pub author_key: Option<String>,
    pub author_name: String,
    pub reply_to_name: Option<String>,
    pub text: String,
    pub html: String,
    pub status: &'static str,
    pub official: bool,
}

/// What a report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportOutcome {
    Recorded,
    /// This report reached the site's threshold: the comment is now hidden.
    Hid,
    /// This participant had already reported the comment.
    Duplicate,
}

const THREAD_COLUMNS: &str =
    "SELECT id, site_id, title, pre_moderation, max_depth, locked FROM threads";

/// `?2` is always the reader's participant id (NULL for anonymous readers).
const COMMENT_COLUMNS: &str = "c.id, c.thread_id, c.parent_id, c.depth, c.author_name, \
     c.reply_to_name, c.text, c.html, c.status, c.removal_reason, c.official, c.pinned, \
     c.useful_count, c.created_at, c.edited_at, coalesce(c.author_id = ?2, 0) AS mine, \
     EXISTS (SELECT 1 FROM comment_useful u WHERE u.comment_id = c.id AND u.participant_id = ?2) \
     AS my_useful";

/// Published comments, the reader's own pending ones, and placeholders for removed comments
/// that still have published replies.
const VISIBLE: &str = "(c.status = 'published' \
     OR (c.status = 'pending' AND c.author_id = ?2) \
     OR (c.status IN ('hidden', 'deleted') AND EXISTS \
         (SELECT 1 FROM comments r WHERE r.parent_id = c.id AND r.status = 'published')))";

/// Writes a site's comment settings (the site row exists).
pub(super) async fn save_settings(conn: &mut SqliteConnection, site: &SiteInput) -> Result<()> {
    let settings = &site.settings;
    sqlx::query(
        "UPDATE sites SET auto_threads = ?, report_threshold = ?, blocked_words = ?, \
         blocked_words_action = ? WHERE id = ?",
    )
    .bind(settings.auto_threads)
    .bind(i64::from(settings.report_threshold))
    .bind(settings.blocked_words.join("\n"))
    .bind(match settings.blocked_words_action {
        BlockedWordsAction::Reject => "reject",
        BlockedWordsAction::Review => "review",
    })
    .bind(&site.id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Stores a new thread (on its own, or with the proposal it belongs to).
pub(super) async fn insert_thread(conn: &mut SqliteConnection, thread: &Thread) -> Result<()> {
    sqlx::query(
        "INSERT INTO threads (id, site_id, title, pre_moderation, max_depth, created_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(&thread.id)
    .bind(&thread.site_id)
    .bind(&thread.title)
    .bind(thread.pre_moderation)
    .bind(thread.max_depth)
    .bind(now())
    .execute(conn)
    .await
    .map_err(|e| conflict(e, "thread", &thread.id))?;
    Ok(())
}

impl SqliteStore {
    pub async fn site_settings(&self, site_id: &str) -> Result<Option<SiteSettings>> {
        let row: Option<(bool, i64, String, String)> = sqlx::query_as(
            "SELECT auto_threads, report_threshold, blocked_words, blocked_words_action \
             FROM sites WHERE id = ?",
        )
        .bind(site_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(
            row.map(|(auto_threads, threshold, words, action)| SiteSettings {
                auto_threads,
                report_threshold: u32::try_from(threshold)
                    .unwrap_or(limits::DEFAULT_REPORT_THRESHOLD),
                blocked_words: words.lines().map(str::to_owned).collect(),
                blocked_words_action: if action == "review" {
                    BlockedWordsAction::Review
                } else {
                    BlockedWordsAction::Reject
                },
            }),
        )
    }

    /// The participant id of a key, if that participant ever wrote anything.
    pub async fn find_participant(&self, site_id: &str, key: &str) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM participants WHERE site_id = ? AND key = ?")
                .bind(site_id)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn create_thread(&self, thread: &Thread) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        insert_thread(&mut conn, thread).await
    }

    pub async fn thread(&self, id: &str) -> Result<Option<Thread>> {
        Ok(sqlx::query_as(&format!("{THREAD_COLUMNS} WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn list_threads(&self, site_id: Option<&str>) -> Result<Vec<Thread>> {
        Ok(sqlx::query_as(&format!(
            "{THREAD_COLUMNS} WHERE ?1 IS NULL OR site_id = ?1 ORDER BY site_id, id"
        ))
        .bind(site_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Sets the given flags; `false` if there is no such thread.
    pub async fn update_thread(
        &self,
        id: &str,
        locked: Option<bool>,
        pre_moderation: Option<bool>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE threads SET locked = coalesce(?, locked), \
             pre_moderation = coalesce(?, pre_moderation) WHERE id = ?",
        )
        .bind(locked)
        .bind(pre_moderation)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Published comments of a thread.
    pub async fn thread_count(&self, thread_id: &str) -> Result<u64> {
        self.count(
            "SELECT COUNT(*) FROM comments WHERE thread_id = ? AND status = 'published'",
            thread_id,
        )
        .await
    }

    /// Published direct replies of a comment.
    pub async fn reply_count(&self, comment_id: i64) -> Result<u64> {
        self.count(
            "SELECT COUNT(*) FROM comments WHERE parent_id = ? AND status = 'published'",
            comment_id,
        )
        .await
    }

    pub(super) async fn count<'q, T>(&self, query: &'q str, key: T) -> Result<u64>
    where
        T: 'q + sqlx::Encode<'q, Sqlite> + sqlx::Type<Sqlite> + Send,
    {
        let count: i64 = sqlx::query_scalar(query)
            .bind(key)
            .fetch_one(&self.pool)
            .await?;
        Ok(count.unsigned_abs())
    }

    /// Stores comments in one transaction (a post, or an import); returns their ids.
    pub async fn insert_comments(
        &self,
        site_id: &str,
        comments: &[NewComment],
    ) -> Result<Vec<i64>> {
        let at = now();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut ids = Vec::with_capacity(comments.len());
        for comment in comments {
            let author = match &comment.author_key {
                Some(key) => Some(participant_id(&mut tx, site_id, key).await?),
                None => None,
            };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO comments (thread_id, parent_id, depth, author_id, author_name, \
                 reply_to_name, text, html, status, official, created_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(&comment.thread_id)
            .bind(comment.parent_id)
            .bind(comment.depth)
            .bind(author)
            .bind(&comment.author_name)
            .bind(&comment.reply_to_name)
            .bind(&comment.text)
            .bind(&comment.html)
            .bind(comment.status)
            .bind(comment.official)
            .bind(&at)
            .fetch_one(&mut *tx)
            .await?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// One comment as `me` sees it, whatever its status.
    pub async fn comment(&self, id: i64, me: Option<i64>) -> Result<Option<Comment>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COMMENT_COLUMNS} FROM comments c WHERE c.id = ?1"
        ))
        .bind(id)
        .bind(me)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Top-level comments visible to `me`: after `cursor`, or (first page) the pinned ones
    /// followed by the first page. Fetches one more than a page to tell if another follows.
    pub async fn top_comments(
        &self,
        thread_id: &str,
        me: Option<i64>,
        sort: CommentSort,
        cursor: Option<Cursor>,
    ) -> Result<(Vec<Comment>, Vec<Comment>)> {
        let pinned = if cursor.is_none() {
            sqlx::query_as(&format!(
                "SELECT {COMMENT_COLUMNS} FROM comments c WHERE c.thread_id = ?1 \
                 AND c.parent_id IS NULL AND c.pinned = 1 AND {VISIBLE} ORDER BY c.id"
            ))
            .bind(thread_id)
            .bind(me)
            .fetch_all(&self.pool)
            .await?
        } else {
            Vec::new()
        };
        let (after, order) = match sort {
            CommentSort::Oldest => ("c.id > ?4", "c.id"),
            CommentSort::Newest => ("c.id < ?4", "c.id DESC"),
            CommentSort::Useful => (
                "(c.useful_count, c.id) < (?3, ?4)",
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
        // `?3 IS NOT NULL` keeps the parameter list the same for every sort order.
        let page = sqlx::query_as(&format!(
            "SELECT {COMMENT_COLUMNS} FROM comments c WHERE c.thread_id = ?1 \
             AND c.parent_id IS NULL AND c.pinned = 0 AND {after} AND ?3 IS NOT NULL \
             AND {VISIBLE} ORDER BY {order} LIMIT {}",
            limits::PAGE_SIZE + 1
        ))
        .bind(thread_id)
        .bind(me)
        .bind(start.useful)
        .bind(start.id)
        .fetch_all(&self.pool)
        .await?;
        Ok((pinned, page))
    }

    /// Direct replies of `parent_id` visible to `me`, oldest first, after reply `after`
    /// (one more than a page).
    pub async fn replies(
        &self,
        parent_id: i64,
        me: Option<i64>,
        after: i64,
    ) -> Result<Vec<Comment>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COMMENT_COLUMNS} FROM comments c WHERE c.parent_id = ?1 AND c.id > ?3 \
             AND {VISIBLE} ORDER BY c.id LIMIT {}",
            limits::PAGE_SIZE + 1
        ))
        .bind(parent_id)
        .bind(me)
        .bind(after)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The first replies (pinned, then oldest) of each of `parents`, each row carrying its
    /// parent's visible reply count in `siblings`.
    pub async fn inline_replies(&self, parents: &[i64], me: Option<i64>) -> Result<Vec<Comment>> {
        if parents.is_empty() {
            return Ok(Vec::new());
        }
        let ids = format!(
            "[{}]",
            parents
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        );
        Ok(sqlx::query_as(&format!(
            "SELECT * FROM (SELECT {COMMENT_COLUMNS}, \
             ROW_NUMBER() OVER (PARTITION BY c.parent_id ORDER BY c.pinned DESC, c.id) AS rn, \
             COUNT(*) OVER (PARTITION BY c.parent_id) AS siblings \
             FROM comments c WHERE c.parent_id IN (SELECT value FROM json_each(?1)) \
             AND {VISIBLE}) WHERE rn <= {} ORDER BY parent_id, rn",
            limits::INLINE_REPLIES
        ))
        .bind(ids)
        .bind(me)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Replaces a comment's text (an author's edit).
    pub async fn edit_comment(&self, id: i64, text: &str, html: &str, status: &str) -> Result<()> {
        sqlx::query(
            "UPDATE comments SET text = ?, html = ?, status = ?, edited_at = ? WHERE id = ?",
        )
        .bind(text)
        .bind(html)
        .bind(status)
        .bind(now())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Changes a comment's status (and pin), writing the audit row in the same transaction
    /// when `audit` names the staff action. Deleting erases the text for good.
    pub async fn set_comment_state(
        &self,
        id: i64,
        status: &str,
        pinned: bool,
        reason: Option<&str>,
        audit: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(
            "UPDATE comments SET status = ?1, pinned = ?2, removal_reason = ?3, \
             text = CASE WHEN ?1 = 'deleted' THEN '' ELSE text END, \
             html = CASE WHEN ?1 = 'deleted' THEN '' ELSE html END WHERE id = ?4",
        )
        .bind(status)
        .bind(pinned)
        .bind(reason)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if let Some(action) = audit {
            insert_audit(&mut tx, action, &format!("comment:{id}"), reason).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Adds or withdraws a participant's useful vote; returns (new count, whether it changed).
    pub async fn set_useful(
        &self,
        comment_id: i64,
        site_id: &str,
        key: &str,
        useful: bool,
    ) -> Result<(u64, bool)> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let participant = participant_id(&mut tx, site_id, key).await?;
        let query = if useful {
            "INSERT OR IGNORE INTO comment_useful (comment_id, participant_id) VALUES (?, ?)"
        } else {
            "DELETE FROM comment_useful WHERE comment_id = ? AND participant_id = ?"
        };
        let changed = sqlx::query(query)
            .bind(comment_id)
            .bind(participant)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        let count: i64 = sqlx::query_scalar(
            "UPDATE comments SET useful_count = useful_count + ? WHERE id = ? \
             RETURNING useful_count",
        )
        .bind(match (changed, useful) {
            (false, _) => 0,
            (true, true) => 1,
            (true, false) => -1,
        })
        .bind(comment_id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((count.unsigned_abs(), changed))
    }

    /// Records a report; at `threshold` reports a published comment becomes hidden.
    pub async fn report(
        &self,
        comment_id: i64,
        site_id: &str,
        key: &str,
        reason: &str,
        threshold: u32,
    ) -> Result<ReportOutcome> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let participant = participant_id(&mut tx, site_id, key).await?;
        let inserted = sqlx::query(
            "INSERT OR IGNORE INTO comment_reports (comment_id, participant_id, reason, created_at) \
             VALUES (?, ?, ?, ?)",
        )
        .bind(comment_id)
        .bind(participant)
        .bind(reason)
        .bind(now())
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        if !inserted {
            return Ok(ReportOutcome::Duplicate);
        }
        let status: String = sqlx::query_scalar(
            "UPDATE comments SET report_count = report_count + 1, \
             status = CASE WHEN report_count + 1 >= ?1 AND status = 'published' \
                      THEN 'hidden' ELSE status END WHERE id = ?2 RETURNING status",
        )
        .bind(i64::from(threshold))
        .bind(comment_id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(if status == "hidden" {
            ReportOutcome::Hid
        } else {
            ReportOutcome::Recorded
        })
    }

    /// Staff actions, newest first.
    pub async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        let rows: Vec<(i64, String, String, String, Option<String>, String)> = sqlx::query_as(
            "SELECT id, actor, action, target, reason, at FROM audit_log ORDER BY id DESC LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, actor, action, target, reason, at)| AuditEntry {
                id,
                actor,
                action,
                target,
                reason,
                at,
            })
            .collect())
    }

    /// Records a staff action that is not a comment state change (thread settings).
    pub async fn audit(&self, action: &str, target: &str, reason: Option<&str>) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        insert_audit(&mut conn, action, target, reason).await
    }
}

/// Staff are a single "admin" actor until staff accounts exist.
pub(super) async fn insert_audit(
    conn: &mut SqliteConnection,
    action: &str,
    target: &str,
    reason: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (actor, action, target, reason, at) VALUES ('admin', ?, ?, ?, ?)",
    )
    .bind(action)
    .bind(target)
    .bind(reason)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(())
}
