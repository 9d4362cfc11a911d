//! The suite must catch a misbehaving plugin, not just pass a good one.
//!
//! This test executable doubles as a plugin: run with a file descriptor as
//! its only argument (as a client spawns a plugin), it is `faulty_lsmplugin`,
//! a wire-level proxy in front of the real `sim_lsmplugin` that breaks one
//! thing, chosen by `$LSM_FAULT`. Run by cargo (no argument), it points
//! `lsm-plugin-check` at that proxy once per fault and asserts the checks
//! aimed at the fault FAIL, while a fault-free proxy passes them all, and so
//! does a proxy that bends an answer into another correct one (a file clone
//! refused as a real array refuses it).

use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use lsm_core::ErrorNumber;
use lsm_ipc::{FrameStream, SpawnOptions, socketpair, spawn_with_fd, stream_from_fd_arg};
use lsm_test_support::workspace_binary;
use serde_json::{Value, json};

const PLUGIN_CHECK: &str = env!("CARGO_BIN_EXE_lsm-plugin-check");

/// What the proxy breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// Nothing: a transparent proxy.
    None,
    /// `volume_create` makes the volume under another name.
    RenameVolume,
    /// `job_status` reports percent 101.
    BadPercent,
    /// `volume_delete` answers success without deleting.
    FakeDelete,
    /// `volumes` ignores the search.
    IgnoreSearch,
    /// `NOT_FOUND_VOLUME` comes back as `PLUGIN_BUG`.
    WrongNotFound,
    /// Volumes are listed with a malformed vpd83.
    BadVpd,
    /// `volume_mask` answers success without masking.
    DropMask,
    /// `fs_file_clone` answers success (no job) without cloning anything.
    FakeFileClone,
    /// `fs_file_clone` answers `NOT_FOUND_FS` for a file system that exists.
    FileCloneWrongError,
    /// `fs_file_clone` answers `NOT_FOUND_GENERIC`, as an array holding
    /// real files does for a missing source file: a correct refusal.
    RefuseFileClone,
}

impl Fault {
    const ALL: [(Fault, &'static str); 11] = [
        (Fault::None, "none"),
        (Fault::RenameVolume, "rename_volume"),
        (Fault::BadPercent, "bad_percent"),
        (Fault::FakeDelete, "fake_delete"),
        (Fault::IgnoreSearch, "ignore_search"),
        (Fault::WrongNotFound, "wrong_not_found"),
        (Fault::BadVpd, "bad_vpd"),
        (Fault::DropMask, "drop_mask"),
        (Fault::FakeFileClone, "fake_file_clone"),
        (Fault::FileCloneWrongError, "file_clone_wrong_error"),
        (Fault::RefuseFileClone, "refuse_file_clone"),
    ];

    fn from_env() -> Fault {
        let name = std::env::var("LSM_FAULT").unwrap_or_default();
        Fault::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(f, _)| *f)
            .unwrap_or(Fault::None)
    }
}

fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

/// Changes a request before it reaches the sim; `Some(reply)` answers it
/// without asking the sim at all.
fn bend_request(fault: Fault, method: &str, request: &mut Value) -> Option<Value> {
    match (fault, method) {
        (Fault::RenameVolume, "volume_create") => {
            if let Some(name) = request["params"]["volume_name"].as_str() {
                request["params"]["volume_name"] = json!(format!("{name}_renamed"));
            }
            None
        }
        (Fault::IgnoreSearch, "volumes") => {
            request["params"]["search_key"] = Value::Null;
            request["params"]["search_value"] = Value::Null;
            None
        }
        (Fault::FakeDelete, "volume_delete")
        | (Fault::DropMask, "volume_mask")
        | (Fault::FakeFileClone, "fs_file_clone") => Some(json!({"id": 100, "result": null})),
        (Fault::FileCloneWrongError, "fs_file_clone") => {
            Some(error_reply(ErrorNumber::NOT_FOUND_FS, "FS not found"))
        }
        (Fault::RefuseFileClone, "fs_file_clone") => Some(error_reply(
            ErrorNumber::NOT_FOUND_GENERIC,
            "file lsmrs_source not found",
        )),
        _ => None,
    }
}

/// An error reply frame with this code.
fn error_reply(code: ErrorNumber, message: &str) -> Value {
    json!({"id": 100, "error": {"code": code.0, "message": message, "data": null}})
}

/// Changes the sim's reply before it reaches the client.
fn bend_reply(fault: Fault, method: &str, reply: &mut Value) {
    match (fault, method) {
        (Fault::BadPercent, "job_status") => {
            if let Some(result) = reply["result"].as_array_mut() {
                result[1] = json!(101);
            }
        }
        (Fault::BadVpd, "volumes") => {
            if let Some(volumes) = reply["result"].as_array_mut() {
                for volume in volumes {
                    volume["vpd83"] = json!("not-a-vpd83");
                }
            }
        }
        (Fault::WrongNotFound, _) if reply["error"]["code"] == json!(205) => {
            reply["error"]["code"] = json!(2);
        }
        _ => {}
    }
}

