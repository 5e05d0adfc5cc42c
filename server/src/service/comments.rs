//! Comment threads: reading pages, posting, editing, deleting, useful marks, reports and
//! watching as residents; threads, official replies and moderation as staff.

use std::sync::Arc;

use civique_api::comments::events::{self, CommentEvent, UsefulChanged};
use civique_api::comments::limits;
use civique_api::{
    AuditAction, AuditEntry, CommentEdit, CommentInput, CommentPage, CommentSort, CommentStatus,
    CommentView, ModerationAction, ModerationInput, ReportInput, ThreadClaim, ThreadInput,
    ThreadPatch, ThreadView, UsefulView,
};
use time::OffsetDateTime;
use tokio::sync::broadcast;

use super::{found, Caller, Reader, Result, Service};
use crate::domain::audit::{Actor, Audit, Target};
use crate::domain::comment::{
    check_text, keyed_thread_id, nest, new_thread, Comment, Cursor, NewComment, ReportOutcome,
    Thread,
};
use crate::domain::email::Authored;
use crate::domain::moderation::{check_reason, held_for_review};
use crate::domain::text::check_name;
use crate::domain::time::{now_text, parse_time};
use crate::domain::Error as Refusal;
use crate::live::Signal;
use crate::metrics::Action;
use crate::store::StoreError;

fn topic(thread_id: &str) -> String {
    format!("thread:{thread_id}")
}

/// Trims the extra row fetched to detect a following page; returns that page's cursor.
fn next_page(page: &mut Vec<Comment>, cursor: impl Fn(&Comment) -> String) -> Option<String> {
    if page.len() <= limits::PAGE_SIZE {
        return None;
    }
    page.truncate(limits::PAGE_SIZE);
    page.last().map(cursor)
}

impl Service {
    /// Loads the thread's definition (kept in memory for a moment, see [`super::catalog`]),
    /// refusing origins its site does not list.
    async fn thread_for(&self, caller: &Caller, id: &str) -> Result<Arc<Thread>> {
        let thread = found(
            self.catalog.thread(self.store.as_ref(), id).await?,
            "thread",
        )?;
        self.check_origin(caller, &thread.site_id).await?;
        Ok(thread)
    }

    /// Loads the thread as the database has it now, refusing origins its site does not list.
    async fn current_thread(&self, caller: &Caller, id: &str) -> Result<Thread> {
        let thread = found(self.store.thread(id).await?, "thread")?;
        self.check_origin(caller, &thread.site_id).await?;
        Ok(thread)
    }

    /// The caller's participant key where it may take part in `thread` (its participation
    /// level: device, site account, verified address).
    async fn thread_participant(&self, caller: &Caller, thread: &Thread) -> Result<String> {
        self.participant_at(caller, &thread.site_id, thread.participation, "thread")
            .await
    }

    /// A comment as the caller sees it, with its thread.
    async fn comment_for(
        &self,
        caller: &Caller,
        id: i64,
    ) -> Result<(Arc<Thread>, Comment, Reader)> {
        let thread_id = found(self.store.comment(id, None).await?, "comment")?.thread_id;
        let thread = self.thread_for(caller, &thread_id).await?;
        let reader = self.reader(caller, &thread.site_id).await?;
        let comment = found(self.store.comment(id, reader.id).await?, "comment")?;
        Ok((thread, comment, reader))
    }

    /// A published comment, for marks and reports from a participant (a newcomer to the
    /// site is counted against their network, see [`Service::newcomer`]).
    async fn published_comment(
        &self,
        caller: &Caller,
        id: i64,
    ) -> Result<(Arc<Thread>, Comment, String)> {
        let (thread, comment, reader) = self.comment_for(caller, id).await?;
        let key = self.thread_participant(caller, &thread).await?;
        if comment.status != CommentStatus::Published {
            return Err(Refusal::NotFound("comment").into());
        }
        if reader.id.is_none() {
            self.newcomer(caller, &thread.site_id).await?;
        }
        Ok((thread, comment, key))
    }

