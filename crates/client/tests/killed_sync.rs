//! A sync process killed half-way: the cache stays sound and the next sync completes it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use invitedesk_client::sync::sync;
use invitedesk_client::{ApiClient, Cache, Connection};
use invitedesk_server::{demo, start, Config};

const BULK: u32 = 30_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_half_way_leaves_a_sound_cache_and_the_next_sync_completes() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(Config::for_tests(dir.path().join("server.db")))
        .await
        .unwrap();
    let credentials = demo::seed(&server.state, &server.base_url()).await.unwrap();
    let org = &credentials.organizations[0];
    demo::bulk_invitations(&server.state, org.org_id, BULK)
        .await
        .unwrap();
    let admin = &org.principals["admin"];
    let cache_path = dir.path().join("cache.db");

    let mut child = Command::new(env!("CARGO_BIN_EXE_invitedesk-sync"))
        .arg(&cache_path)
        .env("INVITEDESK_BASE_URL", server.base_url())
        .env("INVITEDESK_ORG_ID", org.org_id.to_string())
        .env("INVITEDESK_ACCESS_KEY_ID", &admin.access_key_id)
        .env("INVITEDESK_API_SECRET", &admin.api_secret)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let started = tokio::task::block_in_place(|| {
        lines.find_map(|line| {
            let line = line.ok()?;
            let done: u64 = line.strip_prefix("progress Invitations ")?.parse().ok()?;
            (done >= 2_000).then_some(done)
        })
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(started.is_some(), "the sync was under way when killed");

    let check = rusqlite::Connection::open(&cache_path).unwrap();
    let sound: String = check
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sound, "ok");
    let partial: i64 = check
        .query_row("SELECT count(*) FROM invitations", [], |r| r.get(0))
        .unwrap();
    assert!(
        partial > 0 && partial < i64::from(BULK),
        "killed half-way: {partial} rows"
    );
    drop(check);

    let connection = Connection {
        base_url: server.base_url(),
        org_id: org.org_id,
        access_key_id: admin.access_key_id.clone(),
        api_secret: admin.api_secret.clone(),
    };
    let api = ApiClient::new(connection).unwrap();
    let cache = Arc::new(Mutex::new(Cache::open(&cache_path).unwrap()));
    let resumed = sync(&api, &cache, |_| {}).await.unwrap();
    assert!(
        resumed.invitations < u64::from(BULK) + 50,
        "resumed from its cursor, not from the start"
    );
    let cached: i64 = cache
        .lock()
        .unwrap()
        .connection()
        .query_row("SELECT count(*) FROM invitations", [], |r| r.get(0))
        .unwrap();
    let org_id = org.org_id.to_string();
    let on_server: i64 = server
        .state
        .db
        .read(move |c| {
            let sql = "SELECT count(*) FROM invitations WHERE org_id = ? AND deleted = 0";
            c.query_row(sql, [org_id], |r| r.get(0))
        })
        .await
        .unwrap();
    assert_eq!(cached, on_server);
}

#[test]
fn the_command_line_sync_refuses_an_address_that_is_not_this_computer_over_plain_http() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_invitedesk-sync"))
        .arg(dir.path().join("cache.db"))
        .env("INVITEDESK_BASE_URL", "http://localhost.evil.example")
        .env("INVITEDESK_ORG_ID", uuid::Uuid::nil().to_string())
        .env("INVITEDESK_ACCESS_KEY_ID", "key")
        .env("INVITEDESK_API_SECRET", "secret")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("https://"), "{stderr}");
}
