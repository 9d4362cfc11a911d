//! Unity's REST objects as serde structs, with the field names and integer enums of
//! storops' `parser_configs.yaml` / `enums.py` (vendor-apis.md §3.5). Every field is
//! optional: a reply carries only the fields the request asked for (`fields=`).
//!
//! Each struct's `FIELDS` is what the plugin asks for, so what it reads and what it asks
//! for are written in one place.

use serde::Deserialize;
use serde_json::Value;

/// A reference to another object: `{"id": "..."}` (with the fields asked for through it).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct Ref {
    /// Its id.
    pub id: String,
}

/// A `links` entry of a collection.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Link {
    /// `self`, `next`, ...
    pub rel: Option<String>,
    /// `&page=2`.
    pub href: Option<String>,
}

/// One entry of a collection.
#[derive(Debug, Deserialize)]
pub struct Entry<T> {
    /// The object.
    pub content: T,
}

/// A collection reply (`GET /api/types/<t>/instances`).
#[derive(Debug, Deserialize)]
pub struct Collection<T> {
    /// The page's objects.
    #[serde(default = "Vec::new")]
    pub entries: Vec<Entry<T>>,
    /// `self` and, when more pages follow, `next`.
    #[serde(default)]
    pub links: Vec<Link>,
}

impl<T> Collection<T> {
    /// The page number of the `next` link (`&page=3` → 3), if there is one.
    pub fn next_page(&self) -> Option<u64> {
        self.links
            .iter()
            .find(|link| link.rel.as_deref() == Some("next"))
            .and_then(|link| link.href.as_deref())
            .and_then(|href| href.rsplit_once("page=").map(|(_, n)| n))
            .and_then(|n| {
                n.split(|c: char| !c.is_ascii_digit())
                    .next()
                    .and_then(|digits| digits.parse().ok())
            })
    }
}

/// A single-object reply (`GET /api/instances/<t>/<id>`, a create's answer).
#[derive(Debug, Deserialize)]
pub struct Instance<T> {
    /// The object.
    pub content: T,
}

/// `health`: `value` is an integer enum (HealthEnum), with descriptions.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// 0 Unknown, 5 OK, 7 OK but, 10 Degraded, 15 Minor, 20 Major, 25 Critical,
    /// 30 Non-recoverable.
    pub value: Option<i64>,
    /// What the array says about it.
    #[serde(default)]
    pub descriptions: Vec<String>,
}

/// `basicSystemInfo` (readable without a session).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BasicSystemInfo {
    /// `Unity 500`.
    pub model: Option<String>,
    /// The array's name.
    pub name: Option<String>,
    /// Unity OE version, `5.1.2`.
    pub software_version: Option<String>,
    /// REST API version.
    pub api_version: Option<String>,
}

impl BasicSystemInfo {
    /// What the plugin reads.
    pub const FIELDS: &str = "name,model,softwareVersion,apiVersion";
}

/// `system` (one instance, id `0`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct System {
    /// `0`.
    pub id: String,
    /// The array's name.
    pub name: Option<String>,
    /// The serial number (the LSM system id).
    pub serial_number: Option<String>,
    /// Its health.
    pub health: Option<Health>,
}

impl System {
    /// What the plugin reads.
    pub const FIELDS: &str = "id,name,serialNumber,health";
}

/// `pool`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pool {
    /// `pool_1`.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// Bytes.
    pub size_total: Option<i64>,
    /// Bytes.
    pub size_free: Option<i64>,
    /// Its health.
    pub health: Option<Health>,
}

impl Pool {
    /// What the plugin reads.
    pub const FIELDS: &str = "id,name,sizeTotal,sizeFree,health";
}

/// One `hostAccess` entry of a LUN.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostAccess {
    /// The host.
    pub host: Option<Ref>,
    /// HostLUNAccessEnum: 0 none, 1 production LUNs, 2 snapshots, 3 both.
    pub access_mask: Option<i64>,
}

