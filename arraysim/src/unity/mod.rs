//! Dell EMC Unity (Unisphere Management REST API), reproducing
//! `vendor-apis.md` §3.6 with the shapes of the replies storops 1.2.12
//! captured from real arrays (`storops_test/unity/rest_data/`).
//!
//! Layout: `model` (the generic object model and derived fields),
//! `inventory` (the default array), `schema` (each type's attributes, the
//! type metadata, the checks of `fields=`, records and request bodies),
//! `query` (fields, filter grammar, paging, envelopes), `error` (the error
//! body and codes), `session`
//! (cookie + CSRF token), `jobs` (job records), and one file per resource
//! family: `luns` (LUN storage resources, host access, thin clones),
//! `hosts` (hosts, initiators), `filesystems` (file systems, NFS shares),
//! `snaps` (snapshots), `nas` (NAS servers, file interfaces).
//!
//! # URL grammar
//! - `GET /api/types/<t>` — the type's metadata (its attributes), which
//!   storops reads before any query whose fields it was not given;
//! - `GET /api/types/<t>/instances` — collection (`entries[].content`);
//! - `GET /api/instances/<t>/<id>` (or `<t>/name:<name>`) — one instance;
//! - `POST /api/types/<t>/instances` — create (`201 {"content": {"id"}}`);
//! - `POST /api/types/<t>/action/<verb>` — type action (`createLun`,
//!   `createFilesystem`: `200 {"content": {"storageResource": {"id"}}}`);
//! - `POST /api/instances/<t>/<id>/action/<verb>` — instance action
//!   (`modifyLun`, `modifyFilesystem`, `createLunThinClone`, snap `restore`
//!   / `copy`, host / hostInitiator `modify`): 204, or 200 with `content`;
//! - `DELETE /api/instances/<t>/<id>` — 204.
//!
//! Any POST or DELETE with `?timeout=0` answers 202 with the job record
//! (not wrapped in `content`, as captured) and runs as a job; `POST
//! /api/types/job/instances` with `tasks` runs them as one job.
//!
//! # Shape choices (where the captures say nothing)
//! - Without `fields=`, a record shows only its `id` (Unisphere's rule); an
//!   unknown `fields=` name is 422 131150085, a body that does not fit its
//!   request 422 131149877 (both captured).
//! - `entryCount` appears only without `compact=true` (no compact capture
//!   has it).
//! - Fields a record does not have are left out, not `null`.
//! - Job ids are UUIDs (real ones look like `N-123`; treat them as opaque).
//! - Snapshots in state 9 (Destroying) are hidden from listings and GETs.
//! - A `job=failure` fault fails a synchronous request with 422 and code
//!   65536, an asynchronous one's job with state 5.

pub mod error;
pub mod filesystems;
pub mod hosts;
pub mod inventory;
pub mod jobs;
pub mod luns;
pub mod model;
pub mod nas;
pub mod query;
pub mod schema;
pub mod session;
pub mod snaps;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use self::error::{UnityError, UnityResult, json_reply};
use self::model::{Inventory, STATE_VERSION, now};
use self::query::UnityQuery;
use self::session::Sessions;
use crate::core::auth::Credentials;
use crate::core::jobs::{self as core_jobs, INJECTED_FAILURE_CODE, JobFailure};
use crate::core::server::{InjectedJobFailure, SessionsAdmin, VendorService};
use crate::core::state::{Shared, Store, StoreError};

/// The Unity simulator's shared state.
pub struct Unity {
    /// The array.
    pub shared: Arc<Shared<Inventory>>,
    /// Job step duration.
    pub job_step: Duration,
    /// Login sessions.
    pub sessions: Sessions,
}

/// Load (or create) `DIR/unity.json` and build the routes.
pub fn service(
    state_dir: &Path,
    job_step: Duration,
    session_ttl: Duration,
) -> Result<VendorService, StoreError> {
    let store = Store::new(state_dir, "unity.json")?;
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
    inventory::add_missing_singletons(&mut inventory);
    core_jobs::fail_interrupted(&mut inventory);
    let shared = Arc::new(Shared::new(inventory, store));
    shared.persist()?;
    let unity = Arc::new(Unity {
        shared,
        job_step,
        sessions: Sessions::with_ttl(session_ttl),
    });
    let (report, end) = (Arc::clone(&unity), Arc::clone(&unity));
    let router = Router::new().fallback(handle).with_state(unity);
    Ok(VendorService {
        router,
        error_response: error::injected,
        sessions: Some(SessionsAdmin {
            report: Arc::new(move || report.sessions.report()),
            end_all: Arc::new(move || end.sessions.close_all()),
        }),
    })
}

