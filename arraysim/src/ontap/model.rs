//! The simulated cluster's objects, as persisted, and how each renders as
//! an ONTAP REST record (every field; `fields=` cuts it down later).
//! Space: an aggregate's used space is its fixed base (root aggregates)
//! plus each volume's footprint — its size when thick (`guarantee.type`
//! `volume`), else what its LUNs reserve (thick LUNs: their size; thin
//! LUNs: 0, nothing is ever written).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::core::jobs::{HasJobs, Job};

/// Schema version of the state document.
pub const STATE_VERSION: u32 = 1;

/// The whole cluster.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Inventory {
    /// Schema version.
    pub version: u32,
    /// Cluster name.
    pub cluster_name: String,
    /// Cluster uuid.
    pub cluster_uuid: String,
    /// Nodes.
    pub nodes: Vec<Node>,
    /// Aggregates.
    pub aggregates: Vec<Aggregate>,
    /// SVMs.
    pub svms: Vec<Svm>,
    /// FlexVols.
    pub volumes: Vec<Volume>,
    /// Snapshots.
    pub snapshots: Vec<Snapshot>,
    /// LUNs.
    pub luns: Vec<Lun>,
    /// igroups.
    pub igroups: Vec<Igroup>,
    /// LUN maps.
    pub lun_maps: Vec<LunMap>,
    /// iSCSI credentials of initiators (and SVM `default`s once changed).
    #[serde(default)]
    pub iscsi_credentials: Vec<IscsiCredential>,
    /// Export policies.
    pub export_policies: Vec<ExportPolicy>,
    /// Next export policy id.
    pub next_policy_id: u64,
    /// IP interfaces.
    pub ip_interfaces: Vec<IpInterface>,
    /// FC interfaces.
    pub fc_interfaces: Vec<FcInterface>,
    /// Disks.
    pub disks: Vec<Disk>,
    /// Jobs.
    pub jobs: Vec<Job>,
}

impl HasJobs for Inventory {
    fn jobs(&self) -> &Vec<Job> {
        &self.jobs
    }
    fn jobs_mut(&mut self) -> &mut Vec<Job> {
        &mut self.jobs
    }
}

/// A node.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Node {
    /// Identity.
    pub uuid: String,
    /// Name.
    pub name: String,
    /// Serial.
    pub serial_number: String,
    /// Model.
    pub model: String,
    /// up/down/...
    pub state: String,
}

/// An aggregate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Aggregate {
    /// Identity.
    pub uuid: String,
    /// Name.
    pub name: String,
    /// Owning node uuid.
    pub node: String,
    /// Usable bytes.
    pub size: u64,
    /// Bytes used by things not modelled (root volumes).
    pub base_used: u64,
    /// raid_dp, raid4, raid_tec.
    pub raid_type: String,
    /// Disks in it.
    pub disk_count: u32,
    /// online, ...
    pub state: String,
}

/// An SVM.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Svm {
    /// Identity.
    pub uuid: String,
    /// Name.
    pub name: String,
    /// iSCSI target IQN.
    pub iqn: String,
    /// Aggregates it may use (uuids).
    pub aggregates: Vec<String>,
}

/// FlexClone origin.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CloneOrigin {
    /// Parent volume uuid.
    pub parent_volume: String,
    /// Parent snapshot uuid.
    pub parent_snapshot: String,
}

