//! `nstor_lsmplugin` against a real `lsm-arraysim --vendor nexenta` over TLS when the
//! appliance expires tokens, is busy, is big, misbehaves or is changed behind the plugin's
//! back:
//!
//! - a token that expires mid-session: the plugin logs in again and the call succeeds;
//! - `EBUSY` twice, then the answer: the call succeeds after backoff; `EBUSY` forever:
//!   `TIMEOUT` within the timeout, and the next call works;
//! - a file system whose snapshot has a clone is not deleted (`HAS_CHILD_DEPENDENCY`);
//! - 2,500 file systems at 100 a page: every one listed, in the pages that implies;
//! - a dropped connection, a reply slower than the timeout, a failed job: the LSM error in
//!   time, nothing half-made, the next call works;
//! - a zvol made or removed behind the plugin's back is seen at once;
//! - through lsmd with the plugin logging at `trace`: the password (and its Basic value),
//!   a CHAP secret and the tokens are in no log line, no error message, no argv, and not
//!   in the environment of a plugin process (under lsmd or embedded).

use std::time::{Duration, Instant};

use lsm_core::types::Provisioning;
use lsm_core::{BlockingClient, Completion, ErrorNumber};
use lsm_rest::{Request, RestClient};
use lsm_test_support::secrets::{
    assert_no_secret, assert_no_secret_in_any_argv, assert_no_secret_in_process, basic_value,
};
use lsm_test_support::{
    ARRAYSIM_PASSWORD as PASSWORD, ARRAYSIM_USER as USER, ArraySim, LsmdDirs, wait_until,
    workspace_binary,
};
use plugin_nexenta::client::api::PAGE_SIZE;
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(20);
const SHORT_TIMEOUT: Duration = Duration::from_secs(2);

fn connect(sim: &ArraySim, timeout: Duration) -> BlockingClient {
    BlockingClient::connect(&sim.uri(), Some(PASSWORD), timeout)
        .unwrap_or_else(|error| panic!("connect to {}: {error}", sim.uri()))
}

