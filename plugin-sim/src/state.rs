//! The simulated array's state: one SQLite file (WAL, `synchronous=NORMAL`),
//! its schema, the default inventory of a fresh file, id formats, and the
//! transaction helpers every call goes through.
//!
//! Every call opens a transaction: reads see one consistent snapshot, writes
//! take the write lock up front (`BEGIN IMMEDIATE`) so two plugin processes
//! never deadlock, and a lock held longer than the session timeout is
//! `TIMEOUT`. A killed process leaves the file as of its last commit.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lsm_core::{ErrorNumber, LsmError};
use rusqlite::{Connection, OpenFlags, params};

/// Written into every state file; a file with another tag is refused.
pub const STATE_VERSION: &str = "LSM_RS_SIM_1";

/// The single simulated system.
pub const SYSTEM_ID: &str = "sim-01";
pub const SYSTEM_NAME: &str = "LSM simulated storage plug-in";

/// Default and allowed strip sizes (bytes).
pub const DEFAULT_STRIP_SIZE: i64 = 128 * 1024;
pub const STRIP_SIZES: [i64; 8] = [8192, 16384, 32768, 65536, 131072, 262144, 524288, 1048576];
/// RAID levels `volume_raid_create` accepts.
pub const RAID_TYPES: [i64; 7] = [0, 1, 5, 6, 10, 50, 60];
pub const BLOCK_SIZE: i64 = 512;

/// An error inside a transaction: an LSM error to return as is, or an
/// SQLite failure to map.
#[derive(Debug)]
pub enum SimError {
    Lsm(LsmError),
    Sql(rusqlite::Error),
}

impl From<LsmError> for SimError {
    fn from(e: LsmError) -> Self {
        SimError::Lsm(e)
    }
}

impl From<rusqlite::Error> for SimError {
    fn from(e: rusqlite::Error) -> Self {
        SimError::Sql(e)
    }
}

impl From<SimError> for LsmError {
    fn from(e: SimError) -> Self {
        match e {
            SimError::Lsm(e) => e,
            SimError::Sql(e) => sql_error(e),
        }
    }
}

pub type SimResult<T> = std::result::Result<T, SimError>;

/// Busy/locked → `TIMEOUT`; anything else → `PLUGIN_BUG` with the cause.
pub fn sql_error(e: rusqlite::Error) -> LsmError {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => LsmError::new(
            ErrorNumber::TIMEOUT,
            "simulator state file is locked by another process (timeout)",
        ),
        _ => LsmError::new(ErrorNumber::PLUGIN_BUG, format!("simulator state: {e}")),
    }
}

/// `<PREFIX>_ID_<n, 5 digits at least>`.
pub fn format_id(prefix: &str, n: i64) -> String {
    let mut id = String::with_capacity(prefix.len() + 4 + 21);
    format_id_into(&mut id, prefix, n);
    id
}

