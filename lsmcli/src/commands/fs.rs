//! `fs-*` commands and `file-clone`: file systems, their snapshots, clones and dependencies,
//! and their NFS exports.

use lsm_core::{ErrorNumber, ExportRequest, LsmError, SnapshotRestore, anon_id};

use super::Session;
use super::volume::{done_or_running, python_bool};
use crate::error::{CliError, Exit};
use crate::size::parse_size;

/// `fs-create --name --size --pool`: the new file system.
pub async fn create(
    session: &mut Session<'_>,
    name: &str,
    size: &str,
    pool: &str,
) -> Result<Exit, CliError> {
    let pool = session.find_pool(pool).await?;
    let size = parse_size(size).map_err(|e| CliError::argument(e.to_string()))?;
    let completion = session.client.fs_create(&pool, name, size).await?;
    session.show_finished("fs-create", completion).await
}

/// `fs-delete --fs`, after confirmation.
pub async fn delete(session: &mut Session<'_>, fs: &str) -> Result<Exit, CliError> {
    let fs = session.find_fs(fs, "File System").await?;
    if !session.confirm(true).await? {
        return Ok(Exit::Done);
    }
    let completion = session.client.fs_delete(&fs).await?;
    done_or_running(session.finish("fs-delete", completion).await?)
}

/// `fs-resize --fs --size`, after confirmation: the resized file system.
pub async fn resize(session: &mut Session<'_>, fs: &str, size: &str) -> Result<Exit, CliError> {
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
    session.show_finished("fs-resize", completion).await
}

/// `fs-export`: the new NFS export (at least one `--ro-host` or `--rw-host`).
#[expect(
    clippy::too_many_arguments,
    reason = "one parameter per fs-export option"
)]
pub async fn export(
    session: &mut Session<'_>,
    fs: &str,
    exportpath: Option<&str>,
    anonuid: Option<i64>,
    anongid: Option<i64>,
    auth_type: Option<&str>,
    root_host: &[String],
    ro_host: &[String],
    rw_host: &[String],
) -> Result<Exit, CliError> {
    let fs = session.find_fs(fs, "File System").await?;
    if rw_host.is_empty() && ro_host.is_empty() {
        return Err(CliError::argument("please specify --ro-host or --rw-host"));
    }
    let export = session
        .client
        .export_fs(&ExportRequest {
            fs_id: fs.id.clone(),
            export_path: exportpath.map(str::to_string),
            root_list: root_host.to_vec(),
            rw_list: rw_host.to_vec(),
            ro_list: ro_host.to_vec(),
            anon_uid: anonuid.unwrap_or(anon_id::NA),
            anon_gid: anongid.unwrap_or(anon_id::NA),
            auth_type: auth_type.map(str::to_string),
            options: None,
        })
        .await?;
    session.out.show_one(&export)?;
    Ok(Exit::Done)
}

/// `fs-unexport --export`.
pub async fn unexport(session: &mut Session<'_>, export: &str) -> Result<Exit, CliError> {
    let export = session.find_export(export).await?;
    session.client.export_remove(&export).await?;
    Ok(Exit::Done)
}

/// `fs-clone --src-fs --dst-name [--backing-snapshot]`: the new file system.
pub async fn clone(
    session: &mut Session<'_>,
    src_fs: &str,
    dst_name: &str,
    backing_snapshot: Option<&str>,
) -> Result<Exit, CliError> {
    let source = session.find_fs(src_fs, "Source File System").await?;
    let snapshot = match backing_snapshot {
        Some(id) => Some(session.find_snapshot(&source, id).await?),
        None => None,
    };
    let completion = session
        .client
        .fs_clone(&source, dst_name, snapshot.as_ref())
        .await?;
    session.show_finished("fs-clone", completion).await
}

/// `fs-snap-create --name --fs`: the new snapshot.
pub async fn snap_create(
    session: &mut Session<'_>,
    name: &str,
    fs: &str,
) -> Result<Exit, CliError> {
    let fs = session.find_fs(fs, "File System").await?;
    let completion = session.client.fs_snapshot_create(&fs, name).await?;
    session.show_finished("fs-snap-create", completion).await
}

/// `fs-snap-delete --snap --fs`, after confirmation.
pub async fn snap_delete(
    session: &mut Session<'_>,
    snap: &str,
    fs: &str,
) -> Result<Exit, CliError> {
    let fs = session.find_fs(fs, "File System").await?;
    let snapshot = session.find_snapshot(&fs, snap).await?;
    if !session.confirm(true).await? {
        return Ok(Exit::Done);
    }
    let completion = session.client.fs_snapshot_delete(&fs, &snapshot).await?;
    done_or_running(session.finish("fs-snap-delete", completion).await?)
}

/// `fs-snap-restore --snap --fs [--file --fileas ...]`, after confirmation.
pub async fn snap_restore(
    session: &mut Session<'_>,
    snap: &str,
    fs: &str,
    file: &[String],
    fileas: &[String],
) -> Result<Exit, CliError> {
    let fs = session.find_fs(fs, "File System").await?;
    let snapshot = session.find_snapshot(&fs, snap).await?;
    if !file.is_empty() && !fileas.is_empty() && file.len() != fileas.len() {
        return Err(CliError::argument("number of --file not equal to --fileas"));
    }
    let restore = SnapshotRestore {
        all_files: file.is_empty(),
        files: (!file.is_empty()).then(|| file.to_vec()),
        restore_files: (!fileas.is_empty()).then(|| fileas.to_vec()),
    };
    if !session.confirm(true).await? {
        return Ok(Exit::Done);
    }
    let completion = session
        .client
        .fs_snapshot_restore(&fs, &snapshot, &restore)
        .await?;
    done_or_running(session.finish("fs-snap-restore", completion).await?)
}

/// `fs-dependants --fs [--file ...]`: `True` or `False`.
pub async fn dependants(
    session: &mut Session<'_>,
    fs: &str,
    file: &[String],
) -> Result<Exit, CliError> {
    let fs = session.find_fs(fs, "File System").await?;
    let files = (!file.is_empty()).then_some(file);
    let has_children = session.client.fs_child_dependency(&fs, files).await?;
    session
        .out
        .line_or_json(python_bool(has_children), &has_children)?;
    Ok(Exit::Done)
}

/// `fs-dependants-rm --fs [--file ...]`.
pub async fn dependants_rm(
    session: &mut Session<'_>,
    fs: &str,
    file: &[String],
) -> Result<Exit, CliError> {
    let fs = session.find_fs(fs, "File System").await?;
    let files = (!file.is_empty()).then_some(file);
    let completion = session.client.fs_child_dependency_rm(&fs, files).await?;
    done_or_running(session.finish("fs-dependants-rm", completion).await?)
}

/// `file-clone --fs --src --dst [--backing-snapshot]`.
pub async fn file_clone(
    session: &mut Session<'_>,
    fs: &str,
    src: &str,
    dst: &str,
    backing_snapshot: Option<&str>,
) -> Result<Exit, CliError> {
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
