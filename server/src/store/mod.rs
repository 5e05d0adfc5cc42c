//! Persistence: the backend is chosen by the database URL's scheme (SQLite today).
//!
//! Each backend lives in its own module with its own migrations folder
//! (`migrations/<backend>/`) and exposes the same inherent methods; a PostgreSQL backend
//! slots in by turning [`Store`] into an enum over the backends.

mod sqlite;

pub use sqlite::{
    NewComment, ProposalFilter, ReportOutcome, SqliteStore as Store, StatusUpdate, SupportChange,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A row with this id already exists.
    #[error("{0} already exists")]
    Conflict(String),
    #[error("unsupported database URL {0:?} (expected sqlite://PATH)")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value that the code cannot read back (hand-edited database?).
    #[error("corrupt row: {0}")]
    Corrupt(String),
}
