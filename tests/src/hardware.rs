//! Hardware checks: RAID info and RAID creation from free disks, pool
//! members, identification LEDs, and volume cache information and updates.

use std::collections::BTreeMap;

use lsm_core::{
    Capability as C, Disk, DiskStatus, ErrorNumber, MemberType, PhysicalDiskCache, RaidType,
    ReadCachePolicy, Volume, VolumeCacheInfo, WriteCachePolicy, WriteCacheStatus,
};

use crate::cleanup::Undo;
use crate::ctx::Ctx;
use crate::expect::{CheckResult, During, expect_error, ok_or_no_state_change};
use crate::harness::Check;

/// The hardware checks.
pub const CHECKS: &[Check] = &[
    Check {
        name: "volume_raid_info",
        summary: "volume_raid_info gives valid values; a deleted volume is NOT_FOUND_VOLUME",
        requires: &[C::VOLUME_RAID_INFO],
        body: volume_raid_info,
    },
    Check {
        name: "pool_member_info",
        summary: "each pool's RAID type, member type and member ids are valid and exist",
        requires: &[C::POOL_MEMBER_INFO],
        body: pool_member_info,
    },
    Check {
        name: "volume_raid_create_cap_get",
        summary: "RAID create capabilities list known RAID types and strip sizes",
        requires: &[C::VOLUME_RAID_CREATE],
        body: volume_raid_create_cap_get,
    },
    Check {
        name: "volume_raid_create",
        summary: "a RAID volume built from free disks is listed, takes the disks, and frees them on delete",
        requires: &[
            C::VOLUME_RAID_CREATE,
            C::VOLUME_DELETE,
            C::VOLUMES,
            C::DISKS,
        ],
        body: volume_raid_create,
    },
    Check {
        name: "raid_create_raid_info",
        summary: "a RAID volume reports the RAID type, strip size and disk count it was made with",
        requires: &[
            C::VOLUME_RAID_CREATE,
            C::VOLUME_RAID_INFO,
            C::VOLUME_DELETE,
            C::VOLUMES,
            C::DISKS,
        ],
        body: raid_create_raid_info,
    },
    Check {
        name: "volume_ident_led_on",
        summary: "volume_ident_led_on succeeds",
        requires: &[C::VOLUME_LED],
        body: volume_ident_led_on,
    },
    Check {
        name: "volume_ident_led_off",
        summary: "volume_ident_led_off succeeds (NO_STATE_CHANGE accepted)",
        requires: &[C::VOLUME_LED],
        body: volume_ident_led_off,
    },
    Check {
        name: "volume_cache_info",
        summary: "volume_cache_info gives five values in their valid ranges",
        requires: &[C::VOLUME_CACHE_INFO],
        body: volume_cache_info,
    },
    Check {
        name: "volume_cache_pdc_update",
        summary: "physical disk cache set ENABLED then DISABLED reads back",
        requires: &[
            C::VOLUME_CACHE_INFO,
            C::VOLUME_PHYSICAL_DISK_CACHE_UPDATE,
            C::VOLUME_CREATE,
            C::VOLUME_DELETE,
        ],
        body: volume_cache_pdc_update,
    },
    Check {
        name: "volume_cache_wcp_update",
        summary: "each supported write cache policy (WB, AUTO, WT) reads back",
        requires: &[C::VOLUME_CACHE_INFO, C::VOLUME_CREATE, C::VOLUME_DELETE],
        body: volume_cache_wcp_update,
    },
    Check {
        name: "volume_cache_rcp_update",
        summary: "read cache policy DISABLED then ENABLED reads back, status follows",
        requires: &[
            C::VOLUME_CACHE_INFO,
            C::VOLUME_READ_CACHE_POLICY_UPDATE,
            C::VOLUME_CREATE,
            C::VOLUME_DELETE,
        ],
        body: volume_cache_rcp_update,
    },
];

fn volume_raid_info(ctx: &mut Ctx) -> CheckResult {
    let volume = ctx.any_volume()?;
    let info = ctx
        .client
        .volume_raid_info(&volume)
        .during("volume_raid_info")?;
    ensure!(
        info.raid_type.is_known(),
        "volume {} has unknown RAID type {:?}",
        volume.id,
        info.raid_type
    );
    ensure!(
        info.strip_size >= 0
            && info.disk_count >= 0
            && info.min_io_size >= 0
            && info.opt_io_size >= 0,
        "volume {} has negative RAID info {info:?}",
        volume.id
    );
    ctx.note(format!("{}: {info:?}", volume.id));
    if ctx.supports_all(&[C::VOLUME_CREATE, C::VOLUME_DELETE]) {
        ctx.delete_volume(&volume)?;
        expect_error(
            ctx.client.volume_raid_info(&volume),
            ErrorNumber::NOT_FOUND_VOLUME,
            "volume_raid_info of a deleted volume",
        )?;
    }
    Ok(())
}

