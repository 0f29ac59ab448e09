//! The two backends side by side, in one run: invitation creates (one SQLite instance, one
//! PostgreSQL instance, two PostgreSQL instances on one database), then list, status-filter
//! and search pages over a million invitations in one organisation on each backend.
//!   scripts/with-postgres cargo bench -p invitedesk-server --bench backends
//! Without INVITEDESK_TEST_DATABASE_URL only the SQLite figures are taken.
//! BENCH_SCALE_ROWS (default 1,000,000; 0: no pages) sets the volume; BENCH_CREATES (default 6,000) and
//! BENCH_CLIENTS (default 16) the creates (0 creates: pages only). The servers run in this process (release build),
//! the clients beside them, all sharing the machine's cores. BENCH_AUDIT_ROUNDS (default 3) sets
//! the pairs of the trail's cost; BENCH_AUDIT_SQL changes the SQLite schema before each run with the
//! trail, to measure an index before writing its migration.

use std::time::{Duration, Instant};

use futures::future::join_all;
use invitedesk_model::{NewInvitation, Page, PermissionPolicy, TokenResponse};
use invitedesk_server::config::TEST_DATABASE_URL;
use invitedesk_server::db::DatabaseUrl;
use invitedesk_server::{demo, start, Config, RunningServer};
use uuid::Uuid;

const PAGE_READS: usize = 300;
/// Invitations the organisation holds before the creates are measured.
const EXISTING: u32 = 20_000;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let postgres = std::env::var(TEST_DATABASE_URL).ok();
    let dir = tempfile::tempdir().unwrap();
    if env_number("BENCH_CREATES", 6_000) > 0 {
        println!("## creates");
        audit_cost("SQLite", || {
            sqlite(&dir, &format!("creates-{}.db", Uuid::new_v4()))
        })
        .await;
        if let Some(admin) = &postgres {
            audit_cost("PostgreSQL", || pg(admin)).await;
            creates("PostgreSQL, 2 instances", &pg(admin), 2, true).await;
        }
    }
    let rows = env_number("BENCH_SCALE_ROWS", 1_000_000);
    if rows == 0 {
        return;
    }
    println!("## pages over {rows} invitations in one organisation");
    pages("SQLite", &sqlite(&dir, "scale.db"), rows).await;
    if let Some(admin) = &postgres {
        pages("PostgreSQL", &pg(admin), rows).await;
    }
}

fn sqlite(dir: &tempfile::TempDir, name: &str) -> DatabaseUrl {
    DatabaseUrl::Sqlite(dir.path().join(name))
}

fn pg(admin: &str) -> DatabaseUrl {
    DatabaseUrl::Postgres(invitedesk_server::db::postgres::throwaway_database(admin).unwrap())
}

async fn instance(database: &DatabaseUrl) -> RunningServer {
    let dir = tempfile::tempdir().unwrap().keep();
    let mut config = Config::for_database(dir.join("unused.db"));
    config.database_url = Some(database.clone());
    config.mail_dir = Some(dir.join("mail"));
    // Sending limits are policy, not capacity: lifted to measure the server itself.
    config.org_sends_per_minute = u32::MAX;
    start(config).await.unwrap()
}

async fn skip_audit_writes(server: &RunningServer) {
    server
        .state
        .db
        .write(|tx| {
            let sql = match tx.is_postgres() {
                true => {
                    "CREATE RULE bench_skip_audit AS ON INSERT TO audit_events DO INSTEAD NOTHING"
                }
                false => {
                    "CREATE TRIGGER bench_skip_audit BEFORE INSERT ON audit_events
                          BEGIN SELECT RAISE(IGNORE); END"
                }
            };
            tx.execute_batch(sql)
        })
        .await
        .unwrap();
}

/// `BENCH_AUDIT_SQL`, run on a SQLite database before the trail's creates: measures a
/// change to the trail's indexes (`DROP INDEX audit_events_action;`, say) without a migration.
async fn try_schema_change(server: &RunningServer, sql: String) {
    server
        .state
        .db
        .write(move |tx| match tx.is_postgres() {
            true => Ok(()),
            false => tx.execute_batch(&sql),
        })
        .await
        .unwrap();
}

