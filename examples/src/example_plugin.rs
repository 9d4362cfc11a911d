//! The `example://` plugin: a minimal third-party LSM plugin, written only with the lsm-core
//! plugin SDK. Copy it to start a plugin. Its executable, `example_lsmplugin`, is
//! `run_plugin(ExamplePlugin)`; its tests also run it in process
//! (`BlockingClient::builder(..).in_process(..)`), without a binary.
//!
//! # How a plugin is written
//!
//! A plugin is two types:
//! - the plugin ([`ExamplePlugin`]), what `main` hands the SDK's runner. It implements
//!   [`Plugin`]: its name and version ([`Plugin::plugin_info`], answered even before
//!   registration) and [`Plugin::register`], which connects to the array named by the URI
//!   (log in, check it answers) and returns a session;
//! - the session ([`ExampleArray`]), one per client connection, from `plugin_register` to
//!   `plugin_unregister`: what the connection to the array needs (an HTTP client, a
//!   login). It implements [`Management`] (`systems` and `capabilities` are required),
//!   [`San`] and [`Nas`]; every method left out answers `NO_SUPPORT`, so write only what
//!   the array does, and say exactly that in `capabilities`. A session that must log out
//!   does it in [`Management::unregister`].
//!
//! Every method is given the call's context, `cx: &Call`, first: the instant its answer is
//! due (the runner computed it from the session's timeout when the request arrived) and the
//! time left. Bound every wait on the array by it: a REST plugin gives it to its HTTP client
//! for each request, page and retry of the call; a loop polling the array stops with
//! `cx.time_left("...")?`, which is the call's `TIMEOUT` once it has passed. Nothing keeps it
//! between calls. Work that outlives its call runs as a job ([`JobTable::spawn`]), which
//! gets a context of its own, starting with the job.
//!
//! The SDK runner does the rest: the socket from `argv[1]`, `plugin_info` before register,
//! the session's life, parameter parsing (402), unknown search keys (510), search filtering,
//! bad sizes and names, unknown methods (153), `time_out_set`/`time_out_get`,
//! `job_status`/`job_free` (through `job_table`), panics.
//!
//! # This example
//!
//! The "array" lives in memory: one system, one 100 GiB pool, and volumes that can be
//! created, listed and deleted. Each client session runs its own plugin process, so every
//! session starts from an empty array. Volume creation goes through the SDK's `JobTable`, as
//! a real plugin's long operations would; the work itself is instant. Capabilities say
//! exactly that: VOLUMES, VOLUME_CREATE, VOLUME_DELETE.

use lsm_core::plugin::{
    Call, Completion, JobTable, Management, Nas, Plugin, PluginInfo, Registration, San, Search,
};
use lsm_core::validate::size_to_blocks;
use lsm_core::{
    Capabilities, Capability, ErrorNumber, LsmError, LsmObject, Pool, PoolElementType, PoolStatus,
    PoolUnsupportedActions, Provisioning, Result, System, SystemMode, SystemStatus, Volume,
    VolumeAdminState,
};

const SYSTEM_ID: &str = "example-01";
const POOL_ID: &str = "EXAMPLE_POOL_1";
const POOL_BYTES: i64 = 100 * 1024 * 1024 * 1024;
const BLOCK_SIZE: i64 = 512;

/// The `example://` plugin: what `main` gives `run_plugin`, and what tests give
/// `ClientBuilder::in_process`.
#[derive(Debug, Default, Clone, Copy)]
pub struct ExamplePlugin;

impl Plugin for ExamplePlugin {
    type Session = ExampleArray;

    fn plugin_info(&self) -> PluginInfo {
        PluginInfo {
            description: "lsm-rs example plugin (in-memory array)".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }

    /// Nothing to log in to: any password is accepted and never stored. A real plugin
    /// connects here, within `cx`'s deadline, and fails with `PLUGIN_AUTH_FAILED` or
    /// `NETWORK_*` when it cannot.
    fn register(&self, _cx: &Call, _registration: &Registration) -> Result<ExampleArray> {
        Ok(ExampleArray::new())
    }
}

/// A registered session: the in-memory array.
pub struct ExampleArray {
    volumes: Vec<Volume>,
    /// Numbers volume ids and vpd83s; never reused within a session.
    volumes_made: u64,
    jobs: JobTable,
}

impl ExampleArray {
    /// An empty array: one system, one pool, no volume.
    fn new() -> Self {
        ExampleArray {
            volumes: Vec::new(),
            volumes_made: 0,
            jobs: JobTable::new("EXAMPLE_JOB_"),
        }
    }

