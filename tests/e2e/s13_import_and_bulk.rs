//! Story 13, many at once: the administrator imports a 50-row spreadsheet (Excel's semicolons,
//! BOM and CRLF) with 5 bad rows and 4 rows for a subscription with one free seat. The preview
//! shows each problem at its row and column and the seat forecast; sending creates 42 and
//! explains the other 8. Importing the same file again creates nothing. Then every invitation
//! the search shows is revoked in bulk, one of them revoked already, with a result per row.

use invitedesk_model::InvitationStatus;

use crate::helpers::{api_as, invitations_on_server, table_filled};
use crate::stage::{play, Given, Stage};

const DOMAIN: &str = "import-story.example";

/// The spreadsheet: rows 2..=51 as a spreadsheet numbers them.
fn spreadsheet() -> String {
    let mut rows = vec![
        "\u{feff}E-mail;First name;Last name;Contact number;Permission policies;Subscription;Role;Access end;Notes".to_owned(),
    ];
    for n in 1..=41 {
        rows.push(format!(
            "person{n}@{DOMAIN};Person;\"Number {n}\";+44 20 7946 {n:04};Read only;;;;\"a note; with a semicolon\""
        ));
    }
    for n in 1..=4 {
        rows.push(format!(
            "team{n}@{DOMAIN};Team;Member {n};+44 20 7946 10{n:02};Read only;Telemetry Team;Engineer;;"
        ));
    }
    rows.extend([
        "not an address;Bad;Email;+44 20 7946 2001;Read only;;;;".to_owned(),
        format!("nopolicy@{DOMAIN};Bad;Policy;+44 20 7946 2002;Nobody's policy;;;;"),
        format!("nosub@{DOMAIN};Bad;Subscription;+44 20 7946 2003;Read only;Gold Plan;;;"),
        format!("pastend@{DOMAIN};Bad;End;+44 20 7946 2004;Read only;;;2020-01-01;"),
        format!("PERSON1@{DOMAIN};Twice;Over;+44 20 7946 2005;Read only;;;;"),
    ]);
    rows.join("\r\n") + "\r\n"
}

async fn ours_on_server(s: &Stage) -> Vec<invitedesk_model::Invitation> {
    invitations_on_server(&api_as(s, "admin"))
        .await
        .into_iter()
        .filter(|i| i.email.as_deref().is_some_and(|e| e.ends_with(DOMAIN)))
        .collect()
}

async fn import_the_file(s: &Stage) {
    s.click("#import-button").await;
    s.until(
        "the preview",
        "document.getElementById('import-dialog')?.open && !document.getElementById('import-preview').hidden",
    )
    .await;
}

async fn send_and_wait(s: &Stage, summary: &str) {
    s.click("#import-send").await;
    s.until_text("#job-summary", summary).await;
}

#[tokio::test]
async fn a_spreadsheet_is_previewed_sent_rerun_and_its_invitations_revoked_in_bulk() {
    play("s13-import-and-bulk", Given::SignedIn("admin"), |s| {
        Box::pin(async move {
            std::fs::write(s.dir.path().join("import.csv"), spreadsheet()).unwrap();
            table_filled(s).await;

            import_the_file(s).await;
            s.until_text(
                "#import-summary",
                "50 rows: 45 ready to send (3 of them over the free seats), 4 invalid, 1 duplicate or already invited.",
            )
            .await;
            s.until_text(
                "#import-seats",
                "4 rows for Telemetry Team, 1 seat free: 3 will be refused",
            )
            .await;
            // Each problem at its spreadsheet row and its column.
            for (row, column) in [
                (47, "E-mail"),
                (48, "Permission policies"),
                (49, "Subscription"),
                (50, "Access end"),
            ] {
                let text = s.text(&format!("#import-rows tr[data-row='{row}']")).await;
                assert!(text.contains(column), "row {row} names {column}: {text}");
            }
            let duplicate = s.text("#import-rows tr[data-row='51']").await;
            assert!(duplicate.contains("Duplicate of row 2"), "{duplicate}");
            s.screenshot("import-preview").await;

            send_and_wait(s, "42 created; 8 not created, each explained below.").await;
            let outcomes = s.text("#job-results").await;
            assert_eq!(outcomes.matches("Refused: seats").count(), 3, "{outcomes}");
            assert_eq!(outcomes.matches("Invalid").count(), 4, "{outcomes}");
            assert!(outcomes.contains("Skipped"), "{outcomes}");
            s.screenshot("import-outcomes").await;
            assert_eq!(ours_on_server(s).await.len(), 42);
            s.click("#job-close").await;

            // The same file again: every row made is known, and nothing is made twice.
            import_the_file(s).await;
            s.until(
                "the second preview",
                "document.getElementById('import-summary').textContent.includes('3 ready to send (3 of them over the free seats), 4 invalid, 43 duplicate or already invited')",
            )
            .await;
            send_and_wait(s, "0 created; 50 not created, each explained below.").await;
            assert_eq!(ours_on_server(s).await.len(), 42, "nothing duplicated");
            s.click("#job-close").await;

            // One of them revoked elsewhere first: the bulk revoke says it was not allowed.
            let admin = api_as(s, "admin");
            let first = ours_on_server(s).await[0].clone();
            admin.revoke_invitation(first.id).await.unwrap();
            s.click("#sync-button").await;
            s.type_into("#invitation-search", DOMAIN).await;
            s.until(
                "the search's count",
                "document.getElementById('invitation-count').textContent.startsWith('42 invitations')",
            )
            .await;
            s.click("#invitation-table .vt-row .vt-check").await;
            s.click("#select-all").await;
            s.until_text("#selection-count", "42 selected").await;
            s.click("#bulk-revoke").await;
            s.click("#confirm-ok").await;
            s.until_text(
                "#job-summary",
                "41 done, 1 not allowed for their status.",
            )
            .await;
            s.screenshot("bulk-revoke").await;
            let revoked = ours_on_server(s).await;
            assert!(revoked
                .iter()
                .all(|i| i.status == Some(InvitationStatus::Revoked)));
            s.click("#job-close").await;
            s.until(
                "the selection cleared",
                "document.getElementById('selection-bar').hidden",
            )
            .await;
        })
    })
    .await;
}
