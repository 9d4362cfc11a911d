//! The plugin interfaces: [`Plugin`] (what the runner is given: `plugin_info` and the
//! constructor of a session) and the three a registered session implements,
//! [`Management`], [`San`] and [`Nas`]. Every method of the three has a default body
//! answering `NO_SUPPORT`, except the two a plugin cannot do without
//! ([`Management::systems`], [`Management::capabilities`]). Every method is given the
//! call's context ([`Call`]) first.

use std::time::Duration;

use super::call::Call;
use super::jobs::JobTable;
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
    /// The URI the client connected with (`scheme://user@host:port/?params`).
    pub uri: Uri,
    /// Never log this.
    pub password: Option<String>,
    /// The session's timeout as registered (each call's [`Call`] carries the current one).
    pub timeout: Duration,
}

pub(crate) fn no_support<T>(method: &str) -> Result<T> {
    Err(LsmError::new(
        ErrorNumber::NO_SUPPORT,
        format!("{method} is not supported by this plugin"),
    ))
}

fn job_not_found<T>(job_id: &str) -> Result<T> {
    Err(LsmError::new(
        ErrorNumber::NOT_FOUND_JOB,
        format!("Job {job_id} not found"),
    ))
}

/// A plugin, as [`run_plugin`](super::run_plugin) is given it: what it answers before a
/// session exists, and how a session is opened.
///
/// The runner answers `plugin_info` with [`Plugin::plugin_info`], calls
/// [`Plugin::register`] at `plugin_register` and keeps the session it returns until
/// `plugin_unregister` (or the client going away), when it calls
/// [`Management::unregister`] and drops it. Every other call before registration is
/// refused by the runner, and `time_out_set` / `time_out_get` are the runner's own: the
/// timeout reaches the session in each call's [`Call`].
pub trait Plugin {
    /// The registered session: the connection to one array, implementing the three
    /// interfaces.
    type Session: Management + San + Nas;

    /// Description and version, answered even before `plugin_register`.
    fn plugin_info(&self) -> PluginInfo;

    /// `plugin_register`: connect to the array named by `registration`'s URI (log in,
    /// check it answers) within `cx`'s deadline, and return the session every later call
    /// of the connection goes to. An error is the reply; the connection stays
    /// unregistered (or keeps its earlier session).
    fn register(&self, cx: &Call, registration: &Registration) -> Result<Self::Session>;
}

/// Systems, pools, jobs and the end of the session: what every session implements.
#[allow(unused_variables)]
pub trait Management {
    /// `plugin_unregister` (or the client went away without it): the last call of the
    /// session, which is dropped afterwards. Log out of the array here, within `cx`'s
    /// deadline; the default does nothing.
    fn unregister(self, cx: &Call) -> Result<()>
    where
        Self: Sized,
    {
        Ok(())
    }

    /// `capabilities` of `system`.
    fn capabilities(&mut self, cx: &Call, system: &System) -> Result<Capabilities>;

    /// `systems`: every system of the array.
    fn systems(&mut self, cx: &Call) -> Result<Vec<System>>;

    /// `pools` (the runner filters the answer by `search`).
    fn pools(&mut self, cx: &Call, search: Option<&Search>) -> Result<Vec<Pool>> {
        no_support("pools")
    }

    /// A session whose jobs run in this process returns its table here; the
    /// default `job_status`/`job_free` then use it.
    fn job_table(&mut self) -> Option<&mut JobTable> {
        None
    }

    /// `job_status`: the job's progress, or its result once done.
    fn job_status(&mut self, cx: &Call, job_id: &str) -> Result<JobReport> {
        match self.job_table() {
            Some(table) => table.status(job_id),
            None => job_not_found(job_id),
        }
    }

    /// `job_free`: forget a job.
    fn job_free(&mut self, cx: &Call, job_id: &str) -> Result<()> {
        match self.job_table() {
            Some(table) => table.free(job_id),
            None => job_not_found(job_id),
        }
    }

    /// `system_read_cache_pct_update` (`read_pct` checked to be 0..=100).
    fn system_read_cache_pct_update(
        &mut self,
        cx: &Call,
        system: &System,
        read_pct: i64,
    ) -> Result<()> {
        no_support("system_read_cache_pct_update")
    }
}

