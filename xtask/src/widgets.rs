//! Builds the widget bundle into `pkg/` (wasm-pack, npm's wasm-opt, loader, CSS) and runs the browser tests.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::setup::CHROMEDRIVER;
use crate::{compress, root, run};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Fast to build, large: for working on the widgets.
    Dev,
    /// What residents download: size-optimised profile, then wasm-opt -Oz until it converges.
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

/// The widget kinds: each is built into its own wasm module, `pkg/<kind>/`, with only its
/// cargo feature, so a page downloads only the kinds it shows.
pub const KINDS: &[&str] = &["poll", "comments", "proposals"];

pub fn build(mode: Mode) -> Result<()> {
    let pkg = root().join("pkg");
    for kind in KINDS {
        let out_dir = format!("pkg/{kind}");
        let mut wasm_pack = Command::new("wasm-pack");
        wasm_pack.args([
            "build",
            "--target",
            "web",
            "--out-dir",
            &out_dir,
            "--out-name",
            "civique",
        ]);
        match mode {
            Mode::Dev => wasm_pack.arg("--dev"),
            Mode::Release => wasm_pack.args(["--profile", "wasm-release"]),
        };
        wasm_pack.args(["--", "--no-default-features", "--features", kind]);
        run(&mut wasm_pack)?;
        if mode == Mode::Release {
            let wasm = root().join(&out_dir).join("civique_bg.wasm");
            let wasm_opt = root().join("node_modules/.bin/wasm-opt");
            // `--converge` runs the passes again until they stop shrinking the module: about
            // 0.5 % of the brotli bytes.
            run(Command::new(wasm_opt)
                .args(["-Oz", "--converge"])
                .args(WASM_FEATURES)
                .arg(&wasm)
                .arg("-o")
                .arg(&wasm))?;
        }
    }
    // The loader, the e-mail form it loads when a widget asks for a verified address, and
    // each kind's wasm-bindgen glue, minified.
    for (source, target) in [("loader.js", "loader"), ("email.js", "email")] {
        fs::create_dir_all(pkg.join(target))?;
        fs::copy(
            root().join("src").join(source),
            pkg.join(target).join("civique.js"),
        )
        .with_context(|| format!("copying src/{source}"))?;
        minify_js(&pkg.join(target).join("civique.js"))?;
    }
    for kind in KINDS {
        minify_js(&pkg.join(kind).join("civique.js"))?;
    }
    // Each kind's page loads the shared base and that kind's own rules only; the whole
    // stylesheet is kept for the npm package's users who style every kind at once.
    fs::write(pkg.join("civique.css"), stylesheet(None)?).context("writing civique.css")?;
    for kind in KINDS {
        fs::write(pkg.join(kind).join("civique.css"), stylesheet(Some(kind))?)
            .with_context(|| format!("writing {kind}/civique.css"))?;
    }
    write_npm_manifest(&pkg)?;
    match mode {
        Mode::Release => compress::precompress(&pkg)?,
        Mode::Dev => compress::forget(&pkg)?,
    }
    eprintln!("xtask: widgets built into {}", pkg.display());
    Ok(())
}

/// The stylesheet of widgets of `kind` (every kind when `None`): the shared base first, then
/// each widget's own, in path order.
pub fn stylesheet(kind: Option<&str>) -> Result<String> {
    let src = root().join("src");
    let mut files = vec![src.join("ui/base.css")];
    let mut own: Vec<PathBuf> = fs::read_dir(&src)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && !p.ends_with("ui"))
        .filter(|p| kind.is_none_or(|kind| p.ends_with(kind)))
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
        css.push_str(&minify_css(&text));
    }
    Ok(css)
}

/// `css` without its comments, indentation and blank lines: every page with a widget
/// downloads the stylesheet.
fn minify_css(css: &str) -> String {
    let mut rest = css;
    let mut bare = String::with_capacity(css.len());
    while let Some(start) = rest.find("/*") {
        bare.push_str(&rest[..start]);
        rest = rest[start..]
            .find("*/")
            .map_or("", |end| &rest[start + end + 2..]);
    }
    bare.push_str(rest);
    bare.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .fold(String::new(), |mut out, line| {
            // `a: b;` loses its space, `sel {` too; a line break goes after what ends a
            // selector, a block or a declaration (not inside a value written over lines).
            match (line.strip_suffix(" {"), line.split_once(": ")) {
                (Some(selector), _) => out.extend([selector, "{"]),
                (None, Some((property, value))) if line.ends_with(';') => {
                    out.extend([property, ":", value]);
                }
                _ => out.push_str(line),
            }
            if !line.ends_with(['{', ';', '}', ',']) {
                out.push('\n');
            }
            out
        })
}

/// Minifies the JavaScript file `path` in place with esbuild (npm): identifiers shortened,
/// comments and blank space gone. Every page with a widget downloads the loader and its
/// kind's glue; the syntax kept is that of the browsers the widgets support (ES2022).
fn minify_js(path: &Path) -> Result<()> {
    run(Command::new(root().join("node_modules/.bin/esbuild"))
        .arg(path)
        .args([
            "--minify",
            "--format=esm",
            "--target=es2022",
            "--log-level=warning",
            "--allow-overwrite",
        ])
        .arg(format!("--outfile={}", path.display())))
}

/// `pkg/package.json`: the npm package `civique` holds the loader, the stylesheet and one
/// wasm-pack output per kind (each keeps its own manifest, for its TypeScript types).
fn write_npm_manifest(pkg: &Path) -> Result<()> {
    let kind_manifest: serde_json::Value = serde_json::from_str(&fs::read_to_string(
        pkg.join(KINDS[0]).join("package.json"),
    )?)?;
    let mut files = vec![
        "loader/civique.js".to_string(),
        "email/civique.js".to_string(),
        "civique.css".to_string(),
    ];
    let mut exports = serde_json::Map::new();
    exports.insert(".".into(), "./loader/civique.js".into());
    exports.insert("./civique.css".into(), "./civique.css".into());
    for kind in KINDS {
        files.push(format!("{kind}/"));
        exports.insert(format!("./{kind}"), format!("./{kind}/civique.js").into());
    }
    // The precompressed copies are the endpoint's; bundlers compress what they serve.
    files.extend(["!**/*.br".to_string(), "!**/*.gz".to_string()]);
    let manifest = serde_json::json!({
        "name": "civique",
        "version": kind_manifest["version"],
        "description": kind_manifest["description"],
        "license": kind_manifest["license"],
        "type": "module",
        "files": files,
        "main": "loader/civique.js",
        "exports": exports,
        "sideEffects": ["loader/civique.js"],
    });
    fs::write(
        pkg.join("package.json"),
        serde_json::to_string_pretty(&manifest)? + "\n",
    )?;
    Ok(())
}

/// The widget tests (`tests/widget.rs`, `tests/comments_widget.rs`) in headless Chromium
/// through ChromeDriver.
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
                "--test",
                "comments_widget",
            ])
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                "wasm-bindgen-test-runner",
            )
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
    )
}

#[cfg(test)]
mod tests {
    use super::minify_css;

    #[test]
    fn minified_css_keeps_every_rule_and_drops_comments() {
        let css = "/* base */\n.a,\n.b {\n  color: red; /* why */\n  font: 1em a, b;\n}\n\n.c { margin: 0; }\n.d {\n  grid-template-areas:\n    'x'\n    'y';\n}\n";
        assert_eq!(
            minify_css(css),
            ".a,.b{color:red;font:1em a, b;}.c { margin: 0; }.d{grid-template-areas:\n'x'\n'y';}"
        );
    }
}
