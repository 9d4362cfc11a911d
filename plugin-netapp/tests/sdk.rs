//! NetApp's own ONTAP client library, `netapp-ontap` (unpatched, from the venv
//! `scripts/sdk-venv.sh` makes), against a real `lsm-arraysim --vendor ontap`: the whole
//! flow of `tests/sdk/ontap_flow.py`, what it made checked on the simulator; then both
//! ways: the plugin (`ontap://`) lists what the library made, and the library finds what
//! lsmcli made through the plugin.

use std::path::PathBuf;
use std::time::Duration;

use lsm_core::{BlockingClient, InitiatorType};
use lsm_rest::Request;
use lsm_test_support::cli::Cli;
use lsm_test_support::sdk::{ScriptOutput, run_script};
use lsm_test_support::{ARRAYSIM_PASSWORD, ArraySim};
use serde_json::{Value, json};

const GIB: u64 = 1 << 30;
const TIMEOUT: Duration = Duration::from_secs(30);

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/ontap_flow.py")
}

/// `ontap_flow.py flow` against `sim`: its summary's `made`.
fn sdk_flow(sim: &ArraySim) -> Value {
    let out: ScriptOutput = run_script(&script(), sim, &["flow"]);
    let summary = out.summary();
    let operations = summary["operations"].as_u64().unwrap_or(0);
    assert!(
        operations >= 25,
        "{operations} operations: {summary}\n{}",
        out.stderr
    );
    summary["made"].clone()
}

