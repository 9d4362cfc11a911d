//! Creates, changes and deletes through `ontap_lsmplugin` against a real `lsm-arraysim` over
//! TLS, when the cluster fails them: a failed ONTAP job, a refused request half-way through a
//! create, a cluster slower than the call's timeout. Each gives the right LSM error within the
//! timeout, leaves nothing half-made on the cluster (checked with a REST client of the
//! test's own), and the next call works. And an LSM job started by one `lsmcli -b` process
//! is followed to its end by another.

use std::process::Command;
use std::time::{Duration, Instant};

use lsm_core::types::{JobStatus, Provisioning};
use lsm_core::{BlockingClient, ErrorNumber, FileSystem, Pool};
use lsm_rest::Request;
use lsm_test_support::{ARRAYSIM_PASSWORD, ArraySim};
use serde_json::Value;

const TIMEOUT: Duration = Duration::from_secs(20);
const GIB: i64 = 1 << 30;

fn connect(sim: &ArraySim, timeout: Duration) -> BlockingClient {
    BlockingClient::connect(&sim.uri(), Some(ARRAYSIM_PASSWORD), timeout).unwrap()
}

/// The FlexVols on the simulated cluster, as ONTAP lists them (name, comment).
fn flexvols(sim: &ArraySim) -> Vec<(String, String)> {
    let listed: Value = sim
        .rest()
        .send_json(&Request::get("/api/storage/volumes").query("fields", "name,comment"))
        .unwrap();
    listed["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["name"].as_str().unwrap_or_default().to_string(),
                v["comment"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn lun_names(sim: &ArraySim) -> Vec<String> {
    let listed: Value = sim
        .rest()
        .send_json(&Request::get("/api/storage/luns").query("fields", "name"))
        .unwrap();
    listed["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["name"].as_str().map(str::to_string))
        .collect()
}

/// A data aggregate (not a node's root aggregate).
fn data_pool(client: &mut BlockingClient) -> Pool {
    client
        .pools(None)
        .unwrap()
        .into_iter()
        .find(|p| p.name == "aggr1")
        .expect("the default inventory has aggr1")
}

/// Follow an LSM job to its end: the item it produced, or its error.
fn finish_job(
    client: &mut BlockingClient,
    job: &str,
) -> Result<Option<lsm_core::LsmObject>, lsm_core::LsmError> {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let report = client.job_status(job)?;
        if report.status == JobStatus::COMPLETE {
            client.job_free(job)?;
            return Ok(report.item);
        }
        assert!(Instant::now() < deadline, "job {job} did not end");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn create_fs(
    client: &mut BlockingClient,
    pool: &Pool,
    name: &str,
) -> Result<FileSystem, lsm_core::LsmError> {
    match client.fs_create(pool, name, GIB)? {
        lsm_core::Completion::Done(fs) => Ok(fs),
        lsm_core::Completion::Job(job) => match finish_job(client, &job.id)? {
            Some(lsm_core::LsmObject::FileSystem(fs)) => Ok(fs),
            other => panic!("fs_create's job gave {other:?}"),
        },
    }
}

#[test]
fn a_failed_fs_create_job_is_an_error_and_leaves_no_file_system() {
    let sim = ArraySim::ontap();
    let mut client = connect(&sim, TIMEOUT);
    let pool = data_pool(&mut client);
    sim.add_fault("/api/storage/volumes:method=POST:job=failure:count=1");
    let error = create_fs(&mut client, &pool, "failed_fs").unwrap_err();
    assert_eq!(error.code, ErrorNumber::PLUGIN_BUG, "{error}");
    assert!(
        error.message.contains("injected"),
        "ONTAP's message is kept: {error}"
    );
    assert!(
        !flexvols(&sim).iter().any(|(name, _)| name == "failed_fs"),
        "a failed create left a volume"
    );
    assert!(
        !client
            .fs(None)
            .unwrap()
            .iter()
            .any(|fs| fs.name == "failed_fs")
    );

    let fs = create_fs(&mut client, &pool, "failed_fs").expect("the next create works");
    assert_eq!(fs.name, "failed_fs");
    assert_eq!(fs.pool_id, pool.id);
    client.close().unwrap();
}

#[test]
fn a_failed_container_job_leaves_neither_volume_nor_lun() {
    let sim = ArraySim::ontap();
    let mut client = connect(&sim, TIMEOUT);
    let pool = data_pool(&mut client);
    let volumes_before = flexvols(&sim);
    sim.add_fault("/api/storage/volumes:method=POST:job=failure:count=1");
    let error = client
        .volume_create(&pool, "lun_a", GIB, Provisioning::THIN)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(error.code, ErrorNumber::PLUGIN_BUG, "{error}");
    assert_eq!(
        flexvols(&sim),
        volumes_before,
        "nothing is left of the create"
    );
    assert!(!lun_names(&sim).iter().any(|name| name.ends_with("/lun_a")));

    let made = client
        .volume_create(&pool, "lun_a", GIB, Provisioning::THIN)
        .unwrap();
    let lsm_core::Completion::Done(volume) = made else {
        panic!("a LUN is made at once once its container is there");
    };
    assert_eq!(volume.name, "lun_a");
    assert_eq!(volume.pool_id, pool.id);
    assert_eq!(volume.size_bytes(), GIB);
    client.close().unwrap();
}

#[test]
fn a_refused_lun_create_removes_the_container_it_made() {
    let sim = ArraySim::ontap();
    let mut client = connect(&sim, TIMEOUT);
    let pool = data_pool(&mut client);
    let volumes_before = flexvols(&sim);
    sim.add_fault("/api/storage/luns:method=POST:status=500:count=1");
    let error = client
        .volume_create(&pool, "lun_b", GIB, Provisioning::FULL)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(error.code, ErrorNumber::PLUGIN_BUG, "{error}");
    assert_eq!(
        flexvols(&sim),
        volumes_before,
        "the container FlexVol of the refused LUN was removed"
    );
    assert!(!lun_names(&sim).iter().any(|name| name.ends_with("/lun_b")));
    assert!(
        !client
            .volumes(None)
            .unwrap()
            .iter()
            .any(|v| v.name == "lun_b")
    );

    let lsm_core::Completion::Done(volume) = client
        .volume_create(&pool, "lun_b", GIB, Provisioning::FULL)
        .unwrap()
    else {
        panic!("volume_create answers at once");
    };
    let containers: Vec<_> = flexvols(&sim)
        .into_iter()
        .filter(|(_, comment)| comment == "lsm-rs LUN container")
        .collect();
    assert_eq!(containers.len(), 1, "{containers:?}");
    assert!(
        client
            .volumes(None)
            .unwrap()
            .iter()
            .any(|v| v.id == volume.id)
    );
    client.close().unwrap();
}

#[test]
fn a_container_slower_than_the_timeout_becomes_a_job_that_makes_the_lun() {
    let sim = ArraySim::ontap();
    let timeout = Duration::from_secs(2);
    let mut client = connect(&sim, timeout);
    let pool = data_pool(&mut client);
    // The container's job cannot be followed within the call: every poll is slow.
    sim.add_fault("/api/cluster/jobs/*:latency=3000");
    // An LSM job, in time: had the call outlived its timeout, the client's own timer would
    // have ended it with TIMEOUT.
    let answer = client.volume_create(&pool, "lun_slow", GIB, Provisioning::THIN);
    let job = match answer {
        Ok(lsm_core::Completion::Job(job)) => job.id,
        other => panic!("a slow container is followed by an LSM job, got {other:?}"),
    };
    let error = client.job_status(&job).unwrap_err();
    assert_eq!(error.code, ErrorNumber::TIMEOUT, "{error}");
    // The plugin's own TIMEOUT, in time (the client's timer would say the plugin did not
    // answer, and leave the session unusable).
    assert!(
        !error.message.starts_with("plugin did not answer"),
        "{error}"
    );
    assert!(
        !lun_names(&sim)
            .iter()
            .any(|name| name.ends_with("/lun_slow")),
        "no LUN before its job has ended"
    );

    sim.clear_faults();
    assert!(!client.systems().unwrap().is_empty(), "the next call works");
    let volume = match finish_job(&mut client, &job).unwrap() {
        Some(lsm_core::LsmObject::Volume(volume)) => volume,
        other => panic!("volume_create's job gave {other:?}"),
    };
    assert_eq!(volume.name, "lun_slow");
    assert_eq!(volume.pool_id, pool.id);
    assert_eq!(
        lun_names(&sim)
            .iter()
            .filter(|name| name.ends_with("/lun_slow"))
            .count(),
        1
    );
    client.close().unwrap();
}

#[test]
fn a_job_started_by_one_lsmcli_is_followed_by_another() {
    let sim = ArraySim::ontap();
    let mut client = connect(&sim, TIMEOUT);
    let pool = data_pool(&mut client);
    client.close().unwrap();
    let lsmcli = |args: &[&str]| {
        let output = Command::new(lsm_test_support::workspace_binary("lsmcli", "lsmcli"))
            .arg("-u")
            .arg(sim.uri())
            .args(args)
            .env("LSMCLI_PASSWORD", ARRAYSIM_PASSWORD)
            // No LSM_UDS_PATH: embedded mode, the plugin started by lsmcli itself.
            .env_remove("LSM_UDS_PATH")
            .env("LSM_PLUGIN_PATH", lsm_test_support::bin_dir())
            .env_remove("LSMCLI_URI")
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).trim().to_string(),
            String::from_utf8_lossy(&output.stderr).to_string(),
        )
    };
    let (code, job, stderr) = lsmcli(&[
        "-b",
        "fs-create",
        "--name",
        "from_cli",
        "--size",
        "1GiB",
        "--pool",
        &pool.id,
    ]);
    assert_eq!(
        code,
        Some(7),
        "lsmcli -b exits 7 with a job id: {job} {stderr}"
    );
    assert!(job.starts_with("ONTAP_JOB:"), "{job}");
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let (code, out, stderr) = lsmcli(&["-t", ",", "job-status", "--job", &job]);
        if code == Some(0) {
            assert!(
                out.contains("from_cli"),
                "the job's file system is shown: {out}"
            );
            break;
        }
        assert_eq!(code, Some(7), "job-status: {out} {stderr}");
        assert!(Instant::now() < deadline, "the job did not end");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut client = connect(&sim, TIMEOUT);
    assert!(
        client
            .fs(None)
            .unwrap()
            .iter()
            .any(|fs| fs.name == "from_cli")
    );
    client.close().unwrap();
}
