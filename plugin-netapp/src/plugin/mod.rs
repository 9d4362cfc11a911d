//! The `ontap://` plugin: the SDK's traits over [`OntapClient`] and [`crate::mapping`].
//!
//! Stateless: every call asks the cluster; a session holds only the HTTPS client, the SVM
//! it works in and the cluster's uuid (the LSM system id).
//!
//! The capabilities ([`CAPABILITIES`]) say exactly what works; everything else is
//! `NO_SUPPORT` (the SDK's default).
//!
//! - `session`: registration (URI, SVM choice).
//! - `lookups`: the ONTAP object behind an LSM object, or the right `NOT_FOUND_*`.
//! - `listings`: the read-only calls.
//! - `san`: LUNs (each in a container FlexVol of its own), igroups, LUN maps.
//! - `chap`: iSCSI CHAP per initiator (ONTAP's iSCSI credentials).
//! - `nas`: FlexVols, FlexClones, snapshots, NFS exports.
//! - `jobs`: LSM jobs over ONTAP jobs, with no state in the plugin.

mod chap;
mod jobs;
mod listings;
mod lookups;
mod nas;
mod san;
mod session;

use lsm_core::plugin::{
    Call, Completion, ExportRequest, JobReport, Management, Nas, Plugin, PluginInfo, Registration,
    San, Search,
};
use lsm_core::types::*;
use lsm_core::{Capabilities, Capability as C, Result};

use session::Session;

/// The `ontap://` plugin; `run_plugin(OntapPlugin)` is its whole `main`.
#[derive(Debug, Default, Clone, Copy)]
pub struct OntapPlugin;

/// A registered session, as the SDK sees it: each call starts the client's deadline from the
/// call's context, then goes to [`Session`].
pub struct OntapSession {
    session: Session,
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
    C::VOLUME_ENABLE,
    C::VOLUME_DISABLE,
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
    C::FS,
    C::FS_CREATE,
    C::FS_DELETE,
    C::FS_RESIZE,
    C::FS_CLONE,
    C::FS_CHILD_DEPENDENCY,
    C::FS_CHILD_DEPENDENCY_RM,
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

impl OntapSession {
    /// The session, for the call `cx` (its timeout and deadline set on the client).
    fn session(&mut self, cx: &Call) -> Result<&mut Session> {
        let session = &mut self.session;
        session.client.set_timeout(cx.timeout());
        session.client.begin_call(cx);
        Ok(session)
    }
}

impl Plugin for OntapPlugin {
    type Session = OntapSession;

    fn plugin_info(&self) -> PluginInfo {
        PluginInfo {
            description: "NetApp ONTAP (REST API) support".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }

    fn register(&self, _cx: &Call, registration: &Registration) -> Result<OntapSession> {
        Ok(OntapSession {
            session: Session::open(registration)?,
        })
    }
}

impl Management for OntapSession {
    fn capabilities(&mut self, cx: &Call, system: &System) -> Result<Capabilities> {
        self.session(cx)?.check_system(system)?;
        let mut capabilities = Capabilities::new();
        capabilities.set_all(CAPABILITIES);
        Ok(capabilities)
    }

    fn systems(&mut self, cx: &Call) -> Result<Vec<System>> {
        Ok(vec![self.session(cx)?.system()?])
    }

    fn pools(&mut self, cx: &Call, _search: Option<&Search>) -> Result<Vec<Pool>> {
        self.session(cx)?.pools()
    }

    fn job_status(&mut self, cx: &Call, job_id: &str) -> Result<JobReport> {
        self.session(cx)?.job_status(job_id)
    }

    fn job_free(&mut self, cx: &Call, job_id: &str) -> Result<()> {
        self.session(cx)?.job_free(job_id)
    }
}

impl San for OntapSession {
    fn volumes(&mut self, cx: &Call, _search: Option<&Search>) -> Result<Vec<Volume>> {
        self.session(cx)?.volumes()
    }

    fn disks(&mut self, cx: &Call, _search: Option<&Search>) -> Result<Vec<Disk>> {
        self.session(cx)?.disks()
    }

    fn access_groups(&mut self, cx: &Call, _search: Option<&Search>) -> Result<Vec<AccessGroup>> {
        self.session(cx)?.access_groups()
    }

    fn volumes_accessible_by_access_group(
        &mut self,
        cx: &Call,
        access_group: &AccessGroup,
    ) -> Result<Vec<Volume>> {
        self.session(cx)?.volumes_of_group(access_group)
    }

    fn access_groups_granted_to_volume(
        &mut self,
        cx: &Call,
        volume: &Volume,
    ) -> Result<Vec<AccessGroup>> {
        self.session(cx)?.groups_of_volume(volume)
    }

    fn target_ports(&mut self, cx: &Call, _search: Option<&Search>) -> Result<Vec<TargetPort>> {
        self.session(cx)?.target_ports()
    }

    fn volume_create(
        &mut self,
        cx: &Call,
        pool: &Pool,
        volume_name: &str,
        size_bytes: i64,
        provisioning: Provisioning,
    ) -> Result<Completion<Volume>> {
        self.session(cx)?
            .volume_create(pool, volume_name, size_bytes, provisioning)
    }

    fn volume_resize(
        &mut self,
        cx: &Call,
        volume: &Volume,
        new_size_bytes: i64,
    ) -> Result<Completion<Volume>> {
        self.session(cx)?.volume_resize(volume, new_size_bytes)
    }

    fn volume_replicate(
        &mut self,
        cx: &Call,
        pool: Option<&Pool>,
        rep_type: ReplicationType,
        volume_src: &Volume,
        name: &str,
    ) -> Result<Completion<Volume>> {
        self.session(cx)?
            .volume_replicate(pool, rep_type, volume_src, name)
    }

