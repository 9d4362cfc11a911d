//! `create-and-mask [URI]`: the life of a volume exported to one iSCSI host.
//!
//! Checks the array's capabilities, creates a volume in the pool with the most free space
//! (waiting for the job and showing its progress), creates an access group holding one iSCSI
//! initiator, masks the volume to it, shows who sees what, then removes everything it made,
//! in reverse order, even when a step fails.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use lsm_core::{
    AccessGroup, BlockingClient, Capabilities, Capability, InitiatorType, LsmError, Pool,
    PoolElementType, Provisioning, System, Volume,
};
use lsm_examples::{DEFAULT_URI, human_size, password_from_env};

/// Create a volume and an access group, mask, show, clean up.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Array URI.
    #[arg(default_value = DEFAULT_URI)]
    uri: String,
    /// Volume size in MiB.
    #[arg(long, default_value_t = 100)]
    size_mib: i64,
    /// iSCSI initiator (IQN) of the host to grant access to.
    #[arg(long, default_value = "iqn.1994-05.com.example:lsm-example-host")]
    iqn: String,
    /// Timeout of each call, in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    timeout_ms: u64,
}

/// What this run created, undone in reverse order at the end.
enum Created {
    Volume(Volume),
    AccessGroup(AccessGroup),
    Mask(AccessGroup, Volume),
}

const REQUIRED: &[Capability] = &[
    Capability::VOLUME_CREATE,
    Capability::VOLUME_DELETE,
    Capability::ACCESS_GROUP_CREATE_ISCSI_IQN,
    Capability::ACCESS_GROUP_DELETE,
    Capability::VOLUME_MASK,
    Capability::VOLUME_UNMASK,
];

fn check_capabilities(capabilities: &Capabilities) -> Result<(), LsmError> {
    let missing: Vec<String> = REQUIRED
        .iter()
        .filter(|cap| !capabilities.supported(**cap))
        .map(|cap| cap.to_string())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(LsmError::no_support(format!(
            "this array lacks {}",
            missing.join(", ")
        )))
    }
}

/// The pool of `system` that can hold the volume and has the most free space.
fn choose_pool(pools: Vec<Pool>, system: &System, size: i64) -> Result<Pool, LsmError> {
    pools
        .into_iter()
        .filter(|pool| pool.system_id == system.id)
        .filter(|pool| pool.element_type.contains(PoolElementType::VOLUME))
        .filter(|pool| !pool.element_type.contains(PoolElementType::SYS_RESERVED))
        .filter(|pool| pool.free_space >= size)
        .max_by_key(|pool| pool.free_space)
        .ok_or_else(|| {
            LsmError::invalid_argument(format!(
                "no pool of {} has {} free for volumes",
                system.id,
                human_size(size)
            ))
        })
}

/// The steps that create things; each one is recorded in `created` as soon as it exists.
fn create_and_show(
    client: &mut BlockingClient,
    args: &Args,
    created: &mut Vec<Created>,
) -> Result<(), LsmError> {
    let size = args
        .size_mib
        .checked_mul(1024 * 1024)
        .filter(|size| *size > 0)
        .ok_or_else(|| LsmError::invalid_argument("--size-mib must be a positive size"))?;
    let systems = client.systems()?;
    let system = systems
        .first()
        .ok_or_else(|| LsmError::plugin_bug("the array reports no system"))?;
    check_capabilities(&client.capabilities(system)?)?;
    let pool = choose_pool(client.pools(None)?, system, size)?;
    println!(
        "pool: {} ({}, {} free)",
        pool.id,
        pool.name,
        human_size(pool.free_space)
    );

    let suffix = std::process::id();
    let job = client.volume_create(
        &pool,
        &format!("lsm-example-vol-{suffix}"),
        size,
        Provisioning::DEFAULT,
    )?;
    let volume = client.wait(job, |percent| println!("  volume_create: {percent}%"))?;
    println!(
        "volume: {} {} ({}, vpd83 {})",
        volume.id,
        volume.name,
        human_size(volume.size_bytes()),
        volume.vpd83
    );
    created.push(Created::Volume(volume.clone()));

    let group = client.access_group_create(
        &format!("lsm-example-ag-{suffix}"),
        &args.iqn,
        InitiatorType::ISCSI_IQN,
        system,
    )?;
    println!(
        "access group: {} {} {:?}",
        group.id, group.name, group.init_ids
    );
    created.push(Created::AccessGroup(group.clone()));

    client.volume_mask(&group, &volume)?;
    created.push(Created::Mask(group.clone(), volume.clone()));
    println!("masked {} to {}", volume.id, group.id);

    let visible: Vec<String> = client
        .volumes_accessible_by_access_group(&group)?
        .into_iter()
        .map(|v| v.id)
        .collect();
    println!("{} sees: {visible:?}", group.id);
    let granted: Vec<String> = client
        .access_groups_granted_to_volume(&volume)?
        .into_iter()
        .map(|g| g.id)
        .collect();
    println!("{} is granted to: {granted:?}", volume.id);
    Ok(())
}

/// Undo everything in reverse order; report (but go past) each failure.
fn clean_up(client: &mut BlockingClient, created: Vec<Created>) -> bool {
    let mut all_undone = true;
    for item in created.into_iter().rev() {
        let (what, result) = match &item {
            Created::Mask(group, volume) => (
                format!("unmask {} from {}", volume.id, group.id),
                client.volume_unmask(group, volume),
            ),
            Created::AccessGroup(group) => (
                format!("delete access group {}", group.id),
                client.access_group_delete(group),
            ),
            Created::Volume(volume) => (
                format!("delete volume {}", volume.id),
                client
                    .volume_delete(volume)
                    .and_then(|job| client.wait_done(job)),
            ),
        };
        match result {
            Ok(()) => println!("cleanup: {what}"),
            Err(e) => {
                all_undone = false;
                eprintln!("cleanup: cannot {what}: {e}");
            }
        }
    }
    all_undone
}

fn main() -> ExitCode {
    let args = Args::parse();
    let password = password_from_env();
    let timeout = Duration::from_millis(args.timeout_ms);
    let mut client = match BlockingClient::connect(&args.uri, password.as_deref(), timeout) {
        Ok(client) => client,
        Err(e) => {
            eprintln!("create-and-mask: {}: {e}", args.uri);
            return ExitCode::FAILURE;
        }
    };
    let mut created = Vec::new();
    let outcome = create_and_show(&mut client, &args, &mut created);
    let cleaned = clean_up(&mut client, created);
    if let Err(e) = client.close() {
        eprintln!("create-and-mask: closing the session: {e}");
    }
    match outcome {
        Ok(()) if cleaned => ExitCode::SUCCESS,
        Ok(()) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("create-and-mask: {e}");
            ExitCode::FAILURE
        }
    }
}
