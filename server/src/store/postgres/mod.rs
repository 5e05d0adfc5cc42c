//! PostgreSQL backend: for several instances on one database; French text search with
//! unaccent; live updates relayed between instances with LISTEN/NOTIFY.

mod dialect;
// The SQL written once, compiled here for this backend (and in the other backend for it).
#[allow(clippy::duplicate_mod)]
#[path = "../portable/mod.rs"]
mod portable;

pub use portable::Backend as PostgresStore;
