//! Listing checks: every listing returns well-formed objects and refuses an
//! unknown search key with `UNSUPPORTED_SEARCH_KEY` (510), and every allowed
//! search key (protocol §4.7) finds exactly the matching objects and nothing
//! for a value no object has.

use std::collections::HashSet;
use std::fmt::Debug;

use lsm_core::ListingSearch;
use lsm_core::validate::{Listing, Searchable, normalize_init_id, vpd83_is_valid, wwpn_normalize};
use lsm_core::{
    BlockingClient, Capability as C, DiskLinkType, ErrorNumber, InitiatorType, TargetPortType, rpm,
};

use crate::ctx::Ctx;
use crate::expect::{CheckResult, During, expect_error};
use crate::harness::Check;

/// The listing checks.
pub const CHECKS: &[Check] = &[
    Check {
        name: "list_systems",
        summary: "systems lists at least one system, unique ids, stable",
        requires: &[],
        body: list_systems,
    },
    Check {
        name: "list_pools",
        summary: "pools lists well-formed pools; unknown search key gives 510",
        requires: &[],
        body: list_pools,
    },
    Check {
        name: "list_volumes",
        summary: "volumes lists well-formed volumes with valid vpd83; unknown search key gives 510",
        requires: &[C::VOLUMES],
        body: list_volumes,
    },
    Check {
        name: "list_disks",
        summary: "disks lists well-formed disks (vpd83, rpm, link type); unknown search key gives 510",
        requires: &[C::DISKS],
        body: list_disks,
    },
    Check {
        name: "disk_location",
        summary: "every disk has a non-empty location",
        requires: &[C::DISKS, C::DISK_LOCATION],
        body: disk_location,
    },
    Check {
        name: "list_access_groups",
        summary: "access_groups lists groups with valid initiators; unknown search key gives 510",
        requires: &[C::ACCESS_GROUPS],
        body: list_access_groups,
    },
    Check {
        name: "list_fs",
        summary: "fs lists well-formed file systems; unknown search key gives 510",
        requires: &[C::FS],
        body: list_fs,
    },
    Check {
        name: "list_exports",
        summary: "exports lists well-formed NFS exports; unknown search key gives 510",
        requires: &[C::EXPORTS],
        body: list_exports,
    },
    Check {
        name: "list_target_ports",
        summary: "target_ports lists ports with known types and addresses; unknown search key gives 510",
        requires: &[C::TARGET_PORTS],
        body: list_target_ports,
    },
    Check {
        name: "list_batteries",
        summary: "batteries lists batteries with known types and status; unknown search key gives 510",
        requires: &[C::BATTERIES],
        body: list_batteries,
    },
    Check {
        name: "search_pools_by_id",
        summary: "pools searched by id",
        requires: &[],
        body: |ctx| search(ctx, Listing::Pools, pools_by, "id", Seed::Nothing),
    },
    Check {
        name: "search_pools_by_system_id",
        summary: "pools searched by system_id",
        requires: &[],
        body: |ctx| search(ctx, Listing::Pools, pools_by, "system_id", Seed::Nothing),
    },
    Check {
        name: "search_volumes_by_id",
        summary: "volumes searched by id",
        requires: &[C::VOLUMES],
        body: |ctx| search(ctx, Listing::Volumes, volumes_by, "id", Seed::Volume),
    },
    Check {
        name: "search_volumes_by_system_id",
        summary: "volumes searched by system_id",
        requires: &[C::VOLUMES],
        body: |ctx| search(ctx, Listing::Volumes, volumes_by, "system_id", Seed::Volume),
    },
    Check {
        name: "search_volumes_by_pool_id",
        summary: "volumes searched by pool_id",
        requires: &[C::VOLUMES],
        body: |ctx| search(ctx, Listing::Volumes, volumes_by, "pool_id", Seed::Volume),
    },
    Check {
        name: "search_disks_by_id",
        summary: "disks searched by id",
        requires: &[C::DISKS],
        body: |ctx| search(ctx, Listing::Disks, disks_by, "id", Seed::Nothing),
    },
    Check {
        name: "search_disks_by_system_id",
        summary: "disks searched by system_id",
        requires: &[C::DISKS],
        body: |ctx| search(ctx, Listing::Disks, disks_by, "system_id", Seed::Nothing),
    },
    Check {
        name: "search_access_groups_by_id",
        summary: "access_groups searched by id",
        requires: &[C::ACCESS_GROUPS],
        body: |ctx| {
            search(
                ctx,
                Listing::AccessGroups,
                access_groups_by,
                "id",
                Seed::AccessGroup,
            )
        },
    },
    Check {
        name: "search_access_groups_by_system_id",
        summary: "access_groups searched by system_id",
        requires: &[C::ACCESS_GROUPS],
        body: |ctx| {
            search(
                ctx,
                Listing::AccessGroups,
                access_groups_by,
                "system_id",
                Seed::AccessGroup,
            )
        },
    },
    Check {
        name: "search_fs_by_id",
        summary: "fs searched by id",
        requires: &[C::FS],
        body: |ctx| search(ctx, Listing::Fs, fs_by, "id", Seed::FileSystem),
    },
    Check {
        name: "search_fs_by_system_id",
        summary: "fs searched by system_id",
        requires: &[C::FS],
        body: |ctx| search(ctx, Listing::Fs, fs_by, "system_id", Seed::FileSystem),
    },
    Check {
        name: "search_fs_by_pool_id",
        summary: "fs searched by pool_id",
        requires: &[C::FS],
        body: |ctx| search(ctx, Listing::Fs, fs_by, "pool_id", Seed::FileSystem),
    },
    Check {
        name: "search_exports_by_id",
        summary: "exports searched by id",
        requires: &[C::EXPORTS],
        body: |ctx| search(ctx, Listing::Exports, exports_by, "id", Seed::Export),
    },
    Check {
        name: "search_exports_by_fs_id",
        summary: "exports searched by fs_id",
        requires: &[C::EXPORTS],
        body: |ctx| search(ctx, Listing::Exports, exports_by, "fs_id", Seed::Export),
    },
    Check {
        name: "search_target_ports_by_id",
        summary: "target_ports searched by id",
        requires: &[C::TARGET_PORTS],
        body: |ctx| {
            search(
                ctx,
                Listing::TargetPorts,
                target_ports_by,
                "id",
                Seed::Nothing,
            )
        },
    },
    Check {
        name: "search_target_ports_by_system_id",
        summary: "target_ports searched by system_id",
        requires: &[C::TARGET_PORTS],
        body: |ctx| {
            search(
                ctx,
                Listing::TargetPorts,
                target_ports_by,
                "system_id",
                Seed::Nothing,
            )
        },
    },
    Check {
        name: "search_batteries_by_id",
        summary: "batteries searched by id",
        requires: &[C::BATTERIES],
        body: |ctx| search(ctx, Listing::Batteries, batteries_by, "id", Seed::Nothing),
    },
    Check {
        name: "search_batteries_by_system_id",
        summary: "batteries searched by system_id",
        requires: &[C::BATTERIES],
        body: |ctx| {
            search(
                ctx,
                Listing::Batteries,
                batteries_by,
                "system_id",
                Seed::Nothing,
            )
        },
    },
];

