//! Volume checks: create/delete (default and thin provisioning), resize,
//! replication of each type, block-range replication, enable/disable and
//! child dependencies. Each asserts what the array shows afterwards (listed,
//! sizes as asked, ids stable, gone after delete), not just "no error".

use lsm_core::validate::vpd83_is_valid;
use lsm_core::{
    BlockRange, Capability as C, Pool, PoolElementType, PoolUnsupportedActions, Provisioning,
    ReplicationType, System, Volume, VolumeAdminState,
};

use crate::ctx::Ctx;
use crate::expect::{CheckError, CheckResult, During, expect_refusal};
use crate::fixtures::{MIB, OBJECT_SIZE};
use crate::harness::Check;

/// The volume checks.
pub const CHECKS: &[Check] = &[
    Check {
        name: "volume_create_delete",
        summary: "a 512 MiB volume is created as asked, listed, then deleted and gone",
        requires: &[C::VOLUMES, C::VOLUME_CREATE, C::VOLUME_DELETE],
        body: volume_create_delete,
    },
    Check {
        name: "volume_create_thin",
        summary: "a thin volume is created as asked and listed",
        requires: &[
            C::VOLUMES,
            C::VOLUME_CREATE,
            C::VOLUME_DELETE,
            C::VOLUME_THIN,
        ],
        body: volume_create_thin,
    },
    Check {
        name: "volume_resize",
        summary: "growing a volume by 16 MiB keeps its id and grows it",
        requires: &[
            C::VOLUMES,
            C::VOLUME_CREATE,
            C::VOLUME_DELETE,
            C::VOLUME_RESIZE,
        ],
        body: volume_resize,
    },
    Check {
        name: "volume_replicate_clone",
        summary: "a CLONE replica (same pool) is a new volume of the source's size",
        requires: &[
            C::VOLUMES,
            C::VOLUME_CREATE,
            C::VOLUME_DELETE,
            C::VOLUME_REPLICATE_CLONE,
        ],
        body: |ctx| replicate(ctx, ReplicationType::CLONE, false),
    },
    Check {
        name: "volume_replicate_copy",
        summary: "a COPY replica (pool given) is a new volume of the source's size",
        requires: &[
            C::VOLUMES,
            C::VOLUME_CREATE,
            C::VOLUME_DELETE,
            C::VOLUME_REPLICATE_COPY,
        ],
        body: |ctx| replicate(ctx, ReplicationType::COPY, true),
    },
    Check {
        name: "volume_replicate_mirror_async",
        summary: "a MIRROR_ASYNC replica is a new volume of the source's size",
        requires: &[
            C::VOLUMES,
            C::VOLUME_CREATE,
            C::VOLUME_DELETE,
            C::VOLUME_REPLICATE_MIRROR_ASYNC,
        ],
        body: |ctx| replicate(ctx, ReplicationType::MIRROR_ASYNC, true),
    },
    Check {
        name: "volume_replicate_mirror_sync",
        summary: "a MIRROR_SYNC replica is a new volume of the source's size",
        requires: &[
            C::VOLUMES,
            C::VOLUME_CREATE,
            C::VOLUME_DELETE,
            C::VOLUME_REPLICATE_MIRROR_SYNC,
        ],
        body: |ctx| replicate(ctx, ReplicationType::MIRROR_SYNC, true),
    },
    Check {
        name: "volume_replicate_range_block_size",
        summary: "the range block size is positive; an unknown system is refused",
        requires: &[C::VOLUME_COPY_RANGE_BLOCK_SIZE],
        body: volume_replicate_range_block_size,
    },
    Check {
        name: "volume_replicate_range_clone",
        summary: "CLONE block ranges copy between volumes and within one; overlaps are refused",
        requires: &[
            C::VOLUME_CREATE,
            C::VOLUME_DELETE,
            C::VOLUME_COPY_RANGE,
            C::VOLUME_COPY_RANGE_BLOCK_SIZE,
            C::VOLUME_COPY_RANGE_CLONE,
        ],
        body: |ctx| replicate_range(ctx, ReplicationType::CLONE),
    },
    Check {
        name: "volume_replicate_range_copy",
        summary: "COPY block ranges copy between volumes and within one; overlaps are refused",
        requires: &[
            C::VOLUME_CREATE,
            C::VOLUME_DELETE,
            C::VOLUME_COPY_RANGE,
            C::VOLUME_COPY_RANGE_BLOCK_SIZE,
            C::VOLUME_COPY_RANGE_COPY,
        ],
        body: |ctx| replicate_range(ctx, ReplicationType::COPY),
    },
    Check {
        name: "volume_enable_disable",
        summary: "disable then enable a volume; the listing shows each admin state",
        requires: &[
            C::VOLUMES,
            C::VOLUME_CREATE,
            C::VOLUME_DELETE,
            C::VOLUME_ENABLE,
            C::VOLUME_DISABLE,
        ],
        body: volume_enable_disable,
    },
    Check {
        name: "volume_child_dependency",
        summary: "a replica makes its source dependent; dependency_rm makes it independent",
        requires: &[
            C::VOLUMES,
            C::VOLUME_CREATE,
            C::VOLUME_DELETE,
            C::VOLUME_CHILD_DEPENDENCY,
        ],
        body: volume_child_dependency,
    },
];

