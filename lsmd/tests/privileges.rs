//! The root rules end to end, with `nobody` standing in for
//! `libstoragemgmt` (hidden `--plugin-user` option). These tests need root,
//! as CI has; without it they fail, saying so.

mod support;

use std::os::fd::{AsRawFd, OwnedFd};
use std::path::Path;

use lsm_test_support::set_mode;
use nix::sys::socket::{AddressFamily, SockFlag, SockType, UnixAddr, connect, socket};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Gid, Uid, fork, pipe, read, setgid, setgroups, setuid, write};
use support::{EchoHeader, EchoSession, Fixture, NOBODY_UID};

/// Switching users needs root: without it the test fails, saying so.
fn require_root(test: &str) {
    lsm_test_support::require_root(test, "lsmd and its plugins switch to another user");
}

/// Two echo plugins: `rootecho` requires root, `userecho` does not.
fn fixture_with_two_plugins(allow_root: Option<bool>) -> Fixture {
    let fixture = Fixture::new();
    fixture.add_echo_plugin("rootecho_lsmplugin");
    fixture.add_echo_plugin("userecho_lsmplugin");
    fixture.write_conf(
        "pluginconf.d/rootecho.conf",
        "require-root-privilege = true;\n",
    );
    fixture.write_conf(
        "pluginconf.d/userecho.conf",
        "require-root-privilege = false;\n",
    );
    if let Some(allow) = allow_root {
        fixture.write_conf(
            "lsmd.conf",
            &format!("allow-plugin-root-privilege = {allow};\n"),
        );
    }
    fixture
}

/// Connects to `socket_path` as uid/gid `nobody` from a forked child and
/// returns the echo plugin's header line.
fn header_seen_by_nobody(socket_path: &Path) -> EchoHeader {
    let address = UnixAddr::new(socket_path).unwrap();
    let (pipe_read, pipe_write): (OwnedFd, OwnedFd) = pipe().unwrap();
    // SAFETY: the child makes only system calls on data prepared before the
    // fork (no allocation, no lock) and leaves with `_exit`.
    match unsafe { fork() }.unwrap() {
        ForkResult::Child => {
            let status = (|| -> nix::Result<()> {
                setgroups(&[Gid::from_raw(NOBODY_UID)])?;
                setgid(Gid::from_raw(NOBODY_UID))?;
                setuid(Uid::from_raw(NOBODY_UID))?;
                let connection = socket(
                    AddressFamily::Unix,
                    SockType::Stream,
                    SockFlag::empty(),
                    None,
                )?;
                connect(connection.as_raw_fd(), &address)?;
                let mut line = [0u8; 256];
                let mut length = 0;
                while length < line.len() && (length == 0 || line[length - 1] != b'\n') {
                    let count = read(&connection, &mut line[length..])?;
                    if count == 0 {
                        break;
                    }
                    length += count;
                }
                write(&pipe_write, &line[..length])?;
                Ok(())
            })();
            // SAFETY: ends the forked child without running any destructor.
            unsafe { nix::libc::_exit(if status.is_ok() { 0 } else { 1 }) }
        }
        ForkResult::Parent { child } => {
            drop(pipe_write);
            let mut output = Vec::new();
            let mut buffer = [0u8; 256];
            loop {
                let count = read(&pipe_read, &mut buffer).unwrap();
                if count == 0 {
                    break;
                }
                output.extend_from_slice(&buffer[..count]);
            }
            assert_eq!(waitpid(child, None).unwrap(), WaitStatus::Exited(child, 0));
            EchoHeader::parse(&String::from_utf8(output).unwrap())
        }
    }
}

#[test]
fn a_plugin_runs_as_root_only_when_allowed_required_and_asked_by_root() {
    require_root("a_plugin_runs_as_root_only_when_allowed_required_and_asked_by_root");
    let fixture = fixture_with_two_plugins(Some(true));
    let lsmd = fixture.start_with(&["--plugin-user", "nobody"]);
    // One plugin requires root: lsmd keeps it.
    assert_eq!(lsmd.uid(), 0);

    let root_client_root_plugin = EchoSession::connect(&fixture.socket("rootecho"));
    assert_eq!(root_client_root_plugin.header.uid, 0);
    let root_client_user_plugin = EchoSession::connect(&fixture.socket("userecho"));
    assert_eq!(root_client_user_plugin.header.uid, NOBODY_UID);
    assert_eq!(
        header_seen_by_nobody(&fixture.socket("rootecho")).uid,
        NOBODY_UID
    );
    assert_eq!(
        header_seen_by_nobody(&fixture.socket("userecho")).uid,
        NOBODY_UID
    );
}

