//! How long personal data is kept once nothing needs it. Deleted invitations and members are
//! scrubbed at once (`invitations::delete`, `users::delete`); here, accounts: a person's
//! account is purged once it has had no live membership and no Pending invitation for the
//! retention period (`--account-retention-days`).

use crate::db::Conn;

use crate::error::Result;

/// Marks accounts that have just lost their last membership and invitation, unmarks those
/// that found one again, and deletes those marked before `cutoff`.
pub fn purge_orphaned_accounts(conn: &Conn, now: i64, cutoff: i64) -> Result<usize> {
    const NEEDED: &str = "(EXISTS (SELECT 1 FROM users u WHERE u.email = accounts.email AND u.deleted = 0)
         OR EXISTS (SELECT 1 FROM invitations i WHERE i.email = accounts.email AND i.status = 'Pending' AND i.deleted = 0))";
    conn.execute(
        &format!(
            "UPDATE accounts SET dt_orphaned = NULL WHERE dt_orphaned IS NOT NULL AND {NEEDED}"
        ),
        (),
    )?;
    conn.execute(
        &format!("UPDATE accounts SET dt_orphaned = ? WHERE dt_orphaned IS NULL AND NOT {NEEDED}"),
        [now],
    )?;
    conn.execute(
        "DELETE FROM accounts WHERE dt_orphaned IS NOT NULL AND dt_orphaned <= ?",
        [cutoff],
    )
}
