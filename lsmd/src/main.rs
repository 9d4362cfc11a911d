//! `lsmd [--plugindir DIR] [--socketdir DIR] [--confdir DIR] [-v] [-d]`: the
//! command line around [`lsmd::run_daemon`].

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use lsmd::logging::{LogDestination, init_logging};
use lsmd::privilege::DEFAULT_UNPRIVILEGED_USER;
use lsmd::server::{DEFAULT_CONF_DIR, DEFAULT_PLUGIN_DIR, DEFAULT_SOCKET_DIR};
use lsmd::{DaemonOptions, run_daemon};

/// libStorageMgmt daemon: one socket per plugin, one plugin process per connection.
#[derive(Debug, Parser)]
#[command(name = "lsmd", version)]
struct Cli {
    /// Directory searched recursively for *_lsmplugin executables
    #[arg(long = "plugindir", value_name = "DIR", default_value = DEFAULT_PLUGIN_DIR)]
    plugin_dir: PathBuf,

    /// Directory for the plugin sockets and the lock file
    #[arg(long = "socketdir", value_name = "DIR", default_value = DEFAULT_SOCKET_DIR)]
    socket_dir: PathBuf,

    /// Directory holding lsmd.conf and pluginconf.d/
    #[arg(long = "confdir", value_name = "DIR", default_value = DEFAULT_CONF_DIR)]
    conf_dir: PathBuf,

    /// Verbose (debug) logging
    #[arg(short = 'v')]
    verbose: bool,

    /// Stay in the foreground and log to stdout
    #[arg(short = 'd')]
    foreground: bool,

    /// Account that lsmd and non-root plugins switch to (for testing)
    #[arg(long = "plugin-user", value_name = "USER", default_value = DEFAULT_UNPRIVILEGED_USER, hide = true)]
    unprivileged_user: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let destination = if cli.foreground {
        LogDestination::Stdout
    } else {
        LogDestination::Syslog
    };
    init_logging(destination, cli.verbose);
    let options = DaemonOptions {
        plugin_dir: cli.plugin_dir,
        socket_dir: cli.socket_dir,
        conf_dir: cli.conf_dir,
        foreground: cli.foreground,
        unprivileged_user: cli.unprivileged_user,
    };
    match run_daemon(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if !options.foreground {
                // Once detached, stderr is /dev/null: syslog is the only witness.
                tracing::error!("{error}");
            }
            eprintln!("lsmd: {error}");
            ExitCode::FAILURE
        }
    }
}
