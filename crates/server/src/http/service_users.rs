//! `GET /serviceusers`, as m3ter's: the names behind the `createdBy` and `lastModifiedBy` ids,
//! so a console shows who did something rather than an id.

use axum::extract::State;
use axum::Json;
use invitedesk_model::{ErrorBody, Page, Permission, ServiceUser};

use crate::auth::Caller;
use crate::error::Result;
use crate::store::service_users;
use crate::AppState;

/// Every service user of the organisation, in one page (an organisation has a handful). Any
/// principal that may read the members may read who acted on them.
#[utoipa::path(get, path = "/organizations/{orgId}/serviceusers", tag = "users",
    params(("orgId" = Uuid, Path)),
    responses((status = 200, body = Page<ServiceUser>), (status = "4XX", body = ErrorBody)))]
pub async fn list(
    caller: Caller,
    State(state): State<AppState>,
) -> Result<Json<Page<ServiceUser>>> {
    caller.require(Permission::RetrieveUser)?;
    let org = caller.org_id;
    let data = state.db.read(move |c| service_users::list(c, org)).await?;
    Ok(Json(Page {
        data,
        next_token: None,
        total: None,
    }))
}
