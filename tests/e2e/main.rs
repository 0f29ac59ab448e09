//! End-to-end stories (issue 6): the app's real window, its debug binary launched by
//! WebKitWebDriver under tauri-driver on an Xvfb display, against the real reference server on
//! loopback, whose e-mail goes over SMTP to a server the test listens with. Each story is what a
//! person does, step by step, and each keeps a screenshot of its key moment under
//! `target/tmp/e2e/` (`scripts/screenshots` copies the README's from there).
//!
//! Needs Xvfb, WebKitWebDriver, tauri-driver and a D-Bus session with an unlocked keyring:
//! `scripts/test` provides all four (and `scripts/install-deps` installs them).

#[path = "../../crates/server/tests/api/chromium.rs"]
mod chromium;
#[allow(dead_code)] // the client's tests use all of it; these stories only its paging
#[path = "../../crates/client/tests/support/mod.rs"]
mod client_support;
mod helpers;
#[allow(dead_code)] // the server's tests use all of it; these stories only part
#[path = "../../crates/server/tests/api/smtp_sink.rs"]
mod smtp_sink;
mod stage;

mod s10_person_sign_in;
mod s11_activity;
mod s12_my_invitations;
mod s13_import_and_bulk;
mod s14_desktop;
mod s1_first_profile;
mod s2_seats;
mod s3_acceptance;
mod s4_helpdesk;
mod s5_read_only;
mod s6_offline;
mod s7_bad_input;
mod s8_conflict;
mod s9_everyday;
