//! NetApp ONTAP 9 REST (`/api/...`), reproducing `vendor-apis.md` §1.6.
//!
//! Layout: `model` (objects and their records), `inventory` (the default
//! cluster), `schema` (each resource's fields, from `netapp-ontap`), `query` (fields,
//! filters, paging), `error` (the error body),
//! and one file per resource family: `cluster` (cluster, nodes, jobs,
//! SVMs), `storage` (aggregates, disks), `volumes` (FlexVols, snapshots),
//! `luns`, `san` (igroups, initiators, LUN maps, iSCSI services), `chap` (iSCSI
//! credentials),
//! `network` (IP and FC interfaces, ethernet ports), `nfs` (export policies and rules), `svm_scope` (the `X-Dot-SVM-*` headers).
//!
//! Requests are read as a cluster reads them: a path with doubled or trailing slashes
//! (`/api//cluster/`, as cinder's client joins `/api/` and `/cluster/`) is the same path,
//! a dotted key in a body (`{"space.size": 1}`) is the nested field, and a number or a
//! boolean may come as a string (`"1073741824"`, `"true"`).

mod chap;
mod cluster;
pub mod error;
pub mod inventory;
mod luns;
pub mod model;
mod network;
mod nfs;
pub mod query;
mod san;
pub mod schema;
mod storage;
mod svm_scope;
mod volumes;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, Request};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use tower::ServiceExt as _;

use self::error::{OntapError, OntapResult};
use self::model::{Inventory, STATE_VERSION};
use self::query::OntapQuery;
use self::schema::{Operation, Resource};
use crate::core::jobs::{self, JobFailure, JobState};
use crate::core::server::VendorService;
use crate::core::state::{Shared, Store, StoreError};

/// The ONTAP simulator's shared state.
pub struct Ontap {
    /// The cluster.
    pub shared: Arc<Shared<Inventory>>,
    /// Job step duration.
    pub job_step: Duration,
}

/// Handler state.
pub type App = axum::extract::State<Arc<Ontap>>;
/// Raw query pairs.
pub type RawQuery = Query<Vec<(String, String)>>;

/// Load (or create) `DIR/ontap.json` and build the routes.
pub fn service(state_dir: &Path, job_step: Duration) -> Result<VendorService, StoreError> {
    let store = Store::new(state_dir, "ontap.json")?;
    let mut inventory = match store.load::<Inventory>()? {
        Some(inv) if inv.version == STATE_VERSION => inv,
        Some(inv) => {
            return Err(StoreError::Version {
                path: store.path().to_path_buf(),
                found: inv.version,
                expected: STATE_VERSION,
            });
        }
        None => inventory::default_inventory(),
    };
    jobs::fail_interrupted(&mut inventory);
    let shared = Arc::new(Shared::new(inventory, store));
    shared.persist()?;
    let ontap = Arc::new(Ontap { shared, job_step });
    let router = Router::new()
        .merge(cluster::routes())
        .merge(storage::routes())
        .merge(volumes::routes())
        .merge(luns::routes())
        .merge(san::routes())
        .merge(chap::routes())
        .merge(network::routes())
        .merge(nfs::routes())
        .fallback(|| async {
            OntapError::new(StatusCode::NOT_FOUND, error::API_NOT_FOUND, "API not found")
                .into_response()
        })
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&ontap),
            svm_scope::scope,
        ))
        .with_state(ontap);
    // Paths are cleaned before routing, so every route and layer sees the one spelling.
    let router = Router::new().fallback_service(router.map_request(normalize_path));
    Ok(VendorService {
        router,
        error_response: error::injected,
        sessions: None,
    })
}

/// `/api//cluster/` → `/api/cluster`: empty path segments (doubled slashes, a trailing
/// slash) are dropped, as the cluster's web server does.
fn normalize_path(mut request: Request) -> Request {
    let path = request.uri().path();
    let trailing = path.len() > 1 && path.ends_with('/');
    if !trailing && !path.contains("//") {
        return request;
    }
    let mut clean = String::with_capacity(path.len());
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        clean.push('/');
        clean.push_str(segment);
    }
    if clean.is_empty() {
        clean.push('/');
    }
    if let Some(query) = request.uri().query() {
        clean.push('?');
        clean.push_str(query);
    }
    let mut parts = request.uri().clone().into_parts();
    if let Ok(path_and_query) = clean.parse() {
        parts.path_and_query = Some(path_and_query);
        if let Ok(uri) = Uri::from_parts(parts) {
            *request.uri_mut() = uri;
        }
    }
    request
}

/// Parse the query string of a request on `resource` (its names checked against the
/// resource's schema).
pub fn query(Query(pairs): RawQuery, resource: Resource) -> OntapResult<OntapQuery> {
    OntapQuery::parse(pairs, resource)
}