/// A FlexVol.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Volume {
    /// Identity.
    pub uuid: String,
    /// Name.
    pub name: String,
    /// SVM uuid.
    pub svm: String,
    /// Aggregate uuid.
    pub aggregate: String,
    /// Provisioned bytes.
    pub size: u64,
    /// `none` (thin) or `volume` (thick).
    pub guarantee: String,
    /// online/offline/restricted.
    pub state: String,
    /// Junction path.
    pub nas_path: Option<String>,
    /// Export policy id.
    pub export_policy: u64,
    /// FlexClone origin.
    pub clone: Option<CloneOrigin>,
    /// Creation time.
    pub create_time: String,
    /// Security style.
    pub security_style: String,
    /// Free text (`comment`), empty when none.
    #[serde(default)]
    pub comment: String,
    /// Language of file names (`c.utf_8` unless the create names one).
    #[serde(default = "default_language")]
    pub language: String,
    /// Snapshot policy name (`default` unless the create names one).
    #[serde(default = "default_snapshot_policy")]
    pub snapshot_policy: String,
    /// Percent of the size kept for snapshots (0 unless the create names one).
    #[serde(default)]
    pub snapshot_reserve_percent: u64,
    /// Deduplication: `none`, `background`, `inline`, `both`.
    #[serde(default = "default_efficiency")]
    pub dedupe: String,
    /// Compression: `none`, `background`, `inline`, `both`.
    #[serde(default = "default_efficiency")]
    pub compression: String,
}

fn default_language() -> String {
    "c.utf_8".into()
}

fn default_snapshot_policy() -> String {
    "default".into()
}

fn default_efficiency() -> String {
    "none".into()
}

impl Volume {
    /// The SVM's root volume: the one junctioned at `/`.
    pub fn is_svm_root(&self) -> bool {
        self.nas_path.as_deref() == Some("/")
    }

    /// Bytes for the active file system: the size less the snapshot reserve.
    pub fn afs_total(&self) -> u64 {
        let reserve =
            u128::from(self.size) * u128::from(self.snapshot_reserve_percent.min(100)) / 100;
        self.size - reserve as u64
    }
}

/// A volume snapshot.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    /// Identity.
    pub uuid: String,
    /// Name.
    pub name: String,
    /// Volume uuid.
    pub volume: String,
    /// Creation time.
    pub create_time: String,
    /// Comment.
    pub comment: String,
    /// Copy of the volume's LUNs at snapshot time (for restore).
    pub luns: Vec<Lun>,
}

/// A LUN.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Lun {
    /// Identity.
    pub uuid: String,
    /// Volume uuid.
    pub volume: String,
    /// Last path element.
    pub logical_unit: String,
    /// SVM uuid.
    pub svm: String,
    /// 12-character serial.
    pub serial_number: String,
    /// Bytes.
    pub size: u64,
    /// `space.guarantee.requested`.
    pub thick: bool,
    /// linux, windows, vmware, ...
    pub os_type: String,
    /// Online when enabled.
    pub enabled: bool,
    /// Creation time.
    pub create_time: String,
    /// Clone source path.
    pub clone_source: Option<String>,
    /// Comment.
    pub comment: String,
    /// `space.scsi_thin_provisioning_support_enabled` (SCSI UNMAP and thin reporting).
    #[serde(default)]
    pub space_allocation: bool,
    /// QoS policy group name, when one is set.
    #[serde(default)]
    pub qos_policy: Option<String>,
}

/// An initiator in an igroup.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Initiator {
    /// IQN or WWPN.
    pub name: String,
    /// Comment.
    pub comment: String,
}

/// An igroup.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Igroup {
    /// Identity.
    pub uuid: String,
    /// Name.
    pub name: String,
    /// SVM uuid.
    pub svm: String,
    /// iscsi/fcp/mixed.
    pub protocol: String,
    /// OS type.
    pub os_type: String,
    /// Members.
    pub initiators: Vec<Initiator>,
    /// Comment.
    pub comment: String,
}

/// How an iSCSI initiator authenticates to an SVM.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IscsiCredential {
    /// SVM uuid.
    pub svm: String,
    /// Initiator name, or `default`.
    pub initiator: String,
    /// `none`, `deny` or `chap`.
    pub authentication_type: String,
    /// Inbound CHAP user (empty unless `chap`).
    pub inbound_user: String,
    /// Inbound CHAP password (write-only over the API).
    pub inbound_password: String,
    /// Outbound CHAP user.
    pub outbound_user: Option<String>,
    /// Outbound CHAP password.
    pub outbound_password: Option<String>,
}

