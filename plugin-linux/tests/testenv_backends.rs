//! Runs `lsm-linux-testenv up` into a temporary directory and drives every
//! backend module against the real tools and daemons it started: btrfs
//! (subvolumes, snapshots, an enforced qgroup limit, reflink), LVM
//! (create/resize/remove with LSM error mapping), tgt (target, LUN on a file,
//! ACL, CHAP, checked with libiscsi's iscsi-ls/iscsi-inq/iscsi-readcapacity16)
//! and nfs-ganesha (AddExport over D-Bus, showmount, nfs-cat, SIGHUP
//! reload). `down` runs in a guard's Drop, so the host is cleaned even when
//! an assertion fails.
//!
//! Needs root and the packages in PACKAGES; without root both tests fail,
//! saying so (CI runs as root). Everything runs in one test so the one
//! environment is shared and nothing runs concurrently against it.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use lsm_core::ErrorNumber;
use plugin_linux::btrfs::{self, Btrfs};
use plugin_linux::config::PoolBackend;
use plugin_linux::ganesha::{self, AccessType, ClientRule, ExportBlock, GaneshaClient, Squash};
use plugin_linux::lvm::Lvm;
use plugin_linux::replay::{replay_exports, replay_targets};
use plugin_linux::state::{
    ArrayState, ChapRecord, ExportRecord, LunRecord, Secret, Secrets, StateStore, TargetRecord,
};
use plugin_linux::testenv::lock_host;
use plugin_linux::tgt::Tgtadm;
use support::{TESTENV, TestArray, require_root, run, serialised, wait_for};

const MIB: u64 = 1 << 20;

#[test]
fn testenv_up_exercises_every_backend_then_down_cleans_up() {
    require_root("testenv_up_exercises_every_backend_then_down_cleans_up");
    // One test at a time in this binary; `up` takes the host-wide lock.
    let _serial = serialised();
    let array = TestArray::up();
    assert_eq!(
        array.config.pools[0].name, "btrfs0",
        "btrfs pool listed first"
    );
    exercise_btrfs(&array);
    exercise_lvm(&array);
    exercise_tgt(&array);
    exercise_ganesha(&array);
    exercise_state_and_replay(&array);

    // `down` removes everything, and a second `down` is a no-op.
    let dir = array.dir.clone();
    let pids: Vec<u32> = {
        let record: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("testenv.json")).unwrap()).unwrap();
        record["daemons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|daemon| daemon["pid"].as_u64().unwrap() as u32)
            .collect()
    };
    drop(array);
    assert!(!dir.exists(), "down left {}", dir.display());
    for pid in pids {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let alive = state
            .rsplit_once(')')
            .map(|(_, rest)| !rest.trim_start().starts_with('Z'))
            .unwrap_or(false);
        assert!(!alive, "daemon {pid} survived down");
    }
    let (_, loops) = run("losetup", &["-a"]);
    assert!(
        !loops.contains(dir.to_str().unwrap()),
        "loop devices left: {loops}"
    );
    let status = Command::new(TESTENV)
        .arg("down")
        .arg("--dir")
        .arg(&dir)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn failed_up_cleans_up_after_itself() {
    require_root("failed_up_cleans_up_after_itself");
    // No TestArray here: this test takes the host-wide lock itself.
    let _serial = serialised();
    let _host = lock_host().unwrap();
    // A ganesha.nfsd that exits at once makes `up` fail after the loop
    // devices, the mount, LVM, tgtd and dbus-daemon are already set up.
    let fake_bin = tempfile::tempdir().unwrap();
    let fake = fake_bin.path().join("ganesha.nfsd");
    std::fs::write(
        &fake,
        "#!/bin/sh\necho fake ganesha failing on purpose >&2\nexit 1\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        fake_bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("array");
    let output = Command::new(TESTENV)
        .env("PATH", path)
        .arg("up")
        .arg("--dir")
        .arg(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("ganesha"), "{stderr}");
    assert!(!String::from_utf8_lossy(&output.stdout).contains("URI="));
    assert!(!dir.exists(), "failed up left {}", dir.display());
    let (_, loops) = run("losetup", &["-a"]);
    assert!(
        !loops.contains(dir.to_str().unwrap()),
        "loop devices left: {loops}"
    );
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap();
    assert!(
        !mounts.contains(dir.to_str().unwrap()),
        "mounts left: {mounts}"
    );

    // `up` refuses a non-empty directory and leaves it alone.
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("keep.txt"), "mine").unwrap();
    let output = Command::new(TESTENV)
        .arg("up")
        .arg("--dir")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(dir.join("keep.txt").exists());
}

