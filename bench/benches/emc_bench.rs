//! The `emc://` plugin's figures against a real `lsm-arraysim --vendor unity` (release
//! build, TLS, one machine), each with a baseline measured in the same run:
//!
//! 1. `volumes`: `volumes()` over `--luns` LUNs (default 10,000) through the plugin
//!    (embedded, a `BlockingClient`) vs a bare `lsm-rest` client with a Unisphere session
//!    fetching the same pages (`fields=` as the plugin asks, `per_page=2000`, `page=N`)
//!    from the same simulator. Taking turns over `--rounds` (default 5): best and median
//!    times, the ratio (target within 1.5x), the requests each made (from the simulator's
//!    counters; must be ceil(N / 2000)), and the peak RSS of the plugin process and of this
//!    client process.
//! 2. `cli`: a cold `lsmcli -u emc://... list --type pools` (plugin start, TLS handshake,
//!    login, serial number, pools), spawn to exit, median and p90 over `--cli-runs`
//!    (default 30; target median under 30 ms), taking turns with
//!    `lsmcli -u sim://... list --type pools` and a spawn of `true`.
//!
//! Usage: `cargo build --release -p plugin-emc -p lsm-arraysim -p lsmcli -p plugin-sim`,
//! then `cargo bench -p lsm-bench --bench emc_bench -- [--only volumes|cli]... [--luns N]
//! [--rounds N] [--cli-runs N]`.
//!
//! Exits non-zero when a call fails or a count is not the expected one; the times are
//! printed, never asserted.

use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use lsm_bench::vendors::unity::{bare_volumes, populate, session};
use lsm_core::BlockingClient;
use lsm_test_support::bench::{
    cold_runs, ms, percentile, plugin_child, proc_status_mib, request_counts, requests_between,
    reset_peak, show_requests, sorted,
};
use lsm_test_support::{ARRAYSIM_PASSWORD, ArraySim, bin_dir, workspace_binary};
use plugin_emc::client::api::DEFAULT_PAGE_SIZE;

const CALL_TIMEOUT: Duration = Duration::from_secs(600);
const LUN_LISTING: &str = "GET /api/types/lun/instances";
struct Options {
    sections: Vec<String>,
    luns: usize,
    rounds: usize,
    cli_runs: usize,
}

impl Options {
    fn from_args(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
        let mut options = Options {
            sections: Vec::new(),
            luns: 10_000,
            rounds: 5,
            cli_runs: 30,
        };
        while let Some(arg) = args.next() {
            if arg == "--bench" {
                continue;
            }
            let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
            if arg == "--only" {
                if !["volumes", "cli"].contains(&value.as_str()) {
                    return Err(format!("--only {value:?}: one of volumes, cli"));
                }
                options.sections.push(value);
                continue;
            }
            let target = match arg.as_str() {
                "--luns" => &mut options.luns,
                "--rounds" => &mut options.rounds,
                "--cli-runs" => &mut options.cli_runs,
                other => return Err(format!("unknown argument {other:?}")),
            };
            *target = value
                .parse()
                .ok()
                .filter(|n: &usize| *n > 0)
                .ok_or_else(|| format!("{arg}: {value:?} is not a positive number"))?;
        }
        if options.sections.is_empty() {
            options.sections = vec!["volumes".into(), "cli".into()];
        }
        Ok(options)
    }

    fn runs(&self, section: &str) -> bool {
        self.sections.iter().any(|s| s == section)
    }
}

