//! NexentaStor 5 REST ("NEF", served at the root: `/auth/login`,
//! `/storage/...`, `/san/...`, `/nas/nfs`, `/settings/...`,
//! `/jobStatus/...`), reproducing `vendor-apis.md` §2.6 and the reply
//! shapes OpenStack's NS5 drivers (cinder `ns5/jsonrpc.py`, `iscsi.py`,
//! `nfs.py`; manila `ns5/nexenta_nas.py`) read.
//!
//! Layout: `model` (objects, records, space accounting), `inventory` (the
//! default appliance), `query` (`data`/`links` paging, `fields=`,
//! filters), `error` (the error body), `auth` (login, bearer tokens), and
//! one file per resource family: `system` (settings, license, services,
//! network addresses, RSF, `jobStatus`), `storage` (pools, disks),
//! `datasets` (filesystems, volume groups, zvols and their actions),
//! `snapshots`, `san` (host groups, targets, target groups, remote
//! initiators, LUN mappings, logical units), `nfs` (NFS shares).
//!
//! Choices where the sources are silent (also in the crate README):
//! - login answers `{"token", "tokenTtlMs"}`; tokens live `--token-ttl-ms`
//!   from login (not from last use) and are kept in memory only, so a
//!   restart makes every client log in again (401 `EAUTH`);
//! - the asynchronous calls (always 202 + `links[rel=monitor]` +
//!   `Location: /jobStatus/<id>`) are dataset create and delete, snapshot
//!   clone, rollback and promote; everything else answers at once; a
//!   finished job's `/jobStatus/<id>` is 201 (creates) or 200 with an
//!   empty body; a failed one is the error's status and body;
//! - a change to a dataset that a running job holds is 500 `EBUSY`;
//! - persistent "in use" conditions (mapped zvol, mapped group, target in
//!   a group) are 400 `EBUSY`, not the retryable 500;
//! - `EEXIST` is 400; `ENOSPC` (thick allocation beyond free space) is 400.

mod auth;
mod datasets;
pub mod error;
mod hpr;
pub mod inventory;
pub mod model;
mod nfs;
pub mod query;
mod san;
mod snapshots;
mod storage;
mod system;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use self::error::{NefError, NefResult};
use self::model::{Appliance, STATE_VERSION, is_within};
use crate::core::auth::Credentials;
use crate::core::jobs;
use crate::core::server::{InjectedJobFailure, SessionsAdmin, VendorService};
use crate::core::state::{Shared, Store, StoreError};

/// What the command line sets for NexentaStor.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Job step duration.
    pub job_step: Duration,
    /// Token lifetime.
    pub token_ttl: Duration,
    /// How long a new LUN mapping stays invisible.
    pub mapping_delay: Duration,
    /// The account `POST /auth/login` accepts.
    pub credentials: Credentials,
}

/// The simulator's shared state.
pub struct Nexenta {
    /// The appliance.
    pub shared: Arc<Shared<Appliance>>,
    /// Settings.
    pub settings: Settings,
    /// Live tokens and when they expire.
    pub tokens: RwLock<HashMap<String, std::time::Instant>>,
}

/// Handler state.
pub type App = axum::extract::State<Arc<Nexenta>>;
/// A `job=failure` fault on the request.
pub type Injected = Option<axum::Extension<InjectedJobFailure>>;

/// Load (or create) `DIR/nexenta.json` and build the routes.
pub fn service(state_dir: &Path, settings: Settings) -> Result<VendorService, StoreError> {
    let store = Store::new(state_dir, "nexenta.json")?;
    let mut appliance = match store.load::<Appliance>()? {
        Some(a) if a.version == STATE_VERSION => a,
        Some(a) => {
            return Err(StoreError::Version {
                path: store.path().to_path_buf(),
                found: a.version,
                expected: STATE_VERSION,
            });
        }
        None => inventory::default_appliance(),
    };
    jobs::fail_interrupted(&mut appliance);
    let shared = Arc::new(Shared::new(appliance, store));
    shared.persist()?;
    let nexenta = Arc::new(Nexenta {
        shared,
        settings,
        tokens: RwLock::new(HashMap::new()),
    });
    let router = Router::new()
        .merge(auth::routes())
        .merge(system::routes())
        .merge(storage::routes())
        .merge(datasets::routes())
        .merge(snapshots::routes())
        .merge(san::routes())
        .merge(nfs::routes())
        .merge(hpr::routes())
        .fallback(|| async { NefError::not_found("no such API path").into_response() })
        .method_not_allowed_fallback(|| async {
            NefError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "ENOTSUP",
                "method not supported on this path",
            )
            .into_response()
        })
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&nexenta),
            auth::check,
        ))
        .with_state(Arc::clone(&nexenta));
    let reported = Arc::clone(&nexenta);
    Ok(VendorService {
        router,
        error_response: error::injected,
        sessions: Some(SessionsAdmin {
            // The live bearer tokens, for the tests that grep logs and messages for them.
            report: Arc::new(move || {
                let tokens = reported.tokens.read().unwrap_or_else(|p| p.into_inner());
                let now = crate::core::time::now();
                tokens
                    .iter()
                    .filter(|(_, expires)| **expires > now)
                    .map(|(token, _)| serde_json::json!({ "token": token }))
                    .collect::<Vec<_>>()
                    .into()
            }),
            end_all: Arc::new(move || {
                let mut tokens = nexenta.tokens.write().unwrap_or_else(|p| p.into_inner());
                let live = tokens.len();
                tokens.clear();
                live
            }),
        }),
    })
}

