use chrono::{Duration, Utc};
use invitedesk_model::{User, UserStatus};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn users_are_listed_by_status_and_found_by_search() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let active = admin.users("?status=Active").await.data;
    let inactive = admin.users("?status=inactive").await.data;
    assert!(!active.is_empty() && !inactive.is_empty());
    assert!(active.iter().all(|u| u.status == Some(UserStatus::Active)));
    assert!(inactive
        .iter()
        .all(|u| u.status == Some(UserStatus::Inactive)));
    let someone = &active[0];
    let last_name = someone.last_name.as_deref().unwrap().to_uppercase();
    let found = admin.users(&format!("?search={last_name}")).await.data;
    assert!(found.iter().any(|u| u.id == someone.id));
}

#[tokio::test]
async fn editing_a_user_needs_the_current_version() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let user = admin.users("?status=Active").await.data[0].clone();
    let path = format!("/users/{}", user.id);
    let helpdesk = admin.policy_id("Helpdesk").await;
    let end = (Utc::now() + Duration::days(60)).to_rfc3339();
    let edited: User = admin.put(&path, &json!({"version": user.version, "permissionPolicyIds": [helpdesk], "dtEndAccess": end})).await.ok();
    assert_eq!(edited.permission_policy_ids, Some(vec![helpdesk]));
    assert!(edited.dt_end_access.is_some());
    assert_eq!(edited.version, user.version.map(|v| v + 1));
    admin
        .put(
            &path,
            &json!({"version": user.version, "permissionPolicyIds": [helpdesk]}),
        )
        .await
        .expect_error(StatusCode::CONFLICT, "version_conflict");
    admin
        .put(
            &path,
            &json!({"version": edited.version, "permissionPolicyIds": []}),
        )
        .await
        .expect_error(StatusCode::BAD_REQUEST, "too_few");
    let current: User = admin.get(&path).await.ok();
    assert_eq!(current, edited);
}

#[tokio::test]
async fn a_user_goes_inactive_and_active_again_and_deletion_is_final() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let user = admin
        .users("?status=Active")
        .await
        .data
        .into_iter()
        .find(|u| u.subscription_id.is_none())
        .unwrap();
    let inactive: User = admin
        .action(&format!("/users/{}/inactivate", user.id))
        .await
        .ok();
    assert_eq!(inactive.status, Some(UserStatus::Inactive));
    admin
        .action(&format!("/users/{}/inactivate", user.id))
        .await
        .expect_error(StatusCode::CONFLICT, "invalid_status");
    let active: User = admin
        .action(&format!("/users/{}/reactivate", user.id))
        .await
        .ok();
    assert_eq!(active.status, Some(UserStatus::Active));
    let tombstone: User = admin.delete(&format!("/users/{}", user.id)).await.ok();
    assert_eq!(tombstone.deleted, Some(true));
    admin
        .get(&format!("/users/{}", user.id))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    admin
        .action(&format!("/users/{}/reactivate", user.id))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn helpdesk_and_readonly_cannot_change_users() {
    let app = spawn_app().await;
    let helpdesk = app.session(0, "helpdesk").await;
    let user = helpdesk.users("").await.data[0].clone();
    let body = helpdesk
        .action(&format!("/users/{}/inactivate", user.id))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(body["permission"], "config:update on config:orgUser/*");
    let readonly = app.session(0, "readonly").await;
    readonly
        .delete(&format!("/users/{}", user.id))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
}
