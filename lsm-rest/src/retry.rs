//! Retrying with exponential backoff and jitter, bounded by the call's deadline: a retry
//! never sleeps past it; when the next wait would end after it, the last error becomes
//! `TIMEOUT`.

use std::time::Duration;

use rand::Rng;

use crate::deadline::Deadline;
use crate::error::{RestError, Result};

/// How long to wait between attempts: `initial`, doubling up to `max`, each wait drawn
/// between half of it and all of it (jitter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The wait after the first failure (before jitter).
    pub initial: Duration,
    /// The longest wait (before jitter).
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(5),
        }
    }
}

impl Backoff {
    /// The wait after failed attempt number `attempt` (1-based), jitter included.
    pub fn delay(&self, attempt: u32) -> Duration {
        let doubled = self
            .initial
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1).min(30)));
        let base = doubled.min(self.max);
        let half = base / 2;
        let jitter_nanos =
            rand::rng().random_range(0..=half.as_nanos().min(u64::MAX as u128) as u64);
        half + Duration::from_nanos(jitter_nanos)
    }
}

/// Runs `op` until it succeeds, fails with an error `is_retryable` refuses, or the deadline
/// leaves no time for another wait (then `TIMEOUT` naming the last error). Uses
/// [`Backoff::default`].
pub fn retry<T>(
    deadline: Deadline,
    is_retryable: impl FnMut(&RestError) -> bool,
    op: impl FnMut() -> Result<T>,
) -> Result<T> {
    retry_with(deadline, Backoff::default(), is_retryable, op)
}

/// [`retry`] with a chosen [`Backoff`].
pub fn retry_with<T>(
    deadline: Deadline,
    backoff: Backoff,
    mut is_retryable: impl FnMut(&RestError) -> bool,
    mut op: impl FnMut() -> Result<T>,
) -> Result<T> {
    let mut attempt: u32 = 0;
    loop {
        attempt = attempt.saturating_add(1);
        let error = match op() {
            Ok(value) => return Ok(value),
            Err(error) if !is_retryable(&error) => return Err(error),
            Err(error) => error,
        };
        let wait = backoff.delay(attempt);
        match deadline.remaining() {
            Some(left) if left > wait => {
                tracing::debug!(attempt, wait_ms = wait.as_millis() as u64, error = %error, "retrying");
                std::thread::sleep(wait);
            }
            _ => {
                return Err(RestError::Timeout(format!(
                    "gave up after {attempt} attempt(s): the call's deadline leaves no time \
                     to try again; last error: {error}"
                )));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsm_core::ErrorNumber;
    use std::time::Instant;

    #[test]
    fn delays_grow_and_stay_bounded() {
        let backoff = Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(1),
        };
        for _ in 0..50 {
            let first = backoff.delay(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = backoff.delay(3);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            assert!(backoff.delay(40) <= Duration::from_secs(1));
        }
    }

    #[test]
    fn succeeds_after_transient_failures() {
        let mut calls = 0;
        let backoff = Backoff {
            initial: Duration::from_millis(1),
            max: Duration::from_millis(4),
        };
        let result = retry_with(
            Deadline::after(Duration::from_secs(10)),
            backoff,
            RestError::is_transient,
            || {
                calls += 1;
                if calls < 3 {
                    Err(RestError::Network("reset".into()))
                } else {
                    Ok(calls)
                }
            },
        );
        assert_eq!(result.ok(), Some(3));
    }

    #[test]
    fn not_retryable_returns_at_once() {
        let mut calls = 0;
        let result: Result<()> = retry(
            Deadline::after(Duration::from_secs(10)),
            RestError::is_transient,
            || {
                calls += 1;
                Err(RestError::Config("bad".into()))
            },
        );
        assert_eq!(calls, 1);
        assert_eq!(
            result.unwrap_err().error_number(),
            ErrorNumber::INVALID_ARGUMENT
        );
    }

    #[test]
    fn stops_before_the_deadline_with_timeout() {
        let deadline = Deadline::after(Duration::from_millis(400));
        let mut calls = 0;
        let result: Result<()> = retry(
            deadline,
            |_| true,
            || {
                calls += 1;
                Err(RestError::Network("connection reset".into()))
            },
        );
        let error = result.unwrap_err();
        assert_eq!(error.error_number(), ErrorNumber::TIMEOUT);
        assert!(error.to_string().contains("connection reset"), "{error}");
        assert!(calls >= 2, "{calls} attempts");
        // It never slept past the deadline: the last wait was refused instead.
        assert!(Instant::now() < deadline.instant() + Duration::from_millis(50));
    }
}