/// Block storage: volumes, disks, access groups, masking, target ports,
/// RAID, caches, batteries.
#[allow(unused_variables)]
pub trait San {
    /// `volumes` (the runner filters the answer by `search`).
    fn volumes(&mut self, cx: &Call, search: Option<&Search>) -> Result<Vec<Volume>> {
        no_support("volumes")
    }

    /// `volumes`, one volume at a time: the runner serializes each one into
    /// the reply as it comes, so a plugin that implements this for arrays of
    /// very many volumes never holds the whole list (it may even reuse one
    /// `Volume` for every row). The default hands over what
    /// [`volumes`](Self::volumes) returns.
    fn volumes_each(
        &mut self,
        cx: &Call,
        search: Option<&Search>,
        emit: &mut dyn FnMut(&Volume) -> Result<()>,
    ) -> Result<()> {
        self.volumes(cx, search)?.iter().try_for_each(emit)
    }

    /// `disks` (the runner filters the answer by `search`).
    fn disks(&mut self, cx: &Call, search: Option<&Search>) -> Result<Vec<Disk>> {
        no_support("disks")
    }

    /// `volume_create` (name non-empty, size > 0 and provisioning known, checked).
    fn volume_create(
        &mut self,
        cx: &Call,
        pool: &Pool,
        volume_name: &str,
        size_bytes: i64,
        provisioning: Provisioning,
    ) -> Result<Completion<Volume>> {
        no_support("volume_create")
    }

    /// `volume_resize` (size > 0, checked).
    fn volume_resize(
        &mut self,
        cx: &Call,
        volume: &Volume,
        new_size_bytes: i64,
    ) -> Result<Completion<Volume>> {
        no_support("volume_resize")
    }

    /// `volume_replicate` into `pool` (`None`: the source's pool; name and type checked).
    fn volume_replicate(
        &mut self,
        cx: &Call,
        pool: Option<&Pool>,
        rep_type: ReplicationType,
        volume_src: &Volume,
        name: &str,
    ) -> Result<Completion<Volume>> {
        no_support("volume_replicate")
    }

    /// `volume_replicate_range_block_size` of `system`.
    fn volume_replicate_range_block_size(&mut self, cx: &Call, system: &System) -> Result<i64> {
        no_support("volume_replicate_range_block_size")
    }

    /// `volume_replicate_range` (type known, ranges non-empty and non-negative, checked).
    fn volume_replicate_range(
        &mut self,
        cx: &Call,
        rep_type: ReplicationType,
        volume_src: &Volume,
        volume_dest: &Volume,
        ranges: &[BlockRange],
    ) -> Result<Completion<()>> {
        no_support("volume_replicate_range")
    }

    /// `volume_delete`.
    fn volume_delete(&mut self, cx: &Call, volume: &Volume) -> Result<Completion<()>> {
        no_support("volume_delete")
    }

    /// `volume_enable`.
    fn volume_enable(&mut self, cx: &Call, volume: &Volume) -> Result<()> {
        no_support("volume_enable")
    }

    /// `volume_disable`.
    fn volume_disable(&mut self, cx: &Call, volume: &Volume) -> Result<()> {
        no_support("volume_disable")
    }

    /// `iscsi_chap_auth` for initiator `init_id` (an iSCSI name; credentials in pairs, checked).
    fn iscsi_chap_auth(
        &mut self,
        cx: &Call,
        init_id: &str,
        in_user: Option<&str>,
        in_password: Option<&str>,
        out_user: Option<&str>,
        out_password: Option<&str>,
    ) -> Result<()> {
        no_support("iscsi_chap_auth")
    }

    /// `access_groups` (the runner filters the answer by `search`).
    fn access_groups(&mut self, cx: &Call, search: Option<&Search>) -> Result<Vec<AccessGroup>> {
        no_support("access_groups")
    }

    /// `access_group_create` (name checked; the initiator id checked and normalised).
    fn access_group_create(
        &mut self,
        cx: &Call,
        name: &str,
        init_id: &str,
        init_type: InitiatorType,
        system: &System,
    ) -> Result<AccessGroup> {
        no_support("access_group_create")
    }

    /// `access_group_delete`.
    fn access_group_delete(&mut self, cx: &Call, access_group: &AccessGroup) -> Result<()> {
        no_support("access_group_delete")
    }

    /// `access_group_initiator_add` (the initiator id checked and normalised).
    fn access_group_initiator_add(
        &mut self,
        cx: &Call,
        access_group: &AccessGroup,
        init_id: &str,
        init_type: InitiatorType,
    ) -> Result<AccessGroup> {
        no_support("access_group_initiator_add")
    }

