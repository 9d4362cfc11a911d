//! The three plugin interfaces. Every method has a default body answering
//! `NO_SUPPORT`, except the few a plugin cannot do without
//! ([`Management::plugin_info`], [`Management::register`],
//! [`Management::systems`], [`Management::capabilities`]).

use std::time::Duration;

use crate::Capabilities;
use crate::error::{ErrorNumber, LsmError, Result};
use crate::requests::ExportRequest;
use crate::results::{
    Completion, JobReport, PluginInfo, PoolMemberInfo, RaidCreateCap, VolumeCacheInfo,
    VolumeRaidInfo,
};
use crate::search::Search;
use crate::types::*;
use crate::uri::Uri;

/// What `plugin_register` carries.
#[derive(Debug, Clone)]
pub struct Registration {
    pub uri: Uri,
    /// Never log this.
    pub password: Option<String>,
    pub timeout: Duration,
}

pub(crate) fn no_support<T>(method: &str) -> Result<T> {
    Err(LsmError::new(
        ErrorNumber::NO_SUPPORT,
        format!("{method} is not supported by this plugin"),
    ))
}

/// Session, systems, pools, jobs: what every plugin implements.
pub trait Management {
    /// Description and version, answered even before `plugin_register`.
    fn plugin_info(&self) -> PluginInfo;

    /// Connect to the array named by the URI. The timeout applies to every
    /// later call of the session (until `time_out_set`).
    fn register(&mut self, registration: &Registration) -> Result<()>;

    /// Last call of a session; release what `register` took.
    fn unregister(&mut self) -> Result<()> {
        Ok(())
    }

    /// `time_out_set`: the runner remembers the value and answers
    /// `time_out_get` itself; a plugin that talks to an array updates its
    /// own timeouts here.
    fn set_timeout(&mut self, _timeout: Duration) -> Result<()> {
        Ok(())
    }

    fn capabilities(&mut self, system: &System) -> Result<Capabilities>;

    fn systems(&mut self) -> Result<Vec<System>>;

    fn pools(&mut self, _search: Option<&Search>) -> Result<Vec<Pool>> {
        no_support("pools")
    }

    /// A plugin whose jobs run in this process returns its table here; the
    /// default `job_status`/`job_free` then use it.
    fn job_table(&mut self) -> Option<&mut super::JobTable> {
        None
    }

    fn job_status(&mut self, job_id: &str) -> Result<JobReport> {
        match self.job_table() {
            Some(table) => table.status(job_id),
            None => Err(LsmError::new(
                ErrorNumber::NOT_FOUND_JOB,
                format!("Job {job_id} not found"),
            )),
        }
    }

    fn job_free(&mut self, job_id: &str) -> Result<()> {
        match self.job_table() {
            Some(table) => table.free(job_id),
            None => Err(LsmError::new(
                ErrorNumber::NOT_FOUND_JOB,
                format!("Job {job_id} not found"),
            )),
        }
    }

    fn system_read_cache_pct_update(&mut self, _system: &System, _read_pct: i64) -> Result<()> {
        no_support("system_read_cache_pct_update")
    }
}

