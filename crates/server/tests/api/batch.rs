//! `POST /invitations/batch`: each item answered as if sent alone, in its own transaction,
//! under its own key.

use futures::future::join_all;
use invitedesk_model::{BatchAnswer, Invitation, NewInvitation};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, Session};

fn item(key: &str, invitation: &NewInvitation) -> Value {
    json!({ "idempotencyKey": key, "invitation": invitation })
}

async fn send_batch(session: &Session, items: Vec<Value>) -> BatchAnswer {
    session
        .post("/invitations/batch", &json!({ "items": items }))
        .await
        .ok()
}

#[tokio::test]
async fn a_mixed_batch_answers_each_item_with_its_own_outcome() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let good = admin.new_person("batch.good@example.com").await;
    let again = admin.new_person("batch.good@example.com").await;
    let mut invalid = admin.new_person("not an address").await;
    invalid.first_name = None;
    let full = admin
        .placed("batch.full@example.com", "Storefront Lite")
        .await;
    let placed = admin
        .placed("batch.placed@example.com", "Storefront Pro")
        .await;
    let before = admin.all_invitations("").await.len();
    let created_events = "SELECT count(*) FROM audit_events WHERE action = 'invitation.created'";
    let events_before = app.sql_count(created_events).await;

    let answer = send_batch(
        &admin,
        vec![
            item("k-good", &good),
            item("k-again", &again),
            item("k-invalid", &invalid),
            item("k-full", &full),
            item("k-placed", &placed),
        ],
    )
    .await;

    let statuses: Vec<u16> = answer.results.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 409, 400, 409, 200]);
    let indexes: Vec<usize> = answer.results.iter().map(|r| r.index).collect();
    assert_eq!(indexes, [0, 1, 2, 3, 4]);
    let first = answer.results[0].invitation.as_ref().unwrap();
    assert_eq!(first.email.as_deref(), Some("batch.good@example.com"));
    let duplicate = answer.results[1].error.as_ref().unwrap();
    assert_eq!(duplicate.conflicting_id, Some(first.id), "{duplicate:?}");
    let invalid = answer.results[2].error.as_ref().unwrap();
    let fields: Vec<&str> = invalid.errors.iter().map(|e| e.field.as_str()).collect();
    assert!(
        fields.contains(&"email") && fields.contains(&"firstName"),
        "{fields:?}"
    );
    let refused = answer.results[3].error.as_ref().unwrap();
    assert_eq!(refused.code.as_deref(), Some("seats_exhausted"));
    assert_eq!(admin.all_invitations("").await.len(), before + 2);
    let events = app.sql_count(created_events).await - events_before;
    assert_eq!(events, 2, "one event per item made, none for the refused");
}

#[tokio::test]
async fn a_retried_batch_makes_nothing_twice_and_shares_keys_with_single_creates() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let a = admin.new_person("retry.a@example.com").await;
    let b = admin.new_person("retry.b@example.com").await;
    let single = admin
        .call(
            Method::POST,
            "/invitations",
            Some(&serde_json::to_value(&b).unwrap()),
            Some("k-b"),
        )
        .await
        .ok::<Invitation>();
    let items = vec![item("k-a", &a), item("k-b", &b)];
    let first = send_batch(&admin, items.clone()).await;
    let second = send_batch(&admin, items).await;

    assert_eq!(first, second, "a retry gets the first answers back");
    assert!(first.results.iter().all(|r| r.status == 200), "{first:?}");
    assert_eq!(first.results[1].invitation.as_ref().unwrap().id, single.id);
    assert_eq!(admin.all_invitations("?search=retry.").await.len(), 2);

    let other = admin.new_person("retry.other@example.com").await;
    let reused = send_batch(&admin, vec![item("k-a", &other)]).await;
    assert_eq!(reused.results[0].status, 422);
    assert_eq!(
        reused.results[0].error.as_ref().unwrap().code.as_deref(),
        Some("idempotency_key_reused")
    );
}

#[tokio::test]
async fn batches_and_single_creates_racing_for_seats_never_overfill_them() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let free = admin
        .subscription("Storefront Pro")
        .await
        .seats
        .unwrap()
        .available as u64;
    let template = admin.placed("x@example.com", "Storefront Pro").await;
    let invitation = |name: String| NewInvitation {
        email: format!("{name}@example.com"),
        ..template.clone()
    };
    let batches = (0..3).map(|b| {
        let session = admin.clone();
        let items: Vec<Value> = (0..10)
            .map(|i| {
                item(
                    &format!("race-{b}-{i}"),
                    &invitation(format!("race.b{b}.{i}")),
                )
            })
            .collect();
        tokio::spawn(async move { send_batch(&session, items).await })
    });
    let singles = (0..20).map(|i| {
        let (session, request) = (admin.clone(), invitation(format!("race.s{i}")));
        tokio::spawn(async move { session.invite(&request).await.status })
    });
    let (batches, singles) = tokio::join!(join_all(batches), join_all(singles));
    let batch_made = batches
        .into_iter()
        .flat_map(|b| b.unwrap().results)
        .filter(|r| r.status == 200)
        .count() as u64;
    let single_made = singles
        .into_iter()
        .filter(|s| *s.as_ref().unwrap() == StatusCode::OK)
        .count() as u64;

    assert_eq!(batch_made + single_made, free);
    let after = admin.subscription("Storefront Pro").await.seats.unwrap();
    assert_eq!(
        (after.available, after.used + after.pending),
        (0, after.limit)
    );
    assert_eq!(
        admin.all_invitations("?search=race.").await.len() as u64,
        free
    );
}

#[tokio::test]
async fn a_batch_is_refused_whole_when_empty_oversized_malformed_or_not_allowed() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    admin
        .post("/invitations/batch", &json!({ "items": [] }))
        .await
        .expect_error(StatusCode::BAD_REQUEST, "invalid_batch_size");
    let one = admin.new_person("big@example.com").await;
    let many: Vec<Value> = (0..101).map(|_| json!({ "invitation": one })).collect();
    admin
        .post("/invitations/batch", &json!({ "items": many }))
        .await
        .expect_error(StatusCode::BAD_REQUEST, "invalid_batch_size");
    let answer = admin
        .post("/invitations/batch", &json!({ "items": "everyone" }))
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    let bad_key = send_batch(&admin, vec![item("", &one)]).await;
    assert_eq!(bad_key.results[0].status, 400);
    assert_eq!(
        bad_key.results[0].error.as_ref().unwrap().field.as_deref(),
        Some("idempotencyKey")
    );
    app.session(0, "readonly")
        .await
        .post("/invitations/batch", &json!({ "items": [item("k", &one)] }))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    assert!(admin.all_invitations("?search=big@").await.is_empty());
}

#[tokio::test]
async fn the_batch_is_in_the_openapi_document_and_absent_from_the_m3ter_only_mode() {
    let app = spawn_app().await;
    let openapi = app.openapi().await;
    assert!(
        openapi["paths"]["/organizations/{orgId}/invitations/batch"]["post"].is_object(),
        "the batch is documented"
    );
    let m3ter = spawn_app_with(|c| c.m3ter_only = true).await;
    let admin = m3ter.admin().await;
    let one = admin.new_person("m3ter.batch@example.com").await;
    admin
        .post("/invitations/batch", &json!({ "items": [item("k", &one)] }))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
}
