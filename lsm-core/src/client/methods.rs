//! One [`Client`] method per wire method, each sending that method's
//! [`params`](crate::params) struct and decoding its reply.
//!
//! The client checks, before sending, only what the reference client checks (so the plugin
//! sees the same requests from either): initiator ids (normalised), CHAP (outbound needs
//! inbound), RAID member counts, `read_pct`, cache policy values, rw/ro host overlap, and a
//! positive timeout. Search keys (§4.7) and CHAP pairs are checked by their types: a typed
//! search holds only its listing's keys (one made from a string key is checked as it is
//! made, [`ListingSearch::from_key`]), and [`ChapCredentials`] pairs a user with its secret.
//! Every other argument check is the plugin runner's (`checks.rs`).

use std::borrow::Cow;
use std::time::Duration;

use serde::de::DeserializeOwned;

use super::{Client, ConnectMode, discovery, timeout_ms};
use crate::Capabilities;
use crate::checks;
use crate::error::{ErrorNumber, LsmError, Result};
use crate::params::{self as wire, Params, Secret};
use crate::requests::{ChapAuth, ChapCredentials, ExportRequest, SnapshotRestore};
use crate::results::{
    Completion, Job, JobReport, PluginInfo, PoolMemberInfo, RaidCreateCap, VolumeCacheInfo,
    VolumeRaidInfo,
};
use crate::search::{
    AccessGroupSearch, BatterySearch, DiskSearch, ExportSearch, FsSearch, ListingSearch,
    PoolSearch, TargetPortSearch, VolumeSearch,
};
use crate::types::*;

/// The `search_key` / `search_value` of a listing's params. A typed search holds only keys
/// of its listing, so nothing is left to check.
fn wire_search<'a, S: ListingSearch<'a>>(search: Option<S>) -> [Option<Cow<'a, str>>; 2] {
    match search {
        Some(search) => [
            Some(Cow::Borrowed(search.key())),
            Some(Cow::Borrowed(search.value())),
        ],
        None => [None, None],
    }
}

/// The user of one side of CHAP, if set.
fn user(side: Option<&ChapCredentials>) -> Option<&str> {
    side.map(|c| c.user.as_str())
}

