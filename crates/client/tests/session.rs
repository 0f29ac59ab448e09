//! A signed-in profile against the real server: every write lands in the cache at once, an
//! invalid form sends nothing, the m3ter-only API is served with derived statuses and
//! unsupported actions, and signing out leaves no secret and no cache behind.

mod support;

use invitedesk_client::capabilities::{Action, Allowed};
use invitedesk_client::invite::InviteForm;
use invitedesk_client::queries::{self, UserWindow, Window};
use invitedesk_client::session::{Session, SessionError};
use invitedesk_client::{creds, ApiError};
use invitedesk_model::{InvitationStatus, InvitationUpdate, UserStatus, UserUpdate};
use invitedesk_server::RunningServer;

struct World {
    server: RunningServer,
    session: Session,
    dir: tempfile::TempDir,
}

async fn world(m3ter_only: bool) -> World {
    let dir = tempfile::tempdir().unwrap();
    let (server, api) = support::demo_server(dir.path(), m3ter_only).await;
    let session = Session::open(api, &dir.path().join("profile/cache.db")).unwrap();
    World {
        server,
        session,
        dir,
    }
}

/// The cached invitations `window` shows now.
fn cached(session: &Session, window: &Window) -> queries::WindowRows {
    queries::invitation_window(&session.cache.lock().unwrap(), window, chrono::Utc::now()).unwrap()
}

/// Every cached invitation.
fn all_cached(session: &Session) -> Vec<invitedesk_model::Invitation> {
    let window = Window {
        limit: 10_000,
        ..Default::default()
    };
    cached(session, &window).rows
}

/// A search of the invitations table, as its search box makes.
fn search(text: &str) -> Window {
    Window {
        search: Some(text.into()),
        limit: 100,
        ..Default::default()
    }
}

fn cached_status(session: &Session, id: uuid::Uuid) -> Option<InvitationStatus> {
    all_cached(session)
        .iter()
        .find(|i| i.id == id)
        .and_then(|i| i.status)
}

/// A form for a new person placed in a subscription with a free seat.
fn form(session: &Session, email: &str) -> InviteForm {
    let catalog = session.cache.lock().unwrap().catalog().unwrap();
    let subscription = catalog
        .subscriptions
        .iter()
        .find(|s| s.seats.is_some_and(|seats| seats.available > 1))
        .expect("a subscription with free seats");
    let role = catalog
        .roles
        .iter()
        .find(|r| r.app_id == subscription.app_id)
        .unwrap();
    InviteForm {
        email: email.into(),
        first_name: "Grace".into(),
        last_name: "Hopper".into(),
        contact_number: "+1 555 0100".into(),
        permission_policy_ids: vec![catalog.policies[0].id],
        business_id: subscription.business_id,
        app_id: subscription.app_id,
        subscription_id: Some(subscription.id),
        role_id: Some(role.id),
        ..Default::default()
    }
}

