//! The `emc://` plugin: the SDK's traits over [`UnityClient`](crate::client::UnityClient)
//! and [`crate::mapping`].
//!
//! Stateless: every call asks the array; a session holds only the HTTPS client (its cookie
//! and CSRF token), the array's serial number (the LSM system id) and the URI's settings.
//!
//! The capabilities ([`CAPABILITIES`]) say exactly what works; everything else is
//! `NO_SUPPORT` (the SDK's default).
//!
//! - `session`: registration, the system, the NAS server of new file systems.
//! - `lookups`: the Unity object behind an LSM object, or the right `NOT_FOUND_*`.
//! - `listings`: the read-only calls.
//! - `san`: LUNs, thin clones, hosts and initiators, host access, CHAP.
//! - `nas`: file systems, snaps, NFS shares.
//! - `jobs`: LSM jobs over Unity jobs, with no state in the plugin.

mod jobs;
mod listings;
mod lookups;
mod nas;
mod san;
mod session;

use std::time::Duration;

use lsm_core::plugin::{
    Completion, ExportRequest, JobReport, Management, Nas, PluginInfo, Registration, San, Search,
};
use lsm_core::types::*;
use lsm_core::{Capabilities, Capability as C, ErrorNumber, LsmError, Result};

use session::Session;

/// How long `plugin_unregister` waits for the array to end the session.
const LOGOUT_TIMEOUT: Duration = Duration::from_secs(2);

/// The `emc://` plugin; `run_plugin(EmcPlugin::default())` is its whole `main`.
#[derive(Default)]
pub struct EmcPlugin {
    session: Option<Session>,
}

/// What this plugin does.
pub const CAPABILITIES: &[C] = &[
    C::SYS_FW_VERSION_GET,
    C::VOLUMES,
    C::VOLUME_CREATE,
    C::VOLUME_RESIZE,
    C::VOLUME_REPLICATE,
    C::VOLUME_REPLICATE_CLONE,
    C::VOLUME_DELETE,
    C::VOLUME_THIN,
    C::VOLUME_MASK,
    C::VOLUME_UNMASK,
    C::ACCESS_GROUPS,
    C::ACCESS_GROUP_CREATE_ISCSI_IQN,
    C::ACCESS_GROUP_CREATE_WWPN,
    C::ACCESS_GROUP_DELETE,
    C::ACCESS_GROUP_INITIATOR_ADD_ISCSI_IQN,
    C::ACCESS_GROUP_INITIATOR_ADD_WWPN,
    C::ACCESS_GROUP_INITIATOR_DELETE,
    C::VOLUME_ISCSI_CHAP_AUTHENTICATION,
    C::VOLUMES_ACCESSIBLE_BY_ACCESS_GROUP,
    C::ACCESS_GROUPS_GRANTED_TO_VOLUME,
    C::TARGET_PORTS,
    C::DISKS,
    C::DISK_RPM,
    C::DISK_LINK_TYPE,
    C::FS,
    C::FS_CREATE,
    C::FS_DELETE,
    C::FS_RESIZE,
    C::FS_SNAPSHOTS,
    C::FS_SNAPSHOT_CREATE,
    C::FS_SNAPSHOT_DELETE,
    C::FS_SNAPSHOT_RESTORE,
    C::EXPORT_AUTH,
    C::EXPORTS,
    C::EXPORT_FS,
    C::EXPORT_REMOVE,
    C::EXPORT_CUSTOM_PATH,
];

impl EmcPlugin {
    /// The session, for a call starting now (its deadline set).
    fn session(&mut self) -> Result<&mut Session> {
        let session = self.session.as_mut().ok_or_else(|| {
            LsmError::new(ErrorNumber::PLUGIN_BUG, "no session: plugin_register first")
        })?;
        session.client.begin_call();
        Ok(session)
    }
}

impl Management for EmcPlugin {
    fn plugin_info(&self) -> PluginInfo {
        PluginInfo {
            description: "Dell EMC Unity (Unisphere REST API) support".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }

    fn register(&mut self, registration: &Registration) -> Result<()> {
        self.session = Some(Session::open(registration)?);
        Ok(())
    }

    fn unregister(&mut self) -> Result<()> {
        if let Some(session) = self.session.take() {
            session.client.logout(LOGOUT_TIMEOUT);
        }
        Ok(())
    }

    fn set_timeout(&mut self, timeout: Duration) -> Result<()> {
        if let Some(session) = self.session.as_mut() {
            session.client.set_timeout(timeout);
        }
        Ok(())
    }

    fn capabilities(&mut self, system: &System) -> Result<Capabilities> {
        self.session()?.check_system(system)?;
        let mut capabilities = Capabilities::new();
        capabilities.set_all(CAPABILITIES);
        Ok(capabilities)
    }

    fn systems(&mut self) -> Result<Vec<System>> {
        Ok(vec![self.session()?.system()?])
    }

    fn pools(&mut self, _search: Option<&Search>) -> Result<Vec<Pool>> {
        self.session()?.pools()
    }

    fn job_status(&mut self, job_id: &str) -> Result<JobReport> {
        self.session()?.job_status(job_id)
    }

    fn job_free(&mut self, job_id: &str) -> Result<()> {
        self.session()?.job_free(job_id)
    }
}

impl San for EmcPlugin {
    fn volumes(&mut self, _search: Option<&Search>) -> Result<Vec<Volume>> {
        self.session()?.volumes()
    }

    fn disks(&mut self, _search: Option<&Search>) -> Result<Vec<Disk>> {
        self.session()?.disks()
    }

