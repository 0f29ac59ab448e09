//! Story 3: the invitation e-mail reaches the SMTP server; the invitee follows its link and
//! accepts as a new person (one-time code, password); after a sync the app shows Accepted, and
//! "Open user" leads to the new member, Active, in Users.

use reqwest::StatusCode;

use crate::helpers::{
    fill_new_person, open_invite_form, send_invite, table_filled, token_of_mail, Invitee, Person,
    TELEMETRY_TEAM,
};
use crate::stage::{play, Given};

const RUTH: Person = Person {
    first: "Ruth",
    last: "Teitelbaum",
    email: "ruth.teitelbaum@acme.example",
    phone: "+44 7700 900421",
};

#[tokio::test]
async fn the_invitee_accepts_from_the_email_and_becomes_an_active_user() {
    play("s3-acceptance", Given::SignedIn("admin"), |s| {
        Box::pin(async move {
            table_filled(s).await;
            let mails_before = s.sink.messages().len();
            open_invite_form(s).await;
            fill_new_person(s, &RUTH, TELEMETRY_TEAM).await;
            send_invite(s, RUTH.email).await;

            let token = token_of_mail(s, mails_before + 1).await;
            let mail = s.sink.messages()[mails_before].clone();
            assert!(mail.contains(RUTH.email), "the mail is addressed to the invitee");
            let (status, invitee) = Invitee::follow(s, &token).await;
            assert_eq!(status, StatusCode::OK);
            invitee.accept_as_new_person(s, &RUTH).await;

            s.click("#sync-button").await;
            s.type_into("#invitation-search", "teitelbaum").await;
            s.until(
                "the invitation to show Accepted",
                "(rows => rows.length === 1 && rows[0].innerText.includes('teitelbaum') && rows[0].innerText.includes('Accepted'))([...document.querySelectorAll('#invitation-table .vt-row')])",
            )
            .await;
            s.open_row("#invitation-table", RUTH.email).await;
            s.screenshot("accepted").await;
            s.click("#details-actions button[data-action=openUser]").await;
            s.until_text("#details-title", &format!("User: {}", RUTH.email))
                .await;
            let details = s.text("#details-fields").await;
            assert!(details.contains("Active"), "{details}");
            assert!(details.contains("Telemetry Team / Engineer"), "{details}");
            let rows = s.rows("#user-table").await;
            assert!(
                rows.iter().any(|r| r.contains(RUTH.email) && r.contains("Active")),
                "{rows:?}"
            );
            s.screenshot("user-active").await;
        })
    })
    .await;
}