#[tokio::test]
async fn every_write_lands_in_the_cache_before_the_next_sync() {
    let w = world(false).await;
    let capabilities = w.session.capabilities().await.unwrap();
    assert_eq!(capabilities.check(Action::Resend), Allowed::Yes);
    w.session.sync(|_| {}).await.unwrap();
    let catalog = w.session.sync_catalog().await.unwrap();
    assert!(catalog.subscriptions.iter().all(|s| s.seats.is_some()));

    let searched = |text: &str| cached(&w.session, &search(text)).total;
    assert_eq!(
        searched("grace@"),
        0,
        "the search index is built here, before the invite"
    );
    let created = w
        .session
        .invite(&form(&w.session, "grace@example.com"))
        .await
        .unwrap();
    assert_eq!(
        searched("grace@"),
        1,
        "a write makes the search index stale"
    );
    assert_eq!(
        cached_status(&w.session, created.id),
        Some(InvitationStatus::Pending)
    );
    let resent = w.session.resend(created.id).await.unwrap();
    assert!(resent.send_count > created.send_count);
    w.session.revoke(created.id).await.unwrap();
    assert_eq!(
        cached_status(&w.session, created.id),
        Some(InvitationStatus::Revoked)
    );
    w.session.delete_invitation(created.id).await.unwrap();
    assert_eq!(cached_status(&w.session, created.id), None);

    let users = |status| {
        let window = UserWindow {
            statuses: vec![status],
            limit: 100,
            ..Default::default()
        };
        queries::user_window(
            &w.session.cache.lock().unwrap(),
            &window,
            chrono::Utc::now(),
        )
        .unwrap()
        .rows
    };
    let member = users(UserStatus::Active)[0].clone();
    w.session.inactivate(member.id).await.unwrap();
    assert!(users(UserStatus::Inactive)
        .iter()
        .any(|u| u.id == member.id));
    w.session.reactivate(member.id).await.unwrap();
    assert!(users(UserStatus::Active).iter().any(|u| u.id == member.id));
}

#[tokio::test]
async fn an_invalid_form_names_every_field_and_sends_nothing() {
    let w = world(false).await;
    w.session.sync(|_| {}).await.unwrap();
    w.session.sync_catalog().await.unwrap();
    let before = w.session.sync(|_| {}).await.unwrap();
    assert_eq!(before.invitations, 0);
    let bad = InviteForm {
        email: "nobody".into(),
        contact_number: "x".into(),
        ..Default::default()
    };
    let Err(SessionError::Invalid(errors)) = w.session.invite(&bad).await else {
        panic!("the form should have been refused");
    };
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    for field in [
        "email",
        "firstName",
        "lastName",
        "contactNumber",
        "permissionPolicyIds",
    ] {
        assert!(fields.contains(&field), "{field} not in {fields:?}");
    }
    let after = w.session.sync(|_| {}).await.unwrap();
    assert_eq!(after.invitations, 0, "nothing reached the server");
}

#[tokio::test]
async fn with_the_server_stopped_a_write_is_offline_and_changes_nothing() {
    let w = world(false).await;
    w.session.sync(|_| {}).await.unwrap();
    w.session.sync_catalog().await.unwrap();
    let form = form(&w.session, "offline@example.com");
    let total = |s: &Session| cached(s, &Window::default()).total;
    let before = total(&w.session);
    w.server.stop().await;
    let error = w.session.invite(&form).await.unwrap_err();
    assert!(
        matches!(error, SessionError::Api(ApiError::Offline(_))),
        "{error:?}"
    );
    assert!(error.is_offline());
    assert_eq!(total(&w.session), before);
    // A sync says so too, though its error comes wrapped in the sync's own.
    let failed = w.session.sync(|_| {}).await.unwrap_err();
    assert!(failed.is_offline(), "{failed:?}");
    assert_eq!(total(&w.session), before);
}

#[tokio::test]
async fn an_m3ter_only_api_gets_derived_statuses_and_unsupported_actions() {
    let w = world(true).await;
    let capabilities = w.session.capabilities().await.unwrap();
    assert!(!capabilities.is_extended());
    assert_eq!(capabilities.check(Action::Resend), Allowed::Unsupported);
    assert_eq!(capabilities.check(Action::Revoke), Allowed::Unsupported);
    assert_eq!(capabilities.check(Action::Invite), Allowed::Yes);

    let report = w.session.sync(|_| {}).await.unwrap();
    assert!(report.invitations > 0);
    let rows = all_cached(&w.session);
    assert!(
        rows.iter().all(|i| i.status.is_some()),
        "every status derived"
    );
    let statuses: std::collections::HashSet<_> = rows.iter().filter_map(|i| i.status).collect();
    assert!(statuses.contains(&InvitationStatus::Accepted));
    assert!(statuses.contains(&InvitationStatus::Pending));

    let any = rows[0].id;
    assert_eq!(
        w.session.resend(any).await.unwrap_err().to_string(),
        SessionError::Api(ApiError::Unsupported("resend")).to_string()
    );

    // No tombstones from m3ter: a refresh drops what the server no longer has.
    let gone = rows
        .iter()
        .find(|i| i.status != Some(InvitationStatus::Accepted))
        .unwrap()
        .id;
    w.session.api.delete_invitation(gone).await.unwrap();
    w.session.sync(|_| {}).await.unwrap();
    assert_eq!(cached_status(&w.session, gone), None);
}

