//! `/account/invitations`: with a person's token, the invitations waiting for their account
//! in every organisation, and accepting or declining one (the signed-in session proves the
//! address, so no code is needed). The rules live in `store::account_invitations`.

use axum::extract::State;
use axum::Json;
use invitedesk_model::{AccountInvitation, AccountInvitationOutcome, ErrorBody};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::Result;
use crate::http::account::person_account;
use crate::http::extract::AppPath;
use crate::store::account_invitations;
use crate::store::audit::RequestSource;
use crate::AppState;

/// Pending invitations addressed to the signed-in person's e-mail, soonest to expire first.
#[utoipa::path(get, path = "/account/invitations", tag = "account",
    responses((status = 200, body = Vec<AccountInvitation>), (status = "4XX", body = ErrorBody)))]
pub async fn list(
    caller: Caller,
    State(state): State<AppState>,
) -> Result<Json<Vec<AccountInvitation>>> {
    let (account, clock) = (person_account(&caller)?, state.clock.clone());
    Ok(Json(
        state
            .db
            .read(move |c| account_invitations::list(c, account, &clock))
            .await?,
    ))
}

/// Accepts: a membership of the inviting organisation, with the invitation's policies and
/// placement, if its seats still hold it.
#[utoipa::path(post, path = "/account/invitations/{id}/accept", tag = "account",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = AccountInvitationOutcome), (status = "4XX", body = ErrorBody)))]
pub async fn accept(
    caller: Caller,
    State(state): State<AppState>,
    AppPath(id): AppPath<Uuid>,
) -> Result<Json<AccountInvitationOutcome>> {
    answer(caller, state, id, true).await
}

#[utoipa::path(post, path = "/account/invitations/{id}/decline", tag = "account",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = AccountInvitationOutcome), (status = "4XX", body = ErrorBody)))]
pub async fn decline(
    caller: Caller,
    State(state): State<AppState>,
    AppPath(id): AppPath<Uuid>,
) -> Result<Json<AccountInvitationOutcome>> {
    answer(caller, state, id, false).await
}

async fn answer(
    caller: Caller,
    state: AppState,
    id: Uuid,
    accept: bool,
) -> Result<Json<AccountInvitationOutcome>> {
    let account = person_account(&caller)?;
    let (clock, source): (_, RequestSource) = (state.clock.clone(), caller.source.clone());
    let outcome = state
        .db
        .write(move |tx| account_invitations::answer(tx, account, id, accept, &clock, &source))
        .await?;
    Ok(Json(outcome))
}
