//! The read-only calls: each asks the appliance now.

use std::collections::HashMap;

use lsm_core::types::*;
use lsm_core::{ErrorNumber, Result};

use super::lookups::{FS_FIELDS, SNAPSHOT_FIELDS, VOLUME_FIELDS, not_found};
use super::session::Session;
use crate::client::api::segment;
use crate::client::models;
use crate::error::ObjectKind;
use crate::mapping;

impl Session {
    pub(super) fn pools(&self) -> Result<Vec<Pool>> {
        let pools: Vec<models::Pool> = self.client.list(
            "/storage/pools",
            &[("fields", "poolName,health")],
            ObjectKind::Pool,
        )?;
        pools
            .iter()
            .map(|pool| {
                let name = pool.pool_name.clone().unwrap_or_default();
                let root: Option<models::Space> = self.client.find(
                    &format!("/storage/filesystems/{}", segment(&name)),
                    &[("fields", "bytesAvailable,bytesUsed")],
                    ObjectKind::Pool,
                )?;
                Ok(mapping::pool_to_pool(pool, root.as_ref(), &self.system_id))
            })
            .collect()
    }

    /// The zvols with their logical units' GUIDs (one listing each).
    pub(super) fn volumes(&self) -> Result<Vec<Volume>> {
        let zvols: Vec<models::Volume> = self.client.list(
            "/storage/volumes",
            &[("fields", VOLUME_FIELDS)],
            ObjectKind::Volume,
        )?;
        let guids = self.logical_units()?;
        Ok(zvols
            .iter()
            .map(|zvol| self.as_volume(zvol, &guids))
            .collect())
    }

    /// Logical unit GUIDs by zvol path.
    pub(super) fn logical_units(&self) -> Result<HashMap<String, String>> {
        let units: Vec<models::LogicalUnit> = self.client.list(
            "/san/logicalUnits",
            &[("fields", "guid,volume")],
            ObjectKind::Volume,
        )?;
        Ok(units
            .into_iter()
            .filter_map(|unit| Some((unit.volume?, unit.guid?)))
            .collect())
    }

    pub(super) fn as_volume(
        &self,
        zvol: &models::Volume,
        guids: &HashMap<String, String>,
    ) -> Volume {
        let guid = zvol.path.as_ref().and_then(|path| guids.get(path));
        mapping::zvol_to_volume(zvol, guid.map(String::as_str), &self.system_id)
    }

    /// One zvol as an LSM volume (with its logical unit's GUID).
    pub(super) fn volume_of(&self, path: &str) -> Result<Volume> {
        let zvol = self.zvol(path)?;
        let guids = self.logical_units()?;
        Ok(self.as_volume(&zvol, &guids))
    }

    pub(super) fn disks(&self) -> Result<Vec<Disk>> {
        let disks: Vec<models::Disk> = self.client.list(
            "/inventory/disks",
            &[("fields", "logicalDevice,sizeBytes,vendor,model,serial,pool")],
            ObjectKind::Disk,
        )?;
        Ok(disks
            .iter()
            .map(|disk| mapping::disk_to_disk(disk, &self.system_id))
            .collect())
    }

    pub(super) fn access_groups(&self) -> Result<Vec<AccessGroup>> {
        Ok(self
            .host_groups()?
            .iter()
            .map(|group| mapping::host_group_to_access_group(group, &self.system_id))
            .collect())
    }

    /// The volumes an access group reaches: the zvols mapped to its host group.
    pub(super) fn volumes_of_group(&self, group: &AccessGroup) -> Result<Vec<Volume>> {
        self.host_group(&group.id)?;
        let mapped: Vec<String> = self
            .mappings(("hostGroup", &group.id))?
            .into_iter()
            .filter_map(|m| m.volume)
            .collect();
        Ok(self
            .volumes()?
            .into_iter()
            .filter(|volume| mapped.contains(&volume.id))
            .collect())
    }

