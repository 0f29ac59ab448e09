//! The two backends side by side, in one run: invitation creates (one SQLite instance, one
//! PostgreSQL instance, two PostgreSQL instances on one database), then list, status-filter
//! and search pages over a million invitations in one organisation on each backend.
//!   scripts/with-postgres cargo bench -p invitedesk-server --bench backends
//! Without INVITEDESK_TEST_DATABASE_URL only the SQLite figures are taken.
//! BENCH_SCALE_ROWS (default 1,000,000; 0: no pages) sets the volume; BENCH_CREATES (default 6,000) and
//! BENCH_CLIENTS (default 16) the creates (0 creates: pages only). The servers run in this process (release build),
//! the clients beside them, all sharing the machine's cores. BENCH_AUDIT_ROUNDS (default 3) sets
//! the ABBA blocks of the trail's cost (`audit_cost`); BENCH_AUDIT_SQL changes the SQLite schema before each run with the
//! trail, to measure an index before writing its migration.

use std::collections::HashMap;
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

/// What writing the audit trail costs the creates: `BENCH_AUDIT_ROUNDS` (default 3) blocks of
/// four runs on fresh databases, in the order without, with, with, without the trail's inserts
/// (ABBA), so that neither side gains from running first or second, nor from a machine getting
/// busier or quieter: a pair in one fixed order came out bimodal here (0.83–0.87 one way,
/// 0.95–1.04 the other), and its median followed whichever order had one pair more. The
/// median of the blocks' ratios is the figure; this shared machine moves single runs ±20 %.
async fn audit_cost(backend: &str, database: impl Fn() -> DatabaseUrl) {
    let (mut ratios, mut writer_ratios) = (Vec::new(), Vec::new());
    let skipped_name = format!("{backend}, audit writes skipped (yardstick)");
    let written_name = format!("{backend}, 1 instance");
    for _ in 0..env_number("BENCH_AUDIT_ROUNDS", 3) {
        let mut block = Vec::new();
        for trail in [false, true, true, false] {
            let name = if trail { &written_name } else { &skipped_name };
            block.push((trail, creates(name, &database(), 1, trail).await));
        }
        let total = |trail: bool, of: fn(&Creates) -> f64| -> f64 {
            block
                .iter()
                .filter(|(t, _)| *t == trail)
                .map(|(_, c)| of(c))
                .sum()
        };
        ratios.push(total(true, |c| c.per_second) / total(false, |c| c.per_second));
        let cpu = |c: &Creates| c.writer_cpu_per_create.as_secs_f64();
        if total(true, cpu) > 0.0 {
            writer_ratios.push(total(false, cpu) / total(true, cpu));
        }
    }
    print_median(
        &format!("{backend}: creates with the trail / without"),
        ratios,
    );
    if !writer_ratios.is_empty() {
        print_median(
            &format!("{backend}: the writer's time per create without the trail / with"),
            writer_ratios,
        );
    }
}

fn print_median(what: &str, mut ratios: Vec<f64>) {
    ratios.sort_by(f64::total_cmp);
    let listed: Vec<String> = ratios.iter().map(|r| format!("{r:.2}")).collect();
    println!(
        "{what}, median of {} ABBA blocks: {:.2} ({})",
        ratios.len(),
        ratios[ratios.len() / 2],
        listed.join(", ")
    );
}

/// What one run of creates measured.
struct Creates {
    per_second: f64,
    /// CPU time of SQLite's one writer thread per create (zero on PostgreSQL): every write
    /// waits for that thread, so throughput follows it, and a noisy neighbour on this shared
    /// host moves it far less than it moves a wall-clock rate.
    writer_cpu_per_create: Duration,
}

/// CPU ticks used so far by each of this process's SQLite writer threads, by thread id (Linux
/// `/proc`; none elsewhere). `utime` and `stime` are the 14th and 15th fields of a task's
/// `stat`, in clock ticks of 10 ms (USER_HZ is 100 on Linux).
fn writer_ticks() -> HashMap<String, u64> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return HashMap::new();
    };
    tasks
        .flatten()
        .filter_map(|task| {
            let name = std::fs::read_to_string(task.path().join("comm")).ok()?;
            if name.trim() != "db-writer" {
                return None;
            }
            let stat = std::fs::read_to_string(task.path().join("stat")).ok()?;
            let after_name: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
            let time = |i: usize| after_name.get(i)?.parse::<u64>().ok();
            Some((
                task.file_name().to_string_lossy().into_owned(),
                time(11)? + time(12)?,
            ))
        })
        .collect()
}

/// The writer CPU used since `before`, by the writers alive now (a stopped server's writer
/// may end meanwhile).
fn writer_cpu_since(before: &HashMap<String, u64>) -> Duration {
    let ticks: u64 = writer_ticks()
        .iter()
        .map(|(tid, now)| now.saturating_sub(before.get(tid).copied().unwrap_or(0)))
        .sum();
    Duration::from_millis(ticks * 10)
}

/// `trail`: false skips the audit trail's inserts in the database itself (a trigger or a
/// rule that drops them), so the same server code measures what writing the trail costs.
async fn creates(name: &str, database: &DatabaseUrl, instances: usize, trail: bool) -> Creates {
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
    let (started, writer_before) = (Instant::now(), writer_ticks());
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
    let writer_cpu_per_create = writer_cpu_since(&writer_before) / count as u32;
    let per_second = report(
        &format!("create, {name}"),
        clients,
        &mut latencies,
        started.elapsed(),
    );
    if writer_cpu_per_create > Duration::ZERO {
        println!("  the writer's CPU per create: {writer_cpu_per_create:.1?}");
    }
    for server in servers {
        server.stop().await;
    }
    Creates {
        per_second,
        writer_cpu_per_create,
    }
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