    /// The caller's own comment, still within the edit window.
    async fn own_comment(
        &self,
        caller: &Caller,
        id: i64,
    ) -> Result<(Arc<Thread>, Comment, Reader)> {
        let (thread, comment, reader) = self.comment_for(caller, id).await?;
        if reader.key.is_none() {
            return Err(Refusal::MissingParticipant.into());
        }
        if !matches!(
            comment.status,
            CommentStatus::Published | CommentStatus::Pending
        ) {
            return Err(Refusal::NotFound("comment").into());
        }
        if !comment.mine {
            return Err(Refusal::NotAuthor.into());
        }
        let created = parse_time(&comment.created_at).map_err(StoreError::Corrupt)?;
        if OffsetDateTime::now_utc() - created > self.settings.edit_window {
            return Err(Refusal::EditWindowOver.into());
        }
        Ok((thread, comment, reader))
    }

    /// Tells the thread's viewers about comment `id`, with the comment as a reader without a
    /// token sees it; one that waits for review is not shown, only named.
    pub(super) async fn comment_signal(&self, thread_id: &str, event: &str, id: i64) -> Result<()> {
        let comment = self.store.comment(id, None).await?;
        self.tell_viewers(thread_id, event, id, comment.as_ref());
        Ok(())
    }

    /// Tells the thread's viewers of comment `id`, as `comment` (read without a reader)
    /// shows it to them: a held one is announced without its words.
    fn tell_viewers(&self, thread_id: &str, event: &str, id: i64, comment: Option<&Comment>) {
        let comment = comment
            .filter(|c| c.status != CommentStatus::Pending)
            .map(|c| c.view(Vec::new(), 0));
        self.signal(
            &topic(thread_id),
            event,
            &CommentEvent { id, comment },
            None,
        );
    }

    async fn thread_view(&self, thread: &Thread) -> Result<ThreadView> {
        Ok(thread.view(self.store.thread_count(&thread.id).await?))
    }

    /// Views of `roots` with their inline replies, level by level (one query per level).
    async fn tree(&self, roots: &[Comment], me: Option<i64>) -> Result<Vec<CommentView>> {
        let mut levels = Vec::new();
        let mut parents: Vec<i64> = roots.iter().map(|c| c.id).collect();
        while !parents.is_empty() {
            let level = self.store.inline_replies(&parents, me).await?;
            parents = level.iter().map(|reply| reply.comment.id).collect();
            levels.push(level);
        }
        Ok(nest(roots, levels))
    }

    /// One comment with its inline replies.
    async fn single(&self, id: i64, me: Option<i64>) -> Result<CommentView> {
        let comment = found(self.store.comment(id, me).await?, "comment")?;
        let mut views = self.tree(&[comment], me).await?;
        found(views.pop(), "comment")
    }

    pub async fn thread(&self, caller: &Caller, id: &str) -> Result<ThreadView> {
        let thread = self.thread_for(caller, id).await?;
        self.thread_view(&thread).await
    }

    /// The site's thread for page `key`, created first when the site allows auto threads;
    /// `true` when it was created.
    pub async fn claim_thread(
        &self,
        caller: &Caller,
        site: &str,
        key: &str,
        claim: ThreadClaim,
    ) -> Result<(bool, ThreadView)> {
        let settings = found(self.store.site_settings(site).await?, "site")?;
        self.check_origin(caller, site).await?;
        self.participant(caller, site).await?;
        let id = keyed_thread_id(site, key).map_err(Refusal::InvalidInput)?;
        if let Some(thread) = self.store.thread(&id).await? {
            if thread.site_id != site {
                return Err(Refusal::NotFound("thread").into());
            }
            return Ok((false, self.thread_view(&thread).await?));
        }
        if !settings.auto_threads {
            return Err(Refusal::NotFound("thread").into());
        }
        let thread = new_thread(ThreadInput {
            title: claim.title.unwrap_or_else(|| key.to_owned()),
            id,
            site_id: site.to_owned(),
            pre_moderation: false,
            max_depth: None,
            participation: Default::default(),
        })
        .map_err(Refusal::InvalidInput)?;
        self.store.create_thread(&thread, None).await?;
        Ok((true, thread.view(0)))
    }

