//! `/storage/filesystems`, `/storage/volumeGroups` and `/storage/volumes`
//! (zvols): GET (list with `parent=`/`recursive=`, or one by URL-encoded
//! path), POST (async create), PUT (changes), DELETE (async, `snapshots=`,
//! `force=`), and the actions `rename` (`{"newPath"}`), `promote` (async),
//! `rollback` (`{"snapshot"}`, async), `mount`, `unmount`, `acl`.
//!
//! Input that cannot be parsed is refused at once (400 `EBADARG`); what
//! depends on the appliance (exists, parent, space, clones) is checked
//! inside the job, whose `/jobStatus` then carries the error.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;

use super::error::{NefError, NefResult};
use super::inventory::new_dataset;
use super::model::{Appliance, Dataset, Kind, LogicalUnit, hex, is_within, parent_of};
use super::query::{Key, Q};
use super::{App, Body, Injected, Nexenta, not_busy, ok};

const COMPRESSION: &[&str] = &[
    "off", "on", "lz4", "lzjb", "zle", "gzip", "gzip-1", "gzip-2", "gzip-3", "gzip-4", "gzip-5",
    "gzip-6", "gzip-7", "gzip-8", "gzip-9",
];
const DEDUP: &[&str] = &[
    "off",
    "on",
    "verify",
    "sha256",
    "sha256,verify",
    "sha256, verify",
];

fn root(kind: Kind) -> &'static str {
    match kind {
        Kind::Filesystem => "/storage/filesystems",
        Kind::VolumeGroup => "/storage/volumeGroups",
        Kind::Volume => "/storage/volumes",
    }
}

pub fn routes() -> Router<Arc<Nexenta>> {
    let mut router = Router::new();
    for kind in [Kind::Filesystem, Kind::VolumeGroup, Kind::Volume] {
        let base = root(kind);
        router = router
            .route(
                base,
                get(move |s: App, q: Q| list(s, q, kind))
                    .post(move |s: App, i: Injected, b: Bytes| create(s, i, b, kind)),
            )
            .route(
                &format!("{base}/{{path}}"),
                get(move |s: App, k: Key, q: Q| one(s, k, q, kind))
                    .put(move |s: App, k: Key, b: Bytes| modify(s, k, b, kind))
                    .delete(move |s: App, i: Injected, k: Key, q: Q| remove(s, i, k, q, kind)),
            )
            .route(
                &format!("{base}/{{path}}/rename"),
                post(move |s: App, k: Key, b: Bytes| rename(s, k, b, kind)),
            )
            .route(
                &format!("{base}/{{path}}/rollback"),
                post(move |s: App, i: Injected, k: Key, b: Bytes| rollback(s, i, k, b, kind)),
            );
        if kind != Kind::VolumeGroup {
            router = router.route(
                &format!("{base}/{{path}}/promote"),
                post(move |s: App, i: Injected, k: Key| promote(s, i, k, kind)),
            );
        }
    }
    router
        .route(
            "/storage/filesystems/{path}/mount",
            post(|s: App, k: Key| mount(s, k, true)),
        )
        .route(
            "/storage/filesystems/{path}/unmount",
            post(|s: App, k: Key| mount(s, k, false)),
        )
        .route("/storage/filesystems/{path}/acl", post(acl))
}

/// A valid dataset path: `pool[/name]...`, ZFS characters only.
pub fn check_path(path: &str) -> NefResult<()> {
    let ok = !path.is_empty()
        && path.len() <= 255
        && path.split('/').all(|c| {
            !c.is_empty()
                && c.chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || "_-.: ".contains(ch))
        });
    if ok {
        Ok(())
    } else {
        Err(NefError::bad_arg(format!(
            "Invalid dataset path \"{path}\""
        )))
    }
}

