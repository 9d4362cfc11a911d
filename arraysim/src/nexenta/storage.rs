//! `/storage/pools[/{name}]` (`poolName`, ZFS `health`, a `status` vdev
//! tree, `bytesTotal`/`bytesAllocated`/`bytesFree` — *chosen* names) and
//! `/inventory/disks[/{logicalDevice}]` (*chosen* shape: NS5's inventory
//! API is not read by any client).

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::error::{NefError, NefResult};
use super::model::{Appliance, Disk};
use super::query::{Key, Q};
use super::{App, Nexenta};

pub fn routes() -> Router<Arc<Nexenta>> {
    Router::new()
        .route("/storage/pools", get(pools))
        .route("/storage/pools/{name}", get(pool))
        .route("/inventory/disks", get(disks))
        .route("/inventory/disks/{name}", get(disk))
}

fn pool_records(a: &Appliance) -> Vec<Value> {
    let space = a.space();
    a.pools.iter().map(|p| a.pool_json(p, &space)).collect()
}

async fn pools(State(nx): App, q: Q) -> NefResult<Response> {
    let records = nx.shared.read(pool_records);
    q.collection(records, &[])
}

async fn pool(State(nx): App, Key(name): Key, q: Q) -> NefResult<Response> {
    nx.shared
        .read(|a| {
            pool_records(a)
                .into_iter()
                .find(|r| r["poolName"] == name.as_str())
        })
        .map(|r| q.one(r))
        .ok_or_else(|| NefError::not_found(format!("Pool '{name}' does not exist")))
}

fn disk_json(d: &Disk) -> Value {
    json!({
        "logicalDevice": d.logical_device,
        "sizeBytes": d.size,
        "vendor": d.vendor,
        "model": d.model,
        "serial": d.serial,
        "pool": d.pool,
        "role": d.role,
        "type": if d.model.starts_with("PX") { "ssd" } else { "hdd" },
        "state": "online",
    })
}

async fn disks(State(nx): App, q: Q) -> NefResult<Response> {
    let records = nx.shared.read(|a| a.disks.iter().map(disk_json).collect());
    q.collection(records, &[])
}

async fn disk(State(nx): App, Key(name): Key, q: Q) -> NefResult<Response> {
    nx.shared
        .read(|a| {
            a.disks
                .iter()
                .find(|d| d.logical_device == name)
                .map(disk_json)
        })
        .map(|r| q.one(r))
        .ok_or_else(|| NefError::not_found(format!("Disk '{name}' does not exist")))
}
