//! Hostile input on the wire, sent as raw bytes to a real `sim_lsmplugin`: a header that is
//! not 10 digits or claims more than a request may be (2 GiB, 9.3 GB), a frame that claims
//! the 16 MiB request limit and stops after 1 MiB, JSON nested 100,000 deep, a payload that
//! is not UTF-8, and a `volume_create` whose name is 200 MiB (raw, and through the real
//! `Client`). Each is refused with an error naming what is
//! wrong (and the LSM code of its kind), never a crash, and the plugin's memory stays
//! bounded: each plugin runs under `RLIMIT_DATA` of 64 MiB (its heap is under 1 MiB after
//! registering), so holding a claimed length or a 200 MiB name would abort it (SIGABRT,
//! which fails the test); where the plugin lives on after the input, its peak RSS (VmHWM
//! in `/proc/PID/status`) is measured and bounded too. (`wait4`'s `ru_maxrss` cannot stand
//! in for VmHWM once it has exited: it counts the test process's own pages from before the
//! exec.)

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

fn exe() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_sim_lsmplugin"))
}

/// The timeout of every read from the plugin.
const READ_TIMEOUT: Duration = Duration::from_secs(60);
const MIB: u64 = 1 << 20;

/// A `sim_lsmplugin` process on a socketpair, spoken to in raw bytes.
struct RawPlugin {
    stream: UnixStream,
    pid: u32,
    _state: tempfile::TempDir,
    _child: lsm_ipc::PluginChild,
}

impl RawPlugin {
    fn start() -> RawPlugin {
        let state = tempfile::tempdir().unwrap();
        let (ours, theirs) = lsm_ipc::socketpair().unwrap();
        let child = lsm_ipc::spawn_with_fd(
            exe(),
            theirs,
            lsm_ipc::SpawnOptions {
                envs: vec![("LSM_SIM_DATA".into(), state.path().join("s.db").into())],
                stderr: None,
            },
        )
        .unwrap();
        ours.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
        limit_data(child.id());
        RawPlugin {
            stream: ours,
            pid: child.id(),
            _state: state,
            _child: child,
        }
    }

    /// A plugin that has answered `plugin_register`.
    fn registered() -> RawPlugin {
        let mut plugin = RawPlugin::start();
        let uri = format!(
            "sim://?statefile={}",
            plugin._state.path().join("s.db").display()
        );
        let reply = plugin.call(&json!({
            "method": "plugin_register", "id": 100,
            "params": {"uri": uri, "password": null, "timeout": 30000, "flags": 0},
        }));
        assert!(reply.get("error").is_none(), "{reply}");
        plugin
    }

    fn send(&mut self, bytes: &[u8]) {
        // The plugin may stop reading (and close) once it has seen enough to refuse.
        let _ = self.stream.write_all(bytes);
    }

    fn call(&mut self, request: &Value) -> Value {
        let payload = request.to_string();
        self.send(format!("{:010}{payload}", payload.len()).as_bytes());
        self.reply().expect("a reply")
    }

    /// The next frame, parsed; `None` at end of stream.
    fn reply(&mut self) -> Option<Value> {
        let mut header = [0u8; 10];
        if self.stream.read_exact(&mut header).is_err() {
            return None;
        }
        let length: usize = std::str::from_utf8(&header).unwrap().parse().unwrap();
        let mut payload = vec![0u8; length];
        self.stream.read_exact(&mut payload).unwrap();
        Some(serde_json::from_slice(&payload).unwrap())
    }

    /// VmHWM of the running plugin, in bytes.
    fn vm_hwm(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).unwrap();
        let kib: u64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no VmHWM in /proc/{}/status:\n{status}", self.pid));
        kib * 1024
    }

    /// Closes our end, waits for the plugin to exit: its exit code (a death by a signal,
    /// such as the abort of an allocation past `RLIMIT_DATA`, fails the test).
    fn finish(self) -> i32 {
        drop(self.stream);
        let mut status = 0;
        // SAFETY: waits for a child of this process, writing into the local.
        let reaped = unsafe { libc::waitpid(self.pid as i32, &mut status, 0) };
        assert_eq!(reaped, self.pid as i32, "waitpid");
        assert!(
            libc::WIFEXITED(status),
            "the plugin did not exit normally (signal {}: past its memory limit?)",
            libc::WTERMSIG(status)
        );
        libc::WEXITSTATUS(status)
    }
}

/// The `RLIMIT_DATA` of every plugin these tests start.
const DATA_LIMIT: u64 = 64 * MIB;