    /// A page of top-level comments (pinned first on the first page) with inline replies.
    pub async fn comment_page(
        &self,
        caller: &Caller,
        thread_id: &str,
        sort: CommentSort,
        cursor: Option<&str>,
    ) -> Result<CommentPage> {
        // Its comments' version tells whether a page kept in memory is still the page.
        let thread = self.current_thread(caller, thread_id).await?;
        let me = self.reader(caller, &thread.site_id).await?.id;
        // What anyone without a token of this site sees first is the same for all of them.
        let shared = me.is_none() && cursor.is_none();
        if shared {
            if let Some(page) = self.catalog.first_page(&thread, sort) {
                return Ok((*page).clone());
            }
        }
        let cursor = cursor.map(|text| Cursor::parse(sort, text)).transpose()?;
        let (mut roots, mut page) = self
            .store
            .top_comments(&thread.id, me, sort, cursor)
            .await?;
        let next_cursor = next_page(&mut page, |last| Cursor::after(sort, last));
        roots.append(&mut page);
        let page = CommentPage {
            count: self.store.thread_count(&thread.id).await?,
            comments: self.tree(&roots, me).await?,
            next_cursor,
        };
        if shared {
            self.catalog.keep_first_page(&thread, sort, &page);
        }
        Ok(page)
    }

    /// The replies of a comment after those shown inline.
    pub async fn replies_page(
        &self,
        caller: &Caller,
        comment_id: i64,
        cursor: Option<&str>,
    ) -> Result<CommentPage> {
        let (_, comment, reader) = self.comment_for(caller, comment_id).await?;
        let after = match cursor {
            Some(text) => text
                .parse()
                .map_err(|_| Refusal::BadRequest(format!("invalid cursor {text:?}")))?,
            None => 0,
        };
        let mut page = self.store.replies(comment.id, reader.id, after).await?;
        let next_cursor = next_page(&mut page, |last| last.id.to_string());
        Ok(CommentPage {
            count: self.store.reply_count(comment.id).await?,
            comments: self.tree(&page, reader.id).await?,
            next_cursor,
        })
    }

    /// A resident's comment: moderated, screened, rate limited.
    pub async fn post_comment(
        &self,
        caller: &Caller,
        thread_id: &str,
        input: CommentInput,
    ) -> Result<CommentView> {
        let thread = self.thread_for(caller, thread_id).await?;
        let key = self.thread_participant(caller, &thread).await?;
        if input.official {
            return Err(Refusal::Unauthorized(
                "official comments are posted through the admin API",
            )
            .into());
        }
        self.admit(caller, &thread.site_id, &key).await?;
        self.store_comment(&thread, input, Some(key), caller.network.as_deref(), None)
            .await
    }

    /// Staff comments: published at once, never rate limited, `official` honoured; audited.
    pub async fn post_official(
        &self,
        actor: &Actor,
        thread_id: &str,
        input: CommentInput,
    ) -> Result<CommentView> {
        let thread = found(self.store.thread(thread_id).await?, "thread")?;
        actor.may_act_on(&thread.site_id)?;
        let audit = Audit::new(
            actor,
            AuditAction::Reply,
            Target::Thread(thread.id.clone()),
            &thread.site_id,
        );
        let answered = input.parent_id.map(|parent| (parent, input.text.clone()));
        let reply = self
            .store_comment(&thread, input, None, None, Some(&audit))
            .await?;
        if let Some((parent, text)) = answered {
            self.notify_author(Authored::Comment(parent), text.trim())
                .await;
        }
        Ok(reply)
    }

