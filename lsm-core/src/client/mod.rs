//! The client: one method per wire method, over an embedded plugin or lsmd.
//!
//! [`Client`] is async (tokio); [`BlockingClient`] wraps it with its own
//! single-thread runtime. Every call honours the session timeout: a plugin
//! that does not answer in time gives `TIMEOUT` (11), and the connection is
//! then unusable (a late reply would be out of step).

mod blocking;
mod transport;

use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lsm_ipc::{AsyncFrameStream, FrameStream, PeekingStream, PluginChild, RawReply, STANDARD_ID};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

pub use blocking::BlockingClient;
pub use transport::{
    ConnectMode, DEFAULT_SOCKET_DIR, INSTALL_PLUGIN_DIR, PLUGIN_SUFFIX, find_plugin,
    installed_plugins, plugin_search_path,
};

use crate::Capabilities;
use crate::checks;
use crate::error::{ErrorNumber, LsmError, Result};
use crate::results::{
    JobStatusWire, PoolMemberInfo, RaidCreateCap, VolumeCacheInfo, VolumeRaidInfo,
};
use crate::types::*;
use crate::uri::Uri;
use crate::validate::{self, Listing};

/// The timeout clients use unless told otherwise (ms).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(30_000);

/// A job started by the plugin; [`Client::wait`] turns it into its result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job<T> {
    pub id: String,
    _output: PhantomData<fn() -> T>,
}

impl<T> Job<T> {
    pub fn new(id: impl Into<String>) -> Self {
        Job {
            id: id.into(),
            _output: PhantomData,
        }
    }
}

/// The answer of an async method: finished, or a job to wait for.
#[derive(Debug, Clone, PartialEq)]
pub enum Completion<T> {
    Done(T),
    Job(Job<T>),
}

impl<T> Completion<T> {
    /// The job id, when a job was started.
    pub fn job_id(&self) -> Option<&str> {
        match self {
            Completion::Done(_) => None,
            Completion::Job(j) => Some(&j.id),
        }
    }
}

/// What a finished job hands back.
pub trait JobOutput: Sized {
    fn from_item(item: Option<LsmObject>) -> Result<Self>;
}

impl JobOutput for () {
    fn from_item(_: Option<LsmObject>) -> Result<Self> {
        Ok(())
    }
}

macro_rules! job_output {
    ($ty:ident, $what:literal) => {
        impl JobOutput for $ty {
            fn from_item(item: Option<LsmObject>) -> Result<Self> {
                match item {
                    Some(LsmObject::$ty(v)) => Ok(v),
                    other => Err(LsmError::new(
                        ErrorNumber::PLUGIN_BUG,
                        format!(
                            "job completed without {}: got {:?}",
                            $what,
                            other.map(|o| o.class())
                        ),
                    )),
                }
            }
        }
    };
}
job_output!(Volume, "a Volume");
job_output!(FileSystem, "a FileSystem");
job_output!(FsSnapshot, "an FsSnapshot");
job_output!(Pool, "a Pool");

/// A job's state as `job_status` reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct JobReport {
    pub status: JobStatus,
    pub percent: u8,
    pub item: Option<LsmObject>,
}

/// A session with one plugin.
pub struct Client {
    stream: Option<Transport>,
    child: Option<PluginChild>,
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

// Params of the calls made most often, serialized straight from these structs rather than
// through a `json!` map (the key order is the wire order).

#[derive(Serialize)]
struct FlagsOnly {
    flags: u64,
}

#[derive(Serialize)]
struct SearchParams<'a> {
    search_key: Option<&'a str>,
    search_value: Option<&'a str>,
    flags: u64,
}

