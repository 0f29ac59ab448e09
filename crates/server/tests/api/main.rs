//! The reference server over real loopback HTTP, one server and SQLite file per test.

mod helpers;

mod accept;
mod auth;
mod binary;
mod browser;
mod catalog;
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
mod smtp_sink;
mod sync;
mod users;
