//! HTTP: resident routes, staff routes, operations, widget files, errors, extractors, guards.
//!
//! Handlers only translate between HTTP and the services.

mod admin;
mod assets;
mod comments;
mod console;
mod devices;
mod email;
pub mod error;
pub mod extract;
mod guard;
mod live;
mod openapi;
mod ops;
mod personal;
mod polls;
mod privacy;
mod proposals;
pub mod serve;
mod sso;

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, HeaderName};
use axum::middleware;
use axum::Router;
use civique_api::{limits, API_PREFIX};
use tokio::task::JoinHandle;

use crate::assets::Assets;
use crate::config::Config;
use crate::service::{self, Service};
use error::ApiError;

/// Why the endpoint could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Service(#[from] service::Error),
    #[error("reading the widget files in {dir}: {source}")]
    Assets {
        dir: PathBuf,
        source: std::io::Error,
    },
}

/// Everything a request handler needs; one reference count to clone (each middleware layer
/// and handler takes its own copy, several per request).
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] shares.
#[derive(Debug)]
pub struct Shared {
    pub service: Service,
    admin_token: Option<Arc<str>>,
    metrics_token: Option<Arc<str>>,
    pub assets: Arc<Assets>,
    /// How long a request's body may take to arrive.
    pub body_timeout: Duration,
    /// The key of the daily network names (shared by the instances of a database).
    network_secret: Arc<str>,
    /// Reverse proxies whose `client_ip_header` names the client.
    trusted_proxies: Arc<[IpAddr]>,
    client_ip_header: Option<HeaderName>,
    /// Tasks that live as long as the endpoint (relay, clean-ups), stopped by `shutdown`.
    background: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

/// The widget files of `dir`, or those built into the binary.
fn load_assets(dir: Option<&Path>) -> Result<Assets, StartError> {
    let (assets, from) = match dir {
        Some(dir) => {
            let assets = Assets::from_dir(dir).map_err(|source| StartError::Assets {
                dir: dir.to_owned(),
                source,
            })?;
            (assets, dir.display().to_string())
        }
        None => (Assets::embedded(), "this binary".to_owned()),
    };
    if assets.is_empty() {
        tracing::warn!(
            from,
            "no widget files: their URLs answer 404 (run `cargo xtask build`, then rebuild \
             the server or set assets_dir)"
        );
    } else {
        tracing::info!(from, files = assets.len(), "widget files loaded");
    }
    Ok(assets)
}

/// How often full rate-limit buckets are forgotten.
const BUCKET_CLEANUP: Duration = Duration::from_secs(300);
/// The first look for personal data past retention, after start.
const RETENTION_FIRST: Duration = Duration::from_secs(60);

impl AppState {
    /// Opens the database (migrating it), applies the config file's sites and starts the
    /// background tasks: the live-update relay on a shared database, bucket clean-ups, the
    /// erasure of personal data past retention.
    pub async fn from_config(config: &Config) -> Result<Self, StartError> {
        let service = Service::open(config).await?;
        let network_secret = service.network_secret().await?;
        let assets = load_assets(config.assets_dir.as_deref())?;
        let mut background = Vec::new();
        if let Some(relay) = service
            .live()
            .relay_through(service.store().clone())
            .await
            .map_err(service::Error::from)?
        {
            background.push(relay);
        }
        let cleaner = service.clone();
        background.push(tokio::spawn(async move {
            let mut ticks = tokio::time::interval(BUCKET_CLEANUP);
            loop {
                ticks.tick().await;
                if let Err(error) = cleaner.forget_full_buckets().await {
                    tracing::warn!(%error, "could not forget full rate-limit buckets");
                }
            }
        }));
        let eraser = service.clone();
        let every = Duration::from_secs(config.retention.every_secs);
        background.push(tokio::spawn(async move {
            let mut ticks = tokio::time::interval_at(
                tokio::time::Instant::now() + RETENTION_FIRST.min(every),
                every,
            );
            loop {
                ticks.tick().await;
                if let Err(error) = eraser.apply_retention().await {
                    tracing::warn!(%error, "could not erase the personal data past retention");
                }
            }
        }));
        Ok(Self(Arc::new(Shared {
            service,
            admin_token: config.admin_token.as_deref().map(Arc::from),
            metrics_token: config.metrics_token.as_deref().map(Arc::from),
            assets: Arc::new(assets),
            body_timeout: Duration::from_millis(config.connections.body_timeout_ms),
            network_secret: Arc::from(network_secret),
            trusted_proxies: Arc::from(config.connections.trusted_proxies.as_slice()),
            client_ip_header: config.connections.client_ip_header.clone(),
            background: Arc::new(Mutex::new(background)),
        })))
    }

    /// The client's address: `peer`, or, when `peer` is a trusted proxy, the last address
    /// (the one the proxy wrote) of the configured client header. `None` from a proxy that
    /// names no client: its connections carry many residents.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> Option<IpAddr> {
        if !self.trusted_proxies.contains(&peer) {
            return Some(peer);
        }
        let Some(header) = self.client_ip_header.as_ref() else {
            static TOLD: std::sync::Once = std::sync::Once::new();
            TOLD.call_once(|| {
                // Never the address: the log keeps none.
                tracing::warn!(
                    "requests arrive from a trusted proxy but connections.client_ip_header is \
                     unset: per-network limits do not apply to them (set the header the proxy \
                     names clients in, e.g. x-forwarded-for)"
                );
            });
            return None;
        };
        let value = headers.get_all(header).iter().next_back()?.to_str().ok()?;
        let address = value.rsplit(',').next()?.trim().parse::<IpAddr>().ok()?;
        Some(address.to_canonical())
    }

    pub fn admin_token(&self) -> Option<&str> {
        self.admin_token.as_deref()
    }

    pub fn metrics_token(&self) -> Option<&str> {
        self.metrics_token.as_deref()
    }

    /// Ends every event stream, stops the background tasks and closes the database.
    pub async fn shutdown(&self) {
        self.service.live().close();
        let tasks = std::mem::take(
            &mut *self
                .background
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for task in tasks {
            task.abort();
            let _ = task.await;
        }
        self.service.store().close().await;
    }
}

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let resident = Router::new()
        .merge(polls::router())
        .merge(comments::router())
        .merge(proposals::router())
        .merge(personal::router())
        .merge(privacy::router())
        .merge(sso::router())
        .merge(devices::router())
        .merge(email::router())
        // Set before the CORS layer so that preflights (OPTIONS) still pass through it.
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(guard::validators))
        .layer(middleware::from_fn_with_state(state.clone(), guard::cors));
    let api = Router::new()
        .merge(resident)
        .merge(admin::router(state.clone()))
        .merge(openapi::router())
        .layer(DefaultBodyLimit::max(limits::MAX_BODY_BYTES))
        .layer(middleware::from_fn(guard::detach_writes))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::body_deadline,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::client_network,
        ));
    // The console counts sign-in failures per network, as the admin API does.
    let console = console::router(state.service.clone()).layer(middleware::from_fn_with_state(
        state.clone(),
        guard::client_network,
    ));
    Router::new()
        .nest(API_PREFIX, api)
        .merge(console)
        .merge(ops::router())
        .merge(assets::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(guard::security_headers))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::observe,
        ))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NoRoute
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
