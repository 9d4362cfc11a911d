//! `lsm-core`: the library applications link to manage storage arrays through
//! libStorageMgmt-compatible plugins.
//!
//! # Layout
//! - [`types`]: the LSM object model (System, Pool, Volume, ...), wire enums and
//!   bitfields, as plain serde types with no I/O.
//! - [`results`]: the results that travel as JSON arrays (RAID info, pool members,
//!   RAID create capabilities, cache info, job status), given names, and
//!   [`Completion`], an async method's answer (done, or a [`Job`]), on both sides.
//! - [`params`]: the `params` object of every wire method, one struct per method, shared
//!   by the client and the plugin runner.
//! - [`error`]: [`ErrorNumber`] (the 44 wire codes) and [`LsmError`].
//! - [`capabilities`]: [`Capabilities`] and the named [`Capability`] ids.
//! - [`uri`]: [`Uri`], parsed the way the reference C parser does it.
//! - [`validate`]: format predicates (vpd83, iSCSI names, WWPNs), search keys and
//!   filtering, size to blocks: for clients, plugins and tools.
//! - `checks` (private): the argument checks the plugin runner makes of every request,
//!   and the subset the client makes before sending (see its module docs).
//! - [`client`]: [`Client`] (async, tokio) and [`BlockingClient`]: one method per wire
//!   method, embedded, daemon or in-process transport, job waiting, timeouts.
//! - [`plugin`]: the plugin SDK: one trait per interface
//!   ([`plugin::Management`], [`plugin::San`], [`plugin::Nas`]) whose methods
//!   default to `NO_SUPPORT`, [`plugin::run_plugin`] that owns the process, and
//!   [`plugin::serve_on_thread`] / [`ClientBuilder::in_process`] for tests.
//! - `fuzzing` (hidden): the private decoders the fuzz targets in `fuzz/` reach.
//! - [`local_disk`]: this host's disks (`lsmcli local-disk-*`): sysfs and SCSI VPD
//!   pages, no plugin involved.

#![warn(missing_docs)]

pub mod capabilities;
mod checks;
pub mod client;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod local_disk;
pub mod params;
// Undocumented until the plugin SDK rewrite documents it; the allow goes then.
#[allow(missing_docs)]
pub mod plugin;
pub mod requests;
pub mod results;
pub mod search;
pub mod types;
pub mod uri;
pub mod validate;

pub use capabilities::{Capabilities, Capability};
pub use client::{BlockingClient, BlockingClientBuilder, Client, ClientBuilder, ConnectMode};
pub use error::{ErrorNumber, LsmError, Result};
pub use requests::{ChapAuth, ChapCredentials, ExportRequest, SnapshotRestore};
pub use results::{
    Completion, Job, JobReport, PluginInfo, PoolMemberInfo, RaidCreateCap, VolumeCacheInfo,
    VolumeRaidInfo,
};
pub use search::{
    AccessGroupSearch, BatterySearch, DiskSearch, ExportSearch, FsSearch, ListingSearch,
    PoolSearch, TargetPortSearch, VolumeSearch,
};
pub use types::*;
pub use uri::Uri;
