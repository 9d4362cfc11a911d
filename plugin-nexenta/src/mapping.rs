//! From NexentaStor objects to LSM objects, as pure functions, and the LSM job ids that carry
//! a NexentaStor job.
//!
//! | LSM | NexentaStor | id |
//! |---|---|---|
//! | System | the appliance | `system.guid` |
//! | Pool | a ZFS pool; space from its root file system | pool name |
//! | Volume | a zvol (`/storage/volumes`); vpd83 = its logical unit's GUID | zvol path |
//! | AccessGroup | a host group | its name |
//! | TargetPort | a portal of an iSCSI target | `<target IQN>,<address>:<port>` |
//! | FileSystem | a file system (not a pool's root) | its path |
//! | FsSnapshot | a snapshot of a file system | `fs@name` |
//! | NfsExport | the NFS share of a file system | the file system's path |
//! | Disk | a disk of `/inventory/disks` | its logical device |
//!
//! Chosen: zvols are addressed in 512-byte blocks; a file system's size is its
//! `referencedQuotaSize` (without one, what it uses plus what is available to it).

use lsm_core::types::*;
use lsm_core::{ErrorNumber, LsmError};

use lsm_rest::{hex_decode as unhex, hex_encode as hex};

use crate::client::models;

/// Zvols are addressed in 512-byte blocks.
pub const BLOCK_SIZE: i64 = 512;

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

/// The last element of a dataset path (`pool/vg/v1` → `v1`).
pub fn leaf(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The pool of a dataset path (`pool/vg/v1` → `pool`).
pub fn pool_of(path: &str) -> &str {
    path.split('/').next().unwrap_or(path)
}

/// The appliance as the LSM system: OK with a valid license, else DEGRADED naming why.
pub fn appliance_to_system(
    guid: &str,
    name: Option<&str>,
    version: Option<&str>,
    license: Option<&models::License>,
) -> System {
    let (status, status_info) = match license.and_then(|l| l.valid) {
        Some(false) => (
            SystemStatus::DEGRADED,
            format!(
                "the license is not valid{}",
                license
                    .and_then(|l| l.expires.as_deref())
                    .map(|e| format!(" (expires {e})"))
                    .unwrap_or_default()
            ),
        ),
        _ => (SystemStatus::OK, String::new()),
    };
    System {
        id: guid.to_string(),
        name: name
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| format!("NexentaStor {guid}")),
        status,
        status_info,
        plugin_data: None,
        fw_version: version.unwrap_or_default().to_string(),
        read_cache_pct: lsm_core::read_cache_pct::NO_SUPPORT,
        mode: SystemMode::NO_SUPPORT,
    }
}

/// A ZFS pool as an LSM pool, its space that of its root file system.
pub fn pool_to_pool(pool: &models::Pool, root: Option<&models::Space>, system_id: &str) -> Pool {
    let name = text(&pool.pool_name);
    let used = root.and_then(|r| r.bytes_used).unwrap_or(0).max(0);
    let free = root.and_then(|r| r.bytes_available).unwrap_or(0).max(0);
    let health = pool.health.as_deref().unwrap_or("UNKNOWN");
    let status = match health {
        "ONLINE" => PoolStatus::OK,
        "DEGRADED" => PoolStatus::DEGRADED,
        "FAULTED" | "UNAVAIL" => PoolStatus::ERROR,
        "OFFLINE" | "REMOVED" => PoolStatus::STOPPED,
        _ => PoolStatus::UNKNOWN,
    };
    Pool {
        id: name.clone(),
        name,
        element_type: PoolElementType::VOLUME
            | PoolElementType::VOLUME_THIN
            | PoolElementType::VOLUME_FULL
            | PoolElementType::FS,
        unsupported_actions: PoolUnsupportedActions::default(),
        total_space: used.saturating_add(free),
        free_space: free,
        status,
        status_info: if status == PoolStatus::OK {
            String::new()
        } else {
            format!("ZFS pool health is {health}")
        },
        system_id: system_id.to_string(),
        plugin_data: None,
    }
}

