//! No secret reaches a log line or an error message: every request of a login flow that
//! carries a password, a bearer token, a session cookie, a CSRF token and a CHAP secret is
//! logged at TRACE into a buffer (the `log` records of reqwest, hyper and rustls too), and
//! no secret appears in it, nor in any error's Display.
//!
//! One test in its own binary: it installs the process's global subscriber.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lsm_core::{LsmError, Uri};
use lsm_rest::{Request, RestClient, RestConfig, RestError};
use serde_json::{Value, json};
use support::{Reply, TestServer, closed_port, silent_listener, test_cert};

const PASSWORD: &str = "pw-S3cret-4711";
const TOKEN: &str = "tok-Bearer-0815";
const COOKIE: &str = "cookie-Val-2323";
const CSRF: &str = "csrf-Tok-9999";
const CHAP: &str = "chap-Sec-5151";
/// base64("admin:pw-S3cret-4711"), the Basic credentials as sent.
const BASIC: &str = "YWRtaW46cHctUzNjcmV0LTQ3MTE";

#[derive(Clone)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in [PASSWORD, TOKEN, COOKIE, CSRF, CHAP, BASIC] {
        assert!(!text.contains(secret), "{what} shows {secret}: {text}");
    }
}

fn array(seen: &support::Seen) -> Reply {
    match (
        seen.method.as_str(),
        seen.path.split('?').next().unwrap_or(""),
    ) {
        ("POST", "/auth/login") => Reply::json(200, json!({"token": TOKEN, "user": "admin"}))
            .header("set-cookie", &format!("mod_sec_emc={COOKIE}; Path=/"))
            .header("EMC-CSRF-TOKEN", CSRF),
        (_, "/denied") => Reply::json(
            401,
            json!({"code": "EAUTH", "message": format!("bad password {PASSWORD} for token {TOKEN}")}),
        ),
        (_, "/odd") => Reply::json(200, json!({"records": TOKEN})),
        _ => Reply::json(
            200,
            json!({"echo": String::from_utf8_lossy(&seen.body), "cookie": seen.header("cookie"),
                   "csrf": seen.header("emc-csrf-token"), "auth": seen.header("authorization")}),
        ),
    }
}

#[test]
fn secrets_never_reach_logs_or_error_messages() -> lsm_rest::Result<()> {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let writer = Capture(buffer.clone());
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .try_init()
        .expect("the only subscriber of this test binary");

    let cert = test_cert();
    let server = TestServer::https(&cert, array);
    let uri = Uri::parse(&format!(
        "nstor://admin@127.0.0.1:{}?ca_cert={}",
        server.port,
        cert.ca_path.display()
    ))
    .map_err(|error| RestError::Config(error.message))?;
    let config = RestConfig::from_uri(&uri, Some(PASSWORD), Duration::from_secs(20), 8443)?;
    assert_no_secret("config Debug", &format!("{config:?}"));
    let mut client = RestClient::new(config)?;

    // Login: the password in the body (Basic auth too), a token back, a cookie, a CSRF header.
    let login = client.send(
        &Request::post("/auth/login").json(&json!({"username": "admin", "password": PASSWORD})),
    )?;
    assert_no_secret("response Debug", &format!("{login:?}"));
    let token: Value = login.json()?;
    client.set_bearer_token(token["token"].as_str().unwrap_or_default());
    let csrf = login
        .header("EMC-CSRF-TOKEN")
        .unwrap_or_default()
        .to_string();
    client.set_header("EMC-CSRF-TOKEN", &csrf)?;

    // The token, cookie and CSRF header go back; secrets in the query and a CHAP body.
    let echoed: Value = client.send_json(
        &Request::get("/api/x")
            .query("password", PASSWORD)
            .query("token", TOKEN)
            .query("fields", "name"),
    )?;
    assert_eq!(echoed["auth"], format!("Bearer {TOKEN}"));
    assert_eq!(echoed["cookie"], format!("mod_sec_emc={COOKIE}"));
    assert_eq!(echoed["csrf"], CSRF);
    let chap = Request::post("/api/chap")
        .json(&json!({"chap": {"user": "u", "inSecret": CHAP}, "name": "ag1"}))
        .header("X-Chap-Secret", CHAP);
    assert_no_secret("request Debug", &format!("{chap:?}"));
    client.send(&chap)?;
    assert_no_secret("client Debug", &format!("{client:?}"));

    // Errors: a 401 whose body echoes the password and token, a body of the wrong shape
    // holding the token, a timeout, a refused connection.
    let denied = client.send(&Request::get("/denied")).unwrap_err();
    assert_no_secret("HTTP error", &denied.to_string());
    assert_no_secret("LsmError", &LsmError::from(denied).to_string());
    let odd = client
        .send_json::<std::collections::HashMap<String, Vec<String>>>(&Request::get("/odd"))
        .unwrap_err();
    assert_no_secret("decode error", &LsmError::from(odd).to_string());

    let (_listener, port) = silent_listener();
    for port in [port, closed_port()] {
        let uri = Uri::parse(&format!("ontap://admin@127.0.0.1:{port}?no_ssl_verify=yes"))
            .map_err(|error| RestError::Config(error.message))?;
        let config = RestConfig::from_uri(&uri, Some(PASSWORD), Duration::from_millis(300), 443)?;
        let client = RestClient::new(config)?;
        let error = client
            .send(&Request::get("/x").query("password", PASSWORD))
            .unwrap_err();
        assert_no_secret("transport error", &LsmError::from(error).to_string());
    }

    let logged = String::from_utf8_lossy(&buffer.lock().expect("log buffer")).into_owned();
    assert!(
        logged.contains("/auth/login"),
        "requests are logged: {logged}"
    );
    assert!(
        logged.contains("status=401"),
        "statuses are logged: {logged}"
    );
    assert!(
        logged.contains("request body"),
        "TRACE bodies are logged: {logged}"
    );
    assert_no_secret("the log", &logged);
    Ok(())
}