/// A listing call of [`BlockingClient`].
type ListFn<T> = fn(&mut BlockingClient, Option<(&str, &str)>) -> lsm_core::Result<Vec<T>>;

/// The typed search of a key read at run time: the client refuses a key the listing does not
/// take (`UNSUPPORTED_SEARCH_KEY`) before sending anything.
fn typed<'a, S: ListingSearch<'a>>(search: Option<(&str, &'a str)>) -> lsm_core::Result<Option<S>> {
    search
        .map(|(key, value)| S::from_key(key, value))
        .transpose()
}

/// `pools`, searched by a key read at run time.
fn pools_by(
    client: &mut BlockingClient,
    search: Option<(&str, &str)>,
) -> lsm_core::Result<Vec<lsm_core::Pool>> {
    client.pools(typed::<lsm_core::PoolSearch>(search)?)
}

/// `volumes`, searched by a key read at run time.
fn volumes_by(
    client: &mut BlockingClient,
    search: Option<(&str, &str)>,
) -> lsm_core::Result<Vec<lsm_core::Volume>> {
    client.volumes(typed::<lsm_core::VolumeSearch>(search)?)
}

/// `disks`, searched by a key read at run time.
fn disks_by(
    client: &mut BlockingClient,
    search: Option<(&str, &str)>,
) -> lsm_core::Result<Vec<lsm_core::Disk>> {
    client.disks(typed::<lsm_core::DiskSearch>(search)?)
}

/// `access_groups`, searched by a key read at run time.
fn access_groups_by(
    client: &mut BlockingClient,
    search: Option<(&str, &str)>,
) -> lsm_core::Result<Vec<lsm_core::AccessGroup>> {
    client.access_groups(typed::<lsm_core::AccessGroupSearch>(search)?)
}

/// `fs`, searched by a key read at run time.
fn fs_by(
    client: &mut BlockingClient,
    search: Option<(&str, &str)>,
) -> lsm_core::Result<Vec<lsm_core::FileSystem>> {
    client.fs(typed::<lsm_core::FsSearch>(search)?)
}

/// `exports`, searched by a key read at run time.
fn exports_by(
    client: &mut BlockingClient,
    search: Option<(&str, &str)>,
) -> lsm_core::Result<Vec<lsm_core::NfsExport>> {
    client.exports(typed::<lsm_core::ExportSearch>(search)?)
}

/// `target_ports`, searched by a key read at run time.
fn target_ports_by(
    client: &mut BlockingClient,
    search: Option<(&str, &str)>,
) -> lsm_core::Result<Vec<lsm_core::TargetPort>> {
    client.target_ports(typed::<lsm_core::TargetPortSearch>(search)?)
}

/// `batteries`, searched by a key read at run time.
fn batteries_by(
    client: &mut BlockingClient,
    search: Option<(&str, &str)>,
) -> lsm_core::Result<Vec<lsm_core::Battery>> {
    client.batteries(typed::<lsm_core::BatterySearch>(search)?)
}

/// What a search check creates when the listing is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seed {
    Nothing,
    Volume,
    AccessGroup,
    FileSystem,
    Export,
}

