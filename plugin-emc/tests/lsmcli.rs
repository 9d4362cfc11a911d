//! lsmcli, unchanged, against `emc://` on a real `lsm-arraysim --vendor unity` over TLS:
//! every command the plugin supports, in the order an admin would use them, each step
//! checked by what it prints and what the next listing shows; and `lsmcli -b` with
//! `job-status` from another lsmcli process following a slow Unity job.

use std::time::{Duration, Instant};

use lsm_test_support::cli::Cli;
use lsm_test_support::{ARRAYSIM_PASSWORD, ArraySim};

#[test]
fn every_supported_lsmcli_command_works_against_unity() {
    let sim = ArraySim::start("unity", &[]);
    let cli = Cli::new(&sim.uri(), ARRAYSIM_PASSWORD);

    let systems = cli.ids(&["list", "--type", "SYSTEMS"]);
    assert_eq!(systems, ["FNM00000000001"]);
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
    assert_eq!(cli.ids(&["list", "--type", "POOLS"]), ["pool_1", "pool_2"]);
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

    // SAN: a LUN, grown, masked to a host, cloned, and all of it undone.
    let volume = cli.create(&[
        "volume-create",
        "--name",
        "cli_vol",
        "--size",
        "1GiB",
        "--pool",
        "pool_1",
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
    let shrink = cli.run(&["volume-resize", "--vol", &volume, "--size", "1GiB", "-f"]);
    assert_ne!(shrink.code, Some(0), "a LUN was shrunk");
    assert!(shrink.err.contains("shrink"), "{}", shrink.err);
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
        "20:00:00:90:fa:53:4c:d1",
    ]);
    let members = cli.ok(&["-t", ",", "list", "--type", "ACCESS_GROUPS", "--ag", &group]);
    assert!(members.contains("20:00:00:90:fa:53:4c:d1"), "{members}");
    cli.ok(&[
        "access-group-remove",
        "--ag",
        &group,
        "--init",
        "20:00:00:90:fa:53:4c:d1",
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
        "cli_vol_copy",
        "--rep-type",
        "COPY",
    ]);
    assert_ne!(copy.code, Some(0), "COPY is not offered");
    assert!(copy.err.contains("NO_SUPPORT"), "{}", copy.err);
    let refused = cli.run(&["volume-delete", "--vol", &volume, "-f"]);
    assert_ne!(refused.code, Some(0), "a volume with a clone was deleted");
    cli.ok(&["volume-delete", "--vol", &clone, "-f"]);
    cli.ok(&["volume-delete", "--vol", &volume, "-f"]);
    let left = cli.ids(&["list", "--type", "VOLUMES"]);
    assert!(left.is_empty(), "{left:?}");

    // NAS: a file system, grown, snapshotted, restored, exported, and all of it undone.
    let fs = cli.create(&[
        "fs-create",
        "--name",
        "cli_fs",
        "--size",
        "4GiB",
        "--pool",
        "pool_1",
    ]);
    cli.ok(&["fs-resize", "--fs", &fs, "--size", "5GiB", "-f"]);
    let snap = cli.create(&["fs-snap-create", "--name", "cli_snap", "--fs", &fs]);
    assert_eq!(
        cli.ids(&["list", "--type", "SNAPSHOTS", "--fs", &fs]),
        std::slice::from_ref(&snap)
    );
    cli.ok(&["fs-snap-restore", "--fs", &fs, "--snap", &snap, "-f"]);
    let snaps = cli.ids(&["list", "--type", "SNAPSHOTS", "--fs", &fs]);
    assert_eq!(
        snaps.len(),
        2,
        "the snap and Unity's backup of what it replaced"
    );
    let export = cli.create(&[
        "fs-export",
        "--fs",
        &fs,
        "--exportpath",
        "/cli_share",
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
        exports.contains("/cli_share") && exports.contains("192.0.2.21"),
        "{exports}"
    );
    cli.ok(&["fs-unexport", "--export", &export]);
    assert!(
        cli.ids(&["list", "--type", "EXPORTS", "--fs", &fs])
            .is_empty()
    );
    for snap in snaps {
        cli.ok(&["fs-snap-delete", "--fs", &fs, "--snap", &snap, "-f"]);
    }
    cli.ok(&["fs-delete", "--fs", &fs, "-f"]);
    assert!(cli.ids(&["list", "--type", "FS"]).is_empty());

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
    // Each job step takes an hour of the array's clock: a file system create outlasts the
    // plugin's wait, until the test ends the steps.
    let sim = ArraySim::start("unity", &["--job-ms", "3600000"]);
    let cli = Cli::new(&sim.uri(), ARRAYSIM_PASSWORD);
    let run = cli.run(&[
        "-b",
        "fs-create",
        "--name",
        "from_cli",
        "--size",
        "4GiB",
        "--pool",
        "pool_1",
    ]);
    let job = run.out.trim().to_string();
    assert_eq!(
        run.code,
        Some(7),
        "lsmcli -b exits 7 with a job id: {job} {}",
        run.err
    );
    assert!(job.starts_with("EMC_JOB:"), "{job}");
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
    let listed = cli.ok(&["-t", ",", "list", "--type", "FS"]);
    assert!(listed.contains("from_cli"), "{listed}");
}