fn pool_member_info(ctx: &mut Ctx) -> CheckResult {
    let pools = ctx.client.pools(None).during("pools")?;
    let disks: Option<Vec<String>> = if ctx.supports(C::DISKS) {
        Some(
            ctx.client
                .disks(None)
                .during("disks")?
                .into_iter()
                .map(|d| d.id)
                .collect(),
        )
    } else {
        None
    };
    for pool in &pools {
        let info = ctx
            .client
            .pool_member_info(pool)
            .during(&format!("pool_member_info({})", pool.id))?;
        ensure!(
            info.raid_type.is_known(),
            "pool {} has unknown RAID type {:?}",
            pool.id,
            info.raid_type
        );
        ensure!(
            info.member_type.is_known(),
            "pool {} has unknown member type {:?}",
            pool.id,
            info.member_type
        );
        for member in &info.member_ids {
            if info.member_type == MemberType::DISK {
                if let Some(disks) = &disks {
                    ensure!(
                        disks.contains(member),
                        "pool {} has member disk {member}, which disks() does not list",
                        pool.id
                    );
                }
            } else if info.member_type == MemberType::POOL {
                ensure!(
                    member != &pool.id && pools.iter().any(|p| &p.id == member),
                    "pool {} has member pool {member}, not another listed pool",
                    pool.id
                );
            }
        }
        if info.member_type == MemberType::DISK || info.member_type == MemberType::POOL {
            ensure!(
                !info.member_ids.is_empty(),
                "pool {} has member type {:?} but no member ids",
                pool.id,
                info.member_type
            );
        }
    }
    Ok(())
}

fn volume_raid_create_cap_get(ctx: &mut Ctx) -> CheckResult {
    let system = ctx.system.clone();
    let cap = ctx
        .client
        .volume_raid_create_cap_get(&system)
        .during("volume_raid_create_cap_get")?;
    ensure!(
        !cap.raid_types.is_empty(),
        "volume_raid_create_cap_get lists no RAID type"
    );
    for raid_type in &cap.raid_types {
        ensure!(
            raid_type.is_known() && *raid_type != RaidType::UNKNOWN,
            "volume_raid_create_cap_get lists RAID type {raid_type:?}"
        );
    }
    for strip in &cap.strip_sizes {
        ensure!(
            *strip >= 0,
            "volume_raid_create_cap_get lists strip size {strip}"
        );
    }
    ctx.note(format!("{cap:?}"));
    Ok(())
}

/// What to build a RAID volume from.
struct RaidPlan {
    raid_type: RaidType,
    disks: Vec<Disk>,
    strip_size: i64,
}

/// Picks a supported RAID type and enough free disks of one kind and size;
/// skips when the system has none.
fn plan_raid(ctx: &mut Ctx) -> CheckResult<RaidPlan> {
    let system = ctx.system.clone();
    let cap = ctx
        .client
        .volume_raid_create_cap_get(&system)
        .during("volume_raid_create_cap_get")?;
    let mut groups: BTreeMap<(i64, i64), Vec<Disk>> = BTreeMap::new();
    for disk in ctx.client.disks(None).during("disks")? {
        if disk.system_id == system.id && disk.status.contains(DiskStatus::FREE) {
            groups
                .entry((disk.disk_type.0, disk.size_bytes()))
                .or_default()
                .push(disk);
        }
    }
    let wanted = [
        (RaidType::RAID1, 2),
        (RaidType::RAID0, 2),
        (RaidType::RAID5, 3),
        (RaidType::RAID10, 4),
        (RaidType::RAID6, 4),
        (RaidType::RAID50, 6),
        (RaidType::RAID60, 8),
    ];
    let strip_size = cap
        .strip_sizes
        .iter()
        .copied()
        .find(|s| *s > 0)
        .unwrap_or(0);
    for (raid_type, count) in wanted {
        if !cap.raid_types.contains(&raid_type) {
            continue;
        }
        if let Some(group) = groups.values().find(|g| g.len() >= count) {
            return Ok(RaidPlan {
                raid_type,
                disks: group[..count].to_vec(),
                strip_size,
            });
        }
    }
    skip!(
        "no supported RAID type ({:?}) has enough free disks of one kind",
        cap.raid_types
    )
}

