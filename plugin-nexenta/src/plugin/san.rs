//! SAN changes: zvols as volumes (in a volume group of the call's pool), host groups as
//! access groups, LUN mappings as masking, CHAP of remote initiators.
//!
//! LSM's rules NexentaStor does not make are checked here: volume names unique on the
//! appliance, an initiator in one access group only (`EXISTS_INITIATOR`), a group keeps at
//! least one initiator (`LAST_INIT_IN_ACCESS_GROUP`), a masked volume or group is not
//! deleted (`IS_MASKED`), and a call with nothing to do is `NO_STATE_CHANGE`.

use lsm_core::plugin::Completion;
use lsm_core::types::*;
use lsm_core::{ErrorNumber, LsmError, Result};
use lsm_rest::Method;
use serde_json::{Value, json};

use super::lookups::not_found;
use super::session::Session;
use crate::client::api::segment;
use crate::client::{Outcome, models};
use crate::error::{Context, ObjectKind};
use crate::mapping::{self, JobResult, leaf, pool_of};

/// The block size zvol sizes are rounded up to when the volume group does not say.
const DEFAULT_VOLUME_BLOCK: i64 = 32 << 10;

/// What marks the snapshots the plugin makes to clone from: `<source>@lsm_clone_<clone>`.
pub(super) const CLONE_SNAPSHOT_MARK: &str = "@lsm_clone_";

/// The name of the HPR service a COPY makes: this and the copy's name.
const COPY_SERVICE_PREFIX: &str = "lsm_copy_";

/// The volume group made for new zvols in a pool that has none (OpenStack's default).
const DEFAULT_VOLUME_GROUP: &str = "iscsi";

/// The target group of a mapping when the URI names none: every target.
const ALL_TARGETS: &str = "All";

/// A name fit to be the last element of a dataset path (ZFS: letters, digits, `_-.:`).
pub(super) fn check_dataset_name(what: &str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 200
        && !name.starts_with(['-', '.'])
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'));
    if ok {
        Ok(())
    } else {
        Err(LsmError::invalid_argument(format!(
            "{name:?} cannot be a NexentaStor {what} name: use letters, digits, '_', '-', '.' \
             and ':' (at most 200, not starting with '-' or '.')"
        )))
    }
}

/// `size` (positive) rounded up to a whole number of `block`s (positive; the appliance
/// says what it is). A size that does not round within `i64` (past 8 EiB, more than any
/// pool holds) is `NOT_ENOUGH_SPACE`.
fn round_up(size: i64, block: i64) -> Result<i64> {
    u64::try_from(size)
        .ok()
        .zip(u64::try_from(block).ok())
        .and_then(|(size, block)| size.checked_next_multiple_of(block))
        .and_then(|rounded| i64::try_from(rounded).ok())
        .ok_or_else(|| {
            LsmError::new(
                ErrorNumber::NOT_ENOUGH_SPACE,
                format!(
                    "a volume of {size} bytes in {block}-byte blocks is larger than any pool \
                     can hold"
                ),
            )
        })
}

fn same_initiator(a: &str, b: &str) -> bool {
    let normal = |id: &str| {
        lsm_core::validate::wwpn_normalize(id).unwrap_or_else(|| id.to_ascii_lowercase())
    };
    normal(a) == normal(b)
}

fn no_state_change(message: String) -> LsmError {
    LsmError::new(ErrorNumber::NO_STATE_CHANGE, message)
}

impl Session {
    /// The pool of a call, which must exist.
    pub(super) fn check_pool(&self, pool: &str) -> Result<()> {
        let found: Option<models::Pool> = self.client.find(
            &format!("/storage/pools/{}", segment(pool)),
            &[("fields", "poolName")],
            ObjectKind::Pool,
        )?;
        found
            .map(drop)
            .ok_or_else(|| not_found(ErrorNumber::NOT_FOUND_POOL, "Pool", pool))
    }

