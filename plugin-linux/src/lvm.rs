//! LVM: volume groups (pools) and logical volumes (volumes).
//!
//! Reports use `--reportformat json --units b --nosuffix`, so sizes are exact
//! byte counts. Without device-mapper (these build machines) only metadata
//! works: every command then carries `--config global{activation=0}`
//! ([`Lvm::new`] decides from the config or from `/dev/mapper/control`), LVs
//! have no block device, and thick or thin snapshots are impossible
//! ([`Lvm::snapshots_supported`]). `LVM_SUPPRESS_FD_WARNINGS=1` is always set
//! and `LVM_SYSTEM_DIR` when the config names a private lvm.conf.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::command::ToolCommand;
use crate::config::LvmConfig;
use crate::error::{Error, ObjectKind, Result};
use crate::naming::check_object_name;

/// The config override that lets LVM work without device-mapper.
pub const NO_ACTIVATION_CONFIG: &str = "global{activation=0}";

/// A volume group, from `vgs`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VolumeGroup {
    /// VG name.
    pub name: String,
    /// VG UUID.
    pub uuid: String,
    /// Total bytes.
    pub size: u64,
    /// Free bytes.
    pub free: u64,
    /// Extent size in bytes.
    pub extent_size: u64,
    /// Number of extents.
    pub extent_count: u64,
    /// Number of free extents.
    pub free_count: u64,
    /// Tags.
    pub tags: Vec<String>,
    /// Number of PVs.
    pub pv_count: u64,
    /// Number of LVs.
    pub lv_count: u64,
    /// Fields that were missing or unreadable.
    pub odd_fields: Vec<String>,
}

/// A logical volume, from `lvs`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogicalVolume {
    /// LV name.
    pub name: String,
    /// Its VG.
    pub vg_name: String,
    /// LV UUID.
    pub uuid: String,
    /// Size in bytes.
    pub size: u64,
    /// The 10-character attribute string (`-wi-XX----`).
    pub attr: String,
    /// Tags.
    pub tags: Vec<String>,
    /// `/dev/VG/LV` (exists only when active).
    pub path: String,
    /// Fields that were missing or unreadable.
    pub odd_fields: Vec<String>,
}

/// A physical volume, from `pvs`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhysicalVolume {
    /// Device path.
    pub name: String,
    /// VG it belongs to (empty when none).
    pub vg_name: String,
    /// PV UUID.
    pub uuid: String,
    /// PV size in bytes.
    pub size: u64,
    /// Free bytes.
    pub free: u64,
    /// Offset of the first extent on the device.
    pub pe_start: u64,
    /// Size of the underlying device.
    pub device_size: u64,
    /// Fields that were missing or unreadable.
    pub odd_fields: Vec<String>,
}

impl LogicalVolume {
    /// Whether LVM says the LV is active (5th attr character `a`).
    pub fn is_active(&self) -> bool {
        self.attr.chars().nth(4) == Some('a')
    }
}

const VG_FIELDS: &str = "vg_name,vg_uuid,vg_size,vg_free,vg_extent_size,vg_extent_count,vg_free_count,vg_tags,pv_count,lv_count";
const LV_FIELDS: &str = "lv_name,vg_name,lv_uuid,lv_size,lv_attr,lv_tags,lv_path";
const PV_FIELDS: &str = "pv_name,vg_name,pv_uuid,pv_size,pv_free,pe_start,dev_size";

/// Runs LVM commands.
#[derive(Debug, Clone)]
pub struct Lvm {
    system_dir: Option<PathBuf>,
    disable_activation: bool,
    timeout: Duration,
}

impl Lvm {
    /// An LVM runner following `config`; activation is disabled when the
    /// config says so or, by default, when the host has no device-mapper.
    pub fn new(config: &LvmConfig, timeout: Duration) -> Self {
        Lvm {
            system_dir: config.system_dir.clone(),
            disable_activation: config
                .disable_activation
                .unwrap_or_else(|| !device_mapper_present()),
            timeout,
        }
    }

    /// Whether commands run with activation disabled (metadata only).
    pub fn activation_disabled(&self) -> bool {
        self.disable_activation
    }

    /// LV snapshots need device-mapper.
    pub fn snapshots_supported(&self) -> bool {
        !self.disable_activation
    }

    fn lvm(&self, subcommand: &str) -> ToolCommand {
        let mut command = ToolCommand::new("lvm")
            .timeout(self.timeout)
            .env("LVM_SUPPRESS_FD_WARNINGS", "1")
            .arg(subcommand);
        if let Some(dir) = &self.system_dir {
            command = command.env("LVM_SYSTEM_DIR", dir);
        }
        if self.disable_activation {
            command = command.args(["--config", NO_ACTIVATION_CONFIG]);
        }
        command
    }

