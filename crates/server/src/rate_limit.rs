//! Limits on sending invitation e-mail: per organisation (a runaway script) and per recipient
//! (a mailbox being flooded).

use std::num::NonZeroU32;

use governor::clock::Clock as _;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use uuid::Uuid;

use crate::config::Config;
use crate::error::{Error, Result};

pub struct SendLimits {
    per_org: DefaultKeyedRateLimiter<Uuid>,
    per_recipient: DefaultKeyedRateLimiter<(Uuid, String)>,
}

impl SendLimits {
    pub fn new(config: &Config) -> Self {
        let at_least_one = |n: u32| NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN);
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
        let retry = |what, wait: std::time::Duration| Error::RateLimited {
            what,
            retry_after_secs: wait.as_secs().max(1),
        };
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
