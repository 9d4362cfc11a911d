//! The LSM data objects (protocol doc §2.3).
//!
//! Field names are the wire keys; field order is the reference's key order (the Python
//! binding writes attributes in constructor order, as the recorded wire vectors show), and
//! serialization writes `class` first, then the fields in that order.
//!
//! Deserialization is strict like the Python binding: `class` must be present and right, an
//! unknown key is an error, every required field must be present. Optional fields (marked
//! "optional" below) may be missing, as C peers leave them out, or `null`; they then take
//! the reference's default. Content (vpd83 format, initiator ids) is not checked here, so
//! one odd object from an array does not fail a whole listing; see [`crate::validate`].

use crate::types::enums::{
    BatteryStatus, BatteryType, DiskLinkType, DiskStatus, DiskType, InitiatorType, PoolElementType,
    PoolStatus, PoolUnsupportedActions, SystemMode, SystemStatus, TargetPortType, VolumeAdminState,
    read_cache_pct, rpm,
};
use crate::types::macros::wire_object;

wire_object! {
    /// A storage system (an array, a RAID card, this host).
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
    pub struct System("System") {
        /// Unique id.
        id: String,
        /// Human name.
        name: String,
        /// Status bits.
        status: SystemStatus,
        /// Free text about the status.
        status_info: String,
        /// Opaque plugin state, echoed back by clients. Optional.
        plugin_data: Option<String> = None,
        /// Firmware version; `""` when not supported. Optional.
        fw_version: String = String::new(),
        /// Read cache percentage 0–100, or a [`read_cache_pct`] special value. Optional,
        /// default `NO_SUPPORT` (-2).
        read_cache_pct: i64 = read_cache_pct::NO_SUPPORT,
        /// Hardware RAID or HBA mode. Optional, default `NO_SUPPORT` (-2).
        mode: SystemMode = SystemMode::NO_SUPPORT,
    }
}

wire_object! {
    /// A storage pool: where volumes and file systems are carved from.
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
    pub struct Pool("Pool") {
        /// Unique id.
        id: String,
        /// Human name.
        name: String,
        /// What the pool can create.
        element_type: PoolElementType,
        /// What cannot be done with its volumes.
        unsupported_actions: PoolUnsupportedActions,
        /// Total bytes; -1 when not found.
        total_space: i64,
        /// Free bytes; -1 when not found.
        free_space: i64,
        /// Status bits.
        status: PoolStatus,
        /// Free text about the status.
        status_info: String,
        /// Owning system.
        system_id: String,
        /// Opaque plugin state. Optional.
        plugin_data: Option<String> = None,
    }
}

wire_object! {
    /// A block volume (LUN).
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
    pub struct Volume("Volume") {
        /// Unique id.
        id: String,
        /// Human name.
        name: String,
        /// SCSI VPD page 0x83 NAA id: `""`, or 16/32 hex digits
        /// (see [`crate::validate::vpd83_is_valid`]).
        vpd83: String,
        /// Bytes per block.
        block_size: i64,
        /// Number of blocks.
        num_of_blocks: i64,
        /// Enabled or disabled by the administrator.
        admin_state: VolumeAdminState,
        /// Owning system.
        system_id: String,
        /// Pool the volume lives in.
        pool_id: String,
        /// Opaque plugin state. Optional.
        plugin_data: Option<String> = None,
    }
}

impl Volume {
    /// Size in bytes: `block_size × num_of_blocks` (saturating; negative "not found"
    /// values give a non-positive result).
    pub fn size_bytes(&self) -> i64 {
        self.block_size.saturating_mul(self.num_of_blocks)
    }
}

wire_object! {
    /// A physical disk.
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
    pub struct Disk("Disk") {
        /// Unique id.
        id: String,
        /// Human name (often the vendor and model).
        name: String,
        /// Kind of disk.
        disk_type: DiskType,
        /// Bytes per block; -1 when not found.
        block_size: i64,
        /// Number of blocks; -1 when not found.
        num_of_blocks: i64,
        /// Status bits.
        status: DiskStatus,
        /// Owning system.
        system_id: String,
        /// Opaque plugin state. Optional.
        plugin_data: Option<String> = None,
        /// SCSI VPD page 0x83 id; `""` when not supported. Optional.
        vpd83: String = String::new(),
        /// Location in the enclosure; `""` when not supported. Optional.
        location: String = String::new(),
        /// Rotation speed, or an [`rpm`] special value. Optional, default `NO_SUPPORT` (-2).
        rpm: i64 = rpm::NO_SUPPORT,
        /// Link type. Optional, default `NO_SUPPORT` (-2).
        link_type: DiskLinkType = DiskLinkType::NO_SUPPORT,
    }
}

impl Disk {
    /// Size in bytes: `block_size × num_of_blocks` (saturating).
    pub fn size_bytes(&self) -> i64 {
        self.block_size.saturating_mul(self.num_of_blocks)
    }
}

