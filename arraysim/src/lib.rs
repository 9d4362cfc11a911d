//! `lsm-arraysim`: REST simulators of storage arrays, written from the
//! vendors' public API facts (`vendor-apis.md`) so that lsm-rs's vendor
//! plugins can be tested and demonstrated without the hardware. It is the
//! array, not a client: it knows nothing of libStorageMgmt.
//!
//! # Layout
//! - [`core`]: what every vendor shares — the HTTPS server and its
//!   `/_arraysim/` admin API (`server`), certificates (`tls`), persisted
//!   state (`state`), jobs (`jobs`), faults (`faults`), request counts
//!   (`stats`), collection helpers (`paging`), Basic auth (`auth`).
//! - [`ontap`]: NetApp ONTAP's REST API (`/api/...`), one file per
//!   resource family.
//! - [`nexenta`]: NexentaStor 5's REST API ("NEF": `/auth/login`,
//!   `/storage/...`, `/san/...`, `/nas/nfs`, ...), one file per resource
//!   family.
//! - [`unity`]: Dell EMC Unity's Unisphere Management REST API
//!   (`/api/types/...`, `/api/instances/...`), one file per resource family.
//! - `main.rs`: the command line, which calls [`run`].

pub mod core;
pub mod nexenta;
pub mod ontap;
pub mod unity;

use std::path::PathBuf;
use std::time::Duration;

use crate::core::auth::Credentials;
use crate::core::faults::Fault;
use crate::core::server::{AuthPolicy, ServerConfig, ServerError, serve};
use crate::core::state::StoreError;
use crate::core::tls::{TlsError, TlsSource, self_signed_cert_path, server_config};

/// The default password of the `admin` account (chosen; documented in the
/// crate README).
pub const DEFAULT_PASSWORD: &str = "netapp1!";

/// The default password of the NexentaStor `admin` account (NexentaStor 5's
/// factory default, `Nexenta@1`).
pub const NEXENTA_DEFAULT_PASSWORD: &str = "Nexenta@1";
/// The default password of Unity's `admin` account: Unity's factory
/// default (documented in the crate README).
pub const UNITY_DEFAULT_PASSWORD: &str = "Password123!";

/// The default password of `vendor`'s `admin` account.
pub fn default_password(vendor: Vendor) -> &'static str {
    match vendor {
        Vendor::Ontap => DEFAULT_PASSWORD,
        Vendor::Nexenta => NEXENTA_DEFAULT_PASSWORD,
        Vendor::Unity => UNITY_DEFAULT_PASSWORD,
    }
}

/// Which array to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vendor {
    /// NetApp ONTAP 9 REST.
    Ontap,
    /// NexentaStor 5 REST ("NEF").
    Nexenta,
    /// Dell EMC Unity (Unisphere Management REST API).
    Unity,
}

/// Where the certificate comes from.
#[derive(Debug, Clone)]
pub enum Certificate {
    /// PEM files.
    Files {
        /// Chain.
        cert: PathBuf,
        /// Key.
        key: PathBuf,
    },
    /// Make one (kept as `<state>/cert.pem`).
    SelfSigned,
}

/// Everything the command line sets.
#[derive(Debug, Clone)]
pub struct Options {
    /// The array.
    pub vendor: Vendor,
    /// `HOST:PORT`.
    pub listen: String,
    /// State directory (`None`: a fresh temporary directory).
    pub state: Option<PathBuf>,
    /// TLS certificate.
    pub certificate: Certificate,
    /// Account name.
    pub user: String,
    /// Account password.
    pub password: String,
    /// Faults from the start.
    pub faults: Vec<Fault>,
    /// How long each job step (queued→running→done) takes.
    pub job_step: Duration,
    /// How long a login token (NexentaStor) or session (Unity) lives.
    pub token_ttl: Duration,
    /// How long a new LUN mapping stays invisible (NexentaStor).
    pub mapping_delay: Duration,
}

/// Why the simulator could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// State directory or file.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Certificates.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// Serving.
    #[error(transparent)]
    Server(#[from] ServerError),
    /// Anything else of the file system or runtime.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Run the simulator until SIGTERM.
pub fn run(options: Options) -> Result<(), Error> {
    let (state_dir, _temp) = match &options.state {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            (dir.clone(), None)
        }
        None => {
            let temp = tempfile::Builder::new().prefix("lsm-arraysim-").tempdir()?;
            eprintln!(
                "lsm-arraysim: no --state given; state in {} (removed at exit)",
                temp.path().display()
            );
            (temp.path().to_path_buf(), Some(temp))
        }
    };
    let host = options
        .listen
        .rsplit_once(':')
        .map(|(h, _)| h.trim_matches(|c| c == '[' || c == ']').to_string())
        .unwrap_or_default();
    let tls_source = match &options.certificate {
        Certificate::Files { cert, key } => TlsSource::Files {
            cert: cert.clone(),
            key: key.clone(),
        },
        Certificate::SelfSigned => {
            let mut names = vec!["127.0.0.1".to_string(), "localhost".to_string()];
            if !host.is_empty() && !names.contains(&host) {
                names.push(host.clone());
            }
            TlsSource::SelfSigned {
                dir: state_dir.clone(),
                names,
            }
        }
    };
    let (tls, made) = server_config(&tls_source)?;
    if let TlsSource::SelfSigned { dir, .. } = &tls_source {
        let verb = if made { "wrote" } else { "reusing" };
        eprintln!(
            "lsm-arraysim: {verb} self-signed certificate {} (trust it with ca_cert=)",
            self_signed_cert_path(dir).display()
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (vendor, auth) = match options.vendor {
            Vendor::Ontap => (
                ontap::service(&state_dir, options.job_step)?,
                AuthPolicy::Basic,
            ),
            Vendor::Nexenta => (
                nexenta::service(
                    &state_dir,
                    nexenta::Settings {
                        job_step: options.job_step,
                        token_ttl: options.token_ttl,
                        mapping_delay: options.mapping_delay,
                        credentials: Credentials {
                            user: options.user.clone(),
                            password: options.password.clone(),
                        },
                    },
                )?,
                AuthPolicy::Vendor,
            ),
            Vendor::Unity => (
                unity::service(&state_dir, options.job_step, options.token_ttl)?,
                AuthPolicy::Vendor,
            ),
        };
        let config = ServerConfig {
            listen: options.listen.clone(),
            tls,
            credentials: Credentials {
                user: options.user.clone(),
                password: options.password.clone(),
            },
            faults: options.faults.clone(),
            auth,
        };
        serve(config, vendor).await?;
        Ok::<(), Error>(())
    })?;
    runtime.shutdown_timeout(Duration::from_millis(200));
    Ok(())
}
