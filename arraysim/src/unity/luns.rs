//! LUNs, through their storage resource (the same id, `sv_N`):
//! `storageResource/action/createLun`, `.../<id>/action/modifyLun` (grow,
//! rename, description, `hostAccess` full-list replacement with
//! `accessMask` 0–3), `.../<id>/action/createLunThinClone` (from a snap of
//! the LUN) and `DELETE storageResource/<id>` (refused while thin clones
//! depend on it; snaps need `forceSnapDeletion`).

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::error::{self, UnityError, UnityResult};
use super::model::{Inventory, health, id_of, now, ref_id, reference};
use super::{Reply, opt_bool, opt_ref, opt_str, opt_u64, req_str, sub};

/// A storage resource with snapshots is deleted only with `forceSnapDeletion` (storops'
/// `UnityDeleteStorageResourceHasSnapError`; the HTTP status, 409, is chosen).
pub const HAS_SNAPS: u64 = 100_666_391;
/// The base LUN of a thin clone must be thin (0x6701676, *chosen* number).
pub const REQUIRE_THIN: u64 = 108_009_078;

fn lun_health() -> Value {
    health(
        5,
        "ALRT_VOL_OK",
        "The LUN is operating normally. No action is required.",
    )
}

/// The host LUN number asked is another LUN's on that host (0x6000100, captured), 422.
pub const HLU_IN_USE: u64 = 100_663_552;

/// A `hostAccess` list: the entries to store and the host LUN numbers asked (`hlu`).
pub struct HostAccess {
    /// The `blockHostAccess` entries.
    pub entries: Vec<Value>,
    /// `(host, hlu)` asked.
    pub hlus: Vec<(String, u64)>,
}

/// Parse a `hostAccess` list.
pub fn parse_host_access(inv: &Inventory, list: &Value) -> UnityResult<HostAccess> {
    let Value::Array(items) = list else {
        return Err(UnityError::invalid("hostAccess must be a list."));
    };
    let mut out: Vec<Value> = Vec::new();
    let mut hlus: Vec<(String, u64)> = Vec::new();
    for (n, item) in items.iter().enumerate() {
        let host = opt_ref(item, "host")?
            .ok_or_else(|| UnityError::invalid("hostAccess[].host is required."))?;
        if inv.get("host", host).is_none() {
            return Err(UnityError::not_found());
        }
        let mask = opt_u64(item, "accessMask")?.unwrap_or(1);
        if mask > 3 {
            return Err(UnityError::invalid("accessMask must be 0, 1, 2 or 3."));
        }
        out.retain(|e| ref_id(e, "host") != Some(host));
        hlus.retain(|(h, _)| h != host);
        if mask == 0 {
            continue;
        }
        if let Some(hlu) = opt_u64(item, "hlu")? {
            hlus.push((host.to_string(), hlu));
        }
        out.push(json!({
            "accessMask": mask,
            "instanceId": format!("root/emc:EMC_UEM_HostAccessLunAssocLeaf%InstanceID={}", n + 1),
            "snapshotAccess": u64::from(mask & 2 != 0),
            "host": reference(host),
            "productionAccess": u64::from(mask & 1 != 0),
        }));
    }
    Ok(HostAccess { entries: out, hlus })
}

/// Gives LUN `lun` the host LUN numbers asked; a number another LUN of that host holds
/// is refused (before anything changes).
fn reserve_hlus(inv: &mut Inventory, lun: &str, hlus: &[(String, u64)]) -> UnityResult<()> {
    for (host, hlu) in hlus {
        let taken = inv.hlus.iter().any(|(key, n)| {
            n == hlu
                && key
                    .split_once(' ')
                    .is_some_and(|(h, l)| h == host && l != lun)
        });
        if taken {
            return Err(UnityError::unprocessable(
                HLU_IN_USE,
                "The specified host lun number conflicted with existing luns for this host. (Error Code:0x6000100)",
            ));
        }
    }
    for (host, hlu) in hlus {
        inv.hlus.insert(format!("{host} {lun}"), *hlu);
    }
    Ok(())
}

fn name_taken(inv: &Inventory, name: &str, except: &str) -> bool {
    inv.list("lun")
        .iter()
        .chain(inv.list("storageResource"))
        .any(|l| l["name"].as_str() == Some(name) && id_of(l) != except)
}