#[derive(Serialize)]
struct JobParams<'a> {
    job_id: &'a str,
    flags: u64,
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
            child: conn.child,
            mode: conn.mode,
            uri,
            timeout,
            broken: None,
        };
        client.apply_socket_timeouts()?;
        let params = json!({
            "uri": client.uri.as_str(),
            "password": password,
            "timeout": timeout_ms(timeout),
            "flags": 0,
        });
        client.call::<Value>("plugin_register", params).await?;
        Ok(client)
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
        self.child.as_ref().map(PluginChild::id)
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
        if let Some(child) = self.child.as_mut() {
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
    pub async fn close(mut self) -> Result<()> {
        let result = self
            .call::<Value>("plugin_unregister", json!({"flags": 0}))
            .await;
        self.stream = None;
        if let Some(child) = self.child.take() {
            reap_in_background(child, self.timeout);
        }
        result.map(|_| ())
    }

    // ---------------------------------------------------------------- jobs

    /// Poll a job until it ends: progress goes to `progress`, the job is
    /// freed, and its result (or the plugin's error) returned.
    pub async fn wait<T: JobOutput>(
        &mut self,
        completion: Completion<T>,
        mut progress: impl FnMut(u8),
    ) -> Result<T> {
        let job = match completion {
            Completion::Done(value) => return Ok(value),
            Completion::Job(job) => job,
        };
        let mut delay = Duration::from_millis(2);
        loop {
            let report = self.job_status(&job.id).await?;
            progress(report.percent);
            match report.status {
                JobStatus::INPROGRESS => {
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_millis(250));
                }
                JobStatus::COMPLETE => {
                    self.job_free(&job.id).await?;
                    return T::from_item(report.item);
                }
                other => {
                    let _ = self.job_free(&job.id).await;
                    return Err(LsmError::new(
                        ErrorNumber::PLUGIN_BUG,
                        format!("job {} ended in error (status {})", job.id, other.0),
                    ));
                }
            }
        }
    }

    /// Wait without progress reports.
    pub async fn wait_done<T: JobOutput>(&mut self, completion: Completion<T>) -> Result<T> {
        self.wait(completion, |_| {}).await
    }

    pub async fn job_status(&mut self, job_id: &str) -> Result<JobReport> {
        let JobStatusWire(status, percent, item) = self
            .call("job_status", JobParams { job_id, flags: 0 })
            .await?;
        Ok(JobReport {
            status,
            percent: percent.clamp(0, 100) as u8,
            item,
        })
    }

    pub async fn job_free(&mut self, job_id: &str) -> Result<()> {
        self.call_unit("job_free", JobParams { job_id, flags: 0 })
            .await
    }

    async fn call_unit(&mut self, method: &str, params: impl Serialize) -> Result<()> {
        self.call::<Value>(method, params).await.map(|_| ())
    }

    /// J+obj methods: `[job|null, obj|null]`.
    async fn call_job_obj<T: DeserializeOwned>(
        &mut self,
        method: &str,
        params: Value,
    ) -> Result<Completion<T>> {
        let (job, obj): (Option<String>, Option<T>) = self.call(method, params).await?;
        match (job, obj) {
            (Some(job), _) => Ok(Completion::Job(Job::new(job))),
            (None, Some(obj)) => Ok(Completion::Done(obj)),
            (None, None) => Err(LsmError::new(
                ErrorNumber::PLUGIN_BUG,
                format!("{method} returned neither a job nor an object"),
            )),
        }
    }

    /// J methods: `job|null`.
    async fn call_job(&mut self, method: &str, params: Value) -> Result<Completion<()>> {
        let job: Option<String> = self.call(method, params).await?;
        Ok(match job {
            Some(job) => Completion::Job(Job::new(job)),
            None => Completion::Done(()),
        })
    }

    async fn list<T: DeserializeOwned>(
        &mut self,
        method: &str,
        listing: Listing,
        search: Option<(&str, &str)>,
    ) -> Result<Vec<T>> {
        if let Some((key, _)) = search {
            validate::check_search_key(listing, key)?;
        }
        let (search_key, search_value) = search.unzip();
        self.call(
            method,
            SearchParams {
                search_key,
                search_value,
                flags: 0,
            },
        )
        .await
    }

    // ---------------------------------------------------------- management

    /// `[description, version]`.
    pub async fn plugin_info(&mut self) -> Result<(String, String)> {
        self.call("plugin_info", json!({"flags": 0})).await
    }

    /// Set the plugin's timeout, and this client's.
    pub async fn time_out_set(&mut self, timeout: Duration) -> Result<()> {
        if timeout.is_zero() {
            return Err(LsmError::new(
                ErrorNumber::INVALID_ARGUMENT,
                "timeout must be greater than 0",
            ));
        }
        self.call_unit(
            "time_out_set",
            json!({"ms": timeout_ms(timeout), "flags": 0}),
        )
        .await?;
        self.timeout = timeout;
        self.apply_socket_timeouts()
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

    pub async fn time_out_get(&mut self) -> Result<Duration> {
        let ms: i64 = self.call("time_out_get", json!({"flags": 0})).await?;
        Ok(Duration::from_millis(ms.max(0) as u64))
    }

    pub async fn capabilities(&mut self, system: &System) -> Result<Capabilities> {
        self.call("capabilities", json!({"system": system, "flags": 0}))
            .await
    }

    pub async fn systems(&mut self) -> Result<Vec<System>> {
        self.call("systems", FlagsOnly { flags: 0 }).await
    }

    /// `search`: `(key, value)`, key one of `id`, `system_id`.
    pub async fn pools(&mut self, search: Option<(&str, &str)>) -> Result<Vec<Pool>> {
        self.list("pools", Listing::Pools, search).await
    }

    pub async fn system_read_cache_pct_update(
        &mut self,
        system: &System,
        read_pct: i64,
    ) -> Result<()> {
        checks::read_cache_pct(read_pct)?;
        self.call_unit(
            "system_read_cache_pct_update",
            json!({"system": system, "read_pct": read_pct, "flags": 0}),
        )
        .await
    }

    /// `"description<sep>version"` of every plugin reachable the way this
    /// client was: each socket of the daemon's dir, or each installed
    /// `*_lsmplugin` in embedded mode.
    pub async fn available_plugins(&self, sep: &str) -> Result<Vec<String>> {
        match &self.mode {
            ConnectMode::Daemon(dir) => daemon_plugins(dir, sep, self.timeout).await,
            ConnectMode::Embedded(_) | ConnectMode::DebugFd(_) => {
                embedded_plugins(sep, self.timeout).await
            }
        }
    }

    // ----------------------------------------------------------------- SAN

    pub async fn volumes(&mut self, search: Option<(&str, &str)>) -> Result<Vec<Volume>> {
        self.list("volumes", Listing::Volumes, search).await
    }

    pub async fn disks(&mut self, search: Option<(&str, &str)>) -> Result<Vec<Disk>> {
        self.list("disks", Listing::Disks, search).await
    }

    pub async fn volume_create(
        &mut self,
        pool: &Pool,
        volume_name: &str,
        size_bytes: i64,
        provisioning: Provisioning,
    ) -> Result<Completion<Volume>> {
        self.call_job_obj(
            "volume_create",
            json!({"pool": pool, "volume_name": volume_name, "size_bytes": size_bytes,
                   "provisioning": provisioning, "flags": 0}),
        )
        .await
    }

    pub async fn volume_resize(
        &mut self,
        volume: &Volume,
        new_size_bytes: i64,
    ) -> Result<Completion<Volume>> {
        self.call_job_obj(
            "volume_resize",
            json!({"volume": volume, "new_size_bytes": new_size_bytes, "flags": 0}),
        )
        .await
    }

    /// `pool`: None = the source's pool.
    pub async fn volume_replicate(
        &mut self,
        pool: Option<&Pool>,
        rep_type: ReplicationType,
        volume_src: &Volume,
        name: &str,
    ) -> Result<Completion<Volume>> {
        self.call_job_obj(
            "volume_replicate",
            json!({"pool": pool, "rep_type": rep_type, "volume_src": volume_src,
                   "name": name, "flags": 0}),
        )
        .await
    }

    pub async fn volume_replicate_range_block_size(&mut self, system: &System) -> Result<i64> {
        self.call(
            "volume_replicate_range_block_size",
            json!({"system": system, "flags": 0}),
        )
        .await
    }

    pub async fn volume_replicate_range(
        &mut self,
        rep_type: ReplicationType,
        volume_src: &Volume,
        volume_dest: &Volume,
        ranges: &[BlockRange],
    ) -> Result<Completion<()>> {
        self.call_job(
            "volume_replicate_range",
            json!({"rep_type": rep_type, "volume_src": volume_src,
                   "volume_dest": volume_dest, "ranges": ranges, "flags": 0}),
        )
        .await
    }

    pub async fn volume_delete(&mut self, volume: &Volume) -> Result<Completion<()>> {
        self.call_job("volume_delete", json!({"volume": volume, "flags": 0}))
            .await
    }

    pub async fn volume_enable(&mut self, volume: &Volume) -> Result<()> {
        self.call_unit("volume_enable", json!({"volume": volume, "flags": 0}))
            .await
    }

    pub async fn volume_disable(&mut self, volume: &Volume) -> Result<()> {
        self.call_unit("volume_disable", json!({"volume": volume, "flags": 0}))
            .await
    }

    pub async fn iscsi_chap_auth(
        &mut self,
        init_id: &str,
        in_user: Option<&str>,
        in_password: Option<&str>,
        out_user: Option<&str>,
        out_password: Option<&str>,
    ) -> Result<()> {
        checks::chap(in_user, in_password, out_user, out_password)?;
        self.call_unit(
            "iscsi_chap_auth",
            json!({"init_id": init_id, "in_user": in_user, "in_password": in_password,
                   "out_user": out_user, "out_password": out_password, "flags": 0}),
        )
        .await
    }

    pub async fn access_groups(
        &mut self,
        search: Option<(&str, &str)>,
    ) -> Result<Vec<AccessGroup>> {
        self.list("access_groups", Listing::AccessGroups, search)
            .await
    }

    /// `init_type` UNKNOWN lets the id decide (iqn → ISCSI_IQN, else WWPN).
    pub async fn access_group_create(
        &mut self,
        name: &str,
        init_id: &str,
        init_type: InitiatorType,
        system: &System,
    ) -> Result<AccessGroup> {
        let (init_id, init_type) = validate::normalize_init_id(init_id, init_type)?;
        self.call(
            "access_group_create",
            json!({"name": name, "init_id": init_id, "init_type": init_type,
                   "system": system, "flags": 0}),
        )
        .await
    }

    pub async fn access_group_delete(&mut self, access_group: &AccessGroup) -> Result<()> {
        self.call_unit(
            "access_group_delete",
            json!({"access_group": access_group, "flags": 0}),
        )
        .await
    }

    pub async fn access_group_initiator_add(
        &mut self,
        access_group: &AccessGroup,
        init_id: &str,
        init_type: InitiatorType,
    ) -> Result<AccessGroup> {
        let (init_id, init_type) = validate::normalize_init_id(init_id, init_type)?;
        self.call(
            "access_group_initiator_add",
            json!({"access_group": access_group, "init_id": init_id,
                   "init_type": init_type, "flags": 0}),
        )
        .await
    }

    pub async fn access_group_initiator_delete(
        &mut self,
        access_group: &AccessGroup,
        init_id: &str,
        init_type: InitiatorType,
    ) -> Result<AccessGroup> {
        let (init_id, init_type) = validate::normalize_init_id(init_id, init_type)?;
        self.call(
            "access_group_initiator_delete",
            json!({"access_group": access_group, "init_id": init_id,
                   "init_type": init_type, "flags": 0}),
        )
        .await
    }

    pub async fn volume_mask(&mut self, access_group: &AccessGroup, volume: &Volume) -> Result<()> {
        self.call_unit(
            "volume_mask",
            json!({"access_group": access_group, "volume": volume, "flags": 0}),
        )
        .await
    }

    pub async fn volume_unmask(
        &mut self,
        access_group: &AccessGroup,
        volume: &Volume,
    ) -> Result<()> {
        self.call_unit(
            "volume_unmask",
            json!({"access_group": access_group, "volume": volume, "flags": 0}),
        )
        .await
    }

    pub async fn volumes_accessible_by_access_group(
        &mut self,
        access_group: &AccessGroup,
    ) -> Result<Vec<Volume>> {
        self.call(
            "volumes_accessible_by_access_group",
            json!({"access_group": access_group, "flags": 0}),
        )
        .await
    }

    pub async fn access_groups_granted_to_volume(
        &mut self,
        volume: &Volume,
    ) -> Result<Vec<AccessGroup>> {
        self.call(
            "access_groups_granted_to_volume",
            json!({"volume": volume, "flags": 0}),
        )
        .await
    }

    pub async fn volume_child_dependency(&mut self, volume: &Volume) -> Result<bool> {
        self.call(
            "volume_child_dependency",
            json!({"volume": volume, "flags": 0}),
        )
        .await
    }

    pub async fn volume_child_dependency_rm(&mut self, volume: &Volume) -> Result<Completion<()>> {
        self.call_job(
            "volume_child_dependency_rm",
            json!({"volume": volume, "flags": 0}),
        )
        .await
    }

    pub async fn target_ports(&mut self, search: Option<(&str, &str)>) -> Result<Vec<TargetPort>> {
        self.list("target_ports", Listing::TargetPorts, search)
            .await
    }

    pub async fn volume_raid_info(&mut self, volume: &Volume) -> Result<VolumeRaidInfo> {
        self.call("volume_raid_info", json!({"volume": volume, "flags": 0}))
            .await
    }

    pub async fn pool_member_info(&mut self, pool: &Pool) -> Result<PoolMemberInfo> {
        self.call("pool_member_info", json!({"pool": pool, "flags": 0}))
            .await
    }

    pub async fn volume_raid_create_cap_get(&mut self, system: &System) -> Result<RaidCreateCap> {
        self.call(
            "volume_raid_create_cap_get",
            json!({"system": system, "flags": 0}),
        )
        .await
    }

    pub async fn volume_raid_create(
        &mut self,
        name: &str,
        raid_type: RaidType,
        disks: &[Disk],
        strip_size: i64,
    ) -> Result<Volume> {
        checks::raid_disks(raid_type, disks.len())?;
        self.call(
            "volume_raid_create",
            json!({"name": name, "raid_type": raid_type, "disks": disks,
                   "strip_size": strip_size, "flags": 0}),
        )
        .await
    }

    pub async fn volume_ident_led_on(&mut self, volume: &Volume) -> Result<()> {
        self.call_unit("volume_ident_led_on", json!({"volume": volume, "flags": 0}))
            .await
    }

    pub async fn volume_ident_led_off(&mut self, volume: &Volume) -> Result<()> {
        self.call_unit(
            "volume_ident_led_off",
            json!({"volume": volume, "flags": 0}),
        )
        .await
    }

    pub async fn batteries(&mut self, search: Option<(&str, &str)>) -> Result<Vec<Battery>> {
        self.list("batteries", Listing::Batteries, search).await
    }

    pub async fn volume_cache_info(&mut self, volume: &Volume) -> Result<VolumeCacheInfo> {
        self.call("volume_cache_info", json!({"volume": volume, "flags": 0}))
            .await
    }

    pub async fn volume_physical_disk_cache_update(
        &mut self,
        volume: &Volume,
        pdc: PhysicalDiskCache,
    ) -> Result<()> {
        checks::pdc(pdc)?;
        self.call_unit(
            "volume_physical_disk_cache_update",
            json!({"volume": volume, "pdc": pdc, "flags": 0}),
        )
        .await
    }

    pub async fn volume_write_cache_policy_update(
        &mut self,
        volume: &Volume,
        wcp: WriteCachePolicy,
    ) -> Result<()> {
        checks::wcp(wcp)?;
        self.call_unit(
            "volume_write_cache_policy_update",
            json!({"volume": volume, "wcp": wcp, "flags": 0}),
        )
        .await
    }

    pub async fn volume_read_cache_policy_update(
        &mut self,
        volume: &Volume,
        rcp: ReadCachePolicy,
    ) -> Result<()> {
        checks::rcp(rcp)?;
        self.call_unit(
            "volume_read_cache_policy_update",
            json!({"volume": volume, "rcp": rcp, "flags": 0}),
        )
        .await
    }

    // ----------------------------------------------------------------- NAS

    pub async fn fs(&mut self, search: Option<(&str, &str)>) -> Result<Vec<FileSystem>> {
        self.list("fs", Listing::Fs, search).await
    }

    pub async fn fs_create(
        &mut self,
        pool: &Pool,
        name: &str,
        size_bytes: i64,
    ) -> Result<Completion<FileSystem>> {
        self.call_job_obj(
            "fs_create",
            json!({"pool": pool, "name": name, "size_bytes": size_bytes, "flags": 0}),
        )
        .await
    }

    pub async fn fs_delete(&mut self, fs: &FileSystem) -> Result<Completion<()>> {
        self.call_job("fs_delete", json!({"fs": fs, "flags": 0}))
            .await
    }

    pub async fn fs_resize(
        &mut self,
        fs: &FileSystem,
        new_size_bytes: i64,
    ) -> Result<Completion<FileSystem>> {
        self.call_job_obj(
            "fs_resize",
            json!({"fs": fs, "new_size_bytes": new_size_bytes, "flags": 0}),
        )
        .await
    }

    pub async fn fs_clone(
        &mut self,
        src_fs: &FileSystem,
        dest_fs_name: &str,
        snapshot: Option<&FsSnapshot>,
    ) -> Result<Completion<FileSystem>> {
        self.call_job_obj(
            "fs_clone",
            json!({"src_fs": src_fs, "dest_fs_name": dest_fs_name,
                   "snapshot": snapshot, "flags": 0}),
        )
        .await
    }

    pub async fn fs_file_clone(
        &mut self,
        fs: &FileSystem,
        src_file_name: &str,
        dest_file_name: &str,
        snapshot: Option<&FsSnapshot>,
    ) -> Result<Completion<()>> {
        self.call_job(
            "fs_file_clone",
            json!({"fs": fs, "src_file_name": src_file_name,
                   "dest_file_name": dest_file_name, "snapshot": snapshot, "flags": 0}),
        )
        .await
    }

    pub async fn fs_child_dependency(
        &mut self,
        fs: &FileSystem,
        files: Option<&[String]>,
    ) -> Result<bool> {
        self.call(
            "fs_child_dependency",
            json!({"fs": fs, "files": files, "flags": 0}),
        )
        .await
    }

    pub async fn fs_child_dependency_rm(
        &mut self,
        fs: &FileSystem,
        files: Option<&[String]>,
    ) -> Result<Completion<()>> {
        self.call_job(
            "fs_child_dependency_rm",
            json!({"fs": fs, "files": files, "flags": 0}),
        )
        .await
    }

    pub async fn fs_snapshots(&mut self, fs: &FileSystem) -> Result<Vec<FsSnapshot>> {
        self.call("fs_snapshots", json!({"fs": fs, "flags": 0}))
            .await
    }

    pub async fn fs_snapshot_create(
        &mut self,
        fs: &FileSystem,
        snapshot_name: &str,
    ) -> Result<Completion<FsSnapshot>> {
        self.call_job_obj(
            "fs_snapshot_create",
            json!({"fs": fs, "snapshot_name": snapshot_name, "flags": 0}),
        )
        .await
    }

    pub async fn fs_snapshot_delete(
        &mut self,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
    ) -> Result<Completion<()>> {
        self.call_job(
            "fs_snapshot_delete",
            json!({"fs": fs, "snapshot": snapshot, "flags": 0}),
        )
        .await
    }

    pub async fn fs_snapshot_restore(
        &mut self,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
        files: Option<&[String]>,
        restore_files: Option<&[String]>,
        all_files: bool,
    ) -> Result<Completion<()>> {
        self.call_job(
            "fs_snapshot_restore",
            json!({"fs": fs, "snapshot": snapshot, "files": files,
                   "restore_files": restore_files, "all_files": all_files, "flags": 0}),
        )
        .await
    }

    pub async fn export_auth(&mut self) -> Result<Vec<String>> {
        self.call("export_auth", json!({"flags": 0})).await
    }

    pub async fn exports(&mut self, search: Option<(&str, &str)>) -> Result<Vec<NfsExport>> {
        self.list("exports", Listing::Exports, search).await
    }

    /// `anon_uid`/`anon_gid`: -1 = not applicable.
    #[allow(clippy::too_many_arguments)]
    pub async fn export_fs(
        &mut self,
        fs_id: &str,
        export_path: Option<&str>,
        root_list: &[String],
        rw_list: &[String],
        ro_list: &[String],
        anon_uid: i64,
        anon_gid: i64,
        auth_type: Option<&str>,
        options: Option<&str>,
    ) -> Result<NfsExport> {
        checks::export_hosts(rw_list, ro_list)?;
        self.call(
            "export_fs",
            json!({"fs_id": fs_id, "export_path": export_path, "root_list": root_list,
                   "rw_list": rw_list, "ro_list": ro_list, "anon_uid": anon_uid,
                   "anon_gid": anon_gid, "auth_type": auth_type, "options": options,
                   "flags": 0}),
        )
        .await
    }

    pub async fn export_remove(&mut self, export: &NfsExport) -> Result<()> {
        self.call_unit("export_remove", json!({"export": export, "flags": 0}))
            .await
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // Closing the socket tells the plugin to go; reap it off-thread so
        // no zombie is left and drop never blocks.
        self.stream = None;
        if let Some(child) = self.child.take() {
            reap_in_background(child, self.timeout);
        }
    }
}

