//! lsmd: the libStorageMgmt-compatible daemon of lsm-rs.
//!
//! lsmd owns plugin discovery and connection hand-over, nothing else: it
//! listens on one Unix socket per plugin (`<socketdir>/<name>` for every
//! `<name>_lsmplugin` under the plugin directory) and, for every accepted
//! connection, forks and execs a fresh plugin process with
//! `argv = [basename, "<fd>"]`. It never reads or writes a frame, so a plugin
//! that crashes or hangs affects only its own client. Behaviour follows
//! `lsm-wire-protocol.md` §1.1–§1.3 and §12.8.
//!
//! Layout:
//! - [`config`]: libconfig-style `lsmd.conf` and `pluginconf.d/<name>.conf`;
//! - [`scan`]: the recursive plugin scan and the stale-socket sweep;
//! - [`privilege`]: the root rules and switching to `libstoragemgmt`;
//! - [`lock`]: the socket directory's lock file;
//! - [`plugin_process`]: fork+exec of one plugin for one connection;
//! - [`notify`]: systemd `sd_notify` messages;
//! - [`logging`]: stdout in the foreground, syslog when daemonized;
//! - [`server`]: the start-up order and the `poll()` loop ([`run_daemon`]);
//! - [`error`]: [`LsmdError`] and [`Result`].
//!
//! Choices where the protocol doc leaves room:
//! - `lsmd.conf` is read once at start (lsmd may have dropped root since);
//!   `pluginconf.d/<name>.conf` is read at every scan, so SIGHUP applies
//!   edits. A missing file means the defaults (no root). A malformed
//!   `lsmd.conf` stops lsmd; a malformed plugin conf is logged with file and
//!   line and that plugin is served without root.
//! - A SIGHUP scan that fails keeps the current sockets; one that finds no
//!   plugin leaves lsmd running with none (at start, no plugin is an error).
//! - lsmd does not create the socket directory (packaging does: systemd's
//!   `RuntimeDirectory=`), and it keeps the lock file on exit.
//! - Plugins serving clients are left running when lsmd stops.
//! - Plugins get lsmd's environment without `NOTIFY_SOCKET`, and no fd but
//!   stdio and their connection (inherited fds are marked close-on-exec).
//!   They start with no blocked signal and the default action for the
//!   signals lsmd handles (SIGHUP, SIGINT, SIGTERM, SIGCHLD), even when
//!   lsmd's own parent ignored some, as upstream's plugins do.
//! - Without `-d` the log goes to syslog (facility daemon).
//! - The unprivileged user is `libstoragemgmt`; the hidden `--plugin-user`
//!   option changes it for tests.

pub mod config;
pub mod error;
pub mod lock;
pub mod logging;
pub mod notify;
pub mod plugin_process;
pub mod privilege;
pub mod scan;
pub mod server;

pub use error::{LsmdError, Result};
pub use server::{DaemonOptions, run_daemon};
