//! `/hpr`: High Performance Replication services, as OpenStack's NS5 NFS
//! driver uses them to copy a dataset (`migrate_volume`): `POST /hpr
//! {"name", "sourceDataset", "destinationDataset", "type": "scheduled",
//! "sendShareNfs"}`, `POST /hpr/{name}/start`, `GET /hpr/{name}` (`state`
//! `enabled` while it runs, `disabled` once done, anything else failed), and
//! `DELETE /hpr/{name}` (`destroySourceSnapshots`,
//! `destroyDestinationSnapshots`).
//!
//! *Chosen* where the driver is silent: only local replication (a
//! `remoteNode` is 400 `EBADARG`: the simulator has no peer); a run copies the source dataset's properties to a new dataset at
//! the destination (same kind, size, sparseness, quota, reservation; a zvol
//! gets its logical unit) as a job of `--job-ms` steps, whose failure (e.g.
//! `--fault '/hpr/*/start:job=failure'`, or no space) shows as state
//! `faulted`; `start` answers 200 at once; the destination must not exist
//! and its parent must (of the right kind); a service is not deleted while
//! it runs (400 `EBUSY`).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::datasets::{add_logical_unit, check_parent, check_space};
use super::error::{NefError, NefResult};
use super::model::{Appliance, HprService, Kind, new_guid, now_time};
use super::query::{Key, Q};
use super::{App, Body, Injected, Nexenta, created, ok};
use crate::core::jobs::JobState;

pub fn routes() -> Router<Arc<Nexenta>> {
    Router::new()
        .route("/hpr", get(list).post(create))
        .route("/hpr/{name}", get(one).delete(remove))
        .route("/hpr/{name}/start", post(start))
}

/// `disabled` before a run and once it has copied, `faulted` when its job
/// failed (or ended without copying), `enabled` while it runs.
fn state(a: &Appliance, s: &HprService) -> &'static str {
    if !s.started || s.done {
        return "disabled";
    }
    let job = s
        .job
        .as_deref()
        .and_then(|uuid| a.jobs.iter().find(|j| j.uuid == uuid));
    match job.map(|j| &j.state) {
        Some(JobState::Failure | JobState::Success) => "faulted",
        _ => "enabled",
    }
}

fn record(a: &Appliance, s: &HprService) -> Value {
    json!({
        "name": s.name,
        "sourceDataset": s.source,
        "destinationDataset": s.destination,
        "type": s.kind,
        "sendShareNfs": s.send_share_nfs,
        "isSource": true,
        "state": state(a, s),
    })
}

fn not_found(name: &str) -> NefError {
    NefError::not_found(format!("HPR service '{name}' does not exist"))
}

async fn list(State(nx): App, q: Q) -> NefResult<Response> {
    let records = nx
        .shared
        .read(|a| a.hpr.iter().map(|s| record(a, s)).collect());
    q.collection(records, &[])
}

async fn one(State(nx): App, Key(name): Key, q: Q) -> NefResult<Response> {
    nx.shared
        .read(|a| a.hpr.iter().find(|s| s.name == name).map(|s| record(a, s)))
        .map(|r| q.one(r))
        .ok_or_else(|| not_found(&name))
}

async fn create(State(nx): App, bytes: Bytes) -> NefResult<Response> {
    let b = Body::parse(&bytes)?;
    let name = b.req_str("name")?;
    let source = b.req_str("sourceDataset")?;
    let destination = b.req_str("destinationDataset")?;
    let kind = b.str("type")?.unwrap_or_else(|| "scheduled".into());
    let send_share_nfs = b.bool("sendShareNfs")?.unwrap_or(false);
    if b.has("remoteNode") {
        return Err(NefError::bad_arg(
            "remote replication is not simulated: only a local destination",
        ));
    }
    if name.is_empty() || name.contains('/') {
        return Err(NefError::bad_arg(format!(
            "invalid HPR service name '{name}'"
        )));
    }
    nx.mutate(|a| {
        if a.hpr.iter().any(|s| s.name == name) {
            return Err(NefError::exists(format!(
                "HPR service '{name}' already exists"
            )));
        }
        if a.dataset(&source).is_none() {
            return Err(NefError::not_found(format!(
                "source dataset '{source}' does not exist"
            )));
        }
        a.hpr.push(HprService {
            name,
            source,
            destination,
            kind,
            send_share_nfs,
            job: None,
            started: false,
            done: false,
        });
        Ok(())
    })?;
    Ok(created())
}

async fn start(State(nx): App, injected: Injected, Key(name): Key) -> NefResult<Response> {
    let (source, destination) = nx.mutate(|a| {
        let running = a
            .hpr
            .iter()
            .find(|s| s.name == name)
            .map(|s| state(a, s) == "enabled")
            .ok_or_else(|| not_found(&name))?;
        if running {
            return Err(NefError::busy(format!(
                "HPR service '{name}' is already running"
            )));
        }
        let s = a
            .hpr
            .iter_mut()
            .find(|s| s.name == name)
            .ok_or_else(|| not_found(&name))?;
        (s.started, s.done, s.job) = (true, false, None);
        Ok((s.source.clone(), s.destination.clone()))
    })?;
    let service = name.clone();
    let dataset = destination.clone();
    let reply = nx.job(
        &injected,
        format!("POST /hpr/{name}/start"),
        &dataset,
        StatusCode::OK,
        move |a| {
            let Some(src) = a.dataset(&source).cloned() else {
                return Err(NefError::not_found(format!(
                    "source dataset '{source}' does not exist"
                )));
            };
            if a.dataset(&destination).is_some() {
                return Err(NefError::exists(format!(
                    "destination dataset '{destination}' already exists"
                )));
            }
            let kind = if src.kind == Kind::VolumeGroup {
                Kind::Filesystem
            } else {
                src.kind
            };
            check_parent(a, &destination, kind)?;
            check_space(a, &destination, src.reserved(), "replicate to")?;
            let txg = a.txg();
            let mut copy = src;
            copy.path = destination.clone();
            copy.guid = new_guid();
            copy.creation_time = now_time();
            copy.creation_txg = txg;
            copy.origin = String::new();
            a.datasets.push(copy);
            if kind == Kind::Volume {
                add_logical_unit(a, &destination);
            }
            if let Some(s) = a.hpr.iter_mut().find(|s| s.name == service) {
                s.done = true;
            }
            Ok(())
        },
    )?;
    // The job's id, so the service's state follows it.
    let uuid = reply
        .headers()
        .get(axum::http::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|href| href.rsplit('/').next())
        .map(str::to_string);
    nx.mutate(|a| {
        if let Some(s) = a.hpr.iter_mut().find(|s| s.name == name) {
            s.job = uuid;
        }
        Ok(())
    })?;
    Ok(ok())
}

async fn remove(State(nx): App, Key(name): Key) -> NefResult<Response> {
    nx.mutate(|a| {
        let s = a
            .hpr
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| not_found(&name))?;
        if state(a, s) == "enabled" {
            return Err(NefError::in_use(format!(
                "HPR service '{name}' is running: wait for it to finish"
            )));
        }
        a.hpr.retain(|s| s.name != name);
        Ok(())
    })?;
    Ok(ok())
}