/// Block storage: volumes, disks, access groups, masking, target ports,
/// RAID, caches, batteries.
#[allow(unused_variables)]
pub trait San {
    fn volumes(&mut self, search: Option<&Search>) -> Result<Vec<Volume>> {
        no_support("volumes")
    }
    /// `volumes`, one volume at a time: the runner serializes each one into
    /// the reply as it comes, so a plugin that implements this for arrays of
    /// very many volumes never holds the whole list (it may even reuse one
    /// `Volume` for every row). The default hands over what
    /// [`volumes`](Self::volumes) returns.
    fn volumes_each(
        &mut self,
        search: Option<&Search>,
        emit: &mut dyn FnMut(&Volume) -> Result<()>,
    ) -> Result<()> {
        self.volumes(search)?.iter().try_for_each(emit)
    }
    fn disks(&mut self, search: Option<&Search>) -> Result<Vec<Disk>> {
        no_support("disks")
    }
    fn volume_create(
        &mut self,
        pool: &Pool,
        volume_name: &str,
        size_bytes: i64,
        provisioning: Provisioning,
    ) -> Result<Completion<Volume>> {
        no_support("volume_create")
    }
    fn volume_resize(
        &mut self,
        volume: &Volume,
        new_size_bytes: i64,
    ) -> Result<Completion<Volume>> {
        no_support("volume_resize")
    }
    fn volume_replicate(
        &mut self,
        pool: Option<&Pool>,
        rep_type: ReplicationType,
        volume_src: &Volume,
        name: &str,
    ) -> Result<Completion<Volume>> {
        no_support("volume_replicate")
    }
    fn volume_replicate_range_block_size(&mut self, system: &System) -> Result<i64> {
        no_support("volume_replicate_range_block_size")
    }
    fn volume_replicate_range(
        &mut self,
        rep_type: ReplicationType,
        volume_src: &Volume,
        volume_dest: &Volume,
        ranges: &[BlockRange],
    ) -> Result<Completion<()>> {
        no_support("volume_replicate_range")
    }
    fn volume_delete(&mut self, volume: &Volume) -> Result<Completion<()>> {
        no_support("volume_delete")
    }
    fn volume_enable(&mut self, volume: &Volume) -> Result<()> {
        no_support("volume_enable")
    }
    fn volume_disable(&mut self, volume: &Volume) -> Result<()> {
        no_support("volume_disable")
    }
    fn iscsi_chap_auth(
        &mut self,
        init_id: &str,
        in_user: Option<&str>,
        in_password: Option<&str>,
        out_user: Option<&str>,
        out_password: Option<&str>,
    ) -> Result<()> {
        no_support("iscsi_chap_auth")
    }
    fn access_groups(&mut self, search: Option<&Search>) -> Result<Vec<AccessGroup>> {
        no_support("access_groups")
    }
    fn access_group_create(
        &mut self,
        name: &str,
        init_id: &str,
        init_type: InitiatorType,
        system: &System,
    ) -> Result<AccessGroup> {
        no_support("access_group_create")
    }
    fn access_group_delete(&mut self, access_group: &AccessGroup) -> Result<()> {
        no_support("access_group_delete")
    }
    fn access_group_initiator_add(
        &mut self,
        access_group: &AccessGroup,
        init_id: &str,
        init_type: InitiatorType,
    ) -> Result<AccessGroup> {
        no_support("access_group_initiator_add")
    }
    fn access_group_initiator_delete(
        &mut self,
        access_group: &AccessGroup,
        init_id: &str,
        init_type: InitiatorType,
    ) -> Result<AccessGroup> {
        no_support("access_group_initiator_delete")
    }
    fn volume_mask(&mut self, access_group: &AccessGroup, volume: &Volume) -> Result<()> {
        no_support("volume_mask")
    }
    fn volume_unmask(&mut self, access_group: &AccessGroup, volume: &Volume) -> Result<()> {
        no_support("volume_unmask")
    }
    fn volumes_accessible_by_access_group(
        &mut self,
        access_group: &AccessGroup,
    ) -> Result<Vec<Volume>> {
        no_support("volumes_accessible_by_access_group")
    }
    fn access_groups_granted_to_volume(&mut self, volume: &Volume) -> Result<Vec<AccessGroup>> {
        no_support("access_groups_granted_to_volume")
    }
    fn volume_child_dependency(&mut self, volume: &Volume) -> Result<bool> {
        no_support("volume_child_dependency")
    }
    fn volume_child_dependency_rm(&mut self, volume: &Volume) -> Result<Completion<()>> {
        no_support("volume_child_dependency_rm")
    }
    fn target_ports(&mut self, search: Option<&Search>) -> Result<Vec<TargetPort>> {
        no_support("target_ports")
    }
    /// `[raid_type, strip_size, disk_count, min_io_size, opt_io_size]`.
    fn volume_raid_info(&mut self, volume: &Volume) -> Result<VolumeRaidInfo> {
        no_support("volume_raid_info")
    }
    fn pool_member_info(&mut self, pool: &Pool) -> Result<PoolMemberInfo> {
        no_support("pool_member_info")
    }
    fn volume_raid_create_cap_get(&mut self, system: &System) -> Result<RaidCreateCap> {
        no_support("volume_raid_create_cap_get")
    }
    fn volume_raid_create(
        &mut self,
        name: &str,
        raid_type: RaidType,
        disks: &[Disk],
        strip_size: i64,
    ) -> Result<Volume> {
        no_support("volume_raid_create")
    }
    fn volume_ident_led_on(&mut self, volume: &Volume) -> Result<()> {
        no_support("volume_ident_led_on")
    }
    fn volume_ident_led_off(&mut self, volume: &Volume) -> Result<()> {
        no_support("volume_ident_led_off")
    }
    fn batteries(&mut self, search: Option<&Search>) -> Result<Vec<Battery>> {
        no_support("batteries")
    }
    fn volume_cache_info(&mut self, volume: &Volume) -> Result<VolumeCacheInfo> {
        no_support("volume_cache_info")
    }
    fn volume_physical_disk_cache_update(
        &mut self,
        volume: &Volume,
        pdc: PhysicalDiskCache,
    ) -> Result<()> {
        no_support("volume_physical_disk_cache_update")
    }
    fn volume_write_cache_policy_update(
        &mut self,
        volume: &Volume,
        wcp: WriteCachePolicy,
    ) -> Result<()> {
        no_support("volume_write_cache_policy_update")
    }
    fn volume_read_cache_policy_update(
        &mut self,
        volume: &Volume,
        rcp: ReadCachePolicy,
    ) -> Result<()> {
        no_support("volume_read_cache_policy_update")
    }
}

