//! `/api/storage/luns`: synchronous create (201 + `Location`), resize,
//! online/offline, rename, clone, delete (refused while mapped unless
//! `allow_delete_while_mapped=true`), delete by query.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rand::Rng as _;
use serde_json::Value;

use super::error::{self, OntapError, OntapResult};
use super::model::{Inventory, LUN_OS_TYPES, Lun};
use super::query::OntapQuery;
use super::schema::{Operation, Resource};
use super::{
    App, Ontap, RawQuery, body, bool_at, created, ok_empty, query, require_filter, size_at, str_at,
    svm_of,
};
use crate::core::time::now_iso8601;

pub fn routes() -> Router<Arc<Ontap>> {
    Router::new()
        .route(
            "/api/storage/luns",
            get(list)
                .post(create)
                .patch(modify_matching)
                .delete(delete_matching),
        )
        .route(
            "/api/storage/luns/{uuid}",
            get(one).patch(modify).delete(delete_one),
        )
}

const KEYS: &[&str] = &["uuid", "name", "svm"];

async fn list(State(o): App, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Lun)?;
    Ok(o.shared.read(|inv| {
        let items = inv
            .luns
            .iter()
            .map(|l| (l.uuid.as_str(), move || inv.lun_json(l)));
        q.collection_lazy("/api/storage/luns", items, KEYS)
    }))
}

async fn one(State(o): App, Path(uuid): Path<String>, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Lun)?;
    let r = o.shared.read(|inv| {
        inv.luns
            .iter()
            .find(|l| l.uuid == uuid)
            .map(|l| inv.lun_json(l))
    });
    Ok(
        axum::Json(q.shape_one(r.ok_or_else(|| OntapError::not_found("uuid"))?, KEYS))
            .into_response(),
    )
}

/// `/vol/<volume>/<lun>` → (volume, lun). Qtrees are not simulated.
fn split_path(path: &str) -> OntapResult<(&str, &str)> {
    let bad = || {
        OntapError::invalid(
            "name",
            format!("Invalid LUN path \"{path}\": expected /vol/<volume>/<lun>"),
        )
    };
    let rest = path.strip_prefix("/vol/").ok_or_else(bad)?;
    let (vol, lun) = rest.split_once('/').ok_or_else(bad)?;
    if vol.is_empty() || lun.is_empty() || lun.contains('/') {
        return Err(bad());
    }
    Ok((vol, lun))
}

fn volume_in(inv: &Inventory, svm: &str, name: &str) -> OntapResult<String> {
    inv.volumes
        .iter()
        .find(|v| v.svm == svm && v.name == name)
        .map(|v| v.uuid.clone())
        .ok_or_else(|| {
            OntapError::invalid(
                "name",
                format!("Volume \"{name}\" does not exist in the SVM."),
            )
            .target("location.volume.name")
        })
}

fn new_serial(inv: &Inventory) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    loop {
        let s: String = (0..12)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect();
        if !inv.luns.iter().any(|l| l.serial_number == s) {
            return s;
        }
    }
}

/// A thick LUN of `size` (or growth by `size`) must fit in the volume.
fn check_space(inv: &Inventory, volume: &str, size: u64) -> OntapResult<()> {
    let Some(v) = inv.volumes.iter().find(|v| v.uuid == volume) else {
        return Err(OntapError::not_found("location.volume.uuid"));
    };
    let available = inv.volume_available(v);
    if size > available {
        return Err(OntapError::new(
            StatusCode::BAD_REQUEST,
            error::VOL_NO_SPACE,
            format!("Not enough space in volume \"{}\" for the LUN: {size} bytes requested, {available} bytes available.", v.name),
        )
        .target("space.size"));
    }
    Ok(())
}

/// The LUN a clone names as source: a live LUN or one inside a snapshot
/// (`/vol/<vol>/.snapshot/<snap>/<lun>`).
fn clone_source(inv: &Inventory, svm: &str, body: &Value) -> OntapResult<Option<(String, Lun)>> {
    if let Some(uuid) = str_at(body, "clone.source.uuid") {
        let l = inv.luns.iter().find(|l| l.uuid == uuid).ok_or_else(|| {
            OntapError::invalid("clone.source.uuid", "Source LUN does not exist.")
        })?;
        return Ok(Some((inv.lun_path(l), l.clone())));
    }
    let Some(name) = str_at(body, "clone.source.name") else {
        return Ok(None);
    };
    let missing = || {
        OntapError::invalid(
            "clone.source.name",
            format!("Source LUN \"{name}\" does not exist."),
        )
    };
    if let Some((vol_part, snap_part)) = name
        .strip_prefix("/vol/")
        .and_then(|r| r.split_once("/.snapshot/"))
    {
        let (snap, lun) = snap_part.split_once('/').ok_or_else(missing)?;
        let vol = volume_in(inv, svm, vol_part)?;
        let s = inv
            .snapshots
            .iter()
            .find(|s| s.volume == vol && s.name == snap)
            .ok_or_else(missing)?;
        let l = s
            .luns
            .iter()
            .find(|l| l.logical_unit == lun)
            .ok_or_else(missing)?;
        return Ok(Some((name.to_string(), l.clone())));
    }
    let l = inv
        .luns
        .iter()
        .find(|l| l.svm == svm && inv.lun_path(l) == name)
        .ok_or_else(missing)?;
    Ok(Some((name.to_string(), l.clone())))
}