/// Reap a plugin whose socket is closed without waiting for it: at once if
/// it has already exited, else on a thread of its own (see [`reap_child`]).
/// Should no thread be had, wait here.
fn reap_in_background(mut child: PluginChild, limit: Duration) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    let slot = std::sync::Arc::new(std::sync::Mutex::new(Some(child)));
    let take = |slot: &std::sync::Mutex<Option<PluginChild>>| slot.lock().ok()?.take();
    let theirs = std::sync::Arc::clone(&slot);
    let spawned = std::thread::Builder::new()
        .name("lsm-reap".into())
        .spawn(move || take(&theirs).map(|child| reap_child(child, limit)));
    if let (Err(_), Some(child)) = (spawned, take(&slot)) {
        reap_child(child, limit);
    }
}

/// Wait for a plugin to exit after its socket closed; kill it past `limit`.
fn reap_child(mut child: PluginChild, limit: Duration) {
    let deadline = std::time::Instant::now() + limit.min(Duration::from_secs(5));
    let pidfd = open_pidfd(&child);
    // Without a pidfd (kernels before 5.3): a plugin exits right after its socket closes,
    // so poll finely at first.
    let mut pause = Duration::from_micros(20);
    loop {
        match child.try_wait() {
            Ok(Some(_)) | Err(_) => return,
            Ok(None) => {}
        }
        let now = std::time::Instant::now();
        if now >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return;
        }
        match &pidfd {
            // Readable once the process has exited: wakes exactly then.
            Some(fd) => {
                let left = deadline - now;
                let mut poll = libc::pollfd {
                    fd: std::os::fd::AsRawFd::as_raw_fd(fd),
                    events: libc::POLLIN,
                    revents: 0,
                };
                let millis = libc::c_int::try_from(left.as_millis().max(1)).unwrap_or(5_000);
                // SAFETY: one valid pollfd, counted as one.
                unsafe { libc::poll(&mut poll, 1, millis) };
            }
            None => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(5));
            }
        }
    }
}