fn exercise_btrfs(array: &TestArray) {
    let btrfs = Btrfs::new(Duration::from_secs(30));
    let mount = array.btrfs_mount();
    let usage = btrfs.filesystem_usage(&mount).unwrap();
    assert!(
        usage.device_size >= 20 << 30,
        "pool is {} bytes",
        usage.device_size
    );
    assert!(usage.free_estimated > 4 << 30);

    let fs = mount.join("fs1");
    btrfs.subvolume_create(&fs).unwrap();
    assert_eq!(
        btrfs.subvolume_create(&fs).unwrap_err().lsm_error_number(),
        ErrorNumber::NAME_CONFLICT
    );
    btrfs.qgroup_limit(&fs, Some(16 * MIB)).unwrap();
    let qgroup = btrfs.qgroup_of(&fs).unwrap().unwrap();
    assert_eq!(qgroup.max_referenced, Some(16 * MIB));

    // The limit is enforced: writing 64 MiB fails with EDQUOT.
    let mut file = std::fs::File::create(fs.join("big")).unwrap();
    let chunk = vec![0x5a_u8; MIB as usize];
    let mut failure = None;
    for _ in 0..64 {
        if let Err(error) = file.write_all(&chunk).and_then(|()| file.flush()) {
            failure = Some(error);
            break;
        }
    }
    let failure = failure
        .or_else(|| file.sync_all().err())
        .expect("write past the quota succeeded");
    assert!(
        failure.to_string().contains("Disk quota exceeded"),
        "{failure}"
    );
    drop(file);
    std::fs::remove_file(fs.join("big")).unwrap();

    std::fs::write(fs.join("hello.txt"), b"hello from fs1\n").unwrap();
    let snapshot = mount.join("fs1-snap");
    btrfs.snapshot(&fs, &snapshot, true).unwrap();
    assert!(btrfs.is_readonly(&snapshot).unwrap());
    let clone = mount.join("fs1-clone");
    btrfs.snapshot(&fs, &clone, false).unwrap();
    assert!(!btrfs.is_readonly(&clone).unwrap());
    let details = btrfs.subvolume_show(&fs).unwrap();
    assert!(
        details
            .snapshots
            .iter()
            .any(|path| path.ends_with("fs1-snap")),
        "{details:?}"
    );
    let listed = btrfs.subvolume_list(&mount).unwrap();
    let names: Vec<&str> = listed.iter().map(|entry| entry.path.as_str()).collect();
    for name in ["fs1", "fs1-snap", "fs1-clone"] {
        assert!(names.contains(&name), "{names:?}");
    }
    let snapshots = btrfs.snapshot_list(&mount).unwrap();
    assert!(snapshots.iter().all(|entry| entry.creation_time.is_some()));
    assert!(snapshots.iter().any(|entry| entry.path == "fs1-snap"));

    // File-backed volumes: sparse, preallocated, reflink clone.
    let volumes = mount.join("lsm-volumes");
    let thin = volumes.join("vol1.img");
    btrfs::create_sparse_file(&thin, 512 * MIB).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&thin)
        .unwrap()
        .write_all(b"volume data")
        .unwrap();
    let full = volumes.join("vol2.img");
    btrfs::create_preallocated_file(&full, 8 * MIB).unwrap();
    let too_big =
        btrfs::create_preallocated_file(&volumes.join("huge.img"), 100 << 30).unwrap_err();
    assert_eq!(
        too_big.lsm_error_number(),
        ErrorNumber::NOT_ENOUGH_SPACE,
        "{too_big}"
    );
    assert!(
        !volumes.join("huge.img").exists(),
        "half-made image left behind"
    );
    let reflinked = volumes.join("vol1-clone.img");
    btrfs.reflink_copy(&thin, &reflinked).unwrap();
    assert_eq!(std::fs::read(&reflinked).unwrap()[..11], *b"volume data");
    assert_eq!(std::fs::metadata(&reflinked).unwrap().len(), 512 * MIB);

    btrfs.subvolume_delete(&clone).unwrap();
    btrfs.subvolume_delete(&snapshot).unwrap();
    btrfs.subvolume_delete(&fs).unwrap();
    assert_eq!(
        btrfs.subvolume_delete(&fs).unwrap_err().lsm_error_number(),
        ErrorNumber::NOT_FOUND_FS
    );
}

