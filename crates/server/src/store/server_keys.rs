//! Keys the server signs with, made once at random and kept in the database, so that every
//! process serving the same database signs and checks alike.

use crate::db::Conn;
use rand::RngCore;

use crate::error::Result;

/// The key called `name`, made on first use.
pub fn get_or_make(conn: &Conn, name: &str) -> Result<Vec<u8>> {
    let mut fresh = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut fresh);
    conn.prepare_cached(
        "INSERT INTO server_keys (name, key) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
    )?
    .execute((name, fresh.to_vec()))?;
    conn.prepare_cached("SELECT key FROM server_keys WHERE name = ?")?
        .query_row([name], |r| r.get(0))
}
