//! The client: a session with one plugin, reached through lsmd, spawned (embedded mode), or
//! served on a thread of this process (tests).
//!
//! [`Client`] is async (tokio); [`BlockingClient`] wraps it with its own
//! single-thread runtime. Every call honours the session timeout: a plugin
//! that does not answer in time gives `TIMEOUT` (11), and the connection is
//! then unusable (a late reply would be out of step).
//!
//! # Layout
//! - this file: the session (register, one call, close);
//! - `builder`: [`ClientBuilder`], what a session is opened with, and the connect rule;
//! - `methods`: one method per wire method, each sending its [`crate::params`] struct;
//! - `jobs`: waiting for a job ([`Completion`] and [`JobReport`] are in `results`);
//! - `transport`: how the socket is had (the connect rule, a forced mode, spawning a plugin);
//! - `discovery`: the plugin search path, installed plugins, `available_plugins`;
//! - `blocking`: [`BlockingClient`].

mod blocking;
mod builder;
mod discovery;
mod jobs;
mod methods;
mod transport;

use std::time::Duration;

use lsm_ipc::{AsyncFrameStream, FrameStream, PeekingStream, RawReply, STANDARD_ID};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use crate::results::{Completion, Job, JobReport};
pub use blocking::BlockingClient;
pub use builder::{BlockingClientBuilder, ClientBuilder};
pub use discovery::{
    daemon_plugins, embedded_plugins, find_plugin, installed_plugins, plugin_search_path,
};
pub use jobs::JobOutput;
pub use transport::{ConnectMode, DEFAULT_SOCKET_DIR, INSTALL_PLUGIN_DIR, PLUGIN_SUFFIX};

use crate::error::{ErrorNumber, LsmError, Result};
use crate::params::{self, Params, Secret};
use crate::uri::Uri;
use builder::Places;
use transport::Peer;

/// The timeout clients use unless told otherwise (ms).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(30_000);

/// A session with one plugin, opened by [`Client::builder`] (or its short form
/// [`Client::connect`]) and ended by [`Client::close`]. One call at a time, as the protocol
/// has it; open several clients to work in parallel.
pub struct Client {
    stream: Option<Transport>,
    peer: Peer,
    mode: ConnectMode,
    uri: Uri,
    timeout: Duration,
    /// Where [`Client::available_plugins`] looks, and what it gives the plugins it spawns.
    places: Places,
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

/// A builder with the arguments of the short `connect` forms.
fn builder_of<C>(uri: &str, password: Option<&str>, timeout: Duration) -> ClientBuilder<C> {
    let builder = ClientBuilder::new(uri).timeout(timeout);
    match password {
        Some(password) => builder.password(password),
        None => builder,
    }
}

fn timeout_ms(timeout: Duration) -> i64 {
    i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX)
}

impl Client {
    /// A builder of a session with the plugin of `uri`: password, timeout, plugin and socket
    /// dirs, and how the plugin is reached (see [`ClientBuilder`]).
    pub fn builder(uri: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(uri)
    }

    /// Connect to the plugin of `uri` by the connect rule (see [`ClientBuilder`]), and
    /// register with `password` and `timeout`: the short form of
    /// `Client::builder(uri).password(..).timeout(timeout).connect()`, with the arguments
    /// of the reference's `Client(uri, password, timeout)`.
    ///
    /// ```no_run
    /// # async fn run() -> lsm_core::Result<()> {
    /// use lsm_core::Client;
    /// use lsm_core::client::DEFAULT_TIMEOUT;
    ///
    /// let mut client = Client::connect("sim://", None, DEFAULT_TIMEOUT).await?;
    /// for pool in client.pools(None).await? {
    ///     println!("{} {} bytes free", pool.name, pool.free_space);
    /// }
    /// client.close().await?;
    /// # Ok(()) }
    /// ```
    pub async fn connect(uri: &str, password: Option<&str>, timeout: Duration) -> Result<Client> {
        builder_of::<Client>(uri, password, timeout).connect().await
    }

    /// Reach the plugin as `builder` says, drive its socket with `io`, and register.
    pub(crate) async fn open<C>(builder: ClientBuilder<C>, io: Io) -> Result<Client> {
        let uri = Uri::parse(&builder.uri)?;
        if builder.timeout.is_zero() {
            return Err(LsmError::new(
                ErrorNumber::INVALID_ARGUMENT,
                "timeout must be greater than 0",
            ));
        }
        let conn = transport::connect(&builder.route, uri.plugin_name(), &builder.places)?;
        Client::start(
            conn,
            uri,
            builder.password.as_deref(),
            builder.timeout,
            builder.places,
            io,
        )
        .await
    }

    async fn start(
        conn: transport::Connection,
        uri: Uri,
        password: Option<&str>,
        timeout: Duration,
        places: Places,
        io: Io,
    ) -> Result<Client> {
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
            places,
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
            #[cfg(feature = "plugin")]
            Peer::Thread(_) => None,
            Peer::Foreign => None,
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
            #[cfg(feature = "plugin")]
            Peer::Thread(thread) => {
                // Joined only once the plugin answered: then its session has ended.
                if result.is_ok() && thread.join().is_err() {
                    return Err(LsmError::new(
                        ErrorNumber::PLUGIN_BUG,
                        "the in-process plugin's thread panicked",
                    ));
                }
            }
            Peer::Foreign => {}
        }
        result.map(|_| ())
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // Closing the socket tells the plugin to go; reap it off-thread so
        // no zombie is left and drop never blocks.
        self.stream = None;
        // An in-process plugin's thread ends once it sees the socket closed; dropping the
        // handle detaches it.
        if let Peer::Process(child) = std::mem::replace(&mut self.peer, Peer::Foreign) {
            child.reap_in_background(self.timeout);
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