/// The dataset at `path` of `kind`, or 404 ENOENT.
pub fn find<'a>(a: &'a Appliance, path: &str, kind: Kind) -> NefResult<&'a Dataset> {
    a.dataset(path)
        .filter(|d| d.kind == kind)
        .ok_or_else(|| NefError::not_found(format!("{} '{path}' does not exist", capital(kind))))
}

fn capital(kind: Kind) -> String {
    let noun = kind.noun();
    noun[..1].to_uppercase() + &noun[1..]
}

async fn list(State(nx): App, q: Q, kind: Kind) -> NefResult<Response> {
    let recursive = q.flag("recursive")?;
    let parent = q.get("parent").map(str::to_string);
    nx.shared.read(|a| {
        let space = a.space();
        let items: Vec<&Dataset> = a
            .datasets
            .iter()
            .filter(|d| d.kind == kind)
            .filter(|d| match &parent {
                None => true,
                Some(p) => {
                    d.path == *p
                        || if recursive {
                            is_within(&d.path, p)
                        } else {
                            d.parent() == p
                        }
                }
            })
            .collect();
        q.collection_of(items, &["parent", "recursive"], |d| {
            a.dataset_json(d, &space)
        })
    })
}

async fn one(State(nx): App, Key(path): Key, q: Q, kind: Kind) -> NefResult<Response> {
    let record = nx.shared.read(|a| {
        find(a, &path, kind).map(|d| {
            let space = a.space();
            a.dataset_json(d, &space)
        })
    })?;
    Ok(q.one(record))
}

fn power_of_two_in(v: u64, lo: u64, hi: u64) -> bool {
    v.is_power_of_two() && (lo..=hi).contains(&v)
}

fn block_size(b: &Body) -> NefResult<Option<u64>> {
    match b.u64("volumeBlockSize")? {
        Some(v) if !power_of_two_in(v, 512, 131_072) => Err(NefError::bad_arg(format!(
            "Invalid value {v} for property \"volumeBlockSize\": a power of 2 from 512 to 131072"
        ))),
        other => Ok(other),
    }
}

fn record_size(b: &Body) -> NefResult<Option<u64>> {
    match b.u64("recordSize")? {
        Some(v) if !power_of_two_in(v, 512, 1_048_576) => Err(NefError::bad_arg(format!(
            "Invalid value {v} for property \"recordSize\": a power of 2 from 512 to 1048576"
        ))),
        other => Ok(other),
    }
}

/// Properties any dataset PUT or create may set (validated up front).
#[derive(Clone, Default)]
pub struct Props {
    compression: Option<String>,
    dedup: Option<String>,
    read_only: Option<bool>,
    quota: Option<u64>,
    reservation: Option<u64>,
    record_size: Option<u64>,
    nbmand: Option<bool>,
    smart_compression: Option<bool>,
    volume_size: Option<u64>,
    block_size: Option<u64>,
    sparse: Option<bool>,
}

impl Props {
    /// Read and check the properties `kind` has.
    pub fn parse(b: &Body, kind: Kind) -> NefResult<Props> {
        let mut p = Props {
            compression: b.choice("compressionMode", COMPRESSION)?,
            dedup: b.choice("dedupMode", DEDUP)?,
            read_only: b.bool("readOnly")?,
            ..Props::default()
        };
        match kind {
            Kind::Filesystem => {
                p.quota = b.u64("referencedQuotaSize")?;
                p.reservation = b.u64("referencedReservationSize")?;
                p.record_size = record_size(b)?;
                p.nbmand = b.bool("nonBlockingMandatoryMode")?;
                p.smart_compression = b.bool("smartCompression")?;
            }
            Kind::VolumeGroup => p.block_size = block_size(b)?,
            Kind::Volume => {
                p.volume_size = b.u64("volumeSize")?;
                p.block_size = block_size(b)?;
                p.sparse = b.bool("sparseVolume")?;
                if p.volume_size == Some(0) {
                    return Err(NefError::bad_arg("\"volumeSize\" must be greater than 0"));
                }
            }
        }
        Ok(p)
    }