fn exercise_lvm(array: &TestArray) {
    let lvm = Lvm::new(&array.config.lvm, Duration::from_secs(30));
    let PoolBackend::Lvm { vg } = &array.config.pools[1].backend else {
        panic!("second pool is not LVM");
    };
    let groups = lvm.vgs(Some(vg)).unwrap();
    assert_eq!(groups.len(), 1);
    assert!(
        groups[0].size > 1900 * MIB && groups[0].size < 2100 * MIB,
        "{}",
        groups[0].size
    );
    assert!(
        lvm.pvs()
            .unwrap()
            .iter()
            .filter(|pv| &pv.vg_name == vg)
            .count()
            == 2
    );

    lvm.lv_create(vg, "lv1", 100 * MIB, &["lsm_volume"])
        .unwrap();
    let lvs = lvm.lvs(vg).unwrap();
    assert_eq!(lvs.len(), 1);
    assert_eq!((lvs[0].name.as_str(), lvs[0].size), ("lv1", 100 * MIB));
    assert_eq!(lvs[0].tags, vec!["lsm_volume"]);
    assert_eq!(
        lvm.lv_create(vg, "lv1", MIB * 4, &[])
            .unwrap_err()
            .lsm_error_number(),
        ErrorNumber::NAME_CONFLICT
    );
    assert_eq!(
        lvm.lv_create(vg, "lv2", 100 << 30, &[])
            .unwrap_err()
            .lsm_error_number(),
        ErrorNumber::NOT_ENOUGH_SPACE
    );

    lvm.lv_resize(vg, "lv1", 200 * MIB).unwrap();
    assert_eq!(lvm.lvs(vg).unwrap()[0].size, 200 * MIB);
    assert_eq!(
        lvm.lv_resize(vg, "lv1", 200 * MIB)
            .unwrap_err()
            .lsm_error_number(),
        ErrorNumber::NO_STATE_CHANGE
    );
    lvm.lv_resize(vg, "lv1", 52 * MIB).unwrap();
    assert_eq!(lvm.lvs(vg).unwrap()[0].size, 52 * MIB);
    lvm.lv_add_tag(vg, "lv1", "masked").unwrap();
    assert!(lvm.lvs(vg).unwrap()[0].tags.contains(&"masked".to_owned()));
    lvm.lv_delete_tag(vg, "lv1", "masked").unwrap();

    lvm.lv_remove(vg, "lv1").unwrap();
    assert!(lvm.lvs(vg).unwrap().is_empty());
    assert_eq!(
        lvm.lv_remove(vg, "lv1").unwrap_err().lsm_error_number(),
        ErrorNumber::NOT_FOUND_VOLUME
    );
    assert_eq!(
        lvm.vgs(Some("lsm_no_such_vg"))
            .unwrap_err()
            .lsm_error_number(),
        ErrorNumber::NOT_FOUND_POOL
    );
    if lvm.activation_disabled() {
        assert_eq!(
            lvm.lv_snapshot(vg, "lv1", "snap", MIB)
                .unwrap_err()
                .lsm_error_number(),
            ErrorNumber::NO_SUPPORT
        );
    }
}

