//! `emc_lsmplugin` against a real `lsm-arraysim --vendor unity` over TLS when the array ends
//! sessions, is big, misbehaves, is slow, or is changed behind the plugin's back:
//!
//! - POST/DELETE without the session's CSRF token are refused by the array; the plugin's
//!   never are (each change is sent once); an expired session is renewed with one login;
//! - masking rewrites a LUN's whole host list and keeps every other host's access, also
//!   one granted behind the plugin's back;
//! - 2,500 LUNs at `per_page=100`: every one listed, in the pages that implies;
//! - a 500, a dropped connection, a reply slower than the timeout, a failed job: the LSM
//!   error in time, nothing half-made, the next call works;
//! - a slow job becomes an LSM job that another connection finishes;
//! - a thin clone's snap is removed, and a LUN with a clone is not deleted;
//! - a LUN made or removed behind the plugin's back is seen at once;
//! - through lsmd with the plugin logging at `trace`: the password, the CHAP secret, the
//!   session cookie and the CSRF token are in no log line, no error message, no argv.

use std::time::{Duration, Instant};

use lsm_core::types::{AccessGroup, InitiatorType, LsmObject, Provisioning, Volume};
use lsm_core::{BlockingClient, Completion, ErrorNumber};
use lsm_rest::{Request, RestClient};
use lsm_test_support::{
    ARRAYSIM_PASSWORD as PASSWORD, ArraySim, LsmdDirs, wait_until, workspace_binary,
};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(20);
const SHORT_TIMEOUT: Duration = Duration::from_secs(2);
const LOGIN: &str = "GET /api/types/loginSessionInfo/instances";
const CREATE_LUN: &str = "POST /api/types/storageResource/action/createLun";

fn connect(sim: &ArraySim, timeout: Duration) -> BlockingClient {
    BlockingClient::connect(&sim.uri(), Some(PASSWORD), timeout)
        .unwrap_or_else(|error| panic!("connect to {}: {error}", sim.uri()))
}

/// A REST client of the test's own with a Unisphere session: the cookie (kept by the
/// client) and the CSRF token of a first GET.
fn unisphere(sim: &ArraySim) -> RestClient {
    let mut rest = sim.rest();
    let reply = rest
        .send(&Request::get("/api/types/loginSessionInfo/instances").query("fields", "id"))
        .expect("login");
    let token = reply
        .header("EMC-CSRF-TOKEN")
        .expect("a CSRF token")
        .to_string();
    rest.set_header("EMC-CSRF-TOKEN", &token).unwrap();
    rest
}

fn pool(client: &mut BlockingClient, name: &str) -> lsm_core::types::Pool {
    client
        .pools(None)
        .unwrap()
        .into_iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no pool {name}"))
}

fn done<T>(completion: Completion<T>) -> T {
    match completion {
        Completion::Done(value) => value,
        Completion::Job(job) => panic!("a job ({}) where the change should be done", job.id),
    }
}

/// The array's LUNs and their `hostAccess`, as a test reads them.
fn host_access(rest: &RestClient, lun: &str) -> Vec<(String, i64)> {
    let reply: Value = rest
        .send_json(
            &Request::get(format!("/api/instances/lun/{lun}"))
                .query("compact", "true")
                .query("fields", "hostAccess"),
        )
        .unwrap();
    let mut list: Vec<(String, i64)> = reply["content"]["hostAccess"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            (
                a["host"]["id"].as_str().unwrap().to_string(),
                a["accessMask"].as_i64().unwrap(),
            )
        })
        .collect();
    list.sort();
    list
}

fn group(client: &mut BlockingClient, name: &str) -> AccessGroup {
    let system = client.systems().unwrap().remove(0);
    client
        .access_group_create(
            name,
            &format!("iqn.1994-05.com.redhat:{name}"),
            InitiatorType::ISCSI_IQN,
            &system,
        )
        .unwrap()
}

