//! `list-pools-multi URI...`: the pools of several arrays, asked in parallel with the async
//! [`lsm_core::Client`]. Each array gets its own session (and, in embedded mode, its own
//! plugin process); results print in the order the URIs were given. One failing array does
//! not stop the others; the exit status is 1 if any failed.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use lsm_core::{Client, LsmError, Pool};
use lsm_examples::{password_from_env, pool_table};
use tokio::task::JoinSet;

/// List the pools of several arrays at once.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Array URIs, e.g. `sim://?statefile=/tmp/a.db sim://?statefile=/tmp/b.db`.
    #[arg(required = true)]
    uris: Vec<String>,
    /// Timeout of each call, in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    timeout_ms: u64,
}

/// One array: connect, list its pools, close.
async fn pools_of(
    uri: String,
    password: Option<String>,
    timeout: Duration,
) -> Result<Vec<Pool>, LsmError> {
    let mut client = Client::connect(&uri, password.as_deref(), timeout).await?;
    let pools = client.pools(None).await?;
    client.close().await?;
    Ok(pools)
}

async fn list_all(args: Args) -> bool {
    let password = password_from_env();
    let timeout = Duration::from_millis(args.timeout_ms);
    let mut tasks = JoinSet::new();
    for (index, uri) in args.uris.iter().enumerate() {
        let (uri, password) = (uri.clone(), password.clone());
        tasks.spawn(async move { (index, pools_of(uri, password, timeout).await) });
    }
    let mut results: Vec<Option<Result<Vec<Pool>, LsmError>>> = vec![None; args.uris.len()];
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((index, result)) => results[index] = Some(result),
            Err(e) => eprintln!("list-pools-multi: a listing task failed: {e}"),
        }
    }
    let mut all_ok = true;
    for (uri, result) in args.uris.iter().zip(results) {
        println!("== {uri}");
        match result {
            Some(Ok(pools)) => println!("{}", pool_table(&pools)),
            Some(Err(e)) => {
                all_ok = false;
                println!("error: {e}\n");
            }
            None => {
                all_ok = false;
                println!("error: the listing did not finish\n");
            }
        }
    }
    all_ok
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("list-pools-multi: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    if runtime.block_on(list_all(args)) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
