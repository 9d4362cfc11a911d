//! `cargo bench -p plugin-sim`: the figures of the foundation issue, each
//! printed next to a baseline measured in the same run.
//!
//! - round trip (`systems`, `pools`) through `Client` to `sim_lsmplugin`
//!   vs. a bare Unix-socket ping-pong of the same frame sizes, the three
//!   taking turns in blocks of 100 round trips, with both ends on different
//!   CPUs, on the same CPU, and unpinned;
//! - embedded connect (spawn + register + one call + unregister);
//! - volume create (job done, `LSM_SIM_TIME=0`) per op at 1k / 10k / 100k:
//!   the mean over the last 1000 creates before each count (checkpoints
//!   included), with the median and p99 of the single creates;
//! - `volumes()` end to end at 1k / 10k / 100k, with peak memory (VmHWM) of
//!   client and plugin.
//!
//! `LSM_BENCH_MAX_VOLUMES` (default 100000) caps the volume count.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lsm_core::{BlockingClient, Provisioning};

const TIMEOUT: Duration = Duration::from_secs(600);

/// The `sim_lsmplugin` of this bench's profile (`cargo build --release -p
/// plugin-sim` first).
fn plugin_exe() -> PathBuf {
    lsm_test_support::workspace_binary("sim_lsmplugin", "plugin-sim")
}

