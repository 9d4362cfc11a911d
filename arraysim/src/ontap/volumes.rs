//! `/api/storage/volumes` (FlexVols and FlexClones) and
//! `/api/storage/volumes/{uuid}/snapshots`. Every change is a job (202):
//! input that cannot be parsed is refused at once (400); what depends on
//! the cluster (duplicates, space) fails inside the job.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;

use super::error::{self, OntapError, OntapResult};
use super::model::{CloneOrigin, Inventory, Lun, Snapshot, Volume};
use super::query::OntapQuery;
use super::query::SnapshotRef;
use super::schema::{Operation, Resource};
use super::{
    App, Ontap, RawQuery, at, body, bool_at, job_failure, job_reply, jobs_reply, query,
    require_filter, size_at, str_at, svm_of, uint_at,
};
use crate::core::jobs::JobFailure;
use crate::core::server::InjectedJobFailure;
use crate::core::time::now_iso8601;

pub fn routes() -> Router<Arc<Ontap>> {
    Router::new()
        .route(
            "/api/storage/volumes",
            get(list)
                .post(create)
                .patch(modify_matching)
                .delete(remove_matching),
        )
        .route(
            "/api/storage/volumes/{uuid}",
            get(one).patch(modify).delete(remove),
        )
        .route(
            "/api/storage/volumes/{uuid}/snapshots",
            get(snapshots)
                .post(snapshot_create)
                .patch(snapshots_modify_matching)
                .delete(snapshots_delete_matching),
        )
        .route(
            "/api/storage/volumes/{uuid}/snapshots/{snap}",
            get(snapshot).patch(snapshot_modify).delete(snapshot_delete),
        )
}

const KEYS: &[&str] = &["uuid", "name", "svm"];
const SNAP_KEYS: &[&str] = &["uuid", "name"];
/// ONTAP's minimum FlexVol size (its "Minimum size is 20MB" error, code 917534).
const MIN_SIZE: u64 = 20 * 1024 * 1024;

type Injected = Option<axum::Extension<InjectedJobFailure>>;

async fn list(State(o): App, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Volume)?;
    Ok(o.shared.read(|inv| {
        let items = inv
            .volumes
            .iter()
            .map(|v| (v.uuid.as_str(), move || inv.volume_json(v)));
        q.collection_lazy("/api/storage/volumes", items, KEYS)
    }))
}

async fn one(State(o): App, Path(uuid): Path<String>, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Volume)?;
    let r = o.shared.read(|inv| {
        inv.volumes
            .iter()
            .find(|v| v.uuid == uuid)
            .map(|v| inv.volume_json(v))
    });
    Ok(
        axum::Json(q.shape_one(r.ok_or_else(|| OntapError::not_found("uuid"))?, KEYS))
            .into_response(),
    )
}

fn check_size(size: u64) -> OntapResult<()> {
    if size < MIN_SIZE {
        return Err(OntapError::new(
            StatusCode::BAD_REQUEST,
            "917534",
            format!("Size \"{size}B\" is too small. Minimum size is \"20MB\" (\"20971520B\")."),
        )
        .target("size"));
    }
    Ok(())
}

fn check_guarantee(b: &Value) -> OntapResult<Option<String>> {
    match str_at(b, "guarantee.type") {
        None => Ok(None),
        Some(g @ ("none" | "volume")) => Ok(Some(g.to_string())),
        Some(g) => Err(OntapError::invalid(
            "guarantee.type",
            format!("Invalid value \"{g}\" for \"guarantee.type\"."),
        )),
    }
}

/// A volume's settings a create or change may name (`language`, `snapshot_policy.name`,
/// `space.snapshot.reserve_percent`, `efficiency.dedupe`, `efficiency.compression`).
#[derive(Debug, Default)]
struct Settings {
    language: Option<String>,
    snapshot_policy: Option<String>,
    snapshot_reserve_percent: Option<u64>,
    dedupe: Option<String>,
    compression: Option<String>,
}

/// What `efficiency.dedupe` and `efficiency.compression` take.
const EFFICIENCY_MODES: &[&str] = &["none", "background", "inline", "both"];

