//! The Unity object model: every resource is a JSON record (its `content`)
//! in a per-type table, references are `{"id": ...}` objects, enums are
//! integers. Records a client cannot create directly (`storageResource`,
//! `hostLUN`) and derived fields (pool space, `snapCount`, initiator lists,
//! `exportPaths`, ...) are rebuilt by [`Inventory::recompute`] after every
//! change, so that reads only read.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::core::jobs::{HasJobs, Job};
use crate::core::time::iso8601;

/// Bump when the document's shape changes.
pub const STATE_VERSION: u32 = 2;

/// The whole array.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Inventory {
    /// Schema version.
    pub version: u32,
    /// Records by type (`lun`, `pool`, ...), in creation order.
    pub objects: BTreeMap<String, Vec<Value>>,
    /// Last number handed out per id prefix.
    pub counters: BTreeMap<String, u64>,
    /// Host LUN numbers: `"<host id> <lun id>"` → hlu.
    pub hlus: BTreeMap<String, u64>,
    /// Jobs (the core's records).
    pub jobs: Vec<Job>,
    /// What each job's action answered, by the job's key.
    pub job_outputs: BTreeMap<String, Value>,
    /// Space a pool uses for other things (system metadata), by pool id.
    pub pool_base_used: BTreeMap<String, u64>,
}

impl HasJobs for Inventory {
    fn jobs(&self) -> &Vec<Job> {
        &self.jobs
    }
    fn jobs_mut(&mut self) -> &mut Vec<Job> {
        &mut self.jobs
    }
}

/// Now as Unity prints it: `2016-03-01T03:21:38.000Z`.
pub fn now() -> String {
    let millis = crate::core::time::now_ms();
    let base = iso8601(millis / 1000);
    format!("{}.{:03}Z", base.trim_end_matches("+00:00"), millis % 1000)
}

/// A `health` object.
pub fn health(value: u64, id: &str, description: &str) -> Value {
    json!({"value": value, "descriptionIds": [id], "descriptions": [description]})
}

/// The usual OK health.
pub fn health_ok() -> Value {
    health(
        5,
        "ALRT_COMPONENT_OK",
        "The component is operating normally. No action is required.",
    )
}

/// `{"id": id}`.
pub fn reference(id: &str) -> Value {
    json!({ "id": id })
}

/// The id of a record or reference.
pub fn id_of(v: &Value) -> &str {
    v.get("id").and_then(Value::as_str).unwrap_or("")
}

/// The id inside reference field `field` of `record`.
pub fn ref_id<'a>(record: &'a Value, field: &str) -> Option<&'a str> {
    record.get(field)?.get("id")?.as_str()
}

/// The type a reference field points to, whatever record holds it.
pub fn ref_type(field: &str) -> Option<&'static str> {
    Some(match field {
        "pool" | "pools" => "pool",
        "storageResource" | "storageResources" => "storageResource",
        "lun" | "luns" | "familyBaseLun" => "lun",
        "host" | "parentHost" => "host",
        "hostLUNs" => "hostLUN",
        "fcHostInitiators" | "iscsiHostInitiators" => "hostInitiator",
        "filesystem" => "filesystem",
        "snap" | "parentSnap" | "backup" | "copies" => "snap",
        "nfsShare" => "nfsShare",
        "nasServer" => "nasServer",
        "fileInterface" => "fileInterface",
        "iscsiNode" => "iscsiNode",
        "ethernetPort" | "ipPort" => "ethernetPort",
        "storageProcessor" | "parentStorageProcessor" | "homeSP" | "currentSP" => {
            "storageProcessor"
        }
        _ => return None,
    })
}

impl Inventory {
    /// An empty array.
    pub fn empty() -> Self {
        Inventory {
            version: STATE_VERSION,
            objects: BTreeMap::new(),
            counters: BTreeMap::new(),
            hlus: BTreeMap::new(),
            jobs: Vec::new(),
            job_outputs: BTreeMap::new(),
            pool_base_used: BTreeMap::new(),
        }
    }

