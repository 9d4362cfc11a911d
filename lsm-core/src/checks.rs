//! Argument checks made both by the client (before sending, as the
//! reference client does) and by the plugin runner (for clients that do
//! not check).

use crate::error::{ErrorNumber, LsmError, Result};
use crate::types::{PhysicalDiskCache, RaidType, ReadCachePolicy, WriteCachePolicy};

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