impl Settings {
    fn from_body(b: &Value) -> OntapResult<Settings> {
        let mode = |path: &str| -> OntapResult<Option<String>> {
            match str_at(b, path) {
                None => Ok(None),
                Some(m) if EFFICIENCY_MODES.contains(&m) => Ok(Some(m.to_string())),
                Some(m) => Err(OntapError::invalid(
                    path,
                    format!("\"{m}\" is an invalid value for field \"{path}\"."),
                )),
            }
        };
        let reserve = uint_at(b, "space.snapshot.reserve_percent")?;
        if reserve.is_some_and(|r| r > 90) {
            return Err(OntapError::invalid(
                "space.snapshot.reserve_percent",
                "The snapshot reserve is 0 to 90 percent of the volume.",
            ));
        }
        Ok(Settings {
            language: str_at(b, "language").map(str::to_string),
            snapshot_policy: str_at(b, "snapshot_policy.name").map(str::to_string),
            snapshot_reserve_percent: reserve,
            dedupe: mode("efficiency.dedupe")?,
            compression: mode("efficiency.compression")?,
        })
    }

    fn apply(self, v: &mut Volume) {
        if let Some(policy) = self.snapshot_policy {
            v.snapshot_policy = policy;
        }
        if let Some(reserve) = self.snapshot_reserve_percent {
            v.snapshot_reserve_percent = reserve;
        }
        if let Some(dedupe) = self.dedupe {
            v.dedupe = dedupe;
        }
        if let Some(compression) = self.compression {
            v.compression = compression;
        }
    }
}

fn no_space(inv: &Inventory, vol: &str, aggr_uuid: &str, need: u64) -> JobFailure {
    let (name, avail) = inv
        .aggregates
        .iter()
        .find(|a| a.uuid == aggr_uuid)
        .map(|a| (a.name.clone(), inv.aggregate_available(a)))
        .unwrap_or_default();
    job_failure(
        error::AGGR_NO_SPACE,
        format!(
            "Request to provision volume \"{vol}\" failed because there is not enough space in aggregate \"{name}\". \
             Either create {}B of free space in the aggregate or select a size of at most {avail}B.",
            need.saturating_sub(avail)
        ),
    )
}

fn policy_id(inv: &Inventory, svm: &str, b: &Value) -> Result<Option<u64>, JobFailure> {
    if let Some(id) = uint_at(b, "nas.export_policy.id").ok().flatten() {
        return inv
            .export_policies
            .iter()
            .find(|p| p.id == id && p.svm == svm)
            .map(|p| Some(p.id))
            .ok_or_else(|| job_failure(4, format!("Export policy {id} does not exist.")));
    }
    match str_at(b, "nas.export_policy.name") {
        None => Ok(None),
        Some(name) => inv
            .export_policies
            .iter()
            .find(|p| p.name == name && p.svm == svm)
            .map(|p| Some(p.id))
            .ok_or_else(|| {
                job_failure(
                    4,
                    format!("Export policy \"{name}\" does not exist in the SVM."),
                )
            }),
    }
}

fn new_snapshot(inv: &Inventory, volume: &str, name: &str, comment: &str) -> Snapshot {
    Snapshot {
        uuid: uuid::Uuid::new_v4().to_string(),
        name: name.to_string(),
        volume: volume.to_string(),
        create_time: now_iso8601(),
        comment: comment.to_string(),
        luns: inv
            .luns
            .iter()
            .filter(|l| l.volume == volume)
            .cloned()
            .collect(),
    }
}

