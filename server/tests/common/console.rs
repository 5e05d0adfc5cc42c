//! A browser of the staff console: no redirects followed, the session cookie sent by hand.

use civique_api::staff::SiteRole;
use civique_server::service::staff::StaffInput;
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Client, Response};

use super::TestServer;

/// The password of every account [`staff`] makes.
pub const PASSWORD: &str = "une phrase de passe solide";

pub fn browser() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Creates the staff account `login` with `roles` and [`PASSWORD`]; its id.
pub async fn staff(server: &TestServer, login: &str, roles: Vec<SiteRole>) -> i64 {
    server
        .state
        .service
        .create_staff(StaffInput {
            login: login.into(),
            name: format!("Staff {login}"),
            password: PASSWORD.into(),
            endpoint_admin: false,
            roles,
        })
        .await
        .expect("account created")
}

pub async fn sign_in(server: &TestServer, login: &str, password: &str) -> Response {
    browser()
        .post(server.url("/console/login"))
        .form(&[("login", login), ("password", password)])
        .send()
        .await
        .unwrap()
}

/// The session cookie (`name=value`) an answer sets.
pub fn cookie_of(response: &Response) -> String {
    let set = response.headers()[SET_COOKIE].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

pub async fn home(server: &TestServer, cookie: &str) -> Response {
    get(server, "/console", cookie).await
}

pub async fn get(server: &TestServer, path: &str, cookie: &str) -> Response {
    browser()
        .get(server.url(path))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap()
}

/// The CSRF token of the signed-in home page's forms.
pub async fn csrf_of(server: &TestServer, cookie: &str) -> String {
    let page = home(server, cookie).await.text().await.unwrap();
    let start = page.find("name=\"csrf\" value=\"").expect("a form") + 19;
    page[start..start + 64].to_owned()
}

/// Signs `login` in with [`PASSWORD`]: its session cookie and CSRF token.
pub async fn signed_in(server: &TestServer, login: &str) -> (String, String) {
    let cookie = cookie_of(&sign_in(server, login, PASSWORD).await);
    let csrf = csrf_of(server, &cookie).await;
    (cookie, csrf)
}

pub async fn post(server: &TestServer, path: &str, cookie: &str, csrf: &str) -> Response {
    post_form(server, path, cookie, &[("csrf", csrf)]).await
}

pub async fn post_form(
    server: &TestServer,
    path: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> Response {
    browser()
        .post(server.url(path))
        .header(COOKIE, cookie)
        .form(form)
        .send()
        .await
        .unwrap()
}
