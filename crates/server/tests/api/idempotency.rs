use futures::future::join_all;
use invitedesk_model::Invitation;
use reqwest::{Method, StatusCode};

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_retry_with_the_same_key_returns_the_first_answer_and_writes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let request = serde_json::to_value(admin.new_person("retry@example.com").await).unwrap();
    let first: Invitation = admin
        .call(Method::POST, "/invitations", Some(&request), Some("key-1"))
        .await
        .ok();
    let retry: Invitation = admin
        .call(Method::POST, "/invitations", Some(&request), Some("key-1"))
        .await
        .ok();
    assert_eq!(retry, first);
    assert_eq!(admin.all_invitations("?search=retry@").await.len(), 1);
}

#[tokio::test]
async fn concurrent_retries_with_one_key_create_one_invitation() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let request = serde_json::to_value(admin.new_person("burst@example.com").await).unwrap();
    let tries = (0..10).map(|_| {
        let (session, body) = (admin.clone(), request.clone());
        tokio::spawn(async move {
            session
                .call(Method::POST, "/invitations", Some(&body), Some("burst"))
                .await
        })
    });
    let answers: Vec<Invitation> = join_all(tries)
        .await
        .into_iter()
        .map(|a| a.unwrap().ok())
        .collect();
    assert!(answers.windows(2).all(|w| w[0].id == w[1].id));
    assert_eq!(admin.all_invitations("?search=burst@").await.len(), 1);
}

#[tokio::test]
async fn the_same_key_with_a_different_request_is_422() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let one = serde_json::to_value(admin.new_person("one@example.com").await).unwrap();
    let two = serde_json::to_value(admin.new_person("two@example.com").await).unwrap();
    admin
        .call(Method::POST, "/invitations", Some(&one), Some("k"))
        .await
        .ok::<Invitation>();
    admin
        .call(Method::POST, "/invitations", Some(&two), Some("k"))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused");
    assert!(admin.all_invitations("?search=two@").await.is_empty());
}

#[tokio::test]
async fn a_retried_resend_sends_once() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let pending = admin.invitations("?status=Pending").await.data[0].clone();
    let path = format!("/invitations/{}/resend", pending.id);
    let first: Invitation = admin
        .call(Method::POST, &path, None, Some("resend-1"))
        .await
        .ok();
    let retry: Invitation = admin
        .call(Method::POST, &path, None, Some("resend-1"))
        .await
        .ok();
    assert_eq!(first, retry);
    assert_eq!(first.send_count, pending.send_count.map(|n| n + 1));
    let current: Invitation = admin
        .get(&format!("/invitations/{}", pending.id))
        .await
        .ok();
    assert_eq!(current.send_count, first.send_count);
}

#[tokio::test]
async fn keys_belong_to_the_principal_that_used_them() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let helpdesk = app.session(0, "helpdesk").await;
    let pending = admin.invitations("?status=Pending").await.data;
    let a: Invitation = admin
        .call(
            Method::POST,
            &format!("/invitations/{}/resend", pending[0].id),
            None,
            Some("shared"),
        )
        .await
        .ok();
    let b: Invitation = helpdesk
        .call(
            Method::POST,
            &format!("/invitations/{}/resend", pending[1].id),
            None,
            Some("shared"),
        )
        .await
        .ok();
    assert_ne!(a.id, b.id);
}

#[tokio::test]
async fn a_refused_request_leaves_its_key_free_for_the_corrected_one() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let full =
        serde_json::to_value(admin.placed("fixme@example.com", "Storefront Lite").await).unwrap();
    admin
        .call(Method::POST, "/invitations", Some(&full), Some("fix"))
        .await
        .expect_error(StatusCode::CONFLICT, "seats_exhausted");
    let corrected =
        serde_json::to_value(admin.placed("fixme@example.com", "Storefront Pro").await).unwrap();
    let created: Invitation = admin
        .call(Method::POST, "/invitations", Some(&corrected), Some("fix"))
        .await
        .ok();
    let retry: Invitation = admin
        .call(Method::POST, "/invitations", Some(&corrected), Some("fix"))
        .await
        .ok();
    assert_eq!(created, retry);
}