/// What a change answers.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status.
    pub status: StatusCode,
    /// `content` (none: an empty body).
    pub content: Option<Value>,
}

impl Reply {
    /// 201 with content.
    pub fn created(content: Value) -> Self {
        Reply {
            status: StatusCode::CREATED,
            content: Some(content),
        }
    }
    /// 200 with content.
    pub fn ok(content: Value) -> Self {
        Reply {
            status: StatusCode::OK,
            content: Some(content),
        }
    }
    /// 204.
    pub fn no_content() -> Self {
        Reply {
            status: StatusCode::NO_CONTENT,
            content: None,
        }
    }
}

/// A change request.
#[derive(Debug, Clone)]
pub enum Op {
    /// `POST /api/types/<t>/instances`.
    Create(String),
    /// `DELETE /api/instances/<t>/<id>`.
    Delete(String, String),
    /// `POST /api/instances/<t>/<id>/action/<verb>`.
    InstanceAction(String, String, String),
    /// `POST /api/types/<t>/action/<verb>`.
    TypeAction(String, String),
}

impl Op {
    fn method_name(&self) -> String {
        match self {
            Op::Create(t) => format!("{t}.create"),
            Op::Delete(t, _) => format!("{t}.delete"),
            Op::InstanceAction(t, _, v) | Op::TypeAction(t, v) => format!("{t}.{v}"),
        }
    }
}

fn not_allowed() -> UnityError {
    UnityError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        error::METHOD_NOT_ALLOWED,
        "The requested operation is not supported on this resource.",
    )
}

/// Apply one change to the array, then rebuild the derived records.
pub fn apply(inv: &mut Inventory, op: &Op, body: &Value) -> UnityResult<Reply> {
    let reply = apply_op(inv, op, body)?;
    inv.recompute();
    Ok(reply)
}

/// True for `createLun`, which reads no derived record but a pool's free space.
fn is_create_lun(op: &Op) -> bool {
    matches!(op, Op::TypeAction(t, v) if t == "storageResource" && v == "createLun")
}

/// Apply one change, without rebuilding the derived records (the caller does).
fn apply_op(inv: &mut Inventory, op: &Op, body: &Value) -> UnityResult<Reply> {
    let kind = match op {
        Op::Create(t) | Op::Delete(t, _) | Op::InstanceAction(t, _, _) | Op::TypeAction(t, _) => t,
    };
    if !schema::is_served(kind) {
        return Err(UnityError::not_found());
    }
    let reply = match op {
        Op::Create(t) => match t.as_str() {
            "host" => hosts::create_host(inv, body),
            "hostInitiator" => hosts::create_initiator(inv, body),
            "snap" => snaps::create(inv, body),
            "nfsShare" => filesystems::create_snap_share(inv, body),
            "nasServer" => nas::create_nas(inv, body),
            "fileInterface" => nas::create_interface(inv, body),
            _ => Err(not_allowed()),
        },
        Op::Delete(t, id) => match t.as_str() {
            "storageResource" => match inv.get("storageResource", id).map(|r| r["type"].as_u64()) {
                Some(Some(8)) => luns::delete(inv, id, body),
                Some(_) => filesystems::delete(inv, id, body),
                None => Err(UnityError::not_found()),
            },
            "host" => hosts::delete_host(inv, id),
            "hostInitiator" => hosts::delete_initiator(inv, id),
            "snap" => snaps::delete(inv, id),
            "nfsShare" => filesystems::delete_share(inv, id),
            "nasServer" => nas::delete_nas(inv, id),
            "fileInterface" => nas::delete_interface(inv, id),
            _ if inv.get(t, id).is_none() => Err(UnityError::not_found()),
            _ => Err(not_allowed()),
        },
        Op::InstanceAction(t, id, verb) => {
            if t != "job" && inv.get(t, id).is_none() {
                return Err(UnityError::not_found());
            }
            match (t.as_str(), verb.as_str()) {
                ("storageResource", "modifyLun") => luns::modify(inv, id, body),
                ("storageResource", "createLunThinClone") => luns::thin_clone(inv, id, body),
                ("storageResource", "modifyFilesystem") => filesystems::modify(inv, id, body),
                ("snap", "restore") => snaps::restore(inv, id, body),
                ("snap", "copy") => snaps::copy(inv, id, body),
                ("host", "modify") => hosts::modify_host(inv, id, body),
                ("hostInitiator", "modify") => hosts::modify_initiator(inv, id, body),
                ("iscsiSettings", "modify") => hosts::modify_iscsi_settings(inv, id, body),
                ("nfsShare", "modify") => filesystems::modify_snap_share(inv, id, body),
                _ => Err(not_allowed()),
            }
        }
        Op::TypeAction(t, verb) => match (t.as_str(), verb.as_str()) {
            ("storageResource", "createLun") => luns::create(inv, body),
            ("storageResource", "createFilesystem") => filesystems::create(inv, body),
            _ => Err(not_allowed()),
        },
    }?;
    Ok(reply)
}

