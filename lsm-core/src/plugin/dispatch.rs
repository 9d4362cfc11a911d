//! From a request (method name + raw params) to a plugin trait call and the
//! serialized result. Parameters are parsed strictly into the method's
//! [`params`](crate::params) struct: an unknown key or a wrong type is
//! `TRANSPORT_INVALID_ARG` (402), never a crash; an unknown search key is
//! `UNSUPPORTED_SEARCH_KEY` (510). Checks every plugin would repeat (sizes,
//! enum ranges, initiator ids) are made here, by the functions of
//! `checks.rs`. A method the protocol does not have is `NO_SUPPORT`.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::call::Call;
use super::traits::{Management, Nas, San};
use crate::checks;
use crate::error::{ErrorNumber, LsmError, Result};
use crate::params::{self as wire, Params};
use crate::requests::ExportRequest;
use crate::results::Completion;
use crate::search::Search;
use crate::validate::{Listing, Searchable};

/// Parse `params` (None or `null` = `{}`) into the method's params struct.
pub(crate) fn parse<P: Params + DeserializeOwned>(params: Option<&RawValue>) -> Result<P> {
    let text = params.map(RawValue::get).unwrap_or("{}");
    let text = if text.trim() == "null" { "{}" } else { text };
    serde_json::from_str(text).map_err(|e| {
        LsmError::new(
            ErrorNumber::TRANSPORT_INVALID_ARG,
            format!("invalid parameters for {}: {e}", P::METHOD),
        )
    })
}

/// Serialize a result straight into the reply frame being built.
pub(crate) fn to_json<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<()> {
    serde_json::to_writer(out, value).map_err(|e| {
        LsmError::new(
            ErrorNumber::PLUGIN_BUG,
            format!("cannot serialize result: {e}"),
        )
    })
}

/// `[job|null, obj|null]` for J+obj methods.
fn job_or_object<T: Serialize>(out: &mut Vec<u8>, r: Completion<T>) -> Result<()> {
    match r {
        Completion::Done(obj) => to_json(out, &(None::<&str>, Some(obj))),
        Completion::Job(job) => to_json(out, &(Some(job.id), None::<T>)),
    }
}

/// `job|null` for J methods.
fn job_or_null(out: &mut Vec<u8>, r: Completion<()>) -> Result<()> {
    match r {
        Completion::Done(()) => to_json(out, &None::<String>),
        Completion::Job(job) => to_json(out, &job.id),
    }
}

/// A validated search from a listing's `search_key` / `search_value`.
fn search_of(
    method: &str,
    listing: Listing,
    key: Option<std::borrow::Cow<'_, str>>,
    value: Option<std::borrow::Cow<'_, str>>,
) -> Result<Option<Search>> {
    match (key, value) {
        (None, _) => Ok(None),
        (Some(key), Some(value)) => {
            checks::search_key(listing, &key)?;
            Ok(Some(Search {
                key: key.into_owned(),
                value: value.into_owned(),
            }))
        }
        (Some(key), None) => Err(LsmError::new(
            ErrorNumber::TRANSPORT_INVALID_ARG,
            format!("{method}: search_key '{key}' given without search_value"),
        )),
    }
}

