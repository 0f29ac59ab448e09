//! Who the caller is and what it may do: `GET /organizations/{orgId}/me` (the extended API's
//! shape) and `GET /organizations/{orgId}/users/me` (m3ter's).

use axum::extract::State;
use axum::Json;
use invitedesk_model::{ErrorBody, Me, MeOrganization, MeServiceUser, UsersMe};

use crate::auth::Caller;
use crate::error::Result;
use crate::AppState;

#[utoipa::path(get, path = "/organizations/{orgId}/me", tag = "auth",
    params(("orgId" = Uuid, Path)),
    responses((status = 200, body = Me), (status = "4XX", body = ErrorBody)))]
pub async fn me(caller: Caller, State(state): State<AppState>) -> Result<Json<Me>> {
    Ok(Json(describe(&caller, &state).await?))
}

/// As m3ter answers it: the organisation and the service user, plus the fields of `/me`.
#[utoipa::path(get, path = "/organizations/{orgId}/users/me", tag = "auth",
    params(("orgId" = Uuid, Path)),
    responses((status = 200, body = UsersMe), (status = "4XX", body = ErrorBody)))]
pub async fn users_me(caller: Caller, State(state): State<AppState>) -> Result<Json<UsersMe>> {
    let me = describe(&caller, &state).await?;
    Ok(Json(UsersMe {
        organization: MeOrganization {
            id: me.organization_id,
            org_id: me.organization_id,
            organization_name: me.organization_name.clone(),
            version: 1,
        },
        service_user: Some(MeServiceUser {
            id: me.principal_id,
            name: me.name.clone(),
            version: 1,
        }),
        me,
    }))
}

async fn describe(caller: &Caller, state: &AppState) -> Result<Me> {
    let org = caller.org_id.to_string();
    let organization_name: String = state
        .db
        .read(move |c| {
            c.query_row("SELECT name FROM organizations WHERE id = ?", [org], |r| {
                r.get(0)
            })
        })
        .await?;
    Ok(Me {
        principal_id: caller.principal_id,
        name: caller.name.clone(),
        organization_id: caller.org_id,
        organization_name,
        permission_policy_ids: caller.policy_ids.clone(),
        permissions: caller.permissions(),
    })
}
