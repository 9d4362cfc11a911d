//! Error checks: every "typical use" of protocol §5 (NAME_CONFLICT,
//! EXISTS_INITIATOR, IS_MASKED, HAS_CHILD_DEPENDENCY,
//! LAST_INIT_IN_ACCESS_GROUP, NO_STATE_CHANGE, NOT_ENOUGH_SPACE, NOT_FOUND_*
//! for unknown ids of each kind), DISK_NOT_FREE, and invalid inputs refused
//! with INVALID_ARGUMENT. Each also checks nothing was left half-made.

use std::fmt::Debug;

use lsm_core::client::JobOutput;
use lsm_core::params;
use lsm_core::{
    AccessGroup, Capability as C, ChapAuth, ChapCredentials, Completion, Disk, DiskStatus,
    ErrorNumber, ExportRequest, FileSystem, FsSnapshot, InitiatorType, NfsExport,
    PhysicalDiskCache, Pool, PoolElementType, Provisioning, RaidType, ReadCachePolicy,
    ReplicationType, SnapshotRestore, System, Volume, VolumeAdminState, WriteCachePolicy,
};

use crate::cleanup::Undo;
use crate::ctx::Ctx;
use crate::expect::{CheckResult, During, expect_error};
use crate::fixtures::{GIB, OBJECT_SIZE};
use crate::harness::Check;

/// The error checks.
pub const CHECKS: &[Check] = &[
    Check {
        name: "volume_name_conflict",
        summary: "a second volume with the same name is NAME_CONFLICT",
        requires: &[C::VOLUMES, C::VOLUME_CREATE, C::VOLUME_DELETE],
        body: volume_name_conflict,
    },
    Check {
        name: "access_group_name_conflict",
        summary: "a second access group with the same name (iSCSI and WWPN) is NAME_CONFLICT",
        requires: &[C::ACCESS_GROUPS, C::ACCESS_GROUP_DELETE],
        body: access_group_name_conflict,
    },
    Check {
        name: "access_group_exists_initiator",
        summary: "an initiator already in another group is EXISTS_INITIATOR (create and add)",
        requires: &[
            C::ACCESS_GROUPS,
            C::ACCESS_GROUP_CREATE_ISCSI_IQN,
            C::ACCESS_GROUP_DELETE,
        ],
        body: access_group_exists_initiator,
    },
    Check {
        name: "volume_delete_masked",
        summary: "deleting a masked volume is IS_MASKED; after unmask it deletes",
        requires: &[
            C::VOLUMES,
            C::ACCESS_GROUPS,
            C::ACCESS_GROUP_CREATE_ISCSI_IQN,
            C::ACCESS_GROUP_DELETE,
            C::VOLUME_CREATE,
            C::VOLUME_DELETE,
            C::VOLUME_MASK,
            C::VOLUME_UNMASK,
        ],
        body: volume_delete_masked,
    },
    Check {
        name: "access_group_delete_masked",
        summary: "deleting an access group with a masked volume is IS_MASKED; after unmask it deletes",
        requires: &[
            C::ACCESS_GROUPS,
            C::ACCESS_GROUP_CREATE_ISCSI_IQN,
            C::ACCESS_GROUP_DELETE,
            C::VOLUME_CREATE,
            C::VOLUME_DELETE,
            C::VOLUME_MASK,
            C::VOLUME_UNMASK,
        ],
        body: access_group_delete_masked,
    },
    Check {
        name: "volume_delete_with_child",
        summary: "deleting a volume with a clone is HAS_CHILD_DEPENDENCY",
        requires: &[
            C::VOLUMES,
            C::VOLUME_CREATE,
            C::VOLUME_DELETE,
            C::VOLUME_REPLICATE_CLONE,
            C::VOLUME_CHILD_DEPENDENCY,
        ],
        body: volume_delete_with_child,
    },
    Check {
        name: "fs_delete_with_clone",
        summary: "deleting a file system with a clone is HAS_CHILD_DEPENDENCY",
        requires: &[
            C::FS,
            C::FS_CREATE,
            C::FS_DELETE,
            C::FS_CLONE,
            C::FS_CHILD_DEPENDENCY,
        ],
        body: fs_delete_with_clone,
    },
    Check {
        name: "access_group_last_initiator",
        summary: "removing the last initiator of a group is LAST_INIT_IN_ACCESS_GROUP",
        requires: &[
            C::ACCESS_GROUPS,
            C::ACCESS_GROUP_CREATE_ISCSI_IQN,
            C::ACCESS_GROUP_DELETE,
            C::ACCESS_GROUP_INITIATOR_DELETE,
        ],
        body: access_group_last_initiator,
    },
    Check {
        name: "volume_enable_no_state_change",
        summary: "enabling an enabled (disabling a disabled) volume is NO_STATE_CHANGE",
        requires: &[
            C::VOLUMES,
            C::VOLUME_CREATE,
            C::VOLUME_DELETE,
            C::VOLUME_ENABLE,
        ],
        body: volume_enable_no_state_change,
    },
    Check {
        name: "volume_resize_same_size",
        summary: "resizing a volume to its own size is NO_STATE_CHANGE",
        requires: &[
            C::VOLUMES,
            C::VOLUME_CREATE,
            C::VOLUME_DELETE,
            C::VOLUME_RESIZE,
        ],
        body: volume_resize_same_size,
    },
    Check {
        name: "volume_create_not_enough_space",
        summary: "a volume larger than the pool's free space is NOT_ENOUGH_SPACE, nothing made",
        requires: &[C::VOLUMES, C::VOLUME_CREATE, C::VOLUME_DELETE],
        body: volume_create_not_enough_space,
    },
    Check {
        name: "fs_create_not_enough_space",
        summary: "a file system larger than the pool's free space is NOT_ENOUGH_SPACE, nothing made",
        requires: &[C::FS, C::FS_CREATE, C::FS_DELETE],
        body: fs_create_not_enough_space,
    },
    Check {
        name: "not_found_volume",
        summary: "every volume call with an unknown volume id is NOT_FOUND_VOLUME",
        requires: &[],
        body: not_found_volume,
    },
    Check {
        name: "not_found_pool",
        summary: "creating in (or asking about) an unknown pool is NOT_FOUND_POOL",
        requires: &[],
        body: not_found_pool,
    },
    Check {
        name: "not_found_access_group",
        summary: "every access group call with an unknown group id is NOT_FOUND_ACCESS_GROUP",
        requires: &[],
        body: not_found_access_group,
    },
    Check {
        name: "not_found_fs",
        summary: "every file system call with an unknown fs id is NOT_FOUND_FS",
        requires: &[],
        body: not_found_fs,
    },
    Check {
        name: "not_found_fs_snapshot",
        summary: "snapshot calls with an unknown snapshot id are NOT_FOUND_FS_SS",
        requires: &[C::FS_CREATE, C::FS_DELETE],
        body: not_found_fs_snapshot,
    },
    Check {
        name: "not_found_nfs_export",
        summary: "removing an unknown export is NOT_FOUND_NFS_EXPORT",
        requires: &[C::EXPORT_REMOVE],
        body: not_found_nfs_export,
    },
    Check {
        name: "not_found_system",
        summary: "calls naming an unknown system are NOT_FOUND_SYSTEM",
        requires: &[],
        body: not_found_system,
    },
    Check {
        name: "not_found_disk",
        summary: "a RAID volume from unknown disks is NOT_FOUND_DISK, nothing made",
        requires: &[C::VOLUME_RAID_CREATE],
        body: not_found_disk,
    },
    Check {
        name: "not_found_job",
        summary: "job_status and job_free of an unknown job are NOT_FOUND_JOB",
        requires: &[],
        body: not_found_job,
    },
    Check {
        name: "volume_raid_create_disk_not_free",
        summary: "a RAID volume from disks already in use is DISK_NOT_FREE, nothing made",
        requires: &[C::VOLUME_RAID_CREATE, C::DISKS],
        body: volume_raid_create_disk_not_free,
    },
    Check {
        name: "invalid_volume_size",
        summary: "volume create/resize to 0 or a negative size is INVALID_ARGUMENT, nothing changed",
        requires: &[C::VOLUMES, C::VOLUME_CREATE, C::VOLUME_DELETE],
        body: invalid_volume_size,
    },
    Check {
        name: "invalid_fs_size",
        summary: "fs create/resize to 0 or a negative size is INVALID_ARGUMENT, nothing changed",
        requires: &[C::FS, C::FS_CREATE, C::FS_DELETE],
        body: invalid_fs_size,
    },
    Check {
        name: "invalid_initiator_id",
        summary: "malformed iSCSI names and WWPNs are INVALID_ARGUMENT, no group made",
        requires: &[],
        body: invalid_initiator_id,
    },
    Check {
        name: "invalid_read_cache_pct",
        summary: "a read cache percentage outside 0..=100 is INVALID_ARGUMENT",
        requires: &[],
        body: invalid_read_cache_pct,
    },
    Check {
        name: "invalid_cache_policy",
        summary: "cache policy values outside their sets are INVALID_ARGUMENT",
        requires: &[],
        body: invalid_cache_policy,
    },
    Check {
        name: "invalid_raid_disk_count",
        summary: "RAID member counts the type cannot take are INVALID_ARGUMENT",
        requires: &[],
        body: invalid_raid_disk_count,
    },
    Check {
        name: "invalid_chap_arguments",
        summary: "unpaired CHAP credentials, or outbound without inbound, are INVALID_ARGUMENT",
        requires: &[],
        body: invalid_chap_arguments,
    },
];

