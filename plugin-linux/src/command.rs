//! Running external tools (btrfs, lvm, tgtadm...) safely.
//!
//! A [`ToolCommand`] is an argument vector, never a shell line: no argument is
//! ever interpreted by a shell. It runs with a timeout (the child's whole
//! process group is killed when it expires and [`Error::Timeout`] is
//! returned), extra environment variables, `LC_ALL=C` so messages are stable,
//! and captured stdout/stderr. Arguments can be marked secret
//! ([`ToolCommand::secret_arg`]): they are passed to the tool but shown as
//! `***` in [`ToolCommand::display`], in logs and in every error.

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// The default timeout of a tool run when the caller sets none.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Text shown in place of a secret argument.
pub const REDACTED: &str = "***";

#[derive(Debug, Clone)]
struct ToolArg {
    value: OsString,
    secret: bool,
}

/// An external tool invocation: program, arguments, environment, timeout.
#[derive(Debug, Clone)]
pub struct ToolCommand {
    program: OsString,
    args: Vec<ToolArg>,
    env: Vec<(OsString, OsString)>,
    timeout: Duration,
}

/// What a finished tool printed and how it exited.
#[derive(Debug, Clone)]
pub struct ToolOutput {
    /// The exit status.
    pub status: ExitStatus,
    /// Standard output, lossily decoded as UTF-8.
    pub stdout: String,
    /// Standard error, lossily decoded as UTF-8.
    pub stderr: String,
    /// Wall-clock time the tool took.
    pub elapsed: Duration,
}

impl ToolOutput {
    /// Whether the tool exited with status 0.
    pub fn success(&self) -> bool {
        self.status.success()
    }
}

impl ToolCommand {
    /// A command running `program` (looked up in `PATH`) with no arguments.
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        ToolCommand {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            env: vec![("LC_ALL".into(), "C".into())],
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Appends one argument.
    pub fn arg(mut self, value: impl AsRef<OsStr>) -> Self {
        self.args.push(ToolArg {
            value: value.as_ref().to_owned(),
            secret: false,
        });
        self
    }

    /// Appends several arguments.
    pub fn args<I, S>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for value in values {
            self = self.arg(value);
        }
        self
    }

    /// Appends an argument that must never be shown (a password).
    pub fn secret_arg(mut self, value: impl AsRef<OsStr>) -> Self {
        self.args.push(ToolArg {
            value: value.as_ref().to_owned(),
            secret: true,
        });
        self
    }