/// Creates one object of the seed's kind when the plugin can; false when it
/// cannot.
fn plant(ctx: &mut Ctx, seed: Seed) -> CheckResult<bool> {
    match seed {
        Seed::Nothing => Ok(false),
        Seed::Volume => {
            if !ctx.supports_all(&[C::VOLUME_CREATE, C::VOLUME_DELETE]) {
                return Ok(false);
            }
            ctx.scratch_volume()?;
            Ok(true)
        }
        Seed::AccessGroup => {
            if !ctx.supports_all(&[C::ACCESS_GROUP_CREATE_ISCSI_IQN, C::ACCESS_GROUP_DELETE]) {
                return Ok(false);
            }
            ctx.iqn_access_group()?;
            Ok(true)
        }
        Seed::FileSystem => {
            if !ctx.supports_all(&[C::FS_CREATE, C::FS_DELETE]) {
                return Ok(false);
            }
            ctx.scratch_fs()?;
            Ok(true)
        }
        Seed::Export => {
            if !ctx.supports_all(&[C::FS_CREATE, C::FS_DELETE, C::EXPORT_FS, C::EXPORT_REMOVE]) {
                return Ok(false);
            }
            let fs = ctx.scratch_fs()?;
            let spec = lsm_core::ExportRequest {
                rw_list: vec!["192.0.2.21".to_string()],
                ..lsm_core::ExportRequest::new(&fs.id)
            };
            ctx.export(&spec)?;
            Ok(true)
        }
    }
}

fn id_of<T: Searchable>(item: &T) -> &str {
    item.search_value("id").unwrap_or("")
}