/// A JSON object body (empty = `{}`).
pub struct Body(pub Map<String, Value>);

impl Body {
    /// Parse `bytes`.
    pub fn parse(bytes: &Bytes) -> NefResult<Body> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Body(Map::new()));
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Ok(Body(map)),
            Ok(_) => Err(NefError::bad_arg("request body must be a JSON object")),
            Err(e) => Err(NefError::bad_arg(format!("invalid JSON body: {e}"))),
        }
    }

    /// Whether `key` is present (and not null).
    pub fn has(&self, key: &str) -> bool {
        self.0.get(key).is_some_and(|v| !v.is_null())
    }

    /// A string property.
    pub fn str(&self, key: &str) -> NefResult<Option<String>> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(wrong_type(key, "a string")),
        }
    }

    /// A required string property.
    pub fn req_str(&self, key: &str) -> NefResult<String> {
        self.str(key)?.ok_or_else(|| missing(key))
    }

    /// A non-negative integer property.
    pub fn u64(&self, key: &str) -> NefResult<Option<u64>> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .ok_or_else(|| wrong_type(key, "a non-negative integer")),
        }
    }

    /// A boolean property.
    pub fn bool(&self, key: &str) -> NefResult<Option<bool>> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(wrong_type(key, "a boolean")),
        }
    }

    /// A list of strings.
    pub fn str_list(&self, key: &str) -> NefResult<Option<Vec<String>>> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| wrong_type(key, "an array of strings"))
                })
                .collect::<NefResult<Vec<_>>>()
                .map(Some),
            Some(_) => Err(wrong_type(key, "an array of strings")),
        }
    }

    /// One of `allowed` strings.
    pub fn choice(&self, key: &str, allowed: &[&str]) -> NefResult<Option<String>> {
        match self.str(key)? {
            Some(v) if !allowed.contains(&v.as_str()) => Err(NefError::bad_arg(format!(
                "Invalid value \"{v}\" for property \"{key}\": expected one of {}",
                allowed.join(", ")
            ))),
            other => Ok(other),
        }
    }
}

/// 400 EBADARG for a property of the wrong type.
pub fn wrong_type(key: &str, what: &str) -> NefError {
    NefError::bad_arg(format!(
        "Invalid value for property \"{key}\": must be {what}"
    ))
}

/// 400 EBADARG for a missing required property.
pub fn missing(key: &str) -> NefError {
    NefError::bad_arg(format!("Missing required property \"{key}\""))
}

/// 201 with an empty body.
pub fn created() -> Response {
    StatusCode::CREATED.into_response()
}

/// 200 with an empty body.
pub fn ok() -> Response {
    StatusCode::OK.into_response()
}

/// The 202 body and headers for job `id`.
pub fn accepted(id: &str) -> Response {
    let href = format!("/jobStatus/{id}");
    let mut resp = (
        StatusCode::ACCEPTED,
        axum::Json(json!({"links": [{"rel": "monitor", "href": href}]})),
    )
        .into_response();
    if let Ok(v) = header::HeaderValue::from_str(&href) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

impl Nexenta {
    /// Change the appliance (all or nothing, persisted before it returns).
    pub fn mutate<R>(&self, f: impl FnOnce(&mut Appliance) -> NefResult<R>) -> NefResult<R> {
        self.shared.mutate(f)
    }

    /// Start a job on `dataset` (held busy until it ends); 202.
    pub fn job<W>(
        &self,
        injected: &Injected,
        description: String,
        dataset: &str,
        success: StatusCode,
        work: W,
    ) -> NefResult<Response>
    where
        W: FnOnce(&mut Appliance) -> NefResult<()> + Send + 'static,
    {
        self.shared.read(|a| not_busy(a, dataset))?;
        let job = jobs::submit(
            &self.shared,
            description,
            Some(json!({"dataset": dataset, "status": success.as_u16()})),
            self.settings.job_step,
            injected.is_some(),
            move |a: &mut Appliance| work(a).map_err(NefError::into_job_failure),
        )?;
        Ok(accepted(&job.uuid))
    }
}

/// 500 EBUSY when an unfinished job holds `path`, one of its ancestors or
/// one of its descendants.
pub fn not_busy(a: &Appliance, path: &str) -> NefResult<()> {
    let base = path.split('@').next().unwrap_or(path);
    let held = a.jobs.iter().filter(|j| !j.state.is_terminal()).any(|j| {
        j.owner
            .as_ref()
            .and_then(|o| o["dataset"].as_str())
            .map(|d| d.split('@').next().unwrap_or(d))
            .is_some_and(|d| is_within(d, base) || is_within(base, d))
    });
    if held {
        return Err(NefError::busy(format!(
            "dataset '{base}' is busy: another operation is in progress"
        )));
    }
    Ok(())
}
