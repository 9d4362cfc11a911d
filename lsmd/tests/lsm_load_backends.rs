//! lsmd under load in front of every plugin: 64 concurrent clients, for a bounded time,
//! through lsmd to the sim plugin and to each vendor plugin talking to its array
//! simulator over TLS, calling `systems`, `pools` and `volumes` in turn. Zero errors; the
//! throughput and p50/p99 latency are printed (`--nocapture`); afterwards lsmd has reaped
//! every plugin, no plugin process is left anywhere, and lsmd, the simulator and this
//! test hold exactly the file descriptors they held before the load.
//!
//! Needs the workspace's plugins and `lsm-arraysim` (`cargo build --workspace`).

mod support;

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use lsm_bench::vendors::Vendor;
use lsm_core::{BlockingClient, Provisioning};
use lsm_test_support::load::{ClientMode, Limit, LoadReport, LoadShape, listings, run_load};
use lsm_test_support::process::{children_of, open_fds, processes_running};
use lsm_test_support::{ARRAYSIM_PASSWORD, ArraySim, wait_until, workspace_binary};
use support::Fixture;
use support::lsm::CLIENT_TIMEOUT;

/// Volumes made before the load, so that every `volumes()` has some to list.
const VOLUMES: usize = 20;
/// Clients at the same time.
const CLIENTS: usize = 64;
/// How long they call, once every one is connected.
const LOAD_TIME: Duration = Duration::from_secs(3);

/// One load at a time: each is 64 plugin processes, and the fd counts of this process
/// are only meaningful when no other test of this binary opens any.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The plugin behind lsmd, and the simulator it talks to (none for the sim plugin).
struct Backend {
    scheme: &'static str,
    plugin: &'static str,
    package: &'static str,
    vendor: Option<Vendor>,
}

/// File descriptors of the processes the load touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fds {
    lsmd: usize,
    simulator: Option<usize>,
    test: usize,
}

impl Fds {
    fn count(lsmd: u32, simulator: Option<&ArraySim>) -> Fds {
        Fds {
            lsmd: open_fds(lsmd),
            simulator: simulator.map(|sim| open_fds(sim.pid())),
            test: open_fds(std::process::id()),
        }
    }
}

/// lsmd's children, and every process running the plugin (orphans included: no other test
/// of this binary runs it meanwhile).
fn plugins_left(lsmd: u32, plugin: &Path) -> Vec<u32> {
    let mut left: Vec<u32> = children_of(lsmd).into_iter().map(|(pid, _)| pid).collect();
    left.extend(processes_running(plugin));
    left
}

