//! civique: embeddable civic participation widgets for municipal websites, compiled to wasm.

// The loader (`loader.js`) calls `embed::mount_poll` for each widget on the page; the rest
// is public so that the browser tests (and other Rust front ends) can reuse the pieces.

pub mod client;
pub mod embed;
pub mod i18n;
pub mod poll;
pub mod ui;

/// The whole stylesheet the loader adopts (`base.css` then the widgets' own), as xtask
/// concatenates it into `pkg/civique.css`.
pub fn stylesheet() -> String {
    [ui::BASE_CSS, poll::POLL_CSS].concat()
}
