//! "Mes données": the export and the erasure of one participant's contributions on a site.

use async_trait::async_trait;
use civique_api::personal::{MyBallot, MyComment, MyMark, MyProposal, MyReport, MySupport};
use civique_api::{limits, AuditAction, MyData};

use super::{insert_audit, participant_id, Backend, Conn, Db};
use crate::domain::audit::{Audit, Target};
use crate::domain::email::{Authored, Contact};
use crate::domain::personal::Erased;
use crate::domain::retention::{self, Retained};
use crate::domain::time::now_text;
use crate::store::rows::parse;
use crate::store::{Personal, Result};

#[async_trait]
impl Personal for Backend {
    async fn personal_data(&self, site_id: &str, key: &str) -> Result<MyData> {
        let mut conn = self.pool.acquire().await?;
        let mut data = MyData {
            site_id: site_id.to_owned(),
            ..MyData::default()
        };
        let Some((id, first_seen)) = participant(&mut conn, site_id, key).await? else {
            return Ok(data);
        };
        data.first_seen = Some(first_seen);
        data.ballots = ballots(&mut conn, id).await?;
        data.comments = comments(&mut conn, id).await?;
        let marks: Vec<(i64, String)> = rows_of(
            &mut conn,
            id,
            "SELECT u.comment_id, c.thread_id FROM comment_useful u \
             JOIN comments c ON c.id = u.comment_id WHERE u.participant_id = $1 \
             ORDER BY u.comment_id",
        )
        .await?;
        data.useful_marks = marks
            .into_iter()
            .map(|(comment_id, thread_id)| MyMark {
                comment_id,
                thread_id,
            })
            .collect();
        let reports: Vec<(i64, String, String, String)> = rows_of(
            &mut conn,
            id,
            "SELECT r.comment_id, c.thread_id, r.reason, r.created_at FROM comment_reports r \
             JOIN comments c ON c.id = r.comment_id WHERE r.participant_id = $1 \
             ORDER BY r.created_at, r.comment_id",
        )
        .await?;
        data.reports = reports
            .into_iter()
            .map(|(comment_id, thread_id, reason, created_at)| MyReport {
                comment_id,
                thread_id,
                reason,
                created_at,
            })
            .collect();
        data.proposals = proposals(&mut conn, id).await?;
        let supports: Vec<(i64, String, String, String)> = rows_of(
            &mut conn,
            id,
            "SELECT s.proposal_id, p.box_id, p.title, s.created_at FROM proposal_supports s \
             JOIN proposals p ON p.id = s.proposal_id WHERE s.participant_id = $1 \
             ORDER BY s.created_at, s.proposal_id",
        )
        .await?;
        data.supports = supports
            .into_iter()
            .map(|(proposal_id, box_id, title, created_at)| MySupport {
                proposal_id,
                box_id,
                title,
                created_at,
            })
            .collect();
        data.contact = sqlx::query_scalar("SELECT address FROM contacts WHERE participant_id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        Ok(data)
    }

    async fn erase_personal(&self, site_id: &str, key: &str, erased_key: &str) -> Result<Erased> {
        let mut tx = self.write().await?;
        let Some((id, _)) = participant(&mut tx, site_id, key).await? else {
            return Ok(Erased::default());
        };
        let mut erased = Erased::default();
        let count =
            |table: &'static str| format!("SELECT COUNT(*) FROM {table} WHERE participant_id = $1");
        for (table, counter) in [
            ("ballots", &mut erased.counts.ballots),
            ("comment_useful", &mut erased.counts.useful_marks),
            ("proposal_supports", &mut erased.counts.supports),
        ] {
            let n: i64 = sqlx::query_scalar(&count(table))
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            *counter = n.unsigned_abs();
        }
        erased.counts.reports =
            sqlx::query("UPDATE comment_reports SET reason = '' WHERE participant_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();

        let comments: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT id, thread_id, status FROM comments WHERE author_id = $1")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
        erased.counts.comments = comments.len() as u64;
        erased.comments = comments
            .into_iter()
            .filter(|(_, _, status)| status == "published")
            .map(|(id, thread, _)| (thread, id))
            .collect();
        // Replies placed beside a comment name its author: they stop naming them.
        sqlx::query(
            "UPDATE comments SET reply_to_name = NULL WHERE (thread_id, reply_to_name) IN \
             (SELECT thread_id, author_name FROM comments WHERE author_id = $1)",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE comments SET status = 'deleted', text = '', html = '', author_name = '', \
             author_id = NULL WHERE author_id = $1",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;

        let proposals: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT id, box_id, visibility FROM proposals WHERE author_id = $1")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
        erased.counts.proposals = proposals.len() as u64;
        erased.proposals = proposals
            .into_iter()
            .filter(|(_, _, visibility)| visibility == "published")
            .map(|(id, b, _)| (b, id))
            .collect();
        // A proposal's comment thread bears its title.
        sqlx::query(
            "UPDATE threads SET title = '' WHERE id IN \
             (SELECT thread_id FROM proposals WHERE author_id = $1)",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE proposals SET title = '', text = '', html = '', place = NULL, \
             author_name = '', author_id = NULL, visibility = 'hidden' WHERE author_id = $1",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;

        sqlx::query("DELETE FROM contacts WHERE participant_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE participants SET key = $1 WHERE id = $2")
            .bind(erased_key)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(erased)
    }

    async fn keep_contact(
        &self,
        site_id: &str,
        key: &str,
        address: &str,
        lang: &str,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let id = participant_id(&mut tx, site_id, key).await?;
        sqlx::query(
            "INSERT INTO contacts (participant_id, address, lang, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (participant_id) DO UPDATE \
             SET address = excluded.address, lang = excluded.lang, created_at = excluded.created_at",
        )
        .bind(id)
        .bind(address)
        .bind(lang)
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn author_contact(&self, what: Authored) -> Result<Option<Contact>> {
        let (sql, id) = match what {
            Authored::Proposal(id) => (
                "SELECT k.address, k.lang, s.name, p.title FROM proposals p \
                 JOIN contacts k ON k.participant_id = p.author_id \
                 JOIN participants a ON a.id = p.author_id JOIN sites s ON s.id = a.site_id \
                 WHERE p.id = $1",
                id,
            ),
            Authored::Comment(id) => (
                "SELECT k.address, k.lang, s.name, t.title FROM comments c \
                 JOIN contacts k ON k.participant_id = c.author_id \
                 JOIN threads t ON t.id = c.thread_id JOIN sites s ON s.id = t.site_id \
                 WHERE c.id = $1",
                id,
            ),
        };
        let row: Option<(String, String, String, String)> = sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|(address, lang, site_name, title)| Contact {
            address,
            lang,
            site_name,
            title,
        }))
    }

    async fn retention_periods(&self) -> Result<Vec<(String, u32)>> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT id, retention_months FROM sites ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(id, months)| {
                let months = u32::try_from(months).unwrap_or(limits::DEFAULT_RETENTION_MONTHS);
                (id, months)
            })
            .collect())
    }

