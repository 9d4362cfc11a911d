//! The commands, one module per group; [`run`], the one match that routes each command to
//! its handler; the [`Context`] every command runs with (output, shared flags, the target
//! of `--uri`); and the [`Session`] of a command that talks to the plugin of `--uri`: the
//! connection, jobs (`-b`, waiting with progress), confirmation prompts and the id lookups
//! that turn `--vol VOL_ID` into the object the wire needs.
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
use lsm_core::local_disk::LocalDisks;
use lsm_core::{
    AccessGroup, AccessGroupSearch, Client, Completion, ExportSearch, FileSystem, FsSearch,
    FsSnapshot, JobStatus, NfsExport, Pool, PoolSearch, System, Volume, VolumeSearch,
};
use serde::Serialize;

use crate::cli::{Command, GlobalOptions};
use crate::display::objects::ToRecord;
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
            let mut builder = Client::builder(uri).timeout(timeout).plugin_exe(exe);
            if let Some(password) = password {
                builder = builder.password(password);
            }
            Ok(builder.connect().await?)
        }
        None => Ok(Client::connect(uri, password, timeout).await?),
    }
}

/// What a command that talks to the plugin of `--uri` runs with.
pub struct Session<'a> {
    /// The plugin connection.
    pub client: &'a mut Client,
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
        let item = wait_job(self.client, operation, &job_id).await?;
        Ok(Some(T::from_item(item)?))
    }

    /// Finishes an async call that makes an object and shows it (exit 0); with `-b`, prints
    /// the job id instead (exit 7).
    pub async fn show_finished<T: JobOutput + ToRecord + Serialize>(
        &mut self,
        operation: &str,
        completion: Completion<T>,
    ) -> Result<Exit, CliError> {
        match self.finish(operation, completion).await? {
            Some(item) => {
                self.out.show_one(&item)?;
                Ok(Exit::Done)
            }
            None => Ok(Exit::JobRunning),
        }
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
        let pools = self.client.pools(Some(PoolSearch::Id(id))).await?;
        find_by_id(pools, id, "Pool", |p| &p.id)
    }

    /// The volume with this id; `what` names it in the error ("Volume", "Source Volume").
    pub async fn find_volume(&mut self, id: &str, what: &str) -> Result<Volume, CliError> {
        let volumes = self.client.volumes(Some(VolumeSearch::Id(id))).await?;
        find_by_id(volumes, id, what, |v| &v.id)
    }

    /// The access group with this id.
    pub async fn find_access_group(&mut self, id: &str) -> Result<AccessGroup, CliError> {
        let groups = self
            .client
            .access_groups(Some(AccessGroupSearch::Id(id)))
            .await?;
        find_by_id(groups, id, "Access Group", |g| &g.id)
    }

    /// The file system with this id; `what` names it in the error.
    pub async fn find_fs(&mut self, id: &str, what: &str) -> Result<FileSystem, CliError> {
        let file_systems = self.client.fs(Some(FsSearch::Id(id))).await?;
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
        let exports = self.client.exports(Some(ExportSearch::Id(id))).await?;
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

/// Waits for a job with a progress bar (`Client::wait_report`: polled to its end, then
/// freed): its item when complete; a job in error is
/// "<operation> job error code= 3" (exit 2), as the reference says it.
pub async fn wait_job(
    client: &mut Client,
    operation: &str,
    job_id: &str,
) -> Result<Option<lsm_core::LsmObject>, CliError> {
    let progress = JobProgress::start(operation);
    let report = client
        .wait_report(job_id, |percent| progress.update(percent))
        .await;
    progress.finish();
    let report = report?;
    if report.status == JobStatus::COMPLETE {
        return Ok(report.item);
    }
    Err(CliError::argument(format!(
        "{operation} job error code= {}",
        report.status.0
    )))
}

/// What a command runs with: its output, the flags and `-w` timeout every command shares,
/// the target when the command talks to the plugin(s) of `--uri`, and the connection once a
/// command has opened it.
pub struct Context<'a> {
    out: &'a mut Output,
    timeout: Duration,
    target: Option<Target>,
    force: bool,
    background: bool,
    client: Option<Client>,
}

impl<'a> Context<'a> {
    /// The context of a run with `global`'s options; `target` is resolved for the commands
    /// that need the plugin(s) of `--uri`, `None` for the others.
    pub fn new(
        out: &'a mut Output,
        global: &GlobalOptions,
        timeout: Duration,
        target: Option<Target>,
    ) -> Self {
        Context {
            out,
            timeout,
            target,
            force: global.force,
            background: global.background,
            client: None,
        }
    }

