//! `lsm-bench`: lsm-rs's figures as one table, each next to a baseline measured in the same
//! run on the same machine. Run it with `scripts/bench.sh` (which builds the release
//! binaries it starts); the sections, in order:
//!
//! - `round-trip`: `systems` and `pools` through a `BlockingClient` to `sim_lsmplugin`,
//!   embedded and through `lsmd`, vs a bare Unix-socket ping-pong with a forked peer and
//!   the same frame sizes; the three take turns in blocks of 100 round trips; both ends
//!   pinned to different CPUs, and unpinned. Medians.
//! - `connect`: connect + `systems` + close, embedded and through lsmd, vs a spawn of
//!   `true`. Medians of 50.
//! - `cli`: cold `lsmcli list --type systems` (embedded sim), spawn to exit, vs `true`,
//!   taking turns. Medians of 50.
//! - `listing`: `volumes()` over 1k / 10k / 100k sim volumes (a fresh session each), vs
//!   parsing the same JSON from memory; peak RSS (VmHWM) of the plugin and of this client;
//!   the growth of each from one size to the next; a cold `lsmcli list --type volumes` vs
//!   connect + `volumes()` + close in this process.
//! - `lsmd`: 1 / 8 / 64 concurrent clients through lsmd (`systems`/`pools` in turn, for
//!   `--seconds`) vs the same clients embedded: throughput, p50 and p99.
//! - `vendors`: each vendor plugin's `volumes()` over 10k volumes on its `lsm-arraysim`
//!   (TLS) vs a bare `lsm-rest` client fetching the same pages; best of `--rounds`, taking
//!   turns; the plugin's peak RSS; then the most clients of the `lsmd` section (64)
//!   through lsmd to the plugin and simulator vs the same clients embedded.
//!
//! Usage: `lsm-bench [--only SECTION]... [--quick] [--max-volumes N] [--vendor-volumes N]
//! [--seconds N] [--rounds N]`. `--quick` is a smoke run of every section at small sizes
//! (what the tests run). The table goes to stdout in Markdown, progress to stderr. Exits
//! non-zero when a count is wrong or a call failed; times are printed, never asserted.

use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use lsm_bench::pingpong::{BarePeer, allowed_cpus, frame, pin};
use lsm_bench::table::{Row, Unit, markdown};
use lsm_bench::vendors::Vendor;
use lsm_core::{BlockingClient, Provisioning};
use lsm_test_support::bench::{percentile, proc_status_mib, reset_peak, sorted, time_run};
use lsm_test_support::load::{ClientMode, Limit, LoadShape, run_load, small_calls};
use lsm_test_support::process::children_of;
use lsm_test_support::{ARRAYSIM_PASSWORD, ArraySim, LsmdDirs, RunningLsmd, bin_dir};

const TIMEOUT: Duration = Duration::from_secs(600);
const SECTIONS: [&str; 6] = ["round-trip", "connect", "cli", "listing", "lsmd", "vendors"];

#[derive(Debug, Clone)]
struct Options {
    sections: Vec<String>,
    volume_counts: Vec<usize>,
    vendor_volumes: usize,
    load_time: Duration,
    client_counts: Vec<usize>,
    rounds: usize,
    /// Round trips per block, and blocks.
    rt_blocks: (usize, usize),
    runs: usize,
}

