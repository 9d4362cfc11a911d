//! The daemon: start-up order, listening sockets and the `poll()` loop.
//!
//! [`run_daemon`] follows the start-up order of protocol doc §1.2:
//! 1. read `lsmd.conf`;
//! 2. unless root plugins are allowed, switch to the unprivileged user;
//! 3. check the socket directory (read, write, search) and plugin directory
//!    (read, search);
//! 4. take the lock file;
//! 5. detach (`daemon()`), unless running in the foreground;
//! 6. delete every socket left in the socket directory;
//! 7. scan the plugin directory, read each plugin's conf, bind and listen.
//!
//! It then sends `READY=1` and loops: `poll()` on a signalfd and every
//! listening socket; each accepted connection gets its own plugin process
//! ([`crate::plugin_process`]); children are reaped with `waitpid(WNOHANG)`
//! after every wake-up (SIGCHLD wakes it too) and non-zero exits are logged.
//! SIGHUP rescans (a failed rescan keeps the current sockets); SIGTERM and
//! SIGINT remove the sockets and return `Ok(())`. Plugins still serving
//! clients are left running on shutdown.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{SigHandler, SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::socket::{
    AddressFamily, Backlog, SockFlag, SockType, UnixAddr, bind, getsockopt, listen, socket,
    sockopt::PeerCredentials,
};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{AccessFlags, Pid, access};

use crate::config::{DaemonConfig, PluginConfig};
use crate::error::{LsmdError, Result};
use crate::lock::SocketDirLock;
use crate::notify::{SystemdNotifier, reloading_message};
use crate::plugin_process::{VALGRIND_ENV, mark_inherited_fds_close_on_exec, spawn_plugin};
use crate::privilege::{
    DEFAULT_UNPRIVILEGED_USER, UnprivilegedUser, choose_plugin_identity,
    daemon_drops_root_after_scan, daemon_drops_root_at_start, daemon_is_root, plugin_runs_as_root,
};
use crate::scan::{DiscoveredPlugin, remove_stale_sockets, scan_plugin_dir};

/// Default plugin directory (plugins install into bindir).
pub const DEFAULT_PLUGIN_DIR: &str = "/usr/bin";
/// Default socket directory.
pub const DEFAULT_SOCKET_DIR: &str = "/var/run/lsm/ipc";
/// Default configuration directory.
pub const DEFAULT_CONF_DIR: &str = "/etc/lsm";
/// `listen()` backlog of every plugin socket.
pub const LISTEN_BACKLOG: i32 = 5;
/// Mode of every plugin socket.
pub const SOCKET_MODE: u32 = 0o666;
/// Longest wait in `poll()`; children are reaped at least this often.
pub const POLL_INTERVAL: Duration = Duration::from_secs(15);

/// What the command line decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaemonOptions {
    /// Searched recursively for `*_lsmplugin`.
    pub plugin_dir: PathBuf,
    /// Where the listening sockets and the lock file go.
    pub socket_dir: PathBuf,
    /// Holds `lsmd.conf` and `pluginconf.d/`.
    pub conf_dir: PathBuf,
    /// Stay in the foreground (`-d`) instead of calling `daemon()`.
    pub foreground: bool,
    /// The account lsmd and non-root plugins switch to.
    pub unprivileged_user: String,
}

impl DaemonOptions {
    /// The same options with every directory made absolute (against the
    /// current directory; symlinks are kept).
    pub fn with_absolute_paths(&self) -> Self {
        let absolute =
            |path: &Path| std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        Self {
            plugin_dir: absolute(&self.plugin_dir),
            socket_dir: absolute(&self.socket_dir),
            conf_dir: absolute(&self.conf_dir),
            ..self.clone()
        }
    }
}

impl Default for DaemonOptions {
    fn default() -> Self {
        Self {
            plugin_dir: PathBuf::from(DEFAULT_PLUGIN_DIR),
            socket_dir: PathBuf::from(DEFAULT_SOCKET_DIR),
            conf_dir: PathBuf::from(DEFAULT_CONF_DIR),
            foreground: false,
            unprivileged_user: DEFAULT_UNPRIVILEGED_USER.to_string(),
        }
    }
}

/// A plugin lsmd serves: what the scan found plus its conf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedPlugin {
    /// Socket name.
    pub name: String,
    /// Executable.
    pub path: PathBuf,
    /// `require-root-privilege` from its conf file.
    pub requires_root: bool,
}

