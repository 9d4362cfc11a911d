//! LUNs, hosts and their initiators, LUN host access, CHAP.
//!
//! - A LUN is made, grown and deleted through its storage resource (`createLun`,
//!   `modifyLun`, `DELETE storageResource`), each a Unity job.
//! - A CLONE is a thin clone of a snap made for it (`lsm_clone_<name>`), which is deleted
//!   once the clone exists: Unity keeps the clone's blocks with its base LUN, not the snap.
//! - Masking rewrites the LUN's whole `hostAccess` list (Unity's only way): the list is read
//!   just before, and every other host's entry is sent back as it was.

use lsm_core::plugin::Completion;
use lsm_core::types::*;
use lsm_core::validate;
use lsm_core::{ErrorNumber, LsmError, Result};
use serde_json::{Value, json};

use super::jobs::made_id;
use super::lookups::not_found;
use super::session::Session;
use crate::client::Outcome;
use crate::client::api::quoted;
use crate::client::models::{self, access_mask, initiator_type};
use crate::error::{Context, ObjectKind};
use crate::mapping::{self, JobResult};

/// The name of the snap a CLONE is made from.
pub(super) const CLONE_SNAP_PREFIX: &str = "lsm_clone_";

/// What `initiator_delete` and `volume_delete` need to know about a LUN.
const ACCESS_FIELDS: &str = "id,name,hostAccess";

fn check_size(size_bytes: i64) -> Result<u64> {
    if size_bytes <= 0 {
        return Err(LsmError::invalid_argument(format!(
            "size {size_bytes}: a size must be positive"
        )));
    }
    // Whole blocks: what the volume shows is what was asked, at least. A size that does
    // not round within `i64` (past 8 EiB, more than any pool holds, and more than the
    // array's own 64-bit sizes carry) is refused here rather than sent.
    let blocks = (size_bytes as u64).div_ceil(mapping::BLOCK_SIZE as u64);
    let size = blocks * mapping::BLOCK_SIZE as u64;
    if size > i64::MAX as u64 {
        return Err(LsmError::new(
            ErrorNumber::NOT_ENOUGH_SPACE,
            format!("a volume of {size_bytes} bytes is larger than any pool can hold"),
        ));
    }
    Ok(size)
}

fn check_name(name: &str, what: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(LsmError::invalid_argument(format!("{what} name is empty")));
    }
    if name.len() > 85 || name.chars().any(char::is_control) {
        return Err(LsmError::invalid_argument(format!(
            "{what} name {name:?}: at most 85 printable characters"
        )));
    }
    Ok(())
}

/// An initiator as Unity spells it: an IQN as given; an FC WWPN as `WWNN:WWPN`.
struct Initiator {
    kind: i64,
    /// LSM's form (the IQN, the normalized WWPN).
    lsm_id: String,
    /// `initiatorWWNorIqn` for a new one.
    unity_id: String,
}

fn initiator(init_id: &str, init_type: InitiatorType) -> Result<Initiator> {
    match init_type {
        InitiatorType::ISCSI_IQN => {
            if !validate::iscsi_name_is_valid(init_id) {
                return Err(LsmError::invalid_argument(format!(
                    "{init_id:?} is not an iSCSI IQN"
                )));
            }
            Ok(Initiator {
                kind: initiator_type::ISCSI,
                lsm_id: init_id.to_string(),
                unity_id: init_id.to_string(),
            })
        }
        InitiatorType::WWPN => {
            let wwpn = validate::wwpn_normalize(init_id).ok_or_else(|| {
                LsmError::invalid_argument(format!("{init_id:?} is not an FC WWPN"))
            })?;
            let unity_id = mapping::fc_wwn_for(&wwpn)
                .ok_or_else(|| LsmError::invalid_argument(format!("{init_id:?} is not a WWPN")))?;
            Ok(Initiator {
                kind: initiator_type::FC,
                lsm_id: wwpn,
                unity_id,
            })
        }
        other => Err(LsmError::new(
            ErrorNumber::NO_SUPPORT,
            format!("initiator type {other:?}: Unity hosts take iSCSI IQNs and FC WWPNs"),
        )),
    }
}

