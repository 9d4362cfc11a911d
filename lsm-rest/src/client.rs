//! [`RestClient`]: one blocking HTTPS client per plugin process (keep-alive connections,
//! cookies), [`Request`] and [`Response`].
//!
//! Every request runs within `min(call timeout, time left to its deadline)`, connect
//! included. A 2xx answer is a [`Response`]; any other status is
//! [`RestError::Status`](crate::RestError::Status) carrying status, headers and body (or,
//! with [`RestClient::send_any_status`], a `Response` too). Each request is logged at
//! `debug` (method, redacted URL, status, duration); `trace` adds the redacted bodies.
//! Header values are never logged.

use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, CONTENT_TYPE, COOKIE, HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

pub use reqwest::Method;

use crate::config::{Auth, RestConfig, Secret};
use crate::cookies::SessionCookies;
use crate::deadline::Deadline;
use crate::error::{HttpError, Limits, RestError, Result, classify, decode_json};
use crate::redact::{SecretValues, body_excerpt, is_secret_name, redact_json, redact_url};

/// One HTTP request: method, path (or a full href on the same array), query, headers, JSON
/// body and deadline. Cheap to clone (paging re-sends it with other query values).
#[derive(Clone)]
pub struct Request {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<std::result::Result<Value, String>>,
    deadline: Option<Deadline>,
}

impl Request {
    /// A request for `path` (`/api/storage/volumes`; may carry a query, or be an absolute
    /// URL on the array itself, as a vendor's next-page href is).
    pub fn new(method: Method, path: impl Into<String>) -> Request {
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            deadline: None,
        }
    }

    /// `GET path`.
    pub fn get(path: impl Into<String>) -> Request {
        Request::new(Method::GET, path)
    }

    /// `POST path`.
    pub fn post(path: impl Into<String>) -> Request {
        Request::new(Method::POST, path)
    }

    /// `PUT path`.
    pub fn put(path: impl Into<String>) -> Request {
        Request::new(Method::PUT, path)
    }

    /// `PATCH path`.
    pub fn patch(path: impl Into<String>) -> Request {
        Request::new(Method::PATCH, path)
    }

    /// `DELETE path`.
    pub fn delete(path: impl Into<String>) -> Request {
        Request::new(Method::DELETE, path)
    }

    /// Adds a query parameter.
    pub fn query(mut self, key: &str, value: impl ToString) -> Request {
        self.query.push((key.to_string(), value.to_string()));
        self
    }

    /// Sets a query parameter, replacing any of the same key (a page number).
    pub fn set_query(&mut self, key: &str, value: impl ToString) {
        self.query.retain(|(name, _)| name != key);
        self.query.push((key.to_string(), value.to_string()));
    }

    /// Adds a header for this request only (a CSRF token). Its value is never logged, and
    /// cut out of error messages when its name is secret-like.
    pub fn header(mut self, name: &str, value: &str) -> Request {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Sets the JSON body (`Content-Type: application/json`). A value that does not
    /// serialize fails at send as `PLUGIN_BUG`.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Request {
        self.body = Some(serde_json::to_value(body).map_err(|error| error.to_string()));
        self
    }

    /// Bounds the request by the call's deadline (else the client's timeout from now).
    pub fn deadline(mut self, deadline: Deadline) -> Request {
        self.deadline = Some(deadline);
        self
    }

    /// The same request (method, headers, body, deadline) to another href, without the
    /// query: how a next-page link is followed.
    pub(crate) fn with_path(&self, href: String) -> Request {
        Request {
            path: href,
            query: Vec::new(),
            ..self.clone()
        }
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path or href as given.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The deadline set with [`Request::deadline`], if any.
    pub fn deadline_of(&self) -> Option<Deadline> {
        self.deadline
    }
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let query: Vec<(&str, &str)> = self
            .query
            .iter()
            .map(|(key, value)| {
                let value = if is_secret_name(key) {
                    crate::redact::REDACTED
                } else {
                    value.as_str()
                };
                (key.as_str(), value)
            })
            .collect();
        let headers: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &query)
            .field("headers", &headers)
            .field(
                "body",
                &self.body.as_ref().map(|b| b.as_ref().map(redact_json)),
            )
            .finish()
    }
}

/// A 2xx answer (or any answer, from [`RestClient::send_any_status`]).
pub struct Response {
    request: String,
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Response {
    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The headers (they may hold secrets: never log them).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// One header's value, if present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The raw body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body decoded as `T`; an error names the JSON path that did not fit (`PLUGIN_BUG`).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        decode_json(&self.request, &self.body)
    }

