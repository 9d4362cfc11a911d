//! The simulated appliance's objects, as persisted, and how each renders as
//! a NEF record (every property; `fields=` cuts it down later).
//!
//! Space (ZFS-like, nothing is ever written): a dataset charges its pool
//! `max(reservation, written)` plus what its children charge, where the
//! reservation is `volumeSize` for a thick zvol (`sparseVolume: false`),
//! `referencedReservationSize` for a filesystem, else 0. `bytesUsed` is
//! that charge; the pool's free space is its size minus its root
//! filesystem's charge; `bytesAvailable` is the pool's free space plus the
//! dataset's own unused reservation, bounded by `referencedQuotaSize`
//! when one is set.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::core::jobs::{HasJobs, Job};

/// Schema version of the state document.
pub const STATE_VERSION: u32 = 1;

/// The whole appliance.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Appliance {
    /// Schema version.
    pub version: u32,
    /// `system.guid`.
    pub system_guid: String,
    /// `system.hostName`.
    pub host_name: String,
    /// The next ZFS transaction group number.
    pub next_txg: u64,
    /// Pools.
    pub pools: Vec<Pool>,
    /// Disks.
    pub disks: Vec<Disk>,
    /// Filesystems, volume groups and zvols, parents before children.
    pub datasets: Vec<Dataset>,
    /// Snapshots of any dataset.
    pub snapshots: Vec<Snapshot>,
    /// Host groups.
    pub host_groups: Vec<Group>,
    /// Target groups.
    pub target_groups: Vec<Group>,
    /// iSCSI targets.
    pub targets: Vec<Target>,
    /// iSCSI remote initiators (CHAP).
    pub remote_initiators: Vec<RemoteInitiator>,
    /// LUN mappings.
    pub mappings: Vec<Mapping>,
    /// Logical units, one per zvol.
    pub logical_units: Vec<LogicalUnit>,
    /// NFS shares.
    pub nfs: Vec<NfsShare>,
    /// Services (`iscsit`, `nfs`, ...).
    pub services: Vec<Service>,
    /// Network addresses.
    pub addresses: Vec<Address>,
    /// Jobs.
    pub jobs: Vec<Job>,
    /// HPR (replication) services.
    #[serde(default)]
    pub hpr: Vec<HprService>,
}

/// An HPR service (local replication of a dataset).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HprService {
    /// Its name.
    pub name: String,
    /// `sourceDataset`.
    pub source: String,
    /// `destinationDataset`.
    pub destination: String,
    /// `type` (`scheduled`).
    pub kind: String,
    /// `sendShareNfs`.
    pub send_share_nfs: bool,
    /// The job of its last run.
    pub job: Option<String>,
    /// Whether it has been started.
    pub started: bool,
    /// Whether its last run has copied.
    pub done: bool,
}

impl HasJobs for Appliance {
    fn jobs(&self) -> &Vec<Job> {
        &self.jobs
    }
    fn jobs_mut(&mut self) -> &mut Vec<Job> {
        &mut self.jobs
    }
}

/// A ZFS pool.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pool {
    /// Name (also its root filesystem's path).
    pub name: String,
    /// Usable bytes.
    pub size: u64,
    /// ZFS health.
    pub health: String,
    /// Top-level vdevs.
    pub vdevs: Vec<Vdev>,
    /// ZFS pool guid.
    pub guid: u64,
}

/// A top-level vdev.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Vdev {
    /// `mirror-0`, `raidz1-0`, ...
    pub name: String,
    /// Member disks' logical devices.
    pub disks: Vec<String>,
}

/// A disk.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Disk {
    /// `c0t5000...d0`.
    pub logical_device: String,
    /// Size.
    pub size: u64,
    /// Vendor.
    pub vendor: String,
    /// Model.
    pub model: String,
    /// Serial.
    pub serial: String,
    /// Pool (empty: none).
    pub pool: String,
    /// Role in the pool: `data`, `spare` or `` (unused).
    pub role: String,
}

/// What a dataset is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    /// `/storage/filesystems`.
    Filesystem,
    /// `/storage/volumeGroups`.
    VolumeGroup,
    /// `/storage/volumes` (zvol).
    Volume,
}

impl Kind {
    /// How messages name it.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Filesystem => "filesystem",
            Kind::VolumeGroup => "volume group",
            Kind::Volume => "volume",
        }
    }
}