    fn report(&self, subcommand: &str, fields: &str) -> ToolCommand {
        self.lvm(subcommand).args([
            "--reportformat",
            "json",
            "--units",
            "b",
            "--nosuffix",
            "-o",
            fields,
        ])
    }

    fn run(&self, command: ToolCommand, kind: ObjectKind) -> Result<String> {
        let output = command.output()?;
        if output.success() {
            Ok(output.stdout)
        } else {
            Err(classify_failure(command.failure(&output), kind))
        }
    }

    /// Volume groups; all of them, or just `name`.
    pub fn vgs(&self, name: Option<&str>) -> Result<Vec<VolumeGroup>> {
        let mut command = self.report("vgs", VG_FIELDS);
        if let Some(name) = name {
            command = command.arg("--").arg(name);
        }
        parse_vgs(&self.run(command, ObjectKind::Pool)?)
    }

    /// Logical volumes of `vg`.
    pub fn lvs(&self, vg: &str) -> Result<Vec<LogicalVolume>> {
        parse_lvs(&self.run(
            self.report("lvs", LV_FIELDS).arg("--").arg(vg),
            ObjectKind::Pool,
        )?)
    }

    /// Logical volumes of every VG in `vgs`, in one report.
    pub fn lvs_of(&self, vgs: &[&str]) -> Result<Vec<LogicalVolume>> {
        parse_lvs(&self.run(
            self.report("lvs", LV_FIELDS).arg("--").args(vgs),
            ObjectKind::Pool,
        )?)
    }

    /// Every physical volume LVM sees.
    pub fn pvs(&self) -> Result<Vec<PhysicalVolume>> {
        parse_pvs(&self.run(self.report("pvs", PV_FIELDS), ObjectKind::Disk)?)
    }

    /// Creates a linear LV of `size` bytes (rounded up to whole extents by
    /// LVM), without zeroing (no device to write to), tagged with `tags`.
    pub fn lv_create(&self, vg: &str, name: &str, size: u64, tags: &[&str]) -> Result<()> {
        check_object_name("logical volume name", name)?;
        check_object_name("volume group name", vg)?;
        let mut command = self
            .lvm("lvcreate")
            .args(["-y", "-Zn", "-L"])
            .arg(format!("{size}b"))
            .arg("-n")
            .arg(name);
        for tag in tags {
            check_object_name("LVM tag", tag)?;
            command = command.arg("--addtag").arg(tag);
        }
        self.run(command.arg("--").arg(vg), ObjectKind::Pool)?;
        Ok(())
    }

    /// Resizes `vg/name` to `size` bytes (grow or shrink).
    pub fn lv_resize(&self, vg: &str, name: &str, size: u64) -> Result<()> {
        let command = self
            .lvm("lvresize")
            .args(["-f", "-L"])
            .arg(format!("{size}b"))
            .arg("--")
            .arg(lv_spec(vg, name)?);
        self.run(command, ObjectKind::Volume)?;
        Ok(())
    }

    /// Removes `vg/name`.
    pub fn lv_remove(&self, vg: &str, name: &str) -> Result<()> {
        let command = self
            .lvm("lvremove")
            .arg("-y")
            .arg("--")
            .arg(lv_spec(vg, name)?);
        self.run(command, ObjectKind::Volume)?;
        Ok(())
    }

    /// Renames `vg/old` to `new`.
    pub fn lv_rename(&self, vg: &str, old: &str, new: &str) -> Result<()> {
        check_object_name("logical volume name", new)?;
        let command = self.lvm("lvrename").arg("--").arg(vg).arg(old).arg(new);
        self.run(command, ObjectKind::Volume)?;
        Ok(())
    }

    /// Adds a tag to `vg/name`.
    pub fn lv_add_tag(&self, vg: &str, name: &str, tag: &str) -> Result<()> {
        self.change_tag(vg, name, tag, "--addtag")
    }

    /// Removes a tag from `vg/name`.
    pub fn lv_delete_tag(&self, vg: &str, name: &str, tag: &str) -> Result<()> {
        self.change_tag(vg, name, tag, "--deltag")
    }

    fn change_tag(&self, vg: &str, name: &str, tag: &str, option: &str) -> Result<()> {
        check_object_name("LVM tag", tag)?;
        let command = self
            .lvm("lvchange")
            .arg(option)
            .arg(tag)
            .arg("--")
            .arg(lv_spec(vg, name)?);
        self.run(command, ObjectKind::Volume)?;
        Ok(())
    }

