//! `linux_lsmplugin`: this host as an LSM storage array (`linux://`).
//!
//! [`LinuxPlugin`] implements the SDK's three traits by delegating to an
//! [`Array`] (the registered session: configuration, timeouts, state
//! store) whose methods live in one module per concept:
//!
//! - `system`: the system (this host) and its capabilities.
//! - `pools`: configured btrfs file systems and LVM volume groups.
//! - `volumes`: image files on btrfs, LVs on LVM; replication, enable/disable,
//!   child dependencies.
//! - `masking`: access groups as tgt targets, LUNs, CHAP, target ports, and
//!   replaying tgtd's configuration after it restarts.
//! - `fs`: btrfs subvolumes as file systems, snapshots, clones.
//! - `exports`: NFS exports through nfs-ganesha.
//! - `disks`: block devices from sysfs and their pool membership.
//! - `mapping`: ids, vpd83, times, sizes, and backend errors as LSM errors.
//!
//! The plugin is stateless: every call reads the host. What tgtd and
//! ganesha keep only in memory is also written to the state directory
//! ([`crate::state`]) under its lock, and replayed when a daemon is found
//! restarted empty. Mutations that take several steps undo the steps
//! already made when a later one fails. Every operation finishes before the
//! call returns except a full COPY of a volume, which runs as an in-process
//! job ([`lsm_core::plugin::JobTable`]).

mod disks;
mod exports;
mod fs;
pub mod mapping;
mod masking;
mod pools;
mod system;
mod volumes;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use lsm_core::plugin::{
    Completion, ExportRequest, JobTable, Management, Nas, PluginInfo, Registration, San, Search,
};
use lsm_core::types::*;
use lsm_core::{Capabilities, ErrorNumber, LsmError, PoolMemberInfo, Result};

use crate::btrfs::Btrfs;
use crate::config::{Config, IscsiConfig, NfsConfig, config_path_from_uri};
use crate::ganesha::GaneshaClient;
use crate::lvm::Lvm;
use crate::state::{ArrayState, Secrets, StateLock, StateStore};
use crate::tgt::Tgtadm;

/// The `linux://` plugin. `run_plugin(LinuxPlugin::default())` is its whole
/// `main`.
#[derive(Default)]
pub struct LinuxPlugin {
    array: Option<Array>,
    jobs: JobTable,
    running_jobs: Arc<AtomicUsize>,
}

/// A registered session: the configuration and how to reach the host's
/// tools and daemons. Cheap to clone (a job thread takes a copy).
#[derive(Debug, Clone)]
pub struct Array {
    config: Config,
    /// Timeout of each external command and lock wait.
    timeout: Duration,
    system_id: String,
    store: StateStore,
}

