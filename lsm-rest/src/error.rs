//! The crate's one error type, [`RestError`], and the mapping of transport failures to it.
//!
//! Each variant knows its [`ErrorNumber`] ([`RestError::error_number`]); `From<RestError> for
//! LsmError` keeps the message, which is built from redacted URLs and scrubbed text only, so
//! it never holds a password, token or cookie.
//!
//! | failure | variant | `ErrorNumber` |
//! |---|---|---|
//! | bad URI option, unreadable `ca_cert` | `Config` | `INVALID_ARGUMENT` |
//! | connection refused | `ConnectionRefused` | `NETWORK_CONNREFUSED` |
//! | DNS failure, host or network unreachable | `HostDown` | `NETWORK_HOSTDOWN` |
//! | reset, closed, TLS handshake failure | `Network` | `NETWORK_ERROR` |
//! | certificate not trusted | `UntrustedCertificate` | `NETWORK_ERROR` |
//! | call timeout or deadline reached | `Timeout` | `TIMEOUT` |
//! | HTTP status not 2xx | `Status` | see [`HttpError::error_number`] |
//! | body is not the expected JSON | `Decode` | `PLUGIN_BUG` |
//! | the plugin's own mistake (bad path, paging loop) | `Unexpected` | `PLUGIN_BUG` |
//!
//! A body that does not decode is `PLUGIN_BUG`, not `TRANSPORT_SERIALIZATION`: the latter
//! is about LSM's own IPC frames, while this is the plugin meeting an answer it was not
//! written for (a bug, or an array version it does not know).

use std::error::Error as StdError;
use std::io;

use lsm_core::{ErrorNumber, LsmError};
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use crate::redact::{SecretValues, body_excerpt};

/// The crate's `Result`.
pub type Result<T, E = RestError> = std::result::Result<T, E>;

/// Why a request failed. Every message is safe to show (no secret in it).
#[derive(Debug, thiserror::Error)]
pub enum RestError {
    /// A URI option or setting is wrong (`INVALID_ARGUMENT`).
    #[error("{0}")]
    Config(String),
    /// The array refused the connection (`NETWORK_CONNREFUSED`).
    #[error("{0}")]
    ConnectionRefused(String),
    /// The array's name does not resolve or its host is unreachable (`NETWORK_HOSTDOWN`).
    #[error("{0}")]
    HostDown(String),
    /// The connection failed otherwise: reset, closed, TLS handshake (`NETWORK_ERROR`).
    #[error("{0}")]
    Network(String),
    /// The array's certificate is not trusted; the message names the URI options
    /// (`NETWORK_ERROR`).
    #[error("{0}")]
    UntrustedCertificate(String),
    /// The call timeout or the call's deadline was reached (`TIMEOUT`).
    #[error("{0}")]
    Timeout(String),
    /// The array answered with a status that is not 2xx (boxed: it carries the body).
    #[error(transparent)]
    Status(Box<HttpError>),
    /// The body is not the JSON the plugin expected (`PLUGIN_BUG`).
    #[error("{0}")]
    Decode(String),
    /// The plugin asked for something impossible: a bad path, a paging loop (`PLUGIN_BUG`).
    #[error("{0}")]
    Unexpected(String),
}

impl RestError {
    /// The LSM error code this error maps to.
    pub fn error_number(&self) -> ErrorNumber {
        match self {
            RestError::Config(_) => ErrorNumber::INVALID_ARGUMENT,
            RestError::ConnectionRefused(_) => ErrorNumber::NETWORK_CONNREFUSED,
            RestError::HostDown(_) => ErrorNumber::NETWORK_HOSTDOWN,
            RestError::Network(_) | RestError::UntrustedCertificate(_) => {
                ErrorNumber::NETWORK_ERROR
            }
            RestError::Timeout(_) => ErrorNumber::TIMEOUT,
            RestError::Status(http) => http.error_number(),
            RestError::Decode(_) | RestError::Unexpected(_) => ErrorNumber::PLUGIN_BUG,
        }
    }

