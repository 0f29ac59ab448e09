//! Seat counting: Active members and Pending, unexpired invitations placed in a subscription
//! use its seats. Checked inside the write transaction, so the check and the write that takes
//! the seat are one atomic step.

use chrono::{DateTime, Utc};
use invitedesk_model::Seats;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use uuid::Uuid;

use crate::db::micros;
use crate::error::{Error, Result};

/// Adds the columns `used` and `pending` for a subscription aliased `s`, as of `now`.
pub fn push_seat_counts(query: &mut QueryBuilder<'_, Sqlite>, now: DateTime<Utc>) {
    query.push(
        "(SELECT count(*) FROM users u
           WHERE u.subscription_id = s.id AND u.status = 'Active' AND u.deleted = 0) AS used,
         (SELECT count(*) FROM invitations i
           WHERE i.subscription_id = s.id AND i.status = 'Pending' AND i.deleted = 0
             AND i.dt_expiry > ",
    );
    query.push_bind(micros(now)).push(") AS pending");
}

pub async fn of_subscription(
    conn: &mut SqliteConnection,
    subscription_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(String, Seats)> {
    let mut query = QueryBuilder::<Sqlite>::new("SELECT s.name, s.seat_limit, ");
    push_seat_counts(&mut query, now);
    query
        .push(" FROM subscriptions s WHERE s.id = ")
        .push_bind(subscription_id.to_string());
    let (name, limit, used, pending): (String, i64, i64, i64) = query
        .build_query_as()
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(Error::NotFound("subscription"))?;
    Ok((name, Seats::new(limit, used, pending)))
}

/// Refuses with 409 `seats_exhausted` when the subscription has no free seat.
pub async fn ensure_free_seat(
    conn: &mut SqliteConnection,
    subscription_id: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    let (name, seats) = of_subscription(conn, subscription_id, now).await?;
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
