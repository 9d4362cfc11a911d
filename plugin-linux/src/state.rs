//! What tgtd and ganesha keep only in memory, persisted by the plugin.
//!
//! tgtd forgets every target, LUN, ACL and CHAP account when it restarts,
//! and ganesha forgets exports added over D-Bus. The plugin records them
//! here and replays them when it finds a daemon restarted empty. Two files
//! in the state directory (mode 0700):
//!
//! * `state.json`: targets (one per access group) with their initiators
//!   and LUNs (exact sizes, SCSI identity), NFS exports; no secret.
//! * `secrets.json` (mode 0600): CHAP passwords per initiator.
//!
//! Both are written atomically (temporary file in the same directory,
//! fsync, rename). Plugin processes serialise with an exclusive `flock` on
//! `lock` ([`StateStore::lock`]), with a timeout.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Format version written in `state.json`.
pub const STATE_VERSION: u32 = 1;

/// A LUN of a target: a masked volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LunRecord {
    /// LUN number.
    pub lun: u64,
    /// LSM volume id.
    pub volume_id: String,
    /// Backing file or device.
    pub backing_path: PathBuf,
    /// Exact size in bytes (tgtadm shows rounded MB).
    pub size_bytes: u64,
    /// `scsi_id` (the volume's vpd83).
    pub scsi_id: String,
    /// `scsi_sn`.
    pub scsi_sn: String,
    /// Whether the LU is online (volume enabled).
    #[serde(default = "default_true")]
    pub online: bool,
}

fn default_true() -> bool {
    true
}

/// A tgt target: an LSM access group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetRecord {
    /// tgt target id.
    pub tid: u32,
    /// Target IQN.
    pub iqn: String,
    /// LSM access group id.
    pub access_group_id: String,
    /// LSM access group name.
    pub access_group_name: String,
    /// Initiator IQNs in its ACL.
    #[serde(default)]
    pub initiators: Vec<String>,
    /// Masked volumes.
    #[serde(default)]
    pub luns: Vec<LunRecord>,
}

/// An NFS export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportRecord {
    /// ganesha export id.
    pub export_id: u16,
    /// LSM file system id.
    pub fs_id: String,
    /// Exported path (= pseudo path).
    pub export_path: PathBuf,
    /// The subvolume's own mount point that is exported.
    pub mount_point: PathBuf,
    /// The per-export config file.
    pub config_file: PathBuf,
    /// Hosts with root access.
    #[serde(default)]
    pub root_hosts: Vec<String>,
    /// Hosts with read-write access.
    #[serde(default)]
    pub rw_hosts: Vec<String>,
    /// Hosts with read-only access.
    #[serde(default)]
    pub ro_hosts: Vec<String>,
    /// Anonymous uid.
    pub anon_uid: Option<i64>,
    /// Anonymous gid.
    pub anon_gid: Option<i64>,
    /// Auth type.
    pub auth_type: Option<String>,
    /// Whether the plugin created the mount point directory (and removes
    /// it with the export).
    #[serde(default)]
    pub created_mount_dir: bool,
}

/// Everything persisted except secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrayState {
    /// Format version.
    pub version: u32,
    /// tgt targets (access groups).
    #[serde(default)]
    pub targets: Vec<TargetRecord>,
    /// NFS exports.
    #[serde(default)]
    pub exports: Vec<ExportRecord>,
}

impl Default for ArrayState {
    fn default() -> Self {
        ArrayState {
            version: STATE_VERSION,
            targets: Vec::new(),
            exports: Vec::new(),
        }
    }
}

/// A password that never prints.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a password.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The password, for handing to tgtadm as a secret argument.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Secret(***)")
    }
}

/// CHAP credentials of one initiator (LSM sets CHAP per initiator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChapRecord {
    /// Initiator IQN.
    pub initiator: String,
    /// Inbound user (initiator authenticates to the target).
    pub in_user: Option<String>,
    /// Inbound password.
    pub in_password: Option<Secret>,
    /// Outbound user (target authenticates to the initiator).
    pub out_user: Option<String>,
    /// Outbound password.
    pub out_password: Option<Secret>,
}

/// The secrets file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Secrets {
    /// CHAP credentials per initiator.
    #[serde(default)]
    pub chap: Vec<ChapRecord>,
}

/// The state directory.
#[derive(Debug, Clone)]
pub struct StateStore {
    dir: PathBuf,
}

/// Holds the state directory's exclusive lock until dropped.
#[derive(Debug)]
pub struct StateLock {
    _lock: nix::fcntl::Flock<File>,
}