/// A REST client of the test's own, logged in to the simulated appliance.
fn nef(sim: &ArraySim) -> RestClient {
    let mut rest = sim.rest();
    let reply: Value = rest
        .send_json(
            &Request::post("/auth/login").json(&json!({"username": USER, "password": PASSWORD})),
        )
        .expect("login");
    rest.set_bearer_token(reply["token"].as_str().expect("a token"));
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

#[test]
fn a_token_that_expires_mid_session_is_renewed_and_the_call_succeeds() {
    let sim = ArraySim::start("nexenta", &[]);
    let mut client = connect(&sim, TIMEOUT);
    assert_eq!(client.systems().unwrap().len(), 1);
    assert_eq!(sim.requests("POST /auth/login"), 1);
    // The token (an hour) expires: the appliance's clock moves past it.
    sim.advance_clock(Duration::from_secs(3600));
    let pools = client.pools(None).expect("pools after the token expired");
    assert_eq!(pools.len(), 2);
    assert_eq!(
        sim.requests("POST /auth/login"),
        2,
        "one login more, once the token was refused"
    );
    client.close().unwrap();
}

#[test]
fn ebusy_is_retried_within_the_timeout_and_forever_busy_is_timeout() {
    let sim = ArraySim::start("nexenta", &[]);
    let mut client = connect(&sim, TIMEOUT);
    let before = sim.requests("GET /storage/volumes");
    sim.add_fault("/storage/volumes:status=500:count=2:method=GET");
    client.volumes(None).expect("volumes after two EBUSY");
    assert_eq!(
        sim.requests("GET /storage/volumes") - before,
        3,
        "two refused, one answered"
    );

    client.time_out_set(SHORT_TIMEOUT).unwrap();
    sim.add_fault("/storage/volumes:status=500:method=GET");
    let error = client.volumes(None).unwrap_err();
    assert_eq!(error.code, ErrorNumber::TIMEOUT, "{error}");
    assert!(
        !error.message.starts_with("plugin did not answer"),
        "the plugin's own answer: {error}"
    );
    sim.clear_faults();
    client.volumes(None).expect("the next call works");
    client.close().unwrap();
}

#[test]
fn a_file_system_with_a_cloned_snapshot_is_not_deleted() {
    let sim = ArraySim::start("nexenta", &[]);
    let mut client = connect(&sim, TIMEOUT);
    let pool = pool(&mut client, "pool1");
    let fs = done(client.fs_create(&pool, "origin_fs", 64 << 20).unwrap());
    let snapshot = done(client.fs_snapshot_create(&fs, "base").unwrap());
    let clone = done(client.fs_clone(&fs, "clone_fs", Some(&snapshot)).unwrap());
    assert!(client.fs_child_dependency(&fs, None).unwrap());
    let error = client.fs_delete(&fs).unwrap_err();
    assert_eq!(error.code, ErrorNumber::HAS_CHILD_DEPENDENCY, "{error}");
    let names: Vec<String> = client
        .fs(None)
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert!(
        names.contains(&fs.name) && names.contains(&clone.name),
        "{names:?}"
    );
    assert_eq!(
        client.fs_snapshots(&fs).unwrap().len(),
        1,
        "the snapshot stays"
    );
    // Promoting the clone frees the origin, which can then go.
    done(client.fs_child_dependency_rm(&fs, None).unwrap());
    assert!(!client.fs_child_dependency(&fs, None).unwrap());
    done(client.fs_delete(&fs).unwrap());
    let names: Vec<String> = client
        .fs(None)
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert!(
        !names.contains(&fs.name) && names.contains(&clone.name),
        "{names:?}"
    );
    client.close().unwrap();
}

#[test]
fn paging_over_2500_file_systems_lists_each_once_in_the_pages_it_takes() {
    const COUNT: usize = 2500;
    let sim = ArraySim::start("nexenta", &[]);
    let count_on_appliance = || {
        let all: Value = nef(&sim)
            .send_json(&Request::get("/storage/filesystems").query("limit", 100_000))
            .unwrap();
        all["data"].as_array().unwrap().len()
    };
    let inventory = count_on_appliance();
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                let rest = nef(&sim);
                loop {
                    let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if index >= COUNT {
                        return;
                    }
                    let reply = rest
                        .send(
                            &Request::post("/storage/filesystems")
                                .json(&json!({"path": format!("pool1/bulk_{index}")})),
                        )
                        .unwrap();
                    assert!(matches!(reply.status(), 201 | 202), "{}", reply.status());
                }
            });
        }
    });
    // Each create is a job (202): the last ones may still run on a busy machine.
    wait_until("every file system job to end", || {
        count_on_appliance() == inventory + COUNT
    });
    let on_appliance = count_on_appliance();

    let mut client = connect(&sim, TIMEOUT);
    let before = sim.requests("GET /storage/filesystems");
    let listed = client.fs(None).unwrap();
    let pages = sim.requests("GET /storage/filesystems") - before;
    assert_eq!(
        pages as usize,
        on_appliance.div_ceil(PAGE_SIZE),
        "{on_appliance} at {PAGE_SIZE}"
    );
    let mut names: Vec<&str> = listed
        .iter()
        .map(|f| f.name.as_str())
        .filter(|n| n.starts_with("bulk_"))
        .collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), COUNT, "each file system once");
    client.close().unwrap();
}