fn sorted_ids<T: Searchable>(items: &[T]) -> Vec<String> {
    let mut ids: Vec<String> = items.iter().map(|i| id_of(i).to_string()).collect();
    ids.sort();
    ids
}

/// Searching `listing` by `key` returns exactly the objects whose `key`
/// equals the value (for the first and last listed object's value), and
/// nothing for a value no object has.
fn search<T: Searchable + Debug>(
    ctx: &mut Ctx,
    listing: Listing,
    list: ListFn<T>,
    key: &str,
    seed: Seed,
) -> CheckResult {
    let method = listing.method();
    let mut all = list(&mut ctx.client, None).during(method)?;
    if all.is_empty() {
        if !plant(ctx, seed)? {
            skip!("{method} lists nothing to search for, and nothing can be created");
        }
        all = list(&mut ctx.client, None).during(method)?;
        ensure!(
            !all.is_empty(),
            "{method} is still empty after creating one"
        );
    }
    let mut values: Vec<String> = Vec::new();
    for item in [all.first(), all.last()].into_iter().flatten() {
        match item.search_value(key) {
            Some(value) if !values.iter().any(|v| v == value) => values.push(value.to_string()),
            Some(_) => {}
            None => fail!("{method}: object has no {key} property"),
        }
    }
    for value in &values {
        let what = format!("{method}(search {key} = {value:?})");
        let found = list(&mut ctx.client, Some((key, value))).during(&what)?;
        let mut expected: Vec<String> = all
            .iter()
            .filter(|i| i.search_value(key) == Some(value.as_str()))
            .map(|i| id_of(i).to_string())
            .collect();
        expected.sort();
        for item in &found {
            ensure!(
                item.search_value(key) == Some(value.as_str()),
                "{what} returned {} whose {key} is {:?}",
                id_of(item),
                item.search_value(key)
            );
        }
        let got = sorted_ids(&found);
        ensure!(
            got == expected,
            "{what} returned ids {got:?}, the full listing has {expected:?} matching"
        );
    }
    let absent = format!("{}_absent", ctx.unique_name());
    let what = format!("{method}(search {key} = {absent:?})");
    let found = list(&mut ctx.client, Some((key, &absent))).during(&what)?;
    ensure!(
        found.is_empty(),
        "{what} returned {} objects, expected none",
        found.len()
    );
    ctx.note(format!(
        "{method} by {key}: {} values matched",
        values.len()
    ));
    Ok(())
}

/// The listing refuses a key outside §4.7, client side.
fn unknown_key_refused<T: Debug>(ctx: &mut Ctx, listing: Listing, list: ListFn<T>) -> CheckResult {
    let method = listing.method();
    for key in ["name", "lsmrs_no_such_key"] {
        expect_error(
            list(&mut ctx.client, Some((key, "x"))),
            ErrorNumber::UNSUPPORTED_SEARCH_KEY,
            &format!("{method}(search {key})"),
        )?;
    }
    Ok(())
}

fn unique_ids<'a>(what: &str, ids: impl Iterator<Item = &'a str>) -> CheckResult {
    let mut seen = HashSet::new();
    for id in ids {
        ensure!(!id.is_empty(), "{what}: an object has an empty id");
        ensure!(seen.insert(id), "{what}: id {id} is listed twice");
    }
    Ok(())
}

fn system_ids(ctx: &Ctx) -> HashSet<String> {
    ctx.systems.iter().map(|s| s.id.clone()).collect()
}

fn pool_ids(ctx: &mut Ctx) -> CheckResult<HashSet<String>> {
    Ok(ctx
        .client
        .pools(None)
        .during("pools")?
        .into_iter()
        .map(|p| p.id)
        .collect())
}

fn list_systems(ctx: &mut Ctx) -> CheckResult {
    let systems = ctx.client.systems().during("systems")?;
    ensure!(!systems.is_empty(), "systems lists nothing");
    unique_ids("systems", systems.iter().map(|s| s.id.as_str()))?;
    for system in &systems {
        ensure!(
            !system.status.is_empty(),
            "system {} has an empty status",
            system.id
        );
    }
    let ids: Vec<&str> = systems.iter().map(|s| s.id.as_str()).collect();
    let before: Vec<&str> = ctx.systems.iter().map(|s| s.id.as_str()).collect();
    ensure!(
        ids == before,
        "systems changed during the run: {before:?} then {ids:?}"
    );
    Ok(())
}

