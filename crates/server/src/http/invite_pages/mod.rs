//! The invitee's pages, rendered on the server with no script: see the invitation, accept it
//! (a new person with a one-time code and a password, or an existing account by signing in),
//! or decline it. Every link and form answers the same for unknown, used, revoked and expired
//! tokens; every form carries a signed CSRF token (`http::csrf`); every page carries the
//! security headers (`http::security_headers`); every request counts against the page
//! limiter, and codes and passwords against the limits that protect the person
//! (`store::otp`, `store::attempts`).

pub(crate) mod templates;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use invitedesk_model::validate::{self, FieldError, Rule};
use maud::Markup;
use serde::Deserialize;

use self::templates::Step;
use crate::auth::token_hash;
use crate::error::{Error, Result};
use crate::http::client_address::ClientAddress;
use crate::http::csrf::CsrfVisit;
use crate::http::security_headers;
use crate::password;
use crate::store::acceptance::{self, Acceptance, Acceptor, Link, OpenInvitation};
use crate::store::audit::RequestSource;
use crate::store::{attempts, otp};
use crate::AppState;

const STYLE: &str = include_str!("style.css");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/invite/assets/style.css", get(style))
        .route("/invite/{token}", get(show))
        .route("/invite/{token}/code", post(send_code))
        .route("/invite/{token}/accept", post(accept))
        .route("/invite/{token}/decline", post(decline))
        .layer(axum::middleware::map_response(security_headers::for_pages))
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

/// What a step found, or the page to answer with instead (boxed: a response is large).
type OrAnswer<T> = std::result::Result<T, Box<Response>>;

/// A request that may go on: its CSRF state and the field value its forms carry.
struct Visit {
    csrf: CsrfVisit,
    field: String,
}

/// The page limiter's verdict, then the CSRF state for the page of this link.
fn visit(
    state: &AppState,
    client: ClientAddress,
    headers: &HeaderMap,
    token: &str,
) -> OrAnswer<Visit> {
    if !state.page_limiter.allows(client.0) {
        return Err(Box::new(page(
            state,
            StatusCode::TOO_MANY_REQUESTS,
            None,
            templates::too_many_requests(),
        )));
    }
    let csrf = state.csrf.visit(headers);
    let field = state.csrf.field(&csrf, token);
    Ok(Visit { csrf, field })
}

/// As `visit`, for a posted form: its CSRF field must match the cookie and this link.
fn checked(
    state: &AppState,
    client: ClientAddress,
    headers: &HeaderMap,
    form: &InviteeForm,
    token: &str,
) -> OrAnswer<Visit> {
    let visit = visit(state, client, headers, token)?;
    if !state.csrf.verify(&visit.csrf, token, &form.csrf) {
        return Err(Box::new(page(
            state,
            StatusCode::FORBIDDEN,
            None,
            templates::page_expired(),
        )));
    }
    Ok(visit)
}

