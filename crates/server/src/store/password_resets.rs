//! "Forgot your password?": a single-use link, only its hash stored, that lives 30 minutes;
//! at most a few per account per hour, so the form cannot be used to flood someone's inbox.
//! Setting the new password ends every session of the account, in every organisation.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::auth::{random_token, token_hash};
use crate::db::{self, micros, Conn};
use crate::error::Result;
use crate::store::{attempts, sessions};

pub const LINK_MINUTES: i64 = 30;
const LINKS_PER_HOUR: i64 = 3;

/// A new link's token for the account with this (canonical) e-mail; none for an unknown
/// e-mail or an account over its hourly allowance (the page answers the same either way).
pub fn request(conn: &Conn, email: &str, now: DateTime<Utc>) -> Result<Option<String>> {
    let account: Option<String> = conn
        .prepare_cached("SELECT id FROM accounts WHERE email = ?")?
        .query_opt([email], |r| r.get(0))?;
    let Some(account) = account else {
        return Ok(None);
    };
    conn.lock(&format!("password reset {account}"))?;
    let recent: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM password_resets WHERE account_id = ? AND dt_expires > ?",
        )?
        .query_row(
            (&account, micros(now + Duration::minutes(LINK_MINUTES - 60))),
            |r| r.get(0),
        )?;
    if recent >= LINKS_PER_HOUR {
        return Ok(None);
    }
    let token = random_token();
    conn.prepare_cached(
        "INSERT INTO password_resets (token_hash, account_id, dt_expires) VALUES (?, ?, ?)",
    )?
    .execute((
        token_hash(&token),
        &account,
        micros(now + Duration::minutes(LINK_MINUTES)),
    ))?;
    Ok(Some(token))
}

/// The account and e-mail a live, unused link is for.
pub fn open(conn: &Conn, token: &str, now: DateTime<Utc>) -> Result<Option<(Uuid, String)>> {
    let found: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT a.id, a.email FROM password_resets r JOIN accounts a ON a.id = r.account_id
             WHERE r.token_hash = ? AND r.used = 0 AND r.dt_expires > ?",
        )?
        .query_opt((token_hash(token), micros(now)), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    found
        .map(|(id, email)| Ok((db::uuid(&id)?, email)))
        .transpose()
}

/// Sets the new password through a link, once: answers false if the link is not live.
pub fn complete(conn: &Conn, token: &str, password_hash: &str, now: DateTime<Utc>) -> Result<bool> {
    let used: Option<String> = conn
        .prepare_cached(
            "UPDATE password_resets SET used = 1 WHERE token_hash = ? AND used = 0 AND dt_expires > ?
             RETURNING account_id",
        )?
        .query_opt((token_hash(token), micros(now)), |r| r.get(0))?;
    let Some(account) = used else {
        return Ok(false);
    };
    let account = db::uuid(&account)?;
    set_password(conn, account, password_hash)?;
    conn.prepare_cached("DELETE FROM password_resets WHERE account_id = ?")?
        .execute([account.to_string()])?;
    Ok(true)
}

/// A new password for the account: wrong-password waits cleared, every session ended.
pub fn set_password(conn: &Conn, account: Uuid, password_hash: &str) -> Result<()> {
    conn.prepare_cached("UPDATE accounts SET password_hash = ? WHERE id = ?")?
        .execute((password_hash, account.to_string()))?;
    attempts::clear_account_failures(conn, account)?;
    sessions::end_for_account(conn, account)
}

pub fn forget_expired(conn: &Conn, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "DELETE FROM password_resets WHERE dt_expires <= ?",
        [micros(now - Duration::hours(1))],
    )?;
    Ok(())
}