/// Runs an async call to its end: the error may come at once or from the job.
fn attempt<T: JobOutput>(
    ctx: &mut Ctx,
    started: lsm_core::Result<Completion<T>>,
) -> lsm_core::Result<T> {
    started.and_then(|completion| ctx.client.wait_done(completion))
}

fn unknown_id(kind: &str) -> String {
    format!("lsmrs-unknown-{kind}-99999")
}

fn unknown_system(ctx: &Ctx) -> System {
    System {
        id: unknown_id("system"),
        ..ctx.system.clone()
    }
}

fn unknown_pool(ctx: &Ctx) -> Pool {
    Pool {
        id: unknown_id("pool"),
        name: "lsmrs unknown pool".to_string(),
        element_type: PoolElementType::VOLUME | PoolElementType::FS,
        total_space: 100 * GIB,
        free_space: 100 * GIB,
        status: lsm_core::PoolStatus::OK,
        system_id: ctx.system.id.clone(),
        ..Pool::default()
    }
}

fn unknown_volume(ctx: &Ctx) -> Volume {
    Volume {
        id: unknown_id("volume"),
        name: "lsmrs unknown volume".to_string(),
        block_size: 512,
        num_of_blocks: OBJECT_SIZE / 512,
        admin_state: VolumeAdminState::ENABLED,
        system_id: ctx.system.id.clone(),
        pool_id: unknown_id("pool"),
        ..Volume::default()
    }
}

fn unknown_access_group(ctx: &Ctx) -> AccessGroup {
    AccessGroup {
        id: unknown_id("access-group"),
        name: "lsmrs unknown group".to_string(),
        init_ids: vec!["iqn.2024-01.org.lsm-rs:unknown".to_string()],
        init_type: InitiatorType::ISCSI_IQN,
        system_id: ctx.system.id.clone(),
        plugin_data: None,
    }
}

fn unknown_fs(ctx: &Ctx) -> FileSystem {
    FileSystem {
        id: unknown_id("fs"),
        name: "lsmrs unknown fs".to_string(),
        total_space: OBJECT_SIZE,
        free_space: OBJECT_SIZE,
        pool_id: unknown_id("pool"),
        system_id: ctx.system.id.clone(),
        plugin_data: None,
    }
}

fn unknown_snapshot() -> FsSnapshot {
    FsSnapshot {
        id: unknown_id("snapshot"),
        name: "lsmrs unknown snapshot".to_string(),
        ts: 1,
        plugin_data: None,
    }
}

fn unknown_disk(ctx: &Ctx, n: usize) -> Disk {
    Disk {
        id: format!("lsmrs-unknown-disk-{n:05}"),
        name: "lsmrs unknown disk".to_string(),
        block_size: 512,
        num_of_blocks: 1 << 30,
        status: DiskStatus::OK | DiskStatus::FREE,
        system_id: ctx.system.id.clone(),
        ..Disk::default()
    }
}