fn body_json(bytes: &[u8]) -> UnityResult<Value> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    let v: Value = serde_json::from_slice(bytes)
        .map_err(|e| UnityError::invalid(format!("The request body is not valid JSON: {e}")))?;
    if !v.is_object() {
        return Err(UnityError::invalid(
            "The request body must be a JSON object.",
        ));
    }
    Ok(v)
}

/// Session state decided for one request.
struct Auth {
    /// Token to send back in `EMC-CSRF-TOKEN`.
    token: String,
    /// Cookie to set (a new session).
    new_session: Option<String>,
    /// The session the request came with.
    session: Option<String>,
}

fn unauthorized(message: &str) -> UnityError {
    UnityError::new(StatusCode::UNAUTHORIZED, error::UNAUTHORIZED, message)
}

fn authenticate(unity: &Unity, parts: &axum::http::request::Parts) -> UnityResult<Auth> {
    let headers = &parts.headers;
    let client = headers
        .get("x-emc-rest-client")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if !client {
        return Err(unauthorized(
            "The request must carry the header X-EMC-REST-CLIENT: true.",
        ));
    }
    let known = session::cookie(headers).and_then(|id| unity.sessions.token(&id).map(|t| (id, t)));
    if let Some((id, token)) = known {
        return Ok(Auth {
            token,
            new_session: None,
            session: Some(id),
        });
    }
    let ok = parts
        .extensions
        .get::<Credentials>()
        .is_some_and(|c| c.accepts(headers));
    if !ok {
        return Err(unauthorized(
            "Unauthorized: the user name or password is wrong, or the session expired.",
        ));
    }
    let (id, token) = unity.sessions.open();
    Ok(Auth {
        token,
        new_session: Some(id),
        session: None,
    })
}

fn decorate(mut resp: Response, auth: Option<&Auth>) -> Response {
    if let Some(auth) = auth {
        if let Ok(v) = HeaderValue::from_str(&auth.token) {
            resp.headers_mut().insert("EMC-CSRF-TOKEN", v);
        }
        if let Some(id) = &auth.new_session
            && let Ok(v) = HeaderValue::from_str(&format!(
                "{}={id}; Path=/; Secure; HttpOnly",
                session::COOKIE
            ))
        {
            resp.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    resp
}

async fn handle(State(unity): State<Arc<Unity>>, req: Request<Body>) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let segs: Vec<String> = path
        .trim_matches('/')
        .split('/')
        .map(percent_decode)
        .collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let method = parts.method.clone();
    let pairs = match Query::<Vec<(String, String)>>::try_from_uri(&parts.uri) {
        Ok(q) => q.0,
        Err(e) => return UnityError::invalid(format!("Invalid query string: {e}")).into_response(),
    };
    let q = match UnityQuery::parse(&pairs) {
        Ok(q) => q,
        Err(e) => return e.into_response(),
    };
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let base = format!("https://{host}");
    // The one endpoint that needs no login.
    if method == Method::GET
        && matches!(
            segs.as_slice(),
            ["api", "types", "basicSystemInfo", "instances"]
                | ["api", "instances", "basicSystemInfo", _]
        )
    {
        return get(&unity, &base, &segs, &q);
    }
    let auth = match authenticate(&unity, &parts) {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    if method == Method::POST || method == Method::DELETE {
        let sent = parts
            .headers
            .get(session::CSRF_HEADER)
            .and_then(|v| v.to_str().ok());
        if auth.session.is_none() || sent != Some(auth.token.as_str()) {
            let e = UnityError::new(
                StatusCode::UNAUTHORIZED,
                error::CSRF_TOKEN,
                "The request has no valid EMC-CSRF-TOKEN header for this session.",
            );
            return decorate(e.into_response(), Some(&auth));
        }
    }
    let injected = parts.extensions.get::<InjectedJobFailure>().is_some();
    let resp = match method {
        Method::GET => get(&unity, &base, &segs, &q),
        Method::POST | Method::DELETE => {
            let bytes = match axum::body::to_bytes(body, 16 << 20).await {
                Ok(b) => b,
                Err(e) => {
                    return decorate(
                        UnityError::invalid(format!("cannot read the body: {e}")).into_response(),
                        Some(&auth),
                    );
                }
            };
            change(&unity, &method, &segs, &q, &bytes, injected, &auth).await
        }
        _ => not_allowed().into_response(),
    };
    decorate(resp, Some(&auth))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The type a GET reads, and that its `fields=` must belong to: `None` for a path that
/// is not a type, an instance or a collection of a served type (404).
fn read_type<'a>(segs: &[&'a str]) -> Option<&'a str> {
    match segs {
        ["api", "types", kind] if schema::is_served(kind) => Some("type"),
        ["api", "types", kind, "instances"] | ["api", "instances", kind, _]
            if schema::is_served(kind) =>
        {
            Some(kind)
        }
        _ => None,
    }
}

