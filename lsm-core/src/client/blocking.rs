//! [`BlockingClient`]: the [`Client`] on plain blocking socket I/O, driven by its own
//! single-threaded tokio runtime, for programs that are not async.

use std::time::Duration;

use super::{
    BlockingClientBuilder, Client, ClientBuilder, Completion, ConnectMode, Io, JobOutput,
    JobReport, builder_of,
};
use crate::Capabilities;
use crate::error::{ErrorNumber, LsmError, Result};
use crate::requests::{ChapAuth, ExportRequest, SnapshotRestore};
use crate::results::{PluginInfo, PoolMemberInfo, RaidCreateCap, VolumeCacheInfo, VolumeRaidInfo};
use crate::search::{
    AccessGroupSearch, BatterySearch, DiskSearch, ExportSearch, FsSearch, PoolSearch,
    TargetPortSearch, VolumeSearch,
};
use crate::types::*;
use crate::uri::Uri;

/// A synchronous session with one plugin. Same methods as [`Client`].
pub struct BlockingClient {
    // `inner` is declared first so it drops before the runtime.
    inner: Option<Client>,
    runtime: tokio::runtime::Runtime,
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| LsmError::new(ErrorNumber::LIB_BUG, format!("cannot start runtime: {e}")))
}

impl BlockingClient {
    /// A builder of a blocking session with the plugin of `uri` (see [`ClientBuilder`]).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use lsm_core::BlockingClient;
    ///
    /// let mut client = BlockingClient::builder("sim://")
    ///     .timeout(Duration::from_secs(10))
    ///     .embedded()
    ///     .connect()?;
    /// println!("{} systems", client.systems()?.len());
    /// client.close()?;
    /// # Ok::<(), lsm_core::LsmError>(())
    /// ```
    pub fn builder(uri: impl Into<String>) -> BlockingClientBuilder {
        ClientBuilder::new(uri)
    }

    /// See [`Client::connect`]: the connect rule, `password` and `timeout`.
    pub fn connect(uri: &str, password: Option<&str>, timeout: Duration) -> Result<Self> {
        builder_of::<BlockingClient>(uri, password, timeout).connect()
    }

    /// A session on plain blocking socket I/O: this runtime runs nothing but its calls.
    pub(crate) fn open(builder: ClientBuilder) -> Result<Self> {
        let runtime = runtime()?;
        let inner = runtime.block_on(Client::open(builder, Io::Blocking))?;
        Ok(BlockingClient {
            runtime,
            inner: Some(inner),
        })
    }

    /// See [`Client::uri`].
    pub fn uri(&self) -> Option<&Uri> {
        self.inner.as_ref().map(Client::uri)
    }

    /// See [`Client::timeout`].
    pub fn timeout(&self) -> Duration {
        self.inner
            .as_ref()
            .map_or(super::DEFAULT_TIMEOUT, Client::timeout)
    }

    /// See [`Client::plugin_pid`].
    pub fn plugin_pid(&self) -> Option<u32> {
        self.inner.as_ref().and_then(Client::plugin_pid)
    }

    /// See [`Client::mode`].
    pub fn mode(&self) -> Option<&ConnectMode> {
        self.inner.as_ref().map(Client::mode)
    }

    /// See [`Client::close`]: `plugin_unregister`, then close; an embedded
    /// plugin's exit is not waited for.
    pub fn close(mut self) -> Result<()> {
        match self.inner.take() {
            Some(client) => self.runtime.block_on(client.close()),
            None => Ok(()),
        }
    }

    /// See [`Client::wait`].
    pub fn wait<T: JobOutput>(
        &mut self,
        completion: Completion<T>,
        progress: impl FnMut(u8),
    ) -> Result<T> {
        let BlockingClient { runtime, inner } = self;
        let client = inner.as_mut().ok_or_else(|| {
            LsmError::new(ErrorNumber::TRANSPORT_COMMUNICATION, "connection is closed")
        })?;
        runtime.block_on(client.wait(completion, progress))
    }

    /// See [`Client::wait_report`].
    pub fn wait_report(&mut self, job_id: &str, progress: impl FnMut(u8)) -> Result<JobReport> {
        let BlockingClient { runtime, inner } = self;
        let client = inner.as_mut().ok_or_else(|| {
            LsmError::new(ErrorNumber::TRANSPORT_COMMUNICATION, "connection is closed")
        })?;
        runtime.block_on(client.wait_report(job_id, progress))
    }

    /// See [`Client::wait_done`].
    pub fn wait_done<T: JobOutput>(&mut self, completion: Completion<T>) -> Result<T> {
        self.wait(completion, |_| {})
    }

