//! The plugin runner, driven with raw frames: handshake, errors, panics,
//! malformed input. The plugin runs in process on a thread
//! (`plugin::serve_on_thread`, the SDK's harness), on one end of a socketpair.

use std::os::unix::net::UnixStream;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

use lsm_core::plugin::{
    Call, Completion, JobTable, Management, Nas, Plugin, PluginInfo, Registration, San, Search,
    SessionEnd, serve_on_thread,
};
use lsm_core::types::*;
use lsm_core::{Capabilities, Capability, ErrorNumber, LsmError, Result};
use lsm_ipc::FrameStream;
use serde_json::{Value, json};

/// A tiny plugin: two volumes, `volume_delete` panics, `volume_create` runs a job in the SDK
/// job table, `pools` shows the call's context (its timeout as the total space, the time
/// left as the free space, in ms). What happens to the session is told on `events`.
struct TestPlugin {
    events: Sender<String>,
}

/// A registered [`TestPlugin`] session.
struct TestSession {
    jobs: JobTable,
    events: Sender<String>,
}

fn vol(id: &str, pool: &str) -> Volume {
    Volume {
        id: id.into(),
        name: id.to_lowercase(),
        vpd83: "".into(),
        block_size: 512,
        num_of_blocks: 2048,
        admin_state: VolumeAdminState::ENABLED,
        system_id: "sys".into(),
        pool_id: pool.into(),
        plugin_data: None,
    }
}

