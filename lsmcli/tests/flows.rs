//! Every command's create → list → resize → delete flow against `sim://`, checking what each
//! step prints and what the next listing shows.

mod support;

use support::Sim;

/// The `-t,` rows of a listing, split into cells.
fn rows(sim: &Sim, args: &[&str]) -> Vec<Vec<String>> {
    let mut full = vec!["-t,"];
    full.extend_from_slice(args);
    sim.run(&full)
        .ok()
        .lines()
        .map(|line| line.split(',').map(|c| c.trim().to_string()).collect())
        .collect()
}

/// The ids of a listing (continuation rows of multi-valued cells have none).
fn ids(sim: &Sim, args: &[&str]) -> Vec<String> {
    rows(sim, args)
        .into_iter()
        .map(|r| r[0].clone())
        .filter(|id| !id.is_empty())
        .collect()
}

#[test]
fn volume_create_list_resize_disable_enable_delete() {
    let sim = Sim::new();
    let id = sim.create_id(&[
        "volume-create",
        "--name",
        "flow-vol",
        "--size",
        "30MiB",
        "--pool",
        "POOL_ID_00004",
    ]);
    let listed = rows(&sim, &["list", "--type", "VOLUMES", "--vol", &id]);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0][1], "flow-vol");
    assert_eq!(listed[0][3], (30u64 << 20).to_string());
    assert_eq!(listed[0][4], "No");

    // Growing needs no prompt answer with -f and prints the resized volume.
    let resized = sim.run([
        "-f",
        "-t,",
        "volume-resize",
        "--vol",
        &id,
        "--size",
        "60MiB",
    ]);
    let cells: Vec<&str> = resized.ok().trim_end().split(',').collect();
    assert_eq!(cells[0], id);
    assert_eq!(cells[3], (60u64 << 20).to_string());
    // Same size again: NO_STATE_CHANGE, exit 4.
    let same = sim.run(["-f", "volume-resize", "--vol", &id, "--size", "60MiB"]);
    same.expect_code(4);
    assert!(
        same.stderr.starts_with("NO_STATE_CHANGE(125): "),
        "{}",
        same.stderr
    );

    sim.run(["volume-disable", "--vol", &id]).ok();
    assert_eq!(
        rows(&sim, &["list", "--type", "VOLUMES", "--vol", &id])[0][4],
        "Yes"
    );
    sim.run(["volume-enable", "--vol", &id]).ok();
    assert_eq!(
        rows(&sim, &["list", "--type", "VOLUMES", "--vol", &id])[0][4],
        "No"
    );

    let deleted = sim.run(["-f", "volume-delete", "--vol", &id]);
    assert_eq!(deleted.ok(), "");
    assert!(ids(&sim, &["list", "--type", "VOLUMES"]).is_empty());
}

#[test]
fn volume_replication_dependants_and_ranges() {
    let sim = Sim::new();
    let source = sim.create_id(&[
        "volume-create",
        "--name",
        "src",
        "--size",
        "100MiB",
        "--pool",
        "POOL_ID_00004",
    ]);
    let mut replicas = Vec::new();
    for (rep_type, name) in [
        ("CLONE", "r-clone"),
        ("copy", "r-copy"),
        ("MIRROR_SYNC", "r-msync"),
        ("mirror_async", "r-masync"),
    ] {
        let id = sim.create_id(&[
            "volume-replicate",
            "--vol",
            &source,
            "--name",
            name,
            "--rep-type",
            rep_type,
        ]);
        replicas.push(id);
    }
    // Into another pool.
    let other_pool = sim.create_id(&[
        "volume-replicate",
        "--vol",
        &source,
        "--name",
        "r-pool2",
        "--rep-type",
        "COPY",
        "--pool",
        "POOL_ID_00003",
    ]);
    let listed = rows(&sim, &["list", "--type", "VOLUMES", "--vol", &other_pool]);
    assert_eq!(listed[0][5], "POOL_ID_00003");
    assert_eq!(ids(&sim, &["list", "--type", "VOLUMES"]).len(), 6);

    assert_eq!(
        sim.run(["volume-dependants", "--vol", &source]).ok(),
        "True\n"
    );
    sim.run(["volume-dependants-rm", "--vol", &source]).ok();
    assert_eq!(
        sim.run(["volume-dependants", "--vol", &source]).ok(),
        "False\n"
    );

    // Block ranges: one copy of 10 blocks, then an overlapping pair refused (exit 2).
    let destination = &replicas[0];
    sim.run([
        "-f",
        "volume-replicate-range",
        "--src-vol",
        &source,
        "--dst-vol",
        destination,
        "--rep-type",
        "COPY",
        "--src-start",
        "0",
        "--dst-start",
        "100",
        "--count",
        "10",
    ])
    .ok();
    let overlap = sim.run([
        "-f",
        "volume-replicate-range",
        "--src-vol",
        &source,
        "--dst-vol",
        destination,
        "--rep-type",
        "CLONE",
        "--src-start",
        "0",
        "--src-start",
        "5",
        "--dst-start",
        "0",
        "--dst-start",
        "50",
        "--count",
        "10",
        "--count",
        "10",
    ]);
    overlap.expect_code(2);
    assert!(
        overlap.stderr.contains("Overlapping src_block"),
        "{}",
        overlap.stderr
    );
    let block_size = sim.run(["volume-replicate-range-block-size", "--sys", "sim-01"]);
    assert!(
        block_size
            .ok()
            .trim_end()
            .parse::<u64>()
            .is_ok_and(|n| n > 0)
    );

    for id in replicas.iter().chain([&other_pool]) {
        sim.run(["-f", "volume-delete", "--vol", id]).ok();
    }
    sim.run(["-f", "volume-delete", "--vol", &source]).ok();
    assert!(ids(&sim, &["list", "--type", "VOLUMES"]).is_empty());
}

