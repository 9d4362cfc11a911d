//! `linux_lsmplugin` (`linux://`): this Linux host as an LSM storage array,
//! plus `lsm-linux-testenv`, which builds a throwaway one.
//!
//! Two layers. The backend modules run the host's tools safely (argument
//! vectors, timeouts, redacted secrets) and understand their output; they
//! know nothing of LSM and report a crate [`Error`] that knows its LSM
//! error number ([`Error::lsm_error_number`]). The [`plugin`] module
//! implements the LSM plugin SDK's traits on top of them, mapping host
//! objects to LSM objects and errors to `LsmError`s.
//!
//! Layout:
//! - [`command`]: run a tool with an argument vector (never a shell), a
//!   timeout, extra environment, captured output, secrets redacted.
//! - [`config`]: the TOML configuration named by `linux://?config=PATH`.
//! - [`naming`]: checks on object names, IQNs and NFS client specs.
//! - [`btrfs`]: pools, subvolumes, snapshots, qgroup quotas, image files.
//! - [`lvm`]: volume groups and logical volumes (metadata-only without
//!   device-mapper).
//! - [`tgt`]: the tgtd iSCSI target through `tgtadm`.
//! - [`ganesha`]: nfs-ganesha exports over D-Bus (`zbus`), SIGHUP fallback.
//! - [`sysfs`]: disks from `/sys/block`.
//! - [`state`]: what tgtd and ganesha forget on restart, persisted.
//! - [`replay`]: re-creating that state in a restarted tgtd or ganesha.
//! - [`mounts`]: the mount table; mounting a subvolume on its own.
//! - [`xattr`]: `user.*` extended attributes kept on volumes and file systems.
//! - [`testenv`]: the throwaway array behind `lsm-linux-testenv`.
//! - [`plugin`]: the LSM plugin itself (`linux_lsmplugin`): the SDK traits
//!   implemented over the modules above.
//!
//! Everything here is blocking; an async plugin calls it from
//! `spawn_blocking`.

pub mod btrfs;
pub mod command;
pub mod config;
pub mod error;
pub mod ganesha;
pub mod lvm;
pub mod mounts;
pub mod naming;
pub mod plugin;
pub mod replay;
pub mod state;
pub mod sysfs;
pub mod testenv;
pub mod tgt;
pub mod xattr;

pub use error::{Error, ObjectKind, Result};
