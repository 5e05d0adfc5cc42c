//! The reactive state one mounted comment thread shares between its parts, and its pure rules.

use civique_api::codes;
use civique_api::comments::limits::{AUTHOR_NAME_MAX_LEN, TEXT_MAX_LEN};
use civique_api::comments::{CommentSort, CommentStatus, CommentView, ThreadView};
use leptos::callback::Callback;
use leptos::prelude::*;

use crate::client::origin_of;
use crate::i18n::{Lang, Text};
use crate::ui::{store, stored, Phase};

/// How long authors may edit or delete their comments (the endpoint's rule).
pub const EDIT_WINDOW_MS: f64 = 15.0 * 60.0 * 1000.0;

/// localStorage key of the display name, shared by every widget of every endpoint.
pub use crate::ui::NAME_KEY;

/// localStorage key of an unsent comment: `civique:draft:<endpoint origin>:<thread>:<parent
/// id or root>`.
pub fn draft_key(endpoint: &str, thread: &str, parent: Option<i64>) -> String {
    let parent = parent.map_or_else(|| "root".to_owned(), |p| p.to_string());
    format!("civique:draft:{}:{thread}:{parent}", origin_of(endpoint))
}

/// The error code the endpoint would answer for this comment, caught before sending
/// (`name` is `None` for an edit, which keeps the author's name).
pub fn check_comment(name: Option<&str>, text: &str) -> Option<&'static str> {
    if text.trim().is_empty() {
        Some(codes::EMPTY_TEXT)
    } else if text.chars().count() > TEXT_MAX_LEN {
        Some(codes::TEXT_TOO_LONG)
    } else if name
        .is_some_and(|n| n.trim().is_empty() || n.trim().chars().count() > AUTHOR_NAME_MAX_LEN)
    {
        Some(codes::INVALID_NAME)
    } else {
        None
    }
}

/// May the author still edit or delete a comment created at `created_at` (RFC 3339)?
pub fn editable(created_at: &str, now_ms: f64) -> bool {
    let created = js_sys::Date::new(&created_at.into()).get_time();
    now_ms - created < EDIT_WINDOW_MS
}

/// One comment on screen: its view (without replies) and its replies, each a signal so that
/// changes apply in place without redrawing (and losing focus in) the rest of the thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node {
    /// Comment id.
    pub id: i64,
    /// The comment as last received; `replies` is always empty here.
    pub view: RwSignal<CommentView>,
    /// Replies shown under it.
    pub replies: RwSignal<Vec<Node>>,
    /// Replies not shown yet ("Show N more replies").
    pub more: RwSignal<u64>,
}

impl Node {
    /// A node, with nodes for its inline replies.
    pub fn new(mut view: CommentView) -> Node {
        let replies = std::mem::take(&mut view.replies);
        Node {
            id: view.id,
            more: RwSignal::new(view.more_replies),
            replies: RwSignal::new(replies.into_iter().map(Node::new).collect()),
            view: RwSignal::new(view),
        }
    }

    fn has_replies(&self) -> bool {
        self.more.get_untracked() > 0 || self.replies.with_untracked(|r| !r.is_empty())
    }
}

/// What a form writes: a new comment, a reply, an edit or a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A top-level comment.
    Thread,
    /// A reply to this comment.
    Reply(i64),
    /// New text for this comment.
    Edit(i64),
    /// A report about this comment.
    Report(i64),
}

/// One open form's signals, handed to [`Actions`] on submit.
#[derive(Debug, Clone, Copy)]
pub struct Editor {
    /// What the form writes.
    pub target: Target,
    /// The text typed (for a report: the reason sent).
    pub text: RwSignal<String>,
    /// Code of the last failure, shown as an alert.
    pub error: RwSignal<Option<String>>,
    /// Is the request on its way?
    pub sending: RwSignal<bool>,
    /// Is the form shown (reply, edit and report forms close on success)?
    pub open: RwSignal<bool>,
    /// Has it been sent successfully?
    pub done: RwSignal<bool>,
}

impl Editor {
    /// A form for `target` starting with `text`.
    pub fn new(target: Target, text: String) -> Self {
        Editor {
            target,
            text: RwSignal::new(text),
            error: RwSignal::new(None),
            sending: RwSignal::new(false),
            open: RwSignal::new(false),
            done: RwSignal::new(false),
        }
    }
}

/// What the interface asks of the network side (see [`super::Comments`]).
#[derive(Clone, Copy)]
pub struct Actions {
    /// Posts, edits or reports what an editor holds.
    pub submit: Callback<Editor>,
    /// Deletes one's own comment.
    pub delete: Callback<Node>,
    /// Toggles the "useful" mark.
    pub useful: Callback<Node>,
    /// Loads the replies not shown yet.
    pub more_replies: Callback<Node>,
    /// Loads the next page of comments.
    pub load_more: Callback<()>,
    /// Inserts the new comments waiting behind the button.
    pub show_fresh: Callback<()>,
    /// Reloads the thread in another order.
    pub sort: Callback<CommentSort>,
    /// Reloads a thread that failed to load.
    pub retry: Callback<()>,
}