    /// Apply to `d`.
    pub fn apply(&self, d: &mut Dataset) {
        if let Some(v) = &self.compression {
            d.compression_mode = v.clone();
        }
        if let Some(v) = &self.dedup {
            d.dedup_mode = v.clone();
        }
        let set = |slot: &mut u64, v: Option<u64>| {
            if let Some(v) = v {
                *slot = v;
            }
        };
        let set_bool = |slot: &mut bool, v: Option<bool>| {
            if let Some(v) = v {
                *slot = v;
            }
        };
        set_bool(&mut d.read_only, self.read_only);
        set(&mut d.quota, self.quota);
        set(&mut d.reservation, self.reservation);
        set(&mut d.record_size, self.record_size);
        set_bool(&mut d.non_blocking_mandatory_mode, self.nbmand);
        set_bool(&mut d.smart_compression, self.smart_compression);
        set(&mut d.volume_size, self.volume_size);
        set(&mut d.volume_block_size, self.block_size);
        set_bool(&mut d.sparse, self.sparse);
    }
}

/// ENOSPC when the pool of `path` has less than `need` more bytes free.
pub fn check_space(a: &Appliance, path: &str, need: u64, action: &str) -> NefResult<()> {
    let pool = path.split('/').next().unwrap_or_default();
    let free = a.space().pool_free(pool);
    if need > free {
        return Err(NefError::no_space(format!(
            "cannot {action} '{path}': out of space ({need} bytes needed, {free} bytes available in pool '{pool}')"
        )));
    }
    Ok(())
}

/// zvol sizes are whole blocks.
fn check_volume_size(size: u64, block: u64) -> NefResult<()> {
    if block > 0 && !size.is_multiple_of(block) {
        return Err(NefError::bad_arg(format!(
            "\"volumeSize\" {size} must be a multiple of \"volumeBlockSize\" {block}"
        )));
    }
    Ok(())
}

/// The kind a new dataset's parent must have.
pub fn check_parent(a: &Appliance, path: &str, kind: Kind) -> NefResult<()> {
    let parent = parent_of(path);
    if parent.is_empty() {
        return Err(NefError::bad_arg(format!(
            "cannot create '{path}': pools are not created through this API"
        )));
    }
    let p = a.dataset(parent).ok_or_else(|| {
        NefError::not_found(format!(
            "cannot create '{path}': parent '{parent}' does not exist"
        ))
    })?;
    let wanted = match kind {
        Kind::Volume => Kind::VolumeGroup,
        _ => Kind::Filesystem,
    };
    if p.kind != wanted {
        return Err(NefError::bad_arg(format!(
            "cannot create '{path}': parent '{parent}' is a {}, a {} must be in a {}",
            p.kind.noun(),
            kind.noun(),
            wanted.noun()
        )));
    }
    Ok(())
}

/// A new zvol's logical unit.
pub fn add_logical_unit(a: &mut Appliance, volume: &str) {
    a.logical_units.push(LogicalUnit {
        guid: format!("600144F0{}", hex(24)),
        volume: volume.to_string(),
        alias: volume.to_string(),
        writeback_cache_disabled: true,
    });
}

