//! Request counts per method and path, for `GET /_arraysim/stats`.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde_json::{Value, json};

/// The counters.
#[derive(Debug, Default)]
pub struct Stats {
    counts: Mutex<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    total: u64,
    by_method: BTreeMap<String, u64>,
    by_request: BTreeMap<String, u64>,
}

impl Stats {
    /// Count one request.
    pub fn count(&self, method: &str, path: &str) {
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        c.total += 1;
        *c.by_method.entry(method.to_string()).or_default() += 1;
        *c.by_request.entry(format!("{method} {path}")).or_default() += 1;
    }

    /// `{"total", "by_method": {"GET": n}, "requests": {"GET /api/...": n}}`.
    pub fn to_json(&self) -> Value {
        let c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        json!({"total": c.total, "by_method": c.by_method, "requests": c.by_request})
    }
}
