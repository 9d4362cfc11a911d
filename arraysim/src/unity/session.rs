//! Login sessions: a request with valid Basic auth and no (known) session
//! cookie opens a session — the reply sets cookie `mod_sec_emc` and
//! carries header `EMC-CSRF-TOKEN`. Later requests may present the cookie
//! instead of Basic auth; POST and DELETE must carry the session's token in
//! `EMC-CSRF-TOKEN`. Sessions live in memory only (a restart logs everyone
//! out, as a reboot of the array does); the oldest are forgotten beyond
//! [`MAX_SESSIONS`], and each ends `--token-ttl-ms` after it was opened (a
//! real Unity ends idle sessions; a fixed lifetime is the simpler rule that
//! lets tests see a session expire).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, header};

use crate::core::time;

/// The session cookie's name.
pub const COOKIE: &str = "mod_sec_emc";
/// The CSRF header.
pub const CSRF_HEADER: &str = "emc-csrf-token";
/// How many sessions are kept.
pub const MAX_SESSIONS: usize = 4096;

/// The open sessions: id → CSRF token.
#[derive(Debug)]
pub struct Sessions {
    inner: Mutex<Table>,
    ttl: Duration,
}

impl Default for Sessions {
    fn default() -> Self {
        Sessions::with_ttl(Duration::from_secs(3600))
    }
}

#[derive(Debug, Default)]
struct Table {
    tokens: HashMap<String, (String, Instant)>,
    order: VecDeque<String>,
}

impl Sessions {
    /// No session yet; each lives `ttl` from its opening.
    pub fn with_ttl(ttl: Duration) -> Self {
        Sessions {
            inner: Mutex::default(),
            ttl,
        }
    }

    /// The token of session `id`, if open (an expired session is closed).
    pub fn token(&self, id: &str) -> Option<String> {
        let mut t = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let (token, opened) = t.tokens.get(id)?.clone();
        if time::now().saturating_duration_since(opened) >= self.ttl {
            t.tokens.remove(id);
            t.order.retain(|s| s != id);
            return None;
        }
        Some(token)
    }

    /// Open a session: (id, token).
    pub fn open(&self) -> (String, String) {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let token = uuid::Uuid::new_v4().simple().to_string();
        let mut t = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        t.tokens.insert(id.clone(), (token.clone(), time::now()));
        t.order.push_back(id.clone());
        while t.order.len() > MAX_SESSIONS {
            if let Some(old) = t.order.pop_front() {
                t.tokens.remove(&old);
            }
        }
        (id, token)
    }

    /// The open sessions, `[{"cookie", "csrfToken"}]`, oldest first (for the admin API).
    pub fn report(&self) -> serde_json::Value {
        let t = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        t.order
            .iter()
            .filter_map(|id| {
                let (token, _) = t.tokens.get(id)?;
                Some(serde_json::json!({"cookie": id, "csrfToken": token}))
            })
            .collect()
    }

    /// Close every session (the admin API's `DELETE /_arraysim/sessions`); how many.
    pub fn close_all(&self) -> usize {
        let mut t = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let open = t.tokens.len();
        t.tokens.clear();
        t.order.clear();
        open
    }

    /// Close session `id`.
    pub fn close(&self, id: &str) {
        let mut t = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        t.tokens.remove(id);
        t.order.retain(|s| s != id);
    }
}

/// The session cookie's value in `headers`.
pub fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .find_map(|c| c.strip_prefix(COOKIE).and_then(|r| r.strip_prefix('=')))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_open_and_close() {
        let s = Sessions::default();
        let (id, token) = s.open();
        assert_eq!(s.token(&id), Some(token));
        s.close(&id);
        assert_eq!(s.token(&id), None);
        let short = Sessions::with_ttl(Duration::ZERO);
        let (id, _) = short.open();
        assert_eq!(short.token(&id), None, "expired");
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=b; mod_sec_emc=xyz".parse().unwrap());
        assert_eq!(cookie(&h).as_deref(), Some("xyz"));
    }
}
