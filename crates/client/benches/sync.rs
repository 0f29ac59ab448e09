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
    let server = start(Config::for_tests(dir.path().join("server.db")))
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

    // This machine shares its cores: each round downloads, then syncs into a fresh cache, so
    // both see the same neighbours; the medians and the per-round ratio are reported.
    let rounds = 5;
    let (mut downloads, mut syncs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let mut cache = None;
    let mut synced = 0;
    for round in 0..rounds {
        let started = Instant::now();
        let downloaded = download_every_page(&api).await;
        let download = started.elapsed();
        assert_eq!(downloaded, INVITATIONS as usize + 11);
        let fresh = Arc::new(Mutex::new(
            Cache::open(&dir.path().join(format!("cache-{round}.db"))).unwrap(),
        ));
        let started = Instant::now();
        synced = sync(&api, &fresh, |_| {}).await.unwrap().invitations;
        let full = started.elapsed();
        downloads.push(download);
        syncs.push(full);
        ratios.push(full.as_secs_f64() / download.as_secs_f64());
        cache = Some(fresh);
    }
    let cache = cache.unwrap();
    report(
        "download every page (no cache)",
        median(&mut downloads),
        &format!(
            "median of {rounds}, fastest {:.0} ms",
            downloads[0].as_secs_f64() * 1e3
        ),
    );
    ratios.sort_by(f64::total_cmp);
    report(
        "full sync into an empty cache",
        median(&mut syncs),
        &format!(
            "median of {rounds}, fastest {:.0} ms; {synced} invitations; {:.2}x the download (median ratio)",
            syncs[0].as_secs_f64() * 1e3,
            ratios[rounds / 2]
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
        delivery: None,
        sort: SortColumn::Email,
        descending: true,
        offset: 0,
        limit: 100,
    };
    let started = Instant::now();
    queries::warm_search(&cache.lock().unwrap()).unwrap();
    report(
        "build the search index after the sync",
        started.elapsed(),
        "as Session::sync does, off the UI's path",
    );
    let now = Utc::now();
    let started = Instant::now();
    let first = queries::invitation_window(&cache.lock().unwrap(), &window, now).unwrap();
    report(
        "window, first search after the sync",
        started.elapsed(),
        &format!(
            "{} matching; builds the in-memory search index",
            first.total
        ),
    );
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

    server.stop().await;
}

/// Every page of invitations in modification order, parsed, nothing stored: the yardstick.
async fn download_every_page(api: &ApiClient) -> usize {
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
            _ => return downloaded,
        }
    }
}

/// Sorts `times` and answers the middle one.
fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn report(what: &str, took: Duration, detail: &str) {
    println!(
        "{what:<44} {:>10.2} ms   {detail}",
        took.as_secs_f64() * 1e3
    );
}