    async fn erase_closed(&self, site_id: &str, cutoff: &str, months: u32) -> Result<Retained> {
        let mut tx = self.write().await?;
        let mut retained = Retained::default();
        let polls: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM polls WHERE site_id = $1 AND closes_at <= $2 \
             AND EXISTS (SELECT 1 FROM ballots b WHERE b.poll_id = polls.id)",
        )
        .bind(site_id)
        .bind(cutoff)
        .fetch_all(&mut *tx)
        .await?;
        for poll in &polls {
            retained.ballots += erase_ballots(&mut tx, poll).await?;
        }

        let boxes: Vec<String> =
            sqlx::query_scalar("SELECT id FROM boxes WHERE site_id = $1 AND closes_at <= $2")
                .bind(site_id)
                .bind(cutoff)
                .fetch_all(&mut *tx)
                .await?;
        let mut threads: Vec<String> =
            sqlx::query_scalar("SELECT id FROM threads WHERE site_id = $1 AND locked_at <= $2")
                .bind(site_id)
                .bind(cutoff)
                .fetch_all(&mut *tx)
                .await?;
        for b in &boxes {
            retained.supports += affected(
                &mut tx,
                "DELETE FROM proposal_supports WHERE proposal_id IN \
                 (SELECT id FROM proposals WHERE box_id = $1)",
                b,
            )
            .await?;
            retained.proposals += affected(
                &mut tx,
                "UPDATE proposals SET author_name = '', author_id = NULL \
                 WHERE box_id = $1 AND (author_id IS NOT NULL OR author_name <> '')",
                b,
            )
            .await?;
            let discussed: Vec<String> = sqlx::query_scalar(
                "SELECT thread_id FROM proposals WHERE box_id = $1 AND thread_id IS NOT NULL",
            )
            .bind(b)
            .fetch_all(&mut *tx)
            .await?;
            threads.extend(discussed);
        }
        threads.sort();
        threads.dedup();
        for thread in &threads {
            erase_thread(&mut tx, thread, &mut retained).await?;
        }

