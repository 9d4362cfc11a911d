//! The Rust client against the reference plugin's recorded replies.
//!
//! Each test drives one session of `../shared/wire-vectors/` through `lsm_core::Client`,
//! with the calls the reference client made in that recording, against
//! `lsm-recorded-plugin` (this package's binary). That plugin checks every request against
//! the recorded one (same JSON: method, id 100, every param name and value, `flags: 0`) and
//! answers the recorded reply bytes verbatim. So each passing test shows both directions:
//! our client sends exactly the reference client's params, and it parses the reference
//! plugin's real replies (capability hex, job progress, errors with their codes).
//!
//! The plugin learns its session from `LSM_RECORDED_SESSION`, which each test's client gives
//! the plugin process it spawns (the builder's `plugin_env`; the test process's own
//! environment is left alone, as tests run in parallel). The plugin's end-of-session report
//! (`LSM_RECORDED_REPORT`, given the same way) then shows that every recorded exchange was
//! played.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lsm_core::{
    AccessGroup, Capability, Client, Completion, ErrorNumber, ExportRequest, FileSystem,
    InitiatorType, ListingSearch, Pool, PoolElementType, PoolUnsupportedActions, Provisioning,
    System, SystemMode, SystemStatus, Volume, VolumeSearch,
};
use serde_json::{Value, json};

/// What the reference client sends as `timeout` in `plugin_register`.
const RECORDED_TIMEOUT: Duration = Duration::from_millis(30_000);
/// The URI of every recorded session.
const RECORDED_URI: &str = "sim://";

fn wire_vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/wire-vectors")
}

/// The recorded reply payloads of a session, parsed, with the request's method.
fn recorded_replies(session: &str) -> Vec<(String, Value)> {
    let path = wire_vectors_dir().join(format!("{session}.jsonl"));
    let text = std::fs::read_to_string(&path).unwrap();
    let frames: Vec<Value> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let record: Value = serde_json::from_str(line).unwrap();
            serde_json::from_str(&record["frame"].as_str().unwrap()[10..]).unwrap()
        })
        .collect();
    frames
        .chunks(2)
        .map(|pair| {
            (
                pair[0]["method"].as_str().unwrap().to_string(),
                pair[1].clone(),
            )
        })
        .collect()
}

/// The `result` of the first recorded reply to `method` in `session`.
fn recorded_result(session: &str, method: &str) -> Value {
    recorded_replies(session)
        .into_iter()
        .find(|(m, _)| m == method)
        .map(|(_, reply)| reply["result"].clone())
        .unwrap_or_else(|| panic!("{session} has no {method}"))
}

/// The `sim-01` System as the reference plugin returned it.
fn recorded_system() -> System {
    serde_json::from_value(recorded_result("register_systems_unregister", "systems")[0].clone())
        .unwrap()
}

/// The `lsm_test_aggr` Pool as the reference plugin returned it.
fn recorded_test_pool() -> Pool {
    let pools: Vec<Pool> = serde_json::from_value(recorded_result("pools", "pools")).unwrap();
    pools
        .into_iter()
        .find(|pool| pool.name == "lsm_test_aggr")
        .unwrap()
}

/// `lsm-recorded-plugin` set up to play one session: the client spawns it with the session
/// and report files in its environment.
struct RecordedPlugin {
    _dir: tempfile::TempDir,
    client: lsm_core::ClientBuilder,
    report: PathBuf,
}

impl RecordedPlugin {
    async fn new(session: &str) -> Self {
        let session_file = wire_vectors_dir().join(format!("{session}.jsonl"));
        assert!(session_file.is_file(), "{}", session_file.display());
        Self::playing(Some(&session_file.canonicalize().unwrap())).await
    }

    /// The plugin playing `session_file` (none: `LSM_RECORDED_SESSION` is not set), with
    /// the report.
    async fn playing(session_file: Option<&Path>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("report");
        let mut client = Client::builder(RECORDED_URI)
            .timeout(RECORDED_TIMEOUT)
            .plugin_exe(env!("CARGO_BIN_EXE_lsm-recorded-plugin"))
            .plugin_env("LSM_RECORDED_REPORT", &report);
        if let Some(session_file) = session_file {
            client = client.plugin_env("LSM_RECORDED_SESSION", session_file);
        }
        RecordedPlugin {
            _dir: dir,
            client,
            report,
        }
    }

    async fn connect(&self) -> lsm_core::Result<Client> {
        self.client.clone().connect().await
    }

