//! `cargo bench -p lsm-arraysim --bench arraysim_bench`: how many small GETs
//! per second the ONTAP simulator serves on this machine (target: at least
//! 5,000/s).
//!
//! Starts the `lsm-arraysim` cargo built for this bench (`--vendor ontap
//! --self-signed`, a temporary state directory), opens `--clients` kept-alive
//! HTTPS connections (default 8), one thread each, then for `--seconds`
//! (default 3) each thread sends one request after another on its connection
//! and reads the answer: `GET /api/cluster`, then (a second run)
//! `GET /api/storage/aggregates?max_records=1`, with Basic auth. The client
//! is as thin as it gets, so that the figure is the server's: blocking rustls
//! (the server's TLS library, ring provider) over a `TcpStream` with
//! `TCP_NODELAY`, the request bytes written once, the answer read by
//! `Content-Length` (its status checked, the first body of each connection
//! parsed as JSON).
//!
//! Prints, per run: requests per second, errors, p50/p99 latency, and the CPU
//! time the server and the client each used per 1,000 requests (so that a
//! figure bound by the client, which shares the machine, shows as such).
//! Exits non-zero when a request failed; the times are never asserted.
//!
//! Usage: `cargo build --release -p lsm-arraysim`, then `cargo bench -p
//! lsm-arraysim --bench arraysim_bench -- [--clients N]... [--seconds N]
//! [--vendor ontap|nexenta|unity] [--binary PATH]` (several `--clients`: one run
//! per count; `--binary`: another build of `lsm-arraysim`, to compare builds on the
//! same machine). `--vendor nexenta` logs in once (`POST /auth/login`) and measures
//! `GET /settings/properties/system.guid` and `GET /storage/pools?limit=1`
//! with the bearer token. `--vendor unity` logs in as storops does (one GET with
//! Basic auth and `X-EMC-REST-CLIENT: true`; the session cookie from then on) and
//! measures `GET /api/types/system/instances` and `GET
//! /api/types/pool/instances?per_page=1`, each with `compact=true` and `fields=`.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use rustls::pki_types::ServerName;
use rustls::pki_types::pem::PemObject as _;
use rustls::{ClientConfig, ClientConnection, StreamOwned};

/// The simulator's built-in account (arraysim's README).
const USER: &str = "admin";
const PASSWORD: &str = lsm_arraysim::DEFAULT_PASSWORD;
/// The small GETs measured, one run each.
const PATHS: &[&str] = &["/api/cluster", "/api/storage/aggregates?max_records=1"];
/// The same for `--vendor nexenta`.
const NEXENTA_PATHS: &[&str] = &["/settings/properties/system.guid", "/storage/pools?limit=1"];
/// The same for `--vendor unity`.
const UNITY_PATHS: &[&str] = &[
    "/api/types/system/instances?compact=true&fields=name,model,serialNumber,health",
    "/api/types/pool/instances?compact=true&per_page=1&fields=name,sizeTotal,sizeFree",
];
/// The largest answer head accepted.
const MAX_HEAD: usize = 16 * 1024;

/// What to run.
#[derive(Debug, Clone)]
struct Options {
    clients: Vec<usize>,
    seconds: u64,
    vendor: String,
    binary: Option<std::path::PathBuf>,
}

impl Options {
    /// Parses the arguments; cargo's own `--bench` is ignored.
    fn from_args(args: impl Iterator<Item = String>) -> Result<Options, String> {
        let mut options = Options {
            clients: Vec::new(),
            seconds: 3,
            vendor: "ontap".into(),
            binary: None,
        };
        let mut args = args.peekable();
        while let Some(arg) = args.next() {
            if arg == "--bench" {
                continue;
            }
            if arg == "--vendor" {
                options.vendor = args
                    .next()
                    .ok_or("--vendor needs ontap, nexenta or unity")?;
                if !["ontap", "nexenta", "unity"].contains(&options.vendor.as_str()) {
                    return Err(format!("unknown vendor {:?}", options.vendor));
                }
                continue;
            }
            if arg == "--binary" {
                options.binary = Some(args.next().ok_or("--binary needs a path")?.into());
                continue;
            }
            let value = args.next().ok_or_else(|| format!("{arg} needs a number"))?;
            let number: usize = value
                .parse()
                .ok()
                .filter(|number| *number > 0)
                .ok_or_else(|| format!("{arg}: {value:?} is not a positive number"))?;
            match arg.as_str() {
                "--clients" => options.clients.push(number),
                "--seconds" => options.seconds = number as u64,
                other => {
                    return Err(format!(
                        "unknown argument {other:?} (use --clients N, --seconds N, --vendor V, \
                         --binary PATH)"
                    ));
                }
            }
        }
        if options.clients.is_empty() {
            options.clients = vec![8];
        }
        Ok(options)
    }
}

