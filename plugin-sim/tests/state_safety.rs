//! The state file under concurrency, locks, kills (also at random points under 1,000
//! mutating calls from 4 clients at once) and foreign files, through
//! the real `sim_lsmplugin` binary.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lsm_core::{BlockingClient, Completion, ErrorNumber, JobStatus, Pool, Provisioning};

fn exe() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_sim_lsmplugin"))
}

fn uri(path: &Path) -> String {
    format!("sim://?statefile={}", path.display())
}

fn connect(path: &Path, timeout: Duration) -> BlockingClient {
    BlockingClient::builder(uri(path))
        .timeout(timeout)
        .plugin_exe(exe())
        .connect()
        .unwrap()
}

fn test_pool(c: &mut BlockingClient) -> Pool {
    c.pools(Some(lsm_core::PoolSearch::Id("POOL_ID_00004")))
        .unwrap()
        .remove(0)
}

fn state_file() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    (dir, path)
}

#[test]
fn concurrent_plugin_processes_on_one_file() {
    let (_dir, path) = state_file();
    // Create the file first so the processes race on data, not on schema.
    connect(&path, Duration::from_secs(30)).close().unwrap();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut c = connect(&path, Duration::from_secs(30));
                let pool = test_pool(&mut c);
                for i in 0..40 {
                    let job = c
                        .volume_create(&pool, &format!("t{t}v{i}"), 1 << 20, Provisioning::DEFAULT)
                        .unwrap();
                    // Do not wait: jobs may outlive this session.
                    assert!(matches!(job, Completion::Job(_)));
                }
                c.close().unwrap();
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let mut c = connect(&path, Duration::from_secs(30));
    let vols = c.volumes(None).unwrap();
    assert_eq!(vols.len(), 160);
    let mut ids: Vec<&str> = vols.iter().map(|v| v.id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 160);
    // Space accounting saw every create.
    let pool = test_pool(&mut c);
    assert_eq!(pool.total_space - pool.free_space, 160 << 20);
}

#[test]
fn a_held_lock_is_a_timeout_and_readers_go_on() {
    let (_dir, path) = state_file();
    let mut c = connect(&path, Duration::from_millis(500));
    let pool = test_pool(&mut c);
    let holder = rusqlite::Connection::open(&path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let e = c
        .volume_create(&pool, "blocked", 1 << 20, Provisioning::DEFAULT)
        .unwrap_err();
    assert_eq!(e.code, ErrorNumber::TIMEOUT, "{e}");
    // The plugin's own TIMEOUT, before the client's timer (which would have left the
    // session unusable: the reads below show it is not).
    assert!(!e.message.starts_with("plugin did not answer"), "{e}");
    // WAL: reads are not blocked by a writer.
    assert_eq!(c.systems().unwrap().len(), 1);
    holder.execute_batch("ROLLBACK").unwrap();
    // Nothing half-made, and the session still works.
    assert!(c.volumes(None).unwrap().is_empty());
    let job = c
        .volume_create(&pool, "after", 1 << 20, Provisioning::DEFAULT)
        .unwrap();
    assert!(c.wait_done(job).is_ok());
}

#[test]
fn a_killed_plugin_leaves_a_readable_consistent_file() {
    let (_dir, path) = state_file();
    let mut c = connect(&path, Duration::from_secs(30));
    let pool = test_pool(&mut c);
    let pid = c.plugin_pid().unwrap();
    let killer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(150));
        // SAFETY: kill(2) on the pid of a child of this process.
        unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    });
    let mut acknowledged = 0;
    for i in 0..100_000 {
        match c.volume_create(&pool, &format!("k{i}"), 1 << 20, Provisioning::DEFAULT) {
            Ok(_) => acknowledged += 1,
            Err(e) => {
                assert_eq!(e.code, ErrorNumber::TRANSPORT_COMMUNICATION, "{e}");
                break;
            }
        }
    }
    killer.join().unwrap();
    assert!(acknowledged > 0);
    drop(c);
    let check = rusqlite::Connection::open(&path).unwrap();
    let ok: String = check
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let mut c = connect(&path, Duration::from_secs(30));
    let n = c.volumes(None).unwrap().len();
    // Every acknowledged create is there; at most the one in flight more.
    assert!(
        n == acknowledged || n == acknowledged + 1,
        "{n} vs {acknowledged}"
    );
    let pool = test_pool(&mut c);
    assert_eq!(pool.total_space - pool.free_space, (n as i64) << 20);
}

