//! Embedded mode: run a plugin as a child process connected by a socketpair, the way `lsmd`
//! (and `lsmcli --fork_plugin`) hand a plugin its connection: the socket's fd number as
//! `argv[1]`, the fd itself inherited across `exec`.
//!
//! Both ends of [`socketpair`] are close-on-exec. [`spawn_with_fd`] clears that flag only in the
//! child (a `posix_spawn` file action), so children spawned concurrently by other threads never
//! inherit a plugin's socket (which would keep the connection open after the plugin exits).
//! [`stream_from_fd_arg`] is the plugin's side: `argv[1]` back into a `UnixStream`.
//!
//! `posix_spawn`, not `fork` + `exec`: glibc starts the child with `CLONE_VM | CLONE_VFORK`, so
//! the parent's page tables are not copied and the parent does not take a copy-on-write fault
//! on every page it writes afterwards. For an application with a large heap that is the
//! difference between a fraction of a millisecond and tens of milliseconds per connection.

use std::ffi::{CString, OsStr, OsString};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::UnixStream;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::ExitStatus;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::sys::socket::{AddressFamily, SockFlag, SockType, sockopt};
use nix::sys::stat::{SFlag, fstat};

/// Options for [`spawn_with_fd`]. The default adds no environment variables and inherits stderr.
#[derive(Debug, Default)]
pub struct SpawnOptions {
    /// Environment variables added to (or replacing ones in) the inherited environment.
    pub envs: Vec<(OsString, OsString)>,
    /// Where the child's stderr goes; inherited when `None`.
    pub stderr: Option<OwnedFd>,
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

/// A plugin process started by [`spawn_with_fd`]: the calls of `std::process::Child` that a
/// client needs. Dropping it neither waits nor kills (like `Child`): reap it with
/// [`wait`](Self::wait) or [`try_wait`](Self::try_wait).
#[derive(Debug)]
pub struct PluginChild {
    pid: libc::pid_t,
    /// Set once reaped: the pid may then belong to another process.
    status: Option<ExitStatus>,
}

impl PluginChild {
    /// The process id.
    pub fn id(&self) -> u32 {
        self.pid.unsigned_abs()
    }

    /// The exit status if the process has exited (it is then reaped), without blocking.
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        self.reap(libc::WNOHANG)
    }

    /// Block until the process exits; its exit status.
    pub fn wait(&mut self) -> io::Result<ExitStatus> {
        loop {
            if let Some(status) = self.reap(0)? {
                return Ok(status);
            }
        }
    }

    /// SIGKILL, unless the process is already reaped (then nothing to do).
    pub fn kill(&mut self) -> io::Result<()> {
        if self.status.is_some() {
            return Ok(());
        }
        // SAFETY: kill(2) on our own unreaped child: the pid cannot have been reused.
        if unsafe { libc::kill(self.pid, libc::SIGKILL) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Reap the process after its socket closed, without waiting for it here: at once if it has
    /// already exited, else on a thread of its own that waits until it exits (by a pidfd where
    /// the kernel has them) and kills it should it outlive `limit` (5 s at most). Should no
    /// thread be had, wait here. Nothing is left a zombie, and the caller never blocks on a
    /// plugin's process teardown.
    pub fn reap_in_background(mut self, limit: Duration) {
        if let Ok(Some(_)) = self.try_wait() {
            return;
        }
        let slot = Arc::new(Mutex::new(Some(self)));
        let take = |slot: &Mutex<Option<PluginChild>>| slot.lock().ok()?.take();
        let theirs = Arc::clone(&slot);
        let spawned = std::thread::Builder::new()
            .name("lsm-reap".into())
            .spawn(move || take(&theirs).map(|child| child.reap_within(limit)));
        // Only when no thread could be had: taking the child while the thread runs would
        // drop it unreaped.
        if spawned.is_err()
            && let Some(child) = take(&slot)
        {
            child.reap_within(limit);
        }
    }

    /// Wait for the process to exit; kill it past `limit` (5 s at most).
    fn reap_within(mut self, limit: Duration) {
        let deadline = Instant::now() + limit.min(Duration::from_secs(5));
        let pidfd = self.pidfd();
        // Without a pidfd (kernels before 5.3): a plugin exits right after its socket closes,
        // so poll finely at first.
        let mut pause = Duration::from_micros(20);
        loop {
            match self.try_wait() {
                Ok(Some(_)) | Err(_) => return,
                Ok(None) => {}
            }
            let now = Instant::now();
            if now >= deadline {
                let _ = self.kill();
                let _ = self.wait();
                return;
            }
            match &pidfd {
                // Readable once the process has exited: wakes exactly then.
                Some(fd) => {
                    let left = deadline - now;
                    let mut poll = libc::pollfd {
                        fd: fd.as_raw_fd(),
                        events: libc::POLLIN,
                        revents: 0,
                    };
                    let millis = libc::c_int::try_from(left.as_millis().max(1)).unwrap_or(5_000);
                    // SAFETY: one valid pollfd, counted as one.
                    unsafe { libc::poll(&mut poll, 1, millis) };
                }
                None => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(5));
                }
            }
        }
    }