/// The simulator, stopped (SIGTERM, then reaped) when dropped.
struct Simulator {
    child: Child,
    port: u16,
    cert: std::path::PathBuf,
    _state: tempfile::TempDir,
}

impl Simulator {
    fn start(vendor: &str, binary: Option<&std::path::Path>) -> Result<Simulator, String> {
        let state = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
        let exe = binary.unwrap_or(std::path::Path::new(env!("CARGO_BIN_EXE_lsm-arraysim")));
        let mut child = Command::new(exe)
            .env_remove("LSM_ARRAYSIM_PASSWORD")
            .args([
                "--vendor",
                vendor,
                "--listen",
                "127.0.0.1:0",
                "--self-signed",
            ])
            .arg("--state")
            .arg(state.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("start lsm-arraysim: {e}"))?;
        let mut first = String::new();
        let stdout = child.stdout.take().ok_or("no stdout")?;
        BufReader::new(stdout)
            .read_line(&mut first)
            .map_err(|e| format!("lsm-arraysim's first line: {e}"))?;
        let port = first
            .trim()
            .rsplit(':')
            .next()
            .and_then(|port| port.parse().ok())
            .ok_or_else(|| format!("no port in lsm-arraysim's first line {first:?}"))?;
        Ok(Simulator {
            child,
            port,
            cert: state.path().join("cert.pem"),
            _state: state,
        })
    }

    /// User plus system CPU time the simulator has used.
    fn cpu_time(&self) -> Duration {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        // The fields after the command name's closing parenthesis; utime and
        // stime are fields 14 and 15 of the line.
        let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let ticks: u64 = after_name
            .split_whitespace()
            .skip(11)
            .take(2)
            .filter_map(|field| field.parse::<u64>().ok())
            .sum();
        // SAFETY: sysconf has no preconditions.
        let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
        Duration::from_secs_f64(ticks as f64 / per_second)
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        // SAFETY: signalling our own child.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let _ = self.child.wait();
    }
}

