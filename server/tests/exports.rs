//! A site's widgets in the console over real HTTP: its staff list them with their embedding
//! code and download each as CSV and JSON (what residents published comes out, nothing
//! hidden and no personal data); its administrators close and reopen them, which residents
//! meet at once; other sites' staff and items are refused.

mod common;

use civique_api::staff::{Role, SiteRole};
use common::console::*;
use common::*;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const MODERATOR: &str = "moderation@town.example";
const ADMIN: &str = "webmestre@town.example";
/// Staff of another site only.
const NEIGHBOUR: &str = "moderation@village.example";
/// Names residents signed with: never in an export.
const RESIDENT: &str = "Jeanne Dupontel";
const PROPOSER: &str = "Paul Martinot";
/// A comment that needs quoting in CSV, and that a spreadsheet would run.
const TRICKY: &str = "=1+1, dit-on \"partout\"\net ailleurs";

/// RFC 4180 rows of `text` (quoted cells may hold commas, quotes and line breaks).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    rows
}

/// The site's widgets: a poll with three voters, a thread with a resident's comment, an
/// official reply and a hidden comment, a box with an answered proposal and a hidden one.
async fn with_widgets() -> (TestServer, Value, Value) {
    let server = TestServer::start().await;
    server
        .create_site("village", &["http://village.example"])
        .await;
    for (login, site, role) in [
        (MODERATOR, SITE, Role::Moderator),
        (ADMIN, SITE, Role::Admin),
        (NEIGHBOUR, "village", Role::Admin),
    ] {
        let roles = vec![SiteRole {
            site_id: site.into(),
            role,
        }];
        staff(&server, login, roles).await;
    }
    let poll = server.create_poll("p-budget", json!({})).await;
    let options: Vec<i64> = poll["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    for choice in [options[0], options[0], options[2]] {
        server.vote_ok("p-budget", &token(), &[choice]).await;
    }
    server.create_thread("t-parc", json!({})).await;
    let resident = token();
    let tricky = server
        .comment_ok(
            "t-parc",
            &resident,
            json!({ "author_name": RESIDENT, "text": TRICKY }),
        )
        .await;
    let hidden = server
        .comment_ok(
            "t-parc",
            &resident,
            json!({ "author_name": RESIDENT, "text": "Pas pour l'export" }),
        )
        .await;
    let hide = server
        .moderate(hidden["id"].as_i64().unwrap(), "hide", Some("Hors sujet"))
        .await;
    assert_eq!(hide.status(), StatusCode::OK);
    let reply = server
        .admin_send(
            Method::POST,
            "/threads/t-parc/comments",
            json!({ "author_name": "La mairie", "text": "Merci !", "official": true,
                    "parent_id": tricky["id"] }),
        )
        .await;
    assert_eq!(reply.status(), StatusCode::CREATED);
    server.create_box("b-idees", json!({})).await;
    let answered = server
        .proposal_ok(
            "b-idees",
            &resident,
            json!({ "author_name": PROPOSER, "title": "Des bancs", "text": "Près du lavoir" }),
        )
        .await;
    for _ in 0..2 {
        let supported = server
            .support(Method::PUT, answered["id"].as_i64().unwrap(), &token())
            .await;
        assert_eq!(supported.status(), StatusCode::OK);
    }
    let status = server
        .set_status(
            answered["id"].as_i64().unwrap(),
            json!({ "status": "accepted", "answer": "Posés au printemps" }),
        )
        .await;
    assert_eq!(status.status(), StatusCode::OK);
    let gone = server
        .proposal_ok(
            "b-idees",
            &resident,
            json!({ "author_name": PROPOSER, "title": "Retirée" }),
        )
        .await;
    let hidden = server
        .moderate_proposal(gone["id"].as_i64().unwrap(), "hide")
        .await;
    assert_eq!(hidden.status(), StatusCode::OK);
    (server, tricky, answered)
}

/// Downloads `kind/file` of [`SITE`] as `login`: the response.
async fn download(server: &TestServer, login: &str, site: &str, path: &str) -> reqwest::Response {
    let (cookie, _) = signed_in(server, login).await;
    get(
        server,
        &format!("/console/sites/{site}/exports/{path}"),
        &cookie,
    )
    .await
}

