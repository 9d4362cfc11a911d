//! Real LSM pieces around lsmd: the workspace's `sim_lsmplugin` installed in
//! a fixture's plugin dir, `lsm_core` clients going through lsmd, and the
//! client program a test binary runs as a child process (to use the
//! environment-driven connect rule, or another uid, without touching the
//! test process itself).

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use lsm_core::{BlockingClient, ErrorNumber, LsmError};

use super::{Fixture, LSMD, RunningLsmd};

/// Timeout of the LSM clients in these tests.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

/// The `--plugin-user` of [`Fixture::start_for_sim`]: an account no machine has.
pub const NO_SUCH_USER: &str = "lsmd-test-no-such-user";

/// `LSM_SIM_TIME` given to lsmd (and so to every sim it starts): jobs end at once.
pub const SIM_JOB_SECONDS: &str = "0";

/// The workspace's binary directory (`target/debug`): where cargo put lsmd.
pub fn workspace_bin_dir() -> PathBuf {
    Path::new(LSMD)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| panic!("{LSMD} has no parent directory"))
}

/// A binary of another workspace crate, next to lsmd; fails with the build
/// command to run when it is missing.
pub fn workspace_binary(name: &str, package: &str) -> PathBuf {
    let path = workspace_bin_dir().join(name);
    assert!(
        path.is_file(),
        "{} not found: build it first (`cargo build -p {package}`, or `cargo build --workspace`)",
        path.display()
    );
    path
}

/// The workspace's `sim_lsmplugin`.
pub fn sim_plugin_exe() -> PathBuf {
    workspace_binary("sim_lsmplugin", "plugin-sim")
}

impl Fixture {
    /// Symlinks the workspace's `sim_lsmplugin` as `plugin_dir/relative_path`.
    pub fn link_sim_plugin(&self, relative_path: &str) -> PathBuf {
        let path = self.plugin_path(relative_path);
        std::os::unix::fs::symlink(sim_plugin_exe(), &path).unwrap();
        path
    }

    /// Copies the workspace's `sim_lsmplugin` to `plugin_dir/relative_path`.
    pub fn copy_sim_plugin(&self, relative_path: &str) -> PathBuf {
        let path = self.plugin_path(relative_path);
        fs::copy(sim_plugin_exe(), &path).unwrap();
        path
    }

    fn plugin_path(&self, relative_path: &str) -> PathBuf {
        let path = self.plugin_dir.join(relative_path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
            super::set_mode(parent, 0o755);
        }
        path
    }

    /// The sim state file of this fixture's URIs.
    pub fn sim_state_file(&self) -> PathBuf {
        self.root().join("sim-state.db")
    }

    /// The state file a sim uses when its URI names none: `LSM_SIM_DATA`
    /// in lsmd's environment.
    pub fn sim_env_state_file(&self) -> PathBuf {
        self.root().join("sim-env-state.db")
    }

    /// `<scheme>://?statefile=<this fixture's state file>`.
    pub fn sim_uri(&self, scheme: &str) -> String {
        format!("{scheme}://?statefile={}", self.sim_state_file().display())
    }

    /// Starts lsmd with the sim's variables in its environment (plugins
    /// inherit lsmd's environment, not the client's). The unprivileged user
    /// is one that does not exist, so lsmd and the sims it starts stay root
    /// whatever accounts this machine has.
    pub fn start_for_sim(&self) -> RunningLsmd {
        let mut command = self.lsmd_command(&["--plugin-user", NO_SUCH_USER]);
        command
            .env("LSM_SIM_DATA", self.sim_env_state_file())
            .env("LSM_SIM_TIME", SIM_JOB_SECONDS);
        RunningLsmd::spawn(command, self.root())
    }

    /// A client through this fixture's lsmd (`connect_daemon`).
    pub fn connect(&self, uri: &str) -> lsm_core::Result<BlockingClient> {
        BlockingClient::connect_daemon(&self.socket_dir, uri, None, CLIENT_TIMEOUT)
    }

    /// Like [`Fixture::connect`], failing the test on error.
    pub fn client(&self, uri: &str) -> BlockingClient {
        self.connect(uri)
            .unwrap_or_else(|error| panic!("connect {uri} through lsmd: {error}"))
    }
}

/// Asserts that `result` failed with `code`, and returns the error.
pub fn expect_lsm_error<T>(result: lsm_core::Result<T>, code: ErrorNumber) -> LsmError {
    match result {
        Ok(_) => panic!("expected {code:?}, got a success"),
        Err(error) => {
            assert_eq!(error.code, code, "unexpected error: {error}");
            error
        }
    }
}

