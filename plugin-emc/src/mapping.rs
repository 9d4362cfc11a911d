//! From Unity objects to LSM objects, as pure functions, and the LSM job ids that carry a
//! Unity job.
//!
//! | LSM | Unity | id |
//! |---|---|---|
//! | System | `system` + `basicSystemInfo` | serial number |
//! | Pool | `pool` | `pool_1` |
//! | Volume | `lun`; vpd83 = its WWN without colons | `sv_1` |
//! | AccessGroup | `host` with its iSCSI and FC initiators | `Host_1` |
//! | TargetPort | `iscsiPortal` (+ its `iscsiNode`), `fcPort` | `if_1`, `spa_fc4` |
//! | Disk | `disk` | `dpe_disk_0` |
//! | FileSystem | `filesystem` (changed through its `storageResource`) | `fs_1` |
//! | FsSnapshot | `snap` of a file system's storage resource | `38654705001` |
//! | NfsExport | `nfsShare`; export path `/<share name>` | `NFSShare_1` |
//!
//! Chosen: LUNs are addressed in 512-byte blocks; a file system's free space is its size
//! less what it uses; an FC initiator's LSM id is its WWPN, the last 8 bytes of Unity's
//! `WWNN:WWPN`.

use lsm_core::types::*;
use lsm_core::{ErrorNumber, LsmError};
use lsm_rest::{hex_decode, hex_encode};

use crate::client::models::{self, disk_technology};

/// LUNs are addressed in 512-byte blocks.
pub const BLOCK_SIZE: i64 = 512;

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn health_value(health: &Option<models::Health>) -> i64 {
    health.as_ref().and_then(|h| h.value).unwrap_or(0)
}

/// What the array says about an object's health, when it is not plainly OK.
fn health_info(health: &Option<models::Health>) -> String {
    match health {
        Some(h) if h.value != Some(5) => h.descriptions.join("; "),
        _ => String::new(),
    }
}

/// HealthEnum → LSM system status.
pub fn system_status(value: i64) -> SystemStatus {
    match value {
        5 => SystemStatus::OK,
        7 => SystemStatus::OK | SystemStatus::OTHER,
        10 | 15 => SystemStatus::DEGRADED,
        20 | 25 | 30 => SystemStatus::ERROR,
        _ => SystemStatus::UNKNOWN,
    }
}

/// HealthEnum → LSM pool status.
pub fn pool_status(value: i64) -> PoolStatus {
    match value {
        5 => PoolStatus::OK,
        7 => PoolStatus::OK | PoolStatus::OTHER,
        10 | 15 => PoolStatus::DEGRADED,
        20 | 25 | 30 => PoolStatus::ERROR,
        _ => PoolStatus::UNKNOWN,
    }
}

/// The array as the LSM system: its serial number, name, OE version and health.
pub fn system_to_system(
    system: &models::System,
    basic: Option<&models::BasicSystemInfo>,
) -> System {
    let serial = text(&system.serial_number);
    let name = system
        .name
        .clone()
        .or_else(|| basic.and_then(|b| b.name.clone()))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| format!("Unity {serial}"));
    System {
        id: serial,
        name,
        status: system_status(health_value(&system.health)),
        status_info: health_info(&system.health),
        plugin_data: None,
        fw_version: basic
            .and_then(|b| b.software_version.clone())
            .unwrap_or_default(),
        read_cache_pct: lsm_core::read_cache_pct::NO_SUPPORT,
        mode: SystemMode::NO_SUPPORT,
    }
}

/// A pool as an LSM pool.
pub fn pool_to_pool(pool: &models::Pool, system_id: &str) -> Pool {
    let status = pool_status(health_value(&pool.health));
    Pool {
        id: pool.id.clone(),
        name: pool.name.clone().unwrap_or_else(|| pool.id.clone()),
        element_type: PoolElementType::VOLUME
            | PoolElementType::VOLUME_THIN
            | PoolElementType::VOLUME_FULL
            | PoolElementType::FS,
        unsupported_actions: PoolUnsupportedActions::VOLUME_SHRINK,
        total_space: pool.size_total.unwrap_or(0).max(0),
        free_space: pool.size_free.unwrap_or(0).max(0),
        status,
        status_info: health_info(&pool.health),
        system_id: system_id.to_string(),
        plugin_data: None,
    }
}

