//! From ONTAP objects to LSM objects, as pure functions, and the LSM job ids that carry an
//! ONTAP job.
//!
//! | LSM | ONTAP | id |
//! |---|---|---|
//! | System | the cluster (`/api/cluster`), status from its nodes | cluster uuid |
//! | Pool | an aggregate (local tier) | aggregate uuid |
//! | Volume | a LUN; vpd83 `600a0980` + hex of its 12-character serial (NAA 6, NetApp's OUI) | LUN uuid |
//! | AccessGroup | an igroup | igroup uuid |
//! | TargetPort | an iSCSI LIF (with its SVM's target IQN) or an FC interface | interface uuid |
//! | Disk | a disk | disk uid, else its name |
//! | FileSystem | a FlexVol | volume uuid |
//! | FsSnapshot | a snapshot of a FlexVol | snapshot uuid |
//! | NfsExport | a FlexVol's junction path with its export policy | `<policy id>` |
//!
//! Chosen where ONTAP says nothing: root aggregates (named `aggr0*`, which ONTAP does not
//! flag) are pools of element type `SYS_RESERVED`; LUN block size is 512 bytes; a LUN's
//! volume name is its logical unit (the last part of `/vol/<vol>/<lun>`).

use lsm_core::types::*;
use lsm_core::{ErrorNumber, LsmError};

use crate::client::models;

/// LUNs are addressed in 512-byte blocks.
pub const BLOCK_SIZE: i64 = 512;

/// NAA 6 with NetApp's IEEE OUI (`00a098`): the first 8 hex digits of every LUN's vpd83.
const NETAPP_NAA_PREFIX: &str = "600a0980";

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

/// The cluster as the LSM system: OK when every node is `up`, else DEGRADED (some node is
/// not) or UNKNOWN (no node reported).
pub fn cluster_to_system(cluster: &models::Cluster, nodes: &[models::Node]) -> System {
    let down: Vec<String> = nodes
        .iter()
        .filter(|node| node.state.as_deref() != Some("up"))
        .map(|node| {
            format!(
                "node {} is {}",
                text(&node.name),
                node.state.as_deref().unwrap_or("unknown")
            )
        })
        .collect();
    let (status, status_info) = if nodes.is_empty() {
        (SystemStatus::UNKNOWN, "no node reported".to_string())
    } else if down.is_empty() {
        (SystemStatus::OK, String::new())
    } else {
        (SystemStatus::DEGRADED, down.join(", "))
    };
    System {
        id: cluster
            .uuid
            .clone()
            .or_else(|| cluster.name.clone())
            .unwrap_or_default(),
        name: text(&cluster.name),
        status,
        status_info,
        plugin_data: None,
        fw_version: cluster
            .version
            .as_ref()
            .and_then(|v| v.full.clone())
            .unwrap_or_default(),
        read_cache_pct: lsm_core::read_cache_pct::NO_SUPPORT,
        mode: SystemMode::NO_SUPPORT,
    }
}

/// True for a node's root aggregate (ONTAP names them `aggr0*` and does not flag them).
pub fn is_root_aggregate(aggregate: &models::Aggregate) -> bool {
    aggregate
        .name
        .as_deref()
        .is_some_and(|name| name.starts_with("aggr0"))
}

/// An aggregate as an LSM pool: it holds FlexVols (file systems) and, in FlexVols, LUNs
/// (thin or thick).
pub fn aggregate_to_pool(aggregate: &models::Aggregate, system_id: &str) -> Pool {
    let space = aggregate
        .space
        .as_ref()
        .and_then(|space| space.block_storage.as_ref());
    let total = space.and_then(|s| s.size).unwrap_or(0);
    let free = space
        .and_then(|s| s.available)
        .or_else(|| Some(total - space?.used?))
        .unwrap_or(0);
    let state = aggregate.state.as_deref().unwrap_or("unknown");
    let status = match state {
        "online" => PoolStatus::OK,
        "offline" | "offlining" | "unmounted" | "restricted" => PoolStatus::STOPPED,
        "failed" | "inconsistent" => PoolStatus::ERROR,
        "onlining" | "relocating" => PoolStatus::OTHER,
        _ => PoolStatus::UNKNOWN,
    };
    let element_type = if is_root_aggregate(aggregate) {
        PoolElementType::SYS_RESERVED
    } else {
        PoolElementType::VOLUME
            | PoolElementType::VOLUME_THIN
            | PoolElementType::VOLUME_FULL
            | PoolElementType::FS
    };
    Pool {
        id: text(&aggregate.uuid),
        name: text(&aggregate.name),
        element_type,
        unsupported_actions: PoolUnsupportedActions::default(),
        total_space: total.max(0),
        free_space: free.clamp(0, total.max(0)),
        status,
        status_info: if status == PoolStatus::OK {
            String::new()
        } else {
            format!("aggregate is {state}")
        },
        system_id: system_id.to_string(),
        plugin_data: None,
    }
}

