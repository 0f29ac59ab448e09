//! "My invitations": a person signed in to one organisation sees the invitations another has
//! sent to their e-mail, and accepts or declines them with their session alone.

use invitedesk_model::{AccountInvitation, AccountInvitationOutcome, Invitation, NewInvitation};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{spawn_app, TestApp};

async fn call(app: &TestApp, token: &str, method: Method, path: &str) -> (StatusCode, Value) {
    let response = app
        .http
        .request(method, format!("{}{path}", app.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn mine(app: &TestApp, token: &str) -> Vec<AccountInvitation> {
    let (status, body) = call(app, token, Method::GET, "/account/invitations").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).unwrap()
}

/// A member of organisation 0, signed in, and an invitation to organisation 1 for them.
async fn invited_elsewhere(app: &TestApp, email: &str) -> (String, Invitation) {
    let (_, tokens) = crate::sign_in::signed_in(app, email, "Read only").await;
    let other = app.session(1, "admin").await;
    let mut request: NewInvitation = other.new_person(email).await;
    request.permission_policy_ids = vec![other.policy_id("Helpdesk").await];
    let invitation: Invitation = other.invite(&request).await.ok();
    (tokens.access_token, invitation)
}

#[tokio::test]
async fn a_person_sees_an_invitation_from_another_organisation_and_accepts_it_with_their_session() {
    let app = spawn_app().await;
    let email = "roaming@example.com";
    let (token, invitation) = invited_elsewhere(&app, email).await;
    let waiting = mine(&app, &token).await;
    assert_eq!(waiting.len(), 1);
    let shown = &waiting[0];
    assert_eq!(shown.id, invitation.id);
    assert_eq!(shown.organization_id, app.org_id(1));
    assert_eq!(shown.permission_policies, ["Helpdesk"]);
    assert!(!shown.organization_name.is_empty() && !shown.invited_by.is_empty());

    let path = format!("/account/invitations/{}/accept", invitation.id);
    let (status, body) = call(&app, &token, Method::POST, &path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let outcome: AccountInvitationOutcome = serde_json::from_value(body).unwrap();
    assert_eq!(outcome.status, invitedesk_model::InvitationStatus::Accepted);
    assert_eq!(outcome.organization_id, app.org_id(1));
    assert!(mine(&app, &token).await.is_empty());

    let other = app.session(1, "admin").await;
    let member = other.users(&format!("?search={email}")).await.data;
    assert_eq!(member.len(), 1, "a member of the second organisation now");
    let read: Invitation = other
        .get(&format!("/invitations/{}", invitation.id))
        .await
        .ok();
    assert_eq!(
        read.status,
        Some(invitedesk_model::InvitationStatus::Accepted)
    );
    let events: invitedesk_model::Page<invitedesk_model::AuditEvent> = other
        .get(&format!("/auditlog?recordId={}", invitation.id))
        .await
        .ok();
    assert_eq!(events.data[0].action, "invitation.accepted");

    let (again, _) = call(&app, &token, Method::POST, &path).await;
    assert_eq!(again, StatusCode::NOT_FOUND, "answered once");
}

#[tokio::test]
async fn declining_ends_the_invitation() {
    let app = spawn_app().await;
    let (token, invitation) = invited_elsewhere(&app, "decliner@example.com").await;
    let path = format!("/account/invitations/{}/decline", invitation.id);
    let (status, body) = call(&app, &token, Method::POST, &path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "Declined");
    let other = app.session(1, "admin").await;
    let read: Invitation = other
        .get(&format!("/invitations/{}", invitation.id))
        .await
        .ok();
    assert_eq!(
        read.status,
        Some(invitedesk_model::InvitationStatus::Declined)
    );
    assert!(mine(&app, &token).await.is_empty());
}

#[tokio::test]
async fn only_the_person_the_invitation_is_for_may_see_or_answer_it() {
    let app = spawn_app().await;
    let (_, invitation) = invited_elsewhere(&app, "addressee@example.com").await;
    let (_, stranger) = crate::sign_in::signed_in(&app, "stranger@example.com", "Read only").await;
    assert!(mine(&app, &stranger.access_token).await.is_empty());
    let path = format!("/account/invitations/{}/accept", invitation.id);
    let (status, _) = call(&app, &stranger.access_token, Method::POST, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let service_user = app.token(0, "admin").await;
    let (status, body) = call(&app, &service_user, Method::GET, "/account/invitations").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, _) = call(&app, "not-a-token", Method::GET, "/account/invitations").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let read: Invitation = app
        .session(1, "admin")
        .await
        .get(&format!("/invitations/{}", invitation.id))
        .await
        .ok();
    assert_eq!(
        read.status,
        Some(invitedesk_model::InvitationStatus::Pending)
    );
}