/// A filesystem, volume group or zvol.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Dataset {
    /// `pool/a/b`.
    pub path: String,
    /// What it is.
    pub kind: Kind,
    /// ZFS guid (below 2^53).
    pub guid: u64,
    /// Creation time (ISO-8601).
    pub creation_time: String,
    /// Creation transaction group.
    pub creation_txg: u64,
    /// Origin snapshot path for a clone, else empty.
    pub origin: String,
    /// Bytes written (always 0 unless the inventory says otherwise).
    pub written: u64,
    /// `compressionMode`.
    pub compression_mode: String,
    /// `dedupMode`.
    pub dedup_mode: String,
    /// `readOnly`.
    pub read_only: bool,
    /// `referencedQuotaSize` (filesystems; 0 = none).
    pub quota: u64,
    /// `referencedReservationSize` (filesystems).
    pub reservation: u64,
    /// `recordSize` (filesystems).
    pub record_size: u64,
    /// `isMounted` (filesystems).
    pub mounted: bool,
    /// `nonBlockingMandatoryMode`.
    pub non_blocking_mandatory_mode: bool,
    /// `smartCompression`.
    pub smart_compression: bool,
    /// ACL entries set through `POST .../acl`.
    pub acl: Vec<Value>,
    /// `volumeSize` (zvols).
    pub volume_size: u64,
    /// `volumeBlockSize` (zvols and volume groups).
    pub volume_block_size: u64,
    /// `sparseVolume` (zvols).
    pub sparse: bool,
}

impl Dataset {
    /// The last path component.
    pub fn name(&self) -> &str {
        leaf(&self.path)
    }

    /// The parent's path (empty for a pool's root filesystem).
    pub fn parent(&self) -> &str {
        parent_of(&self.path)
    }

    /// The pool.
    pub fn pool(&self) -> &str {
        self.path.split('/').next().unwrap_or_default()
    }

    /// Bytes reserved for it alone.
    pub fn reserved(&self) -> u64 {
        match self.kind {
            Kind::Volume if !self.sparse => self.volume_size,
            Kind::Filesystem => self.reservation,
            _ => 0,
        }
    }

    /// What it charges for itself (children apart).
    pub fn own_charge(&self) -> u64 {
        self.reserved().max(self.written)
    }
}

/// The last component of a dataset path.
pub fn leaf(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The parent of a dataset path (empty for a pool).
pub fn parent_of(path: &str) -> &str {
    path.rsplit_once('/').map(|(p, _)| p).unwrap_or("")
}

/// Whether `path` is `ancestor` or below it.
pub fn is_within(path: &str, ancestor: &str) -> bool {
    path == ancestor
        || (path.len() > ancestor.len()
            && path.starts_with(ancestor)
            && path.as_bytes()[ancestor.len()] == b'/')
}

/// A snapshot.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    /// Its dataset's path.
    pub dataset: String,
    /// The name after `@`.
    pub name: String,
    /// ZFS guid.
    pub guid: u64,
    /// Creation time.
    pub creation_time: String,
    /// Creation transaction group.
    pub creation_txg: u64,
    /// Bytes referenced when taken.
    pub referenced: u64,
    /// Destroy requested with `defer=true` while clones exist.
    pub defer_destroy: bool,
}

impl Snapshot {
    /// `dataset@name`.
    pub fn path(&self) -> String {
        format!("{}@{}", self.dataset, self.name)
    }
}

/// A host group or target group.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Group {
    /// Name.
    pub name: String,
    /// Initiator IQNs/WWNs, or target IQNs.
    pub members: Vec<String>,
}

/// A portal.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Portal {
    /// IPv4 address.
    pub address: String,
    /// TCP port.
    pub port: u16,
}

/// An iSCSI target.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Target {
    /// IQN.
    pub name: String,
    /// Alias.
    pub alias: String,
    /// `none` or `chap`.
    pub authentication: String,
    /// CHAP user.
    pub chap_user: String,
    /// CHAP secret (never shown).
    pub chap_secret: String,
    /// Portals.
    pub portals: Vec<Portal>,
}

/// A remote initiator's CHAP credentials.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RemoteInitiator {
    /// Initiator IQN.
    pub name: String,
    /// CHAP user.
    pub chap_user: String,
    /// CHAP secret (never shown).
    pub chap_secret: String,
}

/// A LUN mapping (COMSTAR view).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mapping {
    /// Opaque id (24 hex digits).
    pub id: String,
    /// zvol path.
    pub volume: String,
    /// Host group (or `all`).
    pub host_group: String,
    /// Target group (or `all`).
    pub target_group: String,
    /// LUN.
    pub lun: u32,
    /// Epoch milliseconds from which it shows.
    pub visible_from_ms: u64,
}

/// A logical unit (one per zvol).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogicalUnit {
    /// 32 hex digits, NAA 6 with Nexenta's OUI (`600144F0...`).
    pub guid: String,
    /// zvol path.
    pub volume: String,
    /// Alias.
    pub alias: String,
    /// `writebackCacheDisabled`.
    pub writeback_cache_disabled: bool,
}

