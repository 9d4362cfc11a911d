//! Finding plugins: the plugin search path and its `*_lsmplugin` executables, a daemon's
//! sockets, and `available_plugins` (each plugin asked `plugin_info` without registering).

use std::ffi::OsString;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lsm_ipc::{AsyncFrameStream, STANDARD_ID};

use super::builder::Places;
use super::decode_reply;
use super::transport::{self, INSTALL_PLUGIN_DIR, PLUGIN_SUFFIX, Peer};
use crate::error::{ErrorNumber, LsmError, Result};
use crate::params::{self, Params};

/// The directories searched for `<scheme>_lsmplugin`, in order:
/// `$LSM_PLUGIN_PATH` (colon-separated), the running executable's directory
/// (and its parent when that is cargo's `deps` or `examples` dir), then the
/// install dir. A [`ClientBuilder::plugin_dir`](super::ClientBuilder::plugin_dir) takes the
/// place of `$LSM_PLUGIN_PATH`.
pub fn plugin_search_path() -> Vec<PathBuf> {
    search_path(&[])
}

/// The search path with `first` in the place of `$LSM_PLUGIN_PATH` (when not empty).
pub(crate) fn search_path(first: &[PathBuf]) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if !first.is_empty() {
        dirs.extend_from_slice(first);
    } else if let Some(path) = std::env::var_os("LSM_PLUGIN_PATH") {
        dirs.extend(std::env::split_paths(&path).filter(|p| !p.as_os_str().is_empty()));
    }
    if let Some(exe_dir) = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
    {
        let cargo_subdir = matches!(
            exe_dir.file_name().and_then(|n| n.to_str()),
            Some("deps") | Some("examples")
        );
        let parent = exe_dir.parent().map(Path::to_path_buf);
        dirs.push(exe_dir);
        if let (true, Some(parent)) = (cargo_subdir, parent) {
            dirs.push(parent);
        }
    }
    dirs.push(PathBuf::from(INSTALL_PLUGIN_DIR));
    dirs
}

/// The first `<plugin_name>_lsmplugin` on the search path.
pub fn find_plugin(plugin_name: &str) -> Option<PathBuf> {
    find_plugin_in(&plugin_search_path(), plugin_name)
}

/// The first `<plugin_name>_lsmplugin` in `search_path`.
pub(crate) fn find_plugin_in(search_path: &[PathBuf], plugin_name: &str) -> Option<PathBuf> {
    let file = format!("{plugin_name}{PLUGIN_SUFFIX}");
    search_path
        .iter()
        .map(|d| d.join(&file))
        .find(|p| p.is_file())
}

/// Every `*_lsmplugin` on the search path (first one of each name wins),
/// sorted by name.
pub fn installed_plugins() -> Vec<PathBuf> {
    installed_plugins_in(&plugin_search_path())
}

/// Every `*_lsmplugin` in `search_path` (first one of each name wins), sorted by name.
fn installed_plugins_in(search_path: &[PathBuf]) -> Vec<PathBuf> {
    let mut found: std::collections::BTreeMap<OsString, PathBuf> = Default::default();
    for dir in search_path {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let is_plugin = name
                .to_str()
                .is_some_and(|n| n.len() > PLUGIN_SUFFIX.len() && n.ends_with(PLUGIN_SUFFIX));
            if is_plugin && entry.path().is_file() {
                found.entry(name).or_insert_with(|| entry.path());
            }
        }
    }
    found.into_values().collect()
}

/// Every socket in a daemon's socket dir, sorted.
fn daemon_sockets(dir: &Path) -> Vec<PathBuf> {
    let mut sockets: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_type().map(|t| t.is_socket()).unwrap_or(false))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    sockets.sort();
    sockets
}

/// `available_plugins` in daemon mode: `"description<sep>version"` of the plugin behind each
/// socket of the dir.
pub async fn daemon_plugins(dir: &Path, sep: &str, timeout: Duration) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for path in daemon_sockets(dir) {
        let stream = UnixStream::connect(&path).map_err(|e| {
            LsmError::new(
                ErrorNumber::PLUGIN_IPC_FAIL,
                format!("cannot connect to {}: {e}", path.display()),
            )
        })?;
        let (desc, version) = plugin_info_unregistered(stream, timeout).await?;
        out.push(format!("{desc}{sep}{version}"));
    }
    Ok(out)
}

/// `available_plugins` in embedded mode: every installed `*_lsmplugin` (on the search path
/// of [`plugin_search_path`]), spawned and asked `plugin_info`; one that does not answer is
/// logged and left out.
pub async fn embedded_plugins(sep: &str, timeout: Duration) -> Result<Vec<String>> {
    embedded_plugins_of(&Places::default(), sep, timeout).await
}

/// [`embedded_plugins`] on the plugin path and with the plugin environment of `places`.
pub(crate) async fn embedded_plugins_of(
    places: &Places,
    sep: &str,
    timeout: Duration,
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for exe in installed_plugins_in(&places.plugin_search_path()) {
        let conn = transport::spawn_plugin(&exe, places)?;
        let info = plugin_info_unregistered(conn.stream, timeout).await;
        if let Peer::Process(child) = conn.peer {
            child.reap_in_background(timeout);
        }
        match info {
            Ok((desc, version)) => out.push(format!("{desc}{sep}{version}")),
            Err(e) => tracing::warn!("plugin {} did not answer plugin_info: {e}", exe.display()),
        }
    }
    Ok(out)
}

/// `plugin_info` on a fresh connection, without `plugin_register` (the plugin answers it
/// before registration, then sees the connection close).
async fn plugin_info_unregistered(
    stream: UnixStream,
    timeout: Duration,
) -> Result<(String, String)> {
    let io = |e: std::io::Error| LsmError::new(ErrorNumber::PLUGIN_IPC_FAIL, e.to_string());
    stream.set_nonblocking(true).map_err(io)?;
    let stream = tokio::net::UnixStream::from_std(stream).map_err(io)?;
    let mut conn = AsyncFrameStream::new(stream);
    let payload = lsm_ipc::encode_request(
        params::PluginInfo::METHOD,
        STANDARD_ID,
        &params::PluginInfo { flags: 0 },
    )?;
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
    decode_reply(params::PluginInfo::METHOD, &frame)
}
