//! `linux_lsmplugin` against a real throwaway array (`lsm-linux-testenv`):
//! the conformance suite, iSCSI seen by libiscsi after masking (with CHAP,
//! resize, disable and a tgtd restart), NFS seen by showmount and libnfs
//! after exporting, btrfs quotas, snapshots and clones for real, and bad
//! input refused without leaving anything behind.
//!
//! Every test builds its own array and tears it down in a guard's `Drop`;
//! they run one at a time. They need root and the packages in PACKAGES;
//! without root they fail, saying so (CI runs as root).

mod support;

use std::io::Write;
use std::os::unix::fs::FileExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use lsm_core::{
    AccessGroup, BlockingClient, ChapAuth, ChapCredentials, ErrorNumber, ExportRequest, FileSystem,
    InitiatorType, Pool, Provisioning, ReplicationType, SnapshotRestore, System, Volume,
    VolumeAdminState,
};
use plugin_linux::tgt::Tgtadm;
use support::*;

fn pool_named(client: &mut BlockingClient, name: &str) -> Pool {
    client
        .pools(None)
        .unwrap()
        .into_iter()
        .find(|pool| pool.name == name)
        .unwrap_or_else(|| panic!("no pool {name}"))
}

fn system_of(client: &mut BlockingClient) -> System {
    client.systems().unwrap().remove(0)
}

fn create_volume(client: &mut BlockingClient, pool: &Pool, name: &str, size: i64) -> Volume {
    let started = client.volume_create(pool, name, size, Provisioning::DEFAULT);
    done(client, started)
}

fn create_fs(client: &mut BlockingClient, pool: &Pool, name: &str, size: i64) -> FileSystem {
    let started = client.fs_create(pool, name, size);
    done(client, started)
}

/// The checks skipped against the test array (see the conformance test).
const SKIPPED_CHECKS: &[&str] = &[
    "access_group_create_delete_wwpn",
    "access_group_initiator_add_delete_wwpn",
    "disk_location",
    "job_fs_create",
    "job_volume_create",
    "job_volume_delete",
    "list_batteries",
    "not_found_disk",
    "raid_create_raid_info",
    "search_batteries_by_id",
    "search_batteries_by_system_id",
    "system_mode",
    "system_read_cache_pct",
    "system_read_cache_pct_update",
    "volume_cache_info",
    "volume_cache_pdc_update",
    "volume_cache_rcp_update",
    "volume_cache_wcp_update",
    "volume_ident_led_off",
    "volume_ident_led_on",
    "volume_raid_create",
    "volume_raid_create_cap_get",
    "volume_raid_create_disk_not_free",
    "volume_raid_info",
    "volume_replicate_mirror_async",
    "volume_replicate_mirror_sync",
];

#[test]
fn conformance_suite_passes_against_the_test_array() {
    require_root("conformance_suite_passes_against_the_test_array");
    let _serial = serialised();
    let array = TestArray::up();
    let plugin_dir = Path::new(PLUGIN).parent().unwrap();
    // Every check the plugin's capabilities allow, none skipped by name.
    // (The suite's file clone check can only ask for a file that does not
    // exist, which this array refuses; clones of real files are checked in
    // `quota_snapshots_and_clones_for_real`.)
    let client = BlockingClient::builder(&array.uri).plugin_dir(plugin_dir);
    let report = lsm_tests::run_suite(client, &[]);
    // Pinned: a check is skipped only for a capability the plugin lacks, or because the
    // call it follows finished at once (this plugin has no slow jobs); never for a
    // missing pool or disk, which would hide a check that ought to run here.
    report.assert_pinned(SKIPPED_CHECKS);
    // The suite cleaned up after itself: no object is left on the array.
    let mut client = array.client();
    assert!(client.volumes(None).unwrap().is_empty());
    assert!(client.fs(None).unwrap().is_empty());
    assert!(client.access_groups(None).unwrap().is_empty());
    assert!(client.exports(None).unwrap().is_empty());
}

/// The logical unit's 16-byte NAA designator, as hex, from the raw VPD
/// page 0x83 read through libiscsi. (Not from `iscsi-inq`'s text: it
/// prints binary designators with `%s`, cutting them at the first zero
/// byte, and a vpd83 is a hash that often holds one.)
fn naa_designator(
    initiator: &str,
    portal: &str,
    target: &str,
    chap: Option<(&str, &str)>,
) -> Option<String> {
    let mut session = libiscsi::Session::connect(initiator, portal, target, 1, chap).unwrap();
    let page = session.inquiry_vpd(0x83).unwrap();
    naa_of_logical_unit(&page)
}

/// The first NAA designator of the logical unit (association 0) with 16
/// bytes in a VPD page 0x83, as hex.
fn naa_of_logical_unit(page: &[u8]) -> Option<String> {
    let mut descriptors = page.get(4..)?;
    while let [code_set, flags, _, length, rest @ ..] = descriptors {
        let designator = rest.get(..usize::from(*length))?;
        let naa = flags & 0x0f == 3;
        let logical_unit = (flags >> 4) & 0x03 == 0;
        if naa && logical_unit && code_set & 0x0f == 1 && designator.len() == 16 {
            return Some(
                designator
                    .iter()
                    .map(|byte| format!("{byte:02x}"))
                    .collect(),
            );
        }
        descriptors = &rest[designator.len()..];
    }
    None
}

#[test]
fn naa_designators_with_zero_bytes_are_read_whole() {
    let mut page = vec![0x00, 0x83, 0x00, 0x00];
    // A T10 vendor id first, then the NAA-6 designator holding zero bytes.
    page.extend([0x02, 0x01, 0x00, 0x04]);
    page.extend(b"ab\0d");
    page.extend([0x01, 0x03, 0x00, 0x10]);
    page.extend([
        0x6e, 0x81, 0xe7, 0xe1, 0x00, 0xd7, 0x6a, 0x21, 0x05, 0x45, 0x6e, 0x98, 0x52, 0x7d, 0x0c,
        0x00,
    ]);
    page[3] = u8::try_from(page.len() - 4).unwrap();
    assert_eq!(
        naa_of_logical_unit(&page).as_deref(),
        Some("6e81e7e100d76a2105456e98527d0c00")
    );
    assert_eq!(naa_of_logical_unit(&page[..page.len() - 1]), None);
}

