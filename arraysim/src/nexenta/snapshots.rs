//! `/storage/snapshots` (of filesystems, volume groups and zvols, path
//! `dataset@name`): GET (list with `parent=` — the dataset — and
//! `recursive=`, or one), POST `{"path", "recursive"}`, DELETE
//! (`defer=true` keeps a snapshot with clones until its last clone goes,
//! without it a snapshot with clones is 400 `EEXIST`; `recursive=true`
//! also takes the same-named snapshots of the descendants), and the
//! actions `rename` (`{"newName"}`) and `clone` (`{"targetPath", ...}`,
//! async).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};

use super::datasets::{Props, add_logical_unit, check_parent, check_path, check_space};
use super::error::{NefError, NefResult};
use super::inventory::new_dataset;
use super::model::{Appliance, Kind, Snapshot, is_within, new_guid, now_time};
use super::query::{Key, Q};
use super::{App, Body, Injected, Nexenta, created, not_busy, ok};

pub fn routes() -> Router<Arc<Nexenta>> {
    Router::new()
        .route("/storage/snapshots", get(list).post(create))
        .route("/storage/snapshots/{path}", get(one).delete(remove))
        .route("/storage/snapshots/{path}/rename", post(rename))
        .route("/storage/snapshots/{path}/clone", post(clone))
}

fn check_name(name: &str) -> NefResult<()> {
    if name.is_empty()
        || name.len() > 255
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.: ".contains(c))
    {
        return Err(NefError::bad_arg(format!(
            "Invalid snapshot name \"{name}\""
        )));
    }
    Ok(())
}

/// `ds@name` split and checked.
fn split(path: &str) -> NefResult<(String, String)> {
    let (ds, name) = path.split_once('@').ok_or_else(|| {
        NefError::bad_arg(format!(
            "Invalid snapshot path \"{path}\": expected dataset@name"
        ))
    })?;
    check_path(ds)?;
    check_name(name)?;
    Ok((ds.to_string(), name.to_string()))
}

fn find<'a>(a: &'a Appliance, path: &str) -> NefResult<&'a Snapshot> {
    a.snapshot(path)
        .ok_or_else(|| NefError::not_found(format!("Snapshot '{path}' does not exist")))
}

async fn list(State(nx): App, q: Q) -> NefResult<Response> {
    let recursive = q.flag("recursive")?;
    let parent = q.get("parent").map(str::to_string);
    let records = nx.shared.read(|a| {
        a.snapshots
            .iter()
            .filter(|s| match &parent {
                None => true,
                Some(p) if recursive => is_within(&s.dataset, p),
                Some(p) => s.dataset == *p,
            })
            .map(|s| a.snapshot_json(s))
            .collect()
    });
    q.collection(records, &["parent", "recursive"])
}

async fn one(State(nx): App, Key(path): Key, q: Q) -> NefResult<Response> {
    let record = nx
        .shared
        .read(|a| find(a, &path).map(|s| a.snapshot_json(s)))?;
    Ok(q.one(record))
}

async fn create(State(nx): App, bytes: Bytes) -> NefResult<Response> {
    let b = Body::parse(&bytes)?;
    let (ds, name) = split(&b.req_str("path")?)?;
    let recursive = b.bool("recursive")?.unwrap_or(false);
    nx.mutate(|a| {
        not_busy(a, &ds)?;
        if a.dataset(&ds).is_none() {
            return Err(NefError::not_found(format!(
                "Dataset '{ds}' does not exist"
            )));
        }
        let targets: Vec<(String, u64)> = a
            .datasets
            .iter()
            .filter(|d| d.path == ds || (recursive && is_within(&d.path, &ds)))
            .map(|d| (d.path.clone(), d.written))
            .collect();
        if let Some((t, _)) = targets.iter().find(|(t, _)| {
            a.snapshots
                .iter()
                .any(|s| s.dataset == *t && s.name == name)
        }) {
            return Err(NefError::exists(format!(
                "cannot create snapshot '{t}@{name}': dataset already exists"
            )));
        }
        let txg = a.txg();
        let time = now_time();
        for (dataset, referenced) in targets {
            a.snapshots.push(Snapshot {
                dataset,
                name: name.clone(),
                guid: new_guid(),
                creation_time: time.clone(),
                creation_txg: txg,
                referenced,
                defer_destroy: false,
            });
        }
        Ok(())
    })?;
    Ok(created())
}