#[test]
fn a_reset_a_slow_reply_and_a_failed_job_give_their_errors_and_leave_nothing() {
    let sim = ArraySim::start("nexenta", &[]);
    let mut client = connect(&sim, TIMEOUT);
    let pool = pool(&mut client, "pool1");

    sim.add_fault("/storage/filesystems:reset:count=1:method=GET");
    let error = client.fs(None).unwrap_err();
    assert_eq!(error.code, ErrorNumber::NETWORK_ERROR, "{error}");
    client.fs(None).expect("the next call reconnects");

    client.time_out_set(SHORT_TIMEOUT).unwrap();
    let latency = (SHORT_TIMEOUT + Duration::from_millis(1500)).as_millis();
    sim.add_fault(&format!("/storage/pools:latency={latency}:count=1"));
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

    sim.add_fault("/storage/filesystems:job=failure:count=1:method=POST");
    let error = client.fs_create(&pool, "doomed_fs", 64 << 20).unwrap_err();
    // An error LSM has no code for is PLUGIN_BUG (as for the ONTAP plugin), with the
    // appliance's own code and text.
    assert_eq!(error.code, ErrorNumber::PLUGIN_BUG, "{error}");
    assert!(
        error.message.contains("EIO") && error.message.contains("job"),
        "{error}"
    );
    assert!(
        !client
            .fs(None)
            .unwrap()
            .iter()
            .any(|f| f.name == "doomed_fs"),
        "a failed create leaves nothing"
    );
    done(
        client
            .fs_create(&pool, "doomed_fs", 64 << 20)
            .expect("the next create works"),
    );
    client.close().unwrap();
}

