//! `cargo xtask bench proposals`: a box of N proposals filled over HTTP, then supports and
//! withdrawals from many residents at once (supports/s, p50/p99, then stored counts checked
//! against acknowledged supports), then full-text search and similar-title look-ups.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use super::{concurrently, flag, release_endpoint, timed, Bench, Latencies};
use crate::endpoint::{random_token, Endpoint};

/// Words the generated titles are made of, so searches match a varied share of the box.
const SUBJECTS: &[&str] = &[
    "bancs",
    "arbres",
    "pistes cyclables",
    "fontaine",
    "jardin partagé",
    "navette",
    "marché",
    "éclairage",
    "composteur",
    "aire de jeux",
    "parking vélo",
    "toilettes publiques",
];
const PLACES: &[&str] = &[
    "place de la Mairie",
    "rue des Écoles",
    "parc du Moulin",
    "quartier de la Gare",
    "bord de Loire",
    "stade municipal",
    "centre-ville",
    "cimetière",
];
const QUERIES: &[&str] = &[
    "bancs",
    "arbres moulin",
    "cyclables",
    "fontaine gare",
    "jardin",
    "navette stade",
    "éclairage écoles",
    "composteur",
    "toilettes",
    "parking",
    "marché mairie",
    "jeux",
];

pub fn run(args: &[&str]) -> Result<()> {
    let proposals = flag(args, "--proposals", 10_000)?;
    let supporters = flag(args, "--supporters", 5_000)?;
    let searches = flag(args, "--searches", 1_000)?;
    let concurrency = flag(args, "--concurrency", 32)?;
    let server = release_endpoint()?;
    tokio::runtime::Runtime::new()?.block_on(against(
        &server,
        proposals,
        supporters,
        searches,
        concurrency,
    ))
}

async fn against(
    server: &Endpoint,
    proposals: usize,
    supporters: usize,
    searches: usize,
    concurrency: usize,
) -> Result<()> {
    let bench = Bench::with_site(server, concurrency).await?;
    bench
        .admin(
            "boxes",
            json!({"id": "bench-box", "site_id": "bench", "title": "Bench", "threshold": 50}),
        )
        .await?;
    let base = bench.base.clone();

    // Filling: 500 residents share the proposals.
    let tokens: Arc<Vec<String>> = Arc::new((0..500).map(|_| random_token()).collect());
    let started = Instant::now();
    let filled = concurrently(proposals, concurrency, |i| {
        let (client, url, token) = (
            bench.client.clone(),
            format!("{base}boxes/bench-box/proposals"),
            tokens[i % tokens.len()].clone(),
        );
        async move {
            let mut latencies = Latencies::default();
            let subject = SUBJECTS[i % SUBJECTS.len()];
            let place = PLACES[(i / SUBJECTS.len()) % PLACES.len()];
            let body = json!({
                "title": format!("Des {subject} {place} (idée {i})"),
                "text": format!("Pourquoi : *{subject}* pour le quartier, proposition n°{i}."),
                "place": place,
                "author_name": format!("Habitant {}", i % 500),
            });
            let request = client
                .post(url)
                .header("x-civique-participant", token)
                .json(&body);
            let id = match timed(&mut latencies, request).await {
                Some(r) => r.json::<Value>().await.ok().and_then(|v| v["id"].as_i64()),
                None => None,
            };
            (latencies, id)
        }
    })
    .await?;
    let fill = started.elapsed();
    let mut posts = Latencies::default();
    let mut ids = Vec::with_capacity(proposals);
    for (lat, id) in filled {
        posts.merge(lat);
        ids.extend(id);
    }
    println!("box of {proposals} proposals, concurrency {concurrency}");
    posts.report("proposals (POST)", fill);
    if ids.is_empty() {
        bail!("no proposal was accepted");
    }

    // Supports: each resident supports three proposals among the 200 most popular ones
    // (hot rows, as on a real box), and every fourth one withdraws one support.
    let hot: Arc<Vec<i64>> = Arc::new(ids.iter().copied().take(200).collect());
    let started = Instant::now();
    let outcomes = concurrently(supporters, concurrency, |r| {
        let (client, base, hot) = (bench.client.clone(), base.clone(), hot.clone());
        async move {
            let token = random_token();
            let mut latencies = Latencies::default();
            let mut kept: Vec<i64> = Vec::new();
            for k in 0..3 {
                let id = hot[(r * 7 + k * 13) % hot.len()];
                let request = client
                    .put(format!("{base}proposals/{id}/support"))
                    .header("x-civique-participant", &token);
                if timed(&mut latencies, request).await.is_some() {
                    kept.push(id);
                }
            }
            if r % 4 == 0 {
                if let Some(id) = kept.first().copied() {
                    let request = client
                        .delete(format!("{base}proposals/{id}/support"))
                        .header("x-civique-participant", &token);
                    if timed(&mut latencies, request).await.is_some() {
                        kept.remove(0);
                    }
                }
            }
            (latencies, kept)
        }
    })
    .await?;
    let elapsed = started.elapsed();
    let mut latencies = Latencies::default();
    let mut expected: HashMap<i64, u64> = HashMap::new();
    for (lat, kept) in outcomes {
        latencies.merge(lat);
        for id in kept {
            *expected.entry(id).or_default() += 1;
        }
    }
    println!("{supporters} residents, 3 supports each over 200 proposals, 1 in 4 withdraws one");
    latencies.report("supports (PUT/DELETE)", elapsed);
    let (mut lost, mut double) = (0u64, 0u64);
    for id in hot.iter() {
        let stored: Value = bench
            .client
            .get(format!("{base}proposals/{id}"))
            .send()
            .await?
            .json()
            .await?;
        let stored = stored["supports"].as_u64().context("no supports count")?;
        let want = expected.get(id).copied().unwrap_or(0);
        lost += want.saturating_sub(stored);
        double += stored.saturating_sub(want);
    }
    println!("lost {lost}, double-counted {double}");
    if lost != 0 || double != 0 {
        bail!("stored supports differ from acknowledged supports");
    }

    // Search: the full-text listing and the similar-title suggestions.
    for (label, route) in [
        ("search (listing ?q=)", "proposals?q="),
        ("similar titles (?q=)", "similar?q="),
    ] {
        let started = Instant::now();
        let outcomes = concurrently(searches, concurrency, |i| {
            let (client, url) = (
                bench.client.clone(),
                format!(
                    "{base}boxes/bench-box/{route}{}",
                    QUERIES[i % QUERIES.len()]
                ),
            );
            async move {
                let mut latencies = Latencies::default();
                if let Some(r) = timed(&mut latencies, client.get(url)).await {
                    let _ = r.bytes().await;
                }
                latencies
            }
        })
        .await?;
        let elapsed = started.elapsed();
        let mut all = Latencies::default();
        outcomes.into_iter().for_each(|l| all.merge(l));
        all.report(label, elapsed);
    }
    Ok(())
}
