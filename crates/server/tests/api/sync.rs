use chrono::{DateTime, Utc};
use invitedesk_model::{Invitation, Page, User};
use reqwest::StatusCode;

use crate::helpers::{spawn_app, Session};

/// Every change after `since`, following nextToken.
async fn changes(
    session: &Session,
    what: &str,
    since: &str,
    page_size: u32,
) -> Vec<serde_json::Value> {
    let mut all = Vec::new();
    let mut token = String::new();
    loop {
        let page: Page<serde_json::Value> = session
            .get(&format!(
                "/{what}?modifiedSince={since}&pageSize={page_size}{token}"
            ))
            .await
            .ok();
        all.extend(page.data);
        match page.next_token {
            Some(t) => token = format!("&nextToken={t}"),
            None => return all,
        }
    }
}

fn stamp(value: &serde_json::Value) -> String {
    value["dtLastModified"]
        .as_str()
        .unwrap()
        .replace('+', "%2B")
}

#[tokio::test]
async fn incremental_sync_returns_changes_in_order_with_tombstones() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let full = changes(&admin, "invitations", "1970-01-01T00:00:00Z", 4).await;
    assert_eq!(full.len(), admin.all_invitations("").await.len());
    let modified: Vec<DateTime<Utc>> = full
        .iter()
        .map(|i| i["dtLastModified"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(
        modified.windows(2).all(|w| w[0] < w[1]),
        "strictly increasing modification times"
    );
    let cursor = stamp(full.last().unwrap());
    assert!(
        changes(&admin, "invitations", &cursor, 50).await.is_empty(),
        "nothing changed, nothing returned"
    );

    let created: Invitation = admin
        .invite(&admin.new_person("delta@example.com").await)
        .await
        .ok();
    let pending = admin.invitations("?status=Pending").await.data;
    let revoked = pending.iter().find(|i| i.id != created.id).unwrap();
    admin
        .action(&format!("/invitations/{}/revoke", revoked.id))
        .await
        .ok::<Invitation>();
    admin
        .delete(&format!("/invitations/{}", created.id))
        .await
        .ok::<Invitation>();

    let delta = changes(&admin, "invitations", &cursor, 50).await;
    let ids: Vec<&str> = delta.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        vec![revoked.id.to_string(), created.id.to_string()],
        "modification order, each record once"
    );
    assert_eq!(delta[0]["status"], "Revoked");
    assert_eq!(
        delta[1]["deleted"], true,
        "deleted records come as tombstones"
    );
}

#[tokio::test]
async fn user_changes_sync_the_same_way() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let full = changes(&admin, "users", "1970-01-01T00:00:00Z", 3).await;
    let cursor = stamp(full.last().unwrap());
    let user = admin.users("?status=Active").await.data[0].clone();
    admin
        .delete(&format!("/users/{}", user.id))
        .await
        .ok::<User>();
    let delta = changes(&admin, "users", &cursor, 50).await;
    assert_eq!(delta.len(), 1);
    assert_eq!(delta[0]["id"], user.id.to_string());
    assert_eq!(delta[0]["deleted"], true);
}

#[tokio::test]
async fn a_page_token_from_one_kind_of_listing_is_refused_by_the_other() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let token = admin.invitations("?pageSize=1").await.next_token.unwrap();
    admin
        .get(&format!(
            "/invitations?modifiedSince=1970-01-01T00:00:00Z&nextToken={token}"
        ))
        .await
        .expect_error(StatusCode::BAD_REQUEST, "invalid_next_token");
}

/// Whether `text` is anywhere in the server's database files.
fn stored_anywhere(app: &crate::helpers::TestApp, text: &str) -> bool {
    ["server.db", "server.db-wal"].iter().any(|f| {
        let bytes = std::fs::read(app.dir.path().join(f)).unwrap_or_default();
        bytes.windows(text.len()).any(|w| w == text.as_bytes())
    })
}

#[tokio::test]
async fn a_deleted_invitation_leaves_only_its_id_and_time_behind() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let mut request = admin.new_person("forget.me@example.com").await;
    request.first_name = Some("Forgettable".into());
    request.contact_number = Some("+44 7700 900555".into());
    let created: Invitation = admin.invite(&request).await.ok();
    let since = stamp(&serde_json::to_value(&created).unwrap());
    let deleted = admin.delete(&format!("/invitations/{}", created.id)).await;
    assert_eq!(deleted.status, StatusCode::OK);
    let mut keys: Vec<&String> = deleted.body.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["deleted", "dtLastModified", "id"]);

    let feed = changes(&admin, "invitations", &since, 50).await;
    let tombstone = feed
        .iter()
        .find(|i| i["id"] == created.id.to_string())
        .expect("the tombstone");
    let mut keys: Vec<&String> = tombstone.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["deleted", "dtLastModified", "id"], "{tombstone}");
    assert_eq!(tombstone["deleted"], true);

    app.server.state.db.checkpoint().await.unwrap();
    for personal in ["forget.me@example.com", "Forgettable", "+44 7700 900555"] {
        assert!(
            !stored_anywhere(&app, personal),
            "{personal} is still stored"
        );
    }
}

#[tokio::test]
async fn a_deleted_member_leaves_only_its_id_and_time_behind() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let members = admin.users("").await.data;
    let member = &members[0];
    let email = member.email.clone().unwrap();
    let since = stamp(&serde_json::to_value(member).unwrap());
    assert_eq!(
        admin.delete(&format!("/users/{}", member.id)).await.status,
        StatusCode::OK
    );
    let feed = changes(&admin, "users", &since, 50).await;
    let tombstone = feed
        .iter()
        .find(|u| u["id"] == member.id.to_string())
        .expect("the tombstone");
    assert!(tombstone.get("email").is_none(), "{tombstone}");
    assert!(tombstone.get("firstName").is_none(), "{tombstone}");
    app.server.state.db.checkpoint().await.unwrap();
    assert!(!stored_anywhere(&app, &email), "{email} is still stored");
}
