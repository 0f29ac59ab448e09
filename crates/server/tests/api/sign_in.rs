//! People sign in through their browser (RFC 8252, PKCE S256), over HTTP as the desktop and a
//! browser would: authorize → sign-in page → code → token → API call → refresh → rotation →
//! reuse detection → revoke; and the refusals (PKCE, redirect, replay, expiry, open
//! redirects), the same answer for unknown e-mails, and access that ends.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Duration;
use invitedesk_model::{Invitation, Me, NewInvitation, TokenResponse, User, UserStatus};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::accept::{accept_as_new_person, PASSWORD};
use crate::helpers::{spawn_app, Session, TestApp};
use crate::smtp_sink::SmtpSink;

const CLIENT: &str = "invitedesk-desktop";
const REDIRECT: &str = "http://127.0.0.1:53682/callback";
pub(crate) const VERIFIER: &str = "a-verifier-of-enough-length-for-rfc-7636-0123456789";

pub(crate) fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A browser with no redirects followed, keeping the CSRF cookie of the sign-in page.
pub(crate) struct Browser {
    http: reqwest::Client,
    base: String,
    cookie: Option<String>,
}

pub(crate) struct Seen {
    pub(crate) status: StatusCode,
    location: Option<String>,
    csp: String,
    html: String,
}

fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let at = html.find(&marker)? + marker.len();
    html[at..]
        .split('"')
        .next()
        .map(|v| v.replace("&amp;", "&"))
}

impl Browser {
    pub(crate) fn new(app: &TestApp) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: app.base_url(),
            cookie: None,
        }
    }

    async fn seen(&mut self, response: reqwest::Response) -> Seen {
        if let Some(set) = response.headers().get("set-cookie") {
            self.cookie = set.to_str().unwrap().split(';').next().map(str::to_owned);
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let (location, csp) = (header("location"), header("content-security-policy"));
        Seen {
            status: response.status(),
            location,
            csp: csp.unwrap_or_default(),
            html: response.text().await.unwrap(),
        }
    }

    pub(crate) async fn authorize(&mut self, query: &[(&str, &str)]) -> Seen {
        let response = self
            .http
            .get(format!("{}/oauth/authorize", self.base))
            .query(query)
            .send()
            .await
            .unwrap();
        self.seen(response).await
    }

    /// Posts the page's form to `action`, its hidden fields as they were, plus `fields`.
    pub(crate) async fn submit(
        &mut self,
        page: &Seen,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Seen {
        let mut form: Vec<(String, String)> = [
            "csrf",
            "response_type",
            "client_id",
            "redirect_uri",
            "state",
            "code_challenge",
            "code_challenge_method",
            "org",
            "ticket",
            "chosen",
        ]
        .into_iter()
        .filter(|name| fields.iter().all(|(given, _)| given != name))
        .filter_map(|name| Some((name.to_owned(), hidden(&page.html, name)?)))
        .collect();
        form.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let mut request = self.http.post(format!("{}{action}", self.base)).form(&form);
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.unwrap();
        self.seen(response).await
    }
}

pub(crate) fn desktop_request<'a>(state: &'a str, challenge: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("response_type", "code"),
        ("client_id", CLIENT),
        ("redirect_uri", REDIRECT),
        ("state", state),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ]
}

/// A member of organisation 0 with an account (they accepted an invitation), with `policy`.
pub(crate) async fn member(app: &TestApp, email: &str, policy: &str) -> User {
    let admin = app.admin().await;
    member_with(app, admin.new_person(email).await, policy).await
}

async fn member_with(app: &TestApp, request: NewInvitation, policy: &str) -> User {
    member_through(app, None, request, policy).await
}