/// Reads each discovered plugin's conf file. A malformed conf is logged (with
/// file and line) and the plugin is served without root, the safe default.
pub fn load_plugin_configs(
    conf_dir: &Path,
    discovered: Vec<DiscoveredPlugin>,
) -> Vec<ServedPlugin> {
    discovered
        .into_iter()
        .map(|plugin| {
            let requires_root = match PluginConfig::load(conf_dir, &plugin.name) {
                Ok(config) => config.require_root_privilege,
                Err(error) => {
                    tracing::error!("{error}; plugin `{}` will not run as root", plugin.name);
                    false
                }
            };
            ServedPlugin {
                name: plugin.name,
                path: plugin.path,
                requires_root,
            }
        })
        .collect()
}

/// A bound, listening plugin socket. Dropping it closes the socket and
/// removes its file.
#[derive(Debug)]
pub struct PluginSocket {
    /// The plugin it serves.
    pub plugin: ServedPlugin,
    /// The socket file.
    pub path: PathBuf,
    listener: UnixListener,
}

impl PluginSocket {
    /// Binds `<socket_dir>/<plugin name>`, sets mode 0666 and listens with a
    /// backlog of 5. The socket is non-blocking and close-on-exec.
    pub fn bind(socket_dir: &Path, plugin: ServedPlugin) -> io::Result<Self> {
        let path = socket_dir.join(&plugin.name);
        let socket_fd: OwnedFd = socket(
            AddressFamily::Unix,
            SockType::Stream,
            SockFlag::SOCK_CLOEXEC | SockFlag::SOCK_NONBLOCK,
            None,
        )?;
        let address = UnixAddr::new(&path)?;
        bind(socket_fd.as_raw_fd(), &address)?;
        // From here on the file exists: the guard removes it on any error.
        let listener = UnixListener::from(socket_fd);
        let bound = Self {
            plugin,
            path,
            listener,
        };
        fs::set_permissions(&bound.path, fs::Permissions::from_mode(SOCKET_MODE))?;
        listen(&bound.listener, Backlog::new(LISTEN_BACKLOG)?)?;
        Ok(bound)
    }
}

impl Drop for PluginSocket {
    fn drop(&mut self) {
        if let Err(error) = fs::remove_file(&self.path)
            && error.kind() != io::ErrorKind::NotFound
        {
            tracing::warn!("cannot remove socket {}: {error}", self.path.display());
        }
    }
}

/// Binds one socket per plugin; a plugin whose socket cannot be bound is
/// logged and skipped.
pub fn bind_plugin_sockets(socket_dir: &Path, plugins: Vec<ServedPlugin>) -> Vec<PluginSocket> {
    let mut sockets = Vec::with_capacity(plugins.len());
    for plugin in plugins {
        let name = plugin.name.clone();
        match PluginSocket::bind(socket_dir, plugin) {
            Ok(socket) => {
                tracing::debug!("listening on {} for plugin `{name}`", socket.path.display());
                sockets.push(socket);
            }
            Err(error) => tracing::error!(
                "cannot create socket {} for plugin `{name}`: {error}",
                socket_dir.join(&name).display()
            ),
        }
    }
    sockets
}

/// Checks that `dir` is a directory the current user can use as `role`.
pub fn check_directory_access(role: &'static str, dir: &Path, needed: AccessFlags) -> Result<()> {
    let access_error = |reason: String| LsmdError::DirectoryAccess {
        role,
        path: dir.to_path_buf(),
        reason,
    };
    let metadata = fs::metadata(dir).map_err(|error| access_error(error.to_string()))?;
    if !metadata.is_dir() {
        return Err(access_error("not a directory".to_string()));
    }
    access(dir, needed).map_err(|errno| {
        let mut wanted = Vec::new();
        if needed.contains(AccessFlags::R_OK) {
            wanted.push("read");
        }
        if needed.contains(AccessFlags::W_OK) {
            wanted.push("write");
        }
        if needed.contains(AccessFlags::X_OK) {
            wanted.push("search");
        }
        access_error(format!(
            "{} permission needed ({})",
            wanted.join(", "),
            errno.desc()
        ))
    })
}

