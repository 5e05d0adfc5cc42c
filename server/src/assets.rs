//! The widget files (loader, glue, wasm, styles): embedded in the binary at build time, or
//! read from `assets_dir`; compressed once (brotli and gzip, from the build's precompressed
//! siblings when there are some) and versioned by their content.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use bytes::Bytes;
use sha2::{Digest, Sha256};

/// The files embedded by `build.rs`: (path under `pkg/`, raw, brotli, gzip).
type Embedded = &'static [(
    &'static str,
    &'static [u8],
    Option<&'static [u8]>,
    Option<&'static [u8]>,
)];

const EMBEDDED: Embedded = include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// The loader's path under `pkg/`; served at `/civique.js`.
pub const LOADER: &str = "loader/civique.js";

/// What the endpoint fills with the versioned paths of the files: the loader's table of them
/// (`const FILES = { 'civique:files': 0 };` in `src/loader.js`), as a minifier writes it.
const FILES_MARK: &str = "{\"civique:files\":0}";

/// One file, ready to send.
#[derive(Debug, Clone)]
pub struct Asset {
    pub content_type: &'static str,
    pub raw: Bytes,
    pub brotli: Bytes,
    pub gzip: Bytes,
    /// A strong validator of the content.
    pub etag: String,
    /// The content hash of the file's group (its first folder): files that load each other,
    /// a kind's glue and wasm, share it, so they are always of the same build.
    pub version: String,
}

/// Every widget file by its path under `pkg/` (`poll/civique_bg.wasm`), and the loader as
/// this endpoint serves it.
#[derive(Debug, Clone, Default)]
pub struct Assets {
    files: HashMap<String, Asset>,
    loader: Option<Asset>,
}

/// A file before compression: its path under `pkg/`, its bytes, and the precompressed
/// variants the build made, if any.
struct Source {
    path: String,
    raw: Bytes,
    brotli: Option<Bytes>,
    gzip: Option<Bytes>,
}

impl Assets {
    /// The files embedded in this binary (none if it was built before the widgets).
    pub fn embedded() -> Self {
        Self::build(
            EMBEDDED
                .iter()
                .map(|&(path, raw, brotli, gzip)| Source {
                    path: path.to_owned(),
                    raw: Bytes::from_static(raw),
                    brotli: brotli.map(Bytes::from_static),
                    gzip: gzip.map(Bytes::from_static),
                })
                .collect(),
        )
    }

    /// The files of a widget build folder (`cargo xtask build`'s `pkg/`); none if it does not
    /// exist.
    pub fn from_dir(dir: &Path) -> std::io::Result<Self> {
        let mut paths = Vec::new();
        if dir.is_dir() {
            collect(dir, dir, &mut paths)?;
        }
        let mut sources = Vec::with_capacity(paths.len());
        for path in paths {
            let absolute = dir.join(&path);
            let sibling = |suffix: &str| {
                let mut name = absolute.clone().into_os_string();
                name.push(suffix);
                std::fs::read(name).ok().map(Bytes::from)
            };
            sources.push(Source {
                path: path.to_string_lossy().replace('\\', "/"),
                raw: Bytes::from(std::fs::read(&absolute)?),
                brotli: sibling(".br"),
                gzip: sibling(".gz"),
            });
        }
        Ok(Self::build(sources))
    }

    fn build(sources: Vec<Source>) -> Self {
        let mut groups: HashMap<String, Sha256> = HashMap::new();
        let mut sorted: Vec<&Source> = sources.iter().collect();
        sorted.sort_by(|a, b| a.path.cmp(&b.path));
        for source in &sorted {
            let hasher = groups.entry(group(&source.path).to_owned()).or_default();
            hasher.update(source.path.as_bytes());
            hasher.update([0]);
            hasher.update(&source.raw);
        }
        let versions: HashMap<String, String> = groups
            .into_iter()
            .map(|(group, hasher)| (group, hex(&hasher.finalize())[..12].to_owned()))
            .collect();
        let files: HashMap<String, Asset> = sources
            .into_iter()
            .map(|source| {
                let version = versions[group(&source.path)].clone();
                let asset = Asset::new(
                    &source.path,
                    source.raw,
                    source.brotli,
                    source.gzip,
                    version,
                );
                (source.path, asset)
            })
            .collect();
        let loader = files
            .get(LOADER)
            .map(|loader| versioned_loader(loader, &files));
        Self { files, loader }
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// The file at `path` under `pkg/`.
    pub fn get(&self, path: &str) -> Option<&Asset> {
        self.files.get(path)
    }

    /// The loader, its table of versioned paths filled in.
    pub fn loader(&self) -> Option<&Asset> {
        self.loader.as_ref()
    }

    /// Where the current version of `path` is served for good: `assets/VERSION/PATH`.
    pub fn versioned_path(&self, path: &str) -> Option<String> {
        self.get(path)
            .map(|asset| format!("assets/{}/{path}", asset.version))
    }
}

impl Asset {
    fn new(
        path: &str,
        raw: Bytes,
        brotli: Option<Bytes>,
        gzip: Option<Bytes>,
        version: String,
    ) -> Self {
        Self {
            content_type: content_type(path),
            etag: format!("\"{}\"", &hex(&Sha256::digest(&raw))[..20]),
            brotli: brotli.unwrap_or_else(|| compress_brotli(&raw)),
            gzip: gzip.unwrap_or_else(|| compress_gzip(&raw)),
            raw,
            version,
        }
    }
}

/// The loader as this endpoint serves it: [`FILES_MARK`] becomes the table of the
/// versioned paths of what it loads (each kind's glue and stylesheet).
fn versioned_loader(loader: &Asset, files: &HashMap<String, Asset>) -> Asset {
    let text = String::from_utf8_lossy(&loader.raw);
    if !text.contains(FILES_MARK) {
        tracing::warn!("the loader has no `{FILES_MARK}` table: it loads unversioned files");
        return loader.clone();
    }
    let mut table: Vec<(String, String)> = files
        .iter()
        .filter(|(path, _)| {
            (path.ends_with("/civique.js") || path.ends_with("/civique.css"))
                && path.as_str() != LOADER
        })
        .map(|(path, asset)| {
            (
                format!("pkg/{path}"),
                format!("assets/{}/{path}", asset.version),
            )
        })
        .collect();
    table.sort();
    let table: serde_json::Map<String, serde_json::Value> = table
        .into_iter()
        .map(|(from, to)| (from, serde_json::Value::String(to)))
        .collect();
    let filled = text.replace(FILES_MARK, &serde_json::Value::Object(table).to_string());
    Asset::new(
        LOADER,
        Bytes::from(filled),
        None,
        None,
        loader.version.clone(),
    )
}

fn collect(dir: &Path, root: &Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, root, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("js" | "wasm" | "css")
        ) {
            out.push(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
        }
    }
    Ok(())
}

