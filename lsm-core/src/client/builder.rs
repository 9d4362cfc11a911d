//! [`ClientBuilder`]: everything a session is opened with (URI, password, timeout), where
//! plugins and lsmd's sockets are, and how the plugin is reached (the connect rule, or a
//! forced mode).

use std::ffi::OsString;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{BlockingClient, Client, DEFAULT_TIMEOUT, Io};
use crate::error::Result;

/// Opens a session with a plugin: a [`Client`] (`ClientBuilder`, from [`Client::builder`]) or
/// a [`BlockingClient`] ([`BlockingClientBuilder`], from [`BlockingClient::builder`]).
///
/// Every option has a default: no password, a 30 s timeout ([`DEFAULT_TIMEOUT`]), and the
/// plugin reached by the **connect rule**, first match wins:
///
/// 1. [`socket_dir`](Self::socket_dir) given: through the lsmd whose sockets are there
///    (daemon mode only: `DAEMON_NOT_RUNNING` or `PLUGIN_NOT_EXIST` when it is not there);
/// 2. `$LSMCLI_DEBUG_FD` set: the socket the parent handed over on that fd;
/// 3. `$LSM_UDS_PATH` set: daemon mode there only, as in 1;
/// 4. a socket named after the scheme in `/var/run/lsm/ipc`: daemon mode there;
/// 5. otherwise embedded mode: `<scheme>_lsmplugin` found on the plugin path
///    ([`plugin_dir`](Self::plugin_dir) or `$LSM_PLUGIN_PATH`, then the running
///    executable's directory, then the install dir), spawned on a socketpair.
///
/// [`embedded`](Self::embedded), [`daemon`](Self::daemon), [`plugin_exe`](Self::plugin_exe)
/// and `in_process` force a mode instead (the last one called wins). The environment
/// variables are only defaults: an option given here is never overridden by one, so a
/// program (or a test) need not touch its environment to choose.
///
/// The builder is a plain value: clone it to open several sessions the same way.
///
/// ```no_run
/// # async fn run() -> lsm_core::Result<()> {
/// use std::time::Duration;
/// use lsm_core::Client;
///
/// let mut client = Client::builder("ontap://admin@filer.example.com")
///     .password("secret")
///     .timeout(Duration::from_secs(60))
///     .connect()
///     .await?;
/// // Through a daemon whose sockets are in a directory of our own:
/// let through_lsmd = Client::builder("sim://")
///     .socket_dir("/run/my-lsmd")
///     .connect()
///     .await?;
/// // A plugin of our own, found in a directory we name, spawned whatever daemon runs:
/// let embedded = Client::builder("sim://")
///     .plugin_dir("/opt/lsm/plugins")
///     .plugin_env("LSM_SIM_TIME", "0")
///     .embedded()
///     .connect()
///     .await?;
/// # Ok(()) }
/// ```
pub struct ClientBuilder<C = Client> {
    pub(crate) uri: String,
    pub(crate) password: Option<String>,
    pub(crate) timeout: Duration,
    pub(crate) route: Route,
    pub(crate) places: Places,
    _client: PhantomData<fn() -> C>,
}

/// [`ClientBuilder`] of a [`BlockingClient`]: the same options, and a blocking `connect`.
///
/// ```no_run
/// use lsm_core::BlockingClient;
///
/// let mut client = BlockingClient::builder("sim://").connect()?;
/// # Ok::<(), lsm_core::LsmError>(())
/// ```
pub type BlockingClientBuilder = ClientBuilder<BlockingClient>;

/// Where plugins, lsmd's sockets and a spawned plugin's environment come from: what the
/// builder was told, the environment otherwise.
#[derive(Debug, Clone, Default)]
pub(crate) struct Places {
    /// Searched first for `<scheme>_lsmplugin`; empty: `$LSM_PLUGIN_PATH`.
    pub plugin_dirs: Vec<PathBuf>,
    /// lsmd's socket dir; `None`: the connect rule's environment and default.
    pub socket_dir: Option<PathBuf>,
    /// Added to the environment of a plugin process this client spawns.
    pub plugin_env: Vec<(OsString, OsString)>,
}

/// How the plugin is reached.
#[derive(Clone)]
pub(crate) enum Route {
    /// The connect rule.
    Auto,
    /// Spawn `<scheme>_lsmplugin` found on the plugin path.
    Embedded,
    /// Through lsmd only.
    Daemon,
    /// Spawn this executable.
    PluginExe(PathBuf),
    /// Serve a fresh plugin on a thread of this process.
    #[cfg(feature = "plugin")]
    InProcess(std::sync::Arc<super::transport::ServeInProcess>),
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Route::Auto => f.write_str("Auto"),
            Route::Embedded => f.write_str("Embedded"),
            Route::Daemon => f.write_str("Daemon"),
            Route::PluginExe(exe) => f.debug_tuple("PluginExe").field(exe).finish(),
            #[cfg(feature = "plugin")]
            Route::InProcess(_) => f.write_str("InProcess"),
        }
    }
}

impl<C> Clone for ClientBuilder<C> {
    fn clone(&self) -> Self {
        ClientBuilder {
            uri: self.uri.clone(),
            password: self.password.clone(),
            timeout: self.timeout,
            route: self.route.clone(),
            places: self.places.clone(),
            _client: PhantomData,
        }
    }
}

impl<C> std::fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("uri", &self.uri)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("route", &self.route)
            .field("places", &self.places)
            .finish()
    }
}

