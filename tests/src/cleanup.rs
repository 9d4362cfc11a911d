//! Cleanup bookkeeping: every object a check creates is recorded as an
//! [`Undo`] *before* the create call (by name, so a half-finished create is
//! still found), and undone in reverse order when the check ends, whether it
//! passed or not. Jobs are waited for. "Already gone" is fine; any other
//! error makes the check fail, since leaving objects behind is a bug too.

use lsm_core::client::JobOutput;
use lsm_core::{
    AccessGroup, BlockingClient, Capabilities, Capability, Completion, ErrorNumber, FileSystem,
    FsSnapshot, LsmError, NfsExport, System, Volume,
};

use crate::ctx::Ctx;
use crate::expect::is_breakage;

/// One thing to undo at the end of a check.
#[derive(Debug, Clone)]
pub(crate) enum Undo {
    /// Delete the volume (found by name unless known).
    Volume { name: String, known: Option<Volume> },
    /// Delete the access group (found by name unless known).
    AccessGroup {
        name: String,
        known: Option<AccessGroup>,
    },
    /// Unmask the volume from the access group.
    Mask {
        access_group: AccessGroup,
        volume: Volume,
    },
    /// Delete the file system (found by name unless known).
    FileSystem {
        name: String,
        known: Option<FileSystem>,
    },
    /// Delete the snapshot of `fs` (found by name unless known).
    Snapshot {
        fs: FileSystem,
        name: String,
        known: Option<FsSnapshot>,
    },
    /// Remove the export.
    Export(NfsExport),
    /// Put back the system's read cache percentage.
    ReadCachePct { system: System, read_pct: i64 },
    /// Free a job the check left unfreed.
    Job(String),
}

fn wait<T: JobOutput>(
    client: &mut BlockingClient,
    completion: lsm_core::Result<Completion<T>>,
) -> lsm_core::Result<T> {
    client.wait_done(completion?)
}

/// Runs one undo step; `Ok` also when the object is already gone, or when it
/// is known only by name and the plugin cannot list its kind (then it cannot
/// have been made either).
fn undo_one(client: &mut BlockingClient, caps: &Capabilities, undo: &Undo) -> lsm_core::Result<()> {
    let tolerate = |result: lsm_core::Result<()>, codes: &[ErrorNumber]| match result {
        Err(err) if codes.contains(&err.code) => Ok(()),
        other => other,
    };
    match undo {
        Undo::Volume { name, known } => {
            let targets = match known {
                Some(volume) => vec![volume.clone()],
                None if !caps.supported(Capability::VOLUMES) => Vec::new(),
                None => client
                    .volumes(None)?
                    .into_iter()
                    .filter(|v| &v.name == name)
                    .collect(),
            };
            for volume in targets {
                let started = client.volume_delete(&volume);
                let done = wait(client, started);
                tolerate(done, &[ErrorNumber::NOT_FOUND_VOLUME])?;
            }
            Ok(())
        }
        Undo::AccessGroup { name, known } => {
            let targets = match known {
                Some(group) => vec![group.clone()],
                None if !caps.supported(Capability::ACCESS_GROUPS) => Vec::new(),
                None => client
                    .access_groups(None)?
                    .into_iter()
                    .filter(|g| &g.name == name)
                    .collect(),
            };
            for group in targets {
                let done = client.access_group_delete(&group);
                tolerate(done, &[ErrorNumber::NOT_FOUND_ACCESS_GROUP])?;
            }
            Ok(())
        }
        Undo::Mask {
            access_group,
            volume,
        } => tolerate(
            client.volume_unmask(access_group, volume),
            &[
                ErrorNumber::NO_STATE_CHANGE,
                ErrorNumber::NOT_FOUND_VOLUME,
                ErrorNumber::NOT_FOUND_ACCESS_GROUP,
            ],
        ),
        Undo::FileSystem { name, known } => {
            let targets = match known {
                Some(fs) => vec![fs.clone()],
                None if !caps.supported(Capability::FS) => Vec::new(),
                None => client
                    .fs(None)?
                    .into_iter()
                    .filter(|f| &f.name == name)
                    .collect(),
            };
            for fs in targets {
                let started = client.fs_delete(&fs);
                let done = wait(client, started);
                tolerate(done, &[ErrorNumber::NOT_FOUND_FS])?;
            }
            Ok(())
        }
        Undo::Snapshot { fs, name, known } => {
            let targets = match known {
                Some(snapshot) => vec![snapshot.clone()],
                None if !caps.supported(Capability::FS_SNAPSHOTS) => Vec::new(),
                None => match client.fs_snapshots(fs) {
                    Ok(list) => list.into_iter().filter(|s| &s.name == name).collect(),
                    Err(err) if err.code == ErrorNumber::NOT_FOUND_FS => Vec::new(),
                    Err(err) => return Err(err),
                },
            };
            for snapshot in targets {
                let started = client.fs_snapshot_delete(fs, &snapshot);
                let done = wait(client, started);
                tolerate(
                    done,
                    &[ErrorNumber::NOT_FOUND_FS, ErrorNumber::NOT_FOUND_FS_SS],
                )?;
            }
            Ok(())
        }
        Undo::Export(export) => tolerate(
            client.export_remove(export),
            &[ErrorNumber::NOT_FOUND_NFS_EXPORT, ErrorNumber::NOT_FOUND_FS],
        ),
        Undo::ReadCachePct { system, read_pct } => {
            client.system_read_cache_pct_update(system, *read_pct)
        }
        Undo::Job(job_id) => tolerate(client.job_free(job_id), &[ErrorNumber::NOT_FOUND_JOB]),
    }
}

