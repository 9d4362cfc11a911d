//! Login sessions: a request with valid Basic auth and no (known) session
//! cookie opens a session — the reply sets cookie `mod_sec_emc` and
//! carries header `EMC-CSRF-TOKEN`. Later requests may present the cookie
//! instead of Basic auth; POST and DELETE must carry the session's token in
//! `EMC-CSRF-TOKEN`. Sessions live in memory only (a restart logs everyone
//! out, as a reboot of the array does); the oldest are forgotten beyond
//! [`MAX_SESSIONS`].

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use axum::http::{HeaderMap, header};

/// The session cookie's name.
pub const COOKIE: &str = "mod_sec_emc";
/// The CSRF header.
pub const CSRF_HEADER: &str = "emc-csrf-token";
/// How many sessions are kept.
pub const MAX_SESSIONS: usize = 4096;

/// The open sessions: id → CSRF token.
#[derive(Debug, Default)]
pub struct Sessions {
    inner: Mutex<Table>,
}

#[derive(Debug, Default)]
struct Table {
    tokens: HashMap<String, String>,
    order: VecDeque<String>,
}

impl Sessions {
    /// The token of session `id`, if open.
    pub fn token(&self, id: &str) -> Option<String> {
        let t = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        t.tokens.get(id).cloned()
    }

    /// Open a session: (id, token).
    pub fn open(&self) -> (String, String) {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let token = uuid::Uuid::new_v4().simple().to_string();
        let mut t = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        t.tokens.insert(id.clone(), token.clone());
        t.order.push_back(id.clone());
        while t.order.len() > MAX_SESSIONS {
            if let Some(old) = t.order.pop_front() {
                t.tokens.remove(&old);
            }
        }
        (id, token)
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
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=b; mod_sec_emc=xyz".parse().unwrap());
        assert_eq!(cookie(&h).as_deref(), Some("xyz"));
    }
}
