//! `volume-*` commands: create (plain and hardware RAID), delete, resize, replicate (whole
//! and block ranges), dependencies, masking, enable/disable, RAID and cache information,
//! cache policy updates and the identification LED.

use super::Session;
use crate::cli::{
    EnablePolicy, ProvisioningArg, RaidTypeArg, RangeReplicationArg, ReplicationArg, WritePolicy,
};
use crate::display::objects::{RaidCreateCapRow, VolumeCacheRow, VolumeRaidRow};
use crate::error::{CliError, Exit};
use crate::size::parse_size;
use lsm_core::{
    BlockRange, DiskStatus, ErrorNumber, LsmError, PhysicalDiskCache, Provisioning, RaidType,
    ReadCachePolicy, ReplicationType, WriteCachePolicy,
};

/// `volume-create`: the new volume (or its job id with `-b`).
pub async fn create(
    session: &mut Session<'_>,
    name: &str,
    size: &str,
    pool_id: &str,
    provisioning: ProvisioningArg,
) -> Result<Exit, CliError> {
    let pool = session.find_pool(pool_id).await?;
    let size = parse_size(size).map_err(|e| CliError::argument(e.to_string()))?;
    let provisioning = match provisioning {
        ProvisioningArg::Default => Provisioning::DEFAULT,
        ProvisioningArg::Thin => Provisioning::THIN,
        ProvisioningArg::Full => Provisioning::FULL,
    };
    let completion = session
        .client
        .volume_create(&pool, name, size, provisioning)
        .await?;
    session.show_finished("volume-create", completion).await
}

/// `volume-raid-create`: checks the disks exist and are free, then the new volume.
pub async fn raid_create(
    session: &mut Session<'_>,
    name: &str,
    disk_ids: &[String],
    raid_type: RaidTypeArg,
    strip_size: Option<&str>,
) -> Result<Exit, CliError> {
    let raid_type = match raid_type {
        RaidTypeArg::Raid0 => RaidType::RAID0,
        RaidTypeArg::Raid1 => RaidType::RAID1,
        RaidTypeArg::Raid5 => RaidType::RAID5,
        RaidTypeArg::Raid6 => RaidType::RAID6,
        RaidTypeArg::Raid10 => RaidType::RAID10,
        RaidTypeArg::Raid50 => RaidType::RAID50,
        RaidTypeArg::Raid60 => RaidType::RAID60,
    };
    let all_disks = session.client.disks(None).await?;
    let mut missing: Vec<&str> = disk_ids
        .iter()
        .filter(|id| !all_disks.iter().any(|d| &d.id == *id))
        .map(String::as_str)
        .collect();
    missing.dedup();
    if !missing.is_empty() {
        return Err(LsmError::new(
            ErrorNumber::NOT_FOUND_DISK,
            format!("Disk ID {} not found", missing.join(", ")),
        )
        .into());
    }
    let disks: Vec<lsm_core::Disk> = all_disks
        .into_iter()
        .filter(|d| disk_ids.contains(&d.id))
        .collect();
    let busy: Vec<&str> = disks
        .iter()
        .filter(|d| !d.status.contains(DiskStatus::FREE))
        .map(|d| d.id.as_str())
        .collect();
    if !busy.is_empty() {
        return Err(LsmError::new(
            ErrorNumber::DISK_NOT_FREE,
            format!("Disk {} is not free", busy.join(", ")),
        )
        .into());
    }
    let strip_size = match strip_size {
        Some(text) => parse_size(text).map_err(|e| CliError::argument(e.to_string()))?,
        None => lsm_core::raid_info::STRIP_SIZE_DEFAULT,
    };
    let volume = session
        .client
        .volume_raid_create(name, raid_type, &disks, strip_size)
        .await?;
    session.out.show_one(&volume)?;
    Ok(Exit::Done)
}

/// `volume-raid-create-cap --sys`.
pub async fn raid_create_cap(session: &mut Session<'_>, sys: &str) -> Result<Exit, CliError> {
    let system = session.find_system(sys).await?;
    let cap = session.client.volume_raid_create_cap_get(&system).await?;
    session
        .out
        .show_one(&RaidCreateCapRow::new(&system.id, cap))?;
    Ok(Exit::Done)
}

/// `volume-delete --vol`, after confirmation.
pub async fn delete(session: &mut Session<'_>, vol: &str) -> Result<Exit, CliError> {
    let volume = session.find_volume(vol, "Volume").await?;
    if !session.confirm(true).await? {
        return Ok(Exit::Done);
    }
    let completion = session.client.volume_delete(&volume).await?;
    done_or_running(session.finish("volume-delete", completion).await?)
}

