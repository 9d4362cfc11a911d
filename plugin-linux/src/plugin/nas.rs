//! The session's [`Nas`] impl: file systems and clones (`fs`), snapshots (`snapshots`),
//! NFS exports (`exports`). Every operation is done before the call returns.

use lsm_core::Result;
use lsm_core::plugin::{Call, Completion, ExportRequest, Nas, Search};
use lsm_core::types::*;

use super::exports::{AUTH_TYPES, not_found_export};
use super::fs::check_relative_path;
use super::mapping::{parse_export_id, parse_fs_id};
use super::{Array, exports, fs, snapshots};
use crate::state::ExportRecord;

impl Nas for Array {
    /// The file systems of every usable btrfs pool; a `pool_id` or `id` search reads
    /// only that pool.
    fn fs(&mut self, cx: &Call, search: Option<&Search>) -> Result<Vec<FileSystem>> {
        let wanted_pool = match search {
            Some(search) if search.key == "pool_id" => Some(search.value.as_str()),
            Some(search) if search.key == "id" => parse_fs_id(&search.value).map(|(pool, _)| pool),
            _ => None,
        };
        let mut file_systems = Vec::new();
        for pool in self.btrfs_pools(cx) {
            if wanted_pool.is_some_and(|wanted| wanted != pool.id) {
                continue;
            }
            let listing = self.pool_listing(cx, &pool)?;
            file_systems.extend(
                self.file_systems_in(&pool, &listing)
                    .iter()
                    .map(|fs| fs.to_lsm(&self.system_id)),
            );
        }
        Ok(file_systems)
    }

    fn fs_create(
        &mut self,
        cx: &Call,
        pool: &Pool,
        name: &str,
        size_bytes: i64,
    ) -> Result<Completion<FileSystem>> {
        fs::create(self, cx, pool, name, size_bytes).map(Completion::Done)
    }

    fn fs_delete(&mut self, cx: &Call, fs: &FileSystem) -> Result<Completion<()>> {
        fs::delete(self, cx, fs).map(Completion::Done)
    }

    fn fs_resize(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        new_size_bytes: i64,
    ) -> Result<Completion<FileSystem>> {
        fs::resize(self, cx, fs, new_size_bytes).map(Completion::Done)
    }

    fn fs_clone(
        &mut self,
        cx: &Call,
        src_fs: &FileSystem,
        dest_fs_name: &str,
        snapshot: Option<&FsSnapshot>,
    ) -> Result<Completion<FileSystem>> {
        fs::clone_fs(self, cx, src_fs, dest_fs_name, snapshot).map(Completion::Done)
    }

    fn fs_file_clone(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        src_file_name: &str,
        dest_file_name: &str,
        snapshot: Option<&FsSnapshot>,
    ) -> Result<Completion<()>> {
        fs::clone_file(self, cx, fs, src_file_name, dest_file_name, snapshot).map(Completion::Done)
    }

    /// Whether clones depend on it; files never have dependents (file clones are
    /// reflink copies).
    fn fs_child_dependency(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        files: Option<&[String]>,
    ) -> Result<bool> {
        let host = self.fs_by_id(cx, &fs.id)?;
        if let Some(files) = files.filter(|files| !files.is_empty()) {
            for file in files {
                check_relative_path("file", file)?;
            }
            return Ok(false);
        }
        Ok(!self.dependent_clones(cx, &host)?.is_empty())
    }

    fn fs_child_dependency_rm(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        files: Option<&[String]>,
    ) -> Result<Completion<()>> {
        fs::remove_dependencies(self, cx, fs, files).map(Completion::Done)
    }

    fn fs_snapshots(&mut self, cx: &Call, fs: &FileSystem) -> Result<Vec<FsSnapshot>> {
        let host = self.fs_by_id(cx, &fs.id)?;
        Ok(self
            .host_snapshots(cx, &host)?
            .iter()
            .map(|snapshot| Self::snapshot_object(&host, snapshot))
            .collect())
    }

    fn fs_snapshot_create(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        snapshot_name: &str,
    ) -> Result<Completion<FsSnapshot>> {
        snapshots::create(self, cx, fs, snapshot_name).map(Completion::Done)
    }

    fn fs_snapshot_delete(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
    ) -> Result<Completion<()>> {
        let host = self.fs_by_id(cx, &fs.id)?;
        let snapshot = self.snapshot_of(cx, &host, snapshot)?;
        self.btrfs(cx).subvolume_delete(&snapshot.path)?;
        Ok(Completion::Done(()))
    }

    fn fs_snapshot_restore(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
        files: Option<&[String]>,
        restore_files: Option<&[String]>,
        all_files: bool,
    ) -> Result<Completion<()>> {
        snapshots::restore(self, cx, fs, snapshot, files, restore_files, all_files)
            .map(Completion::Done)
    }

    /// What ganesha's `SecType` takes, when NFS is configured.
    fn export_auth(&mut self, _cx: &Call) -> Result<Vec<String>> {
        self.nfs()?;
        Ok(AUTH_TYPES.iter().map(|auth| (*auth).to_owned()).collect())
    }

    /// What ganesha serves of what the plugin recorded; the runner applies the search.
    fn exports(&mut self, cx: &Call, _search: Option<&Search>) -> Result<Vec<NfsExport>> {
        let nfs = self.nfs()?.clone();
        let client = self.ganesha_bus(cx, &nfs)?;
        self.with_state(cx, |array, state| {
            let live = array.live_export_ids(cx, &client, state)?;
            let mut records: Vec<&ExportRecord> = state
                .exports
                .iter()
                .filter(|record| live.contains(&record.export_id))
                .collect();
            records.sort_by_key(|record| record.export_id);
            Ok(records.into_iter().map(Self::export_object).collect())
        })
    }

    fn export_fs(&mut self, cx: &Call, request: &ExportRequest) -> Result<NfsExport> {
        exports::export(self, cx, request)
    }

    fn export_remove(&mut self, cx: &Call, export: &NfsExport) -> Result<()> {
        let number = parse_export_id(&export.id).ok_or_else(|| not_found_export(&export.id))?;
        let nfs = self.nfs()?.clone();
        self.with_state(cx, |array, state| {
            array.remove_recorded_export(cx, &nfs, state, number, &export.id)
        })
    }
}