        if retained.any() {
            // Participants left with nothing on the site (what was erased included).
            retained.participants = sqlx::query(
                "DELETE FROM participants WHERE site_id = $1 AND created_at <= $2 \
                 AND id NOT IN (SELECT participant_id FROM ballots) \
                 AND id NOT IN (SELECT author_id FROM comments WHERE author_id IS NOT NULL) \
                 AND id NOT IN (SELECT participant_id FROM comment_useful) \
                 AND id NOT IN (SELECT participant_id FROM comment_reports) \
                 AND id NOT IN (SELECT author_id FROM proposals WHERE author_id IS NOT NULL) \
                 AND id NOT IN (SELECT participant_id FROM proposal_supports)",
            )
            .bind(site_id)
            .bind(cutoff)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let audit = Audit {
                actor: retention::ACTOR.to_owned(),
                action: AuditAction::Retention,
                target: Target::Site(site_id.to_owned()).to_string(),
                site_id: site_id.to_owned(),
                reason: Some(retained.reason(months)),
            };
            insert_audit(&mut tx, &audit).await?;
        }
        tx.commit().await?;
        Ok(retained)
    }
}

/// Erases the ballots of closed poll `poll`, keeping its tallies (which the ballots'
/// triggers would lower); returns how many there were.
async fn erase_ballots(conn: &mut Conn, poll: &str) -> Result<u64> {
    let voters: i64 = sqlx::query_scalar("SELECT voters FROM polls WHERE id = $1")
        .bind(poll)
        .fetch_one(&mut *conn)
        .await?;
    let options: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, votes FROM poll_options WHERE poll_id = $1")
            .bind(poll)
            .fetch_all(&mut *conn)
            .await?;
    affected(conn, "DELETE FROM ballot_choices WHERE poll_id = $1", poll).await?;
    let ballots = affected(conn, "DELETE FROM ballots WHERE poll_id = $1", poll).await?;
    sqlx::query("UPDATE polls SET voters = $1 WHERE id = $2")
        .bind(voters)
        .bind(poll)
        .execute(&mut *conn)
        .await?;
    for (option, votes) in options {
        sqlx::query("UPDATE poll_options SET votes = $1 WHERE id = $2")
            .bind(votes)
            .bind(option)
            .execute(&mut *conn)
            .await?;
    }
    Ok(ballots)
}

