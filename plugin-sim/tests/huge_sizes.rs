//! Sizes at the top of `i64` are `NOT_ENOUGH_SPACE`, not a panic of the plugin. Found with
//! the `runner_sim` fuzz target (a seed's `volume_create` given 9223372036854775800 bytes):
//! rounding up to whole blocks overflowed (a debug build panicked, a release build wrapped
//! to a negative size).

use std::time::Duration;

use lsm_core::{BlockingClient, ErrorNumber, Provisioning};
use plugin_sim::SimPlugin;

fn client(dir: &tempfile::TempDir) -> BlockingClient {
    let uri = format!("sim://?statefile={}/s.db", dir.path().display());
    BlockingClient::builder(&uri)
        .timeout(Duration::from_secs(10))
        .in_process(|| SimPlugin)
        .connect()
        .unwrap()
}

#[test]
fn volume_create_and_resize_past_i64_blocks_are_not_enough_space() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = client(&dir);
    let pool = c
        .pools(Some(lsm_core::PoolSearch::Id("POOL_ID_00004")))
        .unwrap()
        .remove(0);
    for size in [i64::MAX, i64::MAX - 7, 9_223_372_036_854_775_800] {
        let error = c
            .volume_create(&pool, "huge", size, Provisioning::DEFAULT)
            .unwrap_err();
        assert_eq!(error.code, ErrorNumber::NOT_ENOUGH_SPACE, "{size}: {error}");
    }
    let made = c
        .volume_create(&pool, "small", 1 << 20, Provisioning::DEFAULT)
        .unwrap();
    let volume = c.wait_done(made).unwrap();
    let error = c.volume_resize(&volume, i64::MAX).unwrap_err();
    assert_eq!(error.code, ErrorNumber::NOT_ENOUGH_SPACE, "{error}");
    // The session goes on: the plugin did not die.
    assert_eq!(c.volumes(None).unwrap().len(), 1);
    c.close().unwrap();
}
