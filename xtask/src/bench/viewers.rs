//! Live viewers for `bench live`, run as a process of their own (`cargo xtask load viewers
//! …`): thousands of server-sent event streams of one poll, each noting when it first saw
//! each voter count. Each stream is a connection of its own from its own source address in
//! 127.0.0.0/8 (so that their number is not bounded by one address's ports), as residents'
//! browsers connect; or, with `--http2 K`, K streams share each HTTP/2 connection from
//! 127.0.0.1, each naming its resident in `x-forwarded-for`, as a reverse proxy in front of
//! the endpoint carries them.
//!
//! `load viewers --url http://IP:PORT --poll ID --viewers N --seconds S [--origin O]
//! [--http2 K]` prints `{"ready": connected, "failed": F}` once every stream is open,
//! listens S seconds more, then prints one JSON object: for each voter count V, the
//! wall-clock time (µs since the Unix epoch) at which the last viewer saw V voters or more,
//! and how many never did.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use bytes::Bytes;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use super::load::{target, value};

/// Streams opened at once while connecting.
const CONNECTING: usize = 256;

/// Viewers per source address.
const PER_ADDRESS: usize = 200;

/// Where a viewer's events come from.
enum Events {
    /// A connection of its own, after the response's head.
    Connection(TcpStream),
    /// One stream of an HTTP/2 connection shared with other viewers.
    Stream(h2::RecvStream),
}

impl Events {
    /// The next bytes received; `None` once the stream ended.
    async fn next(&mut self, buffer: &mut [u8]) -> Option<Bytes> {
        match self {
            Self::Connection(stream) => match stream.read(buffer).await {
                Ok(0) | Err(_) => None,
                Ok(n) => Some(Bytes::copy_from_slice(&buffer[..n])),
            },
            Self::Stream(body) => {
                let chunk = body.data().await?.ok()?;
                let _ = body.flow_control().release_capacity(chunk.len());
                Some(chunk)
            }
        }
    }
}

/// How viewers reach the endpoint.
enum Route {
    /// Each over its own connection, with this request.
    Direct(Arc<String>),
    /// Over the shared HTTP/2 connections, K viewers each.
    Proxied {
        connections: Vec<h2::client::SendRequest<Bytes>>,
        per_connection: usize,
        uri: String,
        origin: String,
    },
}

/// What one viewer saw: the voter counts as they rose, with when (µs since the epoch).
#[derive(Default)]
struct Seen {
    rises: Vec<(u64, u64)>,
    /// The stream ended before the time was up.
    dropped: bool,
}

pub fn run(args: &[&str]) -> Result<()> {
    let (address, authority) = target(args)?;
    let poll = value(args, "--poll").context("--poll")?;
    let viewers: usize = value(args, "--viewers").unwrap_or("1000").parse()?;
    let seconds: f64 = value(args, "--seconds").unwrap_or("10").parse()?;
    let origin = value(args, "--origin").unwrap_or(super::ORIGIN);
    let per_connection: Option<usize> = value(args, "--http2").map(str::parse).transpose()?;
    let path = format!("/api/v1/polls/{poll}/events");
    let request = Arc::new(format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\n\
         accept: text/event-stream\r\norigin: {origin}\r\n\r\n"
    ));
    crate::raise_open_files();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let route = Arc::new(match per_connection {
            None => Route::Direct(request),
            Some(per_connection) => Route::Proxied {
                connections: proxy_connections(address, viewers.div_ceil(per_connection)).await?,
                per_connection,
                uri: format!("http://{authority}{path}"),
                origin: origin.to_owned(),
            },
        });
        let permits = Arc::new(tokio::sync::Semaphore::new(CONNECTING));
        let (opened, mut open) = tokio::sync::mpsc::unbounded_channel();
        let stop = Arc::new(tokio::sync::Notify::new());
        let mut tasks = Vec::with_capacity(viewers);
        for i in 0..viewers {
            let permit = permits.clone().acquire_owned().await?;
            let (route, opened, stop) = (route.clone(), opened.clone(), stop.clone());
            tasks.push(tokio::spawn(async move {
                let stream = open_events(&route, address, i).await;
                drop(permit);
                let _ = opened.send(stream.is_ok());
                match stream {
                    Ok(stream) => watch(stream, stop).await,
                    Err(_) => None,
                }
            }));
        }
        drop(opened);
        let (mut connected, mut failed) = (0, 0);
        // Each viewer tells once (its task keeps its sender while it watches).
        while connected + failed < viewers {
            let Some(ok) = open.recv().await else { break };
            if ok {
                connected += 1
            } else {
                failed += 1
            }
        }
        println!("{}", json!({"ready": connected, "failed": failed}));
        let until = Instant::now() + Duration::from_secs_f64(seconds);
        tokio::time::sleep_until(until.into()).await;
        stop.notify_waiters();
        let mut seen = Vec::with_capacity(connected);
        for task in tasks {
            if let Some(viewer) = task.await? {
                seen.push(viewer);
            }
        }
        println!("{}", report(&seen, failed));
        anyhow::Ok(())
    })
}

