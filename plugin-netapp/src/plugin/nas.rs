//! NAS changes: FlexVols as file systems (create, resize, delete, FlexClone, clone split),
//! their snapshots (create, delete, whole-volume restore), and NFS exports.
//!
//! Volume and snapshot changes are ONTAP jobs: they become LSM jobs whose id is a
//! [`JobToken`] (the ONTAP job and what to fetch once it succeeds), so no job state lives in
//! the plugin.
//!
//! An NFS export is a FlexVol mounted in the SVM's namespace (`nas.path`, its junction) under
//! an export policy with rules; its LSM id is the FlexVol's uuid (ONTAP has one junction and
//! one policy per volume). `export_fs` gives the volume a policy of its own, `lsm_<fs name>`,
//! whose rules say who may mount it (one rule per kind of access), and mounts it;
//! `export_remove` unmounts it, puts the SVM's `default` policy back and deletes the
//! plugin's policy.

use lsm_core::plugin::{Completion, ExportRequest};
use lsm_core::types::*;
use lsm_core::{ErrorNumber, LsmError, Result};
use lsm_rest::Method;
use serde_json::{Value, json};

use super::lookups::not_found;
use super::session::Session;
use crate::client::{Outcome, models};
use crate::error::ObjectKind;
use crate::mapping::{self, JobResult, JobToken};

/// The NFS authentication flavours an export can ask for.
pub(super) const AUTH_TYPES: &[&str] = &["sys", "krb5", "krb5i", "krb5p", "none"];

/// The prefix of the export policies the plugin makes.
const POLICY_PREFIX: &str = "lsm_";

/// An LSM file system name as an ONTAP volume name: a letter or `_` first, then letters,
/// digits and `_`, at most 203.
fn check_volume_name(name: &str) -> Result<()> {
    let mut bytes = name.bytes();
    let ok = name.len() <= 203
        && bytes
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(LsmError::invalid_argument(format!(
            "{name:?} cannot be an ONTAP volume name: start with a letter or '_', then use \
             letters, digits and '_' (at most 203)"
        )))
    }
}

/// The rules of an export: one per kind of access (read-write or read-only, with root or
/// squashed), each holding its clients.
fn export_rules(request: &ExportRequest) -> Result<Vec<Value>> {
    let auth = request.auth_type.as_deref().unwrap_or("sys");
    if !AUTH_TYPES.contains(&auth) {
        return Err(LsmError::invalid_argument(format!(
            "auth type {auth:?} is not one of {}",
            AUTH_TYPES.join(", ")
        )));
    }
    let mut hosts: Vec<&String> = Vec::new();
    for host in request
        .rw_list
        .iter()
        .chain(&request.ro_list)
        .chain(&request.root_list)
    {
        if !hosts.contains(&host) {
            hosts.push(host);
        }
    }
    let mut rules = Vec::new();
    for (read_write, root) in [(true, true), (true, false), (false, true), (false, false)] {
        let clients: Vec<Value> = hosts
            .iter()
            .filter(|host| request.rw_list.contains(host) == read_write)
            .filter(|host| request.root_list.contains(host) == root)
            .map(|host| json!({"match": host}))
            .collect();
        if clients.is_empty() {
            continue;
        }
        let mut rule = json!({
            "clients": clients,
            "protocols": ["nfs"],
            "ro_rule": [auth],
            "rw_rule": [if read_write { auth } else { "never" }],
            "superuser": [if root { auth } else { "none" }],
        });
        if request.anon_uid >= 0 {
            rule["anonymous_user"] = json!(request.anon_uid.to_string());
        }
        rules.push(rule);
    }
    Ok(rules)
}

impl Session {
    /// `NAME_CONFLICT` when the SVM has a FlexVol named `name`.
    fn check_fs_name_free(&self, name: &str) -> Result<()> {
        check_volume_name(name)?;
        if !self.flexvols_where(&[("name", name)])?.is_empty() {
            return Err(LsmError::new(
                ErrorNumber::NAME_CONFLICT,
                format!("the SVM {} already has a volume named {name}", self.svm),
            ));
        }
        Ok(())
    }

