//! The fields of every displayed type, in the reference's order, with its hidden columns,
//! size fields (humanised by `-H`) and enum fields (raw with `-e`).
//!
//! Wire objects come from `lsm_core`; the other rows ([`PluginRow`], [`VolumeRaidRow`], ...)
//! are results that are not objects on the wire, given a name here so they print (and
//! serialize for `--json`) like the objects do.

use lsm_core::{
    AccessGroup, Battery, Disk, FileSystem, FsSnapshot, NfsExport, Pool, PoolMemberInfo,
    RaidCreateCap, System, TargetPort, Volume, VolumeCacheInfo, VolumeRaidInfo,
};
use serde::Serialize;

use super::enums::{self, bitfield_text};
use super::time::local_timestamp;
use super::{Record, ValueFormat};
use crate::local_disks::{LedSlotInfo, LocalDiskInfo};

/// A type that can be shown as a [`Record`].
pub trait ToRecord {
    /// The record of this value under `format`.
    fn to_record(&self, format: &ValueFormat<'_>) -> Record<'_>;
}

impl ToRecord for System {
    fn to_record(&self, format: &ValueFormat<'_>) -> Record<'_> {
        Record::new()
            .text("ID", &self.id)
            .text("Name", &self.name)
            .text("Status", format.bits(self.status.0, enums::SYSTEM_STATUS))
            .text("Info", &self.status_info)
            .text("FW Ver", &self.fw_version)
            .text("Mode", format.special(self.mode.0, enums::system_mode_text))
            .text("Read Cache Percentage", self.read_cache_pct.to_string())
    }
}

impl ToRecord for Pool {
    fn to_record(&self, format: &ValueFormat<'_>) -> Record<'_> {
        Record::new()
            .text("ID", &self.id)
            .text("Name", &self.name)
            .text(
                "Element Type",
                format.bits(self.element_type.0, enums::POOL_ELEMENT_TYPE),
            )
            .hidden(
                "Does not support",
                format.bits(self.unsupported_actions.0, enums::POOL_UNSUPPORTED_ACTIONS),
            )
            .text("Total Space", format.size(self.total_space))
            .text("Free Space", format.size(self.free_space))
            .text("Status", format.bits(self.status.0, enums::POOL_STATUS))
            .text("Info", &self.status_info)
            .text("System ID", &self.system_id)
    }
}

impl ToRecord for Volume {
    fn to_record(&self, format: &ValueFormat<'_>) -> Record<'_> {
        Record::new()
            .text("ID", &self.id)
            .text("Name", &self.name)
            .text("SCSI VPD 0x83", &self.vpd83)
            .hidden("Block Size", format.size(self.block_size))
            .hidden("Block Count", self.num_of_blocks.to_string())
            .text("Size", format.size(self.size_bytes()))
            .text(
                "Disabled",
                format.choice(self.admin_state.0, enums::VOLUME_DISABLED),
            )
            .text("Pool ID", &self.pool_id)
            .text("System ID", &self.system_id)
            .list("Disk Paths", format.disk_paths.paths_for(&self.vpd83))
    }
}

impl ToRecord for Disk {
    fn to_record(&self, format: &ValueFormat<'_>) -> Record<'_> {
        Record::new()
            .text("ID", &self.id)
            .text("Name", &self.name)
            .text("Type", format.choice(self.disk_type.0, enums::DISK_TYPE))
            .hidden("Block Size", format.size(self.block_size))
            .hidden("Block Count", self.num_of_blocks.to_string())
            .text("Size", format.size(self.size_bytes()))
            .text("Status", format.bits(self.status.0, enums::DISK_STATUS))
            .text("System ID", &self.system_id)
            .text("SCSI VPD 0x83", &self.vpd83)
            .list("Disk Paths", format.disk_paths.paths_for(&self.vpd83))
            .text(
                "Revolutions Per Minute",
                format.special(self.rpm, enums::disk_rpm_text),
            )
            .text(
                "Link Type",
                format.choice(self.link_type.0, enums::DISK_LINK_TYPE),
            )
            .hidden("Location", &self.location)
    }
}

impl ToRecord for AccessGroup {
    fn to_record(&self, format: &ValueFormat<'_>) -> Record<'_> {
        Record::new()
            .text("ID", &self.id)
            .text("Name", &self.name)
            .list("Initiator IDs", self.init_ids.clone())
            .hidden(
                "Type",
                format.choice(self.init_type.0, enums::ACCESS_GROUP_INIT_TYPE),
            )
            .text("System ID", &self.system_id)
    }
}

impl ToRecord for FileSystem {
    fn to_record(&self, format: &ValueFormat<'_>) -> Record<'_> {
        Record::new()
            .text("ID", &self.id)
            .text("Name", &self.name)
            .text("Total Space", format.size(self.total_space))
            .text("Free Space", format.size(self.free_space))
            .text("Pool ID", &self.pool_id)
            .text("System ID", &self.system_id)
    }
}

impl ToRecord for FsSnapshot {
    fn to_record(&self, format: &ValueFormat<'_>) -> Record<'_> {
        let time_stamp = if format.raw_enums {
            self.ts.to_string()
        } else {
            local_timestamp(self.ts)
        };
        Record::new()
            .text("ID", &self.id)
            .text("Name", &self.name)
            .text("Time Stamp", time_stamp)
    }
}

impl ToRecord for NfsExport {
    fn to_record(&self, _format: &ValueFormat<'_>) -> Record<'_> {
        Record::new()
            .text("ID", &self.id)
            .text("FileSystem ID", &self.fs_id)
            .text("Export Path", &self.export_path)
            .hidden("Auth Type", &self.auth)
            .list("Root Hosts", self.root.clone())
            .list("RW Hosts", self.rw.clone())
            .list("RO Hosts", self.ro.clone())
            .hidden("Anonymous UID", self.anonuid.to_string())
            .hidden("Anonymous GID", self.anongid.to_string())
            .text("Options", self.options.clone().unwrap_or_default())
    }
}

impl ToRecord for TargetPort {
    fn to_record(&self, format: &ValueFormat<'_>) -> Record<'_> {
        Record::new()
            .text("ID", &self.id)
            .text(
                "Type",
                format.choice(self.port_type.0, enums::TARGET_PORT_TYPE),
            )
            .hidden("Physical Name", &self.physical_name)
            .text("Address", &self.service_address)
            .text("Network Address", &self.network_address)
            .hidden("Physical Address", &self.physical_address)
            .text("System ID", &self.system_id)
    }
}

impl ToRecord for Battery {
    fn to_record(&self, format: &ValueFormat<'_>) -> Record<'_> {
        Record::new()
            .text("ID", &self.id)
            .text("Name", &self.name)
            .text(
                "Type",
                format.choice(self.battery_type.0, enums::BATTERY_TYPE),
            )
            .text("Status", format.bits(self.status.0, enums::BATTERY_STATUS))
            .text("System ID", &self.system_id)
    }
}

/// One installed plugin (`list --type PLUGINS`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PluginRow {
    /// The plugin's description.
    pub description: String,
    /// The plugin's version.
    pub version: String,
}

impl ToRecord for PluginRow {
    fn to_record(&self, _format: &ValueFormat<'_>) -> Record<'_> {
        Record::new()
            .text("Description", &self.description)
            .text("Version", &self.version)
    }
}

/// `volume-raid-info` of one volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VolumeRaidRow {
    /// The volume asked about.
    pub volume_id: String,
    /// RAID type (wire integer).
    pub raid_type: i64,
    /// Strip size in bytes (0 unknown).
    pub strip_size: i64,
    /// Number of disks (0 unknown).
    pub disk_count: i64,
    /// Minimum I/O size in bytes (0 unknown).
    pub min_io_size: i64,
    /// Optimal I/O size in bytes (0 unknown).
    pub opt_io_size: i64,
}

impl VolumeRaidRow {
    /// The row for `volume_id`.
    pub fn new(volume_id: &str, info: VolumeRaidInfo) -> Self {
        VolumeRaidRow {
            volume_id: volume_id.to_string(),
            raid_type: info.raid_type.0,
            strip_size: info.strip_size,
            disk_count: info.disk_count,
            min_io_size: info.min_io_size,
            opt_io_size: info.opt_io_size,
        }
    }
}

impl ToRecord for VolumeRaidRow {
    fn to_record(&self, format: &ValueFormat<'_>) -> Record<'_> {
        Record::new()
            .text("Volume ID", &self.volume_id)
            .text("RAID Type", format.choice(self.raid_type, enums::RAID_TYPE))
            .text("Strip Size", format.size(self.strip_size))
            .text("Disk Count", self.disk_count.to_string())
            .text("Minimum I/O Size", format.size(self.min_io_size))
            .text("Optimal I/O Size", format.size(self.opt_io_size))
    }
}

/// `pool-member-info` of one pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PoolMemberRow {
    /// The pool asked about.
    pub pool_id: String,
    /// RAID type (wire integer).
    pub raid_type: i64,
    /// Member type (wire integer: 2 disks, 3 pools).
    pub member_type: i64,
    /// Ids of the member disks or pools.
    pub member_ids: Vec<String>,
}

impl PoolMemberRow {
    /// The row for `pool_id`.
    pub fn new(pool_id: &str, info: PoolMemberInfo) -> Self {
        PoolMemberRow {
            pool_id: pool_id.to_string(),
            raid_type: info.raid_type.0,
            member_type: info.member_type.0,
            member_ids: info.member_ids,
        }
    }
}

impl ToRecord for PoolMemberRow {
    fn to_record(&self, format: &ValueFormat<'_>) -> Record<'_> {
        Record::new()
            .text("Pool ID", &self.pool_id)
            .text("RAID Type", format.choice(self.raid_type, enums::RAID_TYPE))
            .text(
                "Member Type",
                format.choice(self.member_type, enums::POOL_MEMBER_TYPE),
            )
            .list("Member IDs", self.member_ids.clone())
    }
}

/// `volume-raid-create-cap` of one system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RaidCreateCapRow {
    /// The system asked about.
    pub system_id: String,
    /// RAID types `volume-raid-create` accepts (wire integers).
    pub raid_types: Vec<i64>,
    /// Strip sizes it accepts, in bytes.
    pub strip_sizes: Vec<i64>,
}

impl RaidCreateCapRow {
    /// The row for `system_id`.
    pub fn new(system_id: &str, cap: RaidCreateCap) -> Self {
        RaidCreateCapRow {
            system_id: system_id.to_string(),
            raid_types: cap.raid_types.iter().map(|t| t.0).collect(),
            strip_sizes: cap.strip_sizes,
        }
    }
}

impl ToRecord for RaidCreateCapRow {
    fn to_record(&self, format: &ValueFormat<'_>) -> Record<'_> {
        Record::new()
            .text("System ID", &self.system_id)
            .list(
                "Supported RAID Types",
                self.raid_types
                    .iter()
                    .map(|raid_type| format.choice(*raid_type, enums::RAID_TYPE).into_owned())
                    .collect(),
            )
            .list(
                "Supported Strip Sizes",
                self.strip_sizes
                    .iter()
                    .map(|size| format.size(*size))
                    .collect(),
            )
    }
}

/// `volume-cache-info` (and the cache policy updates) of one volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VolumeCacheRow {
    /// The volume asked about.
    pub volume_id: String,
    /// Write cache policy (wire integer).
    pub write_cache_policy: i64,
    /// Write cache status (wire integer).
    pub write_cache_status: i64,
    /// Read cache policy (wire integer).
    pub read_cache_policy: i64,
    /// Read cache status (wire integer).
    pub read_cache_status: i64,
    /// Physical disk cache (wire integer).
    pub physical_disk_cache: i64,
}

impl VolumeCacheRow {
    /// The row for `volume_id`.
    pub fn new(volume_id: &str, info: VolumeCacheInfo) -> Self {
        VolumeCacheRow {
            volume_id: volume_id.to_string(),
            write_cache_policy: info.write_cache_policy.0,
            write_cache_status: info.write_cache_status.0,
            read_cache_policy: info.read_cache_policy.0,
            read_cache_status: info.read_cache_status.0,
            physical_disk_cache: info.physical_disk_cache.0,
        }
    }
}

impl ToRecord for VolumeCacheRow {
    fn to_record(&self, format: &ValueFormat<'_>) -> Record<'_> {
        Record::new()
            .text("Volume ID", &self.volume_id)
            .text(
                "Write Cache Policy",
                format.choice(self.write_cache_policy, enums::WRITE_CACHE_POLICY),
            )
            .text(
                "Write Cache",
                format.choice(self.write_cache_status, enums::WRITE_CACHE_STATUS),
            )
            .text(
                "Read Cache Policy",
                format.choice(self.read_cache_policy, enums::READ_CACHE),
            )
            .text(
                "Read Cache",
                format.choice(self.read_cache_status, enums::READ_CACHE),
            )
            .text(
                "Physical Disk Cache",
                format.choice(self.physical_disk_cache, enums::PHYSICAL_DISK_CACHE),
            )
    }
}

impl ToRecord for LocalDiskInfo {
    fn to_record(&self, format: &ValueFormat<'_>) -> Record<'_> {
        let led_status = if format.raw_enums {
            self.led_status.to_string()
        } else {
            bitfield_text(self.led_status, enums::DISK_LED_STATUS)
        };
        Record::new()
            .text("Path", &self.path)
            .text("SCSI VPD 0x83", &self.vpd83)
            .hidden(
                "Revolutions Per Minute",
                format.special(self.rpm, enums::disk_rpm_text),
            )
            .text(
                "Link Type",
                format.choice(self.link_type, enums::DISK_LINK_TYPE),
            )
            .text("Serial Number", &self.serial_num)
            .hidden("LED Status", led_status)
            .hidden(
                "Link Speed",
                format.special(self.link_speed, enums::link_speed_text),
            )
            .text(
                "Health Status",
                format.special(self.health_status, enums::disk_health_text),
            )
    }
}

impl ToRecord for LedSlotInfo {
    fn to_record(&self, format: &ValueFormat<'_>) -> Record<'_> {
        let led_status = if format.raw_enums {
            self.led_status.to_string()
        } else {
            bitfield_text(self.led_status, enums::DISK_LED_STATUS)
        };
        Record::new()
            .text("Slot ID", &self.slot_id)
            .text("Device", &self.device)
            .text("LED Status", led_status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::display::Cell;
    use crate::local_disks::DiskPaths;

    fn texts<'a>(record: &'a Record<'_>) -> Vec<(&'a str, String, bool)> {
        record
            .fields
            .iter()
            .map(|field| {
                let value = match &field.value {
                    Cell::Text(text) => text.to_string(),
                    Cell::List(items) => items.join("+"),
                };
                (field.key, value, field.in_columns)
            })
            .collect()
    }

    #[test]
    fn pool_fields_enums_and_sizes() {
        let pool = Pool {
            id: "POOL_ID_00001".into(),
            name: "Pool 1".into(),
            element_type: lsm_core::PoolElementType(1054),
            unsupported_actions: lsm_core::PoolUnsupportedActions(3),
            total_space: 2_199_023_255_552,
            free_space: 1_649_267_441_664,
            status: lsm_core::PoolStatus::OK,
            status_info: String::new(),
            system_id: "sim-01".into(),
            plugin_data: None,
        };
        let paths = DiskPaths::new();
        let plain = ValueFormat {
            human: false,
            raw_enums: false,
            disk_paths: &paths,
        };
        let record = pool.to_record(&plain);
        assert_eq!(
            texts(&record),
            vec![
                ("ID", "POOL_ID_00001".to_string(), true),
                ("Name", "Pool 1".to_string(), true),
                (
                    "Element Type",
                    "POOL,VOLUME,FS,SYSTEM_RESERVED,DELTA".to_string(),
                    true
                ),
                (
                    "Does not support",
                    "Volume Grow,Volume Shrink".to_string(),
                    false
                ),
                ("Total Space", "2199023255552".to_string(), true),
                ("Free Space", "1649267441664".to_string(), true),
                ("Status", "OK".to_string(), true),
                ("Info", String::new(), true),
                ("System ID", "sim-01".to_string(), true),
            ]
        );
        let human_raw = ValueFormat {
            human: true,
            raw_enums: true,
            disk_paths: &paths,
        };
        let record = pool.to_record(&human_raw);
        let record = texts(&record);
        assert_eq!(record[2].1, "1054");
        assert_eq!(record[3].1, "3");
        assert_eq!(record[4].1, "2.00 TiB");
        assert_eq!(record[5].1, "1.50 TiB");
    }

    #[test]
    fn volume_block_size_is_humanised_but_block_count_is_not() {
        let volume = Volume {
            id: "VOL_ID_00001".into(),
            name: "gv1".into(),
            vpd83: String::new(),
            block_size: 512,
            num_of_blocks: 2_097_152,
            admin_state: lsm_core::VolumeAdminState::ENABLED,
            system_id: "sim-01".into(),
            pool_id: "POOL_ID_00004".into(),
            plugin_data: None,
        };
        let paths = DiskPaths::new();
        let format = ValueFormat {
            human: true,
            raw_enums: false,
            disk_paths: &paths,
        };
        let record = volume.to_record(&format);
        let record = texts(&record);
        assert_eq!(record[3], ("Block Size", "512.00 B".to_string(), false));
        assert_eq!(record[4], ("Block Count", "2097152".to_string(), false));
        assert_eq!(record[5], ("Size", "1.00 GiB".to_string(), true));
        assert_eq!(record[6], ("Disabled", "No".to_string(), true));
        assert_eq!(record[9], ("Disk Paths", String::new(), true));
    }
}
