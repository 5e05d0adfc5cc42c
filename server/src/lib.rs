//! civique-server: the endpoint a town runs — REST API, live updates and widget assets.
//!
//! Layers, each depending only on those before it: [`domain`] (rules and types),
//! [`store`] (persistence, SQLite or PostgreSQL), [`service`] (every operation), [`http`]
//! (routes); [`cli`] and the seed import use the services too.

pub mod assets;
pub mod cli;
pub mod config;
pub mod domain;
pub mod http;
pub mod live;
pub mod metrics;
pub mod service;
pub mod store;

pub use config::Config;
pub use http::{app, AppState};
pub use service::Service;
pub use store::StoreError;

/// A random hexadecimal identifier (instances, throwaway names), from the OS's hasher seeds.
pub fn random_id() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    (0..2)
        .map(|i| {
            let mut hasher = RandomState::new().build_hasher();
            hasher.write_u64(i);
            format!("{:016x}", hasher.finish())
        })
        .collect()
}
