//! Every argument check the plugin runner makes before it calls a plugin: what every plugin
//! would otherwise repeat, with the same code and message whatever the plugin. The runner
//! (`plugin/dispatch.rs`) calls these and no other check (besides the strict parse of the
//! params, 402).
//!
//! The client runs a subset before it sends, the one the reference client runs (so a plugin
//! sees the same requests from either client): `initiator` (normalised), `read_cache_pct`,
//! `chap`, `raid_disks`, `export_hosts`, `pdc`, `wcp` and `rcp` (search keys are checked by
//! the client's typed searches, `search::ListingSearch::from_key`). The rest
//! (sizes, names, enum values of requests, block ranges, snapshot restore lists) is checked
//! only here, on the plugin side, so the conformance suite, which sends bad input through
//! the client, tests the plugin's refusal.
//!
//! Format predicates these use (vpd83, iSCSI names, WWPNs, search keys) are public in
//! [`validate`], for plugins and tools.

// With one side of the crate left out, the other side's checks are unused.
#![cfg_attr(not(all(feature = "client", feature = "plugin")), allow(dead_code))]

use crate::error::{ErrorNumber, LsmError, Result};
use crate::params as wire;
use crate::types::{
    InitiatorType, PhysicalDiskCache, Provisioning, RaidType, ReadCachePolicy, ReplicationType,
    WriteCachePolicy,
};
use crate::validate;

fn invalid(msg: impl Into<String>) -> LsmError {
    LsmError::new(ErrorNumber::INVALID_ARGUMENT, msg)
}

/// `read_pct` of `system_read_cache_pct_update`: 0..=100.
pub(crate) fn read_cache_pct(read_pct: i64) -> Result<()> {
    if (0..=100).contains(&read_pct) {
        Ok(())
    } else {
        Err(invalid(format!(
            "read_pct must be within 0..=100, got {read_pct}"
        )))
    }
}

/// CHAP credentials come in pairs, and outbound needs inbound.
pub(crate) fn chap(
    in_user: Option<&str>,
    in_password: Option<&str>,
    out_user: Option<&str>,
    out_password: Option<&str>,
) -> Result<()> {
    if in_user.is_some() != in_password.is_some() {
        return Err(invalid("in_user and in_password must be given together"));
    }
    if out_user.is_some() != out_password.is_some() {
        return Err(invalid("out_user and out_password must be given together"));
    }
    if out_user.is_some() && in_user.is_none() {
        return Err(invalid("outbound CHAP requires inbound CHAP"));
    }
    Ok(())
}

/// RAID member counts, as the reference client checks them.
pub(crate) fn raid_disks(raid_type: RaidType, count: usize) -> Result<()> {
    let ok = match raid_type {
        RaidType::RAID0 => count >= 1,
        RaidType::RAID1 => count == 2,
        RaidType::RAID5 => count >= 3,
        RaidType::RAID6 => count >= 4,
        RaidType::RAID10 => count >= 4 && count.is_multiple_of(2),
        RaidType::RAID50 => count >= 6 && count.is_multiple_of(2),
        RaidType::RAID60 => count >= 8 && count.is_multiple_of(2),
        _ => return Err(invalid(format!("unsupported RAID type {raid_type:?}"))),
    };
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "{count} disks is not a valid member count for {raid_type:?}"
        )))
    }
}

/// A host may not be both read-write and read-only.
pub(crate) fn export_hosts(rw_list: &[String], ro_list: &[String]) -> Result<()> {
    match rw_list.iter().find(|h| ro_list.contains(h)) {
        Some(host) => Err(invalid(format!(
            "host '{host}' is in both the read-write and the read-only list"
        ))),
        None => Ok(()),
    }
}

pub(crate) fn pdc(pdc: PhysicalDiskCache) -> Result<()> {
    if pdc == PhysicalDiskCache::ENABLED || pdc == PhysicalDiskCache::DISABLED {
        Ok(())
    } else {
        Err(invalid(format!(
            "invalid physical disk cache setting {pdc:?}"
        )))
    }
}

pub(crate) fn wcp(wcp: WriteCachePolicy) -> Result<()> {
    if [
        WriteCachePolicy::WRITE_BACK,
        WriteCachePolicy::AUTO,
        WriteCachePolicy::WRITE_THROUGH,
    ]
    .contains(&wcp)
    {
        Ok(())
    } else {
        Err(invalid(format!("invalid write cache policy {wcp:?}")))
    }
}

