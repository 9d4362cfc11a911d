//! `/api/protocols/nfs/export-policies` and `/{id}/rules`: integer policy
//! ids, rules indexed from 1, delete refused while a volume uses the policy.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;

use super::error::{self, OntapError, OntapResult};
use super::model::{ExportPolicy, ExportRule, Inventory, export_rule_json};
use super::query::OntapQuery;
use super::schema::{Operation, Resource};
use super::{
    App, Ontap, RawQuery, body, bool_at, created, ok_empty, query, require_filter, str_at, svm_of,
};

pub fn routes() -> Router<Arc<Ontap>> {
    Router::new()
        .route(
            "/api/protocols/nfs/export-policies",
            get(list)
                .post(create)
                .patch(modify_matching)
                .delete(remove_matching),
        )
        .route(
            "/api/protocols/nfs/export-policies/{id}",
            get(one).patch(modify).delete(remove),
        )
        .route(
            "/api/protocols/nfs/export-policies/{id}/rules",
            get(rules).post(rule_create),
        )
        .route(
            "/api/protocols/nfs/export-policies/{id}/rules/{index}",
            get(rule).delete(rule_delete),
        )
}

const KEYS: &[&str] = &["id", "name", "svm"];
const RULE_KEYS: &[&str] = &["index"];

fn strings(b: &Value, key: &str, default: &[&str]) -> OntapResult<Vec<String>> {
    match b.get(key) {
        None | Some(Value::Null) => Ok(default.iter().map(|s| s.to_string()).collect()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    OntapError::invalid(key, format!("\"{key}\" must be an array of strings"))
                })
            })
            .collect(),
        Some(_) => Err(OntapError::invalid(
            key,
            format!("\"{key}\" must be an array of strings"),
        )),
    }
}

/// A rule from a body; defaults (*chosen*): protocols `any`, ro `any`,
/// rw `never`, superuser `none`, anonymous user `65534`.
fn parse_rule(b: &Value, index: u32) -> OntapResult<ExportRule> {
    let clients = match b.get("clients") {
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|c| {
                str_at(c, "match")
                    .map(str::to_string)
                    .ok_or_else(|| OntapError::required("clients.match"))
            })
            .collect::<OntapResult<Vec<_>>>()?,
        _ => return Err(OntapError::required("clients")),
    };
    let flavours = [
        "any", "none", "never", "krb5", "krb5i", "krb5p", "ntlm", "sys",
    ];
    let ro_rule = strings(b, "ro_rule", &["any"])?;
    let rw_rule = strings(b, "rw_rule", &["never"])?;
    let superuser = strings(b, "superuser", &["none"])?;
    for f in ro_rule.iter().chain(&rw_rule).chain(&superuser) {
        if !flavours.contains(&f.as_str()) {
            return Err(OntapError::invalid(
                "ro_rule",
                format!("Invalid authentication flavour \"{f}\"."),
            ));
        }
    }
    let anonymous_user = match b.get("anonymous_user") {
        None | Some(Value::Null) => "65534".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(OntapError::invalid(
                "anonymous_user",
                "\"anonymous_user\" must be a string",
            ));
        }
    };
    Ok(ExportRule {
        index,
        clients,
        protocols: strings(b, "protocols", &["any"])?,
        ro_rule,
        rw_rule,
        superuser,
        anonymous_user,
        allow_suid: bool_at(b, "allow_suid")?.unwrap_or(true),
    })
}

async fn list(State(o): App, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::ExportPolicy)?;
    let records = o.shared.read(|inv| {
        inv.export_policies
            .iter()
            .map(|p| inv.export_policy_json(p))
            .collect()
    });
    Ok(q.collection("/api/protocols/nfs/export-policies", records, KEYS))
}

async fn one(State(o): App, Path(id): Path<u64>, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::ExportPolicy)?;
    let r = o.shared.read(|inv| {
        inv.export_policies
            .iter()
            .find(|p| p.id == id)
            .map(|p| inv.export_policy_json(p))
    });
    Ok(
        axum::Json(q.shape_one(r.ok_or_else(|| OntapError::not_found("id"))?, KEYS))
            .into_response(),
    )
}

