//! The invitee's side, over HTTP as a browser would send it: the link from the e-mail, the
//! one-time code from the SMS file, the forms with their CSRF cookie.

use chrono::Duration;
use invitedesk_model::{Invitation, InvitationStatus, NewInvitation, User, UserStatus};
use reqwest::StatusCode;

use crate::helpers::{spawn_app_with, Session, TestApp};
use crate::smtp_sink::{invite_token, SmtpSink};

pub struct Invitee {
    http: reqwest::Client,
    base: String,
    pub token: String,
    pub cookie: Option<String>,
    /// The CSRF field of the last page, as a browser would post it back.
    pub csrf: String,
}

/// The value of the form's hidden `csrf` field.
fn csrf_field(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().map(str::to_owned)
}

pub struct Page {
    pub status: StatusCode,
    pub html: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Invitee {
    pub fn new(app: &TestApp, token: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: app.base_url(),
            token: token.to_owned(),
            cookie: None,
            csrf: String::new(),
        }
    }

    pub async fn open(&mut self) -> Page {
        let response = self
            .http
            .get(format!("{}/invite/{}", self.base, self.token))
            .send()
            .await
            .unwrap();
        if let Some(set) = response.headers().get("set-cookie") {
            self.cookie = set.to_str().unwrap().split(';').next().map(str::to_owned);
        }
        let (status, headers) = (response.status(), response.headers().clone());
        let html = response.text().await.unwrap();
        if let Some(field) = csrf_field(&html) {
            self.csrf = field;
        }
        Page {
            status,
            headers,
            html,
        }
    }

    fn csrf(&self) -> String {
        self.csrf.clone()
    }

    pub async fn post(&mut self, action: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.csrf();
        let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        form.extend_from_slice(fields);
        let mut request = self
            .http
            .post(format!("{}/invite/{}/{action}", self.base, self.token))
            .form(&form);
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.unwrap();
        let (status, headers) = (response.status(), response.headers().clone());
        let html = response.text().await.unwrap();
        if let Some(field) = csrf_field(&html) {
            self.csrf = field;
        }
        Page {
            status,
            headers,
            html,
        }
    }
}

pub async fn app_with_mail() -> (TestApp, SmtpSink) {
    let sink = SmtpSink::start().await;
    let port = sink.port;
    let app = spawn_app_with(|c| {
        c.smtp_host = Some("127.0.0.1".into());
        c.smtp_port = port;
        c.smtp_security = invitedesk_server::config::SmtpSecurity::None;
    })
    .await;
    (app, sink)
}

/// Invites and returns the invitation with the token from the e-mail that arrived.
pub async fn invite(
    session: &Session,
    sink: &SmtpSink,
    request: &NewInvitation,
) -> (Invitation, String) {
    let before = sink.messages().len();
    let created: Invitation = session.invite(request).await.ok();
    let token = invite_token(&sink.wait_for(before + 1).await[before]);
    (created, token)
}

pub fn last_code(app: &TestApp, mobile: &str) -> String {
    let digits: String = mobile.chars().filter(char::is_ascii_digit).collect();
    let texts = std::fs::read_to_string(
        app.dir
            .path()
            .join("mail/sms")
            .join(format!("{digits}.txt")),
    )
    .unwrap();
    texts.lines().last().unwrap()[..6].to_owned()
}

pub const MOBILE: &str = "+44 7700 900123";
pub const PASSWORD: &str = "a long and private passphrase";