/// The vpd83 an initiator sees for a LUN: NAA 6 `600a0980` + the hex of its 12-character
/// serial number, or `""` when the serial is not 12 characters.
pub fn lun_vpd83(serial_number: &str) -> String {
    if serial_number.len() != 12 || !serial_number.is_ascii() {
        return String::new();
    }
    let mut vpd83 = String::with_capacity(32);
    vpd83.push_str(NETAPP_NAA_PREFIX);
    for byte in serial_number.bytes() {
        vpd83.push_str(&format!("{byte:02x}"));
    }
    vpd83
}

/// The logical unit of a LUN: `location.logical_unit`, else the last part of its
/// `/vol/<vol>[/<qtree>]/<lun>` name.
pub fn lun_logical_unit(lun: &models::Lun) -> String {
    lun.location
        .as_ref()
        .and_then(|location| location.logical_unit.clone())
        .or_else(|| {
            lun.name
                .as_deref()
                .and_then(|name| name.rsplit('/').next())
                .map(str::to_string)
        })
        .unwrap_or_default()
}

/// A LUN as an LSM volume in pool `pool_id` (the aggregate of the FlexVol holding it).
pub fn lun_to_volume(lun: &models::Lun, system_id: &str, pool_id: &str) -> Volume {
    let size = lun.space.as_ref().and_then(|space| space.size).unwrap_or(0);
    let enabled = lun.enabled.unwrap_or_else(|| {
        lun.status
            .as_ref()
            .and_then(|status| status.state.as_deref())
            == Some("online")
    });
    Volume {
        id: text(&lun.uuid),
        name: lun_logical_unit(lun),
        vpd83: lun_vpd83(lun.serial_number.as_deref().unwrap_or("")),
        block_size: BLOCK_SIZE,
        num_of_blocks: size.max(0) / BLOCK_SIZE,
        admin_state: if enabled {
            VolumeAdminState::ENABLED
        } else {
            VolumeAdminState::DISABLED
        },
        system_id: system_id.to_string(),
        pool_id: pool_id.to_string(),
        plugin_data: None,
    }
}

/// An igroup as an LSM access group: `iscsi` holds IQNs, `fcp` WWPNs; a `mixed` one (as
/// the plugin makes them) is of the type of its initiators, `ISCSI_WWPN_MIXED` when it
/// holds both kinds (or none).
pub fn igroup_to_access_group(igroup: &models::Igroup, system_id: &str) -> AccessGroup {
    let names = || igroup.initiators.iter().filter_map(|i| i.name.as_deref());
    let init_type = match igroup.protocol.as_deref() {
        Some("iscsi") => InitiatorType::ISCSI_IQN,
        Some("fcp") => InitiatorType::WWPN,
        Some("mixed") => {
            let wwpns = names()
                .filter(|name| lsm_core::validate::wwpn_normalize(name).is_some())
                .count();
            match (wwpns, names().count()) {
                (0, 0) => InitiatorType::ISCSI_WWPN_MIXED,
                (0, _) => InitiatorType::ISCSI_IQN,
                (w, all) if w == all => InitiatorType::WWPN,
                _ => InitiatorType::ISCSI_WWPN_MIXED,
            }
        }
        _ => InitiatorType::UNKNOWN,
    };
    AccessGroup {
        id: text(&igroup.uuid),
        name: text(&igroup.name),
        init_ids: igroup
            .initiators
            .iter()
            .filter_map(|initiator| initiator.name.as_deref())
            .map(|name| lsm_core::validate::wwpn_normalize(name).unwrap_or_else(|| name.into()))
            .collect(),
        init_type,
        system_id: system_id.to_string(),
        plugin_data: None,
    }
}

