//! Local disks of this host, read from sysfs: no plugin, no daemon.
//!
//! The counterpart of the reference's `lsm_local_disk_*` and LED-slot
//! functions. Everything comes from sysfs (`/sys/block`, the SCSI VPD pages
//! the kernel exposes, `/sys/class/enclosure` for SES LEDs); a device node is
//! never opened, so a disk that cannot be opened is still listed. What the
//! host does not expose is a `NO_SUPPORT` error naming what is missing.
//!
//! [`LocalDisks::with_roots`] points it at another tree (tests use fixture
//! trees; `/sys` and `/dev` by default).

use std::path::{Path, PathBuf};

use crate::error::{ErrorNumber, LsmError, Result};
use crate::types::{DiskHealthStatus, DiskLedStatus, DiskLinkType};

/// Everything `local-disk-list` shows about one disk; `None` where the host
/// does not tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalDiskInfo {
    /// The block device, `/dev/sdX`.
    pub path: String,
    /// The SCSI VPD page 0x83 id (NAA), `""` when the disk has none.
    pub vpd83: String,
    /// The rotation speed (0: solid state).
    pub rpm: Option<i64>,
    /// How the disk is attached (SAS, SATA, ...).
    pub link_type: Option<DiskLinkType>,
    /// The serial number.
    pub serial_num: Option<String>,
    /// The state of its enclosure LEDs.
    pub led_status: Option<DiskLedStatus>,
    /// The link speed in Mbps.
    pub link_speed: Option<i64>,
    /// What the disk says of its own health.
    pub health_status: Option<DiskHealthStatus>,
}

/// An LED slot of an SES enclosure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedSlot {
    /// `<enclosure>:<component>`, e.g. `0:0:1:0:Slot 01`.
    pub id: String,
    /// The block device in the slot (`/dev/sdb`), if any.
    pub device: Option<String>,
    dir: PathBuf,
}

/// The local-disk API over one sysfs tree.
#[derive(Debug, Clone)]
pub struct LocalDisks {
    sys: PathBuf,
    dev: PathBuf,
}

impl Default for LocalDisks {
    fn default() -> Self {
        LocalDisks::with_roots("/sys", "/dev")
    }
}

fn no_support(msg: impl Into<String>) -> LsmError {
    LsmError::new(ErrorNumber::NO_SUPPORT, msg)
}

fn read_trimmed(path: &Path) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The NAA designator (association: logical unit) of a VPD page 0x83, as
/// lowercase hex, if the page holds one.
pub fn naa_from_vpd_page83(page: &[u8]) -> Option<String> {
    if page.len() < 4 || page[1] != 0x83 {
        return None;
    }
    let len = usize::from(u16::from_be_bytes([page[2], page[3]]));
    let body = page.get(4..4 + len.min(page.len().saturating_sub(4)))?;
    let mut at = 0;
    while at + 4 <= body.len() {
        let designator_type = body[at + 1] & 0x0f;
        let association = (body[at + 1] >> 4) & 0x03;
        let dlen = usize::from(body[at + 3]);
        let data = body.get(at + 4..at + 4 + dlen)?;
        if designator_type == 3 && association == 0 && (dlen == 8 || dlen == 16) {
            let hex: String = data.iter().map(|b| format!("{b:02x}")).collect();
            if crate::validate::vpd83_is_valid(&hex) {
                return Some(hex);
            }
        }
        at += 4 + dlen;
    }
    None
}

/// A link speed text from sysfs (`6.0 Gbps`, `12.0 Gbit`, `1.5 Gbps`) in Mbps.
fn parse_link_speed(text: &str) -> Option<i64> {
    let mut parts = text.split_whitespace();
    let value: f64 = parts.next()?.parse().ok()?;
    let unit = parts.next().unwrap_or("").to_ascii_lowercase();
    let mbps = if unit.starts_with('g') {
        value * 1000.0
    } else if unit.starts_with('m') {
        value
    } else {
        return None;
    };
    Some(mbps.round() as i64)
}

impl LocalDisks {
    /// Read `sys` as the sysfs root and name devices under `dev`.
    pub fn with_roots(sys: impl Into<PathBuf>, dev: impl Into<PathBuf>) -> Self {
        LocalDisks {
            sys: sys.into(),
            dev: dev.into(),
        }
    }