fn exercise_tgt(array: &TestArray) {
    let iscsi = array.config.iscsi.as_ref().unwrap();
    let tgt = Tgtadm::new(iscsi.tgtd_control_port, Duration::from_secs(10));
    let portal = array.portal();
    let allowed = "iqn.2024-01.org.example:allowed";
    let other = "iqn.2024-01.org.example:other";
    let target = format!("{}ag1", iscsi.target_iqn_prefix);
    let backing = array.btrfs_mount().join("lsm-volumes/lun1.img");
    btrfs::create_sparse_file(&backing, 64 * MIB).unwrap();
    let vpd83 = "600a0b80001234567890abcdef012345";

    tgt.target_create(1, &target).unwrap();
    assert_eq!(
        tgt.target_create(1, &target)
            .unwrap_err()
            .lsm_error_number(),
        ErrorNumber::NAME_CONFLICT
    );
    tgt.lun_create(1, 1, &backing, vpd83, "VOL0001").unwrap();
    tgt.bind_initiator_name(1, allowed).unwrap();
    let shown = tgt.targets().unwrap();
    let shown = shown.iter().find(|item| item.tid == 1).unwrap();
    assert_eq!(shown.iqn, target);
    let lun = shown.lun(1).unwrap();
    assert_eq!(lun.scsi_id, vpd83);
    assert_eq!(lun.scsi_sn, "VOL0001");
    assert_eq!(lun.backing_store_path.as_deref(), Some(backing.as_path()));
    assert_eq!(shown.initiator_names().collect::<Vec<_>>(), vec![allowed]);

    // The allowed IQN sees the LUN with the right size and identity.
    let (ok, listing) = run(
        "iscsi-ls",
        &["-i", allowed, "-s", &format!("iscsi://{portal}")],
    );
    assert!(ok, "{listing}");
    assert!(listing.contains(&target), "{listing}");
    assert!(listing.contains("Lun:1"), "{listing}");
    let lun_url = format!("iscsi://{portal}/{target}/1");
    let (ok, capacity) = run("iscsi-readcapacity16", &["-i", allowed, &lun_url]);
    assert!(ok, "{capacity}");
    assert!(capacity.contains("Total size:67108864"), "{capacity}");
    let (ok, inquiry) = run(
        "iscsi-inq",
        &["-i", allowed, "-e", "1", "-c", "131", &lun_url],
    );
    assert!(ok, "{inquiry}");
    assert!(inquiry.contains(vpd83), "{inquiry}");
    // Another IQN sees nothing and cannot log in.
    let (_, hidden) = run(
        "iscsi-ls",
        &["-i", other, "-s", &format!("iscsi://{portal}")],
    );
    assert!(!hidden.contains(&target), "{hidden}");
    let (ok, refused) = run("iscsi-readcapacity16", &["-i", other, &lun_url]);
    assert!(!ok, "{refused}");

    // CHAP: without or with a wrong password refused, right one accepted.
    tgt.account_create("chapuser", "chap-secret-123").unwrap();
    tgt.account_bind(1, "chapuser", false).unwrap();
    let (ok, _) = run("iscsi-readcapacity16", &["-i", allowed, &lun_url]);
    assert!(!ok, "login without CHAP accepted");
    let wrong = format!("iscsi://chapuser%wrong-password@{portal}/{target}/1");
    assert!(!run("iscsi-readcapacity16", &["-i", allowed, &wrong]).0);
    let right = format!("iscsi://chapuser%chap-secret-123@{portal}/{target}/1");
    let (ok, text) = run("iscsi-readcapacity16", &["-i", allowed, &right]);
    assert!(ok, "{text}");
    assert!(tgt.accounts().unwrap().contains(&"chapuser".to_owned()));
    tgt.account_unbind(1, "chapuser", false).unwrap();
    tgt.account_delete("chapuser").unwrap();

    // Unbind, unmask, delete: the LUN and target are gone.
    tgt.unbind_initiator_name(1, allowed).unwrap();
    let (_, hidden) = run(
        "iscsi-ls",
        &["-i", allowed, "-s", &format!("iscsi://{portal}")],
    );
    assert!(!hidden.contains(&target), "{hidden}");
    tgt.lun_delete(1, 1).unwrap();
    assert_eq!(
        tgt.lun_delete(1, 1).unwrap_err().lsm_error_number(),
        ErrorNumber::NOT_FOUND_VOLUME
    );
    tgt.target_delete(1, false).unwrap();
    assert!(tgt.targets().unwrap().is_empty());
    std::fs::remove_file(&backing).unwrap();
}

