use chrono::Duration;
use invitedesk_model::{Me, Permission};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_token_is_issued_for_basic_credentials_with_a_form_or_json_body() {
    let app = spawn_app().await;
    let p = &app.demo.organizations[0].principals["admin"];
    let url = format!("{}/oauth/token", app.base_url());
    let form = app
        .http
        .post(&url)
        .basic_auth(&p.access_key_id, Some(&p.api_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    let json_body = app
        .http
        .post(&url)
        .basic_auth(&p.access_key_id, Some(&p.api_secret))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_body.status(), StatusCode::OK);
    let token: serde_json::Value = json_body.json().await.unwrap();
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["expires_in"], 3600);
    assert!(token["access_token"].as_str().unwrap().len() >= 43);
}

#[tokio::test]
async fn wrong_or_unknown_credentials_get_401_and_a_wrong_grant_400() {
    let app = spawn_app().await;
    let p = &app.demo.organizations[0].principals["admin"];
    let url = format!("{}/oauth/token", app.base_url());
    let grant = [("grant_type", "client_credentials")];
    for (id, secret) in [
        (p.access_key_id.as_str(), "wrong"),
        ("no-such-key", p.api_secret.as_str()),
    ] {
        let response = app
            .http
            .post(&url)
            .basic_auth(id, Some(secret))
            .form(&grant)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["code"], "unauthorized");
    }
    let response = app
        .http
        .post(&url)
        .basic_auth(&p.access_key_id, Some(&p.api_secret))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["field"], "grant_type");
}

#[tokio::test]
async fn calls_without_a_valid_token_get_401() {
    let app = spawn_app().await;
    let mut session = app.admin().await;
    session.token = "not-a-token".into();
    session
        .get("/invitations")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let bare = app
        .http
        .get(session.url("/invitations"))
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(bare.headers()["www-authenticate"], "Bearer");
}

#[tokio::test]
async fn a_token_stops_working_when_it_expires() {
    let app = spawn_app().await;
    let session = app.admin().await;
    assert_eq!(session.get("/me").await.status, StatusCode::OK);
    app.server.state.clock.advance(Duration::seconds(3601));
    session
        .get("/me")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn me_tells_each_principal_what_it_may_do() {
    let app = spawn_app().await;
    let admin: Me = app.admin().await.get("/me").await.ok();
    assert_eq!(admin.permissions, Permission::ALL.to_vec());
    assert_eq!(admin.organization_name, "Acme Robotics");
    let helpdesk: Me = app.session(0, "helpdesk").await.get("/me").await.ok();
    assert!(helpdesk.permissions.contains(&Permission::ResendInvitation));
    assert!(!helpdesk.permissions.contains(&Permission::CreateInvitation));
    assert!(!helpdesk.permissions.contains(&Permission::UpdateInvitation));
    let readonly: Me = app.session(0, "readonly").await.get("/me").await.ok();
    assert!(readonly
        .permissions
        .iter()
        .all(|p| p.action() == "config:retrieve"));
}

#[tokio::test]
async fn a_missing_permission_is_403_naming_it_and_changes_nothing() {
    let app = spawn_app().await;
    let readonly = app.session(0, "readonly").await;
    let invitation = readonly.new_person("nobody@example.com").await;
    let before = readonly.all_invitations("").await.len();
    let body = readonly
        .invite(&invitation)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        body["permission"],
        "config:create on config:orgUserInvitation/*"
    );
    assert_eq!(readonly.all_invitations("").await.len(), before);

    let helpdesk = app.session(0, "helpdesk").await;
    let pending = helpdesk.invitations("?status=Pending").await.data[0].clone();
    let body = helpdesk
        .action(&format!("/invitations/{}/revoke", pending.id))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        body["permission"],
        "config:update on config:orgUserInvitation/*"
    );
    helpdesk
        .action(&format!("/invitations/{}/resend", pending.id))
        .await
        .ok::<serde_json::Value>();
}