/// File systems, snapshots and NFS exports.
#[allow(unused_variables)]
pub trait Nas {
    fn fs(&mut self, search: Option<&Search>) -> Result<Vec<FileSystem>> {
        no_support("fs")
    }
    fn fs_create(
        &mut self,
        pool: &Pool,
        name: &str,
        size_bytes: i64,
    ) -> Result<Completion<FileSystem>> {
        no_support("fs_create")
    }
    fn fs_delete(&mut self, fs: &FileSystem) -> Result<Completion<()>> {
        no_support("fs_delete")
    }
    fn fs_resize(
        &mut self,
        fs: &FileSystem,
        new_size_bytes: i64,
    ) -> Result<Completion<FileSystem>> {
        no_support("fs_resize")
    }
    fn fs_clone(
        &mut self,
        src_fs: &FileSystem,
        dest_fs_name: &str,
        snapshot: Option<&FsSnapshot>,
    ) -> Result<Completion<FileSystem>> {
        no_support("fs_clone")
    }
    fn fs_file_clone(
        &mut self,
        fs: &FileSystem,
        src_file_name: &str,
        dest_file_name: &str,
        snapshot: Option<&FsSnapshot>,
    ) -> Result<Completion<()>> {
        no_support("fs_file_clone")
    }
    fn fs_child_dependency(&mut self, fs: &FileSystem, files: Option<&[String]>) -> Result<bool> {
        no_support("fs_child_dependency")
    }
    fn fs_child_dependency_rm(
        &mut self,
        fs: &FileSystem,
        files: Option<&[String]>,
    ) -> Result<Completion<()>> {
        no_support("fs_child_dependency_rm")
    }
    fn fs_snapshots(&mut self, fs: &FileSystem) -> Result<Vec<FsSnapshot>> {
        no_support("fs_snapshots")
    }
    fn fs_snapshot_create(
        &mut self,
        fs: &FileSystem,
        snapshot_name: &str,
    ) -> Result<Completion<FsSnapshot>> {
        no_support("fs_snapshot_create")
    }
    fn fs_snapshot_delete(
        &mut self,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
    ) -> Result<Completion<()>> {
        no_support("fs_snapshot_delete")
    }
    fn fs_snapshot_restore(
        &mut self,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
        files: Option<&[String]>,
        restore_files: Option<&[String]>,
        all_files: bool,
    ) -> Result<Completion<()>> {
        no_support("fs_snapshot_restore")
    }
    fn export_auth(&mut self) -> Result<Vec<String>> {
        no_support("export_auth")
    }
    fn exports(&mut self, search: Option<&Search>) -> Result<Vec<NfsExport>> {
        no_support("exports")
    }
    fn export_fs(&mut self, request: &ExportRequest) -> Result<NfsExport> {
        no_support("export_fs")
    }
    fn export_remove(&mut self, export: &NfsExport) -> Result<()> {
        no_support("export_remove")
    }
}