    fn access_groups(&mut self, _search: Option<&Search>) -> Result<Vec<AccessGroup>> {
        self.session()?.access_groups()
    }

    fn volumes_accessible_by_access_group(
        &mut self,
        access_group: &AccessGroup,
    ) -> Result<Vec<Volume>> {
        self.session()?.volumes_of_group(access_group)
    }

    fn access_groups_granted_to_volume(&mut self, volume: &Volume) -> Result<Vec<AccessGroup>> {
        self.session()?.groups_of_volume(volume)
    }

    fn target_ports(&mut self, _search: Option<&Search>) -> Result<Vec<TargetPort>> {
        self.session()?.target_ports()
    }

    fn volume_create(
        &mut self,
        pool: &Pool,
        volume_name: &str,
        size_bytes: i64,
        provisioning: Provisioning,
    ) -> Result<Completion<Volume>> {
        self.session()?
            .volume_create(pool, volume_name, size_bytes, provisioning)
    }

    fn volume_resize(
        &mut self,
        volume: &Volume,
        new_size_bytes: i64,
    ) -> Result<Completion<Volume>> {
        self.session()?.volume_resize(volume, new_size_bytes)
    }

    fn volume_replicate(
        &mut self,
        pool: Option<&Pool>,
        rep_type: ReplicationType,
        volume_src: &Volume,
        name: &str,
    ) -> Result<Completion<Volume>> {
        self.session()?
            .volume_replicate(pool, rep_type, volume_src, name)
    }

    fn volume_delete(&mut self, volume: &Volume) -> Result<Completion<()>> {
        self.session()?.volume_delete(volume)
    }

    fn access_group_create(
        &mut self,
        name: &str,
        init_id: &str,
        init_type: InitiatorType,
        system: &System,
    ) -> Result<AccessGroup> {
        self.session()?
            .access_group_create(name, init_id, init_type, system)
    }

    fn access_group_delete(&mut self, access_group: &AccessGroup) -> Result<()> {
        self.session()?.access_group_delete(access_group)
    }

    fn access_group_initiator_add(
        &mut self,
        access_group: &AccessGroup,
        init_id: &str,
        init_type: InitiatorType,
    ) -> Result<AccessGroup> {
        self.session()?
            .access_group_initiator_add(access_group, init_id, init_type)
    }

    fn access_group_initiator_delete(
        &mut self,
        access_group: &AccessGroup,
        init_id: &str,
        _init_type: InitiatorType,
    ) -> Result<AccessGroup> {
        self.session()?
            .access_group_initiator_delete(access_group, init_id)
    }

    fn iscsi_chap_auth(
        &mut self,
        init_id: &str,
        in_user: Option<&str>,
        in_password: Option<&str>,
        out_user: Option<&str>,
        out_password: Option<&str>,
    ) -> Result<()> {
        self.session()?
            .iscsi_chap_auth(init_id, in_user, in_password, out_user, out_password)
    }

    fn volume_mask(&mut self, access_group: &AccessGroup, volume: &Volume) -> Result<()> {
        self.session()?.volume_mask(access_group, volume)
    }

    fn volume_unmask(&mut self, access_group: &AccessGroup, volume: &Volume) -> Result<()> {
        self.session()?.volume_unmask(access_group, volume)
    }
}

impl Nas for EmcPlugin {
    fn fs(&mut self, _search: Option<&Search>) -> Result<Vec<FileSystem>> {
        self.session()?.file_systems()
    }

    fn fs_snapshots(&mut self, fs: &FileSystem) -> Result<Vec<FsSnapshot>> {
        self.session()?.fs_snapshots(fs)
    }

    fn fs_create(
        &mut self,
        pool: &Pool,
        name: &str,
        size_bytes: i64,
    ) -> Result<Completion<FileSystem>> {
        self.session()?.fs_create(pool, name, size_bytes)
    }

    fn fs_delete(&mut self, fs: &FileSystem) -> Result<Completion<()>> {
        self.session()?.fs_delete(fs)
    }

    fn fs_resize(
        &mut self,
        fs: &FileSystem,
        new_size_bytes: i64,
    ) -> Result<Completion<FileSystem>> {
        self.session()?.fs_resize(fs, new_size_bytes)
    }

    fn fs_snapshot_create(
        &mut self,
        fs: &FileSystem,
        snapshot_name: &str,
    ) -> Result<Completion<FsSnapshot>> {
        self.session()?.fs_snapshot_create(fs, snapshot_name)
    }

    fn fs_snapshot_delete(
        &mut self,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
    ) -> Result<Completion<()>> {
        self.session()?.fs_snapshot_delete(fs, snapshot)
    }

    fn fs_snapshot_restore(
        &mut self,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
        files: Option<&[String]>,
        _restore_files: Option<&[String]>,
        all_files: bool,
    ) -> Result<Completion<()>> {
        self.session()?
            .fs_snapshot_restore(fs, snapshot, files.unwrap_or(&[]), all_files)
    }

    fn export_auth(&mut self) -> Result<Vec<String>> {
        self.session()?;
        Ok(crate::mapping::AUTH_TYPES
            .iter()
            .map(|auth| auth.to_string())
            .collect())
    }

    fn exports(&mut self, _search: Option<&Search>) -> Result<Vec<NfsExport>> {
        self.session()?.exports()
    }

    fn export_fs(&mut self, request: &ExportRequest) -> Result<NfsExport> {
        self.session()?.export_fs(request)
    }

    fn export_remove(&mut self, export: &NfsExport) -> Result<()> {
        self.session()?.export_remove(export)
    }
}
