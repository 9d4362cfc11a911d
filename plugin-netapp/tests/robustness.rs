//! `ontap_lsmplugin` against a real `lsm-arraysim` over TLS when the cluster is big or
//! misbehaves:
//!
//! - paging: 2,500 LUNs at 1,000 a page are listed in exactly 3 requests (the simulator's
//!   admin counters), each LUN once;
//! - faults: a 500, a dropped connection, a reply slower than the call's timeout and
//!   credentials refused mid-session each give their LSM error within the timeout, and the
//!   next call on the same connection works, also when a call's requests are each within
//!   the timeout but not all together; a 503 ("busy, try again") on a listing is
//!   retried within the call, as it is on a single GET;
//! - secrets: through a real lsmd with the plugin logging at `trace`, a session that works
//!   (listings, a LUN made and removed) and sessions that fail (a 500, a reset, a timeout, a
//!   wrong password) leave the password (and its Basic `Authorization` value) in no log
//!   line, no error message, and no argv or environment of a plugin process (under lsmd
//!   and spawned by the client).
//!
//! Statelessness and TLS trust are tested in `against_arraysim.rs`; failed jobs and
//! half-made creates in `changes.rs`.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use lsm_core::types::{JobStatus, Provisioning};
use lsm_core::{BlockingClient, Completion, ErrorNumber, LsmError};
use lsm_rest::Request;
use lsm_test_support::process::{children_of, descendants};
use lsm_test_support::secrets::{
    assert_no_secret, assert_no_secret_in_process, basic_value, proc_text,
};
use lsm_test_support::{
    ARRAYSIM_PASSWORD as PASSWORD, ARRAYSIM_USER as USER, ArraySim, LsmdDirs, wait_until,
    workspace_binary,
};
use plugin_netapp::client::api::PAGE_SIZE;
use serde_json::json;

/// The FlexVol of the default inventory the test's LUNs go in.
const CONTAINER: &str = "vol1";

/// The timeout of sessions whose calls are not meant to time out.
const TIMEOUT: Duration = Duration::from_secs(20);
/// The timeout of sessions that meet a fault.
const FAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// The timeout of sessions that meet a reply slower than it.
const SHORT_TIMEOUT: Duration = Duration::from_secs(2);

fn connect(sim: &ArraySim, timeout: Duration) -> BlockingClient {
    BlockingClient::connect(&sim.uri(), Some(PASSWORD), timeout)
        .unwrap_or_else(|error| panic!("connect to {}: {error}", sim.uri()))
}

/// Makes thin 16 MiB LUNs `/vol/vol1/<name>` through the REST API, from a few threads.
fn create_luns(sim: &ArraySim, names: &[String]) {
    const THREADS: usize = 4;
    std::thread::scope(|scope| {
        for share in names.chunks(names.len().div_ceil(THREADS).max(1)) {
            scope.spawn(move || {
                let rest = sim.rest();
                for name in share {
                    let body = json!({
                        "name": format!("/vol/{CONTAINER}/{name}"),
                        "svm": {"name": "vs0"},
                        "os_type": "linux",
                        "space": {"size": 16 << 20, "guarantee": {"requested": false}},
                    });
                    let made = rest
                        .send(&Request::post("/api/storage/luns").json(&body))
                        .unwrap_or_else(|error| panic!("create LUN {name}: {error}"));
                    assert_eq!(made.status(), 201, "create LUN {name}");
                }
            });
        }
    });
}

/// The names of the LSM volumes the plugin lists.
fn volume_names(client: &mut BlockingClient) -> Vec<String> {
    let mut names: Vec<String> = client
        .volumes(None)
        .unwrap_or_else(|error| panic!("volumes: {error}"))
        .into_iter()
        .map(|volume| volume.name)
        .collect();
    names.sort();
    names
}