/// Environment variable naming the URI the child client connects to; the
/// child client program does nothing without it.
pub const CHILD_CLIENT_URI_ENV: &str = "LSMD_TEST_CHILD_CLIENT_URI";
/// Marker of the child client's result line.
const CHILD_CLIENT_RESULT: &str = "CHILD-CLIENT-RESULT";

/// What the child client program reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChildClientOutcome {
    /// Connected by `Client::connect`'s rule and listed the systems.
    Connected {
        /// `ConnectMode` as `Debug` text.
        mode: String,
        /// Ids of the systems listed.
        system_ids: Vec<String>,
    },
    /// Connecting or listing failed.
    Failed {
        /// The LSM error number.
        code: ErrorNumber,
        /// Its message.
        message: String,
    },
}

/// The body of the child client program. Each test file that runs a child
/// client has a `#[test] fn child_client_program()` calling this; it returns
/// at once unless [`CHILD_CLIENT_URI_ENV`] is set. Connects with
/// `BlockingClient::connect` (the `LSMCLI_DEBUG_FD` / `LSM_UDS_PATH` /
/// default dir / embedded rule), lists systems and prints one result line.
pub fn child_client_main() {
    let Some(uri) = std::env::var_os(CHILD_CLIENT_URI_ENV) else {
        return;
    };
    let uri = uri.to_string_lossy().into_owned();
    let outcome = BlockingClient::connect(&uri, None, CLIENT_TIMEOUT).and_then(|mut client| {
        let mode = format!("{:?}", client.mode());
        let systems = client.systems()?;
        client.close()?;
        Ok((mode, systems))
    });
    match outcome {
        Ok((mode, systems)) => {
            let ids: Vec<&str> = systems.iter().map(|system| system.id.as_str()).collect();
            println!(
                "{CHILD_CLIENT_RESULT} ok {} {mode}",
                if ids.is_empty() {
                    "-".to_string()
                } else {
                    ids.join(",")
                }
            );
        }
        Err(error) => println!(
            "{CHILD_CLIENT_RESULT} error {} {}",
            error.code.value(),
            error.message.replace('\n', " ")
        ),
    }
}

/// How to run the child client.
pub struct ChildClient {
    command: Command,
}

impl ChildClient {
    /// This test binary, running only `child_client_program`, connecting to
    /// `uri` with `LSM_UDS_PATH` unset and no debug fd.
    pub fn new(uri: &str) -> Self {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command
            .args([
                "--exact",
                "child_client_program",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_CLIENT_URI_ENV, uri)
            .env_remove("LSM_UDS_PATH")
            .env_remove("LSMCLI_DEBUG_FD")
            .env_remove("RUST_LOG")
            .current_dir("/")
            .stdin(Stdio::null());
        Self { command }
    }

    /// Sets `LSM_UDS_PATH`.
    pub fn socket_dir(mut self, dir: &Path) -> Self {
        self.command.env("LSM_UDS_PATH", dir);
        self
    }

    /// Runs the child as `uid`/`gid` (no supplementary groups).
    pub fn run_as(mut self, uid: u32, gid: u32) -> Self {
        let switch_user = move || -> std::io::Result<()> {
            nix::unistd::setgroups(&[])?;
            nix::unistd::setgid(nix::unistd::Gid::from_raw(gid))?;
            nix::unistd::setuid(nix::unistd::Uid::from_raw(uid))?;
            Ok(())
        };
        // SAFETY: runs between fork and exec and only makes the three
        // system calls, on values captured beforehand.
        unsafe {
            self.command.pre_exec(switch_user);
        }
        self
    }

    /// Runs the child and parses its result line.
    pub fn run(mut self) -> ChildClientOutcome {
        let output = self.command.output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let line = stdout
            .lines()
            // The test harness may print `test child_client_program ... ` first.
            .find_map(|line| line.split_once(CHILD_CLIENT_RESULT).map(|(_, rest)| rest))
            .unwrap_or_else(|| {
                panic!(
                    "the child client printed no result ({}):\n{stdout}\n{stderr}",
                    output.status
                )
            });
        let mut words = line.trim_start().splitn(3, ' ');
        match (words.next(), words.next(), words.next()) {
            (Some("ok"), Some(ids), Some(mode)) => ChildClientOutcome::Connected {
                mode: mode.to_string(),
                system_ids: ids
                    .split(',')
                    .filter(|id| *id != "-")
                    .map(str::to_string)
                    .collect(),
            },
            (Some("error"), Some(code), message) => ChildClientOutcome::Failed {
                code: ErrorNumber(code.parse().unwrap()),
                message: message.unwrap_or_default().to_string(),
            },
            _ => panic!("malformed child client result {line:?}"),
        }
    }
}