    /// The records of `kind`.
    pub fn list(&self, kind: &str) -> &[Value] {
        self.objects.get(kind).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The records of `kind`, to change.
    pub fn list_mut(&mut self, kind: &str) -> &mut Vec<Value> {
        self.objects.entry(kind.to_string()).or_default()
    }

    /// One record.
    pub fn get(&self, kind: &str, id: &str) -> Option<&Value> {
        self.list(kind).iter().find(|r| id_of(r) == id)
    }

    /// One record, to change.
    pub fn get_mut(&mut self, kind: &str, id: &str) -> Option<&mut Value> {
        self.objects
            .get_mut(kind)?
            .iter_mut()
            .find(|r| id_of(r) == id)
    }

    /// The record of `kind` named `name`.
    pub fn by_name(&self, kind: &str, name: &str) -> Option<&Value> {
        self.list(kind)
            .iter()
            .find(|r| r.get("name").and_then(Value::as_str) == Some(name))
    }

    /// Add a record.
    pub fn insert(&mut self, kind: &str, record: Value) {
        self.list_mut(kind).push(record);
    }

    /// Remove a record.
    pub fn remove(&mut self, kind: &str, id: &str) -> Option<Value> {
        let list = self.objects.get_mut(kind)?;
        let pos = list.iter().position(|r| id_of(r) == id)?;
        Some(list.remove(pos))
    }

    /// The next number for `prefix`.
    pub fn next(&mut self, prefix: &str) -> u64 {
        let n = self.counters.entry(prefix.to_string()).or_insert(0);
        *n += 1;
        *n
    }

    /// A fresh WWN, `60:06:01:60:...` (16 bytes).
    pub fn next_wwn(&mut self) -> String {
        let n = self.next("wwn");
        let mut bytes = vec![0x60, 0x06, 0x01, 0x60, 0x17, 0x50, 0x3C, 0x00];
        bytes.extend_from_slice(&n.to_be_bytes());
        bytes
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":")
    }

    /// Rebuild every derived record and field.
    pub fn recompute(&mut self) {
        self.recompute_hlus();
        self.recompute_luns();
        self.recompute_filesystems();
        self.recompute_storage_resources();
        self.recompute_hosts();
        self.recompute_pools();
        self.recompute_nas();
    }

    fn recompute_hlus(&mut self) {
        let mut wanted: Vec<(String, String)> = Vec::new();
        for lun in self.list("lun") {
            if let Some(Value::Array(access)) = lun.get("hostAccess") {
                for a in access {
                    if let Some(host) = ref_id(a, "host") {
                        wanted.push((host.to_string(), id_of(lun).to_string()));
                    }
                }
            }
        }
        let keys: HashSet<String> = wanted.iter().map(|(h, l)| format!("{h} {l}")).collect();
        self.hlus.retain(|k, _| keys.contains(k));
        let mut used: HashMap<String, BTreeSet<u64>> = HashMap::new();
        for (key, hlu) in &self.hlus {
            if let Some((host, _)) = key.split_once(' ') {
                used.entry(host.to_string()).or_default().insert(*hlu);
            }
        }
        for (host, lun) in &wanted {
            let key = format!("{host} {lun}");
            if self.hlus.contains_key(&key) {
                continue;
            }
            let taken = used.entry(host.clone()).or_default();
            let hlu = (0..).find(|n| !taken.contains(n)).unwrap_or(0);
            taken.insert(hlu);
            self.hlus.insert(key, hlu);
        }
        let mut host_luns = Vec::new();
        for (key, hlu) in &self.hlus {
            let Some((host, lun)) = key.split_once(' ') else {
                continue;
            };
            host_luns.push(json!({
                "id": format!("{host}_{lun}_prod"),
                "type": 1,
                "instanceId": format!("root/emc:EMC_UEM_HostAccessLunAssocLeaf%Antecedent=root/emc:EMC_UEM_HostLeaf\\%InstanceID\\={host}%Dependent=root/emc:EMC_UEM_StorageVolumeLeaf\\%InstanceID\\={lun}_prod"),
                "hlu": hlu,
                "isReadOnly": false,
                "isDefaultSnap": false,
                "host": reference(host),
                "lun": reference(lun),
            }));
        }
        self.objects.insert("hostLUN".into(), host_luns);
    }

