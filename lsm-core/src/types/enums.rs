//! Wire enums and bitfields of the LSM protocol (protocol doc §2.3 and its "Other enums"
//! table), plus the plain-integer fields' special values as constant modules.
//!
//! Every type here is an open newtype over the wire integer: `DiskType(99)` from a newer peer
//! is kept as is. Names are spelled exactly as the protocol spells them.

use crate::types::macros::{wire_bitfield, wire_enum};

wire_bitfield! {
    /// `System.status`.
    pub struct SystemStatus(i64), default UNKNOWN {
        UNKNOWN = 1,
        OK = 2,
        ERROR = 4,
        DEGRADED = 8,
        PREDICTIVE_FAILURE = 16,
        OTHER = 32,
    }
}

wire_enum! {
    /// `System.mode`: hardware RAID card or HBA.
    pub struct SystemMode(i64), default NO_SUPPORT {
        NO_SUPPORT = -2,
        UNKNOWN = -1,
        HARDWARE_RAID = 0,
        HBA = 1,
    }
}

/// Special values of `System.read_cache_pct` (otherwise 0–100).
pub mod read_cache_pct {
    /// The plugin cannot tell.
    pub const NO_SUPPORT: i64 = -2;
    /// The plugin failed to read it.
    pub const UNKNOWN: i64 = -1;
}

wire_bitfield! {
    /// `Pool.element_type`: what the pool can create.
    pub struct PoolElementType(i64) {
        POOL = 2,
        VOLUME = 4,
        FS = 8,
        DELTA = 16,
        VOLUME_FULL = 32,
        VOLUME_THIN = 64,
        SYS_RESERVED = 1024,
    }
}

impl Default for PoolElementType {
    fn default() -> Self {
        Self::empty()
    }
}

impl Default for PoolUnsupportedActions {
    fn default() -> Self {
        Self::empty()
    }
}

wire_bitfield! {
    /// `Pool.unsupported_actions`: what cannot be done with volumes of the pool.
    pub struct PoolUnsupportedActions(i64) {
        VOLUME_GROW = 1,
        VOLUME_SHRINK = 2,
    }
}

wire_bitfield! {
    /// `Pool.status`.
    pub struct PoolStatus(i64), default UNKNOWN {
        UNKNOWN = 1,
        OK = 2,
        OTHER = 4,
        DEGRADED = 16,
        ERROR = 32,
        STOPPED = 512,
        RECONSTRUCTING = 4096,
        VERIFYING = 8192,
        INITIALIZING = 16384,
        GROWING = 32768,
    }
}

/// Special values of `Pool.total_space` / `Pool.free_space`.
pub mod pool_space {
    /// The plugin could not find the value.
    pub const NOT_FOUND: i64 = -1;
}

wire_enum! {
    /// `pool_member_info` member type.
    pub struct MemberType(i64), default UNKNOWN {
        UNKNOWN = 0,
        OTHER = 1,
        DISK = 2,
        POOL = 3,
    }
}

wire_enum! {
    /// `Volume.admin_state`.
    pub struct VolumeAdminState(i64), default ENABLED {
        DISABLED = 0,
        ENABLED = 1,
    }
}

wire_enum! {
    /// `Disk.disk_type`.
    pub struct DiskType(i64), default UNKNOWN {
        UNKNOWN = 0,
        OTHER = 1,
        ATA = 3,
        SATA = 4,
        SAS = 5,
        FC = 6,
        /// SCSI over PCIe.
        SOP = 7,
        SCSI = 8,
        /// A remote LUN seen as a disk.
        LUN = 9,
        NL_SAS = 51,
        HDD = 52,
        SSD = 53,
        HYBRID = 54,
    }
}

wire_bitfield! {
    /// `Disk.status` (64-bit in C; every named bit fits `i64`).
    pub struct DiskStatus(i64), default UNKNOWN {
        UNKNOWN = 1,
        OK = 2,
        OTHER = 4,
        PREDICTIVE_FAILURE = 8,
        ERROR = 16,
        REMOVED = 32,
        STARTING = 64,
        STOPPING = 128,
        STOPPED = 256,
        INITIALIZING = 512,
        MAINTENANCE_MODE = 1024,
        SPARE_DISK = 2048,
        RECONSTRUCT = 4096,
        FREE = 8192,
    }
}

/// Special values of `Disk.block_size` / `Disk.num_of_blocks`.
pub mod disk_blocks {
    /// The plugin could not find the value.
    pub const NOT_FOUND: i64 = -1;
}

