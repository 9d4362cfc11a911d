//! Many LSM clients at once, each on its own thread: every client connects (through lsmd
//! or embedded), all wait for each other, then each makes calls until a count or a time
//! is reached. The report holds every call's latency, every error, and the throughput from
//! the moment every client was connected. Shared by lsmd's load tests and `lsm-bench`.

use std::path::PathBuf;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use lsm_core::{BlockingClient, ErrorNumber};

use crate::bench::percentile;

/// How each client of a run connects.
#[derive(Debug, Clone)]
pub enum ClientMode {
    /// Daemon mode, through lsmd's socket dir.
    ThroughLsmd { socket_dir: PathBuf },
    /// Each client spawns its own plugin, this executable.
    Embedded { plugin: PathBuf },
}

impl ClientMode {
    pub fn label(&self) -> &'static str {
        match self {
            ClientMode::ThroughLsmd { .. } => "through lsmd",
            ClientMode::Embedded { .. } => "embedded",
        }
    }

    pub fn connect(
        &self,
        uri: &str,
        password: Option<&str>,
        timeout: Duration,
    ) -> lsm_core::Result<BlockingClient> {
        let mut builder = BlockingClient::builder(uri).timeout(timeout);
        if let Some(password) = password {
            builder = builder.password(password);
        }
        match self {
            ClientMode::ThroughLsmd { socket_dir } => builder.socket_dir(socket_dir).daemon(),
            ClientMode::Embedded { plugin } => builder.plugin_exe(plugin),
        }
        .connect()
    }
}

/// When each client stops calling.
#[derive(Debug, Clone, Copy)]
pub enum Limit {
    /// After this many calls.
    Calls(usize),
    /// Once this long has passed since every client was connected (the call under way
    /// finishes).
    For(Duration),
}

/// What a run does.
#[derive(Debug, Clone)]
pub struct LoadShape {
    pub clients: usize,
    pub limit: Limit,
    pub uri: String,
    pub password: Option<String>,
    /// Timeout of every client (connect and each call).
    pub timeout: Duration,
}

/// One call of a client: `call` counts the client's calls from 0 (to alternate methods).
pub type Call = fn(&mut BlockingClient, usize) -> lsm_core::Result<()>;

/// `systems`, `pools` and `volumes`, in turn: what an admin's monitoring asks again and again.
pub fn listings(client: &mut BlockingClient, call: usize) -> lsm_core::Result<()> {
    match call % 3 {
        0 => client.systems().map(drop),
        1 => client.pools(None).map(drop),
        _ => client.volumes(None).map(drop),
    }
}

/// `systems` and `pools`, in turn: small replies, so the figures are the round trips'.
pub fn small_calls(client: &mut BlockingClient, call: usize) -> lsm_core::Result<()> {
    if call.is_multiple_of(2) {
        client.systems().map(drop)
    } else {
        client.pools(None).map(drop)
    }
}

/// What a whole run measured.
#[derive(Debug)]
pub struct LoadReport {
    pub mode: &'static str,
    pub clients: usize,
    /// From every client connected to the last call's end.
    pub wall_time: Duration,
    /// Spawn (or lsmd hand-over) plus `plugin_register`, per client, sorted.
    pub connect_times: Vec<Duration>,
    /// Every call's latency, sorted.
    pub call_latencies: Vec<Duration>,
    /// The calls each client completed, in client order.
    pub calls_per_client: Vec<usize>,
    /// `client N: ...` for every failed connect, call and close.
    pub errors: Vec<String>,
}

impl LoadReport {
    pub fn calls(&self) -> usize {
        self.call_latencies.len()
    }

    /// Calls per second over [`LoadReport::wall_time`].
    pub fn throughput(&self) -> f64 {
        self.calls() as f64 / self.wall_time.as_secs_f64().max(f64::EPSILON)
    }

    pub fn latency(&self, fraction: f64) -> Duration {
        percentile(&self.call_latencies, fraction)
    }

    pub fn connect_time(&self, fraction: f64) -> Duration {
        percentile(&self.connect_times, fraction)
    }

