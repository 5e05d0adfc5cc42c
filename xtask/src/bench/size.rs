//! What a page with each kind of widget downloads from a running endpoint: the loader and
//! the files it names, in bytes on the wire, raw, gzip and brotli (the endpoint sends the
//! files compressed at build time, so these are the build's bytes).

use anyhow::{bail, Context, Result};
use reqwest::header::ACCEPT_ENCODING;
use serde_json::{Map, Value};

use crate::endpoint::Endpoint;
use crate::widgets;

/// Brotli budget for everything a page with polls downloads (loader + wasm + glue + CSS).
const BUDGET_BROTLI_BYTES: usize = 100 * 1024;

#[derive(Default)]
pub struct Sizes {
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

async fn fetch(client: &reqwest::Client, url: &str, encoding: &str) -> Result<Vec<u8>> {
    let response = client
        .get(url)
        .header(ACCEPT_ENCODING, encoding)
        .send()
        .await?
        .error_for_status()
        .with_context(|| format!("GET {url}"))?;
    Ok(response.bytes().await?.to_vec())
}

async fn sizes(client: &reqwest::Client, url: &str) -> Result<Sizes> {
    Ok(Sizes {
        raw: fetch(client, url, "identity").await?.len(),
        gzip: fetch(client, url, "gzip").await?.len(),
        brotli: fetch(client, url, "br").await?.len(),
    })
}

/// The loader's table of versioned files (`{"pkg/poll/civique.js":"assets/…",…}`), which the
/// endpoint writes in the place of the built loader's mark.
fn files_of(loader: &str) -> Result<Map<String, Value>> {
    let start = loader
        .find("{\"pkg/")
        .context("the loader has no table of versioned files")?;
    match serde_json::Deserializer::from_str(&loader[start..])
        .into_iter::<Value>()
        .next()
        .context("unterminated table of files")??
    {
        Value::Object(files) => Ok(files),
        other => bail!("the table of files is not an object: {other}"),
    }
}

/// The files a page with widgets of `kind` downloads from `base`, labelled.
async fn page(base: &str, kind: &str) -> Result<Vec<(String, Sizes)>> {
    // reqwest is built without decompression here: lengths are those on the wire.
    let client = reqwest::Client::new();
    let loader_url = format!("{base}civique.js");
    let loader = String::from_utf8(fetch(&client, &loader_url, "identity").await?)?;
    let files = files_of(&loader)?;
    let named = |key: &str| {
        files
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .with_context(|| format!("the loader names no {key}"))
    };
    let glue = named(&format!("pkg/{kind}/civique.js"))?;
    let wasm = glue.replace("civique.js", "civique_bg.wasm");
    let css = named(&format!("pkg/{kind}/civique.css"))?;
    let mut out = vec![(
        "loader  civique.js".to_owned(),
        sizes(&client, &loader_url).await?,
    )];
    for (label, path) in [
        (format!("wasm    {kind}/civique_bg.wasm"), wasm),
        (format!("glue    {kind}/civique.js"), glue),
        (format!("css     {kind}/civique.css"), css),
    ] {
        out.push((label, sizes(&client, &format!("{base}{path}")).await?));
    }
    Ok(out)
}

fn total(files: &[(String, Sizes)]) -> Sizes {
    files.iter().fold(Sizes::default(), |sum, (_, s)| Sizes {
        raw: sum.raw + s.raw,
        gzip: sum.gzip + s.gzip,
        brotli: sum.brotli + s.brotli,
    })
}

/// Prints, for a page with each kind of widget, the sizes of what it downloads from `server`.
pub async fn report(server: &Endpoint) -> Result<()> {
    for kind in widgets::KINDS {
        println!("a page with {kind} widgets:");
        println!(
            "{:<34} {:>10} {:>10} {:>10}",
            "file", "raw", "gzip", "brotli"
        );
        let files = page(&server.base_url, kind).await?;
        for (label, s) in &files {
            println!("{label:<34} {:>10} {:>10} {:>10}", s.raw, s.gzip, s.brotli);
        }
        let sum = total(&files);
        println!(
            "{:<34} {:>10} {:>10} {:>10}",
            "total", sum.raw, sum.gzip, sum.brotli
        );
        println!();
    }
    println!("budget: a page with polls, brotli total <= {BUDGET_BROTLI_BYTES} B");
    Ok(())
}

/// Part of `cargo xtask test`: a size is deterministic, so the budget is checked there too.
pub async fn check_budget(server: &Endpoint) -> Result<()> {
    let brotli = total(&page(&server.base_url, "poll").await?).brotli;
    if brotli > BUDGET_BROTLI_BYTES {
        bail!(
            "a page with polls downloads {brotli} B brotli, over the {BUDGET_BROTLI_BYTES} B budget"
        );
    }
    eprintln!(
        "xtask: a page with polls downloads {brotli} B brotli (budget {BUDGET_BROTLI_BYTES} B)"
    );
    Ok(())
}
