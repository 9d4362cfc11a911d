//! NFS exports through nfs-ganesha.
//!
//! Exporting a file system mounts its subvolume on its own (ganesha's VFS
//! FSAL cannot export a subvolume through its parent mount) at the export
//! path, writes one `EXPORT` block file with `Pseudo` = `Path` = that path
//! (so clients mount the same path over NFSv3 and NFSv4), lists it in the
//! include file ganesha's main config `%include`s, and adds it live over
//! D-Bus (`AddExport`); when ganesha is not on the bus, a SIGHUP makes it
//! reload the include file instead. Removal undoes each step. The export
//! path is `<mount_root>/<pool>/<fs>` unless the client gives one: a
//! custom path must be absolute and clean, its parent must exist, and it
//! must be new or an empty directory that is not a mount point and not
//! inside a pool.
//!
//! Exports are listed from ganesha (`ShowExports`), with the host lists
//! and ids the plugin recorded in `state.json` (ganesha reports clients
//! without their access type). An export recorded but missing from a
//! restarted ganesha is mounted again if needed and re-added.

use std::path::{Component, Path, PathBuf};

use lsm_core::plugin::{Call, ExportRequest};
use lsm_core::types::*;
use lsm_core::{ErrorNumber, LsmError, Result};

use super::Array;
use super::exists;
use super::mapping::{export_id, lsm_error};
use crate::config::NfsConfig;
use crate::ganesha::{
    self, AccessType, ClientRule, ExportBlock, GaneshaClient, Squash, export_file_path,
};
use crate::mounts;
use crate::naming::check_nfs_client;
use crate::state::{ArrayState, ExportRecord};

/// The auth types (ganesha `SecType`) this plugin offers, as LSM names.
pub(super) const AUTH_TYPES: &[&str] = &["sys", "none"];

pub(super) fn not_found_export(id: &str) -> LsmError {
    lsm_error(
        ErrorNumber::NOT_FOUND_NFS_EXPORT,
        format!("NFS export {id} not found"),
    )
}

fn io_error(context: String, error: std::io::Error) -> LsmError {
    crate::Error::io(context, error).into()
}

/// The ganesha `SecType` of an LSM auth type (`standard` is `sys`).
fn sec_type(auth: &str) -> Result<&'static str> {
    match auth {
        "sys" | "standard" => Ok("sys"),
        "none" => Ok("none"),
        other => Err(LsmError::invalid_argument(format!(
            "NFS auth type {other:?} is not supported here (supported: {})",
            AUTH_TYPES.join(", ")
        ))),
    }
}

/// Client rules from the LSM host lists: root hosts are not squashed (and
/// read-only when also in the read-only list), the others are
/// root-squashed with the access of their list.
fn client_rules(root: &[String], rw: &[String], ro: &[String]) -> Vec<ClientRule> {
    let mut rules = Vec::new();
    let mut add = |clients: Vec<String>, access, squash| {
        if !clients.is_empty() {
            rules.push(ClientRule {
                clients,
                access,
                squash,
            });
        }
    };
    let root_ro: Vec<String> = root.iter().filter(|h| ro.contains(h)).cloned().collect();
    let root_rw: Vec<String> = root.iter().filter(|h| !ro.contains(h)).cloned().collect();
    add(root_rw, AccessType::ReadWrite, Squash::NoRootSquash);
    add(root_ro, AccessType::ReadOnly, Squash::NoRootSquash);
    add(
        rw.iter().filter(|h| !root.contains(h)).cloned().collect(),
        AccessType::ReadWrite,
        Squash::RootSquash,
    );
    add(
        ro.iter().filter(|h| !root.contains(h)).cloned().collect(),
        AccessType::ReadOnly,
        Squash::RootSquash,
    );
    rules
}

/// An anonymous id from the wire: -1 is "not set".
fn anonymous_id(what: &str, value: i64) -> Result<Option<i64>> {
    match value {
        anon_id::NA => Ok(None),
        0..=0xffff_fffe => Ok(Some(value)),
        _ => Err(LsmError::invalid_argument(format!(
            "{what} {value} is not a valid id"
        ))),
    }
}