/// Signals lsmd handles through its signalfd.
fn handled_signals() -> SigSet {
    let mut signals = SigSet::empty();
    for signal in [
        Signal::SIGHUP,
        Signal::SIGTERM,
        Signal::SIGINT,
        Signal::SIGCHLD,
    ] {
        signals.add(signal);
    }
    signals
}

/// Runs lsmd: the whole start-up order, then the main loop until SIGTERM or
/// SIGINT (then `Ok(())`) or a fatal error.
pub fn run_daemon(options: &DaemonOptions) -> Result<()> {
    // daemon() changes to `/`: relative directories must not change meaning.
    let options = &options.with_absolute_paths();

    // Plugins get stdio and their connection, not whatever lsmd inherited.
    match mark_inherited_fds_close_on_exec() {
        Ok(0) => {}
        Ok(count) => tracing::debug!("{count} inherited fd(s) marked close-on-exec"),
        Err(error) => tracing::warn!("cannot list inherited fds: {error}"),
    }

    // Hold the handled signals from the start so a SIGTERM during start-up is
    // served by the loop instead of killing lsmd half-way. Plugins do not
    // inherit this mask: `spawn_plugin` clears it in the child before exec.
    let signals = handled_signals();
    signals.thread_block().map_err(LsmdError::SignalSetup)?;
    // Whoever started lsmd may have set some of them to "ignore" (a shell's
    // background job ignores SIGINT, a parent may ignore SIGCHLD). lsmd
    // reads them blocked, so their action does not matter to it, but
    // plugins inherit it across exec: give them the default actions.
    for signal in signals.iter() {
        // SAFETY: installs no handler, only the default action.
        unsafe { nix::sys::signal::signal(signal, SigHandler::SigDfl) }
            .map_err(LsmdError::SignalSetup)?;
    }

    // 1. lsmd.conf.
    let daemon_config = DaemonConfig::load(&options.conf_dir)?;
    tracing::debug!(
        "allow-plugin-root-privilege = {}",
        daemon_config.allow_plugin_root_privilege
    );

    // 2. Drop root unless root plugins are allowed.
    let unprivileged_user = UnprivilegedUser::lookup(&options.unprivileged_user)?;
    if unprivileged_user.is_none() && daemon_is_root() {
        tracing::warn!(
            "user `{}` does not exist: lsmd and its plugins keep running as the current user",
            options.unprivileged_user
        );
    }
    if daemon_drops_root_at_start(daemon_config.allow_plugin_root_privilege) {
        drop_daemon_root(unprivileged_user.as_ref())?;
    }

    // 3. Directory access.
    check_directory_access(
        "socket directory",
        &options.socket_dir,
        AccessFlags::R_OK | AccessFlags::W_OK | AccessFlags::X_OK,
    )?;
    check_directory_access(
        "plugin directory",
        &options.plugin_dir,
        AccessFlags::R_OK | AccessFlags::X_OK,
    )?;

    // 4. Lock.
    let lock = SocketDirLock::acquire(&options.socket_dir)?;

    // 5. Detach.
    if !options.foreground {
        nix::unistd::daemon(false, false).map_err(LsmdError::Daemonize)?;
    }

    // 6. Stale sockets.
    for removed in remove_stale_sockets(&options.socket_dir)? {
        tracing::info!("removed stale socket {}", removed.display());
    }

    // 7. Scan and listen.
    let signal_fd = SignalFd::with_flags(&signals, SfdFlags::SFD_CLOEXEC | SfdFlags::SFD_NONBLOCK)
        .map_err(LsmdError::SignalSetup)?;
    let discovered = scan_plugin_dir(&options.plugin_dir)?;
    if discovered.is_empty() {
        return Err(LsmdError::NoPlugins {
            path: options.plugin_dir.clone(),
        });
    }
    let plugins = load_plugin_configs(&options.conf_dir, discovered);
    let sockets = bind_plugin_sockets(&options.socket_dir, plugins);
    if sockets.is_empty() {
        return Err(LsmdError::NoSockets {
            path: options.socket_dir.clone(),
        });
    }

    let mut daemon = Daemon {
        options: options.clone(),
        daemon_config,
        unprivileged_user,
        under_valgrind: std::env::var_os(VALGRIND_ENV).is_some(),
        sockets,
        children: HashMap::new(),
        notifier: SystemdNotifier::from_env(),
        signal_fd,
        _lock: lock,
    };
    daemon.drop_root_if_no_plugin_needs_it()?;
    tracing::info!(
        "lsmd ready: {} plugin(s) from {} listening in {}: {}",
        daemon.sockets.len(),
        options.plugin_dir.display(),
        options.socket_dir.display(),
        daemon.plugin_names().join(", ")
    );
    daemon.notify("READY=1");
    let outcome = daemon.serve();
    daemon.notify("STOPPING=1");
    daemon.sockets.clear();
    tracing::info!("lsmd stopped");
    outcome
}

