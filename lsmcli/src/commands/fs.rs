//! `fs-*` commands and `file-clone`: file systems, their snapshots, clones and dependencies,
//! and their NFS exports.

use lsm_core::{ErrorNumber, LsmError, anon_id};

use super::Session;
use super::volume::{done_or_running, python_bool};
use crate::cli::Command;
use crate::error::{CliError, Exit};
use crate::size::parse_size;

/// Runs one file system command.
pub async fn run(command: &Command, session: &mut Session<'_>) -> Result<Exit, CliError> {
    use Command as C;
    match command {
        C::FsCreate { name, size, pool } => {
            let pool = session.find_pool(pool).await?;
            let size = parse_size(size).map_err(|e| CliError::argument(e.to_string()))?;
            let completion = session.client.fs_create(&pool, name, size).await?;
            let Some(fs) = session.finish("fs-create", completion).await? else {
                return Ok(Exit::JobRunning);
            };
            session.out.show_one(&fs)?;
            Ok(Exit::Done)
        }
        C::FsDelete { fs } => {
            let fs = session.find_fs(fs, "File System").await?;
            if !session.confirm(true).await? {
                return Ok(Exit::Done);
            }
            let completion = session.client.fs_delete(&fs).await?;
            done_or_running(session.finish("fs-delete", completion).await?)
        }
        C::FsResize { fs, size } => {
            let fs = session.find_fs(fs, "File System").await?;
            let size = parse_size(size).map_err(|e| CliError::argument(e.to_string()))?;
            if size == fs.total_space {
                return Err(LsmError::new(
                    ErrorNumber::NO_STATE_CHANGE,
                    "Specified size same as current",
                )
                .into());
            }
            if !session.confirm(false).await? {
                return Ok(Exit::Done);
            }
            let completion = session.client.fs_resize(&fs, size).await?;
            let Some(fs) = session.finish("fs-resize", completion).await? else {
                return Ok(Exit::JobRunning);
            };
            session.out.show_one(&fs)?;
            Ok(Exit::Done)
        }
        C::FsExport {
            fs,
            exportpath,
            anonuid,
            anongid,
            auth_type,
            root_host,
            ro_host,
            rw_host,
        } => {
            let fs = session.find_fs(fs, "File System").await?;
            if rw_host.is_empty() && ro_host.is_empty() {
                return Err(CliError::argument("please specify --ro-host or --rw-host"));
            }
            let export = session
                .client
                .export_fs(
                    &fs.id,
                    exportpath.as_deref(),
                    root_host,
                    rw_host,
                    ro_host,
                    anonuid.unwrap_or(anon_id::NA),
                    anongid.unwrap_or(anon_id::NA),
                    auth_type.as_deref(),
                    None,
                )
                .await?;
            session.out.show_one(&export)?;
            Ok(Exit::Done)
        }
        C::FsUnexport { export } => {
            let export = session.find_export(export).await?;
            session.client.export_remove(&export).await?;
            Ok(Exit::Done)
        }
        C::FsClone {
            src_fs,
            dst_name,
            backing_snapshot,
        } => {
            let source = session.find_fs(src_fs, "Source File System").await?;
            let snapshot = match backing_snapshot {
                Some(id) => Some(session.find_snapshot(&source, id).await?),
                None => None,
            };
            let completion = session
                .client
                .fs_clone(&source, dst_name, snapshot.as_ref())
                .await?;
            let Some(fs) = session.finish("fs-clone", completion).await? else {
                return Ok(Exit::JobRunning);
            };
            session.out.show_one(&fs)?;
            Ok(Exit::Done)
        }
        C::FsSnapCreate { name, fs } => {
            let fs = session.find_fs(fs, "File System").await?;
            let completion = session.client.fs_snapshot_create(&fs, name).await?;
            let Some(snapshot) = session.finish("fs-snap-create", completion).await? else {
                return Ok(Exit::JobRunning);
            };
            session.out.show_one(&snapshot)?;
            Ok(Exit::Done)
        }
        C::FsSnapDelete { snap, fs } => {
            let fs = session.find_fs(fs, "File System").await?;
            let snapshot = session.find_snapshot(&fs, snap).await?;
            if !session.confirm(true).await? {
                return Ok(Exit::Done);
            }
            let completion = session.client.fs_snapshot_delete(&fs, &snapshot).await?;
            done_or_running(session.finish("fs-snap-delete", completion).await?)
        }
        C::FsSnapRestore {
            snap,
            fs,
            file,
            fileas,
        } => {
            let fs = session.find_fs(fs, "File System").await?;
            let snapshot = session.find_snapshot(&fs, snap).await?;
            if !file.is_empty() && !fileas.is_empty() && file.len() != fileas.len() {
                return Err(CliError::argument("number of --file not equal to --fileas"));
            }
            let all_files = file.is_empty();
            let files = (!file.is_empty()).then_some(file.as_slice());
            let restore_files = (!fileas.is_empty()).then_some(fileas.as_slice());
            if !session.confirm(true).await? {
                return Ok(Exit::Done);
            }
            let completion = session
                .client
                .fs_snapshot_restore(&fs, &snapshot, files, restore_files, all_files)
                .await?;
            done_or_running(session.finish("fs-snap-restore", completion).await?)
        }
        C::FsDependants { fs, file } => {
            let fs = session.find_fs(fs, "File System").await?;
            let files = (!file.is_empty()).then_some(file.as_slice());
            let has_children = session.client.fs_child_dependency(&fs, files).await?;
            session
                .out
                .line_or_json(python_bool(has_children), &has_children)?;
            Ok(Exit::Done)
        }
        C::FsDependantsRm { fs, file } => {
            let fs = session.find_fs(fs, "File System").await?;
            let files = (!file.is_empty()).then_some(file.as_slice());
            let completion = session.client.fs_child_dependency_rm(&fs, files).await?;
            done_or_running(session.finish("fs-dependants-rm", completion).await?)
        }
        C::FileClone {
            fs,
            src,
            dst,
            backing_snapshot,
        } => {
            let fs = session.find_fs(fs, "File System").await?;
            let snapshot = match backing_snapshot {
                Some(id) => Some(session.find_snapshot(&fs, id).await?),
                None => None,
            };
            let completion = session
                .client
                .fs_file_clone(&fs, src, dst, snapshot.as_ref())
                .await?;
            done_or_running(session.finish("file-clone", completion).await?)
        }
        _ => Err(CliError::Lsm(LsmError::lib_bug(
            "not a file system command",
        ))),
    }
}
