//! File systems (`filesystem`, storage resource `res_N`) on a NAS server,
//! and NFS shares (`nfsShare`): `storageResource/action/createFilesystem`,
//! `.../<res>/action/modifyFilesystem` (size, description, and the
//! `nfsShareCreate` / `nfsShareModify` / `nfsShareDelete` lists), `DELETE
//! storageResource/<res>`; shares of snapshots through `POST
//! /api/types/nfsShare/instances {"snap": {"id"}}`.
//!
//! Sizes: at least 3 GiB (the real minimum; smaller gives 108008449); a
//! thin file system may shrink down to its `sizeUsed`, a thick one not at
//! all (*chosen* code 108008450). Share access: `defaultAccess` 0–4, host
//! lists (`readWriteHosts: [{"id": "Host_1"}]`, ...) and the
//! `*HostsString` forms (comma-separated addresses or host names); a list
//! given also sets its string form to the joined host ids, as captured.

use serde_json::{Map, Value, json};

use super::error::{self, UnityError, UnityResult};
use super::model::{Inventory, health, id_of, now, ref_id, reference};
use super::{Reply, opt_bool, opt_ref, opt_str, opt_u64, req_str, sub};

/// The smallest file system.
pub const MIN_FS_SIZE: u64 = 3 << 30;

/// Host-list share parameters and their string forms.
pub const HOST_LISTS: &[(&str, &str)] = &[
    ("noAccessHosts", "noAccessHostsString"),
    ("readOnlyHosts", "readOnlyHostsString"),
    ("readWriteHosts", "readWriteHostsString"),
    ("readOnlyRootAccessHosts", "readOnlyRootHostsString"),
    ("rootAccessHosts", "readWriteRootHostsString"),
];

/// String-only share parameters.
const STRINGS: &[&str] = &[
    "noAccessHostsString",
    "readOnlyHostsString",
    "readWriteHostsString",
    "readOnlyRootHostsString",
    "readWriteRootHostsString",
];

fn fs_health() -> Value {
    health(
        5,
        "ALRT_APP_FS_OK",
        "This storage resource is operating normally. No action is required.",
    )
}

