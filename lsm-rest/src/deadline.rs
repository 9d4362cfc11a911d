//! [`Deadline`]: the instant an LSM call must be answered by.

use std::time::{Duration, Instant};

/// The instant by which an LSM call must be answered: every request, page and retry of the
/// call fits before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Deadline(Instant);

impl Deadline {
    /// The deadline `timeout` from now.
    pub fn after(timeout: Duration) -> Deadline {
        let now = Instant::now();
        Deadline(
            now.checked_add(timeout)
                .unwrap_or(now + Duration::from_secs(86_400 * 365)),
        )
    }

    /// The deadline at this instant.
    pub fn at(instant: Instant) -> Deadline {
        Deadline(instant)
    }

    /// The instant itself.
    pub fn instant(&self) -> Instant {
        self.0
    }

    /// The time left, `None` once the deadline has passed.
    pub fn remaining(&self) -> Option<Duration> {
        self.0
            .checked_duration_since(Instant::now())
            .filter(|left| !left.is_zero())
    }

    /// Whether the deadline has passed.
    pub fn is_past(&self) -> bool {
        self.remaining().is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaining_counts_down_to_none() {
        let deadline = Deadline::after(Duration::from_secs(60));
        assert!(
            deadline
                .remaining()
                .is_some_and(|left| left <= Duration::from_secs(60))
        );
        assert!(!deadline.is_past());
        let past = Deadline::at(Instant::now() - Duration::from_millis(1));
        assert!(past.is_past());
        assert!(Deadline::after(Duration::MAX).remaining().is_some());
    }
}