/// `volumes()` with `fault` active: the error, how long it took, and how many LUN listing
/// requests reached the simulator meanwhile.
fn volumes_with_fault(
    sim: &ArraySim,
    client: &mut BlockingClient,
    fault: &str,
) -> (LsmError, Duration, u64) {
    sim.add_fault(fault);
    let before = sim.requests("GET /api/storage/luns");
    let started = Instant::now();
    let outcome = client.volumes(None);
    let took = started.elapsed();
    let sent = sim.requests("GET /api/storage/luns") - before;
    match outcome {
        Ok(volumes) => panic!("volumes() succeeded despite {fault}: {volumes:?}"),
        Err(error) => (error, took, sent),
    }
}

// ------------------------------------------------------------------------------ paging

#[test]
fn a_listing_of_2500_luns_takes_3_pages_and_returns_each_lun_once() {
    // Two full pages and a partial one: 2,500 LUNs at the plugin's 1,000 a page.
    let count = 2 * PAGE_SIZE + PAGE_SIZE / 2;
    let sim = ArraySim::ontap();
    let names: Vec<String> = (0..count).map(|i| format!("lun_{i:04}")).collect();
    create_luns(&sim, &names);
    let mut client = connect(&sim, TIMEOUT);

    let before = sim.requests("GET /api/storage/luns");
    let volumes = client.volumes(None).unwrap();
    let pages = sim.requests("GET /api/storage/luns") - before;

    assert_eq!(pages, 3, "{count} LUNs at {PAGE_SIZE} a page");
    assert_eq!(volumes.len(), count, "one volume per LUN, none twice");
    let listed: BTreeSet<&str> = volumes.iter().map(|v| v.name.as_str()).collect();
    let made: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    assert_eq!(listed, made, "every LUN made is listed by its name");
    let ids: BTreeSet<&str> = volumes.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids.len(), count, "no two volumes share an id");
    client.close().unwrap();
}

// ------------------------------------------------------------------------------ faults

/// A session with one LUN (`lun_a`) listed once, so the kept-alive connection is open.
fn session_with_one_lun(sim: &ArraySim, timeout: Duration) -> BlockingClient {
    create_luns(sim, &["lun_a".to_string()]);
    let mut client = connect(sim, timeout);
    assert_eq!(volume_names(&mut client), ["lun_a"]);
    client
}

#[test]
fn a_500_on_a_listing_is_plugin_bug_at_once_and_the_next_call_works() {
    let sim = ArraySim::ontap();
    let mut client = session_with_one_lun(&sim, FAULT_TIMEOUT);

    let (error, _, sent) =
        volumes_with_fault(&sim, &mut client, "/api/storage/luns:status=500:count=1");
    // A 500 is neither "busy" (ONTAP code 13107406) nor a 503, the only replies the plugin
    // sends again; LSM has no "the array failed" code, so it is PLUGIN_BUG with ONTAP's
    // status and text.
    assert_eq!(error.code, ErrorNumber::PLUGIN_BUG, "{error}");
    assert!(error.message.contains("ONTAP error 500"), "{error}");
    assert!(error.message.contains("injected fault"), "{error}");
    assert_eq!(sent, 1, "a 500 is not sent again");

    assert_eq!(volume_names(&mut client), ["lun_a"], "the next call works");
    client.close().unwrap();
}

#[test]
fn a_503_on_a_listing_is_retried_within_the_call_as_on_a_single_get() {
    let sim = ArraySim::ontap();
    let mut client = session_with_one_lun(&sim, FAULT_TIMEOUT);

    // A single GET (the cluster, in systems()) meets a 503 once: sent again, and it works.
    sim.add_fault("/api/cluster:status=503:count=1");
    let before = sim.requests("GET /api/cluster");
    assert_eq!(
        client.systems().unwrap().len(),
        1,
        "a 503 on GET /api/cluster"
    );
    assert_eq!(
        sim.requests("GET /api/cluster") - before,
        2,
        "sent again once"
    );

    // A listing meets the same 503 once: the plugin treats it the same way.
    sim.add_fault("/api/storage/luns:status=503:count=1");
    let before = sim.requests("GET /api/storage/luns");
    let started = Instant::now();
    let listed = client.volumes(None);
    let took = started.elapsed();
    let sent = sim.requests("GET /api/storage/luns") - before;
    match listed {
        Ok(volumes) => {
            let names: Vec<&str> = volumes.iter().map(|v| v.name.as_str()).collect();
            assert_eq!(names, ["lun_a"]);
            assert_eq!(sent, 2, "the page that met the 503 was sent again, once");
        }
        Err(error) => panic!(
            "a 503 on a listing ({sent} request(s), {took:?}) is {:?}, not retried as on \
             GET /api/cluster: {error}",
            error.code
        ),
    }
    client.close().unwrap();
}