/// `POST /api/types/storageResource/action/createFilesystem`.
pub fn create(inv: &mut Inventory, body: &Value) -> UnityResult<Reply> {
    let name = req_str(body, "name")?.to_string();
    let description = opt_str(body, "description")?.unwrap_or("").to_string();
    let params = sub(body, "fsParameters")?;
    let pool = opt_ref(params, "pool")?
        .ok_or_else(|| UnityError::invalid("fsParameters.pool is required."))?
        .to_string();
    let nas = opt_ref(params, "nasServer")?
        .ok_or_else(|| UnityError::invalid("fsParameters.nasServer is required."))?
        .to_string();
    let size = opt_u64(params, "size")?
        .ok_or_else(|| UnityError::invalid("fsParameters.size is required (bytes)."))?;
    let protocols = opt_u64(params, "supportedProtocols")?.unwrap_or(0);
    if protocols > 2 {
        return Err(UnityError::invalid(
            "supportedProtocols must be 0 (NFS), 1 (CIFS) or 2 (multiprotocol).",
        ));
    }
    let thin = opt_bool(params, "isThinEnabled")?.unwrap_or(true);
    if inv.get("pool", &pool).is_none() || inv.get("nasServer", &nas).is_none() {
        return Err(UnityError::not_found());
    }
    if size < MIN_FS_SIZE {
        return Err(UnityError::unprocessable(
            error::FS_TOO_SMALL,
            "The specified file system size is too small. (Error Code:0x6701401)",
        ));
    }
    if inv.by_name("filesystem", &name).is_some() {
        return Err(UnityError::conflict(
            error::FS_NAME_IN_USE,
            "The specified file system name has already been reserved or file system with this name already exists. (Error Code:0x6701410)",
        ));
    }
    let used = 1_610_612_736u64.min(size);
    let allocated = if thin { used } else { size };
    if !inv.pool_has_room(&pool, allocated) {
        return Err(UnityError::unprocessable(
            error::POOL_FULL,
            "The pool does not have enough free space for this operation.",
        ));
    }
    let n = inv.next("fs_");
    let id = format!("fs_{n}");
    let res = format!("res_{}", inv.next("res_"));
    let t = now();
    let mut fs = json!({
        "id": id,
        "operationalStatus": [2],
        "type": 1,
        "tieringPolicy": 0,
        "supportedProtocols": protocols,
        "accessPolicy": 0,
        "renamePolicy": 0,
        "lockingPolicy": 0,
        "format": 2,
        "hostIOSize": 8192,
        "poolFullPolicy": 0,
        "instanceId": format!("root/emc:EMC_UEM_FileSystemLeaf%InstanceID={id}"),
        "health": fs_health(),
        "name": name,
        "description": description,
        "creationTime": t,
        "modificationTime": t,
        "sizeTotal": size,
        "sizeUsed": used,
        "sizeAllocated": allocated,
        "isReadOnly": false,
        "isThinEnabled": thin,
        "isCIFSSyncWritesEnabled": false,
        "isCIFSOpLocksEnabled": true,
        "isCIFSNotifyOnWriteEnabled": false,
        "isCIFSNotifyOnAccessEnabled": false,
        "cifsNotifyOnChangeDirDepth": 512,
        "cifsNumUsedFiles": 0,
        "oid": 8_589_934_592u64 + n,
        "backendId": (171_798_691_840u64 + n).to_string(),
        "metadataSize": 0,
        "metadataSizeAllocated": 0,
        "perTierSizeUsed": [allocated, 0, 0],
        "snapsSize": 0,
        "snapsSizeAllocated": 0,
        "snapCount": 0,
        "isSMBCA": false,
        "sizeAllocatedTotal": allocated,
        "storageResource": reference(&res),
        "pool": reference(&pool),
        "nasServer": reference(&nas),
    });
    if let (Value::Object(fs), Value::Object(more)) = (&mut fs, efficiency_defaults()) {
        fs.extend(more);
    }
    inv.insert("filesystem", fs);
    if let Some(shares) = body.get("nfsShareCreate").filter(|v| !v.is_null()) {
        create_shares(inv, &id, shares)?;
    }
    Ok(Reply::ok(json!({"storageResource": reference(&res)})))
}

/// What a new file system shows of the features that save space (off: no data to save).
fn efficiency_defaults() -> Value {
    json!({
        "folderRenamePolicy": 0,
        "sizePreallocated": 0,
        "minSizeAllocated": 0,
        "isDataReductionEnabled": false,
        "isAdvancedDedupEnabled": false,
        "isCompressionEnabled": false,
        "dataReductionSizeSaved": 0,
        "dataReductionPercent": 0,
        "dataReductionRatio": 1.0,
        "compressionSizeSaved": 0,
        "compressionPercent": 0,
        "compressionRatio": 1.0,
        "isDedupRunning": false,
        "dedupState": 0,
        "dedupProgress": 0,
        "dedupExcludeExtensions": [],
        "dedupExcludePaths": [],
        "dedupNumFilesTotal": 0,
        "dedupNumFilesScanned": 0,
        "dedupNumFilesDeduped": 0,
        "dedupNumFileRecalled": 0,
        "dedupOriginalSizeUsed": 0,
        "dedupSizeUsed": 0,
        "dedupSizeSaved": 0,
        "dedupPercentSaved": 0,
        "isMigrationDestination": false,
        "fileEventSettings": {"isCIFSEnabled": false, "isNFSEnabled": false},
    })
}

fn fs_of_resource(inv: &Inventory, res: &str) -> UnityResult<Value> {
    inv.list("filesystem")
        .iter()
        .find(|f| ref_id(f, "storageResource") == Some(res))
        .cloned()
        .ok_or_else(|| UnityError::invalid("The storage resource is not a file system."))
}