/// Parse the JSON body of a POST or PATCH of `resource` (empty = `{}`) as a cluster reads
/// it ([`schema::request_body`]): dotted keys nested, numbers and booleans taken from
/// strings, unknown fields, fields the operation cannot set and wrong types refused.
pub fn body(bytes: &Bytes, resource: Resource, op: Operation) -> OntapResult<Value> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    let v: Value = serde_json::from_slice(bytes).map_err(|e| {
        OntapError::new(
            StatusCode::BAD_REQUEST,
            error::INVALID,
            format!("invalid JSON body: {e}"),
        )
    })?;
    if !v.is_object() {
        return Err(OntapError::new(
            StatusCode::BAD_REQUEST,
            error::INVALID,
            "body must be a JSON object",
        ));
    }
    schema::request_body(resource, op, v)
}

/// `{"a.b": 1, "a": {"c": 2}}` → `{"a": {"b": 1, "c": 2}}`, at every level: ONTAP reads a
/// dotted key in a body as the nested field (a later key wins where two set one field).
pub fn expand_dotted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, child) in map {
                let mut parts = key.split('.');
                let first = parts.next().unwrap_or_default().to_string();
                let mut nested = expand_dotted(child);
                for part in parts.rev() {
                    nested = json!({ part: nested });
                }
                insert_merged(&mut out, first, nested);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(expand_dotted).collect()),
        other => other,
    }
}

fn insert_merged(into: &mut Map<String, Value>, key: String, value: Value) {
    match (into.get_mut(&key), value) {
        (Some(Value::Object(existing)), Value::Object(new)) => {
            for (k, v) in new {
                insert_merged(existing, k, v);
            }
        }
        (_, value) => {
            into.insert(key, value);
        }
    }
}

/// The string at dotted `path` in a body.
pub fn str_at<'a>(body: &'a Value, path: &str) -> Option<&'a str> {
    at(body, path).and_then(Value::as_str)
}

/// The value at dotted `path` in a body.
pub fn at<'a>(body: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(body, |v, k| v.get(k))
}

/// A byte count at `path`: a non-negative integer, or one written as a string.
pub fn size_at(body: &Value, path: &str) -> OntapResult<Option<u64>> {
    match at(body, path) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .map(Some)
            .ok_or_else(|| {
                OntapError::invalid(
                    path,
                    format!("\"{path}\" must be an integer number of bytes"),
                )
            }),
    }
}

/// A non-negative integer at `path`, or one written as a string.
pub fn uint_at(body: &Value, path: &str) -> OntapResult<Option<u64>> {
    match at(body, path) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .map(Some)
            .ok_or_else(|| {
                OntapError::invalid(path, format!("\"{path}\" must be a non-negative integer"))
            }),
    }
}

/// A boolean at `path`: `true`/`false`, or one written as a string.
pub fn bool_at(body: &Value, path: &str) -> OntapResult<Option<bool>> {
    match at(body, path) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(_) => Err(OntapError::invalid(
            path,
            format!("\"{path}\" must be a boolean"),
        )),
    }
}

/// The SVM a create names (`svm.name` or `svm.uuid`).
pub fn svm_of(inv: &Inventory, body: &Value) -> OntapResult<String> {
    let by_uuid = str_at(body, "svm.uuid");
    let by_name = str_at(body, "svm.name");
    if by_uuid.is_none() && by_name.is_none() {
        return Err(OntapError::required("svm.name"));
    }
    inv.svms
        .iter()
        .find(|s| by_uuid.is_none_or(|u| u == s.uuid) && by_name.is_none_or(|n| n == s.name))
        .map(|s| s.uuid.clone())
        .ok_or_else(|| {
            OntapError::new(
                StatusCode::NOT_FOUND,
                error::SVM_NOT_FOUND,
                format!(
                    "SVM \"{}\" does not exist",
                    by_name.or(by_uuid).unwrap_or_default()
                ),
            )
            .target("svm.name")
        })
}

/// A 201 reply with a `Location` header (and the record when asked).
pub fn created(location: String, record: Option<Value>) -> Response {
    let body = match record {
        Some(r) => json!({"num_records": 1, "records": [r]}),
        None => json!({}),
    };
    with_location(
        (StatusCode::CREATED, axum::Json(body)).into_response(),
        Some(&location),
    )
}

/// An empty 200 reply (sync PATCH/DELETE).
pub fn ok_empty() -> Response {
    (StatusCode::OK, axum::Json(json!({}))).into_response()
}

