//! `emc_lsmplugin` against a real `lsm-arraysim --vendor unity` process over TLS: the
//! conformance suite with the simulator's certificate as `ca_cert` (no `no_ssl_verify`),
//! listings, TLS trust, authentication errors and the URI's options.

use std::time::Duration;

use lsm_core::{BlockingClient, ErrorNumber, InitiatorType, TargetPortType};
use lsm_test_support::{ARRAYSIM_PASSWORD as PASSWORD, ARRAYSIM_USER as USER, ArraySim};

const TIMEOUT: Duration = Duration::from_secs(30);

fn connect(simulator: &ArraySim) -> BlockingClient {
    BlockingClient::connect(&simulator.uri(), Some(PASSWORD), TIMEOUT).unwrap()
}

/// The checks this plugin skips against its simulator, each for a capability it does
/// not claim: pinned, so that a capability dropped (a new skip) or a check that starts
/// running fails this test until the list is updated on purpose.
const SKIPPED_CHECKS: &[&str] = &[
    "disk_location",
    "fs_child_dependency",
    "fs_child_dependency_rm_files",
    "fs_clone",
    "fs_clone_from_snapshot",
    "fs_delete_with_clone",
    "fs_file_clone",
    "fs_snapshot_restore_files",
    "job_fs_create",
    "job_volume_create",
    "job_volume_delete",
    "list_batteries",
    "not_found_disk",
    "pool_member_info",
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
    "volume_child_dependency",
    "volume_delete_with_child",
    "volume_enable_disable",
    "volume_enable_no_state_change",
    "volume_ident_led_off",
    "volume_ident_led_on",
    "volume_raid_create",
    "volume_raid_create_cap_get",
    "volume_raid_create_disk_not_free",
    "volume_raid_info",
    "volume_replicate_copy",
    "volume_replicate_mirror_async",
    "volume_replicate_mirror_sync",
    "volume_replicate_range_block_size",
    "volume_replicate_range_clone",
    "volume_replicate_range_copy",
];

#[test]
fn the_conformance_suite_passes_against_the_simulator() {
    let simulator = ArraySim::start("unity", &[]);
    let client = lsm_core::BlockingClient::builder(simulator.uri()).password(PASSWORD);
    let report = lsm_tests::run_suite(client, &[]);
    report.assert_pinned(SKIPPED_CHECKS);
}

#[test]
fn every_listing_reads_the_simulated_array() {
    let simulator = ArraySim::start("unity", &[]);
    let mut client = connect(&simulator);
    let systems = client.systems().unwrap();
    assert_eq!(systems.len(), 1);
    assert_eq!(systems[0].id, "FNM00000000001", "the serial number");
    assert_eq!(systems[0].fw_version, "5.1.2");
    let pools = client.pools(None).unwrap();
    assert_eq!(pools.len(), 2, "{pools:?}");
    assert!(
        pools
            .iter()
            .all(|p| p.total_space > p.free_space && p.free_space > 0),
        "{pools:?}"
    );
    let disks = client.disks(None).unwrap();
    assert_eq!(disks.len(), 13, "{disks:?}");
    let ports = client.target_ports(None).unwrap();
    let iscsi: Vec<_> = ports
        .iter()
        .filter(|p| p.port_type == TargetPortType::ISCSI)
        .collect();
    let fc: Vec<_> = ports
        .iter()
        .filter(|p| p.port_type == TargetPortType::FC)
        .collect();
    assert_eq!((iscsi.len(), fc.len()), (2, 2), "{ports:?}");
    assert!(
        iscsi
            .iter()
            .all(|p| p.service_address.starts_with("iqn.1992-04.com.emc:"))
    );
    assert!(iscsi.iter().all(|p| p.network_address.ends_with(":3260")));
    assert!(
        fc.iter()
            .all(|p| lsm_core::validate::wwpn_normalize(&p.service_address).is_some()),
        "{fc:?}"
    );
    assert!(client.volumes(None).unwrap().is_empty());
    assert!(client.fs(None).unwrap().is_empty());
    assert!(client.exports(None).unwrap().is_empty());
    client.close().unwrap();
}

#[test]
fn fc_access_groups_take_a_wwpn_and_show_it_back() {
    let simulator = ArraySim::start("unity", &[]);
    let mut client = connect(&simulator);
    let system = client.systems().unwrap().remove(0);
    let group = client
        .access_group_create(
            "fc_host",
            "10:00:00:90:FA:53:4C:D1",
            InitiatorType::WWPN,
            &system,
        )
        .unwrap();
    assert_eq!(group.init_type, InitiatorType::WWPN);
    assert_eq!(group.init_ids, ["10:00:00:90:fa:53:4c:d1"]);
    let group = client
        .access_group_initiator_add(
            &group,
            "iqn.1994-05.com.redhat:fc-and-iscsi",
            InitiatorType::ISCSI_IQN,
        )
        .unwrap();
    assert_eq!(group.init_type, InitiatorType::ISCSI_WWPN_MIXED);
    let group = client
        .access_group_initiator_delete(&group, "10:00:00:90:fa:53:4c:d1", InitiatorType::WWPN)
        .unwrap();
    assert_eq!(group.init_ids, ["iqn.1994-05.com.redhat:fc-and-iscsi"]);
    client.access_group_delete(&group).unwrap();
    assert!(client.access_groups(None).unwrap().is_empty());
    client.close().unwrap();
}