    /// The LSM answer to a volume change: a job for ONTAP's job, or the file system `name`
    /// now when ONTAP was done at once.
    fn fs_completion(&self, outcome: Outcome, name: &str) -> Result<Completion<FileSystem>> {
        match outcome {
            Outcome::Job(job) => Ok(Completion::job(
                JobToken {
                    ontap_job: job,
                    result: JobResult::FileSystem(name.to_string()),
                }
                .encode(),
            )),
            Outcome::Done(_) => Ok(Completion::Done(self.file_system_named(name)?)),
        }
    }

    fn nothing_completion(outcome: Outcome) -> Completion<()> {
        match outcome {
            Outcome::Job(job) => Completion::job(
                JobToken {
                    ontap_job: job,
                    result: JobResult::Nothing,
                }
                .encode(),
            ),
            Outcome::Done(_) => Completion::Done(()),
        }
    }

    /// The file system of this name in the SVM (a job's result).
    pub(super) fn file_system_named(&self, name: &str) -> Result<FileSystem> {
        self.flexvols_where(&[("name", name)])?
            .first()
            .map(|volume| mapping::flexvol_to_fs(volume, &self.system_id))
            .ok_or_else(|| not_found(ErrorNumber::NOT_FOUND_FS, "File system", name))
    }

    /// The snapshot `name` of the FlexVol `volume_uuid` (a job's result).
    pub(super) fn snapshot_named(&self, volume_uuid: &str, name: &str) -> Result<FsSnapshot> {
        let snapshots: Vec<models::Snapshot> = self.client.list(
            &format!("/api/storage/volumes/{volume_uuid}/snapshots"),
            &[("name", name), ("fields", "name,uuid,create_time")],
            ObjectKind::FileSystem,
        )?;
        snapshots
            .first()
            .map(mapping::snapshot_to_fs_snapshot)
            .ok_or_else(|| not_found(ErrorNumber::NOT_FOUND_FS_SS, "Snapshot", name))
    }

    /// The FlexClones whose parent is the FlexVol `uuid`.
    fn clones_of(&self, uuid: &str) -> Result<Vec<models::FlexVol>> {
        Ok(self
            .flexvols_where(&[("clone.parent_volume.uuid", uuid)])?
            .into_iter()
            .filter(|volume| {
                volume
                    .clone
                    .as_ref()
                    .and_then(|clone| clone.parent_volume.as_ref())
                    .and_then(|parent| parent.uuid.as_deref())
                    == Some(uuid)
            })
            .collect())
    }

    pub(super) fn fs_create(
        &self,
        pool: &Pool,
        name: &str,
        size: i64,
    ) -> Result<Completion<FileSystem>> {
        let aggregate = self.data_aggregate(pool)?;
        self.check_fs_name_free(name)?;
        let outcome = self.client.change(
            Method::POST,
            "/api/storage/volumes",
            &[],
            Some(&json!({
                "name": name,
                "svm": {"name": self.svm},
                "aggregates": [{"uuid": aggregate.uuid, "name": aggregate.name}],
                "size": size,
                "guarantee": {"type": "volume"},
                "nas": {"path": format!("/{name}")},
            })),
            ObjectKind::Pool,
        )?;
        self.fs_completion(outcome, name)
    }

