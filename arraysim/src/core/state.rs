//! State that survives a restart: one JSON document per vendor, replaced
//! atomically (temporary file, fsync, rename, fsync of the directory), so a
//! crash leaves either the old or the new state, never half of one.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard};

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
/// mutation is all-or-nothing: it runs on a copy, and its caller hears of it
/// only once a document holding it is on disk.
///
/// Writes are grouped: a mutation applies its copy in memory at once and
/// then waits for a document that holds it. One waiter at a time writes
/// the state as it is then (every mutation applied so far, its own
/// included), outside the lock, so that the mutations made meanwhile wait
/// for the next write together and reads are never held up by the disk.
/// Many concurrent mutations thus cost a few writes of the whole document,
/// not one each. A write that fails puts the state back as the last
/// written document has it and fails every mutation not in that document.
/// Waiting (and writing) on a multi-threaded runtime's worker hands the
/// worker's other tasks to another thread first (`block_in_place`).
#[derive(Debug)]
pub struct Shared<S> {
    inner: Mutex<Inner<S>>,
    written: Condvar,
    store: Store,
}

#[derive(Debug)]
struct Inner<S> {
    /// The state, with every mutation applied so far.
    state: S,
    /// The state as the last document written has it.
    on_disk: S,
    /// Mutations are numbered; the number of the last one applied.
    applied: u64,
    /// The number of the last mutation in the document on disk.
    written: u64,
    /// A waiter is writing the document.
    writing: bool,
    /// Mutations dropped by a failed write: the numbers `from..=to`, why.
    dropped: Vec<(u64, u64, String)>,
}

impl<S: Clone + Serialize> Shared<S> {
    /// Wrap `state`, already loaded from (or to be written to) `store`.
    pub fn new(state: S, store: Store) -> Self {
        Shared {
            inner: Mutex::new(Inner {
                on_disk: state.clone(),
                state,
                applied: 0,
                written: 0,
                writing: false,
                dropped: Vec::new(),
            }),
            written: Condvar::new(),
            store,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner<S>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Read the state.
    pub fn read<R>(&self, f: impl FnOnce(&S) -> R) -> R {
        f(&self.lock().state)
    }

    /// Change the state: `f` runs on a copy; on `Ok` the copy becomes the
    /// state and is persisted (with whatever other mutations came with it)
    /// before this returns; on `Err` nothing changes.
    pub fn mutate<R, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut S) -> Result<R, E>,
    ) -> Result<R, E> {
        let (number, result) = {
            let mut inner = self.lock();
            let mut copy = inner.state.clone();
            let result = f(&mut copy)?;
            inner.state = copy;
            inner.applied += 1;
            (inner.applied, result)
        };
        blocking(|| self.wait_written(number))?;
        Ok(result)
    }

    /// Write the current state (e.g. the first time).
    pub fn persist(&self) -> Result<(), StoreError> {
        blocking(|| {
            let mut inner = self.lock();
            while inner.writing {
                inner = self.wait(inner);
            }
            self.write_current(inner).1
        })
    }

    /// Wait until mutation `number` is on disk, writing the document when
    /// no one else is; an error when a failed write dropped it.
    fn wait_written(&self, number: u64) -> Result<(), StoreError> {
        let mut inner = self.lock();
        loop {
            if let Some((_, _, why)) = inner
                .dropped
                .iter()
                .find(|(from, to, _)| (*from..=*to).contains(&number))
            {
                return Err(StoreError::Io {
                    path: self.store.path().to_path_buf(),
                    source: std::io::Error::other(why.clone()),
                });
            }
            if inner.written >= number {
                return Ok(());
            }
            inner = if inner.writing {
                self.wait(inner)
            } else {
                self.write_current(inner).0
            };
        }
    }

    fn wait<'a>(&self, inner: MutexGuard<'a, Inner<S>>) -> MutexGuard<'a, Inner<S>> {
        self.written.wait(inner).unwrap_or_else(|p| p.into_inner())
    }

    /// Write the state as it is now, outside the lock; on failure, put the
    /// state back as the last document has it and drop every mutation since.
    fn write_current<'a>(
        &'a self,
        mut inner: MutexGuard<'a, Inner<S>>,
    ) -> (MutexGuard<'a, Inner<S>>, Result<(), StoreError>) {
        inner.writing = true;
        let through = inner.applied;
        let snapshot = inner.state.clone();
        drop(inner);
        let outcome = self.store.save(&snapshot);
        let mut inner = self.lock();
        inner.writing = false;
        match &outcome {
            Ok(()) => {
                inner.written = through;
                inner.on_disk = snapshot;
            }
            Err(error) => {
                // Those in this document, and those made on top of it meanwhile.
                let (from, to) = (inner.written + 1, inner.applied);
                if from <= to {
                    inner.dropped.push((from, to, error.to_string()));
                }
                inner.state = inner.on_disk.clone();
            }
        }
        self.written.notify_all();
        (inner, outcome)
    }
}

/// Runs `f`, which blocks on the disk or on another thread's write; on a
/// multi-threaded runtime's worker, after handing its other tasks over.
fn blocking<R>(f: impl FnOnce() -> R) -> R {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
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

    #[test]
    fn concurrent_mutations_are_all_written() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path(), "s.json").unwrap();
        let shared = Shared::new(Vec::<u32>::new(), store.clone());
        shared.persist().unwrap();
        std::thread::scope(|scope| {
            for thread in 0..8u32 {
                let (shared, store) = (&shared, &store);
                scope.spawn(move || {
                    for i in 0..25 {
                        let r: Result<(), StoreError> = shared.mutate(|v| {
                            v.push(thread * 100 + i);
                            Ok(())
                        });
                        r.unwrap();
                        // Once mutate returns, the document holds the change.
                        let on_disk = store.load::<Vec<u32>>().unwrap().unwrap();
                        assert!(on_disk.contains(&(thread * 100 + i)));
                    }
                });
            }
        });
        let mut all = shared.read(|v| v.clone());
        assert_eq!(store.load::<Vec<u32>>().unwrap(), Some(all.clone()));
        all.sort();
        assert_eq!(all.len(), 200);
    }

    #[test]
    fn failed_write_drops_the_mutation_and_later_ones_still_work() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path(), "s.json").unwrap();
        let shared = Shared::new(vec![1u32], store.clone());
        shared.persist().unwrap();
        // A directory where the document goes: the rename fails.
        std::fs::remove_file(store.path()).unwrap();
        std::fs::create_dir(store.path()).unwrap();
        let r: Result<(), StoreError> = shared.mutate(|v| {
            v.push(2);
            Ok(())
        });
        assert!(matches!(r, Err(StoreError::Io { .. })), "{r:?}");
        assert_eq!(shared.read(|v| v.clone()), vec![1]);
        std::fs::remove_dir(store.path()).unwrap();
        let r: Result<(), StoreError> = shared.mutate(|v| {
            v.push(3);
            Ok(())
        });
        r.unwrap();
        assert_eq!(shared.read(|v| v.clone()), vec![1, 3]);
        assert_eq!(store.load::<Vec<u32>>().unwrap(), Some(vec![1, 3]));
    }

    impl From<StoreError> for std::io::Error {
        fn from(e: StoreError) -> Self {
            std::io::Error::other(e.to_string())
        }
    }
}
