//! Every wire method of the protocol doc's method table (§4.1–§4.6, `shared/lsm-wire-protocol.md`)
//! reaches its own dispatch arm and its own trait method.
//!
//! For each method named in the table, a request carrying exactly the parameter names of the
//! table's Params column (with valid sample values) goes to a plugin that implements nothing:
//! the answer must be that method's own "not supported" error, which only the trait method of
//! that name gives. A method missing from the dispatch would fall into the catch-all arm
//! ("Unsupported operation"); a parameter named differently on the plugin side would be a 402.
//! The runner's own methods (register, unregister, info, time-outs) must answer successfully.

use std::collections::BTreeMap;
use std::path::PathBuf;

use lsm_core::plugin::{
    Call, JobReport, Management, Nas, Plugin, PluginInfo, Registration, San, serve_on_thread,
};
use lsm_core::types::*;
use lsm_core::{Capabilities, ErrorNumber, LsmError, Result};
use lsm_ipc::FrameStream;
use serde_json::{Value, json};

/// A plugin with no method of its own: every answer is a "not supported" naming the method.
/// It is its own session.
struct Nothing;

fn not_supported<T>(method: &str) -> Result<T> {
    Err(LsmError::new(
        ErrorNumber::NO_SUPPORT,
        format!("{method} is not supported by this plugin"),
    ))
}

impl Plugin for Nothing {
    type Session = Nothing;
    fn plugin_info(&self) -> PluginInfo {
        PluginInfo {
            description: "nothing".into(),
            version: "0".into(),
        }
    }
    fn register(&self, _: &Call, _: &Registration) -> Result<Nothing> {
        Ok(Nothing)
    }
}

impl Management for Nothing {
    fn capabilities(&mut self, _: &Call, _: &System) -> Result<Capabilities> {
        not_supported("capabilities")
    }
    fn systems(&mut self, _: &Call) -> Result<Vec<System>> {
        not_supported("systems")
    }
    fn job_status(&mut self, _: &Call, _: &str) -> Result<JobReport> {
        not_supported("job_status")
    }
    fn job_free(&mut self, _: &Call, _: &str) -> Result<()> {
        not_supported("job_free")
    }
}

impl San for Nothing {}
impl Nas for Nothing {}

/// The methods the runner answers itself, with what it answers.
const RUNNER_METHODS: [&str; 5] = [
    "plugin_register",
    "plugin_unregister",
    "plugin_info",
    "time_out_set",
    "time_out_get",
];

fn protocol_doc() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/lsm-wire-protocol.md");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read the protocol doc {}: {e}", path.display()))
}

/// `text` without its parenthesised asides ("(0–100, checked by the client)").
fn without_asides(text: &str) -> String {
    let mut depth = 0usize;
    let mut kept = String::new();
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => kept.push(c),
            _ => {}
        }
    }
    kept
}

/// Method → parameter names, from the tables of §4.1 to §4.6.
fn method_table(doc: &str) -> BTreeMap<String, Vec<String>> {
    let start = doc
        .find("## 4. Method table")
        .expect("the protocol doc has a method table");
    let end = doc[start..]
        .find("### 4.7")
        .map_or(doc.len(), |at| start + at);
    let mut methods = BTreeMap::new();
    for line in doc[start..end].lines() {
        let cells: Vec<&str> = line.split(" | ").map(str::trim).collect();
        let Some(method) = cells.first().map(|c| c.trim_start_matches('|').trim()) else {
            continue;
        };
        if cells.len() < 3
            || method.is_empty()
            || !method.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        {
            continue;
        }
        let params = without_asides(&cells[1].replace("\\|", "|"));
        let names: Vec<String> = params
            .split(',')
            .map(|param| {
                param
                    .split(':')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .replace("**", "")
            })
            .filter(|name| !name.is_empty() && name != "–")
            .collect();
        for name in &names {
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "cannot read parameter {name:?} of {method} in the method table"
            );
        }
        methods.insert(method.to_string(), names);
    }
    methods
}