impl StateStore {
    /// Opens (creating with mode 0700 if needed) the state directory.
    pub fn open(dir: &Path) -> Result<StateStore> {
        if !dir.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|error| {
                    Error::io(format!("creating state directory {}", dir.display()), error)
                })?;
        }
        Ok(StateStore {
            dir: dir.to_owned(),
        })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Takes the exclusive lock, waiting up to `timeout` (then
    /// [`Error::Timeout`]).
    pub fn lock(&self, timeout: Duration) -> Result<StateLock> {
        let path = self.dir.join("lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&path)
            .map_err(|error| Error::io(format!("opening {}", path.display()), error))?;
        let started = Instant::now();
        let mut file = file;
        loop {
            match nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusiveNonblock) {
                Ok(locked) => return Ok(StateLock { _lock: locked }),
                Err((returned, nix::errno::Errno::EWOULDBLOCK)) => {
                    if started.elapsed() >= timeout {
                        return Err(Error::Timeout {
                            command: format!("lock {}", path.display()),
                            timeout,
                        });
                    }
                    file = returned;
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err((_, errno)) => {
                    return Err(Error::io(
                        format!("locking {}", path.display()),
                        std::io::Error::from(errno),
                    ));
                }
            }
        }
    }

    /// Reads `state.json`; an absent file is an empty state.
    pub fn load(&self) -> Result<ArrayState> {
        let state: ArrayState = self.read_json("state.json")?.unwrap_or_default();
        if state.version > STATE_VERSION {
            return Err(Error::parse(
                self.dir.join("state.json").display().to_string(),
                format!(
                    "version {} is newer than this plugin ({STATE_VERSION})",
                    state.version
                ),
            ));
        }
        Ok(state)
    }

    /// Writes `state.json` atomically (mode 0600).
    pub fn save(&self, state: &ArrayState) -> Result<()> {
        self.write_json("state.json", state)
    }

    /// Reads `secrets.json`; an absent file is no secret.
    pub fn load_secrets(&self) -> Result<Secrets> {
        Ok(self.read_json("secrets.json")?.unwrap_or_default())
    }

    /// Writes `secrets.json` atomically, readable by its owner only.
    pub fn save_secrets(&self, secrets: &Secrets) -> Result<()> {
        self.write_json("secrets.json", secrets)
    }

    fn read_json<T: for<'de> Deserialize<'de>>(&self, name: &str) -> Result<Option<T>> {
        let path = self.dir.join(name);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|error| Error::parse(path.display().to_string(), error.to_string())),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(Error::io(format!("reading {}", path.display()), error)),
        }
    }

    fn write_json<T: Serialize>(&self, name: &str, value: &T) -> Result<()> {
        let path = self.dir.join(name);
        let bytes = serde_json::to_vec_pretty(value)
            .map_err(|error| Error::parse(format!("serialising {name}"), error.to_string()))?;
        let temporary = self.dir.join(format!(".{name}.tmp{}", std::process::id()));
        let result = (|| {
            let mut file = OpenOptions::new()
                .create(true)
                .truncate(true)
                .write(true)
                .mode(0o600)
                .open(&temporary)?;
            // The mode above applies only to new files; enforce it anyway.
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
            file.write_all(&bytes)?;
            file.write_all(b"\n")?;
            file.sync_all()?;
            std::fs::rename(&temporary, &path)?;
            File::open(&self.dir)?.sync_all()
        })();
        result.map_err(|error| {
            let _ = std::fs::remove_file(&temporary);
            Error::io(format!("writing {}", path.display()), error)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsm_core::ErrorNumber;

    fn sample_state() -> ArrayState {
        ArrayState {
            version: STATE_VERSION,
            targets: vec![TargetRecord {
                tid: 1,
                iqn: "iqn.2024-01.org.lsm-rs.linux:ag1".into(),
                access_group_id: "ag1".into(),
                access_group_name: "hosts".into(),
                initiators: vec!["iqn.2024-01.org.example:init1".into()],
                luns: vec![LunRecord {
                    lun: 1,
                    volume_id: "vol1".into(),
                    backing_path: "/srv/pool/lsm-volumes/vol1.img".into(),
                    size_bytes: 512 << 20,
                    scsi_id: "60000000000000000000000000000001".into(),
                    scsi_sn: "vol1".into(),
                    online: true,
                }],
            }],
            exports: vec![ExportRecord {
                export_id: 100,
                fs_id: "fs1".into(),
                export_path: "/srv/nfs/fs1".into(),
                mount_point: "/srv/nfs/fs1".into(),
                config_file: "/etc/ganesha/lsm/export-100.conf".into(),
                root_hosts: vec![],
                rw_hosts: vec!["127.0.0.1".into()],
                ro_hosts: vec![],
                anon_uid: None,
                anon_gid: None,
                auth_type: Some("sys".into()),
                created_mount_dir: true,
            }],
        }
    }

    #[test]
    fn state_round_trips_and_starts_empty() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::open(&dir.path().join("state")).unwrap();
        let mode = std::fs::metadata(store.dir()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        assert_eq!(store.load().unwrap(), ArrayState::default());
        store.save(&sample_state()).unwrap();
        assert_eq!(store.load().unwrap(), sample_state());
        let names: Vec<String> = std::fs::read_dir(store.dir())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["state.json"], "no temporary file left");
    }

    #[test]
    fn secrets_file_is_owner_only_and_secrets_do_not_print() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::open(dir.path()).unwrap();
        let secrets = Secrets {
            chap: vec![ChapRecord {
                initiator: "iqn.2024-01.org.example:init1".into(),
                in_user: Some("user".into()),
                in_password: Some(Secret::new("hunter2-password")),
                out_user: None,
                out_password: None,
            }],
        };
        store.save_secrets(&secrets).unwrap();
        let path = dir.path().join("secrets.json");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(store.load_secrets().unwrap(), secrets);
        assert!(!format!("{secrets:?}").contains("hunter2"));
        assert_eq!(
            secrets.chap[0].in_password.as_ref().unwrap().expose(),
            "hunter2-password"
        );
    }

    #[test]
    fn corrupt_or_newer_state_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::open(dir.path()).unwrap();
        std::fs::write(dir.path().join("state.json"), "{not json").unwrap();
        assert!(store.load().unwrap_err().to_string().contains("state.json"));
        std::fs::write(dir.path().join("state.json"), "{\"version\": 99}").unwrap();
        assert!(store.load().unwrap_err().to_string().contains("newer"));
    }

    #[test]
    fn lock_is_exclusive_and_times_out() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::open(dir.path()).unwrap();
        let held = store.lock(Duration::from_secs(1)).unwrap();
        let error = store.lock(Duration::from_millis(100)).unwrap_err();
        assert_eq!(error.lsm_error_number(), ErrorNumber::TIMEOUT);
        drop(held);
        store.lock(Duration::from_millis(100)).unwrap();
    }
}
