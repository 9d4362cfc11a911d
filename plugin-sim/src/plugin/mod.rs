//! The `sim://` plugin: [`SimPlugin`], its per-call transactions over [`State`], and
//! the small helpers every method shares (errors, time, job length).
//!
//! Objects a client passes in are looked up by `id` only (a stale copy's
//! other fields are ignored). Mutations are async like the reference's:
//! the change is made and committed at once, and a job row (in the state
//! file, so another connection can poll it) reports COMPLETE after
//! `$LSM_SIM_TIME` seconds.
//!
//! # Layout
//! - `rows`: state file rows to LSM objects, with the columns each mapping reads.
//! - `lookups`: objects by id, name and initiator checks, space accounting,
//!   job rows, dependency queries and RAID geometry.
//! - `management`: the [`Management`](lsm_core::plugin::Management) impl
//!   (registration, capabilities, systems, pools, jobs).
//! - `san`: the [`San`](lsm_core::plugin::San) impl (volumes, disks, access
//!   groups and masking, target ports, RAID, batteries, caches, LEDs).
//! - `nas`: the [`Nas`](lsm_core::plugin::Nas) impl (file systems, snapshots,
//!   clones, NFS exports).

mod lookups;
mod management;
mod nas;
mod rows;
mod san;

use std::time::{SystemTime, UNIX_EPOCH};

use lsm_core::{ErrorNumber, LsmError, Result};
use rusqlite::Connection;

use crate::state::{SimError, SimResult, State};

/// The `sim://` plugin.
#[derive(Default)]
pub struct SimPlugin {
    state: Option<State>,
}

fn not_found(code: ErrorNumber, what: &str, id: &str) -> SimError {
    SimError::Lsm(LsmError::new(code, format!("{what} {id} not found")))
}

fn lsm(code: ErrorNumber, msg: impl Into<String>) -> SimError {
    SimError::Lsm(LsmError::new(code, msg))
}

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Job duration from `$LSM_SIM_TIME` (seconds, default 1).
fn job_duration() -> f64 {
    std::env::var("LSM_SIM_TIME")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
        .unwrap_or(1.0)
}

impl SimPlugin {
    fn state(&mut self) -> Result<&mut State> {
        self.state.as_mut().ok_or_else(|| {
            LsmError::new(
                ErrorNumber::INVALID_ARGUMENT,
                "plugin_register must come first",
            )
        })
    }

    fn read<T>(&mut self, f: impl FnOnce(&Connection) -> SimResult<T>) -> Result<T> {
        self.state()?.read(f)
    }

    /// A read that is one statement: no BEGIN / COMMIT around it (see `State::read_one`).
    fn read_one<T>(&mut self, f: impl FnOnce(&Connection) -> SimResult<T>) -> Result<T> {
        self.state()?.read_one(f)
    }

    fn write<T>(&mut self, f: impl FnOnce(&Connection) -> SimResult<T>) -> Result<T> {
        self.state()?.write(f)
    }
}