#[test]
fn a_foreign_state_file_is_refused() {
    let (_dir, path) = state_file();
    std::fs::write(
        &path,
        b"this is not sqlite at all, it is a text file of some size....",
    )
    .unwrap();
    let e = BlockingClient::builder(uri(&path))
        .timeout(Duration::from_secs(5))
        .plugin_exe(exe())
        .connect()
        .err()
        .unwrap();
    assert!(
        e.code == ErrorNumber::INVALID_ARGUMENT || e.code == ErrorNumber::PLUGIN_BUG,
        "{e}"
    );
    // A reference-style SQLite file with other tables.
    let (_dir2, path2) = state_file();
    rusqlite::Connection::open(&path2)
        .unwrap()
        .execute_batch("CREATE TABLE systems (id TEXT);")
        .unwrap();
    let e = BlockingClient::builder(uri(&path2))
        .timeout(Duration::from_secs(5))
        .plugin_exe(exe())
        .connect()
        .err()
        .unwrap();
    assert_eq!(e.code, ErrorNumber::INVALID_ARGUMENT, "{e}");
    assert!(e.message.contains("incompatible"), "{e}");
}

#[test]
fn jobs_outlive_the_connection_that_started_them() {
    let (_dir, path) = state_file();
    // LSM_SIM_TIME is read by the plugin process; set it for the child only.
    let mut c = connect(&path, Duration::from_secs(30));
    let pool = test_pool(&mut c);
    let job = c
        .volume_create(&pool, "later", 1 << 20, Provisioning::DEFAULT)
        .unwrap();
    let id = job.job_id().unwrap().to_string();
    c.close().unwrap();
    let mut c = connect(&path, Duration::from_secs(30));
    let mut report = c.job_status(&id).unwrap();
    let t = Instant::now();
    while report.status == JobStatus::INPROGRESS && t.elapsed() < Duration::from_secs(5) {
        assert!(report.percent < 100);
        std::thread::sleep(Duration::from_millis(50));
        report = c.job_status(&id).unwrap();
    }
    assert_eq!(report.status, JobStatus::COMPLETE);
    assert_eq!(report.percent, 100);
    match report.item {
        Some(lsm_core::LsmObject::Volume(v)) => assert_eq!(v.name, "later"),
        other => panic!("expected the volume, got {other:?}"),
    }
    c.job_free(&id).unwrap();
    assert_eq!(
        c.job_status(&id).unwrap_err().code,
        ErrorNumber::NOT_FOUND_JOB
    );
}

#[test]
fn failed_creates_leave_nothing_behind() {
    let (_dir, path) = state_file();
    let mut c = connect(&path, Duration::from_secs(30));
    let pools = c.pools(None).unwrap();
    let small = pools
        .iter()
        .find(|p| p.id == "POOL_ID_00003")
        .unwrap()
        .clone();
    let before = small.free_space;
    let e = c
        .volume_create(&small, "huge", before + 1, Provisioning::DEFAULT)
        .unwrap_err();
    assert_eq!(e.code, ErrorNumber::NOT_ENOUGH_SPACE, "{e}");
    let e = c
        .volume_create(&small, "zero", 0, Provisioning::DEFAULT)
        .unwrap_err();
    assert_eq!(e.code, ErrorNumber::INVALID_ARGUMENT, "{e}");
    let mut ghost = small.clone();
    ghost.id = "POOL_ID_00099".into();
    let e = c
        .volume_create(&ghost, "ghost", 1 << 20, Provisioning::DEFAULT)
        .unwrap_err();
    assert_eq!(e.code, ErrorNumber::NOT_FOUND_POOL, "{e}");
    assert!(c.volumes(None).unwrap().is_empty());
    let after = c
        .pools(Some(lsm_core::PoolSearch::Id("POOL_ID_00003")))
        .unwrap()
        .remove(0);
    assert_eq!(after.free_space, before);
}