/// A pidfd of `child` (Linux 5.3+), `None` where the kernel has none.
fn open_pidfd(child: &PluginChild) -> Option<std::os::fd::OwnedFd> {
    let pid = libc::pid_t::try_from(child.id()).ok()?;
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    let fd = std::os::fd::RawFd::try_from(fd)
        .ok()
        .filter(|fd| *fd >= 0)?;
    // SAFETY: the fd was just returned by the kernel and is owned by nobody else.
    Some(unsafe { std::os::fd::FromRawFd::from_raw_fd(fd) })
}

/// Ask one socket of a daemon for `plugin_info` without registering.
async fn daemon_plugin_info(path: PathBuf, timeout: Duration) -> Result<(String, String)> {
    let stream = std::os::unix::net::UnixStream::connect(&path).map_err(|e| {
        LsmError::new(
            ErrorNumber::PLUGIN_IPC_FAIL,
            format!("cannot connect to {}: {e}", path.display()),
        )
    })?;
    plugin_info_unregistered(stream, timeout).await
}

/// The result of a reply frame as `R`, or the error it carries.
///
/// A compact success (`{"id":N,"result":...}`, what plugins write) is parsed in one pass
/// straight into `R`; anything else, or a result that does not parse, goes through the full
/// envelope parse, which also gives the precise error.
fn decode_reply<R: DeserializeOwned>(method: &str, frame: &[u8]) -> Result<R> {
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

async fn plugin_info_unregistered(
    stream: std::os::unix::net::UnixStream,
    timeout: Duration,
) -> Result<(String, String)> {
    let io = |e: std::io::Error| LsmError::new(ErrorNumber::PLUGIN_IPC_FAIL, e.to_string());
    stream.set_nonblocking(true).map_err(io)?;
    let stream = tokio::net::UnixStream::from_std(stream).map_err(io)?;
    let mut conn = AsyncFrameStream::new(stream);
    let payload = lsm_ipc::encode_request("plugin_info", STANDARD_ID, &json!({"flags": 0}))?;
    let exchange = async {
        conn.write_frame(&payload).await?;
        conn.read_frame().await
    };
    let frame = tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| LsmError::new(ErrorNumber::TIMEOUT, "plugin_info timed out"))??
        .ok_or_else(|| {
            LsmError::new(
                ErrorNumber::TRANSPORT_COMMUNICATION,
                "plugin closed the connection",
            )
        })?;
    decode_reply("plugin_info", &frame)
}

/// `available_plugins` in daemon mode: every socket of the dir.
pub async fn daemon_plugins(dir: &Path, sep: &str, timeout: Duration) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for path in transport::daemon_sockets(dir) {
        let (desc, version) = daemon_plugin_info(path, timeout).await?;
        out.push(format!("{desc}{sep}{version}"));
    }
    Ok(out)
}

/// `available_plugins` in embedded mode: every installed `*_lsmplugin`,
/// spawned and asked `plugin_info`.
pub async fn embedded_plugins(sep: &str, timeout: Duration) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for exe in installed_plugins() {
        let conn = transport::spawn_plugin(&exe)?;
        let info = plugin_info_unregistered(conn.stream, timeout).await;
        if let Some(child) = conn.child {
            reap_in_background(child, timeout);
        }
        match info {
            Ok((desc, version)) => out.push(format!("{desc}{sep}{version}")),
            Err(e) => tracing::warn!("plugin {} did not answer plugin_info: {e}", exe.display()),
        }
    }
    Ok(out)
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
        let error = decode_reply::<Value>(
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