/// Builds the planned RAID volume (recorded for cleanup).
fn raid_create(ctx: &mut Ctx, plan: &RaidPlan) -> CheckResult<Volume> {
    let name = ctx.unique_name();
    ctx.push_undo(Undo::Volume {
        name: name.clone(),
        known: None,
    });
    let volume = ctx
        .client
        .volume_raid_create(&name, plan.raid_type, &plan.disks, plan.strip_size)
        .during(&format!(
            "volume_raid_create({:?}, {} disks, strip {})",
            plan.raid_type,
            plan.disks.len(),
            plan.strip_size
        ))?;
    ctx.learn_undo(Undo::Volume {
        name: name.clone(),
        known: Some(volume.clone()),
    });
    ensure!(
        volume.name == name,
        "RAID volume is named {:?}, asked for {name:?}",
        volume.name
    );
    Ok(volume)
}

/// The ids among `ids` whose disks are (not) free.
fn disks_free(ctx: &mut Ctx, ids: &[String]) -> CheckResult<Vec<(String, bool)>> {
    let disks = ctx.client.disks(None).during("disks")?;
    Ok(ids
        .iter()
        .map(|id| {
            let free = disks
                .iter()
                .find(|d| &d.id == id)
                .is_some_and(|d| d.status.contains(DiskStatus::FREE));
            (id.clone(), free)
        })
        .collect())
}

fn volume_raid_create(ctx: &mut Ctx) -> CheckResult {
    let plan = plan_raid(ctx)?;
    let ids: Vec<String> = plan.disks.iter().map(|d| d.id.clone()).collect();
    let volume = raid_create(ctx, &plan)?;
    ensure!(
        ctx.find_volume(&volume.id)?.is_some(),
        "RAID volume {} is not listed",
        volume.id
    );
    let still_free: Vec<String> = disks_free(ctx, &ids)?
        .into_iter()
        .filter(|(_, free)| *free)
        .map(|(id, _)| id)
        .collect();
    ensure!(
        still_free.is_empty(),
        "disks {still_free:?} are still FREE after building RAID volume {} on them",
        volume.id
    );
    ctx.delete_volume(&volume)?;
    ensure!(
        ctx.find_volume(&volume.id)?.is_none(),
        "RAID volume {} is still listed after delete",
        volume.id
    );
    let not_freed: Vec<String> = disks_free(ctx, &ids)?
        .into_iter()
        .filter(|(_, free)| !*free)
        .map(|(id, _)| id)
        .collect();
    ensure!(
        not_freed.is_empty(),
        "disks {not_freed:?} are not FREE again after deleting RAID volume {}",
        volume.id
    );
    ctx.note(format!("{:?} on {ids:?}", plan.raid_type));
    Ok(())
}

fn raid_create_raid_info(ctx: &mut Ctx) -> CheckResult {
    let plan = plan_raid(ctx)?;
    let volume = raid_create(ctx, &plan)?;
    let info = ctx
        .client
        .volume_raid_info(&volume)
        .during("volume_raid_info of the RAID volume")?;
    ensure!(
        info.raid_type == plan.raid_type,
        "RAID volume {} reports {:?}, made as {:?}",
        volume.id,
        info.raid_type,
        plan.raid_type
    );
    ensure!(
        info.disk_count == plan.disks.len() as i64,
        "RAID volume {} reports {} disks, made of {}",
        volume.id,
        info.disk_count,
        plan.disks.len()
    );
    if plan.strip_size > 0 {
        ensure!(
            info.strip_size == plan.strip_size,
            "RAID volume {} reports strip size {}, made with {}",
            volume.id,
            info.strip_size,
            plan.strip_size
        );
    }
    Ok(())
}

fn volume_ident_led_on(ctx: &mut Ctx) -> CheckResult {
    let volume = ctx.any_volume()?;
    ctx.client
        .volume_ident_led_on(&volume)
        .during("volume_ident_led_on")?;
    ok_or_no_state_change(
        ctx.client.volume_ident_led_off(&volume),
        "volume_ident_led_off after on",
    )
}

fn volume_ident_led_off(ctx: &mut Ctx) -> CheckResult {
    let volume = ctx.any_volume()?;
    ok_or_no_state_change(
        ctx.client.volume_ident_led_off(&volume),
        "volume_ident_led_off",
    )
}

