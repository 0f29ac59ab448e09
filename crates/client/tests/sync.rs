//! Sync into the cache and the tables' queries over it, against the real server.

use std::sync::{Arc, Mutex};

mod support;

use invitedesk_client::cache::List;
use invitedesk_client::queries::{self, SortColumn, Window};
use invitedesk_client::sync::{sync, SyncError};
use invitedesk_client::{ApiClient, ApiError, Cache};
use invitedesk_model::{InvitationStatus, NewInvitation};
use invitedesk_server::RunningServer;

struct World {
    server: RunningServer,
    api: ApiClient,
    cache: Arc<Mutex<Cache>>,
    dir: tempfile::TempDir,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let (server, api) = support::demo_server(dir.path(), false).await;
    let cache = Arc::new(Mutex::new(
        Cache::open(&dir.path().join("profile/cache.db")).unwrap(),
    ));
    World {
        server,
        api,
        cache,
        dir,
    }
}

async fn person(api: &ApiClient, email: &str, first_name: &str) -> NewInvitation {
    let policy = api.permission_policies().await.unwrap()[0].id;
    NewInvitation {
        email: email.into(),
        first_name: Some(first_name.into()),
        last_name: Some("Synced".into()),
        contact_number: Some("+1 555 0100".into()),
        permission_policy_ids: vec![policy],
        ..Default::default()
    }
}

fn window(cache: &Mutex<Cache>, window: &Window) -> queries::WindowRows {
    queries::invitation_window(&cache.lock().unwrap(), window, chrono::Utc::now()).unwrap()
}

