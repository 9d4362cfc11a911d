//! The socket directory's lock file, `<socketdir>/.lsmd-ipc-lock`.
//!
//! lsmd holds an exclusive, non-blocking `flock` on it for its whole life, so
//! a second lsmd on the same directory fails at once with a clear error. The
//! file itself is left in place on exit (removing a lock file is racy).

use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};

use crate::error::{LsmdError, Result};

/// Name of the lock file inside the socket directory.
pub const LOCK_FILE_NAME: &str = ".lsmd-ipc-lock";

/// A held lock; dropping it releases the lock.
#[derive(Debug)]
pub struct SocketDirLock {
    _locked_file: Flock<File>,
    path: PathBuf,
}

impl SocketDirLock {
    /// Creates (if needed) and locks `<socket_dir>/.lsmd-ipc-lock`.
    pub fn acquire(socket_dir: &Path) -> Result<Self> {
        let path = socket_dir.join(LOCK_FILE_NAME);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(|source| LsmdError::LockFile {
                path: path.clone(),
                source,
            })?;
        match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(locked_file) => Ok(Self {
                _locked_file: locked_file,
                path,
            }),
            Err((_, Errno::EWOULDBLOCK)) => Err(LsmdError::AlreadyRunning {
                socket_dir: socket_dir.to_path_buf(),
                lock_path: path,
            }),
            Err((_, errno)) => Err(LsmdError::LockFile {
                path,
                source: std::io::Error::from(errno),
            }),
        }
    }

    /// Path of the lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_on_same_dir_fails_until_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = SocketDirLock::acquire(dir.path()).unwrap();
        assert_eq!(first.path(), dir.path().join(LOCK_FILE_NAME));
        let error = SocketDirLock::acquire(dir.path()).unwrap_err();
        assert!(matches!(error, LsmdError::AlreadyRunning { .. }), "{error}");
        assert!(error.to_string().contains("another lsmd"), "{error}");
        drop(first);
        assert!(SocketDirLock::acquire(dir.path()).is_ok());
    }

    #[test]
    fn missing_dir_is_a_lock_file_error() {
        let dir = tempfile::tempdir().unwrap();
        let error = SocketDirLock::acquire(&dir.path().join("missing")).unwrap_err();
        assert!(matches!(error, LsmdError::LockFile { .. }), "{error}");
    }
}