/// `volume-resize --vol --size`, after confirmation.
pub async fn resize(session: &mut Session<'_>, vol: &str, size: &str) -> Result<Exit, CliError> {
    let volume = session.find_volume(vol, "Volume").await?;
    let size = parse_size(size).map_err(|e| CliError::argument(e.to_string()))?;
    if size == volume.size_bytes() {
        return Err(LsmError::new(
            ErrorNumber::NO_STATE_CHANGE,
            "Specified size same as current",
        )
        .into());
    }
    if !session.confirm(false).await? {
        return Ok(Exit::Done);
    }
    let completion = session.client.volume_resize(&volume, size).await?;
    session.show_finished("volume-resize", completion).await
}

/// `volume-replicate`: the new volume.
pub async fn replicate(
    session: &mut Session<'_>,
    vol: &str,
    name: &str,
    rep_type: ReplicationArg,
    pool_id: Option<&str>,
) -> Result<Exit, CliError> {
    let pool = match pool_id {
        Some(id) => Some(session.find_pool(id).await?),
        None => None,
    };
    let source = session.find_volume(vol, "Volume").await?;
    let rep_type = match rep_type {
        ReplicationArg::Clone => ReplicationType::CLONE,
        ReplicationArg::Copy => ReplicationType::COPY,
        ReplicationArg::MirrorAsync => ReplicationType::MIRROR_ASYNC,
        ReplicationArg::MirrorSync => ReplicationType::MIRROR_SYNC,
    };
    let completion = session
        .client
        .volume_replicate(pool.as_ref(), rep_type, &source, name)
        .await?;
    session.show_finished("volume-replicate", completion).await
}

/// `volume-replicate-range`: the repeated `--src-start/--dst-start/--count` as block
/// ranges, checked, then copied after confirmation.
pub async fn replicate_range(
    session: &mut Session<'_>,
    src_vol: &str,
    dst_vol: &str,
    rep_type: RangeReplicationArg,
    src_starts: &[i64],
    dst_starts: &[i64],
    counts: &[i64],
) -> Result<Exit, CliError> {
    let request = &RangeRequest {
        src_starts,
        dst_starts,
        counts,
    };
    let source = session.find_volume(src_vol, "Source Volume").await?;
    let destination = session.find_volume(dst_vol, "Destination Volume").await?;
    let rep_type = match rep_type {
        RangeReplicationArg::Clone => ReplicationType::CLONE,
        RangeReplicationArg::Copy => ReplicationType::COPY,
    };
    let ranges = block_ranges(request, source.num_of_blocks, destination.num_of_blocks)?;
    if !session.confirm(false).await? {
        return Ok(Exit::Done);
    }
    let completion = session
        .client
        .volume_replicate_range(rep_type, &source, &destination, &ranges)
        .await?;
    done_or_running(session.finish("volume-replicate-range", completion).await?)
}

/// `volume-replicate-range-block-size --sys`.
pub async fn replicate_range_block_size(
    session: &mut Session<'_>,
    sys: &str,
) -> Result<Exit, CliError> {
    let system = session.find_system(sys).await?;
    let size = session
        .client
        .volume_replicate_range_block_size(&system)
        .await?;
    session.out.line_or_json(&size.to_string(), &size)?;
    Ok(Exit::Done)
}

/// `volume-dependants --vol`: `True` or `False`.
pub async fn dependants(session: &mut Session<'_>, vol: &str) -> Result<Exit, CliError> {
    let volume = session.find_volume(vol, "Volume").await?;
    let has_children = session.client.volume_child_dependency(&volume).await?;
    session
        .out
        .line_or_json(python_bool(has_children), &has_children)?;
    Ok(Exit::Done)
}

/// `volume-dependants-rm --vol`.
pub async fn dependants_rm(session: &mut Session<'_>, vol: &str) -> Result<Exit, CliError> {
    let volume = session.find_volume(vol, "Volume").await?;
    let completion = session.client.volume_child_dependency_rm(&volume).await?;
    done_or_running(session.finish("volume-dependants-rm", completion).await?)
}

/// `volume-access-group --vol`: the access groups the volume is masked to.
pub async fn access_groups(session: &mut Session<'_>, vol: &str) -> Result<Exit, CliError> {
    let volume = session.find_volume(vol, "Volume").await?;
    let groups = session
        .client
        .access_groups_granted_to_volume(&volume)
        .await?;
    session.out.show_all(&groups)?;
    Ok(Exit::Done)
}

