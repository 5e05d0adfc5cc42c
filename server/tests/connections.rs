//! Connections one client cannot hold: half-sent headers, idle kept-alive connections and
//! bodies that never arrive are ended by the endpoint; over a network's cap, connections are
//! closed at once while other networks are still answered. Over real TCP.

mod common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// Timeouts of these servers: short, so that the tests wait little.
const TIMEOUT_MS: u64 = 300;
/// Longest wait for the endpoint to act: far beyond its timeouts, only so that a broken
/// endpoint fails the test instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(30);

async fn server(per_network: usize, header_timeout_ms: u64) -> TestServer {
    TestServer::start_configured(|config| {
        config.connections.header_timeout_ms = header_timeout_ms;
        config.connections.body_timeout_ms = TIMEOUT_MS;
        config.connections.per_network = per_network;
        // These tests connect from loopback, which is otherwise trusted as a proxy.
        config.connections.trusted_proxies.clear();
    })
    .await
}

fn address(server: &TestServer) -> SocketAddr {
    server
        .base
        .trim_start_matches("http://")
        .parse()
        .expect("a socket address")
}

/// A TCP connection to `server` from the loopback address `source`.
async fn connect_from(server: &TestServer, source: Ipv4Addr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(IpAddr::V4(source), 0)).unwrap();
    socket.connect(address(server)).await.unwrap()
}

/// Everything the endpoint sends until it closes the connection.
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut received))
        .await
        .expect("the endpoint closed the connection")
        .ok();
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test]
async fn half_sent_headers_and_idle_connections_are_closed() {
    let server = server(0, TIMEOUT_MS).await;
    let mut half = connect_from(&server, Ipv4Addr::LOCALHOST).await;
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: town.example\r\nX-Slow: ")
        .await
        .unwrap();
    let answered = read_until_closed(&mut half).await;
    assert!(!answered.contains("200 OK"), "{answered}");

    let mut idle = connect_from(&server, Ipv4Addr::LOCALHOST).await;
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: town.example\r\n\r\n")
        .await
        .unwrap();
    // Kept alive after its answer, then closed once idle for the header timeout.
    let answered = read_until_closed(&mut idle).await;
    assert!(answered.starts_with("HTTP/1.1 200 OK"), "{answered}");

    // A connection that never sends a byte is closed too.
    let mut silent = connect_from(&server, Ipv4Addr::LOCALHOST).await;
    assert_eq!(read_until_closed(&mut silent).await, "");
}

#[tokio::test]
async fn a_body_that_never_arrives_ends_with_408() {
    let server = server(0, TIMEOUT_MS).await;
    server.create_poll("p", json!({})).await;
    for length in ["1000", "1000000000"] {
        let mut stream = connect_from(&server, Ipv4Addr::LOCALHOST).await;
        let head = format!(
            "PUT /api/v1/polls/p/vote HTTP/1.1\r\nHost: town.example\r\nOrigin: {SITE_ORIGIN}\r\n\
             {PARTICIPANT}: {}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n\
             {{\"choices\"",
            token()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let answered = read_until_closed(&mut stream).await;
        let status = answered.lines().next().unwrap_or_default();
        assert!(
            status == "HTTP/1.1 408 Request Timeout" || status == "HTTP/1.1 413 Payload Too Large",
            "Content-Length {length}: {answered}"
        );
        let body: Value = serde_json::from_str(answered.split("\r\n\r\n").nth(1).unwrap_or("{}"))
            .unwrap_or_else(|_| panic!("a JSON error body: {answered}"));
        assert!(
            ["request_timeout", "body_too_large"]
                .contains(&body["error"]["code"].as_str().unwrap()),
            "{body}"
        );
    }
    // A body sent in time is taken as before.
    let options = option_ids(&server.read("/api/v1/polls/p", None).await);
    server.vote_ok("p", &token(), &options[..1]).await;
}

#[tokio::test]
async fn a_network_over_its_cap_is_closed_at_once_while_others_are_answered() {
    const CAP: usize = 8;
    // Held connections that the header timeout would end within this test.
    let server = server(CAP, 60_000).await;
    let mut held = Vec::new();
    for _ in 0..CAP {
        let mut stream = connect_from(&server, Ipv4Addr::LOCALHOST).await;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\n")
            .await
            .unwrap();
        held.push(stream);
    }
    // 127.0.0.9 is in the same /24 as 127.0.0.1: closed without an answer.
    let mut over = connect_from(&server, Ipv4Addr::new(127, 0, 0, 9)).await;
    let _ = over
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: town.example\r\n\r\n")
        .await;
    assert_eq!(read_until_closed(&mut over).await, "");

    // Another network is answered all the same.
    let other = reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 7, 1)))
        .build()
        .unwrap();
    let answer = other
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);

    // Once the held connections are gone, the first network is answered again.
    drop(held);
    let mut answered = String::new();
    for _ in 0..100 {
        let mut again = connect_from(&server, Ipv4Addr::new(127, 0, 0, 9)).await;
        let _ = again
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: town.example\r\nConnection: close\r\n\r\n")
            .await;
        answered = read_until_closed(&mut again).await;
        if !answered.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(answered.starts_with("HTTP/1.1 200 OK"), "{answered}");
}
