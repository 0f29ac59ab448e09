// No console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    invitedesk_app::owner_only::restrict_new_files();
    invitedesk_app::launch::started();
    invitedesk_app::memory::tune_allocator();
    let flag = |name: &str| std::env::args().any(|a| a == name);
    invitedesk_app::run(invitedesk_app::Options {
        demo: flag("--demo"),
        blank: flag("--blank"),
    });
}