fn serial(inv: &Inventory) -> String {
    use rand::Rng as _;
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

async fn create(
    State(o): App,
    injected: Injected,
    q: RawQuery,
    bytes: Bytes,
) -> OntapResult<Response> {
    let q = query(q, Resource::Volume)?;
    let b = body(&bytes, Resource::Volume, Operation::Post)?;
    let (svm, name) = o.shared.read(|inv| -> OntapResult<(String, String)> {
        Ok((
            svm_of(inv, &b)?,
            str_at(&b, "name")
                .ok_or_else(|| OntapError::required("name"))?
                .to_string(),
        ))
    })?;
    let is_clone = bool_at(&b, "clone.is_flexclone")?.unwrap_or(false);
    let size = size_at(&b, "size")?;
    if let Some(s) = size {
        check_size(s)?;
    }
    if !is_clone && size.is_none() {
        return Err(OntapError::required("size"));
    }
    let guarantee = check_guarantee(&b)?;
    let settings = Settings::from_body(&b)?;
    if let Some(style) = str_at(&b, "style")
        && style != "flexvol"
    {
        return Err(OntapError::invalid(
            "style",
            format!("Volume style \"{style}\" is not simulated: only FlexVol volumes are."),
        ));
    }
    if let Some(kind) = str_at(&b, "type")
        && kind != "rw"
    {
        return Err(OntapError::invalid(
            "type",
            format!("Volume type \"{kind}\" is not simulated: only read-write volumes are."),
        ));
    }
    let svm_for_job = svm.clone();
    // The uuid is the volume's from now on: the 202 names it (`Location`), the job uses it.
    let new_uuid = uuid::Uuid::new_v4().to_string();
    let location = format!("/api/storage/volumes/{new_uuid}");
    let work = move |inv: &mut Inventory| -> Result<(), JobFailure> {
        if inv.volumes.iter().any(|v| v.svm == svm && v.name == name) {
            return Err(
                job_failure(17_235_996, format!("Duplicate volume name \"{name}\".")).with_dup(),
            );
        }
        let policy = policy_id(inv, &svm, &b)?;
        let default_policy = inv
            .export_policies
            .iter()
            .find(|p| p.svm == svm && p.name == "default")
            .map(|p| p.id)
            .unwrap_or(0);
        let nas_path = str_at(&b, "nas.path")
            .filter(|p| !p.is_empty())
            .map(str::to_string);
        let uuid = new_uuid;
        if is_clone {
            let pv = str_at(&b, "clone.parent_volume.name");
            let pu = str_at(&b, "clone.parent_volume.uuid");
            let parent = inv
                .volumes
                .iter()
                .find(|v| {
                    v.svm == svm && (pu == Some(v.uuid.as_str()) || pv == Some(v.name.as_str()))
                })
                .cloned()
                .ok_or_else(|| job_failure(4, "Parent volume does not exist."))?;
            let sn = str_at(&b, "clone.parent_snapshot.name");
            let su = str_at(&b, "clone.parent_snapshot.uuid");
            let snap = if sn.is_none() && su.is_none() {
                let s = new_snapshot(inv, &parent.uuid, &format!("clone_{name}.0"), "");
                inv.snapshots.push(s.clone());
                s
            } else {
                inv.snapshots
                    .iter()
                    .find(|s| {
                        s.volume == parent.uuid
                            && (su == Some(s.uuid.as_str()) || sn == Some(s.name.as_str()))
                    })
                    .cloned()
                    .ok_or_else(|| job_failure(4, "Parent snapshot does not exist."))?
            };
            let guarantee = guarantee.unwrap_or_else(|| parent.guarantee.clone());
            let aggr = inv
                .aggregates
                .iter()
                .find(|a| a.uuid == parent.aggregate)
                .cloned()
                .ok_or_else(|| job_failure(4, "aggregate missing"))?;
            if guarantee == "volume" && parent.size > inv.aggregate_available(&aggr) {
                return Err(no_space(inv, &name, &aggr.uuid, parent.size));
            }
            for l in &snap.luns {
                let lun = Lun {
                    uuid: uuid::Uuid::new_v4().to_string(),
                    volume: uuid.clone(),
                    serial_number: serial(inv),
                    clone_source: None,
                    ..l.clone()
                };
                inv.luns.push(lun);
            }
            inv.volumes.push(Volume {
                uuid,
                name,
                svm: svm.clone(),
                aggregate: parent.aggregate.clone(),
                size: size.unwrap_or(parent.size),
                guarantee,
                state: "online".into(),
                nas_path,
                export_policy: policy.unwrap_or(default_policy),
                clone: Some(CloneOrigin {
                    parent_volume: parent.uuid.clone(),
                    parent_snapshot: snap.uuid.clone(),
                }),
                create_time: now_iso8601(),
                security_style: parent.security_style.clone(),
                comment: str_at(&b, "comment").unwrap_or_default().to_string(),
                language: parent.language.clone(),
                snapshot_policy: settings
                    .snapshot_policy
                    .clone()
                    .unwrap_or_else(|| parent.snapshot_policy.clone()),
                snapshot_reserve_percent: settings
                    .snapshot_reserve_percent
                    .unwrap_or(parent.snapshot_reserve_percent),
                dedupe: settings
                    .dedupe
                    .clone()
                    .unwrap_or_else(|| parent.dedupe.clone()),
                compression: settings
                    .compression
                    .clone()
                    .unwrap_or_else(|| parent.compression.clone()),
            });
            return Ok(());
        }
        let size = size.unwrap_or(MIN_SIZE);
        let an = at(&b, "aggregates")
            .and_then(|a| a.get(0))
            .and_then(|a| a.get("name"))
            .and_then(Value::as_str);
        let au = at(&b, "aggregates")
            .and_then(|a| a.get(0))
            .and_then(|a| a.get("uuid"))
            .and_then(Value::as_str);
        let aggr = if an.is_none() && au.is_none() {
            // No aggregate named: the SVM's aggregate with the most free space (*chosen*).
            let svm_aggrs = inv
                .svm(&svm)
                .map(|s| s.aggregates.clone())
                .unwrap_or_default();
            inv.aggregates
                .iter()
                .filter(|a| svm_aggrs.contains(&a.uuid))
                .max_by_key(|a| inv.aggregate_available(a))
                .cloned()
        } else {
            inv.aggregates
                .iter()
                .find(|a| au == Some(a.uuid.as_str()) || an == Some(a.name.as_str()))
                .cloned()
        }
        .ok_or_else(|| {
            job_failure(
                4,
                format!("Aggregate \"{}\" does not exist.", an.or(au).unwrap_or("")),
            )
        })?;
        let guarantee = guarantee.unwrap_or_else(|| "volume".into());
        if guarantee == "volume" && size > inv.aggregate_available(&aggr) {
            return Err(no_space(inv, &name, &aggr.uuid, size));
        }
        inv.volumes.push(Volume {
            uuid,
            name,
            svm: svm.clone(),
            aggregate: aggr.uuid,
            size,
            guarantee,
            state: "online".into(),
            nas_path,
            export_policy: policy.unwrap_or(default_policy),
            clone: None,
            create_time: now_iso8601(),
            security_style: str_at(&b, "nas.security_style")
                .unwrap_or("unix")
                .to_string(),
            comment: str_at(&b, "comment").unwrap_or_default().to_string(),
            language: settings.language.unwrap_or_else(|| "c.utf_8".into()),
            snapshot_policy: settings.snapshot_policy.unwrap_or_else(|| "default".into()),
            snapshot_reserve_percent: settings.snapshot_reserve_percent.unwrap_or(0),
            dedupe: settings.dedupe.unwrap_or_else(|| "none".into()),
            compression: settings.compression.unwrap_or_else(|| "none".into()),
        });
        Ok(())
    };
    job_reply(
        &o,
        "POST /api/storage/volumes".into(),
        Some(&svm_for_job),
        &q,
        injected.is_some(),
        (StatusCode::CREATED, Some(location)),
        work,
    )
    .await
}

/// Duplicate names fail with ONTAP's "duplicate entry" code inside the job.
trait WithDup {
    fn with_dup(self) -> Self;
}

impl WithDup for JobFailure {
    fn with_dup(mut self) -> Self {
        self.code = 1;
        self
    }
}

/// A volume PATCH: `restore_to` (the query's `restore_to.snapshot.name`/`.uuid`: ONTAP
/// takes the snapshot to restore as query parameters, not in the body), then the body.
fn modify_volume(
    inv: &mut Inventory,
    uuid: &str,
    b: &Value,
    restore_to: Option<&SnapshotRef>,
) -> Result<(), JobFailure> {
    let idx = inv
        .volumes
        .iter()
        .position(|v| v.uuid == uuid)
        .ok_or_else(|| job_failure(4, "entry doesn't exist"))?;
    if let Some(snap) = restore_to {
        let (sn, su) = (snap.name.as_deref(), snap.uuid.as_deref());
        let s = inv
            .snapshots
            .iter()
            .find(|s| {
                s.volume == uuid && (su == Some(s.uuid.as_str()) || sn == Some(s.name.as_str()))
            })
            .cloned()
            .ok_or_else(|| job_failure(4, "Snapshot does not exist."))?;
        inv.luns.retain(|l| l.volume != uuid);
        inv.luns.extend(s.luns.iter().cloned());
        let live: Vec<String> = inv.luns.iter().map(|l| l.uuid.clone()).collect();
        inv.lun_maps.retain(|m| live.contains(&m.lun));
        // Snapshots newer than the restored one are destroyed.
        let newer: Vec<String> = inv
            .snapshots
            .iter()
            .filter(|o| o.volume == uuid && o.create_time > s.create_time)
            .map(|o| o.uuid.clone())
            .collect();
        inv.snapshots.retain(|o| !newer.contains(&o.uuid));
    }
    if let Some(name) = str_at(b, "name") {
        let svm = inv.volumes[idx].svm.clone();
        if inv
            .volumes
            .iter()
            .any(|v| v.uuid != uuid && v.svm == svm && v.name == name)
        {
            return Err(job_failure(1, format!("Duplicate volume name \"{name}\".")));
        }
        inv.volumes[idx].name = name.to_string();
    }
    if let Some(g) = str_at(b, "guarantee.type") {
        inv.volumes[idx].guarantee = g.to_string();
        let v = inv.volumes[idx].clone();
        let aggr = inv
            .aggregates
            .iter()
            .find(|a| a.uuid == v.aggregate)
            .cloned();
        if let Some(a) = aggr
            && inv.aggregate_used(&a) > a.size
        {
            return Err(no_space(inv, &v.name, &a.uuid, v.size));
        }
    }
    if let Some(size) = uint_at(b, "size").ok().flatten() {
        let v = inv.volumes[idx].clone();
        let used = inv.volume_used(&v);
        if size < used {
            return Err(job_failure(
                917_534,
                format!(
                    "Cannot shrink volume \"{}\" below its used size ({used}B).",
                    v.name
                ),
            ));
        }
        if v.guarantee == "volume" && size > v.size {
            let a = inv
                .aggregates
                .iter()
                .find(|a| a.uuid == v.aggregate)
                .cloned()
                .ok_or_else(|| job_failure(4, "aggregate missing"))?;
            if size - v.size > inv.aggregate_available(&a) {
                return Err(no_space(inv, &v.name, &a.uuid, size - v.size));
            }
        }
        inv.volumes[idx].size = size;
    }
    if let Some(state) = str_at(b, "state") {
        inv.volumes[idx].state = state.to_string();
    }
    if let Some(comment) = str_at(b, "comment") {
        inv.volumes[idx].comment = comment.to_string();
    }
    if let Ok(settings) = Settings::from_body(b) {
        settings.apply(&mut inv.volumes[idx]);
    }
    if let Some(path) = at(b, "nas.path").and_then(Value::as_str) {
        inv.volumes[idx].nas_path = (!path.is_empty()).then(|| path.to_string());
    }
    let svm = inv.volumes[idx].svm.clone();
    if let Some(id) = policy_id(inv, &svm, b)? {
        inv.volumes[idx].export_policy = id;
    }
    if bool_at(b, "clone.split_initiated").ok().flatten() == Some(true) {
        if inv.volumes[idx].clone.is_none() {
            return Err(job_failure(2, "The volume is not a FlexClone volume."));
        }
        inv.volumes[idx].clone = None;
    }
    Ok(())
}

/// What a volume PATCH body must be before any job runs.
fn check_change(b: &Value) -> OntapResult<()> {
    if let Some(s) = size_at(b, "size")? {
        check_size(s)?;
    }
    check_guarantee(b)?;
    Settings::from_body(b)?;
    if let Some(s) = str_at(b, "state")
        && !matches!(s, "online" | "offline" | "restricted")
    {
        return Err(OntapError::invalid(
            "state",
            format!("Invalid value \"{s}\" for \"state\"."),
        ));
    }
    Ok(())
}

/// The volumes (uuid and SVM) a query-based PATCH or DELETE's filters match.
fn matching_volumes(o: &Ontap, q: &OntapQuery) -> Vec<(String, String)> {
    o.shared.read(|inv| {
        inv.volumes
            .iter()
            .filter(|v| q.matches(&inv.volume_json(v)))
            .map(|v| (v.uuid.clone(), v.svm.clone()))
            .collect()
    })
}

/// `PATCH /api/storage/volumes?name=...`: one job per volume matched (cinder's
/// `enable_volume_dedupe_async` idiom).
async fn modify_matching(
    State(o): App,
    injected: Injected,
    q: RawQuery,
    bytes: Bytes,
) -> OntapResult<Response> {
    let q = query(q, Resource::Volume)?;
    require_filter(&q, "PATCH")?;
    let b = body(&bytes, Resource::Volume, Operation::Patch)?;
    check_change(&b)?;
    let matched = matching_volumes(&o, &q);
    let svm = matched.first().map(|(_, svm)| svm.clone());
    let works = matched
        .into_iter()
        .map(|(uuid, _)| {
            let (b, restore_to) = (b.clone(), q.restore_to.clone());
            let description = format!("PATCH /api/storage/volumes/{uuid}");
            let work =
                move |inv: &mut Inventory| modify_volume(inv, &uuid, &b, restore_to.as_ref());
            (description, work)
        })
        .collect();
    jobs_reply(&o, svm.as_deref(), &q, injected.is_some(), works).await
}

/// `DELETE /api/storage/volumes?name=...`: one job per volume matched.
async fn remove_matching(State(o): App, injected: Injected, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Volume)?;
    require_filter(&q, "DELETE")?;
    let matched = matching_volumes(&o, &q);
    let svm = matched.first().map(|(_, svm)| svm.clone());
    let works = matched
        .into_iter()
        .map(|(uuid, _)| {
            let description = format!("DELETE /api/storage/volumes/{uuid}");
            (description, move |inv: &mut Inventory| {
                delete_volume(inv, &uuid)
            })
        })
        .collect();
    jobs_reply(&o, svm.as_deref(), &q, injected.is_some(), works).await
}

