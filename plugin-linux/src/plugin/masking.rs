//! Access groups and masking over tgtd (the CHAP accounts bound to their targets are
//! `chap`'s; the listings are answered in `san`).
//!
//! One tgt target per access group: its IQN is the configured prefix plus
//! the group's id, its ACL is the group's initiator IQNs (`-Q`), and each
//! volume masked to the group is one of its LUNs (numbered from 1) backed
//! by the volume's image or LV device, with `scsi_id` = the volume's vpd83
//! (so the LU's NAA-6 designator equals it) and `scsi_sn` = its last 16
//! digits. tgtd keeps all of this in memory only; the plugin records it in
//! `state.json` (with the group's name, and each LUN's exact size) and,
//! when it finds tgtd restarted without a recorded target, replays it.
//!
//! CHAP: LSM sets credentials per initiator, tgt binds accounts (global,
//! by user name) per target. An initiator's inbound and outbound accounts
//! are bound to the target of every group it is in, and when it joins a
//! group later. Limits this implies (also in the README):
//! - once any account is bound to a target, tgt requires CHAP for every
//!   initiator of that target, and any inbound account bound there is
//!   accepted from any of them;
//! - a target has one outbound account: initiators of one group must not
//!   ask for different outbound users (refused with `INVALID_ARGUMENT`);
//! - a user name has one password on the whole host: two initiators may
//!   share a user only with the same password.
//! - passwords are on tgtadm's command line while it runs (visible to root
//!   in `/proc`); they are never logged or put in error messages, and are
//!   persisted in `secrets.json` (mode 0600).

use std::collections::BTreeSet;
use std::net::IpAddr;

use lsm_core::plugin::Call;
use lsm_core::types::*;
use lsm_core::{ErrorNumber, LsmError, Result};

use super::Array;
use super::chap::desired_accounts;
use super::mapping::{lsm_error, scsi_serial};
use crate::naming::{check_iscsi_name, check_object_name};
use crate::state::{ArrayState, LunRecord, Secrets, TargetRecord};
use crate::tgt::{Target, Tgtadm};

fn not_found_group(id: &str) -> LsmError {
    lsm_error(
        ErrorNumber::NOT_FOUND_ACCESS_GROUP,
        format!("Access group {id} not found"),
    )
}

fn only_iscsi(init_type: InitiatorType) -> Result<()> {
    if init_type == InitiatorType::ISCSI_IQN {
        Ok(())
    } else {
        Err(LsmError::no_support(format!(
            "initiator type {init_type:?}: tgt serves iSCSI only (ISCSI_IQN)"
        )))
    }
}

/// Whether `error` says the object is already gone.
pub(super) fn is_not_found(error: &crate::Error) -> bool {
    matches!(error, crate::Error::NotFound { .. })
}

/// The interface holding `ip`, and its MAC address.
pub(super) fn interface_of(ip: IpAddr) -> (String, String) {
    if ip.is_unspecified() {
        return (String::new(), String::new());
    }
    let Ok(addresses) = nix::ifaddrs::getifaddrs() else {
        return (String::new(), String::new());
    };
    for interface in addresses {
        let Some(address) = interface.address else {
            continue;
        };
        let matches = match ip {
            IpAddr::V4(v4) => address
                .as_sockaddr_in()
                .is_some_and(|found| found.ip() == v4),
            IpAddr::V6(v6) => address
                .as_sockaddr_in6()
                .is_some_and(|found| found.ip() == v6),
        };
        if matches {
            let mac = std::fs::read_to_string(format!(
                "/sys/class/net/{}/address",
                interface.interface_name
            ))
            .map(|text| text.trim().to_owned())
            .unwrap_or_default();
            return (interface.interface_name, mac);
        }
    }
    (String::new(), String::new())
}

impl Array {
    /// The access group object of a target record.
    pub(super) fn access_group_of(&self, record: &TargetRecord) -> AccessGroup {
        AccessGroup {
            id: record.access_group_id.clone(),
            name: record.access_group_name.clone(),
            init_ids: record.initiators.clone(),
            init_type: if record.initiators.is_empty() {
                InitiatorType::UNKNOWN
            } else {
                InitiatorType::ISCSI_IQN
            },
            system_id: self.system_id.clone(),
            plugin_data: None,
        }
    }

