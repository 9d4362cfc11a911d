//! The session's [`San`] impl: each method checks what the SDK does not, then does the
//! work here when it is short, or in its concept module (`volumes`, `replication`,
//! `masking`, `chap`, `pools`, `disks`) when it is long. Every operation is done before
//! the call returns, except a full COPY, which runs as a job.

use lsm_core::plugin::{Call, Completion, San, Search};
use lsm_core::types::*;
use lsm_core::{PoolMemberInfo, Result};

use super::mapping::BLOCK_SIZE;
use super::masking::interface_of;
use super::replication::Replication;
use super::{Array, chap, disks, masking, pools, replication, volumes};

impl San for Array {
    /// An `id` or `pool_id` search reads just that volume or pool.
    fn volumes(&mut self, cx: &Call, search: Option<&Search>) -> Result<Vec<Volume>> {
        let volumes = match search {
            Some(search) if search.key == "id" => match self.volume_by_id(cx, &search.value) {
                Ok(volume) => vec![volume],
                Err(_) => Vec::new(),
            },
            Some(search) if search.key == "pool_id" => {
                self.host_volumes(cx, Some(&search.value))?
            }
            _ => self.host_volumes(cx, None)?,
        };
        Ok(volumes
            .iter()
            .map(|volume| volume.to_lsm(&self.system_id))
            .collect())
    }

    /// The runner applies the search.
    fn disks(&mut self, cx: &Call, _search: Option<&Search>) -> Result<Vec<Disk>> {
        disks::list(self, cx)
    }

    fn pool_member_info(&mut self, cx: &Call, pool: &Pool) -> Result<PoolMemberInfo> {
        pools::member_info(self, cx, pool)
    }

    fn volume_create(
        &mut self,
        cx: &Call,
        pool: &Pool,
        volume_name: &str,
        size_bytes: i64,
        provisioning: Provisioning,
    ) -> Result<Completion<Volume>> {
        volumes::create(self, cx, pool, volume_name, size_bytes, provisioning).map(Completion::Done)
    }

    fn volume_resize(
        &mut self,
        cx: &Call,
        volume: &Volume,
        new_size_bytes: i64,
    ) -> Result<Completion<Volume>> {
        volumes::resize(self, cx, volume, new_size_bytes).map(Completion::Done)
    }

    /// A CLONE is made at once; a COPY is reserved now and copied by a job.
    fn volume_replicate(
        &mut self,
        cx: &Call,
        pool: Option<&Pool>,
        rep_type: ReplicationType,
        volume_src: &Volume,
        name: &str,
    ) -> Result<Completion<Volume>> {
        match replication::replicate(self, cx, pool, rep_type, volume_src, name)? {
            Replication::Done(volume) => Ok(Completion::Done(volume)),
            Replication::Copy(copy) => {
                let job = self.spawn_job(cx, move |job_cx, progress| {
                    copy.run(job_cx, progress)
                        .map(|volume| Some(LsmObject::Volume(volume)))
                })?;
                Ok(Completion::job(job))
            }
        }
    }

    fn volume_replicate_range_block_size(&mut self, _cx: &Call, system: &System) -> Result<i64> {
        self.check_system(system)?;
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
        replication::copy_ranges(self, cx, rep_type, volume_src, volume_dest, ranges)
            .map(Completion::Done)
    }

    fn volume_delete(&mut self, cx: &Call, volume: &Volume) -> Result<Completion<()>> {
        volumes::delete(self, cx, volume).map(Completion::Done)
    }

    fn volume_enable(&mut self, cx: &Call, volume: &Volume) -> Result<()> {
        volumes::set_enabled(self, cx, volume, true)
    }

    fn volume_disable(&mut self, cx: &Call, volume: &Volume) -> Result<()> {
        volumes::set_enabled(self, cx, volume, false)
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
        chap::set_credentials(
            self,
            cx,
            init_id,
            in_user,
            in_password,
            out_user,
            out_password,
        )
    }

