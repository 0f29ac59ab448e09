//! The commands the UI calls, a few lines each over `crates/client`. Every one answers
//! `CommandError` on failure. The list of names is in `names.rs`, shared with the build script
//! that makes a permission for each.

pub mod actions;
pub mod names;
pub mod profiles;
pub mod tables;
