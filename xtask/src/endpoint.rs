//! Starts `civique-server` as a child process (demo, tests, benchmarks) and stops it when dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::{root, run};

/// The demo site's site account secret in the end-to-end tests (`CIVIQUE_SSO_SECRET` there).
pub const E2E_SSO_SECRET: &str = "e2e-site-account-secret-0123456789abcdef";

/// The console accounts of the demo and of the end-to-end tests, with one password: a
/// moderator and an administrator of the demo site, and an administrator of the endpoint
/// (`CIVIQUE_STAFF_LOGIN`, `CIVIQUE_STAFF_ADMIN_LOGIN`, `CIVIQUE_STAFF_ENDPOINT_LOGIN` and
/// `CIVIQUE_STAFF_PASSWORD` there).
pub const STAFF_LOGIN: &str = "moderation@saint-exemple.fr";
pub const STAFF_ADMIN_LOGIN: &str = "webmestre@saint-exemple.fr";
/// An administrator of the whole endpoint (every site, creating sites).
pub const STAFF_ENDPOINT_LOGIN: &str = "exploitation@civique.example";
pub const STAFF_PASSWORD: &str = "demo-console-password";

pub struct Endpoint {
    child: Child,
    /// `http://127.0.0.1:PORT/`, with the trailing slash the embed snippet expects.
    pub base_url: String,
    pub admin_token: String,
    /// The database it serves (benchmarks read it behind its back).
    pub database_url: String,
    /// Kept alive for as long as the endpoint runs (tests and benchmarks use a throwaway one).
    dir: Option<TempDir>,
}

/// The profile `civique-server` is built with before it is started.
#[derive(Clone, Copy)]
pub enum Profile {
    Debug,
    Release,
}

impl Endpoint {
    /// The demo: `civique.db` in the repository, demo content from `www/seed.toml`.
    pub fn demo() -> Result<Self> {
        let config = root().join("target/demo-civique.toml");
        let token = "demo-admin-token-change-me";
        std::fs::write(
            &config,
            format!(
                "listen = \"127.0.0.1:8787\"\ndatabase_url = \"sqlite://{}\"\nadmin_token = \"{token}\"\n",
                root().join("civique.db").display(),
            ),
        )?;
        seed(Profile::Release, &config)?;
        staff(Profile::Release, &config)?;
        Self::start(Profile::Release, &config, token, None)
    }

    /// A throwaway endpoint on a free port with a fresh database, the demo content, and
    /// `www_origin` allowed for the demo site, whose website signs site account tokens with
    /// [`E2E_SSO_SECRET`], sending its e-mail to `smtp_url` (no `email` level without one).
    pub fn for_tests(www_origin: &str, smtp_url: Option<&str>) -> Result<Self> {
        let dir = TempDir::new("civique-e2e")?;
        let token = random_token();
        let config = dir.path().join("civique.toml");
        std::fs::write(
            &config,
            format!(
                "listen = \"127.0.0.1:0\"\ndatabase_url = \"sqlite://{}\"\nadmin_token = \"{token}\"\n\
                 # The tests post from many residents at once; the limits have their own server tests.\n\
                 [comments]\nsite_per_minute = 0\n\
                 [proposals]\nparticipant_per_minute = 0\nsite_per_minute = 0\n\
                 [participation]\nnewcomers_per_network_per_minute = 0\n\
                 {email}\
                 [[sites]]\nid = \"saint-exemple\"\nname = \"Ville de Saint-Exemple\"\norigins = [\"{www_origin}\"]\n\
                 sso_secret = \"{E2E_SSO_SECRET}\"\n",
                dir.path().join("civique.db").display(),
                email = smtp_url.map_or_else(String::new, |url| format!(
                    "[email]\nsmtp_url = \"{url}\"\n\
                     from = \"Mairie de Saint-Exemple <participation@saint-exemple.fr>\"\n"
                )),
            ),
        )?;
        seed(Profile::Debug, &config)?;
        staff(Profile::Debug, &config)?;
        Self::start(Profile::Debug, &config, &token, Some(dir))
    }

    /// A throwaway release endpoint with an empty database, for benchmarks.
    pub fn for_bench() -> Result<Self> {
        Self::for_bench_on(None)
    }

    /// A release endpoint for benchmarks on `database_url` (a fresh SQLite file when
    /// `None`); its configuration stays in [`Endpoint::config`] for restarts.
    pub fn for_bench_on(database_url: Option<&str>) -> Result<Self> {
        let dir = TempDir::new("civique-bench")?;
        let token = random_token();
        let config = dir.path().join("civique.toml");
        let database = database_url.map_or_else(
            || format!("sqlite://{}", dir.path().join("civique.db").display()),
            str::to_owned,
        );
        std::fs::write(
            &config,
            format!(
                "listen = \"127.0.0.1:0\"\ndatabase_url = \"{database}\"\nadmin_token = \"{token}\"\n\
                 # Benchmarks measure the endpoint, not its abuse limits (nor residents' phones).\n\
                 [comments]\nparticipant_per_minute = 0\nsite_per_minute = 0\n\
                 [proposals]\nparticipant_per_minute = 0\nsite_per_minute = 0\n\
                 [participation]\nnewcomers_per_network_per_minute = 0\nproof_of_work_max_number = 0\n\
                 # A load that speaks as a reverse proxy names each resident in this header.\n\
                 [connections]\nclient_ip_header = \"x-forwarded-for\"\n",
            ),
        )?;
        let mut endpoint = Self::start(Profile::Release, &config, &token, Some(dir))?;
        endpoint.database_url = database;
        Ok(endpoint)
    }

