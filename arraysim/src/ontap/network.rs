//! `/api/network/ip/interfaces`, `/api/network/fc/interfaces`.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use serde_json::{Value, json};

use super::error::{OntapError, OntapResult};
use super::model::{Inventory, links};
use super::schema::Resource;
use super::{App, Ontap, RawQuery, query};

pub fn routes() -> Router<Arc<Ontap>> {
    Router::new()
        .route("/api/network/ip/interfaces", get(ip_list))
        .route("/api/network/ip/interfaces/{uuid}", get(ip_one))
        .route("/api/network/fc/interfaces", get(fc_list))
        .route("/api/network/fc/interfaces/{uuid}", get(fc_one))
        .route("/api/network/ethernet/ports", get(eth_list))
        .route("/api/network/ethernet/ports/{uuid}", get(eth_one))
}

const KEYS: &[&str] = &["uuid", "name", "svm"];

async fn ip_list(State(o): App, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::IpInterface)?;
    Ok(o.shared.read(|inv| {
        let items = inv
            .ip_interfaces
            .iter()
            .map(|i| (i.uuid.as_str(), move || inv.ip_interface_json(i)));
        q.collection_lazy("/api/network/ip/interfaces", items, KEYS)
    }))
}

async fn ip_one(State(o): App, Path(uuid): Path<String>, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::IpInterface)?;
    let r = o.shared.read(|inv| {
        inv.ip_interfaces
            .iter()
            .find(|i| i.uuid == uuid)
            .map(|i| inv.ip_interface_json(i))
    });
    Ok(
        axum::Json(q.shape_one(r.ok_or_else(|| OntapError::not_found("uuid"))?, KEYS))
            .into_response(),
    )
}

async fn fc_list(State(o): App, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::FcInterface)?;
    Ok(o.shared.read(|inv| {
        let items = inv
            .fc_interfaces
            .iter()
            .map(|f| (f.uuid.as_str(), move || inv.fc_interface_json(f)));
        q.collection_lazy("/api/network/fc/interfaces", items, KEYS)
    }))
}

async fn fc_one(State(o): App, Path(uuid): Path<String>, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::FcInterface)?;
    let r = o.shared.read(|inv| {
        inv.fc_interfaces
            .iter()
            .find(|f| f.uuid == uuid)
            .map(|f| inv.fc_interface_json(f))
    });
    Ok(
        axum::Json(q.shape_one(r.ok_or_else(|| OntapError::not_found("uuid"))?, KEYS))
            .into_response(),
    )
}

/// Physical ports per node (*chosen*: e0M 1 GbE, e0c/e0d 10 GbE); uuids
/// derived from the node's so they are stable without being stored.
fn eth_ports(inv: &Inventory) -> Vec<Value> {
    let mut out = Vec::new();
    for (n, node) in inv.nodes.iter().enumerate() {
        for (p, (port, speed)) in [("e0M", 1000), ("e0c", 10000), ("e0d", 10000)]
            .into_iter()
            .enumerate()
        {
            let uuid = format!("{}{:02x}", &node.uuid[..node.uuid.len() - 2], p);
            out.push(json!({"uuid": uuid, "name": port, "node": inv.node_ref(&node.uuid),
                            "mac_address": format!("00:a0:98:6b:{:02x}:{:02x}", n + 1, p + 1),
                            "type": "physical", "state": "up", "speed": speed, "mtu": 1500, "enabled": true,
                            "reachability": "ok", "broadcast_domain": {"name": "Default", "ipspace": {"name": "Default"}},
                            "_links": links(format!("/api/network/ethernet/ports/{uuid}"))}));
        }
    }
    out
}

const ETH_KEYS: &[&str] = &["uuid", "name", "node"];

async fn eth_list(State(o): App, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Port)?;
    let records = o.shared.read(eth_ports);
    Ok(q.collection("/api/network/ethernet/ports", records, ETH_KEYS))
}

async fn eth_one(State(o): App, Path(uuid): Path<String>, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Port)?;
    let r = o
        .shared
        .read(eth_ports)
        .into_iter()
        .find(|p| p["uuid"] == uuid.as_str());
    Ok(
        axum::Json(q.shape_one(r.ok_or_else(|| OntapError::not_found("uuid"))?, ETH_KEYS))
            .into_response(),
    )
}
