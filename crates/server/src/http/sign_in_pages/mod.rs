//! People sign in through their browser: `GET /oauth/authorize` checks the app's request and
//! shows the sign-in page; its forms check the password (the same answer for an unknown e-mail
//! and a wrong password; failures limited per account in the database and per address), let
//! a member of several organisations choose one, and send the browser back to the app's
//! loopback address with a single-use code. Server-rendered, no script, CSRF on every form,
//! and a CSP whose `form-action` admits only this server and that one loopback origin.

pub mod request;
mod templates;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use invitedesk_model::validate::{self, FieldError, Rule};
use maud::Markup;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use url::Url;
use uuid::Uuid;

use self::request::{AuthorizeRequest, Refusal};
use crate::http::client_address::ClientAddress;
use crate::http::security_headers;
use crate::password;
use crate::second_factor;
use crate::store::audit::RequestSource;
use crate::store::second_factor as store_second_factor;
use crate::store::sign_in::{self, Membership};
use crate::store::{attempts, sessions};
use crate::AppState;

/// How long the steps after the password may take.
const TICKET_SECS: i64 = 600;
/// The CSRF scope of every sign-in form.
const CSRF_SCOPE: &str = "oauth-authorize";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/oauth/authorize", get(show).post(sign_in))
        .route("/oauth/authorize/organization", post(choose))
        .route("/oauth/authorize/second-factor", post(second_factor))
        .route("/oauth/authorize/enrol", post(enrol))
        .layer(axum::middleware::map_response(security_headers::for_pages))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignInForm {
    #[serde(flatten)]
    request: AuthorizeRequest,
    csrf: String,
    email: String,
    password: String,
    ticket: String,
    chosen: String,
    code: String,
}

