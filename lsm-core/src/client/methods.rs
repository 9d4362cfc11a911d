//! One [`Client`] method per wire method, each sending that method's
//! [`params`](crate::params) struct and decoding its reply.
//!
//! The client checks, before sending, only what the reference client checks (so the plugin
//! sees the same requests from either): search keys (§4.7), initiator ids (normalised),
//! CHAP pairs, RAID member counts, `read_pct`, cache policy values, rw/ro host overlap, and a
//! positive timeout. Every other argument check is the plugin runner's (`checks.rs`).

use std::borrow::Cow;
use std::time::Duration;

use serde::de::DeserializeOwned;

use super::{Client, ConnectMode, discovery, timeout_ms};
use crate::Capabilities;
use crate::checks;
use crate::error::{ErrorNumber, LsmError, Result};
use crate::params::{self as wire, Params, Secret, search_pair};
use crate::results::{
    Completion, Job, JobReport, PoolMemberInfo, RaidCreateCap, VolumeCacheInfo, VolumeRaidInfo,
};
use crate::types::*;
use crate::validate::Listing;

/// A `(key, value)` search of a listing, checked against the listing's keys (510 otherwise).
type SearchPair<'a> = [Option<Cow<'a, str>>; 2];

fn checked_search<'a>(
    listing: Listing,
    search: Option<(&'a str, &'a str)>,
) -> Result<SearchPair<'a>> {
    if let Some((key, _)) = search {
        checks::search_key(listing, key)?;
    }
    Ok(search_pair(search))
}

fn strings(list: &[String]) -> Option<Cow<'_, [String]>> {
    Some(Cow::Borrowed(list))
}

impl Client {
    /// Send `params` as their method; the reply's result as `R`.
    pub async fn request<P: Params, R: DeserializeOwned>(&mut self, params: P) -> Result<R> {
        self.call(P::METHOD, params).await
    }

    /// A method whose result is `null`.
    async fn request_unit<P: Params>(&mut self, params: P) -> Result<()> {
        self.call::<serde::de::IgnoredAny>(P::METHOD, params)
            .await
            .map(|_| ())
    }

    /// A J+obj method: `[job|null, obj|null]`.
    async fn request_job_obj<P: Params, T: DeserializeOwned>(
        &mut self,
        params: P,
    ) -> Result<Completion<T>> {
        let (job, obj): (Option<String>, Option<T>) = self.request(params).await?;
        match (job, obj) {
            (Some(job), _) => Ok(Completion::Job(Job::new(job))),
            (None, Some(obj)) => Ok(Completion::Done(obj)),
            (None, None) => Err(LsmError::new(
                ErrorNumber::PLUGIN_BUG,
                format!("{} returned neither a job nor an object", P::METHOD),
            )),
        }
    }

    /// A J method: `job|null`.
    async fn request_job<P: Params>(&mut self, params: P) -> Result<Completion<()>> {
        let job: Option<String> = self.request(params).await?;
        Ok(match job {
            Some(job) => Completion::Job(Job::new(job)),
            None => Completion::Done(()),
        })
    }

    // ---------------------------------------------------------- management

    pub async fn job_status(&mut self, job_id: &str) -> Result<JobReport> {
        self.request(wire::JobStatus {
            job_id: job_id.into(),
            flags: 0,
        })
        .await
    }

    pub async fn job_free(&mut self, job_id: &str) -> Result<()> {
        self.request_unit(wire::JobFree {
            job_id: job_id.into(),
            flags: 0,
        })
        .await
    }

    /// `[description, version]`.
    pub async fn plugin_info(&mut self) -> Result<(String, String)> {
        self.request(wire::PluginInfo { flags: 0 }).await
    }

    /// Set the plugin's timeout, and this client's.
    pub async fn time_out_set(&mut self, timeout: Duration) -> Result<()> {
        if timeout.is_zero() {
            return Err(LsmError::new(
                ErrorNumber::INVALID_ARGUMENT,
                "timeout must be greater than 0",
            ));
        }
        self.request_unit(wire::TimeOutSet {
            ms: timeout_ms(timeout),
            flags: 0,
        })
        .await?;
        self.timeout = timeout;
        self.apply_socket_timeouts()
    }

