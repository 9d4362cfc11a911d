//! Golden wire tests: every LSM object in the recorded reference sessions
//! (`shared/wire-vectors/*.jsonl`) is decoded into its Rust type, re-encoded, and compared with
//! the recorded object: same JSON value and same key order.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use lsm_core::{
    AccessGroup, Capabilities, Capability, FileSystem, FsSnapshot, LsmObject, NfsExport, Pool,
    System, Volume,
};
use serde::de::{self, DeserializeOwned, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// JSON that keeps object keys in document order, whatever serde_json's features are.
#[derive(Debug, Clone, PartialEq)]
enum OrderedJson {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<OrderedJson>),
    Object(Vec<(String, OrderedJson)>),
}

impl<'de> Deserialize<'de> for OrderedJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OrderedVisitor;

        impl<'de> Visitor<'de> for OrderedVisitor {
            type Value = OrderedJson;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<OrderedJson, E> {
                Ok(OrderedJson::Null)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<OrderedJson, E> {
                Ok(OrderedJson::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<OrderedJson, E> {
                Ok(OrderedJson::Number(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<OrderedJson, E> {
                Ok(OrderedJson::Number(v.into()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OrderedJson, E> {
                Ok(OrderedJson::String(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OrderedJson, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(OrderedJson::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedJson, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(OrderedJson::Object(entries))
            }
        }

        deserializer.deserialize_any(OrderedVisitor)
    }
}

impl Serialize for OrderedJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            OrderedJson::Null => serializer.serialize_unit(),
            OrderedJson::Bool(v) => serializer.serialize_bool(*v),
            OrderedJson::Number(v) => v.serialize(serializer),
            OrderedJson::String(v) => serializer.serialize_str(v),
            OrderedJson::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            OrderedJson::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

impl OrderedJson {
    fn class(&self) -> Option<&str> {
        match self {
            OrderedJson::Object(entries) => entries.iter().find_map(|(key, value)| match value {
                OrderedJson::String(class) if key == "class" => Some(class.as_str()),
                _ => None,
            }),
            _ => None,
        }
    }

    fn keys(&self) -> Vec<&str> {
        match self {
            OrderedJson::Object(entries) => entries.iter().map(|(key, _)| key.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    /// Every object with a `class` key, outermost first.
    fn collect_objects<'a>(&'a self, found: &mut Vec<&'a OrderedJson>) {
        if self.class().is_some() {
            found.push(self);
        }
        match self {
            OrderedJson::Array(items) => items.iter().for_each(|i| i.collect_objects(found)),
            OrderedJson::Object(entries) => {
                entries.iter().for_each(|(_, v)| v.collect_objects(found))
            }
            _ => {}
        }
    }
}

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/wire-vectors")
}

#[derive(Deserialize)]
struct RecordedFrame {
    dir: String,
    frame: String,
}

/// Every recorded payload as (file name, direction, payload text), with the 10-digit header
/// checked against the payload length.
fn recorded_payloads() -> Vec<(String, String, String)> {
    let dir = vectors_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "jsonl"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no wire vectors in {}", dir.display());

    let mut payloads = Vec::new();
    for file in files {
        let name = file
            .file_name()
            .expect("file name")
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&file).expect("readable vector file");
        for line in text.lines().filter(|line| !line.trim().is_empty()) {
            let recorded: RecordedFrame = serde_json::from_str(line).expect("vector line");
            let (header, payload) = recorded.frame.split_at(10);
            let length: usize = header.parse().expect("10-digit header");
            assert_eq!(
                length,
                payload.len(),
                "{name}: header does not match payload"
            );
            payloads.push((name.clone(), recorded.dir, payload.to_string()));
        }
    }
    payloads
}

/// Decodes `recorded` as `T`, re-encodes it and checks value and key order.
fn assert_round_trip<T: DeserializeOwned + Serialize>(source: &str, recorded: &OrderedJson) {
    let recorded_text = serde_json::to_string(recorded).expect("re-encode recorded object");
    let object: T = serde_json::from_str(&recorded_text)
        .unwrap_or_else(|e| panic!("{source}: cannot decode {recorded_text}: {e}"));
    let ours_text = serde_json::to_string(&object).expect("serialize");

    let ours_value: serde_json::Value = serde_json::from_str(&ours_text).expect("our JSON");
    let recorded_value: serde_json::Value =
        serde_json::from_str(&recorded_text).expect("recorded JSON");
    assert_eq!(ours_value, recorded_value, "{source}: value differs");

    let ours_ordered: OrderedJson = serde_json::from_str(&ours_text).expect("our JSON");
    assert_eq!(
        ours_ordered.keys(),
        recorded.keys(),
        "{source}: key order differs"
    );
    assert_eq!(&ours_ordered, recorded, "{source}: object differs");
}

#[test]
fn every_recorded_object_round_trips_with_the_same_keys_in_the_same_order() {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (file, dir, payload) in recorded_payloads() {
        let message: OrderedJson = serde_json::from_str(&payload)
            .unwrap_or_else(|e| panic!("{file}: invalid JSON payload: {e}"));
        let mut objects = Vec::new();
        message.collect_objects(&mut objects);
        for object in objects {
            let class = object.class().expect("collected objects have a class");
            let source = format!("{file} {dir} {class}");
            match class {
                "System" => assert_round_trip::<System>(&source, object),
                "Pool" => assert_round_trip::<Pool>(&source, object),
                "Volume" => assert_round_trip::<Volume>(&source, object),
                "AccessGroup" => assert_round_trip::<AccessGroup>(&source, object),
                "FileSystem" => assert_round_trip::<FileSystem>(&source, object),
                "FsSnapshot" => assert_round_trip::<FsSnapshot>(&source, object),
                "NfsExport" => assert_round_trip::<NfsExport>(&source, object),
                "Capabilities" => assert_round_trip::<Capabilities>(&source, object),
                other => panic!("{source}: no round-trip test for class {other}"),
            }
            // The class-dispatching enum gives the same bytes.
            assert_round_trip::<LsmObject>(&source, object);
            *seen.entry(class.to_string()).or_default() += 1;
        }
    }
    let classes: Vec<&str> = seen.keys().map(String::as_str).collect();
    assert_eq!(
        classes,
        [
            "AccessGroup",
            "Capabilities",
            "FileSystem",
            "FsSnapshot",
            "NfsExport",
            "Pool",
            "System",
            "Volume"
        ]
    );
}

#[test]
fn recorded_objects_decode_to_the_expected_values() {
    let payloads = recorded_payloads();
    let find = |file: &str, needle: &str| -> String {
        payloads
            .iter()
            .find(|(name, dir, payload)| name == file && dir == "p2c" && payload.contains(needle))
            .map(|(_, _, payload)| payload.clone())
            .unwrap_or_else(|| panic!("{file}: no reply containing {needle}"))
    };

    #[derive(Deserialize)]
    struct Reply<T> {
        result: T,
    }

    let systems: Reply<Vec<System>> =
        serde_json::from_str(&find("register_systems_unregister.jsonl", "System"))
            .expect("systems");
    let system = &systems.result[0];
    assert_eq!(system.id, "sim-01");
    assert_eq!(system.status, lsm_core::SystemStatus::OK);
    assert_eq!(system.fw_version, "LSM_SIMULATOR_DATA_4.1");
    assert_eq!(system.read_cache_pct, 10);
    assert_eq!(system.mode, lsm_core::SystemMode::HARDWARE_RAID);
    assert_eq!(system.plugin_data, None);

    let pools: Reply<Vec<Pool>> =
        serde_json::from_str(&find("pools.jsonl", "Pool")).expect("pools");
    assert_eq!(pools.result.len(), 4);
    let first = &pools.result[0];
    assert!(
        first
            .element_type
            .contains(lsm_core::PoolElementType::SYS_RESERVED)
    );
    assert!(first.unsupported_actions.contains(
        lsm_core::PoolUnsupportedActions::VOLUME_GROW
            | lsm_core::PoolUnsupportedActions::VOLUME_SHRINK
    ));
    assert_eq!(pools.result[3].total_space, 2_305_843_009_213_693_952);

    let job: Reply<(lsm_core::JobStatus, i64, Option<LsmObject>)> =
        serde_json::from_str(&find("volume_create_job.jsonl", "\"Volume\"")).expect("job");
    assert_eq!(job.result.0, lsm_core::JobStatus::COMPLETE);
    assert_eq!(job.result.1, 100);
    let Some(LsmObject::Volume(volume)) = job.result.2 else {
        panic!("job item is not a volume");
    };
    assert_eq!(volume.size_bytes(), 1_073_741_824);
    assert_eq!(volume.admin_state, lsm_core::VolumeAdminState::ENABLED);
    assert!(lsm_core::validate::vpd83_is_valid(&volume.vpd83));

    let group: Reply<AccessGroup> =
        serde_json::from_str(&find("access_group_mask.jsonl", "AccessGroup")).expect("group");
    assert_eq!(group.result.init_type, lsm_core::InitiatorType::ISCSI_IQN);
    assert_eq!(group.result.init_ids, ["iqn.1994-05.com.example:host1"]);

    let export: Reply<NfsExport> =
        serde_json::from_str(&find("fs_snapshot_export.jsonl", "\"NfsExport\", \"id\""))
            .expect("export");
    assert_eq!(export.result.anonuid, lsm_core::anon_id::NA);
    assert_eq!(export.result.options.as_deref(), Some(""));
    assert!(export.result.ro.is_empty());
}

#[test]
fn sim_capability_string_decodes_to_the_sim_set_and_re_encodes_identically() {
    let payload = recorded_payloads()
        .into_iter()
        .find(|(file, dir, payload)| {
            file == "capabilities.jsonl" && dir == "p2c" && payload.contains("Capabilities")
        })
        .map(|(_, _, payload)| payload)
        .expect("capabilities reply");
    let reply: serde_json::Value = serde_json::from_str(&payload).expect("JSON");
    let cap_hex = reply["result"]["cap"]
        .as_str()
        .expect("cap string")
        .to_string();
    let caps: Capabilities = serde_json::from_value(reply["result"].clone()).expect("decode");

    assert_eq!(caps.as_bytes().len(), Capabilities::LEN);
    let off: Vec<u32> = [59, 63, 64, 66, 210, 211, 212, 213, 214, 215, 217].to_vec();
    for id in 0..Capabilities::LEN as u32 {
        assert_eq!(
            caps.supported(Capability(id)),
            !off.contains(&id),
            "capability id {id}"
        );
    }
    assert!(caps.supported(Capability::TARGET_PORTS));
    assert!(!caps.supported(Capability::VOLUME_PHYSICAL_DISK_CACHE_UPDATE_SYSTEM_LEVEL));
    assert_eq!(caps.to_hex(), cap_hex);
    let named_off: Vec<&str> = caps
        .iter()
        .filter(|(_, _, supported)| !supported)
        .map(|(_, name, _)| name)
        .collect();
    assert_eq!(named_off.len(), 11);
    assert_eq!(
        named_off[0],
        "VOLUME_PHYSICAL_DISK_CACHE_UPDATE_SYSTEM_LEVEL"
    );
}