fn check_name(inv: &Inventory, name: &str, except: &str) -> UnityResult<()> {
    if name_taken(inv, name, except) {
        return Err(UnityError::conflict(
            error::LUN_NAME_IN_USE,
            "The specified LUN name has already been reserved or LUN with this name already exists. (Error Code:0x6701140)",
        ));
    }
    Ok(())
}

fn pool_full() -> UnityError {
    UnityError::unprocessable(
        error::POOL_FULL,
        "The pool does not have enough free space for this operation.",
    )
}

/// `POST /api/types/storageResource/action/createLun`.
pub fn create(inv: &mut Inventory, body: &Value) -> UnityResult<Reply> {
    let name = req_str(body, "name")?.to_string();
    let description = opt_str(body, "description")?.unwrap_or("").to_string();
    let params = sub(body, "lunParameters")?;
    let pool = opt_ref(params, "pool")?
        .ok_or_else(|| UnityError::invalid("lunParameters.pool is required."))?
        .to_string();
    let size = opt_u64(params, "size")?
        .filter(|s| *s > 0)
        .ok_or_else(|| UnityError::invalid("lunParameters.size is required (bytes, > 0)."))?;
    let thin = opt_bool(params, "isThinEnabled")?.unwrap_or(true);
    let compression = opt_bool(params, "isCompressionEnabled")?.unwrap_or(false);
    let node = opt_u64(params, "defaultNode")?.unwrap_or(0);
    if node > 1 {
        return Err(UnityError::invalid(
            "defaultNode must be 0 (SP A) or 1 (SP B).",
        ));
    }
    if inv.get("pool", &pool).is_none() {
        return Err(UnityError::not_found());
    }
    check_name(inv, &name, "")?;
    let access = match params.get("hostAccess") {
        None | Some(Value::Null) => None,
        Some(list) => Some(parse_host_access(inv, list)?),
    };
    if !thin && !inv.pool_has_room(&pool, size) {
        return Err(pool_full());
    }
    let id = format!("sv_{}", inv.next("sv_"));
    if let Some(access) = &access {
        reserve_hlus(inv, &id, &access.hlus)?;
    }
    let mut lun = new_lun(inv, &id, &name, &description, &pool, size, thin, node);
    lun["isCompressionEnabled"] = json!(compression);
    for key in ["isDataReductionEnabled", "isAdvancedDedupEnabled"] {
        if let Some(on) = opt_bool(params, key)? {
            lun[key] = json!(on);
        }
    }
    if let Some(access) = access.filter(|a| !a.entries.is_empty()) {
        lun["hostAccess"] = Value::Array(access.entries);
    }
    inv.insert("lun", lun);
    Ok(Reply::ok(json!({"storageResource": reference(&id)})))
}

/// A new LUN record.
#[allow(clippy::too_many_arguments)]
pub fn new_lun(
    inv: &mut Inventory,
    id: &str,
    name: &str,
    description: &str,
    pool: &str,
    size: u64,
    thin: bool,
    node: u64,
) -> Value {
    let t = now();
    let wwn = inv.next_wwn();
    let snap_wwn = inv.next_wwn();
    let object_id = 42_949_672_960u64 + inv.counters.get("sv_").copied().unwrap_or(0);
    let lun_number = inv.next("lunNumber");
    let allocated = if thin { 0 } else { size };
    let mut lun = json!({
        "id": id,
        "operationalStatus": [2],
        "type": 2,
        "tieringPolicy": 0,
        "defaultNode": node,
        "currentNode": node,
        "auSize": 8192,
        "instanceId": format!("root/emc:EMC_UEM_StorageVolumeLeaf%InstanceID={id}"),
        "creationTime": t,
        "health": lun_health(),
        "name": name,
        "description": description,
        "modificationTime": t,
        "sizeTotal": size,
        "sizeAllocated": allocated,
        "sizeAllocatedTotal": allocated,
        "perTierSizeUsed": [allocated, 0, 0],
        "isThinEnabled": thin,
        "isCompressionEnabled": false,
        "wwn": wwn,
        "isReplicationDestination": false,
        "isSnapSchedulePaused": false,
        "objectId": object_id,
        "metadataSize": 0,
        "metadataSizeAllocated": 0,
        "snapWwn": snap_wwn,
        "snapsSize": 0,
        "snapsSizeAllocated": 0,
        "snapCount": 0,
        "familyBaseLun": reference(id),
        "lunNumber": lun_number,
        "storageResource": reference(id),
        "pool": reference(pool),
    });
    let family = json!({
        "sizePreallocated": 0,
        "isDataReductionEnabled": false,
        "isAdvancedDedupEnabled": false,
        "dataReductionSizeSaved": 0,
        "dataReductionPercent": 0,
        "dataReductionRatio": 1.0,
        "compressionSizeSaved": 0,
        "compressionPercent": 0,
        "compressionRatio": 1.0,
        "isThinClone": false,
        "familyCloneCount": 0,
        "familySnapCount": 0,
        "familySizeAllocatedTotal": allocated,
        "nonBaseSize": 0,
        "nonBaseSizeAllocated": 0,
    });
    if let (Value::Object(lun), Value::Object(more)) = (&mut lun, family) {
        lun.extend(more);
    }
    lun
}