    pub async fn time_out_get(&mut self) -> Result<Duration> {
        let ms: i64 = self.request(wire::TimeOutGet { flags: 0 }).await?;
        Ok(Duration::from_millis(ms.max(0) as u64))
    }

    pub async fn capabilities(&mut self, system: &System) -> Result<Capabilities> {
        self.request(wire::Capabilities {
            system: Cow::Borrowed(system),
            flags: 0,
        })
        .await
    }

    pub async fn systems(&mut self) -> Result<Vec<System>> {
        self.request(wire::Systems { flags: 0 }).await
    }

    /// `search`: `(key, value)`, key one of `id`, `system_id`.
    pub async fn pools(&mut self, search: Option<(&str, &str)>) -> Result<Vec<Pool>> {
        let [search_key, search_value] = checked_search(Listing::Pools, search)?;
        self.request(wire::Pools {
            search_key,
            search_value,
            flags: 0,
        })
        .await
    }

    pub async fn system_read_cache_pct_update(
        &mut self,
        system: &System,
        read_pct: i64,
    ) -> Result<()> {
        checks::read_cache_pct(read_pct)?;
        self.request_unit(wire::SystemReadCachePctUpdate {
            system: Cow::Borrowed(system),
            read_pct,
            flags: 0,
        })
        .await
    }

    /// `"description<sep>version"` of every plugin reachable the way this
    /// client was: each socket of the daemon's dir, or each installed
    /// `*_lsmplugin` in embedded mode (and in process).
    pub async fn available_plugins(&self, sep: &str) -> Result<Vec<String>> {
        match &self.mode {
            ConnectMode::Daemon(dir) => discovery::daemon_plugins(dir, sep, self.timeout).await,
            ConnectMode::Embedded(_) | ConnectMode::DebugFd(_) | ConnectMode::InProcess => {
                discovery::embedded_plugins_of(&self.places, sep, self.timeout).await
            }
        }
    }

    // ----------------------------------------------------------------- SAN

    /// `search`: key one of `id`, `system_id`, `pool_id`.
    pub async fn volumes(&mut self, search: Option<(&str, &str)>) -> Result<Vec<Volume>> {
        let [search_key, search_value] = checked_search(Listing::Volumes, search)?;
        self.request(wire::Volumes {
            search_key,
            search_value,
            flags: 0,
        })
        .await
    }

    /// `search`: key one of `id`, `system_id`.
    pub async fn disks(&mut self, search: Option<(&str, &str)>) -> Result<Vec<Disk>> {
        let [search_key, search_value] = checked_search(Listing::Disks, search)?;
        self.request(wire::Disks {
            search_key,
            search_value,
            flags: 0,
        })
        .await
    }

    pub async fn volume_create(
        &mut self,
        pool: &Pool,
        volume_name: &str,
        size_bytes: i64,
        provisioning: Provisioning,
    ) -> Result<Completion<Volume>> {
        self.request_job_obj(wire::VolumeCreate {
            pool: Cow::Borrowed(pool),
            volume_name: volume_name.into(),
            size_bytes,
            provisioning,
            flags: 0,
        })
        .await
    }

    pub async fn volume_resize(
        &mut self,
        volume: &Volume,
        new_size_bytes: i64,
    ) -> Result<Completion<Volume>> {
        self.request_job_obj(wire::VolumeResize {
            volume: Cow::Borrowed(volume),
            new_size_bytes,
            flags: 0,
        })
        .await
    }

    /// `pool`: None = the source's pool.
    pub async fn volume_replicate(
        &mut self,
        pool: Option<&Pool>,
        rep_type: ReplicationType,
        volume_src: &Volume,
        name: &str,
    ) -> Result<Completion<Volume>> {
        self.request_job_obj(wire::VolumeReplicate {
            pool: pool.map(Cow::Borrowed),
            rep_type,
            volume_src: Cow::Borrowed(volume_src),
            name: name.into(),
            flags: 0,
        })
        .await
    }

