//! SAN changes: LUNs as volumes, igroups as access groups, LUN maps as masking.
//!
//! Each LUN the plugin creates lives in a FlexVol of its own (a "container", whose comment is
//! [`LUN_CONTAINER_COMMENT`], hidden from the file system listing) in the aggregate the LSM
//! pool names: that is how a LUN is placed in a pool on ONTAP. The container is thin or
//! thick with the LUN, sized to hold its LUNs plus [`container_size`]'s headroom, grown before
//! a LUN in it grows or is cloned into it (ONTAP clones a LUN inside its own FlexVol), and
//! deleted with its last LUN.
//!
//! LSM's rules that ONTAP does not make are checked here: names unique among the SVM's LUNs
//! and igroups, an initiator in one access group only (`EXISTS_INITIATOR`), a group keeps at
//! least one initiator, and a call with nothing to do is `NO_STATE_CHANGE`.

use lsm_core::plugin::Completion;
use lsm_core::types::*;
use lsm_core::{ErrorNumber, LsmError, Result};
use lsm_rest::{Deadline, Method};
use serde_json::{Value, json};

use super::lookups::{is_uuid, not_found};
use super::session::{LUN_CONTAINER_COMMENT, Session};
use crate::client::{Outcome, models};
use crate::error::ObjectKind;
use crate::mapping::{self, JobResult, JobToken};

/// How long `volume_create` waits for its container FlexVol before it answers with an LSM
/// job instead.
const CONTAINER_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// The size of a container FlexVol holding LUNs of `lun_bytes` in all: 5% and 64 MiB more
/// (room for WAFL's metadata, so a space-reserved LUN fits on a real cluster), in whole
/// 4 KiB blocks. Saturates rather than overflows (LUN sizes come from the cluster, and
/// may be anything): ONTAP refuses a container that large itself.
pub(super) fn container_size(lun_bytes: i64) -> i64 {
    let raw = lun_bytes
        .saturating_add(lun_bytes / 20)
        .saturating_add(64 << 20);
    raw.saturating_add(4095) / 4096 * 4096
}

/// The LUN size ONTAP is asked for: whole 512-byte blocks, rounded up. A size that does
/// not round within `i64` (past 8 EiB, more than any pool holds) is `NOT_ENOUGH_SPACE`.
fn lun_bytes(size: i64) -> Result<i64> {
    size.checked_add(mapping::BLOCK_SIZE - 1)
        .map(|size| size / mapping::BLOCK_SIZE * mapping::BLOCK_SIZE)
        .ok_or_else(|| {
            LsmError::new(
                ErrorNumber::NOT_ENOUGH_SPACE,
                format!("a volume of {size} bytes is larger than any pool can hold"),
            )
        })
}

/// An LSM volume name as an ONTAP LUN name: letters, digits, `_`, `-` and `.`, at most 255.
fn check_lun_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 255
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(LsmError::invalid_argument(format!(
            "{name:?} cannot be an ONTAP LUN name: use letters, digits, '_', '-' and '.' \
             (at most 255)"
        )))
    }
}

/// The base name of the container FlexVol of LUN `name`: `lsm_` and the name with every
/// character a volume name cannot hold made `_`, cut to leave room for a suffix.
fn container_base(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(180)
        .collect();
    format!("lsm_{cleaned}")
}

fn lun_path(lun: &models::Lun) -> String {
    lun.name.clone().unwrap_or_default()
}

fn lun_size(lun: &models::Lun) -> i64 {
    lun.space.as_ref().and_then(|space| space.size).unwrap_or(0)
}

fn lun_is_thick(lun: &models::Lun) -> bool {
    lun.space
        .as_ref()
        .and_then(|space| space.guarantee.as_ref())
        .and_then(|guarantee| guarantee.requested)
        .unwrap_or(false)
}

fn lun_volume_uuid(lun: &models::Lun) -> String {
    lun.location
        .as_ref()
        .and_then(|location| location.volume.as_ref())
        .and_then(|volume| volume.uuid.clone())
        .unwrap_or_default()
}

fn is_container(volume: &models::FlexVol) -> bool {
    volume.comment.as_deref() == Some(LUN_CONTAINER_COMMENT)
}

