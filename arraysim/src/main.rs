//! `lsm-arraysim`: the command line; everything else is in the library.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use lsm_arraysim::core::faults::Fault;
use lsm_arraysim::{Certificate, Options, Vendor, default_password};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum VendorArg {
    /// NetApp ONTAP 9 REST API.
    Ontap,
    /// NexentaStor 5 REST API ("NEF").
    Nexenta,
    /// Dell EMC Unity (Unisphere Management REST API).
    Unity,
}

/// A REST simulator of a storage array, for tests and demos.
#[derive(Debug, Parser)]
#[command(name = "lsm-arraysim", version)]
struct Args {
    /// The array to simulate.
    #[arg(long, value_enum)]
    vendor: VendorArg,
    /// Address to listen on (port 0: any free port; the first line of
    /// stdout says which).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
    /// State directory (persists across restarts; default: a temporary one).
    #[arg(long)]
    state: Option<PathBuf>,
    /// PEM certificate chain.
    #[arg(long, requires = "tls_key", conflicts_with = "self_signed")]
    tls_cert: Option<PathBuf>,
    /// PEM private key.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Make a self-signed certificate, written to STATE/cert.pem (the
    /// default when no --tls-cert is given).
    #[arg(long)]
    self_signed: bool,
    /// Account name.
    #[arg(long, default_value = "admin")]
    user: String,
    /// Account password (or $LSM_ARRAYSIM_PASSWORD, which keeps it out of
    /// argv; default: the vendor's, `netapp1!` for ontap, `Nexenta@1` for
    /// nexenta, `Password123!` for unity).
    #[arg(long, env = "LSM_ARRAYSIM_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// Fault to inject: PATH_GLOB[:status=N][:count=N][:latency=MS][:reset][:job=failure][:truncate][:garbage][:method=M]
    #[arg(long = "fault", value_name = "SPEC")]
    faults: Vec<Fault>,
    /// Milliseconds each job step (queued→running→finished) takes.
    #[arg(long, default_value_t = 0)]
    job_ms: u64,
    /// nexenta: milliseconds a login token lives (then 401 EAUTH); unity: a session (then
    /// 401 unless Basic auth opens a new one).
    #[arg(long, default_value_t = 3_600_000)]
    token_ttl_ms: u64,
    /// nexenta: milliseconds before a new LUN mapping shows in listings (0: at once, as
    /// no source says a real appliance delays it; set it to test a slow appliance).
    #[arg(long, default_value_t = 0)]
    mapping_delay_ms: u64,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LSM_ARRAYSIM_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let certificate = match (args.tls_cert, args.tls_key) {
        (Some(cert), Some(key)) => Certificate::Files { cert, key },
        _ => Certificate::SelfSigned,
    };
    let vendor = match args.vendor {
        VendorArg::Ontap => Vendor::Ontap,
        VendorArg::Nexenta => Vendor::Nexenta,
        VendorArg::Unity => Vendor::Unity,
    };
    let options = Options {
        vendor,
        listen: args.listen,
        state: args.state,
        certificate,
        user: args.user,
        password: args
            .password
            .unwrap_or_else(|| default_password(vendor).to_string()),
        faults: args.faults,
        job_step: Duration::from_millis(args.job_ms),
        token_ttl: Duration::from_millis(args.token_ttl_ms),
        mapping_delay: Duration::from_millis(args.mapping_delay_ms),
    };
    match lsm_arraysim::run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lsm-arraysim: {e}");
            ExitCode::FAILURE
        }
    }
}
