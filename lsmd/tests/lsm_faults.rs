//! Plugin faults seen by real LSM clients: a plugin killed in the middle of a
//! call fails only its own client, and a plugin that stops answering gives
//! `TIMEOUT` within the client's timeout. Then a table of misbehaving plugins
//! (killed by SIGKILL mid-call, exiting mid-reply, writing a garbage header, a
//! payload that is not JSON or not UTF-8, never answering), each met through
//! lsmd and embedded: the client gets the LSM error of its kind within the
//! timeout, lsmd serves on and reaps the dead plugin, an embedded client reaps
//! (or kills) its own. And lsmd killed by SIGKILL under 32 clients, then
//! restarted: the stale socket and lock are taken over, new clients are served
//! at once, and the old plugins end with their clients.
//!
//! Needs the workspace's `sim_lsmplugin` (`cargo build -p plugin-sim`).

mod support;

use std::collections::HashSet;
use std::thread;
use std::time::{Duration, Instant};

use lsm_core::{BlockingClient, ErrorNumber};
use lsm_test_support::process::children_of;
use lsm_test_support::script_plugin::ANSWERS_TWO_THEN;
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
        BlockingClient::builder("silent://")
            .timeout(timeout)
            .socket_dir(&fixture.socket_dir)
            .daemon()
            .connect(),
        ErrorNumber::TIMEOUT,
    );
    let elapsed = started.elapsed();
    assert!(
        elapsed >= timeout && elapsed < timeout + Duration::from_secs(3),
        "TIMEOUT after {elapsed:?} for a {timeout:?} timeout"
    );
    assert!(error.message.contains("plugin_register"), "{error}");
}

/// One way a plugin can fail a call, and the LSM error its client must get.
struct Misbehaviour {
    name: &'static str,
    /// What the plugin does once it has the call's request.
    then: &'static str,
    expected: ErrorNumber,
    /// Whether the plugin is dead after the call (else it hangs until killed).
    dies: bool,
}

const MISBEHAVIOURS: [Misbehaviour; 6] = [
    Misbehaviour {
        name: "killed",
        then: "kill -KILL $$\n",
        expected: ErrorNumber::TRANSPORT_COMMUNICATION,
        dies: true,
    },
    Misbehaviour {
        name: "exitsmidreply",
        then: "printf '%s' '0000000100{\"id\": 100, \"res' >&\"$fd\"\nexit 0\n",
        expected: ErrorNumber::TRANSPORT_COMMUNICATION,
        dies: true,
    },
    Misbehaviour {
        name: "garbageheader",
        then: "printf 'HTTP/1.1 500 Oops\\r\\n\\r\\n' >&\"$fd\"\nexec sleep 60\n",
        expected: ErrorNumber::TRANSPORT_SERIALIZATION,
        dies: false,
    },
    Misbehaviour {
        name: "garbagepayload",
        then: "printf '%s' '0000000020not json at all!!!!!' >&\"$fd\"\nexit 0\n",
        expected: ErrorNumber::TRANSPORT_SERIALIZATION,
        dies: true,
    },
    Misbehaviour {
        name: "notutf",
        then: "printf '0000000004\\xff\\xfe\\xfd\\xfc' >&\"$fd\"\nexit 0\n",
        expected: ErrorNumber::TRANSPORT_SERIALIZATION,
        dies: true,
    },
    Misbehaviour {
        name: "silent",
        then: "exec sleep 60\n",
        expected: ErrorNumber::TIMEOUT,
        dies: false,
    },
];

/// The timeout of the call each misbehaving plugin fails.
const CALL_TIMEOUT: Duration = Duration::from_secs(2);