/// A valid sample value for a parameter, by its name.
fn sample(method: &str, name: &str) -> Value {
    match name {
        "uri" => json!("test://"),
        "password" | "search_key" | "search_value" | "in_user" | "in_password" | "out_user"
        | "out_password" | "restore_files" | "export_path" | "auth_type" | "options" => Value::Null,
        "timeout" => json!(30_000),
        "ms" => json!(1_000),
        "job_id" => json!("JOB_1"),
        "system" => serde_json::to_value(System::default()).unwrap(),
        "pool" => serde_json::to_value(Pool::default()).unwrap(),
        "volume" | "volume_src" | "volume_dest" => serde_json::to_value(Volume::default()).unwrap(),
        "fs" | "src_fs" => serde_json::to_value(FileSystem::default()).unwrap(),
        "snapshot" => serde_json::to_value(FsSnapshot::default()).unwrap(),
        "access_group" => serde_json::to_value(AccessGroup::default()).unwrap(),
        "export" => serde_json::to_value(NfsExport::default()).unwrap(),
        "disks" => serde_json::to_value([Disk::default(), Disk::default()]).unwrap(),
        "ranges" => serde_json::to_value([BlockRange {
            src_block: 0,
            dest_block: 0,
            block_count: 1,
        }])
        .unwrap(),
        "volume_name" | "name" | "dest_fs_name" | "snapshot_name" | "src_file_name"
        | "dest_file_name" => json!("x"),
        "size_bytes" | "new_size_bytes" => json!(1 << 20),
        "provisioning" => serde_json::to_value(Provisioning::DEFAULT).unwrap(),
        "rep_type" => serde_json::to_value(ReplicationType::CLONE).unwrap(),
        "init_id" => json!("iqn.1994-05.com.example:test"),
        "init_type" => serde_json::to_value(InitiatorType::ISCSI_IQN).unwrap(),
        "raid_type" => serde_json::to_value(RaidType::RAID1).unwrap(),
        "strip_size" => json!(0),
        "read_pct" => json!(50),
        "pdc" => serde_json::to_value(PhysicalDiskCache::ENABLED).unwrap(),
        "wcp" => serde_json::to_value(WriteCachePolicy::WRITE_BACK).unwrap(),
        "rcp" => serde_json::to_value(ReadCachePolicy::ENABLED).unwrap(),
        "files" => json!(["a"]),
        "all_files" => json!(true),
        "fs_id" => json!("FS1"),
        "root_list" | "ro_list" => json!([]),
        "rw_list" => json!(["host"]),
        "anon_uid" | "anon_gid" => json!(-1),
        other => panic!("no sample value for parameter {other:?} of {method}: add one"),
    }
}

struct Session {
    conn: FrameStream<std::os::unix::net::UnixStream>,
}

impl Session {
    fn call(&mut self, method: &str, params: &Value) -> Value {
        let payload = lsm_ipc::encode_request(method, 100, params).unwrap();
        self.conn.write_frame(&payload).unwrap();
        let frame = self
            .conn
            .read_frame()
            .unwrap()
            .unwrap_or_else(|| panic!("the runner closed the connection on {method}"));
        serde_json::from_slice(&frame).unwrap()
    }
}

#[test]
fn every_method_of_the_protocol_doc_reaches_its_own_dispatch_arm() {
    let table = method_table(&protocol_doc());
    assert!(
        table.len() >= 61,
        "read only {} methods from the protocol doc's method table: {:?}",
        table.len(),
        table.keys().collect::<Vec<_>>()
    );
    for method in RUNNER_METHODS {
        assert!(
            table.contains_key(method),
            "{method} missing from the table"
        );
    }

    let (stream, server) = serve_on_thread(Nothing).unwrap();
    let mut session = Session {
        conn: FrameStream::new(stream),
    };
    let params_of = |method: &str| {
        let mut params: serde_json::Map<String, Value> = table[method]
            .iter()
            .map(|name| (name.clone(), sample(method, name)))
            .collect();
        params.insert("flags".into(), json!(0));
        Value::Object(params)
    };
    let reply = session.call("plugin_register", &params_of("plugin_register"));
    assert_eq!(reply, json!({"id": 100, "result": null}));

    let mut failures = Vec::new();
    for method in table.keys().filter(|m| m.as_str() != "plugin_unregister") {
        let reply = session.call(method, &params_of(method));
        if RUNNER_METHODS.contains(&method.as_str()) {
            if reply.get("result").is_none() {
                failures.push(format!("{method}: the runner answered {reply}"));
            }
            continue;
        }
        let expected = format!("{method} is not supported by this plugin");
        if reply["error"]["code"] != json!(ErrorNumber::NO_SUPPORT.0)
            || reply["error"]["message"] != json!(expected)
        {
            failures.push(format!("{method}: expected \"{expected}\", got {reply}"));
        }
    }
    let reply = session.call("plugin_unregister", &params_of("plugin_unregister"));
    assert_eq!(reply, json!({"id": 100, "result": null}));
    drop(session);
    server.join().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_method_the_protocol_does_not_have_falls_into_the_catch_all() {
    let (stream, server) = serve_on_thread(Nothing).unwrap();
    let mut session = Session {
        conn: FrameStream::new(stream),
    };
    let register = json!({"uri": "test://", "password": null, "timeout": 30000, "flags": 0});
    assert_eq!(
        session.call("plugin_register", &register),
        json!({"id": 100, "result": null})
    );
    let reply = session.call("volume_frobnicate", &json!({"flags": 0}));
    assert_eq!(reply["error"]["code"], json!(ErrorNumber::NO_SUPPORT.0));
    assert_eq!(reply["error"]["message"], json!("Unsupported operation"));
    drop(session);
    server.join().unwrap();
}
