//! File systems, their snaps and NFS shares.
//!
//! - A file system lives on a NAS server (the URI's `nas_server`, else the array's only
//!   one) and is made, resized and deleted through its storage resource
//!   (`createFilesystem`, `modifyFilesystem`, `DELETE storageResource`), each a Unity job.
//!   Unity's smallest file system is 3 GiB: a smaller size asked is made 3 GiB. File
//!   systems are thick, so that the pool's free space is theirs (as LSM promises).
//! - Snaps are of the file system's storage resource; a restore makes Unity keep a backup
//!   snap of what it replaces (`lsm_restore_backup_<time>`), so nothing is lost.
//! - An NFS export is an NFS share at the file system's root, named after the export path
//!   (`/name` → share `name`, `/a/b` → share `a/b`, mounted as `<NAS address>:/a/b`;
//!   default: the file system's name), made, changed and removed
//!   through `modifyFilesystem` (`nfsShareCreate/Modify/Delete`), its hosts in the
//!   `*HostsString` forms; hosts not listed have no access.
//! - No file system clones: Unity's REST API has thin clones of LUNs only.

use lsm_core::plugin::{Completion, ExportRequest};
use lsm_core::types::*;
use lsm_core::{ErrorNumber, LsmError, Result};
use serde_json::json;

use super::lookups::not_found;
use super::session::Session;
use crate::client::api::quoted;
use crate::client::models::{self, default_access};
use crate::error::{Context, ObjectKind};
use crate::mapping::{self, AUTH_TYPES, JobResult, ShareHosts};

/// Unity's smallest file system.
pub const MIN_FS_SIZE: i64 = 3 << 30;

/// The longest share name taken (*chosen*: a path component limit of common NFS servers).
const MAX_SHARE_NAME: usize = 255;

/// Unity's largest anonymous uid/gid.
const MAX_ANON_ID: i64 = u32::MAX as i64;

fn fs_size(size_bytes: i64) -> Result<i64> {
    if size_bytes <= 0 {
        return Err(LsmError::invalid_argument(format!(
            "size {size_bytes}: a size must be positive"
        )));
    }
    let size = size_bytes.max(MIN_FS_SIZE) as u64;
    let block = mapping::BLOCK_SIZE as u64;
    i64::try_from(size.div_ceil(block) * block)
        .map_err(|_| LsmError::invalid_argument(format!("size {size_bytes} is too large")))
}

fn check_fs_name(name: &str) -> Result<()> {
    if name.trim().is_empty()
        || name.len() > 240
        || name
            .chars()
            .any(|c| c.is_control() || c == '/' || c == '\\')
    {
        return Err(LsmError::invalid_argument(format!(
            "file system name {name:?}: 1 to 240 printable characters, no '/' or '\\'"
        )));
    }
    Ok(())
}

/// The share name of an export path: the path without its leading `/` (`/mnt/share` →
/// `mnt/share`). A Unity NFS share is mounted as `<NAS address>:/<share name>`, its
/// `path` being the directory it shares inside the file system (always `/` here), so
/// the export path LSM asks for is the share's name; Unity takes `/` inside a share name
/// to build an export name space (Unisphere CLI guide, `nfs create -name`), not as its
/// first character. Each `/`-separated part must be a plain name: not empty, not `.` or
/// `..`, no quote (Unisphere's filter grammar cannot search for one), no whitespace or
/// control character.
fn share_name(path: &str) -> Result<String> {
    let refuse = |why: &str| {
        LsmError::invalid_argument(format!(
            "export path {path:?}: {why}; a Unity NFS share is exported as /NAME or \
             /NAME/NAME/..."
        ))
    };
    let name = path
        .strip_prefix('/')
        .ok_or_else(|| refuse("it must start with '/'"))?;
    if name.len() > MAX_SHARE_NAME {
        return Err(refuse(&format!("at most {MAX_SHARE_NAME} characters")));
    }
    for part in name.split('/') {
        if part.is_empty() || part == "." || part == ".." {
            return Err(refuse(
                "each part between '/' must be a name (not empty, . or ..)",
            ));
        }
        if part
            .chars()
            .any(|c| c == '"' || c == '\\' || c.is_control() || c.is_whitespace())
        {
            return Err(refuse(
                "no quotes, backslashes, spaces or control characters",
            ));
        }
    }
    Ok(name.to_string())
}

