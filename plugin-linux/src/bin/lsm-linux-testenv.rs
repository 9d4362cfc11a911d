//! `lsm-linux-testenv up|down --dir DIR`: a throwaway `linux://` array on
//! this host (see `plugin_linux::testenv`). `up` prints `KEY=value` lines,
//! the last one `URI=linux://?config=DIR/linux.toml`, and exits with the
//! daemons detached; `down` stops and removes everything.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use plugin_linux::testenv;

#[derive(Parser)]
#[command(
    name = "lsm-linux-testenv",
    about = "A throwaway linux:// storage array on this host (root only)"
)]
struct Cli {
    #[command(subcommand)]
    action: Action,
}

#[derive(Subcommand)]
enum Action {
    /// Build the array in DIR (new or empty) and print its URI last.
    Up {
        /// Directory holding every file, mount and log of the array.
        #[arg(long)]
        dir: PathBuf,
        /// Size of the sparse btrfs pool in GiB (at least 20).
        #[arg(long, default_value_t = 24)]
        btrfs_size_gib: u64,
    },
    /// Stop everything `up` started in DIR and remove DIR.
    Down {
        /// The directory given to `up`.
        #[arg(long)]
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.action {
        Action::Up {
            dir,
            btrfs_size_gib,
        } => {
            if btrfs_size_gib < 20 {
                eprintln!("lsm-linux-testenv: --btrfs-size-gib must be at least 20");
                return ExitCode::from(2);
            }
            let options = testenv::UpOptions {
                btrfs_size: btrfs_size_gib << 30,
                ..testenv::UpOptions::default()
            };
            match testenv::up(&dir, &options) {
                Ok(environment) => {
                    match testenv::print_summary(&environment, &mut std::io::stdout().lock()) {
                        Ok(()) => ExitCode::SUCCESS,
                        Err(error) => {
                            eprintln!("lsm-linux-testenv: writing stdout: {error}");
                            ExitCode::FAILURE
                        }
                    }
                }
                Err(error) => {
                    eprintln!("lsm-linux-testenv: up: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        Action::Down { dir } => match testenv::down(&dir) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("lsm-linux-testenv: down: {error}");
                ExitCode::FAILURE
            }
        },
    }
}