fn get(unity: &Unity, base: &str, segs: &[&str], q: &UnityQuery) -> Response {
    let Some(read) = read_type(segs) else {
        return UnityError::not_found().into_response();
    };
    if let Err(e) = schema::check_fields(read, q.fields.as_deref().unwrap_or(&[])) {
        return e.into_response();
    }
    // Filters and orders name attributes too (*chosen*: 400, as any bad filter).
    let compared = q.filter.iter().flat_map(|f| f.paths());
    let ordered = q.orderby.iter().map(|(field, _)| field.as_str());
    if let Some(bad) = compared.chain(ordered).find(|p| !schema::has_path(read, p)) {
        return UnityError::invalid(format!(
            "The filter or order names {bad}, which {read} does not have."
        ))
        .into_response();
    }
    let updated = now();
    let result: UnityResult<Value> = unity.shared.read(|inv| match segs {
        ["api", "types", kind] => {
            let content = schema::metadata(kind, base).ok_or_else(UnityError::not_found)?;
            Ok(query::type_metadata(inv, base, kind, q, &content, &updated))
        }
        ["api", "types", kind, "instances"] => {
            let jobs;
            let records: &[Value] = if *kind == "job" {
                jobs = jobs::all(inv);
                &jobs
            } else {
                inv.list(kind)
            };
            let mut selected = query::select(inv, records, q);
            if *kind == "snap" {
                selected.retain(|s| !snaps::is_destroying(s));
            }
            Ok(query::collection(inv, base, kind, q, selected, &updated))
        }
        ["api", "instances", kind, id] => {
            let job;
            let record = if *kind == "job" {
                job = inv
                    .jobs
                    .iter()
                    .find(|j| j.uuid == *id)
                    .map(|j| jobs::render(inv, j));
                job.as_ref()
            } else if let Some(name) = id.strip_prefix("name:") {
                inv.by_name(kind, name)
            } else {
                inv.get(kind, id)
            };
            match record {
                Some(r) if !(*kind == "snap" && snaps::is_destroying(r)) => {
                    Ok(query::instance(inv, base, kind, q, r, &updated))
                }
                _ => Err(UnityError::not_found()),
            }
        }
        _ => Err(UnityError::not_found()),
    });
    match result {
        Ok(v) => json_reply(StatusCode::OK, &v),
        Err(e) => e.into_response(),
    }
}

