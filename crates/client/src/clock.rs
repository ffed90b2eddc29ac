//! Where the client gets "now" from. The real app uses [`SystemClock`]; tests use
//! [`ManualClock`] to check expiry without sleeping. Every time the client signs, verifies or
//! stores goes through one [`Clock`].

use chrono::{DateTime, Duration, Utc};
use std::sync::atomic::{AtomicI64, Ordering};

/// A source of the current time (UTC, whole seconds are enough for the protocol).
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The computer's own clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to. Shared between threads; cheap to clone behind an `Arc`.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    /// A clock standing at `at` (whole seconds).
    pub fn at(at: DateTime<Utc>) -> Self {
        Self(AtomicI64::new(at.timestamp()))
    }

    /// A clock standing at the system's current time.
    pub fn starting_now() -> Self {
        Self::at(Utc::now())
    }

    pub fn set(&self, at: DateTime<Utc>) {
        self.0.store(at.timestamp(), Ordering::SeqCst);
    }

    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(by.num_seconds(), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.0.load(Ordering::SeqCst), 0).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = DateTime::from_timestamp(1_795_417_200, 0).unwrap_or_default();
        let clock = ManualClock::at(start);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::hours(2));
        assert_eq!(clock.now(), start + Duration::hours(2));
        clock.set(start);
        assert_eq!(clock.now(), start);
    }
}
