//! `/organizations/{orgId}/users`: members and their access lifecycle.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use invitedesk_model::page::Tombstone;
use invitedesk_model::{validate, ErrorBody, Page, Permission, User, UserStatus, UserUpdate};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{Error, Result};
use crate::http::extract::{AppJson, AppPath, AppQuery};
use crate::http::page::{tombstone_of, PageJson};
use crate::idempotency::{self, IdempotencyKey};
use crate::store::paging::ListParams;
use crate::store::users;
use crate::AppState;

#[utoipa::path(get, path = "/organizations/{orgId}/users", tag = "users",
    params(("orgId" = Uuid, Path), ListParams),
    responses((status = 200, body = Page<User>), (status = "4XX", body = ErrorBody)))]
pub async fn list(
    caller: Caller,
    State(state): State<AppState>,
    AppQuery(params): AppQuery<ListParams>,
) -> Result<PageJson<User>> {
    caller.require(Permission::RetrieveUser)?;
    let (org, clock) = (caller.org_id, state.clock.clone());
    Ok(PageJson(
        state
            .db
            .read(move |c| users::list(c, org, &params, &clock))
            .await?,
    ))
}

#[utoipa::path(get, path = "/organizations/{orgId}/users/{id}", tag = "users",
    params(("orgId" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 200, body = User), (status = "4XX", body = ErrorBody)))]
pub async fn get(
    caller: Caller,
    State(state): State<AppState>,
    AppPath((_, id)): AppPath<(Uuid, Uuid)>,
) -> Result<Json<User>> {
    caller.require(Permission::RetrieveUser)?;
    let (org, now) = (caller.org_id, state.clock.now());
    Ok(Json(
        state.db.read(move |c| users::get(c, org, id, now)).await?,
    ))
}

/// Policies and access end date; the body's `version` must be the current one.
#[utoipa::path(put, path = "/organizations/{orgId}/users/{id}", tag = "users",
    params(("orgId" = Uuid, Path), ("id" = Uuid, Path)),
    request_body = UserUpdate,
    responses((status = 200, body = User), (status = "4XX", body = ErrorBody)))]
pub async fn update(
    caller: Caller,
    State(state): State<AppState>,
    AppPath((_, id)): AppPath<(Uuid, Uuid)>,
    AppJson(request): AppJson<UserUpdate>,
) -> Result<Json<User>> {
    caller.require(Permission::UpdateUser)?;
    validate::user_update(&request, state.clock.now()).map_err(Error::Validation)?;
    let st = state.clone();
    let updated = state
        .db
        .write(move |tx| users::update(tx, &caller, id, &request, &st.clock))
        .await?;
    // The member's own sessions act by their policies and end of access: trusted afresh.
    state.callers.invalidate_all();
    Ok(Json(updated))
}

#[utoipa::path(post, path = "/organizations/{orgId}/users/{id}/inactivate", tag = "users",
    params(("orgId" = Uuid, Path), ("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = User), (status = "4XX", body = ErrorBody)))]
pub async fn inactivate(
    caller: Caller,
    state: State<AppState>,
    path: AppPath<(Uuid, Uuid)>,
    key: IdempotencyKey,
) -> Result<Response> {
    change_status(caller, state, path, key, UserStatus::Inactive).await
}

/// Needs a free seat in the user's subscription.
#[utoipa::path(post, path = "/organizations/{orgId}/users/{id}/reactivate", tag = "users",
    params(("orgId" = Uuid, Path), ("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = User), (status = "4XX", body = ErrorBody)))]
pub async fn reactivate(
    caller: Caller,
    state: State<AppState>,
    path: AppPath<(Uuid, Uuid)>,
    key: IdempotencyKey,
) -> Result<Response> {
    change_status(caller, state, path, key, UserStatus::Active).await
}

async fn change_status(
    caller: Caller,
    State(state): State<AppState>,
    AppPath((_, id)): AppPath<(Uuid, Uuid)>,
    key: IdempotencyKey,
    to: UserStatus,
) -> Result<Response> {
    caller.require(Permission::UpdateUser)?;
    let (who, st) = (caller.clone(), state.clone());
    let answer = idempotency::once(&state, &caller, key, (to, id), move |tx| {
        users::set_status(tx, &who, id, to, &st.clock, &st.public_url)
    })
    .await?;
    match to {
        // The "access restored" mail was queued in the same transaction.
        UserStatus::Active => state.mail_queued.notify_one(),
        // Their sessions ended in the same transaction; no cached caller outlives them here.
        UserStatus::Inactive => state.callers.invalidate_all(),
    }
    Ok(answer)
}

/// Final; answers with the tombstone.
#[utoipa::path(delete, path = "/organizations/{orgId}/users/{id}", tag = "users",
    params(("orgId" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 200, body = Tombstone), (status = "4XX", body = ErrorBody)))]
pub async fn delete(
    caller: Caller,
    State(state): State<AppState>,
    AppPath((_, id)): AppPath<(Uuid, Uuid)>,
) -> Result<Json<Tombstone>> {
    caller.require(Permission::DeleteUser)?;
    let st = state.clone();
    let deleted = state
        .db
        .write(move |tx| users::delete(tx, &caller, id, &st.clock))
        .await?;
    state.callers.invalidate_all();
    Ok(Json(tombstone_of(&deleted)?))
}