    /// The access groups a volume is granted to: the host groups of its mappings.
    pub(super) fn groups_of_volume(&self, volume: &Volume) -> Result<Vec<AccessGroup>> {
        self.zvol(&volume.id)?;
        let groups: Vec<String> = self
            .mappings(("volume", &volume.id))?
            .into_iter()
            .filter_map(|m| m.host_group)
            .collect();
        Ok(self
            .access_groups()?
            .into_iter()
            .filter(|group| groups.contains(&group.id))
            .collect())
    }

    pub(super) fn target_ports(&self) -> Result<Vec<TargetPort>> {
        let targets: Vec<models::Target> = self.client.list(
            "/san/iscsi/targets",
            &[("fields", "name,state,portals")],
            ObjectKind::Other,
        )?;
        Ok(targets
            .iter()
            .flat_map(|target| mapping::target_to_ports(target, &self.system_id))
            .collect())
    }

    /// Every file system but the pools' roots.
    pub(super) fn filesystems(&self) -> Result<Vec<models::Filesystem>> {
        let all: Vec<models::Filesystem> = self.client.list(
            "/storage/filesystems",
            &[("fields", FS_FIELDS)],
            ObjectKind::FileSystem,
        )?;
        Ok(all
            .into_iter()
            .filter(|fs| fs.path.as_deref().is_some_and(|p| p.contains('/')))
            .collect())
    }

    pub(super) fn file_systems(&self) -> Result<Vec<FileSystem>> {
        Ok(self
            .filesystems()?
            .iter()
            .map(|fs| mapping::filesystem_to_fs(fs, &self.system_id))
            .collect())
    }

    pub(super) fn fs_snapshots(&self, fs: &FileSystem) -> Result<Vec<FsSnapshot>> {
        self.filesystem(&fs.id)?;
        Ok(self
            .snapshots_of(&fs.id)?
            .iter()
            .map(mapping::snapshot_to_fs_snapshot)
            .collect())
    }

    /// The snapshots of one dataset (not of its children).
    pub(super) fn snapshots_of(&self, dataset: &str) -> Result<Vec<models::Snapshot>> {
        let all: Vec<models::Snapshot> = self.client.list(
            "/storage/snapshots",
            &[
                ("parent", dataset),
                ("recursive", "false"),
                ("fields", SNAPSHOT_FIELDS),
            ],
            ObjectKind::Snapshot,
        )?;
        Ok(all
            .into_iter()
            .filter(|s| s.parent.as_deref() == Some(dataset))
            .collect())
    }

    /// Every NFS share as an LSM export, its path its file system's mount point.
    pub(super) fn exports(&self) -> Result<Vec<NfsExport>> {
        let shares: Vec<models::NfsShare> = self.client.list(
            "/nas/nfs",
            &[(
                "fields",
                "filesystem,mountPoint,securityContexts,anon,shareState",
            )],
            ObjectKind::NfsExport,
        )?;
        let mounts: HashMap<String, String> = self
            .filesystems()?
            .into_iter()
            .filter_map(|fs| Some((fs.path?, fs.mount_point?)))
            .collect();
        Ok(shares
            .iter()
            .map(|share| {
                let fs = share.filesystem.clone().unwrap_or_default();
                let mount = share
                    .mount_point
                    .clone()
                    .or_else(|| mounts.get(&fs).cloned())
                    .unwrap_or_else(|| format!("/{fs}"));
                mapping::share_to_export(share, &mount)
            })
            .collect())
    }

    /// The export of a file system, or `NOT_FOUND_NFS_EXPORT`.
    pub(super) fn export_of(&self, id: &str) -> Result<NfsExport> {
        self.exports()?
            .into_iter()
            .find(|export| export.id == id)
            .ok_or_else(|| not_found(ErrorNumber::NOT_FOUND_NFS_EXPORT, "NFS export", id))
    }
}
