//! Replay of the reference wire vectors (`../shared/wire-vectors/`) against `sim_lsmplugin`.
//!
//! The vectors are whole sessions recorded between the reference Python client and the
//! reference `sim` plugin, all on one fresh state file. This test plays the client side of
//! every session, in the recording's order, against our simulator on one fresh state file:
//! each recorded client frame is sent byte for byte (only a job id is rewritten, when ours
//! differs), and each of our replies is compared with the recorded one:
//!
//! - same shape (`result` vs `error`), same reply id, same error code and message;
//! - same JSON types everywhere, same object classes, exactly the same field sets;
//! - equal values, except the ones the recording documents as variable (see
//!   [`VARIABLE_FIELDS`] and [`compare_reply`]): `Volume.vpd83` (random; ours must still be a
//!   valid NAA id), `FsSnapshot.ts` (a timestamp; ours must be "now"), `System.fw_version`,
//!   the `plugin_info` description and version, job ids (mapped) and job percentages, and
//!   the capability string outside the named capability ids (the reference sim says `01`
//!   for unassigned ids too; every named id must agree);
//! - one deliberate difference: `volumes` with the unknown search key `bad_key`. The
//!   reference sim answers -32601 with a Python `AttributeError` text (an accident of its
//!   `getattr` filtering, protocol doc §4.7); lsm-rs plugins answer 510
//!   `UNSUPPORTED_SEARCH_KEY`, which is what the reference *client* raises for such a key.
//!   The test asserts our 510.
//!
//! Job polling: the recording polls `job_status` a fixed number of times (three in-progress
//! replies, then COMPLETE). Our job may finish at another poll, so a run of recorded
//! `job_status` exchanges is replayed as "poll until the recorded final status": every
//! in-progress reply must have the recorded intermediate shape (`[1, percent, null]`, percent
//! in 0..=100 and never going down), and the final reply is compared like any other.
//!
//! Ids of created objects (`VOL_ID_00001`, `AG_ID_00001`, `FS_ID_00001`, `FS_SNAP_ID_00001`,
//! `EXP_ID_00001`) must be equal: numbering on a fresh state file is part of the contract,
//! since later sessions send objects made by earlier ones.
//!
//! `sim_lsmplugin` is taken from the workspace's `target/debug` (found from this test's own
//! path); build it first (`cargo build -p plugin-sim`).

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use lsm_ipc::{FrameStream, SpawnOptions};
use serde_json::Value;

/// The recorded sessions, in the order they were recorded on one state file (README.md).
const SESSION_ORDER: &[&str] = &[
    "register_systems_unregister",
    "pools",
    "capabilities",
    "volume_create_job",
    "volume_create_name_conflict",
    "volumes_bad_search_key",
    "access_group_mask",
    "fs_snapshot_export",
    "unknown_method",
    "plugin_info",
    "time_out_set_get",
];

/// Job duration for the replayed sim, in seconds: the recording used 0.6.
const SIM_TIME_SECONDS: &str = "0.6";

/// How long one reply may take before the replay gives up.
const REPLY_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a job may stay in progress before the replay gives up.
const JOB_DEADLINE: Duration = Duration::from_secs(30);

/// Pause between two polls of a job still in progress.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// `(class, field)` pairs whose values differ between runs. Each is still checked: same JSON
/// type, and the check named here.
const VARIABLE_FIELDS: &[(&str, &str, VariableCheck)] = &[
    // Random per volume in both simulators.
    ("Volume", "vpd83", VariableCheck::ValidVpd83),
    // Creation time of the snapshot.
    ("FsSnapshot", "ts", VariableCheck::RecentTimestamp),
    // The state file's version tag; ours need not be the reference's.
    ("System", "fw_version", VariableCheck::NonEmptyString),
    // The reference sim starts from `enable_all()`, so its string also says `01` for the
    // hundreds of ids no capability is assigned to; only named ids carry meaning.
    ("Capabilities", "cap", VariableCheck::SameNamedCapabilities),
];

