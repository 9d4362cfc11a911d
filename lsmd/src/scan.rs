//! Finding plugins in the plugin directory and sweeping stale sockets.
//!
//! A plugin is any non-directory (by `lstat`, so a symlink counts and is not
//! followed) whose file name ends in `_lsmplugin` and is longer than that
//! suffix; the executable bit is not checked. The plugin directory is searched
//! recursively, skipping directories whose names start with `.`. The plugin's
//! name, which is also its socket's name, is the file name minus the suffix,
//! cut to 127 bytes.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

use crate::error::{LsmdError, Result};

/// Suffix that marks a plugin executable.
pub const PLUGIN_FILE_SUFFIX: &str = "_lsmplugin";
/// Longest plugin (socket) name, in bytes; longer names are cut.
pub const MAX_PLUGIN_NAME_LEN: usize = 127;

/// A plugin executable found by the scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveredPlugin {
    /// Socket name: the file name minus `_lsmplugin`, at most 127 bytes.
    pub name: String,
    /// Full path of the executable.
    pub path: PathBuf,
}

/// The plugin name for a file name, or `None` when the file is not a plugin
/// (wrong suffix, nothing before it, or not UTF-8).
pub fn plugin_name_from_file_name(file_name: &OsStr) -> Option<String> {
    let file_name = file_name.to_str()?;
    let stem = file_name.strip_suffix(PLUGIN_FILE_SUFFIX)?;
    if stem.is_empty() {
        return None;
    }
    let mut cut = stem.len().min(MAX_PLUGIN_NAME_LEN);
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    Some(stem[..cut].to_string())
}

/// Scans `plugin_dir` recursively. Plugins come back sorted by path within
/// each directory; when two files give the same name, the first one found
/// wins and the other is logged and skipped. Only an unreadable top-level
/// directory is an error: unreadable sub-directories are logged and skipped.
pub fn scan_plugin_dir(plugin_dir: &Path) -> Result<Vec<DiscoveredPlugin>> {
    let mut plugins = Vec::new();
    let mut names = HashSet::new();
    let top_entries = sorted_entries(plugin_dir).map_err(|source| LsmdError::PluginScan {
        path: plugin_dir.to_path_buf(),
        source,
    })?;
    collect_plugins(top_entries, &mut plugins, &mut names);
    Ok(plugins)
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut paths = fs::read_dir(dir)?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<std::io::Result<Vec<_>>>()?;
    paths.sort();
    Ok(paths)
}

fn collect_plugins(
    entries: Vec<PathBuf>,
    plugins: &mut Vec<DiscoveredPlugin>,
    names: &mut HashSet<String>,
) {
    for path in entries {
        let Some(file_name) = path.file_name() else {
            continue;
        };
        let metadata = match fs::symlink_metadata(&path) {
            Ok(metadata) => metadata,
            Err(error) => {
                tracing::warn!("skipping {}: {error}", path.display());
                continue;
            }
        };
        if metadata.is_dir() {
            if file_name.as_encoded_bytes().starts_with(b".") {
                tracing::debug!("skipping hidden directory {}", path.display());
                continue;
            }
            match sorted_entries(&path) {
                Ok(sub_entries) => collect_plugins(sub_entries, plugins, names),
                Err(error) => tracing::warn!("cannot scan {}: {error}", path.display()),
            }
            continue;
        }
        let Some(name) = plugin_name_from_file_name(file_name) else {
            if file_name.to_str().is_none()
                && file_name
                    .as_encoded_bytes()
                    .ends_with(PLUGIN_FILE_SUFFIX.as_bytes())
            {
                tracing::warn!("skipping {}: its name is not UTF-8", path.display());
            }
            continue;
        };
        if !names.insert(name.clone()) {
            tracing::warn!(
                "skipping {}: a plugin named `{name}` was already found",
                path.display()
            );
            continue;
        }
        tracing::debug!("found plugin `{name}` at {}", path.display());
        plugins.push(DiscoveredPlugin { name, path });
    }
}

/// Deletes every socket file under `socket_dir`, recursively (other files,
/// the lock file among them, are left alone). Returns the removed paths.
/// Sockets that cannot be removed are logged and skipped.
pub fn remove_stale_sockets(socket_dir: &Path) -> Result<Vec<PathBuf>> {
    let mut removed = Vec::new();
    sweep_sockets(socket_dir, &mut removed)?;
    Ok(removed)
}

