//! LSM jobs over NexentaStor jobs, with no state in the plugin: the LSM job id is a
//! [`JobToken`] (the job's monitor path and what to fetch once it is done), so any plugin
//! process for the appliance answers `job_status` (`lsmcli -b`, then `job-status` from
//! elsewhere).
//!
//! A change the appliance answers with a job is waited for a short while
//! ([`JOB_WAIT`]); one still running then is answered with an LSM job.
//!
//! NexentaStor keeps a finished job's status for a while, then forgets it: a monitor path
//! it no longer knows (`ENOENT`) is a finished job when what the job made (or removed) is
//! there (or gone), else `NOT_FOUND_JOB`.

use std::time::Duration;

use lsm_core::plugin::{Completion, JobReport};
use lsm_core::types::LsmObject;
use lsm_core::{ErrorNumber, LsmError, Result};
use lsm_rest::Deadline;

use super::session::Session;
use crate::client::Outcome;
use crate::client::api::JobPoll;
use crate::error::{Context, ObjectKind};
use crate::mapping::{JobResult, JobToken};

/// How long a call waits for the appliance's job before answering with an LSM job.
pub(super) const JOB_WAIT: Duration = Duration::from_secs(2);

fn kind_of(result: &JobResult) -> ObjectKind {
    match result {
        JobResult::Nothing => ObjectKind::Other,
        JobResult::Volume(_) | JobResult::Copy(_) => ObjectKind::Volume,
        JobResult::FileSystem(_) => ObjectKind::FileSystem,
        JobResult::Snapshot(_) => ObjectKind::Snapshot,
    }
}

impl Session {
    /// `Ok(None)` when `outcome` is done (at once, or its job within [`JOB_WAIT`]); else
    /// the LSM job id that follows it.
    pub(super) fn settle(
        &self,
        outcome: Outcome,
        context: Context,
        result: JobResult,
    ) -> Result<Option<String>> {
        let Outcome::Job(monitor) = outcome else {
            return Ok(None);
        };
        let kind = kind_of(&result);
        let call = self.client.deadline();
        let wait = Deadline::after(JOB_WAIT);
        let until = if wait.instant() < call.instant() {
            wait
        } else {
            call
        };
        match self.client.wait_job(&monitor, kind, context, until) {
            Ok(()) => Ok(None),
            Err(error) if error.code == ErrorNumber::TIMEOUT => {
                Ok(Some(JobToken { monitor, result }.encode()))
            }
            Err(error) => Err(error),
        }
    }

    /// [`Session::settle`], then the object when done.
    pub(super) fn finish<T>(
        &self,
        outcome: Outcome,
        context: Context,
        result: JobResult,
        fetch: impl FnOnce(&Session) -> Result<T>,
    ) -> Result<Completion<T>> {
        match self.settle(outcome, context, result)? {
            None => fetch(self).map(Completion::Done),
            Some(job) => Ok(Completion::job(job)),
        }
    }

    pub(super) fn job_status(&self, job_id: &str) -> Result<JobReport> {
        let token = JobToken::decode(job_id)?;
        if let JobResult::Copy(target) = &token.result {
            return Ok(match self.copy_progress(&token.monitor, target)? {
                Some(volume) => JobReport::complete(Some(LsmObject::Volume(volume))),
                None => JobReport::in_progress(50),
            });
        }
        let kind = kind_of(&token.result);
        let context = match token.result {
            JobResult::Nothing => Context::Delete,
            _ => Context::Create,
        };
        let done = match self.client.poll_job(&token.monitor, kind, context) {
            Ok(JobPoll::Running) => return Ok(JobReport::in_progress(50)),
            Ok(JobPoll::Done) => true,
            // Forgotten by the appliance: finished if its result is there.
            Err(error) if is_unknown_job(&error, kind) => false,
            Err(error) => return Err(error),
        };
        let item = match &token.result {
            JobResult::Nothing if done => None,
            JobResult::Nothing => {
                return Err(LsmError::new(
                    ErrorNumber::NOT_FOUND_JOB,
                    format!("Job {job_id} not found (the appliance no longer has it)"),
                ));
            }
            JobResult::Volume(path) | JobResult::Copy(path) => {
                Some(LsmObject::Volume(self.volume_of(path)?))
            }
            JobResult::FileSystem(path) => Some(LsmObject::FileSystem(
                crate::mapping::filesystem_to_fs(&self.filesystem(path)?, &self.system_id),
            )),
            JobResult::Snapshot(path) => Some(LsmObject::FsSnapshot(
                crate::mapping::snapshot_to_fs_snapshot(&self.snapshot(path)?),
            )),
        };
        Ok(JobReport::complete(item))
    }

    /// NexentaStor forgets its jobs by itself: freeing one only checks its id.
    pub(super) fn job_free(&self, job_id: &str) -> Result<()> {
        JobToken::decode(job_id).map(drop)
    }
}

fn is_unknown_job(error: &LsmError, kind: ObjectKind) -> bool {
    error.code == crate::error::not_found_code(kind) || error.code == ErrorNumber::NOT_FOUND_GENERIC
}