impl IscsiCredential {
    /// An SVM's `default` entry as ONTAP makes it: no authentication.
    pub fn default_for(svm: &str) -> IscsiCredential {
        IscsiCredential {
            svm: svm.to_string(),
            initiator: "default".to_string(),
            authentication_type: "none".to_string(),
            inbound_user: String::new(),
            inbound_password: String::new(),
            outbound_user: None,
            outbound_password: None,
        }
    }
}

/// A LUN map.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LunMap {
    /// LUN uuid.
    pub lun: String,
    /// igroup uuid.
    pub igroup: String,
    /// LUN id seen by the igroup's hosts.
    pub logical_unit_number: u32,
}

/// An export rule.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExportRule {
    /// 1-based index.
    pub index: u32,
    /// Client matches.
    pub clients: Vec<String>,
    /// Protocols.
    pub protocols: Vec<String>,
    /// RO auth flavours.
    pub ro_rule: Vec<String>,
    /// RW auth flavours.
    pub rw_rule: Vec<String>,
    /// Superuser flavours.
    pub superuser: Vec<String>,
    /// Anonymous user (string).
    pub anonymous_user: String,
    /// setuid allowed.
    pub allow_suid: bool,
}

/// An export policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExportPolicy {
    /// Integer id.
    pub id: u64,
    /// Name.
    pub name: String,
    /// SVM uuid.
    pub svm: String,
    /// Rules.
    pub rules: Vec<ExportRule>,
}

/// An IP interface.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IpInterface {
    /// Identity.
    pub uuid: String,
    /// Name.
    pub name: String,
    /// SVM uuid (None: cluster scope).
    pub svm: Option<String>,
    /// Address.
    pub address: String,
    /// Netmask length.
    pub netmask: u32,
    /// Services.
    pub services: Vec<String>,
    /// Home node uuid.
    pub node: String,
    /// Home port.
    pub port: String,
}

/// An FC interface.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FcInterface {
    /// Identity.
    pub uuid: String,
    /// Name.
    pub name: String,
    /// SVM uuid.
    pub svm: String,
    /// WWPN.
    pub wwpn: String,
    /// WWNN.
    pub wwnn: String,
    /// Node uuid.
    pub node: String,
    /// Port.
    pub port: String,
}

/// A disk.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Disk {
    /// Name (`1.0.N`), the key.
    pub name: String,
    /// Identity.
    pub uuid: String,
    /// Serial.
    pub serial_number: String,
    /// Node uuid.
    pub node: String,
    /// Aggregate uuid, when in one.
    pub aggregate: Option<String>,
    /// Bay.
    pub bay: u32,
    /// Usable bytes.
    pub usable_size: u64,
}

/// `{"href": "..."}` links.
pub fn links(href: String) -> Value {
    json!({"self": {"href": href}})
}

impl Inventory {
    /// The SVM with this uuid.
    pub fn svm(&self, uuid: &str) -> Option<&Svm> {
        self.svms.iter().find(|s| s.uuid == uuid)
    }

    /// `{"name", "uuid", "_links"}` of an SVM.
    pub fn svm_ref(&self, uuid: &str) -> Value {
        match self.svm(uuid) {
            Some(s) => {
                json!({"name": s.name, "uuid": s.uuid, "_links": links(format!("/api/svm/svms/{}", s.uuid))})
            }
            None => json!({"uuid": uuid}),
        }
    }

    /// `{"name", "uuid"}` of a node.
    pub fn node_ref(&self, uuid: &str) -> Value {
        let name = self
            .nodes
            .iter()
            .find(|n| n.uuid == uuid)
            .map(|n| n.name.clone())
            .unwrap_or_default();
        json!({"name": name, "uuid": uuid, "_links": links(format!("/api/cluster/nodes/{uuid}"))})
    }

    /// An aggregate's used bytes.
    pub fn aggregate_used(&self, aggr: &Aggregate) -> u64 {
        aggr.base_used
            + self
                .volumes
                .iter()
                .filter(|v| v.aggregate == aggr.uuid)
                .map(|v| self.volume_footprint(v))
                .sum::<u64>()
    }

    /// An aggregate's free bytes.
    pub fn aggregate_available(&self, aggr: &Aggregate) -> u64 {
        aggr.size.saturating_sub(self.aggregate_used(aggr))
    }