/// Signals of one mounted thread; `Copy`, so every closure can hold it.
#[derive(Debug, Clone, Copy)]
pub struct ThreadState {
    /// Interface language.
    pub lang: Lang,
    /// Endpoint URL (for draft keys).
    pub endpoint: StoredValue<String>,
    /// Loading, ready or failed.
    pub phase: RwSignal<Phase>,
    /// The thread.
    pub thread: RwSignal<Option<ThreadView>>,
    /// Top-level comments shown.
    pub roots: RwSignal<Vec<Node>>,
    /// Published comments in the thread.
    pub count: RwSignal<u64>,
    /// Cursor of the next page, if any.
    pub next_cursor: RwSignal<Option<String>>,
    /// Pages of top-level comments loaded.
    pub pages: StoredValue<usize>,
    /// Order of top-level comments.
    pub sort: RwSignal<CommentSort>,
    /// New comments from others, waiting behind the "N new comments" button.
    pub fresh: RwSignal<Vec<i64>>,
    /// Comments removed (live) since the last refresh.
    pub removed: StoredValue<Vec<i64>>,
    /// Display name, remembered on the device.
    pub name: RwSignal<String>,
    /// Current time (ms since the epoch), ticking each minute for relative dates.
    pub now: RwSignal<f64>,
    /// Code of the last failed action outside forms (useful, delete, load more).
    pub alert: RwSignal<Option<String>>,
    /// Polite status after posting.
    pub status: RwSignal<Option<Text>>,
    /// Is a page or a reply list loading?
    pub busy: RwSignal<bool>,
}