#[test]
fn a_dropped_connection_is_network_error_at_once_and_the_next_call_reconnects() {
    let sim = ArraySim::ontap();
    // The session's kept-alive connection is the one the simulator drops.
    let mut client = session_with_one_lun(&sim, FAULT_TIMEOUT);

    let (error, _, sent) = volumes_with_fault(&sim, &mut client, "/api/storage/luns:reset:count=1");
    assert_eq!(error.code, ErrorNumber::NETWORK_ERROR, "{error}");
    assert!(
        error.message.contains(&format!(
            "GET https://127.0.0.1:{}/api/storage/luns",
            sim.port
        )),
        "the message names the request: {error}"
    );
    // The request was written before the connection went: resending it is the plugin's
    // choice, and it does not make it.
    assert_eq!(sent, 1, "the plugin does not resend the listing");

    assert_eq!(volume_names(&mut client), ["lun_a"], "the next call works");
    client.close().unwrap();
}

#[test]
fn a_reply_slower_than_the_timeout_is_timeout_in_time_and_the_next_call_works() {
    let sim = ArraySim::ontap();
    let mut client = session_with_one_lun(&sim, TIMEOUT);
    // The timeout the plugin is told after registration is the one it keeps to.
    client.time_out_set(SHORT_TIMEOUT).unwrap();
    assert_eq!(client.time_out_get().unwrap(), SHORT_TIMEOUT);

    // Every LUN listing is slow until the fault is removed.
    let latency = SHORT_TIMEOUT + Duration::from_millis(1500);
    let fault = format!("/api/storage/luns:latency={}", latency.as_millis());
    let (error, took, sent) = volumes_with_fault(&sim, &mut client, &fault);
    assert_eq!(error.code, ErrorNumber::TIMEOUT, "{error}");
    // The plugin's own answer (its REST request timed out), not the client giving up on a
    // plugin that did not answer, which would leave the connection unusable.
    assert!(error.message.contains("/api/storage/luns"), "{error}");
    assert!(error.message.contains("no answer within"), "{error}");
    // The plugin answers a tenth of the timeout early, so its answer beats the client's
    // timer; not sooner.
    assert!(
        took >= SHORT_TIMEOUT * 8 / 10,
        "it gave up well before the timeout: {took:?}"
    );
    // In time: had the client's own timer fired first, it would say the plugin did not
    // answer, and the session would be unusable (the next call shows it is not).
    assert!(
        !error.message.starts_with("plugin did not answer"),
        "{error}"
    );
    assert_eq!(sent, 1);

    sim.clear_faults();
    assert_eq!(volume_names(&mut client), ["lun_a"], "the next call works");
    client.close().unwrap();
}

#[test]
fn a_call_of_several_slow_requests_answers_within_its_timeout_and_the_next_call_works() {
    let sim = ArraySim::ontap();
    let mut client = connect(&sim, TIMEOUT);
    client.time_out_set(SHORT_TIMEOUT).unwrap();
    create_luns(&sim, &["lun_a".to_string()]);
    // volumes() lists the LUNs, then the FlexVols holding them: each request is slower
    // than half the call's timeout but within it, so the two together are not.
    let each = SHORT_TIMEOUT * 6 / 10;
    for path in ["/api/storage/luns", "/api/storage/volumes"] {
        sim.add_fault(&format!("{path}:latency={}:count=1", each.as_millis()));
    }
    let started = Instant::now();
    let outcome = client.volumes(None);
    let took = started.elapsed();
    let error = match outcome {
        Ok(volumes) => panic!("volumes() in {took:?} with {each:?} twice: {volumes:?}"),
        Err(error) => error,
    };
    assert_eq!(error.code, ErrorNumber::TIMEOUT, "{error}");
    // The plugin's own TIMEOUT, in time: had the client given up waiting for it, the
    // session would be unusable.
    assert!(
        !error.message.starts_with("plugin did not answer"),
        "the plugin answered after the call's timeout ({took:?}): {error}"
    );
    assert_eq!(volume_names(&mut client), ["lun_a"], "the next call works");
    assert_eq!(client.systems().unwrap().len(), 1, "the next call works");
    client.close().unwrap();
}

