//! CSV export of a table's current filter, written where the person chooses.

use invitedesk_client::queries::{self, UserWindow, Window};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use crate::commands::catalog::with_cache;
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::state::AppState;

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

/// Asks where to save `name`, then writes `bytes` (a CSV of `rows` rows made in memory: a
/// job's results, the import template). None when the person cancels.
pub(crate) fn save_bytes<R: Runtime>(
    app: &AppHandle<R>,
    name: &str,
    bytes: &[u8],
    rows: u64,
) -> CommandResult<Option<Exported>> {
    let Some(path) = where_to_save(app, name) else {
        return Ok(None);
    };
    std::fs::write(&path, bytes)
        .map_err(|e| CommandError::new(ErrorKind::Cache, format!("{}: {e}", path.display())))?;
    Ok(Some(Exported {
        path: path.display().to_string(),
        rows,
    }))
}

/// Asks where to save `name` (the system's own dialog), then writes the view's rows as CSV
/// with `write` over the open profile's cache. None when the person cancels.
pub(crate) async fn save_csv<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    name: &str,
    write: impl FnOnce(
        &invitedesk_client::Cache,
        chrono::DateTime<chrono::Utc>,
        std::io::BufWriter<std::fs::File>,
    ) -> Result<u64, invitedesk_client::cache::CacheError>,
) -> CommandResult<Option<Exported>> {
    let Some(path) = where_to_save(app, name) else {
        return Ok(None);
    };
    let file = std::fs::File::create(&path)
        .map_err(|e| CommandError::new(ErrorKind::Cache, format!("{}: {e}", path.display())))?;
    let out = std::io::BufWriter::new(file);
    let rows = with_cache(state, |c, now| write(c, now, out)).await?;
    Ok(Some(Exported {
        path: path.display().to_string(),
        rows,
    }))
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
    save_csv(&app, &state, name, |c, now, out| match request.kind {
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
    .await
}
