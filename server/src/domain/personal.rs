//! "Mes données": erasing what one participant contributed on a site.

use civique_api::Erasure;

/// What an erasure did: the counts the resident is told, and the contributions the
/// widgets' viewers must stop seeing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erased {
    pub counts: Erasure,
    /// (thread id, comment id) of each comment that was published.
    pub comments: Vec<(String, i64)>,
    /// (box id, proposal id) of each proposal that was published.
    pub proposals: Vec<(String, i64)>,
}

/// Prefix of the key an erased participant is left with: no token hashes to it (keys are
/// hex SHA-256), so the ballots, supports and marks it keeps count but lead to no one.
pub const ERASED_KEY_PREFIX: &str = "erased:";
