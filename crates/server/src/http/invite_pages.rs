//! The invitee's pages, rendered on the server with no script: see the invitation, accept it
//! (a new person with a one-time code and a password, or an existing account by signing in),
//! or decline it. Every link and form answers the same for unknown, used, revoked and expired
//! tokens; every form carries a CSRF token; every page is sent with a strict CSP.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use invitedesk_model::validate::{self, FieldError};
use maud::{html, Markup, DOCTYPE};
use rand::Rng;
use serde::Deserialize;

use crate::auth::{random_token, token_hash};
use crate::error::{Error, Result};
use crate::store::acceptance::{self, Acceptance, Acceptor, OpenInvitation};
use crate::AppState;

const CSRF_COOKIE: &str = "invite_csrf";
const STYLE: &str = include_str!("invite_pages.css");
const CSP: &str = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Guessing tokens or codes is limited per client address.
pub type PageLimiter = DefaultKeyedRateLimiter<IpAddr>;

pub fn page_limiter() -> PageLimiter {
    RateLimiter::keyed(Quota::per_minute(
        NonZeroU32::new(60).unwrap_or(NonZeroU32::MIN),
    ))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/invite/assets/style.css", get(style))
        .route("/invite/{token}", get(show))
        .route("/invite/{token}/code", post(send_code))
        .route("/invite/{token}/accept", post(accept))
        .route("/invite/{token}/decline", post(decline))
}

async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        STYLE,
    )
        .into_response()
}

/// Every field any invitee form sends; each form uses some.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteeForm {
    csrf: String,
    first_name: String,
    last_name: String,
    mobile: String,
    code: String,
    password: String,
}

/// What a page needs to know of the request: whether it may go on, and its CSRF token.
struct Visit {
    csrf: String,
    /// The cookie must be set on this response.
    new_cookie: bool,
}

/// Why a request to the invitee's pages does not go on.
enum Refused {
    TooManyAttempts,
    /// The form's CSRF token does not match the cookie.
    PageExpired,
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            Refused::TooManyAttempts => (
                StatusCode::TOO_MANY_REQUESTS,
                layout(
                    "Too many attempts",
                    html! {
                        p { "Too many attempts from your network. Wait a minute and try again." }
                    },
                ),
            ),
            Refused::PageExpired => (
                StatusCode::FORBIDDEN,
                layout(
                    "Page expired",
                    html! {
                        h1 { "This page has expired" } p { "Open the link from your e-mail again." }
                    },
                ),
            ),
        };
        respond(status, None, body)
    }
}

fn visit(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
) -> std::result::Result<Visit, Refused> {
    if state.page_limiter.check_key(&peer.ip()).is_err() {
        return Err(Refused::TooManyAttempts);
    }
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == CSRF_COOKIE)
        .map(|(_, value)| value.to_owned());
    Ok(match cookie {
        Some(csrf) if csrf.len() >= 32 => Visit {
            csrf,
            new_cookie: false,
        },
        _ => Visit {
            csrf: random_token(),
            new_cookie: true,
        },
    })
}

fn respond(status: StatusCode, visit: Option<&Visit>, body: Markup) -> Response {
    let mut response = (status, Html(body.into_string())).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    // The token is in the URL: never let it leave in a Referer header or a cache.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    if let Some(visit) = visit.filter(|v| v.new_cookie) {
        let cookie = format!(
            "{CSRF_COOKIE}={}; Path=/invite; HttpOnly; SameSite=Strict",
            visit.csrf
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.insert(header::SET_COOKIE, value);
        }
    }
    response
}

async fn load(state: &AppState, token: &str) -> Result<Option<OpenInvitation>> {
    let (hash, now) = (token_hash(token), state.clock.now());
    state
        .db
        .read(move |c| acceptance::open(c, &hash, now))
        .await
}

async fn show(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let visit = match visit(&state, peer, &headers) {
        Ok(v) => v,
        Err(refused) => return refused.into_response(),
    };
    match load(&state, &token).await {
        Ok(Some(open)) => respond(
            StatusCode::OK,
            Some(&visit),
            invitation_page(&open, &token, &visit, &Step::Start, &[]),
        ),
        Ok(None) => invalid(),
        Err(e) => failure(e),
    }
}

