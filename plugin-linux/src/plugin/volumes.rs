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
//! CLONE replication is a reflink copy (blocks shared, same pool only);
//! COPY is a full, sparse-aware copy run as a job. Neither makes the copy
//! physically depend on its source: the dependency reported is LSM's
//! bookkeeping (a replica is its source's child until
//! `volume_child_dependency_rm`), kept so clients following LSM's model
//! see what they expect. LVM volumes without device-mapper have no block
//! device: masking, enable/disable and replication of them are refused
//! with `NO_SUPPORT`.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use lsm_core::plugin::{JobProgress, Search};
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
    fn is_lvm_origin(&self) -> bool {
        matches!(&self.backing, VolumeBacking::Lv { lv, .. } if lv.attr.starts_with('o'))
    }
}

fn not_found_volume(id: &str) -> LsmError {
    lsm_error(
        ErrorNumber::NOT_FOUND_VOLUME,
        format!("Volume {id} not found"),
    )
}

/// The image file of volume `name` in `pool`.
pub fn image_path(pool: &BtrfsPool, name: &str) -> PathBuf {
    pool.volume_dir.join(format!("{name}{IMAGE_SUFFIX}"))
}

/// The hidden file a COPY is written to before it gets its name.
fn partial_path(pool: &BtrfsPool, name: &str) -> PathBuf {
    pool.volume_dir
        .join(format!(".{name}{IMAGE_SUFFIX}.partial"))
}