fn exercise_ganesha(array: &TestArray) {
    let nfs = array.config.nfs.as_ref().unwrap();
    let client = GaneshaClient::connect(
        nfs.dbus_address.as_deref(),
        &nfs.bus_name,
        Duration::from_secs(10),
    )
    .unwrap();
    let btrfs = Btrfs::new(Duration::from_secs(30));
    let pool = array.btrfs_mount();
    btrfs.subvolume_create(&pool.join("share1")).unwrap();
    std::fs::write(pool.join("share1/readme.txt"), b"served by ganesha\n").unwrap();

    // Each exported subvolume is mounted on its own (linux-backends.md §4).
    let export_path = nfs.mount_root.join("share1");
    std::fs::create_dir_all(&export_path).unwrap();
    let device = loop_device_of(&pool);
    assert_eq!(btrfs::find_mount_point(&device).unwrap(), pool);
    let (ok, text) = run(
        "mount",
        &[
            "-t",
            "btrfs",
            "-o",
            "subvol=share1",
            device.to_str().unwrap(),
            export_path.to_str().unwrap(),
        ],
    );
    assert!(ok, "{text}");

    let block = ExportBlock {
        export_id: 100,
        path: export_path.clone(),
        pseudo: export_path.clone(),
        anonymous_uid: Some(65534),
        anonymous_gid: Some(65534),
        sec_types: vec!["sys".into()],
        client_rules: vec![ClientRule {
            clients: vec!["127.0.0.1".into()],
            access: AccessType::ReadWrite,
            squash: Squash::NoRootSquash,
        }],
    };
    let export_file = ganesha::write_export_file(&nfs.exports_dir, &block).unwrap();
    let message = client.add_export(&export_file, 100).unwrap();
    assert!(message.contains("1 exports added"), "{message}");
    assert_eq!(
        client
            .add_export(&export_file, 100)
            .unwrap_err()
            .lsm_error_number(),
        ErrorNumber::NAME_CONFLICT
    );
    let exports = client.show_exports().unwrap();
    assert!(
        exports
            .iter()
            .any(|export| export.export_id == 100 && Path::new(&export.path) == export_path)
    );
    let details = client.display_export(100).unwrap();
    assert_eq!(Path::new(&details.pseudo), export_path);
    assert_eq!(details.clients, vec!["127.0.0.1/32"]);
    let (ok, listing) = run("showmount", &["-e", "127.0.0.1"]);
    assert!(
        ok && listing.contains(export_path.to_str().unwrap()),
        "{listing}"
    );
    let url = format!("nfs://127.0.0.1{}/readme.txt", export_path.display());
    let (ok, content) = run("nfs-cat", &[&url]);
    assert!(ok && content.contains("served by ganesha"), "{content}");

    client.remove_export(100).unwrap();
    assert_eq!(
        client.remove_export(100).unwrap_err().lsm_error_number(),
        ErrorNumber::NOT_FOUND_NFS_EXPORT
    );
    assert_eq!(
        client.display_export(100).unwrap_err().lsm_error_number(),
        ErrorNumber::NOT_FOUND_NFS_EXPORT
    );
    let (_, listing) = run("showmount", &["-e", "127.0.0.1"]);
    assert!(
        !listing.contains(export_path.to_str().unwrap()),
        "{listing}"
    );

    // SIGHUP fallback: the include file brings the export back, then removes it.
    let pid_file = nfs.pid_file.as_ref().unwrap();
    ganesha::write_include_file(&nfs.exports_include, std::slice::from_ref(&export_file)).unwrap();
    ganesha::reload_by_signal(pid_file).unwrap();
    wait_for("export after SIGHUP", || {
        run("showmount", &["-e", "127.0.0.1"])
            .1
            .contains(export_path.to_str().unwrap())
    });
    ganesha::write_include_file(&nfs.exports_include, &[]).unwrap();
    ganesha::reload_by_signal(pid_file).unwrap();
    wait_for("export removal after SIGHUP", || {
        !run("showmount", &["-e", "127.0.0.1"])
            .1
            .contains(export_path.to_str().unwrap())
    });

    let (ok, text) = run("umount", &[export_path.to_str().unwrap()]);
    assert!(ok, "{text}");
    btrfs.subvolume_delete(&pool.join("share1")).unwrap();
}

