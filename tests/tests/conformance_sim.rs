//! The conformance suite against `sim_lsmplugin`: in process through the
//! library, end to end through the `lsm-plugin-check` binary (embedded and
//! through a real lsmd), `--skip`/`--only`/`--list`, exit codes, in-progress
//! job states with `LSM_SIM_TIME=0.2`, and cleanup after failing checks.
//!
//! Needs the workspace's binaries: run `cargo build --workspace` first.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use lsm_core::{BlockingClient, BlockingClientBuilder, Capability, InitiatorType, Pool};
use lsm_test_support::{LsmdDirs, workspace_binary};
use lsm_tests::{Check, CheckError, Ctx, Outcome, SuiteOptions, all_checks, run_checks, run_suite};
use tempfile::TempDir;

const PLUGIN_CHECK: &str = env!("CARGO_BIN_EXE_lsm-plugin-check");

/// The directory holding `sim_lsmplugin`.
fn plugin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        workspace_binary("sim_lsmplugin", "plugin-sim")
            .parent()
            .expect("a binary is in a directory")
            .to_path_buf()
    })
}

/// Clients of the runs in this process: the sim of [`plugin_dir`] spawned by each client
/// (whatever daemon runs), its jobs done at once.
fn sim_client(uri: &str) -> BlockingClientBuilder {
    BlockingClient::builder(uri)
        .plugin_dir(plugin_dir())
        .plugin_env("LSM_SIM_TIME", "0")
        .embedded()
}

fn state_dir() -> TempDir {
    tempfile::Builder::new()
        .prefix("lsmrs-conformance")
        .tempdir()
        .expect("a temporary dir")
}

fn sim_uri(dir: &TempDir) -> String {
    format!("sim://?statefile={}", dir.path().join("s.db").display())
}

/// Runs `lsm-plugin-check` in embedded mode with this job duration.
fn plugin_check(args: &[&str], sim_time: &str) -> Output {
    let dir = plugin_dir();
    Command::new(PLUGIN_CHECK)
        .args(args)
        .env("LSM_SIM_TIME", sim_time)
        .env("LSM_PLUGIN_PATH", dir)
        .env_remove("LSM_UDS_PATH")
        .env_remove("LSMCLI_DEBUG_FD")
        .env_remove("LSM_TEST_URI")
        .env_remove("LSM_TEST_PASSWORD")
        .output()
        .expect("lsm-plugin-check runs")
}

fn stdout_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// `(passed, failed, skipped)` of a summary line, which must be exactly
/// `N passed, N failed, N skipped`.
fn parse_summary(line: &str) -> (usize, usize, usize) {
    let words: Vec<&str> = line.split(' ').collect();
    assert!(
        words.len() == 6 && words[1] == "passed," && words[3] == "failed," && words[5] == "skipped",
        "summary line {line:?}"
    );
    let number = |w: &str| {
        w.parse::<usize>()
            .unwrap_or_else(|_| panic!("summary line {line:?}"))
    };
    (number(words[0]), number(words[2]), number(words[4]))
}

/// What the sim state looks like from outside: objects with our prefix and
/// pool free space.
#[derive(Debug, PartialEq)]
struct Footprint {
    ours: Vec<String>,
    pools: Vec<(String, i64)>,
    read_cache_pct: Vec<i64>,
}

