//! This host's disks, read from sysfs with no plugin involved: the `Disk Paths` column of
//! volume and disk listings (which `/dev` nodes carry a given SCSI VPD 0x83 id), and
//! `local-disk-list`.
//!
//! Only what sysfs tells without privileges or ioctls is reported: the NAA id from
//! `device/wwid`, rotation from `queue/rotational`, the serial number from
//! `device/serial` / `device/vpd_pg80`. LED control needs ledmon-style enclosure access that
//! lsm-rs does not have, so the LED commands answer `NO_SUPPORT`.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where block devices are listed.
const SYS_BLOCK: &str = "/sys/block";

/// The lazily-built `vpd83 → /dev paths` lookup. Nothing is read until a non-empty vpd83 is
/// looked up.
#[derive(Debug, Default)]
pub struct DiskPaths {
    by_vpd83: OnceCell<HashMap<String, Vec<String>>>,
}

impl DiskPaths {
    /// An empty lookup that scans sysfs on first use.
    pub fn new() -> Self {
        Self::default()
    }

    /// The local `/dev` paths whose VPD 0x83 NAA id is `vpd83` (sorted); none when `vpd83` is
    /// empty or not local.
    pub fn paths_for(&self, vpd83: &str) -> Vec<String> {
        if vpd83.is_empty() {
            return Vec::new();
        }
        self.by_vpd83
            .get_or_init(|| scan_vpd83_paths(Path::new(SYS_BLOCK)))
            .get(&vpd83.to_ascii_lowercase())
            .cloned()
            .unwrap_or_default()
    }
}

fn scan_vpd83_paths(sys_block: &Path) -> HashMap<String, Vec<String>> {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for disk in block_disks_under(sys_block) {
        if let Some(vpd83) = disk.vpd83() {
            map.entry(vpd83).or_default().push(disk.dev_path());
        }
    }
    for paths in map.values_mut() {
        paths.sort();
    }
    map
}

/// One block device of this host.
#[derive(Debug, Clone)]
pub struct BlockDisk {
    name: String,
    sys_dir: PathBuf,
}

/// The SCSI (`sd*`) and NVMe namespace (`nvme*n*`) block devices, sorted by name.
pub fn block_disks() -> Vec<BlockDisk> {
    block_disks_under(Path::new(SYS_BLOCK))
}

/// [`block_disks`] of a sysfs `block` directory.
fn block_disks_under(sys_block: &Path) -> Vec<BlockDisk> {
    let Ok(entries) = std::fs::read_dir(sys_block) else {
        return Vec::new();
    };
    let mut disks: Vec<BlockDisk> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            is_disk_name(&name).then(|| BlockDisk {
                sys_dir: sys_block.join(&name),
                name,
            })
        })
        .collect();
    disks.sort_by(|a, b| a.name.cmp(&b.name));
    disks
}

/// `sdX` or `nvmeXnY` (not partitions, not `nvmeXcYnZ` multipath paths).
fn is_disk_name(name: &str) -> bool {
    if let Some(rest) = name.strip_prefix("sd") {
        return !rest.is_empty() && rest.chars().all(|c| c.is_ascii_lowercase());
    }
    if let Some(rest) = name.strip_prefix("nvme") {
        let mut parts = rest.splitn(2, 'n');
        let controller = parts.next().unwrap_or("");
        let namespace = parts.next().unwrap_or("");
        return !controller.is_empty()
            && controller.chars().all(|c| c.is_ascii_digit())
            && !namespace.is_empty()
            && namespace.chars().all(|c| c.is_ascii_digit());
    }
    false
}