#[test]
fn credentials_refused_mid_session_are_auth_failed_and_the_next_call_works() {
    let sim = ArraySim::ontap();
    let mut client = session_with_one_lun(&sim, FAULT_TIMEOUT);

    // As when the account is locked for a moment on the cluster.
    let (error, _, sent) =
        volumes_with_fault(&sim, &mut client, "/api/storage/luns:status=401:count=1");
    assert_eq!(error.code, ErrorNumber::PLUGIN_AUTH_FAILED, "{error}");
    assert!(error.message.contains("401"), "{error}");
    assert_eq!(sent, 1, "refused credentials are not sent again");

    assert_eq!(volume_names(&mut client), ["lun_a"], "the next call works");
    client.close().unwrap();
}

// ----------------------------------------------------------------------------- secrets

/// The ontap plugin processes lsmd (`lsmd_pid`) runs.
fn ontap_plugins(lsmd_pid: u32) -> Vec<u32> {
    children_of(lsmd_pid)
        .into_iter()
        .map(|(pid, _)| pid)
        .filter(|pid| proc_text(*pid, "cmdline").contains("ontap_lsmplugin"))
        .collect()
}

const CHAP_IN_SECRET: &str = "In-chap-S3cret";
const CHAP_OUT_SECRET: &str = "Out-chap-S3cret";

#[test]