/// Switches lsmd to the unprivileged user if it is root and the user exists.
fn drop_daemon_root(unprivileged_user: Option<&UnprivilegedUser>) -> Result<()> {
    if !daemon_is_root() {
        return Ok(());
    }
    if let Some(user) = unprivileged_user {
        user.switch_daemon_to()?;
        tracing::info!("lsmd now runs as user `{}` (uid {})", user.name, user.uid);
    }
    Ok(())
}

/// What a signalfd read asks the loop to do.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct SignalRequests {
    reload: bool,
    stop: bool,
}

/// State of a running lsmd.
struct Daemon {
    options: DaemonOptions,
    daemon_config: DaemonConfig,
    unprivileged_user: Option<UnprivilegedUser>,
    under_valgrind: bool,
    sockets: Vec<PluginSocket>,
    /// Live plugin processes: pid → plugin name.
    children: HashMap<Pid, String>,
    notifier: Option<SystemdNotifier>,
    signal_fd: SignalFd,
    _lock: SocketDirLock,
}

impl Daemon {
    fn plugin_names(&self) -> Vec<&str> {
        self.sockets
            .iter()
            .map(|socket| socket.plugin.name.as_str())
            .collect()
    }

    fn notify(&self, state: &str) {
        if let Some(notifier) = &self.notifier {
            notifier.notify_or_log(state);
        }
    }

    fn drop_root_if_no_plugin_needs_it(&self) -> Result<()> {
        let any_requires_root = self
            .sockets
            .iter()
            .any(|socket| socket.plugin.requires_root);
        if daemon_drops_root_after_scan(
            self.daemon_config.allow_plugin_root_privilege,
            any_requires_root,
        ) {
            drop_daemon_root(self.unprivileged_user.as_ref())?;
        }
        Ok(())
    }

    /// The main loop; returns when asked to stop.
    fn serve(&mut self) -> Result<()> {
        let timeout = PollTimeout::try_from(POLL_INTERVAL).unwrap_or(PollTimeout::MAX);
        loop {
            let (signal_ready, ready_sockets) = self.wait_for_events(timeout)?;
            let requests = if signal_ready {
                self.read_signals()?
            } else {
                SignalRequests::default()
            };
            for index in ready_sockets {
                self.accept_connections(index);
            }
            self.reap_children();
            if requests.stop {
                return Ok(());
            }
            if requests.reload {
                self.reload();
            }
        }
    }

    /// Polls the signalfd and every listening socket; returns whether the
    /// signalfd is readable and the indexes of readable sockets.
    fn wait_for_events(&self, timeout: PollTimeout) -> Result<(bool, Vec<usize>)> {
        let readable = PollFlags::POLLIN;
        let mut poll_fds = Vec::with_capacity(self.sockets.len() + 1);
        poll_fds.push(PollFd::new(self.signal_fd.as_fd(), readable));
        for socket in &self.sockets {
            poll_fds.push(PollFd::new(socket.listener.as_fd(), readable));
        }
        match poll(&mut poll_fds, timeout) {
            Ok(_) => {}
            Err(Errno::EINTR) => return Ok((false, Vec::new())),
            Err(errno) => return Err(LsmdError::MainLoop(errno)),
        }
        let is_ready =
            |poll_fd: &PollFd| poll_fd.revents().is_some_and(|events| !events.is_empty());
        let signal_ready = is_ready(&poll_fds[0]);
        let ready_sockets = poll_fds[1..]
            .iter()
            .enumerate()
            .filter(|(_, poll_fd)| is_ready(poll_fd))
            .map(|(index, _)| index)
            .collect();
        Ok((signal_ready, ready_sockets))
    }

