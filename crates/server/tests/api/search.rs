//! Search through the trigram indexes answers exactly what a plain substring match would,
//! whichever plan serves it: the index's hits (few matches), walking the list's order (many
//! matches), or text too short for a trigram.

use invitedesk_model::Invitation;
use invitedesk_server::demo;

use crate::helpers::spawn_app;

/// What the search should find, decided here by brute force over every invitation.
fn expected(all: &[Invitation], text: &str) -> Vec<String> {
    let needle = text.trim().to_lowercase();
    let mut ids: Vec<String> = all
        .iter()
        .filter(|i| {
            let haystack = invitedesk_model::search::search_text(
                i.email.as_deref().unwrap_or(""),
                i.first_name.as_deref(),
                i.last_name.as_deref(),
            );
            haystack.contains(&needle)
        })
        .map(|i| i.id.to_string())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn search_finds_exactly_the_rows_containing_the_text_whichever_plan_serves_it() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    // More rows than the index plan takes for "bulk" (every one matches), few for the rest.
    demo::bulk_invitations(&app.server.state, app.org_id(0), 6_000)
        .await
        .unwrap();
    for (email, name) in [
        ("per%cent@example.com", "Percent"),
        ("under_score@example.com", "Underscore"),
        ("quote@example.com", "Quo\"te"),
    ] {
        let mut invitation = admin.new_person(email).await;
        invitation.first_name = Some(name.into());
        admin.invite(&invitation).await.ok::<Invitation>();
    }
    let all = admin.all_invitations("").await;
    assert!(all.len() > 6_000);
    for text in [
        "person 4242", // few hits: the index's
        "bulk",        // every bulk row: the list's order
        "k1",          // too short for a trigram
        "BULK59",      // any case
        "per%",        // LIKE's wildcards are literal
        "r_s",
        "quo\"te", // FTS5's quote is literal
        "@example.com bulk person 599",
        "nobody-has-this",
    ] {
        let query = format!("?search={}", urlencode(text));
        let mut found: Vec<String> = admin
            .all_invitations(&query)
            .await
            .into_iter()
            .map(|i| i.id.to_string())
            .collect();
        found.sort();
        assert_eq!(found, expected(&all, text), "search {text:?}");
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}
