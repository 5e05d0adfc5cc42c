//! civique-server binary: parses the command line and configuration, then hands over to the library.

use civique_server::cli::{self, Cli};
use civique_server::Config;
use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Cli::parse();
    let config = Config::load(args.config.as_deref())?;
    cli::run(args.command, config).await
}