/// A volume just made must be what was asked and be listed as returned.
fn check_new_volume(
    ctx: &mut Ctx,
    volume: &Volume,
    name: &str,
    pool: &Pool,
    size: i64,
) -> CheckResult {
    ensure!(
        volume.name == name,
        "volume {} is named {:?}, asked for {name:?}",
        volume.id,
        volume.name
    );
    ensure!(
        volume.pool_id == pool.id,
        "volume {} is in pool {}, asked for {}",
        volume.id,
        volume.pool_id,
        pool.id
    );
    ensure!(
        volume.system_id == pool.system_id,
        "volume {} belongs to system {}, its pool to {}",
        volume.id,
        volume.system_id,
        pool.system_id
    );
    ensure!(
        volume.size_bytes() >= size,
        "volume {} has {} bytes, asked for {size}",
        volume.id,
        volume.size_bytes()
    );
    ensure!(
        vpd83_is_valid(&volume.vpd83),
        "volume {} has an invalid vpd83 {:?}",
        volume.id,
        volume.vpd83
    );
    ensure!(
        volume.admin_state == VolumeAdminState::ENABLED,
        "new volume {} is not enabled ({:?})",
        volume.id,
        volume.admin_state
    );
    let Some(listed) = ctx.find_volume(&volume.id)? else {
        fail!("new volume {} is not listed by volumes()", volume.id);
    };
    ensure!(
        listed.name == volume.name
            && listed.pool_id == volume.pool_id
            && listed.size_bytes() == volume.size_bytes()
            && listed.vpd83 == volume.vpd83,
        "volume {} is listed as {listed:?} but was returned as {volume:?}",
        volume.id
    );
    if volume.size_bytes() != size {
        ctx.note(format!(
            "asked {size} bytes, got {} (rounded by the array)",
            volume.size_bytes()
        ));
    }
    Ok(())
}

fn volume_create_delete(ctx: &mut Ctx) -> CheckResult {
    let pool = ctx.volume_pool()?;
    let name = ctx.unique_name();
    let volume = ctx.create_volume_with(&pool, &name, OBJECT_SIZE, Provisioning::DEFAULT)?;
    check_new_volume(ctx, &volume, &name, &pool, OBJECT_SIZE)?;
    ctx.delete_volume(&volume)?;
    ensure!(
        ctx.find_volume(&volume.id)?.is_none(),
        "volume {} is still listed after volume_delete",
        volume.id
    );
    let same_name = ctx
        .client
        .volumes(None)
        .during("volumes")?
        .into_iter()
        .any(|v| v.name == name);
    ensure!(
        !same_name,
        "a volume named {name} is still listed after delete"
    );
    Ok(())
}

