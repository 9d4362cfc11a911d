//! lsmd with the real simulator and real LSM clients: discovery and socket
//! names, `available_plugins`, each way a client reaches lsmd, the client's
//! connect errors (`PLUGIN_NOT_EXIST`, `DAEMON_NOT_RUNNING`,
//! `PLUGIN_SOCKET_PERMISSION`, `PLUGIN_IPC_FAIL`) and SIGHUP installing a
//! new plugin.
//!
//! Needs the workspace's `sim_lsmplugin` and `lsm-test-child-client`
//! (`cargo build -p plugin-sim -p lsm-test-support`).

mod support;

use std::fs;
use std::os::unix::net::UnixListener;
use std::path::PathBuf;

use lsm_core::{BlockingClient, ConnectMode, ErrorNumber};
use lsm_test_support::process::children_of;
use lsm_test_support::{ChildClient, ChildClientOutcome, set_mode, wait_until};
use nix::sys::signal::Signal;
use support::lsm::{CLIENT_TIMEOUT, expect_lsm_error, sim_plugin_exe};
use support::{Fixture, NOBODY_UID};

/// The id of the sim's only system.
const SIM_SYSTEM_ID: &str = "sim-01";

/// `(description, version)` of the sim, asked directly (no lsmd).
fn sim_plugin_info() -> lsm_core::PluginInfo {
    let scratch = tempfile::tempdir().unwrap();
    let uri = format!(
        "sim://?statefile={}",
        scratch.path().join("info.db").display()
    );
    let mut client = BlockingClient::builder(&uri)
        .timeout(CLIENT_TIMEOUT)
        .plugin_exe(sim_plugin_exe())
        .connect()
        .unwrap();
    let info = client.plugin_info().unwrap();
    client.close().unwrap();
    info
}

#[test]
fn every_sim_copy_found_by_the_scan_gets_a_socket_that_serves_the_simulator() {
    let fixture = Fixture::new();
    fixture.copy_sim_plugin("sim_lsmplugin");
    fixture.link_sim_plugin("vendor/nested/simc_lsmplugin");
    fixture.link_sim_plugin(".hidden/simh_lsmplugin");
    fixture.link_sim_plugin("_lsmplugin");
    let _lsmd = fixture.start_for_sim();

    assert_eq!(
        fixture.socket_dir_entries(),
        [".lsmd-ipc-lock", "sim", "simc"]
    );
    let expected_info = sim_plugin_info();
    for scheme in ["sim", "simc"] {
        let mut client = fixture.client(&fixture.sim_uri(scheme));
        assert_eq!(client.plugin_info().unwrap(), expected_info, "{scheme}://");
        let systems = client.systems().unwrap();
        assert_eq!(systems.len(), 1, "{scheme}://");
        assert_eq!(systems[0].id, SIM_SYSTEM_ID);
        client.close().unwrap();
    }
}

#[test]
fn available_plugins_through_lsmd_is_desc_colon_version_for_each_socket() {
    let fixture = Fixture::new();
    fixture.link_sim_plugin("sim_lsmplugin");
    fixture.link_sim_plugin("simx_lsmplugin");
    let _lsmd = fixture.start_for_sim();
    let lsm_core::PluginInfo {
        description,
        version,
    } = sim_plugin_info();

    let mut client = fixture.client(&fixture.sim_uri("sim"));
    let listed = client.available_plugins(":").unwrap();
    assert_eq!(listed, vec![format!("{description}:{version}"); 2]);
    let with_separator = client.available_plugins(" | ").unwrap();
    assert_eq!(
        with_separator,
        vec![format!("{description} | {version}"); 2]
    );
    // The listing's probes (plugin_info without registering) leave the
    // registered session usable.
    assert_eq!(client.systems().unwrap()[0].id, SIM_SYSTEM_ID);
    client.close().unwrap();
}