impl Options {
    fn from_args(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
        let mut options = Options {
            sections: Vec::new(),
            volume_counts: vec![1_000, 10_000, 100_000],
            vendor_volumes: 10_000,
            load_time: Duration::from_secs(3),
            client_counts: vec![1, 8, 64],
            rounds: 5,
            rt_blocks: (100, 40),
            runs: 50,
        };
        let mut max_volumes = None;
        while let Some(arg) = args.next() {
            match arg.as_str() {
                // `cargo bench`/`cargo run` may pass it.
                "--bench" => continue,
                "--quick" => {
                    options.volume_counts = vec![100, 1_000];
                    options.vendor_volumes = 500;
                    options.load_time = Duration::from_millis(500);
                    options.client_counts = vec![1, 8];
                    options.rounds = 2;
                    options.rt_blocks = (20, 5);
                    options.runs = 5;
                    continue;
                }
                "--help" | "-h" => {
                    return Err(format!(
                        "usage: lsm-bench [--only {}]... [--quick] [--max-volumes N] \
                         [--vendor-volumes N] [--seconds N] [--rounds N]",
                        SECTIONS.join("|")
                    ));
                }
                _ => {}
            }
            let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
            if arg == "--only" {
                if !SECTIONS.contains(&value.as_str()) {
                    return Err(format!("--only {value:?}: one of {}", SECTIONS.join(", ")));
                }
                options.sections.push(value);
                continue;
            }
            let number: usize = value
                .parse()
                .ok()
                .filter(|n: &usize| *n > 0)
                .ok_or_else(|| format!("{arg}: {value:?} is not a positive number"))?;
            match arg.as_str() {
                "--max-volumes" => max_volumes = Some(number),
                "--vendor-volumes" => options.vendor_volumes = number,
                "--seconds" => options.load_time = Duration::from_secs(number as u64),
                "--rounds" => options.rounds = number,
                other => return Err(format!("unknown argument {other:?} (see --help)")),
            }
        }
        if let Some(max) = max_volumes {
            options.volume_counts.retain(|n| *n <= max);
            if options.volume_counts.is_empty() {
                options.volume_counts.push(max);
            }
        }
        if options.sections.is_empty() {
            options.sections = SECTIONS.iter().map(|s| s.to_string()).collect();
        }
        Ok(options)
    }

    fn runs(&self, section: &str) -> bool {
        self.sections.iter().any(|s| s == section)
    }
}

/// A workspace binary of this profile, or the command that builds it.
fn binary(name: &str, package: &str) -> Result<PathBuf, String> {
    let path = bin_dir().join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} not found: run scripts/bench.sh, or build it first (`cargo build --release -p \
             {package}`)",
            path.display()
        ))
    }
}

fn median(values: Vec<Duration>) -> Duration {
    percentile(&sorted(values), 0.5)
}

