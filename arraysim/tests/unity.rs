//! The real `lsm-arraysim --vendor unity` binary, spoken to over HTTPS as a
//! Unity client (storops, an lsm plugin) would: Basic auth once, then the
//! session cookie and `EMC-CSRF-TOKEN`. Reply shapes are compared with
//! replies storops 1.2.12 captured from real arrays (`fixtures/unity/`).

mod common;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::{Value, json};

const USER: &str = "admin";
/// Unity's factory default, the simulator's default.
const PASSWORD: &str = "Password123!";
const GIB: u64 = 1 << 30;

struct Sim {
    child: Option<Child>,
    base: String,
    client: Client,
    cookie: RefCell<Option<String>>,
    token: RefCell<Option<String>>,
}

impl Sim {
    fn start(state: &Path, extra: &[&str]) -> Sim {
        let (child, base, client) = common::launch("unity", state, extra);
        Sim {
            child: Some(child),
            base,
            client,
            cookie: RefCell::new(None),
            token: RefCell::new(None),
        }
    }

    /// Started and logged in.
    fn session(state: &Path, extra: &[&str]) -> Sim {
        let sim = Sim::start(state, extra);
        sim.login();
        sim
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request with `X-EMC-REST-CLIENT` and the session cookie (if any).
    fn req(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        let mut r = self
            .client
            .request(method, self.url(path))
            .header("X-EMC-REST-CLIENT", "true")
            .header("Accept", "application/json");
        if let Some(c) = self.cookie.borrow().as_ref() {
            r = r.header("Cookie", format!("mod_sec_emc={c}"));
        }
        r
    }

    fn login(&self) {
        let r = self
            .req(
                reqwest::Method::GET,
                "/api/types/loginSessionInfo/instances",
            )
            .basic_auth(USER, Some(PASSWORD))
            .send()
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let token = r
            .headers()
            .get("emc-csrf-token")
            .expect("EMC-CSRF-TOKEN on the login reply")
            .to_str()
            .unwrap()
            .to_string();
        let cookie = r
            .headers()
            .get("set-cookie")
            .expect("a session cookie")
            .to_str()
            .unwrap()
            .to_string();
        let value = cookie
            .split(';')
            .next()
            .and_then(|c| c.strip_prefix("mod_sec_emc="))
            .unwrap_or_else(|| panic!("cookie {cookie:?}"))
            .to_string();
        *self.cookie.borrow_mut() = Some(value);
        *self.token.borrow_mut() = Some(token);
    }

    fn send(r: RequestBuilder) -> (StatusCode, Value) {
        let resp: Response = r.send().unwrap();
        let status = resp.status();
        let text = resp.text().unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
        };
        (status, body)
    }

    fn get(&self, path: &str) -> (StatusCode, Value) {
        Sim::send(self.req(reqwest::Method::GET, path))
    }

    /// GET that must answer 200.
    fn json(&self, path: &str) -> Value {
        let (s, v) = self.get(path);
        assert_eq!(s, StatusCode::OK, "GET {path}: {v}");
        v
    }

    fn with_token(&self, r: RequestBuilder) -> RequestBuilder {
        match self.token.borrow().as_ref() {
            Some(t) => r.header("EMC-CSRF-TOKEN", t.clone()),
            None => r,
        }
    }

    fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .with_token(self.req(reqwest::Method::POST, path))
            .json(&body);
        Sim::send(r)
    }

    fn delete(&self, path: &str) -> (StatusCode, Value) {
        Sim::send(self.with_token(self.req(reqwest::Method::DELETE, path)))
    }

    fn stop(&mut self) {
        if let Some(child) = self.child.take() {
            common::terminate(child, Duration::from_secs(10));
        }
    }

    fn create_lun(&self, name: &str, size: u64, thin: bool) -> String {
        let (s, v) = self.post(
            "/api/types/storageResource/action/createLun",
            json!({"name": name, "lunParameters": {"pool": {"id": "pool_1"}, "size": size, "isThinEnabled": thin}}),
        );
        assert_eq!(s, StatusCode::OK, "createLun {name}: {v}");
        v["content"]["storageResource"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn create_host(&self, name: &str) -> String {
        let (s, v) = self.post(
            "/api/types/host/instances",
            json!({"type": 1, "name": name, "description": "", "osType": "Linux"}),
        );
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["content"]["id"].as_str().unwrap().to_string()
    }

    fn create_fs(&self, name: &str, size: u64, extra: Value) -> String {
        let mut body = json!({"name": name, "fsParameters": {"pool": {"id": "pool_1"},
            "nasServer": {"id": "nas_1"}, "size": size, "supportedProtocols": 0, "isThinEnabled": true}});
        if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
            b.extend(e);
        }
        let (s, v) = self.post("/api/types/storageResource/action/createFilesystem", body);
        assert_eq!(s, StatusCode::OK, "createFilesystem {name}: {v}");
        v["content"]["storageResource"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn create_snap(&self, sr: &str, name: &str) -> String {
        let (s, v) = self.post(
            "/api/types/snap/instances",
            json!({"storageResource": {"id": sr}, "name": name}),
        );
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["content"]["id"].as_str().unwrap().to_string()
    }

    /// The record `kind/id` with `fields`.
    fn record(&self, kind: &str, id: &str, fields: &str) -> Value {
        self.json(&format!(
            "/api/instances/{kind}/{id}?compact=true&fields={fields}"
        ))["content"]
            .clone()
    }

    /// The contents of a collection.
    fn contents(&self, path_and_query: &str) -> Vec<Value> {
        self.json(path_and_query)["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["content"].clone())
            .collect()
    }

    /// A call to the admin API (no session, no auth): its status.
    fn admin(&self, path: &str, body: Value) -> StatusCode {
        self.client
            .post(self.url(&format!("/_arraysim/{path}")))
            .json(&body)
            .send()
            .unwrap()
            .status()
    }

    /// Moves the simulator's clock on.
    fn advance_clock(&self, by: Duration) {
        let advance = json!({"advance_ms": by.as_millis() as u64});
        assert_eq!(self.admin("clock", advance), StatusCode::OK);
    }

    /// The job's final record, its steps ended first (`POST /_arraysim/jobs/finish`): the
    /// loop polls a job that is already ending; it waits on no step time.
    fn wait_job(&self, id: &str) -> Value {
        assert_eq!(self.admin("jobs/finish", json!({})), StatusCode::OK);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let job = self.record(
                "job",
                id,
                "state,progressPct,tasks,messageOut,parametersOut,methodName,description,affectedResource",
            );
            if ![1, 2].contains(&job["state"].as_u64().unwrap()) {
                return job;
            }
            assert!(Instant::now() < deadline, "job {id} never finished");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.stop();
    }
}

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/unity")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every key of `captured` is in `mine` with a value of the same JSON type
/// (recursively; lists compare their first elements); `null` in the
/// capture matches anything; `allowed_missing` are dotted paths `mine`
/// may lack.
fn shape_errors(
    captured: &Value,
    mine: &Value,
    path: &str,
    allowed: &[&str],
    out: &mut Vec<String>,
) {
    match (captured, mine) {
        (Value::Null, _) => {}
        (Value::Object(c), Value::Object(m)) => {
            for (k, cv) in c {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match m.get(k) {
                    Some(mv) => shape_errors(cv, mv, &p, allowed, out),
                    None if allowed.contains(&p.as_str()) => {}
                    None => out.push(format!("missing {p} ({})", kind(cv))),
                }
            }
        }
        (Value::Array(c), Value::Array(m)) => {
            if let (Some(c0), Some(m0)) = (c.first(), m.first()) {
                shape_errors(c0, m0, &format!("{path}[]"), allowed, out);
            }
        }
        (c, m) if kind(c) != kind(m) => out.push(format!(
            "{path}: captured {} ({c}), got {} ({m})",
            kind(c),
            kind(m)
        )),
        _ => {}
    }
}

fn assert_shape(name: &str, mine: &Value, allowed: &[&str]) {
    let captured = fixture(name);
    let mut errors = Vec::new();
    shape_errors(&captured, mine, "", allowed, &mut errors);
    assert!(
        errors.is_empty(),
        "{name}: shape differs:\n  {}\nmine: {mine}",
        errors.join("\n  ")
    );
}

/// The `fields=` that asks for everything a captured `content` shows
/// (references with more than an id ask for those fields dotted).
fn fields_of(content: &Value) -> String {
    let mut fields = Vec::new();
    for (k, v) in content.as_object().unwrap() {
        fields.push(k.clone());
        if let Value::Object(m) = v
            && m.contains_key("id")
        {
            for sub in m.keys().filter(|s| *s != "id") {
                fields.push(format!("{k}.{sub}"));
            }
        }
    }
    fields.join(",")
}

/// GET `kind/id` with the fields of fixture `name` and compare shapes.
fn compare_instance(sim: &Sim, name: &str, kind_: &str, id: &str, allowed: &[&str]) {
    let captured = fixture(name);
    let fields = fields_of(&captured["content"]);
    let mine = sim.json(&format!(
        "/api/instances/{kind_}/{id}?compact=true&fields={fields}"
    ));
    assert_shape(name, &mine, allowed);
}

fn error_code(v: &Value) -> u64 {
    v["error"]["errorCode"]
        .as_u64()
        .unwrap_or_else(|| panic!("not an error body: {v}"))
}

#[test]
fn basic_system_info_needs_no_auth_and_the_rest_does() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(dir.path(), &[]);
    // No auth, no X-EMC-REST-CLIENT header.
    let r = sim
        .client
        .get(sim.url(
            "/api/types/basicSystemInfo/instances?compact=true&fields=apiVersion,earliestApiVersion,id,model,name,softwareVersion",
        ))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().unwrap();
    assert_shape("basicSystemInfo/all.json", &v, &[]);
    assert_eq!(v["entries"][0]["content"]["model"], "Unity 500");
    // Anything else needs a login.
    let (s, v) = sim.get("/api/types/lun/instances");
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(v["error"]["httpStatusCode"], 401);
    assert_shape("error/404.json", &v, &[]);
    // A wrong password too.
    let (s, _) = Sim::send(
        sim.req(reqwest::Method::GET, "/api/types/lun/instances")
            .basic_auth(USER, Some("wrong")),
    );
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // The right password without X-EMC-REST-CLIENT is refused.
    let r = sim
        .client
        .get(sim.url("/api/types/pool/instances"))
        .basic_auth(USER, Some(PASSWORD))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[test]
fn login_cookie_and_csrf_token() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(dir.path(), &[]);
    // Basic auth without a session: the POST is refused (no token can
    // match a session opened by this very request) but a session opens.
    let (s, v) = Sim::send(
        sim.req(reqwest::Method::POST, "/api/types/host/instances")
            .basic_auth(USER, Some(PASSWORD))
            .json(&json!({"type": 1, "name": "h"})),
    );
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    sim.login();
    // The cookie alone authenticates GETs.
    let v = sim.json("/api/types/pool/instances?compact=true&fields=name");
    assert_eq!(v["entries"].as_array().unwrap().len(), 2);
    // POST with the cookie but no token: 401 with the error body.
    let (s, v) = Sim::send(
        sim.req(reqwest::Method::POST, "/api/types/host/instances")
            .json(&json!({"type": 1, "name": "h"})),
    );
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(v["error"]["httpStatusCode"], 401);
    // A wrong token: the same; DELETE as well.
    let (s, _) = Sim::send(
        sim.req(reqwest::Method::POST, "/api/types/host/instances")
            .header("EMC-CSRF-TOKEN", "nope")
            .json(&json!({"type": 1, "name": "h"})),
    );
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = Sim::send(sim.req(reqwest::Method::DELETE, "/api/instances/host/Host_1"));
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(
        sim.contents("/api/types/host/instances?compact=true")
            .is_empty()
    );
    // With the token: done.
    let host = sim.create_host("h");
    assert_eq!(host, "Host_1");
    // Every reply repeats the session's token.
    let r = sim
        .req(reqwest::Method::GET, "/api/types/user/instances")
        .send()
        .unwrap();
    assert_eq!(
        r.headers().get("emc-csrf-token").unwrap().to_str().unwrap(),
        sim.token.borrow().as_deref().unwrap()
    );
    // Logout ends the session: the cookie no longer works.
    let (s, _) = sim.post("/api/types/loginSessionInfo/action/logout", json!({}));
    assert_eq!(s, StatusCode::OK);
    let (s, _) = sim.get("/api/types/pool/instances");
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[test]
fn replies_have_the_shapes_real_arrays_gave() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::session(dir.path(), &[]);
    let host = sim.create_host("h1");
    let (s, v) = sim.post(
        "/api/types/hostInitiator/instances",
        json!({"host": {"id": host}, "initiatorType": 2,
               "initiatorWWNorIqn": "iqn.1993-08.org.debian:01:a4f95ed14d65",
               "chapUser": "chapuser", "chapSecret": "0123456789abcd"}),
    );
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = sim.post(
        "/api/types/hostInitiator/instances",
        json!({"host": {"id": host}, "initiatorType": 1,
               "initiatorWWNorIqn": "50:00:14:40:47:B0:0C:44:50:00:14:42:D0:0C:44:10"}),
    );
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = sim.post(
        "/api/types/storageResource/action/createLun",
        json!({"name": "l1", "description": "sample",
               "lunParameters": {"pool": {"id": "pool_1"}, "size": 10 * GIB,
                                 "isThinEnabled": true,
                                 "hostAccess": [{"host": {"id": host}, "accessMask": 1}]}}),
    );
    assert_eq!(s, StatusCode::OK);
    assert_shape("storageResource/create_lun_sv2.json", &v, &[]);
    let lun = v["content"]["storageResource"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = sim.create_fs(
        "fs1",
        5 * GIB,
        json!({"nfsShareCreate": [{"name": "share1", "path": "/", "nfsShareParameters": {
            "defaultAccess": 3, "description": "bcd", "anonymousUID": 10011, "anonymousGID": 10012,
            "noAccessHostsString": "10.0.0.9", "readOnlyHostsString": "10.0.0.8",
            "readWriteHostsString": "10.0.0.1,10.0.0.2", "readOnlyRootHostsString": "10.0.0.7",
            "readWriteRootHostsString": "10.0.0.6"}}]}),
    );
    let snap = sim.create_snap(&lun, "s1");

    compare_instance(&sim, "lun/sv_2.json", "lun", &lun, &[]);
    compare_instance(&sim, "pool/pool_1.json", "pool", "pool_1", &[]);
    compare_instance(&sim, "host/host_10.json", "host", &host, &[]);
    compare_instance(
        &sim,
        "hostInitiator/initiator_3.json",
        "hostInitiator",
        "HostInitiator_1",
        &[],
    );
    compare_instance(
        &sim,
        "hostInitiator/initiator_1.json",
        "hostInitiator",
        "HostInitiator_2",
        &[],
    );
    compare_instance(
        &sim,
        "hostLUN/hostlun_1.json",
        "hostLUN",
        &format!("{host}_{lun}_prod"),
        &[],
    );
    compare_instance(
        &sim,
        "storageResource/sv_2.json",
        "storageResource",
        &lun,
        &[],
    );
    compare_instance(
        &sim,
        "storageResource/res_3.json",
        "storageResource",
        &res,
        &[],
    );
    compare_instance(&sim, "filesystem/fs_1.json", "filesystem", "fs_1", &[]);
    compare_instance(
        &sim,
        "nfsShare/NFSShare_1.json",
        "nfsShare",
        "NFSShare_1",
        &[],
    );
    // A NAS server without CIFS, DNS, antivirus or interface preferences
    // has none of those references.
    compare_instance(
        &sim,
        "nasServer/nas_1.json",
        "nasServer",
        "nas_1",
        &[
            "content.cifsServer",
            "content.fileDNSServer",
            "content.preferredInterfaceSettings",
            "content.virusChecker",
        ],
    );
    compare_instance(
        &sim,
        "fileInterface/if_16.json",
        "fileInterface",
        "if_3",
        &[],
    );
    compare_instance(&sim, "iscsiPortal/if_4.json", "iscsiPortal", "if_1", &[]);
    compare_instance(
        &sim,
        "iscsiNode/iscsinode_spb_eth3.json",
        "iscsiNode",
        "iscsinode_spb_eth2",
        &[],
    );
    compare_instance(&sim, "fcPort/spa_fc4.json", "fcPort", "spa_fc4", &[]);
    compare_instance(
        &sim,
        "ethernetPort/spa_eth3.json",
        "ethernetPort",
        "spa_eth3",
        &[],
    );
    compare_instance(
        &sim,
        "disk/dae_0_1_disk_0.json",
        "disk",
        "dae_0_1_disk_0",
        &[],
    );
    compare_instance(
        &sim,
        "storageProcessor/spa.json",
        "storageProcessor",
        "spa",
        &[],
    );
    // An OK system has no resolutions to offer.
    compare_instance(
        &sim,
        "system/0.json",
        "system",
        "0",
        &["content.health.resolutionIds", "content.health.resolutions"],
    );

    // A filtered collection.
    let captured = fixture("snap/38654705785.json");
    let fields = fields_of(&captured["entries"][0]["content"]);
    let v = sim.json(&format!(
        "/api/types/snap/instances?filter=name%20eq%20%22s1%22&fields={fields}&per_page=2000&compact=true"
    ));
    assert_shape("snap/38654705785.json", &v, &[]);
    assert_eq!(v["entries"].as_array().unwrap().len(), 1);

    // Actions with output.
    let (s, v) = sim.post(
        &format!("/api/instances/snap/{snap}/action/copy"),
        json!({"copyName": "s1_copy"}),
    );
    assert_eq!(s, StatusCode::OK);
    assert_shape("snap/copy_38654705785.json", &v, &[]);
    let (s, v) = sim.post(
        &format!("/api/instances/snap/{snap}/action/restore"),
        json!({"copyName": "s1_backup"}),
    );
    assert_eq!(s, StatusCode::OK);
    assert_shape("snap/restore_with_backup.json", &v, &[]);

    // Errors.
    let (s, v) = sim.get("/api/instances/lun/sv_999");
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_shape("error/404.json", &v, &[]);
    assert_eq!(
        v,
        json!({"error": {"errorCode": 131149829, "httpStatusCode": 404,
        "messages": [{"en-US": "The requested resource does not exist. (Error Code:0x7d13005)"}],
        "created": v["error"]["created"].clone()}})
    );
    let (s, v) = sim.post(
        &format!("/api/instances/storageResource/{lun}/action/modifyLun"),
        json!({"lunParameters": {"size": GIB}}),
    );
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_shape("storageResource/does_not_support_shrink.json", &v, &[]);
    assert_eq!(error_code(&v), 108007728);
    let (s, v) = sim.post(
        "/api/types/storageResource/action/createLun",
        json!({"name": "l1", "lunParameters": {"pool": {"id": "pool_1"}, "size": GIB}}),
    );
    assert_eq!(s, StatusCode::CONFLICT);
    assert_shape("storageResource/lun_name_in_use.json", &v, &[]);
    assert_eq!(error_code(&v), 108007744);
    let (s, v) = sim.post(
        &format!("/api/instances/storageResource/{res}/action/modifyFilesystem"),
        json!({"nfsShareCreate": [{"name": "share1", "path": "/"}]}),
    );
    assert_eq!(s, StatusCode::CONFLICT);
    assert_shape("storageResource/nfs_share_name_exists.json", &v, &[]);
    assert_eq!(error_code(&v), 151036164);

    // An asynchronous delete: 202 with the job, then the finished job.
    let doomed = sim.create_lun("doomed", GIB, true);
    let (s, v) = sim.delete(&format!(
        "/api/instances/storageResource/{doomed}?timeout=0"
    ));
    assert_eq!(s, StatusCode::ACCEPTED);
    assert_shape("storageResource/sv_1535_async.json", &v, &[]);
    let id = v["id"].as_str().unwrap().to_string();
    sim.wait_job(&id);
    compare_instance(&sim, "job/N-3078.json", "job", &id, &[]);
}

#[test]
fn fields_return_only_what_was_asked() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::session(dir.path(), &[]);
    // No fields: the id alone.
    for c in sim.contents("/api/types/pool/instances?compact=true") {
        assert_eq!(c.as_object().unwrap().len(), 1, "{c}");
        assert!(c["id"].is_string());
    }
    let c = &sim.contents("/api/types/disk/instances?compact=true&fields=name,size,pool.name,tierType&filter=id%20eq%20%22dpe_disk_0%22")[0];
    let mut keys: Vec<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["id", "name", "pool", "size", "tierType"]);
    assert_eq!(c["pool"], json!({"id": "pool_1", "name": "flash_pool"}));
    assert!(c["tierType"].is_u64());
    // Several levels: portal → node name, node → port → SP.
    let p = sim.record(
        "iscsiPortal",
        "if_2",
        "ipAddress,iscsiNode.name,ethernetPort.storageProcessor.id",
    );
    assert_eq!(p["ipAddress"], "192.168.10.11");
    assert!(
        p["iscsiNode"]["name"]
            .as_str()
            .unwrap()
            .starts_with("iqn.1992-04.com.emc:cx.")
    );
    assert_eq!(p["ethernetPort"]["storageProcessor"]["id"], "spb");
    // Non-compact replies carry the full envelope.
    let v = sim.json("/api/types/pool/instances?fields=name");
    assert_eq!(v["entryCount"], 2);
    assert!(
        v["@base"]
            .as_str()
            .unwrap()
            .contains("/api/types/pool/instances?fields=name")
    );
    assert_eq!(v["entries"][0]["links"][0]["href"], "/pool_1");
    assert!(v["entries"][0]["updated"].as_str().unwrap().ends_with('Z'));
    let v = sim.json("/api/instances/pool/pool_2?fields=name,sizeTotal");
    assert_eq!(
        v["content"],
        json!({"id": "pool_2", "name": "capacity_pool", "sizeTotal": 8u64 << 40})
    );
    // System health: an integer enum with descriptions.
    let sys = sim.record("system", "0", "name,model,serialNumber,health");
    assert_eq!(sys["health"]["value"], 5);
    assert!(sys["health"]["descriptions"][0].is_string());
    assert_eq!(sys["serialNumber"], "FNM00000000001");
    // By name.
    let v = sim.json("/api/instances/pool/name:capacity_pool?compact=true");
    assert_eq!(v["content"]["id"], "pool_2");
}

/// What storops asks of `GET /api/types/<t>` before any query whose fields it was not
/// given (`storops/unity/resource/type_resource.py`).
const STOROPS_TYPE_FIELDS: &str = "attributes.description,attributes.displayValue,\
    attributes.initialValue,attributes.name,attributes.type,description,documentation,name,type";

/// Every type the simulator serves.
const SERVED_TYPES: &[&str] = &[
    "basicSystemInfo",
    "system",
    "iscsiSettings",
    "user",
    "loginSessionInfo",
    "storageProcessor",
    "pool",
    "disk",
    "ethernetPort",
    "fcPort",
    "iscsiNode",
    "iscsiPortal",
    "nasServer",
    "fileInterface",
    "lun",
    "storageResource",
    "filesystem",
    "snap",
    "nfsShare",
    "host",
    "hostInitiator",
    "hostLUN",
    "job",
];

#[test]
fn type_metadata_as_storops_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::session(dir.path(), &[]);
    for kind in SERVED_TYPES {
        let v = sim.json(&format!(
            "/api/types/{kind}?compact=True&fields={STOROPS_TYPE_FIELDS}"
        ));
        let content = &v["content"];
        assert_eq!(content["name"], *kind, "{v}");
        assert!(!content["description"].as_str().unwrap().is_empty());
        assert!(
            content["documentation"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/apidocs/classes/{kind}.html")),
            "{content}"
        );
        let attributes = content["attributes"].as_array().unwrap();
        assert!(attributes.len() >= 3, "{kind}: {attributes:?}");
        let mut names = Vec::new();
        for a in attributes {
            let mut keys: Vec<&str> = a.as_object().unwrap().keys().map(String::as_str).collect();
            keys.sort();
            assert_eq!(keys, ["description", "displayValue", "name", "type"], "{a}");
            assert_eq!(a["displayValue"], a["name"]);
            assert!(!a["description"].as_str().unwrap().is_empty());
            names.push(a["name"].as_str().unwrap().to_string());
        }
        assert!(names.iter().any(|n| n == "id"), "{kind} has no id");
        // storops then asks every attribute the metadata listed: all are taken.
        names.sort();
        let (s, body) = sim.get(&format!(
            "/api/types/{kind}/instances?compact=True&fields={}",
            names.join(",")
        ));
        assert_eq!(s, StatusCode::OK, "{kind}: {body}");
        // And each record shows every attribute its type says it has, of its type.
        for entry in body["entries"].as_array().unwrap() {
            let problems = lsm_arraysim::unity::schema::record_problems(kind, &entry["content"]);
            assert!(problems.is_empty(), "{kind}: {problems:?}");
        }
    }
    // The shape of a reply captured from an array; the attributes it lists, with their
    // types, are all there, and the descriptions are the simulator's own words.
    let v = sim.json(&format!(
        "/api/types/lun?compact=True&fields={STOROPS_TYPE_FIELDS}"
    ));
    assert_shape("lun/type.json", &v, &[]);
    let captured = fixture("lun/type.json");
    let ours = v["content"]["attributes"].as_array().unwrap();
    for c in captured["content"]["attributes"].as_array().unwrap() {
        let mine = ours
            .iter()
            .find(|a| a["name"] == c["name"])
            .unwrap_or_else(|| panic!("lun metadata lacks {}", c["name"]));
        assert_eq!(mine["type"], c["type"], "{}", c["name"]);
        assert_ne!(mine["description"], c["description"], "{}", c["name"]);
    }
    assert_eq!(
        v["content"]["links"][0]["href"],
        format!("{}/api/types/lun/instances", sim.base)
    );
    // fields= choose what the content shows.
    let v = sim.json("/api/types/pool?compact=true&fields=name,attributes.name");
    assert_eq!(v["content"]["name"], "pool");
    assert!(v["content"].get("description").is_none());
    assert_eq!(
        v["content"]["attributes"][0].as_object().unwrap().len(),
        1,
        "{v}"
    );
    // Not compact: the envelope around it.
    let v = sim.json("/api/types/host?fields=name");
    assert_eq!(v["content"]["name"], "host");
    assert!(v["@base"].as_str().unwrap().ends_with("/api/types"));
    assert!(v["updated"].as_str().unwrap().ends_with('Z'));
    // A type the array does not have: 404 (storops: "not supported").
    let (s, v) = sim.get(&format!(
        "/api/types/frobnicator?compact=True&fields={STOROPS_TYPE_FIELDS}"
    ));
    assert_eq!((s, error_code(&v)), (StatusCode::NOT_FOUND, 131149829));
    // The metadata's own fields are checked too.
    let (s, v) = sim.get("/api/types/lun?compact=true&fields=attributes.nope");
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(error_code(&v), 131150085);
}

/// Unisphere's refusal of a `fields=` name (captured: `error/invalid_property.json`).
fn assert_invalid_property(status: StatusCode, v: &Value, field: &str) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_shape("error/invalid_property.json", v, &[]);
    assert_eq!(v["error"]["errorCode"], 131150085);
    assert_eq!(v["error"]["httpStatusCode"], 422);
    assert_eq!(
        v["error"]["messages"][0]["en-US"],
        format!("The fields list includes an invalid property [{field}]. (Error Code:0x7d13105)")
    );
}