fn volume_pool(volume: &models::FlexVol) -> String {
    volume
        .aggregates
        .first()
        .and_then(|aggregate| aggregate.uuid.clone())
        .unwrap_or_default()
}

fn same_initiator(a: &str, b: &str) -> bool {
    match (
        lsm_core::validate::wwpn_normalize(a),
        lsm_core::validate::wwpn_normalize(b),
    ) {
        (Some(a), Some(b)) => a == b,
        _ => a.eq_ignore_ascii_case(b),
    }
}

fn igroup_has(igroup: &models::Igroup, init_id: &str) -> bool {
    igroup
        .initiators
        .iter()
        .filter_map(|initiator| initiator.name.as_deref())
        .any(|name| same_initiator(name, init_id))
}

fn no_state_change(message: String) -> LsmError {
    LsmError::new(ErrorNumber::NO_STATE_CHANGE, message)
}

impl Session {
    /// `NAME_CONFLICT` when the SVM has a LUN (in any FlexVol) named `name`.
    fn check_volume_name_free(&self, name: &str) -> Result<()> {
        let taken = self
            .client
            .list::<models::Lun>(
                "/api/storage/luns",
                &[
                    ("svm.name", self.svm.as_str()),
                    ("name", &format!("*/{name}")),
                    ("fields", "name"),
                ],
                ObjectKind::Volume,
            )?
            .iter()
            .any(|lun| mapping::lun_logical_unit(lun) == name);
        if taken {
            return Err(LsmError::new(
                ErrorNumber::NAME_CONFLICT,
                format!("the SVM {} already has a LUN named {name}", self.svm),
            ));
        }
        Ok(())
    }

    /// The aggregate behind an LSM pool, which must hold data volumes.
    pub(super) fn data_aggregate(&self, pool: &Pool) -> Result<models::Aggregate> {
        let aggregate = self
            .client
            .aggregates()?
            .into_iter()
            .find(|aggregate| aggregate.uuid.as_deref() == Some(pool.id.as_str()))
            .ok_or_else(|| not_found(ErrorNumber::NOT_FOUND_POOL, "Pool", &pool.id))?;
        if mapping::is_root_aggregate(&aggregate) {
            return Err(LsmError::invalid_argument(format!(
                "pool {} is the root aggregate {} of a node: it holds no data volumes",
                pool.id,
                aggregate.name.as_deref().unwrap_or("")
            )));
        }
        Ok(aggregate)
    }

    /// A FlexVol name of the SVM not yet taken, from `base`.
    fn free_flexvol_name(&self, base: &str) -> Result<String> {
        let taken: Vec<String> = self
            .client
            .list::<models::FlexVol>(
                "/api/storage/volumes",
                &[
                    ("svm.name", self.svm.as_str()),
                    ("name", &format!("{base}*")),
                    ("fields", "name"),
                ],
                ObjectKind::FileSystem,
            )?
            .into_iter()
            .filter_map(|volume| volume.name)
            .collect();
        Ok(std::iter::once(base.to_string())
            .chain((2..).map(|n| format!("{base}_{n}")))
            .find(|name| !taken.contains(name))
            .unwrap_or_else(|| base.to_string()))
    }

    /// Grow the container FlexVol `volume` so it holds LUNs of `lun_bytes` in all; a FlexVol
    /// the plugin did not make is left as it is (ONTAP says when a LUN does not fit).
    fn grow_container(&self, volume: &models::FlexVol, lun_bytes: i64) -> Result<()> {
        let needed = container_size(lun_bytes);
        if !is_container(volume) || volume.size.unwrap_or(0) >= needed {
            return Ok(());
        }
        let uuid = volume.uuid.as_deref().unwrap_or_default();
        self.client
            .change_and_wait(
                Method::PATCH,
                &format!("/api/storage/volumes/{uuid}"),
                Some(&json!({"size": needed})),
                ObjectKind::Pool,
                self.client.deadline(),
            )
            .map(|_| ())
    }

    /// The total size of the LUNs in the FlexVol `volume_uuid`.
    fn luns_bytes_in(&self, volume_uuid: &str) -> Result<i64> {
        Ok(self
            .luns_where(&[("location.volume.uuid", volume_uuid)])?
            .iter()
            .fold(0, |total: i64, lun| total.saturating_add(lun_size(lun))))
    }

