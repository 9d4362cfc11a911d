//! `lsm-examples`: small programs that show how an application uses `lsm-core`, and a
//! minimal third-party plugin written with the plugin SDK.
//!
//! The binaries (`src/bin/`) are thin: they parse arguments, call the client and print with
//! the helpers of this library.
//!
//! - `lsm-list [URI]`: systems, pools and disks of one array as tables (blocking client).
//! - `list-pools-multi URI...`: the pools of several arrays, queried in parallel (async
//!   client).
//! - `create-and-mask [URI]`: create a volume and an iSCSI access group, mask, show, clean
//!   up (blocking client, job waiting, capability checks).
//! - `example_lsmplugin`: the `example://` plugin ([`example_plugin`]): how to write a
//!   plugin, shown on an in-memory array.
//!
//! # Layout
//! - [`table`]: [`Table`], left-aligned text columns.
//! - [`inventory`]: human-readable sizes and the system / pool / disk tables.
//! - [`example_plugin`]: the `example://` plugin and its session's trait impls (its `main`
//!   is `src/bin/example_lsmplugin.rs`).

pub mod example_plugin;
pub mod inventory;
pub mod table;

pub use inventory::{disk_table, human_size, pool_table, system_table};
pub use table::Table;

/// The URI the examples use when none is given: the simulator, no daemon needed.
pub const DEFAULT_URI: &str = "sim://";

/// Environment variable holding the array password, as `lsmcli` reads it (never pass a
/// password on the command line: other users can see argv).
pub const PASSWORD_VAR: &str = "LSMCLI_PASSWORD";

/// The password from [`PASSWORD_VAR`], if set.
pub fn password_from_env() -> Option<String> {
    std::env::var(PASSWORD_VAR).ok().filter(|p| !p.is_empty())
}