fn cache_info(ctx: &mut Ctx, volume: &Volume) -> CheckResult<VolumeCacheInfo> {
    let info = ctx
        .client
        .volume_cache_info(volume)
        .during("volume_cache_info")?;
    let wcp = [
        WriteCachePolicy::UNKNOWN,
        WriteCachePolicy::WRITE_BACK,
        WriteCachePolicy::AUTO,
        WriteCachePolicy::WRITE_THROUGH,
    ];
    let wcs = [
        WriteCacheStatus::UNKNOWN,
        WriteCacheStatus::WRITE_BACK,
        WriteCacheStatus::WRITE_THROUGH,
    ];
    let rc = [
        ReadCachePolicy::UNKNOWN,
        ReadCachePolicy::ENABLED,
        ReadCachePolicy::DISABLED,
    ];
    let pdc = [
        PhysicalDiskCache::UNKNOWN,
        PhysicalDiskCache::ENABLED,
        PhysicalDiskCache::DISABLED,
        PhysicalDiskCache::USE_DISK_SETTING,
    ];
    ensure!(
        wcp.contains(&info.write_cache_policy)
            && wcs.contains(&info.write_cache_status)
            && rc.contains(&info.read_cache_policy)
            && rc.contains(&info.read_cache_status)
            && pdc.contains(&info.physical_disk_cache),
        "volume_cache_info({}) has a value out of range: {info:?}",
        volume.id
    );
    Ok(info)
}

fn volume_cache_info(ctx: &mut Ctx) -> CheckResult {
    let volume = ctx.any_volume()?;
    let info = cache_info(ctx, &volume)?;
    ctx.note(format!("{}: {info:?}", volume.id));
    Ok(())
}

fn volume_cache_pdc_update(ctx: &mut Ctx) -> CheckResult {
    let volume = ctx.scratch_volume()?;
    for pdc in [PhysicalDiskCache::ENABLED, PhysicalDiskCache::DISABLED] {
        ctx.client
            .volume_physical_disk_cache_update(&volume, pdc)
            .during(&format!("volume_physical_disk_cache_update({pdc:?})"))?;
        let info = cache_info(ctx, &volume)?;
        ensure!(
            info.physical_disk_cache == pdc,
            "physical disk cache is {:?} after setting {pdc:?}",
            info.physical_disk_cache
        );
    }
    Ok(())
}

fn volume_cache_wcp_update(ctx: &mut Ctx) -> CheckResult {
    let policies: Vec<WriteCachePolicy> = [
        (
            C::VOLUME_WRITE_CACHE_POLICY_UPDATE_WRITE_BACK,
            WriteCachePolicy::WRITE_BACK,
        ),
        (
            C::VOLUME_WRITE_CACHE_POLICY_UPDATE_AUTO,
            WriteCachePolicy::AUTO,
        ),
        (
            C::VOLUME_WRITE_CACHE_POLICY_UPDATE_WRITE_THROUGH,
            WriteCachePolicy::WRITE_THROUGH,
        ),
    ]
    .into_iter()
    .filter(|(cap, _)| ctx.supports(*cap))
    .map(|(_, policy)| policy)
    .collect();
    if policies.is_empty() {
        skip!("no VOLUME_WRITE_CACHE_POLICY_UPDATE_* capability is supported");
    }
    let volume = ctx.scratch_volume()?;
    for wcp in policies {
        ctx.client
            .volume_write_cache_policy_update(&volume, wcp)
            .during(&format!("volume_write_cache_policy_update({wcp:?})"))?;
        let info = cache_info(ctx, &volume)?;
        ensure!(
            info.write_cache_policy == wcp,
            "write cache policy is {:?} after setting {wcp:?}",
            info.write_cache_policy
        );
        if wcp == WriteCachePolicy::WRITE_THROUGH {
            ensure!(
                info.write_cache_status == WriteCacheStatus::WRITE_THROUGH,
                "write cache status is {:?} with policy WRITE_THROUGH",
                info.write_cache_status
            );
        }
    }
    Ok(())
}

fn volume_cache_rcp_update(ctx: &mut Ctx) -> CheckResult {
    let volume = ctx.scratch_volume()?;
    for rcp in [ReadCachePolicy::DISABLED, ReadCachePolicy::ENABLED] {
        ctx.client
            .volume_read_cache_policy_update(&volume, rcp)
            .during(&format!("volume_read_cache_policy_update({rcp:?})"))?;
        let info = cache_info(ctx, &volume)?;
        ensure!(
            info.read_cache_policy == rcp,
            "read cache policy is {:?} after setting {rcp:?}",
            info.read_cache_policy
        );
        if rcp == ReadCachePolicy::DISABLED {
            ensure!(
                info.read_cache_status == ReadCachePolicy::DISABLED,
                "read cache status is {:?} with the policy DISABLED",
                info.read_cache_status
            );
        }
    }
    Ok(())
}
