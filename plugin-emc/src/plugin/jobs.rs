//! LSM jobs over Unity jobs, with no state in the plugin: the LSM job id is a
//! [`JobToken`] (the Unity job's id and what to fetch once it is done), so any plugin
//! process for the array answers `job_status` (`lsmcli -b`, then `job-status` from
//! elsewhere).
//!
//! A change is sent with `?timeout=0` (the array answers with a job at once) and its job
//! waited for a short while ([`JOB_WAIT`]); one still running then is answered with an LSM
//! job.

use std::time::Duration;

use lsm_core::plugin::{Completion, JobReport};
use lsm_core::types::LsmObject;
use lsm_core::{LsmError, Result};
use lsm_rest::Deadline;
use serde_json::Value;

use super::session::Session;
use crate::client::Outcome;
use crate::client::api::JobPoll;
use crate::error::{Context, ObjectKind};
use crate::mapping::{self, JobResult, JobToken};

/// How long a call waits for the array's job before answering with an LSM job.
pub(super) const JOB_WAIT: Duration = Duration::from_secs(2);

fn kind_of(result: &JobResult) -> ObjectKind {
    match result {
        JobResult::Nothing => ObjectKind::Other,
        JobResult::Volume(_) | JobResult::Clone(_) => ObjectKind::Volume,
        JobResult::FileSystem(_) => ObjectKind::FileSystem,
        JobResult::Snapshot => ObjectKind::Snapshot,
    }
}

/// The id a create's answer names: `storageResource.id` (createLun, createFilesystem,
/// createLunThinClone) or `id` (a snap).
pub(super) fn made_id(answer: Option<&Value>) -> Option<String> {
    let answer = answer?;
    answer
        .pointer("/storageResource/id")
        .or_else(|| answer.get("id"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// What a finished change gives: done with the array's answer, or still a job.
pub(super) enum Settled {
    /// Done: the action's answer (`content`, or the job's `parametersOut`).
    Done(Option<Value>),
    /// Still running: the LSM job id.
    Job(String),
}

impl Session {
    /// Waits up to [`JOB_WAIT`] (within the call's deadline) for `outcome`'s job.
    pub(super) fn settle(
        &self,
        outcome: Outcome,
        context: Context,
        result: JobResult,
    ) -> Result<Settled> {
        let job = match outcome {
            Outcome::Done(answer) => return Ok(Settled::Done(answer)),
            Outcome::Job(job) => job,
        };
        let call = self.client.deadline();
        let wait = Deadline::after(JOB_WAIT);
        let until = if wait.instant() < call.instant() {
            wait
        } else {
            call
        };
        match self
            .client
            .wait_job(&job, kind_of(&result), context, until)?
        {
            Some(answer) => Ok(Settled::Done(answer)),
            None => Ok(Settled::Job(JobToken { job, result }.encode())),
        }
    }

    /// [`Session::settle`], then `fetch` with the answer when done.
    pub(super) fn finish<T>(
        &self,
        outcome: Outcome,
        context: Context,
        result: JobResult,
        fetch: impl FnOnce(&Session, Option<&Value>) -> Result<T>,
    ) -> Result<Completion<T>> {
        match self.settle(outcome, context, result)? {
            Settled::Done(answer) => fetch(self, answer.as_ref()).map(Completion::Done),
            Settled::Job(job) => Ok(Completion::job(job)),
        }
    }

    /// The volume a create made (`id`, or the one its answer names).
    pub(super) fn made_volume(&self, id: &str, answer: Option<&Value>) -> Result<lsm_core::Volume> {
        let id = match id {
            "" => made_id(answer)
                .ok_or_else(|| LsmError::plugin_bug("the array's answer names no LUN"))?,
            id => id.to_string(),
        };
        let lun = self.lun(&id, crate::client::models::Lun::FIELDS)?;
        Ok(mapping::lun_to_volume(&lun, &self.system_id))
    }

    /// The file system a create made (`id`, or the one of the storage resource its answer
    /// names).
    pub(super) fn made_fs(&self, id: &str, answer: Option<&Value>) -> Result<lsm_core::FileSystem> {
        let fs = match id {
            "" => {
                let resource = made_id(answer).ok_or_else(|| {
                    LsmError::plugin_bug("the array's answer names no storage resource")
                })?;
                self.fs_of_resource(&resource)?
            }
            id => self.filesystem(id)?,
        };
        Ok(mapping::filesystem_to_fs(&fs, &self.system_id))
    }

    pub(super) fn job_status(&self, job_id: &str) -> Result<JobReport> {
        let token = JobToken::decode(job_id)?;
        let kind = kind_of(&token.result);
        let context = match token.result {
            JobResult::Nothing => Context::Delete,
            _ => Context::Create,
        };
        let polled = self.client.poll_job(&token.job, kind, context);
        if let JobResult::Clone(snap) = &token.result
            && !matches!(polled, Ok(JobPoll::Running(_)))
        {
            self.drop_clone_snap(snap);
        }
        let answer = match polled? {
            JobPoll::Running(pct) => return Ok(JobReport::in_progress(pct)),
            JobPoll::Done(answer) => answer,
        };
        let answer = answer.as_ref();
        let item = match &token.result {
            JobResult::Nothing => None,
            JobResult::Volume(id) => Some(LsmObject::Volume(self.made_volume(id, answer)?)),
            JobResult::Clone(_) => Some(LsmObject::Volume(self.made_volume("", answer)?)),
            JobResult::FileSystem(id) => Some(LsmObject::FileSystem(self.made_fs(id, answer)?)),
            JobResult::Snapshot => {
                let id = made_id(answer)
                    .ok_or_else(|| LsmError::plugin_bug("the array's answer names no snap"))?;
                let snap = self.client.get::<crate::client::models::Snap>(
                    "snap",
                    &id,
                    crate::client::models::Snap::FIELDS,
                    ObjectKind::Snapshot,
                )?;
                Some(LsmObject::FsSnapshot(mapping::snap_to_fs_snapshot(&snap)))
            }
        };
        Ok(JobReport::complete(item))
    }

    /// Unity keeps its jobs' history itself: freeing one only checks the id is one of ours
    /// and the array knows the job.
    pub(super) fn job_free(&self, job_id: &str) -> Result<()> {
        let token = JobToken::decode(job_id)?;
        self.client
            .get::<crate::client::models::Job>("job", &token.job, "id", ObjectKind::Job)
            .map(drop)
    }
}