/// The igroup `protocol` for an LSM initiator type.
pub fn igroup_protocol(init_type: InitiatorType) -> Result<&'static str, LsmError> {
    match init_type {
        InitiatorType::ISCSI_IQN => Ok("iscsi"),
        InitiatorType::WWPN => Ok("fcp"),
        InitiatorType::ISCSI_WWPN_MIXED => Ok("mixed"),
        other => Err(LsmError::invalid_argument(format!(
            "ONTAP igroups hold iSCSI or FC initiators, not initiator type {}",
            other.0
        ))),
    }
}

/// An iSCSI LIF as an LSM target port; `target_iqn` is its SVM's iSCSI target name. iSCSI
/// listens on TCP port 3260 on every ONTAP LIF.
pub fn iscsi_lif_to_target_port(
    lif: &models::IpInterface,
    target_iqn: &str,
    system_id: &str,
) -> TargetPort {
    let address = lif
        .ip
        .as_ref()
        .and_then(|ip| ip.address.clone())
        .unwrap_or_default();
    let network_address = if address.contains(':') {
        format!("[{address}]:3260")
    } else {
        format!("{address}:3260")
    };
    TargetPort {
        id: text(&lif.uuid),
        port_type: TargetPortType::ISCSI,
        service_address: target_iqn.to_string(),
        network_address,
        physical_address: String::new(),
        physical_name: port_name(lif.location.as_ref()).unwrap_or_else(|| text(&lif.name)),
        system_id: system_id.to_string(),
        plugin_data: None,
    }
}

fn port_name(location: Option<&models::InterfaceLocation>) -> Option<String> {
    let location = location?;
    location
        .home_port
        .as_ref()
        .or(location.port.as_ref())
        .and_then(|port| port.name.clone())
}

/// An FC interface as an LSM target port: the WWPN as service, network and physical
/// address.
pub fn fc_interface_to_target_port(fc: &models::FcInterface, system_id: &str) -> TargetPort {
    let wwpn = fc
        .wwpn
        .as_deref()
        .map(|wwpn| lsm_core::validate::wwpn_normalize(wwpn).unwrap_or_else(|| wwpn.into()))
        .unwrap_or_default();
    TargetPort {
        id: text(&fc.uuid),
        port_type: TargetPortType::FC,
        service_address: wwpn.clone(),
        network_address: wwpn.clone(),
        physical_address: wwpn,
        physical_name: port_name(fc.location.as_ref()).unwrap_or_else(|| text(&fc.name)),
        system_id: system_id.to_string(),
        plugin_data: None,
    }
}

/// An ONTAP disk as an LSM disk.
pub fn disk_to_disk(disk: &models::Disk, system_id: &str) -> Disk {
    let disk_type = match disk.disk_type.as_deref() {
        Some("sas") => DiskType::SAS,
        Some("fsas") => DiskType::NL_SAS,
        Some("bsas" | "msata") => DiskType::SATA,
        Some("ata") => DiskType::ATA,
        Some("fcal") => DiskType::FC,
        Some("ssd" | "ssd_cap" | "ssd_nvm" | "ssd_zns") => DiskType::SSD,
        Some("lun" | "vmlun") => DiskType::LUN,
        Some("unknown") | None => DiskType::UNKNOWN,
        Some(_) => DiskType::OTHER,
    };
    let mut status = match disk.state.as_deref() {
        Some("present" | "spare" | "partner" | "copy") => DiskStatus::OK,
        Some("broken") => DiskStatus::ERROR,
        Some("removed") => DiskStatus::REMOVED,
        Some("reconstructing") => DiskStatus::RECONSTRUCT,
        Some("maintenance") => DiskStatus::MAINTENANCE_MODE,
        Some("zeroing" | "unfail" | "pending") => DiskStatus::INITIALIZING,
        _ => DiskStatus::UNKNOWN,
    };
    match disk.container_type.as_deref() {
        Some("spare") => status |= DiskStatus::SPARE_DISK,
        Some("unassigned") => status |= DiskStatus::FREE,
        Some("broken") => status = DiskStatus::ERROR,
        _ => {}
    }
    let block_size = disk.bytes_per_sector.filter(|b| *b > 0).unwrap_or(512);
    let num_of_blocks = disk
        .sector_count
        .or_else(|| disk.usable_size.map(|size| size / block_size))
        .unwrap_or(0);
    let location = match (&disk.shelf, disk.bay) {
        (Some(shelf), Some(bay)) => format!("shelf {} bay {bay}", text(&shelf.uid)),
        _ => String::new(),
    };
    Disk {
        id: disk
            .uid
            .clone()
            .or_else(|| disk.name.clone())
            .unwrap_or_default(),
        name: text(&disk.name),
        disk_type,
        block_size,
        num_of_blocks,
        status,
        system_id: system_id.to_string(),
        plugin_data: None,
        vpd83: String::new(),
        location,
        rpm: disk.rpm.unwrap_or(lsm_core::rpm::NO_SUPPORT),
        link_type: DiskLinkType::NO_SUPPORT,
    }
}

