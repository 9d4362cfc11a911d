//! The streamed volumes listing (`San::volumes_each`, one reused `Volume`)
//! gives exactly what the collected one (`San::volumes`) gives.

use std::time::Duration;

use lsm_core::plugin::{Call, Completion, Management, Plugin, Registration, San, Search};
use lsm_core::{Provisioning, Uri, Volume};
use plugin_sim::{SimPlugin, SimSession};

const TIMEOUT: Duration = Duration::from_secs(30);

/// A session on the state file of `uri`, opened directly (no runner).
fn session(uri: &str) -> SimSession {
    SimPlugin
        .register(
            &Call::new(TIMEOUT),
            &Registration {
                uri: Uri::parse(uri).unwrap(),
                password: None,
                timeout: TIMEOUT,
            },
        )
        .unwrap()
}

fn streamed(p: &mut SimSession, search: Option<&Search>) -> Vec<Volume> {
    let mut out = Vec::new();
    p.volumes_each(&Call::new(TIMEOUT), search, &mut |v| {
        out.push(v.clone());
        Ok(())
    })
    .unwrap();
    out
}

#[test]
fn streamed_and_collected_volumes_are_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let uri = format!("sim://?statefile={}", dir.path().join("s.db").display());
    let mut p = session(&uri);
    let cx = Call::new(TIMEOUT);
    let pools = p.pools(&cx, None).unwrap();
    // Names of different lengths, so a reused buffer that kept a longer old value would show.
    for (i, name) in ["a-long-volume-name", "b", "c-medium", "d"]
        .iter()
        .enumerate()
    {
        let pool = &pools[if i % 2 == 0 { 3 } else { 2 }];
        let job = p
            .volume_create(&cx, pool, name, 1 << 20, Provisioning::DEFAULT)
            .unwrap();
        assert!(matches!(job, Completion::Job(_)));
    }
    let all = p.volumes(&cx, None).unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(streamed(&mut p, None), all);
    let searches = [
        ("id", all[1].id.clone()),
        ("pool_id", pools[3].id.clone()),
        ("pool_id", "POOL_ID_99999".to_string()),
        ("id", "not-an-id".to_string()),
    ];
    for (key, value) in searches {
        let search = Search {
            key: key.to_string(),
            value,
        };
        assert_eq!(
            streamed(&mut p, Some(&search)),
            p.volumes(&cx, Some(&search)).unwrap(),
            "{search:?}"
        );
    }
}

/// Through the runner, in process: what a client gets for `volumes` (streamed by the runner
/// from `volumes_each`, filtered by the runner's search) is what the plugin's collected
/// listing holds.
#[test]
fn the_runner_streams_the_same_listing_to_a_client() {
    let dir = tempfile::tempdir().unwrap();
    let uri = format!("sim://?statefile={}", dir.path().join("s.db").display());
    let mut client = lsm_core::BlockingClient::builder(&uri)
        .timeout(Duration::from_secs(30))
        .in_process(|| SimPlugin)
        .connect()
        .unwrap();
    let pools = client.pools(None).unwrap();
    for (i, name) in ["first", "second-longer-name", "third"].iter().enumerate() {
        let pool = &pools[if i % 2 == 0 { 3 } else { 2 }];
        let job = client
            .volume_create(pool, name, 1 << 20, Provisioning::DEFAULT)
            .unwrap();
        client.wait_done(job).unwrap();
    }
    let listed = client.volumes(None).unwrap();

    let mut direct = session(&uri);
    assert_eq!(listed, direct.volumes(&Call::new(TIMEOUT), None).unwrap());
    assert_eq!(listed.len(), 3);
    let in_pool = client
        .volumes(Some(lsm_core::VolumeSearch::PoolId(&pools[3].id)))
        .unwrap();
    assert_eq!(
        in_pool.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(),
        ["first", "third"]
    );
    client.close().unwrap();
}