    /// Validates, renders and stores a comment; `author_key` is `None` for staff, who skip
    /// moderation, blocked words, locks and rate limits. `network` is the resident's, for
    /// the per-network share of the site's limit.
    async fn store_comment(
        &self,
        thread: &Thread,
        input: CommentInput,
        author_key: Option<String>,
        network: Option<&str>,
        audit: Option<&Audit>,
    ) -> Result<CommentView> {
        let staff = author_key.is_none();
        if thread.locked && !staff {
            return Err(Refusal::ThreadLocked.into());
        }
        let author_name = check_name(&input.author_name, staff)?;
        let (text, html) = check_text(&input.text)?;
        let mut status = if thread.pre_moderation && !staff {
            CommentStatus::Pending
        } else {
            CommentStatus::Published
        };
        if !staff {
            status = self.screen(&thread.site_id, &text, status).await?;
        }
        let (parent_id, depth, reply_to_name) = match input.parent_id {
            None => (None, 0, None),
            Some(parent_id) => {
                let parent = self
                    .store
                    .comment(parent_id, None)
                    .await?
                    .filter(|p| p.thread_id == thread.id && p.status == CommentStatus::Published)
                    .ok_or(Refusal::InvalidParent)?;
                thread.place_reply(&parent)
            }
        };
        if let Some(key) = &author_key {
            self.allow(
                "comment",
                self.settings.comments,
                &thread.id,
                key,
                &thread.site_id,
                network,
            )
            .await?;
        }
        let new = NewComment {
            thread_id: thread.id.clone(),
            parent_id,
            depth,
            author_key: author_key.clone(),
            author_name,
            reply_to_name,
            text,
            html,
            status,
            official: staff && input.official,
            created_at: now_text(),
        };
        let ids = self
            .store
            .insert_comments(&thread.site_id, std::slice::from_ref(&new), audit)
            .await?;
        let id = found(ids.first().copied(), "comment")?;
        self.metrics.count(Action::Comment);
        // Nothing to read back: a new comment is what was written, without replies or marks.
        if status == CommentStatus::Published {
            let shown = new.stored(id, false);
            self.tell_viewers(&thread.id, events::COMMENT_CREATED, id, Some(&shown));
        }
        Ok(new.stored(id, author_key.is_some()).view(Vec::new(), 0))
    }

    /// Applies the site's blocked words to a resident's text: refused, or held for review.
    async fn screen(
        &self,
        site_id: &str,
        text: &str,
        status: CommentStatus,
    ) -> Result<CommentStatus> {
        let settings = self
            .catalog
            .site_settings(self.store.as_ref(), site_id)
            .await?
            .unwrap_or_default();
        Ok(if held_for_review(&settings, text)? {
            CommentStatus::Pending
        } else {
            status
        })
    }

    /// The author changes their comment, within the edit window.
    pub async fn edit_comment(
        &self,
        caller: &Caller,
        id: i64,
        edit: CommentEdit,
    ) -> Result<CommentView> {
        let (thread, comment, reader) = self.own_comment(caller, id).await?;
        if thread.locked {
            return Err(Refusal::ThreadLocked.into());
        }
        let (text, html) = check_text(&edit.text)?;
        let before = comment.status;
        let status = self.screen(&thread.site_id, &text, before).await?;
        self.store.edit_comment(id, &text, &html, status).await?;
        match (before, status) {
            (CommentStatus::Published, CommentStatus::Published) => {
                self.comment_signal(&thread.id, events::COMMENT_UPDATED, id)
                    .await?;
            }
            (CommentStatus::Published, _) => {
                self.comment_signal(&thread.id, events::COMMENT_REMOVED, id)
                    .await?;
            }
            _ => {}
        }
        self.single(id, reader.id).await
    }

