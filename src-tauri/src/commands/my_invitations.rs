//! The header's bell: the signed-in person's invitations to other organisations (as last
//! synced, so offline too), answered in one click; and the notification that announces a new
//! one, once.

use invitedesk_model::{AccountInvitation, AccountInvitationOutcome};
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_notification::NotificationExt;
use uuid::Uuid;

use crate::commands::catalog::with_cache;
use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
pub async fn my_invitations(state: State<'_, AppState>) -> CommandResult<Vec<AccountInvitation>> {
    with_cache(&state, |c, _| c.account_invitations()).await
}

/// Accepts or declines one; it leaves the bell at once.
#[tauri::command]
pub async fn answer_invitation(
    state: State<'_, AppState>,
    id: Uuid,
    accept: bool,
) -> CommandResult<AccountInvitationOutcome> {
    let active = state.active().await?;
    let outcome = active
        .session
        .api
        .answer_account_invitation(id, accept)
        .await?;
    active
        .session
        .cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .forget_account_invitation(id)?;
    Ok(outcome)
}

/// One desktop notification for an invitation seen for the first time. Shown from a thread
/// of its own: on Linux it is a D-Bus call that can wait out the bus's timeout (25 s) when no
/// notification server answers, and the sync that found the invitation must not wait with it.
pub fn announce<R: Runtime>(app: &AppHandle<R>, invitation: &AccountInvitation) {
    let notification = app
        .notification()
        .builder()
        .title(format!("Invited to {}", invitation.organization_name))
        .body(format!(
            "{} invited you. Open the bell in InviteDesk to accept or decline.",
            invitation.invited_by
        ));
    tauri::async_runtime::spawn_blocking(move || {
        if let Err(e) = notification.show() {
            tracing::warn!(error = %e, "the invitation could not be announced");
        }
    });
}
