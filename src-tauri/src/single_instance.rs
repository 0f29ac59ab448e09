//! One instance: a second launch hands its arguments to the first and exits
//! (tauri-plugin-single-instance, registered before every other plugin), so two processes
//! never write one cache. The first window comes forward and hears the arguments.

use tauri::{AppHandle, Emitter, Manager, Runtime};

pub const EVENT: &str = "second-launch";

/// Runs in the first instance when another is started: its arguments (the program's name left
/// out) go to the window as a `second-launch` event.
pub fn second_launch<R: Runtime>(app: &AppHandle<R>, argv: Vec<String>, _cwd: String) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
    tracing::info!(
        arguments = argv.len().saturating_sub(1),
        "a second launch handed over to this one"
    );
    let _ = app.emit(EVENT, argv.into_iter().skip(1).collect::<Vec<_>>());
}
