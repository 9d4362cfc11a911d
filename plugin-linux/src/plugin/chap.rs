//! iSCSI CHAP: LSM sets credentials per initiator, tgt binds accounts (global, by user
//! name) per target. An initiator's inbound and outbound accounts are bound to the target
//! of every access group it is in, and when it joins a group later (see `masking` for the
//! limits this implies). Passwords are never logged or put in error messages; they are
//! persisted in `secrets.json` (mode 0600).

use std::collections::BTreeSet;

use lsm_core::plugin::Call;
use lsm_core::{LsmError, Result};

use super::Array;
use super::masking::is_not_found;
use crate::naming::{check_iscsi_name, check_object_name};
use crate::state::{ArrayState, ChapRecord, Secret, Secrets, TargetRecord};
use crate::tgt::{BoundAccount, Tgtadm};

/// The accounts `record`'s target should have bound, from the secrets of
/// its initiators.
pub(super) fn desired_accounts(
    record: &TargetRecord,
    secrets: &Secrets,
) -> Result<Vec<BoundAccount>> {
    let mut accounts: Vec<BoundAccount> = Vec::new();
    let mut outgoing: BTreeSet<&str> = BTreeSet::new();
    for chap in secrets
        .chap
        .iter()
        .filter(|chap| record.initiators.contains(&chap.initiator))
    {
        if let Some(user) = &chap.in_user {
            let account = BoundAccount {
                user: user.clone(),
                outgoing: false,
            };
            if !accounts.contains(&account) {
                accounts.push(account);
            }
        }
        if let Some(user) = &chap.out_user {
            outgoing.insert(user);
        }
    }
    if outgoing.len() > 1 {
        return Err(LsmError::invalid_argument(format!(
            "access group {} would need outbound CHAP users {:?}, but tgt allows one \
             outbound account per target (one per access group)",
            record.access_group_name, outgoing
        )));
    }
    accounts.extend(outgoing.into_iter().map(|user| BoundAccount {
        user: user.to_owned(),
        outgoing: true,
    }));
    Ok(accounts)
}

/// The password of CHAP user `user` in the secrets (inbound or outbound).
fn password_of<'a>(secrets: &'a Secrets, user: &str) -> Option<&'a Secret> {
    secrets.chap.iter().find_map(|chap| {
        if chap.in_user.as_deref() == Some(user) {
            chap.in_password.as_ref()
        } else if chap.out_user.as_deref() == Some(user) {
            chap.out_password.as_ref()
        } else {
            None
        }
    })
}

/// Every CHAP user name in the secrets.
fn chap_users(secrets: &Secrets) -> BTreeSet<String> {
    secrets
        .chap
        .iter()
        .flat_map(|chap| [chap.in_user.clone(), chap.out_user.clone()])
        .flatten()
        .collect()
}

impl Array {
    /// Makes the accounts bound to `record`'s target those its initiators'
    /// CHAP settings ask for.
    pub(super) fn sync_target_accounts(
        &self,
        tgt: &Tgtadm,
        record: &TargetRecord,
        secrets: &Secrets,
    ) -> Result<()> {
        let desired = desired_accounts(record, secrets)?;
        let bound = tgt
            .targets()?
            .into_iter()
            .find(|target| target.tid == record.tid)
            .map(|target| target.accounts)
            .unwrap_or_default();
        for account in bound.iter().filter(|account| !desired.contains(account)) {
            tgt.account_unbind(record.tid, &account.user, account.outgoing)?;
        }
        let mut known = tgt.accounts()?;
        for account in desired.iter().filter(|account| !bound.contains(account)) {
            if !known.contains(&account.user) {
                let password = password_of(secrets, &account.user).ok_or_else(|| {
                    LsmError::plugin_bug(format!("no password recorded for {}", account.user))
                })?;
                tgt.account_create(&account.user, password.expose())?;
                known.push(account.user.clone());
            }
            tgt.account_bind(record.tid, &account.user, account.outgoing)?;
        }
        Ok(())
    }
    /// Moves tgtd's accounts and bindings from what `old` describes to what
    /// `new` does.
    fn apply_chap(
        &self,
        tgt: &Tgtadm,
        state: &ArrayState,
        old: &Secrets,
        new: &Secrets,
    ) -> Result<()> {
        let users: BTreeSet<String> = chap_users(old).union(&chap_users(new)).cloned().collect();
        let mut known = tgt.accounts()?;
        for user in &users {
            let before = password_of(old, user);
            let after = password_of(new, user);
            let present = known.contains(user);
            if present && (after.is_none() || before != after) {
                match tgt.account_delete(user) {
                    Ok(()) => {}
                    Err(error) if is_not_found(&error) => {}
                    Err(error) => return Err(error.into()),
                }
                known.retain(|known_user| known_user != user);
            }
            if let Some(password) = after
                && !known.contains(user)
            {
                tgt.account_create(user, password.expose())?;
                known.push(user.clone());
            }
        }
        for record in &state.targets {
            self.sync_target_accounts(tgt, record, new)?;
        }
        Ok(())
    }
}

