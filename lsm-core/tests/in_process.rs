//! The in-process harness a plugin crate's tests use: a client builder's `in_process` serves
//! the plugin on a thread, through the same runner and wire as a plugin process, so parameter
//! checks, search filtering, jobs, timeouts and panics behave as they do for a spawned plugin.

use std::time::Duration;

use lsm_core::plugin::{
    Call, Completion, JobTable, Management, Nas, Plugin, PluginInfo, Registration, San, Search,
};
use lsm_core::types::*;
use lsm_core::{BlockingClient, Capabilities, Client, ConnectMode, ErrorNumber, Result};

/// Two volumes; `volume_create` runs an SDK job; a volume named "panic" panics the plugin,
/// one named "slow" takes 2 s.
struct Shelf;

/// A registered [`Shelf`] session.
struct ShelfSession {
    jobs: JobTable,
    password_seen: Option<String>,
}

fn volume(id: &str, pool: &str) -> Volume {
    Volume {
        id: id.into(),
        name: id.to_lowercase(),
        block_size: 512,
        num_of_blocks: 8,
        system_id: "sys".into(),
        pool_id: pool.into(),
        ..Default::default()
    }
}

impl Plugin for Shelf {
    type Session = ShelfSession;
    fn plugin_info(&self) -> PluginInfo {
        PluginInfo {
            description: "shelf".into(),
            version: "1".into(),
        }
    }
    fn register(&self, _: &Call, registration: &Registration) -> Result<ShelfSession> {
        Ok(ShelfSession {
            jobs: JobTable::default(),
            password_seen: registration.password.clone(),
        })
    }
}

impl Management for ShelfSession {
    fn capabilities(&mut self, _: &Call, _: &System) -> Result<Capabilities> {
        Ok(Capabilities::new())
    }
    fn systems(&mut self, _: &Call) -> Result<Vec<System>> {
        Ok(vec![System {
            id: "sys".into(),
            name: self.password_seen.clone().unwrap_or_default(),
            ..Default::default()
        }])
    }
    fn job_table(&mut self) -> Option<&mut JobTable> {
        Some(&mut self.jobs)
    }
}

impl San for ShelfSession {
    fn volumes(&mut self, _: &Call, _: Option<&Search>) -> Result<Vec<Volume>> {
        Ok(vec![volume("V1", "P1"), volume("V2", "P2")])
    }
    fn volume_create(
        &mut self,
        cx: &Call,
        pool: &Pool,
        name: &str,
        _size: i64,
        _provisioning: Provisioning,
    ) -> Result<Completion<Volume>> {
        match name {
            "panic" => panic!("deliberate panic"),
            "slow" => std::thread::sleep(Duration::from_secs(2)),
            _ => {}
        }
        let mut made = volume("V3", &pool.id);
        made.name = name.into();
        let id = self
            .jobs
            .spawn(cx, move |_, _| Ok(Some(LsmObject::Volume(made))))?;
        Ok(Completion::job(id))
    }
}

impl Nas for ShelfSession {}

fn pool() -> Pool {
    Pool {
        id: "P1".into(),
        system_id: "sys".into(),
        ..Default::default()
    }
}

#[test]
fn a_blocking_session_goes_through_the_runner() {
    let mut client = BlockingClient::builder("shelf://")
        .password("pw")
        .timeout(TIMEOUT)
        .in_process(|| Shelf)
        .connect()
        .unwrap();
    assert_eq!(client.mode(), Some(&ConnectMode::InProcess));
    assert_eq!(client.plugin_pid(), None);
    // The password reached the plugin through plugin_register.
    assert_eq!(client.systems().unwrap()[0].name, "pw");
    // The runner filters searches and checks their keys.
    let found = client
        .volumes(Some(lsm_core::VolumeSearch::PoolId("P2")))
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "V2");
    let bad_key = client
        .call::<Vec<lsm_core::Volume>>(
            "volumes",
            serde_json::json!({"search_key": "name", "search_value": "v1", "flags": 0}),
        )
        .unwrap_err();
    assert_eq!(bad_key.code, ErrorNumber::UNSUPPORTED_SEARCH_KEY);
    // The runner's checks apply before the plugin is called.
    let zero = client
        .volume_create(&pool(), "v", 0, Provisioning::DEFAULT)
        .unwrap_err();
    assert_eq!(zero.code, ErrorNumber::INVALID_ARGUMENT);
    // Jobs go through the plugin's job table.
    let job = client
        .volume_create(&pool(), "made", 4096, Provisioning::DEFAULT)
        .unwrap();
    assert!(job.job_id().is_some());
    assert_eq!(client.wait_done(job).unwrap().name, "made");
    // What the plugin does not implement is NO_SUPPORT.
    assert_eq!(client.fs(None).unwrap_err().code, ErrorNumber::NO_SUPPORT);
    client.close().unwrap();
}

const TIMEOUT: Duration = Duration::from_secs(10);

#[test]
fn an_async_session_works_the_same() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut client = Client::builder("shelf://")
            .timeout(TIMEOUT)
            .in_process(|| Shelf)
            .connect()
            .await
            .unwrap();
        assert_eq!(client.plugin_info().await.unwrap().description, "shelf");
        assert_eq!(client.volumes(None).await.unwrap().len(), 2);
        client.close().await.unwrap();
    });
}

#[test]
fn a_panicking_plugin_is_a_plugin_bug_and_ends_the_session() {
    let mut client = BlockingClient::builder("shelf://")
        .timeout(TIMEOUT)
        .in_process(|| Shelf)
        .connect()
        .unwrap();
    let error = client
        .volume_create(&pool(), "panic", 4096, Provisioning::DEFAULT)
        .unwrap_err();
    assert_eq!(error.code, ErrorNumber::PLUGIN_BUG);
    assert!(error.message.contains("deliberate panic"), "{error}");
    // The runner ended the session, as a plugin process exits.
    let after = client.volumes(None).unwrap_err();
    assert_eq!(after.code, ErrorNumber::TRANSPORT_COMMUNICATION, "{after}");
}

#[test]
fn a_plugin_slower_than_the_timeout_is_a_timeout() {
    let mut client = BlockingClient::builder("shelf://")
        .timeout(Duration::from_millis(300))
        .in_process(|| Shelf)
        .connect()
        .unwrap();
    let error = client
        .volume_create(&pool(), "slow", 4096, Provisioning::DEFAULT)
        .unwrap_err();
    assert_eq!(error.code, ErrorNumber::TIMEOUT, "{error}");
    // Out of step now: the connection is unusable.
    let after = client.systems().unwrap_err();
    assert_eq!(after.code, ErrorNumber::TRANSPORT_COMMUNICATION, "{after}");
}

#[test]
fn a_bad_uri_is_refused_before_the_plugin_is_served() {
    let Err(error) = BlockingClient::builder("wat:/is@this")
        .timeout(TIMEOUT)
        .in_process(|| Shelf)
        .connect()
    else {
        panic!("a bad URI was accepted");
    };
    assert_eq!(error.code, ErrorNumber::INVALID_ARGUMENT);
}