/// An admin's token and the organisation's base URL on `server`.
struct Caller {
    http: reqwest::Client,
    base: String,
    token: String,
}

async fn caller(server: &RunningServer, demo: &demo::DemoCredentials) -> Caller {
    let org = &demo.organizations[0];
    let admin = &org.principals["admin"];
    let http = reqwest::Client::new();
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
    Caller {
        http,
        base: format!("{}/organizations/{}", server.base_url(), org.org_id),
        token,
    }
}

impl Caller {
    async fn get(&self, path: &str) -> bytes::Bytes {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        response.bytes().await.unwrap()
    }
}

/// What writing the audit trail costs the creates: `BENCH_AUDIT_ROUNDS` (default 3) pairs, each
/// a run with the trail's inserts skipped and one with them, on fresh databases, their order
/// alternating so that neither always runs on a warmer (or busier) machine; the median of the
/// pairs' ratios is the figure, since this shared machine moves single runs by ±20 %.
async fn audit_cost(backend: &str, database: impl Fn() -> DatabaseUrl) {
    let mut ratios = Vec::new();
    for round in 0..env_number("BENCH_AUDIT_ROUNDS", 3) {
        let skipped_name = format!("{backend}, audit writes skipped (yardstick)");
        let written_name = format!("{backend}, 1 instance");
        let (skipped, written) = if round % 2 == 0 {
            let skipped = creates(&skipped_name, &database(), 1, false).await;
            (skipped, creates(&written_name, &database(), 1, true).await)
        } else {
            let written = creates(&written_name, &database(), 1, true).await;
            (creates(&skipped_name, &database(), 1, false).await, written)
        };
        ratios.push(written / skipped);
    }
    ratios.sort_by(f64::total_cmp);
    let listed: Vec<String> = ratios.iter().map(|r| format!("{r:.2}")).collect();
    println!(
        "{backend}: creates with the trail / without, median of {} pairs: {:.2} ({})",
        ratios.len(),
        ratios[ratios.len() / 2],
        listed.join(", ")
    );
}

/// `trail`: false skips the audit trail's inserts in the database itself (a trigger or a
/// rule that drops them), so the same server code measures what writing the trail costs.
async fn creates(name: &str, database: &DatabaseUrl, instances: usize, trail: bool) -> f64 {
    let mut servers = Vec::new();
    for _ in 0..instances {
        servers.push(instance(database).await);
    }
    if !trail {
        skip_audit_writes(&servers[0]).await;
    } else if let Ok(sql) = std::env::var("BENCH_AUDIT_SQL") {
        try_schema_change(&servers[0], sql).await;
    }
    let demo = demo::seed(&servers[0].state, &servers[0].base_url())
        .await
        .unwrap();
    // An organisation already in use, whose statistics the planner has (bulk loading ends
    // with ANALYZE on PostgreSQL): not a database created a second ago, which autovacuum
    // first looks at a minute later.
    demo::bulk_invitations(&servers[0].state, demo.organizations[0].org_id, EXISTING)
        .await
        .unwrap();
    let mut callers = Vec::new();
    for server in &servers {
        callers.push(caller(server, &demo).await);
    }
    let policies: Page<PermissionPolicy> =
        serde_json::from_slice(&callers[0].get("/permissionpolicies").await).unwrap();
    let policy = policies.data[0].id;
    let (count, clients) = (
        env_number("BENCH_CREATES", 6_000),
        env_number("BENCH_CLIENTS", 16),
    );
    let started = Instant::now();
    let tasks = (0..clients).map(|client| {
        let caller = &callers[client % instances];
        async move {
            let mut latencies = Vec::new();
            for i in (client..count).step_by(clients) {
                let invitation = NewInvitation {
                    email: format!("bench{i}@example.com"),
                    first_name: Some("Bench".into()),
                    last_name: Some(format!("Person {i}")),
                    contact_number: Some("+1 555 0100".into()),
                    permission_policy_ids: vec![policy],
                    ..Default::default()
                };
                let sent = Instant::now();
                let response = caller
                    .http
                    .post(format!("{}/invitations", caller.base))
                    .bearer_auth(&caller.token)
                    .header("Idempotency-Key", Uuid::new_v4().to_string())
                    .json(&invitation)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
                response.bytes().await.unwrap();
                latencies.push(sent.elapsed());
            }
            latencies
        }
    });
    let mut latencies: Vec<Duration> = join_all(tasks).await.into_iter().flatten().collect();
    let rate = report(
        &format!("create, {name}"),
        clients,
        &mut latencies,
        started.elapsed(),
    );
    for server in servers {
        server.stop().await;
    }
    rate
}

