//! The ONTAP REST objects the plugin reads, as serde structs.
//!
//! Field names, types and enum values follow NetApp's `netapp-ontap` Python library (its
//! `resources/` and `models/`, generated from the ONTAP API reference). ONTAP returns only the
//! fields a request asks for (`fields=`), so every field is optional here, and unknown fields
//! are ignored: one odd record becomes an object with unknown status, never a failed listing.
//! Sizes are integers in bytes.

use serde::{Deserialize, Serialize};

/// A collection reply: `{"records": [...], "num_records": N, "_links": {"next": {"href"}}}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Collection<T> {
    #[serde(default = "Vec::new")]
    pub records: Vec<T>,
    pub num_records: Option<u64>,
    #[serde(rename = "_links")]
    pub links: Option<CollectionLinks>,
}

impl<T> Collection<T> {
    /// The href of the next page (an absolute path beginning `/api/`), when there is one.
    pub fn next_href(&self) -> Option<&str> {
        self.links
            .as_ref()
            .and_then(|links| links.next.as_ref())
            .map(|next| next.href.as_str())
    }
}

/// The `_links` of a collection.
#[derive(Debug, Clone, Deserialize)]
pub struct CollectionLinks {
    pub next: Option<Href>,
}

/// `{"href": "/api/..."}`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct Href {
    pub href: String,
}

/// A reference to another object: `{"name": ..., "uuid": ...}` (either may be missing).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct NamedRef {
    pub name: Option<String>,
    pub uuid: Option<String>,
}

/// `GET /api/cluster`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Cluster {
    pub name: Option<String>,
    pub uuid: Option<String>,
    pub version: Option<Version>,
}

/// `version` of the cluster and of nodes.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Version {
    /// E.g. "NetApp Release 9.13.1: Tue Jul 25 10:19:28 UTC 2023".
    pub full: Option<String>,
    pub generation: Option<u32>,
    pub major: Option<u32>,
    pub minor: Option<u32>,
}

/// `GET /api/cluster/nodes`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Node {
    pub name: Option<String>,
    pub uuid: Option<String>,
    pub serial_number: Option<String>,
    pub model: Option<String>,
    /// `up`, `booting`, `down`, `taken_over`, `waiting_for_giveback`, `degraded`, `unknown`.
    pub state: Option<String>,
}

/// `GET /api/storage/aggregates` (a local tier).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Aggregate {
    pub name: Option<String>,
    pub uuid: Option<String>,
    /// `online`, `onlining`, `offline`, `offlining`, `relocating`, `unmounted`,
    /// `restricted`, `inconsistent`, `failed`, `unknown`.
    pub state: Option<String>,
    pub node: Option<NamedRef>,
    pub space: Option<AggregateSpace>,
    pub block_storage: Option<AggregateBlockStorage>,
}

/// `space` of an aggregate.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AggregateSpace {
    pub block_storage: Option<AggregateSpaceBlockStorage>,
}

/// `space.block_storage` of an aggregate: usable, free and used bytes.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AggregateSpaceBlockStorage {
    pub size: Option<i64>,
    pub available: Option<i64>,
    pub used: Option<i64>,
}

/// `block_storage` of an aggregate.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AggregateBlockStorage {
    pub primary: Option<AggregatePrimary>,
}

/// `block_storage.primary`: the RAID layout of the aggregate's disks.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AggregatePrimary {
    pub disk_count: Option<i64>,
    /// `raid0`, `raid4`, `raid_dp`, `raid_tec`, `raid_ep`.
    pub raid_type: Option<String>,
    /// `capacity`, `performance`, `solid_state`, `array`, `virtual`, ...
    pub disk_class: Option<String>,
}

/// `GET /api/svm/svms`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Svm {
    pub name: Option<String>,
    pub uuid: Option<String>,
    /// `starting`, `running`, `stopping`, `stopped`, `deleting`, ...
    pub state: Option<String>,
    /// `default`, `dp_destination`, `sync_source`, `sync_destination`.
    pub subtype: Option<String>,
}

