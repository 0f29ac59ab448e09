//! `/organizations/{orgId}/invitations`: handlers only; the rules live in `store::invitations`.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use invitedesk_model::page::Tombstone;
use invitedesk_model::{
    validate, ErrorBody, Invitation, InvitationUpdate, NewInvitation, Page, Permission,
};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{Error, Result};
use crate::http::extract::{AppJson, AppPath, AppQuery};
use crate::http::page::{tombstone_of, PageJson};
use crate::idempotency::{self, IdempotencyKey};
use crate::store::invitations;
use crate::store::paging::ListParams;
use crate::AppState;

/// Newest first, or changes since a time for incremental sync.
#[utoipa::path(get, path = "/organizations/{orgId}/invitations", tag = "invitations",
    params(("orgId" = Uuid, Path), ListParams),
    responses((status = 200, body = Page<Invitation>), (status = "4XX", body = ErrorBody)))]
pub async fn list(
    caller: Caller,
    State(state): State<AppState>,
    AppQuery(params): AppQuery<ListParams>,
) -> Result<PageJson<Invitation>> {
    caller.require(Permission::RetrieveInvitation)?;
    let (org, clock) = (caller.org_id, state.clock.clone());
    Ok(PageJson(
        state
            .db
            .read(move |c| invitations::list(c, org, &params, &clock))
            .await?,
    ))
}

/// Creates an invitation and sends it. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/organizations/{orgId}/invitations", tag = "invitations",
    params(("orgId" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = NewInvitation,
    responses((status = 200, body = Invitation), (status = "4XX", body = ErrorBody)))]
pub async fn create(
    caller: Caller,
    State(state): State<AppState>,
    key: IdempotencyKey,
    AppJson(request): AppJson<NewInvitation>,
) -> Result<Response> {
    caller.require(Permission::CreateInvitation)?;
    let valid = validate::new_invitation(&request, state.clock.now()).map_err(Error::Validation)?;
    let (who, st) = (caller.clone(), state.clone());
    let answer = idempotency::once(&state, &caller, key, ("create", &request), move |tx| {
        invitations::create(tx, &who, valid, &st.clock, &st.limits, &st.public_url)
    })
    .await?;
    // The mail was queued in the same transaction: start delivering it now.
    state.mail_queued.notify_one();
    Ok(answer)
}

#[utoipa::path(get, path = "/organizations/{orgId}/invitations/{id}", tag = "invitations",
    params(("orgId" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 200, body = Invitation), (status = "4XX", body = ErrorBody)))]
pub async fn get(
    caller: Caller,
    State(state): State<AppState>,
    AppPath((_, id)): AppPath<(Uuid, Uuid)>,
) -> Result<Json<Invitation>> {
    caller.require(Permission::RetrieveInvitation)?;
    let (org, now) = (caller.org_id, state.clock.now());
    Ok(Json(
        state
            .db
            .read(move |c| invitations::get(c, org, id, now))
            .await?,
    ))
}

/// Edits names, policies, dates and placement of a Pending or Expired invitation; the body's
/// `version` must be the current one.
#[utoipa::path(put, path = "/organizations/{orgId}/invitations/{id}", tag = "invitations",
    params(("orgId" = Uuid, Path), ("id" = Uuid, Path)),
    request_body = InvitationUpdate,
    responses((status = 200, body = Invitation), (status = "4XX", body = ErrorBody)))]
pub async fn update(
    caller: Caller,
    State(state): State<AppState>,
    AppPath((_, id)): AppPath<(Uuid, Uuid)>,
    AppJson(request): AppJson<InvitationUpdate>,
) -> Result<Json<Invitation>> {
    caller.require(Permission::UpdateInvitation)?;
    let now = state.clock.now();
    let edit = move |existing_user, expired| {
        validate::invitation_update(&request, existing_user, expired, now)
            .map_err(Error::Validation)
    };
    let st = state.clone();
    let updated = state
        .db
        .write(move |tx| invitations::update(tx, &caller, id, edit, &st.clock))
        .await?;
    Ok(Json(updated))
}

/// A new expiry and the e-mail again; an Expired invitation becomes Pending.
#[utoipa::path(post, path = "/organizations/{orgId}/invitations/{id}/resend", tag = "invitations",
    params(("orgId" = Uuid, Path), ("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = Invitation), (status = "4XX", body = ErrorBody)))]
pub async fn resend(
    caller: Caller,
    State(state): State<AppState>,
    AppPath((_, id)): AppPath<(Uuid, Uuid)>,
    key: IdempotencyKey,
) -> Result<Response> {
    caller.require(Permission::ResendInvitation)?;
    let (who, st) = (caller.clone(), state.clone());
    let answer = idempotency::once(&state, &caller, key, ("resend", id), move |tx| {
        invitations::resend(tx, &who, id, &st.clock, &st.limits, &st.public_url)
    })
    .await?;
    // The mail was queued in the same transaction: start delivering it now.
    state.mail_queued.notify_one();
    Ok(answer)
}

/// The link stops working and the seat is freed. Pending only.
#[utoipa::path(post, path = "/organizations/{orgId}/invitations/{id}/revoke", tag = "invitations",
    params(("orgId" = Uuid, Path), ("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = Invitation), (status = "4XX", body = ErrorBody)))]
pub async fn revoke(
    caller: Caller,
    State(state): State<AppState>,
    AppPath((_, id)): AppPath<(Uuid, Uuid)>,
    key: IdempotencyKey,
) -> Result<Response> {
    caller.require(Permission::UpdateInvitation)?;
    let (who, st) = (caller.clone(), state.clone());
    idempotency::once(&state, &caller, key, ("revoke", id), move |tx| {
        invitations::revoke(tx, &who, id, &st.clock)
    })
    .await
}

/// Removes a non-accepted invitation; answers with its tombstone.
#[utoipa::path(delete, path = "/organizations/{orgId}/invitations/{id}", tag = "invitations",
    params(("orgId" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 200, body = Tombstone), (status = "4XX", body = ErrorBody)))]
pub async fn delete(
    caller: Caller,
    State(state): State<AppState>,
    AppPath((_, id)): AppPath<(Uuid, Uuid)>,
) -> Result<Json<Tombstone>> {
    caller.require(Permission::DeleteInvitation)?;
    let st = state.clone();
    let deleted = state
        .db
        .write(move |tx| invitations::delete(tx, &caller, id, &st.clock))
        .await?;
    Ok(Json(tombstone_of(&deleted)?))
}