    /// How many snaps each storage resource has.
    fn snap_counts(&self) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for s in self.list("snap") {
            if let Some(sr) = ref_id(s, "storageResource") {
                *counts.entry(sr.to_string()).or_insert(0) += 1;
            }
        }
        counts
    }

    fn recompute_luns(&mut self) {
        let snaps = self.snap_counts();
        // Per thin-clone family (by its base): clones, snaps, allocated space.
        let mut families: HashMap<String, (usize, usize, u64)> = HashMap::new();
        for l in self.list("lun") {
            let id = id_of(l);
            let base = ref_id(l, "familyBaseLun").unwrap_or(id);
            let family = families.entry(base.to_string()).or_default();
            if base != id {
                family.0 += 1;
            }
            family.1 += snaps.get(id).copied().unwrap_or(0);
            family.2 += l["sizeAllocated"].as_u64().unwrap_or(0);
        }
        for lun in self.list_mut("lun") {
            let id = id_of(lun).to_string();
            let base = ref_id(lun, "familyBaseLun").unwrap_or(&id).to_string();
            let (clones, family_snaps, family_allocated) =
                families.get(&base).copied().unwrap_or_default();
            if let Value::Object(map) = lun {
                map.insert(
                    "snapCount".into(),
                    json!(snaps.get(&id).copied().unwrap_or(0)),
                );
                map.insert(
                    "familyCloneCount".into(),
                    json!(if base == id { clones } else { 0 }),
                );
                map.insert("familySnapCount".into(), json!(family_snaps));
                map.insert("familySizeAllocatedTotal".into(), json!(family_allocated));
            }
        }
    }

    fn recompute_filesystems(&mut self) {
        let snaps = self.snap_counts();
        let mut shares_of: HashMap<String, Vec<Value>> = HashMap::new();
        for s in self.list("nfsShare") {
            if let Some(fs) = ref_id(s, "filesystem") {
                shares_of
                    .entry(fs.to_string())
                    .or_default()
                    .push(reference(id_of(s)));
            }
        }
        let mut ips_of: HashMap<String, Vec<String>> = HashMap::new();
        for i in self.list("fileInterface") {
            if let (Some(nas), Some(ip)) = (ref_id(i, "nasServer"), i["ipAddress"].as_str()) {
                ips_of
                    .entry(nas.to_string())
                    .or_default()
                    .push(ip.to_string());
            }
        }
        let mut nas_of_fs: HashMap<String, String> = HashMap::new();
        let mut fs_of_sr: HashMap<String, String> = HashMap::new();
        for fs in self.list_mut("filesystem") {
            let id = id_of(fs).to_string();
            let sr = ref_id(fs, "storageResource").unwrap_or("").to_string();
            if let Some(nas) = ref_id(fs, "nasServer") {
                nas_of_fs.insert(id.clone(), nas.to_string());
            }
            let mine = shares_of.remove(&id).unwrap_or_default();
            if let Value::Object(map) = fs {
                set_list(map, "nfsShare", mine);
                map.insert(
                    "snapCount".into(),
                    json!(snaps.get(&sr).copied().unwrap_or(0)),
                );
            }
            fs_of_sr.insert(sr, id);
        }
        let sr_of_snap: HashMap<String, String> = self
            .list("snap")
            .iter()
            .filter_map(|s| {
                Some((
                    id_of(s).to_string(),
                    ref_id(s, "storageResource")?.to_string(),
                ))
            })
            .collect();
        // exportPaths: every file interface of the share's NAS server.
        for share in self.list_mut("nfsShare") {
            let fs_id = ref_id(share, "filesystem").map(str::to_string).or_else(|| {
                let sr = sr_of_snap.get(ref_id(share, "snap")?)?;
                fs_of_sr.get(sr).cloned()
            });
            let ips = fs_id
                .and_then(|f| nas_of_fs.get(&f))
                .and_then(|n| ips_of.get(n))
                .cloned()
                .unwrap_or_default();
            let name = share["name"].as_str().unwrap_or("").to_string();
            let paths: Vec<Value> = ips
                .iter()
                .map(|ip| json!(format!("{ip}:/{name}")))
                .collect();
            if let Value::Object(map) = share {
                map.insert("exportPaths".into(), Value::Array(paths));
            }
        }
    }

    fn recompute_storage_resources(&mut self) {
        let mut out = Vec::new();
        for lun in self.list("lun") {
            let id = id_of(lun);
            let mut sr = json!({
                "id": id,
                "type": 8,
                "replicationType": 0,
                "thinStatus": if lun["isThinEnabled"].as_bool().unwrap_or(false) { 1 } else { 0 },
                "dedupStatus": 0,
                "relocationPolicy": 0,
                "health": lun["health"].clone(),
                "name": lun["name"].clone(),
                "description": lun["description"].clone(),
                "isReplicationDestination": false,
                "sizeTotal": lun["sizeTotal"].clone(),
                "sizeAllocated": lun["sizeAllocated"].clone(),
                "perTierSizeUsed": lun["perTierSizeUsed"].clone(),
                "metadataSize": lun["metadataSize"].clone(),
                "metadataSizeAllocated": lun["metadataSizeAllocated"].clone(),
                "snapsSizeTotal": 0,
                "snapsSizeAllocated": 0,
                "snapCount": lun["snapCount"].clone(),
                "pools": [lun["pool"].clone()],
                "luns": [reference(id)],
                "isThinClone": lun["isThinClone"].clone(),
                "familyCloneCount": lun["familyCloneCount"].clone(),
                "familySnapCount": lun["familySnapCount"].clone(),
                "familySizeAllocatedTotal": lun["familySizeAllocatedTotal"].clone(),
                "nonBaseSize": lun["nonBaseSize"].clone(),
                "nonBaseSizeAllocated": lun["nonBaseSizeAllocated"].clone(),
            });
            common_resource_fields(&mut sr, lun, "StorageVolumeLeaf");
            if let Some(base) = lun.get("familyBaseLun") {
                sr["familyBaseStorageResource"] = base.clone();
            }
            out.push(sr);
        }
        for fs in self.list("filesystem") {
            let Some(sr) = ref_id(fs, "storageResource") else {
                continue;
            };
            let mut record = json!({
                "id": sr,
                "type": 1,
                "replicationType": 0,
                "thinStatus": if fs["isThinEnabled"].as_bool().unwrap_or(false) { 1 } else { 0 },
                "relocationPolicy": 0,
                "health": fs["health"].clone(),
                "name": fs["name"].clone(),
                "description": fs["description"].clone(),
                "isReplicationDestination": false,
                "sizeTotal": fs["sizeTotal"].clone(),
                "sizeUsed": fs["sizeUsed"].clone(),
                "sizeAllocated": fs["sizeAllocated"].clone(),
                "perTierSizeUsed": fs["perTierSizeUsed"].clone(),
                "metadataSize": fs["metadataSize"].clone(),
                "metadataSizeAllocated": fs["metadataSizeAllocated"].clone(),
                "snapsSizeTotal": 0,
                "snapsSizeAllocated": 0,
                "snapCount": fs["snapCount"].clone(),
                "pools": [fs["pool"].clone()],
                "filesystem": reference(id_of(fs)),
                "dedupStatus": 0,
                "isThinClone": false,
                "familyCloneCount": 0,
                "familySnapCount": fs["snapCount"].clone(),
                "familySizeAllocatedTotal": fs["sizeAllocated"].clone(),
                "nonBaseSize": 0,
                "nonBaseSizeAllocated": 0,
            });
            common_resource_fields(&mut record, fs, "FileSystemLeaf");
            out.push(record);
        }
        out.sort_by_key(|r| sort_key(id_of(r)));
        self.objects.insert("storageResource".into(), out);
    }

    fn recompute_hosts(&mut self) {
        let mut initiators: HashMap<String, (Vec<Value>, Vec<Value>)> = HashMap::new();
        for i in self.list("hostInitiator") {
            let Some(host) = ref_id(i, "parentHost") else {
                continue;
            };
            let entry = json!({"id": id_of(i), "initiatorId": i["initiatorId"].clone()});
            let slot = initiators.entry(host.to_string()).or_default();
            match i["type"].as_u64() {
                Some(1) => slot.0.push(entry),
                Some(2) => slot.1.push(entry),
                _ => {}
            }
        }
        let sr_of_lun: HashMap<&str, Value> = self
            .list("lun")
            .iter()
            .filter_map(|l| Some((id_of(l), l.get("storageResource")?.clone())))
            .collect();
        let mut host_luns: HashMap<String, (Vec<Value>, Vec<Value>)> = HashMap::new();
        for h in self.list("hostLUN") {
            let Some(host) = ref_id(h, "host") else {
                continue;
            };
            let slot = host_luns.entry(host.to_string()).or_default();
            slot.0
                .push(json!({"id": id_of(h), "hlu": h["hlu"].clone(), "lun": h["lun"].clone()}));
            if let Some(sr) = ref_id(h, "lun").and_then(|l| sr_of_lun.get(l)) {
                slot.1.push(sr.clone());
            }
        }
        drop(sr_of_lun);
        for host in self.list_mut("host") {
            let id = id_of(host).to_string();
            let (fc, iscsi) = initiators.remove(&id).unwrap_or_default();
            let (hl, resources) = host_luns.remove(&id).unwrap_or_default();
            if let Value::Object(map) = host {
                set_list(map, "fcHostInitiators", fc);
                set_list(map, "iscsiHostInitiators", iscsi);
                set_list(map, "hostLUNs", hl);
                set_list(map, "storageResources", resources);
            }
        }
    }

    /// Rebuild the pools' space only.
    pub fn recompute_pools(&mut self) {
        let mut pools = self.list("pool").to_vec();
        for pool in &mut pools {
            let id = id_of(pool).to_string();
            let (mut used, mut subscribed) = (0u64, 0u64);
            for kind in ["lun", "filesystem"] {
                for r in self.list(kind) {
                    if ref_id(r, "pool") != Some(id.as_str()) {
                        continue;
                    }
                    let total = r["sizeTotal"].as_u64().unwrap_or(0);
                    subscribed += total;
                    used += r["sizeAllocated"].as_u64().unwrap_or(0);
                }
            }
            let base = self.pool_base_used.get(&id).copied().unwrap_or(0);
            let total = pool["sizeTotal"].as_u64().unwrap_or(0);
            let used = (used + base).min(total);
            if let Value::Object(map) = pool {
                map.insert("sizeUsed".into(), json!(used));
                map.insert("sizeFree".into(), json!(total - used));
                map.insert("sizeSubscribed".into(), json!(subscribed + base));
                map.insert("isEmpty".into(), json!(subscribed == 0));
                if let Some(Value::Array(tiers)) = map.get_mut("tiers")
                    && let Some(Value::Object(tier)) = tiers.first_mut()
                {
                    tier.insert("sizeUsed".into(), json!(used));
                    tier.insert("sizeFree".into(), json!(total - used));
                }
            }
        }
        self.objects.insert("pool".into(), pools);
    }

    fn recompute_nas(&mut self) {
        let interfaces = self.list("fileInterface").to_vec();
        let mut servers = self.list("nasServer").to_vec();
        for nas in &mut servers {
            let id = id_of(nas).to_string();
            let ifs: Vec<Value> = interfaces
                .iter()
                .filter(|i| ref_id(i, "nasServer") == Some(id.as_str()))
                .map(|i| reference(id_of(i)))
                .collect();
            if let Value::Object(map) = nas {
                set_list(map, "fileInterface", ifs);
            }
        }
        self.objects.insert("nasServer".into(), servers);
    }

    /// Space left in pool `pool` for `bytes` more of allocation.
    pub fn pool_has_room(&self, pool: &str, bytes: u64) -> bool {
        self.get("pool", pool)
            .and_then(|p| p["sizeFree"].as_u64())
            .is_some_and(|free| free >= bytes)
    }
}

