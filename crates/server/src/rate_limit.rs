//! Every limit on what callers can trigger, in one place:
//! - sending invitation e-mail, per organisation (a runaway script) and per recipient (a
//!   mailbox being flooded);
//! - requests to the invitee's pages, per client address (guessing tokens or codes);
//! - failed client authentication, per client address and per access key id (guessing
//!   secrets), checked before any hashing so that a flood stays cheap.
//!
//! Sending limits protect people (a flooded mailbox) and an organisation's bill, so they are
//! counted in the database and hold exactly across every instance. The limiters against
//! floods from one address (page requests, failed client authentication) are per server
//! process: N instances behind a balancer allow at most N times as much, and they cost
//! nothing per request. Limits that protect a person (codes per invitation and per number,
//! passwords per account) are counted in the database too (`store::attempts`).

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::Conn;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::http::client_address;

fn at_least_one(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN)
}

fn retry(what: &'static str, wait: Duration) -> Error {
    Error::RateLimited {
        what,
        retry_after_secs: wait.as_secs().max(1),
    }
}

/// Sends allowed per organisation per minute and per recipient per hour, counted in the
/// database (`send_counts`) so that every instance counts the same sends: two fixed windows
/// per key, the previous one weighted by how much of it still lies within the last window
/// (a sliding window, with no burst at a window's edge).
pub struct SendLimits {
    per_org_per_minute: u32,
    per_recipient_per_hour: u32,
}

/// One limit: its scope, its window and how many sends fit in it.
struct Limit<'a> {
    scope: &'static str,
    key: &'a str,
    window_micros: i64,
    allowed: u32,
    refusal: &'static str,
}

impl SendLimits {
    pub fn new(config: &Config) -> Self {
        Self {
            per_org_per_minute: config.org_sends_per_minute.max(1),
            per_recipient_per_hour: config.recipient_sends_per_hour.max(1),
        }
    }

    /// Counts one send to `email` by `org`, or says when the next one is allowed. The count is
    /// written apart from the transaction that sends (`Conn::autonomous`), so that it holds
    /// no lock while the send commits.
    pub fn check(&self, conn: &Conn, org: Uuid, email: &str, now: DateTime<Utc>) -> Result<()> {
        let org = org.to_string();
        // Kept as a digest: a count outlives the invitation, and must not keep its address.
        let recipient = URL_SAFE_NO_PAD.encode(Sha256::digest(format!("{org} {email}")));
        let limits = [
            Limit {
                scope: "org",
                key: &org,
                window_micros: 60_000_000,
                allowed: self.per_org_per_minute,
                refusal: "too many invitations sent by this organisation",
            },
            Limit {
                scope: "recipient",
                key: &recipient,
                window_micros: 3_600_000_000,
                allowed: self.per_recipient_per_hour,
                refusal: "too many invitations sent to this e-mail address",
            },
        ];
        let now = now.timestamp_micros();
        // The recipient's first: when the organisation's limit then refuses, the recipient
        // has been counted one send too many, the rarer and cheaper mistake.
        conn.autonomous(|c| {
            limits
                .iter()
                .rev()
                .try_for_each(|limit| limit.count(c, now))
        })
    }
}

