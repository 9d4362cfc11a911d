//! The client's request structs and typed searches, end to end: what a plugin receives
//! (through the real runner and wire, in process) is exactly what the client asked, and what
//! the client refuses never reaches the plugin.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use lsm_core::plugin::{Call, Management, Nas, Plugin, PluginInfo, Registration, San, Search};
use lsm_core::types::*;
use lsm_core::{
    BlockingClient, BlockingClientBuilder, Capabilities, ChapAuth, ChapCredentials, Completion,
    ErrorNumber, ExportRequest, ExportSearch, PoolSearch, Result, SnapshotRestore, VolumeSearch,
};

/// What reached the plugin, in order.
type Seen = Arc<Mutex<Vec<String>>>;

/// A plugin that notes every call it gets (its session does).
struct Recorder {
    seen: Seen,
}

impl Plugin for Recorder {
    type Session = Recorder;
    fn plugin_info(&self) -> PluginInfo {
        PluginInfo {
            description: "recorder".into(),
            version: "2.1".into(),
        }
    }
    fn register(&self, _: &Call, _: &Registration) -> Result<Recorder> {
        Ok(Recorder {
            seen: self.seen.clone(),
        })
    }
}

impl Recorder {
    fn note(&self, what: String) {
        self.seen.lock().unwrap().push(what);
    }
}

impl Management for Recorder {
    fn capabilities(&mut self, _: &Call, _: &System) -> Result<Capabilities> {
        Ok(Capabilities::new())
    }
    fn systems(&mut self, _: &Call) -> Result<Vec<System>> {
        Ok(Vec::new())
    }
    fn pools(&mut self, _: &Call, search: Option<&Search>) -> Result<Vec<Pool>> {
        self.note(format!("pools {search:?}"));
        Ok(Vec::new())
    }
}

impl San for Recorder {
    fn volumes(&mut self, _: &Call, search: Option<&Search>) -> Result<Vec<Volume>> {
        self.note(format!("volumes {search:?}"));
        Ok(Vec::new())
    }
    fn iscsi_chap_auth(
        &mut self,
        _: &Call,
        init_id: &str,
        in_user: Option<&str>,
        in_password: Option<&str>,
        out_user: Option<&str>,
        out_password: Option<&str>,
    ) -> Result<()> {
        self.note(format!(
            "chap {init_id} {in_user:?} {in_password:?} {out_user:?} {out_password:?}"
        ));
        Ok(())
    }
}

impl Nas for Recorder {
    fn exports(&mut self, _: &Call, search: Option<&Search>) -> Result<Vec<NfsExport>> {
        self.note(format!("exports {search:?}"));
        Ok(Vec::new())
    }
    fn export_fs(&mut self, _: &Call, request: &ExportRequest) -> Result<NfsExport> {
        self.note(format!("export {request:?}"));
        Ok(NfsExport {
            id: "EXP1".into(),
            fs_id: request.fs_id.clone(),
            ..Default::default()
        })
    }
    fn fs_snapshot_restore(
        &mut self,
        _: &Call,
        fs: &FileSystem,
        snapshot: &FsSnapshot,
        files: Option<&[String]>,
        restore_files: Option<&[String]>,
        all_files: bool,
    ) -> Result<Completion<()>> {
        self.note(format!(
            "restore {} {} {files:?} {restore_files:?} {all_files}",
            fs.id, snapshot.id
        ));
        Ok(Completion::Done(()))
    }
}

/// A client of a fresh recorder, and what the recorder sees.
fn recorder() -> (BlockingClientBuilder, Seen) {
    let seen = Seen::default();
    let shared = seen.clone();
    let builder = BlockingClient::builder("recorder://").in_process(move || Recorder {
        seen: shared.clone(),
    });
    (builder, seen)
}

fn taken(seen: &Seen) -> Vec<String> {
    std::mem::take(&mut *seen.lock().unwrap())
}

#[test]
fn an_export_request_reaches_the_plugin_as_it_was_asked() {
    let (builder, seen) = recorder();
    let mut client = builder.connect().unwrap();
    let request = ExportRequest {
        export_path: Some("/exports/a".into()),
        root_list: vec!["192.0.2.1".into()],
        rw_list: vec!["192.0.2.1".into(), "192.0.2.2".into()],
        ro_list: vec!["192.0.2.3".into()],
        anon_uid: 65534,
        auth_type: Some("sys".into()),
        options: Some("sync".into()),
        ..ExportRequest::new("FS1")
    };
    let export = client.export_fs(&request).unwrap();
    assert_eq!(export.fs_id, "FS1");
    assert_eq!(taken(&seen), [format!("export {request:?}")]);
    // The defaults: no hosts, anonymous ids not applicable.
    client.export_fs(&ExportRequest::new("FS2")).unwrap();
    let defaults = ExportRequest {
        fs_id: "FS2".into(),
        export_path: None,
        root_list: vec![],
        rw_list: vec![],
        ro_list: vec![],
        anon_uid: -1,
        anon_gid: -1,
        auth_type: None,
        options: None,
    };
    assert_eq!(taken(&seen), [format!("export {defaults:?}")]);
    // A host both read-write and read-only is refused before anything is sent.
    let overlap = ExportRequest {
        rw_list: vec!["192.0.2.9".into()],
        ro_list: vec!["192.0.2.9".into()],
        ..ExportRequest::new("FS3")
    };
    let error = client.export_fs(&overlap).unwrap_err();
    assert_eq!(error.code, ErrorNumber::INVALID_ARGUMENT);
    assert!(taken(&seen).is_empty());
    client.close().unwrap();
}

