//! A plain HTTP load for `bench comments`, run as a process of its own (`cargo xtask load
//! requests …`), the same for civique and for the peer it is compared with.
//!
//! `load requests --url http://IP:PORT --method M --path P [--body B] [--header 'N: V']…
//! --connections C (--requests K | --seconds S)` sends K requests in all (or sends for S
//! seconds) over C connections, kept alive when the server allows. `{n}` in the path, the
//! body or a header becomes the request's number, so that each can differ. Prints one JSON
//! object: requests, ok (2xx), failed, seconds, p50/p99/p99.9 in µs.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::load::{read_response, target, value};

struct Plan {
    address: SocketAddr,
    method: String,
    path: String,
    body: Option<String>,
    headers: Vec<String>,
    host: String,
    /// Requests numbered so far (the next one's `{n}`).
    next: AtomicU64,
    requests: Option<u64>,
    deadline: Option<Instant>,
}

#[derive(Default)]
struct Outcome {
    ok: u64,
    failed: u64,
    latencies_us: Vec<u32>,
}

pub fn run(args: &[&str]) -> Result<()> {
    let (address, host) = target(args)?;
    let connections: usize = value(args, "--connections").unwrap_or("16").parse()?;
    let requests: Option<u64> = value(args, "--requests").map(str::parse).transpose()?;
    let seconds: Option<f64> = value(args, "--seconds").map(str::parse).transpose()?;
    let headers = args
        .windows(2)
        .filter(|pair| pair[0] == "--header")
        .map(|pair| pair[1].to_owned())
        .collect();
    crate::raise_open_files();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let started = Instant::now();
    let plan = Arc::new(Plan {
        address,
        method: value(args, "--method").unwrap_or("GET").to_owned(),
        path: value(args, "--path").context("--path")?.to_owned(),
        body: value(args, "--body").map(str::to_owned),
        headers,
        host,
        next: AtomicU64::new(0),
        requests,
        deadline: seconds.map(|s| started + Duration::from_secs_f64(s)),
    });
    anyhow::ensure!(
        plan.requests.is_some() || plan.deadline.is_some(),
        "--requests or --seconds"
    );
    let outcomes = runtime.block_on(async {
        let tasks: Vec<_> = (0..connections)
            .map(|_| tokio::spawn(connection(plan.clone())))
            .collect();
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(task.await?);
        }
        anyhow::Ok(outcomes)
    })?;
    let elapsed = started.elapsed().as_secs_f64();
    let mut all = Outcome::default();
    for outcome in outcomes {
        all.ok += outcome.ok;
        all.failed += outcome.failed;
        all.latencies_us.extend(outcome.latencies_us);
    }
    let mut latencies: Vec<u64> = all.latencies_us.iter().map(|&us| us.into()).collect();
    println!(
        "{}",
        json!({
            "requests": all.ok + all.failed,
            "ok": all.ok,
            "failed": all.failed,
            "seconds": elapsed,
            "p50_us": super::percentile(&mut latencies, 0.50),
            "p99_us": super::percentile(&mut latencies, 0.99),
            "p999_us": super::percentile(&mut latencies, 0.999),
        })
    );
    Ok(())
}

async fn connection(plan: Arc<Plan>) -> Outcome {
    let mut outcome = Outcome::default();
    let mut stream: Option<TcpStream> = None;
    let mut buffer = Vec::with_capacity(16 * 1024);
    loop {
        if plan
            .deadline
            .is_some_and(|deadline| Instant::now() >= deadline)
        {
            return outcome;
        }
        let n = plan.next.fetch_add(1, Ordering::Relaxed);
        if plan.requests.is_some_and(|requests| n >= requests) {
            return outcome;
        }
        let request = request(&plan, n);
        let started = Instant::now();
        let answer = async {
            if stream.is_none() {
                let socket = TcpStream::connect(plan.address).await?;
                socket.set_nodelay(true)?;
                stream = Some(socket);
            }
            let socket = stream.as_mut().expect("connected");
            socket.write_all(request.as_bytes()).await?;
            read_response(socket, &mut buffer).await
        };
        match tokio::time::timeout(Duration::from_secs(30), answer).await {
            Ok(Ok(answer)) => {
                if (200..300).contains(&answer.status) {
                    outcome.ok += 1;
                    outcome
                        .latencies_us
                        .push(u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX));
                } else {
                    outcome.failed += 1;
                }
                if !answer.keep_alive {
                    stream = None;
                }
            }
            Ok(Err(_)) | Err(_) => {
                outcome.failed += 1;
                stream = None;
            }
        }
    }
}

/// Request number `n`, written out.
fn request(plan: &Plan, n: u64) -> String {
    let number = n.to_string();
    let fill = |text: &str| text.replace("{n}", &number);
    let mut request = format!(
        "{} {} HTTP/1.1\r\nHost: {}\r\n",
        plan.method,
        fill(&plan.path),
        plan.host
    );
    for header in &plan.headers {
        request.push_str(&fill(header));
        request.push_str("\r\n");
    }
    match &plan.body {
        Some(body) => {
            let body = fill(body);
            request.push_str(&format!(
                "content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            ));
        }
        None => request.push_str("\r\n"),
    }
    request
}
