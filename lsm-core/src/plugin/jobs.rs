//! A job table for plugins whose long operations run inside the plugin
//! process: each job is a thread reporting its percent; `job_status`
//! reports it and hands back the result once the thread has finished.
//!
//! Jobs live as long as the plugin process (one client connection under
//! lsmd). A plugin that must keep jobs across connections (the simulator)
//! stores them with its state instead.
//!
//! A job's deadline: the call that started the job is answered with its id at once, so
//! that call's deadline does not bind the work. The work is given a [`Call`] of its own,
//! renewed when its thread starts (the session's timeout, counted from then): a bound for
//! each wait on the array or a tool, so a job whose array stops answering ends with
//! `TIMEOUT` in `job_status` instead of never. Work of many steps that may together take
//! longer than one timeout (copying data) renews it per step ([`Call::renewed`]).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::thread::JoinHandle;

use super::call::Call;
use crate::error::{ErrorNumber, LsmError, Result};
use crate::results::JobReport;
use crate::types::LsmObject;

/// What a job thread returns: the object it made, if any.
pub type JobOutcome = Result<Option<LsmObject>>;

/// Handed to a job's work so it can report progress.
#[derive(Debug, Clone, Default)]
pub struct JobProgress(Arc<AtomicU8>);

impl JobProgress {
    /// Set the percent done (capped at 99 until the work returns).
    pub fn set(&self, percent: u8) {
        self.0.store(percent.min(99), Ordering::Relaxed);
    }

    fn get(&self) -> u8 {
        self.0.load(Ordering::Relaxed)
    }
}

enum JobState {
    Running(JoinHandle<JobOutcome>),
    Finished(Box<JobOutcome>),
}

struct JobEntry {
    progress: JobProgress,
    state: JobState,
}

/// The in-process job table. Ids are `<prefix><n>` and never reused within
/// a process.
pub struct JobTable {
    prefix: String,
    next: u64,
    jobs: HashMap<String, JobEntry>,
}

impl Default for JobTable {
    fn default() -> Self {
        JobTable::new("JOB_")
    }
}

impl JobTable {
    /// An empty table whose job ids are `<prefix>00001`, `<prefix>00002`, ...
    pub fn new(prefix: impl Into<String>) -> Self {
        JobTable {
            prefix: prefix.into(),
            next: 1,
            jobs: HashMap::new(),
        }
    }

    fn next_id(&mut self) -> String {
        let id = format!("{}{:05}", self.prefix, self.next);
        self.next += 1;
        id
    }

    /// Run `work` on its own thread and return the job id. `cx` is the context of the call
    /// starting the job; the work gets one of its own, `cx` [renewed](Call::renewed) as the
    /// thread starts (see the module docs), and the progress it reports.
    pub fn spawn<F>(&mut self, cx: &Call, work: F) -> Result<String>
    where
        F: FnOnce(&Call, &JobProgress) -> JobOutcome + Send + 'static,
    {
        let progress = JobProgress::default();
        let thread_progress = progress.clone();
        let session = *cx;
        let handle = std::thread::Builder::new()
            .name("lsm-job".into())
            .spawn(move || work(&session.renewed(), &thread_progress))
            .map_err(|e| {
                LsmError::new(
                    ErrorNumber::PLUGIN_BUG,
                    format!("cannot start job thread: {e}"),
                )
            })?;
        let id = self.next_id();
        self.jobs.insert(
            id.clone(),
            JobEntry {
                progress,
                state: JobState::Running(handle),
            },
        );
        Ok(id)
    }

    /// Record a job whose work is already done (reported on the first
    /// `job_status`).
    pub fn insert_finished(&mut self, outcome: JobOutcome) -> String {
        let id = self.next_id();
        self.jobs.insert(
            id.clone(),
            JobEntry {
                progress: JobProgress::default(),
                state: JobState::Finished(Box::new(outcome)),
            },
        );
        id
    }

    fn not_found(job_id: &str) -> LsmError {
        LsmError::new(
            ErrorNumber::NOT_FOUND_JOB,
            format!("Job {job_id} not found"),
        )
    }