fn millis(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl Plugin for TestPlugin {
    type Session = TestSession;
    fn plugin_info(&self) -> PluginInfo {
        PluginInfo {
            description: "test plugin".into(),
            version: "9.9".into(),
        }
    }
    fn register(&self, cx: &Call, r: &Registration) -> Result<TestSession> {
        if r.uri.query_param("fail").is_some() {
            return Err(LsmError::new(
                ErrorNumber::PLUGIN_AUTH_FAILED,
                "bad password",
            ));
        }
        let _ = self
            .events
            .send(format!("register {}", millis(cx.timeout())));
        Ok(TestSession {
            jobs: JobTable::default(),
            events: self.events.clone(),
        })
    }
}

impl Drop for TestSession {
    fn drop(&mut self) {
        let _ = self.events.send("dropped".into());
    }
}

impl Management for TestSession {
    fn unregister(self, cx: &Call) -> Result<()> {
        let _ = self
            .events
            .send(format!("unregister {}", millis(cx.timeout())));
        Ok(())
    }
    fn capabilities(&mut self, _cx: &Call, _s: &System) -> Result<Capabilities> {
        let mut c = Capabilities::new();
        c.set(Capability::VOLUMES, true);
        Ok(c)
    }
    fn systems(&mut self, _cx: &Call) -> Result<Vec<System>> {
        Ok(vec![System {
            id: "sys".into(),
            name: "test".into(),
            ..Default::default()
        }])
    }
    fn pools(&mut self, cx: &Call, _search: Option<&Search>) -> Result<Vec<Pool>> {
        Ok(vec![Pool {
            id: "P1".into(),
            total_space: millis(cx.timeout()),
            free_space: millis(cx.remaining()),
            system_id: "sys".into(),
            ..Default::default()
        }])
    }
    fn job_table(&mut self) -> Option<&mut JobTable> {
        Some(&mut self.jobs)
    }
}

impl San for TestSession {
    fn volumes(&mut self, _cx: &Call, _search: Option<&Search>) -> Result<Vec<Volume>> {
        // Deliberately unfiltered: the runner filters.
        Ok(vec![vol("V1", "P1"), vol("V2", "P2")])
    }
    fn volume_create(
        &mut self,
        cx: &Call,
        pool: &Pool,
        name: &str,
        size: i64,
        _p: Provisioning,
    ) -> Result<Completion<Volume>> {
        let mut v = vol("V3", &pool.id);
        v.name = name.into();
        v.num_of_blocks = size / 512;
        let id = self
            .jobs
            .spawn(cx, move |_, _| Ok(Some(LsmObject::Volume(v))))?;
        Ok(Completion::job(id))
    }
    fn volume_delete(&mut self, _cx: &Call, _v: &Volume) -> Result<Completion<()>> {
        panic!("deliberate test panic");
    }
}

impl Nas for TestSession {}

struct Harness {
    conn: FrameStream<UnixStream>,
    server: Option<JoinHandle<SessionEnd>>,
    events: Receiver<String>,
}

impl Harness {
    fn new() -> Self {
        let (events, receiver) = channel();
        let (stream, server) = serve_on_thread(TestPlugin { events }).unwrap();
        Harness {
            conn: FrameStream::new(stream),
            server: Some(server),
            events: receiver,
        }
    }

    fn raw(&mut self, bytes: &[u8]) {
        use std::io::Write;
        self.conn.get_mut().write_all(bytes).unwrap();
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        let payload = lsm_ipc::encode_request(method, 100, &params).unwrap();
        self.conn.write_frame(&payload).unwrap();
        self.read()
    }

    fn read(&mut self) -> Value {
        let frame = self.conn.read_frame().unwrap().expect("a reply");
        serde_json::from_slice(&frame).unwrap()
    }

    fn register(&mut self) {
        let r = self.call(
            "plugin_register",
            json!({"uri": "test://", "password": null, "timeout": 30000, "flags": 0}),
        );
        assert_eq!(r, json!({"id": 100, "result": null}));
    }

    /// The session's events so far (the server thread has sent them by the time it ended or
    /// answered the call that caused them).
    fn events(&self) -> Vec<String> {
        self.events.try_iter().collect()
    }

    fn end(mut self) -> SessionEnd {
        drop(self.conn);
        self.server.take().unwrap().join().unwrap()
    }
}

fn error_code(reply: &Value) -> i64 {
    reply["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("not an error: {reply}"))
}

#[test]
fn plugin_info_before_register_and_clean_unregister() {
    let mut h = Harness::new();
    let r = h.call("plugin_info", json!({"flags": 0}));
    assert_eq!(r, json!({"id": 100, "result": ["test plugin", "9.9"]}));
    h.register();
    let r = h.call("plugin_unregister", json!({"flags": 0}));
    assert_eq!(r, json!({"id": 100, "result": null}));
    assert_eq!(h.end(), SessionEnd::Unregistered);
}

#[test]
fn immediate_eof_is_a_quiet_probe() {
    let h = Harness::new();
    assert_eq!(h.end(), SessionEnd::Disconnected);
}

#[test]
fn calls_before_register_are_refused() {
    let mut h = Harness::new();
    let r = h.call("systems", json!({"flags": 0}));
    assert_eq!(error_code(&r), ErrorNumber::INVALID_ARGUMENT.0);
}

#[test]
fn register_failure_is_the_plugins_error() {
    let mut h = Harness::new();
    let r = h.call(
        "plugin_register",
        json!({"uri": "test://?fail=1", "password": "x", "timeout": 30000, "flags": 0}),
    );
    assert_eq!(error_code(&r), ErrorNumber::PLUGIN_AUTH_FAILED.0);
    // The message never carries the password.
    assert!(!r.to_string().contains("\"x\""));
}

#[test]
fn bad_uri_in_register_is_invalid_argument() {
    let mut h = Harness::new();
    let r = h.call(
        "plugin_register",
        json!({"uri": "wat:/is@this", "password": null, "timeout": 30000, "flags": 0}),
    );
    assert_eq!(error_code(&r), ErrorNumber::INVALID_ARGUMENT.0);
}

#[test]
fn unknown_method_is_no_support_and_session_goes_on() {
    let mut h = Harness::new();
    h.register();
    let r = h.call("no_such_method", json!({"flags": 0}));
    assert_eq!(error_code(&r), 153);
    assert_eq!(r["id"], 100);
    let r = h.call("systems", json!({"flags": 0}));
    assert_eq!(r["result"][0]["id"], "sys");
}

#[test]
fn unsupported_method_of_a_trait_is_no_support() {
    let mut h = Harness::new();
    h.register();
    let r = h.call(
        "fs",
        json!({"search_key": null, "search_value": null, "flags": 0}),
    );
    assert_eq!(error_code(&r), ErrorNumber::NO_SUPPORT.0);
}

#[test]
fn bad_params_are_402_never_a_crash() {
    let mut h = Harness::new();
    h.register();
    for (method, params) in [
        ("systems", json!({"flags": 0, "extra": 1})),
        ("systems", json!({"flags": "zero"})),
        (
            "volumes",
            json!({"search_key": 5, "search_value": null, "flags": 0}),
        ),
        ("volume_delete", json!({"flags": 0})),
        (
            "volume_delete",
            json!({"volume": {"class": "Pool"}, "flags": 0}),
        ),
        (
            "volume_delete",
            json!({"volume": {"class": "Volume", "id": "V1"}, "flags": 0}),
        ),
        ("time_out_set", json!({"ms": "1000", "flags": 0})),
        ("job_status", json!({"job_id": 7, "flags": 0})),
    ] {
        let r = h.call(method, params.clone());
        assert_eq!(error_code(&r), 402, "{method} {params}: {r}");
    }
    // params that are not an object (sent raw: our encoder refuses them).
    for params in [json!([1, 2]), json!("string"), json!(5)] {
        let payload = json!({"method": "volumes", "id": 100, "params": params}).to_string();
        h.conn.write_frame(payload.as_bytes()).unwrap();
        let r = h.read();
        assert_eq!(error_code(&r), 402, "{params}: {r}");
    }
    // Still alive.
    assert!(h.call("systems", json!({"flags": 0}))["result"].is_array());
}

#[test]
fn search_keys_are_checked_and_applied() {
    let mut h = Harness::new();
    h.register();
    let r = h.call(
        "volumes",
        json!({"search_key": "bad_key", "search_value": "x", "flags": 0}),
    );
    assert_eq!(error_code(&r), 510);
    let r = h.call(
        "volumes",
        json!({"search_key": "pool_id", "search_value": "P2", "flags": 0}),
    );
    let ids: Vec<&str> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["V2"]);
    let r = h.call(
        "volumes",
        json!({"search_key": "id", "search_value": "nope", "flags": 0}),
    );
    assert_eq!(r["result"], json!([]));
}

#[test]
fn bad_sizes_and_values_are_invalid_argument() {
    let mut h = Harness::new();
    h.register();
    let pool = json!({"class": "Pool", "id": "P1", "name": "p", "element_type": 4,
        "unsupported_actions": 0, "total_space": 1, "free_space": 1, "status": 2,
        "status_info": "", "system_id": "sys", "plugin_data": null});
    for (size, prov) in [(0, 3), (-1, 3), (1024, 9)] {
        let r = h.call(
            "volume_create",
            json!({"pool": pool, "volume_name": "v", "size_bytes": size,
                   "provisioning": prov, "flags": 0}),
        );
        assert_eq!(
            error_code(&r),
            ErrorNumber::INVALID_ARGUMENT.0,
            "{size} {prov}"
        );
    }
    let r = h.call(
        "access_group_create",
        json!({"name": "ag", "init_id": "not an initiator", "init_type": 5,
               "system": {"class": "System", "id": "sys", "name": "t", "status": 1,
                          "status_info": "", "plugin_data": null}, "flags": 0}),
    );
    assert_eq!(error_code(&r), ErrorNumber::INVALID_ARGUMENT.0);
}

#[test]
fn job_table_job_completes_with_its_object() {
    let mut h = Harness::new();
    h.register();
    let pool = json!({"class": "Pool", "id": "P1", "name": "p", "element_type": 4,
        "unsupported_actions": 0, "total_space": 1, "free_space": 1, "status": 2,
        "status_info": "", "system_id": "sys", "plugin_data": null});
    let r = h.call(
        "volume_create",
        json!({"pool": pool, "volume_name": "v3", "size_bytes": 1048576,
               "provisioning": 3, "flags": 0}),
    );
    let job = r["result"][0].as_str().unwrap().to_string();
    assert_eq!(r["result"][1], Value::Null);
    let mut last = Value::Null;
    for _ in 0..200 {
        last = h.call("job_status", json!({"job_id": job, "flags": 0}));
        if last["result"][0] == 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert_eq!(last["result"][0], 2);
    assert_eq!(last["result"][1], 100);
    assert_eq!(last["result"][2]["name"], "v3");
    assert_eq!(last["result"][2]["class"], "Volume");
    let r = h.call("job_free", json!({"job_id": job, "flags": 0}));
    assert_eq!(r["result"], Value::Null);
    let r = h.call("job_status", json!({"job_id": job, "flags": 0}));
    assert_eq!(error_code(&r), ErrorNumber::NOT_FOUND_JOB.0);
}

#[test]
fn time_out_set_and_get() {
    let mut h = Harness::new();
    h.register();
    assert_eq!(h.call("time_out_get", json!({"flags": 0}))["result"], 30000);
    assert_eq!(
        h.call("time_out_set", json!({"ms": 40000, "flags": 0}))["result"],
        Value::Null
    );
    assert_eq!(h.call("time_out_get", json!({"flags": 0}))["result"], 40000);
    let r = h.call("time_out_set", json!({"ms": 0, "flags": 0}));
    assert_eq!(error_code(&r), ErrorNumber::INVALID_ARGUMENT.0);
}

#[test]
fn a_panic_becomes_plugin_bug_then_exit() {
    let mut h = Harness::new();
    h.register();
    let r = h.call(
        "volume_delete",
        json!({"volume": vol("V1", "P1"), "flags": 0}),
    );
    assert_eq!(error_code(&r), ErrorNumber::PLUGIN_BUG.0);
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("deliberate test panic")
    );
    assert_eq!(h.end(), SessionEnd::Panicked);
}

#[test]
fn malformed_frames_get_401_then_the_plugin_exits() {
    for bad in [
        &b"00000000x9{}"[..],
        b"0000000000",
        b"0000000005hello",
        b"0000000002\xff\xfe",
        b"0000000004[1,2",
        b"0000000009{\"id\":100}",
    ] {
        let mut h = Harness::new();
        h.raw(bad);
        let r = h.read();
        assert_eq!(error_code(&r), 401, "{:?}", String::from_utf8_lossy(bad));
        assert_eq!(r["id"], 100);
        assert_eq!(h.end(), SessionEnd::ProtocolError);
    }
}

#[test]
fn eof_inside_a_frame_ends_the_session() {
    let mut h = Harness::new();
    h.raw(b"0000000100{\"method\"");
    assert_eq!(h.end(), SessionEnd::ProtocolError);
}

#[test]
fn wire_error_has_exactly_code_message_data() {
    let mut h = Harness::new();
    h.register();
    let r = h.call("no_such_method", json!({"flags": 0}));
    let keys: Vec<&String> = r["error"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["code", "message", "data"]);
    let top: Vec<&String> = r.as_object().unwrap().keys().collect();
    assert_eq!(top, ["id", "error"]);
}

#[test]
fn each_call_gets_the_sessions_timeout_and_its_deadline() {
    let mut h = Harness::new();
    h.register();
    let pool = &h.call(
        "pools",
        json!({"search_key": null, "search_value": null, "flags": 0}),
    )["result"][0];
    assert_eq!(pool["total_space"], 30000);
    let left = pool["free_space"].as_i64().unwrap();
    assert!(left > 0 && left <= 30000, "time left {left} ms");

    // time_out_set is the runner's: the next call's context carries the new timeout.
    h.call("time_out_set", json!({"ms": 5000, "flags": 0}));
    let pool = &h.call(
        "pools",
        json!({"search_key": null, "search_value": null, "flags": 0}),
    )["result"][0];
    assert_eq!(pool["total_space"], 5000);
    let left = pool["free_space"].as_i64().unwrap();
    assert!(left > 0 && left <= 5000, "time left {left} ms");
}

/// A timeout of `i64::MAX` ms is a valid wire value; its deadline does not overflow.
#[test]
fn a_huge_timeout_is_served() {
    let mut h = Harness::new();
    let r = h.call(
        "plugin_register",
        json!({"uri": "test://", "password": null, "timeout": i64::MAX, "flags": 0}),
    );
    assert_eq!(r, json!({"id": 100, "result": null}));
    let pool = &h.call(
        "pools",
        json!({"search_key": null, "search_value": null, "flags": 0}),
    )["result"][0];
    assert_eq!(pool["total_space"], i64::MAX);
    assert!(pool["free_space"].as_i64().unwrap() > 0);
    assert_eq!(
        h.call("time_out_get", json!({"flags": 0}))["result"],
        i64::MAX
    );
}

#[test]
fn unregister_ends_the_session_then_drops_it() {
    let mut h = Harness::new();
    h.register();
    h.call("time_out_set", json!({"ms": 7000, "flags": 0}));
    let r = h.call("plugin_unregister", json!({"flags": 0}));
    assert_eq!(r, json!({"id": 100, "result": null}));
    assert_eq!(h.events(), ["register 30000", "unregister 7000", "dropped"]);
    assert_eq!(h.end(), SessionEnd::Unregistered);
}

#[test]
fn a_client_gone_without_unregister_still_ends_the_session() {
    let mut h = Harness::new();
    h.register();
    drop(h.conn);
    assert_eq!(
        h.server.take().unwrap().join().unwrap(),
        SessionEnd::Disconnected
    );
    let events: Vec<String> = h.events.try_iter().collect();
    assert_eq!(events, ["register 30000", "unregister 30000", "dropped"]);
}

#[test]
fn no_session_before_register_nor_after_a_failed_one() {
    let mut h = Harness::new();
    let r = h.call(
        "plugin_register",
        json!({"uri": "test://?fail=1", "password": null, "timeout": 30000, "flags": 0}),
    );
    assert_eq!(error_code(&r), ErrorNumber::PLUGIN_AUTH_FAILED.0);
    let r = h.call("time_out_get", json!({"flags": 0}));
    assert_eq!(error_code(&r), ErrorNumber::INVALID_ARGUMENT.0);
    let r = h.call("plugin_unregister", json!({"flags": 0}));
    assert_eq!(r, json!({"id": 100, "result": null}));
    assert!(h.events().is_empty());
    assert_eq!(h.end(), SessionEnd::Unregistered);
}
