//! `list --type TYPE [filter]`: every listing of the reference with its filters, plus
//! several `--uri` queried in parallel (rows merged under a leading `URI` column).
//!
//! Filters map to search keys as the reference maps them (`--vol` on VOLUMES is `id`,
//! `--sys` is `system_id`, ...); `--ag` on VOLUMES and `--vol` on ACCESS_GROUPS ask for the
//! masking instead. A filter a listing does not take is an argument error (exit 2), checked
//! before any plugin is started.

use std::os::unix::fs::FileTypeExt as _;
use std::path::Path;
use std::time::Duration;

use lsm_core::client::{DEFAULT_SOCKET_DIR, daemon_plugins, embedded_plugins};
use lsm_core::{
    AccessGroup, AccessGroupSearch, Battery, Client, Disk, FileSystem, FsSearch, FsSnapshot,
    ListingSearch, NfsExport, Pool, System, TargetPort, Volume, VolumeSearch,
};
use serde::Serialize;
use serde_json::{Value, json};

use super::{Target, connect, find_by_id};
use crate::cli::{ListArgs, ListType};
use crate::display::Record;
use crate::display::objects::{PluginRow, ToRecord};
use crate::error::{CliError, Exit};
use crate::output::Output;

/// A search: `(key, value)` with a wire search key, or none.
type Search = Option<(&'static str, String)>;

/// What to ask the plugin for, checked from the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListRequest {
    /// `volumes` with a search.
    Volumes(Search),
    /// `volumes_accessible_by_access_group` of this access group id.
    VolumesOfAccessGroup(String),
    /// `pools` with a search.
    Pools(Search),
    /// `fs` with a search.
    FileSystems(Search),
    /// `fs_snapshots` of this file system id.
    Snapshots(String),
    /// `exports` with a search.
    Exports(Search),
    /// `export_auth`.
    NfsClientAuth,
    /// `access_groups` with a search.
    AccessGroups(Search),
    /// `access_groups_granted_to_volume` of this volume id.
    AccessGroupsOfVolume(String),
    /// `systems`.
    Systems,
    /// `disks` with a search.
    Disks(Search),
    /// `target_ports` with a search.
    TargetPorts(Search),
    /// `batteries` with a search.
    Batteries(Search),
}