/// Special values of `Disk.rpm` (otherwise the rotation speed).
pub mod rpm {
    /// The plugin does not report rotation speed (the default when absent).
    pub const NO_SUPPORT: i64 = -2;
    /// The plugin failed to read it.
    pub const UNKNOWN: i64 = -1;
    /// Not rotating (SSD).
    pub const NON_ROTATING: i64 = 0;
    /// Same as [`NON_ROTATING`], as the Python binding spells it.
    pub const NON_ROTATING_MEDIUM: i64 = NON_ROTATING;
    /// Rotating, speed unknown.
    pub const ROTATING_UNKNOWN_SPEED: i64 = 1;
}

wire_enum! {
    /// `Disk.link_type`.
    pub struct DiskLinkType(i64), default NO_SUPPORT {
        NO_SUPPORT = -2,
        UNKNOWN = -1,
        FC = 0,
        SSA = 2,
        SBP = 3,
        SRP = 4,
        ISCSI = 5,
        SAS = 6,
        ADT = 7,
        ATA = 8,
        USB = 9,
        SOP = 10,
        PCIE = 11,
    }
}

wire_enum! {
    /// `AccessGroup.init_type` and the `init_type` parameter.
    pub struct InitiatorType(i64), default UNKNOWN {
        UNKNOWN = 0,
        OTHER = 1,
        WWPN = 2,
        ISCSI_IQN = 5,
        ISCSI_WWPN_MIXED = 7,
    }
}

wire_enum! {
    /// `TargetPort.port_type`.
    pub struct TargetPortType(i64), default OTHER {
        OTHER = 1,
        FC = 2,
        FCOE = 3,
        ISCSI = 4,
    }
}

wire_enum! {
    /// `Battery.type`.
    pub struct BatteryType(i64), default UNKNOWN {
        UNKNOWN = 1,
        OTHER = 2,
        CHEMICAL = 3,
        CAPACITOR = 4,
    }
}

wire_bitfield! {
    /// `Battery.status`.
    pub struct BatteryStatus(i64), default UNKNOWN {
        UNKNOWN = 1,
        OTHER = 2,
        OK = 4,
        DISCHARGING = 8,
        CHARGING = 16,
        LEARNING = 32,
        DEGRADED = 64,
        ERROR = 128,
    }
}

wire_enum! {
    /// `rep_type` of `volume_replicate` / `volume_replicate_range`.
    pub struct ReplicationType(i64), default UNKNOWN {
        UNKNOWN = -1,
        CLONE = 2,
        COPY = 3,
        MIRROR_SYNC = 4,
        MIRROR_ASYNC = 5,
    }
}

wire_enum! {
    /// `provisioning` of `volume_create`.
    pub struct Provisioning(i64), default DEFAULT {
        UNKNOWN = -1,
        THIN = 1,
        FULL = 2,
        DEFAULT = 3,
    }
}

wire_enum! {
    /// RAID type (`volume_raid_info`, `pool_member_info`, `volume_raid_create`).
    pub struct RaidType(i64), default UNKNOWN {
        UNKNOWN = -1,
        RAID0 = 0,
        RAID1 = 1,
        RAID3 = 3,
        RAID4 = 4,
        RAID5 = 5,
        RAID6 = 6,
        RAID10 = 10,
        RAID15 = 15,
        RAID16 = 16,
        RAID50 = 50,
        RAID60 = 60,
        RAID51 = 51,
        RAID61 = 61,
        JBOD = 20,
        MIXED = 21,
        OTHER = 22,
    }
}

/// "Unknown" / "default" values of the plain integers in `volume_raid_info` and
/// `volume_raid_create`.
pub mod raid_info {
    /// Strip size unknown.
    pub const STRIP_SIZE_UNKNOWN: i64 = 0;
    /// Disk count unknown.
    pub const DISK_COUNT_UNKNOWN: i64 = 0;
    /// Minimum I/O size unknown.
    pub const MIN_IO_SIZE_UNKNOWN: i64 = 0;
    /// Optimal I/O size unknown.
    pub const OPT_IO_SIZE_UNKNOWN: i64 = 0;
    /// `strip_size` for `volume_raid_create`: let the plugin choose.
    pub const STRIP_SIZE_DEFAULT: i64 = 0;
}

wire_enum! {
    /// Write cache policy (`volume_cache_info`, `volume_write_cache_policy_update`).
    pub struct WriteCachePolicy(i64), default UNKNOWN {
        UNKNOWN = 1,
        WRITE_BACK = 2,
        AUTO = 3,
        WRITE_THROUGH = 4,
    }
}

wire_enum! {
    /// Write cache status (`volume_cache_info`).
    pub struct WriteCacheStatus(i64), default UNKNOWN {
        UNKNOWN = 1,
        WRITE_BACK = 2,
        WRITE_THROUGH = 3,
    }
}

wire_enum! {
    /// Read cache policy, and read cache status (same values).
    pub struct ReadCachePolicy(i64), default UNKNOWN {
        UNKNOWN = 1,
        ENABLED = 2,
        DISABLED = 3,
    }
}

