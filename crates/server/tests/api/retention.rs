//! Personal data is kept only as long as something needs it.

use chrono::Duration;

use crate::accept::{accept_as_new_person, app_with_mail, invite, Invitee};

async fn count(app: &crate::helpers::TestApp, sql: &str) -> i64 {
    app.sql_count(sql).await
}

#[tokio::test]
async fn an_account_left_with_no_membership_is_purged_after_its_retention() {
    let (app, sink) = app_with_mail().await;
    let admin = app.admin().await;
    let (_, token) = invite(&admin, &sink, &admin.new_person("leaver@example.com").await).await;
    accept_as_new_person(&app, &mut Invitee::new(&app, &token)).await;
    let accounts = "SELECT count(*) FROM accounts WHERE email = 'leaver@example.com'";
    assert_eq!(count(&app, accounts).await, 1);
    let member = admin.users("?search=leaver@").await.data[0].clone();
    admin
        .delete(&format!("/users/{}", member.id))
        .await
        .ok::<serde_json::Value>();
    let state = &app.server.state;
    invitedesk_server::forget_expired(state).await.unwrap();
    assert_eq!(
        count(&app, accounts).await,
        1,
        "kept through the retention period"
    );
    state.clock.advance(Duration::days(29));
    invitedesk_server::forget_expired(state).await.unwrap();
    assert_eq!(count(&app, accounts).await, 1);
    state.clock.advance(Duration::days(2));
    invitedesk_server::forget_expired(state).await.unwrap();
    assert_eq!(
        count(&app, accounts).await,
        0,
        "purged once 30 days have passed"
    );
}

#[tokio::test]
async fn an_account_still_a_member_somewhere_is_kept() {
    let (app, sink) = app_with_mail().await;
    let admin = app.admin().await;
    let (_, token) = invite(&admin, &sink, &admin.new_person("stayer@example.com").await).await;
    accept_as_new_person(&app, &mut Invitee::new(&app, &token)).await;
    let state = &app.server.state;
    state.clock.advance(Duration::days(400));
    invitedesk_server::forget_expired(state).await.unwrap();
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM accounts WHERE email = 'stayer@example.com'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn delivered_mail_rows_are_purged_after_their_retention() {
    let (app, sink) = app_with_mail().await;
    let admin = app.admin().await;
    let (created, _) = invite(&admin, &sink, &admin.new_person("mailed@example.com").await).await;
    admin.delivered(created.id).await;
    let sent = "SELECT count(*) FROM outbox WHERE recipient LIKE '%mailed@example.com%'";
    assert_eq!(count(&app, sent).await, 1);
    let state = &app.server.state;
    state.clock.advance(Duration::days(31));
    invitedesk_server::forget_expired(state).await.unwrap();
    assert_eq!(count(&app, sent).await, 0);
}
