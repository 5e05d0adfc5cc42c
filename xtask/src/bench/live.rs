//! `cargo xtask bench live`: thousands of residents watching one poll (server-sent events
//! from a process of their own, `cargo xtask load viewers`) while votes arrive at a steady
//! rate: the time from a vote to the moment the last viewer saw it counted, the vote's own
//! latency, and the endpoint's memory per open stream.
//!
//! Each viewer has a connection of its own while the open-file limit allows (one open file
//! per viewer in the endpoint); beyond it (or with `--proxied`), viewers come as a reverse
//! proxy brings them: `--proxy-streams` of them share each HTTP/2 connection.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use super::viewers::now_us;
use super::{build_release, flag, micros, percentile, Bench};
use crate::endpoint::{random_token, Endpoint};

/// Viewers sharing one HTTP/2 connection when they come through a proxy, unless asked: a
/// few less than the endpoint lets one connection carry (`PROXY_STREAMS` in
/// `server/src/http/serve.rs`, 256), as a proxy such as Caddy fills each connection up to
/// that limit before it opens another.
const PROXY_STREAMS: usize = 250;

/// What one size reached, for the table and the summary line.
struct Outcome {
    viewers: u64,
    /// Viewers per connection.
    per_connection: usize,
    kib_per_viewer: f64,
    propagation_p50_us: u64,
    propagation_p99_us: u64,
    vote_p99_us: u64,
    votes: usize,
    unseen: u64,
}

pub fn run(args: &[&str]) -> Result<()> {
    let sizes: Vec<usize> = super::text_flag(args, "--viewers", "10000,50000")
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .context("--viewers takes numbers: 10000,50000")?;
    let rate = flag(args, "--rate", 100)?;
    let seconds = flag(args, "--seconds", 10)?;
    let proxy_streams = flag(args, "--proxy-streams", PROXY_STREAMS)?;
    let proxied = args.contains(&"--proxied");
    build_release()?;
    // The endpoint, started from here, inherits the limit.
    crate::raise_open_files();
    let runtime = tokio::runtime::Runtime::new()?;
    println!(
        "{:>8} {:>10} {:>9} {:>7} {:>14} {:>14} {:>10} {:>7}",
        "viewers",
        "per conn.",
        "KiB/view",
        "votes",
        "to last p50",
        "to last p99",
        "vote p99",
        "unseen"
    );
    let mut summary = Vec::new();
    // Each viewer is an open file in the endpoint and one in the viewers' process.
    let open_files = rlimit::Resource::NOFILE
        .get()
        .map_or(1024, |(soft, _)| soft);
    let most = open_files.saturating_sub(500) as usize;
    for viewers in sizes {
        let per_connection = if proxied || viewers > most {
            if !proxied {
                println!(
                    "{viewers} viewers on a connection each need {viewers} open files in one \
                     process; this machine allows {open_files} (a hard limit only root with \
                     CAP_SYS_RESOURCE raises): they come through a proxy, {proxy_streams} to \
                     an HTTP/2 connection"
                );
            }
            proxy_streams
        } else {
            1
        };
        let server = Endpoint::for_bench()?;
        let outcome = runtime.block_on(one(&server, viewers, per_connection, rate, seconds))?;
        println!(
            "{:>8} {:>10} {:>9.1} {:>7} {:>14} {:>14} {:>10} {:>7}",
            outcome.viewers,
            outcome.per_connection,
            outcome.kib_per_viewer,
            outcome.votes,
            micros(outcome.propagation_p50_us),
            micros(outcome.propagation_p99_us),
            micros(outcome.vote_p99_us),
            outcome.unseen
        );
        summary.push(format!(
            "{} viewers ({} a connection): vote to last viewer p99 {}, {:.1} KiB per viewer",
            outcome.viewers,
            outcome.per_connection,
            micros(outcome.propagation_p99_us),
            outcome.kib_per_viewer
        ));
    }
    println!("summary: {rate} votes/s; {}", summary.join("; "));
    Ok(())
}

