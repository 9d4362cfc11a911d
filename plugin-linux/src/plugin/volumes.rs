//! Volumes: image files on btrfs pools, logical volumes on LVM pools.
//!
//! A btrfs volume is `<pool>/<volume_dir>/<name>.img`: sparse for THIN (and
//! DEFAULT), preallocated for FULL. An LVM volume is the LV `<name>` of the
//! pool's VG. What the plugin must remember about a volume lives on the
//! volume itself, so every plugin process sees the same thing:
//!
//! - its vpd83: an NAA-6 id hashed from the pool's fsid, the image's inode
//!   number and birth time (a new image never gets an old image's id), or
//!   from the LV's UUID;
//! - its administrative state: the `user.lsm.admin_state` attribute of the
//!   image (`disabled`), or whether the LV is active;
//! - the volume it was replicated from (its child dependency): the
//!   `user.lsm.replica_of` attribute of the image, or an LV tag
//!   `lsm_replica_of_<vpd83>`, holding the source's vpd83.
//!
//! Replicas are `replication`'s: CLONE is a reflink copy (blocks shared,
//! same pool only); COPY is a full, sparse-aware copy run as a job. Neither makes the copy
//! physically depend on its source: the dependency reported is LSM's
//! bookkeeping (a replica is its source's child until
//! `volume_child_dependency_rm`), kept so clients following LSM's model
//! see what they expect. LVM volumes without device-mapper have no block
//! device: masking, enable/disable and replication of them are refused
//! with `NO_SUPPORT`.

use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::time::UNIX_EPOCH;

use lsm_core::plugin::Call;
use lsm_core::types::*;
use lsm_core::{ErrorNumber, LsmError, Result};

use super::mapping::{
    BLOCK_SIZE, lsm_error, naa6_from, parse_volume_id, round_up_to_block, size_from_wire,
    size_to_wire, volume_id,
};
use super::pools::{BtrfsPool, HostPool};
use super::{Array, exists};
use crate::config::PoolBackend;
use crate::lvm::LogicalVolume;
use crate::naming::check_object_name;
use crate::xattr;

/// Attribute holding `disabled` on a disabled image.
pub const ADMIN_STATE_XATTR: &str = "user.lsm.admin_state";
/// Attribute holding the source volume's vpd83 on a replica image.
pub const REPLICA_OF_XATTR: &str = "user.lsm.replica_of";
/// LV tag prefix holding the source volume's vpd83 on a replica LV.
pub const REPLICA_OF_TAG: &str = "lsm_replica_of_";
/// Suffix of volume image files.
pub const IMAGE_SUFFIX: &str = ".img";

/// What backs a volume.
#[derive(Debug, Clone)]
pub enum VolumeBacking {
    /// An image file.
    File {
        /// Its path.
        path: PathBuf,
    },
    /// A logical volume.
    Lv {
        /// Its VG.
        vg: String,
        /// The LV as `lvs` reports it.
        lv: LogicalVolume,
    },
}

/// A volume as found on the host.
#[derive(Debug, Clone)]
pub struct HostVolume {
    /// Pool id.
    pub pool_id: String,
    /// Name.
    pub name: String,
    /// What backs it.
    pub backing: VolumeBacking,
    /// Size in bytes.
    pub size: u64,
    /// NAA-6 id.
    pub vpd83: String,
    /// Administrative state.
    pub enabled: bool,
    /// vpd83 of the volume it was replicated from, while dependent.
    pub replica_of: Option<String>,
}

impl HostVolume {
    /// LSM id.
    pub fn id(&self) -> String {
        volume_id(&self.pool_id, &self.name)
    }

    /// The LSM object.
    pub fn to_lsm(&self, system_id: &str) -> Volume {
        let block = BLOCK_SIZE as u64;
        Volume {
            id: self.id(),
            name: self.name.clone(),
            vpd83: self.vpd83.clone(),
            block_size: BLOCK_SIZE,
            num_of_blocks: size_to_wire(self.size / block),
            admin_state: if self.enabled {
                VolumeAdminState::ENABLED
            } else {
                VolumeAdminState::DISABLED
            },
            system_id: system_id.to_owned(),
            pool_id: self.pool_id.clone(),
            plugin_data: None,
        }
    }