    /// `access_group_initiator_delete` (the initiator id checked and normalised).
    fn access_group_initiator_delete(
        &mut self,
        cx: &Call,
        access_group: &AccessGroup,
        init_id: &str,
        init_type: InitiatorType,
    ) -> Result<AccessGroup> {
        no_support("access_group_initiator_delete")
    }

    /// `volume_mask`: grant `access_group` access to `volume`.
    fn volume_mask(
        &mut self,
        cx: &Call,
        access_group: &AccessGroup,
        volume: &Volume,
    ) -> Result<()> {
        no_support("volume_mask")
    }

    /// `volume_unmask`: take that access away.
    fn volume_unmask(
        &mut self,
        cx: &Call,
        access_group: &AccessGroup,
        volume: &Volume,
    ) -> Result<()> {
        no_support("volume_unmask")
    }

    /// `volumes_accessible_by_access_group`.
    fn volumes_accessible_by_access_group(
        &mut self,
        cx: &Call,
        access_group: &AccessGroup,
    ) -> Result<Vec<Volume>> {
        no_support("volumes_accessible_by_access_group")
    }

    /// `access_groups_granted_to_volume`.
    fn access_groups_granted_to_volume(
        &mut self,
        cx: &Call,
        volume: &Volume,
    ) -> Result<Vec<AccessGroup>> {
        no_support("access_groups_granted_to_volume")
    }

    /// `volume_child_dependency`: whether replicas depend on `volume`.
    fn volume_child_dependency(&mut self, cx: &Call, volume: &Volume) -> Result<bool> {
        no_support("volume_child_dependency")
    }

    /// `volume_child_dependency_rm`: make `volume`'s replicas independent of it.
    fn volume_child_dependency_rm(&mut self, cx: &Call, volume: &Volume) -> Result<Completion<()>> {
        no_support("volume_child_dependency_rm")
    }

    /// `target_ports` (the runner filters the answer by `search`).
    fn target_ports(&mut self, cx: &Call, search: Option<&Search>) -> Result<Vec<TargetPort>> {
        no_support("target_ports")
    }

    /// `volume_raid_info`: `[raid_type, strip_size, disk_count, min_io_size, opt_io_size]`.
    fn volume_raid_info(&mut self, cx: &Call, volume: &Volume) -> Result<VolumeRaidInfo> {
        no_support("volume_raid_info")
    }

    /// `pool_member_info`.
    fn pool_member_info(&mut self, cx: &Call, pool: &Pool) -> Result<PoolMemberInfo> {
        no_support("pool_member_info")
    }

    /// `volume_raid_create_cap_get` of `system`.
    fn volume_raid_create_cap_get(&mut self, cx: &Call, system: &System) -> Result<RaidCreateCap> {
        no_support("volume_raid_create_cap_get")
    }

    /// `volume_raid_create` (name, member count for the RAID type and strip size checked).
    fn volume_raid_create(
        &mut self,
        cx: &Call,
        name: &str,
        raid_type: RaidType,
        disks: &[Disk],
        strip_size: i64,
    ) -> Result<Volume> {
        no_support("volume_raid_create")
    }

    /// `volume_ident_led_on`.
    fn volume_ident_led_on(&mut self, cx: &Call, volume: &Volume) -> Result<()> {
        no_support("volume_ident_led_on")
    }

    /// `volume_ident_led_off`.
    fn volume_ident_led_off(&mut self, cx: &Call, volume: &Volume) -> Result<()> {
        no_support("volume_ident_led_off")
    }

    /// `batteries` (the runner filters the answer by `search`).
    fn batteries(&mut self, cx: &Call, search: Option<&Search>) -> Result<Vec<Battery>> {
        no_support("batteries")
    }

    /// `volume_cache_info`.
    fn volume_cache_info(&mut self, cx: &Call, volume: &Volume) -> Result<VolumeCacheInfo> {
        no_support("volume_cache_info")
    }

    /// `volume_physical_disk_cache_update` (the value checked).
    fn volume_physical_disk_cache_update(
        &mut self,
        cx: &Call,
        volume: &Volume,
        pdc: PhysicalDiskCache,
    ) -> Result<()> {
        no_support("volume_physical_disk_cache_update")
    }

