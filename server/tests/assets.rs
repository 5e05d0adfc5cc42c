//! Widget files: paths, content types, cache policy (versioned URLs for good, the loader
//! briefly), compression done once, validators, cross-origin access.

mod common;

use common::*;
use reqwest::header::{
    ACCEPT_ENCODING, ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE,
    ETAG, IF_NONE_MATCH, LOCATION,
};
use reqwest::{Method, StatusCode};

const VERSIONED: &str = "public, max-age=31536000, immutable";

/// The versioned path of `file` in the loader's table.
async fn versioned(server: &TestServer, file: &str) -> String {
    let loader = server.get("/civique.js").await.text().await.unwrap();
    let key = format!("\"{file}\":\"");
    let start = loader
        .find(&key)
        .unwrap_or_else(|| panic!("{file} in {loader}"))
        + key.len();
    let end = loader[start..].find('"').unwrap() + start;
    format!("/{}", &loader[start..end])
}

#[tokio::test]
async fn assets_have_types_cache_policy_and_compression() {
    let server = TestServer::start().await;
    let glue = versioned(&server, "pkg/poll/civique.js").await;
    let css = versioned(&server, "pkg/poll/civique.css").await;
    let wasm = glue.replace("civique.js", "civique_bg.wasm");
    let cases = [
        ("/civique.js", "text/javascript", "public, max-age=300"),
        (glue.as_str(), "text/javascript", VERSIONED),
        (wasm.as_str(), "application/wasm", VERSIONED),
        (css.as_str(), "text/css", VERSIONED),
        // The plain paths of earlier loaders revalidate every time.
        ("/civique.css", "text/css", "no-cache"),
        ("/pkg/civique.js", "text/javascript", "no-cache"),
        ("/pkg/civique_bg.wasm", "application/wasm", "no-cache"),
    ];
    for (path, content_type, cache) in cases {
        for encoding in ["br", "gzip"] {
            let response = server
                .request(Method::GET, path)
                .header(ACCEPT_ENCODING, encoding)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            let headers = response.headers();
            assert!(
                headers[CONTENT_TYPE]
                    .to_str()
                    .unwrap()
                    .starts_with(content_type),
                "{path}: {:?}",
                headers[CONTENT_TYPE]
            );
            assert_eq!(headers[CACHE_CONTROL], cache, "{path}");
            assert_eq!(headers[CONTENT_ENCODING], encoding, "{path}");
            assert_eq!(headers[ACCESS_CONTROL_ALLOW_ORIGIN], "*", "{path}");
            assert!(headers.contains_key(ETAG), "{path}");
        }
    }
    // Without Accept-Encoding the file comes as is.
    let plain = server.get(&wasm).await;
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
    assert_eq!(plain.bytes().await.unwrap().as_ref(), FAKE_WASM);
    // The glue and its wasm share a version: the glue's relative URL finds its own build.
    assert_eq!(
        glue.rsplit_once('/').unwrap().0,
        wasm.rsplit_once('/').unwrap().0
    );
}

#[tokio::test]
async fn the_loader_revalidates_and_old_versions_move_on() {
    let server = TestServer::start().await;
    let first = server.get("/civique.js").await;
    let etag = first.headers()[ETAG].clone();
    let again = server
        .request(Method::GET, "/civique.js")
        .header(IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    let glue = versioned(&server, "pkg/poll/civique.js").await;
    let old = glue.replacen(
        &glue.split('/').nth(2).unwrap().to_owned(),
        "0123456789ab",
        1,
    );
    let moved = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(server.url(&old))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), StatusCode::FOUND);
    assert_eq!(moved.headers()[LOCATION], glue.as_str());
    assert_eq!(moved.headers()[CACHE_CONTROL], "no-cache");
}

#[tokio::test]
async fn missing_assets_are_json_404s() {
    let server = TestServer::start().await;
    for path in ["/pkg/nothing.js", "/assets/0123456789ab/nothing.js"] {
        assert_error(server.get(path).await, StatusCode::NOT_FOUND, "not_found").await;
    }
}

#[tokio::test]
async fn server_starts_without_an_assets_dir() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-pkg");
    let server = TestServer::start_with(dir, missing).await;
    for path in ["/civique.js", "/civique.css", "/pkg/civique_bg.wasm"] {
        let response = server.get(path).await;
        assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
    }
    let api = server.get("/api/v1/openapi.json").await;
    assert_eq!(api.status(), StatusCode::OK);
}
