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
pub mod mail;
pub mod metrics;
pub mod service;
pub mod store;

pub use config::Config;
pub use http::{app, AppState};
pub use service::Service;
pub use store::StoreError;
