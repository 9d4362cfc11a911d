//! The `example://` plugin: a minimal third-party LSM plugin, written only with the lsm-core
//! plugin SDK (its traits). Its executable, `example_lsmplugin`, is `run_plugin` of it; its
//! tests also run it in process (`BlockingClient::builder(..).in_process(..)`), without a binary.
//!
//! The "array" lives in memory: one system, one 100 GiB pool, and volumes that can be
//! created, listed and deleted. Each client session runs its own plugin process, so every
//! session starts from an empty array. Volume creation goes through the SDK's `JobTable`, as
//! a real plugin's long operations would; the work itself is instant. Capabilities say
//! exactly that: VOLUMES, VOLUME_CREATE, VOLUME_DELETE.
//!
//! The SDK runner does the rest: the socket from `argv[1]`, `plugin_info` before register,
//! parameter parsing (402), unknown search keys (510), search filtering, bad sizes, unknown
//! methods (153), `time_out_set`/`time_out_get`, `job_status`/`job_free` (through
//! `job_table`), panics.

use lsm_core::plugin::{
    Completion, JobTable, Management, Nas, PluginInfo, Registration, San, Search,
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

/// The in-memory array.
pub struct ExampleArray {
    volumes: Vec<Volume>,
    /// Numbers volume ids and vpd83s; never reused within a session.
    volumes_made: u64,
    jobs: JobTable,
}

impl Default for ExampleArray {
    fn default() -> Self {
        Self::new()
    }
}

impl ExampleArray {
    /// An empty array: one system, one pool, no volume.
    pub fn new() -> Self {
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
    fn plugin_info(&self) -> PluginInfo {
        PluginInfo {
            description: "lsm-rs example plugin (in-memory array)".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }

    /// Nothing to log in to: any password is accepted and never stored.
    fn register(&mut self, _registration: &Registration) -> Result<()> {
        Ok(())
    }

    fn capabilities(&mut self, system: &System) -> Result<Capabilities> {
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

    fn systems(&mut self) -> Result<Vec<System>> {
        Ok(vec![Self::system()])
    }

    /// The runner applies `search` to what we return.
    fn pools(&mut self, _search: Option<&Search>) -> Result<Vec<Pool>> {
        Ok(vec![self.pool()])
    }

    fn job_table(&mut self) -> Option<&mut JobTable> {
        Some(&mut self.jobs)
    }
}

impl San for ExampleArray {
    fn volumes(&mut self, _search: Option<&Search>) -> Result<Vec<Volume>> {
        Ok(self.volumes.clone())
    }

    fn volume_create(
        &mut self,
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
        let job_id = self
            .jobs
            .insert_finished(Ok(Some(LsmObject::Volume(volume))));
        Ok(Completion::job(job_id))
    }

    fn volume_delete(&mut self, volume: &Volume) -> Result<Completion<()>> {
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