    /// Whether it is an LV with snapshots (an LVM origin).
    pub(super) fn is_lvm_origin(&self) -> bool {
        matches!(&self.backing, VolumeBacking::Lv { lv, .. } if lv.attr.starts_with('o'))
    }
}

pub(super) fn not_found_volume(id: &str) -> LsmError {
    lsm_error(
        ErrorNumber::NOT_FOUND_VOLUME,
        format!("Volume {id} not found"),
    )
}

pub(super) fn io_error(context: String, error: std::io::Error) -> LsmError {
    crate::Error::io(context, error).into()
}

/// The image file of volume `name` in `pool`.
pub fn image_path(pool: &BtrfsPool, name: &str) -> PathBuf {
    pool.volume_dir.join(format!("{name}{IMAGE_SUFFIX}"))
}

/// The hidden file a COPY is written to before it gets its name.
pub(super) fn partial_path(pool: &BtrfsPool, name: &str) -> PathBuf {
    pool.volume_dir
        .join(format!(".{name}{IMAGE_SUFFIX}.partial"))
}

/// Reads image `path` of `pool` as a volume; `None` when it is not a
/// regular file. Unreadable attributes fall back to defaults (an odd file
/// still lists).
pub(super) fn file_volume(pool: &BtrfsPool, name: &str, path: PathBuf) -> Option<HostVolume> {
    let meta = path.symlink_metadata().ok()?;
    if !meta.is_file() {
        return None;
    }
    let birth = meta
        .created()
        .ok()
        .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .map(|age| age.as_nanos())
        .unwrap_or_default();
    let vpd83 = naa6_from(&[
        pool.fsid.as_bytes(),
        meta.ino().to_string().as_bytes(),
        birth.to_string().as_bytes(),
    ]);
    let enabled = xattr::get_text(&path, ADMIN_STATE_XATTR)
        .ok()
        .flatten()
        .is_none_or(|state| state != "disabled");
    let replica_of = xattr::get_text(&path, REPLICA_OF_XATTR)
        .ok()
        .flatten()
        .filter(|value| !value.is_empty());
    Some(HostVolume {
        pool_id: pool.id.clone(),
        name: name.to_owned(),
        size: meta.len(),
        vpd83,
        enabled,
        replica_of,
        backing: VolumeBacking::File { path },
    })
}

pub(super) fn lv_volume(
    pool_id: &str,
    vg: &str,
    lv: LogicalVolume,
    activation_disabled: bool,
) -> HostVolume {
    let replica_of = lv
        .tags
        .iter()
        .find_map(|tag| tag.strip_prefix(REPLICA_OF_TAG))
        .map(str::to_owned);
    HostVolume {
        pool_id: pool_id.to_owned(),
        name: lv.name.clone(),
        size: lv.size,
        vpd83: naa6_from(&[b"lvm", lv.uuid.as_bytes()]),
        enabled: activation_disabled || lv.is_active(),
        replica_of,
        backing: VolumeBacking::Lv {
            vg: vg.to_owned(),
            lv,
        },
    }
}

/// The volumes of one btrfs pool (a missing volume directory is empty).
fn btrfs_volumes(pool: &BtrfsPool) -> Vec<HostVolume> {
    let Ok(entries) = std::fs::read_dir(&pool.volume_dir) else {
        return Vec::new();
    };
    let mut volumes: Vec<HostVolume> = entries
        .flatten()
        .filter_map(|entry| {
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let name = file_name.strip_suffix(IMAGE_SUFFIX)?;
            check_object_name("volume name", name).ok()?;
            file_volume(pool, name, entry.path())
        })
        .collect();
    volumes.sort_by(|left, right| left.name.cmp(&right.name));
    volumes
}

impl Array {
    /// Every volume of every usable pool (or of `only_pool`).
    pub(super) fn host_volumes(
        &self,
        cx: &Call,
        only_pool: Option<&str>,
    ) -> Result<Vec<HostVolume>> {
        let pools = match only_pool {
            Some(id) => match self.pool_by_id(cx, id) {
                Ok(pool) => vec![pool],
                Err(_) => return Ok(Vec::new()),
            },
            None => self.host_pools(cx, None),
        };
        let activation_disabled = self.lvm(cx).activation_disabled();
        let mut volumes = Vec::new();
        for pool in pools {
            match pool {
                HostPool::Btrfs(btrfs) => volumes.extend(btrfs_volumes(&btrfs)),
                HostPool::Lvm(lvm) => {
                    for lv in self.lvm(cx).lvs(&lvm.vg.name)? {
                        volumes.push(lv_volume(&lvm.id, &lvm.vg.name, lv, activation_disabled));
                    }
                }
                HostPool::Missing { .. } => {}
            }
        }
        Ok(volumes)
    }

