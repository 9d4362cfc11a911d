//! tgtd (the userspace iSCSI target) through `tgtadm`.
//!
//! One tgt target per LSM access group: its ACL (initiator names and/or
//! addresses) is the group's membership and its LUNs are the volumes masked
//! to it. `tgtadm --op new --mode logicalunit` does not accept `--params`, so
//! a LUN's SCSI identity (`scsi_id`, `scsi_sn`) is set by a following
//! `--op update`; [`Tgtadm::lun_create`] does both and removes the LUN again
//! if the second step fails. CHAP passwords go to tgtadm as secret arguments
//! (redacted in every error and log line). tgtd keeps all of this in memory
//! only; the plugin persists it with [`crate::state`] and replays it.
//!
//! `--op show --mode target` is parsed by [`parse_show_target`]; unknown
//! lines are ignored and sizes there are rounded to MB, so exact sizes must
//! come from the plugin's own state.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::command::{DEFAULT_TIMEOUT, ToolCommand};
use crate::error::{Error, ObjectKind, Result};
use crate::naming::{check_iscsi_name, check_object_name};

/// An entry of a target's ACL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AclEntry {
    /// An initiator IQN (`-Q`).
    InitiatorName(String),
    /// An initiator address or `ALL` (`-I`).
    InitiatorAddress(String),
}

/// An account bound to a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundAccount {
    /// The CHAP user name.
    pub user: String,
    /// Whether it is the outgoing (mutual CHAP) account.
    pub outgoing: bool,
}

/// An initiator logged in to a target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Session {
    /// tgt's I_T nexus id.
    pub nexus: u64,
    /// Initiator IQN.
    pub initiator: String,
    /// Addresses of its connections.
    pub addresses: Vec<String>,
}

/// A logical unit of a target.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogicalUnit {
    /// LUN number (0 is tgt's controller).
    pub lun: u64,
    /// Device type (`disk`, `controller`...).
    pub device_type: String,
    /// `SCSI ID` (the T10 vendor designator; LSM's vpd83 when set by the plugin).
    pub scsi_id: String,
    /// `SCSI SN` (VPD page 0x80).
    pub scsi_sn: String,
    /// Size as shown, in MB (rounded by tgtd).
    pub size_mb: u64,
    /// Block size in bytes.
    pub block_size: u64,
    /// Whether it is online.
    pub online: bool,
    /// Whether it is read-only.
    pub readonly: bool,
    /// Backing store type (`rdwr`, `aio`, `null`...).
    pub backing_store_type: String,
    /// Backing file or device; `None` for the controller.
    pub backing_store_path: Option<PathBuf>,
}

/// A target as `tgtadm --op show --mode target` prints it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Target {
    /// Target id.
    pub tid: u32,
    /// Target IQN.
    pub iqn: String,
    /// State (`ready`, `offline`).
    pub state: String,
    /// Logged-in initiators.
    pub sessions: Vec<Session>,
    /// LUNs, including LUN 0 (controller).
    pub luns: Vec<LogicalUnit>,
    /// Bound accounts.
    pub accounts: Vec<BoundAccount>,
    /// ACL entries.
    pub acl: Vec<AclEntry>,
    /// Lines under this target that could not be read.
    pub odd_lines: Vec<String>,
}

impl Target {
    /// The LUN numbered `lun`.
    pub fn lun(&self, lun: u64) -> Option<&LogicalUnit> {
        self.luns.iter().find(|unit| unit.lun == lun)
    }

    /// The initiator IQNs of the ACL.
    pub fn initiator_names(&self) -> impl Iterator<Item = &str> {
        self.acl.iter().filter_map(|entry| match entry {
            AclEntry::InitiatorName(name) => Some(name.as_str()),
            AclEntry::InitiatorAddress(_) => None,
        })
    }
}

/// Runs `tgtadm -C PORT --lld iscsi`.
#[derive(Debug, Clone)]
pub struct Tgtadm {
    control_port: u16,
    timeout: Duration,
}

impl Tgtadm {
    /// A client of the tgtd listening on control port `control_port`.
    pub fn new(control_port: u16, timeout: Duration) -> Self {
        Tgtadm {
            control_port,
            timeout,
        }
    }

    /// The control port.
    pub fn control_port(&self) -> u16 {
        self.control_port
    }

