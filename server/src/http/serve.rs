//! Serving: [`run`] binds, serves and stops on a signal; [`serve`] is the connection loop,
//! with what keeps one client from holding the endpoint (a header timeout that also ends idle
//! kept-alive connections, a cap on open connections, a cap per network) and a graceful stop.
//! Clients speak HTTP/1.1; trusted reverse proxies may also speak HTTP/2 without TLS (h2c),
//! carrying many residents' requests and event streams over few connections.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt as _;

use anyhow::Context as _;

use super::{app, AppState};
use crate::config::{Config, ConnectionConfig};
use crate::domain::network::Network;

/// Open files kept for what is not a connection: the database, its journal, the log.
const RESERVED_FILES: usize = 256;

/// How long accepting waits after the system refused a connection (out of open files).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Streams one HTTP/2 connection of a proxy may hold open at once (event streams included).
pub const PROXY_STREAMS: u32 = 256;

/// How often an HTTP/2 connection that carries nothing is checked for a live peer (a ping).
const PROXY_PING: Duration = Duration::from_secs(20);

/// The caps and timeout a connection is served with.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    pub header_timeout: Duration,
    /// Open connections at most.
    pub max_connections: usize,
    /// Open connections at most from one network; 0: unlimited.
    pub per_network: usize,
    /// Addresses whose connections no per-network cap counts (the reverse proxies).
    pub trusted_proxies: Vec<IpAddr>,
}

impl ConnectionLimits {
    /// The limits `config` asks for. An automatic cap raises this process's open-file limit
    /// to its hard limit and keeps [`RESERVED_FILES`] of it.
    pub fn from_config(config: &ConnectionConfig) -> Self {
        let max_connections = match config.max_connections {
            0 => open_files().saturating_sub(RESERVED_FILES).max(1),
            n => n,
        };
        Self {
            header_timeout: Duration::from_millis(config.header_timeout_ms),
            max_connections,
            per_network: config.per_network,
            trusted_proxies: config.trusted_proxies.clone(),
        }
    }
}

/// The open-file limit of this process, raised to its hard limit where allowed.
fn open_files() -> usize {
    let Ok((soft, hard)) = rlimit::Resource::NOFILE.get() else {
        return 1024;
    };
    let limit = if soft < hard && rlimit::Resource::NOFILE.set(hard, hard).is_ok() {
        hard
    } else {
        soft
    };
    usize::try_from(limit).unwrap_or(usize::MAX)
}

/// The address a request's connection comes from: the client's, or a reverse proxy's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer(pub IpAddr);

/// Open connections, in all and by network.
#[derive(Debug, Default)]
struct Open {
    total: usize,
    by_network: HashMap<Network, usize>,
}

/// A connection's place among the open ones, given back when it is dropped.
struct Slot {
    open: Arc<Mutex<Open>>,
    /// The network it counts against, unless it comes from a trusted proxy.
    network: Option<Network>,
}

/// Takes a slot for a connection from `peer`, if the caps leave one.
fn take_slot(open: &Arc<Mutex<Open>>, peer: IpAddr, limits: &ConnectionLimits) -> Option<Slot> {
    let network = (limits.per_network > 0 && !limits.trusted_proxies.contains(&peer))
        .then(|| Network::of(peer));
    let mut state = open.lock().unwrap_or_else(PoisonError::into_inner);
    if state.total >= limits.max_connections {
        return None;
    }
    if let Some(network) = network {
        let from_network = state.by_network.entry(network).or_insert(0);
        if *from_network >= limits.per_network {
            return None;
        }
        *from_network += 1;
    }
    state.total += 1;
    Some(Slot {
        open: Arc::clone(open),
        network,
    })
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut state = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        state.total -= 1;
        if let Some(network) = self.network {
            if let Some(count) = state.by_network.get_mut(&network) {
                *count -= 1;
                if *count == 0 {
                    state.by_network.remove(&network);
                }
            }
        }
    }
}

