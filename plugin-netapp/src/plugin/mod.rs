//! The `ontap://` plugin: the SDK's traits over [`OntapClient`] and [`crate::mapping`].
//!
//! Stateless: every call asks the cluster; a session holds only the HTTPS client, the SVM
//! it works in and the cluster's uuid (the LSM system id).
//!
//! What works so far is every listing (systems, pools, volumes, disks, access groups, target
//! ports, file systems, file system snapshots) and the masking queries; the capabilities say
//! exactly that. Creating, changing and deleting come next.
//!
//! - `session`: registration (URI, SVM choice) and the session's lookups.
//! - `listings`: the read-only calls.

mod listings;
mod session;

use std::time::Duration;

use lsm_core::plugin::{Management, Nas, PluginInfo, Registration, San, Search};
use lsm_core::types::*;
use lsm_core::{Capabilities, Capability as C, ErrorNumber, LsmError, Result};

use session::Session;

/// The `ontap://` plugin; `run_plugin(OntapPlugin::default())` is its whole `main`.
#[derive(Default)]
pub struct OntapPlugin {
    session: Option<Session>,
}

/// What this plugin does today.
const CAPABILITIES: &[C] = &[
    C::SYS_FW_VERSION_GET,
    C::VOLUMES,
    C::ACCESS_GROUPS,
    C::VOLUMES_ACCESSIBLE_BY_ACCESS_GROUP,
    C::ACCESS_GROUPS_GRANTED_TO_VOLUME,
    C::TARGET_PORTS,
    C::DISKS,
    C::DISK_RPM,
    C::FS,
    C::FS_SNAPSHOTS,
];

impl OntapPlugin {
    fn session(&mut self) -> Result<&mut Session> {
        self.session.as_mut().ok_or_else(|| {
            LsmError::new(ErrorNumber::PLUGIN_BUG, "no session: plugin_register first")
        })
    }
}

impl Management for OntapPlugin {
    fn plugin_info(&self) -> PluginInfo {
        PluginInfo {
            description: "NetApp ONTAP (REST API) support".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }

    fn register(&mut self, registration: &Registration) -> Result<()> {
        self.session = Some(Session::open(registration)?);
        Ok(())
    }

    fn unregister(&mut self) -> Result<()> {
        self.session = None;
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
}

impl San for OntapPlugin {
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
}

impl Nas for OntapPlugin {
    fn fs(&mut self, _search: Option<&Search>) -> Result<Vec<FileSystem>> {
        self.session()?.file_systems()
    }

    fn fs_snapshots(&mut self, fs: &FileSystem) -> Result<Vec<FsSnapshot>> {
        self.session()?.fs_snapshots(fs)
    }
}