fn describe(undo: &Undo) -> String {
    match undo {
        Undo::Volume { name, .. } => format!("delete volume {name}"),
        Undo::AccessGroup { name, .. } => format!("delete access group {name}"),
        Undo::Mask {
            access_group,
            volume,
        } => format!("unmask volume {} from {}", volume.id, access_group.id),
        Undo::FileSystem { name, .. } => format!("delete file system {name}"),
        Undo::Snapshot { name, .. } => format!("delete snapshot {name}"),
        Undo::Export(export) => format!("remove export {}", export.id),
        Undo::ReadCachePct { read_pct, .. } => format!("restore read cache to {read_pct}%"),
        Undo::Job(job_id) => format!("free job {job_id}"),
    }
}

fn needs_reconnect(err: &LsmError) -> bool {
    is_breakage(err.code) && err.code != ErrorNumber::PLUGIN_BUG
}

impl Ctx {
    /// Records an undo step; it runs at the end of the check.
    pub(crate) fn push_undo(&mut self, undo: Undo) {
        self.undo.push(undo);
    }

    /// Replaces the last pending undo step for this name by one that knows the
    /// object (so cleanup need not search for it).
    pub(crate) fn learn_undo(&mut self, learned: Undo) {
        let same = |a: &Undo, b: &Undo| match (a, b) {
            (Undo::Volume { name: x, .. }, Undo::Volume { name: y, .. })
            | (Undo::AccessGroup { name: x, .. }, Undo::AccessGroup { name: y, .. })
            | (Undo::FileSystem { name: x, .. }, Undo::FileSystem { name: y, .. })
            | (Undo::Snapshot { name: x, .. }, Undo::Snapshot { name: y, .. }) => x == y,
            _ => false,
        };
        if let Some(slot) = self.undo.iter_mut().rev().find(|u| same(u, &learned)) {
            *slot = learned;
        } else {
            self.undo.push(learned);
        }
    }

    /// Drops pending undo steps that `gone` says are done.
    pub(crate) fn forget_undo(&mut self, gone: impl Fn(&Undo) -> bool) {
        self.undo.retain(|u| !gone(u));
    }

    /// Undoes everything recorded, newest first. Returns what could not be
    /// undone.
    pub(crate) fn cleanup(&mut self) -> Result<(), String> {
        let mut problems = Vec::new();
        while let Some(undo) = self.undo.pop() {
            let mut result = undo_one(&mut self.client, &self.caps, &undo);
            if let Err(err) = &result
                && needs_reconnect(err)
            {
                // The session broke (a timeout, a dead plugin): a new one
                // may still clean up.
                match self.connect() {
                    Ok(client) => {
                        self.client = client;
                        result = undo_one(&mut self.client, &self.caps, &undo);
                    }
                    Err(connect_err) => result = Err(connect_err),
                }
            }
            if let Err(err) = result {
                problems.push(format!("{}: {err}", describe(&undo)));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}