/// `POST /api/instances/storageResource/<res>/action/modifyFilesystem`.
pub fn modify(inv: &mut Inventory, res: &str, body: &Value) -> UnityResult<Reply> {
    let mut fs = fs_of_resource(inv, res)?;
    let fs_id = id_of(&fs).to_string();
    let mut changed = false;
    if let Some(d) = opt_str(body, "description")?
        && fs["description"].as_str() != Some(d)
    {
        fs["description"] = json!(d);
        changed = true;
    }
    let params = sub(body, "fsParameters")?;
    if let Some(size) = opt_u64(params, "size")? {
        let current = fs["sizeTotal"].as_u64().unwrap_or(0);
        let used = fs["sizeUsed"].as_u64().unwrap_or(0);
        let thin = fs["isThinEnabled"].as_bool().unwrap_or(true);
        if size < current && (!thin || size < used.max(MIN_FS_SIZE)) {
            return Err(UnityError::unprocessable(
                error::FS_SHRINK,
                "The file system cannot shrink to that size: it is thick, or the size is below its used space or the minimum.",
            ));
        }
        if size != current {
            if !thin {
                let pool = ref_id(&fs, "pool").unwrap_or("").to_string();
                if size > current && !inv.pool_has_room(&pool, size - current) {
                    return Err(UnityError::unprocessable(
                        error::POOL_FULL,
                        "The pool does not have enough free space for this operation.",
                    ));
                }
                fs["sizeAllocated"] = json!(size);
                fs["sizeAllocatedTotal"] = json!(size);
                fs["perTierSizeUsed"] = json!([size, 0, 0]);
            }
            fs["sizeTotal"] = json!(size);
            changed = true;
        }
    }
    let lists = ["nfsShareCreate", "nfsShareModify", "nfsShareDelete"];
    let has_share_changes = lists
        .iter()
        .any(|k| body.get(*k).is_some_and(|v| !v.is_null()));
    if !changed && !has_share_changes {
        return Err(UnityError::conflict(
            error::NOTHING_TO_MODIFY,
            "The user requested modification of the storage resource but the system found that there is nothing to modify. (Error Code:0x6701020)",
        ));
    }
    fs["modificationTime"] = json!(now());
    if let Some(slot) = inv.get_mut("filesystem", &fs_id) {
        *slot = fs;
    }
    if let Some(v) = body.get("nfsShareDelete").filter(|v| !v.is_null()) {
        for item in items(v, "nfsShareDelete")? {
            let id = opt_ref(item, "nfsShare")?
                .ok_or_else(|| UnityError::invalid("nfsShareDelete[].nfsShare is required."))?;
            let mine = inv
                .get("nfsShare", id)
                .is_some_and(|s| ref_id(s, "filesystem") == Some(fs_id.as_str()));
            if !mine {
                return Err(UnityError::not_found());
            }
            inv.remove("nfsShare", id);
        }
    }
    if let Some(v) = body.get("nfsShareModify").filter(|v| !v.is_null()) {
        for item in items(v, "nfsShareModify")? {
            let id = opt_ref(item, "nfsShare")?
                .ok_or_else(|| UnityError::invalid("nfsShareModify[].nfsShare is required."))?
                .to_string();
            let mut share = inv
                .get("nfsShare", &id)
                .filter(|s| ref_id(s, "filesystem") == Some(fs_id.as_str()))
                .cloned()
                .ok_or_else(UnityError::not_found)?;
            apply_params(inv, &mut share, sub(item, "nfsShareParameters")?)?;
            share["modificationTime"] = json!(now());
            if let Some(slot) = inv.get_mut("nfsShare", &id) {
                *slot = share;
            }
        }
    }
    if let Some(v) = body.get("nfsShareCreate").filter(|v| !v.is_null()) {
        create_shares(inv, &fs_id, v)?;
    }
    Ok(Reply::no_content())
}

fn items<'a>(v: &'a Value, key: &str) -> UnityResult<&'a Vec<Value>> {
    v.as_array()
        .ok_or_else(|| UnityError::invalid(format!("{key} must be a list.")))
}

