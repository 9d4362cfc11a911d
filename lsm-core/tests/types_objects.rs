//! Field-set rules of the LSM objects: what decoding accepts and refuses, the defaults of
//! optional fields, enum names, and a 100k-volume round trip.

use lsm_core::{
    AccessGroup, Battery, BatteryStatus, BatteryType, BlockRange, Disk, DiskLinkType, DiskStatus,
    DiskType, ErrorNumber, FileSystem, FsSnapshot, InitiatorType, LsmError, LsmObject, NfsExport,
    Pool, PoolElementType, PoolStatus, System, SystemMode, SystemStatus, TargetPort,
    TargetPortType, Volume, VolumeAdminState, rpm,
};
use serde_json::json;

const VOLUME: &str = r#"{"class": "Volume", "id": "VOL_ID_00001", "name": "vol1", "vpd83": "501094cf69bf3bec", "block_size": 512, "num_of_blocks": 2097152, "admin_state": 1, "system_id": "sim-01", "pool_id": "POOL_ID_00004", "plugin_data": null}"#;

fn volume_json() -> serde_json::Value {
    serde_json::from_str(VOLUME).expect("valid volume JSON")
}

fn decode_error<T: serde::de::DeserializeOwned + std::fmt::Debug>(
    value: serde_json::Value,
) -> String {
    match serde_json::from_value::<T>(value) {
        Ok(object) => panic!("decoding should have failed, got {object:?}"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn volume_decodes_and_encodes_with_class_first() {
    let volume: Volume = serde_json::from_str(VOLUME).expect("decode");
    assert_eq!(volume.id, "VOL_ID_00001");
    assert_eq!(volume.admin_state, VolumeAdminState::ENABLED);
    assert_eq!(volume.plugin_data, None);
    let text = serde_json::to_string(&volume).expect("encode");
    assert!(text.starts_with(r#"{"class":"Volume","id":"VOL_ID_00001","name":"vol1","#));
    assert!(text.ends_with(r#""pool_id":"POOL_ID_00004","plugin_data":null}"#));
}

#[test]
fn missing_required_field_is_an_error_naming_it() {
    let mut value = volume_json();
    value.as_object_mut().expect("object").remove("block_size");
    let error = decode_error::<Volume>(value);
    assert!(error.contains("missing field `block_size`"), "{error}");

    let mut value = volume_json();
    value.as_object_mut().expect("object").remove("vpd83");
    assert!(decode_error::<Volume>(value).contains("vpd83"));
}

#[test]
fn unknown_field_is_an_error_naming_it() {
    let mut value = volume_json();
    value["colour"] = json!("blue");
    let error = decode_error::<Volume>(value);
    assert!(error.contains("unknown field `colour`"), "{error}");
}

#[test]
fn wrong_or_missing_class_is_an_error() {
    let mut value = volume_json();
    value["class"] = json!("Pool");
    let error = decode_error::<Volume>(value);
    assert!(
        error.contains(r#"expected class "Volume", found class "Pool""#),
        "{error}"
    );

    let mut value = volume_json();
    value.as_object_mut().expect("object").remove("class");
    let error = decode_error::<Volume>(value);
    assert!(error.contains("missing field `class`"), "{error}");

    let mut value = volume_json();
    value["class"] = json!(7);
    assert!(decode_error::<Volume>(value).contains("class"));
}

#[test]
fn wrong_field_type_is_an_error() {
    let mut value = volume_json();
    value["block_size"] = json!("512");
    assert!(decode_error::<Volume>(value).contains("invalid type"));
    let mut value = volume_json();
    value["admin_state"] = json!(null);
    assert!(decode_error::<Volume>(value).contains("invalid type"));
}

#[test]
fn c_style_objects_with_sorted_keys_and_absent_optionals_decode_with_defaults() {
    // C writes keys in sorted order and leaves optional fields out.
    let system: System = serde_json::from_value(json!({
        "class": "System", "id": "sim-01", "name": "C sim", "status": 2, "status_info": ""
    }))
    .expect("decode");
    assert_eq!(system.fw_version, "");
    assert_eq!(system.read_cache_pct, -2);
    assert_eq!(system.mode, SystemMode::NO_SUPPORT);
    assert_eq!(system.plugin_data, None);

    let disk: Disk = serde_json::from_str(
        r#"{"block_size": 512, "class": "Disk", "disk_type": 5, "id": "DISK_1", "name": "d1", "num_of_blocks": 100, "status": 8194, "system_id": "sim-01"}"#,
    )
    .expect("decode");
    assert_eq!(disk.disk_type, DiskType::SAS);
    assert_eq!(disk.status, DiskStatus::OK | DiskStatus::FREE);
    assert_eq!(disk.vpd83, "");
    assert_eq!(disk.location, "");
    assert_eq!(disk.rpm, rpm::NO_SUPPORT);
    assert_eq!(disk.link_type, DiskLinkType::NO_SUPPORT);
    assert_eq!(disk.size_bytes(), 51_200);

    let battery: Battery = serde_json::from_value(json!({
        "class": "Battery", "id": "B1", "name": "bbu", "type": 3, "status": 4, "system_id": "s"
    }))
    .expect("decode");
    assert_eq!(battery.battery_type, BatteryType::CHEMICAL);
    assert_eq!(battery.plugin_data, None);

    let snapshot: FsSnapshot =
        serde_json::from_value(json!({"class": "FsSnapshot", "id": "S1", "name": "s", "ts": 5}))
            .expect("decode");
    assert_eq!(snapshot.ts, 5);
}

#[test]
fn null_optional_fields_take_their_defaults() {
    let system: System = serde_json::from_value(json!({
        "class": "System", "id": "s", "name": "n", "status": 1, "status_info": "",
        "plugin_data": null, "fw_version": null, "read_cache_pct": null, "mode": null
    }))
    .expect("decode");
    assert_eq!(system.fw_version, "");
    assert_eq!(system.read_cache_pct, -2);
    assert_eq!(system.mode, SystemMode::NO_SUPPORT);
}

#[test]
fn full_system_and_disk_encode_every_field_in_reference_order() {
    let system = System {
        id: "sim-01".into(),
        name: "sim".into(),
        status: SystemStatus::OK,
        status_info: String::new(),
        plugin_data: None,
        fw_version: "1.0".into(),
        read_cache_pct: 10,
        mode: SystemMode::HARDWARE_RAID,
    };
    assert_eq!(
        serde_json::to_string(&system).expect("encode"),
        r#"{"class":"System","id":"sim-01","name":"sim","status":2,"status_info":"","plugin_data":null,"fw_version":"1.0","read_cache_pct":10,"mode":0}"#
    );

    let disk = Disk {
        id: "D1".into(),
        name: "disk".into(),
        disk_type: DiskType::SSD,
        block_size: 512,
        num_of_blocks: 8,
        status: DiskStatus::OK,
        system_id: "s".into(),
        plugin_data: Some("pd".into()),
        vpd83: "5000c500a1b2c3d4".into(),
        location: "Port: 1I Box: 1 Bay: 1".into(),
        rpm: rpm::NON_ROTATING,
        link_type: DiskLinkType::SAS,
    };
    let text = serde_json::to_string(&disk).expect("encode");
    assert_eq!(
        text,
        r#"{"class":"Disk","id":"D1","name":"disk","disk_type":53,"block_size":512,"num_of_blocks":8,"status":2,"system_id":"s","plugin_data":"pd","vpd83":"5000c500a1b2c3d4","location":"Port: 1I Box: 1 Bay: 1","rpm":0,"link_type":6}"#
    );
    assert_eq!(serde_json::from_str::<Disk>(&text).expect("decode"), disk);
}

#[test]
fn other_objects_round_trip() {
    let port = TargetPort {
        id: "TGT_PORT_ID_01".into(),
        port_type: TargetPortType::FC,
        service_address: "50:0a:09:86:99:4b:8d:c5".into(),
        network_address: "50:0a:09:86:99:4b:8d:c5".into(),
        physical_address: "50:0a:09:86:99:4b:8d:c5".into(),
        physical_name: "FC_a_0b".into(),
        system_id: "sim-01".into(),
        plugin_data: None,
    };
    let text = serde_json::to_string(&port).expect("encode");
    assert!(text.starts_with(
        r#"{"class":"TargetPort","id":"TGT_PORT_ID_01","port_type":2,"service_address""#
    ));
    assert_eq!(
        serde_json::from_str::<TargetPort>(&text).expect("decode"),
        port
    );

    let range = BlockRange {
        src_block: 0,
        dest_block: 100,
        block_count: 50,
    };
    let text = serde_json::to_string(&range).expect("encode");
    assert_eq!(
        text,
        r#"{"class":"BlockRange","src_block":0,"dest_block":100,"block_count":50}"#
    );
    assert_eq!(
        serde_json::from_str::<BlockRange>(&text).expect("decode"),
        range
    );
    // BlockRange has no plugin_data.
    assert!(
        serde_json::from_str::<BlockRange>(
            r#"{"class":"BlockRange","src_block":0,"dest_block":1,"block_count":1,"plugin_data":null}"#
        )
        .is_err()
    );

    let group = AccessGroup {
        id: "AG1".into(),
        name: "hosts".into(),
        init_ids: vec!["aa:bb:cc:dd:ee:ff:00:11".into()],
        init_type: InitiatorType::WWPN,
        system_id: "s".into(),
        plugin_data: None,
    };
    let text = serde_json::to_string(&group).expect("encode");
    assert_eq!(
        serde_json::from_str::<AccessGroup>(&text).expect("decode"),
        group
    );

    let fs = FileSystem {
        id: "FS1".into(),
        name: "fs".into(),
        total_space: 1 << 30,
        free_space: 1 << 29,
        pool_id: "P1".into(),
        system_id: "s".into(),
        plugin_data: None,
    };
    let text = serde_json::to_string(&fs).expect("encode");
    assert_eq!(
        serde_json::from_str::<FileSystem>(&text).expect("decode"),
        fs
    );
}

#[test]
fn nfs_export_options_may_be_null_or_absent() {
    let base = json!({
        "class": "NfsExport", "id": "E1", "fs_id": "FS1", "export_path": "/e", "auth": "standard",
        "root": [], "rw": ["10.0.0.1"], "ro": [], "anonuid": -1, "anongid": -1, "options": null
    });
    let export: NfsExport = serde_json::from_value(base.clone()).expect("decode");
    assert_eq!(export.options, None);
    let mut absent = base;
    absent.as_object_mut().expect("object").remove("options");
    let export: NfsExport = serde_json::from_value(absent).expect("decode");
    assert_eq!(export.options, None);
}

#[test]
fn unsigned_64_bit_spellings_of_negative_numbers_are_accepted() {
    // A C peer stores -1 in uint64_t and writes it as 18446744073709551615.
    let pool: Pool = serde_json::from_str(
        r#"{"class": "Pool", "id": "P", "name": "p", "element_type": 4, "unsupported_actions": 0, "total_space": 18446744073709551615, "free_space": 18446744073709551615, "status": 1, "status_info": "", "system_id": "s"}"#,
    )
    .expect("decode");
    assert_eq!(pool.total_space, -1);
    assert_eq!(pool.free_space, -1);
    assert_eq!(pool.element_type, PoolElementType::VOLUME);
    assert_eq!(pool.status, PoolStatus::UNKNOWN);
}

#[test]
fn unknown_enum_values_are_kept() {
    let mut value = volume_json();
    value["admin_state"] = json!(7);
    let volume: Volume = serde_json::from_value(value).expect("decode");
    assert_eq!(volume.admin_state, VolumeAdminState(7));
    assert!(!volume.admin_state.is_known());
    let text = serde_json::to_string(&volume).expect("encode");
    assert!(text.contains(r#""admin_state":7"#));
}

#[test]
fn lsm_object_dispatches_on_class() {
    let object: LsmObject = serde_json::from_str(VOLUME).expect("decode");
    assert_eq!(object.class(), "Volume");
    assert!(matches!(&object, LsmObject::Volume(v) if v.id == "VOL_ID_00001"));

    let caps: LsmObject =
        serde_json::from_str(r#"{"class": "Capabilities", "cap": "0001"}"#).expect("decode");
    assert!(matches!(caps, LsmObject::Capabilities(_)));

    let unknown = serde_json::from_str::<LsmObject>(r#"{"class": "Teapot", "id": "x"}"#);
    assert!(unknown.is_err_and(|e| e.to_string().contains("unknown object class \"Teapot\"")));
    let classless = serde_json::from_str::<LsmObject>(r#"{"id": "x"}"#);
    assert!(classless.is_err_and(|e| e.to_string().contains("no \"class\" key")));
    let bad_inner = serde_json::from_str::<LsmObject>(r#"{"class": "Volume", "id": "x"}"#);
    assert!(bad_inner.is_err_and(|e| e.to_string().contains("missing field")));

    let as_object: LsmObject = Battery::default().into();
    assert_eq!(as_object.class(), "Battery");
}

#[test]
fn enum_and_bitfield_names_are_the_protocol_spellings() {
    assert_eq!(PoolElementType::SYS_RESERVED.name(), Some("SYS_RESERVED"));
    assert_eq!(PoolElementType::SYS_RESERVED.value(), 1024);
    assert_eq!(DiskStatus::FREE.value(), 8192);
    assert_eq!(InitiatorType::ISCSI_WWPN_MIXED.value(), 7);
    assert_eq!(
        BatteryStatus::from_name("LEARNING"),
        Some(BatteryStatus(32))
    );
    assert_eq!(
        (SystemStatus::OK | SystemStatus::DEGRADED).names(),
        ["OK", "DEGRADED"]
    );
    assert_eq!(lsm_core::JobStatus::COMPLETE.to_string(), "COMPLETE");
    assert_eq!(lsm_core::RaidType(99).to_string(), "99");
}

#[test]
fn error_display_follows_python() {
    let error = LsmError::new(ErrorNumber::NOT_FOUND_VOLUME, "Volume not found");
    assert_eq!(error.to_string(), "NOT_FOUND_VOLUME(205): Volume not found");
    let error = LsmError::new(ErrorNumber::NAME_CONFLICT, "Name 'vol1' is already in use")
        .with_data("detail");
    assert_eq!(
        error.to_string(),
        "NAME_CONFLICT(50): Name 'vol1' is already in use Data: detail"
    );
    assert_eq!(
        ErrorNumber::from_name("UNSUPPORTED_SEARCH_KEY"),
        Some(ErrorNumber(510))
    );
}

#[test]
fn one_hundred_thousand_volumes_round_trip() {
    let volumes: Vec<Volume> = (0..100_000)
        .map(|index| Volume {
            id: format!("VOL_ID_{index:06}"),
            name: format!("volume {index}"),
            vpd83: format!("6{index:031x}"),
            block_size: 512,
            num_of_blocks: 2048 + index,
            admin_state: VolumeAdminState::ENABLED,
            system_id: "sim-01".into(),
            pool_id: "POOL_ID_00001".into(),
            plugin_data: (index % 2 == 0).then(|| format!("pd{index}")),
        })
        .collect();
    let text = serde_json::to_string(&volumes).expect("encode");
    let decoded: Vec<Volume> = serde_json::from_str(&text).expect("decode");
    assert_eq!(decoded.len(), 100_000);
    assert_eq!(decoded, volumes);
    assert!(
        decoded
            .iter()
            .all(|v| lsm_core::validate::vpd83_is_valid(&v.vpd83))
    );
}
