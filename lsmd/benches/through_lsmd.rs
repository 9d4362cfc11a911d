//! `cargo bench -p lsmd`: many clients at once through lsmd, with embedded
//! mode as the baseline measured in the same run.
//!
//! Starts the real `lsmd` (built by this bench) on a temporary socket dir
//! with the workspace's `sim_lsmplugin` of the same profile, then runs the
//! same load twice: `--clients` concurrent clients (default 64), each making
//! `--calls` calls (default 1,000) alternating `systems` and `pools`, on one
//! shared sim state file,
//! 1. through lsmd (`BlockingClient::connect_daemon`), and
//! 2. embedded (`BlockingClient::connect_plugin_exe`: each client spawns its
//!    own sim on a socketpair).
//!
//! For each it prints the errors, total throughput (calls per second from
//! the moment every client is connected to the last call), p50/p99/max call
//! latency, and p50/p99 connect time (spawn + `plugin_register`). lsmd only
//! hands the connection over, so the call figures should match; connecting
//! is where the daemon shows. Exits non-zero when any call failed.
//!
//! Usage: `cargo bench -p lsmd -- [--clients N] [--calls N]`
//! (`cargo build --release -p plugin-sim` first, for the sim).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use lsm_core::{BlockingClient, ErrorNumber};
use lsm_test_support::{LsmdDirs, workspace_binary};

/// The lsmd binary cargo built for this bench.
const LSMD: &str = env!("CARGO_BIN_EXE_lsmd");
/// Timeout of every client.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(120);
/// Errors printed in full per mode (the rest are counted).
const ERRORS_SHOWN: usize = 5;

/// What to run.
#[derive(Debug, Clone, Copy)]
struct LoadShape {
    clients: usize,
    calls_per_client: usize,
}

impl LoadShape {
    /// Parses `--clients N` and `--calls N`; cargo's own `--bench` is ignored.
    fn from_args(args: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut shape = LoadShape {
            clients: 64,
            calls_per_client: 1_000,
        };
        let mut args = args.peekable();
        while let Some(arg) = args.next() {
            let target = match arg.as_str() {
                "--bench" => continue,
                "--clients" => &mut shape.clients,
                "--calls" => &mut shape.calls_per_client,
                other => {
                    return Err(format!(
                        "unknown argument {other:?} (use --clients N, --calls N)"
                    ));
                }
            };
            let value = args.next().ok_or_else(|| format!("{arg} needs a number"))?;
            *target = value
                .parse()
                .ok()
                .filter(|number: &usize| *number > 0)
                .ok_or_else(|| format!("{arg}: {value:?} is not a positive number"))?;
        }
        Ok(shape)
    }

    fn total_calls(&self) -> usize {
        self.clients * self.calls_per_client
    }
}

/// How each client of a run connects.
#[derive(Debug, Clone)]
enum ClientMode {
    ThroughLsmd { socket_dir: PathBuf },
    Embedded { plugin: PathBuf },
}

impl ClientMode {
    fn label(&self) -> &'static str {
        match self {
            ClientMode::ThroughLsmd { .. } => "through lsmd",
            ClientMode::Embedded { .. } => "embedded",
        }
    }

    fn connect(&self, uri: &str) -> lsm_core::Result<BlockingClient> {
        match self {
            ClientMode::ThroughLsmd { socket_dir } => {
                BlockingClient::connect_daemon(socket_dir, uri, None, CLIENT_TIMEOUT)
            }
            ClientMode::Embedded { plugin } => {
                BlockingClient::connect_plugin_exe(plugin, uri, None, CLIENT_TIMEOUT)
            }
        }
    }
}

/// What one client measured.
#[derive(Debug, Default)]
struct ClientReport {
    connect_time: Option<Duration>,
    call_latencies: Vec<Duration>,
    errors: Vec<String>,
}

/// What a whole run measured.
#[derive(Debug)]
struct LoadReport {
    mode: &'static str,
    wall_time: Duration,
    connect_times: Vec<Duration>,
    call_latencies: Vec<Duration>,
    errors: Vec<String>,
}

/// One client: connect, wait for every other client, make the calls, close.
fn run_client(
    mode: &ClientMode,
    uri: &str,
    calls: usize,
    everyone_connected: &Barrier,
) -> ClientReport {
    let mut report = ClientReport::default();
    let started = Instant::now();
    let connected = mode.connect(uri);
    report.connect_time = Some(started.elapsed());
    // Wait even when connecting failed, so that no client is left waiting.
    everyone_connected.wait();
    let mut client = match connected {
        Ok(client) => client,
        Err(error) => {
            report.errors.push(format!("connect: {error}"));
            return report;
        }
    };
    report.call_latencies.reserve(calls);
    for call in 0..calls {
        let started = Instant::now();
        let outcome = if call % 2 == 0 {
            client.systems().map(|_| ())
        } else {
            client.pools(None).map(|_| ())
        };
        report.call_latencies.push(started.elapsed());
        if let Err(error) = outcome {
            let session_lost = matches!(
                error.code,
                ErrorNumber::TIMEOUT | ErrorNumber::TRANSPORT_COMMUNICATION
            );
            report.errors.push(format!("call {call}: {error}"));
            if session_lost {
                // Every later call would fail the same way.
                break;
            }
        }
    }
    if let Err(error) = client.close() {
        report.errors.push(format!("close: {error}"));
    }
    report
}

