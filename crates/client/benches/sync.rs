//! The client against the release server on loopback with 100k invitations: downloading every
//! page, a full sync into an empty cache (same pages, also applied), an incremental sync with
//! nothing changed, a table window and a find by e-mail prefix. `cargo bench -p invitedesk-client`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use invitedesk_client::api::ListQuery;
use invitedesk_client::queries::{self, SortColumn, Window};
use invitedesk_client::sync::{sync, PAGE_SIZE};
use invitedesk_client::{ApiClient, Cache, Connection};
use invitedesk_model::InvitationStatus;
use invitedesk_server::{demo, start, Config};

const INVITATIONS: u32 = 100_000;

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(Config::for_database(dir.path().join("server.db")))
        .await
        .unwrap();
    let credentials = demo::seed(&server.state, &server.base_url()).await.unwrap();
    let org = &credentials.organizations[0];
    demo::bulk_invitations(&server.state, org.org_id, INVITATIONS)
        .await
        .unwrap();
    let admin = &org.principals["admin"];
    let api = ApiClient::new(Connection {
        base_url: server.base_url(),
        org_id: org.org_id,
        access_key_id: admin.access_key_id.clone(),
        api_secret: admin.api_secret.clone(),
    })
    .unwrap();
    api.me().await.unwrap();

    let started = Instant::now();
    let mut cursor = DateTime::<Utc>::UNIX_EPOCH;
    let mut downloaded = 0;
    loop {
        let query = ListQuery {
            page_size: Some(PAGE_SIZE),
            modified_since: Some(cursor),
            ..Default::default()
        };
        let page = api.list_invitations(&query).await.unwrap();
        downloaded += page.data.len();
        match (
            page.next_token,
            page.data.last().and_then(|i| i.dt_last_modified),
        ) {
            (Some(_), Some(last)) => cursor = last,
            _ => break,
        }
    }
    let download = started.elapsed();
    report(
        "download every page (no cache)",
        download,
        &format!("{downloaded} invitations"),
    );

    let cache = Arc::new(Mutex::new(
        Cache::open(&dir.path().join("cache.db")).unwrap(),
    ));
    let started = Instant::now();
    let full = sync(&api, &cache, |_| {}).await.unwrap();
    let full_time = started.elapsed();
    report(
        "full sync into an empty cache",
        full_time,
        &format!(
            "{} invitations, {:.2}x the download",
            full.invitations,
            full_time.as_secs_f64() / download.as_secs_f64()
        ),
    );

    let runs = 50;
    let started = Instant::now();
    for _ in 0..runs {
        let idle = sync(&api, &cache, |_| {}).await.unwrap();
        assert_eq!(idle.invitations, 0);
    }
    report(
        "incremental sync, nothing changed",
        started.elapsed() / runs,
        "mean of 50 (two lists, one request each)",
    );

    let window = Window {
        statuses: vec![InvitationStatus::Pending],
        search: Some("person 12".into()),
        sort: SortColumn::Email,
        descending: true,
        offset: 0,
        limit: 100,
    };
    let now = Utc::now();
    let started = Instant::now();
    let mut total = 0;
    for _ in 0..runs {
        total = queries::invitation_window(&cache.lock().unwrap(), &window, now)
            .unwrap()
            .total;
    }
    report(
        "window: Pending + search + sort, 100 rows",
        started.elapsed() / runs,
        &format!("{total} matching, mean of 50"),
    );

    let plain = Window {
        limit: 100,
        ..Default::default()
    };
    let started = Instant::now();
    for _ in 0..runs {
        queries::invitation_window(&cache.lock().unwrap(), &plain, now).unwrap();
    }
    report(
        "window: all, newest first, 100 rows",
        started.elapsed() / runs,
        "mean of 50",
    );

    let started = Instant::now();
    for _ in 0..runs {
        queries::find_by_email_prefix(&cache.lock().unwrap(), "bulk9999", 20, now).unwrap();
    }
    report(
        "find by e-mail prefix",
        started.elapsed() / runs,
        "mean of 50",
    );
    server.stop().await;
}

fn report(what: &str, took: Duration, detail: &str) {
    println!(
        "{what:<44} {:>10.2} ms   {detail}",
        took.as_secs_f64() * 1e3
    );
}
