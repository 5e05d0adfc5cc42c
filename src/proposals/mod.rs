//! The proposal box widget: residents propose ideas (or ask questions), support them and
//! follow the town's answers, live.

mod card;
mod detail;
mod form;
mod state;
mod widget;

pub use card::BoxCard;
pub use state::{
    check_proposal, draft_key, permalink, proposal_in_hash, title_max, BoxState, Draft, Field,
    Item, Tab, Thanks, HASH_PREFIX,
};
pub use widget::Proposals;

pub use crate::ui::Debounce;

/// The proposals stylesheet (`proposals.css`), for tests and tools that need it in Rust.
pub const PROPOSALS_CSS: &str = include_str!("proposals.css");