    /// The request as it may be shown (`GET https://host/api/x`, secrets redacted).
    pub fn request(&self) -> &str {
        &self.request
    }
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<&str> = self.headers.keys().map(HeaderName::as_str).collect();
        f.debug_struct("Response")
            .field("request", &self.request)
            .field("status", &self.status)
            .field("headers", &headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// The HTTP client of one plugin process: base URL, TLS, auth, headers, cookie jar, pooled
/// keep-alive connections and the call timeout.
pub struct RestClient {
    http: reqwest::blocking::Client,
    base_url: Url,
    auth: Auth,
    headers: Vec<(HeaderName, HeaderValue)>,
    timeout: Duration,
    tls_verify: bool,
    secrets: SecretValues,
    cookies: SessionCookies,
}

impl std::fmt::Debug for RestClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestClient")
            .field("base_url", &self.base_url.as_str())
            .field("timeout", &self.timeout)
            .field("tls_verify", &self.tls_verify)
            .finish_non_exhaustive()
    }
}

impl RestClient {
    /// Builds the client (TLS roots, cookie jar, connection pool). Errors are `Config`
    /// (`INVALID_ARGUMENT`).
    pub fn new(config: RestConfig) -> Result<RestClient> {
        #[cfg(feature = "fuzzing")]
        let http = if crate::fuzzing::responding() {
            crate::fuzzing::idle_http()
        } else {
            build_http(&config)?
        };
        #[cfg(not(feature = "fuzzing"))]
        let http = build_http(&config)?;
        let mut secrets = SecretValues::new();
        match &config.auth {
            Auth::None => {}
            Auth::Basic { password, .. } => secrets.add(password.expose()),
            Auth::Bearer(token) => secrets.add(token.expose()),
        }
        let mut client = RestClient {
            http,
            base_url: config.base_url,
            auth: config.auth,
            headers: Vec::new(),
            timeout: config.timeout,
            tls_verify: config.tls.verify,
            secrets,
            cookies: SessionCookies::default(),
        };
        for (name, value) in &config.headers {
            client.set_header(name, value)?;
        }
        Ok(client)
    }

    /// The URL paths are resolved against.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The call timeout applied to each request.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Changes the call timeout (the plugin's `set_timeout`).
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// The deadline of a call starting now: the call timeout from now.
    pub fn deadline(&self) -> Deadline {
        Deadline::after(self.timeout)
    }

    /// Replaces the auth with `Authorization: Bearer <token>` (a login's token).
    pub fn set_bearer_token(&mut self, token: &str) {
        self.forget_auth_secret();
        self.secrets.add(token);
        self.auth = Auth::Bearer(Secret::new(token));
    }

    /// Replaces the auth (e.g. [`Auth::None`] before a login call).
    pub fn set_auth(&mut self, auth: Auth) {
        self.forget_auth_secret();
        match &auth {
            Auth::None => {}
            Auth::Basic { password, .. } => self.secrets.add(password.expose()),
            Auth::Bearer(token) => self.secrets.add(token.expose()),
        }
        self.auth = auth;
    }

    fn forget_auth_secret(&mut self) {
        if let Auth::Bearer(old) = &self.auth {
            self.secrets.remove(old.expose());
        }
    }

    /// Sets a header sent with every request, replacing one of the same name (Unity's
    /// `X-EMC-REST-CLIENT: true`, or its `EMC-CSRF-TOKEN` once known). Values of
    /// secret-like names are cut out of error messages.
    pub fn set_header(&mut self, name: &str, value: &str) -> Result<()> {
        let (name, value) = header_pair(name, value)?;
        if is_secret_name(name.as_str())
            && let Ok(text) = value.to_str()
        {
            self.secrets.add(text);
        }
        self.headers.retain(|(known, _)| *known != name);
        self.headers.push((name, value));
        Ok(())
    }

    /// Stops sending a header set with [`RestClient::set_header`].
    pub fn remove_header(&mut self, name: &str) {
        self.headers
            .retain(|(known, _)| !known.as_str().eq_ignore_ascii_case(name));
    }

    /// Remembers a secret value to cut out of messages (e.g. a password sent in a login body).
    pub fn add_secret(&mut self, value: &str) {
        self.secrets.add(value);
    }

