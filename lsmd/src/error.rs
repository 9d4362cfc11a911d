//! The one error type of the daemon, and its `Result` alias.
//!
//! Every message names the file or directory it is about, so that an operator
//! reading the log knows what to fix.

use std::io;
use std::path::PathBuf;

/// Crate-level result.
pub type Result<T> = std::result::Result<T, LsmdError>;

/// Everything that can stop lsmd from starting or serving.
#[derive(Debug, thiserror::Error)]
pub enum LsmdError {
    /// A configuration file exists but cannot be read.
    #[error("cannot read configuration file {path}: {source}")]
    ConfigRead {
        /// The file.
        path: PathBuf,
        /// Why reading failed.
        source: io::Error,
    },

    /// A configuration file is malformed or holds a value of the wrong type.
    #[error("{path}:{line}: {message}")]
    ConfigSyntax {
        /// The file.
        path: PathBuf,
        /// 1-based line number of the offending text.
        line: usize,
        /// What is wrong there.
        message: String,
    },

    /// The socket or plugin directory is missing or lacks a permission lsmd needs.
    #[error("{role} {path} is not usable: {reason}")]
    DirectoryAccess {
        /// "socket directory" or "plugin directory".
        role: &'static str,
        /// The directory.
        path: PathBuf,
        /// What is missing.
        reason: String,
    },

    /// The lock file cannot be created or opened.
    #[error("cannot open lock file {path}: {source}")]
    LockFile {
        /// The lock file.
        path: PathBuf,
        /// Why opening failed.
        source: io::Error,
    },

    /// Another lsmd holds the lock of this socket directory.
    #[error("another lsmd is already serving {socket_dir} (lock file {lock_path} is held)")]
    AlreadyRunning {
        /// The socket directory.
        socket_dir: PathBuf,
        /// The lock file.
        lock_path: PathBuf,
    },

    /// The plugin directory (the top level) cannot be listed.
    #[error("cannot scan plugin directory {path}: {source}")]
    PluginScan {
        /// The directory.
        path: PathBuf,
        /// Why listing failed.
        source: io::Error,
    },

    /// The scan found no `*_lsmplugin` file.
    #[error("no plugin found: {path} holds no file named <name>_lsmplugin")]
    NoPlugins {
        /// The plugin directory.
        path: PathBuf,
    },

    /// Not one plugin socket could be bound.
    #[error("no plugin socket could be created in {path}")]
    NoSockets {
        /// The socket directory.
        path: PathBuf,
    },

    /// The stale-socket sweep of the socket directory failed.
    #[error("cannot clean socket directory {path}: {source}")]
    SocketCleanup {
        /// The directory (or sub-directory) that failed.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },

    /// Looking up the unprivileged user failed for a reason other than "no such user".
    #[error("cannot look up user {user}: {source}")]
    UserLookup {
        /// The user name.
        user: String,
        /// Why.
        source: nix::Error,
    },

    /// Switching lsmd itself to the unprivileged user failed.
    #[error("cannot switch to user {user}: {source}")]
    DropPrivileges {
        /// The user name.
        user: String,
        /// Why.
        source: nix::Error,
    },

    /// `daemon()` failed.
    #[error("cannot detach into the background: {0}")]
    Daemonize(nix::Error),

    /// Blocking the handled signals or creating the signalfd failed.
    #[error("cannot set up signal handling: {0}")]
    SignalSetup(nix::Error),

    /// The main loop's `poll()` or signalfd read failed.
    #[error("main loop failed: {0}")]
    MainLoop(nix::Error),
}