    /// See [`Client::available_plugins`].
    pub fn available_plugins(&mut self, sep: &str) -> Result<Vec<String>> {
        let BlockingClient { runtime, inner } = self;
        let client = inner.as_ref().ok_or_else(|| {
            LsmError::new(ErrorNumber::TRANSPORT_COMMUNICATION, "connection is closed")
        })?;
        runtime.block_on(client.available_plugins(sep))
    }

    /// See [`Client::request`]: one method's params struct, the reply's result as `R`.
    pub fn request<P: crate::params::Params, R: serde::de::DeserializeOwned>(
        &mut self,
        params: P,
    ) -> Result<R> {
        let BlockingClient { runtime, inner } = self;
        let client = inner.as_mut().ok_or_else(|| {
            LsmError::new(ErrorNumber::TRANSPORT_COMMUNICATION, "connection is closed")
        })?;
        runtime.block_on(client.request(params))
    }

    /// See [`Client::call`]: any method, raw JSON params (a `serde_json::Value` or any
    /// type that serializes to a JSON object).
    pub fn call<R: serde::de::DeserializeOwned>(
        &mut self,
        method: &str,
        params: impl serde::Serialize,
    ) -> Result<R> {
        let BlockingClient { runtime, inner } = self;
        let client = inner.as_mut().ok_or_else(|| {
            LsmError::new(ErrorNumber::TRANSPORT_COMMUNICATION, "connection is closed")
        })?;
        runtime.block_on(client.call(method, params))
    }
}

macro_rules! blocking_methods {
    ($( fn $name:ident(&mut self $(, $arg:ident : $ty:ty)*) -> $ret:ty; )*) => {
        impl BlockingClient {
            $(
                #[doc = concat!("See [`Client::", stringify!($name), "`].")]
                pub fn $name(&mut self $(, $arg: $ty)*) -> $ret {
                    let BlockingClient { runtime, inner } = self;
                    let client = inner.as_mut().ok_or_else(|| {
                        LsmError::new(ErrorNumber::TRANSPORT_COMMUNICATION, "connection is closed")
                    })?;
                    runtime.block_on(client.$name($($arg),*))
                }
            )*
        }
    };
}

