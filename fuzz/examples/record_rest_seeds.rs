//! Records seed scripts for a vendor REST target (`rest_<vendor>`) from a real
//! `lsm-arraysim`: the plugin runs in this process against the simulator over HTTPS while
//! `lsm_rest::fuzzing`'s recorder keeps every answer; each LSM call is one session (a
//! `plugin_register`, the call, `plugin_unregister`), written as one script (see
//! `lsm_fuzz::rest`).
//!
//! ```text
//! cargo build -p lsm-arraysim
//! cargo run --manifest-path fuzz/Cargo.toml --example record_rest_seeds -- \
//!     ontap target/debug/lsm-arraysim fuzz/corpus/rest_ontap
//! ```
//!
//! Vendors: `ontap`, `nexenta`, `unity` (into `fuzz/corpus/rest_emc`); a new one is a line
//! in `vendor_for`.
//!
//! Besides one session per LSM call that works, it records sessions where the array says
//! no: a create whose name is in use, deletes of what is gone, and (through the
//! simulator's fault injection, `/_arraysim/faults`) a volume listing refused once with 401
//! (the plugin logs in again, where it has a session), one answered 500, and a volume
//! create whose job fails. Jobs take 20 ms a step (`--job-ms`), so that job polls see a
//! running job before it ends.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use lsm_core::plugin::{Plugin, serve};
use lsm_fuzz::rest::answer_to_script;
use lsm_fuzz::session::{push_frame, register_frame};
use lsm_fuzz::stream::ScriptedStream;
use lsm_ipc::{FrameStream, RawReply};
use lsm_rest::{Auth, Request, RestClient, RestConfig, TlsOptions, fuzzing};
use serde_json::{Value, json};

const PASSWORD: &str = "s3cret-Passw0rd";

/// Makes a fresh plugin of the vendor, one per recorded session.
type NewPlugin = Box<dyn FnMut() -> Box<dyn ServedPlugin>>;

/// What the recorder needs of a vendor.
struct VendorSetup {
    /// A fresh plugin per session.
    new_plugin: NewPlugin,
    /// Its URI scheme.
    scheme: &'static str,
    /// The path (an `lsm-arraysim --fault` glob) the plugin's volume listing reads.
    volumes_path: &'static str,
    /// The path its `volume_create` POSTs to (the job that can fail).
    volume_create_path: &'static str,
    /// The provisioning of the volume made (LSM: 1 thin, 2 full).
    provisioning: i64,
}

/// The plugin of a vendor (`lsm-arraysim --vendor` name) and its paths.
fn vendor_for(vendor: &str) -> VendorSetup {
    match vendor {
        "ontap" => VendorSetup {
            new_plugin: Box::new(|| Box::new(plugin_netapp::plugin::OntapPlugin)),
            scheme: "ontap",
            volumes_path: "/api/storage/luns",
            volume_create_path: "/api/storage/volumes",
            provisioning: 2,
        },
        "nexenta" => VendorSetup {
            new_plugin: Box::new(|| Box::new(plugin_nexenta::plugin::NstorPlugin)),
            scheme: "nstor",
            volumes_path: "/storage/volumes",
            volume_create_path: "/storage/volumes",
            provisioning: 2,
        },
        "unity" => VendorSetup {
            new_plugin: Box::new(|| Box::new(plugin_emc::plugin::EmcPlugin)),
            scheme: "emc",
            volumes_path: "/api/types/lun/instances",
            volume_create_path: "/api/types/storageResource/action/createLun",
            // Unity makes thin clones of thin LUNs only.
            provisioning: 1,
        },
        other => panic!("no plugin for vendor {other}"),
    }
}

/// A plugin, whatever its type.
trait ServedPlugin {
    fn serve_on(self: Box<Self>, stream: &mut ScriptedStream);
}

impl<P: Plugin> ServedPlugin for P {
    fn serve_on(self: Box<Self>, stream: &mut ScriptedStream) {
        serve(*self, stream);
    }
}

/// `lsm-arraysim --vendor VENDOR` on a free port; killed when dropped.
struct Simulator {
    child: Child,
    port: u16,
    _state: tempfile::TempDir,
}