/// One call expected to fail with a given code when its capability holds.
struct Probe<'a> {
    cap: C,
    what: &'static str,
    call: Box<dyn FnOnce(&mut Ctx) -> CheckResult + 'a>,
}

fn probe<'a>(
    cap: C,
    what: &'static str,
    call: impl FnOnce(&mut Ctx) -> CheckResult + 'a,
) -> Probe<'a> {
    Probe {
        cap,
        what,
        call: Box::new(call),
    }
}

/// Runs each probe whose capability is supported; skips when none is.
fn run_probes(ctx: &mut Ctx, probes: Vec<Probe<'_>>) -> CheckResult {
    let mut ran = Vec::new();
    for Probe { cap, what, call } in probes {
        if ctx.supports(cap) {
            call(ctx)?;
            ran.push(what);
        }
    }
    if ran.is_empty() {
        skip!("no capability to try an unknown id with");
    }
    ctx.note(format!("tried: {}", ran.join(", ")));
    Ok(())
}

fn expect_code<T: Debug>(
    code: ErrorNumber,
    what: &str,
) -> impl FnOnce(lsm_core::Result<T>) -> CheckResult {
    let what = what.to_string();
    move |result| expect_error(result, code, &what)
}

fn count_named<T>(items: &[T], name: &str, name_of: fn(&T) -> &str) -> usize {
    items.iter().filter(|i| name_of(i) == name).count()
}

fn volumes_named(ctx: &mut Ctx, name: &str) -> CheckResult<usize> {
    let volumes = ctx.client.volumes(None).during("volumes")?;
    Ok(count_named(&volumes, name, |v| &v.name))
}

fn fs_named(ctx: &mut Ctx, name: &str) -> CheckResult<usize> {
    let filesystems = ctx.client.fs(None).during("fs")?;
    Ok(count_named(&filesystems, name, |f| &f.name))
}

fn groups_named(ctx: &mut Ctx, name: &str) -> CheckResult<usize> {
    let groups = ctx.client.access_groups(None).during("access_groups")?;
    Ok(count_named(&groups, name, |g| &g.name))
}

// ---------------------------------------------------------- typical uses

fn volume_name_conflict(ctx: &mut Ctx) -> CheckResult {
    let pool = ctx.volume_pool()?;
    let name = ctx.unique_name();
    ctx.create_volume_with(&pool, &name, OBJECT_SIZE, Provisioning::DEFAULT)?;
    let started = ctx
        .client
        .volume_create(&pool, &name, OBJECT_SIZE, Provisioning::DEFAULT);
    let second = attempt(ctx, started);
    expect_error(
        second,
        ErrorNumber::NAME_CONFLICT,
        "second volume_create with the same name",
    )?;
    let count = volumes_named(ctx, &name)?;
    ensure!(
        count == 1,
        "{count} volumes are named {name} after the conflict"
    );
    Ok(())
}

fn access_group_name_conflict(ctx: &mut Ctx) -> CheckResult {
    let mut variants = Vec::new();
    if ctx.supports(C::ACCESS_GROUP_CREATE_ISCSI_IQN) {
        variants.push(InitiatorType::ISCSI_IQN);
    }
    if ctx.supports(C::ACCESS_GROUP_CREATE_WWPN) {
        variants.push(InitiatorType::WWPN);
    }
    if variants.is_empty() {
        skip!("neither ACCESS_GROUP_CREATE_ISCSI_IQN nor ACCESS_GROUP_CREATE_WWPN is supported");
    }
    for init_type in variants {
        let mut initiator = || {
            if init_type == InitiatorType::WWPN {
                ctx.unique_wwpn()
            } else {
                ctx.unique_iqn()
            }
        };
        let (first, second) = (initiator(), initiator());
        let name = ctx.unique_name();
        ctx.create_access_group_named(&name, &first, init_type)?;
        let system = ctx.system.clone();
        let result = ctx
            .client
            .access_group_create(&name, &second, init_type, &system);
        if let Ok(group) = &result {
            ctx.push_undo(Undo::AccessGroup {
                name: name.clone(),
                known: Some(group.clone()),
            });
        }
        expect_error(
            result,
            ErrorNumber::NAME_CONFLICT,
            &format!("second access_group_create with the same name ({init_type:?})"),
        )?;
        let count = groups_named(ctx, &name)?;
        ensure!(
            count == 1,
            "{count} access groups are named {name} after the conflict"
        );
    }
    Ok(())
}

fn access_group_exists_initiator(ctx: &mut Ctx) -> CheckResult {
    let taken = ctx.unique_iqn();
    ctx.create_access_group(&taken, InitiatorType::ISCSI_IQN)?;
    let name = ctx.unique_name();
    ctx.push_undo(Undo::AccessGroup {
        name: name.clone(),
        known: None,
    });
    let system = ctx.system.clone();
    expect_error(
        ctx.client
            .access_group_create(&name, &taken, InitiatorType::ISCSI_IQN, &system),
        ErrorNumber::EXISTS_INITIATOR,
        "access_group_create with an initiator of another group",
    )?;
    let count = groups_named(ctx, &name)?;
    ensure!(
        count == 0,
        "access group {name} exists although its create was refused"
    );
    if ctx.supports(C::ACCESS_GROUP_INITIATOR_ADD_ISCSI_IQN) {
        let own = ctx.unique_iqn();
        let other = ctx.create_access_group(&own, InitiatorType::ISCSI_IQN)?;
        expect_error(
            ctx.client
                .access_group_initiator_add(&other, &taken, InitiatorType::ISCSI_IQN),
            ErrorNumber::EXISTS_INITIATOR,
            "access_group_initiator_add of an initiator of another group",
        )?;
        let Some(listed) = ctx.find_access_group(&other.id)? else {
            fail!("access group {} vanished", other.id);
        };
        ensure!(
            listed.init_ids == [own.clone()],
            "access group {} holds {:?} after a refused add, expected only {own}",
            other.id,
            listed.init_ids
        );
    }
    Ok(())
}