/// The filter options in the reference's order, with the key names its messages use.
fn filters(args: &ListArgs) -> [(&'static str, Option<&String>); 8] {
    [
        ("system_id", args.sys.as_ref()),
        ("pool_id", args.pool.as_ref()),
        ("volume_id", args.vol.as_ref()),
        ("disk_id", args.disk.as_ref()),
        ("access_group_id", args.ag.as_ref()),
        ("fs_id", args.fs.as_ref()),
        ("nfs_export_id", args.nfs_export.as_ref()),
        ("tgt_port_id", args.tgt.as_ref()),
    ]
}

fn unsupported(key: &str, listing: &str) -> CliError {
    CliError::argument(format!(
        "Search key '{key}' is not supported by {listing} listing"
    ))
}

/// `Some((wire key, value))` when `key` is one of `allowed` (after renaming `own_id` to
/// `id`), else the "not supported" error.
fn search_for(
    filter: Option<(&'static str, String)>,
    own_id: &str,
    allowed: &[&'static str],
    listing: &str,
) -> Result<Search, CliError> {
    let Some((key, value)) = filter else {
        return Ok(None);
    };
    let key = if key == own_id { "id" } else { key };
    match allowed.iter().find(|allowed| **allowed == key) {
        Some(wire_key) => Ok(Some((*wire_key, value))),
        None => Err(unsupported(key, listing)),
    }
}

impl ListRequest {
    /// Checks the filters of `args` against its type.
    pub fn from_args(args: &ListArgs) -> Result<ListRequest, CliError> {
        let mut filter: Option<(&'static str, String)> = None;
        for (key, value) in filters(args) {
            if let Some(value) = value {
                if let Some((first, _)) = &filter {
                    return Err(CliError::argument(format!(
                        "Search key specified more than once ({first}, {key})"
                    )));
                }
                filter = Some((key, value.clone()));
            }
        }
        let no_search = |message: &str| match &filter {
            Some(_) => Err(CliError::argument(message)),
            None => Ok(()),
        };
        Ok(match args.kind {
            ListType::Volumes => match filter {
                Some(("access_group_id", ag)) => ListRequest::VolumesOfAccessGroup(ag),
                other => ListRequest::Volumes(search_for(
                    other,
                    "volume_id",
                    &["id", "system_id", "pool_id"],
                    "volume",
                )?),
            },
            ListType::Pools => {
                ListRequest::Pools(search_for(filter, "pool_id", &["id", "system_id"], "pool")?)
            }
            ListType::Fs => ListRequest::FileSystems(search_for(
                filter,
                "fs_id",
                &["id", "system_id", "pool_id"],
                "file system",
            )?),
            ListType::Snapshots => match filter {
                Some(("fs_id", fs)) => ListRequest::Snapshots(fs),
                Some((key, _)) if args.fs.is_some() => return Err(unsupported(key, "snapshot")),
                _ => return Err(CliError::argument("--fs <file system id> required")),
            },
            ListType::Exports => ListRequest::Exports(search_for(
                filter,
                "nfs_export_id",
                &["id", "fs_id"],
                "NFS Export",
            )?),
            ListType::NfsClientAuth => {
                no_search("NFS client authentication type listing with search is not supported")?;
                ListRequest::NfsClientAuth
            }
            ListType::AccessGroups => match filter {
                Some(("volume_id", vol)) => ListRequest::AccessGroupsOfVolume(vol),
                other => ListRequest::AccessGroups(search_for(
                    other,
                    "access_group_id",
                    &["id", "system_id"],
                    "Access Group",
                )?),
            },
            ListType::Systems => {
                no_search("System listing with search is not supported")?;
                ListRequest::Systems
            }
            ListType::Disks => {
                ListRequest::Disks(search_for(filter, "disk_id", &["id", "system_id"], "disk")?)
            }
            ListType::TargetPorts => ListRequest::TargetPorts(search_for(
                filter,
                "tgt_port_id",
                &["id", "system_id"],
                "target port",
            )?),
            ListType::Batteries => ListRequest::Batteries(search_for(
                filter,
                "battery_id",
                &["id", "system_id"],
                "battery",
            )?),
            ListType::Plugins => {
                no_search("Plugins listing with search is not supported")?;
                return Err(CliError::Lsm(lsm_core::LsmError::lib_bug(
                    "PLUGINS is listed without a plugin connection",
                )));
            }
        })
    }
}

/// What a plugin answered to a [`ListRequest`].
#[derive(Debug, Clone, PartialEq)]
pub enum Listing {
    Volumes(Vec<Volume>),
    Pools(Vec<Pool>),
    FileSystems(Vec<FileSystem>),
    Snapshots(Vec<FsSnapshot>),
    Exports(Vec<NfsExport>),
    NfsClientAuth(Vec<String>),
    AccessGroups(Vec<AccessGroup>),
    Systems(Vec<System>),
    Disks(Vec<Disk>),
    TargetPorts(Vec<TargetPort>),
    Batteries(Vec<Battery>),
}

/// The typed search of a checked filter (its key is one the listing takes).
fn typed<'a, S: ListingSearch<'a>>(search: &'a Search) -> Result<Option<S>, CliError> {
    Ok(search
        .as_ref()
        .map(|(key, value)| S::from_key(key, value))
        .transpose()?)
}

/// Asks the plugin.
pub async fn fetch(client: &mut Client, request: &ListRequest) -> Result<Listing, CliError> {
    Ok(match request {
        ListRequest::Volumes(search) => Listing::Volumes(client.volumes(typed(search)?).await?),
        ListRequest::VolumesOfAccessGroup(ag_id) => {
            let groups = client
                .access_groups(Some(AccessGroupSearch::Id(ag_id)))
                .await?;
            match groups.into_iter().find(|g| &g.id == ag_id) {
                Some(group) => {
                    Listing::Volumes(client.volumes_accessible_by_access_group(&group).await?)
                }
                None => Listing::Volumes(Vec::new()),
            }
        }
        ListRequest::Pools(search) => Listing::Pools(client.pools(typed(search)?).await?),
        ListRequest::FileSystems(search) => Listing::FileSystems(client.fs(typed(search)?).await?),
        ListRequest::Snapshots(fs_id) => {
            let file_systems = client.fs(Some(FsSearch::Id(fs_id))).await?;
            let fs = find_by_id(file_systems, fs_id, "File System", |f| &f.id)?;
            Listing::Snapshots(client.fs_snapshots(&fs).await?)
        }
        ListRequest::Exports(search) => Listing::Exports(client.exports(typed(search)?).await?),
        ListRequest::NfsClientAuth => Listing::NfsClientAuth(client.export_auth().await?),
        ListRequest::AccessGroups(search) => {
            Listing::AccessGroups(client.access_groups(typed(search)?).await?)
        }
        ListRequest::AccessGroupsOfVolume(vol_id) => {
            let volumes = client.volumes(Some(VolumeSearch::Id(vol_id))).await?;
            match volumes.into_iter().find(|v| &v.id == vol_id) {
                Some(volume) => {
                    Listing::AccessGroups(client.access_groups_granted_to_volume(&volume).await?)
                }
                None => Listing::AccessGroups(Vec::new()),
            }
        }
        ListRequest::Systems => Listing::Systems(client.systems().await?),
        ListRequest::Disks(search) => Listing::Disks(client.disks(typed(search)?).await?),
        ListRequest::TargetPorts(search) => {
            Listing::TargetPorts(client.target_ports(typed(search)?).await?)
        }
        ListRequest::Batteries(search) => {
            Listing::Batteries(client.batteries(typed(search)?).await?)
        }
    })
}

fn records_of<'a, T: ToRecord>(items: &'a [T], out: &Output) -> Vec<Record<'a>> {
    let format = out.format();
    items.iter().map(|item| item.to_record(&format)).collect()
}

fn json_of<T: Serialize>(items: &[T]) -> Result<Value, CliError> {
    serde_json::to_value(items).map_err(|e| {
        CliError::Lsm(lsm_core::LsmError::lib_bug(format!(
            "cannot write the listing as JSON: {e}"
        )))
    })
}

impl Listing {
    /// The records of the listed objects.
    fn records(&self, out: &Output) -> Vec<Record<'_>> {
        match self {
            Listing::Volumes(items) => records_of(items, out),
            Listing::Pools(items) => records_of(items, out),
            Listing::FileSystems(items) => records_of(items, out),
            Listing::Snapshots(items) => records_of(items, out),
            Listing::Exports(items) => records_of(items, out),
            Listing::AccessGroups(items) => records_of(items, out),
            Listing::Systems(items) => records_of(items, out),
            Listing::Disks(items) => records_of(items, out),
            Listing::TargetPorts(items) => records_of(items, out),
            Listing::Batteries(items) => records_of(items, out),
            Listing::NfsClientAuth(types) => {
                vec![Record::new().list("NFS Client Authentication Types", types.clone())]
            }
        }
    }

    /// The listed objects as a JSON array, exactly as the wire carries them.
    fn to_json(&self) -> Result<Value, CliError> {
        match self {
            Listing::Volumes(items) => json_of(items),
            Listing::Pools(items) => json_of(items),
            Listing::FileSystems(items) => json_of(items),
            Listing::Snapshots(items) => json_of(items),
            Listing::Exports(items) => json_of(items),
            Listing::AccessGroups(items) => json_of(items),
            Listing::Systems(items) => json_of(items),
            Listing::Disks(items) => json_of(items),
            Listing::TargetPorts(items) => json_of(items),
            Listing::Batteries(items) => json_of(items),
            Listing::NfsClientAuth(items) => json_of(items),
        }
    }

    /// Shows the listing of one array.
    fn show(&self, out: &mut Output) -> Result<(), CliError> {
        if out.is_json() {
            return out.json(&self.to_json()?);
        }
        if let Listing::NfsClientAuth(types) = self {
            // Not a table in any mode: the names on one line.
            let separator = match out.layout().separator.as_deref() {
                Some(separator) if !separator.is_empty() => separator.to_string(),
                _ => ", ".to_string(),
            };
            out.line(&types.join(&separator));
            return Ok(());
        }
        let records = self.records(out);
        out.show_records(&records);
        Ok(())
    }
}

/// `list`: the installed plugins (`--type plugins`, no URI), else a listing through the
/// plugin(s) of `target`.
pub async fn run(
    args: &ListArgs,
    target: Option<&Target>,
    timeout: Duration,
    out: &mut Output,
) -> Result<Exit, CliError> {
    if args.kind == ListType::Plugins {
        return plugins(args, timeout, out).await;
    }
    let request = ListRequest::from_args(args)?;
    let missing = || CliError::argument("--uri missing or export LSMCLI_URI");
    let target = target.ok_or_else(missing)?;
    match target.uris.as_slice() {
        [] => Err(missing()),
        [uri] => {
            let listing = list_one(uri.clone(), target.clone(), request).await?;
            listing.show(out)?;
            Ok(Exit::Done)
        }
        uris => list_many(uris, target, request, out).await,
    }
}

/// Connects, lists, disconnects.
async fn list_one(uri: String, target: Target, request: ListRequest) -> Result<Listing, CliError> {
    let mut client = connect(
        &uri,
        target.password.as_deref(),
        target.timeout,
        target.fork_plugin.as_deref(),
    )
    .await?;
    let listing = fetch(&mut client, &request).await;
    let _ = client.close().await;
    listing
}

/// Lists every URI at once; rows keep the order of the URIs and start with a `URI` column.
/// Arrays that fail are reported on stderr (prefixed with their URI) and set the exit code;
/// the others are still shown.
async fn list_many(
    uris: &[String],
    target: &Target,
    request: ListRequest,
    out: &mut Output,
) -> Result<Exit, CliError> {
    let mut tasks = tokio::task::JoinSet::new();
    for (index, uri) in uris.iter().enumerate() {
        let (uri, target, request) = (uri.clone(), target.clone(), request.clone());
        tasks.spawn(async move { (index, list_one(uri, target, request).await) });
    }
    let mut results: Vec<Option<Result<Listing, CliError>>> = vec![None; uris.len()];
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((index, result)) => {
                if let Some(slot) = results.get_mut(index) {
                    *slot = Some(result);
                }
            }
            Err(join_error) => {
                return Err(CliError::Lsm(lsm_core::LsmError::lib_bug(format!(
                    "a listing task failed: {join_error}"
                ))));
            }
        }
    }

    let mut failures: Vec<(String, CliError)> = Vec::new();
    let mut json_results: Vec<Value> = Vec::new();
    let mut listings: Vec<(&String, Listing)> = Vec::new();
    for (uri, result) in uris.iter().zip(results) {
        match result {
            Some(Ok(listing)) => {
                if out.is_json() {
                    json_results.push(json!({ "uri": uri, "result": listing.to_json()? }));
                } else {
                    listings.push((uri, listing));
                }
            }
            Some(Err(error)) => {
                if out.is_json() {
                    json_results.push(json!({ "uri": uri, "error": error_json(&error) }));
                }
                failures.push((uri.clone(), error));
            }
            None => failures.push((
                uri.clone(),
                CliError::Lsm(lsm_core::LsmError::lib_bug("the listing did not finish")),
            )),
        }
    }
    if out.is_json() {
        out.json(&json_results)?;
    } else {
        let mut records: Vec<Record<'_>> = Vec::new();
        for (uri, listing) in &listings {
            for mut record in listing.records(out) {
                record.prepend_text("URI", uri.as_str());
                records.push(record);
            }
        }
        out.show_records(&records);
    }
    if failures.is_empty() {
        Ok(Exit::Done)
    } else {
        Err(CliError::PerUri(failures))
    }
}

