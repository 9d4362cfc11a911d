//! The real lsmd binary handing connections over: argv, the inherited fd,
//! no fd leaks, concurrency, reaping and crash isolation.

mod support;

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use lsm_test_support::process::children_of;
use lsm_test_support::{RunningLsmd, TIMEOUT, wait_until};
use support::{EchoSession, Fixture};

#[test]
fn plugin_gets_the_connection_fd_as_argv1_and_bytes_echo_through() {
    let fixture = Fixture::new();
    let plugin = fixture.add_echo_plugin("sim_lsmplugin");
    let _lsmd = fixture.start();

    let mut session = EchoSession::connect(&fixture.socket("sim"));
    let payload: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    assert_eq!(session.echo(&payload), payload);
    assert!(session.header.fd > 2, "{:?}", session.header);

    // For a script the kernel replaces argv[0] by the script's path: $0 is
    // the plugin path, $1 the fd number.
    let records = fixture.argv_records();
    assert_eq!(
        records[&session.header.pid],
        format!("{} {}\n", plugin.display(), session.header.fd)
    );
}

fn sleep_binary() -> &'static Path {
    ["/usr/bin/sleep", "/bin/sleep"]
        .iter()
        .map(Path::new)
        .find(|path| path.exists())
        .expect("coreutils sleep")
}

/// fds open in a process, as numbers.
fn open_fds(pid: u32) -> BTreeSet<u32> {
    fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .map(|entry| {
            entry
                .unwrap()
                .file_name()
                .to_string_lossy()
                .parse()
                .unwrap()
        })
        .collect()
}

#[test]
fn argv_is_basename_and_fd_and_no_other_fd_leaks_into_the_plugin() {
    // An ELF plugin keeps argv as given: `sleep` run as
    // ["sleeper_lsmplugin", "<fd>"] sleeps <fd> seconds while we look at it.
    let fixture = Fixture::new();
    std::os::unix::fs::symlink(sleep_binary(), fixture.plugin_dir.join("sleeper_lsmplugin"))
        .unwrap();
    fixture.add_echo_plugin("other_lsmplugin");
    let lsmd = fixture.start();
    let lsmd_pid = lsmd.pid().as_raw() as u32;

    // Two live connections: neither plugin may hold the other's socket.
    let _other = EchoSession::connect(&fixture.socket("other"));
    let _first = UnixStream::connect(fixture.socket("sleeper")).unwrap();
    let _second = UnixStream::connect(fixture.socket("sleeper")).unwrap();
    let mut sleepers = Vec::new();
    wait_until("two sleeper plugins", || {
        sleepers = children_of(lsmd_pid)
            .into_iter()
            .map(|(pid, _)| pid)
            .filter(|pid| {
                fs::read(format!("/proc/{pid}/cmdline"))
                    .is_ok_and(|cmdline| cmdline.starts_with(b"sleeper_lsmplugin\0"))
            })
            .collect();
        sleepers.len() == 2
    });
    for pid in sleepers {
        let cmdline = fs::read(format!("/proc/{pid}/cmdline")).unwrap();
        let argv: Vec<String> = cmdline
            .split(|byte| *byte == 0)
            .filter(|argument| !argument.is_empty())
            .map(|argument| String::from_utf8_lossy(argument).into_owned())
            .collect();
        assert_eq!(argv.len(), 2, "{argv:?}");
        assert_eq!(argv[0], "sleeper_lsmplugin");
        let fd: u32 = argv[1].parse().unwrap();
        let target = fs::read_link(format!("/proc/{pid}/fd/{fd}")).unwrap();
        assert!(
            target.to_string_lossy().starts_with("socket:"),
            "fd {fd} is {target:?}"
        );
        // stdio plus the one connection: no listening socket, no lock file,
        // no other client's connection, no signalfd.
        assert_eq!(
            open_fds(pid),
            BTreeSet::from([0, 1, 2, fd]),
            "plugin pid {pid}"
        );
    }
}

#[test]
fn sixty_four_concurrent_clients_each_get_their_own_plugin() {
    const CLIENTS: usize = 64;
    let fixture = Fixture::new();
    fixture.add_echo_plugin("sim_lsmplugin");
    let _lsmd = fixture.start();
    let socket_path = fixture.socket("sim");
    let all_connected = Arc::new(Barrier::new(CLIENTS));

    let clients: Vec<_> = (0..CLIENTS)
        .map(|index| {
            let socket_path = socket_path.clone();
            let all_connected = Arc::clone(&all_connected);
            std::thread::spawn(move || {
                let mut session = EchoSession::connect(&socket_path);
                // Every plugin is alive at once before anyone talks.
                all_connected.wait();
                let payload = format!("client {index} says hello\n").repeat(100);
                let reply = session.echo(payload.as_bytes());
                (session.header.pid, reply == payload.as_bytes())
            })
        })
        .collect();

    let mut plugin_pids = HashSet::new();
    for client in clients {
        let (pid, echoed) = client.join().unwrap();
        assert!(echoed, "client of plugin pid {pid} got a wrong echo");
        plugin_pids.insert(pid);
    }
    assert_eq!(plugin_pids.len(), CLIENTS);
}