async fn pages(name: &str, database: &DatabaseUrl, rows: usize) {
    let server = instance(database).await;
    let demo = demo::seed(&server.state, &server.base_url()).await.unwrap();
    let org = demo.organizations[0].org_id;
    let loading = Instant::now();
    demo::bulk_invitations(&server.state, org, rows as u32)
        .await
        .unwrap();
    println!(
        "{name}: {rows} invitations loaded in {:.0} s",
        loading.elapsed().as_secs_f64()
    );
    let caller = caller(&server, &demo).await;
    let first: Page<invitedesk_model::Invitation> =
        serde_json::from_slice(&caller.get("/invitations?pageSize=1").await).unwrap();
    let one = first.data[0].id;
    let mut seed = 0x2545_f491_u64;
    let mut random = move |below: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % below as u64) as usize
    };
    let n = rows;
    let queries: Vec<(&str, PathOf)> = vec![
        (
            "get one by id (yardstick)",
            Box::new(move || format!("/invitations/{one}")),
        ),
        (
            "list page of 50, newest first",
            Box::new(|| "/invitations?pageSize=50".into()),
        ),
        (
            "status=Accepted (rare)",
            Box::new(|| "/invitations?pageSize=50&status=Accepted".into()),
        ),
        (
            "status=Pending (nearly all)",
            Box::new(|| "/invitations?pageSize=50&status=Pending".into()),
        ),
        (
            "status=Expired (none: all bulk rows are live)",
            Box::new(|| "/invitations?pageSize=50&status=Expired".into()),
        ),
        (
            "status=Declined,Revoked",
            Box::new(|| "/invitations?pageSize=50&status=Declined,Revoked".into()),
        ),
        (
            "search a name: 'person <n>'",
            Box::new(move || format!("/invitations?pageSize=50&search=person%20{}", random(n))),
        ),
        (
            "search an e-mail: 'bulk<n>@'",
            Box::new(move || format!("/invitations?pageSize=50&search=bulk{}%40", random(n))),
        ),
        (
            "search 'person 12' (~0.1 % match)",
            Box::new(|| "/invitations?pageSize=50&search=person%2012".into()),
        ),
        (
            "search 'example' (all match)",
            Box::new(|| "/invitations?pageSize=50&search=example".into()),
        ),
        (
            "search 'zzz' (none match)",
            Box::new(|| "/invitations?pageSize=50&search=zzz".into()),
        ),
    ];
    for (label, mut path) in queries {
        let mut latencies = Vec::with_capacity(PAGE_READS);
        let started = Instant::now();
        for _ in 0..PAGE_READS {
            let path = path();
            let sent = Instant::now();
            caller.get(&path).await;
            latencies.push(sent.elapsed());
        }
        report(
            &format!("{name}: {label}"),
            1,
            &mut latencies,
            started.elapsed(),
        );
    }
    server.stop().await;
}

/// Makes the path of each request of one kind.
type PathOf = Box<dyn FnMut() -> String>;

/// Prints the line and answers the requests per second.
fn report(name: &str, clients: usize, latencies: &mut [Duration], elapsed: Duration) -> f64 {
    latencies.sort();
    let rate = latencies.len() as f64 / elapsed.as_secs_f64();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    println!(
        "{name:<52} {:>6} req, {clients:>2} clients: {:>7.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms",
        latencies.len(),
        rate,
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
    );
    rate
}