/// How a variable value is checked instead of being compared.
#[derive(Debug, Clone, Copy)]
enum VariableCheck {
    /// A string that `lsm_core::validate::vpd83_is_valid` accepts, and not empty.
    ValidVpd83,
    /// An integer of Unix seconds within a minute of this test's run.
    RecentTimestamp,
    /// A non-empty string.
    NonEmptyString,
    /// A 512-entry lowercase `00`/`01` capability string that agrees with the recorded one
    /// on every named capability id.
    SameNamedCapabilities,
}

/// Methods whose reply carries a job id: J+obj (`[job, obj]`) or J (`job`).
const JOB_METHODS: &[&str] = &[
    "volume_create",
    "volume_resize",
    "volume_replicate",
    "volume_replicate_range",
    "volume_delete",
    "volume_child_dependency_rm",
    "fs_create",
    "fs_delete",
    "fs_resize",
    "fs_clone",
    "fs_file_clone",
    "fs_child_dependency_rm",
    "fs_snapshot_create",
    "fs_snapshot_delete",
    "fs_snapshot_restore",
];

/// LSM `UNSUPPORTED_SEARCH_KEY`.
const CODE_UNSUPPORTED_SEARCH_KEY: i64 = 510;
/// What the reference sim answers for an unknown search key (Python `AttributeError`).
const CODE_PYTHON_ATTRIBUTE_ERROR: i64 = -32601;
/// Job status values.
const JOB_INPROGRESS: i64 = 1;
const JOB_COMPLETE: i64 = 2;

// ------------------------------------------------------------------ the recording

/// One request and its recorded reply.
#[derive(Debug, Clone)]
struct Exchange {
    /// The request frame exactly as recorded: header and payload.
    request_frame: String,
    /// The request payload, parsed.
    request: Value,
    /// The reply payload, parsed.
    reply: Value,
}

impl Exchange {
    fn method(&self) -> &str {
        self.request["method"].as_str().unwrap_or("")
    }

    fn job_id_param(&self) -> Option<&str> {
        self.request["params"]["job_id"].as_str()
    }
}

/// One recorded session file.
#[derive(Debug, Clone)]
struct Session {
    name: String,
    exchanges: Vec<Exchange>,
}

fn wire_vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/wire-vectors")
}

/// Split a recorded frame into its payload, checking the 10-digit header.
fn frame_payload<'a>(session: &str, line: usize, frame: &'a str) -> &'a str {
    assert!(
        frame.len() >= 10 && frame.as_bytes()[..10].iter().all(u8::is_ascii_digit),
        "{session}:{line}: frame does not start with a 10-digit length"
    );
    let (header, payload) = frame.split_at(10);
    let length: usize = header.parse().unwrap();
    assert_eq!(
        length,
        payload.len(),
        "{session}:{line}: header length does not match the payload"
    );
    payload
}

