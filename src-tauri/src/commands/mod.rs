//! The commands the UI calls, a few lines each over `crates/client`, one module per domain.
//! Every one answers `CommandError` on failure. Their names are listed once, in `list.rs`.

include!("list.rs");

pub mod about;
pub mod activity;
pub mod bulk;
pub mod catalog;
pub mod export;
pub mod import;
pub mod invitations;
pub mod job;
pub mod my_invitations;
pub mod profiles;
pub mod sign_in;
pub mod sync;
pub mod updates;
pub mod users;

macro_rules! command_names {
    ($($module:ident: $($name:ident),+;)+) => {
        &[$($(stringify!($name)),+),+]
    };
}

/// Every command's name, as `list.rs` has them.
pub const ALL: &[&str] = command_list!(command_names);

/// The handler for every command of `list.rs`.
macro_rules! command_handler {
    ($($module:ident: $($name:ident),+;)+) => {
        tauri::generate_handler![$($($crate::commands::$module::$name),+),+]
    };
}
pub(crate) use {command_handler, command_list};