async fn change(
    unity: &Arc<Unity>,
    method: &Method,
    segs: &[&str],
    q: &UnityQuery,
    bytes: &[u8],
    injected: bool,
    auth: &Auth,
) -> Response {
    let body = match body_json(bytes) {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let op = match (method, segs) {
        (&Method::POST, ["api", "types", "loginSessionInfo", "action", "logout"]) => {
            if let Some(id) = &auth.session {
                unity.sessions.close(id);
            }
            return json_reply(StatusCode::OK, &json!({"content": {"logoutOK": true}}));
        }
        (&Method::POST, ["api", "types", "job", "instances"]) => {
            return submit_tasks(unity, &body, injected);
        }
        (&Method::POST, ["api", "types", t, "instances"]) => Op::Create(t.to_string()),
        (&Method::POST, ["api", "types", t, "action", verb]) => {
            Op::TypeAction(t.to_string(), verb.to_string())
        }
        (&Method::POST, ["api", "instances", t, id, "action", verb]) => {
            Op::InstanceAction(t.to_string(), id.to_string(), verb.to_string())
        }
        (&Method::DELETE, ["api", "instances", t, id]) => Op::Delete(t.to_string(), id.to_string()),
        _ => {
            let known = match segs {
                ["api", "types", t, ..] | ["api", "instances", t, ..] => schema::is_served(t),
                _ => false,
            };
            return if known {
                not_allowed()
            } else {
                UnityError::not_found()
            }
            .into_response();
        }
    };
    if let Err(e) = schema::bodies::check(&op, &body) {
        return e.into_response();
    }
    if q.is_async() {
        // What the array refuses before making a job (captured: the delete of a LUN
        // with thin clones, `storageResource/delete_sv_5605_with_thin_clone.json`).
        if let Op::Delete(t, id) = &op
            && t == "storageResource"
            && let Err(e) = unity.shared.read(|inv| luns::check_deletable(inv, id))
        {
            return e.into_response();
        }
        if let Op::Delete(t, id) = &op
            && t == "snap"
        {
            // Destroying (state 9) until the job is done: hidden at once.
            let marked = unity.shared.mutate(|inv| {
                match inv.get_mut("snap", id) {
                    Some(s) if !snaps::is_destroying(s) => s["state"] = json!(9),
                    _ => return Err(UnityError::not_found()),
                }
                Ok(())
            });
            if let Err(e) = marked {
                return e.into_response();
            }
        }
        return match submit(unity, vec![(op, body)], injected) {
            Ok(job) => json_reply(StatusCode::ACCEPTED, &job),
            Err(e) => e.into_response(),
        };
    }
    if injected {
        return UnityError::unprocessable(
            INJECTED_FAILURE_CODE,
            "The operation failed: injected by --fault job=failure.",
        )
        .into_response();
    }
    match unity.shared.mutate(|inv| apply(inv, &op, &body)) {
        Ok(reply) => match reply.content {
            Some(c) => json_reply(reply.status, &json!({ "content": c })),
            None => {
                let mut r = Response::new(Body::empty());
                *r.status_mut() = reply.status;
                r
            }
        },
        Err(e) => e.into_response(),
    }
}

/// Run `ops` as one job; the job record as first seen.
fn submit(unity: &Arc<Unity>, ops: Vec<(Op, Value)>, injected: bool) -> UnityResult<Value> {
    let key = uuid::Uuid::new_v4().simple().to_string();
    let (object, action) = match ops.first() {
        Some((Op::Create(t), _)) => (t.clone(), "create".to_string()),
        Some((Op::Delete(t, _), _)) => (t.clone(), "delete".to_string()),
        Some((Op::InstanceAction(t, _, v), _)) | Some((Op::TypeAction(t, v), _)) => {
            (t.clone(), v.clone())
        }
        None => (String::new(), String::new()),
    };
    let method = ops
        .first()
        .map(|(op, _)| op.method_name())
        .unwrap_or_default();
    let description = format!("job.{object}.{action}");
    let affected = unity.shared.read(|inv| match ops.first() {
        Some((Op::Delete(t, id), _)) | Some((Op::InstanceAction(t, id, _), _)) => {
            let (resource, record) = match (t.as_str(), inv.get(t, id)) {
                ("storageResource", Some(r)) if r["type"].as_u64() == Some(8) => {
                    ("lun", inv.get("lun", id))
                }
                ("storageResource", Some(r)) => (
                    "filesystem",
                    model::ref_id(r, "filesystem").and_then(|f| inv.get("filesystem", f)),
                ),
                (other, r) => (other, r),
            };
            match record {
                Some(r) => {
                    json!({"resource": resource, "id": model::id_of(r), "name": r["name"].clone()})
                }
                None => json!({}),
            }
        }
        _ => json!({}),
    });
    let owner = json!({"key": key, "methodName": method, "submitTime": now(),
                       "object": object, "action": action, "affectedResource": affected,
                       "taskName": format!("job.{object}.task.{action}")});
    let work_key = key.clone();
    let job = core_jobs::submit(
        &unity.shared,
        description,
        Some(owner),
        unity.job_step,
        injected,
        move |inv: &mut Inventory| {
            let mut last = Value::Null;
            for (index, (op, body)) in ops.iter().enumerate() {
                let reply = apply_op(inv, op, body).map_err(|e| JobFailure {
                    code: e.code,
                    message: e.message,
                });
                // The derived records are rebuilt before anything reads them: between
                // createLun tasks only the pools' space (a full rebuild per task made a
                // job of N creates cost N times the whole array).
                match ops.get(index + 1) {
                    Some((next, _)) if reply.is_ok() && is_create_lun(next) => {
                        inv.recompute_pools()
                    }
                    _ => inv.recompute(),
                }
                last = reply?.content.unwrap_or(Value::Null);
            }
            inv.job_outputs.insert(work_key, last);
            Ok(())
        },
    )?;
    Ok(unity.shared.read(|inv| jobs::render(inv, &job)))
}

/// `POST /api/types/job/instances {"description", "tasks": [{"object",
/// "action", "parametersIn"}]}` → `201 {"content": {"id"}}`.
fn submit_tasks(unity: &Arc<Unity>, body: &Value, injected: bool) -> Response {
    if let Err(e) = schema::bodies::check_object(schema::bodies::JOB_CREATE, body) {
        return e.into_response();
    }
    let Some(tasks) = body.get("tasks").and_then(Value::as_array) else {
        return UnityError::invalid("tasks is required.").into_response();
    };
    let mut ops = Vec::new();
    for task in tasks {
        let object = task["object"].as_str().unwrap_or("");
        let action = task["action"].as_str().unwrap_or("");
        if object.is_empty() || action.is_empty() {
            return UnityError::invalid("Every task needs object and action.").into_response();
        }
        let params = task.get("parametersIn").cloned().unwrap_or(json!({}));
        let op = match (action, task.get("id").and_then(Value::as_str)) {
            ("create", _) => Op::Create(object.into()),
            ("delete", Some(id)) => Op::Delete(object.into(), id.into()),
            (verb, Some(id)) => Op::InstanceAction(object.into(), id.into(), verb.into()),
            (verb, None) => Op::TypeAction(object.into(), verb.into()),
        };
        if let Err(e) = schema::bodies::check(&op, &params) {
            return e.into_response();
        }
        ops.push((op, params));
    }
    match submit(unity, ops, injected) {
        Ok(job) => json_reply(
            StatusCode::CREATED,
            &json!({"content": {"id": job["id"].clone()}}),
        ),
        Err(e) => e.into_response(),
    }
}

/// The string at `key` of a body, or a 400.
pub fn req_str<'a>(body: &'a Value, key: &str) -> UnityResult<&'a str> {
    match body.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        None | Some(Value::Null) => Err(UnityError::invalid(format!("{key} is required."))),
        Some(_) => Err(UnityError::invalid(format!(
            "{key} must be a non-empty string."
        ))),
    }
}

