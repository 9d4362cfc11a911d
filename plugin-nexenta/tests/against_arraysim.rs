//! `nstor_lsmplugin` against a real `lsm-arraysim --vendor nexenta` process over TLS: the
//! conformance suite with the simulator's certificate as `ca_cert` (no `no_ssl_verify`),
//! listings, TLS trust and authentication errors.

use std::time::Duration;

use lsm_core::{BlockingClient, ErrorNumber};
use lsm_test_support::{ARRAYSIM_PASSWORD as PASSWORD, ARRAYSIM_USER as USER, ArraySim};

const TIMEOUT: Duration = Duration::from_secs(30);

fn connect(simulator: &ArraySim) -> BlockingClient {
    BlockingClient::connect(&simulator.uri(), Some(PASSWORD), TIMEOUT).unwrap()
}

/// The checks this plugin skips against its simulator, each for a capability it does
/// not claim: pinned, so that a capability dropped (a new skip) or a check that starts
/// running fails this test until the list is updated on purpose.
const SKIPPED_CHECKS: &[&str] = &[
    "access_group_create_delete_wwpn",
    "access_group_initiator_add_delete_wwpn",
    "disk_location",
    "export_custom_path",
    "fs_child_dependency_rm_files",
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
    "volume_replicate_mirror_async",
    "volume_replicate_mirror_sync",
    "volume_replicate_range_block_size",
    "volume_replicate_range_clone",
    "volume_replicate_range_copy",
];

#[test]
fn the_conformance_suite_passes_against_the_simulator() {
    let simulator = ArraySim::start("nexenta", &[]);
    let client = lsm_core::BlockingClient::builder(simulator.uri()).password(PASSWORD);
    let report = lsm_tests::run_suite(client, &[]);
    report.assert_pinned(SKIPPED_CHECKS);
}

#[test]
fn every_listing_reads_the_simulated_appliance() {
    let simulator = ArraySim::start("nexenta", &[]);
    let mut client = connect(&simulator);
    let systems = client.systems().unwrap();
    assert_eq!(systems.len(), 1);
    assert!(!systems[0].fw_version.is_empty(), "{systems:?}");
    let pools = client.pools(None).unwrap();
    assert_eq!(pools.len(), 2, "{pools:?}");
    assert!(
        pools
            .iter()
            .all(|p| p.total_space >= p.free_space && p.total_space > 0)
    );
    assert!(!client.disks(None).unwrap().is_empty());
    let ports = client.target_ports(None).unwrap();
    assert_eq!(ports.len(), 2, "one target, two portals: {ports:?}");
    assert!(ports.iter().all(|p| p.service_address.starts_with("iqn.")));
    for fs in client.fs(None).unwrap() {
        client.fs_snapshots(&fs).unwrap();
    }
    client.exports(None).unwrap();
    client.close().unwrap();
}

#[test]
fn an_untrusted_certificate_is_refused_with_the_options_that_help() {
    let simulator = ArraySim::start("nexenta", &[]);
    let uri = format!("nstor://{USER}@127.0.0.1:{}", simulator.port);
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
    let simulator = ArraySim::start("nexenta", &[]);
    let Err(error) = BlockingClient::connect(&simulator.uri(), Some("not-the-password"), TIMEOUT)
    else {
        panic!("a wrong password was accepted");
    };
    assert_eq!(error.code, ErrorNumber::PLUGIN_AUTH_FAILED, "{error}");
    assert!(!error.to_string().contains("not-the-password"), "{error}");
}

#[test]
fn an_unknown_pool_in_the_uri_is_refused_naming_the_pools() {
    let simulator = ArraySim::start("nexenta", &[]);
    let Err(error) =
        BlockingClient::connect(&simulator.uri_with("&pool=nope"), Some(PASSWORD), TIMEOUT)
    else {
        panic!("pool=nope was accepted");
    };
    assert_eq!(error.code, ErrorNumber::INVALID_ARGUMENT, "{error}");
    assert!(error.message.contains("pool1, pool2"), "{error}");
    let mut client =
        BlockingClient::connect(&simulator.uri_with("&pool=pool2"), Some(PASSWORD), TIMEOUT)
            .unwrap();
    assert_eq!(client.pools(None).unwrap().len(), 2);
    client.close().unwrap();
}

#[test]
fn an_untrusted_or_wrong_host_certificate_is_refused_unless_ca_cert_or_no_ssl_verify_says() {
    lsm_test_support::tls::check_certificate_trust("nexenta");
}
