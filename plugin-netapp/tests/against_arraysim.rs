//! `ontap_lsmplugin` against a real `lsm-arraysim --vendor ontap` process over TLS: the
//! conformance suite with the simulator's certificate as `ca_cert` (no `no_ssl_verify`),
//! TLS trust and authentication errors, and statelessness (a LUN made or removed behind the
//! plugin's back is seen on the next call).

use std::time::Duration;

use lsm_core::{BlockingClient, ErrorNumber};
use lsm_rest::Request;
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
    "fs_child_dependency_rm_files",
    "fs_file_clone",
    "fs_snapshot_restore_files",
    "job_volume_create",
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
    let simulator = ArraySim::ontap();
    let client = lsm_core::BlockingClient::builder(simulator.uri()).password(PASSWORD);
    let report = lsm_tests::run_suite(client, &[]);
    report.assert_pinned(SKIPPED_CHECKS);
}

#[test]
fn every_listing_reads_the_simulated_cluster() {
    let simulator = ArraySim::ontap();
    let mut client = connect(&simulator);
    let systems = client.systems().unwrap();
    assert_eq!(systems.len(), 1);
    assert!(!systems[0].fw_version.is_empty());
    let pools = client.pools(None).unwrap();
    assert!(pools.len() >= 2, "{pools:?}");
    assert!(pools.iter().all(|p| p.total_space >= p.free_space));
    assert!(!client.disks(None).unwrap().is_empty());
    let ports = client.target_ports(None).unwrap();
    assert!(
        ports.iter().any(|p| p.service_address.starts_with("iqn.")),
        "no iSCSI target port: {ports:?}"
    );
    for fs in client.fs(None).unwrap() {
        client.fs_snapshots(&fs).unwrap();
    }
    client.close().unwrap();
}

#[test]
fn an_untrusted_certificate_is_refused_with_the_options_that_help() {
    let simulator = ArraySim::ontap();
    let uri = format!("ontap://{USER}@127.0.0.1:{}", simulator.port);
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
    let simulator = ArraySim::ontap();
    let Err(error) = BlockingClient::connect(&simulator.uri(), Some("not-the-password"), TIMEOUT)
    else {
        panic!("a wrong password was accepted");
    };
    assert_eq!(error.code, ErrorNumber::PLUGIN_AUTH_FAILED, "{error}");
    assert!(!error.to_string().contains("not-the-password"), "{error}");
}

#[test]
fn a_lun_made_or_removed_behind_the_plugins_back_is_seen_at_once() {
    let simulator = ArraySim::ontap();
    let mut client = connect(&simulator);
    let before = client.volumes(None).unwrap();
    let rest = simulator.rest();
    let volumes: serde_json::Value = rest
        .send_json(&Request::get("/api/storage/volumes").query("fields", "name,svm"))
        .unwrap();
    let container = volumes["records"][0]["name"]
        .as_str()
        .expect("the default inventory has a FlexVol")
        .to_string();
    let made = rest
        .send(
            &Request::post("/api/storage/luns").json(&serde_json::json!({
                "name": format!("/vol/{container}/behind_its_back"),
                "svm": {"name": volumes["records"][0]["svm"]["name"]},
                "os_type": "linux",
                "space": {"size": 16 << 20, "guarantee": {"requested": false}},
            })),
        )
        .unwrap();
    assert_eq!(made.status(), 201);
    let after = client.volumes(None).unwrap();
    assert_eq!(after.len(), before.len() + 1);
    let lun = after
        .iter()
        .find(|v| v.name == "behind_its_back")
        .expect("the new LUN is listed");
    assert_eq!(lun.size_bytes(), 16 << 20);
    assert!(lsm_core::validate::vpd83_is_valid(&lun.vpd83) && !lun.vpd83.is_empty());

    rest.send(&Request::delete(format!("/api/storage/luns/{}", lun.id)))
        .unwrap();
    let gone = client.volumes(None).unwrap();
    assert_eq!(gone.len(), before.len());
    client.close().unwrap();
}

#[test]
fn an_untrusted_or_wrong_host_certificate_is_refused_unless_ca_cert_or_no_ssl_verify_says() {
    lsm_test_support::tls::check_certificate_trust("ontap");
}
