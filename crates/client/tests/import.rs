//! Importing invitations from a CSV against the real server: the preview's checks against the
//! synced cache, the batch send and m3ter's one request per row, a second run of the same
//! file creating nothing, cancel, and a sending limit waited out until cancelled.

mod support;

use invitedesk_client::bulk::Cancel;
use invitedesk_client::import::{
    every_outcome, guess_mapping, preview, read_table, ready_rows, send_rows, KnownPeople, Preview,
    RowCheck, RowOutcome,
};
use invitedesk_client::queries::{self, Window};
use invitedesk_client::session::Session;
use invitedesk_model::{InvitationStatus, UserStatus};

async fn synced_session(
    dir: &std::path::Path,
    m3ter_only: bool,
) -> (invitedesk_server::RunningServer, Session) {
    let (server, api) = support::demo_server(dir, m3ter_only).await;
    let session = Session::open(api, &dir.join("profile/cache.db")).unwrap();
    session.sync(|_| {}).await.unwrap();
    session.sync_catalog().await.unwrap();
    (server, session)
}

/// An e-mail of a cached Pending invitation, and of a cached member.
fn known_emails(session: &Session) -> (String, String) {
    let cache = session.cache.lock().unwrap();
    let now = chrono::Utc::now();
    let pending = queries::invitation_window(
        &cache,
        &Window {
            statuses: vec![InvitationStatus::Pending],
            limit: 1,
            ..Default::default()
        },
        now,
    )
    .unwrap();
    let members = queries::user_window(
        &cache,
        &Window {
            statuses: vec![UserStatus::Active],
            limit: 1,
            ..Default::default()
        },
        now,
    )
    .unwrap();
    let pending = pending.rows[0].email.clone().unwrap();
    let member = members.rows[0].email.clone().unwrap();
    (pending, member)
}

fn preview_of(session: &Session, file: &[u8]) -> Preview {
    let table = read_table(file).unwrap();
    let mapping = guess_mapping(&table.headers);
    let cache = session.cache.lock().unwrap();
    let known = KnownPeople::from_cache(&cache, chrono::Utc::now()).unwrap();
    preview(
        &table,
        &mapping,
        &cache.catalog().unwrap(),
        &known,
        chrono::Utc::now(),
        0,
    )
    .unwrap()
}

fn spreadsheet(pending: &str, member: &str) -> Vec<u8> {
    let rows = [
        "\u{feff}E-mail;First name;Last name;Contact number;Permission policies;Subscription;Role",
        "new.one@example.com;New;One;+1 555 0101;Read only;Storefront Pro;Admin",
        "new.two@example.com;New;Two;+1 555 0102;Read only;;",
        "NEW.ONE@example.com;New;Again;+1 555 0103;Read only;;",
        &format!("{pending};Already;Invited;+1 555 0104;Read only;;"),
        &format!("{member};Already;Member;+1 555 0105;Read only;;"),
        "not an address;;Nameless;+1 555 0106;Nobody's policy;;",
        "team.a@example.com;Team;A;+1 555 0107;Read only;Telemetry Team;Engineer",
        "team.b@example.com;Team;B;+1 555 0108;Read only;Telemetry Team;Engineer",
        "team.c@example.com;Team;C;+1 555 0109;Read only;Telemetry Team;Engineer",
    ];
    rows.join("\r\n").into_bytes()
}

#[tokio::test]
async fn the_preview_finds_every_problem_and_the_send_makes_each_valid_row_once() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, session) = synced_session(dir.path(), false).await;
    let (pending, member) = known_emails(&session);
    let file = spreadsheet(&pending, &member);
    let preview = preview_of(&session, &file);

    let checks: Vec<&RowCheck> = preview.rows.iter().map(|r| &r.check).collect();
    assert_eq!(checks[0], &RowCheck::Ready);
    assert_eq!(checks[1], &RowCheck::Ready);
    assert_eq!(
        checks[2],
        &RowCheck::Duplicate {
            existing_id: None,
            first_row: Some(2)
        }
    );
    assert!(matches!(
        checks[3],
        RowCheck::Duplicate {
            existing_id: Some(_),
            first_row: None
        }
    ));
    assert!(matches!(checks[4], RowCheck::Member { .. }));
    assert_eq!(checks[5], &RowCheck::Invalid);
    let columns: Vec<&str> = preview.rows[5]
        .problems
        .iter()
        .map(|p| p.column.as_str())
        .collect();
    for column in ["E-mail", "First name", "Permission policies"] {
        assert!(
            columns.contains(&column),
            "{column} missing from {columns:?}"
        );
    }
    let telemetry = preview
        .seats
        .iter()
        .find(|s| s.name == "Telemetry Team")
        .unwrap();
    assert_eq!(
        (telemetry.rows, telemetry.refused),
        (3, 3 - telemetry.free as usize)
    );
    assert!(
        telemetry.message.contains("3 rows for Telemetry Team"),
        "{}",
        telemetry.message
    );
    assert!(preview.rows[8].short_of_seats);

    let rows = ready_rows(&preview, "profile-1", &file);
    assert_eq!(rows.len(), preview.ready);
    let mut seen = Vec::new();
    let sent = send_rows(
        &session.api,
        rows.clone(),
        &Cancel::default(),
        |done, total| seen.push((done, total)),
    )
    .await;
    assert_eq!(seen.last(), Some(&(rows.len(), rows.len())));
    let created: Vec<_> = sent
        .iter()
        .filter_map(|r| match r.outcome {
            RowOutcome::Created { invitation_id, .. } => Some(invitation_id),
            _ => None,
        })
        .collect();
    let refused = sent
        .iter()
        .filter(|r| matches!(r.outcome, RowOutcome::RefusedSeats { .. }))
        .count();
    assert_eq!(created.len() + refused, rows.len());
    assert_eq!(refused, telemetry.refused);
    let all = every_outcome(&preview, sent);
    assert_eq!(all.len(), preview.rows.len(), "every row has its outcome");
    assert!(matches!(all[5].outcome, RowOutcome::Invalid { .. }));

    // The same file again, as from a preview made before the cache heard of them.
    let before = support::all_invitations(&session.api).await.len();
    let again = send_rows(&session.api, rows, &Cancel::default(), |_, _| {}).await;
    let again_ids: Vec<_> = again
        .iter()
        .filter_map(|r| match r.outcome {
            RowOutcome::Created { invitation_id, .. } => Some(invitation_id),
            _ => None,
        })
        .collect();
    assert_eq!(
        again_ids, created,
        "the rows made are answered, not made again"
    );
    assert_eq!(support::all_invitations(&session.api).await.len(), before);
}

