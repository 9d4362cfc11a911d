//! Disks: the block devices of `/sys/block`, and whether they are free.
//!
//! A disk is in use when a pool's btrfs file system or LVM volume group
//! sits on it, when any btrfs file system or mount uses it, when it has
//! partitions or holders (device-mapper, MD); otherwise it is `FREE`.
//! Unused loop and zram placeholders (size 0) are not listed. Type, rpm
//! and link type are what sysfs tells (rotational or not; NVMe is PCIe);
//! vpd83 comes from an NAA `wwid` where the device has one. An entry with
//! unreadable attributes is listed with status `UNKNOWN`.

use std::collections::BTreeSet;
use std::path::Path;

use lsm_core::Result;
use lsm_core::plugin::Call;
use lsm_core::types::*;
use lsm_core::validate::vpd83_is_valid;

use super::Array;
use super::pools::PoolBackendKind;
use crate::sysfs::{BlockDevice, DeviceKind};

/// `name` with anything but `[A-Za-z0-9._:-]` replaced by `_`.
fn id_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._:-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The vpd83 of a device whose wwid is an NAA name.
fn vpd83_of(device: &BlockDevice) -> String {
    device
        .wwid
        .as_deref()
        .and_then(|wwid| wwid.strip_prefix("naa."))
        .map(str::to_ascii_lowercase)
        .filter(|naa| vpd83_is_valid(naa))
        .unwrap_or_default()
}

/// Kernel names of the devices some btrfs file system of the host uses.
fn btrfs_device_names(sys_root: &Path) -> BTreeSet<String> {
    let Ok(entries) = std::fs::read_dir(sys_root.join("fs/btrfs")) else {
        return BTreeSet::new();
    };
    entries
        .flatten()
        .flat_map(|entry| {
            crate::btrfs::device_names(sys_root, &entry.file_name().to_string_lossy())
        })
        .collect()
}

/// Whether the kernel says something sits on `device` (holders or
/// partitions).
fn has_holders_or_partitions(sys_root: &Path, device: &str) -> bool {
    let dir = sys_root.join("block").join(device);
    let holders = std::fs::read_dir(dir.join("holders"))
        .map(|mut entries| entries.next().is_some())
        .unwrap_or(false);
    let partitions = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .any(|entry| entry.path().join("partition").exists())
        })
        .unwrap_or(false);
    holders || partitions
}

/// The LSM disk of one block device; `in_use` decides `FREE`.
fn disk_of(device: &BlockDevice, id: String, in_use: bool, system_id: &str) -> Disk {
    let block_size = device
        .logical_block_size
        .filter(|size| *size > 0)
        .unwrap_or(512);
    let num_of_blocks = device
        .size_bytes
        .map(|size| size / block_size)
        .filter(|blocks| *blocks > 0)
        .and_then(|blocks| i64::try_from(blocks).ok())
        .unwrap_or(disk_blocks::NOT_FOUND);
    let disk_type = match (&device.kind, device.rotational) {
        (
            DeviceKind::Loop
            | DeviceKind::Zram
            | DeviceKind::Ram
            | DeviceKind::DeviceMapper
            | DeviceKind::Md,
            _,
        ) => DiskType::OTHER,
        (_, Some(true)) => DiskType::HDD,
        (_, Some(false)) => DiskType::SSD,
        (_, None) => DiskType::UNKNOWN,
    };
    let mut status = if device.odd_fields.is_empty() && device.size_bytes.is_some() {
        DiskStatus::OK
    } else {
        DiskStatus::UNKNOWN
    };
    if !in_use {
        status |= DiskStatus::FREE;
    }
    Disk {
        id,
        name: device.name.clone(),
        disk_type,
        block_size: i64::try_from(block_size).unwrap_or(disk_blocks::NOT_FOUND),
        num_of_blocks,
        status,
        system_id: system_id.to_owned(),
        plugin_data: None,
        vpd83: vpd83_of(device),
        location: String::new(),
        rpm: match device.rotational {
            Some(true) => rpm::ROTATING_UNKNOWN_SPEED,
            Some(false) => rpm::NON_ROTATING,
            None => rpm::UNKNOWN,
        },
        link_type: if device.kind == DeviceKind::Nvme {
            DiskLinkType::PCIE
        } else {
            DiskLinkType::UNKNOWN
        },
    }
}

