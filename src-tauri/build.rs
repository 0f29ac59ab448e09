fn main() {
    // The app's own commands get permissions of their own (allow-<command>), so the window's
    // capability lists exactly the commands the UI calls.
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(invitedesk_commands::ALL));
    tauri_build::try_build(attributes).expect("tauri build script");
}

mod invitedesk_commands {
    include!("src/commands/list.rs");
    macro_rules! names {
        ($($module:ident: $($name:ident),+;)+) => {
            &[$($(stringify!($name)),+),+]
        };
    }
    pub const ALL: &[&str] = command_list!(names);
}
