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