/// `systems()` on `client` after `time_out_set(CALL_TIMEOUT)`: checks the error and its
/// time, and that the session stays failed; `Err` says what went wrong.
fn fail_one_call(
    client: &mut BlockingClient,
    misbehaviour: &Misbehaviour,
    mode: &str,
) -> Result<(), String> {
    let what = format!("{} ({mode})", misbehaviour.name);
    client
        .time_out_set(CALL_TIMEOUT)
        .map_err(|error| format!("{what}: time_out_set: {error}"))?;
    let started = Instant::now();
    let outcome = client.systems();
    let took = started.elapsed();
    let error = match outcome {
        Ok(systems) => return Err(format!("{what}: the call worked: {systems:?}")),
        Err(error) => error,
    };
    if error.code != misbehaviour.expected {
        return Err(format!(
            "{what}: expected {:?}, got {:?}: {error}",
            misbehaviour.expected, error.code
        ));
    }
    if error.message.is_empty() {
        return Err(format!("{what}: an error with no message"));
    }
    // A TIMEOUT is the client's own timer, set to the call's timeout (a plugin that
    // fails otherwise is seen at once: a late detection would have been a TIMEOUT).
    let own_timer = format!("within {} ms", CALL_TIMEOUT.as_millis());
    if misbehaviour.expected == ErrorNumber::TIMEOUT && !error.message.contains(&own_timer) {
        return Err(format!(
            "{what}: a TIMEOUT that is not the client's {own_timer}: {error}"
        ));
    }
    if misbehaviour.expected == ErrorNumber::TIMEOUT && took < CALL_TIMEOUT {
        return Err(format!(
            "{what}: TIMEOUT after {took:?}, before the timeout"
        ));
    }
    // No silent reconnect, no reading of a stale answer: the session is done.
    match client.systems() {
        Err(later) if later.code == ErrorNumber::TRANSPORT_COMMUNICATION => Ok(()),
        other => Err(format!(
            "{what}: the next call on the session gave {other:?}"
        )),
    }
}

