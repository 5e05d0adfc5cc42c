//! Installs what the builds and tests need and is missing, so a fresh machine needs nothing else.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::{root, run};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// wasm32 target, wasm-bindgen-cli at the version locked in Cargo.lock, wasm-pack, npm packages
/// (package.json: wasm-opt and esbuild for the build, playwright-core and axe-core for the tests).
pub fn tools() -> Result<()> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]))?;
    if !installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    let wanted = locked_version("wasm-bindgen")?;
    let have = output(Command::new("wasm-bindgen").arg("--version")).unwrap_or_default();
    if have.split_whitespace().nth(1) != Some(wanted.as_str()) {
        // Not `--locked`: one of its locked dependencies is no longer served by the registry.
        run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &wanted]))?;
    }
    if output(Command::new("wasm-pack").arg("--version")).is_err() {
        run(Command::new("cargo").args(["install", "wasm-pack"]))?;
    }
    if ["wasm-opt", "esbuild", "../playwright-core", "../axe-core"]
        .iter()
        .any(|tool| !root().join("node_modules/.bin").join(tool).exists())
    {
        run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]))?;
    }
    Ok(())
}

/// The SMTP server the e-mail tests send their codes to: aiosmtpd (PyPI) in a virtual
/// environment of its own, `target/smtp-sink`, where `server/tests/email.rs` looks for it.
pub fn smtp_sink() -> Result<()> {
    let venv = root().join("target/smtp-sink");
    let python = venv.join("bin/python");
    let have =
        output(Command::new(&python).args(["-m", "aiosmtpd", "--version"])).unwrap_or_default();
    if !have.contains(AIOSMTPD.split("==").nth(1).unwrap_or_default()) {
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
        run(Command::new(venv.join("bin/pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            AIOSMTPD,
        ]))?;
    }
    Ok(())
}

/// The aiosmtpd release the e-mail tests run against.
const AIOSMTPD: &str = "aiosmtpd==1.4.6";

/// cargo-fuzz, for the fuzz targets of `fuzz/`.
pub fn fuzzer() -> Result<()> {
    let have = output(Command::new("cargo").args(["fuzz", "--version"])).unwrap_or_default();
    if !have.contains(CARGO_FUZZ) {
        run(Command::new("cargo").args(["install", "cargo-fuzz", "--version", CARGO_FUZZ]))?;
    }
    Ok(())
}

/// The cargo-fuzz release the targets are built with.
const CARGO_FUZZ: &str = "0.13.2";

/// Debian's Chromium and ChromeDriver (the tests cannot download a browser of their own), and
/// PHP's command line (the PHP example of `docs/sso.md` is run by the tests).
pub fn debian_packages() -> Result<()> {
    let wanted = [
        (CHROMIUM, "chromium"),
        (CHROMEDRIVER, "chromium-driver"),
        (PHP, "php-cli"),
    ];
    let missing: Vec<&str> = wanted
        .iter()
        .filter(|(path, _)| !Path::new(path).exists())
        .map(|(_, package)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let uid = output(Command::new("id").arg("-u"))?;
    if uid.trim() != "0" {
        bail!(
            "{} missing: run `sudo apt-get install {}`, then try again",
            missing.join(", "),
            missing.join(" ")
        );
    }
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

pub const PHP: &str = "/usr/bin/php";

/// The version of `name` that Cargo.lock pins.
pub fn locked_version(name: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let needle = format!("name = \"{name}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .with_context(|| format!("{name} is not in Cargo.lock"))?
        + needle.len();
    let end = lock[start..].find('"').context("malformed Cargo.lock")? + start;
    Ok(lock[start..end].to_string())
}

fn output(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .output()
        .with_context(|| format!("cannot run {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed");
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
