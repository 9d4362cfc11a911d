//! NexentaStor 5 REST objects as the plugin reads them (field names from OpenStack's NS5
//! drivers and vendor-apis.md §2.5). Every field is optional: the plugin asks for a few with
//! `fields=` and a reply may leave out what it does not know.

use serde::Deserialize;
use serde_json::Value;

/// A collection page: `{"data": [...], "links": [{"rel": "next", "href": ...}]}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(bound = "T: Deserialize<'de>")]
pub struct Collection<T> {
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    #[serde(default)]
    pub links: Vec<Link>,
}

/// A link of a collection page or a 202 reply.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Link {
    pub rel: Option<String>,
    pub href: Option<String>,
}

/// The `href` of the link named `rel`.
pub fn link<'a>(links: &'a [Link], rel: &str) -> Option<&'a str> {
    links
        .iter()
        .find(|link| link.rel.as_deref() == Some(rel))
        .and_then(|link| link.href.as_deref())
}

/// Any reply with links (a 202: `{"links": [{"rel": "monitor", "href": "/jobStatus/<id>"}]}`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Links {
    #[serde(default)]
    pub links: Vec<Link>,
}

/// `POST /auth/login` → `{"token": ...}`.
#[derive(Deserialize)]
pub struct Token {
    pub token: Option<String>,
}

/// `GET /settings/properties/<name>` → `{"value": ...}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Property {
    pub value: Option<Value>,
}

impl Property {
    /// The value as text (strings as they are, numbers and booleans written out).
    pub fn text(&self) -> Option<String> {
        match &self.value {
            Some(Value::String(text)) => Some(text.clone()),
            Some(Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        }
    }
}

/// `GET /settings/license`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct License {
    pub valid: Option<bool>,
    pub expires: Option<String>,
}

/// `GET /storage/pools`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pool {
    pub pool_name: Option<String>,
    /// ZFS health: `ONLINE`, `DEGRADED`, `FAULTED`, `OFFLINE`, `UNAVAIL`, `REMOVED`.
    pub health: Option<String>,
}

/// A dataset's space (`GET /storage/filesystems/<pool>` for a pool's root).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Space {
    pub bytes_available: Option<i64>,
    pub bytes_used: Option<i64>,
}

/// `GET /storage/filesystems`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filesystem {
    pub path: Option<String>,
    pub name: Option<String>,
    pub parent: Option<String>,
    pub mount_point: Option<String>,
    pub bytes_available: Option<i64>,
    pub bytes_used: Option<i64>,
    /// 0 = no quota.
    pub referenced_quota_size: Option<i64>,
    pub referenced_reservation_size: Option<i64>,
    pub shared_over_nfs: Option<bool>,
    /// `pool/fs@snap` for a clone, else empty.
    pub original_snapshot: Option<String>,
}

/// `GET /storage/volumes`: a zvol.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    pub path: Option<String>,
    pub name: Option<String>,
    pub parent: Option<String>,
    pub volume_size: Option<i64>,
    /// True = thin.
    pub sparse_volume: Option<bool>,
    pub volume_block_size: Option<i64>,
    pub bytes_used: Option<i64>,
    /// `pool/vg/v@snap` for a clone, else empty.
    pub original_snapshot: Option<String>,
}

/// `GET /storage/volumeGroups`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeGroup {
    pub path: Option<String>,
    pub volume_block_size: Option<i64>,
}

/// `GET /storage/snapshots`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// `dataset@name`.
    pub path: Option<String>,
    pub name: Option<String>,
    /// The dataset.
    pub parent: Option<String>,
    /// ISO 8601.
    pub creation_time: Option<String>,
    /// A decimal number, as a string.
    pub creation_txg: Option<Value>,
    /// Datasets cloned from it.
    #[serde(default)]
    pub clones: Vec<String>,
}

/// `GET /san/hostgroups`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HostGroup {
    pub name: Option<String>,
    /// Initiator IQNs / WWNs.
    #[serde(default)]
    pub members: Vec<String>,
}

/// `GET /san/targetgroups`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TargetGroup {
    pub name: Option<String>,
    /// Target IQNs.
    #[serde(default)]
    pub members: Vec<String>,
}

/// A portal of an iSCSI target.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Portal {
    pub address: Option<String>,
    pub port: Option<u16>,
}

/// `GET /san/iscsi/targets`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Target {
    pub name: Option<String>,
    pub state: Option<String>,
    #[serde(default)]
    pub portals: Vec<Portal>,
}

/// `GET /san/lunMappings`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LunMapping {
    /// Opaque.
    pub id: Option<String>,
    /// The zvol path.
    pub volume: Option<String>,
    pub host_group: Option<String>,
    pub target_group: Option<String>,
    pub lun: Option<i64>,
}

/// `GET /san/logicalUnits`: the SCSI logical unit of a zvol.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LogicalUnit {
    /// 32 hex digits (NAA 6), as initiators see it in VPD page 0x83.
    pub guid: Option<String>,
    /// The zvol path.
    pub volume: Option<String>,
}

/// `GET /san/iscsi/remoteInitiators`: CHAP of an initiator.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteInitiator {
    pub name: Option<String>,
    pub chap_user: Option<String>,
}

/// One host entry of an NFS security context list.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, PartialEq, Eq)]
pub struct HostEntry {
    /// `fqdn`, `network`, `domain`.
    pub etype: Option<String>,
    pub entity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mask: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow: Option<bool>,
}

/// A security context of an NFS share.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityContext {
    #[serde(default)]
    pub security_modes: Vec<String>,
    #[serde(default)]
    pub read_write_list: Vec<HostEntry>,
    #[serde(default)]
    pub read_only_list: Vec<HostEntry>,
    /// Hosts with root access.
    #[serde(default)]
    pub root: Vec<HostEntry>,
}

/// `GET /nas/nfs`: an NFS share, keyed by its file system's path.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NfsShare {
    pub filesystem: Option<String>,
    pub mount_point: Option<String>,
    pub share_state: Option<String>,
    #[serde(default)]
    pub security_contexts: Vec<SecurityContext>,
    /// The anonymous user: `root`, `nobody`, or a uid.
    pub anon: Option<Value>,
}

/// `GET /inventory/disks` (an lsm-arraysim shape; unverified against a real appliance).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Disk {
    pub logical_device: Option<String>,
    pub size_bytes: Option<i64>,
    pub vendor: Option<String>,
    pub model: Option<String>,
    pub serial: Option<String>,
    /// The pool it belongs to, if any.
    pub pool: Option<String>,
}

/// `GET /hpr/<name>`: a High Performance Replication service (here: a local copy).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HprService {
    pub name: Option<String>,
    /// `enabled` while it runs, `disabled` once done; anything else failed.
    pub state: Option<String>,
}

/// `GET /network/addresses`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NetAddress {
    /// `address/prefix`.
    pub address: Option<String>,
}
