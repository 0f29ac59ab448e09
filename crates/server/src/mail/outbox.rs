//! The outbox: mail is written here in the same transaction as the change that sends it, then
//! delivered by a background task on every instance, with back-off while the mail server is down. Nothing is
//! lost across restarts. Each message is claimed (its next attempt moved a lease ahead) before
//! it is sent, and once sent its outcome is written again and again, with back-off, until the
//! database takes it: a failing write never sends a message twice. Only a crash between the
//! send and its record can, once the lease runs out; never zero times. A message's body holds
//! the invite link, so it is erased as soon as the message is delivered or given up: the token
//! then exists only as its hash.

use std::time::Duration;

use crate::db::Conn;
use chrono::{DateTime, Utc};
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;
use uuid::Uuid;

use crate::clock::Clock;
use crate::db::micros;
use crate::error::Result;
use crate::mail::compose::Mail;
use crate::AppState;

/// After this many failed attempts a message is given up as failed.
const MAX_ATTEMPTS: i64 = 12;
/// The longest wait between two attempts.
const MAX_BACKOFF_SECS: i64 = 300;
/// Writes must have paused this long before the log is emptied in full.
const IDLE_BEFORE_CHECKPOINT: Duration = Duration::from_millis(500);

/// Queues `mail`, about `invitation_id` if it is an invitation's (whose row the caller marks
/// as queued in the same transaction).
pub fn enqueue(
    conn: &Conn,
    org_id: Uuid,
    invitation_id: Option<Uuid>,
    mail: &Mail,
    now: DateTime<Utc>,
) -> Result<()> {
    let invitation = invitation_id.map(|id| id.to_string());
    conn.prepare_cached(
        "INSERT INTO outbox (org_id, invitation_id, recipient, subject, text_body, html_body, dt_created, dt_next_attempt)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?
    .execute((org_id.to_string(), &invitation, &mail.recipient, &mail.subject, &mail.text, &mail.html, micros(now)))?;
    Ok(())
}

/// A queued message whose time has come.
#[derive(Debug)]
pub struct Due {
    id: i64,
    org_id: String,
    invitation_id: Option<String>,
    attempts: i64,
    mail: Mail,
}

/// Records the outcome of one attempt, on the message and on its invitation. Delivery state is
/// a modification (clients sync it) but not an edit, so the version stays.
fn record(
    conn: &Conn,
    due: &Due,
    outcome: &std::result::Result<String, String>,
    clock: &Clock,
) -> Result<()> {
    let now = clock.now();
    let attempts = due.attempts + 1;
    let (status, error, next) = match outcome {
        Ok(_) => ("sent", None, now),
        Err(e) if attempts >= MAX_ATTEMPTS => ("failed", Some(e.as_str()), now),
        Err(e) => ("queued", Some(e.as_str()), now + backoff(attempts)),
    };
    // The invitation first, held as every change to it is (`invitations::lock`), then the
    // message: the order a deletion takes them in, so that the two never wait on each other.
    if let Some(invitation) = &due.invitation_id {
        let (id, org_id) = (crate::db::uuid(invitation)?, crate::db::uuid(&due.org_id)?);
        crate::store::invitations::lock(conn, id)?;
        conn.prepare_cached(
            "UPDATE invitations SET delivery_status = ?, delivery_error = ?,
                dt_last_sent = CASE WHEN ? = 'sent' THEN ? ELSE dt_last_sent END, dt_last_modified = ?
             WHERE id = ?",
        )?
        .execute((status, error, status, micros(now), micros(conn.stamp(clock, org_id)?), invitation))?;
    }
    conn.prepare_cached(
        "UPDATE outbox SET status = ?1, attempts = ?2, last_error = ?3, dt_next_attempt = ?4,
            dt_sent = CASE WHEN ?1 = 'sent' THEN CAST(?5 AS BIGINT) END,
            text_body = CASE WHEN ?1 = 'queued' THEN text_body ELSE '' END,
            html_body = CASE WHEN ?1 = 'queued' THEN html_body ELSE '' END
         WHERE id = ?6",
    )?
    .execute((status, attempts, error, micros(next), micros(now), due.id))?;
    Ok(())
}

/// 1 s, 2 s, 4 s, … up to five minutes.
fn backoff(attempts: i64) -> chrono::Duration {
    let secs = 1_i64
        .checked_shl((attempts - 1).clamp(0, 20) as u32)
        .unwrap_or(MAX_BACKOFF_SECS);
    chrono::Duration::seconds(secs.min(MAX_BACKOFF_SECS))
}

fn message(from: &str, mail: &Mail) -> std::result::Result<Message, String> {
    let from: Mailbox = from
        .parse()
        .map_err(|e| format!("from address {from:?}: {e}"))?;
    let to: Mailbox = mail
        .recipient
        .parse()
        .map_err(|e| format!("recipient {:?}: {e}", mail.recipient))?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(&mail.subject)
        .multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            mail.html.clone(),
        ))
        .map_err(|e| e.to_string())
}

/// A file name that says which message it is and cannot leave its folder.
fn file_name(id: i64, recipient: &str) -> String {
    let safe: String = recipient
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "@.-_+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{id:06}-{safe}")
}

