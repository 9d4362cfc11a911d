//! The plugin SDK. A plugin is two types: the plugin itself, which implements [`Plugin`]
//! (its [`PluginInfo`] and [`Plugin::register`], the constructor of a session), and the
//! session `register` returns, which implements [`Management`] (required) and [`San`] and
//! [`Nas`] (every method defaults to `NO_SUPPORT`, so an empty `impl San for MySession {}`
//! is fine). `main` is `lsm_core::plugin::run_plugin(MyPlugin)`.
//!
//! The runner owns the socket, the handshake, the registered session (opened at
//! `plugin_register`, ended with [`Management::unregister`] and dropped at
//! `plugin_unregister` or when the client goes away), `time_out_set` / `time_out_get`,
//! parameter parsing and checks (402 for bad params, 510 for unknown search keys,
//! INVALID_ARGUMENT for bad sizes, enum values and initiator ids), search filtering, error
//! mapping and panics. Every trait method is given the call's context, a [`Call`]: the
//! deadline the runner computed from the session's timeout when the request arrived, and
//! the time left (see [`Call`] for how plugins use it; no state holds it between calls).
//! Long operations return [`Completion::Job`]; a session whose jobs run in-process keeps a
//! [`JobTable`], whose work gets a context of its own.
//!
//! # A minimal plugin
//!
//! ```no_run
//! use lsm_core::plugin::{Call, Management, Nas, Plugin, PluginInfo, Registration, San, Search};
//! use lsm_core::{Capabilities, Capability, LsmError, Pool, Result, System};
//!
//! /// What `main` hands the runner: it knows nothing of any array yet.
//! struct TinyPlugin;
//!
//! /// One registered session: here, the system it found at registration.
//! struct TinySession {
//!     system: System,
//! }
//!
//! impl Plugin for TinyPlugin {
//!     type Session = TinySession;
//!
//!     fn plugin_info(&self) -> PluginInfo {
//!         PluginInfo { description: "tiny array".into(), version: "1.0".into() }
//!     }
//!
//!     // Log in to the array named by `registration.uri` here, within `cx.remaining()`.
//!     fn register(&self, _cx: &Call, registration: &Registration) -> Result<TinySession> {
//!         let name = registration.uri.host.clone().unwrap_or_else(|| "tiny".into());
//!         Ok(TinySession { system: System { id: "tiny-1".into(), name, ..Default::default() } })
//!     }
//! }
//!
//! impl Management for TinySession {
//!     fn capabilities(&mut self, _cx: &Call, system: &System) -> Result<Capabilities> {
//!         if system.id != self.system.id {
//!             return Err(LsmError::new(lsm_core::ErrorNumber::NOT_FOUND_SYSTEM, "no such system"));
//!         }
//!         let mut capabilities = Capabilities::new();
//!         capabilities.set(Capability::VOLUMES, true);
//!         Ok(capabilities)
//!     }
//!
//!     fn systems(&mut self, _cx: &Call) -> Result<Vec<System>> {
//!         Ok(vec![self.system.clone()])
//!     }
//!
//!     fn pools(&mut self, _cx: &Call, _search: Option<&Search>) -> Result<Vec<Pool>> {
//!         Ok(Vec::new()) // the runner filters by the search
//!     }
//! }
//!
//! impl San for TinySession {} // every SAN method answers NO_SUPPORT
//! impl Nas for TinySession {}
//!
//! fn main() {
//!     lsm_core::plugin::run_plugin(TinyPlugin)
//! }
//! ```
//!
//! A plugin crate tests its plugin in process, through this same runner and the wire, with
//! `BlockingClient::builder(uri).in_process(|| MyPlugin)` (the client's
//! `ClientBuilder::in_process`, feature `client`).
//!
//! # Layout
//! - `traits`: [`Plugin`], the three interfaces and their small types.
//! - `call`: [`Call`], the context of one call.
//! - `dispatch`: method name + params → trait call → serialized result.
//! - `runner`: the process, the session and the request loop.
//! - `jobs`: the in-process job table.

mod call;
mod dispatch;
mod jobs;
mod runner;
mod traits;

pub use crate::requests::ExportRequest;
pub use crate::results::{Completion, Job, JobReport, PluginInfo};
pub use crate::search::Search;
pub use call::Call;
pub use jobs::{JobOutcome, JobProgress, JobTable};
pub use runner::{
    DEFAULT_TIMEOUT_MS, SessionEnd, init_plugin_logging, run_plugin, serve, serve_on_thread,
};
pub use traits::{Management, Nas, Plugin, Registration, San};