/// A page, with the CSP that lets its forms lead back to the app.
fn page(
    state: &AppState,
    status: StatusCode,
    redirect: Option<&Url>,
    body: Markup,
    csrf: Option<&crate::http::csrf::CsrfVisit>,
) -> Response {
    let mut response = (status, Html(body.into_string())).into_response();
    let headers = response.headers_mut();
    if let Some(policy) = redirect
        .map(|r| security_headers::csp_with_form_target(&request::origin(r)))
        .and_then(|p| HeaderValue::from_str(&p).ok())
    {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    if let Some(cookie) = csrf.and_then(|v| state.csrf.set_cookie(v)) {
        headers.insert(header::SET_COOKIE, cookie);
    }
    response
}

fn notice(state: &AppState, status: StatusCode, body: Markup) -> Response {
    page(state, status, None, body, None)
}

/// Back to the app: a 303, so that the browser follows it with a GET.
fn to_app(location: String) -> Response {
    match HeaderValue::from_str(&location) {
        Ok(value) => (StatusCode::SEE_OTHER, [(header::LOCATION, value)]).into_response(),
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}

/// The request's redirect URI once every check passes; else the answer for the refusal.
fn checked_request(state: &AppState, request: &AuthorizeRequest) -> Result<Url, Box<Response>> {
    match request.check() {
        Ok(redirect) => Ok(redirect),
        Err(Refusal::NotRedirectable(sentence)) => Err(Box::new(notice(
            state,
            StatusCode::BAD_REQUEST,
            templates::cannot_continue(sentence),
        ))),
        Err(Refusal::Redirect { error, description }) => {
            let redirect = request
                .redirect()
                .expect("checked before any redirect refusal");
            Err(Box::new(to_app(request.back_to_app(
                &redirect,
                &[("error", error), ("error_description", description)],
            ))))
        }
    }
}

async fn show(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    Query(request): Query<AuthorizeRequest>,
) -> Response {
    if !state.page_limiter.allows(client) {
        return notice(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            templates::must_wait(60),
        );
    }
    let redirect = match checked_request(&state, &request) {
        Ok(redirect) => redirect,
        Err(answer) => return *answer,
    };
    let visit = state.csrf.visit(&headers);
    let field = state.csrf.field(&visit, CSRF_SCOPE);
    let body = templates::sign_in(&request, &field, "", &[]);
    page(&state, StatusCode::OK, Some(&redirect), body, Some(&visit))
}

/// What every form post goes through: the page limiter, the request's checks, CSRF.
fn posted(
    state: &AppState,
    client: std::net::IpAddr,
    headers: &HeaderMap,
    form: &SignInForm,
) -> Result<(Url, String), Box<Response>> {
    if !state.page_limiter.allows(client) {
        return Err(Box::new(notice(
            state,
            StatusCode::TOO_MANY_REQUESTS,
            templates::must_wait(60),
        )));
    }
    let redirect = checked_request(state, &form.request)?;
    let visit = state.csrf.visit(headers);
    if !state.csrf.verify(&visit, CSRF_SCOPE, &form.csrf) {
        return Err(Box::new(notice(
            state,
            StatusCode::FORBIDDEN,
            templates::page_expired(),
        )));
    }
    Ok((redirect, state.csrf.field(&visit, CSRF_SCOPE)))
}

/// The wrong-password answer, the same whether the e-mail has an account or not.
fn not_right(state: &AppState, redirect: &Url, form: &SignInForm, csrf: &str) -> Response {
    let error = FieldError::new(
        "password",
        Rule::Unknown,
        "the e-mail or password is not right",
    );
    let body = templates::sign_in(&form.request, csrf, form.email.trim(), &[error]);
    page(state, StatusCode::BAD_REQUEST, Some(redirect), body, None)
}

fn failure(state: &AppState, error: crate::error::Error) -> Response {
    tracing::error!(%error, "sign-in page failed");
    notice(
        state,
        StatusCode::INTERNAL_SERVER_ERROR,
        templates::cannot_continue("Something went wrong on our side. Try again in a moment."),
    )
}

/// A hash an attacker cannot make pass: verifying against it costs an unknown e-mail as much
/// time as a known one.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| password::hash_now(&crate::auth::random_token()).unwrap_or_default())
}

async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    source: RequestSource,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let (redirect, csrf) = match posted(&state, client, &headers, &form) {
        Ok(checked) => checked,
        Err(answer) => return *answer,
    };
    let email = validate::email(&form.email).unwrap_or_default();
    if let Err(crate::error::Error::RateLimited {
        retry_after_secs, ..
    }) = state.auth_failures.refuse_if_blocked(client, &email)
    {
        return notice(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            templates::must_wait(retry_after_secs),
        );
    }
    let now = state.clock.now();
    let lookup = email.clone();
    let account = match state
        .db
        .read(move |c| sign_in::account_by_email(c, &lookup))
        .await
    {
        Ok(account) => account,
        Err(e) => return failure(&state, e),
    };
    let Some(account) = account else {
        let _ = password::verify(form.password.clone(), decoy_hash().to_owned()).await;
        state.auth_failures.note_failure(client, &email);
        return not_right(&state, &redirect, &form, &csrf);
    };
    let id = account.id;
    match state
        .db
        .read(move |c| attempts::account_wait_secs(c, id, now))
        .await
    {
        Ok(Some(seconds)) => {
            return notice(
                &state,
                StatusCode::TOO_MANY_REQUESTS,
                templates::must_wait(seconds as u64),
            )
        }
        Ok(None) => {}
        Err(e) => return failure(&state, e),
    }
    if !password::verify(form.password.clone(), account.password_hash.clone()).await {
        state.auth_failures.note_failure(client, &email);
        let clock = state.clock.clone();
        if let Err(e) = state
            .db
            .write(move |tx| {
                attempts::note_account_failure(tx, id, now)?;
                sign_in::note_failed_sign_in(tx, id, &clock, &source)
            })
            .await
        {
            return failure(&state, e);
        }
        return not_right(&state, &redirect, &form, &csrf);
    }
    if let Err(e) = state
        .db
        .write(move |tx| attempts::clear_account_failures(tx, id))
        .await
    {
        return failure(&state, e);
    }
    let signed = Signed {
        account: account.id,
        second_factor_done: false,
    };
    continue_signed_in(
        &state,
        &form.request,
        &redirect,
        &csrf,
        signed,
        None,
        source,
    )
    .await
}

/// How far a sign-in has come: the password passed, and maybe the second factor too.
#[derive(Debug, Clone, Copy)]
struct Signed {
    account: Uuid,
    second_factor_done: bool,
}