fn anon_id(value: i64, what: &str) -> Result<Option<i64>> {
    match value {
        anon_id::NA => Ok(None),
        id if (0..=MAX_ANON_ID).contains(&id) => Ok(Some(id)),
        id => Err(LsmError::invalid_argument(format!(
            "{what} {id}: from 0 to {MAX_ANON_ID}, or -1 for the array's default"
        ))),
    }
}

impl Session {
    /// The file system whose storage resource is `resource`.
    pub(super) fn fs_of_resource(&self, resource: &str) -> Result<models::Filesystem> {
        let filter = format!("storageResource.id eq {}", quoted(resource)?);
        let found: Vec<models::Filesystem> = self.client.list(
            "filesystem",
            models::Filesystem::FIELDS,
            Some(&filter),
            ObjectKind::FileSystem,
        )?;
        found
            .into_iter()
            .next()
            .ok_or_else(|| not_found(ErrorNumber::NOT_FOUND_FS, "File system of", resource))
    }

    pub(super) fn fs_create(
        &self,
        pool: &Pool,
        name: &str,
        size_bytes: i64,
    ) -> Result<Completion<FileSystem>> {
        check_fs_name(name)?;
        let size = fs_size(size_bytes)?;
        self.pool_record(&pool.id)?;
        let nas = self.nas_server_for_new_fs()?;
        let body = json!({
            "name": name,
            "fsParameters": {
                "pool": {"id": pool.id},
                "nasServer": {"id": nas.id},
                "size": size,
                "supportedProtocols": 0,
                "isThinEnabled": false,
            },
        });
        let outcome = self.client.type_action(
            "storageResource",
            "createFilesystem",
            &body,
            true,
            ObjectKind::FileSystem,
            Context::Create,
        )?;
        self.finish(
            outcome,
            Context::Create,
            JobResult::FileSystem(String::new()),
            |session, answer| session.made_fs("", answer),
        )
    }

    pub(super) fn fs_resize(
        &self,
        fs: &FileSystem,
        new_size_bytes: i64,
    ) -> Result<Completion<FileSystem>> {
        let size = fs_size(new_size_bytes)?;
        let record = self.filesystem(&fs.id)?;
        if record.size_total == Some(size) {
            return Err(LsmError::new(
                ErrorNumber::NO_STATE_CHANGE,
                format!("file system {} is {size} bytes already", fs.id),
            ));
        }
        let resource = record
            .storage_resource
            .map(|r| r.id)
            .ok_or_else(|| LsmError::plugin_bug("the file system has no storage resource"))?;
        let outcome = self.client.action(
            "storageResource",
            &resource,
            "modifyFilesystem",
            &json!({"fsParameters": {"size": size}}),
            true,
            ObjectKind::FileSystem,
            Context::Change,
        )?;
        self.finish(
            outcome,
            Context::Change,
            JobResult::FileSystem(fs.id.clone()),
            |session, _| session.made_fs(&fs.id, None),
        )
    }

    pub(super) fn fs_delete(&self, fs: &FileSystem) -> Result<Completion<()>> {
        let resource = self.fs_resource(&fs.id)?;
        let outcome = self.client.delete(
            "storageResource",
            &resource,
            Some(&json!({"forceSnapDeletion": true})),
            true,
            ObjectKind::FileSystem,
        )?;
        self.finish(outcome, Context::Delete, JobResult::Nothing, |_, _| Ok(()))
    }