    /// The author deletes their comment, within the edit window.
    pub async fn delete_comment(&self, caller: &Caller, id: i64) -> Result<()> {
        let (thread, comment, _) = self.own_comment(caller, id).await?;
        self.store
            .set_comment_state(id, CommentStatus::Deleted, comment.pinned, None, None)
            .await?;
        if comment.status == CommentStatus::Published {
            self.comment_signal(&thread.id, events::COMMENT_REMOVED, id)
                .await?;
        }
        Ok(())
    }

    /// Marks (or unmarks) a published comment as useful, once per participant.
    pub async fn set_useful(&self, caller: &Caller, id: i64, useful: bool) -> Result<UsefulView> {
        let (thread, _, key) = self.published_comment(caller, id).await?;
        let (count, changed) = self
            .store
            .set_useful(id, &thread.site_id, &key, useful)
            .await?;
        if changed {
            self.signal(
                &topic(&thread.id),
                events::USEFUL_CHANGED,
                &UsefulChanged { id, useful: count },
                Some(format!("useful:{id}")),
            );
        }
        Ok(UsefulView {
            id,
            useful: count,
            my_useful: useful,
        })
    }

    /// Reports a published comment; reports from the site's threshold of distinct networks
    /// hide it (official replies stay).
    pub async fn report_comment(&self, caller: &Caller, id: i64, input: ReportInput) -> Result<()> {
        let (thread, _, key) = self.published_comment(caller, id).await?;
        let reason = input.reason.trim();
        if reason.is_empty() || reason.chars().count() > limits::REPORT_REASON_MAX_LEN {
            return Err(Refusal::InvalidInput(format!(
                "reason must be 1..={} characters",
                limits::REPORT_REASON_MAX_LEN
            ))
            .into());
        }
        let settings = self
            .store
            .site_settings(&thread.site_id)
            .await?
            .unwrap_or_default();
        match self
            .store
            .report(
                id,
                &thread.site_id,
                &key,
                caller.network.as_deref(),
                reason,
                settings.report_threshold,
            )
            .await?
        {
            ReportOutcome::Duplicate => Err(Refusal::Conflict(
                "this participant already reported this comment".to_owned(),
            )
            .into()),
            ReportOutcome::Hid => {
                self.comment_signal(&thread.id, events::COMMENT_REMOVED, id)
                    .await?;
                Ok(())
            }
            ReportOutcome::Recorded => Ok(()),
        }
    }

