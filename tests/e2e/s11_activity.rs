//! Story 11, who did what: the administrator resends and then revokes an invitation in the
//! window; the Activity tab lists both under their name, and the invitation's details tell its
//! story in plain words. With the server stopped, both still read the same from the cache.

use invitedesk_model::NewInvitation;

use crate::helpers::{api_as, table_filled};
use crate::stage::{play, Given};

const EMAIL: &str = "mary.jackson.s11@acme.example";

/// The window's script errors since `catch_errors`, as one text (empty: none).
const ERRORS: &str = "return (window.__errors ?? []).join('\\n')";

#[tokio::test]
async fn the_admins_resend_and_revoke_show_in_activity_and_in_the_details_offline_too() {
    play("s11-activity", Given::SignedIn("admin"), |s| {
        Box::pin(async move {
            s.eval("window.__errors = []; window.addEventListener('error', (e) => window.__errors.push(String(e.message))); window.addEventListener('unhandledrejection', (e) => window.__errors.push(String(e.reason?.message ?? e.reason)))").await;
            let admin = api_as(s, "admin");
            let policy = admin.permission_policies().await.unwrap()[0].id;
            admin
                .create_invitation(&NewInvitation {
                    email: EMAIL.into(),
                    first_name: Some("Mary".into()),
                    last_name: Some("Jackson".into()),
                    contact_number: Some("+1 555 0111".into()),
                    permission_policy_ids: vec![policy],
                    ..Default::default()
                })
                .await
                .unwrap();
            let me = admin.me().await.unwrap().name;
            table_filled(s).await;
            s.click("#sync-button").await;
            s.open_row("#invitation-table", EMAIL).await;
            s.click("#details-actions button[data-action=resend]").await;
            s.until_text("#notice", &format!("Resend: done for {EMAIL}")).await;
            s.click("#details-actions button[data-action=revoke]").await;
            s.click("#confirm-ok").await;
            s.until_text("#notice", &format!("Revoke: done for {EMAIL}")).await;
            s.click("#sync-button").await;
            s.until_text("#details-history", &format!("Revoked by {me} on")).await;
            let history = s.text("#details-history").await;
            assert!(history.contains(&format!("Sent by {me} on")), "{history}");
            assert!(history.contains(&format!("Resent by {me} on")), "{history}");
            s.screenshot("details-history").await;

            s.click("#tab-activity").await;
            assert_eq!(s.eval(ERRORS).await, "", "no script error opening Activity");
            s.until_text("#activity-table", "Invitation revoked").await;
            let rows = s.rows("#activity-table").await;
            let ours: Vec<&String> = rows.iter().filter(|r| r.contains(EMAIL)).collect();
            assert!(ours.len() >= 3, "sent, resent, revoked: {rows:?}");
            assert!(ours[0].contains("Invitation revoked") && ours[0].contains(&me), "{ours:?}");
            assert!(ours[1].contains("Invitation resent") && ours[1].contains(&me), "{ours:?}");
            s.type_into("#activity-search", "mary.jackson.s11").await;
            s.until(
                "only this invitation's events",
                &format!("[...document.querySelectorAll('#activity-table .vt-row')].every(r => r.innerText.includes({EMAIL:?}))"),
            )
            .await;
            s.screenshot("activity").await;

            s.stop_server().await;
            s.click("#sync-button").await;
            s.until_text("#connectivity-badge", "Offline since").await;
            s.until_text("#activity-table", "Invitation resent").await;
            s.click("#tab-invitations").await;
            s.open_row("#invitation-table", EMAIL).await;
            s.until_text("#details-history", &format!("Resent by {me} on")).await;
            assert_eq!(s.eval(ERRORS).await, "");
        })
    })
    .await;
}
