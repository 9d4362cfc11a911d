//! SVM tunnelling: a cluster administrator may send `X-Dot-SVM-Name` (or
//! `X-Dot-SVM-UUID`) to act in one SVM's scope. Here that means: creates
//! without `svm` get that SVM, and listings and query-based PATCH/DELETE of
//! SVM-scoped objects reach only that SVM's (*chosen* reading of the header's
//! effect).

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};

use super::Ontap;
use super::error::{self, OntapError};

/// Collections whose creates take `svm` (the header names it when the body does not).
const CREATES_TAKE_SVM: &[&str] = &[
    "/api/storage/volumes",
    "/api/storage/luns",
    "/api/protocols/san/igroups",
    "/api/protocols/san/lun-maps",
    "/api/protocols/san/iscsi/credentials",
    "/api/protocols/nfs/export-policies",
];

/// Collections whose records carry `svm`.
const SCOPED: &[&str] = &[
    "/api/storage/volumes",
    "/api/storage/luns",
    "/api/protocols/san/igroups",
    "/api/protocols/san/lun-maps",
    "/api/protocols/san/iscsi/services",
    "/api/protocols/nfs/export-policies",
    "/api/network/ip/interfaces",
    "/api/network/fc/interfaces",
];

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The middleware.
pub async fn scope(State(o): State<Arc<Ontap>>, req: Request, next: Next) -> Response {
    let by_name = header(&req, "x-dot-svm-name");
    let by_uuid = header(&req, "x-dot-svm-uuid");
    if by_name.is_none() && by_uuid.is_none() {
        return next.run(req).await;
    }
    let svm = o.shared.read(|inv| {
        inv.svms
            .iter()
            .find(|s| {
                by_name.as_deref().is_none_or(|n| n == s.name)
                    && by_uuid.as_deref().is_none_or(|u| u == s.uuid)
            })
            .map(|s| (s.name.clone(), s.uuid.clone()))
    });
    let Some((name, uuid)) = svm else {
        return OntapError::new(
            StatusCode::BAD_REQUEST,
            error::SVM_NOT_FOUND,
            "SVM not found",
        )
        .into_response();
    };
    let (mut parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let query_based = matches!(parts.method, Method::GET | Method::PATCH | Method::DELETE);
    if query_based && SCOPED.contains(&path.as_str()) {
        let query = match parts.uri.query() {
            Some(q) if !q.is_empty() => format!("{q}&svm.uuid={uuid}"),
            _ => format!("svm.uuid={uuid}"),
        };
        if let Ok(uri) = format!("{path}?{query}").parse::<Uri>() {
            parts.uri = uri;
        }
        return next.run(Request::from_parts(parts, body)).await;
    }
    if parts.method == Method::POST && CREATES_TAKE_SVM.contains(&path.as_str()) {
        let Ok(collected) = body.collect().await else {
            return OntapError::new(StatusCode::BAD_REQUEST, error::INVALID, "unreadable body")
                .into_response();
        };
        let bytes = collected.to_bytes();
        let bytes = match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(mut map)) if !map.contains_key("svm") => {
                map.insert("svm".into(), json!({"name": name, "uuid": uuid}));
                Bytes::from(Value::Object(map).to_string())
            }
            _ => bytes,
        };
        parts.headers.remove(axum::http::header::CONTENT_LENGTH);
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    }
    next.run(Request::from_parts(parts, body)).await
}