/// A form posted on a live link: its CSRF token checked and its invitation loaded; else the
/// answer to give instead.
async fn form_on_live_link(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    form: &InviteeForm,
    token: &str,
) -> std::result::Result<(Visit, OpenInvitation), Box<Response>> {
    let visit = checked(state, peer, headers, form).map_err(|r| Box::new(r.into_response()))?;
    match load(state, token).await {
        Ok(Some(open)) => Ok((visit, open)),
        Ok(None) => Err(Box::new(invalid())),
        Err(e) => Err(Box::new(failure(e))),
    }
}

/// Where the invitee is in accepting.
enum Step {
    Start,
    /// The code was sent to this number; names as given.
    CodeSent {
        first_name: String,
        last_name: String,
        mobile: String,
    },
}

async fn send_code(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<InviteeForm>,
) -> Response {
    let (visit, open) = match form_on_live_link(&state, peer, &headers, &form, &token).await {
        Ok(found) => found,
        Err(answer) => return *answer,
    };
    let errors: Vec<FieldError> = [
        validate::name("firstName", Some(&form.first_name), true).err(),
        validate::name("lastName", Some(&form.last_name), true).err(),
        validate::contact_number(Some(&form.mobile), true)
            .err()
            .map(|e| FieldError {
                field: "mobile".into(),
                ..e
            }),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !errors.is_empty() {
        return respond(
            StatusCode::BAD_REQUEST,
            Some(&visit),
            invitation_page(&open, &token, &visit, &Step::Start, &errors),
        );
    }
    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000));
    let (id, mobile, now) = (open.id, form.mobile.trim().to_owned(), state.clock.now());
    let stored = {
        let (mobile, code) = (mobile.clone(), code.clone());
        state
            .db
            .write(move |tx| acceptance::store_code(tx, id, &mobile, &code, now))
            .await
    };
    let message = format!(
        "{code} is your InviteDesk code to join {}. It expires in 10 minutes.",
        open.facts.organization
    );
    if let Err(e) = stored {
        return failure(e);
    }
    if let Err(e) = state.sms.send(&mobile, &message).await {
        tracing::warn!(error = %e, "one-time code not sent");
        let error = FieldError::new(
            "mobile",
            validate::Rule::Unknown,
            "we could not send a code to this number; check it and try again",
        );
        return respond(
            StatusCode::BAD_GATEWAY,
            Some(&visit),
            invitation_page(&open, &token, &visit, &Step::Start, &[error]),
        );
    }
    let step = Step::CodeSent {
        first_name: form.first_name.trim().into(),
        last_name: form.last_name.trim().into(),
        mobile,
    };
    respond(
        StatusCode::OK,
        Some(&visit),
        invitation_page(&open, &token, &visit, &step, &[]),
    )
}