    /// What a volume takes from its aggregate.
    pub fn volume_footprint(&self, v: &Volume) -> u64 {
        if v.guarantee == "volume" {
            v.size
        } else {
            self.volume_used(v)
        }
    }

    /// What a volume's LUNs reserve in it.
    pub fn volume_used(&self, v: &Volume) -> u64 {
        self.luns
            .iter()
            .filter(|l| l.volume == v.uuid && l.thick)
            .map(|l| l.size)
            .sum()
    }

    /// Bytes a volume can still give (bounded by its aggregate when thin).
    pub fn volume_available(&self, v: &Volume) -> u64 {
        let own = v.afs_total().saturating_sub(self.volume_used(v));
        if v.guarantee == "volume" {
            return own;
        }
        match self.aggregates.iter().find(|a| a.uuid == v.aggregate) {
            Some(a) => own.min(self.aggregate_available(a)),
            None => own,
        }
    }

    /// The LUN's path `/vol/<vol>/<lun>`.
    pub fn lun_path(&self, l: &Lun) -> String {
        let vol = self
            .volumes
            .iter()
            .find(|v| v.uuid == l.volume)
            .map(|v| v.name.as_str())
            .unwrap_or("");
        format!("/vol/{vol}/{}", l.logical_unit)
    }

    /// Render a node.
    pub fn node_json(&self, n: &Node) -> Value {
        let partner: Vec<Value> = self
            .nodes
            .iter()
            .filter(|o| o.uuid != n.uuid)
            .map(|o| json!({"name": o.name, "uuid": o.uuid}))
            .collect();
        json!({"uuid": n.uuid, "name": n.name, "serial_number": n.serial_number,
               "vendor_serial_number": n.serial_number, "model": n.model,
               "system_id": format!("05370{}", &n.serial_number[n.serial_number.len().saturating_sub(5)..]),
               "state": n.state, "membership": "member", "location": "", "owner": "",
               "uptime": 2_592_000, "version": version_json(),
               "is_all_flash_optimized": true, "is_all_flash_select_optimized": false,
               "is_spares_low": false, "storage_configuration": "multi_path_ha",
               "ha": {"enabled": true, "auto_giveback": true, "partners": partner},
               "_links": links(format!("/api/cluster/nodes/{}", n.uuid))})
    }

    /// Render an aggregate.
    pub fn aggregate_json(&self, a: &Aggregate) -> Value {
        let used = self.aggregate_used(a);
        let provisioned: u64 = self
            .volumes
            .iter()
            .filter(|v| v.aggregate == a.uuid)
            .map(|v| v.size)
            .sum();
        let volumes = self
            .volumes
            .iter()
            .filter(|v| v.aggregate == a.uuid)
            .count();
        json!({"uuid": a.uuid, "name": a.name, "node": self.node_ref(&a.node), "home_node": self.node_ref(&a.node),
               "state": a.state, "snaplock_type": "non_snaplock", "create_time": "2023-08-01T09:00:00+00:00",
               "is_spare_low": false, "volume-count": volumes,
               "data_encryption": {"software_encryption_enabled": false, "drive_protection_enabled": false},
               "space": {"block_storage": {"size": a.size, "available": a.size.saturating_sub(used), "used": used,
                                           "used_percent": percent(used, a.size), "full_threshold_percent": 98,
                                           "physical_used": used, "physical_used_percent": percent(used, a.size)},
                         "footprint": used, "total_provisioned_space": provisioned},
               "block_storage": {"primary": {"raid_type": a.raid_type, "disk_count": a.disk_count,
                                              "disk_class": "solid_state", "disk_type": "ssd",
                                              "checksum_style": "block", "raid_size": 24},
                                 "storage_type": "ssd", "uses_partitions": false,
                                 "mirror": {"enabled": false}},
               "_links": links(format!("/api/storage/aggregates/{}", a.uuid))})
    }

