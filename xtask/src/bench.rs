//! `cargo xtask bench …`: measured figures for the README (never run by the tests).

use std::collections::HashMap;
use std::future::Future;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use crate::endpoint::{random_token, Endpoint};
use crate::{run, setup, widgets};

mod proposals;
mod size;
pub use proposals::run as proposals;
pub use size::check_budget as check_size_budget;

/// `cargo xtask bench size`: builds the release bundle and a release endpoint with it, and
/// prints, for a page with each kind of widget, the bytes it downloads.
pub fn size() -> Result<()> {
    setup::tools()?;
    widgets::build(widgets::Mode::Release)?;
    let server = release_endpoint()?;
    tokio::runtime::Runtime::new()?.block_on(size::report(&server))
}

/// Request latencies of one kind, measured from the client.
#[derive(Default)]
struct Latencies {
    samples: Vec<Duration>,
    failed: usize,
}

impl Latencies {
    fn merge(&mut self, other: Latencies) {
        self.samples.extend(other.samples);
        self.failed += other.failed;
    }

    /// `label: N requests, X/s, p50 …, p99 …, failed N` over `elapsed`.
    fn report(&mut self, label: &str, elapsed: Duration) {
        self.samples.sort();
        let pct = |p: f64| {
            self.samples
                .get(((self.samples.len().max(1) - 1) as f64 * p).round() as usize)
                .copied()
                .unwrap_or_default()
        };
        println!(
            "{label:<28} {:>6} requests  {:>7.0}/s  p50 {:>8}  p99 {:>8}  failed {}",
            self.samples.len(),
            self.samples.len() as f64 / elapsed.as_secs_f64(),
            ms(pct(0.50)),
            ms(pct(0.99)),
            self.failed
        );
    }
}

/// Times one request; a transport error or a non-2xx answer counts as failed.
async fn timed(
    latencies: &mut Latencies,
    request: reqwest::RequestBuilder,
) -> Option<reqwest::Response> {
    let started = Instant::now();
    let response = request.send().await;
    latencies.samples.push(started.elapsed());
    match response {
        Ok(r) if r.status().is_success() => Some(r),
        _ => {
            latencies.failed += 1;
            None
        }
    }
}

/// Runs `job(0..count)` with at most `concurrency` at a time and collects what they return.
async fn concurrently<T, F, Fut>(count: usize, concurrency: usize, job: F) -> Result<Vec<T>>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    let semaphore = Arc::new(tokio::sync::Semaphore::new(concurrency));
    let mut tasks = Vec::with_capacity(count);
    for i in 0..count {
        let permit = semaphore.clone().acquire_owned().await?;
        let work = job(i);
        tasks.push(tokio::spawn(async move {
            let out = work.await;
            drop(permit);
            out
        }));
    }
    let mut out = Vec::with_capacity(count);
    for task in tasks {
        out.push(task.await?);
    }
    Ok(out)
}

/// A client for `server`, with admin calls.
struct Bench {
    client: reqwest::Client,
    base: String,
    admin_token: String,
}

impl Bench {
    /// A client for `server`, which gets the site `bench` to hold the benchmark's widgets.
    async fn with_site(server: &Endpoint, concurrency: usize) -> Result<Self> {
        let bench = Self {
            client: reqwest::Client::builder()
                .pool_max_idle_per_host(concurrency)
                .build()?,
            base: format!("{}api/v1/", server.base_url),
            admin_token: server.admin_token.clone(),
        };
        bench
            .admin(
                "sites",
                json!({"id": "bench", "name": "Bench", "origins": ["http://bench.invalid"]}),
            )
            .await?;
        Ok(bench)
    }

    async fn admin(&self, path: &str, body: Value) -> Result<Value> {
        Ok(self
            .client
            .post(format!("{}admin/{path}", self.base))
            .bearer_auth(&self.admin_token)
            .json(&body)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }
}

fn release_endpoint() -> Result<Endpoint> {
    run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())).args([
            "build",
            "--release",
            "-p",
            "civique-server",
        ]),
    )?;
    Endpoint::for_bench()
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

/// `cargo xtask bench votes`: N voters (each votes, a third change their vote) with C at a
/// time against a release endpoint on SQLite; then the stored totals are compared with the
/// acknowledged votes.
pub fn votes(args: &[&str]) -> Result<()> {
    let voters = flag(args, "--voters", 2000)?;
    let concurrency = flag(args, "--concurrency", 32)?;
    let server = release_endpoint()?;
    tokio::runtime::Runtime::new()?.block_on(votes_against(&server, voters, concurrency))
}

const OPTIONS: usize = 4;

