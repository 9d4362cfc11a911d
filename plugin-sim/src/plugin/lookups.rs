//! Lookups and checks inside a transaction: objects by id, name and initiator
//! checks, space accounting (sizes in blocks, charging pools), inserting
//! volumes, job rows, dependency queries and RAID geometry.

use lsm_core::ErrorNumber;
use lsm_core::plugin::Search;
use lsm_core::types::*;
use rusqlite::{Connection, OptionalExtension, params};

use super::rows::{fs_cols, fs_of, pool_cols, pool_of, snapshot_of, volume_cols, volume_of};
use super::{job_duration, lsm, not_found, now_secs};
use crate::state::*;

/// The whole blocks `size_bytes` (not negative) takes, rounded up. Sizes whose blocks do
/// not fit `i64` bytes (within a block of `i64::MAX`, more than any pool holds) are
/// `NOT_ENOUGH_SPACE`, as every size larger than a pool's free space is.
pub(super) fn blocks_for(size_bytes: i64) -> SimResult<i64> {
    let blocks = size_bytes / BLOCK_SIZE + i64::from(size_bytes % BLOCK_SIZE != 0);
    match blocks.checked_mul(BLOCK_SIZE) {
        Some(_) => Ok(blocks),
        None => Err(lsm(
            ErrorNumber::NOT_ENOUGH_SPACE,
            format!("Insufficient space in pool: {size_bytes} bytes requested"),
        )),
    }
}

pub(super) fn system_check(tx: &Connection, system: &System) -> SimResult<()> {
    let found: Option<String> = tx
        .query_row("SELECT id FROM systems WHERE id = ?1", [&system.id], |r| {
            r.get(0)
        })
        .optional()?;
    match found {
        Some(_) => Ok(()),
        None => Err(not_found(
            ErrorNumber::NOT_FOUND_SYSTEM,
            "System",
            &system.id,
        )),
    }
}

pub(super) fn pool_get(tx: &Connection, id: &str) -> SimResult<Pool> {
    let n =
        parse_id("POOL", id).ok_or_else(|| not_found(ErrorNumber::NOT_FOUND_POOL, "Pool", id))?;
    tx.prepare_cached(concat!(
        "SELECT ",
        pool_cols!(),
        " FROM pools WHERE id = ?1"
    ))?
    .query_row([n], pool_of)
    .optional()?
    .ok_or_else(|| not_found(ErrorNumber::NOT_FOUND_POOL, "Pool", id))
}

pub(super) fn volume_get(tx: &Connection, id: &str) -> SimResult<Volume> {
    let n = parse_id("VOL", id)
        .ok_or_else(|| not_found(ErrorNumber::NOT_FOUND_VOLUME, "Volume", id))?;
    tx.prepare_cached(concat!(
        "SELECT ",
        volume_cols!(),
        " FROM volumes WHERE id = ?1"
    ))?
    .query_row([n], volume_of)
    .optional()?
    .ok_or_else(|| not_found(ErrorNumber::NOT_FOUND_VOLUME, "Volume", id))
}

pub(super) fn fs_get(tx: &Connection, id: &str) -> SimResult<FileSystem> {
    let n =
        parse_id("FS", id).ok_or_else(|| not_found(ErrorNumber::NOT_FOUND_FS, "FileSystem", id))?;
    tx.prepare_cached(concat!("SELECT ", fs_cols!(), " FROM fs WHERE id = ?1"))?
        .query_row([n], fs_of)
        .optional()?
        .ok_or_else(|| not_found(ErrorNumber::NOT_FOUND_FS, "FileSystem", id))
}

/// The snapshot, checked to belong to `fs_n`.
pub(super) fn snapshot_get(tx: &Connection, fs_n: i64, id: &str) -> SimResult<FsSnapshot> {
    let missing = || not_found(ErrorNumber::NOT_FOUND_FS_SS, "Snapshot", id);
    let n = parse_id("FS_SNAP", id).ok_or_else(missing)?;
    tx.prepare_cached("SELECT id, name, ts FROM fs_snapshots WHERE id = ?1 AND fs_id = ?2")?
        .query_row([n, fs_n], snapshot_of)
        .optional()?
        .ok_or_else(missing)
}

pub(super) fn ag_number(tx: &Connection, id: &str) -> SimResult<i64> {
    let missing = || not_found(ErrorNumber::NOT_FOUND_ACCESS_GROUP, "Access group", id);
    let n = parse_id("AG", id).ok_or_else(missing)?;
    let found: Option<i64> = tx
        .query_row("SELECT id FROM access_groups WHERE id = ?1", [n], |r| {
            r.get(0)
        })
        .optional()?;
    found.ok_or_else(missing)
}