/// Waits until the invitation's e-mail has left the server's outbox.
async fn delivered(api: &ApiClient, id: uuid::Uuid) {
    for _ in 0..100 {
        let invitation = api.invitation(id).await.unwrap();
        if invitation.delivery_status == Some(invitedesk_model::DeliveryStatus::Sent) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the invitation's e-mail was not delivered within 5 s");
}

#[tokio::test]
async fn a_full_sync_then_an_incremental_one_keep_the_cache_equal_to_the_server() {
    let w = world().await;
    let mut seen = Vec::new();
    let report = sync(&w.api, &w.cache, |p| seen.push(p)).await.unwrap();
    assert!(report.full);
    let server_rows = support::all_invitations(&w.api).await;
    assert_eq!(report.invitations, server_rows.len() as u64);
    assert!(
        seen.iter().any(|p| p.list == List::Users && p.done > 0),
        "progress reported"
    );
    // The server says how many a sync brings from its first page: "n of total" from the start.
    let first = seen.iter().find(|p| p.list == List::Invitations).unwrap();
    assert_eq!(first.total, Some(server_rows.len() as u64), "{first:?}");
    assert!(
        seen.iter()
            .filter(|p| p.list == List::Invitations)
            .all(|p| p.total == first.total),
        "{seen:?}"
    );
    let all = window(
        &w.cache,
        &Window {
            limit: 1000,
            ..Default::default()
        },
    );
    assert_eq!(all.total, server_rows.len() as u64);

    let created = w
        .api
        .create_invitation(&person(&w.api, "delta@example.com", "Delta").await)
        .await
        .unwrap();
    let revoked = server_rows
        .iter()
        .find(|i| i.status == Some(InvitationStatus::Pending))
        .unwrap();
    w.api.revoke_invitation(revoked.id).await.unwrap();
    let deleted = server_rows
        .iter()
        .find(|i| i.status == Some(InvitationStatus::Declined))
        .unwrap();
    w.api.delete_invitation(deleted.id).await.unwrap();
    // Delivering the new invitation's mail is a change too: let it land before counting.
    delivered(&w.api, created.id).await;

    let again = sync(&w.api, &w.cache, |_| {}).await.unwrap();
    assert!(!again.full);
    assert!(
        again.invitations >= 3 && again.invitations <= 4,
        "only the changes: {again:?}"
    );
    let cached = window(
        &w.cache,
        &Window {
            limit: 1000,
            ..Default::default()
        },
    )
    .rows;
    let status_of = |id| cached.iter().find(|i| i.id == id).and_then(|i| i.status);
    assert_eq!(status_of(created.id), Some(InvitationStatus::Pending));
    assert_eq!(status_of(revoked.id), Some(InvitationStatus::Revoked));
    assert_eq!(status_of(deleted.id), None, "the tombstone removed it");
    let mut server_ids: Vec<_> = support::all_invitations(&w.api)
        .await
        .iter()
        .map(|i| i.id)
        .collect();
    let mut cache_ids: Vec<_> = cached.iter().map(|i| i.id).collect();
    server_ids.sort();
    cache_ids.sort();
    assert_eq!(cache_ids, server_ids);

    let idle = sync(&w.api, &w.cache, |_| {}).await.unwrap();
    assert_eq!(
        (idle.invitations, idle.users),
        (0, 0),
        "nothing changed, nothing applied"
    );
}

#[tokio::test]
async fn with_the_server_gone_the_cache_still_answers_and_the_sync_error_is_kept() {
    let w = world().await;
    sync(&w.api, &w.cache, |_| {}).await.unwrap();
    let before = window(
        &w.cache,
        &Window {
            statuses: vec![InvitationStatus::Pending],
            limit: 50,
            ..Default::default()
        },
    );
    let World {
        server,
        api,
        cache,
        dir: _dir,
    } = w;
    server.stop().await;
    assert!(matches!(
        sync(&api, &cache, |_| {}).await.unwrap_err(),
        SyncError::Api(ApiError::Offline(_))
    ));
    let after = window(
        &cache,
        &Window {
            statuses: vec![InvitationStatus::Pending],
            limit: 50,
            ..Default::default()
        },
    );
    assert_eq!(after, before);
    let state = cache.lock().unwrap().sync_state(List::Invitations).unwrap();
    assert!(state.last_error.is_some() && state.last_success.is_some());
}

#[tokio::test]
async fn the_table_window_filters_searches_sorts_and_pages_from_the_cache() {
    let w = world().await;
    for (i, name) in ["Zed", "Amy", "Mia"].iter().enumerate() {
        w.api
            .create_invitation(&person(&w.api, &format!("window{i}@example.com"), name).await)
            .await
            .unwrap();
    }
    sync(&w.api, &w.cache, |_| {}).await.unwrap();
    let found = window(
        &w.cache,
        &Window {
            statuses: vec![InvitationStatus::Pending],
            search: Some("WINDOW".into()),
            sort: SortColumn::Name,
            limit: 2,
            ..Default::default()
        },
    );
    assert_eq!(found.total, 3);
    let names: Vec<_> = found
        .rows
        .iter()
        .filter_map(|i| i.first_name.clone())
        .collect();
    assert_eq!(names, vec!["Amy", "Mia"]);
    let next = window(
        &w.cache,
        &Window {
            search: Some("window".into()),
            sort: SortColumn::Name,
            offset: 2,
            limit: 2,
            ..Default::default()
        },
    );
    assert_eq!(next.rows[0].first_name.as_deref(), Some("Zed"));

    let counts = queries::counts_by_status(&w.cache.lock().unwrap(), chrono::Utc::now()).unwrap();
    let server_rows = support::all_invitations(&w.api).await;
    for status in InvitationStatus::ALL {
        let expected = server_rows
            .iter()
            .filter(|i| i.status == Some(status))
            .count() as u64;
        assert_eq!(counts[status.as_str()], expected, "{status:?}");
    }
}

#[tokio::test]
async fn csv_export_is_rfc4180_and_formulas_cannot_run() {
    let w = world().await;
    w.api
        .create_invitation(
            &person(
                &w.api,
                "formula@example.com",
                "=HYPERLINK(\"http://x\",\"y\")",
            )
            .await,
        )
        .await
        .unwrap();
    sync(&w.api, &w.cache, |_| {}).await.unwrap();
    let mut out = Vec::new();
    let filter = Window {
        search: Some("formula@".into()),
        ..Default::default()
    };
    let rows = queries::export_invitations_csv(
        &w.cache.lock().unwrap(),
        &filter,
        chrono::Utc::now(),
        &mut out,
    )
    .unwrap();
    assert_eq!(rows, 1);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<_> = text.lines().collect();
    assert_eq!(
        lines[0],
        "E-mail,First name,Last name,Status,Access end,Expires,Last sent,Delivery,Created,Created by"
    );
    assert!(
        lines[1].starts_with(
            "formula@example.com,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",Synced,Pending,"
        ),
        "{}",
        lines[1]
    );
}

#[test]
fn the_cache_file_stays_where_the_profile_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/profile/cache.db");
    Cache::open(&path).unwrap();
    assert!(path.exists());
}

