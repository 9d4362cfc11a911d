//! The client: a session with one plugin, reached through lsmd, spawned (embedded mode), or
//! served on a thread of this process (tests).
//!
//! [`Client`] is async (tokio); [`BlockingClient`] wraps it with its own
//! single-thread runtime. Every call honours the session timeout: a plugin
//! that does not answer in time gives `TIMEOUT` (11), and the connection is
//! then unusable (a late reply would be out of step).
//!
//! # Layout
//! - this file: the session (connect, register, one call, close);
//! - `methods`: one method per wire method, each sending its [`crate::params`] struct;
//! - `jobs`: waiting for a job ([`Completion`] and [`JobReport`] are in `results`);
//! - `transport`: how the socket is had (the one connect rule, spawning a plugin);
//! - `discovery`: the plugin search path, installed plugins, `available_plugins`;
//! - `blocking`: [`BlockingClient`].

mod blocking;
mod discovery;
mod jobs;
mod methods;
mod transport;

use std::path::Path;
use std::time::Duration;

use lsm_ipc::{AsyncFrameStream, FrameStream, PeekingStream, RawReply, STANDARD_ID};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use crate::results::{Completion, Job, JobReport};
pub use blocking::BlockingClient;
pub use discovery::{
    daemon_plugins, embedded_plugins, find_plugin, installed_plugins, plugin_search_path,
};
pub use jobs::JobOutput;
pub use transport::{ConnectMode, DEFAULT_SOCKET_DIR, INSTALL_PLUGIN_DIR, PLUGIN_SUFFIX};

use crate::error::{ErrorNumber, LsmError, Result};
use crate::params::{self, Params, Secret};
use crate::plugin::Plugin;
use crate::uri::Uri;
use transport::Peer;

/// The timeout clients use unless told otherwise (ms).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(30_000);

/// A session with one plugin.
pub struct Client {
    stream: Option<Transport>,
    peer: Peer,
    mode: ConnectMode,
    uri: Uri,
    timeout: Duration,
    /// Set after a timeout or transport error: the stream is out of step.
    broken: Option<String>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("uri", &self.uri.as_str())
            .field("mode", &self.mode)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The socket to the plugin: driven by tokio, or plain blocking I/O for [`BlockingClient`],
/// which owns its runtime and runs nothing else on it, so a blocking read stalls no other
/// task and costs two system calls per call instead of six (send, a read that would block,
/// two wake-ups, two reads). Its reads peek: a reply is consumed when the next request has
/// been sent, so the plugin, asleep waiting for that request, is woken once per call rather
/// than twice (see `lsm_ipc::peeking`).
enum Transport {
    Async(AsyncFrameStream<tokio::net::UnixStream>),
    Blocking(FrameStream<PeekingStream>),
}

/// Which [`Transport`] a session runs on.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Io {
    Async,
    Blocking,
}

/// How the plugin is reached (the `connect*` functions).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Route<'a> {
    Auto,
    Embedded,
    PluginExe(&'a Path),
    Daemon(&'a Path),
}

fn timeout_ms(timeout: Duration) -> i64 {
    i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX)
}

impl Client {
    /// Connect by the one rule: `LSMCLI_DEBUG_FD`, then `LSM_UDS_PATH`
    /// (daemon only), then a socket in `/var/run/lsm/ipc`, else embedded.
    pub async fn connect(uri: &str, password: Option<&str>, timeout: Duration) -> Result<Client> {
        Client::open(Route::Auto, uri, password, timeout, Io::Async).await
    }

    /// Spawn the plugin ourselves, whatever daemon is running.
    pub async fn connect_embedded(
        uri: &str,
        password: Option<&str>,
        timeout: Duration,
    ) -> Result<Client> {
        Client::open(Route::Embedded, uri, password, timeout, Io::Async).await
    }

    /// Spawn this plugin executable (any path) on a socketpair.
    pub async fn connect_plugin_exe(
        exe: &Path,
        uri: &str,
        password: Option<&str>,
        timeout: Duration,
    ) -> Result<Client> {
        Client::open(Route::PluginExe(exe), uri, password, timeout, Io::Async).await
    }

    /// Go through the lsmd whose sockets are in `socket_dir`.
    pub async fn connect_daemon(
        socket_dir: &Path,
        uri: &str,
        password: Option<&str>,
        timeout: Duration,
    ) -> Result<Client> {
        Client::open(Route::Daemon(socket_dir), uri, password, timeout, Io::Async).await
    }

