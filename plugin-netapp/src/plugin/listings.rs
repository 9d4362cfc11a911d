//! The read-only calls: every listing, each asking the cluster what is there now.

use std::collections::HashMap;

use lsm_core::types::*;
use lsm_core::{ErrorNumber, LsmError, Result};

use super::session::{LUN_CONTAINER_COMMENT, Session};
use crate::client::models;
use crate::error::ObjectKind;
use crate::mapping;

impl Session {
    pub(super) fn pools(&self) -> Result<Vec<Pool>> {
        Ok(self
            .client
            .aggregates()?
            .iter()
            .map(|aggregate| mapping::aggregate_to_pool(aggregate, &self.system_id))
            .collect())
    }

    /// FlexVol uuid → the uuid of its (first) aggregate.
    fn aggregate_of_flexvols(&self) -> Result<HashMap<String, String>> {
        Ok(self
            .client
            .flexvols(&self.svm)?
            .into_iter()
            .filter_map(|volume| {
                let aggregate = volume.aggregates.first()?.uuid.clone()?;
                Some((volume.uuid?, aggregate))
            })
            .collect())
    }

    fn luns_as_volumes(&self, luns: &[models::Lun]) -> Result<Vec<Volume>> {
        let pools = self.aggregate_of_flexvols()?;
        Ok(luns
            .iter()
            .map(|lun| {
                let flexvol = lun
                    .location
                    .as_ref()
                    .and_then(|location| location.volume.as_ref())
                    .and_then(|volume| volume.uuid.as_deref())
                    .unwrap_or_default();
                let pool = pools.get(flexvol).map(String::as_str).unwrap_or_default();
                mapping::lun_to_volume(lun, &self.system_id, pool)
            })
            .collect())
    }

    pub(super) fn volumes(&self) -> Result<Vec<Volume>> {
        let luns = self.client.luns(&self.svm)?;
        self.luns_as_volumes(&luns)
    }

    pub(super) fn disks(&self) -> Result<Vec<Disk>> {
        Ok(self
            .client
            .disks()?
            .iter()
            .map(|disk| mapping::disk_to_disk(disk, &self.system_id))
            .collect())
    }

    pub(super) fn access_groups(&self) -> Result<Vec<AccessGroup>> {
        Ok(self
            .client
            .igroups(&self.svm)?
            .iter()
            .map(|igroup| mapping::igroup_to_access_group(igroup, &self.system_id))
            .collect())
    }

    /// The volumes an access group reaches: the LUNs mapped to its igroup.
    pub(super) fn volumes_of_group(&self, group: &AccessGroup) -> Result<Vec<Volume>> {
        if !self.access_groups()?.iter().any(|g| g.id == group.id) {
            return Err(not_found(
                ErrorNumber::NOT_FOUND_ACCESS_GROUP,
                "Access group",
                &group.id,
            ));
        }
        let mapped: Vec<String> = self
            .client
            .lun_maps(&self.svm)?
            .into_iter()
            .filter(|map| map.igroup.as_ref().and_then(|i| i.uuid.as_deref()) == Some(&group.id))
            .filter_map(|map| map.lun?.uuid)
            .collect();
        Ok(self
            .volumes()?
            .into_iter()
            .filter(|volume| mapped.contains(&volume.id))
            .collect())
    }

    /// The access groups that reach a volume: the igroups its LUN is mapped to.
    pub(super) fn groups_of_volume(&self, volume: &Volume) -> Result<Vec<AccessGroup>> {
        if !self.volumes()?.iter().any(|v| v.id == volume.id) {
            return Err(not_found(
                ErrorNumber::NOT_FOUND_VOLUME,
                "Volume",
                &volume.id,
            ));
        }
        let groups: Vec<String> = self
            .client
            .lun_maps(&self.svm)?
            .into_iter()
            .filter(|map| map.lun.as_ref().and_then(|l| l.uuid.as_deref()) == Some(&volume.id))
            .filter_map(|map| map.igroup?.uuid)
            .collect();
        Ok(self
            .access_groups()?
            .into_iter()
            .filter(|group| groups.contains(&group.id))
            .collect())
    }

    /// iSCSI LIFs (with the SVM's target IQN) and FC interfaces.
    pub(super) fn target_ports(&self) -> Result<Vec<TargetPort>> {
        let mut ports = Vec::new();
        if let Some(target) = self
            .client
            .iscsi_service(&self.svm)?
            .and_then(|service| service.target)
            .and_then(|target| target.name)
        {
            for lif in self.client.ip_interfaces(&self.svm, "data_iscsi")? {
                ports.push(mapping::iscsi_lif_to_target_port(
                    &lif,
                    &target,
                    &self.system_id,
                ));
            }
        }
        for fc in self.client.fc_interfaces(&self.svm)? {
            ports.push(mapping::fc_interface_to_target_port(&fc, &self.system_id));
        }
        Ok(ports)
    }

    /// The SVM's FlexVols, but those made to hold a LUN.
    pub(super) fn file_system_flexvols(&self) -> Result<Vec<models::FlexVol>> {
        Ok(self
            .client
            .flexvols(&self.svm)?
            .into_iter()
            .filter(|volume| volume.comment.as_deref() != Some(LUN_CONTAINER_COMMENT))
            .collect())
    }

    pub(super) fn file_systems(&self) -> Result<Vec<FileSystem>> {
        Ok(self
            .file_system_flexvols()?
            .iter()
            .map(|volume| mapping::flexvol_to_fs(volume, &self.system_id))
            .collect())
    }

    pub(super) fn fs_snapshots(&self, fs: &FileSystem) -> Result<Vec<FsSnapshot>> {
        self.file_system_volume(&fs.id)?;
        let snapshots: Vec<models::Snapshot> = self.client.list(
            &format!("/api/storage/volumes/{}/snapshots", fs.id),
            &[("fields", "name,uuid,create_time")],
            ObjectKind::FileSystem,
        )?;
        Ok(snapshots
            .iter()
            .map(mapping::snapshot_to_fs_snapshot)
            .collect())
    }
}

fn not_found(code: ErrorNumber, what: &str, id: &str) -> LsmError {
    LsmError::new(code, format!("{what} {id} not found"))
}