    /// Activates or deactivates `vg/name` (`lvchange -ay` / `-an`). Refused
    /// when activation is disabled (no device-mapper).
    pub fn lv_set_active(&self, vg: &str, name: &str, active: bool) -> Result<()> {
        if self.disable_activation {
            return Err(Error::NoSupport(
                "LV activation needs the device-mapper kernel driver, which this host lacks".into(),
            ));
        }
        let command = self
            .lvm("lvchange")
            .arg(if active { "-ay" } else { "-an" })
            .arg("--")
            .arg(lv_spec(vg, name)?);
        self.run(command, ObjectKind::Volume)?;
        Ok(())
    }

    /// Refused here: LVM snapshots need device-mapper unless activation works.
    pub fn lv_snapshot(&self, vg: &str, origin: &str, name: &str, size: u64) -> Result<()> {
        if !self.snapshots_supported() {
            return Err(Error::NoSupport(
                "LVM snapshots need the device-mapper kernel driver, which this host lacks".into(),
            ));
        }
        check_object_name("logical volume name", name)?;
        let command = self
            .lvm("lvcreate")
            .args(["-y", "-s", "-L"])
            .arg(format!("{size}b"))
            .arg("-n")
            .arg(name)
            .arg("--")
            .arg(lv_spec(vg, origin)?);
        self.run(command, ObjectKind::Volume)?;
        Ok(())
    }
}

fn lv_spec(vg: &str, name: &str) -> Result<String> {
    check_object_name("volume group name", vg)?;
    check_object_name("logical volume name", name)?;
    Ok(format!("{vg}/{name}"))
}

/// Whether the kernel offers device-mapper (its control node exists).
pub fn device_mapper_present() -> bool {
    Path::new("/dev/mapper/control").exists()
        || std::fs::read_to_string("/proc/misc")
            .map(|text| text.lines().any(|line| line.ends_with(" device-mapper")))
            .unwrap_or(false)
}

/// Maps LVM's messages to specific errors.
fn classify_failure(error: Error, kind: ObjectKind) -> Error {
    let Some(stderr) = error.command_stderr() else {
        return error;
    };
    // Drop the noise every command prints on hosts without device-mapper.
    let meaningful: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|line| {
            !line.is_empty()
                && !line.starts_with("WARNING: Activation disabled")
                && !line.contains("Failure to communicate with kernel device-mapper")
                && !line.contains("File descriptor")
        })
        .collect();
    let text = meaningful.join("; ");
    let lower = text.to_ascii_lowercase();
    if lower.contains("already exists") {
        Error::NameConflict(text)
    } else if lower.contains("insufficient free space") || lower.contains("insufficient suitable") {
        Error::NotEnoughSpace(text)
    } else if lower.contains("matches existing size") {
        Error::NoStateChange(text)
    } else if lower.contains("failed to find logical volume") {
        Error::not_found(ObjectKind::Volume, text)
    } else if lower.contains("volume group") && lower.contains("not found") {
        Error::not_found(ObjectKind::Pool, text)
    } else if lower.contains("not found") {
        Error::not_found(kind, text)
    } else if lower.contains("device-mapper") {
        Error::NoSupport(text)
    } else {
        error
    }
}

#[derive(Debug, Deserialize)]
struct Report {
    report: Vec<BTreeMap<String, serde_json::Value>>,
}

/// The rows of the first report section named `section` (`vg`, `lv`, `pv`).
fn report_rows(text: &str, section: &str) -> Result<Vec<BTreeMap<String, String>>> {
    let report: Report = serde_json::from_str(text)
        .map_err(|error| Error::parse(format!("LVM {section} report"), error.to_string()))?;
    let mut rows = Vec::new();
    for part in report.report {
        let Some(serde_json::Value::Array(items)) = part.get(section) else {
            continue;
        };
        for item in items {
            let serde_json::Value::Object(fields) = item else {
                continue;
            };
            rows.push(
                fields
                    .iter()
                    .map(|(key, value)| {
                        let text = match value {
                            serde_json::Value::String(text) => text.clone(),
                            other => other.to_string(),
                        };
                        (key.clone(), text)
                    })
                    .collect(),
            );
        }
    }
    Ok(rows)
}

struct RowReader<'a> {
    row: &'a BTreeMap<String, String>,
    odd_fields: Vec<String>,
}

impl<'a> RowReader<'a> {
    fn new(row: &'a BTreeMap<String, String>) -> Self {
        RowReader {
            row,
            odd_fields: Vec::new(),
        }
    }