/// The vpd83 of a logical unit: its GUID (32 hex digits, NAA 6) in lower case; anything
/// else gives none.
pub fn lu_vpd83(guid: &str) -> String {
    let guid = guid.trim().to_ascii_lowercase();
    let guid = guid.strip_prefix("0x").unwrap_or(&guid);
    if guid.len() == 32 && guid.starts_with('6') && guid.bytes().all(|b| b.is_ascii_hexdigit()) {
        guid.to_string()
    } else {
        String::new()
    }
}

/// A zvol as an LSM volume; `guid` is its logical unit's, if it has one.
pub fn zvol_to_volume(zvol: &models::Volume, guid: Option<&str>, system_id: &str) -> Volume {
    let path = text(&zvol.path);
    let size = zvol.volume_size.unwrap_or(0).max(0);
    Volume {
        name: zvol.name.clone().unwrap_or_else(|| leaf(&path).to_string()),
        vpd83: guid.map(lu_vpd83).unwrap_or_default(),
        block_size: BLOCK_SIZE,
        num_of_blocks: size / BLOCK_SIZE,
        admin_state: VolumeAdminState::ENABLED,
        system_id: system_id.to_string(),
        pool_id: pool_of(&path).to_string(),
        plugin_data: None,
        id: path,
    }
}

/// The LSM initiator type of a host group's members.
fn members_type(members: &[String]) -> InitiatorType {
    let wwpns = members
        .iter()
        .filter(|m| lsm_core::validate::wwpn_normalize(m).is_some())
        .count();
    match (wwpns, members.len()) {
        (0, 0) => InitiatorType::ISCSI_IQN,
        (0, _) => InitiatorType::ISCSI_IQN,
        (w, all) if w == all => InitiatorType::WWPN,
        _ => InitiatorType::ISCSI_WWPN_MIXED,
    }
}

/// A host group as an LSM access group.
pub fn host_group_to_access_group(group: &models::HostGroup, system_id: &str) -> AccessGroup {
    let name = text(&group.name);
    AccessGroup {
        id: name.clone(),
        name,
        init_ids: group
            .members
            .iter()
            .map(|m| lsm_core::validate::wwpn_normalize(m).unwrap_or_else(|| m.clone()))
            .collect(),
        init_type: members_type(&group.members),
        system_id: system_id.to_string(),
        plugin_data: None,
    }
}

/// Each portal of an iSCSI target as an LSM target port.
pub fn target_to_ports(target: &models::Target, system_id: &str) -> Vec<TargetPort> {
    let iqn = text(&target.name);
    target
        .portals
        .iter()
        .map(|portal| {
            let address = text(&portal.address);
            let port = portal.port.unwrap_or(3260);
            let network_address = if address.contains(':') {
                format!("[{address}]:{port}")
            } else {
                format!("{address}:{port}")
            };
            TargetPort {
                id: format!("{iqn},{network_address}"),
                port_type: TargetPortType::ISCSI,
                service_address: iqn.clone(),
                network_address,
                physical_address: String::new(),
                physical_name: String::new(),
                system_id: system_id.to_string(),
                plugin_data: None,
            }
        })
        .collect()
}

/// A file system as an LSM file system.
pub fn filesystem_to_fs(fs: &models::Filesystem, system_id: &str) -> FileSystem {
    let path = text(&fs.path);
    let used = fs.bytes_used.unwrap_or(0).max(0);
    let available = fs.bytes_available.unwrap_or(0).max(0);
    let total = match fs.referenced_quota_size {
        Some(quota) if quota > 0 => quota,
        _ => used + available,
    };
    FileSystem {
        name: fs.name.clone().unwrap_or_else(|| leaf(&path).to_string()),
        total_space: total,
        free_space: available.min(total),
        pool_id: pool_of(&path).to_string(),
        system_id: system_id.to_string(),
        plugin_data: None,
        id: path,
    }
}

