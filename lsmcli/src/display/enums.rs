//! Enum and bitfield texts, exactly as the reference lsmcli prints them (`OK,Free`,
//! `HW RAID`, `SCSI Over PCI-E(SSD)`, ...). In `-e` mode the raw integer is printed instead;
//! that choice is made by the caller ([`super::ValueFormat`]).
//!
//! Rules: a plain enum value the table does not know prints `Unknown(<n>)`; a bitfield prints
//! the names of its set bits in table order joined by `,`, `Unknown(0x..)` when bits are set
//! but none is known, and an empty string for 0.

use std::borrow::Cow;

/// One named value of an enum or one named bit of a bitfield.
type Names = &'static [(i64, &'static str)];

/// The text of a plain enum value: its name, or `Unknown(<n>)`.
pub fn enum_text(value: i64, names: Names) -> String {
    enum_name(value, names).into_owned()
}

/// [`enum_text`] without copying a known name.
pub fn enum_name(value: i64, names: Names) -> Cow<'static, str> {
    names.iter().find(|(known, _)| *known == value).map_or_else(
        || Cow::Owned(format!("Unknown({value})")),
        |(_, name)| Cow::Borrowed(*name),
    )
}

/// The text of a bitfield: set names in table order joined by `,`; `Unknown(0x..)` when bits
/// are set but none is named; `""` for 0.
pub fn bitfield_text(value: i64, names: Names) -> String {
    let set: Vec<&str> = names
        .iter()
        .filter(|(bit, _)| bit & value != 0)
        .map(|(_, name)| *name)
        .collect();
    if set.is_empty() && value != 0 {
        return format!("Unknown({})", python_hex(value));
    }
    set.join(",")
}

/// Python's `hex()`: `0x1f`, `-0x1`.
fn python_hex(value: i64) -> String {
    if value < 0 {
        format!("-{:#x}", value.unsigned_abs())
    } else {
        format!("{value:#x}")
    }
}

/// `System.status`.
pub const SYSTEM_STATUS: Names = &[
    (1, "Unknown"),
    (2, "OK"),
    (4, "Error"),
    (8, "Degraded"),
    (16, "Predictive failure"),
    (32, "Other"),
];

/// `System.mode`: anything but hardware RAID and HBA prints as an empty string.
pub fn system_mode_text(mode: i64) -> String {
    match mode {
        0 => "HW RAID".to_string(),
        1 => "HBA".to_string(),
        _ => String::new(),
    }
}

/// `Pool.status`.
pub const POOL_STATUS: Names = &[
    (1, "Unknown"),
    (2, "OK"),
    (4, "Other"),
    (16, "Degraded"),
    (32, "Error"),
    (512, "Stopped"),
    (4096, "Reconstructing"),
    (8192, "Verifying"),
    (16384, "Initializing"),
    (32768, "Growing"),
];

/// `Pool.element_type`, in the reference's print order.
pub const POOL_ELEMENT_TYPE: Names = &[
    (2, "POOL"),
    (4, "VOLUME"),
    (64, "VOLUME_THIN"),
    (32, "VOLUME_FULL"),
    (8, "FS"),
    (1024, "SYSTEM_RESERVED"),
    (16, "DELTA"),
];

/// `Pool.unsupported_actions` ("Does not support").
pub const POOL_UNSUPPORTED_ACTIONS: Names = &[(1, "Volume Grow"), (2, "Volume Shrink")];

/// `Volume.admin_state` as the "Disabled" column: disabled (0) is `Yes`.
pub const VOLUME_DISABLED: Names = &[(0, "Yes"), (1, "No")];

/// `Disk.disk_type`.
pub const DISK_TYPE: Names = &[
    (0, "UNKNOWN"),
    (1, "Other"),
    (3, "ATA"),
    (4, "SATA"),
    (5, "SAS"),
    (6, "FC"),
    (7, "SCSI Over PCI-E(SSD)"),
    (8, "SCSI"),
    (51, "NL_SAS"),
    (52, "HDD"),
    (53, "SSD"),
    (54, "Hybrid"),
    (9, "Remote LUN"),
];

