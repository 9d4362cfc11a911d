//! File system and NFS checks: create/delete, resize, clones (whole file
//! system, from a snapshot, single files), snapshots with restore, child
//! dependencies, and exports (custom path, hosts, anonymous ids, auth types,
//! read-write/read-only overlap refused).

use std::time::{SystemTime, UNIX_EPOCH};

use lsm_core::{
    Capability as C, ErrorNumber, ExportRequest, FileSystem, NfsExport, Pool, SnapshotRestore,
};

use crate::ctx::Ctx;
use crate::expect::{CheckResult, During, expect_error};
use crate::fixtures::OBJECT_SIZE;
use crate::harness::Check;

/// The NAS checks.
pub const CHECKS: &[Check] = &[
    Check {
        name: "fs_create_delete",
        summary: "a 512 MiB file system is created as asked, listed, then deleted and gone",
        requires: &[C::FS, C::FS_CREATE, C::FS_DELETE],
        body: fs_create_delete,
    },
    Check {
        name: "fs_resize",
        summary: "growing a file system keeps its id and grows it",
        requires: &[C::FS, C::FS_CREATE, C::FS_DELETE, C::FS_RESIZE],
        body: fs_resize,
    },
    Check {
        name: "fs_clone",
        summary: "cloning a file system gives a new, listed file system",
        requires: &[C::FS, C::FS_CREATE, C::FS_DELETE, C::FS_CLONE],
        body: fs_clone,
    },
    Check {
        name: "fs_clone_from_snapshot",
        summary: "cloning from a snapshot gives a new, listed file system",
        requires: &[
            C::FS,
            C::FS_CREATE,
            C::FS_DELETE,
            C::FS_CLONE,
            C::FS_SNAPSHOT_CREATE,
            C::FS_SNAPSHOT_DELETE,
        ],
        body: fs_clone_from_snapshot,
    },
    Check {
        name: "fs_file_clone",
        summary: "cloning a file absent from a new file system is refused (NOT_FOUND_GENERIC or \
                  INVALID_ARGUMENT, file system intact) or, by an array that keeps no files, \
                  recorded as a dependency of the source",
        requires: &[C::FS, C::FS_CREATE, C::FS_DELETE, C::FILE_CLONE],
        body: fs_file_clone,
    },
    Check {
        name: "fs_snapshot",
        summary: "a snapshot is created as asked, listed, restored, deleted and gone",
        requires: &[
            C::FS_CREATE,
            C::FS_DELETE,
            C::FS_SNAPSHOTS,
            C::FS_SNAPSHOT_CREATE,
            C::FS_SNAPSHOT_DELETE,
        ],
        body: fs_snapshot,
    },
    Check {
        name: "fs_child_dependency_rm_files",
        summary: "removing the dependencies of named files is implemented: for a file with no \
                  clone it succeeds, says NO_STATE_CHANGE, or refuses the absent file with \
                  NOT_FOUND_GENERIC or INVALID_ARGUMENT; the file system stays",
        requires: &[
            C::FS_CREATE,
            C::FS_DELETE,
            C::FS_CHILD_DEPENDENCY_RM,
            C::FS_CHILD_DEPENDENCY_RM_SPECIFIC_FILES,
        ],
        body: fs_child_dependency_rm_files,
    },
    Check {
        name: "fs_snapshot_restore_files",
        summary: "restoring named files from a snapshot is implemented: a file the snapshot \
                  lacks is refused with NOT_FOUND_GENERIC or INVALID_ARGUMENT (the suite \
                  cannot write files), or restored by an array that keeps no files",
        requires: &[
            C::FS_CREATE,
            C::FS_DELETE,
            C::FS_SNAPSHOT_CREATE,
            C::FS_SNAPSHOT_DELETE,
            C::FS_SNAPSHOT_RESTORE,
            C::FS_SNAPSHOT_RESTORE_SPECIFIC_FILES,
        ],
        body: fs_snapshot_restore_files,
    },
    Check {
        name: "fs_child_dependency",
        summary: "a clone makes its source dependent; dependency_rm makes it independent",
        requires: &[
            C::FS,
            C::FS_CREATE,
            C::FS_DELETE,
            C::FS_CLONE,
            C::FS_CHILD_DEPENDENCY,
        ],
        body: fs_child_dependency,
    },
    Check {
        name: "export_auth_types",
        summary: "export_auth lists at least one auth type",
        requires: &[C::EXPORT_AUTH],
        body: export_auth_types,
    },
    Check {
        name: "export_create_delete",
        summary: "an rw+root export (custom path if supported) is listed as asked, then removed",
        requires: &[
            C::FS_CREATE,
            C::FS_DELETE,
            C::EXPORTS,
            C::EXPORT_FS,
            C::EXPORT_REMOVE,
        ],
        body: export_create_delete,
    },
    Check {
        name: "export_custom_path",
        summary: "an export at a custom two-level path (`/mnt/<name>`, as the reference's \
                  plugin test asks) is made at that path, listed, then removed",
        requires: &[
            C::FS_CREATE,
            C::FS_DELETE,
            C::EXPORTS,
            C::EXPORT_FS,
            C::EXPORT_REMOVE,
            C::EXPORT_CUSTOM_PATH,
        ],
        body: export_custom_path,
    },
    Check {
        name: "export_read_only",
        summary: "a read-only export with anonymous ids is listed as asked",
        requires: &[
            C::FS_CREATE,
            C::FS_DELETE,
            C::EXPORTS,
            C::EXPORT_FS,
            C::EXPORT_REMOVE,
        ],
        body: export_read_only,
    },
    Check {
        name: "export_each_auth_type",
        summary: "an export made with each supported auth type reports that type",
        requires: &[
            C::FS_CREATE,
            C::FS_DELETE,
            C::EXPORTS,
            C::EXPORT_FS,
            C::EXPORT_REMOVE,
            C::EXPORT_AUTH,
        ],
        body: export_each_auth_type,
    },
    Check {
        name: "export_rw_ro_overlap",
        summary: "a host both read-write and read-only is refused with INVALID_ARGUMENT",
        requires: &[],
        body: export_rw_ro_overlap,
    },
];

