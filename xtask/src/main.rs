//! `cargo xtask …`: every build, demo, test and benchmark step of civique, in one place.

mod bench;
mod compress;
mod endpoint;
mod fuzz;
mod postgres;
mod schemathesis;
mod setup;
mod smtp;
mod static_site;
mod widgets;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

const USAGE: &str = "\
usage: cargo xtask <command>

  demo               install what is missing, build the widgets, start civique-server on
                     SQLite (civique.db) with demo content and serve the demo town website
                     at http://127.0.0.1:8080
  test               install what is missing and run every test level: unit, server
                     integration on SQLite and on PostgreSQL, the API against its OpenAPI
                     document (schemathesis), fuzz targets briefly, widgets in headless
                     Chromium, end-to-end with axe
  build [--dev]      build the widgets into pkg/ (release + wasm-opt unless --dev)
  bench size         raw, gzip and brotli bytes of what a page with a widget downloads
  bench votes [--seconds S] [--ballots N] [--backends sqlite,postgres]
                     votes/s and latencies at 100 and 1,000 connections, on an empty poll
                     and on one of N ballots, then at 5,000/s; reconciles every tally
  bench crash [--cycles N] [--backends sqlite,postgres]
                     SIGKILLs the endpoint during a vote load N times; checks every
                     acknowledged vote survived and the database is intact
  bench live [--viewers 10000,50000] [--rate R] [--seconds S] [--proxied] [--proxy-streams K]
                     N viewers of a live poll while votes arrive at R/s: time from a vote
                     to the last viewer, memory per viewer; a connection each while the
                     open-file limit allows, else (or --proxied) K (250) to an HTTP/2
                     connection, as a reverse proxy brings them
  bench comments [--comments N] [--connections C] [--seconds S]
                     civique and Isso side by side: N comments posted into a thread, then
                     its first page read, over C connections
  bench proposals [--proposals N] [--supporters N] [--searches N] [--concurrency C]
                     supports and withdrawals, then full-text search, over a box of N
                     proposals; checks no support is lost
  load votes|viewers|requests …
                     the benchmarks' load generators, run as processes of their own
  fuzz [--seconds N] only the fuzz targets of fuzz/ (Markdown, request bodies, site
                     account tokens), N seconds each (20)
  api [--examples N] only the API level: schemathesis, at most N cases per operation (20)
  e2e [FILE…]        only the end-to-end tests (all, or these files), after a widget build
  setup [--browser]  only install the tools (aiosmtpd for the e-mail tests; Debian's Chromium and php-cli with
                     --browser)
";

/// Cases per operation the API level tries in `cargo xtask test`.
const API_EXAMPLES: u32 = 20;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["demo"] => demo(),
        ["test"] => test(),
        ["build"] => widgets::build(widgets::Mode::Release),
        ["build", "--dev"] => widgets::build(widgets::Mode::Dev),
        ["bench", "size"] => bench::size(),
        ["bench", "votes", rest @ ..] => bench::votes(rest),
        ["bench", "comments", rest @ ..] => bench::comments(rest),
        ["bench", "proposals", rest @ ..] => bench::proposals(rest),
        ["bench", "crash", rest @ ..] => bench::crash(rest),
        ["bench", "live", rest @ ..] => bench::live(rest),
        ["load", rest @ ..] => bench::load(rest),
        ["fuzz", rest @ ..] => fuzz::command(rest),
        ["api"] => schemathesis::check(API_EXAMPLES),
        ["api", "--examples", n] => schemathesis::check(n.parse().context("--examples N")?),
        ["e2e", files @ ..] => setup::tools()
            .and_then(|()| setup::debian_packages())
            .and_then(|()| end_to_end(files)),
        ["setup"] => setup::tools().and_then(|()| setup::smtp_sink()),
        ["setup", "--browser"] => setup::tools()
            .and_then(|()| setup::smtp_sink())
            .and_then(|()| setup::debian_packages()),
        [] | ["help"] | ["--help"] | ["-h"] => {
            print!("{USAGE}");
            Ok(())
        }
        _ => {
            eprint!("{USAGE}");
            bail!("unknown command: {}", args.join(" "))
        }
    }
}

/// The repository root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the repository")
        .to_path_buf()
}

/// Lets this process (and the endpoints it starts) hold as many connections as the system
/// allows: load tests open tens of thousands. As root, the hard limit itself is raised to
/// the kernel's ceiling (`fs.nr_open`).
pub fn raise_open_files() {
    let ceiling = std::fs::read_to_string("/proc/sys/fs/nr_open")
        .ok()
        .and_then(|n| n.trim().parse::<u64>().ok());
    if let Some(ceiling) = ceiling {
        if rlimit::Resource::NOFILE.set(ceiling, ceiling).is_ok() {
            return;
        }
    }
    if let Ok((_, hard)) = rlimit::Resource::NOFILE.get() {
        let _ = rlimit::Resource::NOFILE.set(hard, hard);
    }
}

