//! The simulator's answers to every LSM method, over [`State`].
//!
//! Objects a client passes in are looked up by `id` only (a stale copy's
//! other fields are ignored). Mutations are async like the reference's:
//! the change is made and committed at once, and a job row (in the state
//! file, so another connection can poll it) reports COMPLETE after
//! `$LSM_SIM_TIME` seconds.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lsm_core::plugin::{
    AsyncResult, ExportRequest, JobInfo, Management, Nas, PluginInfo, Registration, San, Search,
};
use lsm_core::types::*;
use lsm_core::{
    Capabilities, Capability, ErrorNumber, LsmError, PoolMemberInfo, RaidCreateCap, Result,
    VolumeCacheInfo, VolumeRaidInfo,
};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::state::*;

/// The `sim://` plugin.
#[derive(Default)]
pub struct SimPlugin {
    state: Option<State>,
}

fn not_found(code: ErrorNumber, what: &str, id: &str) -> SimError {
    SimError::Lsm(LsmError::new(code, format!("{what} {id} not found")))
}

fn lsm(code: ErrorNumber, msg: impl Into<String>) -> SimError {
    SimError::Lsm(LsmError::new(code, msg))
}

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Job duration from `$LSM_SIM_TIME` (seconds, default 1).
fn job_duration() -> f64 {
    std::env::var("LSM_SIM_TIME")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
        .unwrap_or(1.0)
}

fn blocks_for(size_bytes: i64) -> i64 {
    (size_bytes + BLOCK_SIZE - 1) / BLOCK_SIZE
}

// ------------------------------------------------------------ row mapping