fn us(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn progress(what: &str) {
    eprintln!("lsm-bench: {what}");
}

/// Gives this process's freed heap back, so that its next peak is the next call's.
fn trim_heap() {
    // SAFETY: malloc_trim only releases free memory of this process's heap.
    #[cfg(target_env = "gnu")]
    unsafe {
        libc::malloc_trim(0)
    };
}

/// What the run measured, and whether every count was right.
struct Run {
    rows: Vec<Row>,
    failures: Vec<String>,
    dir: tempfile::TempDir,
}

impl Run {
    fn push(&mut self, row: Row) {
        self.rows.push(row);
    }

    fn fail(&mut self, what: String) {
        eprintln!("lsm-bench: FAIL {what}");
        self.failures.push(what);
    }

    fn sim_uri(&self, name: &str) -> String {
        format!("sim://?statefile={}", self.dir.path().join(name).display())
    }
}

/// lsmd (this profile's) with the sim plugin, in its own temporary directories.
struct Daemon {
    dirs: LsmdDirs,
    running: RunningLsmd,
}

impl Daemon {
    /// lsmd serving the sim plugin.
    fn start() -> Result<Daemon, String> {
        Daemon::serving(&[("sim_lsmplugin", "plugin-sim")])
    }

    /// lsmd serving `plugins` (executable, package) of this profile.
    fn serving(plugins: &[(&str, &str)]) -> Result<Daemon, String> {
        let lsmd = binary("lsmd", "lsmd")?;
        let dirs = LsmdDirs::new("lsm-bench");
        for (name, package) in plugins {
            dirs.link_plugin(name, &binary(name, package)?);
        }
        let mut command = dirs.command(&lsmd);
        // An account that does not exist: lsmd keeps the current user.
        command
            .args(["--plugin-user", "lsm-bench-no-such-user"])
            .env("LSM_SIM_TIME", "0");
        let running = dirs.start(command);
        Ok(Daemon { dirs, running })
    }

    fn connect(&self, uri: &str) -> Result<BlockingClient, String> {
        BlockingClient::builder(uri)
            .timeout(TIMEOUT)
            .socket_dir(&self.dirs.socket_dir)
            .daemon()
            .connect()
            .map_err(|e| format!("connect {uri} through lsmd: {e}"))
    }

    /// The plugin process lsmd started for the one session open.
    fn plugin_pid(&self) -> Result<u32, String> {
        let children = children_of(self.running.pid().as_raw() as u32);
        match children[..] {
            [(pid, _)] => Ok(pid),
            _ => Err(format!("want one plugin under lsmd, found {children:?}")),
        }
    }
}

/// A sim of our own, its jobs done at once (as lsmd's sims of [`Daemon`]).
fn embedded(uri: &str) -> Result<BlockingClient, String> {
    let plugin = binary("sim_lsmplugin", "plugin-sim")?;
    BlockingClient::builder(uri)
        .timeout(TIMEOUT)
        .plugin_exe(&plugin)
        .plugin_env("LSM_SIM_TIME", "0")
        .connect()
        .map_err(|e| format!("connect {uri}: {e}"))
}

// ---------------------------------------------------------------- round trips

fn round_trips(run: &mut Run, options: &Options) -> Result<(), String> {
    progress("round trips (embedded and through lsmd) vs a bare socket ping-pong");
    let uri = run.sim_uri("rt.db");
    let daemon = Daemon::start()?;
    let mut sessions = Vec::new();
    let client = embedded(&uri)?;
    let pid = client
        .plugin_pid()
        .ok_or("an embedded client without a plugin pid")?;
    sessions.push(("embedded", client, pid));
    let client = daemon.connect(&uri)?;
    let pid = daemon.plugin_pid()?;
    sessions.push(("through lsmd", client, pid));

    let cpus = allowed_cpus();
    let mut placements = Vec::new();
    if cpus.len() >= 2 {
        placements.push(("cross-CPU", Some((cpus[0], cpus[1]))));
    }
    placements.push(("unpinned", None));
    let (block, blocks) = options.rt_blocks;
    for method in ["systems", "pools"] {
        let params = if method == "systems" {
            serde_json::json!({"flags": 0})
        } else {
            serde_json::json!({"search_key": null, "search_value": null, "flags": 0})
        };
        for (placement, pair) in &placements {
            let (client_cpu, peer_cpu) = (pair.map(|p| p.0), pair.map(|p| p.1));
            for (mode, client, plugin_pid) in sessions.iter_mut() {
                // The exact frames of this call, for the bare peer.
                let reply: serde_json::Value = client
                    .call(method, params.clone())
                    .map_err(|e| format!("{method}: {e}"))?;
                let request = frame(
                    &lsm_ipc::encode_request(method, 100, &params)
                        .map_err(|e| format!("encode: {e}"))?,
                );
                let reply =
                    frame(&lsm_ipc::encode_result(100, &reply).map_err(|e| format!("{e}"))?);
                pin(0, client_cpu);
                pin(*plugin_pid as libc::pid_t, peer_cpu);
                let mut peer = BarePeer::start(&request, &reply, true, peer_cpu);
                let (mut through, mut bare) = (Vec::new(), Vec::new());
                for _ in 0..blocks {
                    for _ in 0..block {
                        let started = Instant::now();
                        let outcome = if method == "systems" {
                            client.systems().map(drop)
                        } else {
                            client.pools(None).map(drop)
                        };
                        through.push(started.elapsed());
                        outcome.map_err(|e| format!("{method}: {e}"))?;
                    }
                    for _ in 0..block {
                        bare.push(peer.round());
                    }
                }
                peer.stop();
                pin(0, None);
                pin(*plugin_pid as libc::pid_t, None);
                run.push(
                    Row::new(
                        "round trip",
                        format!("`{method}` via Client, {mode}, {placement}"),
                        us(median(through)),
                        Unit::Micros,
                    )
                    .against(
                        format!(
                            "bare ping-pong, forked peer, {} B / {} B",
                            request.len(),
                            reply.len()
                        ),
                        us(median(bare)),
                    ),
                );
            }
        }
    }
    for (_, client, _) in sessions {
        client.close().map_err(|e| format!("close: {e}"))?;
    }
    drop(daemon);
    Ok(())
}

// -------------------------------------------------------------------- connect

fn spawn_true(runs: usize) -> Duration {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let _ = Command::new("true").status();
        times.push(started.elapsed());
    }
    median(times)
}

