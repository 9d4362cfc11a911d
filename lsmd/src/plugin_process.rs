//! Starting one plugin process for one accepted connection.
//!
//! The child gets `argv = [basename(plugin_path), "<fd>"]`, where `<fd>` is
//! the accepted socket's number, and lsmd's environment (less
//! `NOTIFY_SOCKET`, which is lsmd's own business with systemd). Every fd lsmd
//! opens is close-on-exec; between `fork` and `exec` the child clears that
//! flag on its own copy of the accepted fd only, so no other connection,
//! listening socket or the lock file leaks into a plugin (fds inherited from
//! lsmd's own parent are marked close-on-exec at start-up, see
//! [`mark_inherited_fds_close_on_exec`]). The child also clears the signal
//! mask (lsmd blocks the signals it reads from its signalfd, and a blocked
//! mask survives exec: a plugin would otherwise ignore SIGTERM), then
//! switches user if the privilege rules say so.
//!
//! With `LSM_VALGRIND` set in lsmd's environment the plugin runs under
//! `/usr/bin/valgrind --leak-check=full --show-reachable=no
//! --log-file=/tmp/leaking_<lsmd pid>-<plugin pid> <plugin> <fd>`.

use std::ffi::OsString;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command};

use nix::fcntl::{FcntlArg, FdFlag, fcntl};
use nix::sys::signal::{SigSet, SigmaskHow, sigprocmask};

use crate::notify::NOTIFY_SOCKET_ENV;
use crate::privilege::PluginIdentity;

/// Environment variable that makes lsmd run plugins under valgrind.
pub const VALGRIND_ENV: &str = "LSM_VALGRIND";
/// The valgrind binary used when [`VALGRIND_ENV`] is set.
pub const VALGRIND_PATH: &str = "/usr/bin/valgrind";

/// `argv[0]` for a plugin: the executable's file name.
pub fn plugin_argv0(plugin_path: &Path) -> OsString {
    plugin_path
        .file_name()
        .map(OsString::from)
        .unwrap_or_else(|| plugin_path.as_os_str().to_owned())
}

/// Builds the command for a plugin serving `connection_fd` (without the
/// fd-inheritance and user-switch steps, which [`spawn_plugin`] adds).
pub fn plugin_command(plugin_path: &Path, connection_fd: RawFd, under_valgrind: bool) -> Command {
    let fd_argument = connection_fd.to_string();
    let mut command = if under_valgrind {
        let mut command = Command::new(VALGRIND_PATH);
        command
            .arg("--leak-check=full")
            .arg("--show-reachable=no")
            .arg(format!("--log-file=/tmp/leaking_{}-%p", std::process::id()))
            .arg(plugin_path)
            .arg(&fd_argument);
        command
    } else {
        let mut command = Command::new(plugin_path);
        command.arg0(plugin_argv0(plugin_path)).arg(&fd_argument);
        command
    };
    command.env_remove(NOTIFY_SOCKET_ENV);
    command
}

/// Forks and execs the plugin for an accepted connection. The caller keeps
/// (and should then drop) its own copy of `connection`, and must reap the
/// child with `waitpid`.
pub fn spawn_plugin(
    plugin_path: &Path,
    connection: &UnixStream,
    identity: &PluginIdentity,
    under_valgrind: bool,
) -> io::Result<Child> {
    let connection_fd = connection.as_raw_fd();
    let mut command = plugin_command(plugin_path, connection_fd, under_valgrind);
    let switch_to = match identity {
        PluginIdentity::SameAsDaemon => None,
        PluginIdentity::Unprivileged(user) => Some(user.clone()),
    };
    let no_blocked_signals = SigSet::empty();
    let prepare_child = move || -> io::Result<()> {
        // SAFETY: the child owns a copy of every fd of lsmd, this one
        // included, until exec; it is only borrowed for this call.
        let fd = unsafe { BorrowedFd::borrow_raw(connection_fd) };
        fcntl(fd, FcntlArg::F_SETFD(FdFlag::empty()))?;
        sigprocmask(SigmaskHow::SIG_SETMASK, Some(&no_blocked_signals), None)?;
        if let Some(user) = &switch_to {
            user.switch_process_to()?;
        }
        Ok(())
    };
    // SAFETY: the closure runs between fork and exec and only makes system
    // calls (fcntl, sigprocmask, setgroups, setgid, setuid) on data prepared beforehand,
    // with no allocation and no lock.
    unsafe {
        command.pre_exec(prepare_child);
    }
    command.spawn()
}