    pub(super) fn volume_create(
        &self,
        pool: &Pool,
        name: &str,
        size_bytes: i64,
        provisioning: Provisioning,
    ) -> Result<Completion<Volume>> {
        check_lun_name(name)?;
        let aggregate = self.data_aggregate(pool)?;
        self.check_volume_name_free(name)?;
        let thick = provisioning == Provisioning::FULL;
        let size = lun_bytes(size_bytes)?;
        let container = self.free_flexvol_name(&container_base(name))?;
        let deadline = self.client.deadline();
        let outcome = self
            .client
            .try_change(
                Method::POST,
                "/api/storage/volumes",
                &[],
                Some(&json!({
                    "name": container,
                    "svm": {"name": self.svm},
                    "aggregates": [{"uuid": aggregate.uuid, "name": aggregate.name}],
                    "size": container_size(size),
                    "guarantee": {"type": if thick { "volume" } else { "none" }},
                    "comment": LUN_CONTAINER_COMMENT,
                    "snapshot_policy": {"name": "none"},
                    "space": {"snapshot": {"reserve_percent": 0}},
                })),
                ObjectKind::Pool,
            )
            .map_err(|failed| {
                // The cluster may have made the container though its answer was lost: a
                // container without its LUN is no LSM object, so it would stay for good.
                if failed.accepted {
                    self.remove_container_once_made(&container);
                } else if failed.maybe_made {
                    self.remove_container_named(&container);
                }
                failed.error
            })?;
        if let Outcome::Job(job) = outcome {
            // A container is usually there in a moment; when it is not, the LSM job follows
            // ONTAP's and makes the LUN once the container is there.
            let brief =
                Deadline::after(CONTAINER_WAIT.min(deadline.remaining().unwrap_or_default()));
            match self.client.wait_job(&job, ObjectKind::Pool, brief) {
                Ok(()) => {}
                Err(error) if error.code == ErrorNumber::TIMEOUT => {
                    return Ok(Completion::job(
                        JobToken {
                            ontap_job: job,
                            result: JobResult::Lun {
                                container,
                                name: name.to_string(),
                                size,
                                thick,
                            },
                        }
                        .encode(),
                    ));
                }
                Err(error) => return Err(error),
            }
        }
        self.make_lun_in(&container, name, size, thick)
            .map(Completion::Done)
    }

    /// The LUN `name` in the container FlexVol `container`, made now unless it is there
    /// already (a job's last step may be asked twice); a refused LUN takes its container
    /// with it.
    pub(super) fn make_lun_in(
        &self,
        container: &str,
        name: &str,
        size: i64,
        thick: bool,
    ) -> Result<Volume> {
        let path = format!("/vol/{container}/{name}");
        let pool = self
            .flexvols_where(&[("name", container)])?
            .first()
            .map(volume_pool)
            .ok_or_else(|| {
                LsmError::plugin_bug(format!(
                    "the container FlexVol {container} of LUN {name} is gone"
                ))
            })?;
        if let Some(lun) = self.luns_where(&[("name", &path)])?.first() {
            return Ok(mapping::lun_to_volume(lun, &self.system_id, &pool));
        }
        let made = self.client.change_and_wait(
            Method::POST,
            "/api/storage/luns",
            Some(&json!({
                "name": path,
                "svm": {"name": self.svm},
                "os_type": "linux",
                "space": {"size": size, "guarantee": {"requested": thick}},
            })),
            ObjectKind::Volume,
            self.client.deadline(),
        );
        let location = match made {
            Ok(location) => location,
            Err(error) => {
                self.remove_container_named(container);
                return Err(error);
            }
        };
        self.created_lun(location, &path, &pool)
    }

    /// Undo a create whose container FlexVol `name` ONTAP accepted to make in a job this
    /// plugin cannot follow: wait a moment for the container (at most [`CONTAINER_WAIT`]
    /// within the call's deadline), then remove it.
    fn remove_container_once_made(&self, name: &str) {
        let deadline = self.client.deadline();
        let brief = Deadline::after(CONTAINER_WAIT.min(deadline.remaining().unwrap_or_default()));
        let mut pause = std::time::Duration::from_millis(5);
        while !self
            .flexvols_where(&[("name", name)])
            .is_ok_and(|found| !found.is_empty())
        {
            match brief.remaining() {
                Some(left) if left > pause => std::thread::sleep(pause),
                _ => break,
            }
            pause = (pause * 2).min(std::time::Duration::from_millis(250));
        }
        self.remove_container_named(name);
    }