impl ThreadState {
    /// An empty state, loading.
    pub fn new(lang: Lang, endpoint: &str) -> Self {
        ThreadState {
            lang,
            endpoint: StoredValue::new(endpoint.to_owned()),
            phase: RwSignal::new(Phase::Loading),
            thread: RwSignal::new(None),
            roots: RwSignal::new(Vec::new()),
            count: RwSignal::new(0),
            next_cursor: RwSignal::new(None),
            pages: StoredValue::new(0),
            sort: RwSignal::new(CommentSort::Oldest),
            fresh: RwSignal::new(Vec::new()),
            removed: StoredValue::new(Vec::new()),
            name: RwSignal::new(stored(NAME_KEY).unwrap_or_default()),
            now: RwSignal::new(js_sys::Date::now()),
            alert: RwSignal::new(None),
            status: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }

    /// Has the widget been unmounted? Requests that answer late must then do nothing.
    pub fn is_gone(&self) -> bool {
        self.phase.is_disposed()
    }

    /// The thread id, once loaded.
    pub fn thread_id(&self) -> String {
        self.thread
            .with_untracked(|t| t.as_ref().map(|t| t.id.clone()))
            .unwrap_or_default()
    }

    /// Is the thread closed to new comments?
    pub fn locked(&self) -> bool {
        self.thread.with(|t| t.as_ref().is_some_and(|t| t.locked))
    }

    /// localStorage key of the draft answering `parent` (or the thread).
    pub fn draft_key(&self, parent: Option<i64>) -> String {
        self.endpoint
            .with_value(|e| draft_key(e, &self.thread_id(), parent))
    }

    /// The saved draft answering `parent`.
    pub fn draft(&self, parent: Option<i64>) -> String {
        stored(&self.draft_key(parent)).unwrap_or_default()
    }

    /// Saves the draft answering `parent` (removed when empty).
    pub fn save_draft(&self, parent: Option<i64>, text: &str) {
        store(&self.draft_key(parent), text);
    }

    /// Sets and remembers the display name.
    pub fn set_name(&self, name: String) {
        store(NAME_KEY, &name);
        self.name.set(name);
    }

    /// Shows `thread` and the first page of its comments.
    pub fn show(
        &self,
        thread: ThreadView,
        count: u64,
        comments: Vec<CommentView>,
        next: Option<String>,
    ) {
        self.thread.set(Some(thread));
        self.count.set(count);
        self.roots
            .set(comments.into_iter().map(Node::new).collect());
        self.next_cursor.set(next);
        self.pages.set_value(1);
        self.fresh.set(Vec::new());
        if self.phase.get_untracked() != Phase::Ready {
            self.phase.set(Phase::Ready);
        }
    }

    /// Calls `f` on every node, depth first.
    pub fn walk(&self, f: &mut dyn FnMut(Node)) {
        fn visit(list: &[Node], f: &mut dyn FnMut(Node)) {
            for node in list {
                f(*node);
                node.replies.with_untracked(|r| visit(r, f));
            }
        }
        self.roots.with_untracked(|r| visit(r, f));
    }

    /// The node of comment `id`, when shown.
    pub fn find(&self, id: i64) -> Option<Node> {
        let mut found = None;
        self.walk(&mut |n| {
            if n.id == id {
                found = Some(n);
            }
        });
        found
    }

    /// Merges `views` into `list`: known comments update in place, unknown ones are inserted
    /// where the endpoint puts them when `admit` (first after position `start`), otherwise
    /// counted as new comments waiting behind the button.
    pub fn merge(
        &self,
        list: RwSignal<Vec<Node>>,
        views: Vec<CommentView>,
        start: usize,
        admit: bool,
    ) {
        let mut nodes = list.get_untracked();
        let before = nodes.len();
        let mut at = start.min(nodes.len());
        for mut view in views {
            if let Some(pos) = nodes.iter().position(|n| n.id == view.id) {
                let node = nodes[pos];
                let replies = std::mem::take(&mut view.replies);
                let total = replies.len() as u64 + view.more_replies;
                self.merge(node.replies, replies, 0, admit);
                let shown = node.replies.with_untracked(Vec::len) as u64;
                node.more.set(total.saturating_sub(shown));
                view.more_replies = 0;
                // A comment known to be this participant's stays so: a page read before
                // their token existed (a reader's, started before they posted) may come
                // back after their comment and know nothing of it.
                view.mine |= node.view.with_untracked(|v| v.mine);
                if node.view.with_untracked(|v| *v != view) {
                    node.view.set(view);
                }
                at = pos + 1;
            } else if admit || view.mine {
                self.fresh.update(|f| f.retain(|&id| id != view.id));
                nodes.insert(at, Node::new(view));
                at += 1;
            } else if self.fresh.with_untracked(|f| !f.contains(&view.id)) {
                self.fresh.update(|f| f.push(view.id));
            }
        }
        if nodes.len() != before {
            list.set(nodes);
        }
    }

    /// A comment from elsewhere was published: it waits behind the button unless shown.
    pub fn announce(&self, id: i64) {
        if self.find(id).is_none() && self.fresh.with_untracked(|f| !f.contains(&id)) {
            self.fresh.update(|f| f.push(id));
        }
    }

    /// Adds this participant's new comment where the reader expects it.
    pub fn add_own(&self, view: CommentView) {
        if view.status == CommentStatus::Published {
            self.count.update(|c| *c += 1);
        }
        let id = view.id;
        let (list, start) = match view.parent_id.and_then(|p| self.find(p)) {
            Some(parent) => (parent.replies, usize::MAX),
            None if self.sort.get_untracked() == CommentSort::Newest => (self.roots, 0),
            None => (self.roots, usize::MAX),
        };
        self.merge(list, vec![view], start, true);
        self.fresh.update(|f| f.retain(|&f| f != id));
    }

    /// A comment changed elsewhere (an edit, a pin, a moderation): `view`, as any reader sees
    /// it, replaces what is shown, except what only this reader knows (that it is theirs,
    /// their useful mark).
    pub fn apply_change(&self, mut view: CommentView) {
        let Some(node) = self.find(view.id) else {
            return;
        };
        node.view.with_untracked(|shown| {
            view.mine = shown.mine;
            view.my_useful = shown.my_useful;
        });
        view.replies.clear();
        view.more_replies = 0;
        if node.view.with_untracked(|shown| *shown != view) {
            node.view.set(view);
        }
    }

    /// Takes comment `id` off the screen, or turns it into a placeholder (`placeholder`
    /// status) when it has replies.
    pub fn remove(&self, id: i64, placeholder: CommentStatus) {
        let Some(node) = self.find(id) else {
            return;
        };
        if node
            .view
            .with_untracked(|v| v.status == CommentStatus::Published)
        {
            self.count.update(|c| *c = c.saturating_sub(1));
        }
        if node.has_replies() {
            node.view.update(|v| {
                v.status = placeholder;
                v.author_name = None;
                v.text = None;
                v.html = None;
            });
        } else {
            let parent = node
                .view
                .with_untracked(|v| v.parent_id)
                .and_then(|p| self.find(p));
            let list = parent.map_or(self.roots, |p| p.replies);
            list.update(|l| l.retain(|n| n.id != id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_checked_before_sending() {
        assert_eq!(check_comment(Some("Ana"), " \n"), Some("empty_text"));
        assert_eq!(
            check_comment(Some("Ana"), &"é".repeat(5_001)),
            Some("text_too_long")
        );
        assert_eq!(check_comment(Some("Ana"), &"é".repeat(5_000)), None);
        assert_eq!(check_comment(Some("  "), "Bonjour"), Some("invalid_name"));
        assert_eq!(
            check_comment(Some(&"n".repeat(61)), "Bonjour"),
            Some("invalid_name")
        );
        assert_eq!(check_comment(None, "Bonjour"), None);
    }

    #[test]
    fn drafts_are_kept_per_endpoint_thread_and_parent() {
        assert_eq!(
            draft_key("https://c.example.fr/pkg/", "travaux", None),
            "civique:draft:https://c.example.fr:travaux:root"
        );
        assert_eq!(
            draft_key("http://127.0.0.1:8787/", "t", Some(42)),
            "civique:draft:http://127.0.0.1:8787:t:42"
        );
    }
}
