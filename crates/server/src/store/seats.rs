//! Seat counting: Active members whose access has not ended and Pending, unexpired
//! invitations placed in a subscription use its seats (an access end frees its seat at once). Checked inside the write transaction, so the check and the write that takes
//! the seat are one atomic step.

use crate::db::Conn;
use chrono::{DateTime, Utc};
use invitedesk_model::Seats;
use uuid::Uuid;

use crate::db::micros;
use crate::error::{Error, Result};

/// The columns `used` and `pending` for a subscription aliased `s`; `?1` is now in microseconds.
pub const SEAT_COUNTS: &str = "
    (SELECT count(*) FROM users u
      WHERE u.subscription_id = s.id AND u.status = 'Active' AND u.deleted = 0
        AND (u.dt_end_access IS NULL OR u.dt_end_access > ?1)) AS used,
    (SELECT count(*) FROM invitations i
      WHERE i.subscription_id = s.id AND i.status = 'Pending' AND i.deleted = 0
        AND i.dt_expiry > ?1) AS pending";

pub fn of_subscription(
    conn: &Conn,
    subscription_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(String, Seats)> {
    let sql =
        format!("SELECT s.name, s.seat_limit, {SEAT_COUNTS} FROM subscriptions s WHERE s.id = ?2");
    let found =
        conn.prepare_cached(&sql)?
            .query_opt((micros(now), subscription_id.to_string()), |r| {
                Ok((
                    r.get::<String>(0)?,
                    Seats::new(r.get(1)?, r.get(2)?, r.get(3)?),
                ))
            })?;
    found.ok_or(Error::NotFound("subscription"))
}

/// Refuses with 409 `seats_exhausted` when the subscription has no free seat.
pub fn ensure_free_seat(conn: &Conn, subscription_id: Uuid, now: DateTime<Utc>) -> Result<()> {
    // Every instance counts and takes this subscription's seats one at a time.
    conn.lock(&format!("seats {subscription_id}"))?;
    let (name, seats) = of_subscription(conn, subscription_id, now)?;
    if seats.available > 0 {
        return Ok(());
    }
    Err(Error::Conflict {
        code: "seats_exhausted",
        message: format!(
            "no free seat in subscription {name}: {} used and {} pending of {}",
            seats.used, seats.pending, seats.limit
        ),
        conflicting_id: None,
    })
}