/// [`format_id`] into `id`, replacing what it held (reusing its buffer).
pub fn format_id_into(id: &mut String, prefix: &str, n: i64) {
    // Hot in large listings (two per volume): no `format!` machinery.
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n.unsigned_abs();
    while rest > 0 || digits.len() - at < 5 {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    id.clear();
    id.push_str(prefix);
    id.push_str("_ID_");
    if n < 0 {
        id.push('-');
    }
    id.extend(digits[at..].iter().map(|d| char::from(*d)));
}

/// The number of an id of this prefix, or None (then: not found).
pub fn parse_id(prefix: &str, id: &str) -> Option<i64> {
    let digits = id.strip_prefix(prefix)?.strip_prefix("_ID_")?;
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Where the state lives: `statefile=` of the URI, then `$LSM_SIM_DATA`,
/// then `$TMPDIR/lsm-rs-sim-<uid>.db` (per user, so it never collides with
/// the reference's `/tmp/lsm_sim_data`, nor with another user's file).
pub fn state_path(statefile_param: Option<&str>) -> PathBuf {
    if let Some(p) = statefile_param.filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    if let Some(p) = std::env::var_os("LSM_SIM_DATA").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() };
    std::env::temp_dir().join(format!("lsm-rs-sim-{uid}.db"))
}

/// Page size of new state files. Every committed page is a frame in the
/// WAL, and every WAL byte is flushed to disk at the next checkpoint's
/// fsync; a volume create commits about five pages, so at 4 KiB that flush
/// was the largest share of a create's cost. Rows here are small (about 100
/// bytes), so 1 KiB pages cost a listing nothing measurable and cut a
/// create by about a fifth (measured with a create benchmark when this was chosen).
pub const PAGE_SIZE: i64 = 1024;

/// An open state file.
pub struct State {
    conn: Connection,
}

const SCHEMA: &str = r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE systems (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, status INTEGER NOT NULL,
    status_info TEXT NOT NULL, read_cache_pct INTEGER NOT NULL, mode INTEGER NOT NULL);
CREATE TABLE pools (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, element_type INTEGER NOT NULL,
    unsupported_actions INTEGER NOT NULL, total_space INTEGER NOT NULL,
    used_space INTEGER NOT NULL DEFAULT 0, status INTEGER NOT NULL, status_info TEXT NOT NULL,
    parent_pool_id INTEGER, raid_type INTEGER NOT NULL, member_type INTEGER NOT NULL,
    strip_size INTEGER NOT NULL, raid_volume_id INTEGER);
CREATE TABLE disks (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, disk_type INTEGER NOT NULL,
    block_size INTEGER NOT NULL, num_of_blocks INTEGER NOT NULL, vpd83 TEXT NOT NULL,
    location TEXT NOT NULL, rpm INTEGER NOT NULL, link_type INTEGER NOT NULL, pool_id INTEGER);
CREATE TABLE volumes (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, vpd83 TEXT NOT NULL,
    block_size INTEGER NOT NULL, num_of_blocks INTEGER NOT NULL, admin_state INTEGER NOT NULL,
    pool_id INTEGER NOT NULL, thin INTEGER NOT NULL, src_volume_id INTEGER, rep_type INTEGER,
    wcp INTEGER NOT NULL, rcp INTEGER NOT NULL, pdc INTEGER NOT NULL, led INTEGER NOT NULL DEFAULT 0);
-- No index on volumes(pool_id): it would be a fifth page written by every volume create
-- (~20% of the create's database time); the only reader, the `pool_id` search of
-- `volumes`, scans instead (tens of ms at 100,000 volumes). State files made before keep
-- their index, which stays correct.
CREATE INDEX volumes_src ON volumes(src_volume_id) WHERE src_volume_id IS NOT NULL;
CREATE TABLE access_groups (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE initiators (
    seq INTEGER PRIMARY KEY, init_id TEXT NOT NULL UNIQUE, init_type INTEGER NOT NULL,
    ag_id INTEGER NOT NULL);
CREATE INDEX initiators_ag ON initiators(ag_id);
CREATE TABLE masks (ag_id INTEGER NOT NULL, volume_id INTEGER NOT NULL,
    PRIMARY KEY (ag_id, volume_id));
CREATE INDEX masks_volume ON masks(volume_id);
CREATE TABLE chap (init_id TEXT PRIMARY KEY, in_user TEXT, in_password TEXT,
    out_user TEXT, out_password TEXT);
CREATE TABLE target_ports (
    id INTEGER PRIMARY KEY, port_type INTEGER NOT NULL, service_address TEXT NOT NULL,
    network_address TEXT NOT NULL, physical_address TEXT NOT NULL, physical_name TEXT NOT NULL);
CREATE TABLE batteries (id INTEGER PRIMARY KEY, name TEXT NOT NULL, type INTEGER NOT NULL,
    status INTEGER NOT NULL);
CREATE TABLE fs (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, total_space INTEGER NOT NULL,
    pool_id INTEGER NOT NULL, src_fs_id INTEGER, src_snapshot_id INTEGER);
CREATE INDEX fs_src ON fs(src_fs_id) WHERE src_fs_id IS NOT NULL;
CREATE TABLE fs_snapshots (
    id INTEGER PRIMARY KEY, fs_id INTEGER NOT NULL, name TEXT NOT NULL, ts INTEGER NOT NULL,
    UNIQUE (fs_id, name));
CREATE TABLE file_clones (
    id INTEGER PRIMARY KEY, fs_id INTEGER NOT NULL, src_file TEXT NOT NULL,
    dest_file TEXT NOT NULL, snapshot_id INTEGER);
CREATE TABLE exports (
    id INTEGER PRIMARY KEY, fs_id INTEGER NOT NULL, export_path TEXT NOT NULL UNIQUE,
    auth TEXT NOT NULL, root TEXT NOT NULL, rw TEXT NOT NULL, ro TEXT NOT NULL,
    anonuid INTEGER NOT NULL, anongid INTEGER NOT NULL, options TEXT NOT NULL);
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY, started REAL NOT NULL, duration REAL NOT NULL,
    item_kind TEXT, item_id INTEGER);
"#;

const TIB: i64 = 1 << 40;
const GIB: i64 = 1 << 30;
const EIB: i64 = 1 << 60;

/// The longest lock wait SQLite can be given (`i32::MAX` ms).
const MAX_LOCK_WAIT: Duration = Duration::from_millis(i32::MAX as u64);

impl State {
    /// Open (creating and filling a fresh file if needed).
    pub fn open(path: &Path, timeout: Duration) -> Result<State, LsmError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| {
            LsmError::new(
                ErrorNumber::INVALID_ARGUMENT,
                format!("cannot open simulator state file {}: {e}", path.display()),
            )
        })?;
        let mut state = State { conn };
        state.set_timeout(timeout)?;
        // Only takes effect on a new, empty file (before WAL mode writes
        // its header); an existing file keeps its page size.
        state
            .conn
            .pragma_update(None, "page_size", PAGE_SIZE)
            .map_err(sql_error)?;
        state
            .conn
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(sql_error)?;
        state
            .conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(sql_error)?;
        state.conn.set_prepared_statement_cache_capacity(64);
        // A session is short (one per client connection): don't checkpoint
        // and delete the WAL at every close, the next session would only
        // recreate it. SQLite still checkpoints as the WAL grows.
        state
            .conn
            .set_db_config(
                rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
                true,
            )
            .map_err(sql_error)?;
        let path_text = path.display().to_string();
        // Most opens find a ready file: check it without taking the write lock.
        if !state.read(|tx| is_ready(tx, &path_text))? {
            state.write(|tx| init_if_empty(tx, &path_text))?;
        }
        Ok(state)
    }

    /// How long a call waits for another process's lock: the session timeout less a
    /// tenth of it, and less at least 150 ms (at most half the timeout), so our `TIMEOUT`
    /// reply reaches the client before the client gives up on its own: SQLite's busy
    /// handler sleeps in steps of up to 100 ms, so its wait can overrun by that much.
    /// (SQLite counts the wait in an `int` of ms: a longer one is cut to ~24 days.)
    pub fn set_timeout(&mut self, timeout: Duration) -> Result<(), LsmError> {
        let margin = (timeout / 10)
            .max(Duration::from_millis(150))
            .min(timeout / 2);
        let wait = timeout
            .saturating_sub(margin)
            .clamp(Duration::from_millis(1), MAX_LOCK_WAIT);
        self.conn.busy_timeout(wait).map_err(sql_error)
    }

    /// Run `f` in a read transaction.
    pub fn read<T>(&mut self, f: impl FnOnce(&Connection) -> SimResult<T>) -> Result<T, LsmError> {
        self.transaction("BEGIN DEFERRED", f)
    }

    /// Run `f`, one read statement, in that statement's own implicit transaction (a
    /// consistent snapshot already), sparing the BEGIN and COMMIT of [`State::read`].
    pub fn read_one<T>(
        &mut self,
        f: impl FnOnce(&Connection) -> SimResult<T>,
    ) -> Result<T, LsmError> {
        Ok(f(&self.conn)?)
    }

    /// Run `f` in a write transaction (the write lock taken up front);
    /// committed only when `f` succeeds.
    pub fn write<T>(&mut self, f: impl FnOnce(&Connection) -> SimResult<T>) -> Result<T, LsmError> {
        self.transaction("BEGIN IMMEDIATE", f)
    }

    /// BEGIN / COMMIT as cached statements (they run on every call). A
    /// failure or a panic in `f` rolls back.
    fn transaction<T>(
        &mut self,
        begin: &str,
        f: impl FnOnce(&Connection) -> SimResult<T>,
    ) -> Result<T, LsmError> {
        run_cached(&self.conn, begin)?;
        let guard = RollbackGuard(&self.conn);
        let out = f(&self.conn)?;
        run_cached(&self.conn, "COMMIT")?;
        std::mem::forget(guard);
        Ok(out)
    }
}