fn error_json(error: &CliError) -> Value {
    match error {
        CliError::Lsm(error) => json!({
            "code": error.code.0,
            "name": error.code.name(),
            "message": error.message,
        }),
        other => json!({ "message": other.stderr_text().trim_end() }),
    }
}

/// `list --type PLUGINS`: every plugin of the daemon (when `LSM_UDS_PATH` is set or the
/// default socket dir has sockets), else every `*_lsmplugin` found on the plugin path.
async fn plugins(args: &ListArgs, timeout: Duration, out: &mut Output) -> Result<Exit, CliError> {
    if filters(args).iter().any(|(_, value)| value.is_some()) {
        return Err(CliError::argument(
            "Plugins listing with search is not supported",
        ));
    }
    const SEPARATOR: &str = "<}{>";
    let entries = match plugin_socket_dir() {
        Some(dir) => daemon_plugins(&dir, SEPARATOR, timeout).await?,
        None => embedded_plugins(SEPARATOR, timeout).await?,
    };
    let rows: Vec<PluginRow> = entries
        .iter()
        .map(|entry| {
            let (description, version) = entry.split_once(SEPARATOR).unwrap_or((entry, ""));
            PluginRow {
                description: description.to_string(),
                version: version.to_string(),
            }
        })
        .collect();
    out.show_all(&rows)?;
    Ok(Exit::Done)
}

