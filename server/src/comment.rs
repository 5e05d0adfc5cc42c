//! Comment rules that do not depend on storage: validation, Markdown rendering, cursors, views.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use civique_api::comments::limits;
use civique_api::{CommentSort, CommentStatus, CommentView, SiteSettings, ThreadInput, ThreadView};
use pulldown_cmark::{Event, Options, Parser, Tag};

use crate::error::ApiError;
use crate::poll::{check_id, required_text};

/// A stored thread.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Thread {
    pub id: String,
    pub site_id: String,
    pub title: String,
    pub pre_moderation: bool,
    pub max_depth: i64,
    pub locked: bool,
}

impl Thread {
    pub fn view(&self, count: u64) -> ThreadView {
        ThreadView {
            id: self.id.clone(),
            site_id: self.site_id.clone(),
            title: self.title.clone(),
            pre_moderation: self.pre_moderation,
            max_depth: u32::try_from(self.max_depth).unwrap_or(limits::DEFAULT_MAX_DEPTH),
            locked: self.locked,
            count,
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
    let hash = &crate::poll::participant_key(site_id, key)[..8];
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
        max_depth: i64::from(max_depth),
        locked: false,
    })
}

/// A stored comment as one participant sees it (`mine`, `my_useful` depend on the reader).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Comment {
    pub id: i64,
    pub thread_id: String,
    pub parent_id: Option<i64>,
    pub depth: i64,
    pub author_name: String,
    pub reply_to_name: Option<String>,
    pub text: String,
    pub html: String,
    pub status: String,
    pub removal_reason: Option<String>,
    pub official: bool,
    pub pinned: bool,
    pub useful_count: i64,
    pub created_at: String,
    pub edited_at: Option<String>,
    pub mine: bool,
    pub my_useful: bool,
    /// Visible replies of this comment's parent (filled by the inline-replies query only).
    #[sqlx(default)]
    pub siblings: i64,
}

impl Comment {
    pub fn status(&self) -> CommentStatus {
        status_from_name(&self.status)
    }

    /// Hidden and deleted comments keep their place but show neither author nor text.
    pub fn view(&self, replies: Vec<CommentView>, more_replies: u64) -> CommentView {
        let status = self.status();
        let shown = matches!(status, CommentStatus::Published | CommentStatus::Pending);
        let when_shown = |value: &str| shown.then(|| value.to_owned());
        CommentView {
            id: self.id,
            thread_id: self.thread_id.clone(),
            parent_id: self.parent_id,
            depth: u32::try_from(self.depth).unwrap_or_default(),
            author_name: when_shown(&self.author_name),
            reply_to_name: self.reply_to_name.as_deref().and_then(when_shown),
            text: when_shown(&self.text),
            html: when_shown(&self.html),
            status,
            removal_reason: if shown {
                None
            } else {
                self.removal_reason.clone()
            },
            official: self.official,
            pinned: self.pinned,
            mine: self.mine,
            useful: self.useful_count.unsigned_abs(),
            my_useful: self.my_useful,
            created_at: self.created_at.clone(),
            edited_at: self.edited_at.clone(),
            replies,
            more_replies,
        }
    }
}

pub fn status_name(status: CommentStatus) -> &'static str {
    match status {
        CommentStatus::Published => "published",
        CommentStatus::Pending => "pending",
        CommentStatus::Hidden => "hidden",
        CommentStatus::Deleted => "deleted",
    }
}

/// Unknown values (a hand-edited row) read as hidden: never show what we cannot classify.
fn status_from_name(name: &str) -> CommentStatus {
    match name {
        "published" => CommentStatus::Published,
        "pending" => CommentStatus::Pending,
        "deleted" => CommentStatus::Deleted,
        _ => CommentStatus::Hidden,
    }
}