impl Session {
    /// The host initiator with this LSM id (an IQN, or an FC initiator with this WWPN).
    fn find_initiator(&self, wanted: &Initiator) -> Result<Option<models::HostInitiator>> {
        let filter = match wanted.kind {
            initiator_type::FC => format!(
                "initiatorId lk {}",
                quoted(&format!("%{}", wanted.lsm_id.to_ascii_uppercase()))?
            ),
            _ => format!("initiatorId eq {}", quoted(&wanted.lsm_id)?),
        };
        let found: Vec<models::HostInitiator> = self.client.list(
            "hostInitiator",
            models::HostInitiator::FIELDS,
            Some(&filter),
            ObjectKind::Initiator,
        )?;
        Ok(found.into_iter().find(|i| {
            let id = i.initiator_id.as_deref().unwrap_or("");
            match wanted.kind {
                initiator_type::FC => mapping::fc_wwpn(id).as_deref() == Some(&wanted.lsm_id),
                _ => id.eq_ignore_ascii_case(&wanted.lsm_id),
            }
        }))
    }

    /// Puts the initiator in `host`: an initiator the array knows in no host (one that
    /// logged in) is moved into it; one in another host is `EXISTS_INITIATOR`; else a new
    /// one is made.
    fn attach_initiator(&self, host_id: &str, wanted: &Initiator) -> Result<()> {
        match self.find_initiator(wanted)? {
            Some(found) => match found.parent_host.as_ref().map(|h| h.id.as_str()) {
                Some(owner) if owner == host_id => Err(LsmError::new(
                    ErrorNumber::NO_STATE_CHANGE,
                    format!(
                        "initiator {} is in access group {host_id} already",
                        wanted.lsm_id
                    ),
                )),
                Some(owner) => Err(LsmError::new(
                    ErrorNumber::EXISTS_INITIATOR,
                    format!(
                        "initiator {} is in access group {owner} already",
                        wanted.lsm_id
                    ),
                )),
                None => self
                    .client
                    .action(
                        "hostInitiator",
                        &found.id,
                        "modify",
                        &json!({"host": {"id": host_id}}),
                        false,
                        ObjectKind::Initiator,
                        Context::Change,
                    )
                    .map(drop),
            },
            None => self
                .client
                .create(
                    "hostInitiator",
                    &json!({
                        "host": {"id": host_id},
                        "initiatorType": wanted.kind,
                        "initiatorWWNorIqn": wanted.unity_id,
                    }),
                    false,
                    ObjectKind::Initiator,
                )
                .map(drop),
        }
    }

    pub(super) fn volume_create(
        &self,
        pool: &Pool,
        name: &str,
        size_bytes: i64,
        provisioning: Provisioning,
    ) -> Result<Completion<Volume>> {
        check_name(name, "volume")?;
        let size = check_size(size_bytes)?;
        let thin = match provisioning {
            Provisioning::FULL => false,
            Provisioning::THIN | Provisioning::DEFAULT | Provisioning::UNKNOWN => true,
            other => {
                return Err(LsmError::invalid_argument(format!(
                    "provisioning {other:?} is not one LSM defines"
                )));
            }
        };
        self.pool_record(&pool.id)?;
        let body = json!({
            "name": name,
            "lunParameters": {
                "pool": {"id": pool.id},
                "size": size,
                "isThinEnabled": thin,
            },
        });
        let outcome = self.client.type_action(
            "storageResource",
            "createLun",
            &body,
            true,
            ObjectKind::Volume,
            Context::Create,
        )?;
        self.finish(
            outcome,
            Context::Create,
            JobResult::Volume(String::new()),
            |session, answer| session.made_volume("", answer),
        )
    }