/// Unisphere's refusal of a body (captured: `error/incorrect_request_body.json`).
fn assert_incorrect_body(status: StatusCode, v: &Value) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_shape("error/incorrect_request_body.json", v, &[]);
    assert_eq!(v["error"]["errorCode"], 131149877);
    assert_eq!(v["error"]["httpStatusCode"], 422);
    assert_eq!(
        v["error"]["messages"][0]["en-US"],
        fixture("error/incorrect_request_body.json")["error"]["messages"][0]["en-US"]
    );
}

#[test]
fn unknown_fields_unknown_arguments_and_wrong_types_get_the_arrays_errors() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::session(dir.path(), &[]);
    // fields= names: collections, instances, dotted paths, job records.
    let (s, v) = sim.get("/api/types/lun/instances?compact=true&fields=id,name,sizeTotl");
    assert_invalid_property(s, &v, "sizeTotl");
    let (s, v) = sim.get("/api/instances/pool/pool_1?fields=name,pool.name");
    assert_invalid_property(s, &v, "pool.name");
    let (s, v) = sim.get("/api/types/lun/instances?fields=pool.nmae");
    assert_invalid_property(s, &v, "pool.nmae");
    let (s, v) = sim.get("/api/types/job/instances?fields=state,progress");
    assert_invalid_property(s, &v, "progress");
    // What the arrays do have is taken, through references and embedded objects.
    sim.json("/api/types/lun/instances?fields=pool.raidType,hostAccess.host.name,health.value,familyBaseLun.name");
    // Filters and orders on attributes a type lacks (chosen: 400, as a bad filter).
    let (s, v) = sim.get("/api/types/lun/instances?fields=name&filter=nmae%20eq%20%22x%22");
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::BAD_REQUEST, 131149825),
        "{v}"
    );
    let (s, _) = sim.get("/api/types/lun/instances?fields=name&orderby=bogus%20desc");
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Bodies: a name the request does not take, at any depth, or a value of another
    // type; nothing is made or changed.
    let lun = |params: Value| json!({"name": "strict", "lunParameters": params});
    for (what, body) in [
        ("unknown argument", json!({"name": "strict", "size": GIB})),
        (
            "unknown nested argument",
            lun(json!({"pool": {"id": "pool_1"}, "size": GIB, "thin": true})),
        ),
        (
            "float for an integer",
            lun(json!({"pool": {"id": "pool_1"}, "size": 1073741824.0})),
        ),
        (
            "string for an integer",
            lun(json!({"pool": {"id": "pool_1"}, "size": "1073741824"})),
        ),
        (
            "string for a boolean",
            lun(json!({"pool": {"id": "pool_1"}, "size": GIB, "isThinEnabled": "yes"})),
        ),
        (
            "string for a reference",
            lun(json!({"pool": "pool_1", "size": GIB})),
        ),
        (
            "reference with more than an id",
            lun(json!({"pool": {"id": "pool_1", "name": "flash_pool"}, "size": GIB})),
        ),
        (
            "object for a list",
            lun(
                json!({"pool": {"id": "pool_1"}, "size": GIB, "hostAccess": {"host": {"id": "Host_1"}}}),
            ),
        ),
        (
            "number for a name",
            json!({"name": 7, "lunParameters": {"pool": {"id": "pool_1"}, "size": GIB}}),
        ),
    ] {
        let (s, v) = sim.post("/api/types/storageResource/action/createLun", body.clone());
        assert_incorrect_body(s, &v);
        let (s, v) = sim.post(
            "/api/types/storageResource/action/createLun?timeout=0",
            body,
        );
        assert_incorrect_body(s, &v);
        assert!(v.get("id").is_none(), "{what}: no job for a refused body");
    }
    assert!(
        sim.contents("/api/types/lun/instances?compact=true")
            .is_empty()
    );
    assert!(
        sim.contents("/api/types/job/instances?compact=true")
            .is_empty()
    );
    let host = sim.create_host("strict-host");
    for (path, body) in [
        (
            "/api/types/host/instances",
            json!({"name": "h2", "address": "10.0.0.1"}),
        ),
        (
            "/api/types/hostInitiator/instances",
            json!({"host": {"id": host}, "initiatorType": 2, "initiatorWWNorIqn": "iqn.1994-05.com.redhat:x", "chapPassword": "p"}),
        ),
        (
            "/api/types/snap/instances",
            json!({"storageResource": {"id": "sv_1"}, "isAutoDelete": 0}),
        ),
        (
            &format!("/api/instances/host/{host}/action/modify"),
            json!({"name": "h3", "type": 2}),
        ),
        (
            "/api/types/storageResource/action/createFilesystem",
            json!({"name": "fs", "fsParameters": {"pool": {"id": "pool_1"}, "nasServer": {"id": "nas_1"}, "size": 5 * GIB}, "nfsShareCreate": [{"name": "s", "nfsShareParameters": {"rootAccessHostsString": "10.0.0.1"}}]}),
        ),
        (
            "/api/types/job/instances",
            json!({"description": "d", "tasks": [{"object": "storageResource", "action": "createLun", "parametersIn": {"name": "j", "lunParameters": {"pool": {"id": "pool_1"}, "size": 1.5}}}]}),
        ),
        (
            "/api/types/job/instances",
            json!({"description": "d", "steps": []}),
        ),
    ] {
        let (s, v) = sim.post(path, body);
        assert_incorrect_body(s, &v);
    }
    let (s, v) = Sim::send(
        sim.with_token(sim.req(
            reqwest::Method::DELETE,
            &format!("/api/instances/host/{host}"),
        ))
        .json(&json!({"forceSnapDeletion": true})),
    );
    assert_incorrect_body(s, &v);
    assert_eq!(
        sim.contents("/api/types/host/instances?compact=true").len(),
        1
    );
    assert!(
        sim.contents("/api/types/filesystem/instances?compact=true")
            .is_empty()
    );

    // What storops sends is taken: every optional argument of createLun, a host LUN
    // number, the delete's flags.
    let (s, v) = sim.post(
        "/api/types/storageResource/action/createLun",
        json!({"name": "storops-like", "description": "",
               "lunParameters": {"pool": {"id": "pool_1"}, "size": GIB, "isThinEnabled": true,
                   "defaultNode": 1, "isDataReductionEnabled": false,
                   "fastVPParameters": {"tieringPolicy": 0},
                   "hostAccess": [{"host": {"id": host}, "accessMask": 1, "hlu": 7}]},
               "snapScheduleParameters": {"isSnapSchedulePaused": false},
               "replicationParameters": {"isReplicationDestination": false}}),
    );
    assert_eq!(s, StatusCode::OK, "{v}");
    let sv = v["content"]["storageResource"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let hl = sim.contents(&format!(
        "/api/types/hostLUN/instances?compact=true&fields=hlu,lun&filter=host.id%20eq%20%22{host}%22"
    ));
    assert_eq!(
        hl,
        [json!({"id": format!("{host}_{sv}_prod"), "hlu": 7, "lun": {"id": sv}})]
    );
    // A host LUN number another LUN of the host holds: 422 100663552 (captured).
    let other = sim.create_lun("other", GIB, true);
    let (s, v) = sim.post(
        &format!("/api/instances/storageResource/{other}/action/modifyLun"),
        json!({"lunParameters": {"hostAccess": [{"host": {"id": host}, "accessMask": 1, "hlu": 7}]}}),
    );
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, 100663552),
        "{v}"
    );
    assert_eq!(
        v["error"]["messages"][0]["en-US"],
        "The specified host lun number conflicted with existing luns for this host. (Error Code:0x6000100)"
    );
    let (s, v) = Sim::send(
        sim.with_token(sim.req(
            reqwest::Method::DELETE,
            &format!("/api/instances/storageResource/{other}"),
        ))
        .json(&json!({"forceSnapDeletion": false, "forceVvolDeletion": false})),
    );
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
}

