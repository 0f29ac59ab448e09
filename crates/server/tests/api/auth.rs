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

async fn token_request(
    app: &crate::helpers::TestApp,
    key: &str,
    secret: &str,
) -> reqwest::Response {
    app.http
        .post(format!("{}/oauth/token", app.base_url()))
        .basic_auth(key, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
}

async fn revoke(
    app: &crate::helpers::TestApp,
    token: &str,
    client: Option<(&str, &str)>,
) -> reqwest::Response {
    let mut request = app
        .http
        .post(format!("{}/oauth/revoke", app.base_url()))
        .form(&[("token", token), ("token_type_hint", "access_token")]);
    if let Some((key, secret)) = client {
        request = request.basic_auth(key, Some(secret));
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn token_answers_are_never_cached() {
    let app = spawn_app().await;
    let p = &app.demo.organizations[0].principals["admin"];
    for response in [
        token_request(&app, &p.access_key_id, &p.api_secret).await,
        token_request(&app, &p.access_key_id, "wrong").await,
    ] {
        assert_eq!(response.headers()["cache-control"], "no-store");
        assert_eq!(response.headers()["pragma"], "no-cache");
    }
}

#[tokio::test]
async fn a_revoked_token_stops_working_at_once_though_it_was_just_used() {
    let app = spawn_app().await;
    let session = app.admin().await;
    // Used first, so that the server has the caller cached.
    assert_eq!(session.get("/me").await.status, StatusCode::OK);
    let p = &app.demo.organizations[0].principals["admin"];
    let answer = revoke(
        &app,
        &session.token,
        Some((&p.access_key_id, &p.api_secret)),
    )
    .await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()["cache-control"], "no-store");
    session
        .get("/me")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    // Revoking it again, or a token that never was, is still 200 (RFC 7009 §2.2).
    assert_eq!(
        revoke(&app, &session.token, None).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        revoke(&app, "no-such-token", None).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_client_may_revoke_only_its_own_tokens() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let helpdesk = &app.demo.organizations[0].principals["helpdesk"];
    let answer = revoke(
        &app,
        &admin.token,
        Some((&helpdesk.access_key_id, &helpdesk.api_secret)),
    )
    .await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(
        admin.get("/me").await.status,
        StatusCode::OK,
        "not helpdesk's token"
    );
    let wrong = revoke(&app, &admin.token, Some((&helpdesk.access_key_id, "wrong"))).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    // Holding the token is proof enough to end it.
    assert_eq!(
        revoke(&app, &admin.token, None).await.status(),
        StatusCode::OK
    );
    assert_eq!(admin.get("/me").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn wrong_secrets_for_one_key_are_limited_and_the_answer_says_when_to_retry() {
    let app = spawn_app().await;
    let p = &app.demo.organizations[0].principals["admin"];
    for attempt in 0..10 {
        let response = token_request(&app, &p.access_key_id, &format!("guess {attempt}")).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    // Blocked before any check: even the right secret waits.
    let blocked = token_request(&app, &p.access_key_id, &p.api_secret).await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = blocked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    // Another key from the same address is not blocked by this one.
    let other = &app.demo.organizations[0].principals["helpdesk"];
    let fine = token_request(&app, &other.access_key_id, &other.api_secret).await;
    assert_eq!(fine.status(), StatusCode::OK);
}

#[tokio::test]
async fn failed_sign_ins_from_one_address_are_limited_whatever_the_key() {
    let app = spawn_app().await;
    for attempt in 0..30 {
        let response = token_request(&app, &format!("made-up-key-{attempt}"), "guess").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let p = &app.demo.organizations[0].principals["readonly"];
    let blocked = token_request(&app, &p.access_key_id, &p.api_secret).await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.headers().contains_key("retry-after"));
    let body: serde_json::Value = blocked.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
}

#[tokio::test]
async fn api_secrets_are_stored_as_fast_digests_not_argon2() {
    let app = spawn_app().await;
    let hashes: Vec<String> = app
        .server
        .state
        .db
        .read(|c| c.query("SELECT secret_hash FROM service_users", (), |r| r.get(0)))
        .await
        .unwrap();
    assert!(!hashes.is_empty());
    for hash in hashes {
        assert!(hash.starts_with("sha256$"), "{hash}");
        let secret = &app.demo.organizations[0].principals["admin"].api_secret;
        assert!(!hash.contains(secret.as_str()));
    }
}