fn list_pools(ctx: &mut Ctx) -> CheckResult {
    let pools = ctx.client.pools(None).during("pools")?;
    ensure!(!pools.is_empty(), "pools lists nothing");
    unique_ids("pools", pools.iter().map(|p| p.id.as_str()))?;
    let systems = system_ids(ctx);
    for pool in &pools {
        ensure!(
            systems.contains(&pool.system_id),
            "pool {} belongs to unknown system {}",
            pool.id,
            pool.system_id
        );
        ensure!(
            !pool.element_type.is_empty(),
            "pool {} has no element_type",
            pool.id
        );
        ensure!(
            !pool.status.is_empty(),
            "pool {} has an empty status",
            pool.id
        );
        ensure!(
            pool.total_space >= -1 && pool.free_space >= -1,
            "pool {} has negative space: total {}, free {}",
            pool.id,
            pool.total_space,
            pool.free_space
        );
        if pool.total_space >= 0 && pool.free_space >= 0 {
            ensure!(
                pool.free_space <= pool.total_space,
                "pool {} has more free space ({}) than total ({})",
                pool.id,
                pool.free_space,
                pool.total_space
            );
        }
    }
    unknown_key_refused(ctx, Listing::Pools, pools_by)
}

fn list_volumes(ctx: &mut Ctx) -> CheckResult {
    let mut volumes = ctx.client.volumes(None).during("volumes")?;
    if volumes.is_empty() && plant(ctx, Seed::Volume)? {
        volumes = ctx.client.volumes(None).during("volumes")?;
        ensure!(!volumes.is_empty(), "volumes is empty after creating one");
    }
    unique_ids("volumes", volumes.iter().map(|v| v.id.as_str()))?;
    let systems = system_ids(ctx);
    let pools = pool_ids(ctx)?;
    for volume in &volumes {
        ensure!(
            vpd83_is_valid(&volume.vpd83),
            "volume {} has an invalid vpd83 {:?}",
            volume.id,
            volume.vpd83
        );
        ensure!(
            volume.block_size > 0 && volume.num_of_blocks >= 0,
            "volume {} has block_size {} and num_of_blocks {}",
            volume.id,
            volume.block_size,
            volume.num_of_blocks
        );
        ensure!(
            volume.admin_state.is_known(),
            "volume {} has admin_state {:?}",
            volume.id,
            volume.admin_state
        );
        ensure!(
            systems.contains(&volume.system_id),
            "volume {} belongs to unknown system {}",
            volume.id,
            volume.system_id
        );
        ensure!(
            pools.contains(&volume.pool_id),
            "volume {} is in unknown pool {}",
            volume.id,
            volume.pool_id
        );
    }
    unknown_key_refused(ctx, Listing::Volumes, volumes_by)
}