    /// Render an SVM.
    pub fn svm_json(&self, s: &Svm) -> Value {
        let aggrs: Vec<Value> = self
            .aggregates
            .iter()
            .filter(|a| s.aggregates.contains(&a.uuid))
            .map(|a| json!({"name": a.name, "uuid": a.uuid}))
            .collect();
        json!({"uuid": s.uuid, "name": s.name, "state": "running", "subtype": "default",
               "language": "c.utf_8", "comment": "", "ipspace": {"name": "Default"},
               "snapshot_policy": {"name": "default"}, "max_volumes": "unlimited",
               "aggregates_delegated": true,
               "iscsi": {"enabled": true, "allowed": true}, "nfs": {"enabled": true, "allowed": true},
               "fcp": {"enabled": true, "allowed": true}, "cifs": {"enabled": false, "allowed": true},
               "nvme": {"enabled": false, "allowed": true}, "aggregates": aggrs,
               "_links": links(format!("/api/svm/svms/{}", s.uuid))})
    }

    /// Render a volume.
    pub fn volume_json(&self, v: &Volume) -> Value {
        let aggr = self.aggregates.iter().find(|a| a.uuid == v.aggregate);
        let used = self.volume_used(v);
        let policy = self
            .export_policies
            .iter()
            .find(|p| p.id == v.export_policy);
        let mut nas = json!({"security_style": v.security_style, "uid": 0, "gid": 0, "unix_permissions": 755,
                             "export_policy": {"id": v.export_policy, "name": policy.map(|p| p.name.clone()).unwrap_or_default()}});
        if let Some(path) = &v.nas_path {
            nas["path"] = json!(path);
        }
        let mut clone = json!({"is_flexclone": v.clone.is_some()});
        if let Some(c) = &v.clone {
            let pv = self
                .volumes
                .iter()
                .find(|p| p.uuid == c.parent_volume)
                .map(|p| p.name.clone())
                .unwrap_or_default();
            let ps = self
                .snapshots
                .iter()
                .find(|s| s.uuid == c.parent_snapshot)
                .map(|s| s.name.clone())
                .unwrap_or_default();
            clone["parent_volume"] = json!({"name": pv, "uuid": c.parent_volume});
            clone["parent_snapshot"] = json!({"name": ps, "uuid": c.parent_snapshot});
            clone["parent_svm"] = self.svm_ref(&v.svm);
        }
        let available = self.volume_available(v);
        let afs_total = v.afs_total();
        let efficient = v.dedupe != "none" || v.compression != "none";
        let snapshots = self.snapshots.iter().filter(|s| s.volume == v.uuid).count();
        json!({"uuid": v.uuid, "name": v.name, "svm": self.svm_ref(&v.svm),
               "aggregates": [{"name": aggr.map(|a| a.name.clone()).unwrap_or_default(), "uuid": v.aggregate}],
               "size": v.size, "state": v.state, "type": "rw", "style": "flexvol", "create_time": v.create_time,
               "is_svm_root": v.is_svm_root(), "language": v.language,
               "error_state": {"has_bad_blocks": false, "is_inconsistent": false},
               "guarantee": {"type": v.guarantee, "honored": true},
               "space": {"size": v.size, "available": available, "used": used, "afs_total": afs_total,
                         "available_percent": percent(available, afs_total),
                         "percent_used": percent(used, afs_total),
                         "snapshot": {"reserve_percent": v.snapshot_reserve_percent, "used": 0,
                                      "reserve_size": v.size - afs_total}},
               "nas": nas, "clone": clone,
               "efficiency": {"dedupe": v.dedupe, "compression": v.compression,
                              "compaction": "none", "cross_volume_dedupe": "none",
                              "state": if efficient { "enabled" } else { "disabled" },
                              "volume_path": format!("/vol/{}", v.name)},
               "snapshot_policy": {"name": v.snapshot_policy}, "snapshot_count": snapshots,
               "snapshot_directory_access_enabled": true, "access_time_enabled": true,
               "tiering": {"policy": "none"}, "comment": v.comment,
               "_links": links(format!("/api/storage/volumes/{}", v.uuid))})
    }

