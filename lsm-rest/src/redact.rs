//! What must never reach a log line or an error message, and how it is hidden: secret-named
//! query parameters and JSON keys become `***`, and the secret values the client knows
//! (password, bearer token, secret headers) are cut out of any text shown.

use serde_json::Value;
use url::Url;

/// What a hidden value is shown as.
pub const REDACTED: &str = "***";

/// How much of a body an error message or a trace line shows.
const EXCERPT_CHARS: usize = 512;

/// Name fragments (lowercase) that make a query key, JSON key or header a secret.
const SECRET_NAME_PARTS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "authorization",
    "cookie",
    "csrf",
    "credential",
    "apikey",
    "api_key",
    "session",
    "chap",
];

/// Whether a query key, JSON key or header name names a secret (`password`, `X-Auth-Token`,
/// `Set-Cookie`, `EMC-CSRF-TOKEN`, `chapSecret`, ...).
pub fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_NAME_PARTS.iter().any(|part| lower.contains(part))
}

/// A URL as it may be shown: secret-named query values are `***`, any user info is dropped.
pub fn redact_url(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    if shown.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(key, value)| {
                let value = if is_secret_name(&key) {
                    REDACTED.to_string()
                } else {
                    value.into_owned()
                };
                (key.into_owned(), value)
            })
            .collect();
        shown.query_pairs_mut().clear().extend_pairs(pairs);
    }
    shown.to_string()
}

/// A copy of a JSON value whose secret-named keys, at any depth, hold `"***"`.
pub fn redact_json(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, item)| {
                    let item = if is_secret_name(key) {
                        Value::String(REDACTED.to_string())
                    } else {
                        redact_json(item)
                    };
                    (key.clone(), item)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact_json).collect()),
        other => other.clone(),
    }
}

/// A body as it may be shown: JSON with secret keys redacted, else the text; at most
/// 512 characters, then the known secrets cut out.
pub fn body_excerpt(body: &[u8], secrets: &SecretValues) -> String {
    let text = match serde_json::from_slice::<Value>(body) {
        Ok(json) => redact_json(&json).to_string(),
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    let text = text.trim();
    let mut excerpt: String = text.chars().take(EXCERPT_CHARS).collect();
    if excerpt.len() < text.len() {
        excerpt.push_str("...");
    }
    secrets.scrub(&excerpt)
}

/// The secret values a client knows (password, token, secret header values): cut out of any
/// text before it is logged or put in an error message.
#[derive(Clone, Default)]
pub struct SecretValues {
    values: Vec<String>,
}

impl SecretValues {
    /// No secret known.
    pub fn new() -> Self {
        Self::default()
    }

    /// Remembers one more secret value (empty values are ignored).
    pub fn add(&mut self, value: &str) {
        if !value.is_empty() && !self.values.iter().any(|known| known == value) {
            self.values.push(value.to_string());
            // Longest first, so a secret containing another is cut whole.
            self.values
                .sort_by_key(|known| std::cmp::Reverse(known.len()));
        }
    }

    /// Forgets one secret value (a replaced token).
    pub fn remove(&mut self, value: &str) {
        self.values.retain(|known| known != value);
    }

    /// The text with every known secret replaced by `***`.
    pub fn scrub(&self, text: &str) -> String {
        let mut scrubbed = text.to_string();
        for value in &self.values {
            if scrubbed.contains(value.as_str()) {
                scrubbed = scrubbed.replace(value.as_str(), REDACTED);
            }
        }
        scrubbed
    }
}

impl std::fmt::Debug for SecretValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretValues({} redacted)", self.values.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_names() {
        for name in [
            "password",
            "Authorization",
            "Set-Cookie",
            "EMC-CSRF-TOKEN",
            "chapSecret",
            "x-auth-token",
            "newPassword",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in ["name", "size", "fields", "max_records", "page"] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn url_query_secrets_are_hidden() -> Result<(), url::ParseError> {
        let url = Url::parse("https://u:p@host/api/x?fields=*&password=hunter2&Token=abc")?;
        let shown = redact_url(&url);
        assert!(!shown.contains("hunter2") && !shown.contains("abc") && !shown.contains("u:p"));
        assert!(
            shown.contains("fields=*") || shown.contains("fields=%2A"),
            "{shown}"
        );
        assert!(shown.contains("password=***") || shown.contains("password=%2A%2A%2A"));
        Ok(())
    }

    #[test]
    fn json_secrets_are_hidden_at_any_depth() {
        let body = json!({"username": "admin", "password": "hunter2",
                          "chap": {"user": "u", "inSecret": "s1"},
                          "list": [{"token": "t"}], "size": 5});
        let shown = redact_json(&body).to_string();
        for secret in ["hunter2", "s1", "\"t\""] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("admin") && shown.contains("\"size\":5"));
    }

    #[test]
    fn known_values_are_scrubbed_from_text() {
        let mut secrets = SecretValues::new();
        secrets.add("hunter2");
        secrets.add("");
        assert_eq!(secrets.scrub("bad password hunter2!"), "bad password ***!");
        assert_eq!(
            body_excerpt(b"{\"msg\":\"bad hunter2\"}", &secrets),
            "{\"msg\":\"bad ***\"}"
        );
        secrets.remove("hunter2");
        assert_eq!(secrets.scrub("hunter2"), "hunter2");
        assert_eq!(format!("{secrets:?}"), "SecretValues(0 redacted)");
    }

    #[test]
    fn long_bodies_are_cut() {
        let body = "x".repeat(2000);
        let excerpt = body_excerpt(body.as_bytes(), &SecretValues::new());
        assert!(excerpt.len() < 600 && excerpt.ends_with("..."));
    }
}