/// Sets close-on-exec on every fd above stderr that lsmd inherited from its
/// parent, so that plugins get only stdio and their own connection. Returns
/// how many fds were changed. Called once at start-up, before any fd of
/// lsmd's own is opened.
pub fn mark_inherited_fds_close_on_exec() -> io::Result<usize> {
    let fd_numbers: Vec<RawFd> = std::fs::read_dir("/proc/self/fd")?
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .filter(|fd| *fd > 2)
        .collect();
    let mut changed = 0;
    for fd_number in fd_numbers {
        // SAFETY: only the fd's flags are read and set; an fd that closed in
        // the meantime (the directory listing's own) gives EBADF, ignored.
        let fd = unsafe { BorrowedFd::borrow_raw(fd_number) };
        let Ok(flags) = fcntl(fd, FcntlArg::F_GETFD) else {
            continue;
        };
        let flags = FdFlag::from_bits_truncate(flags);
        if !flags.contains(FdFlag::FD_CLOEXEC)
            && fcntl(fd, FcntlArg::F_SETFD(flags | FdFlag::FD_CLOEXEC)).is_ok()
        {
            changed += 1;
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argv_is_basename_and_fd() {
        let command = plugin_command(Path::new("/usr/bin/sim_lsmplugin"), 7, false);
        assert_eq!(command.get_program(), "/usr/bin/sim_lsmplugin");
        let arguments: Vec<_> = command.get_args().collect();
        assert_eq!(arguments, ["7"]);
        assert_eq!(
            plugin_argv0(Path::new("/usr/bin/sim_lsmplugin")),
            "sim_lsmplugin"
        );
    }

    #[test]
    fn notify_socket_is_not_passed_to_plugins() {
        let command = plugin_command(Path::new("/x/a_lsmplugin"), 5, false);
        let removed = command
            .get_envs()
            .any(|(key, value)| key == NOTIFY_SOCKET_ENV && value.is_none());
        assert!(removed);
    }

    #[test]
    fn valgrind_wraps_the_plugin() {
        let command = plugin_command(Path::new("/usr/bin/sim_lsmplugin"), 9, true);
        assert_eq!(command.get_program(), VALGRIND_PATH);
        let arguments: Vec<_> = command
            .get_args()
            .map(|argument| argument.to_string_lossy().into_owned())
            .collect();
        assert_eq!(arguments[0], "--leak-check=full");
        assert_eq!(arguments[1], "--show-reachable=no");
        assert!(arguments[2].starts_with("--log-file=/tmp/leaking_"));
        assert_eq!(arguments[3..], ["/usr/bin/sim_lsmplugin", "9"]);
    }

    #[test]
    fn spawned_child_sees_its_connection_fd() {
        let (ours, theirs) = UnixStream::pair().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("echo_lsmplugin");
        std::fs::write(&script, "#!/bin/sh\nprintf 'fd=%s' \"$1\" >&\"$1\"\n").unwrap();
        std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let mut child =
            spawn_plugin(&script, &theirs, &PluginIdentity::SameAsDaemon, false).unwrap();
        let passed_fd = theirs.as_raw_fd();
        drop(theirs);
        let mut reply = String::new();
        io::Read::read_to_string(&mut &ours, &mut reply).unwrap();
        assert!(child.wait().unwrap().success());
        assert_eq!(reply, format!("fd={passed_fd}"));
    }

    #[test]
    fn spawned_child_has_no_blocked_signal_even_when_the_spawner_blocks_some() {
        let blocked = {
            let mut set = SigSet::empty();
            set.add(nix::sys::signal::Signal::SIGUSR2);
            set
        };
        // Only this test's thread (the one that forks) gets the mask.
        blocked.thread_block().unwrap();
        let (ours, theirs) = UnixStream::pair().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("mask_lsmplugin");
        std::fs::write(
            &script,
            "#!/bin/bash\nwhile read -r key value; do\n  \
             [[ $key == SigBlk: ]] && printf '%s' \"$value\" >&\"$1\"\n\
             done < /proc/$$/status\nexit 0\n",
        )
        .unwrap();
        std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let spawned = spawn_plugin(&script, &theirs, &PluginIdentity::SameAsDaemon, false);
        blocked.thread_unblock().unwrap();
        let mut child = spawned.unwrap();
        drop(theirs);
        let mut mask = String::new();
        io::Read::read_to_string(&mut &ours, &mut mask).unwrap();
        assert!(child.wait().unwrap().success());
        assert_eq!(mask, "0000000000000000");
    }
}