    /// `volume_write_cache_policy_update` (the value checked).
    fn volume_write_cache_policy_update(
        &mut self,
        cx: &Call,
        volume: &Volume,
        wcp: WriteCachePolicy,
    ) -> Result<()> {
        no_support("volume_write_cache_policy_update")
    }

    /// `volume_read_cache_policy_update` (the value checked).
    fn volume_read_cache_policy_update(
        &mut self,
        cx: &Call,
        volume: &Volume,
        rcp: ReadCachePolicy,
    ) -> Result<()> {
        no_support("volume_read_cache_policy_update")
    }
}

/// File systems, snapshots and NFS exports.
#[allow(unused_variables)]
pub trait Nas {
    /// `fs` (the runner filters the answer by `search`).
    fn fs(&mut self, cx: &Call, search: Option<&Search>) -> Result<Vec<FileSystem>> {
        no_support("fs")
    }

    /// `fs_create` (name non-empty and size > 0, checked).
    fn fs_create(
        &mut self,
        cx: &Call,
        pool: &Pool,
        name: &str,
        size_bytes: i64,
    ) -> Result<Completion<FileSystem>> {
        no_support("fs_create")
    }

    /// `fs_delete`.
    fn fs_delete(&mut self, cx: &Call, fs: &FileSystem) -> Result<Completion<()>> {
        no_support("fs_delete")
    }

    /// `fs_resize` (size > 0, checked).
    fn fs_resize(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        new_size_bytes: i64,
    ) -> Result<Completion<FileSystem>> {
        no_support("fs_resize")
    }

    /// `fs_clone`: a new file system from `src_fs` (or from its `snapshot`; name checked).
    fn fs_clone(
        &mut self,
        cx: &Call,
        src_fs: &FileSystem,
        dest_fs_name: &str,
        snapshot: Option<&FsSnapshot>,
    ) -> Result<Completion<FileSystem>> {
        no_support("fs_clone")
    }

    /// `fs_file_clone`: a file of `fs` copied to another name (names checked).
    fn fs_file_clone(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        src_file_name: &str,
        dest_file_name: &str,
        snapshot: Option<&FsSnapshot>,
    ) -> Result<Completion<()>> {
        no_support("fs_file_clone")
    }

    /// `fs_child_dependency`: whether clones or snapshots depend on `fs` (or its `files`).
    fn fs_child_dependency(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        files: Option<&[String]>,
    ) -> Result<bool> {
        no_support("fs_child_dependency")
    }

    /// `fs_child_dependency_rm`: make them independent.
    fn fs_child_dependency_rm(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        files: Option<&[String]>,
    ) -> Result<Completion<()>> {
        no_support("fs_child_dependency_rm")
    }

    /// `fs_snapshots` of `fs`.
    fn fs_snapshots(&mut self, cx: &Call, fs: &FileSystem) -> Result<Vec<FsSnapshot>> {
        no_support("fs_snapshots")
    }

    /// `fs_snapshot_create` (name non-empty, checked).
    fn fs_snapshot_create(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        snapshot_name: &str,
    ) -> Result<Completion<FsSnapshot>> {
        no_support("fs_snapshot_create")
    }

    /// `fs_snapshot_delete`.
    fn fs_snapshot_delete(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
    ) -> Result<Completion<()>> {
        no_support("fs_snapshot_delete")
    }

    /// `fs_snapshot_restore`: all of `fs`, or `files` (as `restore_files`; checked consistent).
    fn fs_snapshot_restore(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
        files: Option<&[String]>,
        restore_files: Option<&[String]>,
        all_files: bool,
    ) -> Result<Completion<()>> {
        no_support("fs_snapshot_restore")
    }

    /// `export_auth`: the NFS auth types the array offers.
    fn export_auth(&mut self, cx: &Call) -> Result<Vec<String>> {
        no_support("export_auth")
    }

    /// `exports` (the runner filters the answer by `search`).
    fn exports(&mut self, cx: &Call, search: Option<&Search>) -> Result<Vec<NfsExport>> {
        no_support("exports")
    }

    /// `export_fs` (rw and ro host lists checked not to overlap).
    fn export_fs(&mut self, cx: &Call, request: &ExportRequest) -> Result<NfsExport> {
        no_support("export_fs")
    }

    /// `export_remove`.
    fn export_remove(&mut self, cx: &Call, export: &NfsExport) -> Result<()> {
        no_support("export_remove")
    }
}
