//! The [`Nas`] impl: file systems, snapshots, clones, dependencies and NFS
//! exports.

use lsm_core::plugin::{Call, Completion, ExportRequest, Nas, Search};
use lsm_core::types::*;
use lsm_core::{ErrorNumber, LsmError, Result};
use rusqlite::params;

use super::lookups::{
    charge_pool, check_element, fs_children, fs_get, fs_name_free, new_job, pool_get, snapshot_get,
};
use super::rows::{export_cols, export_of, fs_cols, fs_of, snapshot_of};
use super::{SimSession, lsm, not_found, now_secs};
use crate::state::*;

fn random_export_path() -> String {
    format!("/nfs_exp_{:08x}", rand::random::<u32>())
}

impl Nas for SimSession {
    fn fs(&mut self, cx: &Call, _search: Option<&Search>) -> Result<Vec<FileSystem>> {
        self.read(cx, |tx| {
            let mut stmt =
                tx.prepare_cached(concat!("SELECT ", fs_cols!(), " FROM fs ORDER BY id"))?;
            Ok(stmt
                .query_map([], fs_of)?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn fs_create(
        &mut self,
        cx: &Call,
        pool: &Pool,
        name: &str,
        size_bytes: i64,
    ) -> Result<Completion<FileSystem>> {
        self.write(cx, |tx| {
            let pool = pool_get(tx, &pool.id)?;
            check_element(&pool, PoolElementType::FS, "file systems")?;
            fs_name_free(tx, name)?;
            let pool_n = parse_id("POOL", &pool.id).unwrap_or_default();
            charge_pool(tx, pool_n, size_bytes)?;
            tx.prepare_cached("INSERT INTO fs (name, total_space, pool_id) VALUES (?1, ?2, ?3)")?
                .execute(params![name, size_bytes, pool_n])?;
            let n = tx.last_insert_rowid();
            Ok(Completion::job(new_job(tx, Some(("fs", n)))?))
        })
    }

    fn fs_delete(&mut self, cx: &Call, fs: &FileSystem) -> Result<Completion<()>> {
        self.write(cx, |tx| {
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
            Ok(Completion::job(new_job(tx, None)?))
        })
    }

    fn fs_resize(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        new_size_bytes: i64,
    ) -> Result<Completion<FileSystem>> {
        self.write(cx, |tx| {
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
            Ok(Completion::job(new_job(tx, Some(("fs", n)))?))
        })
    }

    fn fs_clone(
        &mut self,
        cx: &Call,
        src_fs: &FileSystem,
        dest_fs_name: &str,
        snapshot: Option<&FsSnapshot>,
    ) -> Result<Completion<FileSystem>> {
        self.write(cx, |tx| {
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
            Ok(Completion::job(new_job(tx, Some(("fs", n)))?))
        })
    }

    fn fs_file_clone(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        src_file_name: &str,
        dest_file_name: &str,
        snapshot: Option<&FsSnapshot>,
    ) -> Result<Completion<()>> {
        self.write(cx, |tx| {
            let n = parse_id("FS", &fs_get(tx, &fs.id)?.id).unwrap_or_default();
            let snap_n = match snapshot {
                Some(s) => Some(parse_id("FS_SNAP", &snapshot_get(tx, n, &s.id)?.id).unwrap_or_default()),
                None => None,
            };
            tx.prepare_cached("INSERT INTO file_clones (fs_id, src_file, dest_file, snapshot_id) VALUES (?1, ?2, ?3, ?4)")?.execute(params![n, src_file_name, dest_file_name, snap_n],
            )?;
            Ok(Completion::job(new_job(tx, None)?))
        })
    }

    fn fs_child_dependency(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        files: Option<&[String]>,
    ) -> Result<bool> {
        self.read(cx, |tx| {
            let n = parse_id("FS", &fs_get(tx, &fs.id)?.id).unwrap_or_default();
            fs_children(tx, n, files)
        })
    }

    fn fs_child_dependency_rm(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        files: Option<&[String]>,
    ) -> Result<Completion<()>> {
        self.write(cx, |tx| {
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
            Ok(Completion::job(new_job(tx, None)?))
        })
    }

    fn fs_snapshots(&mut self, cx: &Call, fs: &FileSystem) -> Result<Vec<FsSnapshot>> {
        self.read(cx, |tx| {
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
        cx: &Call,
        fs: &FileSystem,
        snapshot_name: &str,
    ) -> Result<Completion<FsSnapshot>> {
        self.write(cx, |tx| {
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
            Ok(Completion::job(new_job(tx, Some(("snapshot", s)))?))
        })
    }

    fn fs_snapshot_delete(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
    ) -> Result<Completion<()>> {
        self.write(cx, |tx| {
            let n = parse_id("FS", &fs_get(tx, &fs.id)?.id).unwrap_or_default();
            let s = parse_id("FS_SNAP", &snapshot_get(tx, n, &snapshot.id)?.id).unwrap_or_default();
            tx.prepare_cached("DELETE FROM fs_snapshots WHERE id = ?1")?
                .execute([s])?;
            Ok(Completion::job(new_job(tx, None)?))
        })
    }

    fn fs_snapshot_restore(
        &mut self,
        cx: &Call,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
        _files: Option<&[String]>,
        _restore_files: Option<&[String]>,
        _all_files: bool,
    ) -> Result<Completion<()>> {
        self.write(cx, |tx| {
            let n = parse_id("FS", &fs_get(tx, &fs.id)?.id).unwrap_or_default();
            snapshot_get(tx, n, &snapshot.id)?;
            Ok(Completion::job(new_job(tx, None)?))
        })
    }

    fn export_auth(&mut self, _cx: &Call) -> Result<Vec<String>> {
        Ok(vec!["standard".to_string()])
    }

    fn exports(&mut self, cx: &Call, _search: Option<&Search>) -> Result<Vec<NfsExport>> {
        self.read(cx, |tx| {
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

    fn export_fs(&mut self, cx: &Call, request: &ExportRequest) -> Result<NfsExport> {
        if let Some(auth) = request.auth_type.as_deref()
            && auth != "standard"
        {
            return Err(LsmError::new(
                ErrorNumber::INVALID_ARGUMENT,
                format!("unsupported NFS auth type '{auth}' (supported: standard)"),
            ));
        }
        self.write(cx, |tx| {
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

    fn export_remove(&mut self, cx: &Call, export: &NfsExport) -> Result<()> {
        self.write(cx, |tx| {
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