fn lun_of(inv: &Inventory, sr: &str) -> UnityResult<Value> {
    inv.get("lun", sr).cloned().ok_or_else(|| {
        UnityError::unprocessable(error::INVALID_REQUEST, "The storage resource is not a LUN.")
    })
}

/// `POST /api/instances/storageResource/<id>/action/modifyLun`.
pub fn modify(inv: &mut Inventory, sr: &str, body: &Value) -> UnityResult<Reply> {
    let mut lun = lun_of(inv, sr)?;
    let mut changed = false;
    if let Some(name) = opt_str(body, "name")? {
        if name.is_empty() {
            return Err(UnityError::invalid("name must not be empty."));
        }
        if lun["name"].as_str() != Some(name) {
            check_name(inv, name, sr)?;
            lun["name"] = json!(name);
            changed = true;
        }
    }
    if let Some(d) = opt_str(body, "description")?
        && lun["description"].as_str() != Some(d)
    {
        lun["description"] = json!(d);
        changed = true;
    }
    let params = sub(body, "lunParameters")?;
    if let Some(size) = opt_u64(params, "size")? {
        let current = lun["sizeTotal"].as_u64().unwrap_or(0);
        if size < current {
            return Err(UnityError::unprocessable(
                error::LUN_SHRINK,
                "The system does not support shrink operation for LUNs of this type. (Error Code:0x6701130)",
            ));
        }
        if size > current {
            let thin = lun["isThinEnabled"].as_bool().unwrap_or(true);
            let pool = ref_id(&lun, "pool").unwrap_or("").to_string();
            if !thin {
                if !inv.pool_has_room(&pool, size - current) {
                    return Err(pool_full());
                }
                lun["sizeAllocated"] = json!(size);
                lun["sizeAllocatedTotal"] = json!(size);
                lun["perTierSizeUsed"] = json!([size, 0, 0]);
            }
            lun["sizeTotal"] = json!(size);
            changed = true;
        }
    }
    let mut asked_hlus = Vec::new();
    if let Some(list) = params.get("hostAccess").filter(|v| !v.is_null()) {
        let HostAccess {
            entries: access,
            hlus,
        } = parse_host_access(inv, list)?;
        asked_hlus = hlus;
        let before = lun.get("hostAccess").cloned().unwrap_or(json!([]));
        let same = |a: &Value, b: &Value| {
            let key = |v: &Value| {
                let mut k: Vec<(String, u64)> = v
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| {
                        (
                            ref_id(e, "host").unwrap_or("").to_string(),
                            e["accessMask"].as_u64().unwrap_or(0),
                        )
                    })
                    .collect();
                k.sort();
                k
            };
            key(a) == key(b)
        };
        let new = Value::Array(access);
        if !same(&before, &new) {
            changed = true;
        }
        if new.as_array().is_some_and(Vec::is_empty) {
            if let Value::Object(m) = &mut lun {
                m.remove("hostAccess");
            }
        } else {
            lun["hostAccess"] = new;
        }
    }
    for key in [
        "isCompressionEnabled",
        "isDataReductionEnabled",
        "isAdvancedDedupEnabled",
    ] {
        if let Some(on) = opt_bool(params, key)?
            && lun[key].as_bool() != Some(on)
        {
            lun[key] = json!(on);
            changed = true;
        }
    }
    if let Some(node) = opt_u64(params, "defaultNode")? {
        if node > 1 {
            return Err(UnityError::invalid(
                "defaultNode must be 0 (SP A) or 1 (SP B).",
            ));
        }
        if lun["defaultNode"].as_u64() != Some(node) {
            lun["defaultNode"] = json!(node);
            lun["currentNode"] = json!(node);
            changed = true;
        }
    }
    let held = |host: &str, hlu: u64| inv.hlus.get(&format!("{host} {sr}")) == Some(&hlu);
    if asked_hlus.iter().any(|(h, n)| !held(h, *n)) {
        changed = true;
    }
    if !changed {
        return Err(UnityError::conflict(
            error::NOTHING_TO_MODIFY,
            "The user requested modification of the storage resource but the system found that there is nothing to modify. (Error Code:0x6701020)",
        ));
    }
    reserve_hlus(inv, sr, &asked_hlus)?;
    lun["modificationTime"] = json!(now());
    if let Some(slot) = inv.get_mut("lun", sr) {
        *slot = lun;
    }
    Ok(Reply::no_content())
}