fn page(state: &AppState, status: StatusCode, visit: Option<&Visit>, body: Markup) -> Response {
    let mut response = (status, Html(body.into_string())).into_response();
    if let Some(cookie) = visit.and_then(|v| state.csrf.set_cookie(&v.csrf)) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

fn invalid(state: &AppState) -> Response {
    page(state, StatusCode::NOT_FOUND, None, templates::invalid())
}

fn locked(state: &AppState, open: &OpenInvitation) -> Response {
    page(state, StatusCode::LOCKED, None, templates::locked(open))
}

fn failure(state: &AppState, error: Error) -> Response {
    tracing::error!(%error, "invitee page failed");
    page(
        state,
        StatusCode::INTERNAL_SERVER_ERROR,
        None,
        templates::failure(),
    )
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
    client: ClientAddress,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let visit = match visit(&state, client, &headers, &token) {
        Ok(v) => v,
        Err(refused) => return *refused,
    };
    match load(&state, &token).await {
        Ok(Some(open)) if open.locked() => locked(&state, &open),
        Ok(Some(open)) => page(
            &state,
            StatusCode::OK,
            Some(&visit),
            templates::invitation_page(&open, &token, &visit.field, &Step::Start, &[]),
        ),
        Ok(None) => invalid(&state),
        Err(e) => failure(&state, e),
    }
}

/// A form posted on a live, unlocked link: its CSRF token checked and its invitation loaded;
/// else the answer to give instead.
async fn form_on_live_link(
    state: &AppState,
    client: ClientAddress,
    headers: &HeaderMap,
    form: &InviteeForm,
    token: &str,
) -> OrAnswer<(Visit, OpenInvitation)> {
    let visit = checked(state, client, headers, form, token)?;
    match load(state, token).await {
        Ok(Some(open)) if open.locked() => Err(Box::new(locked(state, &open))),
        Ok(Some(open)) => Ok((visit, open)),
        Ok(None) => Err(Box::new(invalid(state))),
        Err(e) => Err(Box::new(failure(state, e))),
    }
}

/// The model's rules for a new person's names and mobile number, on every form that sends
/// them (hidden fields included: they come back from the browser and are checked again).
fn person_errors(form: &InviteeForm) -> Vec<FieldError> {
    [
        validate::name("firstName", Some(&form.first_name), true).err(),
        validate::name("lastName", Some(&form.last_name), true).err(),
        validate::contact_number(Some(&form.mobile), true)
            .err()
            .map(|e| FieldError {
                field: "mobile".into(),
                message: e.message.replace("contactNumber", "the mobile number"),
                ..e
            }),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn step_of(form: &InviteeForm) -> Step {
    Step::CodeSent {
        first_name: form.first_name.trim().into(),
        last_name: form.last_name.trim().into(),
        mobile: form.mobile.trim().into(),
    }
}

async fn send_code(
    State(state): State<AppState>,
    client: ClientAddress,
    source: RequestSource,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<InviteeForm>,
) -> Response {
    let (visit, open) = match form_on_live_link(&state, client, &headers, &form, &token).await {
        Ok(found) => found,
        Err(answer) => return *answer,
    };
    let start_again = |status, errors: &[FieldError]| {
        let body = templates::invitation_page(&open, &token, &visit.field, &Step::Start, errors);
        page(&state, status, Some(&visit), body)
    };
    if open.account.is_some() {
        // Someone with an account accepts by signing in: no code is sent for this link.
        let error = FieldError::new(
            "password",
            Rule::Unknown,
            "you already have an account: sign in to accept",
        );
        return start_again(StatusCode::BAD_REQUEST, &[error]);
    }
    let errors = person_errors(&form);
    if !errors.is_empty() {
        return start_again(StatusCode::BAD_REQUEST, &errors);
    }
    let (org, id, mobile, now) = (
        open.org_id,
        open.id,
        form.mobile.trim().to_owned(),
        state.clock.now(),
    );
    let budget = state.config.org_sms_per_hour;
    let issued = {
        let (mobile, email, clock) = (
            mobile.clone(),
            open.facts.email.clone(),
            state.clock.clone(),
        );
        state
            .db
            .write(move |tx| {
                let issued = otp::issue(tx, org, id, &mobile, budget, now)?;
                if issued.is_ok() {
                    acceptance::note_code_requested(tx, org, id, &email, &clock, &source)?;
                }
                Ok(issued)
            })
            .await
    };
    let code = match issued {
        Ok(Ok(code)) => code,
        Ok(Err(refused)) => {
            let error = FieldError::new("mobile", Rule::TooMany, refused.explain());
            return start_again(StatusCode::TOO_MANY_REQUESTS, &[error]);
        }
        Err(e) => return failure(&state, e),
    };
    let message = templates::code_message(&code, &open.facts.organization);
    if let Err(e) = state.sms.send(&mobile, &message).await {
        tracing::warn!(error = %e, "one-time code not sent");
        let error = FieldError::new(
            "mobile",
            Rule::Unknown,
            "we could not send a code to this number; check it and try again",
        );
        return start_again(StatusCode::BAD_GATEWAY, &[error]);
    }
    let body = templates::invitation_page(&open, &token, &visit.field, &step_of(&form), &[]);
    page(&state, StatusCode::OK, Some(&visit), body)
}

/// Who is accepting, once their password (an account) or their details (a new person) pass;
/// else the page to answer with.
async fn acceptor(
    state: &AppState,
    visit: &Visit,
    open: &OpenInvitation,
    token: &str,
    form: &InviteeForm,
) -> OrAnswer<Acceptor> {
    let again = |step: &Step, errors: &[FieldError]| {
        let body = templates::invitation_page(open, token, &visit.field, step, errors);
        Box::new(page(state, StatusCode::BAD_REQUEST, Some(visit), body))
    };
    let failed = |e| Box::new(failure(state, e));
    match &open.account {
        Some((account, hash)) => {
            let (account, now) = (*account, state.clock.now());
            let wait = state
                .db
                .read(move |c| attempts::account_wait_secs(c, account, now))
                .await
                .map_err(failed)?;
            if let Some(seconds) = wait {
                let body = templates::account_must_wait(seconds);
                return Err(Box::new(page(
                    state,
                    StatusCode::TOO_MANY_REQUESTS,
                    None,
                    body,
                )));
            }
            if password::verify(form.password.clone(), hash.clone()).await {
                return Ok(Acceptor::Account(account));
            }
            let invitation = open.id;
            let left = state
                .db
                .write(move |tx| {
                    attempts::note_account_failure(tx, account, now)?;
                    attempts::note_invitation_failure(tx, invitation)
                })
                .await
                .map_err(failed)?;
            if left == 0 {
                return Err(Box::new(locked(state, open)));
            }
            let error = FieldError::new("password", Rule::Unknown, "that password is not right");
            Err(again(&Step::Start, &[error]))
        }
        None => {
            let mut errors = person_errors(form);
            let names = [form.first_name.trim(), form.last_name.trim()];
            if let Err(error) = validate::password(&form.password, &open.facts.email, &names) {
                errors.push(error);
            }
            if !errors.is_empty() {
                return Err(again(&step_of(form), &errors));
            }
            let password_hash = password::hash(form.password.clone())
                .await
                .map_err(failed)?;
            Ok(Acceptor::NewPerson {
                first_name: form.first_name.trim().into(),
                last_name: form.last_name.trim().into(),
                mobile: form.mobile.trim().into(),
                code: form.code.trim().into(),
                password_hash,
            })
        }
    }
}

async fn accept(
    State(state): State<AppState>,
    client: ClientAddress,
    source: RequestSource,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<InviteeForm>,
) -> Response {
    let (visit, open) = match form_on_live_link(&state, client, &headers, &form, &token).await {
        Ok(found) => found,
        Err(answer) => return *answer,
    };
    let who = match acceptor(&state, &visit, &open, &token, &form).await {
        Ok(who) => who,
        Err(answer) => return *answer,
    };
    let (hash, clock) = (token_hash(&token), state.clock.clone());
    let outcome = state
        .db
        .write(move |tx| acceptance::accept(tx, Link::Token(&hash), who, &clock, &source))
        .await;
    let again = |errors: &[FieldError]| {
        let step = match open.account {
            Some(_) => Step::Start,
            None => step_of(&form),
        };
        let body = templates::invitation_page(&open, &token, &visit.field, &step, errors);
        page(&state, StatusCode::BAD_REQUEST, Some(&visit), body)
    };
    let field_error = |field: &str, message: &str| FieldError::new(field, Rule::Unknown, message);
    match outcome {
        Ok(Acceptance::Accepted) => page(&state, StatusCode::OK, None, templates::welcome(&open)),
        Ok(Acceptance::Invalid) => invalid(&state),
        Ok(Acceptance::Locked) => locked(&state, &open),
        Ok(Acceptance::WrongCode { attempts_left }) => again(&[field_error(
            "code",
            &format!("that code is not right; {attempts_left} attempts left"),
        )]),
        Ok(Acceptance::NewCodeNeeded) => {
            let error = field_error(
                "mobile",
                "the code has expired or was used up: ask for a new one",
            );
            let body =
                templates::invitation_page(&open, &token, &visit.field, &Step::Start, &[error]);
            page(&state, StatusCode::BAD_REQUEST, Some(&visit), body)
        }
        Ok(Acceptance::SeatsGone) => page(
            &state,
            StatusCode::CONFLICT,
            None,
            templates::seats_gone(&open),
        ),
        Ok(Acceptance::AccountExists) => again(&[field_error(
            "password",
            "an account with this e-mail exists: reload the page and sign in",
        )]),
        Ok(Acceptance::AlreadyMember) => page(
            &state,
            StatusCode::CONFLICT,
            None,
            templates::already_member(&open),
        ),
        Err(e) => failure(&state, e),
    }
}

async fn decline(
    State(state): State<AppState>,
    client: ClientAddress,
    source: RequestSource,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<InviteeForm>,
) -> Response {
    if let Err(refused) = checked(&state, client, &headers, &form, &token) {
        return *refused;
    }
    let (hash, clock) = (token_hash(&token), state.clock.clone());
    match state
        .db
        .write(move |tx| acceptance::decline(tx, Link::Token(&hash), &clock, &source))
        .await
    {
        Ok(Acceptance::Accepted) => page(&state, StatusCode::OK, None, templates::declined()),
        Ok(_) => invalid(&state),
        Err(e) => failure(&state, e),
    }
}