fn volume_delete_masked(ctx: &mut Ctx) -> CheckResult {
    let group = ctx.iqn_access_group()?;
    let volume = ctx.scratch_volume()?;
    ctx.mask(&group, &volume)?;
    let started = ctx.client.volume_delete(&volume);
    let refused = attempt(ctx, started);
    expect_error(
        refused,
        ErrorNumber::IS_MASKED,
        "volume_delete of a masked volume",
    )?;
    ensure!(
        ctx.find_volume(&volume.id)?.is_some(),
        "masked volume {} vanished although its delete was refused",
        volume.id
    );
    ctx.unmask(&group, &volume)?;
    ctx.delete_volume(&volume)
}

fn access_group_delete_masked(ctx: &mut Ctx) -> CheckResult {
    let group = ctx.iqn_access_group()?;
    let volume = ctx.scratch_volume()?;
    ctx.mask(&group, &volume)?;
    expect_error(
        ctx.client.access_group_delete(&group),
        ErrorNumber::IS_MASKED,
        "access_group_delete of a group with a masked volume",
    )?;
    ensure!(
        ctx.find_access_group(&group.id)?.is_some(),
        "access group {} vanished although its delete was refused",
        group.id
    );
    ctx.unmask(&group, &volume)?;
    ctx.delete_access_group(&group)
}

fn volume_delete_with_child(ctx: &mut Ctx) -> CheckResult {
    let source = ctx.scratch_volume()?;
    ctx.replicate_volume(None, ReplicationType::CLONE, &source)?;
    let dependent = ctx
        .client
        .volume_child_dependency(&source)
        .during("volume_child_dependency")?;
    if !dependent {
        skip!("the plugin reports no child dependency for a clone's source");
    }
    let started = ctx.client.volume_delete(&source);
    let refused = attempt(ctx, started);
    expect_error(
        refused,
        ErrorNumber::HAS_CHILD_DEPENDENCY,
        "volume_delete of a clone's source",
    )?;
    ensure!(
        ctx.find_volume(&source.id)?.is_some(),
        "source volume {} vanished although its delete was refused",
        source.id
    );
    Ok(())
}

fn fs_delete_with_clone(ctx: &mut Ctx) -> CheckResult {
    let source = ctx.scratch_fs()?;
    ctx.clone_fs(&source, None)?;
    let dependent = ctx
        .client
        .fs_child_dependency(&source, None)
        .during("fs_child_dependency")?;
    if !dependent {
        skip!("the plugin reports no child dependency for a cloned file system");
    }
    let started = ctx.client.fs_delete(&source);
    let refused = attempt(ctx, started);
    expect_error(
        refused,
        ErrorNumber::HAS_CHILD_DEPENDENCY,
        "fs_delete of a cloned file system",
    )?;
    ensure!(
        ctx.find_fs(&source.id)?.is_some(),
        "file system {} vanished although its delete was refused",
        source.id
    );
    Ok(())
}

fn access_group_last_initiator(ctx: &mut Ctx) -> CheckResult {
    let iqn = ctx.unique_iqn();
    let group = ctx.create_access_group(&iqn, InitiatorType::ISCSI_IQN)?;
    expect_error(
        ctx.client
            .access_group_initiator_delete(&group, &iqn, InitiatorType::ISCSI_IQN),
        ErrorNumber::LAST_INIT_IN_ACCESS_GROUP,
        "access_group_initiator_delete of the only initiator",
    )?;
    let Some(listed) = ctx.find_access_group(&group.id)? else {
        fail!("access group {} vanished", group.id);
    };
    ensure!(
        listed.init_ids == [iqn.clone()],
        "access group {} holds {:?} after a refused delete",
        group.id,
        listed.init_ids
    );
    Ok(())
}

fn volume_enable_no_state_change(ctx: &mut Ctx) -> CheckResult {
    let volume = ctx.scratch_volume()?;
    expect_error(
        ctx.client.volume_enable(&volume),
        ErrorNumber::NO_STATE_CHANGE,
        "volume_enable of an enabled volume",
    )?;
    if ctx.supports(C::VOLUME_DISABLE) {
        ctx.client
            .volume_disable(&volume)
            .during("volume_disable")?;
        expect_error(
            ctx.client.volume_disable(&volume),
            ErrorNumber::NO_STATE_CHANGE,
            "volume_disable of a disabled volume",
        )?;
    }
    Ok(())
}

fn volume_resize_same_size(ctx: &mut Ctx) -> CheckResult {
    let volume = ctx.scratch_volume()?;
    let started = ctx.client.volume_resize(&volume, volume.size_bytes());
    let refused = attempt(ctx, started);
    expect_error(
        refused,
        ErrorNumber::NO_STATE_CHANGE,
        "volume_resize to the current size",
    )?;
    let Some(listed) = ctx.find_volume(&volume.id)? else {
        fail!("volume {} vanished", volume.id);
    };
    ensure!(
        listed.size_bytes() == volume.size_bytes(),
        "volume {} changed size from {} to {} in a refused resize",
        volume.id,
        volume.size_bytes(),
        listed.size_bytes()
    );
    Ok(())
}

fn volume_create_not_enough_space(ctx: &mut Ctx) -> CheckResult {
    let pool = ctx.volume_pool()?;
    let Some(size) = pool.free_space.checked_add(GIB) else {
        skip!("pool {} has too much free space to exceed", pool.id);
    };
    let name = ctx.unique_name();
    ctx.push_undo(Undo::Volume {
        name: name.clone(),
        known: None,
    });
    let started = ctx
        .client
        .volume_create(&pool, &name, size, Provisioning::FULL);
    let refused = attempt(ctx, started);
    expect_error(
        refused,
        ErrorNumber::NOT_ENOUGH_SPACE,
        &format!(
            "volume_create of {size} bytes in {} ({} free)",
            pool.id, pool.free_space
        ),
    )?;
    let count = volumes_named(ctx, &name)?;
    ensure!(
        count == 0,
        "volume {name} exists although its create was refused"
    );
    Ok(())
}

fn fs_create_not_enough_space(ctx: &mut Ctx) -> CheckResult {
    let pool = ctx.fs_pool()?;
    let Some(size) = pool.free_space.checked_add(GIB) else {
        skip!("pool {} has too much free space to exceed", pool.id);
    };
    let name = ctx.unique_name();
    ctx.push_undo(Undo::FileSystem {
        name: name.clone(),
        known: None,
    });
    let started = ctx.client.fs_create(&pool, &name, size);
    let refused = attempt(ctx, started);
    expect_error(
        refused,
        ErrorNumber::NOT_ENOUGH_SPACE,
        &format!(
            "fs_create of {size} bytes in {} ({} free)",
            pool.id, pool.free_space
        ),
    )?;
    let count = fs_named(ctx, &name)?;
    ensure!(
        count == 0,
        "file system {name} exists although its create was refused"
    );
    Ok(())
}