/// User plus system CPU time of this process.
fn own_cpu_time() -> Duration {
    // SAFETY: getrusage fills the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// One kept-alive HTTPS connection sending the same request again and again.
struct Connection {
    tls: StreamOwned<ClientConnection, TcpStream>,
    request: Arc<Vec<u8>>,
    buffer: Vec<u8>,
}

impl Connection {
    fn open(
        config: &Arc<ClientConfig>,
        port: u16,
        request: Arc<Vec<u8>>,
    ) -> Result<Connection, String> {
        let tcp = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
        tcp.set_nodelay(true).map_err(|e| format!("nodelay: {e}"))?;
        let name = ServerName::try_from("127.0.0.1").map_err(|e| format!("name: {e}"))?;
        let session = ClientConnection::new(Arc::clone(config), name)
            .map_err(|e| format!("TLS session: {e}"))?;
        Ok(Connection {
            tls: StreamOwned::new(session, tcp),
            request,
            buffer: Vec::with_capacity(8192),
        })
    }

    /// Sends the request and reads the whole answer; returns its body.
    fn round_trip(&mut self) -> Result<Vec<u8>, String> {
        self.exchange(false).map(|(_, body)| body)
    }

    /// Sends the request and reads the whole answer; returns its head and body.
    fn round_trip_with_head(&mut self) -> Result<(String, Vec<u8>), String> {
        self.exchange(true)
            .map(|(head, body)| (head.unwrap_or_default(), body))
    }

    /// One request and its answer (the head copied only when `keep_head`).
    fn exchange(&mut self, keep_head: bool) -> Result<(Option<String>, Vec<u8>), String> {
        self.tls
            .write_all(&self.request)
            .and_then(|()| self.tls.flush())
            .map_err(|e| format!("write: {e}"))?;
        let head_end = loop {
            if let Some(at) = find(&self.buffer, b"\r\n\r\n") {
                break at + 4;
            }
            if self.buffer.len() > MAX_HEAD {
                return Err("answer head too long".into());
            }
            self.fill()?;
        };
        let (length, kept_head) = {
            let head = std::str::from_utf8(&self.buffer[..head_end])
                .map_err(|_| "answer head is not text".to_string())?;
            let status = head.split(' ').nth(1).unwrap_or_default();
            if status != "200" {
                return Err(format!(
                    "status {status}: {}",
                    head.lines().next().unwrap_or_default()
                ));
            }
            let length: usize = head
                .lines()
                .filter_map(|line| line.split_once(':'))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
                .and_then(|(_, value)| value.trim().parse().ok())
                .ok_or("answer without Content-Length")?;
            (length, keep_head.then(|| head.to_string()))
        };
        while self.buffer.len() < head_end + length {
            self.fill()?;
        }
        let body = self.buffer[head_end..head_end + length].to_vec();
        self.buffer.drain(..head_end + length);
        Ok((kept_head, body))
    }

    fn fill(&mut self) -> Result<(), String> {
        let mut chunk = [0u8; 8192];
        let read = self
            .tls
            .read(&mut chunk)
            .map_err(|e| format!("read: {e}"))?;
        if read == 0 {
            return Err("connection closed by the server".into());
        }
        self.buffer.extend_from_slice(&chunk[..read]);
        Ok(())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// What one connection measured.
#[derive(Default)]
struct ConnectionReport {
    latencies: Vec<Duration>,
    errors: Vec<String>,
}

/// One connection's load: requests until `until`.
fn load(mut connection: Connection, until: Instant) -> ConnectionReport {
    let mut report = ConnectionReport::default();
    let mut first = true;
    while Instant::now() < until {
        let started = Instant::now();
        match connection.round_trip() {
            Ok(body) => {
                report.latencies.push(started.elapsed());
                if first && serde_json::from_slice::<serde_json::Value>(&body).is_err() {
                    report.errors.push("the first answer is not JSON".into());
                }
                first = false;
            }
            Err(error) => {
                report.errors.push(error);
                return report;
            }
        }
    }
    report
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64) * fraction).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn us(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

/// One run: `clients` connections on `path` for `seconds`; false when a request failed.
fn run_load(
    simulator: &Simulator,
    config: &Arc<ClientConfig>,
    path: &str,
    credentials: &str,
    clients: usize,
    seconds: u64,
) -> Result<bool, String> {
    let request = Arc::new(
        format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n{credentials}\
             Accept: application/json\r\n\r\n",
            simulator.port
        )
        .into_bytes(),
    );
    let mut connections = Vec::with_capacity(clients);
    for _ in 0..clients {
        let mut connection = Connection::open(config, simulator.port, Arc::clone(&request))?;
        // Warm: one answer on each connection before the clock starts.
        connection.round_trip()?;
        connections.push(connection);
    }
    let (server_before, client_before) = (simulator.cpu_time(), own_cpu_time());
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let threads: Vec<_> = connections
        .into_iter()
        .map(|connection| std::thread::spawn(move || load(connection, until)))
        .collect();
    let mut latencies = Vec::new();
    let mut errors = Vec::new();
    for thread in threads {
        let report = thread
            .join()
            .map_err(|_| "a client thread panicked".to_string())?;
        latencies.extend(report.latencies);
        errors.extend(report.errors);
    }
    let wall = started.elapsed();
    let server_cpu = simulator.cpu_time().saturating_sub(server_before);
    let client_cpu = own_cpu_time().saturating_sub(client_before);
    latencies.sort();
    let served = latencies.len();
    let per_thousand = |cpu: Duration| cpu.as_secs_f64() * 1e3 / (served.max(1) as f64 / 1e3);
    println!(
        "{path:38} {clients:>7} {served:>9} {:>6} {:>10.0} {:>8.0} {:>8.0} {:>12.1} {:>12.1}",
        errors.len(),
        served as f64 / wall.as_secs_f64(),
        us(percentile(&latencies, 0.5)),
        us(percentile(&latencies, 0.99)),
        per_thousand(server_cpu),
        per_thousand(client_cpu),
    );
    for error in errors.iter().take(3) {
        println!("    error: {error}");
    }
    Ok(errors.is_empty())
}

fn run() -> Result<bool, String> {
    let options = Options::from_args(std::env::args().skip(1))?;
    let simulator = Simulator::start(&options.vendor, options.binary.as_deref())?;
    let pem =
        std::fs::read(&simulator.cert).map_err(|e| format!("{}: {e}", simulator.cert.display()))?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls::pki_types::CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| format!("{}: {e}", simulator.cert.display()))?;
        roots
            .add(cert)
            .map_err(|e| format!("{}: {e}", simulator.cert.display()))?;
    }
    let config = Arc::new(
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth(),
    );
    // The header lines each request carries to be let in.
    let (paths, credentials) = match options.vendor.as_str() {
        "nexenta" => (
            NEXENTA_PATHS,
            format!(
                "Authorization: Bearer {}\r\n",
                nexenta_login(&simulator, &config)?
            ),
        ),
        "unity" => (
            UNITY_PATHS,
            format!(
                "Cookie: {}\r\nX-EMC-REST-CLIENT: true\r\n",
                unity_login(&simulator, &config)?
            ),
        ),
        _ => {
            let basic =
                base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
            (PATHS, format!("Authorization: Basic {basic}\r\n"))
        }
    };
    println!(
        "lsm-arraysim --vendor {} on 127.0.0.1:{}, {} s per run, one client thread per \
         connection, {} CPUs",
        options.vendor,
        simulator.port,
        options.seconds,
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    println!(
        "{:38} {:>7} {:>9} {:>6} {:>10} {:>8} {:>8} {:>12} {:>12}",
        "GET",
        "clients",
        "requests",
        "errors",
        "req/s",
        "p50 us",
        "p99 us",
        "server ms/1k",
        "client ms/1k"
    );
    let mut clean = true;
    for path in paths {
        for clients in &options.clients {
            clean &= run_load(
                &simulator,
                &config,
                path,
                &credentials,
                *clients,
                options.seconds,
            )?;
        }
    }
    println!("target: at least 5,000 requests/s");
    Ok(clean)
}

/// `POST /auth/login` with the NexentaStor default account; the token.
fn nexenta_login(simulator: &Simulator, config: &Arc<ClientConfig>) -> Result<String, String> {
    let body = format!(
        "{{\"username\": \"{USER}\", \"password\": \"{}\"}}",
        lsm_arraysim::NEXENTA_DEFAULT_PASSWORD
    );
    let request = format!(
        "POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        simulator.port,
        body.len()
    );
    let mut connection = Connection::open(config, simulator.port, Arc::new(request.into_bytes()))?;
    let answer: serde_json::Value = serde_json::from_slice(&connection.round_trip()?)
        .map_err(|e| format!("login answer: {e}"))?;
    answer["token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("no token in {answer}"))
}

/// A Unisphere session as storops opens one: a GET with Basic auth and
/// `X-EMC-REST-CLIENT: true`; the session cookie (`name=value`) the answer sets.
fn unity_login(simulator: &Simulator, config: &Arc<ClientConfig>) -> Result<String, String> {
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{USER}:{}", lsm_arraysim::UNITY_DEFAULT_PASSWORD));
    let request = format!(
        "GET /api/types/loginSessionInfo/instances?compact=true HTTP/1.1\r\n\
         Host: 127.0.0.1:{}\r\nAuthorization: Basic {basic}\r\nX-EMC-REST-CLIENT: true\r\n\
         Accept: application/json\r\n\r\n",
        simulator.port
    );
    let mut connection = Connection::open(config, simulator.port, Arc::new(request.into_bytes()))?;
    let (head, _) = connection.round_trip_with_head()?;
    head.lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("set-cookie"))
        .and_then(|(_, value)| value.split(';').next())
        .map(|cookie| cookie.trim().to_string())
        .ok_or_else(|| format!("no session cookie in the login answer:\n{head}"))
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("arraysim bench: some requests failed");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("arraysim bench: {error}");
            ExitCode::FAILURE
        }
    }
}
