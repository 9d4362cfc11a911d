//! The system (this host), the capabilities it has right now, and the session's
//! [`Management`] impl.
//!
//! The system id is `/etc/machine-id` (the hostname when there is none),
//! its name the hostname and its firmware version the kernel release.
//! Capabilities are computed on each call from what the host offers at that
//! moment: a configured btrfs pool, a configured and answering tgtd, a
//! configured and answering ganesha, device-mapper for LVM block devices.

use lsm_core::plugin::{Call, JobTable, Management, Search};
use lsm_core::types::*;
use lsm_core::{Capabilities, Capability as C, Result};

use super::pools::{HostPool, PoolBackendKind};
use super::{Array, JOBS_AT_END};

fn read_trimmed(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
}

fn hostname() -> String {
    read_trimmed("/proc/sys/kernel/hostname").unwrap_or_else(|| "localhost".to_owned())
}

/// This host's id: `/etc/machine-id`, else the hostname.
pub(super) fn system_id() -> String {
    read_trimmed("/etc/machine-id")
        .filter(|id| id.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or_else(hostname)
}

/// Capabilities every configuration has.
const ALWAYS: &[C] = &[
    C::SYS_FW_VERSION_GET,
    C::DISKS,
    C::DISK_RPM,
    C::POOL_MEMBER_INFO,
];

/// With at least one pool (btrfs or LVM).
const ANY_POOL: &[C] = &[
    C::VOLUMES,
    C::VOLUME_CREATE,
    C::VOLUME_RESIZE,
    C::VOLUME_DELETE,
    C::VOLUME_CHILD_DEPENDENCY,
    C::VOLUME_CHILD_DEPENDENCY_RM,
];

/// With a btrfs pool: file-backed volumes and every file system feature.
const BTRFS: &[C] = &[
    C::VOLUME_THIN,
    C::VOLUME_REPLICATE,
    C::VOLUME_REPLICATE_CLONE,
    C::VOLUME_REPLICATE_COPY,
    C::VOLUME_COPY_RANGE_BLOCK_SIZE,
    C::VOLUME_COPY_RANGE,
    C::VOLUME_COPY_RANGE_CLONE,
    C::VOLUME_COPY_RANGE_COPY,
    C::VOLUME_ENABLE,
    C::VOLUME_DISABLE,
    C::FS,
    C::FS_CREATE,
    C::FS_DELETE,
    C::FS_RESIZE,
    C::FS_CLONE,
    C::FILE_CLONE,
    C::FS_SNAPSHOTS,
    C::FS_SNAPSHOT_CREATE,
    C::FS_SNAPSHOT_DELETE,
    C::FS_SNAPSHOT_RESTORE,
    C::FS_SNAPSHOT_RESTORE_SPECIFIC_FILES,
    C::FS_CHILD_DEPENDENCY,
    C::FS_CHILD_DEPENDENCY_RM,
    C::FS_CHILD_DEPENDENCY_RM_SPECIFIC_FILES,
];

/// With an LVM pool on a host with device-mapper (LVs are block devices).
const LVM_WITH_DEVICE_MAPPER: &[C] = &[
    C::VOLUME_REPLICATE,
    C::VOLUME_REPLICATE_CLONE,
    C::VOLUME_REPLICATE_COPY,
    C::VOLUME_ENABLE,
    C::VOLUME_DISABLE,
];

/// With tgtd configured and answering.
const ISCSI: &[C] = &[
    C::ACCESS_GROUPS,
    C::ACCESS_GROUP_CREATE_ISCSI_IQN,
    C::ACCESS_GROUP_DELETE,
    C::ACCESS_GROUP_INITIATOR_ADD_ISCSI_IQN,
    C::ACCESS_GROUP_INITIATOR_DELETE,
    C::VOLUMES_ACCESSIBLE_BY_ACCESS_GROUP,
    C::ACCESS_GROUPS_GRANTED_TO_VOLUME,
    C::VOLUME_ISCSI_CHAP_AUTHENTICATION,
    C::TARGET_PORTS,
];

/// With ganesha configured and answering.
const NFS: &[C] = &[
    C::EXPORT_AUTH,
    C::EXPORTS,
    C::EXPORT_FS,
    C::EXPORT_REMOVE,
    C::EXPORT_CUSTOM_PATH,
];

/// With ganesha running but not reachable over D-Bus (SIGHUP reloads).
const NFS_WITHOUT_DBUS: &[C] = &[
    C::EXPORT_AUTH,
    C::EXPORT_FS,
    C::EXPORT_REMOVE,
    C::EXPORT_CUSTOM_PATH,
];

/// Whether the process whose PID `pid_file` holds is alive.
fn process_in_pid_file_alive(pid_file: &std::path::Path) -> bool {
    std::fs::read_to_string(pid_file)
        .ok()
        .and_then(|text| text.trim().parse::<i32>().ok())
        .filter(|pid| *pid > 1)
        .is_some_and(|pid| nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok())
}

impl Array {
    /// This host as an LSM system.
    pub(super) fn system(&self) -> System {
        System {
            id: self.system_id.clone(),
            name: hostname(),
            status: SystemStatus::OK,
            status_info: String::new(),
            plugin_data: None,
            fw_version: read_trimmed("/proc/sys/kernel/osrelease").unwrap_or_default(),
            read_cache_pct: read_cache_pct::NO_SUPPORT,
            mode: SystemMode::NO_SUPPORT,
        }
    }
}

impl Management for Array {
    /// A COPY still running would be cut short by the process exit: wait for it.
    fn unregister(self, _cx: &Call) -> Result<()> {
        self.wait_for_jobs(JOBS_AT_END);
        Ok(())
    }

    /// What this host can do now.
    fn capabilities(&mut self, cx: &Call, system: &System) -> Result<Capabilities> {
        self.check_system(system)?;
        let mut caps = Capabilities::new();
        caps.set_all(ALWAYS);
        // Only pools found on the host count (a configured btrfs pool that
        // is not mounted offers nothing).
        let usable = self.host_pools(cx, None);
        let has_btrfs = usable.iter().any(|pool| matches!(pool, HostPool::Btrfs(_)));
        let has_lvm = usable.iter().any(|pool| matches!(pool, HostPool::Lvm(_)));
        let device_mapper = has_lvm && !self.lvm(cx).activation_disabled();
        if has_btrfs || has_lvm {
            caps.set_all(ANY_POOL);
        }
        if has_btrfs {
            caps.set_all(BTRFS);
        }
        if device_mapper {
            caps.set_all(LVM_WITH_DEVICE_MAPPER);
        }
        let iscsi = self.config.iscsi.is_some() && self.tgt(cx).is_ok_and(|tgt| tgt.is_ready());
        if iscsi {
            caps.set_all(ISCSI);
            if has_btrfs || device_mapper {
                caps.set_all(&[C::VOLUME_MASK, C::VOLUME_UNMASK]);
            }
        }
        if has_btrfs && let Some(nfs) = &self.config.nfs {
            if self.ganesha(cx).is_ok_and(|ganesha| ganesha.is_ready()) {
                caps.set_all(NFS);
            } else if nfs
                .pid_file
                .as_deref()
                .is_some_and(process_in_pid_file_alive)
            {
                // Not on D-Bus: exports still change through SIGHUP, but
                // cannot be listed from ganesha.
                caps.set_all(NFS_WITHOUT_DBUS);
            }
        }
        Ok(caps)
    }

    fn systems(&mut self, _cx: &Call) -> Result<Vec<System>> {
        Ok(vec![self.system()])
    }

    /// Every configured pool, found or not (status ERROR with the reason); an `id`
    /// search for a btrfs or LVM pool asks only that backend.
    fn pools(&mut self, cx: &Call, search: Option<&Search>) -> Result<Vec<Pool>> {
        let only = match search {
            Some(search) if search.key == "id" && search.value.starts_with("btrfs-") => {
                Some(PoolBackendKind::Btrfs)
            }
            Some(search) if search.key == "id" && search.value.starts_with("lvm-") => {
                Some(PoolBackendKind::Lvm)
            }
            _ => None,
        };
        Ok(self
            .host_pools(cx, only)
            .iter()
            .filter(|pool| {
                search.is_none_or(|search| search.key != "id" || search.value == pool.id())
            })
            .map(|pool| self.pool_object(cx, pool))
            .collect())
    }

    fn job_table(&mut self) -> Option<&mut JobTable> {
        Some(&mut self.jobs)
    }
}
