//! NAS changes: file systems (create with a quota and reservation of their size, resize,
//! delete, clone from a snapshot), snapshots (create, delete, rollback), NFS shares.
//!
//! A new file system goes under `?fs_parent=` when that is in the call's pool, else under
//! the pool's root. LSM file system names are unique on the appliance (checked here).

use lsm_core::plugin::{Completion, ExportRequest};
use lsm_core::types::*;
use lsm_core::{ErrorNumber, LsmError, Result};
use lsm_rest::Method;
use serde_json::{Value, json};

use super::san::{CLONE_SNAPSHOT_MARK, check_dataset_name};
use super::session::Session;
use crate::client::api::segment;
use crate::client::models::HostEntry;
use crate::error::{Context, ObjectKind};
use crate::mapping::{self, JobResult, leaf, pool_of};

/// The NFS security modes an export may use.
pub(super) const AUTH_TYPES: &[&str] = &["sys", "krb5", "krb5i", "krb5p"];

impl Session {
    fn fs_of(&self, path: &str) -> Result<FileSystem> {
        Ok(mapping::filesystem_to_fs(
            &self.filesystem(path)?,
            &self.system_id,
        ))
    }

    fn check_fs_name_free(&self, name: &str) -> Result<()> {
        if self
            .filesystems()?
            .iter()
            .any(|fs| fs.name.as_deref().or(fs.path.as_deref().map(leaf)) == Some(name))
        {
            return Err(LsmError::new(
                ErrorNumber::NAME_CONFLICT,
                format!("a file system named {name} already exists"),
            ));
        }
        Ok(())
    }

    /// Where new file systems of `pool` go.
    fn fs_parent_for(&self, pool: &Pool) -> Result<String> {
        self.check_pool(&pool.id)?;
        match &self.placement.fs_parent {
            Some(parent) if pool_of(parent) == pool.id => {
                if parent.contains('/') {
                    self.filesystem(parent).map_err(|_| {
                        LsmError::invalid_argument(format!(
                            "the URI's fs_parent={parent} is not a file system of pool {}",
                            pool.id
                        ))
                    })?;
                }
                Ok(parent.clone())
            }
            _ => Ok(pool.id.clone()),
        }
    }

    pub(super) fn fs_create(
        &self,
        pool: &Pool,
        name: &str,
        size: i64,
    ) -> Result<Completion<FileSystem>> {
        check_dataset_name("file system", name)?;
        if size <= 0 {
            return Err(LsmError::invalid_argument(
                "a file system size must be positive",
            ));
        }
        let parent = self.fs_parent_for(pool)?;
        self.check_fs_name_free(name)?;
        let path = format!("{parent}/{name}");
        let outcome = self.client.change(
            Method::POST,
            "/storage/filesystems",
            &[],
            Some(&json!({
                "path": path,
                "referencedQuotaSize": size,
                "referencedReservationSize": size,
            })),
            ObjectKind::Pool,
            Context::Create,
        )?;
        self.finish(
            outcome,
            Context::Create,
            JobResult::FileSystem(path.clone()),
            |s| s.fs_of(&path),
        )
    }

    pub(super) fn fs_resize(&self, fs: &FileSystem, size: i64) -> Result<Completion<FileSystem>> {
        let current = self.filesystem(&fs.id)?;
        if size <= 0 {
            return Err(LsmError::invalid_argument(
                "a file system size must be positive",
            ));
        }
        if current.referenced_quota_size == Some(size) {
            return Err(LsmError::new(
                ErrorNumber::NO_STATE_CHANGE,
                format!("file system {} is already {size} bytes", fs.id),
            ));
        }
        let mut body = json!({"referencedQuotaSize": size});
        if current.referenced_reservation_size.unwrap_or(0) > 0 {
            body["referencedReservationSize"] = json!(size);
        }
        let outcome = self.client.change(
            Method::PUT,
            &format!("/storage/filesystems/{}", segment(&fs.id)),
            &[],
            Some(&body),
            ObjectKind::FileSystem,
            Context::Change,
        )?;
        let path = fs.id.clone();
        self.finish(
            outcome,
            Context::Change,
            JobResult::FileSystem(path.clone()),
            |s| s.fs_of(&path),
        )
    }

    pub(super) fn fs_delete(&self, fs: &FileSystem) -> Result<Completion<()>> {
        let current = self.filesystem(&fs.id)?;
        if self.fs_child_dependency(fs)? {
            return Err(LsmError::new(
                ErrorNumber::HAS_CHILD_DEPENDENCY,
                format!("file system {} has clones of its snapshots", fs.id),
            ));
        }
        let outcome = self.client.change::<Value>(
            Method::DELETE,
            &format!("/storage/filesystems/{}", segment(&fs.id)),
            &[("snapshots", "true"), ("force", "true")],
            None,
            ObjectKind::FileSystem,
            Context::Delete,
        )?;
        let done = self.finish(outcome, Context::Delete, JobResult::Nothing, |_| Ok(()))?;
        self.drop_clone_origin(current.original_snapshot);
        Ok(done)
    }