/// The scope a ticket is sealed in: this very authorization request, so that a ticket from
/// one request (another app, another challenge) opens nothing in another.
fn ticket_scope(request: &AuthorizeRequest) -> String {
    let digest = Sha256::digest(
        format!(
            "{}\n{}\n{}\n{}",
            request.client_id, request.redirect_uri, request.code_challenge, request.state
        )
        .as_bytes(),
    );
    format!("sign-in {}", hex_of(&digest))
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn seal_ticket(state: &AppState, request: &AuthorizeRequest, signed: Signed) -> String {
    let expires = state.clock.now().timestamp() + TICKET_SECS;
    let value = format!("{} {}", signed.account, signed.second_factor_done);
    state.sealer.seal(&ticket_scope(request), &value, expires)
}

fn open_ticket(state: &AppState, request: &AuthorizeRequest, ticket: &str) -> Option<Signed> {
    let now = state.clock.now().timestamp();
    let value = state.sealer.open(&ticket_scope(request), ticket, now)?;
    let (account, done) = value.split_once(' ')?;
    Some(Signed {
        account: Uuid::parse_str(account).ok()?,
        second_factor_done: done.parse().ok()?,
    })
}

/// After the password: the authenticator's code if the account has one, the organisation
/// (asked for when there are several and the app named none), enrolment if that
/// organisation requires a second factor the account lacks, then the code and the way back.
async fn continue_signed_in(
    state: &AppState,
    request: &AuthorizeRequest,
    redirect: &Url,
    csrf: &str,
    signed: Signed,
    chosen: Option<Uuid>,
    source: RequestSource,
) -> Response {
    let (now, account) = (state.clock.now(), signed.account);
    let found = state
        .db
        .read(move |c| {
            Ok((
                sign_in::memberships(c, account, now)?,
                sign_in::account_totp_secret(c, account)?,
            ))
        })
        .await;
    let (mut memberships, secret) = match found {
        Ok(found) => found,
        Err(e) => return failure(state, e),
    };
    let ticket = seal_ticket(state, request, signed);
    if secret.is_some() && !signed.second_factor_done {
        let body = templates::second_factor(request, csrf, &ticket, &[]);
        return page(state, StatusCode::OK, Some(redirect), body, None);
    }
    let wanted = chosen.or_else(|| Uuid::parse_str(&request.org).ok());
    if let Some(org) = wanted {
        memberships.retain(|m| m.org_id == org);
    } else if !request.org.is_empty() {
        memberships.clear();
    }
    let membership: Membership = match memberships.as_slice() {
        [] => return notice(state, StatusCode::FORBIDDEN, templates::no_membership()),
        [one] => one.clone(),
        several => {
            let body = templates::choose_organization(request, csrf, &ticket, several);
            return page(state, StatusCode::OK, Some(redirect), body, None);
        }
    };
    if membership.requires_second_factor && !signed.second_factor_done {
        return enrolment_page(
            state,
            request,
            redirect,
            csrf,
            signed,
            membership.org_id,
            &[],
        )
        .await;
    }
    issue_code(state, request, redirect, membership.user_id, source).await
}

async fn issue_code(
    state: &AppState,
    request: &AuthorizeRequest,
    redirect: &Url,
    user_id: Uuid,
    source: RequestSource,
) -> Response {
    let (now, clock) = (state.clock.now(), state.clock.clone());
    let (client_id, redirect_uri, challenge) = (
        request.client_id.clone(),
        request.redirect_uri.clone(),
        request.code_challenge.clone(),
    );
    let code = state
        .db
        .write(move |tx| {
            let code_request = sessions::CodeRequest {
                client_id: &client_id,
                redirect_uri: &redirect_uri,
                code_challenge: &challenge,
                user_id,
            };
            let code = sessions::issue_code(tx, &code_request, now)?;
            sign_in::note_signed_in(tx, user_id, &clock, &source)?;
            Ok(code)
        })
        .await;
    match code {
        Ok(code) => to_app(request.back_to_app(redirect, &[("code", &code)])),
        Err(e) => failure(state, e),
    }
}

/// The enrolment step, with a fresh pending secret the first time and the same one after a
/// wrong code.
async fn enrolment_page(
    state: &AppState,
    request: &AuthorizeRequest,
    redirect: &Url,
    csrf: &str,
    signed: Signed,
    org: Uuid,
    errors: &[FieldError],
) -> Response {
    let (account, again) = (signed.account, !errors.is_empty());
    let found = state
        .db
        .write(move |tx| {
            let email: String = tx.query_row(
                "SELECT email FROM accounts WHERE id = ?",
                [account.to_string()],
                |r| r.get(0),
            )?;
            let secret = match store_second_factor::pending(tx, account)? {
                Some(secret) if again => secret,
                _ => store_second_factor::begin(tx, account)?,
            };
            Ok((email, secret))
        })
        .await;
    let (email, secret) = match found {
        Ok(found) => found,
        Err(e) => return failure(state, e),
    };
    let qr = match second_factor::qr_svg(&second_factor::otpauth_uri(&secret, &email)) {
        Ok(svg) => svg,
        Err(e) => return failure(state, e),
    };
    let chosen = org.to_string();
    let enrolment = templates::Enrolment {
        chosen: &chosen,
        secret_text: &second_factor::secret_text(&secret),
        qr_svg: &qr,
    };
    let ticket = seal_ticket(state, request, signed);
    let body = templates::enrol(request, csrf, &ticket, &enrolment, errors);
    let status = if again {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    page(state, status, Some(redirect), body, None)
}

/// A step after the password, posted: what every form checks (`posted`), then the sign-in
/// its ticket carries; else the answer to give.
fn later_step(
    state: &AppState,
    client: std::net::IpAddr,
    headers: &HeaderMap,
    form: &SignInForm,
) -> Result<(Url, String, Signed), Box<Response>> {
    let (redirect, csrf) = posted(state, client, headers, form)?;
    let signed = open_ticket(state, &form.request, &form.ticket).ok_or_else(|| {
        Box::new(notice(
            state,
            StatusCode::FORBIDDEN,
            templates::page_expired(),
        ))
    })?;
    Ok((redirect, csrf, signed))
}

/// The account's wait after wrong passwords or codes, as a page, if it must wait.
async fn must_wait(state: &AppState, account: Uuid) -> Option<Response> {
    let now = state.clock.now();
    match state
        .db
        .read(move |c| attempts::account_wait_secs(c, account, now))
        .await
    {
        Ok(Some(seconds)) => Some(notice(
            state,
            StatusCode::TOO_MANY_REQUESTS,
            templates::must_wait(seconds as u64),
        )),
        Ok(None) => None,
        Err(e) => Some(failure(state, e)),
    }
}

async fn second_factor(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    source: RequestSource,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let (redirect, csrf, signed) = match later_step(&state, client, &headers, &form) {
        Ok(step) => step,
        Err(answer) => return *answer,
    };
    if let Some(wait) = must_wait(&state, signed.account).await {
        return wait;
    }
    let (account, code, now) = (signed.account, form.code.clone(), state.clock.now());
    let (clock, failure_source) = (state.clock.clone(), source.clone());
    let verified = state
        .db
        .write(move |tx| {
            let right = store_second_factor::verify(tx, account, &code, now)?;
            match right {
                true => attempts::clear_account_failures(tx, account)?,
                false => {
                    attempts::note_account_failure(tx, account, now)?;
                    sign_in::note_failed_sign_in(tx, account, &clock, &failure_source)?;
                }
            }
            Ok(right)
        })
        .await;
    match verified {
        Ok(true) => {
            let signed = Signed {
                second_factor_done: true,
                ..signed
            };
            continue_signed_in(
                &state,
                &form.request,
                &redirect,
                &csrf,
                signed,
                None,
                source,
            )
            .await
        }
        Ok(false) => {
            let ticket = seal_ticket(&state, &form.request, signed);
            let error = FieldError::new("code", Rule::Unknown, "that code is not right");
            let body = templates::second_factor(&form.request, &csrf, &ticket, &[error]);
            page(&state, StatusCode::BAD_REQUEST, Some(&redirect), body, None)
        }
        Err(e) => failure(&state, e),
    }
}

async fn enrol(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let (redirect, csrf, signed) = match later_step(&state, client, &headers, &form) {
        Ok(step) => step,
        Err(answer) => return *answer,
    };
    let Ok(org) = Uuid::parse_str(&form.chosen) else {
        return notice(&state, StatusCode::BAD_REQUEST, templates::no_membership());
    };
    let (account, code, now) = (signed.account, form.code.clone(), state.clock.now());
    let confirmed = state
        .db
        .write(move |tx| store_second_factor::confirm(tx, account, &code, now))
        .await;
    match confirmed {
        Ok(Some(codes)) => {
            let signed = Signed {
                second_factor_done: true,
                ..signed
            };
            let ticket = seal_ticket(&state, &form.request, signed);
            let body =
                templates::recovery_codes(&form.request, &csrf, &ticket, &form.chosen, &codes);
            page(&state, StatusCode::OK, Some(&redirect), body, None)
        }
        Ok(None) => {
            let error = FieldError::new(
                "code",
                Rule::Unknown,
                "that code is not right: check the app's clock and try the next one",
            );
            enrolment_page(
                &state,
                &form.request,
                &redirect,
                &csrf,
                signed,
                org,
                &[error],
            )
            .await
        }
        Err(e) => failure(&state, e),
    }
}

async fn choose(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    source: RequestSource,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let (redirect, csrf, signed) = match later_step(&state, client, &headers, &form) {
        Ok(step) => step,
        Err(answer) => return *answer,
    };
    let Ok(chosen) = Uuid::parse_str(&form.chosen) else {
        return notice(&state, StatusCode::BAD_REQUEST, templates::no_membership());
    };
    continue_signed_in(
        &state,
        &form.request,
        &redirect,
        &csrf,
        signed,
        Some(chosen),
        source,
    )
    .await
}
