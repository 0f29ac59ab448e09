use std::collections::HashSet;

use chrono::{Duration, Utc};
use invitedesk_model::{DeliveryStatus, Invitation, InvitationStatus, NewInvitation};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

/// The invitation less what e-mail delivery changes by itself.
fn without_delivery(invitation: Invitation) -> Invitation {
    Invitation {
        delivery_status: None,
        delivery_error: None,
        dt_last_sent: None,
        dt_last_modified: None,
        ..invitation
    }
}

fn status_of(invitation: &Invitation) -> InvitationStatus {
    invitation.status.expect("status")
}

#[tokio::test]
async fn inviting_a_new_person_makes_a_pending_invitation_that_expires_in_30_days() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let mut request = admin.new_person("  Jo.Bloggs@Example.ORG ").await;
    request.first_name = Some(" Jo ".into());
    let created: Invitation = admin.invite(&request).await.ok();
    assert_eq!(created.email.as_deref(), Some("jo.bloggs@example.org"));
    assert_eq!(created.first_name.as_deref(), Some("Jo"));
    assert_eq!(status_of(&created), InvitationStatus::Pending);
    assert_eq!(created.accepted, Some(false));
    assert_eq!((created.version, created.send_count), (Some(1), Some(1)));
    let expires_in = created.dt_expiry.unwrap() - Utc::now();
    assert!(
        expires_in > Duration::days(30) - Duration::minutes(1) && expires_in <= Duration::days(30)
    );
    let fetched: Invitation = admin
        .get(&format!("/invitations/{}", created.id))
        .await
        .ok();
    assert_eq!(
        without_delivery(fetched),
        without_delivery(created.clone()),
        "delivery may move on meanwhile"
    );
    assert_eq!(
        admin.invitations("").await.data[0].id,
        created.id,
        "newest first"
    );
}

#[tokio::test]
async fn an_existing_user_can_be_invited_without_names() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let request = NewInvitation {
        email: "someone.known@example.net".into(),
        existing_user: true,
        permission_policy_ids: vec![admin.policy_id("Helpdesk").await],
        ..Default::default()
    };
    let created: Invitation = admin.invite(&request).await.ok();
    assert_eq!(created.existing_user, Some(true));
    assert_eq!(created.first_name, None);
}

#[tokio::test]
async fn every_invalid_field_is_named_and_nothing_is_written() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let before = admin.all_invitations("").await.len();
    let body = admin
        .post(
            "/invitations",
            &json!({
                "email": "a@localhost",
                "firstName": "ok",
                "lastName": "x\r\nBcc: victim@example.com",
                "contactNumber": "12345",
                "permissionPolicyIds": [],
                "dtExpiry": (Utc::now() + Duration::days(91)).to_rfc3339(),
            }),
        )
        .await
        .expect_error(StatusCode::BAD_REQUEST, "invalid_email");
    let fields: Vec<(&str, &str)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        vec![
            ("email", "invalid_email"),
            ("lastName", "forbidden_character"),
            ("permissionPolicyIds", "too_few"),
            ("dtExpiry", "too_far_ahead"),
        ]
    );
    assert_eq!(body["field"], "email");
    assert_eq!(admin.all_invitations("").await.len(), before);
}

#[tokio::test]
async fn unknown_policies_and_mismatched_placement_are_named() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let mut request = admin.new_person("p1@example.com").await;
    request.permission_policy_ids.push(uuid::Uuid::new_v4());
    let body = admin
        .invite(&request)
        .await
        .expect_error(StatusCode::BAD_REQUEST, "unknown");
    assert_eq!(body["field"], "permissionPolicyIds");

    let mut request = admin.placed("p2@example.com", "Storefront Pro").await;
    request.app_id = admin.subscription("Telemetry Team").await.app_id;
    let body = admin
        .invite(&request)
        .await
        .expect_error(StatusCode::BAD_REQUEST, "unknown");
    assert_eq!(body["field"], "appId");

    let globex_policy = app.session(1, "admin").await.policy_id("Read only").await;
    let mut request = admin.new_person("p3@example.com").await;
    request.permission_policy_ids = vec![globex_policy];
    admin
        .invite(&request)
        .await
        .expect_error(StatusCode::BAD_REQUEST, "unknown");
}

