//! Access group checks: create/delete with iSCSI and WWPN initiators,
//! adding and removing initiators, masking volumes both ways, and iSCSI CHAP
//! with and without credentials.

use lsm_core::{AccessGroup, Capability as C, ChapAuth, ChapCredentials, InitiatorType, Volume};

use crate::ctx::Ctx;
use crate::expect::{CheckResult, During, ok_or_no_state_change};
use crate::harness::Check;

/// The access group checks.
pub const CHECKS: &[Check] = &[
    Check {
        name: "access_group_create_delete_iqn",
        summary: "an access group made with an iSCSI initiator is listed as made, then deleted",
        requires: &[
            C::ACCESS_GROUPS,
            C::ACCESS_GROUP_CREATE_ISCSI_IQN,
            C::ACCESS_GROUP_DELETE,
        ],
        body: access_group_create_delete_iqn,
    },
    Check {
        name: "access_group_create_delete_wwpn",
        summary: "an access group made with a WWPN (any notation) lists it normalised, then is deleted",
        requires: &[
            C::ACCESS_GROUPS,
            C::ACCESS_GROUP_CREATE_WWPN,
            C::ACCESS_GROUP_DELETE,
        ],
        body: access_group_create_delete_wwpn,
    },
    Check {
        name: "access_group_initiator_add_delete_iqn",
        summary: "iSCSI (and WWPN) initiators added and removed change init_ids and init_type",
        requires: &[
            C::ACCESS_GROUPS,
            C::ACCESS_GROUP_CREATE_ISCSI_IQN,
            C::ACCESS_GROUP_DELETE,
            C::ACCESS_GROUP_INITIATOR_ADD_ISCSI_IQN,
            C::ACCESS_GROUP_INITIATOR_DELETE,
        ],
        body: access_group_initiator_add_delete_iqn,
    },
    Check {
        name: "access_group_initiator_add_delete_wwpn",
        summary: "WWPN initiators added and removed change init_ids",
        requires: &[
            C::ACCESS_GROUPS,
            C::ACCESS_GROUP_CREATE_WWPN,
            C::ACCESS_GROUP_DELETE,
            C::ACCESS_GROUP_INITIATOR_ADD_WWPN,
            C::ACCESS_GROUP_INITIATOR_DELETE,
        ],
        body: access_group_initiator_add_delete_wwpn,
    },
    Check {
        name: "volume_mask_unmask",
        summary: "masking shows both ways, re-masking changes nothing, unmasking removes it",
        requires: &[
            C::ACCESS_GROUPS,
            C::ACCESS_GROUP_CREATE_ISCSI_IQN,
            C::ACCESS_GROUP_DELETE,
            C::VOLUME_CREATE,
            C::VOLUME_DELETE,
            C::VOLUME_MASK,
            C::VOLUME_UNMASK,
        ],
        body: volume_mask_unmask,
    },
    Check {
        name: "iscsi_chap_auth",
        summary: "CHAP is set with no credentials, inbound, and inbound plus outbound",
        requires: &[
            C::ACCESS_GROUPS,
            C::ACCESS_GROUP_CREATE_ISCSI_IQN,
            C::ACCESS_GROUP_DELETE,
            C::VOLUME_ISCSI_CHAP_AUTHENTICATION,
        ],
        body: iscsi_chap_auth,
    },
];

/// A new group must be what was asked, and be listed as returned.
fn check_new_group(
    ctx: &mut Ctx,
    group: &AccessGroup,
    init_ids: &[String],
    init_type: InitiatorType,
) -> CheckResult {
    ensure!(
        group.init_ids == init_ids,
        "access group {} holds {:?}, expected {init_ids:?}",
        group.id,
        group.init_ids
    );
    ensure!(
        group.init_type == init_type,
        "access group {} has init_type {:?}, expected {init_type:?}",
        group.id,
        group.init_type
    );
    ensure!(
        group.system_id == ctx.system.id,
        "access group {} belongs to {}, made on {}",
        group.id,
        group.system_id,
        ctx.system.id
    );
    let Some(listed) = ctx.find_access_group(&group.id)? else {
        fail!("access group {} is not listed", group.id);
    };
    ensure!(
        listed.name == group.name && listed.init_ids == group.init_ids,
        "access group {} is listed as {listed:?} but was returned as {group:?}",
        group.id
    );
    Ok(())
}

