//! File systems: btrfs subvolumes, their snapshots and clones.
//!
//! A file system is the subvolume `<pool>/lsm-fs/<name>`; its size is its
//! qgroup's referenced-bytes limit (enforced by btrfs: a write past it
//! fails with "Disk quota exceeded"). Snapshots are read-only subvolumes
//! `<pool>/lsm-snapshots/<fs>/<name>`, listed with btrfs's creation time.
//! A clone is a writable snapshot in `lsm-fs` (of the file system or of one
//! of its snapshots); a file clone is a reflink copy.
//!
//! Dependencies: btrfs never makes a clone need its source, but LSM's model
//! has the source depend on its clones until `fs_child_dependency_rm`.
//! The relation is read from the host: a file system whose btrfs
//! `parent_uuid` is the source's (or one of its snapshots') is a dependent
//! clone, unless it carries the `user.lsm.independent` attribute that
//! `fs_child_dependency_rm` sets. File clones never depend on anything.
//!
//! Restoring a snapshot copies (reflinks) its content back into the file
//! system, so the subvolume keeps its id, quota, mounts and NFS exports;
//! a writable snapshot taken first puts everything back if the copy fails.
//! File names given by clients are paths inside the file system: `..`,
//! absolute paths and paths through symbolic links are refused.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use lsm_core::plugin::Search;
use lsm_core::types::*;
use lsm_core::{ErrorNumber, LsmError, Result};

use super::mapping::{
    fs_id, lsm_error, parse_fs_id, parse_snapshot_id, size_from_wire, size_to_wire, snapshot_id,
    utc_to_unix,
};
use super::pools::{BtrfsPool, FS_DIR, HostPool, SNAPSHOT_DIR};
use super::{Array, exists};
use crate::btrfs::{Qgroup, SubvolumeEntry};
use crate::command::ToolCommand;
use crate::naming::check_object_name;
use crate::xattr;

/// Attribute that `fs_child_dependency_rm` sets on a clone's root.
pub const INDEPENDENT_XATTR: &str = "user.lsm.independent";

/// A file system as found on the host.
#[derive(Debug, Clone)]
pub struct HostFs {
    /// Its pool.
    pub pool: BtrfsPool,
    /// Name.
    pub name: String,
    /// The subvolume's path.
    pub path: PathBuf,
    /// Subvolume id.
    pub subvolume_id: u64,
    /// Subvolume UUID.
    pub uuid: Option<String>,
    /// UUID of what it was snapshotted from (a clone's source).
    pub parent_uuid: Option<String>,
    /// Referenced bytes (qgroup).
    pub used: u64,
    /// Size: the qgroup limit, or the pool's size when unlimited.
    pub size: u64,
    /// Free bytes.
    pub free: u64,
}

impl HostFs {
    /// LSM id.
    pub fn id(&self) -> String {
        fs_id(&self.pool.id, &self.name)
    }

    /// The LSM object.
    pub fn to_lsm(&self, system_id: &str) -> FileSystem {
        FileSystem {
            id: self.id(),
            name: self.name.clone(),
            total_space: size_to_wire(self.size),
            free_space: size_to_wire(self.free.min(self.size)),
            pool_id: self.pool.id.clone(),
            system_id: system_id.to_owned(),
            plugin_data: None,
        }
    }
}

/// A snapshot as found on the host.
#[derive(Debug, Clone)]
pub struct HostSnapshot {
    /// Name.
    pub name: String,
    /// The subvolume's path.
    pub path: PathBuf,
    /// Creation time (Unix seconds).
    pub created: i64,
}

/// What one pool holds: subvolume list and qgroups.
struct PoolListing {
    subvolumes: Vec<SubvolumeEntry>,
    qgroups: HashMap<u64, Qgroup>,
    pool_size: u64,
    pool_free: u64,
}

fn not_found_fs(id: &str) -> LsmError {
    lsm_error(
        ErrorNumber::NOT_FOUND_FS,
        format!("File system {id} not found"),
    )
}

