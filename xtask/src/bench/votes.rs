//! `cargo xtask bench votes`: durable votes per second on SQLite and PostgreSQL, from 100
//! and 1,000 concurrent voters, on an empty poll and on one already holding a million
//! ballots, then at a fixed 5,000 votes/s; every stored tally reconciled with the votes the
//! endpoint acknowledged.

use std::collections::HashMap;
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde_json::Value;
use sqlx::Connection;

use super::{build_release, check_counters, flag, micros, Bench};
use crate::endpoint::Endpoint;
use crate::postgres;

const OPTIONS: [&str; 4] = ["A", "B", "C", "D"];

/// One load's outcome, as the load process tells it.
struct Load {
    acknowledged: u64,
    failed: u64,
    by_option: HashMap<i64, u64>,
    seconds: f64,
    p50_us: u64,
    p99_us: u64,
}

/// What a backend reached, for the summary line.
#[derive(Default)]
struct Best {
    votes_per_second: f64,
    full_votes_per_second: f64,
    p99_at_rate_us: u64,
    lost: u64,
    double: u64,
}

pub fn run(args: &[&str]) -> Result<()> {
    let seconds = flag(args, "--seconds", 5)?;
    let ballots = flag(args, "--ballots", 1_000_000)?;
    let backends = super::text_flag(args, "--backends", "sqlite,postgres");
    build_release()?;
    crate::raise_open_files();
    let runtime = tokio::runtime::Runtime::new()?;
    let mut summary = Vec::new();
    println!(
        "{:<9} {:>10} {:>6} {:>9} {:>9} {:>9} {:>11} {:>6} {:>7}",
        "backend", "ballots", "conns", "votes/s", "p50", "p99", "CPU/vote", "lost", "double"
    );
    for backend in backends.split(',') {
        let best = match backend {
            "sqlite" => {
                let server = Endpoint::for_bench_on(None)?;
                runtime.block_on(matrix(&server, backend, seconds, ballots))?
            }
            "postgres" => {
                let pg = postgres::TestServer::ensure()?;
                let url = pg.create_database("bench")?;
                let server = Endpoint::for_bench_on(Some(&url))?;
                let best = runtime.block_on(matrix(&server, backend, seconds, ballots))?;
                drop(server);
                best
            }
            other => bail!("unknown backend {other:?} (sqlite, postgres)"),
        };
        summary.push(format!(
            "{backend} {:.0} votes/s ({:.0}/s on {ballots} ballots), p99 {} at 5,000/s, lost {}, double-counted {}",
            best.votes_per_second,
            best.full_votes_per_second,
            micros(best.p99_at_rate_us),
            best.lost,
            best.double
        ));
    }
    println!("summary: {}", summary.join("; "));
    Ok(())
}

async fn matrix(server: &Endpoint, backend: &str, seconds: usize, ballots: usize) -> Result<Best> {
    let bench = Bench::with_site(server, 8).await?;
    let mut options = HashMap::new();
    for poll in ["empty", "full"] {
        options.insert(poll, bench.poll(poll, &OPTIONS).await?);
    }
    fill(&server.database_url, "full", &options["full"], ballots).await?;
    let mut best = Best::default();
    for (poll, held) in [("empty", 0), ("full", ballots)] {
        for connections in [100, 1000] {
            let (load, cpu, lost, double) = measure(
                server,
                &bench,
                poll,
                &options[poll],
                connections,
                seconds,
                None,
            )
            .await?;
            let rate = load.acknowledged as f64 / load.seconds;
            row(backend, held, connections, &load, cpu, lost, double);
            best.lost += lost;
            best.double += double;
            if poll == "empty" {
                best.votes_per_second = best.votes_per_second.max(rate);
            } else {
                best.full_votes_per_second = best.full_votes_per_second.max(rate);
            }
        }
    }
    let (load, cpu, lost, double) = measure(
        server,
        &bench,
        "empty",
        &options["empty"],
        200,
        seconds,
        Some(5000),
    )
    .await?;
    row(&format!("{backend}@5k/s"), 0, 200, &load, cpu, lost, double);
    best.p99_at_rate_us = load.p99_us;
    best.lost += lost;
    best.double += double;
    check_counters(&server.database_url).await?;
    Ok(best)
}

fn row(
    backend: &str,
    held: usize,
    connections: usize,
    load: &Load,
    cpu: f64,
    lost: u64,
    double: u64,
) {
    let per_vote = if load.acknowledged > 0 {
        format!("{:.0} µs", cpu * 1e6 / load.acknowledged as f64)
    } else {
        "-".into()
    };
    println!(
        "{backend:<9} {held:>10} {connections:>6} {:>9.0} {:>9} {:>9} {per_vote:>11} {lost:>6} {double:>7}{}",
        load.acknowledged as f64 / load.seconds,
        micros(load.p50_us),
        micros(load.p99_us),
        if load.failed > 0 {
            format!("  ({} failed)", load.failed)
        } else {
            String::new()
        }
    );
}