/// The body of an export, after checking its type and file name.
async fn file(server: &TestServer, path: &str, content_type: &str) -> String {
    let response = download(server, MODERATOR, SITE, path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert_eq!(response.headers()[CONTENT_TYPE], content_type, "{path}");
    let name = path.replace('/', "-");
    assert_eq!(
        response.headers()[CONTENT_DISPOSITION],
        format!("attachment; filename=\"{name}\"").as_str()
    );
    let body = response.text().await.unwrap();
    for personal in [RESIDENT, PROPOSER, "author", "participant"] {
        assert!(!body.contains(personal), "{path} names {personal}: {body}");
    }
    body
}

#[tokio::test]
async fn staff_list_their_widgets_and_export_each_without_personal_data() {
    let (server, tricky, answered) = with_widgets().await;
    let (cookie, _) = signed_in(&server, MODERATOR).await;
    let page = get(&server, &format!("/console/sites/{SITE}/widgets"), &cookie).await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    for path in [
        "poll/p-budget.csv",
        "poll/p-budget.json",
        "thread/t-parc.csv",
        "thread/t-parc.json",
        "box/b-idees.csv",
        "box/b-idees.json",
    ] {
        let link = format!("href=\"/console/sites/{SITE}/exports/{path}\"");
        assert!(page.contains(&link), "{link}: {page}");
    }

    let poll: Value =
        serde_json::from_str(&file(&server, "poll/p-budget.json", "application/json").await)
            .unwrap();
    assert_eq!(poll["schema"], "civique-poll/1");
    assert_eq!(poll["voters"], 3);
    let votes: Vec<u64> = poll["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["votes"].as_u64().unwrap())
        .collect();
    assert_eq!(votes, [2, 0, 1]);
    let rows = parse_csv(&file(&server, "poll/p-budget.csv", "text/csv; charset=utf-8").await);
    assert_eq!(
        rows[0],
        [
            "poll_id",
            "question",
            "option_id",
            "option",
            "votes",
            "voters"
        ]
    );
    let csv_votes: Vec<&str> = rows[1..].iter().map(|row| row[4].as_str()).collect();
    assert_eq!(csv_votes, ["2", "0", "1"]);
    assert!(rows[1..].iter().all(|row| row[5] == "3"));

    let thread: Value =
        serde_json::from_str(&file(&server, "thread/t-parc.json", "application/json").await)
            .unwrap();
    assert_eq!(thread["schema"], "civique-thread/1");
    let comments = thread["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 2, "the hidden comment stays out: {thread}");
    assert_eq!(comments[0]["id"], tricky["id"]);
    assert_eq!(comments[0]["text"], TRICKY);
    assert_eq!(comments[0]["official"], false);
    assert_eq!(comments[1]["parent_id"], tricky["id"]);
    assert_eq!(comments[1]["official"], true);
    let rows = parse_csv(&file(&server, "thread/t-parc.csv", "text/csv; charset=utf-8").await);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[0][0], "comment_id");
    // Quoted whole; a formula is defused.
    assert_eq!(rows[1][6], format!("'{TRICKY}"));
    assert_eq!(rows[2][4], "true");

    let b: Value =
        serde_json::from_str(&file(&server, "box/b-idees.json", "application/json").await).unwrap();
    assert_eq!(b["schema"], "civique-box/1");
    let proposals = b["proposals"].as_array().unwrap();
    assert_eq!(proposals.len(), 1, "the hidden proposal stays out: {b}");
    assert_eq!(proposals[0]["id"], answered["id"]);
    assert_eq!(proposals[0]["status"], "accepted");
    assert_eq!(proposals[0]["answer"], "Posés au printemps");
    assert_eq!(proposals[0]["supports"], 2);
    let rows = parse_csv(&file(&server, "box/b-idees.csv", "text/csv; charset=utf-8").await);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][2], "Des bancs");
    assert_eq!(rows[1][10], "2");
}