    /// One line: mode, clients, calls, errors, calls/s, p50/p99/max, connect p50/p99.
    pub fn summary(&self) -> String {
        format!(
            "{} x {} clients: {} calls in {:.2} s, {} errors, {:.0} calls/s, latency p50 {:.0} \
             us p99 {:.0} us max {:.0} us, connect p50 {:.0} us p99 {:.0} us",
            self.mode,
            self.clients,
            self.calls(),
            self.wall_time.as_secs_f64(),
            self.errors.len(),
            self.throughput(),
            micros(self.latency(0.50)),
            micros(self.latency(0.99)),
            micros(self.call_latencies.last().copied().unwrap_or_default()),
            micros(self.connect_time(0.50)),
            micros(self.connect_time(0.99)),
        )
    }
}

pub fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

/// What one client measured.
#[derive(Debug, Default)]
struct ClientReport {
    connect_time: Option<Duration>,
    call_latencies: Vec<Duration>,
    errors: Vec<String>,
}

/// One client: connect, wait for every other client, call until the limit, close.
fn run_client(
    mode: &ClientMode,
    shape: &LoadShape,
    call: Call,
    everyone_connected: &Barrier,
) -> ClientReport {
    let mut report = ClientReport::default();
    let started = Instant::now();
    let connected = mode.connect(&shape.uri, shape.password.as_deref(), shape.timeout);
    report.connect_time = Some(started.elapsed());
    // Wait even when connecting failed, so that no client is left waiting.
    everyone_connected.wait();
    let calls_started = Instant::now();
    let mut client = match connected {
        Ok(client) => client,
        Err(error) => {
            report.errors.push(format!("connect: {error}"));
            return report;
        }
    };
    for index in 0.. {
        let more = match shape.limit {
            Limit::Calls(calls) => index < calls,
            Limit::For(duration) => calls_started.elapsed() < duration,
        };
        if !more {
            break;
        }
        let started = Instant::now();
        let outcome = call(&mut client, index);
        report.call_latencies.push(started.elapsed());
        if let Err(error) = outcome {
            let session_lost = matches!(
                error.code,
                ErrorNumber::TIMEOUT | ErrorNumber::TRANSPORT_COMMUNICATION
            );
            report.errors.push(format!("call {index}: {error}"));
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

/// Runs `shape` in `mode`, each client making `call`s; the clock starts once every client
/// is connected. Err only when a client thread cannot be started.
pub fn run_load(mode: &ClientMode, shape: &LoadShape, call: Call) -> Result<LoadReport, String> {
    // The extra party is this thread, which starts the clock.
    let everyone_connected = Arc::new(Barrier::new(shape.clients + 1));
    let mut workers = Vec::with_capacity(shape.clients);
    for index in 0..shape.clients {
        let barrier = Arc::clone(&everyone_connected);
        let (client_mode, client_shape) = (mode.clone(), shape.clone());
        let worker = thread::Builder::new()
            .name(format!("client-{index}"))
            .spawn(move || run_client(&client_mode, &client_shape, call, &barrier))
            .map_err(|error| format!("cannot start client thread {index}: {error}"));
        match worker {
            Ok(worker) => workers.push(worker),
            Err(error) => {
                // The clients already started wait for a barrier that would never fill:
                // stand in for the missing ones, then collect them.
                for _ in index..shape.clients {
                    let barrier = Arc::clone(&everyone_connected);
                    thread::spawn(move || barrier.wait());
                }
                everyone_connected.wait();
                for worker in workers {
                    let _ = worker.join();
                }
                return Err(error);
            }
        }
    }
    everyone_connected.wait();
    let started = Instant::now();
    let mut report = LoadReport {
        mode: mode.label(),
        clients: shape.clients,
        wall_time: Duration::ZERO,
        connect_times: Vec::with_capacity(shape.clients),
        call_latencies: Vec::new(),
        calls_per_client: Vec::with_capacity(shape.clients),
        errors: Vec::new(),
    };
    for (index, worker) in workers.into_iter().enumerate() {
        match worker.join() {
            Ok(client) => {
                report.connect_times.extend(client.connect_time);
                report.calls_per_client.push(client.call_latencies.len());
                report.call_latencies.extend(client.call_latencies);
                report.errors.extend(
                    client
                        .errors
                        .into_iter()
                        .map(|error| format!("client {index}: {error}")),
                );
            }
            Err(_) => {
                report.calls_per_client.push(0);
                report
                    .errors
                    .push(format!("client {index}: thread panicked"));
            }
        }
    }
    report.wall_time = started.elapsed();
    report.connect_times.sort();
    report.call_latencies.sort();
    Ok(report)
}