#[test]
fn a_zvol_made_or_removed_behind_the_plugins_back_is_seen_at_once() {
    let sim = ArraySim::start("nexenta", &[]);
    let mut client = connect(&sim, TIMEOUT);
    let pool = pool(&mut client, "pool1");
    // The plugin makes the pool's volume group with its first volume.
    let first = done(
        client
            .volume_create(&pool, "first_vol", 32 << 20, Provisioning::THIN)
            .unwrap(),
    );
    let group = first.id.rsplit_once('/').unwrap().0.to_string();
    let rest = nef(&sim);
    let reply = rest
        .send(&Request::post("/storage/volumes").json(&json!({
            "path": format!("{group}/behind_its_back"),
            "volumeSize": 16 << 20,
            "sparseVolume": true,
        })))
        .unwrap();
    assert!(matches!(reply.status(), 201 | 202));
    let deadline = Instant::now() + Duration::from_secs(10);
    let made = loop {
        let volumes = client.volumes(None).unwrap();
        if let Some(v) = volumes.into_iter().find(|v| v.name == "behind_its_back") {
            break v;
        }
        assert!(Instant::now() < deadline, "the zvol never showed");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(made.size_bytes(), 16 << 20);
    assert!(lsm_core::validate::vpd83_is_valid(&made.vpd83) && !made.vpd83.is_empty());
    let path = plugin_nexenta::client::api::segment(&made.id);
    rest.send(&Request::delete(format!("/storage/volumes/{path}")))
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while client
        .volumes(None)
        .unwrap()
        .iter()
        .any(|v| v.id == made.id)
    {
        assert!(Instant::now() < deadline, "the zvol never went");
        std::thread::sleep(Duration::from_millis(20));
    }
    client.close().unwrap();
}

#[test]
fn the_password_and_tokens_are_in_no_log_no_error_message_and_no_argv() {
    let sim = ArraySim::start("nexenta", &[]);
    let dirs = LsmdDirs::new("lsmrs-nstor-secrets");
    dirs.link_plugin(
        "nstor_lsmplugin",
        &workspace_binary("nstor_lsmplugin", "plugin-nexenta"),
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
    let pool = pool(&mut client, "pool1");
    // The appliance's live tokens (`GET /_arraysim/sessions`), taken while each lives.
    let mut tokens: Vec<String> = Vec::new();
    let keep_tokens = |tokens: &mut Vec<String>| {
        let report = sim
            .rest()
            .send_json::<Value>(&Request::get("/_arraysim/sessions"))
            .expect("GET /_arraysim/sessions");
        for session in report["sessions"].as_array().cloned().unwrap_or_default() {
            let token = session["token"].as_str().expect("a token").to_string();
            if !tokens.contains(&token) {
                tokens.push(token);
            }
        }
    };
    keep_tokens(&mut tokens);
    let mut secrets: Vec<String> = [PASSWORD, "Wr0ng-pa55word", "In-chap-S3cret"]
        .iter()
        .map(|secret| secret.to_string())
        .chain([
            basic_value(USER, PASSWORD),
            basic_value(USER, "Wr0ng-pa55word"),
        ])
        .collect();
    // The plugin process lsmd runs for this session, while it runs: no secret in its argv
    // or environment.
    let lsmd_pid = lsmd.pid().as_raw() as u32;
    let plugins: Vec<u32> = lsm_test_support::process::children_of(lsmd_pid)
        .into_iter()
        .map(|(pid, _)| pid)
        .collect();
    assert_eq!(plugins.len(), 1, "one plugin under lsmd: {plugins:?}");
    assert_no_secret_in_process(&secrets, plugins[0]);
    let fs = done(client.fs_create(&pool, "secret_fs", 64 << 20).unwrap());
    // A token expires (the appliance's clock moves past its hour): the plugin logs in
    // again (the password travels once more).
    sim.advance_clock(Duration::from_secs(3600));
    client
        .iscsi_chap_auth(
            "iqn.1994-05.com.redhat:secret-host",
            &lsm_core::ChapAuth::inbound(lsm_core::ChapCredentials::new(
                "chap_in",
                "In-chap-S3cret",
            )),
        )
        .unwrap();
    keep_tokens(&mut tokens);
    done(client.fs_delete(&fs).unwrap());
    client.time_out_set(SHORT_TIMEOUT).unwrap();
    sim.add_fault("/storage/pools:status=500");
    messages.push(client.pools(None).unwrap_err().to_string());
    sim.clear_faults();
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
    // The plugin the client spawns itself (embedded), while it runs; its refusal.
    let embedded = BlockingClient::connect(&sim.uri(), Some(PASSWORD), TIMEOUT).unwrap();
    assert_no_secret_in_process(&secrets, embedded.plugin_pid().expect("a plugin process"));
    assert_no_secret_in_any_argv(&secrets);
    embedded.close().unwrap();
    let Err(refused) = BlockingClient::connect(&sim.uri(), Some("Wr0ng-pa55word"), TIMEOUT) else {
        panic!("a wrong password was accepted");
    };
    messages.push(format!("{refused} {refused:?}"));
    // Every plugin lsmd ran has exited: all they wrote is in the log.
    wait_until("lsmd's plugins to exit", || {
        lsm_test_support::process::children_of(lsmd_pid).is_empty()
    });
    // The first session's token and the one of its login after the expiry, at least.
    assert!(tokens.len() >= 2, "the appliance's tokens: {tokens:?}");
    secrets.extend(tokens);
    let log = lsmd.log();
    for expected in [
        "POST https://127.0.0.1",
        "/auth/login",
        "request body",
        "response body",
    ] {
        assert!(
            log.contains(expected),
            "the log has no {expected:?}:\n{log}"
        );
    }
    assert!(
        log.matches("/auth/login").count() >= 2,
        "the re-login is in the log"
    );
    assert!(
        log.contains("TRACE") && log.contains("DEBUG"),
        "the log has trace and debug lines"
    );
    assert_no_secret(
        &secrets,
        "lsmd's log (lsmd and its plugins, at trace)",
        &log,
    );
    for message in &messages {
        assert_no_secret(&secrets, &format!("the error message {message:?}"), message);
    }
    assert_no_secret_in_any_argv(&secrets);
    // No token (32 hex digits after "Bearer ", or as a login reply's "token") is shown.
    for line in log.lines() {
        for marker in ["Bearer ", "\"token\":\""] {
            if let Some(at) = line.find(marker) {
                let rest = &line[at + marker.len()..];
                let shown: String = rest.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
                assert!(shown.len() < 16, "a token in the log: {line}");
            }
        }
    }
}

/// Waits for an LSM job to complete; the object it made, if any.
/// What a call made, at once or by its job: the appliance's job steps are ended first
/// (`POST /_arraysim/jobs/finish`), so the client's own job polling waits on no step time.
fn settled<T: lsm_core::client::JobOutput>(
    sim: &ArraySim,
    client: &mut BlockingClient,
    completion: Completion<T>,
) -> T {
    if matches!(completion, Completion::Job(_)) {
        sim.finish_jobs();
    }
    client.wait_done(completion).expect("the job's outcome")
}

#[test]
fn a_slow_copy_is_an_lsm_job_and_leaves_no_replication_service() {
    let sim = ArraySim::start("nexenta", &[]);
    let mut client = connect(&sim, TIMEOUT);
    let pool1 = pool(&mut client, "pool1");
    let pool2 = pool(&mut client, "pool2");
    let made = client
        .volume_create(&pool1, "copy_src", 64 << 20, Provisioning::FULL)
        .unwrap();
    let source = settled(&sim, &mut client, made);
    // The copy's job steps take an hour of the appliance's clock: it outlasts the
    // plugin's wait, until the test ends the steps.
    sim.add_fault("/hpr/*/start:job_ms=3600000:count=1");
    let completion = client
        .volume_replicate(
            Some(&pool2),
            lsm_core::types::ReplicationType::COPY,
            &source,
            "copy_dst",
        )
        .unwrap();
    let Completion::Job(job) = &completion else {
        panic!("a copy of 2 job steps answered at once");
    };
    assert!(job.id.starts_with("NSTOR_JOB:"), "{}", job.id);
    let copy = settled(&sim, &mut client, completion);
    assert_eq!(copy.pool_id, "pool2");
    assert_eq!(copy.size_bytes(), source.size_bytes());
    assert_ne!(copy.vpd83, source.vpd83, "its own logical unit");
    let services: Value = nef(&sim).send_json(&Request::get("/hpr")).unwrap();
    assert_eq!(
        services["data"],
        json!([]),
        "the replication service is removed"
    );
    // Independent: the source goes, the copy stays.
    let deleted = client.volume_delete(&source).unwrap();
    settled(&sim, &mut client, deleted);
    assert!(
        client
            .volumes(None)
            .unwrap()
            .iter()
            .any(|v| v.id == copy.id)
    );
    client.close().unwrap();
}

/// The paths of the zvols and volume groups on the simulated appliance: what a volume
/// create can make.
fn zvols_and_groups(sim: &ArraySim) -> std::collections::BTreeSet<String> {
    let rest = nef(sim);
    let mut names = std::collections::BTreeSet::new();
    for (path, kind) in [
        ("/storage/volumes", "zvol"),
        ("/storage/volumeGroups", "group"),
    ] {
        let listed: Value = rest
            .send_json(&Request::get(path).query("limit", 100_000))
            .unwrap_or_else(|error| panic!("GET {path}: {error}"));
        for record in listed["data"].as_array().into_iter().flatten() {
            names.insert(format!("{kind} {}", record["path"].as_str().unwrap_or("?")));
        }
    }
    names
}

#[test]
fn every_array_fault_gives_its_documented_error_leaves_nothing_half_made_and_the_next_call_works() {
    use lsm_test_support::faults::{ArrayFault, CreateStep, Expect, FaultMatrix, run_fault_matrix};
    let sim = ArraySim::nexenta();
    // NexentaStor's answers the plugin has a rule for (`plugin-nexenta/src/error.rs`): a
    // 500 is NEF's "busy" (EBUSY), sent again with backoff within the call's deadline, so
    // one 500 is ridden out and 500s that never end are TIMEOUT; a failed job is the job's
    // error, PLUGIN_BUG for EIO (no LSM name); the rest is lsm-rest's.
    let expect = |_call, fault: ArrayFault| match fault {
        ArrayFault::Status500Once => Expect::Works,
        ArrayFault::Status500Always => Expect::Fails(ErrorNumber::TIMEOUT),
        _ => fault.documented_default(),
    };
    run_fault_matrix(&FaultMatrix {
        sim: &sim,
        uri: sim.uri(),
        pool: "pool1",
        listing_paths: &["/storage/volumes", "/san/logicalUnits"],
        create_steps: &[CreateStep {
            path: "/storage/volumes",
            starts_job: true,
        }],
        expect: &expect,
        inventory: &zvols_and_groups,
    });
}