impl Simulator {
    fn start(exe: &Path, vendor: &str) -> Simulator {
        let state = tempfile::tempdir().expect("a state directory");
        let mut child = Command::new(exe)
            .args([
                "--vendor",
                vendor,
                "--listen",
                "127.0.0.1:0",
                "--self-signed",
                "--job-ms",
                "20",
            ])
            .arg("--state")
            .arg(state.path())
            .args(["--user", "admin"])
            .env("LSM_ARRAYSIM_PASSWORD", PASSWORD)
            .stdout(Stdio::piped())
            .spawn()
            .expect("lsm-arraysim starts");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut first)
            .expect("its first line");
        let port = first
            .trim()
            .rsplit(':')
            .next()
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("no port in {first:?}"));
        Simulator {
            child,
            port,
            _state: state,
        }
    }
}

impl Simulator {
    /// Adds a fault (`--fault` grammar) through the simulator's admin API.
    fn add_fault(&self, spec: &str) {
        let config = RestConfig {
            base_url: format!("https://127.0.0.1:{}/", self.port)
                .parse()
                .expect("a URL"),
            tls: TlsOptions {
                verify: false,
                ..TlsOptions::default()
            },
            auth: Auth::None,
            timeout: std::time::Duration::from_secs(10),
            headers: Vec::new(),
        };
        let reply = RestClient::new(config)
            .expect("a client")
            .send(&Request::post("/_arraysim/faults").json(&json!({ "spec": spec })))
            .unwrap_or_else(|error| panic!("fault {spec}: {error}"));
        assert_eq!(reply.status(), 201, "fault {spec}");
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs sessions and writes each as a seed script.
struct Recorder {
    new_plugin: NewPlugin,
    uri: String,
    out: PathBuf,
    answers: Arc<Mutex<String>>,
}

impl Recorder {
    /// One session with one call; writes its script as `out/<name>`; the call's result.
    fn call(&mut self, name: &str, method: &str, params: Value) -> Option<Value> {
        let answers = Arc::clone(&self.answers);
        answers.lock().expect("lock").clear();
        fuzzing::set_recorder(Some(Box::new(move |_method, url, answer| {
            answers
                .lock()
                .expect("lock")
                .push_str(&answer_to_script(url.path(), answer));
        })));
        let request = json!({"method": method, "id": 100, "params": params});
        let mut input = register_frame(&self.uri, Some(PASSWORD), 30_000);
        push_frame(&mut input, request.to_string().as_bytes());
        push_frame(
            &mut input,
            br#"{"method":"plugin_unregister","id":100,"params":{"flags":0}}"#,
        );
        let mut stream = ScriptedStream::new(input);
        (self.new_plugin)().serve_on(&mut stream);
        fuzzing::set_recorder(None);
        let script = format!(
            "> {method} {}\n{}",
            params,
            self.answers.lock().expect("lock")
        );
        std::fs::write(self.out.join(name), script).expect("the seed is written");
        let mut replies = FrameStream::new(ScriptedStream::new(stream.written().to_vec()));
        let _register = replies.read_frame().ok()??;
        let reply = replies.read_frame().ok()??;
        match lsm_ipc::parse_reply(&reply).ok()? {
            RawReply::Result { result, .. } => serde_json::from_str(result.get()).ok(),
            RawReply::Error { error, .. } => {
                eprintln!("{name}: {method} failed: {} {}", error.code, error.message);
                None
            }
        }
    }

    /// A listing; its items.
    fn list(&mut self, name: &str, method: &str) -> Vec<Value> {
        let params = json!({"search_key": null, "search_value": null, "flags": 0});
        match self.call(name, method, params) {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        }
    }

    /// An async call: its job polled to the end; the object made, if any.
    fn wait(&mut self, name: &str, method: &str, params: Value) -> Option<Value> {
        let result = self.call(name, method, params)?;
        let job = match &result {
            Value::Array(pair) => pair.first().and_then(Value::as_str).map(str::to_string),
            Value::String(job) => Some(job.clone()),
            _ => None,
        };
        let Some(job) = job else {
            return result.as_array()?.get(1).cloned();
        };
        for poll in 0..50 {
            let status = self.call(
                &format!("{name}-job-{poll}"),
                "job_status",
                json!({"job_id": job, "flags": 0}),
            )?;
            if status.get(0).and_then(Value::as_i64) != Some(1) {
                return status.get(2).cloned();
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        None
    }
}

fn named<'a>(items: &'a [Value], name: &str) -> Option<&'a Value> {
    items
        .iter()
        .find(|item| item.get("name").and_then(Value::as_str) == Some(name))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, vendor, arraysim, out] = args.as_slice() else {
        panic!("usage: record_rest_seeds VENDOR LSM_ARRAYSIM_BINARY OUT_DIR");
    };
    let simulator = Simulator::start(Path::new(arraysim), vendor);
    let VendorSetup {
        new_plugin,
        scheme,
        volumes_path,
        volume_create_path,
        provisioning,
    } = vendor_for(vendor);
    std::fs::create_dir_all(out).expect("the output directory");
    let mut recorder = Recorder {
        new_plugin,
        uri: format!(
            "{scheme}://admin@127.0.0.1:{}?no_ssl_verify=yes",
            simulator.port
        ),
        out: PathBuf::from(out),
        answers: Arc::default(),
    };

    let systems = match recorder.call("systems", "systems", json!({"flags": 0})) {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    let system = systems.first().cloned().unwrap_or(Value::Null);
    recorder.call(
        "capabilities",
        "capabilities",
        json!({"system": system, "flags": 0}),
    );
    let pools = recorder.list("pools", "pools");
    for listing in [
        "volumes",
        "disks",
        "access_groups",
        "target_ports",
        "fs",
        "exports",
        "batteries",
    ] {
        recorder.list(listing, listing);
    }

    // SAN: a volume (in the first pool that takes one), resized, masked to a new access
    // group, cloned, then all removed.
    let mut pool = Value::Null;
    let mut volume = Value::Null;
    for (index, candidate) in pools.iter().enumerate() {
        recorder.wait(
            &format!("volume_create-pool{index}"),
            "volume_create",
            json!({"pool": candidate, "volume_name": "fuzz_vol", "size_bytes": 64 << 20,
                   "provisioning": provisioning, "flags": 0}),
        );
        let volumes = recorder.list("volumes-after-create", "volumes");
        if let Some(made) = named(&volumes, "fuzz_vol") {
            volume = made.clone();
            pool = candidate.clone();
            break;
        }
    }
    // The same name again: the array refuses it (at once, or through its job).
    recorder.wait(
        "volume_create-name-in-use",
        "volume_create",
        json!({"pool": pool, "volume_name": "fuzz_vol", "size_bytes": 64 << 20,
               "provisioning": provisioning, "flags": 0}),
    );
    recorder.wait(
        "volume_resize",
        "volume_resize",
        json!({"volume": volume, "new_size_bytes": 128 << 20, "flags": 0}),
    );
    recorder.call(
        "access_group_create",
        "access_group_create",
        json!({"name": "fuzz_ag", "init_id": "iqn.1994-05.com.example:fuzz",
               "init_type": 5, "system": system, "flags": 0}),
    );
    let groups = recorder.list("access_groups-after-create", "access_groups");
    let group = named(&groups, "fuzz_ag").cloned().unwrap_or(Value::Null);
    recorder.call(
        "volume_mask",
        "volume_mask",
        json!({"access_group": group, "volume": volume, "flags": 0}),
    );
    recorder.call(
        "volumes_accessible_by_access_group",
        "volumes_accessible_by_access_group",
        json!({"access_group": group, "flags": 0}),
    );
    recorder.call(
        "access_groups_granted_to_volume",
        "access_groups_granted_to_volume",
        json!({"volume": volume, "flags": 0}),
    );
    recorder.call(
        "iscsi_chap_auth",
        "iscsi_chap_auth",
        json!({"init_id": "iqn.1994-05.com.example:fuzz", "in_user": "user",
               "in_password": "chap-secret-1", "out_user": null, "out_password": null,
               "flags": 0}),
    );
    recorder.call(
        "volume_unmask",
        "volume_unmask",
        json!({"access_group": group, "volume": volume, "flags": 0}),
    );
    recorder.call(
        "access_group_delete",
        "access_group_delete",
        json!({"access_group": group, "flags": 0}),
    );
    recorder.wait(
        "volume_replicate",
        "volume_replicate",
        json!({"pool": null, "rep_type": 2, "volume_src": volume, "name": "fuzz_clone",
               "flags": 0}),
    );
    let volumes = recorder.list("volumes-after-clone", "volumes");
    if let Some(clone) = named(&volumes, "fuzz_clone").cloned() {
        recorder.wait(
            "volume_delete-clone",
            "volume_delete",
            json!({"volume": clone, "flags": 0}),
        );
    }
    recorder.wait(
        "volume_delete",
        "volume_delete",
        json!({"volume": volume, "flags": 0}),
    );
    recorder.call(
        "volume_delete-missing",
        "volume_delete",
        json!({"volume": volume, "flags": 0}),
    );

    // NAS: a file system with a snapshot and an export, then removed.
    recorder.wait(
        "fs_create",
        "fs_create",
        json!({"pool": pool, "name": "fuzz_fs", "size_bytes": 64 << 20, "flags": 0}),
    );
    let filesystems = recorder.list("fs-after-create", "fs");
    let fs = named(&filesystems, "fuzz_fs")
        .cloned()
        .unwrap_or(Value::Null);
    // Twice what the array made, at least 128 MiB (Unity makes 3 GiB at least).
    let made = fs.get("total_space").and_then(Value::as_i64).unwrap_or(0);
    recorder.wait(
        "fs_resize",
        "fs_resize",
        json!({"fs": fs, "new_size_bytes": (2 * made).max(128 << 20), "flags": 0}),
    );
    recorder.wait(
        "fs_snapshot_create",
        "fs_snapshot_create",
        json!({"fs": fs, "snapshot_name": "fuzz_snap", "flags": 0}),
    );
    recorder.call(
        "fs_snapshots",
        "fs_snapshots",
        json!({"fs": fs, "flags": 0}),
    );
    let export_id = fs.get("id").cloned().unwrap_or(Value::Null);
    recorder.call(
        "export_fs",
        "export_fs",
        json!({"fs_id": export_id, "export_path": null, "root_list": [],
               "rw_list": ["192.168.0.1"], "ro_list": [], "anon_uid": -1, "anon_gid": -1,
               "auth_type": null, "options": null, "flags": 0}),
    );
    let exports = recorder.list("exports-after-export", "exports");
    if let Some(export) = exports.first().cloned() {
        recorder.call(
            "export_remove",
            "export_remove",
            json!({"export": export, "flags": 0}),
        );
    }
    recorder.wait("fs_delete", "fs_delete", json!({"fs": fs, "flags": 0}));
    recorder.call(
        "fs_delete-missing",
        "fs_delete",
        json!({"fs": fs, "flags": 0}),
    );

    // Faults: the volume listing refused once (401: the plugin logs in again if it has a
    // session) and answered 500 once; a volume create whose job fails.
    let listing = json!({"search_key": null, "search_value": null, "flags": 0});
    simulator.add_fault(&format!("{volumes_path}:status=401:count=1:method=GET"));
    recorder.call("volumes-401", "volumes", listing.clone());
    simulator.add_fault(&format!("{volumes_path}:status=500:count=1:method=GET"));
    recorder.call("volumes-500", "volumes", listing);
    simulator.add_fault(&format!(
        "{volume_create_path}:job=failure:count=1:method=POST"
    ));
    recorder.wait(
        "volume_create-job-failure",
        "volume_create",
        json!({"pool": pool, "volume_name": "fuzz_failed", "size_bytes": 64 << 20,
               "provisioning": provisioning, "flags": 0}),
    );
    let volumes = recorder.list("volumes-after-failure", "volumes");
    if let Some(made) = named(&volumes, "fuzz_failed").cloned() {
        recorder.wait(
            "volume_delete-failed",
            "volume_delete",
            json!({"volume": made, "flags": 0}),
        );
    }
    eprintln!("seeds written to {out}");
}
