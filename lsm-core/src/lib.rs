//! `lsm-core`: the library applications link to manage storage arrays through
//! libStorageMgmt-compatible plugins, and plugins link to serve them.
//!
//! ```no_run
//! # async fn run() -> lsm_core::Result<()> {
//! use lsm_core::Client;
//!
//! let mut client = Client::builder("sim://").connect().await?;
//! for system in client.systems().await? {
//!     println!("{} ({})", system.name, system.id);
//! }
//! client.close().await?;
//! # Ok(()) }
//! ```
//!
//! # Features
//! - `client` (default): [`Client`], [`BlockingClient`] and their [`ClientBuilder`]; brings
//!   tokio (runtime, Unix sockets, timers).
//! - `plugin` (default): the plugin SDK, [`plugin`]; brings tracing-subscriber.
//!
//! An application takes `default-features = false, features = ["client"]`, a plugin
//! `features = ["plugin"]` (and `client` only for its tests); what both sides share (types,
//! params, errors, requests, searches) is always there.
//!
//! # Layout
//! - [`types`]: the LSM object model (System, Pool, Volume, ...), wire enums and
//!   bitfields, as plain serde types with no I/O.
//! - [`results`]: the results that travel as JSON arrays (plugin info, RAID info, pool
//!   members, RAID create capabilities, cache info, job status), given names, and
//!   [`Completion`], an async method's answer (done, or a [`Job`]), on both sides.
//! - [`requests`]: the requests of the methods with many parameters ([`ExportRequest`],
//!   [`SnapshotRestore`], [`ChapAuth`]), on both sides.
//! - [`search`]: the searches of the listings: typed per listing for clients
//!   ([`PoolSearch`], ...), checked strings for plugins ([`search::Search`]).
//! - [`params`]: the `params` object of every wire method, one struct per method, shared
//!   by the client and the plugin runner.
//! - [`error`]: [`ErrorNumber`] (the 44 wire codes) and [`LsmError`].
//! - [`capabilities`]: [`Capabilities`] and the named [`Capability`] ids.
//! - [`uri`]: [`Uri`], parsed the way the reference C parser does it.
//! - [`validate`]: format predicates (vpd83, iSCSI names, WWPNs), search keys and
//!   filtering, size to blocks: for clients, plugins and tools.
//! - `checks` (private): the argument checks the plugin runner makes of every request,
//!   and the subset the client makes before sending (see its module docs).
//! - `client` (feature `client`): [`Client`] (async, tokio) and [`BlockingClient`], opened by
//!   a [`ClientBuilder`]: one method per wire method, embedded, daemon or in-process
//!   transport, job waiting, timeouts.
//! - `plugin` (feature `plugin`): the plugin SDK: `plugin::Plugin` (what a plugin answers
//!   before a session, and the constructor of its session), one trait per interface
//!   (`plugin::Management`, `plugin::San`, `plugin::Nas`) that the session implements,
//!   whose methods default to `NO_SUPPORT` and get each call's context (`plugin::Call`,
//!   its deadline), `plugin::run_plugin` that owns the process and the session, and
//!   `plugin::serve_on_thread` / `ClientBuilder::in_process` for tests.
//! - `fuzzing` (hidden, feature `client`): the private decoders the fuzz targets in `fuzz/`
//!   reach.
//! - [`local_disk`]: this host's disks (`lsmcli local-disk-*`): sysfs and SCSI VPD
//!   pages, no plugin involved.

#![warn(missing_docs)]
// The docs name items of both sides; with one side left out, those links have no target.
#![cfg_attr(
    not(all(feature = "client", feature = "plugin")),
    allow(rustdoc::broken_intra_doc_links)
)]

pub mod capabilities;
#[cfg(any(feature = "client", feature = "plugin"))]
mod checks;
#[cfg(feature = "client")]
pub mod client;
pub mod error;
#[cfg(feature = "client")]
#[doc(hidden)]
pub mod fuzzing;
pub mod local_disk;
pub mod params;
// Undocumented until the plugin SDK rewrite documents it; the allow goes then.
#[cfg(feature = "plugin")]
#[allow(missing_docs)]
pub mod plugin;
pub mod requests;
pub mod results;
pub mod search;
pub mod types;
pub mod uri;
pub mod validate;

pub use capabilities::{Capabilities, Capability};
#[cfg(feature = "client")]
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
