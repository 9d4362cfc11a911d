//! This host's disks, through [`lsm_core::local_disk`] (sysfs only, no
//! plugin): the `Disk Paths` column of volume and disk listings (which
//! `/dev` nodes carry a given SCSI VPD 0x83 id), `local-disk-list`, the
//! local LED commands and the LED slots of SES enclosures.

use std::cell::OnceCell;
use std::collections::HashMap;

use lsm_core::local_disk::{LedSlot, LocalDisks};
use lsm_core::{DiskHealthStatus, DiskLedStatus, DiskLinkType, ErrorNumber, LsmError};

/// The lazily-built `vpd83 → /dev paths` lookup. Nothing is read until a
/// non-empty vpd83 is looked up.
#[derive(Debug, Default)]
pub struct DiskPaths {
    by_vpd83: OnceCell<HashMap<String, Vec<String>>>,
    disks: LocalDisks,
}

impl DiskPaths {
    /// An empty lookup that scans this host's sysfs on first use.
    pub fn new() -> Self {
        Self::default()
    }

    /// A lookup over another sysfs/dev tree (tests).
    #[cfg(test)]
    fn with_disks(disks: LocalDisks) -> Self {
        DiskPaths {
            by_vpd83: OnceCell::new(),
            disks,
        }
    }

    /// The local `/dev` paths whose VPD 0x83 NAA id is `vpd83` (sorted);
    /// none when `vpd83` is empty or not local.
    pub fn paths_for(&self, vpd83: &str) -> Vec<String> {
        if vpd83.is_empty() {
            return Vec::new();
        }
        let map = self.by_vpd83.get_or_init(|| scan_vpd83_paths(&self.disks));
        if map.is_empty() {
            return Vec::new();
        }
        let found = if vpd83.bytes().any(|b| b.is_ascii_uppercase()) {
            map.get(&vpd83.to_ascii_lowercase())
        } else {
            map.get(vpd83)
        };
        found.cloned().unwrap_or_default()
    }
}

fn scan_vpd83_paths(disks: &LocalDisks) -> HashMap<String, Vec<String>> {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for path in disks.list().unwrap_or_default() {
        if let Ok(vpd83) = disks.vpd83_get(&path)
            && !vpd83.is_empty()
        {
            map.entry(vpd83.to_ascii_lowercase())
                .or_default()
                .push(path);
        }
    }
    for paths in map.values_mut() {
        paths.sort();
    }
    map
}

/// What `local-disk-list` shows for one disk (wire-style integers, so
/// `-e` and `--json` show what the reference's library returns).
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

impl From<lsm_core::local_disk::LocalDiskInfo> for LocalDiskInfo {
    fn from(info: lsm_core::local_disk::LocalDiskInfo) -> Self {
        LocalDiskInfo {
            path: info.path,
            vpd83: info.vpd83,
            rpm: info.rpm.unwrap_or(lsm_core::rpm::NO_SUPPORT),
            link_type: info.link_type.unwrap_or(DiskLinkType::NO_SUPPORT).value(),
            serial_num: info.serial_num.unwrap_or_default(),
            led_status: info.led_status.unwrap_or(DiskLedStatus::UNKNOWN).value(),
            link_speed: info.link_speed.unwrap_or(0),
            health_status: info
                .health_status
                .unwrap_or(DiskHealthStatus::UNKNOWN)
                .value(),
        }
    }
}

/// Every local disk with what the host tells of it; a disk whose details
/// cannot be read is still listed with what is known.
pub fn local_disk_list() -> Result<Vec<LocalDiskInfo>, LsmError> {
    let disks = LocalDisks::default();
    Ok(disks
        .list()?
        .into_iter()
        .map(|path| match disks.info(&path) {
            Ok(info) => info.into(),
            Err(_) => LocalDiskInfo {
                path,
                vpd83: String::new(),
                rpm: lsm_core::rpm::NO_SUPPORT,
                link_type: DiskLinkType::NO_SUPPORT.value(),
                serial_num: String::new(),
                led_status: DiskLedStatus::UNKNOWN.value(),
                link_speed: 0,
                health_status: DiskHealthStatus::UNKNOWN.value(),
            },
        })
        .collect())
}