fn connects(run: &mut Run, options: &Options) -> Result<(), String> {
    progress("connect + systems + close, embedded and through lsmd, vs spawning `true`");
    let uri = run.sim_uri("connect.db");
    let daemon = Daemon::start()?;
    let (mut embedded_times, mut daemon_times) = (Vec::new(), Vec::new());
    // One of each first: the state file, lsmd's first connection.
    for warm_up in [true, false] {
        for _ in 0..if warm_up { 1 } else { options.runs } {
            let started = Instant::now();
            let mut client = embedded(&uri)?;
            client.systems().map_err(|e| format!("systems: {e}"))?;
            client.close().map_err(|e| format!("close: {e}"))?;
            if !warm_up {
                embedded_times.push(started.elapsed());
            }
            let started = Instant::now();
            let mut client = daemon.connect(&uri)?;
            client.systems().map_err(|e| format!("systems: {e}"))?;
            client.close().map_err(|e| format!("close: {e}"))?;
            if !warm_up {
                daemon_times.push(started.elapsed());
            }
        }
    }
    let baseline = spawn_true(options.runs);
    for (mode, times) in [("embedded", embedded_times), ("through lsmd", daemon_times)] {
        run.push(
            Row::new(
                "connect",
                format!("connect + `systems` + close, {mode}"),
                ms(median(times)),
                Unit::Millis,
            )
            .against("spawn + exit of `true`", ms(baseline))
            .note("target < 5 ms; reference Python 107-146 ms"),
        );
    }
    drop(daemon);
    Ok(())
}

// ------------------------------------------------------------------------ cli

fn cli(run: &mut Run, options: &Options) -> Result<(), String> {
    progress("cold lsmcli vs spawning `true`");
    let lsmcli = binary("lsmcli", "lsmcli")?;
    binary("sim_lsmplugin", "plugin-sim")?;
    let mut command = Command::new(&lsmcli);
    command
        .args(["-u", &run.sim_uri("cli.db"), "list", "--type", "systems"])
        .env("LSM_PLUGIN_PATH", bin_dir())
        .env("LSM_SIM_TIME", "0")
        .env_remove("LSM_UDS_PATH")
        .env_remove("LSMCLI_URI")
        .stdout(Stdio::null());
    let mut truth = Command::new("true");
    let (mut cli_times, mut true_times) = (Vec::new(), Vec::new());
    for index in 0..options.runs + 2 {
        let cli_time = time_run(&mut command).ok_or("lsmcli list --type systems failed")?;
        let true_time = time_run(&mut truth).ok_or("`true` failed")?;
        // Two warm-up runs each (page cache, the state file).
        if index >= 2 {
            cli_times.push(cli_time);
            true_times.push(true_time);
        }
    }
    run.push(
        Row::new(
            "cli",
            "cold `lsmcli list --type systems`, spawn to exit",
            ms(median(cli_times)),
            Unit::Millis,
        )
        .against("spawn + exit of `true`", ms(median(true_times)))
        .note("target < 10 ms; reference 228 ms"),
    );
    Ok(())
}

// -------------------------------------------------------------------- listing