#[tokio::test]
async fn other_sites_staff_and_items_are_refused() {
    let (server, _, _) = with_widgets().await;
    server
        .state
        .service
        .create_thread(
            &civique_server::domain::audit::Actor::AdminToken,
            serde_json::from_value(
                json!({ "id": "t-village", "site_id": "village", "title": "Ailleurs" }),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    // Staff of another site: 403 on the page and on every export.
    let (cookie, _) = signed_in(&server, NEIGHBOUR).await;
    let page = get(&server, &format!("/console/sites/{SITE}/widgets"), &cookie).await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    for path in ["poll/p-budget.csv", "thread/t-parc.json", "box/b-idees.csv"] {
        let response = download(&server, NEIGHBOUR, SITE, path).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
    }
    // Another site's widget under one's own site, or what is not an export: not found.
    for path in [
        "thread/t-village.json",
        "poll/nothing.csv",
        "thread/t-parc.xml",
        "sondage/p-budget.csv",
        "poll/p-budget",
    ] {
        let response = download(&server, MODERATOR, SITE, path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let own = download(&server, NEIGHBOUR, "village", "thread/t-village.json").await;
    assert_eq!(own.status(), StatusCode::OK);
}

/// Closes (`close`) or reopens (`reopen`) `kind/id` of `site` as `login`: the response.
async fn set_open(
    server: &TestServer,
    login: &str,
    site: &str,
    path: &str,
    action: &str,
) -> reqwest::Response {
    let (cookie, csrf) = signed_in(server, login).await;
    post_form(
        server,
        &format!("/console/sites/{site}/widgets/{path}"),
        &cookie,
        &[("csrf", &csrf), ("action", action)],
    )
    .await
}

async fn error_code(response: reqwest::Response) -> String {
    let body: Value = response.json().await.unwrap();
    body["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// What a resident meets on each widget: the error code of a vote, a comment and a
/// proposal, or "" when it went through.
async fn what_residents_meet(server: &TestServer) -> [String; 3] {
    let options = server.view("p-budget", None).await["options"][1]["id"]
        .as_i64()
        .unwrap();
    let mut met = [String::new(), String::new(), String::new()];
    let responses = [
        server.vote("p-budget", &token(), &[options]).await,
        server.post_comment("t-parc", &token(), json!({})).await,
        server.post_proposal("b-idees", &token(), json!({})).await,
    ];
    for (met, response) in met.iter_mut().zip(responses) {
        if !response.status().is_success() {
            *met = error_code(response).await;
        }
    }
    met
}

#[tokio::test]
async fn administrators_close_and_reopen_widgets_which_residents_meet_at_once() {
    let (server, _, _) = with_widgets().await;
    assert_eq!(what_residents_meet(&server).await, ["", "", ""]);
    let (cookie, _) = signed_in(&server, ADMIN).await;
    let page = get(&server, &format!("/console/sites/{SITE}/widgets"), &cookie)
        .await
        .text()
        .await
        .unwrap();
    // The embedding code names this endpoint and the widget, in both forms.
    let loader = format!(
        "&lt;script type=&quot;module&quot; src=&quot;{}/civique.js",
        server.url("")
    );
    assert!(page.contains(&loader), "{loader}: {page}");
    for element in [
        "&lt;civique-poll poll=&quot;p-budget&quot;&gt;",
        "&lt;div data-civique-comments=&quot;t-parc&quot;&gt;",
        "&lt;civique-proposals box=&quot;b-idees&quot;&gt;",
    ] {
        assert!(page.contains(element), "{element}");
    }
    assert!(
        page.contains("aria-label=\"Verrouiller : Thread t-parc\""),
        "{page}"
    );

    for path in ["poll/p-budget", "thread/t-parc", "box/b-idees"] {
        let closed = set_open(&server, ADMIN, SITE, path, "close").await;
        assert_eq!(closed.status(), StatusCode::SEE_OTHER, "{path}");
    }
    assert_eq!(
        what_residents_meet(&server).await,
        ["poll_closed", "thread_locked", "box_closed"]
    );
    let page = get(
        &server,
        &format!("/console/sites/{SITE}/widgets?done=close"),
        &cookie,
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(page.contains("Fermé"), "{page}");
    assert!(
        page.contains("aria-label=\"Déverrouiller : Thread t-parc\""),
        "{page}"
    );
    assert!(
        page.contains("aria-label=\"Rouvrir : Box b-idees\""),
        "{page}"
    );

    for path in ["poll/p-budget", "thread/t-parc", "box/b-idees"] {
        let reopened = set_open(&server, ADMIN, SITE, path, "reopen").await;
        assert_eq!(reopened.status(), StatusCode::SEE_OTHER, "{path}");
    }
    assert_eq!(what_residents_meet(&server).await, ["", "", ""]);
    let audit = server
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE actor = 'staff:{ADMIN}' \
             AND action IN ('close', 'reopen', 'lock', 'unlock')"
        ))
        .await;
    assert_eq!(audit, 6);
}

#[tokio::test]
async fn moderators_and_other_sites_cannot_close_widgets() {
    let (server, _, _) = with_widgets().await;
    let (cookie, _) = signed_in(&server, MODERATOR).await;
    let page = get(&server, &format!("/console/sites/{SITE}/widgets"), &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Clore maintenant"), "{page}");
    for path in ["poll/p-budget", "thread/t-parc", "box/b-idees"] {
        let refused = set_open(&server, MODERATOR, SITE, path, "close").await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{path}");
        let refused = set_open(&server, NEIGHBOUR, SITE, path, "close").await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{path}");
        // Named under the neighbour's own site: not there.
        let refused = set_open(&server, NEIGHBOUR, "village", path, "close").await;
        assert_eq!(refused.status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(what_residents_meet(&server).await, ["", "", ""]);
}
