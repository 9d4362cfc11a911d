//! State that survives a restart: one JSON document per vendor, replaced
//! atomically (temporary file, fsync, rename, fsync of the directory), so a
//! crash leaves either the old or the new state, never half of one.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why the state could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// File system error.
    #[error("state file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The document was written by another schema version.
    #[error(
        "state file {path}: schema version {found}, expected {expected}; move it away to start afresh"
    )]
    Version {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: u32,
        /// Ours.
        expected: u32,
    },
    /// The file is not a state document of this version.
    #[error("state file {path}: {source}")]
    Format {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
}

/// A state document on disk.
#[derive(Debug, Clone)]
pub struct Store {
    path: PathBuf,
}

impl Store {
    /// The document `file_name` in `dir` (created if missing).
    pub fn new(dir: &Path, file_name: &str) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(Store {
            path: dir.join(file_name),
        })
    }

    /// The document's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stored value, `None` when there is no document yet.
    pub fn load<T: DeserializeOwned>(&self) -> Result<Option<T>, StoreError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(StoreError::Io {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|source| StoreError::Format {
                path: self.path.clone(),
                source,
            })
    }

    /// Replace the document with `value`, atomically.
    pub fn save<T: Serialize>(&self, value: &T) -> Result<(), StoreError> {
        let io = |source| StoreError::Io {
            path: self.path.clone(),
            source,
        };
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let bytes = serde_json::to_vec_pretty(value).map_err(|source| StoreError::Format {
            path: self.path.clone(),
            source,
        })?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
        tmp.write_all(&bytes).map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        tmp.persist(&self.path).map_err(|e| io(e.error))?;
        File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
        Ok(())
    }
}

/// A vendor's in-memory state and the document that mirrors it. Every
/// mutation is all-or-nothing: it runs on a copy, and the copy replaces the
/// state only once it has been written to disk.
#[derive(Debug)]
pub struct Shared<S> {
    state: Mutex<S>,
    store: Store,
}

impl<S: Clone + Serialize> Shared<S> {
    /// Wrap `state`, already loaded from (or to be written to) `store`.
    pub fn new(state: S, store: Store) -> Self {
        Shared {
            state: Mutex::new(state),
            store,
        }
    }

    /// Read the state.
    pub fn read<R>(&self, f: impl FnOnce(&S) -> R) -> R {
        let guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&guard)
    }

    /// Change the state: `f` runs on a copy; on `Ok` the copy is persisted
    /// and becomes the state, on `Err` nothing changes.
    pub fn mutate<R, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut S) -> Result<R, E>,
    ) -> Result<R, E> {
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut copy = guard.clone();
        let result = f(&mut copy)?;
        self.store.save(&copy)?;
        *guard = copy;
        Ok(result)
    }

    /// Write the current state (e.g. the first time).
    pub fn persist(&self) -> Result<(), StoreError> {
        let guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        self.store.save(&*guard)
    }
}

#[cfg(test)]
mod tests {
    use super::{Shared, Store, StoreError};

    #[test]
    fn failed_mutation_changes_nothing_and_state_reloads() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path(), "s.json").unwrap();
        let shared = Shared::new(vec![1u32], store.clone());
        shared.persist().unwrap();
        let r: Result<(), StoreError> = shared.mutate(|v| {
            v.push(2);
            Ok(())
        });
        r.unwrap();
        let r: Result<(), std::io::Error> = shared
            .mutate(|v| {
                v.push(3);
                Err(std::io::Error::other("no"))
            })
            .map_err(|e: std::io::Error| e);
        assert!(r.is_err());
        assert_eq!(shared.read(|v| v.clone()), vec![1, 2]);
        assert_eq!(store.load::<Vec<u32>>().unwrap(), Some(vec![1, 2]));
    }

    impl From<StoreError> for std::io::Error {
        fn from(e: StoreError) -> Self {
            std::io::Error::other(e.to_string())
        }
    }
}