fn list_disks(ctx: &mut Ctx) -> CheckResult {
    let disks = ctx.client.disks(None).during("disks")?;
    ensure!(
        !disks.is_empty(),
        "disks lists nothing although DISKS is supported"
    );
    unique_ids("disks", disks.iter().map(|d| d.id.as_str()))?;
    let systems = system_ids(ctx);
    let vpd = ctx.supports(C::DISK_VPD83_GET);
    let rpm_supported = ctx.supports(C::DISK_RPM);
    let link_supported = ctx.supports(C::DISK_LINK_TYPE);
    for disk in &disks {
        ensure!(
            systems.contains(&disk.system_id),
            "disk {} belongs to unknown system {}",
            disk.id,
            disk.system_id
        );
        ensure!(
            disk.disk_type.is_known(),
            "disk {} has unknown disk_type {:?}",
            disk.id,
            disk.disk_type
        );
        ensure!(
            (disk.block_size > 0 || disk.block_size == -1)
                && (disk.num_of_blocks > 0 || disk.num_of_blocks == -1),
            "disk {} has block_size {} and num_of_blocks {}",
            disk.id,
            disk.block_size,
            disk.num_of_blocks
        );
        ensure!(
            !disk.status.is_empty(),
            "disk {} has an empty status",
            disk.id
        );
        if vpd {
            ensure!(
                vpd83_is_valid(&disk.vpd83),
                "disk {} has an invalid vpd83 {:?}",
                disk.id,
                disk.vpd83
            );
        }
        ensure!(
            disk.rpm >= rpm::NO_SUPPORT,
            "disk {} has rpm {}",
            disk.id,
            disk.rpm
        );
        if rpm_supported {
            ensure!(
                disk.rpm != rpm::NO_SUPPORT,
                "disk {} reports rpm NO_SUPPORT although DISK_RPM is supported",
                disk.id
            );
        }
        ensure!(
            disk.link_type.is_known(),
            "disk {} has unknown link_type {:?}",
            disk.id,
            disk.link_type
        );
        if link_supported {
            ensure!(
                disk.link_type != DiskLinkType::NO_SUPPORT,
                "disk {} reports link_type NO_SUPPORT although DISK_LINK_TYPE is supported",
                disk.id
            );
        }
    }
    unknown_key_refused(ctx, Listing::Disks, disks_by)
}

fn disk_location(ctx: &mut Ctx) -> CheckResult {
    let disks = ctx.client.disks(None).during("disks")?;
    for disk in &disks {
        ensure!(
            !disk.location.trim().is_empty(),
            "disk {} has an empty location although DISK_LOCATION is supported",
            disk.id
        );
    }
    Ok(())
}

fn list_access_groups(ctx: &mut Ctx) -> CheckResult {
    let mut groups = ctx.client.access_groups(None).during("access_groups")?;
    if groups.is_empty() && plant(ctx, Seed::AccessGroup)? {
        groups = ctx.client.access_groups(None).during("access_groups")?;
        ensure!(
            !groups.is_empty(),
            "access_groups is empty after creating one"
        );
    }
    unique_ids("access_groups", groups.iter().map(|g| g.id.as_str()))?;
    let systems = system_ids(ctx);
    for group in &groups {
        ensure!(
            systems.contains(&group.system_id),
            "access group {} belongs to unknown system {}",
            group.id,
            group.system_id
        );
        ensure!(
            group.init_type.is_known(),
            "access group {} has unknown init_type {:?}",
            group.id,
            group.init_type
        );
        for init in &group.init_ids {
            let (normal, kind) = normalize_init_id(init, InitiatorType::UNKNOWN)
                .during(&format!("initiator {init:?} of access group {}", group.id))?;
            if kind == InitiatorType::WWPN {
                ensure!(
                    &normal == init,
                    "access group {} lists WWPN {init:?} not in lowercase colon form",
                    group.id
                );
            }
            let consistent = match group.init_type {
                InitiatorType::ISCSI_IQN | InitiatorType::WWPN => kind == group.init_type,
                _ => true,
            };
            ensure!(
                consistent,
                "access group {} has init_type {:?} but holds {init:?}",
                group.id,
                group.init_type
            );
        }
    }
    unknown_key_refused(ctx, Listing::AccessGroups, access_groups_by)
}

fn list_fs(ctx: &mut Ctx) -> CheckResult {
    let mut filesystems = ctx.client.fs(None).during("fs")?;
    if filesystems.is_empty() && plant(ctx, Seed::FileSystem)? {
        filesystems = ctx.client.fs(None).during("fs")?;
        ensure!(!filesystems.is_empty(), "fs is empty after creating one");
    }
    unique_ids("fs", filesystems.iter().map(|f| f.id.as_str()))?;
    let systems = system_ids(ctx);
    let pools = pool_ids(ctx)?;
    for fs in &filesystems {
        ensure!(
            systems.contains(&fs.system_id),
            "fs {} belongs to unknown system {}",
            fs.id,
            fs.system_id
        );
        ensure!(
            pools.contains(&fs.pool_id),
            "fs {} is in unknown pool {}",
            fs.id,
            fs.pool_id
        );
        ensure!(
            fs.free_space >= 0 && fs.free_space <= fs.total_space,
            "fs {} has free {} and total {}",
            fs.id,
            fs.free_space,
            fs.total_space
        );
    }
    unknown_key_refused(ctx, Listing::Fs, fs_by)
}