fn listing(run: &mut Run, options: &Options) -> Result<(), String> {
    let uri = run.sim_uri("volumes.db");
    let mut maker = embedded(&uri)?;
    let pool = maker
        .pools(Some(lsm_core::PoolSearch::Id("POOL_ID_00001")))
        .map_err(|e| format!("pools: {e}"))?
        .pop()
        .ok_or("no POOL_ID_00001")?;
    let me = std::process::id();
    let mut created = 0;
    let mut previous: Option<(usize, f64, f64, f64)> = None;
    for &count in &options.volume_counts {
        progress(&format!("making {count} sim volumes"));
        let started = Instant::now();
        while created < count {
            let job = maker
                .volume_create(
                    &pool,
                    &format!("bench_{created}"),
                    1 << 20,
                    Provisioning::DEFAULT,
                )
                .map_err(|e| format!("volume_create: {e}"))?;
            maker
                .wait_done(job)
                .map_err(|e| format!("volume job: {e}"))?;
            created += 1;
        }
        progress(&format!(
            "{count} volumes made in {:.1} s; listing",
            started.elapsed().as_secs_f64()
        ));
        // A fresh session, so that the plugin's peak is this call's.
        let mut lister = embedded(&uri)?;
        let plugin = lister.plugin_pid().ok_or("no plugin pid")?;
        let mut times = Vec::new();
        let (mut plugin_peak, mut client_peak): (f64, f64) = (0.0, 0.0);
        let mut bytes = Vec::new();
        for _ in 0..options.rounds.min(3) {
            trim_heap();
            reset_peak(me);
            reset_peak(plugin);
            let started = Instant::now();
            let volumes = lister.volumes(None).map_err(|e| format!("volumes: {e}"))?;
            times.push(started.elapsed());
            plugin_peak = plugin_peak.max(proc_status_mib(plugin, "VmHWM:"));
            client_peak = client_peak.max(proc_status_mib(me, "VmHWM:"));
            if volumes.len() != count {
                run.fail(format!("volumes() found {}, want {count}", volumes.len()));
            }
            if bytes.is_empty() {
                bytes = serde_json::to_vec(&volumes).map_err(|e| format!("{e}"))?;
            }
        }
        lister.close().map_err(|e| format!("close: {e}"))?;
        // Baseline: the same JSON, parsed from memory.
        let mut parse_times = Vec::new();
        for _ in 0..options.rounds.min(3) {
            let started = Instant::now();
            let parsed: Vec<lsm_core::Volume> =
                serde_json::from_slice(&bytes).map_err(|e| format!("{e}"))?;
            parse_times.push(started.elapsed());
            drop(parsed);
        }
        let time = ms(median(times));
        run.push(
            Row::new(
                "listing",
                format!("`volumes()` of {count} sim volumes, embedded"),
                time,
                Unit::Millis,
            )
            .against(
                format!(
                    "parsing the same {:.1} MB of JSON in memory",
                    bytes.len() as f64 / 1e6
                ),
                ms(median(parse_times)),
            )
            .note(if count == 100_000 {
                "target < 400 ms"
            } else {
                ""
            }),
        );
        run.push(Row::new(
            "listing",
            format!("peak RSS of the plugin, {count} volumes"),
            plugin_peak,
            Unit::MiB,
        ));
        run.push(Row::new(
            "listing",
            format!("peak RSS of the client, {count} volumes"),
            client_peak,
            Unit::MiB,
        ));
        if let Some((before, before_time, before_plugin, before_client)) = previous {
            let growth = format!("{before} -> {count} volumes (x{})", count / before.max(1));
            for (what, now, then) in [
                ("time", time, before_time),
                ("plugin peak RSS", plugin_peak, before_plugin),
                ("client peak RSS", client_peak, before_client),
            ] {
                run.push(
                    Row::new(
                        "listing",
                        format!("growth of the {what}, {growth}"),
                        now / then,
                        Unit::Factor,
                    )
                    .note(format!("linear: {}x", count / before.max(1))),
                );
            }
        }
        lsmcli_listing(run, options, &uri, count)?;
        previous = Some((count, time, plugin_peak, client_peak));
    }
    maker.close().map_err(|e| format!("close: {e}"))?;
    Ok(())
}