/// A file system just made must be what was asked and be listed as returned.
fn check_new_fs(ctx: &mut Ctx, fs: &FileSystem, name: &str, pool: &Pool, size: i64) -> CheckResult {
    ensure!(
        fs.name == name,
        "file system {} is named {:?}, asked for {name:?}",
        fs.id,
        fs.name
    );
    ensure!(
        fs.pool_id == pool.id && fs.system_id == pool.system_id,
        "file system {} is in {} of {}, expected {} of {}",
        fs.id,
        fs.pool_id,
        fs.system_id,
        pool.id,
        pool.system_id
    );
    ensure!(
        fs.total_space >= size,
        "file system {} has {} bytes, asked for {size}",
        fs.id,
        fs.total_space
    );
    ensure!(
        fs.free_space >= 0 && fs.free_space <= fs.total_space,
        "file system {} has free {} of total {}",
        fs.id,
        fs.free_space,
        fs.total_space
    );
    let Some(listed) = ctx.find_fs(&fs.id)? else {
        fail!("file system {} is not listed by fs()", fs.id);
    };
    ensure!(
        listed.name == fs.name && listed.total_space == fs.total_space,
        "file system {} is listed as {listed:?} but was returned as {fs:?}",
        fs.id
    );
    Ok(())
}

/// The pool a file system lives in.
fn pool_of(ctx: &mut Ctx, fs: &FileSystem) -> CheckResult<Pool> {
    match ctx.system_pools()?.into_iter().find(|p| p.id == fs.pool_id) {
        Some(pool) => Ok(pool),
        None => fail!("file system {} is in unlisted pool {}", fs.id, fs.pool_id),
    }
}

fn fs_create_delete(ctx: &mut Ctx) -> CheckResult {
    let pool = ctx.fs_pool()?;
    let name = ctx.unique_name();
    let fs = ctx.create_fs_with(&pool, &name, OBJECT_SIZE)?;
    check_new_fs(ctx, &fs, &name, &pool, OBJECT_SIZE)?;
    ctx.delete_fs(&fs)?;
    ensure!(
        ctx.find_fs(&fs.id)?.is_none(),
        "file system {} is still listed after fs_delete",
        fs.id
    );
    Ok(())
}

fn fs_resize(ctx: &mut Ctx) -> CheckResult {
    let fs = ctx.scratch_fs()?;
    let wanted = fs.total_space * 2;
    let started = ctx.client.fs_resize(&fs, wanted);
    let resized = ctx.wait(started, "fs_resize")?;
    ensure!(
        resized.id == fs.id,
        "fs_resize returned id {}, the file system is {}",
        resized.id,
        fs.id
    );
    ensure!(
        resized.total_space >= wanted,
        "file system {} has {} bytes after growing to {wanted}",
        fs.id,
        resized.total_space
    );
    let Some(listed) = ctx.find_fs(&fs.id)? else {
        fail!("file system {} is not listed after resize", fs.id);
    };
    ensure!(
        listed.total_space == resized.total_space,
        "file system {} is listed with {} bytes, resize returned {}",
        fs.id,
        listed.total_space,
        resized.total_space
    );
    Ok(())
}

