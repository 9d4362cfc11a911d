//! Hosts (`host`, type 1 manual / 2 subnet / 3 netgroup / 5 auto) and
//! their initiators (`hostInitiator`, `initiatorType` 1 FC / 2 iSCSI, with
//! optional CHAP). The host's `fcHostInitiators`, `iscsiHostInitiators`,
//! `hostLUNs` and `storageResources` are derived.

use serde_json::{Value, json};

use super::error::{self, UnityError, UnityResult};
use super::model::{Inventory, health_ok, id_of, ref_id, reference};
use super::{Reply, opt_bool, opt_ref, opt_str, opt_u64, req_str};

/// `POST /api/types/host/instances`.
pub fn create_host(inv: &mut Inventory, body: &Value) -> UnityResult<Reply> {
    let name = req_str(body, "name")?.to_string();
    let kind = opt_u64(body, "type")?.unwrap_or(1);
    if ![1, 2, 3, 4, 5].contains(&kind) {
        return Err(UnityError::invalid(
            "type must be a HostTypeEnum value (1, 2, 3, 4, 5).",
        ));
    }
    let description = opt_str(body, "description")?.unwrap_or("").to_string();
    let os = opt_str(body, "osType")?.unwrap_or("").to_string();
    if inv.by_name("host", &name).is_some() {
        return Err(UnityError::conflict(
            error::HOST_NAME_IN_USE,
            "The specified host name is already in use.",
        ));
    }
    let id = format!("Host_{}", inv.next("Host_"));
    let host = json!({
        "id": id,
        "operationalStatus": [2],
        "type": kind,
        "autoManageType": 2,
        "registrationType": 1,
        "instanceId": format!("root/emc:EMC_UEM_HostLeaf%InstanceID={id}"),
        "health": health_ok(),
        "name": name,
        "description": description,
        "osType": os,
    });
    inv.insert("host", host);
    Ok(Reply::created(json!({ "id": id })))
}

/// `POST /api/instances/host/<id>/action/modify`.
pub fn modify_host(inv: &mut Inventory, id: &str, body: &Value) -> UnityResult<Reply> {
    let name = opt_str(body, "name")?.map(str::to_string);
    if let Some(n) = &name
        && inv
            .list("host")
            .iter()
            .any(|h| h["name"].as_str() == Some(n) && id_of(h) != id)
    {
        return Err(UnityError::conflict(
            error::HOST_NAME_IN_USE,
            "The specified host name is already in use.",
        ));
    }
    let description = opt_str(body, "description")?.map(str::to_string);
    let os = opt_str(body, "osType")?.map(str::to_string);
    let host = inv.get_mut("host", id).ok_or_else(UnityError::not_found)?;
    if let Some(n) = name {
        host["name"] = json!(n);
    }
    if let Some(d) = description {
        host["description"] = json!(d);
    }
    if let Some(o) = os {
        host["osType"] = json!(o);
    }
    Ok(Reply::no_content())
}

/// `DELETE /api/instances/host/<id>`: refused while a LUN grants it access;
/// its initiators go with it.
pub fn delete_host(inv: &mut Inventory, id: &str) -> UnityResult<Reply> {
    if inv.get("host", id).is_none() {
        return Err(UnityError::not_found());
    }
    let in_use = inv.list("lun").iter().any(|l| {
        l["hostAccess"]
            .as_array()
            .is_some_and(|a| a.iter().any(|e| ref_id(e, "host") == Some(id)))
    });
    if in_use {
        return Err(UnityError::conflict(
            error::HOST_IN_USE,
            "The host has access to one or more LUNs; remove the access first.",
        ));
    }
    inv.list_mut("hostInitiator")
        .retain(|i| ref_id(i, "parentHost") != Some(id));
    // NFS shares stop naming it (list and string forms).
    for share in inv.list_mut("nfsShare") {
        let Value::Object(map) = share else {
            continue;
        };
        for (list, string) in super::filesystems::HOST_LISTS {
            let Some(Value::Array(hosts)) = map.get_mut(*list) else {
                continue;
            };
            hosts.retain(|h| h.get("id").and_then(Value::as_str) != Some(id));
            let ids: Vec<String> = hosts
                .iter()
                .filter_map(|h| h.get("id").and_then(Value::as_str).map(str::to_string))
                .collect();
            if ids.is_empty() {
                map.remove(*list);
                map.remove(*string);
            } else {
                map.insert((*string).to_string(), json!(ids.join(",")));
            }
        }
    }
    inv.remove("host", id);
    Ok(Reply::no_content())
}