/// Unties the residents' comments of `thread` from their authors and names, and erases
/// their "useful" marks and reports (the counts stay); official replies keep their author.
async fn erase_thread(conn: &mut Conn, thread: &str, retained: &mut Retained) -> Result<()> {
    for (table, erased) in [
        ("comment_useful", &mut retained.useful_marks),
        ("comment_reports", &mut retained.reports),
    ] {
        *erased += sqlx::query(&format!(
            "DELETE FROM {table} WHERE comment_id IN \
             (SELECT id FROM comments WHERE thread_id = $1)"
        ))
        .bind(thread)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    affected(
        conn,
        "UPDATE comments SET reply_to_name = NULL \
         WHERE thread_id = $1 AND reply_to_name IS NOT NULL",
        thread,
    )
    .await?;
    retained.comments += affected(
        conn,
        "UPDATE comments SET author_name = '', author_id = NULL WHERE thread_id = $1 \
         AND NOT official AND (author_id IS NOT NULL OR author_name <> '')",
        thread,
    )
    .await?;
    Ok(())
}

/// Runs `sql` with `id` as `$1`; the rows it changed.
async fn affected(conn: &mut Conn, sql: &'static str, id: &str) -> Result<u64> {
    Ok(sqlx::query(sql)
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected())
}

/// The id and first-seen time of participant `key` on `site_id`.
async fn participant(conn: &mut Conn, site_id: &str, key: &str) -> Result<Option<(i64, String)>> {
    Ok(
        sqlx::query_as("SELECT id, created_at FROM participants WHERE site_id = $1 AND key = $2")
            .bind(site_id)
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// The rows `sql` selects for participant `id` (its `$1`).
async fn rows_of<R>(conn: &mut Conn, id: i64, sql: &'static str) -> Result<Vec<R>>
where
    R: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
{
    Ok(sqlx::query_as(sql).bind(id).fetch_all(&mut *conn).await?)
}

async fn ballots(conn: &mut Conn, id: i64) -> Result<Vec<MyBallot>> {
    let rows: Vec<(String, String, String, String)> = rows_of(
        conn,
        id,
        "SELECT b.poll_id, p.question, b.cast_at, o.label FROM ballots b \
         JOIN polls p ON p.id = b.poll_id \
         JOIN ballot_choices c ON c.poll_id = b.poll_id AND c.participant_id = b.participant_id \
         JOIN poll_options o ON o.id = c.option_id \
         WHERE b.participant_id = $1 ORDER BY b.cast_at, b.poll_id, o.position",
    )
    .await?;
    let mut ballots: Vec<MyBallot> = Vec::new();
    for (poll_id, question, cast_at, label) in rows {
        match ballots.last_mut() {
            Some(last) if last.poll_id == poll_id => last.choices.push(label),
            _ => ballots.push(MyBallot {
                poll_id,
                question,
                choices: vec![label],
                cast_at,
            }),
        }
    }
    Ok(ballots)
}

type CommentRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
);

async fn comments(conn: &mut Conn, id: i64) -> Result<Vec<MyComment>> {
    let rows: Vec<CommentRow> = rows_of(
        conn,
        id,
        "SELECT c.id, c.thread_id, t.title, c.author_name, c.text, c.status, c.created_at, \
         c.edited_at FROM comments c JOIN threads t ON t.id = c.thread_id \
         WHERE c.author_id = $1 ORDER BY c.id",
    )
    .await?;
    rows.into_iter()
        .map(
            |(id, thread_id, thread_title, author_name, text, status, created_at, edited_at)| {
                Ok(MyComment {
                    id,
                    thread_id,
                    thread_title,
                    author_name,
                    text,
                    status: parse(&status)?,
                    created_at,
                    edited_at,
                })
            },
        )
        .collect()
}

type ProposalRow = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    String,
);

async fn proposals(conn: &mut Conn, id: i64) -> Result<Vec<MyProposal>> {
    let rows: Vec<ProposalRow> = rows_of(
        conn,
        id,
        "SELECT id, box_id, title, text, category, place, author_name, status, visibility, \
         created_at FROM proposals WHERE author_id = $1 ORDER BY id",
    )
    .await?;
    rows.into_iter()
        .map(
            |(id, box_id, title, text, category, place, author_name, status, vis, created_at)| {
                Ok(MyProposal {
                    id,
                    box_id,
                    title,
                    text,
                    category,
                    place,
                    author_name,
                    status: parse(&status)?,
                    visibility: parse(&vis)?,
                    created_at,
                })
            },
        )
        .collect()
}
