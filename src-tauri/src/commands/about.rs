//! "About InviteDesk": the version, and the log folder with a button that opens it (from
//! Rust: the window may open nothing itself).

use serde::Serialize;
use tauri::{AppHandle, Runtime};
use tauri_plugin_opener::OpenerExt;

use crate::error::{CommandError, CommandResult, ErrorKind};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct About {
    pub version: String,
    pub log_folder: Option<String>,
}

#[tauri::command]
pub fn about<R: Runtime>(app: AppHandle<R>) -> About {
    About {
        version: app.package_info().version.to_string(),
        log_folder: crate::logs::folder(&app).map(|p| p.display().to_string()),
    }
}

/// Opens the log folder in the system's file manager.
#[tauri::command]
pub fn open_log_folder<R: Runtime>(app: AppHandle<R>) -> CommandResult<()> {
    let folder = crate::logs::folder(&app)
        .ok_or_else(|| CommandError::new(ErrorKind::NotFound, "This system has no log folder"))?;
    std::fs::create_dir_all(&folder)
        .map_err(|e| CommandError::new(ErrorKind::Cache, format!("{}: {e}", folder.display())))?;
    app.opener()
        .open_path(folder.display().to_string(), None::<&str>)
        .map_err(|e| {
            CommandError::new(
                ErrorKind::Unsupported,
                format!(
                    "No file manager opened ({e}): the logs are in {}",
                    folder.display()
                ),
            )
        })
}
