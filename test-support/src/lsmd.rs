//! The real lsmd in a test: [`LsmdDirs`] makes its plugin, socket and conf
//! directories in a temporary root; [`RunningLsmd`] starts it with
//! `NOTIFY_SOCKET` pointing at a socket of ours, waits for `READY=1` (its
//! sockets are made by then), and kills and reaps it on drop, also when the
//! test fails (then printing its log).

use std::ffi::OsStr;
use std::fs;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Instant;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tempfile::TempDir;

use crate::wait::TIMEOUT;
use crate::{set_mode, unique_suffix};

/// A temporary root holding lsmd's `plugins/`, `ipc/` (sockets) and
/// `conf/` directories, removed when dropped. The root, plugin and socket
/// dirs are mode 0755, so plugins and clients running as another user
/// reach them.
pub struct LsmdDirs {
    root: TempDir,
    /// `--plugindir`.
    pub plugin_dir: PathBuf,
    /// `--socketdir`.
    pub socket_dir: PathBuf,
    /// `--confdir`.
    pub conf_dir: PathBuf,
}

impl LsmdDirs {
    /// Makes the directories in a new temporary root named `<prefix>…`.
    pub fn new(prefix: &str) -> LsmdDirs {
        let root = tempfile::Builder::new()
            .prefix(prefix)
            .tempdir()
            .unwrap_or_else(|error| panic!("tempdir: {error}"));
        let dirs = LsmdDirs {
            plugin_dir: root.path().join("plugins"),
            socket_dir: root.path().join("ipc"),
            conf_dir: root.path().join("conf"),
            root,
        };
        for dir in [&dirs.plugin_dir, &dirs.socket_dir, &dirs.conf_dir] {
            fs::create_dir(dir).unwrap_or_else(|error| panic!("{}: {error}", dir.display()));
        }
        set_mode(dirs.root(), 0o755);
        set_mode(&dirs.plugin_dir, 0o755);
        set_mode(&dirs.socket_dir, 0o755);
        dirs
    }

    /// The temporary root (lsmd's log and notification socket go here).
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// Socket path of plugin `scheme`.
    pub fn socket(&self, scheme: &str) -> PathBuf {
        self.socket_dir.join(scheme)
    }

    /// `plugin_dir/relative_path`, its parent directories made (mode 0755).
    pub fn plugin_path(&self, relative_path: &str) -> PathBuf {
        let path = self.plugin_dir.join(relative_path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .unwrap_or_else(|error| panic!("{}: {error}", parent.display()));
            set_mode(parent, 0o755);
        }
        path
    }

    /// Symlinks `exe` as `plugin_dir/relative_path`.
    pub fn link_plugin(&self, relative_path: &str, exe: &Path) -> PathBuf {
        let path = self.plugin_path(relative_path);
        std::os::unix::fs::symlink(exe, &path)
            .unwrap_or_else(|error| panic!("symlink {}: {error}", path.display()));
        path
    }

    /// Copies `exe` to `plugin_dir/relative_path`.
    pub fn copy_plugin(&self, relative_path: &str, exe: &Path) -> PathBuf {
        let path = self.plugin_path(relative_path);
        fs::copy(exe, &path).unwrap_or_else(|error| panic!("copy to {}: {error}", path.display()));
        path
    }

    /// `lsmd -d` (foreground) on these directories, stdin closed and no
    /// `NOTIFY_SOCKET` inherited; add arguments and environment, then
    /// [`LsmdDirs::start`] it.
    pub fn command(&self, lsmd: &Path) -> Command {
        let mut command = Command::new(lsmd);
        command
            .arg("-d")
            .arg("--plugindir")
            .arg(&self.plugin_dir)
            .arg("--socketdir")
            .arg(&self.socket_dir)
            .arg("--confdir")
            .arg(&self.conf_dir)
            .env_remove("NOTIFY_SOCKET")
            .stdin(Stdio::null());
        command
    }

    /// Starts `command` (from [`LsmdDirs::command`]) and waits for its
    /// `READY=1`.
    pub fn start(&self, command: Command) -> RunningLsmd {
        RunningLsmd::spawn(command, self.root())
    }
}

/// A running lsmd, killed (SIGKILL) and reaped on drop unless it already
/// exited; its stdout and stderr go to a log file, printed when the test
/// fails.
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
        let notifications = UnixDatagram::bind(&notify_path)
            .unwrap_or_else(|error| panic!("bind {}: {error}", notify_path.display()));
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
        notify_address: &OsStr,
    ) -> Self {
        notifications
            .set_read_timeout(Some(TIMEOUT))
            .unwrap_or_else(|error| panic!("notification socket timeout: {error}"));
        let log_path = scratch_dir.join(format!("lsmd-{}.log", unique_suffix()));
        let log = fs::File::create(&log_path)
            .unwrap_or_else(|error| panic!("{}: {error}", log_path.display()));
        let log_copy = log
            .try_clone()
            .unwrap_or_else(|error| panic!("{}: {error}", log_path.display()));
        let child = command
            .env("NOTIFY_SOCKET", notify_address)
            .stdout(log_copy)
            .stderr(log)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {command:?}: {error}"));
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

    /// lsmd's process id.
    pub fn pid(&self) -> Pid {
        Pid::from_raw(self.child.id() as i32)
    }

    /// Sends `signal` to lsmd.
    pub fn signal(&self, signal: Signal) {
        kill(self.pid(), signal).unwrap_or_else(|error| panic!("kill -{signal}: {error}"));
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

    /// Waits for lsmd to exit on its own; fails the test after [`TIMEOUT`].
    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("waitpid on lsmd") {
                self.exit_status = Some(status);
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "lsmd did not exit; log:\n{}",
                self.log()
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Whether lsmd is still running.
    pub fn is_running(&mut self) -> bool {
        self.exit_status.is_none() && self.child.try_wait().expect("waitpid on lsmd").is_none()
    }

    /// Everything lsmd wrote to stdout and stderr so far.
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// The real uid of lsmd, from `/proc/<pid>/status`.
    pub fn uid(&self) -> u32 {
        crate::process::process_uid(self.pid().as_raw() as u32)
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

/// An lsmd that detached itself (started without `-d`: not our child, so
/// no [`Child`] to reap), killed by pid on drop once [`DetachedLsmd::adopt`]
/// has named it.
#[derive(Default)]
pub struct DetachedLsmd {
    pid: Option<u32>,
}

impl DetachedLsmd {
    /// A guard with no process yet (make it before starting lsmd, so a
    /// failure between start and [`DetachedLsmd::adopt`] is the only gap).
    pub fn new() -> DetachedLsmd {
        DetachedLsmd::default()
    }

    /// From now on, `pid` is killed on drop.
    pub fn adopt(&mut self, pid: u32) {
        self.pid = Some(pid);
    }

    /// The adopted pid, if any.
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// Sends `signal` to the adopted lsmd; fails the test if none.
    pub fn signal(&self, signal: Signal) {
        let pid = self.pid.expect("no detached lsmd adopted");
        kill(Pid::from_raw(pid as i32), signal)
            .unwrap_or_else(|error| panic!("kill -{signal} {pid}: {error}"));
    }

    /// lsmd stopped on its own: nothing to kill any more.
    pub fn release(&mut self) {
        self.pid = None;
    }
}

impl Drop for DetachedLsmd {
    fn drop(&mut self) {
        if let Some(pid) = self.pid {
            let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
        }
    }
}
