//! The [`San`] impl: volumes (listing, create, resize, replication,
//! delete, enable/disable), disks, access groups and masking, target ports,
//! RAID, batteries, caches and identification LEDs.

use lsm_core::plugin::{Call, Completion, San, Search};
use lsm_core::types::*;
use lsm_core::{
    ErrorNumber, LsmError, PoolMemberInfo, RaidCreateCap, Result, VolumeCacheInfo, VolumeRaidInfo,
};
use rusqlite::{OptionalExtension, params};

use super::lookups::{
    ag_get, ag_number, ags_where, blocks_for, charge_pool, check_element, data_disks,
    initiator_unused, insert_volume, masked, new_job, pool_get, pool_raid, search_number,
    system_check, volume_children, volume_get, volume_name_free,
};
use super::rows::{blank_volume, disk_cols, disk_of, volume_cols, volume_fill, volume_of};
use super::{SimSession, lsm, not_found};
use crate::state::*;

/// The SQL and its argument for a `volumes` search; None when the search
/// names an id that cannot exist (nothing to list).
fn volumes_query(search: Option<&Search>) -> Option<(&'static str, Option<i64>)> {
    Some(
        match (
            search_number(search, "id", "VOL"),
            search_number(search, "pool_id", "POOL"),
        ) {
            (Some(None), _) | (_, Some(None)) => return None,
            (Some(Some(n)), _) => (
                concat!("SELECT ", volume_cols!(), " FROM volumes WHERE id = ?1"),
                Some(n),
            ),
            (_, Some(Some(n))) => (
                concat!(
                    "SELECT ",
                    volume_cols!(),
                    " FROM volumes WHERE pool_id = ?1 ORDER BY id"
                ),
                Some(n),
            ),
            _ => (
                concat!("SELECT ", volume_cols!(), " FROM volumes ORDER BY id"),
                None,
            ),
        },
    )
}

impl San for SimSession {
    fn volumes(&mut self, cx: &Call, search: Option<&Search>) -> Result<Vec<Volume>> {
        self.read(cx, |tx| {
            let Some((sql, arg)) = volumes_query(search) else {
                return Ok(Vec::new());
            };
            let mut stmt = tx.prepare_cached(sql)?;
            let rows = match arg {
                Some(a) => stmt
                    .query_map([a], volume_of)?
                    .collect::<rusqlite::Result<Vec<_>>>()?,
                None => stmt
                    .query_map([], volume_of)?
                    .collect::<rusqlite::Result<Vec<_>>>()?,
            };
            Ok(rows)
        })
    }

    /// One `Volume` reused for every row: no allocation per volume, and
    /// never the whole list in memory (100,000 volumes are ~30 MB as objects).
    fn volumes_each(
        &mut self,
        cx: &Call,
        search: Option<&Search>,
        emit: &mut dyn FnMut(&Volume) -> Result<()>,
    ) -> Result<()> {
        self.read(cx, |tx| {
            let Some((sql, arg)) = volumes_query(search) else {
                return Ok(());
            };
            let mut stmt = tx.prepare_cached(sql)?;
            let mut rows = match arg {
                Some(a) => stmt.query([a])?,
                None => stmt.query([])?,
            };
            let mut volume = blank_volume();
            while let Some(row) = rows.next()? {
                volume_fill(&mut volume, row)?;
                emit(&volume)?;
            }
            Ok(())
        })
    }