fn fs_clone(ctx: &mut Ctx) -> CheckResult {
    let source = ctx.scratch_fs()?;
    let pool = pool_of(ctx, &source)?;
    let name = ctx.unique_name();
    let clone = ctx.clone_fs_named(&source, None, &name)?;
    ensure!(
        clone.id != source.id,
        "the clone has the source's id {}",
        source.id
    );
    check_new_fs(ctx, &clone, &name, &pool, 0)?;
    ensure!(
        ctx.find_fs(&source.id)?.is_some(),
        "source file system {} vanished after cloning",
        source.id
    );
    Ok(())
}

fn fs_clone_from_snapshot(ctx: &mut Ctx) -> CheckResult {
    let source = ctx.scratch_fs()?;
    let pool = pool_of(ctx, &source)?;
    let snapshot = ctx.create_snapshot(&source)?;
    let name = ctx.unique_name();
    let clone = ctx.clone_fs_named(&source, Some(&snapshot), &name)?;
    ensure!(
        clone.id != source.id,
        "the clone has the source's id {}",
        source.id
    );
    check_new_fs(ctx, &clone, &name, &pool, 0)
}

/// `fs_file_clone` of a file name that cannot exist: the LSM API cannot put
/// a file in a file system, so the check cannot make a real source. In a
/// file system made for the check, a unique name is certainly absent. Two
/// answers are correct, and each is verified:
/// - refused with `NOT_FOUND_GENERIC` or `INVALID_ARGUMENT` (an array that
///   holds real files, as linux:// does), the file system still listed as
///   it was made;
/// - accepted (an array that keeps no files, as the sim, which records file
///   clones): then the clone must be observable, as a child dependency of
///   the source file, and removable with `fs_child_dependency_rm` when the
///   plugin can remove one file's dependency.
///
/// Success that leaves no trace, or any other error, fails.
fn fs_file_clone(ctx: &mut Ctx) -> CheckResult {
    let fs = ctx.scratch_fs()?;
    let source = format!("{}_absent_source", ctx.unique_name());
    let destination = format!("{}_destination", ctx.unique_name());
    let what = format!(
        "fs_file_clone of {source:?}, a file that does not exist in the new file system {}",
        fs.id
    );
    let started = ctx.client.fs_file_clone(&fs, &source, &destination, None);
    let result = started.and_then(|completion| ctx.client.wait_done(completion));
    match result {
        Err(err)
            if [
                ErrorNumber::NOT_FOUND_GENERIC,
                ErrorNumber::INVALID_ARGUMENT,
            ]
            .contains(&err.code) =>
        {
            ctx.note(format!("refused: {err}"));
            let Some(listed) = ctx.find_fs(&fs.id)? else {
                fail!(
                    "file system {} is no longer listed after {what} was refused",
                    fs.id
                );
            };
            ensure!(
                listed.name == fs.name
                    && listed.pool_id == fs.pool_id
                    && listed.total_space == fs.total_space,
                "file system {} is listed as {listed:?} after {what} was refused; it was made as {fs:?}",
                fs.id
            );
            Ok(())
        }
        Err(err) => fail!(
            "{what}: expected NOT_FOUND_GENERIC or INVALID_ARGUMENT (an array with real files), \
             or success shown by fs_child_dependency (an array that keeps no files); got {err}"
        ),
        Ok(()) => {
            ctx.note("accepted: the array keeps no files");
            file_clone_is_recorded(ctx, &fs, &source, &what)
        }
    }
}

