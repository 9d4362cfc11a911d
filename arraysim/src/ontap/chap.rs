//! `/api/protocols/san/iscsi/credentials`: how each iSCSI initiator
//! authenticates to an SVM (`none`, `deny` or `chap` with inbound and
//! optional outbound user/password), keyed by `{svm.uuid}/{initiator}`.
//!
//! As ONTAP: every SVM has a `default` entry (authentication `none` until
//! changed) used by initiators without one of their own, which cannot be
//! deleted; passwords are write-only (never in a GET); outbound credentials
//! need inbound ones; `chap.outbound.user: ""` in a PATCH clears them.
//! *Chosen* where the reference is silent: a user name is 1 to 128
//! characters, a password 1 to 512; a second entry for the same initiator
//! is 409 with the duplicate code `1`; `chap` given with `none`/`deny` is
//! 400 `2`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::error::{OntapError, OntapResult};
use super::model::{Inventory, IscsiCredential, links};
use super::schema::{Operation, Resource};
use super::{App, Ontap, RawQuery, at, body, created, ok_empty, query, str_at, svm_of};

const PATH: &str = "/api/protocols/san/iscsi/credentials";
const KEYS: &[&str] = &["svm", "initiator"];
const AUTHENTICATION_TYPES: &[&str] = &["chap", "none", "deny"];

pub fn routes() -> Router<Arc<Ontap>> {
    Router::new().route(PATH, get(list).post(create)).route(
        "/api/protocols/san/iscsi/credentials/{svm}/{initiator}",
        get(one).patch(modify).delete(remove),
    )
}

/// Every SVM's `default` entry (stored once changed) and the initiators' own.
fn all(inv: &Inventory) -> Vec<IscsiCredential> {
    let mut entries = Vec::new();
    for svm in &inv.svms {
        let stored = inv
            .iscsi_credentials
            .iter()
            .filter(|c| c.svm == svm.uuid)
            .cloned();
        if !inv
            .iscsi_credentials
            .iter()
            .any(|c| c.svm == svm.uuid && c.initiator == "default")
        {
            entries.push(IscsiCredential::default_for(&svm.uuid));
        }
        entries.extend(stored);
    }
    entries
}

fn record(inv: &Inventory, c: &IscsiCredential) -> Value {
    let mut r = json!({
        "svm": inv.svm_ref(&c.svm),
        "initiator": c.initiator,
        "authentication_type": c.authentication_type,
        "_links": links(format!("{PATH}/{}/{}", c.svm, c.initiator)),
    });
    if c.authentication_type == "chap" {
        let mut chap = json!({"inbound": {"user": c.inbound_user}});
        if let Some(user) = &c.outbound_user {
            chap["outbound"] = json!({"user": user});
        }
        r["chap"] = chap;
    }
    r
}

async fn list(State(o): App, q: RawQuery) -> OntapResult<Response> {
    let q = query(q, Resource::IscsiCredentials)?;
    let records = o
        .shared
        .read(|inv| all(inv).iter().map(|c| record(inv, c)).collect());
    Ok(q.collection(PATH, records, KEYS))
}

async fn one(
    State(o): App,
    Path((svm, initiator)): Path<(String, String)>,
    q: RawQuery,
) -> OntapResult<Response> {
    let q = query(q, Resource::IscsiCredentials)?;
    let r = o.shared.read(|inv| {
        all(inv)
            .iter()
            .find(|c| c.svm == svm && c.initiator.eq_ignore_ascii_case(&initiator))
            .map(|c| record(inv, c))
    });
    let r = r.ok_or_else(|| OntapError::not_found("initiator"))?;
    Ok(axum::Json(q.shape_one(r, KEYS)).into_response())
}

fn check_text(target: &str, value: &str, max: usize) -> OntapResult<()> {
    if value.is_empty() || value.chars().count() > max || value.chars().any(char::is_control) {
        return Err(OntapError::invalid(
            target,
            format!("\"{target}\" must be 1 to {max} printable characters."),
        ));
    }
    Ok(())
}