/// HostLUNAccessEnum values.
pub mod access_mask {
    /// No access.
    pub const NO_ACCESS: i64 = 0;
    /// The production LUN only.
    pub const PRODUCTION: i64 = 1;
    /// Its snapshots only.
    pub const SNAPSHOT: i64 = 2;
    /// Both.
    pub const BOTH: i64 = 3;
}

impl HostAccess {
    /// True when the entry gives its host the production LUN.
    pub fn grants_production(&self) -> bool {
        matches!(
            self.access_mask,
            Some(access_mask::PRODUCTION | access_mask::BOTH)
        )
    }
}

/// `lun`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lun {
    /// `sv_1` (also its storage resource's id).
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// Bytes.
    pub size_total: Option<i64>,
    /// Thin.
    pub is_thin_enabled: Option<bool>,
    /// `60:06:01:60:...` (16 bytes).
    pub wwn: Option<String>,
    /// Its pool.
    pub pool: Option<Ref>,
    /// Its storage resource.
    pub storage_resource: Option<Ref>,
    /// Its health.
    pub health: Option<Health>,
    /// Hosts with access.
    pub host_access: Option<Vec<HostAccess>>,
}

impl Lun {
    /// What a volume listing reads.
    pub const FIELDS: &str = "id,name,sizeTotal,isThinEnabled,wwn,pool,health";
    /// A volume listing that also reads the host access.
    pub const FIELDS_WITH_ACCESS: &str =
        "id,name,sizeTotal,isThinEnabled,wwn,pool,health,hostAccess";
}

/// An initiator reference as a host lists it, with its id.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InitiatorRef {
    /// `HostInitiator_1`.
    pub id: String,
    /// IQN, or for FC `WWNN:WWPN`.
    pub initiator_id: Option<String>,
}

/// `host`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Host {
    /// `Host_1`.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// FC initiators.
    pub fc_host_initiators: Option<Vec<InitiatorRef>>,
    /// iSCSI initiators.
    pub iscsi_host_initiators: Option<Vec<InitiatorRef>>,
}

impl Host {
    /// What the plugin reads.
    pub const FIELDS: &str = "id,name,fcHostInitiators.initiatorId,iscsiHostInitiators.initiatorId";
}

/// HostInitiatorTypeEnum values.
pub mod initiator_type {
    /// Fibre Channel.
    pub const FC: i64 = 1;
    /// iSCSI.
    pub const ISCSI: i64 = 2;
}

/// `hostInitiator`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostInitiator {
    /// `HostInitiator_1`.
    pub id: String,
    /// IQN, or for FC `WWNN:WWPN`.
    pub initiator_id: Option<String>,
    /// 1 FC, 2 iSCSI.
    #[serde(rename = "type")]
    pub kind: Option<i64>,
    /// The host it belongs to, if any.
    pub parent_host: Option<Ref>,
}

impl HostInitiator {
    /// What the plugin reads.
    pub const FIELDS: &str = "id,initiatorId,type,parentHost";
}

/// `iscsiPortal`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IscsiPortal {
    /// `if_1`.
    pub id: String,
    /// Its address.
    pub ip_address: Option<String>,
    /// The target it serves, with its `name` (IQN).
    pub iscsi_node: Option<NamedRef>,
    /// The Ethernet port, with its `name` and `macAddress`.
    pub ethernet_port: Option<EthernetPort>,
}

impl IscsiPortal {
    /// What the plugin reads.
    pub const FIELDS: &str =
        "id,ipAddress,iscsiNode.name,ethernetPort.name,ethernetPort.macAddress";
}

/// A reference with its `name`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NamedRef {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
}

/// `ethernetPort` (as a portal references it).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EthernetPort {
    /// `spa_eth2`.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// `00:60:16:...`.
    pub mac_address: Option<String>,
}

/// `fcPort`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FcPort {
    /// `spa_fc4`.
    pub id: String,
    /// `WWNN:WWPN` (16 bytes).
    pub wwn: Option<String>,
}

impl FcPort {
    /// What the plugin reads.
    pub const FIELDS: &str = "id,wwn";
}

