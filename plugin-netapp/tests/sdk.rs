//! NetApp's own ONTAP client library, `netapp-ontap` (unpatched, from the venv
//! `scripts/sdk-venv.sh` makes), against a real `lsm-arraysim --vendor ontap`: the whole
//! flow of `tests/sdk/ontap_flow.py`, what it made checked on the simulator.

use std::path::PathBuf;

use lsm_rest::Request;
use lsm_test_support::ArraySim;
use lsm_test_support::sdk::{ScriptOutput, run_script};
use serde_json::Value;

const GIB: u64 = 1 << 30;

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