fn hex_bytes(s: &str) -> Option<usize> {
    let parts: Vec<&str> = s.split(':').collect();
    parts
        .iter()
        .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()))
        .then_some(parts.len())
}

/// `POST /api/types/hostInitiator/instances`.
pub fn create_initiator(inv: &mut Inventory, body: &Value) -> UnityResult<Reply> {
    let host = opt_ref(body, "host")?.map(str::to_string);
    if let Some(h) = &host
        && inv.get("host", h).is_none()
    {
        return Err(UnityError::not_found());
    }
    let kind = opt_u64(body, "initiatorType")?
        .ok_or_else(|| UnityError::invalid("initiatorType is required (1 FC, 2 iSCSI)."))?;
    let wwn_or_iqn = req_str(body, "initiatorWWNorIqn")?.to_string();
    let mut record = json!({
        "operationalStatus": [2],
        "type": kind,
        "health": health_ok(),
        "isIgnored": opt_bool(body, "isIgnored")?.unwrap_or(false),
        "isChapSecretEnabled": false,
        "paths": [],
    });
    match kind {
        1 => {
            if hex_bytes(&wwn_or_iqn) != Some(16) {
                return Err(UnityError::invalid(
                    "An FC initiator is WWNN:WWPN, 16 colon-separated hex bytes.",
                ));
            }
            let upper = wwn_or_iqn.to_ascii_uppercase();
            record["initiatorId"] = json!(upper);
            record["nodeWWN"] = json!(upper[..23]);
            record["portWWN"] = json!(upper[24..]);
            record["sourceType"] = json!(3);
        }
        2 => {
            let lower = wwn_or_iqn.to_ascii_lowercase();
            if !(lower.starts_with("iqn.")
                || lower.starts_with("eui.")
                || lower.starts_with("naa."))
            {
                return Err(UnityError::invalid(
                    "An iSCSI initiator name starts with iqn., eui. or naa.",
                ));
            }
            record["initiatorId"] = json!(wwn_or_iqn);
            record["iscsiType"] = json!(0);
            record["isBound"] = json!(false);
            record["sourceType"] = json!(19);
            record["chapUserName"] = json!("");
        }
        _ => {
            return Err(UnityError::invalid(
                "initiatorType must be 1 (FC) or 2 (iSCSI).",
            ));
        }
    }
    let exists = inv.list("hostInitiator").iter().any(|i| {
        i["initiatorId"]
            .as_str()
            .is_some_and(|x| x.eq_ignore_ascii_case(&wwn_or_iqn))
    });
    if exists {
        return Err(UnityError::unprocessable(
            error::INITIATOR_EXISTS,
            "The specified host initiator already exists. (Error Code:0x60000f3)",
        ));
    }
    apply_chap(&mut record, body)?;
    let id = format!("HostInitiator_{}", inv.next("HostInitiator_"));
    record["id"] = json!(id);
    record["instanceId"] = json!(format!(
        "root/emc:EMC_UEM_HostInitiatorLeaf%InstanceID={id}"
    ));
    if let Some(h) = host {
        record["parentHost"] = reference(&h);
    }
    inv.insert("hostInitiator", record);
    Ok(Reply::created(json!({ "id": id })))
}