impl Limit<'_> {
    fn window_start(&self, now: i64) -> i64 {
        now - now.rem_euclid(self.window_micros)
    }

    /// Counts one send if the window has room for it, in one statement: the row of this
    /// window is locked by the upsert itself, so concurrent sends from every instance are
    /// counted one at a time, each against the count the one before it left.
    fn count(&self, conn: &Conn, now: i64) -> Result<()> {
        let current = self.window_start(now);
        let previous = current - self.window_micros;
        // The share of the previous window that still lies within the last window's length.
        let weight = 1.0 - (now - current) as f64 / self.window_micros as f64;
        let before = "COALESCE((SELECT p.sends FROM send_counts p
            WHERE p.scope = ?1 AND p.key = ?2 AND p.window_start = ?4), 0)
            * CAST(?5 AS DOUBLE PRECISION)";
        let counted = conn.query_opt(
            &format!(
                "INSERT INTO send_counts (scope, key, window_start, sends)
                 SELECT ?1, ?2, ?3, 1 WHERE 1 + {before} <= CAST(?6 AS DOUBLE PRECISION)
                 ON CONFLICT (scope, key, window_start) DO UPDATE SET sends = send_counts.sends + 1
                     WHERE send_counts.sends + 1 + {before} <= CAST(?6 AS DOUBLE PRECISION)
                 RETURNING sends"
            ),
            crate::params![
                self.scope,
                self.key,
                current,
                previous,
                weight,
                f64::from(self.allowed)
            ],
            |r| r.get::<i64>(0),
        )?;
        match counted {
            Some(_) => Ok(()),
            None => Err(self.refused(conn, now, current, previous)),
        }
    }

    /// The refusal, with how long until one more send fits the estimate
    /// (`Counts::wait_in_windows`): within this window as the previous one slides out, or
    /// into the next one when this window's own sends are already too many.
    fn refused(&self, conn: &Conn, now: i64, current: i64, previous: i64) -> Error {
        let sends = |start: i64| {
            conn.query_opt(
                "SELECT sends FROM send_counts WHERE scope = ? AND key = ? AND window_start = ?",
                (self.scope, self.key, start),
                |r| r.get::<i64>(0),
            )
            .ok()
            .flatten()
            .unwrap_or(0) as f64
        };
        let counts = Counts {
            before: sends(previous),
            during: sends(current),
            allowed: f64::from(self.allowed),
        };
        let into_window = (now - current) as f64 / self.window_micros as f64;
        let wait = counts.wait_in_windows(into_window) * self.window_micros as f64;
        retry(
            self.refusal,
            Duration::from_micros(wait.ceil().max(1.0) as u64),
        )
    }
}

/// One limit's sends in the previous and the current window, and how many it allows.
struct Counts {
    before: f64,
    during: f64,
    allowed: f64,
}

impl Counts {
    /// How long (in windows) from `into_window` (0..1 through the current window) until one
    /// more send fits under the sliding estimate, with no other send meanwhile. The estimate
    /// is `before × (1 − into_window) + during`: the previous window slides out; once the
    /// current window ends, its sends are the previous window's and slide out in turn.
    fn wait_in_windows(&self, into_window: f64) -> f64 {
        let room = self.allowed - 1.0;
        if self.during <= room {
            // Within this window, as soon as enough of the previous one has slid out.
            let at = if self.before > 0.0 {
                1.0 - (room - self.during) / self.before
            } else {
                0.0
            };
            return (at - into_window).max(0.0);
        }
        // This window's sends alone are too many: into the next one, until enough of them
        // have slid out.
        let rest_of_this = 1.0 - into_window;
        rest_of_this + (1.0 - room / self.during)
    }
}

/// Windows that no longer count (older than the previous hour) are dropped.
pub fn forget_old_sends(conn: &Conn, now: DateTime<Utc>) -> Result<usize> {
    let two_hours_ago = now.timestamp_micros() - 7_200_000_000;
    conn.execute(
        "DELETE FROM send_counts WHERE window_start < ?",
        [two_hours_ago],
    )
}

/// Requests to the invitee's pages per client address (an IPv6 client per /64).
pub struct PageLimiter(DefaultKeyedRateLimiter<IpAddr>);

impl PageLimiter {
    pub fn new(config: &Config) -> Self {
        Self(RateLimiter::keyed(Quota::per_minute(at_least_one(
            config.page_requests_per_minute,
        ))))
    }

    pub fn allows(&self, client: IpAddr) -> bool {
        self.0.check_key(&client_address::limit_key(client)).is_ok()
    }

    pub fn forget_idle(&self) {
        self.0.retain_recent();
    }
}

/// Failed attempts counted per key in windows of a minute: a key that has failed `limit`
/// times in its window is refused until the window ends. Only failures count, so a client that
/// authenticates correctly is never slowed; a refusal is one map lookup, nothing hashed.
struct FailureLimit<K: Hash + Eq + Clone + Send + Sync + 'static> {
    limit: u32,
    windows: moka::sync::Cache<K, Arc<Mutex<Window>>>,
}

struct Window {
    started: Instant,
    failures: u32,
}

const FAILURE_WINDOW: Duration = Duration::from_secs(60);