    /// The volume with LSM id `id` (`NOT_FOUND_VOLUME` otherwise).
    pub(super) fn volume_by_id(&self, cx: &Call, id: &str) -> Result<HostVolume> {
        let (pool_id, name) = parse_volume_id(id).ok_or_else(|| not_found_volume(id))?;
        if check_object_name("volume name", name).is_err() {
            return Err(not_found_volume(id));
        }
        match self
            .pool_by_id(cx, pool_id)
            .map_err(|_| not_found_volume(id))?
        {
            HostPool::Btrfs(pool) => {
                let path = image_path(&pool, name);
                file_volume(&pool, name, path).ok_or_else(|| not_found_volume(id))
            }
            HostPool::Lvm(pool) => {
                let lv = self
                    .lvm(cx)
                    .lvs(&pool.vg.name)?
                    .into_iter()
                    .find(|lv| lv.name == name)
                    .ok_or_else(|| not_found_volume(id))?;
                Ok(lv_volume(
                    &pool.id,
                    &pool.vg.name,
                    lv,
                    self.lvm(cx).activation_disabled(),
                ))
            }
            HostPool::Missing { .. } => Err(not_found_volume(id)),
        }
    }

    /// `NAME_CONFLICT` when a volume of any pool is named `name` (or a COPY
    /// into that name is in progress).
    pub(super) fn check_volume_name_free(&self, cx: &Call, name: &str) -> Result<()> {
        let conflict = |pool: &str| {
            Err(lsm_error(
                ErrorNumber::NAME_CONFLICT,
                format!("Name '{name}' is already in use by another volume (pool {pool})"),
            ))
        };
        for btrfs in self.btrfs_pools(cx) {
            let partial = partial_path(&btrfs, name);
            if exists(&partial) {
                return Err(lsm_error(
                    ErrorNumber::NAME_CONFLICT,
                    format!(
                        "a copy into volume {name} is in progress or was interrupted \
                         (remove {} if no copy runs)",
                        partial.display()
                    ),
                ));
            }
            if exists(&image_path(&btrfs, name)) {
                return conflict(&btrfs.name);
            }
        }
        let groups: Vec<(&str, &str)> = self
            .config
            .pools
            .iter()
            .filter_map(|pool| match &pool.backend {
                PoolBackend::Lvm { vg } => Some((pool.name.as_str(), vg.as_str())),
                PoolBackend::Btrfs { .. } => None,
            })
            .collect();
        if groups.is_empty() {
            return Ok(());
        }
        let names: Vec<&str> = groups.iter().map(|(_, vg)| *vg).collect();
        // One report for every VG; VG by VG when one of them is missing.
        let lvs = match self.lvm(cx).lvs_of(&names) {
            Ok(lvs) => lvs,
            Err(_) => names
                .iter()
                .filter_map(|vg| self.lvm(cx).lvs(vg).ok())
                .flatten()
                .collect(),
        };
        if let Some(lv) = lvs.iter().find(|lv| lv.name == name) {
            let pool = groups
                .iter()
                .find(|(_, vg)| *vg == lv.vg_name)
                .map_or(lv.vg_name.as_str(), |(pool, _)| *pool);
            return conflict(pool);
        }
        Ok(())
    }

    pub(super) fn btrfs_free_space(&self, cx: &Call, pool: &BtrfsPool) -> Result<u64> {
        let usage = self.btrfs(cx).filesystem_usage(&pool.mount_point)?;
        Ok(usage.free_estimated.min(usage.device_size))
    }

    pub(super) fn ensure_volume_dir(pool: &BtrfsPool) -> Result<()> {
        std::fs::create_dir_all(&pool.volume_dir)
            .map_err(|error| io_error(format!("creating {}", pool.volume_dir.display()), error))
    }