fn get(sim: &ArraySim, path: &str) -> Value {
    sim.rest()
        .send_json(&Request::get(path))
        .unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

#[test]
fn netapp_ontap_drives_a_whole_flow() {
    let sim = ArraySim::ontap();
    let made = sdk_flow(&sim);

    // What the library says it made is on the simulator, as it said.
    let volume = get(
        &sim,
        &format!(
            "/api/storage/volumes/{}?fields=name,size,nas",
            made["volume"]["uuid"].as_str().unwrap()
        ),
    );
    assert_eq!(volume["name"], "sdk_vol");
    assert_eq!(volume["size"], 4 * GIB);
    assert_eq!(made["volume"]["size"], 4 * GIB);
    assert_eq!(volume["nas"]["path"], "/sdk_vol");
    assert_eq!(volume["nas"]["export_policy"]["name"], "sdk_exp");
    assert_eq!(volume["nas"]["export_policy"]["id"], made["export"]["id"]);

    let lun = get(
        &sim,
        &format!(
            "/api/storage/luns/{}?fields=name,space.size,status.mapped",
            made["lun"]["uuid"].as_str().unwrap()
        ),
    );
    assert_eq!(lun["name"], "/vol/sdk_vol/sdk_lun");
    assert_eq!(lun["space"]["size"], GIB);
    assert_eq!(lun["status"]["mapped"], false);
    // The clone the flow deleted, the snapshot it deleted, the policy it deleted: gone.
    let luns = get(&sim, "/api/storage/luns?fields=name");
    assert_eq!(luns["num_records"], 1, "{luns}");
    let snapshots = get(
        &sim,
        &format!(
            "/api/storage/volumes/{}/snapshots",
            made["volume"]["uuid"].as_str().unwrap()
        ),
    );
    assert_eq!(snapshots["num_records"], 0, "{snapshots}");
    assert_eq!(
        get(&sim, "/api/protocols/nfs/export-policies?name=sdk_gone")["num_records"],
        0
    );

    let igroup = get(
        &sim,
        &format!(
            "/api/protocols/san/igroups/{}?fields=name,initiators,protocol,lun_maps",
            made["igroup"]["uuid"].as_str().unwrap()
        ),
    );
    assert_eq!(igroup["name"], "sdk_ig");
    assert_eq!(igroup["protocol"], "iscsi");
    assert_eq!(igroup["initiators"][0]["name"], made["igroup"]["initiator"]);
    assert_eq!(igroup["lun_maps"].as_array().map(Vec::len), Some(0));

    let policy = get(
        &sim,
        &format!(
            "/api/protocols/nfs/export-policies/{}?fields=name,rules",
            made["export"]["id"]
        ),
    );
    assert_eq!(policy["name"], "sdk_exp");
    let rules = policy["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 1, "{policy}");
    assert_eq!(rules[0]["clients"][0]["match"], made["export"]["client"]);
    assert_eq!(rules[0]["rw_rule"][0], "sys");

    // Every job the library followed ended; the duplicate volume's failed with code 1.
    let jobs = get(&sim, "/api/cluster/jobs?fields=state,code,description");
    let jobs = jobs["records"].as_array().unwrap();
    assert!(jobs.len() >= 6, "{jobs:?}");
    let failed: Vec<&Value> = jobs.iter().filter(|j| j["state"] == "failure").collect();
    assert_eq!(failed.len(), 2, "{jobs:?}");
    assert!(failed.iter().all(|j| j["code"] == 1), "{failed:?}");
    assert!(
        jobs.iter()
            .all(|j| matches!(j["state"].as_str(), Some("success" | "failure")))
    );
}

#[test]
fn the_plugin_lists_what_netapp_ontap_made() {
    let sim = ArraySim::ontap();
    let made = sdk_flow(&sim);
    let mut client = BlockingClient::connect(&sim.uri(), Some(ARRAYSIM_PASSWORD), TIMEOUT).unwrap();
    let aggr1 = get(&sim, "/api/storage/aggregates?name=aggr1")["records"][0]["uuid"]
        .as_str()
        .unwrap()
        .to_string();

    // The LUN is an LSM volume: its uuid, its name in its FlexVol, its size, its pool.
    let volumes = client.volumes(None).unwrap();
    let lun = volumes
        .iter()
        .find(|v| v.id == made["lun"]["uuid"].as_str().unwrap())
        .unwrap_or_else(|| panic!("the LUN is not listed: {volumes:?}"));
    assert_eq!(lun.name, "sdk_lun");
    assert_eq!((lun.block_size * lun.num_of_blocks) as u64, GIB);
    assert_eq!(lun.pool_id, aggr1);

    // The igroup is an access group with its initiator.
    let groups = client.access_groups(None).unwrap();
    let group = groups
        .iter()
        .find(|g| g.name == "sdk_ig")
        .unwrap_or_else(|| panic!("the igroup is not listed: {groups:?}"));
    assert_eq!(group.id, made["igroup"]["uuid"].as_str().unwrap());
    assert_eq!(
        group.init_ids,
        [made["igroup"]["initiator"].as_str().unwrap()]
    );
    assert_eq!(group.init_type, InitiatorType::ISCSI_IQN);

    // The FlexVol is a file system of its size, in its aggregate.
    let file_systems = client.fs(None).unwrap();
    let fs = file_systems
        .iter()
        .find(|f| f.name == "sdk_vol")
        .unwrap_or_else(|| panic!("the FlexVol is not listed: {file_systems:?}"));
    assert_eq!(fs.id, made["volume"]["uuid"].as_str().unwrap());
    assert_eq!(fs.total_space as u64, 4 * GIB);
    assert_eq!(fs.pool_id, aggr1);

    // Its junction with a policy with rules is an export.
    let exports = client.exports(None).unwrap();
    let export = exports
        .iter()
        .find(|e| e.fs_id == fs.id)
        .unwrap_or_else(|| panic!("the export is not listed: {exports:?}"));
    assert_eq!(export.export_path, "/sdk_vol");
    assert_eq!(export.rw, [made["export"]["client"].as_str().unwrap()]);
    assert!(export.root.is_empty() && export.ro.is_empty(), "{export:?}");
    assert_eq!(export.auth, "sys");

    // And the plugin can act on them: the library's LUN masked to its igroup.
    client.volume_mask(group, lun).unwrap();
    let maps = get(
        &sim,
        &format!(
            "/api/protocols/san/lun-maps?lun.uuid={}&fields=igroup.name",
            lun.id
        ),
    );
    assert_eq!(maps["records"][0]["igroup"]["name"], "sdk_ig", "{maps}");
    client.close().unwrap();
}

#[test]
fn netapp_ontap_finds_what_lsmcli_made() {
    let sim = ArraySim::ontap();
    let cli = Cli::new(&sim.uri(), ARRAYSIM_PASSWORD);
    let pools = cli.rows(&["list", "--type", "POOLS"]);
    let aggr1 = pools
        .iter()
        .find(|row| row.get(1).map(String::as_str) == Some("aggr1"))
        .unwrap_or_else(|| panic!("no aggr1 in {pools:?}"))[0]
        .clone();
    let system = cli.ids(&["list", "--type", "SYSTEMS"]).remove(0);
    let volume = cli.create(&[
        "volume-create",
        "--name",
        "cli_lun",
        "--size",
        "1GiB",
        "--pool",
        &aggr1,
        "--provisioning",
        "THIN",
    ]);
    let initiator = "iqn.1994-05.com.redhat:cli-both-ways";
    let group = cli.create(&[
        "access-group-create",
        "--name",
        "cli_ag",
        "--init",
        initiator,
        "--sys",
        &system,
    ]);
    let fs = cli.create(&[
        "fs-create",
        "--name",
        "cli_fs",
        "--size",
        "2GiB",
        "--pool",
        &aggr1,
    ]);
    let host = "192.0.2.30";
    cli.create(&[
        "fs-export",
        "--fs",
        &fs,
        "--exportpath",
        "/cli_export",
        "--rw-host",
        host,
    ]);

    let expected = json!({
        "volume": {"name": "cli_lun", "id": volume, "size": GIB},
        "access_group": {"name": "cli_ag", "id": group, "initiator": initiator},
        "fs": {"name": "cli_fs", "id": fs, "size": 2 * GIB},
        "export": {"path": "/cli_export", "host": host},
    });
    let out = run_script(&script(), &sim, &["find", &expected.to_string()]);
    let summary = out.summary();
    assert_eq!(summary["operations"], 3, "{summary}");
    let found = &summary["found"];
    assert_eq!(found["lun"]["uuid"], volume.as_str());
    assert_eq!(found["lun"]["size"], GIB);
    assert!(
        found["lun"]["name"]
            .as_str()
            .is_some_and(|name| name.starts_with("/vol/") && name.ends_with("/cli_lun")),
        "{found}"
    );
    assert_eq!(found["igroup"]["uuid"], group.as_str());
    assert_eq!(found["volume"]["uuid"], fs.as_str());
    assert_eq!(found["volume"]["size"], 2 * GIB);
    assert_eq!(found["export"]["path"], "/cli_export");
}
