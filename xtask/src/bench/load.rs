//! The load generator of the benchmarks, run as a process of its own (`cargo xtask load …`)
//! so that what is measured is the endpoint: plain HTTP/1.1 over kept-alive connections,
//! each vote from a new participant, latencies kept to the microsecond.
//!
//! `load votes --url URL --poll ID --options 1,2 --connections N --seconds S [--rate R]
//! [--record FILE]` prints one JSON object: requests, acknowledged votes by option,
//! failures and latency percentiles. With `--rate` the votes are sent on a fixed schedule
//! and each latency counts from its scheduled time (a slow answer delays no measurement).
//! `--record` writes each acknowledged vote (`token option`) to FILE as it is answered.

use std::collections::HashMap;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What one connection saw.
#[derive(Default)]
struct Tally {
    sent: u64,
    failed: u64,
    by_option: HashMap<i64, u64>,
    latencies_us: Vec<u32>,
}

struct Plan {
    address: SocketAddr,
    host: String,
    poll: String,
    options: Vec<i64>,
    deadline: Instant,
    start: Instant,
    /// Seconds between two votes of the whole load, when it runs on a schedule.
    interval: Option<f64>,
    connections: usize,
    prefix: String,
    record: Option<Arc<Mutex<std::fs::File>>>,
}

/// The `--url http://IP:PORT` of a load: the address to connect to, and the `Host` to send.
pub(super) fn target(args: &[&str]) -> Result<(SocketAddr, String)> {
    let url = value(args, "--url").context("--url")?;
    let host = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let address = host.parse().context("--url must be http://IP:PORT")?;
    Ok((address, host))
}

pub(super) fn value<'a>(args: &'a [&str], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| *a == name)
        .and_then(|i| args.get(i + 1).copied())
}