#[test]
fn an_untrusted_certificate_is_refused_with_the_options_that_help() {
    let simulator = ArraySim::start("unity", &[]);
    let uri = format!("emc://{USER}@127.0.0.1:{}", simulator.port);
    let Err(error) = BlockingClient::connect(&uri, Some(PASSWORD), TIMEOUT) else {
        panic!("an untrusted certificate was accepted");
    };
    assert_eq!(error.code, ErrorNumber::NETWORK_ERROR, "{error}");
    assert!(error.message.contains("ca_cert"), "{error}");
    assert!(error.message.contains("no_ssl_verify"), "{error}");
    let insecure = format!("{uri}?no_ssl_verify=yes");
    let mut client = BlockingClient::connect(&insecure, Some(PASSWORD), TIMEOUT).unwrap();
    client.systems().unwrap();
    client.close().unwrap();
}

#[test]
fn a_wrong_password_is_an_auth_failure_that_never_shows_the_password() {
    let simulator = ArraySim::start("unity", &[]);
    let Err(error) = BlockingClient::connect(&simulator.uri(), Some("not-the-password"), TIMEOUT)
    else {
        panic!("a wrong password was accepted");
    };
    assert_eq!(error.code, ErrorNumber::PLUGIN_AUTH_FAILED, "{error}");
    assert!(!error.to_string().contains("not-the-password"), "{error}");
}

#[test]
fn the_uris_nas_server_and_per_page_are_checked() {
    let simulator = ArraySim::start("unity", &[]);
    let Err(error) = BlockingClient::connect(
        &simulator.uri_with("&nas_server=nope"),
        Some(PASSWORD),
        TIMEOUT,
    ) else {
        panic!("nas_server=nope was accepted");
    };
    assert_eq!(error.code, ErrorNumber::INVALID_ARGUMENT, "{error}");
    assert!(error.message.contains("nas_server_1"), "{error}");
    for bad in ["0", "2001", "x"] {
        let uri = simulator.uri_with(&format!("&per_page={bad}"));
        let Err(error) = BlockingClient::connect(&uri, Some(PASSWORD), TIMEOUT) else {
            panic!("per_page={bad} was accepted");
        };
        assert_eq!(error.code, ErrorNumber::INVALID_ARGUMENT, "{error}");
    }
    let uri = simulator.uri_with("&nas_server=nas_server_1&per_page=1");
    let mut client = BlockingClient::connect(&uri, Some(PASSWORD), TIMEOUT).unwrap();
    assert_eq!(client.pools(None).unwrap().len(), 2, "two pages of one");
    let pool = client.pools(None).unwrap().remove(0);
    let fs = lsm_tests_wait(client.fs_create(&pool, "on_nas_1", 1 << 30));
    assert_eq!(fs.total_space, 3 << 30, "Unity's smallest file system");
    client.close().unwrap();
}

/// EXPORT_CUSTOM_PATH, claimed: an export path is the NFS share's name (Unity mounts a
/// share as `<NAS address>:/<name>`, `/` inside a name building an export name space),
/// so the reference plugin_test's `/mnt/<random>` is taken and listed as asked; paths no
/// share name can be are INVALID_ARGUMENT, and nothing is made.
#[test]
fn custom_export_paths_are_unity_share_names() {
    let simulator = ArraySim::start("unity", &[]);
    let mut client = connect(&simulator);
    let system = client.systems().unwrap().remove(0);
    let caps = client.capabilities(&system).unwrap();
    assert!(caps.supported(lsm_core::Capability::EXPORT_CUSTOM_PATH));
    let pool = client.pools(None).unwrap().remove(0);
    let fs = lsm_tests_wait(client.fs_create(&pool, "custom_paths", 3 << 30));
    let ro = ["192.168.2.1".to_string()];
    let request = |path: &str| lsm_core::ExportRequest {
        export_path: Some(path.to_string()),
        ro_list: ro.to_vec(),
        ..lsm_core::ExportRequest::new(&fs.id)
    };
    for path in ["/mnt/abc123", "/top", "/a/b/c"] {
        let export = client
            .export_fs(&request(path))
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(export.export_path, path);
        assert_eq!(export.ro, ro);
        let listed = client.exports(None).unwrap();
        assert!(listed.contains(&export), "{path}: {listed:?}");
        client.export_remove(&export).unwrap();
    }
    for bad in ["mnt/x", "/", "/a//b", "/a/", "/a/../b", "/a b", "/a\"b"] {
        let error = client.export_fs(&request(bad)).unwrap_err();
        assert_eq!(
            error.code,
            ErrorNumber::INVALID_ARGUMENT,
            "{bad:?}: {error}"
        );
    }
    assert!(client.exports(None).unwrap().is_empty());
    client.close().unwrap();
}

/// The value of a call the simulator finishes at once (`--job-ms 0`).
fn lsm_tests_wait<T>(started: lsm_core::Result<lsm_core::Completion<T>>) -> T {
    match started.unwrap() {
        lsm_core::Completion::Done(value) => value,
        lsm_core::Completion::Job(job) => panic!("an unexpected job {}", job.id),
    }
}

#[test]
fn untrusted_and_wrong_host_certificates_are_refused_unless_trusted_or_unchecked() {
    lsm_test_support::tls::check_certificate_trust("unity");
}