/// After an accepted file clone of `source` (that cannot exist in `fs`):
/// the clone must show as a dependency of the source, removable when the
/// plugin removes single files' dependencies.
fn file_clone_is_recorded(ctx: &mut Ctx, fs: &FileSystem, source: &str, what: &str) -> CheckResult {
    ensure!(
        ctx.supports(C::FS_CHILD_DEPENDENCY),
        "{what} succeeded, but the plugin does not support FS_CHILD_DEPENDENCY, so nothing \
         shows that a clone was made: a file that does not exist must be refused with \
         NOT_FOUND_GENERIC or INVALID_ARGUMENT"
    );
    let files = [source.to_string()];
    let dependent = ctx
        .client
        .fs_child_dependency(fs, Some(&files))
        .during("fs_child_dependency of the cloned file")?;
    ensure!(
        dependent,
        "{what} succeeded, but fs_child_dependency of the source is false: the clone left \
         no trace (a file that does not exist must be refused, or its clone recorded)"
    );
    if !ctx.supports(C::FS_CHILD_DEPENDENCY_RM_SPECIFIC_FILES) {
        ctx.note("FS_CHILD_DEPENDENCY_RM_SPECIFIC_FILES unsupported: removal not checked");
        return Ok(());
    }
    let started = ctx.client.fs_child_dependency_rm(fs, Some(&files));
    ctx.wait(started, "fs_child_dependency_rm of the cloned file")?;
    let still = ctx
        .client
        .fs_child_dependency(fs, Some(&files))
        .during("fs_child_dependency after dependency_rm")?;
    ensure!(
        !still,
        "file {source} still has a dependency after fs_child_dependency_rm"
    );
    Ok(())
}

fn fs_child_dependency_rm_files(ctx: &mut Ctx) -> CheckResult {
    let fs = ctx.scratch_fs()?;
    let files = vec![format!("{}.absent", ctx.unique_name())];
    let removed = ctx
        .client
        .fs_child_dependency_rm(&fs, Some(&files))
        .and_then(|started| ctx.client.wait_done(started));
    match removed {
        Ok(()) => ctx.note("no dependency to remove: accepted"),
        Err(refusal)
            if [
                ErrorNumber::NO_STATE_CHANGE,
                ErrorNumber::NOT_FOUND_GENERIC,
                ErrorNumber::INVALID_ARGUMENT,
            ]
            .contains(&refusal.code) =>
        {
            ctx.note(format!("absent file: {refusal}"));
        }
        Err(other) => fail!("fs_child_dependency_rm of a file with no clone: {other}"),
    }
    ensure!(
        ctx.find_fs(&fs.id)?.is_some(),
        "file system {} is gone after fs_child_dependency_rm of one file",
        fs.id
    );
    Ok(())
}

