//! Request hygiene over HTTP: participant header, bodies, origins and CORS, admin auth and input.

mod common;

use common::*;
use reqwest::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, CONTENT_TYPE, ORIGIN, VARY,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use time::Duration;

async fn server_with_poll() -> (TestServer, Vec<i64>) {
    let server = TestServer::start().await;
    let options = option_ids(&server.create_poll("p", json!({})).await);
    (server, options)
}

#[tokio::test]
async fn participant_header_is_required_and_checked() {
    let (server, options) = server_with_poll().await;
    let missing = server
        .request(Method::PUT, "/api/v1/polls/p/vote")
        .json(&json!({ "choices": [options[0]] }))
        .send()
        .await
        .unwrap();
    assert_error(missing, StatusCode::BAD_REQUEST, "missing_participant").await;
    for bad in ["short", "has spaces in it......", &"x".repeat(129)] {
        assert_error(
            server.vote("p", bad, &options[..1]).await,
            StatusCode::BAD_REQUEST,
            "invalid_participant",
        )
        .await;
        assert_error(
            server.get_poll("p", Some(bad)).await,
            StatusCode::BAD_REQUEST,
            "invalid_participant",
        )
        .await;
    }
}

#[tokio::test]
async fn bodies_must_be_small_well_formed_json() {
    let (server, options) = server_with_poll().await;
    let put = || {
        server
            .request(Method::PUT, "/api/v1/polls/p/vote")
            .header(PARTICIPANT, token())
    };
    let text = put()
        .header(CONTENT_TYPE, "text/plain")
        .body(format!("{{\"choices\":[{}]}}", options[0]))
        .send()
        .await
        .unwrap();
    assert_error(
        text,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let malformed = put()
        .header(CONTENT_TYPE, "application/json")
        .body("{\"choices\":[")
        .send()
        .await
        .unwrap();
    assert_error(malformed, StatusCode::BAD_REQUEST, "invalid_input").await;
    let wrong_shape = put().json(&json!({ "choices": "A" })).send().await.unwrap();
    assert_error(
        wrong_shape,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    let padding = " ".repeat(17 * 1024);
    let large = put()
        .header(CONTENT_TYPE, "application/json")
        .body(format!("{{\"choices\":[{}]{padding}}}", options[0]))
        .send()
        .await
        .unwrap();
    assert_error(large, StatusCode::PAYLOAD_TOO_LARGE, "body_too_large").await;
}

#[tokio::test]
async fn origins_outside_the_polls_site_are_refused() {
    let (server, options) = server_with_poll().await;
    server
        .create_site("elsewhere", &["https://elsewhere.example"])
        .await;
    // "null" is what a sandboxed frame or a file:// page sends: no site's origin.
    for origin in ["https://evil.example", "https://elsewhere.example", "null"] {
        let response = server
            .vote_request("p", &token(), &options[..1])
            .header(ORIGIN, origin)
            .send()
            .await
            .unwrap();
        assert_error(response, StatusCode::FORBIDDEN, "origin_not_allowed").await;
    }
    let allowed = server
        .vote_request("p", &token(), &options[..1])
        .header(ORIGIN, SITE_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), StatusCode::OK);
    assert_eq!(allowed.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], SITE_ORIGIN);
    assert!(allowed
        .headers()
        .get_all(VARY)
        .iter()
        .any(|v| v == "origin"));
    // No Origin header (curl, same-origin GET): allowed.
    assert_eq!(server.get_poll("p", None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn changes_without_an_origin_are_refused_and_reads_pass() {
    let (server, options) = server_with_poll().await;
    server.create_thread("t", json!({})).await;
    let comment = server.comment_ok("t", &token(), json!({})).await["id"].clone();
    server.create_box("b", json!({})).await;
    let proposal = server.proposal_ok("b", &token(), json!({})).await["id"].clone();
    // What a script outside any page sends: no Origin header.
    let script = reqwest::Client::new();
    let resident = token();
    let changes = [
        (
            Method::PUT,
            "/api/v1/polls/p/vote".to_owned(),
            json!({ "choices": [options[0]] }),
        ),
        (Method::DELETE, "/api/v1/polls/p/vote".to_owned(), json!({})),
        (
            Method::POST,
            "/api/v1/threads/t/comments".to_owned(),
            json!({ "author_name": "Camille", "text": "Bonjour" }),
        ),
        (
            Method::PUT,
            format!("/api/v1/comments/{comment}/useful"),
            json!({}),
        ),
        (
            Method::POST,
            format!("/api/v1/comments/{comment}/reports"),
            json!({ "reason": "spam" }),
        ),
        (
            Method::POST,
            "/api/v1/boxes/b/proposals".to_owned(),
            json!({ "title": "Un banc", "author_name": "Camille" }),
        ),
        (
            Method::PUT,
            format!("/api/v1/proposals/{proposal}/support"),
            json!({}),
        ),
        (
            Method::DELETE,
            format!("/api/v1/sites/{SITE}/me"),
            json!({}),
        ),
    ];
    for (method, path, body) in changes {
        let refused = script
            .request(method.clone(), server.url(&path))
            .header(PARTICIPANT, &resident)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{method} {path}");
        assert_error(refused, StatusCode::FORBIDDEN, "origin_not_allowed").await;
    }
    for (table, rows) in [
        ("ballots", 0),
        ("comments", 1),
        ("comment_useful", 0),
        ("comment_reports", 0),
        ("proposals", 1),
        ("proposal_supports", 0),
        ("participants", 2),
    ] {
        let count = server.count(&format!("SELECT COUNT(*) FROM {table}")).await;
        assert_eq!(count, rows, "{table}");
    }
    for path in [
        "/api/v1/polls/p",
        "/api/v1/threads/t/comments",
        "/api/v1/boxes/b/proposals",
    ] {
        let read = script.get(server.url(path)).send().await.unwrap();
        assert_eq!(read.status(), StatusCode::OK, "GET {path}");
    }
}

#[tokio::test]
async fn preflight_answers_only_configured_origins() {
    let (server, _) = server_with_poll().await;
    let preflight = |origin: &'static str| {
        server
            .request(Method::OPTIONS, "/api/v1/polls/p/vote")
            .header(ORIGIN, origin)
            .header(ACCESS_CONTROL_REQUEST_METHOD, "PUT")
            .header(
                ACCESS_CONTROL_REQUEST_HEADERS,
                "content-type,x-civique-participant",
            )
            .send()
    };
    let allowed = preflight(SITE_ORIGIN).await.unwrap();
    assert!(allowed.status().is_success());
    let headers = allowed.headers();
    assert_eq!(headers[ACCESS_CONTROL_ALLOW_ORIGIN], SITE_ORIGIN);
    let methods = headers[ACCESS_CONTROL_ALLOW_METHODS].to_str().unwrap();
    assert!(methods.contains("PUT") && methods.contains("DELETE"));
    let allowed_headers = headers[ACCESS_CONTROL_ALLOW_HEADERS].to_str().unwrap();
    assert!(allowed_headers.contains("content-type") && allowed_headers.contains(PARTICIPANT));
    assert!(headers.get("access-control-allow-credentials").is_none());
    // Preflights are cached as long as browsers allow.
    assert_eq!(headers["access-control-max-age"], "86400");

    let denied = preflight("https://evil.example").await.unwrap();
    assert!(denied.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    assert_error(denied, StatusCode::FORBIDDEN, "origin_not_allowed").await;
}

#[tokio::test]
async fn admin_api_requires_the_token() {
    let server = TestServer::start().await;
    let body = poll_input("p", json!({}));
    let none = server
        .request(Method::POST, "/api/v1/admin/polls")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_error(none, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let wrong = server
        .request(Method::GET, "/api/v1/admin/polls")
        .bearer_auth("not-the-token")
        .send()
        .await
        .unwrap();
    assert_error(wrong, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let list = server.admin(Method::GET, "/polls").send().await.unwrap();
    assert_eq!(list.status(), StatusCode::OK);
}

#[tokio::test]
async fn admin_lists_polls_by_site_with_results() {
    let server = TestServer::start().await;
    server.create_site("other", &[]).await;
    let options = option_ids(
        &server
            .create_poll("p", json!({ "results_visibility": "after_close" }))
            .await,
    );
    server.create_poll("q", json!({ "site_id": "other" })).await;
    server.vote_ok("p", &token(), &options[..1]).await;
    let list: serde_json::Value = server.admin_read(&format!("/polls?site={SITE}")).await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(counts(&list[0]), [1, 0, 0], "staff see results");
}

#[tokio::test]
async fn admin_input_is_validated() {
    let server = TestServer::start().await;
    let invalid = [
        json!({ "id": "Not An Id" }),
        json!({ "question": "  " }),
        json!({ "options": ["only one"] }),
        json!({ "options": (0..21).map(|i| i.to_string()).collect::<Vec<_>>() }),
        json!({ "options": ["A", ""] }),
        json!({ "kind": "multiple", "max_choices": 4 }),
        json!({ "kind": "multiple", "max_choices": 0 }),
        json!({ "opens_at": "next tuesday" }),
        json!({ "opens_at": at(Duration::days(2)), "closes_at": at(Duration::days(1)) }),
        json!({ "question": "?".repeat(301) }),
        json!({ "site_id": "no-such-site" }),
    ];
    for changes in invalid {
        let response = server
            .admin(Method::POST, "/polls")
            .json(&poll_input("p", changes.clone()))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{changes}"
        );
        assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
    }
    let bad_site = server
        .admin(Method::POST, "/sites")
        .json(&json!({ "id": "x", "name": "X", "origins": ["https://x.example/path"] }))
        .send()
        .await
        .unwrap();
    assert_error(bad_site, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;

    server.create_poll("p", json!({})).await;
    let duplicate = server
        .admin(Method::POST, "/polls")
        .json(&poll_input("p", json!({})))
        .send()
        .await
        .unwrap();
    assert_error(duplicate, StatusCode::CONFLICT, "conflict").await;
    let duplicate_site = server
        .admin(Method::POST, "/sites")
        .json(&json!({ "id": SITE, "name": "Again", "origins": [] }))
        .send()
        .await
        .unwrap();
    assert_error(duplicate_site, StatusCode::CONFLICT, "conflict").await;
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let server = TestServer::start().await;
    assert_error(
        server.get("/api/v1/nothing").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        server
            .request(Method::POST, "/api/v1/openapi.json")
            .send()
            .await
            .unwrap(),
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
}

#[tokio::test]
async fn reads_carry_validators_and_a_cache_policy_by_reader() {
    use reqwest::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH};
    let (server, options) = server_with_poll().await;
    let public = server.get_poll("p", None).await;
    assert_eq!(
        public.headers()[CACHE_CONTROL],
        "public, max-age=0, s-maxage=5"
    );
    let etag = public.headers()[ETAG].clone();
    let again = server
        .request(Method::GET, "/api/v1/polls/p")
        .header(IF_NONE_MATCH, etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(again.bytes().await.unwrap().is_empty());

    let voter = token();
    let personal = server.get_poll("p", Some(&voter)).await;
    assert_eq!(personal.headers()[CACHE_CONTROL], "no-store");
    assert!(personal
        .headers()
        .get_all(VARY)
        .iter()
        .any(|v| v == PARTICIPANT));

    server.vote_ok("p", &voter, &options[..1]).await;
    let changed = server
        .request(Method::GET, "/api/v1/polls/p")
        .header(IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK, "a new tally, a new tag");
    // Streams are never buffered for a validator.
    let stream = server.get("/api/v1/polls/p/events").await;
    assert!(stream.headers().get(ETAG).is_none());
}

#[tokio::test]
async fn every_answer_carries_security_headers_and_personal_ones_are_not_stored() {
    use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY};
    let (server, options) = server_with_poll().await;
    let voter = token();
    let preflight = server
        .request(Method::OPTIONS, "/api/v1/polls/p/vote")
        .header(ORIGIN, SITE_ORIGIN)
        .header(ACCESS_CONTROL_REQUEST_METHOD, "PUT")
        .send()
        .await
        .unwrap();
    let answers = [
        ("a public read", server.get_poll("p", None).await),
        ("a personal read", server.get_poll("p", Some(&voter)).await),
        ("a vote", server.vote("p", &voter, &options[..1]).await),
        ("a refused vote", server.vote("p", &voter, &[]).await),
        ("a preflight", preflight),
        ("a health check", server.get("/healthz").await),
        ("no such route", server.get("/nothing").await),
        ("the API document", server.get("/api/v1/openapi.json").await),
        (
            "an event stream",
            server.get("/api/v1/polls/p/events").await,
        ),
    ];
    for (what, answer) in &answers {
        let headers = answer.headers();
        let csp = headers[CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("default-src 'none'"), "{what}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
        assert_eq!(headers["x-frame-options"], "DENY", "{what}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{what}");
    }
    // The voter's own answers name their choices: no cache keeps them.
    for (what, answer) in &answers[1..4] {
        assert_eq!(answer.headers()[CACHE_CONTROL], "no-store", "{what}");
    }
    assert_eq!(
        answers[0].1.headers()[CACHE_CONTROL],
        "public, max-age=0, s-maxage=5"
    );
}

#[tokio::test]
async fn bad_path_and_query_parameters_answer_the_json_error() {
    let server = TestServer::start().await;
    let voter = token();
    let cases = [
        (Method::GET, "/api/v1/polls/%ff%fe"),
        (Method::PUT, "/api/v1/polls/%ff%fe/vote"),
        (Method::GET, "/api/v1/polls/%ff%fe/events"),
        (Method::GET, "/api/v1/threads/%ff/comments"),
        (Method::GET, "/api/v1/threads/t/comments?sort=sideways"),
        (Method::GET, "/api/v1/threads/t/comments?cursor=%ff"),
        (Method::PATCH, "/api/v1/comments/abc"),
        (Method::DELETE, "/api/v1/comments/abc"),
        (Method::GET, "/api/v1/comments/abc/replies"),
        (Method::PUT, "/api/v1/comments/abc/useful"),
        (Method::POST, "/api/v1/comments/abc/reports"),
        (Method::GET, "/api/v1/boxes/b/proposals?page=zero"),
        (Method::GET, "/api/v1/proposals/abc"),
        (
            Method::PUT,
            "/api/v1/proposals/99999999999999999999/support",
        ),
        (Method::POST, "/api/v1/admin/comments/abc/moderation"),
    ];
    for (method, path) in cases {
        let answer = server
            .request(method.clone(), path)
            .header(PARTICIPANT, &voter)
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        let status = answer.status();
        assert!(status.is_client_error(), "{method} {path}: {status}");
        assert_eq!(
            answer.headers()[CONTENT_TYPE],
            "application/json",
            "{method} {path}: {status}"
        );
        let body: serde_json::Value = answer.json().await.unwrap();
        assert!(body["error"]["code"].is_string(), "{method} {path}: {body}");
    }
}

#[tokio::test]
async fn input_the_document_does_not_allow_is_refused() {
    let server = TestServer::start().await;
    server.create_thread("t", json!({})).await;
    // Unknown fields, at the top level and inside, in staff and resident bodies alike.
    let unknown = [
        (
            Method::POST,
            "/api/v1/admin/sites",
            json!({ "id": "x", "name": "X", "origins": [], "report_treshold": 2 }),
        ),
        (
            Method::POST,
            "/api/v1/admin/threads",
            json!({ "id": "u", "site_id": SITE, "title": "T", "colour": "red" }),
        ),
        (
            Method::PATCH,
            "/api/v1/admin/threads/t",
            json!({ "locked": true, "extra": 1 }),
        ),
        (
            Method::POST,
            "/api/v1/admin/boxes",
            json!({ "id": "b", "site_id": SITE, "title": "B", "categories": [{ "id": "c", "label": "C", "colour": "red" }] }),
        ),
        (
            Method::POST,
            "/api/v1/threads/t/comments",
            json!({ "author_name": "Camille", "text": "Bonjour", "official": false, "pinned": true }),
        ),
    ];
    for (method, path, body) in unknown {
        let request = match path.strip_prefix("/api/v1/admin") {
            Some(staff) => server.admin(method.clone(), staff),
            None => server
                .request(method.clone(), path)
                .header(PARTICIPANT, token()),
        };
        let refused = request.json(&body).send().await.unwrap();
        assert!(
            refused.status().is_client_error(),
            "{method} {path}: {}",
            refused.status()
        );
        let error: Value = refused.json().await.unwrap();
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .contains("unknown field"),
            "{error}"
        );
    }
    // A body of the fields in a row, which serde would read as the struct.
    let array = server
        .admin(Method::PATCH, "/threads/t")
        .json(&json!([true, null]))
        .send()
        .await
        .unwrap();
    assert_error(array, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
    assert_eq!(
        server.read("/api/v1/threads/t", None).await["locked"],
        false
    );
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM sites WHERE id = 'x'")
            .await,
        0
    );
    assert_eq!(server.count("SELECT COUNT(*) FROM comments").await, 0);
    // Query parameters out of their documented bounds.
    for path in [
        "/polls?site=",
        "/threads?site=Town!",
        "/boxes?site=",
        "/audit?limit=1001",
        "/audit?limit=0",
    ] {
        assert_error(
            server.admin_get(path).await,
            StatusCode::BAD_REQUEST,
            "invalid_input",
        )
        .await;
    }
    assert_eq!(
        server.admin_get("/audit?limit=1000").await.status(),
        StatusCode::OK
    );
}
