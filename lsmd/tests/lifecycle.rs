//! The real lsmd binary: discovery, sockets, lock file, stale sockets,
//! signals, sd_notify, start-up errors and daemon mode.

mod support;

use std::fs;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::os::unix::net::{SocketAddr, UnixDatagram, UnixListener, UnixStream};
use std::path::Path;
use std::process::Stdio;

use lsm_test_support::lsmd::DetachedLsmd;
use lsm_test_support::{RunningLsmd, TIMEOUT, set_mode, unique_suffix, wait_until};
use nix::sys::signal::Signal;
use support::{EchoSession, Fixture, LSMD};

fn assert_is_socket_with_mode_0666(path: &Path) {
    let metadata =
        fs::symlink_metadata(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    assert!(
        metadata.file_type().is_socket(),
        "{} is not a socket",
        path.display()
    );
    assert_eq!(
        metadata.permissions().mode() & 0o777,
        0o666,
        "mode of {}",
        path.display()
    );
}

#[test]
fn one_socket_per_plugin_named_after_the_file_with_mode_0666() {
    let fixture = Fixture::new();
    let sim = fixture.add_echo_plugin("sim_lsmplugin");
    fixture.add_echo_plugin("sub/deeper/nested_lsmplugin");
    fixture.add_echo_plugin(".hidden/secret_lsmplugin");
    fixture.add_echo_plugin("_lsmplugin");
    fixture.add_echo_plugin("README");
    fixture.add_echo_plugin("dir_lsmplugin/inner_lsmplugin");
    std::os::unix::fs::symlink(&sim, fixture.plugin_dir.join("link_lsmplugin")).unwrap();
    // The executable bit is not checked by the scan.
    let noexec = fixture.add_echo_plugin("noexec_lsmplugin");
    set_mode(&noexec, 0o644);

    let mut lsmd = fixture.start();

    assert_eq!(
        fixture.socket_dir_entries(),
        [".lsmd-ipc-lock", "inner", "link", "nested", "noexec", "sim"]
    );
    for name in ["inner", "link", "nested", "noexec", "sim"] {
        assert_is_socket_with_mode_0666(&fixture.socket(name));
    }
    for name in ["sim", "nested", "inner", "link"] {
        let mut session = EchoSession::connect(&fixture.socket(name));
        assert_eq!(session.echo(name.as_bytes()), name.as_bytes());
    }
    // A plugin that cannot be executed: the client gets EOF, lsmd carries on.
    let mut stream = UnixStream::connect(fixture.socket("noexec")).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut buffer = Vec::new();
    std::io::Read::read_to_end(&mut stream, &mut buffer).unwrap();
    assert!(buffer.is_empty());
    let mut session = EchoSession::connect(&fixture.socket("sim"));
    assert_eq!(session.echo(b"still here"), b"still here");
    assert!(lsmd.is_running());
    assert!(
        lsmd.log().contains("cannot start plugin `noexec`"),
        "{}",
        lsmd.log()
    );
}

#[test]
fn second_lsmd_on_the_same_socket_dir_fails_on_the_lock() {
    let fixture = Fixture::new();
    fixture.add_echo_plugin("sim_lsmplugin");
    let mut first = fixture.start();
    assert!(fixture.socket_dir.join(".lsmd-ipc-lock").is_file());

    let output = fixture.run_expecting_exit(&[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("another lsmd is already serving"),
        "{stderr}"
    );
    assert!(stderr.contains(".lsmd-ipc-lock"), "{stderr}");

    // The loser touched nothing: the first one still serves.
    assert!(first.is_running());
    let mut session = EchoSession::connect(&fixture.socket("sim"));
    assert_eq!(session.echo(b"ok"), b"ok");
}

#[test]
fn stale_sockets_are_removed_at_start_and_other_files_kept() {
    let fixture = Fixture::new();
    fixture.add_echo_plugin("sim_lsmplugin");
    fs::create_dir(fixture.socket_dir.join("sub")).unwrap();
    drop(UnixListener::bind(fixture.socket("old")).unwrap());
    drop(UnixListener::bind(fixture.socket_dir.join("sub/older")).unwrap());
    drop(UnixListener::bind(fixture.socket("sim")).unwrap());
    fs::write(fixture.socket("notes.txt"), "keep me").unwrap();

    let _lsmd = fixture.start();

    assert_eq!(
        fixture.socket_dir_entries(),
        [".lsmd-ipc-lock", "notes.txt", "sim", "sub"]
    );
    assert!(!fixture.socket_dir.join("sub/older").exists());
    assert_eq!(
        fs::read_to_string(fixture.socket("notes.txt")).unwrap(),
        "keep me"
    );
    let mut session = EchoSession::connect(&fixture.socket("sim"));
    assert_eq!(session.echo(b"fresh"), b"fresh");
}

#[test]
fn sighup_picks_up_new_plugins_and_drops_removed_ones() {
    let fixture = Fixture::new();
    fixture.add_echo_plugin("old_lsmplugin");
    fixture.add_echo_plugin("kept_lsmplugin");
    let mut lsmd = fixture.start();
    assert_eq!(
        fixture.socket_dir_entries(),
        [".lsmd-ipc-lock", "kept", "old"]
    );
    let mut long_lived = EchoSession::connect(&fixture.socket("old"));

    fs::remove_file(fixture.plugin_dir.join("old_lsmplugin")).unwrap();
    fixture.add_echo_plugin("more/new_lsmplugin");
    lsmd.signal(Signal::SIGHUP);
    let reloading = lsmd.next_notification();
    assert!(
        reloading.starts_with("RELOADING=1\nMONOTONIC_USEC="),
        "{reloading:?}"
    );
    assert_eq!(lsmd.next_notification(), "READY=1");

    assert_eq!(
        fixture.socket_dir_entries(),
        [".lsmd-ipc-lock", "kept", "new"]
    );
    assert_is_socket_with_mode_0666(&fixture.socket("new"));
    for name in ["kept", "new"] {
        let mut session = EchoSession::connect(&fixture.socket(name));
        assert_eq!(session.echo(b"after reload"), b"after reload");
    }
    // A connection made before the reload keeps its plugin.
    assert_eq!(long_lived.echo(b"unaffected"), b"unaffected");
}

#[test]
fn sigterm_removes_the_sockets_and_exits_zero() {
    let fixture = Fixture::new();
    fixture.add_echo_plugin("a_lsmplugin");
    fixture.add_echo_plugin("b_lsmplugin");
    let mut lsmd = fixture.start();
    let mut session = EchoSession::connect(&fixture.socket("a"));

    lsmd.signal(Signal::SIGTERM);
    assert_eq!(lsmd.next_notification(), "STOPPING=1");
    let status = lsmd.wait_exit();
    assert_eq!(status.code(), Some(0), "log:\n{}", lsmd.log());
    assert_eq!(fixture.socket_dir_entries(), [".lsmd-ipc-lock"]);
    // The plugin serving a client outlives lsmd.
    assert_eq!(session.echo(b"bye"), b"bye");
}

#[test]
fn sigint_also_exits_zero_and_cleans_up() {
    let fixture = Fixture::new();
    fixture.add_echo_plugin("a_lsmplugin");
    let mut lsmd = fixture.start();
    lsmd.signal(Signal::SIGINT);
    assert_eq!(lsmd.wait_exit().code(), Some(0));
    assert_eq!(fixture.socket_dir_entries(), [".lsmd-ipc-lock"]);
}

#[test]
fn ready_is_sent_to_an_abstract_notify_socket() {
    let fixture = Fixture::new();
    fixture.add_echo_plugin("sim_lsmplugin");
    let name = format!("lsmd-test-notify-{}", unique_suffix());
    let address = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
    let notifications = UnixDatagram::bind_addr(&address).unwrap();
    // spawn_with_notify asserts that the first message is READY=1.
    let mut lsmd = RunningLsmd::spawn_with_notify(
        fixture.lsmd_command(&[]),
        fixture.root(),
        notifications,
        format!("@{name}").as_ref(),
    );
    // Sockets are listening by the time READY=1 arrives.
    let mut session = EchoSession::connect(&fixture.socket("sim"));
    assert_eq!(session.echo(b"ready"), b"ready");
    lsmd.signal(Signal::SIGTERM);
    assert_eq!(lsmd.next_notification(), "STOPPING=1");
    assert_eq!(lsmd.wait_exit().code(), Some(0));
}

#[test]
fn no_plugin_is_a_start_up_error() {
    let fixture = Fixture::new();
    fixture.add_script_plugin("not_a_plugin", "exit 0\n");
    let output = fixture.run_expecting_exit(&[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no plugin found"), "{stderr}");
    assert!(
        stderr.contains(&fixture.plugin_dir.display().to_string()),
        "{stderr}"
    );
}

#[test]
fn missing_socket_dir_is_a_start_up_error() {
    let fixture = Fixture::new();
    fixture.add_echo_plugin("sim_lsmplugin");
    fs::remove_dir(&fixture.socket_dir).unwrap();
    let output = fixture.run_expecting_exit(&[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("socket directory"), "{stderr}");
    assert!(stderr.contains("not usable"), "{stderr}");
}

#[test]
fn malformed_lsmd_conf_is_a_start_up_error_naming_file_and_line() {
    let fixture = Fixture::new();
    fixture.add_echo_plugin("sim_lsmplugin");
    fixture.write_conf(
        "lsmd.conf",
        "# settings\nallow-plugin-root-privilege = maybe;\n",
    );
    let output = fixture.run_expecting_exit(&[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let expected = format!("{}:2:", fixture.conf_dir.join("lsmd.conf").display());
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(stderr.contains("invalid value `maybe`"), "{stderr}");
    assert_eq!(fixture.socket_dir_entries(), Vec::<String>::new());
}

/// Finds the lsmd process whose command line holds `needle`.
fn find_lsmd_with_argument(needle: &str) -> Option<u32> {
    let lsmd_binary = fs::canonicalize(LSMD).ok()?;
    for entry in fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if fs::read_link(entry.path().join("exe")).ok() != Some(lsmd_binary.clone()) {
            continue;
        }
        if let Ok(cmdline) = fs::read(entry.path().join("cmdline"))
            && cmdline
                .split(|byte| *byte == 0)
                .any(|argument| argument == needle.as_bytes())
        {
            return Some(pid);
        }
    }
    None
}

#[test]
fn without_d_it_detaches_and_keeps_relative_paths_working() {
    let fixture = Fixture::new();
    fixture.add_echo_plugin("sim_lsmplugin");
    let notify_path = fixture.root().join("notify-detached");
    let notifications = UnixDatagram::bind(&notify_path).unwrap();
    notifications.set_read_timeout(Some(TIMEOUT)).unwrap();
    let status = std::process::Command::new(LSMD)
        .current_dir(fixture.root())
        .args([
            "--plugindir",
            "plugins",
            "--socketdir",
            "ipc",
            "--confdir",
            "conf",
        ])
        .env("NOTIFY_SOCKET", &notify_path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let mut detached = DetachedLsmd::new();
    let mut buffer = [0u8; 64];
    let length = notifications.recv(&mut buffer).unwrap();
    assert_eq!(&buffer[..length], b"READY=1");
    assert!(fixture.socket("sim").exists());
    // Only this test passes the relative `ipc`: it finds the detached lsmd.
    let pid = find_lsmd_with_argument("ipc").expect("the detached lsmd is running");
    detached.adopt(pid);
    // Detached: a new session, working directory `/`.
    assert_eq!(
        fs::read_link(format!("/proc/{pid}/cwd")).unwrap(),
        Path::new("/")
    );

    let mut session = EchoSession::connect(&fixture.socket("sim"));
    assert_eq!(session.echo(b"daemon"), b"daemon");

    detached.signal(Signal::SIGTERM);
    let length = notifications.recv(&mut buffer).unwrap();
    assert_eq!(&buffer[..length], b"STOPPING=1");
    wait_until("the detached lsmd to remove its socket", || {
        !fixture.socket("sim").exists()
    });
    detached.release();
}

#[test]
fn sockets_are_0666_under_any_umask_and_the_socket_dir_keeps_its_documented_mode() {
    use std::os::unix::process::CommandExt;
    let fixture = Fixture::new();
    fixture.add_echo_plugin("sim_lsmplugin");
    fixture.add_echo_plugin("other_lsmplugin");
    // The mode packaging gives /run/lsm/ipc (tmpfiles.d, RuntimeDirectoryMode=): lsmd
    // does not make the directory, and must not change it.
    set_mode(&fixture.socket_dir, 0o775);
    let mut command = fixture.lsmd_command(&[]);
    // SAFETY: between fork and exec; umask(2) only.
    unsafe {
        command.pre_exec(|| {
            nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o077));
            Ok(())
        });
    }
    let _lsmd = RunningLsmd::spawn(command, fixture.root());
    for name in ["sim", "other"] {
        assert_is_socket_with_mode_0666(&fixture.socket(name));
    }
    let mode = fs::metadata(&fixture.socket_dir)
        .unwrap()
        .permissions()
        .mode()
        & 0o7777;
    assert_eq!(mode, 0o775, "the socket dir's mode");
    let mut session = EchoSession::connect(&fixture.socket("sim"));
    assert_eq!(session.echo(b"umask"), b"umask");
}
