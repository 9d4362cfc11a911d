//! `cargo bench -p lsm-bench --bench ontap_bench`: issue 11's figures
//! for `ontap_lsmplugin` against a real `lsm-arraysim --vendor ontap` over
//! TLS, each printed next to a baseline measured in the same run on the same
//! simulator.
//!
//! 1. `volumes`: `volumes()` through the plugin with `--luns N` LUNs (default
//!    10,000, made in setup, not timed, by concurrent `POST /api/storage/luns`
//!    of thin LUNs in `vol1` of `vs0`): wall time per call (median over
//!    `--rounds`), the requests it made (from `GET /_arraysim/stats`: it must
//!    be `ceil(N / PAGE_SIZE)` pages of `/api/storage/luns`; the plugin also
//!    lists the SVM's FlexVols, to name each LUN's pool: counted and printed
//!    too), peak memory (VmHWM, reset through `/proc/PID/clear_refs` before
//!    each call, after `malloc_trim` here) of the plugin (the child of this
//!    process that is not the simulator) and of this client, and the CPU time
//!    of the plugin, the client and the simulator per call. Baseline: a bare
//!    `lsm_rest::RestClient` of the bench's own (the same reqwest + rustls
//!    stack as the plugin's, so the ratio is what the plugin adds) fetching
//!    the same pages (same path, `max_records`, `svm.name=` and `fields=` as
//!    the plugin's `luns()`, following `_links.next.href`) and parsing each
//!    page into a `serde_json::Value`. Prints the ratio (target within 1.5x).
//! 2. `cli`: cold `lsmcli -u ontap://... list --type pools` (password in
//!    `LSMCLI_PASSWORD`, `LSM_UDS_PATH` and `LSMCLI_URI` removed; embedded
//!    mode: lsmcli spawns the `ontap_lsmplugin` beside it, `LSM_PLUGIN_PATH`
//!    names this profile's target dir), spawn to
//!    exit, median and p90 over `--cli-runs` (default 30; target median under
//!    30 ms), taking turns with the baseline `lsmcli -u sim://... list --type
//!    pools` (a temporary state file) and a spawn of `true`.
//! 3. `systems`: `systems()` on a live session vs a bare kept-alive
//!    `GET /api/cluster?fields=name,uuid,version` (and vs the pair of bare
//!    requests the plugin's `systems()` makes: that one and
//!    `GET /api/cluster/nodes`, one after the other and at the same time),
//!    taking turns in blocks of 100, p50/p99 over `--calls` (default 2,000)
//!    each; then again (at most 300 calls each) with the array 2 ms away (a
//!    latency fault on `/api/cluster*`). The figure is the ratio to
//!    ONE bare request (target within 2x); the ratios to the pair are printed
//!    too.
//!
//! Usage: `cargo build --release -p plugin-netapp -p lsm-arraysim -p lsmcli
//! -p plugin-sim` (the binaries of the bench's profile), then
//! `cargo bench -p lsm-bench --bench ontap_bench -- [--only
//! volumes|cli|systems]... [--luns N] [--rounds N] [--cli-runs N]
//! [--calls N]` (with no `--only`, all three).
//!
//! Exits non-zero when a call fails or a request count is not the expected
//! one; the times are printed, never asserted.

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use lsm_bench::vendors::ontap::{BareClient, SETUP_CLIENTS, populate_luns};
use lsm_core::BlockingClient;
use lsm_rest::Request;
use lsm_test_support::bench::{
    cold_runs, cpu_time, ms, percentile, plugin_child, proc_status_mib, request_counts,
    requests_between, reset_peak, show_requests, sorted,
};
use lsm_test_support::{ARRAYSIM_PASSWORD, ArraySim, bin_dir, workspace_binary};
use plugin_netapp::client::api::PAGE_SIZE;
use serde_json::json;

/// Timeout of every LSM call.
const CALL_TIMEOUT: Duration = Duration::from_secs(300);
/// The `fields=` of the plugin's `cluster()` and `nodes()`.
const CLUSTER_FIELDS: &str = "name,uuid,version";
const NODE_FIELDS: &str = "name,uuid,state,model,serial_number";
/// The stats key of the LUN listing.
const LUN_LIST: &str = "GET /api/storage/luns";
/// The stats key of the FlexVol listing.
const VOLUME_LIST: &str = "GET /api/storage/volumes";
/// Calls of each kind in a row before the next kind takes its turn.
const BLOCK: usize = 100;

