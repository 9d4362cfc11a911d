//! The async job flow (protocol §8), followed by hand with raw `job_status`
//! replies: status INPROGRESS then COMPLETE, percent an integer within
//! 0..=100 that never goes back, the finished object as the item, and after
//! `job_free` the id is gone (`NOT_FOUND_JOB`).

use std::time::{Duration, Instant};

use lsm_core::params;
use lsm_core::{Capability as C, Completion, ErrorNumber, JobStatus, LsmObject, Provisioning};
use serde_json::Value;

use crate::cleanup::Undo;
use crate::ctx::Ctx;
use crate::expect::{CheckResult, During, expect_error};
use crate::fixtures::OBJECT_SIZE;
use crate::harness::Check;

/// The job checks.
pub const CHECKS: &[Check] = &[
    Check {
        name: "job_volume_create",
        summary: "volume_create's job reports progress, completes with the volume, then is freed",
        requires: &[C::VOLUMES, C::VOLUME_CREATE, C::VOLUME_DELETE],
        body: job_volume_create,
    },
    Check {
        name: "job_volume_delete",
        summary: "volume_delete's job completes with no item and the volume is gone",
        requires: &[C::VOLUMES, C::VOLUME_CREATE, C::VOLUME_DELETE],
        body: job_volume_delete,
    },
    Check {
        name: "job_fs_create",
        summary: "fs_create's job reports progress, completes with the file system, then is freed",
        requires: &[C::FS, C::FS_CREATE, C::FS_DELETE],
        body: job_fs_create,
    },
];

/// What following a job showed.
struct JobTrace {
    /// The item of the COMPLETE reply (`null` or an object).
    item: Value,
    /// How many INPROGRESS replies came before COMPLETE.
    in_progress: usize,
    /// Every percent reported.
    percents: Vec<i64>,
}

/// Polls `job_status` until the job leaves INPROGRESS, checking each reply.
fn follow_job(ctx: &mut Ctx, job_id: &str) -> CheckResult<JobTrace> {
    let patience = ctx.timeout.max(Duration::from_secs(60));
    let deadline = Instant::now() + patience;
    let mut delay = Duration::from_millis(5);
    let mut trace = JobTrace {
        item: Value::Null,
        in_progress: 0,
        percents: Vec::new(),
    };
    loop {
        let reply: Value = ctx
            .client
            .request(params::JobStatus {
                job_id: job_id.into(),
                flags: 0,
            })
            .during(&format!("job_status({job_id})"))?;
        let parts = match reply.as_array() {
            Some(parts) if parts.len() == 3 => parts,
            _ => fail!("job_status({job_id}) replied {reply}, expected [status, percent, item]"),
        };
        let (Some(status), Some(percent)) = (parts[0].as_i64(), parts[1].as_i64()) else {
            fail!("job_status({job_id}) replied {reply}: status and percent must be integers");
        };
        ensure!(
            (0..=100).contains(&percent),
            "job_status({job_id}) reported percent {percent}, outside 0..=100"
        );
        if let Some(last) = trace.percents.last() {
            ensure!(
                percent >= *last,
                "job {job_id} went back from {last}% to {percent}%"
            );
        }
        trace.percents.push(percent);
        match JobStatus(status) {
            JobStatus::INPROGRESS => {
                ensure!(
                    parts[2].is_null(),
                    "job {job_id} is INPROGRESS but already has an item: {}",
                    parts[2]
                );
                trace.in_progress += 1;
                ensure!(
                    Instant::now() < deadline,
                    "job {job_id} still INPROGRESS after {} s",
                    patience.as_secs()
                );
                std::thread::sleep(delay);
                delay = (delay * 2).min(Duration::from_millis(50));
            }
            JobStatus::COMPLETE => {
                trace.item = parts[2].clone();
                return Ok(trace);
            }
            JobStatus::ERROR => fail!("job {job_id} ended in ERROR: {reply}"),
            other => fail!("job {job_id} has unknown status {}", other.0),
        }
    }
}

/// `job_free`, then the id must be unknown to `job_status` and `job_free`.
fn free_job(ctx: &mut Ctx, job_id: &str) -> CheckResult {
    ctx.client
        .job_free(job_id)
        .during(&format!("job_free({job_id})"))?;
    ctx.forget_undo(|u| matches!(u, Undo::Job(j) if j == job_id));
    expect_error(
        ctx.client.job_status(job_id),
        ErrorNumber::NOT_FOUND_JOB,
        "job_status after job_free",
    )?;
    expect_error(
        ctx.client.job_free(job_id),
        ErrorNumber::NOT_FOUND_JOB,
        "job_free twice",
    )
}

fn describe(job_id: &str, trace: &JobTrace) -> String {
    format!(
        "job {job_id}: {} INPROGRESS reports, percents {:?}, then COMPLETE",
        trace.in_progress, trace.percents
    )
}

