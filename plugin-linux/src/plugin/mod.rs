//! `linux_lsmplugin`: this host as an LSM storage array (`linux://`).
//!
//! [`LinuxPlugin`] is what `main` hands the SDK's runner; at `plugin_register` it opens an
//! [`Array`], the registered session (configuration, state store, job table), which
//! implements the SDK's three traits. Each trait impl is one file that answers the short
//! calls itself and calls into the concept modules for the long ones:
//!
//! - `system`: the system (this host), its capabilities, and the
//!   [`Management`](lsm_core::plugin::Management) impl (systems, pools, jobs, unregister).
//! - `san`: the [`San`](lsm_core::plugin::San) impl.
//! - `nas`: the [`Nas`](lsm_core::plugin::Nas) impl.
//! - `pools`: configured btrfs file systems and LVM volume groups.
//! - `volumes`: image files on btrfs, LVs on LVM; create, resize, delete,
//!   enable/disable.
//! - `replication`: CLONE and COPY replicas (a COPY runs as a job), block range copies,
//!   child dependencies.
//! - `masking`: access groups as tgt targets, LUNs, target ports, and replaying tgtd's
//!   configuration after it restarts.
//! - `chap`: iSCSI CHAP accounts bound to access groups.
//! - `fs`: btrfs subvolumes as file systems, clones.
//! - `snapshots`: file system snapshots and restores.
//! - `exports`: NFS exports through nfs-ganesha.
//! - `disks`: block devices from sysfs and their pool membership.
//! - `mapping`: ids, vpd83, times, sizes, and backend errors as LSM errors.
//!
//! Each call's context ([`Call`]) bounds what it runs: every external command and every
//! wait for the state directory's lock gets the session's timeout (`time_out_set`
//! included), or the configured `command_timeout` when shorter. Nothing keeps the timeout
//! between calls.
//!
//! The plugin is stateless: every call reads the host. What tgtd and
//! ganesha keep only in memory is also written to the state directory
//! ([`crate::state`]) under its lock, and replayed when a daemon is found
//! restarted empty. Mutations that take several steps undo the steps
//! already made when a later one fails. Every operation finishes before the
//! call returns except a full COPY of a volume, which runs as an in-process
//! job ([`lsm_core::plugin::JobTable`]).

mod chap;
mod disks;
mod exports;
mod fs;
pub mod mapping;
mod masking;
mod nas;
mod pools;
mod replication;
mod san;
mod snapshots;
mod system;
mod volumes;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use lsm_core::plugin::{Call, JobOutcome, JobProgress, JobTable, Plugin, PluginInfo, Registration};
use lsm_core::types::*;
use lsm_core::{ErrorNumber, LsmError, Result};

use crate::btrfs::Btrfs;
use crate::config::{Config, IscsiConfig, NfsConfig, config_path_from_uri};
use crate::ganesha::GaneshaClient;
use crate::lvm::Lvm;
use crate::state::{ArrayState, Secrets, StateLock, StateStore};
use crate::tgt::Tgtadm;

/// The `linux://` plugin. `run_plugin(LinuxPlugin)` is its whole `main`.
#[derive(Debug, Default, Clone, Copy)]
pub struct LinuxPlugin;

impl Plugin for LinuxPlugin {
    type Session = Array;

    fn plugin_info(&self) -> PluginInfo {
        PluginInfo {
            description: "lsm-rs Linux host plugin (btrfs, LVM, tgt iSCSI, nfs-ganesha NFS)"
                .to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }

    /// Reads the configuration named by the URI (`linux://?config=PATH`) and opens the
    /// state directory.
    fn register(&self, _cx: &Call, registration: &Registration) -> Result<Array> {
        let path = config_path_from_uri(registration.uri.as_str())?;
        let config = Config::load(&path)?;
        let store = StateStore::open(&config.state_dir)?;
        Ok(Array {
            system_id: system::system_id(),
            config,
            store,
            jobs: JobTable::default(),
            running_jobs: Arc::new(AtomicUsize::new(0)),
        })
    }
}

/// A registered session: this host as an array. The configuration, the state directory,
/// and the jobs (COPYs) this session started.
pub struct Array {
    config: Config,
    system_id: String,
    store: StateStore,
    jobs: JobTable,
    /// Jobs whose thread has not finished (freed ones included): the session waits for them
    /// at its end.
    running_jobs: Arc<AtomicUsize>,
}

/// How long the end of a session waits for COPYs still running (the process exit would
/// cut them short).
const JOBS_AT_END: Duration = Duration::from_secs(3600);

impl Array {
    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The bound of each external command and lock wait of a call: the session's timeout,
    /// or the configured `command_timeout` when shorter.
    fn command_timeout(&self, cx: &Call) -> Duration {
        cx.timeout().min(self.config.command_timeout)
    }

