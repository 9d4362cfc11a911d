//! Plugin faults through lsmd, seen by real LSM clients: a plugin killed in
//! the middle of a call fails only its own client, and a plugin that stops
//! answering gives `TIMEOUT` within the client's timeout.
//!
//! Needs the workspace's `sim_lsmplugin` (`cargo build -p plugin-sim`).

mod support;

use std::collections::HashSet;
use std::thread;
use std::time::{Duration, Instant};

use lsm_core::{BlockingClient, ErrorNumber};
use lsm_test_support::process::children_of;
use lsm_test_support::{RunningLsmd, wait_until};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use support::Fixture;
use support::lsm::expect_lsm_error;

/// Live (not zombie) children of lsmd.
fn live_plugins(lsmd: &RunningLsmd) -> HashSet<u32> {
    children_of(lsmd.pid().as_raw() as u32)
        .into_iter()
        .filter(|(_, state)| *state != 'Z')
        .map(|(pid, _)| pid)
        .collect()
}

/// Connects through lsmd and returns the client with the pid of the plugin
/// lsmd started for it (the one new child).
fn connect_and_find_plugin(fixture: &Fixture, lsmd: &RunningLsmd) -> (BlockingClient, u32) {
    let before = live_plugins(lsmd);
    let client = fixture.client(&fixture.sim_uri("sim"));
    let new: Vec<u32> = live_plugins(lsmd).difference(&before).copied().collect();
    assert_eq!(new.len(), 1, "expected one new plugin, found {new:?}");
    (client, new[0])
}

/// Kills every live plugin of lsmd (the test's own clean-up: lsmd leaves
/// plugins running when it stops).
struct KillPluginsOnDrop(u32);

impl Drop for KillPluginsOnDrop {
    fn drop(&mut self) {
        for (pid, _) in children_of(self.0) {
            let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
        }
    }
}

#[test]
fn plugin_killed_mid_call_fails_its_client_while_another_client_keeps_working() {
    let fixture = Fixture::new();
    fixture.link_sim_plugin("sim_lsmplugin");
    let lsmd = fixture.start_for_sim();
    let _cleanup = KillPluginsOnDrop(lsmd.pid().as_raw() as u32);

    let (mut doomed, doomed_plugin) = connect_and_find_plugin(&fixture, &lsmd);
    let (mut survivor, survivor_plugin) = connect_and_find_plugin(&fixture, &lsmd);
    assert_ne!(doomed_plugin, survivor_plugin);
    assert_eq!(doomed.systems().unwrap().len(), 1);

    // Freeze the plugin so the call is certainly in flight, then kill it.
    let doomed_pid = Pid::from_raw(doomed_plugin as i32);
    kill(doomed_pid, Signal::SIGSTOP).unwrap();
    let in_flight = thread::spawn(move || {
        let started = Instant::now();
        let result = doomed.pools(None);
        (result, started.elapsed(), doomed)
    });
    thread::sleep(Duration::from_millis(300));
    assert!(
        !in_flight.is_finished(),
        "the call returned from a stopped plugin"
    );
    kill(doomed_pid, Signal::SIGKILL).unwrap();
    let (result, elapsed, mut doomed) = in_flight.join().unwrap();
    let error = result.expect_err("a call to a killed plugin succeeded");
    assert!(
        matches!(
            error.code,
            ErrorNumber::TRANSPORT_COMMUNICATION | ErrorNumber::PLUGIN_IPC_FAIL
        ),
        "unexpected error {error}"
    );
    assert!(
        elapsed < Duration::from_secs(10),
        "the error took {elapsed:?}"
    );
    // The session stays failed: no silent reconnect.
    expect_lsm_error(doomed.systems(), ErrorNumber::TRANSPORT_COMMUNICATION);

    // The other client, its plugin and lsmd are unaffected.
    assert_eq!(survivor.systems().unwrap().len(), 1);
    assert_eq!(survivor.pools(None).unwrap().len(), 4);
    let mut newcomer = fixture.client(&fixture.sim_uri("sim"));
    assert_eq!(newcomer.systems().unwrap().len(), 1);
    newcomer.close().unwrap();
    survivor.close().unwrap();

    // lsmd reaped the killed plugin and said why it died.
    wait_until("lsmd to reap the killed plugin", || {
        !children_of(lsmd.pid().as_raw() as u32)
            .iter()
            .any(|(pid, _)| *pid == doomed_plugin)
    });
    wait_until("lsmd to log the kill", || {
        lsmd.log()
            .contains(&format!("(pid {doomed_plugin}) was killed by SIGKILL"))
    });
}

/// A plugin that answers its first two requests (`plugin_register`, then
/// `time_out_set`) with `null` and then stops answering: it never reads
/// again and sleeps until killed (at most a minute).
const HANGING_PLUGIN: &str = r#"fd="$1"
reply='{"id": 100, "result": null}'
for answered in 1 2; do
    read -r -N 10 length <&"$fd" || exit 0
    read -r -N "$((10#$length))" request <&"$fd"
    printf '%010d%s' "${#reply}" "$reply" >&"$fd"
done
exec sleep 60
"#;

/// A plugin that never answers at all.
const SILENT_PLUGIN: &str = "exec sleep 60\n";

#[test]
fn hung_plugin_gives_timeout_within_the_client_timeout() {
    let fixture = Fixture::new();
    fixture.add_script_plugin("hang_lsmplugin", HANGING_PLUGIN);
    fixture.link_sim_plugin("sim_lsmplugin");
    let lsmd = fixture.start_for_sim();
    let _cleanup = KillPluginsOnDrop(lsmd.pid().as_raw() as u32);
    let timeout = Duration::from_millis(1500);

    // Register with the usual timeout (a loaded machine may start bash
    // slowly), then shorten it: the plugin acknowledges that too.
    let mut hung = fixture.client("hang://");
    hung.time_out_set(timeout)
        .expect("the hanging plugin answers time_out_set");
    let started = Instant::now();
    let error = expect_lsm_error(hung.systems(), ErrorNumber::TIMEOUT);
    let elapsed = started.elapsed();
    assert!(
        elapsed >= timeout && elapsed < timeout + Duration::from_secs(3),
        "TIMEOUT after {elapsed:?} for a {timeout:?} timeout"
    );
    assert!(error.message.contains("systems"), "{error}");
    // A late reply would be out of step: the session is done.
    expect_lsm_error(hung.pools(None), ErrorNumber::TRANSPORT_COMMUNICATION);

    // Meanwhile the sim, served by the same lsmd, answers.
    let mut client = fixture.client(&fixture.sim_uri("sim"));
    assert_eq!(client.systems().unwrap().len(), 1);
    client.close().unwrap();
}

#[test]
fn plugin_that_never_answers_register_times_out_the_connect() {
    let fixture = Fixture::new();
    fixture.add_script_plugin("silent_lsmplugin", SILENT_PLUGIN);
    let lsmd = fixture.start();
    let _cleanup = KillPluginsOnDrop(lsmd.pid().as_raw() as u32);
    let timeout = Duration::from_millis(1000);

    let started = Instant::now();
    let error = expect_lsm_error(
        BlockingClient::connect_daemon(&fixture.socket_dir, "silent://", None, timeout),
        ErrorNumber::TIMEOUT,
    );
    let elapsed = started.elapsed();
    assert!(
        elapsed >= timeout && elapsed < timeout + Duration::from_secs(3),
        "TIMEOUT after {elapsed:?} for a {timeout:?} timeout"
    );
    assert!(error.message.contains("plugin_register"), "{error}");
}