    fn system() -> System {
        System {
            id: SYSTEM_ID.to_string(),
            name: "lsm-rs example array".to_string(),
            status: SystemStatus::OK,
            status_info: String::new(),
            plugin_data: None,
            fw_version: env!("CARGO_PKG_VERSION").to_string(),
            read_cache_pct: lsm_core::read_cache_pct::NO_SUPPORT,
            mode: SystemMode::NO_SUPPORT,
        }
    }

    fn used_bytes(&self) -> i64 {
        self.volumes.iter().map(Volume::size_bytes).sum()
    }

    fn pool(&self) -> Pool {
        Pool {
            id: POOL_ID.to_string(),
            name: "Example pool".to_string(),
            element_type: PoolElementType::VOLUME | PoolElementType::VOLUME_FULL,
            unsupported_actions: PoolUnsupportedActions::VOLUME_GROW
                | PoolUnsupportedActions::VOLUME_SHRINK,
            total_space: POOL_BYTES,
            free_space: POOL_BYTES - self.used_bytes(),
            status: PoolStatus::OK,
            status_info: String::new(),
            system_id: SYSTEM_ID.to_string(),
            plugin_data: None,
        }
    }
}

impl Management for ExampleArray {
    fn capabilities(&mut self, _cx: &Call, system: &System) -> Result<Capabilities> {
        if system.id != SYSTEM_ID {
            return Err(LsmError::new(
                ErrorNumber::NOT_FOUND_SYSTEM,
                "System not found",
            ));
        }
        let mut capabilities = Capabilities::new();
        capabilities.set_all(&[
            Capability::VOLUMES,
            Capability::VOLUME_CREATE,
            Capability::VOLUME_DELETE,
        ]);
        Ok(capabilities)
    }

    fn systems(&mut self, _cx: &Call) -> Result<Vec<System>> {
        Ok(vec![Self::system()])
    }

    /// The runner applies `search` to what we return.
    fn pools(&mut self, _cx: &Call, _search: Option<&Search>) -> Result<Vec<Pool>> {
        Ok(vec![self.pool()])
    }

    /// `job_status` and `job_free` are the SDK's, over this table.
    fn job_table(&mut self) -> Option<&mut JobTable> {
        Some(&mut self.jobs)
    }
}

impl San for ExampleArray {
    fn volumes(&mut self, _cx: &Call, _search: Option<&Search>) -> Result<Vec<Volume>> {
        Ok(self.volumes.clone())
    }

    /// The runner has checked the name and that the size is positive.
    fn volume_create(
        &mut self,
        cx: &Call,
        pool: &Pool,
        volume_name: &str,
        size_bytes: i64,
        _provisioning: Provisioning,
    ) -> Result<Completion<Volume>> {
        if pool.id != POOL_ID {
            return Err(LsmError::new(ErrorNumber::NOT_FOUND_POOL, "Pool not found"));
        }
        if self.volumes.iter().any(|v| v.name == volume_name) {
            return Err(LsmError::new(
                ErrorNumber::NAME_CONFLICT,
                format!("Name '{volume_name}' is already in use by other volume"),
            ));
        }
        let num_of_blocks = size_to_blocks(size_bytes, BLOCK_SIZE)?;
        if num_of_blocks.saturating_mul(BLOCK_SIZE) > self.pool().free_space {
            return Err(LsmError::new(
                ErrorNumber::NOT_ENOUGH_SPACE,
                "Insufficient space in pool",
            ));
        }
        // A real array is asked here; a change is never started once the answer is late.
        cx.time_left("creating the volume")?;
        self.volumes_made += 1;
        let volume = Volume {
            id: format!("EXAMPLE_VOL_{:05}", self.volumes_made),
            name: volume_name.to_string(),
            // NAA type 5: '5' and 15 hex digits.
            vpd83: format!("5e{:014x}", self.volumes_made),
            block_size: BLOCK_SIZE,
            num_of_blocks,
            admin_state: VolumeAdminState::ENABLED,
            system_id: SYSTEM_ID.to_string(),
            pool_id: POOL_ID.to_string(),
            plugin_data: None,
        };
        self.volumes.push(volume.clone());
        // Done already: the job reports it at the first `job_status`. Work that takes time
        // goes to `self.jobs.spawn(cx, |job_cx, progress| ...)` instead.
        let job_id = self
            .jobs
            .insert_finished(Ok(Some(LsmObject::Volume(volume))));
        Ok(Completion::job(job_id))
    }

    fn volume_delete(&mut self, _cx: &Call, volume: &Volume) -> Result<Completion<()>> {
        let index = self
            .volumes
            .iter()
            .position(|v| v.id == volume.id)
            .ok_or_else(|| LsmError::new(ErrorNumber::NOT_FOUND_VOLUME, "Volume not found"))?;
        self.volumes.remove(index);
        Ok(Completion::Done(()))
    }
}

/// No file systems: every NAS method answers NO_SUPPORT.
impl Nas for ExampleArray {}