/// `Disk.status`.
pub const DISK_STATUS: Names = &[
    (1, "Unknown"),
    (2, "OK"),
    (4, "Other"),
    (8, "Predictive failure"),
    (16, "Error"),
    (32, "Removed"),
    (64, "Starting"),
    (128, "Stopping"),
    (256, "Stopped"),
    (512, "Initializing"),
    (1024, "Maintenance"),
    (2048, "Spare"),
    (4096, "Reconstruct"),
    (8192, "Free"),
];

/// `Disk.rpm` (and local disks' rotation speed).
pub fn disk_rpm_text(rpm: i64) -> String {
    match rpm {
        -2 => "No Support".to_string(),
        -1 => "Unknown".to_string(),
        0 => "Non-Rotating Medium".to_string(),
        1 => "Rotating Medium Unknown Speed".to_string(),
        speed => speed.to_string(),
    }
}

/// `Disk.link_type` (and local disks' link type).
pub const DISK_LINK_TYPE: Names = &[
    (-2, "No Support"),
    (-1, "Unknown"),
    (0, "FC"),
    (2, "SSA"),
    (3, "SBP"),
    (4, "SRP"),
    (5, "iSCSI"),
    (6, "SAS"),
    (7, "ADT"),
    (8, "PATA/SATA"),
    (9, "USB"),
    (10, "SCSI over PCIE"),
    (11, "PCI-E"),
];

/// Local disk health status.
pub fn disk_health_text(health: i64) -> String {
    match health {
        -1 => "Unknown".to_string(),
        0 => "Failure".to_string(),
        1 => "Warning".to_string(),
        2 => "Good".to_string(),
        _ => "No Support".to_string(),
    }
}

/// Local disk LED status bits.
pub const DISK_LED_STATUS: Names = &[
    (1, "Unknown"),
    (2, "IDENT_ON"),
    (4, "IDENT_OFF"),
    (8, "IDENT_UNKNOWN"),
    (16, "FAULT_ON"),
    (32, "FAULT_OFF"),
    (64, "FAULT_UNKNOWN"),
];

/// Local disk link speed in Mbps: `%.1f Gbps`, 0 is `Unknown`.
pub fn link_speed_text(mbps: i64) -> String {
    if mbps == 0 {
        "Unknown".to_string()
    } else {
        format!("{:.1} Gbps", mbps as f64 / 1000.0)
    }
}

/// `AccessGroup.init_type`.
pub const ACCESS_GROUP_INIT_TYPE: Names = &[
    (0, "Unknown"),
    (1, "Other"),
    (2, "WWPN"),
    (5, "iSCSI"),
    (7, "iSCSI/WWPN Mixed"),
];

/// `TargetPort.port_type`.
pub const TARGET_PORT_TYPE: Names = &[(1, "Other"), (2, "FC"), (3, "FCoE"), (4, "iSCSI")];

/// `Battery.type`.
pub const BATTERY_TYPE: Names = &[
    (1, "Unknown"),
    (2, "Other"),
    (3, "Chemical"),
    (4, "Capacitor"),
];

/// `Battery.status`.
pub const BATTERY_STATUS: Names = &[
    (1, "Unknown"),
    (2, "Other"),
    (4, "OK"),
    (8, "Discharging"),
    (16, "Charging"),
    (32, "Learning"),
    (64, "Degraded"),
    (128, "Error"),
];