/// An NFS share of a filesystem.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NfsShare {
    /// Filesystem path.
    pub filesystem: String,
    /// `anon` (user the anonymous map to).
    pub anon: String,
    /// `readOnly`.
    pub read_only: bool,
    /// `nohide`.
    pub nohide: bool,
    /// `securityContexts`, as given (validated).
    pub security_contexts: Vec<Value>,
}

/// A service.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Service {
    /// `iscsit`, `nfs`, ...
    pub name: String,
    /// Enabled (state `online`) or not (`disabled`).
    pub enabled: bool,
}

/// A network address.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Address {
    /// `vmxnet3s0/v4`.
    pub name: String,
    /// `ip/prefix`.
    pub address: String,
}

/// Now, in epoch milliseconds.
pub fn now_ms() -> u64 {
    crate::core::time::now_ms()
}

/// Now as NEF prints times: `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn now_time() -> String {
    let ms = now_ms();
    let base = crate::core::time::iso8601(ms / 1000);
    format!("{}.{:03}Z", base.trim_end_matches("+00:00"), ms % 1000)
}

/// A random ZFS-style guid below 2^53 (exact in every JSON client).
pub fn new_guid() -> u64 {
    use rand::Rng as _;
    rand::rng().random_range(1..(1u64 << 53))
}

/// `n` random upper-case hex digits.
pub fn hex(n: usize) -> String {
    use rand::Rng as _;
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from(b"0123456789ABCDEF"[rng.random_range(0..16)]))
        .collect()
}

/// Per-dataset charges, computed once per request.
pub struct Space<'a> {
    charged: HashMap<&'a str, u64>,
    state: &'a Appliance,
}

impl Appliance {
    /// A dataset by path.
    pub fn dataset(&self, path: &str) -> Option<&Dataset> {
        self.datasets.iter().find(|d| d.path == path)
    }

    /// A dataset by path, to change.
    pub fn dataset_mut(&mut self, path: &str) -> Option<&mut Dataset> {
        self.datasets.iter_mut().find(|d| d.path == path)
    }

    /// A snapshot by `ds@name`.
    pub fn snapshot(&self, path: &str) -> Option<&Snapshot> {
        let (ds, name) = path.split_once('@')?;
        self.snapshots
            .iter()
            .find(|s| s.dataset == ds && s.name == name)
    }

    /// The paths of the datasets cloned from snapshot `path`.
    pub fn clones_of(&self, path: &str) -> Vec<String> {
        self.datasets
            .iter()
            .filter(|d| d.origin == path)
            .map(|d| d.path.clone())
            .collect()
    }

    /// The next transaction group.
    pub fn txg(&mut self) -> u64 {
        self.next_txg += 1;
        self.next_txg
    }