async fn modify(
    State(o): App,
    Path(uuid): Path<String>,
    injected: Injected,
    q: RawQuery,
    bytes: Bytes,
) -> OntapResult<Response> {
    let q = query(q, Resource::Volume)?;
    let b = body(&bytes, Resource::Volume, Operation::Patch)?;
    let svm = o.shared.read(|inv| {
        inv.volumes
            .iter()
            .find(|v| v.uuid == uuid)
            .map(|v| v.svm.clone())
    });
    let svm = svm.ok_or_else(|| OntapError::not_found("uuid"))?;
    check_change(&b)?;
    let restore_to = q.restore_to.clone();
    let desc = format!("PATCH /api/storage/volumes/{uuid}");
    job_reply(
        &o,
        desc,
        Some(&svm),
        &q,
        injected.is_some(),
        (StatusCode::OK, None),
        move |inv| modify_volume(inv, &uuid, &b, restore_to.as_ref()),
    )
    .await
}

async fn remove(
    State(o): App,
    Path(uuid): Path<String>,
    injected: Injected,
    q: RawQuery,
) -> OntapResult<Response> {
    let q = query(q, Resource::Volume)?;
    let svm = o.shared.read(|inv| {
        inv.volumes
            .iter()
            .find(|v| v.uuid == uuid)
            .map(|v| v.svm.clone())
    });
    let svm = svm.ok_or_else(|| OntapError::not_found("uuid"))?;
    let desc = format!("DELETE /api/storage/volumes/{uuid}");
    job_reply(
        &o,
        desc,
        Some(&svm),
        &q,
        injected.is_some(),
        (StatusCode::OK, None),
        move |inv| delete_volume(inv, &uuid),
    )
    .await
}