#[test]
fn access_group_masking_and_initiators() {
    let sim = Sim::new();
    let volume = sim.create_id(&[
        "volume-create",
        "--name",
        "masked",
        "--size",
        "1GiB",
        "--pool",
        "POOL_ID_00004",
    ]);
    let group = sim.create_id(&[
        "access-group-create",
        "--name",
        "hosts",
        "--init",
        "iqn.2001-04.com.example:a",
        "--sys",
        "sim-01",
    ]);
    let added = sim.run([
        "-s",
        "access-group-add",
        "--ag",
        &group,
        "--init",
        "0x500A0986994B8DC5",
    ]);
    let text = added.ok();
    assert!(
        text.contains("50:0a:09:86:99:4b:8d:c5"),
        "WWPN normalised:\n{text}"
    );
    assert!(text.contains("iSCSI/WWPN Mixed"), "{text}");

    sim.run(["volume-mask", "--vol", &volume, "--ag", &group])
        .ok();
    assert_eq!(
        ids(&sim, &["access-group-volumes", "--ag", &group]),
        vec![volume.clone()]
    );
    assert_eq!(
        ids(&sim, &["volume-access-group", "--vol", &volume]),
        vec![group.clone()]
    );
    // Deleting a masked volume is refused by the plugin: exit 4.
    let refused = sim.run(["-f", "volume-delete", "--vol", &volume]);
    refused.expect_code(4);
    assert!(
        refused.stderr.starts_with("IS_MASKED(160): "),
        "{}",
        refused.stderr
    );

    sim.run(["volume-unmask", "--ag", &group, "--vol", &volume])
        .ok();
    assert!(ids(&sim, &["access-group-volumes", "--ag", &group]).is_empty());

    let removed = sim.run([
        "-t,",
        "access-group-remove",
        "--ag",
        &group,
        "--init",
        "50:0a:09:86:99:4b:8d:c5",
    ]);
    assert!(!removed.ok().contains("50:0a"), "{}", removed.stdout);
    // CHAP on an iSCSI initiator.
    sim.run([
        "iscsi-chap",
        "--init",
        "iqn.2001-04.com.example:a",
        "--in-user",
        "u",
        "--in-pass",
        "p",
        "--out-user",
        "o",
        "--out-pass",
        "q",
    ])
    .ok();

    sim.run(["access-group-delete", "--ag", &group]).ok();
    assert!(ids(&sim, &["list", "--type", "ACCESS_GROUPS"]).is_empty());
    sim.run(["-f", "volume-delete", "--vol", &volume]).ok();
}