    /// The volume group new zvols of `pool` go in: `?volume_group=NAME`, else the pool's only
    /// one, else (none yet) [`DEFAULT_VOLUME_GROUP`]; several and none named is
    /// `INVALID_ARGUMENT` naming them. A named or default group the pool lacks is made, as
    /// OpenStack's NexentaStor driver does.
    fn volume_group_for(&self, pool: &str) -> Result<models::VolumeGroup> {
        self.check_pool(pool)?;
        let groups: Vec<models::VolumeGroup> = self
            .client
            .list(
                "/storage/volumeGroups",
                &[("fields", "path,volumeBlockSize")],
                ObjectKind::Pool,
            )?
            .into_iter()
            .filter(|g: &models::VolumeGroup| {
                g.path
                    .as_deref()
                    .is_some_and(|p| pool_of(p) == pool && p.contains('/'))
            })
            .collect();
        let wanted = match (&self.placement.volume_group, groups.as_slice()) {
            (Some(wanted), _) => wanted.clone(),
            (None, [only]) => return Ok(only.clone()),
            (None, []) => DEFAULT_VOLUME_GROUP.to_string(),
            (None, _) => {
                let names: Vec<&str> = groups
                    .iter()
                    .filter_map(|g| g.path.as_deref())
                    .map(leaf)
                    .collect();
                return Err(LsmError::invalid_argument(format!(
                    "pool {} has several volume groups: add ?volume_group=NAME to the URI, \
                     one of {}",
                    pool,
                    names.join(", ")
                )));
            }
        };
        let path = format!("{}/{wanted}", pool);
        if let Some(group) = groups
            .iter()
            .find(|g| g.path.as_deref() == Some(path.as_str()))
        {
            return Ok(group.clone());
        }
        self.client.change_and_wait(
            Method::POST,
            "/storage/volumeGroups",
            &[],
            Some(&json!({"path": path, "volumeBlockSize": DEFAULT_VOLUME_BLOCK})),
            ObjectKind::Pool,
            Context::Create,
        )?;
        Ok(models::VolumeGroup {
            path: Some(path),
            volume_block_size: Some(DEFAULT_VOLUME_BLOCK),
        })
    }

    /// `NAME_CONFLICT` if a zvol already has this name (LSM volume names are unique).
    fn check_volume_name_free(&self, name: &str) -> Result<()> {
        let zvols: Vec<models::Volume> = self.client.list(
            "/storage/volumes",
            &[("fields", "path,name")],
            ObjectKind::Volume,
        )?;
        if zvols
            .iter()
            .any(|z| z.name.as_deref().or(z.path.as_deref().map(leaf)) == Some(name))
        {
            return Err(LsmError::new(
                ErrorNumber::NAME_CONFLICT,
                format!("a volume named {name} already exists"),
            ));
        }
        Ok(())
    }

    pub(super) fn volume_create(
        &self,
        pool: &Pool,
        name: &str,
        size: i64,
        provisioning: Provisioning,
    ) -> Result<Completion<Volume>> {
        check_dataset_name("volume", name)?;
        if size <= 0 {
            return Err(LsmError::invalid_argument("a volume size must be positive"));
        }
        let group = self.volume_group_for(&pool.id)?;
        self.check_volume_name_free(name)?;
        let block = group
            .volume_block_size
            .filter(|b| *b > 0)
            .unwrap_or(DEFAULT_VOLUME_BLOCK);
        let size = round_up(size, block)?;
        let path = format!("{}/{name}", group.path.clone().unwrap_or_default());
        let sparse = provisioning != Provisioning::FULL;
        let outcome = self.client.change(
            Method::POST,
            "/storage/volumes",
            &[],
            Some(&json!({"path": path, "volumeSize": size, "sparseVolume": sparse})),
            ObjectKind::Pool,
            Context::Create,
        )?;
        self.finish(
            outcome,
            Context::Create,
            JobResult::Volume(path.clone()),
            |s| s.volume_of(&path),
        )
    }