    fn tgtadm(&self, op: &str, mode: &str) -> ToolCommand {
        ToolCommand::new("tgtadm")
            .timeout(self.timeout)
            .arg("-C")
            .arg(self.control_port.to_string())
            .args(["--lld", "iscsi", "--op", op, "--mode", mode])
    }

    fn run(&self, command: ToolCommand, kind: ObjectKind) -> Result<String> {
        let output = command.output()?;
        if output.success() {
            Ok(output.stdout)
        } else {
            Err(classify_failure(command.failure(&output), kind))
        }
    }

    /// Whether tgtd answers on the control port.
    pub fn is_ready(&self) -> bool {
        self.tgtadm("show", "sys")
            .timeout(self.timeout.min(Duration::from_secs(5)))
            .output()
            .map(|output| output.success() && output.stdout.contains("State: ready"))
            .unwrap_or(false)
    }

    /// Creates target `tid` named `iqn`.
    pub fn target_create(&self, tid: u32, iqn: &str) -> Result<()> {
        check_iscsi_name("target name", iqn)?;
        let command = self
            .tgtadm("new", "target")
            .arg("--tid")
            .arg(tid.to_string())
            .arg("-T")
            .arg(iqn);
        self.run(command, ObjectKind::AccessGroup)?;
        Ok(())
    }

    /// Deletes target `tid`; with `force`, even with sessions logged in.
    pub fn target_delete(&self, tid: u32, force: bool) -> Result<()> {
        let mut command = self
            .tgtadm("delete", "target")
            .arg("--tid")
            .arg(tid.to_string());
        if force {
            command = command.arg("--force");
        }
        self.run(command, ObjectKind::AccessGroup)?;
        Ok(())
    }

    /// Every target with its LUNs, ACL, accounts and sessions.
    pub fn targets(&self) -> Result<Vec<Target>> {
        Ok(parse_show_target(&self.run(
            self.tgtadm("show", "target"),
            ObjectKind::AccessGroup,
        )?))
    }

    /// Adds LUN `lun` backed by `backing` (a file or block device) to target
    /// `tid`, then sets its `scsi_id` and `scsi_sn`. If setting the identity
    /// fails the LUN is removed again.
    pub fn lun_create(
        &self,
        tid: u32,
        lun: u64,
        backing: &Path,
        scsi_id: &str,
        scsi_sn: &str,
    ) -> Result<()> {
        if lun == 0 {
            return Err(Error::InvalidArgument("LUN 0 is tgt's controller".into()));
        }
        check_param_value("scsi_id", scsi_id)?;
        check_param_value("scsi_sn", scsi_sn)?;
        let backing_type = if is_block_device(backing) {
            "aio"
        } else {
            "rdwr"
        };
        let create = self
            .tgtadm("new", "logicalunit")
            .arg("--tid")
            .arg(tid.to_string())
            .arg("--lun")
            .arg(lun.to_string())
            .arg("-b")
            .arg(backing)
            .arg("--bstype")
            .arg(backing_type);
        self.run(create, ObjectKind::Volume)?;
        if let Err(error) = self.lun_set_identity(tid, lun, scsi_id, scsi_sn) {
            if let Err(rollback) = self.lun_delete(tid, lun) {
                tracing::error!(%rollback, tid, lun, "could not remove half-made LUN");
            }
            return Err(error);
        }
        Ok(())
    }

    /// Sets the `scsi_id` and `scsi_sn` of an existing LUN.
    pub fn lun_set_identity(&self, tid: u32, lun: u64, scsi_id: &str, scsi_sn: &str) -> Result<()> {
        check_param_value("scsi_id", scsi_id)?;
        check_param_value("scsi_sn", scsi_sn)?;
        self.lun_update(tid, lun, &format!("scsi_id={scsi_id},scsi_sn={scsi_sn}"))
    }

    /// Takes a LUN online or offline (`--params online=0|1`).
    pub fn lun_set_online(&self, tid: u32, lun: u64, online: bool) -> Result<()> {
        self.lun_update(tid, lun, if online { "online=1" } else { "online=0" })
    }

    fn lun_update(&self, tid: u32, lun: u64, params: &str) -> Result<()> {
        let command = self
            .tgtadm("update", "logicalunit")
            .arg("--tid")
            .arg(tid.to_string())
            .arg("--lun")
            .arg(lun.to_string())
            .arg("--params")
            .arg(params);
        self.run(command, ObjectKind::Volume)?;
        Ok(())
    }