    /// Render a snapshot.
    pub fn snapshot_json(&self, s: &Snapshot) -> Value {
        let vol = self
            .volumes
            .iter()
            .find(|v| v.uuid == s.volume)
            .map(|v| v.name.clone())
            .unwrap_or_default();
        let mut owners = Vec::new();
        if self.volumes.iter().any(|v| {
            v.clone
                .as_ref()
                .is_some_and(|c| c.parent_snapshot == s.uuid)
        }) {
            owners.push("volume clone");
        }
        json!({"uuid": s.uuid, "name": s.name, "create_time": s.create_time, "comment": s.comment, "size": 0,
               "state": "valid", "owners": owners,
               "volume": {"name": vol, "uuid": s.volume, "_links": links(format!("/api/storage/volumes/{}", s.volume))},
               "svm": self.volumes.iter().find(|v| v.uuid == s.volume).map(|v| self.svm_ref(&v.svm)).unwrap_or(Value::Null),
               "_links": links(format!("/api/storage/volumes/{}/snapshots/{}", s.volume, s.uuid))})
    }

    /// Render a LUN.
    pub fn lun_json(&self, l: &Lun) -> Value {
        let volume = self.volumes.iter().find(|v| v.uuid == l.volume);
        let vol = volume.map(|v| v.name.clone()).unwrap_or_default();
        // A reservation is honoured only in a space-reserved (thick) volume.
        let reserved = l.thick && volume.is_some_and(|v| v.guarantee == "volume");
        let maps: Vec<Value> = self
            .lun_maps
            .iter()
            .filter(|m| m.lun == l.uuid)
            .map(|m| {
                let ig = self.igroups.iter().find(|g| g.uuid == m.igroup).map(|g| g.name.clone()).unwrap_or_default();
                json!({"igroup": {"name": ig, "uuid": m.igroup}, "logical_unit_number": m.logical_unit_number})
            })
            .collect();
        let serial_hex = hex(&l.serial_number);
        let mut value = json!({"uuid": l.uuid, "name": self.lun_path(l), "svm": self.svm_ref(&l.svm),
               "location": {"volume": {"name": vol, "uuid": l.volume}, "logical_unit": l.logical_unit,
                            "qtree": {"id": 0, "name": ""}},
               "os_type": l.os_type, "serial_number": l.serial_number, "serial_number_hex": serial_hex,
               "enabled": l.enabled, "auto_delete": false,
               "class": "regular", "comment": l.comment, "create_time": l.create_time,
               "space": {"size": l.size, "used": if l.thick { l.size } else { 0 },
                         "scsi_thin_provisioning_support_enabled": l.space_allocation,
                         "guarantee": {"requested": l.thick, "reserved": reserved}},
               "status": {"state": if l.enabled { "online" } else { "offline" }, "mapped": !maps.is_empty(),
                          "read_only": false, "container_state": "online"},
               "lun_maps": maps,
               "_links": links(format!("/api/storage/luns/{}", l.uuid))});
        if let Some(src) = &l.clone_source {
            value["clone"] = json!({"source": {"name": src}});
        }
        if let Some(policy) = &l.qos_policy {
            value["qos_policy"] = json!({"name": policy});
        }
        value
    }

    /// Render an igroup.
    pub fn igroup_json(&self, g: &Igroup) -> Value {
        let inits: Vec<Value> = g
            .initiators
            .iter()
            .map(|i| json!({"name": i.name, "comment": i.comment,
                            "_links": links(format!("/api/protocols/san/igroups/{}/initiators/{}", g.uuid, i.name))}))
            .collect();
        let maps: Vec<Value> = self
            .lun_maps
            .iter()
            .filter(|m| m.igroup == g.uuid)
            .map(|m| {
                let lun = self.luns.iter().find(|l| l.uuid == m.lun).map(|l| self.lun_path(l)).unwrap_or_default();
                json!({"lun": {"name": lun, "uuid": m.lun}, "logical_unit_number": m.logical_unit_number})
            })
            .collect();
        json!({"uuid": g.uuid, "name": g.name, "svm": self.svm_ref(&g.svm), "protocol": g.protocol,
               "os_type": g.os_type, "comment": g.comment, "initiators": inits, "lun_maps": maps,
               "delete_on_unmap": false,
               "_links": links(format!("/api/protocols/san/igroups/{}", g.uuid))})
    }