    /// `job_status`: in progress with its percent, complete with the item, or
    /// the job's own error.
    pub fn status(&mut self, job_id: &str) -> Result<JobReport> {
        let entry = self
            .jobs
            .get_mut(job_id)
            .ok_or_else(|| Self::not_found(job_id))?;
        if let JobState::Running(handle) = &entry.state {
            if !handle.is_finished() {
                return Ok(JobReport::in_progress(entry.progress.get()));
            }
            let JobState::Running(handle) =
                std::mem::replace(&mut entry.state, JobState::Finished(Box::new(Ok(None))))
            else {
                unreachable!("state checked just above");
            };
            let outcome = handle.join().unwrap_or_else(|_| {
                Err(LsmError::new(
                    ErrorNumber::PLUGIN_BUG,
                    "job thread panicked",
                ))
            });
            entry.state = JobState::Finished(Box::new(outcome));
        }
        match &entry.state {
            JobState::Finished(outcome) => match outcome.as_ref() {
                Ok(item) => Ok(JobReport::complete(item.clone())),
                Err(e) => Err(e.clone()),
            },
            JobState::Running(_) => Ok(JobReport::in_progress(entry.progress.get())),
        }
    }

    /// `job_free`: forget a job (a running one is detached and finishes on
    /// its own).
    pub fn free(&mut self, job_id: &str) -> Result<()> {
        self.jobs
            .remove(job_id)
            .map(|_| ())
            .ok_or_else(|| Self::not_found(job_id))
    }

    /// Number of jobs not yet freed.
    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    /// Whether every job has been freed.
    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::JobStatus;
    use std::time::Duration;

    #[test]
    fn spawned_job_runs_and_completes() {
        let mut table = JobTable::default();
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let id = table
            .spawn(&Call::new(Duration::from_secs(30)), move |_, p| {
                p.set(50);
                rx.recv().ok();
                Ok(None)
            })
            .unwrap();
        std::thread::sleep(Duration::from_millis(20));
        let s = table.status(&id).unwrap();
        assert_eq!(s.status, JobStatus::INPROGRESS);
        assert_eq!(s.percent, 50);
        tx.send(()).unwrap();
        let mut done = None;
        for _ in 0..200 {
            let s = table.status(&id).unwrap();
            if s.status == JobStatus::COMPLETE {
                done = Some(s);
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(done.unwrap().percent, 100);
        table.free(&id).unwrap();
        assert_eq!(
            table.status(&id).unwrap_err().code,
            ErrorNumber::NOT_FOUND_JOB
        );
    }

    /// The call that started the job is long past its deadline; the work's own context
    /// starts with the job, with the session's timeout.
    #[test]
    fn job_work_gets_a_renewed_context() {
        let mut table = JobTable::default();
        let started = Call::arrived_at(
            std::time::Instant::now() - Duration::from_secs(60),
            Duration::from_secs(30),
        );
        assert!(started.is_past());
        let (tx, rx) = std::sync::mpsc::channel();
        table
            .spawn(&started, move |cx, _| {
                tx.send(*cx).ok();
                Ok(None)
            })
            .unwrap();
        let job_cx = rx.recv().unwrap();
        assert!(!job_cx.is_past());
        assert_eq!(job_cx.timeout(), Duration::from_secs(30));
        assert!(job_cx.deadline() > started.deadline());
    }

    #[test]
    fn failed_job_reports_its_error() {
        let mut table = JobTable::default();
        let id = table.insert_finished(Err(LsmError::new(ErrorNumber::NOT_ENOUGH_SPACE, "full")));
        let e = table.status(&id).unwrap_err();
        assert_eq!(e.code, ErrorNumber::NOT_ENOUGH_SPACE);
        assert!(table.free("JOB_99999").is_err());
    }

    #[test]
    fn panicking_job_is_a_plugin_bug() {
        let mut table = JobTable::default();
        let id = table
            .spawn(&Call::new(Duration::from_secs(30)), |_, _| panic!("boom"))
            .unwrap();
        std::thread::sleep(Duration::from_millis(50));
        let mut err = None;
        for _ in 0..100 {
            match table.status(&id) {
                Err(e) => {
                    err = Some(e);
                    break;
                }
                Ok(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
        assert_eq!(err.unwrap().code, ErrorNumber::PLUGIN_BUG);
    }
}