    /// Serve `plugin` on a thread of this process and open a session with it, over a
    /// socketpair, through the same runner and wire as a plugin process (the SDK's
    /// [`serve`](crate::plugin::serve)): a plugin crate's tests need neither a built binary
    /// nor a daemon. `close()` joins the plugin's thread once it has answered
    /// `plugin_unregister`.
    ///
    /// ```
    /// # use lsm_core::{Client, Capabilities, LsmError, System};
    /// # use lsm_core::plugin::{Call, Management, Nas, Plugin, PluginInfo, Registration, San};
    /// struct Tiny;
    /// struct TinySession;
    /// impl Plugin for Tiny {
    ///     type Session = TinySession;
    ///     fn plugin_info(&self) -> PluginInfo {
    ///         PluginInfo { description: "tiny".into(), version: "1".into() }
    ///     }
    ///     fn register(&self, _: &Call, _: &Registration) -> Result<TinySession, LsmError> {
    ///         Ok(TinySession)
    ///     }
    /// }
    /// impl Management for TinySession {
    ///     fn capabilities(&mut self, _: &Call, _: &System) -> Result<Capabilities, LsmError> {
    ///         Ok(Capabilities::default())
    ///     }
    ///     fn systems(&mut self, _: &Call) -> Result<Vec<System>, LsmError> { Ok(vec![]) }
    /// }
    /// impl San for TinySession {}
    /// impl Nas for TinySession {}
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let mut client = Client::connect_in_process(Tiny, "tiny://", None, lsm_core::client::DEFAULT_TIMEOUT)
    ///     .await?;
    /// assert!(client.systems().await?.is_empty());
    /// client.close().await?;
    /// # Ok::<(), LsmError>(()) }).unwrap();
    /// ```
    pub async fn connect_in_process<P>(
        plugin: P,
        uri: &str,
        password: Option<&str>,
        timeout: Duration,
    ) -> Result<Client>
    where
        P: Plugin + Send + 'static,
    {
        Client::open_in_process(plugin, uri, password, timeout, Io::Async).await
    }

    /// Serve `plugin` on a thread, drive its socket with `io`, and register.
    pub(crate) async fn open_in_process<P>(
        plugin: P,
        uri: &str,
        password: Option<&str>,
        timeout: Duration,
        io: Io,
    ) -> Result<Client>
    where
        P: Plugin + Send + 'static,
    {
        let parsed = Uri::parse(uri)?;
        let conn = transport::serve_in_process(plugin)?;
        Client::start(conn, parsed, password, timeout, io).await
    }

    /// Reach the plugin by `route`, drive its socket with `io`, and register.
    pub(crate) async fn open(
        route: Route<'_>,
        uri: &str,
        password: Option<&str>,
        timeout: Duration,
        io: Io,
    ) -> Result<Client> {
        let parsed = Uri::parse(uri)?;
        let name = parsed.plugin_name();
        let conn = match route {
            Route::Auto => transport::connect_auto(name)?,
            Route::Embedded => transport::connect_embedded(name)?,
            Route::PluginExe(exe) => transport::spawn_plugin(exe)?,
            Route::Daemon(socket_dir) => transport::connect_daemon(socket_dir, name)?,
        };
        Client::start(conn, parsed, password, timeout, io).await
    }

    async fn start(
        conn: transport::Connection,
        uri: Uri,
        password: Option<&str>,
        timeout: Duration,
        io: Io,
    ) -> Result<Client> {
        if timeout.is_zero() {
            return Err(LsmError::new(
                ErrorNumber::INVALID_ARGUMENT,
                "timeout must be greater than 0",
            ));
        }
        let transport_err = |e: std::io::Error| {
            LsmError::new(
                ErrorNumber::PLUGIN_IPC_FAIL,
                format!("cannot use plugin socket: {e}"),
            )
        };
        let stream = match io {
            Io::Async => {
                conn.stream.set_nonblocking(true).map_err(transport_err)?;
                let stream =
                    tokio::net::UnixStream::from_std(conn.stream).map_err(transport_err)?;
                Transport::Async(AsyncFrameStream::new(stream))
            }
            Io::Blocking => {
                conn.stream.set_nonblocking(false).map_err(transport_err)?;
                Transport::Blocking(FrameStream::new(PeekingStream::new(conn.stream)))
            }
        };
        let mut client = Client {
            stream: Some(stream),
            peer: conn.peer,
            mode: conn.mode,
            uri,
            timeout,
            broken: None,
        };
        client.apply_socket_timeouts()?;
        let register = params::PluginRegister {
            uri: client.uri.as_str().to_owned().into(),
            password: password.map(Secret::from),
            timeout: Some(timeout_ms(timeout)),
            flags: 0,
        };
        client
            .call::<serde::de::IgnoredAny>(params::PluginRegister::METHOD, register)
            .await?;
        Ok(client)
    }

