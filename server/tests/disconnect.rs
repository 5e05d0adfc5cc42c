//! Clients that hang up in the middle of write requests (a closed tab, a proxy timeout) never
//! leave a transaction open: every later write still succeeds, and every write that was
//! acknowledged before the hang-up survives a restart.

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const ROUNDS: usize = 6;
const PER_ROUND: usize = 64;
/// Most sockets close this long after the request was sent, at most (the rest wait longer,
/// so that some writes are acknowledged before the hang-up).
const MAX_CUT: Duration = Duration::from_millis(30);
const MAX_WAIT: Duration = Duration::from_millis(300);

/// A small xorshift generator: the seed is printed, so a failing run can be replayed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One write request and what it leaves behind if it was acknowledged.
#[derive(Debug, Clone)]
enum Write {
    Vote {
        token: String,
        choice: i64,
    },
    Comment {
        token: String,
        text: String,
    },
    /// Staff writes: a poll (one transaction) and a thread (a single statement).
    Poll {
        id: String,
    },
    Thread {
        id: String,
    },
}

impl Write {
    fn request(&self) -> (&'static str, String, Option<String>, Value) {
        match self {
            Write::Vote { token, choice } => (
                "PUT",
                "/api/v1/polls/p/vote".into(),
                Some(token.clone()),
                json!({ "choices": [choice] }),
            ),
            Write::Comment { token, text } => (
                "POST",
                "/api/v1/threads/t/comments".into(),
                Some(token.clone()),
                json!({ "author_name": "Camille", "text": text }),
            ),
            Write::Poll { id } => (
                "POST",
                "/api/v1/admin/polls".into(),
                None,
                poll_input(id, json!({})),
            ),
            Write::Thread { id } => (
                "POST",
                "/api/v1/admin/threads".into(),
                None,
                json!({ "id": id, "site_id": SITE, "title": "Coupé" }),
            ),
        }
    }
}

/// Sends `write` on a raw socket, waits `cut`, then closes the socket. `true` if a 2xx status
/// line arrived before the socket closed (the write was acknowledged).
async fn send_and_hang_up(address: &str, write: &Write, cut: Duration) -> bool {
    let (method, path, participant, body) = write.request();
    let body = body.to_string();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    match participant {
        Some(token) => head.push_str(&format!("{PARTICIPANT}: {token}\r\n")),
        None => head.push_str(&format!("Authorization: Bearer {ADMIN_TOKEN}\r\n")),
    }
    let Ok(mut socket) = TcpStream::connect(address).await else {
        return false;
    };
    if socket
        .write_all(format!("{head}\r\n{body}").as_bytes())
        .await
        .is_err()
    {
        return false;
    }
    let mut received = Vec::new();
    let _ = tokio::time::timeout(cut, async {
        let mut buffer = [0u8; 1024];
        while let Ok(n) = socket.read(&mut buffer).await {
            if n == 0 {
                break;
            }
            received.extend_from_slice(&buffer[..n]);
        }
    })
    .await;
    drop(socket);
    received.starts_with(b"HTTP/1.1 2")
}

/// Every write kind, done normally, answers 2xx: no connection was left inside a transaction.
async fn writes_still_succeed(server: &TestServer, options: &[i64], round: usize) {
    let probe = token();
    let vote = server.vote("p", &probe, &options[..1]).await;
    assert_eq!(vote.status(), StatusCode::OK, "vote after round {round}");
    let comment = server
        .post_comment("t", &probe, json!({ "text": format!("probe {round}") }))
        .await;
    assert_eq!(
        comment.status(),
        StatusCode::CREATED,
        "comment after round {round}"
    );
    server
        .create_poll(&format!("probe-{round}"), json!({}))
        .await;
    server
        .create_thread(&format!("probe-{round}"), json!({}))
        .await;
}

/// Every comment text of thread `t`, all pages.
async fn comment_texts(server: &TestServer) -> HashSet<String> {
    let mut texts = HashSet::new();
    let mut path = "/api/v1/threads/t/comments".to_owned();
    loop {
        let page = server.read(&path, None).await;
        for comment in page["comments"].as_array().unwrap() {
            texts.insert(comment["text"].as_str().unwrap_or_default().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(next) => path = format!("/api/v1/threads/t/comments?cursor={next}"),
            None => return texts,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hang_ups_mid_write_lose_nothing_acknowledged() {
    let server = TestServer::start().await;
    let options = option_ids(&server.create_poll("p", json!({})).await);
    server.create_thread("t", json!({})).await;
    let address = server.base.trim_start_matches("http://").to_owned();
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("random seed {seed}");
    let mut random = Random(seed);

    let mut acknowledged = Vec::new();
    let mut sent = 0;
    for round in 0..ROUNDS {
        let writes: Vec<(Write, Duration)> = (0..PER_ROUND)
            .map(|i| {
                let name = format!("cut-{round}-{i}");
                let write = match random.below(8) {
                    0..=3 => Write::Vote {
                        token: token(),
                        choice: options[random.below(options.len() as u64) as usize],
                    },
                    4 | 5 => Write::Comment {
                        token: token(),
                        text: name,
                    },
                    6 => Write::Poll { id: name },
                    _ => Write::Thread { id: name },
                };
                let longest = if random.below(4) == 0 {
                    MAX_WAIT
                } else {
                    MAX_CUT
                };
                let cut = Duration::from_micros(random.below(longest.as_micros() as u64 + 1));
                (write, cut)
            })
            .collect();
        let address = Arc::new(address.clone());
        let tasks: Vec<_> = writes
            .into_iter()
            .map(|(write, cut)| {
                let address = address.clone();
                tokio::spawn(async move {
                    let acked = send_and_hang_up(&address, &write, cut).await;
                    (write, acked)
                })
            })
            .collect();
        for task in tasks {
            let (write, acked) = task.await.unwrap();
            sent += 1;
            if acked {
                acknowledged.push(write);
            }
        }
        writes_still_succeed(&server, &options, round).await;
    }
    println!(
        "{} of {sent} cut writes were acknowledged",
        acknowledged.len()
    );

    let server = server.restart().await;
    let texts = comment_texts(&server).await;
    for write in &acknowledged {
        match write {
            Write::Vote { token, choice } => {
                let view = server.view("p", Some(token)).await;
                assert_eq!(view["my_choices"], json!([choice]), "{write:?}");
            }
            Write::Comment { text, .. } => assert!(texts.contains(text), "{write:?}"),
            Write::Poll { id } => {
                server.view(id, None).await;
            }
            Write::Thread { id } => {
                server.read(&format!("/api/v1/threads/{id}"), None).await;
            }
        }
    }
    for round in 0..ROUNDS {
        assert!(texts.contains(&format!("probe {round}")), "probe {round}");
        server.view(&format!("probe-{round}"), None).await;
    }
}