#[tokio::test]
async fn against_m3ters_api_each_row_is_one_request_and_a_rerun_makes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, session) = synced_session(dir.path(), true).await;
    let mut file = String::from("email,first name,last name,contact number,policies\n");
    for i in 0..12 {
        file.push_str(&format!(
            "m3ter.{i}@example.com,Row,{i},+1 555 01{i:02},Read only\n"
        ));
    }
    let preview = preview_of(&session, file.as_bytes());
    assert_eq!(preview.ready, 12, "{:?}", preview.rows[0].problems);
    let rows = ready_rows(&preview, "profile-m3ter", file.as_bytes());
    let first = send_rows(&session.api, rows.clone(), &Cancel::default(), |_, _| {}).await;
    assert!(
        first
            .iter()
            .all(|r| matches!(r.outcome, RowOutcome::Created { .. })),
        "{first:?}"
    );
    let count = support::all_invitations(&session.api).await.len();
    let second = send_rows(&session.api, rows, &Cancel::default(), |_, _| {}).await;
    assert_eq!(
        first.iter().map(|r| &r.outcome).collect::<Vec<_>>(),
        second.iter().map(|r| &r.outcome).collect::<Vec<_>>()
    );
    assert_eq!(support::all_invitations(&session.api).await.len(), count);
}

#[tokio::test]
async fn a_cancelled_import_sends_nothing_more() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, session) = synced_session(dir.path(), false).await;
    let mut file = String::from("email,first name,last name,contact number,policies\n");
    for i in 0..5 {
        file.push_str(&format!(
            "cancel.{i}@example.com,Row,{i},+1 555 01{i:02},Read only\n"
        ));
    }
    let preview = preview_of(&session, file.as_bytes());
    let cancel = Cancel::default();
    cancel.cancel();
    let sent = send_rows(
        &session.api,
        ready_rows(&preview, "p", file.as_bytes()),
        &cancel,
        |_, _| {},
    )
    .await;
    assert!(sent.iter().all(|r| r.outcome == RowOutcome::Cancelled));
    let made = support::all_invitations(&session.api).await;
    assert!(!made
        .iter()
        .any(|i| i.email.as_deref().is_some_and(|e| e.starts_with("cancel."))));
}

#[tokio::test]
async fn rows_refused_by_the_sending_limit_wait_for_it_and_are_reported_when_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let (server, demo) =
        support::demo_server_configured(dir.path(), |c| c.org_sends_per_minute = 3).await;
    let api = support::client_of(&server, &demo.organizations[0], "admin");
    let session = Session::open(api, &dir.path().join("profile/cache.db")).unwrap();
    session.sync(|_| {}).await.unwrap();
    session.sync_catalog().await.unwrap();
    let mut file = String::from("email,first name,last name,contact number,policies\n");
    for i in 0..5 {
        file.push_str(&format!(
            "limit.{i}@example.com,Row,{i},+1 555 01{i:02},Read only\n"
        ));
    }
    let preview = preview_of(&session, file.as_bytes());
    let cancel = Cancel::default();
    let stopper = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        stopper.cancel();
    });
    let started = std::time::Instant::now();
    let sent = send_rows(
        &session.api,
        ready_rows(&preview, "p", file.as_bytes()),
        &cancel,
        |_, _| {},
    )
    .await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "the wait stops at cancel"
    );
    let created = sent
        .iter()
        .filter(|r| matches!(r.outcome, RowOutcome::Created { .. }))
        .count();
    let waiting: Vec<_> = sent
        .iter()
        .filter(|r| {
            matches!(
                r.outcome,
                RowOutcome::Failed {
                    retryable: true,
                    ..
                }
            )
        })
        .collect();
    assert_eq!((created, waiting.len()), (3, 2), "{sent:?}");
}
