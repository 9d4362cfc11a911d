//! lsmd under load and the conformance suite through it: 64 concurrent
//! clients each listing every kind of object with zero errors, and
//! `lsm-plugin-check` passing through lsmd exactly as it does in embedded
//! mode.
//!
//! Needs the workspace's `sim_lsmplugin` (`cargo build -p plugin-sim`) and
//! `lsm-plugin-check` (`cargo build -p lsm-tests`).

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Barrier};
use std::thread;

use lsm_core::{BlockingClient, ExportRequest, InitiatorType, Provisioning};
use lsm_test_support::process::children_of;
use lsm_test_support::{bin_dir, wait_until, workspace_binary};
use support::Fixture;
use support::lsm::{CLIENT_TIMEOUT, SIM_JOB_SECONDS};

/// Clients running at the same time.
const CONCURRENT_CLIENTS: usize = 64;
/// Times each client lists everything.
const LISTING_ROUNDS: usize = 3;
/// Size of the volume and file system the test creates.
const OBJECT_BYTES: i64 = 512 * 1024 * 1024;

/// The ids of every listing, sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Inventory {
    systems: Vec<String>,
    pools: Vec<String>,
    volumes: Vec<String>,
    disks: Vec<String>,
    access_groups: Vec<String>,
    file_systems: Vec<String>,
    exports: Vec<String>,
    target_ports: Vec<String>,
    batteries: Vec<String>,
}

fn sorted_ids<T>(items: Vec<T>, id: impl Fn(T) -> String) -> Vec<String> {
    let mut ids: Vec<String> = items.into_iter().map(id).collect();
    ids.sort();
    ids
}

/// Lists every kind of object, then checks the searches by system and pool
/// against the full listings.
fn list_everything(client: &mut BlockingClient) -> lsm_core::Result<Inventory> {
    let inventory = Inventory {
        systems: sorted_ids(client.systems()?, |item| item.id),
        pools: sorted_ids(client.pools(None)?, |item| item.id),
        volumes: sorted_ids(client.volumes(None)?, |item| item.id),
        disks: sorted_ids(client.disks(None)?, |item| item.id),
        access_groups: sorted_ids(client.access_groups(None)?, |item| item.id),
        file_systems: sorted_ids(client.fs(None)?, |item| item.id),
        exports: sorted_ids(client.exports(None)?, |item| item.id),
        target_ports: sorted_ids(client.target_ports(None)?, |item| item.id),
        batteries: sorted_ids(client.batteries(None)?, |item| item.id),
    };
    for system in &inventory.systems {
        let pools = client.pools(Some(lsm_core::PoolSearch::SystemId(system)))?;
        if sorted_ids(pools, |item| item.id) != inventory.pools {
            return Err(lsm_core::LsmError::new(
                lsm_core::ErrorNumber::PLUGIN_BUG,
                format!("pools of system {system} differ from all pools"),
            ));
        }
    }
    Ok(inventory)
}

/// Creates one volume, file system, export and access group, so that every
/// listing has something in it.
fn seed_objects(client: &mut BlockingClient) {
    let system = client.systems().unwrap().remove(0);
    let pool = client
        .pools(Some(lsm_core::PoolSearch::Id("POOL_ID_00001")))
        .unwrap()
        .remove(0);
    let volume = client
        .volume_create(
            &pool,
            "lsmd_load_volume",
            OBJECT_BYTES,
            Provisioning::DEFAULT,
        )
        .unwrap();
    client.wait_done(volume).unwrap();
    let fs = client
        .fs_create(&pool, "lsmd_load_fs", OBJECT_BYTES)
        .unwrap();
    let fs = client.wait_done(fs).unwrap();
    client
        .export_fs(&ExportRequest {
            rw_list: vec!["client.example.com".to_string()],
            ..ExportRequest::new(&fs.id)
        })
        .unwrap();
    client
        .access_group_create(
            "lsmd_load_ag",
            "iqn.1994-05.com.example:lsmd-load",
            InitiatorType::ISCSI_IQN,
            &system,
        )
        .unwrap();
}

