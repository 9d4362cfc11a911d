//! Replicas of volumes: CLONE (reflink, same btrfs pool; an LVM snapshot where
//! device-mapper exists) made at once, COPY (a full, sparse-aware copy) run as a job,
//! block range copies, and the child dependency LSM keeps between a replica and its
//! source (a `user.lsm.replica_of` attribute or an `lsm_replica_of_<vpd83>` LV tag).

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lsm_core::plugin::{Call, JobProgress};
use lsm_core::types::*;
use lsm_core::{ErrorNumber, LsmError, Result};

use super::mapping::{BLOCK_SIZE, lsm_error, size_to_wire, volume_id};
use super::pools::{BtrfsPool, HostPool};
use super::volumes::{
    HostVolume, REPLICA_OF_TAG, REPLICA_OF_XATTR, VolumeBacking, file_volume, image_path, io_error,
    lv_volume, not_found_volume, partial_path,
};
use super::{Array, exists};
use crate::config::LvmConfig;
use crate::lvm::Lvm;
use crate::naming::check_object_name;
use crate::xattr;

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
    File {
        pool: BtrfsPool,
        name: String,
        partial: PathBuf,
        image: PathBuf,
    },
    /// A freshly created LV (removed again if the copy fails).
    Lv {
        pool_id: String,
        vg: String,
        name: String,
        device: PathBuf,
    },
}

/// A full copy of a volume, reserved (destination created) and ready to run on a job
/// thread: it holds all it needs of the session (LVM settings, the command timeout's
/// ceiling, the system id), so the job outlives the call that started it.
pub struct VolumeCopy {
    source: PathBuf,
    size: u64,
    source_vpd83: String,
    destination: CopyDestination,
    lvm: LvmConfig,
    command_timeout: Duration,
    system_id: String,
}

impl VolumeCopy {
    /// LVM, each command bounded by the job's context (the session's timeout from the
    /// job's start) or the configured command timeout when shorter.
    fn lvm(&self, cx: &Call) -> Lvm {
        Lvm::new(&self.lvm, cx.timeout().min(self.command_timeout))
    }

    /// Copies the data (as long as it takes), records the dependency, gives the replica its
    /// name, and returns it. On failure nothing is left behind.
    pub fn run(&self, cx: &Call, progress: &JobProgress) -> Result<Volume> {
        let outcome = self.copy_and_name(cx, progress);
        if outcome.is_err() {
            match &self.destination {
                CopyDestination::File { partial, .. } => {
                    let _ = std::fs::remove_file(partial);
                }
                CopyDestination::Lv { vg, name, .. } => {
                    if let Err(error) = self.lvm(cx).lv_remove(vg, name) {
                        tracing::error!(%error, "could not remove the LV of a failed copy");
                    }
                }
            }
        }
        outcome
    }

    fn copy_and_name(&self, cx: &Call, progress: &JobProgress) -> Result<Volume> {
        let replica = match &self.destination {
            CopyDestination::File {
                pool,
                name,
                partial,
                image,
            } => {
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
                file_volume(pool, name, image.clone())
                    .ok_or_else(|| not_found_volume(&volume_id(&pool.id, name)))?
            }
            CopyDestination::Lv {
                pool_id,
                vg,
                name,
                device,
            } => {
                copy_data(&self.source, device, self.size, false, progress)?;
                let lvm = self.lvm(cx);
                lvm.lv_add_tag(vg, name, &format!("{REPLICA_OF_TAG}{}", self.source_vpd83))?;
                let lv = lvm
                    .lvs(vg)?
                    .into_iter()
                    .find(|lv| lv.name == *name)
                    .ok_or_else(|| not_found_volume(&volume_id(pool_id, name)))?;
                lv_volume(pool_id, vg, lv, lvm.activation_disabled())
            }
        };
        Ok(replica.to_lsm(&self.system_id))
    }
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
    /// A COPY of `source` (whose data is at `source_path`) into `destination`.
    fn volume_copy(
        &self,
        source_path: PathBuf,
        source: &HostVolume,
        destination: CopyDestination,
    ) -> VolumeCopy {
        VolumeCopy {
            source: source_path,
            size: source.size,
            source_vpd83: source.vpd83.clone(),
            destination,
            lvm: self.config.lvm.clone(),
            command_timeout: self.config.command_timeout,
            system_id: self.system_id.clone(),
        }
    }

    /// Volumes whose recorded source is `vpd83`.
    pub(super) fn replicas_of(&self, cx: &Call, vpd83: &str) -> Result<Vec<HostVolume>> {
        Ok(self
            .host_volumes(cx, None)?
            .into_iter()
            .filter(|volume| volume.replica_of.as_deref() == Some(vpd83))
            .collect())
    }
}

