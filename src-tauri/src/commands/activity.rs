//! The Activity tab (the audit trail, from the cache, online or offline) and each record's
//! history in plain words for its details panel.

use invitedesk_client::activity::{self, ActivityEntry, ActivityFilter, Actor};
use invitedesk_client::queries::WindowRows;
use tauri::{AppHandle, Runtime, State};
use uuid::Uuid;

use crate::commands::catalog::with_cache;
use crate::commands::export::{save_csv, Exported};
use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
pub async fn activity_window(
    state: State<'_, AppState>,
    filter: ActivityFilter,
) -> CommandResult<WindowRows<ActivityEntry>> {
    with_cache(&state, |c, _| activity::activity_window(c, &filter)).await
}

#[tauri::command]
pub async fn activity_actors(state: State<'_, AppState>) -> CommandResult<Vec<Actor>> {
    with_cache(&state, |c, _| activity::activity_actors(c)).await
}

/// The record's story, oldest first, on the person's clock (`offsetMinutes` east of UTC).
#[tauri::command]
pub async fn record_history(
    state: State<'_, AppState>,
    record_id: Uuid,
    email: Option<String>,
    offset_minutes: i32,
) -> CommandResult<Vec<String>> {
    with_cache(&state, |c, _| {
        activity::record_history(c, record_id, email.as_deref(), offset_minutes)
    })
    .await
}

/// Asks where to save, then writes the filter's events as CSV. None when the person cancels.
#[tauri::command]
pub async fn export_activity<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    filter: ActivityFilter,
) -> CommandResult<Option<Exported>> {
    save_csv(&app, &state, "activity.csv", |c, _, out| {
        activity::export_activity_csv(c, &filter, out)
    })
    .await
}
