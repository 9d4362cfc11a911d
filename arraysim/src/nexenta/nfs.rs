//! `/nas/nfs[/{filesystem}]`: NFS shares keyed by filesystem path
//! (`filesystem`, `mountPoint`, `shareState`, `anon`, `readOnly`,
//! `nohide`, `securityContexts`); the filesystem's `sharedOverNfs`
//! follows. `securityContexts` are `[{"securityModes": ["sys"|"krb5"|...],
//! "readWriteList"|"readOnlyList"|"root"|"none": [{"etype":
//! "network"|"fqdn"|"domain"|"netgroup", "entity", "mask", "allow"}]}]`.
//! The list names are manila's (`nexenta_nas.py`: `readWriteList`, `readOnlyList`,
//! `root`, `none`).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value};

use super::error::{NefError, NefResult};
use super::model::{Appliance, Kind, NfsShare};
use super::query::{Key, Q};
use super::{App, Body, Nexenta, created, not_busy, ok};

pub fn routes() -> Router<Arc<Nexenta>> {
    Router::new()
        .route("/nas/nfs", get(list).post(create))
        .route("/nas/nfs/{path}", get(one).put(modify).delete(remove))
}

const MODES: &[&str] = &["sys", "none", "krb5", "krb5i", "krb5p", "dh"];
const LISTS: &[&str] = &["readWriteList", "readOnlyList", "root", "none"];
const ETYPES: &[&str] = &["network", "fqdn", "domain", "netgroup"];

fn bad(message: impl Into<String>) -> NefError {
    NefError::bad_arg(message)
}

/// Check `securityContexts` and return them as stored.
fn security_contexts(b: &Body) -> NefResult<Option<Vec<Value>>> {
    let Some(v) = b.0.get("securityContexts").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let items = v
        .as_array()
        .ok_or_else(|| super::wrong_type("securityContexts", "an array"))?;
    let mut out = Vec::new();
    for item in items {
        let ctx = item
            .as_object()
            .ok_or_else(|| bad("each security context must be an object"))?;
        let mut kept = Map::new();
        let modes = match ctx.get("securityModes") {
            None => vec![Value::from("sys")],
            Some(Value::Array(m)) => m.clone(),
            Some(_) => return Err(bad("\"securityModes\" must be an array")),
        };
        for m in &modes {
            match m.as_str() {
                Some(s) if MODES.contains(&s) => {}
                _ => return Err(bad(format!("Invalid security mode {m}"))),
            }
        }
        kept.insert("securityModes".into(), Value::Array(modes));
        for list in LISTS {
            let Some(entries) = ctx.get(*list) else {
                continue;
            };
            let entries = entries
                .as_array()
                .ok_or_else(|| bad(format!("\"{list}\" must be an array")))?;
            for e in entries {
                let etype = e["etype"].as_str().unwrap_or_default();
                if !ETYPES.contains(&etype) {
                    return Err(bad(format!("Invalid \"etype\" in {list}: {e}")));
                }
                if e["entity"].as_str().is_none_or(str::is_empty) {
                    return Err(bad(format!("\"entity\" is required in {list}: {e}")));
                }
                match &e["mask"] {
                    Value::Null => {}
                    m if m.as_u64().is_some_and(|m| m <= 128) => {}
                    _ => return Err(bad(format!("Invalid \"mask\" in {list}: {e}"))),
                }
                if !(e["allow"].is_null() || e["allow"].is_boolean()) {
                    return Err(bad(format!("\"allow\" must be a boolean in {list}")));
                }
            }
            kept.insert((*list).into(), Value::Array(entries.clone()));
        }
        out.push(Value::Object(kept));
    }
    Ok(Some(out))
}

async fn list(State(nx): App, q: Q) -> NefResult<Response> {
    let records = nx
        .shared
        .read(|a| a.nfs.iter().map(Appliance::nfs_json).collect());
    q.collection(records, &[])
}

async fn one(State(nx): App, Key(path): Key, q: Q) -> NefResult<Response> {
    nx.shared
        .read(|a| {
            a.nfs
                .iter()
                .find(|s| s.filesystem == path)
                .map(Appliance::nfs_json)
        })
        .map(|r| q.one(r))
        .ok_or_else(|| NefError::not_found(format!("NFS share '{path}' does not exist")))
}

async fn create(State(nx): App, bytes: Bytes) -> NefResult<Response> {
    let b = Body::parse(&bytes)?;
    let filesystem = b.req_str("filesystem")?;
    let contexts = security_contexts(&b)?;
    let anon = b.str("anon")?.unwrap_or_else(|| "nobody".into());
    let read_only = b.bool("readOnly")?.unwrap_or(false);
    let nohide = b.bool("nohide")?.unwrap_or(false);
    nx.mutate(|a| {
        not_busy(a, &filesystem)?;
        if !a
            .dataset(&filesystem)
            .is_some_and(|d| d.kind == Kind::Filesystem)
        {
            return Err(NefError::not_found(format!(
                "Filesystem '{filesystem}' does not exist"
            )));
        }
        if a.nfs.iter().any(|s| s.filesystem == filesystem) {
            return Err(NefError::exists(format!(
                "Filesystem '{filesystem}' is already shared over NFS"
            )));
        }
        a.nfs.push(NfsShare {
            filesystem,
            anon,
            read_only,
            nohide,
            security_contexts: contexts
                .unwrap_or_else(|| vec![serde_json::json!({"securityModes": ["sys"]})]),
        });
        Ok(())
    })?;
    Ok(created())
}

async fn modify(State(nx): App, Key(path): Key, bytes: Bytes) -> NefResult<Response> {
    let b = Body::parse(&bytes)?;
    let contexts = security_contexts(&b)?;
    let anon = b.str("anon")?;
    let read_only = b.bool("readOnly")?;
    let nohide = b.bool("nohide")?;
    nx.mutate(|a| {
        let s = a
            .nfs
            .iter_mut()
            .find(|s| s.filesystem == path)
            .ok_or_else(|| NefError::not_found(format!("NFS share '{path}' does not exist")))?;
        if let Some(c) = contexts {
            s.security_contexts = c;
        }
        if let Some(v) = anon {
            s.anon = v;
        }
        if let Some(v) = read_only {
            s.read_only = v;
        }
        if let Some(v) = nohide {
            s.nohide = v;
        }
        Ok(())
    })?;
    Ok(ok())
}

async fn remove(State(nx): App, Key(path): Key) -> NefResult<Response> {
    nx.mutate(|a| {
        if !a.nfs.iter().any(|s| s.filesystem == path) {
            return Err(NefError::not_found(format!(
                "NFS share '{path}' does not exist"
            )));
        }
        a.nfs.retain(|s| s.filesystem != path);
        Ok(())
    })?;
    Ok(ok())
}