impl Array {
    /// Reads the configuration named by `uri` (`linux://?config=PATH`) and
    /// opens the state directory.
    pub fn open(uri: &str, timeout: Duration) -> Result<Array> {
        let path = config_path_from_uri(uri)?;
        let config = Config::load(&path)?;
        let timeout = timeout.min(config.command_timeout);
        let store = StateStore::open(&config.state_dir)?;
        Ok(Array {
            system_id: system::system_id(),
            config,
            timeout,
            store,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    fn btrfs(&self) -> Btrfs {
        Btrfs::new(self.timeout)
    }

    fn lvm(&self) -> Lvm {
        Lvm::new(&self.config.lvm, self.timeout)
    }

    fn iscsi(&self) -> Result<&IscsiConfig> {
        self.config.iscsi.as_ref().ok_or_else(|| {
            LsmError::no_support(format!(
                "iSCSI is not configured (no [iscsi] table in {})",
                self.config.source.display()
            ))
        })
    }

    fn tgt(&self) -> Result<Tgtadm> {
        Ok(Tgtadm::new(self.iscsi()?.tgtd_control_port, self.timeout))
    }

    fn nfs(&self) -> Result<&NfsConfig> {
        self.config.nfs.as_ref().ok_or_else(|| {
            LsmError::no_support(format!(
                "NFS is not configured (no [nfs] table in {})",
                self.config.source.display()
            ))
        })
    }

    fn ganesha(&self) -> Result<GaneshaClient> {
        let nfs = self.nfs()?;
        Ok(GaneshaClient::connect(
            nfs.dbus_address.as_deref(),
            &nfs.bus_name,
            self.timeout,
        )?)
    }

    /// Takes the state directory's lock (waiting up to the timeout).
    fn lock(&self) -> Result<StateLock> {
        Ok(self.store.lock(self.timeout)?)
    }

    /// Runs `change` on the persisted state under the lock and saves it if
    /// `change` modified it (also when `change` fails after modifying it:
    /// what it did to the daemons is then recorded).
    fn with_state<T>(
        &self,
        change: impl FnOnce(&Array, &mut ArrayState) -> Result<T>,
    ) -> Result<T> {
        let _lock = self.lock()?;
        let before = self.store.load()?;
        let mut state = before.clone();
        let outcome = change(self, &mut state);
        if state != before {
            self.store.save(&state)?;
        }
        outcome
    }

    /// Like [`Array::with_state`], with the secrets too.
    fn with_state_and_secrets<T>(
        &self,
        change: impl FnOnce(&Array, &mut ArrayState, &mut Secrets) -> Result<T>,
    ) -> Result<T> {
        let _lock = self.lock()?;
        let before = self.store.load()?;
        let secrets_before = self.store.load_secrets()?;
        let mut state = before.clone();
        let mut secrets = secrets_before.clone();
        let outcome = change(self, &mut state, &mut secrets);
        if secrets != secrets_before {
            self.store.save_secrets(&secrets)?;
        }
        if state != before {
            self.store.save(&state)?;
        }
        outcome
    }

    /// Reads the persisted state (under the lock, so never half-written).
    fn read_state(&self) -> Result<ArrayState> {
        let _lock = self.lock()?;
        Ok(self.store.load()?)
    }

    /// `NOT_FOUND_SYSTEM` unless `system` is this host.
    fn check_system(&self, system: &System) -> Result<()> {
        if system.id == self.system_id {
            Ok(())
        } else {
            Err(LsmError::new(
                ErrorNumber::NOT_FOUND_SYSTEM,
                format!(
                    "System {} not found (this host is {})",
                    system.id, self.system_id
                ),
            ))
        }
    }
}

impl LinuxPlugin {
    fn array(&self) -> Result<&Array> {
        self.array.as_ref().ok_or_else(|| {
            LsmError::invalid_argument("plugin_register must come before any other call")
        })
    }

    /// Runs `work` as an in-process job; the plugin waits for running jobs
    /// before it exits.
    fn spawn_job(
        &mut self,
        work: impl FnOnce(&lsm_core::plugin::JobProgress) -> lsm_core::plugin::JobOutcome
        + Send
        + 'static,
    ) -> Result<String> {
        let running = Arc::clone(&self.running_jobs);
        running.fetch_add(1, Ordering::SeqCst);
        let spawned = self.jobs.spawn(move |progress| {
            let outcome = work(progress);
            running.fetch_sub(1, Ordering::SeqCst);
            outcome
        });
        if spawned.is_err() {
            self.running_jobs.fetch_sub(1, Ordering::SeqCst);
        }
        spawned
    }

    fn wait_for_jobs(&self, limit: Duration) {
        let started = Instant::now();
        while self.running_jobs.load(Ordering::SeqCst) > 0 && started.elapsed() < limit {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Management for LinuxPlugin {
    fn plugin_info(&self) -> PluginInfo {
        PluginInfo {
            description: "lsm-rs Linux host plugin (btrfs, LVM, tgt iSCSI, nfs-ganesha NFS)"
                .to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }

    fn register(&mut self, registration: &Registration) -> Result<()> {
        self.array = Some(Array::open(
            registration.uri.as_str(),
            registration.timeout,
        )?);
        Ok(())
    }

    fn unregister(&mut self) -> Result<()> {
        // A COPY still running would be cut short by the process exit.
        self.wait_for_jobs(Duration::from_secs(3600));
        self.array = None;
        Ok(())
    }

    fn set_timeout(&mut self, timeout: Duration) -> Result<()> {
        if let Some(array) = self.array.as_mut() {
            array.timeout = timeout.min(array.config.command_timeout);
        }
        Ok(())
    }

    fn capabilities(&mut self, system: &System) -> Result<Capabilities> {
        self.array()?.capabilities(system)
    }

    fn systems(&mut self) -> Result<Vec<System>> {
        Ok(vec![self.array()?.system()])
    }

    fn pools(&mut self, search: Option<&Search>) -> Result<Vec<Pool>> {
        self.array()?.pools(search)
    }

    fn job_table(&mut self) -> Option<&mut JobTable> {
        Some(&mut self.jobs)
    }
}

impl San for LinuxPlugin {
    fn volumes(&mut self, search: Option<&Search>) -> Result<Vec<Volume>> {
        self.array()?.volumes(search)
    }

    fn disks(&mut self, _search: Option<&Search>) -> Result<Vec<Disk>> {
        self.array()?.disks()
    }

    fn pool_member_info(&mut self, pool: &Pool) -> Result<PoolMemberInfo> {
        self.array()?.pool_member_info(pool)
    }

    fn volume_create(
        &mut self,
        pool: &Pool,
        volume_name: &str,
        size_bytes: i64,
        provisioning: Provisioning,
    ) -> Result<Completion<Volume>> {
        self.array()?
            .volume_create(pool, volume_name, size_bytes, provisioning)
            .map(Completion::Done)
    }

    fn volume_resize(
        &mut self,
        volume: &Volume,
        new_size_bytes: i64,
    ) -> Result<Completion<Volume>> {
        self.array()?
            .volume_resize(volume, new_size_bytes)
            .map(Completion::Done)
    }

    fn volume_replicate(
        &mut self,
        pool: Option<&Pool>,
        rep_type: ReplicationType,
        volume_src: &Volume,
        name: &str,
    ) -> Result<Completion<Volume>> {
        let array = self.array()?.clone();
        match array.volume_replicate(pool, rep_type, volume_src, name)? {
            volumes::Replication::Done(volume) => Ok(Completion::Done(volume)),
            volumes::Replication::Copy(copy) => {
                let job = self.spawn_job(move |progress| {
                    copy.run(&array, progress)
                        .map(|volume| Some(LsmObject::Volume(volume)))
                })?;
                Ok(Completion::job(job))
            }
        }
    }

    fn volume_replicate_range_block_size(&mut self, system: &System) -> Result<i64> {
        self.array()?.check_system(system)?;
        Ok(mapping::BLOCK_SIZE)
    }

    fn volume_replicate_range(
        &mut self,
        rep_type: ReplicationType,
        volume_src: &Volume,
        volume_dest: &Volume,
        ranges: &[BlockRange],
    ) -> Result<Completion<()>> {
        self.array()?
            .volume_replicate_range(rep_type, volume_src, volume_dest, ranges)
            .map(Completion::Done)
    }

    fn volume_delete(&mut self, volume: &Volume) -> Result<Completion<()>> {
        self.array()?.volume_delete(volume).map(Completion::Done)
    }

    fn volume_enable(&mut self, volume: &Volume) -> Result<()> {
        self.array()?.volume_set_enabled(volume, true)
    }

    fn volume_disable(&mut self, volume: &Volume) -> Result<()> {
        self.array()?.volume_set_enabled(volume, false)
    }

    fn iscsi_chap_auth(
        &mut self,
        init_id: &str,
        in_user: Option<&str>,
        in_password: Option<&str>,
        out_user: Option<&str>,
        out_password: Option<&str>,
    ) -> Result<()> {
        self.array()?
            .iscsi_chap_auth(init_id, in_user, in_password, out_user, out_password)
    }

    fn access_groups(&mut self, _search: Option<&Search>) -> Result<Vec<AccessGroup>> {
        self.array()?.access_groups()
    }

    fn access_group_create(
        &mut self,
        name: &str,
        init_id: &str,
        init_type: InitiatorType,
        system: &System,
    ) -> Result<AccessGroup> {
        self.array()?
            .access_group_create(name, init_id, init_type, system)
    }

    fn access_group_delete(&mut self, access_group: &AccessGroup) -> Result<()> {
        self.array()?.access_group_delete(access_group)
    }

    fn access_group_initiator_add(
        &mut self,
        access_group: &AccessGroup,
        init_id: &str,
        init_type: InitiatorType,
    ) -> Result<AccessGroup> {
        self.array()?
            .access_group_initiator_add(access_group, init_id, init_type)
    }

    fn access_group_initiator_delete(
        &mut self,
        access_group: &AccessGroup,
        init_id: &str,
        init_type: InitiatorType,
    ) -> Result<AccessGroup> {
        self.array()?
            .access_group_initiator_delete(access_group, init_id, init_type)
    }

    fn volume_mask(&mut self, access_group: &AccessGroup, volume: &Volume) -> Result<()> {
        self.array()?.volume_mask(access_group, volume)
    }

    fn volume_unmask(&mut self, access_group: &AccessGroup, volume: &Volume) -> Result<()> {
        self.array()?.volume_unmask(access_group, volume)
    }

    fn volumes_accessible_by_access_group(
        &mut self,
        access_group: &AccessGroup,
    ) -> Result<Vec<Volume>> {
        self.array()?
            .volumes_accessible_by_access_group(access_group)
    }

    fn access_groups_granted_to_volume(&mut self, volume: &Volume) -> Result<Vec<AccessGroup>> {
        self.array()?.access_groups_granted_to_volume(volume)
    }

    fn volume_child_dependency(&mut self, volume: &Volume) -> Result<bool> {
        self.array()?.volume_child_dependency(volume)
    }

    fn volume_child_dependency_rm(&mut self, volume: &Volume) -> Result<Completion<()>> {
        self.array()?
            .volume_child_dependency_rm(volume)
            .map(Completion::Done)
    }

    fn target_ports(&mut self, _search: Option<&Search>) -> Result<Vec<TargetPort>> {
        self.array()?.target_ports()
    }
}

impl Nas for LinuxPlugin {
    fn fs(&mut self, search: Option<&Search>) -> Result<Vec<FileSystem>> {
        self.array()?.file_systems(search)
    }

    fn fs_create(
        &mut self,
        pool: &Pool,
        name: &str,
        size_bytes: i64,
    ) -> Result<Completion<FileSystem>> {
        self.array()?
            .fs_create(pool, name, size_bytes)
            .map(Completion::Done)
    }

    fn fs_delete(&mut self, fs: &FileSystem) -> Result<Completion<()>> {
        self.array()?.fs_delete(fs).map(Completion::Done)
    }

    fn fs_resize(
        &mut self,
        fs: &FileSystem,
        new_size_bytes: i64,
    ) -> Result<Completion<FileSystem>> {
        self.array()?
            .fs_resize(fs, new_size_bytes)
            .map(Completion::Done)
    }

    fn fs_clone(
        &mut self,
        src_fs: &FileSystem,
        dest_fs_name: &str,
        snapshot: Option<&FsSnapshot>,
    ) -> Result<Completion<FileSystem>> {
        self.array()?
            .fs_clone(src_fs, dest_fs_name, snapshot)
            .map(Completion::Done)
    }

    fn fs_file_clone(
        &mut self,
        fs: &FileSystem,
        src_file_name: &str,
        dest_file_name: &str,
        snapshot: Option<&FsSnapshot>,
    ) -> Result<Completion<()>> {
        self.array()?
            .fs_file_clone(fs, src_file_name, dest_file_name, snapshot)
            .map(Completion::Done)
    }

    fn fs_child_dependency(&mut self, fs: &FileSystem, files: Option<&[String]>) -> Result<bool> {
        self.array()?.fs_child_dependency(fs, files)
    }

    fn fs_child_dependency_rm(
        &mut self,
        fs: &FileSystem,
        files: Option<&[String]>,
    ) -> Result<Completion<()>> {
        self.array()?
            .fs_child_dependency_rm(fs, files)
            .map(Completion::Done)
    }

    fn fs_snapshots(&mut self, fs: &FileSystem) -> Result<Vec<FsSnapshot>> {
        self.array()?.fs_snapshots(fs)
    }

    fn fs_snapshot_create(
        &mut self,
        fs: &FileSystem,
        snapshot_name: &str,
    ) -> Result<Completion<FsSnapshot>> {
        self.array()?
            .fs_snapshot_create(fs, snapshot_name)
            .map(Completion::Done)
    }

    fn fs_snapshot_delete(
        &mut self,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
    ) -> Result<Completion<()>> {
        self.array()?
            .fs_snapshot_delete(fs, snapshot)
            .map(Completion::Done)
    }

    fn fs_snapshot_restore(
        &mut self,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
        files: Option<&[String]>,
        restore_files: Option<&[String]>,
        all_files: bool,
    ) -> Result<Completion<()>> {
        self.array()?
            .fs_snapshot_restore(fs, snapshot, files, restore_files, all_files)
            .map(Completion::Done)
    }

    fn export_auth(&mut self) -> Result<Vec<String>> {
        self.array()?.export_auth()
    }

    fn exports(&mut self, _search: Option<&Search>) -> Result<Vec<NfsExport>> {
        self.array()?.exports()
    }

    fn export_fs(&mut self, request: &ExportRequest) -> Result<NfsExport> {
        self.array()?.export_fs(request)
    }

    fn export_remove(&mut self, export: &NfsExport) -> Result<()> {
        self.array()?.export_remove(export)
    }
}

/// Whether `path` exists (without following a final symbolic link).
fn exists(path: &Path) -> bool {
    path.symlink_metadata().is_ok()
}