#[test]
fn without_lsmd_conf_lsmd_itself_switches_user_at_start() {
    require_root("without_lsmd_conf_lsmd_itself_switches_user_at_start");
    let fixture = fixture_with_two_plugins(None);
    // lsmd, now nobody, must still manage its socket dir.
    set_mode(&fixture.socket_dir, 0o777);
    let mut lsmd = fixture.start_with(&["--plugin-user", "nobody"]);
    assert_eq!(lsmd.uid(), NOBODY_UID);
    assert_eq!(
        EchoSession::connect(&fixture.socket("rootecho")).header.uid,
        NOBODY_UID
    );
    lsmd.signal(nix::sys::signal::Signal::SIGTERM);
    assert_eq!(lsmd.wait_exit().code(), Some(0));
    assert_eq!(fixture.socket_dir_entries(), [".lsmd-ipc-lock"]);
}

#[test]
fn root_allowed_but_required_by_none_drops_after_the_scan() {
    require_root("root_allowed_but_required_by_none_drops_after_the_scan");
    let fixture = Fixture::new();
    fixture.add_echo_plugin("userecho_lsmplugin");
    fixture.write_conf("lsmd.conf", "allow-plugin-root-privilege = true;\n");
    set_mode(&fixture.socket_dir, 0o777);
    let lsmd = fixture.start_with(&["--plugin-user", "nobody"]);
    assert_eq!(lsmd.uid(), NOBODY_UID);
    assert_eq!(
        EchoSession::connect(&fixture.socket("userecho")).header.uid,
        NOBODY_UID
    );
}

#[test]
fn a_missing_user_is_warned_about_and_the_current_user_kept() {
    require_root("a_missing_user_is_warned_about_and_the_current_user_kept");
    let fixture = fixture_with_two_plugins(None);
    let lsmd = fixture.start_with(&["--plugin-user", "no-such-user-lsmd-test"]);
    assert_eq!(lsmd.uid(), 0);
    assert_eq!(
        EchoSession::connect(&fixture.socket("userecho")).header.uid,
        0
    );
    let log = lsmd.log();
    assert!(
        log.contains("user `no-such-user-lsmd-test` does not exist"),
        "{log}"
    );
    assert_eq!(log.matches("does not exist").count(), 1, "{log}");
}

#[test]
fn a_malformed_plugin_conf_is_logged_and_denies_root() {
    require_root("a_malformed_plugin_conf_is_logged_and_denies_root");
    let fixture = fixture_with_two_plugins(Some(true));
    fixture.write_conf("pluginconf.d/rootecho.conf", "require-root-privilege = \n");
    let lsmd = fixture.start_with(&["--plugin-user", "nobody"]);
    let log = lsmd.log();
    let expected = format!(
        "{}:",
        fixture
            .conf_dir
            .join("pluginconf.d/rootecho.conf")
            .display()
    );
    assert!(log.contains(&expected), "{log}");
    assert_eq!(
        EchoSession::connect(&fixture.socket("rootecho")).header.uid,
        NOBODY_UID
    );
}

#[test]
fn root_plugins_not_allowed_by_lsmd_conf_run_as_the_user_even_when_required() {
    require_root("root_plugins_not_allowed_by_lsmd_conf_run_as_the_user_even_when_required");
    let fixture = fixture_with_two_plugins(Some(false));
    // lsmd itself becomes nobody at start: it must still manage its socket dir.
    set_mode(&fixture.socket_dir, 0o777);
    let lsmd = fixture.start_with(&["--plugin-user", "nobody"]);
    assert_eq!(lsmd.uid(), NOBODY_UID);
    // A root client asking for the plugin whose conf requires root gets nobody.
    for name in ["rootecho", "userecho"] {
        assert_eq!(
            EchoSession::connect(&fixture.socket(name)).header.uid,
            NOBODY_UID,
            "{name}"
        );
        assert_eq!(header_seen_by_nobody(&fixture.socket(name)).uid, NOBODY_UID);
    }
}

#[test]
fn a_plugin_without_a_plugin_conf_does_not_run_as_root_even_when_root_is_allowed() {
    require_root("a_plugin_without_a_plugin_conf_does_not_run_as_root_even_when_root_is_allowed");
    let fixture = fixture_with_two_plugins(Some(true));
    fixture.add_echo_plugin("noconf_lsmplugin");
    let lsmd = fixture.start_with(&["--plugin-user", "nobody"]);
    assert_eq!(lsmd.uid(), 0, "rootecho requires root: lsmd keeps it");
    assert_eq!(
        EchoSession::connect(&fixture.socket("noconf")).header.uid,
        NOBODY_UID
    );
    // The one allowed, required and asked for by root does run as root.
    assert_eq!(
        EchoSession::connect(&fixture.socket("rootecho")).header.uid,
        0
    );
}