/// `disk`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Disk {
    /// `dpe_disk_0`.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// Its health.
    pub health: Option<Health>,
    /// Usable bytes.
    pub size: Option<i64>,
    /// Raw bytes.
    pub raw_size: Option<i64>,
    /// Its pool, when in use.
    pub pool: Option<Ref>,
    /// DiskTechnologyEnum.
    pub disk_technology: Option<i64>,
    /// Rotation speed (0 for flash).
    pub rpm: Option<i64>,
    /// The serial number.
    pub emc_serial_number: Option<String>,
}

impl Disk {
    /// What the plugin reads.
    pub const FIELDS: &str = "id,name,health,size,rawSize,pool,diskTechnology,rpm,emcSerialNumber";
}

/// DiskTechnologyEnum values (storops `enums.py`).
pub mod disk_technology {
    /// SAS.
    pub const SAS: i64 = 1;
    /// Near-line SAS.
    pub const NL_SAS: i64 = 2;
    /// Enterprise flash.
    pub const EFD: i64 = 5;
    /// SAS flash, generations 2 to 5 (6..=9).
    pub const SAS_FLASH: std::ops::RangeInclusive<i64> = 6..=9;
    /// NVMe flash (10, 11).
    pub const NVME_FLASH: std::ops::RangeInclusive<i64> = 10..=11;
    /// Mixed.
    pub const MIXED: i64 = 50;
    /// Virtual.
    pub const VIRTUAL: i64 = 99;
}

/// `nasServer`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NasServer {
    /// `nas_1`.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
}

impl NasServer {
    /// What the plugin reads.
    pub const FIELDS: &str = "id,name";
}

/// `filesystem`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filesystem {
    /// `fs_1`.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// Bytes.
    pub size_total: Option<i64>,
    /// Bytes.
    pub size_used: Option<i64>,
    /// Its pool.
    pub pool: Option<Ref>,
    /// Its storage resource (`res_1`), through which it is changed.
    pub storage_resource: Option<Ref>,
}

impl Filesystem {
    /// What the plugin reads.
    pub const FIELDS: &str = "id,name,sizeTotal,sizeUsed,pool,storageResource";
}

/// `snap`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snap {
    /// `38654705001`.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// `2016-03-01T03:21:38.000Z`.
    pub creation_time: Option<String>,
    /// SnapStateEnum (2 OK, 9 Destroying, ...).
    pub state: Option<i64>,
    /// What it is a snap of.
    pub storage_resource: Option<Ref>,
}

impl Snap {
    /// What the plugin reads.
    pub const FIELDS: &str = "id,name,creationTime,state,storageResource";
    /// SnapStateEnum: being destroyed (hidden).
    pub const DESTROYING: i64 = 9;
}

/// `nfsShare`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NfsShare {
    /// `NFSShare_1`.
    pub id: String,
    /// Its name (its export path is `/<name>`).
    pub name: Option<String>,
    /// Its file system (with its `storageResource` when asked).
    pub filesystem: Option<ShareFilesystem>,
    /// A share of a snap has this instead.
    pub snap: Option<Ref>,
    /// NFSShareDefaultAccessEnum.
    pub default_access: Option<i64>,
    /// NFSShareSecurityEnum: 0 sys, 1 krb5, 2 krb5i, 3 krb5p.
    pub min_security: Option<i64>,
    /// Comma-separated hosts.
    pub read_write_hosts_string: Option<String>,
    /// Comma-separated hosts.
    pub read_only_hosts_string: Option<String>,
    /// Comma-separated hosts.
    pub read_write_root_hosts_string: Option<String>,
    /// Comma-separated hosts.
    pub read_only_root_hosts_string: Option<String>,
    /// Comma-separated hosts.
    pub no_access_hosts_string: Option<String>,
    /// The anonymous user.
    #[serde(rename = "anonymousUID")]
    pub anonymous_uid: Option<i64>,
    /// The anonymous group.
    #[serde(rename = "anonymousGID")]
    pub anonymous_gid: Option<i64>,
    /// `<ip>:/<name>`.
    pub export_paths: Option<Vec<String>>,
}

impl NfsShare {
    /// What the plugin reads.
    pub const FIELDS: &str = "id,name,filesystem.storageResource,snap,defaultAccess,minSecurity,\
        readWriteHostsString,readOnlyHostsString,readWriteRootHostsString,\
        readOnlyRootHostsString,noAccessHostsString,anonymousUID,anonymousGID,exportPaths";
}