/// Cold `lsmcli list --type volumes` (a process that starts, lists and lays out every
/// volume) vs connect + `volumes()` + close in this process, taking turns.
fn lsmcli_listing(run: &mut Run, options: &Options, uri: &str, count: usize) -> Result<(), String> {
    let lsmcli = binary("lsmcli", "lsmcli")?;
    let mut command = Command::new(&lsmcli);
    command
        .args(["-u", uri, "list", "--type", "volumes"])
        .env("LSM_PLUGIN_PATH", bin_dir())
        .env_remove("LSM_UDS_PATH")
        .env_remove("LSMCLI_URI")
        .stdout(Stdio::null());
    let runs = options.runs.min(10);
    let (mut cli_times, mut library_times) = (Vec::new(), Vec::new());
    for index in 0..runs + 1 {
        let cli_time = time_run(&mut command).ok_or("lsmcli list --type volumes failed")?;
        let started = Instant::now();
        let mut client = embedded(uri)?;
        let found = client
            .volumes(None)
            .map_err(|e| format!("volumes: {e}"))?
            .len();
        client.close().map_err(|e| format!("close: {e}"))?;
        let library_time = started.elapsed();
        if found != count {
            run.fail(format!("volumes() found {found}, want {count}"));
        }
        // One warm-up run each.
        if index > 0 {
            cli_times.push(cli_time);
            library_times.push(library_time);
        }
    }
    run.push(
        Row::new(
            "listing",
            format!("cold `lsmcli list --type volumes`, {count} volumes"),
            ms(median(cli_times)),
            Unit::Millis,
        )
        .against(
            "connect + `volumes()` + close in-process",
            ms(median(library_times)),
        )
        .note(if count == 10_000 {
            "target < 60 ms; reference 556 ms"
        } else {
            ""
        }),
    );
    Ok(())
}

// ----------------------------------------------------------------------- lsmd

fn lsmd_load(run: &mut Run, options: &Options) -> Result<(), String> {
    let uri = run.sim_uri("load.db");
    let daemon = Daemon::start()?;
    // The state file, made before the clients share it.
    embedded(&uri)?.close().map_err(|e| format!("{e}"))?;
    let modes = [
        ClientMode::ThroughLsmd {
            socket_dir: daemon.dirs.socket_dir.clone(),
        },
        ClientMode::Embedded {
            plugin: binary("sim_lsmplugin", "plugin-sim")?,
        },
    ];
    for &clients in &options.client_counts {
        progress(&format!(
            "{clients} concurrent clients for {:.1} s, through lsmd and embedded",
            options.load_time.as_secs_f64()
        ));
        let shape = LoadShape {
            clients,
            limit: Limit::For(options.load_time),
            uri: uri.clone(),
            password: None,
            timeout: TIMEOUT,
        };
        let label = format!("{clients} client{}", if clients == 1 { "" } else { "s" });
        let baseline = format!("{label} embedded");
        through_lsmd_vs_embedded(run, "lsmd", &label, &baseline, &modes, &shape, true)?;
    }
    drop(daemon);
    Ok(())
}