/// What `local-led-slot-list` shows for one slot.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LedSlotInfo {
    /// `<enclosure>:<component>`.
    pub slot_id: String,
    /// The disk in the slot, or `""`.
    pub device: String,
    /// LED status bits.
    pub led_status: i64,
}

/// Every LED slot of the host's SES enclosures.
pub fn led_slot_list() -> Result<Vec<LedSlotInfo>, LsmError> {
    let disks = LocalDisks::default();
    Ok(disks
        .led_slots()?
        .into_iter()
        .map(|slot| LedSlotInfo {
            led_status: disks
                .led_slot_status_get(&slot)
                .unwrap_or(DiskLedStatus::UNKNOWN)
                .value(),
            slot_id: slot.id.clone(),
            device: slot.device.clone().unwrap_or_default(),
        })
        .collect())
}

/// `IDENT_ON`, `FAULT_OFF`, ... up to two joined by `:` → the status bits.
pub fn parse_led_state(text: &str) -> Result<DiskLedStatus, LsmError> {
    let mut state = DiskLedStatus::empty();
    let parts: Vec<&str> = text.split(':').collect();
    if parts.len() > 2 {
        return Err(LsmError::invalid_argument(format!(
            "LED state '{text}': at most two states joined by ':'"
        )));
    }
    for part in parts {
        let bit = match part.trim().to_ascii_uppercase().as_str() {
            "IDENT_ON" => DiskLedStatus::IDENT_ON,
            "IDENT_OFF" => DiskLedStatus::IDENT_OFF,
            "FAULT_ON" => DiskLedStatus::FAULT_ON,
            "FAULT_OFF" => DiskLedStatus::FAULT_OFF,
            other => {
                return Err(LsmError::invalid_argument(format!(
                    "unknown LED state '{other}' (IDENT_ON, IDENT_OFF, FAULT_ON, FAULT_OFF)"
                )));
            }
        };
        state |= bit;
    }
    Ok(state)
}

/// Set the LEDs of the slot named `slot_id`.
pub fn led_slot_set(slot_id: &str, state: DiskLedStatus) -> Result<(), LsmError> {
    let disks = LocalDisks::default();
    let slot: LedSlot = disks
        .led_slots()?
        .into_iter()
        .find(|s| s.id == slot_id)
        .ok_or_else(|| {
            LsmError::new(
                ErrorNumber::NOT_FOUND_GENERIC,
                format!("LED slot {slot_id} not found"),
            )
        })?;
    disks.led_slot_status_set(&slot, state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vpd83_to_dev_paths_from_sysfs() -> std::io::Result<()> {
        let root = tempfile::tempdir()?;
        let sys = root.path().join("sys");
        let dev = root.path().join("dev");
        std::fs::create_dir_all(&dev)?;
        let disk = |name: &str, wwid: &str| -> std::io::Result<()> {
            let dir = sys.join("block").join(name);
            std::fs::create_dir_all(dir.join("device"))?;
            std::fs::write(dir.join("size"), "2048\n")?;
            std::fs::write(dir.join("device/wwid"), format!("{wwid}\n"))?;
            std::fs::write(dev.join(name), "")
        };
        disk("sdb", "naa.5000C500A1B2C3D4")?;
        disk("sda", "naa.5000c500a1b2c3d4")?;
        disk("sdc", "t10.ATA     QEMU HARDDISK")?;
        let lookup = DiskPaths::with_disks(LocalDisks::with_roots(&sys, &dev));
        let expect: Vec<String> = ["sda", "sdb"]
            .iter()
            .map(|n| dev.join(n).display().to_string())
            .collect();
        assert_eq!(lookup.paths_for("5000C500A1B2C3D4"), expect);
        assert!(lookup.paths_for("5000c500a1b2c3d5").is_empty());
        Ok(())
    }

    #[test]
    fn empty_vpd83_has_no_paths_and_reads_nothing() {
        let lookup = DiskPaths::new();
        assert!(lookup.paths_for("").is_empty());
        assert!(lookup.by_vpd83.get().is_none());
    }

    #[test]
    fn led_states() {
        assert_eq!(
            parse_led_state("ident_on:FAULT_OFF").unwrap(),
            DiskLedStatus::IDENT_ON | DiskLedStatus::FAULT_OFF
        );
        assert!(parse_led_state("IDENT_ON:FAULT_ON:IDENT_OFF").is_err());
        assert!(parse_led_state("BLINK").is_err());
    }
}