    /// The full URL a request goes to: `path` resolved against the base URL, then the query.
    /// An absolute href on another host is refused (`PLUGIN_BUG`): credentials go to the
    /// array only.
    pub fn url_for(&self, request: &Request) -> Result<Url> {
        let mut url = self.base_url.join(&request.path).map_err(|error| {
            RestError::Unexpected(format!(
                "{} {:?}: not a valid path: {error}",
                request.method, request.path
            ))
        })?;
        if url.origin() != self.base_url.origin() {
            return Err(RestError::Unexpected(format!(
                "{} {}: the link leads off the array ({}); not followed",
                request.method,
                redact_url(&url),
                self.base_url
            )));
        }
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&request.query);
        }
        Ok(url)
    }

    /// Sends a request; a non-2xx answer is [`RestError::Status`].
    pub fn send(&self, request: &Request) -> Result<Response> {
        let response = self.send_any_status(request)?;
        if (200..300).contains(&response.status) {
            return Ok(response);
        }
        Err(HttpError::new(
            response.request,
            response.status,
            response.headers,
            response.body,
            &self.request_secrets(request),
        )
        .into())
    }

    /// Sends a request and decodes a 2xx body as `T`.
    pub fn send_json<T: DeserializeOwned>(&self, request: &Request) -> Result<T> {
        self.send(request)?.json()
    }

    /// Sends a request and returns the answer whatever its status (transport failures are
    /// still errors).
    pub fn send_any_status(&self, request: &Request) -> Result<Response> {
        let url = self.url_for(request)?;
        let shown = format!("{} {}", request.method, redact_url(&url));
        let deadline = request.deadline.unwrap_or_else(|| self.deadline());
        let Some(left) = deadline.remaining() else {
            return Err(RestError::Timeout(format!(
                "{shown}: the call's deadline passed before this request (call timeout {:?})",
                self.timeout
            )));
        };
        // Without a deadline of its own the request gets the call timeout, exactly.
        let timeout = match request.deadline {
            Some(_) => left.min(self.timeout),
            None => self.timeout,
        };
        let secrets = self.request_secrets(request);
        #[cfg(feature = "fuzzing")]
        if let Some(canned) = crate::fuzzing::answer(&request.method, &url) {
            return self.canned_response(shown, canned);
        }
        #[cfg(feature = "fuzzing")]
        let recorded_url = url.clone();

        let mut builder = self
            .http
            .request(request.method.clone(), url)
            .timeout(timeout)
            .header(ACCEPT, "application/json");
        builder = match &self.auth {
            Auth::None => builder,
            Auth::Basic { user, password } => builder.basic_auth(user, Some(password.expose())),
            Auth::Bearer(token) => builder.bearer_auth(token.expose()),
        };
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            headers.insert(name.clone(), value.clone());
        }
        if let Some(cookie) = self.cookies.header() {
            headers.insert(COOKIE, cookie);
        }
        for (name, value) in &request.headers {
            let (name, value) = header_pair(name, value)?;
            headers.insert(name, value);
        }
        builder = builder.headers(headers);
        if let Some(body) = &request.body {
            let body = body.as_ref().map_err(|error| {
                RestError::Unexpected(format!(
                    "{shown}: the JSON body does not serialize: {error}"
                ))
            })?;
            tracing::trace!(request = %shown, body = %secrets.scrub(&redact_json(body).to_string()), "request body");
            let bytes = serde_json::to_vec(body).map_err(|error| {
                RestError::Unexpected(format!(
                    "{shown}: the JSON body does not serialize: {error}"
                ))
            })?;
            builder = builder.header(CONTENT_TYPE, "application/json").body(bytes);
        }

        let started = Instant::now();
        let failed = |error: reqwest::Error| {
            let limits = Limits {
                request: timeout,
                call: self.timeout,
            };
            let error = classify(&error, &shown, limits, self.tls_verify, &secrets);
            tracing::debug!(
                method = %request.method,
                url = %shown,
                elapsed_ms = started.elapsed().as_millis() as u64,
                error = %error,
                "request failed"
            );
            error
        };
        let answer = builder.send().map_err(failed)?;
        let status = answer.status().as_u16();
        let headers = answer.headers().clone();
        self.cookies.store(&headers);
        let secrets = self.request_secrets(request);
        let body = answer.bytes().map_err(failed)?.to_vec();
        tracing::debug!(
            method = %request.method,
            url = %shown,
            status,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "request"
        );
        tracing::trace!(request = %shown, status, body = %body_excerpt(&body, &secrets), "response body");
        #[cfg(feature = "fuzzing")]
        crate::fuzzing::record(
            &request.method,
            &recorded_url,
            &crate::fuzzing::CannedAnswer {
                status,
                headers: headers
                    .iter()
                    .filter_map(|(name, value)| {
                        Some((name.to_string(), value.to_str().ok()?.to_string()))
                    })
                    .collect(),
                body: body.clone(),
            },
        );
        Ok(Response {
            request: shown,
            status,
            headers,
            body,
        })
    }

    /// A responder's answer as the network's would be: a `Response`, or a failed
    /// connection.
    #[cfg(feature = "fuzzing")]
    fn canned_response(
        &self,
        shown: String,
        canned: Option<crate::fuzzing::CannedAnswer>,
    ) -> Result<Response> {
        let Some(canned) = canned else {
            return Err(RestError::Network(format!(
                "{shown}: connection closed (no canned answer left)"
            )));
        };
        let mut headers = HeaderMap::new();
        for (name, value) in &canned.headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                headers.append(name, value);
            }
        }
        self.cookies.store(&headers);
        Ok(Response {
            request: shown,
            status: canned.status,
            headers,
            body: canned.body,
        })
    }

    /// The client's known secrets plus this request's secret-named header values.
    fn request_secrets(&self, request: &Request) -> SecretValues {
        let mut secrets = self.secrets.clone();
        for value in self.cookies.values() {
            secrets.add(&value);
        }
        for (name, value) in &request.headers {
            if is_secret_name(name) {
                secrets.add(value);
            }
        }
        secrets
    }
}

