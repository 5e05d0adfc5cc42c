//! The PostgreSQL server the tests run against: found (or, as root, installed and started
//! from Debian's packages), given a fresh set of databases per run, cleaned up afterwards.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::endpoint::random_token;
use crate::run;

/// Where the tests look unless `CIVIQUE_TEST_POSTGRES` says otherwise: the machine's server,
/// trust authentication for `postgres` on loopback.
const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432";
/// The password xtask gives `postgres` on a server it installed itself.
const INSTALLED_SERVER: &str = "postgres://postgres:civique-tests@127.0.0.1:5432";

/// A PostgreSQL server for one test run; the databases the run created are dropped when it
/// is dropped.
pub struct TestServer {
    /// `postgres://USER[:PASSWORD]@HOST:PORT`, without a database.
    pub url: String,
    /// Every database of this run is named with it.
    pub prefix: String,
}

impl TestServer {
    /// A reachable server: `CIVIQUE_TEST_POSTGRES`, the machine's, or (as root) one
    /// installed now. Never returns without one: the PostgreSQL half of the tests must run.
    pub fn ensure() -> Result<Self> {
        let url = match std::env::var("CIVIQUE_TEST_POSTGRES") {
            Ok(url) if !url.is_empty() => url.trim_end_matches('/').to_owned(),
            _ if answers(DEFAULT_SERVER) => DEFAULT_SERVER.to_owned(),
            _ if answers(INSTALLED_SERVER) => INSTALLED_SERVER.to_owned(),
            _ => install()?,
        };
        if !answers(&url) {
            bail!(
                "PostgreSQL at {url} does not accept connections: start it, or set \
                 CIVIQUE_TEST_POSTGRES=postgres://USER:PASSWORD@HOST:PORT (a role that may \
                 create databases)"
            );
        }
        Ok(Self {
            url,
            prefix: format!("civique_test_{}", &random_token()[..12]),
        })
    }

    /// Environment of a test process that must use this server.
    pub fn env(&self) -> [(&'static str, &str); 2] {
        [
            ("CIVIQUE_TEST_POSTGRES", &self.url),
            ("CIVIQUE_TEST_DB_PREFIX", &self.prefix),
        ]
    }

    /// A new empty database of this run, dropped with the others; its URL.
    pub fn create_database(&self, name: &str) -> Result<String> {
        let database = format!("{}_{name}", self.prefix);
        psql(&self.url, &format!("CREATE DATABASE \"{database}\""))?;
        Ok(format!("{}/{database}", self.url))
    }

    fn drop_databases(&self) -> Result<()> {
        let names = psql(
            &self.url,
            &format!(
                "SELECT datname FROM pg_database WHERE datname LIKE '{}%'",
                self.prefix
            ),
        )?;
        for name in names.lines().filter(|name| !name.is_empty()) {
            psql(
                &self.url,
                &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
            )?;
        }
        eprintln!(
            "xtask: dropped {} test databases",
            names.lines().filter(|n| !n.is_empty()).count()
        );
        Ok(())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Err(error) = self.drop_databases() {
            eprintln!(
                "xtask: could not drop the test databases {}*: {error:#}",
                self.prefix
            );
        }
    }
}

/// Runs `sql` on the `postgres` database of `server`; its rows, one per line.
fn psql(server: &str, sql: &str) -> Result<String> {
    let out = Command::new("psql")
        .arg(format!("{server}/postgres"))
        .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .context("running psql (Debian package postgresql-client)")?;
    if !out.status.success() {
        bail!("psql: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn answers(server: &str) -> bool {
    psql(server, "SELECT 1").is_ok()
}

/// Installs and starts Debian's PostgreSQL (root only), with a password for `postgres` on
/// loopback; returns its URL.
fn install() -> Result<String> {
    let uid = Command::new("id").arg("-u").output()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        bail!(
            "no PostgreSQL answers on 127.0.0.1:5432, and the tests need one: run \
             `sudo apt-get install postgresql postgresql-client && sudo pg_ctlcluster 15 main start`, \
             or set CIVIQUE_TEST_POSTGRES=postgres://USER:PASSWORD@HOST:PORT"
        );
    }
    if !Path::new("/usr/bin/psql").exists() || !Path::new("/usr/lib/postgresql").exists() {
        run(Command::new("apt-get").args(["update", "-qq"]))?;
        run(Command::new("apt-get")
            .args(["install", "-y", "-qq", "postgresql", "postgresql-client"])
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
    }
    for version in std::fs::read_dir("/etc/postgresql")
        .context("no cluster in /etc/postgresql after installing PostgreSQL")?
        .filter_map(|entry| entry.ok())
    {
        let version = version.file_name().to_string_lossy().into_owned();
        // Already running is fine; the password is what lets the tests in over TCP.
        let _ = Command::new("pg_ctlcluster")
            .args([&version, "main", "start"])
            .status();
    }
    run(Command::new("su").args([
        "postgres",
        "-c",
        "psql -X -c \"ALTER USER postgres PASSWORD 'civique-tests'\"",
    ]))?;
    Ok(INSTALLED_SERVER.to_owned())
}
