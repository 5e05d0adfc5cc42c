//! Verified e-mail addresses over real HTTP, with a real SMTP server (Python's aiosmtpd,
//! writing what it receives to a Maildir): a code is mailed, typed back once, and a poll for
//! verified addresses takes one vote per address, whatever the device. Wrong, replayed,
//! other-site and forged codes are refused, mailboxes cannot be flooded, and no address is
//! ever stored.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use civique_server::config::EmailConfig;
use common::*;
use mailparse::MailHeaderMap;
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

/// Python with aiosmtpd: `CIVIQUE_TEST_SMTP_PYTHON`, else the virtual environment
/// `cargo xtask test` makes (`target/smtp-sink`), else the machine's `python3`.
fn python() -> PathBuf {
    if let Some(python) = std::env::var_os("CIVIQUE_TEST_SMTP_PYTHON") {
        return python.into();
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/smtp-sink/bin/python");
    if venv.exists() {
        venv
    } else {
        "python3".into()
    }
}

/// A real SMTP server on a free loopback port that files each message in a Maildir.
struct SmtpSink {
    port: u16,
    maildir: tempfile::TempDir,
    process: Child,
}

impl SmtpSink {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let maildir = tempfile::tempdir().unwrap();
        let process = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("mail"))
            .stdout(Stdio::null())
            .spawn()
            .expect("python runs");
        let sink = Self {
            port,
            maildir,
            process,
        };
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return sink;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "the SMTP sink did not start: install aiosmtpd (`cargo xtask setup` makes \
             target/smtp-sink, or `pip install aiosmtpd`)"
        );
    }

    fn config(&self) -> EmailConfig {
        EmailConfig {
            smtp_url: format!("smtp://127.0.0.1:{}", self.port),
            from: "Mairie de Saint-Exemple <participation@saint-exemple.fr>".into(),
        }
    }

    /// Every message received so far, as text.
    fn messages(&self) -> Vec<String> {
        let new = self.maildir.path().join("mail/new");
        let mut files: Vec<_> = std::fs::read_dir(new)
            .map(|dir| dir.map(|entry| entry.unwrap().path()).collect())
            .unwrap_or_default();
        files.sort_by_key(|path| std::fs::metadata(path).unwrap().modified().unwrap());
        files
            .iter()
            .map(|path| std::fs::read_to_string(path).unwrap())
            .collect()
    }

    /// The code of the last message sent to `address`.
    fn code_for(&self, address: &str) -> String {
        let message = self
            .messages()
            .into_iter()
            .rfind(|message| header(message, "To").contains(address))
            .unwrap_or_else(|| panic!("no message to {address}"));
        let subject = header(&message, "Subject");
        let code = subject.rsplit(' ').next().unwrap().to_owned();
        assert!(
            code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
            "{subject}"
        );
        code
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn header(message: &str, name: &str) -> String {
    message
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{name}: ")))
        .unwrap_or_default()
        .to_owned()
}

async fn server(sink: &SmtpSink) -> TestServer {
    let email = sink.config();
    TestServer::start_configured(|config| config.email = Some(email)).await
}

async fn ask_code(server: &TestServer, site: &str, address: &str) -> Response {
    server
        .request(Method::POST, &format!("/api/v1/sites/{site}/email"))
        .json(&json!({ "address": address }))
        .send()
        .await
        .unwrap()
}

/// Asks a code for `address` on [`SITE`]; returns its ticket.
async fn ticket(server: &TestServer, address: &str) -> String {
    let response = ask_code(server, SITE, address).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert!(body["expires_at"].as_str().is_some_and(|at| at.len() >= 20));
    body["ticket"].as_str().unwrap().to_owned()
}

async fn check_code(server: &TestServer, site: &str, ticket: &str, code: &str) -> Response {
    server
        .request(Method::POST, &format!("/api/v1/sites/{site}/email/verify"))
        .json(&json!({ "ticket": ticket, "code": code }))
        .send()
        .await
        .unwrap()
}

/// Verifies `address` on [`SITE`] as a resident does; returns the participant token.
async fn verify(server: &TestServer, sink: &SmtpSink, address: &str) -> String {
    let ticket = ticket(server, address).await;
    let code = sink.code_for(&address.trim().to_lowercase());
    let response = check_code(server, SITE, &ticket, &code).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["participation"], "email");
    body["participant"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_verified_address_votes_once_whatever_the_device() {
    let sink = SmtpSink::start();
    let server = server(&sink).await;
    server
        .create_poll("p", json!({ "participation": "email" }))
        .await;
    let options = option_ids(&server.view("p", None).await);
    assert_eq!(server.view("p", None).await["participation"], "email");

    // The refusal names the site to ask a code of: the widget's form asks there.
    let refused = server.vote("p", &token(), &options[..1]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "email_required", "{body}");
    assert_eq!(body["error"]["site"], common::SITE, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains(&format!("/sites/{}/email", common::SITE)));

    let phone = verify(&server, &sink, " Marie.Curie@Ville.FR").await;
    let mail = sink.messages().pop().unwrap();
    assert!(header(&mail, "From").contains("participation@saint-exemple.fr"));
    assert!(header(&mail, "Subject").starts_with("Votre code de participation"));
    assert!(
        mail.contains("town.example"),
        "the page's site is named: {mail}"
    );
    server.vote_ok("p", &phone, &options[..1]).await;
    // The same address verified on a second device is the same participant.
    let laptop = verify(&server, &sink, "marie.curie@ville.fr").await;
    assert_eq!(
        server.view("p", Some(&laptop)).await["my_choices"],
        json!([options[0]])
    );
    let view = server.vote_ok("p", &laptop, &options[1..2]).await;
    assert_eq!(view["results"]["voters"], 1);
    let other = verify(&server, &sink, "jean@ville.fr").await;
    let view = server.vote_ok("p", &other, &options[1..2]).await;
    assert_eq!(view["results"]["voters"], 2);
    assert_eq!(counts(&view), vec![0, 2, 0]);

    // A site user's token is not a verified address; a device poll takes verified ones.
    server.create_poll("d", json!({})).await;
    let device_options = option_ids(&server.view("d", None).await);
    server.vote_ok("d", &phone, &device_options[..1]).await;

    // A proposal box for verified addresses refuses a device the same way.
    server
        .create_box("b", json!({ "participation": "email" }))
        .await;
    assert_error(
        server
            .post_proposal("b", &token(), json!({ "title": "Un banc place du marché" }))
            .await,
        StatusCode::FORBIDDEN,
        "email_required",
    )
    .await;
    let proposal = server
        .proposal_ok("b", &phone, json!({ "title": "Un banc place du marché" }))
        .await;
    let id = proposal["id"].as_i64().unwrap();
    assert_eq!(
        server.support(Method::PUT, id, &other).await.status(),
        StatusCode::OK
    );
    assert_error(
        server.support(Method::PUT, id, &token()).await,
        StatusCode::FORBIDDEN,
        "email_required",
    )
    .await;

    // No address is stored anywhere, only a keyed hash of it.
    let stored = String::from_utf8_lossy(&server.stored_bytes()).to_lowercase();
    assert!(!stored.contains("marie.curie"), "an address was stored");
    assert!(!stored.contains("ville.fr"), "an address was stored");
}

/// The decoded subject and text of each message sent to `address`.
fn letters_to(sink: &SmtpSink, address: &str) -> Vec<(String, String)> {
    sink.messages()
        .iter()
        .filter_map(|raw| {
            let mail = mailparse::parse_mail(raw.as_bytes()).unwrap();
            let to = mail.headers.get_first_value("To").unwrap_or_default();
            to.contains(address).then(|| {
                let subject = mail.headers.get_first_value("Subject").unwrap_or_default();
                (subject, mail.get_body().unwrap())
            })
        })
        .collect()
}

/// Waits until `address` was sent `count` messages (they leave in the background).
async fn await_letters(sink: &SmtpSink, address: &str, count: usize) -> Vec<(String, String)> {
    for _ in 0..100 {
        let letters = letters_to(sink, address);
        if letters.len() >= count {
            return letters;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{address} did not get {count} messages: {:?}",
        letters_to(sink, address)
    );
}

#[tokio::test]
async fn a_resident_who_asks_is_told_of_the_towns_answers_until_they_erase_their_data() {
    let sink = SmtpSink::start();
    let server = server(&sink).await;
    let address = "marie@ville.fr";
    let ticket = ticket(&server, address).await;
    let code = sink.code_for(address);
    let check = |keep: &'static str| {
        server
            .request(Method::POST, &format!("/api/v1/sites/{SITE}/email/verify"))
            .json(&json!({ "ticket": ticket, "code": code, "keep_address": keep }))
            .send()
    };
    // Another address than the code's is refused, and the code still serves.
    assert_error(
        check("jean@ville.fr").await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(server.count("SELECT COUNT(*) FROM contacts").await, 0);
    let answer = check(" Marie@Ville.FR ").await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let resident = answer.json::<Value>().await.unwrap()["participant"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = || {
        server
            .request(Method::GET, &format!("/api/v1/sites/{SITE}/me"))
            .header(PARTICIPANT, &resident)
    };
    let data: Value = me().send().await.unwrap().json().await.unwrap();
    assert_eq!(data["contact"], address, "{data}");
    // Who did not ask is not kept.
    let quiet = verify(&server, &sink, "jean@ville.fr").await;

    server
        .create_box("b", json!({ "participation": "email" }))
        .await;
    let idea = server
        .proposal_ok(
            "b",
            &resident,
            json!({ "title": "Un banc place du marché" }),
        )
        .await;
    let other = server
        .proposal_ok("b", &quiet, json!({ "title": "Une fontaine" }))
        .await;
    for id in [&idea["id"], &other["id"]] {
        let decided = server
            .set_status(
                id.as_i64().unwrap(),
                json!({ "status": "accepted", "answer": "Le banc sera posé en mars." }),
            )
            .await;
        assert_eq!(decided.status(), StatusCode::OK);
    }
    let letters = await_letters(&sink, address, 2).await;
    let (subject, body) = &letters[1];
    assert_eq!(
        subject,
        "Réponse à votre proposition « Un banc place du marché »"
    );
    assert!(body.contains("Le banc sera posé en mars."), "{body}");
    assert!(body.contains("Mes données"), "{body}");

    // An official reply to a comment of theirs.
    server.create_thread("t", json!({})).await;
    let comment = server
        .comment_ok("t", &resident, json!({ "text": "Et un abri vélo ?" }))
        .await;
    let reply = server
        .admin(Method::POST, "/threads/t/comments")
        .json(
            &json!({ "author_name": "La mairie", "text": "Prévu au budget 2027.",
                       "official": true, "parent_id": comment["id"] }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::CREATED);
    let letters = await_letters(&sink, address, 3).await;
    assert_eq!(letters[2].0, "Réponse à votre commentaire sur « Thread t »");
    assert!(letters[2].1.contains("Prévu au budget 2027."));
    // Jean got his code only.
    assert_eq!(letters_to(&sink, "jean@ville.fr").len(), 1);

    // Erasing their data erases the address: no more messages.
    let erased = server
        .request(Method::DELETE, &format!("/api/v1/sites/{SITE}/me"))
        .header(PARTICIPANT, &resident)
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), StatusCode::OK);
    assert_eq!(server.count("SELECT COUNT(*) FROM contacts").await, 0);
    let data: Value = me().send().await.unwrap().json().await.unwrap();
    assert!(data["contact"].is_null(), "{data}");
    let again = server
        .set_status(
            idea["id"].as_i64().unwrap(),
            json!({ "status": "accepted", "answer": "Posé." }),
        )
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(letters_to(&sink, address).len(), 3);
}

#[tokio::test]
async fn wrong_replayed_forged_and_other_site_codes_are_refused() {
    let sink = SmtpSink::start();
    let server = server(&sink).await;
    server.create_site("village", &[SITE_ORIGIN]).await;
    let ticket = ticket(&server, "marie@ville.fr").await;
    let code = sink.code_for("marie@ville.fr");
    let wrong = if code == "000000" { "000001" } else { "000000" };

    for (ticket, code) in [
        (ticket.as_str(), wrong),
        (ticket.as_str(), "12345"),
        (ticket.as_str(), "abcdef"),
        (&ticket[1..], code.as_str()),
        ("t0", code.as_str()),
    ] {
        assert_error(
            check_code(&server, SITE, ticket, code).await,
            StatusCode::FORBIDDEN,
            "code_refused",
        )
        .await;
    }
    // Another site's ticket, and a ticket whose address was swapped for another's.
    assert_error(
        check_code(&server, "village", &ticket, &code).await,
        StatusCode::FORBIDDEN,
        "code_refused",
    )
    .await;
    let swapped = format!("{}{}{}", &ticket[..9], "0".repeat(32), &ticket[41..]);
    assert_error(
        check_code(&server, SITE, &swapped, &code).await,
        StatusCode::FORBIDDEN,
        "code_refused",
    )
    .await;

    // The right code still serves after wrong tries (the spaces a resident types included),
    // once.
    let ticket = self::ticket(&server, "paul@ville.fr").await;
    let code = sink.code_for("paul@ville.fr");
    let wrong = if code == "000000" { "000001" } else { "000000" };
    for _ in 0..2 {
        let response = check_code(&server, SITE, &ticket, wrong).await;
        assert_error(response, StatusCode::FORBIDDEN, "code_refused").await;
    }
    let spaced = format!("{} {}", &code[..3], &code[3..]);
    assert_eq!(
        check_code(&server, SITE, &ticket, &spaced).await.status(),
        StatusCode::OK
    );
    assert_error(
        check_code(&server, SITE, &ticket, &code).await,
        StatusCode::FORBIDDEN,
        "code_refused",
    )
    .await;

    // A code allows a few tries a minute: guessing a million is out of reach.
    let ticket = self::ticket(&server, "jean@ville.fr").await;
    let code = sink.code_for("jean@ville.fr");
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let mut refused = 0;
    while check_code(&server, SITE, &ticket, wrong).await.status() == StatusCode::FORBIDDEN {
        refused += 1;
        assert!(refused < 10, "guesses are not limited");
    }
    assert_error(
        check_code(&server, SITE, &ticket, &code).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
}

#[tokio::test]
async fn mailboxes_cannot_be_flooded_and_bad_requests_get_clear_errors() {
    let sink = SmtpSink::start();
    let server = server(&sink).await;
    ticket(&server, "marie@ville.fr").await;
    ticket(&server, "MARIE@ville.fr").await;
    assert_error(
        ask_code(&server, SITE, "marie@ville.fr").await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
    assert_eq!(sink.messages().len(), 2);
    // Another address is not held back by it.
    ticket(&server, "jean@ville.fr").await;

    for bad in [
        "",
        "marie",
        "marie@ville",
        "ma rie@ville.fr",
        "<m>@ville.fr",
    ] {
        assert_error(
            ask_code(&server, SITE, bad).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
        )
        .await;
    }
    assert_error(
        ask_code(&server, "nowhere", "marie@ville.fr").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    let elsewhere = server
        .request(Method::POST, &format!("/api/v1/sites/{SITE}/email"))
        .header("origin", "https://evil.example")
        .json(&json!({ "address": "paul@ville.fr" }))
        .send()
        .await
        .unwrap();
    assert_error(elsewhere, StatusCode::FORBIDDEN, "origin_not_allowed").await;
    let unknown_field = server
        .request(Method::POST, &format!("/api/v1/sites/{SITE}/email"))
        .json(&json!({ "address": "paul@ville.fr", "notify": true }))
        .send()
        .await
        .unwrap();
    assert_error(
        unknown_field,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(sink.messages().len(), 3, "a refused request sent no mail");

    // A resident's English page gets the message in English.
    let english = server
        .request(Method::POST, &format!("/api/v1/sites/{SITE}/email"))
        .json(&json!({ "address": "paul@ville.fr", "lang": "en" }))
        .send()
        .await
        .unwrap();
    assert_eq!(english.status(), StatusCode::ACCEPTED);
    let mail = sink.messages().pop().unwrap();
    assert!(header(&mail, "Subject").starts_with("Your participation code"));
}

#[tokio::test]
async fn without_a_reachable_smtp_server_the_resident_is_told_to_try_again() {
    // No [email] settings: the level is not offered.
    let plain = TestServer::start().await;
    assert_error(
        ask_code(&plain, SITE, "marie@ville.fr").await,
        StatusCode::NOT_FOUND,
        "email_not_enabled",
    )
    .await;

    // Settings pointing at a server that is down: 503 with the JSON error, nothing lost.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = TestServer::start_configured(|config| {
        config.email = Some(EmailConfig {
            smtp_url: format!("smtp://127.0.0.1:{port}"),
            from: "Mairie <participation@saint-exemple.fr>".into(),
        })
    })
    .await;
    let response = ask_code(&down, SITE, "marie@ville.fr").await;
    assert_eq!(response.headers()["retry-after"], "5");
    assert_error(response, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
}