fn item_object(job_id: &str, item: &Value) -> CheckResult<LsmObject> {
    serde_json::from_value(item.clone()).map_err(|e| {
        crate::CheckError::Failed(format!(
            "job {job_id} completed with an item that is not an LSM object ({e}): {item}"
        ))
    })
}

fn job_volume_create(ctx: &mut Ctx) -> CheckResult {
    let pool = ctx.volume_pool()?;
    let name = ctx.unique_name();
    ctx.push_undo(Undo::Volume {
        name: name.clone(),
        known: None,
    });
    let started = ctx
        .client
        .volume_create(&pool, &name, OBJECT_SIZE, Provisioning::DEFAULT)
        .during("volume_create")?;
    let job_id = match started {
        Completion::Done(_) => skip!("volume_create finished at once: there is no job to follow"),
        Completion::Job(job) => job.id,
    };
    ensure!(!job_id.is_empty(), "volume_create returned an empty job id");
    ctx.push_undo(Undo::Job(job_id.clone()));
    let trace = follow_job(ctx, &job_id)?;
    ctx.note(describe(&job_id, &trace));
    let volume = match item_object(&job_id, &trace.item)? {
        LsmObject::Volume(volume) => volume,
        other => fail!("volume_create job completed with a {}", other.class()),
    };
    ctx.learn_undo(Undo::Volume {
        name: name.clone(),
        known: Some(volume.clone()),
    });
    ensure!(
        volume.name == name && volume.pool_id == pool.id,
        "the job's volume is {} in {}, expected {name} in {}",
        volume.name,
        volume.pool_id,
        pool.id
    );
    ensure!(
        volume.size_bytes() >= OBJECT_SIZE,
        "the job's volume has {} bytes, asked for {OBJECT_SIZE}",
        volume.size_bytes()
    );
    ensure!(
        ctx.find_volume(&volume.id)?.is_some(),
        "volume {} of the completed job is not listed",
        volume.id
    );
    free_job(ctx, &job_id)
}

fn job_volume_delete(ctx: &mut Ctx) -> CheckResult {
    let volume = ctx.scratch_volume()?;
    let started = ctx.client.volume_delete(&volume).during("volume_delete")?;
    let job_id = match started {
        Completion::Done(()) => {
            ensure!(
                ctx.find_volume(&volume.id)?.is_none(),
                "volume {} is still listed after volume_delete",
                volume.id
            );
            skip!("volume_delete finished at once: there is no job to follow")
        }
        Completion::Job(job) => job.id,
    };
    ctx.push_undo(Undo::Job(job_id.clone()));
    let trace = follow_job(ctx, &job_id)?;
    ctx.note(describe(&job_id, &trace));
    ensure!(
        trace.item.is_null(),
        "volume_delete job completed with an item: {}",
        trace.item
    );
    ensure!(
        ctx.find_volume(&volume.id)?.is_none(),
        "volume {} is still listed after its delete job completed",
        volume.id
    );
    let name = volume.name.clone();
    ctx.forget_undo(|u| matches!(u, Undo::Volume { name: n, .. } if *n == name));
    free_job(ctx, &job_id)
}

fn job_fs_create(ctx: &mut Ctx) -> CheckResult {
    let pool = ctx.fs_pool()?;
    let name = ctx.unique_name();
    ctx.push_undo(Undo::FileSystem {
        name: name.clone(),
        known: None,
    });
    let started = ctx
        .client
        .fs_create(&pool, &name, OBJECT_SIZE)
        .during("fs_create")?;
    let job_id = match started {
        Completion::Done(_) => skip!("fs_create finished at once: there is no job to follow"),
        Completion::Job(job) => job.id,
    };
    ctx.push_undo(Undo::Job(job_id.clone()));
    let trace = follow_job(ctx, &job_id)?;
    ctx.note(describe(&job_id, &trace));
    let fs = match item_object(&job_id, &trace.item)? {
        LsmObject::FileSystem(fs) => fs,
        other => fail!("fs_create job completed with a {}", other.class()),
    };
    ctx.learn_undo(Undo::FileSystem {
        name: name.clone(),
        known: Some(fs.clone()),
    });
    ensure!(
        fs.name == name && fs.pool_id == pool.id,
        "the job's file system is {} in {}, expected {name} in {}",
        fs.name,
        fs.pool_id,
        pool.id
    );
    ensure!(
        fs.total_space >= OBJECT_SIZE,
        "the job's file system has {} bytes, asked for {OBJECT_SIZE}",
        fs.total_space
    );
    ensure!(
        ctx.find_fs(&fs.id)?.is_some(),
        "file system {} of the completed job is not listed",
        fs.id
    );
    free_job(ctx, &job_id)
}