#[test]
fn sixty_four_concurrent_clients_list_everything_with_zero_errors() {
    let fixture = Fixture::new();
    fixture.link_sim_plugin("sim_lsmplugin");
    let lsmd = fixture.start_for_sim();

    let uri = fixture.sim_uri("sim");
    let mut first = fixture.client(&uri);
    seed_objects(&mut first);
    let expected = list_everything(&mut first).unwrap();
    first.close().unwrap();
    for (what, ids) in [
        ("systems", &expected.systems),
        ("pools", &expected.pools),
        ("volumes", &expected.volumes),
        ("disks", &expected.disks),
        ("access groups", &expected.access_groups),
        ("file systems", &expected.file_systems),
        ("exports", &expected.exports),
        ("target ports", &expected.target_ports),
        ("batteries", &expected.batteries),
    ] {
        assert!(!ids.is_empty(), "no {what} to list");
    }

    // All clients connect at once: far more than the listen backlog of 5.
    let start_line = Arc::new(Barrier::new(CONCURRENT_CLIENTS));
    let workers: Vec<_> = (0..CONCURRENT_CLIENTS)
        .map(|worker| {
            let start_line = Arc::clone(&start_line);
            let socket_dir = fixture.socket_dir.clone();
            let uri = uri.clone();
            let expected = expected.clone();
            thread::spawn(move || -> Result<(), String> {
                start_line.wait();
                let fail = |error: lsm_core::LsmError| format!("client {worker}: {error}");
                let mut client = BlockingClient::builder(&uri).timeout(CLIENT_TIMEOUT).socket_dir(&socket_dir).daemon().connect()
                    .map_err(fail)?;
                for round in 0..LISTING_ROUNDS {
                    let inventory = list_everything(&mut client).map_err(fail)?;
                    if inventory != expected {
                        return Err(format!(
                            "client {worker}, round {round}: listed {inventory:?}, expected {expected:?}"
                        ));
                    }
                }
                client.close().map_err(fail)
            })
        })
        .collect();
    let errors: Vec<String> = workers
        .into_iter()
        .filter_map(|worker| match worker.join() {
            Ok(Ok(())) => None,
            Ok(Err(error)) => Some(error),
            Err(_) => Some("a client thread panicked".to_string()),
        })
        .collect();
    assert!(
        errors.is_empty(),
        "{} of {CONCURRENT_CLIENTS} clients failed:\n{}",
        errors.len(),
        errors.join("\n")
    );

    // Every plugin ended and was reaped: no zombie under lsmd.
    wait_until("lsmd to reap every plugin", || {
        children_of(lsmd.pid().as_raw() as u32).is_empty()
    });
    let started = lsmd.log().matches("plugin `sim` started as pid").count();
    assert!(
        started > CONCURRENT_CLIENTS,
        "lsmd logged {started} plugin starts"
    );
}

/// The conformance suite's listing checks, as `--only` arguments.
fn listing_check_arguments() -> Vec<String> {
    lsm_tests::listings::CHECKS
        .iter()
        .flat_map(|check| ["--only".to_string(), check.name.to_string()])
        .collect()
}