    /// The session with the plugin of `--uri`, connected on first use.
    async fn session(&mut self) -> Result<Session<'_>, CliError> {
        let client = match self.client.take() {
            Some(client) => client,
            None => {
                let missing = || CliError::argument("--uri missing or export LSMCLI_URI");
                let target = self.target.as_ref().ok_or_else(missing)?;
                let uri = target.uris.first().ok_or_else(missing)?;
                connect(
                    uri,
                    target.password.as_deref(),
                    target.timeout,
                    target.fork_plugin.as_deref(),
                )
                .await?
            }
        };
        Ok(Session {
            client: self.client.insert(client),
            out: &mut *self.out,
            force: self.force,
            background: self.background,
        })
    }

    /// Closes the connection, if the command opened one.
    async fn close(self) {
        if let Some(client) = self.client {
            // The reference closes the connection whatever happened; close errors are not
            // reported.
            let _ = client.close().await;
        }
    }
}

/// Runs `command`: the one place that routes each command to its handler.
pub async fn run(command: &Command, mut ctx: Context<'_>) -> Result<Exit, CliError> {
    use Command as C;
    let result = match command {
        C::List(args) => list::run(args, ctx.target.as_ref(), ctx.timeout, ctx.out).await,
        C::JobStatus { job } => system::job_status(&mut ctx.session().await?, job).await,
        C::Capabilities { sys } => system::capabilities(&mut ctx.session().await?, sys).await,
        C::PluginInfo => system::plugin_info(&mut ctx.session().await?).await,
        C::SystemReadCachePctUpdate { sys, read_pct } => {
            system::read_cache_pct_update(&mut ctx.session().await?, sys, *read_pct).await
        }
        C::PoolMemberInfo { pool } => {
            system::pool_member_info(&mut ctx.session().await?, pool).await
        }
        C::VolumeCreate {
            name,
            size,
            pool,
            provisioning,
        } => volume::create(&mut ctx.session().await?, name, size, pool, *provisioning).await,
        C::VolumeRaidCreate {
            name,
            disk,
            raid_type,
            strip_size,
        } => {
            volume::raid_create(
                &mut ctx.session().await?,
                name,
                disk,
                *raid_type,
                strip_size.as_deref(),
            )
            .await
        }
        C::VolumeRaidCreateCap { sys } => {
            volume::raid_create_cap(&mut ctx.session().await?, sys).await
        }
        C::VolumeDelete { vol } => volume::delete(&mut ctx.session().await?, vol).await,
        C::VolumeResize { vol, size } => volume::resize(&mut ctx.session().await?, vol, size).await,
        C::VolumeReplicate {
            vol,
            name,
            rep_type,
            pool,
        } => {
            volume::replicate(
                &mut ctx.session().await?,
                vol,
                name,
                *rep_type,
                pool.as_deref(),
            )
            .await
        }
        C::VolumeReplicateRange {
            src_vol,
            dst_vol,
            rep_type,
            src_start,
            dst_start,
            count,
        } => {
            volume::replicate_range(
                &mut ctx.session().await?,
                src_vol,
                dst_vol,
                *rep_type,
                src_start,
                dst_start,
                count,
            )
            .await
        }
        C::VolumeReplicateRangeBlockSize { sys } => {
            volume::replicate_range_block_size(&mut ctx.session().await?, sys).await
        }
        C::VolumeDependants { vol } => volume::dependants(&mut ctx.session().await?, vol).await,
        C::VolumeDependantsRm { vol } => {
            volume::dependants_rm(&mut ctx.session().await?, vol).await
        }
        C::VolumeAccessGroup { vol } => volume::access_groups(&mut ctx.session().await?, vol).await,
        C::VolumeMask { vol, ag } => volume::mask(&mut ctx.session().await?, vol, ag).await,
        C::VolumeUnmask { ag, vol } => volume::unmask(&mut ctx.session().await?, ag, vol).await,
        C::VolumeEnable { vol } => volume::enable(&mut ctx.session().await?, vol).await,
        C::VolumeDisable { vol } => volume::disable(&mut ctx.session().await?, vol).await,
        C::VolumeRaidInfo { vol } => volume::raid_info(&mut ctx.session().await?, vol).await,
        C::VolumeIdentLedOn { vol } => volume::ident_led_on(&mut ctx.session().await?, vol).await,
        C::VolumeIdentLedOff { vol } => volume::ident_led_off(&mut ctx.session().await?, vol).await,
        C::VolumeCacheInfo { vol } => volume::cache_info(&mut ctx.session().await?, vol).await,
        C::VolumePhyDiskCacheUpdate { vol, policy } => {
            volume::phy_disk_cache_update(&mut ctx.session().await?, vol, *policy).await
        }
        C::VolumeReadCachePolicyUpdate { vol, policy } => {
            volume::read_cache_policy_update(&mut ctx.session().await?, vol, *policy).await
        }
        C::VolumeWriteCachePolicyUpdate { vol, policy } => {
            volume::write_cache_policy_update(&mut ctx.session().await?, vol, *policy).await
        }
        C::AccessGroupCreate { name, init, sys } => {
            access_group::create(&mut ctx.session().await?, name, init, sys).await
        }
        C::AccessGroupAdd { ag, init } => {
            access_group::add(&mut ctx.session().await?, ag, init).await
        }
        C::AccessGroupRemove { ag, init } => {
            access_group::remove(&mut ctx.session().await?, ag, init).await
        }
        C::AccessGroupDelete { ag } => access_group::delete(&mut ctx.session().await?, ag).await,
        C::AccessGroupVolumes { ag } => access_group::volumes(&mut ctx.session().await?, ag).await,
        C::IscsiChap {
            init,
            in_user,
            in_pass,
            out_user,
            out_pass,
        } => {
            access_group::iscsi_chap(
                &mut ctx.session().await?,
                init,
                in_user.as_deref(),
                in_pass.as_deref(),
                out_user.as_deref(),
                out_pass.as_deref(),
            )
            .await
        }
        C::FsCreate { name, size, pool } => {
            fs::create(&mut ctx.session().await?, name, size, pool).await
        }
        C::FsDelete { fs } => fs::delete(&mut ctx.session().await?, fs).await,
        C::FsResize { fs, size } => fs::resize(&mut ctx.session().await?, fs, size).await,
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
            fs::export(
                &mut ctx.session().await?,
                fs,
                exportpath.as_deref(),
                *anonuid,
                *anongid,
                auth_type.as_deref(),
                root_host,
                ro_host,
                rw_host,
            )
            .await
        }
        C::FsUnexport { export } => fs::unexport(&mut ctx.session().await?, export).await,
        C::FsClone {
            src_fs,
            dst_name,
            backing_snapshot,
        } => {
            fs::clone(
                &mut ctx.session().await?,
                src_fs,
                dst_name,
                backing_snapshot.as_deref(),
            )
            .await
        }
        C::FsSnapCreate { name, fs } => fs::snap_create(&mut ctx.session().await?, name, fs).await,
        C::FsSnapDelete { snap, fs } => fs::snap_delete(&mut ctx.session().await?, snap, fs).await,
        C::FsSnapRestore {
            snap,
            fs,
            file,
            fileas,
        } => fs::snap_restore(&mut ctx.session().await?, snap, fs, file, fileas).await,
        C::FsDependants { fs, file } => fs::dependants(&mut ctx.session().await?, fs, file).await,
        C::FsDependantsRm { fs, file } => {
            fs::dependants_rm(&mut ctx.session().await?, fs, file).await
        }
        C::FileClone {
            fs,
            src,
            dst,
            backing_snapshot,
        } => {
            fs::file_clone(
                &mut ctx.session().await?,
                fs,
                src,
                dst,
                backing_snapshot.as_deref(),
            )
            .await
        }
        C::LocalDiskList => local::disk_list(ctx.out),
        C::LocalDiskIdentLedOn { path } => local::disk_led(path, LocalDisks::ident_led_on),
        C::LocalDiskIdentLedOff { path } => local::disk_led(path, LocalDisks::ident_led_off),
        C::LocalDiskFaultLedOn { path } => local::disk_led(path, LocalDisks::fault_led_on),
        C::LocalDiskFaultLedOff { path } => local::disk_led(path, LocalDisks::fault_led_off),
        C::LocalLedSlotList => local::slot_list(ctx.out),
        C::LocalLedSlotSet { slot, state } => local::slot_set(slot, state),
        C::Completions { shell } => docs::completions(*shell, ctx.out),
        C::Man => docs::man_page(ctx.out),
    };
    ctx.close().await;
    result
}
