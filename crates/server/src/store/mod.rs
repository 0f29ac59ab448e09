//! The SQL behind each resource, one file per resource. Functions that change data take the
//! write transaction's connection, so a handler's checks and writes commit or fail together.

pub mod acceptance;
pub mod account_invitations;
pub mod attempts;
pub mod audit;
pub mod catalog;
pub mod invitations;
pub mod otp;
pub mod paging;
pub mod password_resets;
pub mod policies;
pub mod principal_names;
pub mod retention;
pub mod search;
pub mod seats;
pub mod second_factor;
pub mod server_keys;
pub mod service_users;
pub mod sessions;
pub mod sign_in;
pub mod users;