fn run_cached(conn: &Connection, sql: &str) -> Result<(), LsmError> {
    conn.prepare_cached(sql)
        .and_then(|mut stmt| stmt.execute([]))
        .map(|_| ())
        .map_err(sql_error)
}

/// Rolls the open transaction back unless forgotten after COMMIT.
struct RollbackGuard<'a>(&'a Connection);

impl Drop for RollbackGuard<'_> {
    fn drop(&mut self) {
        if !self.0.is_autocommit() {
            let _ = run_cached(self.0, "ROLLBACK");
        }
    }
}

fn table_exists(tx: &Connection, name: &str) -> SimResult<bool> {
    let n: i64 = tx.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [name],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// True when the file holds our schema; an error when it holds another.
fn is_ready(tx: &Connection, path: &str) -> SimResult<bool> {
    if !table_exists(tx, "meta")? {
        return Ok(false);
    }
    let version: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = 'version'", [], |r| {
            r.get(0)
        })
        .ok();
    if version.as_deref() == Some(STATE_VERSION) {
        Ok(true)
    } else {
        Err(incompatible(path))
    }
}

fn init_if_empty(tx: &Connection, path: &str) -> SimResult<()> {
    if table_exists(tx, "meta")? {
        let version: Option<String> = tx
            .query_row("SELECT value FROM meta WHERE key = 'version'", [], |r| {
                r.get(0)
            })
            .ok();
        if version.as_deref() == Some(STATE_VERSION) {
            return Ok(());
        }
        return Err(incompatible(path));
    }
    let tables: i64 = tx.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    if tables > 0 {
        return Err(incompatible(path));
    }
    tx.execute_batch(SCHEMA)?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('version', ?1)",
        [STATE_VERSION],
    )?;
    fill_inventory(tx)?;
    Ok(())
}

