//! Writes: each goes to the server, and its answer into the cache at once.

use invitedesk_client::invite::InviteForm;
use invitedesk_model::{Invitation, InvitationUpdate, User, UserUpdate};
use tauri::State;
use uuid::Uuid;

use crate::error::CommandResult;
use crate::state::AppState;

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
pub async fn delete_invitation(state: State<'_, AppState>, id: Uuid) -> CommandResult<()> {
    Ok(state.active().await?.session.delete_invitation(id).await?)
}

#[tauri::command]
pub async fn edit_invitation(
    state: State<'_, AppState>,
    id: Uuid,
    update: InvitationUpdate,
) -> CommandResult<Invitation> {
    Ok(state
        .active()
        .await?
        .session
        .edit_invitation(id, &update)
        .await?)
}

#[tauri::command]
pub async fn edit_user(
    state: State<'_, AppState>,
    id: Uuid,
    update: UserUpdate,
) -> CommandResult<User> {
    Ok(state.active().await?.session.edit_user(id, &update).await?)
}

#[tauri::command]
pub async fn inactivate(state: State<'_, AppState>, id: Uuid) -> CommandResult<User> {
    Ok(state.active().await?.session.inactivate(id).await?)
}

#[tauri::command]
pub async fn reactivate(state: State<'_, AppState>, id: Uuid) -> CommandResult<User> {
    Ok(state.active().await?.session.reactivate(id).await?)
}

#[tauri::command]
pub async fn delete_user(state: State<'_, AppState>, id: Uuid) -> CommandResult<()> {
    Ok(state.active().await?.session.delete_user(id).await?)
}