#[tokio::test]
async fn a_second_live_invitation_for_an_email_is_refused_naming_the_first() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let first: Invitation = admin
        .invite(&admin.new_person("twice@example.com").await)
        .await
        .ok();
    let again = admin.new_person("TWICE@example.com").await;
    let body = admin
        .invite(&again)
        .await
        .expect_error(StatusCode::CONFLICT, "invitation_exists");
    assert_eq!(body["conflictingId"], first.id.to_string());
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains(&first.id.to_string()));
}

#[tokio::test]
async fn a_member_cannot_be_invited_again() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let member = admin.users("?status=Active").await.data[0].clone();
    let request = admin.new_person(member.email.as_deref().unwrap()).await;
    let body = admin
        .invite(&request)
        .await
        .expect_error(StatusCode::CONFLICT, "already_member");
    assert_eq!(body["conflictingId"], member.id.to_string());
}

async fn after_days(app: &TestApp, days: i64) -> crate::helpers::Session {
    app.server.state.clock.advance(Duration::days(days));
    app.admin().await
}

#[tokio::test]
async fn an_invitation_past_its_expiry_reads_as_expired_everywhere_at_once() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created: Invitation = admin
        .invite(&admin.placed("late@example.com", "Storefront Pro").await)
        .await
        .ok();
    let pending_seats = admin
        .subscription("Storefront Pro")
        .await
        .seats
        .unwrap()
        .pending;

    let admin = after_days(&app, 31).await;
    let fetched: Invitation = admin
        .get(&format!("/invitations/{}", created.id))
        .await
        .ok();
    assert_eq!(status_of(&fetched), InvitationStatus::Expired);
    assert_eq!(
        fetched.version, created.version,
        "expiry is not a modification"
    );
    let expired = admin.all_invitations("?status=Expired").await;
    assert!(expired.iter().any(|i| i.id == created.id));
    assert!(!admin
        .all_invitations("?status=Pending")
        .await
        .iter()
        .any(|i| i.id == created.id));
    let seats = admin.subscription("Storefront Pro").await.seats.unwrap();
    assert!(
        seats.pending < pending_seats,
        "an expired invitation holds no seat"
    );

    // An Expired invitation does not block a new one for the same address.
    let renewed: Invitation = admin
        .invite(&admin.new_person("late@example.com").await)
        .await
        .ok();
    assert_eq!(status_of(&renewed), InvitationStatus::Pending);
}

#[tokio::test]
async fn resend_of_expired_invitation_makes_it_pending_again() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let expired = admin.invitations("?status=Expired").await.data[0].clone();
    let resent: Invitation = admin
        .action(&format!("/invitations/{}/resend", expired.id))
        .await
        .ok();
    assert_eq!(status_of(&resent), InvitationStatus::Pending);
    assert_eq!(resent.send_count, expired.send_count.map(|n| n + 1));
    assert_eq!(resent.version, expired.version.map(|v| v + 1));
    assert!(resent.dt_expiry.unwrap() > Utc::now() + Duration::days(29));
    assert_eq!(resent.delivery_status, Some(DeliveryStatus::Queued));
    let delivered = admin.delivered(expired.id).await;
    assert!(delivered.dt_last_sent.unwrap() > expired.dt_last_sent.unwrap());
}