/// Builds the views of `roots`, nesting `levels` of inline replies (each level's rows carry
/// their parent's visible reply count in `siblings`).
pub fn nest(roots: &[Comment], levels: Vec<Vec<Comment>>) -> Vec<CommentView> {
    let mut below: HashMap<i64, (Vec<CommentView>, u64)> = HashMap::new();
    for level in levels.into_iter().rev() {
        let mut built: HashMap<i64, (Vec<CommentView>, u64)> = HashMap::new();
        for comment in level {
            let (replies, more) = below.remove(&comment.id).unwrap_or_default();
            let Some(parent) = comment.parent_id else {
                continue;
            };
            let entry = built.entry(parent).or_default();
            entry.0.push(comment.view(replies, more));
            entry.1 = comment.siblings.unsigned_abs();
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

/// Checks a display name and returns it trimmed.
pub fn check_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > limits::AUTHOR_NAME_MAX_LEN {
        return Err(ApiError::InvalidName);
    }
    Ok(name.to_owned())
}

/// Checks a comment's Markdown source and renders it; returns (source, sanitized html).
pub fn check_text(text: &str) -> Result<(String, String), ApiError> {
    let (text, html) = check_markdown(text, limits::TEXT_MAX_LEN)?;
    if html.trim().is_empty() {
        return Err(ApiError::EmptyText);
    }
    Ok((text, html))
}

/// Checks Markdown that may be empty (at most `max_chars` characters and
/// [`limits::MAX_LINKS`] links) and renders it; returns (trimmed source, sanitized html).
pub fn check_markdown(text: &str, max_chars: usize) -> Result<(String, String), ApiError> {
    let text = text.trim();
    if text.chars().count() > max_chars {
        return Err(ApiError::TextTooLong);
    }
    let (html, links) = render(text);
    if links > limits::MAX_LINKS {
        return Err(ApiError::TooManyLinks);
    }
    Ok((text.to_owned(), html))
}

/// The HTML allow-list; everything else is removed by ammonia (text kept, scripts dropped).
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(HashSet::from([
            "p", "em", "strong", "a", "ul", "ol", "li", "br",
        ]))
        .tag_attributes(HashMap::from([("a", HashSet::from(["href"]))]))
        .generic_attributes(HashSet::new())
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("nofollow ugc noopener"));
    builder
});

/// Markdown (CommonMark without extensions) to sanitized HTML, and the number of links.
/// Raw HTML in the source becomes text, so it is shown escaped, never interpreted.
pub fn render(text: &str) -> (String, usize) {
    let mut links = 0;
    let events = Parser::new_ext(text, Options::empty()).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link { .. }) => {
            links += 1;
            event
        }
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    (SANITIZER.clean(&html).to_string(), links)
}

/// Does `text` contain one of the site's blocked words (case-insensitive, whole words)?
pub fn has_blocked_word(settings: &SiteSettings, text: &str) -> bool {
    let text = text.to_lowercase();
    settings.blocked_words.iter().any(|word| {
        let word = word.trim().to_lowercase();
        !word.is_empty()
            && text.match_indices(&word).any(|(at, found)| {
                let before = text[..at].chars().next_back();
                let after = text[at + found.len()..].chars().next();
                !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(char::is_alphanumeric)
            })
    })
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
            CommentSort::Useful => format!("u{}.{}", last.useful_count, last.id),
        }
    }

    /// Parses a cursor made by [`Cursor::after`] for the same sort order.
    pub fn parse(sort: CommentSort, text: &str) -> Result<Self, ApiError> {
        let bad = || ApiError::BadRequest(format!("invalid cursor {text:?}"));
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
    fn markdown_subset_renders_and_raw_html_is_escaped() {
        let (html, links) =
            render("Hello *you* and **all**\n\n- [a](https://a.example)\n- b\n\n<b>x</b>");
        assert!(html.contains("<em>you</em>") && html.contains("<strong>all</strong>"));
        assert!(html.contains("<a href=\"https://a.example\" rel=\"nofollow ugc noopener\">a</a>"));
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"), "{html}");
        assert_eq!(links, 1);
        let (html, _) = render("# Title\n\n`code` [x](javascript:alert(1))");
        assert!(!html.contains("<h1") && !html.contains("<code") && !html.contains("javascript"));
    }

    #[test]
    fn blocked_words_match_whole_words_only() {
        let settings = SiteSettings {
            blocked_words: vec!["Idiot".into()],
            ..SiteSettings::default()
        };
        assert!(has_blocked_word(&settings, "quel idiot !"));
        assert!(!has_blocked_word(&settings, "idiotie"));
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
