//! lsmcli, unchanged, against `ontap://` on a real `lsm-arraysim` over TLS: every command
//! the plugin supports, in the order an admin would use them (create, list, change, mask,
//! snapshot, clone, export, undo), each step checked by what it prints and what the next
//! listing shows.

use lsm_test_support::cli::Cli;
use lsm_test_support::{ARRAYSIM_PASSWORD, ArraySim};

#[test]
fn every_supported_lsmcli_command_works_against_ontap() {
    let sim = ArraySim::ontap();
    let cli = Cli::new(&sim.uri(), ARRAYSIM_PASSWORD);

    let systems = cli.ids(&["list", "--type", "SYSTEMS"]);
    assert_eq!(systems.len(), 1, "{systems:?}");
    let system = &systems[0];
    let caps = cli.ok(&["capabilities", "--sys", system]);
    for supported in ["VOLUME_CREATE", "VOLUME_MASK", "FS_CREATE", "EXPORT_FS"] {
        assert!(
            caps.lines().any(|l| l.contains(supported)
                && l.contains("SUPPORTED")
                && !l.contains("UNSUPPORTED")),
            "{supported} not supported:\n{caps}"
        );
    }
    let pools = cli.rows(&["list", "--type", "POOLS"]);
    let aggr1 = pools
        .iter()
        .find(|row| row.get(1).map(String::as_str) == Some("aggr1"))
        .unwrap_or_else(|| panic!("no aggr1 in {pools:?}"))[0]
        .clone();
    for listing in [
        "DISKS",
        "TARGET_PORTS",
        "ACCESS_GROUPS",
        "FS",
        "EXPORTS",
        "NFS_CLIENT_AUTH",
    ] {
        cli.ok(&["list", "--type", listing]);
    }

    // SAN: a volume, changed, masked to a group, cloned, and all of it undone.
    let volume = cli.create(&[
        "volume-create",
        "--name",
        "cli_vol",
        "--size",
        "1GiB",
        "--pool",
        &aggr1,
        "--provisioning",
        "THIN",
    ]);
    let listed = cli.rows(&["list", "--type", "VOLUMES", "--vol", &volume]);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0][1], "cli_vol");
    cli.ok(&["volume-resize", "--vol", &volume, "--size", "2GiB", "-f"]);
    let resized = cli.rows(&["list", "--type", "VOLUMES", "--vol", &volume]);
    assert!(
        resized[0]
            .iter()
            .any(|cell| cell == &(2u64 << 30).to_string()),
        "not 2 GiB: {resized:?}"
    );
    cli.ok(&["volume-disable", "--vol", &volume]);
    cli.ok(&["volume-enable", "--vol", &volume]);

    let group = cli.create(&[
        "access-group-create",
        "--name",
        "cli_ag",
        "--init",
        "iqn.1994-05.com.redhat:cli-host-1",
        "--sys",
        system,
    ]);
    cli.ok(&[
        "access-group-add",
        "--ag",
        &group,
        "--init",
        "iqn.1994-05.com.redhat:cli-host-2",
    ]);
    cli.ok(&[
        "access-group-add",
        "--ag",
        &group,
        "--init",
        "20:00:00:25:b5:00:00:0a",
    ]);
    let members = cli.ok(&["-t", ",", "list", "--type", "ACCESS_GROUPS", "--ag", &group]);
    assert!(
        members.contains("cli-host-2") && members.contains("20:00:00:25:b5:00:00:0a"),
        "{members}"
    );
    cli.ok(&[
        "access-group-remove",
        "--ag",
        &group,
        "--init",
        "iqn.1994-05.com.redhat:cli-host-2",
    ]);
    cli.ok(&["volume-mask", "--vol", &volume, "--ag", &group]);
    assert_eq!(
        cli.ids(&["access-group-volumes", "--ag", &group]),
        std::slice::from_ref(&volume)
    );
    assert_eq!(
        cli.ids(&["volume-access-group", "--vol", &volume]),
        std::slice::from_ref(&group)
    );
    let refused = cli.run(&["volume-delete", "--vol", &volume, "-f"]);
    assert_ne!(refused.code, Some(0), "a masked volume was deleted");
    assert!(refused.err.contains("masked"), "{}", refused.err);
    cli.ok(&["volume-unmask", "--vol", &volume, "--ag", &group]);
    cli.ok(&["access-group-delete", "--ag", &group]);

    let clone = cli.create(&[
        "volume-replicate",
        "--vol",
        &volume,
        "--name",
        "cli_vol_clone",
        "--rep-type",
        "CLONE",
    ]);
    let copy = cli.run(&[
        "volume-replicate",
        "--vol",
        &volume,
        "--name",
        "x",
        "--rep-type",
        "COPY",
    ]);
    assert_ne!(
        copy.code,
        Some(0),
        "COPY is not something ONTAP does to a LUN here"
    );
    cli.ok(&["volume-delete", "--vol", &clone, "-f"]);
    cli.ok(&["volume-delete", "--vol", &volume, "-f"]);
    let left = cli.ids(&["list", "--type", "VOLUMES"]);
    assert!(
        !left.contains(&volume) && !left.contains(&clone),
        "{left:?}"
    );

    // NAS: a file system, resized, snapshotted, cloned, exported, and all of it undone.
    let fs = cli.create(&[
        "fs-create",
        "--name",
        "cli_fs",
        "--size",
        "1GiB",
        "--pool",
        &aggr1,
    ]);
    cli.ok(&["fs-resize", "--fs", &fs, "--size", "2GiB", "-f"]);
    let snap = cli.create(&["fs-snap-create", "--name", "cli_snap", "--fs", &fs]);
    assert_eq!(
        cli.ids(&["list", "--type", "SNAPSHOTS", "--fs", &fs]),
        std::slice::from_ref(&snap)
    );
    cli.ok(&["fs-snap-restore", "--fs", &fs, "--snap", &snap, "-f"]);
    let fs_clone = cli.create(&[
        "fs-clone",
        "--src-fs",
        &fs,
        "--dst-name",
        "cli_fs_clone",
        "--backing-snapshot",
        &snap,
    ]);
    let dependants = cli.ok(&["fs-dependants", "--fs", &fs]);
    assert!(dependants.contains("True"), "{dependants}");
    cli.ok(&["fs-dependants-rm", "--fs", &fs]);
    assert!(cli.ok(&["fs-dependants", "--fs", &fs]).contains("False"));

    let export = cli.create(&[
        "fs-export",
        "--fs",
        &fs,
        "--exportpath",
        "/cli_export",
        "--rw-host",
        "192.0.2.20",
        "--root-host",
        "192.0.2.20",
        "--ro-host",
        "192.0.2.21",
        "--anonuid",
        "65534",
    ]);
    let exports = cli.ok(&["-t", ",", "list", "--type", "EXPORTS", "--fs", &fs]);
    assert!(
        exports.contains("/cli_export") && exports.contains("192.0.2.21"),
        "{exports}"
    );
    cli.ok(&["fs-unexport", "--export", &export]);
    assert!(
        cli.ids(&["list", "--type", "EXPORTS", "--fs", &fs])
            .is_empty()
    );

    cli.ok(&["fs-snap-delete", "--fs", &fs, "--snap", &snap, "-f"]);
    cli.ok(&["fs-delete", "--fs", &fs_clone, "-f"]);
    cli.ok(&["fs-delete", "--fs", &fs, "-f"]);
    let left = cli.ids(&["list", "--type", "FS"]);
    assert!(!left.contains(&fs) && !left.contains(&fs_clone), "{left:?}");

    // CHAP: the initiator's iSCSI credentials on the cluster, passwords never returned.
    let iqn = "iqn.1994-05.com.redhat:cli-host-1";
    cli.ok(&[
        "iscsi-chap",
        "--init",
        iqn,
        "--in-user",
        "cli_in",
        "--in-pass",
        "cli-in-secret",
        "--out-user",
        "cli_out",
        "--out-pass",
        "cli-out-secret",
    ]);
    let entry = sim
        .rest()
        .send_json::<serde_json::Value>(
            &lsm_rest::Request::get("/api/protocols/san/iscsi/credentials")
                .query("initiator", iqn)
                .query("fields", "*"),
        )
        .unwrap();
    assert_eq!(entry["num_records"], 1, "{entry}");
    assert_eq!(
        entry["records"][0]["authentication_type"], "chap",
        "{entry}"
    );
    assert_eq!(
        entry["records"][0]["chap"]["outbound"]["user"], "cli_out",
        "{entry}"
    );
    cli.ok(&["iscsi-chap", "--init", iqn]);
    let entry = sim
        .rest()
        .send_json::<serde_json::Value>(
            &lsm_rest::Request::get("/api/protocols/san/iscsi/credentials")
                .query("initiator", iqn)
                .query("fields", "*"),
        )
        .unwrap();
    assert_eq!(
        entry["records"][0]["authentication_type"], "none",
        "{entry}"
    );

    // What ONTAP does not do is refused plainly.
    let system = cli.ids(&["list", "--type", "SYSTEMS"]).remove(0);
    let cache = cli.run(&[
        "system-read-cache-pct-update",
        "--sys",
        &system,
        "--read-pct",
        "50",
    ]);
    assert_ne!(cache.code, Some(0));
    assert!(cache.err.contains("NO_SUPPORT"), "{}", cache.err);
}
