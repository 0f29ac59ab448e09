//! `GET /organizations/{orgId}/me`: the caller and what it may do.

use axum::extract::State;
use axum::Json;
use invitedesk_model::{ErrorBody, Me};

use crate::auth::Caller;
use crate::error::Result;
use crate::AppState;

#[utoipa::path(get, path = "/organizations/{orgId}/me", tag = "auth",
    params(("orgId" = Uuid, Path)),
    responses((status = 200, body = Me), (status = "4XX", body = ErrorBody)))]
pub async fn me(caller: Caller, State(state): State<AppState>) -> Result<Json<Me>> {
    let org = caller.org_id.to_string();
    let organization_name: String = state
        .db
        .read(move |c| {
            Ok(
                c.query_row("SELECT name FROM organizations WHERE id = ?", [org], |r| {
                    r.get(0)
                })?,
            )
        })
        .await?;
    Ok(Json(Me {
        principal_id: caller.principal_id,
        name: caller.name.clone(),
        organization_id: caller.org_id,
        organization_name,
        permission_policy_ids: caller.policy_ids.clone(),
        permissions: caller.permissions(),
    }))
}