/// The source address of viewer `i`: 127.1.x.y, [`PER_ADDRESS`] viewers each.
fn source(i: usize) -> SocketAddr {
    let n = i / PER_ADDRESS;
    let address = Ipv4Addr::new(127, 1 + (n / 250) as u8, (n % 250) as u8, 1);
    SocketAddr::new(address.into(), 0)
}

/// Opens viewer `i`'s stream by `route`.
async fn open_events(route: &Route, to: SocketAddr, i: usize) -> Result<Events> {
    match route {
        Route::Direct(request) => Ok(Events::Connection(connect(to, source(i), request).await?)),
        Route::Proxied {
            connections,
            per_connection,
            uri,
            origin,
        } => {
            let connection = connections[i / per_connection].clone().ready().await?;
            let request = http::Request::get(uri.as_str())
                .header("accept", "text/event-stream")
                .header("origin", origin.as_str())
                .header("x-forwarded-for", resident(i).to_string())
                .body(())?;
            let (response, _) = { connection }.send_request(request, true)?;
            let response = tokio::time::timeout(Duration::from_secs(30), response).await??;
            anyhow::ensure!(response.status() == 200, "the stream was refused");
            Ok(Events::Stream(response.into_body()))
        }
    }
}

/// `count` HTTP/2 connections to `to` from 127.0.0.1 (a trusted proxy's address), each
/// driven by a task of its own.
async fn proxy_connections(
    to: SocketAddr,
    count: usize,
) -> Result<Vec<h2::client::SendRequest<Bytes>>> {
    let mut connections = Vec::with_capacity(count);
    for _ in 0..count {
        let tcp = TcpStream::connect(to).await?;
        tcp.set_nodelay(true)?;
        let (sender, connection) = h2::client::Builder::new()
            .initial_window_size(1 << 20)
            .initial_connection_window_size(1 << 24)
            .handshake(tcp)
            .await?;
        tokio::spawn(connection);
        connections.push(sender);
    }
    Ok(connections)
}

/// The address the proxy names viewer `i` by: one of 10.0.0.0/8, 200 to a /24 network.
fn resident(i: usize) -> Ipv4Addr {
    let n = i / PER_ADDRESS;
    Ipv4Addr::new(
        10,
        (n / 250) as u8,
        (n % 250) as u8,
        (i % PER_ADDRESS + 1) as u8,
    )
}

/// Opens one stream and reads its response head (which must be 200).
async fn connect(to: SocketAddr, from: SocketAddr, request: &str) -> Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(from)?;
    let mut stream = tokio::time::timeout(Duration::from_secs(30), socket.connect(to))
        .await
        .context("connecting timed out")??;
    stream.write_all(request.as_bytes()).await?;
    let mut head = Vec::new();
    let mut byte = [0u8; 512];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut byte)).await??;
        anyhow::ensure!(n > 0, "closed before answering");
        head.extend_from_slice(&byte[..n]);
    }
    anyhow::ensure!(head.starts_with(b"HTTP/1.1 200"), "the stream was refused");
    Ok(stream)
}

