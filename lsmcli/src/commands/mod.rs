//! The commands, one module per group, and the [`Session`] they share: the plugin
//! connection, the output, jobs (`-b`, waiting with progress), confirmation prompts and the
//! id lookups that turn `--vol VOL_ID` into the object the wire needs.
//!
//! # Layout
//! - [`list`]: `list --type ...` (every type and filter; several `--uri` in parallel).
//! - [`volume`]: `volume-*` (create, RAID, replication, masking, cache policies, LEDs).
//! - [`access_group`]: `access-group-*`, `iscsi-chap`.
//! - [`fs`]: `fs-*` (file systems, snapshots, clones, dependencies, NFS exports).
//! - [`system`]: `capabilities`, `plugin-info`, `system-read-cache-pct-update`,
//!   `pool-member-info`, `job-status`.
//! - [`local`]: `local-disk-*`, `local-led-slot-*` (no plugin involved).
//! - [`docs`]: `completions`, `man`.

pub mod access_group;
pub mod docs;
pub mod fs;
pub mod list;
pub mod local;
pub mod system;
pub mod volume;

use std::path::{Path, PathBuf};
use std::time::Duration;

use lsm_core::client::JobOutput;
use lsm_core::{
    AccessGroup, Client, Completion, FileSystem, FsSnapshot, JobStatus, NfsExport, Pool, System,
    Volume,
};

use crate::cli::{Cli, Command};
use crate::error::{CliError, Exit};
use crate::output::Output;
use crate::progress::JobProgress;
use crate::prompt::{self, Answer};

/// The default `-w`: 30 s.
pub const DEFAULT_TIMEOUT_MS: i64 = 30_000;

/// How to reach the plugin(s): resolved before any connection is made.
#[derive(Debug, Clone)]
pub struct Target {
    /// The URIs (several only for `list`).
    pub uris: Vec<String>,
    /// The password, if any.
    pub password: Option<String>,
    /// The per-call timeout.
    pub timeout: Duration,
    /// `--fork_plugin`: run this executable instead of choosing by scheme.
    pub fork_plugin: Option<PathBuf>,
}

/// Connects to `uri` the way the command line asks.
pub async fn connect(
    uri: &str,
    password: Option<&str>,
    timeout: Duration,
    fork_plugin: Option<&Path>,
) -> Result<Client, CliError> {
    match fork_plugin {
        Some(exe) => {
            if !exe.is_file() {
                return Err(CliError::PluginStart(format!(
                    "File: {} issue: no such plugin executable",
                    exe.display()
                )));
            }
            Ok(Client::connect_plugin_exe(exe, uri, password, timeout).await?)
        }
        None => Ok(Client::connect(uri, password, timeout).await?),
    }
}

/// One connected command run.
pub struct Session<'a> {
    /// The plugin connection.
    pub client: Client,
    /// Where results go.
    pub out: &'a mut Output,
    /// `-f`: no confirmation prompts.
    pub force: bool,
    /// `-b`: print job ids instead of waiting.
    pub background: bool,
}