wire_object! {
    /// A set of host initiators that volumes can be masked to.
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
    pub struct AccessGroup("AccessGroup") {
        /// Unique id.
        id: String,
        /// Human name.
        name: String,
        /// Initiator ids (iSCSI names, or WWPNs in lowercase `aa:bb:...` form).
        init_ids: Vec<String>,
        /// Kind of the initiators.
        init_type: InitiatorType,
        /// Owning system.
        system_id: String,
        /// Opaque plugin state. Optional.
        plugin_data: Option<String> = None,
    }
}

wire_object! {
    /// A target port of the array (FC, FCoE, iSCSI).
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
    pub struct TargetPort("TargetPort") {
        /// Unique id.
        id: String,
        /// Kind of port.
        port_type: TargetPortType,
        /// Address initiators log in to (WWPN or iSCSI target name).
        service_address: String,
        /// Network address (WWNN, IP:port).
        network_address: String,
        /// Hardware address (WWPN, MAC).
        physical_address: String,
        /// Hardware name (e.g. `eth0`).
        physical_name: String,
        /// Owning system.
        system_id: String,
        /// Opaque plugin state. Optional.
        plugin_data: Option<String> = None,
    }
}

wire_object! {
    /// A file system.
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
    pub struct FileSystem("FileSystem") {
        /// Unique id.
        id: String,
        /// Human name.
        name: String,
        /// Total bytes.
        total_space: i64,
        /// Free bytes.
        free_space: i64,
        /// Pool the file system lives in.
        pool_id: String,
        /// Owning system.
        system_id: String,
        /// Opaque plugin state. Optional.
        plugin_data: Option<String> = None,
    }
}

wire_object! {
    /// A file system snapshot.
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
    pub struct FsSnapshot("FsSnapshot") {
        /// Unique id.
        id: String,
        /// Human name.
        name: String,
        /// Creation time, Unix seconds.
        ts: i64,
        /// Opaque plugin state. Optional.
        plugin_data: Option<String> = None,
    }
}

wire_object! {
    /// An NFS export of a file system.
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
    pub struct NfsExport("NfsExport") {
        /// Unique id.
        id: String,
        /// Exported file system.
        fs_id: String,
        /// Export path.
        export_path: String,
        /// Authentication type (e.g. `"standard"`), or `""`.
        auth: String,
        /// Hosts with root access (no_root_squash).
        root: Vec<String>,
        /// Hosts with read-write access.
        rw: Vec<String>,
        /// Hosts with read-only access.
        ro: Vec<String>,
        /// Anonymous uid; -1 not applicable, -2 error (see [`crate::types::anon_id`]).
        anonuid: i64,
        /// Anonymous gid; -1 not applicable, -2 error.
        anongid: i64,
        /// Extra export options, or null. Required by Python (but may be null; a missing
        /// key reads as `None`).
        options: Option<String>,
        /// Opaque plugin state. Optional.
        plugin_data: Option<String> = None,
    }
}

wire_object! {
    /// A battery or capacitor protecting a cache.
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
    pub struct Battery("Battery") {
        /// Unique id.
        id: String,
        /// Human name.
        name: String,
        /// Kind of battery (wire key `type`).
        battery_type rename "type": BatteryType,
        /// Status bits.
        status: BatteryStatus,
        /// Owning system.
        system_id: String,
        /// Opaque plugin state. Optional (C leaves it out when unset).
        plugin_data: Option<String> = None,
    }
}

wire_object! {
    /// A block range for `volume_replicate_range`. Has no `plugin_data`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct BlockRange("BlockRange") {
        /// First block in the source volume.
        src_block: i64,
        /// First block in the destination volume.
        dest_block: i64,
        /// Number of blocks.
        block_count: i64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::WireObject;

    #[test]
    fn class_names() {
        assert_eq!(System::CLASS, "System");
        assert_eq!(FsSnapshot::CLASS, "FsSnapshot");
        assert_eq!(BlockRange::CLASS, "BlockRange");
    }

    #[test]
    fn battery_type_uses_the_wire_key_type() -> serde_json::Result<()> {
        let battery = Battery {
            id: "BAT_1".into(),
            name: "cache battery".into(),
            battery_type: BatteryType::CHEMICAL,
            status: BatteryStatus::OK,
            system_id: "sim-01".into(),
            plugin_data: None,
        };
        let text = serde_json::to_string(&battery)?;
        assert_eq!(
            text,
            r#"{"class":"Battery","id":"BAT_1","name":"cache battery","type":3,"status":4,"system_id":"sim-01","plugin_data":null}"#
        );
        assert_eq!(serde_json::from_str::<Battery>(&text)?, battery);
        Ok(())
    }

    #[test]
    fn size_bytes_saturates() {
        let volume = Volume {
            block_size: 512,
            num_of_blocks: 2_097_152,
            ..Volume::default()
        };
        assert_eq!(volume.size_bytes(), 1_073_741_824);
        let huge = Disk {
            block_size: i64::MAX,
            num_of_blocks: 2,
            ..Disk::default()
        };
        assert_eq!(huge.size_bytes(), i64::MAX);
    }
}
