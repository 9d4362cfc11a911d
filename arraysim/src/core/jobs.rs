//! The job engine: long operations become jobs that go
//! `queued` → `running` → `success`/`failure`, each step taking the
//! configured time of the simulator's clock ([`super::time`]: `--job-ms`, or a
//! `job_ms=` fault's; 0 = as soon as the reply is out; the admin API moves the
//! clock on or ends every step). The job's work runs on
//! a copy of the state and replaces it only on success.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::state::{Shared, StoreError};
use super::time::now_iso8601;

/// A job's state, spelled as ONTAP spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    /// Accepted, not started.
    Queued,
    /// In progress.
    Running,
    /// Paused (never produced by the simulator; part of the enum).
    Paused,
    /// Finished well.
    Success,
    /// Finished with an error.
    Failure,
}

impl JobState {
    /// Whether the job has finished.
    pub fn is_terminal(self) -> bool {
        matches!(self, JobState::Success | JobState::Failure)
    }
}

/// One job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    /// Identity.
    pub uuid: String,
    /// What was asked, e.g. `POST /api/storage/volumes`.
    pub description: String,
    /// Progress.
    pub state: JobState,
    /// Human text (the error's on failure).
    pub message: String,
    /// Numeric result code (0 on success).
    pub code: u64,
    /// When it started running.
    pub start_time: Option<String>,
    /// When it finished.
    pub end_time: Option<String>,
    /// Vendor data shown with the job (e.g. the SVM), opaque here.
    pub owner: Option<serde_json::Value>,
}

/// Why a job's work failed.
#[derive(Debug, Clone)]
pub struct JobFailure {
    /// Vendor error code.
    pub code: u64,
    /// Human text.
    pub message: String,
}

/// State that holds a job table.
pub trait HasJobs {
    /// The jobs, oldest first.
    fn jobs(&self) -> &Vec<Job>;
    /// The jobs, to change.
    fn jobs_mut(&mut self) -> &mut Vec<Job>;
}

/// How many finished jobs are kept.
const KEPT_JOBS: usize = 1000;

/// Fail every job a previous run left unfinished (called at start-up).
pub fn fail_interrupted<S: HasJobs>(state: &mut S) {
    for job in state
        .jobs_mut()
        .iter_mut()
        .filter(|j| !j.state.is_terminal())
    {
        job.state = JobState::Failure;
        job.code = 1;
        job.message = "job interrupted: the simulator restarted".into();
        job.end_time = Some(now_iso8601());
    }
}

/// The code of a job failed by `--fault job=failure` (*chosen*: no vendor's, so a client
/// treats it as the unexpected failure it is).
pub const INJECTED_FAILURE_CODE: u64 = 65_536;

/// Record a new job and run `work` in the background. `injected_failure`
/// (from a `job=failure` fault) fails it without running the work.
pub fn submit<S, W>(
    shared: &Arc<Shared<S>>,
    description: String,
    owner: Option<serde_json::Value>,
    step: Duration,
    injected_failure: bool,
    work: W,
) -> Result<Job, StoreError>
where
    S: HasJobs + Clone + Serialize + Send + 'static,
    W: FnOnce(&mut S) -> Result<(), JobFailure> + Send + 'static,
{
    let job = Job {
        uuid: uuid::Uuid::new_v4().to_string(),
        description,
        state: JobState::Queued,
        message: "Queued".into(),
        code: 0,
        start_time: None,
        end_time: None,
        owner,
    };
    shared.mutate(|s: &mut S| -> Result<(), StoreError> {
        let jobs = s.jobs_mut();
        jobs.push(job.clone());
        let finished = jobs.iter().filter(|j| j.state.is_terminal()).count();
        if finished > KEPT_JOBS {
            let mut drop = finished - KEPT_JOBS;
            jobs.retain(|j| {
                if drop > 0 && j.state.is_terminal() {
                    drop -= 1;
                    false
                } else {
                    true
                }
            });
        }
        Ok(())
    })?;
    let shared = Arc::clone(shared);
    let uuid = job.uuid.clone();
    let ticket = super::time::job_ticket();
    let submitted = super::time::now();
    let step = super::time::job_step(step);
    tokio::spawn(async move {
        super::time::job_step_until(submitted + step, ticket).await;
        let started = shared.mutate(|s: &mut S| -> Result<(), StoreError> {
            if let Some(j) = s.jobs_mut().iter_mut().find(|j| j.uuid == uuid) {
                j.state = JobState::Running;
                j.message = "Running".into();
                j.start_time = Some(now_iso8601());
            }
            Ok(())
        });
        if let Err(e) = started {
            tracing::error!("job {uuid}: {e}");
        }
        super::time::job_step_until(submitted + step * 2, ticket).await;
        let finished = shared.mutate(|s: &mut S| -> Result<(), StoreError> {
            let outcome = if injected_failure {
                Err(JobFailure {
                    code: INJECTED_FAILURE_CODE,
                    message: "job failed: injected by --fault job=failure".into(),
                })
            } else {
                let mut trial = s.clone();
                work(&mut trial).map(|()| *s = trial)
            };
            if let Some(j) = s.jobs_mut().iter_mut().find(|j| j.uuid == uuid) {
                j.end_time = Some(now_iso8601());
                match outcome {
                    Ok(()) => {
                        j.state = JobState::Success;
                        j.message = "success".into();
                        j.code = 0;
                    }
                    Err(f) => {
                        j.state = JobState::Failure;
                        j.message = f.message;
                        j.code = f.code;
                    }
                }
            }
            Ok(())
        });
        if let Err(e) = finished {
            tracing::error!("job {uuid}: {e}");
        }
    });
    Ok(job)
}

/// Wait up to `timeout` for job `uuid` to finish; its last known state.
pub async fn wait<S: HasJobs + Clone + Serialize>(
    shared: &Shared<S>,
    uuid: &str,
    timeout: Duration,
) -> Option<Job> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let job = shared.read(|s| s.jobs().iter().find(|j| j.uuid == uuid).cloned());
        match job {
            Some(j) if j.state.is_terminal() => return Some(j),
            other if tokio::time::Instant::now() >= deadline => return other,
            _ => tokio::time::sleep(Duration::from_millis(5)).await,
        }
    }
}