    /// The recorded targets (replayed into tgtd first if it lost them); the runner
    /// applies the search.
    fn access_groups(&mut self, cx: &Call, _search: Option<&Search>) -> Result<Vec<AccessGroup>> {
        let tgt = self.tgt(cx)?;
        self.with_state_and_secrets(cx, |array, state, secrets| {
            array.live_targets(&tgt, state, secrets)?;
            Ok(state
                .targets
                .iter()
                .map(|record| array.access_group_of(record))
                .collect())
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
        masking::create(self, cx, name, init_id, init_type, system)
    }

    fn access_group_delete(&mut self, cx: &Call, access_group: &AccessGroup) -> Result<()> {
        masking::delete(self, cx, access_group)
    }

    fn access_group_initiator_add(
        &mut self,
        cx: &Call,
        access_group: &AccessGroup,
        init_id: &str,
        init_type: InitiatorType,
    ) -> Result<AccessGroup> {
        masking::add_initiator(self, cx, access_group, init_id, init_type)
    }

    fn access_group_initiator_delete(
        &mut self,
        cx: &Call,
        access_group: &AccessGroup,
        init_id: &str,
        _init_type: InitiatorType,
    ) -> Result<AccessGroup> {
        masking::remove_initiator(self, cx, access_group, init_id)
    }

    fn volume_mask(
        &mut self,
        cx: &Call,
        access_group: &AccessGroup,
        volume: &Volume,
    ) -> Result<()> {
        masking::mask(self, cx, access_group, volume)
    }

    fn volume_unmask(
        &mut self,
        cx: &Call,
        access_group: &AccessGroup,
        volume: &Volume,
    ) -> Result<()> {
        masking::unmask(self, cx, access_group, volume)
    }

    /// The volumes of the group's LUNs (one gone from the host is left out, and logged).
    fn volumes_accessible_by_access_group(
        &mut self,
        cx: &Call,
        access_group: &AccessGroup,
    ) -> Result<Vec<Volume>> {
        let state = self.read_state(cx)?;
        let index = Self::record_index(&state, &access_group.id)?;
        let mut volumes = Vec::new();
        for lun in &state.targets[index].luns {
            match self.volume_by_id(cx, &lun.volume_id) {
                Ok(volume) => volumes.push(volume.to_lsm(&self.system_id)),
                Err(error) => {
                    tracing::warn!(volume = %lun.volume_id, %error, "masked volume not found");
                }
            }
        }
        Ok(volumes)
    }

    /// The groups whose target has a LUN of the volume.
    fn access_groups_granted_to_volume(
        &mut self,
        cx: &Call,
        volume: &Volume,
    ) -> Result<Vec<AccessGroup>> {
        let id = self.volume_by_id(cx, &volume.id)?.id();
        let state = self.read_state(cx)?;
        Ok(state
            .targets
            .iter()
            .filter(|record| record.luns.iter().any(|lun| lun.volume_id == id))
            .map(|record| self.access_group_of(record))
            .collect())
    }

    /// Whether a replica (or an LVM snapshot) still depends on the volume.
    fn volume_child_dependency(&mut self, cx: &Call, volume: &Volume) -> Result<bool> {
        let host = self.volume_by_id(cx, &volume.id)?;
        Ok(host.is_lvm_origin() || !self.replicas_of(cx, &host.vpd83)?.is_empty())
    }

    fn volume_child_dependency_rm(&mut self, cx: &Call, volume: &Volume) -> Result<Completion<()>> {
        replication::remove_dependencies(self, cx, volume).map(Completion::Done)
    }

    /// One per configured portal; the runner applies the search.
    fn target_ports(&mut self, _cx: &Call, _search: Option<&Search>) -> Result<Vec<TargetPort>> {
        let iscsi = self.iscsi()?;
        let service_address = iscsi.target_iqn_prefix.trim_end_matches(':').to_owned();
        Ok(iscsi
            .portals
            .iter()
            .map(|portal| {
                let (physical_name, physical_address) = interface_of(portal.ip());
                TargetPort {
                    id: format!("iscsi-{portal}"),
                    port_type: TargetPortType::ISCSI,
                    service_address: service_address.clone(),
                    network_address: portal.to_string(),
                    physical_address,
                    physical_name,
                    system_id: self.system_id.clone(),
                    plugin_data: None,
                }
            })
            .collect())
    }
}
