use futures::future::join_all;
use invitedesk_model::{Invitation, User};
use reqwest::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test]
async fn fifty_concurrent_invites_for_three_free_seats_make_exactly_three() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let seats = admin.subscription("Storefront Pro").await.seats.unwrap();
    for i in 0..seats.available - 3 {
        admin
            .invite(
                &admin
                    .placed(&format!("filler{i}@example.com"), "Storefront Pro")
                    .await,
            )
            .await
            .ok::<Invitation>();
    }
    assert_eq!(
        admin
            .subscription("Storefront Pro")
            .await
            .seats
            .unwrap()
            .available,
        3
    );

    let template = admin.placed("x@example.com", "Storefront Pro").await;
    let attempts = (0..50).map(|i| {
        let (session, mut request) = (admin.clone(), template.clone());
        request.email = format!("rush{i}@example.com");
        tokio::spawn(async move { session.invite(&request).await })
    });
    let answers: Vec<_> = join_all(attempts)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let created = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    let refused = answers
        .iter()
        .filter(|a| a.status == StatusCode::CONFLICT && a.code() == "seats_exhausted")
        .count();
    assert_eq!((created, refused), (3, 47));

    let after = admin.subscription("Storefront Pro").await.seats.unwrap();
    assert_eq!(after.available, 0);
    assert_eq!(after.used + after.pending, after.limit);
    let rushed = admin.all_invitations("?search=rush").await;
    assert_eq!(rushed.len(), 3);
}

#[tokio::test]
async fn an_invite_into_a_full_subscription_is_refused_with_the_figures() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let body = admin
        .invite(&admin.placed("full@example.com", "Storefront Lite").await)
        .await
        .expect_error(StatusCode::CONFLICT, "seats_exhausted");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("2 used and 0 pending of 2"),
        "{body}"
    );
}

#[tokio::test]
async fn reactivation_needs_a_free_seat_and_inactivation_frees_one() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let lite = admin.subscription("Storefront Lite").await;
    let members = admin.users("?status=Active").await.data;
    let member: User = members
        .into_iter()
        .find(|u| u.subscription_id == Some(lite.id))
        .unwrap();

    admin
        .action(&format!("/users/{}/inactivate", member.id))
        .await
        .ok::<User>();
    assert_eq!(
        admin
            .subscription("Storefront Lite")
            .await
            .seats
            .unwrap()
            .available,
        1
    );
    admin
        .invite(&admin.placed("taker@example.com", "Storefront Lite").await)
        .await
        .ok::<Invitation>();

    let body = admin
        .action(&format!("/users/{}/reactivate", member.id))
        .await
        .expect_error(StatusCode::CONFLICT, "seats_exhausted");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("Storefront Lite"));
    let still: User = admin.get(&format!("/users/{}", member.id)).await.ok();
    assert_eq!(still.status, Some(invitedesk_model::UserStatus::Inactive));
}

#[tokio::test]
async fn resending_an_expired_invitation_into_a_full_subscription_is_refused() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created: Invitation = admin
        .invite(&admin.placed("seat@example.com", "Telemetry Team").await)
        .await
        .ok();
    app.server.state.clock.advance(chrono::Duration::days(31));
    let admin = app.admin().await;
    // The expired invitation's seat went back; others take every free seat.
    let free = admin
        .subscription("Telemetry Team")
        .await
        .seats
        .unwrap()
        .available;
    assert!(free >= 1);
    for i in 0..free {
        admin
            .invite(
                &admin
                    .placed(&format!("other{i}@example.com"), "Telemetry Team")
                    .await,
            )
            .await
            .ok::<Invitation>();
    }
    admin
        .action(&format!("/invitations/{}/resend", created.id))
        .await
        .expect_error(StatusCode::CONFLICT, "seats_exhausted");
}

#[tokio::test]
async fn moving_a_pending_invitation_needs_a_seat_in_the_new_subscription() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created: Invitation = admin
        .invite(&admin.placed("mover@example.com", "Storefront Pro").await)
        .await
        .ok();
    let lite = admin.subscription("Storefront Lite").await;
    let edit = serde_json::json!({
        "version": created.version, "firstName": "Test", "lastName": "Person", "contactNumber": "1",
        "permissionPolicyIds": created.permission_policy_ids,
        "businessId": lite.business_id, "appId": lite.app_id, "subscriptionId": lite.id,
    });
    admin
        .put(&format!("/invitations/{}", created.id), &edit)
        .await
        .expect_error(StatusCode::CONFLICT, "seats_exhausted");
}
