//! Shared by the plugin's integration tests (`linux_plugin.rs`,
//! `testenv_backends.rs`): a throwaway array from `lsm-linux-testenv` torn
//! down in `Drop`, a client of the real `linux_lsmplugin` binary, and
//! helpers to run the host's verification tools (libiscsi, libnfs,
//! showmount). What other crates' tests share too (require_root, waiting)
//! is in `lsm-test-support`.

#![allow(dead_code)]

pub mod libiscsi;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use lsm_core::{BlockingClient, Completion, ErrorNumber, LsmError};
use plugin_linux::command::ToolCommand;
use plugin_linux::config::{Config, PoolBackend, config_path_from_uri};
use plugin_linux::testenv::{HostLock, lock_host};

pub const TESTENV: &str = env!("CARGO_BIN_EXE_lsm-linux-testenv");
pub const PLUGIN: &str = env!("CARGO_BIN_EXE_linux_lsmplugin");
pub const MIB: i64 = 1 << 20;
pub const GIB: i64 = 1 << 30;

/// One test at a time per test binary (arrays across processes are kept
/// apart by the host lock each [`TestArray`] holds).
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Holds the one-array-at-a-time lock.
pub fn serialised() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Fails `test` unless it runs as root: these tests build a real array
/// (loop devices, mounts, daemons), and without root they fail loudly
/// rather than pass having tested nothing. CI is root.
pub fn require_root(test: &str) {
    lsm_test_support::require_root(test, "loop devices, mounts, tgtd, ganesha");
}

/// How often [`wait_for`] looks: its conditions run programs.
const TOOL_POLL: Duration = Duration::from_millis(100);

/// Polls `condition` (which may run a tool) until it holds; fails after
/// `lsm_test_support::TIMEOUT` (20 s).
#[track_caller]
pub fn wait_for(what: &str, condition: impl FnMut() -> bool) {
    lsm_test_support::wait_until_every(what, TOOL_POLL, condition);
}

/// A running test array, torn down when dropped (even after a failed
/// assertion). It holds the host-wide array lock from before `up` until
/// after `down`: arrays share the host's rpcbind (NFSv3 MOUNT
/// registration), so test binaries run in parallel must not overlap.
pub struct TestArray {
    _parent: tempfile::TempDir,
    pub dir: PathBuf,
    pub summary: HashMap<String, String>,
    pub uri: String,
    pub config: Config,
    /// Declared last: released after `Drop::drop` has run `down`.
    _host_lock: HostLock,
}

impl TestArray {
    pub fn up() -> TestArray {
        let host_lock = lock_host().unwrap();
        let parent = tempfile::Builder::new()
            .prefix("lsm-plugin-")
            .tempdir()
            .unwrap();
        let dir = parent.path().join("array");
        let output = Command::new(TESTENV)
            .arg("up")
            .arg("--dir")
            .arg(&dir)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let mut array = TestArray {
            _parent: parent,
            dir: dir.clone(),
            summary: HashMap::new(),
            uri: String::new(),
            config: Config::parse(
                "[[pool]]\nname = \"x\"\nkind = \"lvm\"\nvg = \"x\"\n",
                Path::new("/none"),
            )
            .unwrap(),
            _host_lock: host_lock,
        };
        assert!(output.status.success(), "up failed:\n{stdout}\n{stderr}");
        let last = stdout.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("URI=linux://?config="),
            "last line: {last:?}"
        );
        for line in stdout.lines() {
            if let Some((key, value)) = line.split_once('=') {
                array.summary.insert(key.to_owned(), value.to_owned());
            }
        }
        array.uri = array.summary["URI"].clone();
        let config_path = config_path_from_uri(&array.uri).unwrap();
        assert_eq!(config_path, dir.join("linux.toml"));
        array.config = Config::load(&config_path).unwrap();
        array
    }

    /// A client of the real plugin binary (embedded mode).
    pub fn client(&self) -> BlockingClient {
        BlockingClient::builder(&self.uri)
            .timeout(Duration::from_secs(60))
            .plugin_exe(Path::new(PLUGIN))
            .connect()
            .unwrap()
    }

    pub fn btrfs_mount(&self) -> PathBuf {
        match &self.config.pools[0].backend {
            PoolBackend::Btrfs { mount_point, .. } => mount_point.clone().unwrap(),
            other => panic!("first pool is not btrfs: {other:?}"),
        }
    }

    /// The iSCSI portal, `IP:PORT`.
    pub fn portal(&self) -> String {
        self.config.iscsi.as_ref().unwrap().network_addresses()[0].clone()
    }

    pub fn tgtd_control_port(&self) -> u16 {
        self.config.iscsi.as_ref().unwrap().tgtd_control_port
    }

    pub fn target_iqn(&self, group_id: &str) -> String {
        format!(
            "{}{group_id}",
            self.config.iscsi.as_ref().unwrap().target_iqn_prefix
        )
    }
}

impl Drop for TestArray {
    fn drop(&mut self) {
        let output = Command::new(TESTENV)
            .arg("down")
            .arg("--dir")
            .arg(&self.dir)
            .output();
        match output {
            Ok(output) if output.status.success() => {}
            Ok(output) => eprintln!("down failed: {}", String::from_utf8_lossy(&output.stderr)),
            Err(error) => eprintln!("cannot run down: {error}"),
        }
    }
}

/// Runs a tool; (success, stdout + stderr).
pub fn run(program: &str, args: &[&str]) -> (bool, String) {
    let output = ToolCommand::new(program)
        .args(args)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    (
        output.success(),
        format!("{}{}", output.stdout, output.stderr),
    )
}

/// The finished result of an async call.
pub fn done<T: lsm_core::client::JobOutput>(
    client: &mut BlockingClient,
    started: lsm_core::Result<Completion<T>>,
) -> T {
    let completion = started.unwrap();
    client.wait_done(completion).unwrap()
}

/// The error of an async call (waiting for its job if one was started).
pub fn failure<T: lsm_core::client::JobOutput + std::fmt::Debug>(
    client: &mut BlockingClient,
    started: lsm_core::Result<Completion<T>>,
) -> LsmError {
    match started {
        Err(error) => error,
        Ok(completion) => client
            .wait_done(completion)
            .expect_err("the call was expected to fail"),
    }
}

/// Asserts `error` has `code`.
pub fn assert_code(error: &LsmError, code: ErrorNumber) {
    assert_eq!(error.code, code, "unexpected error: {error}");
}
