//! LSM jobs over ONTAP jobs, with no state in the plugin: the LSM job id is a [`JobToken`]
//! (the ONTAP job's uuid and what to fetch once it has succeeded), so any plugin process of
//! the same cluster answers `job_status` (`lsmcli -b`, then `job-status` from elsewhere).
//! The one thing a session remembers is which ids its own client freed.

use lsm_core::plugin::JobReport;
use lsm_core::types::LsmObject;
use lsm_core::{ErrorNumber, LsmError, Result};

use super::session::Session;
use crate::error::{ObjectKind, OntapError};
use crate::mapping::{self, JobResult, JobToken};

impl Session {
    pub(super) fn job_status(&self, job_id: &str) -> Result<JobReport> {
        let token = JobToken::decode(job_id)?;
        if self.freed_jobs.contains(job_id) {
            return Err(LsmError::new(
                ErrorNumber::NOT_FOUND_JOB,
                format!("Job {job_id} not found (freed)"),
            ));
        }
        let job = self.client.job(&token.ontap_job).map_err(|error| {
            if error.code == ErrorNumber::NOT_FOUND_JOB {
                LsmError::new(
                    ErrorNumber::NOT_FOUND_JOB,
                    format!(
                        "Job {job_id} not found (ONTAP no longer has job {})",
                        token.ontap_job
                    ),
                )
            } else {
                error
            }
        })?;
        let (status, percent) = mapping::job_status(job.state.as_deref());
        match status {
            lsm_core::types::JobStatus::COMPLETE => {}
            lsm_core::types::JobStatus::ERROR => {
                let kind = match token.result {
                    JobResult::FileSystem(_) => ObjectKind::FileSystem,
                    JobResult::Snapshot { .. } => ObjectKind::Snapshot,
                    JobResult::Lun { .. } => ObjectKind::Pool,
                    JobResult::Nothing => ObjectKind::Other,
                };
                return Err(OntapError::from_failed_job(&job).to_lsm(kind));
            }
            _ => return Ok(JobReport::in_progress(percent)),
        }
        let item = match &token.result {
            JobResult::Nothing => None,
            JobResult::FileSystem(name) => {
                Some(LsmObject::FileSystem(self.file_system_named(name)?))
            }
            JobResult::Snapshot { volume_uuid, name } => Some(LsmObject::FsSnapshot(
                self.snapshot_named(volume_uuid, name)?,
            )),
            JobResult::Lun {
                container,
                name,
                size,
                thick,
            } => Some(LsmObject::Volume(
                self.make_lun_in(container, name, *size, *thick)?,
            )),
        };
        Ok(JobReport::complete(item))
    }

    /// ONTAP keeps and purges its own job records (there is no deleting one): freeing
    /// forgets the id for this client, whose later `job_status` of it is `NOT_FOUND_JOB`.
    pub(super) fn job_free(&mut self, job_id: &str) -> Result<()> {
        JobToken::decode(job_id)?;
        if !self.freed_jobs.insert(job_id.to_string()) {
            return Err(LsmError::new(
                ErrorNumber::NOT_FOUND_JOB,
                format!("Job {job_id} not found (freed)"),
            ));
        }
        Ok(())
    }
}
