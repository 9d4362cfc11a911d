//! The read-only calls: each asks the array for what is there now, with only the fields
//! the LSM objects need.

use lsm_core::Result;
use lsm_core::types::*;

use super::session::Session;
use crate::client::api::quoted;
use crate::client::models;
use crate::error::ObjectKind;
use crate::mapping;

impl Session {
    pub(super) fn pools(&self) -> Result<Vec<Pool>> {
        let pools: Vec<models::Pool> =
            self.client
                .list("pool", models::Pool::FIELDS, None, ObjectKind::Pool)?;
        Ok(pools
            .iter()
            .map(|p| mapping::pool_to_pool(p, &self.system_id))
            .collect())
    }

    pub(super) fn volumes(&self) -> Result<Vec<Volume>> {
        let luns: Vec<models::Lun> =
            self.client
                .list("lun", models::Lun::FIELDS, None, ObjectKind::Volume)?;
        Ok(luns
            .iter()
            .map(|l| mapping::lun_to_volume(l, &self.system_id))
            .collect())
    }

    pub(super) fn disks(&self) -> Result<Vec<Disk>> {
        let disks: Vec<models::Disk> =
            self.client
                .list("disk", models::Disk::FIELDS, None, ObjectKind::Disk)?;
        Ok(disks
            .iter()
            .map(|d| mapping::disk_to_disk(d, &self.system_id))
            .collect())
    }

    pub(super) fn hosts(&self, filter: Option<&str>) -> Result<Vec<models::Host>> {
        self.client.list(
            "host",
            models::Host::FIELDS,
            filter,
            ObjectKind::AccessGroup,
        )
    }

    pub(super) fn access_groups(&self) -> Result<Vec<AccessGroup>> {
        Ok(self
            .hosts(None)?
            .iter()
            .map(|h| mapping::host_to_access_group(h, &self.system_id))
            .collect())
    }

    /// iSCSI portals and FC ports, asked at the same time.
    pub(super) fn target_ports(&self) -> Result<Vec<TargetPort>> {
        let (portals, fc) = std::thread::scope(|scope| {
            let fc = scope.spawn(|| {
                self.client.list::<models::FcPort>(
                    "fcPort",
                    models::FcPort::FIELDS,
                    None,
                    ObjectKind::Other,
                )
            });
            let portals = self.client.list::<models::IscsiPortal>(
                "iscsiPortal",
                models::IscsiPortal::FIELDS,
                None,
                ObjectKind::Other,
            );
            let fc = fc.join().unwrap_or_else(|_| {
                Err(lsm_core::LsmError::plugin_bug("a request thread panicked"))
            });
            (portals, fc)
        });
        let mut ports: Vec<TargetPort> = portals?
            .iter()
            .map(|p| mapping::portal_to_port(p, &self.system_id))
            .collect();
        ports.extend(
            fc?.iter()
                .map(|p| mapping::fc_port_to_port(p, &self.system_id)),
        );
        Ok(ports)
    }

    /// The volumes the host `access_group` has production access to.
    pub(super) fn volumes_of_group(&self, access_group: &AccessGroup) -> Result<Vec<Volume>> {
        let host = self.host(&access_group.id)?;
        let luns: Vec<models::Lun> = self.client.list(
            "lun",
            models::Lun::FIELDS_WITH_ACCESS,
            None,
            ObjectKind::Volume,
        )?;
        Ok(luns
            .iter()
            .filter(|lun| {
                lun.host_access.iter().flatten().any(|access| {
                    access.grants_production()
                        && access.host.as_ref().map(|h| h.id.as_str()) == Some(host.id.as_str())
                })
            })
            .map(|lun| mapping::lun_to_volume(lun, &self.system_id))
            .collect())
    }

    /// The hosts with production access to `volume`.
    pub(super) fn groups_of_volume(&self, volume: &Volume) -> Result<Vec<AccessGroup>> {
        let lun = self.lun(&volume.id, "id,hostAccess")?;
        let granted: Vec<String> = lun
            .host_access
            .iter()
            .flatten()
            .filter(|a| a.grants_production())
            .filter_map(|a| a.host.as_ref().map(|h| h.id.clone()))
            .collect();
        if granted.is_empty() {
            return Ok(Vec::new());
        }
        let filter = granted
            .iter()
            .map(|id| quoted(id).map(|q| format!("id eq {q}")))
            .collect::<Result<Vec<_>>>()?
            .join(" or ");
        Ok(self
            .hosts(Some(&filter))?
            .iter()
            .map(|h| mapping::host_to_access_group(h, &self.system_id))
            .collect())
    }

    pub(super) fn file_systems(&self) -> Result<Vec<FileSystem>> {
        let list: Vec<models::Filesystem> = self.client.list(
            "filesystem",
            models::Filesystem::FIELDS,
            None,
            ObjectKind::FileSystem,
        )?;
        Ok(list
            .iter()
            .map(|f| mapping::filesystem_to_fs(f, &self.system_id))
            .collect())
    }

    pub(super) fn fs_snapshots(&self, fs: &FileSystem) -> Result<Vec<FsSnapshot>> {
        let resource = self.fs_resource(&fs.id)?;
        let filter = format!("storageResource.id eq {}", quoted(&resource)?);
        let snaps: Vec<models::Snap> = self.client.list(
            "snap",
            models::Snap::FIELDS,
            Some(&filter),
            ObjectKind::Snapshot,
        )?;
        Ok(snaps
            .iter()
            .filter(|s| s.state != Some(models::Snap::DESTROYING))
            .map(mapping::snap_to_fs_snapshot)
            .collect())
    }

    /// The NFS shares of file systems (shares of snaps are not LSM exports).
    pub(super) fn exports(&self) -> Result<Vec<NfsExport>> {
        let shares: Vec<models::NfsShare> = self.client.list(
            "nfsShare",
            models::NfsShare::FIELDS,
            None,
            ObjectKind::NfsExport,
        )?;
        Ok(shares
            .iter()
            .filter(|s| s.filesystem.is_some())
            .map(mapping::share_to_export)
            .collect())
    }
}