/// Applies `authentication_type` and `chap` of a POST or PATCH body to `c`.
fn apply(c: &mut IscsiCredential, b: &Value, creating: bool) -> OntapResult<()> {
    let kind = match str_at(b, "authentication_type") {
        Some(kind) => kind.to_ascii_lowercase(),
        None if creating => return Err(OntapError::required("authentication_type")),
        None => c.authentication_type.clone(),
    };
    if !AUTHENTICATION_TYPES.contains(&kind.as_str()) {
        return Err(OntapError::invalid(
            "authentication_type",
            format!("Invalid value \"{kind}\" for \"authentication_type\"."),
        ));
    }
    let chap = at(b, "chap").filter(|v| !v.is_null());
    if kind != "chap" {
        if chap.is_some() {
            return Err(OntapError::invalid(
                "chap",
                "CHAP credentials are only valid with authentication_type \"chap\".",
            ));
        }
        c.authentication_type = kind;
        c.inbound_user = String::new();
        c.inbound_password = String::new();
        c.outbound_user = None;
        c.outbound_password = None;
        return Ok(());
    }
    let field = |path: &str| chap.and_then(|chap| str_at(chap, path));
    let (in_user, in_password) = (field("inbound.user"), field("inbound.password"));
    let (out_user, out_password) = (field("outbound.user"), field("outbound.password"));
    let was_chap = c.authentication_type == "chap";
    match (in_user, in_password) {
        (Some(user), Some(password)) => {
            check_text("chap.inbound.user", user, 128)?;
            check_text("chap.inbound.password", password, 512)?;
            c.inbound_user = user.to_string();
            c.inbound_password = password.to_string();
        }
        (None, None) if was_chap => {}
        (None, _) => return Err(OntapError::required("chap.inbound.user")),
        (Some(_), None) => return Err(OntapError::required("chap.inbound.password")),
    }
    match (out_user, out_password) {
        (Some(""), _) => {
            c.outbound_user = None;
            c.outbound_password = None;
        }
        (Some(user), Some(password)) => {
            check_text("chap.outbound.user", user, 128)?;
            check_text("chap.outbound.password", password, 512)?;
            c.outbound_user = Some(user.to_string());
            c.outbound_password = Some(password.to_string());
        }
        (None, None) => {}
        (None, Some(_)) => return Err(OntapError::required("chap.outbound.user")),
        (Some(_), None) => return Err(OntapError::required("chap.outbound.password")),
    }
    c.authentication_type = kind;
    Ok(())
}

fn check_initiator(name: &str) -> OntapResult<()> {
    let lower = name.to_ascii_lowercase();
    if ["iqn.", "eui.", "naa."]
        .iter()
        .any(|p| lower.starts_with(p))
        && !name.contains(' ')
    {
        Ok(())
    } else {
        Err(OntapError::invalid(
            "initiator",
            format!("Invalid iSCSI initiator name \"{name}\"."),
        ))
    }
}

async fn create(State(o): App, q: RawQuery, bytes: Bytes) -> OntapResult<Response> {
    let q = query(q, Resource::IscsiCredentials)?;
    let b = body(&bytes, Resource::IscsiCredentials, Operation::Post)?;
    let (location, record) = o.shared.mutate(|inv| -> OntapResult<(String, Value)> {
        let svm = svm_of(inv, &b)?;
        let initiator = str_at(&b, "initiator").ok_or_else(|| OntapError::required("initiator"))?;
        if all(inv)
            .iter()
            .any(|c| c.svm == svm && c.initiator.eq_ignore_ascii_case(initiator))
        {
            return Err(OntapError::duplicate(format!(
                "Authentication already defined for initiator \"{initiator}\"."
            ))
            .target("initiator"));
        }
        check_initiator(initiator)?;
        let mut c = IscsiCredential::default_for(&svm);
        c.initiator = initiator.to_string();
        apply(&mut c, &b, true)?;
        let location = format!("{PATH}/{svm}/{initiator}");
        let r = record(inv, &c);
        inv.iscsi_credentials.push(c);
        Ok((location, r))
    })?;
    let want = q
        .raw
        .iter()
        .any(|(k, v)| k == "return_records" && v == "true");
    Ok(created(location, want.then_some(record)))
}

async fn modify(
    State(o): App,
    Path((svm, initiator)): Path<(String, String)>,
    q: RawQuery,
    bytes: Bytes,
) -> OntapResult<Response> {
    query(q, Resource::IscsiCredentials)?;
    let b = body(&bytes, Resource::IscsiCredentials, Operation::Patch)?;
    o.shared.mutate(|inv| -> OntapResult<()> {
        let mut c = all(inv)
            .into_iter()
            .find(|c| c.svm == svm && c.initiator.eq_ignore_ascii_case(&initiator))
            .ok_or_else(|| OntapError::not_found("initiator"))?;
        apply(&mut c, &b, false)?;
        inv.iscsi_credentials
            .retain(|e| !(e.svm == c.svm && e.initiator == c.initiator));
        inv.iscsi_credentials.push(c);
        Ok(())
    })?;
    Ok(ok_empty())
}

async fn remove(
    State(o): App,
    Path((svm, initiator)): Path<(String, String)>,
    q: RawQuery,
) -> OntapResult<Response> {
    query(q, Resource::IscsiCredentials)?;
    o.shared.mutate(|inv| -> OntapResult<()> {
        if initiator == "default" && inv.svms.iter().any(|s| s.uuid == svm) {
            return Err(OntapError::invalid(
                "initiator",
                "The default authentication of an SVM cannot be deleted.",
            ));
        }
        let before = inv.iscsi_credentials.len();
        inv.iscsi_credentials
            .retain(|c| !(c.svm == svm && c.initiator.eq_ignore_ascii_case(&initiator)));
        if inv.iscsi_credentials.len() == before {
            return Err(OntapError::not_found("initiator"));
        }
        Ok(())
    })?;
    Ok(ok_empty())
}