    /// A pidfd of the process (Linux 5.3+), `None` where the kernel has none.
    fn pidfd(&self) -> Option<OwnedFd> {
        // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, self.pid, 0) };
        let fd = RawFd::try_from(fd).ok().filter(|fd| *fd >= 0)?;
        // SAFETY: the fd was just returned by the kernel and is owned by nobody else.
        Some(unsafe { OwnedFd::from_raw_fd(fd) })
    }

    fn reap(&mut self, flags: libc::c_int) -> io::Result<Option<ExitStatus>> {
        if let Some(status) = self.status {
            return Ok(Some(status));
        }
        let mut raw = 0;
        loop {
            // SAFETY: waitpid on our own child with a valid status pointer.
            let pid = unsafe { libc::waitpid(self.pid, &mut raw, flags) };
            if pid == self.pid {
                let status = ExitStatus::from_raw(raw);
                self.status = Some(status);
                return Ok(Some(status));
            }
            if pid == 0 {
                return Ok(None);
            }
            let err = io::Error::last_os_error();
            if err.kind() != io::ErrorKind::Interrupted {
                return Err(err);
            }
        }
    }
}

/// Spawn `exe` with `argv = [file name of exe, "<fd>"]`, where `<fd>` is `child_end`'s descriptor
/// number, inherited by the child only.
///
/// The child gets stdin from `/dev/null`, inherits stdout, and inherits stderr unless
/// `options.stderr` says otherwise; `options.envs` are added to the inherited environment.
/// Signals are unblocked and SIGPIPE is back to its default in the child (as
/// `std::process::Command` does). `child_end` is closed in the parent once the child is started
/// (or failed to start), so the parent's end sees end of stream when the child exits. An
/// executable that cannot be run (missing, not executable) is an error here, not a child that
/// exits at once.
pub fn spawn_with_fd(
    exe: &Path,
    child_end: UnixStream,
    options: SpawnOptions,
) -> io::Result<PluginChild> {
    // Descriptors 0-2 are replaced by the child's stdio; move the socket out of their way.
    let child_end = if child_end.as_raw_fd() <= 2 {
        // `try_clone` duplicates with F_DUPFD_CLOEXEC starting at 3; the original is closed.
        child_end.try_clone()?
    } else {
        child_end
    };
    let fd = child_end.as_raw_fd();
    let program_name = exe.file_name().unwrap_or(exe.as_os_str());
    let path = c_string(exe.as_os_str())?;
    let argv = [
        c_string(program_name)?,
        c_string(OsStr::new(&fd.to_string()))?,
    ];
    let envp = environment(options.envs)?;
    let spawned = posix_spawn(&path, &argv, &envp, fd, options.stderr.as_ref());
    drop(child_end);
    spawned.map(|pid| PluginChild { pid, status: None })
}

fn c_string(text: &OsStr) -> io::Result<CString> {
    CString::new(text.as_bytes()).map_err(|_| invalid_input(format!("{text:?} contains a NUL")))
}

/// The inherited environment with `overrides` applied, as `NAME=value` strings.
fn environment(overrides: Vec<(OsString, OsString)>) -> io::Result<Vec<CString>> {
    let mut vars: Vec<(OsString, OsString)> = std::env::vars_os()
        .filter(|(name, _)| !overrides.iter().any(|(over, _)| over == name))
        .collect();
    vars.extend(overrides);
    vars.into_iter()
        .map(|(name, value)| {
            let mut entry = name;
            entry.push("=");
            entry.push(value);
            c_string(&entry)
        })
        .collect()
}

/// Owns a `posix_spawn_file_actions_t` and a `posix_spawnattr_t` until the spawn is done.
struct SpawnSetup {
    actions: libc::posix_spawn_file_actions_t,
    attributes: libc::posix_spawnattr_t,
}

impl Drop for SpawnSetup {
    fn drop(&mut self) {
        // SAFETY: both were initialised in `posix_spawn` before this value was built.
        unsafe {
            libc::posix_spawn_file_actions_destroy(&mut self.actions);
            libc::posix_spawnattr_destroy(&mut self.attributes);
        }
    }
}