fn exercise_state_and_replay(array: &TestArray) {
    let store = StateStore::open(&array.config.state_dir).unwrap();
    let _lock = store.lock(Duration::from_secs(5)).unwrap();
    assert_eq!(store.load().unwrap(), ArrayState::default());

    // What the plugin would have recorded: a target with a LUN, an ACL and
    // CHAP for its initiator, and an NFS export.
    let iscsi = array.config.iscsi.as_ref().unwrap();
    let target = format!("{}ag7", iscsi.target_iqn_prefix);
    let allowed = "iqn.2024-01.org.example:replayed";
    let backing = array.btrfs_mount().join("lsm-volumes/replay.img");
    btrfs::create_sparse_file(&backing, 32 * MIB).unwrap();
    let nfs = array.config.nfs.as_ref().unwrap();
    let export_path = nfs.mount_root.join("plain-dir");
    std::fs::create_dir_all(&export_path).unwrap();
    std::fs::write(export_path.join("file.txt"), b"replayed export\n").unwrap();
    let block = ExportBlock {
        export_id: 101,
        path: export_path.clone(),
        pseudo: export_path.clone(),
        anonymous_uid: None,
        anonymous_gid: None,
        sec_types: vec![],
        client_rules: vec![ClientRule {
            clients: vec!["127.0.0.1".into()],
            access: AccessType::ReadOnly,
            squash: Squash::RootSquash,
        }],
    };
    let config_file = ganesha::write_export_file(&nfs.exports_dir, &block).unwrap();
    let state = ArrayState {
        version: plugin_linux::state::STATE_VERSION,
        targets: vec![TargetRecord {
            tid: 7,
            iqn: target.clone(),
            access_group_id: "ag7".into(),
            access_group_name: "replayed hosts".into(),
            initiators: vec![allowed.into()],
            luns: vec![LunRecord {
                lun: 3,
                volume_id: "vol7".into(),
                backing_path: backing.clone(),
                size_bytes: 32 * MIB,
                scsi_id: "6000000000000000000000000000abcd".into(),
                scsi_sn: "VOL0007".into(),
                online: true,
            }],
        }],
        exports: vec![ExportRecord {
            export_id: 101,
            fs_id: "fs-plain".into(),
            export_path: export_path.clone(),
            mount_point: export_path.clone(),
            config_file,
            root_hosts: vec![],
            rw_hosts: vec![],
            ro_hosts: vec!["127.0.0.1".into()],
            anon_uid: None,
            anon_gid: None,
            auth_type: None,
            created_mount_dir: false,
        }],
    };
    let secrets = Secrets {
        chap: vec![ChapRecord {
            initiator: allowed.into(),
            in_user: Some("replayuser".into()),
            in_password: Some(Secret::new("replay-secret-1")),
            out_user: None,
            out_password: None,
        }],
    };
    store.save(&state).unwrap();
    store.save_secrets(&secrets).unwrap();
    assert_eq!(store.load().unwrap(), state);
    assert_eq!(store.load_secrets().unwrap(), secrets);

    // The daemons are empty (as after a restart): replay restores everything.
    let tgt = Tgtadm::new(iscsi.tgtd_control_port, Duration::from_secs(10));
    let report =
        replay_targets(&tgt, &store.load().unwrap(), &store.load_secrets().unwrap()).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.targets_created, vec![7]);
    assert_eq!(report.luns_created, vec![(7, 3)]);
    assert_eq!(report.accounts_created, vec!["replayuser"]);
    let url = format!(
        "iscsi://replayuser%replay-secret-1@{}/{target}/3",
        array.portal()
    );
    let (ok, capacity) = run("iscsi-readcapacity16", &["-i", allowed, &url]);
    assert!(ok && capacity.contains("Total size:33554432"), "{capacity}");
    let unauthenticated = format!("iscsi://{}/{target}/3", array.portal());
    assert!(!run("iscsi-readcapacity16", &["-i", allowed, &unauthenticated]).0);
    let again = replay_targets(&tgt, &state, &secrets).unwrap();
    assert!(again.is_noop(), "{again:?}");

    let client = GaneshaClient::connect(
        nfs.dbus_address.as_deref(),
        &nfs.bus_name,
        Duration::from_secs(10),
    )
    .unwrap();
    let report = replay_exports(&client, &state).unwrap();
    assert_eq!(report.exports_added, vec![101], "{:?}", report.problems);
    let (ok, content) = run(
        "nfs-cat",
        &[&format!(
            "nfs://127.0.0.1{}/file.txt",
            export_path.display()
        )],
    );
    assert!(ok && content.contains("replayed export"), "{content}");
    assert!(replay_exports(&client, &state).unwrap().is_noop());

    client.remove_export(101).unwrap();
    tgt.target_delete(7, true).unwrap();
    tgt.account_delete("replayuser").unwrap();
}

/// The loop device the btrfs pool at `mount` is on (from /proc/self/mounts).
fn loop_device_of(mount: &Path) -> PathBuf {
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap();
    mounts
        .lines()
        .find_map(|line| {
            let mut fields = line.split(' ');
            let device = fields.next()?;
            let point = fields.next()?;
            (Path::new(point) == mount).then(|| PathBuf::from(device))
        })
        .unwrap()
}
