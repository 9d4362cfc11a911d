//! The real `lsm-arraysim --vendor nexenta` binary, spoken to over HTTPS
//! as OpenStack's NexentaStor 5 drivers speak to NEF: login, bearer token,
//! `data`/`links` paging, 202 + `/jobStatus`, the error body.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::blocking::{Client, Response};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const USER: &str = "admin";
const PASSWORD: &str = "Nexenta@1";
const GIB: u64 = 1 << 30;

/// A running simulator, stopped (SIGTERM, then SIGKILL) when dropped.
struct Sim {
    child: Option<Child>,
    base: String,
    client: Client,
    token: Mutex<String>,
}

impl Sim {
    fn start(state: &Path, extra: &[&str]) -> Sim {
        let (child, base, client) = common::launch("nexenta", state, extra);
        let sim = Sim {
            child: Some(child),
            base,
            client,
            token: Mutex::new(String::new()),
        };
        sim.login();
        sim
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn login_with(&self, user: &str, password: &str) -> Response {
        self.client
            .post(self.url("/auth/login"))
            .json(&json!({"username": user, "password": password}))
            .send()
            .unwrap()
    }

    fn login(&self) {
        let r = self.login_with(USER, PASSWORD);
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().unwrap();
        *self.token.lock().unwrap() = body["token"].as_str().unwrap().to_string();
    }

    fn send(&self, method: Method, path: &str, body: Option<Value>) -> Response {
        let token = self.token.lock().unwrap().clone();
        let mut req = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().unwrap()
    }

    fn get(&self, path: &str) -> Response {
        self.send(Method::GET, path, None)
    }

    fn json(&self, path: &str) -> Value {
        let r = self.get(path);
        assert_eq!(r.status(), StatusCode::OK, "GET {path}");
        r.json().unwrap()
    }

    /// A collection's `data`, following `next` links as the drivers do.
    fn all(&self, path: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut next = Some(path.to_string());
        while let Some(p) = next.take() {
            let body = self.json(&p);
            out.extend(body["data"].as_array().unwrap().iter().cloned());
            next = body["links"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["rel"] == "next")
                .map(|l| l["href"].as_str().unwrap().to_string());
        }
        out
    }

    fn post(&self, path: &str, body: Value) -> Response {
        self.send(Method::POST, path, Some(body))
    }

    fn put(&self, path: &str, body: Value) -> Response {
        self.send(Method::PUT, path, Some(body))
    }

    fn delete(&self, path: &str) -> Response {
        self.send(Method::DELETE, path, None)
    }

    /// Moves the simulator's clock on (`POST /_arraysim/clock`, no auth).
    fn advance_clock(&self, by: Duration) {
        let r = self
            .client
            .post(self.url("/_arraysim/clock"))
            .json(&json!({"advance_ms": by.as_millis() as u64}))
            .send()
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }

    /// Ends the steps of every job started so far (`POST /_arraysim/jobs/finish`): they
    /// run to their end at once, whatever `--job-ms` says.
    fn finish_jobs(&self) {
        let r = self
            .client
            .post(self.url("/_arraysim/jobs/finish"))
            .send()
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }

    /// Follow a 202's monitor link until the job ends (its steps released first): its
    /// final status and body. The loop polls a job that is already ending, as a client
    /// polls its monitor link; it waits on no step time.
    fn wait_job(&self, reply: Response) -> (StatusCode, Value) {
        assert_eq!(reply.status(), StatusCode::ACCEPTED);
        let location = reply
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        let body: Value = reply.json().unwrap();
        let link = &body["links"][0];
        assert_eq!(link["rel"], "monitor");
        let href = link["href"].as_str().unwrap().to_string();
        assert!(href.starts_with("/jobStatus/"), "{href}");
        assert_eq!(location.as_deref(), Some(href.as_str()));
        self.finish_jobs();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let r = self.get(&href);
            if r.status() != StatusCode::ACCEPTED {
                let status = r.status();
                let text = r.text().unwrap();
                let v = if text.is_empty() {
                    Value::Null
                } else {
                    serde_json::from_str(&text).unwrap()
                };
                return (status, v);
            }
            assert!(Instant::now() < deadline, "job never finished");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// An async call that must succeed.
    fn done(&self, reply: Response) {
        let (status, body) = self.wait_job(reply);
        assert!(status.is_success(), "job failed: {status} {body}");
    }

    fn stop(&mut self) {
        assert!(common::stop(self.child.take().unwrap()).success());
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

/// Assert a NEF error reply: status, `code`, and the body's other keys.
fn assert_error(r: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(r.status(), status);
    let body: Value = r.json().unwrap();
    assert_error_body(&body, code);
    body
}

fn assert_error_body(body: &Value, code: &str) {
    assert_eq!(body["code"], code, "{body}");
    assert!(body["name"].is_string(), "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

fn enc(path: &str) -> String {
    path.replace('/', "%2F").replace('@', "%40")
}

fn zvol(sim: &Sim, path: &str, size: u64, sparse: bool) {
    sim.done(sim.post(
        "/storage/volumes",
        json!({"path": path, "volumeSize": size, "volumeBlockSize": 32768,
               "sparseVolume": sparse, "compressionMode": "lz4"}),
    ));
}

#[test]
fn login_token_expiry_and_relogin() {
    let (_d, dir) = state();
    // An hour, as a real token: it expires when the test moves the clock on.
    let sim = Sim::start(&dir, &["--token-ttl-ms", "3600000"]);
    // Bad password: 401 EAUTH, no token.
    let body = assert_error(
        sim.login_with(USER, "wrong"),
        StatusCode::UNAUTHORIZED,
        "EAUTH",
    );
    assert!(body.get("token").is_none());
    // Bad login bodies are validation errors.
    let r = sim
        .client
        .post(sim.url("/auth/login"))
        .body("{not json")
        .send()
        .unwrap();
    assert_error(r, StatusCode::BAD_REQUEST, "EBADARG");
    // No token, a Basic header, a made-up token: EAUTH.
    let r = sim.client.get(sim.url("/storage/pools")).send().unwrap();
    assert_error(r, StatusCode::UNAUTHORIZED, "EAUTH");
    let r = sim
        .client
        .get(sim.url("/storage/pools"))
        .basic_auth(USER, Some(PASSWORD))
        .send()
        .unwrap();
    assert_error(r, StatusCode::UNAUTHORIZED, "EAUTH");
    let r = sim
        .client
        .get(sim.url("/storage/pools"))
        .bearer_auth("bogus")
        .send()
        .unwrap();
    assert_error(r, StatusCode::UNAUTHORIZED, "EAUTH");
    // The login reply says how long the token lives.
    let login: Value = sim.login_with(USER, PASSWORD).json().unwrap();
    assert_eq!(login["tokenTtlMs"], 3_600_000);
    assert_eq!(login["token"].as_str().unwrap().len(), 32);
    // A fresh token works until it expires, then EAUTH; a new login works.
    sim.login();
    assert_eq!(sim.get("/storage/pools").status(), StatusCode::OK);
    sim.advance_clock(Duration::from_secs(3590));
    assert_eq!(
        sim.get("/storage/pools").status(),
        StatusCode::OK,
        "not yet"
    );
    sim.advance_clock(Duration::from_secs(10));
    let body = assert_error(sim.get("/storage/pools"), StatusCode::UNAUTHORIZED, "EAUTH");
    assert!(body["message"].as_str().unwrap().contains("expired"));
    sim.login();
    assert_eq!(sim.get("/storage/pools").status(), StatusCode::OK);
    // Logout ends the token.
    assert_eq!(sim.post("/auth/logout", json!({})).status(), StatusCode::OK);
    assert_error(sim.get("/storage/pools"), StatusCode::UNAUTHORIZED, "EAUTH");
}

#[test]
fn reply_shapes_the_drivers_read() {
    let (_d, dir) = state();
    let sim = Sim::start(&dir, &[]);
    // NefProxy.update_lock: the system GUID.
    let guid = sim.json("/settings/properties/system.guid");
    assert_eq!(guid["value"].as_str().unwrap().len(), 32);
    assert_eq!(
        sim.json("/settings/properties/system.version")["value"],
        "5.3.0"
    );
    let license = sim.json("/settings/license");
    assert_eq!(license["valid"], true);
    assert!(license["expires"].is_string());
    // check_for_setup_error: services online.
    assert_eq!(sim.json("/services/iscsit")["state"], "online");
    assert_eq!(sim.json("/services/nfs")["state"], "online");
    assert_eq!(sim.json("/services/smb")["state"], "disabled");
    // Pools with ZFS health.
    let pools = sim.all("/storage/pools?fields=poolName,health,status");
    assert_eq!(pools.len(), 2);
    assert_eq!(pools[0]["poolName"], "pool1");
    assert_eq!(pools[0]["health"], "ONLINE");
    assert!(pools[0]["status"]["config"]["children"].is_array());
    assert_eq!(pools[0].as_object().unwrap().len(), 3);
    let pool = sim.json("/storage/pools/pool1");
    assert_eq!(pool["bytesTotal"], 2u64 << 40);
    // Disks.
    let disks = sim.all("/inventory/disks");
    assert_eq!(disks.len(), 8);
    assert!(disks.iter().all(|d| d["sizeBytes"].is_u64()));
    // iSCSI: the volume group's capacity, target group, target and portals.
    let vg = sim.json("/storage/volumeGroups/pool1%2Fiscsi?fields=bytesAvailable,bytesUsed");
    assert_eq!(vg.as_object().unwrap().len(), 2);
    assert_eq!(
        vg["bytesAvailable"].as_u64().unwrap() + vg["bytesUsed"].as_u64().unwrap(),
        2u64 << 40
    );
    let tgs = sim.all("/san/targetgroups?name=tg1");
    assert_eq!(tgs.len(), 1);
    let target_name = tgs[0]["members"][0].as_str().unwrap().to_string();
    let targets = sim.all(&format!("/san/iscsi/targets?name={target_name}"));
    assert_eq!(targets.len(), 1);
    let portals = targets[0]["portals"].as_array().unwrap();
    assert_eq!(portals.len(), 2);
    assert!(portals[0]["address"].is_string());
    assert_eq!(portals[0]["port"], 3260);
    assert_eq!(targets[0]["chapSecretSet"], false);
    // _get_host_addresses: "ip/prefix".
    let addrs = sim.all("/network/addresses");
    assert!(
        addrs
            .iter()
            .all(|a| a["address"].as_str().unwrap().contains('/'))
    );
    // NFS: the parent filesystem, mounted and shared.
    let fs = sim.json("/storage/filesystems/pool1%2Fnfs");
    assert_eq!(fs["mountPoint"], "/pool1/nfs");
    assert_eq!(fs["isMounted"], true);
    assert_eq!(fs["nonBlockingMandatoryMode"], false);
    assert_eq!(fs["smartCompression"], false);
    assert_eq!(fs["sharedOverNfs"], true);
    assert!(fs["referencedQuotaSize"].is_u64());
    assert!(fs["bytesUsedBySelf"].is_u64());
    assert!(fs["bytesReferenced"].is_u64());
    assert_eq!(sim.json("/nas/nfs/pool1%2Fnfs")["shareState"], "online");
    // No HA cluster.
    assert_eq!(sim.all("/rsf/clusters").len(), 0);
}

#[test]
fn paging_fields_and_filters() {
    let (_d, dir) = state();
    let sim = Sim::start(&dir, &[]);
    for i in 0..5 {
        let r = sim.post(
            "/san/hostgroups",
            json!({"name": format!("hg{i}"), "members": [format!("iqn.1994-05.com.redhat:h{i}")]}),
        );
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    // Pages of 2: self + next links, offsets carried along.
    let page = sim.json("/san/hostgroups?limit=2&fields=name");
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    assert_eq!(page["data"][0], json!({"name": "hg0"}));
    let next = page["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .unwrap()["href"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        next.contains("offset=2") && next.contains("limit=2"),
        "{next}"
    );
    assert_eq!(sim.all("/san/hostgroups?limit=2").len(), 5);
    let last = sim.json("/san/hostgroups?limit=2&offset=4");
    assert_eq!(last["data"].as_array().unwrap().len(), 1);
    assert!(
        last["links"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["rel"] != "next")
    );
    // Equality filters, on scalars and on list members; no match is 200 [].
    assert_eq!(sim.all("/san/hostgroups?name=hg3").len(), 1);
    assert_eq!(
        sim.all("/san/hostgroups?members=iqn.1994-05.com.redhat:h2")[0]["name"],
        "hg2"
    );
    assert_eq!(sim.all("/san/hostgroups?name=nope").len(), 0);
    // parent= includes the parent itself for filesystems.
    let fss = sim.all("/storage/filesystems?parent=pool1&fields=path");
    let paths: Vec<&str> = fss.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, vec!["pool1", "pool1/nfs"]);
    // Bad paging values.
    assert_error(
        sim.get("/san/hostgroups?limit=abc"),
        StatusCode::BAD_REQUEST,
        "EBADARG",
    );
}

#[test]
fn zvols_snapshots_clones_promote_and_rollback() {
    let (_d, dir) = state();
    let sim = Sim::start(&dir, &[]);
    zvol(&sim, "pool1/iscsi/v1", GIB, true);
    let v = sim.json("/storage/volumes/pool1%2Fiscsi%2Fv1");
    assert_eq!(v["volumeSize"], GIB);
    assert_eq!(v["sparseVolume"], true);
    assert_eq!(v["volumeBlockSize"], 32768);
    assert_eq!(v["bytesUsed"], 0);
    assert!(v["guid"].is_u64());
    // Duplicate create: EEXIST through the job.
    let (status, body) = sim.wait_job(sim.post(
        "/storage/volumes",
        json!({"path": "pool1/iscsi/v1", "volumeSize": GIB}),
    ));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error_body(&body, "EEXIST");
    // The logical unit's GUID.
    let lus = sim.all("/san/logicalUnits?volume=pool1/iscsi/v1&fields=guid");
    let guid = lus[0]["guid"].as_str().unwrap().to_string();
    assert_eq!(guid.len(), 32);
    assert!(guid.starts_with("600144F0"));
    assert_eq!(
        sim.put(
            &format!("/san/logicalUnits/{guid}"),
            json!({"writebackCacheDisabled": false})
        )
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        sim.json(&format!("/san/logicalUnits/{guid}"))["writebackCacheDisabled"],
        false
    );
    // Resize.
    assert_eq!(
        sim.put(
            "/storage/volumes/pool1%2Fiscsi%2Fv1",
            json!({"volumeSize": 2 * GIB})
        )
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        sim.json("/storage/volumes/pool1%2Fiscsi%2Fv1")["volumeSize"],
        2 * GIB
    );
    // Snapshots: creationTxg a string, creationTime, clones.
    for s in ["s1", "s2"] {
        let r = sim.post(
            "/storage/snapshots",
            json!({"path": format!("pool1/iscsi/v1@{s}")}),
        );
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    assert_error(
        sim.post("/storage/snapshots", json!({"path": "pool1/iscsi/v1@s1"})),
        StatusCode::BAD_REQUEST,
        "EEXIST",
    );
    let snaps = sim.all("/storage/snapshots?parent=pool1/iscsi/v1&fields=path");
    assert_eq!(snaps.len(), 2);
    let s1 = sim.json("/storage/snapshots/pool1%2Fiscsi%2Fv1%40s1?fields=clones,creationTxg");
    assert_eq!(s1["clones"], json!([]));
    let txg1: u64 = s1["creationTxg"].as_str().unwrap().parse().unwrap();
    let s2 = sim.json(&format!("/storage/snapshots/{}", enc("pool1/iscsi/v1@s2")));
    assert!(s2["creationTxg"].as_str().unwrap().parse::<u64>().unwrap() > txg1);
    assert!(s2["creationTime"].as_str().unwrap().ends_with('Z'));
    assert_eq!(s2["parent"], "pool1/iscsi/v1");
    // Recursive listing from the group.
    assert_eq!(
        sim.all("/storage/snapshots?parent=pool1/iscsi&recursive=true")
            .len(),
        2
    );
    assert_eq!(sim.all("/storage/snapshots?parent=pool1/iscsi").len(), 0);
    // Clone s1.
    sim.done(sim.post(
        &format!("/storage/snapshots/{}/clone", enc("pool1/iscsi/v1@s1")),
        json!({"targetPath": "pool1/iscsi/c1"}),
    ));
    let c1 = sim.json("/storage/volumes/pool1%2Fiscsi%2Fc1");
    assert_eq!(c1["originalSnapshot"], "pool1/iscsi/v1@s1");
    assert_eq!(
        sim.json("/storage/snapshots/pool1%2Fiscsi%2Fv1%40s1")["clones"],
        json!(["pool1/iscsi/c1"])
    );
    // The snapshot and its volume cannot go while the clone depends on them.
    assert_error(
        sim.delete("/storage/snapshots/pool1%2Fiscsi%2Fv1%40s1"),
        StatusCode::BAD_REQUEST,
        "EEXIST",
    );
    let (status, body) =
        sim.wait_job(sim.delete("/storage/volumes/pool1%2Fiscsi%2Fv1?snapshots=true"));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error_body(&body, "EEXIST");
    // Rollback to s1 drops s2.
    sim.done(sim.post(
        "/storage/volumes/pool1%2Fiscsi%2Fv1/rollback",
        json!({"snapshot": "s1"}),
    ));
    assert_eq!(sim.all("/storage/snapshots?parent=pool1/iscsi/v1").len(), 1);
    // Promote the clone: s1 moves to it, the origin becomes its clone.
    sim.done(sim.post("/storage/volumes/pool1%2Fiscsi%2Fc1/promote", json!({})));
    assert_eq!(
        sim.json("/storage/volumes/pool1%2Fiscsi%2Fc1")["originalSnapshot"],
        ""
    );
    assert_eq!(
        sim.json("/storage/volumes/pool1%2Fiscsi%2Fv1")["originalSnapshot"],
        "pool1/iscsi/c1@s1"
    );
    assert_eq!(
        sim.json("/storage/snapshots/pool1%2Fiscsi%2Fc1%40s1")["clones"],
        json!(["pool1/iscsi/v1"])
    );
    // Now the old origin goes, and with it nothing of the clone's.
    sim.done(sim.delete("/storage/volumes/pool1%2Fiscsi%2Fv1?snapshots=true"));
    assert_error(
        sim.get("/storage/volumes/pool1%2Fiscsi%2Fv1"),
        StatusCode::NOT_FOUND,
        "ENOENT",
    );
    assert_eq!(
        sim.json("/storage/snapshots/pool1%2Fiscsi%2Fc1%40s1")["clones"],
        json!([])
    );
    // Rename the clone; its snapshot and LU follow.
    assert_eq!(
        sim.post(
            "/storage/volumes/pool1%2Fiscsi%2Fc1/rename",
            json!({"newPath": "pool1/iscsi/c2"})
        )
        .status(),
        StatusCode::OK
    );
    assert_eq!(sim.all("/storage/snapshots?parent=pool1/iscsi/c2").len(), 1);
    assert_eq!(sim.all("/san/logicalUnits?volume=pool1/iscsi/c2").len(), 1);
    // A deferred destroy of a snapshot with a clone keeps it until the clone goes.
    sim.done(sim.post(
        &format!("/storage/snapshots/{}/clone", enc("pool1/iscsi/c2@s1")),
        json!({"targetPath": "pool1/iscsi/c3"}),
    ));
    assert_eq!(
        sim.delete("/storage/snapshots/pool1%2Fiscsi%2Fc2%40s1?defer=true")
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        sim.json("/storage/snapshots/pool1%2Fiscsi%2Fc2%40s1")["deferDestroy"],
        true
    );
    sim.done(sim.delete("/storage/volumes/pool1%2Fiscsi%2Fc3"));
    assert_error(
        sim.get("/storage/snapshots/pool1%2Fiscsi%2Fc2%40s1"),
        StatusCode::NOT_FOUND,
        "ENOENT",
    );
    // A delete of something missing answers ENOENT at once.
    assert_error(
        sim.delete("/storage/volumes/pool1%2Fiscsi%2Fnope"),
        StatusCode::NOT_FOUND,
        "ENOENT",
    );
}

#[test]
fn filesystems_space_and_nfs_shares() {
    let (_d, dir) = state();
    let sim = Sim::start(&dir, &[]);
    // A thick filesystem under the parent: quota and reservation.
    sim.done(sim.post(
        "/storage/filesystems",
        json!({"path": "pool1/nfs/share1", "referencedQuotaSize": 10 * GIB,
               "referencedReservationSize": 10 * GIB, "recordSize": 131072,
               "compressionMode": "lz4", "nonBlockingMandatoryMode": false}),
    ));
    let fs = sim.json("/storage/filesystems/pool1%2Fnfs%2Fshare1");
    assert_eq!(fs["referencedQuotaSize"], 10 * GIB);
    assert_eq!(fs["referencedReservationSize"], 10 * GIB);
    assert_eq!(fs["bytesUsed"], 10 * GIB);
    assert_eq!(fs["bytesAvailable"], 10 * GIB);
    assert_eq!(fs["mountPoint"], "/pool1/nfs/share1");
    assert_eq!(fs["sharedOverNfs"], false);
    let parent = sim.json("/storage/filesystems/pool1%2Fnfs?fields=bytesAvailable,bytesUsed");
    assert_eq!(parent["bytesUsed"], 10 * GIB);
    assert_eq!(parent["bytesAvailable"], (2u64 << 40) - 10 * GIB);
    // A thick zvol bigger than the pool's free space: ENOSPC.
    let (status, body) = sim.wait_job(sim.post(
        "/storage/volumes",
        json!({"path": "pool1/iscsi/huge", "volumeSize": 4u64 << 40, "sparseVolume": false}),
    ));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error_body(&body, "ENOSPC");
    // ... while a thin one fits.
    zvol(&sim, "pool1/iscsi/huge", 4u64 << 40, true);
    // Growing the reservation beyond free space: ENOSPC at once.
    assert_error(
        sim.put(
            "/storage/filesystems/pool1%2Fnfs%2Fshare1",
            json!({"referencedReservationSize": 3u64 << 40}),
        ),
        StatusCode::BAD_REQUEST,
        "ENOSPC",
    );
    // A filesystem in a volume group is refused.
    let (status, body) =
        sim.wait_job(sim.post("/storage/filesystems", json!({"path": "pool1/iscsi/fs"})));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error_body(&body, "EBADARG");
    // NFS share with security contexts.
    let contexts = json!([{"securityModes": ["sys"],
        "readWriteList": [{"etype": "network", "entity": "10.0.0.0", "mask": 24, "allow": true}],
        "readOnlyList": [{"etype": "fqdn", "entity": "client.example.com", "allow": true}]}]);
    let r = sim.post(
        "/nas/nfs",
        json!({"filesystem": "pool1/nfs/share1", "anon": "root", "securityContexts": contexts}),
    );
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_error(
        sim.post("/nas/nfs", json!({"filesystem": "pool1/nfs/share1"})),
        StatusCode::BAD_REQUEST,
        "EEXIST",
    );
    assert_eq!(
        sim.json("/storage/filesystems/pool1%2Fnfs%2Fshare1?fields=sharedOverNfs"),
        json!({"sharedOverNfs": true})
    );
    let shares = sim.all("/nas/nfs?filesystem=pool1/nfs/share1");
    assert_eq!(shares.len(), 1);
    assert_eq!(shares[0]["securityContexts"], contexts);
    assert_eq!(shares[0]["anon"], "root");
    assert_error(
        sim.put(
            "/nas/nfs/pool1%2Fnfs%2Fshare1",
            json!({"securityContexts": [{"readWriteList": [{"etype": "bogus", "entity": "x"}]}]}),
        ),
        StatusCode::BAD_REQUEST,
        "EBADARG",
    );
    let only_ro = json!([{"securityModes": ["sys"],
        "readOnlyList": [{"etype": "network", "entity": "10.1.0.0", "mask": 16, "allow": true}]}]);
    assert_eq!(
        sim.put(
            "/nas/nfs/pool1%2Fnfs%2Fshare1",
            json!({"securityContexts": only_ro})
        )
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        sim.json("/nas/nfs/pool1%2Fnfs%2Fshare1")["securityContexts"],
        only_ro
    );
    assert_eq!(
        sim.delete("/nas/nfs/pool1%2Fnfs%2Fshare1").status(),
        StatusCode::OK
    );
    assert_eq!(
        sim.json("/storage/filesystems/pool1%2Fnfs%2Fshare1")["sharedOverNfs"],
        false
    );
    // Unmount/mount, ACL, rollback by name, rename.
    assert_eq!(
        sim.post(
            "/storage/filesystems/pool1%2Fnfs%2Fshare1/unmount",
            json!({})
        )
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        sim.json("/storage/filesystems/pool1%2Fnfs%2Fshare1")["isMounted"],
        false
    );
    assert_eq!(
        sim.post(
            "/storage/filesystems/pool1%2Fnfs%2Fshare1/acl",
            json!({"type": "allow", "principal": "everyone@",
                   "flags": ["file_inherit", "dir_inherit"], "permissions": ["full_set"]})
        )
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        sim.post(
            "/storage/snapshots",
            json!({"path": "pool1/nfs/share1@snap"})
        )
        .status(),
        StatusCode::CREATED
    );
    sim.done(sim.post(
        "/storage/filesystems/pool1%2Fnfs%2Fshare1/rollback",
        json!({"snapshot": "snap"}),
    ));
    // Without snapshots=true a filesystem with snapshots stays.
    let (status, body) = sim.wait_job(sim.delete("/storage/filesystems/pool1%2Fnfs%2Fshare1"));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error_body(&body, "EEXIST");
    sim.done(sim.delete("/storage/filesystems/pool1%2Fnfs%2Fshare1?force=true&snapshots=true"));
    assert_eq!(
        sim.json("/storage/filesystems/pool1%2Fnfs?fields=bytesUsed")["bytesUsed"],
        0
    );
}

/// By default a new mapping is listed at once, with its LUN: a client that re-lists it
/// right after its 201 (cinder does, to read the LUN number) finds it.
#[test]
fn a_new_mapping_is_listed_at_once_by_default() {
    let (_d, dir) = state();
    let sim = Sim::start(&dir, &[]);
    zvol(&sim, "pool1/iscsi/v1", GIB, true);
    let body = json!({"volume": "pool1/iscsi/v1", "hostGroup": "all", "targetGroup": "tg1"});
    assert_eq!(
        sim.post("/san/lunMappings", body).status(),
        StatusCode::CREATED
    );
    let maps = sim.all("/san/lunMappings?volume=pool1/iscsi/v1&fields=id,lun,hostGroup");
    assert_eq!(maps.len(), 1, "{maps:?}");
    assert_eq!(maps[0]["lun"], 0);
    assert_eq!(maps[0]["hostGroup"], "all");
    let id = maps[0]["id"].as_str().unwrap();
    assert_eq!(
        sim.delete(&format!("/san/lunMappings/{id}")).status(),
        StatusCode::OK
    );
    assert!(sim.all("/san/lunMappings?volume=pool1/iscsi/v1").is_empty());
}

#[test]
fn host_groups_targets_and_delayed_mappings() {
    let (_d, dir) = state();
    // A slow appliance: a new mapping shows an hour (of the simulator's clock) later.
    const DELAY: Duration = Duration::from_secs(3600);
    // Tokens of a day, so the test's token outlives the hours it moves the clock on.
    let sim = Sim::start(
        &dir,
        &[
            "--mapping-delay-ms",
            "3600000",
            "--token-ttl-ms",
            "86400000",
        ],
    );
    zvol(&sim, "pool1/iscsi/v1", GIB, false);
    zvol(&sim, "pool1/iscsi/v2", GIB, true);
    let hg = json!({"name": "hg1", "members": ["iqn.1994-05.com.redhat:client1"]});
    assert_eq!(
        sim.post("/san/hostgroups", hg.clone()).status(),
        StatusCode::CREATED
    );
    assert_error(
        sim.post("/san/hostgroups", hg),
        StatusCode::BAD_REQUEST,
        "EEXIST",
    );
    assert_error(
        sim.post(
            "/san/hostgroups",
            json!({"name": "hg2", "members": ["not-an-iqn"]}),
        ),
        StatusCode::BAD_REQUEST,
        "EBADARG",
    );
    assert_eq!(
        sim.put(
            "/san/hostgroups/hg1",
            json!({"members": ["iqn.1994-05.com.redhat:client1", "iqn.1994-05.com.redhat:client2"]})
        )
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        sim.json("/san/hostgroups/hg1")["members"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // A mapping shows only after the delay, with a server-chosen lun and id.
    let body = json!({"volume": "pool1/iscsi/v1", "hostGroup": "hg1", "targetGroup": "tg1"});
    assert_eq!(
        sim.post("/san/lunMappings", body.clone()).status(),
        StatusCode::CREATED
    );
    let early = sim.all("/san/lunMappings?volume=pool1/iscsi/v1");
    assert!(early.is_empty(), "{early:?}");
    // Hidden, it is still a duplicate.
    assert_error(
        sim.post("/san/lunMappings", body.clone()),
        StatusCode::BAD_REQUEST,
        "EEXIST",
    );
    sim.advance_clock(DELAY);
    let maps = sim
        .all("/san/lunMappings?volume=pool1/iscsi/v1&fields=id,volume,targetGroup,hostGroup,lun");
    assert_eq!(maps.len(), 1);
    assert_eq!(maps[0]["lun"], 0);
    assert_eq!(maps[0]["hostGroup"], "hg1");
    assert_eq!(maps[0]["targetGroup"], "tg1");
    let id = maps[0]["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 24);
    assert_error(
        sim.post("/san/lunMappings", body),
        StatusCode::BAD_REQUEST,
        "EEXIST",
    );
    assert_eq!(
        sim.post(
            "/san/lunMappings",
            json!({"volume": "pool1/iscsi/v2", "hostGroup": "hg1", "targetGroup": "tg1"})
        )
        .status(),
        StatusCode::CREATED
    );
    sim.advance_clock(DELAY);
    assert_eq!(
        sim.all("/san/lunMappings?volume=pool1/iscsi/v2")[0]["lun"],
        1
    );
    assert_eq!(sim.all("/san/lunMappings?targetGroup=tg1").len(), 2);
    // The special group of every initiator: any case in, `all` out (cinder
    // compares with `all`); its view overlaps hg1's, so the next LUN is 2.
    assert_eq!(
        sim.post(
            "/san/lunMappings",
            json!({"volume": "pool1/iscsi/v2", "hostGroup": "All", "targetGroup": "tg1"})
        )
        .status(),
        StatusCode::CREATED
    );
    sim.advance_clock(DELAY);
    let all = sim.all("/san/lunMappings?hostGroup=all");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["lun"], 2);
    assert_eq!(
        sim.delete(&format!(
            "/san/lunMappings/{}",
            all[0]["id"].as_str().unwrap()
        ))
        .status(),
        StatusCode::OK
    );
    assert_error(
        sim.post(
            "/san/lunMappings",
            json!({"volume": "pool1/iscsi/nope", "hostGroup": "hg1", "targetGroup": "tg1"}),
        ),
        StatusCode::NOT_FOUND,
        "ENOENT",
    );
    // Mapped things stay.
    assert_error(
        sim.delete("/san/hostgroups/hg1"),
        StatusCode::BAD_REQUEST,
        "EBUSY",
    );
    let (status, body) = sim.wait_job(sim.delete("/storage/volumes/pool1%2Fiscsi%2Fv1"));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error_body(&body, "EBUSY");
    assert_eq!(
        sim.delete(&format!("/san/lunMappings/{id}")).status(),
        StatusCode::OK
    );
    assert_error(
        sim.get(&format!("/san/lunMappings/{id}")),
        StatusCode::NOT_FOUND,
        "ENOENT",
    );
    sim.done(sim.delete("/storage/volumes/pool1%2Fiscsi%2Fv1"));
    // Targets: CHAP secrets are written, never read back.
    let r = sim.post(
        "/san/iscsi/targets",
        json!({"name": "iqn.2005-07.com.nexenta:01:t2",
               "portals": [{"address": "192.168.20.11", "port": 3260}],
               "authentication": "chap", "chapUser": "u1", "chapSecret": "s3cretS3cret!"}),
    );
    assert_eq!(r.status(), StatusCode::CREATED);
    let t = sim.json("/san/iscsi/targets/iqn.2005-07.com.nexenta:01:t2");
    assert_eq!(t["authentication"], "chap");
    assert_eq!(t["chapUser"], "u1");
    assert_eq!(t["chapSecretSet"], true);
    let listing = sim.json("/san/iscsi/targets").to_string();
    assert!(!listing.contains("s3cretS3cret!"));
    assert!(t.get("chapSecret").is_none());
    assert_error(
        sim.put(
            "/san/iscsi/targets/iqn.2005-07.com.nexenta:01:t2",
            json!({"chapSecret": "short"}),
        ),
        StatusCode::BAD_REQUEST,
        "EBADARG",
    );
    assert_eq!(
        sim.put(
            "/san/targetgroups/tg1",
            json!({"members": ["iqn.2010-08.org.illumos:02:nexentastor-sim", "iqn.2005-07.com.nexenta:01:t2"]})
        )
        .status(),
        StatusCode::OK
    );
    assert_error(
        sim.delete("/san/iscsi/targets/iqn.2005-07.com.nexenta:01:t2"),
        StatusCode::BAD_REQUEST,
        "EBUSY",
    );
    // Remote initiators with CHAP.
    assert_eq!(
        sim.post(
            "/san/iscsi/remoteInitiators",
            json!({"name": "iqn.1994-05.com.redhat:client1", "chapUser": "c1", "chapSecret": "initiatorSecret1"})
        )
        .status(),
        StatusCode::CREATED
    );
    let ri = sim.all("/san/iscsi/remoteInitiators");
    assert_eq!(ri[0]["chapSecretSet"], true);
    assert!(
        !serde_json::to_string(&ri)
            .unwrap()
            .contains("initiatorSecret1")
    );
}

#[test]
fn jobs_progress_busy_and_injected_failure() {
    let (_d, dir) = state();
    let sim = Sim::start(
        &dir,
        &[
            // Steps of an hour: a job stays in progress until the test moves it on.
            "--job-ms",
            "3600000",
            "--token-ttl-ms",
            "86400000",
            "--fault",
            "/storage/filesystems:job=failure:count=1:method=POST",
        ],
    );
    let r = sim.post(
        "/storage/volumes",
        json!({"path": "pool1/iscsi/v1", "volumeSize": GIB}),
    );
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let href = r.json::<Value>().unwrap()["links"][0]["href"]
        .as_str()
        .unwrap()
        .to_string();
    // Running: 202 with the monitor link again; the dataset is busy.
    let running = sim.get(&href);
    assert_eq!(running.status(), StatusCode::ACCEPTED);
    assert_eq!(
        running.json::<Value>().unwrap()["links"][0]["href"],
        href.as_str()
    );
    assert_error(
        sim.post("/storage/snapshots", json!({"path": "pool1/iscsi/v1@s"})),
        StatusCode::INTERNAL_SERVER_ERROR,
        "EBUSY",
    );
    // An hour later the job runs; another, and it is done.
    sim.advance_clock(Duration::from_secs(3600));
    assert_eq!(sim.get(&href).status(), StatusCode::ACCEPTED, "running");
    sim.advance_clock(Duration::from_secs(3600));
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        let r = sim.get(&href);
        if r.status() != StatusCode::ACCEPTED {
            break r.status();
        }
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        sim.json("/storage/volumes/pool1%2Fiscsi%2Fv1")["volumeSize"],
        GIB
    );
    // job=failure: the job fails, nothing is created.
    let (status, body) =
        sim.wait_job(sim.post("/storage/filesystems", json!({"path": "pool1/nfs/f1"})));
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_error_body(&body, "EIO");
    assert_error(
        sim.get("/storage/filesystems/pool1%2Fnfs%2Ff1"),
        StatusCode::NOT_FOUND,
        "ENOENT",
    );
    // An unknown job.
    assert_error(sim.get("/jobStatus/nope"), StatusCode::NOT_FOUND, "ENOENT");
}

#[test]
fn errors_have_the_nef_body() {
    let (_d, dir) = state();
    let sim = Sim::start(&dir, &[]);
    assert_error(sim.get("/no/such/path"), StatusCode::NOT_FOUND, "ENOENT");
    // Unencoded slashes are not a dataset key.
    assert_error(
        sim.get("/storage/filesystems/pool1/nfs"),
        StatusCode::NOT_FOUND,
        "ENOENT",
    );
    assert_error(
        sim.send(Method::PATCH, "/storage/pools", Some(json!({}))),
        StatusCode::METHOD_NOT_ALLOWED,
        "ENOTSUP",
    );
    let r = sim
        .client
        .post(sim.url("/storage/volumes"))
        .bearer_auth(sim.token.lock().unwrap().clone())
        .body("{\"path\": ")
        .send()
        .unwrap();
    assert_error(r, StatusCode::BAD_REQUEST, "EBADARG");
    let body = assert_error(
        sim.post(
            "/storage/volumes",
            json!({"path": "pool1/iscsi/v", "volumeSize": "ten"}),
        ),
        StatusCode::BAD_REQUEST,
        "EBADARG",
    );
    assert_eq!(body["name"], "ValidationError");
    assert_error(
        sim.post("/storage/volumes", json!({"volumeSize": GIB})),
        StatusCode::BAD_REQUEST,
        "EBADARG",
    );
    assert_error(
        sim.post(
            "/storage/volumes",
            json!({"path": "pool1/iscsi/v", "volumeSize": GIB, "volumeBlockSize": 1000}),
        ),
        StatusCode::BAD_REQUEST,
        "EBADARG",
    );
    assert_error(
        sim.post("/storage/volumes", json!([1, 2])),
        StatusCode::BAD_REQUEST,
        "EBADARG",
    );
    assert_error(
        sim.post("/storage/filesystems", json!({"path": "pool1/bad@name"})),
        StatusCode::BAD_REQUEST,
        "EBADARG",
    );
    assert_error(
        sim.get("/storage/volumes/pool1%2Fiscsi%2Fnope"),
        StatusCode::NOT_FOUND,
        "ENOENT",
    );
    assert_error(
        sim.get("/storage/snapshots?parent=pool1&recursive=maybe"),
        StatusCode::BAD_REQUEST,
        "EBADARG",
    );
    // A volume whose parent is missing: ENOENT from the job.
    let (status, body) = sim.wait_job(sim.post(
        "/storage/volumes",
        json!({"path": "pool1/nogroup/v", "volumeSize": GIB}),
    ));
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error_body(&body, "ENOENT");
}

#[test]
fn state_survives_a_restart_tokens_do_not() {
    let (_d, dir) = state();
    let mut sim = Sim::start(&dir, &[]);
    let guid = sim.json("/settings/properties/system.guid")["value"].clone();
    zvol(&sim, "pool1/iscsi/keep", GIB, false);
    assert_eq!(
        sim.post(
            "/san/hostgroups",
            json!({"name": "hg", "members": ["iqn.1994-05.com.redhat:a"]})
        )
        .status(),
        StatusCode::CREATED
    );
    let old_token = sim.token.lock().unwrap().clone();
    sim.stop();
    assert!(dir.join("nexenta.json").is_file());
    let sim = Sim::start(&dir, &[]);
    assert_eq!(sim.json("/settings/properties/system.guid")["value"], guid);
    assert_eq!(
        sim.json("/storage/volumes/pool1%2Fiscsi%2Fkeep")["volumeSize"],
        GIB
    );
    assert_eq!(sim.all("/san/hostgroups?name=hg").len(), 1);
    let r = sim
        .client
        .get(sim.url("/storage/pools"))
        .bearer_auth(old_token)
        .send()
        .unwrap();
    assert_error(r, StatusCode::UNAUTHORIZED, "EAUTH");
}

#[test]
fn faults_on_nexenta_paths() {
    let (_d, dir) = state();
    let sim = Sim::start(&dir, &["--fault", "/storage/pools*:status=500:count=2"]);
    // A 500 fault is the retryable EBUSY, twice, then the real answer.
    for _ in 0..2 {
        assert_error(
            sim.get("/storage/pools"),
            StatusCode::INTERNAL_SERVER_ERROR,
            "EBUSY",
        );
    }
    assert_eq!(sim.get("/storage/pools").status(), StatusCode::OK);
    // Faults come before auth, and the admin endpoint adds more.
    let admin = sim
        .client
        .post(sim.url("/_arraysim/faults"))
        .json(&json!({"specs": ["/san/hostgroups:status=404:count=1", "/auth/login:latency=200:count=1"]}))
        .send()
        .unwrap();
    assert_eq!(admin.status(), StatusCode::CREATED);
    assert_error(sim.get("/san/hostgroups"), StatusCode::NOT_FOUND, "ENOENT");
    assert_eq!(sim.get("/san/hostgroups").status(), StatusCode::OK);
    let started = Instant::now();
    sim.login();
    assert!(started.elapsed() >= Duration::from_millis(200));
    let stats: Value = sim
        .client
        .get(sim.url("/_arraysim/stats"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(stats["requests"]["GET /storage/pools"], 3);
    assert_eq!(stats["requests"]["POST /auth/login"], 2);
}

#[test]
fn a_foreign_state_file_is_refused_and_kept() {
    let (_d, dir) = state();
    let file = dir.join("nexenta.json");
    std::fs::write(&file, b"{\"version\": 1, \"something\": \"else\"}").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_lsm-arraysim"))
        .args(["--vendor", "nexenta", "--listen", "127.0.0.1:0", "--state"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nexenta.json"));
    assert_eq!(
        std::fs::read(&file).unwrap(),
        b"{\"version\": 1, \"something\": \"else\"}"
    );
}

#[test]
fn hpr_copies_a_dataset_locally() {
    let (_d, dir) = state();
    let sim = Sim::start(
        &dir,
        &[
            "--job-ms",
            "3600000",
            "--fault",
            "/hpr/failing/start:job=failure",
        ],
    );
    sim.login();
    zvol(&sim, "pool1/iscsi/src", GIB, false);
    let service = json!({"name": "copy1", "sourceDataset": "pool1/iscsi/src",
        "destinationDataset": "pool1/iscsi/dst", "type": "scheduled", "sendShareNfs": false});
    assert_eq!(
        sim.post("/hpr", service.clone()).status(),
        StatusCode::CREATED
    );
    assert_error(sim.post("/hpr", service), StatusCode::BAD_REQUEST, "EEXIST");
    assert_eq!(sim.json("/hpr/copy1")["state"], "disabled");
    assert_eq!(
        sim.post("/hpr/copy1/start", json!({})).status(),
        StatusCode::OK
    );
    assert_eq!(sim.json("/hpr/copy1")["state"], "enabled", "running");
    assert_error(sim.delete("/hpr/copy1"), StatusCode::BAD_REQUEST, "EBUSY");
    sim.finish_jobs();
    let deadline = Instant::now() + Duration::from_secs(10);
    while sim.json("/hpr/copy1")["state"] == "enabled" {
        assert!(Instant::now() < deadline, "the copy never ended");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(sim.json("/hpr/copy1")["state"], "disabled");
    let copy = sim.json("/storage/volumes/pool1%2Fiscsi%2Fdst");
    assert_eq!(copy["volumeSize"], GIB);
    assert_eq!(copy["sparseVolume"], false);
    assert_eq!(copy["originalSnapshot"], "", "a copy, not a clone");
    let units = sim.all("/san/logicalUnits?volume=pool1/iscsi/dst");
    assert_eq!(units.len(), 1, "the copy has its logical unit");
    assert_eq!(
        sim.delete("/hpr/copy1?destroySourceSnapshots=true")
            .status(),
        StatusCode::OK
    );
    assert_error(sim.get("/hpr/copy1"), StatusCode::NOT_FOUND, "ENOENT");

    // A failed run is `faulted` and makes nothing.
    assert_eq!(
        sim.post(
            "/hpr",
            json!({"name": "failing", "sourceDataset": "pool1/iscsi/src",
                   "destinationDataset": "pool1/iscsi/never"})
        )
        .status(),
        StatusCode::CREATED
    );
    assert_eq!(
        sim.post("/hpr/failing/start", json!({})).status(),
        StatusCode::OK
    );
    sim.finish_jobs();
    let deadline = Instant::now() + Duration::from_secs(10);
    while sim.json("/hpr/failing")["state"] == "enabled" {
        assert!(Instant::now() < deadline, "the run never ended");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(sim.json("/hpr/failing")["state"], "faulted");
    assert_error(
        sim.get("/storage/volumes/pool1%2Fiscsi%2Fnever"),
        StatusCode::NOT_FOUND,
        "ENOENT",
    );
    // Only local copies.
    assert_error(
        sim.post(
            "/hpr",
            json!({"name": "remote", "sourceDataset": "pool1/iscsi/src",
                   "destinationDataset": "pool2/x", "remoteNode": {"host": "10.0.0.9", "port": 8443}})
        ),
        StatusCode::BAD_REQUEST,
        "EBADARG",
    );
}

/// The admin API's clock, session and job controls: a `job_ms=` fault makes one job slow
/// (steps of an hour of the simulator's clock) while the clock stands; moving the clock on
/// by two steps ends it; `DELETE /_arraysim/sessions` ends every token.
#[test]
fn the_admin_clock_ends_slow_jobs_and_sessions() {
    let (_d, dir) = state();
    let sim = Sim::start(&dir, &["--token-ttl-ms", "86400000"]);
    let admin = |method: Method, what: &str, body: Option<Value>| {
        let mut request = sim
            .client
            .request(method, sim.url(&format!("/_arraysim/{what}")));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let r = request.send().unwrap();
        (r.status(), r.json::<Value>().unwrap())
    };
    let (status, clock) = admin(Method::GET, "clock", None);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(clock["offset_ms"], 0);
    // A job without the fault is not held (made first: the helper ends the job steps
    // waiting when it is called).
    zvol(&sim, "pool1/iscsi/fast", GIB, true);
    let (status, _) = admin(
        Method::POST,
        "faults",
        Some(json!({"spec": "/storage/volumes:job_ms=3600000:count=1:method=POST"})),
    );
    assert_eq!(status, StatusCode::CREATED);
    let r = sim.post(
        "/storage/volumes",
        json!({"path": "pool1/iscsi/slow", "volumeSize": GIB}),
    );
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let href = r.json::<Value>().unwrap()["links"][0]["href"]
        .as_str()
        .unwrap()
        .to_string();
    sim.advance_clock(Duration::from_secs(3590));
    assert_eq!(
        sim.get(&href).status(),
        StatusCode::ACCEPTED,
        "an hour a step"
    );
    let (status, clock) = admin(
        Method::POST,
        "clock",
        Some(json!({"advance_ms": 3_610_000})),
    );
    assert_eq!(status, StatusCode::OK);
    assert_eq!(clock["offset_ms"], 7_200_000);
    let deadline = Instant::now() + Duration::from_secs(10);
    while sim.get(&href).status() == StatusCode::ACCEPTED {
        assert!(Instant::now() < deadline, "the job outlived its two steps");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(
        sim.json("/storage/volumes/pool1%2Fiscsi%2Fslow")["volumeSize"],
        GIB
    );
    let (status, refused) = admin(Method::POST, "clock", Some(json!({"advance_ms": -1})));
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    // Every token ends at once.
    let (status, ended) = admin(Method::DELETE, "sessions", None);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ended["ended"], 1);
    assert_error(sim.get("/storage/pools"), StatusCode::UNAUTHORIZED, "EAUTH");
    sim.login();
    assert_eq!(sim.get("/storage/pools").status(), StatusCode::OK);
}