/// A share's file system reference.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShareFilesystem {
    /// `fs_1`.
    pub id: String,
    /// Its storage resource, when asked for.
    pub storage_resource: Option<Ref>,
}

/// NFSShareDefaultAccessEnum values.
pub mod default_access {
    /// Hosts not listed get no access.
    pub const NO_ACCESS: i64 = 0;
}

/// `job`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    /// Its id.
    pub id: String,
    /// JobStateEnum: 1 queued, 2 running, 3 suspended, 4 completed, 5 failed,
    /// 6 rolling back, 7 completed with error.
    pub state: Option<i64>,
    /// 0..100.
    pub progress_pct: Option<i64>,
    /// The action's answer, once completed.
    pub parameters_out: Option<Value>,
    /// The outcome: `{"errorCode", "messages": [{"locale", "message"}]}`.
    pub message_out: Option<JobMessage>,
    /// Its tasks, with their messages.
    #[serde(default)]
    pub tasks: Vec<JobTask>,
}

impl Job {
    /// What the plugin reads.
    pub const FIELDS: &str = "id,state,progressPct,parametersOut,messageOut,tasks";
}

/// JobStateEnum values.
pub mod job_state {
    /// Queued.
    pub const QUEUED: i64 = 1;
    /// Running.
    pub const RUNNING: i64 = 2;
    /// Suspended.
    pub const SUSPENDED: i64 = 3;
    /// Completed.
    pub const COMPLETED: i64 = 4;
    /// Failed.
    pub const FAILED: i64 = 5;
    /// Rolling back (it will fail).
    pub const ROLLING_BACK: i64 = 6;
    /// Completed with an error.
    pub const COMPLETED_WITH_ERROR: i64 = 7;
}

/// A job's (or task's) message.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobMessage {
    /// Unity's error code (0 for success).
    pub error_code: Option<u64>,
    /// `[{"locale", "message"}]`.
    #[serde(default)]
    pub messages: Vec<LocaleMessage>,
}

/// One localised message.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LocaleMessage {
    /// `en_US`.
    pub locale: Option<String>,
    /// The text.
    pub message: Option<String>,
}

/// A job's task.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct JobTask {
    /// Its messages.
    #[serde(default)]
    pub messages: Vec<JobMessage>,
}

impl JobMessage {
    /// The first non-empty text.
    pub fn text(&self) -> Option<String> {
        self.messages
            .iter()
            .filter_map(|m| m.message.clone())
            .find(|m| !m.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_page_is_read_from_the_links() {
        let page: Collection<Ref> = serde_json::from_str(
            r#"{"entries": [{"content": {"id": "sv_1"}}],
                "links": [{"rel": "self", "href": "&page=1"}, {"rel": "next", "href": "&page=2"}]}"#,
        )
        .unwrap();
        assert_eq!(page.next_page(), Some(2));
        assert_eq!(page.entries[0].content.id, "sv_1");
        let last: Collection<Ref> = serde_json::from_str(
            r#"{"entries": [], "links": [{"rel": "self", "href": "&page=3"}]}"#,
        )
        .unwrap();
        assert_eq!(last.next_page(), None);
    }

    #[test]
    fn a_captured_lun_reads() {
        let lun: Lun = serde_json::from_str(
            r#"{"id": "sv_2", "name": "openstack_lun", "sizeTotal": 107374182400,
                "isThinEnabled": true, "wwn": "60:06:01:60:17:50:3C:00:C2:0B:D0:56:A1:D9:2B:0E",
                "pool": {"id": "pool_1"}, "health": {"value": 5, "descriptionIds": ["ALRT_VOL_OK"],
                "descriptions": ["The LUN is operating normally."]},
                "hostAccess": [{"host": {"id": "Host_1"}, "accessMask": 1}]}"#,
        )
        .unwrap();
        assert_eq!(lun.health.unwrap().value, Some(5));
        assert!(lun.host_access.unwrap()[0].grants_production());
    }
}
