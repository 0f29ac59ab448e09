//! The window's size, position and maximised state (tauri-plugin-window-state), restored when
//! it opens. Saved shortly after every move or resize, not only at exit, so an app that was
//! killed (a crash, a logout) still opens where it was.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tauri::plugin::TauriPlugin;
use tauri::{Manager, Runtime, Window, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// What is remembered: not visibility or decorations, which the app sets itself.
fn flags() -> StateFlags {
    StateFlags::SIZE | StateFlags::POSITION | StateFlags::MAXIMIZED
}

/// How long the window must rest before its state is written (a drag is many moves).
const SETTLE: Duration = Duration::from_millis(400);

static CHANGES: AtomicU64 = AtomicU64::new(0);

pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    tauri_plugin_window_state::Builder::default()
        .with_state_flags(flags())
        .build()
}

/// Saves the state once the window has stopped moving for a moment.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if !matches!(event, WindowEvent::Resized(_) | WindowEvent::Moved(_)) {
        return;
    }
    let change = CHANGES.fetch_add(1, Ordering::SeqCst) + 1;
    let app = window.app_handle().clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SETTLE).await;
        if CHANGES.load(Ordering::SeqCst) == change {
            if let Err(error) = app.save_window_state(flags()) {
                tracing::warn!(%error, "the window's place could not be saved");
            }
        }
    });
}
