//! A burst of 20,000 idle connections from one client, at the default settings: the endpoint
//! keeps answering residents of other networks throughout, and no idle connection outlives
//! the header timeout. The connections are opened by two Python processes of 10,000 each
//! (`tests/scripts/idle_connections.py`), whose sockets do not count against this process's
//! open-file limit, the endpoint's.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use common::*;
use reqwest::StatusCode;

const PER_PROCESS: usize = 10_000;
/// How long a helper waits for the endpoint to close its connections: far beyond the
/// default header timeout (10 s), so that a loaded machine accepting the burst slowly
/// passes, and only a broken endpoint fails the test.
const WAIT_SECS: u64 = 120;

/// What one helper process reported.
#[derive(Debug, Default)]
struct Burst {
    connected: usize,
    refused: usize,
    open: usize,
}

fn parse(line: &str) -> Burst {
    let mut burst = Burst::default();
    for field in line.split_whitespace() {
        let (name, value) = field.split_once('=').expect("name=value");
        match name {
            "connected" => burst.connected = value.parse().unwrap(),
            "refused" => burst.refused = value.parse().unwrap(),
            "open" => burst.open = value.parse().unwrap(),
            _ => {}
        }
    }
    burst
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_thousand_idle_connections_leave_the_endpoint_answering() {
    let server = TestServer::start_configured(|config| {
        // Connections come from loopback, which is otherwise trusted as a proxy.
        config.connections.trusted_proxies.clear();
    })
    .await;
    let port = server.base.rsplit(':').next().unwrap().to_owned();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/idle_connections.py");
    let helpers: Vec<_> = ["127.0.0.2", "127.0.0.3"]
        .into_iter()
        .map(|source| {
            tokio::process::Command::new("python3")
                .arg(&script)
                .args(["127.0.0.1", &port, source])
                .arg(PER_PROCESS.to_string())
                .arg(WAIT_SECS.to_string())
                .stdout(Stdio::piped())
                .kill_on_drop(true)
                .spawn()
                .expect("python3 runs")
        })
        .collect();

    // A resident on another network asks every 200 ms while the burst lasts.
    let resident = reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 9, 1)))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let waiting = tokio::spawn(async move {
        let mut outputs = Vec::new();
        for helper in helpers {
            outputs.push(helper.wait_with_output().await.expect("the helper ends"));
        }
        outputs
    });
    let (mut answered, mut refused) = (0, Vec::new());
    while !waiting.is_finished() {
        match resident.get(server.url("/healthz")).send().await {
            Ok(response) if response.status() == StatusCode::OK => answered += 1,
            other => refused.push(format!("{other:?}")),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let outputs = waiting.await.unwrap();

    let mut total = Burst::default();
    for output in outputs {
        assert!(output.status.success(), "helper failed: {output:?}");
        let burst = parse(String::from_utf8_lossy(&output.stdout).trim());
        assert_eq!(burst.connected + burst.refused, PER_PROCESS, "{burst:?}");
        total.connected += burst.connected;
        total.refused += burst.refused;
        total.open += burst.open;
    }
    assert!(total.connected > 0, "{total:?}");
    assert_eq!(
        total.open, 0,
        "idle connections outlived the header timeout: {total:?}"
    );
    assert!(refused.is_empty(), "the resident was refused: {refused:?}");
    // The burst lasted at least the header timeout, so the resident asked many times.
    assert!(answered >= 10, "answered {answered} times");
    assert_eq!(server.get("/healthz").await.status(), StatusCode::OK);
}