/// Runs `shape` in `mode`; the clock starts once every client is connected.
fn run_load(mode: &ClientMode, uri: &str, shape: LoadShape) -> Result<LoadReport, String> {
    // The extra party is this thread, which starts the clock.
    let everyone_connected = Arc::new(Barrier::new(shape.clients + 1));
    let mut workers = Vec::with_capacity(shape.clients);
    for index in 0..shape.clients {
        let everyone_connected = Arc::clone(&everyone_connected);
        let mode = mode.clone();
        let uri = uri.to_string();
        let worker = thread::Builder::new()
            .name(format!("client-{index}"))
            .spawn(move || run_client(&mode, &uri, shape.calls_per_client, &everyone_connected))
            .map_err(|error| format!("cannot start client thread {index}: {error}"))?;
        workers.push(worker);
    }
    everyone_connected.wait();
    let started = Instant::now();
    let mut report = LoadReport {
        mode: mode.label(),
        wall_time: Duration::ZERO,
        connect_times: Vec::with_capacity(shape.clients),
        call_latencies: Vec::with_capacity(shape.total_calls()),
        errors: Vec::new(),
    };
    for (index, worker) in workers.into_iter().enumerate() {
        match worker.join() {
            Ok(client) => {
                report.connect_times.extend(client.connect_time);
                report.call_latencies.extend(client.call_latencies);
                report.errors.extend(
                    client
                        .errors
                        .into_iter()
                        .map(|error| format!("client {index}: {error}")),
                );
            }
            Err(_) => report
                .errors
                .push(format!("client {index}: thread panicked")),
        }
    }
    report.wall_time = started.elapsed();
    report.connect_times.sort();
    report.call_latencies.sort();
    Ok(report)
}

/// The value below which `fraction` of the sorted `values` lie.
fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64) * fraction).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

fn print_report(report: &LoadReport, shape: LoadShape) {
    let completed = report.call_latencies.len();
    let throughput = completed as f64 / report.wall_time.as_secs_f64().max(f64::EPSILON);
    println!(
        "{:<13} {:>8} {:>7} {:>9.2} {:>10.0} {:>9.0} {:>9.0} {:>9.0} {:>11.0} {:>11.0}",
        report.mode,
        format!("{completed}/{}", shape.total_calls()),
        report.errors.len(),
        report.wall_time.as_secs_f64(),
        throughput,
        micros(percentile(&report.call_latencies, 0.50)),
        micros(percentile(&report.call_latencies, 0.99)),
        micros(report.call_latencies.last().copied().unwrap_or_default()),
        micros(percentile(&report.connect_times, 0.50)),
        micros(percentile(&report.connect_times, 0.99)),
    );
    for error in report.errors.iter().take(ERRORS_SHOWN) {
        println!("    error: {error}");
    }
    if report.errors.len() > ERRORS_SHOWN {
        println!(
            "    ... and {} more errors",
            report.errors.len() - ERRORS_SHOWN
        );
    }
}

fn run() -> Result<bool, String> {
    let shape = LoadShape::from_args(std::env::args().skip(1))?;
    let sim_plugin = workspace_binary("sim_lsmplugin", "plugin-sim");
    // lsmd's plugin, socket and conf dirs; the sim's state file beside them.
    let dirs = LsmdDirs::new("lsmd-bench");
    dirs.link_plugin("sim_lsmplugin", &sim_plugin);
    let mut command = dirs.command(Path::new(LSMD));
    // An account that does not exist: lsmd keeps the current user.
    command.args(["--plugin-user", "lsmd-bench-no-such-user"]);
    // Waits for READY=1; killed when dropped (after the runs, or on a panic).
    let daemon = dirs.start(command);
    let uri = format!(
        "sim://?statefile={}",
        dirs.root().join("sim-state.db").display()
    );
    // Create the state file before the clients share it.
    ClientMode::Embedded {
        plugin: sim_plugin.clone(),
    }
    .connect(&uri)
    .and_then(BlockingClient::close)
    .map_err(|error| format!("cannot prepare the sim state: {error}"))?;

    println!(
        "{} clients x {} calls (systems/pools alternating), sim {}",
        shape.clients,
        shape.calls_per_client,
        sim_plugin.display()
    );
    println!(
        "{:<13} {:>8} {:>7} {:>9} {:>10} {:>9} {:>9} {:>9} {:>11} {:>11}",
        "mode",
        "calls",
        "errors",
        "wall s",
        "calls/s",
        "p50 us",
        "p99 us",
        "max us",
        "conn p50us",
        "conn p99us"
    );
    let modes = [
        ClientMode::ThroughLsmd {
            socket_dir: dirs.socket_dir.clone(),
        },
        ClientMode::Embedded {
            plugin: sim_plugin.clone(),
        },
    ];
    let mut clean = true;
    for mode in &modes {
        let report = run_load(mode, &uri, shape)?;
        print_report(&report, shape);
        clean &= report.errors.is_empty() && report.call_latencies.len() == shape.total_calls();
    }
    drop(daemon);
    Ok(clean)
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("lsmd bench: some calls failed");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("lsmd bench: {error}");
            ExitCode::FAILURE
        }
    }
}