/// The vpd83 of a LUN, as an initiator reads it from page 0x83: its WWN (16 bytes,
/// `60:06:01:60:...`, NAA 6) in lower-case hex without colons; anything else gives none.
pub fn wwn_vpd83(wwn: &str) -> String {
    let hex: String = wwn
        .chars()
        .filter(|c| *c != ':')
        .collect::<String>()
        .to_ascii_lowercase();
    if hex.len() == 32 && hex.starts_with('6') && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex
    } else {
        String::new()
    }
}

/// A LUN as an LSM volume.
pub fn lun_to_volume(lun: &models::Lun, system_id: &str) -> Volume {
    let size = lun.size_total.unwrap_or(0).max(0);
    Volume {
        id: lun.id.clone(),
        name: lun.name.clone().unwrap_or_else(|| lun.id.clone()),
        vpd83: lun.wwn.as_deref().map(wwn_vpd83).unwrap_or_default(),
        block_size: BLOCK_SIZE,
        num_of_blocks: size / BLOCK_SIZE,
        admin_state: VolumeAdminState::ENABLED,
        system_id: system_id.to_string(),
        pool_id: lun.pool.as_ref().map(|p| p.id.clone()).unwrap_or_default(),
        plugin_data: None,
    }
}

/// The WWPN of an FC `WWNN:WWPN` (16 colon-separated bytes), in LSM's form (lower case,
/// colons); `None` for anything else.
pub fn fc_wwpn(wwn: &str) -> Option<String> {
    let bytes: Vec<&str> = wwn.split(':').collect();
    if bytes.len() != 16 {
        return None;
    }
    lsm_core::validate::wwpn_normalize(&bytes[8..].join(":"))
}

/// The `WWNN:WWPN` Unity wants for an FC initiator known by its WWPN: the WWNN is the
/// WWPN with its first two bytes set to `20:00` (the usual HBA convention; chosen: LSM
/// gives no WWNN).
pub fn fc_wwn_for(wwpn: &str) -> Option<String> {
    let wwpn = lsm_core::validate::wwpn_normalize(wwpn)?.to_ascii_uppercase();
    Some(format!("20:00:{}:{wwpn}", &wwpn[6..]))
}

/// A host's initiators in LSM's form: IQNs as they are, FC ones as their WWPN.
pub fn host_initiators(host: &models::Host) -> (Vec<String>, Vec<String>) {
    let iscsi = host
        .iscsi_host_initiators
        .iter()
        .flatten()
        .filter_map(|i| i.initiator_id.clone())
        .collect();
    let fc = host
        .fc_host_initiators
        .iter()
        .flatten()
        .filter_map(|i| i.initiator_id.as_deref().and_then(fc_wwpn))
        .collect();
    (iscsi, fc)
}

/// A host as an LSM access group.
pub fn host_to_access_group(host: &models::Host, system_id: &str) -> AccessGroup {
    let (iscsi, fc) = host_initiators(host);
    let init_type = match (iscsi.is_empty(), fc.is_empty()) {
        (false, false) => InitiatorType::ISCSI_WWPN_MIXED,
        (true, false) => InitiatorType::WWPN,
        (false, true) => InitiatorType::ISCSI_IQN,
        (true, true) => InitiatorType::UNKNOWN,
    };
    AccessGroup {
        id: host.id.clone(),
        name: host.name.clone().unwrap_or_else(|| host.id.clone()),
        init_ids: iscsi.into_iter().chain(fc).collect(),
        init_type,
        system_id: system_id.to_string(),
        plugin_data: None,
    }
}