#[test]
fn connect_daemon_reaches_a_sim_that_lsmd_started_with_its_own_environment() {
    let fixture = Fixture::new();
    fixture.link_sim_plugin("sim_lsmplugin");
    let lsmd = fixture.start_for_sim();

    let mut client = fixture.client("sim://");
    assert_eq!(
        client.mode(),
        Some(&ConnectMode::Daemon(fixture.socket_dir.clone()))
    );
    // lsmd, not this process, started the plugin.
    assert_eq!(client.plugin_pid(), None);
    assert!(
        !children_of(lsmd.pid().as_raw() as u32).is_empty(),
        "no plugin process under lsmd"
    );
    assert_eq!(client.systems().unwrap()[0].id, SIM_SYSTEM_ID);
    let pools = client.pools(None).unwrap();
    assert_eq!(pools.len(), 4, "{pools:?}");
    client.close().unwrap();

    // `sim://` names no state file: the sim took LSM_SIM_DATA from lsmd's
    // environment (this test process does not set it).
    assert!(std::env::var_os("LSM_SIM_DATA").is_none());
    assert!(
        fixture.sim_env_state_file().is_file(),
        "{} was not created",
        fixture.sim_env_state_file().display()
    );
    assert!(!fixture.sim_state_file().exists());
}

#[test]
fn client_connect_with_lsm_uds_path_goes_through_lsmd() {
    let fixture = Fixture::new();
    fixture.link_sim_plugin("sim_lsmplugin");
    let _lsmd = fixture.start_for_sim();

    let outcome = ChildClient::new(&fixture.sim_uri("sim"))
        .socket_dir(&fixture.socket_dir)
        .run();
    let expected_mode = format!(
        "{:?}",
        Some(&ConnectMode::Daemon(fixture.socket_dir.clone()))
    );
    assert_eq!(
        outcome,
        ChildClientOutcome::Connected {
            mode: expected_mode,
            system_ids: vec![SIM_SYSTEM_ID.to_string()],
        }
    );
    // Through lsmd: the sim used the state file of the URI.
    assert!(fixture.sim_state_file().is_file());
}

#[test]
fn missing_plugin_is_plugin_not_exist_while_lsmd_runs_and_daemon_not_running_once_it_stops() {
    let fixture = Fixture::new();
    fixture.link_sim_plugin("sim_lsmplugin");
    let mut lsmd = fixture.start_for_sim();

    let error = expect_lsm_error(fixture.connect("nosuch://"), ErrorNumber::PLUGIN_NOT_EXIST);
    let missing_socket = fixture.socket("nosuch");
    assert_eq!(
        error.message,
        format!("Plug-in {} not found!", missing_socket.display())
    );
    // `smispy+ssl` style schemes use the part before the `+`.
    expect_lsm_error(
        fixture.connect("nosuch+ssl://host"),
        ErrorNumber::PLUGIN_NOT_EXIST,
    );
    // The same through the environment rule, in a child process.
    match ChildClient::new("nosuch://")
        .socket_dir(&fixture.socket_dir)
        .run()
    {
        ChildClientOutcome::Failed { code, .. } => assert_eq!(code, ErrorNumber::PLUGIN_NOT_EXIST),
        other => panic!("expected PLUGIN_NOT_EXIST, got {other:?}"),
    }

    lsmd.signal(Signal::SIGTERM);
    assert!(lsmd.wait_exit().success());
    for uri in ["nosuch://", "sim://"] {
        let error = expect_lsm_error(fixture.connect(uri), ErrorNumber::DAEMON_NOT_RUNNING);
        assert!(
            error
                .message
                .contains(&fixture.socket_dir.display().to_string()),
            "{error}"
        );
    }
    match ChildClient::new("sim://")
        .socket_dir(&fixture.socket_dir)
        .run()
    {
        ChildClientOutcome::Failed { code, .. } => {
            assert_eq!(code, ErrorNumber::DAEMON_NOT_RUNNING)
        }
        other => panic!("expected DAEMON_NOT_RUNNING, got {other:?}"),
    }
}