/// `GET /api/storage/volumes`: a FlexVol (an LSM file system).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FlexVol {
    pub name: Option<String>,
    pub uuid: Option<String>,
    pub svm: Option<NamedRef>,
    #[serde(default)]
    pub aggregates: Vec<NamedRef>,
    /// Provisioned size in bytes.
    pub size: Option<i64>,
    pub space: Option<VolumeSpace>,
    pub guarantee: Option<VolumeGuarantee>,
    /// `online`, `offline`, `restricted`, `error`, `mixed`.
    pub state: Option<String>,
    /// `rw`, `dp`, `ls`.
    #[serde(rename = "type")]
    pub volume_type: Option<String>,
    /// `flexvol`, `flexgroup`, `flexgroup_constituent`.
    pub style: Option<String>,
    pub nas: Option<VolumeNas>,
    pub clone: Option<VolumeClone>,
    pub comment: Option<String>,
}

/// `space` of a FlexVol.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct VolumeSpace {
    pub size: Option<i64>,
    pub available: Option<i64>,
    pub used: Option<i64>,
}

/// `guarantee` of a FlexVol: `type` `none` (thin) or `volume` (thick).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct VolumeGuarantee {
    #[serde(rename = "type")]
    pub guarantee_type: Option<String>,
}

/// `nas` of a FlexVol: its junction path and export policy.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct VolumeNas {
    pub path: Option<String>,
    pub export_policy: Option<ExportPolicyRef>,
}

/// A reference to an export policy: `{"name", "id"}` (`id` an integer).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ExportPolicyRef {
    pub name: Option<String>,
    pub id: Option<i64>,
}

/// `clone` of a FlexVol.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct VolumeClone {
    pub is_flexclone: Option<bool>,
    pub parent_volume: Option<NamedRef>,
    pub parent_snapshot: Option<NamedRef>,
}

/// `GET /api/storage/volumes/{uuid}/snapshots`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Snapshot {
    pub name: Option<String>,
    pub uuid: Option<String>,
    /// ISO-8601 with offset, e.g. "2019-02-04T19:00:00-05:00".
    pub create_time: Option<String>,
}

/// `GET /api/storage/luns`: a LUN (an LSM volume).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Lun {
    /// `/vol/<volume>[/<qtree>]/<lun>`.
    pub name: Option<String>,
    pub uuid: Option<String>,
    pub svm: Option<NamedRef>,
    pub location: Option<LunLocation>,
    pub os_type: Option<String>,
    /// 12 characters, generated by ONTAP.
    pub serial_number: Option<String>,
    pub space: Option<LunSpace>,
    pub status: Option<LunStatus>,
    pub enabled: Option<bool>,
    #[serde(default)]
    pub lun_maps: Vec<LunLunMap>,
}

/// `location` of a LUN.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LunLocation {
    pub logical_unit: Option<String>,
    pub volume: Option<NamedRef>,
}

/// `space` of a LUN.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LunSpace {
    pub size: Option<i64>,
    pub used: Option<i64>,
    pub guarantee: Option<LunGuarantee>,
}

/// `space.guarantee` of a LUN: `requested: false` is thin.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LunGuarantee {
    pub requested: Option<bool>,
    pub reserved: Option<bool>,
}

/// `status` of a LUN.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LunStatus {
    /// `online`, `offline`, `nvfail`, `space_error`, `foreign_lun_error`.
    pub state: Option<String>,
    pub mapped: Option<bool>,
    pub read_only: Option<bool>,
    pub container_state: Option<String>,
}

/// An entry of a LUN's `lun_maps`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LunLunMap {
    pub igroup: Option<NamedRef>,
    pub logical_unit_number: Option<i64>,
}

/// `GET /api/protocols/san/igroups`: an initiator group (an LSM access group).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Igroup {
    pub name: Option<String>,
    pub uuid: Option<String>,
    pub svm: Option<NamedRef>,
    /// `fcp`, `iscsi`, `mixed`.
    pub protocol: Option<String>,
    pub os_type: Option<String>,
    #[serde(default)]
    pub initiators: Vec<IgroupInitiator>,
}