/// `disks`.
pub(super) fn list(array: &Array, cx: &Call) -> Result<Vec<Disk>> {
    let sys_root = Path::new("/sys");
    let devices = crate::sysfs::list_block_devices(sys_root)?;
    let mut used = btrfs_device_names(sys_root);
    if array
        .configured_pool_kinds()
        .contains(&PoolBackendKind::Lvm)
    {
        // A failing LVM report only costs the FREE flag of its PVs.
        for pv in array.lvm(cx).pvs().unwrap_or_default() {
            let path = std::fs::canonicalize(&pv.name).unwrap_or_else(|_| pv.name.into());
            if let Some(name) = path.file_name() {
                used.insert(name.to_string_lossy().into_owned());
            }
        }
    }
    for entry in crate::mounts::mount_table().unwrap_or_default() {
        let path = std::fs::canonicalize(&entry.source).unwrap_or(entry.source);
        if path.starts_with("/dev")
            && let Some(name) = path.file_name()
        {
            used.insert(name.to_string_lossy().into_owned());
        }
    }
    let mut ids = BTreeSet::new();
    let mut disks = Vec::new();
    for device in devices
        .iter()
        .filter(|device| !device.is_unused_placeholder())
    {
        let mut id = match &device.wwid {
            Some(wwid) => format!("disk-wwid-{}", id_safe(wwid)),
            None => format!("disk-{}", id_safe(&device.name)),
        };
        if !ids.insert(id.clone()) {
            id = format!("{id}-{}", id_safe(&device.name));
            ids.insert(id.clone());
        }
        let in_use =
            used.contains(&device.name) || has_holders_or_partitions(sys_root, &device.name);
        disks.push(disk_of(device, id, in_use, &array.system_id));
    }
    Ok(disks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn device(name: &str, kind: DeviceKind, rotational: Option<bool>) -> BlockDevice {
        BlockDevice {
            name: name.into(),
            dev_path: PathBuf::from("/dev").join(name),
            dev_number: None,
            size_bytes: Some(1 << 30),
            logical_block_size: Some(512),
            physical_block_size: Some(4096),
            rotational,
            removable: Some(false),
            read_only: Some(false),
            kind,
            is_virtual: false,
            serial: None,
            wwid: None,
            model: None,
            vendor: None,
            loop_backing_file: None,
            odd_fields: Vec::new(),
        }
    }

    #[test]
    fn disks_from_devices() {
        let vda = disk_of(
            &device("vda", DeviceKind::Virtio, Some(true)),
            "disk-vda".into(),
            true,
            "sys",
        );
        assert_eq!(vda.disk_type, DiskType::HDD);
        assert_eq!(vda.num_of_blocks, 2 * 1024 * 1024);
        assert_eq!(vda.status, DiskStatus::OK);
        assert_eq!(vda.rpm, rpm::ROTATING_UNKNOWN_SPEED);
        assert_eq!(vda.vpd83, "");

        let mut nvme = device("nvme0n1", DeviceKind::Nvme, Some(false));
        nvme.wwid = Some("naa.600A0B80001234560000ABCD12345678".into());
        let nvme = disk_of(&nvme, "disk-x".into(), false, "sys");
        assert_eq!(nvme.disk_type, DiskType::SSD);
        assert_eq!(nvme.link_type, DiskLinkType::PCIE);
        assert_eq!(nvme.status, DiskStatus::OK | DiskStatus::FREE);
        assert_eq!(nvme.vpd83, "600a0b80001234560000abcd12345678");
        assert_eq!(nvme.rpm, rpm::NON_ROTATING);

        let mut odd = device("loop3", DeviceKind::Loop, None);
        odd.odd_fields.push("queue/rotational".into());
        odd.size_bytes = None;
        let odd = disk_of(&odd, "disk-loop3".into(), true, "sys");
        assert_eq!(odd.status, DiskStatus::UNKNOWN);
        assert_eq!(odd.disk_type, DiskType::OTHER);
        assert_eq!(odd.num_of_blocks, disk_blocks::NOT_FOUND);
        assert_eq!(odd.rpm, rpm::UNKNOWN);
    }

    #[test]
    fn ids_are_safe() {
        assert_eq!(id_safe("t10.ATA  QEMU HARDDISK"), "t10.ATA__QEMU_HARDDISK");
        assert_eq!(id_safe("loop0"), "loop0");
    }
}
