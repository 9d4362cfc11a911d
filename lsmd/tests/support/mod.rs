//! Test support: temporary lsmd set-ups, the real `lsmd` binary under a
//! guard that kills it on drop, script plugins and small socket clients.

#![allow(dead_code)] // Each test binary uses a different part of this module.

pub mod lsm;

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tempfile::TempDir;

/// How long any single wait in these tests may take before failing.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// Path of the lsmd binary under test.
pub const LSMD: &str = env!("CARGO_BIN_EXE_lsmd");

/// The uid/gid of `nobody`, used for unprivileged clients and plugins.
pub const NOBODY_UID: u32 = 65534;

/// A temporary plugin dir, socket dir, conf dir and output dir.
pub struct Fixture {
    root: TempDir,
    pub plugin_dir: PathBuf,
    pub socket_dir: PathBuf,
    pub conf_dir: PathBuf,
    /// Where plugins write what they saw (world-writable).
    pub out_dir: PathBuf,
}

impl Fixture {
    pub fn new() -> Self {
        let root = tempfile::Builder::new()
            .prefix("lsmd-test")
            .tempdir()
            .unwrap();
        let fixture = Self {
            plugin_dir: root.path().join("plugins"),
            socket_dir: root.path().join("ipc"),
            conf_dir: root.path().join("conf"),
            out_dir: root.path().join("out"),
            root,
        };
        for dir in [
            &fixture.plugin_dir,
            &fixture.socket_dir,
            &fixture.conf_dir,
            &fixture.out_dir,
        ] {
            fs::create_dir(dir).unwrap();
        }
        // Unprivileged plugins and clients must reach their files.
        set_mode(fixture.root.path(), 0o755);
        set_mode(&fixture.plugin_dir, 0o755);
        set_mode(&fixture.socket_dir, 0o755);
        set_mode(&fixture.out_dir, 0o777);
        fixture
    }

    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// Socket path of plugin `name`.
    pub fn socket(&self, name: &str) -> PathBuf {
        self.socket_dir.join(name)
    }

    /// Writes an executable bash script at `plugin_dir/relative_path`
    /// (bash, not sh: dash cannot redirect fds above 9, and the connection
    /// fd often is).
    pub fn add_script_plugin(&self, relative_path: &str, body: &str) -> PathBuf {
        let path = self.plugin_dir.join(relative_path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
            set_mode(parent, 0o755);
        }
        fs::write(&path, format!("#!/bin/bash\n{body}")).unwrap();
        set_mode(&path, 0o755);
        path
    }

    /// The echo plugin: records `$0 $1` in `out/argv.<pid>`, sends a
    /// `pid=… uid=… fd=…` line on its socket, then echoes every byte back.
    pub fn add_echo_plugin(&self, relative_path: &str) -> PathBuf {
        let out = self.out_dir.display();
        self.add_script_plugin(
            relative_path,
            &format!(
                "printf '%s %s\\n' \"$0\" \"$1\" > \"{out}/argv.$$\"\n\
                 printf 'pid=%s uid=%s fd=%s\\n' \"$$\" \"$(id -u)\" \"$1\" >&\"$1\"\n\
                 exec cat <&\"$1\" >&\"$1\"\n"
            ),
        )
    }

    /// Writes `conf_dir/relative_path`.
    pub fn write_conf(&self, relative_path: &str, text: &str) {
        let path = self.conf_dir.join(relative_path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(path, text).unwrap();
    }

    /// `(file name, content)` of every `argv.<pid>` record, keyed by pid.
    pub fn argv_records(&self) -> HashMap<u32, String> {
        let mut records = HashMap::new();
        for entry in fs::read_dir(&self.out_dir).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(pid) = name.strip_prefix("argv.") {
                let text = fs::read_to_string(entry.path()).unwrap_or_default();
                records.insert(pid.parse().unwrap(), text);
            }
        }
        records
    }

    /// The arguments lsmd is started with (foreground, verbose).
    pub fn lsmd_command(&self, extra_args: &[&str]) -> Command {
        let mut command = Command::new(LSMD);
        command
            .arg("-d")
            .arg("-v")
            .arg("--plugindir")
            .arg(&self.plugin_dir)
            .arg("--socketdir")
            .arg(&self.socket_dir)
            .arg("--confdir")
            .arg(&self.conf_dir)
            .args(extra_args)
            .env_remove("NOTIFY_SOCKET")
            .env_remove("LSM_VALGRIND")
            .stdin(Stdio::null());
        command
    }

    /// Starts lsmd and waits for its `READY=1`.
    pub fn start(&self) -> RunningLsmd {
        self.start_with(&[])
    }

    /// Starts lsmd with extra arguments and waits for its `READY=1`.
    pub fn start_with(&self, extra_args: &[&str]) -> RunningLsmd {
        let command = self.lsmd_command(extra_args);
        RunningLsmd::spawn(command, self.root())
    }