/// A share name: what clients mount after `<address>:/`. `/` inside builds an export
/// name space (`vol/fs1`); not as the first or last character, nor twice in a row
/// (*chosen* code: 400 131149825, as other bad arguments).
fn check_share_name(name: &str) -> UnityResult<()> {
    if name.split('/').any(str::is_empty) {
        return Err(UnityError::invalid(format!(
            "NFS share name {name:?}: '/' separates names; it cannot start or end one, nor come twice."
        )));
    }
    Ok(())
}

fn share_name_taken(inv: &Inventory, name: &str) -> bool {
    inv.list("nfsShare")
        .iter()
        .any(|s| s["name"].as_str() == Some(name))
}

fn share_name_in_use() -> UnityError {
    UnityError::conflict(
        error::NFS_SHARE_NAME_IN_USE,
        "An NFS share with the specified name already exists. (Error Code:0x900a104)",
    )
}

fn new_share(id: &str, name: &str, path: &str) -> Value {
    let t = now();
    json!({
        "id": id,
        "type": 1,
        "role": 0,
        "defaultAccess": 0,
        "minSecurity": 0,
        "instanceId": format!("root/emc:EMC_UEM_NFSShareLeaf%InstanceID={id}"),
        "name": name,
        "path": path,
        "exportPaths": [],
        "description": "",
        "creationTime": t,
        "modificationTime": t,
        "anonymousUID": 4_294_967_294u64,
        "anonymousGID": 4_294_967_294u64,
        "exportOption": 1,
    })
}

fn create_shares(inv: &mut Inventory, fs_id: &str, list: &Value) -> UnityResult<()> {
    for item in items(list, "nfsShareCreate")? {
        let name = req_str(item, "name")?.to_string();
        check_share_name(&name)?;
        let path = opt_str(item, "path")?.unwrap_or("/").to_string();
        if !path.starts_with('/') {
            return Err(UnityError::invalid("path must start with /."));
        }
        if share_name_taken(inv, &name) {
            return Err(share_name_in_use());
        }
        let id = format!("NFSShare_{}", inv.next("NFSShare_"));
        let mut share = new_share(&id, &name, &path);
        share["filesystem"] = reference(fs_id);
        apply_params(inv, &mut share, sub(item, "nfsShareParameters")?)?;
        inv.insert("nfsShare", share);
    }
    Ok(())
}

/// Apply `nfsShareParameters` (each key given replaces the share's).
fn apply_params(inv: &Inventory, share: &mut Value, params: &Value) -> UnityResult<()> {
    let Value::Object(map) = share else {
        return Ok(());
    };
    if let Some(a) = opt_u64(params, "defaultAccess")? {
        if a > 4 {
            return Err(UnityError::invalid("defaultAccess must be 0..4."));
        }
        map.insert("defaultAccess".into(), json!(a));
    }
    if let Some(s) = opt_u64(params, "minSecurity")? {
        if s > 4 {
            return Err(UnityError::invalid("minSecurity must be 0..4."));
        }
        map.insert("minSecurity".into(), json!(s));
    }
    for key in ["anonymousUID", "anonymousGID", "exportOption"] {
        if let Some(v) = opt_u64(params, key)? {
            map.insert(key.into(), json!(v));
        }
    }
    if let Some(d) = opt_str(params, "description")? {
        map.insert("description".into(), json!(d));
    }
    for (list, string) in HOST_LISTS {
        match params.get(*list) {
            None | Some(Value::Null) => {}
            Some(Value::Array(hosts)) => {
                let mut ids = Vec::new();
                for h in hosts {
                    let id = h.get("id").and_then(Value::as_str).ok_or_else(|| {
                        UnityError::invalid(format!("{list}[] must be {{\"id\"}}."))
                    })?;
                    if inv.get("host", id).is_none() {
                        return Err(UnityError::not_found());
                    }
                    ids.push(id.to_string());
                }
                set_or_remove(
                    map,
                    list,
                    (!ids.is_empty())
                        .then(|| Value::Array(ids.iter().map(|i| reference(i)).collect())),
                );
                set_or_remove(map, string, (!ids.is_empty()).then(|| json!(ids.join(","))));
            }
            Some(_) => return Err(UnityError::invalid(format!("{list} must be a list."))),
        }
    }
    for key in STRINGS {
        match params.get(*key).filter(|v| !v.is_null()) {
            None => {}
            Some(Value::String(s)) => {
                let cleaned: Vec<&str> = s
                    .split(',')
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .collect();
                set_or_remove(
                    map,
                    key,
                    (!cleaned.is_empty()).then(|| json!(cleaned.join(","))),
                );
            }
            Some(_) => return Err(UnityError::invalid(format!("{key} must be a string."))),
        }
    }
    Ok(())
}

