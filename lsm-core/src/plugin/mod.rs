//! The plugin SDK. A plugin implements [`Management`] (required), and
//! [`San`] and [`Nas`] (every method defaults to `NO_SUPPORT`, so an empty
//! `impl San for MyPlugin {}` is fine), then calls
//! `lsm_core::plugin::run_plugin(MyPlugin::new())` from `main`.
//!
//! The runner owns the socket, the handshake, parameter parsing and checks
//! (402 for bad params, 510 for unknown search keys, INVALID_ARGUMENT for
//! bad sizes, enum values and initiator ids), search filtering, error
//! mapping and panics. Long operations return [`Completion::Job`]; a plugin
//! whose jobs run in-process keeps a [`JobTable`].
//!
//! # Layout
//! - `traits`: the three interfaces and their small types.
//! - `dispatch`: method name + params → trait call → serialized result.
//! - `runner`: the process and the request loop.
//! - `jobs`: the in-process job table.

mod dispatch;
mod jobs;
mod runner;
mod traits;

pub use crate::requests::ExportRequest;
pub use crate::results::{Completion, Job, JobReport, PluginInfo};
pub use crate::search::Search;
pub use jobs::{JobOutcome, JobProgress, JobTable};
pub use runner::{
    DEFAULT_TIMEOUT_MS, SessionEnd, init_plugin_logging, run_plugin, serve, serve_on_thread,
};
pub use traits::{Management, Nas, Registration, San};
