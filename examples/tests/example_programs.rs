//! The example programs run against the simulator, as a user would run them.
//!
//! They find `sim_lsmplugin` next to themselves in `target/debug`; build it first
//! (`cargo build -p plugin-sim`).

use std::path::Path;
use std::process::{Command, Output};

use lsm_test_support::{bin_dir, workspace_binary};

/// Run one example binary with a private simulator state and instant jobs.
fn run(program: &str, args: &[&str]) -> Output {
    workspace_binary("sim_lsmplugin", "plugin-sim");
    Command::new(program)
        .args(args)
        .env("LSM_PLUGIN_PATH", bin_dir())
        .env("LSM_SIM_TIME", "0")
        .env_remove("LSM_UDS_PATH")
        .env_remove("LSMCLI_DEBUG_FD")
        .output()
        .unwrap()
}

fn stdout_of(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {}:\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn sim_uri(dir: &Path, name: &str) -> String {
    format!("sim://?statefile={}", dir.join(name).display())
}

#[test]
fn lsm_list_prints_systems_pools_and_disks() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(
        env!("CARGO_BIN_EXE_lsm-list"),
        &[&sim_uri(dir.path(), "s.db")],
    );
    let text = stdout_of(&output);
    for expected in [
        "Systems",
        "sim-01",
        "LSM simulated storage plug-in",
        "HARDWARE_RAID",
        "Pools",
        "lsm_test_aggr",
        "2.00 EiB",
        "Disks",
        "DISK_ID_00020",
        "OK | FREE",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // Columns are aligned: every row of the pool table starts its Name column together.
    let pool_lines: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "Pools")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(pool_lines.len(), 2 + 4, "{text}");
    let name_column = pool_lines[0].find("Name").unwrap();
    for line in &pool_lines[2..] {
        assert_eq!(line.as_bytes()[name_column - 1], b' ', "{line}");
        assert_ne!(line.as_bytes()[name_column], b' ', "{line}");
    }
}

#[test]
fn lsm_list_reports_a_bad_uri() {
    let output = run(env!("CARGO_BIN_EXE_lsm-list"), &["nothing-here"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("INVALID_ARGUMENT(101)"), "{stderr}");
}

#[test]
fn list_pools_multi_lists_every_array_and_reports_failures() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (sim_uri(dir.path(), "a.db"), sim_uri(dir.path(), "b.db"));
    let output = run(
        env!("CARGO_BIN_EXE_list-pools-multi"),
        &[&first, "nosuchplugin://", &second],
    );
    assert!(!output.status.success(), "one array cannot be reached");
    let text = String::from_utf8_lossy(&output.stdout);
    let sections: Vec<&str> = text.split("== ").skip(1).collect();
    assert_eq!(sections.len(), 3, "{text}");
    assert!(sections[0].starts_with(&first) && sections[0].contains("POOL_ID_00004"));
    assert!(sections[1].contains("PLUGIN_NOT_EXIST(311)"), "{text}");
    assert!(sections[2].starts_with(&second) && sections[2].contains("lsm_test_aggr"));

    let all_good = run(env!("CARGO_BIN_EXE_list-pools-multi"), &[&first, &second]);
    assert_eq!(stdout_of(&all_good).matches("lsm_test_aggr").count(), 2);
}

#[test]
fn create_and_mask_cleans_up_after_itself() {
    let dir = tempfile::tempdir().unwrap();
    let uri = sim_uri(dir.path(), "s.db");
    let text = stdout_of(&run(env!("CARGO_BIN_EXE_create-and-mask"), &[&uri]));
    for expected in [
        "volume: VOL_ID_00001",
        "access group: AG_ID_00001",
        "masked VOL_ID_00001 to AG_ID_00001",
        "AG_ID_00001 sees: [\"VOL_ID_00001\"]",
        "VOL_ID_00001 is granted to: [\"AG_ID_00001\"]",
        "cleanup: unmask VOL_ID_00001 from AG_ID_00001",
        "cleanup: delete access group AG_ID_00001",
        "cleanup: delete volume VOL_ID_00001",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // A second run on the same array works too: nothing was left behind.
    let again = stdout_of(&run(env!("CARGO_BIN_EXE_create-and-mask"), &[&uri]));
    assert!(again.contains("cleanup: delete volume VOL_ID_"), "{again}");
}

#[test]
fn create_and_mask_refuses_a_bad_size_without_creating_anything() {
    let dir = tempfile::tempdir().unwrap();
    let uri = sim_uri(dir.path(), "s.db");
    let output = run(
        env!("CARGO_BIN_EXE_create-and-mask"),
        &[&uri, "--size-mib", "0"],
    );
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("cleanup"), "{stdout}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("INVALID_ARGUMENT"));
}