fn connect(uri: &str) -> BlockingClient {
    BlockingClient::connect_plugin_exe(&plugin_exe(), uri, None, TIMEOUT).expect("connect")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// VmHWM (peak resident set) of a process, in MiB.
fn peak_mib(pid: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// A bare ping-pong peer on a Unix socketpair, answering every request
/// frame with a fixed reply frame of the real call's sizes. `process`: the
/// peer is a forked process (like a plugin) instead of a thread of this
/// process.
struct BarePeer {
    socket: UnixStream,
    request: Vec<u8>,
    reply_buf: Vec<u8>,
    thread: Option<std::thread::JoinHandle<()>>,
    child_pid: libc::pid_t,
}

impl BarePeer {
    fn start(request: &[u8], reply: &[u8], process: bool, cpu: Option<usize>) -> BarePeer {
        let (a, mut b) = UnixStream::pair().expect("pair");
        let mut req_buf = vec![0u8; request.len()];
        let reply_copy = reply.to_vec();
        // Serve until the other end closes.
        let serve = move |b: &mut UnixStream, buf: &mut [u8]| {
            while b.read_exact(buf).is_ok() && b.write_all(&reply_copy).is_ok() {}
        };
        let mut peer = BarePeer {
            socket: a,
            request: request.to_vec(),
            reply_buf: vec![0u8; reply.len()],
            thread: None,
            child_pid: 0,
        };
        if process {
            // SAFETY: the child only reads and writes the socket with buffers
            // allocated before the fork, then leaves with _exit.
            let pid = unsafe { libc::fork() };
            assert!(pid >= 0, "fork failed");
            if pid == 0 {
                // Our copy of the other end would keep the peer from ever seeing
                // end of stream.
                drop(peer);
                pin(0, cpu);
                serve(&mut b, &mut req_buf);
                unsafe { libc::_exit(0) };
            }
            peer.child_pid = pid;
        } else {
            peer.thread = Some(std::thread::spawn(move || {
                pin(0, cpu);
                serve(&mut b, &mut req_buf)
            }));
        }
        peer
    }

    fn round(&mut self) -> Duration {
        let t = Instant::now();
        self.socket.write_all(&self.request).expect("write");
        self.socket.read_exact(&mut self.reply_buf).expect("read");
        t.elapsed()
    }

    fn stop(self) {
        let BarePeer {
            socket,
            thread,
            child_pid,
            ..
        } = self;
        drop(socket);
        if let Some(t) = thread {
            t.join().expect("peer thread");
        }
        if child_pid > 0 {
            // SAFETY: reaping our own child.
            unsafe { libc::waitpid(child_pid, std::ptr::null_mut(), 0) };
        }
    }
}

fn frame(payload: &[u8]) -> Vec<u8> {
    lsm_ipc::encode_frame(payload).expect("frame")
}

/// Pin a thread or process (`0`: the calling thread) to one CPU, or give it
/// back every CPU this bench may use (`None`).
fn pin(tid: libc::pid_t, cpu: Option<usize>) {
    let set = match cpu {
        Some(cpu) => {
            // SAFETY: cpu_set_t is plain data; CPU_SET writes inside it.
            let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
            unsafe { libc::CPU_SET(cpu, &mut set) };
            set
        }
        None => *ALLOWED_CPUS.get().expect("allowed CPUs read at start"),
    };
    // SAFETY: `set` is a valid cpu_set_t of the size given.
    let rc = unsafe { libc::sched_setaffinity(tid, std::mem::size_of::<libc::cpu_set_t>(), &set) };
    assert_eq!(
        rc,
        0,
        "sched_setaffinity: {}",
        std::io::Error::last_os_error()
    );
}

static ALLOWED_CPUS: std::sync::OnceLock<libc::cpu_set_t> = std::sync::OnceLock::new();

/// The CPUs this bench may run on, in order.
fn allowed_cpus() -> Vec<usize> {
    let set = ALLOWED_CPUS.get_or_init(|| {
        // SAFETY: sched_getaffinity fills the cpu_set_t it is given.
        let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        let rc =
            unsafe { libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) };
        assert_eq!(
            rc,
            0,
            "sched_getaffinity: {}",
            std::io::Error::last_os_error()
        );
        set
    });
    // SAFETY: CPU_ISSET only reads the set.
    (0..libc::CPU_SETSIZE as usize)
        .filter(|cpu| unsafe { libc::CPU_ISSET(*cpu, set) })
        .collect()
}

/// The client and both bare peers take turns in blocks of `BLOCK` round
/// trips, so all three are measured under the same load of the host; each
/// figure is the median over all of its round trips. A ping-pong costs very
/// different amounts when its two ends share a CPU (a context switch) and
/// when they do not (a wake-up of an idle CPU), and left alone the scheduler
/// may place the bare peer one way and the plugin the other; so the three
/// are measured with both ends pinned to different CPUs, to the same CPU,
/// and unpinned.
fn bench_round_trips(dir: &Path) {
    println!("== round trip through Client to sim_lsmplugin vs bare socket ping-pong");
    let uri = format!("sim://?statefile={}/rt.db", dir.display());
    let mut c = connect(&uri);
    let plugin_pid = c.plugin_pid().expect("embedded plugin") as libc::pid_t;
    let cpus = allowed_cpus();
    let mut placements = Vec::new();
    if cpus.len() >= 2 {
        placements.push(("cross-CPU", Some((cpus[0], cpus[1]))));
    }
    placements.push(("same CPU", Some((cpus[0], cpus[0]))));
    placements.push(("unpinned", None));
    const BLOCKS: usize = 40;
    const BLOCK: usize = 100;
    for (name, method) in [("systems", "systems"), ("pools", "pools")] {
        // Warm up and capture the exact frame sizes.
        let params = if method == "systems" {
            serde_json::json!({"flags": 0})
        } else {
            serde_json::json!({"search_key": null, "search_value": null, "flags": 0})
        };
        let reply: serde_json::Value = c.call(method, params.clone()).expect("call");
        let request_bytes = frame(&lsm_ipc::encode_request(method, 100, &params).expect("req"));
        let reply_bytes = frame(&lsm_ipc::encode_result(100, &reply).expect("reply"));
        for (placement, pair) in &placements {
            let (client_cpu, peer_cpu) = (pair.map(|p| p.0), pair.map(|p| p.1));
            pin(0, client_cpu);
            pin(plugin_pid, peer_cpu);
            let mut process_peer = BarePeer::start(&request_bytes, &reply_bytes, true, peer_cpu);
            let mut thread_peer = BarePeer::start(&request_bytes, &reply_bytes, false, peer_cpu);
            let mut client = Vec::with_capacity(BLOCKS * BLOCK);
            let mut bare_process = Vec::with_capacity(BLOCKS * BLOCK);
            let mut bare_thread = Vec::with_capacity(BLOCKS * BLOCK);
            for _ in 0..BLOCKS {
                for _ in 0..BLOCK {
                    let t = Instant::now();
                    if method == "systems" {
                        c.systems().expect("systems");
                    } else {
                        c.pools(None).expect("pools");
                    }
                    client.push(t.elapsed());
                }
                for _ in 0..BLOCK {
                    bare_process.push(process_peer.round());
                }
                for _ in 0..BLOCK {
                    bare_thread.push(thread_peer.round());
                }
            }
            process_peer.stop();
            thread_peer.stop();
            let (client, bare_process, bare_thread) =
                (median(client), median(bare_process), median(bare_thread));
            println!(
                "{name:8} {placement:9} client {:5.1} µs | bare ping-pong ({} B / {} B): process peer {:5.1} µs -> ratio {:.2}x (target < 3x), thread peer {:5.1} µs -> {:.2}x | reference Python {} µs",
                us(client),
                request_bytes.len(),
                reply_bytes.len(),
                us(bare_process),
                us(client) / us(bare_process),
                us(bare_thread),
                us(client) / us(bare_thread),
                if name == "systems" { 176 } else { 454 }
            );
        }
    }
    pin(0, None);
    c.close().expect("close");
}

fn bench_connect(dir: &Path) {
    println!("== embedded connect: spawn + register + systems + unregister");
    let uri = format!("sim://?statefile={}/connect.db", dir.display());
    connect(&uri).close().expect("warm");
    let mut times = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        let mut c = connect(&uri);
        c.systems().expect("systems");
        c.close().expect("close");
        times.push(t.elapsed());
    }
    // Baseline: spawning a process that exits at once (`true`).
    let mut base = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        std::process::Command::new("true").status().expect("true");
        base.push(t.elapsed());
    }
    println!(
        "connect  median {:.2} ms (target < 5 ms; reference Python: 107-146 ms)   baseline spawn+exit of `true`: {:.2} ms",
        us(median(times)) / 1000.0,
        us(median(base)) / 1000.0
    );
}

