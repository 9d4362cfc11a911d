//! Pools: each configured btrfs file system and LVM volume group.
//!
//! A btrfs pool holds volumes (sparse or preallocated image files),
//! file systems (subvolumes) and their snapshots; it is thin-capable. An
//! LVM pool holds volumes (LVs, fully provisioned). On a host without
//! device-mapper an LV has no block device; the pool says so in its
//! `status_info`. A configured pool that is not found on the host (not
//! mounted, VG missing) is still listed, with status ERROR and the reason,
//! so one broken pool never fails the listing.

use std::path::{Path, PathBuf};

use lsm_core::plugin::Call;
use lsm_core::types::*;
use lsm_core::{ErrorNumber, LsmError, PoolMemberInfo, Result};

use super::Array;
use super::mapping::{btrfs_pool_id, lsm_error, lvm_pool_id, missing_pool_id, size_to_wire};
use crate::config::PoolBackend;

/// Directory (relative to a btrfs pool's top level) holding file systems.
pub const FS_DIR: &str = "lsm-fs";
/// Directory (relative to a btrfs pool's top level) holding snapshots, one
/// sub-directory per file system.
pub const SNAPSHOT_DIR: &str = "lsm-snapshots";

/// What kind of backend a configured pool has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolBackendKind {
    /// A btrfs file system.
    Btrfs,
    /// An LVM volume group.
    Lvm,
}

/// A btrfs pool found on the host.
#[derive(Debug, Clone)]
pub struct BtrfsPool {
    /// Configured name.
    pub name: String,
    /// LSM id.
    pub id: String,
    /// Where its top level is mounted.
    pub mount_point: PathBuf,
    /// Its file system UUID.
    pub fsid: String,
    /// The device the mount comes from (for mounting subvolumes).
    pub device: Option<PathBuf>,
    /// Absolute directory of the volume images.
    pub volume_dir: PathBuf,
    /// Id of the subvolume mounted there (5 for the top level):
    /// `btrfs subvolume list` gives the path of a subvolume relative to the
    /// subvolume containing it, so the pool's own subvolumes are the ones
    /// whose top level is this id.
    pub subvolume_id: u64,
}

impl BtrfsPool {
    /// Directory of the file systems.
    pub fn fs_dir(&self) -> PathBuf {
        self.mount_point.join(FS_DIR)
    }

    /// Directory of the snapshots of file system `fs_name`.
    pub fn snapshot_dir(&self, fs_name: &str) -> PathBuf {
        self.mount_point.join(SNAPSHOT_DIR).join(fs_name)
    }
}

/// An LVM pool found on the host.
#[derive(Debug, Clone)]
pub struct LvmPool {
    /// Configured name.
    pub name: String,
    /// LSM id.
    pub id: String,
    /// The VG.
    pub vg: crate::lvm::VolumeGroup,
}

/// A configured pool as found (or not) on the host.
#[derive(Debug, Clone)]
pub enum HostPool {
    /// A mounted btrfs file system.
    Btrfs(BtrfsPool),
    /// An existing VG.
    Lvm(LvmPool),
    /// Configured but not usable; the reason.
    Missing {
        /// Configured name.
        name: String,
        /// `pool-<name>`.
        id: String,
        /// What the pool would be.
        kind: PoolBackendKind,
        /// Why it is not usable.
        problem: String,
    },
}

impl HostPool {
    /// The LSM id.
    pub fn id(&self) -> &str {
        match self {
            HostPool::Btrfs(pool) => &pool.id,
            HostPool::Lvm(pool) => &pool.id,
            HostPool::Missing { id, .. } => id,
        }
    }

    /// The configured name.
    pub fn name(&self) -> &str {
        match self {
            HostPool::Btrfs(pool) => &pool.name,
            HostPool::Lvm(pool) => &pool.name,
            HostPool::Missing { name, .. } => name,
        }
    }
}

fn not_found_pool(id: &str) -> LsmError {
    lsm_error(ErrorNumber::NOT_FOUND_POOL, format!("Pool {id} not found"))
}

impl Array {
    /// The kinds of the configured pools, in order (no host access).
    pub(super) fn configured_pool_kinds(&self) -> Vec<PoolBackendKind> {
        self.config
            .pools
            .iter()
            .map(|pool| match pool.backend {
                PoolBackend::Btrfs { .. } => PoolBackendKind::Btrfs,
                PoolBackend::Lvm { .. } => PoolBackendKind::Lvm,
            })
            .collect()
    }

