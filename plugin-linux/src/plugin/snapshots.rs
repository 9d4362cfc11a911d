//! File system snapshots: read-only subvolumes `<pool>/lsm-snapshots/<fs>/<name>`, listed
//! with btrfs's creation time, and restores.
//!
//! Restoring a snapshot copies (reflinks) its content back into the file
//! system, so the subvolume keeps its id, quota, mounts and NFS exports;
//! a writable snapshot taken first puts everything back if the copy fails.
//! File names given by clients are paths inside the file system: `..`,
//! absolute paths and paths through symbolic links are refused.

use std::path::{Path, PathBuf};

use lsm_core::plugin::Call;
use lsm_core::types::*;
use lsm_core::{ErrorNumber, LsmError, Result};

use super::fs::{HostFs, check_relative_path, io_error, path_inside, pool_child};
use super::mapping::{lsm_error, parse_snapshot_id, snapshot_id, utc_to_unix};
use super::pools::SNAPSHOT_DIR;
use super::{Array, exists};
use crate::command::ToolCommand;
use crate::naming::check_object_name;

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

fn not_found_snapshot(id: &str) -> LsmError {
    lsm_error(
        ErrorNumber::NOT_FOUND_FS_SS,
        format!("Snapshot {id} not found"),
    )
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
    /// Snapshots of `fs`, oldest first.
    pub(super) fn host_snapshots(&self, cx: &Call, fs: &HostFs) -> Result<Vec<HostSnapshot>> {
        let dir = format!("{SNAPSHOT_DIR}/{}", fs.name);
        let mut snapshots: Vec<HostSnapshot> = self
            .btrfs(cx)
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
    pub(super) fn snapshot_object(fs: &HostFs, snapshot: &HostSnapshot) -> FsSnapshot {
        FsSnapshot {
            id: snapshot_id(&fs.id(), &snapshot.name),
            name: snapshot.name.clone(),
            ts: snapshot.created,
            plugin_data: None,
        }
    }
    /// The snapshot `snapshot` of `fs` (`NOT_FOUND_FS_SS` otherwise).
    pub(super) fn snapshot_of(
        &self,
        cx: &Call,
        fs: &HostFs,
        snapshot: &FsSnapshot,
    ) -> Result<HostSnapshot> {
        let (owner, name) =
            parse_snapshot_id(&snapshot.id).ok_or_else(|| not_found_snapshot(&snapshot.id))?;
        if owner != fs.id() {
            return Err(not_found_snapshot(&snapshot.id));
        }
        self.host_snapshots(cx, fs)?
            .into_iter()
            .find(|found| found.name == name)
            .ok_or_else(|| not_found_snapshot(&snapshot.id))
    }
    /// `cp -a --reflink=always SOURCE DESTINATION` (copies symbolic links
    /// as links, keeps owners, modes, times and attributes).
    fn reflink_tree(&self, cx: &Call, source: &Path, destination: &Path) -> Result<()> {
        ToolCommand::new("cp")
            .timeout(self.command_timeout(cx))
            .args(["-a", "--reflink=always", "--no-target-directory", "--"])
            .arg(source)
            .arg(destination)
            .run()?;
        Ok(())
    }
    /// Replaces the content of `fs` by the content of `source` (a
    /// snapshot or a backup subvolume).
    fn replace_content(&self, cx: &Call, fs: &HostFs, source: &Path) -> Result<()> {
        empty_directory(&fs.path)?;
        // Let the qgroup see the space freed before filling it again.
        self.btrfs(cx).filesystem_sync(&fs.pool.mount_point)?;
        let entries = std::fs::read_dir(source)
            .map_err(|error| io_error(format!("listing {}", source.display()), error))?;
        for entry in entries {
            let entry =
                entry.map_err(|error| io_error(format!("listing {}", source.display()), error))?;
            self.reflink_tree(cx, &entry.path(), &fs.path.join(entry.file_name()))?;
        }
        Ok(())
    }
    fn restore_everything(&self, cx: &Call, fs: &HostFs, snapshot: &HostSnapshot) -> Result<()> {
        let backup = fs.pool.fs_dir().join(format!(".restore-{}", fs.name));
        if exists(&backup) {
            // Left by a restore that was killed: it is a safety copy only.
            self.btrfs(cx).subvolume_delete(&backup)?;
        }
        self.btrfs(cx).snapshot(&fs.path, &backup, false)?;
        let outcome = self.replace_content(cx, fs, &snapshot.path);
        if let Err(error) = &outcome {
            tracing::error!(%error, fs = %fs.name, "restore failed: putting the content back");
            if let Err(rollback) = self.replace_content(cx, fs, &backup) {
                tracing::error!(%rollback, backup = %backup.display(), "could not put the content back; it is kept in the backup");
                return outcome;
            }
        }
        if let Err(error) = self.btrfs(cx).subvolume_delete(&backup) {
            tracing::warn!(%error, "could not remove the restore backup");
        }
        outcome
    }
    fn restore_one(
        &self,
        cx: &Call,
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
        match self.reflink_tree(cx, &source, &destination) {
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

/// `fs_snapshot_create`: a read-only snapshot.
pub(super) fn create(array: &Array, cx: &Call, fs: &FileSystem, name: &str) -> Result<FsSnapshot> {
    check_object_name("snapshot name", name)?;
    let host = array.fs_by_id(cx, &fs.id)?;
    let dir = host.pool.snapshot_dir(&host.name);
    let path = dir.join(name);
    if exists(&path) {
        return Err(lsm_error(
            ErrorNumber::NAME_CONFLICT,
            format!("Snapshot name '{name}' is already in use on {}", host.name),
        ));
    }
    Array::make_dir(&dir)?;
    array.btrfs(cx).snapshot(&host.path, &path, true)?;
    let snapshot = array
        .host_snapshots(cx, &host)?
        .into_iter()
        .find(|snapshot| snapshot.name == name)
        .ok_or_else(|| LsmError::plugin_bug(format!("snapshot {name} vanished")))?;
    Ok(Array::snapshot_object(&host, &snapshot))
}

/// `fs_snapshot_restore`: the whole file system, or the given files
/// (each to its name in `restore_files`, or to the same name).
pub(super) fn restore(
    array: &Array,
    cx: &Call,
    fs: &FileSystem,
    snapshot: &FsSnapshot,
    files: Option<&[String]>,
    restore_files: Option<&[String]>,
    all_files: bool,
) -> Result<()> {
    let host = array.fs_by_id(cx, &fs.id)?;
    let snapshot = array.snapshot_of(cx, &host, snapshot)?;
    let files = files.unwrap_or_default();
    if all_files || files.is_empty() {
        return array.restore_everything(cx, &host, &snapshot);
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
        array.restore_one(cx, &host, &snapshot, file, target)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