    /// Undo a create: delete the (empty) container FlexVol `name`; a failure is logged, the
    /// create's own error is what the caller hears.
    fn remove_container_named(&self, name: &str) {
        self.client.begin_undo();
        let found = self.flexvols_where(&[("name", name)]);
        let Ok(Some(uuid)) = found.map(|volumes| {
            volumes
                .into_iter()
                .find(is_container)
                .and_then(|volume| volume.uuid)
        }) else {
            return;
        };
        if let Err(error) = self.delete_flexvol_now(&uuid) {
            tracing::warn!(container = name, %error, "could not remove the LUN container of a failed create");
        }
    }

    pub(super) fn volume_resize(
        &self,
        volume: &Volume,
        new_size: i64,
    ) -> Result<Completion<Volume>> {
        let lun = self.lun(&volume.id)?;
        let current = lun_size(&lun);
        let size = lun_bytes(new_size)?;
        if size == current {
            return Err(no_state_change(format!(
                "Volume {} is already of {current} bytes",
                volume.id
            )));
        }
        let container_uuid = lun_volume_uuid(&lun);
        let container = self.flexvol(&container_uuid)?;
        if let Some(container) = &container
            && size > current
        {
            let total = self.luns_bytes_in(&container_uuid)? - current + size;
            self.grow_container(container, total)?;
        }
        let uuid = lun.uuid.as_deref().unwrap_or_default();
        self.client.change_and_wait(
            Method::PATCH,
            &format!("/api/storage/luns/{uuid}"),
            Some(&json!({"space": {"size": size}})),
            ObjectKind::Volume,
            self.client.deadline(),
        )?;
        let pool = container.as_ref().map(volume_pool).unwrap_or_default();
        let lun = self.lun(uuid)?;
        Ok(Completion::Done(mapping::lun_to_volume(
            &lun,
            &self.system_id,
            &pool,
        )))
    }

    /// A LUN clone (`clone.source.name`) in the source's FlexVol: the only replication ONTAP
    /// does to a LUN inside one FlexVol.
    pub(super) fn volume_replicate(
        &self,
        pool: Option<&Pool>,
        rep_type: ReplicationType,
        source: &Volume,
        name: &str,
    ) -> Result<Completion<Volume>> {
        if rep_type != ReplicationType::CLONE {
            return Err(LsmError::new(
                ErrorNumber::NO_SUPPORT,
                format!(
                    "ONTAP LUNs are replicated as clones only (replication type CLONE), \
                     not {rep_type:?}"
                ),
            ));
        }
        let lun = self.lun(&source.id)?;
        check_lun_name(name)?;
        let container_uuid = lun_volume_uuid(&lun);
        let container = self
            .flexvol(&container_uuid)?
            .ok_or_else(|| not_found(ErrorNumber::NOT_FOUND_VOLUME, "Volume", &source.id))?;
        let pool_id = volume_pool(&container);
        if let Some(pool) = pool
            && pool.id != pool_id
        {
            return Err(LsmError::new(
                ErrorNumber::NO_SUPPORT,
                format!(
                    "ONTAP clones a LUN inside its own FlexVol: the clone of {} can only be \
                     in pool {pool_id}, not {}",
                    source.id, pool.id
                ),
            ));
        }
        self.check_volume_name_free(name)?;
        let total = self
            .luns_bytes_in(&container_uuid)?
            .saturating_add(lun_size(&lun));
        self.grow_container(&container, total)?;
        let container_name = container.name.clone().unwrap_or_default();
        let path = format!("/vol/{container_name}/{name}");
        let location = self.client.change_and_wait(
            Method::POST,
            "/api/storage/luns",
            Some(&json!({
                "name": path,
                "svm": {"name": self.svm},
                "clone": {"source": {"name": lun_path(&lun)}},
                "space": {"guarantee": {"requested": lun_is_thick(&lun)}},
            })),
            ObjectKind::Volume,
            self.client.deadline(),
        )?;
        self.created_lun(location, &path, &pool_id)
            .map(Completion::Done)
    }

