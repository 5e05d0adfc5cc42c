//! Comment threads: threads, comments as a reader sees them, replies nested by level, pages.

use std::collections::HashMap;

use civique_api::comments::limits;
use civique_api::{
    CommentSort, CommentStatus, CommentView, Participation, ThreadInput, ThreadView,
};

use super::markdown::check_markdown;
use super::site::participant_key;
use super::text::{check_id, required_text};
use super::Error;

/// A stored thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    pub id: String,
    pub site_id: String,
    pub title: String,
    pub pre_moderation: bool,
    pub max_depth: u32,
    pub locked: bool,
    pub participation: Participation,
    /// Changes whenever one of its comments does (the database keeps it): a page kept in
    /// memory is built again then.
    pub comments_version: i64,
}

impl Thread {
    pub fn view(&self, count: u64) -> ThreadView {
        ThreadView {
            id: self.id.clone(),
            site_id: self.site_id.clone(),
            title: self.title.clone(),
            pre_moderation: self.pre_moderation,
            max_depth: self.max_depth,
            locked: self.locked,
            participation: self.participation,
            count,
        }
    }

    /// Where a reply to `parent` goes: under it, or beside it (naming whom it answers) when
    /// `parent` is at the thread's deepest level. Returns (parent id, depth, answered name).
    pub fn place_reply(&self, parent: &Comment) -> (Option<i64>, u32, Option<String>) {
        if parent.depth < self.max_depth {
            (Some(parent.id), parent.depth + 1, None)
        } else {
            (
                parent.parent_id,
                parent.depth,
                Some(parent.author_name.clone()),
            )
        }
    }
}

/// Longest page key a widget may claim a thread for (`thread-key`, e.g. a page path).
pub const THREAD_KEY_MAX_LEN: usize = 300;

/// The id of the thread a site's widget claims with a page key: the key itself when it is
/// already a valid id (`budget-2027`), else a readable slug of it and a hash of site and key
/// (`/actualites/marche-de-noel` → `actualites-marche-de-noel-3f2a9c1b`).
pub fn keyed_thread_id(site_id: &str, key: &str) -> Result<String, String> {
    if key.is_empty() || key.chars().count() > THREAD_KEY_MAX_LEN {
        return Err(format!(
            "the thread key must be 1 to {THREAD_KEY_MAX_LEN} characters"
        ));
    }
    if civique_api::is_valid_id(key) {
        return Ok(key.to_owned());
    }
    let mut slug = String::new();
    for c in key.chars().flat_map(char::to_lowercase) {
        match c {
            'a'..='z' | '0'..='9' => slug.push(c),
            'à' | 'â' | 'ä' => slug.push('a'),
            'é' | 'è' | 'ê' | 'ë' => slug.push('e'),
            'î' | 'ï' => slug.push('i'),
            'ô' | 'ö' => slug.push('o'),
            'ù' | 'û' | 'ü' => slug.push('u'),
            'ç' => slug.push('c'),
            'œ' => slug.push_str("oe"),
            _ if !slug.is_empty() && !slug.ends_with('-') => slug.push('-'),
            _ => {}
        }
    }
    slug.truncate(40);
    let slug = slug.trim_end_matches('-');
    let hash = &participant_key(site_id, key)[..8];
    Ok(if slug.is_empty() {
        format!("page-{hash}")
    } else {
        format!("{slug}-{hash}")
    })
}

/// Validates admin (or auto-creation) input into a thread to store.
pub fn new_thread(input: ThreadInput) -> Result<Thread, String> {
    check_id("id", &input.id)?;
    check_id("site_id", &input.site_id)?;
    let max_depth = input.max_depth.unwrap_or(limits::DEFAULT_MAX_DEPTH);
    if !(1..=limits::MAX_DEPTH).contains(&max_depth) {
        return Err(format!(
            "max_depth must be between 1 and {}, got {max_depth}",
            limits::MAX_DEPTH
        ));
    }
    Ok(Thread {
        title: required_text("title", &input.title, limits::THREAD_TITLE_MAX_LEN)?,
        id: input.id,
        site_id: input.site_id,
        pre_moderation: input.pre_moderation,
        max_depth,
        locked: false,
        participation: input.participation,
        comments_version: 0,
    })
}

/// A stored comment as one participant sees it (`mine`, `my_useful` depend on the reader).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: i64,
    pub thread_id: String,
    pub parent_id: Option<i64>,
    pub depth: u32,
    pub author_name: String,
    pub reply_to_name: Option<String>,
    pub text: String,
    pub html: String,
    pub status: CommentStatus,
    pub removal_reason: Option<String>,
    pub official: bool,
    pub pinned: bool,
    pub useful: u64,
    pub created_at: String,
    pub edited_at: Option<String>,
    pub mine: bool,
    pub my_useful: bool,
}

impl Comment {
    /// Hidden and deleted comments keep their place but show neither author nor text.
    pub fn view(&self, replies: Vec<CommentView>, more_replies: u64) -> CommentView {
        let shown = matches!(
            self.status,
            CommentStatus::Published | CommentStatus::Pending
        );
        let when_shown = |value: &str| shown.then(|| value.to_owned());
        CommentView {
            id: self.id,
            thread_id: self.thread_id.clone(),
            parent_id: self.parent_id,
            depth: self.depth,
            author_name: when_shown(&self.author_name),
            reply_to_name: self.reply_to_name.as_deref().and_then(when_shown),
            text: when_shown(&self.text),
            html: when_shown(&self.html),
            status: self.status,
            removal_reason: if shown {
                None
            } else {
                self.removal_reason.clone()
            },
            official: self.official,
            pinned: self.pinned,
            mine: self.mine,
            useful: self.useful,
            my_useful: self.my_useful,
            created_at: self.created_at.clone(),
            edited_at: self.edited_at.clone(),
            replies,
            more_replies,
        }
    }
}