    /// The pool `id`, or `NOT_FOUND_POOL`.
    pub(super) fn pool_record(&self, id: &str) -> Result<models::Pool> {
        if id.is_empty() {
            return Err(not_found(ErrorNumber::NOT_FOUND_POOL, "Pool", id));
        }
        self.client
            .find("pool", id, "id,name", ObjectKind::Pool)?
            .ok_or_else(|| not_found(ErrorNumber::NOT_FOUND_POOL, "Pool", id))
    }

    pub(super) fn volume_resize(
        &self,
        volume: &Volume,
        new_size_bytes: i64,
    ) -> Result<Completion<Volume>> {
        let size = check_size(new_size_bytes)?;
        let lun = self.lun(&volume.id, "id,sizeTotal")?;
        let current = lun.size_total.unwrap_or(0).max(0) as u64;
        if size == current {
            return Err(LsmError::new(
                ErrorNumber::NO_STATE_CHANGE,
                format!("volume {} is {size} bytes already", volume.id),
            ));
        }
        if size < current {
            return Err(LsmError::new(
                ErrorNumber::NO_SUPPORT,
                format!(
                    "volume {}: Unity cannot shrink a LUN ({current} to {size} bytes)",
                    volume.id
                ),
            ));
        }
        let outcome = self.client.action(
            "storageResource",
            &lun.id,
            "modifyLun",
            &json!({"lunParameters": {"size": size}}),
            true,
            ObjectKind::Volume,
            Context::Change,
        )?;
        self.finish(
            outcome,
            Context::Change,
            JobResult::Volume(lun.id.clone()),
            |session, _| session.made_volume(&lun.id, None),
        )
    }

    pub(super) fn volume_replicate(
        &self,
        pool: Option<&Pool>,
        rep_type: ReplicationType,
        source: &Volume,
        name: &str,
    ) -> Result<Completion<Volume>> {
        check_name(name, "volume")?;
        if rep_type != ReplicationType::CLONE {
            return Err(LsmError::new(
                ErrorNumber::NO_SUPPORT,
                format!(
                    "replication type {rep_type:?}: the plugin makes Unity thin clones \
                     (CLONE) only"
                ),
            ));
        }
        let base = self.lun(&source.id, "id,name,pool,isThinEnabled")?;
        let base_pool = base.pool.as_ref().map(|p| p.id.as_str()).unwrap_or("");
        if let Some(pool) = pool
            && pool.id != base_pool
        {
            self.pool_record(&pool.id)?;
            return Err(LsmError::invalid_argument(format!(
                "a Unity thin clone stays in its base LUN's pool ({base_pool}), not {}",
                pool.id
            )));
        }
        if base.is_thin_enabled == Some(false) {
            return Err(LsmError::new(
                ErrorNumber::NO_SUPPORT,
                format!(
                    "volume {}: Unity makes thin clones of thin LUNs only",
                    source.id
                ),
            ));
        }
        let snap = self.client.create(
            "snap",
            &json!({
                "storageResource": {"id": base.id},
                "name": format!("{CLONE_SNAP_PREFIX}{name}"),
                "isAutoDelete": false,
            }),
            false,
            ObjectKind::Volume,
        )?;
        let Outcome::Done(answer) = snap else {
            return Err(LsmError::plugin_bug("a snap create answered with a job"));
        };
        let snap_id = made_id(answer.as_ref())
            .ok_or_else(|| LsmError::plugin_bug("the snap create's answer names no snap"))?;
        let clone = self.client.action(
            "storageResource",
            &base.id,
            "createLunThinClone",
            &json!({"snap": {"id": snap_id}, "name": name}),
            true,
            ObjectKind::Volume,
            Context::Create,
        );
        let settled = clone.and_then(|outcome| {
            self.settle(outcome, Context::Create, JobResult::Clone(snap_id.clone()))
        });
        match settled {
            Ok(super::jobs::Settled::Done(answer)) => {
                self.drop_clone_snap(&snap_id);
                self.made_volume("", answer.as_ref()).map(Completion::Done)
            }
            Ok(super::jobs::Settled::Job(job)) => Ok(Completion::job(job)),
            Err(error) => {
                self.drop_clone_snap(&snap_id);
                Err(error)
            }
        }
    }