    /// The path initiators and copies read: the image, or the LV's device.
    pub(super) fn volume_data_path(&self, cx: &Call, volume: &HostVolume) -> Result<PathBuf> {
        match &volume.backing {
            VolumeBacking::File { path } => Ok(path.clone()),
            VolumeBacking::Lv { vg, lv } => {
                if let Some(problem) = self.lvm_block_device_problem(cx) {
                    return Err(LsmError::no_support(format!(
                        "volume {}: {problem}",
                        volume.name
                    )));
                }
                Ok(if lv.path.is_empty() {
                    PathBuf::from(format!("/dev/{vg}/{}", lv.name))
                } else {
                    PathBuf::from(&lv.path)
                })
            }
        }
    }
}

/// `volume_create`.
pub(super) fn create(
    array: &Array,
    cx: &Call,
    pool: &Pool,
    name: &str,
    size_bytes: i64,
    provisioning: Provisioning,
) -> Result<Volume> {
    check_object_name("volume name", name)?;
    let size = round_up_to_block(size_from_wire("size_bytes", size_bytes)?);
    let host_pool = array.pool_by_id(cx, &pool.id)?;
    // Name check and creation under the state lock: two plugin processes
    // never both take one name.
    let _lock = array.lock(cx)?;
    array.check_volume_name_free(cx, name)?;
    match host_pool {
        HostPool::Btrfs(btrfs) => {
            let free = array.btrfs_free_space(cx, &btrfs)?;
            if size > free {
                return Err(lsm_error(
                    ErrorNumber::NOT_ENOUGH_SPACE,
                    format!(
                        "Insufficient space in pool {}: {size} bytes asked, {free} free",
                        btrfs.name
                    ),
                ));
            }
            Array::ensure_volume_dir(&btrfs)?;
            let path = image_path(&btrfs, name);
            if provisioning == Provisioning::FULL {
                crate::btrfs::create_preallocated_file(&path, size)?;
            } else {
                crate::btrfs::create_sparse_file(&path, size)?;
            }
            file_volume(&btrfs, name, path)
                .map(|volume| volume.to_lsm(&array.system_id))
                .ok_or_else(|| LsmError::plugin_bug(format!("volume {name} vanished")))
        }
        HostPool::Lvm(lvm) => {
            if provisioning == Provisioning::THIN {
                return Err(LsmError::no_support(format!(
                    "pool {} is LVM without thin pools: only FULL volumes",
                    lvm.name
                )));
            }
            if size > lvm.vg.free {
                return Err(lsm_error(
                    ErrorNumber::NOT_ENOUGH_SPACE,
                    format!(
                        "Insufficient space in pool {}: {size} bytes asked, {} free",
                        lvm.name, lvm.vg.free
                    ),
                ));
            }
            array.lvm(cx).lv_create(&lvm.vg.name, name, size, &[])?;
            Ok(array
                .volume_by_id(cx, &volume_id(&lvm.id, name))?
                .to_lsm(&array.system_id))
        }
        HostPool::Missing { .. } => Err(LsmError::plugin_bug("pool_by_id returned a missing pool")),
    }
}

/// `volume_resize`: grow or shrink; a masked volume's LUNs are
/// re-created with the new size, so initiators see it.
pub(super) fn resize(
    array: &Array,
    cx: &Call,
    volume: &Volume,
    new_size_bytes: i64,
) -> Result<Volume> {
    let host = array.volume_by_id(cx, &volume.id)?;
    let requested = round_up_to_block(size_from_wire("new_size_bytes", new_size_bytes)?);
    match &host.backing {
        VolumeBacking::File { path } => {
            if requested == host.size {
                return Err(lsm_error(
                    ErrorNumber::NO_STATE_CHANGE,
                    format!("Volume {} is already {requested} bytes", host.name),
                ));
            }
            let pool = array.btrfs_pool_by_id(cx, &host.pool_id)?;
            if requested > host.size {
                let free = array.btrfs_free_space(cx, &pool)?;
                if requested - host.size > free {
                    return Err(lsm_error(
                        ErrorNumber::NOT_ENOUGH_SPACE,
                        format!(
                            "Insufficient space in pool {} to grow {} by {} bytes ({free} free)",
                            pool.name,
                            host.name,
                            requested - host.size
                        ),
                    ));
                }
            }
            let preallocated = path
                .metadata()
                .map(|meta| meta.blocks().saturating_mul(512) >= host.size)
                .unwrap_or(false);
            array.with_state(cx, |array, state| {
                crate::btrfs::resize_image_file(path, requested, preallocated)?;
                array.refresh_luns(cx, state, &host.id(), requested)
            })?;
        }
        VolumeBacking::Lv { vg, .. } => {
            let extent = match array.pool_by_id(cx, &host.pool_id)? {
                HostPool::Lvm(pool) => pool.vg.extent_size.max(1),
                _ => 1,
            };
            let rounded = requested.div_ceil(extent).saturating_mul(extent);
            if rounded == host.size {
                return Err(lsm_error(
                    ErrorNumber::NO_STATE_CHANGE,
                    format!("Volume {} is already {} bytes", host.name, host.size),
                ));
            }
            array.with_state(cx, |array, state| {
                array.lvm(cx).lv_resize(vg, &host.name, requested)?;
                let resized = array.volume_by_id(cx, &host.id())?;
                array.refresh_luns(cx, state, &host.id(), resized.size)
            })?;
        }
    }
    Ok(array.volume_by_id(cx, &volume.id)?.to_lsm(&array.system_id))
}