    pub(super) fn fs_delete(&self, fs: &FileSystem) -> Result<Completion<()>> {
        let volume = self.file_system_volume(&fs.id)?;
        let uuid = volume.uuid.as_deref().unwrap_or_default();
        let clones = self.clones_of(uuid)?;
        if !clones.is_empty() {
            return Err(LsmError::new(
                ErrorNumber::HAS_CHILD_DEPENDENCY,
                format!(
                    "File system {} has FlexClone(s) {}: delete them or split them \
                     (fs_child_dependency_rm) first",
                    fs.id,
                    clones
                        .iter()
                        .filter_map(|clone| clone.name.as_deref())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let outcome = self.client.change::<Value>(
            Method::DELETE,
            &format!("/api/storage/volumes/{uuid}"),
            &[],
            None,
            ObjectKind::FileSystem,
        )?;
        Ok(Self::nothing_completion(outcome))
    }

    pub(super) fn fs_resize(
        &self,
        fs: &FileSystem,
        new_size: i64,
    ) -> Result<Completion<FileSystem>> {
        let volume = self.file_system_volume(&fs.id)?;
        if volume.size == Some(new_size) {
            return Err(LsmError::new(
                ErrorNumber::NO_STATE_CHANGE,
                format!("File system {} is already of {new_size} bytes", fs.id),
            ));
        }
        let uuid = volume.uuid.as_deref().unwrap_or_default();
        let outcome = self.client.change(
            Method::PATCH,
            &format!("/api/storage/volumes/{uuid}"),
            &[],
            Some(&json!({"size": new_size})),
            ObjectKind::FileSystem,
        )?;
        self.fs_completion(outcome, volume.name.as_deref().unwrap_or_default())
    }

    /// A FlexClone of `source` (from `snapshot`, else from a snapshot ONTAP makes).
    pub(super) fn fs_clone(
        &self,
        source: &FileSystem,
        name: &str,
        snapshot: Option<&FsSnapshot>,
    ) -> Result<Completion<FileSystem>> {
        let volume = self.file_system_volume(&source.id)?;
        let uuid = volume.uuid.clone().unwrap_or_default();
        let mut clone = json!({
            "is_flexclone": true,
            "parent_volume": {"uuid": uuid, "name": volume.name},
        });
        if let Some(snapshot) = snapshot {
            let found = self.snapshot(&uuid, &snapshot.id)?;
            clone["parent_snapshot"] = json!({"uuid": found.uuid, "name": found.name});
        }
        self.check_fs_name_free(name)?;
        let outcome = self.client.change(
            Method::POST,
            "/api/storage/volumes",
            &[],
            Some(&json!({
                "name": name,
                "svm": {"name": self.svm},
                "clone": clone,
                "nas": {"path": format!("/{name}")},
            })),
            ObjectKind::FileSystem,
        )?;
        self.fs_completion(outcome, name)
    }

    /// True when FlexClones depend on the file system (ONTAP has no file-level dependency).
    pub(super) fn fs_child_dependency(&self, fs: &FileSystem) -> Result<bool> {
        let volume = self.file_system_volume(&fs.id)?;
        Ok(!self
            .clones_of(volume.uuid.as_deref().unwrap_or_default())?
            .is_empty())
    }

    /// Split every FlexClone of the file system from it (`clone.split_initiated`), waiting
    /// for each split within the call's timeout.
    pub(super) fn fs_child_dependency_rm(&self, fs: &FileSystem) -> Result<Completion<()>> {
        let volume = self.file_system_volume(&fs.id)?;
        let clones = self.clones_of(volume.uuid.as_deref().unwrap_or_default())?;
        if clones.is_empty() {
            return Err(LsmError::new(
                ErrorNumber::NO_STATE_CHANGE,
                format!("File system {} has no FlexClone", fs.id),
            ));
        }
        let deadline = self.client.deadline();
        for clone in clones {
            let uuid = clone.uuid.unwrap_or_default();
            self.client.change_and_wait(
                Method::PATCH,
                &format!("/api/storage/volumes/{uuid}"),
                Some(&json!({"clone": {"split_initiated": true}})),
                ObjectKind::FileSystem,
                deadline,
            )?;
        }
        Ok(Completion::Done(()))
    }

    pub(super) fn fs_snapshot_create(
        &self,
        fs: &FileSystem,
        name: &str,
    ) -> Result<Completion<FsSnapshot>> {
        let volume = self.file_system_volume(&fs.id)?;
        let uuid = volume.uuid.clone().unwrap_or_default();
        if self.snapshot_named(&uuid, name).is_ok() {
            return Err(LsmError::new(
                ErrorNumber::NAME_CONFLICT,
                format!("File system {} already has a snapshot named {name}", fs.id),
            ));
        }
        let outcome = self.client.change(
            Method::POST,
            &format!("/api/storage/volumes/{uuid}/snapshots"),
            &[],
            Some(&json!({"name": name})),
            ObjectKind::FileSystem,
        )?;
        match outcome {
            Outcome::Job(job) => Ok(Completion::job(
                JobToken {
                    ontap_job: job,
                    result: JobResult::Snapshot {
                        volume_uuid: uuid,
                        name: name.to_string(),
                    },
                }
                .encode(),
            )),
            Outcome::Done(_) => Ok(Completion::Done(self.snapshot_named(&uuid, name)?)),
        }
    }

    pub(super) fn fs_snapshot_delete(
        &self,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
    ) -> Result<Completion<()>> {
        let volume = self.file_system_volume(&fs.id)?;
        let uuid = volume.uuid.clone().unwrap_or_default();
        let found = self.snapshot(&uuid, &snapshot.id)?;
        let snapshot_uuid = found.uuid.unwrap_or_default();
        let outcome = self.client.change::<Value>(
            Method::DELETE,
            &format!("/api/storage/volumes/{uuid}/snapshots/{snapshot_uuid}"),
            &[],
            None,
            ObjectKind::Snapshot,
        )?;
        Ok(Self::nothing_completion(outcome))
    }

    /// Restore the whole volume to the snapshot: a volume PATCH whose query names it
    /// (`restore_to.snapshot.uuid`: ONTAP's volume schema has no `restore_to` body field);
    /// ONTAP's single-file restore is not offered.
    pub(super) fn fs_snapshot_restore(
        &self,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
        files: &[String],
        all_files: bool,
    ) -> Result<Completion<()>> {
        if !all_files || !files.is_empty() {
            return Err(LsmError::new(
                ErrorNumber::NO_SUPPORT,
                "this plugin restores a whole volume from a snapshot (all_files) only",
            ));
        }
        let volume = self.file_system_volume(&fs.id)?;
        let uuid = volume.uuid.clone().unwrap_or_default();
        let found = self.snapshot(&uuid, &snapshot.id)?;
        let snapshot_uuid = found.uuid.unwrap_or_default();
        let outcome = self.client.change(
            Method::PATCH,
            &format!("/api/storage/volumes/{uuid}"),
            &[("restore_to.snapshot.uuid", snapshot_uuid.as_str())],
            None::<&serde_json::Value>,
            ObjectKind::Snapshot,
        )?;
        Ok(Self::nothing_completion(outcome))
    }

    /// Every export: the SVM's mounted FlexVols whose policy has rules.
    pub(super) fn exports(&self) -> Result<Vec<NfsExport>> {
        let policies: Vec<models::ExportPolicy> = self.client.list(
            "/api/protocols/nfs/export-policies",
            &[
                ("svm.name", self.svm.as_str()),
                ("fields", "name,id,svm,rules"),
            ],
            ObjectKind::NfsExport,
        )?;
        Ok(self
            .file_system_flexvols()?
            .iter()
            .filter(|volume| {
                volume
                    .nas
                    .as_ref()
                    .and_then(|nas| nas.path.as_deref())
                    .is_some_and(|path| !path.is_empty())
            })
            .filter_map(|volume| {
                let wanted = volume.nas.as_ref()?.export_policy.as_ref()?;
                let policy = policies.iter().find(|policy| {
                    (wanted.id.is_some() && policy.id == wanted.id)
                        || (wanted.id.is_none() && policy.name == wanted.name)
                })?;
                (!policy.rules.is_empty()).then(|| mapping::export_to_nfs_export(volume, policy))
            })
            .collect())
    }

    pub(super) fn export_fs(&self, request: &ExportRequest) -> Result<NfsExport> {
        if request.anon_gid >= 0 {
            return Err(LsmError::new(
                ErrorNumber::NO_SUPPORT,
                "ONTAP export rules map anonymous access to a user only: anon_gid cannot be set",
            ));
        }
        if request
            .options
            .as_deref()
            .is_some_and(|options| !options.is_empty())
        {
            return Err(LsmError::new(
                ErrorNumber::NO_SUPPORT,
                "ONTAP export rules take no free-form options",
            ));
        }
        if request.rw_list.is_empty() && request.ro_list.is_empty() {
            return Err(LsmError::invalid_argument(
                "an export needs at least one read-write or read-only host",
            ));
        }
        let rules = export_rules(request)?;
        let volume = self.file_system_volume(&request.fs_id)?;
        let uuid = volume.uuid.clone().unwrap_or_default();
        let volume_name = volume.name.clone().unwrap_or_default();
        let path = match request.export_path.as_deref() {
            Some(path) if !path.starts_with('/') => {
                return Err(LsmError::invalid_argument(format!(
                    "export path {path:?} must be absolute (a junction path in the SVM's namespace)"
                )));
            }
            Some(path) => path.to_string(),
            None => volume
                .nas
                .as_ref()
                .and_then(|nas| nas.path.clone())
                .filter(|path| !path.is_empty())
                .unwrap_or_else(|| format!("/{volume_name}")),
        };
        let policy_name = format!("{POLICY_PREFIX}{volume_name}");
        let existing: Vec<models::ExportPolicy> = self.client.list(
            "/api/protocols/nfs/export-policies",
            &[
                ("svm.name", self.svm.as_str()),
                ("name", policy_name.as_str()),
                ("fields", "name,id"),
            ],
            ObjectKind::NfsExport,
        )?;
        let deadline = self.client.deadline();
        match existing.first().and_then(|policy| policy.id) {
            Some(id) => {
                self.client.change_and_wait(
                    Method::PATCH,
                    &format!("/api/protocols/nfs/export-policies/{id}"),
                    Some(&json!({"rules": rules})),
                    ObjectKind::NfsExport,
                    deadline,
                )?;
            }
            None => {
                self.client.change_and_wait(
                    Method::POST,
                    "/api/protocols/nfs/export-policies",
                    Some(&json!({"name": policy_name, "svm": {"name": self.svm}, "rules": rules})),
                    ObjectKind::NfsExport,
                    deadline,
                )?;
            }
        }
        let mounted = self.client.change_and_wait(
            Method::PATCH,
            &format!("/api/storage/volumes/{uuid}"),
            Some(&json!({"nas": {"path": path, "export_policy": {"name": policy_name}}})),
            ObjectKind::FileSystem,
            deadline,
        );
        if let Err(error) = mounted {
            if existing.is_empty() {
                self.delete_policy_named(&policy_name);
            }
            return Err(error);
        }
        self.exports()?
            .into_iter()
            .find(|export| export.id == uuid)
            .ok_or_else(|| {
                LsmError::plugin_bug(format!(
                    "volume {volume_name} was exported at {path} but ONTAP lists no export of it"
                ))
            })
    }

    /// Delete the export policy `name` of the SVM, if no volume uses it; failures are logged.
    fn delete_policy_named(&self, name: &str) {
        let found: Result<Vec<models::ExportPolicy>> = self.client.list(
            "/api/protocols/nfs/export-policies",
            &[
                ("svm.name", self.svm.as_str()),
                ("name", name),
                ("fields", "name,id"),
            ],
            ObjectKind::NfsExport,
        );
        let Some(id) = found.ok().and_then(|policies| policies.first()?.id) else {
            return;
        };
        if let Err(error) = self.client.change_and_wait::<Value>(
            Method::DELETE,
            &format!("/api/protocols/nfs/export-policies/{id}"),
            None,
            ObjectKind::NfsExport,
            self.client.deadline(),
        ) {
            tracing::info!(policy = name, %error, "export policy kept");
        }
    }

    pub(super) fn export_remove(&self, export: &NfsExport) -> Result<()> {
        let missing = || not_found(ErrorNumber::NOT_FOUND_NFS_EXPORT, "Export", &export.id);
        if !self.exports()?.iter().any(|listed| listed.id == export.id) {
            return Err(missing());
        }
        let volume = self.file_system_volume(&export.id).map_err(|_| missing())?;
        let uuid = volume.uuid.clone().unwrap_or_default();
        let policy = volume
            .nas
            .as_ref()
            .and_then(|nas| nas.export_policy.as_ref())
            .and_then(|policy| policy.name.clone())
            .unwrap_or_default();
        self.client.change_and_wait(
            Method::PATCH,
            &format!("/api/storage/volumes/{uuid}"),
            Some(&json!({"nas": {"path": "", "export_policy": {"name": "default"}}})),
            ObjectKind::NfsExport,
            self.client.deadline(),
        )?;
        if policy.starts_with(POLICY_PREFIX) {
            self.delete_policy_named(&policy);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(rw: &[&str], ro: &[&str], root: &[&str]) -> ExportRequest {
        let list = |hosts: &[&str]| hosts.iter().map(|h| h.to_string()).collect();
        ExportRequest {
            fs_id: "fs".into(),
            export_path: None,
            root_list: list(root),
            rw_list: list(rw),
            ro_list: list(ro),
            anon_uid: -1,
            anon_gid: -1,
            auth_type: None,
            options: None,
        }
    }

    #[test]
    fn each_kind_of_access_gets_a_rule_with_its_hosts() {
        let rules = export_rules(&request(
            &["10.0.0.1", "10.0.0.2"],
            &["10.0.0.3"],
            &["10.0.0.1"],
        ))
        .unwrap();
        assert_eq!(rules.len(), 3, "{rules:?}");
        assert_eq!(rules[0]["clients"], json!([{"match": "10.0.0.1"}]));
        assert_eq!(rules[0]["superuser"], json!(["sys"]));
        assert_eq!(rules[0]["rw_rule"], json!(["sys"]));
        assert_eq!(rules[1]["clients"], json!([{"match": "10.0.0.2"}]));
        assert_eq!(rules[1]["superuser"], json!(["none"]));
        assert_eq!(rules[2]["clients"], json!([{"match": "10.0.0.3"}]));
        assert_eq!(rules[2]["rw_rule"], json!(["never"]));
        assert!(rules[0].get("anonymous_user").is_none());
    }

    #[test]
    fn the_auth_type_and_anonymous_user_go_into_every_rule() {
        let mut asked = request(&[], &["h1"], &[]);
        asked.auth_type = Some("krb5".into());
        asked.anon_uid = 65534;
        let rules = export_rules(&asked).unwrap();
        assert_eq!(rules[0]["ro_rule"], json!(["krb5"]));
        assert_eq!(rules[0]["anonymous_user"], json!("65534"));
        asked.auth_type = Some("bogus".into());
        assert_eq!(
            export_rules(&asked).unwrap_err().code,
            ErrorNumber::INVALID_ARGUMENT
        );
    }

    #[test]
    fn volume_names_follow_ontap_rules() {
        assert!(check_volume_name("lsmrs_fs_1").is_ok());
        assert!(check_volume_name("_x").is_ok());
        for bad in ["", "1abc", "a-b", "a.b", &"x".repeat(204)] {
            assert!(check_volume_name(bad).is_err(), "{bad:?}");
        }
    }
}
