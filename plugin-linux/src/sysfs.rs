//! Disks from sysfs (`/sys/block`).
//!
//! Reads each block device's size, rotational/removable/read-only flags,
//! block sizes, identity (serial, wwid, model, vendor where exposed) and
//! kind (loop, zram, virtio, NVMe, SCSI, device-mapper...). Partitions are
//! not listed (they are not under `/sys/block`). An entry with an unreadable
//! attribute is still listed, with the attribute's name in `odd_fields`; an
//! entry that is not a directory at all is skipped. Everything takes the
//! sysfs root as a parameter so tests can run on a fixture tree.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// What kind of block device this is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceKind {
    /// A loop device (file-backed).
    Loop,
    /// A zram compressed RAM disk.
    Zram,
    /// A virtio disk (`vdX`).
    Virtio,
    /// An NVMe namespace.
    Nvme,
    /// A SCSI/SATA/SAS/USB disk (`sdX`).
    Scsi,
    /// An MMC/SD card.
    Mmc,
    /// A device-mapper device (`dm-N`).
    DeviceMapper,
    /// An MD RAID array.
    Md,
    /// A RAM disk (`ramN`).
    Ram,
    /// Anything else, with the driver or name prefix that was seen.
    Other(String),
}

/// One entry of `/sys/block`.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockDevice {
    /// Kernel name (`vda`, `loop3`).
    pub name: String,
    /// `/dev/NAME`.
    pub dev_path: PathBuf,
    /// `MAJOR:MINOR`.
    pub dev_number: Option<String>,
    /// Size in bytes (`size` is in 512-byte sectors).
    pub size_bytes: Option<u64>,
    /// Logical block size.
    pub logical_block_size: Option<u64>,
    /// Physical block size.
    pub physical_block_size: Option<u64>,
    /// Whether it is rotational (a spinning disk).
    pub rotational: Option<bool>,
    /// Whether it is removable.
    pub removable: Option<bool>,
    /// Whether it is read-only.
    pub read_only: Option<bool>,
    /// Its kind.
    pub kind: DeviceKind,
    /// Whether it lives under `/sys/devices/virtual` (loop, zram, dm...).
    pub is_virtual: bool,
    /// Serial number, where exposed.
    pub serial: Option<String>,
    /// World-wide id (`device/wwid` or `wwid`), where exposed.
    pub wwid: Option<String>,
    /// Model, where exposed.
    pub model: Option<String>,
    /// Vendor, where exposed.
    pub vendor: Option<String>,
    /// For loop devices: the backing file (`None` when unattached).
    pub loop_backing_file: Option<PathBuf>,
    /// Attributes that exist but could not be read or parsed.
    pub odd_fields: Vec<String>,
}

impl BlockDevice {
    /// Loop and zram devices with no backing or no size are placeholders.
    pub fn is_unused_placeholder(&self) -> bool {
        self.size_bytes == Some(0)
            && matches!(
                self.kind,
                DeviceKind::Loop | DeviceKind::Zram | DeviceKind::Ram
            )
    }
}