/// A tgtd this test started on the array's control port and portal,
/// stopped when dropped.
struct ReplacementTgtd {
    child: std::process::Child,
    control_port: u16,
}

impl ReplacementTgtd {
    fn start(array: &TestArray) -> ReplacementTgtd {
        let control_port = array.tgtd_control_port();
        for suffix in ["", ".lock"] {
            let _ = std::fs::remove_file(format!("/var/run/tgtd/socket.{control_port}{suffix}"));
        }
        let log = std::fs::File::create(array.dir.join("logs/tgtd-restarted.log")).unwrap();
        let child = Command::new("tgtd")
            .args(["-f", "-C", &control_port.to_string(), "--iscsi"])
            .arg(format!("portal={}", array.portal()))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .process_group(0)
            .spawn()
            .unwrap();
        let tgt = Tgtadm::new(control_port, Duration::from_secs(5));
        wait_for("the restarted tgtd", || tgt.is_ready());
        ReplacementTgtd {
            child,
            control_port,
        }
    }
}

impl Drop for ReplacementTgtd {
    fn drop(&mut self) {
        let _ = Tgtadm::new(self.control_port, Duration::from_secs(5)).shutdown();
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn masked_volumes_are_served_over_iscsi() {
    require_root("masked_volumes_are_served_over_iscsi");
    let _serial = serialised();
    let array = TestArray::up();
    let mut client = array.client();
    let system = system_of(&mut client);
    let pool = pool_named(&mut client, "btrfs0");
    let portal = array.portal();
    let allowed = "iqn.2024-01.org.lsm-rs.test:allowed";
    let other = "iqn.2024-01.org.lsm-rs.test:other";

    let volume = create_volume(&mut client, &pool, "iscsi_vol", 64 * MIB);
    let group = client
        .access_group_create("hosts", allowed, InitiatorType::ISCSI_IQN, &system)
        .unwrap();
    assert_eq!(group.init_ids, [allowed]);
    client.volume_mask(&group, &volume).unwrap();
    let accessible = client.volumes_accessible_by_access_group(&group).unwrap();
    assert_eq!(accessible, vec![volume.clone()]);
    let granted: Vec<AccessGroup> = client.access_groups_granted_to_volume(&volume).unwrap();
    assert_eq!(granted.len(), 1);
    assert_eq!(granted[0].id, group.id);

    // The allowed IQN sees the LUN with the volume's size and identity.
    let target = array.target_iqn(&group.id);
    let discovery = format!("iscsi://{portal}");
    let lun_url = format!("iscsi://{portal}/{target}/1");
    let (ok, listing) = run("iscsi-ls", &["-i", allowed, "-s", &discovery]);
    assert!(
        ok && listing.contains(&target) && listing.contains("Lun:1"),
        "{listing}"
    );
    let (ok, capacity) = run("iscsi-readcapacity16", &["-i", allowed, &lun_url]);
    assert!(ok && capacity.contains("Total size:67108864"), "{capacity}");
    assert_eq!(
        naa_designator(allowed, &portal, &target, None).as_deref(),
        Some(volume.vpd83.as_str())
    );
    let (ok, inquiry) = run(
        "iscsi-inq",
        &["-i", allowed, "-e", "1", "-c", "131", &lun_url],
    );
    assert!(ok && inquiry.contains(&volume.vpd83), "{inquiry}");
    // An IQN outside the group sees nothing and cannot log in.
    let (_, hidden) = run("iscsi-ls", &["-i", other, "-s", &discovery]);
    assert!(!hidden.contains(&target), "{hidden}");
    assert!(!run("iscsi-readcapacity16", &["-i", other, &lun_url]).0);
    assert!(libiscsi::Session::connect(other, &portal, &target, 1, None).is_err());

    // Bytes written through iSCSI land in the image, and the reverse.
    let image = array.btrfs_mount().join("lsm-volumes/iscsi_vol.img");
    let mut session = libiscsi::Session::connect(allowed, &portal, &target, 1, None).unwrap();
    session.write(100, &[0xa5; 4096]).unwrap();
    let mut landed = vec![0u8; 4096];
    std::fs::File::open(&image)
        .unwrap()
        .read_exact_at(&mut landed, 100 * 512)
        .unwrap();
    assert!(landed.iter().all(|byte| *byte == 0xa5));
    let mut block = b"written into the image file".to_vec();
    block.resize(512, 0);
    std::fs::OpenOptions::new()
        .write(true)
        .open(&image)
        .unwrap()
        .write_all_at(&block, 300 * 512)
        .unwrap();
    assert_eq!(session.read(300, 512).unwrap(), block);
    drop(session);

    // Resizing a masked volume is reflected to initiators.
    let started = client.volume_resize(&volume, 96 * MIB);
    let volume = done(&mut client, started);
    let (ok, capacity) = run("iscsi-readcapacity16", &["-i", allowed, &lun_url]);
    assert!(
        ok && capacity.contains("Total size:100663296"),
        "{capacity}"
    );
    // Disabling takes the LUN offline; enabling brings it back.
    client.volume_disable(&volume).unwrap();
    assert!(!run("iscsi-readcapacity16", &["-i", allowed, &lun_url]).0);
    client.volume_enable(&volume).unwrap();
    assert!(run("iscsi-readcapacity16", &["-i", allowed, &lun_url]).0);

    // CHAP: required once set; the wrong password is refused.
    client
        .iscsi_chap_auth(
            allowed,
            &ChapAuth::inbound(ChapCredentials::new("chapuser", "chap-secret-1")),
        )
        .unwrap();
    assert!(!run("iscsi-readcapacity16", &["-i", allowed, &lun_url]).0);
    let wrong = format!("iscsi://chapuser%wrong-secret@{portal}/{target}/1");
    assert!(!run("iscsi-readcapacity16", &["-i", allowed, &wrong]).0);
    let right = format!("iscsi://chapuser%chap-secret-1@{portal}/{target}/1");
    let (ok, text) = run("iscsi-readcapacity16", &["-i", allowed, &right]);
    assert!(ok, "{text}");
    let secrets = std::fs::read_to_string(array.config.state_dir.join("secrets.json")).unwrap();
    assert!(secrets.contains("chap-secret-1"));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(array.config.state_dir.join("secrets.json"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0, "secrets readable by others: {mode:o}");

    // tgtd restarted empty: the next call puts the target back as it was.
    Tgtadm::new(array.tgtd_control_port(), Duration::from_secs(5))
        .shutdown()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let _tgtd = ReplacementTgtd::start(&array);
    let (_, empty) = run("iscsi-ls", &["-i", allowed, "-s", &discovery]);
    assert!(!empty.contains(&target), "{empty}");
    assert_eq!(client.access_groups(None).unwrap().len(), 1);
    let (ok, text) = run("iscsi-readcapacity16", &["-i", allowed, &right]);
    assert!(ok && text.contains("Total size:100663296"), "{text}");
    assert!(!run("iscsi-readcapacity16", &["-i", allowed, &wrong]).0);
    assert_eq!(
        naa_designator(
            allowed,
            &portal,
            &target,
            Some(("chapuser", "chap-secret-1"))
        )
        .as_deref(),
        Some(volume.vpd83.as_str())
    );

    // Clearing CHAP, unmasking: the LUN is gone, the group stays visible.
    client.iscsi_chap_auth(allowed, &ChapAuth::none()).unwrap();
    assert!(run("iscsi-readcapacity16", &["-i", allowed, &lun_url]).0);
    let masked = client.volume_delete(&volume);
    assert_code(&failure(&mut client, masked), ErrorNumber::IS_MASKED);
    assert_code(
        &client.access_group_delete(&group).unwrap_err(),
        ErrorNumber::IS_MASKED,
    );
    client.volume_unmask(&group, &volume).unwrap();
    let (_, listing) = run("iscsi-ls", &["-i", allowed, "-s", &discovery]);
    assert!(
        listing.contains(&target) && !listing.contains("Lun:1"),
        "{listing}"
    );
    assert!(!run("iscsi-readcapacity16", &["-i", allowed, &lun_url]).0);
    client.access_group_delete(&group).unwrap();
    let (_, listing) = run("iscsi-ls", &["-i", allowed, "-s", &discovery]);
    assert!(!listing.contains(&target), "{listing}");
    let started = client.volume_delete(&volume);
    done(&mut client, started);
    assert!(client.volumes(None).unwrap().is_empty());
}

#[test]
fn exported_file_systems_are_served_over_nfs() {
    require_root("exported_file_systems_are_served_over_nfs");
    let _serial = serialised();
    let array = TestArray::up();
    let mut client = array.client();
    let pool = pool_named(&mut client, "btrfs0");
    let fs = create_fs(&mut client, &pool, "share", 256 * MIB);
    let fs_path = array.btrfs_mount().join("lsm-fs/share");
    std::fs::write(fs_path.join("hello.txt"), b"hello over NFS\n").unwrap();
    let localhost = ["127.0.0.1".to_owned()];

    // Read-write with root access, default path.
    let export = client
        .export_fs(&ExportRequest {
            root_list: localhost.to_vec(),
            rw_list: localhost.to_vec(),
            ..ExportRequest::new(&fs.id)
        })
        .unwrap();
    let path = export.export_path.clone();
    assert!(path.starts_with(array.dir.to_str().unwrap()), "{path}");
    assert_eq!(client.exports(None).unwrap(), vec![export.clone()]);
    let (ok, listing) = run("showmount", &["-e", "127.0.0.1"]);
    assert!(ok && listing.contains(&path), "{listing}");
    let (ok, files) = run("nfs-ls", &[&format!("nfs://127.0.0.1{path}")]);
    assert!(ok && files.contains("hello.txt"), "{files}");
    let (ok, content) = run("nfs-cat", &[&format!("nfs://127.0.0.1{path}/hello.txt")]);
    assert!(ok && content.contains("hello over NFS"), "{content}");
    let (ok, content) = run(
        "nfs-cat",
        &[&format!(
            "nfs://127.0.0.1{path}/hello.txt?version=4&nfsport={}",
            array.summary["NFS_PORT"]
        )],
    );
    assert!(
        ok && content.contains("hello over NFS"),
        "NFSv4 at the same path: {content}"
    );
    let local = array.dir.join("upload.txt");
    std::fs::write(&local, b"written over NFS\n").unwrap();
    let (ok, text) = run(
        "nfs-cp",
        &[
            local.to_str().unwrap(),
            &format!("nfs://127.0.0.1{path}/rw.txt"),
        ],
    );
    assert!(ok, "rw host cannot write: {text}");
    assert_eq!(
        std::fs::read_to_string(fs_path.join("rw.txt")).unwrap(),
        "written over NFS\n"
    );

    // Read-only, custom path, anonymous ids: readable, not writable.
    let custom = array.dir.join("custom-ro");
    let read_only = client
        .export_fs(&ExportRequest {
            export_path: Some(custom.to_str().unwrap().to_string()),
            ro_list: localhost.to_vec(),
            anon_uid: 65534,
            anon_gid: 65534,
            auth_type: Some("sys".to_string()),
            ..ExportRequest::new(&fs.id)
        })
        .unwrap();
    assert_eq!(read_only.export_path, custom.to_str().unwrap());
    assert_eq!((read_only.anonuid, read_only.anongid), (65534, 65534));
    let ro_path = read_only.export_path.clone();
    let (ok, content) = run("nfs-cat", &[&format!("nfs://127.0.0.1{ro_path}/hello.txt")]);
    assert!(ok && content.contains("hello over NFS"), "{content}");
    let (ok, text) = run(
        "nfs-cp",
        &[
            local.to_str().unwrap(),
            &format!("nfs://127.0.0.1{ro_path}/ro.txt"),
        ],
    );
    assert!(!ok, "a read-only host wrote: {text}");
    assert!(!fs_path.join("ro.txt").exists());
    assert_eq!(client.exports(None).unwrap().len(), 2);

    // Removal: gone from ganesha, unmounted, the created directory removed.
    client.export_remove(&read_only).unwrap();
    client.export_remove(&export).unwrap();
    assert_code(
        &client.export_remove(&export).unwrap_err(),
        ErrorNumber::NOT_FOUND_NFS_EXPORT,
    );
    assert!(client.exports(None).unwrap().is_empty());
    let (_, listing) = run("showmount", &["-e", "127.0.0.1"]);
    assert!(
        !listing.contains(&path) && !listing.contains(&ro_path),
        "{listing}"
    );
    assert!(!run("nfs-ls", &[&format!("nfs://127.0.0.1{path}")]).0);
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap();
    assert!(
        !mounts.contains(&path) && !mounts.contains(&ro_path),
        "{mounts}"
    );
    assert!(!custom.exists());

    // Deleting an exported file system removes its exports first.
    let again = client
        .export_fs(&ExportRequest {
            rw_list: localhost.to_vec(),
            ..ExportRequest::new(&fs.id)
        })
        .unwrap();
    let started = client.fs_delete(&fs);
    done(&mut client, started);
    assert!(client.exports(None).unwrap().is_empty());
    let (_, listing) = run("showmount", &["-e", "127.0.0.1"]);
    assert!(!listing.contains(&again.export_path), "{listing}");
    assert!(client.fs(None).unwrap().is_empty());
}

fn write_until_full(path: &Path, limit: usize) -> std::io::Error {
    let mut file = std::fs::File::create(path).unwrap();
    let chunk = vec![0x5au8; 1 << 20];
    for _ in 0..limit {
        if let Err(error) = file.write_all(&chunk).and_then(|()| file.sync_data()) {
            return error;
        }
    }
    panic!("wrote {limit} MiB into {} without an error", path.display());
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

#[test]
fn quota_snapshots_and_clones_for_real() {
    require_root("quota_snapshots_and_clones_for_real");
    let _serial = serialised();
    let array = TestArray::up();
    let mut client = array.client();
    let pool = pool_named(&mut client, "btrfs0");
    let fs_dir = array.btrfs_mount().join("lsm-fs");

    // The size is a quota: writing past it fails.
    let small = create_fs(&mut client, &pool, "quota", 64 * MIB);
    assert_eq!(small.total_space, 64 * MIB);
    let error = write_until_full(&fs_dir.join("quota/big.bin"), 200);
    assert_eq!(error.raw_os_error(), Some(libc::EDQUOT), "{error}");
    assert!(error.to_string().contains("Disk quota exceeded"), "{error}");
    // qgroup figures are exact after a transaction commit.
    assert!(
        run(
            "btrfs",
            &["filesystem", "sync", array.btrfs_mount().to_str().unwrap()]
        )
        .0
    );
    let listed = client
        .fs(None)
        .unwrap()
        .into_iter()
        .find(|fs| fs.id == small.id)
        .unwrap();
    assert!(listed.free_space < 16 * MIB, "{listed:?}");
    // Growing it lets writes through again.
    let started = client.fs_resize(&small, 256 * MIB);
    let grown = done(&mut client, started);
    assert_eq!(grown.total_space, 256 * MIB);
    std::fs::write(fs_dir.join("quota/more.bin"), vec![1u8; 8 << 20]).unwrap();

    // Snapshots: listed with their time, read-only, restored for real.
    let fs = create_fs(&mut client, &pool, "data", 256 * MIB);
    let root = fs_dir.join("data");
    std::fs::write(root.join("a.txt"), b"version 1").unwrap();
    std::fs::create_dir(root.join("dir")).unwrap();
    std::fs::write(root.join("dir/b.txt"), b"nested 1").unwrap();
    let started = client.fs_snapshot_create(&fs, "before");
    let snapshot = done(&mut client, started);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        (now - snapshot.ts).abs() < 120,
        "ts {} now {now}",
        snapshot.ts
    );
    assert_eq!(client.fs_snapshots(&fs).unwrap(), vec![snapshot.clone()]);
    let snapshot_path = array.btrfs_mount().join("lsm-snapshots/data/before");
    let refused = std::fs::write(snapshot_path.join("x"), b"x").unwrap_err();
    assert_eq!(refused.raw_os_error(), Some(libc::EROFS));

    std::fs::remove_file(root.join("a.txt")).unwrap();
    std::fs::write(root.join("dir/b.txt"), b"nested 2").unwrap();
    std::fs::write(root.join("new.txt"), b"after").unwrap();
    let started = client.fs_snapshot_restore(&fs, &snapshot, &SnapshotRestore::all_files());
    done(&mut client, started);
    assert_eq!(read(root.join("a.txt")), "version 1");
    assert_eq!(read(root.join("dir/b.txt")), "nested 1");
    assert!(!root.join("new.txt").exists());
    assert!(!fs_dir.join(".restore-data").exists());

    std::fs::write(root.join("a.txt"), b"version 2").unwrap();
    let files = SnapshotRestore::files(["a.txt"]);
    let started = client.fs_snapshot_restore(&fs, &snapshot, &files);
    done(&mut client, started);
    assert_eq!(read(root.join("a.txt")), "version 1");
    std::fs::write(root.join("a.txt"), b"version 3").unwrap();
    let elsewhere = files.restored_as(["restored/a-copy.txt"]);
    let started = client.fs_snapshot_restore(&fs, &snapshot, &elsewhere);
    done(&mut client, started);
    assert_eq!(read(root.join("restored/a-copy.txt")), "version 1");
    assert_eq!(read(root.join("a.txt")), "version 3");

    // File clones: reflink copies, from the file system or a snapshot.
    let started = client.fs_file_clone(&fs, "a.txt", "copies/a3.txt", None);
    done(&mut client, started);
    assert_eq!(read(root.join("copies/a3.txt")), "version 3");
    let started = client.fs_file_clone(&fs, "a.txt", "copies/a1.txt", Some(&snapshot));
    done(&mut client, started);
    assert_eq!(read(root.join("copies/a1.txt")), "version 1");
    let again = client.fs_file_clone(&fs, "a.txt", "copies/a1.txt", None);
    assert_code(&failure(&mut client, again), ErrorNumber::NAME_CONFLICT);

    // A clone from the snapshot: its own content, a dependency of its source
    // until removed, and the source's size.
    let started = client.fs_clone(&fs, "data-clone", Some(&snapshot));
    let clone = done(&mut client, started);
    assert_eq!(clone.total_space, fs.total_space);
    assert_eq!(read(fs_dir.join("data-clone/a.txt")), "version 1");
    std::fs::write(fs_dir.join("data-clone/a.txt"), b"clone edit").unwrap();
    assert_eq!(read(root.join("a.txt")), "version 3");
    assert!(client.fs_child_dependency(&fs, None).unwrap());
    assert!(!client.fs_child_dependency(&clone, None).unwrap());
    let blocked = client.fs_delete(&fs);
    assert_code(
        &failure(&mut client, blocked),
        ErrorNumber::HAS_CHILD_DEPENDENCY,
    );
    let started = client.fs_child_dependency_rm(&fs, None);
    done(&mut client, started);
    assert!(!client.fs_child_dependency(&fs, None).unwrap());

    // Deleting the source takes its snapshots; the clone stays.
    let started = client.fs_delete(&fs);
    done(&mut client, started);
    assert!(!snapshot_path.exists());
    assert!(!array.btrfs_mount().join("lsm-snapshots/data").exists());
    assert_eq!(read(fs_dir.join("data-clone/a.txt")), "clone edit");
    let names: Vec<String> = client
        .fs(None)
        .unwrap()
        .into_iter()
        .map(|fs| fs.name)
        .collect();
    assert_eq!(names, ["data-clone", "quota"]);

    // Volumes: a CLONE shares blocks (reflink) and is a child until
    // dependency_rm; a COPY runs as a job and copies the bytes.
    let volume = create_volume(&mut client, &pool, "vol", 32 * MIB);
    let image = array.btrfs_mount().join("lsm-volumes/vol.img");
    {
        use std::os::unix::fs::FileExt;
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(&image)
            .unwrap();
        file.write_all_at(b"volume payload", 5 << 20).unwrap();
    }
    let started = client.volume_replicate(None, ReplicationType::CLONE, &volume, "vol-clone");
    let clone = done(&mut client, started);
    let started = client.volume_replicate(Some(&pool), ReplicationType::COPY, &volume, "vol-copy");
    let copy = done(&mut client, started);
    for replica in [&clone, &copy] {
        assert_ne!(replica.vpd83, volume.vpd83);
        assert_eq!(replica.size_bytes(), volume.size_bytes());
        let bytes = std::fs::read(
            array
                .btrfs_mount()
                .join(format!("lsm-volumes/{}.img", replica.name)),
        )
        .unwrap();
        assert_eq!(&bytes[5 << 20..(5 << 20) + 14], b"volume payload");
    }
    assert!(client.volume_child_dependency(&volume).unwrap());
    let blocked = client.volume_delete(&volume);
    assert_code(
        &failure(&mut client, blocked),
        ErrorNumber::HAS_CHILD_DEPENDENCY,
    );
    let started = client.volume_child_dependency_rm(&volume);
    done(&mut client, started);
    let started = client.volume_delete(&volume);
    done(&mut client, started);
    // Ids and vpd83 are stable across plugin processes.
    let mut other = array.client();
    let listed = other.volumes(None).unwrap();
    assert_eq!(listed.len(), 2);
    assert!(
        listed.contains(&clone) && listed.contains(&copy),
        "{listed:?}"
    );
    assert!(
        listed
            .iter()
            .all(|v| v.admin_state == VolumeAdminState::ENABLED)
    );
}

#[test]
fn bad_input_is_refused_and_leaves_nothing() {
    require_root("bad_input_is_refused_and_leaves_nothing");
    let _serial = serialised();
    let array = TestArray::up();
    let mut client = array.client();
    let system = system_of(&mut client);
    let btrfs = pool_named(&mut client, "btrfs0");
    let lvm = pool_named(&mut client, "lvm0");
    assert!(
        lvm.status_info.contains("device-mapper"),
        "{}",
        lvm.status_info
    );

    // Larger than the pool.
    let too_big = btrfs.free_space + GIB;
    for (pool, size) in [(&btrfs, too_big), (&lvm, lvm.total_space + GIB)] {
        let started = client.volume_create(pool, "huge", size, Provisioning::DEFAULT);
        assert_code(
            &failure(&mut client, started),
            ErrorNumber::NOT_ENOUGH_SPACE,
        );
    }
    let started = client.fs_create(&btrfs, "huge", too_big);
    assert_code(
        &failure(&mut client, started),
        ErrorNumber::NOT_ENOUGH_SPACE,
    );
    let volume = create_volume(&mut client, &btrfs, "dup", 16 * MIB);
    let started = client.volume_resize(&volume, too_big);
    assert_code(
        &failure(&mut client, started),
        ErrorNumber::NOT_ENOUGH_SPACE,
    );
    let started = client.volume_resize(&volume, volume.size_bytes());
    assert_code(&failure(&mut client, started), ErrorNumber::NO_STATE_CHANGE);

    // Duplicate names, in the same pool and across pools.
    for pool in [&btrfs, &lvm] {
        let started = client.volume_create(pool, "dup", 16 * MIB, Provisioning::DEFAULT);
        assert_code(&failure(&mut client, started), ErrorNumber::NAME_CONFLICT);
    }
    let fs = create_fs(&mut client, &btrfs, "dupfs", 64 * MIB);
    let started = client.fs_create(&btrfs, "dupfs", 64 * MIB);
    assert_code(&failure(&mut client, started), ErrorNumber::NAME_CONFLICT);
    let started = client.fs_snapshot_create(&fs, "snap");
    done(&mut client, started);
    let started = client.fs_snapshot_create(&fs, "snap");
    assert_code(&failure(&mut client, started), ErrorNumber::NAME_CONFLICT);
    let first = "iqn.2024-01.org.lsm-rs.test:one";
    let group = client
        .access_group_create("group", first, InitiatorType::ISCSI_IQN, &system)
        .unwrap();
    assert_code(
        &client
            .access_group_create(
                "group",
                "iqn.2024-01.org.lsm-rs.test:two",
                InitiatorType::ISCSI_IQN,
                &system,
            )
            .unwrap_err(),
        ErrorNumber::NAME_CONFLICT,
    );
    assert_code(
        &client
            .access_group_create("other", first, InitiatorType::ISCSI_IQN, &system)
            .unwrap_err(),
        ErrorNumber::EXISTS_INITIATOR,
    );
    assert_code(
        &client
            .access_group_initiator_delete(&group, first, InitiatorType::ISCSI_IQN)
            .unwrap_err(),
        ErrorNumber::LAST_INIT_IN_ACCESS_GROUP,
    );

    // Names with '/', '..' or shell metacharacters never reach a tool.
    let bad_names = [
        "../escape",
        "a/b",
        "x;touch /tmp/lsm-pwned",
        "$(touch /tmp/lsm-pwned)",
        "`id`",
        "a b",
        "-rf",
        ".hidden",
        "name|cat",
        "quote'd",
    ];
    for name in bad_names {
        let started = client.volume_create(&btrfs, name, 16 * MIB, Provisioning::DEFAULT);
        assert_code(
            &failure(&mut client, started),
            ErrorNumber::INVALID_ARGUMENT,
        );
        let started = client.volume_create(&lvm, name, 16 * MIB, Provisioning::DEFAULT);
        assert_code(
            &failure(&mut client, started),
            ErrorNumber::INVALID_ARGUMENT,
        );
        let started = client.fs_create(&btrfs, name, 64 * MIB);
        assert_code(
            &failure(&mut client, started),
            ErrorNumber::INVALID_ARGUMENT,
        );
        let started = client.fs_snapshot_create(&fs, name);
        assert_code(
            &failure(&mut client, started),
            ErrorNumber::INVALID_ARGUMENT,
        );
        let started = client.fs_clone(&fs, name, None);
        assert_code(
            &failure(&mut client, started),
            ErrorNumber::INVALID_ARGUMENT,
        );
        let started = client.volume_replicate(None, ReplicationType::CLONE, &volume, name);
        assert_code(
            &failure(&mut client, started),
            ErrorNumber::INVALID_ARGUMENT,
        );
        assert_code(
            &client
                .access_group_create(
                    name,
                    "iqn.2024-01.org.lsm-rs.test:bad",
                    InitiatorType::ISCSI_IQN,
                    &system,
                )
                .unwrap_err(),
            ErrorNumber::INVALID_ARGUMENT,
        );
    }
    for (source, destination) in [("../../etc/passwd", "x"), ("a", "/etc/x"), ("a", "../x")] {
        let started = client.fs_file_clone(&fs, source, destination, None);
        assert_code(
            &failure(&mut client, started),
            ErrorNumber::INVALID_ARGUMENT,
        );
    }
    let localhost = ["127.0.0.1".to_owned()];
    for path in ["/etc", "relative/path", "/tmp/../etc/x", "/tmp/a\"b"] {
        assert_code(
            &client
                .export_fs(&ExportRequest {
                    export_path: Some(path.to_string()),
                    rw_list: localhost.to_vec(),
                    ..ExportRequest::new(&fs.id)
                })
                .unwrap_err(),
            ErrorNumber::INVALID_ARGUMENT,
        );
    }
    assert_code(
        &client
            .export_fs(&ExportRequest {
                rw_list: vec!["bad host;".to_owned()],
                ..ExportRequest::new(&fs.id)
            })
            .unwrap_err(),
        ErrorNumber::INVALID_ARGUMENT,
    );
    assert!(!Path::new("/tmp/lsm-pwned").exists());
    let images: Vec<String> = std::fs::read_dir(array.btrfs_mount().join("lsm-volumes"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(images, ["dup.img"]);
    let names: Vec<String> = client
        .fs(None)
        .unwrap()
        .into_iter()
        .map(|fs| fs.name)
        .collect();
    assert_eq!(names, ["dupfs"]);
    assert!(client.exports(None).unwrap().is_empty());

    // Without device-mapper, LVs exist as metadata only: no block device.
    let lv = create_volume(&mut client, &lvm, "lv1", 64 * MIB);
    assert_eq!(lv.pool_id, lvm.id);
    let started = client.volume_resize(&lv, 128 * MIB);
    let lv = done(&mut client, started);
    assert_eq!(lv.size_bytes(), 128 * MIB);
    for error in [
        client.volume_mask(&group, &lv).unwrap_err(),
        client.volume_disable(&lv).unwrap_err(),
    ] {
        assert_code(&error, ErrorNumber::NO_SUPPORT);
        assert!(error.message.contains("device-mapper"), "{error}");
    }
    let started = client.volume_replicate(None, ReplicationType::COPY, &lv, "lv-copy");
    assert_code(&failure(&mut client, started), ErrorNumber::NO_SUPPORT);
    let started = client.volume_delete(&lv);
    done(&mut client, started);

    // Unknown ids.
    let ghost = Volume {
        id: format!("{}:vol:ghost", btrfs.id),
        ..volume.clone()
    };
    let started = client.volume_delete(&ghost);
    assert_code(
        &failure(&mut client, started),
        ErrorNumber::NOT_FOUND_VOLUME,
    );
    let ghost_fs = FileSystem {
        id: "nonsense".into(),
        ..fs.clone()
    };
    let started = client.fs_delete(&ghost_fs);
    assert_code(&failure(&mut client, started), ErrorNumber::NOT_FOUND_FS);
}

/// A network namespace joined to the root namespace by a veth pair:
/// `10.213.N.1` on the host side, `10.213.N.2` inside. Removed on drop.
struct ClientNamespace {
    name: String,
    host_link: String,
    subnet: u32,
}

impl ClientNamespace {
    fn create() -> ClientNamespace {
        let id = std::process::id();
        let subnet = 20 + id % 200;
        let namespace = ClientNamespace {
            name: format!("lsmtest{id}"),
            host_link: format!("lsmh{}", id % 100_000),
            subnet,
        };
        let peer = format!("lsmc{}", id % 100_000);
        let host_address = format!("{}/24", namespace.server_address());
        let client_address = format!("{}/24", namespace.client_address());
        let steps: Vec<Vec<&str>> = vec![
            vec!["netns", "add", &namespace.name],
            vec![
                "link",
                "add",
                &namespace.host_link,
                "type",
                "veth",
                "peer",
                "name",
                &peer,
            ],
            vec!["link", "set", &peer, "netns", &namespace.name],
            vec!["addr", "add", &host_address, "dev", &namespace.host_link],
            vec!["link", "set", &namespace.host_link, "up"],
            vec![
                "-n",
                &namespace.name,
                "addr",
                "add",
                &client_address,
                "dev",
                &peer,
            ],
            vec!["-n", &namespace.name, "link", "set", &peer, "up"],
            vec!["-n", &namespace.name, "link", "set", "lo", "up"],
        ];
        for step in steps {
            let (ok, text) = run("ip", &step);
            assert!(ok, "ip {step:?}: {text}");
        }
        namespace
    }

    fn server_address(&self) -> String {
        format!("10.213.{}.1", self.subnet)
    }

    fn client_address(&self) -> String {
        format!("10.213.{}.2", self.subnet)
    }

    /// Runs a tool inside the namespace.
    fn run(&self, program: &str, args: &[&str]) -> (bool, String) {
        let mut all = vec!["netns", "exec", &self.name, program];
        all.extend_from_slice(args);
        run("ip", &all)
    }
}

impl Drop for ClientNamespace {
    fn drop(&mut self) {
        let _ = run("ip", &["link", "del", &self.host_link]);
        let _ = run("ip", &["netns", "del", &self.name]);
    }
}

#[test]
fn nfs_client_outside_the_host_list_is_refused_from_another_namespace() {
    require_root("nfs_client_outside_the_host_list_is_refused_from_another_namespace");
    let _serial = serialised();
    let array = TestArray::up();
    let namespace = ClientNamespace::create();
    let server = namespace.server_address();
    let mut client = array.client();
    let pool = pool_named(&mut client, "btrfs0");
    let fs = create_fs(&mut client, &pool, "netfs", 128 * MIB);
    std::fs::write(
        array.btrfs_mount().join("lsm-fs/netfs/data.txt"),
        b"only for listed hosts\n",
    )
    .unwrap();

    // Exported to 127.0.0.1 only: the namespace's client is refused.
    let local_only = client
        .export_fs(&ExportRequest {
            rw_list: vec!["127.0.0.1".to_owned()],
            ..ExportRequest::new(&fs.id)
        })
        .unwrap();
    let local_path = local_only.export_path.clone();
    let (ok, content) = run(
        "nfs-cat",
        &[&format!("nfs://127.0.0.1{local_path}/data.txt")],
    );
    assert!(ok && content.contains("only for listed hosts"), "{content}");
    let (_, listing) = namespace.run("showmount", &["-e", &server]);
    assert!(!listing.contains(&local_path), "{listing}");
    let (ok, text) = namespace.run("nfs-ls", &[&format!("nfs://{server}{local_path}")]);
    assert!(
        !ok,
        "a client outside the host list listed the export: {text}"
    );

    // Exported to the namespace's address: it gets in, 127.0.0.1 does not.
    let remote_path = array.dir.join("for-namespace");
    let for_namespace = client
        .export_fs(&ExportRequest {
            export_path: Some(remote_path.to_str().unwrap().to_string()),
            ro_list: vec![namespace.client_address()],
            ..ExportRequest::new(&fs.id)
        })
        .unwrap();
    let remote = remote_path.to_str().unwrap();
    let (ok, listing) = namespace.run("showmount", &["-e", &server]);
    assert!(ok && listing.contains(remote), "{listing}");
    let (ok, content) = namespace.run("nfs-cat", &[&format!("nfs://{server}{remote}/data.txt")]);
    assert!(ok && content.contains("only for listed hosts"), "{content}");
    assert!(!run("nfs-ls", &[&format!("nfs://127.0.0.1{remote}")]).0);

    client.export_remove(&for_namespace).unwrap();
    client.export_remove(&local_only).unwrap();
    let (ok, _) = namespace.run("nfs-ls", &[&format!("nfs://{server}{remote}")]);
    assert!(!ok);
}

#[test]
fn nfs_exports_fall_back_to_sighup_without_dbus() {
    require_root("nfs_exports_fall_back_to_sighup_without_dbus");
    let _serial = serialised();
    let array = TestArray::up();
    let mut client = array.client();
    let pool = pool_named(&mut client, "btrfs0");
    let fs = create_fs(&mut client, &pool, "hup", 64 * MIB);
    std::fs::write(
        array.btrfs_mount().join("lsm-fs/hup/file.txt"),
        b"via SIGHUP\n",
    )
    .unwrap();

    // The same array, with ganesha's bus out of reach.
    let config = std::fs::read_to_string(array.dir.join("linux.toml")).unwrap();
    let bus = array
        .config
        .nfs
        .as_ref()
        .unwrap()
        .dbus_address
        .clone()
        .unwrap();
    let no_bus = format!("unix:path={}", array.dir.join("no-such-bus").display());
    let config_path = array.dir.join("linux-no-dbus.toml");
    std::fs::write(&config_path, config.replace(&bus, &no_bus)).unwrap();
    let uri = format!("linux://?config={}", config_path.display());
    let mut no_dbus = BlockingClient::builder(&uri)
        .timeout(Duration::from_secs(60))
        .plugin_exe(Path::new(PLUGIN))
        .connect()
        .unwrap();
    let system = system_of(&mut no_dbus);
    let caps = no_dbus.capabilities(&system).unwrap();
    assert!(caps.supported(lsm_core::Capability::EXPORT_FS));
    assert!(!caps.supported(lsm_core::Capability::EXPORTS));

    let export = no_dbus
        .export_fs(&ExportRequest {
            rw_list: vec!["127.0.0.1".to_owned()],
            ..ExportRequest::new(&fs.id)
        })
        .unwrap();
    let path = export.export_path.clone();
    wait_for("the export after SIGHUP", || {
        run("showmount", &["-e", "127.0.0.1"]).1.contains(&path)
    });
    let (ok, content) = run("nfs-cat", &[&format!("nfs://127.0.0.1{path}/file.txt")]);
    assert!(ok && content.contains("via SIGHUP"), "{content}");
    // Listing needs D-Bus; the normal configuration sees the export.
    assert_code(
        &no_dbus.exports(None).unwrap_err(),
        ErrorNumber::DAEMON_NOT_RUNNING,
    );
    assert_eq!(client.exports(None).unwrap(), vec![export.clone()]);

    no_dbus.export_remove(&export).unwrap();
    wait_for("the export removal after SIGHUP", || {
        !run("showmount", &["-e", "127.0.0.1"]).1.contains(&path)
    });
    assert!(client.exports(None).unwrap().is_empty());
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap();
    assert!(!mounts.contains(&path), "{mounts}");
}

/// A plugin session on a configuration written into a temporary directory
/// (no root needed: nothing on the host is touched).
fn register_with(config: &str) -> (tempfile::TempDir, lsm_core::Result<BlockingClient>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("linux.toml");
    let config = config.replace("STATE", &dir.path().join("state").display().to_string());
    std::fs::write(&path, config).unwrap();
    let uri = format!("linux://?config={}", path.display());
    let client = BlockingClient::builder(&uri)
        .timeout(Duration::from_secs(30))
        .plugin_exe(Path::new(PLUGIN))
        .connect();
    (dir, client)
}

#[test]
fn a_bad_configuration_is_a_clear_invalid_argument() {
    let (_dir, missing) = register_with("");
    let (_dir2, unknown) = register_with(
        "state_dir = \"STATE\"\ncolour = 1\n[[pool]]\nname = \"p\"\nkind = \"lvm\"\nvg = \"v\"\n",
    );
    let (_dir3, no_vg) =
        register_with("state_dir = \"STATE\"\n[[pool]]\nname = \"p\"\nkind = \"lvm\"\n");
    for (result, key) in [
        (missing, "`pool`"),
        (unknown, "colour"),
        (no_vg, "pool[0].vg"),
    ] {
        let error = result.err().expect("registration should fail");
        assert_code(&error, ErrorNumber::INVALID_ARGUMENT);
        assert!(error.message.contains(key), "{key} not named in: {error}");
    }
    let absent = BlockingClient::builder("linux://?config=/nonexistent/linux.toml")
        .timeout(Duration::from_secs(30))
        .plugin_exe(Path::new(PLUGIN))
        .connect()
        .err()
        .expect("registration should fail");
    assert_code(&absent, ErrorNumber::INVALID_ARGUMENT);
    assert!(
        absent.message.contains("/nonexistent/linux.toml"),
        "{absent}"
    );
}

#[test]
fn a_pool_missing_on_the_host_is_listed_with_its_reason() {
    let (_dir, client) = register_with(
        "state_dir = \"STATE\"\n[[pool]]\nname = \"gone\"\nkind = \"btrfs\"\nmount_point = \"/nonexistent/pool\"\n",
    );
    let mut client = client.unwrap();
    let pools = client.pools(None).unwrap();
    assert_eq!(pools.len(), 1);
    assert_eq!(pools[0].id, "pool-gone");
    assert_eq!(pools[0].status, lsm_core::PoolStatus::ERROR);
    assert!(
        pools[0].status_info.contains("/nonexistent/pool"),
        "{}",
        pools[0].status_info
    );
    assert!(client.volumes(None).unwrap().is_empty());
    assert!(client.fs(None).unwrap().is_empty());
    let system = system_of(&mut client);
    let caps = client.capabilities(&system).unwrap();
    assert!(!caps.supported(lsm_core::Capability::VOLUME_CREATE));
    assert!(!caps.supported(lsm_core::Capability::FS));
    assert!(caps.supported(lsm_core::Capability::DISKS));
    let started = client.volume_create(&pools[0], "v", 16 * MIB, Provisioning::DEFAULT);
    assert_code(&failure(&mut client, started), ErrorNumber::POOL_NOT_READY);
    assert!(!client.disks(None).unwrap().is_empty());
    let other = System {
        id: "not-this-host".into(),
        ..system
    };
    assert_code(
        &client.capabilities(&other).unwrap_err(),
        ErrorNumber::NOT_FOUND_SYSTEM,
    );
}
