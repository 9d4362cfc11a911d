//! Client-side transport errors and timeouts, with small shell-script
//! plugins and real sockets.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lsm_core::{BlockingClient, ErrorNumber};

const REGISTER_OK: &str = r#"0000000027{"id": 100, "result": null}"#;

/// A plugin script that answers `plugin_register` then does `then`.
fn script_plugin(dir: &Path, name: &str, then: &str) -> PathBuf {
    let path = dir.join(name);
    let body = format!(
        "#!/bin/bash\n# answer the first request (plugin_register), then: {then}\n\
         fd=$1\nhead -c 10 <&$fd >/dev/null\nprintf '%s' '{REGISTER_OK}' >&$fd\n{then}\n"
    );
    std::fs::write(&path, body).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn a_hung_plugin_gives_timeout_within_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let exe = script_plugin(dir.path(), "hang_lsmplugin", "sleep 30");
    let mut c = BlockingClient::builder("hang://")
        .timeout(Duration::from_millis(400))
        .plugin_exe(&exe)
        .connect()
        .unwrap();
    // The client's own timer: the plugin never answers, and would only end (EOF,
    // TRANSPORT_COMMUNICATION) after its 30 s sleep.
    let e = c.systems().unwrap_err();
    assert_eq!(e.code, ErrorNumber::TIMEOUT, "{e}");
    assert!(e.message.starts_with("plugin did not answer"), "{e}");
    // The connection is now out of step: later calls fail at once.
    let e = c.systems().unwrap_err();
    assert_eq!(e.code, ErrorNumber::TRANSPORT_COMMUNICATION, "{e}");
}

#[test]
fn a_killed_plugin_gives_transport_communication() {
    let dir = tempfile::tempdir().unwrap();
    let exe = script_plugin(dir.path(), "dies_lsmplugin", "exec sleep 30");
    let mut c = BlockingClient::builder("dies://")
        .timeout(Duration::from_secs(10))
        .plugin_exe(&exe)
        .connect()
        .unwrap();
    let pid = c.plugin_pid().unwrap();
    // SAFETY: kill(2) on the pid of our own child process.
    assert_eq!(unsafe { libc::kill(pid as i32, libc::SIGKILL) }, 0);
    // At once, not by the 10 s timer (which would be TIMEOUT).
    let e = c.systems().unwrap_err();
    assert_eq!(e.code, ErrorNumber::TRANSPORT_COMMUNICATION, "{e}");
}

#[test]
fn a_plugin_that_exits_at_once_fails_register_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quit_lsmplugin");
    std::fs::write(&path, "#!/bin/sh\nexit 3\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    let e = BlockingClient::builder("quit://")
        .timeout(Duration::from_secs(5))
        .plugin_exe(&path)
        .connect()
        .err()
        .unwrap();
    assert_eq!(e.code, ErrorNumber::TRANSPORT_COMMUNICATION, "{e}");
}

#[test]
fn daemon_mode_errors() {
    let dir = tempfile::tempdir().unwrap();
    let t = Duration::from_secs(5);
    // Nothing in the dir: the daemon is not running.
    let e = BlockingClient::builder("sim://")
        .timeout(t)
        .socket_dir(dir.path())
        .daemon()
        .connect()
        .err()
        .unwrap();
    assert_eq!(e.code, ErrorNumber::DAEMON_NOT_RUNNING, "{e}");
    // A missing dir too.
    let e = BlockingClient::builder("sim://")
        .timeout(t)
        .socket_dir(dir.path().join("nope"))
        .daemon()
        .connect()
        .err()
        .unwrap();
    assert_eq!(e.code, ErrorNumber::DAEMON_NOT_RUNNING, "{e}");
    // Another plugin's socket answers: the daemon runs, this plugin does not exist.
    let _other = UnixListener::bind(dir.path().join("other")).unwrap();
    let e = BlockingClient::builder("sim://")
        .timeout(t)
        .socket_dir(dir.path())
        .daemon()
        .connect()
        .err()
        .unwrap();
    assert_eq!(e.code, ErrorNumber::PLUGIN_NOT_EXIST, "{e}");
    assert!(e.message.contains("not found"), "{e}");
    // A socket file nobody listens on: connect() fails.
    let stale = UnixListener::bind(dir.path().join("stale")).unwrap();
    drop(stale);
    let e = BlockingClient::builder("stale://")
        .timeout(t)
        .socket_dir(dir.path())
        .daemon()
        .connect()
        .err()
        .unwrap();
    assert_eq!(e.code, ErrorNumber::PLUGIN_IPC_FAIL, "{e}");
}

#[test]
fn invalid_uris_and_unknown_plugins() {
    let t = Duration::from_secs(5);
    for uri in ["targetd//root@na-sim", "wat:/is@this", ""] {
        let e = BlockingClient::builder(uri)
            .timeout(t)
            .embedded()
            .connect()
            .err()
            .unwrap();
        assert_eq!(e.code, ErrorNumber::INVALID_ARGUMENT, "{uri}: {e}");
    }
    let e = BlockingClient::builder("nosuchplugin3141://")
        .timeout(t)
        .embedded()
        .connect()
        .err()
        .unwrap();
    assert_eq!(e.code, ErrorNumber::PLUGIN_NOT_EXIST, "{e}");
}

#[test]
fn zero_timeout_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let exe = script_plugin(dir.path(), "x_lsmplugin", "sleep 1");
    let e = BlockingClient::builder("x://")
        .timeout(Duration::ZERO)
        .plugin_exe(&exe)
        .connect()
        .err()
        .unwrap();
    assert_eq!(e.code, ErrorNumber::INVALID_ARGUMENT);
}
