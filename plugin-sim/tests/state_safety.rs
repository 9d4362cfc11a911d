//! The state file under concurrency, locks, kills and foreign files, through
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
    BlockingClient::connect_plugin_exe(exe(), &uri(path), None, timeout).unwrap()
}

fn test_pool(c: &mut BlockingClient) -> Pool {
    c.pools(Some(("id", "POOL_ID_00004"))).unwrap().remove(0)
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
    let t = Instant::now();
    let e = c
        .volume_create(&pool, "blocked", 1 << 20, Provisioning::DEFAULT)
        .unwrap_err();
    assert_eq!(e.code, ErrorNumber::TIMEOUT, "{e}");
    assert!(t.elapsed() < Duration::from_secs(3));
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
    let e = BlockingClient::connect_plugin_exe(exe(), &uri(&path), None, Duration::from_secs(5))
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
    let e = BlockingClient::connect_plugin_exe(exe(), &uri(&path2), None, Duration::from_secs(5))
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
    let after = c.pools(Some(("id", "POOL_ID_00003"))).unwrap().remove(0);
    assert_eq!(after.free_space, before);
}
