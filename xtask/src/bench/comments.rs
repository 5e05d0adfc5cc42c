//! `cargo xtask bench comments [--comments N] [--connections C] [--seconds S]`: civique and
//! Isso (from PyPI, in a virtual environment under `target/bench/`) side by side on the same
//! machine, loaded by the same separate process (`cargo xtask load requests`): N comments
//! posted into one thread over C connections (posts/s, p50, p99), then its first page read
//! for S seconds over C connections (and, for Isso, what its embed loads by default: the
//! whole thread); printed with civique's ratios to Isso.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use super::{build_release, flag, micros, release_xtask, Bench, ORIGIN};
use crate::endpoint::{Endpoint, TempDir};
use crate::root;

/// The Isso release compared with.
const ISSO: &str = "isso==0.14.0";

/// Top-level comments on civique's first page (`CommentPage::PAGE_SIZE`).
const PAGE_SIZE: usize = 20;

/// One load's figures, as the load process reports them.
struct Figures {
    per_second: f64,
    p50_us: u64,
    p99_us: u64,
    failed: u64,
}

/// How one peer is loaded.
struct Peer {
    name: &'static str,
    url: String,
    post_path: String,
    post_body: String,
    post_headers: Vec<String>,
    /// What a reader's page loads, by label.
    pages: Vec<(&'static str, String)>,
}

pub fn run(args: &[&str]) -> Result<()> {
    let comments = flag(args, "--comments", 1_400)?;
    let connections = flag(args, "--connections", 16)?;
    let seconds = flag(args, "--seconds", 5)?;
    build_release()?;
    let isso = isso_installed()?;
    let runtime = tokio::runtime::Runtime::new()?;

    let server = Endpoint::for_bench()?;
    runtime.block_on(async {
        let bench = Bench::with_site(&server, 4).await?;
        bench
            .admin(
                "threads",
                json!({"id": "bench", "site_id": "bench", "title": "Bench"}),
            )
            .await
    })?;
    let civique = Peer {
        name: "civique",
        url: server.base_url.trim_end_matches('/').to_owned(),
        post_path: "/api/v1/threads/bench/comments".into(),
        post_body: r#"{"author_name":"Habitant {n}","text":"Commentaire n°{n} : un avis sur le projet de la place."}"#.into(),
        post_headers: vec![
            format!("origin: {ORIGIN}"),
            "x-civique-participant: bench-participant-{n}".into(),
        ],
        // What the widget loads: the first page (20 top-level comments).
        pages: vec![(
            "first page",
            "/api/v1/threads/bench/comments?sort=newest".into(),
        )],
    };
    let dir = TempDir::new("civique-bench-isso")?;
    let mut isso_server = IssoServer::start(&isso, dir.path())?;
    let peer = Peer {
        name: "Isso",
        url: isso_server.url.clone(),
        post_path: "/new?uri=%2Fbench".into(),
        post_body: r#"{"author":"Habitant {n}","title":"Bench","text":"Commentaire n°{n} : un avis sur le projet de la place."}"#.into(),
        post_headers: vec![format!("origin: {ORIGIN}")],
        pages: vec![
            // As many top-level comments as civique's first page.
            (
                "first page",
                format!("/?uri=%2Fbench&limit={PAGE_SIZE}&nested_limit=5"),
            ),
            // What Isso's embed asks for by default (`data-isso-max-comments-top` "inf",
            // `-nested` 5): the whole thread.
            ("embed load", "/?uri=%2Fbench&nested_limit=5".into()),
        ],
    };

    println!("one thread filled with {comments} comments, then its first page read; {connections} connections");
    println!(
        "{:<8} {:<12} {:>9} {:>10} {:>10} {:>7}",
        "peer", "load", "per s", "p50", "p99", "failed"
    );
    let mut results = Vec::new();
    for peer in [&civique, &peer] {
        let posts = load(
            peer,
            "POST",
            &peer.post_path,
            Some(&peer.post_body),
            &peer.post_headers,
            connections,
            Limit::Requests(comments),
        )?;
        row(peer.name, "posting", &posts);
        let mut reads = Vec::new();
        for (label, path) in &peer.pages {
            let figures = load(
                peer,
                "GET",
                path,
                None,
                &[format!("origin: {ORIGIN}")],
                connections,
                Limit::Seconds(seconds),
            )?;
            row(peer.name, label, &figures);
            reads.push(figures);
        }
        results.push((posts, reads));
    }
    isso_server.stop();
    let [(posts, reads), (isso_posts, isso_reads)] = &results[..] else {
        bail!("two peers measured");
    };
    let (Some(page), Some(isso_page), Some(isso_embed)) =
        (reads.first(), isso_reads.first(), isso_reads.get(1))
    else {
        bail!("every read measured");
    };
    let ratio = |a: &Figures, b: &Figures| a.per_second / b.per_second.max(f64::MIN_POSITIVE);
    println!(
        "summary: posting {:.1}× Isso (p99 {} against {}); first page {:.1}× Isso's same page, \
         {:.1}× what Isso's embed loads (p99 {} against {} and {}); {comments} comments, \
         {connections} connections",
        ratio(posts, isso_posts),
        micros(posts.p99_us),
        micros(isso_posts.p99_us),
        ratio(page, isso_page),
        ratio(page, isso_embed),
        micros(page.p99_us),
        micros(isso_page.p99_us),
        micros(isso_embed.p99_us),
    );
    Ok(())
}

enum Limit {
    Requests(usize),
    Seconds(usize),
}

fn load(
    peer: &Peer,
    method: &str,
    path: &str,
    body: Option<&str>,
    headers: &[String],
    connections: usize,
    limit: Limit,
) -> Result<Figures> {
    let mut command = Command::new(release_xtask());
    command
        .args(["load", "requests", "--url", &peer.url, "--method", method])
        .args(["--path", path])
        .args(["--connections", &connections.to_string()]);
    if let Some(body) = body {
        command.args(["--body", body]);
    }
    for header in headers {
        command.args(["--header", header]);
    }
    match limit {
        Limit::Requests(n) => command.args(["--requests", &n.to_string()]),
        Limit::Seconds(s) => command.args(["--seconds", &s.to_string()]),
    };
    let output = command.output().context("cannot start the load")?;
    if !output.status.success() {
        bail!(
            "the load failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let report: Value = serde_json::from_slice(&output.stdout).context("load report")?;
    let ok = report["ok"].as_u64().unwrap_or(0);
    Ok(Figures {
        per_second: ok as f64 / report["seconds"].as_f64().unwrap_or(1.0),
        p50_us: report["p50_us"].as_u64().unwrap_or(0),
        p99_us: report["p99_us"].as_u64().unwrap_or(0),
        failed: report["failed"].as_u64().unwrap_or(0),
    })
}

fn row(peer: &str, load: &str, figures: &Figures) {
    println!(
        "{peer:<8} {load:<12} {:>9.0} {:>10} {:>10} {:>7}",
        figures.per_second,
        micros(figures.p50_us),
        micros(figures.p99_us),
        figures.failed
    );
}

/// Isso's program, installed from PyPI into `target/bench/isso` if it is not there yet.
fn isso_installed() -> Result<PathBuf> {
    let venv = root().join("target/bench/isso");
    let program = venv.join("bin/isso");
    if !program.exists() {
        crate::run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
        crate::run(Command::new(venv.join("bin/pip")).args(["install", "--quiet", ISSO]))?;
    }
    Ok(program)
}

/// An Isso server on a free port of loopback, with a database in `dir`; its spam guard
/// (two comments a minute per address) and its moderation are off, as civique's limits are
/// in its benchmarks.
struct IssoServer {
    child: Child,
    url: String,
}

impl IssoServer {
    fn start(program: &Path, dir: &Path) -> Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let config = dir.join("isso.cfg");
        std::fs::write(
            &config,
            format!(
                "[general]\ndbpath = {}\nhost = {ORIGIN}\nnotify = stdout\n\
                 [server]\nlisten = http://127.0.0.1:{port}/\n\
                 [guard]\nenabled = false\n[moderation]\nenabled = false\n",
                dir.join("isso.db").display()
            ),
        )?;
        let child = Command::new(program)
            .arg("-c")
            .arg(&config)
            .arg("run")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start Isso")?;
        let mut server = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                server.stop();
                bail!("Isso did not start listening on port {port}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(server)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for IssoServer {
    fn drop(&mut self) {
        self.stop();
    }
}
