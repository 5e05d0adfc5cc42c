//! Operating the endpoint: configuration layering, seed files, and the command line.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

mod common;

use civique_server::service::seed::{self, SeedError};
use civique_server::{Config, Service};
use common::database_url;
use time::macros::datetime;

const CONFIG: &str = r#"
listen = "0.0.0.0:9000"
database_url = "sqlite://from-file.db"
admin_token = "file-token-4f9c2a7e1b8d3065"
assets_dir = "dist"

[[sites]]
id = "saint-exemple"
name = "Ville de Saint-Exemple"
origins = ["http://127.0.0.1:8080"]
"#;

#[test]
fn config_comes_from_toml_then_environment() {
    let env: HashMap<&str, &str> = [
        ("CIVIQUE_LISTEN", "127.0.0.1:0"),
        ("DATABASE_URL", "sqlite://from-env.db"),
        ("CIVIQUE_ADMIN_TOKEN", ""),
    ]
    .into();
    let config =
        Config::from_sources(Some(CONFIG), |name| env.get(name).map(|v| v.to_string())).unwrap();
    assert_eq!(config.listen, "127.0.0.1:0");
    assert_eq!(config.database_url, "sqlite://from-env.db");
    assert_eq!(
        config.admin_token.as_deref(),
        Some("file-token-4f9c2a7e1b8d3065"),
        "empty env is unset"
    );
    assert_eq!(config.assets_dir.as_deref(), Some(Path::new("dist")));
    assert_eq!(config.sites[0].origins, ["http://127.0.0.1:8080"]);
    assert!(!format!("{config:?}").contains("file-token-4f9c2a7e1b8d3065"));

    let env: HashMap<&str, &str> = [
        ("CIVIQUE_DATABASE_URL", "sqlite://civique-env.db"),
        ("DATABASE_URL", "sqlite://generic.db"),
        ("CIVIQUE_ASSETS_DIR", "elsewhere"),
    ]
    .into();
    let config = Config::from_sources(None, |name| env.get(name).map(|v| v.to_string())).unwrap();
    assert_eq!(config.database_url, "sqlite://civique-env.db");
    assert_eq!(config.listen, "127.0.0.1:8787");
    assert_eq!(config.assets_dir.as_deref(), Some(Path::new("elsewhere")));
    assert_eq!(config.admin_token, None);

    assert!(Config::from_sources(Some("unknown_key = 1"), |_| None).is_err());
    let bad_origin = CONFIG.replace("http://127.0.0.1:8080", "127.0.0.1:8080/");
    assert!(Config::from_sources(Some(&bad_origin), |_| None).is_err());
}

#[test]
fn weak_tokens_are_refused_at_start() {
    for weak in [
        "file-token",
        "changeme",
        &"a".repeat(40),
        "aaaaabbbbbcccccdddddeeeee",
    ] {
        let config = CONFIG.replace("file-token-4f9c2a7e1b8d3065", weak);
        let error = Config::from_sources(Some(&config), |_| None).unwrap_err();
        assert!(error.to_string().contains("admin_token"), "{weak}: {error}");
        let error = Config::from_sources(None, |name| {
            (name == "CIVIQUE_METRICS_TOKEN").then(|| weak.to_owned())
        })
        .unwrap_err();
        assert!(
            error.to_string().contains("metrics_token"),
            "{weak}: {error}"
        );
    }
}

const SEED: &str = r#"
[[sites]]
id = "saint-exemple"
name = "Ville de Saint-Exemple"
origins = ["http://127.0.0.1:8080"]

[[polls]]
id = "budget"
site_id = "saint-exemple"
question = "Quel projet ?"
kind = "single"
options = ["Parc", "Piscine"]
opens_at = "-2d"
closes_at = "+30d"
results_visibility = "after_vote"

[[polls]]
id = "fete"
site_id = "saint-exemple"
question = "Quelle date pour la fête ?"
kind = "multiple"
max_choices = 2
options = ["Samedi", "Dimanche", "Lundi"]
closes_at = "2026-07-01T12:00:00+02:00"
results_visibility = "always"

[[threads]]
id = "place"
site_id = "saint-exemple"
title = "La place centrale"
pre_moderation = true
"#;

