//! The plugin process: handshake, the registered session, request loop, error mapping.
//!
//! A plugin's `main` is `run_plugin(MyPlugin)`. The runner takes the socket fd from
//! `argv[1]`, answers `plugin_info` before registration, opens the session at
//! `plugin_register` ([`Plugin::register`]) and owns it, makes each request's [`Call`] as
//! the request arrives (its deadline: the arrival plus the session's timeout), answers
//! `time_out_set` / `time_out_get` itself, treats an immediate EOF as a probe, ends the
//! session at `plugin_unregister` ([`Management::unregister`], then dropped) and exits 0,
//! answers a malformed frame with error 401 (id 100) and exits, and turns a panic in a
//! handler into a `PLUGIN_BUG` reply.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use lsm_ipc::{FrameStream, IpcError, STANDARD_ID, WireError};
use serde_json::value::RawValue;
use tracing::{debug, error, warn};

use super::call::Call;
use super::dispatch::{self, parse, to_json};
use super::traits::{Management, Plugin, Registration};
use crate::error::{ErrorNumber, LsmError, Result};
use crate::params::{self as wire, Params};
use crate::uri::Uri;

/// The default timeout when `plugin_register` carries none (ms).
pub const DEFAULT_TIMEOUT_MS: i64 = 30_000;

/// How a session ended; [`run_plugin`] turns it into the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// `plugin_unregister` answered: exit 0.
    Unregistered,
    /// The client closed the connection (a probe, or it went away): exit 0.
    Disconnected,
    /// A malformed frame or a broken socket: exit 1.
    ProtocolError,
    /// A handler panicked (a plugin bug): exit 1.
    Panicked,
}

impl SessionEnd {
    /// The plugin process's exit status for this end.
    pub fn exit_code(self) -> i32 {
        match self {
            SessionEnd::Unregistered | SessionEnd::Disconnected => 0,
            SessionEnd::ProtocolError | SessionEnd::Panicked => 1,
        }
    }
}

/// Set up `tracing` to stderr; level from `LSM_PLUGIN_LOG` (default `warn`).
pub fn init_plugin_logging() {
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false);
    // A plugin starts for every connection: skip the directive parser
    // unless a filter was asked for.
    let _ = match std::env::var("LSM_PLUGIN_LOG") {
        Ok(spec) if !spec.is_empty() => builder
            .with_env_filter(tracing_subscriber::EnvFilter::new(spec))
            .try_init(),
        _ => builder.with_max_level(tracing::Level::WARN).try_init(),
    };
}

/// Own the process: serve the connection whose fd is `argv[1]`, then exit.
pub fn run_plugin<P: Plugin>(plugin: P) -> ! {
    init_plugin_logging();
    let args: Vec<String> = std::env::args().collect();
    let name = args.first().map(String::as_str).unwrap_or("plugin");
    if args.len() != 2 {
        eprintln!(
            "{name}: an LSM plugin; it is started by lsmd or an LSM client as `{name} <socket fd>`"
        );
        std::process::exit(2);
    }
    let stream = match lsm_ipc::stream_from_fd_arg(&args[1]) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{name}: argument '{}' is not a socket fd: {e}", args[1]);
            std::process::exit(2);
        }
    };
    // A request is consumed only once its reply is out, which spares the client a
    // spurious wake-up per call (see `lsm_ipc::peeking`).
    let end = serve(plugin, lsm_ipc::PeekingStream::new(stream));
    std::process::exit(end.exit_code());
}

/// Serve `plugin` on a thread of this process, the way [`run_plugin`] serves a connection:
/// returns the client's end of a socketpair and the thread, whose result is how the session
/// ended. For tests of a plugin crate (see `ClientBuilder::in_process`, which wraps this)
/// and for tests that speak raw frames.
pub fn serve_on_thread<P>(plugin: P) -> std::io::Result<(UnixStream, JoinHandle<SessionEnd>)>
where
    P: Plugin + Send + 'static,
{
    let (client_end, plugin_end) = lsm_ipc::socketpair()?;
    let thread = std::thread::Builder::new()
        .name("lsm-plugin".into())
        .spawn(move || serve(plugin, lsm_ipc::PeekingStream::new(plugin_end)))?;
    Ok((client_end, thread))
}

/// What the runner keeps for one connection: the plugin, its registered session and the
/// session's timeout.
struct ConnectionState<P: Plugin> {
    plugin: P,
    /// `None` before `plugin_register` and after `plugin_unregister`.
    session: Option<P::Session>,
    timeout_ms: i64,
}

impl<P: Plugin> ConnectionState<P> {
    fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms.unsigned_abs())
    }

    /// The session's last call when the client left without `plugin_unregister`: the
    /// session still logs out, within a call's timeout.
    fn abandon(&mut self) {
        if let Some(session) = self.session.take() {
            debug!("client went away without plugin_unregister");
            let _ = session.unregister(&Call::new(self.timeout()));
        }
    }
}