// -------------------------------------------------------------- NOT_FOUND

fn not_found_volume(ctx: &mut Ctx) -> CheckResult {
    let volume = unknown_volume(ctx);
    let code = ErrorNumber::NOT_FOUND_VOLUME;
    let v = &volume;
    run_probes(
        ctx,
        vec![
            probe(C::VOLUME_DELETE, "volume_delete", move |ctx| {
                let started = ctx.client.volume_delete(v);
                expect_code(code, "volume_delete")(attempt(ctx, started))
            }),
            probe(C::VOLUME_RESIZE, "volume_resize", move |ctx| {
                let started = ctx.client.volume_resize(v, 2 * OBJECT_SIZE);
                expect_code(code, "volume_resize")(attempt(ctx, started))
            }),
            probe(C::VOLUME_REPLICATE_CLONE, "volume_replicate", move |ctx| {
                let name = ctx.unique_name();
                ctx.push_undo(Undo::Volume {
                    name: name.clone(),
                    known: None,
                });
                let started = ctx
                    .client
                    .volume_replicate(None, ReplicationType::CLONE, v, &name);
                expect_code(code, "volume_replicate")(attempt(ctx, started))
            }),
            probe(C::VOLUME_ENABLE, "volume_enable", move |ctx| {
                expect_code(code, "volume_enable")(ctx.client.volume_enable(v))
            }),
            probe(C::VOLUME_DISABLE, "volume_disable", move |ctx| {
                expect_code(code, "volume_disable")(ctx.client.volume_disable(v))
            }),
            probe(C::VOLUME_RAID_INFO, "volume_raid_info", move |ctx| {
                expect_code(code, "volume_raid_info")(ctx.client.volume_raid_info(v))
            }),
            probe(C::VOLUME_CACHE_INFO, "volume_cache_info", move |ctx| {
                expect_code(code, "volume_cache_info")(ctx.client.volume_cache_info(v))
            }),
            probe(
                C::VOLUME_CHILD_DEPENDENCY,
                "volume_child_dependency",
                move |ctx| {
                    expect_code(code, "volume_child_dependency")(
                        ctx.client.volume_child_dependency(v),
                    )
                },
            ),
            probe(
                C::ACCESS_GROUPS_GRANTED_TO_VOLUME,
                "access_groups_granted_to_volume",
                move |ctx| {
                    expect_code(code, "access_groups_granted_to_volume")(
                        ctx.client.access_groups_granted_to_volume(v),
                    )
                },
            ),
            probe(C::VOLUME_LED, "volume_ident_led_on", move |ctx| {
                expect_code(code, "volume_ident_led_on")(ctx.client.volume_ident_led_on(v))
            }),
        ],
    )
}

fn not_found_pool(ctx: &mut Ctx) -> CheckResult {
    let pool = unknown_pool(ctx);
    let code = ErrorNumber::NOT_FOUND_POOL;
    let p = &pool;
    run_probes(
        ctx,
        vec![
            probe(C::VOLUME_CREATE, "volume_create", move |ctx| {
                let name = ctx.unique_name();
                ctx.push_undo(Undo::Volume {
                    name: name.clone(),
                    known: None,
                });
                let started =
                    ctx.client
                        .volume_create(p, &name, OBJECT_SIZE, Provisioning::DEFAULT);
                expect_code(code, "volume_create")(attempt(ctx, started))
            }),
            probe(C::FS_CREATE, "fs_create", move |ctx| {
                let name = ctx.unique_name();
                ctx.push_undo(Undo::FileSystem {
                    name: name.clone(),
                    known: None,
                });
                let started = ctx.client.fs_create(p, &name, OBJECT_SIZE);
                expect_code(code, "fs_create")(attempt(ctx, started))
            }),
            probe(C::POOL_MEMBER_INFO, "pool_member_info", move |ctx| {
                expect_code(code, "pool_member_info")(ctx.client.pool_member_info(p))
            }),
        ],
    )
}

fn not_found_access_group(ctx: &mut Ctx) -> CheckResult {
    let group = unknown_access_group(ctx);
    let code = ErrorNumber::NOT_FOUND_ACCESS_GROUP;
    let g = &group;
    run_probes(
        ctx,
        vec![
            probe(C::ACCESS_GROUP_DELETE, "access_group_delete", move |ctx| {
                expect_code(code, "access_group_delete")(ctx.client.access_group_delete(g))
            }),
            probe(
                C::ACCESS_GROUP_INITIATOR_ADD_ISCSI_IQN,
                "access_group_initiator_add",
                move |ctx| {
                    let iqn = ctx.unique_iqn();
                    expect_code(code, "access_group_initiator_add")(
                        ctx.client
                            .access_group_initiator_add(g, &iqn, InitiatorType::ISCSI_IQN),
                    )
                },
            ),
            probe(
                C::ACCESS_GROUP_INITIATOR_DELETE,
                "access_group_initiator_delete",
                move |ctx| {
                    let init = g.init_ids.first().cloned().unwrap_or_default();
                    expect_code(code, "access_group_initiator_delete")(
                        ctx.client.access_group_initiator_delete(
                            g,
                            &init,
                            InitiatorType::ISCSI_IQN,
                        ),
                    )
                },
            ),
            probe(
                C::VOLUMES_ACCESSIBLE_BY_ACCESS_GROUP,
                "volumes_accessible_by_access_group",
                move |ctx| {
                    expect_code(code, "volumes_accessible_by_access_group")(
                        ctx.client.volumes_accessible_by_access_group(g),
                    )
                },
            ),
        ],
    )
}