fn footprint(uri: &str) -> Footprint {
    let mut client = sim_client(uri)
        .timeout(Duration::from_secs(30))
        .connect()
        .expect("connect");
    let mut ours = Vec::new();
    let ours_named = |name: &str| name.starts_with("lsmrs_");
    for v in client.volumes(None).expect("volumes") {
        if ours_named(&v.name) {
            ours.push(format!("volume {}", v.name));
        }
    }
    for f in client.fs(None).expect("fs") {
        if ours_named(&f.name) {
            ours.push(format!("fs {}", f.name));
        }
    }
    for g in client.access_groups(None).expect("access_groups") {
        if ours_named(&g.name) {
            ours.push(format!("access group {}", g.name));
        }
    }
    for e in client.exports(None).expect("exports") {
        ours.push(format!("export {}", e.export_path));
    }
    let pools = client
        .pools(None)
        .expect("pools")
        .into_iter()
        .map(|p: Pool| (p.id, p.free_space))
        .collect();
    let read_cache_pct = client
        .systems()
        .expect("systems")
        .into_iter()
        .map(|s| s.read_cache_pct)
        .collect();
    client.close().expect("unregister");
    Footprint {
        ours,
        pools,
        read_cache_pct,
    }
}

#[test]
fn suite_passes_on_sim_in_process_and_leaves_nothing() {
    let state = state_dir();
    let uri = sim_uri(&state);
    let before = footprint(&uri);
    let started = Instant::now();
    let report = run_suite(sim_client(&uri), &[]);
    let took = started.elapsed();
    let failures: Vec<String> = report.failures().map(|o| o.line()).collect();
    assert!(
        failures.is_empty(),
        "failed checks:\n{}",
        failures.join("\n")
    );
    assert!(report.passed() >= 50, "{}", report.summary_line());
    // The sim supports everything the suite needs: a skip means a check
    // did not really run.
    let skips: Vec<String> = report
        .outcomes
        .iter()
        .filter(|o| matches!(o.outcome, Outcome::Skipped(_)))
        .map(|o| o.line())
        .collect();
    assert!(skips.is_empty(), "skipped on sim:\n{}", skips.join("\n"));
    // Every check, then the verdict on the claimed capabilities.
    assert_eq!(report.outcomes.len(), all_checks().len() + 1);
    assert_eq!(
        report.outcomes.last().map(|o| (o.name, &o.outcome)),
        Some((lsm_tests::CLAIMS_CHECK, &Outcome::Passed))
    );
    eprintln!("the suite took {took:?}");
    assert_eq!(footprint(&uri), before, "the suite left something behind");
}

#[test]
fn binary_runs_every_check_end_to_end() {
    let state = state_dir();
    let uri = sim_uri(&state);
    let output = plugin_check(&["--uri", &uri, "--skip", "export_rw_ro_overlap"], "0");
    let lines = stdout_lines(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "exit {:?}\n{}\n{stderr}",
        output.status,
        lines.join("\n")
    );
    let (summary, checks) = lines.split_last().expect("some output");
    let (passed, failed, skipped) = parse_summary(summary);
    assert_eq!(failed, 0, "{}", lines.join("\n"));
    assert!(passed >= 50, "{summary}");
    assert_eq!(skipped, 1, "{summary}");
    assert_eq!(
        checks.len(),
        all_checks().len() + 1,
        "every check and the claims verdict"
    );
    assert_eq!(
        checks.last().map(String::as_str),
        Some("PASS claimed_capabilities_exercised")
    );
    assert_eq!(
        checks.iter().filter(|l| l.starts_with("PASS ")).count(),
        passed
    );
    assert!(checks.contains(&"SKIP export_rw_ro_overlap: skipped by request".to_string()));
    for line in checks {
        assert!(
            line.starts_with("PASS ") || line.starts_with("SKIP "),
            "unexpected line {line:?}"
        );
    }
    assert_eq!(footprint(&uri).ours, Vec::<String>::new());
}

#[test]
fn binary_skip_and_only_select_checks() {
    let state = state_dir();
    let uri = sim_uri(&state);
    let output = plugin_check(
        &[
            "--uri",
            &uri,
            "--only",
            "plugin_info",
            "--only",
            "volume_create_delete",
            "--only",
            "list_pools",
            "--skip",
            "plugin_info",
            "--skip",
            "volume_create_delete",
        ],
        "0",
    );
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        stdout_lines(&output),
        [
            "SKIP plugin_info: skipped by request",
            "PASS list_pools",
            "SKIP volume_create_delete: skipped by request",
            "1 passed, 0 failed, 2 skipped",
        ]
    );
}

