//! The Activity tab's windows over 1,000,000 cached audit events (budget: ≤ 15 ms each):
//! newest first at the top and deep in the list, by action, actor, record and e-mail, a day's
//! range, and searches (narrow and broad), each against a bare read of 100 rowids in the same
//! run. The cache is filled directly (no server), as a year of a busy organisation's trail.
//!   cargo bench -p invitedesk-client --bench activity      (BENCH_EVENTS to change the volume)

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use invitedesk_client::activity::{activity_window, ActivityFilter};
use invitedesk_client::cache::{ActivityRow, List};
use invitedesk_client::Cache;
use invitedesk_model::{AuditAction, AuditEvent, FieldChange};
use uuid::Uuid;

const ACTORS: usize = 40;
const RECORDS: usize = 50_000;
const REPEATS: usize = 50;

fn main() {
    let events: usize = std::env::var("BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let mut cache = Cache::open(&dir.path().join("cache.db")).unwrap();
    let actors: Vec<Uuid> = (0..ACTORS).map(|_| Uuid::new_v4()).collect();
    let records: Vec<Uuid> = (0..RECORDS).map(|_| Uuid::new_v4()).collect();
    let started = Instant::now();
    // As a first, full sync fills it: the indexes built once at the end.
    cache.drop_indexes_if_empty(List::Activity).unwrap();
    fill(&mut cache, events, &actors, &records);
    cache.build_indexes(List::Activity).unwrap();
    println!(
        "filled {events} events in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let day = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
    let cases: Vec<(&str, ActivityFilter)> = vec![
        ("newest 100", ActivityFilter::default()),
        (
            "100 at offset 500,000",
            ActivityFilter {
                offset: 500_000,
                ..Default::default()
            },
        ),
        (
            "by action (invitation.revoked)",
            ActivityFilter {
                action: Some("invitation.revoked".into()),
                ..Default::default()
            },
        ),
        (
            "by actor",
            ActivityFilter {
                actor_id: Some(actors[7].to_string()),
                ..Default::default()
            },
        ),
        (
            "by record",
            ActivityFilter {
                record_id: Some(records[123]),
                ..Default::default()
            },
        ),
        (
            "by e-mail",
            ActivityFilter {
                email: Some("person123@example.com".into()),
                ..Default::default()
            },
        ),
        (
            "one day",
            ActivityFilter {
                from: Some(day),
                to: Some(day + chrono::Duration::days(1)),
                ..Default::default()
            },
        ),
        (
            "search, narrow (one person)",
            ActivityFilter {
                search: Some("person4242@".into()),
                ..Default::default()
            },
        ),
        (
            "search, broad (every resend)",
            ActivityFilter {
                search: Some("resent".into()),
                ..Default::default()
            },
        ),
    ];
    // The first search builds the in-memory index: timed apart, as the first keystroke.
    let started = Instant::now();
    activity_window(
        &cache,
        &ActivityFilter {
            search: Some("x".into()),
            limit: 100,
            ..Default::default()
        },
    )
    .unwrap();
    println!(
        "first search (builds the index): {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );

    let bare = time(|| {
        let mut statement = cache
            .connection()
            .prepare_cached(
                "SELECT rowid FROM activity ORDER BY dt_created DESC, rowid DESC LIMIT 100",
            )
            .unwrap();
        let rows: Vec<i64> = statement
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(rows.len(), 100);
    });
    println!("| window | p50 | p99 | first after a write | rows matching |");
    println!("|---|---|---|---|---|");
    println!(
        "| yardstick: 100 rowids, newest first, no records read | {} | {} | |",
        ms(bare.0),
        ms(bare.1)
    );
    for (name, filter) in cases {
        let filter = ActivityFilter {
            limit: 100,
            ..filter
        };
        let mut total = 0;
        let (p50, p99) = time(|| {
            let found = activity_window(&cache, &filter).unwrap();
            total = found.total;
        });
        // The first window after a sync counts afresh: timed apart.
        cache
            .apply::<ActivityRow>(List::Activity, &[], None)
            .unwrap();
        let started = Instant::now();
        activity_window(&cache, &filter).unwrap();
        let fresh = started.elapsed();
        println!(
            "| {name} | {} | {} | {} | {total} |",
            ms(p50),
            ms(p99),
            ms(fresh)
        );
    }
}

/// `events` events over a year, in batches as a sync applies them.
fn fill(cache: &mut Cache, events: usize, actors: &[Uuid], records: &[Uuid]) {
    let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let step = 365 * 86_400_000_000_i64 / events.max(1) as i64;
    let mut batch = Vec::with_capacity(10_000);
    for i in 0..events {
        let action = AuditAction::ALL[i % AuditAction::ALL.len()];
        let at = start + chrono::Duration::microseconds(step * i as i64);
        let record = i % records.len();
        let event = AuditEvent {
            id: Uuid::new_v4(),
            dt_created: at,
            dt_last_modified: Some(at),
            actor_id: Some(actors[i % actors.len()]),
            actor_kind: "person".into(),
            actor_name: format!("Actor {}", i % actors.len()),
            action: action.as_str().into(),
            record_type: action.record_type().into(),
            record_id: Some(records[record]),
            record_email: Some(format!("person{record}@example.com")),
            client_address: Some("192.0.2.10".into()),
            user_agent: Some("InviteDesk/0.1".into()),
            changes: vec![FieldChange {
                field: "firstName".into(),
                old: serde_json::json!("Ada"),
                new: serde_json::json!("Adah"),
            }],
        };
        let json = serde_json::to_string(&event).unwrap();
        batch.push(ActivityRow::new(&event, &json));
        if batch.len() == 10_000 {
            cache.apply(List::Activity, &batch, Some(at)).unwrap();
            batch.clear();
        }
    }
    cache.apply(List::Activity, &batch, None).unwrap();
}

/// p50 and p99 of `REPEATS` runs of `work`, after one to warm up.
fn time(mut work: impl FnMut()) -> (Duration, Duration) {
    work();
    let mut times: Vec<Duration> = (0..REPEATS)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .collect();
    times.sort();
    (times[REPEATS / 2], times[REPEATS * 99 / 100])
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}
