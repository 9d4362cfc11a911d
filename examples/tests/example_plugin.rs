//! The example plugin (`example://`): driven through the client in process (the plugin served
//! on a thread: no binary, no daemon, the way a plugin crate's own tests run), then as its
//! executable `example_lsmplugin`, and checked with the conformance kit `lsm-plugin-check`,
//! as a third-party author would.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use lsm_core::{BlockingClient, Capability, ErrorNumber, Provisioning};
use lsm_examples::example_plugin::ExamplePlugin;
use lsm_test_support::workspace_binary;

const PLUGIN: &str = env!("CARGO_BIN_EXE_example_lsmplugin");
const TIMEOUT: Duration = Duration::from_secs(10);

/// The plugin in process: a fresh, empty array per session.
fn connect() -> BlockingClient {
    BlockingClient::builder("example://")
        .timeout(TIMEOUT)
        .in_process(|| ExamplePlugin)
        .connect()
        .unwrap()
}

#[test]
fn volumes_are_created_listed_and_deleted() {
    let mut client = connect();
    let system = client.systems().unwrap().remove(0);
    let capabilities = client.capabilities(&system).unwrap();
    assert_eq!(
        capabilities.supported_list(),
        [
            Capability::VOLUMES,
            Capability::VOLUME_CREATE,
            Capability::VOLUME_DELETE
        ]
    );
    let pool = client.pools(None).unwrap().remove(0);
    assert_eq!(pool.free_space, pool.total_space);

    let job = client
        .volume_create(&pool, "v1", 1_000_000, Provisioning::DEFAULT)
        .unwrap();
    assert!(
        job.job_id().is_some(),
        "creation goes through the job table"
    );
    let mut percents = Vec::new();
    let volume = client.wait(job, |p| percents.push(p)).unwrap();
    assert_eq!(percents, [100]);
    assert_eq!(volume.num_of_blocks, 1954, "rounded up to whole blocks");
    assert!(lsm_core::validate::vpd83_is_valid(&volume.vpd83));
    assert_eq!(client.volumes(None).unwrap(), std::slice::from_ref(&volume));
    assert_eq!(
        client
            .volumes(Some(lsm_core::VolumeSearch::Id("nope")))
            .unwrap(),
        [],
        "the SDK filters searches"
    );
    let pool_after = client
        .pools(Some(lsm_core::PoolSearch::Id(&pool.id)))
        .unwrap()
        .remove(0);
    assert_eq!(pool_after.free_space, pool.total_space - 1954 * 512);

    let done = client.volume_delete(&volume).unwrap();
    assert_eq!(done.job_id(), None);
    assert!(client.volumes(None).unwrap().is_empty());
    client.close().unwrap();
}

#[test]
fn errors_carry_the_right_codes() {
    let mut client = connect();
    let pool = client.pools(None).unwrap().remove(0);
    let job = client
        .volume_create(&pool, "v1", 4096, Provisioning::DEFAULT)
        .unwrap();
    let volume = client.wait_done(job).unwrap();

    let conflict = client
        .volume_create(&pool, "v1", 4096, Provisioning::DEFAULT)
        .unwrap_err();
    assert_eq!(conflict.code, ErrorNumber::NAME_CONFLICT);
    let too_big = client
        .volume_create(&pool, "v2", pool.total_space, Provisioning::DEFAULT)
        .unwrap_err();
    assert_eq!(too_big.code, ErrorNumber::NOT_ENOUGH_SPACE);
    let zero = client
        .volume_create(&pool, "v3", 0, Provisioning::DEFAULT)
        .unwrap_err();
    assert_eq!(zero.code, ErrorNumber::INVALID_ARGUMENT);

    let deleted = client.volume_delete(&volume).unwrap();
    client.wait_done(deleted).unwrap();
    let gone = client.volume_delete(&volume).unwrap_err();
    assert_eq!(gone.code, ErrorNumber::NOT_FOUND_VOLUME);
    let unsupported = client.fs(None).unwrap_err();
    assert_eq!(unsupported.code, ErrorNumber::NO_SUPPORT);
    client.close().unwrap();
}

#[test]
fn the_executable_serves_the_same_plugin() {
    let mut client = BlockingClient::builder("example://")
        .timeout(TIMEOUT)
        .plugin_exe(Path::new(PLUGIN))
        .connect()
        .unwrap();
    assert!(client.plugin_pid().is_some(), "a process of its own");
    let pool = client.pools(None).unwrap().remove(0);
    let job = client
        .volume_create(&pool, "v1", 4096, Provisioning::DEFAULT)
        .unwrap();
    let volume = client.wait_done(job).unwrap();
    assert_eq!(client.volumes(None).unwrap(), [volume]);
    assert_eq!(
        client.plugin_info().unwrap().description,
        "lsm-rs example plugin (in-memory array)"
    );
    client.close().unwrap();
}

#[test]
fn passes_lsm_plugin_check() {
    let check = workspace_binary("lsm-plugin-check", "lsm-tests");
    let plugin_dir = Path::new(PLUGIN).parent().unwrap();
    let output = Command::new(&check)
        .args(["--uri", "example://"])
        .env("LSM_PLUGIN_PATH", plugin_dir)
        .env_remove("LSM_UDS_PATH")
        .env_remove("LSMCLI_DEBUG_FD")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let summary = stdout.lines().last().unwrap_or("");
    let counts: Vec<u64> = summary
        .split(", ")
        .filter_map(|part| part.split_once(' ')?.0.parse().ok())
        .collect();
    assert!(
        output.status.success() && counts.len() == 3 && counts[1] == 0,
        "lsm-plugin-check failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(
        summary.ends_with(" skipped") && counts[0] > 0,
        "summary line: {summary}"
    );
}