/// A snapshot as an LSM file system snapshot.
pub fn snapshot_to_fs_snapshot(snapshot: &models::Snapshot) -> FsSnapshot {
    let path = text(&snapshot.path);
    FsSnapshot {
        name: snapshot
            .name
            .clone()
            .unwrap_or_else(|| path.rsplit('@').next().unwrap_or_default().to_string()),
        ts: snapshot
            .creation_time
            .as_deref()
            .and_then(lsm_rest::iso8601_to_epoch)
            .unwrap_or(0),
        plugin_data: None,
        id: path,
    }
}

/// A host entry as LSM writes it: `host`, or `address/prefix` for a network.
fn host_text(entry: &models::HostEntry) -> String {
    let entity = text(&entry.entity);
    match (entry.etype.as_deref(), entry.mask) {
        (Some("network"), Some(mask)) => format!("{entity}/{mask}"),
        _ => entity,
    }
}

/// An LSM host (`name`, `10.0.0.0/24`, `10.0.0.5`) as a NEF host entry.
pub fn host_entry(host: &str) -> models::HostEntry {
    match host.split_once('/') {
        Some((address, mask)) if mask.parse::<u8>().is_ok_and(|m| m <= 128) => models::HostEntry {
            etype: Some("network".into()),
            entity: Some(address.to_string()),
            mask: mask.parse().ok(),
            allow: Some(true),
        },
        _ => models::HostEntry {
            etype: Some("fqdn".into()),
            entity: Some(host.to_string()),
            mask: None,
            allow: Some(true),
        },
    }
}

/// The anonymous uid of a share's `anon`: `root` 0, `nobody` 65534, a number as it is.
pub fn anon_uid(anon: Option<&serde_json::Value>) -> i64 {
    match anon {
        Some(serde_json::Value::Number(n)) => n.as_i64().unwrap_or(-1),
        Some(serde_json::Value::String(s)) => match s.as_str() {
            "root" => 0,
            "nobody" => 65534,
            "" => -1,
            other => other.parse().unwrap_or(-1),
        },
        _ => -1,
    }
}

/// A file system's NFS share as an LSM export (path: the file system's mount point).
pub fn share_to_export(share: &models::NfsShare, mount_point: &str) -> NfsExport {
    let fs = text(&share.filesystem);
    let context = share.security_contexts.first();
    let list = |pick: fn(&models::SecurityContext) -> &Vec<models::HostEntry>| -> Vec<String> {
        context
            .map(|c| {
                pick(c)
                    .iter()
                    .filter(|e| e.allow != Some(false))
                    .map(host_text)
                    .collect()
            })
            .unwrap_or_default()
    };
    NfsExport {
        id: fs.clone(),
        fs_id: fs,
        export_path: mount_point.to_string(),
        auth: context
            .and_then(|c| c.security_modes.first().cloned())
            .unwrap_or_else(|| "sys".into()),
        root: list(|c| &c.root),
        rw: list(|c| &c.read_write_list),
        ro: list(|c| &c.read_only_list),
        anonuid: anon_uid(share.anon.as_ref()),
        anongid: lsm_core::types::anon_id::NA,
        options: None,
        plugin_data: None,
    }
}

/// A disk as an LSM disk.
pub fn disk_to_disk(disk: &models::Disk, system_id: &str) -> Disk {
    let name = text(&disk.logical_device);
    let mut status = DiskStatus::OK;
    if disk.pool.as_deref().is_none_or(str::is_empty) {
        status |= DiskStatus::FREE;
    }
    Disk {
        id: name.clone(),
        name,
        disk_type: DiskType::UNKNOWN,
        block_size: BLOCK_SIZE,
        num_of_blocks: disk.size_bytes.unwrap_or(0).max(0) / BLOCK_SIZE,
        status,
        system_id: system_id.to_string(),
        plugin_data: None,
        vpd83: String::new(),
        location: String::new(),
        rpm: lsm_core::rpm::NO_SUPPORT,
        link_type: DiskLinkType::NO_SUPPORT,
    }
}