pub async fn accept_as_new_person(app: &TestApp, invitee: &mut Invitee) -> Page {
    assert_eq!(invitee.open().await.status, StatusCode::OK);
    let sent = invitee
        .post(
            "code",
            &[
                ("first_name", "Grace"),
                ("last_name", "Hopper"),
                ("mobile", MOBILE),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.html);
    let code = last_code(app, MOBILE);
    let fields = [
        ("first_name", "Grace"),
        ("last_name", "Hopper"),
        ("mobile", MOBILE),
        ("code", code.as_str()),
        ("password", PASSWORD),
    ];
    invitee.post("accept", &fields).await
}

#[tokio::test]
async fn a_new_person_accepts_with_a_code_and_a_password_and_becomes_an_active_member() {
    let (app, sink) = app_with_mail().await;
    let admin = app.admin().await;
    let request = admin.placed("grace.h@example.com", "Telemetry Team").await;
    let seats_before = admin.subscription("Telemetry Team").await.seats.unwrap();
    let (created, token) = invite(&admin, &sink, &request).await;

    let mut invitee = Invitee::new(&app, &token);
    let page = invitee.open().await;
    assert_eq!(page.status, StatusCode::OK);
    for shown in [
        "Join Acme Robotics",
        "Telemetry Team",
        "Read only",
        "grace.h@example.com",
        "Send me a code",
    ] {
        assert!(page.html.contains(shown), "page shows {shown}");
    }
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"));
    assert_eq!(page.headers["referrer-policy"], "no-referrer");

    let sent = invitee
        .post(
            "code",
            &[
                ("first_name", "Grace"),
                ("last_name", "Hopper"),
                ("mobile", MOBILE),
            ],
        )
        .await;
    assert!(
        sent.html.contains("We sent a 6-digit code"),
        "{}",
        sent.html
    );
    let code = last_code(&app, MOBILE);
    assert_eq!(code.len(), 6);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let base = [
        ("first_name", "Grace"),
        ("last_name", "Hopper"),
        ("mobile", MOBILE),
    ];
    let with = |code: &'static str, password: &'static str| {
        let mut fields = base.to_vec();
        fields.extend([("code", code), ("password", password)]);
        fields
    };
    let refused = invitee.post("accept", &with(wrong, PASSWORD)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused
            .html
            .contains("that code is not right; 4 attempts left"),
        "{}",
        refused.html
    );
    let code: &'static str = Box::leak(code.into_boxed_str());
    let weak = invitee.post("accept", &with(code, "grace hopper 1")).await;
    assert!(
        weak.html
            .contains("must not contain your e-mail name or your names"),
        "{}",
        weak.html
    );
    let accepted = invitee.post("accept", &with(code, PASSWORD)).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.html);
    assert!(accepted.html.contains("Welcome to Acme Robotics"));

    let invitation: Invitation = admin
        .get(&format!("/invitations/{}", created.id))
        .await
        .ok();
    assert_eq!(invitation.status, Some(InvitationStatus::Accepted));
    let members = admin.users("?search=grace.h@").await.data;
    let member: &User = &members[0];
    assert_eq!(member.status, Some(UserStatus::Active));
    assert_eq!(
        (
            member.first_name.as_deref(),
            member.contact_number.as_deref()
        ),
        (Some("Grace"), Some(MOBILE))
    );
    assert_eq!(member.subscription_id, request.subscription_id);
    assert_eq!(
        member.permission_policy_ids.as_deref(),
        Some(request.permission_policy_ids.as_slice())
    );
    let seats = admin.subscription("Telemetry Team").await.seats.unwrap();
    assert_eq!(
        (seats.used, seats.pending),
        (seats_before.used + 1, seats_before.pending),
        "the pending seat became a used one"
    );

    assert_eq!(
        invitee.open().await.status,
        StatusCode::NOT_FOUND,
        "the link works once"
    );
}

#[tokio::test]
async fn someone_with_an_account_accepts_by_signing_in() {
    let (app, sink) = app_with_mail().await;
    let acme = app.admin().await;
    let (_, token) = invite(&acme, &sink, &acme.new_person("known@example.com").await).await;
    let welcomed = accept_as_new_person(&app, &mut Invitee::new(&app, &token)).await;
    assert_eq!(welcomed.status, StatusCode::OK, "{}", welcomed.html);

    let globex = app.session(1, "admin").await;
    let request = NewInvitation {
        existing_user: true,
        ..globex.new_person("known@example.com").await
    };
    let (created, token) = invite(&globex, &sink, &request).await;
    let mut invitee = Invitee::new(&app, &token);
    assert!(invitee.open().await.html.contains("Accept by signing in"));
    let wrong = invitee
        .post("accept", &[("password", "not the password at all")])
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.html.contains("that password is not right"));
    let signed_in = invitee.post("accept", &[("password", PASSWORD)]).await;
    assert!(
        signed_in.html.contains("Welcome to Globex Logistics"),
        "{}",
        signed_in.html
    );
    let invitation: Invitation = globex
        .get(&format!("/invitations/{}", created.id))
        .await
        .ok();
    assert_eq!(invitation.status, Some(InvitationStatus::Accepted));
    let member = &globex.users("?search=known@").await.data[0];
    assert_eq!(
        member.first_name.as_deref(),
        Some("Grace"),
        "the account's names, not new ones"
    );
}