    /// The plugin's end-of-session line (written when it exits).
    fn report(&self) -> String {
        for _ in 0..500 {
            if let Ok(text) = std::fs::read_to_string(&self.report)
                && !text.is_empty()
            {
                return text.trim().to_string();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("lsm-recorded-plugin wrote no report");
    }

    /// Close the session and check that the whole recording was played.
    async fn close_and_check_complete(&self, client: Client) {
        client.close().await.unwrap();
        let report = self.report();
        assert!(report.starts_with("complete "), "{report}");
        let (played, total) = report["complete ".len()..].split_once('/').unwrap();
        assert_eq!(played, total, "{report}");
    }
}

#[tokio::test]
async fn register_systems_unregister() {
    let plugin = RecordedPlugin::new("register_systems_unregister").await;
    let mut client = plugin.connect().await.unwrap();
    let systems = client.systems().await.unwrap();
    assert_eq!(systems.len(), 1);
    let system = &systems[0];
    assert_eq!(system.id, "sim-01");
    assert_eq!(system.name, "LSM simulated storage plug-in");
    assert_eq!(system.status, SystemStatus::OK);
    assert_eq!(system.status_info, "");
    assert_eq!(system.plugin_data, None);
    assert_eq!(system.fw_version, "LSM_SIMULATOR_DATA_4.1");
    assert_eq!(system.read_cache_pct, 10);
    assert_eq!(system.mode, SystemMode::HARDWARE_RAID);
    plugin.close_and_check_complete(client).await;
}

#[tokio::test]
async fn pools_of_the_reference_sim() {
    let plugin = RecordedPlugin::new("pools").await;
    let mut client = plugin.connect().await.unwrap();
    let pools = client.pools(None).await.unwrap();
    let ids: Vec<&str> = pools.iter().map(|pool| pool.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "POOL_ID_00001",
            "POOL_ID_00002",
            "POOL_ID_00003",
            "POOL_ID_00004"
        ]
    );
    let pool_1 = &pools[0];
    assert_eq!(pool_1.element_type.0, 1054);
    assert!(pool_1.element_type.contains(PoolElementType::SYS_RESERVED));
    assert!(pool_1.element_type.contains(PoolElementType::VOLUME));
    assert_eq!(
        pool_1.unsupported_actions,
        PoolUnsupportedActions::VOLUME_GROW | PoolUnsupportedActions::VOLUME_SHRINK
    );
    assert_eq!(pool_1.total_space, 2_199_023_255_552);
    assert_eq!(pool_1.free_space, 1_649_267_441_664);
    let aggregate = &pools[3];
    assert_eq!(aggregate.name, "lsm_test_aggr");
    assert_eq!(
        aggregate.total_space, 2_305_843_009_213_693_952,
        "2 EiB needs 64 bits"
    );
    assert_eq!(aggregate.system_id, "sim-01");
    plugin.close_and_check_complete(client).await;
}

#[tokio::test]
async fn capabilities_hex_of_the_reference_sim() {
    let plugin = RecordedPlugin::new("capabilities").await;
    let mut client = plugin.connect().await.unwrap();
    let systems = client.systems().await.unwrap();
    let capabilities = client.capabilities(&systems[0]).await.unwrap();
    for supported in [
        Capability::VOLUMES,
        Capability::VOLUME_CREATE,
        Capability::VOLUME_MASK,
        Capability::ACCESS_GROUP_CREATE_ISCSI_IQN,
        Capability::FS,
        Capability::EXPORT_FS,
        Capability::VOLUME_READ_CACHE_POLICY_UPDATE,
    ] {
        assert!(capabilities.supported(supported), "{supported}");
    }
    for unsupported in [
        Capability::VOLUME_PHYSICAL_DISK_CACHE_UPDATE_SYSTEM_LEVEL,
        Capability::VOLUME_WRITE_CACHE_POLICY_UPDATE_IMPACT_READ,
        Capability::POOLS_QUICK_SEARCH,
        Capability::TARGET_PORTS_QUICK_SEARCH,
    ] {
        assert!(!capabilities.supported(unsupported), "{unsupported}");
    }
    // The string round-trips exactly: 512 entries, lowercase.
    let recorded_hex = recorded_result("capabilities", "capabilities")["cap"].clone();
    assert_eq!(capabilities.as_bytes().len(), 512);
    assert_eq!(Value::String(capabilities.to_hex()), recorded_hex);
    plugin.close_and_check_complete(client).await;
}

#[tokio::test]
async fn volume_create_job_progression() {
    let plugin = RecordedPlugin::new("volume_create_job").await;
    let mut client = plugin.connect().await.unwrap();
    let completion = client
        .volume_create(
            &recorded_test_pool(),
            "vol1",
            1_073_741_824,
            Provisioning::DEFAULT,
        )
        .await
        .unwrap();
    assert_eq!(completion.job_id(), Some("JOB_ID_00001"));
    let mut percents = Vec::new();
    let volume = client
        .wait(completion, |percent| percents.push(percent))
        .await
        .unwrap();
    assert_eq!(
        percents,
        [0, 42, 83, 100],
        "every recorded job_status reply"
    );
    assert_eq!(volume.id, "VOL_ID_00001");
    assert_eq!(volume.name, "vol1");
    assert_eq!(volume.vpd83, "501094cf69bf3bec");
    assert_eq!(volume.block_size, 512);
    assert_eq!(volume.num_of_blocks, 2_097_152);
    assert_eq!(volume.size_bytes(), 1_073_741_824);
    assert_eq!(volume.pool_id, "POOL_ID_00004");
    plugin.close_and_check_complete(client).await;
}

#[tokio::test]
async fn volume_create_name_conflict_is_lsm_error_50() {
    let plugin = RecordedPlugin::new("volume_create_name_conflict").await;
    let mut client = plugin.connect().await.unwrap();
    let error = client
        .volume_create(
            &recorded_test_pool(),
            "vol1",
            1_073_741_824,
            Provisioning::DEFAULT,
        )
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorNumber::NAME_CONFLICT);
    assert_eq!(error.code.0, 50);
    assert_eq!(
        error.message,
        "Name 'vol1' is already in use by other volume"
    );
    assert_eq!(error.data(), None);
    assert_eq!(
        error.to_string(),
        "NAME_CONFLICT(50): Name 'vol1' is already in use by other volume"
    );
    plugin.close_and_check_complete(client).await;
}

