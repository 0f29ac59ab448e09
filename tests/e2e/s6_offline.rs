//! Story 6, offline review: the server stops; the app says Offline with the time of its data;
//! the tables still search, sort and export to CSV; writes are disabled with the reason; the
//! server comes back and the app syncs by itself.

use crate::helpers::table_filled;
use crate::stage::{play, Given};

#[tokio::test]
async fn with_the_server_gone_the_cached_tables_stay_useful() {
    play("s6-offline", Given::SignedIn("admin"), |s| {
        Box::pin(async move {
            table_filled(s).await;
            s.until_text("#last-synced", "Last synced").await;
            s.stop_server().await;
            s.click("#sync-button").await;
            s.until_text("#connectivity-badge", "Offline since").await;
            s.until_text("#notice", "Offline: showing data as of").await;
            s.until(
                "Invite disabled, with the reason",
                "(b => b.disabled && b.title.includes('Offline'))(document.getElementById('invite-button'))",
            )
            .await;

            // Search: names and e-mails, from the cache.
            s.type_into("#invitation-search", "acme.example").await;
            s.until(
                "search results",
                "[...document.querySelectorAll('#invitation-table .vt-row')].length > 1",
            )
            .await;
            // Sort by e-mail, both ways.
            let sort_by_email = "[...document.querySelectorAll('#invitation-head button')].find(b => b.innerText.startsWith('E-mail')).click()";
            s.eval(sort_by_email).await;
            s.until("rows in ascending e-mail order", &in_order("<=")).await;
            let ascending = emails(s).await;
            s.eval(sort_by_email).await;
            s.until("rows in descending e-mail order", &in_order(">=")).await;
            let mut descending = emails(s).await;
            descending.reverse();
            assert_eq!(descending, ascending);
            s.screenshot("offline").await;

            // Export the view: the same rows, as CSV.
            s.click("#export-invitations").await;
            let notice = s.until_text("#notice", "Exported").await;
            let path = s.dir.path().join("exports/invitations.csv");
            let csv = std::fs::read_to_string(&path).expect("the export was written");
            let lines: Vec<&str> = csv.lines().collect();
            assert!(lines[0].starts_with("E-mail,"), "{}", lines[0]);
            assert!(notice.contains(&format!("{} rows", lines.len() - 1)), "{notice}");
            for email in &ascending {
                assert!(csv.contains(email.as_str()), "{email} missing from the export");
            }

            // The server returns: the app notices by itself within its offline retry period.
            s.start_server().await;
            s.until_text("#connectivity-badge", "Online").await;
            s.until(
                "Invite enabled again",
                "!document.getElementById('invite-button').disabled",
            )
            .await;
        })
    })
    .await;
}

/// The e-mail column of the drawn rows, in order.
async fn emails(s: &crate::stage::Stage) -> Vec<String> {
    let found = s
        .eval("return [...document.querySelectorAll('#invitation-table .vt-row .col-email')].map(c => c.innerText)")
        .await;
    serde_json::from_value(found).unwrap()
}

/// True when the drawn e-mails are in order by `comparison` (`<=` or `>=`).
fn in_order(comparison: &str) -> String {
    format!(
        "(a => a.length > 1 && a.every((x, i) => i === 0 || a[i - 1] {comparison} x))([...document.querySelectorAll('#invitation-table .vt-row .col-email')].map(c => c.innerText))"
    )
}
