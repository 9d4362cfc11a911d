//! [`RestConfig`]: what a client is built from, read from the LSM URI and the password of
//! `plugin_register`.
//!
//! - base URL `https://host[:port]/`, the vendor's default port when the URI has none;
//! - `?no_ssl_verify=yes` (also `true`, `1`) turns certificate checks off; `no`, `false`,
//!   `0` or no option leave them on; any other value is `INVALID_ARGUMENT`;
//! - `?ca_cert=PATH`: the PEM certificates in PATH are trusted **in addition to** the
//!   system's roots; a file that cannot be read or holds no PEM certificate is
//!   `INVALID_ARGUMENT` naming the path;
//! - auth: HTTP Basic with the URI's user and the password when the URI has a user, else
//!   none (a vendor with a login call, like NexentaStor, sets [`Auth::None`] and later
//!   [`crate::RestClient::set_bearer_token`]).

use std::path::{Path, PathBuf};
use std::time::Duration;

use lsm_core::Uri;
use lsm_core::plugin::Registration;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use url::Url;

use crate::error::{RestError, Result};

/// A secret string (password, token): its `Debug` is `<redacted>`, and it has no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself: only to put it on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How requests authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// No `Authorization` header.
    None,
    /// HTTP Basic on every request (ONTAP, Unity).
    Basic {
        /// The user name.
        user: String,
        /// The password.
        password: Secret,
    },
    /// `Authorization: Bearer <token>` on every request (NexentaStor after its login).
    Bearer(Secret),
}

/// TLS options from the URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsOptions {
    /// Check the array's certificate (`false` only with `no_ssl_verify=yes`).
    pub verify: bool,
    /// Extra trusted CA certificates (DER), read from `ca_cert=PATH`.
    pub extra_roots: Vec<Vec<u8>>,
    /// The `ca_cert` path they came from, for messages.
    pub ca_cert: Option<PathBuf>,
}

impl Default for TlsOptions {
    fn default() -> Self {
        TlsOptions {
            verify: true,
            extra_roots: Vec::new(),
            ca_cert: None,
        }
    }
}

/// Everything a [`crate::RestClient`] is built from.
#[derive(Debug, Clone)]
pub struct RestConfig {
    /// Where every path is resolved against (`https://host:port/`).
    pub base_url: Url,
    /// Certificate checks and extra roots.
    pub tls: TlsOptions,
    /// How requests authenticate.
    pub auth: Auth,
    /// The LSM call timeout: connect + whole request, for every request.
    pub timeout: Duration,
    /// Headers sent with every request (`X-EMC-REST-CLIENT: true`).
    pub headers: Vec<(String, String)>,
}

impl RestConfig {
    /// The config for a plugin's registration: URI, password, timeout.
    pub fn from_registration(registration: &Registration, default_port: u16) -> Result<Self> {
        RestConfig::from_uri(
            &registration.uri,
            registration.password.as_deref(),
            registration.timeout,
            default_port,
        )
    }

    /// The config for `https://host[:port]` from the URI (see the module docs).
    pub fn from_uri(
        uri: &Uri,
        password: Option<&str>,
        timeout: Duration,
        default_port: u16,
    ) -> Result<Self> {
        let Some(host) = uri.host_for_url() else {
            return Err(RestError::Config(format!(
                "the URI has no host; expected {}://user@host[:port]",
                uri.scheme
            )));
        };
        let port = uri.port.unwrap_or(default_port);
        let base_url = Url::parse(&format!("https://{host}:{port}/")).map_err(|error| {
            RestError::Config(format!("the URI host {host:?} is not valid: {error}"))
        })?;
        let mut tls = TlsOptions {
            verify: !no_ssl_verify(uri)?,
            ..TlsOptions::default()
        };
        if let Some(path) = uri.query_param("ca_cert") {
            let path = PathBuf::from(path);
            tls.extra_roots = read_ca_cert(&path)?;
            tls.ca_cert = Some(path);
        }
        let auth = match &uri.username {
            Some(user) => Auth::Basic {
                user: user.clone(),
                password: Secret::new(password.unwrap_or_default()),
            },
            None => Auth::None,
        };
        Ok(RestConfig {
            base_url,
            tls,
            auth,
            timeout,
            headers: Vec::new(),
        })
    }