impl<K: Hash + Eq + Clone + Send + Sync + 'static> FailureLimit<K> {
    fn per_minute(limit: u32) -> Self {
        Self {
            limit: limit.max(1),
            windows: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(FAILURE_WINDOW)
                .build(),
        }
    }

    /// How long the key must still wait, if it is over its limit.
    fn wait(&self, key: &K) -> Option<Duration> {
        let window = self.windows.get(key)?;
        let window = window.lock().ok()?;
        let ends = window.started + FAILURE_WINDOW;
        (window.failures >= self.limit)
            .then(|| ends.checked_duration_since(Instant::now()))
            .flatten()
    }

    fn note_failure(&self, key: &K) {
        let now = Instant::now();
        let entry = self.windows.get_with(key.clone(), || {
            Arc::new(Mutex::new(Window {
                started: now,
                failures: 0,
            }))
        });
        if let Ok(mut window) = entry.lock() {
            if now >= window.started + FAILURE_WINDOW {
                *window = Window {
                    started: now,
                    failures: 0,
                };
            }
            window.failures += 1;
        };
    }

    fn forget_idle(&self) {
        self.windows.run_pending_tasks();
    }
}

/// How long a client refused for too many failed sign-ins waits for its 429.
pub const REFUSAL_DELAY: Duration = Duration::from_secs(1);

/// Failed client authentication, per client address and per access key id.
pub struct AuthFailures {
    per_address: FailureLimit<IpAddr>,
    per_key: FailureLimit<String>,
}

impl AuthFailures {
    pub fn new(config: &Config) -> Self {
        Self {
            per_address: FailureLimit::per_minute(config.auth_failures_per_minute_per_address),
            per_key: FailureLimit::per_minute(config.auth_failures_per_minute_per_key),
        }
    }

    /// 429 while either the address or the key id is blocked.
    pub fn refuse_if_blocked(&self, client: IpAddr, access_key_id: &str) -> Result<()> {
        let address = client_address::limit_key(client);
        if let Some(wait) = self.per_address.wait(&address) {
            return Err(retry("too many failed sign-ins from this address", wait));
        }
        if let Some(wait) = self.per_key.wait(&key_id(access_key_id)) {
            return Err(retry("too many failed sign-ins for this access key", wait));
        }
        Ok(())
    }

    pub fn note_failure(&self, client: IpAddr, access_key_id: &str) {
        self.per_address
            .note_failure(&client_address::limit_key(client));
        self.per_key.note_failure(&key_id(access_key_id));
    }

    pub fn forget_idle(&self) {
        self.per_address.forget_idle();
        self.per_key.forget_idle();
    }
}

/// A key id as the limiter keeps it: bounded, since the caller chooses it.
fn key_id(access_key_id: &str) -> String {
    access_key_id.chars().take(128).collect()
}

#[cfg(test)]
mod tests {
    use super::Counts;

    fn wait(before: f64, during: f64, allowed: f64, into_window: f64) -> f64 {
        Counts {
            before,
            during,
            allowed,
        }
        .wait_in_windows(into_window)
    }

    /// The wait said is the wait needed: the estimate one moment after it lets one more send
    /// in, and one moment before it does not.
    #[test]
    fn the_retry_after_is_when_one_more_send_fits_and_not_sooner() {
        let estimate = |before: f64, during: f64, at: f64| match at < 1.0 {
            true => before * (1.0 - at) + during,
            false => during * (1.0 - (at - 1.0)),
        };
        for (before, during, allowed) in [
            (0.0, 1.0, 1.0),
            (3.0, 1.0, 3.0),
            (5.0, 5.0, 5.0),
            (0.0, 10.0, 10.0),
            (8.0, 2.0, 6.0),
        ] {
            for into_window in [0.0, 0.3, 0.99, 0.999] {
                let fits = |t: f64| estimate(before, during, t) + 1.0 <= allowed + 1e-9;
                if fits(into_window) {
                    continue; // not refused: no wait is asked
                }
                let at = into_window + wait(before, during, allowed, into_window);
                assert!(
                    fits(at + 1e-6),
                    "{before} {during} {allowed} at {into_window}: not free at {at}"
                );
                assert!(
                    !fits(at - 1e-3),
                    "{before} {during} {allowed} at {into_window}: free before {at}"
                );
            }
        }
    }

    #[test]
    fn one_send_an_hour_near_the_end_of_the_hour_waits_about_an_hour() {
        // Sent at 14:59:35, refused again at once: not "25 s" (at 15:00 the send still counts).
        let into_window = 1.0 - 25.0 / 3600.0;
        let seconds = wait(0.0, 1.0, 1.0, into_window) * 3600.0;
        assert!((3600.0..=3626.0).contains(&seconds), "{seconds}");
    }
}