#[test]
fn socket_left_by_a_dead_daemon_is_plugin_ipc_fail() {
    let fixture = Fixture::new();
    // A socket file nobody listens on: connect() is refused.
    drop(UnixListener::bind(fixture.socket("sim")).unwrap());
    let error = expect_lsm_error(fixture.connect("sim://"), ErrorNumber::PLUGIN_IPC_FAIL);
    assert!(error.message.contains("sim"), "{error}");
}

#[test]
fn socket_an_unprivileged_client_cannot_read_and_write_is_plugin_socket_permission() {
    let fixture = Fixture::new();
    fixture.link_sim_plugin("sim_lsmplugin");
    let _lsmd = fixture.start_for_sim();
    let nobody_client = || {
        ChildClient::new(&fixture.sim_uri("sim"))
            .socket_dir(&fixture.socket_dir)
            .run_as(NOBODY_UID, NOBODY_UID)
            .run()
    };

    // Mode 0666, as lsmd made it: nobody gets through.
    match nobody_client() {
        ChildClientOutcome::Connected { system_ids, .. } => {
            assert_eq!(system_ids, [SIM_SYSTEM_ID])
        }
        other => panic!("nobody could not use a 0666 socket: {other:?}"),
    }

    set_mode(&fixture.socket("sim"), 0o600);
    match nobody_client() {
        ChildClientOutcome::Failed { code, message } => {
            assert_eq!(code, ErrorNumber::PLUGIN_SOCKET_PERMISSION, "{message}");
            assert!(
                message.contains(&fixture.socket("sim").display().to_string()),
                "{message}"
            );
        }
        other => panic!("expected PLUGIN_SOCKET_PERMISSION, got {other:?}"),
    }
    // Root ignores the mode bits.
    let mut root_client = fixture.client(&fixture.sim_uri("sim"));
    assert_eq!(root_client.systems().unwrap()[0].id, SIM_SYSTEM_ID);
    root_client.close().unwrap();
}

#[test]
fn sighup_serves_a_newly_installed_copy_of_the_sim_under_its_own_scheme() {
    let fixture = Fixture::new();
    fixture.link_sim_plugin("sim_lsmplugin");
    let mut lsmd = fixture.start_for_sim();
    let mut long_lived = fixture.client(&fixture.sim_uri("sim"));
    expect_lsm_error(
        fixture.connect(&fixture.sim_uri("simx")),
        ErrorNumber::PLUGIN_NOT_EXIST,
    );

    let installed: PathBuf = fixture.copy_sim_plugin("simx_lsmplugin");
    assert!(fs::metadata(&installed).unwrap().is_file());
    lsmd.signal(Signal::SIGHUP);
    assert!(lsmd.next_notification().starts_with("RELOADING=1"));
    assert_eq!(lsmd.next_notification(), "READY=1");
    wait_until("the simx socket", || fixture.socket("simx").exists());
    assert_eq!(
        fixture.socket_dir_entries(),
        [".lsmd-ipc-lock", "sim", "simx"]
    );

    let mut simx = fixture.client(&fixture.sim_uri("simx"));
    assert_eq!(simx.plugin_info().unwrap(), sim_plugin_info());
    assert_eq!(simx.systems().unwrap()[0].id, SIM_SYSTEM_ID);
    // Both schemes share the state file of the URI: a pool seen through one
    // is the same through the other.
    let through_simx: Vec<String> = simx
        .pools(None)
        .unwrap()
        .into_iter()
        .map(|pool| pool.id)
        .collect();
    simx.close().unwrap();

    // The session opened before the rescan still has its plugin.
    let through_sim: Vec<String> = long_lived
        .pools(None)
        .unwrap()
        .into_iter()
        .map(|pool| pool.id)
        .collect();
    assert_eq!(through_sim, through_simx);
    long_lived.close().unwrap();
}
