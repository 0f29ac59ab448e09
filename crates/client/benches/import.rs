//! Importing 1,000 rows (issue 17; budgets: the preview ≤ 200 ms, the send ≤ 5 s end to end).
//! The preview (read the file, match the headers, check every row against the rules and a
//! synced cache, forecast the seats) against a yardstick in the same run: the same bytes
//! parsed by the `csv` crate alone. The send against the release server on loopback (SQLite,
//! the organisation's sending limit raised, since its default of 600 a minute would hold a
//! thousand back), in batches, against the same 1,000 created one request each (4 in flight,
//! as against m3ter's API).
//!   cargo bench -p invitedesk-client --bench import

use std::time::{Duration, Instant};

use invitedesk_client::bulk::Cancel;
use invitedesk_client::import::{
    guess_mapping, preview, read_table, ready_rows, send_rows, KnownPeople, RowOutcome,
};
use invitedesk_client::session::Session;
use invitedesk_client::{ApiClient, Connection};
use invitedesk_server::{demo, start, Config};

const ROWS: usize = 1_000;
const PREVIEW_REPEATS: usize = 20;
const SEND_ROUNDS: usize = 3;

/// 1,000 people as a spreadsheet exports them: 900 with a policy only, 100 placed in a
/// subscription with a handful of free seats (so the forecast has work to do).
fn spreadsheet(tag: &str) -> Vec<u8> {
    let mut out = String::from(
        "\u{feff}E-mail;First name;Last name;Contact number;Permission policies;Subscription;Role\r\n",
    );
    for n in 0..ROWS {
        let placed = if n % 10 == 0 {
            "Storefront Pro;Admin"
        } else {
            ";"
        };
        out.push_str(&format!(
            "{tag}.{n}@bench.example;Person;Number {n};+44 20 7946 {n:04};Read only;{placed}\r\n"
        ));
    }
    out.into_bytes()
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn time_preview(session: &Session, file: &[u8]) -> (Duration, usize) {
    let started = Instant::now();
    let table = read_table(file).unwrap();
    let mapping = guess_mapping(&table.headers);
    let cache = session.cache.lock().unwrap();
    let now = chrono::Utc::now();
    let known = KnownPeople::from_cache(&cache, now).unwrap();
    let checked = preview(&table, &mapping, &cache.catalog().unwrap(), &known, now, 0).unwrap();
    (started.elapsed(), checked.ready)
}

fn time_bare_parse(file: &[u8]) -> Duration {
    let started = Instant::now();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&file[3..]);
    let rows = reader.records().filter_map(Result::ok).count();
    assert_eq!(rows, ROWS);
    started.elapsed()
}

async fn time_send(session: &Session, file: &[u8], profile: &str) -> (Duration, usize) {
    let table = read_table(file).unwrap();
    let mapping = guess_mapping(&table.headers);
    let checked = {
        let cache = session.cache.lock().unwrap();
        let now = chrono::Utc::now();
        let known = KnownPeople::from_cache(&cache, now).unwrap();
        preview(&table, &mapping, &cache.catalog().unwrap(), &known, now, 0).unwrap()
    };
    let rows = ready_rows(&checked, profile, file);
    let started = Instant::now();
    let sent = send_rows(&session.api, rows, &Cancel::default(), |_, _| {}).await;
    let elapsed = started.elapsed();
    let created = sent
        .iter()
        .filter(|r| matches!(r.outcome, RowOutcome::Created { .. }))
        .count();
    (elapsed, created)
}

/// A server with demo data, its sending limit raised, and the admin's synced session of it.
async fn server_and_session(
    dir: &std::path::Path,
    m3ter_only: bool,
) -> (invitedesk_server::RunningServer, Session) {
    let mut config = Config::for_tests(dir.join("server.db"));
    config.org_sends_per_minute = 1_000_000;
    config.m3ter_only = m3ter_only;
    let server = start(config).await.unwrap();
    let credentials = demo::seed(&server.state, &server.base_url()).await.unwrap();
    let org = &credentials.organizations[0];
    let admin = &org.principals["admin"];
    let api = ApiClient::new(Connection {
        base_url: server.base_url(),
        org_id: org.org_id,
        access_key_id: admin.access_key_id.clone(),
        api_secret: admin.api_secret.clone(),
    })
    .unwrap();
    let session = Session::open(api, &dir.join("cache.db")).unwrap();
    session.sync(|_| {}).await.unwrap();
    session.sync_catalog().await.unwrap();
    (server, session)
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let m3ter_dir = tempfile::tempdir().unwrap();
    let (server, session) = server_and_session(dir.path(), false).await;
    let (m3ter_server, m3ter) = server_and_session(m3ter_dir.path(), true).await;

    let file = spreadsheet("preview");
    let (mut previews, mut yardsticks) = (Vec::new(), Vec::new());
    let mut ready = 0;
    for _ in 0..PREVIEW_REPEATS {
        let (took, r) = time_preview(&session, &file);
        previews.push(took);
        ready = r;
        yardsticks.push(time_bare_parse(&file));
    }
    println!(
        "preview of {ROWS} rows: median {} (slowest {}), {ready} ready; yardstick, csv parse alone: median {}",
        ms(median(&mut previews)),
        ms(*previews.last().unwrap()),
        ms(median(&mut yardsticks)),
    );

    let (mut batched, mut singles) = (Vec::new(), Vec::new());
    for round in 0..SEND_ROUNDS {
        // Batches through the batch endpoint, then one request per row (a server answering as
        // m3ter's API, with no batch) on a fresh file each.
        let (took, created) =
            time_send(&session, &spreadsheet(&format!("batch{round}")), "bench").await;
        batched.push(took);
        println!(
            "round {round}: batched send {} ({created} created)",
            ms(took)
        );
        let (took, created) =
            time_send(&m3ter, &spreadsheet(&format!("single{round}")), "m3ter").await;
        singles.push(took);
        println!(
            "round {round}: one request per row {} ({created} created)",
            ms(took)
        );
    }
    println!(
        "send of {ROWS} rows: batched median {}, one request per row median {} (median of {SEND_ROUNDS})",
        ms(median(&mut batched)),
        ms(median(&mut singles)),
    );
    server.stop().await;
    m3ter_server.stop().await;
}