/// `volume-mask --vol --ag`.
pub async fn mask(session: &mut Session<'_>, vol: &str, ag: &str) -> Result<Exit, CliError> {
    let volume = session.find_volume(vol, "Volume").await?;
    let group = session.find_access_group(ag).await?;
    session.client.volume_mask(&group, &volume).await?;
    Ok(Exit::Done)
}

/// `volume-unmask --ag --vol`.
pub async fn unmask(session: &mut Session<'_>, ag: &str, vol: &str) -> Result<Exit, CliError> {
    let group = session.find_access_group(ag).await?;
    let volume = session.find_volume(vol, "Volume").await?;
    session.client.volume_unmask(&group, &volume).await?;
    Ok(Exit::Done)
}

/// `volume-enable --vol`.
pub async fn enable(session: &mut Session<'_>, vol: &str) -> Result<Exit, CliError> {
    let volume = session.find_volume(vol, "Volume").await?;
    session.client.volume_enable(&volume).await?;
    Ok(Exit::Done)
}

/// `volume-disable --vol`.
pub async fn disable(session: &mut Session<'_>, vol: &str) -> Result<Exit, CliError> {
    let volume = session.find_volume(vol, "Volume").await?;
    session.client.volume_disable(&volume).await?;
    Ok(Exit::Done)
}

/// `volume-raid-info --vol`.
pub async fn raid_info(session: &mut Session<'_>, vol: &str) -> Result<Exit, CliError> {
    let volume = session.find_volume(vol, "Volume").await?;
    let info = session.client.volume_raid_info(&volume).await?;
    session
        .out
        .show_one(&VolumeRaidRow::new(&volume.id, info))?;
    Ok(Exit::Done)
}

/// `volume-ident-led-on --vol`.
pub async fn ident_led_on(session: &mut Session<'_>, vol: &str) -> Result<Exit, CliError> {
    let volume = session.find_volume(vol, "Volume").await?;
    session.client.volume_ident_led_on(&volume).await?;
    Ok(Exit::Done)
}

/// `volume-ident-led-off --vol`.
pub async fn ident_led_off(session: &mut Session<'_>, vol: &str) -> Result<Exit, CliError> {
    let volume = session.find_volume(vol, "Volume").await?;
    session.client.volume_ident_led_off(&volume).await?;
    Ok(Exit::Done)
}

/// `volume-cache-info --vol`.
pub async fn cache_info(session: &mut Session<'_>, vol: &str) -> Result<Exit, CliError> {
    let volume = session.find_volume(vol, "Volume").await?;
    show_cache_info(session, &volume).await
}

/// `volume-phy-disk-cache-update --vol --policy`, then the cache information.
pub async fn phy_disk_cache_update(
    session: &mut Session<'_>,
    vol: &str,
    policy: EnablePolicy,
) -> Result<Exit, CliError> {
    let volume = session.find_volume(vol, "Volume").await?;
    let pdc = match policy {
        EnablePolicy::Enable => PhysicalDiskCache::ENABLED,
        EnablePolicy::Disable => PhysicalDiskCache::DISABLED,
    };
    session
        .client
        .volume_physical_disk_cache_update(&volume, pdc)
        .await?;
    show_cache_info(session, &volume).await
}

/// `volume-read-cache-policy-update --vol --policy`, then the cache information.
pub async fn read_cache_policy_update(
    session: &mut Session<'_>,
    vol: &str,
    policy: EnablePolicy,
) -> Result<Exit, CliError> {
    let volume = session.find_volume(vol, "Volume").await?;
    let rcp = match policy {
        EnablePolicy::Enable => ReadCachePolicy::ENABLED,
        EnablePolicy::Disable => ReadCachePolicy::DISABLED,
    };
    session
        .client
        .volume_read_cache_policy_update(&volume, rcp)
        .await?;
    show_cache_info(session, &volume).await
}

/// `volume-write-cache-policy-update --vol --policy`, then the cache information.
pub async fn write_cache_policy_update(
    session: &mut Session<'_>,
    vol: &str,
    policy: WritePolicy,
) -> Result<Exit, CliError> {
    let volume = session.find_volume(vol, "Volume").await?;
    let wcp = match policy {
        WritePolicy::Wb => WriteCachePolicy::WRITE_BACK,
        WritePolicy::Auto => WriteCachePolicy::AUTO,
        WritePolicy::Wt => WriteCachePolicy::WRITE_THROUGH,
    };
    session
        .client
        .volume_write_cache_policy_update(&volume, wcp)
        .await?;
    show_cache_info(session, &volume).await
}