fn bench_volumes(sim: &ArraySim, options: &Options) -> Result<bool, String> {
    let n = options.luns;
    println!("== volumes() with {n} LUNs: plugin vs bare HTTP client, same simulator");
    let rest = session(sim)?;
    let started = Instant::now();
    populate(&rest, n)?;
    println!(
        "setup: {n} LUNs in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let plugin = workspace_binary("emc_lsmplugin", "plugin-emc");
    let mut client = BlockingClient::builder(sim.uri())
        .password(ARRAYSIM_PASSWORD)
        .timeout(CALL_TIMEOUT)
        .plugin_exe(&plugin)
        .connect()
        .map_err(|e| format!("connect: {e}"))?;
    let me = std::process::id();
    let plugin_pid = plugin_child(me, sim)?;
    let mut clean = true;
    let before = request_counts(sim);
    let found = client
        .volumes(None)
        .map_err(|e| format!("volumes(): {e}"))?
        .len();
    let plugin_requests = requests_between(&before, &request_counts(sim));
    let before = request_counts(sim);
    let bare_found = bare_volumes(&rest)?;
    let bare_requests = requests_between(&before, &request_counts(sim));
    println!(
        "plugin volumes(): {found} in {}; bare: {bare_found} in {}",
        show_requests(&plugin_requests),
        show_requests(&bare_requests)
    );
    let pages = n.div_ceil(DEFAULT_PAGE_SIZE) as u64;
    if found != n || bare_found != n {
        println!("    FAIL: {found} / {bare_found} LUNs, want {n}");
        clean = false;
    }
    let made = plugin_requests.get(LUN_LISTING).copied().unwrap_or(0);
    let total: u64 = plugin_requests.values().sum();
    if made != pages || total != pages {
        println!(
            "    FAIL plugin: {made} x {LUN_LISTING} ({total} requests in all), want ceil(N / \
             {DEFAULT_PAGE_SIZE}) = {pages}"
        );
        clean = false;
    }
    let (mut plugin_times, mut bare_times) = (Vec::new(), Vec::new());
    let (mut plugin_peak, mut client_peak): (f64, f64) = (0.0, 0.0);
    for _ in 0..options.rounds {
        reset_peak(plugin_pid);
        reset_peak(me);
        let started = Instant::now();
        client
            .volumes(None)
            .map_err(|e| format!("volumes(): {e}"))?;
        plugin_times.push(started.elapsed());
        plugin_peak = plugin_peak.max(proc_status_mib(plugin_pid, "VmHWM:"));
        client_peak = client_peak.max(proc_status_mib(me, "VmHWM:"));
        let started = Instant::now();
        bare_volumes(&rest)?;
        bare_times.push(started.elapsed());
    }
    client.close().map_err(|e| format!("close: {e}"))?;
    let (plugin_times, bare_times) = (sorted(plugin_times), sorted(bare_times));
    for (label, times) in [("plugin", &plugin_times), ("bare", &bare_times)] {
        println!(
            "{label:7} best {:8.1} ms  median {:8.1} ms",
            ms(times[0]),
            ms(percentile(times, 0.5))
        );
    }
    println!(
        "ratio plugin / bare: best {:.2}x, median {:.2}x (target within 1.5x); peak RSS: plugin \
         {plugin_peak:.1} MiB, client (this process) {client_peak:.1} MiB",
        plugin_times[0].as_secs_f64() / bare_times[0].as_secs_f64(),
        percentile(&plugin_times, 0.5).as_secs_f64() / percentile(&bare_times, 0.5).as_secs_f64()
    );
    Ok(clean)
}

fn bench_cli(sim: &ArraySim, options: &Options) -> Result<bool, String> {
    println!(
        "== cold lsmcli list --type pools, spawn to exit, {} runs each, taking turns",
        options.cli_runs
    );
    let lsmcli = workspace_binary("lsmcli", "lsmcli");
    workspace_binary("emc_lsmplugin", "plugin-emc");
    workspace_binary("sim_lsmplugin", "plugin-sim");
    let state = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
    let sim_uri = format!("sim://?statefile={}", state.path().join("cli.db").display());
    let command = |uri: &str| {
        let mut command = Command::new(&lsmcli);
        command
            .args(["-u", uri, "list", "--type", "pools"])
            .env("LSM_PLUGIN_PATH", bin_dir())
            .env_remove("LSMCLI_PASSWORD")
            .env_remove("LSM_UDS_PATH")
            .env_remove("LSMCLI_URI");
        command
    };
    let mut emc = command(&sim.uri());
    emc.env("LSMCLI_PASSWORD", ARRAYSIM_PASSWORD);
    let kinds = vec![
        ("lsmcli emc://", emc),
        ("lsmcli sim://", command(&sim_uri)),
        ("spawn of `true`", Command::new("true")),
    ];
    Ok(cold_runs(kinds, options.cli_runs, |label| {
        if label.contains("emc") {
            "  (target median < 30 ms)"
        } else {
            ""
        }
    }))
}

fn run() -> Result<bool, String> {
    let options = Options::from_args(std::env::args().skip(1))?;
    let sim = ArraySim::start("unity", &[]);
    println!(
        "lsm-arraysim (unity) on 127.0.0.1:{}, plugins and lsmcli from {}",
        sim.port,
        bin_dir().display()
    );
    let mut clean = true;
    if options.runs("cli") {
        clean &= bench_cli(&sim, &options)?;
    }
    if options.runs("volumes") {
        clean &= bench_volumes(&sim, &options)?;
    }
    Ok(clean)
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("emc_bench: some checks failed (see FAIL above)");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("emc_bench: {error}");
            ExitCode::FAILURE
        }
    }
}
