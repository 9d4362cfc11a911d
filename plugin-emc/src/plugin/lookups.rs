//! The Unity object behind an LSM object (asked of the array on every call), or the right
//! `NOT_FOUND_*` error.

use lsm_core::{ErrorNumber, LsmError, Result};

use super::session::Session;
use crate::client::models;
use crate::error::ObjectKind;

/// `NOT_FOUND_<what>` naming the object.
pub(super) fn not_found(code: ErrorNumber, what: &str, id: &str) -> LsmError {
    LsmError::new(code, format!("{what} {id} not found"))
}

impl Session {
    /// The object `id` of `type_name` with `fields`, or `NOT_FOUND_<what>`.
    fn lookup<T: serde::de::DeserializeOwned>(
        &self,
        type_name: &str,
        id: &str,
        fields: &str,
        kind: ObjectKind,
        what: &str,
    ) -> Result<T> {
        let code = crate::error::not_found_code(kind);
        if id.is_empty() {
            return Err(not_found(code, what, id));
        }
        self.client
            .find(type_name, id, fields, kind)?
            .ok_or_else(|| not_found(code, what, id))
    }

    /// The LUN `id` with `fields`.
    pub(super) fn lun(&self, id: &str, fields: &str) -> Result<models::Lun> {
        self.lookup("lun", id, fields, ObjectKind::Volume, "Volume")
    }

    /// The host `id`, with its initiators.
    pub(super) fn host(&self, id: &str) -> Result<models::Host> {
        self.lookup(
            "host",
            id,
            models::Host::FIELDS,
            ObjectKind::AccessGroup,
            "Access group",
        )
    }

    /// The file system `id`.
    pub(super) fn filesystem(&self, id: &str) -> Result<models::Filesystem> {
        self.lookup(
            "filesystem",
            id,
            models::Filesystem::FIELDS,
            ObjectKind::FileSystem,
            "File system",
        )
    }

    /// The storage resource (`res_N`) of file system `id`.
    pub(super) fn fs_resource(&self, id: &str) -> Result<String> {
        self.filesystem(id)?
            .storage_resource
            .map(|r| r.id)
            .ok_or_else(|| {
                LsmError::plugin_bug(format!("file system {id} has no storage resource"))
            })
    }

    /// The snap `id` of file system `fs_id`'s storage resource `resource` (not one being
    /// destroyed).
    pub(super) fn fs_snap(&self, resource: &str, id: &str) -> Result<models::Snap> {
        let snap: models::Snap = self.lookup(
            "snap",
            id,
            models::Snap::FIELDS,
            ObjectKind::Snapshot,
            "Snapshot",
        )?;
        let of_fs = snap.storage_resource.as_ref().map(|r| r.id.as_str()) == Some(resource);
        if !of_fs || snap.state == Some(models::Snap::DESTROYING) {
            return Err(not_found(ErrorNumber::NOT_FOUND_FS_SS, "Snapshot", id));
        }
        Ok(snap)
    }

    /// The NFS share `id` (of a file system, not of a snap).
    pub(super) fn share(&self, id: &str) -> Result<models::NfsShare> {
        let share: models::NfsShare = self.lookup(
            "nfsShare",
            id,
            models::NfsShare::FIELDS,
            ObjectKind::NfsExport,
            "NFS export",
        )?;
        if share.filesystem.is_none() {
            return Err(not_found(
                ErrorNumber::NOT_FOUND_NFS_EXPORT,
                "NFS export",
                id,
            ));
        }
        Ok(share)
    }
}