    fn block_dir(&self, name: &str) -> PathBuf {
        self.sys.join("block").join(name)
    }

    /// `/dev/sda` (or a symlink to it under the dev root) → `sda`, checked
    /// against sysfs.
    fn name_of(&self, path: &str) -> Result<String> {
        let given = Path::new(path);
        let resolved = std::fs::canonicalize(given).unwrap_or_else(|_| given.to_path_buf());
        let dev_root = std::fs::canonicalize(&self.dev).unwrap_or_else(|_| self.dev.clone());
        let name = resolved
            .strip_prefix(&dev_root)
            .or_else(|_| given.strip_prefix(&self.dev))
            .ok()
            .and_then(|p| p.to_str())
            .filter(|n| !n.is_empty() && !n.contains('/'))
            .ok_or_else(|| {
                LsmError::new(
                    ErrorNumber::INVALID_ARGUMENT,
                    format!(
                        "'{path}' is not a disk path under {} (e.g. {}/sda)",
                        self.dev.display(),
                        self.dev.display()
                    ),
                )
            })?;
        if !self.block_dir(name).exists() {
            return Err(LsmError::new(
                ErrorNumber::NOT_FOUND_DISK,
                format!(
                    "{path}: no such disk in {}",
                    self.sys.join("block").display()
                ),
            ));
        }
        Ok(name.to_string())
    }

    fn dev_path(&self, name: &str) -> String {
        self.dev.join(name).display().to_string()
    }