/// An error number returned (not set in errno) by the posix_spawn family.
fn check(code: libc::c_int) -> io::Result<()> {
    match code {
        0 => Ok(()),
        code => Err(io::Error::from_raw_os_error(code)),
    }
}

fn posix_spawn(
    path: &CString,
    argv: &[CString],
    envp: &[CString],
    inherited_fd: RawFd,
    stderr: Option<&OwnedFd>,
) -> io::Result<libc::pid_t> {
    // SAFETY: all-zero is a valid bit pattern for these plain C structs; they are initialised
    // by the *_init calls right after, before any other use.
    let mut setup: SpawnSetup = unsafe { std::mem::zeroed() };
    // SAFETY: initialising the zeroed structs; on failure they are not destroyed (forget).
    unsafe {
        if let Err(e) = check(libc::posix_spawn_file_actions_init(&mut setup.actions)) {
            std::mem::forget(setup);
            return Err(e);
        }
        if let Err(e) = check(libc::posix_spawnattr_init(&mut setup.attributes)) {
            libc::posix_spawn_file_actions_destroy(&mut setup.actions);
            std::mem::forget(setup);
            return Err(e);
        }
    }
    let dev_null = c"/dev/null";
    // SAFETY: the actions and attributes are initialised; every pointer passed lives until
    // the spawn below returns; the sigsets are initialised by sigemptyset/sigaddset first.
    unsafe {
        check(libc::posix_spawn_file_actions_addopen(
            &mut setup.actions,
            0,
            dev_null.as_ptr(),
            libc::O_RDONLY,
            0,
        ))?;
        if let Some(stderr) = stderr {
            check(libc::posix_spawn_file_actions_adddup2(
                &mut setup.actions,
                stderr.as_raw_fd(),
                2,
            ))?;
        }
        // Same number on both sides: POSIX.1-2024 (and glibc since 2.29) clear FD_CLOEXEC on
        // it in the child only.
        check(libc::posix_spawn_file_actions_adddup2(
            &mut setup.actions,
            inherited_fd,
            inherited_fd,
        ))?;
        let mut no_signals: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut no_signals);
        let mut sigpipe: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut sigpipe);
        libc::sigaddset(&mut sigpipe, libc::SIGPIPE);
        check(libc::posix_spawnattr_setsigmask(
            &mut setup.attributes,
            &no_signals,
        ))?;
        check(libc::posix_spawnattr_setsigdefault(
            &mut setup.attributes,
            &sigpipe,
        ))?;
        check(libc::posix_spawnattr_setflags(
            &mut setup.attributes,
            (libc::POSIX_SPAWN_SETSIGMASK | libc::POSIX_SPAWN_SETSIGDEF) as libc::c_short,
        ))?;
    }
    let mut argv_ptrs: Vec<*mut libc::c_char> =
        argv.iter().map(|a| a.as_ptr().cast_mut()).collect();
    argv_ptrs.push(std::ptr::null_mut());
    let mut envp_ptrs: Vec<*mut libc::c_char> =
        envp.iter().map(|e| e.as_ptr().cast_mut()).collect();
    envp_ptrs.push(std::ptr::null_mut());
    let mut pid: libc::pid_t = 0;
    // SAFETY: path, argv and envp are NUL-terminated strings in NULL-terminated arrays that
    // outlive the call; actions and attributes are initialised. posix_spawn does not keep them.
    check(unsafe {
        libc::posix_spawn(
            &mut pid,
            path.as_ptr(),
            &setup.actions,
            &setup.attributes,
            argv_ptrs.as_ptr(),
            envp_ptrs.as_ptr(),
        )
    })?;
    Ok(pid)
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
    use std::os::unix::process::ExitStatusExt;
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
    fn spawn_reporter(script: &Path, out: &Path) -> (PluginChild, UnixStream, String, RawFd) {
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

    fn wait_for_report(mut child: PluginChild, out: &Path) -> FdReport {
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

    fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
        let path = dir.join(name);
        fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn an_executable_that_cannot_run_is_an_error_at_spawn() {
        let dir = tempfile::tempdir().unwrap();
        let (_ours, theirs) = socketpair().unwrap();
        let missing = dir.path().join("missing_lsmplugin");
        let err = spawn_with_fd(&missing, theirs, SpawnOptions::default()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound, "{err}");

        let not_executable = dir.path().join("plain_lsmplugin");
        fs::write(&not_executable, "#!/bin/sh\n").unwrap();
        let (_ours, theirs) = socketpair().unwrap();
        let err = spawn_with_fd(&not_executable, theirs, SpawnOptions::default()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied, "{err}");
    }

    #[test]
    fn environment_stderr_and_signals_as_documented() {
        let dir = tempfile::tempdir().unwrap();
        let exe = script(
            dir.path(),
            "env_lsmplugin",
            "echo \"var=$LSM_IPC_TEST_VAR home=$HOME\" >&2\n\
             exec grep -E '^(SigBlk|SigIgn):' /proc/self/status >&2",
        );
        let err_path = dir.path().join("stderr");
        let err_file = fs::File::create(&err_path).unwrap();
        let (_ours, theirs) = socketpair().unwrap();
        let options = SpawnOptions {
            envs: vec![
                ("LSM_IPC_TEST_VAR".into(), "given".into()),
                ("HOME".into(), "/overridden".into()),
            ],
            stderr: Some(OwnedFd::from(err_file)),
        };
        // A signal blocked in the spawning thread stays blocked here only.
        // SAFETY: plain sigset manipulation and pthread_sigmask on this test's own thread.
        let blocked = unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGUSR1);
            assert_eq!(
                libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()),
                0
            );
            set
        };
        let spawned = spawn_with_fd(&exe, theirs, options);
        // SAFETY: as above.
        unsafe { libc::pthread_sigmask(libc::SIG_UNBLOCK, &blocked, std::ptr::null_mut()) };
        let mut child = spawned.unwrap();
        assert!(child.wait().unwrap().success());
        let text = fs::read_to_string(&err_path).unwrap();
        assert!(text.contains("var=given home=/overridden"), "{text}");
        let mask = |name: &str| {
            let line = text.lines().find(|l| l.starts_with(name)).unwrap();
            u64::from_str_radix(line.split_whitespace().nth(1).unwrap(), 16).unwrap()
        };
        // Read by grep exec'd in place of the shell: the shell's own mask, while it waits
        // for a child, would say nothing of ours.
        assert_eq!(mask("SigBlk:"), 0, "{text}");
        // This test process ignores SIGPIPE (Rust's runtime does); the child must not.
        assert_eq!(mask("SigIgn:") & (1 << (libc::SIGPIPE - 1)), 0, "{text}");
    }

    #[test]
    fn a_child_can_be_polled_killed_and_reaped_once() {
        let dir = tempfile::tempdir().unwrap();
        let exe = script(dir.path(), "sleepy_lsmplugin", "exec sleep 30");
        let (_ours, theirs) = socketpair().unwrap();
        let mut child = spawn_with_fd(&exe, theirs, SpawnOptions::default()).unwrap();
        assert!(child.id() > 0);
        assert!(child.try_wait().unwrap().is_none());
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.signal(), Some(libc::SIGKILL));
        // Reaped: the status is kept, and kill does not signal a pid that may be reused.
        assert_eq!(child.try_wait().unwrap(), Some(status));
        child.kill().unwrap();
    }

    /// True once `pid` is neither running nor a zombie: reaped.
    fn gone(pid: u32) -> bool {
        !Path::new(&format!("/proc/{pid}")).exists()
    }

    fn wait_gone(pid: u32, within: Duration) -> bool {
        let deadline = std::time::Instant::now() + within;
        while std::time::Instant::now() < deadline {
            if gone(pid) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        gone(pid)
    }

    #[test]
    fn reaping_in_background_leaves_no_zombie_and_kills_a_child_past_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        // Exits at once: reaped without a kill.
        let quick = script(dir.path(), "quick_lsmplugin", "exit 0");
        let (_ours, theirs) = socketpair().unwrap();
        let child = spawn_with_fd(&quick, theirs, SpawnOptions::default()).unwrap();
        let pid = child.id();
        child.reap_in_background(Duration::from_secs(5));
        assert!(
            wait_gone(pid, Duration::from_secs(5)),
            "exited child {pid} not reaped: {:?}",
            fs::read_to_string(format!("/proc/{pid}/status"))
        );

        // Never exits: killed once the limit has passed, then reaped.
        let sleepy = script(dir.path(), "sleepy_lsmplugin", "exec sleep 30");
        let (_ours, theirs) = socketpair().unwrap();
        let child = spawn_with_fd(&sleepy, theirs, SpawnOptions::default()).unwrap();
        let pid = child.id();
        let started = std::time::Instant::now();
        child.reap_in_background(Duration::from_millis(200));
        assert!(!gone(pid), "child {pid} killed before its limit");
        assert!(
            wait_gone(pid, Duration::from_secs(5)),
            "hung child {pid} not killed and reaped: {:?}",
            fs::read_to_string(format!("/proc/{pid}/status"))
        );
        assert!(started.elapsed() >= Duration::from_millis(200));
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