#[tokio::test]
async fn an_expired_invitation_cannot_come_back_beside_a_newer_live_one() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let old: Invitation = admin
        .invite(&admin.new_person("again@example.com").await)
        .await
        .ok();
    let admin = after_days(&app, 31).await;
    let newer: Invitation = admin
        .invite(&admin.new_person("again@example.com").await)
        .await
        .ok();
    let body = admin
        .action(&format!("/invitations/{}/resend", old.id))
        .await
        .expect_error(StatusCode::CONFLICT, "invitation_exists");
    assert_eq!(body["conflictingId"], newer.id.to_string());
}

#[tokio::test]
async fn each_status_allows_only_its_actions() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let declined = admin.invitations("?status=Declined").await.data[0].clone();
    let accepted = admin.invitations("?status=Accepted").await.data[0].clone();
    admin
        .action(&format!("/invitations/{}/resend", declined.id))
        .await
        .expect_error(StatusCode::CONFLICT, "invalid_status");
    admin
        .action(&format!("/invitations/{}/revoke", declined.id))
        .await
        .expect_error(StatusCode::CONFLICT, "invalid_status");
    admin
        .delete(&format!("/invitations/{}", accepted.id))
        .await
        .expect_error(StatusCode::CONFLICT, "invalid_status");
    let edit = json!({"version": accepted.version, "permissionPolicyIds": accepted.permission_policy_ids,
        "firstName": "A", "lastName": "B", "contactNumber": "1"});
    admin
        .put(&format!("/invitations/{}", accepted.id), &edit)
        .await
        .expect_error(StatusCode::CONFLICT, "invalid_status");
    let unchanged: Invitation = admin
        .get(&format!("/invitations/{}", declined.id))
        .await
        .ok();
    assert_eq!(unchanged, declined);
}

#[tokio::test]
async fn revoking_a_pending_invitation_frees_its_seat() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created: Invitation = admin
        .invite(&admin.placed("rev@example.com", "Telemetry Team").await)
        .await
        .ok();
    assert_eq!(
        admin
            .subscription("Telemetry Team")
            .await
            .seats
            .unwrap()
            .available,
        0
    );
    let revoked: Invitation = admin
        .action(&format!("/invitations/{}/revoke", created.id))
        .await
        .ok();
    assert_eq!(status_of(&revoked), InvitationStatus::Revoked);
    assert_eq!(
        admin
            .subscription("Telemetry Team")
            .await
            .seats
            .unwrap()
            .available,
        1
    );
    admin
        .action(&format!("/invitations/{}/revoke", created.id))
        .await
        .expect_error(StatusCode::CONFLICT, "invalid_status");
}

#[tokio::test]
async fn deleting_removes_an_invitation_from_reads() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created: Invitation = admin
        .invite(&admin.new_person("gone@example.com").await)
        .await
        .ok();
    let tombstone: Invitation = admin
        .delete(&format!("/invitations/{}", created.id))
        .await
        .ok();
    assert_eq!(tombstone.deleted, Some(true));
    admin
        .get(&format!("/invitations/{}", created.id))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    assert!(!admin
        .all_invitations("")
        .await
        .iter()
        .any(|i| i.id == created.id));
    admin
        .delete(&format!("/invitations/{}", created.id))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    // The address is free again.
    admin
        .invite(&admin.new_person("gone@example.com").await)
        .await
        .ok::<Invitation>();
}

