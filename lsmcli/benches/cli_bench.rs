//! `cargo bench -p lsmcli`: lsmcli cold start and a 10,000-volume listing,
//! each next to a baseline measured in the same run (spawning `true`; the
//! same listing through the library in-process).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lsm_core::{BlockingClient, Provisioning};
use lsm_test_support::workspace_binary;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn time_command(cmd: &mut Command, runs: usize) -> Duration {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let status = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("spawn");
        assert!(status.success(), "{cmd:?} failed");
        times.push(t.elapsed());
    }
    median(times)
}

fn main() {
    // Built with this bench's profile (`cargo build --release --workspace
    // --bins` first).
    let lsmcli = workspace_binary("lsmcli", "lsmcli");
    let sim = workspace_binary("sim_lsmplugin", "plugin-sim");
    // LSM_BENCH_STATE_DIR keeps the state file (and its 10,000 volumes) for
    // profiling the listing afterwards; by default it lives in a tempdir.
    let tmp = tempfile::tempdir().expect("tempdir");
    let state_dir = std::env::var_os("LSM_BENCH_STATE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_path_buf());
    let _ = std::fs::remove_file(state_dir.join("cli.db"));
    let uri = format!("sim://?statefile={}/cli.db", state_dir.display());
    let lsmcli_cmd = |args: &[&str]| {
        let mut c = Command::new(&lsmcli);
        c.args(["-u", &uri]).args(args).env("LSM_SIM_TIME", "0");
        c
    };

    println!("== lsmcli cold start: list --type systems (process start to exit)");
    time_command(&mut lsmcli_cmd(&["list", "--type", "systems"]), 3);
    let cli = time_command(&mut lsmcli_cmd(&["list", "--type", "systems"]), 50);
    let base = time_command(&mut Command::new("true"), 50);
    println!(
        "lsmcli list --type systems: median {:.2} ms (target < 10 ms; reference 228 ms)   baseline spawn+exit of `true`: {:.2} ms",
        ms(cli),
        ms(base)
    );

    println!("== lsmcli list --type volumes with 10,000 volumes");
    // SAFETY: single-threaded here, before any plugin is spawned.
    unsafe { std::env::set_var("LSM_SIM_TIME", "0") };
    let mut c = BlockingClient::connect_plugin_exe(&sim, &uri, None, Duration::from_secs(300))
        .expect("connect");
    let pool = c
        .pools(Some(("id", "POOL_ID_00004")))
        .expect("pools")
        .remove(0);
    for i in 0..10_000 {
        let job = c
            .volume_create(&pool, &format!("cv{i}"), 1 << 20, Provisioning::DEFAULT)
            .expect("create");
        c.wait_done(job).expect("wait");
    }
    c.close().expect("close");
    time_command(&mut lsmcli_cmd(&["list", "--type", "volumes"]), 2);
    let cli = time_command(&mut lsmcli_cmd(&["list", "--type", "volumes"]), 15);
    let terse = time_command(&mut lsmcli_cmd(&["-t,", "list", "--type", "volumes"]), 15);
    let mut lib = Vec::new();
    for _ in 0..15 {
        let t = Instant::now();
        let mut c = BlockingClient::connect_plugin_exe(&sim, &uri, None, Duration::from_secs(60))
            .expect("connect");
        assert_eq!(c.volumes(None).expect("volumes").len(), 10_000);
        c.close().expect("close");
        lib.push(t.elapsed());
    }
    println!(
        "lsmcli list --type volumes (10k): median {:.1} ms, with -t, {:.1} ms (target < 60 ms; reference 556 ms)   baseline: connect + volumes() + close in-process {:.1} ms",
        ms(cli),
        ms(terse),
        ms(median(lib))
    );
}
