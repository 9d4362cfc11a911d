//! Waiting for something to happen, with a deadline that fails the test.

use std::time::{Duration, Instant};

/// How long any single wait may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// Polls `condition` every 20 ms until it holds; fails the test, naming
/// `what`, after [`TIMEOUT`].
#[track_caller]
pub fn wait_until(what: &str, condition: impl FnMut() -> bool) {
    wait_until_every(what, Duration::from_millis(20), condition);
}

/// Like [`wait_until`], polling every `interval` (for conditions that run
/// a program each time).
#[track_caller]
pub fn wait_until_every(what: &str, interval: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + TIMEOUT;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(interval);
    }
}