fn the_password_is_in_no_log_no_error_message_and_no_argv() {
    let wrong_password = "Wr0ng-pa55word";
    let secrets = [
        PASSWORD.to_string(),
        basic_value(USER, PASSWORD),
        wrong_password.to_string(),
        basic_value(USER, wrong_password),
        CHAP_IN_SECRET.to_string(),
        CHAP_OUT_SECRET.to_string(),
    ];
    let sim = ArraySim::ontap();
    create_luns(&sim, &["lun_a".to_string()]);

    let dirs = LsmdDirs::new("lsmrs-ontap-secrets");
    dirs.link_plugin(
        "ontap_lsmplugin",
        &workspace_binary("ontap_lsmplugin", "plugin-netapp"),
    );
    let mut command = dirs.command(&workspace_binary("lsmd", "lsmd"));
    // lsmd at debug; the plugins it runs inherit its environment, so LSM_PLUGIN_LOG, and
    // its stderr, the log file.
    command.arg("-v").env("LSM_PLUGIN_LOG", "trace");
    let lsmd = dirs.start(command);
    let lsmd_pid = lsmd.pid().as_raw() as u32;
    let connect = |password: &str, timeout: Duration| {
        BlockingClient::builder(sim.uri())
            .password(password)
            .timeout(timeout)
            .socket_dir(&dirs.socket_dir)
            .daemon()
            .connect()
    };
    let mut messages: Vec<String> = Vec::new();

    // A session that works: every listing the task names, a LUN made and removed.
    let mut client = connect(PASSWORD, TIMEOUT).unwrap();
    assert_eq!(client.systems().unwrap().len(), 1);
    let pool = client
        .pools(None)
        .unwrap()
        .into_iter()
        .find(|pool| pool.name == "aggr1")
        .expect("the default inventory has aggr1");
    assert_eq!(volume_names(&mut client), ["lun_a"]);
    let made = match client
        .volume_create(&pool, "lun_secret", 64 << 20, Provisioning::THIN)
        .unwrap()
    {
        Completion::Done(volume) => volume,
        Completion::Job(job) => panic!("volume_create gave job {} with no slow cluster", job.id),
    };
    assert_eq!(volume_names(&mut client), ["lun_a", "lun_secret"]);
    // The LUN goes at once; its container FlexVol through an ONTAP job, an LSM job here.
    if let Completion::Job(job) = client.volume_delete(&made).unwrap() {
        wait_until("volume_delete's job to complete", || {
            client.job_status(&job.id).unwrap().status == JobStatus::COMPLETE
        });
        client.job_free(&job.id).unwrap();
    }
    assert_eq!(volume_names(&mut client), ["lun_a"]);
    // CHAP secrets go to the cluster in a request body, which the trace log shows redacted.
    client
        .iscsi_chap_auth(
            "iqn.1994-05.com.redhat:secret-host",
            &lsm_core::ChapAuth::inbound(lsm_core::ChapCredentials::new("chap_in", CHAP_IN_SECRET))
                .with_outbound(lsm_core::ChapCredentials::new("chap_out", CHAP_OUT_SECRET)),
        )
        .unwrap();

    // The plugin process serving it, while it runs.
    let plugins = ontap_plugins(lsmd_pid);
    assert_eq!(
        plugins.len(),
        1,
        "one ontap_lsmplugin under lsmd: {plugins:?}"
    );
    assert_no_secret_in_process(&secrets, plugins[0]);
    // No process this test started has the password in its argv: lsmd, the plugin, and the
    // simulator (which gets it through its environment).
    let started = descendants(std::process::id());
    assert!(started.contains(&sim.pid()) && started.contains(&lsmd_pid));
    for pid in started {
        assert_no_secret(
            &secrets,
            &format!("/proc/{pid}/cmdline"),
            &proc_text(pid, "cmdline"),
        );
    }

    // The same session meets a 500, a dropped connection and a reply past its timeout.
    let faults = [
        (
            "/api/storage/luns:status=500:count=1",
            ErrorNumber::PLUGIN_BUG,
        ),
        (
            "/api/storage/luns:reset:count=1",
            ErrorNumber::NETWORK_ERROR,
        ),
        (
            "/api/storage/luns:latency=2500:count=1",
            ErrorNumber::TIMEOUT,
        ),
    ];
    for (fault, code) in faults {
        sim.add_fault(fault);
        if code == ErrorNumber::TIMEOUT {
            client.time_out_set(Duration::from_secs(1)).unwrap();
        }
        let error = client.volumes(None).unwrap_err();
        assert_eq!(error.code, code, "{fault}: {error}");
        messages.push(format!("{error} {error:?}"));
        client.time_out_set(TIMEOUT).unwrap();
    }
    assert_eq!(volume_names(&mut client), ["lun_a"]);
    client.close().unwrap();

    // A wrong password, through lsmd.
    let Err(refused) = connect(wrong_password, TIMEOUT) else {
        panic!("a wrong password was accepted");
    };
    assert_eq!(refused.code, ErrorNumber::PLUGIN_AUTH_FAILED, "{refused}");
    messages.push(format!("{refused} {refused:?}"));

    // The plugin spawned by the client itself (embedded mode), while it runs; and its
    // wrong password's message.
    let embedded = BlockingClient::connect(&sim.uri(), Some(PASSWORD), TIMEOUT).unwrap();
    let embedded_pid = embedded.plugin_pid().expect("an embedded plugin process");
    assert_no_secret_in_process(&secrets, embedded_pid);
    embedded.close().unwrap();
    let Err(refused) = BlockingClient::connect(&sim.uri(), Some(wrong_password), TIMEOUT) else {
        panic!("a wrong password was accepted");
    };
    assert_eq!(refused.code, ErrorNumber::PLUGIN_AUTH_FAILED, "{refused}");
    messages.push(format!("{refused} {refused:?}"));

    // Every plugin has written all it will write once it has exited.
    wait_until("the plugins under lsmd to exit", || {
        ontap_plugins(lsmd_pid).is_empty()
    });
    let log = lsmd.log();
    // The log is the plugins' trace, so a clean grep means something.
    for expected in [
        "GET https://127.0.0.1",
        "/api/storage/luns",
        "/api/protocols/san/iscsi/credentials",
        "POST https://127.0.0.1",
        "DELETE https://127.0.0.1",
        "request body",
        "response body",
        "error reply",
        "injected fault",
        "no answer within",
        "401",
    ] {
        assert!(
            log.contains(expected),
            "the log has no {expected:?}: is LSM_PLUGIN_LOG=trace honoured?\n{log}"
        );
    }
    assert!(
        log.contains("TRACE") && log.contains("DEBUG"),
        "the log has no trace and debug lines"
    );
    assert_no_secret(&secrets, "lsmd's log (lsmd and its plugins)", &log);
    assert_eq!(messages.len(), 5);
    for message in &messages {
        assert_no_secret(&secrets, &format!("the error message {message:?}"), message);
    }
}

