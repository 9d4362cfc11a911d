//! Making and finding test objects the way the reference suite does: pools
//! chosen by element type, unsupported actions and largest free space
//! (more than 4 GiB free), objects of 512 MiB with unique names, each
//! recorded for cleanup before it is created.

use lsm_core::client::JobOutput;
use lsm_core::{
    AccessGroup, Completion, ExportRequest, FileSystem, FsSnapshot, InitiatorType, NfsExport, Pool,
    PoolElementType, PoolUnsupportedActions, Provisioning, ReplicationType, Volume,
};

use crate::cleanup::Undo;
use crate::ctx::Ctx;
use crate::expect::{CheckResult, During};

/// One mebibyte.
pub const MIB: i64 = 1 << 20;
/// One gibibyte.
pub const GIB: i64 = 1 << 30;
/// A pool must have more than this free to be used (reference: 4096 MiB).
pub const MIN_POOL_FREE: i64 = 4096 * MIB;
/// Size of every volume and file system the suite creates (reference: 512 MiB).
pub const OBJECT_SIZE: i64 = 512 * MIB;

impl Ctx {
    /// Waits for an async call to finish (polling and freeing its job).
    pub fn wait<T: JobOutput>(
        &mut self,
        started: lsm_core::Result<Completion<T>>,
        what: &str,
    ) -> CheckResult<T> {
        let completion = started.during(what)?;
        self.client.wait_done(completion).during(what)
    }

    /// The pools of the system under test.
    pub fn system_pools(&mut self) -> CheckResult<Vec<Pool>> {
        let system_id = self.system.id.clone();
        Ok(self
            .client
            .pools(None)
            .during("pools")?
            .into_iter()
            .filter(|p| p.system_id == system_id)
            .collect())
    }

    /// The pool the reference would pick: holds `element`, does not refuse any
    /// of `refused`, more than 4 GiB free, the most free space. Skips the
    /// check when there is none.
    pub fn pool_for(
        &mut self,
        element: PoolElementType,
        refused: PoolUnsupportedActions,
    ) -> CheckResult<Pool> {
        let best = self
            .system_pools()?
            .into_iter()
            .filter(|p| p.element_type.contains(element))
            .filter(|p| (p.unsupported_actions.bits() & refused.bits()) == 0)
            .filter(|p| p.free_space > MIN_POOL_FREE)
            .max_by_key(|p| p.free_space);
        match best {
            Some(pool) => Ok(pool),
            None => skip!(
                "no pool of system {} holds {:?} with more than 4 GiB free{}",
                self.system.id,
                element,
                if refused.is_empty() {
                    String::new()
                } else {
                    format!(" and allows {refused:?}")
                }
            ),
        }
    }

    /// The pool for volumes.
    pub fn volume_pool(&mut self) -> CheckResult<Pool> {
        self.pool_for(PoolElementType::VOLUME, PoolUnsupportedActions::empty())
    }

    /// The pool for file systems.
    pub fn fs_pool(&mut self) -> CheckResult<Pool> {
        self.pool_for(PoolElementType::FS, PoolUnsupportedActions::empty())
    }

    // ------------------------------------------------------------ volumes

    /// Creates a volume (recorded for cleanup) and waits for it.
    pub fn create_volume_with(
        &mut self,
        pool: &Pool,
        name: &str,
        size: i64,
        provisioning: Provisioning,
    ) -> CheckResult<Volume> {
        self.push_undo(Undo::Volume {
            name: name.to_string(),
            known: None,
        });
        let started = self.client.volume_create(pool, name, size, provisioning);
        let volume = self.wait(started, "volume_create")?;
        self.learn_undo(Undo::Volume {
            name: name.to_string(),
            known: Some(volume.clone()),
        });
        Ok(volume)
    }

    /// Creates a 512 MiB volume with a unique name in `pool`.
    pub fn create_volume(&mut self, pool: &Pool) -> CheckResult<Volume> {
        let name = self.unique_name();
        self.create_volume_with(pool, &name, OBJECT_SIZE, Provisioning::DEFAULT)
    }

    /// Creates a 512 MiB volume in the reference's volume pool.
    pub fn scratch_volume(&mut self) -> CheckResult<Volume> {
        let pool = self.volume_pool()?;
        self.create_volume(&pool)
    }

    /// A volume for read-only checks: a new one when the plugin can create
    /// and delete volumes, else the first one listed; skips when neither.
    pub fn any_volume(&mut self) -> CheckResult<Volume> {
        use lsm_core::Capability as C;
        if self.supports_all(&[C::VOLUME_CREATE, C::VOLUME_DELETE]) {
            return self.scratch_volume();
        }
        if self.supports(C::VOLUMES) {
            let system_id = self.system.id.clone();
            let found = self
                .client
                .volumes(None)
                .during("volumes")?
                .into_iter()
                .find(|v| v.system_id == system_id);
            if let Some(volume) = found {
                return Ok(volume);
            }
        }
        skip!("no volume to work on, and volumes cannot be created")
    }