#[test]
fn every_misbehaving_plugin_gives_its_lsm_error_in_time_through_lsmd() {
    let fixture = Fixture::new();
    for misbehaviour in &MISBEHAVIOURS {
        fixture.add_script_plugin(
            &format!("{}_lsmplugin", misbehaviour.name),
            &format!("{ANSWERS_TWO_THEN}{}", misbehaviour.then),
        );
    }
    fixture.link_sim_plugin("sim_lsmplugin");
    let lsmd = fixture.start_for_sim();
    let lsmd_pid = lsmd.pid().as_raw() as u32;
    let _cleanup = KillPluginsOnDrop(lsmd_pid);
    // A client of the sim kept open throughout: its plugin is never disturbed.
    let (mut bystander, bystander_plugin) = connect_and_find_plugin(&fixture, &lsmd);

    let mut problems = Vec::new();
    for misbehaviour in &MISBEHAVIOURS {
        let uri = format!("{}://", misbehaviour.name);
        let before = live_plugins(&lsmd);
        let mut client = fixture.client(&uri);
        let new: Vec<u32> = live_plugins(&lsmd).difference(&before).copied().collect();
        assert_eq!(
            new.len(),
            1,
            "{uri}: expected one new plugin, found {new:?}"
        );
        if let Err(problem) = fail_one_call(&mut client, misbehaviour, "through lsmd") {
            problems.push(problem);
        }
        drop(client);
        if misbehaviour.dies {
            wait_until(&format!("lsmd to reap the {uri} plugin"), || {
                !children_of(lsmd_pid).iter().any(|(pid, _)| *pid == new[0])
            });
        }
        // lsmd serves on: the client opened before, and a new one.
        assert_eq!(bystander.systems().unwrap().len(), 1, "after {uri}");
        let mut newcomer = fixture.client(&fixture.sim_uri("sim"));
        assert_eq!(newcomer.pools(None).unwrap().len(), 4, "after {uri}");
        newcomer.close().unwrap();
    }
    assert!(live_plugins(&lsmd).contains(&bystander_plugin));
    bystander.close().unwrap();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_misbehaving_plugin_gives_its_lsm_error_in_time_when_embedded() {
    let fixture = Fixture::new();
    let mut problems = Vec::new();
    for misbehaviour in &MISBEHAVIOURS {
        let exe = fixture.add_script_plugin(
            &format!("{}_lsmplugin", misbehaviour.name),
            &format!("{ANSWERS_TWO_THEN}{}", misbehaviour.then),
        );
        let uri = format!("{}://", misbehaviour.name);
        let mut client = BlockingClient::builder(&uri)
            .timeout(support::lsm::CLIENT_TIMEOUT)
            .plugin_exe(&exe)
            .connect()
            .unwrap_or_else(|error| panic!("{uri}: {error}"));
        let plugin = client.plugin_pid().expect("an embedded plugin process");
        if let Err(problem) = fail_one_call(&mut client, misbehaviour, "embedded") {
            problems.push(problem);
        }
        drop(client);
        // The client reaps its plugin, killing one that hangs on: no zombie, no orphan.
        wait_until(&format!("the client to reap the {uri} plugin"), || {
            !children_of(std::process::id())
                .iter()
                .any(|(pid, _)| *pid == plugin)
        });
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Kills these processes on drop (plugins whose lsmd is gone).
struct KillPidsOnDrop(Vec<u32>);

impl Drop for KillPidsOnDrop {
    fn drop(&mut self) {
        for pid in &self.0 {
            let _ = kill(Pid::from_raw(*pid as i32), Signal::SIGKILL);
        }
    }
}

/// Whether process `pid` has ended: gone, or a zombie (an orphan is its new
/// parent's, init's or a subreaper's, to reap).
fn has_ended(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rfind(')')
            .and_then(|end| stat[end + 1..].split_whitespace().next())
            .is_some_and(|state| state == "Z" || state == "X"),
    }
}

#[test]
fn lsmd_killed_with_32_clients_connected_restarts_clean_and_leaves_no_orphan() {
    const CLIENTS: usize = 32;
    let fixture = Fixture::new();
    fixture.link_sim_plugin("sim_lsmplugin");
    let uri = fixture.sim_uri("sim");
    let mut lsmd = fixture.start_for_sim();
    let mut clients: Vec<BlockingClient> = (0..CLIENTS)
        .map(|_| {
            let mut client = fixture.client(&uri);
            assert_eq!(client.systems().unwrap().len(), 1);
            client
        })
        .collect();
    let old_plugins = live_plugins(&lsmd);
    assert_eq!(old_plugins.len(), CLIENTS, "a plugin per client");
    let _cleanup = KillPidsOnDrop(old_plugins.iter().copied().collect());

    lsmd.signal(Signal::SIGKILL);
    let status = lsmd.wait_exit();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(Signal::SIGKILL as i32)
    );
    // What a killed lsmd leaves: its socket (nobody listens on it) and its lock file.
    assert_eq!(fixture.socket_dir_entries(), [".lsmd-ipc-lock", "sim"]);
    expect_lsm_error(fixture.connect(&uri), ErrorNumber::PLUGIN_IPC_FAIL);
    // The plugins serving the clients outlive lsmd: every session goes on.
    for client in &mut clients {
        assert_eq!(client.pools(None).unwrap().len(), 4);
    }

    // Restarted on the same directories: it takes the lock and replaces the stale
    // socket, and the first client right after READY=1 is served.
    let lsmd = fixture.start_for_sim();
    let _new_cleanup = KillPluginsOnDrop(lsmd.pid().as_raw() as u32);
    let mut first = fixture.client(&uri);
    assert_eq!(first.systems().unwrap().len(), 1);
    first.close().unwrap();
    assert_eq!(fixture.socket_dir_entries(), [".lsmd-ipc-lock", "sim"]);
    let newcomers: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let uri = uri.clone();
            let socket_dir = fixture.socket_dir.clone();
            thread::spawn(move || {
                let mut client = BlockingClient::builder(&uri)
                    .timeout(support::lsm::CLIENT_TIMEOUT)
                    .socket_dir(&socket_dir)
                    .daemon()
                    .connect()?;
                let systems = client.systems()?;
                client.close()?;
                Ok::<usize, lsm_core::LsmError>(systems.len())
            })
        })
        .collect();
    for newcomer in newcomers {
        assert_eq!(newcomer.join().unwrap().unwrap(), 1);
    }
    assert!(
        live_plugins(&lsmd).is_disjoint(&old_plugins),
        "the new lsmd adopted an old plugin"
    );

    // Each old plugin lives exactly as long as its client: half of them end with
    // `plugin_unregister`, half as when their client dies (the socket just closes).
    assert!(old_plugins.iter().all(|pid| !has_ended(*pid)));
    for (index, client) in clients.into_iter().enumerate() {
        if index % 2 == 0 {
            client.close().unwrap();
        } else {
            drop(client);
        }
    }
    wait_until("every plugin of the killed lsmd to end", || {
        old_plugins.iter().all(|pid| has_ended(*pid))
    });
}
