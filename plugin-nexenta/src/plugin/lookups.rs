//! The NexentaStor object behind an LSM object (asked of the appliance on every call), or
//! the right `NOT_FOUND_*` error.

use lsm_core::{ErrorNumber, LsmError, Result};

use super::session::Session;
use crate::client::api::segment;
use crate::client::models;
use crate::error::ObjectKind;

pub(super) const VOLUME_FIELDS: &str =
    "path,name,parent,volumeSize,sparseVolume,volumeBlockSize,bytesUsed,originalSnapshot";
pub(super) const FS_FIELDS: &str = "path,name,parent,mountPoint,bytesAvailable,bytesUsed,referencedQuotaSize,referencedReservationSize,sharedOverNfs,originalSnapshot";
pub(super) const SNAPSHOT_FIELDS: &str = "path,name,parent,creationTime,creationTxg,clones";

/// `NOT_FOUND_<what>` naming the object.
pub(super) fn not_found(code: ErrorNumber, what: &str, id: &str) -> LsmError {
    LsmError::new(code, format!("{what} {id} not found"))
}

/// A dataset path fit to be an LSM id the plugin asks about: no empty element, no `..`.
fn check_path(path: &str, code: ErrorNumber, what: &str) -> Result<()> {
    if path.is_empty() || path.split('/').any(|part| part.is_empty() || part == "..") {
        return Err(not_found(code, what, path));
    }
    Ok(())
}

impl Session {
    /// The zvol whose path is `id`.
    pub(super) fn zvol(&self, id: &str) -> Result<models::Volume> {
        check_path(id, ErrorNumber::NOT_FOUND_VOLUME, "Volume")?;
        self.client
            .find(
                &format!("/storage/volumes/{}", segment(id)),
                &[("fields", VOLUME_FIELDS)],
                ObjectKind::Volume,
            )?
            .ok_or_else(|| not_found(ErrorNumber::NOT_FOUND_VOLUME, "Volume", id))
    }

    /// The file system whose path is `id` (not a pool's root).
    pub(super) fn filesystem(&self, id: &str) -> Result<models::Filesystem> {
        check_path(id, ErrorNumber::NOT_FOUND_FS, "File system")?;
        if !id.contains('/') {
            return Err(not_found(ErrorNumber::NOT_FOUND_FS, "File system", id));
        }
        self.client
            .find(
                &format!("/storage/filesystems/{}", segment(id)),
                &[("fields", FS_FIELDS)],
                ObjectKind::FileSystem,
            )?
            .ok_or_else(|| not_found(ErrorNumber::NOT_FOUND_FS, "File system", id))
    }

    /// The snapshot whose path is `id` (`dataset@name`).
    pub(super) fn snapshot(&self, id: &str) -> Result<models::Snapshot> {
        let Some((dataset, name)) = id.split_once('@') else {
            return Err(not_found(ErrorNumber::NOT_FOUND_FS_SS, "Snapshot", id));
        };
        check_path(dataset, ErrorNumber::NOT_FOUND_FS_SS, "Snapshot")?;
        if name.is_empty() {
            return Err(not_found(ErrorNumber::NOT_FOUND_FS_SS, "Snapshot", id));
        }
        self.client
            .find(
                &format!("/storage/snapshots/{}", segment(id)),
                &[("fields", SNAPSHOT_FIELDS)],
                ObjectKind::Snapshot,
            )?
            .ok_or_else(|| not_found(ErrorNumber::NOT_FOUND_FS_SS, "Snapshot", id))
    }

    /// The host group named `name`.
    pub(super) fn host_group(&self, name: &str) -> Result<models::HostGroup> {
        self.client
            .list::<models::HostGroup>(
                "/san/hostgroups",
                &[("name", name), ("fields", "name,members")],
                ObjectKind::AccessGroup,
            )?
            .into_iter()
            .find(|group| group.name.as_deref() == Some(name))
            .ok_or_else(|| not_found(ErrorNumber::NOT_FOUND_ACCESS_GROUP, "Access group", name))
    }

    /// Every host group.
    pub(super) fn host_groups(&self) -> Result<Vec<models::HostGroup>> {
        self.client.list(
            "/san/hostgroups",
            &[("fields", "name,members")],
            ObjectKind::AccessGroup,
        )
    }

    /// The LUN mappings matching `filter` (`volume=` or `hostGroup=`).
    pub(super) fn mappings(&self, filter: (&str, &str)) -> Result<Vec<models::LunMapping>> {
        let (key, value) = filter;
        Ok(self
            .client
            .list::<models::LunMapping>(
                "/san/lunMappings",
                &[
                    (key, value),
                    ("fields", "id,volume,hostGroup,targetGroup,lun"),
                ],
                ObjectKind::Volume,
            )?
            .into_iter()
            .filter(|m| {
                let field = if key == "volume" {
                    &m.volume
                } else {
                    &m.host_group
                };
                field.as_deref() == Some(value)
            })
            .collect())
    }
}