/// Checks a client-given export path (see the module docs).
fn check_custom_path(path: &str, pool_mounts: &[PathBuf]) -> Result<PathBuf> {
    let invalid = |reason: String| {
        Err(LsmError::invalid_argument(format!(
            "export path {path:?} {reason}"
        )))
    };
    let candidate = Path::new(path);
    if !candidate.is_absolute() || path.ends_with('/') || path.contains("//") {
        return invalid("must be an absolute path without a trailing or double '/'".into());
    }
    if path
        .chars()
        .any(|c| c.is_control() || "\"{};#\\'`$".contains(c))
    {
        return invalid("contains a character not allowed in a ganesha path".into());
    }
    if candidate
        .components()
        .skip(1)
        .any(|component| !matches!(component, Component::Normal(_)))
    {
        return invalid("must not contain '.' or '..'".into());
    }
    if candidate.parent().is_none_or(|parent| !parent.is_dir()) {
        return invalid("needs an existing parent directory".into());
    }
    if let Some(pool) = pool_mounts
        .iter()
        .find(|mount| candidate.starts_with(mount))
    {
        return invalid(format!("is inside pool mount {}", pool.display()));
    }
    match candidate.symlink_metadata() {
        Err(_) => {}
        Ok(meta) if meta.is_dir() => {
            let empty = std::fs::read_dir(candidate)
                .map(|mut entries| entries.next().is_none())
                .unwrap_or(false);
            if !empty {
                return invalid("exists and is not an empty directory".into());
            }
            if mounts::is_mount_point(candidate)? {
                return invalid("is already a mount point".into());
            }
        }
        Ok(_) => return invalid("exists and is not a directory".into()),
    }
    Ok(candidate.to_path_buf())
}

impl Array {
    pub(super) fn export_object(record: &ExportRecord) -> NfsExport {
        NfsExport {
            id: export_id(record.export_id),
            fs_id: record.fs_id.clone(),
            export_path: record.export_path.display().to_string(),
            auth: record.auth_type.clone().unwrap_or_else(|| "sys".to_owned()),
            root: record.root_hosts.clone(),
            rw: record.rw_hosts.clone(),
            ro: record.ro_hosts.clone(),
            anonuid: record.anon_uid.unwrap_or(anon_id::NA),
            anongid: record.anon_gid.unwrap_or(anon_id::NA),
            options: None,
            plugin_data: None,
        }
    }

    /// ganesha on its bus, or why not (as the backend error, so callers
    /// can tell "not running" apart).
    pub(super) fn ganesha_bus(&self, cx: &Call, nfs: &NfsConfig) -> crate::Result<GaneshaClient> {
        GaneshaClient::connect(
            nfs.dbus_address.as_deref(),
            &nfs.bus_name,
            self.command_timeout(cx),
        )
    }

    /// Rewrites the include file with every recorded export.
    fn write_include(nfs: &NfsConfig, records: &[ExportRecord]) -> Result<()> {
        let mut files: Vec<(u16, PathBuf)> = records
            .iter()
            .map(|record| (record.export_id, record.config_file.clone()))
            .collect();
        files.sort();
        let files: Vec<PathBuf> = files.into_iter().map(|(_, file)| file).collect();
        Ok(ganesha::write_include_file(&nfs.exports_include, &files)?)
    }

    /// SIGHUP to ganesha (reload of the include file), when D-Bus is not
    /// available.
    fn reload_ganesha(nfs: &NfsConfig, why: &crate::Error) -> Result<()> {
        let Some(pid_file) = &nfs.pid_file else {
            return Err(lsm_error(
                ErrorNumber::DAEMON_NOT_RUNNING,
                format!(
                    "ganesha is not reachable over D-Bus ({why}) and no pid_file is configured"
                ),
            ));
        };
        tracing::warn!(%why, "ganesha not on D-Bus: reloading it with SIGHUP");
        Ok(ganesha::reload_by_signal(pid_file)?)
    }