fn not_found_snapshot(id: &str) -> LsmError {
    lsm_error(
        ErrorNumber::NOT_FOUND_FS_SS,
        format!("Snapshot {id} not found"),
    )
}

fn io_error(context: String, error: std::io::Error) -> LsmError {
    crate::Error::io(context, error).into()
}

/// The single name under `dir/` of a listed subvolume path, if it is one.
fn child_name<'a>(path: &'a str, dir: &str) -> Option<&'a str> {
    let name = path.strip_prefix(dir)?.strip_prefix('/')?;
    (!name.contains('/') && check_object_name("name", name).is_ok()).then_some(name)
}

/// The name of a listed subvolume that sits directly in `dir` of the
/// pool's mounted subvolume.
fn pool_child<'a>(pool: &BtrfsPool, entry: &'a SubvolumeEntry, dir: &str) -> Option<&'a str> {
    if entry.top_level != pool.subvolume_id {
        return None;
    }
    child_name(&entry.path, dir)
}

/// Checks a client-given file path inside a file system: relative, no
/// `.`/`..`, no control characters.
fn check_relative_path(what: &str, path: &str) -> Result<()> {
    let invalid = |reason: &str| {
        Err(LsmError::invalid_argument(format!(
            "{what} {path:?} {reason}"
        )))
    };
    if path.is_empty() || path.len() > 4096 {
        return invalid("must be 1 to 4096 bytes");
    }
    if path.chars().any(char::is_control) {
        return invalid("contains a control character");
    }
    let relative = Path::new(path);
    if relative.is_absolute() {
        return invalid("must be relative to the file system");
    }
    if relative
        .components()
        .any(|component| !matches!(component, Component::Normal(_)))
    {
        return invalid("must not contain '.' or '..'");
    }
    Ok(())
}

/// `root/relative`, checked not to leave `root` through a symbolic link:
/// every directory on the way must be a real directory (created when
/// `create_parents`, else `NOT_FOUND_GENERIC`).
fn path_inside(root: &Path, relative: &str, create_parents: bool) -> Result<PathBuf> {
    let components: Vec<Component<'_>> = Path::new(relative).components().collect();
    let mut current = root.to_path_buf();
    for (index, component) in components.iter().enumerate() {
        current.push(component);
        if index + 1 == components.len() {
            break;
        }
        match current.symlink_metadata() {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                return Err(LsmError::invalid_argument(format!(
                    "{relative:?}: {} is not a directory (symbolic links are not followed)",
                    current.display()
                )));
            }
            Err(_) if create_parents => std::fs::create_dir(&current)
                .map_err(|error| io_error(format!("creating {}", current.display()), error))?,
            Err(_) => {
                return Err(lsm_error(
                    ErrorNumber::NOT_FOUND_GENERIC,
                    format!("{relative:?}: {} does not exist", current.display()),
                ));
            }
        }
    }
    Ok(current)
}