async fn accept(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<InviteeForm>,
) -> Response {
    let (visit, open) = match form_on_live_link(&state, peer, &headers, &form, &token).await {
        Ok(found) => found,
        Err(answer) => return *answer,
    };
    let acceptor = match &open.account {
        Some((account, hash)) => {
            if !verify_password(&form.password, hash).await {
                let error = FieldError::new(
                    "password",
                    validate::Rule::Unknown,
                    "that password is not right",
                );
                return respond(
                    StatusCode::BAD_REQUEST,
                    Some(&visit),
                    invitation_page(&open, &token, &visit, &Step::Start, &[error]),
                );
            }
            Acceptor::Account(*account)
        }
        None => {
            let step = Step::CodeSent {
                first_name: form.first_name.trim().into(),
                last_name: form.last_name.trim().into(),
                mobile: form.mobile.trim().into(),
            };
            let names = [form.first_name.trim(), form.last_name.trim()];
            if let Err(error) = validate::password(&form.password, &open.facts.email, &names) {
                return respond(
                    StatusCode::BAD_REQUEST,
                    Some(&visit),
                    invitation_page(&open, &token, &visit, &step, &[error]),
                );
            }
            let password_hash = match hash_password(form.password.clone()).await {
                Ok(hash) => hash,
                Err(e) => return failure(e),
            };
            Acceptor::NewPerson {
                first_name: form.first_name.trim().into(),
                last_name: form.last_name.trim().into(),
                mobile: form.mobile.trim().into(),
                code: form.code.trim().into(),
                password_hash,
            }
        }
    };
    let (hash, clock) = (token_hash(&token), state.clock.clone());
    let outcome = state
        .db
        .write(move |tx| acceptance::accept(tx, &hash, acceptor, &clock))
        .await;
    let field_error =
        |field: &str, message: &str| FieldError::new(field, validate::Rule::Unknown, message);
    let step = Step::CodeSent {
        first_name: form.first_name,
        last_name: form.last_name,
        mobile: form.mobile,
    };
    let again = |errors: &[FieldError]| {
        let step = if open.account.is_some() {
            &Step::Start
        } else {
            &step
        };
        respond(
            StatusCode::BAD_REQUEST,
            Some(&visit),
            invitation_page(&open, &token, &visit, step, errors),
        )
    };
    match outcome {
        Ok(Acceptance::Accepted) => {
            let body = layout(
                "Welcome",
                html! {
                    h1 { "Welcome to " (open.facts.organization) }
                    p { "You have accepted the invitation. You can now sign in with " strong { (open.facts.email) } "." }
                },
            );
            respond(StatusCode::OK, None, body)
        }
        Ok(Acceptance::Invalid) => invalid(),
        Ok(Acceptance::WrongCode { attempts_left }) => again(&[field_error(
            "code",
            &format!("that code is not right; {attempts_left} attempts left"),
        )]),
        Ok(Acceptance::NewCodeNeeded) => {
            let start = invitation_page(
                &open,
                &token,
                &visit,
                &Step::Start,
                &[field_error(
                    "mobile",
                    "the code has expired or was used up: ask for a new one",
                )],
            );
            respond(StatusCode::BAD_REQUEST, Some(&visit), start)
        }
        Ok(Acceptance::SeatsGone) => {
            let body = layout(
                "No seat left",
                html! {
                    h1 { "No seat left" }
                    p { "Every seat of this subscription is now taken, so the invitation cannot be accepted. Ask " (open.facts.inviter) " at " (open.facts.organization) " to free one and send the invitation again." }
                },
            );
            respond(StatusCode::CONFLICT, None, body)
        }
        Ok(Acceptance::AccountExists) => again(&[field_error(
            "password",
            "an account with this e-mail exists: reload the page and sign in",
        )]),
        Ok(Acceptance::AlreadyMember) => {
            let body = layout(
                "Already a member",
                html! { h1 { "You are already a member of " (open.facts.organization) } },
            );
            respond(StatusCode::CONFLICT, None, body)
        }
        Err(e) => failure(e),
    }
}

async fn decline(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<InviteeForm>,
) -> Response {
    if let Err(refused) = checked(&state, peer, &headers, &form) {
        return refused.into_response();
    }
    let (hash, clock) = (token_hash(&token), state.clock.clone());
    match state
        .db
        .write(move |tx| acceptance::decline(tx, &hash, &clock))
        .await
    {
        Ok(Acceptance::Accepted) => {
            let body = layout(
                "Invitation declined",
                html! { h1 { "Invitation declined" } p { "Thank you for letting us know. The link no longer works." } },
            );
            respond(StatusCode::OK, None, body)
        }
        Ok(_) => invalid(),
        Err(e) => failure(e),
    }
}

/// A form may go on when its CSRF field matches the cookie set with the page.
fn checked(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    form: &InviteeForm,
) -> std::result::Result<Visit, Refused> {
    let visit = visit(state, peer, headers)?;
    if visit.new_cookie || form.csrf != visit.csrf {
        return Err(Refused::PageExpired);
    }
    Ok(visit)
}

/// The one answer for every token that is not live.
fn invalid() -> Response {
    let body = layout(
        "Invitation not valid",
        html! {
            h1 { "This invitation link is not valid" }
            p { "It may have expired, been used already, or been replaced by a newer one. Ask the person who invited you to send it again." }
        },
    );
    respond(StatusCode::NOT_FOUND, None, body)
}

fn failure(error: Error) -> Response {
    tracing::error!(%error, "invitee page failed");
    let body = layout(
        "Something went wrong",
        html! { h1 { "Something went wrong" } p { "Please try again in a moment." } },
    );
    respond(StatusCode::INTERNAL_SERVER_ERROR, None, body)
}

async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| Error::Internal(format!("argon2 task: {e}")))?
    .map_err(|e| Error::Internal(format!("argon2: {e}")))
}

