//! Fault injection. A fault is `PATH_GLOB[:key[=value]]...` with keys
//! `status=N` (answer N with the vendor's error body), `count=N` (apply to
//! the next N matching requests, default: every one), `latency=MS` (delay
//! the answer), `reset` (close the connection without answering),
//! `job=failure` (the job the request starts fails), `job_ms=MS` (each step of
//! the job the request starts takes MS of the simulator's clock, in place of
//! `--job-ms`: one slow job among fast ones), `truncate` (the
//! answer's body is cut short: its full length is announced, half of it
//! sent, then the connection closes), `garbage` (the answer's body is
//! replaced by bytes that are not JSON) and `method=M` (only that HTTP
//! method). `truncate` and `garbage` mangle the real answer: the request is
//! handled first. The glob's `*` matches any characters, `/` included.

use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;

use super::paging::glob_match;

/// One fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fault {
    /// Glob over the request path (no query).
    pub path: String,
    /// Only this method, when set.
    pub method: Option<String>,
    /// Answer with this status.
    pub status: Option<u16>,
    /// Requests left to affect (`None`: unlimited).
    pub count: Option<u32>,
    /// Delay before answering.
    pub latency_ms: Option<u64>,
    /// Close the connection without an answer.
    pub reset: bool,
    /// Fail the job the request starts.
    pub job_failure: bool,
    /// The step time of the job the request starts, in ms.
    pub job_ms: Option<u64>,
    /// Cut the answer's body short and close the connection.
    pub truncate: bool,
    /// Replace the answer's body by bytes that are not JSON.
    pub garbage: bool,
}

/// A malformed fault specification.
#[derive(Debug, thiserror::Error)]
#[error("bad fault spec {spec:?}: {reason}")]
pub struct FaultSpecError {
    spec: String,
    reason: String,
}

impl FromStr for Fault {
    type Err = FaultSpecError;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let bad = |reason: &str| FaultSpecError {
            spec: spec.to_string(),
            reason: reason.to_string(),
        };
        let mut parts = spec.split(':');
        let path = parts
            .next()
            .filter(|p| !p.is_empty())
            .ok_or_else(|| bad("empty path glob"))?;
        let mut fault = Fault {
            path: path.to_string(),
            method: None,
            status: None,
            count: None,
            latency_ms: None,
            reset: false,
            job_failure: false,
            job_ms: None,
            truncate: false,
            garbage: false,
        };
        for part in parts {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            match key {
                "status" => {
                    fault.status = Some(
                        value
                            .parse()
                            .ok()
                            .filter(|s| (100..600).contains(s))
                            .ok_or_else(|| bad("status must be 100..599"))?,
                    )
                }
                "count" => {
                    fault.count = Some(value.parse().map_err(|_| bad("count must be a number"))?)
                }
                "latency" => {
                    fault.latency_ms = Some(
                        value
                            .parse()
                            .map_err(|_| bad("latency must be milliseconds"))?,
                    )
                }
                "reset" => fault.reset = true,
                "truncate" => fault.truncate = true,
                "garbage" => fault.garbage = true,
                "job" if value == "failure" => fault.job_failure = true,
                "job_ms" => {
                    fault.job_ms = Some(
                        value
                            .parse()
                            .map_err(|_| bad("job_ms must be milliseconds"))?,
                    )
                }
                "method" if !value.is_empty() => fault.method = Some(value.to_ascii_uppercase()),
                _ => return Err(bad(&format!("unknown key {key:?}"))),
            }
        }
        if fault.status.is_none()
            && fault.latency_ms.is_none()
            && !fault.reset
            && !fault.job_failure
            && fault.job_ms.is_none()
            && !fault.truncate
            && !fault.garbage
        {
            return Err(bad(
                "needs one of status=, latency=, reset, job=failure, job_ms=, truncate, garbage",
            ));
        }
        Ok(fault)
    }
}

