//! Story 4, the helpdesk: with the helpdesk profile, type part of an e-mail in the search box,
//! find an Expired invitation, resend it: it becomes Pending, a new mail arrives, and the old
//! link no longer works. The helpdesk profile sees no Invite button.

use chrono::{Duration, Utc};
use invitedesk_model::NewInvitation;
use reqwest::StatusCode;

use crate::helpers::{api_as, table_filled, token_of_mail, Invitee};
use crate::stage::{play, Given};

const EMAIL: &str = "mae.jemison@acme.example";

#[tokio::test]
async fn helpdesk_finds_an_expired_invitation_by_email_and_resends_it() {
    play("s4-helpdesk", Given::SignedIn("helpdesk"), |s| {
        Box::pin(async move {
            // An invitation sent 40 days ago with a 30-day expiry: the server's clock is set
            // back while it is made, so its mail and link are real.
            let clock = &s.server().state.clock;
            clock.advance(Duration::days(-40));
            let admin = api_as(s, "admin");
            let policy = admin.permission_policies().await.unwrap()[0].id;
            let mails_before = s.sink.messages().len();
            admin
                .create_invitation(&NewInvitation {
                    email: EMAIL.into(),
                    first_name: Some("Mae".into()),
                    last_name: Some("Jemison".into()),
                    contact_number: Some("+1 555 0142".into()),
                    permission_policy_ids: vec![policy],
                    dt_expiry: Some(clock.now() + Duration::days(30)),
                    ..Default::default()
                })
                .await
                .unwrap();
            let old_token = token_of_mail(s, mails_before + 1).await;
            clock.advance(Duration::days(40));
            assert!(clock.now() > Utc::now() - Duration::minutes(1));

            table_filled(s).await;
            s.click("#sync-button").await;
            assert!(
                s.eval("return document.getElementById('invite-button').hidden").await == true,
                "the helpdesk sees no Invite button"
            );
            s.eval("document.activeElement.blur()").await;
            // "/" jumps to the search box from anywhere, as the placeholder says.
            s.press('/').await;
            s.until(
                "the search box focused",
                "document.activeElement.id === 'invitation-search'",
            )
            .await;
            s.element("#invitation-search").await.send_keys("jemis").await.unwrap();
            s.until(
                "exactly the expired invitation",
                &format!(
                    "(rows => rows.length === 1 && rows[0].innerText.includes({EMAIL:?}) && rows[0].innerText.includes('Expired'))([...document.querySelectorAll('#invitation-table .vt-row')])"
                ),
            )
            .await;
            s.open_row("#invitation-table", EMAIL).await;
            s.screenshot("expired-found").await;
            s.click("#details-actions button[data-action=resend]").await;
            s.until_text("#notice", &format!("Resend: done for {EMAIL}")).await;
            s.until(
                "the row to show Pending",
                &format!(
                    "[...document.querySelectorAll('#invitation-table .vt-row')].some(r => r.innerText.includes({EMAIL:?}) && r.innerText.includes('Pending'))"
                ),
            )
            .await;
            s.screenshot("resent").await;

            let new_token = token_of_mail(s, mails_before + 2).await;
            assert_ne!(new_token, old_token);
            let (old, _) = Invitee::follow(s, &old_token).await;
            assert_ne!(old, StatusCode::OK, "the old link must not work any more");
            let (new, _) = Invitee::follow(s, &new_token).await;
            assert_eq!(new, StatusCode::OK);
        })
    })
    .await;
}
