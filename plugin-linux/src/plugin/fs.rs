//! File systems: btrfs subvolumes and their clones (snapshots are `snapshots`'s).
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
//! File names given by clients are paths inside the file system: `..`,
//! absolute paths and paths through symbolic links are refused.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use lsm_core::plugin::Call;
use lsm_core::types::*;
use lsm_core::{ErrorNumber, LsmError, Result};

use super::mapping::{fs_id, lsm_error, parse_fs_id, size_from_wire, size_to_wire};
use super::pools::{BtrfsPool, FS_DIR, HostPool, SNAPSHOT_DIR};
use super::{Array, exists};
use crate::btrfs::{Qgroup, SubvolumeEntry};
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

/// What one pool holds: subvolume list and qgroups.
pub(super) struct PoolListing {
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

pub(super) fn io_error(context: String, error: std::io::Error) -> LsmError {
    crate::Error::io(context, error).into()
}

/// The single name under `dir/` of a listed subvolume path, if it is one.
fn child_name<'a>(path: &'a str, dir: &str) -> Option<&'a str> {
    let name = path.strip_prefix(dir)?.strip_prefix('/')?;
    (!name.contains('/') && check_object_name("name", name).is_ok()).then_some(name)
}

/// The name of a listed subvolume that sits directly in `dir` of the
/// pool's mounted subvolume.
pub(super) fn pool_child<'a>(
    pool: &BtrfsPool,
    entry: &'a SubvolumeEntry,
    dir: &str,
) -> Option<&'a str> {
    if entry.top_level != pool.subvolume_id {
        return None;
    }
    child_name(&entry.path, dir)
}