    /// Mounts the subvolume of `record`'s file system at its mount point
    /// unless something is mounted there already.
    fn ensure_export_mount(&self, cx: &Call, record: &ExportRecord) -> Result<()> {
        if mounts::is_mount_point(&record.mount_point)? {
            return Ok(());
        }
        let fs = self.fs_by_id(cx, &record.fs_id)?;
        let device = fs.pool.device.clone().ok_or_else(|| {
            LsmError::plugin_bug(format!("no device known for pool {}", fs.pool.name))
        })?;
        std::fs::create_dir_all(&record.mount_point).map_err(|error| {
            io_error(format!("creating {}", record.mount_point.display()), error)
        })?;
        Ok(mounts::mount_btrfs_subvolume(
            &device,
            fs.subvolume_id,
            &record.mount_point,
            self.command_timeout(cx),
        )?)
    }

    /// The ids ganesha serves, after re-adding recorded exports it lost.
    pub(super) fn live_export_ids(
        &self,
        cx: &Call,
        client: &GaneshaClient,
        state: &ArrayState,
    ) -> Result<Vec<u16>> {
        let live: Vec<u16> = client
            .show_exports()?
            .into_iter()
            .map(|export| export.export_id)
            .collect();
        let missing: Vec<&ExportRecord> = state
            .exports
            .iter()
            .filter(|record| !live.contains(&record.export_id))
            .collect();
        if missing.is_empty() {
            return Ok(live);
        }
        for record in &missing {
            if let Err(error) = self.ensure_export_mount(cx, record) {
                tracing::error!(export = record.export_id, %error, "cannot mount for replay");
            }
        }
        let report = crate::replay::replay_exports(client, state)?;
        tracing::warn!(added = ?report.exports_added, "ganesha had lost recorded exports: replayed them");
        for problem in &report.problems {
            tracing::error!(%problem, "replay into ganesha");
        }
        Ok(client
            .show_exports()?
            .into_iter()
            .map(|export| export.export_id)
            .collect())
    }

    pub(super) fn remove_recorded_export(
        &self,
        cx: &Call,
        nfs: &NfsConfig,
        state: &mut ArrayState,
        number: u16,
        id: &str,
    ) -> Result<()> {
        let index = state
            .exports
            .iter()
            .position(|record| record.export_id == number)
            .ok_or_else(|| not_found_export(id))?;
        let record = state.exports[index].clone();
        let mut remaining = state.exports.clone();
        remaining.remove(index);
        Self::write_include(nfs, &remaining)?;
        let unpublished = match self.ganesha_bus(cx, nfs) {
            Ok(client) => match client.remove_export(number) {
                Ok(()) => Ok(()),
                Err(crate::Error::NotFound { .. }) => Ok(()),
                Err(error) => Err(LsmError::from(error)),
            },
            Err(why) => Self::reload_ganesha(nfs, &why),
        };
        if let Err(error) = unpublished {
            if let Err(rollback) = Self::write_include(nfs, &state.exports) {
                tracing::error!(%rollback, "could not restore the ganesha include file");
            }
            return Err(error);
        }
        state.exports.remove(index);
        let _ = std::fs::remove_file(&record.config_file);
        if export_file_path(&nfs.exports_dir, number) != record.config_file {
            let _ = std::fs::remove_file(export_file_path(&nfs.exports_dir, number));
        }
        if mounts::is_mount_point(&record.mount_point)? {
            mounts::unmount(&record.mount_point, self.command_timeout(cx))?;
        }
        if record.created_mount_dir
            && let Err(error) = std::fs::remove_dir(&record.mount_point)
        {
            tracing::warn!(%error, "could not remove {}", record.mount_point.display());
        }
        Ok(())
    }

    /// Removes every export of file system `fs_id` (before deleting it).
    pub(super) fn remove_exports_of(&self, cx: &Call, fs_id: &str) -> Result<()> {
        let Some(nfs) = self.config.nfs.clone() else {
            return Ok(());
        };
        self.with_state(cx, |array, state| {
            let numbers: Vec<u16> = state
                .exports
                .iter()
                .filter(|record| record.fs_id == fs_id)
                .map(|record| record.export_id)
                .collect();
            for number in numbers {
                array.remove_recorded_export(cx, &nfs, state, number, &export_id(number))?;
            }
            Ok(())
        })
    }
}