async fn create(
    State(nx): App,
    injected: Injected,
    bytes: Bytes,
    kind: Kind,
) -> NefResult<Response> {
    let b = Body::parse(&bytes)?;
    let path = b.req_str("path")?;
    check_path(&path)?;
    let props = Props::parse(&b, kind)?;
    if kind == Kind::Volume && props.volume_size.is_none() {
        return Err(super::missing("volumeSize"));
    }
    let description = format!("POST {}", root(kind));
    let target = path.clone();
    nx.job(
        &injected,
        description,
        &target,
        StatusCode::CREATED,
        move |a| {
            if a.dataset(&path).is_some() {
                return Err(NefError::exists(format!(
                    "cannot create '{path}': dataset already exists"
                )));
            }
            check_parent(a, &path, kind)?;
            let txg = a.txg();
            let mut d = new_dataset(&path, kind, txg);
            if kind == Kind::Volume {
                // A zvol inherits its group's block size.
                d.volume_block_size = a
                    .dataset(parent_of(&path))
                    .map(|p| p.volume_block_size)
                    .unwrap_or(32_768);
            }
            props.apply(&mut d);
            if kind == Kind::Volume {
                check_volume_size(d.volume_size, d.volume_block_size)?;
            }
            check_space(a, &path, d.reserved(), "create")?;
            a.datasets.push(d);
            if kind == Kind::Volume {
                add_logical_unit(a, &path);
            }
            Ok(())
        },
    )
}

async fn modify(State(nx): App, Key(path): Key, bytes: Bytes, kind: Kind) -> NefResult<Response> {
    let b = Body::parse(&bytes)?;
    let props = Props::parse(&b, kind)?;
    if kind == Kind::Volume && props.block_size.is_some() {
        return Err(NefError::bad_arg(
            "\"volumeBlockSize\" of a volume cannot be changed after creation",
        ));
    }
    nx.mutate(|a| {
        not_busy(a, &path)?;
        let before = find(a, &path, kind)?.clone();
        let mut after = before.clone();
        props.apply(&mut after);
        if kind == Kind::Volume {
            check_volume_size(after.volume_size, after.volume_block_size)?;
        }
        let grow = after.own_charge().saturating_sub(before.own_charge());
        if grow > 0 {
            check_space(a, &path, grow, "set properties of")?;
        }
        if let Some(d) = a.dataset_mut(&path) {
            *d = after;
        }
        Ok(())
    })?;
    Ok(ok())
}

/// Remove snapshots whose deferred destroy can now happen.
pub fn reap_deferred(a: &mut Appliance) {
    loop {
        let gone: Vec<String> = a
            .snapshots
            .iter()
            .filter(|s| s.defer_destroy)
            .map(|s| s.path())
            .filter(|p| a.clones_of(p).is_empty())
            .collect();
        if gone.is_empty() {
            return;
        }
        a.snapshots.retain(|s| !gone.contains(&s.path()));
    }
}

async fn remove(
    State(nx): App,
    injected: Injected,
    Key(path): Key,
    q: Q,
    kind: Kind,
) -> NefResult<Response> {
    let with_snapshots = q.flag("snapshots")?;
    q.flag("force")?;
    let description = format!("DELETE {}/{path}", root(kind));
    // ENOENT at once, so that clients which ignore it need not poll.
    nx.shared.read(|a| find(a, &path, kind).map(|_| ()))?;
    let target = path.clone();
    nx.job(&injected, description, &target, StatusCode::OK, move |a| {
        let d = find(a, &path, kind)?;
        if d.parent().is_empty() {
            return Err(NefError::bad_arg(format!(
                "cannot destroy '{path}': it is the root filesystem of a pool"
            )));
        }
        if let Some(child) = a.datasets.iter().find(|c| c.parent() == path) {
            return Err(NefError::exists(format!(
                "cannot destroy '{path}': {} has children (e.g. '{}')",
                kind.noun(),
                child.path
            )));
        }
        let snaps: Vec<String> = a
            .snapshots
            .iter()
            .filter(|s| s.dataset == path)
            .map(|s| s.path())
            .collect();
        for s in &snaps {
            let clones = a.clones_of(s);
            if !clones.is_empty() {
                return Err(NefError::exists(format!(
                    "cannot destroy '{path}': snapshot '{s}' has dependent clones: {}",
                    clones.join(", ")
                )));
            }
        }
        if !snaps.is_empty() && !with_snapshots {
            return Err(NefError::exists(format!(
                "cannot destroy '{path}': {} has snapshots (use snapshots=true)",
                kind.noun()
            )));
        }
        if let Some(m) = a.mappings.iter().find(|m| m.volume == path) {
            return Err(NefError::in_use(format!(
                "cannot destroy '{path}': volume is in use by LUN mapping '{}'",
                m.id
            )));
        }
        a.datasets.retain(|x| x.path != path);
        a.snapshots.retain(|s| s.dataset != path);
        a.logical_units.retain(|l| l.volume != path);
        a.nfs.retain(|s| s.filesystem != path);
        reap_deferred(a);
        Ok(())
    })
}