#[test]
fn changes_need_the_csrf_token_the_plugin_always_sends_and_expired_sessions_are_renewed() {
    // Sessions of an hour of the simulator's clock, which the test moves past.
    let sim = ArraySim::start("unity", &[]);
    // The array's side: a POST with good credentials but no session token is refused and
    // makes nothing.
    let bare = sim.rest();
    let refused = bare
        .send_any_status(
            &Request::post("/api/types/storageResource/action/createLun").json(&json!({
                "name": "no_token",
                "lunParameters": {"pool": {"id": "pool_1"}, "size": 1 << 30},
            })),
        )
        .unwrap();
    assert_eq!(refused.status(), 401);
    let body: Value = refused.json().unwrap();
    assert_eq!(body["error"]["errorCode"], 131_149_830, "{body}");

    let mut client = connect(&sim, TIMEOUT);
    assert_eq!(sim.requests(LOGIN), 1, "one login at registration");
    let pool = pool(&mut client, "flash_pool");
    let mut made = Vec::new();
    for n in 0..3 {
        made.push(done(
            client
                .volume_create(&pool, &format!("v{n}"), 1 << 30, Provisioning::THIN)
                .unwrap(),
        ));
    }
    assert_eq!(
        sim.requests(CREATE_LUN),
        4,
        "one refused by the test, then each of the plugin's three sent once: none refused"
    );
    assert_eq!(sim.requests(LOGIN), 1, "the session lasted");
    assert!(
        !client
            .volumes(None)
            .unwrap()
            .iter()
            .any(|v| v.name == "no_token")
    );

    // The session ends; the next change renews it with one login and is sent again.
    sim.advance_clock(Duration::from_secs(3600));
    done(
        client
            .volume_delete(&made[0])
            .expect("a delete after the session ended"),
    );
    assert_eq!(sim.requests(LOGIN), 2, "one login more");
    sim.advance_clock(Duration::from_secs(3600));
    assert_eq!(
        client.volumes(None).expect("a read after it ended").len(),
        2
    );
    assert_eq!(sim.requests(LOGIN), 3);
    // A DELETE the array refuses for its session is sent again after one more login.
    sim.add_fault("/api/instances/storageResource/*:status=401:count=1:method=DELETE");
    done(
        client
            .volume_delete(&made[1])
            .expect("a delete refused once"),
    );
    assert_eq!(sim.requests(LOGIN), 4);
    assert_eq!(client.volumes(None).unwrap().len(), 1);
    client.close().unwrap();
}

#[test]
fn unmasking_one_host_keeps_every_other_hosts_access() {
    let sim = ArraySim::start("unity", &[]);
    let mut client = connect(&sim, TIMEOUT);
    let pool = pool(&mut client, "flash_pool");
    let volume = done(
        client
            .volume_create(&pool, "shared", 1 << 30, Provisioning::THIN)
            .unwrap(),
    );
    let a = group(&mut client, "host-a");
    let b = group(&mut client, "host-b");
    client.volume_mask(&a, &volume).unwrap();
    client.volume_mask(&b, &volume).unwrap();
    let rest = unisphere(&sim);
    assert_eq!(
        host_access(&rest, &volume.id),
        [(a.id.clone(), 1), (b.id.clone(), 1)]
    );
    let again = client.volume_mask(&a, &volume).unwrap_err();
    assert_eq!(again.code, ErrorNumber::NO_STATE_CHANGE, "{again}");

    // Behind the plugin's back: host C gets production and snapshot access (3).
    let reply: Value = rest
        .send_json(&Request::post("/api/types/host/instances").json(&json!({"name": "host-c"})))
        .unwrap();
    let c = reply["content"]["id"].as_str().unwrap().to_string();
    let mut list: Vec<Value> = host_access(&rest, &volume.id)
        .into_iter()
        .map(|(host, mask)| json!({"host": {"id": host}, "accessMask": mask}))
        .collect();
    list.push(json!({"host": {"id": c}, "accessMask": 3}));
    rest.send(
        &Request::post(format!(
            "/api/instances/storageResource/{}/action/modifyLun",
            volume.id
        ))
        .json(&json!({"lunParameters": {"hostAccess": list}})),
    )
    .unwrap();

    client.volume_unmask(&a, &volume).unwrap();
    assert_eq!(
        host_access(&rest, &volume.id),
        [(b.id.clone(), 1), (c.clone(), 3)],
        "B's and C's access as they were"
    );
    let mut granted: Vec<String> = client
        .access_groups_granted_to_volume(&volume)
        .unwrap()
        .into_iter()
        .map(|g| g.id)
        .collect();
    granted.sort();
    assert_eq!(granted, [b.id.clone(), c.clone()]);
    let seen: Vec<String> = client
        .volumes_accessible_by_access_group(&b)
        .unwrap()
        .into_iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(seen, std::slice::from_ref(&volume.id));
    assert!(
        client
            .volumes_accessible_by_access_group(&a)
            .unwrap()
            .is_empty()
    );
    let error = client.volume_unmask(&a, &volume).unwrap_err();
    assert_eq!(error.code, ErrorNumber::NO_STATE_CHANGE, "{error}");
    let error = client.volume_delete(&volume).unwrap_err();
    assert_eq!(error.code, ErrorNumber::IS_MASKED, "{error}");
    client.close().unwrap();
}