/// Parse a listing's params into its search.
macro_rules! search {
    ($params:ident, $ty:ident, $listing:ident) => {{
        let p: wire::$ty = parse($params)?;
        search_of(
            wire::$ty::METHOD,
            Listing::$listing,
            p.search_key,
            p.search_value,
        )?
    }};
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

/// Call the registered session for one request, with the request's context (register,
/// unregister, info and the time-outs are the runner's, before this).
pub(crate) fn dispatch<S: Management + San + Nas>(
    session: &mut S,
    cx: &Call,
    method: &str,
    params: Option<&RawValue>,
    out: &mut Vec<u8>,
) -> Result<()> {
    match method {
        // ---- management ----
        wire::Capabilities::METHOD => {
            let p: wire::Capabilities = parse(params)?;
            to_json(out, &session.capabilities(cx, &p.system)?)
        }
        wire::JobStatus::METHOD => {
            let p: wire::JobStatus = parse(params)?;
            to_json(out, &session.job_status(cx, &p.job_id)?)
        }
        wire::JobFree::METHOD => {
            let p: wire::JobFree = parse(params)?;
            session.job_free(cx, &p.job_id)?;
            to_json(out, &())
        }
        wire::Systems::METHOD => {
            let _: wire::Systems = parse(params)?;
            to_json(out, &session.systems(cx)?)
        }
        wire::Pools::METHOD => {
            let s = search!(params, Pools, Pools);
            filtered(out, session.pools(cx, s.as_ref())?, &s)
        }
        wire::SystemReadCachePctUpdate::METHOD => {
            let p: wire::SystemReadCachePctUpdate = parse(params)?;
            checks::read_cache_pct(p.read_pct)?;
            session.system_read_cache_pct_update(cx, &p.system, p.read_pct)?;
            to_json(out, &())
        }

        // ---- SAN ----
        wire::Volumes::METHOD => {
            let s = search!(params, Volumes, Volumes);
            let mut list = ListWriter::new(out, &s);
            session.volumes_each(cx, s.as_ref(), &mut |v| list.push(v))?;
            list.finish();
            Ok(())
        }
        wire::Disks::METHOD => {
            let s = search!(params, Disks, Disks);
            filtered(out, session.disks(cx, s.as_ref())?, &s)
        }
        wire::AccessGroups::METHOD => {
            let s = search!(params, AccessGroups, AccessGroups);
            filtered(out, session.access_groups(cx, s.as_ref())?, &s)
        }
        wire::TargetPorts::METHOD => {
            let s = search!(params, TargetPorts, TargetPorts);
            filtered(out, session.target_ports(cx, s.as_ref())?, &s)
        }
        wire::Batteries::METHOD => {
            let s = search!(params, Batteries, Batteries);
            filtered(out, session.batteries(cx, s.as_ref())?, &s)
        }
        wire::VolumeCreate::METHOD => {
            let p: wire::VolumeCreate = parse(params)?;
            checks::volume_create(&p)?;
            job_or_object(
                out,
                session.volume_create(cx, &p.pool, &p.volume_name, p.size_bytes, p.provisioning)?,
            )
        }
        wire::VolumeResize::METHOD => {
            let p: wire::VolumeResize = parse(params)?;
            checks::size("new_size_bytes", p.new_size_bytes)?;
            job_or_object(out, session.volume_resize(cx, &p.volume, p.new_size_bytes)?)
        }
        wire::VolumeReplicate::METHOD => {
            let p: wire::VolumeReplicate = parse(params)?;
            checks::volume_replicate(&p)?;
            job_or_object(
                out,
                session.volume_replicate(
                    cx,
                    p.pool.as_deref(),
                    p.rep_type,
                    &p.volume_src,
                    &p.name,
                )?,
            )
        }
        wire::VolumeReplicateRangeBlockSize::METHOD => {
            let p: wire::VolumeReplicateRangeBlockSize = parse(params)?;
            to_json(
                out,
                &session.volume_replicate_range_block_size(cx, &p.system)?,
            )
        }
        wire::VolumeReplicateRange::METHOD => {
            let p: wire::VolumeReplicateRange = parse(params)?;
            checks::volume_replicate_range(&p)?;
            job_or_null(
                out,
                session.volume_replicate_range(
                    cx,
                    p.rep_type,
                    &p.volume_src,
                    &p.volume_dest,
                    &p.ranges,
                )?,
            )
        }
        wire::VolumeDelete::METHOD => {
            let p: wire::VolumeDelete = parse(params)?;
            job_or_null(out, session.volume_delete(cx, &p.volume)?)
        }
        wire::VolumeEnable::METHOD => {
            let p: wire::VolumeEnable = parse(params)?;
            session.volume_enable(cx, &p.volume)?;
            to_json(out, &())
        }
        wire::VolumeDisable::METHOD => {
            let p: wire::VolumeDisable = parse(params)?;
            session.volume_disable(cx, &p.volume)?;
            to_json(out, &())
        }
        wire::IscsiChapAuth::METHOD => {
            let p: wire::IscsiChapAuth = parse(params)?;
            checks::iscsi_chap_auth(&p)?;
            session.iscsi_chap_auth(
                cx,
                &p.init_id,
                p.in_user.as_deref(),
                p.in_password.as_ref().map(wire::Secret::expose),
                p.out_user.as_deref(),
                p.out_password.as_ref().map(wire::Secret::expose),
            )?;
            to_json(out, &())
        }
        wire::AccessGroupCreate::METHOD => {
            let p: wire::AccessGroupCreate = parse(params)?;
            checks::name("name", &p.name)?;
            let (init_id, init_type) = checks::initiator(&p.init_id, p.init_type)?;
            to_json(
                out,
                &session.access_group_create(cx, &p.name, &init_id, init_type, &p.system)?,
            )
        }
        wire::AccessGroupDelete::METHOD => {
            let p: wire::AccessGroupDelete = parse(params)?;
            session.access_group_delete(cx, &p.access_group)?;
            to_json(out, &())
        }
        wire::AccessGroupInitiatorAdd::METHOD => {
            let p: wire::AccessGroupInitiatorAdd = parse(params)?;
            let (init_id, init_type) = checks::initiator(&p.init_id, p.init_type)?;
            to_json(
                out,
                &session.access_group_initiator_add(cx, &p.access_group, &init_id, init_type)?,
            )
        }
        wire::AccessGroupInitiatorDelete::METHOD => {
            let p: wire::AccessGroupInitiatorDelete = parse(params)?;
            let (init_id, init_type) = checks::initiator(&p.init_id, p.init_type)?;
            to_json(
                out,
                &session.access_group_initiator_delete(cx, &p.access_group, &init_id, init_type)?,
            )
        }
        wire::VolumeMask::METHOD => {
            let p: wire::VolumeMask = parse(params)?;
            session.volume_mask(cx, &p.access_group, &p.volume)?;
            to_json(out, &())
        }
        wire::VolumeUnmask::METHOD => {
            let p: wire::VolumeUnmask = parse(params)?;
            session.volume_unmask(cx, &p.access_group, &p.volume)?;
            to_json(out, &())
        }
        wire::VolumesAccessibleByAccessGroup::METHOD => {
            let p: wire::VolumesAccessibleByAccessGroup = parse(params)?;
            to_json(
                out,
                &session.volumes_accessible_by_access_group(cx, &p.access_group)?,
            )
        }
        wire::AccessGroupsGrantedToVolume::METHOD => {
            let p: wire::AccessGroupsGrantedToVolume = parse(params)?;
            to_json(
                out,
                &session.access_groups_granted_to_volume(cx, &p.volume)?,
            )
        }
        wire::VolumeChildDependency::METHOD => {
            let p: wire::VolumeChildDependency = parse(params)?;
            to_json(out, &session.volume_child_dependency(cx, &p.volume)?)
        }
        wire::VolumeChildDependencyRm::METHOD => {
            let p: wire::VolumeChildDependencyRm = parse(params)?;
            job_or_null(out, session.volume_child_dependency_rm(cx, &p.volume)?)
        }
        wire::VolumeRaidInfo::METHOD => {
            let p: wire::VolumeRaidInfo = parse(params)?;
            to_json(out, &session.volume_raid_info(cx, &p.volume)?)
        }
        wire::PoolMemberInfo::METHOD => {
            let p: wire::PoolMemberInfo = parse(params)?;
            to_json(out, &session.pool_member_info(cx, &p.pool)?)
        }
        wire::VolumeRaidCreateCapGet::METHOD => {
            let p: wire::VolumeRaidCreateCapGet = parse(params)?;
            to_json(out, &session.volume_raid_create_cap_get(cx, &p.system)?)
        }
        wire::VolumeRaidCreate::METHOD => {
            let p: wire::VolumeRaidCreate = parse(params)?;
            checks::volume_raid_create(&p)?;
            to_json(
                out,
                &session.volume_raid_create(cx, &p.name, p.raid_type, &p.disks, p.strip_size)?,
            )
        }
        wire::VolumeIdentLedOn::METHOD => {
            let p: wire::VolumeIdentLedOn = parse(params)?;
            session.volume_ident_led_on(cx, &p.volume)?;
            to_json(out, &())
        }
        wire::VolumeIdentLedOff::METHOD => {
            let p: wire::VolumeIdentLedOff = parse(params)?;
            session.volume_ident_led_off(cx, &p.volume)?;
            to_json(out, &())
        }
        wire::VolumeCacheInfo::METHOD => {
            let p: wire::VolumeCacheInfo = parse(params)?;
            to_json(out, &session.volume_cache_info(cx, &p.volume)?)
        }
        wire::VolumePhysicalDiskCacheUpdate::METHOD => {
            let p: wire::VolumePhysicalDiskCacheUpdate = parse(params)?;
            checks::pdc(p.pdc)?;
            session.volume_physical_disk_cache_update(cx, &p.volume, p.pdc)?;
            to_json(out, &())
        }
        wire::VolumeWriteCachePolicyUpdate::METHOD => {
            let p: wire::VolumeWriteCachePolicyUpdate = parse(params)?;
            checks::wcp(p.wcp)?;
            session.volume_write_cache_policy_update(cx, &p.volume, p.wcp)?;
            to_json(out, &())
        }
        wire::VolumeReadCachePolicyUpdate::METHOD => {
            let p: wire::VolumeReadCachePolicyUpdate = parse(params)?;
            checks::rcp(p.rcp)?;
            session.volume_read_cache_policy_update(cx, &p.volume, p.rcp)?;
            to_json(out, &())
        }

        // ---- NAS ----
        wire::Fs::METHOD => {
            let s = search!(params, Fs, Fs);
            filtered(out, session.fs(cx, s.as_ref())?, &s)
        }
        wire::FsCreate::METHOD => {
            let p: wire::FsCreate = parse(params)?;
            checks::fs_create(&p)?;
            job_or_object(out, session.fs_create(cx, &p.pool, &p.name, p.size_bytes)?)
        }
        wire::FsDelete::METHOD => {
            let p: wire::FsDelete = parse(params)?;
            job_or_null(out, session.fs_delete(cx, &p.fs)?)
        }
        wire::FsResize::METHOD => {
            let p: wire::FsResize = parse(params)?;
            checks::size("new_size_bytes", p.new_size_bytes)?;
            job_or_object(out, session.fs_resize(cx, &p.fs, p.new_size_bytes)?)
        }
        wire::FsClone::METHOD => {
            let p: wire::FsClone = parse(params)?;
            checks::name("dest_fs_name", &p.dest_fs_name)?;
            job_or_object(
                out,
                session.fs_clone(cx, &p.src_fs, &p.dest_fs_name, p.snapshot.as_deref())?,
            )
        }
        wire::FsFileClone::METHOD => {
            let p: wire::FsFileClone = parse(params)?;
            checks::fs_file_clone(&p)?;
            job_or_null(
                out,
                session.fs_file_clone(
                    cx,
                    &p.fs,
                    &p.src_file_name,
                    &p.dest_file_name,
                    p.snapshot.as_deref(),
                )?,
            )
        }
        wire::FsChildDependency::METHOD => {
            let p: wire::FsChildDependency = parse(params)?;
            to_json(
                out,
                &session.fs_child_dependency(cx, &p.fs, p.files.as_deref())?,
            )
        }
        wire::FsChildDependencyRm::METHOD => {
            let p: wire::FsChildDependencyRm = parse(params)?;
            job_or_null(
                out,
                session.fs_child_dependency_rm(cx, &p.fs, p.files.as_deref())?,
            )
        }
        wire::FsSnapshots::METHOD => {
            let p: wire::FsSnapshots = parse(params)?;
            to_json(out, &session.fs_snapshots(cx, &p.fs)?)
        }
        wire::FsSnapshotCreate::METHOD => {
            let p: wire::FsSnapshotCreate = parse(params)?;
            checks::name("snapshot_name", &p.snapshot_name)?;
            job_or_object(
                out,
                session.fs_snapshot_create(cx, &p.fs, &p.snapshot_name)?,
            )
        }
        wire::FsSnapshotDelete::METHOD => {
            let p: wire::FsSnapshotDelete = parse(params)?;
            job_or_null(out, session.fs_snapshot_delete(cx, &p.fs, &p.snapshot)?)
        }
        wire::FsSnapshotRestore::METHOD => {
            let p: wire::FsSnapshotRestore = parse(params)?;
            checks::fs_snapshot_restore(&p)?;
            job_or_null(
                out,
                session.fs_snapshot_restore(
                    cx,
                    &p.fs,
                    &p.snapshot,
                    p.files.as_deref(),
                    p.restore_files.as_deref(),
                    p.all_files.unwrap_or(false),
                )?,
            )
        }
        wire::ExportAuth::METHOD => {
            let _: wire::ExportAuth = parse(params)?;
            to_json(out, &session.export_auth(cx)?)
        }
        wire::Exports::METHOD => {
            let s = search!(params, Exports, Exports);
            filtered(out, session.exports(cx, s.as_ref())?, &s)
        }
        wire::ExportFs::METHOD => {
            let p: wire::ExportFs = parse(params)?;
            let owned = |list: Option<std::borrow::Cow<'_, [String]>>| {
                list.map(std::borrow::Cow::into_owned).unwrap_or_default()
            };
            let request = ExportRequest {
                fs_id: p.fs_id.into_owned(),
                export_path: p.export_path.map(std::borrow::Cow::into_owned),
                root_list: owned(p.root_list),
                rw_list: owned(p.rw_list),
                ro_list: owned(p.ro_list),
                anon_uid: p.anon_uid.unwrap_or(-1),
                anon_gid: p.anon_gid.unwrap_or(-1),
                auth_type: p.auth_type.map(std::borrow::Cow::into_owned),
                options: p.options.map(std::borrow::Cow::into_owned),
            };
            checks::export_hosts(&request.rw_list, &request.ro_list)?;
            to_json(out, &session.export_fs(cx, &request)?)
        }
        wire::ExportRemove::METHOD => {
            let p: wire::ExportRemove = parse(params)?;
            session.export_remove(cx, &p.export)?;
            to_json(out, &())
        }
        _ => Err(LsmError::new(
            ErrorNumber::NO_SUPPORT,
            "Unsupported operation",
        )),
    }
}
