//! Proposal boxes over HTTP: boxes, submitting rules, moderation, supports and thresholds,
//! statuses and answers, listings, search, similar titles, live events, seeding, origins.

mod common;

use common::*;
use reqwest::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CONTENT_TYPE, ORIGIN};
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::Duration;

const CATEGORIES: &str = r#"[
    { "id": "mobilite", "label": "Mobilité" },
    { "id": "nature", "label": "Nature en ville" }
]"#;

fn categories() -> Value {
    serde_json::from_str(CATEGORIES).unwrap()
}

fn pid(view: &Value) -> i64 {
    view["id"].as_i64().expect("a proposal id")
}

/// A server whose proposal rate limits are off, for tests that submit a lot.
async fn unlimited() -> TestServer {
    TestServer::start_configured(|config| {
        config.proposals.participant_per_minute = 0;
        config.proposals.site_per_minute = 0;
    })
    .await
}

/// `GET /api/v1/boxes/{box_id}/{rest}` as `who` (if any), asserting 200.
async fn read_box(server: &TestServer, box_id: &str, rest: &str, who: Option<&str>) -> Value {
    server
        .read(&format!("/api/v1/boxes/{box_id}{rest}"), who)
        .await
}

/// `GET /api/v1/proposals/{id}` as `who` (if any).
async fn get_proposal(server: &TestServer, id: i64, who: Option<&str>) -> Response {
    let mut request = server.request(Method::GET, &format!("/api/v1/proposals/{id}"));
    if let Some(who) = who {
        request = request.header(PARTICIPANT, who);
    }
    request.send().await.unwrap()
}

/// Titles of a page or list of proposals, in order.
fn titles(list: &Value) -> Vec<String> {
    list["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap().to_owned())
        .collect()
}

/// A server with box `b` (`changes` override its fields) holding one proposal, and its id.
async fn server_with_proposal(changes: Value) -> (TestServer, i64) {
    let server = TestServer::start().await;
    server.create_box("b", changes).await;
    let id = pid(&server.proposal_ok("b", &token(), json!({})).await);
    (server, id)
}

/// The audited staff actions on `target`, newest first.
async fn audited(server: &TestServer, target: &str) -> Vec<String> {
    let audit = server.admin_read("/audit").await;
    audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["target"] == target)
        .map(|entry| entry["action"].as_str().unwrap().to_owned())
        .collect()
}

async fn json_of(response: Response) -> Value {
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap()
}