/// The secret of one side of CHAP, if set.
fn secret(side: Option<&ChapCredentials>) -> Option<&str> {
    side.map(|c| c.password.as_str())
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

    /// The state of job `job_id`: in progress (with its percent), complete (with the object it
    /// made, if any) or failed. [`Client::wait`] polls this for you.
    pub async fn job_status(&mut self, job_id: &str) -> Result<JobReport> {
        self.request(wire::JobStatus {
            job_id: job_id.into(),
            flags: 0,
        })
        .await
    }

    /// Lets the plugin forget job `job_id` once its end has been read ([`Client::wait`] does it).
    pub async fn job_free(&mut self, job_id: &str) -> Result<()> {
        self.request_unit(wire::JobFree {
            job_id: job_id.into(),
            flags: 0,
        })
        .await
    }

    /// What the plugin says it is: its description and version.
    pub async fn plugin_info(&mut self) -> Result<PluginInfo> {
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

    /// The plugin's timeout for each call.
    pub async fn time_out_get(&mut self) -> Result<Duration> {
        let ms: i64 = self.request(wire::TimeOutGet { flags: 0 }).await?;
        Ok(Duration::from_millis(ms.max(0) as u64))
    }

    /// What the plugin can do with `system`: test it with
    /// [`Capabilities::supported`](crate::Capabilities::supported) before calling a method.
    pub async fn capabilities(&mut self, system: &System) -> Result<Capabilities> {
        self.request(wire::Capabilities {
            system: Cow::Borrowed(system),
            flags: 0,
        })
        .await
    }

    /// Every storage system the plugin manages (an array is usually one).
    pub async fn systems(&mut self) -> Result<Vec<System>> {
        self.request(wire::Systems { flags: 0 }).await
    }

    /// The pools: all of them, or those `search` picks (see [`PoolSearch`]).
    ///
    /// ```no_run
    /// # async fn run(client: &mut lsm_core::Client) -> lsm_core::Result<()> {
    /// use lsm_core::{PoolSearch, VolumeSearch};
    ///
    /// for pool in client.pools(None).await? {
    ///     let volumes = client.volumes(Some(VolumeSearch::PoolId(&pool.id))).await?;
    ///     println!("{}: {} bytes free, {} volumes", pool.name, pool.free_space, volumes.len());
    /// }
    /// let one = client.pools(Some(PoolSearch::Id("POOL_ID_00001"))).await?;
    /// # Ok(()) }
    /// ```
    pub async fn pools(&mut self, search: Option<PoolSearch<'_>>) -> Result<Vec<Pool>> {
        let [search_key, search_value] = wire_search(search);
        self.request(wire::Pools {
            search_key,
            search_value,
            flags: 0,
        })
        .await
    }

    /// Gives `read_pct` percent (0 to 100) of the system's cache to reads, the rest to writes.
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

    /// The volumes: all of them, or those `search` picks (see [`VolumeSearch`]).
    pub async fn volumes(&mut self, search: Option<VolumeSearch<'_>>) -> Result<Vec<Volume>> {
        let [search_key, search_value] = wire_search(search);
        self.request(wire::Volumes {
            search_key,
            search_value,
            flags: 0,
        })
        .await
    }

    /// The disks: all of them, or those `search` picks (see [`DiskSearch`]).
    pub async fn disks(&mut self, search: Option<DiskSearch<'_>>) -> Result<Vec<Disk>> {
        let [search_key, search_value] = wire_search(search);
        self.request(wire::Disks {
            search_key,
            search_value,
            flags: 0,
        })
        .await
    }

    /// Creates a volume (LUN) of `size_bytes` in `pool`; the plugin may round the size up. Wait
    /// for it with [`Client::wait`]:
    ///
    /// ```no_run
    /// # async fn run(client: &mut lsm_core::Client) -> lsm_core::Result<()> {
    /// use lsm_core::{PoolSearch, Provisioning};
    ///
    /// let pool = client.pools(Some(PoolSearch::Id("POOL_ID_00001"))).await?.remove(0);
    /// let started = client
    ///     .volume_create(&pool, "db-data", 10 << 30, Provisioning::DEFAULT)
    ///     .await?;
    /// let volume = client.wait(started, |percent| println!("{percent}%")).await?;
    /// println!("made {} ({})", volume.name, volume.id);
    /// # Ok(()) }
    /// ```
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

    /// Grows (or shrinks, where the array allows) `volume` to `new_size_bytes`.
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

    /// The block size, in bytes, of the ranges [`Client::volume_replicate_range`] copies.
    pub async fn volume_replicate_range_block_size(&mut self, system: &System) -> Result<i64> {
        self.request(wire::VolumeReplicateRangeBlockSize {
            system: Cow::Borrowed(system),
            flags: 0,
        })
        .await
    }

    /// Copies block ranges of `volume_src` into `volume_dest`.
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

    /// Deletes `volume` (unmask it first; a volume others depend on may need
    /// [`Client::volume_child_dependency_rm`]).
    pub async fn volume_delete(&mut self, volume: &Volume) -> Result<Completion<()>> {
        self.request_job(wire::VolumeDelete {
            volume: Cow::Borrowed(volume),
            flags: 0,
        })
        .await
    }

    /// Brings `volume` online: hosts can reach it again.
    pub async fn volume_enable(&mut self, volume: &Volume) -> Result<()> {
        self.request_unit(wire::VolumeEnable {
            volume: Cow::Borrowed(volume),
            flags: 0,
        })
        .await
    }

    /// Takes `volume` offline: hosts can no longer reach it.
    pub async fn volume_disable(&mut self, volume: &Volume) -> Result<()> {
        self.request_unit(wire::VolumeDisable {
            volume: Cow::Borrowed(volume),
            flags: 0,
        })
        .await
    }

    /// Sets the iSCSI CHAP credentials initiator `init_id` logs in with (and, for mutual CHAP,
    /// those the target answers with); [`ChapAuth::none`] turns CHAP off for it. Outbound
    /// credentials without inbound ones are `INVALID_ARGUMENT`, checked before sending.
    pub async fn iscsi_chap_auth(&mut self, init_id: &str, chap: &ChapAuth) -> Result<()> {
        let (inbound, outbound) = (chap.inbound.as_ref(), chap.outbound.as_ref());
        checks::chap(
            user(inbound),
            secret(inbound),
            user(outbound),
            secret(outbound),
        )?;
        self.request_unit(wire::IscsiChapAuth {
            init_id: init_id.into(),
            in_user: user(inbound).map(Cow::Borrowed),
            in_password: secret(inbound).map(Secret::from),
            out_user: user(outbound).map(Cow::Borrowed),
            out_password: secret(outbound).map(Secret::from),
            flags: 0,
        })
        .await
    }

    /// The access groups: all of them, or those `search` picks (see [`AccessGroupSearch`]).
    pub async fn access_groups(
        &mut self,
        search: Option<AccessGroupSearch<'_>>,
    ) -> Result<Vec<AccessGroup>> {
        let [search_key, search_value] = wire_search(search);
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

    /// Deletes `access_group` (no volume may be masked to it).
    pub async fn access_group_delete(&mut self, access_group: &AccessGroup) -> Result<()> {
        self.request_unit(wire::AccessGroupDelete {
            access_group: Cow::Borrowed(access_group),
            flags: 0,
        })
        .await
    }

    /// Adds an initiator (iSCSI name or WWPN, checked and normalised as `access_group_create`
    /// does) to `access_group`; the group as it is now.
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

    /// Removes an initiator from `access_group`; the group as it is now.
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

    /// Grants the initiators of `access_group` access to `volume`.
    pub async fn volume_mask(&mut self, access_group: &AccessGroup, volume: &Volume) -> Result<()> {
        self.request_unit(wire::VolumeMask {
            access_group: Cow::Borrowed(access_group),
            volume: Cow::Borrowed(volume),
            flags: 0,
        })
        .await
    }

    /// Withdraws the access of `access_group` to `volume`.
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

    /// The volumes masked to `access_group`.
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

    /// The access groups `volume` is masked to.
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

    /// True when other volumes (clones, snapshots) depend on `volume`.
    pub async fn volume_child_dependency(&mut self, volume: &Volume) -> Result<bool> {
        self.request(wire::VolumeChildDependency {
            volume: Cow::Borrowed(volume),
            flags: 0,
        })
        .await
    }

    /// Makes the volumes that depend on `volume` independent of it, so it can be deleted.
    pub async fn volume_child_dependency_rm(&mut self, volume: &Volume) -> Result<Completion<()>> {
        self.request_job(wire::VolumeChildDependencyRm {
            volume: Cow::Borrowed(volume),
            flags: 0,
        })
        .await
    }

    /// The target ports: all of them, or those `search` picks (see [`TargetPortSearch`]).
    pub async fn target_ports(
        &mut self,
        search: Option<TargetPortSearch<'_>>,
    ) -> Result<Vec<TargetPort>> {
        let [search_key, search_value] = wire_search(search);
        self.request(wire::TargetPorts {
            search_key,
            search_value,
            flags: 0,
        })
        .await
    }

    /// The RAID layout of `volume`: level, strip size, disk count, I/O sizes.
    pub async fn volume_raid_info(&mut self, volume: &Volume) -> Result<VolumeRaidInfo> {
        self.request(wire::VolumeRaidInfo {
            volume: Cow::Borrowed(volume),
            flags: 0,
        })
        .await
    }

    /// What `pool` is made of: its RAID level and member disks (or parent pool).
    pub async fn pool_member_info(&mut self, pool: &Pool) -> Result<PoolMemberInfo> {
        self.request(wire::PoolMemberInfo {
            pool: Cow::Borrowed(pool),
            flags: 0,
        })
        .await
    }

    /// The RAID levels and strip sizes [`Client::volume_raid_create`] takes on `system`.
    pub async fn volume_raid_create_cap_get(&mut self, system: &System) -> Result<RaidCreateCap> {
        self.request(wire::VolumeRaidCreateCapGet {
            system: Cow::Borrowed(system),
            flags: 0,
        })
        .await
    }

    /// Creates a RAID volume named `name` over `disks` (hardware RAID cards); the member
    /// count must suit `raid_type` (`INVALID_ARGUMENT` otherwise, checked before sending).
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

    /// Lights the identification LEDs of the disks under `volume`.
    pub async fn volume_ident_led_on(&mut self, volume: &Volume) -> Result<()> {
        self.request_unit(wire::VolumeIdentLedOn {
            volume: Cow::Borrowed(volume),
            flags: 0,
        })
        .await
    }

    /// Turns off the identification LEDs of the disks under `volume`.
    pub async fn volume_ident_led_off(&mut self, volume: &Volume) -> Result<()> {
        self.request_unit(wire::VolumeIdentLedOff {
            volume: Cow::Borrowed(volume),
            flags: 0,
        })
        .await
    }

    /// The batteries: all of them, or those `search` picks (see [`BatterySearch`]).
    pub async fn batteries(&mut self, search: Option<BatterySearch<'_>>) -> Result<Vec<Battery>> {
        let [search_key, search_value] = wire_search(search);
        self.request(wire::Batteries {
            search_key,
            search_value,
            flags: 0,
        })
        .await
    }

    /// The cache policies of `volume` and how its caches work now.
    pub async fn volume_cache_info(&mut self, volume: &Volume) -> Result<VolumeCacheInfo> {
        self.request(wire::VolumeCacheInfo {
            volume: Cow::Borrowed(volume),
            flags: 0,
        })
        .await
    }

    /// Enables or disables the disks' own cache for `volume`.
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

    /// Sets the write cache policy of `volume` (write back, write through, auto).
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

    /// Sets the read cache policy of `volume`.
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

    /// The file systems: all of them, or those `search` picks (see [`FsSearch`]).
    pub async fn fs(&mut self, search: Option<FsSearch<'_>>) -> Result<Vec<FileSystem>> {
        let [search_key, search_value] = wire_search(search);
        self.request(wire::Fs {
            search_key,
            search_value,
            flags: 0,
        })
        .await
    }

    /// Creates a file system named `name` of `size_bytes` in `pool`.
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

    /// Deletes `fs`.
    pub async fn fs_delete(&mut self, fs: &FileSystem) -> Result<Completion<()>> {
        self.request_job(wire::FsDelete {
            fs: Cow::Borrowed(fs),
            flags: 0,
        })
        .await
    }

    /// Resizes `fs` to `new_size_bytes`.
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

    /// Creates file system `dest_fs_name` as a writable copy of `src_fs`, or of one of its
    /// snapshots.
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

    /// Copies the file `src_file_name` of `fs` (or of one of its snapshots) to
    /// `dest_file_name`, both paths within the file system.
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

    /// True when other file systems or snapshots depend on `fs` (or on the files named).
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

    /// Removes what depends on `fs` (or on the files named), so it can be deleted.
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

    /// The snapshots of `fs`.
    pub async fn fs_snapshots(&mut self, fs: &FileSystem) -> Result<Vec<FsSnapshot>> {
        self.request(wire::FsSnapshots {
            fs: Cow::Borrowed(fs),
            flags: 0,
        })
        .await
    }

    /// Takes a snapshot of `fs` named `snapshot_name`.
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

    /// Deletes `snapshot` of `fs`.
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

    /// Restores `fs` (all of it, or the files named) from `snapshot`: see
    /// [`SnapshotRestore`].
    pub async fn fs_snapshot_restore(
        &mut self,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
        restore: &SnapshotRestore,
    ) -> Result<Completion<()>> {
        self.request_job(wire::FsSnapshotRestore {
            fs: Cow::Borrowed(fs),
            snapshot: Cow::Borrowed(snapshot),
            files: restore.files.as_deref().map(Cow::Borrowed),
            restore_files: restore.restore_files.as_deref().map(Cow::Borrowed),
            all_files: Some(restore.all_files),
            flags: 0,
        })
        .await
    }

    /// The NFS authentication types the plugin offers (`sys`, `krb5`, ...), for
    /// [`ExportRequest::auth_type`].
    pub async fn export_auth(&mut self) -> Result<Vec<String>> {
        self.request(wire::ExportAuth { flags: 0 }).await
    }

    /// The NFS exports: all of them, or those `search` picks (see [`ExportSearch`]).
    pub async fn exports(&mut self, search: Option<ExportSearch<'_>>) -> Result<Vec<NfsExport>> {
        let [search_key, search_value] = wire_search(search);
        self.request(wire::Exports {
            search_key,
            search_value,
            flags: 0,
        })
        .await
    }

    /// Exports a file system over NFS as `request` says; the export made. A host in both
    /// the read-write and the read-only list is `INVALID_ARGUMENT`, checked before sending.
    ///
    /// ```no_run
    /// # async fn run(client: &mut lsm_core::Client, fs: &lsm_core::FileSystem) -> lsm_core::Result<()> {
    /// use lsm_core::ExportRequest;
    ///
    /// let export = client
    ///     .export_fs(&ExportRequest {
    ///         rw_list: vec!["192.0.2.10".into()],
    ///         ..ExportRequest::new(&fs.id)
    ///     })
    ///     .await?;
    /// println!("exported at {}", export.export_path);
    /// # Ok(()) }
    /// ```
    pub async fn export_fs(&mut self, request: &ExportRequest) -> Result<NfsExport> {
        checks::export_hosts(&request.rw_list, &request.ro_list)?;
        self.request(wire::ExportFs {
            fs_id: request.fs_id.as_str().into(),
            export_path: request.export_path.as_deref().map(Cow::Borrowed),
            root_list: strings(&request.root_list),
            rw_list: strings(&request.rw_list),
            ro_list: strings(&request.ro_list),
            anon_uid: Some(request.anon_uid),
            anon_gid: Some(request.anon_gid),
            auth_type: request.auth_type.as_deref().map(Cow::Borrowed),
            options: request.options.as_deref().map(Cow::Borrowed),
            flags: 0,
        })
        .await
    }

    /// Removes the NFS export `export`.
    pub async fn export_remove(&mut self, export: &NfsExport) -> Result<()> {
        self.request_unit(wire::ExportRemove {
            export: Cow::Borrowed(export),
            flags: 0,
        })
        .await
    }
}
