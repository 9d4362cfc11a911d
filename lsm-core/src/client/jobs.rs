//! Jobs on the client side: [`JobOutput`] (what a finished job hands back, typed) and
//! [`Client::wait`], which polls a job to its end and frees it. [`Completion`] and
//! [`JobReport`] are shared with the plugin side (`results.rs`).

use std::time::Duration;

use super::Client;
use crate::error::{ErrorNumber, LsmError, Result};
use crate::results::{Completion, JobReport};
use crate::types::*;

/// What a finished job hands back.
pub trait JobOutput: Sized {
    /// The job's result from the item of its last report: the object it made, or nothing;
    /// `PLUGIN_BUG` when the item is not what the method makes.
    fn from_item(item: Option<LsmObject>) -> Result<Self>;
}

impl JobOutput for () {
    fn from_item(_: Option<LsmObject>) -> Result<Self> {
        Ok(())
    }
}

macro_rules! job_output {
    ($ty:ident, $what:literal) => {
        impl JobOutput for $ty {
            fn from_item(item: Option<LsmObject>) -> Result<Self> {
                match item {
                    Some(LsmObject::$ty(v)) => Ok(v),
                    other => Err(LsmError::new(
                        ErrorNumber::PLUGIN_BUG,
                        format!(
                            "job completed without {}: got {:?}",
                            $what,
                            other.map(|o| o.class())
                        ),
                    )),
                }
            }
        }
    };
}
job_output!(Volume, "a Volume");
job_output!(FileSystem, "a FileSystem");
job_output!(FsSnapshot, "an FsSnapshot");
job_output!(Pool, "a Pool");

/// The first pause between two `job_status` polls; it doubles up to [`POLL_MAX`].
const POLL_FIRST: Duration = Duration::from_millis(2);
/// The longest pause between two `job_status` polls.
const POLL_MAX: Duration = Duration::from_millis(250);

impl Client {
    /// Poll a job until it ends: progress goes to `progress`, the job is
    /// freed, and its result (or the plugin's error) returned.
    pub async fn wait<T: JobOutput>(
        &mut self,
        completion: Completion<T>,
        progress: impl FnMut(u8),
    ) -> Result<T> {
        let job = match completion {
            Completion::Done(value) => return Ok(value),
            Completion::Job(job) => job,
        };
        let report = self.wait_report(&job.id, progress).await?;
        if report.status == JobStatus::COMPLETE {
            T::from_item(report.item)
        } else {
            Err(LsmError::new(
                ErrorNumber::PLUGIN_BUG,
                format!("job {} ended in error (status {})", job.id, report.status.0),
            ))
        }
    }

    /// Wait without progress reports.
    pub async fn wait_done<T: JobOutput>(&mut self, completion: Completion<T>) -> Result<T> {
        self.wait(completion, |_| {}).await
    }

    /// Poll job `job_id` until it is no longer in progress (the pause between polls doubles
    /// from 2 to 250 ms), reporting each percent to `progress`; free it, and return its last
    /// report: `COMPLETE` with the item, or the error status. A failed `job_free` of a
    /// complete job is an error; of a failed job, it is ignored (the job's failure is what
    /// the caller needs to hear).
    pub async fn wait_report(
        &mut self,
        job_id: &str,
        mut progress: impl FnMut(u8),
    ) -> Result<JobReport> {
        let mut pause = POLL_FIRST;
        loop {
            let report = self.job_status(job_id).await?;
            progress(report.percent);
            if report.status == JobStatus::INPROGRESS {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(POLL_MAX);
                continue;
            }
            if report.status == JobStatus::COMPLETE {
                self.job_free(job_id).await?;
            } else {
                let _ = self.job_free(job_id).await;
            }
            return Ok(report);
        }
    }
}