fn apply_chap(record: &mut Value, body: &Value) -> UnityResult<()> {
    let user = opt_str(body, "chapUser")?;
    let secret = opt_str(body, "chapSecret")?;
    if user.is_none() && secret.is_none() {
        return Ok(());
    }
    if record["type"].as_u64() != Some(2) {
        return Err(UnityError::invalid(
            "CHAP applies to iSCSI initiators only.",
        ));
    }
    if let Some(s) = secret
        && !s.is_empty()
        && !(12..=16).contains(&s.len())
    {
        return Err(UnityError::invalid(
            "chapSecret must be 12 to 16 characters.",
        ));
    }
    let initiator = record["initiatorId"].as_str().unwrap_or("").to_string();
    record["chapUserName"] = json!(user.filter(|u| !u.is_empty()).unwrap_or(&initiator));
    record["isChapSecretEnabled"] = json!(secret.is_some_and(|s| !s.is_empty()));
    Ok(())
}

/// `POST /api/instances/hostInitiator/<id>/action/modify` (`host`,
/// `chapUser`, `chapSecret`, `isIgnored`).
pub fn modify_initiator(inv: &mut Inventory, id: &str, body: &Value) -> UnityResult<Reply> {
    let host = opt_ref(body, "host")?.map(str::to_string);
    if let Some(h) = &host
        && inv.get("host", h).is_none()
    {
        return Err(UnityError::not_found());
    }
    let ignored = opt_bool(body, "isIgnored")?;
    let mut record = inv
        .get("hostInitiator", id)
        .cloned()
        .ok_or_else(UnityError::not_found)?;
    if let Some(h) = host {
        record["parentHost"] = reference(&h);
    }
    if let Some(i) = ignored {
        record["isIgnored"] = json!(i);
    }
    apply_chap(&mut record, body)?;
    if let Some(slot) = inv.get_mut("hostInitiator", id) {
        *slot = record;
    }
    Ok(Reply::no_content())
}

/// `DELETE /api/instances/hostInitiator/<id>`.
pub fn delete_initiator(inv: &mut Inventory, id: &str) -> UnityResult<Reply> {
    inv.remove("hostInitiator", id)
        .ok_or_else(UnityError::not_found)?;
    Ok(Reply::no_content())
}

/// `POST /api/instances/iscsiSettings/0/action/modify`: `isForwardCHAPRequired`,
/// `forwardGlobalCHAPUserName` with `forwardGlobalCHAPSecret`, `reverseCHAPUserName`
/// with `reverseCHAPSecret` (mutual CHAP, one account for the whole array; an
/// empty user clears it). Secrets are 12–16 characters, never shown (*chosen*).
pub fn modify_iscsi_settings(inv: &mut Inventory, id: &str, body: &Value) -> UnityResult<Reply> {
    let required = opt_bool(body, "isForwardCHAPRequired")?;
    let mut pairs = Vec::new();
    for (user_key, secret_key) in [
        ("forwardGlobalCHAPUserName", "forwardGlobalCHAPSecret"),
        ("reverseCHAPUserName", "reverseCHAPSecret"),
    ] {
        let user = opt_str(body, user_key)?;
        let secret = opt_str(body, secret_key)?;
        match (user, secret) {
            (None, None) => {}
            (Some(""), None | Some("")) => pairs.push((user_key, String::new())),
            (Some(u), Some(s)) if (12..=16).contains(&s.len()) => {
                pairs.push((user_key, u.to_string()))
            }
            (Some(_), Some(_)) => {
                return Err(UnityError::invalid(format!(
                    "{secret_key} must be 12 to 16 characters."
                )));
            }
            _ => {
                return Err(UnityError::invalid(format!(
                    "{user_key} and {secret_key} go together."
                )));
            }
        }
    }
    let record = inv
        .get_mut("iscsiSettings", id)
        .ok_or_else(UnityError::not_found)?;
    if let Some(r) = required {
        record["isForwardCHAPRequired"] = json!(r);
    }
    for (key, user) in pairs {
        record[key] = json!(user);
    }
    Ok(Reply::no_content())
}