fn list_exports(ctx: &mut Ctx) -> CheckResult {
    let mut exports = ctx.client.exports(None).during("exports")?;
    if exports.is_empty() && plant(ctx, Seed::Export)? {
        exports = ctx.client.exports(None).during("exports")?;
        ensure!(!exports.is_empty(), "exports is empty after creating one");
    }
    unique_ids("exports", exports.iter().map(|e| e.id.as_str()))?;
    let filesystems: Option<HashSet<String>> = if ctx.supports(C::FS) {
        Some(
            ctx.client
                .fs(None)
                .during("fs")?
                .into_iter()
                .map(|f| f.id)
                .collect(),
        )
    } else {
        None
    };
    for export in &exports {
        if let Some(filesystems) = &filesystems {
            ensure!(
                filesystems.contains(&export.fs_id),
                "export {} is of unknown fs {}",
                export.id,
                export.fs_id
            );
        }
        ensure!(
            !export.export_path.is_empty(),
            "export {} has an empty export_path",
            export.id
        );
        ensure!(
            export.anonuid >= -2 && export.anongid >= -2,
            "export {} has anonuid {} anongid {}",
            export.id,
            export.anonuid,
            export.anongid
        );
        if let Some(host) = export.rw.iter().find(|h| export.ro.contains(h)) {
            fail!(
                "export {} lists {host} as both read-write and read-only",
                export.id
            );
        }
    }
    unknown_key_refused(ctx, Listing::Exports, exports_by)
}

fn list_target_ports(ctx: &mut Ctx) -> CheckResult {
    let ports = ctx.client.target_ports(None).during("target_ports")?;
    unique_ids("target_ports", ports.iter().map(|p| p.id.as_str()))?;
    let systems = system_ids(ctx);
    for port in &ports {
        ensure!(
            systems.contains(&port.system_id),
            "target port {} belongs to unknown system {}",
            port.id,
            port.system_id
        );
        ensure!(
            port.port_type.is_known(),
            "target port {} has unknown port_type {:?}",
            port.id,
            port.port_type
        );
        ensure!(
            !port.service_address.is_empty(),
            "target port {} has an empty service_address",
            port.id
        );
        if port.port_type == TargetPortType::FC || port.port_type == TargetPortType::FCOE {
            ensure!(
                wwpn_normalize(&port.service_address).is_some(),
                "FC target port {} has service_address {:?}, not a WWPN",
                port.id,
                port.service_address
            );
        }
        if port.port_type == TargetPortType::ISCSI {
            ensure!(
                lsm_core::validate::iscsi_name_is_valid(&port.service_address),
                "iSCSI target port {} has service_address {:?}, not an iSCSI name",
                port.id,
                port.service_address
            );
        }
    }
    unknown_key_refused(ctx, Listing::TargetPorts, target_ports_by)
}

fn list_batteries(ctx: &mut Ctx) -> CheckResult {
    let batteries = ctx.client.batteries(None).during("batteries")?;
    unique_ids("batteries", batteries.iter().map(|b| b.id.as_str()))?;
    let systems = system_ids(ctx);
    for battery in &batteries {
        ensure!(
            systems.contains(&battery.system_id),
            "battery {} belongs to unknown system {}",
            battery.id,
            battery.system_id
        );
        ensure!(
            battery.battery_type.is_known(),
            "battery {} has unknown type {:?}",
            battery.id,
            battery.battery_type
        );
        ensure!(
            !battery.status.is_empty() && battery.status.is_known(),
            "battery {} has status {:?}",
            battery.id,
            battery.status
        );
    }
    unknown_key_refused(ctx, Listing::Batteries, batteries_by)
}