/// `volume_replicate`: CLONE (reflink, same btrfs pool; LVM snapshot
/// where device-mapper exists) is done at once; COPY is reserved here
/// and returned to run as a job.
pub(super) fn replicate(
    array: &Array,
    cx: &Call,
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
    let source = array.volume_by_id(cx, &source.id)?;
    let target_pool =
        array.pool_by_id(cx, pool.map_or(source.pool_id.as_str(), |pool| &pool.id))?;
    // Name check and creation under the state lock: two plugin processes
    // never both take one name.
    let _lock = array.lock(cx)?;
    array.check_volume_name_free(cx, name)?;
    let source_path = array.volume_data_path(cx, &source)?;
    match (&target_pool, rep_type) {
        (HostPool::Btrfs(btrfs), ReplicationType::CLONE) => {
            if btrfs.id != source.pool_id {
                return Err(LsmError::no_support(format!(
                    "a CLONE shares blocks with its source, so it stays in the source's \
                     pool; use COPY to replicate into pool {}",
                    btrfs.name
                )));
            }
            Array::ensure_volume_dir(btrfs)?;
            let image = image_path(btrfs, name);
            array.btrfs(cx).reflink_copy(&source_path, &image)?;
            if let Err(error) = xattr::set(&image, REPLICA_OF_XATTR, source.vpd83.as_bytes()) {
                let _ = std::fs::remove_file(&image);
                return Err(error.into());
            }
            let replica = file_volume(btrfs, name, image)
                .ok_or_else(|| LsmError::plugin_bug(format!("clone {name} vanished")))?;
            Ok(Replication::Done(replica.to_lsm(&array.system_id)))
        }
        (HostPool::Btrfs(btrfs), _) => {
            let free = array.btrfs_free_space(cx, btrfs)?;
            if source.size > free {
                return Err(lsm_error(
                    ErrorNumber::NOT_ENOUGH_SPACE,
                    format!(
                        "Insufficient space in pool {}: {} bytes to copy, {free} free",
                        btrfs.name, source.size
                    ),
                ));
            }
            Array::ensure_volume_dir(btrfs)?;
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
            Ok(Replication::Copy(array.volume_copy(
                source_path,
                &source,
                CopyDestination::File {
                    pool: btrfs.clone(),
                    name: name.to_owned(),
                    partial,
                    image: image_path(btrfs, name),
                },
            )))
        }
        (HostPool::Lvm(lvm), _) => {
            if let Some(problem) = array.lvm_block_device_problem(cx) {
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
                array
                    .lvm(cx)
                    .lv_snapshot(&lvm.vg.name, &source.name, name, source.size)?;
                array.lvm(cx).lv_add_tag(
                    &lvm.vg.name,
                    name,
                    &format!("{REPLICA_OF_TAG}{}", source.vpd83),
                )?;
                return Ok(Replication::Done(
                    array
                        .volume_by_id(cx, &volume_id(&lvm.id, name))?
                        .to_lsm(&array.system_id),
                ));
            }
            if source.size > lvm.vg.free {
                return Err(lsm_error(
                    ErrorNumber::NOT_ENOUGH_SPACE,
                    format!("Insufficient space in pool {}", lvm.name),
                ));
            }
            array
                .lvm(cx)
                .lv_create(&lvm.vg.name, name, source.size, &[])?;
            let created = array.volume_by_id(cx, &volume_id(&lvm.id, name))?;
            let device = array.volume_data_path(cx, &created)?;
            Ok(Replication::Copy(array.volume_copy(
                source_path,
                &source,
                CopyDestination::Lv {
                    pool_id: lvm.id.clone(),
                    vg: lvm.vg.name.clone(),
                    name: name.to_owned(),
                    device,
                },
            )))
        }
        (HostPool::Missing { .. }, _) => {
            Err(LsmError::plugin_bug("pool_by_id returned a missing pool"))
        }
    }
}

/// `volume_replicate_range`: copies block ranges (for CLONE too: the
/// 512-byte blocks are below btrfs's sharing granularity).
pub(super) fn copy_ranges(
    array: &Array,
    cx: &Call,
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
    let source = array.volume_by_id(cx, &source.id)?;
    let destination = array.volume_by_id(cx, &destination.id)?;
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
    let source_path = array.volume_data_path(cx, &source)?;
    let destination_path = array.volume_data_path(cx, &destination)?;
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
                .map_err(|error| io_error(format!("reading {}", source_path.display()), error))?;
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

/// `volume_child_dependency_rm`: makes the volume's replicas
/// independent (their blocks are already their own, or shared
/// copy-on-write, so only the record goes).
pub(super) fn remove_dependencies(array: &Array, cx: &Call, volume: &Volume) -> Result<()> {
    let host = array.volume_by_id(cx, &volume.id)?;
    if host.is_lvm_origin() {
        return Err(LsmError::no_support(format!(
            "volume {} has LVM snapshots, which cannot be split from their origin",
            host.name
        )));
    }
    let replicas = array.replicas_of(cx, &host.vpd83)?;
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
                array.lvm(cx).lv_delete_tag(
                    vg,
                    &replica.name,
                    &format!("{REPLICA_OF_TAG}{}", host.vpd83),
                )?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

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
