//! NAS servers (`nasServer`) and their file interfaces (`fileInterface`):
//! create (`POST /api/types/nasServer/instances {"name", "homeSP", "pool"}`,
//! `POST /api/types/fileInterface/instances {"nasServer", "ipPort",
//! "ipAddress", "netmask", "gateway"}`) and delete. A NAS server name in
//! use is 409 108011556, an IP address in use 409 108011747 (both
//! captured); a NAS server with file systems cannot be deleted
//! (108011564).

use serde_json::{Value, json};

use super::error::{self, UnityError, UnityResult};
use super::model::{Inventory, health_ok, ref_id, reference};
use super::{Reply, opt_bool, opt_ref, opt_str, req_str};

/// The IP address is in use (0x67020e3).
pub const IP_IN_USE: u64 = 108_011_747;
/// The NAS server has file systems (`vendor-apis.md` §3.4).
pub const NAS_HAS_FILESYSTEMS: u64 = 108_011_564;
/// The NAS server named does not exist (0x7d13028), HTTP 422.
pub const NAS_NOT_FOUND: u64 = 131_149_864;

/// `POST /api/types/nasServer/instances`.
pub fn create_nas(inv: &mut Inventory, body: &Value) -> UnityResult<Reply> {
    let name = req_str(body, "name")?.to_string();
    let sp = opt_ref(body, "homeSP")?
        .ok_or_else(|| UnityError::invalid("homeSP is required."))?
        .to_string();
    let pool = opt_ref(body, "pool")?
        .ok_or_else(|| UnityError::invalid("pool is required."))?
        .to_string();
    if inv.get("storageProcessor", &sp).is_none() || inv.get("pool", &pool).is_none() {
        return Err(UnityError::not_found());
    }
    if inv.by_name("nasServer", &name).is_some() {
        return Err(UnityError::conflict(
            error::NAS_SERVER_NAME_IN_USE,
            "The name of NAS server is already in use. (Error Code:0x6702024)",
        ));
    }
    let id = format!("nas_{}", inv.next("nas_"));
    inv.insert(
        "nasServer",
        json!({"id": id, "replicationType": 0, "type": 64, "currentUnixDirectoryService": 0,
               "instanceId": format!("root/emc:EMC_UEM_FileServerContainerLeaf%InstanceID={id}"),
               "objectId": 103_079_215_104u64 + inv.counters.get("nas_").copied().unwrap_or(0),
               "name": name, "health": health_ok(), "sizeAllocated": 2_952_790_016u64,
               "isSystem": false, "isReplicationEnabled": false,
               "isReplicationDestination": opt_bool(body, "isReplicationDestination")?.unwrap_or(false),
               "isMultiProtocolEnabled": opt_bool(body, "isMultiProtocolEnabled")?.unwrap_or(false),
               "credentialsCacheTTL": "00:15:00.000", "isExtendedUnixCredentialEnabled": false,
               "isPacketReflectEnabled": false, "isMigrationDestination": false,
               "homeSP": reference(&sp), "currentSP": reference(&sp), "pool": reference(&pool)}),
    );
    Ok(Reply::created(json!({ "id": id })))
}

/// `DELETE /api/instances/nasServer/<id>`: its interfaces go with it.
pub fn delete_nas(inv: &mut Inventory, id: &str) -> UnityResult<Reply> {
    if inv.get("nasServer", id).is_none() {
        return Err(UnityError::not_found());
    }
    if inv
        .list("filesystem")
        .iter()
        .any(|f| ref_id(f, "nasServer") == Some(id))
    {
        return Err(UnityError::conflict(
            NAS_HAS_FILESYSTEMS,
            "The NAS server cannot be deleted because it has file systems.",
        ));
    }
    inv.list_mut("fileInterface")
        .retain(|i| ref_id(i, "nasServer") != Some(id));
    inv.remove("nasServer", id);
    Ok(Reply::no_content())
}

fn valid_ipv4(s: &str) -> bool {
    s.parse::<std::net::Ipv4Addr>().is_ok()
}

/// `POST /api/types/fileInterface/instances`.
pub fn create_interface(inv: &mut Inventory, body: &Value) -> UnityResult<Reply> {
    let nas = opt_ref(body, "nasServer")?
        .ok_or_else(|| UnityError::invalid("nasServer is required."))?
        .to_string();
    let port = opt_ref(body, "ipPort")?
        .ok_or_else(|| UnityError::invalid("ipPort is required."))?
        .to_string();
    let ip = req_str(body, "ipAddress")?.to_string();
    let netmask = opt_str(body, "netmask")?
        .unwrap_or("255.255.255.0")
        .to_string();
    let gateway = opt_str(body, "gateway")?.filter(|g| !g.is_empty());
    let bad_gateway = gateway.is_some_and(|g| g.parse::<std::net::IpAddr>().is_err());
    if ip.parse::<std::net::IpAddr>().is_err()
        || !valid_ipv4(&netmask) && !netmask.is_empty()
        || bad_gateway
    {
        return Err(UnityError::invalid(
            "ipAddress/netmask/gateway must be IP addresses.",
        ));
    }
    if inv.get("nasServer", &nas).is_none() {
        return Err(UnityError::unprocessable(
            NAS_NOT_FOUND,
            format!(
                "Cannot find the specified nasServer by id {nas}.  Please recheck if it exists. (Error Code:0x7d13028)"
            ),
        ));
    }
    if inv.get("ethernetPort", &port).is_none() {
        return Err(UnityError::not_found());
    }
    let in_use = ["fileInterface", "iscsiPortal"]
        .iter()
        .flat_map(|k| inv.list(k))
        .any(|i| i["ipAddress"].as_str() == Some(ip.as_str()));
    if in_use {
        return Err(UnityError::conflict(
            IP_IN_USE,
            "The specified IP address is already in use. (Error Code:0x67020e3)",
        ));
    }
    let id = format!("if_{}", inv.next("if_"));
    let mac = inv
        .get("ethernetPort", &port)
        .and_then(|p| p["macAddress"].as_str())
        .unwrap_or("")
        .to_string();
    let nas_name = inv
        .get("nasServer", &nas)
        .map(|n| n["name"].as_str().unwrap_or("").to_string())
        .unwrap_or_default();
    let mut interface = json!({"id": id, "ipProtocolVersion": if ip.contains(':') { 6 } else { 4 },
           "role": 0,
           "instanceId": format!("root/emc:EMC_UEM_FileInterfaceLeaf%InstanceID={id}"),
           "health": health_ok(), "isSystem": false, "ipAddress": ip,
           "netmask": netmask, "macAddress": mac,
           "name": format!("{nas_name}_{id}"), "isPreferred": true, "isDisabled": false,
           "nasServer": reference(&nas), "ipPort": reference(&port)});
    if let Some(g) = gateway {
        interface["gateway"] = json!(g);
    }
    inv.insert("fileInterface", interface);
    Ok(Reply::created(json!({ "id": id })))
}

/// `DELETE /api/instances/fileInterface/<id>`.
pub fn delete_interface(inv: &mut Inventory, id: &str) -> UnityResult<Reply> {
    inv.remove("fileInterface", id)
        .ok_or_else(UnityError::not_found)?;
    Ok(Reply::no_content())
}