/// Replace the dataset prefix `old` by `new` wherever a path refers to it.
fn rename_prefix(a: &mut Appliance, old: &str, new: &str) {
    let moved = |s: &mut String| {
        let base_len = s.find('@').unwrap_or(s.len());
        if is_within(&s[..base_len], old) {
            *s = format!("{new}{}", &s[old.len()..]);
        }
    };
    for d in &mut a.datasets {
        moved(&mut d.path);
        moved(&mut d.origin);
    }
    for s in &mut a.snapshots {
        moved(&mut s.dataset);
    }
    for m in &mut a.mappings {
        moved(&mut m.volume);
    }
    for l in &mut a.logical_units {
        moved(&mut l.volume);
    }
    for s in &mut a.nfs {
        moved(&mut s.filesystem);
    }
}

async fn rename(State(nx): App, Key(path): Key, bytes: Bytes, kind: Kind) -> NefResult<Response> {
    let b = Body::parse(&bytes)?;
    let new_path = b.req_str("newPath")?;
    check_path(&new_path)?;
    nx.mutate(|a| {
        not_busy(a, &path)?;
        let d = find(a, &path, kind)?;
        if d.parent().is_empty() {
            return Err(NefError::bad_arg(
                "a pool's root filesystem cannot be renamed",
            ));
        }
        if d.pool() != new_path.split('/').next().unwrap_or_default() {
            return Err(NefError::bad_arg(format!(
                "cannot rename '{path}' to '{new_path}': datasets cannot move between pools"
            )));
        }
        if is_within(&new_path, &path) {
            return Err(NefError::bad_arg(format!(
                "cannot rename '{path}' to '{new_path}': a dataset cannot move below itself"
            )));
        }
        if a.dataset(&new_path).is_some() {
            return Err(NefError::exists(format!(
                "cannot rename to '{new_path}': dataset already exists"
            )));
        }
        check_parent(a, &new_path, kind)?;
        rename_prefix(a, &path, &new_path);
        Ok(())
    })?;
    Ok(ok())
}

async fn promote(
    State(nx): App,
    injected: Injected,
    Key(path): Key,
    kind: Kind,
) -> NefResult<Response> {
    nx.shared.read(|a| find(a, &path, kind).map(|_| ()))?;
    let target = path.clone();
    let description = format!("POST {}/{path}/promote", root(kind));
    nx.job(&injected, description, &target, StatusCode::OK, move |a| {
        let clone = find(a, &path, kind)?;
        let origin = clone.origin.clone();
        let Some((source, _)) = origin.split_once('@') else {
            return Err(NefError::bad_arg(format!(
                "cannot promote '{path}': not a cloned {}",
                kind.noun()
            )));
        };
        let source = source.to_string();
        let txg = a.snapshot(&origin).map(|s| s.creation_txg).ok_or_else(|| {
            NefError::not_found(format!("origin snapshot '{origin}' does not exist"))
        })?;
        let moving: Vec<String> = a
            .snapshots
            .iter()
            .filter(|s| s.dataset == source && s.creation_txg <= txg)
            .map(|s| s.name.clone())
            .collect();
        if let Some(n) = moving.iter().find(|n| {
            a.snapshots
                .iter()
                .any(|s| s.dataset == path && &s.name == *n)
        }) {
            return Err(NefError::exists(format!(
                "cannot promote '{path}': it already has a snapshot named '{n}'"
            )));
        }
        let source_origin = a
            .dataset(&source)
            .map(|d| d.origin.clone())
            .unwrap_or_default();
        for s in &mut a.snapshots {
            if s.dataset == source && moving.contains(&s.name) {
                s.dataset = path.clone();
            }
        }
        for d in &mut a.datasets {
            if let Some((ds, name)) = d.origin.split_once('@')
                && ds == source
                && moving.iter().any(|n| n == name)
            {
                d.origin = format!("{path}@{name}");
            }
        }
        if let Some(d) = a.dataset_mut(&path) {
            d.origin = source_origin;
        }
        // The former origin now depends on the promoted clone.
        let snapshot_name = origin.split_once('@').map(|(_, n)| n).unwrap_or_default();
        if let Some(d) = a.dataset_mut(&source) {
            d.origin = format!("{path}@{snapshot_name}");
        }
        Ok(())
    })
}