    fn btrfs_pool(&self, cx: &Call, name: &str, backend: &PoolBackend) -> HostPool {
        let PoolBackend::Btrfs {
            mount_point,
            device,
            volume_dir,
        } = backend
        else {
            return HostPool::Missing {
                name: name.to_owned(),
                id: missing_pool_id(name),
                kind: PoolBackendKind::Lvm,
                problem: "not a btrfs pool".into(),
            };
        };
        let missing = |problem: String| HostPool::Missing {
            name: name.to_owned(),
            id: missing_pool_id(name),
            kind: PoolBackendKind::Btrfs,
            problem,
        };
        let mount_point = match (mount_point, device) {
            (Some(mount_point), _) => mount_point.clone(),
            (None, Some(device)) => match crate::btrfs::find_mount_point(device) {
                Ok(found) => found,
                Err(error) => return missing(error.to_string()),
            },
            (None, None) => return missing("neither mount_point nor device is configured".into()),
        };
        let table = match crate::mounts::mount_table() {
            Ok(table) => table,
            Err(error) => return missing(error.to_string()),
        };
        let Some(mount) = crate::mounts::mount_at(&table, &mount_point) else {
            return missing(format!("nothing is mounted on {}", mount_point.display()));
        };
        if mount.fstype != "btrfs" {
            return missing(format!(
                "{} is {}, not btrfs",
                mount_point.display(),
                mount.fstype
            ));
        }
        let device = Some(mount.source.clone());
        let subvolume_id = mount
            .option("subvolid")
            .and_then(|id| id.parse().ok())
            .unwrap_or(5);
        let fsid = match self.btrfs(cx).filesystem_uuid(&mount_point) {
            Ok(fsid) => fsid,
            Err(error) => return missing(error.to_string()),
        };
        HostPool::Btrfs(BtrfsPool {
            name: name.to_owned(),
            id: btrfs_pool_id(&fsid),
            volume_dir: mount_point.join(volume_dir),
            mount_point,
            fsid,
            device,
            subvolume_id,
        })
    }

    /// Every configured pool as found on the host, in configuration order.
    /// With `only`, just the pools of that kind (saves the LVM report when
    /// only btrfs pools matter, and the reverse).
    pub(super) fn host_pools(&self, cx: &Call, only: Option<PoolBackendKind>) -> Vec<HostPool> {
        let wants = |kind| only.is_none_or(|only| only == kind);
        let lvm_groups = if wants(PoolBackendKind::Lvm)
            && self.configured_pool_kinds().contains(&PoolBackendKind::Lvm)
        {
            Some(self.lvm(cx).vgs(None))
        } else {
            None
        };
        let mut pools = Vec::new();
        for pool in &self.config.pools {
            match &pool.backend {
                PoolBackend::Btrfs { .. } if wants(PoolBackendKind::Btrfs) => {
                    pools.push(self.btrfs_pool(cx, &pool.name, &pool.backend));
                }
                PoolBackend::Lvm { vg } if wants(PoolBackendKind::Lvm) => {
                    let found = match &lvm_groups {
                        Some(Ok(groups)) => groups
                            .iter()
                            .find(|group| &group.name == vg)
                            .cloned()
                            .ok_or_else(|| format!("volume group {vg} not found")),
                        Some(Err(error)) => Err(error.to_string()),
                        None => Err("LVM was not queried".to_owned()),
                    };
                    pools.push(match found {
                        Ok(group) => HostPool::Lvm(LvmPool {
                            name: pool.name.clone(),
                            id: lvm_pool_id(&group.uuid),
                            vg: group,
                        }),
                        Err(problem) => HostPool::Missing {
                            name: pool.name.clone(),
                            id: missing_pool_id(&pool.name),
                            kind: PoolBackendKind::Lvm,
                            problem,
                        },
                    });
                }
                _ => {}
            }
        }
        pools
    }

    /// The usable btrfs pools.
    pub(super) fn btrfs_pools(&self, cx: &Call) -> Vec<BtrfsPool> {
        self.host_pools(cx, Some(PoolBackendKind::Btrfs))
            .into_iter()
            .filter_map(|pool| match pool {
                HostPool::Btrfs(pool) => Some(pool),
                _ => None,
            })
            .collect()
    }