fn load_session(name: &str) -> Session {
    let path = wire_vectors_dir().join(format!("{name}.jsonl"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut exchanges = Vec::new();
    let mut pending: Option<(String, Value)> = None;
    for (index, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let line_number = index + 1;
        let record: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{name}:{line_number}: not JSON: {e}"));
        let frame = record["frame"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}:{line_number}: no `frame` string"));
        let payload: Value = serde_json::from_str(frame_payload(name, line_number, frame))
            .unwrap_or_else(|e| panic!("{name}:{line_number}: payload is not JSON: {e}"));
        match (record["dir"].as_str(), pending.take()) {
            (Some("c2p"), None) => pending = Some((frame.to_string(), payload)),
            (Some("p2c"), Some((request_frame, request))) => exchanges.push(Exchange {
                request_frame,
                request,
                reply: payload,
            }),
            (dir, _) => panic!("{name}:{line_number}: unexpected direction {dir:?} here"),
        }
    }
    assert!(pending.is_none(), "{name}: last request has no reply");
    Session {
        name: name.to_string(),
        exchanges,
    }
}

fn load_all_sessions() -> Vec<Session> {
    SESSION_ORDER
        .iter()
        .map(|name| load_session(name))
        .collect()
}

// ------------------------------------------------------------------ the simulator

fn sim_plugin_exe() -> PathBuf {
    lsm_test_support::workspace_binary("sim_lsmplugin", "plugin-sim")
}

/// One `sim_lsmplugin` process on a socketpair; killed on drop if still running.
struct SimProcess {
    child: lsm_ipc::PluginChild,
    connection: FrameStream<UnixStream>,
}

impl SimProcess {
    fn spawn(exe: &Path, state_file: &Path) -> SimProcess {
        let (ours, theirs) = lsm_ipc::socketpair().expect("socketpair");
        ours.set_read_timeout(Some(REPLY_TIMEOUT))
            .expect("set_read_timeout");
        let options = SpawnOptions {
            envs: vec![
                ("LSM_SIM_DATA".into(), state_file.as_os_str().to_owned()),
                ("LSM_SIM_TIME".into(), SIM_TIME_SECONDS.into()),
            ],
            stderr: None,
        };
        let child = lsm_ipc::spawn_with_fd(exe, theirs, options)
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
        SimProcess {
            child,
            connection: FrameStream::new(ours),
        }
    }

    /// Send a whole frame (header included) exactly as given, and read the reply payload.
    fn exchange(&mut self, frame: &str) -> Value {
        let stream = self.connection.get_mut();
        stream
            .write_all(frame.as_bytes())
            .and_then(|()| stream.flush())
            .unwrap_or_else(|e| panic!("cannot send {frame}: {e}"));
        let payload = self
            .connection
            .read_frame()
            .unwrap_or_else(|e| panic!("no valid reply to {frame}: {e}"))
            .unwrap_or_else(|| panic!("sim closed the connection instead of answering {frame}"));
        serde_json::from_slice(&payload).unwrap_or_else(|e| {
            panic!(
                "reply to {frame} is not JSON ({e}): {}",
                String::from_utf8_lossy(&payload)
            )
        })
    }

    /// Wait for the plugin to exit on its own (it must after `plugin_unregister`).
    fn wait_exit(mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        None
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

// ------------------------------------------------------------------ comparison

/// Where a difference was found, for messages: `session#exchange method path`.
struct Place<'a> {
    session: &'a str,
    exchange: usize,
    method: &'a str,
}

impl Place<'_> {
    fn at(&self, path: &str) -> String {
        format!(
            "{} #{} {}: {path}",
            self.session, self.exchange, self.method
        )
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "float",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn check_variable(check: VariableCheck, recorded: &Value, ours: &Value) -> Result<(), String> {
    match check {
        VariableCheck::ValidVpd83 => match ours.as_str() {
            Some(vpd83) if !vpd83.is_empty() && lsm_core::validate::vpd83_is_valid(vpd83) => Ok(()),
            _ => Err(format!("{ours} is not a valid vpd83")),
        },
        VariableCheck::RecentTimestamp => match ours.as_i64() {
            Some(ts) if (ts - unix_now()).abs() <= 60 => Ok(()),
            _ => Err(format!("{ours} is not the current Unix time")),
        },
        VariableCheck::NonEmptyString => match ours.as_str() {
            Some(text) if !text.is_empty() => Ok(()),
            _ => Err(format!("{ours} is not a non-empty string")),
        },
        VariableCheck::SameNamedCapabilities => {
            compare_named_capabilities(recorded.as_str().unwrap_or(""), ours.as_str().unwrap_or(""))
        }
    }
}

/// Compare two capability strings on the named capability ids (see [`VARIABLE_FIELDS`]).
fn compare_named_capabilities(recorded: &str, ours: &str) -> Result<(), String> {
    let well_formed = ours.len() == 2 * lsm_core::Capabilities::LEN
        && ours
            .as_bytes()
            .chunks_exact(2)
            .all(|pair| pair == b"00" || pair == b"01");
    if !well_formed {
        return Err(format!(
            "capability string must be 512 entries of `00`/`01`, got {ours:?}"
        ));
    }
    let parse = |hex: &str| {
        lsm_core::Capabilities::from_hex(hex).map_err(|e| format!("bad capability string: {e}"))
    };
    let (recorded, ours) = (parse(recorded)?, parse(ours)?);
    let differing: Vec<String> = recorded
        .iter()
        .zip(ours.iter())
        .filter(|((_, _, r), (_, _, o))| r != o)
        .map(|((cap, name, r), _)| format!("{name}({}): recorded {r}", cap.0))
        .collect();
    if differing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "named capabilities differ: {}",
            differing.join(", ")
        ))
    }
}

/// Compare `ours` with `recorded`: types, classes, field sets and values (except
/// [`VARIABLE_FIELDS`]). Differences are appended to `differences`.
fn compare_values(path: &str, recorded: &Value, ours: &Value, differences: &mut Vec<String>) {
    if json_type(recorded) != json_type(ours) {
        differences.push(format!(
            "{path}: recorded a {} ({recorded}), got a {} ({ours})",
            json_type(recorded),
            json_type(ours)
        ));
        return;
    }
    match (recorded, ours) {
        (Value::Object(recorded_map), Value::Object(our_map)) => {
            let class = recorded_map.get("class").and_then(Value::as_str);
            if let Some(class) = class
                && our_map.get("class").and_then(Value::as_str) != Some(class)
            {
                differences.push(format!(
                    "{path}: recorded class {class}, got {:?}",
                    our_map.get("class")
                ));
                return;
            }
            let recorded_keys: BTreeSet<&String> = recorded_map.keys().collect();
            let our_keys: BTreeSet<&String> = our_map.keys().collect();
            if recorded_keys != our_keys {
                differences.push(format!(
                    "{path}: field sets differ: missing {:?}, extra {:?}",
                    recorded_keys.difference(&our_keys).collect::<Vec<_>>(),
                    our_keys.difference(&recorded_keys).collect::<Vec<_>>()
                ));
            }
            for (key, recorded_value) in recorded_map {
                let Some(our_value) = our_map.get(key) else {
                    continue;
                };
                let field_path = format!("{path}.{key}");
                let variable = VARIABLE_FIELDS
                    .iter()
                    .find(|(c, field, _)| Some(*c) == class && field == key);
                match variable {
                    Some((_, _, check)) => {
                        if json_type(recorded_value) != json_type(our_value) {
                            differences.push(format!(
                                "{field_path}: recorded a {}, got a {}",
                                json_type(recorded_value),
                                json_type(our_value)
                            ));
                        } else if let Err(why) = check_variable(*check, recorded_value, our_value) {
                            differences.push(format!("{field_path}: {why}"));
                        }
                    }
                    None => compare_values(&field_path, recorded_value, our_value, differences),
                }
            }
        }
        (Value::Array(recorded_items), Value::Array(our_items)) => {
            if recorded_items.len() != our_items.len() {
                differences.push(format!(
                    "{path}: recorded {} items, got {}: {ours}",
                    recorded_items.len(),
                    our_items.len()
                ));
                return;
            }
            for (index, (r, o)) in recorded_items.iter().zip(our_items).enumerate() {
                compare_values(&format!("{path}[{index}]"), r, o, differences);
            }
        }
        _ => {
            if recorded != ours {
                differences.push(format!("{path}: recorded {recorded}, got {ours}"));
            }
        }
    }
}

/// The job id in a reply to a job method: `"JOB"` (J) or `["JOB", null]` (J+obj).
fn reply_job_id(reply: &Value) -> Option<&str> {
    match &reply["result"] {
        Value::String(id) => Some(id),
        Value::Array(items) if items.len() == 2 && items[1].is_null() => items[0].as_str(),
        _ => None,
    }
}

/// Compare one of our replies with the recorded one; see the module docs for the rules.
/// Records the job id we handed out in `job_ids` (recorded id → ours).
fn compare_reply(
    place: &Place<'_>,
    recorded: &Value,
    ours: &Value,
    job_ids: &mut HashMap<String, String>,
) -> Vec<String> {
    let mut differences = Vec::new();
    let (Some(recorded_map), Some(our_map)) = (recorded.as_object(), ours.as_object()) else {
        return vec![place.at(&format!("reply is not an object: {ours}"))];
    };
    let recorded_keys: BTreeSet<&String> = recorded_map.keys().collect();
    let our_keys: BTreeSet<&String> = our_map.keys().collect();
    if recorded_keys != our_keys {
        return vec![place.at(&format!(
            "reply shape differs: recorded keys {recorded_keys:?} ({recorded}), got {our_keys:?} ({ours})"
        ))];
    }
    compare_values("id", &recorded["id"], &ours["id"], &mut differences);

    if let Some(recorded_error) = recorded_map.get("error") {
        let our_error = &ours["error"];
        if recorded_error["code"].as_i64() == Some(CODE_PYTHON_ATTRIBUTE_ERROR) {
            // Documented difference: the reference sim's accidental AttributeError for an
            // unknown search key; we must answer UNSUPPORTED_SEARCH_KEY.
            if our_error["code"].as_i64() != Some(CODE_UNSUPPORTED_SEARCH_KEY) {
                differences.push(format!(
                    "error.code: expected 510 UNSUPPORTED_SEARCH_KEY where the reference sim \
                     answers -32601, got {our_error}"
                ));
            }
            let error_keys: BTreeSet<&str> = our_error
                .as_object()
                .map(|m| m.keys().map(String::as_str).collect())
                .unwrap_or_default();
            if error_keys != BTreeSet::from(["code", "message", "data"]) {
                differences.push(format!(
                    "error: keys must be code, message, data: {our_error}"
                ));
            }
            for key in ["message", "data"] {
                if json_type(&recorded_error[key]) != json_type(&our_error[key]) {
                    differences.push(format!(
                        "error.{key}: recorded a {}, got {}",
                        json_type(&recorded_error[key]),
                        our_error[key]
                    ));
                }
            }
            if our_error["message"].as_str().is_none_or(str::is_empty) {
                differences.push("error.message: empty".to_string());
            }
        } else {
            compare_values("error", recorded_error, our_error, &mut differences);
        }
    } else if place.method == "plugin_info" {
        // Description and version say what the plugin is: ours, not the reference's.
        let is_two_strings = |v: &Value| {
            v.as_array().is_some_and(|items| {
                items.len() == 2
                    && items
                        .iter()
                        .all(|s| s.as_str().is_some_and(|s| !s.is_empty()))
            })
        };
        if !is_two_strings(&ours["result"]) {
            differences.push(format!(
                "result: expected [description, version], got {}",
                ours["result"]
            ));
        }
    } else if JOB_METHODS.contains(&place.method) && reply_job_id(recorded).is_some() {
        // A job started: the id is ours to choose; the shape must match.
        match (reply_job_id(recorded), reply_job_id(ours)) {
            (Some(recorded_id), Some(our_id)) => {
                job_ids.insert(recorded_id.to_string(), our_id.to_string());
                let recorded_shape = recorded["result"].is_array();
                if recorded_shape != ours["result"].is_array() {
                    differences.push(format!(
                        "result: recorded {}, got {}",
                        recorded["result"], ours["result"]
                    ));
                }
            }
            _ => differences.push(format!(
                "result: recorded a job {}, got {}",
                recorded["result"], ours["result"]
            )),
        }
    } else {
        compare_values(
            "result",
            &recorded["result"],
            &ours["result"],
            &mut differences,
        );
    }
    differences.into_iter().map(|d| place.at(&d)).collect()
}

/// Rewrite recorded job ids in a request frame to the ids our sim handed out, fixing the
/// length header. Unchanged (byte for byte) when every id is the same.
fn map_job_ids(frame: &str, job_ids: &HashMap<String, String>) -> String {
    let mut payload = frame[10..].to_string();
    for (recorded, ours) in job_ids {
        if recorded != ours {
            payload = payload.replace(&format!("\"{recorded}\""), &format!("\"{ours}\""));
        }
    }
    format!("{:010}{payload}", payload.len())
}

// ------------------------------------------------------------------ replay

/// What a replay saw, beyond the differences.
#[derive(Debug, Default)]
struct ReplayStats {
    exchanges: usize,
    in_progress_polls: usize,
    jobs: usize,
}

/// Replay a run of recorded `job_status` exchanges for one job: poll until our job reaches
/// the recorded final status.
fn replay_job_polls(
    sim: &mut SimProcess,
    place: &Place<'_>,
    polls: &[Exchange],
    job_ids: &mut HashMap<String, String>,
    stats: &mut ReplayStats,
) -> Vec<String> {
    let Some((final_poll, intermediate)) = polls.split_last() else {
        return Vec::new();
    };
    let final_status = final_poll.reply["result"][0].as_i64();
    assert_eq!(
        final_status,
        Some(JOB_COMPLETE),
        "{}: the recording's last poll is not COMPLETE",
        place.at("")
    );
    let recorded_in_progress = intermediate.first().map(|poll| &poll.reply);
    let frame = map_job_ids(&final_poll.request_frame, job_ids);
    let deadline = Instant::now() + JOB_DEADLINE;
    let mut last_percent = 0;
    stats.jobs += 1;
    loop {
        let ours = sim.exchange(&frame);
        stats.exchanges += 1;
        let status = ours["result"][0].as_i64();
        if status == final_status {
            return compare_reply(place, &final_poll.reply, &ours, job_ids);
        }
        if status != Some(JOB_INPROGRESS) {
            return vec![place.at(&format!(
                "expected an in-progress or complete job, got {ours}"
            ))];
        }
        stats.in_progress_polls += 1;
        if let Some(recorded) = recorded_in_progress {
            // Same shape as the recorded `[1, percent, null]`; percent is ours.
            let mut differences = Vec::new();
            let mut normalized = ours.clone();
            normalized["result"][1] = recorded["result"][1].clone();
            compare_values(
                "result",
                &recorded["result"],
                &normalized["result"],
                &mut differences,
            );
            if !differences.is_empty() {
                return differences.into_iter().map(|d| place.at(&d)).collect();
            }
        }
        match ours["result"][1].as_i64() {
            Some(percent) if (last_percent..=100).contains(&percent) => last_percent = percent,
            _ => {
                return vec![place.at(&format!(
                    "percent must be an integer in {last_percent}..=100, got {ours}"
                ))];
            }
        }
        if Instant::now() > deadline {
            return vec![place.at("job still in progress after 30 s")];
        }
        std::thread::sleep(POLL_INTERVAL);
    }
}

/// Replay one session on a fresh plugin process; returns the differences found.
fn replay_session(
    exe: &Path,
    state_file: &Path,
    session: &Session,
    stats: &mut ReplayStats,
) -> Vec<String> {
    let mut sim = SimProcess::spawn(exe, state_file);
    let mut job_ids: HashMap<String, String> = HashMap::new();
    let mut differences = Vec::new();
    let exchanges = &session.exchanges;
    let mut index = 0;
    while index < exchanges.len() {
        let exchange = &exchanges[index];
        let place = Place {
            session: &session.name,
            exchange: index,
            method: exchange.method(),
        };
        if exchange.method() == "job_status" {
            let job = exchange.job_id_param();
            let run = exchanges[index..]
                .iter()
                .take_while(|e| e.method() == "job_status" && e.job_id_param() == job)
                .count();
            differences.extend(replay_job_polls(
                &mut sim,
                &place,
                &exchanges[index..index + run],
                &mut job_ids,
                stats,
            ));
            index += run;
            continue;
        }
        let frame = map_job_ids(&exchange.request_frame, &job_ids);
        let ours = sim.exchange(&frame);
        stats.exchanges += 1;
        differences.extend(compare_reply(&place, &exchange.reply, &ours, &mut job_ids));
        index += 1;
    }
    match sim.wait_exit(Duration::from_secs(5)) {
        Some(status) if status.success() => {}
        Some(status) => differences.push(format!(
            "{}: sim exited with {status} after plugin_unregister",
            session.name
        )),
        None => differences.push(format!(
            "{}: sim still running 5 s after plugin_unregister",
            session.name
        )),
    }
    differences
}

#[test]
fn every_recorded_session_replays_against_sim_lsmplugin() {
    let exe = sim_plugin_exe();
    let sessions = load_all_sessions();
    let dir = tempfile::tempdir().expect("tempdir");
    let state_file = dir.path().join("replay.db");

    let mut stats = ReplayStats::default();
    let mut differences = Vec::new();
    for session in &sessions {
        differences.extend(replay_session(&exe, &state_file, session, &mut stats));
    }
    eprintln!("replayed {} sessions: {stats:?}", sessions.len());
    assert!(
        differences.is_empty(),
        "{} difference(s) from the reference recording:\n{}",
        differences.len(),
        differences.join("\n")
    );
    assert_eq!(
        stats.jobs, 3,
        "expected 3 jobs (volume_create, fs_create, fs_snapshot_create): {stats:?}"
    );
    assert!(
        stats.in_progress_polls > 0,
        "no job was ever seen in progress with LSM_SIM_TIME={SIM_TIME_SECONDS}"
    );
}

#[test]
fn recorded_sessions_are_well_formed() {
    for session in load_all_sessions() {
        let methods: Vec<&str> = session.exchanges.iter().map(Exchange::method).collect();
        assert_eq!(
            methods.first(),
            Some(&"plugin_register"),
            "{}",
            session.name
        );
        assert_eq!(
            methods.last(),
            Some(&"plugin_unregister"),
            "{}",
            session.name
        );
        for exchange in &session.exchanges {
            assert_eq!(exchange.request["id"], 100, "{}", session.name);
            assert_eq!(exchange.reply["id"], 100, "{}", session.name);
            assert_eq!(exchange.request["params"]["flags"], 0, "{}", session.name);
        }
    }
    let files = std::fs::read_dir(wire_vectors_dir())
        .expect("wire-vectors dir")
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().extension().is_some_and(|e| e == "jsonl"))
        .count();
    assert_eq!(
        files,
        SESSION_ORDER.len(),
        "a session is missing from SESSION_ORDER"
    );
}