    pub async fn volume_replicate_range_block_size(&mut self, system: &System) -> Result<i64> {
        self.request(wire::VolumeReplicateRangeBlockSize {
            system: Cow::Borrowed(system),
            flags: 0,
        })
        .await
    }

    pub async fn volume_replicate_range(
        &mut self,
        rep_type: ReplicationType,
        volume_src: &Volume,
        volume_dest: &Volume,
        ranges: &[BlockRange],
    ) -> Result<Completion<()>> {
        self.request_job(wire::VolumeReplicateRange {
            rep_type,
            volume_src: Cow::Borrowed(volume_src),
            volume_dest: Cow::Borrowed(volume_dest),
            ranges: Cow::Borrowed(ranges),
            flags: 0,
        })
        .await
    }

    pub async fn volume_delete(&mut self, volume: &Volume) -> Result<Completion<()>> {
        self.request_job(wire::VolumeDelete {
            volume: Cow::Borrowed(volume),
            flags: 0,
        })
        .await
    }

    pub async fn volume_enable(&mut self, volume: &Volume) -> Result<()> {
        self.request_unit(wire::VolumeEnable {
            volume: Cow::Borrowed(volume),
            flags: 0,
        })
        .await
    }

    pub async fn volume_disable(&mut self, volume: &Volume) -> Result<()> {
        self.request_unit(wire::VolumeDisable {
            volume: Cow::Borrowed(volume),
            flags: 0,
        })
        .await
    }

    pub async fn iscsi_chap_auth(
        &mut self,
        init_id: &str,
        in_user: Option<&str>,
        in_password: Option<&str>,
        out_user: Option<&str>,
        out_password: Option<&str>,
    ) -> Result<()> {
        checks::chap(in_user, in_password, out_user, out_password)?;
        self.request_unit(wire::IscsiChapAuth {
            init_id: init_id.into(),
            in_user: in_user.map(Cow::Borrowed),
            in_password: in_password.map(Secret::from),
            out_user: out_user.map(Cow::Borrowed),
            out_password: out_password.map(Secret::from),
            flags: 0,
        })
        .await
    }

    /// `search`: key one of `id`, `system_id`.
    pub async fn access_groups(
        &mut self,
        search: Option<(&str, &str)>,
    ) -> Result<Vec<AccessGroup>> {
        let [search_key, search_value] = checked_search(Listing::AccessGroups, search)?;
        self.request(wire::AccessGroups {
            search_key,
            search_value,
            flags: 0,
        })
        .await
    }

    /// `init_type` UNKNOWN lets the id decide (iqn → ISCSI_IQN, else WWPN).
    pub async fn access_group_create(
        &mut self,
        name: &str,
        init_id: &str,
        init_type: InitiatorType,
        system: &System,
    ) -> Result<AccessGroup> {
        let (init_id, init_type) = checks::initiator(init_id, init_type)?;
        self.request(wire::AccessGroupCreate {
            name: name.into(),
            init_id: init_id.into(),
            init_type,
            system: Cow::Borrowed(system),
            flags: 0,
        })
        .await
    }

    pub async fn access_group_delete(&mut self, access_group: &AccessGroup) -> Result<()> {
        self.request_unit(wire::AccessGroupDelete {
            access_group: Cow::Borrowed(access_group),
            flags: 0,
        })
        .await
    }

    pub async fn access_group_initiator_add(
        &mut self,
        access_group: &AccessGroup,
        init_id: &str,
        init_type: InitiatorType,
    ) -> Result<AccessGroup> {
        let (init_id, init_type) = checks::initiator(init_id, init_type)?;
        self.request(wire::AccessGroupInitiatorAdd {
            access_group: Cow::Borrowed(access_group),
            init_id: init_id.into(),
            init_type,
            flags: 0,
        })
        .await
    }