/// The fields a storage resource shares with its LUN or file system `of` (times,
/// space-saving figures, which no data make non-zero), and its own identity.
fn common_resource_fields(sr: &mut Value, of: &Value, leaf: &str) {
    let id = id_of(sr).to_string();
    let Value::Object(map) = sr else {
        return;
    };
    for key in ["creationTime", "modificationTime", "operationalStatus"] {
        map.insert(key.into(), of[key].clone());
    }
    let allocated = of["sizeAllocated"].clone();
    let object_id = of.get("objectId").or_else(|| of.get("oid")).cloned();
    let fields = [
        (
            "instanceId",
            json!(format!("root/emc:EMC_UEM_{leaf}%InstanceID={id}")),
        ),
        ("objectId", object_id.unwrap_or(json!(0))),
        ("sizeAllocatedTotal", allocated),
        ("sizePreallocated", json!(0)),
        ("compressionStatus", json!(0)),
        ("compressionSizeSaved", json!(0)),
        ("compressionPercent", json!(0)),
        ("compressionRatio", json!(1.0)),
        ("dataReductionStatus", json!(0)),
        ("advancedDedupStatus", json!(0)),
        ("dataReductionSizeSaved", json!(0)),
        ("dataReductionPercent", json!(0)),
        ("dataReductionRatio", json!(1.0)),
        ("syncReplicationType", json!(0)),
    ];
    for (key, value) in fields {
        map.entry(key).or_insert(value);
    }
}

fn set_list(map: &mut Map<String, Value>, key: &str, items: Vec<Value>) {
    if items.is_empty() {
        map.remove(key);
    } else {
        map.insert(key.into(), Value::Array(items));
    }
}

/// Sort ids `sv_2` < `sv_10` (prefix, then number).
pub fn sort_key(id: &str) -> (String, u64, String) {
    let digits = id.len() - id.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (prefix, num) = id.split_at(id.len() - digits);
    (prefix.to_string(), num.parse().unwrap_or(0), id.to_string())
}