/// Serves `router` on `listener` until `stop` completes; then accepts no more connections,
/// lets each open one finish the request it is serving, and returns once all are closed.
///
/// The router is shared by every connection (cloning it shares its routes).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    stop: impl Future<Output = ()> + Send + 'static,
) {
    let (stopping, stop_seen) = watch::channel(false);
    tokio::spawn(async move {
        stop.await;
        let _ = stopping.send(true);
    });
    let open = Arc::new(Mutex::new(Open::default()));
    // Each connection holds a receiver: all are gone when `closed()` returns.
    let (all_closed, connection_alive) = watch::channel(());
    let mut stop_accepting = stop_seen.clone();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = stopped(&mut stop_accepting) => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of open files (or the client left at once): wait for some to close.
                tracing::warn!(%error, "could not accept a connection");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let from_proxy = limits.trusted_proxies.contains(&peer.ip().to_canonical());
        let Some(slot) = take_slot(&open, peer.ip().to_canonical(), &limits) else {
            // Over a cap: closed at once, so that it holds neither a file nor the backlog.
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        // Each request knows the address it came from (for limits, never stored).
        let peer = Peer(peer.ip().to_canonical());
        let service = TowerToHyperService::new(router.clone().map_request(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(peer);
                request.map(axum::body::Body::new)
            },
        ));
        let mut stop_seen = stop_seen.clone();
        let alive = connection_alive.clone();
        let header_timeout = limits.header_timeout;
        tokio::spawn(async move {
            // Browsers speak HTTP/2 only over TLS, which a proxy ends: others get HTTP/1.1,
            // whose header timer runs from the first byte awaited, so that a silent
            // connection ends too. A proxy's connection may open with HTTP/2's preface: its
            // first bytes must come within the same time.
            let mut builder = auto::Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            builder
                .http2()
                .timer(TokioTimer::new())
                .max_concurrent_streams(PROXY_STREAMS)
                .keep_alive_interval(PROXY_PING);
            if !from_proxy {
                builder = builder.http1_only();
            } else if !first_bytes(&stream, header_timeout).await {
                return;
            }
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                () = stopped(&mut stop_seen) => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(slot);
            drop(alive);
        });
    }
    drop(listener);
    drop(connection_alive);
    all_closed.closed().await;
}

/// Whether `stream` has something to read (or was closed) within `timeout`.
async fn first_bytes(stream: &tokio::net::TcpStream, timeout: Duration) -> bool {
    tokio::time::timeout(timeout, stream.peek(&mut [0; 1]))
        .await
        .is_ok()
}

/// How long in-flight requests may take to finish once a stop was asked for.
const DRAIN: Duration = Duration::from_secs(10);

/// Connections that may wait to be accepted: a burst of residents (a poll shown on a screen
/// in a council meeting) connects at once, and a full queue costs each dropped one a
/// second before its retry.
const BACKLOG: u32 = 4096;

/// A listener on the first address `listen` resolves to, with a [`BACKLOG`] queue.
async fn listen(listen: &str) -> std::io::Result<tokio::net::TcpListener> {
    let address = tokio::net::lookup_host(listen)
        .await?
        .next()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such address"))?;
    let socket = if address.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(BACKLOG)
}

/// Binds, prints `civique-server listening on http://ADDR` (scripts wait for it) and serves
/// until SIGTERM or Ctrl-C: then event streams end, in-flight requests get [`DRAIN`] to
/// finish, and the database is closed.
pub async fn run(config: &Config) -> anyhow::Result<()> {
    let state = AppState::from_config(config)
        .await
        .with_context(|| config.opening())?;
    let listener = listen(&config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    println!(
        "civique-server listening on http://{}",
        listener.local_addr()?
    );
    let (stopping, stop) = tokio::sync::oneshot::channel::<()>();
    let live = state.service.live().clone();
    let limits = ConnectionLimits::from_config(&config.connections);
    tracing::info!(
        max_connections = limits.max_connections,
        per_network = limits.per_network,
        "connection caps"
    );
    let server = serve(listener, app(state.clone()), limits, async move {
        stop_requested().await;
        tracing::info!("stopping: finishing in-flight requests");
        live.close();
        let _ = stopping.send(());
    });
    let served = tokio::spawn(server);
    let _ = stop.await;
    match tokio::time::timeout(DRAIN, served).await {
        Ok(result) => result?,
        Err(_) => tracing::warn!("requests still running after {DRAIN:?}: stopping anyway"),
    }
    state.shutdown().await;
    Ok(())
}

/// SIGTERM (systemd, container runtimes) or Ctrl-C.
async fn stop_requested() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

/// Once a stop was asked for on `stop`.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    // The guard `wait_for` gives is dropped here, before any other await.
    let _ = stop.wait_for(|stop| *stop).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_respect_both_caps_and_come_back() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let limits = ConnectionLimits {
            header_timeout: Duration::from_secs(1),
            max_connections: 5,
            per_network: 2,
            trusted_proxies: vec![proxy],
        };
        let open = Arc::new(Mutex::new(Open::default()));
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let a_too: IpAddr = "192.0.2.77".parse().unwrap();
        let b: IpAddr = "198.51.100.1".parse().unwrap();
        let first = take_slot(&open, a, &limits).unwrap();
        let _second = take_slot(&open, a_too, &limits).unwrap();
        assert!(take_slot(&open, a, &limits).is_none(), "per network");
        let _proxied = [
            take_slot(&open, proxy, &limits).unwrap(),
            take_slot(&open, proxy, &limits).unwrap(),
            take_slot(&open, proxy, &limits).unwrap(),
        ];
        assert!(take_slot(&open, b, &limits).is_none(), "in all");
        drop(first);
        assert!(take_slot(&open, a, &limits).is_some(), "a slot given back");
    }
}