    /// Delete the LUN, then its container FlexVol when it was the last LUN in it (an ONTAP
    /// job, which the LSM job follows).
    pub(super) fn volume_delete(&self, volume: &Volume) -> Result<Completion<()>> {
        let lun = self.lun(&volume.id)?;
        if !lun.lun_maps.is_empty() {
            return Err(LsmError::new(
                ErrorNumber::IS_MASKED,
                format!(
                    "Volume {} is masked to {} access group(s): unmask it first",
                    volume.id,
                    lun.lun_maps.len()
                ),
            ));
        }
        let uuid = lun.uuid.as_deref().unwrap_or_default();
        self.client.change_and_wait::<Value>(
            Method::DELETE,
            &format!("/api/storage/luns/{uuid}"),
            None,
            ObjectKind::Volume,
            self.client.deadline(),
        )?;
        let container_uuid = lun_volume_uuid(&lun);
        let Some(container) = self.flexvol(&container_uuid)? else {
            return Ok(Completion::Done(()));
        };
        if !is_container(&container)
            || !self
                .luns_where(&[("location.volume.uuid", &container_uuid)])?
                .is_empty()
        {
            return Ok(Completion::Done(()));
        }
        match self.client.change::<Value>(
            Method::DELETE,
            &format!("/api/storage/volumes/{container_uuid}"),
            &[],
            None,
            ObjectKind::Volume,
        )? {
            Outcome::Done(_) => Ok(Completion::Done(())),
            Outcome::Job(job) => Ok(Completion::job(
                JobToken {
                    ontap_job: job,
                    result: JobResult::Nothing,
                }
                .encode(),
            )),
        }
    }

    /// Bring a LUN online (`enabled: true`) or take it offline.
    pub(super) fn volume_set_enabled(&self, volume: &Volume, enabled: bool) -> Result<()> {
        let lun = self.lun(&volume.id)?;
        let now = mapping::lun_to_volume(&lun, &self.system_id, "").admin_state
            == VolumeAdminState::ENABLED;
        if now == enabled {
            return Err(no_state_change(format!(
                "Volume {} is already {}",
                volume.id,
                if enabled { "enabled" } else { "disabled" }
            )));
        }
        let uuid = lun.uuid.as_deref().unwrap_or_default();
        self.client
            .change_and_wait(
                Method::PATCH,
                &format!("/api/storage/luns/{uuid}"),
                Some(&json!({"enabled": enabled})),
                ObjectKind::Volume,
                self.client.deadline(),
            )
            .map(|_| ())
    }

    /// The igroups of the SVM.
    fn igroups(&self) -> Result<Vec<models::Igroup>> {
        self.client.igroups(&self.svm)
    }

    /// `EXISTS_INITIATOR` when an igroup other than `except` holds `init_id`.
    fn check_initiator_unused(&self, init_id: &str, except: Option<&str>) -> Result<()> {
        if let Some(owner) = self
            .igroups()?
            .into_iter()
            .find(|igroup| igroup.uuid.as_deref() != except && igroup_has(igroup, init_id))
        {
            return Err(LsmError::new(
                ErrorNumber::EXISTS_INITIATOR,
                format!(
                    "initiator {init_id} is already in access group {} ({})",
                    owner.uuid.as_deref().unwrap_or_default(),
                    owner.name.as_deref().unwrap_or_default()
                ),
            ));
        }
        Ok(())
    }

    fn access_group_of(&self, uuid: &str) -> Result<AccessGroup> {
        Ok(mapping::igroup_to_access_group(
            &self.igroup(uuid)?,
            &self.system_id,
        ))
    }