/// `cargo xtask load votes …` (see the module's documentation).
pub fn run(args: &[&str]) -> Result<()> {
    match args {
        ["viewers", rest @ ..] => return super::viewers::run(rest),
        ["requests", rest @ ..] => return super::requests::run(rest),
        _ => {}
    }
    let ["votes", rest @ ..] = args else {
        bail!("usage: cargo xtask load votes --url URL --poll ID --options 1,2 --connections N --seconds S [--rate R] [--record FILE]");
    };
    let (address, authority) = target(rest)?;
    let options: Vec<i64> = value(rest, "--options")
        .context("--options")?
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let connections: usize = value(rest, "--connections").unwrap_or("32").parse()?;
    let seconds: f64 = value(rest, "--seconds").unwrap_or("5").parse()?;
    let rate: Option<f64> = value(rest, "--rate").map(str::parse).transpose()?;
    let record = value(rest, "--record")
        .map(|file| std::fs::File::create(file).map(|f| Arc::new(Mutex::new(f))))
        .transpose()?;
    crate::raise_open_files();
    // Every connection is open before the first vote (half a millisecond each to connect).
    let start = Instant::now() + Duration::from_millis(100 + connections as u64 / 2);
    let plan = Arc::new(Plan {
        address,
        host: authority,
        poll: value(rest, "--poll").context("--poll")?.to_owned(),
        options,
        deadline: start + Duration::from_secs_f64(seconds),
        start,
        interval: rate.map(|r| 1.0 / r),
        connections,
        prefix: crate::endpoint::random_token()[..12].to_owned(),
        record,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let tallies = runtime.block_on(async {
        let tasks: Vec<_> = (0..connections)
            .map(|i| tokio::spawn(connection(plan.clone(), i)))
            .collect();
        let mut tallies = Vec::with_capacity(connections);
        for task in tasks {
            tallies.push(task.await?);
        }
        anyhow::Ok(tallies)
    })?;
    let elapsed = plan
        .deadline
        .saturating_duration_since(plan.start)
        .as_secs_f64();
    let mut all = Tally::default();
    for tally in tallies {
        all.sent += tally.sent;
        all.failed += tally.failed;
        for (option, count) in tally.by_option {
            *all.by_option.entry(option).or_default() += count;
        }
        all.latencies_us.extend(tally.latencies_us);
    }
    all.latencies_us.sort_unstable();
    let pct = |p: f64| {
        all.latencies_us
            .get(((all.latencies_us.len().max(1) - 1) as f64 * p).round() as usize)
            .copied()
            .unwrap_or(0)
    };
    let acknowledged: u64 = all.by_option.values().sum();
    println!(
        "{}",
        json!({
            "sent": all.sent,
            "acknowledged": acknowledged,
            "failed": all.failed,
            "by_option": all.by_option.iter().map(|(k, v)| (k.to_string(), v)).collect::<HashMap<_, _>>(),
            "seconds": elapsed,
            "p50_us": pct(0.50),
            "p99_us": pct(0.99),
            "p999_us": pct(0.999),
        })
    );
    Ok(())
}

async fn connection(plan: Arc<Plan>, index: usize) -> Tally {
    let mut tally = Tally::default();
    let mut stream = TcpStream::connect(plan.address).await.ok();
    let mut buffer = Vec::with_capacity(4096);
    let mut n: u64 = 0;
    loop {
        // The k-th vote of the load is due at start + k × interval; this connection takes
        // every `connections`-th one.
        let due = match plan.interval {
            Some(interval) => {
                let k = n * plan.connections as u64 + index as u64;
                plan.start + Duration::from_secs_f64(k as f64 * interval)
            }
            None => Instant::now().max(plan.start),
        };
        if due >= plan.deadline {
            return tally;
        }
        tokio::time::sleep_until(due.into()).await;
        n += 1;
        let token = format!("{}{index:06}{n:010}", plan.prefix);
        let option = plan.options[(index + n as usize) % plan.options.len()];
        let body = format!("{{\"choices\":[{option}]}}");
        let request = format!(
            "PUT /api/v1/polls/{}/vote HTTP/1.1\r\nHost: {}\r\ncontent-type: application/json\r\n\
             origin: {}\r\nx-civique-participant: {token}\r\ncontent-length: {}\r\n\r\n{body}",
            plan.poll,
            plan.host,
            super::ORIGIN,
            body.len()
        );
        tally.sent += 1;
        let answer = async {
            if stream.is_none() {
                stream = Some(TcpStream::connect(plan.address).await?);
            }
            let socket = stream.as_mut().expect("connected");
            socket.write_all(request.as_bytes()).await?;
            read_response(socket, &mut buffer)
                .await
                .map(|answer| answer.status)
        };
        match tokio::time::timeout(Duration::from_secs(10), answer).await {
            Ok(Ok(200)) => {
                let waited = due.elapsed();
                tally
                    .latencies_us
                    .push(u32::try_from(waited.as_micros()).unwrap_or(u32::MAX));
                *tally.by_option.entry(option).or_default() += 1;
                if let Some(record) = &plan.record {
                    if let Ok(mut file) = record.lock() {
                        let _ = writeln!(file, "{token} {option}");
                    }
                }
            }
            Ok(Ok(_)) => tally.failed += 1,
            Ok(Err(_)) | Err(_) => {
                tally.failed += 1;
                // A new connection next time (the endpoint may be restarting).
                stream = None;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
}

/// One answer's status, and whether the connection may carry the next request.
pub(super) struct Answer {
    pub status: u16,
    pub keep_alive: bool,
}

/// Reads one response: its head, then a body sized by `content-length`, chunked, or ending
/// with the connection (HTTP/1.0 servers and `connection: close`).
pub(super) async fn read_response(
    socket: &mut TcpStream,
    buffer: &mut Vec<u8>,
) -> std::io::Result<Answer> {
    buffer.clear();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_ascii_lowercase();
    let status = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let header = |name: &str| {
        head.lines()
            .find_map(|line| line.strip_prefix(name))
            .map(|v| v.trim().to_owned())
    };
    let close = head.starts_with("http/1.0") || header("connection:").as_deref() == Some("close");
    let mut body = buffer.split_off(head_end);
    if let Some(length) = header("content-length:").and_then(|v| v.parse::<usize>().ok()) {
        while body.len() < length {
            let n = socket.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            body.extend_from_slice(&chunk[..n]);
        }
    } else if header("transfer-encoding:").is_some_and(|v| v.contains("chunked")) {
        // Done at the last chunk (`0` then an empty line).
        while !body.ends_with(b"\r\n0\r\n\r\n") && !body.starts_with(b"0\r\n\r\n") {
            let n = socket.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            body.extend_from_slice(&chunk[..n]);
        }
    } else if status != 204 && status != 304 {
        loop {
            let n = socket.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
        }
        return Ok(Answer {
            status,
            keep_alive: false,
        });
    }
    Ok(Answer {
        status,
        keep_alive: !close,
    })
}