/// Sets `RLIMIT_DATA` of process `pid` (a plugin that has not been sent anything yet).
fn limit_data(pid: u32) {
    let limit = libc::rlimit {
        rlim_cur: DATA_LIMIT,
        rlim_max: DATA_LIMIT,
    };
    // SAFETY: prlimit(2) on our own child with a valid new limit and no old one asked.
    let set = unsafe { libc::prlimit(pid as i32, libc::RLIMIT_DATA, &limit, std::ptr::null_mut()) };
    assert_eq!(set, 0, "prlimit: {}", std::io::Error::last_os_error());
}

/// The `error` of a reply: (code, message).
fn error_of(reply: &Value) -> (i64, String) {
    let error = &reply["error"];
    (
        error["code"]
            .as_i64()
            .unwrap_or_else(|| panic!("no error in {reply}")),
        error["message"].as_str().unwrap_or_default().to_string(),
    )
}

/// The bound on a running plugin's peak RSS in these tests: each sends the plugin at most
/// 1 MiB it holds (its RSS after registering is about 8 MiB); a plugin that buffered a
/// claimed length, or parsed a 200 MiB name, would be far over it.
const PEAK_BOUND: u64 = 32 * MIB;

/// `bytes` to a fresh plugin (registered or not): its error reply (code, message), after
/// which it must end the session, and its exit code.
fn refused_at_once(bytes: &[u8], registered: bool) -> ((i64, String), i32) {
    let mut plugin = if registered {
        RawPlugin::registered()
    } else {
        RawPlugin::start()
    };
    plugin.send(bytes);
    let reply = plugin
        .reply()
        .expect("an error reply before the plugin goes");
    assert!(
        plugin.reply().is_none(),
        "the plugin goes after a bad frame"
    );
    (error_of(&reply), plugin.finish())
}

fn assert_bounded(what: &str, peak: u64) {
    eprintln!("{what}: peak RSS {} KiB", peak / 1024);
    assert!(
        peak < PEAK_BOUND,
        "{what}: the plugin's peak RSS is {} MiB",
        peak / MIB
    );
}

#[test]
fn headers_that_are_not_ten_digits_or_claim_too_much_are_refused_at_once() {
    for (header, says) in [
        (
            &b"HELLO WORLD, I AM NOT A FRAME"[..],
            "malformed frame header",
        ),
        (b"-000000001{}", "malformed frame header"),
        (b"0000000000", "zero-length"),
        // 2 GiB - 1, what the reference accepts at most; and more than it.
        (b"2147483647{\"method\"", "over the 16777216 byte limit"),
        (b"9999999999{\"method\"", "over the 16777216 byte limit"),
        // Just over the request limit.
        (b"0016777217{\"method\"", "over the 16777216 byte limit"),
    ] {
        let what = String::from_utf8_lossy(header).into_owned();
        let ((code, message), exit) = refused_at_once(header, false);
        assert_eq!(code, 401, "{what}: {message}");
        assert!(message.contains(says), "{what}: {message}");
        assert_eq!(
            exit, 1,
            "{what}: a protocol error ends the session with status 1"
        );
    }
}

#[test]
fn a_frame_that_claims_16_mib_and_sends_1_holds_only_what_arrived() {
    let mut plugin = RawPlugin::registered();
    plugin.send(format!("{:010}", lsm_ipc::MAX_REQUEST_FRAME).as_bytes());
    plugin.send(&vec![b' '; MIB as usize]);
    // The plugin waits for the rest; meanwhile it holds about what it was sent.
    std::thread::sleep(Duration::from_millis(300));
    assert_bounded("claimed 16 MiB, sent 1 MiB (running)", plugin.vm_hwm());
    // The client goes mid-frame: the session ends, no reply.
    plugin.stream.shutdown(std::net::Shutdown::Write).unwrap();
    assert!(plugin.reply().is_none());
    assert_eq!(plugin.finish(), 1);
}