#[test]
fn binary_refuses_unknown_check_names() {
    let output = plugin_check(&["--uri", "sim://", "--skip", "no_such_check"], "0");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no_such_check"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn binary_fails_when_the_plugin_cannot_be_reached() {
    let output = plugin_check(&["--uri", "lsmrsnosuchplugin://", "--timeout", "5000"], "0");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let lines = stdout_lines(&output);
    let (summary, checks) = lines.split_last().expect("some output");
    assert_eq!(
        *summary,
        format!("0 passed, {} failed, 0 skipped", all_checks().len())
    );
    for line in checks {
        assert!(
            line.starts_with("FAIL ")
                && line.contains("suite setup failed")
                && line.contains("PLUGIN_NOT_EXIST"),
            "{line}"
        );
    }
}

#[test]
fn binary_lists_every_check() {
    let output = plugin_check(&["--list"], "0");
    assert!(output.status.success());
    let lines = stdout_lines(&output);
    let names: Vec<&str> = lines
        .iter()
        .map(|l| l.split('\t').next().unwrap_or(""))
        .collect();
    let expected: Vec<&str> = all_checks().iter().map(|c| c.name).collect();
    assert_eq!(names, expected);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("volume_resize\tVOLUMES,VOLUME_CREATE"))
    );
}

/// With jobs lasting 0.2 s, the job checks see INPROGRESS reports before
/// COMPLETE, and the other async paths still pass.
#[test]
fn job_checks_follow_in_progress_jobs() {
    let state = state_dir();
    let uri = sim_uri(&state);
    let job_checks = ["job_volume_create", "job_volume_delete", "job_fs_create"];
    let mut args = vec!["--uri", uri.as_str(), "--verbose"];
    for name in job_checks
        .iter()
        .chain(&["volume_resize", "fs_snapshot", "volume_mask_unmask"])
    {
        args.extend(["--only", name]);
    }
    let output = plugin_check(&args, "0.2");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines = stdout_lines(&output);
    assert!(output.status.success(), "{}\n{stderr}", lines.join("\n"));
    assert_eq!(
        lines.last().map(String::as_str),
        Some("6 passed, 0 failed, 0 skipped")
    );
    for name in job_checks {
        let note = stderr
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{name}: job ")))
            .unwrap_or_else(|| panic!("no job note for {name} in\n{stderr}"));
        let in_progress: usize = note
            .split(": ")
            .nth(2)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("cannot read the INPROGRESS count of {note:?}"));
        assert!(
            in_progress >= 1,
            "{name} saw no INPROGRESS report with 0.2 s jobs: {note}"
        );
    }
}

/// Through a real lsmd: the binary uses `LSM_UDS_PATH` as given.
#[test]
fn binary_passes_through_lsmd() {
    let dirs = LsmdDirs::new("lsmrs-conformance");
    dirs.link_plugin(
        "sim_lsmplugin",
        &workspace_binary("sim_lsmplugin", "plugin-sim"),
    );
    let mut command = dirs.command(&workspace_binary("lsmd", "lsmd"));
    command.env("LSM_SIM_TIME", "0");
    // Ready (its sockets made) when this returns; killed when dropped.
    let daemon = dirs.start(command);
    let uri = format!("sim://?statefile={}", dirs.root().join("s.db").display());
    let output = Command::new(PLUGIN_CHECK)
        .args(["--uri", &uri])
        .env("LSM_UDS_PATH", &dirs.socket_dir)
        .env_remove("LSM_PLUGIN_PATH")
        .env_remove("LSMCLI_DEBUG_FD")
        .output()
        .expect("lsm-plugin-check runs");
    drop(daemon);
    let lines = stdout_lines(&output);
    assert!(output.status.success(), "{}", lines.join("\n"));
    let (passed, failed, _) = parse_summary(lines.last().expect("a summary"));
    assert_eq!(failed, 0);
    assert!(passed >= 50, "{passed} passed");
}