    /// Runs lsmd expecting it to stop on its own (a start-up failure).
    pub fn run_expecting_exit(&self, extra_args: &[&str]) -> Output {
        let mut child = self
            .lsmd_command(extra_args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + TIMEOUT;
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("lsmd did not exit on its own");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        child.wait_with_output().unwrap()
    }

    /// Names of the entries in the socket dir (sorted, lock file included).
    pub fn socket_dir_entries(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(&self.socket_dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

pub fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// A running lsmd, killed (SIGKILL) and reaped on drop unless it already exited.
pub struct RunningLsmd {
    child: Child,
    notifications: UnixDatagram,
    log_path: PathBuf,
    exit_status: Option<ExitStatus>,
}

impl RunningLsmd {
    /// Spawns `command` with `NOTIFY_SOCKET` pointing at a datagram socket
    /// bound in `scratch_dir`, and waits for `READY=1`.
    pub fn spawn(command: Command, scratch_dir: &Path) -> Self {
        let notify_path = scratch_dir.join(format!("notify-{}", unique_suffix()));
        let notifications = UnixDatagram::bind(&notify_path).unwrap();
        // World-writable, like systemd's: lsmd may have switched user.
        set_mode(&notify_path, 0o777);
        Self::spawn_with_notify(command, scratch_dir, notifications, notify_path.as_os_str())
    }

    /// Like [`RunningLsmd::spawn`] with a caller-made notification socket
    /// and `NOTIFY_SOCKET` value.
    pub fn spawn_with_notify(
        mut command: Command,
        scratch_dir: &Path,
        notifications: UnixDatagram,
        notify_address: &std::ffi::OsStr,
    ) -> Self {
        notifications.set_read_timeout(Some(TIMEOUT)).unwrap();
        let log_path = scratch_dir.join(format!("lsmd-{}.log", unique_suffix()));
        let log = fs::File::create(&log_path).unwrap();
        let child = command
            .env("NOTIFY_SOCKET", notify_address)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut running = Self {
            child,
            notifications,
            log_path,
            exit_status: None,
        };
        let ready = running.next_notification();
        assert_eq!(ready, "READY=1", "log:\n{}", running.log());
        running
    }

    pub fn pid(&self) -> Pid {
        Pid::from_raw(self.child.id() as i32)
    }

    pub fn signal(&self, signal: Signal) {
        kill(self.pid(), signal).unwrap();
    }

    /// The next sd_notify message; fails the test after [`TIMEOUT`].
    pub fn next_notification(&mut self) -> String {
        let mut buffer = [0u8; 512];
        match self.notifications.recv(&mut buffer) {
            Ok(length) => String::from_utf8_lossy(&buffer[..length]).into_owned(),
            Err(error) => {
                let status = self.child.try_wait().ok().flatten();
                panic!(
                    "no sd_notify message from lsmd ({error}); exit status {status:?}; log:\n{}",
                    self.log()
                )
            }
        }
    }

    /// Waits for lsmd to exit on its own.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                self.exit_status = Some(status);
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "lsmd did not exit; log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn is_running(&mut self) -> bool {
        self.exit_status.is_none() && self.child.try_wait().unwrap().is_none()
    }

    /// Everything lsmd wrote to stdout and stderr so far.
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// The real uid of lsmd, from `/proc/<pid>/status`.
    pub fn uid(&self) -> u32 {
        process_uid(self.pid().as_raw() as u32)
    }
}

impl Drop for RunningLsmd {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- lsmd log ---\n{}--- end of lsmd log ---", self.log());
        }
        if self.exit_status.is_none() && self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A string unique within this test process.
pub fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The first line an echo plugin sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EchoHeader {
    pub pid: u32,
    pub uid: u32,
    pub fd: u32,
}

impl EchoHeader {
    pub fn parse(line: &str) -> Self {
        let mut fields = HashMap::new();
        for pair in line.split_whitespace() {
            let (key, value) = pair.split_once('=').unwrap();
            fields.insert(key, value.parse::<u32>().unwrap());
        }
        Self {
            pid: fields["pid"],
            uid: fields["uid"],
            fd: fields["fd"],
        }
    }
}

/// A client connection to an echo plugin.
pub struct EchoSession {
    reader: BufReader<UnixStream>,
    pub header: EchoHeader,
}

impl EchoSession {
    /// Connects to `socket_path` and reads the plugin's header line.
    pub fn connect(socket_path: &Path) -> Self {
        let stream = UnixStream::connect(socket_path)
            .unwrap_or_else(|error| panic!("connect {}: {error}", socket_path.display()));
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        stream.set_write_timeout(Some(TIMEOUT)).unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert!(
            line.ends_with('\n'),
            "incomplete header {line:?} from {}",
            socket_path.display()
        );
        Self {
            header: EchoHeader::parse(&line),
            reader,
        }
    }

    /// Sends `payload` and reads the same number of bytes back.
    pub fn echo(&mut self, payload: &[u8]) -> Vec<u8> {
        self.reader.get_mut().write_all(payload).unwrap();
        let mut reply = vec![0u8; payload.len()];
        self.reader.read_exact(&mut reply).unwrap();
        reply
    }
}

/// `(pid, state)` of every process whose parent is `parent`.
pub fn children_of(parent: u32) -> Vec<(u32, char)> {
    let mut children = Vec::new();
    let Ok(entries) = fs::read_dir("/proc") else {
        return children;
    };
    for entry in entries.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        let Some(after_comm) = stat.rfind(')').map(|index| &stat[index + 1..]) else {
            continue;
        };
        let mut fields = after_comm.split_whitespace();
        let state = fields.next().and_then(|field| field.chars().next());
        let ppid = fields.next().and_then(|field| field.parse::<u32>().ok());
        if let (Some(state), Some(ppid)) = (state, ppid)
            && ppid == parent
        {
            children.push((pid, state));
        }
    }
    children
}

/// Real uid of a process, from `/proc/<pid>/status`.
pub fn process_uid(pid: u32) -> u32 {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("Uid:"))
        .unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Waits until `condition` holds, failing with `what` after [`TIMEOUT`].
pub fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + TIMEOUT;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