/// Runs one load from a process of its own; returns it, the endpoint's CPU seconds during
/// it, and how many acknowledged votes the stored tally lacks or holds too many.
async fn measure(
    server: &Endpoint,
    bench: &Bench,
    poll: &str,
    options: &[i64],
    connections: usize,
    seconds: usize,
    rate: Option<usize>,
) -> Result<(Load, f64, u64, u64)> {
    let before = bench.tally(poll).await?;
    let cpu = server.cpu_seconds();
    let mut load = Command::new(super::release_xtask());
    load.args(["load", "votes", "--url"])
        .arg(server.base_url.trim_end_matches('/'))
        .args(["--poll", poll, "--options"])
        .arg(
            options
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(","),
        )
        .args(["--connections", &connections.to_string()])
        .args(["--seconds", &seconds.to_string()]);
    if let Some(rate) = rate {
        load.args(["--rate", &rate.to_string()]);
    }
    let output = tokio::task::spawn_blocking(move || load.output()).await??;
    if !output.status.success() {
        bail!(
            "the load failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let cpu = server.cpu_seconds() - cpu;
    let report: Value = serde_json::from_slice(&output.stdout).context("load report")?;
    let load = Load {
        acknowledged: report["acknowledged"].as_u64().unwrap_or(0),
        failed: report["failed"].as_u64().unwrap_or(0),
        by_option: report["by_option"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.parse().ok()?, v.as_u64()?)))
                    .collect()
            })
            .unwrap_or_default(),
        seconds: report["seconds"].as_f64().unwrap_or(1.0),
        p50_us: report["p50_us"].as_u64().unwrap_or(0),
        p99_us: report["p99_us"].as_u64().unwrap_or(0),
    };
    // Let the last answers' writes settle before reading the tally.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = bench.tally(poll).await?;
    let (mut lost, mut double) = (0, 0);
    for option in options {
        let stored =
            after.get(option).copied().unwrap_or(0) - before.get(option).copied().unwrap_or(0);
        let acknowledged = load.by_option.get(option).copied().unwrap_or(0) as i64;
        lost += (acknowledged - stored).max(0) as u64;
        // Unanswered votes (failed) may have been stored all the same.
        double += (stored - acknowledged - load.failed as i64).max(0) as u64;
    }
    Ok((load, cpu, lost, double))
}

/// Gives poll `poll` `ballots` ballots from as many participants, straight into the
/// database (the counters follow through SQLite's triggers; PostgreSQL's are set once).
async fn fill(database_url: &str, poll: &str, options: &[i64], ballots: usize) -> Result<()> {
    let started = std::time::Instant::now();
    let list = options
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let n = options.len();
    if database_url.starts_with("sqlite") {
        let mut db = sqlx::SqliteConnection::connect(database_url).await?;
        let script = format!(
            "BEGIN IMMEDIATE;
             INSERT INTO participants (site_id, key, created_at)
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ballots})
                 SELECT 'bench', 'fill-' || i, '2026-01-01T00:00:00Z' FROM n;
             INSERT INTO ballots (poll_id, participant_id, cast_at)
                 SELECT '{poll}', id, '2026-01-01T00:00:00Z' FROM participants WHERE key LIKE 'fill-%';
             INSERT INTO ballot_choices (poll_id, participant_id, option_id)
                 SELECT '{poll}', id, json_extract('[{list}]', '$[' || (id % {n}) || ']')
                 FROM participants WHERE key LIKE 'fill-%';
             COMMIT;"
        );
        sqlx::raw_sql(&script).execute(&mut db).await?;
    } else {
        let mut db = sqlx::PgConnection::connect(database_url).await?;
        let script = format!(
            "BEGIN;
             -- A million counter updates on one row would take minutes: the triggers are
             -- off for this filling, and the counters set once after it.
             SET LOCAL session_replication_role = replica;
             INSERT INTO participants (site_id, key, created_at)
                 SELECT 'bench', 'fill-' || i, '2026-01-01T00:00:00Z' FROM generate_series(1, {ballots}) i;
             INSERT INTO ballots (poll_id, participant_id, cast_at)
                 SELECT '{poll}', id, '2026-01-01T00:00:00Z' FROM participants WHERE key LIKE 'fill-%';
             INSERT INTO ballot_choices (poll_id, participant_id, option_id)
                 SELECT '{poll}', id, (ARRAY[{list}])[1 + id % {n}]
                 FROM participants WHERE key LIKE 'fill-%';
             UPDATE polls SET voters = (SELECT COUNT(*) FROM ballots b WHERE b.poll_id = polls.id)
                 WHERE id = '{poll}';
             UPDATE poll_options SET votes = (SELECT COUNT(*) FROM ballot_choices c
                 WHERE c.poll_id = poll_options.poll_id AND c.option_id = poll_options.id)
                 WHERE poll_id = '{poll}';
             COMMIT;"
        );
        sqlx::raw_sql(&script).execute(&mut db).await?;
    }
    eprintln!(
        "xtask: {ballots} ballots written in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