/// An iSCSI portal as an LSM target port (port 3260).
pub fn portal_to_port(portal: &models::IscsiPortal, system_id: &str) -> TargetPort {
    let address = text(&portal.ip_address);
    let network_address = if address.contains(':') {
        format!("[{address}]:3260")
    } else {
        format!("{address}:3260")
    };
    let port = portal.ethernet_port.as_ref();
    TargetPort {
        id: portal.id.clone(),
        port_type: TargetPortType::ISCSI,
        service_address: portal
            .iscsi_node
            .as_ref()
            .and_then(|n| n.name.clone())
            .unwrap_or_default(),
        network_address,
        physical_address: port
            .and_then(|p| p.mac_address.clone())
            .unwrap_or_default()
            .to_ascii_lowercase(),
        physical_name: port
            .map(|p| p.name.clone().unwrap_or_else(|| p.id.clone()))
            .unwrap_or_default(),
        system_id: system_id.to_string(),
        plugin_data: None,
    }
}

/// An FC port as an LSM target port: its WWPN is the service, network and physical
/// address.
pub fn fc_port_to_port(port: &models::FcPort, system_id: &str) -> TargetPort {
    let wwpn = port.wwn.as_deref().and_then(fc_wwpn).unwrap_or_default();
    TargetPort {
        id: port.id.clone(),
        port_type: TargetPortType::FC,
        service_address: wwpn.clone(),
        network_address: wwpn.clone(),
        physical_address: wwpn,
        physical_name: port.id.clone(),
        system_id: system_id.to_string(),
        plugin_data: None,
    }
}

/// A disk as an LSM disk.
pub fn disk_to_disk(disk: &models::Disk, system_id: &str) -> Disk {
    let technology = disk.disk_technology.unwrap_or(0);
    let disk_type = match technology {
        disk_technology::SAS => DiskType::SAS,
        disk_technology::NL_SAS => DiskType::NL_SAS,
        disk_technology::EFD => DiskType::SSD,
        t if disk_technology::SAS_FLASH.contains(&t)
            || disk_technology::NVME_FLASH.contains(&t) =>
        {
            DiskType::SSD
        }
        disk_technology::MIXED | disk_technology::VIRTUAL => DiskType::OTHER,
        _ => DiskType::UNKNOWN,
    };
    let mut status = match health_value(&disk.health) {
        5 | 7 => DiskStatus::OK,
        10 | 15 => DiskStatus::PREDICTIVE_FAILURE,
        20 | 25 | 30 => DiskStatus::ERROR,
        _ => DiskStatus::UNKNOWN,
    };
    if disk.pool.is_none() {
        status |= DiskStatus::FREE;
    }
    let size = disk.size.or(disk.raw_size).unwrap_or(0).max(0);
    Disk {
        id: disk.id.clone(),
        name: disk.name.clone().unwrap_or_else(|| disk.id.clone()),
        disk_type,
        block_size: BLOCK_SIZE,
        num_of_blocks: size / BLOCK_SIZE,
        status,
        system_id: system_id.to_string(),
        plugin_data: None,
        vpd83: String::new(),
        location: disk.id.clone(),
        rpm: match disk.rpm {
            Some(0) if DiskType::SSD == disk_type => lsm_core::rpm::NON_ROTATING_MEDIUM,
            Some(rpm) if rpm > 0 => rpm,
            _ => lsm_core::rpm::UNKNOWN,
        },
        link_type: if disk_technology::NVME_FLASH.contains(&technology) {
            DiskLinkType::PCIE
        } else if technology == disk_technology::VIRTUAL {
            DiskLinkType::UNKNOWN
        } else {
            DiskLinkType::SAS
        },
    }
}

/// A file system as an LSM file system.
pub fn filesystem_to_fs(fs: &models::Filesystem, system_id: &str) -> FileSystem {
    let total = fs.size_total.unwrap_or(0).max(0);
    let used = fs.size_used.unwrap_or(0).clamp(0, total);
    FileSystem {
        id: fs.id.clone(),
        name: fs.name.clone().unwrap_or_else(|| fs.id.clone()),
        total_space: total,
        free_space: total - used,
        pool_id: fs.pool.as_ref().map(|p| p.id.clone()).unwrap_or_default(),
        system_id: system_id.to_string(),
        plugin_data: None,
    }
}

/// A snap as an LSM file system snapshot.
pub fn snap_to_fs_snapshot(snap: &models::Snap) -> FsSnapshot {
    FsSnapshot {
        id: snap.id.clone(),
        name: snap.name.clone().unwrap_or_else(|| snap.id.clone()),
        ts: snap
            .creation_time
            .as_deref()
            .and_then(lsm_rest::iso8601_to_epoch)
            .unwrap_or(0),
        plugin_data: None,
    }
}