    /// A clone of `source` from `snapshot` (or from a snapshot made for it), beside it.
    pub(super) fn fs_clone(
        &self,
        source: &FileSystem,
        name: &str,
        snapshot: Option<&FsSnapshot>,
    ) -> Result<Completion<FileSystem>> {
        let current = self.filesystem(&source.id)?;
        check_dataset_name("file system", name)?;
        let origin = match snapshot {
            Some(snapshot) => {
                let found = self.snapshot(&snapshot.id)?;
                if found.parent.as_deref() != Some(source.id.as_str())
                    && !snapshot.id.starts_with(&format!("{}@", source.id))
                {
                    return Err(LsmError::new(
                        ErrorNumber::NOT_FOUND_FS_SS,
                        format!(
                            "snapshot {} is not of file system {}",
                            snapshot.id, source.id
                        ),
                    ));
                }
                None
            }
            None => Some(format!("{}{CLONE_SNAPSHOT_MARK}{name}", source.id)),
        };
        self.check_fs_name_free(name)?;
        if let Some(origin) = &origin {
            self.client.change_and_wait(
                Method::POST,
                "/storage/snapshots",
                &[],
                Some(&json!({"path": origin})),
                ObjectKind::FileSystem,
                Context::Create,
            )?;
        }
        let from = origin
            .clone()
            .or_else(|| snapshot.map(|s| s.id.clone()))
            .unwrap_or_default();
        let parent = current
            .parent
            .clone()
            .unwrap_or_else(|| pool_of(&source.id).to_string());
        let target = format!("{parent}/{name}");
        let mut body = json!({"targetPath": target});
        if let Some(quota) = current.referenced_quota_size.filter(|q| *q > 0) {
            body["referencedQuotaSize"] = json!(quota);
        }
        let outcome = self.client.change(
            Method::POST,
            &format!("/storage/snapshots/{}/clone", segment(&from)),
            &[],
            Some(&body),
            ObjectKind::FileSystem,
            Context::Create,
        );
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(error) => {
                if let Some(origin) = &origin {
                    self.drop_snapshot(origin);
                }
                return Err(error);
            }
        };
        self.finish(
            outcome,
            Context::Create,
            JobResult::FileSystem(target.clone()),
            |s| s.fs_of(&target),
        )
    }

    /// The clones made from `fs`'s snapshots.
    fn clones_of(&self, fs: &str) -> Result<Vec<String>> {
        Ok(self
            .snapshots_of(fs)?
            .into_iter()
            .flat_map(|snapshot| snapshot.clones)
            .collect())
    }

    pub(super) fn fs_child_dependency(&self, fs: &FileSystem) -> Result<bool> {
        self.filesystem(&fs.id)?;
        Ok(!self.clones_of(&fs.id)?.is_empty())
    }

    /// Each clone of `fs` is promoted (ZFS): the snapshots it came from move to it and `fs`
    /// becomes a clone of it, so nothing depends on `fs` any more and it can be deleted.
    pub(super) fn fs_child_dependency_rm(&self, fs: &FileSystem) -> Result<Completion<()>> {
        self.filesystem(&fs.id)?;
        let clones = self.clones_of(&fs.id)?;
        if clones.is_empty() {
            return Err(LsmError::new(
                ErrorNumber::NO_STATE_CHANGE,
                format!("file system {} has no clones depending on it", fs.id),
            ));
        }
        for clone in clones {
            self.client.change_and_wait::<Value>(
                Method::POST,
                &format!("/storage/filesystems/{}/promote", segment(&clone)),
                &[],
                None,
                ObjectKind::FileSystem,
                Context::Change,
            )?;
        }
        Ok(Completion::Done(()))
    }

    pub(super) fn fs_snapshot_create(
        &self,
        fs: &FileSystem,
        name: &str,
    ) -> Result<Completion<FsSnapshot>> {
        self.filesystem(&fs.id)?;
        check_dataset_name("snapshot", name)?;
        let path = format!("{}@{name}", fs.id);
        let outcome = self.client.change(
            Method::POST,
            "/storage/snapshots",
            &[],
            Some(&json!({"path": path})),
            ObjectKind::FileSystem,
            Context::Create,
        )?;
        self.finish(
            outcome,
            Context::Create,
            JobResult::Snapshot(path.clone()),
            |s| Ok(mapping::snapshot_to_fs_snapshot(&s.snapshot(&path)?)),
        )
    }

    /// The snapshot `snapshot` of `fs`, or `NOT_FOUND_FS_SS`.
    fn snapshot_of_fs(&self, fs: &FileSystem, snapshot: &FsSnapshot) -> Result<String> {
        self.filesystem(&fs.id)?;
        if !snapshot.id.starts_with(&format!("{}@", fs.id)) {
            return Err(LsmError::new(
                ErrorNumber::NOT_FOUND_FS_SS,
                format!("snapshot {} is not of file system {}", snapshot.id, fs.id),
            ));
        }
        self.snapshot(&snapshot.id)?;
        Ok(snapshot.id.clone())
    }

    pub(super) fn fs_snapshot_delete(
        &self,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
    ) -> Result<Completion<()>> {
        let path = self.snapshot_of_fs(fs, snapshot)?;
        let outcome = self.client.change::<Value>(
            Method::DELETE,
            &format!("/storage/snapshots/{}", segment(&path)),
            &[],
            None,
            ObjectKind::Snapshot,
            Context::Delete,
        )?;
        self.finish(outcome, Context::Delete, JobResult::Nothing, |_| Ok(()))
    }

    /// Rolls the whole file system back to the snapshot (ZFS cannot restore single files).
    pub(super) fn fs_snapshot_restore(
        &self,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
        files: &[String],
        all_files: bool,
    ) -> Result<Completion<()>> {
        if !files.is_empty() && !all_files {
            return Err(LsmError::new(
                ErrorNumber::NO_SUPPORT,
                "NexentaStor restores a whole file system from a snapshot (rollback), not files",
            ));
        }
        let path = self.snapshot_of_fs(fs, snapshot)?;
        let name = path.rsplit('@').next().unwrap_or_default();
        let outcome = self.client.change(
            Method::POST,
            &format!("/storage/filesystems/{}/rollback", segment(&fs.id)),
            &[],
            Some(&json!({"snapshot": name})),
            ObjectKind::Snapshot,
            Context::Change,
        )?;
        self.finish(outcome, Context::Change, JobResult::Nothing, |_| Ok(()))
    }

    // ------------------------------------------------------------ NFS

    pub(super) fn export_fs(&self, request: &ExportRequest) -> Result<NfsExport> {
        let fs = self.filesystem(&request.fs_id)?;
        let mount = fs
            .mount_point
            .clone()
            .unwrap_or_else(|| format!("/{}", request.fs_id));
        if let Some(path) = request.export_path.as_deref()
            && path != mount
        {
            return Err(LsmError::new(
                ErrorNumber::NO_SUPPORT,
                format!(
                    "a NexentaStor share is exported at its file system's mount point ({mount}), \
                     not at {path}"
                ),
            ));
        }
        let auth = request.auth_type.as_deref().unwrap_or("sys");
        if !AUTH_TYPES.contains(&auth) {
            return Err(LsmError::invalid_argument(format!(
                "unknown NFS auth type {auth:?}; one of {}",
                AUTH_TYPES.join(", ")
            )));
        }
        if request.anon_gid != lsm_core::types::anon_id::NA {
            return Err(LsmError::new(
                ErrorNumber::NO_SUPPORT,
                "a NexentaStor share maps anonymous access to a user only (anon_uid), not a group",
            ));
        }
        if request.rw_list.is_empty() && request.ro_list.is_empty() {
            return Err(LsmError::invalid_argument(
                "an export needs at least one read-write or read-only host",
            ));
        }
        let entries = |hosts: &[String]| -> Vec<HostEntry> {
            hosts.iter().map(|h| mapping::host_entry(h)).collect()
        };
        let mut context = json!({"securityModes": [auth]});
        for (key, hosts) in [
            ("readWriteList", &request.rw_list),
            ("readOnlyList", &request.ro_list),
            ("root", &request.root_list),
        ] {
            if !hosts.is_empty() {
                context[key] = json!(entries(hosts));
            }
        }
        let mut body = json!({"securityContexts": [context]});
        match request.anon_uid {
            -1 => {}
            0 => body["anon"] = json!("root"),
            65534 => body["anon"] = json!("nobody"),
            uid if uid > 0 => body["anon"] = json!(uid.to_string()),
            uid => {
                return Err(LsmError::invalid_argument(format!(
                    "anon_uid {uid} is not valid"
                )));
            }
        }
        let shared = self
            .exports()?
            .iter()
            .any(|export| export.id == request.fs_id);
        if shared {
            self.client.change_and_wait(
                Method::PUT,
                &format!("/nas/nfs/{}", segment(&request.fs_id)),
                &[],
                Some(&body),
                ObjectKind::NfsExport,
                Context::Change,
            )?;
        } else {
            body["filesystem"] = json!(request.fs_id);
            self.client.change_and_wait(
                Method::POST,
                "/nas/nfs",
                &[],
                Some(&body),
                ObjectKind::FileSystem,
                Context::Create,
            )?;
        }
        self.export_of(&request.fs_id)
    }

    pub(super) fn export_remove(&self, export: &NfsExport) -> Result<()> {
        self.export_of(&export.id)?;
        self.client.change_and_wait::<Value>(
            Method::DELETE,
            &format!("/nas/nfs/{}", segment(&export.id)),
            &[],
            None,
            ObjectKind::NfsExport,
            Context::Delete,
        )
    }
}
