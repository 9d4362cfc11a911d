//! `lsm-test-support`: the scaffolding lsm-rs's integration tests and
//! benches share, so each helper has one home. Test code only (a
//! dev-dependency, never published); helpers fail the test with a message
//! saying what to do rather than return errors.
//!
//! # Layout
//! - [`arraysim`]: [`ArraySim`], a real `lsm-arraysim` over TLS, stopped on
//!   drop, with its plugin URI, a REST client and the admin counters.
//! - [`faults`]: [`faults::run_fault_matrix`], the table of array faults (500s, resets,
//!   slow replies, truncated bodies, invalid JSON, failed jobs) every vendor plugin is put
//!   through against its simulator.
//! - [`bins`]: finding the workspace's binaries (`target/<profile>`) from a
//!   test or bench executable.
//! - [`lsmd`]: [`LsmdDirs`] (temporary plugin, socket and conf dirs) and
//!   [`RunningLsmd`], the real lsmd under a guard that kills and reaps it
//!   on drop, also when the test fails.
//! - [`child_client`]: [`ChildClient`], which runs the
//!   `lsm-test-child-client` program (an LSM client in its own process, for
//!   the environment-driven connect rule or another uid) and parses what it
//!   reports.
//! - [`load`]: [`load::run_load`], many clients at once (through lsmd or embedded) for a
//!   count of calls or a time, with latencies, errors and throughput.
//! - [`loop_device`]: [`LoopDevice`], a loop device on a sparse image,
//!   detached on drop.
//! - [`process`]: `/proc` facts (children of a process, real uid, open fds, the
//!   processes running an executable).
//! - [`root`]: [`require_root`] for tests that need root and fail loudly
//!   without it.
//! - [`script_plugin`]: misbehaving plugins as bash scripts (answer the register, then
//!   die, hang or write garbage).
//! - [`sdk`]: the vendors' own Python clients (`netapp-ontap`, `storops`) from the venv
//!   `scripts/sdk-venv.sh` makes, running a crate's SDK script against a simulator.
//! - [`secrets`]: grepping argv, environment, logs and messages for secrets.
//! - [`tls`]: [`tls::check_certificate_trust`], the TLS trust table (untrusted,
//!   wrong-host, `ca_cert`, `no_ssl_verify`) every vendor plugin is checked with.
//! - [`wait`]: [`wait_until`], polling with a deadline.

pub mod arraysim;
pub mod bench;
pub mod bins;
pub mod child_client;
pub mod cli;
pub mod faults;
pub mod load;
pub mod loop_device;
pub mod lsmd;
pub mod process;
pub mod root;
pub mod script_plugin;
pub mod sdk;
pub mod secrets;
pub mod tls;
pub mod wait;

pub use arraysim::{ARRAYSIM_PASSWORD, ARRAYSIM_USER, ArraySim};
pub use bins::{bin_dir, workspace_binary};
pub use child_client::{ChildClient, ChildClientOutcome};
pub use loop_device::LoopDevice;
pub use lsmd::{LsmdDirs, RunningLsmd};
pub use root::{is_root, require_root};
pub use wait::{TIMEOUT, wait_until, wait_until_every};

use std::path::Path;

/// Sets the permission bits of `path`; fails the test on error.
pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .unwrap_or_else(|error| panic!("chmod {mode:o} {}: {error}", path.display()));
}

/// A string unique within this process: `<pid>-<counter>`.
pub fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}
