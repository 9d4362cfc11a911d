//! The `nstor://` plugin's figures against a real `lsm-arraysim --vendor nexenta` (release
//! build, TLS, one machine), each with a baseline measured in the same run:
//!
//! 1. `fs` and `volumes`: `fs()` over `--objects` file systems (default 10,000) and
//!    `volumes()` over as many zvols, through the plugin (embedded, a `BlockingClient`),
//!    vs a bare `lsm-rest` client fetching the same pages (`limit`/`offset`, `links` next)
//!    from the same simulator: `volumes()` reads the zvols and the logical units (for each
//!    one's vpd83), so its baseline fetches both. Taking turns over `--rounds` (default 5):
//!    best and median times, the ratio (target within 1.5x), the requests each made (from
//!    the simulator's counters; must be ceil(N / page size) per collection), and the peak
//!    RSS of the plugin process and of this client process.
//! 2. `cli`: a cold `lsmcli -u nstor://... list --type pools` (plugin start, TLS
//!    handshake, login, the pools and their root file systems), spawn to exit, median and
//!    p90 over `--cli-runs` (default 30; target median under 30 ms), taking turns with
//!    `lsmcli -u sim://... list --type pools` and a spawn of `true`.
//!
//! Usage: `cargo build --release -p plugin-nexenta -p lsm-arraysim -p lsmcli -p plugin-sim`,
//! then `cargo bench -p lsm-bench --bench nstor_bench -- [--only fs|volumes|cli]...
//! [--objects N] [--rounds N] [--cli-runs N]`.
//!
//! Exits non-zero when a call fails or a count is not the expected one; the times are
//! printed, never asserted.

use std::collections::BTreeMap;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use lsm_bench::vendors::nexenta::{
    FS_FIELDS, FS_PARENT, bare_list, bare_volumes, bench_zvol, logged_in, populate,
};
use lsm_core::BlockingClient;
use lsm_rest::RestClient;
use lsm_test_support::bench::{
    cold_runs, ms, percentile, plugin_child, proc_status_mib, request_counts, requests_between,
    reset_peak, show_requests, sorted,
};
use lsm_test_support::{ARRAYSIM_PASSWORD, ArraySim, bin_dir, workspace_binary};
use plugin_nexenta::client::api::PAGE_SIZE;
use serde_json::json;

const CALL_TIMEOUT: Duration = Duration::from_secs(600);
struct Options {
    sections: Vec<String>,
    objects: usize,
    rounds: usize,
    cli_runs: usize,
}

impl Options {
    fn from_args(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
        let mut options = Options {
            sections: Vec::new(),
            objects: 10_000,
            rounds: 5,
            cli_runs: 30,
        };
        while let Some(arg) = args.next() {
            if arg == "--bench" {
                continue;
            }
            let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
            if arg == "--only" {
                if !["fs", "volumes", "cli"].contains(&value.as_str()) {
                    return Err(format!("--only {value:?}: one of fs, volumes, cli"));
                }
                options.sections.push(value);
                continue;
            }
            let target = match arg.as_str() {
                "--objects" => &mut options.objects,
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
            options.sections = vec!["fs".into(), "volumes".into(), "cli".into()];
        }
        Ok(options)
    }

    fn runs(&self, section: &str) -> bool {
        self.sections.iter().any(|s| s == section)
    }
}

fn connect_plugin(sim: &ArraySim) -> Result<BlockingClient, String> {
    let plugin = workspace_binary("nstor_lsmplugin", "plugin-nexenta");
    BlockingClient::builder(sim.uri())
        .password(ARRAYSIM_PASSWORD)
        .timeout(CALL_TIMEOUT)
        .plugin_exe(&plugin)
        .connect()
        .map_err(|e| format!("connect to {}: {e}", plugin.display()))
}

/// What one listing compares: the plugin call and the bare pages.
struct Listing<'a> {
    name: &'a str,
    plugin: &'a dyn Fn(&mut BlockingClient) -> Result<usize, String>,
    bare: &'a dyn Fn(&RestClient) -> Result<usize, String>,
    /// The collections it reads, each `ceil(on the appliance / PAGE_SIZE)` pages.
    collections: &'a [&'a str],
}