/// Reads events until `stop`, noting each rise of the voter count.
async fn watch(mut events: Events, stop: Arc<tokio::sync::Notify>) -> Option<Seen> {
    let mut seen = Seen::default();
    let mut buffer = [0u8; 2048];
    let stopped = stop.notified();
    tokio::pin!(stopped);
    stopped.as_mut().enable();
    loop {
        tokio::select! {
            _ = &mut stopped => return Some(seen),
            chunk = events.next(&mut buffer) => {
                let Some(chunk) = chunk else {
                    seen.dropped = true;
                    stopped.await;
                    return Some(seen);
                };
                let at = now_us();
                if let Some(voters) = highest_voters(&chunk) {
                    if seen.rises.last().is_none_or(|(last, _)| voters > *last) {
                        seen.rises.push((voters, at));
                    }
                }
            }
        }
    }
}

/// The highest `"voters":N` in a chunk of events.
fn highest_voters(chunk: &[u8]) -> Option<u64> {
    const KEY: &[u8] = b"\"voters\":";
    let mut highest = None;
    let mut at = 0;
    while let Some(found) = chunk[at..].windows(KEY.len()).position(|w| w == KEY) {
        let digits = &chunk[at + found + KEY.len()..];
        let end = digits
            .iter()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(digits.len());
        if let Some(n) = std::str::from_utf8(&digits[..end])
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
        {
            highest = highest.max(Some(n));
        }
        at += found + KEY.len();
    }
    highest
}

pub fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

/// For each voter count reached, when the last viewer saw it (`null` if one never did).
fn report(seen: &[Seen], failed: usize) -> serde_json::Value {
    let top = seen
        .iter()
        .filter_map(|viewer| viewer.rises.last().map(|(voters, _)| *voters))
        .max()
        .unwrap_or(0) as usize;
    // last[v]: the latest first sight of `v` or more voters over all viewers.
    let mut last = vec![0u64; top + 1];
    let mut missing = vec![0usize; top + 1];
    for viewer in seen {
        let mut from = 1;
        for (voters, at) in &viewer.rises {
            let reached = (*voters as usize).min(top);
            for time in last.iter_mut().take(reached + 1).skip(from) {
                *time = (*time).max(*at);
            }
            from = from.max(*voters as usize + 1);
        }
        for count in missing.iter_mut().skip(from) {
            *count += 1;
        }
    }
    json!({
        "viewers": seen.len(),
        "failed": failed,
        "dropped": seen.iter().filter(|viewer| viewer.dropped).count(),
        "last_seen_us": (1..=top)
            .map(|v| if missing[v] == 0 { json!(last[v]) } else { json!(null) })
            .collect::<Vec<_>>(),
        "missing": missing.iter().skip(1).sum::<usize>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_highest_voter_count_of_a_chunk() {
        let chunk = b"event: poll_changed\ndata: {\"voters\":12,\"results\":{\"voters\":12}}\n\n\
                      event: poll_changed\ndata: {\"voters\":15}\n\n";
        assert_eq!(highest_voters(chunk), Some(15));
        assert_eq!(highest_voters(b":\n\n"), None);
    }

    #[test]
    fn the_last_viewer_to_see_a_count_sets_its_time() {
        let seen = [
            Seen {
                rises: vec![(2, 100), (3, 300)],
                dropped: false,
            },
            Seen {
                rises: vec![(1, 50), (3, 400)],
                dropped: false,
            },
        ];
        let report = report(&seen, 0);
        assert_eq!(report["last_seen_us"], json!([100, 400, 400]));
        assert_eq!(report["missing"], 0);
        let behind = [
            Seen {
                rises: vec![(3, 10)],
                dropped: false,
            },
            Seen {
                rises: vec![(1, 20)],
                dropped: true,
            },
        ];
        let report = super::report(&behind, 1);
        assert_eq!(report["last_seen_us"], json!([20, null, null]));
        assert_eq!(report["missing"], 2);
        assert_eq!(report["dropped"], 1);
    }
}
