//! Builds the widget bundle into `pkg/` (wasm-pack, npm's wasm-opt, loader, CSS) and runs the browser tests.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::setup::CHROMEDRIVER;
use crate::{root, run};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Fast to build, large: for working on the widgets.
    Dev,
    /// What residents download: size-optimised profile, then wasm-opt -Oz.
    Release,
}

/// Features the Rust wasm32 target emits by default; wasm-opt must be told it may keep them.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

pub fn build(mode: Mode) -> Result<()> {
    let pkg = root().join("pkg");
    let mut wasm_pack = Command::new("wasm-pack");
    wasm_pack.args([
        "build",
        "--target",
        "web",
        "--out-dir",
        "pkg",
        "--out-name",
        "civique",
    ]);
    match mode {
        Mode::Dev => wasm_pack.arg("--dev"),
        Mode::Release => wasm_pack.args(["--profile", "wasm-release"]),
    };
    run(&mut wasm_pack)?;
    if mode == Mode::Release {
        let wasm = pkg.join("civique_bg.wasm");
        let wasm_opt = root().join("node_modules/.bin/wasm-opt");
        run(Command::new(wasm_opt)
            .arg("-Oz")
            .args(WASM_FEATURES)
            .arg(&wasm)
            .arg("-o")
            .arg(&wasm))?;
    }
    fs::create_dir_all(pkg.join("loader"))?;
    fs::copy(root().join("src/loader.js"), pkg.join("loader/civique.js"))
        .context("copying the loader")?;
    fs::write(pkg.join("civique.css"), stylesheet()?).context("writing civique.css")?;
    add_to_npm_package(&pkg)?;
    eprintln!("xtask: widgets built into {}", pkg.display());
    Ok(())
}

/// One stylesheet for every widget: the shared base first, then each widget's own, in path order.
pub fn stylesheet() -> Result<String> {
    let src = root().join("src");
    let mut files = vec![src.join("ui/base.css")];
    let mut own: Vec<PathBuf> = fs::read_dir(&src)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && !p.ends_with("ui"))
        .flat_map(|dir| {
            fs::read_dir(dir)
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok())
        })
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "css"))
        .collect();
    own.sort();
    files.extend(own);
    let mut css = String::new();
    for file in files {
        let text =
            fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
        css.push_str(&format!(
            "/* {} */\n",
            file.strip_prefix(root()).unwrap_or(&file).display()
        ));
        css.push_str(&text);
        css.push('\n');
    }
    Ok(css)
}

/// wasm-pack lists only its own outputs in package.json: add the loader and the stylesheet.
fn add_to_npm_package(pkg: &Path) -> Result<()> {
    let path = pkg.join("package.json");
    let mut manifest: serde_json::Value = serde_json::from_str(&fs::read_to_string(&path)?)?;
    if let Some(files) = manifest.get_mut("files").and_then(|f| f.as_array_mut()) {
        for extra in ["loader/civique.js", "civique.css"] {
            if !files.iter().any(|f| f == extra) {
                files.push(extra.into());
            }
        }
    }
    fs::write(&path, serde_json::to_string_pretty(&manifest)? + "\n")?;
    Ok(())
}

/// The widget tests (`tests/widget.rs`) in headless Chromium through ChromeDriver.
pub fn browser_tests() -> Result<()> {
    run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "test",
                "-p",
                "civique",
                "--target",
                "wasm32-unknown-unknown",
                "--test",
                "widget",
            ])
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                "wasm-bindgen-test-runner",
            )
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
    )
}
