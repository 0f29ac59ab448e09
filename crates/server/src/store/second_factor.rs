//! An account's second factor in the database: a pending secret until a code from the
//! authenticator confirms it, then the secret, the last step used (so no code works twice)
//! and recovery codes, each stored only as its hash and each good once.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::auth::token_hash;
use crate::db::Conn;
use crate::error::Result;
use crate::second_factor;

fn lock(conn: &Conn, account: Uuid) -> Result<()> {
    conn.lock(&format!("second factor {account}"))
}

/// Starts enrolment with a fresh secret (replacing one not yet confirmed); answers it.
pub fn begin(conn: &Conn, account: Uuid) -> Result<Vec<u8>> {
    let secret = second_factor::new_secret();
    conn.prepare_cached("UPDATE accounts SET totp_pending_secret = ? WHERE id = ?")?
        .execute((secret.clone(), account.to_string()))?;
    Ok(secret)
}

/// The pending secret, to draw the enrolment page again.
pub fn pending(conn: &Conn, account: Uuid) -> Result<Option<Vec<u8>>> {
    let secret: Option<Option<Vec<u8>>> = conn
        .prepare_cached("SELECT totp_pending_secret FROM accounts WHERE id = ?")?
        .query_opt([account.to_string()], |r| r.get(0))?;
    Ok(secret.flatten())
}

/// Confirms the pending secret with a code from it: the account then signs in with a second
/// factor. Answers the recovery codes to show once, or None for a wrong code.
pub fn confirm(
    conn: &Conn,
    account: Uuid,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Option<Vec<String>>> {
    lock(conn, account)?;
    let Some(secret) = pending(conn, account)? else {
        return Ok(None);
    };
    let Some(step) = second_factor::matching_step(&secret, code, now.timestamp().max(0) as u64)?
    else {
        return Ok(None);
    };
    conn.prepare_cached(
        "UPDATE accounts SET totp_secret = totp_pending_secret, totp_pending_secret = NULL,
            totp_last_step = ? WHERE id = ?",
    )?
    .execute((step as i64, account.to_string()))?;
    conn.prepare_cached("DELETE FROM recovery_codes WHERE account_id = ?")?
        .execute([account.to_string()])?;
    let codes = second_factor::recovery_codes();
    for code in &codes {
        conn.prepare_cached("INSERT INTO recovery_codes (account_id, code_hash) VALUES (?, ?)")?
            .execute((
                account.to_string(),
                token_hash(&second_factor::normalized_recovery_code(code)),
            ))?;
    }
    Ok(Some(codes))
}

/// Whether `code` is the authenticator's code of a step not used yet, or an unused recovery
/// code; either is used up by this.
pub fn verify(conn: &Conn, account: Uuid, code: &str, now: DateTime<Utc>) -> Result<bool> {
    lock(conn, account)?;
    let found: Option<(Option<Vec<u8>>, Option<i64>)> = conn
        .prepare_cached("SELECT totp_secret, totp_last_step FROM accounts WHERE id = ?")?
        .query_opt([account.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let Some((Some(secret), last_step)) = found else {
        return Ok(false);
    };
    if let Some(step) = second_factor::matching_step(&secret, code, now.timestamp().max(0) as u64)?
    {
        if last_step.is_some_and(|last| step as i64 <= last) {
            return Ok(false);
        }
        conn.prepare_cached("UPDATE accounts SET totp_last_step = ? WHERE id = ?")?
            .execute((step as i64, account.to_string()))?;
        return Ok(true);
    }
    let used = conn
        .prepare_cached(
            "UPDATE recovery_codes SET used = 1 WHERE account_id = ? AND code_hash = ? AND used = 0",
        )?
        .execute((account.to_string(), token_hash(&second_factor::normalized_recovery_code(code))))?;
    Ok(used == 1)
}