async fn votes_against(server: &Endpoint, voters: usize, concurrency: usize) -> Result<()> {
    let bench = Bench::with_site(server, concurrency).await?;
    let poll = bench
        .admin(
            "polls",
            json!({
                "id": "bench-poll", "site_id": "bench", "question": "Bench?", "kind": "multiple",
                "max_choices": 2, "options": ["A", "B", "C", "D"], "results_visibility": "always"
            }),
        )
        .await?;
    let option_ids: Vec<i64> = poll["options"]
        .as_array()
        .context("poll has no options")?
        .iter()
        .filter_map(|o| o["id"].as_i64())
        .collect();
    let url = format!("{}polls/bench-poll/vote", bench.base);
    let started = Instant::now();
    let outcomes = concurrently(voters, concurrency, |voter| {
        let (client, url, ids) = (bench.client.clone(), url.clone(), option_ids.clone());
        async move {
            let token = random_token();
            // Every voter votes; every third one changes their mind afterwards.
            let mut plans = vec![vec![ids[voter % OPTIONS]]];
            if voter % 3 == 0 {
                plans.push(vec![ids[(voter + 1) % OPTIONS], ids[(voter + 2) % OPTIONS]]);
            }
            let mut latencies = Latencies::default();
            let mut acknowledged = None;
            for choices in plans {
                let request = client
                    .put(&url)
                    .header("x-civique-participant", &token)
                    .json(&json!({ "choices": choices }));
                if timed(&mut latencies, request).await.is_some() {
                    acknowledged = Some(choices);
                }
            }
            (latencies, acknowledged)
        }
    })
    .await?;
    let elapsed = started.elapsed();
    let mut latencies = Latencies::default();
    let mut expected: HashMap<i64, u64> = HashMap::new();
    let mut acknowledged_voters = 0u64;
    for (lat, ack) in outcomes {
        latencies.merge(lat);
        if let Some(choices) = ack {
            acknowledged_voters += 1;
            for c in choices {
                *expected.entry(c).or_default() += 1;
            }
        }
    }
    let poll: Value = bench
        .client
        .get(format!("{}polls/bench-poll", bench.base))
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
    println!(
        "voters {voters}, concurrency {concurrency}, elapsed {:.2} s",
        elapsed.as_secs_f64()
    );
    latencies.report("votes (PUT /vote)", elapsed);
    println!("acknowledged voters {acknowledged_voters}, stored voters {stored_voters}");
    println!("lost {lost}, double-counted {double}");
    if lost != 0 || double != 0 {
        bail!("stored totals differ from acknowledged votes");
    }
    Ok(())
}

/// `cargo xtask bench comments`: fills a thread of 10 and one of 10,000 comments over HTTP
/// (posts/s), then reads the first page of both while others keep posting (reads/s, p50/p99).
pub fn comments(args: &[&str]) -> Result<()> {
    let large = flag(args, "--comments", 10_000)?;
    let reads = flag(args, "--reads", 1_000)?;
    let concurrency = flag(args, "--concurrency", 32)?;
    let server = release_endpoint()?;
    tokio::runtime::Runtime::new()?.block_on(comments_against(&server, large, reads, concurrency))
}

async fn comments_against(
    server: &Endpoint,
    large: usize,
    reads: usize,
    concurrency: usize,
) -> Result<()> {
    let bench = Bench::with_site(server, concurrency).await?;
    for id in ["small", "large"] {
        bench
            .admin(
                "threads",
                json!({"id": id, "site_id": "bench", "title": id}),
            )
            .await?;
    }
    // Some residents post many comments: 200 participants share the posts.
    let tokens: Arc<Vec<String>> = Arc::new((0..200).map(|_| random_token()).collect());
    let post = |thread: &'static str| {
        let (client, base, tokens) = (bench.client.clone(), bench.base.clone(), tokens.clone());
        move |i: usize| {
            let (client, url, token) = (
                client.clone(),
                format!("{base}threads/{thread}/comments"),
                tokens[i % tokens.len()].clone(),
            );
            async move {
                let mut latencies = Latencies::default();
                let text =
                    format!("Commentaire n°{i} : *avis* sur le [projet](https://example.org/{i}).");
                let request = client
                    .post(url)
                    .header("x-civique-participant", token)
                    .json(&json!({"author_name": format!("Habitant {}", i % 200), "text": text}));
                timed(&mut latencies, request).await;
                latencies
            }
        }
    };
    let started = Instant::now();
    let mut posts = Latencies::default();
    for lat in concurrently(10, concurrency, post("small")).await? {
        posts.merge(lat);
    }
    for lat in concurrently(large, concurrency, post("large")).await? {
        posts.merge(lat);
    }
    let fill = started.elapsed();
    println!("threads of 10 and {large} comments, concurrency {concurrency}");
    posts.report("posts (filling)", fill);

    // Mixed: first pages of both threads read while posting goes on.
    let read = |thread: &'static str| {
        let (client, base) = (bench.client.clone(), bench.base.clone());
        move |_: usize| {
            let (client, url) = (
                client.clone(),
                format!("{base}threads/{thread}/comments?sort=newest"),
            );
            async move {
                let mut latencies = Latencies::default();
                if let Some(r) = timed(&mut latencies, client.get(url)).await {
                    let _ = r.bytes().await;
                }
                latencies
            }
        }
    };
    let started = Instant::now();
    let (small, big, more) = tokio::join!(
        concurrently(reads, concurrency / 3 + 1, read("small")),
        concurrently(reads, concurrency / 3 + 1, read("large")),
        concurrently(reads / 4, concurrency / 3 + 1, post("large")),
    );
    let elapsed = started.elapsed();
    for (label, outcomes) in [
        ("first page, 10 comments", small?),
        ("first page, large thread", big?),
        ("posts (during reads)", more?),
    ] {
        let mut all = Latencies::default();
        outcomes.into_iter().for_each(|l| all.merge(l));
        all.report(label, elapsed);
    }
    Ok(())
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}
