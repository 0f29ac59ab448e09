//! Story 5, a read-only profile: every write action is hidden or disabled with the reason, and
//! a call forced past the UI is answered with the missing permission, which the app shows.

use invitedesk_model::InvitationStatus;
use serde_json::json;

use crate::helpers::{api_as, invitations_on_server, table_filled};
use crate::stage::{play, Given};

/// Every action button in the details panel is disabled, and says it is a permission.
const ALL_ACTIONS_REFUSED: &str = "(buttons => buttons.length > 0 && buttons.every(b => b.disabled && (b.title || '').includes('permission')))([...document.querySelectorAll('#details-actions button')])";

#[tokio::test]
async fn a_read_only_profile_can_change_nothing() {
    play("s5-read-only", Given::SignedIn("readonly"), |s| {
        Box::pin(async move {
            table_filled(s).await;
            s.until(
                "Invite and the bulk actions hidden",
                "['invite-button', 'bulk-resend', 'bulk-revoke'].every(id => document.getElementById(id).hidden)",
            )
            .await;
            let pending = invitations_on_server(&api_as(s, "admin"))
                .await
                .into_iter()
                .find(|i| i.status == Some(InvitationStatus::Pending))
                .unwrap();
            let email = pending.email.clone().unwrap();
            s.type_into("#invitation-search", &email).await;
            s.open_row("#invitation-table", &email).await;
            s.until("every invitation action refused for want of a permission", ALL_ACTIONS_REFUSED)
                .await;
            let titles = s
                .eval("return [...document.querySelectorAll('#details-actions button')].map(b => b.innerText + ': ' + b.title).join('\\n')")
                .await;
            s.screenshot("actions-disabled").await;

            s.click("#tab-users").await;
            s.until(
                "the users table",
                "document.querySelectorAll('#user-table .vt-row').length > 0",
            )
            .await;
            s.eval("document.querySelector('#user-table .vt-row').click()").await;
            s.until("every user action refused for want of a permission", ALL_ACTIONS_REFUSED)
                .await;

            // A call forced past the UI, as a tampered page could: the server says no, and
            // the answer names the permission.
            let refused = s
                .invoke("revoke", json!({ "id": pending.id }))
                .await
                .unwrap_err();
            assert_eq!(refused["kind"], "forbidden", "{refused}");
            let permission = refused["permission"].as_str().unwrap_or_default().to_owned();
            assert!(!permission.is_empty(), "{refused}");
            assert!(
                titles.as_str().unwrap_or_default().contains(&permission),
                "the disabled Revoke names the same permission: {titles}"
            );
            // And through the window: a disabled Resend forced on and clicked; the app shows
            // the server's refusal with the permission it names.
            s.click("#details-close").await;
            s.click("#tab-invitations").await;
            s.open_row("#invitation-table", &email).await;
            s.eval("const b = document.querySelector('#details-actions button[data-action=resend]'); b.disabled = false; b.click();")
                .await;
            let shown = s.until_text("#notice", "You lack the permission").await;
            assert!(shown.contains("orgUserInvitation"), "{shown}");
            s.screenshot("forced-call-refused").await;
            let still = api_as(s, "admin").invitation(pending.id).await.unwrap();
            assert_eq!(still.status, Some(InvitationStatus::Pending), "nothing changed");
        })
    })
    .await;
}