/// Runs `shape` in both `modes` (through lsmd, then embedded), each client calling
/// `systems`/`pools` in turn; every error is a failure of the run. Rows: the throughput
/// and p50/p99 latency through lsmd against `baseline` (the embedded run), and the
/// connect p50 when `connect_row`.
fn through_lsmd_vs_embedded(
    run: &mut Run,
    section: &'static str,
    label: &str,
    baseline: &str,
    modes: &[ClientMode; 2],
    shape: &LoadShape,
    connect_row: bool,
) -> Result<(), String> {
    let mut reports = Vec::new();
    for mode in modes {
        let report = run_load(mode, shape, small_calls)?;
        progress(&report.summary());
        for error in report.errors.iter().take(5) {
            run.fail(format!("{label} {}: {error}", report.mode));
        }
        if report.calls() == 0 {
            run.fail(format!("{label} {}: no call completed", report.mode));
        }
        reports.push(report);
    }
    let (through, embedded) = (&reports[0], &reports[1]);
    run.push(
        Row::new(
            section,
            format!("{label} through lsmd: calls/s (`systems`/`pools`)"),
            through.throughput(),
            Unit::PerSecond,
        )
        .against(baseline, embedded.throughput())
        .note(format!(
            "{} + {} errors",
            through.errors.len(),
            embedded.errors.len()
        )),
    );
    let mut figures = vec![
        (
            "call latency p50",
            through.latency(0.50),
            embedded.latency(0.50),
        ),
        (
            "call latency p99",
            through.latency(0.99),
            embedded.latency(0.99),
        ),
    ];
    if connect_row {
        figures.push((
            "connect p50",
            through.connect_time(0.5),
            embedded.connect_time(0.5),
        ));
    }
    for (what, value, base) in figures {
        run.push(
            Row::new(
                section,
                format!("{label} through lsmd: {what}"),
                us(value),
                Unit::Micros,
            )
            .against(baseline, us(base)),
        );
    }
    Ok(())
}

// -------------------------------------------------------------------- vendors

fn vendor_listing(run: &mut Run, options: &Options, vendor: Vendor) -> Result<(), String> {
    let count = options.vendor_volumes;
    let (plugin_name, package) = vendor.plugin();
    let plugin = binary(plugin_name, package)?;
    binary("lsm-arraysim", "lsm-arraysim")?;
    let sim = ArraySim::start(vendor.simulator(), &[]);
    progress(&format!(
        "{}: making {count} {}",
        vendor.simulator(),
        vendor.volumes_are()
    ));
    let mut bare = vendor.bare_volume_lister(&sim)?;
    let before = bare()?;
    vendor.populate_volumes(&sim, count)?;
    let mut client = BlockingClient::builder(sim.uri())
        .password(ARRAYSIM_PASSWORD)
        .timeout(TIMEOUT)
        .plugin_exe(&plugin)
        .connect()
        .map_err(|e| format!("connect {}: {e}", sim.uri()))?;
    let plugin_pid = client.plugin_pid().ok_or("no plugin pid")?;
    let want = before + count;
    // Warm up both.
    let found = client
        .volumes(None)
        .map_err(|e| format!("volumes: {e}"))?
        .len();
    let bare_found = bare()?;
    if found != want || bare_found != want {
        run.fail(format!(
            "{}: plugin found {found} volumes, bare {bare_found}, want {want}",
            vendor.simulator()
        ));
    }
    progress(&format!("{}: {want} volumes; listing", vendor.simulator()));
    let (mut plugin_times, mut bare_times) = (Vec::new(), Vec::new());
    let mut plugin_peak: f64 = 0.0;
    for _ in 0..options.rounds {
        reset_peak(plugin_pid);
        let started = Instant::now();
        let volumes = client.volumes(None).map_err(|e| format!("volumes: {e}"))?;
        plugin_times.push(started.elapsed());
        plugin_peak = plugin_peak.max(proc_status_mib(plugin_pid, "VmHWM:"));
        drop(volumes);
        let started = Instant::now();
        bare()?;
        bare_times.push(started.elapsed());
    }
    client.close().map_err(|e| format!("close: {e}"))?;
    let (plugin_times, bare_times) = (sorted(plugin_times), sorted(bare_times));
    let scheme = sim
        .uri()
        .split("://")
        .next()
        .unwrap_or_default()
        .to_string();
    run.push(
        Row::new(
            "vendors",
            format!(
                "`{scheme}://` `volumes()` of {want} {} (best of {}), TLS",
                vendor.volumes_are(),
                options.rounds
            ),
            ms(plugin_times[0]),
            Unit::Millis,
        )
        .against("bare lsm-rest client, same pages", ms(bare_times[0]))
        .note(format!(
            "target within 1.5x; medians {:.1} / {:.1} ms",
            ms(percentile(&plugin_times, 0.5)),
            ms(percentile(&bare_times, 0.5))
        )),
    );
    run.push(Row::new(
        "vendors",
        format!(
            "peak RSS of `{plugin_name}`, {want} {}",
            vendor.volumes_are()
        ),
        plugin_peak,
        Unit::MiB,
    ));
    vendor_load(run, options, vendor, &sim, &plugin)
}

