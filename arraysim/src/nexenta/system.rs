//! The appliance itself: `/settings/properties[/{id}]` (`system.guid`,
//! `system.hostName`, `system.version`), `/settings/license`,
//! `/services[/{name}]` (PUT `{"enabled"}`), `/network/addresses`,
//! `/rsf/clusters` (no HA cluster: empty) and `/jobStatus/{id}`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::error::{NefError, NefResult};
use super::model::Appliance;
use super::query::{Key, Q};
use super::{App, Body, Nexenta, accepted, ok};
use crate::core::jobs::JobState;

/// The NexentaStor release the simulator claims (`system.version`).
pub const VERSION: &str = "5.3.0";

pub fn routes() -> Router<Arc<Nexenta>> {
    Router::new()
        .route("/settings/properties", get(properties))
        .route("/settings/properties/{id}", get(property))
        .route("/settings/license", get(license))
        .route("/services", get(services))
        .route("/services/{name}", get(service).put(service_set))
        .route("/network/addresses", get(addresses))
        .route("/rsf/clusters", get(rsf))
        .route("/jobStatus/{id}", get(job_status))
}

fn property_records(a: &Appliance) -> Vec<Value> {
    let p = |id: &str, value: Value, description: &str| json!({"id": id, "name": id, "value": value, "description": description});
    vec![
        p(
            "system.guid",
            json!(a.system_guid),
            "Unique identifier of the appliance",
        ),
        p("system.hostName", json!(a.host_name), "Host name"),
        p("system.version", json!(VERSION), "NexentaStor version"),
    ]
}

async fn properties(State(nx): App, q: Q) -> NefResult<Response> {
    let records = nx.shared.read(property_records);
    q.collection(records, &[])
}

async fn property(State(nx): App, Key(id): Key, q: Q) -> NefResult<Response> {
    let record = nx.shared.read(|a| {
        property_records(a)
            .into_iter()
            .find(|r| r["id"] == id.as_str())
    });
    record
        .map(|r| q.one(r))
        .ok_or_else(|| NefError::not_found(format!("Property '{id}' does not exist")))
}

async fn license(q: Q) -> Response {
    q.one(json!({
        "valid": true,
        "expires": "2099-12-31T23:59:59.000Z",
        "licenseType": "ENTERPRISE",
        "product": "NexentaStor",
        "version": VERSION,
        "features": ["iscsi", "nfs", "smb", "rsf"],
    }))
}

fn service_json(s: &super::model::Service) -> Value {
    json!({
        "name": s.name,
        "enabled": s.enabled,
        "state": if s.enabled { "online" } else { "disabled" },
    })
}

async fn services(State(nx): App, q: Q) -> NefResult<Response> {
    let records = nx
        .shared
        .read(|a| a.services.iter().map(service_json).collect());
    q.collection(records, &[])
}

async fn service(State(nx): App, Key(name): Key, q: Q) -> NefResult<Response> {
    nx.shared
        .read(|a| a.services.iter().find(|s| s.name == name).map(service_json))
        .map(|r| q.one(r))
        .ok_or_else(|| NefError::not_found(format!("Service '{name}' does not exist")))
}

async fn service_set(State(nx): App, Key(name): Key, bytes: Bytes) -> NefResult<Response> {
    let b = Body::parse(&bytes)?;
    let enabled = b.bool("enabled")?;
    nx.mutate(|a| {
        let s = a
            .services
            .iter_mut()
            .find(|s| s.name == name)
            .ok_or_else(|| NefError::not_found(format!("Service '{name}' does not exist")))?;
        if let Some(e) = enabled {
            s.enabled = e;
        }
        Ok(())
    })?;
    Ok(ok())
}

async fn addresses(State(nx): App, q: Q) -> NefResult<Response> {
    let records = nx.shared.read(|a| {
        a.addresses
            .iter()
            .map(|ad| {
                json!({
                    "name": ad.name,
                    "address": ad.address,
                    "interface": ad.name.split('/').next().unwrap_or_default(),
                    "type": "static",
                    "state": "ok",
                })
            })
            .collect()
    });
    q.collection(records, &[])
}

async fn rsf(q: Q) -> NefResult<Response> {
    q.collection(Vec::new(), &[])
}

async fn job_status(State(nx): App, Key(id): Key) -> NefResult<Response> {
    let job = nx
        .shared
        .read(|a| a.jobs.iter().find(|j| j.uuid == id).cloned())
        .ok_or_else(|| NefError::not_found(format!("Job '{id}' does not exist")))?;
    match job.state {
        JobState::Success => {
            let status = job
                .owner
                .as_ref()
                .and_then(|o| o["status"].as_u64())
                .and_then(|s| StatusCode::from_u16(s as u16).ok())
                .unwrap_or(StatusCode::OK);
            Ok(status.into_response())
        }
        JobState::Failure => Err(NefError::from_job(job.code, &job.message)),
        _ => Ok(accepted(&job.uuid)),
    }
}