fn bench_volumes(dir: &Path, max: usize) {
    println!("== volume create (LSM_SIM_TIME=0, job waited and freed) and volumes() listing");
    // SAFETY: set before any plugin is spawned; the bench is single-threaded here.
    unsafe { std::env::set_var("LSM_SIM_TIME", "0") };
    let uri = format!("sim://?statefile={}/vols.db", dir.display());
    let mut c = connect(&uri);
    let pool = c
        .pools(None)
        .expect("pools")
        .into_iter()
        .find(|p| p.name == "lsm_test_aggr")
        .expect("lsm_test_aggr");
    let mut created = 0usize;
    let checkpoints: Vec<usize> = [1_000, 10_000, 100_000]
        .into_iter()
        .filter(|n| *n <= max)
        .collect();
    for target in checkpoints {
        // Time the last 1000 creates before each checkpoint.
        let window_start = target.saturating_sub(1000).max(created);
        while created < window_start {
            let job = c
                .volume_create(
                    &pool,
                    &format!("bv{created}"),
                    1 << 20,
                    Provisioning::DEFAULT,
                )
                .expect("create");
            c.wait_done(job).expect("wait");
            created += 1;
        }
        let t = Instant::now();
        let window = target - created;
        let mut each = Vec::with_capacity(window);
        while created < target {
            let op = Instant::now();
            let job = c
                .volume_create(
                    &pool,
                    &format!("bv{created}"),
                    1 << 20,
                    Provisioning::DEFAULT,
                )
                .expect("create");
            c.wait_done(job).expect("wait");
            each.push(op.elapsed());
            created += 1;
        }
        let per_op = t.elapsed() / window as u32;
        each.sort();
        let p99 = each[each.len() * 99 / 100];
        let median_op = each[each.len() / 2];
        // Listing in a fresh session, so the plugin's peak is this call's.
        let mut lister = connect(&uri);
        let pid = lister
            .plugin_pid()
            .map(|p| p.to_string())
            .unwrap_or_default();
        let t = Instant::now();
        let vols = lister.volumes(None).expect("volumes");
        let list_time = t.elapsed();
        assert_eq!(vols.len(), target);
        let plugin_peak = peak_mib(&pid);
        drop(vols);
        lister.close().expect("close");
        println!(
            "{target:>7} volumes: create {:6.1} µs/op (target < 300, flat; median {:5.1}, p99 {:6.1})   volumes() {:8.1} ms (target at 100k < 400 ms)   plugin peak {:6.1} MiB   client process peak {:6.1} MiB",
            us(per_op),
            us(median_op),
            us(p99),
            us(list_time) / 1000.0,
            plugin_peak,
            peak_mib("self")
        );
    }
    // Baseline for listing: the same JSON bytes parsed from memory.
    let vols = c.volumes(None).expect("volumes");
    let bytes = serde_json::to_vec(&vols).expect("ser");
    let t = Instant::now();
    let parsed: Vec<lsm_core::Volume> = serde_json::from_slice(&bytes).expect("parse");
    println!(
        "baseline: parsing the same {} volumes ({:.1} MB of JSON) from memory: {:.1} ms",
        parsed.len(),
        bytes.len() as f64 / 1e6,
        us(t.elapsed()) / 1000.0
    );
    c.close().expect("close");
}

fn main() {
    // `cargo bench` passes `--bench`; ignore arguments.
    let max: usize = std::env::var("LSM_BENCH_MAX_VOLUMES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("tempdir");
    bench_round_trips(dir.path());
    bench_connect(dir.path());
    bench_volumes(dir.path(), max);
}
