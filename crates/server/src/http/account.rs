//! What a person signed in does with their own account, and what an administrator sets for
//! the organisation's members:
//! - `POST /account/second-factor`: starts enrolling an authenticator (a pending secret, its
//!   `otpauth://` URI and the same as text); `POST /account/second-factor/confirm` with a code
//!   from it turns it on and answers the recovery codes, once;
//! - `PUT /organizations/{orgId}/security`: whether members must sign in with a second factor.

use axum::extract::State;
use axum::Json;
use invitedesk_model::validate::{FieldError, Rule};
use invitedesk_model::{ErrorBody, Permission};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Caller, PrincipalKind};
use crate::error::{Error, Result};
use crate::http::extract::AppJson;
use crate::second_factor;
use crate::store::{second_factor as store_second_factor, sign_in};
use crate::AppState;

pub fn person_account(caller: &Caller) -> Result<Uuid> {
    match (caller.kind, caller.account_id) {
        (PrincipalKind::Person, Some(account)) => Ok(account),
        _ => Err(Error::Unauthorized(
            "only a person signed in has an account",
        )),
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Enrolment {
    /// What an authenticator app scans (the QR code's content).
    pub otpauth_uri: String,
    /// The same secret, to type in.
    pub secret: String,
}

#[utoipa::path(post, path = "/account/second-factor", tag = "auth",
    responses((status = 200, body = Enrolment), (status = "4XX", body = ErrorBody)))]
pub async fn begin(caller: Caller, State(state): State<AppState>) -> Result<Json<Enrolment>> {
    let account = person_account(&caller)?;
    let (email, secret) = state
        .db
        .write(move |tx| {
            let email: String = tx.query_row(
                "SELECT email FROM accounts WHERE id = ?",
                [account.to_string()],
                |r| r.get(0),
            )?;
            Ok((email, store_second_factor::begin(tx, account)?))
        })
        .await?;
    Ok(Json(Enrolment {
        otpauth_uri: second_factor::otpauth_uri(&secret, &email),
        secret: second_factor::secret_text(&secret),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Confirmation {
    pub code: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryCodes {
    /// Each works once in place of an authenticator code; shown only now.
    pub recovery_codes: Vec<String>,
}

#[utoipa::path(post, path = "/account/second-factor/confirm", tag = "auth",
    request_body = Confirmation,
    responses((status = 200, body = RecoveryCodes), (status = "4XX", body = ErrorBody)))]
pub async fn confirm(
    caller: Caller,
    State(state): State<AppState>,
    AppJson(request): AppJson<Confirmation>,
) -> Result<Json<RecoveryCodes>> {
    let account = person_account(&caller)?;
    let now = state.clock.now();
    let codes = state
        .db
        .write(move |tx| store_second_factor::confirm(tx, account, &request.code, now))
        .await?;
    let recovery_codes = codes.ok_or_else(|| {
        Error::Validation(vec![FieldError::new(
            "code",
            Rule::Unknown,
            "code is not the authenticator's current code for the secret being enrolled",
        )])
    })?;
    Ok(Json(RecoveryCodes { recovery_codes }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Security {
    pub require_second_factor: bool,
}

#[utoipa::path(put, path = "/organizations/{orgId}/security", tag = "auth",
    params(("orgId" = Uuid, Path)),
    request_body = Security,
    responses((status = 200, body = Security), (status = "4XX", body = ErrorBody)))]
pub async fn set_security(
    caller: Caller,
    State(state): State<AppState>,
    AppJson(request): AppJson<Security>,
) -> Result<Json<Security>> {
    caller.require(Permission::UpdateOrganization)?;
    let (who, clock, required) = (
        caller.clone(),
        state.clock.clone(),
        request.require_second_factor,
    );
    state
        .db
        .write(move |tx| sign_in::set_second_factor_required(tx, &who, required, &clock))
        .await?;
    Ok(Json(request))
}