    /// Deletes the snap a clone was made from; a failure is only logged (the snap's name
    /// says what it was for).
    pub(super) fn drop_clone_snap(&self, snap_id: &str) {
        if let Err(error) = self
            .client
            .delete("snap", snap_id, None, false, ObjectKind::Snapshot)
            && error.code != ErrorNumber::NOT_FOUND_FS_SS
        {
            tracing::warn!("the clone's snap {snap_id} stays: {error}");
        }
    }

    pub(super) fn volume_delete(&self, volume: &Volume) -> Result<Completion<()>> {
        let lun = self.lun(&volume.id, ACCESS_FIELDS)?;
        if let Some(host) = lun
            .host_access
            .iter()
            .flatten()
            .find(|a| a.access_mask.unwrap_or(0) != access_mask::NO_ACCESS)
        {
            return Err(LsmError::new(
                ErrorNumber::IS_MASKED,
                format!(
                    "volume {} is masked to access group {}: unmask it first",
                    volume.id,
                    host.host.as_ref().map(|h| h.id.as_str()).unwrap_or("?")
                ),
            ));
        }
        let outcome = self.client.delete(
            "storageResource",
            &lun.id,
            Some(&json!({"forceSnapDeletion": true})),
            true,
            ObjectKind::Volume,
        )?;
        self.finish(outcome, Context::Delete, JobResult::Nothing, |_, _| Ok(()))
    }

    pub(super) fn access_group_create(
        &self,
        name: &str,
        init_id: &str,
        init_type: InitiatorType,
        system: &System,
    ) -> Result<AccessGroup> {
        self.check_system(system)?;
        check_name(name, "access group")?;
        let wanted = initiator(init_id, init_type)?;
        let hosts = self.hosts(Some(&format!("name eq {}", quoted(name)?)))?;
        if hosts.iter().any(|h| h.name.as_deref() == Some(name)) {
            return Err(LsmError::new(
                ErrorNumber::NAME_CONFLICT,
                format!("an access group named {name} exists"),
            ));
        }
        if let Some(found) = self.find_initiator(&wanted)?
            && let Some(owner) = found.parent_host
        {
            return Err(LsmError::new(
                ErrorNumber::EXISTS_INITIATOR,
                format!(
                    "initiator {} is in access group {} already",
                    wanted.lsm_id, owner.id
                ),
            ));
        }
        let made = self.client.create(
            "host",
            &json!({"type": 1, "name": name, "description": "", "osType": "Linux"}),
            false,
            ObjectKind::AccessGroup,
        )?;
        let Outcome::Done(answer) = made else {
            return Err(LsmError::plugin_bug("a host create answered with a job"));
        };
        let host_id = made_id(answer.as_ref())
            .ok_or_else(|| LsmError::plugin_bug("the host create's answer names no host"))?;
        if let Err(error) = self.attach_initiator(&host_id, &wanted) {
            // Nothing half-made: the new host goes.
            if let Err(undo) =
                self.client
                    .delete("host", &host_id, None, false, ObjectKind::AccessGroup)
            {
                tracing::warn!("the new host {host_id} stays: {undo}");
            }
            return Err(error);
        }
        Ok(mapping::host_to_access_group(
            &self.host(&host_id)?,
            &self.system_id,
        ))
    }

    pub(super) fn access_group_delete(&self, access_group: &AccessGroup) -> Result<()> {
        let host = self.host(&access_group.id)?;
        let masked: Vec<models::Lun> =
            self.client
                .list("lun", ACCESS_FIELDS, None, ObjectKind::Volume)?;
        if let Some(lun) = masked.iter().find(|lun| {
            lun.host_access.iter().flatten().any(|a| {
                a.host.as_ref().map(|h| h.id.as_str()) == Some(host.id.as_str())
                    && a.access_mask.unwrap_or(0) != access_mask::NO_ACCESS
            })
        }) {
            return Err(LsmError::new(
                ErrorNumber::IS_MASKED,
                format!(
                    "access group {} has access to volume {}: unmask it first",
                    host.id, lun.id
                ),
            ));
        }
        self.client
            .delete("host", &host.id, None, false, ObjectKind::AccessGroup)
            .map(drop)
    }

