//! `cargo xtask bench …`: measured figures for the README (never run by the tests).

use std::collections::HashMap;
use std::future::Future;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use crate::endpoint::Endpoint;
use crate::{run, setup, widgets};

mod comments;
mod crash;
mod live;
mod load;
mod proposals;
mod requests;
mod size;
mod viewers;
mod votes;

/// The page the benchmark site's widgets live on: every change carries it as its `Origin`,
/// as a browser's would.
const ORIGIN: &str = "http://bench.invalid";
pub use comments::run as comments;
pub use crash::run as crash;
pub use live::run as live;
pub use load::run as load;
pub use proposals::run as proposals;
pub use size::check_budget as check_size_budget;
pub use votes::run as votes;

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
#[derive(Clone)]
struct Bench {
    client: reqwest::Client,
    base: String,
    admin_token: String,
}

impl Bench {
    /// A client for `server`.
    fn on(server: &Endpoint, concurrency: usize) -> Result<Self> {
        Ok(Self {
            client: reqwest::Client::builder()
                .pool_max_idle_per_host(concurrency)
                .default_headers(
                    [(
                        reqwest::header::ORIGIN,
                        reqwest::header::HeaderValue::from_static(ORIGIN),
                    )]
                    .into_iter()
                    .collect(),
                )
                .build()?,
            base: format!("{}api/v1/", server.base_url),
            admin_token: server.admin_token.clone(),
        })
    }

    /// A client for `server`, which gets the site `bench` to hold the benchmark's widgets.
    async fn with_site(server: &Endpoint, concurrency: usize) -> Result<Self> {
        let bench = Self::on(server, concurrency)?;
        bench
            .admin(
                "sites",
                json!({"id": "bench", "name": "Bench", "origins": [ORIGIN]}),
            )
            .await?;
        Ok(bench)
    }

    /// Creates single-choice poll `id` of site `bench`, its results public; returns its
    /// options' ids.
    async fn poll(&self, id: &str, options: &[&str]) -> Result<Vec<i64>> {
        let view = self
            .admin(
                "polls",
                json!({
                    "id": id, "site_id": "bench", "question": "Bench?", "kind": "single",
                    "options": options, "results_visibility": "always"
                }),
            )
            .await?;
        Ok(view["options"]
            .as_array()
            .context("no options")?
            .iter()
            .filter_map(|o| o["id"].as_i64())
            .collect())
    }

    /// Stored votes of each option of public poll `poll`, as residents read them.
    async fn tally(&self, poll: &str) -> Result<HashMap<i64, i64>> {
        let view: Value = self
            .client
            .get(format!("{}polls/{poll}", self.base))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(view["results"]["counts"]
            .as_array()
            .context("the poll shows no results")?
            .iter()
            .filter_map(|c| Some((c["option_id"].as_i64()?, c["votes"].as_i64()?)))
            .collect())
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
    build_release()?;
    Endpoint::for_bench()
}

/// Builds the release endpoint and the release xtask (the load generator's process), each
/// on its own so that neither is rebuilt with the other's dependency features.
fn build_release() -> Result<()> {
    for package in ["civique-server", "xtask"] {
        run(
            Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())).args([
                "build",
                "--release",
                "-p",
                package,
            ]),
        )?;
    }
    Ok(())
}

/// The release xtask [`build_release`] built, which runs loads as a process of its own.
fn release_xtask() -> std::path::PathBuf {
    crate::endpoint::built(crate::endpoint::Profile::Release, "xtask")
}

/// The value after `name` in `args`, or `default`.
fn text_flag<'a>(args: &[&'a str], name: &str, default: &'a str) -> &'a str {
    args.iter()
        .position(|a| *a == name)
        .and_then(|i| args.get(i + 1))
        .copied()
        .unwrap_or(default)
}

/// `body`, with `db` a connection to `url` (SQLite or PostgreSQL), in an async function
/// that returns a `Result`.
macro_rules! with_database {
    ($url:expr, |$db:ident| $body:expr) => {{
        use sqlx::Connection as _;
        if $url.starts_with("sqlite") {
            let mut $db = sqlx::SqliteConnection::connect($url).await?;
            $body
        } else {
            let mut $db = sqlx::PgConnection::connect($url).await?;
            $body
        }
    }};
}
use with_database;

/// The counters the endpoint reads equal the rows they count.
async fn check_counters(database_url: &str) -> Result<()> {
    let sql = "SELECT COUNT(*) FROM polls p WHERE voters <> \
               (SELECT COUNT(*) FROM ballots b WHERE b.poll_id = p.id)";
    let drifted: i64 = with_database!(database_url, |db| sqlx::query_scalar(sql)
        .fetch_one(&mut db)
        .await?);
    if drifted != 0 {
        bail!("{drifted} polls' counters differ from their ballots");
    }
    Ok(())
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

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Microseconds shown as milliseconds.
fn micros(us: u64) -> String {
    format!("{:.1} ms", us as f64 / 1000.0)
}

/// The value at fraction `p` of `values` (sorted here).
fn percentile(values: &mut [u64], p: f64) -> u64 {
    values.sort_unstable();
    values
        .get(((values.len().max(1) - 1) as f64 * p).round() as usize)
        .copied()
        .unwrap_or(0)
}