/// One of the first replies of a comment, with the number of visible replies its parent has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineReply {
    pub comment: Comment,
    pub siblings: u64,
}

/// Builds the views of `roots`, nesting `levels` of inline replies.
pub fn nest(roots: &[Comment], levels: Vec<Vec<InlineReply>>) -> Vec<CommentView> {
    let mut below: HashMap<i64, (Vec<CommentView>, u64)> = HashMap::new();
    for level in levels.into_iter().rev() {
        let mut built: HashMap<i64, (Vec<CommentView>, u64)> = HashMap::new();
        for InlineReply { comment, siblings } in level {
            let (replies, more) = below.remove(&comment.id).unwrap_or_default();
            let Some(parent) = comment.parent_id else {
                continue;
            };
            let entry = built.entry(parent).or_default();
            entry.0.push(comment.view(replies, more));
            entry.1 = siblings;
        }
        below = built
            .into_iter()
            .map(|(parent, (replies, total))| {
                let more = total.saturating_sub(replies.len() as u64);
                (parent, (replies, more))
            })
            .collect();
    }
    roots
        .iter()
        .map(|root| {
            let (replies, more) = below.remove(&root.id).unwrap_or_default();
            root.view(replies, more)
        })
        .collect()
}

/// Checks a comment's Markdown source and renders it; returns (source, sanitized html).
pub fn check_text(text: &str) -> Result<(String, String), Error> {
    let (text, html) = check_markdown(text, limits::TEXT_MAX_LEN)?;
    if html.trim().is_empty() {
        return Err(Error::EmptyText);
    }
    Ok((text, html))
}

/// A comment to store (validated and rendered).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComment {
    pub thread_id: String,
    pub parent_id: Option<i64>,
    pub depth: u32,
    /// The author's participant key; `None` for staff.
    pub author_key: Option<String>,
    pub author_name: String,
    pub reply_to_name: Option<String>,
    pub text: String,
    pub html: String,
    pub status: CommentStatus,
    pub official: bool,
    pub created_at: String,
}

impl NewComment {
    /// The comment as stored under `id`: no reply, mark or edit yet; `mine` for its author.
    pub fn stored(&self, id: i64, mine: bool) -> Comment {
        Comment {
            id,
            thread_id: self.thread_id.clone(),
            parent_id: self.parent_id,
            depth: self.depth,
            author_name: self.author_name.clone(),
            reply_to_name: self.reply_to_name.clone(),
            text: self.text.clone(),
            html: self.html.clone(),
            status: self.status,
            removal_reason: None,
            official: self.official,
            pinned: false,
            useful: 0,
            created_at: self.created_at.clone(),
            edited_at: None,
            mine,
            my_useful: false,
        }
    }
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

/// Where a page of top-level comments starts: after the last one of the previous page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub useful: i64,
    pub id: i64,
}

impl Cursor {
    /// The cursor of the page that follows `last`, in `sort` order.
    pub fn after(sort: CommentSort, last: &Comment) -> String {
        match sort {
            CommentSort::Oldest => format!("o{}", last.id),
            CommentSort::Newest => format!("n{}", last.id),
            CommentSort::Useful => format!("u{}.{}", last.useful, last.id),
        }
    }

    /// Parses a cursor made by [`Cursor::after`] for the same sort order.
    pub fn parse(sort: CommentSort, text: &str) -> Result<Self, Error> {
        let bad = || Error::BadRequest(format!("invalid cursor {text:?}"));
        let number = |s: &str| s.parse::<i64>().map_err(|_| bad());
        let cursor = match (sort, text.split_at_checked(1)) {
            (CommentSort::Oldest, Some(("o", id))) | (CommentSort::Newest, Some(("n", id))) => {
                Self {
                    useful: 0,
                    id: number(id)?,
                }
            }
            (CommentSort::Useful, Some(("u", rest))) => {
                let (useful, id) = rest.split_once('.').ok_or_else(bad)?;
                Self {
                    useful: number(useful)?,
                    id: number(id)?,
                }
            }
            _ => return Err(bad()),
        };
        Ok(cursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_keys_become_readable_ids_unique_per_site() {
        assert_eq!(keyed_thread_id("a", "budget-2027").unwrap(), "budget-2027");
        let path = keyed_thread_id("a", "/Actualités/Marché de Noël").unwrap();
        assert!(
            path.starts_with("actualit-s-march-de-no-l-") || path.starts_with("actualit"),
            "{path}"
        );
        assert!(civique_api::is_valid_id(&path), "{path}");
        assert_ne!(
            path,
            keyed_thread_id("b", "/Actualités/Marché de Noël").unwrap()
        );
        assert!(civique_api::is_valid_id(
            &keyed_thread_id("a", "/").unwrap()
        ));
        assert!(keyed_thread_id("a", "").is_err());
        assert!(keyed_thread_id("a", &"x".repeat(301)).is_err());
    }

    #[test]
    fn cursors_round_trip_per_sort() {
        let text = "u4.17";
        assert_eq!(
            Cursor::parse(CommentSort::Useful, text).unwrap(),
            Cursor { useful: 4, id: 17 }
        );
        assert!(Cursor::parse(CommentSort::Oldest, text).is_err());
        assert!(Cursor::parse(CommentSort::Newest, "n").is_err());
        assert_eq!(Cursor::parse(CommentSort::Newest, "n9").unwrap().id, 9);
    }
}
