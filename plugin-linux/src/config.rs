//! The plugin's TOML configuration (`linux://?config=PATH`).
//!
//! The file lists the pools (btrfs file systems by mount point or device, LVM
//! volume groups), the iSCSI portals and the tgtd control port, how NFS is
//! served (nfs-ganesha over D-Bus, with a SIGHUP fallback) and the plugin's
//! state directory. [`Config::load`] reads and validates it; any missing or
//! wrong value is an [`Error::Config`] naming the file and the key (e.g.
//! `pool[1].vg`). The format is documented with an example in the crate's
//! README.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::naming::check_object_name;

/// Where the configuration is read from when the URI names none.
pub const DEFAULT_CONFIG_PATH: &str = "/etc/lsm/linux.toml";
/// The plugin's state directory when the config names none.
pub const DEFAULT_STATE_DIR: &str = "/var/lib/lsm/linux";
/// ganesha's well-known D-Bus name.
pub const DEFAULT_GANESHA_BUS_NAME: &str = "org.ganesha.nfsd";
/// Directory, relative to a btrfs pool's mount point, holding volume images.
pub const DEFAULT_VOLUME_DIR: &str = "lsm-volumes";
/// Default per-command timeout.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// The validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The file it was read from.
    pub source: PathBuf,
    /// Directory for the plugin's persisted state (tgt and ganesha replay).
    pub state_dir: PathBuf,
    /// Timeout of each external command unless the call gives a shorter one.
    pub command_timeout: Duration,
    /// The pools, in the order listed (the first is the default pool).
    pub pools: Vec<PoolConfig>,
    /// LVM settings shared by every LVM pool.
    pub lvm: LvmConfig,
    /// iSCSI export through tgtd; `None` when not configured.
    pub iscsi: Option<IscsiConfig>,
    /// NFS export through nfs-ganesha; `None` when not configured.
    pub nfs: Option<NfsConfig>,
}

/// One configured pool.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolConfig {
    /// The pool's name as LSM shows it.
    pub name: String,
    /// What backs the pool.
    pub backend: PoolBackend,
}

/// What backs a pool.
#[derive(Debug, Clone, PartialEq)]
pub enum PoolBackend {
    /// A mounted btrfs file system.
    Btrfs {
        /// Where it is mounted (given, or found from `device` at run time).
        mount_point: Option<PathBuf>,
        /// Its block device, when given.
        device: Option<PathBuf>,
        /// Directory, relative to the mount point, holding volume images.
        volume_dir: PathBuf,
    },
    /// An LVM volume group.
    Lvm {
        /// The VG name.
        vg: String,
    },
}

/// How LVM commands run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LvmConfig {
    /// `LVM_SYSTEM_DIR` for every LVM command (a private lvm.conf).
    pub system_dir: Option<PathBuf>,
    /// Pass `--config global{activation=0}`: `Some(true)` always,
    /// `Some(false)` never, `None` when the host has no device-mapper.
    pub disable_activation: Option<bool>,
}

/// iSCSI export through tgtd.
#[derive(Debug, Clone, PartialEq)]
pub struct IscsiConfig {
    /// The portals initiators connect to (`IP:PORT`).
    pub portals: Vec<SocketAddr>,
    /// tgtd's control port (`tgtadm -C N`).
    pub tgtd_control_port: u16,
    /// Prefix of the target IQNs the plugin creates (one per access group).
    pub target_iqn_prefix: String,
}

/// NFS export through nfs-ganesha.
#[derive(Debug, Clone, PartialEq)]
pub struct NfsConfig {
    /// D-Bus address of the bus ganesha is on; `None` = the system bus.
    pub dbus_address: Option<String>,
    /// ganesha's bus name.
    pub bus_name: String,
    /// ganesha's main configuration file (it `%include`s `exports_include`).
    pub config_file: PathBuf,
    /// The file the plugin rewrites with one `%include` per export.
    pub exports_include: PathBuf,
    /// Directory holding one config block file per export.
    pub exports_dir: PathBuf,
    /// ganesha's PID file, for the SIGHUP reload fallback.
    pub pid_file: Option<PathBuf>,
    /// Smallest export id the plugin may use.
    pub export_id_min: u16,
    /// Largest export id the plugin may use.
    pub export_id_max: u16,
    /// Where each exported subvolume is mounted on its own.
    pub mount_root: PathBuf,
}