fn sweep_sockets(dir: &Path, removed: &mut Vec<PathBuf>) -> Result<()> {
    let entries = sorted_entries(dir).map_err(|source| LsmdError::SocketCleanup {
        path: dir.to_path_buf(),
        source,
    })?;
    for path in entries {
        let file_type = match fs::symlink_metadata(&path) {
            Ok(metadata) => metadata.file_type(),
            Err(error) => {
                tracing::warn!("cannot inspect {}: {error}", path.display());
                continue;
            }
        };
        if file_type.is_dir() {
            if let Err(error) = sweep_sockets(&path, removed) {
                tracing::warn!("{error}");
            }
        } else if file_type.is_socket() {
            match fs::remove_file(&path) {
                Ok(()) => {
                    tracing::debug!("removed stale socket {}", path.display());
                    removed.push(path);
                }
                Err(error) => {
                    tracing::warn!("cannot remove stale socket {}: {error}", path.display());
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;

    fn touch(path: &Path) {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(path, "#!/bin/sh\n").unwrap();
    }

    #[test]
    fn name_is_file_name_minus_suffix() {
        assert_eq!(
            plugin_name_from_file_name(OsStr::new("sim_lsmplugin")).as_deref(),
            Some("sim")
        );
        assert_eq!(
            plugin_name_from_file_name(OsStr::new("simc_lsmplugin")).as_deref(),
            Some("simc")
        );
        assert_eq!(
            plugin_name_from_file_name(OsStr::new("a_lsmplugin_lsmplugin")).as_deref(),
            Some("a_lsmplugin")
        );
    }

    #[test]
    fn suffix_alone_or_missing_is_not_a_plugin() {
        assert_eq!(plugin_name_from_file_name(OsStr::new("_lsmplugin")), None);
        assert_eq!(plugin_name_from_file_name(OsStr::new("sim")), None);
        assert_eq!(
            plugin_name_from_file_name(OsStr::new("sim_lsmplugin.bak")),
            None
        );
        assert_eq!(plugin_name_from_file_name(OsStr::new("simlsmplugin")), None);
    }

    #[test]
    fn long_names_are_cut_to_127_bytes() {
        let long = format!("{}{PLUGIN_FILE_SUFFIX}", "x".repeat(200));
        let name = plugin_name_from_file_name(OsStr::new(&long)).unwrap();
        assert_eq!(name, "x".repeat(127));
        let exactly = format!("{}{PLUGIN_FILE_SUFFIX}", "y".repeat(127));
        assert_eq!(
            plugin_name_from_file_name(OsStr::new(&exactly))
                .unwrap()
                .len(),
            127
        );
        // A cut never splits a multi-byte character.
        let wide = format!("{}{PLUGIN_FILE_SUFFIX}", "é".repeat(100));
        let name = plugin_name_from_file_name(OsStr::new(&wide)).unwrap();
        assert_eq!(name, "é".repeat(63));
    }

    #[test]
    fn scan_is_recursive_skips_dot_dirs_and_directories() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(&root.join("sim_lsmplugin"));
        touch(&root.join("sub/deeper/nested_lsmplugin"));
        touch(&root.join(".hidden/secret_lsmplugin"));
        touch(&root.join("_lsmplugin"));
        touch(&root.join("README"));
        fs::create_dir_all(root.join("dir_lsmplugin")).unwrap();
        touch(&root.join("dir_lsmplugin/inner_lsmplugin"));
        std::os::unix::fs::symlink(root.join("sim_lsmplugin"), root.join("link_lsmplugin"))
            .unwrap();
        // A dangling symlink is still a non-directory: it counts.
        std::os::unix::fs::symlink(root.join("missing"), root.join("dangling_lsmplugin")).unwrap();

        let plugins = scan_plugin_dir(root).unwrap();
        let mut names: Vec<&str> = plugins.iter().map(|plugin| plugin.name.as_str()).collect();
        names.sort();
        assert_eq!(names, ["dangling", "inner", "link", "nested", "sim"]);
        let nested = plugins
            .iter()
            .find(|plugin| plugin.name == "nested")
            .unwrap();
        assert_eq!(nested.path, root.join("sub/deeper/nested_lsmplugin"));
    }

    #[test]
    fn duplicate_names_keep_the_first_in_path_order() {
        let dir = tempfile::tempdir().unwrap();
        touch(&dir.path().join("a/dup_lsmplugin"));
        touch(&dir.path().join("b/dup_lsmplugin"));
        let plugins = scan_plugin_dir(dir.path()).unwrap();
        assert_eq!(plugins.len(), 1);
        assert_eq!(plugins[0].path, dir.path().join("a/dup_lsmplugin"));
    }

    #[test]
    fn missing_plugin_dir_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let error = scan_plugin_dir(&dir.path().join("nope")).unwrap_err();
        assert!(
            error.to_string().contains("cannot scan plugin directory"),
            "{error}"
        );
    }

    #[test]
    fn stale_sweep_removes_only_sockets_recursively() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir(root.join("sub")).unwrap();
        drop(UnixListener::bind(root.join("old")).unwrap());
        drop(UnixListener::bind(root.join("sub/older")).unwrap());
        touch(&root.join(".lsmd-ipc-lock"));
        touch(&root.join("keep.txt"));

        let mut removed = remove_stale_sockets(root).unwrap();
        removed.sort();
        assert_eq!(removed, [root.join("old"), root.join("sub/older")]);
        assert!(!root.join("old").exists());
        assert!(!root.join("sub/older").exists());
        assert!(root.join(".lsmd-ipc-lock").exists());
        assert!(root.join("keep.txt").exists());
        assert!(root.join("sub").is_dir());
    }
}
