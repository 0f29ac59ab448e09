//! Every limit on what callers can trigger, in one place:
//! - sending invitation e-mail, per organisation (a runaway script) and per recipient (a
//!   mailbox being flooded);
//! - requests to the invitee's pages, per client address (guessing tokens or codes);
//! - failed client authentication, per client address and per access key id (guessing
//!   secrets), checked before any hashing so that a flood stays cheap.
//!
//! These are per server process. Limits that protect a person (codes per invitation and per
//! number, passwords per account) are counted in the database instead (`store::attempts`).

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use governor::clock::Clock as _;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use uuid::Uuid;

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

pub struct SendLimits {
    per_org: DefaultKeyedRateLimiter<Uuid>,
    per_recipient: DefaultKeyedRateLimiter<(Uuid, String)>,
}

impl SendLimits {
    pub fn new(config: &Config) -> Self {
        Self {
            per_org: RateLimiter::keyed(Quota::per_minute(at_least_one(
                config.org_sends_per_minute,
            ))),
            per_recipient: RateLimiter::keyed(Quota::per_hour(at_least_one(
                config.recipient_sends_per_hour,
            ))),
        }
    }

    /// Counts one send to `email` by `org`, or says when the next one is allowed.
    pub fn check(&self, org: Uuid, email: &str) -> Result<()> {
        // The limiter's own clock: making a new one calibrates it, which is costly.
        let now = self.per_org.clock().now();
        self.per_org.check_key(&org).map_err(|n| {
            retry(
                "too many invitations sent by this organisation",
                n.wait_time_from(now),
            )
        })?;
        self.per_recipient
            .check_key(&(org, email.to_owned()))
            .map_err(|n| {
                retry(
                    "too many invitations sent to this e-mail address",
                    n.wait_time_from(now),
                )
            })
    }

    /// Forgets keys whose limits have fully recovered, so memory does not grow without bound.
    pub fn forget_idle(&self) {
        self.per_org.retain_recent();
        self.per_recipient.retain_recent();
    }
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
