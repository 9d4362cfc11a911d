//! From a request (method name + raw params) to a plugin trait call and the
//! serialized result. Parameters are parsed strictly: an unknown key or a
//! wrong type is `TRANSPORT_INVALID_ARG` (402), never a crash; an unknown
//! search key is `UNSUPPORTED_SEARCH_KEY` (510). Checks every plugin would
//! repeat (sizes, enum ranges, initiator ids) are made here once.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::traits::{AsyncResult, ExportRequest, Management, Nas, San, Search};
use crate::checks;
use crate::error::{ErrorNumber, LsmError, Result};
use crate::results::JobStatusWire;
use crate::types::*;
use crate::validate::{self, Listing, Searchable};

/// Every call carries `flags` (an integer, normally 0).
type Flags = Option<i64>;

macro_rules! params {
    ($name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct $name {
            $($field: $ty,)*
            #[serde(default)]
            #[allow(dead_code)]
            flags: Flags,
        }
    };
}

params!(NoParams {});
params!(SearchParams { search_key: Option<String>, search_value: Option<String> });
params!(SystemParam { system: System });
params!(VolumeParam { volume: Volume });
params!(PoolParam { pool: Pool });
params!(FsParam { fs: FileSystem });
params!(AccessGroupParam {
    access_group: AccessGroup
});
params!(JobIdParam { job_id: String });
params!(TimeOutSetParams { ms: i64 });
params!(ReadCachePctParams {
    system: System,
    read_pct: i64
});
params!(VolumeCreateParams {
    pool: Pool,
    volume_name: String,
    size_bytes: i64,
    provisioning: Provisioning
});
params!(VolumeResizeParams {
    volume: Volume,
    new_size_bytes: i64
});
params!(VolumeReplicateParams {
    pool: Option<Pool>,
    rep_type: ReplicationType,
    volume_src: Volume,
    name: String,
});
params!(ReplicateRangeParams {
    rep_type: ReplicationType,
    volume_src: Volume,
    volume_dest: Volume,
    ranges: Vec<BlockRange>,
});
params!(ChapParams {
    init_id: String,
    in_user: Option<String>,
    in_password: Option<String>,
    out_user: Option<String>,
    out_password: Option<String>,
});
params!(AgCreateParams {
    name: String,
    init_id: String,
    init_type: InitiatorType,
    system: System
});
params!(AgInitParams {
    access_group: AccessGroup,
    init_id: String,
    init_type: InitiatorType
});
params!(MaskParams {
    access_group: AccessGroup,
    volume: Volume
});
params!(RaidCreateParams { name: String, raid_type: RaidType, disks: Vec<Disk>, strip_size: i64 });
params!(PdcParams {
    volume: Volume,
    pdc: PhysicalDiskCache
});
params!(WcpParams {
    volume: Volume,
    wcp: WriteCachePolicy
});
params!(RcpParams {
    volume: Volume,
    rcp: ReadCachePolicy
});
params!(FsCreateParams {
    pool: Pool,
    name: String,
    size_bytes: i64
});
params!(FsResizeParams {
    fs: FileSystem,
    new_size_bytes: i64
});
params!(FsCloneParams { src_fs: FileSystem, dest_fs_name: String, snapshot: Option<FsSnapshot> });
params!(FileCloneParams {
    fs: FileSystem,
    src_file_name: String,
    dest_file_name: String,
    snapshot: Option<FsSnapshot>,
});
params!(FsFilesParams { fs: FileSystem, files: Option<Vec<String>> });
params!(SnapCreateParams {
    fs: FileSystem,
    snapshot_name: String
});
params!(SnapParams {
    fs: FileSystem,
    snapshot: FsSnapshot
});
params!(SnapRestoreParams {
    fs: FileSystem,
    snapshot: FsSnapshot,
    files: Option<Vec<String>>,
    restore_files: Option<Vec<String>>,
    all_files: Option<bool>,
});
params!(ExportFsParams {
    fs_id: String,
    export_path: Option<String>,
    root_list: Option<Vec<String>>,
    rw_list: Option<Vec<String>>,
    ro_list: Option<Vec<String>>,
    anon_uid: Option<i64>,
    anon_gid: Option<i64>,
    auth_type: Option<String>,
    options: Option<String>,
});
params!(ExportParam { export: NfsExport });

