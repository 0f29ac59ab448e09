//! `GET /me` for a valid token while 400 clients at once send wrong client secrets, against
//! its idle latency in the same run. Run with `cargo bench -p invitedesk-server --bench
//! token_flood`. The server runs in this process (release build), the flood and the measuring
//! client beside it, all sharing the machine's cores.
//!
//! Four servers, one after another:
//! - idle: no flood (the yardstick);
//! - flood, as configured by default: the failed-auth limiter answers 429 before any check;
//! - flood, limiter lifted: every wrong secret is checked, as a SHA-256 digest;
//! - flood, limiter lifted, the key's secret stored as argon2 (as before digests): what the
//!   flood cost when every wrong secret was hashed with argon2.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use invitedesk_model::TokenResponse;
use invitedesk_server::{demo, start, Config};

const FLOODERS: usize = 400;
const PROBES: usize = 2_000;

#[derive(Clone, Copy)]
enum Scenario {
    Idle,
    FloodLimited,
    FloodDigest,
    FloodArgon2,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::Idle => "idle (yardstick)",
            Scenario::FloodLimited => "flood, limiter on (default)",
            Scenario::FloodDigest => "flood, limiter off, SHA-256 digest",
            Scenario::FloodArgon2 => "flood, limiter off, argon2 secret",
        }
    }
}

#[tokio::main]
async fn main() {
    for scenario in [
        Scenario::Idle,
        Scenario::FloodLimited,
        Scenario::FloodDigest,
        Scenario::FloodArgon2,
    ] {
        run(scenario).await;
    }
}

async fn run(scenario: Scenario) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(dir.path().join("flood.db"));
    if matches!(scenario, Scenario::FloodDigest | Scenario::FloodArgon2) {
        config.auth_failures_per_minute_per_address = u32::MAX;
        config.auth_failures_per_minute_per_key = u32::MAX;
    }
    let server = start(config).await.unwrap();
    let credentials = demo::seed(&server.state, &server.base_url()).await.unwrap();
    let org = &credentials.organizations[0];
    let (admin, target) = (&org.principals["admin"], &org.principals["helpdesk"]);
    if let Scenario::FloodArgon2 = scenario {
        let hash = invitedesk_server::password::hash_now("the secret before digests").unwrap();
        let key = target.access_key_id.clone();
        server
            .state
            .db
            .write(move |tx| {
                tx.execute(
                    "UPDATE service_users SET secret_hash = ? WHERE access_key_id = ?",
                    (hash, key),
                )?;
                Ok(())
            })
            .await
            .unwrap();
    }
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(FLOODERS + 8)
        .build()
        .unwrap();
    let token = http
        .post(format!("{}/oauth/token", server.base_url()))
        .basic_auth(&admin.access_key_id, Some(&admin.api_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json::<TokenResponse>()
        .await
        .unwrap()
        .access_token;

    let stop = Arc::new(AtomicBool::new(false));
    let refused = Arc::new(AtomicU64::new(0));
    let limited = Arc::new(AtomicU64::new(0));
    let flooders: Vec<_> = (0..FLOODERS)
        .filter(|_| !matches!(scenario, Scenario::Idle))
        .map(|n| {
            let (http, stop, refused, limited) =
                (http.clone(), stop.clone(), refused.clone(), limited.clone());
            let (url, key) = (
                format!("{}/oauth/token", server.base_url()),
                target.access_key_id.clone(),
            );
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let answer = http
                        .post(&url)
                        .basic_auth(&key, Some(format!("wrong secret {n}")))
                        .form(&[("grant_type", "client_credentials")])
                        .send()
                        .await;
                    match answer.map(|a| a.status().as_u16()) {
                        Ok(429) => limited.fetch_add(1, Ordering::Relaxed),
                        _ => refused.fetch_add(1, Ordering::Relaxed),
                    };
                }
            })
        })
        .collect();
    // Let the flood reach its pace before measuring, then count only what the measured
    // span saw.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    refused.store(0, Ordering::Relaxed);
    limited.store(0, Ordering::Relaxed);
    let me = format!("{}/organizations/{}/me", server.base_url(), org.org_id);
    let mut latencies = Vec::with_capacity(PROBES);
    let started = Instant::now();
    for _ in 0..PROBES {
        let sent = Instant::now();
        let answer = http.get(&me).bearer_auth(&token).send().await.unwrap();
        assert_eq!(answer.status(), 200);
        answer.bytes().await.unwrap();
        latencies.push(sent.elapsed());
    }
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    for flooder in flooders {
        let _ = flooder.await;
    }
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    let wrong = refused.load(Ordering::Relaxed) + limited.load(Ordering::Relaxed);
    println!(
        "{:<38} GET /me p50 {:>7.2} ms  p99 {:>7.2} ms  | flood {:>6.0} wrong secrets/s, {:>3.0} % answered 429",
        scenario.name(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        wrong as f64 / elapsed.as_secs_f64(),
        if wrong == 0 { 0.0 } else { 100.0 * limited.load(Ordering::Relaxed) as f64 / wrong as f64 },
    );
    server.stop().await;
}