impl Session<'_> {
    /// Finishes an async call: the value when done; with a job, either waits for it (progress
    /// bar on a terminal) or, with `-b`, prints the job id and returns `None` (exit 7).
    pub async fn finish<T: JobOutput>(
        &mut self,
        operation: &str,
        completion: Completion<T>,
    ) -> Result<Option<T>, CliError> {
        let job_id = match completion {
            Completion::Done(value) => return Ok(Some(value)),
            Completion::Job(job) => job.id,
        };
        if self.background {
            self.out
                .line_or_json(&job_id, &serde_json::json!({ "job_id": job_id.as_str() }))?;
            return Ok(None);
        }
        let item = wait_job(&mut self.client, operation, &job_id).await?;
        Ok(Some(T::from_item(item)?))
    }

    /// Asks before losing data, unless `-f`. `Ok(false)`: the user said no on a terminal
    /// ("Operation aborted!" is printed); no terminal and no `y` is an error (exit 2).
    pub async fn confirm(&mut self, deleting: bool) -> Result<bool, CliError> {
        if self.force {
            return Ok(true);
        }
        let warning = prompt::warning(deleting);
        if self.out.is_json() {
            eprint!("{warning}");
        } else {
            self.out.push_text(&warning);
            self.out.flush().map_err(|_| CliError::Interrupted)?;
        }
        match prompt::read_answer() {
            Answer::Yes => Ok(true),
            Answer::No => {
                if self.out.is_json() {
                    eprintln!("Operation aborted!");
                } else {
                    self.out.line("Operation aborted!");
                }
                Ok(false)
            }
            Answer::NoTerminal => Err(CliError::argument(
                "operation aborted: no confirmation on stdin (use -f to skip the prompt)",
            )),
        }
    }

    /// The system with this id.
    pub async fn find_system(&mut self, id: &str) -> Result<System, CliError> {
        let systems = self.client.systems().await?;
        find_by_id(systems, id, "System", |s| &s.id)
    }

    /// The pool with this id.
    pub async fn find_pool(&mut self, id: &str) -> Result<Pool, CliError> {
        let pools = self.client.pools(Some(("id", id))).await?;
        find_by_id(pools, id, "Pool", |p| &p.id)
    }

    /// The volume with this id; `what` names it in the error ("Volume", "Source Volume").
    pub async fn find_volume(&mut self, id: &str, what: &str) -> Result<Volume, CliError> {
        let volumes = self.client.volumes(Some(("id", id))).await?;
        find_by_id(volumes, id, what, |v| &v.id)
    }

    /// The access group with this id.
    pub async fn find_access_group(&mut self, id: &str) -> Result<AccessGroup, CliError> {
        let groups = self.client.access_groups(Some(("id", id))).await?;
        find_by_id(groups, id, "Access Group", |g| &g.id)
    }

    /// The file system with this id; `what` names it in the error.
    pub async fn find_fs(&mut self, id: &str, what: &str) -> Result<FileSystem, CliError> {
        let file_systems = self.client.fs(Some(("id", id))).await?;
        find_by_id(file_systems, id, what, |f| &f.id)
    }

    /// The snapshot with this id of a file system.
    pub async fn find_snapshot(
        &mut self,
        fs: &FileSystem,
        id: &str,
    ) -> Result<FsSnapshot, CliError> {
        let snapshots = self.client.fs_snapshots(fs).await?;
        find_by_id(snapshots, id, "Snapshot", |s| &s.id)
    }

    /// The NFS export with this id.
    pub async fn find_export(&mut self, id: &str) -> Result<NfsExport, CliError> {
        let exports = self.client.exports(Some(("id", id))).await?;
        find_by_id(exports, id, "NFS Export", |e| &e.id)
    }
}

/// The item whose id is `id`, or "<what> with ID <id> not found!".
pub fn find_by_id<T>(
    items: Vec<T>,
    id: &str,
    what: &str,
    id_of: impl Fn(&T) -> &String,
) -> Result<T, CliError> {
    items
        .into_iter()
        .find(|item| id_of(item) == id)
        .ok_or_else(|| CliError::not_found(what, id))
}

/// Polls a job until it ends, then frees it: its item when complete; a job in error is
/// "<operation> job error code= 3" (exit 2), as the reference says it.
pub async fn wait_job(
    client: &mut Client,
    operation: &str,
    job_id: &str,
) -> Result<Option<lsm_core::LsmObject>, CliError> {
    let progress = JobProgress::start(operation);
    let mut delay = Duration::from_millis(5);
    loop {
        let report = match client.job_status(job_id).await {
            Ok(report) => report,
            Err(error) => {
                progress.finish();
                return Err(error.into());
            }
        };
        progress.update(report.percent);
        if report.status == JobStatus::INPROGRESS {
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_millis(250));
            continue;
        }
        progress.finish();
        if report.status == JobStatus::COMPLETE {
            client.job_free(job_id).await?;
            return Ok(report.item);
        }
        let _ = client.job_free(job_id).await;
        return Err(CliError::argument(format!(
            "{operation} job error code= {}",
            report.status.0
        )));
    }
}

