//! The `sim://` plugin: [`SimPlugin`], which opens a [`SimSession`] on a state file at
//! `plugin_register`; the session's per-call transactions over [`State`], and the small
//! helpers every method shares (errors, time, job length).
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
//!   (capabilities, systems, pools, jobs).
//! - `san`: the [`San`](lsm_core::plugin::San) impl (volumes, disks, access
//!   groups and masking, target ports, RAID, batteries, caches, LEDs).
//! - `nas`: the [`Nas`](lsm_core::plugin::Nas) impl (file systems, snapshots,
//!   clones, NFS exports).

mod lookups;
mod management;
mod nas;
mod rows;
mod san;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lsm_core::plugin::{Call, Plugin, PluginInfo, Registration};
use lsm_core::{ErrorNumber, LsmError, Result};
use rusqlite::Connection;

use crate::state::{SimError, SimResult, State, state_path};

/// The `sim://` plugin: `run_plugin(SimPlugin)` is the whole `main` of `sim_lsmplugin`.
#[derive(Debug, Default, Clone, Copy)]
pub struct SimPlugin;

impl Plugin for SimPlugin {
    type Session = SimSession;

    fn plugin_info(&self) -> PluginInfo {
        PluginInfo {
            description: "lsm-rs storage simulator".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }

    /// Opens (or makes) the state file named by the URI's `statefile=`, else the default.
    fn register(&self, cx: &Call, registration: &Registration) -> Result<SimSession> {
        let path = state_path(registration.uri.query_param("statefile"));
        Ok(SimSession {
            state: State::open(&path, cx.timeout())?,
            lock_wait_for: cx.timeout(),
        })
    }
}

/// A registered `sim://` session: the open state file. Every call is one transaction on it.
pub struct SimSession {
    state: State,
    /// The session timeout the state file's lock wait was last derived from.
    lock_wait_for: Duration,
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

impl SimSession {
    /// The state file, its lock wait bounded by this call's timeout (a `time_out_set`
    /// reaches the session in the next call's context).
    fn state(&mut self, cx: &Call) -> Result<&mut State> {
        if cx.timeout() != self.lock_wait_for {
            self.state.set_timeout(cx.timeout())?;
            self.lock_wait_for = cx.timeout();
        }
        Ok(&mut self.state)
    }

    fn read<T>(&mut self, cx: &Call, f: impl FnOnce(&Connection) -> SimResult<T>) -> Result<T> {
        self.state(cx)?.read(f)
    }

    /// A read that is one statement: no BEGIN / COMMIT around it (see `State::read_one`).
    fn read_one<T>(&mut self, cx: &Call, f: impl FnOnce(&Connection) -> SimResult<T>) -> Result<T> {
        self.state(cx)?.read_one(f)
    }

    fn write<T>(&mut self, cx: &Call, f: impl FnOnce(&Connection) -> SimResult<T>) -> Result<T> {
        self.state(cx)?.write(f)
    }
}