fn create_delete(
    ctx: &mut Ctx,
    given: &str,
    normal: &str,
    init_type: InitiatorType,
) -> CheckResult {
    let name = ctx.unique_name();
    let group = ctx.create_access_group_named(&name, given, init_type)?;
    ensure!(
        group.name == name,
        "access group is named {:?}, asked for {name:?}",
        group.name
    );
    check_new_group(ctx, &group, &[normal.to_string()], init_type)?;
    ctx.delete_access_group(&group)?;
    ensure!(
        ctx.find_access_group(&group.id)?.is_none(),
        "access group {} is still listed after delete",
        group.id
    );
    Ok(())
}

fn access_group_create_delete_iqn(ctx: &mut Ctx) -> CheckResult {
    let iqn = ctx.unique_iqn();
    create_delete(ctx, &iqn, &iqn, InitiatorType::ISCSI_IQN)
}

fn access_group_create_delete_wwpn(ctx: &mut Ctx) -> CheckResult {
    let wwpn = ctx.unique_wwpn();
    // Given as 16 upper-case digits; it must come back as aa:bb:... .
    let given = wwpn.replace(':', "").to_uppercase();
    create_delete(ctx, &given, &wwpn, InitiatorType::WWPN)
}

/// Adds `init_id`, checks the group (returned and listed) then holds it with
/// `expect_type`.
fn add_initiator(
    ctx: &mut Ctx,
    group: &AccessGroup,
    init_id: &str,
    init_type: InitiatorType,
    expect_type: InitiatorType,
) -> CheckResult<AccessGroup> {
    let updated = ctx
        .client
        .access_group_initiator_add(group, init_id, init_type)
        .during(&format!("access_group_initiator_add({init_id})"))?;
    ensure!(
        updated.id == group.id,
        "initiator_add returned group {}, asked {}",
        updated.id,
        group.id
    );
    ensure!(
        updated.init_ids.iter().any(|i| i == init_id),
        "access group {} does not hold {init_id} after adding it: {:?}",
        group.id,
        updated.init_ids
    );
    ensure!(
        updated.init_type == expect_type,
        "access group {} has init_type {:?} after adding {init_id}, expected {expect_type:?}",
        group.id,
        updated.init_type
    );
    check_listed_like(ctx, &updated)?;
    Ok(updated)
}

/// Removes `init_id` and checks it is gone (returned and listed).
fn delete_initiator(
    ctx: &mut Ctx,
    group: &AccessGroup,
    init_id: &str,
    init_type: InitiatorType,
    expect_type: InitiatorType,
) -> CheckResult<AccessGroup> {
    let updated = ctx
        .client
        .access_group_initiator_delete(group, init_id, init_type)
        .during(&format!("access_group_initiator_delete({init_id})"))?;
    ensure!(
        !updated.init_ids.iter().any(|i| i == init_id),
        "access group {} still holds {init_id} after deleting it",
        group.id
    );
    ensure!(
        updated.init_type == expect_type,
        "access group {} has init_type {:?} after deleting {init_id}, expected {expect_type:?}",
        group.id,
        updated.init_type
    );
    check_listed_like(ctx, &updated)?;
    Ok(updated)
}

fn check_listed_like(ctx: &mut Ctx, group: &AccessGroup) -> CheckResult {
    let Some(listed) = ctx.find_access_group(&group.id)? else {
        fail!("access group {} is not listed", group.id);
    };
    let mut listed_ids = listed.init_ids.clone();
    let mut returned_ids = group.init_ids.clone();
    listed_ids.sort();
    returned_ids.sort();
    ensure!(
        listed_ids == returned_ids && listed.init_type == group.init_type,
        "access group {} is listed with {:?} ({:?}) but was returned with {:?} ({:?})",
        group.id,
        listed.init_ids,
        listed.init_type,
        group.init_ids,
        group.init_type
    );
    Ok(())
}

fn access_group_initiator_add_delete_iqn(ctx: &mut Ctx) -> CheckResult {
    let first = ctx.unique_iqn();
    let group = ctx.create_access_group(&first, InitiatorType::ISCSI_IQN)?;
    let second = ctx.unique_iqn();
    let group = add_initiator(
        ctx,
        &group,
        &second,
        InitiatorType::ISCSI_IQN,
        InitiatorType::ISCSI_IQN,
    )?;
    ensure!(
        group.init_ids.len() == 2,
        "access group {} holds {:?}, expected two initiators",
        group.id,
        group.init_ids
    );
    let group = if ctx.supports(C::ACCESS_GROUP_INITIATOR_ADD_WWPN) {
        let wwpn = ctx.unique_wwpn();
        let mixed = add_initiator(
            ctx,
            &group,
            &wwpn,
            InitiatorType::WWPN,
            InitiatorType::ISCSI_WWPN_MIXED,
        )?;
        delete_initiator(
            ctx,
            &mixed,
            &wwpn,
            InitiatorType::WWPN,
            InitiatorType::ISCSI_IQN,
        )?
    } else {
        group
    };
    let group = delete_initiator(
        ctx,
        &group,
        &second,
        InitiatorType::ISCSI_IQN,
        InitiatorType::ISCSI_IQN,
    )?;
    ensure!(
        group.init_ids == [first.clone()],
        "access group {} holds {:?}, expected only {first}",
        group.id,
        group.init_ids
    );
    Ok(())
}