/// `iscsi_chap_auth`: records the initiator's credentials (none = no
/// CHAP) and binds the accounts to the targets of its groups.
pub(super) fn set_credentials(
    array: &Array,
    cx: &Call,
    init_id: &str,
    in_user: Option<&str>,
    in_password: Option<&str>,
    out_user: Option<&str>,
    out_password: Option<&str>,
) -> Result<()> {
    check_iscsi_name("initiator", init_id)?;
    for user in [in_user, out_user].into_iter().flatten() {
        check_object_name("CHAP user", user)?;
    }
    for password in [in_password, out_password].into_iter().flatten() {
        if password.is_empty() || password.chars().any(char::is_control) {
            return Err(LsmError::invalid_argument(
                "a CHAP password must be non-empty printable text",
            ));
        }
    }
    let tgt = array.tgt(cx)?;
    array.with_state_and_secrets(cx, |array, state, secrets| {
        let old = secrets.clone();
        let mut new = secrets.clone();
        new.chap.retain(|chap| chap.initiator != init_id);
        if in_user.is_some() || out_user.is_some() {
            new.chap.push(ChapRecord {
                initiator: init_id.to_owned(),
                in_user: in_user.map(str::to_owned),
                in_password: in_password.map(Secret::new),
                out_user: out_user.map(str::to_owned),
                out_password: out_password.map(Secret::new),
            });
        }
        // One password per user name on the host.
        for (user, password) in [(in_user, in_password), (out_user, out_password)] {
            let (Some(user), Some(password)) = (user, password) else {
                continue;
            };
            if let Some(other) = new.chap.iter().find(|chap| {
                chap.initiator != init_id
                    && ((chap.in_user.as_deref() == Some(user)
                        && chap.in_password.as_ref().map(Secret::expose) != Some(password))
                        || (chap.out_user.as_deref() == Some(user)
                            && chap.out_password.as_ref().map(Secret::expose) != Some(password)))
            }) {
                return Err(LsmError::invalid_argument(format!(
                    "CHAP user {user} is already used by initiator {} with another \
                     password (tgt accounts are per host)",
                    other.initiator
                )));
            }
        }
        for record in &state.targets {
            desired_accounts(record, &new)?;
        }
        array.live_targets(&tgt, state, &old)?;
        if let Err(error) = array.apply_chap(&tgt, state, &old, &new) {
            // Put tgtd back as the old secrets describe it.
            if let Err(rollback) = array.apply_chap(&tgt, state, &new, &old) {
                tracing::error!(%rollback, "could not restore CHAP accounts");
            }
            return Err(error);
        }
        *secrets = new;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsm_core::ErrorNumber;

    fn record(initiators: &[&str]) -> TargetRecord {
        TargetRecord {
            tid: 3,
            iqn: "iqn.2024-01.org.lsm-rs.linux:ag-00000001".into(),
            access_group_id: "ag-00000001".into(),
            access_group_name: "hosts".into(),
            initiators: initiators.iter().map(|i| (*i).to_owned()).collect(),
            luns: Vec::new(),
        }
    }

    fn chap(initiator: &str, inbound: Option<&str>, outbound: Option<&str>) -> ChapRecord {
        ChapRecord {
            initiator: initiator.into(),
            in_user: inbound.map(str::to_owned),
            in_password: inbound.map(|_| Secret::new("secret-in-12")),
            out_user: outbound.map(str::to_owned),
            out_password: outbound.map(|_| Secret::new("secret-out-12")),
        }
    }

    #[test]
    fn accounts_follow_the_initiators_of_the_group() {
        let secrets = Secrets {
            chap: vec![
                chap("iqn.2024-01.a:1", Some("alice"), Some("target1")),
                chap("iqn.2024-01.a:2", Some("bob"), None),
                chap("iqn.2024-01.a:3", Some("carol"), None),
            ],
        };
        let accounts =
            desired_accounts(&record(&["iqn.2024-01.a:1", "iqn.2024-01.a:2"]), &secrets).unwrap();
        let names: Vec<(&str, bool)> = accounts
            .iter()
            .map(|account| (account.user.as_str(), account.outgoing))
            .collect();
        assert_eq!(names, [("alice", false), ("bob", false), ("target1", true)]);
        assert!(
            desired_accounts(&record(&["iqn.2024-01.x:9"]), &secrets)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn two_outbound_users_in_one_group_are_refused() {
        let secrets = Secrets {
            chap: vec![
                chap("iqn.2024-01.a:1", Some("alice"), Some("t1")),
                chap("iqn.2024-01.a:2", Some("bob"), Some("t2")),
            ],
        };
        let error = desired_accounts(&record(&["iqn.2024-01.a:1", "iqn.2024-01.a:2"]), &secrets)
            .unwrap_err();
        assert_eq!(error.code, ErrorNumber::INVALID_ARGUMENT);
        assert!(
            error.message.contains("one outbound account"),
            "{}",
            error.message
        );
    }

    #[test]
    fn passwords_are_found_by_user_and_never_printed() {
        let secrets = Secrets {
            chap: vec![chap("iqn.2024-01.a:1", Some("alice"), Some("target1"))],
        };
        assert_eq!(
            password_of(&secrets, "target1").map(Secret::expose),
            Some("secret-out-12")
        );
        assert!(password_of(&secrets, "nobody").is_none());
        assert!(!format!("{secrets:?}").contains("secret-in-12"));
        assert_eq!(
            chap_users(&secrets).into_iter().collect::<Vec<_>>(),
            ["alice", "target1"]
        );
    }
}
