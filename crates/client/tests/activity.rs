//! The audit trail synced into the cache, and the Activity tab's reads over it, against the
//! real server: filters, search, a record's history in plain words, CSV, offline.

use std::path::Path;
use std::sync::{Arc, Mutex};

mod support;

use invitedesk_client::activity::{self, ActivityFilter};
use invitedesk_client::cache::List;
use invitedesk_client::sync::sync;
use invitedesk_client::ApiClient;
use invitedesk_client::Cache;
use invitedesk_model::{Invitation, NewInvitation};
use invitedesk_server::RunningServer;

fn cache_in(dir: &Path, name: &str) -> Arc<Mutex<Cache>> {
    Arc::new(Mutex::new(
        Cache::open(&dir.join(format!("{name}/cache.db"))).unwrap(),
    ))
}

/// A demo server, and `principal` of its first organisation with a cache of their own.
async fn signed_in(dir: &Path, principal: &str) -> (RunningServer, ApiClient, Arc<Mutex<Cache>>) {
    let (server, demo) = support::demo_server_and_credentials(dir, false).await;
    let client = support::client_of(&server, &demo.organizations[0], principal);
    (server, client, cache_in(dir, principal))
}

fn window(cache: &Mutex<Cache>, filter: ActivityFilter) -> Vec<String> {
    let found = activity::activity_window(
        &cache.lock().unwrap(),
        &ActivityFilter {
            limit: 100,
            ..filter
        },
    )
    .unwrap();
    assert!(found.total as usize >= found.rows.len());
    found.rows.into_iter().map(|r| r.event.action).collect()
}

/// A new person invited by `admin` with the organisation's first policy.
async fn invite(
    admin: &ApiClient,
    email: &str,
    first: &str,
    last: &str,
    phone: &str,
) -> Invitation {
    let policy = admin.permission_policies().await.unwrap()[0].id;
    admin
        .create_invitation(&NewInvitation {
            email: email.into(),
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            contact_number: Some(phone.into()),
            permission_policy_ids: vec![policy],
            ..Default::default()
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn the_trail_syncs_incrementally_and_answers_filters_history_and_csv_offline() {
    let dir = tempfile::tempdir().unwrap();
    let (server, admin, cache) = signed_in(dir.path(), "admin").await;
    let invitation = invite(
        &admin,
        "trail@example.com",
        "Grace",
        "Hopper",
        "+1 555 0100",
    )
    .await;
    sync(&admin, &cache, |_| {}).await.unwrap();
    let first_cursor = cache
        .lock()
        .unwrap()
        .sync_state(List::Activity)
        .unwrap()
        .cursor;
    assert!(first_cursor.is_some(), "the trail's cursor moved");

    admin.resend_invitation(invitation.id).await.unwrap();
    admin.revoke_invitation(invitation.id).await.unwrap();
    let report = sync(&admin, &cache, |_| {}).await.unwrap();
    assert_eq!(report.activity, 2, "only the two new events came down");

    let mine = ActivityFilter {
        record_id: Some(invitation.id),
        ..Default::default()
    };
    assert_eq!(
        window(&cache, mine.clone()),
        vec![
            "invitation.revoked",
            "invitation.resent",
            "invitation.created"
        ]
    );
    let resent = ActivityFilter {
        action: Some("invitation.resent".into()),
        ..Default::default()
    };
    assert_eq!(window(&cache, resent), vec!["invitation.resent"]);
    let searched = ActivityFilter {
        search: Some("TRAIL@example".into()),
        action: Some("invitation.revoked".into()),
        ..Default::default()
    };
    assert_eq!(window(&cache, searched), vec!["invitation.revoked"]);
    let later = ActivityFilter {
        record_id: Some(invitation.id),
        from: Some(chrono::Utc::now() + chrono::Duration::hours(1)),
        ..Default::default()
    };
    assert!(window(&cache, later).is_empty());

    let actors = activity::activity_actors(&cache.lock().unwrap()).unwrap();
    let admin_name = actors
        .iter()
        .find(|a| a.name.contains("admin") || a.name.contains("Admin"))
        .map(|a| a.name.clone())
        .unwrap_or_else(|| panic!("the admin among {actors:?}"));

    // The server gone, the cache still tells the story.
    server.stop().await;
    let history = activity::record_history(&cache.lock().unwrap(), invitation.id, None, 0).unwrap();
    assert_eq!(history.len(), 3, "{history:?}");
    assert!(
        history[0].starts_with(&format!("Sent by {admin_name} on ")),
        "{history:?}"
    );
    assert!(
        history[1].starts_with(&format!("Resent by {admin_name} on ")),
        "{history:?}"
    );
    assert!(
        history[2].starts_with(&format!("Revoked by {admin_name} on ")),
        "{history:?}"
    );

    let mut out = Vec::new();
    let rows = activity::export_activity_csv(&cache.lock().unwrap(), &mine, &mut out).unwrap();
    assert_eq!(rows, 3);
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("Time,Who,Actor kind,Action,"), "{text}");
    assert!(text.contains("invitation.resent") && text.contains("trail@example.com"));
}

#[tokio::test]
async fn a_principal_that_may_not_read_the_trail_syncs_the_rest_and_keeps_none_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, reader, cache) = signed_in(dir.path(), "readonly").await;
    let report = sync(&reader, &cache, |_| {}).await.unwrap();
    assert!(report.invitations > 0, "the lists still sync");
    assert_eq!(report.activity, 0);
    assert!(window(&cache, ActivityFilter::default()).is_empty());
}

#[tokio::test]
async fn a_deleted_records_personal_data_leaves_the_synced_trail_with_its_tombstone() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, admin, cache) = signed_in(dir.path(), "admin").await;
    let invitation = invite(
        &admin,
        "forget.me@example.com",
        "Ada",
        "Forgotten",
        "+44 20 7946 0000",
    )
    .await;
    admin.revoke_invitation(invitation.id).await.unwrap();
    sync(&admin, &cache, |_| {}).await.unwrap();
    let by_email = ActivityFilter {
        search: Some("forget.me@example.com".into()),
        ..Default::default()
    };
    assert_eq!(window(&cache, by_email.clone()).len(), 2, "cached as sent");

    admin.delete_invitation(invitation.id).await.unwrap();
    let report = sync(&admin, &cache, |_| {}).await.unwrap();
    assert_eq!(report.activity, 1, "only the deletion's event came down");

    assert!(window(&cache, by_email).is_empty(), "the e-mail is gone");
    let found = activity::activity_window(
        &cache.lock().unwrap(),
        &ActivityFilter {
            record_id: Some(invitation.id),
            limit: 100,
            ..Default::default()
        },
    )
    .unwrap();
    let actions: Vec<&str> = found.rows.iter().map(|r| r.event.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "invitation.deleted",
            "invitation.revoked",
            "invitation.created"
        ]
    );
    let cached =
        serde_json::to_string(&found.rows.iter().map(|r| &r.event).collect::<Vec<_>>()).unwrap();
    for personal in ["forget.me", "Forgotten", "\"Ada\"", "7946"] {
        assert!(!cached.contains(personal), "{personal} left in {cached}");
    }
    assert!(
        cached.contains("(erased)"),
        "the changes stay, their values erased"
    );
}