/// `export_fs`.
pub(super) fn export(array: &Array, cx: &Call, request: &ExportRequest) -> Result<NfsExport> {
    let nfs = array.nfs()?.clone();
    for (what, hosts) in [
        ("root host", &request.root_list),
        ("read-write host", &request.rw_list),
        ("read-only host", &request.ro_list),
    ] {
        for host in hosts {
            check_nfs_client(what, host)?;
        }
    }
    if request.root_list.is_empty() && request.rw_list.is_empty() && request.ro_list.is_empty() {
        return Err(LsmError::invalid_argument(
            "an export needs at least one host (root, read-write or read-only)",
        ));
    }
    let auth = request
        .auth_type
        .clone()
        .unwrap_or_else(|| "sys".to_owned());
    let sec = sec_type(&auth)?;
    if request
        .options
        .as_deref()
        .is_some_and(|options| !options.trim().is_empty())
    {
        return Err(LsmError::invalid_argument(
            "free-form export options are not supported by this plugin",
        ));
    }
    let anon_uid = anonymous_id("anon_uid", request.anon_uid)?;
    let anon_gid = anonymous_id("anon_gid", request.anon_gid)?;
    let fs = array.fs_by_id(cx, &request.fs_id)?;
    let device = fs.pool.device.clone().ok_or_else(|| {
        LsmError::plugin_bug(format!("no device known for pool {}", fs.pool.name))
    })?;
    let custom = match request
        .export_path
        .as_deref()
        .filter(|path| !path.is_empty())
    {
        Some(path) => {
            let pool_mounts: Vec<PathBuf> = array
                .btrfs_pools(cx)
                .into_iter()
                .map(|pool| pool.mount_point)
                .collect();
            Some(check_custom_path(path, &pool_mounts)?)
        }
        None => None,
    };
    let client = array.ganesha_bus(cx, &nfs);
    array.with_state(cx, |array, state| {
        let live = match &client {
            Ok(client) => array.live_export_ids(cx, client, state)?,
            Err(_) => Vec::new(),
        };
        let export_number = (nfs.export_id_min..=nfs.export_id_max)
            .find(|id| {
                !live.contains(id) && !state.exports.iter().any(|record| record.export_id == *id)
            })
            .ok_or_else(|| {
                LsmError::new(
                    ErrorNumber::NOT_ENOUGH_SPACE,
                    format!(
                        "every export id from {} to {} is in use",
                        nfs.export_id_min, nfs.export_id_max
                    ),
                )
            })?;
        let path = match &custom {
            Some(path) => path.clone(),
            None => {
                let base = nfs.mount_root.join(&fs.pool.name).join(&fs.name);
                if state
                    .exports
                    .iter()
                    .any(|record| record.export_path == base)
                {
                    base.with_file_name(format!("{}.{export_number}", fs.name))
                } else {
                    base
                }
            }
        };
        if let Some(other) = state
            .exports
            .iter()
            .find(|record| record.export_path == path)
        {
            return Err(lsm_error(
                ErrorNumber::NAME_CONFLICT,
                format!(
                    "export path {} is already used by {}",
                    path.display(),
                    export_id(other.export_id)
                ),
            ));
        }
        let created_mount_dir = !exists(&path);
        if created_mount_dir {
            let made = if custom.is_some() {
                std::fs::create_dir(&path)
            } else {
                std::fs::create_dir_all(&path)
            };
            made.map_err(|error| io_error(format!("creating {}", path.display()), error))?;
        }
        let undo_dir = || {
            if created_mount_dir && let Err(error) = std::fs::remove_dir(&path) {
                tracing::error!(%error, "could not remove {}", path.display());
            }
        };
        if let Err(error) = mounts::mount_btrfs_subvolume(
            &device,
            fs.subvolume_id,
            &path,
            array.command_timeout(cx),
        ) {
            undo_dir();
            return Err(error.into());
        }
        let undo_mount = || {
            if let Err(error) = mounts::unmount(&path, array.command_timeout(cx)) {
                tracing::error!(%error, "could not unmount {}", path.display());
            }
            undo_dir();
        };
        let block = ExportBlock {
            export_id: export_number,
            path: path.clone(),
            pseudo: path.clone(),
            anonymous_uid: anon_uid,
            anonymous_gid: anon_gid,
            sec_types: vec![sec.to_owned()],
            client_rules: client_rules(&request.root_list, &request.rw_list, &request.ro_list),
        };
        let config_file = match ganesha::write_export_file(&nfs.exports_dir, &block) {
            Ok(file) => file,
            Err(error) => {
                undo_mount();
                return Err(error.into());
            }
        };
        let record = ExportRecord {
            export_id: export_number,
            fs_id: fs.id(),
            export_path: path.clone(),
            mount_point: path.clone(),
            config_file: config_file.clone(),
            root_hosts: request.root_list.clone(),
            rw_hosts: request.rw_list.clone(),
            ro_hosts: request.ro_list.clone(),
            anon_uid,
            anon_gid,
            auth_type: Some(auth.clone()),
            created_mount_dir,
        };
        let mut records = state.exports.clone();
        records.push(record.clone());
        let published = Array::write_include(&nfs, &records).and_then(|()| match &client {
            Ok(client) => client
                .add_export(&config_file, export_number)
                .map(|_| ())
                .map_err(LsmError::from),
            Err(why) => Array::reload_ganesha(&nfs, why),
        });
        if let Err(error) = published {
            if let Err(rollback) = Array::write_include(&nfs, &state.exports) {
                tracing::error!(%rollback, "could not restore the ganesha include file");
            }
            let _ = std::fs::remove_file(&config_file);
            undo_mount();
            return Err(error);
        }
        state.exports.push(record.clone());
        Ok(Array::export_object(&record))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(list: &[&str]) -> Vec<String> {
        list.iter().map(|h| (*h).to_owned()).collect()
    }

    #[test]
    fn client_rules_from_host_lists() {
        let rules = client_rules(
            &hosts(&["10.0.0.1", "10.0.0.2"]),
            &hosts(&["10.0.0.1", "10.0.0.3"]),
            &hosts(&["10.0.0.2", "10.0.0.4"]),
        );
        let summary: Vec<(Vec<String>, AccessType, Squash)> = rules
            .into_iter()
            .map(|rule| (rule.clients, rule.access, rule.squash))
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    hosts(&["10.0.0.1"]),
                    AccessType::ReadWrite,
                    Squash::NoRootSquash
                ),
                (
                    hosts(&["10.0.0.2"]),
                    AccessType::ReadOnly,
                    Squash::NoRootSquash
                ),
                (
                    hosts(&["10.0.0.3"]),
                    AccessType::ReadWrite,
                    Squash::RootSquash
                ),
                (
                    hosts(&["10.0.0.4"]),
                    AccessType::ReadOnly,
                    Squash::RootSquash
                ),
            ]
        );
    }

    #[test]
    fn auth_types_and_anonymous_ids() {
        assert_eq!(sec_type("sys").unwrap(), "sys");
        assert_eq!(sec_type("standard").unwrap(), "sys");
        assert_eq!(sec_type("none").unwrap(), "none");
        assert_eq!(
            sec_type("krb5").unwrap_err().code,
            ErrorNumber::INVALID_ARGUMENT
        );
        assert_eq!(anonymous_id("anon_uid", -1).unwrap(), None);
        assert_eq!(anonymous_id("anon_uid", 65534).unwrap(), Some(65534));
        assert!(anonymous_id("anon_uid", -2).is_err());
    }

    #[test]
    fn custom_paths_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().display().to_string();
        let pool = dir.path().join("pool");
        std::fs::create_dir(&pool).unwrap();
        let ok = format!("{base}/export1");
        assert_eq!(
            check_custom_path(&ok, std::slice::from_ref(&pool)).unwrap(),
            Path::new(&ok)
        );
        std::fs::create_dir(dir.path().join("empty")).unwrap();
        assert!(check_custom_path(&format!("{base}/empty"), &[]).is_ok());
        std::fs::create_dir(dir.path().join("full")).unwrap();
        std::fs::write(dir.path().join("full/f"), b"x").unwrap();
        for bad in [
            "relative/path".to_owned(),
            format!("{base}/x/"),
            format!("{base}/../x"),
            format!("{base}/a\"b"),
            format!("{base}/missing/child"),
            format!("{base}/pool/inside"),
            format!("{base}/full"),
        ] {
            let error = check_custom_path(&bad, std::slice::from_ref(&pool)).unwrap_err();
            assert_eq!(error.code, ErrorNumber::INVALID_ARGUMENT, "{bad}");
        }
    }
}
