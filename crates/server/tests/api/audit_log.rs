//! The audit trail: every change writes exactly one event in its own transaction, with who,
//! what, which record, from where and the fields changed; never a secret; read through
//! `GET /auditlog` with filters, paging and the incremental feed, by administrators only.

use invitedesk_model::{AuditEvent, Invitation, InvitationStatus, Page, User};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::accept::{accept_as_new_person, app_with_mail, invite, Invitee, PASSWORD};
use crate::helpers::{spawn_app, Session, TestApp, TEST_USER_AGENT};

/// Every event of the session's organisation, newest first, paged through.
async fn all_events(session: &Session, filter: &str) -> Vec<AuditEvent> {
    paged(session, &format!("pageSize=200{filter}")).await
}

/// The events `query` pages to, following every `nextToken`.
async fn paged(session: &Session, query: &str) -> Vec<AuditEvent> {
    let mut events = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let mut path = format!("/auditlog?{query}");
        if let Some(token) = &next {
            path.push_str(&format!("&nextToken={token}"));
        }
        let page: Page<AuditEvent> = session.get(&path).await.ok();
        events.extend(page.data);
        match page.next_token {
            Some(token) => next = Some(token),
            None => return events,
        }
    }
}

fn of_action<'a>(events: &'a [AuditEvent], action: &str) -> Vec<&'a AuditEvent> {
    events.iter().filter(|e| e.action == action).collect()
}

fn change<'a>(event: &'a AuditEvent, field: &str) -> Option<(&'a Value, &'a Value)> {
    event
        .changes
        .iter()
        .find(|c| c.field == field)
        .map(|c| (&c.old, &c.new))
}

async fn admin_name(app: &TestApp) -> String {
    let me: invitedesk_model::Me = app.admin().await.get("/me").await.ok();
    me.name
}

#[tokio::test]
async fn each_change_to_an_invitation_writes_one_event_with_its_actor_source_and_fields() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created: Invitation = admin
        .invite(&admin.new_person("audited@example.com").await)
        .await
        .ok();
    let path = format!("/invitations/{}", created.id);
    let edited: Invitation = admin
        .put(
            &path,
            &json!({"version": created.version, "firstName": "Renamed",
                    "lastName": created.last_name, "contactNumber": created.contact_number,
                    "permissionPolicyIds": created.permission_policy_ids}),
        )
        .await
        .ok();
    admin.action(&format!("{path}/resend")).await.ok::<Value>();
    admin.action(&format!("{path}/revoke")).await.ok::<Value>();
    let before_deletion = all_events(&admin, &format!("&recordId={}", created.id)).await;
    let updated = of_action(&before_deletion, "invitation.updated")[0];
    assert_eq!(
        change(updated, "firstName"),
        Some((&json!(created.first_name), &json!(edited.first_name)))
    );
    assert!(
        change(updated, "version").is_none(),
        "bookkeeping is not a change"
    );
    let synced_to = before_deletion[0].dt_last_modified.unwrap();
    admin.delete(&path).await.ok::<Value>();

    let since = synced_to.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let arrived = all_events(
        &admin,
        &format!("&modifiedSince={}", since.replace('+', "%2B")),
    )
    .await;
    let arrived: Vec<&str> = arrived.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        arrived,
        ["invitation.deleted"],
        "an erasure edits events in place: the feed never sends one twice"
    );
    let events = all_events(&admin, &format!("&recordId={}", created.id)).await;
    let whole = serde_json::to_string(&events).unwrap();
    assert!(
        !whole.contains("audited@example.com"),
        "the deletion erased the e-mail from the trail too"
    );
    let actions: Vec<&str> = events.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "invitation.created",
            "invitation.updated",
            "invitation.resent",
            "invitation.revoked",
            "invitation.deleted"
        ]
    );
    let name = admin_name(&app).await;
    for event in &events {
        assert_eq!(event.actor_kind, "serviceUser", "{event:?}");
        assert_eq!(event.actor_name, name, "{event:?}");
        assert_eq!(event.record_type, "invitation");
        assert_eq!(event.record_email, None);
        assert_eq!(event.client_address.as_deref(), Some("127.0.0.1"));
        assert_eq!(event.user_agent.as_deref(), Some(TEST_USER_AGENT));
    }
    let updated = of_action(&events, "invitation.updated")[0];
    assert_eq!(
        change(updated, "firstName"),
        Some((&json!("(erased)"), &json!("(erased)")))
    );
    let revoked = of_action(&events, "invitation.revoked")[0];
    assert_eq!(
        change(revoked, "status"),
        Some((&json!("Pending"), &json!("Revoked")))
    );
    let made = of_action(&events, "invitation.created")[0];
    assert_eq!(
        change(made, "email"),
        Some((&Value::Null, &json!("(erased)")))
    );
}

