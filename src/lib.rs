//! civique: embeddable civic participation widgets for municipal websites, compiled to wasm.

// The loader (`loader.js`) calls `embed::mount_poll` / `embed::mount_comments` /
// `embed::mount_proposals` for each
// widget on the page; the rest is public so that the browser tests (and other Rust front
// ends) can reuse the pieces.

pub mod client;
#[cfg(feature = "comments")]
pub mod comments;
pub mod embed;
pub mod i18n;
#[cfg(feature = "poll")]
pub mod poll;
#[cfg(feature = "proposals")]
pub mod proposals;
pub mod ui;

/// The stylesheet of the kinds this build holds (`base.css` then their own), as xtask writes
/// it into `pkg/KIND/civique.css` for the loader (there without comments and indentation).
pub fn stylesheet() -> String {
    let mut css = String::from(ui::BASE_CSS);
    #[cfg(feature = "poll")]
    css.push_str(poll::POLL_CSS);
    #[cfg(feature = "comments")]
    css.push_str(comments::COMMENTS_CSS);
    #[cfg(feature = "proposals")]
    css.push_str(proposals::PROPOSALS_CSS);
    css
}