    fn btrfs(&self, cx: &Call) -> Btrfs {
        Btrfs::new(self.command_timeout(cx))
    }

    fn lvm(&self, cx: &Call) -> Lvm {
        Lvm::new(&self.config.lvm, self.command_timeout(cx))
    }

    fn iscsi(&self) -> Result<&IscsiConfig> {
        self.config.iscsi.as_ref().ok_or_else(|| {
            LsmError::no_support(format!(
                "iSCSI is not configured (no [iscsi] table in {})",
                self.config.source.display()
            ))
        })
    }

    fn tgt(&self, cx: &Call) -> Result<Tgtadm> {
        Ok(Tgtadm::new(
            self.iscsi()?.tgtd_control_port,
            self.command_timeout(cx),
        ))
    }

    fn nfs(&self) -> Result<&NfsConfig> {
        self.config.nfs.as_ref().ok_or_else(|| {
            LsmError::no_support(format!(
                "NFS is not configured (no [nfs] table in {})",
                self.config.source.display()
            ))
        })
    }

    fn ganesha(&self, cx: &Call) -> Result<GaneshaClient> {
        let nfs = self.nfs()?;
        Ok(GaneshaClient::connect(
            nfs.dbus_address.as_deref(),
            &nfs.bus_name,
            self.command_timeout(cx),
        )?)
    }

    /// Takes the state directory's lock (waiting up to the call's command timeout).
    fn lock(&self, cx: &Call) -> Result<StateLock> {
        Ok(self.store.lock(self.command_timeout(cx))?)
    }

    /// Runs `change` on the persisted state under the lock and saves it if
    /// `change` modified it (also when `change` fails after modifying it:
    /// what it did to the daemons is then recorded).
    fn with_state<T>(
        &self,
        cx: &Call,
        change: impl FnOnce(&Array, &mut ArrayState) -> Result<T>,
    ) -> Result<T> {
        let _lock = self.lock(cx)?;
        let before = self.store.load()?;
        let mut state = before.clone();
        let outcome = change(self, &mut state);
        if state != before {
            self.store.save(&state)?;
        }
        outcome
    }

    /// Like [`Array::with_state`], with the secrets too.
    fn with_state_and_secrets<T>(
        &self,
        cx: &Call,
        change: impl FnOnce(&Array, &mut ArrayState, &mut Secrets) -> Result<T>,
    ) -> Result<T> {
        let _lock = self.lock(cx)?;
        let before = self.store.load()?;
        let secrets_before = self.store.load_secrets()?;
        let mut state = before.clone();
        let mut secrets = secrets_before.clone();
        let outcome = change(self, &mut state, &mut secrets);
        if secrets != secrets_before {
            self.store.save_secrets(&secrets)?;
        }
        if state != before {
            self.store.save(&state)?;
        }
        outcome
    }

    /// Reads the persisted state (under the lock, so never half-written).
    fn read_state(&self, cx: &Call) -> Result<ArrayState> {
        let _lock = self.lock(cx)?;
        Ok(self.store.load()?)
    }

    /// `NOT_FOUND_SYSTEM` unless `system` is this host.
    fn check_system(&self, system: &System) -> Result<()> {
        if system.id == self.system_id {
            Ok(())
        } else {
            Err(LsmError::new(
                ErrorNumber::NOT_FOUND_SYSTEM,
                format!(
                    "System {} not found (this host is {})",
                    system.id, self.system_id
                ),
            ))
        }
    }

    /// Runs `work` as an in-process job started by the call `cx`; the session waits for
    /// running jobs before it ends.
    fn spawn_job(
        &mut self,
        cx: &Call,
        work: impl FnOnce(&Call, &JobProgress) -> JobOutcome + Send + 'static,
    ) -> Result<String> {
        let running = Arc::clone(&self.running_jobs);
        running.fetch_add(1, Ordering::SeqCst);
        let spawned = self.jobs.spawn(cx, move |cx, progress| {
            let outcome = work(cx, progress);
            running.fetch_sub(1, Ordering::SeqCst);
            outcome
        });
        if spawned.is_err() {
            self.running_jobs.fetch_sub(1, Ordering::SeqCst);
        }
        spawned
    }

    fn wait_for_jobs(&self, limit: Duration) {
        let started = Instant::now();
        while self.running_jobs.load(Ordering::SeqCst) > 0 && started.elapsed() < limit {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Whether `path` exists (without following a final symbolic link).
fn exists(path: &Path) -> bool {
    path.symlink_metadata().is_ok()
}