/// A comma-separated host list (`a, b,c`) as a list.
pub fn host_list(hosts: &Option<String>) -> Vec<String> {
    hosts
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_string)
        .collect()
}

/// An NFS share of a file system as an LSM export: root = the root lists; rw and ro the
/// read-write and read-only lists with their root forms.
pub fn share_to_export(share: &models::NfsShare) -> NfsExport {
    let rw_only = host_list(&share.read_write_hosts_string);
    let ro_only = host_list(&share.read_only_hosts_string);
    let rw_root = host_list(&share.read_write_root_hosts_string);
    let ro_root = host_list(&share.read_only_root_hosts_string);
    let union = |a: &[String], b: &[String]| -> Vec<String> {
        let mut all: Vec<String> = a.to_vec();
        for host in b {
            if !all.contains(host) {
                all.push(host.clone());
            }
        }
        all
    };
    NfsExport {
        id: share.id.clone(),
        fs_id: share
            .filesystem
            .as_ref()
            .map(|f| f.id.clone())
            .unwrap_or_default(),
        export_path: format!("/{}", text(&share.name)),
        auth: share
            .min_security
            .and_then(|level| AUTH_TYPES.get(usize::try_from(level).ok()?))
            .unwrap_or(&"sys")
            .to_string(),
        root: union(&rw_root, &ro_root),
        rw: union(&rw_only, &rw_root),
        ro: union(&ro_only, &ro_root),
        anonuid: share.anonymous_uid.unwrap_or(anon_id::NA),
        anongid: share.anonymous_gid.unwrap_or(anon_id::NA),
        options: None,
        plugin_data: None,
    }
}

/// LSM's NFS auth types, in the order of Unity's NFSShareSecurityEnum (`minSecurity`).
pub const AUTH_TYPES: [&str; 4] = ["sys", "krb5", "krb5i", "krb5p"];

/// The host strings of a share that gives `root`, `rw` and `ro` what LSM means: a host in
/// root and rw is read-write with root, in root and ro read-only with root; a root host in
/// neither list is read-write with root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShareHosts {
    /// `readWriteHostsString`.
    pub read_write: Vec<String>,
    /// `readOnlyHostsString`.
    pub read_only: Vec<String>,
    /// `readWriteRootHostsString`.
    pub read_write_root: Vec<String>,
    /// `readOnlyRootHostsString`.
    pub read_only_root: Vec<String>,
}

impl ShareHosts {
    /// The lists for LSM's root, rw and ro; a host both rw and ro is `INVALID_ARGUMENT`.
    pub fn from_lsm(root: &[String], rw: &[String], ro: &[String]) -> Result<Self, LsmError> {
        if let Some(both) = rw.iter().find(|h| ro.contains(h)) {
            return Err(LsmError::invalid_argument(format!(
                "host {both} is in both the read-write and the read-only list"
            )));
        }
        for host in root.iter().chain(rw).chain(ro) {
            if host.is_empty() || host.contains(',') || host.contains(char::is_whitespace) {
                return Err(LsmError::invalid_argument(format!(
                    "{host:?} is not a host name, address or network"
                )));
            }
        }
        let mut hosts = ShareHosts::default();
        for host in rw {
            if root.contains(host) {
                hosts.read_write_root.push(host.clone());
            } else {
                hosts.read_write.push(host.clone());
            }
        }
        for host in ro {
            if root.contains(host) {
                hosts.read_only_root.push(host.clone());
            } else {
                hosts.read_only.push(host.clone());
            }
        }
        for host in root {
            if !rw.contains(host) && !ro.contains(host) {
                hosts.read_write_root.push(host.clone());
            }
        }
        Ok(hosts)
    }
}

/// What a plugin fetches once a Unity job has ended, to answer the LSM job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobResult {
    /// Nothing: the job's success is the answer.
    Nothing,
    /// The LUN with this id (or, empty, the one the job's answer names).
    Volume(String),
    /// The thin clone the job's answer names; this snap (made for it) is then deleted.
    Clone(String),
    /// The file system with this id (or, empty, the one whose storage resource the job's
    /// answer names).
    FileSystem(String),
    /// The snap the job's answer names.
    Snapshot,
}