    /// Deletes a volume and waits for the job.
    pub fn delete_volume(&mut self, volume: &Volume) -> CheckResult {
        let started = self.client.volume_delete(volume);
        self.wait(started, "volume_delete")?;
        let name = volume.name.clone();
        self.forget_undo(|u| matches!(u, Undo::Volume { name: n, .. } if *n == name));
        Ok(())
    }

    /// Replicates `source` into a new volume (recorded for cleanup).
    pub fn replicate_volume(
        &mut self,
        pool: Option<&Pool>,
        rep_type: ReplicationType,
        source: &Volume,
    ) -> CheckResult<Volume> {
        let name = self.unique_name();
        self.replicate_volume_named(pool, rep_type, source, &name)
    }

    /// Replicates `source` into a new volume named `name` (recorded for
    /// cleanup).
    pub fn replicate_volume_named(
        &mut self,
        pool: Option<&Pool>,
        rep_type: ReplicationType,
        source: &Volume,
        name: &str,
    ) -> CheckResult<Volume> {
        let name = name.to_string();
        self.push_undo(Undo::Volume {
            name: name.clone(),
            known: None,
        });
        let started = self.client.volume_replicate(pool, rep_type, source, &name);
        let replica = self.wait(started, &format!("volume_replicate({rep_type:?})"))?;
        self.learn_undo(Undo::Volume {
            name,
            known: Some(replica.clone()),
        });
        Ok(replica)
    }

    /// The volume with this id in the full listing, if any.
    pub fn find_volume(&mut self, id: &str) -> CheckResult<Option<Volume>> {
        Ok(self
            .client
            .volumes(None)
            .during("volumes")?
            .into_iter()
            .find(|v| v.id == id))
    }

    // ------------------------------------------------------ access groups

    /// Creates an access group with one initiator (recorded for cleanup).
    pub fn create_access_group(
        &mut self,
        init_id: &str,
        init_type: InitiatorType,
    ) -> CheckResult<AccessGroup> {
        let name = self.unique_name();
        self.create_access_group_named(&name, init_id, init_type)
    }

    /// Creates an access group with this name (recorded for cleanup).
    pub fn create_access_group_named(
        &mut self,
        name: &str,
        init_id: &str,
        init_type: InitiatorType,
    ) -> CheckResult<AccessGroup> {
        self.push_undo(Undo::AccessGroup {
            name: name.to_string(),
            known: None,
        });
        let system = self.system.clone();
        let group = self
            .client
            .access_group_create(name, init_id, init_type, &system)
            .during("access_group_create")?;
        self.learn_undo(Undo::AccessGroup {
            name: name.to_string(),
            known: Some(group.clone()),
        });
        Ok(group)
    }

    /// Creates an access group holding a new unique iSCSI initiator.
    pub fn iqn_access_group(&mut self) -> CheckResult<AccessGroup> {
        let iqn = self.unique_iqn();
        self.create_access_group(&iqn, InitiatorType::ISCSI_IQN)
    }

    /// Deletes an access group.
    pub fn delete_access_group(&mut self, group: &AccessGroup) -> CheckResult {
        self.client
            .access_group_delete(group)
            .during("access_group_delete")?;
        let name = group.name.clone();
        self.forget_undo(|u| matches!(u, Undo::AccessGroup { name: n, .. } if *n == name));
        Ok(())
    }

    /// The access group with this id in the full listing, if any.
    pub fn find_access_group(&mut self, id: &str) -> CheckResult<Option<AccessGroup>> {
        Ok(self
            .client
            .access_groups(None)
            .during("access_groups")?
            .into_iter()
            .find(|g| g.id == id))
    }

    /// Masks `volume` to `group` (unmasked at cleanup).
    pub fn mask(&mut self, group: &AccessGroup, volume: &Volume) -> CheckResult {
        self.client
            .volume_mask(group, volume)
            .during("volume_mask")?;
        self.push_undo(Undo::Mask {
            access_group: group.clone(),
            volume: volume.clone(),
        });
        Ok(())
    }

    /// Unmasks `volume` from `group`.
    pub fn unmask(&mut self, group: &AccessGroup, volume: &Volume) -> CheckResult {
        self.client
            .volume_unmask(group, volume)
            .during("volume_unmask")?;
        let (group_id, volume_id) = (group.id.clone(), volume.id.clone());
        self.forget_undo(|u| {
            matches!(u, Undo::Mask { access_group, volume }
                if access_group.id == group_id && volume.id == volume_id)
        });
        Ok(())
    }

    // ------------------------------------------------------- file systems

