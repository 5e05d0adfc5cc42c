//! Widget files: paths, content types, cache policy, compression, cross-origin access.

mod common;

use common::*;
use reqwest::header::{
    ACCEPT_ENCODING, ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE,
};
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn assets_have_types_cache_policy_and_compression() {
    let server = TestServer::start().await;
    let cases = [
        ("/civique.js", "text/javascript", "public, max-age=300"),
        ("/civique.css", "text/css", "public, max-age=3600"),
        ("/pkg/civique.js", "text/javascript", "public, max-age=3600"),
        (
            "/pkg/civique_bg.wasm",
            "application/wasm",
            "public, max-age=3600",
        ),
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
        }
    }
    // Without Accept-Encoding the file comes as is.
    let plain = server.get("/pkg/civique_bg.wasm").await;
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
    assert_eq!(plain.bytes().await.unwrap().as_ref(), FAKE_WASM);
}

#[tokio::test]
async fn missing_assets_are_json_404s() {
    let server = TestServer::start().await;
    let response = server.get("/pkg/nothing.js").await;
    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
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
