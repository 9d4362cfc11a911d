//! Who a plugin process runs as, and dropping root.
//!
//! The rules (protocol doc §1.2):
//! - a plugin runs as root only if `lsmd.conf` allows it, the plugin's own
//!   conf requires it, lsmd is root, and the connecting client's uid
//!   (`SO_PEERCRED`) is 0 ([`plugin_runs_as_root`]);
//! - otherwise the child switches to the unprivileged user (`libstoragemgmt`)
//!   before exec ([`choose_plugin_identity`]);
//! - unless root plugins are allowed, lsmd itself switches to that user at
//!   start; if they are allowed but no plugin requires root, it switches right
//!   after the scan;
//! - when that user does not exist, lsmd warns once and keeps its current user.

use std::ffi::CString;

use nix::unistd::{Gid, Uid, User};

use crate::error::{LsmdError, Result};

/// The user plugins (and lsmd itself) drop to.
pub const DEFAULT_UNPRIVILEGED_USER: &str = "libstoragemgmt";

/// True only when all four conditions for running a plugin as root hold.
pub fn plugin_runs_as_root(
    global_allow: bool,
    plugin_requires_root: bool,
    daemon_is_root: bool,
    client_is_root: bool,
) -> bool {
    global_allow && plugin_requires_root && daemon_is_root && client_is_root
}

/// Whether lsmd drops root at start-up (step 2 of the start-up order).
pub fn daemon_drops_root_at_start(global_allow: bool) -> bool {
    !global_allow
}

/// Whether lsmd drops root once the scan is done: root plugins are allowed but
/// none of the plugins found requires root.
pub fn daemon_drops_root_after_scan(global_allow: bool, any_plugin_requires_root: bool) -> bool {
    global_allow && !any_plugin_requires_root
}

/// The resolved unprivileged account: ids and supplementary groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnprivilegedUser {
    /// Account name.
    pub name: String,
    /// User id.
    pub uid: Uid,
    /// Primary group id.
    pub gid: Gid,
    /// Supplementary groups (the primary group included).
    pub groups: Vec<Gid>,
}

impl UnprivilegedUser {
    /// Looks the account up; `Ok(None)` when it does not exist.
    pub fn lookup(name: &str) -> Result<Option<Self>> {
        let lookup_error = |source| LsmdError::UserLookup {
            user: name.to_string(),
            source,
        };
        let Some(user) = User::from_name(name).map_err(lookup_error)? else {
            return Ok(None);
        };
        let groups = match CString::new(name) {
            Ok(c_name) => nix::unistd::getgrouplist(&c_name, user.gid).unwrap_or_else(|error| {
                tracing::warn!(
                    "cannot list the groups of user {name} ({error}); using only its primary group"
                );
                vec![user.gid]
            }),
            Err(_) => vec![user.gid],
        };
        Ok(Some(Self {
            name: name.to_string(),
            uid: user.uid,
            gid: user.gid,
            groups,
        }))
    }

    /// Switches the calling process to this user: groups, then gid, then uid.
    ///
    /// Only plain system calls, no allocation: safe to call between `fork`
    /// and `exec`.
    pub fn switch_process_to(&self) -> nix::Result<()> {
        nix::unistd::setgroups(&self.groups)?;
        nix::unistd::setgid(self.gid)?;
        nix::unistd::setuid(self.uid)
    }

    /// Switches lsmd itself to this user, with an error naming the user.
    pub fn switch_daemon_to(&self) -> Result<()> {
        self.switch_process_to()
            .map_err(|source| LsmdError::DropPrivileges {
                user: self.name.clone(),
                source,
            })
    }
}

/// What a plugin child does about its identity before exec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginIdentity {
    /// Keep lsmd's own user (root when the rules allow it, or lsmd is not
    /// root and cannot switch anyway, or the unprivileged user is missing).
    SameAsDaemon,
    /// Switch to the unprivileged user.
    Unprivileged(UnprivilegedUser),
}

/// Decides the child's identity from the root rule's outcome.
pub fn choose_plugin_identity(
    runs_as_root: bool,
    daemon_is_root: bool,
    unprivileged_user: Option<&UnprivilegedUser>,
) -> PluginIdentity {
    if runs_as_root || !daemon_is_root {
        return PluginIdentity::SameAsDaemon;
    }
    match unprivileged_user {
        Some(user) => PluginIdentity::Unprivileged(user.clone()),
        None => PluginIdentity::SameAsDaemon,
    }
}

/// True when the process runs with effective uid 0.
pub fn daemon_is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nobody_like() -> UnprivilegedUser {
        UnprivilegedUser {
            name: "plugins".to_string(),
            uid: Uid::from_raw(4242),
            gid: Gid::from_raw(4243),
            groups: vec![Gid::from_raw(4243)],
        }
    }

    #[test]
    fn root_only_when_all_four_hold() {
        for bits in 0u8..16 {
            let global_allow = bits & 1 != 0;
            let plugin_requires = bits & 2 != 0;
            let daemon_root = bits & 4 != 0;
            let client_root = bits & 8 != 0;
            assert_eq!(
                plugin_runs_as_root(global_allow, plugin_requires, daemon_root, client_root),
                bits == 15,
                "allow={global_allow} requires={plugin_requires} daemon_root={daemon_root} client_root={client_root}"
            );
        }
    }

    #[test]
    fn each_condition_alone_denies_root() {
        assert!(plugin_runs_as_root(true, true, true, true));
        assert!(!plugin_runs_as_root(false, true, true, true));
        assert!(!plugin_runs_as_root(true, false, true, true));
        assert!(!plugin_runs_as_root(true, true, false, true));
        assert!(!plugin_runs_as_root(true, true, true, false));
    }

    #[test]
    fn identity_drops_when_root_is_denied_and_daemon_is_root() {
        let user = nobody_like();
        assert_eq!(
            choose_plugin_identity(false, true, Some(&user)),
            PluginIdentity::Unprivileged(user.clone())
        );
        assert_eq!(
            choose_plugin_identity(true, true, Some(&user)),
            PluginIdentity::SameAsDaemon
        );
    }

    #[test]
    fn identity_keeps_daemon_user_when_it_cannot_or_need_not_switch() {
        let user = nobody_like();
        // lsmd is not root: it cannot switch, the plugin runs as lsmd's user.
        assert_eq!(
            choose_plugin_identity(false, false, Some(&user)),
            PluginIdentity::SameAsDaemon
        );
        // The unprivileged user does not exist: keep the current user.
        assert_eq!(
            choose_plugin_identity(false, true, None),
            PluginIdentity::SameAsDaemon
        );
    }

    #[test]
    fn daemon_drop_rules() {
        assert!(daemon_drops_root_at_start(false));
        assert!(!daemon_drops_root_at_start(true));
        assert!(daemon_drops_root_after_scan(true, false));
        assert!(!daemon_drops_root_after_scan(true, true));
        assert!(!daemon_drops_root_after_scan(false, false));
    }

    #[test]
    fn lookup_finds_root_and_not_a_missing_user() {
        let root = UnprivilegedUser::lookup("root").unwrap().unwrap();
        assert!(root.uid.is_root());
        assert!(root.groups.contains(&root.gid));
        assert_eq!(
            UnprivilegedUser::lookup("no-such-user-lsmd-test").unwrap(),
            None
        );
    }
}