fn not_found_fs(ctx: &mut Ctx) -> CheckResult {
    let fs = unknown_fs(ctx);
    let code = ErrorNumber::NOT_FOUND_FS;
    let f = &fs;
    run_probes(
        ctx,
        vec![
            probe(C::FS_DELETE, "fs_delete", move |ctx| {
                let started = ctx.client.fs_delete(f);
                expect_code(code, "fs_delete")(attempt(ctx, started))
            }),
            probe(C::FS_RESIZE, "fs_resize", move |ctx| {
                let started = ctx.client.fs_resize(f, 2 * OBJECT_SIZE);
                expect_code(code, "fs_resize")(attempt(ctx, started))
            }),
            probe(C::FS_CLONE, "fs_clone", move |ctx| {
                let name = ctx.unique_name();
                ctx.push_undo(Undo::FileSystem {
                    name: name.clone(),
                    known: None,
                });
                let started = ctx.client.fs_clone(f, &name, None);
                expect_code(code, "fs_clone")(attempt(ctx, started))
            }),
            probe(C::FS_SNAPSHOTS, "fs_snapshots", move |ctx| {
                expect_code(code, "fs_snapshots")(ctx.client.fs_snapshots(f))
            }),
            probe(C::FS_SNAPSHOT_CREATE, "fs_snapshot_create", move |ctx| {
                let name = ctx.unique_name();
                let started = ctx.client.fs_snapshot_create(f, &name);
                expect_code(code, "fs_snapshot_create")(attempt(ctx, started))
            }),
            probe(C::FS_CHILD_DEPENDENCY, "fs_child_dependency", move |ctx| {
                expect_code(code, "fs_child_dependency")(ctx.client.fs_child_dependency(f, None))
            }),
            probe(C::FILE_CLONE, "fs_file_clone", move |ctx| {
                let started = ctx
                    .client
                    .fs_file_clone(f, "lsmrs_source", "lsmrs_copy", None);
                expect_code(code, "fs_file_clone")(attempt(ctx, started))
            }),
            probe(C::EXPORT_FS, "export_fs", move |ctx| {
                let result = ctx.client.export_fs(&ExportRequest {
                    rw_list: vec!["192.0.2.30".to_string()],
                    ..ExportRequest::new(&f.id)
                });
                if let Ok(export) = &result {
                    ctx.push_undo(Undo::Export(export.clone()));
                }
                expect_code(code, "export_fs")(result)
            }),
        ],
    )
}

fn not_found_fs_snapshot(ctx: &mut Ctx) -> CheckResult {
    if !ctx.supports(C::FS_SNAPSHOT_DELETE)
        && !ctx.supports(C::FS_SNAPSHOT_RESTORE)
        && !ctx.supports(C::FS_CLONE)
        && !ctx.supports(C::FILE_CLONE)
    {
        skip!("no snapshot call (delete, restore, clone, file clone) to try an unknown id with");
    }
    let fs = ctx.scratch_fs()?;
    let snapshot = unknown_snapshot();
    let code = ErrorNumber::NOT_FOUND_FS_SS;
    let (f, s) = (&fs, &snapshot);
    run_probes(
        ctx,
        vec![
            probe(C::FS_SNAPSHOT_DELETE, "fs_snapshot_delete", move |ctx| {
                let started = ctx.client.fs_snapshot_delete(f, s);
                expect_code(code, "fs_snapshot_delete")(attempt(ctx, started))
            }),
            probe(C::FS_SNAPSHOT_RESTORE, "fs_snapshot_restore", move |ctx| {
                let started = ctx
                    .client
                    .fs_snapshot_restore(f, s, &SnapshotRestore::all_files());
                expect_code(code, "fs_snapshot_restore")(attempt(ctx, started))
            }),
            probe(C::FS_CLONE, "fs_clone from a snapshot", move |ctx| {
                let name = ctx.unique_name();
                ctx.push_undo(Undo::FileSystem {
                    name: name.clone(),
                    known: None,
                });
                let started = ctx.client.fs_clone(f, &name, Some(s));
                expect_code(code, "fs_clone from an unknown snapshot")(attempt(ctx, started))
            }),
            probe(C::FILE_CLONE, "fs_file_clone from a snapshot", move |ctx| {
                let started = ctx
                    .client
                    .fs_file_clone(f, "lsmrs_source", "lsmrs_copy", Some(s));
                expect_code(code, "fs_file_clone from an unknown snapshot")(attempt(ctx, started))
            }),
        ],
    )
}

fn not_found_nfs_export(ctx: &mut Ctx) -> CheckResult {
    let export = NfsExport {
        id: unknown_id("export"),
        fs_id: unknown_id("fs"),
        export_path: "/lsmrs-unknown-export".to_string(),
        auth: String::new(),
        anonuid: -1,
        anongid: -1,
        ..NfsExport::default()
    };
    expect_error(
        ctx.client.export_remove(&export),
        ErrorNumber::NOT_FOUND_NFS_EXPORT,
        "export_remove of an unknown export",
    )
}

fn not_found_system(ctx: &mut Ctx) -> CheckResult {
    let system = unknown_system(ctx);
    let code = ErrorNumber::NOT_FOUND_SYSTEM;
    let s = &system;
    run_probes(
        ctx,
        vec![
            probe(
                C::ACCESS_GROUP_CREATE_ISCSI_IQN,
                "access_group_create",
                move |ctx| {
                    let name = ctx.unique_name();
                    let iqn = ctx.unique_iqn();
                    ctx.push_undo(Undo::AccessGroup {
                        name: name.clone(),
                        known: None,
                    });
                    expect_code(code, "access_group_create on an unknown system")(
                        ctx.client
                            .access_group_create(&name, &iqn, InitiatorType::ISCSI_IQN, s),
                    )
                },
            ),
            probe(
                C::VOLUME_RAID_CREATE,
                "volume_raid_create_cap_get",
                move |ctx| {
                    expect_code(code, "volume_raid_create_cap_get of an unknown system")(
                        ctx.client.volume_raid_create_cap_get(s),
                    )
                },
            ),
            probe(
                C::SYS_READ_CACHE_PCT_UPDATE,
                "system_read_cache_pct_update",
                move |ctx| {
                    expect_code(code, "system_read_cache_pct_update of an unknown system")(
                        ctx.client.system_read_cache_pct_update(s, 50),
                    )
                },
            ),
        ],
    )
}

