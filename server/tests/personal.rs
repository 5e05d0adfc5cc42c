//! "Mes données" over real HTTP: a resident exports what their token contributed on a site,
//! then erases it; the database is read afterwards to check what is left.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn me(server: &TestServer, method: Method, token: Option<&str>) -> reqwest::RequestBuilder {
    let request = server
        .request(method, &format!("/api/v1/sites/{SITE}/me"))
        .header("origin", SITE_ORIGIN);
    match token {
        Some(token) => request.header(PARTICIPANT, token),
        None => request,
    }
}

async fn export(server: &TestServer, token: &str) -> Value {
    let response = me(server, Method::GET, Some(token)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    response.json().await.unwrap()
}

/// A resident who voted, commented (one comment answered beside it by a neighbour),
/// marked, reported, proposed and supported; a neighbour who did the same things.
async fn busy_site() -> (TestServer, String, String) {
    let server = TestServer::start().await;
    let (resident, neighbour) = (token(), token());
    server
        .create_poll(
            "p",
            json!({ "kind": "multiple", "results_visibility": "always" }),
        )
        .await;
    let options = option_ids(&server.view("p", None).await);
    server.vote_ok("p", &resident, &options[..2]).await;
    server.vote_ok("p", &neighbour, &options[1..2]).await;
    server.create_thread("t", json!({ "max_depth": 1 })).await;
    let top = server
        .comment_ok("t", &neighbour, json!({ "text": "Premier avis" }))
        .await;
    let mine = server
        .comment_ok(
            "t",
            &resident,
            json!({ "author_name": "Dominique Secret", "text": "Mon avis très secret",
                    "parent_id": top["id"] }),
        )
        .await;
    // At the deepest level, a reply goes beside the comment and names its author.
    let beside = server
        .comment_ok(
            "t",
            &neighbour,
            json!({ "text": "Je réponds", "parent_id": mine["id"] }),
        )
        .await;
    assert_eq!(beside["reply_to_name"], "Dominique Secret");
    server.mark_useful(&top["id"], &resident).await;
    server
        .report_ok(&top["id"], &resident, "raison personnelle")
        .await;
    server.create_box("b", json!({ "threshold": 10 })).await;
    let idea = server
        .proposal_ok(
            "b",
            &resident,
            json!({ "title": "Un jardin secret", "text": "Rue des secrets",
                    "place": "Place secrète", "author_name": "Dominique Secret" }),
        )
        .await;
    let other = server
        .proposal_ok("b", &neighbour, json!({ "title": "Une piste cyclable" }))
        .await;
    for id in [&idea["id"], &other["id"]] {
        let id = id.as_i64().unwrap();
        assert_eq!(
            server.support(Method::PUT, id, &neighbour).await.status(),
            StatusCode::OK
        );
    }
    let id = other["id"].as_i64().unwrap();
    assert_eq!(
        server.support(Method::PUT, id, &resident).await.status(),
        StatusCode::OK
    );
    (server, resident, neighbour)
}

#[tokio::test]
async fn the_export_lists_every_contribution_of_the_token_and_no_one_elses() {
    let (server, resident, _) = busy_site().await;
    let data = export(&server, &resident).await;
    assert_eq!(data["site_id"], SITE);
    assert!(data["first_seen"].is_string());
    let ballots = data["ballots"].as_array().unwrap();
    assert_eq!(ballots.len(), 1);
    assert_eq!(ballots[0]["poll_id"], "p");
    assert_eq!(ballots[0]["choices"], json!(["A", "B"]));
    let comments = data["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0]["text"], "Mon avis très secret");
    assert_eq!(comments[0]["author_name"], "Dominique Secret");
    assert_eq!(comments[0]["thread_id"], "t");
    assert_eq!(data["useful_marks"].as_array().unwrap().len(), 1);
    assert_eq!(data["reports"][0]["reason"], "raison personnelle");
    let proposals = data["proposals"].as_array().unwrap();
    assert_eq!(proposals.len(), 1);
    assert_eq!(proposals[0]["title"], "Un jardin secret");
    assert_eq!(proposals[0]["place"], "Place secrète");
    let supports = data["supports"].as_array().unwrap();
    assert_eq!(supports.len(), 1);
    assert_eq!(supports[0]["title"], "Une piste cyclable");

    // A token that never acted has nothing; no token at all is refused.
    let stranger = export(&server, &token()).await;
    assert!(stranger["first_seen"].is_null());
    assert_eq!(stranger["comments"], json!([]));
    assert_error(
        me(&server, Method::GET, None).send().await.unwrap(),
        StatusCode::BAD_REQUEST,
        "missing_participant",
    )
    .await;
}

#[tokio::test]
async fn erasing_removes_the_residents_words_and_keeps_the_results() {
    let (server, resident, neighbour) = busy_site().await;
    let tally_before = counts(&server.view("p", None).await);
    let response = me(&server, Method::DELETE, Some(&resident))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let erased: Value = response.json().await.unwrap();
    assert_eq!(
        erased,
        json!({ "ballots": 1, "comments": 1, "useful_marks": 1, "reports": 1,
                "proposals": 1, "supports": 1 })
    );

    // Nothing the resident typed is left anywhere in the database.
    for (table, column) in [
        ("comments", "text"),
        ("comments", "html"),
        ("comments", "author_name"),
        ("comments", "reply_to_name"),
        ("proposals", "title"),
        ("proposals", "text"),
        ("proposals", "html"),
        ("proposals", "place"),
        ("proposals", "author_name"),
        ("threads", "title"),
        ("comment_reports", "reason"),
    ] {
        let left = server
            .count(&format!(
                "SELECT COUNT(*) FROM {table} WHERE {column} LIKE '%ecre%' \
                 OR {column} LIKE '%personnelle%'"
            ))
            .await;
        assert_eq!(left, 0, "{table}.{column} still holds the resident's words");
    }
    // The key their token hashes to leads nowhere.
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM participants WHERE key LIKE 'erased:%'")
            .await,
        1
    );
    let after = export(&server, &resident).await;
    assert!(after["first_seen"].is_null(), "{after}");
    assert_eq!(after["ballots"], json!([]));

    // Results stay as they were; the neighbour's contributions are untouched.
    assert_eq!(counts(&server.view("p", None).await), tally_before);
    assert_eq!(
        server.view("p", Some(&resident)).await["my_choices"],
        json!([])
    );
    let theirs = export(&server, &neighbour).await;
    assert_eq!(theirs["comments"].as_array().unwrap().len(), 2);
    assert_eq!(theirs["supports"].as_array().unwrap().len(), 2);
    let page = server.comments("t", None).await;
    let shown: Vec<&str> = page["comments"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["text"].as_str())
        .collect();
    assert_eq!(shown, ["Premier avis"], "{page}");
    let listing = server.read("/api/v1/boxes/b/proposals", None).await;
    let titles: Vec<&str> = listing["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Une piste cyclable"]);
    assert_eq!(listing["proposals"][0]["supports"], 2);

    // The same token may take part again, as a new participant.
    server
        .vote_ok(
            "p",
            &resident,
            &option_ids(&server.view("p", None).await)[2..],
        )
        .await;
    let voters = server.view("p", None).await["results"]["voters"].clone();
    assert_eq!(voters, 3);

    // Erasing again has nothing left to erase.
    let again: Value = me(&server, Method::DELETE, Some(&resident))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["comments"], 0);
    assert_eq!(again["ballots"], 1);
}

#[tokio::test]
async fn erasure_is_refused_from_another_site_and_for_unknown_sites() {
    let server = TestServer::start().await;
    let resident = token();
    let refused = server
        .request(Method::DELETE, &format!("/api/v1/sites/{SITE}/me"))
        .header("origin", "https://elsewhere.example")
        .header(PARTICIPANT, &resident)
        .send()
        .await
        .unwrap();
    assert_error(refused, StatusCode::FORBIDDEN, "origin_not_allowed").await;
    let unknown = server
        .request(Method::GET, "/api/v1/sites/nowhere/me")
        .header(PARTICIPANT, &resident)
        .send()
        .await
        .unwrap();
    assert_error(unknown, StatusCode::NOT_FOUND, "not_found").await;
    let malformed = server
        .request(Method::GET, &format!("/api/v1/sites/{SITE}/me"))
        .header(PARTICIPANT, "not a token")
        .send()
        .await
        .unwrap();
    assert_error(malformed, StatusCode::BAD_REQUEST, "invalid_participant").await;
}