#[test]
fn comparison_catches_shape_type_field_and_value_differences() {
    let place = Place {
        session: "unit",
        exchange: 0,
        method: "volumes",
    };
    let mut job_ids = HashMap::new();
    let recorded: Value = serde_json::from_str(
        r#"{"id": 100, "result": [{"class": "Volume", "id": "VOL_ID_00001", "name": "v",
            "vpd83": "501094cf69bf3bec", "block_size": 512, "num_of_blocks": 8,
            "admin_state": 1, "system_id": "sim-01", "pool_id": "POOL_ID_00004",
            "plugin_data": null}]}"#,
    )
    .unwrap();
    let compare = |ours: Value, job_ids: &mut HashMap<String, String>| {
        compare_reply(&place, &recorded, &ours, job_ids)
    };

    // Another valid vpd83 is fine.
    let mut same = recorded.clone();
    same["result"][0]["vpd83"] = "5aaaaaaaaaaaaaaa".into();
    assert!(compare(same, &mut job_ids).is_empty());

    let mut bad_vpd = recorded.clone();
    bad_vpd["result"][0]["vpd83"] = "not-hex".into();
    assert_eq!(compare(bad_vpd, &mut job_ids).len(), 1);

    let mut extra_field = recorded.clone();
    extra_field["result"][0]["size"] = 4096.into();
    assert!(compare(extra_field, &mut job_ids)[0].contains("extra"));

    let mut wrong_type = recorded.clone();
    wrong_type["result"][0]["block_size"] = "512".into();
    assert!(compare(wrong_type, &mut job_ids)[0].contains("string"));

    let mut wrong_id = recorded.clone();
    wrong_id["result"][0]["id"] = "VOL_ID_00002".into();
    assert!(compare(wrong_id, &mut job_ids)[0].contains("VOL_ID_00002"));

    let mut wrong_class = recorded.clone();
    wrong_class["result"][0]["class"] = "Pool".into();
    assert!(compare(wrong_class, &mut job_ids)[0].contains("class"));

    let error: Value = serde_json::from_str(
        r#"{"id": 100, "error": {"code": 205, "message": "x", "data": null}}"#,
    )
    .unwrap();
    assert!(compare(error, &mut job_ids)[0].contains("shape"));
}

