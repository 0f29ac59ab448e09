//! Bulk actions against the real server: every row its own result, the rows a status does not
//! allow refused without a request, cancel, and the results as CSV.

mod support;

use invitedesk_client::bulk::{self, Cancel, Outcome};
use invitedesk_client::capabilities::Action;
use invitedesk_client::queries::{self, Window};
use invitedesk_client::session::Session;
use invitedesk_model::{InvitationStatus, UserStatus};

async fn synced(dir: &std::path::Path) -> (invitedesk_server::RunningServer, Session) {
    let (server, api) = support::demo_server(dir, false).await;
    let session = Session::open(api, &dir.join("profile/cache.db")).unwrap();
    session.sync(|_| {}).await.unwrap();
    (server, session)
}

fn every_invitation(session: &Session) -> Vec<invitedesk_model::Invitation> {
    let cache = session.cache.lock().unwrap();
    let window = Window {
        limit: 10_000,
        ..Default::default()
    };
    queries::invitation_window(&cache, &window, chrono::Utc::now())
        .unwrap()
        .rows
}

#[tokio::test]
async fn a_bulk_revoke_answers_each_row_and_refuses_the_statuses_it_cannot_change() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, session) = synced(dir.path()).await;
    let invitations = every_invitation(&session);
    let ids: Vec<_> = invitations.iter().map(|i| i.id).collect();
    let pending = invitations
        .iter()
        .filter(|i| i.status == Some(InvitationStatus::Pending))
        .count();
    assert!(
        pending > 0 && pending < ids.len(),
        "the demo mixes statuses"
    );

    let targets = {
        let cache = session.cache.lock().unwrap();
        bulk::targets(&cache, Action::Revoke, &ids, chrono::Utc::now()).unwrap()
    };
    assert_eq!(targets.len(), ids.len());
    let mut last = (0, 0);
    let results = bulk::run(
        &session,
        Action::Revoke,
        targets,
        &Cancel::default(),
        |d, t| last = (d, t),
    )
    .await;
    assert_eq!(last, (ids.len(), ids.len()));
    let order: Vec<_> = results.iter().map(|r| r.id).collect();
    assert_eq!(order, ids, "results in the order asked");
    let done = results
        .iter()
        .filter(|r| r.outcome == Outcome::Done)
        .count();
    let refused = results
        .iter()
        .filter(|r| matches!(&r.outcome, Outcome::NotAllowed { reason } if reason.starts_with("not allowed: the invitation is")))
        .count();
    assert_eq!((done, refused), (pending, ids.len() - pending));
    let after = every_invitation(&session);
    assert!(
        after
            .iter()
            .all(|i| i.status != Some(InvitationStatus::Pending)),
        "the cache has the answers"
    );

    let csv = String::from_utf8(bulk::results_csv(Action::Revoke, &results).unwrap()).unwrap();
    assert!(csv.starts_with("email,id,action,outcome,reason"));
    assert_eq!(csv.lines().count(), ids.len() + 1);
}

#[tokio::test]
async fn a_cancelled_bulk_inactivate_leaves_the_rest_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, session) = synced(dir.path()).await;
    let users = {
        let cache = session.cache.lock().unwrap();
        let window = queries::UserWindow {
            statuses: vec![UserStatus::Active],
            limit: 100,
            ..Default::default()
        };
        queries::user_window(&cache, &window, chrono::Utc::now())
            .unwrap()
            .rows
    };
    let ids: Vec<_> = users.iter().map(|u| u.id).collect();
    let targets = {
        let cache = session.cache.lock().unwrap();
        bulk::targets(&cache, Action::Inactivate, &ids, chrono::Utc::now()).unwrap()
    };
    let cancel = Cancel::default();
    cancel.cancel();
    let results = bulk::run(&session, Action::Inactivate, targets, &cancel, |_, _| {}).await;
    assert!(results.iter().all(|r| r.outcome == Outcome::Cancelled));
    let still = session.api.user(ids[0]).await.unwrap();
    assert_eq!(still.status, Some(UserStatus::Active));
}