    pub(super) fn fs_snapshot_create(
        &self,
        fs: &FileSystem,
        name: &str,
    ) -> Result<Completion<FsSnapshot>> {
        if name.trim().is_empty() || name.chars().any(char::is_control) {
            return Err(LsmError::invalid_argument(format!(
                "snapshot name {name:?} is not valid"
            )));
        }
        let resource = self.fs_resource(&fs.id)?;
        let outcome = self.client.create(
            "snap",
            &json!({
                "storageResource": {"id": resource},
                "name": name,
                "isReadOnly": true,
                "isAutoDelete": false,
                "filesystemAccessType": 1,
            }),
            true,
            ObjectKind::Snapshot,
        )?;
        self.finish(
            outcome,
            Context::Create,
            JobResult::Snapshot,
            |session, answer| {
                let id = super::jobs::made_id(answer)
                    .ok_or_else(|| LsmError::plugin_bug("the array's answer names no snap"))?;
                session
                    .fs_snap(&resource, &id)
                    .map(|s| mapping::snap_to_fs_snapshot(&s))
            },
        )
    }

    pub(super) fn fs_snapshot_delete(
        &self,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
    ) -> Result<Completion<()>> {
        let resource = self.fs_resource(&fs.id)?;
        let snap = self.fs_snap(&resource, &snapshot.id)?;
        let outcome = self
            .client
            .delete("snap", &snap.id, None, true, ObjectKind::Snapshot)?;
        self.finish(outcome, Context::Delete, JobResult::Nothing, |_, _| Ok(()))
    }

    pub(super) fn fs_snapshot_restore(
        &self,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
        files: &[String],
        all_files: bool,
    ) -> Result<Completion<()>> {
        if !all_files || !files.is_empty() {
            return Err(LsmError::new(
                ErrorNumber::NO_SUPPORT,
                "Unity restores a whole file system from a snap, not single files",
            ));
        }
        let resource = self.fs_resource(&fs.id)?;
        let snap = self.fs_snap(&resource, &snapshot.id)?;
        let backup = format!(
            "lsm_restore_backup_{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or(0)
        );
        let outcome = self.client.action(
            "snap",
            &snap.id,
            "restore",
            &json!({"copyName": backup}),
            true,
            ObjectKind::Snapshot,
            Context::Change,
        )?;
        self.finish(outcome, Context::Change, JobResult::Nothing, |_, _| Ok(()))
    }

