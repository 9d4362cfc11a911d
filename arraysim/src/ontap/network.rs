//! `/api/network/ip/interfaces`, `/api/network/fc/interfaces`.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::error::{OntapError, OntapResult};
use super::{App, Ontap, RawQuery, query};

pub fn routes() -> Router<Arc<Ontap>> {
    Router::new()
        .route("/api/network/ip/interfaces", get(ip_list))
        .route("/api/network/ip/interfaces/{uuid}", get(ip_one))
        .route("/api/network/fc/interfaces", get(fc_list))
        .route("/api/network/fc/interfaces/{uuid}", get(fc_one))
}

const KEYS: &[&str] = &["uuid", "name", "svm"];

async fn ip_list(State(o): App, q: RawQuery) -> OntapResult<Response> {
    let q = query(q)?;
    let records = o.shared.read(|inv| {
        inv.ip_interfaces
            .iter()
            .map(|i| inv.ip_interface_json(i))
            .collect()
    });
    Ok(q.collection("/api/network/ip/interfaces", records, KEYS))
}

async fn ip_one(State(o): App, Path(uuid): Path<String>, q: RawQuery) -> OntapResult<Response> {
    let q = query(q)?;
    let r = o.shared.read(|inv| {
        inv.ip_interfaces
            .iter()
            .find(|i| i.uuid == uuid)
            .map(|i| inv.ip_interface_json(i))
    });
    Ok(
        axum::Json(q.shape_one(&r.ok_or_else(|| OntapError::not_found("uuid"))?, KEYS))
            .into_response(),
    )
}

async fn fc_list(State(o): App, q: RawQuery) -> OntapResult<Response> {
    let q = query(q)?;
    let records = o.shared.read(|inv| {
        inv.fc_interfaces
            .iter()
            .map(|f| inv.fc_interface_json(f))
            .collect()
    });
    Ok(q.collection("/api/network/fc/interfaces", records, KEYS))
}

async fn fc_one(State(o): App, Path(uuid): Path<String>, q: RawQuery) -> OntapResult<Response> {
    let q = query(q)?;
    let r = o.shared.read(|inv| {
        inv.fc_interfaces
            .iter()
            .find(|f| f.uuid == uuid)
            .map(|f| inv.fc_interface_json(f))
    });
    Ok(
        axum::Json(q.shape_one(&r.ok_or_else(|| OntapError::not_found("uuid"))?, KEYS))
            .into_response(),
    )
}