/// Checks a client-given file path inside a file system: relative, no
/// `.`/`..`, no control characters.
pub(super) fn check_relative_path(what: &str, path: &str) -> Result<()> {
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
pub(super) fn path_inside(root: &Path, relative: &str, create_parents: bool) -> Result<PathBuf> {
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

impl Array {
    pub(super) fn pool_listing(&self, cx: &Call, pool: &BtrfsPool) -> Result<PoolListing> {
        let btrfs = self.btrfs(cx);
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

    pub(super) fn file_systems_in(&self, pool: &BtrfsPool, listing: &PoolListing) -> Vec<HostFs> {
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

    /// The file system with LSM id `id` (`NOT_FOUND_FS` otherwise).
    pub(super) fn fs_by_id(&self, cx: &Call, id: &str) -> Result<HostFs> {
        let (pool_id, name) = parse_fs_id(id).ok_or_else(|| not_found_fs(id))?;
        if check_object_name("file system name", name).is_err() {
            return Err(not_found_fs(id));
        }
        let pool = match self.pool_by_id(cx, pool_id).map_err(|_| not_found_fs(id))? {
            HostPool::Btrfs(pool) => pool,
            _ => return Err(not_found_fs(id)),
        };
        if !pool.fs_dir().join(name).is_dir() {
            return Err(not_found_fs(id));
        }
        let listing = self.pool_listing(cx, &pool)?;
        self.file_systems_in(&pool, &listing)
            .into_iter()
            .find(|fs| fs.name == name)
            .ok_or_else(|| not_found_fs(id))
    }

    fn check_fs_name_free(&self, cx: &Call, name: &str) -> Result<()> {
        for pool in self.btrfs_pools(cx) {
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
    fn set_fs_limit(&self, cx: &Call, pool: &BtrfsPool, path: &Path, size: u64) -> Result<()> {
        let btrfs = self.btrfs(cx);
        if btrfs.qgroup_limit(path, Some(size)).is_ok() {
            return Ok(());
        }
        btrfs.quota_enable(&pool.mount_point)?;
        Ok(btrfs.qgroup_limit(path, Some(size))?)
    }

    pub(super) fn make_dir(path: &Path) -> Result<()> {
        std::fs::create_dir_all(path)
            .map_err(|error| io_error(format!("creating {}", path.display()), error))
    }

    /// The file systems of `fs`'s pool that are dependent clones of it.
    pub(super) fn dependent_clones(&self, cx: &Call, fs: &HostFs) -> Result<Vec<HostFs>> {
        let Some(uuid) = &fs.uuid else {
            return Ok(Vec::new());
        };
        let listing = self.pool_listing(cx, &fs.pool)?;
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
}

/// `fs_create`: a subvolume with a qgroup limit of `size_bytes`.
pub(super) fn create(
    array: &Array,
    cx: &Call,
    pool: &Pool,
    name: &str,
    size_bytes: i64,
) -> Result<FileSystem> {
    check_object_name("file system name", name)?;
    let size = size_from_wire("size_bytes", size_bytes)?;
    let pool = match array.pool_by_id(cx, &pool.id)? {
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
    let _lock = array.lock(cx)?;
    array.check_fs_name_free(cx, name)?;
    let usage = array.btrfs(cx).filesystem_usage(&pool.mount_point)?;
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
    Array::make_dir(&pool.fs_dir())?;
    let path = pool.fs_dir().join(name);
    array.btrfs(cx).subvolume_create(&path)?;
    if let Err(error) = array.set_fs_limit(cx, &pool, &path, size) {
        if let Err(rollback) = array.btrfs(cx).subvolume_delete(&path) {
            tracing::error!(%rollback, "could not remove half-made file system");
        }
        return Err(error);
    }
    Ok(array
        .fs_by_id(cx, &fs_id(&pool.id, name))?
        .to_lsm(&array.system_id))
}

/// `fs_resize`: a new qgroup limit.
pub(super) fn resize(
    array: &Array,
    cx: &Call,
    fs: &FileSystem,
    new_size_bytes: i64,
) -> Result<FileSystem> {
    let host = array.fs_by_id(cx, &fs.id)?;
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
        let usage = array.btrfs(cx).filesystem_usage(&host.pool.mount_point)?;
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
    array.set_fs_limit(cx, &host.pool, &host.path, size)?;
    Ok(array.fs_by_id(cx, &fs.id)?.to_lsm(&array.system_id))
}

/// `fs_delete`: refused while a clone depends on it; its NFS exports
/// and snapshots go with it.
pub(super) fn delete(array: &Array, cx: &Call, fs: &FileSystem) -> Result<()> {
    let host = array.fs_by_id(cx, &fs.id)?;
    if let Some(clone) = array.dependent_clones(cx, &host)?.first() {
        return Err(lsm_error(
            ErrorNumber::HAS_CHILD_DEPENDENCY,
            format!(
                "File system {} has clone {} depending on it",
                host.name, clone.name
            ),
        ));
    }
    array.remove_exports_of(cx, &host.id())?;
    array.btrfs(cx).subvolume_delete(&host.path)?;
    let snapshot_dir = host.pool.snapshot_dir(&host.name);
    if snapshot_dir.exists() {
        let mut problems = Vec::new();
        for snapshot in array.host_snapshots(cx, &host)? {
            if let Err(error) = array.btrfs(cx).subvolume_delete(&snapshot.path) {
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
pub(super) fn clone_fs(
    array: &Array,
    cx: &Call,
    source: &FileSystem,
    name: &str,
    snapshot: Option<&FsSnapshot>,
) -> Result<FileSystem> {
    check_object_name("file system name", name)?;
    let source = array.fs_by_id(cx, &source.id)?;
    let origin = match snapshot {
        Some(snapshot) => array.snapshot_of(cx, &source, snapshot)?.path,
        None => source.path.clone(),
    };
    // Name check and creation under the state lock: two plugin processes
    // never both take one name.
    let _lock = array.lock(cx)?;
    array.check_fs_name_free(cx, name)?;
    let path = source.pool.fs_dir().join(name);
    array.btrfs(cx).snapshot(&origin, &path, false)?;
    let finished = xattr::remove(&path, INDEPENDENT_XATTR)
        .map_err(LsmError::from)
        .and_then(|_| array.set_fs_limit(cx, &source.pool, &path, source.size));
    if let Err(error) = finished {
        if let Err(rollback) = array.btrfs(cx).subvolume_delete(&path) {
            tracing::error!(%rollback, "could not remove half-made clone");
        }
        return Err(error);
    }
    Ok(array
        .fs_by_id(cx, &fs_id(&source.pool.id, name))?
        .to_lsm(&array.system_id))
}

/// `fs_file_clone`: a reflink copy of a file (from the file system or
/// one of its snapshots) to a new name in the file system.
pub(super) fn clone_file(
    array: &Array,
    cx: &Call,
    fs: &FileSystem,
    source_name: &str,
    destination_name: &str,
    snapshot: Option<&FsSnapshot>,
) -> Result<()> {
    check_relative_path("source file", source_name)?;
    check_relative_path("destination file", destination_name)?;
    let host = array.fs_by_id(cx, &fs.id)?;
    let root = match snapshot {
        Some(snapshot) => array.snapshot_of(cx, &host, snapshot)?.path,
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
    Ok(array.btrfs(cx).reflink_copy(&source, &destination)?)
}

/// `fs_child_dependency_rm`: marks the file system's clones
/// independent.
pub(super) fn remove_dependencies(
    array: &Array,
    cx: &Call,
    fs: &FileSystem,
    files: Option<&[String]>,
) -> Result<()> {
    let host = array.fs_by_id(cx, &fs.id)?;
    if files.is_some_and(|files| !files.is_empty()) {
        return Err(lsm_error(
            ErrorNumber::NO_STATE_CHANGE,
            "file clones are reflink copies: no file depends on another",
        ));
    }
    let clones = array.dependent_clones(cx, &host)?;
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
}