/// What one client thread of the kill test saw: names whose create or delete was
/// acknowledged, and names whose call died with its plugin (either outcome is right).
#[derive(Default)]
struct Acknowledged {
    created: Vec<String>,
    deleted: Vec<String>,
    in_flight: Vec<String>,
}

/// A client (embedded sim) of the kill test, reconnecting whenever its plugin is killed;
/// its plugin's pid is kept in `pids[slot]` for the killer.
struct KilledClient<'a> {
    path: &'a Path,
    slot: usize,
    pids: &'a std::sync::Mutex<Vec<Option<u32>>>,
    client: Option<BlockingClient>,
    reconnects: usize,
}

impl KilledClient<'_> {
    fn session(&mut self) -> &mut BlockingClient {
        while self.client.is_none() {
            match BlockingClient::builder(uri(self.path))
                .timeout(Duration::from_secs(30))
                .plugin_exe(exe())
                .connect()
            {
                Ok(client) => {
                    self.pids.lock().unwrap()[self.slot] = client.plugin_pid();
                    self.client = Some(client);
                }
                // Killed while registering.
                Err(e) => assert_eq!(e.code, ErrorNumber::TRANSPORT_COMMUNICATION, "{e}"),
            }
            self.reconnects += 1;
        }
        self.client.as_mut().unwrap()
    }

    /// The call's outcome; `None` when the plugin was killed under it.
    fn call<T>(&mut self, f: impl FnOnce(&mut BlockingClient) -> lsm_core::Result<T>) -> Option<T> {
        match f(self.session()) {
            Ok(value) => Some(value),
            Err(e) => {
                assert_eq!(e.code, ErrorNumber::TRANSPORT_COMMUNICATION, "{e}");
                self.pids.lock().unwrap()[self.slot] = None;
                self.client = None;
                None
            }
        }
    }
}

/// Adds one to a counter when dropped.
struct CountOnDrop<'a>(&'a std::sync::atomic::AtomicUsize);