    /// Creates a file system with this name and size (recorded for cleanup).
    pub fn create_fs_with(
        &mut self,
        pool: &Pool,
        name: &str,
        size: i64,
    ) -> CheckResult<FileSystem> {
        self.push_undo(Undo::FileSystem {
            name: name.to_string(),
            known: None,
        });
        let started = self.client.fs_create(pool, name, size);
        let fs = self.wait(started, "fs_create")?;
        self.learn_undo(Undo::FileSystem {
            name: name.to_string(),
            known: Some(fs.clone()),
        });
        Ok(fs)
    }

    /// Creates a 512 MiB file system in the reference's FS pool.
    pub fn scratch_fs(&mut self) -> CheckResult<FileSystem> {
        let pool = self.fs_pool()?;
        let name = self.unique_name();
        self.create_fs_with(&pool, &name, OBJECT_SIZE)
    }

    /// Deletes a file system and waits for the job.
    pub fn delete_fs(&mut self, fs: &FileSystem) -> CheckResult {
        let started = self.client.fs_delete(fs);
        self.wait(started, "fs_delete")?;
        let name = fs.name.clone();
        self.forget_undo(|u| matches!(u, Undo::FileSystem { name: n, .. } if *n == name));
        Ok(())
    }

    /// Clones `source` (optionally from a snapshot) into a new file system.
    pub fn clone_fs(
        &mut self,
        source: &FileSystem,
        snapshot: Option<&FsSnapshot>,
    ) -> CheckResult<FileSystem> {
        let name = self.unique_name();
        self.clone_fs_named(source, snapshot, &name)
    }

    /// Clones `source` into a new file system named `name`.
    pub fn clone_fs_named(
        &mut self,
        source: &FileSystem,
        snapshot: Option<&FsSnapshot>,
        name: &str,
    ) -> CheckResult<FileSystem> {
        let name = name.to_string();
        self.push_undo(Undo::FileSystem {
            name: name.clone(),
            known: None,
        });
        let started = self.client.fs_clone(source, &name, snapshot);
        let clone = self.wait(started, "fs_clone")?;
        self.learn_undo(Undo::FileSystem {
            name,
            known: Some(clone.clone()),
        });
        Ok(clone)
    }

    /// The file system with this id in the full listing, if any.
    pub fn find_fs(&mut self, id: &str) -> CheckResult<Option<FileSystem>> {
        Ok(self
            .client
            .fs(None)
            .during("fs")?
            .into_iter()
            .find(|f| f.id == id))
    }

    /// Snapshots `fs` (recorded for cleanup).
    pub fn create_snapshot(&mut self, fs: &FileSystem) -> CheckResult<FsSnapshot> {
        let name = self.unique_name();
        self.create_snapshot_named(fs, &name)
    }

    /// Snapshots `fs` under this name (recorded for cleanup).
    pub fn create_snapshot_named(
        &mut self,
        fs: &FileSystem,
        name: &str,
    ) -> CheckResult<FsSnapshot> {
        let name = name.to_string();
        self.push_undo(Undo::Snapshot {
            fs: fs.clone(),
            name: name.clone(),
            known: None,
        });
        let started = self.client.fs_snapshot_create(fs, &name);
        let snapshot = self.wait(started, "fs_snapshot_create")?;
        self.learn_undo(Undo::Snapshot {
            fs: fs.clone(),
            name,
            known: Some(snapshot.clone()),
        });
        Ok(snapshot)
    }

    /// Deletes a snapshot and waits for the job.
    pub fn delete_snapshot(&mut self, fs: &FileSystem, snapshot: &FsSnapshot) -> CheckResult {
        let started = self.client.fs_snapshot_delete(fs, snapshot);
        self.wait(started, "fs_snapshot_delete")?;
        let name = snapshot.name.clone();
        self.forget_undo(|u| matches!(u, Undo::Snapshot { name: n, .. } if *n == name));
        Ok(())
    }

    // ------------------------------------------------------------ exports

    /// Exports a file system (the export is removed at cleanup).
    pub fn export(&mut self, request: &ExportRequest) -> CheckResult<NfsExport> {
        let export = self.client.export_fs(request).during("export_fs")?;
        self.push_undo(Undo::Export(export.clone()));
        Ok(export)
    }

    /// Removes an export.
    pub fn remove_export(&mut self, export: &NfsExport) -> CheckResult {
        self.client.export_remove(export).during("export_remove")?;
        let id = export.id.clone();
        self.forget_undo(|u| matches!(u, Undo::Export(e) if e.id == id));
        Ok(())
    }

    /// The export with this id in the full listing, if any.
    pub fn find_export(&mut self, id: &str) -> CheckResult<Option<NfsExport>> {
        Ok(self
            .client
            .exports(None)
            .during("exports")?
            .into_iter()
            .find(|e| e.id == id))
    }
}