    pub(super) fn volume_resize(&self, volume: &Volume, size: i64) -> Result<Completion<Volume>> {
        let zvol = self.zvol(&volume.id)?;
        if size <= 0 {
            return Err(LsmError::invalid_argument("a volume size must be positive"));
        }
        let block = zvol
            .volume_block_size
            .filter(|b| *b > 0)
            .unwrap_or(DEFAULT_VOLUME_BLOCK);
        let size = round_up(size, block)?;
        if Some(size) == zvol.volume_size {
            return Err(no_state_change(format!(
                "volume {} is already {size} bytes",
                volume.id
            )));
        }
        let outcome = self.client.change(
            Method::PUT,
            &format!("/storage/volumes/{}", segment(&volume.id)),
            &[],
            Some(&json!({"volumeSize": size})),
            ObjectKind::Volume,
            Context::Change,
        )?;
        let path = volume.id.clone();
        self.finish(
            outcome,
            Context::Change,
            JobResult::Volume(path.clone()),
            |s| s.volume_of(&path),
        )
    }

    /// A clone: a snapshot of the source (`<name>` after the clone's name) and a clone of it
    /// in the same volume group. ZFS clones live in their source's pool.
    pub(super) fn volume_replicate(
        &self,
        pool: Option<&Pool>,
        rep_type: ReplicationType,
        source: &Volume,
        name: &str,
    ) -> Result<Completion<Volume>> {
        if rep_type == ReplicationType::COPY {
            return self.volume_copy(pool, source, name);
        }
        if rep_type != ReplicationType::CLONE {
            return Err(LsmError::new(
                ErrorNumber::NO_SUPPORT,
                format!(
                    "NexentaStor zvols are replicated as ZFS clones (CLONE) or full copies \
                     (COPY), not {rep_type:?}"
                ),
            ));
        }
        let zvol = self.zvol(&source.id)?;
        check_dataset_name("volume", name)?;
        let source_pool = pool_of(&source.id).to_string();
        if let Some(pool) = pool
            && pool.id != source_pool
        {
            return Err(LsmError::new(
                ErrorNumber::NO_SUPPORT,
                format!(
                    "a ZFS clone lives in its source's pool: the clone of {} can only be in \
                     pool {source_pool}, not {}",
                    source.id, pool.id
                ),
            ));
        }
        self.check_volume_name_free(name)?;
        let parent = zvol.parent.clone().unwrap_or_else(|| {
            source
                .id
                .rsplit_once('/')
                .map(|(p, _)| p.to_string())
                .unwrap_or_default()
        });
        let target = format!("{parent}/{name}");
        let snapshot = format!("{}{CLONE_SNAPSHOT_MARK}{name}", source.id);
        self.client.change_and_wait(
            Method::POST,
            "/storage/snapshots",
            &[],
            Some(&json!({"path": snapshot})),
            ObjectKind::Volume,
            Context::Create,
        )?;
        let outcome = self.client.change(
            Method::POST,
            &format!("/storage/snapshots/{}/clone", segment(&snapshot)),
            &[],
            Some(&json!({"targetPath": target})),
            ObjectKind::Volume,
            Context::Create,
        );
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(error) => {
                // Leave nothing behind: the snapshot made for the clone goes.
                self.drop_snapshot(&snapshot);
                return Err(error);
            }
        };
        self.finish(
            outcome,
            Context::Create,
            JobResult::Volume(target.clone()),
            |s| s.volume_of(&target),
        )
    }

    /// A full, independent copy (COPY), in `pool`, else the URI's `?pool=`, else the
    /// source's: a local HPR
    /// (replication) service from the zvol to a new one in the pool's volume group, started,
    /// followed until it has copied (an LSM job when that outlasts the plugin's wait), then
    /// removed.
    fn volume_copy(
        &self,
        pool: Option<&Pool>,
        source: &Volume,
        name: &str,
    ) -> Result<Completion<Volume>> {
        self.zvol(&source.id)?;
        check_dataset_name("volume", name)?;
        let pool = pool
            .map(|p| p.id.clone())
            .or_else(|| self.placement.pool.clone())
            .unwrap_or_else(|| pool_of(&source.id).to_string());
        let group = self.volume_group_for(&pool)?;
        self.check_volume_name_free(name)?;
        let target = format!("{}/{name}", group.path.clone().unwrap_or_default());
        let service = format!("{COPY_SERVICE_PREFIX}{name}");
        self.client.change_and_wait(
            Method::POST,
            "/hpr",
            &[],
            Some(&json!({
                "name": service,
                "sourceDataset": source.id,
                "destinationDataset": target,
                "type": "scheduled",
                "sendShareNfs": false,
            })),
            ObjectKind::Volume,
            Context::Create,
        )?;
        let monitor = format!("/hpr/{}", segment(&service));
        if let Err(error) = self.client.change_and_wait::<Value>(
            Method::POST,
            &format!("{monitor}/start"),
            &[],
            None,
            ObjectKind::Volume,
            Context::Create,
        ) {
            self.remove_copy_service(&monitor);
            return Err(error);
        }
        let deadline = lsm_rest::Deadline::after(super::jobs::JOB_WAIT);
        let mut pause = std::time::Duration::from_millis(5);
        loop {
            if let Some(done) = self.copy_progress(&monitor, &target)? {
                return Ok(Completion::Done(done));
            }
            match deadline.remaining() {
                Some(left) if left > pause => std::thread::sleep(pause),
                _ => {
                    let token = mapping::JobToken {
                        monitor,
                        result: JobResult::Copy(target),
                    };
                    return Ok(Completion::job(token.encode()));
                }
            }
            pause = (pause * 2).min(std::time::Duration::from_millis(100));
        }
    }

    /// Where a copy stands: `Some(volume)` once copied (the service then removed), `None`
    /// while it runs; a failed copy is an error (the service removed).
    pub(super) fn copy_progress(&self, monitor: &str, target: &str) -> Result<Option<Volume>> {
        let found: Option<models::HprService> =
            self.client
                .find(monitor, &[("fields", "name,state")], ObjectKind::Volume)?;
        let Some(service) = found else {
            // Removed already (by another call that saw it finish): done if the copy is there.
            return self.volume_of(target).map(Some);
        };
        match service.state.as_deref() {
            Some("enabled") => Ok(None),
            Some("disabled") => {
                self.remove_copy_service(monitor);
                self.volume_of(target).map(Some)
            }
            other => {
                self.remove_copy_service(monitor);
                Err(LsmError::plugin_bug(format!(
                    "the NexentaStor replication copying to {target} ended in state {}",
                    other.unwrap_or("unknown")
                )))
            }
        }
    }

    fn remove_copy_service(&self, monitor: &str) {
        let _ = self.client.change::<Value>(
            Method::DELETE,
            monitor,
            &[
                ("destroySourceSnapshots", "true"),
                ("destroyDestinationSnapshots", "true"),
            ],
            None,
            ObjectKind::Volume,
            Context::Delete,
        );
    }

    /// Removes a snapshot the plugin made, as well as it can: one left behind is harmless
    /// and listed.
    pub(super) fn drop_snapshot(&self, path: &str) {
        let _ = self.client.change_and_wait::<Value>(
            Method::DELETE,
            &format!("/storage/snapshots/{}", segment(path)),
            &[],
            None,
            ObjectKind::Snapshot,
            Context::Delete,
        );
    }

    /// Once a clone is deleted: the snapshot it came from, when the plugin made it for it.
    pub(super) fn drop_clone_origin(&self, origin: Option<String>) {
        if let Some(origin) = origin.filter(|o| o.contains(CLONE_SNAPSHOT_MARK)) {
            self.drop_snapshot(&origin);
        }
    }

    /// Delete a zvol and its snapshots; refused while it is mapped (`IS_MASKED`) or clones
    /// depend on one of its snapshots (`HAS_CHILD_DEPENDENCY`).
    pub(super) fn volume_delete(&self, volume: &Volume) -> Result<Completion<()>> {
        let zvol = self.zvol(&volume.id)?;
        let mapped = self.mappings(("volume", &volume.id))?;
        if !mapped.is_empty() {
            return Err(LsmError::new(
                ErrorNumber::IS_MASKED,
                format!(
                    "Volume {} is masked to {} access group(s): unmask it first",
                    volume.id,
                    mapped.len()
                ),
            ));
        }
        let path = zvol.path.clone().unwrap_or_else(|| volume.id.clone());
        let outcome = self.client.change::<Value>(
            Method::DELETE,
            &format!("/storage/volumes/{}", segment(&path)),
            &[("snapshots", "true")],
            None,
            ObjectKind::Volume,
            Context::Delete,
        )?;
        let done = self.finish(outcome, Context::Delete, JobResult::Nothing, |_| Ok(()))?;
        self.drop_clone_origin(zvol.original_snapshot);
        Ok(done)
    }

    // ------------------------------------------------------------ access groups

    fn check_initiator_unused(&self, init_id: &str, except: Option<&str>) -> Result<()> {
        if let Some(group) = self.host_groups()?.iter().find(|g| {
            g.name.as_deref() != except && g.members.iter().any(|m| same_initiator(m, init_id))
        }) {
            return Err(LsmError::new(
                ErrorNumber::EXISTS_INITIATOR,
                format!(
                    "initiator {init_id} is already in access group {}",
                    group.name.as_deref().unwrap_or_default()
                ),
            ));
        }
        Ok(())
    }

    pub(super) fn access_group_create(
        &self,
        name: &str,
        init_id: &str,
        init_type: InitiatorType,
        system: &System,
    ) -> Result<AccessGroup> {
        self.check_system(system)?;
        if init_type != InitiatorType::ISCSI_IQN {
            return Err(LsmError::new(
                ErrorNumber::NO_SUPPORT,
                "NexentaStor host groups are made of iSCSI initiators (IQN) here",
            ));
        }
        check_dataset_name("host group", name)?;
        if name.eq_ignore_ascii_case(ALL_TARGETS) {
            return Err(LsmError::invalid_argument(
                "\"All\" is NexentaStor's name for every initiator: choose another",
            ));
        }
        if self
            .host_groups()?
            .iter()
            .any(|g| g.name.as_deref() == Some(name))
        {
            return Err(LsmError::new(
                ErrorNumber::NAME_CONFLICT,
                format!("an access group named {name} already exists"),
            ));
        }
        self.check_initiator_unused(init_id, None)?;
        self.client.change_and_wait(
            Method::POST,
            "/san/hostgroups",
            &[],
            Some(&json!({"name": name, "members": [init_id]})),
            ObjectKind::AccessGroup,
            Context::Create,
        )?;
        self.access_group_named(name)
    }

    fn access_group_named(&self, name: &str) -> Result<AccessGroup> {
        Ok(mapping::host_group_to_access_group(
            &self.host_group(name)?,
            &self.system_id,
        ))
    }

    pub(super) fn access_group_delete(&self, group: &AccessGroup) -> Result<()> {
        self.host_group(&group.id)?;
        if !self.mappings(("hostGroup", &group.id))?.is_empty() {
            return Err(LsmError::new(
                ErrorNumber::IS_MASKED,
                format!("access group {} has volumes masked to it", group.id),
            ));
        }
        self.client.change_and_wait::<Value>(
            Method::DELETE,
            &format!("/san/hostgroups/{}", segment(&group.id)),
            &[],
            None,
            ObjectKind::AccessGroup,
            Context::Delete,
        )
    }

    fn set_members(&self, group: &str, members: &[String]) -> Result<AccessGroup> {
        self.client.change_and_wait(
            Method::PUT,
            &format!("/san/hostgroups/{}", segment(group)),
            &[],
            Some(&json!({"members": members})),
            ObjectKind::AccessGroup,
            Context::Change,
        )?;
        self.access_group_named(group)
    }

    pub(super) fn access_group_initiator_add(
        &self,
        group: &AccessGroup,
        init_id: &str,
        init_type: InitiatorType,
    ) -> Result<AccessGroup> {
        let host_group = self.host_group(&group.id)?;
        if host_group
            .members
            .iter()
            .any(|m| same_initiator(m, init_id))
        {
            return Ok(mapping::host_group_to_access_group(
                &host_group,
                &self.system_id,
            ));
        }
        if init_type != InitiatorType::ISCSI_IQN {
            return Err(LsmError::new(
                ErrorNumber::NO_SUPPORT,
                "NexentaStor host groups are made of iSCSI initiators (IQN) here",
            ));
        }
        self.check_initiator_unused(init_id, Some(&group.id))?;
        let mut members = host_group.members.clone();
        members.push(init_id.to_string());
        self.set_members(&group.id, &members)
    }

    pub(super) fn access_group_initiator_delete(
        &self,
        group: &AccessGroup,
        init_id: &str,
    ) -> Result<AccessGroup> {
        let host_group = self.host_group(&group.id)?;
        if !host_group
            .members
            .iter()
            .any(|m| same_initiator(m, init_id))
        {
            return Err(no_state_change(format!(
                "Initiator {init_id} is not in access group {}",
                group.id
            )));
        }
        let members: Vec<String> = host_group
            .members
            .iter()
            .filter(|m| !same_initiator(m, init_id))
            .cloned()
            .collect();
        if members.is_empty() {
            return Err(LsmError::new(
                ErrorNumber::LAST_INIT_IN_ACCESS_GROUP,
                format!(
                    "{init_id} is the last initiator of access group {}: delete the group instead",
                    group.id
                ),
            ));
        }
        self.set_members(&group.id, &members)
    }

    // ------------------------------------------------------------ masking

    pub(super) fn volume_mask(&self, group: &AccessGroup, volume: &Volume) -> Result<()> {
        self.host_group(&group.id)?;
        self.zvol(&volume.id)?;
        let existing = self.mappings(("volume", &volume.id))?;
        if existing
            .iter()
            .any(|m| m.host_group.as_deref() == Some(group.id.as_str()))
        {
            return Err(no_state_change(format!(
                "volume {} is already masked to access group {}",
                volume.id, group.id
            )));
        }
        let target_group = self
            .placement
            .target_group
            .clone()
            .unwrap_or_else(|| ALL_TARGETS.to_string());
        self.client.change_and_wait(
            Method::POST,
            "/san/lunMappings",
            &[],
            Some(&json!({"volume": volume.id, "hostGroup": group.id, "targetGroup": target_group})),
            ObjectKind::Volume,
            Context::Create,
        )?;
        // The appliance lists a new mapping (with its LUN number) a moment later.
        let deadline = self.client.deadline();
        let mut pause = std::time::Duration::from_millis(5);
        loop {
            let now = self.mappings(("volume", &volume.id))?;
            if now
                .iter()
                .any(|m| m.host_group.as_deref() == Some(group.id.as_str()) && m.id.is_some())
            {
                return Ok(());
            }
            match deadline.remaining() {
                Some(left) if left > pause => std::thread::sleep(pause),
                _ => {
                    return Err(LsmError::new(
                        ErrorNumber::TIMEOUT,
                        format!(
                            "the mapping of {} to {} was accepted but not listed before the \
                             call's timeout",
                            volume.id, group.id
                        ),
                    ));
                }
            }
            pause = (pause * 2).min(std::time::Duration::from_millis(100));
        }
    }

    pub(super) fn volume_unmask(&self, group: &AccessGroup, volume: &Volume) -> Result<()> {
        self.host_group(&group.id)?;
        self.zvol(&volume.id)?;
        let mappings: Vec<models::LunMapping> = self
            .mappings(("volume", &volume.id))?
            .into_iter()
            .filter(|m| m.host_group.as_deref() == Some(group.id.as_str()))
            .collect();
        if mappings.is_empty() {
            return Err(no_state_change(format!(
                "volume {} is not masked to access group {}",
                volume.id, group.id
            )));
        }
        for mapping in mappings {
            let Some(id) = mapping.id else { continue };
            self.client.change_and_wait::<Value>(
                Method::DELETE,
                &format!("/san/lunMappings/{}", segment(&id)),
                &[],
                None,
                ObjectKind::Volume,
                Context::Delete,
            )?;
        }
        Ok(())
    }

    // ------------------------------------------------------------ CHAP

    /// The targets whose CHAP is the outbound CHAP of the URI's target group.
    fn chap_targets(&self) -> Result<Vec<String>> {
        match &self.placement.target_group {
            Some(group) => {
                let groups: Vec<models::TargetGroup> = self.client.list(
                    "/san/targetgroups",
                    &[("name", group), ("fields", "name,members")],
                    ObjectKind::Other,
                )?;
                groups
                    .into_iter()
                    .find(|g| g.name.as_deref() == Some(group.as_str()))
                    .map(|g| g.members)
                    .ok_or_else(|| {
                        LsmError::invalid_argument(format!(
                            "the URI's target_group={group} is not a target group of the appliance"
                        ))
                    })
            }
            None => Ok(self
                .client
                .list::<models::Target>(
                    "/san/iscsi/targets",
                    &[("fields", "name")],
                    ObjectKind::Other,
                )?
                .into_iter()
                .filter_map(|t| t.name)
                .collect()),
        }
    }

    /// CHAP of an initiator: its remote-initiator entry (`chapUser`/`chapSecret`), made,
    /// changed or (no user) removed. Outbound (mutual) CHAP is a target's own CHAP user and
    /// secret on NexentaStor (COMSTAR), one per target for all its initiators: an outbound
    /// pair is set on the targets of the URI's `target_group` (every target without one).
    pub(super) fn iscsi_chap_auth(
        &self,
        init_id: &str,
        in_user: Option<&str>,
        in_password: Option<&str>,
        out_user: Option<&str>,
        out_password: Option<&str>,
    ) -> Result<()> {
        if let (Some(user), Some(secret)) = (out_user, out_password) {
            for target in self.chap_targets()? {
                self.client.change_and_wait(
                    Method::PUT,
                    &format!("/san/iscsi/targets/{}", segment(&target)),
                    &[],
                    Some(&json!({"chapUser": user, "chapSecret": secret})),
                    ObjectKind::Other,
                    Context::Change,
                )?;
            }
        }
        let path = format!("/san/iscsi/remoteInitiators/{}", segment(init_id));
        let existing: Option<models::RemoteInitiator> =
            self.client
                .find(&path, &[("fields", "name,chapUser")], ObjectKind::Other)?;
        let outcome = match (in_user, in_password, existing) {
            (None, _, None) => return Ok(()),
            (None, _, Some(_)) => self.client.change::<Value>(
                Method::DELETE,
                &path,
                &[],
                None,
                ObjectKind::Other,
                Context::Delete,
            )?,
            (Some(user), Some(secret), Some(_)) => self.client.change(
                Method::PUT,
                &path,
                &[],
                Some(&json!({"chapUser": user, "chapSecret": secret})),
                ObjectKind::Other,
                Context::Change,
            )?,
            (Some(user), Some(secret), None) => self.client.change(
                Method::POST,
                "/san/iscsi/remoteInitiators",
                &[],
                Some(&json!({"name": init_id, "chapUser": user, "chapSecret": secret})),
                ObjectKind::Other,
                Context::Create,
            )?,
            (Some(_), None, _) => {
                return Err(LsmError::invalid_argument(
                    "an inbound CHAP user needs its password",
                ));
            }
        };
        if let Outcome::Job(monitor) = outcome {
            self.client.wait_job(
                &monitor,
                ObjectKind::Other,
                Context::Change,
                self.client.deadline(),
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_round_up_to_whole_blocks_or_are_not_enough_space() {
        assert_eq!(round_up(1000, 512).unwrap(), 1024);
        assert_eq!(round_up(8192, 8192).unwrap(), 8192);
        // Found with the rest_nstor fuzz target: a volume_create of 9223372036854775000
        // bytes overflowed the rounding and panicked the plugin; the block size comes
        // from the appliance, so it may be anything too.
        for (size, block) in [
            (i64::MAX - 100, 8192),
            (i64::MAX - 1, 1 << 62),
            (i64::MAX, 2),
        ] {
            assert_eq!(
                round_up(size, block).unwrap_err().code,
                ErrorNumber::NOT_ENOUGH_SPACE,
                "{size} in {block}"
            );
        }
        assert_eq!(round_up(5, i64::MAX).unwrap(), i64::MAX);
        assert_eq!(round_up(i64::MAX, 1).unwrap(), i64::MAX);
    }
}