    /// tgtd's targets, after replaying the recorded configuration if tgtd
    /// lost a recorded target (it was restarted).
    pub(super) fn live_targets(
        &self,
        tgt: &Tgtadm,
        state: &ArrayState,
        secrets: &Secrets,
    ) -> Result<Vec<Target>> {
        let live = tgt.targets()?;
        let restarted = state
            .targets
            .iter()
            .any(|record| !live.iter().any(|target| target.tid == record.tid));
        if !restarted {
            return Ok(live);
        }
        let report = crate::replay::replay_targets(tgt, state, secrets)?;
        tracing::warn!(
            targets = ?report.targets_created,
            luns = ?report.luns_created,
            "tgtd had lost recorded targets: replayed them"
        );
        for problem in &report.problems {
            tracing::error!(%problem, "replay into tgtd");
        }
        Ok(tgt.targets()?)
    }

    pub(super) fn record_index(state: &ArrayState, group_id: &str) -> Result<usize> {
        state
            .targets
            .iter()
            .position(|record| record.access_group_id == group_id)
            .ok_or_else(|| not_found_group(group_id))
    }

    /// Re-creates the LUNs of `volume_id` so initiators see `new_size`
    /// (tgt reads a backing store's size when the LU is created).
    pub(super) fn refresh_luns(
        &self,
        cx: &Call,
        state: &mut ArrayState,
        volume_id: &str,
        new_size: u64,
    ) -> Result<()> {
        let masked = state
            .targets
            .iter()
            .any(|record| record.luns.iter().any(|lun| lun.volume_id == volume_id));
        if !masked {
            return Ok(());
        }
        let tgt = self.tgt(cx)?;
        for record in &mut state.targets {
            let tid = record.tid;
            for lun in record
                .luns
                .iter_mut()
                .filter(|lun| lun.volume_id == volume_id)
            {
                match tgt.lun_delete(tid, lun.lun) {
                    Ok(()) => {}
                    Err(error) if is_not_found(&error) => {}
                    Err(error) => return Err(error.into()),
                }
                tgt.lun_create(tid, lun.lun, &lun.backing_path, &lun.scsi_id, &lun.scsi_sn)?;
                if !lun.online {
                    tgt.lun_set_online(tid, lun.lun, false)?;
                }
                lun.size_bytes = new_size;
            }
        }
        Ok(())
    }

    /// Takes the LUNs of `volume_id` online or offline.
    pub(super) fn set_luns_online(
        &self,
        cx: &Call,
        state: &mut ArrayState,
        volume_id: &str,
        online: bool,
    ) -> Result<()> {
        let masked = state
            .targets
            .iter()
            .any(|record| record.luns.iter().any(|lun| lun.volume_id == volume_id));
        if !masked {
            return Ok(());
        }
        let tgt = self.tgt(cx)?;
        for record in &mut state.targets {
            let tid = record.tid;
            for lun in record
                .luns
                .iter_mut()
                .filter(|lun| lun.volume_id == volume_id)
            {
                tgt.lun_set_online(tid, lun.lun, online)?;
                lun.online = online;
            }
        }
        Ok(())
    }
}

/// `access_group_create`: a new target whose ACL holds `init_id`.
pub(super) fn create(
    array: &Array,
    cx: &Call,
    name: &str,
    init_id: &str,
    init_type: InitiatorType,
    system: &System,
) -> Result<AccessGroup> {
    array.check_system(system)?;
    only_iscsi(init_type)?;
    check_object_name("access group name", name)?;
    check_iscsi_name("initiator", init_id)?;
    let tgt = array.tgt(cx)?;
    let prefix = array.iscsi()?.target_iqn_prefix.clone();
    array.with_state_and_secrets(cx, |array, state, secrets| {
        if state
            .targets
            .iter()
            .any(|record| record.access_group_name == name)
        {
            return Err(lsm_error(
                ErrorNumber::NAME_CONFLICT,
                format!("Name '{name}' is already in use by another access group"),
            ));
        }
        if let Some(owner) = state
            .targets
            .iter()
            .find(|record| record.initiators.iter().any(|i| i == init_id))
        {
            return Err(lsm_error(
                ErrorNumber::EXISTS_INITIATOR,
                format!(
                    "Initiator {init_id} is already in access group {}",
                    owner.access_group_name
                ),
            ));
        }
        let live = array.live_targets(&tgt, state, secrets)?;
        let tid = live
            .iter()
            .map(|target| target.tid)
            .chain(state.targets.iter().map(|record| record.tid))
            .max()
            .unwrap_or(0)
            .checked_add(1)
            .ok_or_else(|| LsmError::plugin_bug("no free tgt target id"))?;
        let group_id = loop {
            let candidate = format!("ag-{:08x}", rand::random::<u32>());
            if !state
                .targets
                .iter()
                .any(|record| record.access_group_id == candidate)
            {
                break candidate;
            }
        };
        let record = TargetRecord {
            tid,
            iqn: format!("{prefix}{group_id}"),
            access_group_id: group_id,
            access_group_name: name.to_owned(),
            initiators: vec![init_id.to_owned()],
            luns: Vec::new(),
        };
        desired_accounts(&record, secrets)?;
        tgt.target_create(tid, &record.iqn)?;
        let configured = tgt
            .bind_initiator_name(tid, init_id)
            .map_err(LsmError::from)
            .and_then(|()| array.sync_target_accounts(&tgt, &record, secrets));
        if let Err(error) = configured {
            if let Err(rollback) = tgt.target_delete(tid, true) {
                tracing::error!(%rollback, tid, "could not remove half-made target");
            }
            return Err(error);
        }
        let group = array.access_group_of(&record);
        state.targets.push(record);
        Ok(group)
    })
}