    /// The process id, for CPU readings and signals.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// CPU seconds the endpoint used so far (user and system, all threads).
    pub fn cpu_seconds(&self) -> f64 {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap_or_default();
        // Fields after the command name, which is in parentheses and may hold spaces.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map_or("", |(_, rest)| rest)
            .split_whitespace()
            .collect();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
        (ticks(11) + ticks(12)) / 100.0
    }

    /// Resident memory of the endpoint, in bytes.
    pub fn resident_bytes(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .unwrap_or_default()
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    }

    /// Kills the process at once (SIGKILL) and starts it again on the same database.
    pub fn kill_and_restart(&mut self) -> Result<()> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let dir = self.dir.take();
        let config = dir
            .as_ref()
            .map(|d| d.path().join("civique.toml"))
            .context("no configuration to restart with")?;
        let mut restarted = Self::start(Profile::Release, &config, &self.admin_token, dir)?;
        restarted.database_url = std::mem::take(&mut self.database_url);
        *self = restarted;
        Ok(())
    }

    fn start(profile: Profile, config: &Path, token: &str, dir: Option<TempDir>) -> Result<Self> {
        let mut child = Command::new(binary(profile))
            .arg("--config")
            .arg(config)
            .arg("serve")
            .current_dir(root())
            .stdout(Stdio::piped())
            .env(
                "RUST_LOG",
                std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .spawn()
            .context("starting civique-server")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.split("listening on ").nth(1) {
                    let _ = tx.send(url.trim().to_string());
                }
                eprintln!("civique-server: {line}");
            }
        });
        let url = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                bail!("civique-server did not say it was listening within 60 s");
            }
        };
        Ok(Self {
            child,
            base_url: format!("{}/", url.trim_end_matches('/')),
            admin_token: token.to_string(),
            database_url: String::new(),
            dir,
        })
    }

    /// Waits until the server exits (the demo, until Ctrl-C).
    pub fn wait(mut self) -> Result<()> {
        let status = self.child.wait()?;
        if !status.success() {
            bail!("civique-server stopped: {status}");
        }
        Ok(())
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary(profile: Profile) -> PathBuf {
    built(profile, "civique-server")
}

/// Where cargo puts program `name` built with `profile`.
pub fn built(profile: Profile, name: &str) -> PathBuf {
    let dir = match profile {
        Profile::Debug => "debug",
        Profile::Release => "release",
    };
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    target.join(dir).join(name)
}

fn seed(profile: Profile, config: &Path) -> Result<()> {
    run(Command::new(binary(profile))
        .arg("--config")
        .arg(config)
        .arg("seed")
        .arg(root().join("www/seed.toml")))
}

/// Creates the console accounts [`STAFF_LOGIN`], [`STAFF_ADMIN_LOGIN`] and
/// [`STAFF_ENDPOINT_LOGIN`] with the command line, unless the database has them already
/// (the demo's is kept between runs).
fn staff(profile: Profile, config: &Path) -> Result<()> {
    for (login, name, role) in [
        (
            STAFF_LOGIN,
            "Camille Martin",
            &["--site", "saint-exemple:moderator"][..],
        ),
        (
            STAFF_ADMIN_LOGIN,
            "Dominique Bernard",
            &["--site", "saint-exemple:admin"],
        ),
        (STAFF_ENDPOINT_LOGIN, "Alex Exploitation", &["--admin"]),
    ] {
        let output = Command::new(binary(profile))
            .arg("--config")
            .arg(config)
            .args(["user", "create", "--login", login, "--name", name])
            .args(role)
            .env("CIVIQUE_PASSWORD", STAFF_PASSWORD)
            .output()
            .context("running civique-server user create")?;
        let said = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() && !said.contains("already exists") {
            bail!("creating the console account {login} failed: {said}");
        }
    }
    Ok(())
}

pub fn random_token() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    (0..4)
        .map(|i| {
            let mut h = RandomState::new().build_hasher();
            h.write_u64(i);
            format!("{:016x}", h.finish())
        })
        .collect()
}

/// A temporary directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> Result<Self> {
        let path = std::env::temp_dir().join(format!("{prefix}-{}", random_token()));
        std::fs::create_dir_all(&path)?;
        Ok(Self(path))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