#[test]
fn file_system_snapshot_clone_export_flow() {
    let sim = Sim::new();
    let fs = sim.create_id(&[
        "fs-create",
        "--name",
        "flow-fs",
        "--size",
        "500MiB",
        "--pool",
        "POOL_ID_00004",
    ]);
    for size in ["1GiB", "750MiB", "300MiB"] {
        let resized = rows(&sim, &["-f", "fs-resize", "--fs", &fs, "--size", size]);
        assert_eq!(resized[0][0], fs);
    }
    assert_eq!(
        rows(&sim, &["list", "--type", "FS", "--fs", &fs])[0][2],
        (300u64 << 20).to_string()
    );

    let snapshot = sim.create_id(&["fs-snap-create", "--name", "snap", "--fs", &fs]);
    assert_eq!(
        ids(&sim, &["list", "--type", "SNAPSHOTS", "--fs", &fs]),
        vec![snapshot.clone()]
    );
    sim.run(["-f", "fs-snap-restore", "--fs", &fs, "--snap", &snapshot])
        .ok();
    sim.run([
        "-f",
        "fs-snap-restore",
        "--fs",
        &fs,
        "--snap",
        &snapshot,
        "--file",
        "a",
        "--fileas",
        "b",
    ])
    .ok();

    let clone = sim.create_id(&["fs-clone", "--src-fs", &fs, "--dst-name", "flow-clone"]);
    let from_snapshot = sim.create_id(&[
        "fs-clone",
        "--src-fs",
        &fs,
        "--dst-name",
        "flow-clone2",
        "--backing-snapshot",
        &snapshot,
    ]);
    sim.run(["file-clone", "--fs", &fs, "--src", "a", "--dst", "b"])
        .ok();
    assert_eq!(sim.run(["fs-dependants", "--fs", &fs]).ok(), "True\n");
    sim.run(["fs-dependants-rm", "--fs", &fs]).ok();

    let export = sim.create_id(&[
        "fs-export",
        "--fs",
        &fs,
        "--exportpath",
        "/flow",
        "--rw-host",
        "192.168.0.1",
        "--ro-host",
        "host2.example.com",
        "--anonuid",
        "1000",
        "--anongid",
        "1000",
        "--auth-type",
        "standard",
    ]);
    let script = sim.run(["-s", "list", "--type", "EXPORTS", "--nfs-export", &export]);
    let text = script.ok();
    assert!(text.contains("Export Path   | /flow"), "{text}");
    assert!(text.contains("Anonymous UID | 1000"), "{text}");
    assert!(text.contains("RO Hosts      | host2.example.com"), "{text}");
    sim.run(["fs-unexport", "--export", &export]).ok();
    assert!(ids(&sim, &["list", "--type", "EXPORTS"]).is_empty());

    sim.run(["-f", "fs-snap-delete", "--fs", &fs, "--snap", &snapshot])
        .ok();
    assert!(ids(&sim, &["list", "--type", "SNAPSHOTS", "--fs", &fs]).is_empty());
    for id in [&clone, &from_snapshot, &fs] {
        sim.run(["-f", "fs-delete", "--fs", id]).ok();
    }
    assert!(ids(&sim, &["list", "--type", "FS"]).is_empty());
}

#[test]
fn raid_cache_led_and_system_commands() {
    let sim = Sim::new();
    let cap = sim.run(["-s", "volume-raid-create-cap", "--sys", "sim-01"]);
    let text = cap.ok();
    assert!(text.contains("Supported RAID Types"), "{text}");
    assert!(text.contains("RAID1"), "{text}");

    let raid = sim.create_id(&[
        "volume-raid-create",
        "--name",
        "raid1",
        "--raid-type",
        "raid1",
        "--disk",
        "DISK_ID_00005",
        "--disk",
        "DISK_ID_00006",
    ]);
    let info = rows(&sim, &["volume-raid-info", "--vol", &raid]);
    assert_eq!(info[0][1], "RAID1");
    // The disks are no longer free.
    let busy = sim.run([
        "volume-raid-create",
        "--name",
        "again",
        "--raid-type",
        "RAID1",
        "--disk",
        "DISK_ID_00005",
        "--disk",
        "DISK_ID_00007",
    ]);
    busy.expect_code(4);
    assert!(
        busy.stderr.starts_with("DISK_NOT_FREE(513): "),
        "{}",
        busy.stderr
    );
    let missing = sim.run([
        "volume-raid-create",
        "--name",
        "x",
        "--raid-type",
        "RAID0",
        "--disk",
        "DISK_ID_99999",
    ]);
    missing.expect_code(4);
    assert!(
        missing.stderr.starts_with("NOT_FOUND_DISK(209): "),
        "{}",
        missing.stderr
    );

    for (command, policy, column, text) in [
        ("volume-phy-disk-cache-update", "enable", 5, "Enabled"),
        ("volume-phy-disk-cache-update", "DISABLE", 5, "Disabled"),
        ("volume-read-cache-policy-update", "DISABLE", 3, "Disabled"),
        ("volume-read-cache-policy-update", "ENABLE", 3, "Enabled"),
        ("volume-write-cache-policy-update", "WT", 1, "Write Through"),
        ("volume-write-cache-policy-update", "wb", 1, "Write Back"),
        ("volume-write-cache-policy-update", "AUTO", 1, "Auto"),
    ] {
        let shown = rows(&sim, &[command, "--vol", &raid, "--policy", policy]);
        assert_eq!(shown[0][column], text, "{command} {policy}: {shown:?}");
    }
    sim.run(["volume-ident-led-on", "--vol", &raid]).ok();
    sim.run(["volume-ident-led-off", "--vol", &raid]).ok();

    let system = rows(
        &sim,
        &[
            "system-read-cache-pct-update",
            "--sys",
            "sim-01",
            "--read-pct",
            "42",
        ],
    );
    assert_eq!(system[0][6], "42");
    assert_eq!(rows(&sim, &["list", "--type", "SYSTEMS"])[0][6], "42");
    let out_of_range = sim.run([
        "system-read-cache-pct-update",
        "--sys",
        "sim-01",
        "--read-pct",
        "101",
    ]);
    out_of_range.expect_code(4);

    sim.run(["-f", "volume-delete", "--vol", &raid]).ok();
}