#[tokio::test]
async fn a_refused_change_writes_no_event() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created: Invitation = admin
        .invite(&admin.new_person("refused@example.com").await)
        .await
        .ok();
    let path = format!("/invitations/{}", created.id);
    admin.action(&format!("{path}/revoke")).await.ok::<Value>();
    let before = all_events(&admin, "").await.len();

    let again = admin.action(&format!("{path}/revoke")).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let stale = admin
        .put(&path, &json!({"version": 0, "firstName": "Stale"}))
        .await;
    assert!(stale.status.is_client_error(), "{}", stale.body);
    let duplicate = admin
        .invite(&admin.new_person("audited-twice@example.com").await)
        .await;
    assert_eq!(duplicate.status, StatusCode::OK);
    let second = admin
        .invite(&admin.new_person("audited-twice@example.com").await)
        .await;
    assert!(second.status.is_client_error(), "{}", second.body);
    let readonly = app.session(0, "readonly").await;
    let forbidden = readonly
        .invite(&readonly.new_person("nope@example.com").await)
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);

    let after = all_events(&admin, "").await;
    assert_eq!(after.len(), before + 1, "only the one accepted create");
    assert_eq!(after[0].action, "invitation.created");
}

#[tokio::test]
async fn member_changes_are_recorded_with_their_fields() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let users: Page<User> = admin.get("/users?pageSize=200&status=Active").await.ok();
    let member = users
        .data
        .iter()
        .find(|u| u.email.as_deref() != Some(invitedesk_server::demo::DEMO_PERSON_EMAIL))
        .unwrap()
        .clone();
    let path = format!("/users/{}", member.id);
    admin
        .action(&format!("{path}/inactivate"))
        .await
        .ok::<Value>();
    let reactivated: User = admin.action(&format!("{path}/reactivate")).await.ok();
    admin
        .put(
            &path,
            &json!({"version": reactivated.version, "dtEndAccess": "2031-01-01T00:00:00Z"}),
        )
        .await
        .ok::<Value>();
    admin.delete(&path).await.ok::<Value>();

    let events = all_events(&admin, &format!("&recordId={}", member.id)).await;
    let actions: Vec<&str> = events.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "user.inactivated",
            "user.reactivated",
            "user.updated",
            "user.deleted"
        ]
    );
    assert_eq!(
        change(of_action(&events, "user.inactivated")[0], "status"),
        Some((&json!("Active"), &json!("Inactive")))
    );
    let (_, end) = change(of_action(&events, "user.updated")[0], "dtEndAccess").unwrap();
    assert!(end.as_str().unwrap().starts_with("2031-01-01"), "{end}");
    assert!(events.iter().all(|e| e.record_type == "user"));
}

#[tokio::test]
async fn the_invitee_accepting_is_recorded_as_the_invitee_and_no_secret_reaches_any_event() {
    let (app, sink) = app_with_mail().await;
    let admin = app.admin().await;
    let (created, token) = invite(
        &admin,
        &sink,
        &admin.new_person("invitee@example.com").await,
    )
    .await;
    let mut invitee = Invitee::new(&app, &token);
    accept_as_new_person(&app, &mut invitee).await;
    let code = crate::accept::last_code(&app, crate::accept::MOBILE);

    let events = all_events(&admin, "&email=INVITEE@example.com").await;
    let actions: Vec<&str> = events.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "invitation.created",
            "invitation.codeRequested",
            "user.created",
            "invitation.accepted"
        ]
    );
    for event in events.iter().filter(|e| e.action != "invitation.created") {
        assert_eq!(event.actor_kind, "invitee", "{event:?}");
        assert_eq!(event.actor_id, Some(created.id));
    }
    let whole = serde_json::to_string(&all_events(&admin, "").await).unwrap();
    for secret in [
        token.as_str(),
        code.as_str(),
        PASSWORD,
        admin.token.as_str(),
    ] {
        assert!(!whole.contains(secret), "an event holds a secret");
    }
    assert!(!whole.to_lowercase().contains("/invite/"), "no link");
}

