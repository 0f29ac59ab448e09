//! Everything the InviteDesk desktop app does except drawing. It knows nothing of Tauri, so all
//! of it is tested with plain `cargo test` against the real reference server.

pub mod activity;
pub mod api;
pub mod browser_sign_in;
pub mod bulk;
pub mod cache;
pub mod capabilities;
pub mod creds;
pub mod edit;
pub mod history;
pub mod import;
pub mod invite;
pub mod local_day;
pub mod queries;
pub mod session;
pub mod sync;

pub use api::{ApiClient, ApiError, Connection};
pub use cache::Cache;