// ------------------------------------------------ cleanup of failed checks

fn make_everything(ctx: &mut Ctx) -> Result<(), CheckError> {
    let volume = ctx.scratch_volume()?;
    ctx.replicate_volume(None, lsm_core::ReplicationType::CLONE, &volume)?;
    let iqn = ctx.unique_iqn();
    let group = ctx.create_access_group(&iqn, InitiatorType::ISCSI_IQN)?;
    ctx.mask(&group, &volume)?;
    let fs = ctx.scratch_fs()?;
    ctx.create_snapshot(&fs)?;
    ctx.clone_fs(&fs, None)?;
    let export = lsm_core::ExportRequest {
        rw_list: vec!["192.0.2.99".to_string()],
        ..lsm_core::ExportRequest::new(&fs.id)
    };
    ctx.export(&export)?;
    Ok(())
}

static FAILS_AFTER_CREATING: Check = Check {
    name: "fails_after_creating",
    summary: "makes one of everything, then fails",
    requires: &[],
    body: |ctx| {
        make_everything(ctx)?;
        Err(CheckError::Failed("deliberate failure".into()))
    },
};

static PANICS_AFTER_CREATING: Check = Check {
    name: "panics_after_creating",
    summary: "makes one of everything, then panics",
    requires: &[],
    body: |ctx| {
        make_everything(ctx)?;
        panic!("deliberate panic");
    },
};

static SKIPS_AFTER_CREATING: Check = Check {
    name: "skips_after_creating",
    summary: "makes one of everything, then skips",
    requires: &[],
    body: |ctx| {
        make_everything(ctx)?;
        Err(CheckError::Skipped("deliberate skip".into()))
    },
};

static NEEDS_A_MISSING_CAPABILITY: Check = Check {
    name: "needs_a_missing_capability",
    summary: "gated on a capability the sim does not have",
    requires: &[Capability::VOLUMES, Capability::POOLS_QUICK_SEARCH],
    body: |_| Err(CheckError::Failed("must not run".into())),
};

#[test]
fn cleanup_undoes_everything_even_when_a_check_fails() {
    let state = state_dir();
    let uri = sim_uri(&state);
    let before = footprint(&uri);
    let options = SuiteOptions::new(sim_client(&uri));
    let mut streamed = Vec::new();
    let report = run_checks(
        &options,
        &[
            &FAILS_AFTER_CREATING,
            &PANICS_AFTER_CREATING,
            &SKIPS_AFTER_CREATING,
            &NEEDS_A_MISSING_CAPABILITY,
        ],
        &mut |o| streamed.push(o.name),
    );
    assert_eq!(
        streamed,
        [
            "fails_after_creating",
            "panics_after_creating",
            "skips_after_creating",
            "needs_a_missing_capability"
        ]
    );
    let outcome = |name| report.get(name).map(|o| o.outcome.clone());
    assert_eq!(
        outcome("fails_after_creating"),
        Some(Outcome::Failed("deliberate failure".into()))
    );
    assert_eq!(
        outcome("panics_after_creating"),
        Some(Outcome::Failed(
            "the check panicked: deliberate panic".into()
        ))
    );
    assert_eq!(
        outcome("skips_after_creating"),
        Some(Outcome::Skipped("deliberate skip".into()))
    );
    assert_eq!(
        outcome("needs_a_missing_capability"),
        Some(Outcome::Skipped(
            "unsupported capability POOLS_QUICK_SEARCH".into()
        ))
    );
    assert_eq!(report.summary_line(), "0 passed, 2 failed, 2 skipped");
    assert_eq!(footprint(&uri), before, "cleanup left something behind");
}