pub(super) fn ag_get(tx: &Connection, n: i64) -> SimResult<AccessGroup> {
    let name: String = tx
        .prepare_cached("SELECT name FROM access_groups WHERE id = ?1")?
        .query_row([n], |r| r.get(0))?;
    let mut stmt = tx.prepare_cached(
        "SELECT init_id, init_type FROM initiators WHERE ag_id = ?1 ORDER BY seq",
    )?;
    let inits: Vec<(String, i64)> = stmt
        .query_map([n], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let types: std::collections::BTreeSet<i64> = inits.iter().map(|(_, t)| *t).collect();
    let init_type = match types.len() {
        0 => InitiatorType::UNKNOWN,
        1 => InitiatorType(*types.iter().next().unwrap_or(&0)),
        _ => InitiatorType::ISCSI_WWPN_MIXED,
    };
    Ok(AccessGroup {
        id: format_id("AG", n),
        name,
        init_ids: inits.into_iter().map(|(i, _)| i).collect(),
        init_type,
        system_id: SYSTEM_ID.to_string(),
        plugin_data: None,
    })
}

pub(super) fn ags_where(
    tx: &Connection,
    sql: &str,
    arg: Option<i64>,
) -> SimResult<Vec<AccessGroup>> {
    let mut stmt = tx.prepare_cached(sql)?;
    let ids: Vec<i64> = match arg {
        Some(a) => stmt
            .query_map([a], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?,
        None => stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?,
    };
    ids.into_iter().map(|n| ag_get(tx, n)).collect()
}

fn free_space(tx: &Connection, pool_n: i64) -> SimResult<i64> {
    Ok(tx
        .prepare_cached("SELECT total_space - used_space FROM pools WHERE id = ?1")?
        .query_row([pool_n], |r| r.get(0))?)
}

/// Take `bytes` from a pool (negative gives back), or NOT_ENOUGH_SPACE.
pub(super) fn charge_pool(tx: &Connection, pool_n: i64, bytes: i64) -> SimResult<()> {
    if bytes > 0 && bytes > free_space(tx, pool_n)? {
        return Err(lsm(
            ErrorNumber::NOT_ENOUGH_SPACE,
            format!(
                "Insufficient space in pool {}: {} bytes requested",
                format_id("POOL", pool_n),
                bytes
            ),
        ));
    }
    tx.prepare_cached("UPDATE pools SET used_space = used_space + ?1 WHERE id = ?2")?
        .execute(params![bytes, pool_n])?;
    Ok(())
}

pub(super) fn check_element(pool: &Pool, needed: PoolElementType, what: &str) -> SimResult<()> {
    if pool.element_type.contains(needed) {
        Ok(())
    } else {
        Err(lsm(
            ErrorNumber::NO_SUPPORT,
            format!("Pool {} cannot hold {what}", pool.id),
        ))
    }
}

pub(super) fn volume_name_free(tx: &Connection, name: &str) -> SimResult<()> {
    let taken: Option<i64> = tx
        .prepare_cached("SELECT id FROM volumes WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?;
    match taken {
        Some(_) => Err(lsm(
            ErrorNumber::NAME_CONFLICT,
            format!("Name '{name}' is already in use by other volume"),
        )),
        None => Ok(()),
    }
}

pub(super) fn fs_name_free(tx: &Connection, name: &str) -> SimResult<()> {
    let taken: Option<i64> = tx
        .query_row("SELECT id FROM fs WHERE name = ?1", [name], |r| r.get(0))
        .optional()?;
    match taken {
        Some(_) => Err(lsm(
            ErrorNumber::NAME_CONFLICT,
            format!("Name '{name}' is already in use by other file system"),
        )),
        None => Ok(()),
    }
}

/// Insert a volume row; returns its number.
pub(super) fn insert_volume(
    tx: &Connection,
    name: &str,
    blocks: i64,
    pool_n: i64,
    thin: bool,
    src: Option<(i64, i64)>,
) -> SimResult<i64> {
    tx.prepare_cached(
        "INSERT INTO volumes (name, vpd83, block_size, num_of_blocks, admin_state, pool_id, thin, \
         src_volume_id, rep_type, wcp, rcp, pdc) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7, ?8, 3, 2, 3)",
    )?
    .execute(params![
        name,
        random_vpd83(),
        BLOCK_SIZE,
        blocks,
        pool_n,
        thin,
        src.map(|s| s.0),
        src.map(|s| s.1)
    ])?;
    Ok(tx.last_insert_rowid())
}

/// A job row reporting COMPLETE after `$LSM_SIM_TIME`.
pub(super) fn new_job(tx: &Connection, item: Option<(&str, i64)>) -> SimResult<String> {
    tx.prepare_cached(
        "INSERT INTO jobs (started, duration, item_kind, item_id) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        now_secs(),
        job_duration(),
        item.map(|i| i.0),
        item.map(|i| i.1)
    ])?;
    Ok(format_id("JOB", tx.last_insert_rowid()))
}

pub(super) fn job_item(tx: &Connection, kind: &str, n: i64) -> SimResult<Option<LsmObject>> {
    let item = match kind {
        "volume" => volume_get(tx, &format_id("VOL", n))
            .ok()
            .map(LsmObject::Volume),
        "fs" => fs_get(tx, &format_id("FS", n))
            .ok()
            .map(LsmObject::FileSystem),
        "snapshot" => tx
            .query_row(
                "SELECT id, name, ts FROM fs_snapshots WHERE id = ?1",
                [n],
                snapshot_of,
            )
            .optional()?
            .map(LsmObject::FsSnapshot),
        _ => None,
    };
    Ok(item)
}

pub(super) fn masked(tx: &Connection, vol_n: i64) -> SimResult<bool> {
    let n: i64 = tx
        .prepare_cached("SELECT count(*) FROM masks WHERE volume_id = ?1")?
        .query_row([vol_n], |r| r.get(0))?;
    Ok(n > 0)
}

pub(super) fn volume_children(tx: &Connection, vol_n: i64) -> SimResult<i64> {
    Ok(tx
        .prepare_cached("SELECT count(*) FROM volumes WHERE src_volume_id = ?1")?
        .query_row([vol_n], |r| r.get(0))?)
}

pub(super) fn fs_children(tx: &Connection, fs_n: i64, files: Option<&[String]>) -> SimResult<bool> {
    let clones: i64 = tx
        .prepare_cached("SELECT count(*) FROM fs WHERE src_fs_id = ?1")?
        .query_row([fs_n], |r| r.get(0))?;
    let mut stmt = tx.prepare_cached("SELECT src_file FROM file_clones WHERE fs_id = ?1")?;
    let sources: Vec<String> = stmt
        .query_map([fs_n], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(match files {
        Some(files) if !files.is_empty() => sources.iter().any(|s| files.contains(s)),
        _ => clones > 0 || !sources.is_empty(),
    })
}

/// RAID geometry of a pool (a sub-pool reports its parent's).
pub(super) fn pool_raid(tx: &Connection, pool_n: i64) -> SimResult<(RaidType, i64, i64)> {
    let (raid, strip, parent): (i64, i64, Option<i64>) = tx
        .prepare_cached("SELECT raid_type, strip_size, parent_pool_id FROM pools WHERE id = ?1")?
        .query_row([pool_n], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    if let Some(parent) = parent {
        return pool_raid(tx, parent);
    }
    let disks: i64 = tx
        .prepare_cached("SELECT count(*) FROM disks WHERE pool_id = ?1")?
        .query_row([pool_n], |r| r.get(0))?;
    Ok((RaidType(raid), strip, disks))
}

pub(super) fn data_disks(raid: RaidType, disks: i64) -> i64 {
    let n = match raid {
        RaidType::RAID1 => 1,
        RaidType::RAID5 => disks - 1,
        RaidType::RAID6 => disks - 2,
        RaidType::RAID10 => disks / 2,
        RaidType::RAID50 => disks - 2,
        RaidType::RAID60 => disks - 4,
        _ => disks,
    };
    n.max(1)
}

pub(super) fn search_number(
    search: Option<&Search>,
    key: &str,
    prefix: &str,
) -> Option<Option<i64>> {
    search
        .filter(|s| s.key == key)
        .map(|s| parse_id(prefix, &s.value))
}

pub(super) fn initiator_unused(tx: &Connection, init_id: &str) -> SimResult<()> {
    let owner: Option<i64> = tx
        .query_row(
            "SELECT ag_id FROM initiators WHERE init_id = ?1",
            [init_id],
            |r| r.get(0),
        )
        .optional()?;
    match owner {
        Some(ag) => Err(lsm(
            ErrorNumber::EXISTS_INITIATOR,
            format!(
                "Initiator {init_id} is already in access group {}",
                format_id("AG", ag)
            ),
        )),
        None => Ok(()),
    }
}
