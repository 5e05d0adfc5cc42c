//! Embeds the widget files (`pkg/`, the output of `cargo xtask build`, or the folder named by
//! `CIVIQUE_EMBED_DIR`) into the binary, with their precompressed `.br` and `.gz` siblings,
//! so that one `civique-server` file serves everything. Without widget files the binary
//! embeds none and says so when it starts.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

/// The files a page may load: the loader, the stylesheet, each kind's glue and wasm.
fn served(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("js" | "wasm" | "css")
    )
}

fn collect(dir: &Path, root: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, root, out);
        } else if served(&path) {
            out.push(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
        }
    }
}

fn main() {
    println!("cargo:rerun-if-env-changed=CIVIQUE_EMBED_DIR");
    println!("cargo:rerun-if-changed=build.rs");
    let dir = env::var_os("CIVIQUE_EMBED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("../pkg")
        });
    // Cargo watches a folder only if it exists: an empty one (ignored by git) lets a later
    // widget build trigger this script again instead of on every build.
    let _ = fs::create_dir_all(&dir);
    let dir = dir.canonicalize().unwrap_or(dir);
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files = Vec::new();
    collect(&dir, &dir, &mut files);
    files.sort();
    let mut code = String::from("&[\n");
    for file in &files {
        let absolute = dir.join(file);
        let sibling = |suffix: &str| {
            let mut path = absolute.clone().into_os_string();
            path.push(suffix);
            let path = PathBuf::from(path);
            if path.is_file() {
                format!("Some(include_bytes!({:?}))", path.display().to_string())
            } else {
                "None".to_owned()
            }
        };
        let name = file.to_string_lossy().replace('\\', "/");
        let _ = writeln!(
            code,
            "    ({name:?}, include_bytes!({:?}), {}, {}),",
            absolute.display().to_string(),
            sibling(".br"),
            sibling(".gz"),
        );
    }
    code.push(']');
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets it")).join("embedded.rs");
    fs::write(out, code).expect("writing the embedded file list");
}
