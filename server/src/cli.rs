//! Command line: `serve` (default), `site create`, `poll create|list`, `thread create`,
//! `user create`, `seed FILE`, `backup FILE`. The binary serves the endpoint itself (`http::serve`); the
//! other commands run here, through the services only.

use std::path::PathBuf;

use anyhow::Context;
use civique_api::staff::SiteRole;
use civique_api::{PollInput, PollKind, ResultsVisibility, SiteInput, ThreadInput};
use clap::{Args, Parser, Subcommand, ValueEnum};
use time::OffsetDateTime;

use crate::domain::audit::Actor;
use crate::domain::time::resolve_time;
use crate::service::seed;
use crate::service::staff::StaffInput;
use crate::{Config, Service};

#[derive(Debug, Parser)]
#[command(name = "civique-server", version, about = "The civique endpoint")]
pub struct Cli {
    /// TOML configuration file (settings can also come from CIVIQUE_* variables).
    #[arg(long, global = true, env = "CIVIQUE_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the widget files (the default).
    Serve,
    /// Manage sites.
    #[command(subcommand)]
    Site(SiteCommand),
    /// Manage polls.
    #[command(subcommand)]
    Poll(PollCommand),
    /// Manage comment threads.
    #[command(subcommand)]
    Thread(ThreadCommand),
    /// Manage the console's staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Import sites, polls, threads and proposal boxes from a TOML file; existing ids are left
    /// untouched.
    Seed { file: PathBuf },
    /// Write a consistent copy of the SQLite database to FILE while the endpoint serves
    /// (PostgreSQL: use pg_dump).
    Backup { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff account for the console (/console). The password is read from the
    /// CIVIQUE_PASSWORD variable, else from the first line of standard input.
    Create {
        /// Their sign-in: an e-mail address.
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        /// Administrator of the whole endpoint (every site): the first account.
        #[arg(long)]
        admin: bool,
        /// SITE:ROLE, a role (`admin` or `moderator`) on a site (repeatable).
        #[arg(long = "site", value_parser = parse_site_role)]
        sites: Vec<SiteRole>,
    },
}

fn parse_site_role(text: &str) -> Result<SiteRole, String> {
    let (site, role) = text
        .split_once(':')
        .ok_or_else(|| format!("{text:?} is not SITE:ROLE"))?;
    Ok(SiteRole {
        site_id: site.to_owned(),
        role: role.parse().map_err(|e| format!("{e}"))?,
    })
}

/// The new account's password: CIVIQUE_PASSWORD, else standard input's first line.
fn read_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("CIVIQUE_PASSWORD") {
        return Ok(password);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// Create a site allowed to embed widgets from the given origins.
    Create {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        /// Allowed origin, e.g. https://www.saint-exemple.fr (repeatable).
        #[arg(long = "origin")]
        origins: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PollCommand {
    /// Create a poll.
    Create(PollArgs),
    /// List polls with their status and vote counts.
    List {
        #[arg(long)]
        site: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ThreadCommand {
    /// Create a comment thread.
    Create {
        #[arg(long)]
        site: String,
        #[arg(long)]
        id: String,
        #[arg(long)]
        title: String,
        /// Hold new comments until staff approve them.
        #[arg(long)]
        pre_moderation: bool,
        /// Deepest reply level (default 3).
        #[arg(long)]
        max_depth: Option<u32>,
    },
}

#[derive(Debug, Args)]
pub struct PollArgs {
    #[arg(long)]
    site: String,
    #[arg(long)]
    id: String,
    #[arg(long)]
    question: String,
    #[arg(long)]
    description: Option<String>,
    /// An answer (repeat for each, in display order).
    #[arg(long = "option", required = true)]
    options: Vec<String>,
    /// Allow several answers.
    #[arg(long)]
    multiple: bool,
    /// With --multiple: at most this many answers (default: all).
    #[arg(long, requires = "multiple")]
    max_choices: Option<u32>,
    /// RFC 3339, or an offset from now such as +2d, -3h, +30m.
    #[arg(long)]
    opens_at: Option<String>,
    /// RFC 3339, or an offset from now such as +30d.
    #[arg(long)]
    closes_at: Option<String>,
    #[arg(long, value_enum, default_value_t = Results::AfterVote)]
    results: Results,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Results {
    AfterVote,
    Always,
    AfterClose,
}

impl From<Results> for ResultsVisibility {
    fn from(value: Results) -> Self {
        match value {
            Results::AfterVote => Self::AfterVote,
            Results::Always => Self::Always,
            Results::AfterClose => Self::AfterClose,
        }
    }
}

/// The person at the command line, for the audit log.
fn operator() -> Actor {
    let user = ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|user| !user.is_empty()))
        .unwrap_or_else(|| "unknown".to_owned());
    Actor::CommandLine(user)
}

/// Runs a management command (any but `serve`) against the loaded configuration.
pub async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    if let Command::Serve = command {
        anyhow::bail!("`serve` is run by the binary (civique_server::http::serve::run)");
    }
    let service = Service::open(&config)
        .await
        .with_context(|| config.opening())?;
    let actor = operator();
    let result = run_command(&service, &actor, command).await;
    service.store().close().await;
    result
}

async fn run_command(service: &Service, actor: &Actor, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve => anyhow::bail!("`serve` is not a management command"),
        Command::Site(SiteCommand::Create { id, name, origins }) => {
            let site = SiteInput::new(id, name, origins);
            service.create_site(actor, &site).await?;
            println!("created site");
        }
        Command::Poll(PollCommand::Create(args)) => {
            let now = OffsetDateTime::now_utc();
            let time = |at: Option<String>| {
                at.map(|at| resolve_time(&at, now))
                    .transpose()
                    .map_err(anyhow::Error::msg)
            };
            let input = PollInput {
                id: args.id,
                site_id: args.site,
                question: args.question,
                description: args.description,
                kind: if args.multiple {
                    PollKind::Multiple
                } else {
                    PollKind::Single
                },
                max_choices: args.max_choices,
                options: args.options,
                opens_at: time(args.opens_at)?,
                closes_at: time(args.closes_at)?,
                results_visibility: args.results.into(),
                participation: Default::default(),
            };
            let poll = service.create_poll(actor, input).await?;
            println!("created poll {}", poll.id);
        }
        Command::Poll(PollCommand::List { site }) => {
            for view in service.list_polls(actor, site.as_deref()).await? {
                let voters = view.results.map_or(0, |r| r.voters);
                println!(
                    "{}\t{}\t{}\t{voters} voters\t{}",
                    view.site_id, view.id, view.status, view.question
                );
            }
        }
        Command::Thread(ThreadCommand::Create {
            site,
            id,
            title,
            pre_moderation,
            max_depth,
        }) => {
            let input = ThreadInput {
                id,
                site_id: site,
                title,
                pre_moderation,
                max_depth,
                participation: Default::default(),
            };
            let thread = service.create_thread(actor, input).await?;
            println!("created thread {}", thread.id);
        }
        Command::User(UserCommand::Create {
            login,
            name,
            admin,
            sites,
        }) => {
            let input = StaffInput {
                login,
                name,
                password: read_password()?,
                endpoint_admin: admin,
                roles: sites,
            };
            let id = service.create_staff(input).await?;
            println!("created staff account {id}");
        }
        Command::Seed { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let name = file.file_name().map_or_else(
                || file.display().to_string(),
                |n| n.to_string_lossy().into(),
            );
            let report = seed::import(service, &name, &text, OffsetDateTime::now_utc()).await?;
            print!("{report}");
        }
        Command::Backup { file } => {
            service
                .store()
                .backup(&file)
                .await
                .with_context(|| format!("backing up to {}", file.display()))?;
            println!("backed up to {}", file.display());
        }
    }
    Ok(())
}