    pub(super) fn export_fs(&self, request: &ExportRequest) -> Result<NfsExport> {
        let hosts = ShareHosts::from_lsm(&request.root_list, &request.rw_list, &request.ro_list)?;
        if request.rw_list.is_empty() && request.ro_list.is_empty() && request.root_list.is_empty()
        {
            return Err(LsmError::invalid_argument(
                "an export needs at least one read-write or read-only host",
            ));
        }
        let auth = request.auth_type.as_deref().unwrap_or("sys");
        let security = AUTH_TYPES.iter().position(|a| *a == auth).ok_or_else(|| {
            LsmError::invalid_argument(format!(
                "unknown NFS auth type {auth:?}; one of {}",
                AUTH_TYPES.join(", ")
            ))
        })?;
        if request.options.as_deref().is_some_and(|o| !o.is_empty()) {
            return Err(LsmError::new(
                ErrorNumber::NO_SUPPORT,
                "a Unity NFS share takes no free-form options",
            ));
        }
        let anon_uid = anon_id(request.anon_uid, "anon_uid")?;
        let anon_gid = anon_id(request.anon_gid, "anon_gid")?;
        let fs = self.filesystem(&request.fs_id)?;
        let resource = fs
            .storage_resource
            .as_ref()
            .map(|r| r.id.clone())
            .ok_or_else(|| LsmError::plugin_bug("the file system has no storage resource"))?;
        let name = match request.export_path.as_deref() {
            Some(path) => share_name(path)?,
            None => share_name(&format!("/{}", fs.name.as_deref().unwrap_or(&fs.id)))?,
        };
        let mut parameters = json!({
            "defaultAccess": default_access::NO_ACCESS,
            "minSecurity": security,
            "readWriteHostsString": hosts.read_write.join(","),
            "readOnlyHostsString": hosts.read_only.join(","),
            "readWriteRootHostsString": hosts.read_write_root.join(","),
            "readOnlyRootHostsString": hosts.read_only_root.join(","),
            "noAccessHostsString": "",
        });
        if let Some(uid) = anon_uid {
            parameters["anonymousUID"] = json!(uid);
        }
        if let Some(gid) = anon_gid {
            parameters["anonymousGID"] = json!(gid);
        }
        // The share of that name on this file system, if there is one, is changed.
        let filter = format!(
            "name eq {} and filesystem.id eq {}",
            quoted(&name)?,
            quoted(&fs.id)?
        );
        let existing: Vec<models::NfsShare> = self.client.list(
            "nfsShare",
            "id,name,filesystem",
            Some(&filter),
            ObjectKind::NfsExport,
        )?;
        let body = match existing.first() {
            Some(share) => json!({"nfsShareModify": [{
                "nfsShare": {"id": share.id},
                "nfsShareParameters": parameters,
            }]}),
            None => json!({"nfsShareCreate": [{
                "name": name,
                "path": "/",
                "nfsShareParameters": parameters,
            }]}),
        };
        self.client.action(
            "storageResource",
            &resource,
            "modifyFilesystem",
            &body,
            false,
            ObjectKind::NfsExport,
            match existing.first() {
                Some(_) => Context::Change,
                None => Context::Create,
            },
        )?;
        let filter = format!(
            "name eq {} and filesystem.id eq {}",
            quoted(&name)?,
            quoted(&fs.id)?
        );
        let made: Vec<models::NfsShare> = self.client.list(
            "nfsShare",
            models::NfsShare::FIELDS,
            Some(&filter),
            ObjectKind::NfsExport,
        )?;
        made.first().map(mapping::share_to_export).ok_or_else(|| {
            LsmError::plugin_bug(format!(
                "the NFS share {name} of file system {} is not listed after its creation",
                fs.id
            ))
        })
    }

    pub(super) fn export_remove(&self, export: &NfsExport) -> Result<()> {
        let share = self.share(&export.id)?;
        let resource = share
            .filesystem
            .as_ref()
            .and_then(|f| f.storage_resource.as_ref())
            .map(|r| r.id.clone())
            .ok_or_else(|| {
                LsmError::plugin_bug(format!("NFS share {} names no storage resource", share.id))
            })?;
        self.client
            .action(
                "storageResource",
                &resource,
                "modifyFilesystem",
                &json!({"nfsShareDelete": [{"nfsShare": {"id": share.id}}]}),
                false,
                ObjectKind::NfsExport,
                Context::Delete,
            )
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_paths_are_share_names() {
        assert_eq!(share_name("/share").unwrap(), "share");
        assert_eq!(share_name("/mnt/abc123").unwrap(), "mnt/abc123");
        assert_eq!(share_name("/a/b-c/d_e.f").unwrap(), "a/b-c/d_e.f");
        for bad in [
            "", "/", "share", "//a", "/a/", "/a//b", "/a/./b", "/a/../b", "/a b", "/a\"b", "/a\\b",
            "/a\tb",
        ] {
            let error = share_name(bad).unwrap_err();
            assert_eq!(error.code, ErrorNumber::INVALID_ARGUMENT, "{bad:?}");
            assert!(error.message.contains("export path"), "{}", error.message);
        }
        assert!(share_name(&format!("/{}", "a".repeat(255))).is_ok());
        assert!(share_name(&format!("/{}", "a".repeat(256))).is_err());
    }
}
