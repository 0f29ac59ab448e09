//! The server's notion of now, and the stamps that order modifications for incremental sync.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// Wall-clock time plus an offset that tests can move forward, so expiry is tested without
/// waiting. `stamp` hands out strictly increasing microsecond times: a modification stamp is
/// taken inside the single write transaction, so stamp order is commit order and a client that
/// asks for everything after its last seen stamp misses nothing.
#[derive(Debug, Default)]
pub struct Clock {
    offset_micros: AtomicI64,
    last_stamp: Mutex<i64>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::microseconds(self.offset_micros.load(Ordering::Relaxed))
    }

    /// How far tests have moved this clock ahead of the wall clock.
    pub fn offset_micros(&self) -> i64 {
        self.offset_micros.load(Ordering::Relaxed)
    }

    pub fn advance(&self, by: Duration) {
        let micros = by.num_microseconds().unwrap_or(i64::MAX);
        self.offset_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// A modification time, later than every one handed out before.
    pub fn stamp(&self) -> DateTime<Utc> {
        let mut last = self.last_stamp.lock().unwrap_or_else(|e| e.into_inner());
        let micros = self.now().timestamp_micros().max(*last + 1);
        *last = micros;
        DateTime::from_timestamp_micros(micros).unwrap_or_default()
    }

    /// `count` consecutive modification times at once, for a bulk insert; answers the first.
    pub fn stamps(&self, count: u32) -> DateTime<Utc> {
        let mut last = self.last_stamp.lock().unwrap_or_else(|e| e.into_inner());
        let first = self.now().timestamp_micros().max(*last + 1);
        *last = first + i64::from(count.max(1)) - 1;
        DateTime::from_timestamp_micros(first).unwrap_or_default()
    }

    /// After a restart, stamps must stay above those already stored.
    pub fn resume_after(&self, stored_micros: i64) {
        let mut last = self.last_stamp.lock().unwrap_or_else(|e| e.into_inner());
        *last = (*last).max(stored_micros);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_strictly_increase_even_within_one_microsecond() {
        let clock = Clock::default();
        let stamps: Vec<_> = (0..1000).map(|_| clock.stamp()).collect();
        assert!(stamps.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn advancing_moves_now_and_stamps_forward() {
        let clock = Clock::default();
        let before = clock.now();
        clock.advance(Duration::days(31));
        assert!(clock.now() >= before + Duration::days(31));
        assert!(clock.stamp() >= before + Duration::days(31));
    }
}
