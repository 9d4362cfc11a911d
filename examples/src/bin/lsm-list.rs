//! `lsm-list [URI]`: print the systems, pools and disks of one array as tables.
//!
//! With no URI it lists `sim://`, the simulator, which needs no daemon and no root: the
//! client spawns `sim_lsmplugin` itself (found next to this program, or on
//! `$LSM_PLUGIN_PATH`). The array password, if any, comes from `$LSMCLI_PASSWORD`.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use lsm_core::{BlockingClient, Capability, ErrorNumber, LsmError};
use lsm_examples::{DEFAULT_URI, disk_table, password_from_env, pool_table, system_table};

/// List the systems, pools and disks of a storage array.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Array URI, e.g. `sim://` or `sim://?statefile=/tmp/my.db`.
    #[arg(default_value = DEFAULT_URI)]
    uri: String,
    /// Timeout of each call, in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    timeout_ms: u64,
}

fn list(args: &Args) -> Result<(), LsmError> {
    let password = password_from_env();
    let timeout = Duration::from_millis(args.timeout_ms);
    let mut client = BlockingClient::connect(&args.uri, password.as_deref(), timeout)?;

    let systems = client.systems()?;
    println!("Systems\n{}", system_table(&systems));

    let pools = client.pools(None)?;
    println!("Pools\n{}", pool_table(&pools));

    // Disks are optional in LSM: ask only arrays that say they can list them.
    let mut disks = Vec::new();
    let mut disks_supported = false;
    for system in &systems {
        if client.capabilities(system)?.supported(Capability::DISKS) {
            disks_supported = true;
        }
    }
    if disks_supported {
        match client.disks(None) {
            Ok(listed) => disks = listed,
            Err(e) if e.code == ErrorNumber::NO_SUPPORT => disks_supported = false,
            Err(e) => return Err(e),
        }
    }
    if disks_supported {
        println!("Disks\n{}", disk_table(&disks));
    } else {
        println!("Disks: not supported by this array");
    }
    client.close()
}

fn main() -> ExitCode {
    let args = Args::parse();
    match list(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lsm-list: {}: {e}", args.uri);
            ExitCode::FAILURE
        }
    }
}