/// `volume_delete`: refused while masked (`IS_MASKED`) or while a
/// replica depends on it (`HAS_CHILD_DEPENDENCY`).
pub(super) fn delete(array: &Array, cx: &Call, volume: &Volume) -> Result<()> {
    let host = array.volume_by_id(cx, &volume.id)?;
    array.with_state(cx, |array, state| {
        let id = host.id();
        if let Some(target) = state
            .targets
            .iter()
            .find(|target| target.luns.iter().any(|lun| lun.volume_id == id))
        {
            return Err(lsm_error(
                ErrorNumber::IS_MASKED,
                format!(
                    "Volume {} is masked to access group {}",
                    host.name, target.access_group_name
                ),
            ));
        }
        if host.is_lvm_origin() || !array.replicas_of(cx, &host.vpd83)?.is_empty() {
            return Err(lsm_error(
                ErrorNumber::HAS_CHILD_DEPENDENCY,
                format!("Volume {} has replicas depending on it", host.name),
            ));
        }
        match &host.backing {
            VolumeBacking::File { path } => std::fs::remove_file(path)
                .map_err(|error| io_error(format!("removing {}", path.display()), error)),
            VolumeBacking::Lv { vg, .. } => Ok(array.lvm(cx).lv_remove(vg, &host.name)?),
        }
    })
}

/// `volume_enable` / `volume_disable`: the image's attribute (or the
/// LV's activation), and its LUNs taken online or offline.
pub(super) fn set_enabled(array: &Array, cx: &Call, volume: &Volume, enabled: bool) -> Result<()> {
    let host = array.volume_by_id(cx, &volume.id)?;
    if host.enabled == enabled {
        return Err(lsm_error(
            ErrorNumber::NO_STATE_CHANGE,
            format!(
                "Volume {} is already {}",
                host.name,
                if enabled { "enabled" } else { "disabled" }
            ),
        ));
    }
    array.with_state(cx, |array, state| {
        let id = host.id();
        match &host.backing {
            VolumeBacking::File { path } => {
                array.set_luns_online(cx, state, &id, enabled)?;
                let marked = if enabled {
                    xattr::remove(path, ADMIN_STATE_XATTR).map(|_| ())
                } else {
                    xattr::set(path, ADMIN_STATE_XATTR, b"disabled")
                };
                if let Err(error) = marked {
                    // Put the LUNs back as they were.
                    if let Err(rollback) = array.set_luns_online(cx, state, &id, !enabled) {
                        tracing::error!(%rollback, "could not restore LUN state");
                    }
                    return Err(error.into());
                }
                Ok(())
            }
            VolumeBacking::Lv { vg, .. } => {
                if let Some(problem) = array.lvm_block_device_problem(cx) {
                    return Err(LsmError::no_support(format!(
                        "volume {}: {problem}",
                        host.name
                    )));
                }
                array.set_luns_online(cx, state, &id, enabled)?;
                if let Err(error) = array.lvm(cx).lv_set_active(vg, &host.name, enabled) {
                    if let Err(rollback) = array.set_luns_online(cx, state, &id, !enabled) {
                        tracing::error!(%rollback, "could not restore LUN state");
                    }
                    return Err(error.into());
                }
                Ok(())
            }
        }
    })
}