impl Drop for CountOnDrop<'_> {
    fn drop(&mut self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn plugins_killed_at_random_under_1000_concurrent_mutations_lose_nothing_acknowledged() {
    use rand::{Rng, SeedableRng};
    const CLIENTS: usize = 4;
    const CALLS: usize = 1000;
    let seed: u64 = std::env::var("LSM_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("LSM_TEST_SEED={seed}");
    let (_dir, path) = state_file();
    connect(&path, Duration::from_secs(30)).close().unwrap();
    let pids = std::sync::Mutex::new(vec![None; CLIENTS]);
    let done = std::sync::atomic::AtomicUsize::new(0);

    let (seen, kills) = std::thread::scope(|scope| {
        let clients: Vec<_> = (0..CLIENTS)
            .map(|slot| {
                let (path, pids, done) = (&path, &pids, &done);
                scope.spawn(move || {
                    // Counted as done however the thread ends, so the killer stops.
                    let _done = CountOnDrop(done);
                    let mut rng = rand::rngs::StdRng::seed_from_u64(seed ^ slot as u64);
                    let mut me = KilledClient {
                        path,
                        slot,
                        pids,
                        client: None,
                        reconnects: 0,
                    };
                    let mut seen = Acknowledged::default();
                    let pool = loop {
                        if let Some(pool) =
                            me.call(|c| c.pools(Some(lsm_core::PoolSearch::Id("POOL_ID_00004"))))
                        {
                            break pool.into_iter().next().unwrap();
                        }
                    };
                    for i in 0..CALLS / CLIENTS {
                        // One call in four deletes a volume this client made.
                        if i % 4 == 3 && !seen.created.is_empty() {
                            let name = seen
                                .created
                                .swap_remove(rng.random_range(0..seen.created.len()));
                            let found = me.call(|c| c.volumes(None));
                            let Some(volume) =
                                found.and_then(|v| v.into_iter().find(|v| v.name == name))
                            else {
                                seen.in_flight.push(name);
                                continue;
                            };
                            match me.call(|c| c.volume_delete(&volume)) {
                                Some(_) => seen.deleted.push(name),
                                None => seen.in_flight.push(name),
                            }
                        } else {
                            let name = format!("c{slot}v{i}");
                            match me.call(|c| {
                                c.volume_create(&pool, &name, 1 << 20, Provisioning::DEFAULT)
                            }) {
                                Some(_) => seen.created.push(name),
                                None => seen.in_flight.push(name),
                            }
                        }
                    }
                    // Out of the killer's reach first: a kill during the close would
                    // fail it.
                    pids.lock().unwrap()[slot] = None;
                    if let Some(client) = me.client.take() {
                        client.close().unwrap();
                    }
                    (seen, me.reconnects)
                })
            })
            .collect();
        let killer = scope.spawn(|| {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed.rotate_left(7));
            let mut kills = 0;
            while done.load(std::sync::atomic::Ordering::SeqCst) < CLIENTS {
                std::thread::sleep(Duration::from_millis(rng.random_range(2..40)));
                // The lock is held through the kill, so that a client clearing its slot
                // (to close, or to reconnect) is never killed after it did.
                let slots = pids.lock().unwrap();
                if let Some(pid) = slots[rng.random_range(0..CLIENTS)] {
                    // SAFETY: kill(2) on a plugin this process spawned and has not reaped
                    // (its client is alive: the slot is cleared before the client goes).
                    unsafe { libc::kill(pid as i32, libc::SIGKILL) };
                    kills += 1;
                }
                drop(slots);
            }
            kills
        });
        let seen: Vec<(Acknowledged, usize)> =
            clients.into_iter().map(|c| c.join().unwrap()).collect();
        (seen, killer.join().unwrap())
    });
    let reconnects: usize = seen.iter().map(|(_, r)| r).sum();
    eprintln!("{kills} kills, {reconnects} connections");
    assert!(
        kills >= 10,
        "only {kills} plugins were killed: the test tested little"
    );

    // The file opens and is consistent, in SQLite's eyes and in the sim's.
    let check = rusqlite::Connection::open(&path).unwrap();
    let ok: String = check
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    drop(check);
    let mut c = connect(&path, Duration::from_secs(30));
    let volumes = c.volumes(None).unwrap();
    let names: std::collections::HashSet<&str> = volumes.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names.len(), volumes.len(), "a name listed twice");
    for (seen, _) in &seen {
        for name in &seen.created {
            assert!(
                names.contains(name.as_str()),
                "acknowledged create of {name} lost"
            );
        }
        for name in &seen.deleted {
            assert!(
                !names.contains(name.as_str()),
                "acknowledged delete of {name} undone"
            );
        }
    }
    let known: usize = seen
        .iter()
        .map(|(s, _)| s.created.len() + s.in_flight.len())
        .sum();
    assert!(
        volumes.len() <= known,
        "{} volumes, {known} names",
        volumes.len()
    );
    let pool = test_pool(&mut c);
    assert_eq!(
        pool.total_space - pool.free_space,
        (volumes.len() as i64) << 20,
        "the pool's space accounts for every volume, no more"
    );
    c.close().unwrap();
}
