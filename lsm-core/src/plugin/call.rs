//! [`Call`]: the context every trait method is given, carrying the call's deadline.

use std::time::{Duration, Instant};

use crate::error::{LsmError, Result};

/// How far ahead a deadline that does not fit an [`Instant`] is put (a timeout of
/// `i64::MAX` ms is a valid wire value): a year, which no call lasts.
const FAR_FUTURE: Duration = Duration::from_secs(365 * 86_400);

/// The context of one call: the session's timeout and the instant its answer is due.
///
/// The runner makes one for every request as the request arrives (its deadline is the
/// arrival plus the session's timeout, the one of `plugin_register` or the last
/// `time_out_set`) and hands it to the trait method answering it; nothing else holds it,
/// so a plugin never reads a deadline back from shared state.
///
/// How plugins use it:
/// - A REST plugin passes it to its HTTP client: each request, page, retry and job poll of
///   the call is bounded by [`remaining`](Call::remaining), and the call answers
///   `TIMEOUT` (see [`Call::time_left`]) rather than let the client's own timer end the
///   session.
/// - A plugin that runs tools or waits for locks bounds each wait by
///   [`timeout`](Call::timeout) or by what [`remaining`](Call::remaining) leaves.
/// - Job work runs on a [`JobTable`](super::JobTable) thread after the call that started it
///   has been answered, so that call's deadline no longer applies: the job gets a context
///   of its own, [`renewed`](Call::renewed) when the job starts (the session's timeout
///   counted from then), and work made of many steps that may together take longer (a data
///   copy) renews it for each step.
///
/// `Call` is `Copy`: a plugin passes `&Call` down, or copies it into a closure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Call {
    deadline: Instant,
    timeout: Duration,
}

impl Call {
    /// A call arriving now, in a session whose timeout is `timeout`.
    pub fn new(timeout: Duration) -> Call {
        Call::arrived_at(Instant::now(), timeout)
    }

    /// A call that arrived at `arrived`, in a session whose timeout is `timeout`: its
    /// deadline is `arrived + timeout` (a year ahead when that does not fit an `Instant`).
    pub fn arrived_at(arrived: Instant, timeout: Duration) -> Call {
        let deadline = arrived
            .checked_add(timeout)
            .or_else(|| arrived.checked_add(FAR_FUTURE))
            .unwrap_or(arrived);
        Call { deadline, timeout }
    }

    /// The instant the answer is due: the call's arrival plus the session's timeout.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// The session's timeout when the call arrived: what each call may take in all.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The time left until the deadline (zero once it has passed).
    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// Whether the deadline has passed.
    pub fn is_past(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// The time left, or once the deadline has passed the call's `TIMEOUT` error saying
    /// what was being done (`doing`, e.g. "waiting for the array's job"): how a plugin
    /// bounds its next wait.
    pub fn time_left(&self, doing: &str) -> Result<Duration> {
        match self.remaining() {
            Duration::ZERO => Err(LsmError::timeout(format!(
                "{doing}: the call's timeout ({} ms) has passed",
                self.timeout.as_millis()
            ))),
            left => Ok(left),
        }
    }

    /// A context with the same timeout, starting now: what a job's work gets when it starts
    /// (see [`JobTable::spawn`](super::JobTable::spawn)), and what each step of work longer
    /// than one call takes.
    pub fn renewed(&self) -> Call {
        Call::new(self.timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_is_the_arrival_plus_the_timeout() {
        let arrived = Instant::now();
        let cx = Call::arrived_at(arrived, Duration::from_secs(30));
        assert_eq!(cx.deadline(), arrived + Duration::from_secs(30));
        assert_eq!(cx.timeout(), Duration::from_secs(30));
        assert!(cx.remaining() <= Duration::from_secs(30));
        assert!(!cx.is_past());
        assert!(cx.time_left("listing").unwrap() <= Duration::from_secs(30));
    }

    #[test]
    fn a_past_deadline_leaves_nothing_and_is_a_timeout() {
        let long_ago = Instant::now() - Duration::from_secs(2);
        let cx = Call::arrived_at(long_ago, Duration::from_secs(1));
        assert_eq!(cx.remaining(), Duration::ZERO);
        assert!(cx.is_past());
        let error = cx.time_left("waiting for the array").unwrap_err();
        assert_eq!(error.code, crate::ErrorNumber::TIMEOUT);
        assert_eq!(
            error.message,
            "waiting for the array: the call's timeout (1000 ms) has passed"
        );
    }

    #[test]
    fn a_huge_timeout_does_not_overflow() {
        let cx = Call::new(Duration::from_millis(i64::MAX as u64));
        assert!(!cx.is_past());
        assert!(cx.remaining() > Duration::from_secs(300 * 86_400));
    }

    #[test]
    fn renewed_keeps_the_timeout_and_starts_again() {
        let old = Call::arrived_at(
            Instant::now() - Duration::from_secs(5),
            Duration::from_secs(2),
        );
        assert!(old.is_past());
        let renewed = old.renewed();
        assert_eq!(renewed.timeout(), Duration::from_secs(2));
        assert!(!renewed.is_past());
    }
}