#[tokio::test]
async fn bad_search_key_is_refused_by_the_client_and_the_raw_reply_parsed() {
    let plugin = RecordedPlugin::new("volumes_bad_search_key").await;
    let mut client = plugin.connect().await.unwrap();
    // Like the reference client, ours refuses the key before sending anything: a key read
    // at run time is checked as its typed search is made.
    let refused = VolumeSearch::from_key("bad_key", "x").unwrap_err();
    assert_eq!(refused.code, ErrorNumber::UNSUPPORTED_SEARCH_KEY);
    // Sent raw (as the recording did), the reference sim's accidental code is kept as is.
    let error = client
        .call::<Value>(
            "volumes",
            json!({"search_key": "bad_key", "search_value": "x", "flags": 0}),
        )
        .await
        .unwrap_err();
    assert_eq!(error.code.0, -32601);
    assert_eq!(error.message, "'Volume' object has no attribute 'bad_key'");
    plugin.close_and_check_complete(client).await;
}

#[tokio::test]
async fn access_group_create_mask_and_list() {
    let plugin = RecordedPlugin::new("access_group_mask").await;
    let mut client = plugin.connect().await.unwrap();
    let access_group: AccessGroup = client
        .access_group_create(
            "ag1",
            "iqn.1994-05.com.example:host1",
            InitiatorType::ISCSI_IQN,
            &recorded_system(),
        )
        .await
        .unwrap();
    assert_eq!(access_group.id, "AG_ID_00001");
    assert_eq!(access_group.init_ids, ["iqn.1994-05.com.example:host1"]);
    assert_eq!(access_group.init_type, InitiatorType::ISCSI_IQN);

    // vol1 as the reference plugin returned it (its vpd83 is the recorded one).
    let volume = recorded_volume();
    client.volume_mask(&access_group, &volume).await.unwrap();
    let accessible = client
        .volumes_accessible_by_access_group(&access_group)
        .await
        .unwrap();
    assert_eq!(accessible, [volume]);
    plugin.close_and_check_complete(client).await;
}

/// `vol1` as the reference plugin returned it when its job completed.
fn recorded_volume() -> Volume {
    let final_poll = recorded_replies("volume_create_job")
        .into_iter()
        .rfind(|(method, _)| method == "job_status")
        .unwrap()
        .1;
    serde_json::from_value(final_poll["result"][2].clone()).unwrap()
}

