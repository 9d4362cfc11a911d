//! The simulator's clock, and timestamps as vendors print them (ISO-8601 UTC with an
//! offset).
//!
//! Everything time-driven in the simulator (token and session lifetimes, job steps,
//! delayed LUN mappings, timestamps in replies) reads this clock, never the system's
//! directly. It is the real time plus an offset that only grows: the admin API
//! (`POST /_arraysim/clock {"advance_ms": N}`) moves it on, so a test sees a token expire
//! or a job step by asking, not by sleeping; `POST /_arraysim/jobs/finish` ends every job
//! step that is waiting now. The clock is the process's: one simulator per process.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::Notify;

/// How far the admin API has moved the clock on, in milliseconds.
static OFFSET_MS: AtomicU64 = AtomicU64::new(0);
/// How many times the admin API has released the waiting job steps.
static JOBS_RELEASED: AtomicU64 = AtomicU64::new(0);
/// Wakes the sleepers of [`sleep`] and [`job_step`] when the clock moves or jobs are
/// released.
static CHANGED: LazyLock<Notify> = LazyLock::new(Notify::new);

fn offset() -> Duration {
    Duration::from_millis(OFFSET_MS.load(Ordering::Acquire))
}

/// The simulator's monotonic now: the real one plus the admin offset.
pub fn now() -> Instant {
    Instant::now() + offset()
}

/// The simulator's wall-clock now.
pub fn system_now() -> SystemTime {
    SystemTime::now() + offset()
}

/// [`system_now`] in milliseconds since the epoch.
pub fn now_ms() -> u64 {
    system_now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// How far the clock has been moved on.
pub fn offset_ms() -> u64 {
    OFFSET_MS.load(Ordering::Acquire)
}

/// Moves the clock on by `by` (the admin API's `advance_ms`); returns the new offset.
pub fn advance(by: Duration) -> u64 {
    let by = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
    let offset = OFFSET_MS.fetch_add(by, Ordering::AcqRel).saturating_add(by);
    CHANGED.notify_waiters();
    offset
}

/// Ends every step of every job submitted before now (the admin API's `jobs/finish`):
/// those jobs run to their end at once.
pub fn release_jobs() {
    JOBS_RELEASED.fetch_add(1, Ordering::AcqRel);
    CHANGED.notify_waiters();
}

/// Sleeps `duration` of the simulator's time: returns once the real time has passed
/// or the clock has been moved past it.
pub async fn sleep(duration: Duration) {
    sleep_until(now() + duration, None).await;
}

tokio::task_local! {
    /// The step time a `job_ms=` fault sets for the jobs the request being handled
    /// starts.
    static FAULT_JOB_STEP: Duration;
}

/// Handles a request (`handling`) whose jobs step `step` (a `job_ms=` fault) rather than
/// `--job-ms`.
pub async fn with_job_step<F: std::future::Future>(step: Duration, handling: F) -> F::Output {
    FAULT_JOB_STEP.scope(step, handling).await
}

/// The step of a job submitted now: a `job_ms=` fault's on the request being handled,
/// else `configured` (`--job-ms`).
pub fn job_step(configured: Duration) -> Duration {
    FAULT_JOB_STEP.try_with(|step| *step).unwrap_or(configured)
}

/// A job's ticket, taken when it is submitted: its steps end early once jobs are
/// released after that.
#[derive(Debug, Clone, Copy)]
pub struct JobTicket(u64);

/// The ticket of a job submitted now.
pub fn job_ticket() -> JobTicket {
    JobTicket(JOBS_RELEASED.load(Ordering::Acquire))
}

/// Waits for a step of the job holding `ticket` to come due at `due` (of the
/// simulator's clock; steps are due at fixed times from the job's submission, so moving
/// the clock on by their sum ends the job however the moves interleave with its task).
/// Also ends (at once, for every later step too) when [`release_jobs`] was called since
/// the job was submitted.
pub async fn job_step_until(due: Instant, ticket: JobTicket) {
    sleep_until(due, Some(ticket.0)).await;
}

async fn sleep_until(due: Instant, released_at: Option<u64>) {
    loop {
        // Registered before the clock is read, so that a move in between still wakes us.
        let changed = CHANGED.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        let remaining = due.saturating_duration_since(now());
        let released = released_at.is_some_and(|at| JOBS_RELEASED.load(Ordering::Acquire) != at);
        if remaining.is_zero() || released {
            return;
        }
        tokio::select! {
            () = tokio::time::sleep(remaining) => {}
            () = &mut changed => {}
        }
    }
}

/// Now as `YYYY-MM-DDTHH:MM:SS+00:00`.
pub fn now_iso8601() -> String {
    let secs = system_now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    iso8601(secs)
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SS+00:00`.
pub fn iso8601(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+00:00",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Howard Hinnant's days-to-civil conversion.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_known_instants() {
        assert_eq!(super::iso8601(0), "1970-01-01T00:00:00+00:00");
        assert_eq!(super::iso8601(1_700_000_000), "2023-11-14T22:13:20+00:00");
    }
}