/// Runs a command (from the repository root unless it names a directory), failing with its
/// name if it fails.
pub fn run(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    eprintln!("xtask: {shown}");
    if cmd.get_current_dir().is_none() {
        cmd.current_dir(root());
    }
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn demo() -> Result<()> {
    setup::tools()?;
    widgets::build(widgets::Mode::Release)?;
    run(cargo().args(["build", "--release", "-p", "civique-server"]))?;
    let server = endpoint::Endpoint::demo()?;
    let www = static_site::serve("127.0.0.1:8080", &server.base_url)?;
    println!();
    println!(
        "  Ville de Saint-Exemple (demo town website): http://{}/",
        www
    );
    println!(
        "  civique endpoint:                           {}",
        server.base_url
    );
    println!(
        "  OpenAPI document:                           {}api/v1/openapi.json",
        server.base_url
    );
    println!(
        "  staff console:                              {}console ({}, {} or {}, password {})",
        server.base_url,
        endpoint::STAFF_LOGIN,
        endpoint::STAFF_ADMIN_LOGIN,
        endpoint::STAFF_ENDPOINT_LOGIN,
        endpoint::STAFF_PASSWORD
    );
    println!();
    println!("  Press Ctrl-C to stop.");
    server.wait()
}

fn test() -> Result<()> {
    setup::tools()?;
    setup::smtp_sink()?;
    setup::debian_packages()?;
    let postgres = postgres::TestServer::ensure()?;
    // Unit tests and server integration tests (real HTTP, real SQLite files).
    run(cargo().args(["test", "--workspace"]))?;
    // The server integration suite again on PostgreSQL (a fresh database per test server),
    // with the tests only a shared database can run (several instances, lost connections).
    run(cargo()
        .args([
            "test",
            "-p",
            "civique-server",
            "--test",
            "*",
            "--",
            "--include-ignored",
        ])
        .envs(postgres.env()))?;
    drop(postgres);
    // The API against its own OpenAPI document.
    schemathesis::check(API_EXAMPLES)?;
    // What reads residents' input, fuzzed briefly.
    fuzz::every_target(fuzz::BRIEF_SECONDS)?;
    // Widgets in headless Chromium.
    widgets::browser_tests()?;
    end_to_end(&[])
}

/// The end-to-end tests against the release bundle, as residents get it.
fn end_to_end(files: &[&str]) -> Result<()> {
    widgets::build(widgets::Mode::Release)?;
    // The endpoint serves the widget files built into it, as a release install does.
    run(cargo().args(["build", "-p", "civique-server"]))?;
    let (listener, www_addr) = static_site::bind("127.0.0.1:0")?;
    let www_origin = format!("http://{www_addr}");
    // The codes of verified addresses go to a real SMTP server; the tests read its Maildir.
    let mail = endpoint::TempDir::new("civique-e2e-mail")?;
    let smtp = smtp::SmtpSink::start(0, mail.path().join("mail"))?;
    let server = endpoint::Endpoint::for_tests(&www_origin, Some(&smtp.url))?;
    tokio::runtime::Runtime::new()?.block_on(bench::check_size_budget(&server))?;
    static_site::serve_on(listener, &server.base_url);
    let files = if files.is_empty() {
        &["tests/e2e/"][..]
    } else {
        files
    };
    let result = run(Command::new("node")
        .args(["--test", "--test-concurrency=1"])
        .args(files)
        .env("CIVIQUE_ENDPOINT", &server.base_url)
        .env("CIVIQUE_WWW", format!("{www_origin}/"))
        .env("CIVIQUE_ADMIN_TOKEN", &server.admin_token)
        .env("CIVIQUE_SSO_SECRET", endpoint::E2E_SSO_SECRET)
        .env("CIVIQUE_MAILDIR", &smtp.maildir)
        .env("CIVIQUE_STAFF_LOGIN", endpoint::STAFF_LOGIN)
        .env("CIVIQUE_STAFF_ADMIN_LOGIN", endpoint::STAFF_ADMIN_LOGIN)
        .env(
            "CIVIQUE_STAFF_ENDPOINT_LOGIN",
            endpoint::STAFF_ENDPOINT_LOGIN,
        )
        .env("CIVIQUE_STAFF_PASSWORD", endpoint::STAFF_PASSWORD)
        .env("CHROMIUM_PATH", setup::CHROMIUM));
    drop(server);
    result
}
