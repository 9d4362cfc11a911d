//! `/api/cluster`, `/api/cluster/nodes`, `/api/cluster/jobs`, `/api/svm/svms`.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use super::error::{OntapError, OntapResult};
use super::model::{links, version_json};
use super::schema::Resource;
use super::{App, Ontap, RawQuery, query};

pub fn routes() -> Router<Arc<Ontap>> {
    Router::new()
        .route("/api/cluster", get(cluster))
        .route("/api/cluster/nodes", get(nodes))
        .route("/api/cluster/nodes/{uuid}", get(node))
        .route("/api/cluster/jobs", get(jobs))
        .route("/api/cluster/jobs/{uuid}", get(job))
        .route("/api/svm/svms", get(svms))
        .route("/api/svm/svms/{uuid}", get(svm))
}

const NODE_KEYS: &[&str] = &["uuid", "name"];
const JOB_KEYS: &[&str] = &["uuid"];
const SVM_KEYS: &[&str] = &["uuid", "name"];

/// The cluster object is not a collection: every field by default (*chosen*), or those
/// `fields=` names.
async fn cluster(State(o): App, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Cluster)?;
    let record = o.shared.read(|inv| {
            let mgmt: Vec<_> = inv
                .ip_interfaces
                .iter()
                .filter(|i| i.svm.is_none())
                .map(|i| json!({"name": i.name, "uuid": i.uuid, "ip": {"address": i.address}}))
                .collect();
            json!({"name": inv.cluster_name, "uuid": inv.cluster_uuid, "version": version_json(),
                              "location": "lsm-arraysim", "contact": "", "management_interfaces": mgmt,
                              "timezone": {"name": "Etc/UTC"}, "san_optimized": false,
                              "dns_domains": ["example.com"], "name_servers": ["192.168.10.2"],
                              "ntp_servers": ["192.168.10.3"],
                              "_links": links("/api/cluster".into())})
    });
    Ok(axum::Json(q.shape_one(record, &[])).into_response())
}

async fn nodes(State(o): App, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Node)?;
    Ok(o.shared.read(|inv| {
        let items = inv
            .nodes
            .iter()
            .map(|n| (n.uuid.as_str(), move || inv.node_json(n)));
        q.collection_lazy("/api/cluster/nodes", items, NODE_KEYS)
    }))
}

async fn node(State(o): App, Path(uuid): Path<String>, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Node)?;
    let r = o.shared.read(|inv| {
        inv.nodes
            .iter()
            .find(|n| n.uuid == uuid)
            .map(|n| inv.node_json(n))
    });
    let r = r.ok_or_else(|| OntapError::not_found("uuid"))?;
    Ok(axum::Json(q.shape_one(r, NODE_KEYS)).into_response())
}

async fn jobs(State(o): App, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Job)?;
    Ok(o.shared.read(|inv| {
        let items = inv
            .jobs
            .iter()
            .map(|j| (j.uuid.as_str(), move || inv.job_json(j)));
        q.collection_lazy("/api/cluster/jobs", items, JOB_KEYS)
    }))
}

/// A single job shows every field by default (*chosen*: clients poll it
/// without `fields=` and read `state`, `message`, `code`).
async fn job(State(o): App, Path(uuid): Path<String>, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Job)?;
    let r = o.shared.read(|inv| {
        inv.jobs
            .iter()
            .find(|j| j.uuid == uuid)
            .map(|j| inv.job_json(j))
    });
    let r = r.ok_or_else(|| OntapError::not_found("uuid"))?;
    Ok(axum::Json(q.shape_one(r, JOB_KEYS)).into_response())
}

async fn svms(State(o): App, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Svm)?;
    Ok(o.shared.read(|inv| {
        let items = inv
            .svms
            .iter()
            .map(|s| (s.uuid.as_str(), move || inv.svm_json(s)));
        q.collection_lazy("/api/svm/svms", items, SVM_KEYS)
    }))
}

async fn svm(State(o): App, Path(uuid): Path<String>, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Svm)?;
    let r = o.shared.read(|inv| inv.svm(&uuid).map(|s| inv.svm_json(s)));
    Ok(
        axum::Json(q.shape_one(r.ok_or_else(|| OntapError::not_found("uuid"))?, SVM_KEYS))
            .into_response(),
    )
}
