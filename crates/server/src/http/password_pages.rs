//! "Forgot your password?" and the page its e-mailed link opens, server-rendered with no
//! script and CSRF on both forms; and `POST /account/password` for a person signed in, who
//! changes it with the current one. A new password ends every session of the account.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use invitedesk_model::validate::{self, FieldError, Rule};
use maud::{html, Markup};
use serde::Deserialize;

use crate::auth::{Caller, PrincipalKind};
use crate::error::{Error, Result};
use crate::http::client_address::ClientAddress;
use crate::http::csrf::CsrfVisit;
use crate::http::invite_pages::templates::{field, layout, notice};
use crate::http::security_headers;
use crate::mail::{compose, outbox};
use crate::password;
use crate::store::password_resets;
use crate::AppState;

const FORGOT_SCOPE: &str = "password-forgot";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/password/forgot", get(forgot_page).post(forgot))
        .route(
            "/account/password/reset/{token}",
            get(reset_page).post(reset),
        )
        .layer(axum::middleware::map_response(security_headers::for_pages))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    csrf: String,
    email: String,
    password: String,
}

fn page(state: &AppState, status: StatusCode, visit: Option<&CsrfVisit>, body: Markup) -> Response {
    let mut response = (status, Html(body.into_string())).into_response();
    if let Some(cookie) = visit.and_then(|v| state.csrf.set_cookie(v)) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

fn forgot_form(csrf: &str, errors: &[FieldError]) -> Markup {
    layout(
        "Forgot your password?",
        html! {
            h1 { "Forgot your password?" }
            p { "Enter the e-mail of your InviteDesk account. We will send you a link to choose a new password." }
            form method="post" action="/account/password/forgot" {
                input type="hidden" name="csrf" value=(csrf);
                (field("email", "E-mail", "email", "", "username", errors))
                button type="submit" { "Send me a link" }
            }
        },
    )
}

fn reset_form(token: &str, csrf: &str, errors: &[FieldError]) -> Markup {
    layout(
        "Choose a new password",
        html! {
            h1 { "Choose a new password" }
            form method="post" action={ "/account/password/reset/" (token) } {
                input type="hidden" name="csrf" value=(csrf);
                (field("password", "New password (at least 12 characters, hard to guess)", "password", "", "new-password", errors))
                button type="submit" { "Set the new password" }
            }
        },
    )
}

fn link_not_valid() -> Markup {
    notice(
        "This link is not valid",
        "It may have expired (links last 30 minutes) or been used already. Ask for a new one from the sign-in page.",
    )
}

fn failure(state: &AppState, error: Error) -> Response {
    tracing::error!(%error, "password page failed");
    page(
        state,
        StatusCode::INTERNAL_SERVER_ERROR,
        None,
        notice("Something went wrong", "Try again in a moment."),
    )
}

fn limited(state: &AppState, client: std::net::IpAddr) -> Option<Response> {
    (!state.page_limiter.allows(client)).then(|| {
        page(
            state,
            StatusCode::TOO_MANY_REQUESTS,
            None,
            notice("Too many attempts", "Wait a minute and try again."),
        )
    })
}

async fn forgot_page(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = limited(&state, client) {
        return refused;
    }
    let visit = state.csrf.visit(&headers);
    let csrf = state.csrf.field(&visit, FORGOT_SCOPE);
    page(
        &state,
        StatusCode::OK,
        Some(&visit),
        forgot_form(&csrf, &[]),
    )
}

/// The same answer whether or not the e-mail has an account.
async fn forgot(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Response {
    if let Some(refused) = limited(&state, client) {
        return refused;
    }
    let visit = state.csrf.visit(&headers);
    if !state.csrf.verify(&visit, FORGOT_SCOPE, &form.csrf) {
        return page(
            &state,
            StatusCode::FORBIDDEN,
            None,
            notice("This page has expired", "Open it again and retry."),
        );
    }
    let email = match validate::email(&form.email) {
        Ok(email) => email,
        Err(error) => {
            let csrf = state.csrf.field(&visit, FORGOT_SCOPE);
            return page(
                &state,
                StatusCode::BAD_REQUEST,
                None,
                forgot_form(&csrf, &[error]),
            );
        }
    };
    let (now, base) = (state.clock.now(), state.public_url.clone());
    let queued = state
        .db
        .write(move |tx| {
            let Some(token) = password_resets::request(tx, &email, now)? else {
                return Ok(false);
            };
            let link = format!("{base}/account/password/reset/{token}");
            let mail = compose::password_reset(&email, &link, password_resets::LINK_MINUTES)?;
            outbox::enqueue(tx, uuid::Uuid::nil(), None, &mail, now)?;
            Ok(true)
        })
        .await;
    match queued {
        Ok(sent) => {
            if sent {
                state.mail_queued.notify_one();
            }
            page(&state, StatusCode::OK, None, notice(
                "Check your e-mail",
                "If an account exists for that e-mail, we sent it a link to choose a new password. The link lasts 30 minutes.",
            ))
        }
        Err(e) => failure(&state, e),
    }
}

async fn reset_page(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = limited(&state, client) {
        return refused;
    }
    let (now, lookup) = (state.clock.now(), token.clone());
    match state
        .db
        .read(move |c| password_resets::open(c, &lookup, now))
        .await
    {
        Ok(Some(_)) => {
            let visit = state.csrf.visit(&headers);
            let csrf = state.csrf.field(&visit, &token);
            page(
                &state,
                StatusCode::OK,
                Some(&visit),
                reset_form(&token, &csrf, &[]),
            )
        }
        Ok(None) => page(&state, StatusCode::NOT_FOUND, None, link_not_valid()),
        Err(e) => failure(&state, e),
    }
}

async fn reset(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Response {
    if let Some(refused) = limited(&state, client) {
        return refused;
    }
    let visit = state.csrf.visit(&headers);
    if !state.csrf.verify(&visit, &token, &form.csrf) {
        return page(
            &state,
            StatusCode::FORBIDDEN,
            None,
            notice(
                "This page has expired",
                "Open the link from your e-mail again.",
            ),
        );
    }
    let (now, lookup) = (state.clock.now(), token.clone());
    let email = match state
        .db
        .read(move |c| password_resets::open(c, &lookup, now))
        .await
    {
        Ok(Some((_, email))) => email,
        Ok(None) => return page(&state, StatusCode::NOT_FOUND, None, link_not_valid()),
        Err(e) => return failure(&state, e),
    };
    if let Err(error) = validate::password(&form.password, &email, &[]) {
        let csrf = state.csrf.field(&visit, &token);
        return page(
            &state,
            StatusCode::BAD_REQUEST,
            None,
            reset_form(&token, &csrf, &[error]),
        );
    }
    let hash = match password::hash(form.password.clone()).await {
        Ok(hash) => hash,
        Err(e) => return failure(&state, e),
    };
    match state
        .db
        .write(move |tx| password_resets::complete(tx, &token, &hash, now))
        .await
    {
        Ok(true) => {
            state.callers.invalidate_all();
            page(&state, StatusCode::OK, None, notice(
                "Your password is changed",
                "Sign in with it from InviteDesk. Every session that used the old one has ended.",
            ))
        }
        Ok(false) => page(&state, StatusCode::NOT_FOUND, None, link_not_valid()),
        Err(e) => failure(&state, e),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// A person changes their own password with the current one. Every session of the account
/// ends, this one too: the app signs in again.
#[utoipa::path(post, path = "/account/password", tag = "auth",
    request_body = PasswordChange,
    responses((status = 204, description = "Changed; every session has ended"), (status = "4XX", body = invitedesk_model::ErrorBody)))]
pub async fn change(
    caller: Caller,
    State(state): State<AppState>,
    crate::http::extract::AppJson(request): crate::http::extract::AppJson<PasswordChange>,
) -> Result<StatusCode> {
    let account = match (caller.kind, caller.account_id) {
        (PrincipalKind::Person, Some(account)) => account,
        _ => {
            return Err(Error::Unauthorized(
                "only a person signed in has a password to change",
            ))
        }
    };
    let lookup = account.to_string();
    let (email, stored): (String, String) = state
        .db
        .read(move |c| {
            c.query_row(
                "SELECT email, password_hash FROM accounts WHERE id = ?",
                [lookup],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
        })
        .await?;
    if !password::verify(request.current_password, stored).await {
        return Err(Error::Validation(vec![FieldError::new(
            "currentPassword",
            Rule::Unknown,
            "the current password is not right",
        )]));
    }
    validate::password(&request.new_password, &email, &[]).map_err(|e| {
        Error::Validation(vec![FieldError {
            field: "newPassword".into(),
            ..e
        }])
    })?;
    let hash = password::hash(request.new_password).await?;
    state
        .db
        .write(move |tx| password_resets::set_password(tx, account, &hash))
        .await?;
    state.callers.invalidate_all();
    Ok(StatusCode::NO_CONTENT)
}