    /// The thread's live events, for a caller its site allows.
    pub async fn watch_thread(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<Option<broadcast::Receiver<Signal>>> {
        let thread = self.thread_for(caller, id).await?;
        Ok(self.watch(&topic(&thread.id)))
    }

    /// Validates and stores a thread.
    pub async fn create_thread(&self, actor: &Actor, input: ThreadInput) -> Result<ThreadView> {
        let thread = new_thread(input).map_err(Refusal::InvalidInput)?;
        actor.may_act_on(&thread.site_id)?;
        self.known_site(&thread.site_id).await?;
        let audit = Audit::new(
            actor,
            AuditAction::Create,
            Target::Thread(thread.id.clone()),
            &thread.site_id,
        );
        self.store.create_thread(&thread, Some(&audit)).await?;
        Ok(thread.view(0))
    }

    /// Every thread `actor` may see (of `site` when given).
    pub async fn list_threads(&self, actor: &Actor, site: Option<&str>) -> Result<Vec<ThreadView>> {
        let mut views = Vec::new();
        for thread in self.store.list_threads(actor.listing(site)?).await? {
            views.push(self.thread_view(&thread).await?);
        }
        Ok(views)
    }

    /// Whether thread `id` exists (the seed import skips existing ones).
    pub async fn thread_exists(&self, id: &str) -> Result<bool> {
        Ok(self.store.thread(id).await?.is_some())
    }

    /// Locks or unlocks a thread, or switches its moderation mode; each change is audited.
    pub async fn update_thread(
        &self,
        actor: &Actor,
        id: &str,
        patch: ThreadPatch,
    ) -> Result<ThreadView> {
        let thread = found(self.store.thread(id).await?, "thread")?;
        actor.may_act_on(&thread.site_id)?;
        let changes = [
            patch.locked.map(|on| {
                if on {
                    AuditAction::Lock
                } else {
                    AuditAction::Unlock
                }
            }),
            patch.pre_moderation.map(|on| {
                if on {
                    AuditAction::PreModeration
                } else {
                    AuditAction::PostModeration
                }
            }),
        ];
        let audits: Vec<Audit> = changes
            .into_iter()
            .flatten()
            .map(|action| {
                Audit::new(
                    actor,
                    action,
                    Target::Thread(thread.id.clone()),
                    &thread.site_id,
                )
            })
            .collect();
        self.store
            .update_thread(id, patch.locked, patch.pre_moderation, &audits)
            .await?;
        self.catalog.forget_threads();
        let thread = found(self.store.thread(id).await?, "thread")?;
        self.thread_view(&thread).await
    }

    /// Staff moderation of a comment: approve, hide, restore, delete, pin, unpin.
    pub async fn moderate_comment(
        &self,
        actor: &Actor,
        id: i64,
        input: ModerationInput,
    ) -> Result<CommentView> {
        let comment = found(self.store.comment(id, None).await?, "comment")?;
        let thread = found(self.store.thread(&comment.thread_id).await?, "thread")?;
        actor.may_act_on(&thread.site_id)?;
        let reason = check_reason(input.reason.as_deref())?;
        let current = comment.status;
        let conflict = |what: &str| {
            Err(Refusal::Conflict(format!("cannot {what} a {current:?} comment")).into())
        };
        let (status, pinned, reason) = match input.action {
            ModerationAction::Approve | ModerationAction::Restore
                if current == CommentStatus::Deleted =>
            {
                return conflict("publish");
            }
            ModerationAction::Approve | ModerationAction::Restore => {
                (CommentStatus::Published, comment.pinned, None)
            }
            ModerationAction::Hide if current == CommentStatus::Deleted => return conflict("hide"),
            ModerationAction::Hide => (CommentStatus::Hidden, comment.pinned, reason),
            ModerationAction::Delete => (CommentStatus::Deleted, false, reason),
            ModerationAction::Pin | ModerationAction::Unpin => (
                current,
                input.action == ModerationAction::Pin,
                comment.removal_reason.clone(),
            ),
        };
        let audit = Audit::new(
            actor,
            input.action.into(),
            Target::Comment(id),
            &thread.site_id,
        )
        .because(reason.clone());
        self.store
            .set_comment_state(id, status, pinned, reason.as_deref(), Some(&audit))
            .await?;
        self.announce(&comment, status, pinned).await?;
        self.single(id, None).await
    }

    /// Publishes the change a moderation action makes visible to readers.
    async fn announce(&self, comment: &Comment, after: CommentStatus, pinned: bool) -> Result<()> {
        let event = match (comment.status, after) {
            (CommentStatus::Published, CommentStatus::Published) if pinned == comment.pinned => {
                return Ok(());
            }
            (CommentStatus::Published, CommentStatus::Published) => events::COMMENT_UPDATED,
            (CommentStatus::Published, _) => events::COMMENT_REMOVED,
            (_, CommentStatus::Published) => events::COMMENT_CREATED,
            _ => return Ok(()),
        };
        self.comment_signal(&comment.thread_id, event, comment.id)
            .await
    }

    /// Staff actions, newest first.
    pub async fn audit_log(&self, actor: &Actor, limit: u32) -> Result<Vec<AuditEntry>> {
        let limit = limit.clamp(1, 1000);
        Ok(match actor {
            Actor::ApiToken { site, .. } => self.store.site_audit(site, None, None, limit).await?,
            _ => self.store.audit_log(limit).await?,
        })
    }
}