#[test]
fn paging_100_a_page_over_2500_luns_lists_each_once() {
    const COUNT: usize = 2500;
    let sim = ArraySim::start("unity", &[]);
    // Made in 25 Unity jobs of 100 createLun tasks (one state write each, not 2,500).
    let rest = unisphere(&sim);
    let mut jobs = Vec::new();
    for batch in 0..COUNT / 100 {
        let tasks: Vec<Value> = (batch * 100..(batch + 1) * 100)
            .map(|index| {
                json!({
                    "name": format!("create_{index}"),
                    "object": "storageResource",
                    "action": "createLun",
                    "parametersIn": {
                        "name": format!("bulk_{index}"),
                        "lunParameters": {"pool": {"id": "pool_2"}, "size": 1 << 30},
                    },
                })
            })
            .collect();
        let reply: Value = rest
            .send_json(
                &Request::post("/api/types/job/instances")
                    .json(&json!({"description": "bulk", "tasks": tasks})),
            )
            .unwrap();
        jobs.push(reply["content"]["id"].as_str().unwrap().to_string());
    }
    for job in jobs {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let reply: Value = rest
                .send_json(
                    &Request::get(format!("/api/instances/job/{job}"))
                        .query("compact", "true")
                        .query("fields", "state"),
                )
                .unwrap();
            match reply["content"]["state"].as_i64() {
                Some(4) => break,
                Some(1 | 2) => {}
                other => panic!("job {job} state {other:?}"),
            }
            assert!(Instant::now() < deadline, "job {job} never finished");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let uri = sim.uri_with("&per_page=100");
    let mut client = BlockingClient::connect(&uri, Some(PASSWORD), TIMEOUT).unwrap();
    let before = sim.requests("GET /api/types/lun/instances");
    let listed = client.volumes(None).unwrap();
    let pages = sim.requests("GET /api/types/lun/instances") - before;
    assert_eq!(pages as usize, COUNT.div_ceil(100), "pages of 100");
    let mut names: Vec<&str> = listed.iter().map(|v| v.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), COUNT, "each LUN once");
    assert!(
        listed
            .iter()
            .all(|v| v.vpd83.len() == 32 && v.size_bytes() == 1 << 30)
    );
    client.close().unwrap();
}

