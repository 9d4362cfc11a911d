//! A fresh `sim://` state file for every input, copied from one the sim made at start
//! (making one from nothing, schema and default inventory, costs more than a copy).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use lsm_core::Uri;
use lsm_core::plugin::{Call, Management, Plugin, Registration};
use plugin_sim::SimPlugin;
use tempfile::TempDir;

/// Where scratch state files go: memory when the host has `/dev/shm`.
fn scratch_root() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

static TEMPLATE: OnceLock<(TempDir, PathBuf)> = OnceLock::new();

/// Removes the template's directory when the process exits (statics are never dropped).
extern "C" fn remove_template() {
    if let Some((dir, _)) = TEMPLATE.get() {
        let _ = std::fs::remove_dir_all(dir.path());
    }
}

/// The state file every input starts from: the sim's default inventory, its WAL folded
/// into the file so that one file is the whole state.
fn template() -> &'static Path {
    &TEMPLATE
        .get_or_init(|| {
            // Jobs end at once: an input never waits for one.
            // SAFETY: set once, on the first input, before the harness starts any thread.
            unsafe { std::env::set_var("LSM_SIM_TIME", "0") };
            let dir = tempfile::Builder::new()
                .prefix("lsm-fuzz-sim-template")
                .tempdir_in(scratch_root())
                .expect("a scratch directory for the sim template");
            let path = dir.path().join("template.db");
            let cx = Call::new(Duration::from_secs(30));
            let session = SimPlugin
                .register(
                    &cx,
                    &Registration {
                        uri: Uri::parse(&uri_for(&path)).expect("the template URI parses"),
                        password: None,
                        timeout: cx.timeout(),
                    },
                )
                .expect("the sim makes its state file");
            session
                .unregister(&cx)
                .expect("the sim closes its state file");
            let connection = rusqlite::Connection::open(&path).expect("the template opens");
            connection
                .pragma_update(None, "journal_mode", "DELETE")
                .expect("the template's WAL is folded in");
            drop(connection);
            // SAFETY: registers a function without arguments that only removes files.
            unsafe { libc::atexit(remove_template) };
            (dir, path)
        })
        .1
}

/// The `sim://` URI of a state file.
pub fn uri_for(path: &Path) -> String {
    format!("sim://?statefile={}", path.display())
}

/// A state file of its own for one input; removed when dropped.
pub struct FreshState {
    dir: TempDir,
}

impl FreshState {
    /// A copy of the template in a new scratch directory.
    pub fn new() -> FreshState {
        let template = template();
        let dir = tempfile::Builder::new()
            .prefix("lsm-fuzz-sim")
            .tempdir_in(scratch_root())
            .expect("a scratch directory");
        std::fs::copy(template, dir.path().join("state.db")).expect("the template copies");
        FreshState { dir }
    }

    /// The URI that registers on this state file.
    pub fn uri(&self) -> String {
        uri_for(&self.dir.path().join("state.db"))
    }
}

impl Default for FreshState {
    fn default() -> Self {
        FreshState::new()
    }
}