    /// Removes LUN `lun` from target `tid`.
    pub fn lun_delete(&self, tid: u32, lun: u64) -> Result<()> {
        let command = self
            .tgtadm("delete", "logicalunit")
            .arg("--tid")
            .arg(tid.to_string())
            .arg("--lun")
            .arg(lun.to_string());
        self.run(command, ObjectKind::Volume)?;
        Ok(())
    }

    /// Allows initiator `iqn` into target `tid`.
    pub fn bind_initiator_name(&self, tid: u32, iqn: &str) -> Result<()> {
        check_iscsi_name("initiator name", iqn)?;
        self.acl("bind", tid, "-Q", iqn)
    }

    /// Removes initiator `iqn` from target `tid`'s ACL.
    pub fn unbind_initiator_name(&self, tid: u32, iqn: &str) -> Result<()> {
        check_iscsi_name("initiator name", iqn)?;
        self.acl("unbind", tid, "-Q", iqn)
    }

    /// Allows address `address` (an IP, a CIDR network or `ALL`) into target `tid`.
    pub fn bind_initiator_address(&self, tid: u32, address: &str) -> Result<()> {
        check_address(address)?;
        self.acl("bind", tid, "-I", address)
    }

    /// Removes address `address` from target `tid`'s ACL.
    pub fn unbind_initiator_address(&self, tid: u32, address: &str) -> Result<()> {
        check_address(address)?;
        self.acl("unbind", tid, "-I", address)
    }

    fn acl(&self, op: &str, tid: u32, option: &str, value: &str) -> Result<()> {
        let command = self
            .tgtadm(op, "target")
            .arg("--tid")
            .arg(tid.to_string())
            .arg(option)
            .arg(value);
        self.run(command, ObjectKind::AccessGroup)?;
        Ok(())
    }

    /// Creates CHAP account `user` with `password` (never shown anywhere).
    pub fn account_create(&self, user: &str, password: &str) -> Result<()> {
        check_object_name("CHAP user", user)?;
        if password.is_empty() || password.chars().any(|c| c.is_control()) {
            return Err(Error::InvalidArgument(
                "CHAP password must be non-empty printable text".into(),
            ));
        }
        let command = self
            .tgtadm("new", "account")
            .arg("--user")
            .arg(user)
            .arg("--password")
            .secret_arg(password);
        self.run(command, ObjectKind::Other)?;
        Ok(())
    }

    /// Deletes CHAP account `user` (it is unbound from every target).
    pub fn account_delete(&self, user: &str) -> Result<()> {
        check_object_name("CHAP user", user)?;
        let command = self.tgtadm("delete", "account").arg("--user").arg(user);
        self.run(command, ObjectKind::Other)?;
        Ok(())
    }

    /// Binds account `user` to target `tid`: incoming (initiator
    /// authenticates) or, with `outgoing`, the target's own (mutual CHAP).
    pub fn account_bind(&self, tid: u32, user: &str, outgoing: bool) -> Result<()> {
        self.account_binding("bind", tid, user, outgoing)
    }

    /// Unbinds account `user` from target `tid`.
    pub fn account_unbind(&self, tid: u32, user: &str, outgoing: bool) -> Result<()> {
        self.account_binding("unbind", tid, user, outgoing)
    }

    fn account_binding(&self, op: &str, tid: u32, user: &str, outgoing: bool) -> Result<()> {
        check_object_name("CHAP user", user)?;
        let mut command = self
            .tgtadm(op, "account")
            .arg("--tid")
            .arg(tid.to_string())
            .arg("--user")
            .arg(user);
        if outgoing {
            command = command.arg("--outgoing");
        }
        self.run(command, ObjectKind::Other)?;
        Ok(())
    }

    /// Every account name tgtd knows.
    pub fn accounts(&self) -> Result<Vec<String>> {
        let text = self.run(self.tgtadm("show", "account"), ObjectKind::Other)?;
        Ok(parse_show_account(&text))
    }

