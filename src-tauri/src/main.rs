// No console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use clap::Parser;

/// Invite people into your organisation and manage their invitations.
#[derive(Debug, Parser)]
#[command(name = "invitedesk", version, about)]
struct Cli {
    /// Start the reference server inside the app with demo data, and open a "Demo" profile
    /// signed in to it (builds with the `demo` feature only).
    #[arg(long)]
    demo: bool,
    /// An empty page and nothing else: the yardstick of the launch and memory benches.
    #[arg(long, hide = true)]
    blank: bool,
}

fn main() {
    let cli = Cli::parse();
    if cli.demo && !invitedesk_app::HAS_DEMO {
        eprintln!("This build of InviteDesk has no demo server: build it with `--features demo` (scripts/demo does).");
        std::process::exit(2);
    }
    invitedesk_app::owner_only::restrict_new_files();
    invitedesk_app::launch::started();
    invitedesk_app::memory::tune_allocator();
    invitedesk_app::run(invitedesk_app::Options {
        demo: cli.demo,
        blank: cli.blank,
    });
}