/// Reads image `path` of `pool` as a volume; `None` when it is not a
/// regular file. Unreadable attributes fall back to defaults (an odd file
/// still lists).
fn file_volume(pool: &BtrfsPool, name: &str, path: PathBuf) -> Option<HostVolume> {
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

fn lv_volume(pool_id: &str, vg: &str, lv: LogicalVolume, activation_disabled: bool) -> HostVolume {
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

/// What `volume_replicate` did: finished, or a COPY to run as a job.
pub enum Replication {
    /// The replica exists.
    Done(Volume),
    /// A COPY still to run (see [`VolumeCopy::run`]).
    Copy(VolumeCopy),
}

/// Where a COPY writes.
enum CopyDestination {
    /// A hidden file renamed to the image once complete.
    File { partial: PathBuf, image: PathBuf },
    /// A freshly created LV (removed again if the copy fails).
    Lv {
        vg: String,
        name: String,
        device: PathBuf,
    },
}

/// A full copy of a volume, reserved (destination created) and ready to
/// run on a job thread.
pub struct VolumeCopy {
    source: PathBuf,
    size: u64,
    source_vpd83: String,
    destination: CopyDestination,
    new_id: String,
}

impl VolumeCopy {
    /// Copies the data, records the dependency, gives the replica its
    /// name, and returns it. On failure nothing is left behind.
    pub fn run(&self, array: &Array, progress: &JobProgress) -> Result<Volume> {
        let outcome = self.copy_and_name(array, progress);
        if outcome.is_err() {
            match &self.destination {
                CopyDestination::File { partial, .. } => {
                    let _ = std::fs::remove_file(partial);
                }
                CopyDestination::Lv { vg, name, .. } => {
                    if let Err(error) = array.lvm().lv_remove(vg, name) {
                        tracing::error!(%error, "could not remove the LV of a failed copy");
                    }
                }
            }
        }
        outcome
    }

    fn copy_and_name(&self, array: &Array, progress: &JobProgress) -> Result<Volume> {
        match &self.destination {
            CopyDestination::File { partial, image } => {
                copy_data(&self.source, partial, self.size, true, progress)?;
                xattr::set(partial, REPLICA_OF_XATTR, self.source_vpd83.as_bytes())?;
                if exists(image) {
                    return Err(lsm_error(
                        ErrorNumber::NAME_CONFLICT,
                        format!("{} appeared while copying", image.display()),
                    ));
                }
                std::fs::rename(partial, image).map_err(|error| {
                    LsmError::from(crate::Error::io(
                        format!("renaming {} to {}", partial.display(), image.display()),
                        error,
                    ))
                })?;
            }
            CopyDestination::Lv { vg, name, device } => {
                copy_data(&self.source, device, self.size, false, progress)?;
                array.lvm().lv_add_tag(
                    vg,
                    name,
                    &format!("{REPLICA_OF_TAG}{}", self.source_vpd83),
                )?;
            }
        }
        Ok(array.volume_by_id(&self.new_id)?.to_lsm(&array.system_id))
    }
}

fn io_error(context: String, error: std::io::Error) -> LsmError {
    crate::Error::io(context, error).into()
}

/// Where the next data of a file starts (`SEEK_DATA`).
enum NextData {
    /// At this offset.
    At(u64),
    /// Nowhere: only a hole follows.
    None,
    /// The file cannot tell (no `SEEK_DATA` support).
    Unknown,
}

fn next_data(file: &File, offset: u64) -> NextData {
    let Ok(offset) = i64::try_from(offset) else {
        return NextData::Unknown;
    };
    match nix::unistd::lseek(file, offset, nix::unistd::Whence::SeekData) {
        Ok(start) => u64::try_from(start).map_or(NextData::Unknown, NextData::At),
        Err(nix::errno::Errno::ENXIO) => NextData::None,
        Err(_) => NextData::Unknown,
    }
}

/// Copies `size` bytes from `source` to `destination`. Holes of the source
/// are skipped when it can say where they are (SEEK_DATA); with
/// `sparse_destination`, all-zero chunks are not written either.
fn copy_data(
    source: &Path,
    destination: &Path,
    size: u64,
    sparse_destination: bool,
    progress: &JobProgress,
) -> Result<()> {
    const CHUNK: usize = 1 << 20;
    let input = File::open(source)
        .map_err(|error| io_error(format!("opening {}", source.display()), error))?;
    let output = OpenOptions::new()
        .write(true)
        .open(destination)
        .map_err(|error| io_error(format!("opening {}", destination.display()), error))?;
    if sparse_destination {
        output
            .set_len(size)
            .map_err(|error| io_error(format!("sizing {}", destination.display()), error))?;
    }
    let mut buffer = vec![0u8; CHUNK];
    let mut offset: u64 = 0;
    while offset < size {
        if sparse_destination {
            // Jump over a hole when the source can tell where data is.
            match next_data(&input, offset) {
                NextData::At(start) if start > offset => {
                    offset = start.min(size);
                    continue;
                }
                NextData::None => break,
                NextData::At(_) | NextData::Unknown => {}
            }
        }
        let length = usize::try_from((size - offset).min(CHUNK as u64)).unwrap_or(CHUNK);
        let chunk = &mut buffer[..length];
        input
            .read_exact_at(chunk, offset)
            .map_err(|error| io_error(format!("reading {}", source.display()), error))?;
        if !(sparse_destination && chunk.iter().all(|byte| *byte == 0)) {
            output
                .write_all_at(chunk, offset)
                .map_err(|error| match error.raw_os_error() {
                    Some(libc::ENOSPC) | Some(libc::EDQUOT) => lsm_error(
                        ErrorNumber::NOT_ENOUGH_SPACE,
                        format!("no space left writing {}", destination.display()),
                    ),
                    _ => io_error(format!("writing {}", destination.display()), error),
                })?;
        }
        offset += length as u64;
        let percent = offset.saturating_mul(100) / size.max(1);
        progress.set(u8::try_from(percent).unwrap_or(99));
    }
    output
        .sync_all()
        .map_err(|error| io_error(format!("syncing {}", destination.display()), error))
}

/// Whether `[a, a + count)` and `[b, b + count_b)` overlap.
fn ranges_overlap(a: i64, count_a: i64, b: i64, count_b: i64) -> bool {
    a < b.saturating_add(count_b) && b < a.saturating_add(count_a)
}

impl Array {
    /// Every volume of every usable pool (or of `only_pool`).
    pub(super) fn host_volumes(&self, only_pool: Option<&str>) -> Result<Vec<HostVolume>> {
        let pools = match only_pool {
            Some(id) => match self.pool_by_id(id) {
                Ok(pool) => vec![pool],
                Err(_) => return Ok(Vec::new()),
            },
            None => self.host_pools(None),
        };
        let activation_disabled = self.lvm().activation_disabled();
        let mut volumes = Vec::new();
        for pool in pools {
            match pool {
                HostPool::Btrfs(btrfs) => volumes.extend(btrfs_volumes(&btrfs)),
                HostPool::Lvm(lvm) => {
                    for lv in self.lvm().lvs(&lvm.vg.name)? {
                        volumes.push(lv_volume(&lvm.id, &lvm.vg.name, lv, activation_disabled));
                    }
                }
                HostPool::Missing { .. } => {}
            }
        }
        Ok(volumes)
    }

    /// `volumes`.
    pub(super) fn volumes(&self, search: Option<&Search>) -> Result<Vec<Volume>> {
        let volumes = match search {
            Some(search) if search.key == "id" => match self.volume_by_id(&search.value) {
                Ok(volume) => vec![volume],
                Err(_) => Vec::new(),
            },
            Some(search) if search.key == "pool_id" => self.host_volumes(Some(&search.value))?,
            _ => self.host_volumes(None)?,
        };
        Ok(volumes
            .iter()
            .map(|volume| volume.to_lsm(&self.system_id))
            .collect())
    }

    /// The volume with LSM id `id` (`NOT_FOUND_VOLUME` otherwise).
    pub(super) fn volume_by_id(&self, id: &str) -> Result<HostVolume> {
        let (pool_id, name) = parse_volume_id(id).ok_or_else(|| not_found_volume(id))?;
        if check_object_name("volume name", name).is_err() {
            return Err(not_found_volume(id));
        }
        match self.pool_by_id(pool_id).map_err(|_| not_found_volume(id))? {
            HostPool::Btrfs(pool) => {
                let path = image_path(&pool, name);
                file_volume(&pool, name, path).ok_or_else(|| not_found_volume(id))
            }
            HostPool::Lvm(pool) => {
                let lv = self
                    .lvm()
                    .lvs(&pool.vg.name)?
                    .into_iter()
                    .find(|lv| lv.name == name)
                    .ok_or_else(|| not_found_volume(id))?;
                Ok(lv_volume(
                    &pool.id,
                    &pool.vg.name,
                    lv,
                    self.lvm().activation_disabled(),
                ))
            }
            HostPool::Missing { .. } => Err(not_found_volume(id)),
        }
    }

    /// `NAME_CONFLICT` when a volume of any pool is named `name` (or a COPY
    /// into that name is in progress).
    fn check_volume_name_free(&self, name: &str) -> Result<()> {
        let conflict = |pool: &str| {
            Err(lsm_error(
                ErrorNumber::NAME_CONFLICT,
                format!("Name '{name}' is already in use by another volume (pool {pool})"),
            ))
        };
        for btrfs in self.btrfs_pools() {
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
        let lvs = match self.lvm().lvs_of(&names) {
            Ok(lvs) => lvs,
            Err(_) => names
                .iter()
                .filter_map(|vg| self.lvm().lvs(vg).ok())
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

    fn btrfs_free_space(&self, pool: &BtrfsPool) -> Result<u64> {
        let usage = self.btrfs().filesystem_usage(&pool.mount_point)?;
        Ok(usage.free_estimated.min(usage.device_size))
    }

    fn ensure_volume_dir(pool: &BtrfsPool) -> Result<()> {
        std::fs::create_dir_all(&pool.volume_dir)
            .map_err(|error| io_error(format!("creating {}", pool.volume_dir.display()), error))
    }

    /// `volume_create`.
    pub(super) fn volume_create(
        &self,
        pool: &Pool,
        name: &str,
        size_bytes: i64,
        provisioning: Provisioning,
    ) -> Result<Volume> {
        check_object_name("volume name", name)?;
        let size = round_up_to_block(size_from_wire("size_bytes", size_bytes)?);
        let host_pool = self.pool_by_id(&pool.id)?;
        // Name check and creation under the state lock: two plugin processes
        // never both take one name.
        let _lock = self.lock()?;
        self.check_volume_name_free(name)?;
        match host_pool {
            HostPool::Btrfs(btrfs) => {
                let free = self.btrfs_free_space(&btrfs)?;
                if size > free {
                    return Err(lsm_error(
                        ErrorNumber::NOT_ENOUGH_SPACE,
                        format!(
                            "Insufficient space in pool {}: {size} bytes asked, {free} free",
                            btrfs.name
                        ),
                    ));
                }
                Self::ensure_volume_dir(&btrfs)?;
                let path = image_path(&btrfs, name);
                if provisioning == Provisioning::FULL {
                    crate::btrfs::create_preallocated_file(&path, size)?;
                } else {
                    crate::btrfs::create_sparse_file(&path, size)?;
                }
                file_volume(&btrfs, name, path)
                    .map(|volume| volume.to_lsm(&self.system_id))
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
                self.lvm().lv_create(&lvm.vg.name, name, size, &[])?;
                Ok(self
                    .volume_by_id(&volume_id(&lvm.id, name))?
                    .to_lsm(&self.system_id))
            }
            HostPool::Missing { .. } => {
                Err(LsmError::plugin_bug("pool_by_id returned a missing pool"))
            }
        }
    }

    /// The path initiators and copies read: the image, or the LV's device.
    pub(super) fn volume_data_path(&self, volume: &HostVolume) -> Result<PathBuf> {
        match &volume.backing {
            VolumeBacking::File { path } => Ok(path.clone()),
            VolumeBacking::Lv { vg, lv } => {
                if let Some(problem) = self.lvm_block_device_problem() {
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

    /// `volume_resize`: grow or shrink; a masked volume's LUNs are
    /// re-created with the new size, so initiators see it.
    pub(super) fn volume_resize(&self, volume: &Volume, new_size_bytes: i64) -> Result<Volume> {
        let host = self.volume_by_id(&volume.id)?;
        let requested = round_up_to_block(size_from_wire("new_size_bytes", new_size_bytes)?);
        match &host.backing {
            VolumeBacking::File { path } => {
                if requested == host.size {
                    return Err(lsm_error(
                        ErrorNumber::NO_STATE_CHANGE,
                        format!("Volume {} is already {requested} bytes", host.name),
                    ));
                }
                let pool = self.btrfs_pool_by_id(&host.pool_id)?;
                if requested > host.size {
                    let free = self.btrfs_free_space(&pool)?;
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
                self.with_state(|array, state| {
                    crate::btrfs::resize_image_file(path, requested, preallocated)?;
                    array.refresh_luns(state, &host.id(), requested)
                })?;
            }
            VolumeBacking::Lv { vg, .. } => {
                let extent = match self.pool_by_id(&host.pool_id)? {
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
                self.with_state(|array, state| {
                    array.lvm().lv_resize(vg, &host.name, requested)?;
                    let resized = array.volume_by_id(&host.id())?;
                    array.refresh_luns(state, &host.id(), resized.size)
                })?;
            }
        }
        Ok(self.volume_by_id(&volume.id)?.to_lsm(&self.system_id))
    }

    /// Volumes whose recorded source is `vpd83`.
    fn replicas_of(&self, vpd83: &str) -> Result<Vec<HostVolume>> {
        Ok(self
            .host_volumes(None)?
            .into_iter()
            .filter(|volume| volume.replica_of.as_deref() == Some(vpd83))
            .collect())
    }

    /// `volume_delete`: refused while masked (`IS_MASKED`) or while a
    /// replica depends on it (`HAS_CHILD_DEPENDENCY`).
    pub(super) fn volume_delete(&self, volume: &Volume) -> Result<()> {
        let host = self.volume_by_id(&volume.id)?;
        self.with_state(|array, state| {
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
            if host.is_lvm_origin() || !array.replicas_of(&host.vpd83)?.is_empty() {
                return Err(lsm_error(
                    ErrorNumber::HAS_CHILD_DEPENDENCY,
                    format!("Volume {} has replicas depending on it", host.name),
                ));
            }
            match &host.backing {
                VolumeBacking::File { path } => std::fs::remove_file(path)
                    .map_err(|error| io_error(format!("removing {}", path.display()), error)),
                VolumeBacking::Lv { vg, .. } => Ok(array.lvm().lv_remove(vg, &host.name)?),
            }
        })
    }

    /// `volume_replicate`: CLONE (reflink, same btrfs pool; LVM snapshot
    /// where device-mapper exists) is done at once; COPY is reserved here
    /// and returned to run as a job.
    pub(super) fn volume_replicate(
        &self,
        pool: Option<&Pool>,
        rep_type: ReplicationType,
        source: &Volume,
        name: &str,
    ) -> Result<Replication> {
        if rep_type != ReplicationType::CLONE && rep_type != ReplicationType::COPY {
            return Err(LsmError::no_support(format!(
                "replication type {rep_type:?} is not supported: only CLONE and COPY"
            )));
        }
        check_object_name("volume name", name)?;
        let source = self.volume_by_id(&source.id)?;
        let target_pool = self.pool_by_id(pool.map_or(source.pool_id.as_str(), |pool| &pool.id))?;
        // Name check and creation under the state lock: two plugin processes
        // never both take one name.
        let _lock = self.lock()?;
        self.check_volume_name_free(name)?;
        let source_path = self.volume_data_path(&source)?;
        match (&target_pool, rep_type) {
            (HostPool::Btrfs(btrfs), ReplicationType::CLONE) => {
                if btrfs.id != source.pool_id {
                    return Err(LsmError::no_support(format!(
                        "a CLONE shares blocks with its source, so it stays in the source's \
                         pool; use COPY to replicate into pool {}",
                        btrfs.name
                    )));
                }
                Self::ensure_volume_dir(btrfs)?;
                let image = image_path(btrfs, name);
                self.btrfs().reflink_copy(&source_path, &image)?;
                if let Err(error) = xattr::set(&image, REPLICA_OF_XATTR, source.vpd83.as_bytes()) {
                    let _ = std::fs::remove_file(&image);
                    return Err(error.into());
                }
                let replica = file_volume(btrfs, name, image)
                    .ok_or_else(|| LsmError::plugin_bug(format!("clone {name} vanished")))?;
                Ok(Replication::Done(replica.to_lsm(&self.system_id)))
            }
            (HostPool::Btrfs(btrfs), _) => {
                let free = self.btrfs_free_space(btrfs)?;
                if source.size > free {
                    return Err(lsm_error(
                        ErrorNumber::NOT_ENOUGH_SPACE,
                        format!(
                            "Insufficient space in pool {}: {} bytes to copy, {free} free",
                            btrfs.name, source.size
                        ),
                    ));
                }
                Self::ensure_volume_dir(btrfs)?;
                let partial = partial_path(btrfs, name);
                // Reserves the name: a second COPY into it now conflicts.
                File::options()
                    .write(true)
                    .create_new(true)
                    .open(&partial)
                    .map_err(|error| match error.kind() {
                        std::io::ErrorKind::AlreadyExists => lsm_error(
                            ErrorNumber::NAME_CONFLICT,
                            format!("a copy into volume {name} is already in progress"),
                        ),
                        _ => io_error(format!("creating {}", partial.display()), error),
                    })?;
                Ok(Replication::Copy(VolumeCopy {
                    source: source_path,
                    size: source.size,
                    source_vpd83: source.vpd83.clone(),
                    new_id: volume_id(&btrfs.id, name),
                    destination: CopyDestination::File {
                        partial,
                        image: image_path(btrfs, name),
                    },
                }))
            }
            (HostPool::Lvm(lvm), _) => {
                if let Some(problem) = self.lvm_block_device_problem() {
                    return Err(LsmError::no_support(format!(
                        "pool {}: {problem}",
                        lvm.name
                    )));
                }
                if rep_type == ReplicationType::CLONE {
                    if lvm.id != source.pool_id {
                        return Err(LsmError::no_support(
                            "an LVM CLONE is a snapshot in the source's volume group",
                        ));
                    }
                    self.lvm()
                        .lv_snapshot(&lvm.vg.name, &source.name, name, source.size)?;
                    self.lvm().lv_add_tag(
                        &lvm.vg.name,
                        name,
                        &format!("{REPLICA_OF_TAG}{}", source.vpd83),
                    )?;
                    return Ok(Replication::Done(
                        self.volume_by_id(&volume_id(&lvm.id, name))?
                            .to_lsm(&self.system_id),
                    ));
                }
                if source.size > lvm.vg.free {
                    return Err(lsm_error(
                        ErrorNumber::NOT_ENOUGH_SPACE,
                        format!("Insufficient space in pool {}", lvm.name),
                    ));
                }
                self.lvm().lv_create(&lvm.vg.name, name, source.size, &[])?;
                let created = self.volume_by_id(&volume_id(&lvm.id, name))?;
                let device = self.volume_data_path(&created)?;
                Ok(Replication::Copy(VolumeCopy {
                    source: source_path,
                    size: source.size,
                    source_vpd83: source.vpd83.clone(),
                    new_id: created.id(),
                    destination: CopyDestination::Lv {
                        vg: lvm.vg.name.clone(),
                        name: name.to_owned(),
                        device,
                    },
                }))
            }
            (HostPool::Missing { .. }, _) => {
                Err(LsmError::plugin_bug("pool_by_id returned a missing pool"))
            }
        }
    }

    /// `volume_replicate_range`: copies block ranges (for CLONE too: the
    /// 512-byte blocks are below btrfs's sharing granularity).
    pub(super) fn volume_replicate_range(
        &self,
        rep_type: ReplicationType,
        source: &Volume,
        destination: &Volume,
        ranges: &[BlockRange],
    ) -> Result<()> {
        if rep_type != ReplicationType::CLONE && rep_type != ReplicationType::COPY {
            return Err(LsmError::no_support(format!(
                "block range replication supports CLONE and COPY, not {rep_type:?}"
            )));
        }
        let source = self.volume_by_id(&source.id)?;
        let destination = self.volume_by_id(&destination.id)?;
        let blocks = |volume: &HostVolume| size_to_wire(volume.size) / BLOCK_SIZE;
        let (source_blocks, destination_blocks) = (blocks(&source), blocks(&destination));
        let invalid = |message: String| Err(LsmError::invalid_argument(message));
        for range in ranges {
            if range.src_block.saturating_add(range.block_count) > source_blocks
                || range.dest_block.saturating_add(range.block_count) > destination_blocks
            {
                return invalid(format!(
                    "block range (src {}, dest {}, count {}) is beyond the end of a volume",
                    range.src_block, range.dest_block, range.block_count
                ));
            }
        }
        let same_volume = source.id() == destination.id();
        for (index, first) in ranges.iter().enumerate() {
            for second in &ranges[index + 1..] {
                if ranges_overlap(
                    first.dest_block,
                    first.block_count,
                    second.dest_block,
                    second.block_count,
                ) {
                    return invalid("destination block ranges overlap".into());
                }
            }
            if same_volume
                && ranges.iter().any(|other| {
                    ranges_overlap(
                        first.src_block,
                        first.block_count,
                        other.dest_block,
                        other.block_count,
                    )
                })
            {
                return invalid("source and destination ranges overlap on the same volume".into());
            }
        }
        let source_path = self.volume_data_path(&source)?;
        let destination_path = self.volume_data_path(&destination)?;
        let input = File::open(&source_path)
            .map_err(|error| io_error(format!("opening {}", source_path.display()), error))?;
        let output = OpenOptions::new()
            .write(true)
            .open(&destination_path)
            .map_err(|error| io_error(format!("opening {}", destination_path.display()), error))?;
        let block = BLOCK_SIZE as u64;
        let mut buffer = Vec::new();
        for range in ranges {
            let count = u64::try_from(range.block_count).unwrap_or(0);
            let from = u64::try_from(range.src_block).unwrap_or(0) * block;
            let to = u64::try_from(range.dest_block).unwrap_or(0) * block;
            let mut done = 0u64;
            while done < count * block {
                let length = (count * block - done).min(1 << 20);
                buffer.resize(usize::try_from(length).unwrap_or(0), 0);
                input
                    .read_exact_at(&mut buffer, from + done)
                    .map_err(|error| {
                        io_error(format!("reading {}", source_path.display()), error)
                    })?;
                output.write_all_at(&buffer, to + done).map_err(|error| {
                    io_error(format!("writing {}", destination_path.display()), error)
                })?;
                done += length;
            }
        }
        output
            .sync_all()
            .map_err(|error| io_error(format!("syncing {}", destination_path.display()), error))
    }

    /// `volume_enable` / `volume_disable`: the image's attribute (or the
    /// LV's activation), and its LUNs taken online or offline.
    pub(super) fn volume_set_enabled(&self, volume: &Volume, enabled: bool) -> Result<()> {
        let host = self.volume_by_id(&volume.id)?;
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
        self.with_state(|array, state| {
            let id = host.id();
            match &host.backing {
                VolumeBacking::File { path } => {
                    array.set_luns_online(state, &id, enabled)?;
                    let marked = if enabled {
                        xattr::remove(path, ADMIN_STATE_XATTR).map(|_| ())
                    } else {
                        xattr::set(path, ADMIN_STATE_XATTR, b"disabled")
                    };
                    if let Err(error) = marked {
                        // Put the LUNs back as they were.
                        if let Err(rollback) = array.set_luns_online(state, &id, !enabled) {
                            tracing::error!(%rollback, "could not restore LUN state");
                        }
                        return Err(error.into());
                    }
                    Ok(())
                }
                VolumeBacking::Lv { vg, .. } => {
                    if let Some(problem) = array.lvm_block_device_problem() {
                        return Err(LsmError::no_support(format!(
                            "volume {}: {problem}",
                            host.name
                        )));
                    }
                    array.set_luns_online(state, &id, enabled)?;
                    if let Err(error) = array.lvm().lv_set_active(vg, &host.name, enabled) {
                        if let Err(rollback) = array.set_luns_online(state, &id, !enabled) {
                            tracing::error!(%rollback, "could not restore LUN state");
                        }
                        return Err(error.into());
                    }
                    Ok(())
                }
            }
        })
    }

    /// `volume_child_dependency`: whether a replica (or an LVM snapshot)
    /// still depends on the volume.
    pub(super) fn volume_child_dependency(&self, volume: &Volume) -> Result<bool> {
        let host = self.volume_by_id(&volume.id)?;
        Ok(host.is_lvm_origin() || !self.replicas_of(&host.vpd83)?.is_empty())
    }

    /// `volume_child_dependency_rm`: makes the volume's replicas
    /// independent (their blocks are already their own, or shared
    /// copy-on-write, so only the record goes).
    pub(super) fn volume_child_dependency_rm(&self, volume: &Volume) -> Result<()> {
        let host = self.volume_by_id(&volume.id)?;
        if host.is_lvm_origin() {
            return Err(LsmError::no_support(format!(
                "volume {} has LVM snapshots, which cannot be split from their origin",
                host.name
            )));
        }
        let replicas = self.replicas_of(&host.vpd83)?;
        if replicas.is_empty() {
            return Err(lsm_error(
                ErrorNumber::NO_STATE_CHANGE,
                format!("Volume {} has no child dependency", host.name),
            ));
        }
        for replica in replicas {
            match &replica.backing {
                VolumeBacking::File { path } => {
                    xattr::remove(path, REPLICA_OF_XATTR)?;
                }
                VolumeBacking::Lv { vg, .. } => {
                    self.lvm().lv_delete_tag(
                        vg,
                        &replica.name,
                        &format!("{REPLICA_OF_TAG}{}", host.vpd83),
                    )?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_rules() {
        assert!(ranges_overlap(0, 10, 5, 10));
        assert!(!ranges_overlap(0, 10, 10, 10));
        assert!(ranges_overlap(20, 10, 5, 20));
        assert!(!ranges_overlap(0, 1, i64::MAX - 1, 1));
    }

    #[test]
    fn sparse_copy_keeps_data_and_holes() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("source");
        let destination = dir.path().join("destination");
        let size: u64 = 8 << 20;
        let file = File::create(&source).unwrap();
        file.set_len(size).unwrap();
        file.write_all_at(&[0xa5; 4096], 3 << 20).unwrap();
        file.write_all_at(&[0x5a; 100], size - 100).unwrap();
        File::create(&destination).unwrap();
        let progress = JobProgress::default();
        copy_data(&source, &destination, size, true, &progress).unwrap();
        let copied = std::fs::read(&destination).unwrap();
        assert_eq!(copied.len() as u64, size);
        assert_eq!(copied, std::fs::read(&source).unwrap());
        let meta = destination.metadata().unwrap();
        assert!(
            meta.blocks() * 512 < 2 << 20,
            "the copy is not sparse: {} blocks",
            meta.blocks()
        );
    }
}