/// Parse `params` (None = `{}`) into the method's parameter struct.
fn parse<T: DeserializeOwned>(method: &str, params: Option<&RawValue>) -> Result<T> {
    let text = params.map(RawValue::get).unwrap_or("{}");
    let text = if text.trim() == "null" { "{}" } else { text };
    serde_json::from_str(text).map_err(|e| {
        LsmError::new(
            ErrorNumber::TRANSPORT_INVALID_ARG,
            format!("invalid parameters for {method}: {e}"),
        )
    })
}

fn invalid(msg: impl Into<String>) -> LsmError {
    LsmError::new(ErrorNumber::INVALID_ARGUMENT, msg)
}

/// Serialize a result straight into the reply frame being built.
fn to_json<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<()> {
    serde_json::to_writer(out, value).map_err(|e| {
        LsmError::new(
            ErrorNumber::PLUGIN_BUG,
            format!("cannot serialize result: {e}"),
        )
    })
}

/// `[job|null, obj|null]` for J+obj methods.
fn job_or_object<T: Serialize>(out: &mut Vec<u8>, r: AsyncResult<T>) -> Result<()> {
    match r {
        AsyncResult::Done(obj) => to_json(out, &(None::<&str>, Some(obj))),
        AsyncResult::Job(id) => to_json(out, &(Some(id), None::<T>)),
    }
}

/// `job|null` for J methods.
fn job_or_null(out: &mut Vec<u8>, r: AsyncResult<()>) -> Result<()> {
    match r {
        AsyncResult::Done(()) => to_json(out, &None::<String>),
        AsyncResult::Job(id) => to_json(out, &id),
    }
}

/// Parse and validate the search params of a listing.
fn search_of(method: &str, listing: Listing, params: Option<&RawValue>) -> Result<Option<Search>> {
    let p: SearchParams = parse(method, params)?;
    match (p.search_key, p.search_value) {
        (None, _) => Ok(None),
        (Some(key), Some(value)) => {
            validate::check_search_key(listing, &key)?;
            Ok(Some(Search { key, value }))
        }
        (Some(key), None) => Err(LsmError::new(
            ErrorNumber::TRANSPORT_INVALID_ARG,
            format!("{method}: search_key '{key}' given without search_value"),
        )),
    }
}

/// Keep only what the search asks for (plugins may already have filtered).
fn filtered<T: Searchable + Serialize>(
    out: &mut Vec<u8>,
    items: Vec<T>,
    search: &Option<Search>,
) -> Result<()> {
    // Listed objects take 150-250 bytes each on the wire: one allocation instead of a
    // doubling series for large listings.
    out.reserve(items.len().saturating_mul(160));
    let mut list = ListWriter::new(out, search);
    items.iter().try_for_each(|item| list.push(item))?;
    list.finish();
    Ok(())
}

/// A JSON array written one item at a time, keeping only what the search
/// asks for: a collected listing ([`filtered`]) or a streamed one.
struct ListWriter<'a> {
    out: &'a mut Vec<u8>,
    search: &'a Option<Search>,
    first: bool,
}

impl<'a> ListWriter<'a> {
    fn new(out: &'a mut Vec<u8>, search: &'a Option<Search>) -> Self {
        out.push(b'[');
        ListWriter {
            out,
            search,
            first: true,
        }
    }

    fn push<T: Searchable + Serialize>(&mut self, item: &T) -> Result<()> {
        if let Some(s) = self.search
            && item.search_value(&s.key) != Some(s.value.as_str())
        {
            return Ok(());
        }
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        to_json(self.out, item)
    }

    fn finish(self) {
        self.out.push(b']');
    }
}

fn check_size(what: &str, size: i64) -> Result<()> {
    if size <= 0 {
        return Err(invalid(format!(
            "{what} must be a positive number of bytes, got {size}"
        )));
    }
    Ok(())
}

fn check_name(what: &str, name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(invalid(format!("{what} must not be empty")));
    }
    if name.chars().any(char::is_control) {
        return Err(invalid(format!(
            "{what} must not contain control characters"
        )));
    }
    Ok(())
}