    /// Render a LUN map.
    pub fn lun_map_json(&self, m: &LunMap) -> Value {
        let lun = self.luns.iter().find(|l| l.uuid == m.lun);
        let ig = self.igroups.iter().find(|g| g.uuid == m.igroup);
        json!({"lun": {"name": lun.map(|l| self.lun_path(l)).unwrap_or_default(), "uuid": m.lun},
               "igroup": {"name": ig.map(|g| g.name.clone()).unwrap_or_default(), "uuid": m.igroup,
                          "protocol": ig.map(|g| g.protocol.clone()).unwrap_or_default(),
                          "os_type": ig.map(|g| g.os_type.clone()).unwrap_or_default()},
               "logical_unit_number": m.logical_unit_number,
               "svm": lun.map(|l| self.svm_ref(&l.svm)).unwrap_or(Value::Null),
               "_links": links(format!("/api/protocols/san/lun-maps/{}/{}", m.lun, m.igroup))})
    }

    /// Render an export policy.
    pub fn export_policy_json(&self, p: &ExportPolicy) -> Value {
        let rules: Vec<Value> = p.rules.iter().map(|r| export_rule_json(p.id, r)).collect();
        json!({"id": p.id, "name": p.name, "svm": self.svm_ref(&p.svm), "rules": rules,
               "_links": links(format!("/api/protocols/nfs/export-policies/{}", p.id))})
    }

    /// Render an IP interface.
    pub fn ip_interface_json(&self, i: &IpInterface) -> Value {
        let policy = if i.services.iter().any(|s| s == "data_iscsi") {
            "default-data-blocks"
        } else if i.services.iter().any(|s| s == "data_nfs") {
            "default-data-files"
        } else {
            "default-management"
        };
        let mut v = json!({"uuid": i.uuid, "name": i.name, "ip": {"address": i.address, "netmask": i.netmask.to_string(), "family": "ipv4"},
               "enabled": true, "state": "up", "scope": if i.svm.is_some() { "svm" } else { "cluster" },
               "services": i.services, "service_policy": {"name": policy},
               "ipspace": {"name": "Default"}, "vip": false,
               "location": {"home_node": self.node_ref(&i.node), "node": self.node_ref(&i.node),
                            "home_port": {"name": i.port}, "port": {"name": i.port}, "is_home": true,
                            "auto_revert": false, "failover": "home_port_only"},
               "_links": links(format!("/api/network/ip/interfaces/{}", i.uuid))});
        if let Some(svm) = &i.svm {
            v["svm"] = self.svm_ref(svm);
        }
        v
    }

    /// Render an FC interface.
    pub fn fc_interface_json(&self, f: &FcInterface) -> Value {
        json!({"uuid": f.uuid, "name": f.name, "svm": self.svm_ref(&f.svm), "wwpn": f.wwpn, "wwnn": f.wwnn,
               "state": "up", "enabled": true, "data_protocol": "fcp", "comment": "",
               "location": {"home_node": self.node_ref(&f.node), "node": self.node_ref(&f.node),
                            "home_port": {"name": f.port, "node": {"name": self.node_ref(&f.node)["name"]}},
                            "port": {"name": f.port}},
               "_links": links(format!("/api/network/fc/interfaces/{}", f.uuid))})
    }

