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
        let own = v.size.saturating_sub(self.volume_used(v));
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
        json!({"uuid": n.uuid, "name": n.name, "serial_number": n.serial_number, "model": n.model,
               "state": n.state, "version": version_json(),
               "ha": {"enabled": true, "partners": partner},
               "_links": links(format!("/api/cluster/nodes/{}", n.uuid))})
    }

    /// Render an aggregate.
    pub fn aggregate_json(&self, a: &Aggregate) -> Value {
        let used = self.aggregate_used(a);
        json!({"uuid": a.uuid, "name": a.name, "node": self.node_ref(&a.node), "home_node": self.node_ref(&a.node),
               "state": a.state,
               "space": {"block_storage": {"size": a.size, "available": a.size.saturating_sub(used), "used": used}},
               "block_storage": {"primary": {"raid_type": a.raid_type, "disk_count": a.disk_count,
                                              "disk_class": "solid_state", "disk_type": "ssd"},
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
               "iscsi": {"enabled": true}, "nfs": {"enabled": true}, "fcp": {"enabled": true},
               "cifs": {"enabled": false}, "nvme": {"enabled": false}, "aggregates": aggrs,
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
        let mut nas = json!({"security_style": v.security_style,
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
        json!({"uuid": v.uuid, "name": v.name, "svm": self.svm_ref(&v.svm),
               "aggregates": [{"name": aggr.map(|a| a.name.clone()).unwrap_or_default(), "uuid": v.aggregate}],
               "size": v.size, "state": v.state, "type": "rw", "style": "flexvol", "create_time": v.create_time,
               "guarantee": {"type": v.guarantee, "honored": true},
               "space": {"size": v.size, "available": self.volume_available(v), "used": used,
                         "snapshot": {"reserve_percent": 0, "used": 0}},
               "nas": nas, "clone": clone,
               "snapshot_policy": {"name": "none"}, "comment": v.comment,
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
        json!({"uuid": s.uuid, "name": s.name, "create_time": s.create_time, "comment": s.comment, "size": 0,
               "state": "valid",
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
        let mut value = json!({"uuid": l.uuid, "name": self.lun_path(l), "svm": self.svm_ref(&l.svm),
               "location": {"volume": {"name": vol, "uuid": l.volume}, "logical_unit": l.logical_unit},
               "os_type": l.os_type, "serial_number": l.serial_number, "enabled": l.enabled,
               "class": "regular", "comment": l.comment, "create_time": l.create_time,
               "space": {"size": l.size, "used": if l.thick { l.size } else { 0 },
                         "guarantee": {"requested": l.thick, "reserved": reserved}},
               "status": {"state": if l.enabled { "online" } else { "offline" }, "mapped": !maps.is_empty(),
                          "read_only": false, "container_state": "online"},
               "lun_maps": maps,
               "_links": links(format!("/api/storage/luns/{}", l.uuid))});
        if let Some(src) = &l.clone_source {
            value["clone"] = json!({"source": {"name": src}});
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
               "_links": links(format!("/api/protocols/san/igroups/{}", g.uuid))})
    }

    /// Render a LUN map.
    pub fn lun_map_json(&self, m: &LunMap) -> Value {
        let lun = self.luns.iter().find(|l| l.uuid == m.lun);
        let ig = self.igroups.iter().find(|g| g.uuid == m.igroup);
        json!({"lun": {"name": lun.map(|l| self.lun_path(l)).unwrap_or_default(), "uuid": m.lun},
               "igroup": {"name": ig.map(|g| g.name.clone()).unwrap_or_default(), "uuid": m.igroup,
                          "protocol": ig.map(|g| g.protocol.clone()).unwrap_or_default()},
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
        let mut v = json!({"uuid": i.uuid, "name": i.name, "ip": {"address": i.address, "netmask": i.netmask.to_string(), "family": "ipv4"},
               "enabled": true, "state": "up", "scope": if i.svm.is_some() { "svm" } else { "cluster" },
               "services": i.services,
               "location": {"home_node": self.node_ref(&i.node), "node": self.node_ref(&i.node),
                            "home_port": {"name": i.port}, "port": {"name": i.port}, "is_home": true},
               "_links": links(format!("/api/network/ip/interfaces/{}", i.uuid))});
        if let Some(svm) = &i.svm {
            v["svm"] = self.svm_ref(svm);
        }
        v
    }

    /// Render an FC interface.
    pub fn fc_interface_json(&self, f: &FcInterface) -> Value {
        json!({"uuid": f.uuid, "name": f.name, "svm": self.svm_ref(&f.svm), "wwpn": f.wwpn, "wwnn": f.wwnn,
               "state": "up", "enabled": true, "data_protocol": "fcp",
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
        json!({"name": d.name, "uuid": d.uuid, "serial_number": d.serial_number, "model": "X371_S163A960ATE",
               "vendor": "NETAPP", "type": "ssd", "class": "solid_state", "container_type": container,
               "state": if d.aggregate.is_some() { "present" } else { "spare" },
               "usable_size": d.usable_size, "bytes_per_sector": 512, "sector_count": d.usable_size / 512,
               "node": self.node_ref(&d.node), "home_node": self.node_ref(&d.node), "aggregates": aggrs,
               "shelf": {"uid": "1"}, "bay": d.bay, "rpm": 0, "firmware_version": "NA54",
               "_links": links(format!("/api/storage/disks/{}", d.name))})
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
           "allow_suid": r.allow_suid,
           "_links": links(format!("/api/protocols/nfs/export-policies/{policy}/rules/{}", r.index))})
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
