//! The session's [`Nas`] impl: file systems and clones (`fs`), snapshots (`snapshots`),
//! NFS exports (`exports`). Every operation is done before the call returns.

use lsm_core::Result;
use lsm_core::plugin::{Call, Completion, ExportRequest, Nas, Search};
use lsm_core::types::*;

use super::exports::AUTH_TYPES;
use super::{Array, exports, fs, snapshots};

impl Nas for Array {
    fn fs(&mut self, cx: &Call, search: Option<&Search>) -> Result<Vec<FileSystem>> {
        fs::list(self, cx, search)
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

    fn fs_child_dependency(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        files: Option<&[String]>,
    ) -> Result<bool> {
        fs::has_dependents(self, cx, fs, files)
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
        snapshots::list(self, cx, fs)
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
        snapshots::delete(self, cx, fs, snapshot).map(Completion::Done)
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

    /// The runner applies the search.
    fn exports(&mut self, cx: &Call, _search: Option<&Search>) -> Result<Vec<NfsExport>> {
        exports::list(self, cx)
    }

    fn export_fs(&mut self, cx: &Call, request: &ExportRequest) -> Result<NfsExport> {
        exports::export(self, cx, request)
    }

    fn export_remove(&mut self, cx: &Call, export: &NfsExport) -> Result<()> {
        exports::remove(self, cx, export)
    }
}
