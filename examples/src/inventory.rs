//! What the listing examples print: human-readable sizes and one [`Table`] per kind of
//! object (systems, pools, disks).

use lsm_core::types::read_cache_pct;
use lsm_core::{Disk, Pool, System};

use crate::table::Table;

/// Bytes in binary units with two decimals (`2.00 TiB`), plain bytes below 1 KiB, and
/// `unknown` for the negative values LSM uses for "not found".
pub fn human_size(bytes: i64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 0 {
        return "unknown".to_string();
    }
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.2} {}", UNITS[unit])
}

/// `read_cache_pct` as text: a percentage, or what the special value means.
fn read_cache_text(pct: i64) -> String {
    match pct {
        read_cache_pct::NO_SUPPORT => "-".to_string(),
        read_cache_pct::UNKNOWN => "unknown".to_string(),
        pct => format!("{pct}%"),
    }
}

/// Systems: id, name, status, firmware, read cache, mode.
pub fn system_table(systems: &[System]) -> Table {
    let mut table = Table::new(["ID", "Name", "Status", "FW Version", "Read Cache", "Mode"]);
    for system in systems {
        table.push_row([
            system.id.clone(),
            system.name.clone(),
            system.status.to_string(),
            system.fw_version.clone(),
            read_cache_text(system.read_cache_pct),
            system.mode.to_string(),
        ]);
    }
    table
}

/// Pools: id, name, total and free space, status, system.
pub fn pool_table(pools: &[Pool]) -> Table {
    let mut table = Table::new(["ID", "Name", "Total", "Free", "Status", "System ID"]);
    for pool in pools {
        table.push_row([
            pool.id.clone(),
            pool.name.clone(),
            human_size(pool.total_space),
            human_size(pool.free_space),
            pool.status.to_string(),
            pool.system_id.clone(),
        ]);
    }
    table
}

/// Disks: id, name, type, size, status, system.
pub fn disk_table(disks: &[Disk]) -> Table {
    let mut table = Table::new(["ID", "Name", "Type", "Size", "Status", "System ID"]);
    for disk in disks {
        table.push_row([
            disk.id.clone(),
            disk.name.clone(),
            disk.disk_type.to_string(),
            human_size(disk.size_bytes()),
            disk.status.to_string(),
            disk.system_id.clone(),
        ]);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsm_core::{DiskStatus, DiskType, PoolStatus, SystemMode, SystemStatus};

    #[test]
    fn sizes_use_binary_units() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1024), "1.00 KiB");
        assert_eq!(human_size(1536 * 1024 * 1024), "1.50 GiB");
        assert_eq!(human_size(2 << 40), "2.00 TiB");
        assert_eq!(human_size(2_305_843_009_213_693_952), "2.00 EiB");
        assert_eq!(human_size(i64::MAX), "8.00 EiB");
        assert_eq!(human_size(-1), "unknown");
    }

    #[test]
    fn system_rows_name_status_and_mode() {
        let system = System {
            id: "sim-01".into(),
            name: "LSM simulated storage plug-in".into(),
            status: SystemStatus::OK,
            fw_version: "4.1".into(),
            read_cache_pct: 10,
            mode: SystemMode::HARDWARE_RAID,
            ..System::default()
        };
        let no_cache = System {
            read_cache_pct: read_cache_pct::NO_SUPPORT,
            ..system.clone()
        };
        let text = system_table(&[system, no_cache]).to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[2].contains("OK"), "{text}");
        assert!(lines[2].contains("10%"), "{text}");
        assert!(lines[2].ends_with("HARDWARE_RAID"), "{text}");
        assert!(lines[3].contains(" - "), "{text}");
    }

    #[test]
    fn pool_and_disk_rows_show_sizes() {
        let pool = Pool {
            id: "POOL_ID_00001".into(),
            name: "Pool 1".into(),
            total_space: 2 << 40,
            free_space: 1_649_267_441_664,
            status: PoolStatus::OK,
            system_id: "sim-01".into(),
            ..Pool::default()
        };
        let text = pool_table(&[pool]).to_string();
        assert!(text.contains("2.00 TiB  1.50 TiB  OK"), "{text}");

        let disk = Disk {
            id: "DISK_ID_00001".into(),
            name: "2TiB SATA Disk_1".into(),
            disk_type: DiskType::SATA,
            block_size: 512,
            num_of_blocks: (2 << 40) / 512,
            status: DiskStatus::OK | DiskStatus::FREE,
            system_id: "sim-01".into(),
            ..Disk::default()
        };
        let text = disk_table(&[disk]).to_string();
        assert!(text.contains("SATA  2.00 TiB  OK | FREE"), "{text}");
    }
}