fn load_through_lsmd(backend: Backend) -> LoadReport {
    let _one = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let fixture = Fixture::new();
    let plugin = workspace_binary(backend.plugin, backend.package);
    fixture.link_plugin(&format!("{}_lsmplugin", backend.scheme), &plugin);
    let simulator = backend.vendor.map(|vendor| {
        let sim = ArraySim::start(vendor.simulator(), &[]);
        vendor
            .populate_volumes(&sim, VOLUMES)
            .unwrap_or_else(|error| panic!("making {VOLUMES} volumes: {error}"));
        sim
    });
    let lsmd = fixture.start_for_sim();
    let lsmd_pid = lsmd.pid().as_raw() as u32;
    let (uri, password) = match &simulator {
        Some(sim) => (sim.uri(), Some(ARRAYSIM_PASSWORD.to_string())),
        None => (fixture.sim_uri(backend.scheme), None),
    };

    // One session first: the sim's state file is made, lsmd has served once.
    let mut first = BlockingClient::builder(&uri)
        .timeout(CLIENT_TIMEOUT)
        .socket_dir(&fixture.socket_dir)
        .daemon();
    if let Some(password) = &password {
        first = first.password(password);
    }
    let mut first = first
        .connect()
        .unwrap_or_else(|error| panic!("connect {uri} through lsmd: {error}"));
    if simulator.is_none() {
        let pool = first
            .pools(Some(lsm_core::PoolSearch::Id("POOL_ID_00001")))
            .expect("pools")
            .remove(0);
        for index in 0..VOLUMES {
            let job = first
                .volume_create(
                    &pool,
                    &format!("load_{index}"),
                    1 << 20,
                    Provisioning::DEFAULT,
                )
                .expect("volume_create");
            first.wait_done(job).expect("the volume job");
        }
    }
    let volumes = first.volumes(None).expect("volumes");
    assert!(volumes.len() >= VOLUMES, "{uri}: {} volumes", volumes.len());
    assert!(
        !first.pools(None).expect("pools").is_empty(),
        "{uri}: no pools"
    );
    first.close().expect("close");
    wait_until("lsmd to reap the first plugin", || {
        plugins_left(lsmd_pid, &plugin).is_empty()
    });
    // The simulator closes a connection a moment after its client has gone.
    if let Some(sim) = &simulator {
        let mut last = open_fds(sim.pid());
        wait_until("the simulator's fd count to settle", || {
            std::thread::sleep(Duration::from_millis(100));
            let now = open_fds(sim.pid());
            std::mem::replace(&mut last, now) == now
        });
    }
    let before = Fds::count(lsmd_pid, simulator.as_ref());

    let shape = LoadShape {
        clients: CLIENTS,
        limit: Limit::For(LOAD_TIME),
        uri: uri.clone(),
        password,
        timeout: CLIENT_TIMEOUT,
    };
    let mode = ClientMode::ThroughLsmd {
        socket_dir: fixture.socket_dir.clone(),
    };
    let report = run_load(&mode, &shape, listings).expect("the client threads");
    println!(
        "{}:// ({} volumes): {}",
        backend.scheme,
        volumes.len(),
        report.summary()
    );
    assert!(
        report.errors.is_empty(),
        "{} errors of {} calls to {uri}:\n{}",
        report.errors.len(),
        report.calls(),
        report.errors.join("\n")
    );
    // Every client listed each of the three kinds at least once.
    assert_eq!(report.calls_per_client.len(), CLIENTS);
    let fewest = report.calls_per_client.iter().min().copied().unwrap_or(0);
    assert!(fewest >= 3, "a client made only {fewest} calls: {report:?}");

    // Nothing left behind: every plugin reaped, none orphaned, every fd closed.
    wait_until("lsmd to reap every plugin and none to be left", || {
        plugins_left(lsmd_pid, &plugin).is_empty()
    });
    let mut after = Fds::count(lsmd_pid, simulator.as_ref());
    wait_until("the fd counts to return to what they were", || {
        after = Fds::count(lsmd_pid, simulator.as_ref());
        after == before
    });
    assert_eq!(after, before);
    let started = lsmd
        .log()
        .matches(&format!("plugin `{}` started as pid", backend.scheme))
        .count();
    assert_eq!(started, CLIENTS + 1, "lsmd's plugin starts");
    drop(lsmd);
    report
}

#[test]
fn sim_plugin_serves_64_clients_through_lsmd_with_zero_errors_and_no_leaks() {
    load_through_lsmd(Backend {
        scheme: "sim",
        plugin: "sim_lsmplugin",
        package: "plugin-sim",
        vendor: None,
    });
}

#[test]
fn ontap_plugin_and_simulator_serve_64_clients_through_lsmd_with_zero_errors_and_no_leaks() {
    load_through_lsmd(Backend {
        scheme: "ontap",
        plugin: "ontap_lsmplugin",
        package: "plugin-netapp",
        vendor: Some(Vendor::Ontap),
    });
}

#[test]
fn nstor_plugin_and_simulator_serve_64_clients_through_lsmd_with_zero_errors_and_no_leaks() {
    load_through_lsmd(Backend {
        scheme: "nstor",
        plugin: "nstor_lsmplugin",
        package: "plugin-nexenta",
        vendor: Some(Vendor::Nexenta),
    });
}

#[test]
fn emc_plugin_and_simulator_serve_64_clients_through_lsmd_with_zero_errors_and_no_leaks() {
    load_through_lsmd(Backend {
        scheme: "emc",
        plugin: "emc_lsmplugin",
        package: "plugin-emc",
        vendor: Some(Vendor::Unity),
    });
}
