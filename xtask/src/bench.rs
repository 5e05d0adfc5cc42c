//! `cargo xtask bench …`: measured figures for the README (never run by the tests).

use std::collections::HashMap;
use std::io::Write;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use crate::endpoint::{random_token, Endpoint};
use crate::{root, run, setup, widgets};

/// Brotli budget for everything a page with a poll downloads (loader + wasm + glue + CSS).
const BUDGET_BROTLI_BYTES: usize = 100 * 1024;

/// The files a page with a widget downloads, as `(label, path under pkg/)`.
const BUNDLE: &[(&str, &str)] = &[
    ("loader  civique.js", "loader/civique.js"),
    ("wasm    civique_bg.wasm", "civique_bg.wasm"),
    ("glue    pkg/civique.js", "civique.js"),
    ("css     civique.css", "civique.css"),
];

struct Sizes {
    raw: usize,
    gzip: usize,
    brotli: usize,
}

fn measure(bytes: &[u8]) -> Result<Sizes> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes)?;
    let gzip = gz.finish()?.len();
    let mut br = Vec::new();
    brotli::BrotliCompress(
        &mut &bytes[..],
        &mut br,
        &brotli::enc::BrotliEncoderParams {
            quality: 11,
            lgwin: 22,
            ..Default::default()
        },
    )?;
    Ok(Sizes {
        raw: bytes.len(),
        gzip,
        brotli: br.len(),
    })
}

fn bundle_sizes() -> Result<Vec<(&'static str, Sizes)>> {
    BUNDLE
        .iter()
        .map(|(label, file)| {
            let path = root().join("pkg").join(file);
            let bytes = std::fs::read(&path).with_context(|| {
                format!("{} is missing: run `cargo xtask build`", path.display())
            })?;
            Ok((*label, measure(&bytes)?))
        })
        .collect()
}

/// `cargo xtask bench size`: builds the release bundle and prints its sizes.
pub fn size() -> Result<()> {
    setup::tools()?;
    widgets::build(widgets::Mode::Release)?;
    let sizes = bundle_sizes()?;
    println!(
        "{:<26} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip", "brotli"
    );
    let (mut raw, mut gzip, mut brotli) = (0, 0, 0);
    for (label, s) in &sizes {
        println!("{label:<26} {:>10} {:>10} {:>10}", s.raw, s.gzip, s.brotli);
        raw += s.raw;
        gzip += s.gzip;
        brotli += s.brotli;
    }
    println!("{:<26} {raw:>10} {gzip:>10} {brotli:>10}", "total");
    println!(
        "budget: brotli total {brotli} B of {BUDGET_BROTLI_BYTES} B ({})",
        if brotli <= BUDGET_BROTLI_BYTES {
            "within"
        } else {
            "OVER"
        }
    );
    Ok(())
}

/// Part of `cargo xtask test`: a size is deterministic, so the budget is checked there too.
pub fn check_size_budget() -> Result<()> {
    let total: usize = bundle_sizes()?.iter().map(|(_, s)| s.brotli).sum();
    if total > BUDGET_BROTLI_BYTES {
        bail!("the widget bundle is {total} B brotli, over the {BUDGET_BROTLI_BYTES} B budget");
    }
    eprintln!("xtask: widget bundle {total} B brotli (budget {BUDGET_BROTLI_BYTES} B)");
    Ok(())
}

/// `cargo xtask bench votes`: N voters (each votes, a third change their vote) with C at a
/// time against a release endpoint on SQLite; then the stored totals are compared with the
/// acknowledged votes.
pub fn votes(args: &[&str]) -> Result<()> {
    let voters = flag(args, "--voters", 2000)?;
    let concurrency = flag(args, "--concurrency", 32)?;
    run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())).args([
            "build",
            "--release",
            "-p",
            "civique-server",
        ]),
    )?;
    let server = Endpoint::for_bench()?;
    tokio::runtime::Runtime::new()?.block_on(votes_against(&server, voters, concurrency))
}

fn flag(args: &[&str], name: &str, default: usize) -> Result<usize> {
    match args.iter().position(|a| *a == name) {
        Some(i) => args
            .get(i + 1)
            .context("missing value")?
            .parse()
            .with_context(|| format!("{name} takes a number")),
        None => Ok(default),
    }
}