/// A volume goes with its LUNs, their maps and its snapshots; not while FlexClones of it
/// remain.
fn delete_volume(inv: &mut Inventory, uuid: &str) -> Result<(), JobFailure> {
    if !inv.volumes.iter().any(|v| v.uuid == uuid) {
        return Err(job_failure(4, "entry doesn't exist"));
    }
    if inv
        .volumes
        .iter()
        .any(|v| v.clone.as_ref().is_some_and(|c| c.parent_volume == uuid))
    {
        return Err(job_failure(
            error::VOL_HAS_CLONES,
            "The volume has FlexClone children; split or delete them first.",
        ));
    }
    let luns: Vec<String> = inv
        .luns
        .iter()
        .filter(|l| l.volume == uuid)
        .map(|l| l.uuid.clone())
        .collect();
    inv.lun_maps.retain(|m| !luns.contains(&m.lun));
    inv.luns.retain(|l| l.volume != uuid);
    inv.snapshots.retain(|s| s.volume != uuid);
    inv.volumes.retain(|v| v.uuid != uuid);
    Ok(())
}

async fn snapshots(State(o): App, Path(uuid): Path<String>, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::Snapshot)?;
    let records = o.shared.read(|inv| {
        inv.volumes.iter().any(|v| v.uuid == uuid).then(|| {
            inv.snapshots
                .iter()
                .filter(|s| s.volume == uuid)
                .map(|s| inv.snapshot_json(s))
                .collect::<Vec<_>>()
        })
    });
    let records = records.ok_or_else(|| OntapError::not_found("volume.uuid"))?;
    Ok(q.collection(
        &format!("/api/storage/volumes/{uuid}/snapshots"),
        records,
        SNAP_KEYS,
    ))
}