async fn create(State(o): App, q: RawQuery, bytes: Bytes) -> OntapResult<Response> {
    let q = query(q, Resource::Lun)?;
    let b = body(&bytes, Resource::Lun, Operation::Post)?;
    let (uuid, record) = o.shared.mutate(|inv| -> OntapResult<(String, Value)> {
        let svm = svm_of(inv, &b)?;
        let (vol_name, lun_name) = match (
            str_at(&b, "name"),
            str_at(&b, "location.volume.name"),
            str_at(&b, "location.logical_unit"),
        ) {
            (Some(path), _, _) => {
                let (v, l) = split_path(path)?;
                (v.to_string(), l.to_string())
            }
            (None, Some(v), Some(l)) => (v.to_string(), l.to_string()),
            _ => return Err(OntapError::required("name")),
        };
        let volume = volume_in(inv, &svm, &vol_name)?;
        if inv
            .luns
            .iter()
            .any(|l| l.volume == volume && l.logical_unit == lun_name)
        {
            return Err(OntapError::duplicate(format!(
                "A LUN with name \"/vol/{vol_name}/{lun_name}\" already exists."
            ))
            .target("name"));
        }
        let source = clone_source(inv, &svm, &b)?;
        let thick = bool_at(&b, "space.guarantee.requested")?.unwrap_or(false);
        let size = match (size_at(&b, "space.size")?, &source) {
            (Some(s), _) => s,
            (None, Some((_, src))) => src.size,
            (None, None) => return Err(OntapError::required("space.size")),
        };
        if size == 0 {
            return Err(OntapError::invalid(
                "space.size",
                "LUN size must be greater than 0.",
            ));
        }
        if inv
            .volumes
            .iter()
            .any(|v| v.uuid == volume && v.state != "online")
        {
            return Err(OntapError::new(
                StatusCode::BAD_REQUEST,
                "917533",
                "Cannot create a LUN in an offline volume.",
            ));
        }
        if thick {
            check_space(inv, &volume, size)?;
        }
        if let Some(os) = str_at(&b, "os_type")
            && !LUN_OS_TYPES.contains(&os)
        {
            return Err(OntapError::invalid(
                "os_type",
                format!("Invalid value \"{os}\" for \"os_type\"."),
            ));
        }
        let lun = Lun {
            uuid: uuid::Uuid::new_v4().to_string(),
            volume,
            logical_unit: lun_name,
            svm,
            serial_number: new_serial(inv),
            size,
            thick,
            os_type: str_at(&b, "os_type")
                .map(str::to_string)
                .or_else(|| source.as_ref().map(|(_, s)| s.os_type.clone()))
                .unwrap_or_else(|| "linux".into()),
            enabled: bool_at(&b, "enabled")?.unwrap_or(true),
            create_time: now_iso8601(),
            clone_source: source.map(|(name, _)| name),
            comment: str_at(&b, "comment").unwrap_or_default().to_string(),
            space_allocation: bool_at(&b, "space.scsi_thin_provisioning_support_enabled")?
                .unwrap_or(false),
            qos_policy: str_at(&b, "qos_policy.name").map(str::to_string),
        };
        let record = inv.lun_json(&lun);
        let uuid = lun.uuid.clone();
        inv.luns.push(lun);
        Ok((uuid, record))
    })?;
    let want = q
        .raw
        .iter()
        .any(|(k, v)| k == "return_records" && v == "true");
    let record = want.then_some(record);
    Ok(created(format!("/api/storage/luns/{uuid}"), record))
}

async fn modify(
    State(o): App,
    Path(uuid): Path<String>,
    q: RawQuery,
    bytes: Bytes,
) -> OntapResult<Response> {
    let _q = query(q, Resource::Lun)?;
    let b = body(&bytes, Resource::Lun, Operation::Patch)?;
    o.shared
        .mutate(|inv| -> OntapResult<()> { modify_lun(inv, &uuid, &b) })?;
    Ok(ok_empty())
}

