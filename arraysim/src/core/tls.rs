//! TLS material: a PEM certificate chain and key from files, or a
//! self-signed certificate made at start-up (and kept in the state
//! directory, so a restarted simulator presents the same one).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Reading or writing a PEM file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// No certificate or key in a PEM file.
    #[error("{0}: no certificate or private key found")]
    Empty(PathBuf),
    /// Making the self-signed certificate.
    #[error("self-signed certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// rustls refused the material.
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Where the certificate comes from.
#[derive(Debug, Clone)]
pub enum TlsSource {
    /// PEM files.
    Files {
        /// Certificate chain.
        cert: PathBuf,
        /// Private key.
        key: PathBuf,
    },
    /// Self-signed, written as `cert.pem`/`key.pem` in the directory; the
    /// names are the certificate's subject alternative names.
    SelfSigned {
        /// Where to keep the PEM files.
        dir: PathBuf,
        /// SANs (IP addresses become IP SANs).
        names: Vec<String>,
    },
}

/// The certificate file clients should trust, for a self-signed source.
pub fn self_signed_cert_path(dir: &Path) -> PathBuf {
    dir.join("cert.pem")
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn write(path: &Path, bytes: &[u8], private: bool) -> Result<(), TlsError> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let io = |source| TlsError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(if private { 0o600 } else { 0o644 })
        .open(path)
        .map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)
}

fn parse_pem(
    cert_path: &Path,
    cert_pem: &[u8],
    key_path: &Path,
    key_pem: &[u8],
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TlsError> {
    let pem_error = |path: &Path, error: rustls::pki_types::pem::Error| TlsError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, error.to_string()),
    };
    let certs = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| pem_error(cert_path, error))?;
    if certs.is_empty() {
        return Err(TlsError::Empty(cert_path.to_path_buf()));
    }
    let key = match PrivateKeyDer::from_pem_slice(key_pem) {
        Ok(key) => key,
        Err(rustls::pki_types::pem::Error::NoItemsFound) => {
            return Err(TlsError::Empty(key_path.to_path_buf()));
        }
        Err(error) => return Err(pem_error(key_path, error)),
    };
    Ok((certs, key))
}

/// Load or make the certificate; the rustls server configuration (ring
/// provider, HTTP/1.1 via ALPN) and whether a new certificate was written.
pub fn server_config(source: &TlsSource) -> Result<(Arc<ServerConfig>, bool), TlsError> {
    let (certs, key, made) = match source {
        TlsSource::Files { cert, key } => {
            let (c, k) = parse_pem(cert, &read(cert)?, key, &read(key)?)?;
            (c, k, false)
        }
        TlsSource::SelfSigned { dir, names } => {
            let cert_path = self_signed_cert_path(dir);
            let key_path = dir.join("key.pem");
            if cert_path.exists() && key_path.exists() {
                let (c, k) =
                    parse_pem(&cert_path, &read(&cert_path)?, &key_path, &read(&key_path)?)?;
                (c, k, false)
            } else {
                let made = rcgen::generate_simple_self_signed(names.clone())?;
                write(&key_path, made.key_pair.serialize_pem().as_bytes(), true)?;
                write(&cert_path, made.cert.pem().as_bytes(), false)?;
                let key =
                    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.key_pair.serialize_der()));
                (vec![made.cert.der().clone()], key, true)
            }
        }
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((Arc::new(config), made))
}
