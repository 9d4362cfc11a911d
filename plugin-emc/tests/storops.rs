//! Dell's own Unity client library, storops 1.2.12 unpatched, against a real
//! `lsm-arraysim --vendor unity` (`tests/sdk/storops_flow.py`, run by
//! `lsm_test_support::sdk::run_script`), both ways: `emc://` (through `BlockingClient`)
//! lists what storops made, and storops finds what `lsmcli -u emc://...` made.

use std::path::PathBuf;
use std::time::Duration;

use lsm_core::BlockingClient;
use lsm_test_support::cli::Cli;
use lsm_test_support::sdk::run_script;
use lsm_test_support::{ARRAYSIM_PASSWORD, ArraySim};
use serde_json::Value;

const TIMEOUT: Duration = Duration::from_secs(60);
const GIB: i64 = 1 << 30;

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/storops_flow.py")
}

fn text(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string in the summary: {v}"))
}

#[test]
fn storops_drives_the_simulator_and_emc_lists_what_it_made() {
    let sim = ArraySim::start("unity", &[]);
    let out = run_script(&script(), &sim, &["flow"]);
    let made = out.summary();
    let operations = made["operations"].as_u64().unwrap();
    assert!(operations >= 25, "only {operations} operations: {made}");
    // storops read the type metadata first, then used what it learned.
    for request in [
        "GET /api/types/lun",
        "GET /api/types/pool",
        "POST /api/types/storageResource/action/createLun",
        "POST /api/types/storageResource/action/createFilesystem",
    ] {
        assert!(sim.requests(request) >= 1, "storops never sent {request}");
    }

    let mut client = BlockingClient::connect(&sim.uri(), Some(ARRAYSIM_PASSWORD), TIMEOUT).unwrap();
    // The LUN: the only one left (the scratch LUN and its clone are gone), 3 GiB after
    // storops grew it, its WWN as the VPD 0x83 id.
    let volumes = client.volumes(None).unwrap();
    assert_eq!(volumes.len(), 1, "{volumes:?}");
    let volume = &volumes[0];
    assert_eq!(volume.id, text(&made["lun"]["id"]));
    assert_eq!(volume.name, "storops_lun");
    assert_eq!(volume.block_size * volume.num_of_blocks, 3 * GIB);
    assert_eq!(
        volume.vpd83,
        text(&made["lun"]["wwn"]).replace(':', "").to_lowercase()
    );
    assert_eq!(volume.pool_id, "pool_1");
    // The host, as an access group with its initiator, and the LUN it was given.
    let groups = client.access_groups(None).unwrap();
    assert_eq!(groups.len(), 1, "{groups:?}");
    let group = &groups[0];
    assert_eq!(group.id, text(&made["host"]["id"]));
    assert_eq!(group.name, "storops_host");
    assert_eq!(group.init_ids, [text(&made["host"]["initiator"])]);
    let masked = client.volumes_accessible_by_access_group(group).unwrap();
    assert_eq!(
        masked.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(),
        [volume.id.as_str()]
    );
    // The file system, 8 GiB after storops extended it, and its NFS share.
    let filesystems = client.fs(None).unwrap();
    assert_eq!(filesystems.len(), 1, "{filesystems:?}");
    let fs = &filesystems[0];
    assert_eq!(fs.id, text(&made["filesystem"]["id"]));
    assert_eq!(fs.name, "storops_fs");
    assert_eq!(fs.total_space, 8 * GIB);
    let exports = client.exports(None).unwrap();
    assert_eq!(exports.len(), 1, "{exports:?}");
    let export = &exports[0];
    assert_eq!(export.id, text(&made["share"]["id"]));
    assert_eq!(export.fs_id, fs.id);
    assert_eq!(export.export_path, "/storops_share");
    assert_eq!(export.rw, ["10.0.0.7"]);
    client.close().unwrap();
}

#[test]
fn storops_finds_what_lsmcli_made_through_emc() {
    let sim = ArraySim::start("unity", &[]);
    let cli = Cli::new(&sim.uri(), ARRAYSIM_PASSWORD);
    let iqn = "iqn.1994-05.com.redhat:lsmcli-host";
    let volume = cli.create(&[
        "volume-create",
        "--name",
        "lsmcli_vol",
        "--size",
        "2GiB",
        "--pool",
        "pool_1",
        "--provisioning",
        "THIN",
    ]);
    let group = cli.create(&[
        "access-group-create",
        "--name",
        "lsmcli_ag",
        "--init",
        iqn,
        "--sys",
        "FNM00000000001",
    ]);
    cli.ok(&["volume-mask", "--vol", &volume, "--ag", &group]);
    let fs = cli.create(&[
        "fs-create",
        "--name",
        "lsmcli_fs",
        "--size",
        "4GiB",
        "--pool",
        "pool_1",
    ]);
    // A multi-level export path: the share is named `lsmcli/share` (EXPORT_CUSTOM_PATH).
    let export_path = "/lsmcli/share";
    let export = cli.create(&[
        "fs-export",
        "--fs",
        &fs,
        "--exportpath",
        export_path,
        "--rw-host",
        "192.0.2.30",
    ]);
    let found = run_script(
        &script(),
        &sim,
        &[
            "find",
            "lsmcli_vol",
            "lsmcli_ag",
            iqn,
            "lsmcli_fs",
            &(4 * GIB).to_string(),
            export_path,
            &(2 * GIB).to_string(),
        ],
    )
    .summary();
    assert_eq!(found["operations"], 4, "{found}");
    assert_eq!(found["lun"], volume.as_str());
    assert_eq!(found["host"], group.as_str());
    assert_eq!(found["filesystem"], fs.as_str());
    assert_eq!(found["share"], export.as_str());
}