/// Read cache status shares the values of [`ReadCachePolicy`].
pub type ReadCacheStatus = ReadCachePolicy;

wire_enum! {
    /// Physical disk cache setting (`volume_cache_info`, `volume_physical_disk_cache_update`).
    pub struct PhysicalDiskCache(i64), default UNKNOWN {
        UNKNOWN = 1,
        ENABLED = 2,
        DISABLED = 3,
        USE_DISK_SETTING = 4,
    }
}

wire_enum! {
    /// First element of a `job_status` result.
    pub struct JobStatus(i64), default INPROGRESS {
        INPROGRESS = 1,
        COMPLETE = 2,
        ERROR = 3,
    }
}

wire_bitfield! {
    /// Local-disk LED status (client library only, never on the wire).
    pub struct DiskLedStatus(i64), default UNKNOWN {
        UNKNOWN = 1,
        IDENT_ON = 2,
        IDENT_OFF = 4,
        IDENT_UNKNOWN = 8,
        FAULT_ON = 16,
        FAULT_OFF = 32,
        FAULT_UNKNOWN = 64,
    }
}

wire_enum! {
    /// Local-disk health status (client library only, never on the wire).
    pub struct DiskHealthStatus(i64), default UNKNOWN {
        UNKNOWN = -1,
        FAIL = 0,
        WARN = 1,
        GOOD = 2,
    }
}

/// Special values of `NfsExport.anonuid` / `anongid` and `export_fs`'s `anon_uid` / `anon_gid`.
pub mod anon_id {
    /// Not applicable / not set.
    pub const NA: i64 = -1;
    /// The plugin failed to read it.
    pub const ERROR: i64 = -2;
}

/// `flags` bits of `volume_raid_create` (read by the hpsa plugin); every other call sends 0.
pub mod volume_create_flags {
    /// Use the system cache.
    pub const USE_SYSTEM_CACHE: i64 = 1;
    /// Use I/O passthrough.
    pub const USE_IO_PASSTHROUGH: i64 = 2;
    /// Disable the system cache.
    pub const DISABLE_SYSTEM_CACHE: i64 = 4;
    /// Disable I/O passthrough.
    pub const DISABLE_IO_PASSTHROUGH: i64 = 8;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_names_and_unknown_values() {
        assert_eq!(DiskType::SAS.name(), Some("SAS"));
        assert_eq!(DiskType(5), DiskType::SAS);
        assert!(DiskType(99).name().is_none());
        assert!(!DiskType(99).is_known());
        assert_eq!(format!("{:?}", DiskType(99)), "DiskType(99)");
        assert_eq!(format!("{:?}", DiskType::NL_SAS), "NL_SAS");
        assert_eq!(DiskType::from_name("HYBRID"), Some(DiskType(54)));
        assert_eq!(SystemMode::default(), SystemMode::NO_SUPPORT);
        assert_eq!(DiskLinkType::default().value(), -2);
        assert_eq!(RaidType::ALL.len(), 17);
    }

    #[test]
    fn bitfield_operations() {
        let element = PoolElementType(1054);
        assert!(element.contains(PoolElementType::SYS_RESERVED));
        assert!(element.contains(PoolElementType::VOLUME | PoolElementType::FS));
        assert!(!element.contains(PoolElementType::VOLUME_THIN));
        assert_eq!(
            element.names(),
            ["POOL", "VOLUME", "FS", "DELTA", "SYS_RESERVED"]
        );
        assert!(element.is_known());
        assert_eq!(element.name(), None);
        assert_eq!(PoolElementType::FS.name(), Some("FS"));
        assert_eq!(format!("{:?}", PoolElementType(28)), "VOLUME | FS | DELTA");
        assert_eq!(format!("{:?}", DiskStatus(2 | 0x10000)), "OK | 0x10000");
        assert_eq!(format!("{:?}", PoolUnsupportedActions::empty()), "(empty)");

        let mut status = DiskStatus::OK;
        status |= DiskStatus::FREE;
        assert_eq!(status.bits(), 8194);
        status.remove(DiskStatus::OK);
        assert_eq!(status, DiskStatus::FREE);
        assert!(!DiskStatus(1 << 40).is_known());
    }

    #[test]
    fn enums_serialize_as_bare_integers() -> serde_json::Result<()> {
        assert_eq!(serde_json::to_string(&DiskLinkType::NO_SUPPORT)?, "-2");
        assert_eq!(serde_json::from_str::<DiskType>("99")?, DiskType(99));
        // A C peer writes int64 -1 held in a uint64 as u64::MAX.
        assert_eq!(
            serde_json::from_str::<RaidType>("18446744073709551615")?,
            RaidType::UNKNOWN
        );
        assert!(serde_json::from_str::<DiskType>("\"SAS\"").is_err());
        assert!(serde_json::from_str::<DiskType>("1.5").is_err());
        Ok(())
    }
}