/// `access_group_delete`: refused while volumes are masked to it.
pub(super) fn delete(array: &Array, cx: &Call, group: &AccessGroup) -> Result<()> {
    let tgt = array.tgt(cx)?;
    array.with_state_and_secrets(cx, |array, state, secrets| {
        let index = Array::record_index(state, &group.id)?;
        let record = &state.targets[index];
        if !record.luns.is_empty() {
            return Err(lsm_error(
                ErrorNumber::IS_MASKED,
                format!(
                    "Access group {} has {} volume(s) masked to it",
                    record.access_group_name,
                    record.luns.len()
                ),
            ));
        }
        array.live_targets(&tgt, state, secrets)?;
        match tgt.target_delete(state.targets[index].tid, true) {
            Ok(()) => {}
            Err(error) if is_not_found(&error) => {}
            Err(error) => return Err(error.into()),
        }
        state.targets.remove(index);
        Ok(())
    })
}

/// `access_group_initiator_add`.
pub(super) fn add_initiator(
    array: &Array,
    cx: &Call,
    group: &AccessGroup,
    init_id: &str,
    init_type: InitiatorType,
) -> Result<AccessGroup> {
    only_iscsi(init_type)?;
    check_iscsi_name("initiator", init_id)?;
    let tgt = array.tgt(cx)?;
    array.with_state_and_secrets(cx, |array, state, secrets| {
        let index = Array::record_index(state, &group.id)?;
        if state.targets[index].initiators.iter().any(|i| i == init_id) {
            return Ok(array.access_group_of(&state.targets[index]));
        }
        if let Some(owner) = state
            .targets
            .iter()
            .find(|record| record.initiators.iter().any(|i| i == init_id))
        {
            return Err(lsm_error(
                ErrorNumber::EXISTS_INITIATOR,
                format!(
                    "Initiator {init_id} is already in access group {}",
                    owner.access_group_name
                ),
            ));
        }
        let mut updated = state.targets[index].clone();
        updated.initiators.push(init_id.to_owned());
        desired_accounts(&updated, secrets)?;
        array.live_targets(&tgt, state, secrets)?;
        tgt.bind_initiator_name(updated.tid, init_id)?;
        if let Err(error) = array.sync_target_accounts(&tgt, &updated, secrets) {
            if let Err(rollback) = tgt.unbind_initiator_name(updated.tid, init_id) {
                tracing::error!(%rollback, "could not undo the initiator binding");
            }
            let _ = array.sync_target_accounts(&tgt, &state.targets[index], secrets);
            return Err(error);
        }
        let group = array.access_group_of(&updated);
        state.targets[index] = updated;
        Ok(group)
    })
}