fn check_known<E: Copy + std::fmt::Debug + PartialEq>(
    what: &str,
    value: E,
    allowed: &[E],
) -> Result<()> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(invalid(format!("invalid {what}: {value:?}")))
    }
}

/// The replication types a request may name.
const REPLICATION_TYPES: [ReplicationType; 4] = [
    ReplicationType::CLONE,
    ReplicationType::COPY,
    ReplicationType::MIRROR_SYNC,
    ReplicationType::MIRROR_ASYNC,
];

/// The methods the runner itself answers or needs to see.
pub(crate) const METHOD_REGISTER: &str = "plugin_register";
pub(crate) const METHOD_UNREGISTER: &str = "plugin_unregister";
pub(crate) const METHOD_INFO: &str = "plugin_info";

/// Call the plugin for one request (register/unregister/info/time-outs are
/// handled by the runner before this).
pub(crate) fn dispatch<P: Management + San + Nas>(
    plugin: &mut P,
    method: &str,
    params: Option<&RawValue>,
    out: &mut Vec<u8>,
) -> Result<()> {
    match method {
        // ---- management ----
        "capabilities" => {
            let p: SystemParam = parse(method, params)?;
            to_json(out, &plugin.capabilities(&p.system)?)
        }
        "job_status" => {
            let p: JobIdParam = parse(method, params)?;
            let info = plugin.job_status(&p.job_id)?;
            to_json(
                out,
                &JobStatusWire(info.status, i64::from(info.percent.min(100)), info.item),
            )
        }
        "job_free" => {
            let p: JobIdParam = parse(method, params)?;
            plugin.job_free(&p.job_id)?;
            to_json(out, &())
        }
        "systems" => {
            let _: NoParams = parse(method, params)?;
            to_json(out, &plugin.systems()?)
        }
        "pools" => {
            let s = search_of(method, Listing::Pools, params)?;
            filtered(out, plugin.pools(s.as_ref())?, &s)
        }
        "system_read_cache_pct_update" => {
            let p: ReadCachePctParams = parse(method, params)?;
            checks::read_cache_pct(p.read_pct)?;
            plugin.system_read_cache_pct_update(&p.system, p.read_pct)?;
            to_json(out, &())
        }

        // ---- SAN ----
        "volumes" => {
            let s = search_of(method, Listing::Volumes, params)?;
            let mut list = ListWriter::new(out, &s);
            plugin.volumes_each(s.as_ref(), &mut |v| list.push(v))?;
            list.finish();
            Ok(())
        }
        "disks" => {
            let s = search_of(method, Listing::Disks, params)?;
            filtered(out, plugin.disks(s.as_ref())?, &s)
        }
        "access_groups" => {
            let s = search_of(method, Listing::AccessGroups, params)?;
            filtered(out, plugin.access_groups(s.as_ref())?, &s)
        }
        "target_ports" => {
            let s = search_of(method, Listing::TargetPorts, params)?;
            filtered(out, plugin.target_ports(s.as_ref())?, &s)
        }
        "batteries" => {
            let s = search_of(method, Listing::Batteries, params)?;
            filtered(out, plugin.batteries(s.as_ref())?, &s)
        }
        "volume_create" => {
            let p: VolumeCreateParams = parse(method, params)?;
            check_name("volume_name", &p.volume_name)?;
            check_size("size_bytes", p.size_bytes)?;
            check_known(
                "provisioning",
                p.provisioning,
                &[
                    Provisioning::THIN,
                    Provisioning::FULL,
                    Provisioning::DEFAULT,
                ],
            )?;
            job_or_object(
                out,
                plugin.volume_create(&p.pool, &p.volume_name, p.size_bytes, p.provisioning)?,
            )
        }
        "volume_resize" => {
            let p: VolumeResizeParams = parse(method, params)?;
            check_size("new_size_bytes", p.new_size_bytes)?;
            job_or_object(out, plugin.volume_resize(&p.volume, p.new_size_bytes)?)
        }
        "volume_replicate" => {
            let p: VolumeReplicateParams = parse(method, params)?;
            check_name("name", &p.name)?;
            check_known("rep_type", p.rep_type, &REPLICATION_TYPES)?;
            job_or_object(
                out,
                plugin.volume_replicate(p.pool.as_ref(), p.rep_type, &p.volume_src, &p.name)?,
            )
        }
        "volume_replicate_range_block_size" => {
            let p: SystemParam = parse(method, params)?;
            to_json(out, &plugin.volume_replicate_range_block_size(&p.system)?)
        }
        "volume_replicate_range" => {
            let p: ReplicateRangeParams = parse(method, params)?;
            check_known("rep_type", p.rep_type, &REPLICATION_TYPES)?;
            if p.ranges.is_empty() {
                return Err(invalid("ranges must not be empty"));
            }
            for r in &p.ranges {
                if r.src_block < 0 || r.dest_block < 0 || r.block_count <= 0 {
                    return Err(invalid(format!(
                        "invalid block range: src {} dest {} count {}",
                        r.src_block, r.dest_block, r.block_count
                    )));
                }
            }
            job_or_null(
                out,
                plugin.volume_replicate_range(
                    p.rep_type,
                    &p.volume_src,
                    &p.volume_dest,
                    &p.ranges,
                )?,
            )
        }
        "volume_delete" => {
            let p: VolumeParam = parse(method, params)?;
            job_or_null(out, plugin.volume_delete(&p.volume)?)
        }
        "volume_enable" => {
            let p: VolumeParam = parse(method, params)?;
            plugin.volume_enable(&p.volume)?;
            to_json(out, &())
        }
        "volume_disable" => {
            let p: VolumeParam = parse(method, params)?;
            plugin.volume_disable(&p.volume)?;
            to_json(out, &())
        }
        "iscsi_chap_auth" => {
            let p: ChapParams = parse(method, params)?;
            validate::normalize_init_id(&p.init_id, InitiatorType::ISCSI_IQN)?;
            checks::chap(
                p.in_user.as_deref(),
                p.in_password.as_deref(),
                p.out_user.as_deref(),
                p.out_password.as_deref(),
            )?;
            plugin.iscsi_chap_auth(
                &p.init_id,
                p.in_user.as_deref(),
                p.in_password.as_deref(),
                p.out_user.as_deref(),
                p.out_password.as_deref(),
            )?;
            to_json(out, &())
        }
        "access_group_create" => {
            let p: AgCreateParams = parse(method, params)?;
            check_name("name", &p.name)?;
            let (init_id, init_type) = validate::normalize_init_id(&p.init_id, p.init_type)?;
            to_json(
                out,
                &plugin.access_group_create(&p.name, &init_id, init_type, &p.system)?,
            )
        }
        "access_group_delete" => {
            let p: AccessGroupParam = parse(method, params)?;
            plugin.access_group_delete(&p.access_group)?;
            to_json(out, &())
        }
        "access_group_initiator_add" => {
            let p: AgInitParams = parse(method, params)?;
            let (init_id, init_type) = validate::normalize_init_id(&p.init_id, p.init_type)?;
            to_json(
                out,
                &plugin.access_group_initiator_add(&p.access_group, &init_id, init_type)?,
            )
        }
        "access_group_initiator_delete" => {
            let p: AgInitParams = parse(method, params)?;
            let (init_id, init_type) = validate::normalize_init_id(&p.init_id, p.init_type)?;
            to_json(
                out,
                &plugin.access_group_initiator_delete(&p.access_group, &init_id, init_type)?,
            )
        }
        "volume_mask" => {
            let p: MaskParams = parse(method, params)?;
            plugin.volume_mask(&p.access_group, &p.volume)?;
            to_json(out, &())
        }
        "volume_unmask" => {
            let p: MaskParams = parse(method, params)?;
            plugin.volume_unmask(&p.access_group, &p.volume)?;
            to_json(out, &())
        }
        "volumes_accessible_by_access_group" => {
            let p: AccessGroupParam = parse(method, params)?;
            to_json(
                out,
                &plugin.volumes_accessible_by_access_group(&p.access_group)?,
            )
        }
        "access_groups_granted_to_volume" => {
            let p: VolumeParam = parse(method, params)?;
            to_json(out, &plugin.access_groups_granted_to_volume(&p.volume)?)
        }
        "volume_child_dependency" => {
            let p: VolumeParam = parse(method, params)?;
            to_json(out, &plugin.volume_child_dependency(&p.volume)?)
        }
        "volume_child_dependency_rm" => {
            let p: VolumeParam = parse(method, params)?;
            job_or_null(out, plugin.volume_child_dependency_rm(&p.volume)?)
        }
        "volume_raid_info" => {
            let p: VolumeParam = parse(method, params)?;
            to_json(out, &plugin.volume_raid_info(&p.volume)?)
        }
        "pool_member_info" => {
            let p: PoolParam = parse(method, params)?;
            to_json(out, &plugin.pool_member_info(&p.pool)?)
        }
        "volume_raid_create_cap_get" => {
            let p: SystemParam = parse(method, params)?;
            to_json(out, &plugin.volume_raid_create_cap_get(&p.system)?)
        }
        "volume_raid_create" => {
            let p: RaidCreateParams = parse(method, params)?;
            check_name("name", &p.name)?;
            checks::raid_disks(p.raid_type, p.disks.len())?;
            if p.strip_size < 0 {
                return Err(invalid(format!("invalid strip_size {}", p.strip_size)));
            }
            to_json(
                out,
                &plugin.volume_raid_create(&p.name, p.raid_type, &p.disks, p.strip_size)?,
            )
        }
        "volume_ident_led_on" => {
            let p: VolumeParam = parse(method, params)?;
            plugin.volume_ident_led_on(&p.volume)?;
            to_json(out, &())
        }
        "volume_ident_led_off" => {
            let p: VolumeParam = parse(method, params)?;
            plugin.volume_ident_led_off(&p.volume)?;
            to_json(out, &())
        }
        "volume_cache_info" => {
            let p: VolumeParam = parse(method, params)?;
            to_json(out, &plugin.volume_cache_info(&p.volume)?)
        }
        "volume_physical_disk_cache_update" => {
            let p: PdcParams = parse(method, params)?;
            checks::pdc(p.pdc)?;
            plugin.volume_physical_disk_cache_update(&p.volume, p.pdc)?;
            to_json(out, &())
        }
        "volume_write_cache_policy_update" => {
            let p: WcpParams = parse(method, params)?;
            checks::wcp(p.wcp)?;
            plugin.volume_write_cache_policy_update(&p.volume, p.wcp)?;
            to_json(out, &())
        }
        "volume_read_cache_policy_update" => {
            let p: RcpParams = parse(method, params)?;
            checks::rcp(p.rcp)?;
            plugin.volume_read_cache_policy_update(&p.volume, p.rcp)?;
            to_json(out, &())
        }

        // ---- NAS ----
        "fs" => {
            let s = search_of(method, Listing::Fs, params)?;
            filtered(out, plugin.fs(s.as_ref())?, &s)
        }
        "fs_create" => {
            let p: FsCreateParams = parse(method, params)?;
            check_name("name", &p.name)?;
            check_size("size_bytes", p.size_bytes)?;
            job_or_object(out, plugin.fs_create(&p.pool, &p.name, p.size_bytes)?)
        }
        "fs_delete" => {
            let p: FsParam = parse(method, params)?;
            job_or_null(out, plugin.fs_delete(&p.fs)?)
        }
        "fs_resize" => {
            let p: FsResizeParams = parse(method, params)?;
            check_size("new_size_bytes", p.new_size_bytes)?;
            job_or_object(out, plugin.fs_resize(&p.fs, p.new_size_bytes)?)
        }
        "fs_clone" => {
            let p: FsCloneParams = parse(method, params)?;
            check_name("dest_fs_name", &p.dest_fs_name)?;
            job_or_object(
                out,
                plugin.fs_clone(&p.src_fs, &p.dest_fs_name, p.snapshot.as_ref())?,
            )
        }
        "fs_file_clone" => {
            let p: FileCloneParams = parse(method, params)?;
            check_name("src_file_name", &p.src_file_name)?;
            check_name("dest_file_name", &p.dest_file_name)?;
            job_or_null(
                out,
                plugin.fs_file_clone(
                    &p.fs,
                    &p.src_file_name,
                    &p.dest_file_name,
                    p.snapshot.as_ref(),
                )?,
            )
        }
        "fs_child_dependency" => {
            let p: FsFilesParams = parse(method, params)?;
            to_json(out, &plugin.fs_child_dependency(&p.fs, p.files.as_deref())?)
        }
        "fs_child_dependency_rm" => {
            let p: FsFilesParams = parse(method, params)?;
            job_or_null(
                out,
                plugin.fs_child_dependency_rm(&p.fs, p.files.as_deref())?,
            )
        }
        "fs_snapshots" => {
            let p: FsParam = parse(method, params)?;
            to_json(out, &plugin.fs_snapshots(&p.fs)?)
        }
        "fs_snapshot_create" => {
            let p: SnapCreateParams = parse(method, params)?;
            check_name("snapshot_name", &p.snapshot_name)?;
            job_or_object(out, plugin.fs_snapshot_create(&p.fs, &p.snapshot_name)?)
        }
        "fs_snapshot_delete" => {
            let p: SnapParams = parse(method, params)?;
            job_or_null(out, plugin.fs_snapshot_delete(&p.fs, &p.snapshot)?)
        }
        "fs_snapshot_restore" => {
            let p: SnapRestoreParams = parse(method, params)?;
            let all_files = p.all_files.unwrap_or(false);
            if let (Some(files), Some(restore)) = (&p.files, &p.restore_files)
                && !restore.is_empty()
                && restore.len() != files.len()
            {
                return Err(invalid(
                    "restore_files must name one destination for each file",
                ));
            }
            if !all_files && p.files.as_ref().is_none_or(|f| f.is_empty()) {
                return Err(invalid("either all_files or a list of files is required"));
            }
            job_or_null(
                out,
                plugin.fs_snapshot_restore(
                    &p.fs,
                    &p.snapshot,
                    p.files.as_deref(),
                    p.restore_files.as_deref(),
                    all_files,
                )?,
            )
        }
        "export_auth" => {
            let _: NoParams = parse(method, params)?;
            to_json(out, &plugin.export_auth()?)
        }
        "exports" => {
            let s = search_of(method, Listing::Exports, params)?;
            filtered(out, plugin.exports(s.as_ref())?, &s)
        }
        "export_fs" => {
            let p: ExportFsParams = parse(method, params)?;
            let request = ExportRequest {
                fs_id: p.fs_id,
                export_path: p.export_path,
                root_list: p.root_list.unwrap_or_default(),
                rw_list: p.rw_list.unwrap_or_default(),
                ro_list: p.ro_list.unwrap_or_default(),
                anon_uid: p.anon_uid.unwrap_or(-1),
                anon_gid: p.anon_gid.unwrap_or(-1),
                auth_type: p.auth_type,
                options: p.options,
            };
            checks::export_hosts(&request.rw_list, &request.ro_list)?;
            to_json(out, &plugin.export_fs(&request)?)
        }
        "export_remove" => {
            let p: ExportParam = parse(method, params)?;
            plugin.export_remove(&p.export)?;
            to_json(out, &())
        }
        _ => Err(LsmError::new(
            ErrorNumber::NO_SUPPORT,
            "Unsupported operation",
        )),
    }
}

// Params of the methods the runner answers itself.
params!(RegisterParams { uri: String, password: Option<String>, timeout: Option<i64> });

pub(crate) fn parse_register(
    params: Option<&RawValue>,
) -> Result<(String, Option<String>, Option<i64>)> {
    let p: RegisterParams = parse(METHOD_REGISTER, params)?;
    Ok((p.uri, p.password, p.timeout))
}

pub(crate) fn parse_no_params(method: &str, params: Option<&RawValue>) -> Result<()> {
    let _: NoParams = parse(method, params)?;
    Ok(())
}

pub(crate) fn parse_time_out_set(params: Option<&RawValue>) -> Result<i64> {
    let p: TimeOutSetParams = parse("time_out_set", params)?;
    Ok(p.ms)
}

pub(crate) fn json<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<()> {
    to_json(out, value)
}
