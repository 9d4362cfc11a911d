//! How a client gets its socket: the one connect rule (a daemon socket, the fd of
//! `LSMCLI_DEBUG_FD`, an embedded plugin spawned on a socketpair), a forced mode, or a plugin
//! served on a thread of this process.

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::io::FromRawFd;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

use lsm_ipc::PluginChild;

use super::builder::{Places, Route};
use super::discovery::find_plugin_in;
use crate::error::{ErrorNumber, LsmError, Result};
#[cfg(feature = "plugin")]
use crate::plugin::SessionEnd;

/// The socket dir clients use when `LSM_UDS_PATH` is not set.
pub const DEFAULT_SOCKET_DIR: &str = "/var/run/lsm/ipc";
/// Where an installed lsm-rs puts its plugins (lsmd scans it too).
pub const INSTALL_PLUGIN_DIR: &str = match option_env!("LSM_PLUGIN_INSTALL_DIR") {
    Some(dir) => dir,
    None => "/usr/bin",
};
/// Plugin executables are named `<scheme>_lsmplugin`.
pub const PLUGIN_SUFFIX: &str = "_lsmplugin";

/// How the client reached its plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectMode {
    /// Through lsmd's socket in this directory.
    Daemon(PathBuf),
    /// A plugin process of our own, on a socketpair.
    Embedded(PathBuf),
    /// The fd given by `LSMCLI_DEBUG_FD`.
    DebugFd(i32),
    /// A plugin served on a thread of this process (the builder's `in_process`).
    InProcess,
}

/// What serves the other end of a client's socket, when the client started it.
#[derive(Debug)]
pub(crate) enum Peer {
    /// Not the client's: lsmd's plugin process, or whatever holds `LSMCLI_DEBUG_FD`'s peer.
    Foreign,
    /// A plugin process the client spawned (embedded mode); reaped when the client closes.
    Process(PluginChild),
    /// A plugin served on a thread of this process; joined when the client closes.
    #[cfg(feature = "plugin")]
    Thread(std::thread::JoinHandle<SessionEnd>),
}

/// A connected socket and what serves its other end.
pub(crate) struct Connection {
    pub stream: UnixStream,
    pub peer: Peer,
    pub mode: ConnectMode,
}

/// Reach the plugin `plugin_name` by `route`.
pub(crate) fn connect(route: &Route, plugin_name: &str, places: &Places) -> Result<Connection> {
    match route {
        Route::Auto => connect_auto(plugin_name, places),
        Route::Embedded => connect_embedded(plugin_name, places),
        Route::Daemon => connect_daemon(&places.daemon_socket_dir(), plugin_name),
        Route::PluginExe(exe) => spawn_plugin(exe, places),
        #[cfg(feature = "plugin")]
        Route::InProcess(serve) => serve_in_process(serve.as_ref()),
    }
}

/// The connect rule (see [`ClientBuilder`](super::ClientBuilder)): first match wins.
fn connect_auto(plugin_name: &str, places: &Places) -> Result<Connection> {
    if let Some(dir) = &places.socket_dir {
        return connect_daemon(dir, plugin_name);
    }
    if let Some(fd) = std::env::var_os("LSMCLI_DEBUG_FD") {
        return connect_debug_fd(&fd);
    }
    if let Some(dir) = places.chosen_socket_dir() {
        return connect_daemon(&dir, plugin_name);
    }
    let default_dir = Path::new(DEFAULT_SOCKET_DIR);
    if is_socket(&default_dir.join(plugin_name)) {
        return connect_daemon(default_dir, plugin_name);
    }
    connect_embedded(plugin_name, places)
}

fn connect_debug_fd(value: &std::ffi::OsStr) -> Result<Connection> {
    let fd: i32 = value
        .to_str()
        .and_then(|s| s.trim().parse().ok())
        .filter(|fd| *fd >= 0)
        .ok_or_else(|| {
            LsmError::new(
                ErrorNumber::INVALID_ARGUMENT,
                format!("LSMCLI_DEBUG_FD is not a file descriptor: {value:?}"),
            )
        })?;
    // SAFETY: the variable names an fd the parent handed to us for exactly
    // this purpose; nothing else in this process owns it.
    let stream = unsafe { UnixStream::from_raw_fd(fd) };
    Ok(Connection {
        stream,
        peer: Peer::Foreign,
        mode: ConnectMode::DebugFd(fd),
    })
}