#[test]
fn systems_sends_its_two_requests_at_once() {
    let sim = ArraySim::ontap();
    let mut client = connect(&sim, TIMEOUT);
    client.time_out_set(SHORT_TIMEOUT).unwrap();
    // The cluster and its nodes are asked at the same time: each slower than half the
    // call's timeout, the call still answers (one after the other, it would time out).
    let each = SHORT_TIMEOUT * 6 / 10;
    for path in ["/api/cluster", "/api/cluster/nodes"] {
        sim.add_fault(&format!("{path}:latency={}:count=1", each.as_millis()));
    }
    let started = Instant::now();
    let systems = client
        .systems()
        .unwrap_or_else(|error| panic!("systems() with {each:?} on each request: {error}"));
    let took = started.elapsed();
    assert_eq!(systems.len(), 1);
    // Answered at all: one after the other, the two would have taken longer than the
    // call's timeout (TIMEOUT above).
    assert!(took >= each, "the latency was not applied: {took:?}");
    client.close().unwrap();
}

// ------------------------------------------------------------------------ fault matrix

/// The names of the FlexVols and LUNs on the simulated cluster: what a volume create can
/// make (a container FlexVol, then its LUN).
fn flexvols_and_luns(sim: &ArraySim) -> BTreeSet<String> {
    let rest = sim.rest();
    let mut names = BTreeSet::new();
    for (path, kind) in [
        ("/api/storage/volumes", "flexvol"),
        ("/api/storage/luns", "lun"),
    ] {
        let listed: serde_json::Value = rest
            .send_json(&Request::get(path).query("fields", "name"))
            .unwrap_or_else(|error| panic!("GET {path}: {error}"));
        for record in listed["records"].as_array().into_iter().flatten() {
            names.insert(format!("{kind} {}", record["name"].as_str().unwrap_or("?")));
        }
    }
    names
}

#[test]
fn every_array_fault_gives_its_documented_error_leaves_nothing_half_made_and_the_next_call_works() {
    use lsm_test_support::faults::{
        ArrayFault, Call, CreateStep, Expect, FaultMatrix, run_fault_matrix,
    };
    let sim = ArraySim::ontap();
    create_luns(&sim, &["lun_a".to_string()]);
    // ONTAP's answers the plugin has a rule for (`plugin-netapp/src/error.rs`): a 500 is
    // not "busy", so it is PLUGIN_BUG at once with ONTAP's text, and a failed job is the
    // job's error, PLUGIN_BUG for a code LSM has no name for; the rest is lsm-rest's.
    let expect = |call, fault: ArrayFault| match (call, fault) {
        // A LUN is made at once (201) and read back through the `Location` of the answer:
        // its body is not needed.
        (Call::VolumeCreate("/api/storage/luns"), ArrayFault::InvalidJson) => Expect::Works,
        _ => fault.documented_default(),
    };
    run_fault_matrix(&FaultMatrix {
        sim: &sim,
        uri: sim.uri(),
        pool: "aggr1",
        listing_paths: &["/api/storage/luns", "/api/storage/volumes"],
        create_steps: &[
            CreateStep {
                path: "/api/storage/volumes",
                starts_job: true,
            },
            CreateStep {
                path: "/api/storage/luns",
                starts_job: false,
            },
        ],
        expect: &expect,
        inventory: &flexvols_and_luns,
    });
}
