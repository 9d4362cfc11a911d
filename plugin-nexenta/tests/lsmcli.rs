//! lsmcli, unchanged, against `nstor://` on a real `lsm-arraysim --vendor nexenta` over TLS:
//! every command the plugin supports, in the order an admin would use them, each step
//! checked by what it prints and what the next listing shows (a COPY across pools too);
//! and `lsmcli -b` with
//! `job-status` from another lsmcli process following a slow NexentaStor job.

use std::time::{Duration, Instant};

use lsm_test_support::cli::Cli;
use lsm_test_support::{ARRAYSIM_PASSWORD, ArraySim};

#[test]
fn every_supported_lsmcli_command_works_against_nexentastor() {
    let sim = ArraySim::start("nexenta", &[]);
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
    assert_eq!(cli.ids(&["list", "--type", "POOLS"]), ["pool1", "pool2"]);
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

    // SAN: a zvol, resized, masked to a host group, cloned, and all of it undone.
    let volume = cli.create(&[
        "volume-create",
        "--name",
        "cli_vol",
        "--size",
        "1GiB",
        "--pool",
        "pool1",
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
    let members = cli.ok(&["-t", ",", "list", "--type", "ACCESS_GROUPS", "--ag", &group]);
    assert!(members.contains("cli-host-2"), "{members}");
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
    cli.ok(&[
        "iscsi-chap",
        "--init",
        "iqn.1994-05.com.redhat:cli-host-1",
        "--in-user",
        "cli_in",
        "--in-pass",
        "cli-in-secret",
    ]);
    cli.ok(&["iscsi-chap", "--init", "iqn.1994-05.com.redhat:cli-host-1"]);

    let clone = cli.create(&[
        "volume-replicate",
        "--vol",
        &volume,
        "--name",
        "cli_vol_clone",
        "--rep-type",
        "CLONE",
    ]);
    // A full copy, in the other pool (an HPR replication on the appliance).
    let copy = cli.create(&[
        "volume-replicate",
        "--vol",
        &volume,
        "--name",
        "cli_vol_copy",
        "--rep-type",
        "COPY",
        "--pool",
        "pool2",
    ]);
    assert!(copy.starts_with("pool2/"), "{copy}");
    let copied = cli.rows(&["list", "--type", "VOLUMES", "--vol", &copy]);
    assert!(
        copied[0]
            .iter()
            .any(|cell| cell == &(2u64 << 30).to_string()),
        "the copy has the source's size: {copied:?}"
    );
    cli.ok(&["volume-delete", "--vol", &copy, "-f"]);
    let refused = cli.run(&["volume-delete", "--vol", &volume, "-f"]);
    assert_ne!(refused.code, Some(0), "a volume with a clone was deleted");
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
        "pool1",
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
    assert!(cli.ok(&["fs-dependants", "--fs", &fs]).contains("True"));
    cli.ok(&["fs-dependants-rm", "--fs", &fs]);
    assert!(cli.ok(&["fs-dependants", "--fs", &fs]).contains("False"));
    let export = cli.create(&[
        "fs-export",
        "--fs",
        &fs,
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
        exports.contains("/pool1/cli_fs") && exports.contains("192.0.2.21"),
        "{exports}"
    );
    cli.ok(&["fs-unexport", "--export", &export]);
    assert!(
        cli.ids(&["list", "--type", "EXPORTS", "--fs", &fs])
            .is_empty()
    );
    // After fs-dependants-rm (a ZFS promote) the origin is a clone of the
    // promoted file system's snapshot: it goes first, as on a real appliance.
    cli.ok(&["fs-delete", "--fs", &fs, "-f"]);
    cli.ok(&["fs-delete", "--fs", &fs_clone, "-f"]);
    let left = cli.ids(&["list", "--type", "FS"]);
    assert!(!left.contains(&fs) && !left.contains(&fs_clone), "{left:?}");

    let system_cache = cli.run(&[
        "system-read-cache-pct-update",
        "--sys",
        system,
        "--read-pct",
        "50",
    ]);
    assert_ne!(system_cache.code, Some(0));
    assert!(
        system_cache.err.contains("NO_SUPPORT"),
        "{}",
        system_cache.err
    );
}

#[test]
fn a_slow_job_is_an_lsm_job_that_another_lsmcli_follows() {
    // Each job step takes an hour of the appliance's clock: a file system create outlasts
    // the plugin's wait, until the test ends the steps.
    let sim = ArraySim::start("nexenta", &["--job-ms", "3600000"]);
    let cli = Cli::new(&sim.uri(), ARRAYSIM_PASSWORD);
    let run = cli.run(&[
        "-b",
        "fs-create",
        "--name",
        "from_cli",
        "--size",
        "1GiB",
        "--pool",
        "pool1",
    ]);
    let job = run.out.trim().to_string();
    assert_eq!(
        run.code,
        Some(7),
        "lsmcli -b exits 7 with a job id: {job} {}",
        run.err
    );
    assert!(job.starts_with("NSTOR_JOB:"), "{job}");
    // Still running, as another lsmcli sees it.
    let running = cli.run(&["-t", ",", "job-status", "--job", &job]);
    assert_eq!(
        running.code,
        Some(7),
        "in progress: {} {}",
        running.out,
        running.err
    );
    sim.finish_jobs();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = cli.run(&["-t", ",", "job-status", "--job", &job]);
        if status.code == Some(0) {
            assert!(
                status.out.contains("from_cli"),
                "the job's file system: {}",
                status.out
            );
            break;
        }
        assert_eq!(
            status.code,
            Some(7),
            "job-status: {} {}",
            status.out,
            status.err
        );
        assert!(Instant::now() < deadline, "the job did not end");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        cli.ids(&["list", "--type", "FS"])
            .contains(&"pool1/from_cli".to_string())
    );
}
