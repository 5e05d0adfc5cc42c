//! Running the endpoint: health and readiness, Prometheus metrics, JSON logs that keep
//! secrets, tokens and addresses out, a clean stop on SIGTERM, online backups.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use reqwest::header::AUTHORIZATION;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn health_and_readiness() {
    let server = TestServer::start().await;
    assert_eq!(server.read("/healthz", None).await["status"], "ok");
    let ready = server.read("/readyz", None).await;
    assert_eq!(ready["status"], "ready");
    let backend = if server.config.database_url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(ready["database"], backend);

    // A database whose schema lacks a migration of this build is not ready.
    server
        .execute("DELETE FROM _sqlx_migrations WHERE version = 20261210000000")
        .await;
    assert_error(
        server.get("/readyz").await,
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
    )
    .await;
    assert_eq!(server.read("/healthz", None).await["status"], "ok");
}

/// The value of the sample `name{labels}` in a Prometheus text, if present.
fn sample(text: &str, name_and_labels: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name_and_labels)?.trim().parse().ok())
}

#[tokio::test]
async fn metrics_count_requests_participations_streams_and_connections() {
    let server = TestServer::start().await;
    let options = option_ids(&server.create_poll("p", json!({})).await);
    server.create_thread("t", json!({})).await;
    let _stream = server.events("/api/v1/polls/p/events").await;
    server.vote_ok("p", &token(), &options[..1]).await;
    server.vote_ok("p", &token(), &options[..1]).await;
    server.comment_ok("t", &token(), json!({})).await;
    assert_error(
        server.vote("p", &token(), &[]).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no_choice",
    )
    .await;

    let response = server.get("/metrics").await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    let vote = "route=\"/api/v1/polls/{id}/vote\"";
    assert_eq!(
        sample(
            &text,
            &format!("civique_http_requests_total{{method=\"PUT\",{vote},status=\"200\"}}")
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            &format!("civique_http_requests_total{{method=\"PUT\",{vote},status=\"422\"}}")
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            &format!("civique_http_request_duration_seconds_count{{method=\"PUT\",{vote}}}")
        ),
        Some(3.0)
    );
    assert_eq!(
        sample(&text, "civique_participations_total{action=\"vote\"}"),
        Some(2.0)
    );
    assert_eq!(
        sample(&text, "civique_participations_total{action=\"comment\"}"),
        Some(1.0)
    );
    assert_eq!(sample(&text, "civique_sse_subscribers"), Some(1.0));
    assert!(sample(&text, "civique_db_pool_connections").unwrap() >= 1.0);
    assert!(
        !text.contains("/api/v1/polls/p/"),
        "route templates, never paths"
    );
}

#[tokio::test]
async fn metrics_can_require_a_token() {
    let server = TestServer::start_configured(|config| {
        config.metrics_token = Some("scrape-secret-0123".into());
    })
    .await;
    assert_error(
        server.get("/metrics").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let allowed = server
        .request(Method::GET, "/metrics")
        .header(AUTHORIZATION, "Bearer scrape-secret-0123")
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), StatusCode::OK);
}

/// `civique-server serve` as its own process on a fresh database, printing JSON logs.
struct Process {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Process {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database = database_url(dir.path()).await;
        let config = dir.path().join("civique.toml");
        std::fs::write(
            &config,
            format!(
                "listen = \"127.0.0.1:0\"\ndatabase_url = \"{database}\"\n\
                 admin_token = \"{ADMIN_TOKEN}\"\nlog_format = \"json\"\n\
                 [participation]\nproof_of_work_max_number = 0\n\
                 [[sites]]\nid = \"{SITE}\"\nname = \"Town\"\norigins = [\"{SITE_ORIGIN}\"]\n"
            ),
        )
        .unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_civique-server"))
            .arg("--config")
            .arg(&config)
            .env("RUST_LOG", "info")
            .env_remove("CIVIQUE_CONFIG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("civique-server listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Self {
            child,
            base,
            _dir: dir,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends SIGTERM; returns the exit status and everything logged.
    fn stop(mut self) -> (std::process::ExitStatus, String) {
        let terminated = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(terminated.success());
        let status = wait_for(&mut self.child, Duration::from_secs(20));
        let mut log = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut log)
            .unwrap();
        (status, log)
    }
}

fn wait_for(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("the endpoint did not stop within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_keep_tokens_and_addresses_out_and_sigterm_stops_cleanly() {
    let process = Process::start().await;
    let client = page_client();
    let poll = client
        .post(process.url("/api/v1/admin/polls"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&poll_input("p", json!({})))
        .send()
        .await
        .unwrap();
    assert_eq!(poll.status(), StatusCode::CREATED);
    let option = option_ids(&poll.json().await.unwrap())[0];
    let resident = token();
    let vote = client
        .put(process.url("/api/v1/polls/p/vote"))
        .header(PARTICIPANT, &resident)
        .json(&json!({ "choices": [option] }))
        .send()
        .await
        .unwrap();
    assert_eq!(vote.status(), StatusCode::OK);
    let stream = client
        .get(process.url("/api/v1/polls/p/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    // The stream ends (cleanly, not cut) when the endpoint stops.
    let reading = tokio::spawn(async move { stream.text().await });

    let (status, log) = tokio::task::spawn_blocking(move || process.stop())
        .await
        .unwrap();
    assert!(status.success(), "{status}: {log}");
    let ended = tokio::time::timeout(Duration::from_secs(5), reading)
        .await
        .expect("the event stream ended")
        .unwrap();
    assert!(ended.is_ok(), "{ended:?}");

    let lines: Vec<Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["route"] == "/api/v1/polls/{id}/vote" && l["status"] == 200),
        "{log}"
    );
    for secret in [ADMIN_TOKEN, resident.as_str(), "127.0.0.1", "::1"] {
        assert!(!log.contains(secret), "{secret:?} in the log:\n{log}");
    }
}

#[tokio::test]
async fn backups_copy_a_serving_sqlite_database() {
    let server = TestServer::start().await;
    let options = option_ids(&server.create_poll("p", json!({})).await);
    for _ in 0..5 {
        server.vote_ok("p", &token(), &options[..1]).await;
    }
    let file = server.dir.path().join("backup.db");
    let backup = || {
        Command::new(env!("CARGO_BIN_EXE_civique-server"))
            .args(["backup", file.to_str().unwrap()])
            .env_remove("CIVIQUE_CONFIG")
            .env("CIVIQUE_DATABASE_URL", &server.config.database_url)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let output = backup();
    if server.config.database_url.starts_with("postgres") {
        assert!(!output.status.success());
        assert!(String::from_utf8_lossy(&output.stderr).contains("pg_dump"));
        return;
    }
    assert!(output.status.success(), "{output:?}");
    // The copy opens as a database of its own, with every vote.
    let copy = format!("sqlite://{}", file.display());
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&copy)
        .await
        .unwrap();
    let ballots: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ballots")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(ballots, 5);
    // Never over an existing file.
    let again = backup();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}
