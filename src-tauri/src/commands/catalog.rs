//! What the forms and buttons are made from: the placement catalogue and policies (from the
//! cache, refreshed for fresh seat figures), the rules' limits, and which actions a row offers
//! now. The UI asks for these rather than knowing them: `crates/model` is where a rule lives.

use chrono::{DateTime, Utc};
use invitedesk_client::cache::Catalog;
use invitedesk_client::capabilities::{self, Capabilities, Offer, Subject};
use invitedesk_model::validate::Limits;
use invitedesk_model::{AuditAction, InvitationStatus, UserStatus};
use serde::Serialize;
use tauri::State;

use crate::error::CommandResult;
use crate::state::{lock, AppState};

/// Runs `read` on the open profile's cache with the server's present time, which decides
/// what reads as Expired whatever this computer's clock says.
pub(crate) async fn with_cache<T>(
    state: &AppState,
    read: impl FnOnce(
        &invitedesk_client::Cache,
        DateTime<Utc>,
    ) -> Result<T, invitedesk_client::cache::CacheError>,
) -> CommandResult<T> {
    let active = state.active().await?;
    let now = active.session.api.server_now();
    let cache = active
        .session
        .cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    Ok(read(&cache, now)?)
}

/// The placement catalogue and policies, from the cache; fetched from the server when the
/// cache has none yet, or when `refresh` asks for fresh seat figures (the invite form and the
/// seats view), falling back to the cached one when the server cannot be reached.
#[tauri::command]
pub async fn catalog(state: State<'_, AppState>, refresh: Option<bool>) -> CommandResult<Catalog> {
    let cached = with_cache(&state, |c, _| c.catalog()).await?;
    let missing = cached.subscriptions.is_empty() && cached.policies.is_empty();
    if !missing && !refresh.unwrap_or(false) {
        return Ok(cached);
    }
    let active = state.active().await?;
    match active.session.sync_catalog().await {
        Ok(fresh) => Ok(fresh),
        Err(_) if !missing => Ok(cached),
        Err(e) => Err(e.into()),
    }
}

/// The rules the UI draws with: the model's limits and each table's statuses in order.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rules {
    pub limits: Limits,
    pub invitation_statuses: Vec<InvitationStatus>,
    pub user_statuses: Vec<UserStatus>,
    /// The audit trail's action names, for the Activity tab's filter.
    pub audit_actions: Vec<&'static str>,
}

#[tauri::command]
pub fn rules() -> Rules {
    Rules {
        limits: Limits::MODEL,
        invitation_statuses: InvitationStatus::ALL.to_vec(),
        user_statuses: vec![UserStatus::Active, UserStatus::Inactive],
        audit_actions: AuditAction::ALL.iter().map(|a| a.as_str()).collect(),
    }
}

/// The buttons `subject` shows now: what its status allows, what the principal may do (as
/// last read from the server) and whether the server can be reached, each with its reason.
#[tauri::command]
pub async fn offers(state: State<'_, AppState>, subject: Subject) -> CommandResult<Vec<Offer>> {
    let known = lock(&state.capabilities).clone();
    let capabilities = match known {
        Some(capabilities) => Some(capabilities),
        None => with_cache(&state, |c, _| c.principal())
            .await
            .ok()
            .flatten()
            .map(Capabilities::extended),
    };
    let online = lock(&state.status).online;
    Ok(capabilities::offers(subject, capabilities.as_ref(), online))
}