#[tokio::test]
async fn an_edit_at_a_stale_version_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created: Invitation = admin
        .invite(&admin.new_person("edit@example.com").await)
        .await
        .ok();
    let path = format!("/invitations/{}", created.id);
    let helpdesk_policy = admin.policy_id("Helpdesk").await;
    let edit = |version: i64, first: &str| {
        json!({
            "version": version, "firstName": first, "lastName": "Person", "contactNumber": "+1 555 0100",
            "permissionPolicyIds": [helpdesk_policy],
        })
    };
    let edited: Invitation = admin.put(&path, &edit(1, "Renamed")).await.ok();
    assert_eq!(edited.first_name.as_deref(), Some("Renamed"));
    assert_eq!(edited.version, Some(2));
    assert_eq!(edited.permission_policy_ids, Some(vec![helpdesk_policy]));
    assert_eq!(
        edited.dt_expiry, created.dt_expiry,
        "expiry kept when left out"
    );

    admin
        .put(&path, &edit(1, "Lost update"))
        .await
        .expect_error(StatusCode::CONFLICT, "version_conflict");
    let current: Invitation = admin.get(&path).await.ok();
    assert_eq!(without_delivery(current), without_delivery(edited));

    let mut invalid = edit(2, "");
    invalid["dtEndAccess"] = json!((Utc::now() - Duration::days(1)).to_rfc3339());
    let body = admin
        .put(&path, &invalid)
        .await
        .expect_error(StatusCode::BAD_REQUEST, "required");
    assert_eq!(body["errors"][1]["field"], "dtEndAccess");
}

#[tokio::test]
async fn an_expired_invitation_is_renewed_by_resend_not_by_edit() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let expired = admin.invitations("?status=Expired").await.data[0].clone();
    let edit = json!({
        "version": expired.version, "firstName": "New", "lastName": "Name", "contactNumber": "1",
        "permissionPolicyIds": expired.permission_policy_ids,
        "dtExpiry": (Utc::now() + Duration::days(5)).to_rfc3339(),
    });
    let path = format!("/invitations/{}", expired.id);
    admin
        .put(&path, &edit)
        .await
        .expect_error(StatusCode::BAD_REQUEST, "resend_to_renew");
    let mut without_expiry = edit.clone();
    without_expiry.as_object_mut().unwrap().remove("dtExpiry");
    let edited: Invitation = admin.put(&path, &without_expiry).await.ok();
    assert_eq!(status_of(&edited), InvitationStatus::Expired);
    assert_eq!(edited.first_name.as_deref(), Some("New"));
}

#[tokio::test]
async fn search_finds_by_any_part_of_the_email_or_name_in_any_case() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let mut request = admin.new_person("helpdesk.case@example.com").await;
    request.first_name = Some("Zebulon".into());
    let created: Invitation = admin.invite(&request).await.ok();
    for query in ["HELPDESK.C", "case@exa", "zebu", "ZEBULON person"] {
        let found = admin
            .invitations(&format!("?search={}", urlencode(query)))
            .await
            .data;
        assert_eq!(
            found.iter().map(|i| i.id).collect::<Vec<_>>(),
            vec![created.id],
            "{query}"
        );
    }
    assert!(
        admin.invitations("?search=%25").await.data.is_empty(),
        "LIKE wildcards are literal"
    );
}

fn urlencode(text: &str) -> String {
    text.replace(' ', "%20").replace('@', "%40")
}

#[tokio::test]
async fn status_filters_take_one_or_several_statuses() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let all = admin.all_invitations("").await;
    for status in InvitationStatus::ALL {
        let filtered = admin
            .all_invitations(&format!("?status={}", status.as_str()))
            .await;
        assert!(!filtered.is_empty(), "the demo has {status:?}");
        assert!(filtered.iter().all(|i| status_of(i) == status));
        assert_eq!(
            filtered.len(),
            all.iter().filter(|i| status_of(i) == status).count()
        );
    }
    let two = admin.all_invitations("?status=Declined,Revoked").await;
    assert!(two.iter().all(|i| matches!(
        status_of(i),
        InvitationStatus::Declined | InvitationStatus::Revoked
    )));
    admin
        .get("/invitations?status=Lost")
        .await
        .expect_error(StatusCode::BAD_REQUEST, "invalid_status");
}