    pub(super) fn access_group_create(
        &self,
        name: &str,
        init_id: &str,
        init_type: InitiatorType,
        system: &System,
    ) -> Result<AccessGroup> {
        self.check_system(system)?;
        // `mixed`, so the group takes initiators of the other kind later, as LSM groups do;
        // its LSM type follows its initiators.
        mapping::igroup_protocol(init_type)?;
        if self
            .igroups()?
            .iter()
            .any(|igroup| igroup.name.as_deref() == Some(name))
        {
            return Err(LsmError::new(
                ErrorNumber::NAME_CONFLICT,
                format!("the SVM {} already has an igroup named {name}", self.svm),
            ));
        }
        self.check_initiator_unused(init_id, None)?;
        let location = self.client.change_and_wait(
            Method::POST,
            "/api/protocols/san/igroups",
            Some(&json!({
                "name": name,
                "svm": {"name": self.svm},
                "protocol": "mixed",
                "os_type": "linux",
                "initiators": [{"name": init_id}],
            })),
            ObjectKind::AccessGroup,
            self.client.deadline(),
        )?;
        let uuid = location
            .as_deref()
            .and_then(|location| location.rsplit('/').next())
            .filter(|uuid| is_uuid(uuid))
            .map(str::to_string);
        let uuid = match uuid {
            Some(uuid) => uuid,
            None => self
                .igroups()?
                .into_iter()
                .find(|igroup| igroup.name.as_deref() == Some(name))
                .and_then(|igroup| igroup.uuid)
                .ok_or_else(|| {
                    LsmError::plugin_bug(format!("ONTAP made igroup {name} but does not list it"))
                })?,
        };
        self.access_group_of(&uuid)
    }

    pub(super) fn access_group_delete(&self, group: &AccessGroup) -> Result<()> {
        let igroup = self.igroup(&group.id)?;
        let uuid = igroup.uuid.as_deref().unwrap_or_default();
        let mapped = self
            .client
            .lun_maps(&self.svm)?
            .iter()
            .filter(|map| map.igroup.as_ref().and_then(|i| i.uuid.as_deref()) == Some(uuid))
            .count();
        if mapped > 0 {
            return Err(LsmError::new(
                ErrorNumber::IS_MASKED,
                format!(
                    "Access group {} has {mapped} volume(s) masked to it",
                    group.id
                ),
            ));
        }
        self.client
            .change_and_wait::<Value>(
                Method::DELETE,
                &format!("/api/protocols/san/igroups/{uuid}"),
                None,
                ObjectKind::AccessGroup,
                self.client.deadline(),
            )
            .map(|_| ())
    }

    pub(super) fn access_group_initiator_add(
        &self,
        group: &AccessGroup,
        init_id: &str,
        init_type: InitiatorType,
    ) -> Result<AccessGroup> {
        let igroup = self.igroup(&group.id)?;
        let uuid = igroup.uuid.clone().unwrap_or_default();
        if igroup_has(&igroup, init_id) {
            return Ok(mapping::igroup_to_access_group(&igroup, &self.system_id));
        }
        let wanted = mapping::igroup_protocol(init_type)?;
        let protocol = igroup.protocol.as_deref().unwrap_or("mixed");
        if protocol != "mixed" && protocol != wanted {
            return Err(LsmError::invalid_argument(format!(
                "access group {} is an {protocol} igroup: it takes no {wanted} initiator",
                group.id
            )));
        }
        self.check_initiator_unused(init_id, Some(&uuid))?;
        self.client.change_and_wait(
            Method::POST,
            &format!("/api/protocols/san/igroups/{uuid}/initiators"),
            Some(&json!({"name": init_id})),
            ObjectKind::AccessGroup,
            self.client.deadline(),
        )?;
        self.access_group_of(&uuid)
    }

    pub(super) fn access_group_initiator_delete(
        &self,
        group: &AccessGroup,
        init_id: &str,
    ) -> Result<AccessGroup> {
        let igroup = self.igroup(&group.id)?;
        let uuid = igroup.uuid.clone().unwrap_or_default();
        let Some(name) = igroup
            .initiators
            .iter()
            .filter_map(|initiator| initiator.name.clone())
            .find(|name| same_initiator(name, init_id))
        else {
            return Err(no_state_change(format!(
                "Initiator {init_id} is not in access group {}",
                group.id
            )));
        };
        if igroup.initiators.len() == 1 {
            return Err(LsmError::new(
                ErrorNumber::LAST_INIT_IN_ACCESS_GROUP,
                format!(
                    "Initiator {init_id} is the last one of access group {}: delete the group",
                    group.id
                ),
            ));
        }
        let encoded: String = name
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':') {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        self.client.change_and_wait::<Value>(
            Method::DELETE,
            &format!(
                "/api/protocols/san/igroups/{uuid}/initiators/{encoded}?allow_delete_while_mapped=true"
            ),
            None,
            ObjectKind::AccessGroup,
            self.client.deadline(),
        )?;
        self.access_group_of(&uuid)
    }