async fn snapshot(
    State(o): App,
    Path((uuid, snap)): Path<(String, String)>,
    q: RawQuery,
) -> OntapResult<Response> {
    let q = query(q, Resource::Snapshot)?;
    let r = o.shared.read(|inv| {
        inv.snapshots
            .iter()
            .find(|s| s.volume == uuid && s.uuid == snap)
            .map(|s| inv.snapshot_json(s))
    });
    Ok(
        axum::Json(q.shape_one(r.ok_or_else(|| OntapError::not_found("uuid"))?, SNAP_KEYS))
            .into_response(),
    )
}

async fn snapshot_create(
    State(o): App,
    Path(uuid): Path<String>,
    injected: Injected,
    q: RawQuery,
    bytes: Bytes,
) -> OntapResult<Response> {
    let q = query(q, Resource::Snapshot)?;
    let b = body(&bytes, Resource::Snapshot, Operation::Post)?;
    let svm = o.shared.read(|inv| {
        inv.volumes
            .iter()
            .find(|v| v.uuid == uuid)
            .map(|v| v.svm.clone())
    });
    let svm = svm.ok_or_else(|| OntapError::not_found("volume.uuid"))?;
    let name = str_at(&b, "name")
        .ok_or_else(|| OntapError::required("name"))?
        .to_string();
    let comment = str_at(&b, "comment").unwrap_or_default().to_string();
    let desc = format!("POST /api/storage/volumes/{uuid}/snapshots");
    let snap_uuid = uuid::Uuid::new_v4().to_string();
    let location = format!("/api/storage/volumes/{uuid}/snapshots/{snap_uuid}");
    job_reply(
        &o,
        desc,
        Some(&svm),
        &q,
        injected.is_some(),
        (StatusCode::CREATED, Some(location)),
        move |inv| {
            if !inv.volumes.iter().any(|v| v.uuid == uuid) {
                return Err(job_failure(4, "entry doesn't exist"));
            }
            if inv
                .snapshots
                .iter()
                .any(|s| s.volume == uuid && s.name == name)
            {
                return Err(job_failure(
                    1,
                    format!("Snapshot copy \"{name}\" already exists."),
                ));
            }
            let mut s = new_snapshot(inv, &uuid, &name, &comment);
            s.uuid = snap_uuid;
            inv.snapshots.push(s);
            Ok(())
        },
    )
    .await
}

