//! Throughput and latency of the reference server over loopback: invitation creation from
//! concurrent clients, and list pages. Run with `cargo bench -p invitedesk-server`.
//! The server runs in this process (release build), the clients beside it, sharing the cores.

use std::time::{Duration, Instant};

use futures::future::join_all;
use invitedesk_model::{NewInvitation, Page, PermissionPolicy, TokenResponse};
use invitedesk_server::{demo, start, Config};

const CREATES: usize = 6_000;
const PAGE_READS: usize = 1_000;

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(dir.path().join("bench.db"));
    // Sending limits are policy, not capacity: lift them to measure the server itself.
    config.org_sends_per_minute = u32::MAX;
    let server = start(config).await.unwrap();
    let credentials = demo::seed(&server.state, &server.base_url()).await.unwrap();
    let org = &credentials.organizations[0];
    let admin = &org.principals["admin"];
    let http = reqwest::Client::new();
    let base = format!("{}/organizations/{}", server.base_url(), org.org_id);
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
    let policies: Page<PermissionPolicy> = http
        .get(format!("{base}/permissionpolicies"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let policy = policies.data[0].id;

    // BENCH_CLIENTS picks how many clients create at once (default 8).
    let clients_count: usize = std::env::var("BENCH_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8);
    let started = Instant::now();
    let clients = (0..clients_count).map(|client| {
        let (http, base, token) = (http.clone(), base.clone(), token.clone());
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            for i in (client..CREATES).step_by(clients_count) {
                let invitation = NewInvitation {
                    email: format!("bench{i}@example.com"),
                    first_name: Some("Bench".into()),
                    last_name: Some(format!("Person {i}")),
                    contact_number: Some("+1 555 0100".into()),
                    permission_policy_ids: vec![policy],
                    ..Default::default()
                };
                let sent = Instant::now();
                let response = http
                    .post(format!("{base}/invitations"))
                    .bearer_auth(&token)
                    .header("Idempotency-Key", format!("bench-{i}"))
                    .json(&invitation)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
                response.bytes().await.unwrap();
                latencies.push(sent.elapsed());
            }
            latencies
        })
    });
    let mut latencies: Vec<Duration> = join_all(clients)
        .await
        .into_iter()
        .flat_map(Result::unwrap)
        .collect();
    let elapsed = started.elapsed();
    report("create invitation", clients_count, &mut latencies, elapsed);

    for (name, query) in [
        ("GET /me (auth only)", "/me"),
        (
            "list page of 200, newest first",
            "/invitations?pageSize=200",
        ),
        (
            "list page of 200, status=Pending",
            "/invitations?pageSize=200&status=Pending",
        ),
        (
            "search 'person 12' (substring)",
            "/invitations?pageSize=200&search=person%2012",
        ),
    ] {
        let mut latencies = Vec::with_capacity(PAGE_READS);
        let started = Instant::now();
        for _ in 0..PAGE_READS {
            let sent = Instant::now();
            let body = http
                .get(format!("{base}{query}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            assert!(body.len() > 50);
            latencies.push(sent.elapsed());
        }
        report(name, 1, &mut latencies, started.elapsed());
    }
    server.stop().await;
}

fn report(name: &str, clients: usize, latencies: &mut [Duration], elapsed: Duration) {
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    println!(
        "{name:<34} {:>6} requests, {clients:>2} clients: {:>8.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  max {:>6.2} ms",
        latencies.len(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        latencies[latencies.len() - 1].as_secs_f64() * 1e3,
    );
}