async fn create(State(o): App, q: RawQuery, bytes: Bytes) -> OntapResult<Response> {
    let q = query(q, Resource::ExportPolicy)?;
    let b = body(&bytes, Resource::ExportPolicy, Operation::Post)?;
    let (id, record) = o.shared.mutate(|inv| -> OntapResult<(u64, Value)> {
        let svm = svm_of(inv, &b)?;
        let name = str_at(&b, "name").ok_or_else(|| OntapError::required("name"))?;
        if inv
            .export_policies
            .iter()
            .any(|p| p.svm == svm && p.name == name)
        {
            return Err(
                OntapError::duplicate(format!("Export policy \"{name}\" already exists."))
                    .target("name"),
            );
        }
        let rules = match b.get("rules") {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, r)| parse_rule(r, i as u32 + 1))
                .collect::<OntapResult<Vec<_>>>()?,
            _ => Vec::new(),
        };
        let id = inv.next_policy_id;
        inv.next_policy_id += 1;
        let p = ExportPolicy {
            id,
            name: name.to_string(),
            svm,
            rules,
        };
        let record = inv.export_policy_json(&p);
        inv.export_policies.push(p);
        Ok((id, record))
    })?;
    let want = q
        .raw
        .iter()
        .any(|(k, v)| k == "return_records" && v == "true");
    Ok(created(
        format!("/api/protocols/nfs/export-policies/{id}"),
        want.then_some(record),
    ))
}

async fn modify(
    State(o): App,
    Path(id): Path<u64>,
    q: RawQuery,
    bytes: Bytes,
) -> OntapResult<Response> {
    query(q, Resource::ExportPolicy)?;
    let b = body(&bytes, Resource::ExportPolicy, Operation::Patch)?;
    o.shared.mutate(|inv| modify_policy(inv, id, &b))?;
    Ok(ok_empty())
}

fn modify_policy(inv: &mut Inventory, id: u64, b: &Value) -> OntapResult<()> {
    let idx = inv
        .export_policies
        .iter()
        .position(|p| p.id == id)
        .ok_or_else(|| OntapError::not_found("id"))?;
    if let Some(name) = str_at(b, "name") {
        let svm = inv.export_policies[idx].svm.clone();
        if inv
            .export_policies
            .iter()
            .any(|p| p.id != id && p.svm == svm && p.name == name)
        {
            return Err(
                OntapError::duplicate(format!("Export policy \"{name}\" already exists."))
                    .target("name"),
            );
        }
        inv.export_policies[idx].name = name.to_string();
    }
    if let Some(Value::Array(items)) = b.get("rules") {
        inv.export_policies[idx].rules = items
            .iter()
            .enumerate()
            .map(|(i, r)| parse_rule(r, i as u32 + 1))
            .collect::<OntapResult<Vec<_>>>()?;
    }
    Ok(())
}

async fn remove(State(o): App, Path(id): Path<u64>, q: RawQuery) -> OntapResult<Response> {
    query(q, Resource::ExportPolicy)?;
    o.shared.mutate(|inv| delete_policy(inv, id))?;
    Ok(ok_empty())
}

/// The policies a query-based PATCH or DELETE's filters match.
fn matching_policies(inv: &Inventory, q: &OntapQuery) -> Vec<u64> {
    inv.export_policies
        .iter()
        .filter(|p| q.matches(&inv.export_policy_json(p)))
        .map(|p| p.id)
        .collect()
}

/// `PATCH /api/protocols/nfs/export-policies?name=...`: every match (all or none).
async fn modify_matching(State(o): App, q: RawQuery, bytes: Bytes) -> OntapResult<Response> {
    let q = query(q, Resource::ExportPolicy)?;
    require_filter(&q, "PATCH")?;
    let b = body(&bytes, Resource::ExportPolicy, Operation::Patch)?;
    let n = o.shared.mutate(|inv| -> OntapResult<usize> {
        let ids = matching_policies(inv, &q);
        for id in &ids {
            modify_policy(inv, *id, &b)?;
        }
        Ok(ids.len())
    })?;
    Ok(axum::Json(serde_json::json!({"num_records": n})).into_response())
}

