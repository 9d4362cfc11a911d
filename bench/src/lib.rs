//! `lsm-bench`: the figures of lsm-rs, each next to a baseline measured in the same run.
//! The `lsm-bench` program prints them all as one table (`scripts/bench.sh` builds what it
//! needs and runs it); the benches of `benches/` go deeper into one vendor plugin each.
//!
//! - [`pingpong`]: the bare socket ping-pong every round trip is compared with;
//! - [`vendors`]: per simulated array, making volumes and a bare REST client reading the
//!   same pages as the plugin;
//! - [`table`]: the rows and their Markdown.
//!
//! Figures only: nothing here asserts a time. The counts (volumes found, calls failed)
//! are checked, and a wrong one fails the run.

pub mod pingpong;
pub mod table;
pub mod vendors;