async fn one(
    server: &Endpoint,
    viewers: usize,
    per_connection: usize,
    rate: usize,
    seconds: usize,
) -> Result<Outcome> {
    let bench = Bench::with_site(server, 16).await?;
    let options = bench.poll("live", &["Oui", "Non"]).await?;
    // A first vote, so that what is measured next is what the viewers add.
    bench.vote("live", &random_token(), options[0]).await?;
    let before = server.resident_bytes();

    let mut watching = Command::new(super::release_xtask());
    watching
        .args(["load", "viewers", "--url"])
        .arg(server.base_url.trim_end_matches('/'))
        .args(["--poll", "live", "--viewers", &viewers.to_string()])
        .args(["--seconds", &(seconds + 3).to_string()]);
    if per_connection > 1 {
        watching.args(["--http2", &per_connection.to_string()]);
    }
    let mut watching = watching
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start the viewers")?;
    let mut lines = BufReader::new(watching.stdout.take().context("viewers' output")?).lines();
    let ready: Value = serde_json::from_str(&lines.next().context("the viewers stopped")??)?;
    let connected = ready["ready"].as_u64().unwrap_or(0);
    if connected == 0 {
        bail!("no viewer could connect: {ready}");
    }
    // Let the streams settle (their first keep-alive timers), then measure.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = server.resident_bytes();
    let kib_per_viewer = after.saturating_sub(before) as f64 / 1024.0 / connected as f64;

    let sent = cast(&bench, &options, rate, seconds).await;
    let report = tokio::task::spawn_blocking(move || {
        let line = lines.next().context("the viewers stopped")??;
        let _ = watching.wait();
        anyhow::Ok(serde_json::from_str::<Value>(&line)?)
    })
    .await??;
    let last_seen = report["last_seen_us"]
        .as_array()
        .context("viewers' report")?;
    let mut propagation = Vec::new();
    let mut latencies = Vec::new();
    let mut unseen = 0;
    for (at, took, voters) in &sent {
        latencies.push(*took);
        match last_seen
            .get((*voters as usize).saturating_sub(1))
            .and_then(Value::as_u64)
        {
            Some(seen) => propagation.push(seen.saturating_sub(*at)),
            None => unseen += 1,
        }
    }
    Ok(Outcome {
        viewers: connected,
        per_connection,
        kib_per_viewer,
        propagation_p50_us: percentile(&mut propagation, 0.50),
        propagation_p99_us: percentile(&mut propagation, 0.99),
        vote_p99_us: percentile(&mut latencies, 0.99),
        votes: sent.len(),
        unseen,
    })
}

/// Votes at `rate` per second for `seconds`, each from a new participant; returns for each
/// acknowledged vote when it was sent (µs since the epoch), how long it took (µs) and the
/// voter count its answer gave.
async fn cast(bench: &Bench, options: &[i64], rate: usize, seconds: usize) -> Vec<(u64, u64, u64)> {
    let bench = Arc::new(bench.clone());
    let start = Instant::now();
    let mut tasks = Vec::new();
    for k in 0..rate * seconds {
        let due = start + Duration::from_secs_f64(k as f64 / rate as f64);
        let (bench, option) = (bench.clone(), options[k % options.len()]);
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(due.into()).await;
            let at = now_us();
            let voters = bench.vote("live", &random_token(), option).await.ok()?;
            Some((at, now_us() - at, voters))
        }));
    }
    let mut sent = Vec::with_capacity(tasks.len());
    for task in tasks {
        if let Ok(Some(vote)) = task.await {
            sent.push(vote);
        }
    }
    sent
}

impl Bench {
    /// Votes for `option` of `poll` as participant `token`; returns the voter count after.
    async fn vote(&self, poll: &str, token: &str, option: i64) -> Result<u64> {
        let view: Value = self
            .client
            .put(format!("{}polls/{poll}/vote", self.base))
            .header("x-civique-participant", token)
            .json(&json!({ "choices": [option] }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        view["results"]["voters"]
            .as_u64()
            .context("the vote's answer shows no voters")
    }
}