#[tokio::test]
async fn sign_ins_failed_sign_ins_and_revoked_sign_ins_are_recorded_as_the_person() {
    let app = spawn_app().await;
    let (user, tokens) = crate::sign_in::signed_in(&app, "signer@example.com", "Read only").await;
    let mut browser = crate::sign_in::Browser::new(&app);
    let challenge = crate::sign_in::challenge(crate::sign_in::VERIFIER);
    let page = browser
        .authorize(&crate::sign_in::desktop_request("s", &challenge))
        .await;
    let wrong = browser
        .submit(
            &page,
            "/oauth/authorize",
            &[("email", "signer@example.com"), ("password", "not it")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    let refresh = tokens.refresh_token.clone().unwrap();
    let revoked = app
        .http
        .post(format!("{}/oauth/revoke", app.base_url()))
        .form(&[("token", refresh.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);

    let admin = app.admin().await;
    let events = all_events(&admin, &format!("&actorId={}", user.id)).await;
    let actions: Vec<&str> = events.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["signIn.succeeded", "signIn.failed", "token.revoked"]
    );
    for event in &events {
        assert_eq!(event.actor_kind, "person");
        assert_eq!(event.actor_name, "Grace Hopper", "{event:?}");
        assert_eq!(event.record_id, Some(user.id));
    }
    let whole = serde_json::to_string(&events).unwrap();
    assert!(!whole.contains(&refresh) && !whole.contains(&tokens.access_token));
}

#[tokio::test]
async fn filters_paging_and_the_incremental_feed() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let created: Invitation = admin
            .invite(&admin.new_person(&format!("paged{i}@example.com")).await)
            .await
            .ok();
        ids.push(created.id);
    }
    let created = all_events(&admin, "&action=invitation.created").await;
    assert!(created.len() >= 5);
    assert!(created.iter().all(|e| e.action == "invitation.created"));

    // Pages of two, newest first, never repeating or skipping.
    let mut paged = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let mut path = "/auditlog?pageSize=2&action=invitation.created".to_owned();
        if let Some(token) = &next {
            path.push_str(&format!("&nextToken={token}"));
        }
        let page: Page<AuditEvent> = admin.get(&path).await.ok();
        assert!(page.data.len() <= 2);
        paged.extend(page.data.into_iter().map(|e| e.id));
        match page.next_token {
            Some(token) => next = Some(token),
            None => break,
        }
    }
    assert_eq!(paged, created.iter().map(|e| e.id).collect::<Vec<_>>());

    let one = all_events(&admin, "&email=paged3@example.com").await;
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].record_id, Some(ids[3]));
    let newest = created[0].dt_created;
    let to = urlencode(&newest.to_rfc3339());
    let older = all_events(&admin, &format!("&action=invitation.created&to={to}")).await;
    assert_eq!(older.len(), created.len() - 1);
    let from = all_events(&admin, &format!("&action=invitation.created&from={to}")).await;
    assert_eq!(from.len(), 1);

    // The feed: oldest first from a cursor, then nothing new until another change.
    let since = urlencode(&created[2].dt_last_modified.unwrap().to_rfc3339());
    let feed: Page<AuditEvent> = admin
        .get(&format!(
            "/auditlog?modifiedSince={since}&includeTotal=true"
        ))
        .await
        .ok();
    assert_eq!(feed.total, Some(2));
    assert_eq!(
        feed.data.iter().map(|e| e.id).collect::<Vec<_>>(),
        [created[1].id, created[0].id]
    );
    let last = urlencode(&feed.data[1].dt_last_modified.unwrap().to_rfc3339());
    let empty: Page<AuditEvent> = admin
        .get(&format!("/auditlog?modifiedSince={last}"))
        .await
        .ok();
    assert!(empty.data.is_empty());

    let bad = admin.get("/auditlog?action=invitation.sent").await;
    let body = bad.expect_error(StatusCode::BAD_REQUEST, "invalid_action");
    assert!(body["message"].as_str().unwrap().contains("action"));
    let bad_email = admin.get("/auditlog?email=not-an-address").await;
    assert_eq!(
        bad_email.status,
        StatusCode::BAD_REQUEST,
        "{}",
        bad_email.body
    );
}

/// The e-mail filter finds its events through the records that had the address (the trail
/// has no index of its own by e-mail): every invitation of any status and the member, in
/// this organisation only, never a record whose address merely contains it, and none once
/// a deletion erased the address.
#[tokio::test]
async fn the_email_filter_finds_every_record_that_had_the_address_and_only_those() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let invite = |email: &'static str| {
        let admin = &admin;
        async move {
            let created: Invitation = admin.invite(&admin.new_person(email).await).await.ok();
            created
        }
    };
    let first = invite("ada@example.com").await;
    admin
        .action(&format!("/invitations/{}/revoke", first.id))
        .await
        .ok::<Value>();
    let second = invite("ada@example.com").await;
    invite("grada@example.com").await;
    let other = app.session(1, "admin").await;
    other
        .invite(&other.new_person("ada@example.com").await)
        .await
        .ok::<Value>();

    let events = all_events(&admin, "&email=Ada@Example.com").await;
    let seen: Vec<(Uuid, &str)> = events
        .iter()
        .map(|e| (e.record_id.unwrap(), e.action.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            (second.id, "invitation.created"),
            (first.id, "invitation.revoked"),
            (first.id, "invitation.created"),
        ]
    );
    let one_by_one = paged(&admin, "pageSize=1&email=ada@example.com").await;
    let ids = |events: &[AuditEvent]| events.iter().map(|e| e.id).collect::<Vec<_>>();
    assert_eq!(ids(&one_by_one), ids(&events));
    let revoked = all_events(&admin, "&email=ada@example.com&action=invitation.revoked").await;
    assert_eq!(revoked.len(), 1);

    admin
        .delete(&format!("/invitations/{}", first.id))
        .await
        .ok::<Value>();
    let left = all_events(&admin, "&email=ada@example.com").await;
    assert!(
        left.iter().all(|e| e.record_id == Some(second.id)),
        "{left:?}"
    );
    assert_eq!(left.len(), 1);

    let nobody: Page<AuditEvent> = admin
        .get("/auditlog?email=nobody@example.com&modifiedSince=2000-01-01T00:00:00Z&includeTotal=true")
        .await
        .ok();
    assert!(nobody.data.is_empty() && nobody.next_token.is_none());
    assert_eq!(nobody.total, Some(0));
}

