//! A registered session: the appliance's client, its GUID (the LSM system id) and where
//! the URI says new objects go.

use lsm_core::plugin::Registration;
use lsm_core::types::*;
use lsm_core::{ErrorNumber, LsmError, Result};

use crate::client::{NefClient, models};
use crate::error::ObjectKind;
use crate::mapping;

/// The URI's placement options (settings of the session, not state of the appliance).
#[derive(Debug, Clone, Default)]
pub(super) struct Placement {
    /// `?pool=NAME`: the pool of new objects when a call names none (a COPY's target).
    pub(super) pool: Option<String>,
    /// `?volume_group=NAME`: the volume group (in the call's pool) new zvols go in.
    pub(super) volume_group: Option<String>,
    /// `?fs_parent=PATH`: the file system new file systems go under.
    pub(super) fs_parent: Option<String>,
    /// `?target_group=NAME`: the target group of new LUN mappings (default `All`).
    pub(super) target_group: Option<String>,
}

pub(super) struct Session {
    pub(super) client: NefClient,
    pub(super) system_id: String,
    pub(super) placement: Placement,
}

fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, Result<T>>) -> Result<T> {
    handle
        .join()
        .unwrap_or_else(|_| Err(LsmError::plugin_bug("a request thread panicked")))
}

fn option(registration: &Registration, key: &str) -> Result<Option<String>> {
    match registration.uri.query_param(key) {
        None => Ok(None),
        Some("") => Err(LsmError::invalid_argument(format!(
            "the URI option {key}= needs a value"
        ))),
        Some(value) => Ok(Some(value.trim_matches('/').to_string())),
    }
}

impl Session {
    /// Log in and read the appliance's GUID.
    pub(super) fn open(registration: &Registration) -> Result<Session> {
        let placement = Placement {
            pool: option(registration, "pool")?,
            volume_group: option(registration, "volume_group")?,
            fs_parent: option(registration, "fs_parent")?,
            target_group: option(registration, "target_group")?,
        };
        if let Some(group) = &placement.volume_group
            && group.contains('/')
        {
            return Err(LsmError::invalid_argument(format!(
                "volume_group={group:?}: a volume group's name in the pool, without '/'"
            )));
        }
        let client = NefClient::connect(registration)?;
        if let Some(pool) = &placement.pool {
            let pools: Vec<models::Pool> = client.list(
                "/storage/pools",
                &[("fields", "poolName")],
                ObjectKind::Pool,
            )?;
            let names: Vec<String> = pools.into_iter().filter_map(|p| p.pool_name).collect();
            if !names.contains(pool) {
                return Err(LsmError::invalid_argument(format!(
                    "the URI's pool={pool} is not a pool of the appliance; its pools: {}",
                    names.join(", ")
                )));
            }
        }
        let system_id = client
            .property("system.guid")?
            .ok_or_else(|| LsmError::plugin_bug("the appliance has no system.guid"))?;
        Ok(Session {
            client,
            system_id,
            placement,
        })
    }

    /// `NOT_FOUND_SYSTEM` unless `system` is this appliance.
    pub(super) fn check_system(&self, system: &System) -> Result<()> {
        if system.id == self.system_id {
            Ok(())
        } else {
            Err(LsmError::new(
                ErrorNumber::NOT_FOUND_SYSTEM,
                format!("System {} not found", system.id),
            ))
        }
    }

    /// The appliance as the LSM system: its GUID, host name, version and license.
    pub(super) fn system(&self) -> Result<System> {
        let (name, version, license) = std::thread::scope(|scope| {
            let version = scope.spawn(|| self.client.property("system.version"));
            let license = scope.spawn(|| {
                self.client
                    .find::<models::License>("/settings/license", &[], ObjectKind::System)
            });
            let name = self.client.property("system.hostName");
            (name, joined(version), joined(license))
        });
        Ok(mapping::appliance_to_system(
            &self.system_id,
            name?.as_deref(),
            version?.as_deref(),
            license?.as_ref(),
        ))
    }
}
