//! The tables' reads, all from the cache (online or offline), and CSV export of a view.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use invitedesk_client::cache::Catalog;
use invitedesk_client::queries::{self, UserWindow, Window, WindowRows};
use invitedesk_model::{Invitation, User};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// Runs `read` on the selected profile's cache.
/// Runs `read` on the open profile's cache with the server's present time, which decides
/// what reads as Expired whatever this computer's clock says.
async fn with_cache<T>(
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

#[tauri::command]
pub async fn find_by_email(
    state: State<'_, AppState>,
    prefix: String,
) -> CommandResult<Vec<Invitation>> {
    with_cache(&state, |c, now| {
        queries::find_by_email_prefix(c, &prefix, 20, now)
    })
    .await
}

#[tauri::command]
pub async fn user_window(
    state: State<'_, AppState>,
    window: UserWindow,
) -> CommandResult<WindowRows<User>> {
    with_cache(&state, |c, now| queries::user_window(c, &window, now)).await
}

/// The cached member with this e-mail: where an accepted invitation's "Open user" leads.
#[tauri::command]
pub async fn user_by_email(
    state: State<'_, AppState>,
    email: String,
) -> CommandResult<Option<User>> {
    with_cache(&state, |c, _| queries::user_by_email(c, &email)).await
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

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum ExportKind {
    Invitations,
    Users,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportRequest {
    pub kind: ExportKind,
    #[serde(default)]
    pub invitations: Option<Window>,
    #[serde(default)]
    pub users: Option<UserWindow>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    pub path: String,
    pub rows: u64,
}

/// Where an export goes: the folder `INVITEDESK_EXPORT_DIR` names, without asking (for scripted
/// and kiosk use, and the end-to-end tests, which cannot reach a native dialog through
/// WebDriver); otherwise the system's own save dialog. None when the person cancels.
fn where_to_save<R: Runtime>(app: &AppHandle<R>, name: &str) -> Option<std::path::PathBuf> {
    if let Some(dir) = std::env::var_os("INVITEDESK_EXPORT_DIR") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).ok()?;
        return Some(dir.join(name));
    }
    app.dialog()
        .file()
        .add_filter("CSV", &["csv"])
        .set_file_name(name)
        .blocking_save_file()
        .and_then(|p| p.into_path().ok())
}

/// Asks where to save (the system's own dialog), then writes the view's rows as CSV. None when
/// the person cancels.
#[tauri::command]
pub async fn export_csv<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: ExportRequest,
) -> CommandResult<Option<Exported>> {
    let name = match request.kind {
        ExportKind::Invitations => "invitations.csv",
        ExportKind::Users => "users.csv",
    };
    let Some(path) = where_to_save(&app, name) else {
        return Ok(None);
    };
    let file = std::fs::File::create(&path)
        .map_err(|e| CommandError::new("cache", format!("{}: {e}", path.display())))?;
    let out = std::io::BufWriter::new(file);
    let rows = with_cache(&state, |c, now| match request.kind {
        ExportKind::Invitations => queries::export_invitations_csv(
            c,
            &request.invitations.clone().unwrap_or_default(),
            now,
            out,
        ),
        ExportKind::Users => {
            queries::export_users_csv(c, &request.users.clone().unwrap_or_default(), now, out)
        }
    })
    .await?;
    Ok(Some(Exported {
        path: path.display().to_string(),
        rows,
    }))
}