    pub async fn access_group_initiator_delete(
        &mut self,
        access_group: &AccessGroup,
        init_id: &str,
        init_type: InitiatorType,
    ) -> Result<AccessGroup> {
        let (init_id, init_type) = checks::initiator(init_id, init_type)?;
        self.request(wire::AccessGroupInitiatorDelete {
            access_group: Cow::Borrowed(access_group),
            init_id: init_id.into(),
            init_type,
            flags: 0,
        })
        .await
    }

    pub async fn volume_mask(&mut self, access_group: &AccessGroup, volume: &Volume) -> Result<()> {
        self.request_unit(wire::VolumeMask {
            access_group: Cow::Borrowed(access_group),
            volume: Cow::Borrowed(volume),
            flags: 0,
        })
        .await
    }

    pub async fn volume_unmask(
        &mut self,
        access_group: &AccessGroup,
        volume: &Volume,
    ) -> Result<()> {
        self.request_unit(wire::VolumeUnmask {
            access_group: Cow::Borrowed(access_group),
            volume: Cow::Borrowed(volume),
            flags: 0,
        })
        .await
    }

    pub async fn volumes_accessible_by_access_group(
        &mut self,
        access_group: &AccessGroup,
    ) -> Result<Vec<Volume>> {
        self.request(wire::VolumesAccessibleByAccessGroup {
            access_group: Cow::Borrowed(access_group),
            flags: 0,
        })
        .await
    }

    pub async fn access_groups_granted_to_volume(
        &mut self,
        volume: &Volume,
    ) -> Result<Vec<AccessGroup>> {
        self.request(wire::AccessGroupsGrantedToVolume {
            volume: Cow::Borrowed(volume),
            flags: 0,
        })
        .await
    }

    pub async fn volume_child_dependency(&mut self, volume: &Volume) -> Result<bool> {
        self.request(wire::VolumeChildDependency {
            volume: Cow::Borrowed(volume),
            flags: 0,
        })
        .await
    }

    pub async fn volume_child_dependency_rm(&mut self, volume: &Volume) -> Result<Completion<()>> {
        self.request_job(wire::VolumeChildDependencyRm {
            volume: Cow::Borrowed(volume),
            flags: 0,
        })
        .await
    }

    /// `search`: key one of `id`, `system_id`.
    pub async fn target_ports(&mut self, search: Option<(&str, &str)>) -> Result<Vec<TargetPort>> {
        let [search_key, search_value] = checked_search(Listing::TargetPorts, search)?;
        self.request(wire::TargetPorts {
            search_key,
            search_value,
            flags: 0,
        })
        .await
    }

    pub async fn volume_raid_info(&mut self, volume: &Volume) -> Result<VolumeRaidInfo> {
        self.request(wire::VolumeRaidInfo {
            volume: Cow::Borrowed(volume),
            flags: 0,
        })
        .await
    }

    pub async fn pool_member_info(&mut self, pool: &Pool) -> Result<PoolMemberInfo> {
        self.request(wire::PoolMemberInfo {
            pool: Cow::Borrowed(pool),
            flags: 0,
        })
        .await
    }

    pub async fn volume_raid_create_cap_get(&mut self, system: &System) -> Result<RaidCreateCap> {
        self.request(wire::VolumeRaidCreateCapGet {
            system: Cow::Borrowed(system),
            flags: 0,
        })
        .await
    }

    pub async fn volume_raid_create(
        &mut self,
        name: &str,
        raid_type: RaidType,
        disks: &[Disk],
        strip_size: i64,
    ) -> Result<Volume> {
        checks::raid_disks(raid_type, disks.len())?;
        self.request(wire::VolumeRaidCreate {
            name: name.into(),
            raid_type,
            disks: Cow::Borrowed(disks),
            strip_size,
            flags: 0,
        })
        .await
    }

    pub async fn volume_ident_led_on(&mut self, volume: &Volume) -> Result<()> {
        self.request_unit(wire::VolumeIdentLedOn {
            volume: Cow::Borrowed(volume),
            flags: 0,
        })
        .await
    }

    pub async fn volume_ident_led_off(&mut self, volume: &Volume) -> Result<()> {
        self.request_unit(wire::VolumeIdentLedOff {
            volume: Cow::Borrowed(volume),
            flags: 0,
        })
        .await
    }

