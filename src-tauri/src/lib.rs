//! InviteDesk's desktop shell: Tauri 2 over `crates/client`. The UI (ui/, no build step) calls
//! the commands of `commands/`; everything else — HTTP, keyring, cache, sync — happens in the
//! client crate. `--demo` starts the reference server inside the app on a loopback port, with
//! demo data and a ready "Demo" profile.

// A command's error is built once and handed to the webview as JSON; its size on the stack is
// of no consequence, and one flat shape is what the UI reads.
#![allow(clippy::result_large_err)]

pub mod background;
pub mod commands;
#[cfg(feature = "demo")]
pub mod demo;
pub mod error;
pub mod launch;
pub mod logs;
pub mod memory;
pub mod owner_only;
pub mod profiles;
pub mod single_instance;
pub mod state;
pub mod window_state;

/// Whether this build carries the reference server for `--demo` (the `demo` feature).
pub const HAS_DEMO: bool = cfg!(feature = "demo");

use tauri::{Manager, Runtime};

use crate::state::{lock, AppState};

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub demo: bool,
    /// Opens an empty page and nothing else: the yardstick of the launch and memory benches.
    pub blank: bool,
    /// Opens no window: checks the update address, installs a newer signed version, and exits.
    pub update: bool,
}

/// tauri.conf.json as built into this binary (a release sets its version there).
pub fn context() -> tauri::Context<tauri::Wry> {
    tauri::generate_context!()
}

/// Every command the UI may call: those of `commands/list.rs`.
pub fn handlers<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    use commands::{command_handler, command_list};
    command_list!(command_handler)
}

/// The builder with the plugins and commands, for the app and for tests on the mock runtime.
/// Every command counts as activity, which postpones handing idle memory back.
pub fn builder<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    let handlers = handlers();
    builder
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .manage(commands::updates::FoundUpdate::default())
        .invoke_handler(move |invoke| {
            memory::note_activity();
            handlers(invoke)
        })
}

/// Loads the profiles, starts the demo server if asked, opens the selected profile and starts
/// the background sync.
pub fn prepare<R: Runtime>(app: &tauri::AppHandle<R>, options: Options) -> Result<(), String> {
    let data_dir = app.path().app_data_dir().map_err(|e| e.to_string())?;
    if let Err(e) = owner_only::tighten(&data_dir) {
        tracing::warn!(error = %e, "the app's data folder could not be made owner-only");
    }
    app.manage(AppState::new(data_dir, options.demo));
    let state = app.state::<AppState>();
    *lock(&state.profiles) = profiles::Profiles::load(app).map_err(|e| e.message)?;
    #[cfg(feature = "demo")]
    if options.demo {
        tauri::async_runtime::block_on(demo::start(app)).map_err(|e| e.message)?;
    }
    let selected = lock(&state.profiles).selected.clone();
    if let Some(id) = selected {
        if let Err(e) = tauri::async_runtime::block_on(commands::profiles::select(app, &state, &id))
        {
            tracing::warn!(error = %e.message, "the selected profile could not be opened");
        }
    }
    background::start(app.clone());
    memory::start(app.clone());
    Ok(())
}

pub fn run(options: Options, context: tauri::Context<tauri::Wry>) {
    if options.update {
        return commands::updates::update_from_command_line(context);
    }
    let shell = tauri::Builder::default()
        // First, so that a second launch reaches nothing else before it hands over and exits.
        .plugin(tauri_plugin_single_instance::init(
            single_instance::second_launch,
        ))
        .plugin(window_state::plugin())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .on_window_event(window_state::on_window_event);
    builder(shell)
        .setup(move |app| {
            logs::start(app.handle());
            launch::trace("setup");
            let page = if options.blank {
                launch::BLANK_PATH.trim_start_matches('/')
            } else {
                "index.html"
            };
            // The window first: its web process takes ~100 ms to start and ask for the page,
            // and the profile opens meanwhile. No command runs before setup returns.
            open_window(app.handle(), page)?;
            if !options.blank {
                prepare(app.handle(), options)?;
                launch::trace("prepared");
            }
            Ok(())
        })
        .run(context)
        .expect("InviteDesk could not start its window");
}

/// The main window as tauri.conf.json describes it, showing `page`.
fn open_window<R: Runtime>(app: &tauri::AppHandle<R>, page: &str) -> tauri::Result<()> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == "main")
        .cloned()
        .unwrap_or_default();
    let blank = page == launch::BLANK_PATH.trim_start_matches('/');
    let config = tauri::utils::config::WindowConfig {
        url: tauri::WebviewUrl::App(page.into()),
        ..config
    };
    tauri::WebviewWindowBuilder::from_config(app, &config)?
        .on_web_resource_request(move |request, response| {
            if blank {
                launch::serve_blank(&request, response);
            }
            if launch::tracing() {
                launch::trace(&format!("served {}", request.uri().path()));
            }
        })
        .build()?;
    launch::trace("window built");
    Ok(())
}