/// RAID type (`volume-raid-info`, `pool-member-info`, `volume-raid-create-cap`).
pub const RAID_TYPE: Names = &[
    (0, "RAID0"),
    (1, "RAID1"),
    (3, "RAID3"),
    (4, "RAID4"),
    (5, "RAID5"),
    (6, "RAID6"),
    (10, "RAID10"),
    (15, "RAID15"),
    (16, "RAID16"),
    (50, "RAID50"),
    (60, "RAID60"),
    (51, "RAID51"),
    (61, "RAID61"),
    (20, "JBOD"),
    (21, "MIXED"),
    (22, "OTHER"),
    (-1, "UNKNOWN"),
];

/// Pool member type (`OTHER` prints as `Unknown` in the reference too).
pub const POOL_MEMBER_TYPE: Names = &[(0, "Unknown"), (1, "Unknown"), (3, "Pool"), (2, "Disk")];

/// Write cache policy.
pub const WRITE_CACHE_POLICY: Names = &[
    (1, "Unknown"),
    (2, "Write Back"),
    (3, "Auto"),
    (4, "Write Through"),
];

/// Write cache status.
pub const WRITE_CACHE_STATUS: Names = &[(1, "Unknown"), (2, "Write Back"), (3, "Write Through")];

/// Read cache policy and read cache status.
pub const READ_CACHE: Names = &[(1, "Unknown"), (2, "Enabled"), (3, "Disabled")];

/// Physical disk cache.
pub const PHYSICAL_DISK_CACHE: Names = &[
    (4, "Use Disk Setting"),
    (2, "Enabled"),
    (3, "Disabled"),
    (1, "Unknown"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitfields_join_set_names_in_table_order() {
        assert_eq!(
            bitfield_text(1054, POOL_ELEMENT_TYPE),
            "POOL,VOLUME,FS,SYSTEM_RESERVED,DELTA"
        );
        assert_eq!(bitfield_text(28, POOL_ELEMENT_TYPE), "VOLUME,FS,DELTA");
        assert_eq!(
            bitfield_text(96, POOL_ELEMENT_TYPE),
            "VOLUME_THIN,VOLUME_FULL"
        );
        assert_eq!(bitfield_text(8194, DISK_STATUS), "OK,Free");
        assert_eq!(
            bitfield_text(3, POOL_UNSUPPORTED_ACTIONS),
            "Volume Grow,Volume Shrink"
        );
        assert_eq!(bitfield_text(0, POOL_UNSUPPORTED_ACTIONS), "");
        assert_eq!(bitfield_text(0x40000, DISK_STATUS), "Unknown(0x40000)");
        assert_eq!(bitfield_text(2 | 0x40000, DISK_STATUS), "OK");
    }

    #[test]
    fn plain_enums_name_or_unknown() {
        assert_eq!(enum_text(7, DISK_TYPE), "SCSI Over PCI-E(SSD)");
        assert_eq!(enum_text(99, DISK_TYPE), "Unknown(99)");
        assert_eq!(enum_text(1, VOLUME_DISABLED), "No");
        assert_eq!(enum_text(0, VOLUME_DISABLED), "Yes");
        assert_eq!(enum_text(7, ACCESS_GROUP_INIT_TYPE), "iSCSI/WWPN Mixed");
        assert_eq!(enum_text(8, DISK_LINK_TYPE), "PATA/SATA");
        assert_eq!(enum_text(1, POOL_MEMBER_TYPE), "Unknown");
        assert_eq!(enum_text(-1, RAID_TYPE), "UNKNOWN");
        assert_eq!(system_mode_text(0), "HW RAID");
        assert_eq!(system_mode_text(-2), "");
    }

    #[test]
    fn special_numbers() {
        assert_eq!(disk_rpm_text(-2), "No Support");
        assert_eq!(disk_rpm_text(0), "Non-Rotating Medium");
        assert_eq!(disk_rpm_text(1), "Rotating Medium Unknown Speed");
        assert_eq!(disk_rpm_text(7200), "7200");
        assert_eq!(link_speed_text(0), "Unknown");
        assert_eq!(link_speed_text(12_000), "12.0 Gbps");
        assert_eq!(disk_health_text(2), "Good");
    }
}