#[test]
fn a_500_a_reset_a_slow_reply_and_a_failed_job_give_their_errors_and_leave_nothing() {
    let sim = ArraySim::start("unity", &[]);
    let mut client = connect(&sim, TIMEOUT);
    let pool = pool(&mut client, "flash_pool");

    sim.add_fault("/api/types/lun/instances:status=500:count=1");
    let error = client.volumes(None).unwrap_err();
    assert_eq!(error.code, ErrorNumber::PLUGIN_BUG, "{error}");
    assert!(error.message.contains("500"), "{error}");
    client.volumes(None).expect("the next call works");

    sim.add_fault("/api/types/filesystem/instances:reset:count=1");
    let error = client.fs(None).unwrap_err();
    assert_eq!(error.code, ErrorNumber::NETWORK_ERROR, "{error}");
    client.fs(None).expect("the next call reconnects");

    client.time_out_set(SHORT_TIMEOUT).unwrap();
    let latency = (SHORT_TIMEOUT + Duration::from_millis(1500)).as_millis();
    sim.add_fault(&format!(
        "/api/types/pool/instances:latency={latency}:count=1"
    ));
    let error = client.pools(None).unwrap_err();
    assert_eq!(error.code, ErrorNumber::TIMEOUT, "{error}");
    // The plugin's own TIMEOUT, in time (the client's timer would say the plugin did not
    // answer, and leave the session unusable: the next call shows it is not).
    assert!(
        !error.message.starts_with("plugin did not answer"),
        "{error}"
    );
    client.time_out_set(TIMEOUT).unwrap();
    assert_eq!(client.pools(None).unwrap().len(), 2, "the next call works");

    sim.add_fault("/api/types/storageResource/action/createLun:job=failure:count=1");
    let error = client
        .volume_create(&pool, "doomed", 1 << 30, Provisioning::THIN)
        .unwrap_err();
    assert_eq!(error.code, ErrorNumber::PLUGIN_BUG, "{error}");
    assert!(error.message.contains("65536"), "Unity's code: {error}");
    assert!(
        !client
            .volumes(None)
            .unwrap()
            .iter()
            .any(|v| v.name == "doomed"),
        "a failed create leaves nothing"
    );
    sim.add_fault("/api/types/storageResource/action/createFilesystem:status=500:count=1");
    let error = client.fs_create(&pool, "doomed_fs", 4 << 30).unwrap_err();
    assert_eq!(error.code, ErrorNumber::PLUGIN_BUG, "{error}");
    assert!(client.fs(None).unwrap().is_empty(), "nothing half-made");
    done(
        client
            .volume_create(&pool, "doomed", 1 << 30, Provisioning::THIN)
            .expect("the next create works"),
    );
    done(client.fs_create(&pool, "doomed_fs", 4 << 30).unwrap());
    client.close().unwrap();
}