#[tokio::test]
async fn only_administrators_read_the_log_and_only_their_own_organisation() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    admin
        .invite(&admin.new_person("tenant@example.com").await)
        .await
        .ok::<Value>();
    for who in ["readonly", "helpdesk"] {
        let refused = app.session(0, who).await.get("/auditlog").await;
        assert_eq!(
            refused.status,
            StatusCode::FORBIDDEN,
            "{who}: {}",
            refused.body
        );
        assert!(refused.body["message"]
            .as_str()
            .unwrap()
            .contains("config:auditLog"));
    }
    let other = app.session(1, "admin").await;
    let theirs = all_events(&other, "").await;
    assert!(theirs
        .iter()
        .all(|e| e.record_email.as_deref() != Some("tenant@example.com")));
    let across = app
        .http
        .get(format!(
            "{}/organizations/{}/auditlog",
            app.base_url(),
            app.org_id(0)
        ))
        .bearer_auth(&other.token)
        .send()
        .await
        .unwrap();
    assert_eq!(across.status(), StatusCode::NOT_FOUND);
    let openapi = app.openapi().await;
    assert!(openapi["paths"]["/organizations/{orgId}/auditlog"]["get"].is_object());
}

#[tokio::test]
async fn events_older_than_the_retention_are_purged() {
    let app = crate::helpers::spawn_app_with(|c| c.audit_retention_days = 10).await;
    let admin = app.admin().await;
    admin
        .invite(&admin.new_person("kept@example.com").await)
        .await
        .ok::<Value>();
    let count = "SELECT count(*) FROM audit_events";
    let kept = "SELECT count(*) FROM audit_events WHERE record_email = 'kept@example.com'";
    let (before, kept_before) = (app.sql_count(count).await, app.sql_count(kept).await);
    assert!(kept_before > 0);
    let state = &app.server.state;
    state.clock.advance(chrono::Duration::days(9));
    invitedesk_server::forget_expired(state).await.unwrap();
    assert_eq!(
        app.sql_count(kept).await,
        kept_before,
        "kept within the period"
    );
    let after = app.sql_count(count).await;
    assert!(
        after < before,
        "the demo's story of weeks ago is past it: {after} of {before}"
    );
    state.clock.advance(chrono::Duration::days(2));
    invitedesk_server::forget_expired(state).await.unwrap();
    assert_eq!(app.sql_count(count).await, 0);
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn the_demo_organisations_come_with_the_story_of_their_invitations() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let invitations = admin.all_invitations("").await;
    let events = all_events(&admin, "").await;
    let answered = |status| match status {
        InvitationStatus::Accepted => Some(("invitation.accepted", "invitee")),
        InvitationStatus::Declined => Some(("invitation.declined", "invitee")),
        InvitationStatus::Revoked => Some(("invitation.revoked", "serviceUser")),
        _ => None,
    };
    let mut answers = 0;
    for invitation in &invitations {
        let story: Vec<&AuditEvent> = events
            .iter()
            .filter(|e| e.record_id == Some(invitation.id))
            .collect();
        let sent = story.last().unwrap_or_else(|| panic!("{invitation:?}"));
        assert_eq!(sent.action, "invitation.created");
        assert_eq!(sent.actor_name, "admin");
        assert_eq!(
            Some(sent.dt_created),
            invitation.dt_created,
            "sent when made"
        );
        assert_eq!(change(sent, "status").map(|c| c.1), Some(&json!("Pending")));
        match answered(invitation.status.unwrap()) {
            Some((action, kind)) => {
                answers += 1;
                assert_eq!(story.len(), 2, "{story:?}");
                assert_eq!(
                    (story[0].action.as_str(), story[0].actor_kind.as_str()),
                    (action, kind)
                );
                assert!(story[0].dt_created > sent.dt_created);
            }
            None => assert_eq!(story.len(), 1, "{story:?}"),
        }
    }
    assert!(
        answers >= 3,
        "accepted, declined and revoked ones: {answers}"
    );
}