    pub(super) fn access_group_initiator_add(
        &self,
        access_group: &AccessGroup,
        init_id: &str,
        init_type: InitiatorType,
    ) -> Result<AccessGroup> {
        let wanted = initiator(init_id, init_type)?;
        let host = self.host(&access_group.id)?;
        self.attach_initiator(&host.id, &wanted)?;
        Ok(mapping::host_to_access_group(
            &self.host(&host.id)?,
            &self.system_id,
        ))
    }

    pub(super) fn access_group_initiator_delete(
        &self,
        access_group: &AccessGroup,
        init_id: &str,
    ) -> Result<AccessGroup> {
        let host = self.host(&access_group.id)?;
        let (iscsi, fc) = mapping::host_initiators(&host);
        let wanted = validate::wwpn_normalize(init_id).unwrap_or_else(|| init_id.to_string());
        let all = host
            .iscsi_host_initiators
            .iter()
            .flatten()
            .zip(iscsi.iter())
            .chain(host.fc_host_initiators.iter().flatten().zip(fc.iter()));
        let mut found = None;
        let mut count = 0;
        for (record, lsm_id) in all {
            count += 1;
            if lsm_id.eq_ignore_ascii_case(&wanted) {
                found = Some(record.id.clone());
            }
        }
        let Some(record) = found else {
            return Err(LsmError::new(
                ErrorNumber::NO_STATE_CHANGE,
                format!("initiator {init_id} is not in access group {}", host.id),
            ));
        };
        if count == 1 {
            return Err(LsmError::new(
                ErrorNumber::LAST_INIT_IN_ACCESS_GROUP,
                format!(
                    "initiator {init_id} is the last of access group {}: delete the group \
                     instead",
                    host.id
                ),
            ));
        }
        self.client
            .delete("hostInitiator", &record, None, false, ObjectKind::Initiator)?;
        Ok(mapping::host_to_access_group(
            &self.host(&host.id)?,
            &self.system_id,
        ))
    }

    /// CHAP of an iSCSI initiator the array knows: inbound on the initiator
    /// (`chapUser`/`chapSecret`; neither turns it off). Unity keeps outbound (mutual) CHAP
    /// as one account for the whole array (`iscsiSettings` `reverseCHAPUserName`): an
    /// outbound pair given here sets that account, for every initiator; leaving it out
    /// leaves the array's account as it is.
    pub(super) fn iscsi_chap_auth(
        &self,
        init_id: &str,
        in_user: Option<&str>,
        in_password: Option<&str>,
        out_user: Option<&str>,
        out_password: Option<&str>,
    ) -> Result<()> {
        let pair = |user: Option<&str>, secret: Option<&str>, what: &str| match (user, secret) {
            (Some(user), Some(secret)) if !user.is_empty() && !secret.is_empty() => {
                Ok(Some((user.to_string(), secret.to_string())))
            }
            (None | Some(""), None | Some("")) => Ok(None),
            _ => Err(LsmError::invalid_argument(format!(
                "{what} CHAP needs both a user and a password (or neither)"
            ))),
        };
        let inbound = pair(in_user, in_password, "inbound")?;
        let outbound = pair(out_user, out_password, "outbound")?;
        if outbound.is_some() && inbound.is_none() {
            return Err(LsmError::invalid_argument(
                "outbound CHAP needs inbound CHAP too",
            ));
        }
        let wanted = initiator(init_id, InitiatorType::ISCSI_IQN)?;
        let found = self.find_initiator(&wanted)?.ok_or_else(|| {
            LsmError::invalid_argument(format!(
                "initiator {init_id} is not known to the array: add it to an access group first"
            ))
        })?;
        let (user, secret) = inbound.unwrap_or_default();
        self.client.action(
            "hostInitiator",
            &found.id,
            "modify",
            &json!({"chapUser": user, "chapSecret": secret}),
            false,
            ObjectKind::Initiator,
            Context::Change,
        )?;
        if let Some((user, secret)) = outbound {
            self.client.action(
                "iscsiSettings",
                "0",
                "modify",
                &json!({"reverseCHAPUserName": user, "reverseCHAPSecret": secret}),
                false,
                ObjectKind::Other,
                Context::Change,
            )?;
        }
        Ok(())
    }

