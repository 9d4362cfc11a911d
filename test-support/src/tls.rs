//! TLS trust, checked the same way for every vendor plugin: a real `lsm-arraysim` of the
//! vendor presenting a certificate signed by a test CA, for this host (`127.0.0.1`,
//! `localhost`) or for another name, reached by the plugin through lsm-core's
//! [`BlockingClient`] (embedded). [`check_certificate_trust`] runs the table:
//!
//! | certificate | URI | outcome |
//! |---|---|---|
//! | this host's | no option | refused (`NETWORK_ERROR`), naming `ca_cert` and `no_ssl_verify` |
//! | this host's | `ca_cert=` another CA | refused |
//! | this host's | `ca_cert=` its CA | works |
//! | this host's | `no_ssl_verify=yes` | works |
//! | another name's | no option | refused |
//! | another name's | `ca_cert=` its CA | refused, naming the host name |
//! | another name's | `no_ssl_verify=yes` | works |

use std::path::{Path, PathBuf};
use std::time::Duration;

use lsm_core::{BlockingClient, ErrorNumber};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

use crate::arraysim::{ARRAYSIM_PASSWORD, ARRAYSIM_USER, ArraySim};

/// The timeout of the sessions of the table.
const TIMEOUT: Duration = Duration::from_secs(20);

/// A test CA (its PEM in `ca`), and files of certificates it signed.
pub struct TestCa {
    dir: tempfile::TempDir,
    /// The CA's certificate (PEM), for `ca_cert=`.
    pub ca: PathBuf,
    cert: rcgen::Certificate,
    key: KeyPair,
}

impl TestCa {
    /// A new CA named `name`.
    pub fn new(name: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let key = KeyPair::generate().expect("a CA key");
        let cert = params.self_signed(&key).expect("a CA certificate");
        let dir = tempfile::tempdir().expect("a temporary directory");
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, cert.pem()).expect("write ca.pem");
        TestCa { dir, ca, cert, key }
    }

    /// A server certificate for `names` signed by this CA: the paths of its PEM and key.
    pub fn issue(&self, names: &[&str]) -> (PathBuf, PathBuf) {
        let names: Vec<String> = names.iter().map(|name| name.to_string()).collect();
        let file = names.join("_").replace(['.', ':'], "-");
        let params = CertificateParams::new(names).expect("server certificate params");
        let key = KeyPair::generate().expect("a server key");
        let cert = params
            .signed_by(&key, &self.cert, &self.key)
            .expect("a server certificate");
        let cert_path = self.dir.path().join(format!("{file}.pem"));
        let key_path = self.dir.path().join(format!("{file}.key"));
        std::fs::write(&cert_path, cert.pem()).expect("write the certificate");
        std::fs::write(&key_path, key.serialize_pem()).expect("write the key");
        (cert_path, key_path)
    }
}

/// The plugin's scheme for an `lsm-arraysim` vendor.
fn scheme(vendor: &str) -> &str {
    match vendor {
        "nexenta" => "nstor",
        "unity" => "emc",
        other => other,
    }
}

/// Connects to `sim` with `query` (`?...` or empty) and lists its systems.
fn try_session(vendor: &str, sim: &ArraySim, query: &str) -> lsm_core::Result<()> {
    let uri = format!(
        "{}://{ARRAYSIM_USER}@127.0.0.1:{}{query}",
        scheme(vendor),
        sim.port
    );
    let mut client = BlockingClient::connect(&uri, Some(ARRAYSIM_PASSWORD), TIMEOUT)?;
    client.systems()?;
    client.close()
}

/// Runs the table of the module docs for `vendor`'s plugin; fails the test naming every
/// row that went wrong.
pub fn check_certificate_trust(vendor: &str) {
    let ca = TestCa::new("lsm-rs test CA");
    let other_ca = TestCa::new("another CA");
    let (host_cert, host_key) = ca.issue(&["127.0.0.1", "localhost"]);
    let (other_cert, other_key) = ca.issue(&["array.example"]);
    let this_host = ArraySim::start_with_certificate(vendor, &host_cert, &host_key, &[]);
    let other_name = ArraySim::start_with_certificate(vendor, &other_cert, &other_key, &[]);
    let ca_cert = |ca: &Path| format!("?ca_cert={}", ca.display());

    /// What a row expects: works, or refused with a message holding these words.
    enum Outcome {
        Works,
        Refused(&'static [&'static str]),
    }
    let rows = [
        (
            "this host's certificate, no option",
            &this_host,
            String::new(),
            Outcome::Refused(&["ca_cert", "no_ssl_verify"]),
        ),
        (
            "this host's certificate, ca_cert of another CA",
            &this_host,
            ca_cert(&other_ca.ca),
            Outcome::Refused(&["not trusted"]),
        ),
        (
            "this host's certificate, ca_cert of its CA",
            &this_host,
            ca_cert(&ca.ca),
            Outcome::Works,
        ),
        (
            "this host's certificate, no_ssl_verify=yes",
            &this_host,
            "?no_ssl_verify=yes".to_string(),
            Outcome::Works,
        ),
        (
            "another name's certificate, no option",
            &other_name,
            String::new(),
            Outcome::Refused(&["no_ssl_verify"]),
        ),
        (
            "another name's certificate, ca_cert of its CA",
            &other_name,
            ca_cert(&ca.ca),
            Outcome::Refused(&["host name", "no_ssl_verify"]),
        ),
        (
            "another name's certificate, no_ssl_verify=yes",
            &other_name,
            "?no_ssl_verify=yes".to_string(),
            Outcome::Works,
        ),
    ];
    let mut problems = Vec::new();
    for (what, sim, query, expected) in rows {
        let outcome = try_session(vendor, sim, &query);
        eprintln!("TLS trust ({vendor}): {what}: {outcome:?}");
        match (outcome, expected) {
            (Ok(()), Outcome::Works) => {}
            (Err(error), Outcome::Works) => problems.push(format!("{what}: refused: {error}")),
            (Ok(()), Outcome::Refused(_)) => problems.push(format!("{what}: accepted")),
            (Err(error), Outcome::Refused(words)) => {
                if error.code != ErrorNumber::NETWORK_ERROR {
                    problems.push(format!(
                        "{what}: {:?}, not NETWORK_ERROR: {error}",
                        error.code
                    ));
                }
                for word in words {
                    if !error.message.contains(word) {
                        problems.push(format!("{what}: the message has no {word:?}: {error}"));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{vendor}:\n{}", problems.join("\n"));
}