/// Plugin mode: proxy every frame between the client (fd in argv[1]) and a
/// real sim_lsmplugin, bending what the fault says.
fn serve(fd_arg: &str) -> io::Result<()> {
    let fault = Fault::from_env();
    let sim = std::env::var_os("LSM_FAULT_SIM").ok_or_else(|| invalid("LSM_FAULT_SIM unset"))?;
    let mut client = FrameStream::new(stream_from_fd_arg(fd_arg)?);
    let (ours, theirs) = socketpair()?;
    let mut child = spawn_with_fd(Path::new(&sim), theirs, SpawnOptions::default())?;
    let mut sim_side = FrameStream::new(ours);
    while let Some(frame) = client.read_frame().map_err(invalid)? {
        let mut request: Value = serde_json::from_slice(&frame).map_err(invalid)?;
        let method = request["method"].as_str().unwrap_or("").to_string();
        let mut reply = match bend_request(fault, &method, &mut request) {
            Some(reply) => reply,
            None => {
                let payload = serde_json::to_vec(&request).map_err(invalid)?;
                sim_side.write_frame(&payload).map_err(invalid)?;
                let Some(answer) = sim_side.read_frame().map_err(invalid)? else {
                    break;
                };
                serde_json::from_slice(&answer).map_err(invalid)?
            }
        };
        bend_reply(fault, &method, &mut reply);
        let payload = serde_json::to_vec(&reply).map_err(invalid)?;
        client.write_frame(&payload).map_err(invalid)?;
        if method == "plugin_unregister" {
            break;
        }
    }
    drop(sim_side);
    child.wait()?;
    Ok(())
}

/// Runs `lsm-plugin-check --only <checks>` through the proxy; returns the
/// check lines (PASS/FAIL/SKIP) and the summary.
fn check_through(fault: &str, checks: &[&str], plugin_dir: &Path, sim: &Path) -> Vec<String> {
    let state = tempfile::tempdir().expect("a temporary dir");
    let uri = format!(
        "faulty://?statefile={}",
        state.path().join("s.db").display()
    );
    let mut args = vec!["--uri".to_string(), uri];
    for check in checks {
        args.extend(["--only".to_string(), check.to_string()]);
    }
    let output = Command::new(PLUGIN_CHECK)
        .args(&args)
        .env("LSM_PLUGIN_PATH", plugin_dir)
        .env("LSM_FAULT", fault)
        .env("LSM_FAULT_SIM", sim)
        .env("LSM_SIM_TIME", "0")
        .env_remove("LSM_UDS_PATH")
        .env_remove("LSMCLI_DEBUG_FD")
        .output()
        .expect("lsm-plugin-check runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

fn run_tests() -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let sim: PathBuf = workspace_binary("sim_lsmplugin", "plugin-sim");
    let plugin_dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::os::unix::fs::symlink(&exe, plugin_dir.path().join("faulty_lsmplugin"))
        .map_err(|e| e.to_string())?;

    // Each fault and the checks that must catch it.
    let cases: [(&str, &[&str]); 9] = [
        ("rename_volume", &["volume_create_delete"]),
        ("bad_percent", &["job_volume_create", "job_fs_create"]),
        (
            "fake_delete",
            &["volume_create_delete", "job_volume_delete"],
        ),
        (
            "ignore_search",
            &["search_volumes_by_id", "search_volumes_by_pool_id"],
        ),
        ("wrong_not_found", &["not_found_volume", "volume_raid_info"]),
        ("bad_vpd", &["list_volumes"]),
        ("drop_mask", &["volume_mask_unmask", "volume_delete_masked"]),
        (
            "fake_file_clone",
            &["fs_file_clone", "not_found_fs", "not_found_fs_snapshot"],
        ),
        ("file_clone_wrong_error", &["fs_file_clone"]),
    ];
    // Bends that are still correct behaviour, and the checks that must
    // pass them.
    let correct: [(&str, &[&str]); 1] = [("refuse_file_clone", &["fs_file_clone"])];
    let mut all: Vec<&str> = cases
        .iter()
        .chain(&correct)
        .flat_map(|(_, c)| c.iter().copied())
        .collect();
    all.sort();
    all.dedup();
    let mut problems = Vec::new();

    let control = check_through("none", &all, plugin_dir.path(), &sim);
    let expected_summary = format!("{} passed, 0 failed, 0 skipped", all.len());
    if control.last() != Some(&expected_summary) {
        problems.push(format!(
            "the fault-free proxy does not pass:\n{}",
            control.join("\n")
        ));
    }
    for (fault, checks) in cases {
        let lines = check_through(fault, checks, plugin_dir.path(), &sim);
        for check in checks {
            let caught = lines
                .iter()
                .any(|l| l.starts_with(&format!("FAIL {check}: ")));
            if !caught {
                problems.push(format!(
                    "fault {fault} was not caught by {check}:\n{}",
                    lines.join("\n")
                ));
            }
        }
        println!("fault {fault}: caught by {}", checks.join(", "));
    }
    for (bend, checks) in correct {
        let lines = check_through(bend, checks, plugin_dir.path(), &sim);
        let expected_summary = format!("{} passed, 0 failed, 0 skipped", checks.len());
        if lines.last() != Some(&expected_summary) {
            problems.push(format!(
                "{bend} is correct behaviour, but {} did not all pass:\n{}",
                checks.join(", "),
                lines.join("\n")
            ));
        }
        println!("{bend}: passed by {}", checks.join(", "));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n\n"))
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 2 && args[1].parse::<i32>().is_ok() {
        return match serve(&args[1]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("faulty_lsmplugin: {e}");
                ExitCode::FAILURE
            }
        };
    }
    match run_tests() {
        Ok(()) => {
            println!("test result: ok. every fault was caught");
            ExitCode::SUCCESS
        }
        Err(problems) => {
            eprintln!("{problems}");
            ExitCode::FAILURE
        }
    }
}
