//! The real `lsm-arraysim` binary, spoken to over HTTPS as a plugin would.

mod common;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use serde_json::{Value, json};

const USER: &str = "admin";
const PASSWORD: &str = "netapp1!";

/// A running simulator, stopped (SIGTERM, then SIGKILL) when dropped.
struct Sim {
    child: Option<Child>,
    base: String,
    client: Client,
}

impl Sim {
    fn start(state: &Path, extra: &[&str]) -> Sim {
        let (child, base, client) = common::launch("ontap", state, extra);
        Sim {
            child: Some(child),
            base,
            client,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .basic_auth(USER, Some(PASSWORD))
            .send()
            .unwrap()
    }

    fn json(&self, path: &str) -> Value {
        let r = self.get(path);
        assert_eq!(r.status(), StatusCode::OK, "GET {path}");
        r.json().unwrap()
    }

    fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Response {
        let mut req = self
            .client
            .request(method, self.url(path))
            .basic_auth(USER, Some(PASSWORD));
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().unwrap()
    }

    fn post(&self, path: &str, body: Value) -> Response {
        self.send(reqwest::Method::POST, path, Some(body))
    }

    fn delete(&self, path: &str) -> Response {
        self.send(reqwest::Method::DELETE, path, None)
    }

    /// Poll a job until it finishes, its steps ended first (`POST /_arraysim/jobs/finish`):
    /// the loop polls a job that is already ending; it waits on no step time.
    fn wait_job(&self, reply: Response) -> Value {
        assert_eq!(reply.status(), StatusCode::ACCEPTED);
        let body: Value = reply.json().unwrap();
        let href = body["job"]["_links"]["self"]["href"]
            .as_str()
            .unwrap()
            .to_string();
        let finish = self
            .client
            .post(self.url("/_arraysim/jobs/finish"))
            .send()
            .unwrap();
        assert_eq!(finish.status(), StatusCode::OK);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let job = self.json(&href);
            if matches!(job["state"].as_str(), Some("success" | "failure")) {
                return job;
            }
            assert!(Instant::now() < deadline, "job never finished: {job}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// SIGTERM and wait; the exit status.
    fn stop(&mut self) -> std::process::ExitStatus {
        common::stop(self.child.take().unwrap())
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(child) = self.child.take() {
            common::terminate(child, Duration::from_secs(3));
        }
    }
}

fn state() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    (dir, path)
}

fn lun(sim: &Sim, path: &str, size: u64, thick: bool) -> Response {
    sim.post(
        "/api/storage/luns",
        json!({"name": path, "svm": {"name": "vs0"}, "os_type": "linux",
               "space": {"size": size, "guarantee": {"requested": thick}}}),
    )
}

const GIB: u64 = 1 << 30;

#[test]
fn auth_is_required() {
    let (_d, dir) = state();
    let sim = Sim::start(&dir, &[]);
    let r = sim.client.get(sim.url("/api/cluster")).send().unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = sim
        .client
        .get(sim.url("/api/cluster"))
        .basic_auth(USER, Some("wrong"))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let c = sim.json("/api/cluster");
    assert_eq!(c["name"], "cl1");
    assert_eq!(c["version"]["generation"], 9);
    let nodes = sim.json("/api/cluster/nodes?fields=state");
    assert_eq!(nodes["num_records"], 2);
    assert!(
        nodes["records"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["state"] == "up")
    );
}

#[test]
fn envelope_paging_fields_and_filters() {
    let (_d, dir) = state();
    let sim = Sim::start(&dir, &[]);
    for i in 0..25 {
        let r = lun(&sim, &format!("/vol/vol1/lun_{i:02}"), GIB, false);
        assert_eq!(r.status(), StatusCode::CREATED);
        assert!(
            r.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/api/storage/luns/")
        );
    }
    let mut href = "/api/storage/luns?max_records=10".to_string();
    let mut pages = 0;
    let mut seen = std::collections::BTreeSet::new();
    loop {
        let page = sim.json(&href);
        pages += 1;
        let records = page["records"].as_array().unwrap();
        assert_eq!(
            page["num_records"].as_u64().unwrap() as usize,
            records.len()
        );
        for r in records {
            // Key fields only by default.
            let mut keys: Vec<&String> = r.as_object().unwrap().keys().collect();
            keys.sort();
            assert_eq!(keys, ["_links", "name", "svm", "uuid"], "{r}");
            seen.insert(r["uuid"].as_str().unwrap().to_string());
        }
        match page["_links"]["next"]["href"].as_str() {
            Some(next) => href = next.to_string(),
            None => break,
        }
    }
    assert_eq!((pages, seen.len()), (3, 25));
    // Pages of a filtered listing: the filter holds on every page, the cursor is the next
    // match.
    let mut href = "/api/storage/luns?name=/vol/vol1/lun_1*&max_records=4&fields=name".to_string();
    let mut names = Vec::new();
    let mut sizes = Vec::new();
    loop {
        let page = sim.json(&href);
        let records = page["records"].as_array().unwrap();
        sizes.push(records.len());
        names.extend(
            records
                .iter()
                .map(|r| r["name"].as_str().unwrap().to_string()),
        );
        match page["_links"]["next"]["href"].as_str() {
            Some(next) => href = next.to_string(),
            None => break,
        }
    }
    assert_eq!(sizes, [4, 4, 2]);
    let wanted: Vec<String> = (10..20).map(|i| format!("/vol/vol1/lun_{i}")).collect();
    assert_eq!(names, wanted);

    let r = sim.json("/api/storage/luns?name=/vol/vol1/lun_1*&fields=space.size,serial_number");
    assert_eq!(r["num_records"], 10);
    let first = &r["records"][0];
    assert_eq!(first["space"], json!({"size": GIB}));
    assert_eq!(first["serial_number"].as_str().unwrap().len(), 12);
    assert!(first.get("os_type").is_none());
    let r = sim.json("/api/storage/luns?name=/vol/vol1/lun_01|/vol/vol1/lun_02&svm.name=vs0&return_records=false");
    assert_eq!(r["num_records"], 2);
    assert!(r.get("records").is_none());
    let r = sim.json("/api/storage/luns?name=!/vol/vol1/lun_0*");
    assert_eq!(r["num_records"], 15);
    let desc = sim.json("/api/storage/luns?order_by=name%20desc&max_records=2");
    assert_eq!(desc["records"][0]["name"], "/vol/vol1/lun_24");
    assert_eq!(desc["records"][1]["name"], "/vol/vol1/lun_23");
    let all = sim.json("/api/storage/luns?fields=*&max_records=1");
    assert!(all["records"][0]["location"]["volume"]["name"] == "vol1");
    let lifs = sim.json("/api/network/ip/interfaces?services=data_iscsi&fields=ip.address");
    assert_eq!(lifs["num_records"], 2);
    let ports = sim.json("/api/network/ethernet/ports?node.name=cl1-01&fields=mac_address");
    assert_eq!(ports["num_records"], 3);
    let port = ports["records"][0]["uuid"].as_str().unwrap().to_string();
    assert_eq!(
        sim.json(&format!("/api/network/ethernet/ports/{port}"))["name"],
        "e0M"
    );
    let fc = sim.json("/api/network/fc/interfaces?fields=wwpn");
    assert!(
        fc["records"][0]["wwpn"]
            .as_str()
            .unwrap()
            .starts_with("20:")
    );
    assert_eq!(
        sim.json("/api/storage/disks?container_type=spare")["num_records"],
        2
    );
    let iscsi = sim.json("/api/protocols/san/iscsi/services?fields=target.name");
    assert!(
        iscsi["records"][0]["target"]["name"]
            .as_str()
            .unwrap()
            .starts_with("iqn.1992-08.com.netapp:sn.")
    );
    let aggr = sim.json("/api/storage/aggregates?name=aggr1&fields=space,block_storage");
    assert_eq!(
        aggr["records"][0]["block_storage"]["primary"]["raid_type"],
        "raid_dp"
    );
}

#[test]
fn errors_not_found_duplicate_method() {
    let (_d, dir) = state();
    let sim = Sim::start(&dir, &[]);
    let r = sim.get("/api/storage/luns/00000000-0000-0000-0000-000000000000");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let e: Value = r.json().unwrap();
    assert_eq!(e["error"]["code"], "4");
    assert_eq!(
        lun(&sim, "/vol/vol1/a", GIB, false).status(),
        StatusCode::CREATED
    );
    let r = lun(&sim, "/vol/vol1/a", GIB, false);
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let e: Value = r.json().unwrap();
    assert_eq!(e["error"]["code"], "1");
    assert_eq!(
        lun(&sim, "/vol/nope/a", GIB, false).status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        lun(&sim, "lun_without_path", GIB, false).status(),
        StatusCode::BAD_REQUEST
    );
    // vol2 is 50 GiB thick: a 60 GiB thick LUN does not fit.
    let r = lun(&sim, "/vol/vol2/big", 60 * GIB, true);
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = sim.send(reqwest::Method::PUT, "/api/storage/luns", Some(json!({})));
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[test]
fn volume_jobs_and_space() {
    let (_d, dir) = state();
    let sim = Sim::start(&dir, &[]);
    let body = json!({"name": "fs1", "svm": {"name": "vs0"}, "aggregates": [{"name": "aggr1"}],
                      "size": 10 * GIB, "guarantee": {"type": "volume"}, "nas": {"path": "/fs1"}});
    let job = sim.wait_job(sim.post("/api/storage/volumes", body.clone()));
    assert_eq!(job["state"], "success", "{job}");
    let v = sim.json("/api/storage/volumes?name=fs1&fields=size,guarantee,nas,space");
    assert_eq!(v["num_records"], 1);
    assert_eq!(v["records"][0]["size"], 10 * GIB);
    assert_eq!(v["records"][0]["nas"]["path"], "/fs1");
    // The same name again fails inside the job.
    let job = sim.wait_job(sim.post("/api/storage/volumes", body));
    assert_eq!(job["state"], "failure");
    assert_eq!(job["code"], 1);
    // A thick volume larger than the aggregate's free space fails.
    let job = sim.wait_job(sim.post(
        "/api/storage/volumes",
        json!({"name": "huge", "svm": {"name": "vs0"}, "aggregates": [{"name": "aggr1"}], "size": 2 * 1024 * GIB}),
    ));
    assert_eq!(job["state"], "failure");
    assert!(
        job["message"]
            .as_str()
            .unwrap()
            .contains("not enough space"),
        "{job}"
    );
    // return_timeout short-circuits to 201.
    let r = sim.post(
        "/api/storage/volumes?return_timeout=10",
        json!({"name": "fs2", "svm": {"name": "vs0"}, "size": GIB, "guarantee": {"type": "none"}}),
    );
    assert_eq!(r.status(), StatusCode::CREATED);
    // Thick volume accounting moves the aggregate's available space.
    let before = sim.json("/api/storage/aggregates?name=aggr1&fields=space")["records"][0]["space"]
        ["block_storage"]["available"]
        .as_u64()
        .unwrap();
    let uuid = v["records"][0]["uuid"].as_str().unwrap().to_string();
    let job = sim.wait_job(sim.send(
        reqwest::Method::PATCH,
        &format!("/api/storage/volumes/{uuid}"),
        Some(json!({"size": 20 * GIB})),
    ));
    assert_eq!(job["state"], "success");
    let after = sim.json("/api/storage/aggregates?name=aggr1&fields=space")["records"][0]["space"]
        ["block_storage"]["available"]
        .as_u64()
        .unwrap();
    assert_eq!(before - after, 10 * GIB);
    // Snapshot, clone, delete.
    let job = sim.wait_job(sim.post(
        &format!("/api/storage/volumes/{uuid}/snapshots"),
        json!({"name": "s1"}),
    ));
    assert_eq!(job["state"], "success");
    let snaps = sim.json(&format!(
        "/api/storage/volumes/{uuid}/snapshots?fields=create_time"
    ));
    assert_eq!(snaps["records"][0]["name"], "s1");
    let job = sim.wait_job(sim.post(
        "/api/storage/volumes",
        json!({"name": "fs1_clone", "svm": {"name": "vs0"},
               "clone": {"is_flexclone": true, "parent_volume": {"name": "fs1"}, "parent_snapshot": {"name": "s1"}}}),
    ));
    assert_eq!(job["state"], "success", "{job}");
    let c = sim.json("/api/storage/volumes?name=fs1_clone&fields=clone");
    assert_eq!(c["records"][0]["clone"]["parent_volume"]["name"], "fs1");
    let r = sim.delete(&format!("/api/storage/volumes/{uuid}"));
    assert_eq!(sim.wait_job(r)["state"], "failure", "parent of a clone");
    assert_eq!(
        sim.get("/api/storage/volumes/not-a-uuid").status(),
        StatusCode::NOT_FOUND
    );
}

#[test]
fn lun_maps_and_mapped_deletes() {
    let (_d, dir) = state();
    let sim = Sim::start(&dir, &[]);
    let r = sim.post(
        "/api/protocols/san/igroups",
        json!({"name": "ig1", "svm": {"name": "vs0"}, "protocol": "iscsi", "os_type": "linux",
               "initiators": [{"name": "iqn.1994-05.com.redhat:host1"}]}),
    );
    assert_eq!(r.status(), StatusCode::CREATED);
    let ig = r.headers()["location"]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let r = sim.post(
        &format!("/api/protocols/san/igroups/{ig}/initiators"),
        json!({"name": "iqn.1994-05.com.redhat:host2"}),
    );
    assert_eq!(r.status(), StatusCode::CREATED);
    let g = sim.json(&format!("/api/protocols/san/igroups/{ig}"));
    assert_eq!(g["initiators"].as_array().unwrap().len(), 2);
    let r = sim.post(
        &format!("/api/protocols/san/igroups/{ig}/initiators"),
        json!({"name": "20:00:00:25:b5:00:00:01"}),
    );
    assert_eq!(
        r.status(),
        StatusCode::BAD_REQUEST,
        "a WWPN in an iSCSI igroup"
    );

    let mut luns = Vec::new();
    for i in 0..3 {
        let r = lun(&sim, &format!("/vol/vol1/m{i}"), GIB, false);
        luns.push(
            r.headers()["location"]
                .to_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string(),
        );
        let r = sim.post(
            "/api/protocols/san/lun-maps",
            json!({"svm": {"name": "vs0"}, "lun": {"name": format!("/vol/vol1/m{i}")}, "igroup": {"name": "ig1"}}),
        );
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let maps = sim.json("/api/protocols/san/lun-maps?igroup.name=ig1&fields=logical_unit_number");
    let ids: Vec<u64> = maps["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["logical_unit_number"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [0, 1, 2]);
    assert_eq!(
        sim.delete(&format!("/api/protocols/san/lun-maps/{}/{ig}", luns[1]))
            .status(),
        StatusCode::OK
    );
    let again = sim.delete(&format!("/api/protocols/san/lun-maps/{}/{ig}", luns[1]));
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    let e: Value = again.json().unwrap();
    assert_eq!(e["error"]["code"], "5374922", "no such LUN map: {e}");
    let gone = sim.delete(&format!(
        "/api/protocols/san/lun-maps/00000000-0000-0000-0000-000000000000/{ig}"
    ));
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    assert_eq!(gone.json::<Value>().unwrap()["error"]["code"], "4");
    let r = sim.post(
        "/api/protocols/san/lun-maps",
        json!({"svm": {"name": "vs0"}, "lun": {"uuid": luns[1]}, "igroup": {"uuid": ig}}),
    );
    assert_eq!(r.status(), StatusCode::CREATED);
    let m = sim.json(&format!("/api/protocols/san/lun-maps/{}/{ig}", luns[1]));
    assert_eq!(m["logical_unit_number"], 1);
    let l = sim.json(&format!(
        "/api/storage/luns/{}?fields=status,lun_maps",
        luns[0]
    ));
    assert_eq!(l["status"]["mapped"], true);

    assert_eq!(
        sim.delete(&format!("/api/storage/luns/{}", luns[0]))
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        sim.delete(&format!("/api/protocols/san/igroups/{ig}"))
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        sim.delete(&format!(
            "/api/storage/luns/{}?allow_delete_while_mapped=true",
            luns[0]
        ))
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        sim.get(&format!("/api/storage/luns/{}", luns[0])).status(),
        StatusCode::NOT_FOUND
    );
}

#[test]
fn export_policies() {
    let (_d, dir) = state();
    let sim = Sim::start(&dir, &[]);
    let r = sim.post(
        "/api/protocols/nfs/export-policies",
        json!({"name": "lsm_exp1", "svm": {"name": "vs0"},
               "rules": [{"clients": [{"match": "10.0.0.0/24"}], "protocols": ["nfs3"], "ro_rule": ["sys"],
                          "rw_rule": ["sys"], "superuser": ["none"], "anonymous_user": "65534"}]}),
    );
    assert_eq!(r.status(), StatusCode::CREATED);
    let p = sim.json("/api/protocols/nfs/export-policies?name=lsm_exp1&fields=rules");
    let id = p["records"][0]["id"].as_u64().expect("integer id");
    assert_eq!(p["records"][0]["rules"][0]["index"], 1);
    let r = sim.post(
        &format!("/api/protocols/nfs/export-policies/{id}/rules"),
        json!({"clients": [{"match": "host1"}]}),
    );
    assert_eq!(r.status(), StatusCode::CREATED);
    let rules = sim.json(&format!("/api/protocols/nfs/export-policies/{id}/rules"));
    assert_eq!(rules["num_records"], 2);
    let vol = sim.json("/api/storage/volumes?name=vol1")["records"][0]["uuid"]
        .as_str()
        .unwrap()
        .to_string();
    let job = sim.wait_job(sim.send(
        reqwest::Method::PATCH,
        &format!("/api/storage/volumes/{vol}"),
        Some(json!({"nas": {"export_policy": {"name": "lsm_exp1"}}})),
    ));
    assert_eq!(job["state"], "success");
    let v = sim.json(&format!("/api/storage/volumes/{vol}?fields=nas"));
    assert_eq!(v["nas"]["export_policy"]["name"], "lsm_exp1");
    assert_eq!(
        sim.delete(&format!("/api/protocols/nfs/export-policies/{id}"))
            .status(),
        StatusCode::BAD_REQUEST
    );
}

#[test]
fn state_survives_restart() {
    let (_d, dir) = state();
    let mut sim = Sim::start(&dir, &[]);
    assert_eq!(
        lun(&sim, "/vol/vol1/keep", GIB, true).status(),
        StatusCode::CREATED
    );
    let cluster = sim.json("/api/cluster")["uuid"].clone();
    let status = sim.stop();
    assert!(status.success(), "SIGTERM exit: {status:?}");
    let sim = Sim::start(&dir, &[]);
    assert_eq!(sim.json("/api/cluster")["uuid"], cluster);
    let r = sim.json("/api/storage/luns?name=/vol/vol1/keep&fields=space.guarantee");
    assert_eq!(r["num_records"], 1);
    assert_eq!(r["records"][0]["space"]["guarantee"]["requested"], true);
}

#[test]
fn faults_and_stats() {
    let (_d, dir) = state();
    let sim = Sim::start(
        &dir,
        &["--fault", "/api/storage/aggregates:status=500:count=1"],
    );
    let r = sim.get("/api/storage/aggregates");
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let e: Value = r.json().unwrap();
    assert!(e["error"]["message"].is_string());
    assert_eq!(sim.get("/api/storage/aggregates").status(), StatusCode::OK);

    let add = |spec: &str| {
        let r = sim
            .client
            .post(sim.url("/_arraysim/faults"))
            .json(&json!({"spec": spec}))
            .send()
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED, "{spec}");
    };
    add("/api/storage/disks:reset:count=1");
    assert!(
        sim.client
            .get(sim.url("/api/storage/disks"))
            .basic_auth(USER, Some(PASSWORD))
            .send()
            .is_err()
    );
    assert_eq!(sim.get("/api/storage/disks").status(), StatusCode::OK);

    add("/api/svm/*:latency=300");
    let t = Instant::now();
    assert_eq!(sim.get("/api/svm/svms").status(), StatusCode::OK);
    assert!(t.elapsed() >= Duration::from_millis(300));
    let r = sim
        .client
        .delete(sim.url("/_arraysim/faults"))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let left: Value = sim
        .client
        .get(sim.url("/_arraysim/faults"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(left["faults"], json!([]), "no latency left");
    assert_eq!(sim.get("/api/svm/svms").status(), StatusCode::OK);

    add("/api/storage/volumes:job=failure:count=1");
    let job = sim.wait_job(sim.post(
        "/api/storage/volumes",
        json!({"name": "jf", "svm": {"name": "vs0"}, "size": GIB}),
    ));
    assert_eq!(job["state"], "failure");
    assert_eq!(job["code"], 65_536, "{job}");
    let bad = sim
        .client
        .post(sim.url("/_arraysim/faults"))
        .json(&json!({"spec": "/x:frobnicate"}))
        .send()
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    let stats: Value = sim
        .client
        .get(sim.url("/_arraysim/stats"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(stats["requests"]["GET /api/storage/aggregates"], 2);
    assert_eq!(stats["requests"]["GET /api/storage/disks"], 2);
    assert_eq!(stats["requests"]["POST /api/storage/volumes"], 1);
    assert!(stats["by_method"]["GET"].as_u64().unwrap() >= 6);
}

#[test]
fn truncate_and_garbage_mangle_the_real_answer() {
    let (_d, dir) = state();
    let sim = Sim::start(&dir, &[]);
    let whole = sim.get("/api/storage/aggregates").bytes().unwrap();
    let add = |spec: &str| {
        let r = sim
            .client
            .post(sim.url("/_arraysim/faults"))
            .json(&json!({"spec": spec}))
            .send()
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED, "{spec}");
    };

    // The whole length is announced, half of it arrives, then the connection closes.
    add("/api/storage/aggregates:truncate:count=1");
    let r = sim.get("/api/storage/aggregates");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.content_length(), Some(whole.len() as u64));
    assert!(r.bytes().is_err(), "a truncated body read to its end");
    assert_eq!(sim.get("/api/storage/aggregates").bytes().unwrap(), whole);

    // The request is handled, and its answer's body replaced by bytes that are not JSON.
    add("/api/storage/luns:garbage:count=1:method=POST");
    let r = lun(&sim, "/vol/vol1/garbled", GIB, false);
    assert_eq!(r.status(), StatusCode::CREATED);
    let body = r.bytes().unwrap();
    assert!(serde_json::from_slice::<Value>(&body).is_err(), "{body:?}");
    assert!(std::str::from_utf8(&body).is_err(), "not even UTF-8");
    let listed = sim.json("/api/storage/luns?name=/vol/vol1/garbled");
    assert_eq!(listed["num_records"], 1, "the LUN was made: {listed}");
    assert!(serde_json::from_slice::<Value>(&sim.get("/api/cluster").bytes().unwrap()).is_ok());
}

#[test]
fn thick_allocations_bounded_by_the_aggregate() {
    let (_d, dir) = state();
    let sim = Sim::start(&dir, &[]);
    let avail = |sim: &Sim| {
        sim.json("/api/storage/aggregates?name=aggr1&fields=space")["records"][0]["space"]["block_storage"]["available"].as_u64().unwrap()
    };
    let free = avail(&sim);
    let job = sim.wait_job(sim.post(
        "/api/storage/volumes",
        json!({"name": "filler", "svm": {"name": "vs0"}, "aggregates": [{"name": "aggr1"}],
               "size": free - 3 * GIB, "guarantee": {"type": "volume"}}),
    ));
    assert_eq!(job["state"], "success", "{job}");
    assert_eq!(avail(&sim), 3 * GIB);
    // vol1 is thin on aggr1: a thick LUN needs aggregate space.
    let r = lun(&sim, "/vol/vol1/thick", 10 * GIB, true);
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let e: Value = r.json().unwrap();
    assert_eq!(e["error"]["target"], "space.size");
    assert_eq!(
        lun(&sim, "/vol/vol1/thin", 10 * GIB, false).status(),
        StatusCode::CREATED
    );
    assert_eq!(
        lun(&sim, "/vol/vol1/small", 2 * GIB, true).status(),
        StatusCode::CREATED
    );
    assert_eq!(avail(&sim), GIB);
    let v = sim.json("/api/storage/volumes?name=vol1&fields=space");
    assert_eq!(v["records"][0]["space"]["available"], GIB);
}

#[test]
fn snapshot_restore_and_lun_clone() {
    let (_d, dir) = state();
    let sim = Sim::start(&dir, &[]);
    let vol = sim.json("/api/storage/volumes?name=vol1")["records"][0]["uuid"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        lun(&sim, "/vol/vol1/a", GIB, false).status(),
        StatusCode::CREATED
    );
    let job = sim.wait_job(sim.post(
        &format!("/api/storage/volumes/{vol}/snapshots"),
        json!({"name": "s1"}),
    ));
    assert_eq!(job["state"], "success");
    assert_eq!(
        lun(&sim, "/vol/vol1/b", GIB, false).status(),
        StatusCode::CREATED
    );
    // A LUN clone from the snapshot and from the live LUN.
    let r = sim.post(
        "/api/storage/luns",
        json!({"name": "/vol/vol1/from_snap", "svm": {"name": "vs0"}, "clone": {"source": {"name": "/vol/vol1/.snapshot/s1/a"}}}),
    );
    assert_eq!(r.status(), StatusCode::CREATED);
    let c = sim.json("/api/storage/luns?name=/vol/vol1/from_snap&fields=clone,space.size");
    assert_eq!(
        c["records"][0]["clone"]["source"]["name"],
        "/vol/vol1/.snapshot/s1/a"
    );
    assert_eq!(c["records"][0]["space"]["size"], GIB);
    // The snapshot to restore is a query parameter (not a body field).
    let r = sim.send(
        reqwest::Method::PATCH,
        &format!("/api/storage/volumes/{vol}"),
        Some(json!({"restore_to": {"snapshot": {"name": "s1"}}})),
    );
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let e: Value = r.json().unwrap();
    assert_eq!(e["error"]["code"], "262179", "{e}");
    let job = sim.wait_job(sim.send(
        reqwest::Method::PATCH,
        &format!("/api/storage/volumes/{vol}?restore_to.snapshot.name=s1"),
        Some(json!({})),
    ));
    assert_eq!(job["state"], "success", "{job}");
    let names: Vec<String> = sim.json("/api/storage/luns?location.volume.name=vol1")["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["/vol/vol1/a"]);
    let snap = sim.json(&format!("/api/storage/volumes/{vol}/snapshots"))["records"][0]["uuid"]
        .as_str()
        .unwrap()
        .to_string();
    let job = sim.wait_job(sim.delete(&format!("/api/storage/volumes/{vol}/snapshots/{snap}")));
    assert_eq!(job["state"], "success");
    assert_eq!(
        sim.json(&format!("/api/storage/volumes/{vol}/snapshots"))["num_records"],
        0
    );
}

#[test]
fn slow_jobs_progress_and_lun_rename_by_query() {
    let (_d, dir) = state();
    // Steps of an hour of the simulator's clock: a job waits for the test.
    let sim = Sim::start(&dir, &["--job-ms", "3600000"]);
    let r = sim.post(
        "/api/storage/volumes?return_timeout=0",
        json!({"name": "slow", "svm": {"name": "vs0"}, "size": GIB}),
    );
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let body: Value = r.json().unwrap();
    let href = body["job"]["_links"]["self"]["href"]
        .as_str()
        .unwrap()
        .to_string();
    let early = sim.json(&href);
    assert_eq!(early["state"], "queued", "{early}");
    assert_eq!(sim.json("/api/storage/volumes?name=slow")["num_records"], 0);
    // return_timeout shorter than the job: still 202.
    let r = sim.post(
        "/api/storage/volumes?return_timeout=0",
        json!({"name": "slow2", "svm": {"name": "vs0"}, "size": GIB}),
    );
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let done = sim.wait_job(sim.post(
        "/api/storage/volumes",
        json!({"name": "slow3", "svm": {"name": "vs0"}, "size": GIB}),
    ));
    assert_eq!(done["state"], "success");
    assert!(done["start_time"].is_string() && done["end_time"].is_string());
    assert_eq!(sim.json(&href)["state"], "success");

    assert_eq!(
        lun(&sim, "/vol/vol1/old", GIB, false).status(),
        StatusCode::CREATED
    );
    let r = sim.send(
        reqwest::Method::PATCH,
        "/api/storage/luns?svm.name=vs0&name=/vol/vol1/old",
        Some(json!({"name": "/vol/vol1/new"})),
    );
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        sim.json("/api/storage/luns?name=/vol/vol1/new")["num_records"],
        1
    );
}

#[test]
fn a_foreign_state_file_is_refused() {
    let (_d, dir) = state();
    std::fs::write(dir.join("ontap.json"), b"{\"not\": \"ours\"}").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_lsm-arraysim"))
        .env_remove("LSM_ARRAYSIM_PASSWORD")
        .args([
            "--vendor",
            "ontap",
            "--listen",
            "127.0.0.1:0",
            "--self-signed",
            "--state",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "never said it was listening");
    assert!(String::from_utf8_lossy(&out.stderr).contains("ontap.json"));
    // The file is left as it was.
    assert_eq!(
        std::fs::read(dir.join("ontap.json")).unwrap(),
        b"{\"not\": \"ours\"}"
    );
}

#[test]
fn certificate_from_pem_files() {
    // A first run makes a self-signed pair; a second serves it from files.
    let (_d1, made) = state();
    drop(Sim::start(&made, &[]));
    let (_d2, dir) = state();
    let mut child = Command::new(env!("CARGO_BIN_EXE_lsm-arraysim"))
        .env_remove("LSM_ARRAYSIM_PASSWORD")
        .args([
            "--vendor",
            "ontap",
            "--listen",
            "127.0.0.1:0",
            "--user",
            "u1",
            "--password",
            "p1",
            "--state",
        ])
        .arg(&dir)
        .arg("--tls-cert")
        .arg(made.join("cert.pem"))
        .arg("--tls-key")
        .arg(made.join("key.pem"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_string();
    let pem = std::fs::read(made.join("cert.pem")).unwrap();
    let client = Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    let sim = Sim {
        child: Some(child),
        base,
        client,
    };
    assert!(!dir.join("cert.pem").exists());
    let r = sim
        .client
        .get(sim.url("/api/cluster"))
        .basic_auth("u1", Some("p1"))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        sim.get("/api/cluster").status(),
        StatusCode::UNAUTHORIZED,
        "the default account is replaced"
    );
}

#[test]
fn svm_tunnelling_header() {
    let (_d, dir) = state();
    let sim = Sim::start(&dir, &[]);
    let r = sim
        .client
        .post(sim.url("/api/storage/luns"))
        .basic_auth(USER, Some(PASSWORD))
        .header("X-Dot-SVM-Name", "vs0")
        .json(&json!({"name": "/vol/vol1/t", "os_type": "linux", "space": {"size": GIB}}))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r: Value = sim
        .client
        .get(sim.url("/api/network/ip/interfaces"))
        .basic_auth(USER, Some(PASSWORD))
        .header("X-Dot-SVM-Name", "vs0")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        r["num_records"], 3,
        "the cluster management LIF is not in vs0"
    );
    let r = sim
        .client
        .get(sim.url("/api/storage/luns"))
        .basic_auth(USER, Some(PASSWORD))
        .header("X-Dot-SVM-Name", "nope")
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[test]
fn iscsi_credentials() {
    let (_d, dir) = state();
    let sim = Sim::start(&dir, &[]);
    let path = "/api/protocols/san/iscsi/credentials";
    let svm = sim.json("/api/svm/svms?name=vs0")["records"][0]["uuid"]
        .as_str()
        .unwrap()
        .to_string();
    // Each SVM has its default, no authentication.
    let list = sim.json(&format!("{path}?svm.name=vs0&fields=*"));
    assert_eq!(list["num_records"], 1, "{list}");
    assert_eq!(list["records"][0]["initiator"], "default");
    assert_eq!(list["records"][0]["authentication_type"], "none");

    let iqn = "iqn.1994-05.com.redhat:chap1";
    let r = sim.post(
        path,
        json!({"svm": {"name": "vs0"}, "initiator": iqn, "authentication_type": "chap",
               "chap": {"inbound": {"user": "in1", "password": "in-secret-123"},
                        "outbound": {"user": "out1", "password": "out-secret-123"}}}),
    );
    assert_eq!(r.status(), StatusCode::CREATED);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, format!("{path}/{svm}/{iqn}"));
    let one = sim.json(&format!("{location}?fields=*"));
    assert_eq!(one["authentication_type"], "chap");
    assert_eq!(one["chap"]["inbound"]["user"], "in1");
    assert_eq!(one["chap"]["outbound"]["user"], "out1");
    // Passwords are write-only.
    assert!(!one.to_string().contains("secret"), "{one}");
    let listed = sim.get(&format!("{path}?fields=*")).text().unwrap();
    assert!(!listed.contains("secret"), "{listed}");

    // A second entry for the initiator is a duplicate.
    let again = sim.post(
        path,
        json!({"svm": {"name": "vs0"}, "initiator": iqn, "authentication_type": "none"}),
    );
    assert_eq!(again.status(), StatusCode::CONFLICT);
    // Outbound without inbound, chap without a password, an unknown type: refused.
    for body in [
        json!({"svm": {"name": "vs0"}, "initiator": "iqn.2000-01.x:a", "authentication_type": "chap",
               "chap": {"outbound": {"user": "o", "password": "p"}}}),
        json!({"svm": {"name": "vs0"}, "initiator": "iqn.2000-01.x:a", "authentication_type": "chap",
               "chap": {"inbound": {"user": "o"}}}),
        json!({"svm": {"name": "vs0"}, "initiator": "iqn.2000-01.x:a", "authentication_type": "kerberos"}),
        json!({"svm": {"name": "vs0"}, "initiator": "not an iqn", "authentication_type": "none"}),
    ] {
        let r = sim.post(path, body.clone());
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{body}");
        let error: Value = r.json().unwrap();
        assert_eq!(error["error"]["code"], "2", "{error}");
    }
    assert_eq!(
        sim.json(&format!("{path}?initiator=iqn.2000-01.x:a"))["num_records"],
        0
    );

    // Outbound cleared with an empty user; then no authentication at all.
    let patch = |body: Value| sim.send(reqwest::Method::PATCH, &location, Some(body));
    assert_eq!(
        patch(json!({"chap": {"outbound": {"user": ""}}})).status(),
        StatusCode::OK
    );
    let one = sim.json(&format!("{location}?fields=*"));
    assert_eq!(one["chap"]["inbound"]["user"], "in1");
    assert!(one["chap"].get("outbound").is_none(), "{one}");
    assert_eq!(
        patch(json!({"authentication_type": "none"})).status(),
        StatusCode::OK
    );
    let one = sim.json(&format!("{location}?fields=*"));
    assert_eq!(one["authentication_type"], "none");
    assert!(one.get("chap").is_none(), "{one}");

    // The default cannot be deleted; an initiator's entry can, once.
    let default = format!("{path}/{svm}/default");
    assert_eq!(sim.delete(&default).status(), StatusCode::BAD_REQUEST);
    assert_eq!(sim.delete(&location).status(), StatusCode::OK);
    assert_eq!(sim.delete(&location).status(), StatusCode::NOT_FOUND);
    assert_eq!(sim.get(&location).status(), StatusCode::NOT_FOUND);
}

/// A client sending what cinder's ONTAP REST client sends (`RestNaServer` in
/// `cinder/volume/drivers/netapp/dataontap/client/api.py`, `RestClient` in
/// `client_cmode_rest.py`): URLs built as `/api/` + an action URL that starts with `/`
/// (so `/api//storage/luns/`), the query appended as raw `k=v&...`, JSON headers,
/// `X-Dot-SVM-Name` (tunnelling) unless the call disables it, `max_records=10000` on
/// every GET, a `next` link or a job link followed by dropping its `/api`.
struct Cinder<'a> {
    sim: &'a Sim,
    svm: &'a str,
}

impl Cinder<'_> {
    /// `invoke_successfully`: one request, its status and JSON body.
    fn invoke(
        &self,
        method: reqwest::Method,
        action: &str,
        query: &[(&str, &str)],
        body: Option<Value>,
        tunnel: bool,
    ) -> (StatusCode, Value) {
        let mut url = format!("{}/api/{action}", self.sim.base);
        if !query.is_empty() {
            let pairs: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
            url = format!("{url}?{}", pairs.join("&"));
        }
        let mut request = self
            .sim
            .client
            .request(method, url)
            .basic_auth(USER, Some(PASSWORD))
            .header("Accept", "application/json")
            .header("Content-Type", "application/json");
        if tunnel {
            request = request.header("X-Dot-SVM-Name", self.svm);
        }
        if let Some(body) = body {
            request = request.body(body.to_string());
        }
        let reply = request.send().unwrap();
        let status = reply.status();
        let text = reply.text().unwrap();
        let body = if text.is_empty() {
            json!({})
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
        };
        (status, body)
    }

    /// `get_records`: every page, merged, or the error reply.
    fn try_get(&self, action: &str, query: &[(&str, &str)], tunnel: bool) -> (StatusCode, Value) {
        let mut query = query.to_vec();
        query.push(("max_records", "10000"));
        let (status, mut response) =
            self.invoke(reqwest::Method::GET, action, &query, None, tunnel);
        if status != StatusCode::OK {
            return (status, response);
        }
        let mut next = response["_links"]["next"]["href"]
            .as_str()
            .map(|h| h[4..].to_string());
        while let Some(href) = next {
            let (status, page) = self.invoke(reqwest::Method::GET, &href, &[], None, tunnel);
            assert_eq!(status, StatusCode::OK, "{page}");
            let n =
                response["num_records"].as_u64().unwrap() + page["num_records"].as_u64().unwrap();
            response["num_records"] = json!(n);
            let more = page["records"].as_array().unwrap().clone();
            response["records"].as_array_mut().unwrap().extend(more);
            next = page["_links"]["next"]["href"]
                .as_str()
                .map(|h| h[4..].to_string());
        }
        (status, response)
    }

    /// `get_records`, which must answer 200.
    fn get(&self, action: &str, query: &[(&str, &str)]) -> Value {
        let (status, response) = self.try_get(action, query, true);
        assert_eq!(status, StatusCode::OK, "GET {action} {query:?}: {response}");
        response
    }

    /// `send_request` for a change: a 202's job followed (its link minus `/api`, without
    /// tunnelling) until it ends; the status and body (the job's, when there was one).
    fn send(
        &self,
        method: reqwest::Method,
        action: &str,
        query: &[(&str, &str)],
        body: Value,
    ) -> (StatusCode, Value) {
        let (status, response) = self.invoke(method, action, query, Some(body), true);
        if status != StatusCode::ACCEPTED {
            return (status, response);
        }
        let job = response["job"]["_links"]["self"]["href"].as_str().unwrap()[4..].to_string();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let (status, state) = self.try_get(&job, &[], false);
            assert_eq!(status, StatusCode::OK, "{state}");
            if matches!(state["state"].as_str(), Some("success" | "failure")) {
                return (status, state);
            }
            assert!(Instant::now() < deadline, "job never ended: {state}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

#[test]
fn cinder_rest_client_request_shapes() {
    let (_d, dir) = state();
    let sim = Sim::start(&dir, &[]);
    let cinder = Cinder {
        sim: &sim,
        svm: "vs0",
    };
    // get_ontap_version: `/api//cluster/?fields=version&max_records=10000`.
    let cluster = cinder.get("/cluster/", &[("fields", "version")]);
    assert_eq!(cluster["version"]["generation"], 9, "{cluster}");
    assert_eq!(sim.json("/api/cluster/")["name"], "cl1");

    // create_lun: dotted keys, the size and booleans as strings, the SVM from the header.
    let path = "/vol/vol1/cinder_lun";
    let (status, reply) = cinder.send(
        reqwest::Method::POST,
        "/storage/luns",
        &[],
        json!({"name": path, "space.size": "1073741824", "os_type": "linux",
               "space.guarantee.requested": "false",
               "space.scsi_thin_provisioning_support_enabled": "true"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    // get_lun_by_args.
    let luns = cinder.get(
        "/storage/luns/",
        &[
            (
                "fields",
                "svm.name,location.volume.name,space.size,name,os_type,space.guarantee.requested,uuid",
            ),
            ("svm.name", "vs0"),
            ("name", path),
        ],
    );
    assert_eq!(luns["num_records"], 1, "{luns}");
    let lun = &luns["records"][0];
    assert_eq!(lun["space"]["size"], GIB);
    assert_eq!(lun["space"]["guarantee"]["requested"], false);
    assert_eq!(lun["location"]["volume"]["name"], "vol1");
    assert_eq!(lun["svm"]["name"], "vs0");
    let lun_uuid = lun["uuid"].as_str().unwrap().to_string();

    // create_igroup, add_igroup_initiator.
    let (status, reply) = cinder.send(
        reqwest::Method::POST,
        "/protocols/san/igroups",
        &[],
        json!({"name": "openstack-ig", "protocol": "iscsi", "os_type": "linux"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    let igroups = cinder.get(
        "/protocols/san/igroups/",
        &[("name", "openstack-ig"), ("fields", "uuid")],
    );
    let igroup = igroups["records"][0]["uuid"].as_str().unwrap().to_string();
    let (status, reply) = cinder.send(
        reqwest::Method::POST,
        &format!("/protocols/san/igroups/{igroup}/initiators"),
        &[],
        json!({"name": "iqn.1994-05.com.redhat:cinder-host"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{reply}");

    // map_lun: dotted keys, the record asked back.
    let (status, reply) = cinder.send(
        reqwest::Method::POST,
        "/protocols/san/lun-maps",
        &[("return_records", "true")],
        json!({"lun.name": path, "igroup.name": "openstack-ig"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    assert_eq!(reply["records"][0]["logical_unit_number"], 0, "{reply}");
    // get_lun_map.
    let maps = cinder.get(
        "/protocols/san/lun-maps",
        &[
            ("lun.name", path),
            ("fields", "igroup.name,logical_unit_number,svm.name"),
        ],
    );
    assert_eq!(
        maps["records"][0]["igroup"]["name"], "openstack-ig",
        "{maps}"
    );
    assert_eq!(maps["records"][0]["svm"]["name"], "vs0");
    // unmap_lun: the map's uuids, then its DELETE; a second one is "no such LUN map".
    let maps = cinder.get(
        "/protocols/san/lun-maps",
        &[
            ("igroup.name", "openstack-ig"),
            ("lun.name", path),
            ("fields", "lun.uuid,igroup.uuid"),
        ],
    );
    let map = format!(
        "/protocols/san/lun-maps/{}/{}",
        maps["records"][0]["lun"]["uuid"].as_str().unwrap(),
        maps["records"][0]["igroup"]["uuid"].as_str().unwrap()
    );
    let (status, _) = cinder.send(reqwest::Method::DELETE, &map, &[], json!({}));
    assert_eq!(status, StatusCode::OK);
    let (status, reply) = cinder.send(reqwest::Method::DELETE, &map, &[], json!({}));
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(reply["error"]["code"], "5374922", "{reply}");

    // do_direct_resize: a dotted size on the LUN's own path.
    let (status, reply) = cinder.send(
        reqwest::Method::PATCH,
        &format!("/storage/luns/{lun_uuid}"),
        &[],
        json!({"name": path, "space.size": 2 * GIB}),
    );
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(
        sim.json(&format!("/api/storage/luns/{lun_uuid}?fields=space.size"))["space"]["size"],
        2 * GIB
    );

    // create_volume_async: a job, polled at `/api//cluster/jobs/{uuid}?max_records=10000`;
    // the snapshot reserve as a string.
    let (status, job) = cinder.send(
        reqwest::Method::POST,
        "/storage/volumes/",
        &[],
        json!({"name": "cinder_vol", "size": 2 * GIB, "type": "rw", "style": "flexvol",
               "aggregates": [{"name": "aggr1"}], "nas": {"path": "/cinder_vol"},
               "guarantee": {"type": "none"}, "space": {"snapshot": {"reserve_percent": "5"}}}),
    );
    assert_eq!(
        (status, job["state"].as_str()),
        (StatusCode::OK, Some("success")),
        "{job}"
    );
    let volumes = cinder.get(
        "/storage/volumes/",
        &[("name", "cinder_vol"), ("fields", "size,nas.path")],
    );
    assert_eq!(volumes["records"][0]["size"], 2 * GIB, "{volumes}");
    assert_eq!(volumes["records"][0]["nas"]["path"], "/cinder_vol");

    // list_flexvols: filters on fields every volume record has; the SVM root is left out.
    let flexvol_filters = [
        ("type", "rw"),
        ("style", "flex*"),
        ("is_svm_root", "false"),
        ("error_state.is_inconsistent", "false"),
        ("state", "online"),
    ];
    let mut query = flexvol_filters.to_vec();
    query.push(("fields", "name"));
    let names: Vec<String> = cinder.get("/storage/volumes/", &query)["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["vol1", "vol2", "cinder_vol"]);
    // get_flexvol, get_flexvol_capacity (_get_volume_by_args: one volume, or cinder fails).
    let mut query = flexvol_filters.to_vec();
    query.extend([
        ("name", "cinder_vol"),
        (
            "fields",
            "aggregates.name,name,svm.name,nas.path,type,guarantee.honored,guarantee.type,\
             space.snapshot.reserve_percent,space.size,qos.policy.name,snapshot_policy,language,style",
        ),
    ]);
    let flexvol = cinder.get("/storage/volumes/", &query);
    assert_eq!(flexvol["num_records"], 1, "{flexvol}");
    let v = &flexvol["records"][0];
    assert_eq!(v["aggregates"][0]["name"], "aggr1");
    assert_eq!(v["guarantee"], json!({"type": "none", "honored": true}));
    assert_eq!(v["space"]["snapshot"]["reserve_percent"], 5);
    assert_eq!(v["space"]["size"], 2 * GIB);
    assert_eq!(v["snapshot_policy"]["name"], "default");
    assert_eq!(v["language"], "c.utf_8");
    assert_eq!(v["style"], "flexvol");
    let mut query = flexvol_filters.to_vec();
    query.extend([
        ("name", "cinder_vol"),
        ("fields", "name,space.available,space.afs_total"),
    ]);
    let capacity = cinder.get("/storage/volumes/", &query)["records"][0]["space"].clone();
    let afs_total = 2 * GIB - 2 * GIB * 5 / 100;
    assert_eq!(capacity["afs_total"], afs_total, "{capacity}");
    assert_eq!(capacity["available"], afs_total);
    // get_flexvol_dedupe_info.
    let dedupe = cinder.get(
        "/storage/volumes",
        &[
            ("efficiency.volume_path", "/vol/cinder_vol"),
            ("fields", "efficiency.state,efficiency.compression"),
        ],
    );
    assert_eq!(dedupe["num_records"], 1, "{dedupe}");
    assert_eq!(
        dedupe["records"][0]["efficiency"],
        json!({"state": "disabled", "compression": "none"})
    );
    // get_aggregate, _get_aggregate_disk_types, _get_cluster_nodes_info (cluster scope).
    let (_, aggrs) = cinder.try_get(
        "/storage/aggregates",
        &[
            ("name", "aggr1"),
            (
                "fields",
                "name,block_storage.primary.raid_type,block_storage.storage_type,home_node.name",
            ),
        ],
        false,
    );
    let aggr = &aggrs["records"][0];
    assert_eq!(aggr["block_storage"]["storage_type"], "ssd", "{aggrs}");
    assert_eq!(aggr["block_storage"]["primary"]["raid_type"], "raid_dp");
    assert_eq!(aggr["home_node"]["name"], "cl1-01");
    let (_, disks) = cinder.try_get(
        "/storage/disks",
        &[("aggregates.name", "aggr1"), ("fields", "effective_type")],
        false,
    );
    assert_eq!(disks["num_records"], 8, "{disks}");
    let records = disks["records"].as_array().unwrap();
    assert!(records.iter().all(|d| d["effective_type"] == "ssd"));
    let (_, nodes) = cinder.try_get(
        "/cluster/nodes",
        &[(
            "fields",
            "model,name,is_all_flash_optimized,is_all_flash_select_optimized",
        )],
        false,
    );
    assert_eq!(nodes["num_records"], 2, "{nodes}");
    for node in nodes["records"].as_array().unwrap() {
        assert_eq!(node["is_all_flash_optimized"], true, "{node}");
        assert_eq!(node["is_all_flash_select_optimized"], false, "{node}");
        assert_eq!(node["model"], "AFF-A250");
    }
    // get_lun_list: the space allocation and the qtree it reads.
    let luns = cinder.get(
        "/storage/luns/",
        &[
            ("svm.name", "vs0"),
            (
                "fields",
                "svm.name,location.volume.name,space.size,location.qtree.name,name,os_type,\
                 space.scsi_thin_provisioning_support_enabled,space.guarantee.requested,uuid",
            ),
        ],
    );
    let lun = &luns["records"][0];
    assert_eq!(
        lun["space"]["scsi_thin_provisioning_support_enabled"], true,
        "{luns}"
    );
    assert_eq!(lun["location"]["qtree"]["name"], "");
    assert_eq!(lun["name"], "/vol/vol1/cinder_lun");
}

/// Every record the simulator sends, of every collection, with one of each object made,
/// is one ONTAP could send: each field is one of netapp-ontap's schema for that resource,
/// of its type, enum values among the enum's.
#[test]
fn every_record_fits_its_schema() {
    use lsm_arraysim::ontap::schema::{Resource, check_record};
    let (_d, dir) = state();
    let sim = Sim::start(&dir, &[]);
    let post = |path: &str, body: Value| {
        let r = sim.post(path, body.clone());
        assert!(
            r.status().is_success(),
            "POST {path} {body}: {}",
            r.text().unwrap()
        );
        r
    };
    let thick = lun(&sim, "/vol/vol1/thick", GIB, true);
    assert_eq!(thick.status(), StatusCode::CREATED);
    post(
        "/api/storage/luns",
        json!({"name": "/vol/vol1/thin", "svm": {"name": "vs0"}, "os_type": "vmware",
               "space": {"size": GIB, "scsi_thin_provisioning_support_enabled": true},
               "qos_policy": {"name": "gold"}}),
    );
    post(
        "/api/storage/luns",
        json!({"name": "/vol/vol1/copy", "svm": {"name": "vs0"}, "clone": {"source": {"name": "/vol/vol1/thick"}}}),
    );
    let ig = post(
        "/api/protocols/san/igroups",
        json!({"name": "ig1", "svm": {"name": "vs0"}, "protocol": "iscsi", "os_type": "linux",
               "initiators": [{"name": "iqn.1994-05.com.redhat:h1", "comment": "host 1"}]}),
    );
    let ig = ig.headers()["location"]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    post(
        "/api/protocols/san/lun-maps",
        json!({"svm": {"name": "vs0"}, "lun": {"name": "/vol/vol1/thick"}, "igroup": {"name": "ig1"}}),
    );
    let vol = sim.json("/api/storage/volumes?name=vol1")["records"][0]["uuid"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        sim.wait_job(post(
            &format!("/api/storage/volumes/{vol}/snapshots"),
            json!({"name": "s1"})
        ))["state"],
        "success"
    );
    assert_eq!(
        sim.wait_job(post(
            "/api/storage/volumes",
            json!({"name": "c1", "svm": {"name": "vs0"},
                   "clone": {"is_flexclone": true, "parent_volume": {"name": "vol1"}, "parent_snapshot": {"name": "s1"}}}),
        ))["state"],
        "success"
    );
    let failed = sim.wait_job(post(
        "/api/storage/volumes",
        json!({"name": "c1", "svm": {"name": "vs0"}, "size": GIB}),
    ));
    assert_eq!(failed["state"], "failure");
    post(
        "/api/protocols/nfs/export-policies",
        json!({"name": "p1", "svm": {"name": "vs0"},
               "rules": [{"clients": [{"match": "10.0.0.0/24"}], "ro_rule": ["sys"], "rw_rule": ["sys"]}]}),
    );
    let policy = sim.json("/api/protocols/nfs/export-policies?name=p1")["records"][0]["id"]
        .as_u64()
        .unwrap();
    post(
        "/api/protocols/san/iscsi/credentials",
        json!({"svm": {"name": "vs0"}, "initiator": "iqn.1994-05.com.redhat:h1",
               "authentication_type": "chap",
               "chap": {"inbound": {"user": "u1", "password": "secret-in-1"},
                        "outbound": {"user": "u2", "password": "secret-out-1"}}}),
    );

    let collections = [
        ("/api/cluster/nodes".to_string(), Resource::Node),
        ("/api/cluster/jobs".to_string(), Resource::Job),
        ("/api/svm/svms".to_string(), Resource::Svm),
        ("/api/storage/aggregates".to_string(), Resource::Aggregate),
        ("/api/storage/disks".to_string(), Resource::Disk),
        ("/api/storage/volumes".to_string(), Resource::Volume),
        (
            format!("/api/storage/volumes/{vol}/snapshots"),
            Resource::Snapshot,
        ),
        ("/api/storage/luns".to_string(), Resource::Lun),
        ("/api/protocols/san/igroups".to_string(), Resource::Igroup),
        (
            format!("/api/protocols/san/igroups/{ig}/initiators"),
            Resource::IgroupInitiator,
        ),
        ("/api/protocols/san/lun-maps".to_string(), Resource::LunMap),
        (
            "/api/protocols/san/iscsi/services".to_string(),
            Resource::IscsiService,
        ),
        (
            "/api/protocols/san/iscsi/credentials".to_string(),
            Resource::IscsiCredentials,
        ),
        (
            "/api/network/ip/interfaces".to_string(),
            Resource::IpInterface,
        ),
        (
            "/api/network/fc/interfaces".to_string(),
            Resource::FcInterface,
        ),
        ("/api/network/ethernet/ports".to_string(), Resource::Port),
        (
            "/api/protocols/nfs/export-policies".to_string(),
            Resource::ExportPolicy,
        ),
        (
            format!("/api/protocols/nfs/export-policies/{policy}/rules"),
            Resource::ExportRule,
        ),
    ];
    let mut seen = 0;
    for (path, resource) in &collections {
        let page = sim.json(&format!("{path}?fields=*"));
        let records = page["records"].as_array().unwrap();
        assert!(!records.is_empty(), "{path}: no records");
        for record in records {
            check_record(*resource, record).unwrap_or_else(|e| panic!("{path}: {e}\n{record}"));
            seen += 1;
        }
    }
    check_record(Resource::Cluster, &sim.json("/api/cluster")).unwrap();
    let job = failed["uuid"].as_str().unwrap();
    check_record(
        Resource::Job,
        &sim.json(&format!("/api/cluster/jobs/{job}")),
    )
    .unwrap();
    assert!(seen > 60, "{seen} records");
}

/// Names a resource's schema lacks and values of the wrong type get ONTAP's errors, bodies
/// and all; nothing is made.
#[test]
fn unknown_names_and_wrong_types_are_refused() {
    let (_d, dir) = state();
    let sim = Sim::start(&dir, &[]);
    let refused = |r: Response, body: Value| {
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let got: Value = r.json().unwrap();
        assert_eq!(got, body);
    };
    // fields=: 262197, as clusters answer it.
    refused(
        sim.get("/api/storage/luns?fields=name,bogus"),
        json!({"error": {"message": "The value \"bogus\" is invalid for field \"fields\" (<field,...>)",
                         "code": "262197", "target": "fields"}}),
    );
    refused(
        sim.get("/api/cluster?fields=versoin"),
        json!({"error": {"message": "The value \"versoin\" is invalid for field \"fields\" (<field,...>)",
                         "code": "262197", "target": "fields"}}),
    );
    // A filter (or any query parameter) the resource lacks: "Unexpected argument".
    refused(
        sim.get("/api/storage/volumes?is_svm_rot=false"),
        json!({"error": {"message": "Unexpected argument \"is_svm_rot\".", "code": "262179",
                         "target": "is_svm_rot"}}),
    );
    let vol = sim.json("/api/storage/volumes?name=vol1")["records"][0]["uuid"]
        .as_str()
        .unwrap()
        .to_string();
    refused(
        sim.delete(&format!(
            "/api/storage/volumes/{vol}?allow_delete_while_mapped=true"
        )),
        json!({"error": {"message": "Unexpected argument \"allow_delete_while_mapped\".",
                         "code": "262179", "target": "allow_delete_while_mapped"}}),
    );
    // A body field the resource lacks, a field a create cannot set, a wrong type, a value
    // outside an enum.
    let base = json!({"name": "/vol/vol1/strict", "svm": {"name": "vs0"}, "os_type": "linux",
                      "space": {"size": GIB}});
    let with = |key: &str, value: Value| {
        let mut body = base.clone();
        body[key] = value;
        body
    };
    refused(
        sim.post("/api/storage/luns", with("os_typ", json!("linux"))),
        json!({"error": {"message": "Unexpected argument \"os_typ\".", "code": "262179",
                         "target": "os_typ"}}),
    );
    refused(
        sim.post(
            "/api/storage/luns",
            with(
                "space",
                json!({"size": GIB, "guarantee": {"requestd": true}}),
            ),
        ),
        json!({"error": {"message": "Unexpected argument \"space.guarantee.requestd\".",
                         "code": "262179", "target": "space.guarantee.requestd"}}),
    );
    refused(
        sim.post(
            "/api/storage/luns",
            with("serial_number", json!("ABCDEFGHIJKL")),
        ),
        json!({"error": {"message": "Field \"serial_number\" cannot be set in this operation.",
                         "code": "262196", "target": "serial_number"}}),
    );
    refused(
        sim.post(
            "/api/storage/luns",
            with("space", json!({"size": "one gig"})),
        ),
        json!({"error": {"message": "Invalid value \"one gig\" for field \"space.size\": it must be an integer.",
                         "code": "2", "target": "space.size"}}),
    );
    refused(
        sim.post("/api/storage/luns", with("os_type", json!("beos"))),
        json!({"error": {"message": "\"beos\" is an invalid value for field \"os_type\".",
                         "code": "2", "target": "os_type"}}),
    );
    assert_eq!(
        sim.json("/api/storage/luns?name=/vol/vol1/strict")["num_records"],
        0
    );
    // A change is refused at once, before any job.
    refused(
        sim.send(
            reqwest::Method::PATCH,
            &format!("/api/storage/volumes/{vol}"),
            Some(json!({"sise": GIB})),
        ),
        json!({"error": {"message": "Unexpected argument \"sise\".", "code": "262179",
                         "target": "sise"}}),
    );
    assert_eq!(sim.json("/api/cluster/jobs")["num_records"], 0);
    // A filter on a field the schema has and the records lack matches nothing; fields=
    // shows only what was asked.
    assert_eq!(
        sim.json("/api/storage/volumes?snaplock.type=compliance")["num_records"],
        0
    );
    let c = sim.json("/api/cluster?fields=version&max_records=10000");
    let mut keys: Vec<&String> = c.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["_links", "version"], "{c}");
}

/// A PATCH or DELETE on a collection takes the GET's filter grammar (`svm=NAME` as
/// cinder sends it, `|`, `*`, dotted fields) and the request parameters of the
/// single-object call; asynchronous ones run a job per match.
#[test]
fn query_based_patch_and_delete() {
    let (_d, dir) = state();
    let sim = Sim::start(&dir, &[]);
    let cinder = Cinder {
        sim: &sim,
        svm: "vs0",
    };
    let status = |r: Response| r.status();
    // destroy_lun: `svm=` is the SVM's name; a mapped LUN goes with allow_delete_while_mapped.
    for name in ["d1", "d2", "keep"] {
        assert_eq!(
            status(lun(&sim, &format!("/vol/vol1/{name}"), GIB, false)),
            StatusCode::CREATED
        );
    }
    assert_eq!(
        status(sim.post(
            "/api/protocols/san/igroups",
            json!({"name": "ig1", "svm": {"name": "vs0"}, "protocol": "iscsi"}),
        )),
        StatusCode::CREATED
    );
    assert_eq!(
        status(sim.post(
            "/api/protocols/san/lun-maps",
            json!({"svm": {"name": "vs0"}, "lun": {"name": "/vol/vol1/d1"}, "igroup": {"name": "ig1"}}),
        )),
        StatusCode::CREATED
    );
    let (code, reply) = cinder.invoke(
        reqwest::Method::DELETE,
        "/storage/luns/",
        &[
            ("name", "/vol/vol1/d1"),
            ("svm", "vs1"),
            ("allow_delete_while_mapped", "true"),
        ],
        None,
        false,
    );
    assert_eq!((code, reply), (StatusCode::OK, json!({"num_records": 0})));
    let (code, reply) = cinder.invoke(
        reqwest::Method::DELETE,
        "/storage/luns/",
        &[("name", "/vol/vol1/d1"), ("svm", "vs0")],
        None,
        true,
    );
    assert_eq!(code, StatusCode::BAD_REQUEST, "mapped: {reply}");
    assert_eq!(reply["error"]["code"], "5374875");
    let (code, reply) = cinder.invoke(
        reqwest::Method::DELETE,
        "/storage/luns/",
        &[
            ("name", "/vol/vol1/d1"),
            ("svm", "vs0"),
            ("allow_delete_while_mapped", "true"),
        ],
        None,
        true,
    );
    assert_eq!((code, reply), (StatusCode::OK, json!({"num_records": 1})));
    assert_eq!(sim.json("/api/protocols/san/lun-maps")["num_records"], 0);
    // cancel_lun_copy's form, and alternatives.
    let r = sim.delete(
        "/api/storage/luns?name=/vol/vol1/d2|/vol/vol1/nope&svm.name=vs0&return_records=false",
    );
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().unwrap(), json!({"num_records": 1}));
    let names = sim.json("/api/storage/luns?fields=name")["records"].clone();
    assert_eq!(names.as_array().unwrap().len(), 1);
    assert_eq!(names[0]["name"], "/vol/vol1/keep");
    // A query naming nothing to match is refused.
    assert_eq!(
        sim.delete("/api/storage/luns?allow_delete_while_mapped=true")
            .status(),
        StatusCode::BAD_REQUEST
    );

    // Snapshots: cinder's delete_snapshot and rename_snapshot, a job each.
    let vol = sim.json("/api/storage/volumes?name=vol1")["records"][0]["uuid"]
        .as_str()
        .unwrap()
        .to_string();
    for name in ["s1", "s2"] {
        let job = sim.wait_job(sim.post(
            &format!("/api/storage/volumes/{vol}/snapshots"),
            json!({"name": name}),
        ));
        assert_eq!(job["state"], "success");
    }
    let s2 =
        sim.json(&format!("/api/storage/volumes/{vol}/snapshots?name=s2"))["records"][0]["uuid"]
            .as_str()
            .unwrap()
            .to_string();
    let (code, job) = cinder.send(
        reqwest::Method::PATCH,
        &format!("/storage/volumes/{vol}/snapshots/{s2}"),
        &[],
        json!({"name": "deleted_cinder_s2"}),
    );
    assert_eq!(
        (code, job["state"].as_str()),
        (StatusCode::OK, Some("success")),
        "{job}"
    );
    let (code, job) = cinder.send(
        reqwest::Method::DELETE,
        &format!("/storage/volumes/{vol}/snapshots?name=s1"),
        &[],
        json!({}),
    );
    assert_eq!(
        (code, job["state"].as_str()),
        (StatusCode::OK, Some("success")),
        "{job}"
    );
    let snaps = sim.json(&format!("/api/storage/volumes/{vol}/snapshots"));
    assert_eq!(snaps["num_records"], 1);
    assert_eq!(snaps["records"][0]["name"], "deleted_cinder_s2");
    // A filter with alternatives: a job per match, all of them in `jobs`.
    let r = sim.delete(&format!(
        "/api/storage/volumes/{vol}/snapshots?name=deleted_cinder_*|nope"
    ));
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let reply: Value = r.json().unwrap();
    assert_eq!(reply["num_records"], 1);
    assert_eq!(reply["jobs"].as_array().unwrap().len(), 1);

    // Volumes: enable_volume_dedupe_async (with its `fields=`), then a delete with
    // return_timeout that answers once every job is done.
    let (code, _) = cinder.invoke(
        reqwest::Method::PATCH,
        "/storage/volumes/",
        &[("name", "vol2"), ("fields", "uuid,style")],
        Some(json!({"efficiency": {"dedupe": "background"}})),
        true,
    );
    assert_eq!(code, StatusCode::ACCEPTED);
    let deadline = Instant::now() + Duration::from_secs(10);
    while sim.json("/api/storage/volumes?name=vol2&fields=efficiency")["records"][0]["efficiency"]["dedupe"]
        != "background"
    {
        assert!(Instant::now() < deadline, "the dedupe job never ran");
        std::thread::sleep(Duration::from_millis(10));
    }
    for name in ["t1", "t2"] {
        let job = sim.wait_job(sim.post(
            "/api/storage/volumes",
            json!({"name": name, "svm": {"name": "vs0"}, "size": GIB, "guarantee": {"type": "none"}}),
        ));
        assert_eq!(job["state"], "success");
    }
    let r = sim.delete("/api/storage/volumes?name=t*&svm.name=vs0&return_timeout=10");
    assert_eq!(r.status(), StatusCode::OK);
    let reply: Value = r.json().unwrap();
    assert_eq!(reply["num_records"], 2, "{reply}");
    assert_eq!(sim.json("/api/storage/volumes?name=t*")["num_records"], 0);

    // igroups, LUN maps and export policies, synchronous.
    let r = sim.send(
        reqwest::Method::PATCH,
        "/api/protocols/san/igroups?svm=vs0&name=ig1",
        Some(json!({"comment": "renamed by query", "name": "ig2"})),
    );
    assert_eq!(r.json::<Value>().unwrap(), json!({"num_records": 1}));
    assert_eq!(
        sim.json("/api/protocols/san/igroups?name=ig2&fields=comment")["records"][0]["comment"],
        "renamed by query"
    );
    assert_eq!(
        status(sim.post(
            "/api/protocols/san/lun-maps",
            json!({"svm": {"name": "vs0"}, "lun": {"name": "/vol/vol1/keep"}, "igroup": {"name": "ig2"}}),
        )),
        StatusCode::CREATED
    );
    let r = sim.delete("/api/protocols/san/lun-maps?lun.name=/vol/vol1/keep&igroup.name=ig2");
    assert_eq!(r.json::<Value>().unwrap(), json!({"num_records": 1}));
    let r = sim.delete("/api/protocols/san/igroups?name=ig*");
    assert_eq!(r.json::<Value>().unwrap(), json!({"num_records": 1}));
    assert_eq!(
        status(sim.post(
            "/api/protocols/nfs/export-policies",
            json!({"name": "gone", "svm": {"name": "vs0"}}),
        )),
        StatusCode::CREATED
    );
    let r = sim.delete("/api/protocols/nfs/export-policies?name=gone&svm.name=vs0");
    assert_eq!(r.json::<Value>().unwrap(), json!({"num_records": 1}));
    assert_eq!(
        sim.json("/api/protocols/nfs/export-policies?name=gone")["num_records"],
        0
    );
}