    /// The session timeout as the blocking socket's send and receive timeouts.
    fn apply_socket_timeouts(&mut self) -> Result<()> {
        if let Some(Transport::Blocking(stream)) = &self.stream {
            let socket = stream.get_ref().get_ref();
            socket
                .set_read_timeout(Some(self.timeout))
                .and_then(|()| socket.set_write_timeout(Some(self.timeout)))
                .map_err(|e| {
                    LsmError::new(
                        ErrorNumber::PLUGIN_IPC_FAIL,
                        format!("cannot set the socket timeout: {e}"),
                    )
                })?;
        }
        Ok(())
    }

    /// The URI this session was opened with.
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// How the plugin was reached.
    pub fn mode(&self) -> &ConnectMode {
        &self.mode
    }

    /// The pid of the plugin process this client spawned (embedded mode).
    pub fn plugin_pid(&self) -> Option<u32> {
        match &self.peer {
            Peer::Process(child) => Some(child.id()),
            Peer::Thread(_) | Peer::Foreign => None,
        }
    }

    /// The timeout applied to each call.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Send one request and read its reply, within the timeout. `params`: a
    /// `serde_json::Value` or any type that serializes to a JSON object.
    pub async fn call<R: DeserializeOwned>(
        &mut self,
        method: &str,
        params: impl Serialize,
    ) -> Result<R> {
        if let Some(why) = &self.broken {
            return Err(LsmError::new(
                ErrorNumber::TRANSPORT_COMMUNICATION,
                format!("connection to the plugin is unusable: {why}"),
            ));
        }
        let payload = lsm_ipc::encode_request(method, STANDARD_ID, &params)?;
        if payload.len() > lsm_ipc::MAX_REQUEST_FRAME {
            // A plugin would refuse it at its header and close the connection.
            return Err(LsmError::new(
                ErrorNumber::INVALID_ARGUMENT,
                format!(
                    "the {method} request is {} bytes, over the {} byte limit of one LSM \
                     request (a name or list that long?)",
                    payload.len(),
                    lsm_ipc::MAX_REQUEST_FRAME
                ),
            ));
        }
        let Some(stream) = self.stream.as_mut() else {
            return Err(LsmError::new(
                ErrorNumber::TRANSPORT_COMMUNICATION,
                "connection is closed",
            ));
        };
        let outcome = match stream {
            Transport::Async(stream) => {
                let exchange = async {
                    stream.write_frame(&payload).await?;
                    stream.read_frame().await
                };
                tokio::time::timeout(self.timeout, exchange)
                    .await
                    .unwrap_or_else(|_| Err(lsm_ipc::IpcError::Timeout(String::new())))
            }
            // The socket's send and receive timeouts are this client's (see
            // `apply_socket_timeouts`): a plugin that does not answer in time gives `Timeout`.
            Transport::Blocking(stream) => stream
                .write_frame(&payload)
                .and_then(|()| stream.read_frame()),
        };
        let frame = match outcome {
            Err(lsm_ipc::IpcError::Timeout(_)) => {
                let msg = format!(
                    "plugin did not answer {method} within {} ms",
                    self.timeout.as_millis()
                );
                self.broken = Some(msg.clone());
                return Err(LsmError::new(ErrorNumber::TIMEOUT, msg));
            }
            Err(e) => {
                let err = LsmError::from(e);
                self.broken = Some(err.message.clone());
                return Err(self.explain_transport_error(err));
            }
            Ok(None) => {
                let err = LsmError::new(
                    ErrorNumber::TRANSPORT_COMMUNICATION,
                    format!("plugin closed the connection during {method}"),
                );
                self.broken = Some(err.message.clone());
                return Err(self.explain_transport_error(err));
            }
            Ok(Some(frame)) => frame,
        };
        decode_reply(method, &frame)
    }