fn is_socket(path: &Path) -> bool {
    std::fs::symlink_metadata(path)
        .map(|m| m.file_type().is_socket())
        .unwrap_or(false)
}

/// Daemon mode: `<dir>/<plugin_name>`, with the errors of the protocol's
/// §1.1 (311 when other sockets answer, 12 when none does, 307, 301).
fn connect_daemon(dir: &Path, plugin_name: &str) -> Result<Connection> {
    let path = dir.join(plugin_name);
    if std::fs::symlink_metadata(&path).is_err() {
        return Err(if daemon_answers(dir) {
            LsmError::new(
                ErrorNumber::PLUGIN_NOT_EXIST,
                format!("Plug-in {} not found!", path.display()),
            )
        } else {
            LsmError::new(
                ErrorNumber::DAEMON_NOT_RUNNING,
                format!(
                    "LSM daemon is not running: no plugin socket answers in {}",
                    dir.display()
                ),
            )
        });
    }
    if !can_read_write(&path) {
        return Err(LsmError::new(
            ErrorNumber::PLUGIN_SOCKET_PERMISSION,
            format!("Permission denied on plugin socket {}", path.display()),
        ));
    }
    let stream = UnixStream::connect(&path).map_err(|e| {
        LsmError::new(
            ErrorNumber::PLUGIN_IPC_FAIL,
            format!("cannot connect to plugin socket {}: {e}", path.display()),
        )
    })?;
    Ok(Connection {
        stream,
        peer: Peer::Foreign,
        mode: ConnectMode::Daemon(dir.to_path_buf()),
    })
}

fn can_read_write(path: &Path) -> bool {
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated path; access() only reads it.
    unsafe { libc::access(c.as_ptr(), libc::R_OK | libc::W_OK) == 0 }
}

/// True when some socket in `dir` accepts a connection (probe: connect and
/// close at once, sending nothing).
fn daemon_answers(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries
        .flatten()
        .filter(|e| e.file_type().map(|t| t.is_socket()).unwrap_or(false))
        .any(|e| UnixStream::connect(e.path()).is_ok())
}

/// Embedded mode: spawn the plugin with one end of a socketpair.
fn connect_embedded(plugin_name: &str, places: &Places) -> Result<Connection> {
    let search_path = places.plugin_search_path();
    let exe = find_plugin_in(&search_path, plugin_name).ok_or_else(|| {
        LsmError::new(
            ErrorNumber::PLUGIN_NOT_EXIST,
            format!(
                "Plug-in {plugin_name}{PLUGIN_SUFFIX} not found (searched {})",
                search_path
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(":")
            ),
        )
    })?;
    spawn_plugin(&exe, places)
}

/// Spawn a given plugin executable on a socketpair, with the builder's `plugin_env`.
pub(crate) fn spawn_plugin(exe: &Path, places: &Places) -> Result<Connection> {
    let ipc_fail = |what: &str, e: std::io::Error| {
        LsmError::new(
            ErrorNumber::PLUGIN_IPC_FAIL,
            format!("{what} {}: {e}", exe.display()),
        )
    };
    let (ours, theirs) = lsm_ipc::socketpair().map_err(|e| ipc_fail("socketpair for", e))?;
    let options = lsm_ipc::SpawnOptions {
        envs: places.plugin_env.clone(),
        ..lsm_ipc::SpawnOptions::default()
    };
    let child = lsm_ipc::spawn_with_fd(exe, theirs, options)
        .map_err(|e| ipc_fail("cannot start plugin", e))?;
    Ok(Connection {
        stream: ours,
        peer: Peer::Process(child),
        mode: ConnectMode::Embedded(exe.to_path_buf()),
    })
}

/// Serves a fresh plugin on a thread: the client's end of its socketpair, and the thread.
#[cfg(feature = "plugin")]
pub(crate) type ServeInProcess =
    dyn Fn() -> std::io::Result<(UnixStream, std::thread::JoinHandle<SessionEnd>)> + Send + Sync;

/// In process: a plugin served on a thread of its own, over a socketpair.
#[cfg(feature = "plugin")]
fn serve_in_process(serve: &ServeInProcess) -> Result<Connection> {
    let (stream, thread) = serve().map_err(|e| {
        LsmError::new(
            ErrorNumber::PLUGIN_IPC_FAIL,
            format!("cannot serve the plugin in process: {e}"),
        )
    })?;
    Ok(Connection {
        stream,
        peer: Peer::Thread(thread),
        mode: ConnectMode::InProcess,
    })
}