    /// Stops tgtd: deletes every target (forcing out sessions), then asks it
    /// to exit. tgtd ignores SIGTERM; `--op delete --mode system` is refused
    /// while targets exist, hence the first step.
    pub fn shutdown(&self) -> Result<()> {
        for target in self.targets()? {
            self.target_delete(target.tid, true)?;
        }
        let command = ToolCommand::new("tgtadm")
            .timeout(self.timeout)
            .arg("-C")
            .arg(self.control_port.to_string())
            .args(["--op", "delete", "--mode", "system"]);
        self.run(command, ObjectKind::Other)?;
        Ok(())
    }
}

impl Default for Tgtadm {
    fn default() -> Self {
        Tgtadm::new(0, DEFAULT_TIMEOUT)
    }
}

fn is_block_device(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(path)
        .map(|meta| meta.file_type().is_block_device())
        .unwrap_or(false)
}

/// `--params` is a comma-separated `key=value` list: values must not hold
/// `,` or `=` (or anything but printable ASCII).
fn check_param_value(what: &str, value: &str) -> Result<()> {
    if value.is_empty() || value.len() > 36 {
        return Err(Error::InvalidArgument(format!(
            "{what} must be 1 to 36 characters"
        )));
    }
    if let Some(bad) = value
        .chars()
        .find(|c| !(c.is_ascii_graphic()) || *c == ',' || *c == '=')
    {
        return Err(Error::InvalidArgument(format!(
            "{what} {value:?} contains {bad:?}"
        )));
    }
    Ok(())
}

fn check_address(address: &str) -> Result<()> {
    if address == "ALL" {
        return Ok(());
    }
    let host = address.split_once('/').map_or(address, |(host, _)| host);
    if host.parse::<std::net::IpAddr>().is_err() {
        return Err(Error::InvalidArgument(format!(
            "initiator address {address:?} is not an IP address, a network or ALL"
        )));
    }
    Ok(())
}

/// Maps tgtadm's messages to specific errors.
fn classify_failure(error: Error, kind: ObjectKind) -> Error {
    let Some(stderr) = error.command_stderr() else {
        return error;
    };
    let text = stderr.trim_start_matches("tgtadm: ").to_owned();
    let lower = text.to_ascii_lowercase();
    if lower.contains("already exists") {
        Error::NameConflict(text)
    } else if lower.contains("can't find") || lower.contains("does not exist") {
        Error::not_found(kind, text)
    } else if lower.contains("still active") {
        Error::InUse(text)
    } else if lower.contains("can't send the request") || lower.contains("can't connect") {
        Error::DaemonNotRunning(format!("tgtd: {text}"))
    } else {
        error
    }
}

/// Parses `tgtadm --op show --mode account`.
pub fn parse_show_account(text: &str) -> Vec<String> {
    text.lines()
        .skip_while(|line| !line.trim_start().starts_with("Account list:"))
        .skip(1)
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

#[derive(Clone, Copy, PartialEq)]
enum Section {
    None,
    System,
    Nexus,
    Luns,
    Accounts,
    Acl,
}

/// Parses `tgtadm --op show --mode target`.
pub fn parse_show_target(text: &str) -> Vec<Target> {
    let mut targets: Vec<Target> = Vec::new();
    let mut section = Section::None;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("Target ") {
            let (tid, iqn) = rest.split_once(": ").unwrap_or((rest, ""));
            let mut target = Target {
                iqn: iqn.trim().to_owned(),
                ..Target::default()
            };
            match tid.trim().parse() {
                Ok(tid) => target.tid = tid,
                Err(_) => target.odd_lines.push(line.to_owned()),
            }
            targets.push(target);
            section = Section::None;
            continue;
        }
        let Some(target) = targets.last_mut() else {
            continue;
        };
        match trimmed {
            "System information:" => {
                section = Section::System;
                continue;
            }
            "I_T nexus information:" => {
                section = Section::Nexus;
                continue;
            }
            "LUN information:" => {
                section = Section::Luns;
                continue;
            }
            "Account information:" => {
                section = Section::Accounts;
                continue;
            }
            "ACL information:" => {
                section = Section::Acl;
                continue;
            }
            _ => {}
        }
        let (key, value) = match trimmed.split_once(':') {
            Some((key, value)) => (key.trim(), value.trim()),
            None => (trimmed, ""),
        };
        match section {
            Section::System => {
                if key == "State" {
                    target.state = value.to_owned();
                }
            }
            Section::Nexus => match key {
                "I_T nexus" => target.sessions.push(Session {
                    nexus: value.parse().unwrap_or_default(),
                    ..Session::default()
                }),
                "Initiator" => {
                    if let Some(session) = target.sessions.last_mut() {
                        session.initiator = value
                            .split_whitespace()
                            .next()
                            .unwrap_or_default()
                            .to_owned();
                    }
                }
                "IP Address" => {
                    if let Some(session) = target.sessions.last_mut() {
                        session.addresses.push(value.to_owned());
                    }
                }
                _ => {}
            },
            Section::Luns => read_lun_line(target, key, value, line),
            Section::Accounts => {
                let (user, outgoing) = match trimmed.strip_suffix("(outgoing)") {
                    Some(user) => (user.trim(), true),
                    None => (trimmed, false),
                };
                target.accounts.push(BoundAccount {
                    user: user.to_owned(),
                    outgoing,
                });
            }
            Section::Acl => {
                let host = trimmed.split_once('/').map_or(trimmed, |(host, _)| host);
                let entry = if trimmed == "ALL" || host.parse::<std::net::IpAddr>().is_ok() {
                    AclEntry::InitiatorAddress(trimmed.to_owned())
                } else {
                    AclEntry::InitiatorName(trimmed.to_owned())
                };
                target.acl.push(entry);
            }
            Section::None => target.odd_lines.push(line.to_owned()),
        }
    }
    targets
}