async fn remove(State(nx): App, Key(path): Key, q: Q) -> NefResult<Response> {
    let defer = q.flag("defer")?;
    let recursive = q.flag("recursive")?;
    let (ds, name) = split(&path)?;
    nx.mutate(|a| {
        not_busy(a, &ds)?;
        find(a, &path)?;
        let victims: Vec<String> = a
            .snapshots
            .iter()
            .filter(|s| {
                s.name == name && (s.dataset == ds || (recursive && is_within(&s.dataset, &ds)))
            })
            .map(|s| s.path())
            .collect();
        if !defer {
            for v in &victims {
                let clones = a.clones_of(v);
                if !clones.is_empty() {
                    return Err(NefError::exists(format!(
                        "cannot destroy snapshot '{v}': snapshot has dependent clones: {}",
                        clones.join(", ")
                    )));
                }
            }
        }
        let with_clones: Vec<String> = victims
            .iter()
            .filter(|v| !a.clones_of(v).is_empty())
            .cloned()
            .collect();
        a.snapshots.retain(|s| {
            let p = s.path();
            !victims.contains(&p) || with_clones.contains(&p)
        });
        for s in &mut a.snapshots {
            if with_clones.contains(&s.path()) {
                s.defer_destroy = true;
            }
        }
        Ok(())
    })?;
    Ok(ok())
}

async fn rename(State(nx): App, Key(path): Key, bytes: Bytes) -> NefResult<Response> {
    let b = Body::parse(&bytes)?;
    let new_name = b.req_str("newName")?;
    check_name(&new_name)?;
    let (ds, _) = split(&path)?;
    nx.mutate(|a| {
        not_busy(a, &ds)?;
        find(a, &path)?;
        let new_path = format!("{ds}@{new_name}");
        if a.snapshot(&new_path).is_some() {
            return Err(NefError::exists(format!(
                "cannot rename to '{new_path}': snapshot already exists"
            )));
        }
        for s in &mut a.snapshots {
            if s.path() == path {
                s.name = new_name.clone();
            }
        }
        for d in &mut a.datasets {
            if d.origin == path {
                d.origin = new_path.clone();
            }
        }
        Ok(())
    })?;
    Ok(ok())
}

async fn clone(
    State(nx): App,
    injected: Injected,
    Key(path): Key,
    bytes: Bytes,
) -> NefResult<Response> {
    let b = Body::parse(&bytes)?;
    let target = b.req_str("targetPath")?;
    check_path(&target)?;
    split(&path)?;
    let kind = nx.shared.read(|a| -> NefResult<Kind> {
        let s = find(a, &path)?;
        Ok(a.dataset(&s.dataset)
            .map(|d| d.kind)
            .unwrap_or(Kind::Filesystem))
    })?;
    let props = Props::parse(&b, kind)?;
    let description = format!("POST /storage/snapshots/{path}/clone");
    let held = target.clone();
    nx.job(
        &injected,
        description,
        &held,
        StatusCode::CREATED,
        move |a| {
            let snap = find(a, &path)?.clone();
            let source = a.dataset(&snap.dataset).cloned().ok_or_else(|| {
                NefError::not_found(format!("Dataset '{}' does not exist", snap.dataset))
            })?;
            if a.dataset(&target).is_some() {
                return Err(NefError::exists(format!(
                    "cannot create '{target}': dataset already exists"
                )));
            }
            if source.pool() != target.split('/').next().unwrap_or_default() {
                return Err(NefError::bad_arg(format!(
                    "cannot create '{target}': a clone must be in the pool of its origin"
                )));
            }
            check_parent(a, &target, kind)?;
            let txg = a.txg();
            let mut d = new_dataset(&target, kind, txg);
            d.origin = path.clone();
            d.compression_mode = source.compression_mode.clone();
            d.dedup_mode = source.dedup_mode.clone();
            d.record_size = source.record_size;
            d.volume_size = source.volume_size;
            d.volume_block_size = source.volume_block_size;
            // A clone reserves nothing unless asked (ZFS sets no refreservation).
            d.sparse = true;
            props.apply(&mut d);
            check_space(a, &target, d.reserved(), "create")?;
            a.datasets.push(d);
            if kind == Kind::Volume {
                add_logical_unit(a, &target);
            }
            Ok(())
        },
    )
}
