//! civique-server: the endpoint a town runs — REST API, live updates and widget assets.

pub mod cli;
pub mod comment;
pub mod config;
pub mod error;
pub mod extract;
pub mod hub;
pub mod poll;
pub mod proposal;
pub mod rate;
pub mod routes;
pub mod seed;
pub mod store;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;

pub use config::Config;
pub use error::ApiError;
pub use hub::Hub;
pub use rate::{PostingLimits, RateLimiter};
pub use store::{Store, StoreError};

/// Everything a request handler needs; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub hub: Hub,
    admin_token: Option<Arc<str>>,
    pub assets_dir: PathBuf,
    pub comments: CommentLimits,
    /// The `[proposals]` posting limits (per box and participant, per site).
    pub proposals: PostingLimits,
}

/// The `[comments]` settings, ready for use.
#[derive(Debug, Clone)]
pub struct CommentLimits {
    pub edit_window: Duration,
    /// Per thread and participant, per site.
    pub posting: PostingLimits,
}

impl AppState {
    pub fn new(store: Store, config: &Config) -> Self {
        Self {
            store,
            hub: Hub::default(),
            admin_token: config.admin_token.as_deref().map(Arc::from),
            assets_dir: config.assets_dir.clone(),
            comments: CommentLimits {
                edit_window: Duration::from_secs(config.comments.edit_window_secs),
                posting: PostingLimits::new(
                    config.comments.participant_per_minute,
                    config.comments.site_per_minute,
                ),
            },
            proposals: PostingLimits::new(
                config.proposals.participant_per_minute,
                config.proposals.site_per_minute,
            ),
        }
    }

    /// Opens the database (migrating it) and applies the config file's sites.
    pub async fn from_config(config: &Config) -> Result<Self, StoreError> {
        let store = open_store(config).await?;
        if !config.assets_dir.is_dir() {
            tracing::warn!(
                dir = %config.assets_dir.display(),
                "assets directory not found: widget files will answer 404 (run `cargo xtask build`)"
            );
        }
        Ok(Self::new(store, config))
    }

    pub fn admin_token(&self) -> Option<&str> {
        self.admin_token.as_deref()
    }
}

/// Opens the database named by the config and upserts the sites it lists.
pub async fn open_store(config: &Config) -> Result<Store, StoreError> {
    let store = Store::connect(&config.database_url).await?;
    for site in &config.sites {
        store.upsert_site(site).await?;
    }
    Ok(store)
}

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    routes::router(state)
}