/// The reqwest client of a config: rustls, the TLS options, no redirects.
fn build_http(config: &RestConfig) -> Result<reqwest::blocking::Client> {
    let mut builder = reqwest::blocking::Client::builder()
        .use_rustls_tls()
        .timeout(None)
        // A redirect is an error the vendor sees (credentials never follow one).
        .redirect(reqwest::redirect::Policy::none())
        .danger_accept_invalid_certs(!config.tls.verify);
    for der in &config.tls.extra_roots {
        let cert = reqwest::Certificate::from_der(der).map_err(|error| {
            RestError::Config(format!(
                "ca_cert={}: not a usable certificate: {error}",
                ca_cert_name(config)
            ))
        })?;
        builder = builder.add_root_certificate(cert);
    }
    builder.build().map_err(|error| {
        RestError::Config(format!(
            "cannot set up the HTTPS client (ca_cert={}): {}",
            ca_cert_name(config),
            crate::error::top_line_without_url(&error)
        ))
    })
}

fn header_pair(name: &str, value: &str) -> Result<(HeaderName, HeaderValue)> {
    let header_name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| RestError::Unexpected(format!("{name:?} is not a valid header name")))?;
    let mut header_value = HeaderValue::from_str(value).map_err(|_| {
        RestError::Unexpected(format!(
            "the value of header {name} is not valid header text"
        ))
    })?;
    if is_secret_name(name) {
        header_value.set_sensitive(true);
    }
    Ok((header_name, header_value))
}

fn ca_cert_name(config: &RestConfig) -> String {
    config
        .tls
        .ca_cert
        .as_ref()
        .map(|path| path.display().to_string())
        .unwrap_or_else(|| "-".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_is_send_and_sync() {
        fn shareable<T: Send + Sync>() {}
        shareable::<RestClient>();
        shareable::<Request>();
        shareable::<Response>();
    }

    fn config(headers: &[(&str, &str)]) -> Result<RestConfig> {
        Ok(RestConfig {
            base_url: Url::parse("https://array:8443/")
                .map_err(|error| RestError::Config(error.to_string()))?,
            tls: Default::default(),
            auth: Auth::None,
            timeout: Duration::from_secs(5),
            headers: headers
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect(),
        })
    }

    #[test]
    fn paths_resolve_on_the_array_only() -> Result<()> {
        let client = RestClient::new(config(&[("X-EMC-REST-CLIENT", "true")])?)?;
        let url = client.url_for(&Request::get("/api/x?start=2").query("fields", "a b"))?;
        assert_eq!(url.as_str(), "https://array:8443/api/x?start=2&fields=a+b");
        let full = client.url_for(&Request::get("https://array:8443/api/y"))?;
        assert_eq!(full.path(), "/api/y");
        let off = client
            .url_for(&Request::get("https://other:8443/api/y"))
            .unwrap_err();
        assert_eq!(off.error_number(), lsm_core::ErrorNumber::PLUGIN_BUG);
        assert!(RestClient::new(config(&[("bad header", "x")])?).is_err());
        Ok(())
    }
}
