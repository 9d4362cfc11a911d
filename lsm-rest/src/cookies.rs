//! [`SessionCookies`]: the cookies one array set (Unity's session cookie), sent back on
//! every later request.
//!
//! Our own, not reqwest's `cookie_store`, which logs every `Set-Cookie` it stores at debug
//! level. A client talks to one array only (off-array links are refused), so the jar keeps
//! name → value and ignores `Domain`, `Path` and `Expires`; `Max-Age=0` or an empty value
//! removes a cookie. Values are never logged.

use std::sync::Mutex;

use reqwest::header::{HeaderMap, HeaderValue, SET_COOKIE};

/// The cookies the array set, in the order it set them.
#[derive(Default)]
pub(crate) struct SessionCookies {
    cookies: Mutex<Vec<(String, String)>>,
}

impl SessionCookies {
    /// Takes the `Set-Cookie` headers of an answer.
    pub(crate) fn store(&self, headers: &HeaderMap) {
        let mut cookies = self
            .cookies
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        for header in headers.get_all(SET_COOKIE) {
            let Ok(text) = header.to_str() else { continue };
            let mut parts = text.split(';');
            let Some((name, value)) = parts.next().and_then(|pair| pair.split_once('=')) else {
                continue;
            };
            let (name, value) = (name.trim(), value.trim());
            if name.is_empty() {
                continue;
            }
            let expired = parts.any(|attribute| {
                attribute.split_once('=').is_some_and(|(key, age)| {
                    key.trim().eq_ignore_ascii_case("max-age")
                        && age.trim().parse::<i64>().is_ok_and(|age| age <= 0)
                })
            });
            cookies.retain(|(known, _)| known != name);
            if !expired && !value.is_empty() {
                cookies.push((name.to_string(), value.to_string()));
            }
        }
    }

    /// The `Cookie` header to send, if any cookie is set (marked sensitive).
    pub(crate) fn header(&self) -> Option<HeaderValue> {
        let cookies = self
            .cookies
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if cookies.is_empty() {
            return None;
        }
        let joined = cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut value = HeaderValue::from_str(&joined).ok()?;
        value.set_sensitive(true);
        Some(value)
    }

    /// The cookie values, to cut out of messages.
    pub(crate) fn values(&self) -> Vec<String> {
        let cookies = self
            .cookies
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        cookies.iter().map(|(_, value)| value.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(jar: &SessionCookies, values: &[&str]) {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(SET_COOKIE, HeaderValue::from_str(value).expect("header"));
        }
        jar.store(&headers);
    }

    #[test]
    fn keeps_replaces_and_removes() {
        let jar = SessionCookies::default();
        assert!(jar.header().is_none());
        set(&jar, &["a=1; Path=/; HttpOnly", "b=2; Secure"]);
        assert_eq!(
            jar.header().as_ref().and_then(|v| v.to_str().ok()),
            Some("a=1; b=2")
        );
        set(&jar, &["a=3"]);
        assert_eq!(
            jar.header().as_ref().and_then(|v| v.to_str().ok()),
            Some("b=2; a=3")
        );
        set(&jar, &["b=x; Max-Age=0", "junk", "=v"]);
        assert_eq!(
            jar.header().as_ref().and_then(|v| v.to_str().ok()),
            Some("a=3")
        );
        assert_eq!(jar.values(), vec!["3".to_string()]);
        assert!(jar.header().is_some_and(|v| v.is_sensitive()));
    }
}