/// Runs a command that needs a plugin connection.
pub async fn run_connected(cli: &Cli, target: &Target, out: &mut Output) -> Result<Exit, CliError> {
    if let Command::List(args) = &cli.command {
        return list::run(args, target, out).await;
    }
    let uri = target
        .uris
        .first()
        .ok_or_else(|| CliError::argument("--uri missing or export LSMCLI_URI"))?;
    let client = connect(
        uri,
        target.password.as_deref(),
        target.timeout,
        target.fork_plugin.as_deref(),
    )
    .await?;
    let mut session = Session {
        client,
        out,
        force: cli.global.force,
        background: cli.global.background,
    };
    let result = dispatch(&cli.command, &mut session).await;
    // The reference closes the connection whatever happened; close errors are not reported.
    let _ = session.client.close().await;
    result
}

async fn dispatch(command: &Command, session: &mut Session<'_>) -> Result<Exit, CliError> {
    use Command as C;
    match command {
        C::JobStatus { job } => system::job_status(session, job).await,
        C::Capabilities { sys } => system::capabilities(session, sys).await,
        C::PluginInfo => system::plugin_info(session).await,
        C::SystemReadCachePctUpdate { sys, read_pct } => {
            system::read_cache_pct_update(session, sys, *read_pct).await
        }
        C::PoolMemberInfo { pool } => system::pool_member_info(session, pool).await,
        C::VolumeCreate { .. }
        | C::VolumeRaidCreate { .. }
        | C::VolumeRaidCreateCap { .. }
        | C::VolumeDelete { .. }
        | C::VolumeResize { .. }
        | C::VolumeReplicate { .. }
        | C::VolumeReplicateRange { .. }
        | C::VolumeReplicateRangeBlockSize { .. }
        | C::VolumeDependants { .. }
        | C::VolumeDependantsRm { .. }
        | C::VolumeAccessGroup { .. }
        | C::VolumeMask { .. }
        | C::VolumeUnmask { .. }
        | C::VolumeEnable { .. }
        | C::VolumeDisable { .. }
        | C::VolumeRaidInfo { .. }
        | C::VolumeIdentLedOn { .. }
        | C::VolumeIdentLedOff { .. }
        | C::VolumeCacheInfo { .. }
        | C::VolumePhyDiskCacheUpdate { .. }
        | C::VolumeReadCachePolicyUpdate { .. }
        | C::VolumeWriteCachePolicyUpdate { .. } => volume::run(command, session).await,
        C::AccessGroupCreate { .. }
        | C::AccessGroupAdd { .. }
        | C::AccessGroupRemove { .. }
        | C::AccessGroupDelete { .. }
        | C::AccessGroupVolumes { .. }
        | C::IscsiChap { .. } => access_group::run(command, session).await,
        C::FsCreate { .. }
        | C::FsDelete { .. }
        | C::FsResize { .. }
        | C::FsExport { .. }
        | C::FsUnexport { .. }
        | C::FsClone { .. }
        | C::FsSnapCreate { .. }
        | C::FsSnapDelete { .. }
        | C::FsSnapRestore { .. }
        | C::FsDependants { .. }
        | C::FsDependantsRm { .. }
        | C::FileClone { .. } => fs::run(command, session).await,
        C::List(_)
        | C::LocalDiskList
        | C::LocalDiskIdentLedOn { .. }
        | C::LocalDiskIdentLedOff { .. }
        | C::LocalDiskFaultLedOn { .. }
        | C::LocalDiskFaultLedOff { .. }
        | C::LocalLedSlotList
        | C::LocalLedSlotSet { .. }
        | C::Completions { .. }
        | C::Man => Err(CliError::Lsm(lsm_core::LsmError::lib_bug(
            "command dispatched to the wrong handler",
        ))),
    }
}