/// The columns `pool_of` maps (a macro, for queries built by `concat!`).
macro_rules! pool_cols {
    () => {
        "id, name, element_type, unsupported_actions, total_space, used_space, \
                         status, status_info"
    };
}
fn pool_of(r: &Row<'_>) -> rusqlite::Result<Pool> {
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
fn volume_of(r: &Row<'_>) -> rusqlite::Result<Volume> {
    let mut volume = blank_volume();
    volume_fill(&mut volume, r)?;
    Ok(volume)
}

/// A volume of this system whose row fields `volume_fill` sets.
fn blank_volume() -> Volume {
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
fn volume_fill(volume: &mut Volume, r: &Row<'_>) -> rusqlite::Result<()> {
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

/// The SQL and its argument for a `volumes` search; None when the search
/// names an id that cannot exist (nothing to list).
fn volumes_query(search: Option<&Search>) -> Option<(&'static str, Option<i64>)> {
    Some(
        match (
            search_number(search, "id", "VOL"),
            search_number(search, "pool_id", "POOL"),
        ) {
            (Some(None), _) | (_, Some(None)) => return None,
            (Some(Some(n)), _) => (
                concat!("SELECT ", volume_cols!(), " FROM volumes WHERE id = ?1"),
                Some(n),
            ),
            (_, Some(Some(n))) => (
                concat!(
                    "SELECT ",
                    volume_cols!(),
                    " FROM volumes WHERE pool_id = ?1 ORDER BY id"
                ),
                Some(n),
            ),
            _ => (
                concat!("SELECT ", volume_cols!(), " FROM volumes ORDER BY id"),
                None,
            ),
        },
    )
}

/// The columns `disk_of` maps (a macro, for queries built by `concat!`).
macro_rules! disk_cols {
    () => {
        "id, name, disk_type, block_size, num_of_blocks, vpd83, location, rpm, link_type, pool_id"
    };
}
fn disk_of(r: &Row<'_>) -> rusqlite::Result<Disk> {
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
fn fs_of(r: &Row<'_>) -> rusqlite::Result<FileSystem> {
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

fn snapshot_of(r: &Row<'_>) -> rusqlite::Result<FsSnapshot> {
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
fn export_of(r: &Row<'_>) -> rusqlite::Result<NfsExport> {
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

// -------------------------------------------------------------- lookups

fn system_check(tx: &Connection, system: &System) -> SimResult<()> {
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

fn pool_get(tx: &Connection, id: &str) -> SimResult<Pool> {
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

fn volume_get(tx: &Connection, id: &str) -> SimResult<Volume> {
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

fn fs_get(tx: &Connection, id: &str) -> SimResult<FileSystem> {
    let n =
        parse_id("FS", id).ok_or_else(|| not_found(ErrorNumber::NOT_FOUND_FS, "FileSystem", id))?;
    tx.prepare_cached(concat!("SELECT ", fs_cols!(), " FROM fs WHERE id = ?1"))?
        .query_row([n], fs_of)
        .optional()?
        .ok_or_else(|| not_found(ErrorNumber::NOT_FOUND_FS, "FileSystem", id))
}

/// The snapshot, checked to belong to `fs_n`.
fn snapshot_get(tx: &Connection, fs_n: i64, id: &str) -> SimResult<FsSnapshot> {
    let missing = || not_found(ErrorNumber::NOT_FOUND_FS_SS, "Snapshot", id);
    let n = parse_id("FS_SNAP", id).ok_or_else(missing)?;
    tx.prepare_cached("SELECT id, name, ts FROM fs_snapshots WHERE id = ?1 AND fs_id = ?2")?
        .query_row([n, fs_n], snapshot_of)
        .optional()?
        .ok_or_else(missing)
}

fn ag_number(tx: &Connection, id: &str) -> SimResult<i64> {
    let missing = || not_found(ErrorNumber::NOT_FOUND_ACCESS_GROUP, "Access group", id);
    let n = parse_id("AG", id).ok_or_else(missing)?;
    let found: Option<i64> = tx
        .query_row("SELECT id FROM access_groups WHERE id = ?1", [n], |r| {
            r.get(0)
        })
        .optional()?;
    found.ok_or_else(missing)
}

fn ag_get(tx: &Connection, n: i64) -> SimResult<AccessGroup> {
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

fn ags_where(tx: &Connection, sql: &str, arg: Option<i64>) -> SimResult<Vec<AccessGroup>> {
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
fn charge_pool(tx: &Connection, pool_n: i64, bytes: i64) -> SimResult<()> {
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

fn check_element(pool: &Pool, needed: PoolElementType, what: &str) -> SimResult<()> {
    if pool.element_type.contains(needed) {
        Ok(())
    } else {
        Err(lsm(
            ErrorNumber::NO_SUPPORT,
            format!("Pool {} cannot hold {what}", pool.id),
        ))
    }
}

fn volume_name_free(tx: &Connection, name: &str) -> SimResult<()> {
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

fn fs_name_free(tx: &Connection, name: &str) -> SimResult<()> {
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
fn insert_volume(
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
fn new_job(tx: &Connection, item: Option<(&str, i64)>) -> SimResult<String> {
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

fn job_item(tx: &Connection, kind: &str, n: i64) -> SimResult<Option<LsmObject>> {
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

fn masked(tx: &Connection, vol_n: i64) -> SimResult<bool> {
    let n: i64 = tx
        .prepare_cached("SELECT count(*) FROM masks WHERE volume_id = ?1")?
        .query_row([vol_n], |r| r.get(0))?;
    Ok(n > 0)
}

fn volume_children(tx: &Connection, vol_n: i64) -> SimResult<i64> {
    Ok(tx
        .prepare_cached("SELECT count(*) FROM volumes WHERE src_volume_id = ?1")?
        .query_row([vol_n], |r| r.get(0))?)
}

fn fs_children(tx: &Connection, fs_n: i64, files: Option<&[String]>) -> SimResult<bool> {
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
fn pool_raid(tx: &Connection, pool_n: i64) -> SimResult<(RaidType, i64, i64)> {
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

fn data_disks(raid: RaidType, disks: i64) -> i64 {
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

fn search_number(search: Option<&Search>, key: &str, prefix: &str) -> Option<Option<i64>> {
    search
        .filter(|s| s.key == key)
        .map(|s| parse_id(prefix, &s.value))
}

impl SimPlugin {
    fn state(&mut self) -> Result<&mut State> {
        self.state.as_mut().ok_or_else(|| {
            LsmError::new(
                ErrorNumber::INVALID_ARGUMENT,
                "plugin_register must come first",
            )
        })
    }

    fn read<T>(&mut self, f: impl FnOnce(&Connection) -> SimResult<T>) -> Result<T> {
        self.state()?.read(f)
    }

    /// A read that is one statement: no BEGIN / COMMIT around it (see `State::read_one`).
    fn read_one<T>(&mut self, f: impl FnOnce(&Connection) -> SimResult<T>) -> Result<T> {
        self.state()?.read_one(f)
    }

    fn write<T>(&mut self, f: impl FnOnce(&Connection) -> SimResult<T>) -> Result<T> {
        self.state()?.write(f)
    }
}

impl Management for SimPlugin {
    fn plugin_info(&self) -> PluginInfo {
        PluginInfo {
            description: "lsm-rs storage simulator".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }

    fn register(&mut self, registration: &Registration) -> Result<()> {
        let path = state_path(registration.uri.query_param("statefile"));
        self.state = Some(State::open(&path, registration.timeout)?);
        Ok(())
    }

    fn unregister(&mut self) -> Result<()> {
        self.state = None;
        Ok(())
    }

    fn set_timeout(&mut self, timeout: Duration) -> Result<()> {
        self.state()?.set_timeout(timeout)
    }

    fn capabilities(&mut self, system: &System) -> Result<Capabilities> {
        self.read(|tx| system_check(tx, system))?;
        let mut caps = Capabilities::new();
        for (cap, _) in Capability::ALL {
            caps.set(*cap, true);
        }
        for off in [59, 63, 64, 66, 210, 211, 212, 213, 214, 215, 217] {
            caps.set(Capability(off), false);
        }
        Ok(caps)
    }

    fn systems(&mut self) -> Result<Vec<System>> {
        self.read_one(|tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT id, name, status, status_info, read_cache_pct, mode FROM systems",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(System {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    status: SystemStatus(r.get(2)?),
                    status_info: r.get(3)?,
                    plugin_data: None,
                    fw_version: STATE_VERSION.to_string(),
                    read_cache_pct: r.get(4)?,
                    mode: SystemMode(r.get(5)?),
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn pools(&mut self, search: Option<&Search>) -> Result<Vec<Pool>> {
        self.read_one(|tx| {
            if let Some(id) = search_number(search, "id", "POOL") {
                return Ok(match id {
                    Some(_) => pool_get(tx, &search.map(|s| s.value.clone()).unwrap_or_default())
                        .ok()
                        .into_iter()
                        .collect(),
                    None => Vec::new(),
                });
            }
            let mut stmt =
                tx.prepare_cached(concat!("SELECT ", pool_cols!(), " FROM pools ORDER BY id"))?;
            Ok(stmt
                .query_map([], pool_of)?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn job_status(&mut self, job_id: &str) -> Result<JobInfo> {
        self.read(|tx| {
            let missing = || not_found(ErrorNumber::NOT_FOUND_JOB, "Job", job_id);
            let n = parse_id("JOB", job_id).ok_or_else(missing)?;
            let (started, duration, kind, item): (f64, f64, Option<String>, Option<i64>) = tx
                .prepare_cached(
                    "SELECT started, duration, item_kind, item_id FROM jobs WHERE id = ?1",
                )?
                .query_row([n], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .optional()?
                .ok_or_else(missing)?;
            let elapsed = now_secs() - started;
            if duration > 0.0 && elapsed < duration {
                let percent = ((elapsed / duration) * 100.0).clamp(0.0, 99.0) as u8;
                return Ok(JobInfo::in_progress(percent));
            }
            let item = match (kind, item) {
                (Some(kind), Some(n)) => job_item(tx, &kind, n)?,
                _ => None,
            };
            Ok(JobInfo::complete(item))
        })
    }

    fn job_free(&mut self, job_id: &str) -> Result<()> {
        self.write(|tx| {
            let missing = || not_found(ErrorNumber::NOT_FOUND_JOB, "Job", job_id);
            let n = parse_id("JOB", job_id).ok_or_else(missing)?;
            match tx
                .prepare_cached("DELETE FROM jobs WHERE id = ?1")?
                .execute([n])?
            {
                0 => Err(missing()),
                _ => Ok(()),
            }
        })
    }

    fn system_read_cache_pct_update(&mut self, system: &System, read_pct: i64) -> Result<()> {
        self.write(|tx| {
            system_check(tx, system)?;
            tx.prepare_cached("UPDATE systems SET read_cache_pct = ?1 WHERE id = ?2")?
                .execute(params![read_pct, system.id])?;
            Ok(())
        })
    }
}

impl San for SimPlugin {
    fn volumes(&mut self, search: Option<&Search>) -> Result<Vec<Volume>> {
        self.read(|tx| {
            let Some((sql, arg)) = volumes_query(search) else {
                return Ok(Vec::new());
            };
            let mut stmt = tx.prepare_cached(sql)?;
            let rows = match arg {
                Some(a) => stmt
                    .query_map([a], volume_of)?
                    .collect::<rusqlite::Result<Vec<_>>>()?,
                None => stmt
                    .query_map([], volume_of)?
                    .collect::<rusqlite::Result<Vec<_>>>()?,
            };
            Ok(rows)
        })
    }

    /// One `Volume` reused for every row: no allocation per volume, and
    /// never the whole list in memory (100,000 volumes are ~30 MB as objects).
    fn volumes_each(
        &mut self,
        search: Option<&Search>,
        emit: &mut dyn FnMut(&Volume) -> Result<()>,
    ) -> Result<()> {
        self.read(|tx| {
            let Some((sql, arg)) = volumes_query(search) else {
                return Ok(());
            };
            let mut stmt = tx.prepare_cached(sql)?;
            let mut rows = match arg {
                Some(a) => stmt.query([a])?,
                None => stmt.query([])?,
            };
            let mut volume = blank_volume();
            while let Some(row) = rows.next()? {
                volume_fill(&mut volume, row)?;
                emit(&volume)?;
            }
            Ok(())
        })
    }

    fn disks(&mut self, _search: Option<&Search>) -> Result<Vec<Disk>> {
        self.read_one(|tx| {
            let mut stmt =
                tx.prepare_cached(concat!("SELECT ", disk_cols!(), " FROM disks ORDER BY id"))?;
            Ok(stmt
                .query_map([], disk_of)?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn volume_create(
        &mut self,
        pool: &Pool,
        volume_name: &str,
        size_bytes: i64,
        provisioning: Provisioning,
    ) -> Result<AsyncResult<Volume>> {
        self.write(|tx| {
            let pool = pool_get(tx, &pool.id)?;
            check_element(&pool, PoolElementType::VOLUME, "volumes")?;
            volume_name_free(tx, volume_name)?;
            let pool_n = parse_id("POOL", &pool.id).unwrap_or_default();
            let blocks = blocks_for(size_bytes);
            charge_pool(tx, pool_n, blocks * BLOCK_SIZE)?;
            let n = insert_volume(
                tx,
                volume_name,
                blocks,
                pool_n,
                provisioning == Provisioning::THIN,
                None,
            )?;
            Ok(AsyncResult::Job(new_job(tx, Some(("volume", n)))?))
        })
    }

    fn volume_resize(
        &mut self,
        volume: &Volume,
        new_size_bytes: i64,
    ) -> Result<AsyncResult<Volume>> {
        self.write(|tx| {
            let vol = volume_get(tx, &volume.id)?;
            let pool = pool_get(tx, &vol.pool_id)?;
            let new_blocks = blocks_for(new_size_bytes);
            if new_blocks == vol.num_of_blocks {
                return Err(lsm(
                    ErrorNumber::NO_STATE_CHANGE,
                    "Volume is already of the requested size",
                ));
            }
            let growing = new_blocks > vol.num_of_blocks;
            let refused = if growing {
                PoolUnsupportedActions::VOLUME_GROW
            } else {
                PoolUnsupportedActions::VOLUME_SHRINK
            };
            if pool.unsupported_actions.contains(refused) {
                return Err(lsm(
                    ErrorNumber::NO_SUPPORT,
                    format!(
                        "Pool {} does not support {} volumes",
                        pool.id,
                        if growing { "growing" } else { "shrinking" }
                    ),
                ));
            }
            let pool_n = parse_id("POOL", &pool.id).unwrap_or_default();
            charge_pool(
                tx,
                pool_n,
                (new_blocks - vol.num_of_blocks) * vol.block_size,
            )?;
            let n = parse_id("VOL", &vol.id).unwrap_or_default();
            tx.prepare_cached("UPDATE volumes SET num_of_blocks = ?1 WHERE id = ?2")?
                .execute(params![new_blocks, n])?;
            Ok(AsyncResult::Job(new_job(tx, Some(("volume", n)))?))
        })
    }

    fn volume_replicate(
        &mut self,
        pool: Option<&Pool>,
        rep_type: ReplicationType,
        volume_src: &Volume,
        name: &str,
    ) -> Result<AsyncResult<Volume>> {
        self.write(|tx| {
            let src = volume_get(tx, &volume_src.id)?;
            let pool = pool_get(tx, pool.map(|p| p.id.as_str()).unwrap_or(&src.pool_id))?;
            check_element(&pool, PoolElementType::VOLUME, "volumes")?;
            volume_name_free(tx, name)?;
            let pool_n = parse_id("POOL", &pool.id).unwrap_or_default();
            charge_pool(tx, pool_n, src.size_bytes())?;
            let src_n = parse_id("VOL", &src.id).unwrap_or_default();
            let n = insert_volume(
                tx,
                name,
                src.num_of_blocks,
                pool_n,
                false,
                Some((src_n, rep_type.0)),
            )?;
            Ok(AsyncResult::Job(new_job(tx, Some(("volume", n)))?))
        })
    }

    fn volume_replicate_range_block_size(&mut self, system: &System) -> Result<i64> {
        self.read(|tx| system_check(tx, system))?;
        Ok(BLOCK_SIZE)
    }

    fn volume_replicate_range(
        &mut self,
        rep_type: ReplicationType,
        volume_src: &Volume,
        volume_dest: &Volume,
        ranges: &[BlockRange],
    ) -> Result<AsyncResult<()>> {
        if rep_type != ReplicationType::CLONE && rep_type != ReplicationType::COPY {
            return Err(LsmError::new(
                ErrorNumber::NO_SUPPORT,
                "block range replication supports only CLONE and COPY",
            ));
        }
        self.write(|tx| {
            let src = volume_get(tx, &volume_src.id)?;
            let dest = volume_get(tx, &volume_dest.id)?;
            let invalid = |m: String| lsm(ErrorNumber::INVALID_ARGUMENT, m);
            for r in ranges {
                if r.src_block + r.block_count > src.num_of_blocks
                    || r.dest_block + r.block_count > dest.num_of_blocks
                {
                    return Err(invalid(format!(
                        "block range (src {}, dest {}, count {}) is beyond the end of a volume",
                        r.src_block, r.dest_block, r.block_count
                    )));
                }
            }
            let overlap = |a0: i64, a1: i64, b0: i64, b1: i64| a0 < b1 && b0 < a1;
            for (i, a) in ranges.iter().enumerate() {
                for b in &ranges[i + 1..] {
                    if overlap(
                        a.dest_block,
                        a.dest_block + a.block_count,
                        b.dest_block,
                        b.dest_block + b.block_count,
                    ) {
                        return Err(invalid("destination block ranges overlap".into()));
                    }
                }
                if src.id == dest.id {
                    for b in ranges {
                        if overlap(
                            a.src_block,
                            a.src_block + a.block_count,
                            b.dest_block,
                            b.dest_block + b.block_count,
                        ) {
                            return Err(invalid(
                                "source and destination ranges overlap on the same volume".into(),
                            ));
                        }
                    }
                }
            }
            Ok(AsyncResult::Job(new_job(tx, None)?))
        })
    }

    fn volume_delete(&mut self, volume: &Volume) -> Result<AsyncResult<()>> {
        self.write(|tx| {
            let vol = volume_get(tx, &volume.id)?;
            let n = parse_id("VOL", &vol.id).unwrap_or_default();
            if masked(tx, n)? {
                return Err(lsm(
                    ErrorNumber::IS_MASKED,
                    format!("Volume {} is masked to an access group", vol.id),
                ));
            }
            if volume_children(tx, n)? > 0 {
                return Err(lsm(
                    ErrorNumber::HAS_CHILD_DEPENDENCY,
                    format!("Volume {} has replicas depending on it", vol.id),
                ));
            }
            let pool_n = parse_id("POOL", &vol.pool_id).unwrap_or_default();
            tx.prepare_cached("DELETE FROM volumes WHERE id = ?1")?
                .execute([n])?;
            let raid_pool: Option<i64> = tx
                .query_row("SELECT id FROM pools WHERE raid_volume_id = ?1", [n], |r| {
                    r.get(0)
                })
                .optional()?;
            match raid_pool {
                Some(p) => {
                    tx.prepare_cached("UPDATE disks SET pool_id = NULL WHERE pool_id = ?1")?
                        .execute([p])?;
                    tx.prepare_cached("DELETE FROM pools WHERE id = ?1")?
                        .execute([p])?;
                }
                None => charge_pool(tx, pool_n, -vol.size_bytes())?,
            }
            tx.prepare_cached("DELETE FROM masks WHERE volume_id = ?1")?
                .execute([n])?;
            Ok(AsyncResult::Job(new_job(tx, None)?))
        })
    }

    fn volume_enable(&mut self, volume: &Volume) -> Result<()> {
        self.set_admin_state(volume, VolumeAdminState::ENABLED)
    }

    fn volume_disable(&mut self, volume: &Volume) -> Result<()> {
        self.set_admin_state(volume, VolumeAdminState::DISABLED)
    }

    fn iscsi_chap_auth(
        &mut self,
        init_id: &str,
        in_user: Option<&str>,
        in_password: Option<&str>,
        out_user: Option<&str>,
        out_password: Option<&str>,
    ) -> Result<()> {
        self.write(|tx| {
            tx.prepare_cached("INSERT OR REPLACE INTO chap VALUES (?1, ?2, ?3, ?4, ?5)")?
                .execute(params![
                    init_id,
                    in_user,
                    in_password,
                    out_user,
                    out_password
                ])?;
            Ok(())
        })
    }

    fn access_groups(&mut self, _search: Option<&Search>) -> Result<Vec<AccessGroup>> {
        self.read(|tx| ags_where(tx, "SELECT id FROM access_groups ORDER BY id", None))
    }

    fn access_group_create(
        &mut self,
        name: &str,
        init_id: &str,
        init_type: InitiatorType,
        system: &System,
    ) -> Result<AccessGroup> {
        self.write(|tx| {
            system_check(tx, system)?;
            let taken: Option<i64> = tx
                .query_row(
                    "SELECT id FROM access_groups WHERE name = ?1",
                    [name],
                    |r| r.get(0),
                )
                .optional()?;
            if taken.is_some() {
                return Err(lsm(
                    ErrorNumber::NAME_CONFLICT,
                    format!("Name '{name}' is already in use by other access group"),
                ));
            }
            initiator_unused(tx, init_id)?;
            tx.prepare_cached("INSERT INTO access_groups (name) VALUES (?1)")?
                .execute([name])?;
            let n = tx.last_insert_rowid();
            tx.prepare_cached(
                "INSERT INTO initiators (init_id, init_type, ag_id) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![init_id, init_type.0, n])?;
            ag_get(tx, n)
        })
    }

    fn access_group_delete(&mut self, access_group: &AccessGroup) -> Result<()> {
        self.write(|tx| {
            let n = ag_number(tx, &access_group.id)?;
            let masks: i64 = tx
                .prepare_cached("SELECT count(*) FROM masks WHERE ag_id = ?1")?
                .query_row([n], |r| r.get(0))?;
            if masks > 0 {
                return Err(lsm(
                    ErrorNumber::IS_MASKED,
                    format!("Access group {} has volumes masked to it", access_group.id),
                ));
            }
            tx.prepare_cached("DELETE FROM initiators WHERE ag_id = ?1")?
                .execute([n])?;
            tx.prepare_cached("DELETE FROM access_groups WHERE id = ?1")?
                .execute([n])?;
            Ok(())
        })
    }

    fn access_group_initiator_add(
        &mut self,
        access_group: &AccessGroup,
        init_id: &str,
        init_type: InitiatorType,
    ) -> Result<AccessGroup> {
        self.write(|tx| {
            let n = ag_number(tx, &access_group.id)?;
            let owner: Option<i64> = tx
                .query_row(
                    "SELECT ag_id FROM initiators WHERE init_id = ?1",
                    [init_id],
                    |r| r.get(0),
                )
                .optional()?;
            match owner {
                Some(o) if o == n => {}
                Some(_) => initiator_unused(tx, init_id)?,
                None => {
                    tx.prepare_cached(
                        "INSERT INTO initiators (init_id, init_type, ag_id) VALUES (?1, ?2, ?3)",
                    )?
                    .execute(params![init_id, init_type.0, n])?;
                }
            }
            ag_get(tx, n)
        })
    }

    fn access_group_initiator_delete(
        &mut self,
        access_group: &AccessGroup,
        init_id: &str,
        _init_type: InitiatorType,
    ) -> Result<AccessGroup> {
        self.write(|tx| {
            let n = ag_number(tx, &access_group.id)?;
            let count: i64 = tx
                .prepare_cached("SELECT count(*) FROM initiators WHERE ag_id = ?1")?
                .query_row([n], |r| r.get(0))?;
            let present: i64 = tx
                .prepare_cached(
                    "SELECT count(*) FROM initiators WHERE ag_id = ?1 AND init_id = ?2",
                )?
                .query_row(params![n, init_id], |r| r.get(0))?;
            if present == 0 {
                return Err(lsm(
                    ErrorNumber::NO_STATE_CHANGE,
                    format!(
                        "Initiator {init_id} is not in access group {}",
                        access_group.id
                    ),
                ));
            }
            if count == 1 {
                return Err(lsm(
                    ErrorNumber::LAST_INIT_IN_ACCESS_GROUP,
                    format!(
                        "Initiator {init_id} is the last one of access group {}",
                        access_group.id
                    ),
                ));
            }
            tx.prepare_cached("DELETE FROM initiators WHERE ag_id = ?1 AND init_id = ?2")?
                .execute(params![n, init_id])?;
            ag_get(tx, n)
        })
    }

    fn volume_mask(&mut self, access_group: &AccessGroup, volume: &Volume) -> Result<()> {
        self.write(|tx| {
            let ag = ag_number(tx, &access_group.id)?;
            let vol = parse_id("VOL", &volume_get(tx, &volume.id)?.id).unwrap_or_default();
            let added = tx
                .prepare_cached("INSERT OR IGNORE INTO masks (ag_id, volume_id) VALUES (?1, ?2)")?
                .execute(params![ag, vol])?;
            if added == 0 {
                return Err(lsm(
                    ErrorNumber::NO_STATE_CHANGE,
                    format!(
                        "Volume {} is already masked to {}",
                        volume.id, access_group.id
                    ),
                ));
            }
            Ok(())
        })
    }

    fn volume_unmask(&mut self, access_group: &AccessGroup, volume: &Volume) -> Result<()> {
        self.write(|tx| {
            let ag = ag_number(tx, &access_group.id)?;
            let vol = parse_id("VOL", &volume_get(tx, &volume.id)?.id).unwrap_or_default();
            let removed = tx
                .prepare_cached("DELETE FROM masks WHERE ag_id = ?1 AND volume_id = ?2")?
                .execute(params![ag, vol])?;
            if removed == 0 {
                return Err(lsm(
                    ErrorNumber::NO_STATE_CHANGE,
                    format!("Volume {} is not masked to {}", volume.id, access_group.id),
                ));
            }
            Ok(())
        })
    }

    fn volumes_accessible_by_access_group(
        &mut self,
        access_group: &AccessGroup,
    ) -> Result<Vec<Volume>> {
        self.read(|tx| {
            let ag = ag_number(tx, &access_group.id)?;
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT {} FROM volumes v JOIN masks m ON m.volume_id = v.id \
                 WHERE m.ag_id = ?1 ORDER BY v.id",
                volume_cols!()
                    .split(", ")
                    .map(|c| format!("v.{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))?;
            Ok(stmt
                .query_map([ag], volume_of)?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn access_groups_granted_to_volume(&mut self, volume: &Volume) -> Result<Vec<AccessGroup>> {
        self.read(|tx| {
            let vol = parse_id("VOL", &volume_get(tx, &volume.id)?.id).unwrap_or_default();
            ags_where(
                tx,
                "SELECT ag_id FROM masks WHERE volume_id = ?1 ORDER BY ag_id",
                Some(vol),
            )
        })
    }

    fn volume_child_dependency(&mut self, volume: &Volume) -> Result<bool> {
        self.read(|tx| {
            let n = parse_id("VOL", &volume_get(tx, &volume.id)?.id).unwrap_or_default();
            Ok(volume_children(tx, n)? > 0)
        })
    }

    fn volume_child_dependency_rm(&mut self, volume: &Volume) -> Result<AsyncResult<()>> {
        self.write(|tx| {
            let n = parse_id("VOL", &volume_get(tx, &volume.id)?.id).unwrap_or_default();
            if volume_children(tx, n)? == 0 {
                return Err(lsm(
                    ErrorNumber::NO_STATE_CHANGE,
                    format!("Volume {} has no child dependency", volume.id),
                ));
            }
            tx.prepare_cached("UPDATE volumes SET src_volume_id = NULL WHERE src_volume_id = ?1")?
                .execute([n])?;
            Ok(AsyncResult::Job(new_job(tx, None)?))
        })
    }

    fn target_ports(&mut self, _search: Option<&Search>) -> Result<Vec<TargetPort>> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT id, port_type, service_address, network_address, physical_address, \
                 physical_name FROM target_ports ORDER BY id",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(TargetPort {
                    id: format_id("TGT_PORT", r.get(0)?),
                    port_type: TargetPortType(r.get(1)?),
                    service_address: r.get(2)?,
                    network_address: r.get(3)?,
                    physical_address: r.get(4)?,
                    physical_name: r.get(5)?,
                    system_id: SYSTEM_ID.to_string(),
                    plugin_data: None,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn volume_raid_info(&mut self, volume: &Volume) -> Result<VolumeRaidInfo> {
        self.read(|tx| {
            let vol = volume_get(tx, &volume.id)?;
            let pool_n = parse_id("POOL", &vol.pool_id).unwrap_or_default();
            let (raid_type, strip, disks) = pool_raid(tx, pool_n)?;
            Ok(VolumeRaidInfo {
                raid_type,
                strip_size: strip,
                disk_count: disks,
                min_io_size: strip,
                opt_io_size: strip * data_disks(raid_type, disks),
            })
        })
    }

    fn pool_member_info(&mut self, pool: &Pool) -> Result<PoolMemberInfo> {
        self.read(|tx| {
            let pool = pool_get(tx, &pool.id)?;
            let n = parse_id("POOL", &pool.id).unwrap_or_default();
            let (raid, member, parent): (i64, i64, Option<i64>) = tx
                .prepare_cached(
                    "SELECT raid_type, member_type, parent_pool_id FROM pools WHERE id = ?1",
                )?
                .query_row([n], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            let member_ids = match parent {
                Some(p) => vec![format_id("POOL", p)],
                None => {
                    let mut stmt =
                        tx.prepare_cached("SELECT id FROM disks WHERE pool_id = ?1 ORDER BY id")?;
                    stmt.query_map([n], |r| r.get::<_, i64>(0))?
                        .map(|r| r.map(|d| format_id("DISK", d)))
                        .collect::<rusqlite::Result<Vec<_>>>()?
                }
            };
            Ok(PoolMemberInfo {
                raid_type: RaidType(raid),
                member_type: MemberType(member),
                member_ids,
            })
        })
    }

    fn volume_raid_create_cap_get(&mut self, system: &System) -> Result<RaidCreateCap> {
        self.read(|tx| system_check(tx, system))?;
        Ok(RaidCreateCap {
            raid_types: RAID_TYPES.iter().map(|t| RaidType(*t)).collect(),
            strip_sizes: STRIP_SIZES.to_vec(),
        })
    }

    fn volume_raid_create(
        &mut self,
        name: &str,
        raid_type: RaidType,
        disks: &[Disk],
        strip_size: i64,
    ) -> Result<Volume> {
        if !RAID_TYPES.contains(&raid_type.0) {
            return Err(LsmError::new(
                ErrorNumber::NO_SUPPORT,
                format!("RAID type {raid_type:?} is not supported"),
            ));
        }
        let strip = if strip_size == 0 {
            DEFAULT_STRIP_SIZE
        } else {
            strip_size
        };
        if !STRIP_SIZES.contains(&strip) {
            return Err(LsmError::new(
                ErrorNumber::INVALID_ARGUMENT,
                format!("strip size {strip_size} is not supported"),
            ));
        }
        self.write(|tx| {
            volume_name_free(tx, name)?;
            let mut numbers = Vec::new();
            let mut smallest = i64::MAX;
            for d in disks {
                let missing = || not_found(ErrorNumber::NOT_FOUND_DISK, "Disk", &d.id);
                let n = parse_id("DISK", &d.id).ok_or_else(missing)?;
                let disk = tx
                    .query_row(concat!("SELECT ", disk_cols!(), " FROM disks WHERE id = ?1"), [n], disk_of)
                    .optional()?
                    .ok_or_else(missing)?;
                if !disk.status.contains(DiskStatus::FREE) {
                    return Err(lsm(
                        ErrorNumber::DISK_NOT_FREE,
                        format!("Disk {} is not free", disk.id),
                    ));
                }
                if numbers.contains(&n) {
                    return Err(lsm(
                        ErrorNumber::INVALID_ARGUMENT,
                        format!("Disk {} is given twice", disk.id),
                    ));
                }
                numbers.push(n);
                smallest = smallest.min(disk.size_bytes());
            }
            let count = numbers.len() as i64;
            let total = smallest.saturating_mul(data_disks(raid_type, count));
            tx.prepare_cached("INSERT INTO pools (name, element_type, unsupported_actions, total_space, used_space, \
                 status, status_info, parent_pool_id, raid_type, member_type, strip_size) \
                 VALUES (?1, ?2, 0, ?3, ?3, 2, '', NULL, ?4, 2, ?5)")?.execute(params![
                    format!("Pool for volume {name}"),
                    PoolElementType::VOLUME.0,
                    total,
                    raid_type.0,
                    strip
                ],
            )?;
            let pool_n = tx.last_insert_rowid();
            for n in &numbers {
                tx.prepare_cached("UPDATE disks SET pool_id = ?1 WHERE id = ?2")?.execute(params![pool_n, n])?;
            }
            let vol_n = insert_volume(tx, name, total / BLOCK_SIZE, pool_n, false, None)?;
            tx.prepare_cached("UPDATE pools SET raid_volume_id = ?1 WHERE id = ?2")?.execute(params![vol_n, pool_n],
            )?;
            volume_get(tx, &format_id("VOL", vol_n))
        })
    }

    fn volume_ident_led_on(&mut self, volume: &Volume) -> Result<()> {
        self.set_led(volume, true)
    }

    fn volume_ident_led_off(&mut self, volume: &Volume) -> Result<()> {
        self.set_led(volume, false)
    }

    fn batteries(&mut self, _search: Option<&Search>) -> Result<Vec<Battery>> {
        self.read(|tx| {
            let mut stmt =
                tx.prepare_cached("SELECT id, name, type, status FROM batteries ORDER BY id")?;
            let rows = stmt.query_map([], |r| {
                Ok(Battery {
                    id: format_id("BAT", r.get(0)?),
                    name: r.get(1)?,
                    battery_type: BatteryType(r.get(2)?),
                    status: BatteryStatus(r.get(3)?),
                    system_id: SYSTEM_ID.to_string(),
                    plugin_data: None,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn volume_cache_info(&mut self, volume: &Volume) -> Result<VolumeCacheInfo> {
        self.read(|tx| {
            let n = parse_id("VOL", &volume_get(tx, &volume.id)?.id).unwrap_or_default();
            let (wcp, rcp, pdc): (i64, i64, i64) = tx
                .prepare_cached("SELECT wcp, rcp, pdc FROM volumes WHERE id = ?1")?
                .query_row([n], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            let wcp = WriteCachePolicy(wcp);
            // The batteries are fine, so AUTO writes back.
            let write_status = if wcp == WriteCachePolicy::WRITE_THROUGH {
                WriteCacheStatus::WRITE_THROUGH
            } else {
                WriteCacheStatus::WRITE_BACK
            };
            Ok(VolumeCacheInfo {
                write_cache_policy: wcp,
                write_cache_status: write_status,
                read_cache_policy: ReadCachePolicy(rcp),
                read_cache_status: ReadCachePolicy(rcp),
                physical_disk_cache: PhysicalDiskCache(pdc),
            })
        })
    }

    fn volume_physical_disk_cache_update(
        &mut self,
        volume: &Volume,
        pdc: PhysicalDiskCache,
    ) -> Result<()> {
        self.set_volume_column(volume, "pdc", pdc.0)
    }

    fn volume_write_cache_policy_update(
        &mut self,
        volume: &Volume,
        wcp: WriteCachePolicy,
    ) -> Result<()> {
        self.set_volume_column(volume, "wcp", wcp.0)
    }

    fn volume_read_cache_policy_update(
        &mut self,
        volume: &Volume,
        rcp: ReadCachePolicy,
    ) -> Result<()> {
        self.set_volume_column(volume, "rcp", rcp.0)
    }
}

fn initiator_unused(tx: &Connection, init_id: &str) -> SimResult<()> {
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

impl SimPlugin {
    fn set_admin_state(&mut self, volume: &Volume, state: VolumeAdminState) -> Result<()> {
        self.write(|tx| {
            let vol = volume_get(tx, &volume.id)?;
            if vol.admin_state == state {
                return Err(lsm(
                    ErrorNumber::NO_STATE_CHANGE,
                    format!(
                        "Volume {} is already {}",
                        vol.id,
                        if state == VolumeAdminState::ENABLED {
                            "enabled"
                        } else {
                            "disabled"
                        }
                    ),
                ));
            }
            let n = parse_id("VOL", &vol.id).unwrap_or_default();
            tx.prepare_cached("UPDATE volumes SET admin_state = ?1 WHERE id = ?2")?
                .execute(params![state.0, n])?;
            Ok(())
        })
    }

    fn set_led(&mut self, volume: &Volume, on: bool) -> Result<()> {
        self.write(|tx| {
            let n = parse_id("VOL", &volume_get(tx, &volume.id)?.id).unwrap_or_default();
            tx.prepare_cached("UPDATE volumes SET led = ?1 WHERE id = ?2")?
                .execute(params![on, n])?;
            Ok(())
        })
    }

    /// `column` is one of our own constant names, never client input.
    fn set_volume_column(&mut self, volume: &Volume, column: &str, value: i64) -> Result<()> {
        self.write(|tx| {
            let n = parse_id("VOL", &volume_get(tx, &volume.id)?.id).unwrap_or_default();
            tx.prepare_cached(&format!("UPDATE volumes SET {column} = ?1 WHERE id = ?2"))?
                .execute(params![value, n])?;
            Ok(())
        })
    }
}

fn random_export_path() -> String {
    format!("/nfs_exp_{:08x}", rand::random::<u32>())
}

impl Nas for SimPlugin {
    fn fs(&mut self, _search: Option<&Search>) -> Result<Vec<FileSystem>> {
        self.read(|tx| {
            let mut stmt =
                tx.prepare_cached(concat!("SELECT ", fs_cols!(), " FROM fs ORDER BY id"))?;
            Ok(stmt
                .query_map([], fs_of)?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn fs_create(
        &mut self,
        pool: &Pool,
        name: &str,
        size_bytes: i64,
    ) -> Result<AsyncResult<FileSystem>> {
        self.write(|tx| {
            let pool = pool_get(tx, &pool.id)?;
            check_element(&pool, PoolElementType::FS, "file systems")?;
            fs_name_free(tx, name)?;
            let pool_n = parse_id("POOL", &pool.id).unwrap_or_default();
            charge_pool(tx, pool_n, size_bytes)?;
            tx.prepare_cached("INSERT INTO fs (name, total_space, pool_id) VALUES (?1, ?2, ?3)")?
                .execute(params![name, size_bytes, pool_n])?;
            let n = tx.last_insert_rowid();
            Ok(AsyncResult::Job(new_job(tx, Some(("fs", n)))?))
        })
    }

    fn fs_delete(&mut self, fs: &FileSystem) -> Result<AsyncResult<()>> {
        self.write(|tx| {
            let fs = fs_get(tx, &fs.id)?;
            let n = parse_id("FS", &fs.id).unwrap_or_default();
            let clones: i64 = tx
                .prepare_cached("SELECT count(*) FROM fs WHERE src_fs_id = ?1")?
                .query_row([n], |r| r.get(0))?;
            if clones > 0 {
                return Err(lsm(
                    ErrorNumber::HAS_CHILD_DEPENDENCY,
                    format!("File system {} has clones depending on it", fs.id),
                ));
            }
            let pool_n = parse_id("POOL", &fs.pool_id).unwrap_or_default();
            charge_pool(tx, pool_n, -fs.total_space)?;
            for table in ["exports", "fs_snapshots", "file_clones"] {
                tx.prepare_cached(&format!("DELETE FROM {table} WHERE fs_id = ?1"))?
                    .execute([n])?;
            }
            tx.prepare_cached("DELETE FROM fs WHERE id = ?1")?
                .execute([n])?;
            Ok(AsyncResult::Job(new_job(tx, None)?))
        })
    }

    fn fs_resize(
        &mut self,
        fs: &FileSystem,
        new_size_bytes: i64,
    ) -> Result<AsyncResult<FileSystem>> {
        self.write(|tx| {
            let fs = fs_get(tx, &fs.id)?;
            if new_size_bytes == fs.total_space {
                return Err(lsm(
                    ErrorNumber::NO_STATE_CHANGE,
                    "File system is already of the requested size",
                ));
            }
            let pool_n = parse_id("POOL", &fs.pool_id).unwrap_or_default();
            charge_pool(tx, pool_n, new_size_bytes - fs.total_space)?;
            let n = parse_id("FS", &fs.id).unwrap_or_default();
            tx.prepare_cached("UPDATE fs SET total_space = ?1 WHERE id = ?2")?
                .execute(params![new_size_bytes, n])?;
            Ok(AsyncResult::Job(new_job(tx, Some(("fs", n)))?))
        })
    }

    fn fs_clone(
        &mut self,
        src_fs: &FileSystem,
        dest_fs_name: &str,
        snapshot: Option<&FsSnapshot>,
    ) -> Result<AsyncResult<FileSystem>> {
        self.write(|tx| {
            let src = fs_get(tx, &src_fs.id)?;
            let src_n = parse_id("FS", &src.id).unwrap_or_default();
            let snap_n = match snapshot {
                Some(s) => Some(
                    parse_id("FS_SNAP", &snapshot_get(tx, src_n, &s.id)?.id).unwrap_or_default(),
                ),
                None => None,
            };
            fs_name_free(tx, dest_fs_name)?;
            let pool_n = parse_id("POOL", &src.pool_id).unwrap_or_default();
            charge_pool(tx, pool_n, src.total_space)?;
            tx.prepare_cached(
                "INSERT INTO fs (name, total_space, pool_id, src_fs_id, src_snapshot_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                dest_fs_name,
                src.total_space,
                pool_n,
                src_n,
                snap_n
            ])?;
            let n = tx.last_insert_rowid();
            Ok(AsyncResult::Job(new_job(tx, Some(("fs", n)))?))
        })
    }

    fn fs_file_clone(
        &mut self,
        fs: &FileSystem,
        src_file_name: &str,
        dest_file_name: &str,
        snapshot: Option<&FsSnapshot>,
    ) -> Result<AsyncResult<()>> {
        self.write(|tx| {
            let n = parse_id("FS", &fs_get(tx, &fs.id)?.id).unwrap_or_default();
            let snap_n = match snapshot {
                Some(s) => Some(parse_id("FS_SNAP", &snapshot_get(tx, n, &s.id)?.id).unwrap_or_default()),
                None => None,
            };
            tx.prepare_cached("INSERT INTO file_clones (fs_id, src_file, dest_file, snapshot_id) VALUES (?1, ?2, ?3, ?4)")?.execute(params![n, src_file_name, dest_file_name, snap_n],
            )?;
            Ok(AsyncResult::Job(new_job(tx, None)?))
        })
    }

    fn fs_child_dependency(&mut self, fs: &FileSystem, files: Option<&[String]>) -> Result<bool> {
        self.read(|tx| {
            let n = parse_id("FS", &fs_get(tx, &fs.id)?.id).unwrap_or_default();
            fs_children(tx, n, files)
        })
    }

    fn fs_child_dependency_rm(
        &mut self,
        fs: &FileSystem,
        files: Option<&[String]>,
    ) -> Result<AsyncResult<()>> {
        self.write(|tx| {
            let n = parse_id("FS", &fs_get(tx, &fs.id)?.id).unwrap_or_default();
            if !fs_children(tx, n, files)? {
                return Err(lsm(
                    ErrorNumber::NO_STATE_CHANGE,
                    format!("File system {} has no child dependency", fs.id),
                ));
            }
            match files {
                Some(files) if !files.is_empty() => {
                    for f in files {
                        tx.prepare_cached(
                            "DELETE FROM file_clones WHERE fs_id = ?1 AND src_file = ?2",
                        )?
                        .execute(params![n, f])?;
                    }
                }
                _ => {
                    tx.prepare_cached("UPDATE fs SET src_fs_id = NULL WHERE src_fs_id = ?1")?
                        .execute([n])?;
                    tx.prepare_cached("DELETE FROM file_clones WHERE fs_id = ?1")?
                        .execute([n])?;
                }
            }
            Ok(AsyncResult::Job(new_job(tx, None)?))
        })
    }

    fn fs_snapshots(&mut self, fs: &FileSystem) -> Result<Vec<FsSnapshot>> {
        self.read(|tx| {
            let n = parse_id("FS", &fs_get(tx, &fs.id)?.id).unwrap_or_default();
            let mut stmt = tx.prepare_cached(
                "SELECT id, name, ts FROM fs_snapshots WHERE fs_id = ?1 ORDER BY id",
            )?;
            Ok(stmt
                .query_map([n], snapshot_of)?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn fs_snapshot_create(
        &mut self,
        fs: &FileSystem,
        snapshot_name: &str,
    ) -> Result<AsyncResult<FsSnapshot>> {
        self.write(|tx| {
            let n = parse_id("FS", &fs_get(tx, &fs.id)?.id).unwrap_or_default();
            let taken: i64 = tx
                .prepare_cached("SELECT count(*) FROM fs_snapshots WHERE fs_id = ?1 AND name = ?2")?
                .query_row(params![n, snapshot_name], |r| r.get(0))?;
            if taken > 0 {
                return Err(lsm(
                    ErrorNumber::NAME_CONFLICT,
                    format!(
                        "Snapshot name '{snapshot_name}' is already in use on {}",
                        fs.id
                    ),
                ));
            }
            tx.prepare_cached("INSERT INTO fs_snapshots (fs_id, name, ts) VALUES (?1, ?2, ?3)")?
                .execute(params![n, snapshot_name, now_secs() as i64])?;
            let s = tx.last_insert_rowid();
            Ok(AsyncResult::Job(new_job(tx, Some(("snapshot", s)))?))
        })
    }

    fn fs_snapshot_delete(
        &mut self,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
    ) -> Result<AsyncResult<()>> {
        self.write(|tx| {
            let n = parse_id("FS", &fs_get(tx, &fs.id)?.id).unwrap_or_default();
            let s = parse_id("FS_SNAP", &snapshot_get(tx, n, &snapshot.id)?.id).unwrap_or_default();
            tx.prepare_cached("DELETE FROM fs_snapshots WHERE id = ?1")?
                .execute([s])?;
            Ok(AsyncResult::Job(new_job(tx, None)?))
        })
    }

    fn fs_snapshot_restore(
        &mut self,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
        _files: Option<&[String]>,
        _restore_files: Option<&[String]>,
        _all_files: bool,
    ) -> Result<AsyncResult<()>> {
        self.write(|tx| {
            let n = parse_id("FS", &fs_get(tx, &fs.id)?.id).unwrap_or_default();
            snapshot_get(tx, n, &snapshot.id)?;
            Ok(AsyncResult::Job(new_job(tx, None)?))
        })
    }

    fn export_auth(&mut self) -> Result<Vec<String>> {
        Ok(vec!["standard".to_string()])
    }

    fn exports(&mut self, _search: Option<&Search>) -> Result<Vec<NfsExport>> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(concat!(
                "SELECT ",
                export_cols!(),
                " FROM exports ORDER BY id"
            ))?;
            Ok(stmt
                .query_map([], export_of)?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn export_fs(&mut self, request: &ExportRequest) -> Result<NfsExport> {
        if let Some(auth) = request.auth_type.as_deref()
            && auth != "standard"
        {
            return Err(LsmError::new(
                ErrorNumber::INVALID_ARGUMENT,
                format!("unsupported NFS auth type '{auth}' (supported: standard)"),
            ));
        }
        self.write(|tx| {
            let n = parse_id("FS", &fs_get(tx, &request.fs_id)?.id).unwrap_or_default();
            let path = match request.export_path.as_deref() {
                Some(p) if !p.is_empty() => p.to_string(),
                _ => random_export_path(),
            };
            let taken: i64 = tx.prepare_cached("SELECT count(*) FROM exports WHERE export_path = ?1")?.query_row([&path],
                |r| r.get(0),
            )?;
            if taken > 0 {
                return Err(lsm(
                    ErrorNumber::NAME_CONFLICT,
                    format!("Export path {path} is already in use"),
                ));
            }
            let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
            tx.prepare_cached("INSERT INTO exports (fs_id, export_path, auth, root, rw, ro, anonuid, anongid, options) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")?.execute(params![
                    n,
                    path,
                    request.auth_type.clone().unwrap_or_default(),
                    json(&request.root_list),
                    json(&request.rw_list),
                    json(&request.ro_list),
                    request.anon_uid,
                    request.anon_gid,
                    request.options.clone().unwrap_or_default()
                ],
            )?;
            let e = tx.last_insert_rowid();
            Ok(tx.prepare_cached(concat!("SELECT ", export_cols!(), " FROM exports WHERE id = ?1"))?.query_row([e],
                export_of,
            )?)
        })
    }

    fn export_remove(&mut self, export: &NfsExport) -> Result<()> {
        self.write(|tx| {
            let missing = || not_found(ErrorNumber::NOT_FOUND_NFS_EXPORT, "Export", &export.id);
            let n = parse_id("EXP", &export.id).ok_or_else(missing)?;
            match tx
                .prepare_cached("DELETE FROM exports WHERE id = ?1")?
                .execute([n])?
            {
                0 => Err(missing()),
                _ => Ok(()),
            }
        })
    }
}