/// Waits for an LSM job to complete; the object it made, if any.
/// What job `id` made, once done: the array's job steps are ended first
/// (`POST /_arraysim/jobs/finish`), so the loop polls a job that is already ending.
fn wait_job(sim: &ArraySim, client: &mut BlockingClient, id: &str) -> Option<LsmObject> {
    sim.finish_jobs();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let report = client.job_status(id).unwrap();
        if report.status == lsm_core::types::JobStatus::COMPLETE {
            return report.item;
        }
        assert!(Instant::now() < deadline, "job {id} never completed");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn snap_names(rest: &RestClient) -> Vec<String> {
    let reply: Value = rest
        .send_json(
            &Request::get("/api/types/snap/instances")
                .query("compact", "true")
                .query("fields", "name"),
        )
        .unwrap();
    reply["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["content"]["name"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn slow_jobs_become_lsm_jobs_that_another_connection_finishes() {
    // Each job step takes an hour of the array's clock: a job outlasts the plugin's wait
    // until the test ends its steps.
    let sim = ArraySim::start("unity", &["--job-ms", "3600000"]);
    let mut client = connect(&sim, TIMEOUT);
    let pool = pool(&mut client, "flash_pool");
    let Completion::Job(job) = client
        .volume_create(&pool, "slow", 1 << 30, Provisioning::THIN)
        .unwrap()
    else {
        panic!("a 3 s job answered at once");
    };
    assert!(job.id.starts_with("EMC_JOB:"), "{}", job.id);
    client.close().unwrap();
    let mut other = connect(&sim, TIMEOUT);
    let volume: Volume = match wait_job(&sim, &mut other, &job.id) {
        Some(LsmObject::Volume(volume)) => volume,
        made => panic!("the job made {made:?}"),
    };
    assert_eq!(
        (volume.name.as_str(), volume.size_bytes()),
        ("slow", 1 << 30)
    );
    other.job_free(&job.id).unwrap();

    // A slow clone: its snap goes once the job is seen done.
    let Completion::Job(clone_job) = other
        .volume_replicate(
            None,
            lsm_core::types::ReplicationType::CLONE,
            &volume,
            "slow_clone",
        )
        .unwrap()
    else {
        panic!("a 3 s clone answered at once");
    };
    let rest = unisphere(&sim);
    assert!(
        snap_names(&rest)
            .iter()
            .any(|n| n == "lsm_clone_slow_clone"),
        "the clone's snap while it runs"
    );
    match wait_job(&sim, &mut other, &clone_job.id) {
        Some(LsmObject::Volume(clone)) => assert_eq!(clone.name, "slow_clone"),
        made => panic!("the clone job made {made:?}"),
    }
    assert!(snap_names(&rest).is_empty(), "the clone's snap is gone");
    let error = other.job_status("EMC_JOB:N:41:").unwrap_err();
    assert_eq!(error.code, ErrorNumber::NOT_FOUND_JOB, "{error}");
    other.close().unwrap();
}

#[test]
fn a_clone_leaves_no_snap_and_keeps_its_base_from_deletion() {
    let sim = ArraySim::start("unity", &[]);
    let mut client = connect(&sim, TIMEOUT);
    let pool = pool(&mut client, "flash_pool");
    let base = done(
        client
            .volume_create(&pool, "base", 1 << 30, Provisioning::THIN)
            .unwrap(),
    );
    let clone = done(
        client
            .volume_replicate(
                None,
                lsm_core::types::ReplicationType::CLONE,
                &base,
                "clone",
            )
            .unwrap(),
    );
    assert_eq!(
        (clone.pool_id.as_str(), clone.size_bytes()),
        (pool.id.as_str(), 1 << 30)
    );
    assert_ne!(clone.vpd83, base.vpd83);
    let rest = unisphere(&sim);
    assert!(
        snap_names(&rest).is_empty(),
        "no snap left: {:?}",
        snap_names(&rest)
    );
    let error = client.volume_delete(&base).unwrap_err();
    assert_eq!(error.code, ErrorNumber::HAS_CHILD_DEPENDENCY, "{error}");
    assert_eq!(client.volumes(None).unwrap().len(), 2, "nothing deleted");
    done(client.volume_delete(&clone).unwrap());
    done(client.volume_delete(&base).unwrap());

    let thick = done(
        client
            .volume_create(&pool, "thick", 1 << 30, Provisioning::FULL)
            .unwrap(),
    );
    let error = client
        .volume_replicate(None, lsm_core::types::ReplicationType::CLONE, &thick, "no")
        .unwrap_err();
    assert_eq!(error.code, ErrorNumber::NO_SUPPORT, "{error}");
    let error = client
        .volume_replicate(None, lsm_core::types::ReplicationType::COPY, &thick, "no")
        .unwrap_err();
    assert_eq!(error.code, ErrorNumber::NO_SUPPORT, "{error}");
    let error = client.volume_resize(&thick, 512 << 20).unwrap_err();
    assert_eq!(error.code, ErrorNumber::NO_SUPPORT, "a shrink: {error}");
    assert!(snap_names(&rest).is_empty());
    assert_eq!(client.volumes(None).unwrap().len(), 1);
    client.close().unwrap();
}

#[test]
fn a_lun_made_or_removed_behind_the_plugins_back_is_seen_at_once() {
    let sim = ArraySim::start("unity", &[]);
    let mut client = connect(&sim, TIMEOUT);
    assert!(client.volumes(None).unwrap().is_empty());
    let rest = unisphere(&sim);
    let reply: Value = rest
        .send_json(
            &Request::post("/api/types/storageResource/action/createLun").json(&json!({
                "name": "behind_its_back",
                "lunParameters": {"pool": {"id": "pool_1"}, "size": 16 << 20},
            })),
        )
        .unwrap();
    let id = reply["content"]["storageResource"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let volumes = client.volumes(None).unwrap();
    assert_eq!(volumes.len(), 1);
    assert_eq!(
        (volumes[0].id.as_str(), volumes[0].size_bytes()),
        (id.as_str(), 16 << 20)
    );
    assert!(lsm_core::validate::vpd83_is_valid(&volumes[0].vpd83));
    rest.send(&Request::delete(format!(
        "/api/instances/storageResource/{id}"
    )))
    .unwrap();
    assert!(client.volumes(None).unwrap().is_empty());
    let error = client.volume_resize(&volumes[0], 1 << 30).unwrap_err();
    assert_eq!(error.code, ErrorNumber::NOT_FOUND_VOLUME, "{error}");
    client.close().unwrap();
}

#[test]
fn the_password_chap_secret_cookie_and_csrf_token_are_in_no_log_no_error_and_no_argv() {
    let sim = ArraySim::start("unity", &[]);
    let dirs = LsmdDirs::new("lsmrs-emc-secrets");
    dirs.link_plugin(
        "emc_lsmplugin",
        &workspace_binary("emc_lsmplugin", "plugin-emc"),
    );
    let mut command = dirs.command(&workspace_binary("lsmd", "lsmd"));
    command.arg("-v").env("LSM_PLUGIN_LOG", "trace");
    let lsmd = dirs.start(command);
    let mut messages = Vec::new();
    let mut client = BlockingClient::builder(sim.uri())
        .password(PASSWORD)
        .timeout(TIMEOUT)
        .socket_dir(&dirs.socket_dir)
        .daemon()
        .connect()
        .unwrap();
    let mut sessions: Vec<Value> = Vec::new();
    let keep_sessions = |sessions: &mut Vec<Value>| {
        let report: Value = sim
            .rest()
            .send_json(&Request::get("/_arraysim/sessions"))
            .unwrap();
        sessions.extend(report["sessions"].as_array().cloned().unwrap_or_default());
    };
    keep_sessions(&mut sessions);
    let pool = pool(&mut client, "flash_pool");
    let volume = done(
        client
            .volume_create(&pool, "secret_vol", 1 << 30, Provisioning::THIN)
            .unwrap(),
    );
    let host = group(&mut client, "secret-host");
    // The session ends (the array's clock moves past its hour): the plugin logs in again
    // (the password travels once more).
    sim.advance_clock(Duration::from_secs(3600));
    client
        .iscsi_chap_auth(
            &host.init_ids[0],
            &lsm_core::ChapAuth::inbound(lsm_core::ChapCredentials::new(
                "chap_in",
                "In-chap-S3cret",
            ))
            .with_outbound(lsm_core::ChapCredentials::new("chap_out", "Out-chap-S3cr")),
        )
        .unwrap();
    keep_sessions(&mut sessions);
    done(client.volume_delete(&volume).unwrap());
    client.time_out_set(SHORT_TIMEOUT).unwrap();
    sim.add_fault("/api/types/pool/instances:status=500");
    messages.push(client.pools(None).unwrap_err().to_string());
    sim.clear_faults();
    sim.add_fault("/api/instances/hostInitiator/*:status=401:count=2");
    let refused = client
        .iscsi_chap_auth(&host.init_ids[0], &lsm_core::ChapAuth::none())
        .unwrap_err();
    assert_eq!(refused.code, ErrorNumber::PLUGIN_AUTH_FAILED, "{refused}");
    messages.push(refused.to_string());
    sim.clear_faults();
    keep_sessions(&mut sessions);
    client.close().unwrap();
    let Err(refused) = BlockingClient::builder(sim.uri())
        .password("Wr0ng-pa55word")
        .timeout(TIMEOUT)
        .socket_dir(&dirs.socket_dir)
        .daemon()
        .connect()
    else {
        panic!("a wrong password was accepted");
    };
    assert_eq!(refused.code, ErrorNumber::PLUGIN_AUTH_FAILED, "{refused}");
    messages.push(format!("{refused} {refused:?}"));
    // Every plugin lsmd ran has exited: all they wrote is in the log.
    let lsmd_pid = lsmd.pid().as_raw() as u32;
    wait_until("lsmd's plugins to exit", || {
        lsm_test_support::process::children_of(lsmd_pid).is_empty()
    });
    let log = lsmd.log();
    for expected in [
        "POST https://127.0.0.1",
        "loginSessionInfo",
        "request body",
        "response body",
    ] {
        assert!(
            log.contains(expected),
            "the log has no {expected:?}:\n{log}"
        );
    }
    let mut secrets: Vec<String> = [
        PASSWORD,
        "Wr0ng-pa55word",
        "In-chap-S3cret",
        "Out-chap-S3cr",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for session in &sessions {
        for key in ["cookie", "csrfToken"] {
            secrets.push(session[key].as_str().unwrap().to_string());
        }
    }
    assert!(
        secrets.len() >= 8,
        "two sessions' cookies and tokens: {sessions:?}"
    );
    for secret in &secrets {
        assert!(!log.contains(secret.as_str()), "{secret:?} in lsmd's log");
        for message in &messages {
            assert!(
                !message.contains(secret.as_str()),
                "{secret:?} in {message:?}"
            );
        }
        for pid in lsm_test_support::process::descendants(std::process::id()) {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            assert!(
                !String::from_utf8_lossy(&cmdline).contains(secret.as_str()),
                "{secret:?} in the argv of {pid}"
            );
        }
    }
}

/// Every LUN and snap on the array, read through its own API.
fn luns_and_snaps(sim: &ArraySim) -> std::collections::BTreeSet<String> {
    let rest = unisphere(sim);
    let mut names = std::collections::BTreeSet::new();
    for kind in ["lun", "snap"] {
        let listed: Value = rest
            .send_json(
                &Request::get(format!("/api/types/{kind}/instances"))
                    .query("compact", "true")
                    .query("fields", "name"),
            )
            .unwrap_or_else(|error| panic!("GET {kind}: {error}"));
        for entry in listed["entries"].as_array().into_iter().flatten() {
            names.insert(format!(
                "{kind} {}",
                entry["content"]["name"].as_str().unwrap_or("?")
            ));
        }
    }
    names
}

#[test]
fn every_array_fault_gives_its_documented_error_leaves_nothing_half_made_and_the_next_call_works() {
    use lsm_test_support::faults::{CreateStep, FaultMatrix, run_fault_matrix};
    let sim = ArraySim::start("unity", &[]);
    // Unity's answers have no retry rule in the plugin (plugin-emc/src/error.rs): a 500 is
    // PLUGIN_BUG with Unity's text, a failed job the job's error (PLUGIN_BUG for a code
    // LSM has no name for); the rest is lsm-rest's.
    let expect = |_call, fault: lsm_test_support::faults::ArrayFault| fault.documented_default();
    run_fault_matrix(&FaultMatrix {
        sim: &sim,
        uri: sim.uri(),
        pool: "flash_pool",
        listing_paths: &["/api/types/lun/instances"],
        create_steps: &[CreateStep {
            path: "/api/types/storageResource/action/createLun",
            starts_job: true,
        }],
        expect: &expect,
        inventory: &luns_and_snaps,
    });
}