#[tokio::test]
async fn seed_is_idempotent_and_resolves_relative_dates() {
    let dir = tempfile::tempdir().unwrap();
    let service = service_in(dir.path()).await;
    let store = service.store();
    let now = datetime!(2026-05-10 08:30:15.25 UTC);

    let report = seed::import(&service, "seed.toml", SEED, now)
        .await
        .unwrap();
    assert_eq!(
        report.created,
        [
            "site saint-exemple",
            "poll budget",
            "poll fete",
            "thread place"
        ]
    );
    let place = store.thread("place").await.unwrap().unwrap();
    assert!(place.pre_moderation);
    assert!(report.skipped.is_empty());
    let budget = store.poll("budget").await.unwrap().unwrap();
    assert_eq!(budget.opens_at, Some(datetime!(2026-05-08 08:30:15 UTC)));
    assert_eq!(budget.closes_at, Some(datetime!(2026-06-09 08:30:15 UTC)));
    let fete = store.poll("fete").await.unwrap().unwrap();
    assert_eq!(fete.closes_at, Some(datetime!(2026-07-01 10:00 UTC)));
    assert_eq!(fete.max_choices, 2);

    let again = seed::import(&service, "seed.toml", SEED, now)
        .await
        .unwrap();
    assert!(again.created.is_empty());
    assert_eq!(again.skipped.len(), 4);
    assert_eq!(store.list_polls(None).await.unwrap().len(), 2);
    assert!(again.to_string().contains("skipped poll budget"));

    let broken = SEED
        .replace("budget", "other")
        .replace("\"+30d\"", "\"+30y\"");
    assert!(matches!(
        seed::import(&service, "seed.toml", &broken, now).await,
        Err(SeedError::Invalid { .. })
    ));
}

#[test]
fn cli_creates_lists_and_serves() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = runtime.block_on(database_url(dir.path()));
    let run =
        |args: &[&str]| -> Output { cli(&db).args(args).output().expect("run civique-server") };
    let ok = |args: &[&str]| {
        let output = run(args);
        assert!(output.status.success(), "{args:?}: {output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    ok(&[
        "site",
        "create",
        "--id",
        "town",
        "--name",
        "Town",
        "--origin",
        "http://t.example",
    ]);
    ok(&[
        "poll",
        "create",
        "--site",
        "town",
        "--id",
        "cli-poll",
        "--question",
        "Yes?",
        "--option",
        "Yes",
        "--option",
        "No",
        "--multiple",
        "--max-choices",
        "1",
        "--closes-at",
        "+7d",
        "--results",
        "after-close",
    ]);
    ok(&[
        "thread",
        "create",
        "--site",
        "town",
        "--id",
        "cli-thread",
        "--title",
        "Travaux rue Haute",
        "--pre-moderation",
        "--max-depth",
        "2",
    ]);
    let thread = runtime
        .block_on(async {
            civique_server::store::connect(&db, Default::default())
                .await
                .unwrap()
                .thread("cli-thread")
                .await
        })
        .unwrap()
        .expect("the thread was created");
    assert_eq!(thread.title, "Travaux rue Haute");
    assert!(thread.pre_moderation);
    assert_eq!(thread.max_depth, 2);
    assert!(
        !run(&["thread", "create", "--site", "nowhere", "--id", "t2", "--title", "T"])
            .status
            .success()
    );
    let list = ok(&["poll", "list", "--site", "town"]);
    assert!(
        list.contains("town\tcli-poll\topen\t0 voters\tYes?"),
        "{list}"
    );
    assert!(!run(&[
        "poll",
        "create",
        "--site",
        "town",
        "--id",
        "x",
        "--question",
        "Q",
        "--option",
        "1"
    ])
    .status
    .success());

    let mut server = cli(&db)
        .env("CIVIQUE_LISTEN", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
    let address = line
        .trim()
        .strip_prefix("civique-server listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    assert!(address.parse::<u16>().unwrap() > 0);
}

#[test]
fn an_unreachable_database_stops_the_start_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let missing_dir = format!("sqlite://{}/no/such/dir/civique.db", dir.path().display());
    for url in [
        "postgres://civique:s3cret@127.0.0.1:1/civique",
        missing_dir.as_str(),
    ] {
        let output = cli(url)
            .env("CIVIQUE_LISTEN", "127.0.0.1:0")
            .output()
            .expect("run civique-server");
        assert!(!output.status.success(), "{url}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("opening "), "{url}: {stderr}");
        assert!(
            !stderr.contains("s3cret"),
            "the password is never shown: {stderr}"
        );
    }
}

fn cli(database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_civique-server"));
    command
        .env_remove("CIVIQUE_CONFIG")
        .env_remove("DATABASE_URL")
        .env("CIVIQUE_DATABASE_URL", database_url)
        .env("CIVIQUE_ASSETS_DIR", "/nonexistent")
        .env("RUST_LOG", "warn");
    command
}

async fn service_in(dir: &Path) -> Service {
    let config = Config {
        database_url: database_url(dir).await,
        ..Config::default()
    };
    Service::open(&config).await.unwrap()
}