async fn snapshot_delete(
    State(o): App,
    Path((uuid, snap)): Path<(String, String)>,
    injected: Injected,
    q: RawQuery,
) -> OntapResult<Response> {
    let q = query(q, Resource::Snapshot)?;
    let svm = o.shared.read(|inv| {
        inv.snapshots
            .iter()
            .any(|s| s.volume == uuid && s.uuid == snap)
            .then(|| {
                inv.volumes
                    .iter()
                    .find(|v| v.uuid == uuid)
                    .map(|v| v.svm.clone())
            })
            .flatten()
    });
    let svm = svm.ok_or_else(|| OntapError::not_found("uuid"))?;
    let desc = format!("DELETE /api/storage/volumes/{uuid}/snapshots/{snap}");
    job_reply(
        &o,
        desc,
        Some(&svm),
        &q,
        injected.is_some(),
        (StatusCode::OK, None),
        move |inv| delete_snapshot(inv, &snap),
    )
    .await
}

/// A snapshot goes, unless a FlexClone was made from it.
fn delete_snapshot(inv: &mut Inventory, snap: &str) -> Result<(), JobFailure> {
    if !inv.snapshots.iter().any(|s| s.uuid == snap) {
        return Err(job_failure(4, "entry doesn't exist"));
    }
    if inv
        .volumes
        .iter()
        .any(|v| v.clone.as_ref().is_some_and(|c| c.parent_snapshot == snap))
    {
        return Err(job_failure(
            1_638_555,
            "The Snapshot copy is in use by a FlexClone volume.",
        ));
    }
    inv.snapshots.retain(|s| s.uuid != snap);
    Ok(())
}