    /// The HTTP error, if the array answered with a non-2xx status.
    pub fn http(&self) -> Option<&HttpError> {
        match self {
            RestError::Status(http) => Some(http),
            _ => None,
        }
    }

    /// The HTTP status, if the array answered with a non-2xx one.
    pub fn status(&self) -> Option<u16> {
        self.http().map(|http| http.status)
    }

    /// Whether trying again may help: a reset connection, or HTTP 429/502/503 (the array
    /// busy or restarting). The default predicate for [`crate::retry`].
    pub fn is_transient(&self) -> bool {
        match self {
            RestError::Network(_) => true,
            RestError::Status(http) => matches!(http.status, 429 | 502 | 503),
            _ => false,
        }
    }
}

impl From<HttpError> for RestError {
    fn from(error: HttpError) -> RestError {
        RestError::Status(Box::new(error))
    }
}

impl From<RestError> for LsmError {
    fn from(error: RestError) -> LsmError {
        LsmError::new(error.error_number(), error.to_string())
    }
}

/// A non-2xx answer: status, headers and body, for the vendor code to map its own error
/// JSON ([`HttpError::json`]); [`HttpError::error_number`] is the mapping when it does not.
#[derive(Debug)]
pub struct HttpError {
    /// The request as it may be shown (`GET https://host/api/x`, secrets redacted).
    pub request: String,
    /// The HTTP status code.
    pub status: u16,
    /// The answer's headers (they may hold secrets: never log them).
    pub headers: HeaderMap,
    /// The raw body (it may hold secrets: never log it; the Display shows a scrubbed excerpt).
    pub body: Vec<u8>,
    excerpt: String,
}

impl HttpError {
    /// An HTTP error whose Display shows a redacted excerpt of the body.
    pub fn new(
        request: String,
        status: u16,
        headers: HeaderMap,
        body: Vec<u8>,
        secrets: &SecretValues,
    ) -> HttpError {
        let excerpt = body_excerpt(&body, secrets);
        HttpError {
            request,
            status,
            headers,
            body,
            excerpt,
        }
    }

    /// The body as text (lossy UTF-8).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body decoded as the vendor's error JSON.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        decode_json(&self.request, &self.body)
    }

    /// The LSM code for a status no vendor mapping claimed: 401 `PLUGIN_AUTH_FAILED`, 403
    /// `PERMISSION_DENIED`, 408/504 `TIMEOUT`, 429/502/503 `NETWORK_ERROR` (the array busy
    /// or restarting), anything else `PLUGIN_BUG` (the array refused or failed a request
    /// the plugin made and did not expect to fail).
    pub fn error_number(&self) -> ErrorNumber {
        match self.status {
            401 => ErrorNumber::PLUGIN_AUTH_FAILED,
            403 => ErrorNumber::PERMISSION_DENIED,
            408 | 504 => ErrorNumber::TIMEOUT,
            429 | 502 | 503 => ErrorNumber::NETWORK_ERROR,
            _ => ErrorNumber::PLUGIN_BUG,
        }
    }

    /// The unmapped error as an `LsmError` ([`HttpError::error_number`], the Display text).
    pub fn into_lsm_error(self) -> LsmError {
        LsmError::new(self.error_number(), self.to_string())
    }
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.status {
            401 => " (authentication failed: check the user and password)",
            403 => " (permission denied: the user's role does not allow this)",
            _ => "",
        };
        write!(f, "{}: HTTP {}{what}", self.request, self.status)?;
        if !self.excerpt.is_empty() {
            write!(f, ": {}", self.excerpt)?;
        }
        Ok(())
    }
}

impl std::error::Error for HttpError {}

/// Decodes a JSON body; the error names the path of the value that did not fit
/// (`records[2].size`) and is `PLUGIN_BUG`.
pub(crate) fn decode_json<T: DeserializeOwned>(request: &str, body: &[u8]) -> Result<T> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        RestError::Decode(format!(
            "{request}: the answer is not the expected JSON at `{path}`: {}",
            serde_error_category(&inner)
        ))
    })
}