async fn rollback(
    State(nx): App,
    injected: Injected,
    Key(path): Key,
    bytes: Bytes,
    kind: Kind,
) -> NefResult<Response> {
    let b = Body::parse(&bytes)?;
    let snapshot = b.req_str("snapshot")?;
    let name = match snapshot.split_once('@') {
        Some((ds, name)) if ds == path => name.to_string(),
        Some(_) => {
            return Err(NefError::bad_arg(format!(
                "snapshot '{snapshot}' is not a snapshot of '{path}'"
            )));
        }
        None => snapshot,
    };
    nx.shared.read(|a| find(a, &path, kind).map(|_| ()))?;
    let target = path.clone();
    let description = format!("POST {}/{path}/rollback", root(kind));
    nx.job(&injected, description, &target, StatusCode::OK, move |a| {
        find(a, &path, kind)?;
        let snap = a
            .snapshots
            .iter()
            .find(|s| s.dataset == path && s.name == name)
            .cloned()
            .ok_or_else(|| {
                NefError::not_found(format!("Snapshot '{path}@{name}' does not exist"))
            })?;
        let newer: Vec<String> = a
            .snapshots
            .iter()
            .filter(|s| s.dataset == path && s.creation_txg > snap.creation_txg)
            .map(|s| s.path())
            .collect();
        for s in &newer {
            if !a.clones_of(s).is_empty() {
                return Err(NefError::exists(format!(
                    "cannot rollback to '{path}@{name}': later snapshot '{s}' has dependent clones"
                )));
            }
        }
        a.snapshots
            .retain(|s| !(s.dataset == path && s.creation_txg > snap.creation_txg));
        if let Some(d) = a.dataset_mut(&path) {
            d.written = snap.referenced;
        }
        Ok(())
    })
}

async fn mount(State(nx): App, Key(path): Key, mounted: bool) -> NefResult<Response> {
    nx.mutate(|a| {
        not_busy(a, &path)?;
        find(a, &path, Kind::Filesystem)?;
        if let Some(d) = a.dataset_mut(&path) {
            d.mounted = mounted;
        }
        Ok(())
    })?;
    Ok(ok())
}

async fn acl(State(nx): App, Key(path): Key, bytes: Bytes) -> NefResult<Response> {
    let b = Body::parse(&bytes)?;
    let kind = b
        .choice("type", &["allow", "deny"])?
        .ok_or_else(|| super::missing("type"))?;
    let principal = b.req_str("principal")?;
    let permissions = b
        .str_list("permissions")?
        .ok_or_else(|| super::missing("permissions"))?;
    let flags = b.str_list("flags")?.unwrap_or_default();
    nx.mutate(|a| {
        find(a, &path, Kind::Filesystem)?;
        if let Some(d) = a.dataset_mut(&path) {
            d.acl.push(json!({"type": kind, "principal": principal, "permissions": permissions, "flags": flags}));
        }
        Ok(())
    })?;
    Ok(ok())
}