fn fs_snapshot_restore_files(ctx: &mut Ctx) -> CheckResult {
    let fs = ctx.scratch_fs()?;
    let name = ctx.unique_name();
    let snapshot = ctx.create_snapshot_named(&fs, &name)?;
    let files = vec![format!("{name}.absent")];
    let restore_files = vec![format!("{name}.restored")];
    let restored = ctx
        .client
        .fs_snapshot_restore(
            &fs,
            &snapshot,
            &SnapshotRestore::files(files).restored_as(restore_files),
        )
        .and_then(|started| ctx.client.wait_done(started));
    match restored {
        Ok(()) => ctx.note("a file absent from the snapshot was restored (no files kept)"),
        Err(refusal)
            if [
                ErrorNumber::NOT_FOUND_GENERIC,
                ErrorNumber::INVALID_ARGUMENT,
            ]
            .contains(&refusal.code) =>
        {
            ctx.note(format!("absent file refused: {refusal}"));
        }
        Err(other) => fail!("fs_snapshot_restore of a file the snapshot lacks: {other}"),
    }
    ensure!(
        ctx.find_fs(&fs.id)?.is_some(),
        "file system {} is gone after a file restore",
        fs.id
    );
    ctx.delete_snapshot(&fs, &snapshot)
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn fs_snapshot(ctx: &mut Ctx) -> CheckResult {
    let fs = ctx.scratch_fs()?;
    let name = ctx.unique_name();
    let snapshot = ctx.create_snapshot_named(&fs, &name)?;
    ensure!(
        snapshot.name == name,
        "snapshot is named {:?}, asked for {name:?}",
        snapshot.name
    );
    let now = now_secs();
    ensure!(
        (now - 86_400..=now + 86_400).contains(&snapshot.ts),
        "snapshot {} has timestamp {}, now is {now}",
        snapshot.id,
        snapshot.ts
    );
    let listed = ctx.client.fs_snapshots(&fs).during("fs_snapshots")?;
    let Some(found) = listed.iter().find(|s| s.id == snapshot.id) else {
        fail!("snapshot {} is not listed by fs_snapshots", snapshot.id);
    };
    ensure!(
        found.name == snapshot.name && found.ts == snapshot.ts,
        "snapshot {} is listed as {found:?} but was returned as {snapshot:?}",
        snapshot.id
    );
    if ctx.supports(C::FS_SNAPSHOT_RESTORE) {
        let started = ctx
            .client
            .fs_snapshot_restore(&fs, &snapshot, &SnapshotRestore::all_files());
        ctx.wait(started, "fs_snapshot_restore (all files)")?;
    } else {
        ctx.note("FS_SNAPSHOT_RESTORE unsupported: restore not checked");
    }
    ctx.delete_snapshot(&fs, &snapshot)?;
    let listed = ctx.client.fs_snapshots(&fs).during("fs_snapshots")?;
    ensure!(
        !listed.iter().any(|s| s.id == snapshot.id),
        "snapshot {} is still listed after fs_snapshot_delete",
        snapshot.id
    );
    Ok(())
}

fn fs_child_dependency(ctx: &mut Ctx) -> CheckResult {
    let source = ctx.scratch_fs()?;
    let before = ctx
        .client
        .fs_child_dependency(&source, None)
        .during("fs_child_dependency of a new file system")?;
    ensure!(
        !before,
        "a new file system {} reports a child dependency",
        source.id
    );
    let clone = ctx.clone_fs(&source, None)?;
    let after = ctx
        .client
        .fs_child_dependency(&source, None)
        .during("fs_child_dependency after cloning")?;
    ensure!(
        after,
        "file system {} reports no child dependency after being cloned",
        source.id
    );
    if !ctx.supports(C::FS_CHILD_DEPENDENCY_RM) {
        ctx.note("FS_CHILD_DEPENDENCY_RM unsupported: dependency removal not checked");
        return Ok(());
    }
    let started = ctx.client.fs_child_dependency_rm(&source, None);
    ctx.wait(started, "fs_child_dependency_rm")?;
    let cleared = ctx
        .client
        .fs_child_dependency(&source, None)
        .during("fs_child_dependency after dependency_rm")?;
    ensure!(
        !cleared,
        "file system {} still reports a child dependency after dependency_rm",
        source.id
    );
    ctx.delete_fs(&source)?;
    ensure!(
        ctx.find_fs(&clone.id)?.is_some(),
        "clone {} vanished with its source after dependency_rm",
        clone.id
    );
    Ok(())
}

fn export_auth_types(ctx: &mut Ctx) -> CheckResult {
    let types = ctx.client.export_auth().during("export_auth")?;
    ensure!(!types.is_empty(), "export_auth lists no auth type");
    for auth in &types {
        ensure!(
            !auth.trim().is_empty(),
            "export_auth lists an empty auth type"
        );
    }
    ctx.note(format!("auth types: {types:?}"));
    Ok(())
}

/// A custom export path when the plugin takes one. It does not count as exercising
/// `EXPORT_CUSTOM_PATH` (`export_custom_path` does, with the reference's path form).
fn custom_path(ctx: &mut Ctx) -> Option<String> {
    if ctx.caps.supported(C::EXPORT_CUSTOM_PATH) {
        Some(format!("/{}", ctx.unique_name()))
    } else {
        None
    }
}

/// An export just made must be what was asked and be listed as returned.
fn check_new_export(ctx: &mut Ctx, export: &NfsExport, spec: &ExportRequest) -> CheckResult {
    ensure!(
        export.fs_id == spec.fs_id,
        "export {} is of fs {}, asked {}",
        export.id,
        export.fs_id,
        spec.fs_id
    );
    match &spec.export_path {
        Some(path) => ensure!(
            &export.export_path == path,
            "export {} has path {:?}, asked {path:?}",
            export.id,
            export.export_path
        ),
        None => ensure!(
            !export.export_path.is_empty(),
            "export {} has an empty path",
            export.id
        ),
    }
    for (what, asked, got) in [
        ("root", &spec.root_list, &export.root),
        ("rw", &spec.rw_list, &export.rw),
        ("ro", &spec.ro_list, &export.ro),
    ] {
        let mut asked = asked.clone();
        let mut got = got.clone();
        asked.sort();
        got.sort();
        ensure!(
            asked == got,
            "export {} has {what} hosts {got:?}, asked {asked:?}",
            export.id
        );
    }
    let Some(listed) = ctx.find_export(&export.id)? else {
        fail!("export {} is not listed by exports()", export.id);
    };
    ensure!(
        listed == *export,
        "export {} is listed as {listed:?} but was returned as {export:?}",
        export.id
    );
    Ok(())
}

fn export_create_delete(ctx: &mut Ctx) -> CheckResult {
    let fs = ctx.scratch_fs()?;
    let mut spec = ExportRequest::new(&fs.id);
    spec.export_path = custom_path(ctx);
    spec.root_list = vec!["192.0.2.10".to_string()];
    spec.rw_list = vec!["192.0.2.10".to_string()];
    let export = ctx.export(&spec)?;
    check_new_export(ctx, &export, &spec)?;
    ctx.remove_export(&export)?;
    ensure!(
        ctx.find_export(&export.id)?.is_none(),
        "export {} is still listed after export_remove",
        export.id
    );
    Ok(())
}

/// The reference's `test_create_delete_exports` with `EXPORT_CUSTOM_PATH`: a path of two
/// components under `/mnt`, one read-only host.
fn export_custom_path(ctx: &mut Ctx) -> CheckResult {
    let fs = ctx.scratch_fs()?;
    let mut spec = ExportRequest::new(&fs.id);
    spec.export_path = Some(format!("/mnt/{}", ctx.unique_name()));
    spec.ro_list = vec!["192.0.2.14".to_string()];
    let export = ctx.export(&spec)?;
    check_new_export(ctx, &export, &spec)?;
    ctx.remove_export(&export)?;
    ensure!(
        ctx.find_export(&export.id)?.is_none(),
        "export {} is still listed after export_remove",
        export.id
    );
    Ok(())
}

fn export_read_only(ctx: &mut Ctx) -> CheckResult {
    let fs = ctx.scratch_fs()?;
    let mut spec = ExportRequest::new(&fs.id);
    spec.export_path = custom_path(ctx);
    spec.ro_list = vec!["192.0.2.11".to_string(), "192.0.2.12".to_string()];
    spec.anon_uid = 65534;
    spec.anon_gid = 65533;
    let asked = ctx.client.export_fs(&spec);
    let export = match asked {
        Ok(export) => {
            ctx.push_undo(crate::cleanup::Undo::Export(export.clone()));
            export
        }
        // Some arrays squash to a user only (ONTAP's export rules have no anonymous group):
        // such a plugin refuses the gid with NO_SUPPORT, and must still take the uid.
        Err(refusal) if refusal.code == ErrorNumber::NO_SUPPORT => {
            ctx.note(format!(
                "anonymous gid refused ({refusal}): the uid checked alone"
            ));
            spec.anon_gid = -1;
            ctx.export(&spec)?
        }
        Err(refusal) => fail!("export_fs: {refusal}"),
    };
    check_new_export(ctx, &export, &spec)?;
    ensure!(
        export.anonuid == spec.anon_uid && (spec.anon_gid == -1 || export.anongid == spec.anon_gid),
        "export {} has anonuid {} anongid {}, asked {} {}",
        export.id,
        export.anonuid,
        export.anongid,
        spec.anon_uid,
        spec.anon_gid
    );
    ctx.remove_export(&export)
}

fn export_each_auth_type(ctx: &mut Ctx) -> CheckResult {
    let types = ctx.client.export_auth().during("export_auth")?;
    if types.is_empty() {
        fail!("export_auth lists no auth type");
    }
    let fs = ctx.scratch_fs()?;
    for auth in types {
        let mut spec = ExportRequest::new(&fs.id);
        spec.export_path = custom_path(ctx);
        spec.rw_list = vec!["192.0.2.13".to_string()];
        spec.auth_type = Some(auth.clone());
        let export = ctx.export(&spec)?;
        ensure!(
            export.auth == auth,
            "export {} made with auth {auth:?} reports {:?}",
            export.id,
            export.auth
        );
        check_new_export(ctx, &export, &spec)?;
        ctx.remove_export(&export)?;
    }
    Ok(())
}

fn export_rw_ro_overlap(ctx: &mut Ctx) -> CheckResult {
    let host = "192.0.2.14".to_string();
    let before = if ctx.supports(C::EXPORTS) {
        Some(ctx.client.exports(None).during("exports")?.len())
    } else {
        None
    };
    let result = ctx.client.export_fs(&ExportRequest {
        rw_list: vec![host.clone()],
        ro_list: vec![host.clone()],
        ..ExportRequest::new("lsmrs-unknown-fs-99999")
    });
    if let Ok(export) = &result {
        ctx.push_undo(crate::cleanup::Undo::Export(export.clone()));
    }
    expect_error(
        result,
        ErrorNumber::INVALID_ARGUMENT,
        "export_fs with a host both read-write and read-only",
    )?;
    if let Some(before) = before {
        let after = ctx.client.exports(None).during("exports")?.len();
        ensure!(
            after == before,
            "exports went from {before} to {after} after a refused export"
        );
    }
    Ok(())
}
