//! The crate's error type and its mapping to LSM error numbers.
//!
//! Every backend module returns [`Error`]. Each variant knows which LSM error
//! number it should become ([`Error::lsm_error_number`]); the plugin layer
//! turns it into an `lsm_core::LsmError` in one place, keeping the message.
//! Messages never contain a secret: command lines are rendered with secret
//! arguments redacted (see [`crate::command`]).

use std::time::Duration;

use lsm_core::ErrorNumber;

/// The kind of object a [`Error::NotFound`] is about, so it maps to the
/// matching `NOT_FOUND_*` LSM error number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// A pool (btrfs file system or LVM volume group).
    Pool,
    /// A block volume (image file or LV).
    Volume,
    /// A file system (btrfs subvolume).
    FileSystem,
    /// A file system snapshot (read-only btrfs subvolume).
    Snapshot,
    /// An NFS export.
    NfsExport,
    /// An access group (tgt target).
    AccessGroup,
    /// A disk (block device).
    Disk,
    /// Anything else (a tgt LUN, a CHAP account, a file...).
    Other,
}

/// Errors of the Linux backend layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration file is missing a key or has a wrong value.
    #[error("configuration {file}: key `{key}`: {reason}")]
    Config {
        /// Path of the configuration file.
        file: String,
        /// Dotted name of the offending key, e.g. `pool[0].mount_point`.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A caller-supplied value is not acceptable (bad name, bad size...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// An object of that name already exists.
    #[error("name conflict: {0}")]
    NameConflict(String),
    /// The pool has not enough free space.
    #[error("not enough space: {0}")]
    NotEnoughSpace(String),
    /// The object does not exist.
    #[error("not found: {message}")]
    NotFound {
        /// What kind of object was looked for.
        kind: ObjectKind,
        /// What was not found.
        message: String,
    },
    /// The request would change nothing (e.g. resize to the same size).
    #[error("no state change: {0}")]
    NoStateChange(String),
    /// This host cannot do that (e.g. no device-mapper for LVM snapshots).
    #[error("not supported: {0}")]
    NoSupport(String),
    /// The object is in use by a live client (e.g. an iSCSI session).
    #[error("in use: {0}")]
    InUse(String),
    /// Permission denied by the host.
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    /// An external command did not finish in time and was killed.
    #[error("`{command}` timed out after {} ms and was killed", timeout.as_millis())]
    Timeout {
        /// The command line, secrets redacted.
        command: String,
        /// The timeout that expired.
        timeout: Duration,
    },
    /// An external command could not be started (missing binary...).
    #[error("cannot run `{command}`: {source}")]
    CommandSpawn {
        /// The command line, secrets redacted.
        command: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An external command exited with a failure status.
    #[error("`{command}` failed ({status}): {stderr}")]
    CommandFailed {
        /// The tool name (argv\[0\]).
        tool: String,
        /// The command line, secrets redacted.
        command: String,
        /// Exit code, or a description of the signal that ended it.
        status: String,
        /// The tool's stderr (trimmed), or its stdout when stderr is empty.
        stderr: String,
    },
    /// The output of a tool or a daemon could not be understood.
    #[error("cannot parse {what}: {reason}")]
    Parse {
        /// What was being parsed.
        what: String,
        /// Why it failed.
        reason: String,
    },
    /// A D-Bus call failed.
    #[error("D-Bus {method}: {message}")]
    DBus {
        /// The method called.
        method: String,
        /// The error text.
        message: String,
    },
    /// A D-Bus peer (ganesha) is not running on the configured bus.
    #[error("daemon not reachable: {0}")]
    DaemonNotRunning(String),
    /// A file operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, with the path.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Wraps an I/O error with a description of what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// Builds a [`Error::Parse`].
    pub fn parse(what: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Parse {
            what: what.into(),
            reason: reason.into(),
        }
    }

    /// Builds a [`Error::NotFound`].
    pub fn not_found(kind: ObjectKind, message: impl Into<String>) -> Self {
        Error::NotFound {
            kind,
            message: message.into(),
        }
    }

    /// The LSM error number (protocol doc §5) this error should become.
    pub fn lsm_error_number(&self) -> ErrorNumber {
        match self {
            Error::Config { .. } | Error::InvalidArgument(_) => ErrorNumber::INVALID_ARGUMENT,
            Error::NameConflict(_) => ErrorNumber::NAME_CONFLICT,
            Error::NotEnoughSpace(_) => ErrorNumber::NOT_ENOUGH_SPACE,
            Error::NotFound { kind, .. } => match kind {
                ObjectKind::AccessGroup => ErrorNumber::NOT_FOUND_ACCESS_GROUP,
                ObjectKind::FileSystem => ErrorNumber::NOT_FOUND_FS,
                ObjectKind::Pool => ErrorNumber::NOT_FOUND_POOL,
                ObjectKind::Snapshot => ErrorNumber::NOT_FOUND_FS_SS,
                ObjectKind::Volume => ErrorNumber::NOT_FOUND_VOLUME,
                ObjectKind::NfsExport => ErrorNumber::NOT_FOUND_NFS_EXPORT,
                ObjectKind::Disk => ErrorNumber::NOT_FOUND_DISK,
                ObjectKind::Other => ErrorNumber::NOT_FOUND_GENERIC,
            },
            Error::NoStateChange(_) => ErrorNumber::NO_STATE_CHANGE,
            Error::NoSupport(_) => ErrorNumber::NO_SUPPORT,
            Error::InUse(_) => ErrorNumber::NO_SUPPORT_ONLINE_CHANGE,
            Error::PermissionDenied(_) => ErrorNumber::PERMISSION_DENIED,
            Error::Timeout { .. } => ErrorNumber::TIMEOUT,
            Error::DaemonNotRunning(_) => ErrorNumber::DAEMON_NOT_RUNNING,
            Error::CommandSpawn { .. }
            | Error::CommandFailed { .. }
            | Error::Parse { .. }
            | Error::DBus { .. }
            | Error::Io { .. } => ErrorNumber::PLUGIN_BUG,
        }
    }

    /// The stderr text of a failed command, if this is one.
    pub fn command_stderr(&self) -> Option<&str> {
        match self {
            Error::CommandFailed { stderr, .. } => Some(stderr),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_maps_to_its_lsm_number() {
        let cases: Vec<(Error, ErrorNumber)> = vec![
            (
                Error::Config {
                    file: "f".into(),
                    key: "k".into(),
                    reason: "r".into(),
                },
                ErrorNumber::INVALID_ARGUMENT,
            ),
            (
                Error::InvalidArgument("x".into()),
                ErrorNumber::INVALID_ARGUMENT,
            ),
            (Error::NameConflict("x".into()), ErrorNumber::NAME_CONFLICT),
            (
                Error::NotEnoughSpace("x".into()),
                ErrorNumber::NOT_ENOUGH_SPACE,
            ),
            (
                Error::not_found(ObjectKind::Volume, "v"),
                ErrorNumber::NOT_FOUND_VOLUME,
            ),
            (
                Error::not_found(ObjectKind::FileSystem, "v"),
                ErrorNumber::NOT_FOUND_FS,
            ),
            (
                Error::not_found(ObjectKind::Other, "v"),
                ErrorNumber::NOT_FOUND_GENERIC,
            ),
            (
                Error::NoStateChange("x".into()),
                ErrorNumber::NO_STATE_CHANGE,
            ),
            (Error::NoSupport("x".into()), ErrorNumber::NO_SUPPORT),
            (
                Error::Timeout {
                    command: "sleep 9".into(),
                    timeout: Duration::from_millis(5),
                },
                ErrorNumber::TIMEOUT,
            ),
            (Error::parse("x", "y"), ErrorNumber::PLUGIN_BUG),
        ];
        for (error, number) in cases {
            assert_eq!(error.lsm_error_number(), number, "{error}");
        }
    }

    #[test]
    fn config_error_names_the_key() {
        let error = Error::Config {
            file: "/etc/lsm/linux.toml".into(),
            key: "iscsi.portals[0]".into(),
            reason: "not an address".into(),
        };
        let text = error.to_string();
        assert!(text.contains("iscsi.portals[0]"), "{text}");
        assert!(text.contains("/etc/lsm/linux.toml"), "{text}");
    }
}
