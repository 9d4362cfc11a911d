//! The default array: a small dual-SP Unity 500 with two pools, a NAS
//! server with one file interface, iSCSI portals on both SPs, FC ports,
//! Ethernet ports and disks; no LUNs, hosts or file systems yet.
//!
//! | type | ids |
//! |---|---|
//! | system / basicSystemInfo | `0` (name `unity-sim`, model `Unity 500`, serial `FNM00000000001`, software `5.1.2`) |
//! | storageProcessor | `spa`, `spb` |
//! | pool | `pool_1` (`flash_pool`, 2 TiB, RAID 5, flash), `pool_2` (`capacity_pool`, 8 TiB, RAID 6, NL-SAS) |
//! | nasServer | `nas_1` (`nas_server_1`, SP A, `pool_1`) with fileInterface `if_3` (192.168.20.10) |
//! | iscsiNode | `iscsinode_spa_eth2`, `iscsinode_spb_eth2` |
//! | iscsiPortal | `if_1` (192.168.10.10, SP A), `if_2` (192.168.10.11, SP B) |
//! | fcPort | `spa_fc4`, `spb_fc4` |
//! | ethernetPort | `spa_eth2`, `spa_eth3`, `spb_eth2`, `spb_eth3` |
//! | disk | `dpe_disk_0`..`dpe_disk_5` (pool_1), `dae_0_1_disk_0`..`dae_0_1_disk_5` (pool_2), `dpe_disk_6` (spare) |
//! | user | `user_admin` |

use serde_json::{Value, json};

use super::model::{Inventory, health, health_ok, now, reference};

const GIB: u64 = 1 << 30;
const TIB: u64 = 1 << 40;
/// The array's serial number.
pub const SERIAL: &str = "FNM00000000001";

/// The array as first started.
/// The array-wide records a state written before they were simulated lacks:
/// `iscsiSettings` `0` (*chosen* shape: storops has no such type; the fields
/// are Unisphere's global iSCSI settings — forward CHAP required or not, the
/// global forward CHAP user and the reverse (mutual) CHAP user, secrets
/// write-only).
pub fn add_missing_singletons(inv: &mut Inventory) {
    if inv.get("iscsiSettings", "0").is_none() {
        inv.insert(
            "iscsiSettings",
            json!({"id": "0", "isForwardCHAPRequired": false,
                   "forwardGlobalCHAPUserName": "", "reverseCHAPUserName": ""}),
        );
    }
}