    /// Add what we know of an embedded plugin's death to a transport error.
    fn explain_transport_error(&mut self, mut err: LsmError) -> LsmError {
        if let Peer::Process(child) = &mut self.peer {
            std::thread::sleep(Duration::from_millis(5));
            if let Ok(Some(status)) = child.try_wait() {
                err.message = format!("{} (plugin exited: {status})", err.message);
            }
        }
        err
    }

    /// `plugin_unregister`, then close the connection. An embedded plugin
    /// has answered only once it let go of everything it held; its exit
    /// (hundreds of µs of process teardown) is not waited for: it is reaped
    /// off-thread, and killed should it outlive the timeout (5 s at most).
    /// A plugin served in process has ended its session once it answered:
    /// its thread is joined.
    pub async fn close(mut self) -> Result<()> {
        let result = self
            .request::<_, serde::de::IgnoredAny>(params::PluginUnregister { flags: 0 })
            .await;
        self.stream = None;
        match std::mem::replace(&mut self.peer, Peer::Foreign) {
            Peer::Process(child) => child.reap_in_background(self.timeout),
            Peer::Thread(thread) if result.is_ok() => {
                if thread.join().is_err() {
                    return Err(LsmError::new(
                        ErrorNumber::PLUGIN_BUG,
                        "the in-process plugin's thread panicked",
                    ));
                }
            }
            Peer::Thread(_) | Peer::Foreign => {}
        }
        result.map(|_| ())
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // Closing the socket tells the plugin to go; reap it off-thread so
        // no zombie is left and drop never blocks.
        self.stream = None;
        match std::mem::replace(&mut self.peer, Peer::Foreign) {
            Peer::Process(child) => child.reap_in_background(self.timeout),
            // The thread ends once it sees the socket closed; dropping the handle detaches it.
            Peer::Thread(_) | Peer::Foreign => {}
        }
    }
}

/// The result of a reply frame as `R`, or the error it carries.
///
/// A compact success (`{"id":N,"result":...}`, what plugins write) is parsed in one pass
/// straight into `R`; anything else, or a result that does not parse, goes through the full
/// envelope parse, which also gives the precise error.
pub(crate) fn decode_reply<R: DeserializeOwned>(method: &str, frame: &[u8]) -> Result<R> {
    // Parsing from `&str` spares serde_json a UTF-8 check of every string in the reply; the
    // one check of the whole slice costs far less.
    if let Some(result) = lsm_ipc::compact_result(frame)
        && let Ok(text) = std::str::from_utf8(result)
        && let Ok(value) = serde_json::from_str(text)
    {
        return Ok(value);
    }
    match lsm_ipc::parse_reply(frame)? {
        RawReply::Result { result, .. } => serde_json::from_str(result.get()).map_err(|e| {
            LsmError::new(
                ErrorNumber::TRANSPORT_SERIALIZATION,
                format!("unexpected result for {method}: {e}"),
            )
        }),
        RawReply::Error { error, .. } => Err(LsmError::from(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_replies_decode_in_one_pass_and_others_fall_back() {
        let listed: Vec<i64> = decode_reply("x", br#"{"id":100,"result":[1,2,3]}"#).unwrap();
        assert_eq!(listed, [1, 2, 3]);
        // Spaces and key order of other peers go through the full parse.
        let spaced: Vec<i64> =
            decode_reply("x", br#"{"error": null, "id": 100, "result": [4]}"#).unwrap();
        assert_eq!(spaced, [4]);
        // A `null` result followed by an error is the error, not a `null` success.
        let error = decode_reply::<serde_json::Value>(
            "x",
            br#"{"id":100,"result":null,"error":{"code":205,"message":"no volume","data":null}}"#,
        )
        .unwrap_err();
        assert_eq!(error.code, ErrorNumber::NOT_FOUND_VOLUME);
        assert_eq!(error.message, "no volume");
        // A result of the wrong shape is a serialization error naming the method.
        let wrong =
            decode_reply::<Vec<i64>>("volumes", br#"{"id":100,"result":{"a":1}}"#).unwrap_err();
        assert_eq!(wrong.code, ErrorNumber::TRANSPORT_SERIALIZATION);
        assert!(wrong.message.contains("volumes"), "{}", wrong.message);
    }
}