/// An initiator of an igroup: an IQN, or a WWPN in colon form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IgroupInitiator {
    pub name: Option<String>,
    pub comment: Option<String>,
}

/// `GET /api/protocols/san/iscsi/credentials`: how an initiator authenticates to an SVM
/// (passwords are write-only: never in a reply).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IscsiCredentials {
    pub svm: Option<NamedRef>,
    /// An initiator name, or `default` (the SVM's default for the others).
    pub initiator: Option<String>,
    /// `chap`, `none`, `deny`.
    pub authentication_type: Option<String>,
}

/// `GET /api/protocols/san/lun-maps`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LunMap {
    pub lun: Option<NamedRef>,
    pub igroup: Option<NamedRef>,
    pub svm: Option<NamedRef>,
    pub logical_unit_number: Option<i64>,
}

/// `GET /api/protocols/san/iscsi/services`: an SVM's iSCSI target.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IscsiService {
    pub svm: Option<NamedRef>,
    pub enabled: Option<bool>,
    pub target: Option<IscsiTarget>,
}

/// `target` of an iSCSI service.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IscsiTarget {
    /// The target IQN, e.g. `iqn.1992-08.com.netapp:sn.<hex>:vs.<n>`.
    pub name: Option<String>,
    pub alias: Option<String>,
}

/// `GET /api/network/ip/interfaces`: a LIF.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IpInterface {
    pub name: Option<String>,
    pub uuid: Option<String>,
    pub svm: Option<NamedRef>,
    pub ip: Option<IpInfo>,
    pub enabled: Option<bool>,
    /// `up`, `down`.
    pub state: Option<String>,
    pub location: Option<InterfaceLocation>,
    #[serde(default)]
    pub services: Vec<String>,
}

/// `ip` of a LIF.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IpInfo {
    pub address: Option<String>,
    pub netmask: Option<String>,
}

/// `location` of a LIF or FC interface.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InterfaceLocation {
    pub home_node: Option<NamedRef>,
    pub home_port: Option<PortRef>,
    pub node: Option<NamedRef>,
    pub port: Option<PortRef>,
}

/// A reference to a port: `{"name", "uuid", "node": {"name"}}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PortRef {
    pub name: Option<String>,
    pub uuid: Option<String>,
    pub node: Option<NamedRef>,
}

/// `GET /api/network/fc/interfaces`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FcInterface {
    pub name: Option<String>,
    pub uuid: Option<String>,
    pub svm: Option<NamedRef>,
    /// Colon-separated lower-case hex, `20:00:...`.
    pub wwpn: Option<String>,
    pub wwnn: Option<String>,
    pub state: Option<String>,
    /// `fcp`, `fc_nvme`.
    pub data_protocol: Option<String>,
    pub location: Option<InterfaceLocation>,
}

/// `GET /api/storage/disks`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Disk {
    /// E.g. `1.0.3`.
    pub name: Option<String>,
    pub uid: Option<String>,
    pub model: Option<String>,
    pub vendor: Option<String>,
    pub serial_number: Option<String>,
    /// `ata`, `bsas`, `fcal`, `fsas`, `lun`, `sas`, `msata`, `ssd`, `vmdisk`, `unknown`,
    /// `ssd_cap`, `ssd_nvm`, `ssd_zns`, `vmlun`.
    #[serde(rename = "type")]
    pub disk_type: Option<String>,
    /// `capacity`, `performance`, `archive`, `solid_state`, `array`, `virtual`, `data_center`,
    /// `capacity_flash`.
    pub class: Option<String>,
    /// `aggregate`, `broken`, `file_system`, `foreign`, `labelmaint`, `maintenance`,
    /// `mediator`, `remote`, `shared`, `spare`, `unassigned`, `unknown`, `unsupported`.
    pub container_type: Option<String>,
    /// `broken`, `copy`, `maintenance`, `partner`, `pending`, `present`, `reconstructing`,
    /// `removed`, `spare`, `unfail`, `zeroing`.
    pub state: Option<String>,
    pub usable_size: Option<i64>,
    pub bytes_per_sector: Option<i64>,
    pub sector_count: Option<i64>,
    pub rpm: Option<i64>,
    pub node: Option<NamedRef>,
    pub shelf: Option<DiskShelf>,
    pub bay: Option<i64>,
}

