//! Every list type with every filter option: the filters a listing takes narrow it to the
//! right objects; the others are argument errors (exit 2) before any plugin call.

mod support;

use support::Sim;

/// Each filter option with a value that exists in the populated state.
const FILTERS: &[(&str, &str)] = &[
    ("--sys", "sim-01"),
    ("--pool", "POOL_ID_00004"),
    ("--vol", "VOL_ID_00001"),
    ("--disk", "DISK_ID_00003"),
    ("--ag", "AG_ID_00001"),
    ("--fs", "FS_ID_00001"),
    ("--nfs-export", "EXP_ID_00001"),
    ("--tgt", "TGT_PORT_ID_00002"),
];

/// For each type, the filters it takes and the ids each one must give.
fn accepted(kind: &str, filter: &str) -> Option<Vec<String>> {
    let ids: Vec<&str> = match (kind, filter) {
        ("VOLUMES", "--sys" | "--pool") => vec!["VOL_ID_00001", "VOL_ID_00002"],
        ("VOLUMES", "--vol" | "--ag") => vec!["VOL_ID_00001"],
        ("POOLS", "--sys") => vec![
            "POOL_ID_00001",
            "POOL_ID_00002",
            "POOL_ID_00003",
            "POOL_ID_00004",
        ],
        ("POOLS", "--pool") => vec!["POOL_ID_00004"],
        ("FS", "--sys" | "--pool" | "--fs") => vec!["FS_ID_00001"],
        ("SNAPSHOTS", "--fs") => vec!["FS_SNAP_ID_00001"],
        ("EXPORTS", "--fs" | "--nfs-export") => vec!["EXP_ID_00001"],
        ("ACCESS_GROUPS", "--sys" | "--ag" | "--vol") => vec!["AG_ID_00001"],
        ("DISKS", "--sys") => {
            return Some((1..=20).map(|n| format!("DISK_ID_{n:05}")).collect());
        }
        ("DISKS", "--disk") => vec!["DISK_ID_00003"],
        ("TARGET_PORTS", "--sys") => vec![
            "TGT_PORT_ID_00001",
            "TGT_PORT_ID_00002",
            "TGT_PORT_ID_00003",
            "TGT_PORT_ID_00004",
            "TGT_PORT_ID_00005",
        ],
        ("TARGET_PORTS", "--tgt") => vec!["TGT_PORT_ID_00002"],
        ("BATTERIES", "--sys") => vec!["BAT_ID_00001", "BAT_ID_00002"],
        _ => return None,
    };
    Some(ids.into_iter().map(str::to_string).collect())
}

const TYPES: &[&str] = &[
    "VOLUMES",
    "POOLS",
    "FS",
    "SNAPSHOTS",
    "EXPORTS",
    "NFS_CLIENT_AUTH",
    "ACCESS_GROUPS",
    "SYSTEMS",
    "DISKS",
    "PLUGINS",
    "TARGET_PORTS",
    "BATTERIES",
];

fn listed_ids(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|line| line.split(',').next())
        .map(|id| id.trim().to_string())
        .filter(|id| !id.is_empty())
        .collect()
}

#[test]
fn every_type_with_every_filter() {
    let sim = Sim::new();
    for (_, run) in sim.populate() {
        run.ok();
    }
    for kind in TYPES {
        for (filter, value) in FILTERS {
            let run = sim.run(["-t,", "list", "--type", kind, filter, value]);
            run.no_crash_text();
            match accepted(kind, filter) {
                Some(expected) => {
                    let got = listed_ids(run.ok());
                    assert_eq!(got, expected, "list --type {kind} {filter} {value}");
                }
                None => {
                    run.expect_code(2);
                    assert!(run.stdout.is_empty(), "{kind} {filter}: {}", run.stdout);
                    assert!(
                        run.stderr.starts_with("lsmcli: error: "),
                        "{kind} {filter}: {}",
                        run.stderr
                    );
                    assert!(
                        run.stderr.contains("not supported") || run.stderr.contains("--fs"),
                        "{kind} {filter}: {}",
                        run.stderr
                    );
                }
            }
        }
    }
}

#[test]
fn filters_that_match_nothing_print_nothing() {
    let sim = Sim::new();
    for (_, run) in sim.populate() {
        run.ok();
    }
    let empty: &[&[&str]] = &[
        &["list", "--type", "VOLUMES", "--pool", "POOL_ID_00001"],
        &["list", "--type", "VOLUMES", "--vol", "VOL_ID_99999"],
        &["list", "--type", "VOLUMES", "--ag", "AG_ID_99999"],
        &["list", "--type", "ACCESS_GROUPS", "--vol", "VOL_ID_00002"],
        &["list", "--type", "ACCESS_GROUPS", "--vol", "VOL_ID_99999"],
        &["list", "--type", "FS", "--pool", "POOL_ID_00001"],
        &["list", "--type", "DISKS", "--sys", "no-such-system"],
        &["list", "--type", "EXPORTS", "--fs", "FS_ID_99999"],
    ];
    for args in empty {
        let run = sim.run(args.iter());
        assert_eq!(run.ok(), "", "{args:?}");
        // JSON gives an empty array rather than nothing.
        let json = sim.run(["--json"].iter().chain(args.iter()));
        assert_eq!(json.json(), serde_json::json!([]), "{args:?}");
    }
    // A snapshot listing of an unknown file system is a lookup error.
    let run = sim.run(["list", "--type", "SNAPSHOTS", "--fs", "FS_ID_99999"]);
    run.expect_code(2);
    assert_eq!(
        run.stderr,
        "lsmcli: error: File System with ID FS_ID_99999 not found!\n"
    );
}

#[test]
fn one_filter_at_a_time() {
    let sim = Sim::new();
    let run = sim.run([
        "list",
        "--type",
        "VOLUMES",
        "--sys",
        "sim-01",
        "--pool",
        "POOL_ID_00004",
    ]);
    run.expect_code(2);
    assert_eq!(
        run.stderr,
        "lsmcli: error: Search key specified more than once (system_id, pool_id)\n"
    );
}
