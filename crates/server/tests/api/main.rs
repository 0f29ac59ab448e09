//! The reference server over real loopback HTTP, one server and SQLite file per test.

mod helpers;

mod accept;
mod account_invitations;
mod audit_log;
mod auth;
mod batch;
mod binary;
mod browser;
mod catalog;
mod chromium;
mod errors;
mod files;
mod fuzz;
mod idempotency;
mod instances;
mod invitations;
mod invitee_limits;
mod isolation;
mod m3ter;
mod mail;
mod retention;
mod schema;
mod search;
mod seats;
mod sign_in;
mod smtp_sink;
mod sync;
mod users;