pub fn default_inventory() -> Inventory {
    let mut inv = Inventory::empty();
    let t = now();
    inv.insert(
        "basicSystemInfo",
        json!({"id": "0", "model": "Unity 500", "apiVersion": "11.0",
               "earliestApiVersion": "4.0", "softwareVersion": "5.1.2", "name": "unity-sim"}),
    );
    inv.insert(
        "system",
        json!({"id": "0", "operationalStatus": [2], "licenseType": 1,
               "instanceId": "root/emc:EMC_UEM_StorageSystemLeaf%Tag=00:00:00:00",
               "health": health(5, "ALRT_SYSTEM_OK", "The system is operating normally."),
               "name": "unity-sim", "model": "Unity 500", "serialNumber": SERIAL,
               "internalModel": "OBERON 25 DRIVE CHASSIS", "platform": "Oberon_DualSP",
               "macAddress": "08:00:1B:FF:EA:CD", "isEULAAccepted": true,
               "isUpgradeComplete": true, "isAutoFailbackEnabled": true,
               "currentPower": 469, "avgPower": 474}),
    );
    add_missing_singletons(&mut inv);
    inv.insert(
        "user",
        json!({"id": "user_admin", "name": "admin", "role": {"id": "administrator"}}),
    );
    inv.insert(
        "loginSessionInfo",
        json!({"id": "admin", "user": {"id": "user_admin"}, "roles": [{"id": "administrator"}],
               "idleTimeout": 3600, "isPasswordChangeRequired": false}),
    );
    for (n, (id, name)) in [("spa", "SP A"), ("spb", "SP B")].iter().enumerate() {
        inv.insert(
            "storageProcessor",
            json!({"id": id, "operationalStatus": [2],
                   "instanceId": format!("root/emc:EMC_UEM_StorageProcessorLeaf%Tag={id}"),
                   "parent": {"id": "dpe", "resource": "dpe"}, "health": health_ok(),
                   "needsReplacement": false, "isRescueMode": false,
                   "model": "OBERON CANISTER 10C 105W 2.6G", "slotNumber": n, "name": name,
                   "emcPartNumber": "110-297-008C-04",
                   "emcSerialNumber": format!("CF2HF15030000{}", n + 1),
                   "manufacturer": "", "vendorPartNumber": "", "vendorSerialNumber": "",
                   "sasExpanderVersion": "2.7.1", "biosFirmwareRevision": "30.89",
                   "postFirmwareRevision": "21.2", "memorySize": 65536,
                   "parentDpe": {"id": "dpe"}}),
        );
    }
    inv.insert(
        "pool",
        pool("pool_1", "flash_pool", "flash pool", 2 * TIB, 1, 10, &t),
    );
    inv.insert(
        "pool",
        pool(
            "pool_2",
            "capacity_pool",
            "capacity pool",
            8 * TIB,
            10,
            30,
            &t,
        ),
    );
    inv.pool_base_used.insert("pool_1".into(), 20 * GIB);
    inv.pool_base_used.insert("pool_2".into(), 40 * GIB);
    for i in 0..7u64 {
        let pool = if i < 6 { Some("pool_1") } else { None };
        inv.insert(
            "disk",
            disk(
                &format!("dpe_disk_{i}"),
                &format!("DPE Disk {i}"),
                "dpe",
                i,
                pool,
                800 * GIB,
                10,
                6,
            ),
        );
    }
    for i in 0..6u64 {
        inv.insert(
            "disk",
            disk(
                &format!("dae_0_1_disk_{i}"),
                &format!("DAE 0 1 Disk {i}"),
                "dae_0_1",
                i,
                Some("pool_2"),
                2 * TIB,
                30,
                2,
            ),
        );
    }
    let macs = [
        "00:60:16:5C:07:0A",
        "00:60:16:5C:07:0B",
        "00:60:16:5C:08:0A",
        "00:60:16:5C:08:0B",
    ];
    for (k, (sp, port)) in [("spa", 2), ("spa", 3), ("spb", 2), ("spb", 3)]
        .iter()
        .enumerate()
    {
        let sp_name = if *sp == "spa" { "SP A" } else { "SP B" };
        inv.insert(
            "ethernetPort",
            json!({"id": format!("{sp}_eth{port}"), "macAddress": macs[k],
                   "isRDMACapable": false, "parentStorageProcessor": reference(sp),
                   "instanceId": format!("root/emc:EMC_UEM_EthernetPortLeaf%Tag=03:00:0{k}:01"),
                   "portNumber": port,
                   "cascadeNames": [format!("Ethernet Port {port}"), sp_name],
                   "requestedMtu": 1500, "mtu": 1500, "connectorType": 1,
                   "supportedSpeeds": [1000, 10000, 100, 0], "supportedMtus": [1500, 9000],
                   "storageProcessor": reference(sp), "health": health_ok(),
                   "parent": {"resource": "storageProcessor", "id": sp},
                   "needsReplacement": false, "sfpSupportedSpeeds": [],
                   "sfpSupportedProtocols": [], "operationalStatus": [2],
                   "shortName": format!("Ethernet Port {port}"), "requestedSpeed": 0,
                   "speed": 10000, "isRSSCapable": false,
                   "name": format!("{sp_name} Ethernet Port {port}"),
                   "linuxDeviceName": format!("eth{port}"), "isLinkUp": true, "bond": false}),
        );
    }
    let serial = SERIAL.to_ascii_lowercase();
    for (n, (sp, letter, ip)) in [("spa", "a", "192.168.10.10"), ("spb", "b", "192.168.10.11")]
        .iter()
        .enumerate()
    {
        let node = format!("iscsinode_{sp}_eth2");
        let iqn = format!("iqn.1992-04.com.emc:cx.{serial}.{letter}0");
        inv.insert(
            "iscsiNode",
            json!({"id": node, "instanceId": format!("root/emc:EMC_UEM_EthernetPortLeaf%Tag=03:00:0{n}:00"),
                   "name": iqn, "alias": format!("0001.{letter}0"),
                   "ethernetPort": reference(&format!("{sp}_eth2"))}),
        );
        inv.insert(
            "iscsiPortal",
            json!({"id": format!("if_{}", n + 1),
                   "instanceId": format!("root/emc:EMC_UEM_IPInterfaceLeaf%InstanceID=if_{}", n + 1),
                   "portalGroupTag": 1, "iscsiNode": reference(&node),
                   "gateway": "192.168.10.1", "ipProtocolVersion": 4,
                   "netmask": "255.255.255.0", "vlanId": 0,
                   "ethernetPort": reference(&format!("{sp}_eth2")), "ipAddress": ip}),
        );
        let sp_name = if *sp == "spa" { "SP A" } else { "SP B" };
        inv.insert(
            "fcPort",
            json!({"id": format!("{sp}_fc4"), "storageProcessor": reference(sp),
                   "parent": {"resource": "storageProcessor", "id": sp},
                   "portRepCapabilities": [0], "parentStorageProcessor": reference(sp),
                   "name": format!("{sp_name} FC Port 4"), "availableSpeeds": [4, 8, 16, 0],
                   "currentSpeed": 16, "requestedSpeed": 0,
                   "needsReplacement": false, "sfpSupportedSpeeds": [4000, 8000, 16000],
                   "sfpSupportedProtocols": [1], "operationalStatus": [2], "health": health_ok(),
                   "cascadeNames": ["FC Port 4", sp_name], "nPortId": 66048 + n as u64,
                   "shortName": "FC Port 4",
                   "wwn": format!("50:06:01:60:C7:E0:01:DA:50:06:01:6{}:47:E0:01:DA", if n == 0 { 2 } else { 3 }),
                   "connectorType": 2, "slotNumber": 4}),
        );
    }
    inv.insert(
        "nasServer",
        json!({"id": "nas_1", "replicationType": 0, "type": 64, "currentUnixDirectoryService": 0,
               "instanceId": "root/emc:EMC_UEM_FileServerContainerLeaf%InstanceID=nas_1",
               "objectId": 103079215105u64, "name": "nas_server_1", "health": health_ok(),
               "sizeAllocated": 2952790016u64, "isSystem": false, "isReplicationEnabled": false,
               "isReplicationDestination": false, "isMultiProtocolEnabled": false,
               "credentialsCacheTTL": "00:15:00.000", "isExtendedUnixCredentialEnabled": false,
               "isPacketReflectEnabled": false, "isMigrationDestination": false,
               "homeSP": reference("spa"), "currentSP": reference("spa"),
               "pool": reference("pool_1"), "fileInterface": [reference("if_3")]}),
    );
    inv.insert(
        "fileInterface",
        json!({"id": "if_3", "ipProtocolVersion": 4, "role": 0,
               "instanceId": "root/emc:EMC_UEM_FileInterfaceLeaf%InstanceID=if_3",
               "health": health_ok(), "isSystem": false, "ipAddress": "192.168.20.10",
               "netmask": "255.255.255.0", "gateway": "192.168.20.1",
               "macAddress": "00:60:16:5C:07:0B", "name": "nas_server_1_if", "isPreferred": true,
               "isDisabled": false, "nasServer": reference("nas_1"),
               "ipPort": reference("spa_eth3")}),
    );
    inv.counters.insert("if_".into(), 3);
    inv.counters.insert("nas_".into(), 1);
    inv.recompute();
    inv
}