/// What a plugin fetches once a NexentaStor job has ended, to answer the LSM job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobResult {
    /// Nothing: the job's success is the answer.
    Nothing,
    /// The zvol at this path.
    Volume(String),
    /// The file system at this path.
    FileSystem(String),
    /// The snapshot at this path.
    Snapshot(String),
    /// The zvol at this path, made by the replication service the monitor path names.
    Copy(String),
}

/// The LSM job id of a NexentaStor job: `NSTOR_JOB:<hex monitor path>:<kind>:<hex path>`,
/// all a plugin process needs to answer `job_status` (nothing is kept in the plugin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobToken {
    /// The job's monitor path (`/jobStatus/<id>`).
    pub monitor: String,
    /// What to fetch when it has succeeded.
    pub result: JobResult,
}

const JOB_PREFIX: &str = "NSTOR_JOB";

impl JobToken {
    /// The LSM job id.
    pub fn encode(&self) -> String {
        let (kind, path) = match &self.result {
            JobResult::Nothing => ("N", ""),
            JobResult::Volume(path) => ("V", path.as_str()),
            JobResult::FileSystem(path) => ("F", path.as_str()),
            JobResult::Snapshot(path) => ("S", path.as_str()),
            JobResult::Copy(path) => ("C", path.as_str()),
        };
        format!("{JOB_PREFIX}:{}:{kind}:{}", hex(&self.monitor), hex(path))
    }