/// serde_json's message without the offending value (which could be a secret): its category
/// and position.
fn serde_error_category(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let kind = match error.classify() {
        Category::Io => "I/O error",
        Category::Syntax => "not JSON",
        Category::Data => "a value of the wrong type or shape",
        Category::Eof => "the body ends early",
    };
    let text = error.to_string();
    // "invalid type: string \"x\", expected u64 at line 1 column 9": keep what was expected.
    let expected = text
        .split_once("expected ")
        .map(|(_, rest)| format!(" (expected {rest})"))
        .unwrap_or_else(|| format!(" (line {} column {})", error.line(), error.column()));
    format!("{kind}{expected}")
}

/// The time a request was given, and the call timeout.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// What this request was allowed: the call timeout, or less when the deadline was near.
    pub(crate) request: std::time::Duration,
    /// The client's call timeout.
    pub(crate) call: std::time::Duration,
}

/// Maps a reqwest failure of `request` (redacted) to a [`RestError`].
pub(crate) fn classify(
    error: &reqwest::Error,
    request: &str,
    limits: Limits,
    tls_verify: bool,
    secrets: &SecretValues,
) -> RestError {
    let cause = secrets.scrub(&cause_text(error));
    let mut refused = false;
    let mut host_down = false;
    let mut timed_out = error.is_timeout();
    let mut tls: Option<&rustls::Error> = None;
    let mut dns = false;
    for link in chain(error) {
        if let Some(rustls_error) = link.downcast_ref::<rustls::Error>() {
            tls.get_or_insert(rustls_error);
        }
        if let Some(io_error) = link.downcast_ref::<io::Error>() {
            match io_error.kind() {
                io::ErrorKind::ConnectionRefused => refused = true,
                io::ErrorKind::HostUnreachable
                | io::ErrorKind::NetworkUnreachable
                | io::ErrorKind::AddrNotAvailable => host_down = true,
                io::ErrorKind::TimedOut => timed_out = true,
                _ => {}
            }
        }
        if link.to_string().starts_with("dns error") {
            dns = true;
        }
    }
    if timed_out {
        let Limits {
            request: allowed,
            call,
        } = limits;
        return RestError::Timeout(if allowed < call {
            format!("{request}: no answer within the {allowed:?} left before the call's deadline")
        } else {
            format!("{request}: no answer within the call timeout ({call:?})")
        });
    }
    if let Some(tls_error) = tls {
        if let (rustls::Error::InvalidCertificate(cert_error), true) = (tls_error, tls_verify) {
            return RestError::UntrustedCertificate(untrusted_message(request, cert_error));
        }
        return RestError::Network(format!("{request}: TLS handshake failed: {cause}"));
    }
    if refused {
        return RestError::ConnectionRefused(format!("{request}: connection refused: {cause}"));
    }
    if dns || host_down {
        return RestError::HostDown(format!("{request}: host unreachable: {cause}"));
    }
    if error.is_builder() {
        return RestError::Unexpected(format!("{request}: cannot build the request: {cause}"));
    }
    RestError::Network(format!("{request}: {cause}"))
}

/// What to tell the operator about a certificate the client refused: which URI option helps.
fn untrusted_message(request: &str, error: &rustls::CertificateError) -> String {
    use rustls::CertificateError as Cert;
    match error {
        Cert::NotValidForName | Cert::NotValidForNameContext { .. } => format!(
            "{request}: the array's TLS certificate is not issued for this host name ({error}); \
             connect with a name the certificate holds, or add `no_ssl_verify=yes` to the URI \
             to skip the check"
        ),
        Cert::Expired
        | Cert::ExpiredContext { .. }
        | Cert::NotValidYet
        | Cert::NotValidYetContext { .. } => format!(
            "{request}: the array's TLS certificate is outside its validity period ({error}); \
             renew it on the array (or check this host's clock), or add `no_ssl_verify=yes` to \
             the URI to skip the check"
        ),
        _ => format!(
            "{request}: the array's TLS certificate is not trusted ({error}); add \
             `ca_cert=PATH` (a PEM file of the CA that signed it) to the URI, or \
             `no_ssl_verify=yes` to skip the check"
        ),
    }
}