#[tokio::test]
async fn unknown_used_revoked_and_expired_tokens_get_the_same_page() {
    let (app, sink) = app_with_mail().await;
    let admin = app.admin().await;
    let (_, declined) = invite(&admin, &sink, &admin.new_person("d@example.com").await).await;
    let mut invitee = Invitee::new(&app, &declined);
    invitee.open().await;
    assert_eq!(invitee.post("decline", &[]).await.status, StatusCode::OK);
    let (revoked_invitation, revoked) =
        invite(&admin, &sink, &admin.new_person("r@example.com").await).await;
    admin
        .action(&format!("/invitations/{}/revoke", revoked_invitation.id))
        .await
        .ok::<Invitation>();
    let (resent_invitation, replaced) =
        invite(&admin, &sink, &admin.new_person("s@example.com").await).await;
    admin
        .action(&format!("/invitations/{}/resend", resent_invitation.id))
        .await
        .ok::<Invitation>();
    let (_, expired) = invite(&admin, &sink, &admin.new_person("e@example.com").await).await;
    app.server.state.clock.advance(Duration::days(31));

    let unknown = invitedesk_server::auth::random_token();
    let mut pages = Vec::new();
    for token in [unknown.as_str(), &declined, &revoked, &replaced, &expired] {
        let page = Invitee::new(&app, token).open().await;
        pages.push((page.status, page.html));
    }
    assert!(
        pages.iter().all(|p| p == &pages[0]),
        "one answer for every dead link"
    );
    assert_eq!(pages[0].0, StatusCode::NOT_FOUND);
    assert!(pages[0].1.contains("This invitation link is not valid"));
}

#[tokio::test]
async fn declining_frees_the_seat_and_ends_the_link() {
    let (app, sink) = app_with_mail().await;
    let admin = app.admin().await;
    let (created, token) = invite(
        &admin,
        &sink,
        &admin.placed("no@example.com", "Telemetry Team").await,
    )
    .await;
    assert_eq!(
        admin
            .subscription("Telemetry Team")
            .await
            .seats
            .unwrap()
            .available,
        0
    );
    let mut invitee = Invitee::new(&app, &token);
    invitee.open().await;
    let page = invitee.post("decline", &[]).await;
    assert!(page.html.contains("Invitation declined"));
    let invitation: Invitation = admin
        .get(&format!("/invitations/{}", created.id))
        .await
        .ok();
    assert_eq!(invitation.status, Some(InvitationStatus::Declined));
    assert_eq!(
        admin
            .subscription("Telemetry Team")
            .await
            .seats
            .unwrap()
            .available,
        1
    );
}

#[tokio::test]
async fn a_form_without_its_csrf_cookie_is_refused() {
    let (app, sink) = app_with_mail().await;
    let admin = app.admin().await;
    let (created, token) = invite(&admin, &sink, &admin.new_person("csrf@example.com").await).await;
    let forged = Invitee::new(&app, &token).post("decline", &[]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let invitation: Invitation = admin
        .get(&format!("/invitations/{}", created.id))
        .await
        .ok();
    assert_eq!(invitation.status, Some(InvitationStatus::Pending));
}

#[tokio::test]
async fn accepting_after_the_seats_ran_out_is_refused_with_a_clear_page() {
    let (app, sink) = app_with_mail().await;
    let admin = app.admin().await;
    let (created, token) = invite(
        &admin,
        &sink,
        &admin.placed("late@example.com", "Storefront Pro").await,
    )
    .await;
    // The licence shrinks below what is already promised (an admin elsewhere, a contract change).
    app.sql_execute("UPDATE subscriptions SET seat_limit = 1 WHERE name = 'Storefront Pro'")
        .await;
    let page = accept_as_new_person(&app, &mut Invitee::new(&app, &token)).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page
        .html
        .contains("Every seat of this subscription is now taken"));
    let invitation: Invitation = admin
        .get(&format!("/invitations/{}", created.id))
        .await
        .ok();
    assert_eq!(invitation.status, Some(InvitationStatus::Pending));
}