    /// `search`: key one of `id`, `system_id`.
    pub async fn batteries(&mut self, search: Option<(&str, &str)>) -> Result<Vec<Battery>> {
        let [search_key, search_value] = checked_search(Listing::Batteries, search)?;
        self.request(wire::Batteries {
            search_key,
            search_value,
            flags: 0,
        })
        .await
    }

    pub async fn volume_cache_info(&mut self, volume: &Volume) -> Result<VolumeCacheInfo> {
        self.request(wire::VolumeCacheInfo {
            volume: Cow::Borrowed(volume),
            flags: 0,
        })
        .await
    }

    pub async fn volume_physical_disk_cache_update(
        &mut self,
        volume: &Volume,
        pdc: PhysicalDiskCache,
    ) -> Result<()> {
        checks::pdc(pdc)?;
        self.request_unit(wire::VolumePhysicalDiskCacheUpdate {
            volume: Cow::Borrowed(volume),
            pdc,
            flags: 0,
        })
        .await
    }

    pub async fn volume_write_cache_policy_update(
        &mut self,
        volume: &Volume,
        wcp: WriteCachePolicy,
    ) -> Result<()> {
        checks::wcp(wcp)?;
        self.request_unit(wire::VolumeWriteCachePolicyUpdate {
            volume: Cow::Borrowed(volume),
            wcp,
            flags: 0,
        })
        .await
    }

    pub async fn volume_read_cache_policy_update(
        &mut self,
        volume: &Volume,
        rcp: ReadCachePolicy,
    ) -> Result<()> {
        checks::rcp(rcp)?;
        self.request_unit(wire::VolumeReadCachePolicyUpdate {
            volume: Cow::Borrowed(volume),
            rcp,
            flags: 0,
        })
        .await
    }

    // ----------------------------------------------------------------- NAS

    /// `search`: key one of `id`, `system_id`, `pool_id`.
    pub async fn fs(&mut self, search: Option<(&str, &str)>) -> Result<Vec<FileSystem>> {
        let [search_key, search_value] = checked_search(Listing::Fs, search)?;
        self.request(wire::Fs {
            search_key,
            search_value,
            flags: 0,
        })
        .await
    }

    pub async fn fs_create(
        &mut self,
        pool: &Pool,
        name: &str,
        size_bytes: i64,
    ) -> Result<Completion<FileSystem>> {
        self.request_job_obj(wire::FsCreate {
            pool: Cow::Borrowed(pool),
            name: name.into(),
            size_bytes,
            flags: 0,
        })
        .await
    }

    pub async fn fs_delete(&mut self, fs: &FileSystem) -> Result<Completion<()>> {
        self.request_job(wire::FsDelete {
            fs: Cow::Borrowed(fs),
            flags: 0,
        })
        .await
    }

    pub async fn fs_resize(
        &mut self,
        fs: &FileSystem,
        new_size_bytes: i64,
    ) -> Result<Completion<FileSystem>> {
        self.request_job_obj(wire::FsResize {
            fs: Cow::Borrowed(fs),
            new_size_bytes,
            flags: 0,
        })
        .await
    }

    pub async fn fs_clone(
        &mut self,
        src_fs: &FileSystem,
        dest_fs_name: &str,
        snapshot: Option<&FsSnapshot>,
    ) -> Result<Completion<FileSystem>> {
        self.request_job_obj(wire::FsClone {
            src_fs: Cow::Borrowed(src_fs),
            dest_fs_name: dest_fs_name.into(),
            snapshot: snapshot.map(Cow::Borrowed),
            flags: 0,
        })
        .await
    }

    pub async fn fs_file_clone(
        &mut self,
        fs: &FileSystem,
        src_file_name: &str,
        dest_file_name: &str,
        snapshot: Option<&FsSnapshot>,
    ) -> Result<Completion<()>> {
        self.request_job(wire::FsFileClone {
            fs: Cow::Borrowed(fs),
            src_file_name: src_file_name.into(),
            dest_file_name: dest_file_name.into(),
            snapshot: snapshot.map(Cow::Borrowed),
            flags: 0,
        })
        .await
    }

