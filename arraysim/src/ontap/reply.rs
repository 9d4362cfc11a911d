//! Answering: a create's 201 with its `Location`, an empty 200, and the asynchronous
//! answers (one job, or one per object a query-based change matched), waiting
//! `return_timeout` for them.

use std::time::Duration;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Ontap;
use super::error::{OntapError, OntapResult};
use super::model::{self, Inventory};
use super::query::OntapQuery;
use crate::core::jobs::{self, JobFailure, JobState};

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