/// The fewest disks a RAID type takes, for the types the client knows.
fn min_disks(raid_type: RaidType) -> Option<usize> {
    Some(match raid_type {
        RaidType::RAID0 => 1,
        RaidType::RAID1 => 2,
        RaidType::RAID5 => 3,
        RaidType::RAID6 | RaidType::RAID10 => 4,
        RaidType::RAID50 => 6,
        RaidType::RAID60 => 8,
        _ => return None,
    })
}

/// A RAID type the plugin supports and how many disks it needs.
fn raid_type_to_try(ctx: &mut Ctx) -> CheckResult<(RaidType, usize)> {
    let system = ctx.system.clone();
    let cap = ctx
        .client
        .volume_raid_create_cap_get(&system)
        .during("volume_raid_create_cap_get")?;
    let pick = cap
        .raid_types
        .iter()
        .filter_map(|t| min_disks(*t).map(|n| (*t, n.max(2))))
        .min_by_key(|(_, n)| *n);
    match pick {
        Some(pick) => Ok(pick),
        None => skip!("no RAID type the client knows among {:?}", cap.raid_types),
    }
}

fn not_found_disk(ctx: &mut Ctx) -> CheckResult {
    let (raid_type, count) = raid_type_to_try(ctx)?;
    let disks: Vec<Disk> = (0..count).map(|n| unknown_disk(ctx, n + 1)).collect();
    let name = ctx.unique_name();
    ctx.push_undo(Undo::Volume {
        name: name.clone(),
        known: None,
    });
    expect_error(
        ctx.client.volume_raid_create(&name, raid_type, &disks, 0),
        ErrorNumber::NOT_FOUND_DISK,
        &format!("volume_raid_create({raid_type:?}) of unknown disks"),
    )
}

fn not_found_job(ctx: &mut Ctx) -> CheckResult {
    let job = unknown_id("job");
    expect_error(
        ctx.client.job_status(&job),
        ErrorNumber::NOT_FOUND_JOB,
        "job_status of an unknown job",
    )?;
    expect_error(
        ctx.client.job_free(&job),
        ErrorNumber::NOT_FOUND_JOB,
        "job_free of an unknown job",
    )
}

fn volume_raid_create_disk_not_free(ctx: &mut Ctx) -> CheckResult {
    let (raid_type, count) = raid_type_to_try(ctx)?;
    let system_id = ctx.system.id.clone();
    let busy: Vec<Disk> = ctx
        .client
        .disks(None)
        .during("disks")?
        .into_iter()
        .filter(|d| d.system_id == system_id && !d.status.contains(DiskStatus::FREE))
        .take(count)
        .collect();
    if busy.len() < count {
        skip!("fewer than {count} disks in use to try");
    }
    let name = ctx.unique_name();
    ctx.push_undo(Undo::Volume {
        name: name.clone(),
        known: None,
    });
    expect_error(
        ctx.client.volume_raid_create(&name, raid_type, &busy, 0),
        ErrorNumber::DISK_NOT_FREE,
        &format!("volume_raid_create({raid_type:?}) of disks in use"),
    )?;
    if ctx.supports(C::VOLUMES) {
        let count = volumes_named(ctx, &name)?;
        ensure!(
            count == 0,
            "volume {name} exists although its create was refused"
        );
    }
    Ok(())
}

// ---------------------------------------------------------- invalid input

fn invalid_volume_size(ctx: &mut Ctx) -> CheckResult {
    let pool = ctx.volume_pool()?;
    for size in [0, -1, -OBJECT_SIZE] {
        let name = ctx.unique_name();
        ctx.push_undo(Undo::Volume {
            name: name.clone(),
            known: None,
        });
        let started = ctx
            .client
            .volume_create(&pool, &name, size, Provisioning::DEFAULT);
        let refused = attempt(ctx, started);
        expect_error(
            refused,
            ErrorNumber::INVALID_ARGUMENT,
            &format!("volume_create of {size} bytes"),
        )?;
        let count = volumes_named(ctx, &name)?;
        ensure!(
            count == 0,
            "volume {name} of {size} bytes exists although refused"
        );
    }
    if ctx.supports(C::VOLUME_RESIZE) {
        let volume = ctx.create_volume(&pool)?;
        for size in [0, -1] {
            let started = ctx.client.volume_resize(&volume, size);
            let refused = attempt(ctx, started);
            expect_error(
                refused,
                ErrorNumber::INVALID_ARGUMENT,
                &format!("volume_resize to {size} bytes"),
            )?;
        }
        let Some(listed) = ctx.find_volume(&volume.id)? else {
            fail!("volume {} vanished", volume.id);
        };
        ensure!(
            listed.size_bytes() == volume.size_bytes(),
            "volume {} changed size in a refused resize",
            volume.id
        );
    }
    Ok(())
}

fn invalid_fs_size(ctx: &mut Ctx) -> CheckResult {
    let pool = ctx.fs_pool()?;
    for size in [0, -1] {
        let name = ctx.unique_name();
        ctx.push_undo(Undo::FileSystem {
            name: name.clone(),
            known: None,
        });
        let started = ctx.client.fs_create(&pool, &name, size);
        let refused = attempt(ctx, started);
        expect_error(
            refused,
            ErrorNumber::INVALID_ARGUMENT,
            &format!("fs_create of {size} bytes"),
        )?;
        let count = fs_named(ctx, &name)?;
        ensure!(
            count == 0,
            "file system {name} of {size} bytes exists although refused"
        );
    }
    if ctx.supports(C::FS_RESIZE) {
        let name = ctx.unique_name();
        let fs = ctx.create_fs_with(&pool, &name, OBJECT_SIZE)?;
        for size in [0, -1] {
            let started = ctx.client.fs_resize(&fs, size);
            let refused = attempt(ctx, started);
            expect_error(
                refused,
                ErrorNumber::INVALID_ARGUMENT,
                &format!("fs_resize to {size} bytes"),
            )?;
        }
        let Some(listed) = ctx.find_fs(&fs.id)? else {
            fail!("file system {} vanished", fs.id);
        };
        ensure!(
            listed.total_space == fs.total_space,
            "file system {} changed size in a refused resize",
            fs.id
        );
    }
    Ok(())
}