    /// Sets an environment variable for the tool.
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Sets the timeout (default [`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The tool name (argv\[0\]).
    pub fn tool(&self) -> String {
        self.program.to_string_lossy().into_owned()
    }

    /// The command line for humans: arguments space-separated, secrets
    /// replaced by `***`, arguments with spaces or quotes shown quoted.
    pub fn display(&self) -> String {
        let mut text = self.tool();
        for arg in &self.args {
            text.push(' ');
            if arg.secret {
                text.push_str(REDACTED);
                continue;
            }
            let value = arg.value.to_string_lossy();
            if value.is_empty()
                || value
                    .chars()
                    .any(|c| c.is_whitespace() || "'\"\\".contains(c))
            {
                text.push_str(&format!("{value:?}"));
            } else {
                text.push_str(&value);
            }
        }
        text
    }

    /// Runs the tool and returns its output whatever its exit status.
    ///
    /// Errors: [`Error::CommandSpawn`] when it cannot start,
    /// [`Error::Timeout`] when it ran longer than the timeout (it is killed
    /// with its process group).
    pub fn output(&self) -> Result<ToolOutput> {
        let started = Instant::now();
        let mut command = Command::new(&self.program);
        for arg in &self.args {
            command.arg(&arg.value);
        }
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // Own process group, so a timeout kills the tool and its helpers.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        tracing::debug!(command = %self.display(), "running tool");
        let mut child = command.spawn().map_err(|source| Error::CommandSpawn {
            command: self.display(),
            source,
        })?;
        let stdout_reader = spawn_reader(child.stdout.take());
        let stderr_reader = spawn_reader(child.stderr.take());
        let pid = child.id();
        let (status_sender, status_receiver) = mpsc::channel();
        let waiter = thread::spawn(move || {
            // The receiver may be gone after a timeout; nothing to do then.
            let _ = status_sender.send(child.wait());
        });
        let status = match status_receiver.recv_timeout(self.timeout) {
            Ok(status) => status,
            Err(_) => {
                kill_process_group(pid);
                let _ = waiter.join();
                tracing::warn!(command = %self.display(), "tool timed out and was killed");
                return Err(Error::Timeout {
                    command: self.display(),
                    timeout: self.timeout,
                });
            }
        };
        let _ = waiter.join();
        let status = status.map_err(|source| Error::CommandSpawn {
            command: self.display(),
            source,
        })?;
        let stdout = join_reader(stdout_reader);
        let stderr = join_reader(stderr_reader);
        Ok(ToolOutput {
            status,
            stdout,
            stderr,
            elapsed: started.elapsed(),
        })
    }

    /// Runs the tool and fails with [`Error::CommandFailed`] (tool name,
    /// redacted command line, exit status and stderr) unless it exits 0.
    pub fn run(&self) -> Result<ToolOutput> {
        let output = self.output()?;
        if output.success() {
            Ok(output)
        } else {
            Err(self.failure(&output))
        }
    }

    /// The [`Error::CommandFailed`] describing a failed run of this command.
    pub fn failure(&self, output: &ToolOutput) -> Error {
        let text = if output.stderr.trim().is_empty() {
            output.stdout.trim()
        } else {
            output.stderr.trim()
        };
        Error::CommandFailed {
            tool: self.tool(),
            command: self.display(),
            status: describe_status(&output.status),
            stderr: self.redact(text),
        }
    }

    /// Replaces every secret argument's value found in `text` by `***`
    /// (tools sometimes echo their arguments in error messages).
    fn redact(&self, text: &str) -> String {
        let mut redacted = text.to_owned();
        for arg in self.args.iter().filter(|arg| arg.secret) {
            let secret = arg.value.to_string_lossy();
            if !secret.is_empty() {
                redacted = redacted.replace(secret.as_ref(), REDACTED);
            }
        }
        redacted
    }
}

fn spawn_reader<R: Read + Send + 'static>(pipe: Option<R>) -> Option<thread::JoinHandle<Vec<u8>>> {
    pipe.map(|mut pipe| {
        thread::spawn(move || {
            let mut bytes = Vec::new();
            // A read error just ends the capture; what was read is kept.
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    })
}

fn join_reader(reader: Option<thread::JoinHandle<Vec<u8>>>) -> String {
    reader
        .and_then(|handle| handle.join().ok())
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}

fn kill_process_group(pid: u32) {
    if let Ok(pid) = i32::try_from(pid) {
        let group = nix::unistd::Pid::from_raw(pid);
        // The group may already be gone; that is fine.
        let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
    }
}

/// "exit 3" or "killed by signal 9".
pub fn describe_status(status: &ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        (None, None) => "unknown status".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsm_core::ErrorNumber;

    #[test]
    fn captures_stdout_and_exit_status() {
        let output = ToolCommand::new("echo").arg("hello world").run().unwrap();
        assert_eq!(output.stdout, "hello world\n");
        assert!(output.success());
    }

    #[test]
    fn arguments_are_never_interpreted_by_a_shell() {
        let output = ToolCommand::new("echo")
            .arg("$(id); rm -rf / `x` | && >out")
            .run()
            .unwrap();
        assert_eq!(output.stdout, "$(id); rm -rf / `x` | && >out\n");
    }

    #[test]
    fn failure_keeps_tool_args_and_stderr() {
        let error = ToolCommand::new("ls")
            .arg("/nonexistent/lsm-test-path")
            .run()
            .unwrap_err();
        match &error {
            Error::CommandFailed {
                tool,
                command,
                status,
                stderr,
            } => {
                assert_eq!(tool, "ls");
                assert_eq!(command, "ls /nonexistent/lsm-test-path");
                assert_eq!(status, "exit 2");
                assert!(stderr.contains("No such file or directory"), "{stderr}");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(error.lsm_error_number(), ErrorNumber::PLUGIN_BUG);
    }

    #[test]
    fn secrets_are_redacted_in_display_and_errors() {
        let command = ToolCommand::new("ls")
            .arg("--user")
            .secret_arg("/hunter2-secret");
        assert_eq!(command.display(), "ls --user ***");
        let error = command.run().unwrap_err();
        let text = error.to_string();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("***"), "{text}");
    }

    #[test]
    fn timeout_kills_the_tool_and_its_children() {
        let started = Instant::now();
        let error = ToolCommand::new("sleep")
            .arg("30")
            .timeout(Duration::from_millis(200))
            .output()
            .unwrap_err();
        assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
        assert_eq!(error.lsm_error_number(), ErrorNumber::TIMEOUT);
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn environment_is_passed_and_locale_is_c() {
        let output = ToolCommand::new("env")
            .env("LSM_TEST_VARIABLE", "42")
            .run()
            .unwrap();
        assert!(output.stdout.contains("LSM_TEST_VARIABLE=42"));
        assert!(output.stdout.contains("LC_ALL=C"));
    }

    #[test]
    fn missing_program_is_a_spawn_error() {
        let error = ToolCommand::new("lsm-no-such-tool-xyz")
            .output()
            .unwrap_err();
        assert!(matches!(error, Error::CommandSpawn { .. }), "{error:?}");
        assert!(error.to_string().contains("lsm-no-such-tool-xyz"));
    }

    #[test]
    fn display_quotes_arguments_with_spaces() {
        let command =
            ToolCommand::new("lvcreate").args(["--config", "global{activation=0}", "a b"]);
        assert_eq!(
            command.display(),
            "lvcreate --config global{activation=0} \"a b\""
        );
    }
}