fn pool(
    id: &str,
    name: &str,
    description: &str,
    total: u64,
    raid: u64,
    tier: u64,
    t: &str,
) -> Value {
    let tier_name = match tier {
        10 => "Extreme Performance",
        20 => "Performance",
        _ => "Capacity",
    };
    json!({"id": id, "operationalStatus": [2], "raidType": raid, "harvestState": 0,
           "instanceId": format!("root/emc:EMC_UEM_MappedStoragePoolLeaf%InstanceID={id}"),
           "objectId": 12884901890u64, "health": health_ok(), "name": name,
           "description": description, "sizeFree": total, "sizeTotal": total, "sizeUsed": 0,
           "sizeSubscribed": 0, "alertThreshold": 70, "poolSpaceHarvestHighThreshold": 95.0,
           "poolSpaceHarvestLowThreshold": 85.0, "snapSpaceHarvestHighThreshold": 25.0,
           "snapSpaceHarvestLowThreshold": 20.0, "isFASTCacheEnabled": false,
           "tiers": [{"tierType": tier, "stripeWidth": 5, "raidType": raid,
                      "instanceId": format!("root/emc:EMC_UEM_StoragePoolTierLeaf%InstanceID={id}_1"),
                      "sizeTotal": total, "sizeUsed": 0, "sizeFree": total,
                      "sizeMovingDown": 0, "sizeMovingUp": 0, "sizeMovingWithin": 0,
                      "name": tier_name, "poolUnitCount": 1, "diskCount": 6,
                      "poolUnits": [{"id": format!("rg_{id}")}]}],
           "creationTime": t, "isEmpty": true,
           "poolFastVP": {"status": 3, "relocationRate": 2, "type": 2, "isScheduleEnabled": true,
                          "relocationDurationEstimate": "00:00:00.000", "sizeMovingDown": 0,
                          "sizeMovingUp": 0, "sizeMovingWithin": 0, "percentComplete": 0,
                          "dataRelocated": 0, "lastStartTime": t, "lastEndTime": t},
           "isHarvestEnabled": true, "isSnapHarvestEnabled": false,
           "metadataSizeSubscribed": 0, "snapSizeSubscribed": 0, "metadataSizeUsed": 0,
           "snapSizeUsed": 0, "type": 1, "isAllFlash": tier == 10})
}

