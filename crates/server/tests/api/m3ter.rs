//! What a client written for m3ter's public API calls, in m3ter's paths and shapes.

use invitedesk_model::PermissionPolicy;
use reqwest::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test]
async fn users_me_answers_in_m3ters_shape() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let me = admin.get("/users/me").await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.body["organization"]["id"], app.org_id(0).to_string());
    assert_eq!(me.body["organization"]["organizationName"], "Acme Robotics");
    assert_eq!(me.body["serviceUser"]["name"], "admin");
    let extended = admin.get("/me").await;
    assert_eq!(me.body["serviceUser"]["id"], extended.body["principalId"]);
}

#[tokio::test]
async fn one_permission_policy_is_retrieved_by_its_id_in_its_own_organisation_only() {
    let app = spawn_app().await;
    let acme = app.admin().await;
    let id = acme.policy_id("Helpdesk").await;
    let policy: PermissionPolicy = acme.get(&format!("/permissionpolicies/{id}")).await.ok();
    assert_eq!(policy.id, id);
    assert_eq!(policy.name.as_deref(), Some("Helpdesk"));
    assert!(!policy.permission_policy.is_empty());
    let globex = app.session(1, "admin").await;
    globex
        .get(&format!("/permissionpolicies/{id}"))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    acme.get("/permissionpolicies/not-a-uuid")
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn the_m3ter_only_mode_keeps_m3ters_own_users_me() {
    let app = crate::helpers::spawn_app_with(|c| c.m3ter_only = true).await;
    let admin = app.admin().await;
    assert_eq!(admin.get("/users/me").await.status, StatusCode::OK);
    assert_eq!(admin.get("/me").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_m3ter_client_changes_a_members_access_end_without_naming_its_policies() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let member = admin.users("?status=Active").await.data[0].clone();
    let end = chrono::Utc::now() + chrono::Duration::days(60);
    let updated = admin
        .put(
            &format!("/users/{}", member.id),
            &serde_json::json!({"dtEndAccess": end, "version": member.version}),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    let updated: invitedesk_model::User = updated.ok();
    assert_eq!(
        updated.permission_policy_ids, member.permission_policy_ids,
        "kept"
    );
    assert_eq!(
        updated.dt_end_access.map(|t| t.timestamp()),
        Some(end.timestamp())
    );
}