/// As `member_with`, the invitation read from `sink` when the app sends mail by SMTP.
async fn member_through(
    app: &TestApp,
    sink: Option<&SmtpSink>,
    mut request: NewInvitation,
    policy: &str,
) -> User {
    let admin = app.admin().await;
    let email = request.email.clone();
    request.permission_policy_ids = vec![admin.policy_id(policy).await];
    let token = match sink {
        Some(sink) => crate::accept::invite(&admin, sink, &request).await.1,
        None => {
            let created: Invitation = admin.invite(&request).await.ok();
            admin.delivered(created.id).await;
            crate::smtp_sink::invite_token(&app.newest_mail())
        }
    };
    let mut invitee = crate::accept::Invitee::new(app, &token);
    let welcome = accept_as_new_person(app, &mut invitee).await;
    assert_eq!(welcome.status, StatusCode::OK, "{}", welcome.html);
    admin
        .users("?pageSize=200")
        .await
        .data
        .into_iter()
        .find(|u| u.email.as_deref() == Some(email.as_str()))
        .expect("the new member")
}

/// Signs in through the pages and answers the query of the redirect back to the app.
pub(crate) async fn sign_in(app: &TestApp, email: &str, password: &str) -> Vec<(String, String)> {
    let mut browser = Browser::new(app);
    let challenge = challenge(VERIFIER);
    let page = browser
        .authorize(&desktop_request("state-123", &challenge))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let answer = browser
        .submit(
            &page,
            "/oauth/authorize",
            &[("email", email), ("password", password)],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.html);
    redirect_query(answer.location.as_deref().unwrap())
}

fn redirect_query(location: &str) -> Vec<(String, String)> {
    let url = url::Url::parse(location).unwrap();
    assert_eq!(
        format!(
            "{}://{}{}",
            url.scheme(),
            url.host_str().unwrap(),
            url.path()
        ),
        "http://127.0.0.1/callback"
    );
    assert_eq!(url.port(), Some(53682));
    url.query_pairs().into_owned().collect()
}

fn param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

async fn token_call(app: &TestApp, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = app
        .http
        .post(format!("{}/oauth/token", app.base_url()))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn exchange(
    app: &TestApp,
    code: &str,
    verifier: &str,
    redirect: &str,
) -> (StatusCode, Value) {
    token_call(
        app,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT),
            ("code", code),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
        ],
    )
    .await
}

pub(crate) async fn refresh(app: &TestApp, refresh_token: &str) -> (StatusCode, Value) {
    token_call(
        app,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT),
            ("refresh_token", refresh_token),
        ],
    )
    .await
}

/// What `GET /me` answers a person's access token: whether it still works.
async fn me_status(app: &TestApp, token: &str) -> StatusCode {
    person_session(app, token).get("/me").await.status
}

pub(crate) fn person_session(app: &TestApp, token: &str) -> Session {
    Session {
        http: app.http.clone(),
        base: app.base_url(),
        org_id: app.org_id(0),
        token: token.to_owned(),
    }
}

/// Signed in as a new member with `policy`: their tokens.
pub(crate) async fn signed_in(app: &TestApp, email: &str, policy: &str) -> (User, TokenResponse) {
    let user = member(app, email, policy).await;
    let query = sign_in(app, email, PASSWORD).await;
    assert_eq!(param(&query, "state"), Some("state-123"));
    let (status, body) = exchange(app, param(&query, "code").unwrap(), VERIFIER, REDIRECT).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (user, serde_json::from_value(body).unwrap())
}