fn volume_create_thin(ctx: &mut Ctx) -> CheckResult {
    let pool = match ctx.pool_for(
        PoolElementType::VOLUME_THIN,
        PoolUnsupportedActions::empty(),
    ) {
        Ok(pool) => pool,
        Err(CheckError::Skipped(_)) => ctx.volume_pool()?,
        Err(failed) => return Err(failed),
    };
    let name = ctx.unique_name();
    let volume = ctx.create_volume_with(&pool, &name, OBJECT_SIZE, Provisioning::THIN)?;
    check_new_volume(ctx, &volume, &name, &pool, OBJECT_SIZE)
}

fn volume_resize(ctx: &mut Ctx) -> CheckResult {
    let pool = ctx.pool_for(PoolElementType::VOLUME, PoolUnsupportedActions::VOLUME_GROW)?;
    let volume = ctx.create_volume(&pool)?;
    let wanted = volume.size_bytes() + 16 * MIB;
    let started = ctx.client.volume_resize(&volume, wanted);
    let resized = ctx.wait(started, "volume_resize")?;
    ctx.learn_undo(crate::cleanup::Undo::Volume {
        name: volume.name.clone(),
        known: Some(resized.clone()),
    });
    ensure!(
        resized.id == volume.id,
        "volume_resize returned id {}, the volume is {}",
        resized.id,
        volume.id
    );
    ensure!(
        resized.size_bytes() >= wanted,
        "volume {} has {} bytes after growing to {wanted}",
        volume.id,
        resized.size_bytes()
    );
    let Some(listed) = ctx.find_volume(&volume.id)? else {
        fail!("volume {} is not listed after resize", volume.id);
    };
    ensure!(
        listed.size_bytes() == resized.size_bytes(),
        "volume {} is listed with {} bytes, resize returned {}",
        volume.id,
        listed.size_bytes(),
        resized.size_bytes()
    );
    Ok(())
}

fn replicate(ctx: &mut Ctx, rep_type: ReplicationType, explicit_pool: bool) -> CheckResult {
    let pool = ctx.volume_pool()?;
    let source = ctx.create_volume(&pool)?;
    let name = ctx.unique_name();
    let target_pool = explicit_pool.then_some(&pool);
    let replica = ctx.replicate_volume_named(target_pool, rep_type, &source, &name)?;
    ensure!(
        replica.id != source.id,
        "the {rep_type:?} replica has the source's id {}",
        source.id
    );
    check_new_volume(ctx, &replica, &name, &pool, source.size_bytes())?;
    let Some(still) = ctx.find_volume(&source.id)? else {
        fail!("source volume {} vanished after replication", source.id);
    };
    ensure!(
        still.size_bytes() == source.size_bytes() && still.name == source.name,
        "source volume changed after replication: {still:?}"
    );
    Ok(())
}

fn range_block_size(ctx: &mut Ctx) -> CheckResult<i64> {
    let system = ctx.system.clone();
    let size = ctx
        .client
        .volume_replicate_range_block_size(&system)
        .during("volume_replicate_range_block_size")?;
    ensure!(size > 0, "volume_replicate_range_block_size is {size}");
    Ok(size)
}

fn volume_replicate_range_block_size(ctx: &mut Ctx) -> CheckResult {
    let size = range_block_size(ctx)?;
    ctx.note(format!("range block size {size}"));
    let bogus = System {
        id: "lsmrs-unknown-system-99999".to_string(),
        ..ctx.system.clone()
    };
    let code = expect_refusal(
        ctx.client.volume_replicate_range_block_size(&bogus),
        "volume_replicate_range_block_size of an unknown system",
    )?;
    ctx.note(format!("unknown system refused with {code:?}"));
    Ok(())
}