const OPTIONS: usize = 4;

async fn votes_against(server: &Endpoint, voters: usize, concurrency: usize) -> Result<()> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let admin = |path: &str| {
        client
            .post(format!("{}api/v1/admin/{path}", server.base_url))
            .bearer_auth(&server.admin_token)
    };
    admin("sites")
        .json(&json!({"id": "bench", "name": "Bench", "origins": ["http://bench.invalid"]}))
        .send()
        .await?
        .error_for_status()?;
    let poll: Value = admin("polls")
        .json(&json!({
            "id": "bench-poll", "site_id": "bench", "question": "Bench?", "kind": "multiple",
            "max_choices": 2, "options": ["A", "B", "C", "D"], "results_visibility": "always"
        }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let option_ids: Vec<i64> = poll["options"]
        .as_array()
        .context("poll has no options")?
        .iter()
        .filter_map(|o| o["id"].as_i64())
        .collect();
    let url = format!("{}api/v1/polls/bench-poll/vote", server.base_url);
    let semaphore = Arc::new(tokio::sync::Semaphore::new(concurrency));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(voters);
    for voter in 0..voters {
        let (client, url, ids, semaphore) = (
            client.clone(),
            url.clone(),
            option_ids.clone(),
            semaphore.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let _permit = semaphore.acquire_owned().await.expect("semaphore open");
            let token = random_token();
            // Every voter votes; every third one changes their mind afterwards.
            let mut plans = vec![vec![ids[voter % OPTIONS]]];
            if voter % 3 == 0 {
                plans.push(vec![ids[(voter + 1) % OPTIONS], ids[(voter + 2) % OPTIONS]]);
            }
            let mut latencies = Vec::new();
            let mut failures = 0usize;
            let mut acknowledged: Option<Vec<i64>> = None;
            for choices in plans {
                let t = Instant::now();
                let response = client
                    .put(&url)
                    .header("x-civique-participant", &token)
                    .json(&json!({ "choices": choices }))
                    .send()
                    .await;
                latencies.push(t.elapsed());
                if matches!(&response, Ok(r) if r.status().is_success()) {
                    acknowledged = Some(choices);
                } else {
                    failures += 1;
                }
            }
            (latencies, failures, acknowledged)
        }));
    }
    let mut latencies = Vec::new();
    let mut expected: HashMap<i64, u64> = HashMap::new();
    let (mut acknowledged_voters, mut failed) = (0u64, 0usize);
    for task in tasks {
        let (lat, failures, ack) = task.await?;
        failed += failures;
        latencies.extend(lat);
        if let Some(choices) = ack {
            acknowledged_voters += 1;
            for c in choices {
                *expected.entry(c).or_default() += 1;
            }
        }
    }
    let elapsed = started.elapsed();
    let poll: Value = client
        .get(format!("{}api/v1/polls/bench-poll", server.base_url))
        .send()
        .await?
        .json()
        .await?;
    let results = &poll["results"];
    let stored_voters = results["voters"].as_u64().unwrap_or(0);
    let (mut lost, mut double) = (0u64, 0u64);
    for count in results["counts"].as_array().context("no results")? {
        let id = count["option_id"].as_i64().unwrap_or(-1);
        let stored = count["votes"].as_u64().unwrap_or(0);
        let want = expected.get(&id).copied().unwrap_or(0);
        lost += want.saturating_sub(stored);
        double += stored.saturating_sub(want);
    }
    lost += acknowledged_voters.saturating_sub(stored_voters);
    double += stored_voters.saturating_sub(acknowledged_voters);
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "voters {voters}, concurrency {concurrency}, requests {}",
        latencies.len()
    );
    println!(
        "elapsed {:.2} s, votes/s {:.0}",
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64()
    );
    println!("latency p50 {}, p99 {}", ms(pct(0.50)), ms(pct(0.99)));
    println!("acknowledged voters {acknowledged_voters}, stored voters {stored_voters}, failed requests {failed}");
    println!("lost {lost}, double-counted {double}");
    if lost != 0 || double != 0 {
        bail!("stored totals differ from acknowledged votes");
    }
    Ok(())
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}
