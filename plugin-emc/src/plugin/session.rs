//! A registered session: the array's client, its serial number (the LSM system id) and
//! the URI's settings.

use lsm_core::plugin::Registration;
use lsm_core::types::*;
use lsm_core::{ErrorNumber, LsmError, Result};

use crate::client::api::DEFAULT_PAGE_SIZE;
use crate::client::{UnityClient, models};
use crate::error::ObjectKind;
use crate::mapping;

pub(super) struct Session {
    pub(super) client: UnityClient,
    pub(super) system_id: String,
    /// `?nas_server=NAME`: the NAS server new file systems go on.
    pub(super) nas_server: Option<String>,
}

fn option(registration: &Registration, key: &str) -> Result<Option<String>> {
    match registration.uri.query_param(key) {
        None => Ok(None),
        Some("") => Err(LsmError::invalid_argument(format!(
            "the URI option {key}= needs a value"
        ))),
        Some(value) => Ok(Some(value.to_string())),
    }
}

fn page_size(registration: &Registration) -> Result<usize> {
    match option(registration, "per_page")? {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=DEFAULT_PAGE_SIZE).contains(&n) => Ok(n),
            _ => Err(LsmError::invalid_argument(format!(
                "per_page={text}: a number of objects from 1 to {DEFAULT_PAGE_SIZE}"
            ))),
        },
    }
}

impl Session {
    /// Log in, read the array's serial number, check `?nas_server=`.
    pub(super) fn open(registration: &Registration) -> Result<Session> {
        let nas_server = option(registration, "nas_server")?;
        let client = UnityClient::connect(registration, page_size(registration)?)?;
        let system = Self::system_record(&client)?;
        let system_id = system
            .serial_number
            .filter(|serial| !serial.is_empty())
            .ok_or_else(|| LsmError::plugin_bug("the array's system has no serialNumber"))?;
        let session = Session {
            client,
            system_id,
            nas_server,
        };
        if let Some(name) = &session.nas_server {
            session.nas_server_named(name)?;
        }
        Ok(session)
    }

    fn system_record(client: &UnityClient) -> Result<models::System> {
        client
            .list::<models::System>("system", models::System::FIELDS, None, ObjectKind::System)?
            .into_iter()
            .next()
            .ok_or_else(|| LsmError::plugin_bug("the array lists no system"))
    }

    /// `NOT_FOUND_SYSTEM` unless `system` is this array.
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

    /// The array as the LSM system: `system` (name, serial, health) and `basicSystemInfo`
    /// (OE version), asked at the same time.
    pub(super) fn system(&self) -> Result<System> {
        let (system, basic) = std::thread::scope(|scope| {
            let basic = scope.spawn(|| {
                self.client.list::<models::BasicSystemInfo>(
                    "basicSystemInfo",
                    models::BasicSystemInfo::FIELDS,
                    None,
                    ObjectKind::System,
                )
            });
            let system = Self::system_record(&self.client);
            let basic = basic
                .join()
                .unwrap_or_else(|_| Err(LsmError::plugin_bug("a request thread panicked")));
            (system, basic)
        });
        let basic = basic?;
        Ok(mapping::system_to_system(&system?, basic.first()))
    }

    /// The NAS server named `name`, or `INVALID_ARGUMENT` naming the array's.
    pub(super) fn nas_server_named(&self, name: &str) -> Result<models::NasServer> {
        let servers: Vec<models::NasServer> = self.client.list(
            "nasServer",
            models::NasServer::FIELDS,
            None,
            ObjectKind::NasServer,
        )?;
        let names: Vec<String> = servers.iter().filter_map(|s| s.name.clone()).collect();
        servers
            .into_iter()
            .find(|s| s.name.as_deref() == Some(name))
            .ok_or_else(|| {
                LsmError::invalid_argument(format!(
                    "the URI's nas_server={name} is not a NAS server of the array; its NAS \
                     servers: {}",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ))
            })
    }

    /// The NAS server new file systems go on: the URI's, else the array's only one.
    pub(super) fn nas_server_for_new_fs(&self) -> Result<models::NasServer> {
        if let Some(name) = &self.nas_server {
            return self.nas_server_named(name);
        }
        let mut servers: Vec<models::NasServer> = self.client.list(
            "nasServer",
            models::NasServer::FIELDS,
            None,
            ObjectKind::NasServer,
        )?;
        match servers.len() {
            1 => Ok(servers.remove(0)),
            0 => Err(LsmError::new(
                ErrorNumber::NO_SUPPORT,
                "the array has no NAS server: a Unity file system needs one",
            )),
            _ => Err(LsmError::invalid_argument(format!(
                "the array has several NAS servers ({}): name the one for new file systems \
                 with ?nas_server=NAME in the URI",
                servers
                    .iter()
                    .map(|s| s.name.clone().unwrap_or_else(|| s.id.clone()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }
}
