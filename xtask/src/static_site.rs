//! A small static file server for `www/` (the demo town website and the end-to-end host pages).
//!
//! It plays the part of a town's own CMS, on another origin than the endpoint, so the demo and
//! the tests exercise the real cross-origin embed. In `.html` files it replaces
//! `{{CIVIQUE_ENDPOINT}}` (endpoint URL, with a trailing slash) and `{{CIVIQUE_ORIGIN}}`.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result};

use crate::root;

pub fn bind(addr: &str) -> Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(addr).with_context(|| {
        format!("cannot listen on {addr} for the demo website (is another demo running?)")
    })?;
    let local = listener.local_addr()?;
    Ok((listener, local))
}

/// Binds `addr` and serves `www/` in the background; returns the bound address.
pub fn serve(addr: &str, endpoint: &str) -> Result<SocketAddr> {
    let (listener, local) = bind(addr)?;
    serve_on(listener, endpoint);
    Ok(local)
}

pub fn serve_on(listener: TcpListener, endpoint: &str) {
    let endpoint = endpoint.to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let endpoint = endpoint.clone();
            std::thread::spawn(move || {
                let _ = handle(stream, &endpoint);
            });
        }
    });
}

fn handle(mut stream: TcpStream, endpoint: &str) -> std::io::Result<()> {
    let mut request_line = String::new();
    let mut reader = BufReader::new(stream.try_clone()?);
    reader.read_line(&mut request_line)?;
    // Drain the headers; nothing in them matters here.
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    let (status, content_type, body) = match (method, resolve(target)) {
        ("GET" | "HEAD", Some(path)) => match std::fs::read(&path) {
            Ok(bytes) => (
                "200 OK",
                content_type(&path),
                render(&path, bytes, endpoint),
            ),
            Err(_) => not_found(),
        },
        ("GET" | "HEAD", None) => not_found(),
        _ => (
            "405 Method Not Allowed",
            "text/plain; charset=utf-8",
            b"method not allowed".to_vec(),
        ),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-cache\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

fn not_found() -> (&'static str, &'static str, Vec<u8>) {
    (
        "404 Not Found",
        "text/plain; charset=utf-8",
        b"page introuvable".to_vec(),
    )
}

/// Maps a request target to a file under `www/`, refusing anything that climbs out of it.
fn resolve(target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let path = path.replace("%20", " ");
    let relative = Path::new(path.trim_start_matches('/'));
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let mut file = root().join("www").join(relative);
    if file.is_dir() {
        file = file.join("index.html");
    }
    file.is_file().then_some(file)
}

fn render(path: &Path, bytes: Vec<u8>, endpoint: &str) -> Vec<u8> {
    if path.extension().is_none_or(|e| e != "html") {
        return bytes;
    }
    let origin = endpoint.trim_end_matches('/');
    String::from_utf8_lossy(&bytes)
        .replace("{{CIVIQUE_ENDPOINT}}", endpoint)
        .replace("{{CIVIQUE_ORIGIN}}", origin)
        .into_bytes()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_outside_www() {
        assert!(resolve("/../Cargo.toml").is_none());
        assert!(resolve("/assets/../../Cargo.toml").is_none());
    }

    #[test]
    fn replaces_placeholders_in_html_only() {
        let html = render(
            Path::new("a.html"),
            b"<script src=\"{{CIVIQUE_ENDPOINT}}civique.js\"> {{CIVIQUE_ORIGIN}}".to_vec(),
            "http://127.0.0.1:8787/",
        );
        assert_eq!(
            String::from_utf8(html).unwrap(),
            "<script src=\"http://127.0.0.1:8787/civique.js\"> http://127.0.0.1:8787"
        );
        let css = render(Path::new("a.css"), b"{{CIVIQUE_ORIGIN}}".to_vec(), "x/");
        assert_eq!(css, b"{{CIVIQUE_ORIGIN}}");
    }
}
