//! The invitations table (from the cache, online or offline), the invite form's check, and
//! every write to an invitation (to the server, its answer into the cache at once).

use std::collections::BTreeMap;

use invitedesk_client::edit::InvitationEdit;
use invitedesk_client::invite::InviteForm;
use invitedesk_client::queries::{self, Candidate, Window, WindowRows};
use invitedesk_model::{FieldError, Invitation};
use tauri::State;
use uuid::Uuid;

use crate::commands::catalog::with_cache;
use crate::error::{readable, CommandResult};
use crate::state::AppState;

#[tauri::command]
pub async fn invitation_window(
    state: State<'_, AppState>,
    window: Window,
) -> CommandResult<WindowRows<Invitation>> {
    with_cache(&state, |c, now| queries::invitation_window(c, &window, now)).await
}

#[tauri::command]
pub async fn invitation_counts(
    state: State<'_, AppState>,
) -> CommandResult<BTreeMap<&'static str, u64>> {
    with_cache(&state, queries::counts_by_status).await
}

/// Every id the filter shows: "select all", rows not drawn yet included.
#[tauri::command]
pub async fn invitation_ids(
    state: State<'_, AppState>,
    window: Window,
) -> CommandResult<Vec<Uuid>> {
    with_cache(&state, |c, now| queries::invitation_ids(c, &window, now)).await
}

/// People to invite again as existing users: known here, not members now.
#[tauri::command]
pub async fn invite_candidates(
    state: State<'_, AppState>,
    search: String,
) -> CommandResult<Vec<Candidate>> {
    with_cache(&state, |c, now| {
        queries::invite_candidates(c, &search, 20, now)
    })
    .await
}

/// Every rule the invite form breaks now, worded for people; empty when it can be sent.
#[tauri::command]
pub async fn check_invite(
    state: State<'_, AppState>,
    form: InviteForm,
) -> CommandResult<Vec<FieldError>> {
    let errors = state.active().await?.session.check_invite(&form)?;
    Ok(errors.into_iter().map(readable).collect())
}

#[tauri::command]
pub async fn invite(state: State<'_, AppState>, form: InviteForm) -> CommandResult<Invitation> {
    Ok(state.active().await?.session.invite(&form).await?)
}

#[tauri::command]
pub async fn resend(state: State<'_, AppState>, id: Uuid) -> CommandResult<Invitation> {
    Ok(state.active().await?.session.resend(id).await?)
}

#[tauri::command]
pub async fn revoke(state: State<'_, AppState>, id: Uuid) -> CommandResult<Invitation> {
    Ok(state.active().await?.session.revoke(id).await?)
}

#[tauri::command]
pub async fn edit_invitation(
    state: State<'_, AppState>,
    id: Uuid,
    edit: InvitationEdit,
) -> CommandResult<Invitation> {
    Ok(state
        .active()
        .await?
        .session
        .edit_invitation(id, &edit)
        .await?)
}

#[tauri::command]
pub async fn delete_invitation(state: State<'_, AppState>, id: Uuid) -> CommandResult<()> {
    Ok(state.active().await?.session.delete_invitation(id).await?)
}
