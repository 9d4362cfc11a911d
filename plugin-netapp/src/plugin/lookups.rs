//! Finding the ONTAP object behind an LSM object, asked of the cluster on every call: the
//! right `NOT_FOUND_*` when it is not there (or not in the session's SVM), without sending
//! ONTAP an id that cannot be one of its uuids.

use lsm_core::types::*;
use lsm_core::{ErrorNumber, LsmError, Result};
use lsm_rest::Method;
use serde_json::Value;

use super::session::{LUN_CONTAINER_COMMENT, Session};
use crate::client::models;
use crate::error::ObjectKind;
use crate::mapping;

/// The fields the plugin reads of a LUN.
pub(super) const LUN_FIELDS: &str =
    "name,uuid,svm,location,os_type,serial_number,space,status,enabled,lun_maps";
/// The fields the plugin reads of a FlexVol.
pub(super) const FLEXVOL_FIELDS: &str =
    "name,uuid,svm,aggregates,size,space,guarantee,state,type,style,nas,clone,comment";
/// The fields the plugin reads of an igroup.
pub(super) const IGROUP_FIELDS: &str = "name,uuid,svm,protocol,os_type,initiators";

/// True for the 8-4-4-4-12 hex form ONTAP gives every uuid.
pub(super) fn is_uuid(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub(super) fn not_found(code: ErrorNumber, what: &str, id: &str) -> LsmError {
    LsmError::new(code, format!("{what} {id} not found"))
}

impl Session {
    /// `GET path?fields=...` of one object of the session's SVM; `None` when ONTAP has no
    /// such object (404) or it belongs to another SVM.
    fn get_in_svm<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        fields: &str,
        kind: ObjectKind,
        svm_of: impl Fn(&T) -> Option<&models::NamedRef>,
    ) -> Result<Option<T>> {
        let not_found = crate::error::not_found_code(kind);
        match self.client.get::<T>(path, &[("fields", fields)], kind) {
            Ok(object) => {
                let svm = svm_of(&object).and_then(|svm| svm.name.as_deref());
                Ok((svm.is_none() || svm == Some(self.svm.as_str())).then_some(object))
            }
            Err(error) if error.code == not_found => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// The LUN behind an LSM volume.
    pub(super) fn lun(&self, volume_id: &str) -> Result<models::Lun> {
        let missing = || not_found(ErrorNumber::NOT_FOUND_VOLUME, "Volume", volume_id);
        if !is_uuid(volume_id) {
            return Err(missing());
        }
        self.get_in_svm(
            &format!("/api/storage/luns/{volume_id}"),
            LUN_FIELDS,
            ObjectKind::Volume,
            |lun: &models::Lun| lun.svm.as_ref(),
        )?
        .ok_or_else(missing)
    }

    /// A FlexVol of the SVM by uuid, whatever it holds.
    pub(super) fn flexvol(&self, uuid: &str) -> Result<Option<models::FlexVol>> {
        if !is_uuid(uuid) {
            return Ok(None);
        }
        self.get_in_svm(
            &format!("/api/storage/volumes/{uuid}"),
            FLEXVOL_FIELDS,
            ObjectKind::FileSystem,
            |volume: &models::FlexVol| volume.svm.as_ref(),
        )
    }

    /// The FlexVol behind an LSM file system (not one holding a LUN of the plugin's).
    pub(super) fn file_system_volume(&self, fs_id: &str) -> Result<models::FlexVol> {
        self.flexvol(fs_id)?
            .filter(|volume| volume.comment.as_deref() != Some(LUN_CONTAINER_COMMENT))
            .ok_or_else(|| not_found(ErrorNumber::NOT_FOUND_FS, "File system", fs_id))
    }

    /// The igroup behind an LSM access group.
    pub(super) fn igroup(&self, group_id: &str) -> Result<models::Igroup> {
        let missing = || {
            not_found(
                ErrorNumber::NOT_FOUND_ACCESS_GROUP,
                "Access group",
                group_id,
            )
        };
        if !is_uuid(group_id) {
            return Err(missing());
        }
        self.get_in_svm(
            &format!("/api/protocols/san/igroups/{group_id}"),
            IGROUP_FIELDS,
            ObjectKind::AccessGroup,
            |igroup: &models::Igroup| igroup.svm.as_ref(),
        )?
        .ok_or_else(missing)
    }

    /// The snapshot behind an LSM file system snapshot of the FlexVol `volume_uuid`.
    pub(super) fn snapshot(
        &self,
        volume_uuid: &str,
        snapshot_id: &str,
    ) -> Result<models::Snapshot> {
        let missing = || not_found(ErrorNumber::NOT_FOUND_FS_SS, "Snapshot", snapshot_id);
        if !is_uuid(snapshot_id) {
            return Err(missing());
        }
        match self.client.get::<models::Snapshot>(
            &format!("/api/storage/volumes/{volume_uuid}/snapshots/{snapshot_id}"),
            &[("fields", "name,uuid,create_time")],
            ObjectKind::Snapshot,
        ) {
            Ok(snapshot) => Ok(snapshot),
            Err(error) if error.code == ErrorNumber::NOT_FOUND_FS_SS => Err(missing()),
            Err(error) => Err(error),
        }
    }

    /// The FlexVols of the SVM matching `filters` (ONTAP query fields), with every field the
    /// plugin reads.
    pub(super) fn flexvols_where(&self, filters: &[(&str, &str)]) -> Result<Vec<models::FlexVol>> {
        let mut query = vec![("svm.name", self.svm.as_str()), ("fields", FLEXVOL_FIELDS)];
        query.extend_from_slice(filters);
        self.client
            .list("/api/storage/volumes", &query, ObjectKind::FileSystem)
    }

    /// The LUNs of the SVM matching `filters`.
    pub(super) fn luns_where(&self, filters: &[(&str, &str)]) -> Result<Vec<models::Lun>> {
        let mut query = vec![("svm.name", self.svm.as_str()), ("fields", LUN_FIELDS)];
        query.extend_from_slice(filters);
        self.client
            .list("/api/storage/luns", &query, ObjectKind::Volume)
    }

    /// The LUN a `201 Created` named in its `Location` (`/api/storage/luns/{uuid}`), as an
    /// LSM volume in `pool_id`.
    pub(super) fn created_lun(
        &self,
        location: Option<String>,
        path: &str,
        pool_id: &str,
    ) -> Result<Volume> {
        let lun = match location
            .as_deref()
            .and_then(|location| location.rsplit('/').next())
        {
            Some(uuid) if is_uuid(uuid) => self.lun(uuid)?,
            _ => self
                .luns_where(&[("name", path)])?
                .into_iter()
                .next()
                .ok_or_else(|| {
                    LsmError::plugin_bug(format!("ONTAP made LUN {path} but does not list it"))
                })?,
        };
        Ok(mapping::lun_to_volume(&lun, &self.system_id, pool_id))
    }

    /// Delete a FlexVol and wait for it (used to undo a half-made create).
    pub(super) fn delete_flexvol_now(&self, uuid: &str) -> Result<()> {
        self.client
            .change_and_wait::<Value>(
                Method::DELETE,
                &format!("/api/storage/volumes/{uuid}"),
                None,
                ObjectKind::FileSystem,
                self.client.deadline(),
            )
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ontap_uuids_are_sent_to_ontap() {
        assert!(is_uuid("4ea7a442-86d1-11e0-ae1c-123478563412"));
        assert!(!is_uuid("lsmrs-unknown-vol-99999"));
        assert!(!is_uuid("4ea7a442-86d1-11e0-ae1c-12347856341"));
        assert!(!is_uuid("../../cluster"));
        assert!(!is_uuid(""));
    }
}