impl IscsiConfig {
    /// The portals as LSM `network_address` strings (`IP:PORT`, IPv6 in
    /// brackets).
    pub fn network_addresses(&self) -> Vec<String> {
        self.portals
            .iter()
            .map(|portal| portal.to_string())
            .collect()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    state_dir: Option<PathBuf>,
    command_timeout_ms: Option<u64>,
    #[serde(default)]
    pool: Vec<RawPool>,
    #[serde(default)]
    lvm: RawLvm,
    iscsi: Option<RawIscsi>,
    nfs: Option<RawNfs>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPool {
    name: Option<String>,
    kind: Option<String>,
    mount_point: Option<PathBuf>,
    device: Option<PathBuf>,
    volume_dir: Option<PathBuf>,
    vg: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLvm {
    system_dir: Option<PathBuf>,
    disable_activation: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIscsi {
    portals: Option<Vec<String>>,
    tgtd_control_port: Option<u16>,
    target_iqn_prefix: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNfs {
    backend: Option<String>,
    dbus_address: Option<String>,
    bus_name: Option<String>,
    config_file: Option<PathBuf>,
    exports_include: Option<PathBuf>,
    exports_dir: Option<PathBuf>,
    pid_file: Option<PathBuf>,
    export_id_min: Option<u16>,
    export_id_max: Option<u16>,
    mount_root: Option<PathBuf>,
}

/// The config path named by a `linux://` URI (`?config=PATH`, percent-encoded
/// or not), or [`DEFAULT_CONFIG_PATH`] when it names none.
pub fn config_path_from_uri(uri: &str) -> Result<PathBuf> {
    let invalid = |reason: &str| Error::InvalidArgument(format!("URI {uri:?}: {reason}"));
    let rest = uri
        .strip_prefix("linux://")
        .ok_or_else(|| invalid("does not start with linux://"))?;
    let Some((_, query)) = rest.split_once('?') else {
        return Ok(PathBuf::from(DEFAULT_CONFIG_PATH));
    };
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key == "config" {
            let path = percent_decode(value).ok_or_else(|| invalid("bad %-escape in config"))?;
            if !path.starts_with('/') {
                return Err(invalid("config must be an absolute path"));
            }
            return Ok(PathBuf::from(path));
        }
    }
    Ok(PathBuf::from(DEFAULT_CONFIG_PATH))
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = text.get(index + 1..index + 3)?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

impl Config {
    /// Reads and validates the configuration file at `path`.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|error| Error::Config {
            file: path.display().to_string(),
            key: "(file)".into(),
            reason: format!("cannot read the configuration file: {error}"),
        })?;
        Config::parse(&text, path)
    }

    /// Validates configuration text; `source` is used in error messages.
    pub fn parse(text: &str, source: &Path) -> Result<Config> {
        let file = source.display().to_string();
        let raw: RawConfig = toml::from_str(text).map_err(|error| Error::Config {
            file: file.clone(),
            key: toml_error_key(&error, text),
            reason: error.message().to_owned(),
        })?;
        let bad = |key: String, reason: String| Error::Config {
            file: file.clone(),
            key,
            reason,
        };

        let state_dir = raw
            .state_dir
            .unwrap_or_else(|| PathBuf::from(DEFAULT_STATE_DIR));
        require_absolute(&state_dir, "state_dir")
            .map_err(|reason| bad("state_dir".into(), reason))?;
        let command_timeout = match raw.command_timeout_ms {
            None => DEFAULT_COMMAND_TIMEOUT,
            Some(0) => return Err(bad("command_timeout_ms".into(), "must be > 0".into())),
            Some(ms) => Duration::from_millis(ms),
        };

        if raw.pool.is_empty() {
            return Err(bad(
                "pool".into(),
                "at least one [[pool]] table is required".into(),
            ));
        }
        let mut pools = Vec::new();
        let mut names = HashSet::new();
        for (index, pool) in raw.pool.into_iter().enumerate() {
            let key = |field: &str| format!("pool[{index}].{field}");
            let name = pool
                .name
                .ok_or_else(|| bad(key("name"), "missing".into()))?;
            check_object_name("pool name", &name)
                .map_err(|error| bad(key("name"), error.to_string()))?;
            if !names.insert(name.clone()) {
                return Err(bad(key("name"), format!("duplicate pool name {name:?}")));
            }
            let kind = pool
                .kind
                .ok_or_else(|| bad(key("kind"), "missing (\"btrfs\" or \"lvm\")".into()))?;
            let backend = match kind.as_str() {
                "btrfs" => {
                    if pool.vg.is_some() {
                        return Err(bad(key("vg"), "only for kind = \"lvm\"".into()));
                    }
                    if pool.mount_point.is_none() && pool.device.is_none() {
                        return Err(bad(
                            key("mount_point"),
                            "a btrfs pool needs mount_point or device".into(),
                        ));
                    }
                    if let Some(mount_point) = &pool.mount_point {
                        require_absolute(mount_point, "mount_point")
                            .map_err(|reason| bad(key("mount_point"), reason))?;
                    }
                    if let Some(device) = &pool.device {
                        require_absolute(device, "device")
                            .map_err(|reason| bad(key("device"), reason))?;
                    }
                    let volume_dir = pool
                        .volume_dir
                        .unwrap_or_else(|| PathBuf::from(DEFAULT_VOLUME_DIR));
                    if volume_dir.is_absolute()
                        || volume_dir
                            .components()
                            .any(|part| !matches!(part, std::path::Component::Normal(_)))
                    {
                        return Err(bad(
                            key("volume_dir"),
                            "must be a relative path inside the pool, without '..'".into(),
                        ));
                    }
                    PoolBackend::Btrfs {
                        mount_point: pool.mount_point,
                        device: pool.device,
                        volume_dir,
                    }
                }
                "lvm" => {
                    for (field, present) in [
                        ("mount_point", pool.mount_point.is_some()),
                        ("device", pool.device.is_some()),
                        ("volume_dir", pool.volume_dir.is_some()),
                    ] {
                        if present {
                            return Err(bad(key(field), "only for kind = \"btrfs\"".into()));
                        }
                    }
                    let vg = pool.vg.ok_or_else(|| bad(key("vg"), "missing".into()))?;
                    check_object_name("volume group name", &vg)
                        .map_err(|error| bad(key("vg"), error.to_string()))?;
                    PoolBackend::Lvm { vg }
                }
                other => {
                    return Err(bad(
                        key("kind"),
                        format!("unknown kind {other:?} (expected \"btrfs\" or \"lvm\")"),
                    ));
                }
            };
            pools.push(PoolConfig { name, backend });
        }

        if let Some(dir) = &raw.lvm.system_dir {
            require_absolute(dir, "system_dir")
                .map_err(|reason| bad("lvm.system_dir".into(), reason))?;
        }
        let lvm = LvmConfig {
            system_dir: raw.lvm.system_dir,
            disable_activation: raw.lvm.disable_activation,
        };

        let iscsi = match raw.iscsi {
            None => None,
            Some(iscsi) => Some(validate_iscsi(iscsi).map_err(|(key, reason)| bad(key, reason))?),
        };
        let nfs = match raw.nfs {
            None => None,
            Some(nfs) => Some(validate_nfs(nfs).map_err(|(key, reason)| bad(key, reason))?),
        };

        Ok(Config {
            source: source.to_owned(),
            state_dir,
            command_timeout,
            pools,
            lvm,
            iscsi,
            nfs,
        })
    }

    /// The pool configured under `name`.
    pub fn pool(&self, name: &str) -> Option<&PoolConfig> {
        self.pools.iter().find(|pool| pool.name == name)
    }
}

fn validate_iscsi(raw: RawIscsi) -> std::result::Result<IscsiConfig, (String, String)> {
    let portals_text = raw
        .portals
        .ok_or_else(|| ("iscsi.portals".to_owned(), "missing".to_owned()))?;
    if portals_text.is_empty() {
        return Err((
            "iscsi.portals".into(),
            "must list at least one IP:PORT".into(),
        ));
    }
    let mut portals = Vec::new();
    for (index, text) in portals_text.iter().enumerate() {
        let portal: SocketAddr = text.parse().map_err(|_| {
            (
                format!("iscsi.portals[{index}]"),
                format!("{text:?} is not IP:PORT (IPv6 as [ADDR]:PORT)"),
            )
        })?;
        portals.push(portal);
    }
    let tgtd_control_port = raw
        .tgtd_control_port
        .ok_or_else(|| ("iscsi.tgtd_control_port".to_owned(), "missing".to_owned()))?;
    let target_iqn_prefix = raw
        .target_iqn_prefix
        .unwrap_or_else(|| "iqn.2024-01.org.lsm-rs.linux:".to_owned());
    crate::naming::check_iscsi_name("target_iqn_prefix", &target_iqn_prefix)
        .map_err(|error| ("iscsi.target_iqn_prefix".to_owned(), error.to_string()))?;
    Ok(IscsiConfig {
        portals,
        tgtd_control_port,
        target_iqn_prefix,
    })
}

fn validate_nfs(raw: RawNfs) -> std::result::Result<NfsConfig, (String, String)> {
    match raw.backend.as_deref() {
        None | Some("ganesha") => {}
        Some(other) => {
            return Err((
                "nfs.backend".into(),
                format!("unknown backend {other:?} (only \"ganesha\")"),
            ));
        }
    }
    let path =
        |value: Option<PathBuf>, key: &str| -> std::result::Result<PathBuf, (String, String)> {
            let value = value.ok_or_else(|| (format!("nfs.{key}"), "missing".to_owned()))?;
            require_absolute(&value, key).map_err(|reason| (format!("nfs.{key}"), reason))?;
            Ok(value)
        };
    let config_file = path(raw.config_file, "config_file")?;
    let exports_include = path(raw.exports_include, "exports_include")?;
    let exports_dir = path(raw.exports_dir, "exports_dir")?;
    let mount_root = path(raw.mount_root, "mount_root")?;
    let pid_file = match raw.pid_file {
        None => None,
        Some(file) => Some(path(Some(file), "pid_file")?),
    };
    let export_id_min = raw.export_id_min.unwrap_or(100);
    let export_id_max = raw.export_id_max.unwrap_or(u16::MAX);
    if export_id_min < 1 {
        return Err((
            "nfs.export_id_min".into(),
            "must be >= 1 (0 is the pseudo root)".into(),
        ));
    }
    if export_id_max < export_id_min {
        return Err((
            "nfs.export_id_max".into(),
            format!("must be >= export_id_min ({export_id_min})"),
        ));
    }
    Ok(NfsConfig {
        dbus_address: raw.dbus_address,
        bus_name: raw
            .bus_name
            .unwrap_or_else(|| DEFAULT_GANESHA_BUS_NAME.to_owned()),
        config_file,
        exports_include,
        exports_dir,
        pid_file,
        export_id_min,
        export_id_max,
        mount_root,
    })
}

fn require_absolute(path: &Path, what: &str) -> std::result::Result<(), String> {
    if path.is_absolute() {
        Ok(())
    } else {
        Err(format!(
            "{what} must be an absolute path, got {:?}",
            path.display()
        ))
    }
}

/// Best-effort name of the key a TOML error is about, with its line.
fn toml_error_key(error: &toml::de::Error, text: &str) -> String {
    let message = error.message();
    // serde names the field in backticks for unknown and missing fields.
    let named_field =
        if message.starts_with("unknown field") || message.starts_with("missing field") {
            message.split('`').nth(1).map(str::to_owned)
        } else {
            None
        };
    let Some(span) = error.span() else {
        return named_field.unwrap_or_else(|| "(syntax)".to_owned());
    };
    let before = text.get(..span.start).unwrap_or(text);
    let line_number = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    let key_on_line = line
        .split_once('=')
        .map(|(key, _)| key.trim().to_owned())
        .filter(|key| !key.is_empty() && !key.starts_with('['));
    let key = named_field
        .or(key_on_line)
        .unwrap_or_else(|| "(syntax)".to_owned());
    format!("{key} (line {line_number})")
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsm_core::ErrorNumber;

    const EXAMPLE: &str = r#"
state_dir = "/var/lib/lsm/linux"
command_timeout_ms = 20000

[[pool]]
name = "btrfs0"
kind = "btrfs"
mount_point = "/srv/lsm/btrfs0"

[[pool]]
name = "vg0"
kind = "lvm"
vg = "vg0"

[lvm]
system_dir = "/etc/lsm/lvm"
disable_activation = true

[iscsi]
portals = ["127.0.0.1:3260", "[::1]:3260"]
tgtd_control_port = 0

[nfs]
backend = "ganesha"
dbus_address = "unix:path=/run/lsm/dbus/system_bus_socket"
config_file = "/etc/ganesha/ganesha.conf"
exports_include = "/etc/ganesha/lsm-exports.conf"
exports_dir = "/etc/ganesha/lsm-exports.d"
pid_file = "/run/ganesha/ganesha.pid"
export_id_min = 100
export_id_max = 999
mount_root = "/srv/lsm/nfs"
"#;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(text, Path::new("/test/linux.toml"))
    }

    fn error_key(text: &str) -> String {
        match parse(text).unwrap_err() {
            Error::Config { key, .. } => key,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn full_example_parses() {
        let config = parse(EXAMPLE).unwrap();
        assert_eq!(config.pools.len(), 2);
        assert_eq!(config.pools[0].name, "btrfs0");
        assert_eq!(
            config.pools[0].backend,
            PoolBackend::Btrfs {
                mount_point: Some("/srv/lsm/btrfs0".into()),
                device: None,
                volume_dir: DEFAULT_VOLUME_DIR.into(),
            }
        );
        assert_eq!(
            config.pools[1].backend,
            PoolBackend::Lvm { vg: "vg0".into() }
        );
        assert_eq!(config.command_timeout, Duration::from_secs(20));
        let iscsi = config.iscsi.as_ref().unwrap();
        assert_eq!(
            iscsi.network_addresses(),
            vec!["127.0.0.1:3260", "[::1]:3260"]
        );
        let nfs = config.nfs.as_ref().unwrap();
        assert_eq!(nfs.bus_name, DEFAULT_GANESHA_BUS_NAME);
        assert_eq!((nfs.export_id_min, nfs.export_id_max), (100, 999));
        assert_eq!(config.lvm.disable_activation, Some(true));
    }

    #[test]
    fn readme_example_is_valid() {
        let readme = include_str!("../README.md");
        let start = readme.find("```toml").unwrap() + "```toml".len();
        let end = start + readme[start..].find("```").unwrap();
        parse(&readme[start..end]).unwrap();
    }

    #[test]
    fn minimal_config_uses_defaults() {
        let config =
            parse("[[pool]]\nname = \"p\"\nkind = \"btrfs\"\ndevice = \"/dev/loop3\"\n").unwrap();
        assert_eq!(config.state_dir, PathBuf::from(DEFAULT_STATE_DIR));
        assert!(config.iscsi.is_none() && config.nfs.is_none());
    }

    #[test]
    fn errors_name_the_key() {
        assert_eq!(error_key("state_dir = \"/x\"\n"), "pool");
        assert_eq!(error_key("[[pool]]\nkind = \"btrfs\"\n"), "pool[0].name");
        assert_eq!(
            error_key("[[pool]]\nname = \"a\"\nkind = \"zfs\"\n"),
            "pool[0].kind"
        );
        assert_eq!(
            error_key("[[pool]]\nname = \"a\"\nkind = \"btrfs\"\n"),
            "pool[0].mount_point"
        );
        assert_eq!(
            error_key("[[pool]]\nname = \"a\"\nkind = \"lvm\"\n"),
            "pool[0].vg"
        );
        assert_eq!(
            error_key("[[pool]]\nname = \"a/b\"\nkind = \"lvm\"\nvg = \"v\"\n"),
            "pool[0].name"
        );
        let two = "[[pool]]\nname = \"a\"\nkind = \"lvm\"\nvg = \"v\"\n[[pool]]\nname = \"a\"\nkind = \"lvm\"\nvg = \"w\"\n";
        assert_eq!(error_key(two), "pool[1].name");
        let pool = "[[pool]]\nname = \"a\"\nkind = \"lvm\"\nvg = \"v\"\n";
        assert_eq!(
            error_key(&format!(
                "{pool}[iscsi]\nportals = [\"nope\"]\ntgtd_control_port = 1\n"
            )),
            "iscsi.portals[0]"
        );
        assert_eq!(
            error_key(&format!("{pool}[iscsi]\nportals = [\"127.0.0.1:3260\"]\n")),
            "iscsi.tgtd_control_port"
        );
        assert_eq!(
            error_key(&format!("{pool}[nfs]\nconfig_file = \"/c\"\n")),
            "nfs.exports_include"
        );
        assert_eq!(error_key(&format!("{pool}colour = 1\n")), "colour (line 5)");
        assert_eq!(error_key("[[pool]]\nname = 3\n"), "name (line 2)");
    }

    #[test]
    fn missing_file_is_a_config_error() {
        let error = Config::load(Path::new("/nonexistent/lsm/linux.toml")).unwrap_err();
        assert_eq!(error.lsm_error_number(), ErrorNumber::INVALID_ARGUMENT);
        assert!(error.to_string().contains("/nonexistent/lsm/linux.toml"));
    }

    #[test]
    fn uri_config_path() {
        assert_eq!(
            config_path_from_uri("linux://").unwrap(),
            PathBuf::from(DEFAULT_CONFIG_PATH)
        );
        assert_eq!(
            config_path_from_uri("linux://?config=/tmp/x/linux.toml").unwrap(),
            PathBuf::from("/tmp/x/linux.toml")
        );
        assert_eq!(
            config_path_from_uri("linux://?a=b&config=%2Ftmp%2Fa%20b.toml").unwrap(),
            PathBuf::from("/tmp/a b.toml")
        );
        assert!(config_path_from_uri("linux://?config=relative.toml").is_err());
        assert!(config_path_from_uri("sim://").is_err());
    }
}