/// Every error of the chain, looking inside `io::Error`s too (whose `source()` skips the
/// error they wrap).
fn chain<'a>(error: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut links = Vec::new();
    let mut next: Option<&'a (dyn StdError + 'static)> = Some(error);
    while let Some(link) = next {
        links.push(link);
        if let Some(io_error) = link.downcast_ref::<io::Error>()
            && let Some(inner) = io_error.get_ref()
        {
            let inner: &'a (dyn StdError + 'static) = inner;
            next = Some(inner);
            continue;
        }
        next = link.source();
    }
    links
}

/// The causes below reqwest's own top line (which holds the URL), joined by `: `.
fn cause_text(error: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for link in chain(error).into_iter().skip(1) {
        let text = link.to_string();
        // hyper-util's "client error (Connect)" says nothing the next cause does not.
        if text.starts_with("client error (") {
            continue;
        }
        if !parts.iter().any(|seen| seen.contains(&text)) {
            parts.push(text);
        }
    }
    if parts.is_empty() {
        parts.push(top_line_without_url(error));
    }
    parts.join(": ")
}

/// reqwest's own message without the URL it names.
pub(crate) fn top_line_without_url(error: &reqwest::Error) -> String {
    let text = error.to_string();
    match error.url() {
        Some(url) => text.replace(url.as_str(), ""),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16, body: &str) -> HttpError {
        let mut secrets = SecretValues::new();
        secrets.add("hunter2");
        HttpError::new(
            "GET https://h/x".into(),
            status,
            HeaderMap::new(),
            body.as_bytes().to_vec(),
            &secrets,
        )
    }

    #[test]
    fn statuses_map_to_lsm_codes() {
        assert_eq!(
            http(401, "").error_number(),
            ErrorNumber::PLUGIN_AUTH_FAILED
        );
        assert_eq!(http(403, "").error_number(), ErrorNumber::PERMISSION_DENIED);
        assert_eq!(http(504, "").error_number(), ErrorNumber::TIMEOUT);
        assert_eq!(http(503, "").error_number(), ErrorNumber::NETWORK_ERROR);
        assert_eq!(http(500, "").error_number(), ErrorNumber::PLUGIN_BUG);
        assert_eq!(http(404, "").error_number(), ErrorNumber::PLUGIN_BUG);
        let lsm = http(500, "{\"error\":\"boom\"}").into_lsm_error();
        assert_eq!(lsm.code, ErrorNumber::PLUGIN_BUG);
        assert!(lsm.message.contains("HTTP 500") && lsm.message.contains("boom"));
    }

    #[test]
    fn http_error_display_scrubs_secrets() {
        let error = http(
            401,
            "{\"password\":\"x\",\"message\":\"bad password hunter2\"}",
        );
        let text = error.to_string();
        assert!(
            !text.contains("hunter2") && !text.contains("\"x\""),
            "{text}"
        );
        assert!(text.contains("authentication failed"));
    }

    #[test]
    fn decode_error_names_the_path() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Item {
            size: u64,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Page {
            records: Vec<Item>,
        }
        let body = br#"{"records":[{"size":1},{"size":"secret-ish"}]}"#;
        let error = decode_json::<Page>("GET https://h/api/x", body).unwrap_err();
        assert_eq!(error.error_number(), ErrorNumber::PLUGIN_BUG);
        let text = error.to_string();
        assert!(text.contains("records[1].size"), "{text}");
        assert!(!text.contains("secret-ish"), "{text}");
        let not_json = decode_json::<Page>("GET https://h/api/x", b"<html>").unwrap_err();
        assert!(not_json.to_string().contains("not JSON"));
    }

    #[test]
    fn transient_errors() {
        assert!(RestError::Network("x".into()).is_transient());
        assert!(RestError::from(http(503, "")).is_transient());
        assert!(!RestError::from(http(500, "")).is_transient());
        assert!(!RestError::Timeout("x".into()).is_transient());
    }
}