    pub async fn fs_child_dependency(
        &mut self,
        fs: &FileSystem,
        files: Option<&[String]>,
    ) -> Result<bool> {
        self.request(wire::FsChildDependency {
            fs: Cow::Borrowed(fs),
            files: files.map(Cow::Borrowed),
            flags: 0,
        })
        .await
    }

    pub async fn fs_child_dependency_rm(
        &mut self,
        fs: &FileSystem,
        files: Option<&[String]>,
    ) -> Result<Completion<()>> {
        self.request_job(wire::FsChildDependencyRm {
            fs: Cow::Borrowed(fs),
            files: files.map(Cow::Borrowed),
            flags: 0,
        })
        .await
    }

    pub async fn fs_snapshots(&mut self, fs: &FileSystem) -> Result<Vec<FsSnapshot>> {
        self.request(wire::FsSnapshots {
            fs: Cow::Borrowed(fs),
            flags: 0,
        })
        .await
    }

    pub async fn fs_snapshot_create(
        &mut self,
        fs: &FileSystem,
        snapshot_name: &str,
    ) -> Result<Completion<FsSnapshot>> {
        self.request_job_obj(wire::FsSnapshotCreate {
            fs: Cow::Borrowed(fs),
            snapshot_name: snapshot_name.into(),
            flags: 0,
        })
        .await
    }

    pub async fn fs_snapshot_delete(
        &mut self,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
    ) -> Result<Completion<()>> {
        self.request_job(wire::FsSnapshotDelete {
            fs: Cow::Borrowed(fs),
            snapshot: Cow::Borrowed(snapshot),
            flags: 0,
        })
        .await
    }

    pub async fn fs_snapshot_restore(
        &mut self,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
        files: Option<&[String]>,
        restore_files: Option<&[String]>,
        all_files: bool,
    ) -> Result<Completion<()>> {
        self.request_job(wire::FsSnapshotRestore {
            fs: Cow::Borrowed(fs),
            snapshot: Cow::Borrowed(snapshot),
            files: files.map(Cow::Borrowed),
            restore_files: restore_files.map(Cow::Borrowed),
            all_files: Some(all_files),
            flags: 0,
        })
        .await
    }

    pub async fn export_auth(&mut self) -> Result<Vec<String>> {
        self.request(wire::ExportAuth { flags: 0 }).await
    }

    /// `search`: key one of `id`, `fs_id`.
    pub async fn exports(&mut self, search: Option<(&str, &str)>) -> Result<Vec<NfsExport>> {
        let [search_key, search_value] = checked_search(Listing::Exports, search)?;
        self.request(wire::Exports {
            search_key,
            search_value,
            flags: 0,
        })
        .await
    }

    /// `anon_uid`/`anon_gid`: -1 = not applicable.
    #[allow(clippy::too_many_arguments)]
    pub async fn export_fs(
        &mut self,
        fs_id: &str,
        export_path: Option<&str>,
        root_list: &[String],
        rw_list: &[String],
        ro_list: &[String],
        anon_uid: i64,
        anon_gid: i64,
        auth_type: Option<&str>,
        options: Option<&str>,
    ) -> Result<NfsExport> {
        checks::export_hosts(rw_list, ro_list)?;
        self.request(wire::ExportFs {
            fs_id: fs_id.into(),
            export_path: export_path.map(Cow::Borrowed),
            root_list: strings(root_list),
            rw_list: strings(rw_list),
            ro_list: strings(ro_list),
            anon_uid: Some(anon_uid),
            anon_gid: Some(anon_gid),
            auth_type: auth_type.map(Cow::Borrowed),
            options: options.map(Cow::Borrowed),
            flags: 0,
        })
        .await
    }

    pub async fn export_remove(&mut self, export: &NfsExport) -> Result<()> {
        self.request_unit(wire::ExportRemove {
            export: Cow::Borrowed(export),
            flags: 0,
        })
        .await
    }
}
