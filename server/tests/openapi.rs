//! The served OpenAPI document must describe the responses the server really sends.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use time::Duration;

/// Validates `instance` against `components.schemas.<name>` of the OpenAPI document.
fn check(doc: &Value, name: &str, instance: &Value) -> Result<(), String> {
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/components/schemas/{name}"),
        "components": doc["components"],
    });
    let validator = jsonschema::validator_for(&schema).map_err(|e| format!("bad schema: {e}"))?;
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{name}: {errors:?}\n{instance:#}"))
    }
}

/// Asserts that the document describes each of `paths`.
fn assert_documented(doc: &Value, paths: &[&str]) {
    for path in paths {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
}

fn assert_valid(doc: &Value, name: &str, instance: &Value) {
    if let Err(e) = check(doc, name, instance) {
        panic!("response does not match the OpenAPI document: {e}");
    }
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}

#[tokio::test]
async fn real_responses_match_the_document() {
    let server = TestServer::start().await;
    let response = server.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let doc = json_of(response).await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert_documented(
        &doc,
        &[
            "/polls/{id}",
            "/polls/{id}/vote",
            "/polls/{id}/events",
            "/openapi.json",
            "/admin/sites",
            "/admin/polls",
        ],
    );
    assert_eq!(
        doc["components"]["parameters"]["Participant"]["name"],
        PARTICIPANT
    );

    let open = server
        .create_poll(
            "open",
            json!({ "kind": "multiple", "description": "Details", "results_visibility": "after_vote" }),
        )
        .await;
    assert_valid(&doc, "PollView", &open);
    let upcoming = server
        .create_poll("upcoming", json!({ "opens_at": at(Duration::days(1)) }))
        .await;
    assert_valid(&doc, "PollView", &upcoming);
    let closed = server
        .create_poll(
            "closed",
            json!({ "opens_at": at(-Duration::days(2)), "closes_at": at(-Duration::days(1)) }),
        )
        .await;
    assert_valid(&doc, "PollView", &closed);

    let alice = token();
    let hidden = server.view("open", Some(&alice)).await;
    assert_eq!(hidden["results"], Value::Null);
    assert_valid(&doc, "PollView", &hidden);
    let voted = server
        .vote_ok("open", &alice, &option_ids(&open)[..2])
        .await;
    assert_valid(&doc, "PollView", &voted);
    for id in ["upcoming", "closed"] {
        assert_valid(&doc, "PollView", &server.view(id, None).await);
    }

    let errors = [
        server.get_poll("nope", None).await,
        server.vote("closed", &alice, &[1]).await,
        server.vote("open", "bad", &[1]).await,
        server
            .admin(Method::POST, "/polls")
            .json(&json!({}))
            .send()
            .await
            .unwrap(),
    ];
    for response in errors {
        assert!(response.status().is_client_error());
        assert_valid(&doc, "ErrorBody", &json_of(response).await);
    }

    for poll in server.admin_read("/polls").await.as_array().unwrap() {
        assert_valid(&doc, "PollView", poll);
    }
    assert_valid(
        &doc,
        "PollInput",
        &poll_input("x", json!({ "max_choices": 2 })),
    );
    assert_valid(
        &doc,
        "SiteInput",
        &json!({ "id": "a", "name": "A", "origins": [SITE_ORIGIN] }),
    );
    assert_valid(&doc, "VoteRequest", &json!({ "choices": [1, 2] }));

    // The schemas are strict enough to catch drift between the document and the server.
    let mut drifted = voted.clone();
    drifted["extra"] = json!(true);
    assert!(check(&doc, "PollView", &drifted).is_err());
    let mut drifted = voted.clone();
    drifted.as_object_mut().unwrap().remove("my_choices");
    assert!(check(&doc, "PollView", &drifted).is_err());
    drifted = voted;
    drifted["status"] = json!("paused");
    assert!(check(&doc, "PollView", &drifted).is_err());
    assert!(check(
        &doc,
        "ErrorBody",
        &json!({ "error": { "code": "oops", "message": "" } })
    )
    .is_err());
}

#[tokio::test]
async fn comment_responses_match_the_document() {
    let server = TestServer::start().await;
    let doc = json_of(server.get("/api/v1/openapi.json").await).await;
    assert_documented(
        &doc,
        &[
            "/threads/{id}",
            "/sites/{site}/threads/by-key/{key}",
            "/threads/{id}/comments",
            "/threads/{id}/events",
            "/comments/{id}",
            "/comments/{id}/replies",
            "/comments/{id}/useful",
            "/comments/{id}/reports",
            "/admin/threads",
            "/admin/threads/{id}",
            "/admin/threads/{id}/comments",
            "/admin/comments/{id}/moderation",
            "/admin/audit",
        ],
    );
    let thread = server.create_thread("t", json!({ "max_depth": 1 })).await;
    assert_valid(&doc, "ThreadView", &thread);
    assert_valid(
        &doc,
        "ThreadView",
        &server.read("/api/v1/threads/t", None).await,
    );

    let alice = token();
    let root = server
        .comment_ok(
            "t",
            &alice,
            json!({ "text": "*Bonjour* [lien](https://a.example)" }),
        )
        .await;
    assert_valid(&doc, "CommentView", &root);
    let root_id = root["id"].as_i64().unwrap();
    let reply = server
        .comment_ok("t", &token(), json!({ "parent_id": root_id }))
        .await;
    let beside = server
        .comment_ok("t", &token(), json!({ "parent_id": reply["id"] }))
        .await;
    assert_valid(&doc, "CommentView", &beside);
    for _ in 0..3 {
        server
            .comment_ok("t", &token(), json!({ "parent_id": root_id }))
            .await;
    }
    let edited = server
        .request(Method::PATCH, &format!("/api/v1/comments/{root_id}"))
        .header(PARTICIPANT, &alice)
        .json(&json!({ "text": "modifié" }))
        .send()
        .await
        .unwrap();
    assert_valid(&doc, "CommentView", &json_of(edited).await);
    let useful = server
        .request(Method::PUT, &format!("/api/v1/comments/{root_id}/useful"))
        .header(PARTICIPANT, token())
        .send()
        .await
        .unwrap();
    assert_valid(&doc, "UsefulView", &json_of(useful).await);
    let official = server
        .admin(Method::POST, "/threads/t/comments")
        .json(&json!({ "author_name": "Mairie", "text": "Officiel", "official": true }))
        .send()
        .await
        .unwrap();
    let official = json_of(official).await;
    assert_valid(&doc, "CommentView", &official);
    let hidden = server
        .moderate(official["id"].as_i64().unwrap(), "hide", Some("Doublon"))
        .await;
    assert_valid(&doc, "CommentView", &json_of(hidden).await);
    server.moderate(root_id, "hide", Some("Injure")).await;

    let page = server.comments("t", Some(&alice)).await;
    assert_eq!(page["comments"][0]["status"], "hidden", "a placeholder");
    assert_valid(&doc, "CommentPage", &page);
    for sort in ["newest", "useful"] {
        let page = server
            .read(&format!("/api/v1/threads/t/comments?sort={sort}"), None)
            .await;
        assert_valid(&doc, "CommentPage", &page);
    }
    let replies = server
        .read(&format!("/api/v1/comments/{root_id}/replies"), None)
        .await;
    assert_valid(&doc, "CommentPage", &replies);

    let audit = server.admin_read("/audit").await;
    for entry in audit.as_array().unwrap() {
        assert_valid(&doc, "AuditEntry", entry);
    }
    let threads = server.admin_read("/threads").await;
    for thread in threads.as_array().unwrap() {
        assert_valid(&doc, "ThreadView", thread);
    }
    let errors = [
        server
            .post_comment("t", &alice, json!({ "text": "" }))
            .await,
        server.post_comment("nope", &alice, json!({})).await,
        server.get("/api/v1/threads/t/comments?cursor=zz").await,
    ];
    for response in errors {
        assert!(response.status().is_client_error());
        assert_valid(&doc, "ErrorBody", &json_of(response).await);
    }
    assert_valid(
        &doc,
        "SiteInput",
        &json!({ "id": "a", "name": "A", "origins": [], "auto_threads": true,
                 "report_threshold": 2, "blocked_words": ["x"], "blocked_words_action": "review" }),
    );
    assert_valid(&doc, "CommentChanged", &json!({ "id": 1 }));
    assert_valid(&doc, "UsefulChanged", &json!({ "id": 1, "useful": 2 }));

    let mut drifted = root.clone();
    drifted.as_object_mut().unwrap().remove("my_useful");
    assert!(check(&doc, "CommentView", &drifted).is_err());
}

#[tokio::test]
async fn proposal_responses_match_the_document() {
    let server = TestServer::start().await;
    let doc = json_of(server.get("/api/v1/openapi.json").await).await;
    assert_documented(
        &doc,
        &[
            "/boxes/{id}",
            "/boxes/{id}/proposals",
            "/boxes/{id}/similar",
            "/boxes/{id}/events",
            "/proposals/{id}",
            "/proposals/{id}/support",
            "/admin/boxes",
            "/admin/boxes/{id}",
            "/admin/boxes/{id}/proposals",
            "/admin/boxes/{id}/events",
            "/admin/proposals/{id}/status",
            "/admin/proposals/{id}/moderation",
        ],
    );
    let categories = json!([{ "id": "nature", "label": "Nature en ville" }]);
    let ideas = server
        .create_box(
            "idees",
            json!({ "categories": categories, "threshold": 1, "description": "Vos idées",
                    "closes_at": at(Duration::days(30)) }),
        )
        .await;
    assert_valid(&doc, "BoxView", &ideas);
    let questions = server
        .create_box(
            "questions",
            json!({ "mode": "questions", "pre_moderation": true }),
        )
        .await;
    assert_valid(&doc, "BoxView", &questions);

    let alice = token();
    let idea = server
        .proposal_ok(
            "idees",
            &alice,
            json!({ "text": "*Des* [arbres](https://a.example)", "category": "nature",
                    "place": "Parc" }),
        )
        .await;
    assert_valid(&doc, "ProposalView", &idea);
    let id = idea["id"].as_i64().unwrap();
    let original = server
        .proposal_ok("idees", &token(), json!({ "category": "nature" }))
        .await;
    let question = server
        .proposal_ok("questions", &alice, json!({ "title": "Quand ?" }))
        .await;
    assert_eq!(question["visibility"], "pending");
    assert_valid(&doc, "ProposalView", &question);

    let supported = server.support(Method::PUT, id, &alice).await;
    assert_valid(&doc, "SupportView", &json_of(supported).await);
    let withdrawn = server.support(Method::DELETE, id, &alice).await;
    assert_valid(&doc, "SupportView", &json_of(withdrawn).await);
    let decided = server
        .set_status(
            id,
            json!({ "status": "duplicate", "duplicate_of": original["id"],
                    "answer": "Voir **l'autre**", "by": "Service" }),
        )
        .await;
    let decided = json_of(decided).await;
    assert_eq!(decided["history"].as_array().unwrap().len(), 1);
    assert_valid(&doc, "ProposalView", &decided);
    let question_id = question["id"].as_i64().unwrap();
    let approved = json_of(server.moderate_proposal(question_id, "approve").await).await;
    assert_valid(&doc, "ProposalView", &approved);
    let answered = server
        .set_status(
            question_id,
            json!({ "status": "answered", "answer": "En mars." }),
        )
        .await;
    assert_valid(&doc, "ProposalView", &json_of(answered).await);
    let hidden = json_of(server.moderate_proposal(question_id, "hide").await).await;
    assert_valid(&doc, "ProposalView", &hidden);

    for query in [
        "",
        "?sort=newest&q=jardin",
        "?sort=answered&category=nature",
        "?page=5",
    ] {
        let page = server
            .read(
                &format!("/api/v1/boxes/idees/proposals{query}"),
                Some(&alice),
            )
            .await;
        assert_valid(&doc, "ProposalPage", &page);
    }
    for q in ["jardin", "les"] {
        let similar = server
            .read(&format!("/api/v1/boxes/idees/similar?q={q}"), None)
            .await;
        assert_valid(&doc, "SimilarList", &similar);
    }
    assert_valid(
        &doc,
        "ProposalView",
        &server.read(&format!("/api/v1/proposals/{id}"), None).await,
    );
    assert_valid(
        &doc,
        "BoxView",
        &server.read("/api/v1/boxes/idees", None).await,
    );
    for b in server.admin_read("/boxes").await.as_array().unwrap() {
        assert_valid(&doc, "BoxView", b);
    }
    let patched = server
        .admin_send(Method::PATCH, "/boxes/idees", json!({ "closes_at": "" }))
        .await;
    assert_valid(&doc, "BoxView", &json_of(patched).await);
    let queue = server.admin_read("/boxes/questions/proposals").await;
    assert_valid(&doc, "SimilarList", &queue);
    for event in server
        .admin_read("/boxes/idees/events")
        .await
        .as_array()
        .unwrap()
    {
        assert_valid(&doc, "BoxEvent", event);
    }
    for entry in server.admin_read("/audit").await.as_array().unwrap() {
        assert_valid(&doc, "AuditEntry", entry);
    }

    let errors = [
        server
            .post_proposal("idees", &alice, json!({ "title": "" }))
            .await,
        server
            .post_proposal("idees", &alice, json!({ "category": "x" }))
            .await,
        server.support(Method::DELETE, id, &alice).await,
        server.set_status(id, json!({ "status": "answered" })).await,
        server
            .set_status(id, json!({ "status": "duplicate" }))
            .await,
        server.get("/api/v1/boxes/idees/proposals?sort=x").await,
        server.get("/api/v1/boxes/nope").await,
    ];
    for response in errors {
        assert!(response.status().is_client_error());
        assert_valid(&doc, "ErrorBody", &json_of(response).await);
    }
    for code in [
        "box_not_open",
        "box_closed",
        "empty_title",
        "title_too_long",
        "place_too_long",
        "unknown_category",
        "category_required",
        "already_supported",
        "not_supported",
        "invalid_duplicate",
        "invalid_status",
    ] {
        let body = json!({ "error": { "code": code, "message": "m" } });
        assert_valid(&doc, "ErrorBody", &body);
    }
    assert_valid(
        &doc,
        "BoxInput",
        &json!({ "id": "b", "site_id": SITE, "title": "T", "mode": "ideas",
                 "categories": categories, "threshold": 5, "pre_moderation": true,
                 "opens_at": at(Duration::days(1)), "closes_at": null }),
    );
    assert_valid(
        &doc,
        "BoxPatch",
        &json!({ "closes_at": "", "pre_moderation": false }),
    );
    assert_valid(
        &doc,
        "ProposalInput",
        &json!({ "title": "T", "text": "x", "category": "nature", "place": null, "author_name": "A" }),
    );
    assert_valid(
        &doc,
        "StatusInput",
        &json!({ "status": "accepted", "answer": "Oui", "duplicate_of": null, "by": "Mairie" }),
    );
    assert_valid(
        &doc,
        "ProposalModeration",
        &json!({ "action": "hide", "reason": "Doublon" }),
    );
    assert_valid(&doc, "ProposalChanged", &json!({ "id": 1 }));
    assert_valid(&doc, "SupportsChanged", &json!({ "id": 1, "supports": 2 }));

    let mut drifted = decided.clone();
    drifted.as_object_mut().unwrap().remove("history");
    assert!(check(&doc, "ProposalView", &drifted).is_err());
    drifted = decided;
    drifted["status"] = json!("maybe");
    assert!(check(&doc, "ProposalView", &drifted).is_err());
}

/// The JSON data of the first event `stream` sends.
async fn first_event_data<S, B>(stream: &mut S) -> Value
where
    S: futures_util::Stream<Item = reqwest::Result<B>> + Unpin,
    B: AsRef<[u8]>,
{
    let text = next_events(stream, 1).await;
    let data = text
        .lines()
        .find_map(|line| line.strip_prefix("data: "))
        .expect("a data line");
    serde_json::from_str(data).unwrap()
}

#[tokio::test]
async fn live_events_match_the_document() {
    let server = TestServer::start().await;
    let doc = json_of(server.get("/api/v1/openapi.json").await).await;
    let options = option_ids(&server.create_poll("p", json!({})).await);
    let mut poll = server.events("/api/v1/polls/p/events").await;
    server.vote_ok("p", &token(), &options[..1]).await;
    let changed = first_event_data(&mut poll).await;
    assert!(changed["results"].is_object(), "{changed}");
    assert_valid(&doc, "PollChanged", &changed);

    server.create_thread("t", json!({})).await;
    let mut thread = server.events("/api/v1/threads/t/events").await;
    server.comment_ok("t", &token(), json!({})).await;
    let created = first_event_data(&mut thread).await;
    assert!(created["comment"].is_object(), "{created}");
    assert_valid(&doc, "CommentChanged", &created);
}

#[tokio::test]
async fn personal_data_responses_match_the_document() {
    let server = TestServer::start().await;
    let doc = json_of(server.get("/api/v1/openapi.json").await).await;
    assert_documented(&doc, &["/sites/{site}/me"]);
    let resident = token();
    server.create_poll("p", json!({})).await;
    let options = option_ids(&server.view("p", None).await);
    server.vote_ok("p", &resident, &options[..1]).await;
    server.create_thread("t", json!({})).await;
    let comment = server.comment_ok("t", &resident, json!({})).await;
    server.mark_useful(&comment["id"], &resident).await;
    server.report_ok(&comment["id"], &resident, "Test").await;
    server
        .create_box("b", json!({ "categories": [{ "id": "c", "label": "C" }] }))
        .await;
    let idea = server
        .proposal_ok("b", &resident, json!({ "category": "c", "place": "Ici" }))
        .await;
    let support = server
        .support(Method::PUT, idea["id"].as_i64().unwrap(), &resident)
        .await;
    assert_eq!(support.status(), StatusCode::OK);

    let path = format!("/api/v1/sites/{SITE}/me");
    let data = server.read(&path, Some(&resident)).await;
    assert_eq!(data["ballots"].as_array().map(Vec::len), Some(1));
    assert_valid(&doc, "MyData", &data);
    assert_valid(&doc, "MyData", &server.read(&path, Some(&token())).await);
    let erased = server
        .request(Method::DELETE, &path)
        .header(PARTICIPANT, &resident)
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), StatusCode::OK);
    assert_valid(&doc, "Erasure", &json_of(erased).await);
    let missing = server.get(&path).await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    assert_valid(&doc, "ErrorBody", &json_of(missing).await);
}

