//! Compression done once, at build time: the `.br` and `.gz` files written beside each
//! served widget file are the very bytes the endpoint sends (and `bench size` measures on
//! the wire).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The files a page may download (the endpoint serves these, and embeds them).
fn served(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("js" | "wasm" | "css")
    )
}

fn served_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            served_files(&path, out)?;
        } else if served(&path) {
            out.push(path);
        }
    }
    Ok(())
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    brotli::BrotliCompress(
        &mut &bytes[..],
        &mut out,
        &brotli::enc::BrotliEncoderParams {
            quality: 11,
            lgwin: 22,
            ..Default::default()
        },
    )?;
    Ok(out)
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

/// Writes `FILE.br` and `FILE.gz` beside every served file under `dir`.
pub fn precompress(dir: &Path) -> Result<()> {
    let mut files = Vec::new();
    served_files(dir, &mut files)?;
    for file in files {
        let bytes = fs::read(&file)?;
        fs::write(sibling(&file, ".br"), brotli(&bytes)?)?;
        fs::write(sibling(&file, ".gz"), gzip(&bytes)?)?;
    }
    Ok(())
}

/// Removes the `.br` and `.gz` files under `dir` (a development build must not be served
/// with a release build's compressed bytes).
pub fn forget(dir: &Path) -> Result<()> {
    let mut files = Vec::new();
    served_files(dir, &mut files)?;
    for file in files {
        for suffix in [".br", ".gz"] {
            let _ = fs::remove_file(sibling(&file, suffix));
        }
    }
    Ok(())
}