fn read_trimmed(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

impl BlockDisk {
    /// `/dev/<name>`.
    pub fn dev_path(&self) -> String {
        format!("/dev/{}", self.name)
    }

    /// The NAA id from `device/wwid` (`naa.5000c500a1b2c3d4` → `5000c500a1b2c3d4`), lowercase.
    pub fn vpd83(&self) -> Option<String> {
        let wwid = read_trimmed(&self.sys_dir.join("device/wwid"))
            .or_else(|| read_trimmed(&self.sys_dir.join("wwid")))?;
        let naa = wwid.strip_prefix("naa.")?;
        Some(naa.to_ascii_lowercase())
    }

    /// 0 for a non-rotating disk, 1 (rotating, speed unknown) otherwise; `None` when sysfs
    /// does not say.
    pub fn rotation(&self) -> Option<i64> {
        match read_trimmed(&self.sys_dir.join("queue/rotational"))?.as_str() {
            "0" => Some(0),
            "1" => Some(1),
            _ => None,
        }
    }

    /// The serial number (`device/serial`, else the text of VPD page 0x80).
    pub fn serial(&self) -> Option<String> {
        if let Some(serial) = read_trimmed(&self.sys_dir.join("device/serial")) {
            return Some(serial);
        }
        let page = std::fs::read(self.sys_dir.join("device/vpd_pg80")).ok()?;
        let length = usize::from(*page.get(3)?);
        let body = page.get(4..4 + length)?;
        let text = String::from_utf8_lossy(body).trim().to_string();
        (!text.is_empty()).then_some(text)
    }
}

/// What `local-disk-list` shows for one disk.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LocalDiskInfo {
    /// `/dev/sdX`.
    pub path: String,
    /// NAA id, or `""`.
    pub vpd83: String,
    /// Rotation speed (`-2` no support, `0` non-rotating, `1` rotating at an unknown speed).
    pub rpm: i64,
    /// Link type (`-2` no support).
    pub link_type: i64,
    /// Serial number, or `""`.
    pub serial_num: String,
    /// LED status bits (`1` unknown).
    pub led_status: i64,
    /// Link speed in Mbps (`0` unknown).
    pub link_speed: i64,
    /// Health (`-1` unknown).
    pub health_status: i64,
}

/// Every local disk with what sysfs tells of it.
pub fn local_disk_list() -> Vec<LocalDiskInfo> {
    block_disks()
        .into_iter()
        .map(|disk| LocalDiskInfo {
            path: disk.dev_path(),
            vpd83: disk.vpd83().unwrap_or_default(),
            rpm: disk.rotation().unwrap_or(lsm_core::rpm::NO_SUPPORT),
            link_type: lsm_core::DiskLinkType::NO_SUPPORT.value(),
            serial_num: disk.serial().unwrap_or_default(),
            led_status: lsm_core::DiskLedStatus::UNKNOWN.value(),
            link_speed: 0,
            health_status: lsm_core::DiskHealthStatus::UNKNOWN.value(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disk_names() {
        for name in ["sda", "sdz", "sdaa", "nvme0n1", "nvme12n3"] {
            assert!(is_disk_name(name), "{name}");
        }
        for name in [
            "sda1",
            "sd",
            "nvme0",
            "nvme0n1p1",
            "nvme0c1n1",
            "loop0",
            "dm-0",
            "vda",
        ] {
            assert!(!is_disk_name(name), "{name}");
        }
    }

    #[test]
    fn vpd83_to_dev_paths_from_sysfs() -> std::io::Result<()> {
        let root = tempfile::tempdir()?;
        let disk = |name: &str, wwid: &str| -> std::io::Result<()> {
            let device = root.path().join(name).join("device");
            std::fs::create_dir_all(&device)?;
            std::fs::write(device.join("wwid"), format!("{wwid}\n"))
        };
        disk("sdb", "naa.5000C500A1B2C3D4")?;
        disk("sda", "naa.5000c500a1b2c3d4")?;
        disk("sdc", "t10.ATA     QEMU HARDDISK")?;
        disk("loop0", "naa.5111111111111111")?;
        let map = scan_vpd83_paths(root.path());
        assert_eq!(
            map.get("5000c500a1b2c3d4"),
            Some(&vec!["/dev/sda".to_string(), "/dev/sdb".to_string()])
        );
        assert_eq!(map.len(), 1);
        let names: Vec<String> = block_disks_under(root.path())
            .iter()
            .map(BlockDisk::dev_path)
            .collect();
        assert_eq!(names, ["/dev/sda", "/dev/sdb", "/dev/sdc"]);
        Ok(())
    }

    #[test]
    fn empty_vpd83_has_no_paths_and_reads_nothing() {
        let lookup = DiskPaths::new();
        assert!(lookup.paths_for("").is_empty());
        assert!(lookup.by_vpd83.get().is_none());
        assert!(lookup.paths_for("5000000000000001").is_empty());
    }
}