fn bench_listing(
    sim: &ArraySim,
    options: &Options,
    listing: &Listing<'_>,
    expected: usize,
) -> Result<bool, String> {
    let mut clean = true;
    let mut client = connect_plugin(sim)?;
    let me = std::process::id();
    let plugin_pid = plugin_child(me, sim)?;
    let rest = logged_in(sim)?;
    // The appliance's own counts (the bench's objects and the inventory's).
    let mut wanted_pages = BTreeMap::new();
    for collection in listing.collections {
        let all = bare_list(&rest, collection, "path")?;
        wanted_pages.insert(
            format!("GET {collection}"),
            all.len().div_ceil(PAGE_SIZE) as u64,
        );
    }
    let before = request_counts(sim);
    let found = (listing.plugin)(&mut client)?;
    let plugin_requests = requests_between(&before, &request_counts(sim));
    let before = request_counts(sim);
    let bare_found = (listing.bare)(&rest)?;
    let bare_requests = requests_between(&before, &request_counts(sim));
    println!(
        "plugin {}(): {found} in {}; bare: {bare_found} in {}",
        listing.name,
        show_requests(&plugin_requests),
        show_requests(&bare_requests)
    );
    if found < expected {
        println!("    FAIL plugin: {found} objects, want at least {expected}");
        clean = false;
    }
    for (key, pages) in &wanted_pages {
        let made = plugin_requests.get(key).copied().unwrap_or(0);
        if made != *pages {
            println!("    FAIL plugin: {made} x {key}, want ceil(N / {PAGE_SIZE}) = {pages}");
            clean = false;
        }
    }
    let (mut plugin_times, mut bare_times) = (Vec::new(), Vec::new());
    let (mut plugin_peak, mut client_peak): (f64, f64) = (0.0, 0.0);
    for _ in 0..options.rounds {
        reset_peak(plugin_pid);
        reset_peak(me);
        let started = Instant::now();
        (listing.plugin)(&mut client)?;
        plugin_times.push(started.elapsed());
        plugin_peak = plugin_peak.max(proc_status_mib(plugin_pid, "VmHWM:"));
        client_peak = client_peak.max(proc_status_mib(me, "VmHWM:"));
        let started = Instant::now();
        (listing.bare)(&rest)?;
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
    workspace_binary("nstor_lsmplugin", "plugin-nexenta");
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
    let mut nstor = command(&sim.uri());
    nstor.env("LSMCLI_PASSWORD", ARRAYSIM_PASSWORD);
    let kinds = vec![
        ("lsmcli nstor://", nstor),
        ("lsmcli sim://", command(&sim_uri)),
        ("spawn of `true`", Command::new("true")),
    ];
    Ok(cold_runs(kinds, options.cli_runs, |label| {
        if label.contains("nstor") {
            "  (target median < 30 ms)"
        } else {
            ""
        }
    }))
}

fn run() -> Result<bool, String> {
    let options = Options::from_args(std::env::args().skip(1))?;
    let sim = ArraySim::start("nexenta", &[]);
    println!(
        "lsm-arraysim (nexenta) on 127.0.0.1:{}, plugins and lsmcli from {}",
        sim.port,
        bin_dir().display()
    );
    let mut clean = true;
    let n = options.objects;
    if options.runs("fs") {
        println!("== fs() with {n} file systems: plugin vs bare HTTP client, same simulator");
        let started = Instant::now();
        populate(
            &sim,
            n,
            "/storage/filesystems",
            |i| json!({"path": format!("{FS_PARENT}/bench_fs_{i}")}),
        )?;
        println!(
            "setup: {n} file systems in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let listing = Listing {
            name: "fs",
            plugin: &|client| {
                client
                    .fs(None)
                    .map(|l| l.len())
                    .map_err(|e| format!("fs(): {e}"))
            },
            bare: &|rest| bare_list(rest, "/storage/filesystems", FS_FIELDS).map(|l| l.len()),
            collections: &["/storage/filesystems"],
        };
        clean &= bench_listing(&sim, &options, &listing, n)?;
    }
    if options.runs("volumes") {
        println!("== volumes() with {n} zvols: plugin vs bare HTTP client, same simulator");
        let started = Instant::now();
        populate(&sim, n, "/storage/volumes", bench_zvol)?;
        println!(
            "setup: {n} zvols in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let listing = Listing {
            name: "volumes",
            plugin: &|client| {
                client
                    .volumes(None)
                    .map(|l| l.len())
                    .map_err(|e| format!("volumes(): {e}"))
            },
            bare: &bare_volumes,
            collections: &["/storage/volumes", "/san/logicalUnits"],
        };
        clean &= bench_listing(&sim, &options, &listing, n)?;
    }
    if options.runs("cli") {
        clean &= bench_cli(&sim, &options)?;
    }
    Ok(clean)
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("nstor_bench: some checks failed (see FAIL above)");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("nstor_bench: {error}");
            ExitCode::FAILURE
        }
    }
}
