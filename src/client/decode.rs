//! Reads wire types field by field out of the browser's `JSON.parse` result.
//!
//! serde's generic deserializer (with its float formatting for error messages) cost about
//! 10 KB of brotli, a tenth of the bundle budget; these few types do not need it.

use civique_api::comments::{CommentPage, CommentView, ThreadView, UsefulView};
use civique_api::events::PollChanged;
use civique_api::{OptionCount, PollOption, PollResults, PollView};
use js_sys::{Array, Reflect};
use wasm_bindgen::JsValue;

pub(super) fn field(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub(super) fn string(v: &JsValue, key: &str) -> Option<String> {
    field(v, key).as_string()
}

pub(super) fn is_absent(v: &JsValue) -> bool {
    v.is_null() || v.is_undefined()
}

/// `Some(None)` for null or missing, `None` for a wrong type.
pub(super) fn optional(v: &JsValue, key: &str) -> Option<Option<String>> {
    let f = field(v, key);
    if is_absent(&f) {
        Some(None)
    } else {
        f.as_string().map(Some)
    }
}

pub(super) fn int(v: &JsValue, key: &str) -> Option<i64> {
    number(&field(v, key))
}

pub(super) fn number(v: &JsValue) -> Option<i64> {
    v.as_f64()
        .filter(|n| n.fract() == 0.0 && n.abs() < 9.0e15)
        .map(|n| n as i64)
}

pub(super) fn count(v: &JsValue, key: &str) -> Option<u64> {
    u64::try_from(int(v, key)?).ok()
}

pub(super) fn boolean(v: &JsValue, key: &str) -> Option<bool> {
    field(v, key).as_bool()
}

/// A wire enum (`PollStatus`, `Visibility`, …) from its name; `None` for an unknown one.
pub(super) fn named<T: std::str::FromStr>(v: &JsValue, key: &str) -> Option<T> {
    string(v, key)?.parse().ok()
}

pub(super) fn list<T>(
    v: &JsValue,
    key: &str,
    item: impl Fn(&JsValue) -> Option<T>,
) -> Option<Vec<T>> {
    let f = field(v, key);
    if !Array::is_array(&f) {
        return None;
    }
    Array::from(&f).iter().map(|x| item(&x)).collect()
}

/// A `PollView`, or `None` when the value does not have its shape.
pub fn poll_view(v: &JsValue) -> Option<PollView> {
    let results = field(v, "results");
    Some(PollView {
        id: string(v, "id")?,
        site_id: string(v, "site_id")?,
        question: string(v, "question")?,
        description: optional(v, "description")?,
        kind: named(v, "kind")?,
        max_choices: u32::try_from(int(v, "max_choices")?).ok()?,
        options: list(v, "options", |o| {
            Some(PollOption {
                id: int(o, "id")?,
                label: string(o, "label")?,
            })
        })?,
        opens_at: optional(v, "opens_at")?,
        closes_at: optional(v, "closes_at")?,
        status: named(v, "status")?,
        results_visibility: named(v, "results_visibility")?,
        participation: named(v, "participation").unwrap_or_default(),
        results: poll_results(&results)?,
        my_choices: list(v, "my_choices", number)?,
    })
}

/// `PollResults`, `Some(None)` when absent.
fn poll_results(results: &JsValue) -> Option<Option<PollResults>> {
    if is_absent(results) {
        return Some(None);
    }
    Some(Some(PollResults {
        voters: count(results, "voters")?,
        counts: list(results, "counts", |c| {
            Some(OptionCount {
                option_id: int(c, "option_id")?,
                votes: count(c, "votes")?,
            })
        })?,
    }))
}

/// The data of a `poll_changed` event: the voters, and the results when everyone may see
/// them.
pub fn poll_changed(v: &JsValue) -> Option<PollChanged> {
    Some(PollChanged {
        voters: count(v, "voters")?,
        results: poll_results(&field(v, "results"))?,
    })
}

/// A `ThreadView`.
pub fn thread_view(v: &JsValue) -> Option<ThreadView> {
    Some(ThreadView {
        id: string(v, "id")?,
        site_id: string(v, "site_id")?,
        title: string(v, "title")?,
        pre_moderation: boolean(v, "pre_moderation")?,
        max_depth: u32::try_from(int(v, "max_depth")?).ok()?,
        locked: boolean(v, "locked")?,
        // Not read by the widgets (the endpoint enforces it): decoding it costs the poll
        // page bytes it cannot spare.
        participation: Default::default(),
        count: count(v, "count")?,
    })
}

/// A `CommentView` with its inline replies.
pub fn comment_view(v: &JsValue) -> Option<CommentView> {
    let parent = field(v, "parent_id");
    Some(CommentView {
        id: int(v, "id")?,
        thread_id: string(v, "thread_id")?,
        parent_id: if is_absent(&parent) {
            None
        } else {
            Some(number(&parent)?)
        },
        depth: u32::try_from(int(v, "depth")?).ok()?,
        author_name: optional(v, "author_name")?,
        reply_to_name: optional(v, "reply_to_name")?,
        text: optional(v, "text")?,
        html: optional(v, "html")?,
        status: named(v, "status")?,
        removal_reason: optional(v, "removal_reason")?,
        official: boolean(v, "official")?,
        pinned: boolean(v, "pinned")?,
        mine: boolean(v, "mine")?,
        useful: count(v, "useful")?,
        my_useful: boolean(v, "my_useful")?,
        created_at: string(v, "created_at")?,
        edited_at: optional(v, "edited_at")?,
        replies: list(v, "replies", comment_view)?,
        more_replies: count(v, "more_replies")?,
    })
}

/// A `CommentPage`.
pub fn comment_page(v: &JsValue) -> Option<CommentPage> {
    Some(CommentPage {
        count: count(v, "count")?,
        comments: list(v, "comments", comment_view)?,
        next_cursor: optional(v, "next_cursor")?,
    })
}

/// A `UsefulView` (also the data of a `useful_changed` event, without `my_useful`).
pub fn useful_view(v: &JsValue) -> Option<UsefulView> {
    Some(UsefulView {
        id: int(v, "id")?,
        useful: count(v, "useful")?,
        my_useful: boolean(v, "my_useful").unwrap_or(false),
    })
}

/// A `MyData` export: its pretty JSON and the length of each of its lists.
pub fn my_data(v: &JsValue) -> Option<super::MyDataExport> {
    let len = |key| {
        let f = field(v, key);
        Array::is_array(&f).then(|| u64::from(Array::from(&f).length()))
    };
    let counts = [
        len("ballots")?,
        len("comments")?,
        len("proposals")?,
        len("supports")?,
        len("useful_marks")?,
        len("reports")?,
    ];
    let json = js_sys::JSON::stringify_with_replacer_and_space(v, &JsValue::NULL, &2.into())
        .ok()?
        .as_string()?;
    Some(super::MyDataExport { json, counts })
}

/// Any answer, for requests whose body does not matter (`204 No Content`).
pub fn nothing(_: &JsValue) -> Option<()> {
    Some(())
}

/// `(code, message)` of an `ErrorBody`.
pub fn error(v: &JsValue) -> Option<(String, String)> {
    let e = field(v, "error");
    Some((
        string(&e, "code")?,
        string(&e, "message").unwrap_or_default(),
    ))
}
