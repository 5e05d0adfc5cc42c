//! Coverage-guided fuzzing (cargo-fuzz and libFuzzer, with AddressSanitizer) of the code that
//! reads what residents and host websites send: the Markdown renderer and sanitizer, the
//! request bodies with the rules that check them, and site account (SSO) tokens. The targets
//! are in `fuzz/`; a failure leaves its input in `fuzz/artifacts/TARGET/`, which
//! `cargo fuzz run TARGET FILE` replays.

use std::process::Command;

use anyhow::{Context, Result};

use crate::{root, run, setup};

/// The targets, `fuzz/fuzz_targets/NAME.rs`.
const TARGETS: &[&str] = &["markdown", "request_bodies", "sso"];

/// Seconds each target runs in `cargo xtask test`.
pub const BRIEF_SECONDS: u64 = 20;

/// `cargo xtask fuzz [--seconds N]`: every target for N seconds (`BRIEF_SECONDS` unless told).
pub fn command(args: &[&str]) -> Result<()> {
    let seconds = match args {
        [] => BRIEF_SECONDS,
        ["--seconds", n] => n.parse().context("--seconds N")?,
        _ => anyhow::bail!("usage: cargo xtask fuzz [--seconds N]"),
    };
    every_target(seconds)
}

/// Runs every target for `seconds`; fails at the first input that makes one fail.
pub fn every_target(seconds: u64) -> Result<()> {
    setup::fuzzer()?;
    for target in TARGETS {
        run(Command::new("cargo")
            .current_dir(root().join("fuzz"))
            // cargo-fuzz passes the sanitizer flags of a nightly compiler; the stable one
            // takes them when told to.
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "run", "-O", target, "--"])
            .arg(format!("-max_total_time={seconds}"))
            .arg("-max_len=8192"))?;
    }
    Ok(())
}
