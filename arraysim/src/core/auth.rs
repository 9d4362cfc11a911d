//! HTTP Basic authentication, as ONTAP checks it on every request.

use axum::http::{self, HeaderMap};
use base64::Engine as _;

/// The one account the simulated array knows.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// User name.
    pub user: String,
    /// Password (never logged).
    pub password: String,
}

impl Credentials {
    /// Whether `headers` carry `Authorization: Basic` for this account.
    pub fn accepts(&self, headers: &HeaderMap) -> bool {
        let Some(value) = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        let Some(encoded) = value
            .strip_prefix("Basic ")
            .or_else(|| value.strip_prefix("basic "))
        else {
            return false;
        };
        let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
            return false;
        };
        let Ok(text) = String::from_utf8(decoded) else {
            return false;
        };
        match text.split_once(':') {
            Some((user, password)) => user == self.user && password == self.password,
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Credentials;
    use axum::http::HeaderMap;

    #[test]
    fn checks_user_and_password() {
        let creds = Credentials {
            user: "admin".into(),
            password: "netapp1!".into(),
        };
        let mut headers = HeaderMap::new();
        assert!(!creds.accepts(&headers));
        // base64("admin:netapp1!")
        headers.insert(
            "authorization",
            "Basic YWRtaW46bmV0YXBwMSE=".parse().unwrap(),
        );
        assert!(creds.accepts(&headers));
        headers.insert("authorization", "Basic YWRtaW46d3Jvbmc=".parse().unwrap());
        assert!(!creds.accepts(&headers));
    }
}
