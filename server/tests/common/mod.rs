//! Shared integration-test harness: a real server on 127.0.0.1:0 over a real database, a
//! SQLite file in a tempdir or, when `CIVIQUE_TEST_POSTGRES` names a PostgreSQL server, a
//! fresh database of its own on that server.
#![allow(dead_code)] // each test binary uses a different subset

pub mod console;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration as StdDuration;

use civique_server::http::serve::{serve, ConnectionLimits};
use civique_server::{app, AppState, Config};
use futures_util::StreamExt;
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};
use sqlx::Connection;
use tempfile::TempDir;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";
pub const PARTICIPANT: &str = "x-civique-participant";
pub const SITE: &str = "town";
pub const SITE_ORIGIN: &str = "http://town.example";

pub struct TestServer {
    pub base: String,
    pub client: Client,
    pub dir: TempDir,
    pub state: AppState,
    pub config: Config,
    serving: tokio::task::JoinHandle<()>,
}

/// Fake widget files, large enough to be worth compressing.
pub const FAKE_WASM: &[u8] = &[0; 4096];

impl TestServer {
    /// A server with site [`SITE`] (origin [`SITE_ORIGIN`]) and fake widget files.
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let assets = dir.path().join("pkg");
        std::fs::create_dir_all(assets.join("loader")).unwrap();
        std::fs::create_dir_all(assets.join("poll")).unwrap();
        let js = "export default function init() { return 'civique'; }\n".repeat(20);
        std::fs::write(
            assets.join("loader/civique.js"),
            // The built loader's table mark, as the minifier writes it (see `assets.rs`).
            format!("const F={{\"civique:files\":0}};\n{js}"),
        )
        .unwrap();
        std::fs::write(assets.join("civique.js"), &js).unwrap();
        std::fs::write(assets.join("poll/civique.js"), &js).unwrap();
        std::fs::write(assets.join("poll/civique_bg.wasm"), FAKE_WASM).unwrap();
        let css = ":host { display: block; }\n".repeat(20);
        std::fs::write(assets.join("civique.css"), &css).unwrap();
        std::fs::write(assets.join("poll/civique.css"), &css).unwrap();
        std::fs::write(assets.join("civique_bg.wasm"), FAKE_WASM).unwrap();
        Self::start_with(dir, assets).await
    }

    pub async fn start_with(dir: TempDir, assets_dir: PathBuf) -> Self {
        Self::start_adjusted(dir, assets_dir, |_| {}).await
    }

    /// A server (without widget files) whose [`Config`] `adjust` may change first.
    pub async fn start_configured(adjust: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let assets = dir.path().join("pkg");
        Self::start_adjusted(dir, assets, adjust).await
    }

    async fn start_adjusted(
        dir: TempDir,
        assets_dir: PathBuf,
        adjust: impl FnOnce(&mut Config),
    ) -> Self {
        let mut config = Config {
            listen: "127.0.0.1:0".into(),
            database_url: database_url(dir.path()).await,
            admin_token: Some(ADMIN_TOKEN.into()),
            assets_dir: Some(assets_dir),
            ..Config::default()
        };
        // Every test takes part with fresh tokens from one network; `stuffing.rs` tests the
        // newcomer limit at its default.
        config.participation.newcomers_per_network_per_minute = 0;
        // …and most with tokens of their own making; `devices.rs` and `stuffing.rs` prove
        // their work.
        config.participation.proof_of_work_max_number = 0;
        adjust(&mut config);
        let server = Self::serve(dir, config).await;
        server.create_site(SITE, &[SITE_ORIGIN]).await;
        server
    }

    async fn serve(dir: TempDir, config: Config) -> Self {
        let state = AppState::from_config(&config).await.expect("state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let limits = ConnectionLimits::from_config(&config.connections);
        let serving = tokio::spawn(serve(
            listener,
            app(state.clone()),
            limits,
            std::future::pending(),
        ));
        Self {
            base,
            client: page_client(),
            dir,
            state,
            config,
            serving,
        }
    }

    /// Another endpoint on the same database, as a second instance behind a load balancer.
    pub async fn another_instance(&self) -> Self {
        Self::serve(tempfile::tempdir().expect("tempdir"), self.config.clone()).await
    }

    /// Stops serving, closes the database and opens it again in a new server (on a new
    /// port): what survives this was really stored.
    pub async fn restart(self) -> Self {
        self.serving.abort();
        let _ = self.serving.await;
        self.state.shutdown().await;
        Self::serve(self.dir, self.config).await
    }

    /// The single integer a SQL query returns, read from this server's database.
    pub async fn count(&self, sql: &str) -> i64 {
        query_count(&self.config.database_url, sql).await
    }

    /// The single text a SQL query returns, read from this server's database.
    pub async fn text(&self, sql: &str) -> String {
        query_scalar(&self.config.database_url, sql).await
    }

    /// Runs a SQL statement on this server's database, behind its back.
    pub async fn execute(&self, sql: &str) {
        let url = &self.config.database_url;
        if url.starts_with("postgres") {
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query(sql).execute(&mut conn).await.unwrap();
        } else {
            let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
            sqlx::query(sql).execute(&mut conn).await.unwrap();
        }
    }

    /// Everything stored, as bytes: the SQLite file and its WAL, or a PostgreSQL dump.
    pub fn stored_bytes(&self) -> Vec<u8> {
        let url = &self.config.database_url;
        if url.starts_with("postgres") {
            let dump = std::process::Command::new("pg_dump")
                .args(["--data-only", url])
                .output()
                .expect("pg_dump runs");
            assert!(dump.status.success(), "pg_dump: {dump:?}");
            return dump.stdout;
        }
        let file = url.trim_start_matches("sqlite://");
        [file.to_owned(), format!("{file}-wal")]
            .iter()
            .filter_map(|name| std::fs::read(name).ok())
            .flatten()
            .collect()
    }

    /// Earns a device token from `client` as the widget does: fetches a challenge, solves
    /// it, sends the proof. The refusal's status and body when the endpoint refuses.
    pub async fn earn_device_token(&self, client: &Client) -> Result<String, (StatusCode, Value)> {
        let answer = client
            .get(self.url("/api/v1/devices/challenge"))
            .send()
            .await
            .unwrap();
        let challenge = expect_status(answer, StatusCode::OK).await?;
        let text = |key: &str| challenge[key].as_str().unwrap().to_owned();
        let salt = text("salt");
        let number = civique_server::domain::device::solve(
            &salt,
            &text("challenge"),
            challenge["maxnumber"].as_u64().unwrap(),
        )
        .expect("the challenge has a solution");
        let answer = client
            .post(self.url("/api/v1/devices"))
            .json(&json!({ "salt": salt, "number": number, "signature": text("signature") }))
            .send()
            .await
            .unwrap();
        let body = expect_status(answer, StatusCode::CREATED).await?;
        Ok(body["participant"].as_str().unwrap().to_owned())
    }

    /// A device token earned from the site's page on the trusted loopback (no network).
    pub async fn device(&self) -> String {
        self.earn_device_token(&self.client)
            .await
            .expect("a device token")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path).send().await.unwrap()
    }

    /// Asserts that `GET path` answers 404 `not_found`.
    pub async fn assert_missing(&self, path: &str) {
        assert_error(self.get(path).await, StatusCode::NOT_FOUND, "not_found").await;
    }

    /// Opens the server-sent event stream at `path`, asserting 200 and its content type.
    pub async fn events(
        &self,
        path: &str,
    ) -> impl futures_util::Stream<Item = reqwest::Result<impl AsRef<[u8]>>> + Unpin {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        let kind = response.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap();
        assert!(kind.starts_with("text/event-stream"), "{kind}");
        response.bytes_stream()
    }

    pub fn admin(&self, method: Method, path: &str) -> RequestBuilder {
        self.request(method, &format!("/api/v1/admin{path}"))
            .bearer_auth(ADMIN_TOKEN)
    }

    /// Posts the town's official reply "Réponse" in `thread` as staff, asserting 201.
    pub async fn official_reply(&self, thread: &str) -> Value {
        let response = self
            .admin(Method::POST, &format!("/threads/{thread}/comments"))
            .json(&json!({ "author_name": "La mairie", "text": "Réponse", "official": true }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.unwrap()
    }

    /// `GET /api/v1/admin{path}` as staff.
    pub async fn admin_get(&self, path: &str) -> Response {
        self.admin(Method::GET, path).send().await.unwrap()
    }

    /// `GET /api/v1/admin{path}` as staff, asserting 200, as JSON.
    pub async fn admin_read(&self, path: &str) -> Value {
        let response = self.admin_get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET admin{path}");
        response.json().await.unwrap()
    }

    pub async fn create_site(&self, id: &str, origins: &[&str]) {
        self.create_site_with(id, origins, json!({})).await;
    }

    /// Creates a site with comment `settings` (`auto_threads`, `blocked_words`, …).
    pub async fn create_site_with(&self, id: &str, origins: &[&str], settings: Value) {
        let mut site = json!({ "id": id, "name": format!("Site {id}"), "origins": origins });
        merge(&mut site, settings);
        let response = self
            .admin(Method::POST, "/sites")
            .json(&site)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "create site {id}");
    }

    /// Creates a thread on [`SITE`] (`changes` override fields); returns its view.
    pub async fn create_thread(&self, id: &str, changes: Value) -> Value {
        let mut input = json!({ "id": id, "site_id": SITE, "title": format!("Thread {id}") });
        merge(&mut input, changes);
        let response = self
            .admin(Method::POST, "/threads")
            .json(&input)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "create thread {id}");
        response.json().await.unwrap()
    }

    /// `POST path` as `token` with the JSON `body`, `changes` merged in.
    pub async fn post_as(
        &self,
        path: &str,
        token: &str,
        mut body: Value,
        changes: Value,
    ) -> Response {
        merge(&mut body, changes);
        self.request(Method::POST, path)
            .header(PARTICIPANT, token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Posts a comment as `token` (`changes` merged into a valid body).
    pub async fn post_comment(&self, thread: &str, token: &str, changes: Value) -> Response {
        let body = json!({ "author_name": "Camille", "text": "Bonjour *à tous*" });
        self.post_as(
            &format!("/api/v1/threads/{thread}/comments"),
            token,
            body,
            changes,
        )
        .await
    }

    /// Posts a comment and asserts 201; returns the comment view.
    pub async fn comment_ok(&self, thread: &str, token: &str, changes: Value) -> Value {
        let response = self.post_comment(thread, token, changes).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.unwrap()
    }

    /// Marks comment `id` useful as `token`, asserting 200.
    pub async fn mark_useful(&self, id: &Value, token: &str) {
        let response = self
            .request(Method::PUT, &format!("/api/v1/comments/{id}/useful"))
            .header(PARTICIPANT, token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "useful mark on {id}");
    }

    /// Reports comment `id` as `token` with `reason`, asserting 204.
    pub async fn report_ok(&self, id: &Value, token: &str, reason: &str) {
        let response = self
            .post_as(
                &format!("/api/v1/comments/{id}/reports"),
                token,
                json!({ "reason": reason }),
                json!({}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "report of {id}");
    }

    /// `GET path` as `token` (if any), asserting 200.
    pub async fn read(&self, path: &str, token: Option<&str>) -> Value {
        let mut request = self.request(Method::GET, path);
        if let Some(token) = token {
            request = request.header(PARTICIPANT, token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.unwrap()
    }

    /// The first page of a thread's comments as `token` sees it.
    pub async fn comments(&self, thread: &str, token: Option<&str>) -> Value {
        self.read(&format!("/api/v1/threads/{thread}/comments"), token)
            .await
    }

    /// A staff moderation action on a comment; returns the response.
    pub async fn moderate(&self, id: i64, action: &str, reason: Option<&str>) -> Response {
        self.admin_send(
            Method::POST,
            &format!("/comments/{id}/moderation"),
            json!({ "action": action, "reason": reason }),
        )
        .await
    }

    /// `method /api/v1/admin{path}` as staff with a JSON body; returns the response.
    pub async fn admin_send(&self, method: Method, path: &str, body: Value) -> Response {
        self.admin(method, path).json(&body).send().await.unwrap()
    }

    /// Creates an open ideas box on [`SITE`] (`changes` override fields); returns its view.
    pub async fn create_box(&self, id: &str, changes: Value) -> Value {
        let mut input = json!({ "id": id, "site_id": SITE, "title": format!("Box {id}") });
        merge(&mut input, changes);
        let response = self.admin_send(Method::POST, "/boxes", input).await;
        assert_eq!(response.status(), StatusCode::CREATED, "create box {id}");
        response.json().await.unwrap()
    }

    /// Submits a proposal to `box_id` as `token` (`changes` merged into a valid body).
    pub async fn post_proposal(&self, box_id: &str, token: &str, changes: Value) -> Response {
        let body = json!({ "title": "Un jardin partagé", "author_name": "Camille" });
        self.post_as(
            &format!("/api/v1/boxes/{box_id}/proposals"),
            token,
            body,
            changes,
        )
        .await
    }

    /// Submits a proposal and asserts 201; returns its view.
    pub async fn proposal_ok(&self, box_id: &str, token: &str, changes: Value) -> Value {
        let response = self.post_proposal(box_id, token, changes).await;
        assert_eq!(response.status(), StatusCode::CREATED, "submit to {box_id}");
        response.json().await.unwrap()
    }

    /// `PUT` (support) or `DELETE` (withdraw) `/proposals/{id}/support` as `token`.
    pub async fn support(&self, method: Method, id: i64, token: &str) -> Response {
        self.request(method, &format!("/api/v1/proposals/{id}/support"))
            .header(PARTICIPANT, token)
            .send()
            .await
            .unwrap()
    }

    /// Supports proposal `id` as `count` new participants; returns the last support view.
    pub async fn supporters(&self, id: i64, count: usize) -> Value {
        let mut last = Value::Null;
        for _ in 0..count {
            let response = self.support(Method::PUT, id, &token()).await;
            assert_eq!(response.status(), StatusCode::OK, "support {id}");
            last = response.json().await.unwrap();
        }
        last
    }

    /// A staff status decision on proposal `id`; returns the response.
    pub async fn set_status(&self, id: i64, body: Value) -> Response {
        self.admin_send(Method::POST, &format!("/proposals/{id}/status"), body)
            .await
    }

    /// A staff moderation action on proposal `id`; returns the response.
    pub async fn moderate_proposal(&self, id: i64, action: &str) -> Response {
        self.admin_send(
            Method::POST,
            &format!("/proposals/{id}/moderation"),
            json!({ "action": action }),
        )
        .await
    }

    /// Creates a poll from [`poll_input`] with `changes` merged in; returns its staff view.
    pub async fn create_poll(&self, id: &str, changes: Value) -> Value {
        let response = self
            .admin(Method::POST, "/polls")
            .json(&poll_input(id, changes))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "create poll {id}");
        response.json().await.unwrap()
    }

    pub async fn get_poll(&self, id: &str, token: Option<&str>) -> Response {
        let mut request = self.request(Method::GET, &format!("/api/v1/polls/{id}"));
        if let Some(token) = token {
            request = request.header(PARTICIPANT, token);
        }
        request.send().await.unwrap()
    }

    /// The poll as `token` sees it (asserting 200).
    pub async fn view(&self, id: &str, token: Option<&str>) -> Value {
        let response = self.get_poll(id, token).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    pub fn vote_request(&self, id: &str, token: &str, choices: &[i64]) -> RequestBuilder {
        self.request(Method::PUT, &format!("/api/v1/polls/{id}/vote"))
            .header(PARTICIPANT, token)
            .json(&json!({ "choices": choices }))
    }

    pub async fn vote(&self, id: &str, token: &str, choices: &[i64]) -> Response {
        self.vote_request(id, token, choices).send().await.unwrap()
    }

    /// Votes and asserts success, returning the updated view.
    pub async fn vote_ok(&self, id: &str, token: &str, choices: &[i64]) -> Value {
        let response = self.vote(id, token, choices).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }
}

/// The JSON body of `answer` if it has `status`, else its status and body.
async fn expect_status(answer: Response, status: StatusCode) -> Result<Value, (StatusCode, Value)> {
    let got = answer.status();
    let body: Value = answer.json().await.unwrap();
    if got == status {
        Ok(body)
    } else {
        Err((got, body))
    }
}

/// A client that sends what a browser on the site's page sends: `Origin: SITE_ORIGIN`
/// (unless a request names another), which the endpoint requires of every change.
pub fn page_client() -> Client {
    page_client_builder().build().unwrap()
}

fn page_client_builder() -> reqwest::ClientBuilder {
    let origin = reqwest::header::HeaderValue::from_static(SITE_ORIGIN);
    Client::builder().default_headers([(reqwest::header::ORIGIN, origin)].into_iter().collect())
}

/// A client whose connections come from 127.0.`n`.1: network `n` to per-network limits (a
/// loopback address other than 127.0.0.1 is no trusted proxy).
pub fn from_network(n: u8) -> Client {
    page_client_builder()
        .local_address(std::net::IpAddr::V4(std::net::Ipv4Addr::new(127, 0, n, 1)))
        .build()
        .unwrap()
}

/// The PostgreSQL server the tests run against (`postgres://USER@HOST:PORT`), if any.
pub fn postgres_server() -> Option<String> {
    std::env::var("CIVIQUE_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.is_empty())
        .map(|url| url.trim_end_matches('/').to_owned())
}

/// A database for one test: a SQLite file in `dir`, or a new PostgreSQL database named
/// `CIVIQUE_TEST_DB_PREFIX` + a unique suffix (the run drops them all when it ends).
pub async fn database_url(dir: &Path) -> String {
    let Some(server) = postgres_server() else {
        return format!("sqlite://{}", dir.join("civique.db").display());
    };
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let prefix = std::env::var("CIVIQUE_TEST_DB_PREFIX").unwrap_or_else(|_| "civique_test".into());
    let name = format!(
        "{prefix}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
        .await
        .expect("connect to the test PostgreSQL server");
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut admin)
        .await
        .expect("create a test database");
    admin.close().await.ok();
    format!("{server}/{name}")
}

async fn query_count(url: &str, sql: &str) -> i64 {
    query_scalar(url, sql).await
}

/// The single value a SQL query returns from the database at `url`.
async fn query_scalar<T>(url: &str, sql: &str) -> T
where
    T: Send + Unpin,
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
    T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    if url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
    } else {
        let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
    }
}

/// A fresh valid participant token.
pub fn token() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "participant-token-{:06}",
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Adds `changes`' fields to the object `target`.
pub fn merge(target: &mut Value, changes: Value) {
    target
        .as_object_mut()
        .unwrap()
        .extend(changes.as_object().cloned().unwrap_or_default());
}

/// Ids of a list of comment views.
pub fn ids(comments: &Value) -> Vec<i64> {
    comments
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

/// A valid open single-choice poll on [`SITE`] with options A, B, C; `changes` override fields.
pub fn poll_input(id: &str, changes: Value) -> Value {
    let mut input = json!({
        "id": id,
        "site_id": SITE,
        "question": format!("Question {id}?"),
        "kind": "single",
        "options": ["A", "B", "C"],
        "results_visibility": "always",
    });
    merge(&mut input, changes);
    input
}

/// RFC 3339 for now + `offset`.
pub fn at(offset: Duration) -> String {
    (OffsetDateTime::now_utc() + offset)
        .format(&Rfc3339)
        .unwrap()
}

/// Option ids of a poll view, in order.
pub fn option_ids(view: &Value) -> Vec<i64> {
    view["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect()
}

/// Vote counts of a poll view, in option order (panics if results are hidden).
pub fn counts(view: &Value) -> Vec<u64> {
    view["results"]["counts"]
        .as_array()
        .expect("results visible")
        .iter()
        .map(|c| c["votes"].as_u64().unwrap())
        .collect()
}

/// Reads SSE chunks until `count` events arrived (or fails after 10 s).
pub async fn next_events<S, B>(stream: &mut S, count: usize) -> String
where
    S: futures_util::Stream<Item = reqwest::Result<B>> + Unpin,
    B: AsRef<[u8]>,
{
    tokio::time::timeout(StdDuration::from_secs(10), async {
        let mut text = String::new();
        while text.matches("\n\n").count() < count {
            let chunk = stream.next().await.expect("stream open").unwrap();
            text.push_str(&String::from_utf8_lossy(chunk.as_ref()));
        }
        text
    })
    .await
    .expect("events in time")
}

/// Asserts an error response: status and `error.code`.
pub async fn assert_error(response: Response, status: StatusCode, code: &str) {
    assert_eq!(response.status(), status, "status for expected {code}");
    let body: Value = response.json().await.expect("JSON error body");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
}