#[allow(clippy::too_many_arguments)]
fn disk(
    id: &str,
    name: &str,
    parent: &str,
    slot: u64,
    pool: Option<&str>,
    size: u64,
    tier: u64,
    technology: u64,
) -> Value {
    let wwn = format!(
        "06:00:00:00:05:00:00:00:0C:01:00:00:00:00:{:02X}:{slot:02X}",
        tier
    );
    let mut d = json!({"id": id, "name": name, "isFastCacheInUse": false, "isInUse": pool.is_some(),
           "rawSize": size + (size >> 12), "operationalStatus": [2], "slotNumber": slot,
           "wwn": wwn, "needsReplacement": false, "version": "MN16",
           "model": if tier == 10 { "SAS FLASH 800GB" } else { "ST2000NK EMC2000" },
           "vendorSerialNumber": format!("Z4H{slot:05}{tier}"), "health": health_ok(),
           "size": size, "manufacturer": if tier == 10 { "SAMSUNG" } else { "SEAGATE" },
           "vendorPartNumber": "005051284", "emcSerialNumber": format!("Z4H{slot:05}{tier}"),
           "parent": {"resource": if parent == "dpe" { "dpe" } else { "dae" }, "id": parent},
           "isSED": false, "isSystem": slot < 4 && parent == "dpe",
           "rpm": if tier == 10 { 0 } else { 7200 }, "busId": 0, "emcPartNumber": "005051284",
           "tierType": tier, "diskTechnology": technology,
           "currentSpeed": 12000000000u64, "maxSpeed": 12000000000u64,
           "vendorSize": size + (size >> 3), "estimatedEOL": "00:00:00.000",
           "diskGroup": {"id": format!("dg_{tier}")},
           "instanceId": format!("root/emc:EMC_UEM_DiskLeaf%Tag={wwn}")});
    if let Some(p) = pool {
        d["pool"] = reference(p);
    }
    if parent == "dpe" {
        d["parentDpe"] = reference("dpe");
    } else {
        d["parentDae"] = reference(parent);
    }
    d
}