/// A FlexVol as an LSM file system in the pool of its (first) aggregate.
pub fn flexvol_to_fs(volume: &models::FlexVol, system_id: &str) -> FileSystem {
    let space = volume.space.as_ref();
    let total = space
        .and_then(|space| space.size)
        .or(volume.size)
        .unwrap_or(0);
    let free = space
        .and_then(|space| space.available)
        .or_else(|| Some(total - space?.used?))
        .unwrap_or(0);
    FileSystem {
        id: text(&volume.uuid),
        name: text(&volume.name),
        total_space: total.max(0),
        free_space: free.clamp(0, total.max(0)),
        pool_id: volume
            .aggregates
            .first()
            .and_then(|aggregate| aggregate.uuid.clone())
            .unwrap_or_default(),
        system_id: system_id.to_string(),
        plugin_data: None,
    }
}

/// A snapshot as an LSM file system snapshot; `ts` is its creation time in seconds since
/// the epoch (0 when ONTAP gave none or an unreadable one).
pub fn snapshot_to_fs_snapshot(snapshot: &models::Snapshot) -> FsSnapshot {
    FsSnapshot {
        id: text(&snapshot.uuid),
        name: text(&snapshot.name),
        ts: snapshot
            .create_time
            .as_deref()
            .and_then(iso8601_to_epoch)
            .unwrap_or(0),
        plugin_data: None,
    }
}

pub use lsm_rest::iso8601_to_epoch;

/// A FlexVol's export (its junction path under its export policy) as an LSM NFS export.
///
/// Its id is the FlexVol's uuid (a volume has one junction and one policy). Each rule's
/// clients go to `rw` (rw rule not `never`) or `ro`, and to `root` as well when the rule's
/// superuser flavours grant one (anything but `none` and `never`); `anonuid` is the rules' anonymous user
/// when it is numeric (ONTAP has no anonymous gid: -1); `auth` is the read-only flavour of
/// the first rule.
pub fn export_to_nfs_export(volume: &models::FlexVol, policy: &models::ExportPolicy) -> NfsExport {
    let mut export = NfsExport {
        id: text(&volume.uuid),
        fs_id: text(&volume.uuid),
        export_path: volume
            .nas
            .as_ref()
            .and_then(|nas| nas.path.clone())
            .unwrap_or_default(),
        auth: policy
            .rules
            .first()
            .and_then(|rule| rule.ro_rule.first().cloned())
            .unwrap_or_else(|| "sys".to_string()),
        root: Vec::new(),
        rw: Vec::new(),
        ro: Vec::new(),
        anonuid: -1,
        anongid: -1,
        options: None,
        plugin_data: None,
    };
    for rule in &policy.rules {
        let read_write = !rule.rw_rule.iter().any(|flavour| flavour == "never");
        let root = rule
            .superuser
            .iter()
            .any(|flavour| flavour != "none" && flavour != "never");
        for client in rule.clients.iter().filter_map(|c| c.client_match.clone()) {
            if root {
                export.root.push(client.clone());
            }
            if read_write {
                export.rw.push(client);
            } else {
                export.ro.push(client);
            }
        }
        if let Some(uid) = rule
            .anonymous_user
            .as_deref()
            .and_then(|user| user.parse::<i64>().ok())
        {
            export.anonuid = uid;
        }
    }
    export
}

/// What a plugin fetches once an ONTAP job has succeeded, to answer the LSM job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobResult {
    /// Nothing: the job's success is the answer (a delete, a restore).
    Nothing,
    /// The FlexVol of this name in the SVM of the session (a file system created, cloned or
    /// resized).
    FileSystem(String),
    /// The snapshot of this name of the FlexVol with this uuid.
    Snapshot { volume_uuid: String, name: String },
    /// A LUN to make once its container FlexVol (the job's work) is there: a volume create
    /// whose container took longer than the plugin waits.
    Lun {
        container: String,
        name: String,
        size: i64,
        thick: bool,
    },
}