#[test]
fn json_nested_100000_deep_is_refused_without_a_crash() {
    const DEPTH: usize = 100_000;
    let mut plugin = RawPlugin::registered();
    for (what, params) in [
        (
            "params",
            format!("{}{}", "[".repeat(DEPTH), "]".repeat(DEPTH)),
        ),
        (
            "a search key",
            format!(
                r#"{{"search_key": "id", "search_value": {}0{}, "flags": 0}}"#,
                "{\"a\":".repeat(DEPTH),
                "}".repeat(DEPTH)
            ),
        ),
    ] {
        let payload = format!(r#"{{"method": "volumes", "id": 100, "params": {params}}}"#);
        plugin.send(format!("{:010}{payload}", payload.len()).as_bytes());
        let Some(reply) = plugin.reply() else {
            panic!("{what}: the plugin went without an answer");
        };
        let (code, message) = error_of(&reply);
        assert!(matches!(code, 401 | 402), "{what}: {code} {message}");
        // Refused by the first token the typed parameters cannot take, or by serde_json's
        // recursion limit: either way named, without recursing 100,000 frames deep.
        assert!(
            message.contains("volumes") || message.contains("recursion limit"),
            "{what}: {message}"
        );
        eprintln!("{what}: {code} {message}");
        assert_bounded(&format!("{what} nested {DEPTH} deep"), plugin.vm_hwm());
        if code == 401 {
            // A frame the plugin cannot read ends the session, cleanly.
            assert!(plugin.reply().is_none());
            assert_eq!(plugin.finish(), 1);
            plugin = RawPlugin::registered();
        }
    }
    // A plugin that refused the parameters serves on.
    let reply = plugin.call(&json!({"method": "systems", "id": 100, "params": {"flags": 0}}));
    assert_eq!(reply["result"][0]["id"], "sim-01", "{reply}");
    assert_eq!(plugin.finish(), 0);
}

#[test]
fn a_payload_that_is_not_utf8_is_refused() {
    let mut payload = b"{\"method\": \"systems\", \"id\": 1".to_vec();
    payload.extend_from_slice(b"\xff\xfe\xfd}");
    let mut frame = format!("{:010}", payload.len()).into_bytes();
    frame.extend_from_slice(&payload);
    let ((code, message), exit) = refused_at_once(&frame, true);
    assert_eq!(code, 401, "{message}");
    assert!(message.contains("not valid UTF-8"), "{message}");
    assert_eq!(exit, 1);
}

/// A pool of the sim, as the wire carries it.
fn pool() -> Value {
    json!({"class": "Pool", "id": "POOL_ID_00004", "name": "lsm_test_aggr",
        "element_type": 1054, "unsupported_actions": 0, "total_space": 1, "free_space": 1,
        "status": 2, "status_info": "", "system_id": "sim-01", "plugin_data": null})
}

#[test]
fn a_200_mib_volume_name_is_refused_at_the_header_and_never_held() {
    let name = "a".repeat(200 << 20);
    let request = json!({"method": "volume_create", "id": 100, "params": {
        "pool": pool(), "volume_name": name, "size_bytes": 1 << 20, "provisioning": 1,
        "flags": 0}});
    let payload = request.to_string();
    let frame = format!("{:010}{payload}", payload.len());
    let ((code, message), exit) = refused_at_once(frame.as_bytes(), true);
    assert_eq!(code, 401, "{message}");
    assert!(
        message.contains(&format!("announces {} bytes", payload.len()))
            && message.contains("over the 16777216 byte limit"),
        "{message}"
    );
    // A clean exit under RLIMIT_DATA: the name was never held.
    assert_eq!(exit, 1);
}

#[test]
fn a_200_mib_volume_name_through_the_client_is_invalid_argument_and_the_session_goes_on() {
    let state = tempfile::tempdir().unwrap();
    let uri = format!("sim://?statefile={}", state.path().join("s.db").display());
    let mut client = lsm_core::BlockingClient::builder(&uri)
        .timeout(Duration::from_secs(30))
        .plugin_exe(exe())
        .connect()
        .unwrap();
    let pool = client
        .pools(Some(lsm_core::PoolSearch::Id("POOL_ID_00004")))
        .unwrap()
        .remove(0);
    let name = "a".repeat(200 << 20);
    let error = client
        .volume_create(&pool, &name, 1 << 20, lsm_core::Provisioning::DEFAULT)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(
        error.code,
        lsm_core::ErrorNumber::INVALID_ARGUMENT,
        "{error}"
    );
    assert!(
        error.message.contains("volume_create") && error.message.contains("limit"),
        "{error}"
    );
    assert!(
        error.message.len() < 300,
        "the message does not echo the name"
    );
    // Nothing was sent: the session, and its plugin, go on untouched.
    assert!(client.volumes(None).unwrap().is_empty());
    let pid = client.plugin_pid().unwrap();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let hwm_kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    assert_bounded("a 200 MiB name through the client", hwm_kib * 1024);
    client.close().unwrap();
}