#[tokio::test]
async fn fs_snapshot_and_export() {
    let plugin = RecordedPlugin::new("fs_snapshot_export").await;
    let mut client = plugin.connect().await.unwrap();
    let pool = recorded_test_pool();

    let completion = client.fs_create(&pool, "fs1", 536_870_912).await.unwrap();
    let mut percents = Vec::new();
    let fs: FileSystem = client
        .wait(completion, |percent| percents.push(percent))
        .await
        .unwrap();
    assert_eq!(percents, [0, 42, 83, 100]);
    assert_eq!(fs.id, "FS_ID_00001");
    assert_eq!(fs.total_space, 536_870_912);
    assert_eq!(fs.free_space, 536_870_912);

    let completion = client.fs_snapshot_create(&fs, "snap1").await.unwrap();
    assert!(matches!(&completion, Completion::Job(job) if job.id == "JOB_ID_00001"));
    let snapshot = client.wait_done(completion).await.unwrap();
    assert_eq!(snapshot.id, "FS_SNAP_ID_00001");
    assert_eq!(snapshot.name, "snap1");
    assert_eq!(snapshot.ts, 1_795_615_358);

    let host = vec!["192.168.0.1".to_string()];
    let export = client
        .export_fs(&ExportRequest {
            export_path: Some("/mnt/fs1".to_string()),
            root_list: host.clone(),
            rw_list: host.clone(),
            ..ExportRequest::new(&fs.id)
        })
        .await
        .unwrap();
    assert_eq!(export.id, "EXP_ID_00001");
    assert_eq!(export.export_path, "/mnt/fs1");
    assert_eq!(export.root, host);
    assert_eq!(export.rw, host);
    assert!(export.ro.is_empty());
    assert_eq!((export.anonuid, export.anongid), (-1, -1));

    let exports = client.exports(None).await.unwrap();
    assert_eq!(exports, [export]);
    plugin.close_and_check_complete(client).await;
}

#[tokio::test]
async fn unknown_method_is_no_support_153() {
    let plugin = RecordedPlugin::new("unknown_method").await;
    let mut client = plugin.connect().await.unwrap();
    let error = client
        .call::<Value>("no_such_method", json!({"flags": 0}))
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorNumber::NO_SUPPORT);
    assert_eq!(error.code.0, 153);
    assert_eq!(error.message, "Unsupported operation");
    // An error reply leaves the session usable: unregister still goes through.
    plugin.close_and_check_complete(client).await;
}

#[tokio::test]
async fn plugin_info_of_the_reference_sim() {
    let plugin = RecordedPlugin::new("plugin_info").await;
    let mut client = plugin.connect().await.unwrap();
    let info = client.plugin_info().await.unwrap();
    assert_eq!(info.description, "Storage simulator");
    assert_eq!(info.version, "1.10.3");
    plugin.close_and_check_complete(client).await;
}

#[tokio::test]
async fn time_out_set_then_get() {
    let plugin = RecordedPlugin::new("time_out_set_get").await;
    let mut client = plugin.connect().await.unwrap();
    client
        .time_out_set(Duration::from_millis(40_000))
        .await
        .unwrap();
    assert_eq!(client.timeout(), Duration::from_millis(40_000));
    assert_eq!(
        client.time_out_get().await.unwrap(),
        Duration::from_millis(40_000)
    );
    plugin.close_and_check_complete(client).await;
}

// ------------------------------------------------- the recorded plugin itself

#[tokio::test]
async fn a_request_that_differs_from_the_recording_gets_a_clear_error() {
    let plugin = RecordedPlugin::new("volume_create_job").await;
    let mut client = plugin.connect().await.unwrap();
    let error = client
        .volume_create(
            &recorded_test_pool(),
            "vol1",
            2 * 1_073_741_824,
            Provisioning::DEFAULT,
        )
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorNumber::TRANSPORT_INVALID_ARG);
    assert!(
        error
            .message
            .contains("request.params.size_bytes: expected 1073741824, got 2147483648"),
        "{}",
        error.message
    );
    drop(client);
    let report = plugin.report();
    assert!(report.starts_with("mismatch 1/"), "{report}");
}

#[tokio::test]
async fn a_client_that_stops_early_is_reported_incomplete() {
    let plugin = RecordedPlugin::new("capabilities").await;
    let mut client = plugin.connect().await.unwrap();
    client.systems().await.unwrap();
    drop(client);
    assert_eq!(plugin.report(), "incomplete 2/4");
}

#[tokio::test]
async fn a_missing_session_is_explained_at_register() {
    let plugin = RecordedPlugin::playing(None).await;
    let error = plugin.connect().await.unwrap_err();
    assert_eq!(error.code, ErrorNumber::PLUGIN_BUG);
    assert!(
        error.message.contains("LSM_RECORDED_SESSION"),
        "{}",
        error.message
    );
}