fn read_lun_line(target: &mut Target, key: &str, value: &str, line: &str) {
    if key == "LUN" {
        match value.parse() {
            Ok(lun) => target.luns.push(LogicalUnit {
                lun,
                ..LogicalUnit::default()
            }),
            Err(_) => target.odd_lines.push(line.to_owned()),
        }
        return;
    }
    let Some(unit) = target.luns.last_mut() else {
        target.odd_lines.push(line.to_owned());
        return;
    };
    match key {
        "Type" => unit.device_type = value.to_owned(),
        "SCSI ID" => unit.scsi_id = value.to_owned(),
        "SCSI SN" => unit.scsi_sn = value.to_owned(),
        "Size" => {
            // "Size: 67 MB, Block size: 512" (the split took the first ':').
            let mut parts = value.split(',');
            unit.size_mb = parts
                .next()
                .and_then(|size| size.split_whitespace().next())
                .and_then(|number| number.parse().ok())
                .unwrap_or_default();
            unit.block_size = parts
                .next()
                .and_then(|block| block.split(':').nth(1))
                .and_then(|number| number.trim().parse().ok())
                .unwrap_or_default();
        }
        "Online" => unit.online = value == "Yes",
        "Readonly" => unit.readonly = value == "Yes",
        "Backing store type" => unit.backing_store_type = value.to_owned(),
        "Backing store path" => {
            unit.backing_store_path = Some(value)
                .filter(|path| *path != "None" && !path.is_empty())
                .map(PathBuf::from)
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsm_core::ErrorNumber;

    fn fixture(name: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        std::fs::read_to_string(&path).unwrap()
    }

    #[test]
    fn show_target_from_real_output() {
        let targets = parse_show_target(&fixture("tgtadm-show-target.txt"));
        assert_eq!(targets.len(), 2);
        let first = &targets[0];
        assert_eq!(first.tid, 1);
        assert_eq!(first.iqn, "iqn.2024-01.org.example:cap.tgt1");
        assert_eq!(first.state, "ready");
        assert_eq!(first.luns.len(), 2);
        let controller = first.lun(0).unwrap();
        assert_eq!(controller.device_type, "controller");
        assert_eq!(controller.backing_store_path, None);
        let disk = first.lun(2).unwrap();
        assert_eq!(disk.scsi_id, "6aaaabbbbccccddddeeeeffff00001111");
        assert_eq!(disk.scsi_sn, "SN0002");
        assert_eq!((disk.size_mb, disk.block_size), (10, 512));
        assert!(disk.online && !disk.readonly);
        assert_eq!(disk.backing_store_type, "rdwr");
        assert_eq!(
            disk.backing_store_path,
            Some(PathBuf::from("/tmp/lsmcap/lun2.img"))
        );
        assert_eq!(
            first.accounts,
            vec![
                BoundAccount {
                    user: "chapin".into(),
                    outgoing: false
                },
                BoundAccount {
                    user: "chapout".into(),
                    outgoing: true
                },
            ]
        );
        assert_eq!(
            first.acl,
            vec![
                AclEntry::InitiatorAddress("127.0.0.1".into()),
                AclEntry::InitiatorName("iqn.2024-01.org.example:init1".into()),
                AclEntry::InitiatorName("iqn.2024-01.org.example:init2".into()),
            ]
        );
        assert_eq!(
            first.initiator_names().collect::<Vec<_>>(),
            vec![
                "iqn.2024-01.org.example:init1",
                "iqn.2024-01.org.example:init2"
            ]
        );
        assert!(first.sessions.is_empty());
        assert!(first.odd_lines.is_empty());
        let second = &targets[1];
        assert_eq!(second.tid, 2);
        assert!(second.acl.is_empty() && second.accounts.is_empty());
    }

    #[test]
    fn show_target_with_a_session() {
        let targets = parse_show_target(&fixture("tgtadm-show-target-with-session.txt"));
        let sessions = &targets[0].sessions;
        assert_eq!(sessions.len(), 1);
        assert_eq!(sessions[0].initiator, "iqn.2024-01.org.example:init1");
        assert_eq!(sessions[0].addresses, vec!["127.0.0.1"]);
        let lun1 = targets[0].lun(1).unwrap();
        assert_eq!(lun1.scsi_id, "600a0b80001234567890abcdef012345");
        assert_eq!(lun1.size_mb, 67);
    }

    #[test]
    fn show_target_tolerates_unknown_lines() {
        let text = "Target 7: iqn.x:y\n    Future section:\n        Thing: 1\n    LUN information:\n        LUN: 1\n            Brand new field: 3\n            Size: 2 MB, Block size: 4096\nTarget zz: iqn.bad\n";
        let targets = parse_show_target(text);
        assert_eq!(targets.len(), 2);
        assert_eq!(targets[0].luns[0].block_size, 4096);
        assert_eq!(targets[1].odd_lines.len(), 1);
    }

    #[test]
    fn show_account_from_real_output() {
        assert_eq!(
            parse_show_account(&fixture("tgtadm-show-account.txt")),
            vec!["chapout", "chapin"]
        );
    }

    #[test]
    fn real_tgtadm_messages_map_to_lsm_errors() {
        let cases = [
            (
                "tgtadm: this target already exists",
                ErrorNumber::NAME_CONFLICT,
            ),
            (
                "tgtadm: this logical unit number already exists",
                ErrorNumber::NAME_CONFLICT,
            ),
            (
                "tgtadm: can't find the target",
                ErrorNumber::NOT_FOUND_ACCESS_GROUP,
            ),
            (
                "tgtadm: this target is still active",
                ErrorNumber::NO_SUPPORT_ONLINE_CHANGE,
            ),
            ("tgtadm: invalid request", ErrorNumber::PLUGIN_BUG),
        ];
        for (stderr, number) in cases {
            let error = classify_failure(
                Error::CommandFailed {
                    tool: "tgtadm".into(),
                    command: "tgtadm".into(),
                    status: "exit 22".into(),
                    stderr: stderr.into(),
                },
                ObjectKind::AccessGroup,
            );
            assert_eq!(error.lsm_error_number(), number, "{stderr}");
        }
    }

    #[test]
    fn bad_values_are_refused_before_running_tgtadm() {
        let tgt = Tgtadm::new(65000, Duration::from_secs(1));
        assert_eq!(
            tgt.target_create(1, "not an iqn")
                .unwrap_err()
                .lsm_error_number(),
            ErrorNumber::INVALID_ARGUMENT
        );
        assert_eq!(
            tgt.bind_initiator_name(1, "iqn.x;y")
                .unwrap_err()
                .lsm_error_number(),
            ErrorNumber::INVALID_ARGUMENT
        );
        assert_eq!(
            tgt.bind_initiator_address(1, "host.example")
                .unwrap_err()
                .lsm_error_number(),
            ErrorNumber::INVALID_ARGUMENT
        );
        let lun = tgt
            .lun_create(1, 1, Path::new("/x"), "a,b=c", "sn")
            .unwrap_err();
        assert_eq!(lun.lsm_error_number(), ErrorNumber::INVALID_ARGUMENT);
        assert_eq!(
            tgt.account_create("user", "")
                .unwrap_err()
                .lsm_error_number(),
            ErrorNumber::INVALID_ARGUMENT
        );
    }
}