#[tokio::test]
async fn device_responses_match_the_document() {
    let server = TestServer::start().await;
    let doc = json_of(server.get("/api/v1/openapi.json").await).await;
    assert_documented(&doc, &["/devices/challenge", "/devices"]);
    let challenge = json_of(server.get("/api/v1/devices/challenge").await).await;
    assert_valid(&doc, "DeviceChallenge", &challenge);
    let token = server.device().await;
    assert_valid(&doc, "DeviceToken", &json!({ "participant": token }));
    let refused = server
        .request(Method::POST, "/api/v1/devices")
        .json(&json!({ "salt": "x", "number": 0, "signature": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_valid(&doc, "ErrorBody", &json_of(refused).await);
}

/// The failures every operation can meet, by what it does: each touches the database (503),
/// each with a body may see it arrive too slowly or wrong (400, 408, 413, 415, 422), each of
/// staff may be refused a wrong or too often wrong token (401, 429), each taking a participant
/// token may be sent an expired or forged site user's one (401) or a forged device's (403).
#[tokio::test]
async fn every_operation_documents_the_failures_it_can_answer() {
    let server = TestServer::start().await;
    let doc = json_of(server.get("/api/v1/openapi.json").await).await;
    let mut missing = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(responses) = op["responses"].as_object() else {
                continue;
            };
            let mut expected = Vec::new();
            if path != "/openapi.json" {
                expected.push("503");
            }
            if op.get("requestBody").is_some() {
                expected.extend(["400", "408", "413", "415", "422"]);
            }
            if path.starts_with("/admin") {
                expected.extend(["401", "429"]);
                // A site's API token on another site's items (the audit log filters).
                if path != "/admin/audit" {
                    expected.push("403");
                }
            }
            // A site user's participant token may have expired or be forged (401), a
            // device's be forged (403).
            let participant = json!({ "$ref": "#/components/parameters/Participant" });
            if op["parameters"]
                .as_array()
                .is_some_and(|parameters| parameters.contains(&participant))
            {
                expected.extend(["401", "403"]);
            }
            for code in expected {
                if !responses.contains_key(code) {
                    missing.push(format!("{method} {path} {code}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "undocumented answers: {missing:?}");
    for name in ["Unavailable", "RequestTimeout", "RateLimited"] {
        assert!(doc["components"]["responses"][name].is_object(), "{name}");
    }
}