/// The first folder of a path (`poll` of `poll/civique.js`); root files are one group.
fn group(path: &str) -> &str {
    path.split_once('/').map_or("", |(first, _)| first)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// Used only for files the build did not precompress: the loader this endpoint fills in,
// development builds, tests. Small files get the build's settings (a few milliseconds);
// large ones quicker settings, so that a development build starts at once.
const SMALL: usize = 64 * 1024;

fn compress_brotli(raw: &[u8]) -> Bytes {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: if raw.len() <= SMALL { 11 } else { 5 },
        lgwin: 22,
        ..Default::default()
    };
    let _ = brotli::BrotliCompress(&mut &raw[..], &mut out, &params);
    Bytes::from(out)
}

fn compress_gzip(raw: &[u8]) -> Bytes {
    let level = if raw.len() <= SMALL {
        flate2::Compression::best()
    } else {
        flate2::Compression::default()
    };
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), level);
    let _ = encoder.write_all(raw);
    Bytes::from(encoder.finish().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(path: &str, text: &str) -> Source {
        Source {
            path: path.to_owned(),
            raw: Bytes::from(text.to_owned()),
            brotli: None,
            gzip: None,
        }
    }

    fn sample(glue: &str) -> Assets {
        Assets::build(vec![
            source(
                LOADER,
                "const F={\"civique:files\":0};\nimport(F['pkg/poll/civique.js']);",
            ),
            source("poll/civique.js", glue),
            source("poll/civique_bg.wasm", "\0asm"),
            source("poll/civique.css", ":host{}.poll{}"),
            source("comments/civique.js", "comments"),
            source("civique.css", ":host{}"),
        ])
    }

    #[test]
    fn glue_and_wasm_share_a_version_that_follows_their_content() {
        let assets = sample("poll glue");
        let glue = assets.get("poll/civique.js").unwrap();
        let wasm = assets.get("poll/civique_bg.wasm").unwrap();
        assert_eq!(glue.version, wasm.version);
        assert_ne!(
            glue.version,
            assets.get("comments/civique.js").unwrap().version
        );
        let changed = sample("poll glue, new build");
        assert_ne!(
            changed.get("poll/civique_bg.wasm").unwrap().version,
            wasm.version
        );
        assert_eq!(
            changed.get("comments/civique.js").unwrap().version,
            assets.get("comments/civique.js").unwrap().version,
            "an unchanged kind keeps its URLs"
        );
    }

    #[test]
    fn the_loader_names_the_versioned_files() {
        let assets = sample("poll glue");
        let loader = String::from_utf8(assets.loader().unwrap().raw.to_vec()).unwrap();
        let poll = assets.versioned_path("poll/civique.js").unwrap();
        assert!(
            loader.contains(&format!("\"pkg/poll/civique.js\":\"{poll}\"")),
            "{loader}"
        );
        let css = assets.versioned_path("poll/civique.css").unwrap();
        assert!(
            loader.contains(&format!("\"pkg/poll/civique.css\":\"{css}\"")),
            "{loader}"
        );
        assert!(
            !loader.contains("\"civique.css\""),
            "pages load their kinds' styles"
        );
        assert!(
            !loader.contains("civique_bg.wasm"),
            "the glue finds its own wasm"
        );
        assert_ne!(
            assets.loader().unwrap().etag,
            assets.get(LOADER).unwrap().etag
        );
    }

    #[test]
    fn missing_variants_are_compressed_once() {
        let assets = sample(&"glue ".repeat(200));
        let glue = assets.get("poll/civique.js").unwrap();
        assert!(glue.brotli.len() < glue.raw.len() && glue.gzip.len() < glue.raw.len());
        let mut decoded = Vec::new();
        brotli::BrotliDecompress(&mut &glue.brotli[..], &mut decoded).unwrap();
        assert_eq!(decoded, glue.raw);
    }
}