#[tokio::test]
async fn an_accepted_invitation_leads_to_its_member_by_email() {
    let w = world().await;
    sync(&w.api, &w.cache, |_| {}).await.unwrap();
    let accepted = window(
        &w.cache,
        &Window {
            statuses: vec![InvitationStatus::Accepted],
            ..Default::default()
        },
    );
    assert!(
        !accepted.rows.is_empty(),
        "the demo has accepted invitations"
    );
    let cache = w.cache.lock().unwrap();
    for invitation in &accepted.rows {
        let email = invitation.email.clone().unwrap();
        let member = queries::user_by_email(&cache, &format!(" {} ", email.to_uppercase()))
            .unwrap()
            .unwrap_or_else(|| panic!("no member for {email}"));
        assert_eq!(member.email.as_deref(), Some(email.as_str()));
    }
    assert!(queries::user_by_email(&cache, "nobody@nowhere.example")
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn people_to_invite_again_are_known_here_and_not_members_now() {
    let w = world().await;
    sync(&w.api, &w.cache, |_| {}).await.unwrap();
    let now = chrono::Utc::now();
    let on_server = support::all_invitations(&w.api).await;
    let pending = on_server
        .iter()
        .find(|i| i.status_at(now) == InvitationStatus::Pending)
        .unwrap();
    w.api.revoke_invitation(pending.id).await.unwrap();
    sync(&w.api, &w.cache, |_| {}).await.unwrap();
    let cache = w.cache.lock().unwrap();
    let everyone = queries::invite_candidates(&cache, "", 1000, now).unwrap();
    let emails: Vec<&str> = everyone.iter().map(|c| c.email.as_str()).collect();
    assert!(
        emails.contains(&pending.email.as_deref().unwrap()),
        "{emails:?}"
    );
    let revoked = everyone
        .iter()
        .find(|c| Some(c.email.as_str()) == pending.email.as_deref());
    assert_eq!(revoked.unwrap().reason, InvitationStatus::Revoked);
    // Never a member, never someone with a live invitation, each address once.
    let members = queries::user_window(&cache, &Default::default(), now)
        .unwrap()
        .rows;
    for member in &members {
        assert!(
            !emails.contains(&member.email.as_deref().unwrap()),
            "a member is offered"
        );
    }
    for live in on_server
        .iter()
        .filter(|i| i.id != pending.id && i.status_at(now) == InvitationStatus::Pending)
    {
        assert!(
            !emails.contains(&live.email.as_deref().unwrap()),
            "a pending invitee is offered"
        );
    }
    let mut unique = emails.clone();
    unique.dedup();
    assert_eq!(unique.len(), emails.len());
    // A search narrows them, by part of the e-mail.
    let local = pending.email.as_deref().unwrap().split('@').next().unwrap();
    let found = queries::invite_candidates(&cache, local, 20, now).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
}

#[tokio::test]
async fn the_delivery_filter_and_the_user_counts_match_the_server() {
    let w = world().await;
    let created = w
        .api
        .create_invitation(&person(&w.api, "delivered@example.com", "Del").await)
        .await
        .unwrap();
    delivered(&w.api, created.id).await;
    sync(&w.api, &w.cache, |_| {}).await.unwrap();
    let on_server = support::all_invitations(&w.api).await;
    let members = support_users(&w.api).await;
    let cache = w.cache.lock().unwrap();
    let sent = Window {
        delivery: Some(invitedesk_model::DeliveryStatus::Sent),
        ..Default::default()
    };
    let rows = queries::invitation_window(&cache, &sent, chrono::Utc::now()).unwrap();
    let expected = on_server
        .iter()
        .filter(|i| i.delivery_status == Some(invitedesk_model::DeliveryStatus::Sent))
        .count() as u64;
    assert_eq!(rows.total, expected);
    assert!(rows.rows.iter().any(|i| i.id == created.id));
    // With a search too, the total counts only the delivered matches.
    let searched = Window {
        search: Some("delivered@".into()),
        ..sent
    };
    assert_eq!(
        queries::invitation_window(&cache, &searched, chrono::Utc::now())
            .unwrap()
            .total,
        1
    );
    let failed = Window {
        delivery: Some(invitedesk_model::DeliveryStatus::Failed),
        search: Some("delivered@".into()),
        ..Default::default()
    };
    assert_eq!(
        queries::invitation_window(&cache, &failed, chrono::Utc::now())
            .unwrap()
            .total,
        0
    );
    let users = queries::user_counts_by_status(&cache, chrono::Utc::now()).unwrap();
    assert_eq!(users["Active"] + users["Inactive"], members);
}

async fn support_users(api: &ApiClient) -> u64 {
    let query = invitedesk_client::api::ListQuery {
        page_size: Some(200),
        ..Default::default()
    };
    api.list_users(&query).await.unwrap().data.len() as u64
}