    /// Every whole-disk block device with a size (RAM disks and empty loop
    /// devices left out), as device paths, sorted.
    pub fn list(&self) -> Result<Vec<String>> {
        let dir = self.sys.join("block");
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| no_support(format!("cannot list {}: {e}", dir.display())))?;
        let mut names: Vec<String> = entries
            .flatten()
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| !n.starts_with("ram"))
            .filter(|n| {
                read_trimmed(&self.block_dir(n).join("size"))
                    .and_then(|s| s.parse::<u64>().ok())
                    .is_some_and(|s| s > 0)
            })
            .collect();
        names.sort();
        Ok(names.iter().map(|n| self.dev_path(n)).collect())
    }

    /// The disk's SCSI VPD 0x83 NAA id, or `""` when it has none.
    pub fn vpd83_get(&self, path: &str) -> Result<String> {
        let name = self.name_of(path)?;
        Ok(self.vpd83_of(&name))
    }

    fn vpd83_of(&self, name: &str) -> String {
        let dir = self.block_dir(name);
        for wwid in [dir.join("device/wwid"), dir.join("wwid")] {
            if let Some(text) = read_trimmed(&wwid)
                && let Some(hex) = text.strip_prefix("naa.")
            {
                let hex = hex.to_ascii_lowercase();
                if crate::validate::vpd83_is_valid(&hex) {
                    return hex;
                }
            }
        }
        std::fs::read(dir.join("device/vpd_pg83"))
            .ok()
            .and_then(|page| naa_from_vpd_page83(&page))
            .unwrap_or_default()
    }

    /// Disks whose VPD 0x83 id is `vpd83` (any case).
    pub fn vpd83_search(&self, vpd83: &str) -> Result<Vec<String>> {
        if !crate::validate::vpd83_is_valid(vpd83) || vpd83.is_empty() {
            return Err(LsmError::new(
                ErrorNumber::INVALID_ARGUMENT,
                format!("'{vpd83}' is not a valid SCSI VPD 0x83 NAA id"),
            ));
        }
        let wanted = vpd83.to_ascii_lowercase();
        let mut found = Vec::new();
        for path in self.list()? {
            let name = self.name_of(&path)?;
            if self.vpd83_of(&name) == wanted {
                found.push(path);
            }
        }
        Ok(found)
    }

    /// The serial number (virtio/NVMe `serial`, or SCSI VPD page 0x80).
    pub fn serial_num_get(&self, path: &str) -> Result<String> {
        let name = self.name_of(path)?;
        let dir = self.block_dir(&name);
        for file in [dir.join("serial"), dir.join("device/serial")] {
            if let Some(serial) = read_trimmed(&file) {
                return Ok(serial);
            }
        }
        if let Ok(page) = std::fs::read(dir.join("device/vpd_pg80"))
            && page.len() > 4
            && page[1] == 0x80
        {
            let len = usize::from(u16::from_be_bytes([page[2], page[3]]));
            let raw = &page[4..(4 + len).min(page.len())];
            let serial = String::from_utf8_lossy(raw).trim().to_string();
            if !serial.is_empty() {
                return Ok(serial);
            }
        }
        Err(no_support(format!(
            "{path}: the host exposes no serial number (no sysfs serial, no VPD page 0x80)"
        )))
    }

    /// Rotation speed: from VPD page 0xb1 when the kernel exposes it, else
    /// 0 (non-rotating) or 1 (rotating, unknown speed) from the queue's
    /// `rotational` flag.
    pub fn rpm_get(&self, path: &str) -> Result<i64> {
        let name = self.name_of(path)?;
        let dir = self.block_dir(&name);
        if let Ok(page) = std::fs::read(dir.join("device/vpd_pgb1"))
            && page.len() >= 6
            && page[1] == 0xb1
        {
            match u16::from_be_bytes([page[4], page[5]]) {
                0 => {}
                1 => return Ok(crate::types::rpm::NON_ROTATING),
                rate @ 0x0401..=0xfffe => return Ok(i64::from(rate)),
                _ => {}
            }
        }
        match read_trimmed(&dir.join("queue/rotational")).as_deref() {
            Some("0") => Ok(crate::types::rpm::NON_ROTATING),
            Some("1") => Ok(crate::types::rpm::ROTATING_UNKNOWN_SPEED),
            _ => Err(no_support(format!(
                "{path}: the host exposes no rotation information (queue/rotational)"
            ))),
        }
    }

    /// The link the disk hangs on, from its place in the device tree.
    pub fn link_type_get(&self, path: &str) -> Result<DiskLinkType> {
        let name = self.name_of(path)?;
        let real = std::fs::canonicalize(self.block_dir(&name))
            .unwrap_or_else(|_| self.block_dir(&name))
            .display()
            .to_string();
        let link = if real.contains("/devices/virtual/") {
            return Err(no_support(format!(
                "{path} is a virtual block device: it has no link"
            )));
        } else if real.contains("/nvme") {
            DiskLinkType::PCIE
        } else if real.contains("/usb") {
            DiskLinkType::USB
        } else if real.contains("/session") {
            DiskLinkType::ISCSI
        } else if real.contains("/rport-") {
            DiskLinkType::FC
        } else if real.contains("/end_device-") || real.contains("/sas_") {
            DiskLinkType::SAS
        } else if real.contains("/ata") {
            DiskLinkType::ATA
        } else {
            return Err(no_support(format!(
                "{path}: its bus ({real}) has no LSM link type"
            )));
        };
        Ok(link)
    }

    /// Negotiated link speed in Mbps (ATA and SAS links).
    pub fn link_speed_get(&self, path: &str) -> Result<i64> {
        let name = self.name_of(path)?;
        let real =
            std::fs::canonicalize(self.block_dir(&name)).unwrap_or_else(|_| self.block_dir(&name));
        // Walk up the device path looking for an ATA link or a SAS phy.
        for dir in real.ancestors() {
            let Some(dir_name) = dir.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if dir_name.starts_with("link") {
                let spd = self
                    .sys
                    .join("class/ata_link")
                    .join(dir_name)
                    .join("sata_spd");
                if let Some(speed) = read_trimmed(&spd).and_then(|t| parse_link_speed(&t)) {
                    return Ok(speed);
                }
            }
            if dir_name.starts_with("phy-") {
                let rate = self
                    .sys
                    .join("class/sas_phy")
                    .join(dir_name)
                    .join("negotiated_linkrate");
                if let Some(speed) = read_trimmed(&rate).and_then(|t| parse_link_speed(&t)) {
                    return Ok(speed);
                }
            }
        }
        Err(no_support(format!(
            "{path}: the host exposes no link speed (no ATA link or SAS phy above it)"
        )))
    }

    /// Health needs SMART or NVMe log pages, which sysfs does not carry.
    pub fn health_status_get(&self, path: &str) -> Result<DiskHealthStatus> {
        self.name_of(path)?;
        Err(no_support(format!(
            "{path}: health status needs SMART/NVMe health data, which this host does not expose in sysfs"
        )))
    }

    /// Every SES enclosure component with LED controls.
    pub fn led_slots(&self) -> Result<Vec<LedSlot>> {
        let class = self.sys.join("class/enclosure");
        let Ok(enclosures) = std::fs::read_dir(&class) else {
            return Ok(Vec::new());
        };
        let mut slots = Vec::new();
        for enclosure in enclosures.flatten() {
            let Ok(components) = std::fs::read_dir(enclosure.path()) else {
                continue;
            };
            for component in components.flatten() {
                let dir = component.path();
                if !dir.join("locate").exists() && !dir.join("fault").exists() {
                    continue;
                }
                let device = std::fs::read_dir(dir.join("device/block"))
                    .ok()
                    .and_then(|mut it| it.next())
                    .and_then(|e| e.ok())
                    .and_then(|e| e.file_name().to_str().map(|n| self.dev_path(n)));
                slots.push(LedSlot {
                    id: format!(
                        "{}:{}",
                        enclosure.file_name().to_string_lossy(),
                        component.file_name().to_string_lossy()
                    ),
                    device,
                    dir,
                });
            }
        }
        slots.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(slots)
    }

    fn slot_of(&self, path: &str) -> Result<LedSlot> {
        let name = self.name_of(path)?;
        let wanted = self.dev_path(&name);
        self.led_slots()?
            .into_iter()
            .find(|s| s.device.as_deref() == Some(wanted.as_str()))
            .ok_or_else(|| {
                no_support(format!(
                    "{path}: no SES enclosure slot in {} holds this disk, so it has no LEDs to drive",
                    self.sys.join("class/enclosure").display()
                ))
            })
    }

    /// LED state of a slot.
    pub fn led_slot_status_get(&self, slot: &LedSlot) -> Result<DiskLedStatus> {
        let bit = |file: &str, on: DiskLedStatus, off: DiskLedStatus, unknown: DiskLedStatus| {
            match read_trimmed(&slot.dir.join(file)).as_deref() {
                Some("0") => off,
                Some(_) => on,
                None => unknown,
            }
        };
        Ok(bit(
            "locate",
            DiskLedStatus::IDENT_ON,
            DiskLedStatus::IDENT_OFF,
            DiskLedStatus::IDENT_UNKNOWN,
        ) | bit(
            "fault",
            DiskLedStatus::FAULT_ON,
            DiskLedStatus::FAULT_OFF,
            DiskLedStatus::FAULT_UNKNOWN,
        ))
    }

    /// Set a slot's LEDs: any of IDENT_ON/OFF and FAULT_ON/OFF.
    pub fn led_slot_status_set(&self, slot: &LedSlot, state: DiskLedStatus) -> Result<()> {
        let mut wrote = false;
        for (on, off, file) in [
            (DiskLedStatus::IDENT_ON, DiskLedStatus::IDENT_OFF, "locate"),
            (DiskLedStatus::FAULT_ON, DiskLedStatus::FAULT_OFF, "fault"),
        ] {
            let value = match (state.contains(on), state.contains(off)) {
                (true, true) => {
                    return Err(LsmError::new(
                        ErrorNumber::INVALID_ARGUMENT,
                        format!("cannot set {file} LED on and off at once"),
                    ));
                }
                (true, false) => "1",
                (false, true) => "0",
                (false, false) => continue,
            };
            let target = slot.dir.join(file);
            std::fs::write(&target, value).map_err(|e| {
                LsmError::new(
                    ErrorNumber::PERMISSION_DENIED,
                    format!("cannot write {}: {e}", target.display()),
                )
            })?;
            wrote = true;
        }
        if wrote {
            Ok(())
        } else {
            Err(LsmError::new(
                ErrorNumber::INVALID_ARGUMENT,
                "no LED state to set (IDENT_ON, IDENT_OFF, FAULT_ON, FAULT_OFF)",
            ))
        }
    }

    /// LED state of the disk's enclosure slot.
    /// The state of the enclosure LEDs of the disk at `path`.
    pub fn led_status_get(&self, path: &str) -> Result<DiskLedStatus> {
        self.led_slot_status_get(&self.slot_of(path)?)
    }

    /// Lights the identification LED of the disk at `path`.
    pub fn ident_led_on(&self, path: &str) -> Result<()> {
        self.led_slot_status_set(&self.slot_of(path)?, DiskLedStatus::IDENT_ON)
    }

    /// Turns off the identification LED of the disk at `path`.
    pub fn ident_led_off(&self, path: &str) -> Result<()> {
        self.led_slot_status_set(&self.slot_of(path)?, DiskLedStatus::IDENT_OFF)
    }

    /// Lights the fault LED of the disk at `path`.
    pub fn fault_led_on(&self, path: &str) -> Result<()> {
        self.led_slot_status_set(&self.slot_of(path)?, DiskLedStatus::FAULT_ON)
    }

    /// Turns off the fault LED of the disk at `path`.
    pub fn fault_led_off(&self, path: &str) -> Result<()> {
        self.led_slot_status_set(&self.slot_of(path)?, DiskLedStatus::FAULT_OFF)
    }

    /// Everything about one disk, each property `None` where unsupported.
    pub fn info(&self, path: &str) -> Result<LocalDiskInfo> {
        Ok(LocalDiskInfo {
            path: path.to_string(),
            vpd83: self.vpd83_get(path)?,
            rpm: self.rpm_get(path).ok(),
            link_type: self.link_type_get(path).ok(),
            serial_num: self.serial_num_get(path).ok(),
            led_status: self.led_status_get(path).ok(),
            link_speed: self.link_speed_get(path).ok(),
            health_status: self.health_status_get(path).ok(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// A fixture tree: sda on ATA with a VPD 0x83 page and an SES slot,
    /// sdb on SAS with a wwid, loop0 virtual, ram0 and an empty loop1.
    fn fixture() -> (tempfile::TempDir, LocalDisks) {
        let root = tempfile::tempdir().unwrap();
        let sys = root.path().join("sys");
        let dev = root.path().join("dev");
        fs::create_dir_all(&dev).unwrap();
        let devices = sys.join("devices");
        let sda = devices.join("pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda");
        let sdb = devices.join(
            "pci0000:00/0000:01:00.0/host1/port-1:0/end_device-1:0/target1:0:0/1:0:0:0/block/sdb",
        );
        let loop0 = devices.join("virtual/block/loop0");
        let loop1 = devices.join("virtual/block/loop1");
        let ram0 = devices.join("virtual/block/ram0");
        for d in [&sda, &sdb, &loop0, &loop1, &ram0] {
            fs::create_dir_all(d.join("queue")).unwrap();
            fs::write(d.join("size"), "2048\n").unwrap();
            fs::write(d.join("queue/rotational"), "1\n").unwrap();
        }
        fs::write(loop1.join("size"), "0\n").unwrap();
        fs::write(loop0.join("queue/rotational"), "0\n").unwrap();
        // sda: device dir with VPD pages.
        let sda_dev = sda.parent().unwrap().parent().unwrap().to_path_buf();
        fs::create_dir_all(&sda_dev).unwrap();
        std::os::unix::fs::symlink(&sda_dev, sda.join("device")).unwrap();
        let mut pg83 = vec![0x00, 0x83, 0x00, 0x00];
        // A T10 vendor id designator (type 1), then an NAA one (type 3).
        pg83.extend_from_slice(&[0x02, 0x01, 0x00, 0x04, b'A', b'B', b'C', b'D']);
        pg83.extend_from_slice(&[
            0x01, 0x03, 0x00, 0x08, 0x50, 0x01, 0x40, 0x5a, 0xbc, 0xde, 0xf0, 0x12,
        ]);
        let len = (pg83.len() - 4) as u16;
        pg83[2..4].copy_from_slice(&len.to_be_bytes());
        fs::write(sda_dev.join("vpd_pg83"), &pg83).unwrap();
        fs::write(
            sda_dev.join("vpd_pg80"),
            [0x00, 0x80, 0x00, 0x06, b' ', b'S', b'N', b'1', b'2', b' '],
        )
        .unwrap();
        fs::write(
            sda_dev.join("vpd_pgb1"),
            [0x00, 0xb1, 0x00, 0x3c, 0x1c, 0x20],
        )
        .unwrap();
        // sdb: wwid, serial, a SAS phy.
        let sdb_dev = sdb.parent().unwrap().parent().unwrap().to_path_buf();
        fs::create_dir_all(&sdb_dev).unwrap();
        std::os::unix::fs::symlink(&sdb_dev, sdb.join("device")).unwrap();
        fs::write(
            sdb_dev.join("wwid"),
            "naa.600A0B800011223344556677889900AA\n",
        )
        .unwrap();
        // /sys/block links, /dev nodes (plain files stand in).
        fs::create_dir_all(sys.join("block")).unwrap();
        for (name, target) in [
            ("sda", &sda),
            ("sdb", &sdb),
            ("loop0", &loop0),
            ("loop1", &loop1),
            ("ram0", &ram0),
        ] {
            std::os::unix::fs::symlink(target, sys.join("block").join(name)).unwrap();
            fs::write(dev.join(name), "").unwrap();
        }
        // ATA link speed.
        fs::create_dir_all(devices.join("pci0000:00/0000:00:1f.2/ata1/link1")).unwrap();
        fs::create_dir_all(sys.join("class/ata_link/link1")).unwrap();
        fs::write(sys.join("class/ata_link/link1/sata_spd"), "6.0 Gbps\n").unwrap();
        // Move sda under the link dir so the walk finds it: re-link.
        let sda_linked = devices.join("pci0000:00/0000:00:1f.2/ata1/link1/dev1.0/block/sda");
        fs::create_dir_all(sda_linked.parent().unwrap()).unwrap();
        fs::rename(&sda, &sda_linked).unwrap();
        fs::remove_file(sys.join("block/sda")).unwrap();
        std::os::unix::fs::symlink(&sda_linked, sys.join("block/sda")).unwrap();
        // An SES enclosure slot holding sda.
        let slot = sys.join("class/enclosure/0:0:1:0/Slot 01");
        fs::create_dir_all(slot.join("device/block/sda")).unwrap();
        fs::write(slot.join("locate"), "0\n").unwrap();
        fs::write(slot.join("fault"), "1\n").unwrap();
        let disks = LocalDisks::with_roots(&sys, &dev);
        (root, disks)
    }

    #[test]
    fn lists_sized_whole_disks() {
        let (_root, d) = fixture();
        let names: Vec<String> = d
            .list()
            .unwrap()
            .iter()
            .map(|p| p.rsplit('/').next().unwrap().to_string())
            .collect();
        assert_eq!(names, ["loop0", "sda", "sdb"]);
    }

    #[test]
    fn vpd83_from_page83_and_wwid() {
        let (_root, d) = fixture();
        let dev = |n: &str| d.dev.join(n).display().to_string();
        assert_eq!(d.vpd83_get(&dev("sda")).unwrap(), "5001405abcdef012");
        assert_eq!(
            d.vpd83_get(&dev("sdb")).unwrap(),
            "600a0b800011223344556677889900aa"
        );
        assert_eq!(d.vpd83_get(&dev("loop0")).unwrap(), "");
        assert_eq!(d.vpd83_search("5001405ABCDEF012").unwrap(), [dev("sda")]);
        assert!(d.vpd83_search("5001405abcdef013").unwrap().is_empty());
        assert_eq!(
            d.vpd83_search("nothex").unwrap_err().code,
            ErrorNumber::INVALID_ARGUMENT
        );
    }

    #[test]
    fn serial_rpm_link() {
        let (_root, d) = fixture();
        let dev = |n: &str| d.dev.join(n).display().to_string();
        assert_eq!(d.serial_num_get(&dev("sda")).unwrap(), "SN12");
        assert_eq!(
            d.serial_num_get(&dev("loop0")).unwrap_err().code,
            ErrorNumber::NO_SUPPORT
        );
        assert_eq!(d.rpm_get(&dev("sda")).unwrap(), 7200);
        assert_eq!(d.rpm_get(&dev("sdb")).unwrap(), 1);
        assert_eq!(d.rpm_get(&dev("loop0")).unwrap(), 0);
        assert_eq!(d.link_type_get(&dev("sda")).unwrap(), DiskLinkType::ATA);
        assert_eq!(d.link_type_get(&dev("sdb")).unwrap(), DiskLinkType::SAS);
        let e = d.link_type_get(&dev("loop0")).unwrap_err();
        assert_eq!(e.code, ErrorNumber::NO_SUPPORT);
        assert!(e.message.contains("virtual"), "{e}");
        assert_eq!(d.link_speed_get(&dev("sda")).unwrap(), 6000);
        assert_eq!(
            d.link_speed_get(&dev("sdb")).unwrap_err().code,
            ErrorNumber::NO_SUPPORT
        );
        assert_eq!(
            d.health_status_get(&dev("sda")).unwrap_err().code,
            ErrorNumber::NO_SUPPORT
        );
    }

    #[test]
    fn leds_through_ses() {
        let (_root, d) = fixture();
        let dev = |n: &str| d.dev.join(n).display().to_string();
        let st = d.led_status_get(&dev("sda")).unwrap();
        assert!(st.contains(DiskLedStatus::IDENT_OFF) && st.contains(DiskLedStatus::FAULT_ON));
        d.ident_led_on(&dev("sda")).unwrap();
        d.fault_led_off(&dev("sda")).unwrap();
        let st = d.led_status_get(&dev("sda")).unwrap();
        assert!(st.contains(DiskLedStatus::IDENT_ON) && st.contains(DiskLedStatus::FAULT_OFF));
        let e = d.ident_led_on(&dev("sdb")).unwrap_err();
        assert_eq!(e.code, ErrorNumber::NO_SUPPORT);
        assert!(e.message.contains("enclosure"), "{e}");
        let slots = d.led_slots().unwrap();
        assert_eq!(slots.len(), 1);
        assert_eq!(slots[0].id, "0:0:1:0:Slot 01");
        assert_eq!(slots[0].device.as_deref(), Some(dev("sda").as_str()));
        let both = DiskLedStatus::IDENT_ON | DiskLedStatus::IDENT_OFF;
        assert_eq!(
            d.led_slot_status_set(&slots[0], both).unwrap_err().code,
            ErrorNumber::INVALID_ARGUMENT
        );
    }

    #[test]
    fn bad_paths() {
        let (_root, d) = fixture();
        assert_eq!(
            d.vpd83_get("/etc/passwd").unwrap_err().code,
            ErrorNumber::INVALID_ARGUMENT
        );
        let missing = d.dev.join("sdz").display().to_string();
        assert_eq!(
            d.vpd83_get(&missing).unwrap_err().code,
            ErrorNumber::NOT_FOUND_DISK
        );
        let info = d.info(&d.dev.join("loop0").display().to_string()).unwrap();
        assert_eq!(info.vpd83, "");
        assert_eq!(info.link_type, None);
        assert_eq!(info.rpm, Some(0));
    }

    #[test]
    fn page83_parser_is_total() {
        assert_eq!(naa_from_vpd_page83(&[]), None);
        assert_eq!(naa_from_vpd_page83(&[0, 0x83, 0xff, 0xff]), None);
        assert_eq!(
            naa_from_vpd_page83(&[0, 0x83, 0, 8, 1, 3, 0, 200, 1, 2, 3, 4]),
            None
        );
        assert_eq!(parse_link_speed("12.0 Gbit"), Some(12000));
        assert_eq!(parse_link_speed("<unknown>"), None);
    }

    #[test]
    fn real_host_lists_without_error() {
        // Whatever this host has (loop, zram, virtio...), listing and info
        // never fail as a whole.
        let d = LocalDisks::default();
        let paths = d.list().expect("listing /sys/block");
        assert!(!paths.is_empty(), "this host shows no sized block device");
        for p in paths {
            d.info(&p).unwrap();
        }
    }
}
