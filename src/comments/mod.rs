//! The comment thread widget: nested comments, replies, useful marks, reports, live updates.

mod card;
mod form;
mod state;
mod widget;

pub use card::CommentsCard;
pub use form::{Composer, ReportForm};
pub use state::{
    check_comment, draft_key, editable, Actions, Editor, Node, Target, ThreadState, EDIT_WINDOW_MS,
    NAME_KEY,
};
pub use widget::{Comments, ThreadRef};

/// The comments stylesheet (`comments.css`), for tests and tools that need it in Rust.
pub const COMMENTS_CSS: &str = include_str!("comments.css");
