//! Comment threads over HTTP: threads, posting rules, reading, votes, official voice, moderation.

mod common;

use std::time::Duration;

use common::*;
use futures_util::StreamExt;
use reqwest::header::ORIGIN;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn server_with_thread(changes: Value) -> TestServer {
    let server = TestServer::start().await;
    server.create_thread("t", changes).await;
    server
}

fn comment_path(id: i64, rest: &str) -> String {
    format!("/api/v1/comments/{id}{rest}")
}

/// `method /comments/{id}{rest}` as participant `who`, with an optional JSON body.
async fn act(
    server: &TestServer,
    method: Method,
    id: i64,
    rest: &str,
    who: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = server
        .request(method, &comment_path(id, rest))
        .header(PARTICIPANT, who);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn threads_are_created_by_staff_or_on_first_use_when_allowed() {
    let server = server_with_thread(json!({ "pre_moderation": true, "max_depth": 2 })).await;
    let thread = server.read("/api/v1/threads/t", None).await;
    assert_eq!(thread["max_depth"], 2);
    assert_eq!(thread["pre_moderation"], true);
    assert_eq!(thread["locked"], false);
    assert_eq!(thread["count"], 0);
    assert_error(
        server.get("/api/v1/threads/nope").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    let claim = |site: &'static str, key: &'static str| {
        server
            .request(
                Method::PUT,
                &format!("/api/v1/sites/{site}/threads/by-key/{key}"),
            )
            .header(PARTICIPANT, token())
            .json(&json!({ "title": "Travaux rue Haute" }))
            .send()
    };
    assert_error(
        claim(SITE, "new-page").await.unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_eq!(claim(SITE, "t").await.unwrap().status(), StatusCode::OK);

    server
        .create_site_with("auto", &[SITE_ORIGIN], json!({ "auto_threads": true }))
        .await;
    let created = claim("auto", "page-1").await.unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let view: Value = created.json().await.unwrap();
    assert_eq!(view["title"], "Travaux rue Haute");
    assert_eq!(
        claim("auto", "page-1").await.unwrap().status(),
        StatusCode::OK
    );
    // Another site's thread is not reachable through this site.
    assert_error(
        claim("auto", "t").await.unwrap(),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // A page path works as a key: the thread gets a readable id of its own.
    let by_path = claim("auto", "%2Factualites%2Fmarche-de-noel")
        .await
        .unwrap();
    assert_eq!(by_path.status(), StatusCode::CREATED);
    let path_view: Value = by_path.json().await.unwrap();
    let path_id = path_view["id"].as_str().unwrap().to_owned();
    assert!(
        path_id.starts_with("actualites-marche-de-noel-"),
        "{path_id}"
    );
    assert_eq!(
        claim("auto", "%2Factualites%2Fmarche-de-noel")
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let long_key: &'static str = Box::leak("x".repeat(301).into_boxed_str());
    let invalid = claim("auto", long_key).await.unwrap();
    assert_error(invalid, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;

    let listed = server.admin_read("/threads?site=auto").await;
    assert_eq!(ids_of_threads(listed), [path_id.as_str(), "page-1"]);
}

fn ids_of_threads(list: Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn comments_are_rendered_stored_and_marked_mine() {
    let server = server_with_thread(json!({})).await;
    let alice = token();
    let posted = server
        .comment_ok(
            "t",
            &alice,
            json!({ "author_name": "  Alice  ", "text": "Hello *you*\n\n- [site](https://example.org)\n- <b>raw</b>" }),
        )
        .await;
    assert_eq!(posted["author_name"], "Alice");
    assert_eq!(posted["status"], "published");
    assert_eq!(posted["mine"], true);
    assert_eq!(posted["official"], false);
    assert_eq!(posted["edited_at"], Value::Null);
    let html = posted["html"].as_str().unwrap();
    assert!(html.contains("<em>you</em>"), "{html}");
    assert!(html.contains("<a href=\"https://example.org\" rel=\"nofollow ugc noopener\">site</a>"));
    assert!(html.contains("&lt;b&gt;raw&lt;/b&gt;"), "{html}");
    assert!(posted["text"].as_str().unwrap().starts_with("Hello *you*"));

    let page = server.comments("t", None).await;
    assert_eq!(page["count"], 1);
    assert_eq!(page["next_cursor"], Value::Null);
    assert_eq!(page["comments"][0]["mine"], false);
    assert_eq!(
        server.comments("t", Some(&alice)).await["comments"][0]["mine"],
        true
    );
    assert_eq!(server.read("/api/v1/threads/t", None).await["count"], 1);
}

#[tokio::test]
async fn bad_comments_are_refused_with_codes() {
    let server = server_with_thread(json!({})).await;
    let alice = token();
    let cases = [
        (json!({ "text": "  \n " }), "empty_text"),
        (json!({ "text": "x".repeat(5_001) }), "text_too_long"),
        (
            json!({ "text": (0..6).map(|i| format!("[l](https://a.example/{i}) ")).collect::<String>() }),
            "too_many_links",
        ),
        (json!({ "author_name": " " }), "invalid_name"),
        (json!({ "author_name": "n".repeat(61) }), "invalid_name"),
        // Shown as "Mairie", but the letters are reversed by a right-to-left override.
        (json!({ "author_name": "\u{202e}eiriaM" }), "invalid_name"),
        (json!({ "author_name": "\u{200b}" }), "invalid_name"),
        (json!({ "author_name": "A\u{0}" }), "invalid_name"),
        (json!({ "author_name": "\u{1b}[31mA" }), "invalid_name"),
        (json!({ "author_name": "-- ..." }), "invalid_name"),
        (
            json!({ "author_name": "Mairie de Saint-Exemple" }),
            "reserved_name",
        ),
        (json!({ "author_name": "Modérateur" }), "reserved_name"),
        (json!({ "parent_id": 999_999 }), "invalid_parent"),
    ];
    for (changes, code) in cases {
        let response = server.post_comment("t", &alice, changes).await;
        assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, code).await;
    }
    server
        .comment_ok(
            "t",
            &alice,
            json!({ "author_name": "n".repeat(60), "text": "x".repeat(5_000) }),
        )
        .await;
    // A name typed with a combining accent is stored composed, as readers search for it.
    let composed = server
        .comment_ok("t", &alice, json!({ "author_name": " Rene\u{301}e " }))
        .await;
    assert_eq!(composed["author_name"], "Ren\u{e9}e");
    let missing = server
        .request(Method::POST, "/api/v1/threads/t/comments")
        .json(&json!({ "author_name": "A", "text": "B" }))
        .send()
        .await
        .unwrap();
    assert_error(missing, StatusCode::BAD_REQUEST, "missing_participant").await;
    let official = server
        .post_comment("t", &alice, json!({ "official": true }))
        .await;
    assert_error(official, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let foreign = server
        .request(Method::POST, "/api/v1/threads/t/comments")
        .header(PARTICIPANT, token())
        .header(ORIGIN, "https://evil.example")
        .json(&json!({ "author_name": "A", "text": "B" }))
        .send()
        .await
        .unwrap();
    assert_error(foreign, StatusCode::FORBIDDEN, "origin_not_allowed").await;

    // Replying to a deleted comment.
    let parent = server.comment_ok("t", &alice, json!({})).await;
    let parent_id = parent["id"].as_i64().unwrap();
    let deleted = act(&server, Method::DELETE, parent_id, "", &alice, None).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let reply = server
        .post_comment("t", &token(), json!({ "parent_id": parent_id }))
        .await;
    assert_error(reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid_parent").await;
}

#[tokio::test]
async fn replies_nest_to_the_thread_depth_then_attach_beside() {
    let server = server_with_thread(json!({ "max_depth": 1 })).await;
    let root = server.comment_ok("t", &token(), json!({})).await;
    let root_id = root["id"].as_i64().unwrap();
    let reply = server
        .comment_ok(
            "t",
            &token(),
            json!({ "parent_id": root_id, "author_name": "Bob" }),
        )
        .await;
    assert_eq!(reply["depth"], 1);
    assert_eq!(reply["reply_to_name"], Value::Null);
    let deeper = server
        .comment_ok("t", &token(), json!({ "parent_id": reply["id"] }))
        .await;
    assert_eq!(deeper["depth"], 1);
    assert_eq!(deeper["parent_id"], root_id);
    assert_eq!(deeper["reply_to_name"], "Bob");
}

#[tokio::test]
async fn replies_show_three_inline_and_the_rest_on_request() {
    let server = server_with_thread(json!({})).await;
    let root = server.comment_ok("t", &token(), json!({})).await["id"]
        .as_i64()
        .unwrap();
    let mut replies = Vec::new();
    for _ in 0..5 {
        let reply = server
            .comment_ok("t", &token(), json!({ "parent_id": root }))
            .await;
        replies.push(reply["id"].as_i64().unwrap());
    }
    let nested = server
        .comment_ok("t", &token(), json!({ "parent_id": replies[0] }))
        .await;
    let page = server.comments("t", None).await;
    assert_eq!(page["count"], 7);
    let top = &page["comments"][0];
    assert_eq!(ids(&top["replies"]), replies[..3]);
    assert_eq!(top["more_replies"], 2);
    assert_eq!(
        ids(&top["replies"][0]["replies"]),
        [nested["id"].as_i64().unwrap()]
    );
    assert_eq!(top["replies"][0]["more_replies"], 0);

    let all = server.read(&comment_path(root, "/replies"), None).await;
    assert_eq!(ids(&all["comments"]), replies);
    assert_eq!(all["count"], 5);
    assert_eq!(all["next_cursor"], Value::Null);
    let after = server
        .read(
            &comment_path(root, &format!("/replies?cursor={}", replies[2])),
            None,
        )
        .await;
    assert_eq!(ids(&after["comments"]), replies[3..]);
}

async fn set_useful(server: &TestServer, id: i64, who: &str, method: Method) -> Value {
    let response = server
        .request(method, &comment_path(id, "/useful"))
        .header(PARTICIPANT, who)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn useful_votes_count_once_and_sort_the_thread() {
    let server = server_with_thread(json!({})).await;
    let mut comments = Vec::new();
    for _ in 0..3 {
        comments.push(
            server.comment_ok("t", &token(), json!({})).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let (alice, bob) = (token(), token());
    let voted = set_useful(&server, comments[1], &alice, Method::PUT).await;
    assert_eq!(
        voted,
        json!({ "id": comments[1], "useful": 1, "my_useful": true })
    );
    // A second PUT by the same participant changes nothing.
    assert_eq!(
        set_useful(&server, comments[1], &alice, Method::PUT).await["useful"],
        1
    );
    set_useful(&server, comments[1], &bob, Method::PUT).await;
    set_useful(&server, comments[2], &bob, Method::PUT).await;

    let useful = server
        .read("/api/v1/threads/t/comments?sort=useful", Some(&alice))
        .await;
    assert_eq!(
        ids(&useful["comments"]),
        [comments[1], comments[2], comments[0]]
    );
    assert_eq!(useful["comments"][0]["useful"], 2);
    assert_eq!(useful["comments"][0]["my_useful"], true);
    assert_eq!(useful["comments"][1]["my_useful"], false);
    let newest = server
        .read("/api/v1/threads/t/comments?sort=newest", None)
        .await;
    assert_eq!(
        ids(&newest["comments"]),
        [comments[2], comments[1], comments[0]]
    );

    let withdrawn = set_useful(&server, comments[1], &alice, Method::DELETE).await;
    assert_eq!(
        withdrawn,
        json!({ "id": comments[1], "useful": 1, "my_useful": false })
    );
    assert_eq!(
        set_useful(&server, comments[1], &alice, Method::DELETE).await["useful"],
        1
    );

    let bad_sort = server.get("/api/v1/threads/t/comments?sort=loudest").await;
    assert_error(bad_sort, StatusCode::BAD_REQUEST, "invalid_input").await;
    let bad_cursor = server
        .get("/api/v1/threads/t/comments?sort=useful&cursor=o12")
        .await;
    assert_error(bad_cursor, StatusCode::BAD_REQUEST, "invalid_input").await;
}

#[tokio::test]
async fn authors_edit_and_delete_their_own_comments() {
    let server = server_with_thread(json!({})).await;
    let alice = token();
    let id = server.comment_ok("t", &alice, json!({})).await["id"]
        .as_i64()
        .unwrap();
    let edit = |who: &str, text: &str| {
        server
            .request(Method::PATCH, &comment_path(id, ""))
            .header(PARTICIPANT, who)
            .json(&json!({ "text": text }))
            .send()
    };
    let edited = edit(&alice, "Corrigé **ici**").await.unwrap();
    assert_eq!(edited.status(), StatusCode::OK);
    let edited: Value = edited.json().await.unwrap();
    assert!(edited["edited_at"].is_string());
    assert_eq!(edited["html"], "<p>Corrigé <strong>ici</strong></p>\n");
    assert_error(
        edit(&token(), "pirate").await.unwrap(),
        StatusCode::FORBIDDEN,
        "not_author",
    )
    .await;
    assert_error(
        edit(&alice, "").await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "empty_text",
    )
    .await;
    let not_mine = server
        .request(Method::DELETE, &comment_path(id, ""))
        .header(PARTICIPANT, token())
        .send()
        .await
        .unwrap();
    assert_error(not_mine, StatusCode::FORBIDDEN, "not_author").await;

    // A deleted comment with replies stays as a placeholder; without, it disappears.
    let reply = server
        .comment_ok("t", &token(), json!({ "parent_id": id }))
        .await;
    let lone = server.comment_ok("t", &alice, json!({})).await["id"]
        .as_i64()
        .unwrap();
    for target in [id, lone] {
        let deleted = act(&server, Method::DELETE, target, "", &alice, None).await;
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    }
    let page = server.comments("t", None).await;
    assert_eq!(ids(&page["comments"]), [id]);
    let placeholder = &page["comments"][0];
    assert_eq!(placeholder["status"], "deleted");
    assert_eq!(placeholder["text"], Value::Null);
    assert_eq!(placeholder["html"], Value::Null);
    assert_eq!(placeholder["author_name"], Value::Null);
    assert_eq!(
        ids(&placeholder["replies"]),
        [reply["id"].as_i64().unwrap()]
    );
    assert_eq!(page["count"], 1);
}

#[tokio::test]
async fn the_edit_window_closes() {
    let server = TestServer::start_configured(|config| {
        config.comments.edit_window_secs = 0;
    })
    .await;
    server.create_thread("t", json!({})).await;
    let alice = token();
    let id = server.comment_ok("t", &alice, json!({})).await["id"]
        .as_i64()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let edit = act(
        &server,
        Method::PATCH,
        id,
        "",
        &alice,
        Some(json!({ "text": "late" })),
    )
    .await;
    assert_error(edit, StatusCode::FORBIDDEN, "edit_window_over").await;
    let delete = act(&server, Method::DELETE, id, "", &alice, None).await;
    assert_error(delete, StatusCode::FORBIDDEN, "edit_window_over").await;
}

#[tokio::test]
async fn posting_is_rate_limited_per_participant_and_site() {
    let server = TestServer::start_configured(|config| {
        config.comments.participant_per_minute = 2;
        config.comments.site_per_minute = 3;
    })
    .await;
    server.create_thread("t", json!({})).await;
    let alice = token();
    server.comment_ok("t", &alice, json!({})).await;
    server.comment_ok("t", &alice, json!({})).await;
    assert_error(
        server.post_comment("t", &alice, json!({})).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
    server.comment_ok("t", &token(), json!({})).await;
    // The site's budget (3 per minute) is now spent, whoever posts.
    assert_error(
        server.post_comment("t", &token(), json!({})).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
}

#[tokio::test]
async fn staff_speak_officially_pin_and_lock() {
    let server = server_with_thread(json!({})).await;
    let first = server.comment_ok("t", &token(), json!({})).await["id"]
        .as_i64()
        .unwrap();
    let official = server.official_reply("t").await;
    assert_eq!(official["official"], true);
    let official_id = official["id"].as_i64().unwrap();

    let pinned = server.moderate(official_id, "pin", None).await;
    assert_eq!(pinned.status(), StatusCode::OK);
    let page = server.comments("t", None).await;
    assert_eq!(ids(&page["comments"]), [official_id, first]);
    assert_eq!(page["comments"][0]["pinned"], true);
    server.moderate(official_id, "unpin", None).await;
    assert_eq!(
        ids(&server.comments("t", None).await["comments"]),
        [first, official_id]
    );

    let lock = |locked: bool| {
        server
            .admin(Method::PATCH, "/threads/t")
            .json(&json!({ "locked": locked }))
            .send()
    };
    let locked: Value = lock(true).await.unwrap().json().await.unwrap();
    assert_eq!(locked["locked"], true);
    assert_error(
        server.post_comment("t", &token(), json!({})).await,
        StatusCode::CONFLICT,
        "thread_locked",
    )
    .await;
    lock(false).await.unwrap();
    server.comment_ok("t", &token(), json!({})).await;

    let audit: Value = server.admin_read("/audit").await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    // Newest first: every staff action, the official reply and the creations included.
    assert_eq!(
        actions,
        ["unlock", "lock", "unpin", "pin", "reply", "create", "create"]
    );
    assert_eq!(audit[3]["target"], format!("comment:{official_id}"));
    assert_eq!(audit[4]["target"], format!("comment:{official_id}"));
    assert_eq!(audit[5]["target"], "thread:t");
    assert_eq!(audit[6]["target"], format!("site:{SITE}"));
    assert!(audit
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["actor"] == "admin"));
    assert!(audit
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["site_id"] == SITE));
    let anonymous = server.get("/api/v1/admin/audit").await;
    assert_error(anonymous, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn pre_moderated_comments_wait_for_approval() {
    let server = server_with_thread(json!({ "pre_moderation": true })).await;
    let alice = token();
    let pending = server.comment_ok("t", &alice, json!({})).await;
    assert_eq!(pending["status"], "pending");
    let id = pending["id"].as_i64().unwrap();
    assert_eq!(server.comments("t", None).await["comments"], json!([]));
    let own = server.comments("t", Some(&alice)).await;
    assert_eq!(own["comments"][0]["status"], "pending");
    assert_eq!(own["count"], 0);
    // Nobody can answer, vote for or report a pending comment.
    let reply = server
        .post_comment("t", &token(), json!({ "parent_id": id }))
        .await;
    assert_error(reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid_parent").await;

    let approved: Value = server
        .moderate(id, "approve", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(approved["status"], "published");
    assert_eq!(server.comments("t", None).await["count"], 1);
}

#[tokio::test]
async fn staff_hide_restore_and_delete_with_public_reasons() {
    let server = server_with_thread(json!({})).await;
    let id = server.comment_ok("t", &token(), json!({})).await["id"]
        .as_i64()
        .unwrap();
    server
        .comment_ok("t", &token(), json!({ "parent_id": id }))
        .await;
    let hidden: Value = server
        .moderate(id, "hide", Some("Propos injurieux"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(hidden["status"], "hidden");
    let page = server.comments("t", None).await;
    let placeholder = &page["comments"][0];
    assert_eq!(placeholder["status"], "hidden");
    assert_eq!(placeholder["removal_reason"], "Propos injurieux");
    assert_eq!(placeholder["text"], Value::Null);

    let restored: Value = server
        .moderate(id, "restore", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(restored["status"], "published");
    assert_eq!(restored["removal_reason"], Value::Null);
    let deleted: Value = server
        .moderate(id, "delete", Some("Hors sujet"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(deleted["status"], "deleted");
    let conflict = server.moderate(id, "restore", None).await;
    assert_error(conflict, StatusCode::CONFLICT, "conflict").await;
    assert_error(
        server.moderate(999_999, "hide", None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    let audit: Value = server.admin_read("/audit?limit=10").await;
    let rows: Vec<(&str, Option<&str>)> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target"] == format!("comment:{id}"))
        .map(|e| (e["action"].as_str().unwrap(), e["reason"].as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("delete", Some("Hors sujet")),
            ("restore", None),
            ("hide", Some("Propos injurieux")),
        ]
    );
}

#[tokio::test]
async fn reports_hide_a_comment_at_the_site_threshold() {
    let server = TestServer::start().await;
    server
        .create_site_with("strict", &[SITE_ORIGIN], json!({ "report_threshold": 2 }))
        .await;
    server
        .create_thread("t", json!({ "site_id": "strict" }))
        .await;
    let id = server.comment_ok("t", &token(), json!({})).await["id"]
        .as_i64()
        .unwrap();
    let report = |who: String, reason: &'static str| {
        server
            .request(Method::POST, &comment_path(id, "/reports"))
            .header(PARTICIPANT, who)
            .json(&json!({ "reason": reason }))
            .send()
    };
    let alice = token();
    assert_eq!(
        report(alice.clone(), "spam").await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_error(
        report(alice, "spam again").await.unwrap(),
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert_error(
        report(token(), " ").await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(server.comments("t", None).await["count"], 1);
    assert_eq!(
        report(token(), "insulte").await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let page = server.comments("t", None).await;
    assert_eq!(page["count"], 0);
    assert_eq!(page["comments"], json!([]));

    // The town's official answer is counted as reported but stays for staff to judge.
    let official_id = server.official_reply("t").await["id"].as_i64().unwrap();
    for _ in 0..5 {
        let reported = server
            .request(Method::POST, &comment_path(official_id, "/reports"))
            .header(PARTICIPANT, token())
            .json(&json!({ "reason": "je ne suis pas d'accord" }))
            .send()
            .await
            .unwrap();
        assert_eq!(reported.status(), StatusCode::NO_CONTENT);
    }
    let page = server.comments("t", None).await;
    assert_eq!(ids(&page["comments"]), [official_id]);
}

#[tokio::test]
async fn blocked_words_are_rejected_or_held_for_review() {
    let server = TestServer::start().await;
    for (site, action) in [("reject", "reject"), ("review", "review")] {
        server
            .create_site_with(
                site,
                &[SITE_ORIGIN],
                json!({ "blocked_words": ["Crétin"], "blocked_words_action": action }),
            )
            .await;
        server.create_thread(site, json!({ "site_id": site })).await;
    }
    let text = json!({ "text": "Quel crétin !" });
    assert_error(
        server.post_comment("reject", &token(), text.clone()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "blocked_words",
    )
    .await;
    server
        .comment_ok(
            "reject",
            &token(),
            json!({ "text": "Crétinisme n'est pas bloqué" }),
        )
        .await;
    let held = server.comment_ok("review", &token(), text).await;
    assert_eq!(held["status"], "pending");
    assert_eq!(server.comments("review", None).await["comments"], json!([]));
}

/// What `instance` shows anonymous readers of thread `t`, read twice (the second time from
/// memory): the same.
async fn shared(instance: &TestServer) -> Value {
    let once = instance.comments("t", None).await;
    assert_eq!(instance.comments("t", None).await, once);
    once
}

/// The first page anonymous readers see is kept in memory by each instance: every change,
/// whichever instance made it, shows at once.
#[tokio::test]
async fn the_page_readers_share_follows_every_change_on_every_instance() {
    let server = server_with_thread(json!({})).await;
    let other = server.another_instance().await;
    let alice = token();
    let first = server
        .comment_ok("t", &alice, json!({ "text": "Premier" }))
        .await;
    let id = first["id"].as_i64().unwrap();
    let text_of = |page: &Value| page["comments"][0]["text"].clone();
    for instance in [&server, &other] {
        assert_eq!(text_of(&shared(instance).await), "Premier");
    }

    let edited = act(
        &other,
        Method::PATCH,
        id,
        "",
        &alice,
        Some(json!({ "text": "Corrigé" })),
    )
    .await;
    assert_eq!(edited.status(), StatusCode::OK);
    assert_eq!(text_of(&shared(&server).await), "Corrigé");

    server.mark_useful(&first["id"], &token()).await;
    for instance in [&server, &other] {
        assert_eq!(shared(instance).await["comments"][0]["useful"], 1);
    }
    // A reader with a token still sees their own marks.
    let mine = server.comments("t", Some(&alice)).await;
    assert_eq!(mine["comments"][0]["mine"], true);
    assert_eq!(shared(&server).await["comments"][0]["mine"], false);

    other
        .comment_ok("t", &token(), json!({ "text": "Second" }))
        .await;
    let page = shared(&server).await;
    assert_eq!(page["count"], 2);
    assert!(page.to_string().contains("\"text\":\"Second\""), "{page}");

    let hidden = other.moderate(id, "hide", Some("Hors sujet")).await;
    assert!(hidden.status().is_success());
    let page = shared(&server).await;
    let removed = page["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == first["id"]);
    assert!(
        removed.is_none_or(|c| c["text"] != "Corrigé"),
        "a hidden comment's words are not shown: {page}"
    );
}

#[tokio::test]
async fn watchers_hear_published_changes_only() {
    let server = server_with_thread(json!({})).await;
    server
        .create_thread("moderated", json!({ "pre_moderation": true }))
        .await;
    let response = server.get("/api/v1/threads/t/events").await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut stream = response.bytes_stream();
    let quiet = server.get("/api/v1/threads/moderated/events").await;
    let mut quiet = quiet.bytes_stream();

    let alice = token();
    let id = server.comment_ok("t", &alice, json!({})).await["id"]
        .as_i64()
        .unwrap();
    server.comment_ok("moderated", &token(), json!({})).await;
    set_useful(&server, id, &token(), Method::PUT).await;
    act(
        &server,
        Method::PATCH,
        id,
        "",
        &alice,
        Some(json!({ "text": "edited" })),
    )
    .await;
    server.moderate(id, "hide", None).await;

    let text = next_events(&mut stream, 4).await;
    let expected = [
        format!("event: comment_created\ndata: {{\"id\":{id},\"comment\":{{\"id\":{id},"),
        format!("event: useful_changed\ndata: {{\"id\":{id},\"useful\":1}}\n"),
        format!("event: comment_updated\ndata: {{\"id\":{id},\"comment\":{{\"id\":{id},"),
        format!("event: comment_removed\ndata: {{\"id\":{id},\"comment\":{{\"id\":{id},"),
    ];
    for event in expected {
        assert!(text.contains(&event), "{event} in {text}");
    }
    // Each event carries the comment as any reader sees it, so viewers need no request.
    let data: Vec<Value> = text
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .map(|data| serde_json::from_str(data).unwrap())
        .collect();
    assert_eq!(
        data[0]["comment"]["html"],
        "<p>Bonjour <em>à tous</em></p>\n"
    );
    assert_eq!(data[0]["comment"]["mine"], false);
    assert_eq!(data[2]["comment"]["html"], "<p>edited</p>\n");
    assert_eq!(data[3]["comment"]["status"], "hidden");
    assert_eq!(
        data[3]["comment"]["html"],
        Value::Null,
        "a removed text stays out"
    );
    // The pending comment was not announced.
    let silence = tokio::time::timeout(Duration::from_millis(300), quiet.next()).await;
    assert!(silence.is_err(), "no event for a pending comment");
    assert_error(
        server.get("/api/v1/threads/nope/events").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn an_edit_held_for_review_is_announced_without_its_text() {
    let server = TestServer::start().await;
    server
        .create_site_with(
            "review",
            &[SITE_ORIGIN],
            json!({ "blocked_words": ["Crétin"], "blocked_words_action": "review" }),
        )
        .await;
    server
        .create_thread("t", json!({ "site_id": "review" }))
        .await;
    let alice = token();
    let id = server.comment_ok("t", &alice, json!({})).await["id"]
        .as_i64()
        .unwrap();
    let mut stream = server.events("/api/v1/threads/t/events").await;
    let edited = act(
        &server,
        Method::PATCH,
        id,
        "",
        &alice,
        Some(json!({ "text": "Quel crétin !" })),
    )
    .await;
    assert_eq!(edited.status(), StatusCode::OK);
    let text = next_events(&mut stream, 1).await;
    assert_eq!(
        text,
        format!("event: comment_removed\ndata: {{\"id\":{id}}}\n\n"),
        "the held text goes to no viewer"
    );
}