/// What to run.
#[derive(Debug, Clone)]
struct Options {
    sections: Vec<String>,
    luns: usize,
    rounds: usize,
    cli_runs: usize,
    calls: usize,
}

impl Options {
    /// Parses the arguments; cargo's own `--bench` is ignored.
    fn from_args(args: impl Iterator<Item = String>) -> Result<Options, String> {
        let mut options = Options {
            sections: Vec::new(),
            luns: 10_000,
            rounds: 5,
            cli_runs: 30,
            calls: 2_000,
        };
        let mut args = args.peekable();
        while let Some(arg) = args.next() {
            if arg == "--bench" {
                continue;
            }
            let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
            if arg == "--only" {
                if !["volumes", "cli", "systems"].contains(&value.as_str()) {
                    return Err(format!("--only {value:?}: one of volumes, cli, systems"));
                }
                options.sections.push(value);
                continue;
            }
            let target = match arg.as_str() {
                "--luns" => &mut options.luns,
                "--rounds" => &mut options.rounds,
                "--cli-runs" => &mut options.cli_runs,
                "--calls" => &mut options.calls,
                other => {
                    return Err(format!(
                        "unknown argument {other:?} (use --only volumes|cli|systems, --luns N, \
                         --rounds N, --cli-runs N, --calls N)"
                    ));
                }
            };
            *target = value
                .parse()
                .ok()
                .filter(|number: &usize| *number > 0)
                .ok_or_else(|| format!("{arg}: {value:?} is not a positive number"))?;
        }
        if options.sections.is_empty() {
            options.sections = vec!["volumes".into(), "cli".into(), "systems".into()];
        }
        Ok(options)
    }

    fn runs(&self, section: &str) -> bool {
        self.sections.iter().any(|s| s == section)
    }
}

// ------------------------------------------------------------------ figures