    fn text(&mut self, field: &str) -> String {
        match self.row.get(field) {
            Some(value) => value.clone(),
            None => {
                self.odd_fields.push(field.to_owned());
                String::new()
            }
        }
    }

    fn bytes(&mut self, field: &str) -> u64 {
        match self
            .row
            .get(field)
            .and_then(|value| value.trim().parse().ok())
        {
            Some(value) => value,
            None => {
                self.odd_fields.push(field.to_owned());
                0
            }
        }
    }

    fn tags(&mut self, field: &str) -> Vec<String> {
        self.text(field)
            .split(',')
            .filter(|tag| !tag.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// Parses `vgs --reportformat json --units b --nosuffix` output.
pub fn parse_vgs(text: &str) -> Result<Vec<VolumeGroup>> {
    Ok(report_rows(text, "vg")?
        .iter()
        .map(|row| {
            let mut reader = RowReader::new(row);
            let mut vg = VolumeGroup {
                name: reader.text("vg_name"),
                uuid: reader.text("vg_uuid"),
                size: reader.bytes("vg_size"),
                free: reader.bytes("vg_free"),
                extent_size: reader.bytes("vg_extent_size"),
                extent_count: reader.bytes("vg_extent_count"),
                free_count: reader.bytes("vg_free_count"),
                tags: reader.tags("vg_tags"),
                pv_count: reader.bytes("pv_count"),
                lv_count: reader.bytes("lv_count"),
                odd_fields: Vec::new(),
            };
            vg.odd_fields = reader.odd_fields;
            vg
        })
        .collect())
}

/// Parses `lvs --reportformat json --units b --nosuffix` output.
pub fn parse_lvs(text: &str) -> Result<Vec<LogicalVolume>> {
    Ok(report_rows(text, "lv")?
        .iter()
        .map(|row| {
            let mut reader = RowReader::new(row);
            let mut lv = LogicalVolume {
                name: reader.text("lv_name"),
                vg_name: reader.text("vg_name"),
                uuid: reader.text("lv_uuid"),
                size: reader.bytes("lv_size"),
                attr: reader.text("lv_attr"),
                tags: reader.tags("lv_tags"),
                path: reader.text("lv_path"),
                odd_fields: Vec::new(),
            };
            lv.odd_fields = reader.odd_fields;
            lv
        })
        .collect())
}

/// Parses `pvs --reportformat json --units b --nosuffix` output.
pub fn parse_pvs(text: &str) -> Result<Vec<PhysicalVolume>> {
    Ok(report_rows(text, "pv")?
        .iter()
        .map(|row| {
            let mut reader = RowReader::new(row);
            let mut pv = PhysicalVolume {
                name: reader.text("pv_name"),
                vg_name: reader.text("vg_name"),
                uuid: reader.text("pv_uuid"),
                size: reader.bytes("pv_size"),
                free: reader.bytes("pv_free"),
                pe_start: reader.bytes("pe_start"),
                device_size: reader.bytes("dev_size"),
                odd_fields: Vec::new(),
            };
            pv.odd_fields = reader.odd_fields;
            pv
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::DEFAULT_TIMEOUT;
    use lsm_core::ErrorNumber;

    fn fixture(name: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        std::fs::read_to_string(&path).unwrap()
    }

    #[test]
    fn vgs_from_real_output() {
        let vgs = parse_vgs(&fixture("lvm-vgs.json")).unwrap();
        assert_eq!(vgs.len(), 1);
        let vg = &vgs[0];
        assert_eq!(vg.name, "capvg");
        assert_eq!(vg.size, 2_139_095_040);
        assert_eq!(vg.free, 775_946_240);
        assert_eq!(vg.extent_size, 4 << 20);
        assert_eq!((vg.extent_count, vg.free_count), (510, 185));
        assert_eq!((vg.pv_count, vg.lv_count), (2, 2));
        assert!(vg.tags.is_empty());
        assert!(vg.odd_fields.is_empty());
    }

    #[test]
    fn lvs_from_real_output() {
        let lvs = parse_lvs(&fixture("lvm-lvs.json")).unwrap();
        assert_eq!(lvs.len(), 2);
        assert_eq!(lvs[0].name, "lv1");
        assert_eq!(lvs[0].size, 100 << 20);
        assert_eq!(lvs[0].tags, vec!["lsm_vol"]);
        assert_eq!(lvs[0].attr, "-wi-XX----");
        assert!(!lvs[0].is_active());
        assert_eq!(lvs[1].size, 1_258_291_200);
        assert!(lvs.iter().all(|lv| lv.odd_fields.is_empty()));
    }

    #[test]
    fn pvs_from_real_output() {
        let pvs = parse_pvs(&fixture("lvm-pvs.json")).unwrap();
        assert_eq!(pvs.len(), 2);
        assert_eq!(pvs[0].name, "/dev/loop1");
        assert_eq!(pvs[0].pe_start, 1 << 20);
        assert_eq!(pvs[1].free, 0);
        assert_eq!(pvs[1].device_size, 1 << 30);
    }

    #[test]
    fn odd_rows_are_kept_with_their_odd_fields() {
        let text = r#"{"report":[{"lv":[{"lv_name":"x","vg_name":"v","lv_size":"12.5k","new_field":"1"}]},{"other":[]}]}"#;
        let lvs = parse_lvs(text).unwrap();
        assert_eq!(lvs.len(), 1);
        assert_eq!(lvs[0].name, "x");
        assert!(lvs[0].odd_fields.contains(&"lv_size".to_owned()));
        assert!(lvs[0].odd_fields.contains(&"lv_uuid".to_owned()));
        assert!(parse_lvs("not json").is_err());
        assert!(parse_vgs(r#"{"report":[{"vg":[]}]}"#).unwrap().is_empty());
    }

    fn failure(stderr: &str) -> Error {
        Error::CommandFailed {
            tool: "lvm".into(),
            command: "lvm lvcreate".into(),
            status: "exit 5".into(),
            stderr: stderr.into(),
        }
    }

    #[test]
    fn real_lvm_messages_map_to_lsm_errors() {
        let noise =
            "WARNING: Activation disabled. No device-mapper interaction will be attempted.\n";
        let cases = [
            (
                "Logical Volume \"lv1\" already exists in volume group \"capvg\"",
                ErrorNumber::NAME_CONFLICT,
            ),
            (
                "Volume group \"capvg\" has insufficient free space (185 extents): 25600 required.",
                ErrorNumber::NOT_ENOUGH_SPACE,
            ),
            (
                "Insufficient free space: 12787 extents needed, but only 197 available",
                ErrorNumber::NOT_ENOUGH_SPACE,
            ),
            (
                "New size (50 extents) matches existing size (50 extents).",
                ErrorNumber::NO_STATE_CHANGE,
            ),
            (
                "Failed to find logical volume \"capvg/nope\"",
                ErrorNumber::NOT_FOUND_VOLUME,
            ),
            (
                "Volume group \"nosuchvg\" not found\nCannot process volume group nosuchvg",
                ErrorNumber::NOT_FOUND_POOL,
            ),
            (
                "Can't create snapshot without using device-mapper kernel driver",
                ErrorNumber::NO_SUPPORT,
            ),
            ("something else", ErrorNumber::PLUGIN_BUG),
        ];
        for (stderr, number) in cases {
            let error = classify_failure(failure(&format!("{noise}{stderr}")), ObjectKind::Volume);
            assert_eq!(error.lsm_error_number(), number, "{stderr}");
            assert!(
                !error.to_string().contains("Activation disabled")
                    || number == ErrorNumber::PLUGIN_BUG
            );
        }
    }

    #[test]
    fn names_are_checked_before_running_anything() {
        let lvm = Lvm::new(&LvmConfig::default(), Duration::from_secs(1));
        let error = lvm.lv_create("vg", "bad/name", 1 << 20, &[]).unwrap_err();
        assert_eq!(error.lsm_error_number(), ErrorNumber::INVALID_ARGUMENT);
        assert_eq!(
            lvm.lv_remove("vg", "..").unwrap_err().lsm_error_number(),
            ErrorNumber::INVALID_ARGUMENT
        );
        assert_eq!(
            lvm.lv_resize("-vg", "x", 1).unwrap_err().lsm_error_number(),
            ErrorNumber::INVALID_ARGUMENT
        );
    }

    #[test]
    fn activation_follows_config_or_host() {
        let forced = Lvm::new(
            &LvmConfig {
                system_dir: None,
                disable_activation: Some(true),
            },
            DEFAULT_TIMEOUT,
        );
        assert!(forced.activation_disabled());
        assert!(
            forced
                .lv_snapshot("vg", "a", "b", 1)
                .unwrap_err()
                .lsm_error_number()
                == ErrorNumber::NO_SUPPORT
        );
        let auto = Lvm::new(&LvmConfig::default(), DEFAULT_TIMEOUT);
        assert_eq!(auto.activation_disabled(), !device_mapper_present());
    }
}