blocking_methods! {
    fn job_status(&mut self, job_id: &str) -> Result<JobReport>;
    fn job_free(&mut self, job_id: &str) -> Result<()>;
    fn plugin_info(&mut self) -> Result<PluginInfo>;
    fn time_out_set(&mut self, timeout: Duration) -> Result<()>;
    fn time_out_get(&mut self) -> Result<Duration>;
    fn capabilities(&mut self, system: &System) -> Result<Capabilities>;
    fn systems(&mut self) -> Result<Vec<System>>;
    fn pools(&mut self, search: Option<PoolSearch<'_>>) -> Result<Vec<Pool>>;
    fn system_read_cache_pct_update(&mut self, system: &System, read_pct: i64) -> Result<()>;
    fn volumes(&mut self, search: Option<VolumeSearch<'_>>) -> Result<Vec<Volume>>;
    fn disks(&mut self, search: Option<DiskSearch<'_>>) -> Result<Vec<Disk>>;
    fn volume_create(&mut self, pool: &Pool, volume_name: &str, size_bytes: i64, provisioning: Provisioning) -> Result<Completion<Volume>>;
    fn volume_resize(&mut self, volume: &Volume, new_size_bytes: i64) -> Result<Completion<Volume>>;
    fn volume_replicate(&mut self, pool: Option<&Pool>, rep_type: ReplicationType, volume_src: &Volume, name: &str) -> Result<Completion<Volume>>;
    fn volume_replicate_range_block_size(&mut self, system: &System) -> Result<i64>;
    fn volume_replicate_range(&mut self, rep_type: ReplicationType, volume_src: &Volume, volume_dest: &Volume, ranges: &[BlockRange]) -> Result<Completion<()>>;
    fn volume_delete(&mut self, volume: &Volume) -> Result<Completion<()>>;
    fn volume_enable(&mut self, volume: &Volume) -> Result<()>;
    fn volume_disable(&mut self, volume: &Volume) -> Result<()>;
    fn iscsi_chap_auth(&mut self, init_id: &str, chap: &ChapAuth) -> Result<()>;
    fn access_groups(&mut self, search: Option<AccessGroupSearch<'_>>) -> Result<Vec<AccessGroup>>;
    fn access_group_create(&mut self, name: &str, init_id: &str, init_type: InitiatorType, system: &System) -> Result<AccessGroup>;
    fn access_group_delete(&mut self, access_group: &AccessGroup) -> Result<()>;
    fn access_group_initiator_add(&mut self, access_group: &AccessGroup, init_id: &str, init_type: InitiatorType) -> Result<AccessGroup>;
    fn access_group_initiator_delete(&mut self, access_group: &AccessGroup, init_id: &str, init_type: InitiatorType) -> Result<AccessGroup>;
    fn volume_mask(&mut self, access_group: &AccessGroup, volume: &Volume) -> Result<()>;
    fn volume_unmask(&mut self, access_group: &AccessGroup, volume: &Volume) -> Result<()>;
    fn volumes_accessible_by_access_group(&mut self, access_group: &AccessGroup) -> Result<Vec<Volume>>;
    fn access_groups_granted_to_volume(&mut self, volume: &Volume) -> Result<Vec<AccessGroup>>;
    fn volume_child_dependency(&mut self, volume: &Volume) -> Result<bool>;
    fn volume_child_dependency_rm(&mut self, volume: &Volume) -> Result<Completion<()>>;
    fn target_ports(&mut self, search: Option<TargetPortSearch<'_>>) -> Result<Vec<TargetPort>>;
    fn volume_raid_info(&mut self, volume: &Volume) -> Result<VolumeRaidInfo>;
    fn pool_member_info(&mut self, pool: &Pool) -> Result<PoolMemberInfo>;
    fn volume_raid_create_cap_get(&mut self, system: &System) -> Result<RaidCreateCap>;
    fn volume_raid_create(&mut self, name: &str, raid_type: RaidType, disks: &[Disk], strip_size: i64) -> Result<Volume>;
    fn volume_ident_led_on(&mut self, volume: &Volume) -> Result<()>;
    fn volume_ident_led_off(&mut self, volume: &Volume) -> Result<()>;
    fn batteries(&mut self, search: Option<BatterySearch<'_>>) -> Result<Vec<Battery>>;
    fn volume_cache_info(&mut self, volume: &Volume) -> Result<VolumeCacheInfo>;
    fn volume_physical_disk_cache_update(&mut self, volume: &Volume, pdc: PhysicalDiskCache) -> Result<()>;
    fn volume_write_cache_policy_update(&mut self, volume: &Volume, wcp: WriteCachePolicy) -> Result<()>;
    fn volume_read_cache_policy_update(&mut self, volume: &Volume, rcp: ReadCachePolicy) -> Result<()>;
    fn fs(&mut self, search: Option<FsSearch<'_>>) -> Result<Vec<FileSystem>>;
    fn fs_create(&mut self, pool: &Pool, name: &str, size_bytes: i64) -> Result<Completion<FileSystem>>;
    fn fs_delete(&mut self, fs: &FileSystem) -> Result<Completion<()>>;
    fn fs_resize(&mut self, fs: &FileSystem, new_size_bytes: i64) -> Result<Completion<FileSystem>>;
    fn fs_clone(&mut self, src_fs: &FileSystem, dest_fs_name: &str, snapshot: Option<&FsSnapshot>) -> Result<Completion<FileSystem>>;
    fn fs_file_clone(&mut self, fs: &FileSystem, src_file_name: &str, dest_file_name: &str, snapshot: Option<&FsSnapshot>) -> Result<Completion<()>>;
    fn fs_child_dependency(&mut self, fs: &FileSystem, files: Option<&[String]>) -> Result<bool>;
    fn fs_child_dependency_rm(&mut self, fs: &FileSystem, files: Option<&[String]>) -> Result<Completion<()>>;
    fn fs_snapshots(&mut self, fs: &FileSystem) -> Result<Vec<FsSnapshot>>;
    fn fs_snapshot_create(&mut self, fs: &FileSystem, snapshot_name: &str) -> Result<Completion<FsSnapshot>>;
    fn fs_snapshot_delete(&mut self, fs: &FileSystem, snapshot: &FsSnapshot) -> Result<Completion<()>>;
    fn fs_snapshot_restore(&mut self, fs: &FileSystem, snapshot: &FsSnapshot, restore: &SnapshotRestore) -> Result<Completion<()>>;
    fn export_auth(&mut self) -> Result<Vec<String>>;
    fn exports(&mut self, search: Option<ExportSearch<'_>>) -> Result<Vec<NfsExport>>;
    fn export_fs(&mut self, request: &ExportRequest) -> Result<NfsExport>;
    fn export_remove(&mut self, export: &NfsExport) -> Result<()>;
}