#[test]
fn sixty_four_concurrent_runs_of_the_conformance_listing_checks_pass_through_lsmd() {
    let fixture = Fixture::new();
    fixture.link_sim_plugin("sim_lsmplugin");
    let lsmd = fixture.start_for_sim();
    let listing_checks = lsm_tests::listings::CHECKS.len();
    assert!(listing_checks >= 10, "only {listing_checks} listing checks");

    // Each check opens its own client, so far more than 64 sessions overlap.
    // Each run has its own state file: the search checks create objects and
    // compare listings taken one after the other, which another run's
    // creations would change (the shared-state case is the test above).
    let runs: Vec<_> = (0..CONCURRENT_CLIENTS)
        .map(|index| {
            let state_file = fixture.root().join(format!("listing-checks-{index}.db"));
            let mut command = plugin_check_command(&state_file, Some(&fixture.socket_dir));
            command.args(listing_check_arguments());
            command
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut failures = Vec::new();
    for (index, run) in runs.into_iter().enumerate() {
        let output = run.wait_with_output().unwrap();
        let checks = parse_check_run(&output);
        let expected_summary = format!("{listing_checks} passed, 0 failed, 0 skipped");
        if !output.status.success() || checks.summary != expected_summary {
            failures.push(format!(
                "run {index} ({}): {}\n{}{}",
                output.status,
                checks.summary,
                checks.failed.join("\n"),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {CONCURRENT_CLIENTS} runs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    wait_until("lsmd to reap every plugin", || {
        children_of(lsmd.pid().as_raw() as u32).is_empty()
    });
}

/// `PASS`/`FAIL`/`SKIP` lines of an `lsm-plugin-check` run, and its summary.
#[derive(Debug)]
struct CheckRun {
    passed: BTreeSet<String>,
    failed: Vec<String>,
    skipped: BTreeSet<String>,
    summary: String,
}

fn parse_check_run(output: &Output) -> CheckRun {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut run = CheckRun {
        passed: BTreeSet::new(),
        failed: Vec::new(),
        skipped: BTreeSet::new(),
        summary: stdout.lines().last().unwrap_or_default().to_string(),
    };
    let name_of = |rest: &str| {
        rest.split(':')
            .next()
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("PASS ") {
            run.passed.insert(name_of(rest));
        } else if let Some(rest) = line.strip_prefix("FAIL ") {
            run.failed.push(rest.to_string());
        } else if let Some(rest) = line.strip_prefix("SKIP ") {
            run.skipped.insert(name_of(rest));
        }
    }
    run
}

/// `lsm-plugin-check --uri <sim uri with state_file>` with the given socket
/// dir (daemon mode) or none (embedded mode: the sim is found next to it).
fn plugin_check_command(state_file: &Path, socket_dir: Option<&Path>) -> Command {
    let mut command = Command::new(workspace_binary("lsm-plugin-check", "lsm-tests"));
    command
        .arg("--uri")
        .arg(format!("sim://?statefile={}", state_file.display()))
        .env("LSM_SIM_TIME", SIM_JOB_SECONDS)
        .env("LSM_PLUGIN_PATH", bin_dir())
        .env_remove("LSM_TEST_PASSWORD")
        .env_remove("LSMCLI_DEBUG_FD")
        .env_remove("LSM_UDS_PATH");
    if let Some(dir) = socket_dir {
        command.env("LSM_UDS_PATH", dir);
    }
    command
}

/// Runs [`plugin_check_command`] to the end.
fn run_plugin_check(state_file: &Path, socket_dir: Option<&Path>) -> Output {
    plugin_check_command(state_file, socket_dir)
        .output()
        .unwrap()
}

#[test]
fn conformance_suite_passes_through_lsmd_as_in_embedded_mode() {
    let fixture = Fixture::new();
    fixture.link_sim_plugin("sim_lsmplugin");
    let _lsmd = fixture.start_for_sim();

    let embedded_output = run_plugin_check(&fixture.root().join("embedded.db"), None);
    let embedded = parse_check_run(&embedded_output);
    let daemon_output = run_plugin_check(&fixture.sim_state_file(), Some(&fixture.socket_dir));
    let daemon = parse_check_run(&daemon_output);
    let report = format!(
        "embedded:\n{}\nthrough lsmd:\n{}{}",
        String::from_utf8_lossy(&embedded_output.stdout),
        String::from_utf8_lossy(&daemon_output.stdout),
        String::from_utf8_lossy(&daemon_output.stderr),
    );

    assert!(daemon_output.status.success(), "{report}");
    assert!(daemon.failed.is_empty(), "{report}");
    assert_eq!(
        daemon.summary,
        format!(
            "{} passed, 0 failed, {} skipped",
            daemon.passed.len(),
            daemon.skipped.len()
        ),
        "{report}"
    );
    assert!(daemon.passed.len() >= 50, "{report}");
    // The state the suite worked on is lsmd's sim's, not an embedded one.
    assert!(fixture.sim_state_file().is_file());
    // Whatever passes embedded passes through lsmd.
    assert_eq!(daemon.passed, embedded.passed, "{report}");
    assert_eq!(daemon.skipped, embedded.skipped, "{report}");
}
