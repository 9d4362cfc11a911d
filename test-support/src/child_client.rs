//! The child client: an LSM client in a process of its own, so a test can
//! use `BlockingClient::connect`'s environment-driven rule
//! (`LSMCLI_DEBUG_FD` / `LSM_UDS_PATH` / default dir / embedded) or another
//! uid without touching the test process. [`report`] is the program
//! (`lsm-test-child-client URI`: connect, list systems, print one result
//! line); [`ChildClient`] runs it and parses that line.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use lsm_core::{BlockingClient, ErrorNumber};

use crate::bins::workspace_binary;

/// Timeout of the child client's connection.
pub const CHILD_CLIENT_TIMEOUT: Duration = Duration::from_secs(30);
/// The program [`ChildClient`] runs.
pub const CHILD_CLIENT_PROGRAM: &str = "lsm-test-child-client";
/// Marker of the child client's result line.
const RESULT_MARKER: &str = "CHILD-CLIENT-RESULT";

/// What the child client reported.
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

/// The child client program's body: connects to `uri` with
/// `BlockingClient::connect`, lists systems, closes, and prints one result
/// line for [`ChildClient::run`].
pub fn report(uri: &str) {
    let outcome =
        BlockingClient::connect(uri, None, CHILD_CLIENT_TIMEOUT).and_then(|mut client| {
            let mode = format!("{:?}", client.mode());
            let systems = client.systems()?;
            client.close()?;
            Ok((mode, systems))
        });
    match outcome {
        Ok((mode, systems)) => {
            let ids: Vec<&str> = systems.iter().map(|system| system.id.as_str()).collect();
            let ids = if ids.is_empty() {
                "-".to_string()
            } else {
                ids.join(",")
            };
            println!("{RESULT_MARKER} ok {ids} {mode}");
        }
        Err(error) => println!(
            "{RESULT_MARKER} error {} {}",
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
    /// The workspace's `lsm-test-child-client`, connecting to `uri` with
    /// `LSM_UDS_PATH` unset and no debug fd, from `/`.
    pub fn new(uri: &str) -> Self {
        let mut command = Command::new(workspace_binary(CHILD_CLIENT_PROGRAM, "lsm-test-support"));
        command
            .arg(uri)
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
        let output = self
            .command
            .output()
            .unwrap_or_else(|error| panic!("cannot run the child client: {error}"));
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let line = stdout
            .lines()
            .find_map(|line| line.strip_prefix(RESULT_MARKER))
            .unwrap_or_else(|| {
                panic!(
                    "the child client printed no result ({}):\n{stdout}\n{stderr}",
                    output.status
                )
            });
        parse_result(line)
            .unwrap_or_else(|| panic!("malformed child client result {line:?}:\n{stderr}"))
    }
}

/// Parses what follows the marker: ` ok IDS MODE` or ` error CODE MESSAGE`.
fn parse_result(line: &str) -> Option<ChildClientOutcome> {
    let mut words = line.trim_start().splitn(3, ' ');
    match (words.next(), words.next(), words.next()) {
        (Some("ok"), Some(ids), Some(mode)) => Some(ChildClientOutcome::Connected {
            mode: mode.to_string(),
            system_ids: ids
                .split(',')
                .filter(|id| *id != "-")
                .map(str::to_string)
                .collect(),
        }),
        (Some("error"), Some(code), message) => Some(ChildClientOutcome::Failed {
            code: ErrorNumber(code.parse().ok()?),
            message: message.unwrap_or_default().to_string(),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_lines_parse() {
        assert_eq!(
            parse_result(" ok sim-01,sim-02 Some(Daemon(\"/x y\"))"),
            Some(ChildClientOutcome::Connected {
                mode: "Some(Daemon(\"/x y\"))".into(),
                system_ids: vec!["sim-01".into(), "sim-02".into()],
            })
        );
        assert_eq!(
            parse_result(" ok - None"),
            Some(ChildClientOutcome::Connected {
                mode: "None".into(),
                system_ids: vec![],
            })
        );
        assert_eq!(
            parse_result(" error 300 Daemon not running"),
            Some(ChildClientOutcome::Failed {
                code: ErrorNumber(300),
                message: "Daemon not running".into(),
            })
        );
        assert_eq!(parse_result(" error x"), None);
        assert_eq!(parse_result(" maybe"), None);
    }
}