fn access_group_initiator_add_delete_wwpn(ctx: &mut Ctx) -> CheckResult {
    let first = ctx.unique_wwpn();
    let group = ctx.create_access_group(&first, InitiatorType::WWPN)?;
    let second = ctx.unique_wwpn();
    let group = add_initiator(
        ctx,
        &group,
        &second,
        InitiatorType::WWPN,
        InitiatorType::WWPN,
    )?;
    let group = delete_initiator(
        ctx,
        &group,
        &second,
        InitiatorType::WWPN,
        InitiatorType::WWPN,
    )?;
    ensure!(
        group.init_ids == [first.clone()],
        "access group {} holds {:?}, expected only {first}",
        group.id,
        group.init_ids
    );
    Ok(())
}

/// Checks the mask is (or is not) visible from both sides.
fn masking_visible(
    ctx: &mut Ctx,
    group: &AccessGroup,
    volume: &Volume,
    masked: bool,
) -> CheckResult {
    let state = if masked { "masked" } else { "unmasked" };
    if ctx.supports(C::VOLUMES_ACCESSIBLE_BY_ACCESS_GROUP) {
        let volumes = ctx
            .client
            .volumes_accessible_by_access_group(group)
            .during("volumes_accessible_by_access_group")?;
        ensure!(
            volumes.iter().any(|v| v.id == volume.id) == masked,
            "volumes_accessible_by_access_group({}) gives {:?} with volume {} {state}",
            group.id,
            volumes.iter().map(|v| &v.id).collect::<Vec<_>>(),
            volume.id
        );
    }
    if ctx.supports(C::ACCESS_GROUPS_GRANTED_TO_VOLUME) {
        let groups = ctx
            .client
            .access_groups_granted_to_volume(volume)
            .during("access_groups_granted_to_volume")?;
        ensure!(
            groups.iter().any(|g| g.id == group.id) == masked,
            "access_groups_granted_to_volume({}) gives {:?} with it {state} to {}",
            volume.id,
            groups.iter().map(|g| &g.id).collect::<Vec<_>>(),
            group.id
        );
    }
    Ok(())
}

fn volume_mask_unmask(ctx: &mut Ctx) -> CheckResult {
    let group = ctx.iqn_access_group()?;
    let volume = ctx.scratch_volume()?;
    masking_visible(ctx, &group, &volume, false)?;
    ctx.mask(&group, &volume)?;
    masking_visible(ctx, &group, &volume, true)?;
    ok_or_no_state_change(
        ctx.client.volume_mask(&group, &volume),
        "volume_mask of an already masked volume",
    )?;
    masking_visible(ctx, &group, &volume, true)?;
    ctx.unmask(&group, &volume)?;
    masking_visible(ctx, &group, &volume, false)?;
    ok_or_no_state_change(
        ctx.client.volume_unmask(&group, &volume),
        "volume_unmask of a volume not masked",
    )
}

fn iscsi_chap_auth(ctx: &mut Ctx) -> CheckResult {
    let iqn = ctx.unique_iqn();
    ctx.create_access_group(&iqn, InitiatorType::ISCSI_IQN)?;
    let inbound = ChapAuth::inbound(ChapCredentials::new("lsmrs_in", "in-secret-12"));
    ctx.client
        .iscsi_chap_auth(&iqn, &ChapAuth::none())
        .during("iscsi_chap_auth without credentials")?;
    ctx.client
        .iscsi_chap_auth(&iqn, &inbound)
        .during("iscsi_chap_auth with inbound credentials")?;
    let mutual = inbound.with_outbound(ChapCredentials::new("lsmrs_out", "out-secret-12"));
    ctx.client
        .iscsi_chap_auth(&iqn, &mutual)
        .during("iscsi_chap_auth with inbound and outbound credentials")?;
    ctx.client
        .iscsi_chap_auth(&iqn, &ChapAuth::none())
        .during("iscsi_chap_auth clearing credentials")?;
    Ok(())
}