/// The LSM job id of a Unity job: `EMC_JOB:<kind>:<hex job id>:<hex object id>`, all a
/// plugin process needs to answer `job_status` (nothing is kept in the plugin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobToken {
    /// Unity's job id.
    pub job: String,
    /// What to fetch when it has succeeded.
    pub result: JobResult,
}

const JOB_PREFIX: &str = "EMC_JOB";

impl JobToken {
    /// The LSM job id.
    pub fn encode(&self) -> String {
        let (kind, object) = match &self.result {
            JobResult::Nothing => ("N", ""),
            JobResult::Volume(id) => ("V", id.as_str()),
            JobResult::Clone(snap) => ("C", snap.as_str()),
            JobResult::FileSystem(id) => ("F", id.as_str()),
            JobResult::Snapshot => ("S", ""),
        };
        format!(
            "{JOB_PREFIX}:{kind}:{}:{}",
            hex_encode(&self.job),
            hex_encode(object)
        )
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
        let kind = parts.next().ok_or_else(bad)?;
        let job = parts.next().and_then(hex_decode).ok_or_else(bad)?;
        let object = parts.next().and_then(hex_decode).ok_or_else(bad)?;
        if parts.next().is_some() || job.is_empty() {
            return Err(bad());
        }
        let result = match kind {
            "N" => JobResult::Nothing,
            "V" => JobResult::Volume(object),
            "C" => JobResult::Clone(object),
            "F" => JobResult::FileSystem(object),
            "S" => JobResult::Snapshot,
            _ => return Err(bad()),
        };
        Ok(JobToken { job, result })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json<T: serde::de::DeserializeOwned>(text: &str) -> T {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn the_system_is_named_by_its_serial_and_health() {
        let system: models::System = json(
            r#"{"id": "0", "name": "unity-sim", "serialNumber": "FNM00000000001",
                "health": {"value": 20, "descriptions": ["A disk failed."]}}"#,
        );
        let basic: models::BasicSystemInfo = json(r#"{"softwareVersion": "5.1.2"}"#);
        let lsm = system_to_system(&system, Some(&basic));
        assert_eq!(lsm.id, "FNM00000000001");
        assert_eq!(lsm.fw_version, "5.1.2");
        assert_eq!(lsm.status, SystemStatus::ERROR);
        assert_eq!(lsm.status_info, "A disk failed.");
    }

    #[test]
    fn a_luns_wwn_is_its_vpd83() {
        let lun: models::Lun = json(
            r#"{"id": "sv_2", "name": "l", "sizeTotal": 1073741824, "pool": {"id": "pool_1"},
                "wwn": "60:06:01:60:17:50:3C:00:C2:0B:D0:56:A1:D9:2B:0E"}"#,
        );
        let v = lun_to_volume(&lun, "s");
        assert_eq!(v.vpd83, "6006016017503c00c20bd056a1d92b0e");
        assert_eq!(v.vpd83.len(), 32);
        assert_eq!(v.num_of_blocks, 2_097_152);
        assert_eq!(v.pool_id, "pool_1");
        assert_eq!(wwn_vpd83("50:06:01"), "");
    }

    #[test]
    fn fc_initiators_are_known_by_their_wwpn() {
        assert_eq!(
            fc_wwpn("50:00:14:40:47:B0:0C:44:50:00:14:42:D0:0C:44:10").as_deref(),
            Some("50:00:14:42:d0:0c:44:10")
        );
        assert_eq!(fc_wwpn("iqn.1993-08.org.debian:01:a4f9"), None);
        assert_eq!(
            fc_wwn_for("10:00:00:90:fa:53:4c:d1").as_deref(),
            Some("20:00:00:90:FA:53:4C:D1:10:00:00:90:FA:53:4C:D1")
        );
        let host: models::Host = json(
            r#"{"id": "Host_1", "name": "h",
                "fcHostInitiators": [{"id": "HostInitiator_1", "initiatorId": "20:00:00:90:FA:53:4C:D1:10:00:00:90:FA:53:4C:D1"}],
                "iscsiHostInitiators": [{"id": "HostInitiator_2", "initiatorId": "iqn.1994-05.com.redhat:a"}]}"#,
        );
        let ag = host_to_access_group(&host, "s");
        assert_eq!(ag.init_type, InitiatorType::ISCSI_WWPN_MIXED);
        assert_eq!(
            ag.init_ids,
            ["iqn.1994-05.com.redhat:a", "10:00:00:90:fa:53:4c:d1"]
        );
    }