    /// Sends `lun`'s host access list with `host`'s entry set to `mask` (removed for
    /// none), every other entry as it was.
    fn set_host_access(&self, lun: &models::Lun, host: &str, mask: i64) -> Result<()> {
        let mut list: Vec<Value> = lun
            .host_access
            .iter()
            .flatten()
            .filter(|a| a.host.as_ref().is_some_and(|h| h.id != host))
            .map(|a| {
                json!({
                    "host": {"id": a.host.as_ref().map(|h| h.id.clone())},
                    "accessMask": a.access_mask.unwrap_or(access_mask::PRODUCTION),
                })
            })
            .collect();
        if mask != access_mask::NO_ACCESS {
            list.push(json!({"host": {"id": host}, "accessMask": mask}));
        }
        self.client
            .action(
                "storageResource",
                &lun.id,
                "modifyLun",
                &json!({"lunParameters": {"hostAccess": list}}),
                false,
                ObjectKind::Volume,
                Context::Change,
            )
            .map(drop)
    }

    fn mask_of(lun: &models::Lun, host: &str) -> i64 {
        lun.host_access
            .iter()
            .flatten()
            .find(|a| a.host.as_ref().is_some_and(|h| h.id == host))
            .and_then(|a| a.access_mask)
            .unwrap_or(access_mask::NO_ACCESS)
    }

    pub(super) fn volume_mask(&self, access_group: &AccessGroup, volume: &Volume) -> Result<()> {
        let host = self.host(&access_group.id)?;
        let lun = self.lun(&volume.id, ACCESS_FIELDS)?;
        let mask = match Self::mask_of(&lun, &host.id) {
            access_mask::PRODUCTION | access_mask::BOTH => {
                return Err(LsmError::new(
                    ErrorNumber::NO_STATE_CHANGE,
                    format!("volume {} is masked to {} already", volume.id, host.id),
                ));
            }
            access_mask::SNAPSHOT => access_mask::BOTH,
            _ => access_mask::PRODUCTION,
        };
        self.set_host_access(&lun, &host.id, mask)
    }

    pub(super) fn volume_unmask(&self, access_group: &AccessGroup, volume: &Volume) -> Result<()> {
        let host = self.host(&access_group.id)?;
        let lun = self.lun(&volume.id, ACCESS_FIELDS)?;
        let mask = match Self::mask_of(&lun, &host.id) {
            access_mask::PRODUCTION => access_mask::NO_ACCESS,
            access_mask::BOTH => access_mask::SNAPSHOT,
            _ => {
                return Err(LsmError::new(
                    ErrorNumber::NO_STATE_CHANGE,
                    format!("volume {} is not masked to {}", volume.id, host.id),
                ));
            }
        };
        self.set_host_access(&lun, &host.id, mask)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_round_up_to_whole_blocks_or_are_not_enough_space() {
        let block = mapping::BLOCK_SIZE as u64;
        assert_eq!(check_size(1).unwrap(), block);
        assert_eq!(check_size(block as i64).unwrap(), block);
        assert_eq!(check_size(block as i64 + 1).unwrap(), 2 * block);
        for bad in [0, -1, i64::MIN] {
            assert_eq!(
                check_size(bad).unwrap_err().code,
                ErrorNumber::INVALID_ARGUMENT
            );
        }
        // i64::MAX is not a whole number of blocks: rounded up it leaves i64.
        let error = check_size(i64::MAX).unwrap_err();
        assert_eq!(error.code, ErrorNumber::NOT_ENOUGH_SPACE, "{error}");
        let largest = (i64::MAX as u64 / block * block) as i64;
        assert_eq!(check_size(largest).unwrap(), largest as u64);
    }
}
