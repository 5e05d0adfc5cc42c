//! civique-server binary: parses the command line and configuration, starts the log, then
//! serves the endpoint or runs a management command.

use civique_server::cli::{self, Cli, Command};
use civique_server::config::LogFormat;
use civique_server::http::serve;
use civique_server::Config;
use clap::Parser;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Many threads allocate and free small buffers all the time (requests, rows, events):
/// jemalloc does it with less contention than the system's allocator.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Cli::parse();
    let config = Config::load(args.config.as_deref())?;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Lines are written by a thread of their own, in batches: a request never waits for
    // stderr (one line per request at thousands of requests a second). Lines still queued
    // are written when `_flush` is dropped, at exit.
    let (writer, _flush) =
        tracing_appender::non_blocking(std::io::BufWriter::new(std::io::stderr()));
    let log = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(writer);
    match config.log_format {
        LogFormat::Json => log.json().flatten_event(true).init(),
        LogFormat::Text => log.init(),
    }
    match args.command {
        None | Some(Command::Serve) => serve::run(&config).await,
        Some(command) => cli::run(command, config).await,
    }
}