/// Start a job; reply 202 with it, or wait `return_timeout` and reply the
/// final 201/200 (or the job's error). A create names the object it makes
/// (`Location`, on the 202 too: its uuid is chosen before the job runs).
pub async fn job_reply<W>(
    ontap: &Ontap,
    description: String,
    svm: Option<&str>,
    q: &OntapQuery,
    injected_failure: bool,
    (success_status, location): (StatusCode, Option<String>),
    work: W,
) -> OntapResult<Response>
where
    W: FnOnce(&mut Inventory) -> Result<(), JobFailure> + Send + 'static,
{
    let owner = svm.map(|s| ontap.shared.read(|inv| inv.svm_ref(s)));
    let job = jobs::submit(
        &ontap.shared,
        description,
        owner,
        ontap.job_step,
        injected_failure,
        work,
    )?;
    let job_body = json!({"job": {"uuid": job.uuid, "_links": model::links(format!("/api/cluster/jobs/{}", job.uuid))}});
    if q.return_timeout > 0
        && let Some(done) = jobs::wait(
            &ontap.shared,
            &job.uuid,
            Duration::from_secs(q.return_timeout),
        )
        .await
    {
        {
            match done.state {
                JobState::Success => {
                    return Ok(with_location(
                        (success_status, axum::Json(job_body)).into_response(),
                        location.as_deref(),
                    ));
                }
                JobState::Failure => {
                    return Err(OntapError::new(
                        StatusCode::BAD_REQUEST,
                        &done.code.to_string(),
                        done.message,
                    ));
                }
                _ => {}
            }
        }
    }
    Ok(with_location(
        (StatusCode::ACCEPTED, axum::Json(job_body)).into_response(),
        location.as_deref(),
    ))
}

/// One job per object a query-based PATCH or DELETE matched (`works`: a description and
/// the change, each): 202 `{"num_records": n, "jobs": [...]}` (and `job`, when there is
/// exactly one: what a client of a single-object change reads), or with `return_timeout`
/// 200 once all succeed (or the first failure's error). Nothing matched: 200
/// `{"num_records": 0}`.
pub async fn jobs_reply<W>(
    ontap: &Ontap,
    svm: Option<&str>,
    q: &OntapQuery,
    injected_failure: bool,
    works: Vec<(String, W)>,
) -> OntapResult<Response>
where
    W: FnOnce(&mut Inventory) -> Result<(), JobFailure> + Send + 'static,
{
    let count = works.len();
    if count == 0 {
        return Ok(axum::Json(json!({"num_records": 0})).into_response());
    }
    let owner = svm.map(|s| ontap.shared.read(|inv| inv.svm_ref(s)));
    let mut uuids = Vec::with_capacity(count);
    for (description, work) in works {
        let job = jobs::submit(
            &ontap.shared,
            description,
            owner.clone(),
            ontap.job_step,
            injected_failure,
            work,
        )?;
        uuids.push(job.uuid);
    }
    let refs: Vec<Value> = uuids
        .iter()
        .map(|uuid| json!({"uuid": uuid, "_links": model::links(format!("/api/cluster/jobs/{uuid}"))}))
        .collect();
    let mut body = json!({"num_records": count, "jobs": refs});
    if let [only] = refs.as_slice() {
        body["job"] = only.clone();
    }
    if q.return_timeout > 0 {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(q.return_timeout);
        let mut all_done = true;
        for uuid in &uuids {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match jobs::wait(&ontap.shared, uuid, left).await {
                Some(done) if done.state == JobState::Failure => {
                    return Err(OntapError::new(
                        StatusCode::BAD_REQUEST,
                        &done.code.to_string(),
                        done.message,
                    ));
                }
                Some(done) if done.state == JobState::Success => {}
                _ => all_done = false,
            }
        }
        if all_done {
            return Ok(axum::Json(body).into_response());
        }
    }
    Ok((StatusCode::ACCEPTED, axum::Json(body)).into_response())
}

/// A query-based PATCH or DELETE needs a filter (*chosen*: a query naming nothing would
/// change every object).
pub fn require_filter(q: &OntapQuery, method: &str) -> OntapResult<()> {
    if q.filters.is_empty() {
        return Err(OntapError::invalid(
            "name",
            format!("A {method} on the collection needs a filter."),
        ));
    }
    Ok(())
}

fn with_location(mut response: Response, location: Option<&str>) -> Response {
    if let Some(v) = location.and_then(|l| header::HeaderValue::from_str(l).ok()) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

/// A job failure with an ONTAP code.
pub fn job_failure(code: u64, message: impl Into<String>) -> JobFailure {
    JobFailure {
        code,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_keys_are_nested_fields() {
        let body = json!({"space.size": 1, "space": {"guarantee.requested": true},
                          "lun.name": "/vol/v/l", "a.b.c": [{"d.e": 1}]});
        assert_eq!(
            expand_dotted(body),
            json!({"space": {"size": 1, "guarantee": {"requested": true}},
                   "lun": {"name": "/vol/v/l"}, "a": {"b": {"c": [{"d": {"e": 1}}]}}})
        );
    }

    #[test]
    fn empty_path_segments_are_dropped() {
        let clean = |uri: &str| {
            normalize_path(
                Request::builder()
                    .uri(uri)
                    .body(Default::default())
                    .unwrap(),
            )
            .uri()
            .to_string()
        };
        assert_eq!(
            clean("/api//cluster/?fields=version"),
            "/api/cluster?fields=version"
        );
        assert_eq!(clean("/api/cluster/"), "/api/cluster");
        assert_eq!(clean("/api/storage/luns"), "/api/storage/luns");
        assert_eq!(clean("/"), "/");
    }
}
