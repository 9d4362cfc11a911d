//! State file rows to LSM objects: one mapping per object, each with the
//! columns it reads (a macro, so queries are built by `concat!` at compile time).
//! A volume listing fills one reused [`Volume`] per row (`volume_fill`).

use lsm_core::types::*;
use rusqlite::Row;

use crate::state::*;

/// The columns `pool_of` maps (a macro, for queries built by `concat!`).
macro_rules! pool_cols {
    () => {
        "id, name, element_type, unsupported_actions, total_space, used_space, \
                         status, status_info"
    };
}
pub(super) use pool_cols;
pub(super) fn pool_of(r: &Row<'_>) -> rusqlite::Result<Pool> {
    let total: i64 = r.get(4)?;
    let used: i64 = r.get(5)?;
    Ok(Pool {
        id: format_id("POOL", r.get(0)?),
        name: r.get(1)?,
        element_type: PoolElementType(r.get(2)?),
        unsupported_actions: PoolUnsupportedActions(r.get(3)?),
        total_space: total,
        free_space: (total - used).max(0),
        status: PoolStatus(r.get(6)?),
        status_info: r.get(7)?,
        system_id: SYSTEM_ID.to_string(),
        plugin_data: None,
    })
}

/// The columns `volume_of` maps (a macro, for queries built by `concat!`).
macro_rules! volume_cols {
    () => {
        "id, name, vpd83, block_size, num_of_blocks, admin_state, pool_id"
    };
}
pub(super) use volume_cols;
pub(super) fn volume_of(r: &Row<'_>) -> rusqlite::Result<Volume> {
    let mut volume = blank_volume();
    volume_fill(&mut volume, r)?;
    Ok(volume)
}

/// A volume of this system whose row fields `volume_fill` sets.
pub(super) fn blank_volume() -> Volume {
    Volume {
        id: String::new(),
        name: String::new(),
        vpd83: String::new(),
        block_size: 0,
        num_of_blocks: 0,
        admin_state: VolumeAdminState(0),
        system_id: SYSTEM_ID.to_string(),
        pool_id: String::new(),
        plugin_data: None,
    }
}

/// A `volumes` row into an existing `Volume`, reusing its strings.
pub(super) fn volume_fill(volume: &mut Volume, r: &Row<'_>) -> rusqlite::Result<()> {
    format_id_into(&mut volume.id, "VOL", r.get(0)?);
    volume.name.clear();
    volume.name.push_str(r.get_ref(1)?.as_str()?);
    volume.vpd83.clear();
    volume.vpd83.push_str(r.get_ref(2)?.as_str()?);
    volume.block_size = r.get(3)?;
    volume.num_of_blocks = r.get(4)?;
    volume.admin_state = VolumeAdminState(r.get(5)?);
    format_id_into(&mut volume.pool_id, "POOL", r.get(6)?);
    Ok(())
}

/// The columns `disk_of` maps (a macro, for queries built by `concat!`).
macro_rules! disk_cols {
    () => {
        "id, name, disk_type, block_size, num_of_blocks, vpd83, location, rpm, link_type, pool_id"
    };
}
pub(super) use disk_cols;
pub(super) fn disk_of(r: &Row<'_>) -> rusqlite::Result<Disk> {
    let pool: Option<i64> = r.get(9)?;
    let status = if pool.is_some() {
        DiskStatus::OK
    } else {
        DiskStatus::OK | DiskStatus::FREE
    };
    Ok(Disk {
        id: format_id("DISK", r.get(0)?),
        name: r.get(1)?,
        disk_type: DiskType(r.get(2)?),
        block_size: r.get(3)?,
        num_of_blocks: r.get(4)?,
        status,
        system_id: SYSTEM_ID.to_string(),
        plugin_data: None,
        vpd83: r.get(5)?,
        location: r.get(6)?,
        rpm: r.get(7)?,
        link_type: DiskLinkType(r.get(8)?),
    })
}

/// The columns `fs_of` maps (a macro, for queries built by `concat!`).
macro_rules! fs_cols {
    () => {
        "id, name, total_space, pool_id"
    };
}
pub(super) use fs_cols;
pub(super) fn fs_of(r: &Row<'_>) -> rusqlite::Result<FileSystem> {
    let total: i64 = r.get(2)?;
    Ok(FileSystem {
        id: format_id("FS", r.get(0)?),
        name: r.get(1)?,
        total_space: total,
        free_space: total,
        pool_id: format_id("POOL", r.get(3)?),
        system_id: SYSTEM_ID.to_string(),
        plugin_data: None,
    })
}

pub(super) fn snapshot_of(r: &Row<'_>) -> rusqlite::Result<FsSnapshot> {
    Ok(FsSnapshot {
        id: format_id("FS_SNAP", r.get(0)?),
        name: r.get(1)?,
        ts: r.get(2)?,
        plugin_data: None,
    })
}

fn hosts(text: String) -> Vec<String> {
    serde_json::from_str(&text).unwrap_or_default()
}

/// The columns `export_of` maps (a macro, for queries built by `concat!`).
macro_rules! export_cols {
    () => {
        "id, fs_id, export_path, auth, root, rw, ro, anonuid, anongid, options"
    };
}
pub(super) use export_cols;
pub(super) fn export_of(r: &Row<'_>) -> rusqlite::Result<NfsExport> {
    Ok(NfsExport {
        id: format_id("EXP", r.get(0)?),
        fs_id: format_id("FS", r.get(1)?),
        export_path: r.get(2)?,
        auth: r.get(3)?,
        root: hosts(r.get(4)?),
        rw: hosts(r.get(5)?),
        ro: hosts(r.get(6)?),
        anonuid: r.get(7)?,
        anongid: r.get(8)?,
        options: Some(r.get(9)?),
        plugin_data: None,
    })
}