#[test]
fn clients_that_disconnect_at_once_leave_no_zombie() {
    const PROBES: usize = 20;
    let fixture = Fixture::new();
    fixture.add_echo_plugin("sim_lsmplugin");
    let lsmd = fixture.start();
    let lsmd_pid = lsmd.pid().as_raw() as u32;

    for _ in 0..PROBES {
        drop(UnixStream::connect(fixture.socket("sim")).unwrap());
    }
    // Every probe did start a plugin...
    wait_until("a plugin per probe", || {
        fixture.argv_records().len() == PROBES
    });
    // ...and every one of them is gone, not left as a zombie.
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let children = children_of(lsmd_pid);
        if children.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "lsmd still has children (pid, state): {children:?}\nlog:\n{}",
            lsmd.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_crashing_plugin_affects_only_its_own_client() {
    let fixture = Fixture::new();
    fixture.add_echo_plugin("sim_lsmplugin");
    fixture.add_script_plugin("crash_lsmplugin", "kill -SEGV $$\n");
    let mut lsmd = fixture.start();

    let mut before = EchoSession::connect(&fixture.socket("sim"));
    assert_eq!(before.echo(b"one"), b"one");

    let mut crashing = UnixStream::connect(fixture.socket("crash")).unwrap();
    crashing.set_read_timeout(Some(TIMEOUT)).unwrap();
    let _ = crashing.write_all(b"request");
    let mut reply = Vec::new();
    let _ = crashing.read_to_end(&mut reply);
    assert!(reply.is_empty());

    assert_eq!(before.echo(b"two"), b"two");
    let mut after = EchoSession::connect(&fixture.socket("sim"));
    assert_eq!(after.echo(b"three"), b"three");
    assert!(lsmd.is_running());
    wait_until("the crash to be logged", || {
        lsmd.log().contains("plugin `crash`") && lsmd.log().contains("SIGSEGV")
    });
}

#[test]
fn a_failing_plugin_exit_status_is_logged() {
    let fixture = Fixture::new();
    fixture.add_script_plugin("fails_lsmplugin", "exit 3\n");
    let lsmd = fixture.start();
    drop(UnixStream::connect(fixture.socket("fails")).unwrap());
    wait_until("the exit status to be logged", || {
        lsmd.log().contains("plugin `fails`") && lsmd.log().contains("exited with status 3")
    });
}

#[test]
fn plugins_start_with_no_blocked_signal_so_sigterm_stops_them() {
    let fixture = Fixture::new();
    fixture.add_echo_plugin("sim_lsmplugin");
    let lsmd = fixture.start();
    let session = EchoSession::connect(&fixture.socket("sim"));
    let plugin_pid = session.header.pid;

    // lsmd blocks the signals it reads through its signalfd; its plugins
    // must not inherit that mask.
    assert_eq!(signal_mask(plugin_pid, "SigBlk:"), 0);

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(plugin_pid as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    wait_until("the plugin to die of SIGTERM", || {
        lsmd.log()
            .contains(&format!("(pid {plugin_pid}) was killed by SIGTERM"))
    });
}

/// The `SigIgn:` or `SigBlk:` mask of a process, from `/proc/<pid>/status`.
fn signal_mask(pid: u32, field: &str) -> u64 {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let hex = status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .unwrap()
        .trim();
    u64::from_str_radix(hex, 16).unwrap()
}

#[test]
fn signals_ignored_by_lsmds_parent_are_back_to_default_in_plugins() {
    use nix::sys::signal::{SigHandler, Signal, signal};
    use std::os::unix::process::CommandExt;

    let fixture = Fixture::new();
    fixture.add_echo_plugin("sim_lsmplugin");
    let handled = [
        Signal::SIGHUP,
        Signal::SIGINT,
        Signal::SIGTERM,
        Signal::SIGCHLD,
    ];
    let mut command = fixture.lsmd_command(&[]);
    let ignore_handled = move || -> std::io::Result<()> {
        for handled_signal in handled {
            // SAFETY: between fork and exec; sets a disposition only.
            unsafe { signal(handled_signal, SigHandler::SigIgn) }?;
        }
        Ok(())
    };
    // SAFETY: the closure only calls sigaction.
    unsafe {
        command.pre_exec(ignore_handled);
    }
    let mut lsmd = RunningLsmd::spawn(command, fixture.root());
    let session = EchoSession::connect(&fixture.socket("sim"));

    let ignored = signal_mask(session.header.pid, "SigIgn:");
    for handled_signal in handled {
        let bit = 1u64 << (handled_signal as i32 - 1);
        assert_eq!(ignored & bit, 0, "the plugin ignores {handled_signal}");
    }
    assert_eq!(signal_mask(session.header.pid, "SigBlk:"), 0);
    drop(session);
    // lsmd itself still reaps (SIGCHLD) and stops on SIGTERM.
    wait_until("lsmd to reap the plugin", || {
        children_of(lsmd.pid().as_raw() as u32).is_empty()
    });
    lsmd.signal(Signal::SIGTERM);
    assert!(lsmd.wait_exit().success());
}