fn set_or_remove(map: &mut Map<String, Value>, key: &str, v: Option<Value>) {
    match v {
        Some(v) => {
            map.insert(key.into(), v);
        }
        None => {
            map.remove(key);
        }
    }
}

/// `POST /api/types/nfsShare/instances {"snap": {"id"}, "name", "path", ...}`.
pub fn create_snap_share(inv: &mut Inventory, body: &Value) -> UnityResult<Reply> {
    let snap = opt_ref(body, "snap")?
        .ok_or_else(|| {
            UnityError::invalid(
                "snap is required (shares of file systems are made with modifyFilesystem).",
            )
        })?
        .to_string();
    let is_fs_snap = inv
        .get("snap", &snap)
        .is_some_and(|s| s.get("lun").is_none());
    if !is_fs_snap {
        return Err(UnityError::not_found());
    }
    let name = req_str(body, "name")?.to_string();
    check_share_name(&name)?;
    let path = opt_str(body, "path")?.unwrap_or("/").to_string();
    if share_name_taken(inv, &name) {
        return Err(share_name_in_use());
    }
    let id = format!("NFSShare_{}", inv.next("NFSShare_"));
    let mut share = new_share(&id, &name, &path);
    share["type"] = json!(2);
    share["snap"] = reference(&snap);
    share["isReadOnly"] = json!(opt_bool(body, "isReadOnly")?.unwrap_or(true));
    apply_params(inv, &mut share, body)?;
    inv.insert("nfsShare", share);
    Ok(Reply::created(json!({ "id": id })))
}

/// `POST /api/instances/nfsShare/<id>/action/modify` (a snapshot's share).
pub fn modify_snap_share(inv: &mut Inventory, id: &str, body: &Value) -> UnityResult<Reply> {
    let mut share = inv
        .get("nfsShare", id)
        .cloned()
        .ok_or_else(UnityError::not_found)?;
    apply_params(inv, &mut share, body)?;
    share["modificationTime"] = json!(now());
    if let Some(slot) = inv.get_mut("nfsShare", id) {
        *slot = share;
    }
    Ok(Reply::no_content())
}

/// `DELETE /api/instances/nfsShare/<id>`.
pub fn delete_share(inv: &mut Inventory, id: &str) -> UnityResult<Reply> {
    inv.remove("nfsShare", id)
        .ok_or_else(UnityError::not_found)?;
    Ok(Reply::no_content())
}

/// `DELETE /api/instances/storageResource/<res>` of a file system: its
/// shares go with it; snaps need `forceSnapDeletion`.
pub fn delete(inv: &mut Inventory, res: &str, body: &Value) -> UnityResult<Reply> {
    let fs = fs_of_resource(inv, res)?;
    let fs_id = id_of(&fs).to_string();
    let force = opt_bool(body, "forceSnapDeletion")?.unwrap_or(false);
    let snaps: Vec<String> = inv
        .list("snap")
        .iter()
        .filter(|s| ref_id(s, "storageResource") == Some(res))
        .map(|s| id_of(s).to_string())
        .collect();
    if !snaps.is_empty() && !force {
        return Err(UnityError::conflict(
            super::luns::HAS_SNAPS,
            "The file system has snapshots; delete them first or set forceSnapDeletion.",
        ));
    }
    inv.list_mut("nfsShare").retain(|s| {
        ref_id(s, "filesystem") != Some(fs_id.as_str())
            && !ref_id(s, "snap").is_some_and(|x| snaps.iter().any(|y| y == x))
    });
    for s in snaps {
        inv.remove("snap", &s);
    }
    inv.remove("filesystem", &fs_id);
    Ok(Reply::no_content())
}
