//! Embedded mode: run a plugin as a child process connected by a socketpair, the way `lsmd`
//! (and `lsmcli --fork_plugin`) hand a plugin its connection: the socket's fd number as
//! `argv[1]`, the fd itself inherited across `exec`.
//!
//! Both ends of [`socketpair`] are close-on-exec. [`spawn_with_fd`] clears that flag only in the
//! forked child, between `fork` and `exec`, so children spawned concurrently by other threads
//! never inherit a plugin's socket (which would keep the connection open after the plugin
//! exits). [`stream_from_fd_arg`] is the plugin's side: `argv[1]` back into a `UnixStream`.

use std::ffi::OsString;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use nix::sys::socket::{AddressFamily, SockFlag, SockType, sockopt};
use nix::sys::stat::{SFlag, fstat};

/// Options for [`spawn_with_fd`]. The default adds no environment variables and inherits stderr.
#[derive(Debug, Default)]
pub struct SpawnOptions {
    /// Environment variables added to (or replacing ones in) the inherited environment.
    pub envs: Vec<(OsString, OsString)>,
    /// Where the child's stderr goes; inherited when `None`.
    pub stderr: Option<Stdio>,
}

/// A connected pair of Unix stream sockets, both ends `SOCK_STREAM | SOCK_CLOEXEC`.
pub fn socketpair() -> io::Result<(UnixStream, UnixStream)> {
    let (first, second) = nix::sys::socket::socketpair(
        AddressFamily::Unix,
        SockType::Stream,
        None,
        SockFlag::SOCK_CLOEXEC,
    )
    .map_err(io::Error::from)?;
    Ok((UnixStream::from(first), UnixStream::from(second)))
}

/// Spawn `exe` with `argv = [file name of exe, "<fd>"]`, where `<fd>` is `child_end`'s descriptor
/// number, inherited by the child only.
///
/// The child gets stdin from `/dev/null`, inherits stdout, and inherits stderr unless
/// `options.stderr` says otherwise; `options.envs` are added to the inherited environment.
/// `child_end` is closed in the parent once the child is started (or failed to start), so the
/// parent's end sees end of stream when the child exits.
pub fn spawn_with_fd(
    exe: &Path,
    child_end: UnixStream,
    options: SpawnOptions,
) -> io::Result<Child> {
    // Descriptors 0-2 are replaced by the child's stdio; move the socket out of their way.
    let child_end = if child_end.as_raw_fd() <= 2 {
        // `try_clone` duplicates with F_DUPFD_CLOEXEC starting at 3; the original is closed.
        child_end.try_clone()?
    } else {
        child_end
    };
    let fd = child_end.as_raw_fd();
    let program_name = exe.file_name().unwrap_or(exe.as_os_str());

    let mut command = Command::new(exe);
    command
        .arg0(program_name)
        .arg(fd.to_string())
        .stdin(Stdio::null())
        .envs(options.envs);
    if let Some(stderr) = options.stderr {
        command.stderr(stderr);
    }
    // SAFETY: the closure runs in the forked child before exec and only calls `fcntl`, which is
    // async-signal-safe, and builds an `io::Error` from errno, which does not allocate.
    unsafe {
        command.pre_exec(move || clear_close_on_exec(fd));
    }
    let spawned = command.spawn();
    drop(child_end);
    spawned
}