/// Removes everything inside directory `dir` (not `dir` itself).
fn empty_directory(dir: &Path) -> Result<()> {
    let entries = std::fs::read_dir(dir)
        .map_err(|error| io_error(format!("listing {}", dir.display()), error))?;
    for entry in entries {
        let entry = entry.map_err(|error| io_error(format!("listing {}", dir.display()), error))?;
        let path = entry.path();
        let is_dir = path.symlink_metadata().is_ok_and(|meta| meta.is_dir());
        let removed = if is_dir {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.map_err(|error| io_error(format!("removing {}", path.display()), error))?;
    }
    Ok(())
}

impl Array {
    fn pool_listing(&self, pool: &BtrfsPool) -> Result<PoolListing> {
        let btrfs = self.btrfs();
        let subvolumes = btrfs.subvolume_list(&pool.mount_point)?;
        // Without quotas there are no limits: sizes are the pool's.
        let qgroups = btrfs
            .qgroup_show(&pool.mount_point)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|qgroup| qgroup.subvolume_id.map(|id| (id, qgroup)))
            .collect();
        let usage = btrfs.filesystem_usage(&pool.mount_point)?;
        Ok(PoolListing {
            subvolumes,
            qgroups,
            pool_size: usage.device_size,
            pool_free: usage.free_estimated.min(usage.device_size),
        })
    }

    fn file_systems_in(&self, pool: &BtrfsPool, listing: &PoolListing) -> Vec<HostFs> {
        let mut found: Vec<HostFs> = listing
            .subvolumes
            .iter()
            .filter_map(|entry| {
                let name = pool_child(pool, entry, FS_DIR)?;
                let qgroup = listing.qgroups.get(&entry.id);
                let used = qgroup.map_or(0, |qgroup| qgroup.referenced);
                let size = qgroup
                    .and_then(|qgroup| qgroup.max_referenced)
                    .unwrap_or(listing.pool_size);
                Some(HostFs {
                    pool: pool.clone(),
                    name: name.to_owned(),
                    path: pool.fs_dir().join(name),
                    subvolume_id: entry.id,
                    uuid: entry.uuid.clone(),
                    parent_uuid: entry.parent_uuid.clone(),
                    used,
                    size,
                    free: size.saturating_sub(used).min(listing.pool_free),
                })
            })
            .collect();
        found.sort_by(|left, right| left.name.cmp(&right.name));
        found
    }

    /// `fs`.
    pub(super) fn file_systems(&self, search: Option<&Search>) -> Result<Vec<FileSystem>> {
        let wanted_pool = match search {
            Some(search) if search.key == "pool_id" => Some(search.value.as_str()),
            Some(search) if search.key == "id" => parse_fs_id(&search.value).map(|(pool, _)| pool),
            _ => None,
        };
        let mut file_systems = Vec::new();
        for pool in self.btrfs_pools() {
            if wanted_pool.is_some_and(|wanted| wanted != pool.id) {
                continue;
            }
            let listing = self.pool_listing(&pool)?;
            file_systems.extend(
                self.file_systems_in(&pool, &listing)
                    .iter()
                    .map(|fs| fs.to_lsm(&self.system_id)),
            );
        }
        Ok(file_systems)
    }

    /// The file system with LSM id `id` (`NOT_FOUND_FS` otherwise).
    pub(super) fn fs_by_id(&self, id: &str) -> Result<HostFs> {
        let (pool_id, name) = parse_fs_id(id).ok_or_else(|| not_found_fs(id))?;
        if check_object_name("file system name", name).is_err() {
            return Err(not_found_fs(id));
        }
        let pool = match self.pool_by_id(pool_id).map_err(|_| not_found_fs(id))? {
            HostPool::Btrfs(pool) => pool,
            _ => return Err(not_found_fs(id)),
        };
        if !pool.fs_dir().join(name).is_dir() {
            return Err(not_found_fs(id));
        }
        let listing = self.pool_listing(&pool)?;
        self.file_systems_in(&pool, &listing)
            .into_iter()
            .find(|fs| fs.name == name)
            .ok_or_else(|| not_found_fs(id))
    }

    fn check_fs_name_free(&self, name: &str) -> Result<()> {
        for pool in self.btrfs_pools() {
            if exists(&pool.fs_dir().join(name)) {
                return Err(lsm_error(
                    ErrorNumber::NAME_CONFLICT,
                    format!(
                        "Name '{name}' is already in use by another file system (pool {})",
                        pool.name
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Sets the size (qgroup limit) of subvolume `path`, enabling quotas
    /// on the pool first if they are off.
    fn set_fs_limit(&self, pool: &BtrfsPool, path: &Path, size: u64) -> Result<()> {
        let btrfs = self.btrfs();
        if btrfs.qgroup_limit(path, Some(size)).is_ok() {
            return Ok(());
        }
        btrfs.quota_enable(&pool.mount_point)?;
        Ok(btrfs.qgroup_limit(path, Some(size))?)
    }

    fn make_dir(path: &Path) -> Result<()> {
        std::fs::create_dir_all(path)
            .map_err(|error| io_error(format!("creating {}", path.display()), error))
    }

    /// `fs_create`: a subvolume with a qgroup limit of `size_bytes`.
    pub(super) fn fs_create(&self, pool: &Pool, name: &str, size_bytes: i64) -> Result<FileSystem> {
        check_object_name("file system name", name)?;
        let size = size_from_wire("size_bytes", size_bytes)?;
        let pool = match self.pool_by_id(&pool.id)? {
            HostPool::Btrfs(pool) => pool,
            _ => {
                return Err(LsmError::no_support(format!(
                    "pool {} holds volumes only; file systems need a btrfs pool",
                    pool.name
                )));
            }
        };
        // Name check and creation under the state lock: two plugin processes
        // never both take one name.
        let _lock = self.lock()?;
        self.check_fs_name_free(name)?;
        let usage = self.btrfs().filesystem_usage(&pool.mount_point)?;
        let free = usage.free_estimated.min(usage.device_size);
        if size > free {
            return Err(lsm_error(
                ErrorNumber::NOT_ENOUGH_SPACE,
                format!(
                    "Insufficient space in pool {}: {size} bytes asked, {free} free",
                    pool.name
                ),
            ));
        }
        Self::make_dir(&pool.fs_dir())?;
        let path = pool.fs_dir().join(name);
        self.btrfs().subvolume_create(&path)?;
        if let Err(error) = self.set_fs_limit(&pool, &path, size) {
            if let Err(rollback) = self.btrfs().subvolume_delete(&path) {
                tracing::error!(%rollback, "could not remove half-made file system");
            }
            return Err(error);
        }
        Ok(self
            .fs_by_id(&fs_id(&pool.id, name))?
            .to_lsm(&self.system_id))
    }

    /// `fs_resize`: a new qgroup limit.
    pub(super) fn fs_resize(&self, fs: &FileSystem, new_size_bytes: i64) -> Result<FileSystem> {
        let host = self.fs_by_id(&fs.id)?;
        let size = size_from_wire("new_size_bytes", new_size_bytes)?;
        if size == host.size {
            return Err(lsm_error(
                ErrorNumber::NO_STATE_CHANGE,
                format!("File system {} is already {size} bytes", host.name),
            ));
        }
        if size < host.used {
            return Err(LsmError::invalid_argument(format!(
                "file system {} holds {} bytes, more than {size}",
                host.name, host.used
            )));
        }
        if size > host.size {
            let usage = self.btrfs().filesystem_usage(&host.pool.mount_point)?;
            let free = usage.free_estimated.min(usage.device_size);
            if size - host.size > free {
                return Err(lsm_error(
                    ErrorNumber::NOT_ENOUGH_SPACE,
                    format!(
                        "Insufficient space in pool {} to grow {} by {} bytes ({free} free)",
                        host.pool.name,
                        host.name,
                        size - host.size
                    ),
                ));
            }
        }
        self.set_fs_limit(&host.pool, &host.path, size)?;
        Ok(self.fs_by_id(&fs.id)?.to_lsm(&self.system_id))
    }

    /// Snapshots of `fs`, oldest first.
    fn host_snapshots(&self, fs: &HostFs) -> Result<Vec<HostSnapshot>> {
        let dir = format!("{SNAPSHOT_DIR}/{}", fs.name);
        let mut snapshots: Vec<HostSnapshot> = self
            .btrfs()
            .snapshot_list(&fs.pool.mount_point)?
            .into_iter()
            .filter_map(|entry| {
                let name = pool_child(&fs.pool, &entry, &dir)?;
                Some(HostSnapshot {
                    name: name.to_owned(),
                    path: fs.pool.snapshot_dir(&fs.name).join(name),
                    created: entry
                        .creation_time
                        .as_deref()
                        .and_then(utc_to_unix)
                        .unwrap_or(0),
                })
            })
            .collect();
        snapshots
            .sort_by(|left, right| (left.created, &left.name).cmp(&(right.created, &right.name)));
        Ok(snapshots)
    }

    fn snapshot_object(fs: &HostFs, snapshot: &HostSnapshot) -> FsSnapshot {
        FsSnapshot {
            id: snapshot_id(&fs.id(), &snapshot.name),
            name: snapshot.name.clone(),
            ts: snapshot.created,
            plugin_data: None,
        }
    }

    /// The snapshot `snapshot` of `fs` (`NOT_FOUND_FS_SS` otherwise).
    fn snapshot_of(&self, fs: &HostFs, snapshot: &FsSnapshot) -> Result<HostSnapshot> {
        let (owner, name) =
            parse_snapshot_id(&snapshot.id).ok_or_else(|| not_found_snapshot(&snapshot.id))?;
        if owner != fs.id() {
            return Err(not_found_snapshot(&snapshot.id));
        }
        self.host_snapshots(fs)?
            .into_iter()
            .find(|found| found.name == name)
            .ok_or_else(|| not_found_snapshot(&snapshot.id))
    }

    /// The file systems of `fs`'s pool that are dependent clones of it.
    fn dependent_clones(&self, fs: &HostFs) -> Result<Vec<HostFs>> {
        let Some(uuid) = &fs.uuid else {
            return Ok(Vec::new());
        };
        let listing = self.pool_listing(&fs.pool)?;
        let snapshot_dir = format!("{SNAPSHOT_DIR}/{}", fs.name);
        let mut sources: Vec<&str> = listing
            .subvolumes
            .iter()
            .filter(|entry| pool_child(&fs.pool, entry, &snapshot_dir).is_some())
            .filter_map(|entry| entry.uuid.as_deref())
            .collect();
        sources.push(uuid);
        Ok(self
            .file_systems_in(&fs.pool, &listing)
            .into_iter()
            .filter(|other| other.name != fs.name)
            .filter(|other| {
                other
                    .parent_uuid
                    .as_deref()
                    .is_some_and(|parent| sources.contains(&parent))
            })
            .filter(|other| {
                xattr::get(&other.path, INDEPENDENT_XATTR)
                    .ok()
                    .flatten()
                    .is_none()
            })
            .collect())
    }

    /// `fs_delete`: refused while a clone depends on it; its NFS exports
    /// and snapshots go with it.
    pub(super) fn fs_delete(&self, fs: &FileSystem) -> Result<()> {
        let host = self.fs_by_id(&fs.id)?;
        if let Some(clone) = self.dependent_clones(&host)?.first() {
            return Err(lsm_error(
                ErrorNumber::HAS_CHILD_DEPENDENCY,
                format!(
                    "File system {} has clone {} depending on it",
                    host.name, clone.name
                ),
            ));
        }
        self.remove_exports_of(&host.id())?;
        self.btrfs().subvolume_delete(&host.path)?;
        let snapshot_dir = host.pool.snapshot_dir(&host.name);
        if snapshot_dir.exists() {
            let mut problems = Vec::new();
            for snapshot in self.host_snapshots(&host)? {
                if let Err(error) = self.btrfs().subvolume_delete(&snapshot.path) {
                    problems.push(error.to_string());
                }
            }
            if let Err(error) = std::fs::remove_dir(&snapshot_dir) {
                problems.push(format!("removing {}: {error}", snapshot_dir.display()));
            }
            if !problems.is_empty() {
                return Err(LsmError::plugin_bug(format!(
                    "file system {} was deleted but not all of its snapshots: {}",
                    host.name,
                    problems.join("; ")
                )));
            }
        }
        Ok(())
    }

    /// `fs_clone`: a writable snapshot of the file system (or of one of its
    /// snapshots), with the source's size.
    pub(super) fn fs_clone(
        &self,
        source: &FileSystem,
        name: &str,
        snapshot: Option<&FsSnapshot>,
    ) -> Result<FileSystem> {
        check_object_name("file system name", name)?;
        let source = self.fs_by_id(&source.id)?;
        let origin = match snapshot {
            Some(snapshot) => self.snapshot_of(&source, snapshot)?.path,
            None => source.path.clone(),
        };
        // Name check and creation under the state lock: two plugin processes
        // never both take one name.
        let _lock = self.lock()?;
        self.check_fs_name_free(name)?;
        let path = source.pool.fs_dir().join(name);
        self.btrfs().snapshot(&origin, &path, false)?;
        let finished = xattr::remove(&path, INDEPENDENT_XATTR)
            .map_err(LsmError::from)
            .and_then(|_| self.set_fs_limit(&source.pool, &path, source.size));
        if let Err(error) = finished {
            if let Err(rollback) = self.btrfs().subvolume_delete(&path) {
                tracing::error!(%rollback, "could not remove half-made clone");
            }
            return Err(error);
        }
        Ok(self
            .fs_by_id(&fs_id(&source.pool.id, name))?
            .to_lsm(&self.system_id))
    }

    /// `fs_file_clone`: a reflink copy of a file (from the file system or
    /// one of its snapshots) to a new name in the file system.
    pub(super) fn fs_file_clone(
        &self,
        fs: &FileSystem,
        source_name: &str,
        destination_name: &str,
        snapshot: Option<&FsSnapshot>,
    ) -> Result<()> {
        check_relative_path("source file", source_name)?;
        check_relative_path("destination file", destination_name)?;
        let host = self.fs_by_id(&fs.id)?;
        let root = match snapshot {
            Some(snapshot) => self.snapshot_of(&host, snapshot)?.path,
            None => host.path.clone(),
        };
        let source = path_inside(&root, source_name, false)?;
        match source.symlink_metadata() {
            Ok(meta) if meta.is_file() => {}
            Ok(_) => {
                return Err(LsmError::invalid_argument(format!(
                    "{source_name:?} is not a regular file"
                )));
            }
            Err(_) => {
                return Err(lsm_error(
                    ErrorNumber::NOT_FOUND_GENERIC,
                    format!("file {source_name:?} not found in {}", host.name),
                ));
            }
        }
        let destination = path_inside(&host.path, destination_name, true)?;
        Ok(self.btrfs().reflink_copy(&source, &destination)?)
    }

    /// `fs_child_dependency`: whether a clone depends on the file system
    /// (files never have dependencies: file clones are reflinks).
    pub(super) fn fs_child_dependency(
        &self,
        fs: &FileSystem,
        files: Option<&[String]>,
    ) -> Result<bool> {
        let host = self.fs_by_id(&fs.id)?;
        if let Some(files) = files.filter(|files| !files.is_empty()) {
            for file in files {
                check_relative_path("file", file)?;
            }
            return Ok(false);
        }
        Ok(!self.dependent_clones(&host)?.is_empty())
    }

    /// `fs_child_dependency_rm`: marks the file system's clones
    /// independent.
    pub(super) fn fs_child_dependency_rm(
        &self,
        fs: &FileSystem,
        files: Option<&[String]>,
    ) -> Result<()> {
        let host = self.fs_by_id(&fs.id)?;
        if files.is_some_and(|files| !files.is_empty()) {
            return Err(lsm_error(
                ErrorNumber::NO_STATE_CHANGE,
                "file clones are reflink copies: no file depends on another",
            ));
        }
        let clones = self.dependent_clones(&host)?;
        if clones.is_empty() {
            return Err(lsm_error(
                ErrorNumber::NO_STATE_CHANGE,
                format!("File system {} has no child dependency", host.name),
            ));
        }
        for clone in clones {
            xattr::set(&clone.path, INDEPENDENT_XATTR, b"1")?;
        }
        Ok(())
    }

    /// `fs_snapshots`.
    pub(super) fn fs_snapshots(&self, fs: &FileSystem) -> Result<Vec<FsSnapshot>> {
        let host = self.fs_by_id(&fs.id)?;
        Ok(self
            .host_snapshots(&host)?
            .iter()
            .map(|snapshot| Self::snapshot_object(&host, snapshot))
            .collect())
    }

    /// `fs_snapshot_create`: a read-only snapshot.
    pub(super) fn fs_snapshot_create(&self, fs: &FileSystem, name: &str) -> Result<FsSnapshot> {
        check_object_name("snapshot name", name)?;
        let host = self.fs_by_id(&fs.id)?;
        let dir = host.pool.snapshot_dir(&host.name);
        let path = dir.join(name);
        if exists(&path) {
            return Err(lsm_error(
                ErrorNumber::NAME_CONFLICT,
                format!("Snapshot name '{name}' is already in use on {}", host.name),
            ));
        }
        Self::make_dir(&dir)?;
        self.btrfs().snapshot(&host.path, &path, true)?;
        let snapshot = self
            .host_snapshots(&host)?
            .into_iter()
            .find(|snapshot| snapshot.name == name)
            .ok_or_else(|| LsmError::plugin_bug(format!("snapshot {name} vanished")))?;
        Ok(Self::snapshot_object(&host, &snapshot))
    }

    /// `fs_snapshot_delete`.
    pub(super) fn fs_snapshot_delete(&self, fs: &FileSystem, snapshot: &FsSnapshot) -> Result<()> {
        let host = self.fs_by_id(&fs.id)?;
        let snapshot = self.snapshot_of(&host, snapshot)?;
        Ok(self.btrfs().subvolume_delete(&snapshot.path)?)
    }

    /// `cp -a --reflink=always SOURCE DESTINATION` (copies symbolic links
    /// as links, keeps owners, modes, times and attributes).
    fn reflink_tree(&self, source: &Path, destination: &Path) -> Result<()> {
        ToolCommand::new("cp")
            .timeout(self.timeout)
            .args(["-a", "--reflink=always", "--no-target-directory", "--"])
            .arg(source)
            .arg(destination)
            .run()?;
        Ok(())
    }

    /// Replaces the content of `fs` by the content of `source` (a
    /// snapshot or a backup subvolume).
    fn replace_content(&self, fs: &HostFs, source: &Path) -> Result<()> {
        empty_directory(&fs.path)?;
        // Let the qgroup see the space freed before filling it again.
        self.btrfs().filesystem_sync(&fs.pool.mount_point)?;
        let entries = std::fs::read_dir(source)
            .map_err(|error| io_error(format!("listing {}", source.display()), error))?;
        for entry in entries {
            let entry =
                entry.map_err(|error| io_error(format!("listing {}", source.display()), error))?;
            self.reflink_tree(&entry.path(), &fs.path.join(entry.file_name()))?;
        }
        Ok(())
    }

    /// `fs_snapshot_restore`: the whole file system, or the given files
    /// (each to its name in `restore_files`, or to the same name).
    pub(super) fn fs_snapshot_restore(
        &self,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
        files: Option<&[String]>,
        restore_files: Option<&[String]>,
        all_files: bool,
    ) -> Result<()> {
        let host = self.fs_by_id(&fs.id)?;
        let snapshot = self.snapshot_of(&host, snapshot)?;
        let files = files.unwrap_or_default();
        if all_files || files.is_empty() {
            return self.restore_everything(&host, &snapshot);
        }
        let restore_files = restore_files.unwrap_or_default();
        if !restore_files.is_empty() && restore_files.len() != files.len() {
            return Err(LsmError::invalid_argument(
                "restore_files must name one destination for each file",
            ));
        }
        for (index, file) in files.iter().enumerate() {
            let target = restore_files.get(index).unwrap_or(file);
            check_relative_path("file", file)?;
            check_relative_path("restore file", target)?;
        }
        for (index, file) in files.iter().enumerate() {
            let target = restore_files.get(index).unwrap_or(file);
            self.restore_one(&host, &snapshot, file, target)?;
        }
        Ok(())
    }

    fn restore_everything(&self, fs: &HostFs, snapshot: &HostSnapshot) -> Result<()> {
        let backup = fs.pool.fs_dir().join(format!(".restore-{}", fs.name));
        if exists(&backup) {
            // Left by a restore that was killed: it is a safety copy only.
            self.btrfs().subvolume_delete(&backup)?;
        }
        self.btrfs().snapshot(&fs.path, &backup, false)?;
        let outcome = self.replace_content(fs, &snapshot.path);
        if let Err(error) = &outcome {
            tracing::error!(%error, fs = %fs.name, "restore failed: putting the content back");
            if let Err(rollback) = self.replace_content(fs, &backup) {
                tracing::error!(%rollback, backup = %backup.display(), "could not put the content back; it is kept in the backup");
                return outcome;
            }
        }
        if let Err(error) = self.btrfs().subvolume_delete(&backup) {
            tracing::warn!(%error, "could not remove the restore backup");
        }
        outcome
    }

    fn restore_one(
        &self,
        fs: &HostFs,
        snapshot: &HostSnapshot,
        file: &str,
        target: &str,
    ) -> Result<()> {
        let source = path_inside(&snapshot.path, file, false)?;
        if !exists(&source) {
            return Err(lsm_error(
                ErrorNumber::NOT_FOUND_GENERIC,
                format!("{file:?} is not in snapshot {}", snapshot.name),
            ));
        }
        let destination = path_inside(&fs.path, target, true)?;
        let aside = destination.with_file_name(format!(
            ".{}.lsm-restore-{}",
            destination
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id()
        ));
        let moved_aside = exists(&destination);
        if moved_aside {
            std::fs::rename(&destination, &aside).map_err(|error| {
                io_error(format!("moving {} aside", destination.display()), error)
            })?;
        }
        match self.reflink_tree(&source, &destination) {
            Ok(()) => {
                if moved_aside {
                    let is_dir = aside.symlink_metadata().is_ok_and(|meta| meta.is_dir());
                    let removed = if is_dir {
                        std::fs::remove_dir_all(&aside)
                    } else {
                        std::fs::remove_file(&aside)
                    };
                    if let Err(error) = removed {
                        tracing::warn!(%error, path = %aside.display(), "could not remove the replaced file");
                    }
                }
                Ok(())
            }
            Err(error) => {
                let _ = std::fs::remove_dir_all(&destination)
                    .or_else(|_| std::fs::remove_file(&destination));
                if moved_aside && let Err(rollback) = std::fs::rename(&aside, &destination) {
                    tracing::error!(%rollback, "could not put {} back", destination.display());
                }
                Err(error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_checked() {
        for good in ["a", "dir/file.txt", "x y/z", "a/b/c"] {
            assert!(check_relative_path("file", good).is_ok(), "{good}");
        }
        for bad in ["", "/etc/passwd", "../x", "a/../b", "./a", "a\nb"] {
            let error = check_relative_path("file", bad).unwrap_err();
            assert_eq!(error.code, ErrorNumber::INVALID_ARGUMENT, "{bad:?}");
        }
    }

    #[test]
    fn paths_do_not_leave_the_root_through_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("fs");
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("escape")).unwrap();
        let error = path_inside(&root, "escape/file", true).unwrap_err();
        assert_eq!(error.code, ErrorNumber::INVALID_ARGUMENT);
        assert!(!outside.join("file").exists());
        let missing = path_inside(&root, "new/dir/file", false).unwrap_err();
        assert_eq!(missing.code, ErrorNumber::NOT_FOUND_GENERIC);
        let made = path_inside(&root, "new/dir/file", true).unwrap();
        assert_eq!(made, root.join("new/dir/file"));
        assert!(root.join("new/dir").is_dir());
        // The leaf itself may be a link: it is replaced, never followed.
        assert_eq!(
            path_inside(&root, "escape", false).unwrap(),
            root.join("escape")
        );
    }

    #[test]
    fn listed_children() {
        assert_eq!(child_name("lsm-fs/data", FS_DIR), Some("data"));
        assert_eq!(child_name("lsm-fs/data/nested", FS_DIR), None);
        assert_eq!(child_name("lsm-fs/.restore-data", FS_DIR), None);
        assert_eq!(child_name("lsm-fsx/data", FS_DIR), None);
        assert_eq!(
            child_name("lsm-snapshots/data/s1", "lsm-snapshots/data"),
            Some("s1")
        );
    }

    #[test]
    fn emptying_a_directory_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(dir.path().join("a/b/f"), b"x").unwrap();
        std::fs::write(dir.path().join("g"), b"y").unwrap();
        std::os::unix::fs::symlink("/etc", dir.path().join("link")).unwrap();
        empty_directory(dir.path()).unwrap();
        assert!(dir.path().is_dir());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert!(Path::new("/etc").is_dir());
    }
}