/// The daemon socket dir to list plugins from, if lsmcli would talk to a daemon.
fn plugin_socket_dir() -> Option<std::path::PathBuf> {
    if std::env::var_os("LSMCLI_DEBUG_FD").is_some() {
        return None;
    }
    if let Some(dir) = std::env::var_os("LSM_UDS_PATH") {
        return Some(dir.into());
    }
    let default_dir = Path::new(DEFAULT_SOCKET_DIR);
    let has_socket = std::fs::read_dir(default_dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|entry| entry.file_type().is_ok_and(|t| t.is_socket()))
    });
    has_socket.then(|| default_dir.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(kind: ListType) -> ListArgs {
        ListArgs {
            kind,
            sys: None,
            pool: None,
            vol: None,
            disk: None,
            ag: None,
            fs: None,
            nfs_export: None,
            tgt: None,
        }
    }

    #[test]
    fn filters_map_to_search_keys() {
        let mut a = args(ListType::Volumes);
        a.vol = Some("VOL_ID_00001".into());
        assert_eq!(
            ListRequest::from_args(&a),
            Ok(ListRequest::Volumes(Some(("id", "VOL_ID_00001".into()))))
        );
        let mut a = args(ListType::Volumes);
        a.ag = Some("AG_ID_00001".into());
        assert_eq!(
            ListRequest::from_args(&a),
            Ok(ListRequest::VolumesOfAccessGroup("AG_ID_00001".into()))
        );
        let mut a = args(ListType::AccessGroups);
        a.vol = Some("VOL_ID_00001".into());
        assert_eq!(
            ListRequest::from_args(&a),
            Ok(ListRequest::AccessGroupsOfVolume("VOL_ID_00001".into()))
        );
        let mut a = args(ListType::Exports);
        a.fs = Some("FS_ID_00001".into());
        assert_eq!(
            ListRequest::from_args(&a),
            Ok(ListRequest::Exports(Some(("fs_id", "FS_ID_00001".into()))))
        );
        let mut a = args(ListType::Batteries);
        a.sys = Some("sim-01".into());
        assert_eq!(
            ListRequest::from_args(&a),
            Ok(ListRequest::Batteries(Some(("system_id", "sim-01".into()))))
        );
    }

    #[test]
    fn refused_filters() {
        let mut a = args(ListType::Pools);
        a.disk = Some("DISK_ID_00001".into());
        assert_eq!(
            ListRequest::from_args(&a),
            Err(CliError::argument(
                "Search key 'disk_id' is not supported by pool listing"
            ))
        );
        let mut a = args(ListType::Pools);
        a.sys = Some("sim-01".into());
        a.pool = Some("POOL_ID_00001".into());
        assert_eq!(
            ListRequest::from_args(&a),
            Err(CliError::argument(
                "Search key specified more than once (system_id, pool_id)"
            ))
        );
        assert_eq!(
            ListRequest::from_args(&args(ListType::Snapshots)),
            Err(CliError::argument("--fs <file system id> required"))
        );
        let mut a = args(ListType::Systems);
        a.sys = Some("sim-01".into());
        assert_eq!(
            ListRequest::from_args(&a),
            Err(CliError::argument(
                "System listing with search is not supported"
            ))
        );
    }
}
