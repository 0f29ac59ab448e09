//! Signed updates (tauri-plugin-updater): a check against the update address (tauri.conf.json,
//! or `INVITEDESK_UPDATE_URL`), then, when the person says so, the download, its signature
//! checked against the public key built into the app, the install and a restart. Never while
//! an import, a bulk action or a sync is writing.

use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_updater::{Update, UpdaterExt};

use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::state::{lock, AppState};

/// An update found, as the About dialog offers it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOffer {
    pub version: String,
    pub current: String,
    pub notes: Option<String>,
}

/// The update found by the last check, for the install the person asks for.
#[derive(Default)]
pub struct FoundUpdate(pub std::sync::Mutex<Option<Update>>);

fn failed(error: tauri_plugin_updater::Error) -> CommandError {
    match error {
        tauri_plugin_updater::Error::Minisign(_)
        | tauri_plugin_updater::Error::SignatureUtf8(_)
        | tauri_plugin_updater::Error::Base64(_) => CommandError::new(
            ErrorKind::Server,
            "The update's signature does not match this app's key: it was not installed",
        ),
        tauri_plugin_updater::Error::Reqwest(e) => CommandError::new(
            ErrorKind::Offline,
            format!("The update server cannot be reached: {e}"),
        ),
        other => CommandError::new(ErrorKind::Server, format!("Update: {other}")),
    }
}

/// The update address set by `INVITEDESK_UPDATE_URL`: https, or plain http to this computer
/// only (a release's own test server), by the rule profiles' API addresses follow. The
/// artifact's signature protects the download either way.
fn update_address(text: &str) -> CommandResult<url::Url> {
    let checked = invitedesk_client::api::check_base_url(text).map_err(|e| {
        CommandError::new(
            ErrorKind::Validation,
            format!("INVITEDESK_UPDATE_URL: {}", e.message),
        )
    })?;
    checked.parse().map_err(|e| {
        CommandError::new(ErrorKind::Validation, format!("INVITEDESK_UPDATE_URL: {e}"))
    })
}

fn updater<R: Runtime>(app: &AppHandle<R>) -> CommandResult<tauri_plugin_updater::Updater> {
    let mut builder = app.updater_builder();
    if let Ok(address) = std::env::var("INVITEDESK_UPDATE_URL") {
        builder = builder
            .endpoints(vec![update_address(&address)?])
            .map_err(failed)?;
    }
    builder.build().map_err(failed)
}

/// `invitedesk --update`: no window; checks, installs a newer signed version, and exits 0
/// (installed, or none newer) or 1 (with the reason on stderr).
pub fn update_from_command_line(context: tauri::Context<tauri::Wry>) {
    // Tauri starts its toolkit even without a window: on Linux that needs a display.
    #[cfg(target_os = "linux")]
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        eprintln!("invitedesk --update needs a desktop session (DISPLAY or WAYLAND_DISPLAY)");
        std::process::exit(1);
    }
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_updater::Builder::new().build())
        .build(context)
        .expect("InviteDesk could not start");
    let handle = app.handle().clone();
    let outcome = tauri::async_runtime::block_on(async move {
        let Some(update) = updater(&handle)?.check().await.map_err(failed)? else {
            return Ok(format!(
                "InviteDesk {} is the newest version",
                handle.package_info().version
            ));
        };
        update
            .download_and_install(|_, _| {}, || {})
            .await
            .map_err(failed)?;
        Ok::<_, CommandError>(format!(
            "InviteDesk {} installed (was {})",
            update.version, update.current_version
        ))
    });
    match outcome {
        Ok(said) => {
            println!("{said}");
            std::process::exit(0);
        }
        Err(e) => {
            eprintln!("{}", e.message);
            std::process::exit(1);
        }
    }
}

/// Asks the update address whether a newer version is out. None: this one is the newest.
#[tauri::command]
pub async fn check_update<R: Runtime>(
    app: AppHandle<R>,
    found: State<'_, FoundUpdate>,
) -> CommandResult<Option<UpdateOffer>> {
    let mut builder = app.updater_builder();
    if let Ok(address) = std::env::var("INVITEDESK_UPDATE_URL") {
        builder = builder
            .endpoints(vec![update_address(&address)?])
            .map_err(failed)?;
    }
    let update = builder
        .build()
        .map_err(failed)?
        .check()
        .await
        .map_err(failed)?;
    let offer = update.as_ref().map(|u| UpdateOffer {
        version: u.version.clone(),
        current: u.current_version.clone(),
        notes: u.body.clone(),
    });
    *lock(&found.0) = update;
    Ok(offer)
}

/// Downloads the update found, checks its signature, installs it and restarts. Refused while
/// an import or bulk action runs, and a sync is let finish first (and none starts after).
#[tauri::command]
pub async fn install_update<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    found: State<'_, FoundUpdate>,
) -> CommandResult<()> {
    let Some(update) = lock(&found.0).clone() else {
        return Err(CommandError::new(
            ErrorKind::NotFound,
            "No update to install: check for updates first",
        ));
    };
    if lock(&state.job).is_some() {
        return Err(CommandError::new(
            ErrorKind::Conflict,
            "An import or a bulk action is running: install the update once it has finished",
        ));
    }
    let _no_sync = state.syncing.lock().await;
    update
        .download_and_install(|_, _| {}, || {})
        .await
        .map_err(failed)?;
    tracing::info!(version = %update.version, "update installed; restarting");
    app.restart();
}