async fn verify_password(password: &str, stored: &str) -> bool {
    let (password, stored) = (password.to_owned(), stored.to_owned());
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · InviteDesk" }
                link rel="stylesheet" href="/invite/assets/style.css";
            }
            body { main { (body) } }
        }
    }
}

fn error_for<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
}

/// A labelled input with its error beside it, tied together for screen readers.
fn field(
    name: &str,
    label: &str,
    kind: &str,
    value: &str,
    autocomplete: &str,
    errors: &[FieldError],
) -> Markup {
    let error = error_for(errors, name);
    let error_id = format!("{name}-error");
    html! {
        div.field {
            label for=(name) { (label) }
            input id=(name) name=(name) type=(kind) value=(value) autocomplete=(autocomplete) required
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.as_str())];
            @if let Some(message) = error { p.error id=(error_id) role="alert" { (message) } }
        }
    }
}

/// The form's name for a field the rules name by its wire name.
fn form_field(wire_name: &str) -> &str {
    match wire_name {
        "firstName" => "first_name",
        "lastName" => "last_name",
        other => other,
    }
}

fn invitation_page(
    open: &OpenInvitation,
    token: &str,
    visit: &Visit,
    step: &Step,
    errors: &[FieldError],
) -> Markup {
    let facts = &open.facts;
    let expires = facts.dt_expiry.format("%-d %B %Y, %H:%M UTC").to_string();
    let access_end = facts
        .dt_end_access
        .map(|d| d.format("%-d %B %Y").to_string())
        .unwrap_or_else(|| "No end date".into());
    let errors: Vec<FieldError> = errors
        .iter()
        .map(|e| FieldError {
            field: form_field(&e.field).into(),
            ..e.clone()
        })
        .collect();
    layout(
        &format!("Join {}", facts.organization),
        html! {
            h1 { "Join " (facts.organization) }
            p { (facts.inviter) " has invited " strong { (facts.email) } " to " (facts.organization) "." }
            dl {
                @if let Some(app) = &facts.app { dt { "App" } dd { (app) } }
                @if let Some(subscription) = &facts.subscription { dt { "Subscription" } dd { (subscription) } }
                @if let Some(role) = &facts.role { dt { "Role" } dd { (role) } }
                dt { "Permissions" } dd { (open.policies.join(", ")) }
                dt { "Access ends" } dd { (access_end) }
                dt { "This invitation expires" } dd { (expires) }
            }
            @if open.account.is_some() {
                h2 { "Accept by signing in" }
                form method="post" action={ "/invite/" (token) "/accept" } {
                    input type="hidden" name="csrf" value=(visit.csrf);
                    (field("password", "Your InviteDesk password", "password", "", "current-password", &errors))
                    button type="submit" { "Sign in and accept" }
                }
            } @else {
                @match step {
                    Step::Start => {
                        h2 { "Accept" }
                        p { "We will send a code to your mobile number to confirm it is yours." }
                        form method="post" action={ "/invite/" (token) "/code" } {
                            input type="hidden" name="csrf" value=(visit.csrf);
                            (field("first_name", "First name", "text", facts.first_name.as_deref().unwrap_or(""), "given-name", &errors))
                            (field("last_name", "Last name", "text", open.last_name.as_deref().unwrap_or(""), "family-name", &errors))
                            (field("mobile", "Mobile number", "tel", "", "tel", &errors))
                            button type="submit" { "Send me a code" }
                        }
                    }
                    Step::CodeSent { first_name, last_name, mobile } => {
                        h2 { "Accept" }
                        p role="status" { "We sent a 6-digit code to " (mobile) ". It expires in 10 minutes." }
                        form method="post" action={ "/invite/" (token) "/accept" } {
                            input type="hidden" name="csrf" value=(visit.csrf);
                            input type="hidden" name="first_name" value=(first_name);
                            input type="hidden" name="last_name" value=(last_name);
                            input type="hidden" name="mobile" value=(mobile);
                            (field("code", "Code from the text message", "text", "", "one-time-code", &errors))
                            (field("password", "Choose a password (at least 12 characters)", "password", "", "new-password", &errors))
                            button type="submit" { "Accept the invitation" }
                        }
                    }
                }
            }
            form.decline method="post" action={ "/invite/" (token) "/decline" } {
                input type="hidden" name="csrf" value=(visit.csrf);
                button.secondary type="submit" { "Decline" }
            }
        },
    )
}
