//! Snapshots (`snap`) of LUNs and file systems: create (`POST
//! /api/types/snap/instances`), delete, `restore` (a backup snap of the
//! current data is made first: `{"backup": {"id"}}`) and `copy`
//! (`{"copies": [{"id"}]}`). Ids are numeric strings, as on real arrays.
//! A snap in state 9 (Destroying) is hidden from listings and GETs; an
//! asynchronous delete (`?timeout=0`) puts the snap in that state at once,
//! and the job removes it.

use serde_json::{Value, json};

use super::error::{self, UnityError, UnityResult};
use super::model::{Inventory, id_of, now, ref_id, reference};
use super::{Reply, opt_bool, opt_ref, opt_str, opt_u64};

/// Snap ids start here (as `38654705785` on a real array).
const SNAP_ID_BASE: u64 = 38_654_705_000;

/// Whether a snap is being destroyed (state 9).
pub fn is_destroying(snap: &Value) -> bool {
    snap["state"].as_u64() == Some(9)
}

fn name_in_use() -> UnityError {
    UnityError::conflict(
        error::SNAP_NAME_IN_USE,
        "Specified snapshot name is already in use. (Error Code:0x716d8005)",
    )
}

/// Make a snap of storage resource `sr`; its id.
pub fn make(
    inv: &mut Inventory,
    sr: &str,
    name: Option<&str>,
    description: &str,
    creator_type: u64,
    body: &Value,
) -> UnityResult<String> {
    let resource = inv
        .get("storageResource", sr)
        .cloned()
        .ok_or_else(UnityError::not_found)?;
    let t = now();
    let name = name
        .map(str::to_string)
        .unwrap_or_else(|| t.replace('T', "_").chars().take(19).collect());
    if inv
        .list("snap")
        .iter()
        .any(|s| s["name"].as_str() == Some(&name) && ref_id(s, "storageResource") == Some(sr))
    {
        return Err(name_in_use());
    }
    let n = inv.next("snap");
    let id = (SNAP_ID_BASE + n).to_string();
    let mut snap = json!({
        "id": id,
        "creatorType": creator_type,
        "state": 2,
        "operationalStatus": [2],
        "instanceId": format!("root/emc:EMC_UEM_VolumeSnapLeaf%InstanceID={id}"),
        "name": name,
        "description": description,
        "creationTime": t,
        "isSystemSnap": false,
        "isModifiable": false,
        "isReadOnly": opt_bool(body, "isReadOnly")?.unwrap_or(false),
        "isModified": false,
        "isAutoDelete": opt_bool(body, "isAutoDelete")?.unwrap_or(true),
        "size": resource["sizeTotal"].clone(),
        "storageResource": reference(sr),
        "creatorUser": reference("user_admin"),
    });
    if resource["type"].as_u64() == Some(8) {
        snap["lun"] = reference(sr);
    } else {
        let access = opt_u64(body, "filesystemAccessType")?.unwrap_or(1);
        if !(1..=2).contains(&access) {
            return Err(UnityError::invalid(
                "filesystemAccessType must be 1 (checkpoint) or 2 (protocol).",
            ));
        }
        snap["accessType"] = json!(access);
    }
    if let Some(secs) = opt_u64(body, "retentionDuration")? {
        let now_secs = crate::core::time::now_ms() / 1000;
        let exp = crate::core::time::iso8601(now_secs + secs).replace("+00:00", ".000Z");
        snap["expirationTime"] = json!(exp);
    }
    inv.insert("snap", snap);
    Ok(id)
}

/// `POST /api/types/snap/instances`.
pub fn create(inv: &mut Inventory, body: &Value) -> UnityResult<Reply> {
    let sr = opt_ref(body, "storageResource")?
        .ok_or_else(|| UnityError::invalid("storageResource is required."))?
        .to_string();
    let name = opt_str(body, "name")?.map(str::to_string);
    let description = opt_str(body, "description")?.unwrap_or("").to_string();
    let id = make(inv, &sr, name.as_deref(), &description, 2, body)?;
    Ok(Reply::created(json!({ "id": id })))
}

fn live(inv: &Inventory, id: &str) -> UnityResult<Value> {
    inv.get("snap", id)
        .filter(|s| !is_destroying(s))
        .cloned()
        .ok_or_else(UnityError::not_found)
}

/// `DELETE /api/instances/snap/<id>` (its NFS shares go with it).
pub fn delete(inv: &mut Inventory, id: &str) -> UnityResult<Reply> {
    // A Destroying snap (an asynchronous delete under way) may go too.
    if inv.get("snap", id).is_none() {
        return Err(UnityError::not_found());
    }
    inv.list_mut("nfsShare")
        .retain(|s| ref_id(s, "snap") != Some(id));
    inv.remove("snap", id);
    Ok(Reply::no_content())
}

/// `POST /api/instances/snap/<id>/action/restore {"copyName"}`.
pub fn restore(inv: &mut Inventory, id: &str, body: &Value) -> UnityResult<Reply> {
    let snap = live(inv, id)?;
    let sr = ref_id(&snap, "storageResource").unwrap_or("").to_string();
    let name = opt_str(body, "copyName")?.map(str::to_string);
    let backup = make(inv, &sr, name.as_deref(), "", 6, &json!({}))?;
    // The data go back to the snap's: a LUN takes the snap's size again.
    let size = snap["size"].clone();
    if let Some(lun) = inv.get_mut("lun", &sr) {
        lun["sizeTotal"] = size;
        lun["modificationTime"] = json!(now());
    }
    Ok(Reply::ok(json!({"backup": reference(&backup)})))
}

/// `POST /api/instances/snap/<id>/action/copy {"copyName"}`.
pub fn copy(inv: &mut Inventory, id: &str, body: &Value) -> UnityResult<Reply> {
    let snap = live(inv, id)?;
    let sr = ref_id(&snap, "storageResource").unwrap_or("").to_string();
    let name = opt_str(body, "copyName")?.map(str::to_string);
    let description = snap["description"].as_str().unwrap_or("").to_string();
    let copy = make(inv, &sr, name.as_deref(), &description, 2, &snap)?;
    if let Some(c) = inv.get_mut("snap", &copy) {
        c["parentSnap"] = reference(id_of(&snap));
        c["size"] = snap["size"].clone();
    }
    Ok(Reply::ok(json!({"copies": [reference(&copy)]})))
}