    /// The token of an LSM job id; anything else is `NOT_FOUND_JOB`.
    pub fn decode(job_id: &str) -> Result<JobToken, LsmError> {
        let bad = || {
            LsmError::new(
                ErrorNumber::NOT_FOUND_JOB,
                format!("Job {job_id} not found"),
            )
        };
        let mut parts = job_id.split(':');
        if parts.next() != Some(JOB_PREFIX) {
            return Err(bad());
        }
        let monitor = parts.next().and_then(unhex).ok_or_else(bad)?;
        let kind = parts.next().ok_or_else(bad)?;
        let path = parts.next().and_then(unhex).ok_or_else(bad)?;
        if parts.next().is_some() || !monitor.starts_with('/') {
            return Err(bad());
        }
        let result = match kind {
            "N" => JobResult::Nothing,
            "V" => JobResult::Volume(path),
            "F" => JobResult::FileSystem(path),
            "S" => JobResult::Snapshot(path),
            "C" => JobResult::Copy(path),
            _ => return Err(bad()),
        };
        Ok(JobToken { monitor, result })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json<T: serde::de::DeserializeOwned>(text: &str) -> T {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn a_pool_takes_its_space_from_its_root_file_system() {
        let pool: models::Pool = json(r#"{"poolName": "pool1", "health": "ONLINE"}"#);
        let root: models::Space = json(r#"{"bytesAvailable": 700, "bytesUsed": 300}"#);
        let lsm = pool_to_pool(&pool, Some(&root), "sys");
        assert_eq!(
            (lsm.id.as_str(), lsm.total_space, lsm.free_space),
            ("pool1", 1000, 700)
        );
        assert_eq!(lsm.status, PoolStatus::OK);
        let degraded: models::Pool = json(r#"{"poolName": "p", "health": "DEGRADED"}"#);
        let lsm = pool_to_pool(&degraded, None, "sys");
        assert_eq!(lsm.status, PoolStatus::DEGRADED);
        assert!(lsm.status_info.contains("DEGRADED"));
    }

    #[test]
    fn a_pool_with_absurd_space_figures_is_still_a_pool() {
        // Found with the rest_nstor fuzz target: used + free overflowed and panicked.
        let pool: models::Pool = json(r#"{"poolName": "pool1", "health": "ONLINE"}"#);
        let root: models::Space =
            json(r#"{"bytesAvailable": 4398046511104, "bytesUsed": 9223372036854775000}"#);
        let lsm = pool_to_pool(&pool, Some(&root), "sys");
        assert_eq!(lsm.total_space, i64::MAX);
        assert!(lsm.free_space <= lsm.total_space);
    }

    #[test]
    fn a_zvol_is_a_volume_with_its_logical_units_guid() {
        let zvol: models::Volume = json(
            r#"{"path": "pool1/vg1/v1", "name": "v1", "volumeSize": 1048576, "sparseVolume": true}"#,
        );
        let v = zvol_to_volume(&zvol, Some("600144F0A1B2C3D4E5F6A7B8C9D0E1F2"), "sys");
        assert_eq!(v.id, "pool1/vg1/v1");
        assert_eq!(v.pool_id, "pool1");
        assert_eq!(v.num_of_blocks, 2048);
        assert_eq!(v.vpd83, "600144f0a1b2c3d4e5f6a7b8c9d0e1f2");
        assert_eq!(zvol_to_volume(&zvol, Some("nonsense"), "s").vpd83, "");
    }

    #[test]
    fn host_groups_targets_and_file_systems() {
        let group: models::HostGroup =
            json(r#"{"name": "hg1", "members": ["iqn.1994-05.com.redhat:a"]}"#);
        let ag = host_group_to_access_group(&group, "sys");
        assert_eq!(
            (ag.id.as_str(), ag.init_type),
            ("hg1", InitiatorType::ISCSI_IQN)
        );
        let target: models::Target = json(
            r#"{"name": "iqn.2005-07.com.nexenta:01:t", "portals": [{"address": "10.0.0.5", "port": 3260}, {"address": "10.0.1.5", "port": 3260}]}"#,
        );
        let ports = target_to_ports(&target, "sys");
        assert_eq!(ports.len(), 2);
        assert_eq!(ports[1].network_address, "10.0.1.5:3260");
        assert_eq!(ports[0].service_address, "iqn.2005-07.com.nexenta:01:t");
        let fs: models::Filesystem = json(
            r#"{"path": "pool1/nfs/fs1", "bytesUsed": 100, "bytesAvailable": 924, "referencedQuotaSize": 1024}"#,
        );
        let lsm = filesystem_to_fs(&fs, "sys");
        assert_eq!(
            (lsm.name.as_str(), lsm.total_space, lsm.free_space),
            ("fs1", 1024, 924)
        );
    }

    #[test]
    fn shares_become_exports_and_hosts_entries() {
        let share: models::NfsShare = json(
            r#"{"filesystem": "pool1/fs1", "anon": "nobody", "securityContexts": [{"securityModes": ["sys"],
                "readWriteList": [{"etype": "network", "entity": "10.0.0.0", "mask": 24, "allow": true}],
                "readOnlyList": [{"etype": "fqdn", "entity": "host2", "allow": true}],
                "root": [{"etype": "fqdn", "entity": "admin1", "allow": true}]}]}"#,
        );
        let export = share_to_export(&share, "/pool1/fs1");
        assert_eq!(export.rw, ["10.0.0.0/24"]);
        assert_eq!(export.ro, ["host2"]);
        assert_eq!(export.root, ["admin1"]);
        assert_eq!(export.anonuid, 65534);
        assert_eq!(export.export_path, "/pool1/fs1");
        assert_eq!(host_entry("10.0.0.0/24").mask, Some(24));
        assert_eq!(host_entry("host2").etype.as_deref(), Some("fqdn"));
    }

    #[test]
    fn job_tokens_round_trip_and_refuse_garbage() {
        let token = JobToken {
            monitor: "/jobStatus/42".into(),
            result: JobResult::FileSystem("pool1/fs:1".into()),
        };
        assert_eq!(JobToken::decode(&token.encode()).unwrap(), token);
        for bad in ["", "NSTOR_JOB:zz:N:", "ONTAP_JOB:00:N:", "NSTOR_JOB:2f:X:"] {
            assert_eq!(
                JobToken::decode(bad).unwrap_err().code,
                ErrorNumber::NOT_FOUND_JOB,
                "{bad}"
            );
        }
    }
}