    /// Render a disk.
    pub fn disk_json(&self, d: &Disk) -> Value {
        let aggrs: Vec<Value> = d
            .aggregate
            .iter()
            .filter_map(|u| self.aggregates.iter().find(|a| &a.uuid == u))
            .map(|a| json!({"name": a.name, "uuid": a.uuid}))
            .collect();
        let container = if d.aggregate.is_some() {
            "aggregate"
        } else {
            "spare"
        };
        json!({"name": d.name, "uid": disk_uid(&d.uuid), "serial_number": d.serial_number, "model": "X371_S163A960ATE",
               "vendor": "NETAPP", "type": "ssd", "effective_type": "ssd", "class": "solid_state",
               "container_type": container, "pool": "pool0", "local": true, "self_encrypting": false,
               "fips_certified": false, "rated_life_used_percent": 1,
               "physical_size": d.usable_size + (d.usable_size >> 6),
               "state": if d.aggregate.is_some() { "present" } else { "spare" },
               "usable_size": d.usable_size, "bytes_per_sector": 512, "sector_count": d.usable_size / 512,
               "node": self.node_ref(&d.node), "home_node": self.node_ref(&d.node), "aggregates": aggrs,
               "shelf": {"uid": "1"}, "bay": d.bay, "rpm": 0, "firmware_version": "NA54"})
    }

    /// Render a job.
    pub fn job_json(&self, j: &Job) -> Value {
        let mut v = json!({"uuid": j.uuid, "description": j.description, "state": j.state,
                           "message": j.message, "code": j.code,
                           "_links": links(format!("/api/cluster/jobs/{}", j.uuid))});
        if let Some(t) = &j.start_time {
            v["start_time"] = json!(t);
        }
        if let Some(t) = &j.end_time {
            v["end_time"] = json!(t);
        }
        if let Some(svm) = &j.owner {
            v["svm"] = svm.clone();
        }
        if j.state == crate::core::jobs::JobState::Failure {
            v["error"] = json!({"code": j.code.to_string(), "message": j.message});
        }
        v
    }
}

/// Render an export rule of policy `policy`.
pub fn export_rule_json(policy: u64, r: &ExportRule) -> Value {
    let clients: Vec<Value> = r.clients.iter().map(|c| json!({"match": c})).collect();
    json!({"index": r.index, "clients": clients, "protocols": r.protocols, "ro_rule": r.ro_rule,
           "rw_rule": r.rw_rule, "superuser": r.superuser, "anonymous_user": r.anonymous_user,
           "allow_suid": r.allow_suid, "allow_device_creation": true, "chown_mode": "restricted",
           "ntfs_unix_security": "fail",
           "_links": links(format!("/api/protocols/nfs/export-policies/{policy}/rules/{}", r.index))})
}

/// The bytes of `text` in lower-case hex (a LUN's `serial_number_hex`).
fn hex(text: &str) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(text.len() * 2);
    for b in text.bytes() {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

/// `part` as a whole percent of `whole` (0 when `whole` is 0).
pub fn percent(part: u64, whole: u64) -> u64 {
    if whole == 0 {
        0
    } else {
        (u128::from(part) * 100 / u128::from(whole)) as u64
    }
}

/// A disk's `uid` (ONTAP's colon-separated hex of its world-wide id): its uuid's hex digits
/// in groups of eight (*chosen*).
fn disk_uid(uuid: &str) -> String {
    let hex: Vec<char> = uuid.chars().filter(char::is_ascii_hexdigit).collect();
    hex.chunks(8)
        .map(|chunk| chunk.iter().collect::<String>().to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join(":")
}

/// `os_type` values of a LUN (netapp_ontap `Lun.os_type`).
pub const LUN_OS_TYPES: &[&str] = &[
    "aix",
    "hpux",
    "hyper_v",
    "linux",
    "netware",
    "openvms",
    "solaris",
    "solaris_efi",
    "vmware",
    "windows",
    "windows_2008",
    "windows_gpt",
    "xen",
];

/// `os_type` values of an igroup (netapp_ontap `Igroup.os_type`).
pub const IGROUP_OS_TYPES: &[&str] = &[
    "aix", "hpux", "hyper_v", "linux", "netware", "openvms", "solaris", "vmware", "windows", "xen",
];

/// The ONTAP release the simulator claims (*chosen*: 9.13.1).
pub fn version_json() -> Value {
    json!({"full": "NetApp Release 9.13.1: Tue Jul 25 10:19:28 UTC 2023", "generation": 9, "major": 13, "minor": 1})
}