    pub(super) fn volume_mask(&self, group: &AccessGroup, volume: &Volume) -> Result<()> {
        let igroup = self.igroup(&group.id)?;
        let lun = self.lun(&volume.id)?;
        if lun.lun_maps.iter().any(|map| {
            map.igroup.as_ref().and_then(|i| i.uuid.as_deref()) == igroup.uuid.as_deref()
        }) {
            return Err(no_state_change(format!(
                "Volume {} is already masked to {}",
                volume.id, group.id
            )));
        }
        self.client
            .change_and_wait(
                Method::POST,
                "/api/protocols/san/lun-maps",
                Some(&json!({
                    "svm": {"name": self.svm},
                    "lun": {"name": lun_path(&lun), "uuid": lun.uuid},
                    "igroup": {"name": igroup.name, "uuid": igroup.uuid},
                })),
                ObjectKind::Volume,
                self.client.deadline(),
            )
            .map(|_| ())
    }

    pub(super) fn volume_unmask(&self, group: &AccessGroup, volume: &Volume) -> Result<()> {
        let igroup = self.igroup(&group.id)?;
        let lun = self.lun(&volume.id)?;
        let igroup_uuid = igroup.uuid.clone().unwrap_or_default();
        if !lun
            .lun_maps
            .iter()
            .any(|map| map.igroup.as_ref().and_then(|i| i.uuid.as_deref()) == Some(&igroup_uuid))
        {
            return Err(no_state_change(format!(
                "Volume {} is not masked to {}",
                volume.id, group.id
            )));
        }
        let lun_uuid = lun.uuid.unwrap_or_default();
        self.client
            .change_and_wait::<Value>(
                Method::DELETE,
                &format!("/api/protocols/san/lun-maps/{lun_uuid}/{igroup_uuid}"),
                None,
                ObjectKind::Volume,
                self.client.deadline(),
            )
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_container_holds_its_luns_with_headroom_in_whole_blocks() {
        let one_gib = 1 << 30;
        let size = container_size(one_gib);
        assert!(size >= one_gib + one_gib / 20 + (64 << 20));
        assert_eq!(size % 4096, 0);
        assert!(container_size(0) >= 20 << 20, "ONTAP's minimum volume size");
        // Sizes the cluster reports may be anything: no overflow.
        assert_eq!(container_size(i64::MAX), i64::MAX / 4096 * 4096);
    }

    #[test]
    fn a_size_past_what_rounds_is_not_enough_space() {
        // Found with the rest_ontap fuzz target: a volume_create of 9223372036854775000
        // bytes overflowed the rounding and panicked the plugin.
        assert_eq!(
            lun_bytes(i64::MAX - 100).unwrap_err().code,
            ErrorNumber::NOT_ENOUGH_SPACE
        );
        assert_eq!(lun_bytes(i64::MAX - 511).unwrap(), i64::MAX - 511);
    }

    #[test]
    fn lun_names_are_checked_and_containers_named_from_them() {
        assert!(check_lun_name("lsmrs_vol-1.a").is_ok());
        for bad in ["", "a b", "a/b", &"x".repeat(256)] {
            assert_eq!(
                check_lun_name(bad).unwrap_err().code,
                ErrorNumber::INVALID_ARGUMENT,
                "{bad:?}"
            );
        }
        assert_eq!(container_base("db-01.data"), "lsm_db_01_data");
        assert_eq!(lun_bytes(1000).unwrap(), 1024);
        assert_eq!(lun_bytes(1024).unwrap(), 1024);
    }

    #[test]
    fn initiators_compare_as_hosts_see_them() {
        assert!(same_initiator(
            "iqn.1994-05.com.redhat:a",
            "IQN.1994-05.com.redhat:a"
        ));
        assert!(!same_initiator(
            "iqn.1994-05.com.redhat:a",
            "iqn.1994-05.com.redhat:b"
        ));
        assert!(same_initiator(
            "20:00:00:00:c9:12:34:56",
            "0x20000000C9123456"
        ));
    }
}