#[tokio::test]
async fn guessing_tokens_is_rate_limited_per_address() {
    let (app, _sink) = app_with_mail().await;
    let mut statuses = Vec::new();
    for _ in 0..70 {
        statuses.push(
            Invitee::new(&app, &invitedesk_server::auth::random_token())
                .open()
                .await
                .status,
        );
    }
    assert!(statuses[..60].iter().all(|s| *s == StatusCode::NOT_FOUND));
    assert!(statuses[60..]
        .iter()
        .all(|s| *s == StatusCode::TOO_MANY_REQUESTS));
}

/// An SMS gateway of the test's own: takes the webhook's JSON over HTTP and keeps it, or
/// refuses everything when `working` is false.
async fn sms_gateway(
    working: bool,
) -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
) {
    use axum::{extract::State, http::StatusCode as Status, routing::post, Json, Router};
    type Kept = std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>;
    let kept: Kept = Default::default();
    let app = Router::new()
        .route(
            "/sms",
            post(
                move |State(kept): State<Kept>, Json(body): Json<serde_json::Value>| async move {
                    kept.lock().unwrap().push(body);
                    if working {
                        Status::ACCEPTED
                    } else {
                        Status::SERVICE_UNAVAILABLE
                    }
                },
            ),
        )
        .with_state(kept.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, kept)
}

/// Invites `email` on an app that writes its mail as files, and opens the link from the mail.
pub async fn invited_through_mail_file(app: &TestApp, email: &str) -> Invitee {
    let admin = app.admin().await;
    let created: Invitation = admin.invite(&admin.new_person(email).await).await.ok();
    admin.delivered(created.id).await;
    let mut invitee = Invitee::new(app, &invite_token(&app.newest_mail()));
    invitee.open().await;
    invitee
}

#[tokio::test]
async fn codes_go_through_the_sms_gateway_webhook_when_one_is_configured() {
    let (url, received) = sms_gateway(true).await;
    let app = spawn_app_with(|c| c.sms_webhook_url = Some(url)).await;
    let mut invitee = invited_through_mail_file(&app, "texted@example.com").await;
    invitee
        .post(
            "code",
            &[
                ("first_name", "Tex"),
                ("last_name", "Ted"),
                ("mobile", MOBILE),
            ],
        )
        .await;
    let sent = received.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["to"], MOBILE);
    let code = sent[0]["message"].as_str().unwrap()[..6].to_owned();
    let accepted = invitee
        .post(
            "accept",
            &[
                ("first_name", "Tex"),
                ("last_name", "Ted"),
                ("mobile", MOBILE),
                ("code", &code),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert!(
        accepted.html.contains("Welcome to Acme Robotics"),
        "{}",
        accepted.html
    );
    assert!(
        !app.dir.path().join("mail/sms").exists(),
        "no code file when a gateway is set"
    );
}

#[tokio::test]
async fn a_gateway_that_refuses_is_shown_at_the_mobile_field() {
    let (url, _) = sms_gateway(false).await;
    let app = spawn_app_with(|c| c.sms_webhook_url = Some(url)).await;
    let mut invitee = invited_through_mail_file(&app, "unlucky@example.com").await;
    let page = invitee
        .post(
            "code",
            &[
                ("first_name", "Un"),
                ("last_name", "Lucky"),
                ("mobile", MOBILE),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY);
    assert!(page
        .html
        .contains("we could not send a code to this number"));
}
