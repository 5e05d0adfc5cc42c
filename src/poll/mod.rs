//! The poll widget: a question, native radio buttons or check boxes, and live results.

mod card;
mod results;
mod state;
mod widget;

pub use card::PollCard;
pub use results::{percent, Results};
pub use state::{check_choices, Notice, Phase, PollState};
pub use widget::Poll;

/// The poll stylesheet (`poll.css`), for tests and tools that need it in Rust.
pub const POLL_CSS: &str = include_str!("poll.css");