/// The optional string at `key`.
pub fn opt_str<'a>(body: &'a Value, key: &str) -> UnityResult<Option<&'a str>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(UnityError::invalid(format!("{key} must be a string."))),
    }
}

/// The optional non-negative integer at `key`.
pub fn opt_u64(body: &Value, key: &str) -> UnityResult<Option<u64>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| UnityError::invalid(format!("{key} must be a non-negative integer."))),
    }
}

/// The optional boolean at `key`.
pub fn opt_bool(body: &Value, key: &str) -> UnityResult<Option<bool>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(UnityError::invalid(format!("{key} must be true or false."))),
    }
}

/// The id of reference `key` (`{"id": ...}`), if given.
pub fn opt_ref<'a>(body: &'a Value, key: &str) -> UnityResult<Option<&'a str>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .get("id")
            .and_then(Value::as_str)
            .map(Some)
            .ok_or_else(|| UnityError::invalid(format!("{key} must be {{\"id\": \"...\"}}."))),
    }
}

/// The sub-object at `key` (`{}` when absent).
pub fn sub<'a>(body: &'a Value, key: &str) -> UnityResult<&'a Value> {
    static EMPTY: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| json!({}));
    match body.get(key) {
        None | Some(Value::Null) => Ok(&EMPTY),
        Some(v @ Value::Object(_)) => Ok(v),
        Some(_) => Err(UnityError::invalid(format!("{key} must be an object."))),
    }
}