#[test]
fn chap_settings_reach_the_plugin_paired_and_outbound_alone_is_refused() {
    let (builder, seen) = recorder();
    let mut client = builder.connect().unwrap();
    let iqn = "iqn.1994-05.com.example:host1";
    let inbound = ChapAuth::inbound(ChapCredentials::new("in", "in-secret-12"));
    client.iscsi_chap_auth(iqn, &ChapAuth::none()).unwrap();
    client.iscsi_chap_auth(iqn, &inbound).unwrap();
    let mutual = inbound.with_outbound(ChapCredentials::new("out", "out-secret-12"));
    client.iscsi_chap_auth(iqn, &mutual).unwrap();
    assert_eq!(
        taken(&seen),
        [
            format!("chap {iqn} None None None None"),
            format!("chap {iqn} Some(\"in\") Some(\"in-secret-12\") None None"),
            format!(
                "chap {iqn} Some(\"in\") Some(\"in-secret-12\") Some(\"out\") Some(\"out-secret-12\")"
            ),
        ]
    );
    let outbound_only = ChapAuth {
        inbound: None,
        outbound: Some(ChapCredentials::new("out", "out-secret-12")),
    };
    let error = client.iscsi_chap_auth(iqn, &outbound_only).unwrap_err();
    assert_eq!(error.code, ErrorNumber::INVALID_ARGUMENT);
    assert!(taken(&seen).is_empty());
    client.close().unwrap();
}

#[test]
fn snapshot_restores_reach_the_plugin_as_asked() {
    let (builder, seen) = recorder();
    let mut client = builder.connect().unwrap();
    let fs = FileSystem {
        id: "FS1".into(),
        ..Default::default()
    };
    let snapshot = FsSnapshot {
        id: "SNAP1".into(),
        ..Default::default()
    };
    for restore in [
        SnapshotRestore::all_files(),
        SnapshotRestore::files(["a", "b"]),
        SnapshotRestore::files(["a"]).restored_as(["copy-of-a"]),
    ] {
        let done = client
            .fs_snapshot_restore(&fs, &snapshot, &restore)
            .unwrap();
        client.wait_done(done).unwrap();
    }
    assert_eq!(
        taken(&seen),
        [
            "restore FS1 SNAP1 None None true",
            "restore FS1 SNAP1 Some([\"a\", \"b\"]) None false",
            "restore FS1 SNAP1 Some([\"a\"]) Some([\"copy-of-a\"]) false",
        ]
    );
    client.close().unwrap();
}

#[test]
fn typed_searches_reach_the_plugin_as_wire_keys() {
    let (builder, seen) = recorder();
    let mut client = builder.connect().unwrap();
    client.pools(Some(PoolSearch::SystemId("sys1"))).unwrap();
    client.volumes(Some(VolumeSearch::PoolId("P1"))).unwrap();
    client.volumes(None).unwrap();
    client.exports(Some(ExportSearch::FsId("FS1"))).unwrap();
    let search = |key: &str, value: &str| {
        Some(Search {
            key: key.into(),
            value: value.into(),
        })
    };
    assert_eq!(
        taken(&seen),
        [
            format!("pools {:?}", search("system_id", "sys1")),
            format!("volumes {:?}", search("pool_id", "P1")),
            "volumes None".to_string(),
            format!("exports {:?}", search("fs_id", "FS1")),
        ]
    );
    client.close().unwrap();
}

#[test]
fn plugin_info_is_named_and_each_session_gets_a_fresh_plugin() {
    let seen = Seen::default();
    let made = Arc::new(AtomicUsize::new(0));
    let (shared, count) = (seen.clone(), made.clone());
    let builder = BlockingClient::builder("recorder://").in_process(move || {
        count.fetch_add(1, Ordering::SeqCst);
        Recorder {
            seen: shared.clone(),
        }
    });
    let mut first = builder.clone().connect().unwrap();
    let mut second = builder.connect().unwrap();
    assert_eq!(made.load(Ordering::SeqCst), 2);
    let info = first.plugin_info().unwrap();
    assert_eq!(
        (info.description.as_str(), info.version.as_str()),
        ("recorder", "2.1")
    );
    first.pools(None).unwrap();
    second.pools(None).unwrap();
    assert_eq!(taken(&seen), ["pools None", "pools None"]);
    first.close().unwrap();
    second.close().unwrap();
}