fn invalid_initiator_id(ctx: &mut Ctx) -> CheckResult {
    let system = ctx.system.clone();
    let bad = [
        ("not-an-iqn", InitiatorType::ISCSI_IQN),
        ("iqn.20xx-01.bad:date", InitiatorType::ISCSI_IQN),
        ("eui.12345", InitiatorType::ISCSI_IQN),
        ("zz:zz:zz:zz:zz:zz:zz:zz", InitiatorType::WWPN),
        ("10:00:00:00:c9:00", InitiatorType::WWPN),
        ("garbage id", InitiatorType::UNKNOWN),
        ("", InitiatorType::ISCSI_IQN),
    ];
    let mut names = Vec::new();
    for (init_id, init_type) in bad {
        let name = ctx.unique_name();
        ctx.push_undo(Undo::AccessGroup {
            name: name.clone(),
            known: None,
        });
        expect_error(
            ctx.client
                .access_group_create(&name, init_id, init_type, &system),
            ErrorNumber::INVALID_ARGUMENT,
            &format!("access_group_create with {init_type:?} initiator {init_id:?}"),
        )?;
        names.push(name);
    }
    let group = unknown_access_group(ctx);
    expect_error(
        ctx.client
            .access_group_initiator_add(&group, "not-a-wwpn", InitiatorType::WWPN),
        ErrorNumber::INVALID_ARGUMENT,
        "access_group_initiator_add of a malformed WWPN",
    )?;
    if ctx.supports(C::ACCESS_GROUPS) {
        for name in names {
            let count = groups_named(ctx, &name)?;
            ensure!(count == 0, "access group {name} exists although refused");
        }
    }
    Ok(())
}

fn invalid_read_cache_pct(ctx: &mut Ctx) -> CheckResult {
    let system = ctx.system.clone();
    for pct in [101, -1, 1000] {
        expect_error(
            ctx.client.system_read_cache_pct_update(&system, pct),
            ErrorNumber::INVALID_ARGUMENT,
            &format!("system_read_cache_pct_update({pct})"),
        )?;
    }
    if ctx.supports(C::SYS_READ_CACHE_PCT_GET) {
        let now = ctx
            .client
            .systems()
            .during("systems")?
            .into_iter()
            .find(|s| s.id == system.id)
            .map(|s| s.read_cache_pct);
        ensure!(
            now == Some(system.read_cache_pct),
            "read_cache_pct went from {} to {now:?} after refused updates",
            system.read_cache_pct
        );
    }
    Ok(())
}

fn invalid_cache_policy(ctx: &mut Ctx) -> CheckResult {
    let volume = unknown_volume(ctx);
    for pdc in [
        PhysicalDiskCache::UNKNOWN,
        PhysicalDiskCache::USE_DISK_SETTING,
        PhysicalDiskCache(9),
    ] {
        expect_error(
            ctx.client.volume_physical_disk_cache_update(&volume, pdc),
            ErrorNumber::INVALID_ARGUMENT,
            &format!("volume_physical_disk_cache_update({pdc:?})"),
        )?;
    }
    for wcp in [WriteCachePolicy::UNKNOWN, WriteCachePolicy(9)] {
        expect_error(
            ctx.client.volume_write_cache_policy_update(&volume, wcp),
            ErrorNumber::INVALID_ARGUMENT,
            &format!("volume_write_cache_policy_update({wcp:?})"),
        )?;
    }
    for rcp in [ReadCachePolicy::UNKNOWN, ReadCachePolicy(9)] {
        expect_error(
            ctx.client.volume_read_cache_policy_update(&volume, rcp),
            ErrorNumber::INVALID_ARGUMENT,
            &format!("volume_read_cache_policy_update({rcp:?})"),
        )?;
    }
    Ok(())
}

fn invalid_raid_disk_count(ctx: &mut Ctx) -> CheckResult {
    let disks: Vec<Disk> = (1..=5).map(|n| unknown_disk(ctx, n)).collect();
    let cases = [
        (RaidType::RAID0, 0),
        (RaidType::RAID1, 3),
        (RaidType::RAID5, 2),
        (RaidType::RAID6, 3),
        (RaidType::RAID10, 5),
    ];
    for (raid_type, count) in cases {
        let name = ctx.unique_name();
        ctx.push_undo(Undo::Volume {
            name: name.clone(),
            known: None,
        });
        expect_error(
            ctx.client
                .volume_raid_create(&name, raid_type, &disks[..count], 0),
            ErrorNumber::INVALID_ARGUMENT,
            &format!("volume_raid_create({raid_type:?}) with {count} disks"),
        )?;
    }
    Ok(())
}

fn invalid_chap_arguments(ctx: &mut Ctx) -> CheckResult {
    let iqn = ctx.unique_iqn();
    // Outbound without inbound: the client refuses it, as the reference client does.
    let outbound_only = ChapAuth {
        inbound: None,
        outbound: Some(ChapCredentials::new("o", "secret-1234")),
    };
    expect_error(
        ctx.client.iscsi_chap_auth(&iqn, &outbound_only),
        ErrorNumber::INVALID_ARGUMENT,
        "iscsi_chap_auth with outbound without inbound",
    )?;
    // A user without its password (or the reverse) cannot be written with the client's
    // `ChapCredentials`: sent as raw params, it is the plugin's to refuse, when it does CHAP.
    if !ctx.supports(C::VOLUME_ISCSI_CHAP_AUTHENTICATION) {
        ctx.note("VOLUME_ISCSI_CHAP_AUTHENTICATION unsupported: unpaired credentials not sent");
        return Ok(());
    }
    let cases: [(&str, [Option<&str>; 4]); 3] = [
        (
            "inbound user without password",
            [Some("u"), None, None, None],
        ),
        (
            "inbound password without user",
            [None, Some("secret-1234"), None, None],
        ),
        (
            "outbound user without password",
            [Some("u"), Some("secret-1234"), Some("o"), None],
        ),
    ];
    for (what, [in_user, in_password, out_user, out_password]) in cases {
        let raw = params::IscsiChapAuth {
            init_id: iqn.as_str().into(),
            in_user: in_user.map(Into::into),
            in_password: in_password.map(params::Secret::from),
            out_user: out_user.map(Into::into),
            out_password: out_password.map(params::Secret::from),
            flags: 0,
        };
        expect_error(
            ctx.client.request::<_, ()>(raw),
            ErrorNumber::INVALID_ARGUMENT,
            &format!("iscsi_chap_auth with {what}"),
        )?;
    }
    Ok(())
}