pub(crate) fn rcp(rcp: ReadCachePolicy) -> Result<()> {
    if rcp == ReadCachePolicy::ENABLED || rcp == ReadCachePolicy::DISABLED {
        Ok(())
    } else {
        Err(invalid(format!("invalid read cache policy {rcp:?}")))
    }
}

/// A listing's search key: one of §4.7's for this listing, else `UNSUPPORTED_SEARCH_KEY`.
pub(crate) fn search_key(listing: validate::Listing, key: &str) -> Result<()> {
    validate::check_search_key(listing, key)
}

/// An initiator id of its type, normalised (WWPNs to lowercase colon form; UNKNOWN guessed).
pub(crate) fn initiator(id: &str, init_type: InitiatorType) -> Result<(String, InitiatorType)> {
    validate::normalize_init_id(id, init_type)
}

// ------------------------------------------------------------------ plugin side only

/// A size in bytes: positive.
pub(crate) fn size(what: &str, size: i64) -> Result<()> {
    if size <= 0 {
        return Err(invalid(format!(
            "{what} must be a positive number of bytes, got {size}"
        )));
    }
    Ok(())
}

/// A name: not empty, no control characters.
pub(crate) fn name(what: &str, name: &str) -> Result<()> {
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

fn known<E: Copy + std::fmt::Debug + PartialEq>(what: &str, value: E, allowed: &[E]) -> Result<()> {
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

pub(crate) fn volume_create(p: &wire::VolumeCreate) -> Result<()> {
    name("volume_name", &p.volume_name)?;
    size("size_bytes", p.size_bytes)?;
    known(
        "provisioning",
        p.provisioning,
        &[
            Provisioning::THIN,
            Provisioning::FULL,
            Provisioning::DEFAULT,
        ],
    )
}

pub(crate) fn volume_replicate(p: &wire::VolumeReplicate) -> Result<()> {
    name("name", &p.name)?;
    known("rep_type", p.rep_type, &REPLICATION_TYPES)
}

pub(crate) fn volume_replicate_range(p: &wire::VolumeReplicateRange) -> Result<()> {
    known("rep_type", p.rep_type, &REPLICATION_TYPES)?;
    if p.ranges.is_empty() {
        return Err(invalid("ranges must not be empty"));
    }
    for r in p.ranges.iter() {
        if r.src_block < 0 || r.dest_block < 0 || r.block_count <= 0 {
            return Err(invalid(format!(
                "invalid block range: src {} dest {} count {}",
                r.src_block, r.dest_block, r.block_count
            )));
        }
    }
    Ok(())
}

/// CHAP for an iSCSI initiator: the id must be an iSCSI name, the credentials in pairs.
pub(crate) fn iscsi_chap_auth(p: &wire::IscsiChapAuth) -> Result<()> {
    initiator(&p.init_id, InitiatorType::ISCSI_IQN)?;
    chap(
        p.in_user.as_deref(),
        p.in_password.as_ref().map(wire::Secret::expose),
        p.out_user.as_deref(),
        p.out_password.as_ref().map(wire::Secret::expose),
    )
}

pub(crate) fn volume_raid_create(p: &wire::VolumeRaidCreate) -> Result<()> {
    name("name", &p.name)?;
    raid_disks(p.raid_type, p.disks.len())?;
    if p.strip_size < 0 {
        return Err(invalid(format!("invalid strip_size {}", p.strip_size)));
    }
    Ok(())
}

pub(crate) fn fs_create(p: &wire::FsCreate) -> Result<()> {
    name("name", &p.name)?;
    size("size_bytes", p.size_bytes)
}

pub(crate) fn fs_file_clone(p: &wire::FsFileClone) -> Result<()> {
    name("src_file_name", &p.src_file_name)?;
    name("dest_file_name", &p.dest_file_name)
}

/// Files to restore: all of them, or a non-empty list with, if given, one destination each.
pub(crate) fn fs_snapshot_restore(p: &wire::FsSnapshotRestore) -> Result<()> {
    if let (Some(files), Some(restore)) = (&p.files, &p.restore_files)
        && !restore.is_empty()
        && restore.len() != files.len()
    {
        return Err(invalid(
            "restore_files must name one destination for each file",
        ));
    }
    if !p.all_files.unwrap_or(false) && p.files.as_ref().is_none_or(|f| f.is_empty()) {
        return Err(invalid("either all_files or a list of files is required"));
    }
    Ok(())
}
