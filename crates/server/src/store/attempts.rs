//! Failed attempts that protect a person, counted in the database so that they hold across
//! processes and restarts:
//! - an invitation locks after 10 wrong codes or passwords, whatever codes were sent between,
//!   until an administrator resends it (`invitations::resend` resets the count);
//! - an account's wrong passwords back off exponentially (after 3 free tries, 1 s, 2 s, 4 s,
//!   … up to 15 minutes), from any address.

use crate::db::Conn;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::micros;
use crate::error::Result;

pub const INVITATION_FAILURES_BEFORE_LOCK: i64 = 10;
const ACCOUNT_FREE_FAILURES: i64 = 3;
const ACCOUNT_MAX_WAIT_SECS: i64 = 15 * 60;

/// How many more failures the invitation takes before it locks (0: locked).
pub fn invitation_failures_left(conn: &Conn, invitation_id: Uuid) -> Result<i64> {
    let failed: i64 = conn
        .prepare_cached("SELECT failed_attempts FROM invitations WHERE id = ?")?
        .query_row([invitation_id.to_string()], |r| r.get(0))?;
    Ok((INVITATION_FAILURES_BEFORE_LOCK - failed).max(0))
}

/// Counts a wrong code or password on the invitation; answers the failures left.
pub fn note_invitation_failure(conn: &Conn, invitation_id: Uuid) -> Result<i64> {
    conn.prepare_cached(
        "UPDATE invitations SET failed_attempts = failed_attempts + 1 WHERE id = ?",
    )?
    .execute([invitation_id.to_string()])?;
    invitation_failures_left(conn, invitation_id)
}

/// Seconds until the account may try a password again, if it must wait.
pub fn account_wait_secs(conn: &Conn, account_id: Uuid, now: DateTime<Utc>) -> Result<Option<i64>> {
    let until: Option<i64> = conn
        .prepare_cached("SELECT dt_login_blocked_until FROM accounts WHERE id = ?")?
        .query_opt([account_id.to_string()], |r| r.get(0))?
        .flatten();
    let now = micros(now);
    Ok(until
        .filter(|until| *until > now)
        .map(|until| ((until - now) / 1_000_000).max(1)))
}

/// Counts a wrong password on the account and sets its next wait.
pub fn note_account_failure(conn: &Conn, account_id: Uuid, now: DateTime<Utc>) -> Result<()> {
    let failed: i64 = conn
        .prepare_cached(
            "UPDATE accounts SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins",
        )?
        .query_row([account_id.to_string()], |r| r.get(0))?;
    if let Some(wait) = account_backoff_secs(failed) {
        conn.prepare_cached("UPDATE accounts SET dt_login_blocked_until = ? WHERE id = ?")?
            .execute((micros(now) + wait * 1_000_000, account_id.to_string()))?;
    }
    Ok(())
}

/// A right password clears the account's count.
pub fn clear_account_failures(conn: &Conn, account_id: Uuid) -> Result<()> {
    conn.prepare_cached(
        "UPDATE accounts SET failed_logins = 0, dt_login_blocked_until = NULL WHERE id = ?",
    )?
    .execute([account_id.to_string()])?;
    Ok(())
}

/// The wait after the `failed`-th wrong password in a row.
fn account_backoff_secs(failed: i64) -> Option<i64> {
    let over = failed - ACCOUNT_FREE_FAILURES;
    (over > 0).then(|| {
        1_i64
            .checked_shl((over - 1).clamp(0, 30) as u32)
            .unwrap_or(ACCOUNT_MAX_WAIT_SECS)
            .min(ACCOUNT_MAX_WAIT_SECS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_passwords_back_off_exponentially_after_three() {
        let waits: Vec<Option<i64>> = (1..=16).map(account_backoff_secs).collect();
        assert_eq!(&waits[..3], &[None, None, None]);
        assert_eq!(
            &waits[3..8],
            &[Some(1), Some(2), Some(4), Some(8), Some(16)]
        );
        assert_eq!(waits[15], Some(ACCOUNT_MAX_WAIT_SECS));
    }
}