    fn volume_delete(&mut self, cx: &Call, volume: &Volume) -> Result<Completion<()>> {
        self.session(cx)?.volume_delete(volume)
    }

    fn volume_enable(&mut self, cx: &Call, volume: &Volume) -> Result<()> {
        self.session(cx)?.volume_set_enabled(volume, true)
    }

    fn volume_disable(&mut self, cx: &Call, volume: &Volume) -> Result<()> {
        self.session(cx)?.volume_set_enabled(volume, false)
    }

    fn access_group_create(
        &mut self,
        cx: &Call,
        name: &str,
        init_id: &str,
        init_type: InitiatorType,
        system: &System,
    ) -> Result<AccessGroup> {
        self.session(cx)?
            .access_group_create(name, init_id, init_type, system)
    }

    fn access_group_delete(&mut self, cx: &Call, access_group: &AccessGroup) -> Result<()> {
        self.session(cx)?.access_group_delete(access_group)
    }

    fn access_group_initiator_add(
        &mut self,
        cx: &Call,
        access_group: &AccessGroup,
        init_id: &str,
        init_type: InitiatorType,
    ) -> Result<AccessGroup> {
        self.session(cx)?
            .access_group_initiator_add(access_group, init_id, init_type)
    }

    fn access_group_initiator_delete(
        &mut self,
        cx: &Call,
        access_group: &AccessGroup,
        init_id: &str,
        _init_type: InitiatorType,
    ) -> Result<AccessGroup> {
        self.session(cx)?
            .access_group_initiator_delete(access_group, init_id)
    }

    fn iscsi_chap_auth(
        &mut self,
        cx: &Call,
        init_id: &str,
        in_user: Option<&str>,
        in_password: Option<&str>,
        out_user: Option<&str>,
        out_password: Option<&str>,
    ) -> Result<()> {
        self.session(cx)?
            .iscsi_chap_auth(init_id, in_user, in_password, out_user, out_password)
    }

    fn volume_mask(
        &mut self,
        cx: &Call,
        access_group: &AccessGroup,
        volume: &Volume,
    ) -> Result<()> {
        self.session(cx)?.volume_mask(access_group, volume)
    }

    fn volume_unmask(
        &mut self,
        cx: &Call,
        access_group: &AccessGroup,
        volume: &Volume,
    ) -> Result<()> {
        self.session(cx)?.volume_unmask(access_group, volume)
    }
}

impl Nas for OntapSession {
    fn fs(&mut self, cx: &Call, _search: Option<&Search>) -> Result<Vec<FileSystem>> {
        self.session(cx)?.file_systems()
    }

    fn fs_snapshots(&mut self, cx: &Call, fs: &FileSystem) -> Result<Vec<FsSnapshot>> {
        self.session(cx)?.fs_snapshots(fs)
    }

    fn fs_create(
        &mut self,
        cx: &Call,
        pool: &Pool,
        name: &str,
        size_bytes: i64,
    ) -> Result<Completion<FileSystem>> {
        self.session(cx)?.fs_create(pool, name, size_bytes)
    }

    fn fs_delete(&mut self, cx: &Call, fs: &FileSystem) -> Result<Completion<()>> {
        self.session(cx)?.fs_delete(fs)
    }

    fn fs_resize(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        new_size_bytes: i64,
    ) -> Result<Completion<FileSystem>> {
        self.session(cx)?.fs_resize(fs, new_size_bytes)
    }

    fn fs_clone(
        &mut self,
        cx: &Call,
        src_fs: &FileSystem,
        dest_fs_name: &str,
        snapshot: Option<&FsSnapshot>,
    ) -> Result<Completion<FileSystem>> {
        self.session(cx)?.fs_clone(src_fs, dest_fs_name, snapshot)
    }

    fn fs_child_dependency(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        _files: Option<&[String]>,
    ) -> Result<bool> {
        self.session(cx)?.fs_child_dependency(fs)
    }

    fn fs_child_dependency_rm(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        _files: Option<&[String]>,
    ) -> Result<Completion<()>> {
        self.session(cx)?.fs_child_dependency_rm(fs)
    }

    fn fs_snapshot_create(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        snapshot_name: &str,
    ) -> Result<Completion<FsSnapshot>> {
        self.session(cx)?.fs_snapshot_create(fs, snapshot_name)
    }

    fn fs_snapshot_delete(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
    ) -> Result<Completion<()>> {
        self.session(cx)?.fs_snapshot_delete(fs, snapshot)
    }

    fn fs_snapshot_restore(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
        files: Option<&[String]>,
        _restore_files: Option<&[String]>,
        all_files: bool,
    ) -> Result<Completion<()>> {
        self.session(cx)?
            .fs_snapshot_restore(fs, snapshot, files.unwrap_or(&[]), all_files)
    }

    fn export_auth(&mut self, cx: &Call) -> Result<Vec<String>> {
        self.session(cx)?;
        Ok(nas::AUTH_TYPES
            .iter()
            .map(|auth| auth.to_string())
            .collect())
    }

    fn exports(&mut self, cx: &Call, _search: Option<&Search>) -> Result<Vec<NfsExport>> {
        self.session(cx)?.exports()
    }

    fn export_fs(&mut self, cx: &Call, request: &ExportRequest) -> Result<NfsExport> {
        self.session(cx)?.export_fs(request)
    }

    fn export_remove(&mut self, cx: &Call, export: &NfsExport) -> Result<()> {
        self.session(cx)?.export_remove(export)
    }
}
