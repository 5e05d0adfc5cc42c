//! `cargo xtask bench crash [--cycles N] [--backends sqlite,postgres]`: votes pour in from a
//! load process while the endpoint is killed with SIGKILL at a random moment; after each
//! restart every vote the endpoint acknowledged must be stored with the option it named,
//! the SQLite file must pass `PRAGMA integrity_check`, and every counter must equal the rows
//! it counts.

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use sqlx::{Connection, Row};

use super::{build_release, check_counters, flag, release_xtask, with_database, Bench};
use crate::endpoint::{random_token, Endpoint};
use crate::postgres;

/// How long each cycle's load runs; the kill falls somewhere inside it.
const LOAD: Duration = Duration::from_millis(1200);

#[derive(Default)]
struct Totals {
    acknowledged: u64,
    present: u64,
    lost: u64,
    wrong: u64,
}

pub fn run(args: &[&str]) -> Result<()> {
    let cycles = flag(args, "--cycles", 100)?;
    let backends = super::text_flag(args, "--backends", "sqlite,postgres");
    build_release()?;
    crate::raise_open_files();
    let runtime = tokio::runtime::Runtime::new()?;
    let mut summary = Vec::new();
    for backend in backends.split(',') {
        let totals = match backend {
            "sqlite" => {
                let mut server = Endpoint::for_bench_on(None)?;
                runtime.block_on(cycles_against(&mut server, cycles))?
            }
            "postgres" => {
                let pg = postgres::TestServer::ensure()?;
                let url = pg.create_database("crash")?;
                let mut server = Endpoint::for_bench_on(Some(&url))?;
                let totals = runtime.block_on(cycles_against(&mut server, cycles))?;
                drop(server);
                totals
            }
            other => bail!("unknown backend {other:?} (sqlite, postgres)"),
        };
        summary.push(format!(
            "{backend}: {cycles} kills, acknowledged {}, present {}, lost {}, wrong option {}",
            totals.acknowledged, totals.present, totals.lost, totals.wrong
        ));
        if totals.lost > 0 || totals.wrong > 0 {
            println!("summary: {}", summary.join("; "));
            bail!("{backend}: acknowledged votes were lost after a crash");
        }
    }
    println!("summary: {}", summary.join("; "));
    Ok(())
}

async fn cycles_against(server: &mut Endpoint, cycles: usize) -> Result<Totals> {
    let mut totals = Totals::default();
    let record = scratch_file("crash-record.txt");
    Bench::with_site(server, 4).await?;
    for cycle in 0..cycles {
        // The endpoint listens on a new port after each restart.
        let bench = Bench::on(server, 4)?;
        let poll = format!("crash-{cycle}");
        let options: Vec<String> = bench
            .poll(&poll, &["A", "B", "C"])
            .await?
            .iter()
            .map(i64::to_string)
            .collect();
        let mut load = Command::new(release_xtask())
            .args(["load", "votes", "--url"])
            .arg(server.base_url.trim_end_matches('/'))
            .args(["--poll", &poll, "--options", &options.join(",")])
            .args(["--connections", "64", "--seconds"])
            .arg(format!("{}", LOAD.as_secs_f64()))
            .arg("--record")
            .arg(&record)
            .stdout(Stdio::null())
            .spawn()
            .context("starting the load")?;
        // Somewhere between a tenth and nine tenths of the load.
        let at = LOAD.as_millis() as u64 / 10 + random_below(LOAD.as_millis() as u64 * 8 / 10);
        tokio::time::sleep(Duration::from_millis(100 + at)).await;
        server.kill_and_restart()?;
        let status = tokio::task::spawn_blocking(move || load.wait()).await??;
        if !status.success() {
            bail!("the load process failed in cycle {cycle}");
        }
        let acknowledged = read_record(&record)?;
        let stored = stored_choices(&server.database_url, &poll).await?;
        let mut cycle_lost = 0;
        for (token, option) in &acknowledged {
            match stored.get(&participant_key(token)) {
                Some(found) if found == option => totals.present += 1,
                Some(_) => totals.wrong += 1,
                None => cycle_lost += 1,
            }
        }
        totals.acknowledged += acknowledged.len() as u64;
        totals.lost += cycle_lost;
        integrity(&server.database_url).await?;
        check_counters(&server.database_url).await?;
        eprintln!(
            "cycle {:>3}: killed after {:>4} ms, {:>5} acknowledged, {:>5} stored, {cycle_lost} lost",
            cycle + 1,
            at + 100,
            acknowledged.len(),
            stored.len(),
        );
    }
    let _ = std::fs::remove_file(&record);
    Ok(totals)
}

/// A file of this run in the temporary directory.
fn scratch_file(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("civique-{}-{name}", &random_token()[..8]))
}

fn random_below(n: u64) -> u64 {
    u64::from_str_radix(&random_token()[..12], 16).unwrap_or(0) % n.max(1)
}

/// `token option` lines the load wrote, one per acknowledged vote.
fn read_record(path: &std::path::Path) -> Result<Vec<(String, i64)>> {
    std::fs::read_to_string(path)?
        .lines()
        .map(|line| {
            let (token, option) = line.split_once(' ').context("bad record line")?;
            Ok((token.to_owned(), option.parse()?))
        })
        .collect()
}

/// How the endpoint stores a bench participant (see `domain::site::participant_key`).
fn participant_key(token: &str) -> String {
    Sha256::digest(format!("bench:{token}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Participant key → the option they chose, for poll `poll`.
async fn stored_choices(database_url: &str, poll: &str) -> Result<HashMap<String, i64>> {
    let sql = "SELECT p.key, c.option_id FROM ballot_choices c \
               JOIN participants p ON p.id = c.participant_id WHERE c.poll_id = $1";
    let pairs = with_database!(database_url, |db| sqlx::query(sql)
        .bind(poll)
        .fetch_all(&mut db)
        .await?
        .iter()
        .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1)))
        .collect());
    Ok(pairs)
}

/// `PRAGMA integrity_check` answers `ok` (SQLite only).
async fn integrity(database_url: &str) -> Result<()> {
    if !database_url.starts_with("sqlite") {
        return Ok(());
    }
    let mut db = sqlx::SqliteConnection::connect(database_url).await?;
    let answer: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut db)
        .await?;
    if answer != ["ok"] {
        bail!("integrity_check: {}", answer.join("; "));
    }
    Ok(())
}