    /// The pool with LSM id `id`: `NOT_FOUND_POOL` when there is none,
    /// `POOL_NOT_READY` when it is configured but not usable.
    pub(super) fn pool_by_id(&self, cx: &Call, id: &str) -> Result<HostPool> {
        let only = if id.starts_with("btrfs-") {
            Some(PoolBackendKind::Btrfs)
        } else if id.starts_with("lvm-") {
            Some(PoolBackendKind::Lvm)
        } else if id.starts_with("pool-") {
            None
        } else {
            return Err(not_found_pool(id));
        };
        let pool = self
            .host_pools(cx, only)
            .into_iter()
            .find(|pool| pool.id() == id)
            .ok_or_else(|| not_found_pool(id))?;
        if let HostPool::Missing { name, problem, .. } = &pool {
            return Err(lsm_error(
                ErrorNumber::POOL_NOT_READY,
                format!("Pool {name} ({id}) is not usable: {problem}"),
            ));
        }
        Ok(pool)
    }

    /// The btrfs pool with LSM id `id`.
    pub(super) fn btrfs_pool_by_id(&self, cx: &Call, id: &str) -> Result<BtrfsPool> {
        match self.pool_by_id(cx, id)? {
            HostPool::Btrfs(pool) => Ok(pool),
            _ => Err(not_found_pool(id)),
        }
    }

    /// Why LVs cannot be used as block devices here, if they cannot.
    pub(super) fn lvm_block_device_problem(&self, cx: &Call) -> Option<&'static str> {
        self.lvm(cx).activation_disabled().then_some(
            "this host has no device-mapper, so LVs have no block device: \
             masking, enable/disable and replication of LVs are not available",
        )
    }

    pub(super) fn pool_object(&self, cx: &Call, pool: &HostPool) -> Pool {
        let mut object = Pool {
            id: pool.id().to_owned(),
            name: pool.name().to_owned(),
            element_type: PoolElementType::empty(),
            unsupported_actions: PoolUnsupportedActions::empty(),
            total_space: pool_space::NOT_FOUND,
            free_space: pool_space::NOT_FOUND,
            status: PoolStatus::OK,
            status_info: String::new(),
            system_id: self.system_id.clone(),
            plugin_data: None,
        };
        match pool {
            HostPool::Btrfs(btrfs) => {
                object.element_type = PoolElementType::VOLUME
                    | PoolElementType::VOLUME_THIN
                    | PoolElementType::VOLUME_FULL
                    | PoolElementType::FS
                    | PoolElementType::DELTA;
                match self.btrfs(cx).filesystem_usage(&btrfs.mount_point) {
                    Ok(usage) => {
                        object.total_space = size_to_wire(usage.device_size);
                        object.free_space =
                            size_to_wire(usage.free_estimated.min(usage.device_size));
                    }
                    Err(error) => {
                        object.status = PoolStatus::UNKNOWN;
                        object.status_info = format!("cannot read usage: {error}");
                    }
                }
            }
            HostPool::Lvm(lvm) => {
                object.element_type = PoolElementType::VOLUME | PoolElementType::VOLUME_FULL;
                object.total_space = size_to_wire(lvm.vg.size);
                object.free_space = size_to_wire(lvm.vg.free.min(lvm.vg.size));
                if let Some(problem) = self.lvm_block_device_problem(cx) {
                    object.status_info = problem.to_owned();
                }
            }
            HostPool::Missing { kind, problem, .. } => {
                object.element_type = match kind {
                    PoolBackendKind::Btrfs => PoolElementType::VOLUME | PoolElementType::FS,
                    PoolBackendKind::Lvm => PoolElementType::VOLUME,
                };
                object.status = PoolStatus::ERROR;
                object.status_info = problem.clone();
            }
        }
        object
    }
}

/// `pool_member_info`: the disks under a pool.
pub(super) fn member_info(array: &Array, cx: &Call, pool: &Pool) -> Result<PoolMemberInfo> {
    let host_pool = array.pool_by_id(cx, &pool.id)?;
    let member_names: Vec<String> = match &host_pool {
        HostPool::Btrfs(btrfs) => crate::btrfs::device_names(Path::new("/sys"), &btrfs.fsid),
        HostPool::Lvm(lvm) => array
            .lvm(cx)
            .pvs()?
            .into_iter()
            .filter(|pv| pv.vg_name == lvm.vg.name)
            .filter_map(|pv| {
                let path = std::fs::canonicalize(&pv.name).unwrap_or_else(|_| pv.name.into());
                path.file_name()
                    .map(|name| name.to_string_lossy().into_owned())
            })
            .collect(),
        HostPool::Missing { .. } => Vec::new(),
    };
    let disks = super::disks::list(array, cx)?;
    let member_ids = member_names
        .iter()
        .filter_map(|name| {
            disks
                .iter()
                .find(|disk| disk.name == *name)
                .map(|disk| disk.id.clone())
        })
        .collect();
    Ok(PoolMemberInfo {
        raid_type: RaidType::UNKNOWN,
        member_type: MemberType::DISK,
        member_ids,
    })
}