    /// The same config with another way to authenticate.
    pub fn with_auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// The same config with one more header on every request.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

/// `no_ssl_verify`: `yes`/`true`/`1` → true; `no`/`false`/`0`/absent → false.
fn no_ssl_verify(uri: &Uri) -> Result<bool> {
    match uri.query_param("no_ssl_verify") {
        None => Ok(false),
        Some(value) => match value.to_ascii_lowercase().as_str() {
            "yes" | "true" | "1" => Ok(true),
            "no" | "false" | "0" => Ok(false),
            _ => Err(RestError::Config(format!(
                "the URI option no_ssl_verify={value:?} is not valid; expected yes or no"
            ))),
        },
    }
}

/// The DER certificates of a PEM file; an unreadable file or one without a certificate is
/// `INVALID_ARGUMENT` naming the path.
pub fn read_ca_cert(path: &Path) -> Result<Vec<Vec<u8>>> {
    let pem = std::fs::read(path).map_err(|error| {
        RestError::Config(format!(
            "ca_cert={}: cannot read the file: {error}",
            path.display()
        ))
    })?;
    let mut roots = Vec::new();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|error| {
            RestError::Config(format!(
                "ca_cert={}: not a valid PEM certificate file: {error}",
                path.display()
            ))
        })?;
        roots.push(cert.as_ref().to_vec());
    }
    if roots.is_empty() {
        return Err(RestError::Config(format!(
            "ca_cert={}: the file holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            path.display()
        )));
    }
    Ok(roots)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsm_core::ErrorNumber;

    fn config(uri: &str) -> Result<RestConfig> {
        let uri = Uri::parse(uri).map_err(|e| RestError::Config(e.message))?;
        RestConfig::from_uri(&uri, Some("pw"), Duration::from_secs(30), 443)
    }

    #[test]
    fn base_url_port_and_auth() -> Result<()> {
        let plain = config("ontap://admin@filer")?;
        assert_eq!(plain.base_url.as_str(), "https://filer/");
        assert_eq!(plain.base_url.port_or_known_default(), Some(443));
        assert!(plain.tls.verify);
        assert_eq!(
            plain.auth,
            Auth::Basic {
                user: "admin".into(),
                password: Secret::new("pw")
            }
        );
        let port = config("nstor://10.0.0.5:8443")?;
        assert_eq!(port.base_url.as_str(), "https://10.0.0.5:8443/");
        assert_eq!(port.auth, Auth::None);
        let ipv6 = config("emc://admin@[fe80::1]:8443")?;
        assert_eq!(ipv6.base_url.as_str(), "https://[fe80::1]:8443/");
        assert_eq!(format!("{:?}", plain.auth).matches("pw").count(), 0);
        Ok(())
    }

    #[test]
    fn tls_options() -> Result<()> {
        assert!(!config("ontap://h?no_ssl_verify=yes")?.tls.verify);
        assert!(!config("ontap://h?no_ssl_verify=TRUE")?.tls.verify);
        assert!(config("ontap://h?no_ssl_verify=no")?.tls.verify);
        let bad = config("ontap://h?no_ssl_verify=maybe").unwrap_err();
        assert_eq!(bad.error_number(), ErrorNumber::INVALID_ARGUMENT);
        let no_host = config("ontap://").unwrap_err();
        assert_eq!(no_host.error_number(), ErrorNumber::INVALID_ARGUMENT);
        Ok(())
    }

    #[test]
    fn bad_ca_cert_names_the_path() -> std::io::Result<()> {
        let missing = config("ontap://h?ca_cert=/nonexistent/ca.pem").unwrap_err();
        assert_eq!(missing.error_number(), ErrorNumber::INVALID_ARGUMENT);
        assert!(missing.to_string().contains("/nonexistent/ca.pem"));
        let dir = tempfile::tempdir()?;
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "not a certificate")?;
        let error = config(&format!("ontap://h?ca_cert={}", junk.display())).unwrap_err();
        assert_eq!(error.error_number(), ErrorNumber::INVALID_ARGUMENT);
        assert!(error.to_string().contains("junk.pem"), "{error}");
        Ok(())
    }
}