#[tokio::test]
async fn pages_walk_every_invitation_once_newest_first() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for i in 0..7 {
        admin
            .invite(&admin.new_person(&format!("page{i}@example.com")).await)
            .await
            .ok::<Invitation>();
    }
    let everything = admin.all_invitations("").await;
    let paged = admin.all_invitations("?pageSize=3").await;
    let ids = |list: &[Invitation]| list.iter().map(|i| i.id).collect::<Vec<_>>();
    assert_eq!(
        ids(&paged),
        ids(&everything),
        "the same invitations in the same order"
    );
    let ids: HashSet<_> = paged.iter().map(|i| i.id).collect();
    assert_eq!(ids.len(), paged.len());
    assert!(paged.windows(2).all(|w| w[0].dt_created >= w[1].dt_created));
    let first = admin.invitations("?pageSize=3").await;
    assert_eq!(first.data.len(), 3);
    assert!(first.next_token.is_some());
    for bad in ["?pageSize=0", "?pageSize=201"] {
        let body = admin
            .get(&format!("/invitations{bad}"))
            .await
            .expect_error(StatusCode::BAD_REQUEST, "invalid_page_size");
        assert_eq!(body["field"], "pageSize");
    }
    admin
        .get("/invitations?nextToken=garbage")
        .await
        .expect_error(StatusCode::BAD_REQUEST, "invalid_next_token");
}

#[tokio::test]
async fn an_address_dressed_with_a_name_brackets_or_spaces_is_refused() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for dressed in [
        "Someone <victim@example.com>",
        "<victim@example.com>",
        "victim@example.com (Victim)",
        "\"Victim\" <victim@example.com>",
        "vic tim@example.com",
    ] {
        let body = admin
            .invite(&admin.new_person(dressed).await)
            .await
            .expect_error(StatusCode::BAD_REQUEST, "invalid_email");
        assert_eq!(body["field"], "email", "{dressed}");
    }
    assert!(admin.invitations("?search=victim").await.data.is_empty());
}

#[tokio::test]
async fn every_spelling_of_one_mailbox_meets_the_rules_for_that_mailbox() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let first: Invitation = admin
        .invite(&admin.new_person("ana@münchen.de").await)
        .await
        .ok();
    assert_eq!(first.email.as_deref(), Some("ana@münchen.de"));
    for spelling in [
        "ANA@MÜNCHEN.DE",
        "ana@xn--mnchen-3ya.de",
        "ana@mu\u{308}nchen.de",
    ] {
        let body = admin
            .invite(&admin.new_person(spelling).await)
            .await
            .expect_error(StatusCode::CONFLICT, "invitation_exists");
        assert_eq!(body["conflictingId"], first.id.to_string(), "{spelling}");
    }
    let member = admin.users("?status=Active").await.data[0].clone();
    let shouted = member.email.as_deref().unwrap().to_uppercase();
    admin
        .invite(&admin.new_person(&shouted).await)
        .await
        .expect_error(StatusCode::CONFLICT, "already_member");
}

#[tokio::test]
async fn the_per_recipient_limit_counts_every_spelling_as_one_recipient() {
    let app = spawn_app_with(|c| c.recipient_sends_per_hour = 2).await;
    let admin = app.admin().await;
    let created: Invitation = admin
        .invite(&admin.new_person("limit@münchen.de").await)
        .await
        .ok();
    admin
        .action(&format!("/invitations/{}/resend", created.id))
        .await
        .ok::<Invitation>();
    admin
        .delete(&format!("/invitations/{}", created.id))
        .await
        .ok::<serde_json::Value>();
    admin
        .invite(&admin.new_person("LIMIT@xn--mnchen-3ya.de").await)
        .await
        .expect_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
}

#[tokio::test]
async fn m3ter_clients_name_an_existing_user_m3ter_user() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let policy = admin.policy_id("Read only").await;
    let created = admin
        .post(
            "/invitations",
            &json!({
                "email": "known.person@example.com",
                "firstName": "Known",
                "lastName": "Person",
                "m3terUser": true,
                "permissionPolicyIds": [policy],
                "version": 0,
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_eq!(created.body["m3terUser"], true);
    assert_eq!(created.body["existingUser"], true);
}
