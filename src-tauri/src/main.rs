// No console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use clap::{CommandFactory, FromArgMatches, Parser};

/// Invite people into your organisation and manage their invitations.
#[derive(Debug, Parser)]
#[command(name = "invitedesk", about)]
struct Cli {
    /// Start the reference server inside the app with demo data, and open a "Demo" profile
    /// signed in to it (builds with the `demo` feature only).
    #[arg(long)]
    demo: bool,
    /// Check the update address for a newer version, install it if its signature is good,
    /// and exit, without opening a window (for managed desktops and scripts).
    #[arg(long)]
    update: bool,
    /// An empty page and nothing else: the yardstick of the launch and memory benches.
    #[arg(long, hide = true)]
    blank: bool,
}

fn main() {
    // The version is the one tauri.conf.json gives this build (a release may set it there).
    let context = invitedesk_app::context();
    let version = context.package_info().version.to_string();
    let matches = Cli::command().version(version).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if cli.demo && !invitedesk_app::HAS_DEMO {
        eprintln!("This build of InviteDesk has no demo server: build it with `--features demo` (scripts/demo does).");
        std::process::exit(2);
    }
    invitedesk_app::owner_only::restrict_new_files();
    invitedesk_app::launch::started();
    invitedesk_app::memory::tune_allocator();
    invitedesk_app::run(
        invitedesk_app::Options {
            demo: cli.demo,
            blank: cli.blank,
            update: cli.update,
        },
        context,
    );
}
