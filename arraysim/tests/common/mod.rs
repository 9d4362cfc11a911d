//! What the simulator's own tests share: the real `lsm-arraysim` binary started with a
//! self-signed certificate, a client trusting it, and stopping it.

// Each test crate that includes this module uses part of it.
#![allow(dead_code)]

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;

/// `lsm-arraysim --vendor VENDOR --self-signed --state STATE EXTRA...`, once it listens:
/// the process, its base URL (`https://127.0.0.1:PORT`) and a client trusting its
/// certificate only.
pub fn launch(vendor: &str, state: &Path, extra: &[&str]) -> (Child, String, Client) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lsm-arraysim"))
        .env_remove("LSM_ARRAYSIM_PASSWORD")
        .args([
            "--vendor",
            vendor,
            "--listen",
            "127.0.0.1:0",
            "--self-signed",
            "--state",
        ])
        .arg(state)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn lsm-arraysim");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_string();
    let pem = std::fs::read(state.join("cert.pem")).unwrap();
    let client = Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    (child, base, client)
}

fn sigterm(child: &Child) -> nix::Result<()> {
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
}

/// SIGTERM, then wait for it: its exit status.
pub fn stop(mut child: Child) -> ExitStatus {
    sigterm(&child).unwrap();
    child.wait().unwrap()
}

/// SIGTERM, `grace` to exit, then SIGKILL (for `Drop`: never panics).
pub fn terminate(mut child: Child, grace: Duration) {
    let _ = sigterm(&child);
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}
