//! Real LSM pieces around lsmd: the workspace's `sim_lsmplugin` installed in
//! a fixture's plugin dir and `lsm_core` clients going through lsmd. (The
//! client that runs as a child process is `lsm_test_support::ChildClient`.)

use std::path::PathBuf;
use std::time::Duration;

use lsm_core::{BlockingClient, ErrorNumber, LsmError};
use lsm_test_support::{RunningLsmd, workspace_binary};

use super::Fixture;

/// Timeout of the LSM clients in these tests.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

/// The `--plugin-user` of [`Fixture::start_for_sim`]: an account no machine has.
pub const NO_SUCH_USER: &str = "lsmd-test-no-such-user";

/// `LSM_SIM_TIME` given to lsmd (and so to every sim it starts): jobs end at once.
pub const SIM_JOB_SECONDS: &str = "0";

/// The workspace's `sim_lsmplugin`.
pub fn sim_plugin_exe() -> PathBuf {
    workspace_binary("sim_lsmplugin", "plugin-sim")
}

impl Fixture {
    /// Symlinks the workspace's `sim_lsmplugin` as `plugin_dir/relative_path`.
    pub fn link_sim_plugin(&self, relative_path: &str) -> PathBuf {
        self.link_plugin(relative_path, &sim_plugin_exe())
    }

    /// Copies the workspace's `sim_lsmplugin` to `plugin_dir/relative_path`.
    pub fn copy_sim_plugin(&self, relative_path: &str) -> PathBuf {
        self.copy_plugin(relative_path, &sim_plugin_exe())
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
        self.dirs.start(command)
    }

    /// A client through this fixture's lsmd (daemon mode in its socket dir).
    pub fn connect(&self, uri: &str) -> lsm_core::Result<BlockingClient> {
        BlockingClient::builder(uri)
            .timeout(CLIENT_TIMEOUT)
            .socket_dir(&self.socket_dir)
            .daemon()
            .connect()
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