/// What the faults matching one request ask for.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FaultAction {
    /// Total delay.
    pub latency: Duration,
    /// Drop the connection.
    pub reset: bool,
    /// Answer this status.
    pub status: Option<u16>,
    /// Fail the started job.
    pub job_failure: bool,
    /// The started job's step time, in ms.
    pub job_ms: Option<u64>,
    /// Cut the answer's body short.
    pub truncate: bool,
    /// Replace the answer's body by non-JSON bytes.
    pub garbage: bool,
}

/// The active faults.
#[derive(Debug, Default)]
pub struct Faults {
    list: Mutex<Vec<Fault>>,
}

impl Faults {
    /// Start with `faults`.
    pub fn new(faults: Vec<Fault>) -> Self {
        Faults {
            list: Mutex::new(faults),
        }
    }

    /// Add one.
    pub fn add(&self, fault: Fault) {
        self.list
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(fault);
    }

    /// Remove all.
    pub fn clear(&self) {
        self.list.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// The active faults.
    pub fn list(&self) -> Vec<Fault> {
        self.list.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Consume the faults matching this request and say what to do.
    pub fn take(&self, method: &str, path: &str) -> FaultAction {
        let mut list = self.list.lock().unwrap_or_else(|p| p.into_inner());
        let mut action = FaultAction::default();
        for fault in list.iter_mut() {
            if fault.count == Some(0)
                || !glob_match(&fault.path, path)
                || fault.method.as_deref().is_some_and(|m| m != method)
            {
                continue;
            }
            if let Some(n) = fault.count.as_mut() {
                *n -= 1;
            }
            action.latency += Duration::from_millis(fault.latency_ms.unwrap_or(0));
            action.reset |= fault.reset;
            action.job_failure |= fault.job_failure;
            action.job_ms = action.job_ms.or(fault.job_ms);
            action.truncate |= fault.truncate;
            action.garbage |= fault.garbage;
            if action.status.is_none() {
                action.status = fault.status;
            }
        }
        list.retain(|f| f.count != Some(0));
        action
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_counts_down() {
        let f: Fault = "/api/storage/luns*:status=500:count=2".parse().unwrap();
        assert_eq!(f.status, Some(500));
        let faults = Faults::new(vec![f]);
        assert_eq!(faults.take("GET", "/api/storage/luns").status, Some(500));
        assert_eq!(faults.take("GET", "/api/cluster").status, None);
        assert_eq!(faults.take("GET", "/api/storage/luns/x").status, Some(500));
        assert_eq!(faults.take("GET", "/api/storage/luns").status, None);
        assert!(faults.list().is_empty());
    }

    #[test]
    fn rejects_nonsense() {
        assert!("/api:bogus=1".parse::<Fault>().is_err());
        assert!("/api".parse::<Fault>().is_err());
        assert!(":status=500".parse::<Fault>().is_err());
        let f: Fault = "/api/*:reset:method=post".parse().unwrap();
        assert!(f.reset);
        assert_eq!(f.method.as_deref(), Some("POST"));
        assert!("/x:latency=50".parse::<Fault>().unwrap().latency_ms == Some(50));
        assert!("/x:job=failure".parse::<Fault>().unwrap().job_failure);
        assert_eq!("/x:job_ms=9".parse::<Fault>().unwrap().job_ms, Some(9));
        assert!("/x:job_ms=soon".parse::<Fault>().is_err());
        assert!("/x:truncate".parse::<Fault>().unwrap().truncate);
        assert!("/x:garbage:count=1".parse::<Fault>().unwrap().garbage);
    }

    #[test]
    fn truncate_and_garbage_are_taken_like_the_others() {
        let faults = Faults::new(vec![
            "/a:truncate:count=1".parse().unwrap(),
            "/b:garbage:method=GET".parse().unwrap(),
        ]);
        let first = faults.take("GET", "/a");
        assert!(first.truncate && !first.garbage);
        assert_eq!(faults.take("GET", "/a"), FaultAction::default());
        assert!(faults.take("GET", "/b").garbage);
        assert!(!faults.take("POST", "/b").garbage);
    }
}