#[tokio::test]
async fn signing_out_leaves_no_secret_and_no_cache() {
    let w = world(false).await;
    let profile = format!("sign-out-{}", uuid::Uuid::new_v4());
    creds::store_secret(&profile, "s3cret-for-the-test").unwrap();
    w.session.sync(|_| {}).await.unwrap();
    let cache_file = w.dir.path().join("profile/cache.db");
    assert!(cache_file.exists());
    w.session.sign_out(&profile).unwrap();
    assert!(matches!(
        creds::load_secret(&profile),
        Err(creds::CredsError::NotFound)
    ));
    assert!(!cache_file.exists());
    assert!(!w.dir.path().join("profile/cache.db-wal").exists());
}

#[tokio::test]
async fn edits_land_in_the_cache_and_a_stale_version_is_a_conflict() {
    let w = world(false).await;
    w.session.sync(|_| {}).await.unwrap();
    w.session.sync_catalog().await.unwrap();
    let created = w
        .session
        .invite(&form(&w.session, "edith@example.com"))
        .await
        .unwrap();
    let update = InvitationUpdate {
        version: created.version.unwrap(),
        first_name: Some("Edith".into()),
        last_name: Some("Clarke".into()),
        contact_number: created.contact_number.clone(),
        permission_policy_ids: created.permission_policy_ids.clone().unwrap(),
        business_id: created.business_id,
        app_id: created.app_id,
        subscription_id: created.subscription_id,
        role_id: created.role_id,
        ..Default::default()
    };
    w.session
        .update_invitation(created.id, &update)
        .await
        .unwrap();
    let named = |text: &str| cached(&w.session, &search(text)).rows;
    assert_eq!(
        named("edith clarke")[0].id,
        created.id,
        "the new name is cached"
    );
    let stale = w
        .session
        .update_invitation(created.id, &update)
        .await
        .unwrap_err();
    assert!(
        matches!(&stale, SessionError::Api(ApiError::Conflict { code, .. }) if code == "version_conflict"),
        "{stale:?}"
    );

    let window = UserWindow {
        statuses: vec![UserStatus::Active],
        limit: 1,
        ..Default::default()
    };
    let member = queries::user_window(
        &w.session.cache.lock().unwrap(),
        &window,
        chrono::Utc::now(),
    )
    .unwrap()
    .rows[0]
        .clone();
    let end = chrono::Utc::now() + chrono::Duration::days(60);
    let user_update = UserUpdate {
        version: member.version.unwrap(),
        permission_policy_ids: member.permission_policy_ids.clone(),
        dt_end_access: Some(end),
    };
    w.session
        .update_user(member.id, &user_update)
        .await
        .unwrap();
    let cached = queries::user_window(
        &w.session.cache.lock().unwrap(),
        &UserWindow {
            search: member.email.clone(),
            limit: 1,
            ..Default::default()
        },
        chrono::Utc::now(),
    )
    .unwrap()
    .rows[0]
        .clone();
    assert_eq!(
        cached.dt_end_access.map(|t| t.timestamp()),
        Some(end.timestamp()),
        "the access end is cached"
    );
}