/// A snapshot's new name (unique in its volume) or comment.
fn modify_snapshot(inv: &mut Inventory, snap: &str, b: &Value) -> Result<(), JobFailure> {
    let idx = inv
        .snapshots
        .iter()
        .position(|s| s.uuid == snap)
        .ok_or_else(|| job_failure(4, "entry doesn't exist"))?;
    if let Some(name) = str_at(b, "name") {
        let volume = inv.snapshots[idx].volume.clone();
        if inv
            .snapshots
            .iter()
            .any(|s| s.volume == volume && s.uuid != snap && s.name == name)
        {
            return Err(job_failure(
                1,
                format!("Snapshot copy \"{name}\" already exists."),
            ));
        }
        inv.snapshots[idx].name = name.to_string();
    }
    if let Some(comment) = str_at(b, "comment") {
        inv.snapshots[idx].comment = comment.to_string();
    }
    Ok(())
}

/// The SVM of a volume, or 404 naming `target`.
fn volume_svm(o: &Ontap, uuid: &str, target: &str) -> OntapResult<String> {
    o.shared
        .read(|inv| {
            inv.volumes
                .iter()
                .find(|v| v.uuid == uuid)
                .map(|v| v.svm.clone())
        })
        .ok_or_else(|| OntapError::not_found(target))
}

/// `PATCH /api/storage/volumes/{uuid}/snapshots/{snap}`: rename or comment (a job).
async fn snapshot_modify(
    State(o): App,
    Path((uuid, snap)): Path<(String, String)>,
    injected: Injected,
    q: RawQuery,
    bytes: Bytes,
) -> OntapResult<Response> {
    let q = query(q, Resource::Snapshot)?;
    let b = body(&bytes, Resource::Snapshot, Operation::Patch)?;
    let svm = volume_svm(&o, &uuid, "volume.uuid")?;
    let exists = o.shared.read(|inv| {
        inv.snapshots
            .iter()
            .any(|s| s.volume == uuid && s.uuid == snap)
    });
    if !exists {
        return Err(OntapError::not_found("uuid"));
    }
    let desc = format!("PATCH /api/storage/volumes/{uuid}/snapshots/{snap}");
    job_reply(
        &o,
        desc,
        Some(&svm),
        &q,
        injected.is_some(),
        (StatusCode::OK, None),
        move |inv| modify_snapshot(inv, &snap, &b),
    )
    .await
}

/// The snapshots of volume `uuid` a query-based PATCH or DELETE's filters match.
fn matching_snapshots(o: &Ontap, uuid: &str, q: &OntapQuery) -> Vec<String> {
    o.shared.read(|inv| {
        inv.snapshots
            .iter()
            .filter(|s| s.volume == uuid && q.matches(&inv.snapshot_json(s)))
            .map(|s| s.uuid.clone())
            .collect()
    })
}

/// `DELETE /api/storage/volumes/{uuid}/snapshots?name=...` (cinder's `delete_snapshot`):
/// one job per snapshot matched.
async fn snapshots_delete_matching(
    State(o): App,
    Path(uuid): Path<String>,
    injected: Injected,
    q: RawQuery,
) -> OntapResult<Response> {
    let q = query(q, Resource::Snapshot)?;
    require_filter(&q, "DELETE")?;
    let svm = volume_svm(&o, &uuid, "volume.uuid")?;
    let works = matching_snapshots(&o, &uuid, &q)
        .into_iter()
        .map(|snap| {
            let description = format!("DELETE /api/storage/volumes/{uuid}/snapshots/{snap}");
            (description, move |inv: &mut Inventory| {
                delete_snapshot(inv, &snap)
            })
        })
        .collect();
    jobs_reply(&o, Some(&svm), &q, injected.is_some(), works).await
}

/// `PATCH /api/storage/volumes/{uuid}/snapshots?name=...`: one job per snapshot matched.
async fn snapshots_modify_matching(
    State(o): App,
    Path(uuid): Path<String>,
    injected: Injected,
    q: RawQuery,
    bytes: Bytes,
) -> OntapResult<Response> {
    let q = query(q, Resource::Snapshot)?;
    require_filter(&q, "PATCH")?;
    let b = body(&bytes, Resource::Snapshot, Operation::Patch)?;
    let svm = volume_svm(&o, &uuid, "volume.uuid")?;
    let works = matching_snapshots(&o, &uuid, &q)
        .into_iter()
        .map(|snap| {
            let b = b.clone();
            let description = format!("PATCH /api/storage/volumes/{uuid}/snapshots/{snap}");
            (description, move |inv: &mut Inventory| {
                modify_snapshot(inv, &snap, &b)
            })
        })
        .collect();
    jobs_reply(&o, Some(&svm), &q, injected.is_some(), works).await
}
