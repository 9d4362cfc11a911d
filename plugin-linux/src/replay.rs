//! Re-applying persisted state to daemons that forgot it.
//!
//! tgtd and ganesha keep targets, LUNs, ACLs, CHAP accounts and D-Bus-added
//! exports in memory only. After a restart the plugin calls
//! [`replay_targets`] and [`replay_exports`] with what [`crate::state`]
//! recorded: whatever is missing is created again, whatever is there is left
//! alone (both are idempotent). A failure on one object does not stop the
//! others; it is listed in [`ReplayReport::problems`].

use crate::error::Result;
use crate::ganesha::GaneshaClient;
use crate::state::{ArrayState, Secrets};
use crate::tgt::{BoundAccount, Tgtadm};

/// What a replay changed, and what it could not do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplayReport {
    /// Targets created (tids).
    pub targets_created: Vec<u32>,
    /// LUNs created (tid, lun).
    pub luns_created: Vec<(u32, u64)>,
    /// Initiators added to ACLs (tid, iqn).
    pub initiators_bound: Vec<(u32, String)>,
    /// CHAP accounts created (user names; never passwords).
    pub accounts_created: Vec<String>,
    /// Accounts bound (tid, user, outgoing).
    pub accounts_bound: Vec<(u32, String, bool)>,
    /// Exports added (ids).
    pub exports_added: Vec<u16>,
    /// Objects that could not be restored, with the reason.
    pub problems: Vec<String>,
}

impl ReplayReport {
    /// Whether the replay changed nothing and found no problem.
    pub fn is_noop(&self) -> bool {
        *self == ReplayReport::default()
    }
}

/// Re-creates in tgtd every recorded target, LUN (with its SCSI identity and
/// online state), initiator ACL and CHAP account binding that is missing.
///
/// LSM sets CHAP per initiator while tgt binds accounts per target: an
/// initiator's inbound and outbound accounts are bound to every target whose
/// ACL lists it.
pub fn replay_targets(tgt: &Tgtadm, state: &ArrayState, secrets: &Secrets) -> Result<ReplayReport> {
    let mut report = ReplayReport::default();
    let mut live_targets = tgt.targets()?;
    let mut live_accounts = tgt.accounts()?;
    for record in &state.targets {
        let live = match live_targets
            .iter()
            .position(|target| target.tid == record.tid)
        {
            Some(index) if live_targets[index].iqn != record.iqn => {
                report.problems.push(format!(
                    "target {} is {} in tgtd, not {}",
                    record.tid, live_targets[index].iqn, record.iqn
                ));
                continue;
            }
            Some(index) => live_targets.remove(index),
            None => {
                if let Err(error) = tgt.target_create(record.tid, &record.iqn) {
                    report
                        .problems
                        .push(format!("target {}: {error}", record.tid));
                    continue;
                }
                report.targets_created.push(record.tid);
                crate::tgt::Target {
                    tid: record.tid,
                    iqn: record.iqn.clone(),
                    ..crate::tgt::Target::default()
                }
            }
        };
        for lun in &record.luns {
            if live.lun(lun.lun).is_some() {
                continue;
            }
            let created = tgt
                .lun_create(
                    record.tid,
                    lun.lun,
                    &lun.backing_path,
                    &lun.scsi_id,
                    &lun.scsi_sn,
                )
                .and_then(|()| {
                    if lun.online {
                        Ok(())
                    } else {
                        tgt.lun_set_online(record.tid, lun.lun, false)
                    }
                });
            match created {
                Ok(()) => report.luns_created.push((record.tid, lun.lun)),
                Err(error) => report
                    .problems
                    .push(format!("target {} LUN {}: {error}", record.tid, lun.lun)),
            }
        }
        let bound: Vec<&str> = live.initiator_names().collect();
        for initiator in &record.initiators {
            if bound.contains(&initiator.as_str()) {
                continue;
            }
            match tgt.bind_initiator_name(record.tid, initiator) {
                Ok(()) => report
                    .initiators_bound
                    .push((record.tid, initiator.clone())),
                Err(error) => report.problems.push(format!(
                    "target {} initiator {initiator}: {error}",
                    record.tid
                )),
            }
        }
        for chap in secrets
            .chap
            .iter()
            .filter(|chap| record.initiators.contains(&chap.initiator))
        {
            let accounts = [
                (&chap.in_user, &chap.in_password, false),
                (&chap.out_user, &chap.out_password, true),
            ];
            for (user, password, outgoing) in accounts {
                let (Some(user), Some(password)) = (user, password) else {
                    continue;
                };
                if !live_accounts.contains(user) {
                    match tgt.account_create(user, password.expose()) {
                        Ok(()) => {
                            report.accounts_created.push(user.clone());
                            live_accounts.push(user.clone());
                        }
                        Err(error) => {
                            report
                                .problems
                                .push(format!("CHAP account {user}: {error}"));
                            continue;
                        }
                    }
                }
                let binding = BoundAccount {
                    user: user.clone(),
                    outgoing,
                };
                if live.accounts.contains(&binding) {
                    continue;
                }
                match tgt.account_bind(record.tid, user, outgoing) {
                    Ok(()) => report
                        .accounts_bound
                        .push((record.tid, user.clone(), outgoing)),
                    Err(error) => report.problems.push(format!(
                        "target {} CHAP account {user}: {error}",
                        record.tid
                    )),
                }
            }
        }
    }
    Ok(report)
}

/// Adds back over D-Bus every recorded export ganesha does not serve.
pub fn replay_exports(client: &GaneshaClient, state: &ArrayState) -> Result<ReplayReport> {
    let mut report = ReplayReport::default();
    let live = client.show_exports()?;
    for record in &state.exports {
        if live
            .iter()
            .any(|export| export.export_id == record.export_id)
        {
            continue;
        }
        match client.add_export(&record.config_file, record.export_id) {
            Ok(_) => report.exports_added.push(record.export_id),
            Err(error) => report
                .problems
                .push(format!("NFS export {}: {error}", record.export_id)),
        }
    }
    Ok(report)
}
