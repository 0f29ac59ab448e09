//! Where syncing stands ("Sync now", the header's status), what the principal may do, and the
//! launch bench's finish line.

use invitedesk_client::capabilities::{Action, Allowed, Capabilities};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

use crate::background;
use crate::error::CommandResult;
use crate::state::{lock, AppState, SyncStatus};

#[tauri::command]
pub fn status(state: State<'_, AppState>) -> SyncStatus {
    lock(&state.status).clone()
}

#[tauri::command]
pub async fn sync_now<R: Runtime>(app: AppHandle<R>) -> CommandResult<SyncStatus> {
    background::sync_once(&app).await
}

/// Who the credentials sign in as and what they may do.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CapabilitySummary {
    pub principal: Option<String>,
    pub organization: Option<String>,
    /// False against an m3ter-only API.
    pub extended: bool,
    pub actions: Vec<(Action, Allowed)>,
}

impl From<&Capabilities> for CapabilitySummary {
    fn from(capabilities: &Capabilities) -> Self {
        Self {
            principal: capabilities.me.as_ref().map(|m| m.name.clone()),
            organization: capabilities
                .me
                .as_ref()
                .map(|m| m.organization_name.clone()),
            extended: capabilities.is_extended(),
            actions: capabilities.all(),
        }
    }
}

/// What the principal may do: from the server when online (kept for `offers`), else as last
/// seen.
#[tauri::command]
pub async fn capabilities(state: State<'_, AppState>) -> CommandResult<CapabilitySummary> {
    let active = state.active().await?;
    match active.session.capabilities().await {
        Ok(capabilities) => {
            *lock(&state.capabilities) = Some(capabilities.clone());
            Ok((&capabilities).into())
        }
        Err(_) => {
            let me = active
                .session
                .cache
                .lock()
                .ok()
                .and_then(|c| c.principal().ok().flatten());
            Ok((&Capabilities { me }).into())
        }
    }
}

/// Tells the launch bench the page has what it came for on screen.
#[tauri::command]
pub fn mark_ready(what: String) {
    crate::launch::ready(&what);
}
