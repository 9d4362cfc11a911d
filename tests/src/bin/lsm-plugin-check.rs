//! `lsm-plugin-check`: runs the LSM conformance suite against a plugin URI.
//!
//! Prints `PASS name`, `FAIL name: why` or `SKIP name: why` per check as it
//! finishes; after a run of every check, `claimed_capabilities_exercised` (each claimed
//! capability relied on by a passed check); then `N passed, N failed, N skipped`. Exits 0
//! only when nothing
//! failed (1 otherwise, 2 for bad arguments). The plugin is reached the usual
//! way (`LSM_UDS_PATH`, the default socket dir, else embedded through
//! `LSM_PLUGIN_PATH`), so it works with or without a daemon.
//!
//! It is the kit a plugin author runs on their plugin's executable: a plugin written
//! with `lsm_core::plugin` (a `Plugin` whose `register` opens a session implementing
//! `Management`, `San` and `Nas`; `main` is `run_plugin(MyPlugin)`, the executable named
//! `<scheme>_lsmplugin`; see `examples/src/example_plugin.rs`) is checked with
//! `LSM_PLUGIN_PATH=target/debug lsm-plugin-check --uri <scheme>://`. The checks run are
//! the ones the capabilities the plugin claims call for.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use lsm_core::BlockingClient;
use lsm_tests::{SuiteOptions, all_checks, run_checks};

/// Run the LSM plugin conformance checks against a URI.
#[derive(Debug, Parser)]
#[command(name = "lsm-plugin-check", version)]
struct Args {
    /// Plugin URI, e.g. `sim://` or `sim://?statefile=/tmp/s.db`.
    #[arg(long, short = 'u', env = "LSM_TEST_URI", default_value = "sim://")]
    uri: String,
    /// Password for plugin_register.
    #[arg(long, short = 'P', env = "LSM_TEST_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// Report this check as skipped without running it (repeatable).
    #[arg(long, value_name = "NAME")]
    skip: Vec<String>,
    /// Run only this check (repeatable).
    #[arg(long, value_name = "NAME")]
    only: Vec<String>,
    /// List the checks (name, required capabilities, summary) and exit.
    #[arg(long)]
    list: bool,
    /// Timeout of each plugin call, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 30_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    timeout: u64,
    /// Also print each check's time and notes to stderr.
    #[arg(long, short = 'v')]
    verbose: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let checks = all_checks();
    if args.list {
        for check in &checks {
            let caps: Vec<String> = check.requires.iter().map(|c| format!("{c:?}")).collect();
            let caps = if caps.is_empty() {
                "-".to_string()
            } else {
                caps.join(",")
            };
            println!("{}\t{caps}\t{}", check.name, check.summary);
        }
        return ExitCode::SUCCESS;
    }
    let mut client = BlockingClient::builder(args.uri).timeout(Duration::from_millis(args.timeout));
    if let Some(password) = args.password {
        client = client.password(password);
    }
    let options = SuiteOptions {
        client,
        skip: args.skip,
        only: args.only,
    };
    let unknown = options.unknown_names(&checks);
    if !unknown.is_empty() {
        eprintln!(
            "lsm-plugin-check: unknown check name(s): {} (see --list)",
            unknown.join(", ")
        );
        return ExitCode::from(2);
    }
    let verbose = args.verbose;
    let report = run_checks(&options, &checks, &mut |outcome| {
        println!("{}", outcome.line());
        if verbose {
            eprintln!("  {} took {} ms", outcome.name, outcome.elapsed.as_millis());
            for note in &outcome.notes {
                eprintln!("  {}: {note}", outcome.name);
            }
        }
    });
    if verbose {
        eprintln!("suite took {} ms", report.elapsed.as_millis());
    }
    println!("{}", report.summary_line());
    if report.failed() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