/// Takes up to `count` due messages for this delivery: their next attempt moves a lease
/// ahead, so that neither this task after an error nor another instance sends them meanwhile.
/// On PostgreSQL, messages another instance is claiming at this moment are skipped, not
/// waited for. A lease that runs out (its instance stopped mid-delivery) makes the message
/// due again.
fn claim_due(conn: &Conn, now: DateTime<Utc>, lease_secs: u64, count: i64) -> Result<Vec<Due>> {
    let lease = now + chrono::Duration::seconds(lease_secs.min(86_400) as i64);
    let skip_locked = if conn.is_postgres() {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE outbox SET dt_next_attempt = ?1
         WHERE id IN (SELECT id FROM outbox WHERE status = 'queued' AND dt_next_attempt <= ?2
                      ORDER BY dt_next_attempt, id LIMIT ?3{skip_locked})
         RETURNING id, invitation_id, attempts, recipient, subject, text_body, html_body, org_id"
    );
    conn.query(&sql, (micros(lease), micros(now), count), |r| {
        Ok(Due {
            id: r.get(0)?,
            invitation_id: r.get(1)?,
            attempts: r.get(2)?,
            mail: Mail {
                recipient: r.get(3)?,
                subject: r.get(4)?,
                text: r.get(5)?,
                html: r.get(6)?,
            },
            org_id: r.get(7)?,
        })
    })
}

fn any_due(conn: &Conn, now: DateTime<Utc>) -> Result<bool> {
    let due = conn.query_opt(
        "SELECT 1 FROM outbox WHERE status = 'queued' AND dt_next_attempt <= ? LIMIT 1",
        [micros(now)],
        |r| r.get::<i64>(0),
    )?;
    Ok(due.is_some())
}

/// The most messages one round delivers before it lets the checkpoint run.
const PER_ROUND: usize = 50;
/// Messages claimed at once: few, so that a stopped instance leaves few waiting on a lease.
const PER_CLAIM: i64 = 10;

/// Delivers every message that is due; answers how many it tried.
pub async fn deliver_due(state: &AppState) -> Result<usize> {
    let lease_secs = state.config.mail_lease_secs;
    // Asked with a read first: an idle server polls every second, and a claim is a write,
    // which would keep the write-ahead log from ever being emptied (it waits for a pause).
    let now = state.clock.now();
    if !state.db.read(move |c| any_due(c, now)).await? {
        return Ok(0);
    }
    let mut tried = 0;
    while tried < PER_ROUND {
        let now = state.clock.now();
        let claimed = state
            .db
            .write(move |tx| claim_due(tx, now, lease_secs, PER_CLAIM))
            .await?;
        if claimed.is_empty() {
            break;
        }
        tried += claimed.len();
        for item in claimed {
            deliver(state, item).await;
        }
    }
    if tried > 0 {
        // Passive: copies what it can without waiting on readers, so writes never queue
        // behind a long read; the log is emptied in full once the server is idle.
        state.db.checkpoint_passive().await?;
    }
    Ok(tried)
}

/// Sends one claimed message and records how that went.
async fn deliver(state: &AppState, item: Due) {
    let outcome = match message(&state.config.mail_from, &item.mail) {
        Ok(message) => {
            state
                .mailer
                .send(message, &file_name(item.id, &item.mail.recipient))
                .await
        }
        Err(e) => Err(e),
    };
    match &outcome {
        Ok(place) => tracing::info!(outbox_id = item.id, %place, "mail delivered"),
        Err(error) => {
            tracing::warn!(outbox_id = item.id, %error, attempt = item.attempts + 1, "mail not delivered")
        }
    }
    record_until_stored(state, item, outcome).await;
}

/// Writes an attempt's outcome, retrying with the delivery back-off while the database refuses
/// it: the message is never sent again because its record failed.
async fn record_until_stored(
    state: &AppState,
    item: Due,
    outcome: std::result::Result<String, String>,
) {
    let item = std::sync::Arc::new(item);
    let outcome = std::sync::Arc::new(outcome);
    for attempt in 1..=MAX_ATTEMPTS {
        let (clock, due, result) = (state.clock.clone(), item.clone(), outcome.clone());
        match state
            .db
            .write(move |tx| record(tx, &due, &result, &clock))
            .await
        {
            Ok(()) => return,
            Err(error) => {
                let wait = backoff(attempt);
                tracing::error!(outbox_id = item.id, %error, retry_in_secs = wait.num_seconds(), "delivery outcome not recorded");
                tokio::time::sleep(wait.to_std().unwrap_or(Duration::from_secs(1))).await;
            }
        }
    }
}

/// The delivery task: delivers whenever woken (after a change that queued mail) and every
/// second for retries; after an error, it backs off as a failed delivery does.
pub async fn run(state: AppState) {
    let mut errors_in_a_row = 0;
    // Delivered bodies are erased in the database, but older copies stay in the write-ahead
    // log until a full checkpoint, which runs once writes pause.
    let mut log_holds_bodies = false;
    loop {
        let wait = match deliver_due(&state).await {
            Ok(tried) if tried > 0 => {
                errors_in_a_row = 0;
                log_holds_bodies = true;
                continue;
            }
            Ok(_) => {
                errors_in_a_row = 0;
                if log_holds_bodies && state.db.idle_for() >= IDLE_BEFORE_CHECKPOINT {
                    log_holds_bodies = !state.db.checkpoint().await.unwrap_or(false);
                }
                Duration::from_secs(1)
            }
            Err(e) => {
                errors_in_a_row += 1;
                tracing::error!(error = %e, "mail delivery failed");
                backoff(errors_in_a_row)
                    .to_std()
                    .unwrap_or(Duration::from_secs(1))
            }
        };
        let _ = tokio::time::timeout(wait, state.mail_queued.notified()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_file_names_stay_in_their_folder() {
        assert_eq!(
            file_name(7, "a/../b@example.com"),
            "000007-a_.._b@example.com"
        );
    }

    #[test]
    fn backoff_doubles_up_to_five_minutes() {
        let secs: Vec<i64> = (1..=12).map(|n| backoff(n).num_seconds()).collect();
        assert_eq!(secs, vec![1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
    }
}
