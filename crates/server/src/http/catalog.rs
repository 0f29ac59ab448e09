//! The placement catalogue and permission policies: what an invitation can be placed in and
//! granted.

use axum::extract::State;
use axum::Json;
use invitedesk_model::{
    App, Business, ErrorBody, Page, Permission, PermissionPolicy, Role, Subscription,
};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{Error, Result};
use crate::http::extract::AppPath;
use crate::store::catalog::{self, SubscriptionScope};
use crate::store::policies;
use crate::AppState;

fn whole<T>(data: Vec<T>) -> Json<Page<T>> {
    Json(Page {
        data,
        next_token: None,
        total: None,
    })
}

#[utoipa::path(get, path = "/organizations/{orgId}/permissionpolicies", tag = "catalog",
    params(("orgId" = Uuid, Path)),
    responses((status = 200, body = Page<PermissionPolicy>), (status = "4XX", body = ErrorBody)))]
pub async fn permission_policies(
    caller: Caller,
    State(state): State<AppState>,
) -> Result<Json<Page<PermissionPolicy>>> {
    caller.require(Permission::RetrievePermissionPolicy)?;
    Ok(whole({
        let org = caller.org_id;
        state.db.read(move |c| policies::list(c, org)).await?
    }))
}

/// One permission policy, as m3ter's `GET /permissionpolicies/{id}`.
#[utoipa::path(get, path = "/organizations/{orgId}/permissionpolicies/{id}", tag = "catalog",
    params(("orgId" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 200, body = PermissionPolicy), (status = "4XX", body = ErrorBody)))]
pub async fn permission_policy(
    caller: Caller,
    State(state): State<AppState>,
    AppPath((_, id)): AppPath<(Uuid, Uuid)>,
) -> Result<Json<PermissionPolicy>> {
    caller.require(Permission::RetrievePermissionPolicy)?;
    let org = caller.org_id;
    Ok(Json(
        state.db.read(move |c| policies::get(c, org, id)).await?,
    ))
}

#[utoipa::path(get, path = "/organizations/{orgId}/businesses", tag = "catalog",
    params(("orgId" = Uuid, Path)),
    responses((status = 200, body = Page<Business>), (status = "4XX", body = ErrorBody)))]
pub async fn businesses(
    caller: Caller,
    State(state): State<AppState>,
) -> Result<Json<Page<Business>>> {
    caller.require(Permission::RetrieveCatalog)?;
    Ok(whole({
        let org = caller.org_id;
        state.db.read(move |c| catalog::businesses(c, org)).await?
    }))
}

#[utoipa::path(get, path = "/organizations/{orgId}/businesses/{id}/apps", tag = "catalog",
    params(("orgId" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 200, body = Page<App>), (status = "4XX", body = ErrorBody)))]
pub async fn apps(
    caller: Caller,
    State(state): State<AppState>,
    AppPath((_, id)): AppPath<(Uuid, Uuid)>,
) -> Result<Json<Page<App>>> {
    caller.require(Permission::RetrieveCatalog)?;
    Ok(whole({
        let org = caller.org_id;
        state.db.read(move |c| catalog::apps(c, org, id)).await?
    }))
}

#[utoipa::path(get, path = "/organizations/{orgId}/apps/{id}/roles", tag = "catalog",
    params(("orgId" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 200, body = Page<Role>), (status = "4XX", body = ErrorBody)))]
pub async fn roles(
    caller: Caller,
    State(state): State<AppState>,
    AppPath((_, id)): AppPath<(Uuid, Uuid)>,
) -> Result<Json<Page<Role>>> {
    caller.require(Permission::RetrieveCatalog)?;
    Ok(whole({
        let org = caller.org_id;
        state.db.read(move |c| catalog::roles(c, org, id)).await?
    }))
}

/// An app's subscriptions, each with its seats.
#[utoipa::path(get, path = "/organizations/{orgId}/apps/{id}/subscriptions", tag = "catalog",
    params(("orgId" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 200, body = Page<Subscription>), (status = "4XX", body = ErrorBody)))]
pub async fn app_subscriptions(
    caller: Caller,
    State(state): State<AppState>,
    AppPath((_, id)): AppPath<(Uuid, Uuid)>,
) -> Result<Json<Page<Subscription>>> {
    caller.require(Permission::RetrieveCatalog)?;
    let scope = SubscriptionScope::App(id);
    Ok(whole({
        let (org, now) = (caller.org_id, state.clock.now());
        state
            .db
            .read(move |c| catalog::subscriptions(c, org, scope, now))
            .await?
    }))
}

/// Every subscription of the organisation with its seats, for an overview of licences.
#[utoipa::path(get, path = "/organizations/{orgId}/subscriptions", tag = "catalog",
    params(("orgId" = Uuid, Path)),
    responses((status = 200, body = Page<Subscription>), (status = "4XX", body = ErrorBody)))]
pub async fn subscriptions(
    caller: Caller,
    State(state): State<AppState>,
) -> Result<Json<Page<Subscription>>> {
    caller.require(Permission::RetrieveCatalog)?;
    let scope = SubscriptionScope::Organization;
    Ok(whole({
        let (org, now) = (caller.org_id, state.clock.now());
        state
            .db
            .read(move |c| catalog::subscriptions(c, org, scope, now))
            .await?
    }))
}

#[utoipa::path(get, path = "/organizations/{orgId}/subscriptions/{id}", tag = "catalog",
    params(("orgId" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 200, body = Subscription), (status = "4XX", body = ErrorBody)))]
pub async fn subscription(
    caller: Caller,
    State(state): State<AppState>,
    AppPath((_, id)): AppPath<(Uuid, Uuid)>,
) -> Result<Json<Subscription>> {
    caller.require(Permission::RetrieveCatalog)?;
    let scope = SubscriptionScope::One(id);
    let found = {
        let (org, now) = (caller.org_id, state.clock.now());
        state
            .db
            .read(move |c| catalog::subscriptions(c, org, scope, now))
            .await?
    };
    found
        .into_iter()
        .next()
        .map(Json)
        .ok_or(Error::NotFound("subscription"))
}
