//! `sim_lsmplugin`: the lsm-rs storage simulator. It implements every LSM
//! method over a persistent SQLite state file and behaves like the
//! reference simulator (same default inventory, id formats and numbering,
//! capabilities, space accounting, masking and dependency rules, jobs), so
//! it is both the embedded default (`sim://`) and the reference every
//! conformance check runs against.
//!
//! # Layout
//! - [`state`]: the state file: schema, default inventory, ids, transactions.
//! - [`plugin`]: [`SimPlugin`] (the SDK's `Plugin`: it opens a session on a state
//!   file at `plugin_register`), [`SimSession`] and its SDK trait impls, one method per
//!   wire method, one file per job:
//!   - `plugin/mod.rs`: the plugin, the session and its per-call transactions, shared
//!     error and time helpers;
//!   - `plugin/rows.rs`: rows to objects (`pool_of`, `volume_fill`, ...) and
//!     the columns each reads;
//!   - `plugin/lookups.rs`: objects by id, name checks, space accounting,
//!     job rows, dependency queries, RAID geometry;
//!   - `plugin/management.rs`, `plugin/san.rs`, `plugin/nas.rs`: the
//!     `Management`, `San` and `Nas` impls.
//!
//! The state file is `statefile=` of the URI, else `$LSM_SIM_DATA`, else
//! `$TMPDIR/lsm-rs-sim-<uid>.db`. Jobs last `$LSM_SIM_TIME` seconds
//! (default 1).

pub mod plugin;
pub mod state;

pub use plugin::{SimPlugin, SimSession};
