//! The vendors' own Python client libraries (`netapp-ontap`, `storops`), unpatched,
//! driving `lsm-arraysim` from a test: [`python`] finds the venv `scripts/sdk-venv.sh`
//! made, [`run_script`] runs one of a crate's SDK scripts against a simulator and hands
//! back what it printed.
//!
//! The venv is `$LSM_SDK_PYTHON` (`scripts/test.sh` exports it), else the script's
//! default place (`~/.cache/lsm-rs/sdk-venv`). Without it the test fails, saying how to
//! make it: an SDK stage never passes by not running.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::ArraySim;

/// The venv's python; fails the test when there is none.
pub fn python() -> PathBuf {
    let python = std::env::var_os("LSM_SDK_PYTHON")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|home| PathBuf::from(home).join(".cache/lsm-rs/sdk-venv/bin/python"))
        })
        .unwrap_or_default();
    assert!(
        python.is_file(),
        "no vendor SDK venv at {:?}: run ./scripts/sdk-venv.sh (scripts/test.sh does) \
         or set LSM_SDK_PYTHON to its python",
        python
    );
    python
}

/// What an SDK script printed, once it exited 0.
pub struct ScriptOutput {
    /// Its standard output.
    pub stdout: String,
    /// Its standard error (the SDK's own logging).
    pub stderr: String,
}

impl ScriptOutput {
    /// The last line of stdout parsed as JSON: the scripts end with one JSON summary.
    pub fn summary(&self) -> serde_json::Value {
        let line = self.stdout.lines().rev().find(|l| !l.trim().is_empty());
        let line = line.unwrap_or_else(|| panic!("SDK script printed nothing:\n{}", self.stderr));
        serde_json::from_str(line)
            .unwrap_or_else(|error| panic!("SDK script's last line is not JSON ({error}): {line}"))
    }
}

/// Runs `script` (a path) with the venv's python against `sim`: the simulator's host,
/// port, user, password and CA certificate are in the environment (`ARRAYSIM_HOST`,
/// `ARRAYSIM_PORT`, `ARRAYSIM_USER`, `ARRAYSIM_PASSWORD`, `ARRAYSIM_CA_CERT`), `args`
/// follow the script. Fails the test, showing both streams, unless it exits 0.
pub fn run_script(script: &Path, sim: &ArraySim, args: &[&str]) -> ScriptOutput {
    let output = Command::new(python())
        .arg(script)
        .args(args)
        .env("ARRAYSIM_HOST", "127.0.0.1")
        .env("ARRAYSIM_PORT", sim.port.to_string())
        .env("ARRAYSIM_USER", crate::ARRAYSIM_USER)
        .env("ARRAYSIM_PASSWORD", crate::ARRAYSIM_PASSWORD)
        .env("ARRAYSIM_CA_CERT", &sim.cert)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1")
        .output()
        .unwrap_or_else(|error| panic!("run {}: {error}", script.display()));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "{} {args:?} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        script.display(),
        output.status
    );
    ScriptOutput { stdout, stderr }
}