fn replicate_range(ctx: &mut Ctx, rep_type: ReplicationType) -> CheckResult {
    let block = range_block_size(ctx)?;
    let pool = ctx.volume_pool()?;
    let source = ctx.create_volume(&pool)?;
    let dest = ctx.create_volume(&pool)?;
    let blocks = source.size_bytes() / block;
    ensure!(
        blocks >= 1024,
        "a {} byte volume holds only {blocks} blocks of {block}",
        source.size_bytes()
    );
    let range = |src_block, dest_block, block_count| BlockRange {
        src_block,
        dest_block,
        block_count,
    };
    let between = [range(0, 0, 10), range(100, 200, 10)];
    let started = ctx
        .client
        .volume_replicate_range(rep_type, &source, &dest, &between);
    ctx.wait(started, "volume_replicate_range between two volumes")?;
    // Within one volume, as the reference does: blocks 0..10 to 512..522.
    let within = [range(0, 512, 10)];
    let started = ctx
        .client
        .volume_replicate_range(rep_type, &source, &source, &within);
    ctx.wait(started, "volume_replicate_range within one volume")?;
    let overlapping = [range(0, 0, 10), range(20, 5, 10)];
    let refused = ctx
        .client
        .volume_replicate_range(rep_type, &source, &dest, &overlapping)
        .and_then(|started| ctx.client.wait_done(started));
    let code = expect_refusal(
        refused,
        "volume_replicate_range with overlapping destinations",
    )?;
    ctx.note(format!("overlapping ranges refused with {code:?}"));
    Ok(())
}

fn admin_state_of(ctx: &mut Ctx, volume: &Volume) -> CheckResult<VolumeAdminState> {
    match ctx.find_volume(&volume.id)? {
        Some(listed) => Ok(listed.admin_state),
        None => fail!("volume {} is not listed", volume.id),
    }
}

fn volume_enable_disable(ctx: &mut Ctx) -> CheckResult {
    let volume = ctx.scratch_volume()?;
    ctx.client
        .volume_disable(&volume)
        .during("volume_disable")?;
    let state = admin_state_of(ctx, &volume)?;
    ensure!(
        state == VolumeAdminState::DISABLED,
        "volume {} is {state:?} after volume_disable",
        volume.id
    );
    ctx.client.volume_enable(&volume).during("volume_enable")?;
    let state = admin_state_of(ctx, &volume)?;
    ensure!(
        state == VolumeAdminState::ENABLED,
        "volume {} is {state:?} after volume_enable",
        volume.id
    );
    Ok(())
}

fn volume_child_dependency(ctx: &mut Ctx) -> CheckResult {
    let rep_type = if ctx.supports(C::VOLUME_REPLICATE_CLONE) {
        ReplicationType::CLONE
    } else if ctx.supports(C::VOLUME_REPLICATE_COPY) {
        ReplicationType::COPY
    } else {
        skip!("neither VOLUME_REPLICATE_CLONE nor VOLUME_REPLICATE_COPY is supported");
    };
    let source = ctx.scratch_volume()?;
    let before = ctx
        .client
        .volume_child_dependency(&source)
        .during("volume_child_dependency of a new volume")?;
    ensure!(
        !before,
        "a new volume {} reports a child dependency",
        source.id
    );
    let replica = ctx.replicate_volume(None, rep_type, &source)?;
    let after = ctx
        .client
        .volume_child_dependency(&source)
        .during("volume_child_dependency after replication")?;
    ensure!(
        after,
        "volume {} reports no child dependency after a {rep_type:?} replica",
        source.id
    );
    if !ctx.supports(C::VOLUME_CHILD_DEPENDENCY_RM) {
        ctx.note("VOLUME_CHILD_DEPENDENCY_RM unsupported: dependency removal not checked");
        return Ok(());
    }
    let started = ctx.client.volume_child_dependency_rm(&source);
    ctx.wait(started, "volume_child_dependency_rm")?;
    let cleared = ctx
        .client
        .volume_child_dependency(&source)
        .during("volume_child_dependency after dependency_rm")?;
    ensure!(
        !cleared,
        "volume {} still reports a child dependency after dependency_rm",
        source.id
    );
    ctx.delete_volume(&source)?;
    ensure!(
        ctx.find_volume(&replica.id)?.is_some(),
        "replica {} vanished with its source after dependency_rm",
        replica.id
    );
    Ok(())
}