#[tokio::test]
async fn tidying_when_idle_empties_the_log_and_the_page_cache_and_keeps_every_answer() {
    let w = world(false).await;
    // Enough rows that reading them warms many pages, whatever the sync's own end released.
    let org = w.session.api.connection().org_id;
    invitedesk_server::demo::bulk_invitations(&w.server.state, org, 2_000)
        .await
        .unwrap();
    w.session.sync(|_| {}).await.unwrap();
    let before = all_cached(&w.session);
    let found = cached(&w.session, &search("example")).rows;
    assert!(!found.is_empty());
    let used = |s: &Session| -> i32 {
        let cache = s.cache.lock().unwrap();
        let (mut current, mut highest) = (0, 0);
        // SAFETY: the handle is the open connection's, used under the cache's lock.
        let rc = unsafe {
            rusqlite::ffi::sqlite3_db_status(
                cache.connection().handle(),
                rusqlite::ffi::SQLITE_DBSTATUS_CACHE_USED,
                &mut current,
                &mut highest,
                0,
            )
        };
        assert_eq!(rc, rusqlite::ffi::SQLITE_OK);
        current
    };
    let warm = used(&w.session);
    let wal = w.dir.path().join("profile/cache.db-wal");
    assert!(
        std::fs::metadata(&wal).unwrap().len() > 0,
        "the sync wrote to the log"
    );
    w.session.tidy().unwrap();
    assert_eq!(
        std::fs::metadata(&wal).unwrap().len(),
        0,
        "the log is folded in"
    );
    let released = used(&w.session);
    // What stays is the schema's pages, a few KiB.
    assert!(
        released * 4 < warm,
        "page cache: {warm} bytes warm, {released} after release"
    );
    assert_eq!(all_cached(&w.session), before);
    assert_eq!(cached(&w.session, &search("example")).rows, found);
}

#[tokio::test]
async fn a_computer_whose_clock_is_days_off_shows_and_sends_what_the_server_would() {
    let w = world(false).await;
    w.session.sync(|_| {}).await.unwrap();
    w.session.sync_catalog().await.unwrap();
    let created = w
        .session
        .invite(&form(&w.session, "clock@example.com"))
        .await
        .unwrap();
    // The server's clock runs 31 days ahead of this computer's.
    w.server.state.clock.advance(chrono::Duration::days(31));
    w.session.sync(|_| {}).await.unwrap();
    let offset = w.session.api.clock_offset();
    assert!(
        (offset - chrono::Duration::days(31)).num_seconds().abs() <= 2,
        "measured {offset}"
    );
    let now = w.session.api.server_now();
    let status =
        queries::invitation_window(&w.session.cache.lock().unwrap(), &search("clock@"), now)
            .unwrap()
            .rows[0]
            .status_at(now);
    assert_eq!(
        status,
        InvitationStatus::Expired,
        "expired by the server's clock"
    );
    // A date in the form counts from the server's today: 60 days on from there is 91 days
    // on this computer's calendar, which the rules would refuse if judged by it.
    let in_sixty_days = (w.session.api.server_now() + chrono::Duration::days(60))
        .format("%Y-%m-%d")
        .to_string();
    let later = w
        .session
        .invite(&InviteForm {
            expires: in_sixty_days,
            ..form(&w.session, "later@example.com")
        })
        .await
        .unwrap();
    let expiry = later.dt_expiry.unwrap();
    let expected = w.session.api.server_now() + chrono::Duration::days(60);
    assert!(
        (expiry - expected).num_seconds().abs() <= 5,
        "expiry {expiry}, expected about {expected} (first was {:?})",
        created.dt_expiry
    );
}

#[tokio::test]
async fn the_cache_and_its_folder_are_the_users_alone() {
    use std::os::unix::fs::PermissionsExt;
    let w = world(false).await;
    w.session.sync(|_| {}).await.unwrap();
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let folder = w.dir.path().join("profile");
    assert_eq!(mode(&folder), 0o700);
    for file in ["cache.db", "cache.db-wal", "cache.db-shm"] {
        assert_eq!(mode(&folder.join(file)), 0o600, "{file}");
    }
}