#[test]
fn bad_search_key_must_be_510_not_the_reference_accident() {
    let place = Place {
        session: "unit",
        exchange: 0,
        method: "volumes",
    };
    let mut job_ids = HashMap::new();
    let recorded: Value = serde_json::from_str(
        r#"{"id": 100, "error": {"code": -32601, "message": "'Volume' object has no attribute 'bad_key'", "data": null}}"#,
    )
    .unwrap();
    let copy_of_reference = recorded.clone();
    assert_eq!(
        compare_reply(&place, &recorded, &copy_of_reference, &mut job_ids).len(),
        1
    );
    let ours: Value = serde_json::from_str(
        r#"{"id": 100, "error": {"code": 510, "message": "Unsupported search key bad_key", "data": null}}"#,
    )
    .unwrap();
    assert!(compare_reply(&place, &recorded, &ours, &mut job_ids).is_empty());
}

#[test]
fn job_ids_are_mapped_in_request_frames() {
    let frame = r#"0000000085{"method": "job_status", "id": 100, "params": {"job_id": "JOB_ID_00001", "flags": 0}}"#;
    let mut job_ids = HashMap::new();
    assert_eq!(
        map_job_ids(frame, &job_ids),
        frame,
        "unchanged when no mapping"
    );
    job_ids.insert("JOB_ID_00001".to_string(), "JOB_ID_00001".to_string());
    assert_eq!(
        map_job_ids(frame, &job_ids),
        frame,
        "byte for byte when ids agree"
    );
    job_ids.insert("JOB_ID_00001".to_string(), "JOB_ID_00012".to_string());
    let mapped = map_job_ids(frame, &job_ids);
    assert!(mapped.starts_with("0000000085{"));
    assert!(mapped.contains("\"JOB_ID_00012\""));
    job_ids.insert("JOB_ID_00001".to_string(), "JOB_ID_123456".to_string());
    assert!(map_job_ids(frame, &job_ids).starts_with("0000000086{"));
}

#[test]
fn capability_strings_are_compared_on_named_ids_only() {
    let mut reference = lsm_core::Capabilities::all_supported();
    reference.set(lsm_core::Capability::POOLS_QUICK_SEARCH, false);
    let mut ours = lsm_core::Capabilities::new();
    for (cap, _, supported) in reference.iter() {
        ours.set(cap, supported);
    }
    assert_eq!(
        compare_named_capabilities(&reference.to_hex(), &ours.to_hex()),
        Ok(())
    );

    ours.set(lsm_core::Capability::VOLUMES, false);
    let why = compare_named_capabilities(&reference.to_hex(), &ours.to_hex()).unwrap_err();
    assert!(why.contains("VOLUMES(20)"), "{why}");

    let uppercase = reference.to_hex().replace("01", "0A");
    assert!(compare_named_capabilities(&reference.to_hex(), &uppercase).is_err());
    assert!(compare_named_capabilities(&reference.to_hex(), "0101").is_err());
}