    /// Space accounting for the whole appliance.
    pub fn space(&self) -> Space<'_> {
        let mut charged: HashMap<&str, u64> = HashMap::with_capacity(self.datasets.len());
        for d in &self.datasets {
            let own = d.own_charge();
            let mut path = d.path.as_str();
            loop {
                let slot = charged.entry(path).or_default();
                *slot = slot.saturating_add(own);
                let parent = parent_of(path);
                if parent.is_empty() {
                    break;
                }
                path = parent;
            }
        }
        Space {
            charged,
            state: self,
        }
    }

    /// The record of a dataset of any kind.
    pub fn dataset_json(&self, d: &Dataset, space: &Space) -> Value {
        let used = space.used(&d.path);
        let common = json!({
            "path": d.path,
            "name": d.name(),
            "parent": d.parent(),
            "pool": d.pool(),
            "guid": d.guid,
            "creationTime": d.creation_time,
            "creationTxg": d.creation_txg.to_string(),
            "originalSnapshot": d.origin,
            "bytesAvailable": space.available(d),
            "bytesUsed": used,
            "bytesUsedBySelf": d.written,
            "bytesUsedByChildren": used.saturating_sub(d.own_charge()),
            "bytesUsedByRefReservation": d.reserved().saturating_sub(d.written),
            "bytesUsedBySnapshots": 0,
            "bytesReferenced": d.written,
            "compressionMode": d.compression_mode,
            "dedupMode": d.dedup_mode,
            "readOnly": d.read_only,
        });
        let mut record = common;
        let extra = match d.kind {
            Kind::Filesystem => json!({
                "mountPoint": format!("/{}", d.path),
                "isMounted": d.mounted,
                "referencedQuotaSize": d.quota,
                "referencedReservationSize": d.reservation,
                "quotaSize": 0,
                "reservationSize": 0,
                "recordSize": d.record_size,
                "sharedOverNfs": self.nfs.iter().any(|s| s.filesystem == d.path),
                "sharedOverSmb": false,
                "nonBlockingMandatoryMode": d.non_blocking_mandatory_mode,
                "smartCompression": d.smart_compression,
            }),
            Kind::VolumeGroup => json!({
                "volumeBlockSize": d.volume_block_size,
            }),
            Kind::Volume => json!({
                "volumeSize": d.volume_size,
                "volumeBlockSize": d.volume_block_size,
                "sparseVolume": d.sparse,
                "refReservationSize": d.reserved(),
            }),
        };
        if let (Value::Object(r), Value::Object(e)) = (&mut record, extra) {
            r.extend(e);
        }
        record
    }

    /// A snapshot's record.
    pub fn snapshot_json(&self, s: &Snapshot) -> Value {
        let path = s.path();
        json!({
            "path": path,
            "name": s.name,
            "parent": s.dataset,
            "pool": s.dataset.split('/').next().unwrap_or_default(),
            "guid": s.guid,
            "creationTime": s.creation_time,
            "creationTxg": s.creation_txg.to_string(),
            "clones": self.clones_of(&path),
            "bytesReferenced": s.referenced,
            "bytesUsed": 0,
            "deferDestroy": s.defer_destroy,
            "hprService": "",
            "snaplistId": "",
        })
    }

    /// A pool's record.
    pub fn pool_json(&self, p: &Pool, space: &Space) -> Value {
        let used = space.used(&p.name);
        let vdevs: Vec<Value> = p
            .vdevs
            .iter()
            .map(|v| {
                json!({
                    "name": v.name,
                    "state": "ONLINE",
                    "children": v.disks.iter().map(|d| json!({"name": d, "state": "ONLINE"})).collect::<Vec<_>>(),
                })
            })
            .collect();
        let spares: Vec<Value> = self
            .disks
            .iter()
            .filter(|d| d.pool == p.name && d.role == "spare")
            .map(|d| json!({"name": d.logical_device, "state": "AVAIL"}))
            .collect();
        json!({
            "poolName": p.name,
            "health": p.health,
            "guid": p.guid,
            "bytesTotal": p.size,
            "bytesAllocated": used,
            "bytesFree": p.size.saturating_sub(used),
            "status": {
                "state": p.health,
                "errors": "No known data errors",
                "config": {"name": p.name, "state": p.health, "children": vdevs},
                "spares": spares,
            },
        })
    }

    /// A mapping's record.
    pub fn mapping_json(m: &Mapping) -> Value {
        json!({
            "id": m.id,
            "volume": m.volume,
            "hostGroup": m.host_group,
            "targetGroup": m.target_group,
            "lun": m.lun,
        })
    }

    /// A logical unit's record.
    pub fn logical_unit_json(&self, lu: &LogicalUnit) -> Value {
        let d = self.dataset(&lu.volume);
        json!({
            "guid": lu.guid,
            "volume": lu.volume,
            "alias": lu.alias,
            "blockSize": 512,
            "size": d.map(|d| d.volume_size).unwrap_or(0),
            "writebackCacheDisabled": lu.writeback_cache_disabled,
            "writeProtect": d.is_some_and(|d| d.read_only),
            "state": "online",
        })
    }

    /// A target's record (no secret: `chapSecretSet` says whether one is).
    pub fn target_json(t: &Target) -> Value {
        json!({
            "name": t.name,
            "alias": t.alias,
            "state": "online",
            "authentication": t.authentication,
            "chapUser": t.chap_user,
            "chapSecretSet": !t.chap_secret.is_empty(),
            "portals": t.portals.iter().map(|p| json!({"address": p.address, "port": p.port})).collect::<Vec<_>>(),
        })
    }

    /// An NFS share's record.
    pub fn nfs_json(s: &NfsShare) -> Value {
        json!({
            "filesystem": s.filesystem,
            "mountPoint": format!("/{}", s.filesystem),
            "shareState": "online",
            "anon": s.anon,
            "readOnly": s.read_only,
            "nohide": s.nohide,
            "securityContexts": s.security_contexts,
        })
    }
}

impl Space<'_> {
    /// `bytesUsed` of a dataset (with its children).
    pub fn used(&self, path: &str) -> u64 {
        self.charged.get(path).copied().unwrap_or(0)
    }

    /// Free bytes of `pool`.
    pub fn pool_free(&self, pool: &str) -> u64 {
        let size = self
            .state
            .pools
            .iter()
            .find(|p| p.name == pool)
            .map(|p| p.size)
            .unwrap_or(0);
        size.saturating_sub(self.used(pool))
    }

    /// `bytesAvailable` of a dataset.
    pub fn available(&self, d: &Dataset) -> u64 {
        let base = self
            .pool_free(d.pool())
            .saturating_add(d.reserved().saturating_sub(d.written));
        if d.kind == Kind::Filesystem && d.quota > 0 {
            base.min(d.quota.saturating_sub(d.written))
        } else {
            base
        }
    }
}
