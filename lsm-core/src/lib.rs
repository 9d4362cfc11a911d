//! `lsm-core`: the library applications link to manage storage arrays through
//! libStorageMgmt-compatible plugins.
//!
//! # Layout
//! - [`types`]: the LSM object model (System, Pool, Volume, ...), wire enums and
//!   bitfields, as plain serde types with no I/O.
//! - [`error`]: [`ErrorNumber`] (the 44 wire codes) and [`LsmError`].
//! - [`capabilities`]: [`Capabilities`] and the named [`Capability`] ids.
//! - [`uri`]: [`Uri`], parsed the way the reference C parser does it.
//! - [`validate`]: vpd83 / initiator checks, search keys.
//! - [`client`]: [`Client`] (async, tokio) and [`BlockingClient`]: one method
//!   per wire method, embedded or daemon transport, job waiting, timeouts.
//! - [`plugin`]: the plugin SDK: one trait per interface
//!   ([`plugin::Management`], [`plugin::San`], [`plugin::Nas`]) whose methods
//!   default to `NO_SUPPORT`, and [`plugin::run_plugin`] that owns the process.

pub mod capabilities;
mod checks;
pub mod client;
pub mod error;
pub mod local_disk;
pub mod params;
pub mod plugin;
pub mod results;
pub mod types;
pub mod uri;
pub mod validate;

pub use capabilities::{Capabilities, Capability};
pub use client::{BlockingClient, Client, Completion, ConnectMode, Job};
pub use error::{ErrorNumber, LsmError, Result};
pub use results::{PoolMemberInfo, RaidCreateCap, VolumeCacheInfo, VolumeRaidInfo};
pub use types::*;
pub use uri::Uri;