/// `True`/`False`, as Python prints a bool.
pub fn python_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

/// Exit 0 when a unit job finished, 7 when it was left running (`-b`).
pub fn done_or_running(finished: Option<()>) -> Result<Exit, CliError> {
    Ok(match finished {
        Some(()) => Exit::Done,
        None => Exit::JobRunning,
    })
}

/// The repeated `--src-start/--dst-start/--count` of `volume-replicate-range`.
struct RangeRequest<'a> {
    src_starts: &'a [i64],
    dst_starts: &'a [i64],
    counts: &'a [i64],
}

/// Builds and checks the block ranges as the reference does: equal counts, inside both
/// volumes, no overlap on either side.
fn block_ranges(
    request: &RangeRequest<'_>,
    source_blocks: i64,
    destination_blocks: i64,
) -> Result<Vec<BlockRange>, CliError> {
    let n = request.src_starts.len();
    if n == 0 || request.dst_starts.len() != n || request.counts.len() != n {
        return Err(CliError::argument(
            "Differing numbers of src_start, dest_start, and count parameters",
        ));
    }
    let mut ranges = Vec::with_capacity(n);
    let starts = request.src_starts.iter().zip(request.dst_starts);
    for ((&src_block, &dest_block), &block_count) in starts.zip(request.counts) {
        if src_block.saturating_add(block_count) > source_blocks {
            return Err(CliError::argument("--src-start + --count > source size"));
        }
        if dest_block.saturating_add(block_count) > destination_blocks {
            return Err(CliError::argument(
                "--dst-start + --count > destination size",
            ));
        }
        ranges.push(BlockRange {
            src_block,
            dest_block,
            block_count,
        });
    }
    check_overlap(&mut ranges, "src_block", |r| r.src_block)?;
    check_overlap(&mut ranges, "dest_block", |r| r.dest_block)?;
    Ok(ranges)
}

fn check_overlap(
    ranges: &mut [BlockRange],
    side: &str,
    start: impl Fn(&BlockRange) -> i64,
) -> Result<(), CliError> {
    ranges.sort_by_key(|r| start(r));
    for pair in ranges.windows(2) {
        let (previous, current) = (&pair[0], &pair[1]);
        let previous_start = start(previous);
        let current_start = start(current);
        if previous_start.saturating_add(previous.block_count) > current_start {
            return Err(CliError::argument(format!(
                "Overlapping {side} replication range {}..{} overlaps with {}..{}",
                previous_start,
                previous_start + previous.block_count - 1,
                current_start,
                current_start + current.block_count - 1
            )));
        }
    }
    Ok(())
}

async fn show_cache_info(
    session: &mut Session<'_>,
    volume: &lsm_core::Volume,
) -> Result<Exit, CliError> {
    let info = session.client.volume_cache_info(volume).await?;
    session
        .out
        .show_one(&VolumeCacheRow::new(&volume.id, info))?;
    Ok(Exit::Done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request<'a>(src: &'a [i64], dst: &'a [i64], count: &'a [i64]) -> RangeRequest<'a> {
        RangeRequest {
            src_starts: src,
            dst_starts: dst,
            counts: count,
        }
    }

    #[test]
    fn ranges_are_checked_like_the_reference() {
        let ok = block_ranges(&request(&[0, 100], &[50, 0], &[10, 10]), 1000, 1000);
        assert_eq!(ok.map(|r| r.len()), Ok(2));
        assert_eq!(
            block_ranges(&request(&[0], &[0, 1], &[1]), 10, 10),
            Err(CliError::argument(
                "Differing numbers of src_start, dest_start, and count parameters"
            ))
        );
        assert_eq!(
            block_ranges(&request(&[5], &[0], &[10]), 10, 100),
            Err(CliError::argument("--src-start + --count > source size"))
        );
        assert_eq!(
            block_ranges(&request(&[0], &[95], &[10]), 100, 100),
            Err(CliError::argument(
                "--dst-start + --count > destination size"
            ))
        );
        assert_eq!(
            block_ranges(&request(&[0, 5], &[0, 50], &[10, 10]), 100, 100),
            Err(CliError::argument(
                "Overlapping src_block replication range 0..9 overlaps with 5..14"
            ))
        );
    }

    #[test]
    fn python_bools() {
        assert_eq!(python_bool(true), "True");
        assert_eq!(python_bool(false), "False");
    }
}