impl<C> ClientBuilder<C> {
    /// A builder for `uri` with every option at its default (see the type's docs).
    pub fn new(uri: impl Into<String>) -> Self {
        ClientBuilder {
            uri: uri.into(),
            password: None,
            timeout: DEFAULT_TIMEOUT,
            route: Route::Auto,
            places: Places::default(),
            _client: PhantomData,
        }
    }

    /// The URI the session is opened with.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The password `plugin_register` carries to the plugin (never logged, never in argv).
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// The timeout of each call, and the plugin's own (default 30 s). Zero is refused
    /// (`INVALID_ARGUMENT`) when connecting.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Search this directory for `<scheme>_lsmplugin` first, instead of `$LSM_PLUGIN_PATH`
    /// (the running executable's directory and the install dir come after). Called several
    /// times, the directories are searched in that order. Also where
    /// [`Client::available_plugins`] looks in embedded mode.
    pub fn plugin_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.places.plugin_dirs.push(dir.into());
        self
    }

    /// lsmd's socket dir, instead of `$LSM_UDS_PATH` or `/var/run/lsm/ipc`. By the connect
    /// rule, a socket dir given here means daemon mode there.
    pub fn socket_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.places.socket_dir = Some(dir.into());
        self
    }

    /// Set `key=value` in the environment of a plugin process this client spawns (embedded
    /// mode or [`plugin_exe`](Self::plugin_exe)); the rest of its environment is this
    /// process's. A daemon's plugins and in-process plugins do not see it.
    pub fn plugin_env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.places.plugin_env.push((key.into(), value.into()));
        self
    }

    /// Embedded mode, whatever daemon is running: spawn `<scheme>_lsmplugin` found on the
    /// plugin path.
    pub fn embedded(mut self) -> Self {
        self.route = Route::Embedded;
        self
    }

    /// Daemon mode only: through lsmd's socket for the scheme, in
    /// [`socket_dir`](Self::socket_dir), else `$LSM_UDS_PATH`, else `/var/run/lsm/ipc`.
    pub fn daemon(mut self) -> Self {
        self.route = Route::Daemon;
        self
    }

    /// Spawn this plugin executable (any path, any name) on a socketpair, whatever the
    /// scheme.
    pub fn plugin_exe(mut self, exe: impl Into<PathBuf>) -> Self {
        self.route = Route::PluginExe(exe.into());
        self
    }

    /// Serve a plugin made by `make` on a thread of this process, over a socketpair, through
    /// the same runner and wire as a plugin process: a plugin crate's tests need neither a
    /// built binary nor a daemon. Each session gets a fresh plugin, as each connection gets
    /// a fresh plugin process. [`Client::close`] joins the plugin's thread once it has
    /// answered `plugin_unregister`.
    ///
    /// ```
    /// # use lsm_core::{Client, Capabilities, LsmError, System};
    /// # use lsm_core::plugin::{Call, Management, Nas, Plugin, PluginInfo, Registration, San};
    /// #[derive(Default)]
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
    /// let mut client = Client::builder("tiny://").in_process(Tiny::default).connect().await?;
    /// assert!(client.systems().await?.is_empty());
    /// client.close().await?;
    /// # Ok::<(), LsmError>(()) }).unwrap();
    /// ```
    #[cfg(feature = "plugin")]
    pub fn in_process<P, F>(mut self, make: F) -> Self
    where
        F: Fn() -> P + Send + Sync + 'static,
        P: crate::plugin::Plugin + Send + 'static,
    {
        let serve = move || crate::plugin::serve_on_thread(make());
        self.route = Route::InProcess(std::sync::Arc::new(serve));
        self
    }

    /// The same options, for the other kind of client.
    fn with_client<D>(self) -> ClientBuilder<D> {
        ClientBuilder {
            uri: self.uri,
            password: self.password,
            timeout: self.timeout,
            route: self.route,
            places: self.places,
            _client: PhantomData,
        }
    }
}

impl ClientBuilder<Client> {
    /// Reach the plugin and register: the session.
    pub async fn connect(self) -> Result<Client> {
        Client::open(self, Io::Async).await
    }

    /// The same options, for a [`BlockingClient`].
    pub fn blocking(self) -> BlockingClientBuilder {
        self.with_client()
    }
}

impl ClientBuilder<BlockingClient> {
    /// Reach the plugin and register: the session, on plain blocking socket I/O.
    pub fn connect(self) -> Result<BlockingClient> {
        BlockingClient::open(self.with_client())
    }
}

impl Places {
    /// The directories searched for `<scheme>_lsmplugin`, in order.
    pub fn plugin_search_path(&self) -> Vec<PathBuf> {
        super::discovery::search_path(&self.plugin_dirs)
    }

    /// The socket dir given to the builder, or `$LSM_UDS_PATH`.
    pub fn chosen_socket_dir(&self) -> Option<PathBuf> {
        self.socket_dir
            .clone()
            .or_else(|| std::env::var_os("LSM_UDS_PATH").map(PathBuf::from))
    }

    /// The socket dir of daemon mode: given, `$LSM_UDS_PATH`, or the default.
    pub fn daemon_socket_dir(&self) -> PathBuf {
        self.chosen_socket_dir()
            .unwrap_or_else(|| Path::new(super::DEFAULT_SOCKET_DIR).to_path_buf())
    }
}