fn us(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

/// A session with the plugin (embedded: this profile's `ontap_lsmplugin`).
fn connect_plugin(sim: &ArraySim) -> Result<BlockingClient, String> {
    let plugin = workspace_binary("ontap_lsmplugin", "plugin-netapp");
    BlockingClient::builder(sim.uri())
        .password(ARRAYSIM_PASSWORD)
        .timeout(CALL_TIMEOUT)
        .plugin_exe(&plugin)
        .connect()
        .map_err(|e| format!("connect to {}: {e}", plugin.display()))
}

// ------------------------------------------------------------------ volumes

/// One measured round of a listing: its time, and the peak memory and CPU
/// time of the processes named.
struct Round {
    wall: Duration,
    peaks_mib: Vec<f64>,
    cpu: Vec<Duration>,
}

fn measure<T>(
    pids: &[u32],
    listing: impl FnOnce() -> Result<T, String>,
) -> Result<(Round, T), String> {
    // Give the heap this process freed back first, so that its peak is this
    // round's and not an earlier one's kept by the allocator.
    // SAFETY: malloc_trim only releases free memory of this process's heap.
    #[cfg(target_env = "gnu")]
    unsafe {
        libc::malloc_trim(0)
    };
    for pid in pids {
        reset_peak(*pid);
    }
    let cpu_before: Vec<Duration> = pids.iter().map(|pid| cpu_time(*pid)).collect();
    let started = Instant::now();
    let out = listing()?;
    let wall = started.elapsed();
    let cpu = pids
        .iter()
        .zip(cpu_before)
        .map(|(pid, before)| cpu_time(*pid).saturating_sub(before))
        .collect();
    let peaks_mib = pids
        .iter()
        .map(|pid| proc_status_mib(*pid, "VmHWM:"))
        .collect();
    Ok((
        Round {
            wall,
            peaks_mib,
            cpu,
        },
        out,
    ))
}

fn bench_volumes(sim: &ArraySim, options: &Options) -> Result<bool, String> {
    let luns = options.luns;
    println!("== volumes() with {luns} LUNs: plugin vs bare HTTP client, same simulator");
    let started = Instant::now();
    populate_luns(sim, luns)?;
    println!(
        "setup: {luns} LUNs made with {SETUP_CLIENTS} concurrent POSTs in {:.1} s (not timed below)",
        started.elapsed().as_secs_f64()
    );
    let mut clean = true;
    let mut client = connect_plugin(sim)?;
    let me = std::process::id();
    let plugin_pid = plugin_child(me, sim)?;
    if client.plugin_pid() != Some(plugin_pid) {
        return Err(format!(
            "the plugin child {plugin_pid} is not the session's plugin {:?}",
            client.plugin_pid()
        ));
    }
    let bare = BareClient::new(sim);
    if !reset_peak(me) {
        println!("note: /proc/PID/clear_refs refused; peaks are since each process started");
    }

    // Warm up both, count what each finds and the requests each makes.
    let pages = luns.div_ceil(PAGE_SIZE) as u64;
    let before = request_counts(sim);
    let volumes = client
        .volumes(None)
        .map_err(|e| format!("volumes(): {e}"))?;
    let plugin_requests = requests_between(&before, &request_counts(sim));
    let before = request_counts(sim);
    let records = bare.luns()?;
    let bare_requests = requests_between(&before, &request_counts(sim));
    println!(
        "plugin: {} volumes in {}; bare: {} LUN records in {}",
        volumes.len(),
        show_requests(&plugin_requests),
        records.len(),
        show_requests(&bare_requests)
    );
    for (who, found, requests) in [
        ("plugin", volumes.len(), &plugin_requests),
        ("bare", records.len(), &bare_requests),
    ] {
        let lun_pages = requests.get(LUN_LIST).copied().unwrap_or(0);
        if found != luns || lun_pages != pages {
            println!(
                "    FAIL {who}: {found} LUNs (want {luns}) in {lun_pages} x {LUN_LIST} \
                 (want ceil({luns} / {PAGE_SIZE}) = {pages})"
            );
            clean = false;
        }
    }
    println!(
        "list requests of one plugin volumes(): {} x {LUN_LIST} (want ceil({luns} / {PAGE_SIZE}) \
         = {pages}), {} x {VOLUME_LIST} (the FlexVols, to name each LUN's pool); bare: {} x {LUN_LIST}",
        plugin_requests.get(LUN_LIST).copied().unwrap_or(0),
        plugin_requests.get(VOLUME_LIST).copied().unwrap_or(0),
        bare_requests.get(LUN_LIST).copied().unwrap_or(0),
    );
    drop((volumes, records));

    let timed_before = request_counts(sim);
    let mut plugin_rounds = Vec::new();
    let mut bare_rounds = Vec::new();
    for _ in 0..options.rounds {
        let (round, volumes) = measure(&[plugin_pid, me, sim.pid()], || {
            client.volumes(None).map_err(|e| format!("volumes(): {e}"))
        })?;
        clean &= volumes.len() == luns;
        drop(volumes);
        plugin_rounds.push(round);
        let (round, records) = measure(&[me, sim.pid()], || bare.luns())?;
        clean &= records.len() == luns;
        drop(records);
        bare_rounds.push(round);
    }
    let timed = requests_between(&timed_before, &request_counts(sim));
    let rounds = options.rounds as u64;
    // Each timed round is one plugin volumes() and one bare listing.
    let want_luns = rounds * 2 * pages;
    let timed_luns = timed.get(LUN_LIST).copied().unwrap_or(0);
    println!(
        "timed rounds: {} (want {want_luns} x {LUN_LIST}: {rounds} rounds x 2 listings x {pages})",
        show_requests(&timed)
    );
    if timed_luns != want_luns {
        println!("    FAIL: {timed_luns} x {LUN_LIST} in the timed rounds, want {want_luns}");
        clean = false;
    }
    client.close().map_err(|e| format!("close: {e}"))?;

    let median_wall = |rounds: &[Round]| {
        let walls = sorted(rounds.iter().map(|r| r.wall).collect());
        (percentile(&walls, 0.5), walls[0], walls[walls.len() - 1])
    };
    let max_peak = |rounds: &[Round], which: usize| {
        rounds
            .iter()
            .map(|r| r.peaks_mib[which])
            .fold(f64::NAN, f64::max)
    };
    // CPU seconds per call, summed over the rounds.
    let cpu_per_call = |rounds: &[Round], which: usize| {
        ms(rounds.iter().map(|r| r.cpu[which]).sum::<Duration>()) / rounds.len() as f64
    };
    let (plugin_median, plugin_min, plugin_max) = median_wall(&plugin_rounds);
    let (bare_median, bare_min, bare_max) = median_wall(&bare_rounds);
    println!(
        "plugin volumes(): median {:.1} ms (min {:.1}, max {:.1}) over {} rounds; peak memory \
         (VmHWM) plugin {:.1} MiB, client {:.1} MiB",
        ms(plugin_median),
        ms(plugin_min),
        ms(plugin_max),
        options.rounds,
        max_peak(&plugin_rounds, 0),
        max_peak(&plugin_rounds, 1),
    );
    println!(
        "bare client:      median {:.1} ms (min {:.1}, max {:.1}); peak memory (VmHWM) {:.1} MiB",
        ms(bare_median),
        ms(bare_min),
        ms(bare_max),
        max_peak(&bare_rounds, 0),
    );
    println!(
        "ratio plugin / bare: {:.2}x (target within 1.5x); difference {:+.1} ms",
        plugin_median.as_secs_f64() / bare_median.as_secs_f64(),
        ms(plugin_median) - ms(bare_median),
    );
    println!(
        "CPU per call (mean): plugin {:.0} ms + client {:.0} ms vs bare client {:.0} ms; \
         simulator {:.0} ms (plugin's calls) / {:.0} ms (bare's); simulator peak {:.1} MiB",
        cpu_per_call(&plugin_rounds, 0),
        cpu_per_call(&plugin_rounds, 1),
        cpu_per_call(&bare_rounds, 0),
        cpu_per_call(&plugin_rounds, 2),
        cpu_per_call(&bare_rounds, 1),
        proc_status_mib(sim.pid(), "VmHWM:"),
    );
    Ok(clean)
}

// ---------------------------------------------------------------------- cli

fn bench_cli(sim: &ArraySim, options: &Options) -> Result<bool, String> {
    println!(
        "== cold lsmcli list --type pools, spawn to exit, {} runs each, taking turns",
        options.cli_runs
    );
    let lsmcli = workspace_binary("lsmcli", "lsmcli");
    // Checked here so that a missing plugin says what to build.
    workspace_binary("ontap_lsmplugin", "plugin-netapp");
    workspace_binary("sim_lsmplugin", "plugin-sim");
    if Path::new("/var/run/lsm/ipc/ontap").exists() {
        println!("note: /var/run/lsm/ipc/ontap exists: lsmcli goes through that lsmd");
    }
    let state = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
    let sim_uri = format!("sim://?statefile={}", state.path().join("cli.db").display());
    let ontap_uri = sim.uri();
    let lsmcli_command = |uri: &str| {
        let mut command = Command::new(&lsmcli);
        command
            .args(["-u", uri, "list", "--type", "pools"])
            .env("LSM_PLUGIN_PATH", bin_dir())
            .env_remove("LSMCLI_PASSWORD")
            .env_remove("LSM_UDS_PATH")
            .env_remove("LSMCLI_URI")
            .env_remove("LSMCLI_DEBUG_FD");
        command
    };
    let mut ontap_command = lsmcli_command(&ontap_uri);
    ontap_command.env("LSMCLI_PASSWORD", ARRAYSIM_PASSWORD);
    let kinds = vec![
        ("lsmcli ontap://", ontap_command),
        ("lsmcli sim://", lsmcli_command(&sim_uri)),
        ("spawn of `true`", Command::new("true")),
    ];
    Ok(cold_runs(kinds, options.cli_runs, |label| {
        if label.contains("ontap") {
            "  (target median < 30 ms)"
        } else {
            ""
        }
    }))
}

// ------------------------------------------------------------------ systems

fn bench_systems(sim: &ArraySim, options: &Options) -> Result<bool, String> {
    println!(
        "== systems() on a live session vs bare kept-alive GETs, {} calls each in blocks of {BLOCK}",
        options.calls
    );
    let mut client = connect_plugin(sim)?;
    let bare = BareClient::new(sim);
    let page_size = PAGE_SIZE.to_string();
    let bare_cluster = || bare.get("/api/cluster", &[("fields", CLUSTER_FIELDS)]);
    let bare_nodes = || {
        bare.get(
            "/api/cluster/nodes",
            &[("max_records", page_size.as_str()), ("fields", NODE_FIELDS)],
        )
    };
    let plugin_systems = |client: &mut BlockingClient| {
        client
            .systems()
            .map_err(|e| format!("systems(): {e}"))
            .and_then(|systems| match systems.len() {
                1 => Ok(()),
                n => Err(format!("systems(): {n} systems, want 1")),
            })
    };
    // Warm up; count the requests of one systems().
    for _ in 0..50 {
        plugin_systems(&mut client)?;
        bare_cluster()?;
        bare_nodes()?;
    }
    let before = request_counts(sim);
    plugin_systems(&mut client)?;
    let per_call = requests_between(&before, &request_counts(sim));
    println!("one systems() makes {}", show_requests(&per_call));

    // The two requests at the same time, on two kept-alive connections, as the plugin
    // sends them.
    let bare_both = || {
        std::thread::scope(|scope| {
            let nodes = scope.spawn(bare_nodes);
            bare_cluster()?;
            nodes
                .join()
                .map_err(|_| "bare nodes panicked".to_string())?
        })
    };
    for _ in 0..50 {
        bare_both()?;
    }
    // On loopback, then with the array 2 ms away (a latency fault on both paths): how
    // far the call is from one request where the network, not the CPU, is the cost.
    for (latency_ms, calls) in [(0u64, options.calls), (2, options.calls.min(300))] {
        if latency_ms > 0 {
            add_latency(sim, "/api/cluster*", latency_ms)?;
            println!("-- with the array {latency_ms} ms away ({calls} calls each)");
        } else {
            println!("-- on loopback ({calls} calls each)");
        }
        let mut series = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
        for _ in 0..calls.div_ceil(BLOCK) {
            for (index, times) in series.iter_mut().enumerate() {
                for _ in 0..BLOCK {
                    let started = Instant::now();
                    match index {
                        0 => plugin_systems(&mut client)?,
                        1 => {
                            bare_cluster()?;
                        }
                        2 => {
                            bare_cluster()?;
                            bare_nodes()?;
                        }
                        _ => {
                            bare_both()?;
                        }
                    }
                    times.push(started.elapsed());
                }
            }
        }
        let [plugin, one, pair, both] = series.map(sorted);
        let line = |label: &str, times: &[Duration]| {
            println!(
                "{label:46} p50 {:8.1} us  p99 {:8.1} us",
                us(percentile(times, 0.5)),
                us(percentile(times, 0.99))
            );
        };
        line("plugin systems() (BlockingClient)", &plugin);
        line("bare GET /api/cluster", &one);
        line("bare GET /api/cluster, then GET /api/cluster/nodes", &pair);
        line("bare both GETs at the same time", &both);
        let ratio = |a: &[Duration], b: &[Duration], fraction: f64| {
            percentile(a, fraction).as_secs_f64() / percentile(b, fraction).as_secs_f64()
        };
        println!(
            "ratio to ONE bare request (the issue's figure, target within 2x): p50 {:.2}x, p99 {:.2}x",
            ratio(&plugin, &one, 0.5),
            ratio(&plugin, &one, 0.99)
        );
        println!(
            "ratio to the two bare requests one after the other: p50 {:.2}x, p99 {:.2}x",
            ratio(&plugin, &pair, 0.5),
            ratio(&plugin, &pair, 0.99)
        );
        println!(
            "ratio to the two bare requests at the same time: p50 {:.2}x, p99 {:.2}x",
            ratio(&plugin, &both, 0.5),
            ratio(&plugin, &both, 0.99)
        );
    }
    clear_faults(sim)?;
    client.close().map_err(|e| format!("close: {e}"))?;
    Ok(true)
}

/// Every request matching `glob` waits `ms` before it is answered (the admin endpoint).
fn add_latency(sim: &ArraySim, glob: &str, ms: u64) -> Result<(), String> {
    let spec = format!("{glob}:latency={ms}");
    let reply = sim
        .rest()
        .send(&Request::post("/_arraysim/faults").json(&json!({ "spec": spec })))
        .map_err(|e| format!("fault {spec}: {e}"))?;
    if reply.status() != 201 {
        return Err(format!("fault {spec}: status {}", reply.status()));
    }
    Ok(())
}

fn clear_faults(sim: &ArraySim) -> Result<(), String> {
    sim.rest()
        .send(&Request::delete("/_arraysim/faults"))
        .map(drop)
        .map_err(|e| format!("clear faults: {e}"))
}

fn run() -> Result<bool, String> {
    let options = Options::from_args(std::env::args().skip(1))?;
    let sim = ArraySim::ontap();
    println!(
        "lsm-arraysim (ontap) on 127.0.0.1:{}, plugins and lsmcli from {}",
        sim.port,
        bin_dir().display()
    );
    let mut clean = true;
    // The LUNs are made first (by the volumes section), so that the other
    // sections see the same large simulator; none of their calls list LUNs.
    if options.runs("volumes") {
        clean &= bench_volumes(&sim, &options)?;
    }
    if options.runs("cli") {
        clean &= bench_cli(&sim, &options)?;
    }
    if options.runs("systems") {
        clean &= bench_systems(&sim, &options)?;
    }
    Ok(clean)
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("ontap bench: some calls failed or made unexpected requests");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("ontap bench: {error}");
            ExitCode::FAILURE
        }
    }
}
