//! The users table (from the cache) and every write to a member.

use std::collections::BTreeMap;

use invitedesk_client::edit::UserEdit;
use invitedesk_client::queries::{self, UserWindow, WindowRows};
use invitedesk_model::User;
use tauri::State;
use uuid::Uuid;

use crate::commands::catalog::with_cache;
use crate::error::CommandResult;
use crate::state::AppState;

/// Every id the users' filter shows: "select all", rows not drawn yet included.
#[tauri::command]
pub async fn user_ids(state: State<'_, AppState>, window: UserWindow) -> CommandResult<Vec<Uuid>> {
    with_cache(&state, |c, now| queries::user_ids(c, &window, now)).await
}

#[tauri::command]
pub async fn user_window(
    state: State<'_, AppState>,
    window: UserWindow,
) -> CommandResult<WindowRows<User>> {
    with_cache(&state, |c, now| queries::user_window(c, &window, now)).await
}

#[tauri::command]
pub async fn user_counts(state: State<'_, AppState>) -> CommandResult<BTreeMap<&'static str, u64>> {
    with_cache(&state, queries::user_counts_by_status).await
}

/// The cached member with this e-mail: where an accepted invitation's "Open user" leads.
#[tauri::command]
pub async fn user_by_email(
    state: State<'_, AppState>,
    email: String,
) -> CommandResult<Option<User>> {
    with_cache(&state, |c, _| queries::user_by_email(c, &email)).await
}

#[tauri::command]
pub async fn edit_user(
    state: State<'_, AppState>,
    id: Uuid,
    edit: UserEdit,
) -> CommandResult<User> {
    Ok(state.active().await?.session.edit_user(id, &edit).await?)
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
