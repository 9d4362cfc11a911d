//! `/api/storage/aggregates`, `/api/storage/disks`.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::error::{OntapError, OntapResult};
use super::schema::Resource;
use super::{App, Ontap, RawQuery, query};

pub fn routes() -> Router<Arc<Ontap>> {
    Router::new()
        .route("/api/storage/aggregates", get(aggregates))
        .route("/api/storage/aggregates/{uuid}", get(aggregate))
        .route("/api/storage/disks", get(disks))
        .route("/api/storage/disks/{name}", get(disk))
}

const AGGR_KEYS: &[&str] = &["uuid", "name"];
const DISK_KEYS: &[&str] = &["name"];

async fn aggregates(State(o): App, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Aggregate)?;
    Ok(o.shared.read(|inv| {
        let items = inv
            .aggregates
            .iter()
            .map(|a| (a.uuid.as_str(), move || inv.aggregate_json(a)));
        q.collection_lazy("/api/storage/aggregates", items, AGGR_KEYS)
    }))
}

async fn aggregate(State(o): App, Path(uuid): Path<String>, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Aggregate)?;
    let r = o.shared.read(|inv| {
        inv.aggregates
            .iter()
            .find(|a| a.uuid == uuid)
            .map(|a| inv.aggregate_json(a))
    });
    Ok(
        axum::Json(q.shape_one(r.ok_or_else(|| OntapError::not_found("uuid"))?, AGGR_KEYS))
            .into_response(),
    )
}

async fn disks(State(o): App, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Disk)?;
    let records = o
        .shared
        .read(|inv| inv.disks.iter().map(|d| inv.disk_json(d)).collect());
    Ok(q.collection("/api/storage/disks", records, DISK_KEYS))
}

async fn disk(State(o): App, Path(name): Path<String>, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Disk)?;
    let r = o.shared.read(|inv| {
        inv.disks
            .iter()
            .find(|d| d.name == name)
            .map(|d| inv.disk_json(d))
    });
    Ok(
        axum::Json(q.shape_one(r.ok_or_else(|| OntapError::not_found("name"))?, DISK_KEYS))
            .into_response(),
    )
}