    fn read_signals(&mut self) -> Result<SignalRequests> {
        let mut requests = SignalRequests::default();
        loop {
            let info = match self.signal_fd.read_signal() {
                Ok(Some(info)) => info,
                Ok(None) => return Ok(requests),
                Err(Errno::EINTR) => continue,
                Err(errno) => return Err(LsmdError::MainLoop(errno)),
            };
            match Signal::try_from(info.ssi_signo as i32) {
                Ok(Signal::SIGHUP) => {
                    tracing::info!("SIGHUP: rescanning {}", self.options.plugin_dir.display());
                    requests.reload = true;
                }
                Ok(signal @ (Signal::SIGTERM | Signal::SIGINT)) => {
                    tracing::info!("{signal}: removing sockets and exiting");
                    requests.stop = true;
                }
                Ok(Signal::SIGCHLD) => {}
                other => tracing::debug!("ignoring signal {other:?}"),
            }
        }
    }

    /// Accepts every pending connection on socket `index`.
    fn accept_connections(&mut self, index: usize) {
        loop {
            let Some(socket) = self.sockets.get(index) else {
                return;
            };
            match socket.listener.accept() {
                Ok((connection, _)) => self.hand_over(index, connection),
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => return,
                Err(error)
                    if matches!(
                        error.kind(),
                        io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted
                    ) => {}
                Err(error) => {
                    tracing::error!("accept on {} failed: {error}", socket.path.display());
                    if matches!(
                        Errno::from_raw(error.raw_os_error().unwrap_or(0)),
                        Errno::EMFILE | Errno::ENFILE | Errno::ENOBUFS | Errno::ENOMEM
                    ) {
                        // Out of resources: back off instead of spinning.
                        std::thread::sleep(Duration::from_millis(100));
                    }
                    return;
                }
            }
        }
    }

    /// Starts a plugin process for one accepted connection.
    fn hand_over(&mut self, index: usize, connection: UnixStream) {
        let Some(socket) = self.sockets.get(index) else {
            return;
        };
        let plugin = &socket.plugin;
        let client_uid = match getsockopt(&connection, PeerCredentials) {
            Ok(credentials) => Some(credentials.uid()),
            Err(errno) => {
                tracing::warn!(
                    "cannot read the credentials of a `{}` client: {errno}",
                    plugin.name
                );
                None
            }
        };
        let lsmd_is_root = daemon_is_root();
        let runs_as_root = plugin_runs_as_root(
            self.daemon_config.allow_plugin_root_privilege,
            plugin.requires_root,
            lsmd_is_root,
            client_uid == Some(0),
        );
        let identity =
            choose_plugin_identity(runs_as_root, lsmd_is_root, self.unprivileged_user.as_ref());
        match spawn_plugin(&plugin.path, &connection, &identity, self.under_valgrind) {
            Ok(child) => {
                let pid = Pid::from_raw(child.id() as i32);
                tracing::debug!(
                    "plugin `{}` started as pid {pid} for client uid {}{}",
                    plugin.name,
                    client_uid.map_or_else(|| "unknown".to_string(), |uid| uid.to_string()),
                    if runs_as_root { " (as root)" } else { "" }
                );
                self.children.insert(pid, plugin.name.clone());
            }
            Err(error) => tracing::error!(
                "cannot start plugin `{}` ({}): {error}; closing the client connection",
                plugin.name,
                plugin.path.display()
            ),
        }
        // `connection` drops here: the plugin has its own copy of the fd.
    }