/// Serve one client connection until it ends. Usable in tests with any
/// `Read + Write` stream.
pub fn serve<P: Plugin, S: Read + Write>(plugin: P, stream: S) -> SessionEnd {
    let mut conn = FrameStream::with_max_frame(stream, lsm_ipc::MAX_REQUEST_FRAME);
    let mut state = ConnectionState {
        plugin,
        session: None,
        timeout_ms: DEFAULT_TIMEOUT_MS,
    };
    loop {
        let frame = match conn.read_frame() {
            Ok(Some(frame)) => frame,
            Ok(None) => {
                state.abandon();
                return SessionEnd::Disconnected;
            }
            Err(e) => {
                warn!("bad frame from client: {e}");
                if matches!(e, IpcError::Serialization(_)) {
                    let _ = send_error(&mut conn, &LsmError::from(e));
                }
                return SessionEnd::ProtocolError;
            }
        };
        let arrived = Instant::now();
        let request = match lsm_ipc::parse_request(&frame) {
            Ok(r) => r,
            Err(e) => {
                warn!("bad request from client: {e}");
                let _ = send_error(&mut conn, &LsmError::from(e));
                return SessionEnd::ProtocolError;
            }
        };
        let method = request.method.to_string();
        let span = tracing::debug_span!("request", method = %method);
        let _entered = span.enter();
        let mut reply = lsm_ipc::begin_result_frame(STANDARD_ID, 256);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            handle(&mut state, arrived, &method, request.params, &mut reply)
        }));
        let sent = match outcome {
            Ok(Ok(())) => send_result(&mut conn, reply),
            Ok(Err(e)) => {
                debug!(code = e.code.0, "error reply: {}", e.message);
                send_error(&mut conn, &e)
            }
            Err(panic) => {
                let what = panic_text(&panic);
                error!("plugin panicked in {method}: {what}");
                let _ = send_error(
                    &mut conn,
                    &LsmError::new(
                        ErrorNumber::PLUGIN_BUG,
                        format!("plugin bug: panic in {method}: {what}"),
                    ),
                );
                return SessionEnd::Panicked;
            }
        };
        if let Err(e) = sent {
            warn!("cannot send reply: {e}");
            return SessionEnd::ProtocolError;
        }
        if method == wire::PluginUnregister::METHOD {
            return SessionEnd::Unregistered;
        }
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// A timeout from the wire: a positive number of ms.
fn positive_timeout(ms: i64) -> Result<Duration> {
    if ms <= 0 {
        return Err(LsmError::new(
            ErrorNumber::INVALID_ARGUMENT,
            format!("timeout must be a positive number of ms, got {ms}"),
        ));
    }
    Ok(Duration::from_millis(ms.unsigned_abs()))
}

/// Answer one request that arrived at `arrived`: the session's life and its timeout here,
/// every other method through [`dispatch`](dispatch::dispatch) to the session.
fn handle<P: Plugin>(
    state: &mut ConnectionState<P>,
    arrived: Instant,
    method: &str,
    params: Option<&RawValue>,
    out: &mut Vec<u8>,
) -> Result<()> {
    match method {
        wire::PluginInfo::METHOD => {
            let _: wire::PluginInfo = parse(params)?;
            let info = state.plugin.plugin_info();
            to_json(out, &(info.description, info.version))
        }
        wire::PluginRegister::METHOD => {
            let p: wire::PluginRegister = parse(params)?;
            let uri = Uri::parse(&p.uri)?;
            let timeout_ms = p.timeout.unwrap_or(DEFAULT_TIMEOUT_MS);
            let timeout = positive_timeout(timeout_ms)?;
            let cx = Call::arrived_at(arrived, timeout);
            let session = state.plugin.register(
                &cx,
                &Registration {
                    uri,
                    password: p.password.map(wire::Secret::into_string),
                    timeout,
                },
            )?;
            state.session = Some(session);
            state.timeout_ms = timeout_ms;
            to_json(out, &())
        }
        wire::PluginUnregister::METHOD => {
            let _: wire::PluginUnregister = parse(params)?;
            if let Some(session) = state.session.take() {
                session.unregister(&Call::arrived_at(arrived, state.timeout()))?;
            }
            to_json(out, &())
        }
        wire::TimeOutSet::METHOD if state.session.is_some() => {
            let p: wire::TimeOutSet = parse(params)?;
            positive_timeout(p.ms)?;
            state.timeout_ms = p.ms;
            to_json(out, &())
        }
        wire::TimeOutGet::METHOD if state.session.is_some() => {
            let _: wire::TimeOutGet = parse(params)?;
            to_json(out, &state.timeout_ms)
        }
        _ => {
            let cx = Call::arrived_at(arrived, state.timeout());
            match state.session.as_mut() {
                Some(session) => dispatch::dispatch(session, &cx, method, params, out),
                None => Err(LsmError::new(
                    ErrorNumber::INVALID_ARGUMENT,
                    format!("{method} called before plugin_register"),
                )),
            }
        }
    }
}

/// Send a reply frame built in place by `begin_result_frame` + the result.
fn send_result<S: Read + Write>(conn: &mut FrameStream<S>, mut frame: Vec<u8>) -> Result<()> {
    lsm_ipc::end_result_frame(&mut frame)?;
    conn.write_encoded_frame(&frame)?;
    Ok(())
}

fn send_error<S: Read + Write>(conn: &mut FrameStream<S>, error: &LsmError) -> Result<()> {
    let wire = WireError::from(error);
    let payload = lsm_ipc::encode_error(STANDARD_ID, &wire)?;
    conn.write_frame(&payload)?;
    Ok(())
}