/// `DELETE /api/protocols/nfs/export-policies?name=...`: every match (all or none).
async fn remove_matching(State(o): App, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::ExportPolicy)?;
    require_filter(&q, "DELETE")?;
    let n = o.shared.mutate(|inv| -> OntapResult<usize> {
        let ids = matching_policies(inv, &q);
        for id in &ids {
            delete_policy(inv, *id)?;
        }
        Ok(ids.len())
    })?;
    Ok(axum::Json(serde_json::json!({"num_records": n})).into_response())
}

fn delete_policy(inv: &mut Inventory, id: u64) -> OntapResult<()> {
    let p = inv
        .export_policies
        .iter()
        .find(|p| p.id == id)
        .ok_or_else(|| OntapError::not_found("id"))?;
    if p.name == "default" {
        return Err(OntapError::new(
            StatusCode::BAD_REQUEST,
            error::POLICY_IN_USE,
            "The default export policy cannot be deleted.",
        ));
    }
    if let Some(v) = inv.volumes.iter().find(|v| v.export_policy == id) {
        return Err(OntapError::new(
            StatusCode::BAD_REQUEST,
            error::POLICY_IN_USE,
            format!(
                "Export policy \"{}\" is in use by volume \"{}\".",
                p.name, v.name
            ),
        ));
    }
    inv.export_policies.retain(|p| p.id != id);
    Ok(())
}

async fn rules(State(o): App, Path(id): Path<u64>, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::ExportRule)?;
    let records = o.shared.read(|inv| {
        inv.export_policies.iter().find(|p| p.id == id).map(|p| {
            p.rules
                .iter()
                .map(|r| export_rule_json(id, r))
                .collect::<Vec<_>>()
        })
    });
    let records = records.ok_or_else(|| OntapError::not_found("policy.id"))?;
    Ok(q.collection(
        &format!("/api/protocols/nfs/export-policies/{id}/rules"),
        records,
        RULE_KEYS,
    ))
}

async fn rule(
    State(o): App,
    Path((id, index)): Path<(u64, u32)>,
    q: RawQuery,
) -> OntapResult<Response> {
    let q = query(q, Resource::ExportRule)?;
    let r = o.shared.read(|inv| {
        inv.export_policies
            .iter()
            .find(|p| p.id == id)
            .and_then(|p| p.rules.iter().find(|r| r.index == index))
            .map(|r| export_rule_json(id, r))
    });
    let r = r.ok_or_else(|| OntapError::not_found("index"))?;
    Ok(axum::Json(q.shape_one(r, RULE_KEYS)).into_response())
}

async fn rule_create(
    State(o): App,
    Path(id): Path<u64>,
    q: RawQuery,
    bytes: Bytes,
) -> OntapResult<Response> {
    let q = query(q, Resource::ExportRule)?;
    let b = body(&bytes, Resource::ExportRule, Operation::Post)?;
    let (index, record) = o.shared.mutate(|inv| -> OntapResult<(u32, Value)> {
        let p = inv
            .export_policies
            .iter_mut()
            .find(|p| p.id == id)
            .ok_or_else(|| OntapError::not_found("policy.id"))?;
        let index = p.rules.iter().map(|r| r.index).max().unwrap_or(0) + 1;
        let rule = parse_rule(&b, index)?;
        let record = export_rule_json(id, &rule);
        p.rules.push(rule);
        Ok((index, record))
    })?;
    let want = q
        .raw
        .iter()
        .any(|(k, v)| k == "return_records" && v == "true");
    Ok(created(
        format!("/api/protocols/nfs/export-policies/{id}/rules/{index}"),
        want.then_some(record),
    ))
}

/// Deleting a rule renumbers the later ones (as ONTAP does: indexes stay 1..n).
async fn rule_delete(
    State(o): App,
    Path((id, index)): Path<(u64, u32)>,
    q: RawQuery,
) -> OntapResult<Response> {
    query(q, Resource::ExportRule)?;
    o.shared.mutate(|inv| -> OntapResult<()> {
        let p = inv
            .export_policies
            .iter_mut()
            .find(|p| p.id == id)
            .ok_or_else(|| OntapError::not_found("policy.id"))?;
        if !p.rules.iter().any(|r| r.index == index) {
            return Err(OntapError::not_found("index"));
        }
        p.rules.retain(|r| r.index != index);
        for r in p.rules.iter_mut().filter(|r| r.index > index) {
            r.index -= 1;
        }
        Ok(())
    })?;
    Ok(ok_empty())
}