fn incompatible(path: &str) -> SimError {
    SimError::Lsm(LsmError::new(
        ErrorNumber::INVALID_ARGUMENT,
        format!("Stored simulator state incompatible with simulator, please move or delete {path}"),
    ))
}

/// A random NAA type 5 id, 16 hex digits, as the reference sim makes them.
pub fn random_vpd83() -> String {
    let n: u64 = rand::random();
    format!("50{:014x}", n & 0x00ff_ffff_ffff_ffff)
}

/// The reference simulator's default inventory.
fn fill_inventory(tx: &Connection) -> SimResult<()> {
    tx.execute(
        "INSERT INTO systems VALUES (?1, ?2, 2, '', 10, 0)",
        params![SYSTEM_ID, SYSTEM_NAME],
    )?;
    // Disks: (count, name prefix, disk_type, rpm, link_type, size).
    let groups: [(i64, &str, i64, i64, i64, i64); 4] = [
        (2, "2TiB SATA Disk", 4, 7200, 8, 2 * TIB),
        (6, "2EiB SAS Disk", 5, 15000, 6, EIB),
        (5, "512GiB SSD Disk", 53, 0, 8, 512 * GIB),
        (7, "2TiB SSD Disk", 53, 0, 6, 2 * TIB),
    ];
    let mut n = 0;
    for (bay, (count, prefix, disk_type, rpm, link_type, size)) in groups.iter().enumerate() {
        for port in 0..*count {
            n += 1;
            tx.execute(
                "INSERT INTO disks (id, name, disk_type, block_size, num_of_blocks, vpd83, \
                 location, rpm, link_type, pool_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL)",
                params![
                    n,
                    format!("{prefix}_{n}"),
                    disk_type,
                    BLOCK_SIZE,
                    size / BLOCK_SIZE,
                    random_vpd83(),
                    format!("Port: {port} Box: 1 Bay: {}", bay + 1),
                    rpm,
                    link_type
                ],
            )?;
        }
    }
    // Pools: id, name, element_type, unsupported, total, used, parent, raid, member type.
    type PoolRow<'a> = (i64, &'a str, i64, i64, i64, i64, Option<i64>, i64, i64);
    let pools: [PoolRow<'_>; 4] = [
        (1, "Pool 1", 1054, 3, 2 * TIB, 512 * GIB, None, 1, 2),
        (
            2,
            "Pool 2(sub pool of Pool 1)",
            28,
            0,
            512 * GIB,
            0,
            Some(1),
            1,
            3,
        ),
        (3, "Pool 3", 28, 0, 512 * GIB, 0, None, 1, 2),
        (4, "lsm_test_aggr", 28, 0, 2 * EIB, 0, None, 0, 2),
    ];
    for (id, name, et, ua, total, used, parent, raid, member) in pools {
        tx.execute(
            "INSERT INTO pools (id, name, element_type, unsupported_actions, total_space, \
             used_space, status, status_info, parent_pool_id, raid_type, member_type, strip_size) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 2, '', ?7, ?8, ?9, ?10)",
            params![
                id,
                name,
                et,
                ua,
                total,
                used,
                parent,
                raid,
                member,
                DEFAULT_STRIP_SIZE
            ],
        )?;
    }
    for (disk, pool) in [(1, 1), (2, 1), (9, 3), (10, 3), (3, 4), (4, 4)] {
        tx.execute(
            "UPDATE disks SET pool_id = ?1 WHERE id = ?2",
            params![pool, disk],
        )?;
    }
    let ports = [
        (
            2,
            "50:0a:09:86:99:4b:8d:c5",
            "50:0a:09:86:99:4b:8d:c5",
            "50:0a:09:86:99:4b:8d:c5",
            "FC_a_0b",
        ),
        (
            3,
            "50:0a:09:86:99:4b:8d:c6",
            "50:0a:09:86:99:4b:8d:c6",
            "50:0a:09:86:99:4b:8d:c6",
            "FCoE_b_0c",
        ),
        (
            4,
            "iqn.1986-05.com.example:sim-tgt-03",
            "sim-iscsi-tgt-3.example.com:3260",
            "a4:4e:31:47:f4:e0",
            "iSCSI_c_0d",
        ),
        (
            4,
            "iqn.1986-05.com.example:sim-tgt-03",
            "10.0.0.1:3260",
            "a4:4e:31:47:f4:e1",
            "iSCSI_c_0e",
        ),
        (
            4,
            "iqn.1986-05.com.example:sim-tgt-03",
            "[2001:470:1f09:efe:a64e:31ff::1]:3260",
            "a4:4e:31:47:f4:e1",
            "iSCSI_c_0e",
        ),
    ];
    for (port_type, service, network, physical, name) in ports {
        tx.execute(
            "INSERT INTO target_ports (port_type, service_address, network_address, \
             physical_address, physical_name) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![port_type, service, network, physical, name],
        )?;
    }
    tx.execute(
        "INSERT INTO batteries (name, type, status) VALUES \
         ('Battery SIMB01, 8000 mAh, 05 March 2016', 3, 4), \
         ('Capacitor SIMC01, 500 J, 05 March 2016', 4, 4)",
        [],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        assert_eq!(format_id("VOL", 1), "VOL_ID_00001");
        assert_eq!(format_id("VOL", 123456), "VOL_ID_123456");
        assert_eq!(format_id("JOB", 0), "JOB_ID_00000");
        assert_eq!(format_id("DISK", 99999), "DISK_ID_99999");
        let mut reused = "POOL_ID_1234567".to_string();
        format_id_into(&mut reused, "VOL", 7);
        assert_eq!(reused, "VOL_ID_00007");
        assert_eq!(parse_id("VOL", "VOL_ID_00001"), Some(1));
        assert_eq!(parse_id("VOL", "VOL_ID_123456"), Some(123456));
        assert_eq!(parse_id("VOL", "POOL_ID_00001"), None);
        assert_eq!(parse_id("VOL", "VOL_ID_"), None);
        assert_eq!(parse_id("VOL", "VOL_ID_12a45"), None);
        assert_eq!(parse_id("FS", "FS_SNAP_ID_00001"), None);
        assert_eq!(parse_id("VOL", "VOL_ID_99999999999999999999"), None);
    }

    #[test]
    fn fresh_file_gets_inventory_and_foreign_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut state = State::open(&path, Duration::from_secs(5)).unwrap();
        let (disks, pools, free): (i64, i64, i64) = state
            .read(|tx| {
                Ok((
                    tx.query_row("SELECT count(*) FROM disks", [], |r| r.get(0))?,
                    tx.query_row("SELECT count(*) FROM pools", [], |r| r.get(0))?,
                    tx.query_row(
                        "SELECT count(*) FROM disks WHERE pool_id IS NULL",
                        [],
                        |r| r.get(0),
                    )?,
                ))
            })
            .unwrap();
        assert_eq!((disks, pools, free), (20, 4, 14));
        drop(state);
        // Re-opening keeps the state.
        State::open(&path, Duration::from_secs(5)).unwrap();

        let foreign = dir.path().join("foreign.db");
        let c = Connection::open(&foreign).unwrap();
        c.execute_batch("CREATE TABLE systems (id TEXT);").unwrap();
        drop(c);
        let e = State::open(&foreign, Duration::from_secs(5)).err().unwrap();
        assert_eq!(e.code, ErrorNumber::INVALID_ARGUMENT);
        assert!(e.message.contains("incompatible"));
    }

    fn page_size(state: &mut State) -> i64 {
        state
            .read(|tx| Ok(tx.query_row("PRAGMA page_size", [], |r| r.get(0))?))
            .unwrap()
    }

    #[test]
    fn new_files_get_small_pages_and_old_files_keep_theirs() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("fresh.db");
        let mut state = State::open(&fresh, Duration::from_secs(5)).unwrap();
        assert_eq!(page_size(&mut state), PAGE_SIZE);
        drop(state);

        // A file made with 4 KiB pages (as before PAGE_SIZE) opens, works
        // and keeps its page size.
        let old = dir.path().join("old.db");
        let c = Connection::open(&old).unwrap();
        c.pragma_update(None, "page_size", 4096).unwrap();
        c.pragma_update(None, "journal_mode", "WAL").unwrap();
        drop(c);
        let mut state = State::open(&old, Duration::from_secs(5)).unwrap();
        assert_eq!(page_size(&mut state), 4096);
        let disks: i64 = state
            .read(|tx| Ok(tx.query_row("SELECT count(*) FROM disks", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(disks, 20);
        drop(state);
        let mut state = State::open(&old, Duration::from_secs(5)).unwrap();
        assert_eq!(page_size(&mut state), 4096);
    }

    #[test]
    fn vpd83_is_naa5() {
        for _ in 0..100 {
            let v = random_vpd83();
            assert!(lsm_core::validate::vpd83_is_valid(&v), "{v}");
        }
    }
}