fn modify_lun(inv: &mut Inventory, uuid: &str, b: &Value) -> OntapResult<()> {
    let idx = inv
        .luns
        .iter()
        .position(|l| l.uuid == uuid)
        .ok_or_else(|| OntapError::not_found("uuid"))?;
    if let Some(size) = size_at(b, "space.size")? {
        if size == 0 {
            return Err(OntapError::invalid(
                "space.size",
                "LUN size must be greater than 0.",
            ));
        }
        let lun = &inv.luns[idx];
        if lun.thick && size > lun.size {
            check_space(inv, &lun.volume.clone(), size - lun.size)?;
        }
        inv.luns[idx].size = size;
    }
    if let Some(enabled) = bool_at(b, "enabled")? {
        inv.luns[idx].enabled = enabled;
    }
    if let Some(c) = str_at(b, "comment") {
        inv.luns[idx].comment = c.to_string();
    }
    if let Some(on) = bool_at(b, "space.scsi_thin_provisioning_support_enabled")? {
        inv.luns[idx].space_allocation = on;
    }
    if let Some(policy) = str_at(b, "qos_policy.name") {
        inv.luns[idx].qos_policy = Some(policy.to_string());
    }
    if let Some(os) = str_at(b, "os_type") {
        inv.luns[idx].os_type = os.to_string();
    }
    if let Some(thick) = bool_at(b, "space.guarantee.requested")? {
        if thick && !inv.luns[idx].thick {
            let (vol, size) = (inv.luns[idx].volume.clone(), inv.luns[idx].size);
            check_space(inv, &vol, size)?;
        }
        inv.luns[idx].thick = thick;
    }
    if let Some(path) = str_at(b, "name") {
        let (vol_name, lun_name) = split_path(path)?;
        let svm = inv.luns[idx].svm.clone();
        let volume = volume_in(inv, &svm, vol_name)?;
        if inv
            .luns
            .iter()
            .any(|l| l.uuid != uuid && l.volume == volume && l.logical_unit == lun_name)
        {
            return Err(OntapError::duplicate(format!(
                "A LUN with name \"{path}\" already exists."
            ))
            .target("name"));
        }
        if volume != inv.luns[idx].volume {
            return Err(OntapError::invalid(
                "name",
                "A LUN cannot be moved to another volume by a rename.",
            ));
        }
        inv.luns[idx].logical_unit = lun_name.to_string();
    }
    Ok(())
}

fn delete_lun(inv: &mut Inventory, uuid: &str, q: &OntapQuery) -> OntapResult<()> {
    if !inv.luns.iter().any(|l| l.uuid == uuid) {
        return Err(OntapError::not_found("uuid"));
    }
    if inv.lun_maps.iter().any(|m| m.lun == uuid) {
        if !q.allow_delete_while_mapped {
            return Err(OntapError::new(
                StatusCode::BAD_REQUEST,
                error::LUN_MAPPED,
                "The LUN is mapped. Unmap it first, or set \"allow_delete_while_mapped\" to true.",
            ));
        }
        inv.lun_maps.retain(|m| m.lun != uuid);
    }
    inv.luns.retain(|l| l.uuid != uuid);
    Ok(())
}

async fn delete_one(State(o): App, Path(uuid): Path<String>, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Lun)?;
    o.shared.mutate(|inv| delete_lun(inv, &uuid, &q))?;
    Ok(ok_empty())
}

/// `DELETE /api/storage/luns?name=...&svm.name=...` (or cinder's `svm=`): every match,
/// with the single-object DELETE's parameters (`allow_delete_while_mapped`).
async fn delete_matching(State(o): App, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Lun)?;
    require_filter(&q, "DELETE")?;
    let n = o.shared.mutate(|inv| -> OntapResult<usize> {
        let uuids: Vec<String> = inv
            .luns
            .iter()
            .filter(|l| q.matches(&inv.lun_json(l)))
            .map(|l| l.uuid.clone())
            .collect();
        for u in &uuids {
            delete_lun(inv, u, &q)?;
        }
        Ok(uuids.len())
    })?;
    Ok(axum::Json(serde_json::json!({"num_records": n})).into_response())
}

/// `PATCH /api/storage/luns?svm.name=...&name=...`: every match (Cinder's
/// rename idiom).
async fn modify_matching(State(o): App, q: RawQuery, bytes: Bytes) -> OntapResult<Response> {
    let q = query(q, Resource::Lun)?;
    let b = body(&bytes, Resource::Lun, Operation::Patch)?;
    require_filter(&q, "PATCH")?;
    let n = o.shared.mutate(|inv| -> OntapResult<usize> {
        let uuids: Vec<String> = inv
            .luns
            .iter()
            .filter(|l| q.matches(&inv.lun_json(l)))
            .map(|l| l.uuid.clone())
            .collect();
        for u in &uuids {
            modify_lun(inv, u, &b)?;
        }
        Ok(uuids.len())
    })?;
    Ok(axum::Json(serde_json::json!({"num_records": n})).into_response())
}
