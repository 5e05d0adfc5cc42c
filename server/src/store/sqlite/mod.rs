//! SQLite backend: one file in WAL mode, created and migrated on start; FTS5 full-text search.

mod dialect;
// The SQL written once, compiled here for this backend (and in the other backend for it).
#[allow(clippy::duplicate_mod)]
#[path = "../portable/mod.rs"]
mod portable;

pub use portable::Backend as SqliteStore;
