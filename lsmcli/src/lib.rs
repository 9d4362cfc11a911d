//! `lsmcli`: the command line of lsm-rs, compatible with libStorageMgmt's `lsmcli` (same
//! commands, options, aliases, output modes, exit codes; protocol doc §9), plus `--json` on
//! every command, a progress bar while waiting for jobs, several `--uri` on `list`, shell
//! completions and a man page.
//!
//! # Layout
//! - [`cli`]: the clap definition (every command, option and alias), alias expansion,
//!   argparse-style usage errors, and which plugin each command needs.
//! - [`uri`]: which URI(s) and password to use (`-u` > `LSMCLI_URI` > `~/.lsmcli`).
//! - [`size`]: `--size` parsing and `-H` sizes.
//! - [`display`]: records, enum texts and the column/terse/script layouts.
//! - [`output`]: the run's stdout (text or one JSON document).
//! - [`commands`]: one module per command group, the routing of each command to its
//!   handler, and the session they share (jobs, prompts, id lookups).
//! - [`local_disks`], [`hosts`], [`prompt`], [`progress`]: this host's disks, host name
//!   checks, the confirmation prompt and the job progress bar.
//! - [`error`]: exit codes and error texts.
//!
//! [`run`] is the whole program; `main.rs` only calls it.

pub mod cli;
pub mod commands;
pub mod display;
pub mod error;
pub mod hosts;
pub mod local_disks;
pub mod output;
pub mod progress;
pub mod prompt;
pub mod size;
pub mod uri;

use std::ffi::OsString;
use std::future::Future;
use std::io::Write as _;
use std::time::Duration;

use cli::{Cli, Command, Parsed, PluginNeed};
use commands::{Context, DEFAULT_TIMEOUT_MS, Target};
use error::{CliError, EXIT_INTERRUPTED, Exit};
use output::Output;

/// Runs lsmcli with `argv` (program name first) and returns the process exit code. Writes
/// results to stdout and errors to stderr; never panics on any input.
pub fn run(argv: Vec<OsString>) -> i32 {
    if argv.len() <= 1 {
        // As the reference: no arguments at all prints the usage and exits 1.
        let _ = std::io::stdout().write_all(cli::usage_text().as_bytes());
        return EXIT_INTERRUPTED;
    }
    let cli = match cli::parse(&argv) {
        Ok(Parsed::Run(cli)) => cli,
        Ok(Parsed::Print(text)) => {
            return match std::io::stdout().write_all(text.as_bytes()) {
                Ok(()) => 0,
                Err(_) => EXIT_INTERRUPTED,
            };
        }
        Err(error) => {
            eprint!("{}", error.stderr_text());
            return error.exit_code();
        }
    };
    let mut out = Output::new(&cli.global);
    let result = execute(&cli, &mut out);
    out.finish(result.is_ok());
    let flushed = out.flush();
    match result {
        Ok(exit) if flushed.is_ok() => exit.code(),
        // stdout went away (a closed pipe): as the reference, exit 1 quietly.
        Ok(_) => EXIT_INTERRUPTED,
        Err(error) => {
            eprint!("{}", error.stderr_text());
            error.exit_code()
        }
    }
}

fn execute(cli: &Cli, out: &mut Output) -> Result<Exit, CliError> {
    let timeout_ms = cli.global.wait.unwrap_or(DEFAULT_TIMEOUT_MS);
    if timeout_ms <= 0 {
        return Err(CliError::argument(
            "[-w|--wait] requires a non-zero positive integer",
        ));
    }
    let timeout = Duration::from_millis(timeout_ms.unsigned_abs());

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            CliError::Lsm(lsm_core::LsmError::lib_bug(format!(
                "cannot start the async runtime: {e}"
            )))
        })?;

    let needs = cli.command.needs_plugin();
    let target = match needs {
        PluginNeed::Uri => Some(target(cli, timeout)?),
        PluginNeed::No | PluginNeed::Installed => None,
    };
    let command = commands::run(
        &cli.command,
        Context::new(out, &cli.global, timeout, target),
    );
    match needs {
        // Ctrl-C stops a command of this host as it stops any program.
        PluginNeed::No => runtime.block_on(command),
        PluginNeed::Installed | PluginNeed::Uri => runtime.block_on(until_interrupted(command)),
    }
}

/// The URIs and password of a command that talks to the plugin(s) of `--uri`.
fn target(cli: &Cli, timeout: Duration) -> Result<Target, CliError> {
    let uris = uri::resolve_uris(&cli.global.uri)
        .ok_or_else(|| CliError::argument("--uri missing or export LSMCLI_URI"))?;
    if uris.len() > 1 && !matches!(cli.command, Command::List(_)) {
        return Err(CliError::argument(
            "--uri can be given more than once only with the list command",
        ));
    }
    let password = uri::password(cli.global.prompt)?;
    for uri in &uris {
        uri::check_user_for_password(uri, password.as_deref())?;
    }
    Ok(Target {
        uris,
        password,
        timeout,
        fork_plugin: cli.global.fork_plugin.clone(),
    })
}

/// Runs `command` unless Ctrl-C comes first (exit 1, as the reference).
async fn until_interrupted(
    command: impl Future<Output = Result<Exit, CliError>>,
) -> Result<Exit, CliError> {
    tokio::select! {
        result = command => result,
        Ok(()) = tokio::signal::ctrl_c() => Err(CliError::Interrupted),
    }
}