/// The LSM job id of an ONTAP job: `ONTAP_JOB:<job uuid>:<what to fetch>`. It carries all a
/// plugin process needs to answer `job_status` (no job state is kept in the plugin), so
/// `lsmcli -b` and a later `job-status` from another process work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobToken {
    /// The ONTAP job's uuid.
    pub ontap_job: String,
    /// What to fetch when it has succeeded.
    pub result: JobResult,
}

const JOB_PREFIX: &str = "ONTAP_JOB";

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<String> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let bytes = (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(text.get(at..at + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    String::from_utf8(bytes).ok()
}

impl JobToken {
    /// The LSM job id.
    pub fn encode(&self) -> String {
        let what = match &self.result {
            JobResult::Nothing => "none".to_string(),
            JobResult::FileSystem(name) => format!("fs:{}", hex(name)),
            JobResult::Snapshot { volume_uuid, name } => {
                format!("snap:{}:{}", hex(volume_uuid), hex(name))
            }
            JobResult::Lun {
                container,
                name,
                size,
                thick,
            } => format!(
                "lun:{}:{}:{size}:{}",
                hex(container),
                hex(name),
                u8::from(*thick)
            ),
        };
        format!("{JOB_PREFIX}:{}:{what}", self.ontap_job)
    }

    /// The token of an LSM job id; `NOT_FOUND_JOB` for an id this plugin did not make.
    pub fn decode(job_id: &str) -> Result<JobToken, LsmError> {
        let not_found = || {
            LsmError::new(
                ErrorNumber::NOT_FOUND_JOB,
                format!("Job {job_id} not found"),
            )
        };
        let mut parts = job_id.split(':');
        if parts.next() != Some(JOB_PREFIX) {
            return Err(not_found());
        }
        let ontap_job = parts.next().filter(|uuid| {
            !uuid.is_empty() && uuid.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
        });
        let ontap_job = ontap_job.ok_or_else(not_found)?.to_string();
        let rest: Vec<&str> = parts.collect();
        let result = match rest.as_slice() {
            ["none"] => JobResult::Nothing,
            ["fs", name] => JobResult::FileSystem(unhex(name).ok_or_else(not_found)?),
            ["snap", volume, name] => JobResult::Snapshot {
                volume_uuid: unhex(volume).ok_or_else(not_found)?,
                name: unhex(name).ok_or_else(not_found)?,
            },
            ["lun", container, name, size, thick] => JobResult::Lun {
                container: unhex(container).ok_or_else(not_found)?,
                name: unhex(name).ok_or_else(not_found)?,
                size: size
                    .parse()
                    .ok()
                    .filter(|size| *size > 0)
                    .ok_or_else(not_found)?,
                thick: match *thick {
                    "1" => true,
                    "0" => false,
                    _ => return Err(not_found()),
                },
            },
            _ => return Err(not_found()),
        };
        Ok(JobToken { ontap_job, result })
    }
}

/// The LSM job status of an ONTAP job state, with its percent (ONTAP reports none).
pub fn job_status(state: Option<&str>) -> (JobStatus, u8) {
    match state {
        Some("success") => (JobStatus::COMPLETE, 100),
        Some("failure") => (JobStatus::ERROR, 100),
        Some("running") => (JobStatus::INPROGRESS, 50),
        _ => (JobStatus::INPROGRESS, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse<T: serde::de::DeserializeOwned>(json: &str) -> T {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn the_cluster_is_ok_only_when_every_node_is_up() {
        let cluster: models::Cluster = parse(
            r#"{"name": "cluster1", "uuid": "4ea7a442-86d1-11e0-ae1c-123478563412",
                "version": {"full": "NetApp Release 9.13.1: Tue Jul 25 10:19:28 UTC 2023",
                            "generation": 9, "major": 13, "minor": 1}}"#,
        );
        let up: Vec<models::Node> =
            parse(r#"[{"name": "n1", "state": "up"}, {"name": "n2", "state": "up"}]"#);
        let system = cluster_to_system(&cluster, &up);
        assert_eq!(system.id, "4ea7a442-86d1-11e0-ae1c-123478563412");
        assert_eq!(system.name, "cluster1");
        assert_eq!(system.status, SystemStatus::OK);
        assert!(system.fw_version.starts_with("NetApp Release 9.13.1"));
        let one_down: Vec<models::Node> =
            parse(r#"[{"name": "n1", "state": "up"}, {"name": "n2", "state": "taken_over"}]"#);
        let system = cluster_to_system(&cluster, &one_down);
        assert_eq!(system.status, SystemStatus::DEGRADED);
        assert_eq!(system.status_info, "node n2 is taken_over");
        assert_eq!(
            cluster_to_system(&cluster, &[]).status,
            SystemStatus::UNKNOWN
        );
    }

    #[test]
    fn aggregates_become_pools_and_root_aggregates_are_reserved() {
        let data: models::Aggregate = parse(
            r#"{"name": "aggr1", "uuid": "19425837-f2fa-4a9f-8f01-712f626c983c", "state": "online",
                "space": {"block_storage": {"size": 235003904, "available": 191942656, "used": 43061248}},
                "block_storage": {"primary": {"disk_count": 6, "raid_type": "raid_dp"}}}"#,
        );
        let pool = aggregate_to_pool(&data, "sys");
        assert_eq!(pool.id, "19425837-f2fa-4a9f-8f01-712f626c983c");
        assert_eq!(
            (pool.total_space, pool.free_space),
            (235_003_904, 191_942_656)
        );
        assert_eq!(pool.status, PoolStatus::OK);
        assert!(pool.element_type.contains(PoolElementType::VOLUME_THIN));
        assert!(pool.element_type.contains(PoolElementType::FS));
        let root: models::Aggregate =
            parse(r#"{"name": "aggr0_node1", "uuid": "u0", "state": "offline"}"#);
        let pool = aggregate_to_pool(&root, "sys");
        assert_eq!(pool.element_type, PoolElementType::SYS_RESERVED);
        assert_eq!(pool.status, PoolStatus::STOPPED);
        assert_eq!(pool.status_info, "aggregate is offline");
    }

    #[test]
    fn a_lun_becomes_a_volume_with_netapps_naa_vpd83() {
        let lun: models::Lun = parse(
            r#"{"serial_number": "wf0Iq+N4uck3", "uuid": "5a24ae5b-28af-47fb-b129-5adf6cfba0a6",
                "enabled": true, "name": "/vol/vol1/lun1",
                "status": {"state": "online", "read_only": false, "mapped": true},
                "space": {"guarantee": {"requested": false, "reserved": false},
                          "size": 322163441664, "used": 0},
                "location": {"logical_unit": "lun1", "volume": {"uuid": "71cd0dba", "name": "vol1"}}}"#,
        );
        let volume = lun_to_volume(&lun, "sys", "aggr-uuid");
        assert_eq!(volume.id, "5a24ae5b-28af-47fb-b129-5adf6cfba0a6");
        assert_eq!(volume.name, "lun1");
        // "wf0Iq+N4uck3" in hex after NetApp's NAA 6 prefix.
        assert_eq!(volume.vpd83, "600a098077663049712b4e3475636b33");
        assert!(lsm_core::validate::vpd83_is_valid(&volume.vpd83));
        assert_eq!(volume.size_bytes(), 322_163_441_664);
        assert_eq!(volume.admin_state, VolumeAdminState::ENABLED);
        assert_eq!(volume.pool_id, "aggr-uuid");

        let offline: models::Lun = parse(
            r#"{"uuid": "u2", "name": "/vol/vol1/qtree1/lun2", "status": {"state": "offline"}}"#,
        );
        let volume = lun_to_volume(&offline, "sys", "p");
        assert_eq!(volume.name, "lun2");
        assert_eq!(volume.admin_state, VolumeAdminState::DISABLED);
        assert_eq!(
            volume.vpd83, "",
            "no serial: no vpd83 rather than a wrong one"
        );
    }

    #[test]
    fn igroups_become_access_groups_by_protocol() {
        let iscsi: models::Igroup = parse(
            r#"{"name": "igroup1", "uuid": "4ea7a442-86d1-11e0-ae1c-123478563412",
                "protocol": "iscsi", "os_type": "linux",
                "initiators": [{"name": "iqn.1998-01.com.corp.iscsi:name1"}]}"#,
        );
        let group = igroup_to_access_group(&iscsi, "sys");
        assert_eq!(group.init_type, InitiatorType::ISCSI_IQN);
        assert_eq!(group.init_ids, ["iqn.1998-01.com.corp.iscsi:name1"]);
        let fc: models::Igroup = parse(
            r#"{"name": "ig2", "uuid": "u", "protocol": "fcp",
                "initiators": [{"name": "20:00:00:25:B5:00:00:01"}]}"#,
        );
        let group = igroup_to_access_group(&fc, "sys");
        assert_eq!(group.init_type, InitiatorType::WWPN);
        assert_eq!(group.init_ids, ["20:00:00:25:b5:00:00:01"]);
        assert_eq!(igroup_protocol(InitiatorType::WWPN).unwrap(), "fcp");
        let mixed = |initiators: &str| -> models::Igroup {
            parse(&format!(
                r#"{{"name": "m", "uuid": "u", "protocol": "mixed", "initiators": {initiators}}}"#
            ))
        };
        let type_of = |initiators: &str| igroup_to_access_group(&mixed(initiators), "s").init_type;
        assert_eq!(
            type_of(r#"[{"name": "iqn.1998-01.com.corp:a"}]"#),
            InitiatorType::ISCSI_IQN
        );
        assert_eq!(
            type_of(r#"[{"name": "20:00:00:25:b5:00:00:01"}]"#),
            InitiatorType::WWPN
        );
        assert_eq!(
            type_of(r#"[{"name": "iqn.1998-01.com.corp:a"}, {"name": "20:00:00:25:b5:00:00:01"}]"#),
            InitiatorType::ISCSI_WWPN_MIXED
        );
        assert_eq!(
            igroup_protocol(InitiatorType::OTHER).unwrap_err().code,
            ErrorNumber::INVALID_ARGUMENT
        );
    }

    #[test]
    fn iscsi_lifs_and_fc_interfaces_become_target_ports() {
        let lif: models::IpInterface = parse(
            r#"{"name": "lif1", "uuid": "l1", "ip": {"address": "10.10.10.7", "netmask": "24"},
                "location": {"home_node": {"name": "node1"}, "home_port": {"name": "e0c"}},
                "services": ["data_core", "data_iscsi"]}"#,
        );
        let port = iscsi_lif_to_target_port(&lif, "iqn.1992-08.com.netapp:sn.abc:vs.3", "sys");
        assert_eq!(port.port_type, TargetPortType::ISCSI);
        assert_eq!(port.service_address, "iqn.1992-08.com.netapp:sn.abc:vs.3");
        assert_eq!(port.network_address, "10.10.10.7:3260");
        assert_eq!(port.physical_name, "e0c");
        let fc: models::FcInterface = parse(
            r#"{"name": "lif2", "uuid": "f1", "wwpn": "20:04:00:50:56:bb:b2:4b",
                "location": {"port": {"name": "0a", "node": {"name": "node1"}}}}"#,
        );
        let port = fc_interface_to_target_port(&fc, "sys");
        assert_eq!(port.port_type, TargetPortType::FC);
        assert_eq!(port.service_address, "20:04:00:50:56:bb:b2:4b");
        assert_eq!(port.physical_name, "0a");
    }

    #[test]
    fn disks_keep_type_size_and_state() {
        let disk: models::Disk = parse(
            r#"{"name": "1.0.3", "uid": "5000C290:7F6B8F2F", "type": "sas", "state": "present",
                "container_type": "spare", "usable_size": 1000000000, "rpm": 10000,
                "shelf": {"uid": "12439000444923584512"}, "bay": 3}"#,
        );
        let lsm = disk_to_disk(&disk, "sys");
        assert_eq!(lsm.id, "5000C290:7F6B8F2F");
        assert_eq!(lsm.disk_type, DiskType::SAS);
        assert_eq!(lsm.block_size, 512);
        assert_eq!(lsm.num_of_blocks, 1_000_000_000 / 512);
        assert!(lsm.status.contains(DiskStatus::OK));
        assert!(lsm.status.contains(DiskStatus::SPARE_DISK));
        assert_eq!(lsm.rpm, 10000);
        assert_eq!(lsm.location, "shelf 12439000444923584512 bay 3");
        let broken: models::Disk = parse(r#"{"name": "1.0.9", "type": "ssd", "state": "broken"}"#);
        let lsm = disk_to_disk(&broken, "sys");
        assert_eq!(lsm.id, "1.0.9");
        assert_eq!(lsm.status, DiskStatus::ERROR);
        assert_eq!(lsm.disk_type, DiskType::SSD);
    }

    #[test]
    fn flexvols_snapshots_and_exports() {
        let volume: models::FlexVol = parse(
            r#"{"name": "vol1", "uuid": "028baa66-41bd-11e9-81d5-00a0986138f7",
                "aggregates": [{"name": "aggr1", "uuid": "a1"}], "size": 1073741824,
                "space": {"size": 1073741824, "available": 1006632960, "used": 67108864},
                "guarantee": {"type": "none"},
                "nas": {"path": "/vol1", "export_policy": {"name": "lsm_exp", "id": 8589934594}}}"#,
        );
        let fs = flexvol_to_fs(&volume, "sys");
        assert_eq!(
            (fs.total_space, fs.free_space),
            (1_073_741_824, 1_006_632_960)
        );
        assert_eq!(fs.pool_id, "a1");

        let snapshot: models::Snapshot = parse(
            r#"{"name": "hourly.2019-03-13_1305", "uuid": "402b6c73-73a0-4e89-a58a-75ee0ab3e8c0",
                "create_time": "2019-03-13T13:05:00-04:00"}"#,
        );
        let snap = snapshot_to_fs_snapshot(&snapshot);
        assert_eq!(snap.ts, 1_552_496_700);

        let policy: models::ExportPolicy = parse(
            r#"{"name": "lsm_exp", "id": 8589934594, "rules": [
                 {"index": 1, "clients": [{"match": "10.0.0.0/24"}], "protocols": ["any"],
                  "ro_rule": ["sys"], "rw_rule": ["sys"], "superuser": ["sys"], "anonymous_user": "65534"},
                 {"index": 2, "clients": [{"match": "host2"}], "ro_rule": ["sys"],
                  "rw_rule": ["never"], "superuser": ["none"]}]}"#,
        );
        let export = export_to_nfs_export(&volume, &policy);
        assert_eq!(
            export.id, "028baa66-41bd-11e9-81d5-00a0986138f7",
            "an export is its volume"
        );
        assert_eq!(export.fs_id, "028baa66-41bd-11e9-81d5-00a0986138f7");
        assert_eq!(export.export_path, "/vol1");
        assert_eq!(export.rw, ["10.0.0.0/24"]);
        assert_eq!(export.root, ["10.0.0.0/24"]);
        assert_eq!(export.ro, ["host2"]);
        assert_eq!((export.anonuid, export.anongid), (65534, -1));
        assert_eq!(export.auth, "sys");
    }

    #[test]
    fn job_tokens_round_trip_and_foreign_ids_are_not_found() {
        let tokens = [
            JobToken {
                ontap_job: "0f1d5aa8-7b2e-11ee-b4a7-005056ae0b2b".into(),
                result: JobResult::Nothing,
            },
            JobToken {
                ontap_job: "0f1d5aa8".into(),
                result: JobResult::FileSystem("vol_a:b/c".into()),
            },
            JobToken {
                ontap_job: "abc-def".into(),
                result: JobResult::Snapshot {
                    volume_uuid: "028baa66-41bd".into(),
                    name: "snap 1".into(),
                },
            },
            JobToken {
                ontap_job: "abc-def".into(),
                result: JobResult::Lun {
                    container: "lsm_db_1".into(),
                    name: "db-1".into(),
                    size: 1 << 30,
                    thick: true,
                },
            },
        ];
        for token in tokens {
            let id = token.encode();
            assert!(id.starts_with("ONTAP_JOB:"), "{id}");
            assert_eq!(JobToken::decode(&id).unwrap(), token, "{id}");
        }
        for foreign in [
            "",
            "JOB_1",
            "ONTAP_JOB",
            "ONTAP_JOB::none",
            "ONTAP_JOB:x y:none",
            "ONTAP_JOB:ab:fs:zz",
            "ONTAP_JOB:ab:none:extra",
            "ONTAP_JOB:ab:lun:61:62:0:1",
            "ONTAP_JOB:ab:lun:61:62:-5:1",
            "ONTAP_JOB:ab:lun:61:62:512:2",
        ] {
            assert_eq!(
                JobToken::decode(foreign).unwrap_err().code,
                ErrorNumber::NOT_FOUND_JOB,
                "{foreign:?}"
            );
        }
        assert_eq!(job_status(Some("success")), (JobStatus::COMPLETE, 100));
        assert_eq!(job_status(Some("failure")).0, JobStatus::ERROR);
        assert_eq!(job_status(Some("queued")), (JobStatus::INPROGRESS, 0));
    }
}
