//! The schema on either backend: migrated on start, laid out as the store reads it, and a
//! database written by a newer server refused.

use invitedesk_server::store::invitations::InvitationRow;
use invitedesk_server::store::users::UserRow;
use invitedesk_server::{start, Error};

use crate::helpers::{spawn_app, TestApp};

/// The columns of `table` in the order `SELECT *` gives them.
async fn columns(app: &TestApp, table: &'static str) -> Vec<String> {
    app.server
        .state
        .db
        .read(move |c| {
            let sql = match c.is_postgres() {
                true => {
                    "SELECT column_name::text FROM information_schema.columns
                         WHERE table_schema = current_schema() AND table_name = ?
                         ORDER BY ordinal_position"
                }
                false => "SELECT name FROM pragma_table_info(?) ORDER BY cid",
            };
            c.query(sql, [table], |r| r.get(0))
        })
        .await
        .unwrap()
}

/// Rows are read by position: each backend's migrations must leave the columns where the
/// store expects them.
#[tokio::test]
async fn every_backend_lays_out_the_columns_as_rows_are_read() {
    let app = spawn_app().await;
    assert_eq!(columns(&app, "invitations").await, InvitationRow::COLUMNS);
    assert_eq!(columns(&app, "users").await, UserRow::COLUMNS);
}

#[tokio::test]
async fn a_database_migrated_by_a_newer_server_is_refused() {
    let app = spawn_app().await;
    let newer = match app.is_postgres() {
        true => "INSERT INTO schema_migrations (version) VALUES (999)",
        false => "PRAGMA user_version = 999",
    };
    app.sql_execute(newer).await;
    let config = (*app.server.state.config).clone();
    let refused = start(config)
        .await
        .err()
        .expect("a newer schema is refused");
    let Error::Internal(message) = &refused else {
        panic!("{refused:?}");
    };
    assert!(
        message.contains("version 999, newer than this server knows"),
        "{message}"
    );
}
