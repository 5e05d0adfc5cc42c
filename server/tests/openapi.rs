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
    for path in [
        "/polls/{id}",
        "/polls/{id}/vote",
        "/polls/{id}/events",
        "/openapi.json",
        "/admin/sites",
        "/admin/polls",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
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

    let list = server.admin(Method::GET, "/polls").send().await.unwrap();
    for poll in json_of(list).await.as_array().unwrap() {
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