/// The most clients of `--clients` at once through lsmd to the vendor plugin and its
/// simulator (`systems`/`pools` in turn: each a request or two to the array), vs the same
/// clients embedded.
fn vendor_load(
    run: &mut Run,
    options: &Options,
    vendor: Vendor,
    sim: &ArraySim,
    plugin: &std::path::Path,
) -> Result<(), String> {
    let clients = options.client_counts.iter().copied().max().unwrap_or(1);
    let (plugin_name, package) = vendor.plugin();
    let daemon = Daemon::serving(&[(plugin_name, package)])?;
    let scheme = sim
        .uri()
        .split("://")
        .next()
        .unwrap_or_default()
        .to_string();
    progress(&format!(
        "{clients} concurrent clients of `{scheme}://` for {:.1} s, through lsmd and embedded",
        options.load_time.as_secs_f64()
    ));
    let shape = LoadShape {
        clients,
        limit: Limit::For(options.load_time),
        uri: sim.uri(),
        password: Some(ARRAYSIM_PASSWORD.to_string()),
        timeout: TIMEOUT,
    };
    let modes = [
        ClientMode::ThroughLsmd {
            socket_dir: daemon.dirs.socket_dir.clone(),
        },
        ClientMode::Embedded {
            plugin: plugin.to_path_buf(),
        },
    ];
    let label = format!("{clients} clients of `{scheme}://`");
    let baseline = format!("{clients} clients embedded");
    through_lsmd_vs_embedded(run, "vendors", &label, &baseline, &modes, &shape, false)?;
    drop(daemon);
    Ok(())
}

// ----------------------------------------------------------------------- main

fn machine() -> String {
    let cpus = allowed_cpus().len();
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cpus} CPUs ({model})")
}

fn run(options: &Options) -> Result<Run, String> {
    let mut run = Run {
        rows: Vec::new(),
        failures: Vec::new(),
        dir: tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?,
    };
    type Section = fn(&mut Run, &Options) -> Result<(), String>;
    let sections: [(&str, Section); 5] = [
        ("round-trip", round_trips),
        ("connect", connects),
        ("cli", cli),
        ("listing", listing),
        ("lsmd", lsmd_load),
    ];
    for (name, section) in sections {
        if options.runs(name) {
            section(&mut run, options)?;
        }
    }
    if options.runs("vendors") {
        for vendor in Vendor::ALL {
            vendor_listing(&mut run, options, vendor)?;
        }
    }
    Ok(run)
}

fn main() -> ExitCode {
    let options = match Options::from_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("lsm-bench: {message}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    match run(&options) {
        Ok(run) => {
            println!(
                "lsm-bench on {}, binaries from {}, {:.0} s",
                machine(),
                bin_dir().display(),
                started.elapsed().as_secs_f64()
            );
            println!();
            print!("{}", markdown(&run.rows));
            if run.failures.is_empty() {
                ExitCode::SUCCESS
            } else {
                eprintln!("lsm-bench: {} check(s) failed:", run.failures.len());
                for failure in &run.failures {
                    eprintln!("  {failure}");
                }
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("lsm-bench: {error}");
            ExitCode::FAILURE
        }
    }
}