/// `access_group_initiator_delete`: `NO_STATE_CHANGE` when it is not a
/// member, `LAST_INIT_IN_ACCESS_GROUP` for the last one.
pub(super) fn remove_initiator(
    array: &Array,
    cx: &Call,
    group: &AccessGroup,
    init_id: &str,
) -> Result<AccessGroup> {
    let tgt = array.tgt(cx)?;
    array.with_state_and_secrets(cx, |array, state, secrets| {
        let index = Array::record_index(state, &group.id)?;
        let record = &state.targets[index];
        if !record.initiators.iter().any(|i| i == init_id) {
            return Err(lsm_error(
                ErrorNumber::NO_STATE_CHANGE,
                format!(
                    "Initiator {init_id} is not in access group {}",
                    record.access_group_name
                ),
            ));
        }
        if record.initiators.len() == 1 {
            return Err(lsm_error(
                ErrorNumber::LAST_INIT_IN_ACCESS_GROUP,
                format!(
                    "Initiator {init_id} is the last one of access group {}",
                    record.access_group_name
                ),
            ));
        }
        let mut updated = record.clone();
        updated.initiators.retain(|i| i != init_id);
        array.live_targets(&tgt, state, secrets)?;
        match tgt.unbind_initiator_name(updated.tid, init_id) {
            Ok(()) => {}
            Err(error) if is_not_found(&error) => {}
            Err(error) => return Err(error.into()),
        }
        if let Err(error) = array.sync_target_accounts(&tgt, &updated, secrets) {
            if let Err(rollback) = tgt.bind_initiator_name(updated.tid, init_id) {
                tracing::error!(%rollback, "could not undo the initiator removal");
            }
            return Err(error);
        }
        let group = array.access_group_of(&updated);
        state.targets[index] = updated;
        Ok(group)
    })
}

/// `volume_mask`: the volume becomes a LUN of the group's target.
pub(super) fn mask(array: &Array, cx: &Call, group: &AccessGroup, volume: &Volume) -> Result<()> {
    let tgt = array.tgt(cx)?;
    let host = array.volume_by_id(cx, &volume.id)?;
    let backing = array.volume_data_path(cx, &host)?;
    array.with_state_and_secrets(cx, |array, state, secrets| {
        let index = Array::record_index(state, &group.id)?;
        let volume_id = host.id();
        let record = &state.targets[index];
        if record.luns.iter().any(|lun| lun.volume_id == volume_id) {
            return Err(lsm_error(
                ErrorNumber::NO_STATE_CHANGE,
                format!(
                    "Volume {} is already masked to access group {}",
                    host.name, record.access_group_name
                ),
            ));
        }
        let live = array.live_targets(&tgt, state, secrets)?;
        let record = &state.targets[index];
        let used: BTreeSet<u64> = record
            .luns
            .iter()
            .map(|lun| lun.lun)
            .chain(
                live.iter()
                    .filter(|target| target.tid == record.tid)
                    .flat_map(|target| target.luns.iter().map(|unit| unit.lun)),
            )
            .collect();
        let lun = (1..).find(|n| !used.contains(n)).unwrap_or(1);
        let entry = LunRecord {
            lun,
            volume_id,
            backing_path: backing.clone(),
            size_bytes: host.size,
            scsi_id: host.vpd83.clone(),
            scsi_sn: scsi_serial(&host.vpd83),
            online: host.enabled,
        };
        tgt.lun_create(record.tid, lun, &backing, &entry.scsi_id, &entry.scsi_sn)?;
        if !host.enabled
            && let Err(error) = tgt.lun_set_online(record.tid, lun, false)
        {
            if let Err(rollback) = tgt.lun_delete(record.tid, lun) {
                tracing::error!(%rollback, "could not remove half-made LUN");
            }
            return Err(error.into());
        }
        state.targets[index].luns.push(entry);
        Ok(())
    })
}

/// `volume_unmask`: removes the volume's LUN from the group's target.
pub(super) fn unmask(array: &Array, cx: &Call, group: &AccessGroup, volume: &Volume) -> Result<()> {
    let tgt = array.tgt(cx)?;
    let host = array.volume_by_id(cx, &volume.id)?;
    array.with_state_and_secrets(cx, |array, state, secrets| {
        let index = Array::record_index(state, &group.id)?;
        let volume_id = host.id();
        let record = &state.targets[index];
        let Some(position) = record
            .luns
            .iter()
            .position(|lun| lun.volume_id == volume_id)
        else {
            return Err(lsm_error(
                ErrorNumber::NO_STATE_CHANGE,
                format!(
                    "Volume {} is not masked to access group {}",
                    host.name, record.access_group_name
                ),
            ));
        };
        array.live_targets(&tgt, state, secrets)?;
        let record = &state.targets[index];
        match tgt.lun_delete(record.tid, record.luns[position].lun) {
            Ok(()) => {}
            Err(error) if is_not_found(&error) => {}
            Err(error) => return Err(error.into()),
        }
        state.targets[index].luns.remove(position);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_portal_is_on_lo() {
        let (name, _) = interface_of("127.0.0.1".parse().unwrap());
        assert_eq!(name, "lo");
        assert_eq!(
            interface_of("0.0.0.0".parse().unwrap()),
            (String::new(), String::new())
        );
    }
}