#[tokio::test]
async fn staff_create_list_and_patch_boxes() {
    let server = TestServer::start().await;
    let created = server
        .create_box(
            "idees",
            json!({ "title": " Vos idées ", "categories": categories(), "threshold": 50,
                    "description": "Proposez", "closes_at": at(Duration::days(30)) }),
        )
        .await;
    assert_eq!(created["title"], "Vos idées");
    assert_eq!(created["mode"], "ideas");
    assert_eq!(created["status"], "open");
    assert_eq!(created["count"], 0);
    assert_eq!(created["categories"], categories());
    assert_eq!(read_box(&server, "idees", "", None).await, created);

    let again = server
        .admin_send(
            Method::POST,
            "/boxes",
            json!({ "id": "idees", "site_id": SITE, "title": "x" }),
        )
        .await;
    assert_error(again, StatusCode::CONFLICT, "conflict").await;
    let bad_inputs = [
        json!({ "categories": [{ "id": "Bad Slug", "label": "x" }] }),
        json!({ "categories": [{ "id": "a", "label": "A" }, { "id": "a", "label": "B" }] }),
        json!({ "categories": [{ "id": "a", "label": " " }] }),
        json!({ "threshold": 0 }),
        json!({ "site_id": "nowhere" }),
        json!({ "title": " " }),
        json!({ "mode": "questions", "categories": categories() }),
        json!({ "opens_at": at(Duration::days(2)), "closes_at": at(Duration::days(1)) }),
    ];
    for changes in bad_inputs {
        let mut input = json!({ "id": "other", "site_id": SITE, "title": "Other" });
        merge(&mut input, changes.clone());
        let response = server.admin_send(Method::POST, "/boxes", input).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{changes}"
        );
    }
    let anonymous = server.get("/api/v1/admin/boxes").await;
    assert_error(anonymous, StatusCode::UNAUTHORIZED, "unauthorized").await;

    server.create_site("other", &["http://other.example"]).await;
    server
        .create_box("autre", json!({ "site_id": "other", "mode": "questions" }))
        .await;
    let listed = server.admin_read("/boxes?site=other").await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["mode"], "questions");
    assert_eq!(
        server.admin_read("/boxes").await.as_array().unwrap().len(),
        2
    );

    let closed = server
        .admin_send(
            Method::PATCH,
            "/boxes/idees",
            json!({ "pre_moderation": true, "closes_at": at(-Duration::hours(1)) }),
        )
        .await;
    let closed = json_of(closed).await;
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["pre_moderation"], true);
    assert_eq!(closed["threshold"], 50, "untouched");
    let reopened = server
        .admin_send(Method::PATCH, "/boxes/idees", json!({ "closes_at": "" }))
        .await;
    let reopened = json_of(reopened).await;
    assert_eq!(reopened["status"], "open");
    assert_eq!(reopened["closes_at"], Value::Null);
    assert_eq!(reopened["pre_moderation"], true);
    let upside_down = server
        .admin_send(
            Method::PATCH,
            "/boxes/idees",
            json!({ "opens_at": at(Duration::days(2)), "closes_at": at(Duration::days(1)) }),
        )
        .await;
    assert_error(
        upside_down,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    let missing = server
        .admin_send(Method::PATCH, "/boxes/nope", json!({}))
        .await;
    assert_error(missing, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(
        audited(&server, "box:idees").await,
        ["update", "update", "create"]
    );
    server.assert_missing("/api/v1/boxes/nope").await;
}

#[tokio::test]
async fn ideas_are_rendered_stored_and_get_a_thread() {
    let server = TestServer::start().await;
    server
        .create_box(
            "idees",
            json!({ "categories": categories(), "pre_moderation": false }),
        )
        .await;
    let alice = token();
    let created = server
        .proposal_ok(
            "idees",
            &alice,
            json!({ "title": "  Des abris vélos  ", "text": "Près de la *gare* <script>x</script>",
                    "category": "mobilite", "place": " Gare ", "author_name": " Karim " }),
        )
        .await;
    assert_eq!(created["title"], "Des abris vélos");
    assert_eq!(created["place"], "Gare");
    assert_eq!(created["author_name"], "Karim");
    assert_eq!(created["category"], "mobilite");
    assert_eq!(created["status"], "submitted");
    assert_eq!(created["visibility"], "published");
    assert_eq!(created["mine"], true);
    assert_eq!(created["supports"], 0);
    assert_eq!(created["history"], json!([]));
    let html = created["html"].as_str().unwrap();
    assert!(
        html.contains("<em>gare</em>") && !html.contains("<script"),
        "{html}"
    );
    let id = pid(&created);
    assert_eq!(created["thread_id"], format!("proposal-{id}"));

    let thread = server
        .read(&format!("/api/v1/threads/proposal-{id}"), None)
        .await;
    assert_eq!(thread["title"], "Des abris vélos");
    assert_eq!(thread["site_id"], SITE);
    assert_eq!(thread["pre_moderation"], false);
    server
        .comment_ok(&format!("proposal-{id}"), &token(), json!({}))
        .await;

    let seen = json_of(get_proposal(&server, id, None).await).await;
    assert_eq!(seen["mine"], false);
    assert_eq!(seen["text"], created["text"]);
    assert_eq!(read_box(&server, "idees", "", None).await["count"], 1);

    server
        .create_box("moderee", json!({ "pre_moderation": true }))
        .await;
    let held = server.proposal_ok("moderee", &alice, json!({})).await;
    let thread = server
        .read(&format!("/api/v1/threads/proposal-{}", pid(&held)), None)
        .await;
    assert_eq!(thread["pre_moderation"], true, "moderated like its box");

    server
        .create_box("questions", json!({ "mode": "questions" }))
        .await;
    let question = server
        .proposal_ok(
            "questions",
            &alice,
            json!({ "title": "Q".repeat(280), "text": "ignored", "category": "nope",
                    "place": "ignored" }),
        )
        .await;
    assert_eq!(question["thread_id"], Value::Null);
    assert_eq!(question["text"], "");
    assert_eq!(question["html"], "");
    assert_eq!(question["category"], Value::Null);
    assert_eq!(question["place"], Value::Null);
}

#[tokio::test]
async fn bad_proposals_are_refused_with_codes() {
    let server = TestServer::start().await;
    server
        .create_box("idees", json!({ "categories": categories() }))
        .await;
    server
        .create_box("questions", json!({ "mode": "questions" }))
        .await;
    let links: String = (0..6)
        .map(|i| format!("[l{i}](https://example.org/{i}) "))
        .collect();
    let cases = [
        (json!({ "title": "  " }), "empty_title"),
        (json!({ "title": "x".repeat(121) }), "title_too_long"),
        (json!({ "text": "x".repeat(5001) }), "text_too_long"),
        (json!({ "text": links }), "too_many_links"),
        (json!({ "author_name": " " }), "invalid_name"),
        (json!({ "author_name": "n".repeat(61) }), "invalid_name"),
        (json!({ "author_name": "\u{202e}eiriaM" }), "invalid_name"),
        (json!({ "author_name": "Mairie" }), "reserved_name"),
        (
            json!({ "title": "\u{202e}sinnet ed niaP" }),
            "invalid_title",
        ),
        (json!({ "title": "\u{200b}\u{200b}" }), "invalid_title"),
        (json!({ "title": "?!" }), "invalid_title"),
        (json!({ "category": null }), "category_required"),
        (json!({ "category": "" }), "category_required"),
        (json!({ "category": "sport" }), "unknown_category"),
        (json!({ "place": "p".repeat(121) }), "place_too_long"),
    ];
    for (changes, code) in cases {
        let mut body = json!({ "category": "nature" });
        merge(&mut body, changes);
        let response = server.post_proposal("idees", &token(), body).await;
        assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, code).await;
    }
    let longest =
        json!({ "title": "x".repeat(120), "category": "nature", "place": "p".repeat(120) });
    server.proposal_ok("idees", &token(), longest).await;
    let question = server
        .post_proposal("questions", &token(), json!({ "title": "q".repeat(281) }))
        .await;
    assert_error(question, StatusCode::UNPROCESSABLE_ENTITY, "title_too_long").await;

    let anonymous = server
        .request(Method::POST, "/api/v1/boxes/idees/proposals")
        .json(&json!({ "title": "t", "author_name": "a", "category": "nature" }))
        .send()
        .await
        .unwrap();
    assert_error(anonymous, StatusCode::BAD_REQUEST, "missing_participant").await;
    let malformed = server.post_proposal("idees", "short", json!({})).await;
    assert_error(malformed, StatusCode::BAD_REQUEST, "invalid_participant").await;
    let not_json = server
        .request(Method::POST, "/api/v1/boxes/idees/proposals")
        .header(PARTICIPANT, token())
        .header(CONTENT_TYPE, "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_error(
        not_json,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let unknown = server.post_proposal("nope", &token(), json!({})).await;
    assert_error(unknown, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(read_box(&server, "idees", "", None).await["count"], 1);
}

#[tokio::test]
async fn blocked_words_are_refused_or_held_for_review() {
    let server = TestServer::start().await;
    server
        .create_site_with(
            "strict",
            &[SITE_ORIGIN],
            json!({ "blocked_words": ["Idiot"] }),
        )
        .await;
    server
        .create_site_with(
            "review",
            &[SITE_ORIGIN],
            json!({ "blocked_words": ["idiot"], "blocked_words_action": "review" }),
        )
        .await;
    server.create_box("s", json!({ "site_id": "strict" })).await;
    server.create_box("r", json!({ "site_id": "review" })).await;
    for changes in [
        json!({ "title": "Quel idiot" }),
        json!({ "text": "un idiot" }),
        json!({ "place": "Rue de l'idiot" }),
    ] {
        let response = server.post_proposal("s", &token(), changes).await;
        assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "blocked_words").await;
    }
    server
        .proposal_ok("s", &token(), json!({ "title": "Idiotie" }))
        .await;
    let held = server
        .proposal_ok("r", &token(), json!({ "title": "Quel idiot" }))
        .await;
    assert_eq!(held["visibility"], "pending");
    assert_eq!(read_box(&server, "r", "", None).await["count"], 0);
}

#[tokio::test]
async fn pre_moderated_proposals_wait_for_approval() {
    let server = TestServer::start().await;
    server
        .create_box("b", json!({ "pre_moderation": true }))
        .await;
    let mut stream = server.events("/api/v1/boxes/b/events").await;
    let alice = token();
    let held = server.proposal_ok("b", &alice, json!({})).await;
    assert_eq!(held["visibility"], "pending");
    let id = pid(&held);

    let mine = json_of(get_proposal(&server, id, Some(&alice)).await).await;
    assert_eq!(
        (mine["mine"].clone(), mine["visibility"].clone()),
        (json!(true), json!("pending"))
    );
    for who in [None, Some(token())] {
        let response = get_proposal(&server, id, who.as_deref()).await;
        assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
    }
    let page = read_box(&server, "b", "/proposals", Some(&alice)).await;
    assert_eq!(
        (page["count"].clone(), page["proposals"].clone()),
        (json!(0), json!([]))
    );
    let support = server.support(Method::PUT, id, &alice).await;
    assert_error(support, StatusCode::NOT_FOUND, "not_found").await;
    let queue = server
        .admin_read("/boxes/b/proposals?visibility=pending")
        .await;
    assert_eq!(titles(&queue), ["Un jardin partagé"]);
    let bad_filter = server.admin_get("/boxes/b/proposals?visibility=gone").await;
    assert_error(bad_filter, StatusCode::BAD_REQUEST, "invalid_input").await;

    let approved = json_of(server.moderate_proposal(id, "approve").await).await;
    assert_eq!(approved["visibility"], "published");
    let text = next_events(&mut stream, 1).await;
    assert!(
        text.starts_with(&format!("event: proposal_created\ndata: {{\"id\":{id}}}\n")),
        "the approval is the first announcement: {text}"
    );
    assert_eq!(read_box(&server, "b", "/proposals", None).await["count"], 1);
    assert_eq!(
        json_of(get_proposal(&server, id, Some(&token())).await).await["visibility"],
        "published"
    );

    json_of(server.moderate_proposal(id, "hide").await).await;
    let text = next_events(&mut stream, 1).await;
    assert!(text.contains("event: proposal_removed\n"), "{text}");
    for who in [None, Some(alice.as_str())] {
        let response = get_proposal(&server, id, who).await;
        assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
    }
    assert_eq!(
        server
            .admin_read("/boxes/b/proposals?visibility=hidden")
            .await["proposals"][0]["id"],
        id
    );
    json_of(server.moderate_proposal(id, "restore").await).await;
    let text = next_events(&mut stream, 1).await;
    assert!(text.contains("event: proposal_created\n"), "{text}");
    let unknown = server.moderate_proposal(999, "hide").await;
    assert_error(unknown, StatusCode::NOT_FOUND, "not_found").await;

    assert_eq!(
        audited(&server, &format!("proposal:{id}")).await,
        ["restore", "hide", "approve"],
        "newest first"
    );
}

#[tokio::test]
async fn supports_count_once_per_participant() {
    let (server, id) = server_with_proposal(json!({})).await;
    let alice = token();
    let supported = json_of(server.support(Method::PUT, id, &alice).await).await;
    assert_eq!(
        supported,
        json!({ "id": id, "supports": 1, "my_support": true, "threshold_reached_at": null })
    );
    let twice = server.support(Method::PUT, id, &alice).await;
    assert_error(twice, StatusCode::CONFLICT, "already_supported").await;
    server.supporters(id, 2).await;

    let seen = json_of(get_proposal(&server, id, Some(&alice)).await).await;
    assert_eq!(
        (seen["supports"].clone(), seen["my_support"].clone()),
        (json!(3), json!(true))
    );
    let listed = read_box(&server, "b", "/proposals", Some(&alice)).await;
    assert_eq!(listed["proposals"][0]["my_support"], true);
    let stranger = read_box(&server, "b", "/proposals", Some(&token())).await;
    assert_eq!(stranger["proposals"][0]["my_support"], false);

    let withdrawn = json_of(server.support(Method::DELETE, id, &alice).await).await;
    assert_eq!(
        (
            withdrawn["supports"].clone(),
            withdrawn["my_support"].clone()
        ),
        (json!(2), json!(false))
    );
    let again = server.support(Method::DELETE, id, &alice).await;
    assert_error(again, StatusCode::CONFLICT, "not_supported").await;
    let never = server.support(Method::DELETE, id, &token()).await;
    assert_error(never, StatusCode::CONFLICT, "not_supported").await;
    let back = json_of(server.support(Method::PUT, id, &alice).await).await;
    assert_eq!(back["supports"], 3);

    let anonymous = server
        .request(Method::PUT, &format!("/api/v1/proposals/{id}/support"))
        .send()
        .await
        .unwrap();
    assert_error(anonymous, StatusCode::BAD_REQUEST, "missing_participant").await;
    let unknown = server.support(Method::PUT, 999, &alice).await;
    assert_error(unknown, StatusCode::NOT_FOUND, "not_found").await;
    json_of(server.moderate_proposal(id, "hide").await).await;
    let hidden = server.support(Method::DELETE, id, &alice).await;
    assert_error(hidden, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn the_threshold_is_reached_once_and_kept() {
    let (server, id) = server_with_proposal(json!({ "threshold": 3 })).await;
    server.create_box("free", json!({})).await;
    let other = pid(&server
        .proposal_ok("b", &token(), json!({ "title": "Autre" }))
        .await);
    let voters: Vec<String> = (0..3).map(|_| token()).collect();
    let mut last = Value::Null;
    for voter in &voters[..2] {
        last = json_of(server.support(Method::PUT, id, voter).await).await;
    }
    assert_eq!(last["threshold_reached_at"], Value::Null);
    assert_eq!(server.admin_read("/boxes/b/events").await, json!([]));

    let crossing = json_of(server.support(Method::PUT, id, &voters[2]).await).await;
    let reached = crossing["threshold_reached_at"].clone();
    assert!(reached.is_string(), "{crossing}");
    let events = server.admin_read("/boxes/b/events").await;
    assert_eq!(events.as_array().unwrap().len(), 1);
    assert_eq!(events[0]["kind"], "threshold_reached");
    assert_eq!(events[0]["proposal_id"], id);
    assert_eq!(events[0]["supports"], 3);

    let after = json_of(server.support(Method::DELETE, id, &voters[2]).await).await;
    assert_eq!(after["supports"], 2);
    assert_eq!(after["threshold_reached_at"], reached);
    let seen = json_of(get_proposal(&server, id, None).await).await;
    assert_eq!(
        seen["threshold_reached_at"], reached,
        "kept below the threshold"
    );
    json_of(server.support(Method::PUT, id, &voters[2]).await).await;
    server.supporters(id, 2).await;
    assert_eq!(
        server
            .admin_read("/boxes/b/events")
            .await
            .as_array()
            .unwrap()
            .len(),
        1,
        "recorded once"
    );
    assert_eq!(
        json_of(get_proposal(&server, other, None).await).await["threshold_reached_at"],
        Value::Null
    );

    let unbounded = pid(&server.proposal_ok("free", &token(), json!({})).await);
    let many = server.supporters(unbounded, 4).await;
    assert_eq!(many["threshold_reached_at"], Value::Null);
    assert_eq!(server.admin_read("/boxes/free/events").await, json!([]));
    let missing = server.admin_get("/boxes/nope/events").await;
    assert_error(missing, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn closed_and_upcoming_boxes_refuse_proposals_and_supports() {
    let (server, id) = server_with_proposal(json!({})).await;
    let alice = token();
    json_of(server.support(Method::PUT, id, &alice).await).await;

    let patch = |changes: Value| server.admin_send(Method::PATCH, "/boxes/b", changes);
    json_of(patch(json!({ "closes_at": at(-Duration::minutes(1)) })).await).await;
    assert_eq!(read_box(&server, "b", "", None).await["status"], "closed");
    let submit = server.post_proposal("b", &token(), json!({})).await;
    assert_error(submit, StatusCode::CONFLICT, "box_closed").await;
    let support = server.support(Method::PUT, id, &token()).await;
    assert_error(support, StatusCode::CONFLICT, "box_closed").await;
    let withdraw = server.support(Method::DELETE, id, &alice).await;
    assert_error(withdraw, StatusCode::CONFLICT, "box_closed").await;
    assert_eq!(read_box(&server, "b", "/proposals", None).await["count"], 1);

    json_of(patch(json!({ "opens_at": at(Duration::days(1)), "closes_at": "" })).await).await;
    assert_eq!(read_box(&server, "b", "", None).await["status"], "upcoming");
    let submit = server.post_proposal("b", &token(), json!({})).await;
    assert_error(submit, StatusCode::CONFLICT, "box_not_open").await;
    let support = server.support(Method::PUT, id, &token()).await;
    assert_error(support, StatusCode::CONFLICT, "box_not_open").await;

    server
        .create_box("later", json!({ "opens_at": at(Duration::days(3)) }))
        .await;
    let submit = server.post_proposal("later", &token(), json!({})).await;
    assert_error(submit, StatusCode::CONFLICT, "box_not_open").await;
}

#[tokio::test]
async fn submitting_is_rate_limited_per_participant_and_box_and_per_site() {
    let server = TestServer::start_configured(|config| {
        config.proposals.participant_per_minute = 2;
        config.proposals.site_per_minute = 3;
    })
    .await;
    server.create_box("a", json!({})).await;
    server.create_box("b", json!({})).await;
    let alice = token();
    server.proposal_ok("a", &alice, json!({})).await;
    server.proposal_ok("a", &alice, json!({})).await;
    let third = server.post_proposal("a", &alice, json!({})).await;
    assert_error(third, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    let refused = server
        .post_proposal("a", &alice, json!({ "title": "" }))
        .await;
    assert_error(refused, StatusCode::UNPROCESSABLE_ENTITY, "empty_title").await;
    server.proposal_ok("b", &alice, json!({})).await;
    let site_full = server.post_proposal("b", &token(), json!({})).await;
    assert_error(site_full, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_eq!(read_box(&server, "a", "", None).await["count"], 2);

    let defaults = civique_server::Config::default().proposals;
    assert_eq!(
        (defaults.participant_per_minute, defaults.site_per_minute),
        (3, 30)
    );
}

#[tokio::test]
async fn staff_decide_with_history_answers_and_duplicates() {
    let server = TestServer::start().await;
    server.create_box("b", json!({})).await;
    server.create_box("ailleurs", json!({})).await;
    let mut stream = server.events("/api/v1/boxes/b/events").await;
    let original = pid(&server
        .proposal_ok("b", &token(), json!({ "title": "Original" }))
        .await);
    let id = pid(&server.proposal_ok("b", &token(), json!({})).await);
    let elsewhere = pid(&server.proposal_ok("ailleurs", &token(), json!({})).await);

    let review = server
        .set_status(
            id,
            json!({ "status": "under_review", "by": " Service voirie " }),
        )
        .await;
    let review = json_of(review).await;
    assert_eq!(review["status"], "under_review");
    assert_eq!(review["answer"], Value::Null);
    assert!(review["answered_at"].is_string());
    assert_eq!(review["history"].as_array().unwrap().len(), 1);
    assert_eq!(review["history"][0]["by"], "Service voirie");
    assert_eq!(review["history"][0]["from"], "submitted");
    assert_eq!(review["history"][0]["to"], "under_review");

    let answer =
        "Retenue : **travaux en mars** <img src=x onerror=alert(1)> [plan](javascript:alert(1))";
    let accepted = server
        .set_status(id, json!({ "status": "accepted", "answer": answer }))
        .await;
    let accepted = json_of(accepted).await;
    assert_eq!(accepted["answer"], answer);
    let html = accepted["answer_html"].as_str().unwrap();
    assert!(html.contains("<strong>travaux en mars</strong>"), "{html}");
    assert!(
        !html.contains("<img") && !html.contains("javascript"),
        "{html}"
    );
    let history = accepted["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["by"], "Mairie", "the default signature");
    assert_eq!(history[1]["from"], "under_review");

    let same = server
        .set_status(id, json!({ "status": "accepted", "answer": "Précision" }))
        .await;
    let same = json_of(same).await;
    assert_eq!(
        same["history"].as_array().unwrap().len(),
        2,
        "no change, no row"
    );
    assert_eq!(same["answer"], "Précision");
    let kept = json_of(
        server
            .set_status(id, json!({ "status": "implemented" }))
            .await,
    )
    .await;
    assert_eq!(kept["answer"], "Précision", "kept when absent");
    let resident = json_of(get_proposal(&server, id, None).await).await;
    assert_eq!(resident["history"], kept["history"]);
    assert_eq!(resident["history"].as_array().unwrap().len(), 3);
    let listed = read_box(&server, "b", "/proposals", None).await;
    assert_eq!(
        listed["proposals"][0]["history"],
        json!([]),
        "not in listings"
    );

    let refusals = [
        (json!({ "status": "answered" }), "invalid_status"),
        (json!({ "status": "duplicate" }), "invalid_duplicate"),
        (
            json!({ "status": "duplicate", "duplicate_of": id }),
            "invalid_duplicate",
        ),
        (
            json!({ "status": "duplicate", "duplicate_of": elsewhere }),
            "invalid_duplicate",
        ),
        (
            json!({ "status": "duplicate", "duplicate_of": 999 }),
            "invalid_duplicate",
        ),
        (
            json!({ "status": "rejected", "answer": "x".repeat(5001) }),
            "text_too_long",
        ),
        (
            json!({ "status": "rejected", "by": "b".repeat(61) }),
            "invalid_input",
        ),
    ];
    for (body, code) in refusals {
        let response = server.set_status(id, body).await;
        assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, code).await;
    }
    let bad_status = server.set_status(id, json!({ "status": "maybe" })).await;
    assert_eq!(bad_status.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let duplicate = server
        .set_status(
            id,
            json!({ "status": "duplicate", "duplicate_of": original }),
        )
        .await;
    let duplicate = json_of(duplicate).await;
    assert_eq!(duplicate["duplicate_of"], original);
    assert_eq!(duplicate["history"].as_array().unwrap().len(), 4);
    let cleared = server
        .set_status(
            id,
            json!({ "status": "rejected", "duplicate_of": original, "answer": "" }),
        )
        .await;
    let cleared = json_of(cleared).await;
    assert_eq!(cleared["duplicate_of"], Value::Null);
    assert_eq!(cleared["answer"], Value::Null);
    assert_eq!(cleared["answer_html"], Value::Null);
    let unknown = server
        .set_status(999, json!({ "status": "accepted" }))
        .await;
    assert_error(unknown, StatusCode::NOT_FOUND, "not_found").await;

    let text = next_events(&mut stream, 8).await;
    assert_eq!(
        text.matches(&format!("event: proposal_updated\ndata: {{\"id\":{id}}}\n"))
            .count(),
        6,
        "{text}"
    );
    assert_eq!(
        audited(&server, &format!("proposal:{id}")).await,
        ["status"; 6]
    );
}

#[tokio::test]
async fn questions_are_answered_and_upvoted() {
    let server = TestServer::start().await;
    server
        .create_box("conseil", json!({ "mode": "questions" }))
        .await;
    let first = pid(&server
        .proposal_ok("conseil", &token(), json!({ "title": "Première ?" }))
        .await);
    let second = pid(&server
        .proposal_ok("conseil", &token(), json!({ "title": "Deuxième ?" }))
        .await);
    let third = pid(&server
        .proposal_ok("conseil", &token(), json!({ "title": "Troisième ?" }))
        .await);
    server.supporters(second, 2).await;
    server.supporters(third, 1).await;
    let by_votes = read_box(&server, "conseil", "/proposals", None).await;
    assert_eq!(
        titles(&by_votes),
        ["Deuxième ?", "Troisième ?", "Première ?"]
    );

    for status in [
        "under_review",
        "accepted",
        "rejected",
        "implemented",
        "duplicate",
    ] {
        let response = server.set_status(first, json!({ "status": status })).await;
        assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_status").await;
    }
    let answered = server
        .set_status(first, json!({ "status": "answered", "answer": "En mars." }))
        .await;
    let answered = json_of(answered).await;
    assert_eq!(answered["status"], "answered");
    assert_eq!(answered["answer_html"], "<p>En mars.</p>\n");
    json_of(
        server
            .set_status(third, json!({ "status": "answered", "answer": "Oui." }))
            .await,
    )
    .await;
    let recent = read_box(&server, "conseil", "/proposals?sort=answered", None).await;
    assert_eq!(titles(&recent), ["Troisième ?", "Première ?", "Deuxième ?"]);
    let open = read_box(&server, "conseil", "/proposals?status=submitted", None).await;
    assert_eq!(titles(&open), ["Deuxième ?"]);
    let reopened = json_of(
        server
            .set_status(first, json!({ "status": "submitted" }))
            .await,
    )
    .await;
    assert_eq!(reopened["history"].as_array().unwrap().len(), 2);
}

/// Creates what box `b`'s listings and suggestions must never show: an "abris vélos"
/// proposal in another box, and a hidden one in `b` (`extra` merged into its body).
async fn unseen(server: &TestServer, extra: Value) {
    server
        .create_box("ailleurs", json!({ "categories": categories() }))
        .await;
    let mut body = json!({ "title": "Abris vélos cachés", "category": "mobilite" });
    server.proposal_ok("ailleurs", &token(), body.clone()).await;
    merge(&mut body, extra);
    let hidden = pid(&server.proposal_ok("b", &token(), body).await);
    json_of(server.moderate_proposal(hidden, "hide").await).await;
}

#[tokio::test]
async fn listings_sort_filter_search_and_page() {
    let server = unlimited().await;
    server
        .create_box("b", json!({ "categories": categories() }))
        .await;
    let alice = token();
    let mut made = Vec::new();
    for n in 1..=22 {
        let category = if n % 2 == 0 { "nature" } else { "mobilite" };
        let title = format!("Idée numéro {n}");
        let view = server
            .proposal_ok("b", &alice, json!({ "title": title, "category": category }))
            .await;
        made.push(pid(&view));
    }
    let bikes = pid(&server
        .proposal_ok(
            "b",
            &token(),
            json!({ "title": "Des abris vélos à la gare", "category": "mobilite",
                    "text": "Un **abri** couvert et l'éclairage du parvis." }),
        )
        .await);
    unseen(&server, json!({})).await;
    server.supporters(made[4], 3).await;
    server.supporters(made[1], 3).await;
    server.supporters(bikes, 2).await;
    json_of(server.support(Method::PUT, made[0], &alice).await).await;

    let first = read_box(&server, "b", "/proposals", Some(&alice)).await;
    assert_eq!(
        (
            first["count"].clone(),
            first["page"].clone(),
            first["pages"].clone()
        ),
        (json!(23), json!(1), json!(3))
    );
    let order = ids(&first["proposals"]);
    assert_eq!(
        order[..4],
        [made[1], made[4], bikes, made[0]],
        "supports, then oldest"
    );
    assert_eq!(order.len(), 10);
    assert_eq!(first["proposals"][0]["mine"], true);
    assert_eq!(first["proposals"][3]["my_support"], true);
    let last = read_box(&server, "b", "/proposals?page=3", None).await;
    assert_eq!(last["proposals"].as_array().unwrap().len(), 3);
    let past = read_box(&server, "b", "/proposals?page=9", None).await;
    assert_eq!(
        (
            past["count"].clone(),
            past["pages"].clone(),
            past["proposals"].clone()
        ),
        (json!(23), json!(3), json!([]))
    );
    let mut everything: Vec<i64> = Vec::new();
    for page in 1..=3 {
        let listed = read_box(
            &server,
            "b",
            &format!("/proposals?sort=newest&page={page}"),
            None,
        )
        .await;
        everything.extend(ids(&listed["proposals"]));
    }
    let mut expected = made.clone();
    expected.push(bikes);
    expected.reverse();
    assert_eq!(everything, expected, "newest first, every proposal once");

    let nature = read_box(&server, "b", "/proposals?category=nature&sort=newest", None).await;
    assert_eq!(nature["count"], 11);
    assert!(nature["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["category"] == "nature"));
    let blank = read_box(&server, "b", "/proposals?category=&status=&q=", None).await;
    assert_eq!(blank["count"], 23, "blank filters are no filters");

    json_of(
        server
            .set_status(made[2], json!({ "status": "accepted" }))
            .await,
    )
    .await;
    json_of(
        server
            .set_status(made[6], json!({ "status": "under_review" }))
            .await,
    )
    .await;
    let answered = read_box(&server, "b", "/proposals?sort=answered", None).await;
    let order = ids(&answered["proposals"]);
    assert_eq!(
        order[..3],
        [made[6], made[2], bikes],
        "answered first, then newest"
    );
    let accepted = read_box(&server, "b", "/proposals?status=accepted", None).await;
    assert_eq!(titles(&accepted), ["Idée numéro 3"]);

    let search = |q: &str| {
        let rest = format!("/proposals?q={q}");
        let server = &server;
        async move { read_box(server, "b", &rest, None).await }
    };
    assert_eq!(
        titles(&search("velo").await),
        ["Des abris vélos à la gare"],
        "accents folded"
    );
    assert_eq!(
        titles(&search("ABRI%20v%C3%A9").await),
        ["Des abris vélos à la gare"],
        "prefixes"
    );
    assert_eq!(
        titles(&search("l%27%C3%A9clairage").await),
        ["Des abris vélos à la gare"],
        "descriptions, elisions"
    );
    assert_eq!(
        search("abris%20piscine").await["count"],
        0,
        "every word is required"
    );
    let numbered = search("num%C3%A9ro%2012").await;
    assert_eq!(titles(&numbered), ["Idée numéro 12"]);
    let in_category = read_box(&server, "b", "/proposals?q=idee&category=nature", None).await;
    assert_eq!(in_category["count"], 11);
    for hostile in [
        "%22",
        "NEAR(a%20b)",
        "*",
        "-abri",
        "title%3Aabri",
        "a%20OR%20b",
        "%5E",
        "(((",
        "%CD%85",
    ] {
        let response = server
            .get(&format!("/api/v1/boxes/b/proposals?q={hostile}"))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "q={hostile}");
    }

    let refusals = [
        (
            "/proposals?sort=random",
            StatusCode::BAD_REQUEST,
            "invalid_input",
        ),
        (
            "/proposals?status=maybe",
            StatusCode::BAD_REQUEST,
            "invalid_input",
        ),
        (
            "/proposals?page=0",
            StatusCode::BAD_REQUEST,
            "invalid_input",
        ),
        (
            "/proposals?page=x",
            StatusCode::BAD_REQUEST,
            "invalid_input",
        ),
        (
            "/proposals?category=sport",
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_category",
        ),
    ];
    for (rest, status, code) in refusals {
        assert_error(
            server.get(&format!("/api/v1/boxes/b{rest}")).await,
            status,
            code,
        )
        .await;
    }
    let long = "a".repeat(201);
    let too_long = server
        .get(&format!("/api/v1/boxes/b/proposals?q={long}"))
        .await;
    assert_error(too_long, StatusCode::BAD_REQUEST, "invalid_input").await;
    server.assert_missing("/api/v1/boxes/nope/proposals").await;
}

#[tokio::test]
async fn similar_titles_are_suggested_while_typing() {
    let server = unlimited().await;
    server.create_box("b", json!({})).await;
    unseen(&server, json!({ "category": null })).await;
    for title in [
        "Des abris vélos sécurisés près de la gare",
        "Un jardin partagé au parc des Saules",
        "Éclairage du terrain de sport",
        "Une piste cyclable vers la gare",
        "Un parking vélo devant la mairie",
    ] {
        server
            .proposal_ok("b", &token(), json!({ "title": title }))
            .await;
    }
    server
        .proposal_ok(
            "b",
            &token(),
            json!({ "title": "Jardins", "text": "Un **potager** pour l'école" }),
        )
        .await;

    let similar = |q: &str| {
        let rest = format!("/similar?q={q}");
        let server = &server;
        async move { read_box(server, "b", &rest, None).await }
    };
    let found = similar("abri%20velo").await;
    assert_eq!(
        titles(&found)[0],
        "Des abris vélos sécurisés près de la gare"
    );
    assert_eq!(titles(&found).len(), 2, "{found}");
    assert_eq!(found["proposals"][0]["history"], json!([]));
    let gare = titles(&similar("Une%20nouvelle%20gare").await);
    assert_eq!(gare.len(), 2);
    assert!(
        gare.iter().all(|title| title.ends_with("la gare")),
        "{gare:?}"
    );
    let garden = titles(&similar("jardin%20partag%C3%A9%20aux%20Saules").await);
    assert_eq!(garden[0], "Un jardin partagé au parc des Saules");
    assert_eq!(garden.len(), 2, "{garden:?}");
    let text = titles(&similar("potager").await);
    assert_eq!(text, ["Jardins"], "descriptions count");
    let many = similar("gare%20v%C3%A9lo%20sport%20jardin").await;
    assert_eq!(
        many["proposals"].as_array().unwrap().len(),
        3,
        "at most three"
    );
    for quiet in [
        "",
        "les%20des%20pour%20avec",
        "la%20de%20un",
        "the%20and%20with",
        "%22%20*%20(",
        "NEAR",
    ] {
        assert_eq!(
            similar(quiet).await,
            json!({ "proposals": [] }),
            "q={quiet}"
        );
    }
    server
        .assert_missing("/api/v1/boxes/nope/similar?q=gare")
        .await;
}

/// The titles `server` suggests while "bancs mairie" is typed in box `b`.
async fn bancs(server: &TestServer) -> Vec<String> {
    titles(&read_box(server, "b", "/similar?q=bancs%20mairie", None).await)
}

/// Titles are kept in memory by each instance for these look-ups: what another instance
/// publishes or staff hide is suggested, or not, at once.
#[tokio::test]
async fn similar_titles_follow_what_every_instance_publishes_and_hides() {
    let server = unlimited().await;
    server.create_box("b", json!({})).await;
    let other = server.another_instance().await;
    for title in [
        "Des bancs au parc",
        "Des bancs rue Haute",
        "Des bancs au stade",
    ] {
        server
            .proposal_ok("b", &token(), json!({ "title": title }))
            .await;
    }
    // Both instances read the titles now, three of them match: no description search.
    assert_eq!(bancs(&server).await.len(), 3);
    assert_eq!(bancs(&other).await.len(), 3);
    let newest = pid(&other
        .proposal_ok(
            "b",
            &token(),
            json!({ "title": "Des bancs place de la Mairie" }),
        )
        .await);
    assert_eq!(bancs(&server).await[0], "Des bancs place de la Mairie");
    assert_eq!(bancs(&other).await[0], "Des bancs place de la Mairie");
    json_of(server.moderate_proposal(newest, "hide").await).await;
    for instance in [&server, &other] {
        let found = bancs(instance).await;
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(!found.contains(&"Des bancs place de la Mairie".to_owned()));
    }
}

#[tokio::test]
async fn watchers_hear_created_updated_supports_and_thresholds() {
    let server = TestServer::start().await;
    server.create_box("b", json!({ "threshold": 2 })).await;
    let mut stream = server.events("/api/v1/boxes/b/events").await;

    let id = pid(&server.proposal_ok("b", &token(), json!({})).await);
    server.supporters(id, 2).await;
    json_of(
        server
            .set_status(id, json!({ "status": "under_review" }))
            .await,
    )
    .await;
    json_of(server.moderate_proposal(id, "hide").await).await;

    let text = next_events(&mut stream, 6).await;
    let expected = [
        format!("event: proposal_created\ndata: {{\"id\":{id}}}\n\n"),
        format!("event: supports_changed\ndata: {{\"id\":{id},\"supports\":1}}\n\n"),
        format!("event: supports_changed\ndata: {{\"id\":{id},\"supports\":2}}\n\n"),
        format!("event: threshold_reached\ndata: {{\"id\":{id}}}\n\n"),
        format!("event: proposal_updated\ndata: {{\"id\":{id}}}\n\n"),
        format!("event: proposal_removed\ndata: {{\"id\":{id}}}\n\n"),
    ];
    assert_eq!(text, expected.concat());
    server.assert_missing("/api/v1/boxes/nope/events").await;
}

#[tokio::test]
async fn seeded_boxes_carry_real_supports_and_decisions() {
    let server = TestServer::start().await;
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../www/seed.toml")).unwrap();
    // The demo site, embedded on the test client's page too.
    let text = text.replacen("origins = [", &format!("origins = [\"{SITE_ORIGIN}\", "), 1);
    let now = time::OffsetDateTime::now_utc();
    let report =
        civique_server::service::seed::import(&server.state.service, "seed.toml", &text, now)
            .await
            .unwrap();
    assert!(report
        .created
        .contains(&"box idees-centre-ville".to_owned()));
    assert!(report.created.contains(&"box questions-conseil".to_owned()));
    let again =
        civique_server::service::seed::import(&server.state.service, "seed.toml", &text, now)
            .await
            .unwrap();
    assert!(again.skipped.contains(&"box idees-centre-ville".to_owned()));

    let ideas = read_box(&server, "idees-centre-ville", "", None).await;
    assert_eq!(ideas["status"], "open");
    assert_eq!(ideas["threshold"], 50);
    assert_eq!(ideas["categories"].as_array().unwrap().len(), 4);
    let count = ideas["count"].as_u64().unwrap();
    assert!((6..=8).contains(&count), "{count}");
    let page = read_box(&server, "idees-centre-ville", "/proposals", None).await;
    let top = &page["proposals"][0];
    assert_eq!(top["supports"], 53);
    assert_eq!(top["status"], "under_review");
    assert!(top["threshold_reached_at"].is_string());
    assert!(page["proposals"][1]["threshold_reached_at"].is_null());
    let supports: Vec<u64> = page["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["supports"].as_u64().unwrap())
        .collect();
    assert!(supports.contains(&48) && supports.contains(&12) && supports.contains(&3));
    let accepted = read_box(
        &server,
        "idees-centre-ville",
        "/proposals?status=accepted",
        None,
    )
    .await;
    assert!(accepted["proposals"][0]["answer_html"]
        .as_str()
        .unwrap()
        .contains("<p>"));
    assert_eq!(
        json_of(get_proposal(&server, pid(&accepted["proposals"][0]), None).await).await["history"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let events = server.admin_read("/boxes/idees-centre-ville/events").await;
    assert_eq!(events.as_array().unwrap().len(), 1);
    assert_eq!(events[0]["proposal_id"], top["id"]);
    assert_eq!(events[0]["supports"], 50);

    // The counters are real rows: one more support counts from them.
    let rows = server
        .count(&format!(
            "SELECT COUNT(*) FROM proposal_supports WHERE proposal_id = {}",
            pid(top)
        ))
        .await;
    assert_eq!(rows, 53);
    let more = json_of(server.support(Method::PUT, pid(top), &token()).await).await;
    assert_eq!(more["supports"], 54);

    let questions = read_box(&server, "questions-conseil", "/proposals", None).await;
    assert_eq!(questions["count"], 4);
    let answered: Vec<&Value> = questions["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["status"] == "answered")
        .collect();
    assert_eq!(answered.len(), 1);
    assert!(answered[0]["answer"].is_string());
    assert!(questions["proposals"][0]["thread_id"].is_null());
}

#[tokio::test]
async fn seed_files_resolve_dates_and_reject_bad_proposals() {
    let server = TestServer::start().await;
    let seed = r#"
[[boxes]]
id = "b"
site_id = "town"
title = "Idées"
opens_at = "-2d"
closes_at = "+10d"
categories = [{ id = "nature", label = "Nature" }]

[[boxes.proposals]]
title = "Des arbres"
category = "nature"
author_name = "Ana"
supports = 2
status = "rejected"
by = "Service"
"#;
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap();
    civique_server::service::seed::import(&server.state.service, "test", seed, now)
        .await
        .unwrap();
    let b = read_box(&server, "b", "", None).await;
    let rfc3339 = |at: time::OffsetDateTime| at.format(&Rfc3339).unwrap();
    assert_eq!(b["opens_at"], rfc3339(now - Duration::days(2)));
    assert_eq!(b["closes_at"], rfc3339(now + Duration::days(10)));
    let page = read_box(&server, "b", "/proposals", None).await;
    let seeded = &page["proposals"][0];
    assert_eq!(
        (seeded["supports"].clone(), seeded["status"].clone()),
        (json!(2), json!("rejected"))
    );

    let unknown_category = seed
        .replace("id = \"b\"", "id = \"c\"")
        .replace("category = \"nature\"\n", "category = \"sport\"\n");
    let error = civique_server::service::seed::import(
        &server.state.service,
        "test",
        &unknown_category,
        now,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            error,
            civique_server::service::seed::SeedError::Invalid { .. }
        ),
        "{error}"
    );
}

#[tokio::test]
async fn box_routes_check_the_origin() {
    let (server, id) = server_with_proposal(json!({})).await;
    server.create_site("other", &["http://other.example"]).await;
    let from = |method: Method, path: &str, origin: &str| {
        server
            .request(method, path)
            .header(ORIGIN, origin)
            .header(PARTICIPANT, token())
            .json(&json!({ "title": "t", "author_name": "a" }))
    };
    let paths = [
        (Method::GET, "/api/v1/boxes/b".to_owned()),
        (Method::GET, "/api/v1/boxes/b/proposals".to_owned()),
        (Method::POST, "/api/v1/boxes/b/proposals".to_owned()),
        (Method::GET, "/api/v1/boxes/b/similar?q=jardin".to_owned()),
        (Method::GET, "/api/v1/boxes/b/events".to_owned()),
        (Method::GET, format!("/api/v1/proposals/{id}")),
        (Method::PUT, format!("/api/v1/proposals/{id}/support")),
        (Method::DELETE, format!("/api/v1/proposals/{id}/support")),
    ];
    for (method, path) in &paths {
        let refused = from(method.clone(), path, "http://other.example")
            .send()
            .await
            .unwrap();
        assert_error(refused, StatusCode::FORBIDDEN, "origin_not_allowed").await;
    }
    let allowed = from(Method::GET, "/api/v1/boxes/b", SITE_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), StatusCode::OK);
    assert_eq!(allowed.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], SITE_ORIGIN);
    let supported = from(
        Method::PUT,
        &format!("/api/v1/proposals/{id}/support"),
        SITE_ORIGIN,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(supported.status(), StatusCode::OK);
    let preflight = server
        .request(Method::OPTIONS, &format!("/api/v1/proposals/{id}/support"))
        .header(ORIGIN, SITE_ORIGIN)
        .header("access-control-request-method", "PUT")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    let wrong_method = server
        .request(Method::PATCH, "/api/v1/boxes/b/proposals")
        .send()
        .await
        .unwrap();
    assert_error(
        wrong_method,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
}