/// `POST /api/instances/storageResource/<id>/action/createLunThinClone`.
pub fn thin_clone(inv: &mut Inventory, sr: &str, body: &Value) -> UnityResult<Reply> {
    let base = lun_of(inv, sr)?;
    let snap_id = opt_ref(body, "snap")?
        .ok_or_else(|| UnityError::invalid("snap is required."))?
        .to_string();
    let name = req_str(body, "name")?.to_string();
    let description = opt_str(body, "description")?.unwrap_or("").to_string();
    let snap = inv
        .get("snap", &snap_id)
        .cloned()
        .ok_or_else(UnityError::not_found)?;
    if ref_id(&snap, "storageResource") != Some(sr) {
        return Err(UnityError::invalid(
            "The snapshot does not belong to this LUN.",
        ));
    }
    if !base["isThinEnabled"].as_bool().unwrap_or(false) {
        return Err(UnityError::unprocessable(
            REQUIRE_THIN,
            "Thin clones can be made only of thin LUNs.",
        ));
    }
    check_name(inv, &name, "")?;
    let pool = ref_id(&base, "pool").unwrap_or("").to_string();
    let size = snap["size"]
        .as_u64()
        .unwrap_or_else(|| base["sizeTotal"].as_u64().unwrap_or(0));
    let node = base["defaultNode"].as_u64().unwrap_or(0);
    let id = format!("sv_{}", inv.next("sv_"));
    let mut lun = new_lun(inv, &id, &name, &description, &pool, size, true, node);
    lun["isThinClone"] = json!(true);
    let family = ref_id(&base, "familyBaseLun").unwrap_or(sr).to_string();
    lun["familyBaseLun"] = reference(&family);
    inv.insert("lun", lun);
    Ok(Reply::ok(json!({"storageResource": reference(&id)})))
}

/// The base of a thin-clone family stays while the family has clones (409 108009075).
/// Checked before a `?timeout=0` delete becomes a job, as captured.
pub fn check_deletable(inv: &Inventory, sr: &str) -> UnityResult<()> {
    let has_clones = inv
        .list("lun")
        .iter()
        .any(|l| id_of(l) != sr && ref_id(l, "familyBaseLun") == Some(sr));
    if has_clones {
        return Err(UnityError::conflict(
            error::HAS_THIN_CLONES,
            "The specified LUN cannot be deleted because it has one or more dependent thin clones. (Error Code:0x6701673)",
        ));
    }
    Ok(())
}

/// `DELETE /api/instances/storageResource/<id>` of a LUN.
pub fn delete(inv: &mut Inventory, sr: &str, body: &Value) -> UnityResult<Reply> {
    check_deletable(inv, sr)?;
    let force = opt_bool(body, "forceSnapDeletion")?.unwrap_or(false);
    let snaps: Vec<String> = inv
        .list("snap")
        .iter()
        .filter(|s| ref_id(s, "storageResource") == Some(sr))
        .map(|s| id_of(s).to_string())
        .collect();
    if !snaps.is_empty() && !force {
        return Err(UnityError::new(
            StatusCode::CONFLICT,
            HAS_SNAPS,
            "The LUN has snapshots; delete them first or set forceSnapDeletion.",
        ));
    }
    for s in snaps {
        inv.remove("snap", &s);
    }
    inv.remove("lun", sr).ok_or_else(UnityError::not_found)?;
    Ok(Reply::no_content())
}