/// `shelf` of a disk.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DiskShelf {
    pub uid: Option<String>,
}

/// `GET /api/protocols/nfs/export-policies`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ExportPolicy {
    pub name: Option<String>,
    /// An integer.
    pub id: Option<i64>,
    pub svm: Option<NamedRef>,
    #[serde(default)]
    pub rules: Vec<ExportRule>,
}

/// A rule of an export policy.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ExportRule {
    /// 1-based.
    pub index: Option<i64>,
    #[serde(default)]
    pub clients: Vec<ExportClient>,
    #[serde(default)]
    pub protocols: Vec<String>,
    /// Auth flavours: `any`, `none`, `never`, `krb5`, `krb5i`, `krb5p`, `ntlm`, `sys`.
    #[serde(default)]
    pub ro_rule: Vec<String>,
    #[serde(default)]
    pub rw_rule: Vec<String>,
    #[serde(default)]
    pub superuser: Vec<String>,
    /// A uid or a user name, as a string.
    pub anonymous_user: Option<String>,
}

/// `{"match": "10.0.0.0/24"}`: a client of an export rule.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ExportClient {
    #[serde(rename = "match")]
    pub client_match: Option<String>,
}

/// `GET /api/cluster/jobs/{uuid}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Job {
    pub uuid: Option<String>,
    pub description: Option<String>,
    /// `queued`, `running`, `paused`, `success`, `failure`.
    pub state: Option<String>,
    pub message: Option<String>,
    pub code: Option<i64>,
    pub error: Option<JobError>,
}

/// `error` of a failed job.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct JobError {
    pub code: Option<String>,
    pub message: Option<String>,
}

/// The reply of an async POST/PATCH/DELETE: `{"job": {"uuid", "_links"}}`.
#[derive(Debug, Clone, Deserialize)]
pub struct JobLink {
    pub job: JobRef,
}

/// `job` of an async reply.
#[derive(Debug, Clone, Deserialize)]
pub struct JobRef {
    pub uuid: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_collection_page_gives_its_records_and_next_link() {
        let page: Collection<Lun> = serde_json::from_str(
            r#"{"records": [
                 {"uuid": "5a24ae5b-28af-47fb-b129-5adf6cfba0a6", "name": "/vol/vol1/lun1",
                  "svm": {"name": "svm1"}, "status": {"state": "online"},
                  "_links": {"self": {"href": "/api/storage/luns/5a24ae5b"}}}],
               "num_records": 1,
               "_links": {"self": {"href": "/api/storage/luns"},
                          "next": {"href": "/api/storage/luns?start.uuid=5a24&max_records=1"}}}"#,
        )
        .unwrap();
        assert_eq!(page.records.len(), 1);
        assert_eq!(page.num_records, Some(1));
        assert_eq!(
            page.next_href(),
            Some("/api/storage/luns?start.uuid=5a24&max_records=1")
        );
        let last: Collection<Lun> =
            serde_json::from_str(r#"{"records": [], "num_records": 0, "_links": {"self": {"href": "/api/storage/luns"}}}"#)
                .unwrap();
        assert_eq!(last.next_href(), None);
    }

    #[test]
    fn unknown_fields_are_ignored_and_missing_ones_are_none() {
        let lun: Lun = serde_json::from_str(
            r#"{"uuid": "u1", "vvol": {"is_bound": true}, "metric": {"iops": {"read": 0}},
                "space": {"size": 322163441664, "guarantee": {"requested": false, "reserved": false},
                          "scsi_thin_provisioning_support_enabled": true}}"#,
        )
        .unwrap();
        assert_eq!(lun.uuid.as_deref(), Some("u1"));
        assert_eq!(lun.name, None);
        let space = lun.space.unwrap();
        assert_eq!(space.size, Some(322_163_441_664));
        assert_eq!(space.guarantee.unwrap().requested, Some(false));
    }
}