    #[test]
    fn share_host_lists_round_trip() {
        let root = vec!["admin".to_string(), "10.0.0.9".to_string()];
        let rw = vec!["admin".to_string(), "10.0.0.0/24".to_string()];
        let ro = vec!["10.0.0.9".to_string(), "viewer".to_string()];
        let hosts = ShareHosts::from_lsm(&root, &rw, &ro).unwrap();
        assert_eq!(hosts.read_write, ["10.0.0.0/24"]);
        assert_eq!(hosts.read_write_root, ["admin"]);
        assert_eq!(hosts.read_only_root, ["10.0.0.9"]);
        assert_eq!(hosts.read_only, ["viewer"]);
        let share = models::NfsShare {
            id: "NFSShare_1".into(),
            name: Some("share1".into()),
            read_write_hosts_string: Some(hosts.read_write.join(",")),
            read_only_hosts_string: Some(hosts.read_only.join(",")),
            read_write_root_hosts_string: Some(hosts.read_write_root.join(",")),
            read_only_root_hosts_string: Some(hosts.read_only_root.join(",")),
            ..Default::default()
        };
        let export = share_to_export(&share);
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v
        };
        assert_eq!(sorted(export.root), sorted(root));
        assert_eq!(sorted(export.rw), sorted(rw));
        assert_eq!(sorted(export.ro), sorted(ro));
        assert_eq!(export.export_path, "/share1");
        assert!(ShareHosts::from_lsm(&[], &["a".into()], &["a".into()]).is_err());
        assert!(ShareHosts::from_lsm(&[], &["a,b".into()], &[]).is_err());
    }

    /// Found with the `rest_emc` fuzz target: a snap whose `creationTime` has a year (or
    /// second) beyond what an `i64` of seconds holds overflowed the time arithmetic, a panic
    /// that ended the plugin (with overflow checks on); now it is no time, 0.
    #[test]
    fn a_snap_time_out_of_range_is_no_time() {
        let snap: models::Snap = json(
            r#"{"id": "38654705002", "name": "s",
                "creationTime": "99999999999999999-12-04T19:10:59.320Z"}"#,
        );
        assert_eq!(snap_to_fs_snapshot(&snap).ts, 0);
        let snap: models::Snap = json(
            r#"{"id": "38654705002", "creationTime": "2026-12-04T19:10:9223372036854775807Z"}"#,
        );
        assert_eq!(snap_to_fs_snapshot(&snap).ts, 0);
        let snap: models::Snap =
            json(r#"{"id": "38654705001", "creationTime": "2016-03-01T03:21:38.000Z"}"#);
        assert_eq!(snap_to_fs_snapshot(&snap).ts, 1_456_802_498);
    }

    #[test]
    fn job_tokens_round_trip_and_refuse_garbage() {
        for result in [
            JobResult::Nothing,
            JobResult::Volume("sv_1".into()),
            JobResult::Clone("38654705001".into()),
            JobResult::FileSystem(String::new()),
            JobResult::Snapshot,
        ] {
            let token = JobToken {
                job: "N-123".into(),
                result,
            };
            assert_eq!(JobToken::decode(&token.encode()).unwrap(), token);
        }
        for bad in [
            "",
            "EMC_JOB:N::",
            "NSTOR_JOB:N:41:",
            "EMC_JOB:X:41:",
            "EMC_JOB:N:zz:",
        ] {
            assert_eq!(
                JobToken::decode(bad).unwrap_err().code,
                ErrorNumber::NOT_FOUND_JOB,
                "{bad}"
            );
        }
    }
}