#[test]
fn filter_grammar() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::session(dir.path(), &[]);
    sim.create_lun("alpha_1", 2 * GIB, true);
    sim.create_lun("alpha_2", 5 * GIB, false);
    sim.create_lun("beta", 10 * GIB, true);
    let names = |filter: &str| -> Vec<String> {
        let q = filter
            .replace('%', "%25")
            .replace(' ', "%20")
            .replace('"', "%22");
        let mut n: Vec<String> = sim
            .contents(&format!(
                "/api/types/lun/instances?compact=true&fields=name&filter={q}"
            ))
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect();
        n.sort();
        n
    };
    assert_eq!(names(r#"name eq "beta""#), ["beta"]);
    assert_eq!(names(r#"name lk "alpha%""#), ["alpha_1", "alpha_2"]);
    assert_eq!(names(r#"name lk "%_2""#), ["alpha_2"]);
    assert_eq!(
        names(&format!("sizeTotal gt {}", 3 * GIB)),
        ["alpha_2", "beta"]
    );
    assert_eq!(names(&format!("sizeTotal lt {}", 3 * GIB)), ["alpha_1"]);
    assert_eq!(
        names(&format!(r#"name lk "alpha%" and sizeTotal gt {}"#, 3 * GIB)),
        ["alpha_2"]
    );
    assert_eq!(
        names(r#"name eq "beta" or name eq "alpha_1""#),
        ["alpha_1", "beta"]
    );
    assert_eq!(
        names(r#"name eq "BETA""#),
        ["beta"],
        "filtering ignores case"
    );
    assert_eq!(names(r#"name in ("alpha_2", "beta")"#), ["alpha_2", "beta"]);
    assert_eq!(names(r#"not name lk "alpha%""#), ["beta"]);
    assert_eq!(names("isThinEnabled eq false"), ["alpha_2"]);
    assert_eq!(names(r#"pool.id eq "pool_1" and type eq 2"#).len(), 3);
    assert_eq!(names(r#"pool.name eq "flash_pool""#).len(), 3);
    assert!(names(r#"pool.name eq "capacity_pool""#).is_empty());
    // Integer enums on other types.
    let disks = sim.contents(
        "/api/types/disk/instances?compact=true&fields=tierType&filter=tierType%20eq%2030",
    );
    assert_eq!(disks.len(), 6);
    assert!(disks.iter().all(|d| d["tierType"] == 30));
    // A bad filter is a 400 with the error body.
    let (s, v) = sim.get("/api/types/lun/instances?filter=name%20zz%201");
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["error"]["httpStatusCode"], 400);
    let (s, _) = sim.get("/api/types/lun/instances?filter=name%20eq%20%22open");
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[test]
fn paging() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::session(dir.path(), &[]);
    let all = sim.contents("/api/types/disk/instances?compact=true");
    assert_eq!(all.len(), 13);
    let mut seen = Vec::new();
    let mut page = 1;
    loop {
        let v = sim.json(&format!(
            "/api/types/disk/instances?compact=true&per_page=5&page={page}"
        ));
        let links = v["links"].as_array().unwrap();
        assert_eq!(
            links[0],
            json!({"rel": "self", "href": format!("&page={page}")})
        );
        if page > 1 {
            assert!(links.iter().any(|l| l["rel"] == "prev"));
        }
        seen.extend(
            v["entries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["content"]["id"].clone()),
        );
        match links.iter().find(|l| l["rel"] == "next") {
            Some(next) => {
                // As storops does: the number after '='.
                page = next["href"]
                    .as_str()
                    .unwrap()
                    .rsplit('=')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
            }
            None => break,
        }
    }
    assert_eq!(page, 3);
    assert_eq!(
        seen,
        all.iter().map(|c| c["id"].clone()).collect::<Vec<_>>()
    );
    let v = sim.json("/api/types/disk/instances?compact=true&per_page=5&page=9");
    assert!(v["entries"].as_array().unwrap().is_empty());
    let (s, _) = sim.get("/api/types/disk/instances?per_page=0");
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // orderby.
    let sizes: Vec<u64> = sim
        .contents("/api/types/disk/instances?compact=true&fields=size&orderby=size%20desc")
        .iter()
        .map(|c| c["size"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes.len(), 13);
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
    assert!(sizes[0] > sizes[12]);
    let names: Vec<String> = sim
        .contents("/api/types/pool/instances?compact=true&fields=name&orderby=name")
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["capacity_pool", "flash_pool"]);
}

#[test]
fn lun_lifecycle_and_clones() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::session(dir.path(), &[]);
    let free = || {
        sim.record("pool", "pool_1", "sizeFree,sizeSubscribed")["sizeFree"]
            .as_u64()
            .unwrap()
    };
    let before = free();
    let thick = sim.create_lun("thick", 4 * GIB, false);
    assert_eq!(
        before - free(),
        4 * GIB,
        "a thick LUN takes its size from the pool"
    );
    let thin = sim.create_lun("thin", 4 * GIB, true);
    assert_eq!(
        before - free(),
        4 * GIB,
        "a thin LUN takes nothing at first"
    );
    let l = sim.record(
        "lun",
        &thin,
        "name,sizeTotal,isThinEnabled,wwn,storageResource,pool,type",
    );
    assert_eq!(l["isThinEnabled"], true);
    assert_eq!(l["storageResource"]["id"], thin.as_str());
    assert_eq!(l["wwn"].as_str().unwrap().split(':').count(), 16);
    let sr = sim.record("storageResource", &thin, "type,luns");
    assert_eq!(sr["type"], 8);
    assert_eq!(sr["luns"], json!([{"id": thin}]));
    // Grow; shrink refused; rename; nothing to modify.
    let modify = |id: &str, body: Value| {
        sim.post(
            &format!("/api/instances/storageResource/{id}/action/modifyLun"),
            body,
        )
    };
    let (s, v) = modify(&thick, json!({"lunParameters": {"size": 6 * GIB}}));
    assert_eq!((s, v), (StatusCode::NO_CONTENT, Value::Null));
    assert_eq!(before - free(), 6 * GIB);
    let (s, v) = modify(&thick, json!({"lunParameters": {"size": 5 * GIB}}));
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(&v), 108007728);
    assert_eq!(sim.record("lun", &thick, "sizeTotal")["sizeTotal"], 6 * GIB);
    let (s, _) = modify(&thick, json!({"name": "renamed"}));
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(sim.record("lun", &thick, "name")["name"], "renamed");
    let (s, v) = modify(&thick, json!({"name": "thin"}));
    assert_eq!((s, error_code(&v)), (StatusCode::CONFLICT, 108007744));
    let (s, v) = modify(&thick, json!({"lunParameters": {"size": 6 * GIB}}));
    assert_eq!((s, error_code(&v)), (StatusCode::CONFLICT, 108007456));
    // Wrong types: Unisphere's 422 131149877; bad JSON: 400; never a crash.
    let (s, v) = modify(&thick, json!({"lunParameters": {"size": "big"}}));
    assert_incorrect_body(s, &v);
    let (s, _) = Sim::send(
        sim.with_token(sim.req(
            reqwest::Method::POST,
            "/api/types/storageResource/action/createLun",
        ))
        .body("{not json"),
    );
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = sim.post(
        "/api/types/storageResource/action/createLun",
        json!({"name": "x"}),
    );
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, v) = sim.post(
        "/api/types/storageResource/action/createLun",
        json!({"name": "x", "lunParameters": {"pool": {"id": "pool_9"}, "size": GIB}}),
    );
    assert_eq!((s, error_code(&v)), (StatusCode::NOT_FOUND, 131149829));
    let (s, v) = sim.post(
        "/api/types/storageResource/action/createLun",
        json!({"name": "huge", "lunParameters": {"pool": {"id": "pool_1"}, "size": 1u64 << 50, "isThinEnabled": false}}),
    );
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // A thin clone from a snap of the thin LUN.
    let snap = sim.create_snap(&thin, "base_snap");
    let (s, v) = sim.post(
        &format!("/api/instances/storageResource/{thin}/action/createLunThinClone"),
        json!({"snap": {"id": snap}, "name": "clone1", "description": ""}),
    );
    assert_eq!(s, StatusCode::OK, "{v}");
    let clone = v["content"]["storageResource"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let c = sim.record(
        "lun",
        &clone,
        "isThinClone,familyBaseLun,sizeTotal,isThinEnabled",
    );
    assert_eq!(c["isThinClone"], true);
    assert_eq!(c["familyBaseLun"]["id"], thin.as_str());
    assert_eq!(c["sizeTotal"], 4 * GIB);
    assert_eq!(
        sim.record("lun", &thin, "familyCloneCount")["familyCloneCount"],
        1
    );
    // The base cannot go while its clone lives; asked as a job (timeout=0), the array
    // refuses at once, no job made (as captured: storops' delete_sv_5605_with_thin_clone).
    let (s, v) = sim.delete(&format!("/api/instances/storageResource/{thin}"));
    assert_eq!((s, error_code(&v)), (StatusCode::CONFLICT, 108009075));
    let (s, v) = sim.delete(&format!(
        "/api/instances/storageResource/{thin}?compact=True&timeout=0"
    ));
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, 108009075),
        "{v}"
    );
    assert!(
        sim.contents("/api/types/job/instances?compact=true")
            .is_empty()
    );
    let (s, _) = sim.delete(&format!("/api/instances/storageResource/{clone}"));
    assert_eq!(s, StatusCode::NO_CONTENT);
    // Snaps need forceSnapDeletion.
    let (s, _) = sim.delete(&format!("/api/instances/storageResource/{thin}"));
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = Sim::send(
        sim.with_token(sim.req(
            reqwest::Method::DELETE,
            &format!("/api/instances/storageResource/{thin}"),
        ))
        .json(&json!({"forceSnapDeletion": true})),
    );
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = sim.get(&format!("/api/instances/lun/{thin}"));
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = sim.get(&format!("/api/instances/snap/{snap}"));
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = sim.delete(&format!("/api/instances/storageResource/{thick}"));
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(free(), before);
    let (s, _) = sim.delete(&format!("/api/instances/storageResource/{thick}"));
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[test]
fn hosts_initiators_and_host_access() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::session(dir.path(), &[]);
    let h1 = sim.create_host("h1");
    let h2 = sim.create_host("h2");
    let (s, v) = sim.post(
        "/api/types/host/instances",
        json!({"type": 1, "name": "h1"}),
    );
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let iqn = "iqn.1994-05.com.redhat:client1";
    let (s, _) = sim.post(
        "/api/types/hostInitiator/instances",
        json!({"host": {"id": h1}, "initiatorType": 2, "initiatorWWNorIqn": iqn}),
    );
    assert_eq!(s, StatusCode::CREATED);
    let (s, v) = sim.post(
        "/api/types/hostInitiator/instances",
        json!({"host": {"id": h2}, "initiatorType": 2, "initiatorWWNorIqn": iqn}),
    );
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, 100663539)
    );
    let (s, _) = sim.post(
        "/api/types/hostInitiator/instances",
        json!({"host": {"id": h2}, "initiatorType": 1, "initiatorWWNorIqn": "20:00:00:00:c9:12:34:56:10:00:00:00:c9:12:34:56"}),
    );
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = sim.post(
        "/api/types/hostInitiator/instances",
        json!({"host": {"id": h2}, "initiatorType": 1, "initiatorWWNorIqn": "10:00:00:00:c9:12:34:56"}),
    );
    assert_eq!(s, StatusCode::BAD_REQUEST, "an FC initiator is WWNN:WWPN");
    // CHAP on the iSCSI initiator.
    let (s, _) = sim.post(
        "/api/instances/hostInitiator/HostInitiator_1/action/modify",
        json!({"chapUser": "me", "chapSecret": "0123456789abcd"}),
    );
    assert_eq!(s, StatusCode::NO_CONTENT);
    let i = sim.record(
        "hostInitiator",
        "HostInitiator_1",
        "chapUserName,isChapSecretEnabled,parentHost,type,initiatorId",
    );
    assert_eq!(
        i,
        json!({"id": "HostInitiator_1", "chapUserName": "me", "isChapSecretEnabled": true,
                         "parentHost": {"id": h1}, "type": 2, "initiatorId": iqn})
    );
    let i = sim.record("hostInitiator", "HostInitiator_2", "portWWN,nodeWWN,type");
    assert_eq!(i["portWWN"], "10:00:00:00:C9:12:34:56");
    assert_eq!(i["type"], 1);
    let h = sim.record("host", &h2, "fcHostInitiators,iscsiHostInitiators");
    assert_eq!(h["fcHostInitiators"][0]["id"], "HostInitiator_2");
    assert!(h.get("iscsiHostInitiators").is_none());
    // Host access: the full list each time, hlu numbers per host.
    let a = sim.create_lun("a", GIB, true);
    let b = sim.create_lun("b", GIB, true);
    let access = |lun: &str, list: Value| {
        let (s, v) = sim.post(
            &format!("/api/instances/storageResource/{lun}/action/modifyLun"),
            json!({"lunParameters": {"hostAccess": list}}),
        );
        assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    };
    access(&a, json!([{"host": {"id": h1}, "accessMask": 1}]));
    access(&b, json!([{"host": {"id": h1}, "accessMask": 1}]));
    access(
        &a,
        json!([{"host": {"id": h1}, "accessMask": 1}, {"host": {"id": h2}, "accessMask": 3}]),
    );
    let hlus = |host: &str| -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = sim
            .contents(&format!(
                "/api/types/hostLUN/instances?compact=true&fields=hlu,lun,host&filter=host.id%20eq%20%22{host}%22"
            ))
            .iter()
            .map(|c| (c["lun"]["id"].as_str().unwrap().to_string(), c["hlu"].as_u64().unwrap()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(hlus(&h1), [(a.clone(), 0), (b.clone(), 1)]);
    assert_eq!(hlus(&h2), [(a.clone(), 0)]);
    let l = sim.record("lun", &a, "hostAccess");
    let masks: Vec<(String, u64)> = l["hostAccess"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["host"]["id"].as_str().unwrap().to_string(),
                e["accessMask"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(masks, [(h1.clone(), 1), (h2.clone(), 3)]);
    let h = sim.record("host", &h1, "hostLUNs");
    assert_eq!(h["hostLUNs"].as_array().unwrap().len(), 2);
    // Replacing the list drops h1 from a; its hlu 0 is free again, b keeps 1.
    access(&a, json!([{"host": {"id": h2}, "accessMask": 1}]));
    assert_eq!(hlus(&h1), [(b.clone(), 1)]);
    let c = sim.create_lun("c", GIB, true);
    access(&c, json!([{"host": {"id": h1}, "accessMask": 1}]));
    assert_eq!(hlus(&h1), [(b.clone(), 1), (c.clone(), 0)]);
    // A host with access cannot be deleted; an empty list removes all access.
    let (s, _) = sim.delete(&format!("/api/instances/host/{h2}"));
    assert_eq!(s, StatusCode::CONFLICT);
    access(&a, json!([]));
    assert!(
        sim.record("lun", &a, "hostAccess")
            .get("hostAccess")
            .is_none()
    );
    assert!(hlus(&h2).is_empty());
    let (s, _) = sim.post(
        &format!("/api/instances/storageResource/{a}/action/modifyLun"),
        json!({"lunParameters": {"hostAccess": [{"host": {"id": "Host_99"}, "accessMask": 1}]}}),
    );
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = sim.delete(&format!("/api/instances/host/{h2}"));
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        sim.contents("/api/types/hostInitiator/instances?compact=true")
            .len(),
        1
    );
    let (s, _) = sim.delete("/api/instances/hostInitiator/HostInitiator_1");
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(
        sim.contents("/api/types/hostInitiator/instances?compact=true")
            .is_empty()
    );
}

#[test]
fn file_systems_and_nfs_shares() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::session(dir.path(), &[]);
    let (s, v) = sim.post(
        "/api/types/storageResource/action/createFilesystem",
        json!({"name": "tiny", "fsParameters": {"pool": {"id": "pool_1"}, "nasServer": {"id": "nas_1"}, "size": GIB}}),
    );
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, 108008449)
    );
    let res = sim.create_fs("fs1", 10 * GIB, json!({}));
    let (s, v) = sim.post(
        "/api/types/storageResource/action/createFilesystem",
        json!({"name": "fs1", "fsParameters": {"pool": {"id": "pool_1"}, "nasServer": {"id": "nas_1"}, "size": 5 * GIB}}),
    );
    assert_eq!((s, error_code(&v)), (StatusCode::CONFLICT, 108008464));
    let fs = sim.contents("/api/types/filesystem/instances?compact=true&fields=name,storageResource,nasServer.name,sizeTotal,supportedProtocols");
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0]["storageResource"]["id"], res.as_str());
    assert_eq!(fs[0]["nasServer"]["name"], "nas_server_1");
    assert_eq!(fs[0]["supportedProtocols"], 0);
    let fs_id = fs[0]["id"].as_str().unwrap().to_string();
    let modify = |body: Value| {
        sim.post(
            &format!("/api/instances/storageResource/{res}/action/modifyFilesystem"),
            body,
        )
    };
    // Grow, shrink (thin, above used), too far.
    assert_eq!(
        modify(json!({"fsParameters": {"size": 20 * GIB}})).0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        modify(json!({"fsParameters": {"size": 8 * GIB}})).0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        sim.record("filesystem", &fs_id, "sizeTotal")["sizeTotal"],
        8 * GIB
    );
    let (s, v) = modify(json!({"fsParameters": {"size": 2 * GIB}}));
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = modify(json!({}));
    assert_eq!((s, error_code(&v)), (StatusCode::CONFLICT, 108007456));
    // Shares: create with host lists, modify with strings, delete.
    let h = sim.create_host("client");
    let (s, v) = modify(
        json!({"nfsShareCreate": [{"name": "exp1", "path": "/", "nfsShareParameters": {
        "defaultAccess": 0, "readWriteHosts": [{"id": h}], "rootAccessHosts": [{"id": h}]}}]}),
    );
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let shares = sim.contents(&format!(
        "/api/types/nfsShare/instances?compact=true&fields=name,path,filesystem,defaultAccess,readWriteHosts,rootAccessHosts,readWriteHostsString,exportPaths&filter=filesystem.id%20eq%20%22{fs_id}%22"
    ));
    assert_eq!(shares.len(), 1);
    let share = &shares[0];
    assert_eq!(share["readWriteHosts"], json!([{"id": h}]));
    assert_eq!(share["rootAccessHosts"], json!([{"id": h}]));
    assert_eq!(share["readWriteHostsString"], h.as_str());
    assert_eq!(share["exportPaths"], json!(["192.168.20.10:/exp1"]));
    assert_eq!(share["defaultAccess"], 0);
    let share_id = share["id"].as_str().unwrap().to_string();
    assert_eq!(
        sim.record("filesystem", &fs_id, "nfsShare")["nfsShare"],
        json!([{"id": share_id}])
    );
    let (s, v) = modify(
        json!({"nfsShareModify": [{"nfsShare": {"id": share_id}, "nfsShareParameters": {
        "defaultAccess": 1, "readWriteHosts": [], "readWriteHostsString": "10.1.1.1, 10.1.1.0/255.255.255.0",
        "readOnlyRootHostsString": "db.example.com"}}]}),
    );
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let sh = sim.record(
        "nfsShare",
        &share_id,
        "defaultAccess,readWriteHosts,readWriteHostsString,readOnlyRootHostsString,rootAccessHosts",
    );
    assert_eq!(sh["defaultAccess"], 1);
    assert!(sh.get("readWriteHosts").is_none());
    assert_eq!(
        sh["readWriteHostsString"],
        "10.1.1.1,10.1.1.0/255.255.255.0"
    );
    assert_eq!(sh["readOnlyRootHostsString"], "db.example.com");
    assert_eq!(
        sh["rootAccessHosts"],
        json!([{"id": h}]),
        "keys not given are kept"
    );
    let (s, _) = modify(
        json!({"nfsShareModify": [{"nfsShare": {"id": share_id}, "nfsShareParameters": {"defaultAccess": 9}}]}),
    );
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = modify(
        json!({"nfsShareCreate": [{"name": "exp2", "path": "/", "nfsShareParameters": {"readOnlyHosts": [{"id": "Host_77"}]}}]}),
    );
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Deleting a host takes it off the share's lists.
    assert_eq!(
        sim.delete(&format!("/api/instances/host/{h}")).0,
        StatusCode::NO_CONTENT
    );
    let sh = sim.record(
        "nfsShare",
        &share_id,
        "rootAccessHosts,readWriteRootHostsString,readOnlyRootHostsString",
    );
    assert!(sh.get("rootAccessHosts").is_none(), "{sh}");
    assert!(sh.get("readWriteRootHostsString").is_none(), "{sh}");
    assert_eq!(sh["readOnlyRootHostsString"], "db.example.com");
    assert_eq!(
        modify(json!({"nfsShareDelete": [{"nfsShare": {"id": share_id}}]})).0,
        StatusCode::NO_CONTENT
    );
    assert!(
        sim.contents("/api/types/nfsShare/instances?compact=true")
            .is_empty()
    );
    // A share of a snapshot.
    let snap = sim.create_snap(&res, "fs_snap");
    let (s, v) = sim.post(
        "/api/types/nfsShare/instances",
        json!({"snap": {"id": snap}, "name": "snapshare", "path": "/", "isReadOnly": true}),
    );
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let sh = sim.record(
        "nfsShare",
        v["content"]["id"].as_str().unwrap(),
        "snap,exportPaths,isReadOnly",
    );
    assert_eq!(sh["snap"]["id"], snap.as_str());
    assert_eq!(sh["exportPaths"], json!(["192.168.20.10:/snapshare"]));
    // Delete with its snaps.
    let (s, _) = sim.delete(&format!("/api/instances/storageResource/{res}"));
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = Sim::send(
        sim.with_token(sim.req(
            reqwest::Method::DELETE,
            &format!("/api/instances/storageResource/{res}"),
        ))
        .json(&json!({"forceSnapDeletion": true})),
    );
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(
        sim.contents("/api/types/filesystem/instances?compact=true")
            .is_empty()
    );
    assert!(
        sim.contents("/api/types/nfsShare/instances?compact=true")
            .is_empty()
    );
    assert!(
        sim.contents("/api/types/storageResource/instances?compact=true")
            .is_empty()
    );
}

#[test]
fn nfs_share_names_build_an_export_name_space() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::session(dir.path(), &[]);
    let res = sim.create_fs("ns_fs", 5 * GIB, json!({}));
    let modify = |body: Value| {
        sim.post(
            &format!("/api/instances/storageResource/{res}/action/modifyFilesystem"),
            body,
        )
    };
    let (s, v) = modify(json!({"nfsShareCreate": [{"name": "vol/fs1", "path": "/"}]}));
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let share = &sim.contents(
        "/api/types/nfsShare/instances?compact=true&fields=name,path,exportPaths&filter=name%20eq%20%22vol/fs1%22",
    )[0];
    assert_eq!(share["exportPaths"], json!(["192.168.20.10:/vol/fs1"]));
    assert_eq!(share["path"], "/");
    for bad in ["/vol", "vol/", "vol//fs1", ""] {
        let (s, v) = modify(json!({"nfsShareCreate": [{"name": bad, "path": "/"}]}));
        assert_eq!(
            (s, error_code(&v)),
            (StatusCode::BAD_REQUEST, 131149825),
            "{bad:?}: {v}"
        );
    }
    // A storage resource with snaps goes only with forceSnapDeletion (100666391, the
    // code storops names UnityDeleteStorageResourceHasSnapError).
    sim.create_snap(&res, "keep");
    let (s, v) = sim.delete(&format!("/api/instances/storageResource/{res}"));
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, 100666391),
        "{v}"
    );
}

#[test]
fn snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::session(dir.path(), &[]);
    let lun = sim.create_lun("l", 2 * GIB, true);
    let other = sim.create_lun("m", GIB, true);
    let s1 = sim.create_snap(&lun, "s1");
    sim.create_snap(&other, "s1");
    let (s, v) = sim.post(
        "/api/types/snap/instances",
        json!({"storageResource": {"id": lun}, "name": "s1"}),
    );
    assert_eq!((s, error_code(&v)), (StatusCode::CONFLICT, 1903001605));
    let (s, _) = sim.post(
        "/api/types/snap/instances",
        json!({"storageResource": {"id": "sv_404"}}),
    );
    assert_eq!(s, StatusCode::NOT_FOUND);
    let of_lun = |lun: &str| {
        sim.contents(&format!(
            "/api/types/snap/instances?compact=true&fields=name,state,storageResource,lun,creatorType,size&filter=storageResource.id%20eq%20%22{lun}%22"
        ))
    };
    let snaps = of_lun(&lun);
    assert_eq!(snaps.len(), 1);
    assert_eq!(snaps[0]["state"], 2);
    assert_eq!(snaps[0]["lun"]["id"], lun.as_str());
    assert_eq!(snaps[0]["size"], 2 * GIB);
    assert_eq!(sim.record("lun", &lun, "snapCount")["snapCount"], 1);
    // Grow the LUN, then restore: a backup snap first, the old size back.
    let (s, _) = sim.post(
        &format!("/api/instances/storageResource/{lun}/action/modifyLun"),
        json!({"lunParameters": {"size": 3 * GIB}}),
    );
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, v) = sim.post(
        &format!("/api/instances/snap/{s1}/action/restore"),
        json!({"copyName": "before_restore"}),
    );
    assert_eq!(s, StatusCode::OK);
    let backup = v["content"]["backup"]["id"].as_str().unwrap().to_string();
    let b = sim.record("snap", &backup, "name,creatorType,size");
    assert_eq!(b["name"], "before_restore");
    assert_eq!(b["creatorType"], 6);
    assert_eq!(b["size"], 3 * GIB);
    assert_eq!(sim.record("lun", &lun, "sizeTotal")["sizeTotal"], 2 * GIB);
    // Copy.
    let (s, v) = sim.post(
        &format!("/api/instances/snap/{s1}/action/copy"),
        json!({"copyName": "s1_copy"}),
    );
    assert_eq!(s, StatusCode::OK);
    let copy = v["content"]["copies"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        sim.record("snap", &copy, "parentSnap")["parentSnap"]["id"],
        s1.as_str()
    );
    assert_eq!(of_lun(&lun).len(), 3);
    // Delete.
    assert_eq!(
        sim.delete(&format!("/api/instances/snap/{s1}")).0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        sim.delete(&format!("/api/instances/snap/{s1}")).0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(of_lun(&lun).len(), 2);
}

#[test]
fn jobs_with_timeout_zero() {
    let dir = tempfile::tempdir().unwrap();
    // Steps of an hour of the simulator's clock (a session of a day outlives them): a
    // job moves on only when the test moves the clock.
    let sim = Sim::session(
        dir.path(),
        &["--job-ms", "3600000", "--token-ttl-ms", "86400000"],
    );
    let (s, v) = sim.post(
        "/api/types/storageResource/action/createLun?timeout=0",
        json!({"name": "async", "lunParameters": {"pool": {"id": "pool_1"}, "size": GIB}}),
    );
    assert_eq!(s, StatusCode::ACCEPTED);
    assert_eq!(v["state"], 1, "{v}");
    assert_eq!(v["methodName"], "storageResource.createLun");
    let id = v["id"].as_str().unwrap().to_string();
    // Not there yet.
    assert!(
        sim.contents("/api/types/lun/instances?compact=true")
            .is_empty()
    );
    assert_eq!(sim.record("job", &id, "state")["state"], 1, "queued");
    sim.advance_clock(Duration::from_secs(3600));
    let deadline = Instant::now() + Duration::from_secs(10);
    while sim.record("job", &id, "state")["state"] == 1 {
        assert!(Instant::now() < deadline, "the job never started running");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(sim.record("job", &id, "state")["state"], 2, "running");
    assert!(
        sim.contents("/api/types/lun/instances?compact=true")
            .is_empty(),
        "running, not done"
    );
    sim.advance_clock(Duration::from_secs(3600));
    let job = sim.wait_job(&id);
    assert_eq!(job["state"], 4, "{job}");
    assert_eq!(job["progressPct"], 100);
    let lun = job["parametersOut"]["storageResource"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(sim.record("lun", &lun, "name")["name"], "async");
    // A failing job: state 5 with the error.
    let (s, v) = sim.post(
        &format!("/api/instances/storageResource/{lun}/action/modifyLun?timeout=0"),
        json!({"lunParameters": {"size": 1024}}),
    );
    assert_eq!(s, StatusCode::ACCEPTED);
    let job = sim.wait_job(v["id"].as_str().unwrap());
    assert_eq!(job["state"], 5);
    assert_eq!(job["messageOut"]["errorCode"], 108007728);
    assert_eq!(job["tasks"][0]["state"], 3);
    // A job of tasks.
    let (s, v) = sim.post(
        "/api/types/job/instances",
        json!({"description": "Creating Filesystem and share", "tasks": [{
            "name": "CreateNewFilesystem", "object": "storageResource", "action": "createFilesystem",
            "description": "Create File System", "parametersIn": {
                "name": "job_fs", "nfsShareCreate": [{"name": "job_share", "path": "/"}],
                "fsParameters": {"nasServer": {"id": "nas_1"}, "pool": {"id": "pool_1"}, "size": 3 * GIB, "supportedProtocols": 0}}}]}),
    );
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let job = sim.wait_job(v["content"]["id"].as_str().unwrap());
    assert_eq!(job["state"], 4, "{job}");
    assert_eq!(
        sim.contents(
            "/api/types/nfsShare/instances?compact=true&filter=name%20eq%20%22job_share%22"
        )
        .len(),
        1
    );
    // An asynchronous snap delete: Destroying (hidden) at once, then gone.
    let snap = sim.create_snap(&lun, "going");
    let snaps = "/api/types/snap/instances?compact=true&fields=state";
    assert_eq!(sim.contents(snaps).len(), 1);
    let (s, v) = sim.delete(&format!("/api/instances/snap/{snap}?timeout=0"));
    assert_eq!(s, StatusCode::ACCEPTED);
    assert!(
        sim.contents(snaps).is_empty(),
        "a Destroying snap is hidden"
    );
    assert_eq!(
        sim.get(&format!("/api/instances/snap/{snap}")).0,
        StatusCode::NOT_FOUND
    );
    let job = sim.wait_job(v["id"].as_str().unwrap());
    assert_eq!(job["state"], 4, "{job}");
    assert!(sim.contents(snaps).is_empty());
    // Jobs are listed and filtered like everything else.
    let all = sim.contents("/api/types/job/instances?compact=true&fields=state");
    assert_eq!(all.len(), 4);
    assert_eq!(
        sim.contents("/api/types/job/instances?compact=true&filter=state%20eq%205")
            .len(),
        1
    );
    let (s, _) = sim.get("/api/instances/job/N-0");
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[test]
fn unknown_paths_and_methods() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::session(dir.path(), &[]);
    for path in [
        "/api/types/frobnicator/instances",
        "/api/nothing",
        "/",
        "/api/instances/pool/pool_9",
    ] {
        let (s, v) = sim.get(path);
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(error_code(&v), 131149829);
    }
    let (s, v) = sim.post("/api/types/pool/action/explode", json!({}));
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(v["error"]["httpStatusCode"], 405);
    let (s, v) = sim.post("/api/types/frobnicator/instances", json!({}));
    assert_eq!((s, error_code(&v)), (StatusCode::NOT_FOUND, 131149829));
    let (s, _) = sim.post("/api/types/storageResource/action/createLun", json!([1, 2]));
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = sim.post(
        "/api/instances/storageResource/sv_77/action/modifyLun",
        json!({}),
    );
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = Sim::send(sim.req(reqwest::Method::PUT, "/api/types/lun/instances"));
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
}

#[test]
fn state_persists_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut sim = Sim::session(dir.path(), &[]);
    let lun = sim.create_lun("keep", 3 * GIB, false);
    let host = sim.create_host("keeper");
    let (s, _) = sim.post(
        &format!("/api/instances/storageResource/{lun}/action/modifyLun"),
        json!({"lunParameters": {"hostAccess": [{"host": {"id": host}, "accessMask": 1}]}}),
    );
    assert_eq!(s, StatusCode::NO_CONTENT);
    let free = sim.record("pool", "pool_1", "sizeFree")["sizeFree"].clone();
    let old_cookie = sim.cookie.borrow().clone();
    sim.stop();
    assert!(dir.path().join("unity.json").is_file());
    let sim = Sim::start(dir.path(), &[]);
    // Sessions do not survive a restart.
    *sim.cookie.borrow_mut() = old_cookie;
    assert_eq!(
        sim.get("/api/types/lun/instances").0,
        StatusCode::UNAUTHORIZED
    );
    sim.login();
    let l = sim.record("lun", &lun, "name,sizeTotal,hostAccess");
    assert_eq!(l["name"], "keep");
    assert_eq!(l["hostAccess"][0]["host"]["id"], host.as_str());
    assert_eq!(sim.record("pool", "pool_1", "sizeFree")["sizeFree"], free);
    // Ids continue where they were.
    assert_ne!(sim.create_lun("next", GIB, true), lun);
}

#[test]
fn faults_on_unity_paths() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::session(
        dir.path(),
        &["--fault", "/api/types/lun/instances:status=500:count=2"],
    );
    for _ in 0..2 {
        let (s, v) = sim.get("/api/types/lun/instances?compact=true");
        assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(v["error"]["httpStatusCode"], 500);
        assert!(v["error"]["errorCode"].is_u64());
        assert!(v["error"]["messages"][0]["en-US"].is_string());
    }
    assert_eq!(
        sim.get("/api/types/lun/instances?compact=true").0,
        StatusCode::OK
    );
    // job=failure through the admin endpoint: the async job fails.
    let r = sim
        .client
        .post(sim.url("/_arraysim/faults"))
        .json(&json!({"spec": "/api/types/storageResource/action/*:job=failure:count=1"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let (s, v) = sim.post(
        "/api/types/storageResource/action/createLun?timeout=0",
        json!({"name": "never", "lunParameters": {"pool": {"id": "pool_1"}, "size": GIB}}),
    );
    assert_eq!(s, StatusCode::ACCEPTED);
    let job = sim.wait_job(v["id"].as_str().unwrap());
    assert_eq!(job["state"], 5);
    assert!(
        sim.contents("/api/types/lun/instances?compact=true")
            .is_empty()
    );
    // Latency.
    let r = sim
        .client
        .post(sim.url("/_arraysim/faults"))
        .json(&json!({"spec": "/api/types/pool/*:latency=300:count=1"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let t = Instant::now();
    assert_eq!(sim.get("/api/types/pool/instances").0, StatusCode::OK);
    assert!(t.elapsed() >= Duration::from_millis(300));
    let stats: Value = sim
        .client
        .get(sim.url("/_arraysim/stats"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(
        stats["requests"]["GET /api/types/lun/instances"]
            .as_u64()
            .unwrap()
            >= 3
    );
}

#[test]
fn nas_servers_and_file_interfaces() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::session(dir.path(), &[]);
    let nas = sim.contents("/api/types/nasServer/instances?compact=true&fields=name,homeSP,pool,fileInterface.ipAddress");
    assert_eq!(nas.len(), 1);
    assert_eq!(
        nas[0]["fileInterface"],
        json!([{"id": "if_3", "ipAddress": "192.168.20.10"}])
    );
    let (s, v) = sim.post(
        "/api/types/nasServer/instances",
        json!({"name": "nas_server_1", "homeSP": {"id": "spb"}, "pool": {"id": "pool_2"}}),
    );
    assert_eq!((s, error_code(&v)), (StatusCode::CONFLICT, 108011556));
    let (s, v) = sim.post(
        "/api/types/nasServer/instances",
        json!({"name": "nas2", "homeSP": {"id": "spb"}, "pool": {"id": "pool_2"}}),
    );
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["content"]["id"].as_str().unwrap().to_string();
    assert_eq!(id, "nas_2");
    let (s, v) = sim.post(
        "/api/types/fileInterface/instances",
        json!({"nasServer": {"id": id}, "ipPort": {"id": "spb_eth3"}, "ipAddress": "192.168.20.10"}),
    );
    assert_eq!((s, error_code(&v)), (StatusCode::CONFLICT, 108011747));
    let (s, v) = sim.post(
        "/api/types/fileInterface/instances",
        json!({"nasServer": {"id": "nas_9"}, "ipPort": {"id": "spb_eth3"}, "ipAddress": "192.168.20.11"}),
    );
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, 131149864)
    );
    let (s, v) = sim.post(
        "/api/types/fileInterface/instances",
        json!({"nasServer": {"id": id}, "ipPort": {"id": "spb_eth3"}, "ipAddress": "192.168.20.11",
               "netmask": "255.255.255.0", "gateway": "192.168.20.1"}),
    );
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let interface = v["content"]["id"].as_str().unwrap().to_string();
    assert_eq!(interface, "if_4");
    // A file system on it exports through its interface.
    let (s, v) = sim.post(
        "/api/types/storageResource/action/createFilesystem",
        json!({"name": "fs2", "fsParameters": {"pool": {"id": "pool_2"}, "nasServer": {"id": id}, "size": 3 * GIB},
               "nfsShareCreate": [{"name": "e2", "path": "/"}]}),
    );
    assert_eq!(s, StatusCode::OK, "{v}");
    let res = v["content"]["storageResource"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let shares = sim.contents("/api/types/nfsShare/instances?compact=true&fields=exportPaths");
    assert_eq!(shares[0]["exportPaths"], json!(["192.168.20.11:/e2"]));
    let (s, v) = sim.delete(&format!("/api/instances/nasServer/{id}"));
    assert_eq!((s, error_code(&v)), (StatusCode::CONFLICT, 108011564));
    assert_eq!(
        sim.delete(&format!("/api/instances/storageResource/{res}"))
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        sim.delete(&format!("/api/instances/nasServer/{id}")).0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        sim.get(&format!("/api/instances/fileInterface/{interface}"))
            .0,
        StatusCode::NOT_FOUND
    );
}