/// Lists every block device under `SYS_ROOT/block` (`sys_root` is `/sys`
/// on a real host), sorted by name.
pub fn list_block_devices(sys_root: &Path) -> Result<Vec<BlockDevice>> {
    let block_dir = sys_root.join("block");
    let entries = std::fs::read_dir(&block_dir)
        .map_err(|error| Error::io(format!("listing {}", block_dir.display()), error))?;
    let mut devices = Vec::new();
    for entry in entries {
        let Ok(entry) = entry else {
            continue;
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = block_dir.join(&name);
        if !path.is_dir() {
            tracing::debug!(%name, "skipping non-directory /sys/block entry");
            continue;
        }
        devices.push(read_block_device(&path, &name));
    }
    devices.sort_by(|left, right| left.name.cmp(&right.name));
    Ok(devices)
}

/// Reads one device directory (`/sys/block/NAME`).
pub fn read_block_device(path: &Path, name: &str) -> BlockDevice {
    let mut odd_fields = Vec::new();
    let resolved = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let is_virtual = resolved.to_string_lossy().contains("/devices/virtual/");
    let sectors = read_number(path, "size", &mut odd_fields);
    let driver = std::fs::read_link(path.join("device/driver"))
        .ok()
        .and_then(|link| {
            link.file_name()
                .map(|name| name.to_string_lossy().into_owned())
        });
    let kind = device_kind(name, driver.as_deref(), &resolved);
    let loop_backing_file = if kind == DeviceKind::Loop {
        read_text(path, "loop/backing_file").map(PathBuf::from)
    } else {
        None
    };
    BlockDevice {
        name: name.to_owned(),
        dev_path: PathBuf::from("/dev").join(name),
        dev_number: read_text(path, "dev"),
        size_bytes: sectors.map(|sectors| sectors.saturating_mul(512)),
        logical_block_size: read_number(path, "queue/logical_block_size", &mut odd_fields),
        physical_block_size: read_number(path, "queue/physical_block_size", &mut odd_fields),
        rotational: read_flag(path, "queue/rotational", &mut odd_fields),
        removable: read_flag(path, "removable", &mut odd_fields),
        read_only: read_flag(path, "ro", &mut odd_fields),
        kind,
        is_virtual,
        serial: read_text(path, "serial").or_else(|| read_text(path, "device/serial")),
        wwid: read_text(path, "device/wwid").or_else(|| read_text(path, "wwid")),
        model: read_text(path, "device/model"),
        vendor: read_text(path, "device/vendor"),
        loop_backing_file,
        odd_fields,
    }
}

fn device_kind(name: &str, driver: Option<&str>, resolved: &Path) -> DeviceKind {
    let starts = |prefix: &str| name.starts_with(prefix);
    if starts("loop") {
        DeviceKind::Loop
    } else if starts("zram") {
        DeviceKind::Zram
    } else if starts("dm-") {
        DeviceKind::DeviceMapper
    } else if starts("md") {
        DeviceKind::Md
    } else if starts("nvme") {
        DeviceKind::Nvme
    } else if starts("mmcblk") {
        DeviceKind::Mmc
    } else if starts("ram") {
        DeviceKind::Ram
    } else if starts("vd")
        || driver == Some("virtio_blk")
        || resolved.to_string_lossy().contains("/virtio")
    {
        DeviceKind::Virtio
    } else if starts("sd") || driver == Some("sd") {
        DeviceKind::Scsi
    } else {
        DeviceKind::Other(
            driver
                .unwrap_or(name.trim_end_matches(|c: char| c.is_ascii_digit()))
                .to_owned(),
        )
    }
}

/// An attribute's trimmed text; `None` when absent, unreadable or empty.
fn read_text(dir: &Path, attribute: &str) -> Option<String> {
    std::fs::read_to_string(dir.join(attribute))
        .ok()
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
}

fn read_number(dir: &Path, attribute: &str, odd_fields: &mut Vec<String>) -> Option<u64> {
    let path = dir.join(attribute);
    if !path.exists() {
        return None;
    }
    let value = read_text(dir, attribute).and_then(|text| text.parse().ok());
    if value.is_none() {
        odd_fields.push(attribute.to_owned());
    }
    value
}

fn read_flag(dir: &Path, attribute: &str, odd_fields: &mut Vec<String>) -> Option<bool> {
    read_number(dir, attribute, odd_fields).map(|value| value != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, relative: &str, text: &str) {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A small sysfs tree shaped like this host's: devices/ holds the real
    /// directories and block/ holds symlinks to them.
    fn fixture_tree() -> tempfile::TempDir {
        let tree = tempfile::tempdir().unwrap();
        let root = tree.path();
        let vda = "devices/pci0000:00/0000:00:05.0/virtio3/block/vda";
        write(root, &format!("{vda}/size"), "536870912\n");
        write(root, &format!("{vda}/dev"), "254:0\n");
        write(root, &format!("{vda}/queue/rotational"), "1\n");
        write(root, &format!("{vda}/queue/logical_block_size"), "512\n");
        write(root, &format!("{vda}/queue/physical_block_size"), "4096\n");
        write(root, &format!("{vda}/removable"), "0\n");
        write(root, &format!("{vda}/ro"), "0\n");
        write(root, &format!("{vda}/serial"), "overlayblk\n");
        write(root, &format!("{vda}/device/vendor"), "0x1af4\n");
        let loop0 = "devices/virtual/block/loop0";
        write(root, &format!("{loop0}/size"), "6291456\n");
        write(root, &format!("{loop0}/queue/rotational"), "0\n");
        write(
            root,
            &format!("{loop0}/loop/backing_file"),
            "/tmp/pool.img\n",
        );
        let loop1 = "devices/virtual/block/loop1";
        write(root, &format!("{loop1}/size"), "0\n");
        let zram = "devices/virtual/block/zram0";
        write(root, &format!("{zram}/size"), "131072\n");
        write(root, &format!("{zram}/queue/rotational"), "garbage\n");
        let sda = "devices/pci0000:00/host0/target0:0:0/0:0:0:0/block/sda";
        write(root, &format!("{sda}/size"), "1000\n");
        write(
            root,
            &format!("{sda}/device/wwid"),
            "naa.5000c500a1b2c3d4\n",
        );
        write(root, &format!("{sda}/device/model"), "ST1000DM003     \n");
        std::fs::create_dir_all(root.join("block")).unwrap();
        for (name, target) in [
            ("vda", vda),
            ("loop0", loop0),
            ("loop1", loop1),
            ("zram0", zram),
            ("sda", sda),
        ] {
            std::os::unix::fs::symlink(root.join(target), root.join("block").join(name)).unwrap();
        }
        // Odd entries: a dangling link and a plain file.
        std::os::unix::fs::symlink(root.join("devices/nowhere"), root.join("block/ghost")).unwrap();
        write(root, "block/README", "not a device\n");
        tree
    }

    #[test]
    fn fixture_tree_is_read_with_kinds_and_odd_fields() {
        let tree = fixture_tree();
        let devices = list_block_devices(tree.path()).unwrap();
        let names: Vec<&str> = devices.iter().map(|device| device.name.as_str()).collect();
        assert_eq!(names, vec!["loop0", "loop1", "sda", "vda", "zram0"]);
        let vda = &devices[3];
        assert_eq!(vda.kind, DeviceKind::Virtio);
        assert!(!vda.is_virtual);
        assert_eq!(vda.size_bytes, Some(256 << 30));
        assert_eq!(vda.rotational, Some(true));
        assert_eq!(
            (vda.logical_block_size, vda.physical_block_size),
            (Some(512), Some(4096))
        );
        assert_eq!(vda.serial.as_deref(), Some("overlayblk"));
        assert_eq!(vda.vendor.as_deref(), Some("0x1af4"));
        assert_eq!(vda.dev_number.as_deref(), Some("254:0"));
        assert_eq!(vda.dev_path, PathBuf::from("/dev/vda"));
        let loop0 = &devices[0];
        assert_eq!(loop0.kind, DeviceKind::Loop);
        assert!(loop0.is_virtual);
        assert_eq!(
            loop0.loop_backing_file,
            Some(PathBuf::from("/tmp/pool.img"))
        );
        assert!(!loop0.is_unused_placeholder());
        assert!(devices[1].is_unused_placeholder());
        let sda = &devices[2];
        assert_eq!(sda.kind, DeviceKind::Scsi);
        assert_eq!(sda.wwid.as_deref(), Some("naa.5000c500a1b2c3d4"));
        assert_eq!(sda.model.as_deref(), Some("ST1000DM003"));
        let zram = &devices[4];
        assert_eq!(zram.kind, DeviceKind::Zram);
        assert_eq!(zram.rotational, None);
        assert_eq!(zram.odd_fields, vec!["queue/rotational"]);
    }

    #[test]
    fn missing_sysfs_is_an_error() {
        let tree = tempfile::tempdir().unwrap();
        assert!(list_block_devices(tree.path()).is_err());
    }

    #[test]
    fn real_sysfs_lists_this_hosts_disks() {
        let devices = list_block_devices(Path::new("/sys")).unwrap();
        assert!(!devices.is_empty());
        for device in &devices {
            assert!(device.size_bytes.is_some(), "{} has no size", device.name);
            if device.name.starts_with("loop") {
                assert_eq!(device.kind, DeviceKind::Loop);
                assert!(device.is_virtual);
            }
            if device.name.starts_with("vd") {
                assert_eq!(device.kind, DeviceKind::Virtio);
                assert!(!device.is_virtual);
            }
        }
    }
}
