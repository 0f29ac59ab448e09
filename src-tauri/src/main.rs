// No console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    let demo = std::env::args().any(|a| a == "--demo");
    invitedesk_app::run(invitedesk_app::Options { demo });
}
