//! The privacy link of every widget over real HTTP: a site with its own notice redirects to
//! it; one without gets the endpoint's page, naming the site and its retention period, in
//! French or English, a page that runs no script; bad notices and unknown sites are refused.

mod common;

use civique_api::SiteInput;
use common::*;
use reqwest::{header, Method, StatusCode};
use serde_json::json;

/// `GET /api/v1/sites/{site}/privacy{query}`, redirects not followed.
async fn privacy(server: &TestServer, site: &str, query: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(server.url(&format!("/api/v1/sites/{site}/privacy{query}")))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_privacy_link_leads_to_the_towns_notice_or_to_the_endpoints() {
    let server = TestServer::start().await;
    let notice = "https://www.saint-exemple.fr/mentions-legales#donnees";
    server
        .create_site_with("own", &[], json!({ "privacy_url": notice }))
        .await;
    let answer = privacy(&server, "own", "").await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(answer.headers()[header::LOCATION], notice);

    server
        .create_site_with(
            "plain",
            &[],
            json!({ "name": "Ville de <Plaine>", "retention_months": 18 }),
        )
        .await;
    let answer = privacy(&server, "plain", "").await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(answer.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let policy = answer.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.starts_with("default-src 'none';") && !policy.contains("script-src"));
    let page = answer.text().await.unwrap();
    assert!(page.contains("<html lang=\"fr\">"), "{page}");
    assert!(page.contains("Ville de &lt;Plaine&gt;") && !page.contains("<Plaine>"));
    assert!(page.contains("18 mois après la clôture"));
    let english = privacy(&server, "plain", "?lang=en")
        .await
        .text()
        .await
        .unwrap();
    assert!(english.contains("<html lang=\"en\">") && english.contains("18 months after"));

    // A site of the configuration file names its notice there.
    let configured = TestServer::start_configured(|config| {
        let mut site = SiteInput::new("town-hall".into(), "Mairie".into(), vec![]);
        site.privacy_url = Some("http://127.0.0.1:8080/confidentialite.html".into());
        config.sites.push(site);
    })
    .await;
    assert_eq!(
        privacy(&configured, "town-hall", "").await.headers()[header::LOCATION],
        "http://127.0.0.1:8080/confidentialite.html"
    );
}

#[tokio::test]
async fn bad_notices_unknown_sites_and_bad_queries_get_json_errors() {
    let server = TestServer::start().await;
    for bad in [
        "javascript:alert(1)",
        "https://saint-exemple.fr/\"><script>",
        "/mentions-legales",
    ] {
        let response = server
            .admin_send(
                Method::POST,
                "/sites",
                json!({ "id": "bad", "name": "Bad", "origins": [], "privacy_url": bad }),
            )
            .await;
        assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
    }
    let long = format!("https://saint-exemple.fr/{}", "a".repeat(500));
    let response = server
        .admin_send(
            Method::POST,
            "/sites",
            json!({ "id": "bad", "name": "Bad", "origins": [], "privacy_url": long }),
        )
        .await;
    assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;

    assert_error(
        privacy(&server, "nowhere", "").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        privacy(&server, SITE, "?colour=red").await,
        StatusCode::BAD_REQUEST,
        "invalid_input",
    )
    .await;
}
