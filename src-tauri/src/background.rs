//! Syncing: at start, on demand and every minute while online (every 10 s while offline, so
//! the app notices the network coming back), never blocking the UI. Progress and connectivity
//! reach the UI as events.

use std::time::Duration;

use chrono::Utc;
use invitedesk_client::cache::List;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::error::CommandResult;
use crate::state::{lock, AppState, SyncStatus};

pub const STATUS_EVENT: &str = "status";

/// Every status a sync publishes (its start, each batch, its end) also counts as activity, so
/// idle memory is not handed back in the middle of a long sync.
fn publish<R: Runtime>(app: &AppHandle<R>, status: SyncStatus) {
    crate::memory::note_activity();
    let _ = app.emit(STATUS_EVENT, status);
}

/// Runs one sync of the selected profile (or waits for the one running); answers the status
/// after.
pub async fn sync_once<R: Runtime>(app: &AppHandle<R>) -> CommandResult<SyncStatus> {
    let state = app.state::<AppState>();
    let Ok(_running) = state.syncing.try_lock() else {
        // One is running: its outcome is the answer, rather than a second sync right after.
        drop(state.syncing.lock().await);
        return Ok(lock(&state.status).clone());
    };
    let active = state.active().await?;
    let start = state.update_status(|status| {
        status.syncing = true;
        status.done = 0;
        status.total = None;
    });
    publish(app, start);
    let progress_app = app.clone();
    let outcome = active
        .session
        .sync(move |p| {
            let state = progress_app.state::<AppState>();
            let status = state.update_status(|status| {
                status.done = p.done;
                status.total = p.total;
                status.list = Some(match p.list {
                    List::Invitations => "invitations",
                    List::Users => "users",
                    List::Activity => "activity",
                });
            });
            publish(&progress_app, status);
        })
        .await;
    // The catalogue too: its seat figures move as invitees accept and others invite.
    if let Ok(report) = &outcome {
        let _ = active.session.sync_catalog().await;
        for invitation in &report.new_account_invitations {
            crate::commands::my_invitations::announce(app, invitation);
        }
    }
    let status = state.update_status(|status| {
        status.syncing = false;
        status.list = None;
        status.clock_offset_ms = active.session.api.clock_offset().num_milliseconds();
        match &outcome {
            Ok(_) => {
                status.online = true;
                status.offline_since = None;
                status.last_synced = Some(Utc::now());
                status.last_error = None;
            }
            Err(e) if e.is_offline() => {
                status.online = false;
                status.offline_since.get_or_insert_with(Utc::now);
                status.last_error = None;
            }
            Err(e) => status.last_error = Some(e.to_string()),
        }
    });
    publish(app, status.clone());
    outcome?;
    Ok(status)
}

/// A sync in the background now (after an import, say), without waiting for it.
pub fn sync_soon<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let _ = sync_once(&app).await;
    });
}

/// The minute-by-minute sync, for as long as the app runs.
pub fn start<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let mut last_attempt = tokio::time::Instant::now();
        let _ = sync_once(&app).await;
        loop {
            // Wakes every few seconds to look at the state now, so that going offline in a
            // sync someone asked for shortens the wait at once.
            tokio::time::sleep(Duration::from_secs(TICK_SECS)).await;
            let online = lock(&app.state::<AppState>().status).online;
            let due = if online {
                ONLINE_EVERY_SECS
            } else {
                OFFLINE_RETRY_SECS
            };
            if last_attempt.elapsed() >= Duration::from_secs(due) {
                last_attempt = tokio::time::Instant::now();
                let _ = sync_once(&app).await;
            }
        }
    });
}

/// How often a sync runs while the server answers.
const ONLINE_EVERY_SECS: u64 = 60;
/// How soon the app tries again once the server stopped answering.
const OFFLINE_RETRY_SECS: u64 = 10;
/// How often the loop looks whether a sync is due.
const TICK_SECS: u64 = 5;