#[tokio::test]
async fn a_person_signs_in_acts_as_their_membership_refreshes_and_a_reused_refresh_token_ends_everything(
) {
    let app = spawn_app().await;
    let (user, tokens) = signed_in(&app, "ada@example.com", "Administrator").await;
    let me: Me = person_session(&app, &tokens.access_token)
        .get("/me")
        .await
        .ok();
    assert_eq!(me.principal_id, user.id);
    assert_eq!(me.name, "Grace Hopper");
    // Their own policies decide: an Administrator invites, and the record says who did it.
    let person = person_session(&app, &tokens.access_token);
    let created: Invitation = person
        .invite(&person.new_person("by-a-person@example.com").await)
        .await
        .ok();
    assert_eq!(
        created.created_by.as_deref(),
        Some(user.id.to_string().as_str())
    );

    let first_refresh = tokens.refresh_token.clone().unwrap();
    let (status, body) = refresh(&app, &first_refresh).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rotated: TokenResponse = serde_json::from_value(body).unwrap();
    assert_ne!(
        rotated.refresh_token.as_deref(),
        Some(first_refresh.as_str())
    );
    assert_eq!(me_status(&app, &rotated.access_token).await, StatusCode::OK);
    assert_eq!(
        me_status(&app, &tokens.access_token).await,
        StatusCode::UNAUTHORIZED,
        "the access token before the rotation is retired"
    );

    // The first refresh token again: someone else holds the family. All of it ends.
    let (status, body) = refresh(&app, &first_refresh).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    assert_eq!(
        me_status(&app, &rotated.access_token).await,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = refresh(&app, rotated.refresh_token.as_deref().unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_person_sees_exactly_what_their_policies_allow() {
    let app = spawn_app().await;
    let (_, tokens) = signed_in(&app, "reader@example.com", "Read only").await;
    let person = person_session(&app, &tokens.access_token);
    assert_eq!(person.get("/invitations").await.status, StatusCode::OK);
    let refused = person
        .invite(&person.new_person("nope@example.com").await)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn revoking_the_refresh_token_signs_out_everywhere() {
    let app = spawn_app().await;
    let (_, tokens) = signed_in(&app, "leaver@example.com", "Read only").await;
    let response = app
        .http
        .post(format!("{}/oauth/revoke", app.base_url()))
        .form(&[("token", tokens.refresh_token.as_deref().unwrap())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        me_status(&app, &tokens.access_token).await,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = refresh(&app, tokens.refresh_token.as_deref().unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_code_works_once_with_its_verifier_and_redirect_within_a_minute() {
    let app = spawn_app().await;
    member(&app, "codes@example.com", "Read only").await;

    let query = sign_in(&app, "codes@example.com", PASSWORD).await;
    let code = param(&query, "code").unwrap().to_owned();
    let other_verifier = "another-verifier-of-enough-length-for-rfc-7636-99999";
    let (status, body) = exchange(&app, &code, other_verifier, REDIRECT).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant")),
        "PKCE mismatch"
    );
    let (status, _) = exchange(&app, &code, VERIFIER, REDIRECT).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a failed attempt uses the code up"
    );

    let query = sign_in(&app, "codes@example.com", PASSWORD).await;
    let code = param(&query, "code").unwrap().to_owned();
    let (status, _) = exchange(&app, &code, VERIFIER, "http://127.0.0.1:1/callback").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "another redirect_uri");

    let query = sign_in(&app, "codes@example.com", PASSWORD).await;
    let code = param(&query, "code").unwrap().to_owned();
    let (status, body) = exchange(&app, &code, VERIFIER, REDIRECT).await;
    assert_eq!(status, StatusCode::OK);
    let first: TokenResponse = serde_json::from_value(body).unwrap();
    let (status, _) = exchange(&app, &code, VERIFIER, REDIRECT).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a replayed code");
    assert_eq!(
        me_status(&app, &first.access_token).await,
        StatusCode::UNAUTHORIZED,
        "a replayed code ends what the first exchange gave"
    );

    let query = sign_in(&app, "codes@example.com", PASSWORD).await;
    app.server.state.clock.advance(Duration::seconds(61));
    let (status, body) = exchange(&app, param(&query, "code").unwrap(), VERIFIER, REDIRECT).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "expired: {body}");
}

#[tokio::test]
async fn an_unregistered_redirect_is_never_followed_and_other_faults_go_back_to_the_app() {
    let app = spawn_app().await;
    let challenge = challenge(VERIFIER);
    let mut browser = Browser::new(&app);
    for redirect in [
        "https://evil.example/callback",
        "http://localhost:53682/callback",
        "http://127.0.0.1:53682/elsewhere",
        "http://127.0.0.1:53682/callback?then=https://evil.example",
        "http://127.0.0.1.evil.example/callback",
        "http://user@127.0.0.1:53682/callback",
    ] {
        let mut query = desktop_request("s", &challenge);
        query[2] = ("redirect_uri", redirect);
        let page = browser.authorize(&query).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{redirect}");
        assert_eq!(page.location, None, "{redirect}");
    }
    let mut query = desktop_request("s", &challenge);
    query[1] = ("client_id", "not-registered");
    assert_eq!(browser.authorize(&query).await.location, None);

    let mut query = desktop_request("s", &challenge);
    query[5] = ("code_challenge_method", "plain");
    let back = browser.authorize(&query).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    let back = redirect_query(back.location.as_deref().unwrap());
    assert_eq!(param(&back, "error"), Some("invalid_request"));
    assert_eq!(param(&back, "state"), Some("s"));
}

#[tokio::test]
async fn the_sign_in_page_has_no_script_a_strict_policy_and_csrf() {
    let app = spawn_app().await;
    let challenge = challenge(VERIFIER);
    let mut browser = Browser::new(&app);
    let page = browser.authorize(&desktop_request("s", &challenge)).await;
    assert!(!page.html.contains("<script"));
    assert!(page.csp.contains("default-src 'none'"), "{}", page.csp);
    assert!(
        page.csp
            .contains("form-action 'self' http://127.0.0.1:53682"),
        "{}",
        page.csp
    );
    // A form without the cookie's CSRF field is refused.
    let mut forged = page;
    forged.html = forged.html.replace("name=\"csrf\"", "name=\"ignored\"");
    let answer = browser
        .submit(
            &forged,
            "/oauth/authorize",
            &[("email", "x@example.com"), ("password", "y")],
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_unknown_e_mail_and_a_wrong_password_get_the_same_answer() {
    let app = spawn_app().await;
    member(&app, "known@example.com", "Read only").await;
    let mut answers = Vec::new();
    for email in ["known@example.com", "unknown@example.com"] {
        let mut browser = Browser::new(&app);
        let challenge = challenge(VERIFIER);
        let page = browser.authorize(&desktop_request("s", &challenge)).await;
        let answer = browser
            .submit(
                &page,
                "/oauth/authorize",
                &[("email", email), ("password", "not the password")],
            )
            .await;
        let message = answer
            .html
            .split("role=\"alert\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_owned();
        answers.push((answer.status, answer.location, message));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn wrong_passwords_make_the_account_wait() {
    let app = spawn_app().await;
    member(&app, "guessed@example.com", "Read only").await;
    let mut last = StatusCode::OK;
    for _ in 0..5 {
        let mut browser = Browser::new(&app);
        let challenge = challenge(VERIFIER);
        let page = browser.authorize(&desktop_request("s", &challenge)).await;
        last = browser
            .submit(
                &page,
                "/oauth/authorize",
                &[("email", "guessed@example.com"), ("password", "wrong")],
            )
            .await
            .status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn past_the_end_of_access_a_member_is_inactive_everywhere_at_once() {
    let app = spawn_app().await;
    let (user, tokens) = signed_in(&app, "temp@example.com", "Read only").await;
    let admin = app.admin().await;
    let end = app.server.state.clock.now() + Duration::minutes(5);
    let edited = admin
        .put(
            &format!("/users/{}", user.id),
            &json!({"version": user.version, "dtEndAccess": end}),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{:?}", edited.body);
    let person = person_session(&app, &tokens.access_token);
    assert_eq!(person.get("/me").await.status, StatusCode::OK);

    // Past the end of access (the person's token itself would live on).
    app.server.state.clock.advance(Duration::minutes(6));
    assert_eq!(person.get("/me").await.status, StatusCode::UNAUTHORIZED);
    let read: User = admin.get(&format!("/users/{}", user.id)).await.ok();
    assert_eq!(read.status, Some(UserStatus::Inactive));
    let active = admin.users("?status=Active&pageSize=200").await;
    assert!(active.data.iter().all(|u| u.id != user.id));
    let inactive = admin.users("?status=Inactive&pageSize=200").await;
    assert!(inactive.data.iter().any(|u| u.id == user.id));
    let (status, _) = refresh(&app, tokens.refresh_token.as_deref().unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let mut browser = Browser::new(&app);
    let challenge = challenge(VERIFIER);
    let page = browser.authorize(&desktop_request("s", &challenge)).await;
    let refused = browser
        .submit(
            &page,
            "/oauth/authorize",
            &[("email", "temp@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "sign-in refused");
    assert_eq!(refused.location, None);
}

#[tokio::test]
async fn inactivating_a_member_ends_their_sessions() {
    let app = spawn_app().await;
    let (user, tokens) = signed_in(&app, "paused@example.com", "Read only").await;
    let admin = app.admin().await;
    let answer = admin
        .action(&format!("/users/{}/inactivate", user.id))
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        me_status(&app, &tokens.access_token).await,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = refresh(&app, tokens.refresh_token.as_deref().unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.sql_count("SELECT count(*) FROM refresh_tokens").await,
        0
    );
}

#[tokio::test]
async fn the_end_of_access_frees_the_seat_at_once() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let placed = admin.placed("seated@example.com", "Storefront Pro").await;
    let user = member_with(&app, placed, "Read only").await;
    let before = seats_used(&app).await;
    let end = app.server.state.clock.now() + Duration::minutes(5);
    let edited = admin
        .put(
            &format!("/users/{}", user.id),
            &json!({"version": user.version, "dtEndAccess": end}),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK);
    assert_eq!(seats_used(&app).await, before);
    app.server.state.clock.advance(Duration::minutes(6));
    assert_eq!(seats_used(&app).await, before - 1);
}

async fn seats_used(app: &TestApp) -> i64 {
    let admin = app.admin().await;
    admin
        .subscription("Storefront Pro")
        .await
        .seats
        .unwrap()
        .used
}

/// Posts `fields` to a password page's form as a browser would, after opening `path`.
async fn password_form(app: &TestApp, path: &str, action: &str, fields: &[(&str, &str)]) -> Seen {
    let mut browser = Browser::new(app);
    let response = browser
        .http
        .get(format!("{}{path}", app.base_url()))
        .send()
        .await
        .unwrap();
    let page = browser.seen(response).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    browser.submit(&page, action, fields).await
}

#[tokio::test]
async fn a_reset_link_from_the_mail_sets_a_new_password_once_and_ends_every_session() {
    let (app, sink) = crate::accept::app_with_mail().await;
    let admin = app.admin().await;
    let request = admin.new_person("forgetful@example.com").await;
    member_through(&app, Some(&sink), request, "Read only").await;
    let query = sign_in(&app, "forgetful@example.com", PASSWORD).await;
    let (_, body) = exchange(&app, param(&query, "code").unwrap(), VERIFIER, REDIRECT).await;
    let tokens: TokenResponse = serde_json::from_value(body).unwrap();
    let before = sink.messages().len();
    let sent = password_form(
        &app,
        "/account/password/forgot",
        "/account/password/forgot",
        &[("email", "forgetful@example.com")],
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK);
    let unknown = password_form(
        &app,
        "/account/password/forgot",
        "/account/password/forgot",
        &[("email", "nobody@example.com")],
    )
    .await;
    assert_eq!(
        (unknown.status, unknown.html.clone()),
        (sent.status, sent.html.clone()),
        "the same answer"
    );
    let mail = sink.wait_for(before + 1).await[before].clone();
    let token = crate::smtp_sink::link_token(&mail, "/account/password/reset/");
    let path = format!("/account/password/reset/{token}");
    let weak = password_form(&app, &path, &path, &[("password", "short")]).await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    let new_password = "a brand new and long passphrase";
    let done = password_form(&app, &path, &path, &[("password", new_password)]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    let again = app
        .http
        .get(format!("{}{path}", app.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND, "single use");

    assert_eq!(
        me_status(&app, &tokens.access_token).await,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = refresh(&app, tokens.refresh_token.as_deref().unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "every refresh token ended");
    let query = sign_in(&app, "forgetful@example.com", new_password).await;
    assert!(param(&query, "code").is_some());
}

#[tokio::test]
async fn a_reset_link_lasts_thirty_minutes() {
    let (app, sink) = crate::accept::app_with_mail().await;
    let admin = app.admin().await;
    let request = admin.new_person("slow@example.com").await;
    member_through(&app, Some(&sink), request, "Read only").await;
    let before = sink.messages().len();
    password_form(
        &app,
        "/account/password/forgot",
        "/account/password/forgot",
        &[("email", "slow@example.com")],
    )
    .await;
    let token = crate::smtp_sink::link_token(
        &sink.wait_for(before + 1).await[before],
        "/account/password/reset/",
    );
    app.server.state.clock.advance(Duration::minutes(31));
    let late = app
        .http
        .get(format!("{}/account/password/reset/{token}", app.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_person_changes_their_password_with_the_current_one() {
    let app = spawn_app().await;
    let (_, tokens) = signed_in(&app, "changer@example.com", "Read only").await;
    let person = person_session(&app, &tokens.access_token);
    let change = |current: &str| {
        app.http
            .post(format!("{}/account/password", app.base_url()))
            .bearer_auth(&tokens.access_token)
            .json(
                &json!({"currentPassword": current, "newPassword": "another long passphrase here"}),
            )
            .send()
    };
    assert_eq!(
        change("nope").await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        change(PASSWORD).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(person.get("/me").await.status, StatusCode::UNAUTHORIZED);
    assert!(param(
        &sign_in(&app, "changer@example.com", "another long passphrase here").await,
        "code"
    )
    .is_some());
}

/// The key an enrolment page shows, as bytes, and the code an authenticator shows now.
fn authenticator_code(app: &TestApp, key: &str, later_secs: i64) -> String {
    let secret = totp_rs::Secret::Encoded(key.to_owned()).to_bytes().unwrap();
    let now = app.server.state.clock.now().timestamp() + later_secs;
    invitedesk_server::second_factor::code_at(&secret, now as u64).unwrap()
}

fn shown_key(html: &str) -> String {
    html.split("Key: <code>")
        .nth(1)
        .unwrap_or_else(|| panic!("no key in {html}"))
        .split('<')
        .next()
        .unwrap()
        .to_owned()
}

/// Password, then the second-factor page with `code`: the answer.
async fn sign_in_with_code(app: &TestApp, email: &str, code: &str) -> Seen {
    let mut browser = Browser::new(app);
    let challenge = challenge(VERIFIER);
    let page = browser.authorize(&desktop_request("s", &challenge)).await;
    let step = browser
        .submit(
            &page,
            "/oauth/authorize",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        step.status,
        StatusCode::OK,
        "the second-factor page: {}",
        step.html
    );
    assert!(step.html.contains("authenticator code"));
    browser
        .submit(&step, "/oauth/authorize/second-factor", &[("code", code)])
        .await
}

#[tokio::test]
async fn an_organisation_that_requires_a_second_factor_has_members_enrol_then_sign_in_with_codes() {
    let app = spawn_app().await;
    member(&app, "careful@example.com", "Read only").await;
    let admin = app.admin().await;
    let set = admin
        .put("/security", &json!({"requireSecondFactor": true}))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    let readonly = app.session(0, "readonly").await;
    assert_eq!(
        readonly
            .put("/security", &json!({"requireSecondFactor": false}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // First sign-in: enrol, from the QR code's key.
    let mut browser = Browser::new(&app);
    let challenge = challenge(VERIFIER);
    let page = browser.authorize(&desktop_request("s", &challenge)).await;
    let enrol = browser
        .submit(
            &page,
            "/oauth/authorize",
            &[("email", "careful@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(enrol.status, StatusCode::OK, "{}", enrol.html);
    assert!(enrol.html.contains("<svg"), "a QR code");
    let key = shown_key(&enrol.html);
    let wrong = browser
        .submit(&enrol, "/oauth/authorize/enrol", &[("code", "000000")])
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        shown_key(&wrong.html),
        key,
        "the same secret after a wrong code"
    );
    let codes_page = browser
        .submit(
            &wrong,
            "/oauth/authorize/enrol",
            &[("code", &authenticator_code(&app, &key, 0))],
        )
        .await;
    assert_eq!(codes_page.status, StatusCode::OK, "{}", codes_page.html);
    let recovery: Vec<String> = codes_page
        .html
        .split("<li><code>")
        .skip(1)
        .map(|c| c.split('<').next().unwrap().to_owned())
        .collect();
    assert_eq!(recovery.len(), 10);
    let done = browser
        .submit(&codes_page, "/oauth/authorize/organization", &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert!(param(&redirect_query(done.location.as_deref().unwrap()), "code").is_some());

    // Then every sign-in asks for a code: not the one already used, a wrong one, the next.
    let replayed = sign_in_with_code(
        &app,
        "careful@example.com",
        &authenticator_code(&app, &key, 0),
    )
    .await;
    assert_eq!(
        replayed.status,
        StatusCode::BAD_REQUEST,
        "a code works once"
    );
    let wrong = sign_in_with_code(&app, "careful@example.com", "123456").await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    app.server.state.clock.advance(Duration::seconds(30));
    let right = sign_in_with_code(
        &app,
        "careful@example.com",
        &authenticator_code(&app, &key, 0),
    )
    .await;
    assert_eq!(right.status, StatusCode::SEE_OTHER, "{}", right.html);

    // A recovery code works in place of the app, once.
    let recovered =
        sign_in_with_code(&app, "careful@example.com", &recovery[0].to_uppercase()).await;
    assert_eq!(
        recovered.status,
        StatusCode::SEE_OTHER,
        "{}",
        recovered.html
    );
    let again = sign_in_with_code(&app, "careful@example.com", &recovery[0]).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_person_enrols_an_authenticator_from_the_app_and_then_needs_it() {
    let app = spawn_app().await;
    let (_, tokens) = signed_in(&app, "keen@example.com", "Read only").await;
    let post = |path: &str, body: Value| {
        app.http
            .post(format!("{}{path}", app.base_url()))
            .bearer_auth(&tokens.access_token)
            .json(&body)
            .send()
    };
    let started: Value = post("/account/second-factor", json!({}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = started["secret"].as_str().unwrap().to_owned();
    assert!(started["otpauthUri"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/InviteDesk"));
    let refused = post("/account/second-factor/confirm", json!({"code": "000000"}))
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let confirmed: Value = post(
        "/account/second-factor/confirm",
        json!({"code": authenticator_code(&app, &key, 0)}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(confirmed["recoveryCodes"].as_array().unwrap().len(), 10);
    app.server.state.clock.advance(Duration::seconds(30));
    let next =
        sign_in_with_code(&app, "keen@example.com", &authenticator_code(&app, &key, 0)).await;
    assert_eq!(next.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_member_of_two_organisations_chooses_one_or_the_app_names_it() {
    let app = spawn_app().await;
    member(&app, "both@example.com", "Read only").await;
    let other = app.session(1, "admin").await;
    let created: Invitation = other
        .invite(&other.new_person("both@example.com").await)
        .await
        .ok();
    other.delivered(created.id).await;
    let mut invitee =
        crate::accept::Invitee::new(&app, &crate::smtp_sink::invite_token(&app.newest_mail()));
    invitee.open().await;
    let accepted = invitee.post("accept", &[("password", PASSWORD)]).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.html);

    let mut browser = Browser::new(&app);
    let challenge = challenge(VERIFIER);
    let page = browser.authorize(&desktop_request("s", &challenge)).await;
    let choice = browser
        .submit(
            &page,
            "/oauth/authorize",
            &[("email", "both@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(choice.status, StatusCode::OK);
    assert!(choice.html.contains("Which organisation?"));
    let second = app.org_id(1).to_string();
    let back = browser
        .submit(
            &choice,
            "/oauth/authorize/organization",
            &[("chosen", second.as_str())],
        )
        .await;
    let query = redirect_query(back.location.as_deref().unwrap());
    let (_, body) = exchange(&app, param(&query, "code").unwrap(), VERIFIER, REDIRECT).await;
    let tokens: TokenResponse = serde_json::from_value(body).unwrap();
    let me = app
        .http
        .get(format!("{}/organizations/{second}/me", app.base_url()))
        .bearer_auth(&tokens.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        me.json::<Me>().await.unwrap().organization_id,
        app.org_id(1)
    );
    assert_eq!(
        me_status(&app, &tokens.access_token).await,
        StatusCode::NOT_FOUND,
        "the token acts in the chosen organisation only"
    );

    // The app names the organisation: no choice asked.
    let first = app.org_id(0).to_string();
    let mut named = desktop_request("s", &challenge);
    named.push(("org", first.as_str()));
    let mut browser = Browser::new(&app);
    let page = browser.authorize(&named).await;
    let back = browser
        .submit(
            &page,
            "/oauth/authorize",
            &[("email", "both@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn records_name_who_made_and_changed_them_in_words() {
    let app = spawn_app().await;
    let (user, tokens) = signed_in(&app, "namer@example.com", "Administrator").await;
    let person = person_session(&app, &tokens.access_token);
    let created: Invitation = person
        .invite(&person.new_person("named@example.com").await)
        .await
        .ok();
    assert_eq!(created.created_by_name.as_deref(), Some("Grace Hopper"));
    let admin = app.admin().await;
    let revoked: Invitation = admin
        .action(&format!("/invitations/{}/revoke", created.id))
        .await
        .ok();
    assert_eq!(revoked.created_by_name.as_deref(), Some("Grace Hopper"));
    assert_eq!(revoked.last_modified_by_name.as_deref(), Some("admin"));
    let listed = admin.invitations("?search=named@example.com").await;
    assert_eq!(
        listed.data[0].created_by_name.as_deref(),
        Some("Grace Hopper")
    );
    let read: User = admin.get(&format!("/users/{}", user.id)).await.ok();
    assert_eq!(
        read.created_by_name.as_deref(),
        Some("admin"),
        "made by accepting an admin's invitation"
    );
}

#[tokio::test]
async fn deleting_a_member_ends_their_sessions() {
    let app = spawn_app().await;
    let (user, tokens) = signed_in(&app, "removed@example.com", "Read only").await;
    let admin = app.admin().await;
    assert_eq!(
        admin.delete(&format!("/users/{}", user.id)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        me_status(&app, &tokens.access_token).await,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = refresh(&app, tokens.refresh_token.as_deref().unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let query_after = {
        let mut browser = Browser::new(&app);
        let challenge = challenge(VERIFIER);
        let page = browser.authorize(&desktop_request("s", &challenge)).await;
        browser
            .submit(
                &page,
                "/oauth/authorize",
                &[("email", "removed@example.com"), ("password", PASSWORD)],
            )
            .await
    };
    assert_eq!(
        query_after.status,
        StatusCode::FORBIDDEN,
        "no membership left to sign in to"
    );
}