    /// Reaps every exited child without blocking and logs failures.
    fn reap_children(&mut self) {
        loop {
            let status = match waitpid(None::<Pid>, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) | Err(Errno::ECHILD) => return,
                Ok(status) => status,
                Err(Errno::EINTR) => continue,
                Err(errno) => {
                    tracing::warn!("waitpid failed: {errno}");
                    return;
                }
            };
            let Some(pid) = status.pid() else {
                continue;
            };
            let name = self
                .children
                .remove(&pid)
                .unwrap_or_else(|| "unknown".to_string());
            match status {
                WaitStatus::Exited(_, 0) => {
                    tracing::debug!("plugin `{name}` (pid {pid}) exited");
                }
                WaitStatus::Exited(_, code) => {
                    tracing::warn!("plugin `{name}` (pid {pid}) exited with status {code}");
                }
                WaitStatus::Signaled(_, signal, core_dumped) => tracing::warn!(
                    "plugin `{name}` (pid {pid}) was killed by {signal}{}",
                    if core_dumped { " (core dumped)" } else { "" }
                ),
                _ => {}
            }
        }
    }

    /// SIGHUP: rescan, then replace every socket. A failed scan keeps the
    /// current sockets; finding no plugin leaves lsmd running with none.
    fn reload(&mut self) {
        self.notify(&reloading_message());
        match scan_plugin_dir(&self.options.plugin_dir) {
            Ok(discovered) => {
                let plugins = load_plugin_configs(&self.options.conf_dir, discovered);
                // Close and remove the old sockets before binding the same names again.
                self.sockets.clear();
                self.sockets = bind_plugin_sockets(&self.options.socket_dir, plugins);
                if self.sockets.is_empty() {
                    tracing::warn!(
                        "no plugin found in {}: serving nothing until the next SIGHUP",
                        self.options.plugin_dir.display()
                    );
                } else {
                    tracing::info!(
                        "rescan done: {} plugin(s): {}",
                        self.sockets.len(),
                        self.plugin_names().join(", ")
                    );
                }
                if let Err(error) = self.drop_root_if_no_plugin_needs_it() {
                    tracing::error!("{error}");
                }
            }
            Err(error) => tracing::error!("{error}; keeping the current sockets"),
        }
        self.notify("READY=1");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plugin(name: &str) -> ServedPlugin {
        ServedPlugin {
            name: name.to_string(),
            path: PathBuf::from(format!("/nowhere/{name}_lsmplugin")),
            requires_root: false,
        }
    }

    #[test]
    fn bound_socket_has_mode_0666_and_is_removed_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let socket = PluginSocket::bind(dir.path(), plugin("sim")).unwrap();
        let metadata = fs::symlink_metadata(dir.path().join("sim")).unwrap();
        assert!(std::os::unix::fs::FileTypeExt::is_socket(
            &metadata.file_type()
        ));
        assert_eq!(metadata.permissions().mode() & 0o777, SOCKET_MODE);
        let _client = UnixStream::connect(dir.path().join("sim")).unwrap();
        drop(socket);
        assert!(!dir.path().join("sim").exists());
    }

    #[test]
    fn binding_over_an_existing_file_fails_and_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("sim"), "not a socket").unwrap();
        assert!(PluginSocket::bind(dir.path(), plugin("sim")).is_err());
        assert_eq!(
            fs::read_to_string(dir.path().join("sim")).unwrap(),
            "not a socket"
        );
        let sockets = bind_plugin_sockets(dir.path(), vec![plugin("sim"), plugin("other")]);
        assert_eq!(sockets.len(), 1);
        assert_eq!(sockets[0].plugin.name, "other");
    }

    #[test]
    fn plugin_configs_are_read_per_plugin_and_malformed_ones_deny_root() {
        let conf = tempfile::tempdir().unwrap();
        fs::create_dir(conf.path().join("pluginconf.d")).unwrap();
        fs::write(
            conf.path().join("pluginconf.d/linux.conf"),
            "require-root-privilege = true;\n",
        )
        .unwrap();
        fs::write(
            conf.path().join("pluginconf.d/bad.conf"),
            "require-root-privilege = \n",
        )
        .unwrap();
        let discovered = ["linux", "sim", "bad"]
            .iter()
            .map(|name| DiscoveredPlugin {
                name: name.to_string(),
                path: PathBuf::from(format!("/x/{name}_lsmplugin")),
            })
            .collect();
        let served = load_plugin_configs(conf.path(), discovered);
        let requires: Vec<(&str, bool)> = served
            .iter()
            .map(|plugin| (plugin.name.as_str(), plugin.requires_root))
            .collect();
        assert_eq!(requires, [("linux", true), ("sim", false), ("bad", false)]);
    }

    #[test]
    fn directory_checks_name_the_problem() {
        let dir = tempfile::tempdir().unwrap();
        let all = AccessFlags::R_OK | AccessFlags::W_OK | AccessFlags::X_OK;
        assert!(check_directory_access("socket directory", dir.path(), all).is_ok());
        let missing = check_directory_access("socket directory", &dir.path().join("x"), all)
            .unwrap_err()
            .to_string();
        assert!(missing.starts_with("socket directory "), "{missing}");
        assert!(missing.contains("No such file"), "{missing}");
        fs::write(dir.path().join("file"), "").unwrap();
        let not_dir = check_directory_access("plugin directory", &dir.path().join("file"), all)
            .unwrap_err()
            .to_string();
        assert!(not_dir.contains("not a directory"), "{not_dir}");
    }
}