    fn disks(&mut self, cx: &Call, _search: Option<&Search>) -> Result<Vec<Disk>> {
        self.read_one(cx, |tx| {
            let mut stmt =
                tx.prepare_cached(concat!("SELECT ", disk_cols!(), " FROM disks ORDER BY id"))?;
            Ok(stmt
                .query_map([], disk_of)?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn volume_create(
        &mut self,
        cx: &Call,
        pool: &Pool,
        volume_name: &str,
        size_bytes: i64,
        provisioning: Provisioning,
    ) -> Result<Completion<Volume>> {
        self.write(cx, |tx| {
            let pool = pool_get(tx, &pool.id)?;
            check_element(&pool, PoolElementType::VOLUME, "volumes")?;
            volume_name_free(tx, volume_name)?;
            let pool_n = parse_id("POOL", &pool.id).unwrap_or_default();
            let blocks = blocks_for(size_bytes)?;
            charge_pool(tx, pool_n, blocks * BLOCK_SIZE)?;
            let n = insert_volume(
                tx,
                volume_name,
                blocks,
                pool_n,
                provisioning == Provisioning::THIN,
                None,
            )?;
            Ok(Completion::job(new_job(tx, Some(("volume", n)))?))
        })
    }

    fn volume_resize(
        &mut self,
        cx: &Call,
        volume: &Volume,
        new_size_bytes: i64,
    ) -> Result<Completion<Volume>> {
        self.write(cx, |tx| {
            let vol = volume_get(tx, &volume.id)?;
            let pool = pool_get(tx, &vol.pool_id)?;
            let new_blocks = blocks_for(new_size_bytes)?;
            if new_blocks == vol.num_of_blocks {
                return Err(lsm(
                    ErrorNumber::NO_STATE_CHANGE,
                    "Volume is already of the requested size",
                ));
            }
            let growing = new_blocks > vol.num_of_blocks;
            let refused = if growing {
                PoolUnsupportedActions::VOLUME_GROW
            } else {
                PoolUnsupportedActions::VOLUME_SHRINK
            };
            if pool.unsupported_actions.contains(refused) {
                return Err(lsm(
                    ErrorNumber::NO_SUPPORT,
                    format!(
                        "Pool {} does not support {} volumes",
                        pool.id,
                        if growing { "growing" } else { "shrinking" }
                    ),
                ));
            }
            let pool_n = parse_id("POOL", &pool.id).unwrap_or_default();
            charge_pool(
                tx,
                pool_n,
                (new_blocks - vol.num_of_blocks) * vol.block_size,
            )?;
            let n = parse_id("VOL", &vol.id).unwrap_or_default();
            tx.prepare_cached("UPDATE volumes SET num_of_blocks = ?1 WHERE id = ?2")?
                .execute(params![new_blocks, n])?;
            Ok(Completion::job(new_job(tx, Some(("volume", n)))?))
        })
    }

    fn volume_replicate(
        &mut self,
        cx: &Call,
        pool: Option<&Pool>,
        rep_type: ReplicationType,
        volume_src: &Volume,
        name: &str,
    ) -> Result<Completion<Volume>> {
        self.write(cx, |tx| {
            let src = volume_get(tx, &volume_src.id)?;
            let pool = pool_get(tx, pool.map(|p| p.id.as_str()).unwrap_or(&src.pool_id))?;
            check_element(&pool, PoolElementType::VOLUME, "volumes")?;
            volume_name_free(tx, name)?;
            let pool_n = parse_id("POOL", &pool.id).unwrap_or_default();
            charge_pool(tx, pool_n, src.size_bytes())?;
            let src_n = parse_id("VOL", &src.id).unwrap_or_default();
            let n = insert_volume(
                tx,
                name,
                src.num_of_blocks,
                pool_n,
                false,
                Some((src_n, rep_type.0)),
            )?;
            Ok(Completion::job(new_job(tx, Some(("volume", n)))?))
        })
    }

    fn volume_replicate_range_block_size(&mut self, cx: &Call, system: &System) -> Result<i64> {
        self.read(cx, |tx| system_check(tx, system))?;
        Ok(BLOCK_SIZE)
    }

    fn volume_replicate_range(
        &mut self,
        cx: &Call,
        rep_type: ReplicationType,
        volume_src: &Volume,
        volume_dest: &Volume,
        ranges: &[BlockRange],
    ) -> Result<Completion<()>> {
        if rep_type != ReplicationType::CLONE && rep_type != ReplicationType::COPY {
            return Err(LsmError::new(
                ErrorNumber::NO_SUPPORT,
                "block range replication supports only CLONE and COPY",
            ));
        }
        self.write(cx, |tx| {
            let src = volume_get(tx, &volume_src.id)?;
            let dest = volume_get(tx, &volume_dest.id)?;
            let invalid = |m: String| lsm(ErrorNumber::INVALID_ARGUMENT, m);
            for r in ranges {
                if r.src_block + r.block_count > src.num_of_blocks
                    || r.dest_block + r.block_count > dest.num_of_blocks
                {
                    return Err(invalid(format!(
                        "block range (src {}, dest {}, count {}) is beyond the end of a volume",
                        r.src_block, r.dest_block, r.block_count
                    )));
                }
            }
            let overlap = |a0: i64, a1: i64, b0: i64, b1: i64| a0 < b1 && b0 < a1;
            for (i, a) in ranges.iter().enumerate() {
                for b in &ranges[i + 1..] {
                    if overlap(
                        a.dest_block,
                        a.dest_block + a.block_count,
                        b.dest_block,
                        b.dest_block + b.block_count,
                    ) {
                        return Err(invalid("destination block ranges overlap".into()));
                    }
                }
                if src.id == dest.id {
                    for b in ranges {
                        if overlap(
                            a.src_block,
                            a.src_block + a.block_count,
                            b.dest_block,
                            b.dest_block + b.block_count,
                        ) {
                            return Err(invalid(
                                "source and destination ranges overlap on the same volume".into(),
                            ));
                        }
                    }
                }
            }
            Ok(Completion::job(new_job(tx, None)?))
        })
    }

    fn volume_delete(&mut self, cx: &Call, volume: &Volume) -> Result<Completion<()>> {
        self.write(cx, |tx| {
            let vol = volume_get(tx, &volume.id)?;
            let n = parse_id("VOL", &vol.id).unwrap_or_default();
            if masked(tx, n)? {
                return Err(lsm(
                    ErrorNumber::IS_MASKED,
                    format!("Volume {} is masked to an access group", vol.id),
                ));
            }
            if volume_children(tx, n)? > 0 {
                return Err(lsm(
                    ErrorNumber::HAS_CHILD_DEPENDENCY,
                    format!("Volume {} has replicas depending on it", vol.id),
                ));
            }
            let pool_n = parse_id("POOL", &vol.pool_id).unwrap_or_default();
            tx.prepare_cached("DELETE FROM volumes WHERE id = ?1")?
                .execute([n])?;
            let raid_pool: Option<i64> = tx
                .query_row("SELECT id FROM pools WHERE raid_volume_id = ?1", [n], |r| {
                    r.get(0)
                })
                .optional()?;
            match raid_pool {
                Some(p) => {
                    tx.prepare_cached("UPDATE disks SET pool_id = NULL WHERE pool_id = ?1")?
                        .execute([p])?;
                    tx.prepare_cached("DELETE FROM pools WHERE id = ?1")?
                        .execute([p])?;
                }
                None => charge_pool(tx, pool_n, -vol.size_bytes())?,
            }
            tx.prepare_cached("DELETE FROM masks WHERE volume_id = ?1")?
                .execute([n])?;
            Ok(Completion::job(new_job(tx, None)?))
        })
    }

    fn volume_enable(&mut self, cx: &Call, volume: &Volume) -> Result<()> {
        self.set_admin_state(cx, volume, VolumeAdminState::ENABLED)
    }

    fn volume_disable(&mut self, cx: &Call, volume: &Volume) -> Result<()> {
        self.set_admin_state(cx, volume, VolumeAdminState::DISABLED)
    }

    fn iscsi_chap_auth(
        &mut self,
        cx: &Call,
        init_id: &str,
        in_user: Option<&str>,
        in_password: Option<&str>,
        out_user: Option<&str>,
        out_password: Option<&str>,
    ) -> Result<()> {
        self.write(cx, |tx| {
            tx.prepare_cached("INSERT OR REPLACE INTO chap VALUES (?1, ?2, ?3, ?4, ?5)")?
                .execute(params![
                    init_id,
                    in_user,
                    in_password,
                    out_user,
                    out_password
                ])?;
            Ok(())
        })
    }

    fn access_groups(&mut self, cx: &Call, _search: Option<&Search>) -> Result<Vec<AccessGroup>> {
        self.read(cx, |tx| {
            ags_where(tx, "SELECT id FROM access_groups ORDER BY id", None)
        })
    }

    fn access_group_create(
        &mut self,
        cx: &Call,
        name: &str,
        init_id: &str,
        init_type: InitiatorType,
        system: &System,
    ) -> Result<AccessGroup> {
        self.write(cx, |tx| {
            system_check(tx, system)?;
            let taken: Option<i64> = tx
                .query_row(
                    "SELECT id FROM access_groups WHERE name = ?1",
                    [name],
                    |r| r.get(0),
                )
                .optional()?;
            if taken.is_some() {
                return Err(lsm(
                    ErrorNumber::NAME_CONFLICT,
                    format!("Name '{name}' is already in use by other access group"),
                ));
            }
            initiator_unused(tx, init_id)?;
            tx.prepare_cached("INSERT INTO access_groups (name) VALUES (?1)")?
                .execute([name])?;
            let n = tx.last_insert_rowid();
            tx.prepare_cached(
                "INSERT INTO initiators (init_id, init_type, ag_id) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![init_id, init_type.0, n])?;
            ag_get(tx, n)
        })
    }

    fn access_group_delete(&mut self, cx: &Call, access_group: &AccessGroup) -> Result<()> {
        self.write(cx, |tx| {
            let n = ag_number(tx, &access_group.id)?;
            let masks: i64 = tx
                .prepare_cached("SELECT count(*) FROM masks WHERE ag_id = ?1")?
                .query_row([n], |r| r.get(0))?;
            if masks > 0 {
                return Err(lsm(
                    ErrorNumber::IS_MASKED,
                    format!("Access group {} has volumes masked to it", access_group.id),
                ));
            }
            tx.prepare_cached("DELETE FROM initiators WHERE ag_id = ?1")?
                .execute([n])?;
            tx.prepare_cached("DELETE FROM access_groups WHERE id = ?1")?
                .execute([n])?;
            Ok(())
        })
    }

    fn access_group_initiator_add(
        &mut self,
        cx: &Call,
        access_group: &AccessGroup,
        init_id: &str,
        init_type: InitiatorType,
    ) -> Result<AccessGroup> {
        self.write(cx, |tx| {
            let n = ag_number(tx, &access_group.id)?;
            let owner: Option<i64> = tx
                .query_row(
                    "SELECT ag_id FROM initiators WHERE init_id = ?1",
                    [init_id],
                    |r| r.get(0),
                )
                .optional()?;
            match owner {
                Some(o) if o == n => {}
                Some(_) => initiator_unused(tx, init_id)?,
                None => {
                    tx.prepare_cached(
                        "INSERT INTO initiators (init_id, init_type, ag_id) VALUES (?1, ?2, ?3)",
                    )?
                    .execute(params![init_id, init_type.0, n])?;
                }
            }
            ag_get(tx, n)
        })
    }

    fn access_group_initiator_delete(
        &mut self,
        cx: &Call,
        access_group: &AccessGroup,
        init_id: &str,
        _init_type: InitiatorType,
    ) -> Result<AccessGroup> {
        self.write(cx, |tx| {
            let n = ag_number(tx, &access_group.id)?;
            let count: i64 = tx
                .prepare_cached("SELECT count(*) FROM initiators WHERE ag_id = ?1")?
                .query_row([n], |r| r.get(0))?;
            let present: i64 = tx
                .prepare_cached(
                    "SELECT count(*) FROM initiators WHERE ag_id = ?1 AND init_id = ?2",
                )?
                .query_row(params![n, init_id], |r| r.get(0))?;
            if present == 0 {
                return Err(lsm(
                    ErrorNumber::NO_STATE_CHANGE,
                    format!(
                        "Initiator {init_id} is not in access group {}",
                        access_group.id
                    ),
                ));
            }
            if count == 1 {
                return Err(lsm(
                    ErrorNumber::LAST_INIT_IN_ACCESS_GROUP,
                    format!(
                        "Initiator {init_id} is the last one of access group {}",
                        access_group.id
                    ),
                ));
            }
            tx.prepare_cached("DELETE FROM initiators WHERE ag_id = ?1 AND init_id = ?2")?
                .execute(params![n, init_id])?;
            ag_get(tx, n)
        })
    }

    fn volume_mask(
        &mut self,
        cx: &Call,
        access_group: &AccessGroup,
        volume: &Volume,
    ) -> Result<()> {
        self.write(cx, |tx| {
            let ag = ag_number(tx, &access_group.id)?;
            let vol = parse_id("VOL", &volume_get(tx, &volume.id)?.id).unwrap_or_default();
            let added = tx
                .prepare_cached("INSERT OR IGNORE INTO masks (ag_id, volume_id) VALUES (?1, ?2)")?
                .execute(params![ag, vol])?;
            if added == 0 {
                return Err(lsm(
                    ErrorNumber::NO_STATE_CHANGE,
                    format!(
                        "Volume {} is already masked to {}",
                        volume.id, access_group.id
                    ),
                ));
            }
            Ok(())
        })
    }

    fn volume_unmask(
        &mut self,
        cx: &Call,
        access_group: &AccessGroup,
        volume: &Volume,
    ) -> Result<()> {
        self.write(cx, |tx| {
            let ag = ag_number(tx, &access_group.id)?;
            let vol = parse_id("VOL", &volume_get(tx, &volume.id)?.id).unwrap_or_default();
            let removed = tx
                .prepare_cached("DELETE FROM masks WHERE ag_id = ?1 AND volume_id = ?2")?
                .execute(params![ag, vol])?;
            if removed == 0 {
                return Err(lsm(
                    ErrorNumber::NO_STATE_CHANGE,
                    format!("Volume {} is not masked to {}", volume.id, access_group.id),
                ));
            }
            Ok(())
        })
    }

    fn volumes_accessible_by_access_group(
        &mut self,
        cx: &Call,
        access_group: &AccessGroup,
    ) -> Result<Vec<Volume>> {
        self.read(cx, |tx| {
            let ag = ag_number(tx, &access_group.id)?;
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT {} FROM volumes v JOIN masks m ON m.volume_id = v.id \
                 WHERE m.ag_id = ?1 ORDER BY v.id",
                volume_cols!()
                    .split(", ")
                    .map(|c| format!("v.{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))?;
            Ok(stmt
                .query_map([ag], volume_of)?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn access_groups_granted_to_volume(
        &mut self,
        cx: &Call,
        volume: &Volume,
    ) -> Result<Vec<AccessGroup>> {
        self.read(cx, |tx| {
            let vol = parse_id("VOL", &volume_get(tx, &volume.id)?.id).unwrap_or_default();
            ags_where(
                tx,
                "SELECT ag_id FROM masks WHERE volume_id = ?1 ORDER BY ag_id",
                Some(vol),
            )
        })
    }

    fn volume_child_dependency(&mut self, cx: &Call, volume: &Volume) -> Result<bool> {
        self.read(cx, |tx| {
            let n = parse_id("VOL", &volume_get(tx, &volume.id)?.id).unwrap_or_default();
            Ok(volume_children(tx, n)? > 0)
        })
    }

    fn volume_child_dependency_rm(&mut self, cx: &Call, volume: &Volume) -> Result<Completion<()>> {
        self.write(cx, |tx| {
            let n = parse_id("VOL", &volume_get(tx, &volume.id)?.id).unwrap_or_default();
            if volume_children(tx, n)? == 0 {
                return Err(lsm(
                    ErrorNumber::NO_STATE_CHANGE,
                    format!("Volume {} has no child dependency", volume.id),
                ));
            }
            tx.prepare_cached("UPDATE volumes SET src_volume_id = NULL WHERE src_volume_id = ?1")?
                .execute([n])?;
            Ok(Completion::job(new_job(tx, None)?))
        })
    }

    fn target_ports(&mut self, cx: &Call, _search: Option<&Search>) -> Result<Vec<TargetPort>> {
        self.read(cx, |tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT id, port_type, service_address, network_address, physical_address, \
                 physical_name FROM target_ports ORDER BY id",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(TargetPort {
                    id: format_id("TGT_PORT", r.get(0)?),
                    port_type: TargetPortType(r.get(1)?),
                    service_address: r.get(2)?,
                    network_address: r.get(3)?,
                    physical_address: r.get(4)?,
                    physical_name: r.get(5)?,
                    system_id: SYSTEM_ID.to_string(),
                    plugin_data: None,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn volume_raid_info(&mut self, cx: &Call, volume: &Volume) -> Result<VolumeRaidInfo> {
        self.read(cx, |tx| {
            let vol = volume_get(tx, &volume.id)?;
            let pool_n = parse_id("POOL", &vol.pool_id).unwrap_or_default();
            let (raid_type, strip, disks) = pool_raid(tx, pool_n)?;
            Ok(VolumeRaidInfo {
                raid_type,
                strip_size: strip,
                disk_count: disks,
                min_io_size: strip,
                opt_io_size: strip * data_disks(raid_type, disks),
            })
        })
    }

    fn pool_member_info(&mut self, cx: &Call, pool: &Pool) -> Result<PoolMemberInfo> {
        self.read(cx, |tx| {
            let pool = pool_get(tx, &pool.id)?;
            let n = parse_id("POOL", &pool.id).unwrap_or_default();
            let (raid, member, parent): (i64, i64, Option<i64>) = tx
                .prepare_cached(
                    "SELECT raid_type, member_type, parent_pool_id FROM pools WHERE id = ?1",
                )?
                .query_row([n], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            let member_ids = match parent {
                Some(p) => vec![format_id("POOL", p)],
                None => {
                    let mut stmt =
                        tx.prepare_cached("SELECT id FROM disks WHERE pool_id = ?1 ORDER BY id")?;
                    stmt.query_map([n], |r| r.get::<_, i64>(0))?
                        .map(|r| r.map(|d| format_id("DISK", d)))
                        .collect::<rusqlite::Result<Vec<_>>>()?
                }
            };
            Ok(PoolMemberInfo {
                raid_type: RaidType(raid),
                member_type: MemberType(member),
                member_ids,
            })
        })
    }

    fn volume_raid_create_cap_get(&mut self, cx: &Call, system: &System) -> Result<RaidCreateCap> {
        self.read(cx, |tx| system_check(tx, system))?;
        Ok(RaidCreateCap {
            raid_types: RAID_TYPES.iter().map(|t| RaidType(*t)).collect(),
            strip_sizes: STRIP_SIZES.to_vec(),
        })
    }

    fn volume_raid_create(
        &mut self,
        cx: &Call,
        name: &str,
        raid_type: RaidType,
        disks: &[Disk],
        strip_size: i64,
    ) -> Result<Volume> {
        if !RAID_TYPES.contains(&raid_type.0) {
            return Err(LsmError::new(
                ErrorNumber::NO_SUPPORT,
                format!("RAID type {raid_type:?} is not supported"),
            ));
        }
        let strip = if strip_size == 0 {
            DEFAULT_STRIP_SIZE
        } else {
            strip_size
        };
        if !STRIP_SIZES.contains(&strip) {
            return Err(LsmError::new(
                ErrorNumber::INVALID_ARGUMENT,
                format!("strip size {strip_size} is not supported"),
            ));
        }
        self.write(cx, |tx| {
            volume_name_free(tx, name)?;
            let mut numbers = Vec::new();
            let mut smallest = i64::MAX;
            for d in disks {
                let missing = || not_found(ErrorNumber::NOT_FOUND_DISK, "Disk", &d.id);
                let n = parse_id("DISK", &d.id).ok_or_else(missing)?;
                let disk = tx
                    .query_row(concat!("SELECT ", disk_cols!(), " FROM disks WHERE id = ?1"), [n], disk_of)
                    .optional()?
                    .ok_or_else(missing)?;
                if !disk.status.contains(DiskStatus::FREE) {
                    return Err(lsm(
                        ErrorNumber::DISK_NOT_FREE,
                        format!("Disk {} is not free", disk.id),
                    ));
                }
                if numbers.contains(&n) {
                    return Err(lsm(
                        ErrorNumber::INVALID_ARGUMENT,
                        format!("Disk {} is given twice", disk.id),
                    ));
                }
                numbers.push(n);
                smallest = smallest.min(disk.size_bytes());
            }
            let count = numbers.len() as i64;
            let total = smallest.saturating_mul(data_disks(raid_type, count));
            tx.prepare_cached("INSERT INTO pools (name, element_type, unsupported_actions, total_space, used_space, \
                 status, status_info, parent_pool_id, raid_type, member_type, strip_size) \
                 VALUES (?1, ?2, 0, ?3, ?3, 2, '', NULL, ?4, 2, ?5)")?.execute(params![
                    format!("Pool for volume {name}"),
                    PoolElementType::VOLUME.0,
                    total,
                    raid_type.0,
                    strip
                ],
            )?;
            let pool_n = tx.last_insert_rowid();
            for n in &numbers {
                tx.prepare_cached("UPDATE disks SET pool_id = ?1 WHERE id = ?2")?.execute(params![pool_n, n])?;
            }
            let vol_n = insert_volume(tx, name, total / BLOCK_SIZE, pool_n, false, None)?;
            tx.prepare_cached("UPDATE pools SET raid_volume_id = ?1 WHERE id = ?2")?.execute(params![vol_n, pool_n],
            )?;
            volume_get(tx, &format_id("VOL", vol_n))
        })
    }

    fn volume_ident_led_on(&mut self, cx: &Call, volume: &Volume) -> Result<()> {
        self.set_led(cx, volume, true)
    }

    fn volume_ident_led_off(&mut self, cx: &Call, volume: &Volume) -> Result<()> {
        self.set_led(cx, volume, false)
    }

    fn batteries(&mut self, cx: &Call, _search: Option<&Search>) -> Result<Vec<Battery>> {
        self.read(cx, |tx| {
            let mut stmt =
                tx.prepare_cached("SELECT id, name, type, status FROM batteries ORDER BY id")?;
            let rows = stmt.query_map([], |r| {
                Ok(Battery {
                    id: format_id("BAT", r.get(0)?),
                    name: r.get(1)?,
                    battery_type: BatteryType(r.get(2)?),
                    status: BatteryStatus(r.get(3)?),
                    system_id: SYSTEM_ID.to_string(),
                    plugin_data: None,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn volume_cache_info(&mut self, cx: &Call, volume: &Volume) -> Result<VolumeCacheInfo> {
        self.read(cx, |tx| {
            let n = parse_id("VOL", &volume_get(tx, &volume.id)?.id).unwrap_or_default();
            let (wcp, rcp, pdc): (i64, i64, i64) = tx
                .prepare_cached("SELECT wcp, rcp, pdc FROM volumes WHERE id = ?1")?
                .query_row([n], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            let wcp = WriteCachePolicy(wcp);
            // The batteries are fine, so AUTO writes back.
            let write_status = if wcp == WriteCachePolicy::WRITE_THROUGH {
                WriteCacheStatus::WRITE_THROUGH
            } else {
                WriteCacheStatus::WRITE_BACK
            };
            Ok(VolumeCacheInfo {
                write_cache_policy: wcp,
                write_cache_status: write_status,
                read_cache_policy: ReadCachePolicy(rcp),
                read_cache_status: ReadCachePolicy(rcp),
                physical_disk_cache: PhysicalDiskCache(pdc),
            })
        })
    }

    fn volume_physical_disk_cache_update(
        &mut self,
        cx: &Call,
        volume: &Volume,
        pdc: PhysicalDiskCache,
    ) -> Result<()> {
        self.set_volume_column(cx, volume, "pdc", pdc.0)
    }

    fn volume_write_cache_policy_update(
        &mut self,
        cx: &Call,
        volume: &Volume,
        wcp: WriteCachePolicy,
    ) -> Result<()> {
        self.set_volume_column(cx, volume, "wcp", wcp.0)
    }

    fn volume_read_cache_policy_update(
        &mut self,
        cx: &Call,
        volume: &Volume,
        rcp: ReadCachePolicy,
    ) -> Result<()> {
        self.set_volume_column(cx, volume, "rcp", rcp.0)
    }
}

impl SimSession {
    fn set_admin_state(
        &mut self,
        cx: &Call,
        volume: &Volume,
        state: VolumeAdminState,
    ) -> Result<()> {
        self.write(cx, |tx| {
            let vol = volume_get(tx, &volume.id)?;
            if vol.admin_state == state {
                return Err(lsm(
                    ErrorNumber::NO_STATE_CHANGE,
                    format!(
                        "Volume {} is already {}",
                        vol.id,
                        if state == VolumeAdminState::ENABLED {
                            "enabled"
                        } else {
                            "disabled"
                        }
                    ),
                ));
            }
            let n = parse_id("VOL", &vol.id).unwrap_or_default();
            tx.prepare_cached("UPDATE volumes SET admin_state = ?1 WHERE id = ?2")?
                .execute(params![state.0, n])?;
            Ok(())
        })
    }

    fn set_led(&mut self, cx: &Call, volume: &Volume, on: bool) -> Result<()> {
        self.write(cx, |tx| {
            let n = parse_id("VOL", &volume_get(tx, &volume.id)?.id).unwrap_or_default();
            tx.prepare_cached("UPDATE volumes SET led = ?1 WHERE id = ?2")?
                .execute(params![on, n])?;
            Ok(())
        })
    }

    /// `column` is one of our own constant names, never client input.
    fn set_volume_column(
        &mut self,
        cx: &Call,
        volume: &Volume,
        column: &str,
        value: i64,
    ) -> Result<()> {
        self.write(cx, |tx| {
            let n = parse_id("VOL", &volume_get(tx, &volume.id)?.id).unwrap_or_default();
            tx.prepare_cached(&format!("UPDATE volumes SET {column} = ?1 WHERE id = ?2"))?
                .execute(params![value, n])?;
            Ok(())
        })
    }
}
