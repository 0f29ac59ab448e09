//! `/organizations/{orgId}/auditlog`: who did what, newest first, or committed since a time
//! for incremental sync. The events are written by the changes themselves (`store::audit`).

use axum::extract::State;
use invitedesk_model::{AuditEvent, ErrorBody, Page, Permission};

use crate::auth::Caller;
use crate::error::Result;
use crate::http::extract::AppQuery;
use crate::http::page::PageJson;
use crate::store::audit::{self, AuditParams};
use crate::AppState;

/// Newest first, or events committed since `modifiedSince` (oldest first), narrowed by actor,
/// action, record, e-mail and time. Needs `config:retrieve` on `config:auditLog`.
#[utoipa::path(get, path = "/organizations/{orgId}/auditlog", tag = "audit",
    params(("orgId" = Uuid, Path), AuditParams),
    responses((status = 200, body = Page<AuditEvent>), (status = "4XX", body = ErrorBody)))]
pub async fn list(
    caller: Caller,
    State(state): State<AppState>,
    AppQuery(params): AppQuery<AuditParams>,
) -> Result<PageJson<AuditEvent>> {
    caller.require(Permission::RetrieveAuditLog)?;
    let (org, clock) = (caller.org_id, state.clock.clone());
    Ok(PageJson(
        state
            .db
            .read(move |c| audit::list(c, org, &params, &clock))
            .await?,
    ))
}