/// Clear `FD_CLOEXEC` on `fd`. Async-signal-safe, for use between `fork` and `exec`.
fn clear_close_on_exec(fd: RawFd) -> io::Result<()> {
    // SAFETY: `fcntl` with F_GETFD / F_SETFD only reads and writes the descriptor flags of `fd`;
    // an invalid `fd` yields EBADF, not undefined behaviour.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above.
    if unsafe { libc::fcntl(fd, libc::F_SETFD, flags & !libc::FD_CLOEXEC) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Plugin side: turn the fd number given as `argv[1]` into a `UnixStream`.
///
/// Checks that the argument is a non-negative decimal number naming an open stream socket, and
/// errors (`InvalidInput`) otherwise, without touching the descriptor. On success the stream
/// owns the descriptor and it is made close-on-exec, so the plugin's own children do not inherit
/// it. Call it once per descriptor: a second call for the same number would create a second
/// owner.
pub fn stream_from_fd_arg(arg: &str) -> io::Result<UnixStream> {
    let fd: RawFd = arg
        .parse()
        .ok()
        .filter(|fd: &RawFd| *fd >= 0)
        .ok_or_else(|| invalid_input(format!("`{arg}` is not a file descriptor number")))?;

    // SAFETY: F_GETFD on an arbitrary number is harmless: EBADF if it is not open.
    if unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
        let cause = io::Error::last_os_error();
        return Err(invalid_input(format!(
            "file descriptor {fd} is not open: {cause}"
        )));
    }
    // SAFETY: `fd` was just checked to be open, and this process was handed it to own; the
    // borrow does not outlive this function.
    let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
    let stat = fstat(borrowed).map_err(io::Error::from)?;
    if SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT != SFlag::S_IFSOCK {
        return Err(invalid_input(format!(
            "file descriptor {fd} is not a socket"
        )));
    }
    let socket_type =
        nix::sys::socket::getsockopt(&borrowed, sockopt::SockType).map_err(io::Error::from)?;
    if socket_type != SockType::Stream {
        return Err(invalid_input(format!(
            "file descriptor {fd} is a {socket_type:?} socket, not a stream socket"
        )));
    }
    // SAFETY: `fd` is an open socket that the process that started us passed for us to own, and
    // nothing else in this process owns it (see the "call once" contract above).
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    let stream = UnixStream::from(owned);
    set_close_on_exec(&stream)?;
    Ok(stream)
}

fn set_close_on_exec(stream: &UnixStream) -> io::Result<()> {
    let fd = stream.as_raw_fd();
    // SAFETY: `fd` is owned by `stream`, open for the duration of these calls.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above.
    if unsafe { libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

fn invalid_input(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::fs;
    use std::io::{Read, Write};
    use std::os::fd::{AsFd, IntoRawFd};
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::net::UnixDatagram;
    use std::path::PathBuf;
    use std::sync::{Arc, Barrier};
    use std::time::Duration;

    const OUT_VAR: &str = "LSM_IPC_TEST_OUT";

    /// A shell script that records its arguments and its open descriptors into `$LSM_IPC_TEST_OUT`.
    fn fd_report_script(dir: &Path) -> PathBuf {
        let path = dir.join("fd_report_lsmplugin");
        fs::write(
            &path,
            "#!/bin/sh\n\
             {\n\
             echo \"argc=$#\"\n\
             echo \"fd=$1\"\n\
             ls -l /proc/$$/fd\n\
             } > \"$LSM_IPC_TEST_OUT.tmp\"\n\
             mv \"$LSM_IPC_TEST_OUT.tmp\" \"$LSM_IPC_TEST_OUT\"\n",
        )
        .unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    /// What the script saw.
    struct FdReport {
        argc: usize,
        fd_arg: String,
        /// (descriptor number, link target) for every open descriptor of the child shell.
        descriptors: Vec<(RawFd, String)>,
    }

    impl FdReport {
        fn parse(text: &str) -> Self {
            let mut report = FdReport {
                argc: 0,
                fd_arg: String::new(),
                descriptors: Vec::new(),
            };
            for line in text.lines() {
                if let Some(argc) = line.strip_prefix("argc=") {
                    report.argc = argc.parse().unwrap();
                } else if let Some(fd) = line.strip_prefix("fd=") {
                    report.fd_arg = fd.to_string();
                } else if let Some((left, target)) = line.split_once(" -> ") {
                    let number = left.split_whitespace().last().unwrap();
                    report
                        .descriptors
                        .push((number.parse().unwrap(), target.to_string()));
                }
            }
            report
        }

        fn holds(&self, target: &str) -> bool {
            self.descriptors.iter().any(|(_, held)| held == target)
        }
    }

    fn socket_link_target(stream: &impl AsFd) -> String {
        format!("socket:[{}]", fstat(stream.as_fd()).unwrap().st_ino)
    }

    /// Spawn the script on a fresh socketpair; returns (child, parent end, child end's target,
    /// child end's fd number).
    fn spawn_reporter(script: &Path, out: &Path) -> (Child, UnixStream, String, RawFd) {
        let (parent_end, child_end) = socketpair().unwrap();
        let target = socket_link_target(&child_end);
        let fd = child_end.as_raw_fd();
        let options = SpawnOptions {
            envs: vec![(OUT_VAR.into(), out.into())],
            stderr: None,
        };
        let child = spawn_with_fd(script, child_end, options).unwrap();
        (child, parent_end, target, fd)
    }

    fn wait_for_report(mut child: Child, out: &Path) -> FdReport {
        let status = child.wait().unwrap();
        assert!(status.success(), "reporter script failed: {status}");
        FdReport::parse(&fs::read_to_string(out).unwrap())
    }

    fn is_close_on_exec(fd: RawFd) -> bool {
        // SAFETY: F_GETFD only reads descriptor flags.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
        flags >= 0 && flags & libc::FD_CLOEXEC != 0
    }

    #[test]
    fn socketpair_ends_are_connected_and_close_on_exec() {
        let (mut left, mut right) = socketpair().unwrap();
        assert!(is_close_on_exec(left.as_raw_fd()));
        assert!(is_close_on_exec(right.as_raw_fd()));
        left.write_all(b"ping").unwrap();
        let mut buffer = [0u8; 4];
        right.read_exact(&mut buffer).unwrap();
        assert_eq!(&buffer, b"ping");
    }

    #[test]
    fn child_gets_the_fd_as_argv1_and_parent_closes_its_copy() {
        let dir = tempfile::tempdir().unwrap();
        let script = fd_report_script(dir.path());
        let out = dir.path().join("report");
        let (child, mut parent_end, target, fd) = spawn_reporter(&script, &out);
        let report = wait_for_report(child, &out);

        assert_eq!(report.argc, 1);
        assert_eq!(report.fd_arg, fd.to_string());
        assert!(
            report.descriptors.contains(&(fd, target.clone())),
            "child should hold {target} as fd {fd}: {:?}",
            report.descriptors
        );
        // stdin is /dev/null.
        assert!(report.descriptors.contains(&(0, "/dev/null".to_string())));

        // The child has exited and the parent closed its copy: nobody holds the other end.
        parent_end
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut buffer = [0u8; 1];
        assert_eq!(parent_end.read(&mut buffer).unwrap(), 0);
    }

    #[test]
    fn other_children_never_inherit_an_unspawned_child_end() {
        let dir = tempfile::tempdir().unwrap();
        let script = fd_report_script(dir.path());
        let (_kept_parent, kept_child_end) = socketpair().unwrap();
        let kept_target = socket_link_target(&kept_child_end);

        let out = dir.path().join("report");
        let (child, _parent_end, own_target, _) = spawn_reporter(&script, &out);
        let report = wait_for_report(child, &out);
        assert!(report.holds(&own_target));
        assert!(!report.holds(&kept_target), "{:?}", report.descriptors);
    }

    #[test]
    fn concurrent_spawns_each_hold_only_their_own_socket() {
        const CHILDREN: usize = 8;
        let dir = tempfile::tempdir().unwrap();
        let script = Arc::new(fd_report_script(dir.path()));
        let barrier = Arc::new(Barrier::new(CHILDREN));
        let spawners: Vec<_> = (0..CHILDREN)
            .map(|index| {
                let script = Arc::clone(&script);
                let barrier = Arc::clone(&barrier);
                let out = dir.path().join(format!("report-{index}"));
                std::thread::spawn(move || {
                    barrier.wait();
                    let (child, parent_end, target, _) = spawn_reporter(&script, &out);
                    let report = wait_for_report(child, &out);
                    (report, parent_end, target)
                })
            })
            .collect();
        let results: Vec<_> = spawners.into_iter().map(|t| t.join().unwrap()).collect();
        let all_targets: HashSet<&String> = results.iter().map(|(_, _, t)| t).collect();
        assert_eq!(all_targets.len(), CHILDREN);
        for (report, _parent_end, own_target) in &results {
            assert!(report.holds(own_target));
            for other in all_targets.iter().filter(|t| **t != own_target) {
                assert!(
                    !report.holds(other),
                    "a child inherited another child's socket {other}: {:?}",
                    report.descriptors
                );
            }
        }
    }

    #[test]
    fn stream_from_fd_arg_takes_over_a_socket() {
        let (mut parent_end, child_end) = socketpair().unwrap();
        let raw = child_end.into_raw_fd();
        let mut stream = stream_from_fd_arg(&raw.to_string()).unwrap();
        assert_eq!(stream.as_raw_fd(), raw);
        assert!(is_close_on_exec(raw));
        parent_end.write_all(b"0000000002{}").unwrap();
        let mut buffer = [0u8; 12];
        stream.read_exact(&mut buffer).unwrap();
        assert_eq!(&buffer, b"0000000002{}");
    }

    #[test]
    fn stream_from_fd_arg_rejects_non_numbers_and_closed_fds() {
        for arg in ["", "abc", "-1", "3.0", " 3", "99999999999"] {
            let err = stream_from_fd_arg(arg).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{arg:?}");
        }
        // A number that is (almost certainly) not an open descriptor.
        let err = stream_from_fd_arg("1000000").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn stream_from_fd_arg_rejects_files_and_datagram_sockets_without_closing_them() {
        let mut file = tempfile::tempfile().unwrap();
        let err = stream_from_fd_arg(&file.as_raw_fd().to_string()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("not a socket"), "{err}");
        file.write_all(b"still open").unwrap();

        let (datagram, peer) = UnixDatagram::pair().unwrap();
        let err = stream_from_fd_arg(&datagram.as_raw_fd().to_string()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        datagram.send(b"x").unwrap();
        let mut buffer = [0u8; 1];
        assert_eq!(peer.recv(&mut buffer).unwrap(), 1);
    }
}
