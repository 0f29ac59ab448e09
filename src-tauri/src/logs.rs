//! The log file: one a day in the platform's log folder (`app_log_dir`), the last week kept.
//! Events only, never a request's body or headers: nothing in the app logs a secret, a token
//! or a code (a story scans the file after a sign-in). `INVITEDESK_LOG` sets the filter.

use std::path::PathBuf;

use tauri::{AppHandle, Manager, Runtime};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::EnvFilter;

/// Files kept: a week of days.
const KEEP_FILES: usize = 7;
/// The embedded demo server's request lines stay out: the app's own events are the log.
const DEFAULT_FILTER: &str = "info,tower_http=warn,invitedesk_server=warn";

/// Flushes the file when the app ends.
struct LogGuard(#[allow(dead_code)] WorkerGuard);

/// Where the log files are.
pub fn folder<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    app.path().app_log_dir().ok()
}

/// Starts writing the log file; a folder that cannot be made leaves the app without one.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let Some(dir) = folder(app) else { return };
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let Ok(appender) = Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix("invitedesk")
        .filename_suffix("log")
        .max_log_files(KEEP_FILES)
        .build(&dir)
    else {
        return;
    };
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("INVITEDESK_LOG")
        .unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let installed = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
    if installed.is_ok() {
        app.manage(LogGuard(guard));
        tracing::info!(version = env!("CARGO_PKG_VERSION"), "InviteDesk started");
    }
}
